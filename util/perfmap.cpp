#include "util/perfmap.h"

#include <unistd.h>

#include <cstdio>

#include "util/log.h"

namespace mimic::perfmap {

void add(const void* code, size_t size, std::string_view name) {
  if (!log::enabled(log::kPerfMap) || !code || !size) return;
  static std::FILE* file = [] {
    std::FILE* f = std::fopen(fmt::format("/tmp/perf-{}.map", getpid()).c_str(), "w");
    if (!f) log::write("mimic: -d perfmap: cannot write /tmp/perf-PID.map\n");
    return f;
  }();
  if (!file) return;
  fmt::print(file, "{:x} {:x} {}\n", reinterpret_cast<uintptr_t>(code), size, name);
  std::fflush(file);   // perf reads it while we run or after a kill
}

}  // namespace mimic::perfmap
