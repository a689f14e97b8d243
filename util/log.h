// Log categories selected with -d and written to -D's file (stderr by default).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace mimic::log {

enum Category : uint32_t {
  kInAsm = 1u << 0,        // guest instructions of each translated block
  kOp = 1u << 1,           // IR of each block after optimization
  kOutAsm = 1u << 2,       // host code of each block
  kExec = 1u << 3,         // every block executed
  kCpu = 1u << 4,          // CPU state before each block
  kInt = 1u << 5,          // exceptions and interrupts
  kGuestErrors = 1u << 6,  // guest did something invalid (bad device access, ...)
  kUnimp = 1u << 7,        // guest used something mimic does not model
  kMmu = 1u << 8,          // TLB fills and faults
  kNoChain = 1u << 9,      // not a log: disables block chaining (like QEMU's nochain)
  kOpRaw = 1u << 10,       // IR before optimization
  kBoard = 1u << 11,       // board events: Malta LED bar / ASCII display, reset requests
  kPerfMap = 1u << 12,     // not a log: /tmp/perf-PID.map for perf (util/perfmap.h)
  kStats = 1u << 13,       // JIT statistics at exit (blocks, regions, compile time, hit rates)
  kHot = 1u << 14,         // hot-tier decisions: region builds, installs, drops
};

extern uint32_t g_mask;
extern std::FILE* g_file;

inline bool enabled(uint32_t c) { return (g_mask & c) != 0; }

// Parses "in_asm,op,..." into a mask; on an unknown name returns false and
// sets `bad` to it.
bool parseCategories(std::string_view list, uint32_t& mask, std::string& bad);
std::string categoryHelp();
bool openLogFile(const std::string& path, std::string& err);

void write(std::string_view text);

template <typename... Args>
void logf(uint32_t cat, fmt::format_string<Args...> f, Args&&... args) {
  if (!enabled(cat)) return;
  write(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace mimic::log
