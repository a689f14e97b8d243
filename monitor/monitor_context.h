// What the commands of both monitors work on: the machine, a few facts about
// the guest, and where memsave/pmemsave write (tests and the fuzzer replace
// the file system).
#pragma once

#include <cstdio>
#include <functional>
#include <string>

#include "hw/core/machine_control.h"

namespace mimic::monitor {

// Opens `path` for writing; on failure returns nullptr with errno set.
using OpenForWrite = std::function<std::FILE*(const std::string& path)>;

struct MonitorContext {
  hw::MachineControl* control = nullptr;
  // Width of a guest virtual address (x's address column, and where virtual
  // addresses wrap). Every mimic machine is 32-bit today.
  int vaddr_bits = 32;
  OpenForWrite open_file = [](const std::string& path) { return std::fopen(path.c_str(), "wb"); };
};

}  // namespace mimic::monitor
