// Function 0 of the Intel PIIX4 (82371AB) southbridge: the PCI-to-ISA
// bridge. It owns the PCI interrupt routing (PIRQA#..PIRQD# to ISA IRQs,
// configuration registers 0x60-0x63) and the reset control register at I/O
// port 0xcf9. The ISA devices themselves (8259s, PIT, RTC, UARTs, ...) are
// separate models the board puts in the I/O space.
//
// Facts from the PIIX4 datasheet (290562-001): PIRQRC[A:D] reset to 0x80
// (routing disabled), bits 3:0 select IRQ 3-7, 9-12, 14 or 15 (others are
// reserved: no routing). Reset control (0xcf9): bit 2 RST_CPU starts a reset
// on its 0->1 transition, bit 1 SYS_RST makes it a full (hard) reset.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "hw/core/memory.h"
#include "hw/pci/pci_device.h"

namespace mimic::hw::pci {

class Piix4Isa : public PciDevice {
 public:
  static constexpr int kNumPirqs = 4;
  static constexpr uint32_t kResetControlPort = 0xcf9;

  // `isa_irq(n, level)` drives ISA interrupt n (the 8259 inputs);
  // `reset_request()` is called when the guest resets the system.
  Piix4Isa(std::function<void(int irq, bool level)> isa_irq, std::function<void()> reset_request);

  // A PCI interrupt line (PIRQA#..PIRQD# = 0..3) changed level; the board
  // ORs the devices wired to each line before calling this.
  void setPirq(int pirq, bool level);

  // The reset control register, to map at kResetControlPort (1 port).
  MmioHandler* resetControl() { return &rc_; }

  void reset() override;

 protected:
  void configWritten(unsigned offset, unsigned size) override;

 private:
  class ResetControl : public MmioHandler {
   public:
    explicit ResetControl(Piix4Isa& p) : p_(p) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    Piix4Isa& p_;
  };
  int routedIrq(int pirq) const;  // -1: routing disabled
  void updateIrqs();

  std::function<void(int, bool)> isa_irq_;
  std::function<void()> reset_request_;
  ResetControl rc_{*this};
  uint8_t rc_value_ = 0;
  std::array<bool, kNumPirqs> pirq_level_{};
  std::array<bool, 16> driven_{};   // ISA IRQs this bridge currently drives high
};

}  // namespace mimic::hw::pci
