// PCI bus 0 of a host bridge: up to 32 devices x 8 functions, type-0
// configuration cycles, the I/O and memory spaces BARs map into, interrupt
// routing to the board, and the path bus masters use to reach guest RAM.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "hw/core/ioport.h"
#include "hw/core/memory.h"

namespace mimic::hw::pci {

class PciDevice;

constexpr int devfn(int slot, int function) { return (slot << 3) | function; }
constexpr int slotOf(int devfn) { return devfn >> 3; }
constexpr int functionOf(int devfn) { return devfn & 7; }

class PciBus {
 public:
  // `io` and `mem` are the bus's I/O and memory spaces (the host bridge maps
  // windows of the CPU's address space onto them); `dma` is what bus
  // masters reach (guest physical memory: PCI address = physical address).
  PciBus(IoSpace& io, IoSpace& mem, AddressSpace& dma);
  ~PciBus();
  PciBus(const PciBus&) = delete;
  PciBus& operator=(const PciBus&) = delete;

  // Puts `dev` (not owned) at `devfn`. A taken devfn is a wiring error
  // (std::logic_error).
  void attach(int devfn, PciDevice* dev);
  PciDevice* device(int devfn) const { return devfn >= 0 && devfn < 256 ? devices_[devfn] : nullptr; }

  // A type-0 configuration cycle. `offset` is any byte offset < 256; an
  // access that is not naturally aligned is split into bytes. Returns false
  // when no function answers (master abort): reads then give all ones.
  bool configRead(int devfn, unsigned offset, unsigned size, uint32_t& value);
  bool configWrite(int devfn, unsigned offset, uint32_t value, unsigned size);

  // Resets every attached function.
  void reset();

  // The board's interrupt wiring: called when function `devfn`'s INTx# pin
  // (pin 0..3 = INTA#..INTD#) changes level.
  void setIrqRouter(std::function<void(int devfn, int pin, bool level)> f) { irq_router_ = std::move(f); }
  // Called after a bus master wrote guest RAM [paddr, paddr+len), so the
  // CPU can drop translated code it overwrote.
  void setDmaWriteHook(std::function<void(uint64_t paddr, uint64_t len)> f) { dma_write_hook_ = std::move(f); }

  IoSpace& io() { return io_; }
  IoSpace& memory() { return mem_; }

 private:
  friend class PciDevice;
  void deviceIrq(PciDevice* dev, bool level);
  bool dmaRead(uint64_t addr, void* buf, size_t len);
  bool dmaWrite(uint64_t addr, const void* buf, size_t len);

  IoSpace& io_;
  IoSpace& mem_;
  AddressSpace& dma_;
  std::array<PciDevice*, 256> devices_{};
  std::function<void(int, int, bool)> irq_router_;
  std::function<void(uint64_t, uint64_t)> dma_write_hook_;
};

}  // namespace mimic::hw::pci
