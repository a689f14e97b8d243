#include "hw/core/machine.h"

#include <fmt/format.h>

#include "hw/mips/malta.h"

namespace mimic::hw {

namespace {

struct MachineType {
  const char* name;
  const char* description;
  std::unique_ptr<Machine> (*create)(const MachineOptions&, std::string&);
};

const MachineType kMachines[] = {
    {"malta", "MIPS Malta Core LV (24Kf, GT-64120, 16550 UARTs)", &mips::createMalta},
};

}  // namespace

std::unique_ptr<Machine> createMachine(const MachineOptions& opts, std::string& err) {
  for (const MachineType& m : kMachines) {
    if (opts.machine == m.name) return m.create(opts, err);
  }
  std::string names;
  for (const MachineType& m : kMachines) names += (names.empty() ? "" : ", ") + std::string(m.name);
  err = fmt::format("unknown machine '{}' (supported: {}; see -M help)", opts.machine, names);
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> machineList() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const MachineType& m : kMachines) out.emplace_back(m.name, m.description);
  return out;
}

}  // namespace mimic::hw
