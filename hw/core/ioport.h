// A PCI/ISA I/O port space (64 KiB of ports) with the devices claiming
// port ranges. A bridge (the GT-64120's PCI I/O window) maps it into the
// CPU's physical address space.
//
// Values are in bus order: the PCI/ISA bus is little-endian, so a 2- or
// 4-byte access holds the lowest port in its low byte. The bridge converts
// to the CPU's byte order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/memory.h"

namespace mimic::hw {

class IoSpace {
 public:
  static constexpr uint32_t kSize = 0x10000;  // the PC's I/O port space

  // A space of `size` addresses (the PCI I/O space: 64 KiB; a PCI memory
  // space: up to 4 GiB - 1). Unclaimed addresses read as bytes of
  // `unassigned_byte`: 0xff on the ISA bus, as a PCI master abort does.
  explicit IoSpace(uint64_t size = kSize, uint8_t unassigned_byte = 0xff, std::string name = "ioport")
      : size_(size), unassigned_(unassigned_byte), name_(std::move(name)) {}

  // Ports [base, base + size) belong to `h`, which sees offsets from base.
  // An access of at most max_access bytes that lies inside the range reaches
  // the device as one access; anything else is split into single bytes (as
  // QEMU does for byte-wide ISA devices). Overlaps throw std::logic_error.
  void add(std::string name, uint32_t base, uint32_t size, MmioHandler* h, unsigned max_access = 1);
  // Removes the range `h` claimed at `base` (a PCI BAR moving); no-op if absent.
  void remove(uint32_t base, MmioHandler* h);

  // Ports nobody claims read as all ones (see above) and ignore writes
  // (logged as guest_errors), as on a PC's ISA bus. Ports beyond the size
  // read as 0.
  uint64_t read(uint32_t port, unsigned size);
  void write(uint32_t port, uint64_t value, unsigned size);

  // The device owning a port, or nullptr.
  MmioHandler* deviceAt(uint32_t port) const;
  // One line per device: "  0000000000000070-0000000000000071 (prio 0, i/o): rtc" style.
  std::string describe(uint64_t window_base) const;

 private:
  struct Device {
    std::string name;
    uint32_t base, size;
    MmioHandler* h;
    unsigned max_access;
  };
  const Device* find(uint32_t port) const;
  uint8_t readByte(uint32_t port);
  void writeByte(uint32_t port, uint8_t value);

  uint64_t size_;
  uint8_t unassigned_;
  std::string name_;
  std::vector<Device> devices_;  // sorted by base
};

}  // namespace mimic::hw
