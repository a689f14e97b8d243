#include "hw/core/ioport.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw {

void IoSpace::add(std::string name, uint32_t base, uint32_t size, MmioHandler* h, unsigned max_access) {
  if (!h || size == 0 || base >= size_ || size > size_ - base)
    throw std::logic_error(fmt::format("bad I/O port range for '{}': {:#x}+{:#x}", name, base, size));
  if (max_access != 1 && max_access != 2 && max_access != 4)
    throw std::logic_error(fmt::format("bad I/O access size {} for '{}'", max_access, name));
  for (const Device& d : devices_) {
    if (base < d.base + d.size && d.base < base + size)
      throw std::logic_error(fmt::format("I/O ports of '{}' ({:#x}+{:#x}) overlap '{}' ({:#x}+{:#x})", name,
                                         base, size, d.name, d.base, d.size));
  }
  auto pos = std::upper_bound(devices_.begin(), devices_.end(), base,
                              [](uint32_t b, const Device& d) { return b < d.base; });
  devices_.insert(pos, Device{std::move(name), base, size, h, max_access});
}

void IoSpace::remove(uint32_t base, MmioHandler* h) {
  std::erase_if(devices_, [&](const Device& d) { return d.base == base && d.h == h; });
}

const IoSpace::Device* IoSpace::find(uint32_t port) const {
  auto it = std::upper_bound(devices_.begin(), devices_.end(), port,
                             [](uint32_t p, const Device& d) { return p < d.base; });
  if (it == devices_.begin()) return nullptr;
  --it;
  return port - it->base < it->size ? &*it : nullptr;
}

MmioHandler* IoSpace::deviceAt(uint32_t port) const {
  const Device* d = find(port);
  return d ? d->h : nullptr;
}

uint8_t IoSpace::readByte(uint32_t port) {
  if (port >= size_) return 0;
  const Device* d = find(port);
  if (!d) {
    log::logf(log::kGuestErrors, "{}: read from unassigned address {:#06x}\n", name_, port);
    return unassigned_;
  }
  return static_cast<uint8_t>(d->h->read(port - d->base, 1));
}

void IoSpace::writeByte(uint32_t port, uint8_t value) {
  if (port >= size_) return;
  const Device* d = find(port);
  if (!d) {
    log::logf(log::kGuestErrors, "{}: write of {:#04x} to unassigned address {:#06x}\n", name_, value, port);
    return;
  }
  d->h->write(port - d->base, value, 1);
}

uint64_t IoSpace::read(uint32_t port, unsigned size) {
  if (size > 1 && port < size_) {
    const Device* d = find(port);
    if (d && size <= d->max_access && port - d->base + size <= d->size) {
      uint64_t mask = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
      return d->h->read(port - d->base, size) & mask;
    }
  }
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++) v |= static_cast<uint64_t>(readByte(port + i)) << (8 * i);
  return v;
}

void IoSpace::write(uint32_t port, uint64_t value, unsigned size) {
  if (size > 1 && port < size_) {
    const Device* d = find(port);
    if (d && size <= d->max_access && port - d->base + size <= d->size) {
      d->h->write(port - d->base, value, size);
      return;
    }
  }
  for (unsigned i = 0; i < size; i++) writeByte(port + i, static_cast<uint8_t>(value >> (8 * i)));
}

std::string IoSpace::describe(uint64_t window_base) const {
  std::string out;
  for (const Device& d : devices_)
    out += fmt::format("    {:016x}-{:016x} (i/o): {}\n", window_base + d.base, window_base + d.base + d.size - 1,
                       d.name);
  return out;
}

}  // namespace mimic::hw
