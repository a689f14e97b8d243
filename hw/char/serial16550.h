// A 16550A UART: eight byte-wide registers (THR/RBR, IER, IIR/FCR, LCR,
// MCR, LSR, MSR, SCR; DLL/DLM behind LCR.DLAB), 16-byte receive and
// transmit FIFOs, loopback, and one interrupt line. Behaviour follows
// QEMU's serial device so guests see the same values.
//
// Output is handed to the backend at once (the transmitter is always ready
// again when the guest next looks), so LSR.THRE/TEMT are set right after a
// THR write and the THRE interrupt follows immediately.
//
// Without a clock, the receive FIFO's character timeout (CTI) is modelled as
// "already expired": whenever the FIFO holds fewer bytes than the trigger
// level, a CTI is pending until the guest reads RBR. Guests that read until
// LSR.DR clears (Linux, U-Boot, polling programs) see no difference.
#pragma once

#include <cstdint>
#include <string>

#include "hw/char/chardev.h"
#include "hw/core/memory.h"

namespace mimic::hw {

class Serial16550 : public MmioHandler, public CharFrontend {
 public:
  static constexpr unsigned kFifoSize = 16;

  // Registers are at offset (reg << regshift): 0 for ISA ports, 3 for the
  // Malta CBUS UART. `chr` may be null (output dropped, no input).
  Serial16550(std::string name, Chardev* chr, IrqLine irq, unsigned regshift = 0);

  void reset();

  // One 8-bit register access, reg 0..7.
  uint8_t readReg(unsigned reg);
  void writeReg(unsigned reg, uint8_t value);

  // MmioHandler: any size; the register is at offset >> regshift and its
  // value is returned in the low byte (as QEMU's serial_mm does).
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;
  uint64_t windowSize() const { return 8ull << regshift_; }

  // CharFrontend.
  size_t canReceive() override;
  void receive(const uint8_t* buf, size_t n) override;
  void receiveBreak() override;

  bool irqLevel() const { return irq_level_; }
  const std::string& name() const { return name_; }
  uint16_t divisor() const { return divider_; }

 private:
  struct Fifo {
    uint8_t data[kFifoSize];
    unsigned head = 0, count = 0;
    bool full() const { return count == kFifoSize; }
    bool empty() const { return count == 0; }
    void clear() { head = count = 0; }
    void push(uint8_t v) {
      data[(head + count) % kFifoSize] = v;
      count++;
    }
    uint8_t pop() {
      uint8_t v = data[head];
      head = (head + 1) % kFifoSize;
      count--;
      return v;
    }
  };

  bool fifoEnabled() const { return fcr_ & 0x01; }
  bool loopback() const { return mcr_ & 0x10; }
  void transmit(uint8_t byte);
  void receiveByte(uint8_t byte);
  void updateTimeout();
  void updateIrq();
  void writeFcr(uint8_t value);

  std::string name_;
  Chardev* chr_;
  IrqLine irq_;
  unsigned regshift_;

  uint8_t rbr_ = 0, ier_ = 0, iir_ = 1, lcr_ = 0, mcr_ = 0, lsr_ = 0, msr_ = 0, scr_ = 0, fcr_ = 0;
  uint16_t divider_ = 0;
  unsigned rx_trigger_ = 1;
  bool thr_ipending_ = false;
  bool timeout_ipending_ = false;
  bool irq_level_ = false;
  bool in_pump_ = false;
  Fifo rx_, tx_;
};

}  // namespace mimic::hw
