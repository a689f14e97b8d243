// The Galileo GT-64120 system controller of the Malta board, as far as a
// bare-metal program needs it: the internal register block (ISD window,
// 4 KiB, at 0x14000000 after reset and wherever GT_ISD moves it; the boot
// code moves it to 0x1be00000), the CPU-to-PCI windows (PCI0 I/O window
// onto the ISA/PCI port space: 0x10000000 after reset, 0x18000000 once the
// boot code programmed it), and the "empty slot" behaviour of the rest of
// the low 512 MiB: addresses nothing claims read as 0, writes are dropped,
// no bus error (as QEMU models the board).
//
// The board registers the GT-64120 as the handler of every gap in
// [0, kDecodeLimit) with offsets equal to physical addresses, so windows can
// move at run time without changing the address space.
//
// Register values are kept as the GT-64120 holds them (little-endian); the
// CPU sees them byte-swapped when GT_CPU.Endianness is 0 (a big-endian
// CPU), as on the real board and in QEMU. Sub-word accesses reach the whole
// 32-bit register the way QEMU's memory core delivers them.
//
// PCI: configuration cycles through GT_PCI0_CFGADDR/CFGDATA reach the PCI
// bus (the GT-64120 itself answers as device 0, a host bridge); a cycle no
// device answers sets the master-abort bit in GT_INTRCAUSE (bit 18), which
// FreeBSD and Linux test. Configuration data of devices other than the
// GT-64120 is byte-swapped unless GT_PCI0_CMD's MByteSwap bit is set, so a
// big-endian CPU (which leaves it clear) reads PCI registers in its own byte
// order, as on the real board and in QEMU. The PCI0 memory windows map
// CPU addresses 1:1 onto the PCI memory space (as QEMU; the remap registers
// are kept but not applied).
//
// Not modelled: DMA engines and timers (registers stored only), PCI_1.
#pragma once

#include <cstdint>

#include <functional>
#include <memory>

#include "hw/core/ioport.h"
#include "hw/core/memory.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"

namespace mimic::hw::mips {

class Gt64120 : public MmioHandler {
 public:
  static constexpr uint64_t kDecodeLimit = 0x20000000;  // the GT decodes the low 512 MiB
  static constexpr uint64_t kRegsSize = 0x1000;

  struct Window {
    uint64_t start = 0, length = 0;
    bool contains(uint64_t a) const { return a >= start && a - start < length; }
  };

  static constexpr uint32_t kMasterAbort0 = 1u << 18;   // GT_INTRCAUSE MasAbort0
  static constexpr uint32_t kTargetAbort0 = 1u << 19;

  // `io` and `pci_mem` are the PCI bus's I/O and memory spaces.
  Gt64120(bool cpu_big_endian, IoSpace& io, IoSpace& pci_mem);
  ~Gt64120() override;

  // The PCI bus behind the bridge; its device 0 must be hostFunction().
  void setPciBus(pci::PciBus* bus) { bus_ = bus; }
  pci::PciDevice& hostFunction();

  void reset();

  // The PCI interrupt acknowledge cycle (reading GT_PCI0_IACK): the board
  // connects the interrupt controller, which returns the vector.
  void setInterruptAcknowledge(std::function<uint32_t()> iack) { iack_ = std::move(iack); }

  // CPU bus accesses; `paddr` is the physical address (see above).
  uint64_t read(uint64_t paddr, unsigned size) override;
  void write(uint64_t paddr, uint64_t value, unsigned size) override;

  // The register block as the CPU sees it, offsets 0..0xfff.
  uint64_t readReg(uint32_t offset, unsigned size);
  void writeReg(uint32_t offset, uint64_t value, unsigned size);

  // A register's value as the GT-64120 holds it.
  uint32_t reg(uint32_t offset) const { return regs_[(offset & (kRegsSize - 1)) >> 2]; }

  const Window& isd() const { return isd_; }
  const Window& pci0Io() const { return pci0_io_; }
  const Window& pci0Mem0() const { return pci0_m0_; }
  const Window& pci0Mem1() const { return pci0_m1_; }

 private:
  bool swapped() const;  // CPU sees registers byte-swapped
  uint32_t readWord(uint32_t index);
  void writeWord(uint32_t index, uint32_t value, unsigned size);
  void updateIsd();
  void updatePciWindows();
  uint64_t ioRead(uint64_t port, unsigned size);
  void ioWrite(uint64_t port, uint64_t value, unsigned size);
  uint32_t configDataRead();
  void configDataWrite(uint32_t value);
  bool configDataSwapped() const;

  bool cpu_big_endian_;
  IoSpace& io_;
  IoSpace& pci_mem_;
  pci::PciBus* bus_ = nullptr;
  std::unique_ptr<pci::PciDevice> host_fn_;
  uint32_t regs_[kRegsSize / 4] = {};
  Window isd_, pci0_io_, pci0_m0_, pci0_m1_;
  std::function<uint32_t()> iack_;
};

}  // namespace mimic::hw::mips
