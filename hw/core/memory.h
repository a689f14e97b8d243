// The physical address space of a machine: RAM/ROM backed by host memory and
// device (MMIO) regions with read/write callbacks, found by address.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mimic::hw {

// A device's register window. Offsets are relative to the region base;
// `size` is 1, 2, 4 or 8 and values are as the CPU sees them (no byte-lane
// swapping by the bus). Accesses outside [minAccess, maxAccess] never reach
// the device: the address space logs them as guest errors.
class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, uint64_t value, unsigned size) = 0;
};

struct Region {
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  uint8_t* host = nullptr;        // RAM or ROM when set
  bool readonly = false;          // ROM: guest writes are ignored and logged
  // RAM backed by a file (a memfd) the host can map again elsewhere:
  // host[0] is byte fd_offset of fd (tcg/fastmem.h maps guest pages
  // from it). -1: anonymous memory.
  int fd = -1;
  uint64_t fd_offset = 0;
  MmioHandler* mmio = nullptr;    // device otherwise
  unsigned min_access = 1;
  unsigned max_access = 8;

  bool isRam() const { return host != nullptr; }
  bool contains(uint64_t a) const { return a >= base && a - base < size; }
};

class AddressSpace {
 public:
  // Regions may not overlap; a later region that overlaps an earlier one is
  // an error in the machine's wiring (throws std::logic_error), as is an
  // empty region, one that wraps around, or a bad access size range.
  // Nothing is returned: regions live in a vector that grows (use find()).
  // Regions are added while the machine is built, before any CPU runs.
  void addRam(std::string name, uint64_t base, uint64_t size, uint8_t* host, bool readonly = false, int fd = -1,
              uint64_t fd_offset = 0);
  void addMmio(std::string name, uint64_t base, uint64_t size, MmioHandler* h,
               unsigned min_access = 1, unsigned max_access = 8);

  const Region* find(uint64_t paddr) const;
  const std::vector<Region>& regions() const { return regions_; }

  // Accesses by the CPU slow path. An access to no region, or a device access
  // of a size it does not accept, is logged (guest_errors); `ok` is cleared
  // so the caller can raise a bus error where the board does, and reads
  // return 0. RAM/ROM hold guest bytes in memory order: `big_endian` says
  // how 2/4/8-byte values are assembled from them. An access that straddles
  // two regions is split into bytes. A write to ROM is ignored and logged
  // (not a bus error, as QEMU does).
  uint64_t read(uint64_t paddr, unsigned size, bool big_endian, bool* ok = nullptr);
  void write(uint64_t paddr, uint64_t value, unsigned size, bool big_endian, bool* ok = nullptr);

  // Byte copies for loaders and debuggers: RAM/ROM only; false if any byte
  // is outside RAM/ROM. Writes to ROM succeed (loaders fill ROM).
  bool copyTo(uint64_t paddr, const void* src, uint64_t len);
  bool copyFrom(uint64_t paddr, void* dst, uint64_t len) const;

  // Host pointer for a RAM/ROM physical address, or nullptr.
  uint8_t* hostPtr(uint64_t paddr) const;

 private:
  void addRegion(Region r);

  std::vector<Region> regions_;  // sorted by base
  mutable const Region* last_ = nullptr;
};

// An interrupt line from a device to an interrupt controller or CPU input.
class IrqLine {
 public:
  using Handler = void (*)(void* opaque, int n, bool level);
  IrqLine() = default;
  IrqLine(Handler h, void* opaque, int n) : h_(h), opaque_(opaque), n_(n) {}
  void set(bool level) {
    if (h_) h_(opaque_, n_, level);
  }
  void raise() { set(true); }
  void lower() { set(false); }
  bool connected() const { return h_ != nullptr; }

 private:
  Handler h_ = nullptr;
  void* opaque_ = nullptr;
  int n_ = 0;
};

}  // namespace mimic::hw
