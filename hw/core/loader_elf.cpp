#include "hw/core/loader_elf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace mimic::hw {

namespace {

// ELF constants (System V ABI).
constexpr uint8_t kElfClass32 = 1, kElfClass64 = 2;
constexpr uint8_t kElfData2Lsb = 1, kElfData2Msb = 2;
constexpr uint16_t kEtRel = 1, kEtExec = 2, kEtDyn = 3, kEtCore = 4;
constexpr uint32_t kPtLoad = 1;
constexpr size_t kEhdrSize = 52, kPhdrSize = 32;

class Reader {
 public:
  Reader(const uint8_t* d, bool be) : d_(d), be_(be) {}
  uint16_t u16(size_t off) const {
    return be_ ? static_cast<uint16_t>(d_[off] << 8 | d_[off + 1])
               : static_cast<uint16_t>(d_[off + 1] << 8 | d_[off]);
  }
  uint32_t u32(size_t off) const {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = (v << 8) | d_[off + (be_ ? i : 3 - i)];
    return v;
  }

 private:
  const uint8_t* d_;
  bool be_;
};

const char* machineName(uint16_t m) {
  switch (m) {
    case 2: return "SPARC";
    case 3: return "x86 (i386)";
    case 8: return "MIPS";
    case 10: return "MIPS RS3000 little-endian";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "S/390";
    case 40: return "ARM";
    case 42: return "SuperH";
    case 50: return "IA-64";
    case 62: return "x86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 258: return "LoongArch";
    default: return nullptr;
  }
}

std::string describeMachine(uint16_t m) {
  const char* n = machineName(m);
  return n ? fmt::format("{} (e_machine {})", n, m) : fmt::format("e_machine {}", m);
}

}  // namespace

