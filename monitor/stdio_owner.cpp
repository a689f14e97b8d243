#include "monitor/stdio_owner.h"

namespace mimic::monitor {

std::string serialStdioReason(const hw::MachineOptions& m) {
  for (const std::string& s : m.serial)
    if (s == "stdio" || s == "mon:stdio") return "-serial " + s;
  if (!m.serial.empty()) return "";
  if (m.nographic) return "-nographic";
  if (m.display != "none") return "the serial console (there is no display; add -display none or -serial null)";
  return "";
}

}  // namespace mimic::monitor
