#include "hw/core/memory.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw {

namespace {

bool validSize(unsigned size) { return size == 1 || size == 2 || size == 4 || size == 8; }

uint64_t sizeMask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1; }

uint64_t loadBytes(const uint8_t* p, unsigned size, bool big_endian) {
  uint64_t v = 0;
  if (big_endian) {
    for (unsigned i = 0; i < size; i++) v = (v << 8) | p[i];
  } else {
    for (unsigned i = size; i-- > 0;) v = (v << 8) | p[i];
  }
  return v;
}

void storeBytes(uint8_t* p, uint64_t v, unsigned size, bool big_endian) {
  if (big_endian) {
    for (unsigned i = size; i-- > 0;) {
      p[i] = static_cast<uint8_t>(v);
      v >>= 8;
    }
  } else {
    for (unsigned i = 0; i < size; i++) {
      p[i] = static_cast<uint8_t>(v);
      v >>= 8;
    }
  }
}

void setOk(bool* ok, bool v) {
  if (ok) *ok = v;
}

}  // namespace

void AddressSpace::addRegion(Region r) {
  if (r.size == 0) throw std::logic_error(fmt::format("region '{}' is empty", r.name));
  uint64_t last = r.base + (r.size - 1);
  if (last < r.base) throw std::logic_error(fmt::format("region '{}' wraps around the address space", r.name));
  for (const Region& o : regions_) {
    uint64_t olast = o.base + (o.size - 1);
    if (r.base <= olast && o.base <= last) {
      throw std::logic_error(fmt::format("region '{}' [{:#x}, {:#x}] overlaps region '{}' [{:#x}, {:#x}]",
                                         r.name, r.base, last, o.name, o.base, olast));
    }
  }
  auto pos = std::upper_bound(regions_.begin(), regions_.end(), r.base,
                              [](uint64_t b, const Region& x) { return b < x.base; });
  regions_.insert(pos, std::move(r));
  last_ = nullptr;  // the vector may have moved
}

void AddressSpace::addRam(std::string name, uint64_t base, uint64_t size, uint8_t* host, bool readonly, int fd,
                          uint64_t fd_offset) {
  if (!host) throw std::logic_error(fmt::format("RAM region '{}' has no host memory", name));
  Region r;
  r.name = std::move(name);
  r.base = base;
  r.size = size;
  r.host = host;
  r.readonly = readonly;
  r.fd = fd;
  r.fd_offset = fd_offset;
  addRegion(std::move(r));
}

void AddressSpace::addMmio(std::string name, uint64_t base, uint64_t size, MmioHandler* h,
                           unsigned min_access, unsigned max_access) {
  if (!h) throw std::logic_error(fmt::format("MMIO region '{}' has no handler", name));
  if (!validSize(min_access) || !validSize(max_access) || min_access > max_access)
    throw std::logic_error(fmt::format("MMIO region '{}' has a bad access size range {}..{}", name,
                                       min_access, max_access));
  Region r;
  r.name = std::move(name);
  r.base = base;
  r.size = size;
  r.mmio = h;
  r.min_access = min_access;
  r.max_access = max_access;
  addRegion(std::move(r));
}

const Region* AddressSpace::find(uint64_t paddr) const {
  if (last_ && last_->contains(paddr)) return last_;
  auto it = std::upper_bound(regions_.begin(), regions_.end(), paddr,
                             [](uint64_t a, const Region& x) { return a < x.base; });
  if (it == regions_.begin()) return nullptr;
  --it;
  if (!it->contains(paddr)) return nullptr;
  last_ = &*it;
  return last_;
}

