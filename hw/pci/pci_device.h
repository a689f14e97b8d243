// A PCI function: its 256-byte configuration space (type 0 header), base
// address registers that map the function's register windows into the
// bus's I/O or memory space, its INTx interrupt pin, and bus-master DMA.
//
// Device models derive from PciDevice, describe themselves with Ids, declare
// their BARs in the constructor and keep their register logic in the
// MmioHandlers they give declareBar(). Values on the PCI bus are
// little-endian: a 2- or 4-byte access holds the lowest address in its low
// byte; the host bridge converts to the CPU's byte order.
//
// Threads: everything runs on the CPU thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/core/memory.h"

namespace mimic::hw::pci {

class PciBus;

enum class BarKind { kIo, kMem32 };

// Standard configuration register offsets (PCI Local Bus 3.0, 6.1).
enum : unsigned {
  kCfgVendorId = 0x00, kCfgDeviceId = 0x02, kCfgCommand = 0x04, kCfgStatus = 0x06,
  kCfgRevision = 0x08, kCfgClassProg = 0x09, kCfgCacheLine = 0x0c, kCfgLatency = 0x0d,
  kCfgHeaderType = 0x0e, kCfgBar0 = 0x10, kCfgSubsysVendor = 0x2c, kCfgSubsysId = 0x2e,
  kCfgRomBase = 0x30, kCfgCapPtr = 0x34, kCfgIntLine = 0x3c, kCfgIntPin = 0x3d,
  kCfgMinGnt = 0x3e, kCfgMaxLat = 0x3f,
};
enum : uint16_t {
  kCmdIo = 1 << 0, kCmdMemory = 1 << 1, kCmdBusMaster = 1 << 2, kCmdSerr = 1 << 8,
  kCmdIntxDisable = 1 << 10,
};
enum : uint16_t {
  kStatusIntx = 1 << 3, kStatusFastB2B = 1 << 7, kStatusDevselMedium = 1 << 9,
  kStatusSigTargetAbort = 1 << 11, kStatusRcvTargetAbort = 1 << 12, kStatusRcvMasterAbort = 1 << 13,
  kStatusSigSystemError = 1 << 14, kStatusParityError = 1 << 15,
};

struct PciIds {
  uint16_t vendor = 0, device = 0;
  uint8_t revision = 0;
  uint32_t class_code = 0;   // base class << 16 | subclass << 8 | programming interface
  uint16_t subsystem_vendor = 0, subsystem = 0;
  bool multifunction = false;  // header type bit 7 (set on function 0 of a multi-function device)
  uint8_t interrupt_pin = 0;   // 0: none, 1..4: INTA#..INTD#
};

class PciDevice {
 public:
  static constexpr unsigned kConfigSize = 256;
  static constexpr int kNumBars = 6;

  PciDevice(std::string name, const PciIds& ids);
  virtual ~PciDevice();
  PciDevice(const PciDevice&) = delete;
  PciDevice& operator=(const PciDevice&) = delete;

  const std::string& name() const { return name_; }
  int devfn() const { return devfn_; }   // -1 until attached to a bus
  PciBus* bus() const { return bus_; }

  // Configuration cycles from the host bridge. `offset` < 256 and aligned to
  // `size` (1, 2 or 4); the bus guarantees both. Writes honour the write
  // masks: read-only bits keep their value, write-one-to-clear status bits
  // clear. Derived classes with device-specific registers override
  // configWritten() (or these, calling the base).
  virtual uint32_t configRead(unsigned offset, unsigned size);
  virtual void configWrite(unsigned offset, uint32_t value, unsigned size);

  // Power-on reset: configuration space back to its defaults, BARs unmapped,
  // interrupt lowered. Derived classes reset their own state and call this.
  virtual void reset();

  // The address BAR `i` is mapped at, or ~0 when unmapped (decoding disabled
  // in the command register, or the BAR not programmed).
  uint64_t barAddress(int i) const { return bars_[i].mapped; }
  uint32_t barSize(int i) const { return bars_[i].size; }

  bool ioEnabled() const { return command() & kCmdIo; }
  bool memoryEnabled() const { return command() & kCmdMemory; }
  bool busMaster() const { return command() & kCmdBusMaster; }
  uint16_t command() const { return get16(kCfgCommand); }
  bool irqLevel() const { return irq_level_; }

 protected:
  // BAR `i` of `size` bytes (a power of two: >= 4 for I/O, >= 16 for
  // memory). `h` sees offsets from the BAR's base; accesses wider than
  // `max_access` bytes reach it as single bytes.
  void declareBar(int i, BarKind kind, uint32_t size, MmioHandler* h, unsigned max_access = 4);

  // Raw configuration bytes (little-endian) and the masks writes go through.
  uint8_t* config() { return config_; }
  const uint8_t* config() const { return config_; }
  uint8_t get8(unsigned off) const { return config_[off]; }
  uint16_t get16(unsigned off) const { return uint16_t(config_[off] | config_[off + 1] << 8); }
  uint32_t get32(unsigned off) const { return uint32_t(get16(off)) | uint32_t(get16(off + 2)) << 16; }
  void set8(unsigned off, uint8_t v) { config_[off] = v; }
  void set16(unsigned off, uint16_t v) { set8(off, uint8_t(v)); set8(off + 1, uint8_t(v >> 8)); }
  void set32(unsigned off, uint32_t v) { set16(off, uint16_t(v)); set16(off + 2, uint16_t(v >> 16)); }
  // Marks bits of bytes [off, off+len) guest-writable (`mask` per byte) or
  // write-one-to-clear. Call from constructors. The configuration bytes as
  // the constructor leaves them are the power-on defaults reset() restores
  // (captured when the device is attached to a bus).
  void setWritable(unsigned off, unsigned len, uint8_t mask = 0xff);
  void setWriteOneToClear(unsigned off, unsigned len, uint8_t mask = 0xff);

  // Called after a guest configuration write changed bytes [offset,
  // offset+size), after BAR and command handling.
  virtual void configWritten(unsigned offset, unsigned size) {}

  // Drives the function's INTx# pin (ignored while the command register's
  // INTx disable bit is set; the status register's interrupt bit follows).
  void setIrq(bool level);

  // Bus-master DMA to and from guest physical memory. False (and nothing
  // transferred, logged as a guest error) when bus mastering is disabled or
  // any byte is outside RAM; the device then reports the error its way.
  bool dmaRead(uint64_t addr, void* buf, size_t len);
  bool dmaWrite(uint64_t addr, const void* buf, size_t len);

 private:
  friend class PciBus;
  struct Bar {
    BarKind kind = BarKind::kIo;
    uint32_t size = 0;               // 0: not implemented
    MmioHandler* handler = nullptr;
    unsigned max_access = 4;
    uint64_t mapped = ~0ull;
  };
  void updateMappings();
  void updateIrqOutput();

  std::string name_;
  PciBus* bus_ = nullptr;
  int devfn_ = -1;
  uint8_t config_[kConfigSize] = {};
  uint8_t defaults_[kConfigSize] = {};
  uint8_t wmask_[kConfigSize] = {};
  uint8_t w1cmask_[kConfigSize] = {};
  Bar bars_[kNumBars];
  bool irq_level_ = false;     // the device's wish
  bool irq_output_ = false;    // what the bus last saw
};

}  // namespace mimic::hw::pci
