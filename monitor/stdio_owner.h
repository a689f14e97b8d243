// Who else reads the terminal: a monitor on stdio cannot share it.
#pragma once

#include <string>

#include "hw/core/machine.h"

namespace mimic::monitor {

// Why the serial console has stdio under these options, or "" if it does
// not. Mirrors the board's defaults (hw/mips/malta.cpp): -nographic puts
// the first serial port on the terminal, and so does having no display
// unless -display none; an explicit -serial stdio always does.
std::string serialStdioReason(const hw::MachineOptions& m);

}  // namespace mimic::monitor
