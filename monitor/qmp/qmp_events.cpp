#include "monitor/qmp/qmp_events.h"

namespace mimic::qmp {

namespace {

using Kind = hw::MachineEvent::Kind;

// QEMU's ShutdownCause for RESET/SHUTDOWN. The machine may name one (a
// signal is "host-signal"); otherwise a guest request is the guest's, and a
// host one came through the monitor (system_reset, quit).
std::string reason(const hw::MachineEvent& e) {
  if (!e.reason.empty()) return e.reason;
  if (e.kind == Kind::Reset) return e.guest ? "guest-reset" : "host-qmp-system-reset";
  return e.guest ? "guest-shutdown" : "host-qmp-quit";
}

const char* name(Kind k) {
  switch (k) {
    case Kind::Stop: return "STOP";
    case Kind::Resume: return "RESUME";
    case Kind::Reset: return "RESET";
    case Kind::Shutdown: return "SHUTDOWN";
    case Kind::Powerdown: return "POWERDOWN";
  }
  return "UNKNOWN";
}

}  // namespace

Json eventMessage(const monitor::TimedEvent& ev) {
  Json msg = Json::object();
  msg["timestamp"] = Json{{"seconds", ev.seconds}, {"microseconds", ev.microseconds}};
  msg["event"] = name(ev.event.kind);
  if (ev.event.kind == Kind::Reset || ev.event.kind == Kind::Shutdown)
    msg["data"] = Json{{"guest", ev.event.guest}, {"reason", reason(ev.event)}};
  return msg;
}

}  // namespace mimic::qmp
