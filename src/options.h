// mimic's command line: QEMU's option names with a single dash (-kernel,
// -M, -m ...), a double dash accepted too, parsed with CLI11.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw/core/machine.h"

namespace mimic::cli {

struct Options {
  hw::MachineOptions machine;
  std::string log_items;          // -d
  std::string log_file;           // -D
  bool help = false;              // -h, -help
  bool version = false;           // -version
  bool list_machines = false;     // -M help
  bool list_cpus = false;         // -cpu help
  bool list_log_items = false;    // -d help
  // Control channels, as written: -monitor DEV and -qmp DEV (repeatable;
  // e.g. "stdio", "unix:PATH,server,nowait", "tcp:HOST:PORT,server,nowait"),
  // -gdb DEV ("tcp::1234", "tcp:HOST:PORT", "unix:PATH"; -s is tcp::1234).
  std::vector<std::string> monitor;
  std::vector<std::string> qmp;
  std::string gdb;
};

// Parses the arguments after argv[0]. On error returns false and sets err
// to one line without the "mimic: error: " prefix.
bool parseOptions(const std::vector<std::string>& args, Options& out, std::string& err);

// QEMU's -m syntax: "256" (MiB), "256M", "1G", "512k", "1.5G", "size=256M".
bool parseMemSize(const std::string& text, uint64_t& bytes, std::string& err);

std::string helpText();

}  // namespace mimic::cli