bool loadElf(const uint8_t* data, size_t size, AddressSpace* as, const ElfLoadOptions& opt, ElfImage& out,
             std::string& err) {
  out = ElfImage();
  if (size < 4 || std::memcmp(data, "\x7f" "ELF", 4) != 0) {
    err = "not an ELF file";
    return false;
  }
  if (size < 16) {
    err = fmt::format("truncated ELF file ({} bytes)", size);
    return false;
  }
  uint8_t cls = data[4], enc = data[5];
  if (cls == kElfClass64) {
    err = "64-bit ELF (ELFCLASS64): only 32-bit programs are supported on this machine";
    return false;
  }
  if (cls != kElfClass32) {
    err = fmt::format("bad ELF class {}", cls);
    return false;
  }
  if (enc != kElfData2Lsb && enc != kElfData2Msb) {
    err = fmt::format("bad ELF data encoding {}", enc);
    return false;
  }
  bool be = enc == kElfData2Msb;
  if (size < kEhdrSize) {
    err = fmt::format("truncated ELF file ({} bytes, the ELF header needs {})", size, kEhdrSize);
    return false;
  }
  Reader r(data, be);
  uint16_t type = r.u16(16), machine = r.u16(18);
  if (machine != opt.machine) {
    err = fmt::format("ELF for {}, not {}", describeMachine(machine), describeMachine(opt.machine));
    return false;
  }
  if (type == kEtRel) {
    err = "relocatable object file (ET_REL), not a linked executable";
    return false;
  }
  if (type == kEtCore) {
    err = "core dump (ET_CORE), not an executable";
    return false;
  }
  if (type != kEtExec && type != kEtDyn) {
    err = fmt::format("unknown ELF file type {}", type);
    return false;
  }
  if (opt.force_big_endian && *opt.force_big_endian != be) {
    err = fmt::format("the ELF file is {}-endian but {}-endian was forced", be ? "big" : "little",
                      be ? "little" : "big");
    return false;
  }
  uint32_t entry = r.u32(24), phoff = r.u32(28);
  uint16_t phentsize = r.u16(42), phnum = r.u16(44);
  if (phnum == 0) {
    err = "no program headers: nothing to load";
    return false;
  }
  if (phnum == 0xffff) {
    err = "too many program headers (extended numbering is not supported)";
    return false;
  }
  if (phentsize != kPhdrSize) {
    err = fmt::format("bad program header size {} (ELF32 uses {})", phentsize, kPhdrSize);
    return false;
  }
  uint64_t ph_end = static_cast<uint64_t>(phoff) + static_cast<uint64_t>(phnum) * kPhdrSize;
  if (ph_end > size) {
    err = fmt::format("truncated ELF file: program headers end at byte {:#x}, the file has {:#x}", ph_end, size);
    return false;
  }

  struct Load {
    unsigned index;
    ElfSegment seg;
    uint32_t offset;
  };
  std::vector<Load> loads;
  for (unsigned i = 0; i < phnum; i++) {
    size_t ph = phoff + static_cast<size_t>(i) * kPhdrSize;
    if (r.u32(ph) != kPtLoad) continue;
    uint32_t offset = r.u32(ph + 4), vaddr = r.u32(ph + 8), paddr = r.u32(ph + 12);
    uint32_t filesz = r.u32(ph + 16), memsz = r.u32(ph + 20), flags = r.u32(ph + 24);
    if (filesz > memsz) {
      err = fmt::format("segment {}: file size {:#x} is larger than its memory size {:#x}", i, filesz, memsz);
      return false;
    }
    if (static_cast<uint64_t>(offset) + filesz > size) {
      err = fmt::format("truncated ELF file: segment {} data ends at byte {:#x}, the file has {:#x}", i,
                        static_cast<uint64_t>(offset) + filesz, size);
      return false;
    }
    if (memsz == 0) continue;
    uint64_t phys = opt.to_phys ? opt.to_phys(paddr) : paddr;
    loads.push_back({i, ElfSegment{vaddr, phys, filesz, memsz, flags}, offset});
  }
  if (loads.empty()) {
    err = "no loadable (PT_LOAD) segment";
    return false;
  }
  uint64_t ram_end = opt.ram_base + opt.ram_size;
  for (const Load& l : loads) {
    uint64_t start = l.seg.paddr, end = l.seg.paddr + l.seg.memsz;
    if (start < opt.ram_base || end > ram_end) {
      err = fmt::format("segment {} (physical {:#x}-{:#x}, linked at {:#x}) is outside RAM ({:#x}-{:#x})", l.index,
                        start, end - 1, l.seg.vaddr, opt.ram_base, ram_end - 1);
      return false;
    }
  }
  for (size_t a = 0; a < loads.size(); a++) {
    for (size_t b = a + 1; b < loads.size(); b++) {
      const ElfSegment &x = loads[a].seg, &y = loads[b].seg;
      if (x.paddr < y.paddr + y.memsz && y.paddr < x.paddr + x.memsz) {
        err = fmt::format("segments {} and {} overlap in physical memory ({:#x}-{:#x} and {:#x}-{:#x})",
                          loads[a].index, loads[b].index, x.paddr, x.paddr + x.memsz - 1, y.paddr,
                          y.paddr + y.memsz - 1);
        return false;
      }
    }
  }

  if (as) {
    static const uint8_t kZeros[4096] = {};
    for (const Load& l : loads) {
      bool ok = as->copyTo(l.seg.paddr, data + l.offset, l.seg.filesz);
      for (uint64_t done = l.seg.filesz; ok && done < l.seg.memsz;) {
        uint64_t n = std::min<uint64_t>(sizeof kZeros, l.seg.memsz - done);
        ok = as->copyTo(l.seg.paddr + done, kZeros, n);
        done += n;
      }
      if (!ok) {
        err = fmt::format("segment {} (physical {:#x}-{:#x}) is not in RAM", l.index, l.seg.paddr,
                          l.seg.paddr + l.seg.memsz - 1);
        return false;
      }
    }
  }

  out.entry = entry;
  out.big_endian = be;
  out.low = ~0ull;
  for (const Load& l : loads) {
    out.segments.push_back(l.seg);
    out.low = std::min(out.low, l.seg.paddr);
    out.high = std::max(out.high, l.seg.paddr + l.seg.memsz);
  }
  return true;
}

bool readFile(const std::string& path, std::vector<uint8_t>& out, std::string& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    err = std::strerror(errno);
    ::close(fd);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    err = "is a directory";
    ::close(fd);
    return false;
  }
  out.clear();
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return true;
}

bool loadElfFile(const std::string& path, AddressSpace* as, const ElfLoadOptions& opt, ElfImage& out,
                 std::string& err) {
  std::vector<uint8_t> data;
  if (!readFile(path, data, err)) return false;
  return loadElf(data.data(), data.size(), as, opt, out, err);
}

}  // namespace mimic::hw
