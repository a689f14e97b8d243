// -monitor and -qmp: every channel the command line asks for, served on
// threads of their own while the guest runs.
//
// In main: start them after the machine exists and before it runs; stop
// them (destroy the Monitors) after run() returned, before the machine goes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hw/core/machine.h"
#include "monitor/monitor_context.h"

namespace mimic::monitor {

class Channel;
class Monitors;

// Parses every -monitor and -qmp argument, checks stdio is not taken (by
// the serial console or by another channel), listens on the sockets and
// starts serving. Channels in `wait` mode block here until their first
// client connects. On error returns nullptr and sets err to one line
// without the "mimic: error: " prefix; nothing is left open then.
// `context` (tests) overrides how commands reach files.
std::unique_ptr<Monitors> startMonitors(const std::vector<std::string>& monitor, const std::vector<std::string>& qmp,
                                        const hw::MachineOptions& machine, hw::MachineControl& control,
                                        std::string& err, const MonitorContext* context = nullptr);

class Monitors {
 public:
  ~Monitors();
  // Stops every channel: threads end, clients are disconnected, socket
  // files removed. Idempotent.
  void stop();
  // The TCP ports bound, in channel order (for tests that ask for port 0).
  std::vector<int> ports() const;

 private:
  friend std::unique_ptr<Monitors> startMonitors(const std::vector<std::string>&, const std::vector<std::string>&,
                                                 const hw::MachineOptions&, hw::MachineControl&, std::string&,
                                                 const MonitorContext*);
  Monitors() = default;
  MonitorContext ctx_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<int> listener_ids_;
};

}  // namespace mimic::monitor