uint64_t AddressSpace::read(uint64_t paddr, unsigned size, bool big_endian, bool* ok) {
  if (!validSize(size)) {
    log::logf(log::kGuestErrors, "Invalid access at addr {:#x}: size {} is not 1, 2, 4 or 8\n", paddr, size);
    setOk(ok, false);
    return 0;
  }
  const Region* r = find(paddr);
  if (!r) {
    log::logf(log::kGuestErrors, "Unassigned memory read at addr {:#x}, size {}\n", paddr, size);
    setOk(ok, false);
    return 0;
  }
  uint64_t off = paddr - r->base;
  if (size > r->size - off) {
    // Straddles the end of the region: byte by byte, each byte from its own region.
    uint8_t bytes[8];
    bool all_ok = true;
    for (unsigned i = 0; i < size; i++) {
      bool bok = true;
      bytes[i] = static_cast<uint8_t>(read(paddr + i, 1, big_endian, &bok));
      all_ok = all_ok && bok;
    }
    setOk(ok, all_ok);
    return loadBytes(bytes, size, big_endian);
  }
  if (r->isRam()) {
    setOk(ok, true);
    return loadBytes(r->host + off, size, big_endian);
  }
  if (size < r->min_access || size > r->max_access) {
    log::logf(log::kGuestErrors,
              "Invalid access at addr {:#x}, size {}, region '{}', reason: rejected "
              "(accepts sizes {}..{})\n",
              paddr, size, r->name, r->min_access, r->max_access);
    setOk(ok, false);
    return 0;
  }
  setOk(ok, true);
  return r->mmio->read(off, size) & sizeMask(size);
}

void AddressSpace::write(uint64_t paddr, uint64_t value, unsigned size, bool big_endian, bool* ok) {
  if (!validSize(size)) {
    log::logf(log::kGuestErrors, "Invalid access at addr {:#x}: size {} is not 1, 2, 4 or 8\n", paddr, size);
    setOk(ok, false);
    return;
  }
  value &= sizeMask(size);
  const Region* r = find(paddr);
  if (!r) {
    log::logf(log::kGuestErrors, "Unassigned memory write at addr {:#x}, size {}, value {:#x}\n", paddr,
              size, value);
    setOk(ok, false);
    return;
  }
  uint64_t off = paddr - r->base;
  if (size > r->size - off) {
    uint8_t bytes[8];
    storeBytes(bytes, value, size, big_endian);
    bool all_ok = true;
    for (unsigned i = 0; i < size; i++) {
      bool bok = true;
      write(paddr + i, bytes[i], 1, big_endian, &bok);
      all_ok = all_ok && bok;
    }
    setOk(ok, all_ok);
    return;
  }
  if (r->isRam()) {
    setOk(ok, true);
    if (r->readonly) {
      log::logf(log::kGuestErrors, "Write to ROM '{}' at addr {:#x}, size {}, value {:#x}: ignored\n",
                r->name, paddr, size, value);
      return;
    }
    storeBytes(r->host + off, value, size, big_endian);
    return;
  }
  if (size < r->min_access || size > r->max_access) {
    log::logf(log::kGuestErrors,
              "Invalid access at addr {:#x}, size {}, region '{}', reason: rejected "
              "(accepts sizes {}..{})\n",
              paddr, size, r->name, r->min_access, r->max_access);
    setOk(ok, false);
    return;
  }
  setOk(ok, true);
  r->mmio->write(off, value, size);
}

bool AddressSpace::copyTo(uint64_t paddr, const void* src, uint64_t len) {
  // Check everything first so a failed copy writes nothing.
  for (uint64_t done = 0; done < len;) {
    const Region* r = find(paddr + done);
    if (!r || !r->isRam()) return false;
    uint64_t off = paddr + done - r->base;
    done += std::min(len - done, r->size - off);
  }
  const uint8_t* s = static_cast<const uint8_t*>(src);
  for (uint64_t done = 0; done < len;) {
    const Region* r = find(paddr + done);
    uint64_t off = paddr + done - r->base;
    uint64_t n = std::min(len - done, r->size - off);
    std::memcpy(r->host + off, s + done, n);
    done += n;
  }
  return true;
}

bool AddressSpace::copyFrom(uint64_t paddr, void* dst, uint64_t len) const {
  for (uint64_t done = 0; done < len;) {
    const Region* r = find(paddr + done);
    if (!r || !r->isRam()) return false;
    uint64_t off = paddr + done - r->base;
    done += std::min(len - done, r->size - off);
  }
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (uint64_t done = 0; done < len;) {
    const Region* r = find(paddr + done);
    uint64_t off = paddr + done - r->base;
    uint64_t n = std::min(len - done, r->size - off);
    std::memcpy(d + done, r->host + off, n);
    done += n;
  }
  return true;
}

uint8_t* AddressSpace::hostPtr(uint64_t paddr) const {
  const Region* r = find(paddr);
  if (!r || !r->isRam()) return nullptr;
  return r->host + (paddr - r->base);
}

}  // namespace mimic::hw
