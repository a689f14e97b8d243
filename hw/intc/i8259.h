// The two cascaded Intel 8259A programmable interrupt controllers of the
// PIIX4 south bridge (as on the Malta board and the PC), with the PIIX4's
// edge/level control registers (ELCR). Behaviour follows the 8259A data
// sheet and QEMU's i8259 so guests see the same values:
//
//  - master at ISA ports 0x20-0x21, slave at 0xa0-0xa1, the slave's INT
//    output wired to the master's IR2; ELCR1/ELCR2 at 0x4d0/0x4d1.
//  - ICW1-ICW4, OCW1-OCW3, the poll command, special mask mode, special
//    fully nested mode, automatic EOI (with rotation), priority rotation.
//  - An input is level triggered when its ELCR bit or its chip's ICW1.LTIM
//    is set; its IRR bit then follows the line. Otherwise a rising edge
//    latches IRR, which stays set until the request is acknowledged (as in
//    QEMU, so devices that pulse their line are not lost).
//  - Not modelled: the MCS-80/85 mode's CALL sequence (the acknowledge
//    cycle always answers with an 8086-style vector), buffered mode, and
//    the freezing of requests between a poll command and its read.
#pragma once

#include <cstdint>

#include "hw/core/memory.h"

namespace mimic::hw {

class I8259Pair {
 public:
  static constexpr uint32_t kMasterBase = 0x20;
  static constexpr uint32_t kSlaveBase = 0xa0;
  static constexpr uint32_t kElcrBase = 0x4d0;
  static constexpr uint32_t kChipPorts = 2;  // window size of master()/slave()
  static constexpr uint32_t kElcrPorts = 2;  // window size of elcr()
  static constexpr int kNumIrqs = 16;
  static constexpr int kCascadeIrq = 2;  // master input driven by the slave

  // `int_out` is the master's INT pin (Malta: CPU interrupt input IP2).
  explicit I8259Pair(IrqLine int_out = {});
  I8259Pair(const I8259Pair&) = delete;
  I8259Pair& operator=(const I8259Pair&) = delete;

  // Connects (or replaces) the INT output and drives it to its current level.
  void setOutput(IrqLine int_out);

  // Hardware reset: both chips uninitialised (IMR 0, nothing pending or in
  // service, vector bases 0), ELCR 0. Input line levels are kept: they
  // belong to the devices.
  void reset();

  // Register windows to map into the ISA port space, byte wide:
  // master() at kMasterBase, slave() at kSlaveBase (kChipPorts ports each),
  // elcr() at kElcrBase (kElcrPorts ports). Wider accesses are split into
  // bytes (little-endian, as the ISA bus) and logged; offsets outside the
  // window are logged, read as 0xff and ignore writes.
  MmioHandler* master() { return &chips_[0]; }
  MmioHandler* slave() { return &chips_[1]; }
  MmioHandler* elcr() { return &elcr_; }

  // Drives ISA IRQ `irq` (0-15). IRQ 2 is the cascade input, driven by the
  // slave: setIrq(2, ...) and out-of-range numbers are ignored (logged).
  void setIrq(int irq, bool level);
  // A line calling setIrq(irq, level); throws std::out_of_range for a
  // number that is not 0-15 or is the cascade (a wiring error).
  IrqLine irqLine(int irq);

  // The interrupt acknowledge (INTA) cycle: returns the vector of the
  // highest-priority pending request (ICW2 base + IR, through the slave for
  // IR2), moves it from IRR to ISR (not in AEOI mode) and updates INT. With
  // nothing to deliver (the request vanished or was masked) it answers with
  // the spurious IR7 of the master (or of the slave when the master saw
  // IR2), setting no ISR bit on that chip.
  uint8_t acknowledge();

  // The master's INT output level.
  bool intOutput() const { return int_level_; }

  // Introspection (chip 0 = master, 1 = slave) for tests and monitors.
  uint8_t irr(int chip) const { return chips_[chip & 1].irr; }
  uint8_t isr(int chip) const { return chips_[chip & 1].isr; }
  uint8_t imr(int chip) const { return chips_[chip & 1].imr; }
  uint8_t vectorBase(int chip) const { return chips_[chip & 1].vector_base; }
  uint8_t elcrValue(int chip) const { return chips_[chip & 1].elcr; }
  bool initializing(int chip) const { return chips_[chip & 1].init_state != 0; }

 private:
  struct Chip : MmioHandler {
    I8259Pair* pair = nullptr;
    int index = 0;  // 0 master, 1 slave

    // Registers and modes.
    uint8_t irr = 0, isr = 0, imr = 0;
    uint8_t line = 0;       // current input levels
    uint8_t elcr = 0;       // PIIX4 ELCR: level triggered inputs
    uint8_t elcr_mask = 0;  // ELCR bits that exist
    uint8_t vector_base = 0;
    uint8_t icw3 = 0;
    uint8_t priority_add = 0;  // IR with the highest priority
    int init_state = 0;        // 0 ready, 1 expects ICW2, 2 ICW3, 3 ICW4
    bool ltim = false, single = false, need_icw4 = false;
    bool aeoi = false, rotate_on_aeoi = false, sfnm = false, mode_8086 = true;
    uint8_t icw4 = 0;
    bool read_isr = false, poll = false, special_mask = false;

    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

    uint8_t levelMask() const { return ltim ? 0xff : elcr; }
    int priority(uint8_t mask) const;
    int pendingIrq() const;
    void intack(int irq);
    void setInput(int irq, bool level);
    void resetInit();
    uint8_t readPort(unsigned port);
    void writePort(unsigned port, uint8_t v);
    void writeCommand(uint8_t v);
    void writeData(uint8_t v);
  };

  struct Elcr : MmioHandler {
    I8259Pair* pair = nullptr;
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;
  };

  static void irqHandler(void* opaque, int n, bool level);
  void update();  // recomputes the slave's and the master's INT outputs
  void writeElcr(int chip, uint8_t v);
  bool cascadeOnMaster(int irq) const;

  Chip chips_[2];
  Elcr elcr_;
  IrqLine out_;
  bool int_level_ = false;
  bool slave_int_ = false;
};

}  // namespace mimic::hw
