// memsave / pmemsave, shared by HMP and QMP: guest memory into a file.
#pragma once

#include <cstdint>
#include <string>

#include "monitor/monitor_context.h"

namespace mimic::monitor {

// Saves `size` bytes of guest memory from `addr` (virtual through the CPU's
// current mapping, or physical) to `path`. On error returns false and sets
// err to QEMU's wording ("Could not open '...': ...", "Invalid addr
// 0x.../size N specified"); the partly written file stays, as in QEMU.
bool saveMemory(const MonitorContext& ctx, int64_t addr, int64_t size, bool physical, const std::string& path,
                std::string& err);

}  // namespace mimic::monitor
