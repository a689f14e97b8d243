#include "util/log.h"

#include <cerrno>
#include <cstring>

namespace mimic::log {

uint32_t g_mask = 0;
std::FILE* g_file = nullptr;

namespace {
struct Name {
  const char* name;
  uint32_t bit;
  const char* help;
};
constexpr Name kNames[] = {
    {"in_asm", kInAsm, "show guest instructions of each translated block"},
    {"op", kOp, "show the IR of each block after optimization"},
    {"op_opt", kOp, "the same as op"},
    {"op_raw", kOpRaw, "show the IR of each block before optimization"},
    {"out_asm", kOutAsm, "show the host code generated for each block"},
    {"exec", kExec, "show every block executed"},
    {"cpu", kCpu, "show CPU registers before each executed block"},
    {"int", kInt, "show exceptions and interrupts"},
    {"guest_errors", kGuestErrors, "log invalid guest actions (bad device or memory access)"},
    {"unimp", kUnimp, "log guest use of unimplemented features"},
    {"mmu", kMmu, "log TLB fills and MMU faults"},
    {"nochain", kNoChain, "do not chain translated blocks"},
    {"perfmap", kPerfMap, "write /tmp/perf-PID.map naming generated code for perf (like QEMU's -perfmap)"},
    {"stats", kStats, "print JIT statistics at exit (translations, hot regions, compile time, hit rates)"},
    {"hot", kHot, "log the hot tier's decisions (region builds with their blocks, installs, drops)"},
    {"board", kBoard, "log board events (Malta LED bar and ASCII display, reset requests)"},
};
}  // namespace

bool parseCategories(std::string_view list, uint32_t& mask, std::string& bad) {
  mask = 0;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    bool found = false;
    for (const Name& n : kNames) {
      if (item == n.name) {
        mask |= n.bit;
        found = true;
      }
    }
    if (!found) {
      bad = std::string(item);
      return false;
    }
  }
  return true;
}

std::string categoryHelp() {
  std::string out;
  for (const Name& n : kNames) out += fmt::format("{:<14} {}\n", n.name, n.help);
  return out;
}

bool openLogFile(const std::string& path, std::string& err) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) {
    err = fmt::format("cannot open log file '{}': {}", path, std::strerror(errno));
    return false;
  }
  g_file = f;
  return true;
}

void write(std::string_view text) {
  std::FILE* f = g_file ? g_file : stderr;
  std::fwrite(text.data(), 1, text.size(), f);
  std::fflush(f);
}

}  // namespace mimic::log
