// Function 3 of the Intel PIIX4: power management (ACPI-style PM1 block,
// PM timer) and the SMBus host controller's configuration. This is what
// makes `poweroff` and suspend requests from the guest reach the emulator.
//
// The PM I/O block (64 ports) appears where PMBA (configuration 0x40) puts
// it once PMREGMISC (0x80) bit 0 enables it. Linux's Malta PCI fixup sets
// PMBA to 0x1000 and enables it; its piix4-poweroff driver then writes
// PMCNTRL with SUS_EN and SUS_TYP 0 (soft off). As QEMU's PIIX4 does, the
// write itself powers the machine off: the PCI special cycle that follows on
// real hardware is not needed.
//
// Registers in the block (PIIX4 datasheet 290562-001, 7.2):
//   0x00 PMSTS (16, write 1 to clear)   0x02 PMEN (16)   0x04 PMCNTRL (16)
//   0x08 PMTMR (24-bit 3.579545 MHz counter, read-only)
//   0x0c GPSTS (w1c) 0x0e GPEN 0x10 PCNTRL (32) 0x14.. other registers,
//   kept as written.
#pragma once

#include <cstdint>
#include <functional>

#include "hw/core/ioport.h"
#include "hw/pci/pci_device.h"
#include "hw/timer/clock.h"

namespace mimic::hw::pci {

class Piix4Pm : public PciDevice {
 public:
  static constexpr uint32_t kPmBlockSize = 64;
  static constexpr uint64_t kPmTimerHz = 3579545;

  // `isa_io`: where the PM block is mapped. `clock`: for the PM timer.
  // `power_off()`: the guest entered soft-off (S5).
  Piix4Pm(IoSpace& isa_io, Clock& clock, std::function<void()> power_off);
  ~Piix4Pm() override;

  void reset() override;
  uint64_t pmBase() const { return mapped_; }   // ~0 when the block is not enabled

 protected:
  void configWritten(unsigned offset, unsigned size) override;

 private:
  class PmBlock : public MmioHandler {
   public:
    explicit PmBlock(Piix4Pm& p) : p_(p) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    Piix4Pm& p_;
  };
  uint8_t readByte(unsigned off);
  void writeByte(unsigned off, uint8_t v);
  void pmControlWritten();
  void updateMapping();

  IoSpace& io_;
  Clock& clock_;
  std::function<void()> power_off_;
  PmBlock block_{*this};
  uint8_t regs_[kPmBlockSize] = {};
  uint64_t mapped_ = ~0ull;
};

}  // namespace mimic::hw::pci
