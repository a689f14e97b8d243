#include "monitor/hmp/memory_dump.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "monitor/hmp/hmp_expr.h"

namespace mimic::hmp {

bool parseDumpFormat(std::string_view& p, DumpDefaults& defaults, DumpFormat& out, std::string& err) {
  while (!p.empty() && isMonitorSpace(p.front())) p.remove_prefix(1);
  out = DumpFormat{};
  if (p.empty() || p.front() != '/') {
    // No /FMT: one unit in the remembered format.
    out.count = 1;
    out.format = defaults.format;
    out.size = defaults.format == 'i' ? -1 : defaults.size;
    return true;
  }
  p.remove_prefix(1);
  uint64_t count = 1;
  if (!p.empty() && p.front() >= '0' && p.front() <= '9') {
    count = 0;
    while (!p.empty() && p.front() >= '0' && p.front() <= '9') {
      // Saturate: the caller refuses dumps that large anyway.
      count = count > UINT64_MAX / 10 - 1 ? UINT64_MAX : count * 10 + static_cast<uint64_t>(p.front() - '0');
      p.remove_prefix(1);
    }
  }
  int size = -1;
  int format = -1;
  for (bool more = true; more && !p.empty();) {
    switch (p.front()) {
      case 'o': case 'd': case 'u': case 'x': case 'i': case 'c':
        format = p.front();
        break;
      case 'b': size = 1; break;
      case 'h': size = 2; break;
      case 'w': size = 4; break;
      case 'g': case 'L': size = 8; break;
      default:
        more = false;
        continue;
    }
    p.remove_prefix(1);
  }
  if (!p.empty() && !isMonitorSpace(p.front())) {
    err = fmt::format("invalid char in format: '{}'", p.front());
    return false;
  }
  if (format < 0) format = defaults.format;
  if (format != 'i') {
    // For 'i' a missing size stays unset (the instruction decides); other
    // formats fall back to, and remember, the last size.
    if (size < 0) size = defaults.size;
    defaults.size = size;
  }
  defaults.format = static_cast<char>(format);
  out.count = count;
  out.format = static_cast<char>(format);
  out.size = size;
  while (!p.empty() && isMonitorSpace(p.front())) p.remove_prefix(1);
  return true;
}

namespace {

constexpr uint64_t kReadAhead = 4096;

uint64_t load(const uint8_t* b, int size, bool big_endian) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) {
    int shift = big_endian ? (size - 1 - i) * 8 : i * 8;
    v |= static_cast<uint64_t>(b[i]) << shift;
  }
  return v;
}

// A byte as a C character constant, as QEMU's monitor_printc.
std::string charConstant(uint8_t c) {
  switch (c) {
    case '\'': return "'\\''";
    case '\\': return "'\\\\'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    default:
      if (c >= 32 && c <= 126) return fmt::format("'{}'", static_cast<char>(c));
      return fmt::format("'\\x{:02x}'", c);
  }
}

}  // namespace

std::string dumpMemory(const DumpFormat& f, uint64_t addr, const DumpTarget& target, const MemoryReader& read) {
  const int size = f.size == 1 || f.size == 2 || f.size == 8 ? f.size : 4;
  int wsize = size;  // the unit printed; 'c' narrows it to bytes
  // A line holds 8 bytes of byte units, 16 bytes otherwise (decided before
  // 'c' narrows the unit, as in QEMU).
  const uint64_t line_size = wsize == 1 ? 8 : 16;
  int max_digits = 0;
  switch (f.format) {
    case 'o': max_digits = (wsize * 8 + 2) / 3; break;
    case 'u': case 'd': max_digits = (wsize * 8 * 10 + 32) / 33; break;
    case 'c': wsize = 1; break;
    default: max_digits = wsize * 8 / 4; break;
  }
  const uint64_t vmask = target.vaddr_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << target.vaddr_bits) - 1;
  const int addr_digits = target.physical ? 16 : (target.vaddr_bits + 3) / 4;

  std::string out;
  uint64_t len = f.count * static_cast<uint64_t>(size);
  // Memory is read a page ahead rather than line by line: each read is a
  // trip to the CPU thread. Where a page read fails, lines are read one by
  // one to find the first that cannot be, as QEMU reports it.
  std::vector<uint8_t> ahead;
  uint64_t ahead_addr = 0;
  uint8_t buf[16];
  while (len > 0) {
    uint64_t shown = target.physical ? addr : (addr & vmask);
    out += fmt::format("{:0{}x}:", shown, addr_digits);
    size_t l = static_cast<size_t>(std::min(len, line_size));
    bool cached = !ahead.empty() && shown >= ahead_addr && shown - ahead_addr + l <= ahead.size();
    if (!cached) {
      uint64_t want = std::min<uint64_t>(len, kReadAhead);
      if (!target.physical) want = std::min<uint64_t>(want, vmask - shown + 1);  // not across the wrap
      ahead.resize(static_cast<size_t>(want));
      ahead_addr = shown;
      if (want < l || !read(shown, ahead.data(), ahead.size())) ahead.clear();
      cached = !ahead.empty();
    }
    if (cached) {
      std::copy_n(ahead.data() + (shown - ahead_addr), l, buf);
    } else if (!read(shown, buf, l)) {
      out += " Cannot access memory\n";
      break;
    }
    for (size_t i = 0; i < l; i += static_cast<size_t>(wsize)) {
      // A last unit cut short by the line reads what is there, zero-padded.
      uint8_t unit[8] = {};
      std::copy(buf + i, buf + std::min(l, i + static_cast<size_t>(wsize)), unit);
      uint64_t v = load(unit, wsize, target.big_endian);
      out += ' ';
      switch (f.format) {
        case 'o': out += v == 0 ? fmt::format("{:>{}}", "0", max_digits) : fmt::format("{:#{}o}", v, max_digits); break;
        case 'u': out += fmt::format("{:{}}", v, max_digits); break;
        case 'd': out += fmt::format("{:{}}", static_cast<int64_t>(v), max_digits); break;
        case 'c': out += charConstant(static_cast<uint8_t>(v)); break;
        default: out += fmt::format("0x{:0{}x}", v, max_digits); break;
      }
    }
    out += '\n';
    addr += l;
    len -= l;
  }
  return out;
}

}  // namespace mimic::hmp
