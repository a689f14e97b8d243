// ELF32 loader for guest programs and kernels (-kernel): both byte orders,
// PT_LOAD segments copied to physical memory, bss zero-filled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hw/core/memory.h"

namespace mimic::hw {

constexpr uint16_t kEmMips = 8;

struct ElfLoadOptions {
  uint16_t machine = kEmMips;           // the only e_machine accepted
  std::optional<bool> force_big_endian;  // set: an ELF of the other byte order is refused
  // Physical address of a segment from its p_paddr (identity if unset).
  std::function<uint64_t(uint64_t)> to_phys;
  // Every segment must lie in [ram_base, ram_base + ram_size).
  uint64_t ram_base = 0;
  uint64_t ram_size = 0;
};

struct ElfSegment {
  uint64_t vaddr, paddr;   // paddr after to_phys
  uint64_t filesz, memsz;
  uint32_t flags;          // PF_X 1, PF_W 2, PF_R 4
};

struct ElfImage {
  uint64_t entry = 0;      // e_entry, as linked (virtual)
  bool big_endian = false;
  uint64_t low = 0;        // lowest physical address loaded
  uint64_t high = 0;       // end (exclusive) of the highest segment, bss included
  std::vector<ElfSegment> segments;  // PT_LOAD segments with a nonzero memory size
};

// Validates `data` as an ELF32 executable for opt.machine and, if `as` is
// not null, loads it. Nothing is written unless every check passed. On
// failure returns false and sets `err` to one line (no trailing newline)
// such as "not an ELF file" or "segment 1 (physical 0x8000000-0x8000fff)
// is outside RAM (0x0-0x7ffffff)".
bool loadElf(const uint8_t* data, size_t size, AddressSpace* as, const ElfLoadOptions& opt, ElfImage& out,
             std::string& err);

// The same from a file; an unreadable file gives err = strerror's text
// (e.g. "No such file or directory").
bool loadElfFile(const std::string& path, AddressSpace* as, const ElfLoadOptions& opt, ElfImage& out,
                 std::string& err);

// Reads a whole file (for -initrd and friends). On failure returns false and
// sets err to the reason.
bool readFile(const std::string& path, std::vector<uint8_t>& out, std::string& err);

}  // namespace mimic::hw
