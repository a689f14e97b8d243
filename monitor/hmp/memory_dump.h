// x and xp: QEMU's /FMT syntax and its memory dump layout, e.g.
//   (qemu) x /4xw 0x80001000
//   80001000: 0x00000001 0x00000002 0x00000003 0x00000004
// Virtual addresses print with the guest's address width (8 digits on a
// 32-bit guest), physical ones with 16 digits, as QEMU 7.2 does.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace mimic::hmp {

// A parsed /FMT: how many units, printed how ('x' hex, 'd' signed, 'u'
// unsigned, 'o' octal, 'c' character, 'i' instructions), of which size
// (1, 2, 4 or 8 bytes).
struct DumpFormat {
  uint64_t count = 1;
  char format = 'x';
  int size = 4;
};

// What x/xp use when the /FMT leaves something out: the last format and
// size given, as in QEMU (a monitor session remembers them).
struct DumpDefaults {
  char format = 'x';
  int size = 4;
};

// Parses an optional "/FMT" at the start of `p` (after spaces): /[count][format][size]
// with format and size letters in any order (b h w g, L = g). Updates
// `defaults` as QEMU does. On error returns false with QEMU's message
// ("invalid char in format: 'z'").
bool parseDumpFormat(std::string_view& p, DumpDefaults& defaults, DumpFormat& out, std::string& err);

// Reads guest memory; false if some byte cannot be read.
using MemoryReader = std::function<bool(uint64_t addr, void* buf, size_t len)>;

struct DumpTarget {
  bool physical = false;
  bool big_endian = false;
  int vaddr_bits = 32;   // virtual addresses wrap and print at this width
};

// The text QEMU's memory_dump prints ("\n" line ends). A line that cannot
// be read prints "ADDR: Cannot access memory" and ends the dump. The
// caller bounds count * size (the text is about 4.5 times larger).
std::string dumpMemory(const DumpFormat& fmt, uint64_t addr, const DumpTarget& target, const MemoryReader& read);

}  // namespace mimic::hmp
