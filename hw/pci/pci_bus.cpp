#include "hw/pci/pci_bus.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "hw/pci/pci_device.h"
#include "util/log.h"

namespace mimic::hw::pci {

PciBus::PciBus(IoSpace& io, IoSpace& mem, AddressSpace& dma) : io_(io), mem_(mem), dma_(dma) {}

PciBus::~PciBus() {
  for (PciDevice* d : devices_)
    if (d) d->bus_ = nullptr;
}

void PciBus::attach(int devfn, PciDevice* dev) {
  if (devfn < 0 || devfn >= 256 || !dev || devices_[devfn] || dev->bus_)
    throw std::logic_error(fmt::format("pci: cannot attach '{}' at devfn {:#x}", dev ? dev->name() : "?", devfn));
  devices_[devfn] = dev;
  dev->bus_ = this;
  dev->devfn_ = devfn;
  std::memcpy(dev->defaults_, dev->config_, sizeof dev->defaults_);
  dev->updateMappings();
}

bool PciBus::configRead(int devfn, unsigned offset, unsigned size, uint32_t& value) {
  PciDevice* d = device(devfn);
  // A function other than 0 answers only on multi-function devices.
  if (d && functionOf(devfn) != 0) {
    PciDevice* f0 = device(devfn & ~7);
    if (!f0 || !(f0->get8(kCfgHeaderType) & 0x80)) d = nullptr;
  }
  if (!d || offset >= PciDevice::kConfigSize) {
    value = size >= 4 ? ~0u : (1u << (8 * size)) - 1;
    return d != nullptr;
  }
  if (offset % size == 0 && offset + size <= PciDevice::kConfigSize) {
    value = d->configRead(offset, size);
    return true;
  }
  value = 0;
  for (unsigned i = 0; i < size; i++) {
    uint32_t b = offset + i < PciDevice::kConfigSize ? d->configRead(offset + i, 1) : 0xff;
    value |= (b & 0xff) << (8 * i);
  }
  return true;
}

bool PciBus::configWrite(int devfn, unsigned offset, uint32_t value, unsigned size) {
  PciDevice* d = device(devfn);
  if (d && functionOf(devfn) != 0) {
    PciDevice* f0 = device(devfn & ~7);
    if (!f0 || !(f0->get8(kCfgHeaderType) & 0x80)) d = nullptr;
  }
  if (!d) return false;
  if (offset >= PciDevice::kConfigSize) return true;
  if (offset % size == 0 && offset + size <= PciDevice::kConfigSize) {
    d->configWrite(offset, value, size);
    return true;
  }
  for (unsigned i = 0; i < size && offset + i < PciDevice::kConfigSize; i++)
    d->configWrite(offset + i, (value >> (8 * i)) & 0xff, 1);
  return true;
}

void PciBus::reset() {
  for (PciDevice* d : devices_)
    if (d) d->reset();
}

void PciBus::deviceIrq(PciDevice* dev, bool level) {
  if (irq_router_) irq_router_(dev->devfn(), dev->get8(kCfgIntPin) - 1, level);
}

bool PciBus::dmaRead(uint64_t addr, void* buf, size_t len) {
  if (dma_.copyFrom(addr, buf, len)) return true;
  log::logf(log::kGuestErrors, "pci: DMA read of {} bytes at {:#x} outside RAM\n", len, addr);
  return false;
}

bool PciBus::dmaWrite(uint64_t addr, const void* buf, size_t len) {
  const Region* r = dma_.find(addr);
  if (!r || !r->isRam() || r->readonly || len > r->size - (addr - r->base)) {
    log::logf(log::kGuestErrors, "pci: DMA write of {} bytes at {:#x} outside RAM\n", len, addr);
    return false;
  }
  std::memcpy(r->host + (addr - r->base), buf, len);
  if (dma_write_hook_) dma_write_hook_(addr, len);
  return true;
}

}  // namespace mimic::hw::pci
