// perf's JIT symbol map: with -d perfmap, every block of generated code is
// named in /tmp/perf-PID.map, so `perf report` shows guest PCs instead of
// bare addresses in [JIT].
#pragma once

#include <cstddef>
#include <string_view>

namespace mimic::perfmap {

// Appends "ADDR SIZE NAME"; no-op unless -d perfmap. Not thread-safe: call
// from the CPU thread.
void add(const void* code, size_t size, std::string_view name);

}  // namespace mimic::perfmap
