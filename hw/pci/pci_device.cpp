#include "hw/pci/pci_device.h"

#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "hw/pci/pci_bus.h"
#include "util/log.h"

namespace mimic::hw::pci {

PciDevice::PciDevice(std::string name, const PciIds& ids) : name_(std::move(name)) {
  set16(kCfgVendorId, ids.vendor);
  set16(kCfgDeviceId, ids.device);
  set8(kCfgRevision, ids.revision);
  set8(kCfgClassProg, uint8_t(ids.class_code));
  set16(kCfgClassProg + 1, uint16_t(ids.class_code >> 8));
  set8(kCfgHeaderType, ids.multifunction ? 0x80 : 0x00);
  set16(kCfgSubsysVendor, ids.subsystem_vendor);
  set16(kCfgSubsysId, ids.subsystem);
  set8(kCfgIntPin, ids.interrupt_pin);
  set16(kCfgStatus, kStatusDevselMedium | kStatusFastB2B);
  // Command: I/O, memory, bus master, parity response, SERR#, INTx disable.
  setWritable(kCfgCommand, 1, 0x47);
  setWritable(kCfgCommand + 1, 1, 0x05);
  setWriteOneToClear(kCfgStatus + 1, 1, 0xf9);
  setWritable(kCfgCacheLine, 1);
  setWritable(kCfgLatency, 1);
  setWritable(kCfgIntLine, 1);
}

PciDevice::~PciDevice() = default;

void PciDevice::setWritable(unsigned off, unsigned len, uint8_t mask) {
  for (unsigned i = off; i < off + len && i < kConfigSize; i++) wmask_[i] = mask;
}

void PciDevice::setWriteOneToClear(unsigned off, unsigned len, uint8_t mask) {
  for (unsigned i = off; i < off + len && i < kConfigSize; i++) w1cmask_[i] = mask;
}

void PciDevice::declareBar(int i, BarKind kind, uint32_t size, MmioHandler* h, unsigned max_access) {
  unsigned min_size = kind == BarKind::kIo ? 4 : 16;
  if (i < 0 || i >= kNumBars || size < min_size || (size & (size - 1)) || !h)
    throw std::logic_error(fmt::format("{}: bad BAR {} (size {:#x})", name_, i, size));
  bars_[i] = Bar{kind, size, h, max_access, ~0ull};
  unsigned off = kCfgBar0 + 4 * i;
  uint32_t low_bits = kind == BarKind::kIo ? 0x1 : 0x0;  // I/O space indicator; 32-bit non-prefetchable
  set32(off, low_bits);
  uint32_t mask = ~(size - 1) & (kind == BarKind::kIo ? 0xfffffffcu : 0xfffffff0u);
  for (unsigned b = 0; b < 4; b++) wmask_[off + b] = uint8_t(mask >> (8 * b));
}

uint32_t PciDevice::configRead(unsigned offset, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && offset + i < kConfigSize; i++) v |= uint32_t(config_[offset + i]) << (8 * i);
  return v;
}

void PciDevice::configWrite(unsigned offset, uint32_t value, unsigned size) {
  for (unsigned i = 0; i < size && offset + i < kConfigSize; i++) {
    unsigned o = offset + i;
    uint8_t b = uint8_t(value >> (8 * i));
    config_[o] = uint8_t((config_[o] & ~wmask_[o]) | (b & wmask_[o]));
    config_[o] &= uint8_t(~(b & w1cmask_[o]));
  }
  bool touches_command = offset < kCfgCommand + 2 && offset + size > kCfgCommand;
  bool touches_bars = offset < kCfgBar0 + 4 * kNumBars && offset + size > kCfgBar0;
  if (touches_command || touches_bars) updateMappings();
  if (touches_command) updateIrqOutput();
  configWritten(offset, size);
}

void PciDevice::reset() {
  std::memcpy(config_, defaults_, sizeof config_);
  irq_level_ = false;
  updateMappings();
  updateIrqOutput();
}

void PciDevice::updateMappings() {
  if (!bus_) return;
  for (int i = 0; i < kNumBars; i++) {
    Bar& bar = bars_[i];
    if (!bar.size) continue;
    bool io = bar.kind == BarKind::kIo;
    uint64_t addr = get32(kCfgBar0 + 4 * i) & (io ? ~3u : ~15u);
    uint64_t limit = io ? IoSpace::kSize : (1ull << 32) - 1;
    bool decode = io ? ioEnabled() : memoryEnabled();
    // As QEMU: address 0 and ranges past the space's end do not decode.
    uint64_t want = decode && addr != 0 && addr + bar.size <= limit ? addr : ~0ull;
    if (want == bar.mapped) continue;
    IoSpace& space = io ? bus_->io() : bus_->memory();
    if (bar.mapped != ~0ull) space.remove(uint32_t(bar.mapped), bar.handler);
    bar.mapped = ~0ull;
    if (want == ~0ull) continue;
    try {
      space.add(fmt::format("{} BAR{}", name_, i), uint32_t(want), bar.size, bar.handler, bar.max_access);
      bar.mapped = want;
    } catch (const std::logic_error& e) {
      // The guest programmed overlapping BARs: the real bus would see a
      // conflict; here the later BAR stays unmapped.
      log::logf(log::kGuestErrors, "pci: {} BAR{} at {:#x} not mapped: {}\n", name_, i, want, e.what());
    }
  }
}

void PciDevice::setIrq(bool level) {
  irq_level_ = level;
  updateIrqOutput();
}

void PciDevice::updateIrqOutput() {
  uint16_t status = get16(kCfgStatus);
  set16(kCfgStatus, irq_level_ ? status | kStatusIntx : status & ~kStatusIntx);
  bool out = irq_level_ && !(command() & kCmdIntxDisable);
  if (out == irq_output_) return;
  irq_output_ = out;
  if (bus_ && get8(kCfgIntPin) >= 1 && get8(kCfgIntPin) <= 4) bus_->deviceIrq(this, out);
}

bool PciDevice::dmaRead(uint64_t addr, void* buf, size_t len) {
  if (!bus_ || !busMaster()) {
    log::logf(log::kGuestErrors, "pci: {}: DMA read with bus mastering disabled\n", name_);
    return false;
  }
  return bus_->dmaRead(addr, buf, len);
}

bool PciDevice::dmaWrite(uint64_t addr, const void* buf, size_t len) {
  if (!bus_ || !busMaster()) {
    log::logf(log::kGuestErrors, "pci: {}: DMA write with bus mastering disabled\n", name_);
    return false;
  }
  return bus_->dmaWrite(addr, buf, len);
}

}  // namespace mimic::hw::pci
