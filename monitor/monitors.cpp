#include "monitor/monitors.h"

#include <fmt/format.h>

#include "monitor/channel.h"
#include "monitor/channel_spec.h"
#include "monitor/hmp/hmp_session.h"
#include "monitor/qmp/qmp_session.h"
#include "monitor/stdio_owner.h"

namespace mimic::monitor {

namespace {

// One -monitor or -qmp argument, parsed.
struct Wanted {
  std::string option;  // "-monitor" or "-qmp"
  bool qmp = false;
  ChannelSpec spec;
};

bool parseAll(const std::vector<std::string>& monitor, const std::vector<std::string>& qmp, std::vector<Wanted>& out,
              std::string& err) {
  auto add = [&](const char* option, bool is_qmp, const std::string& text) {
    Wanted w{option, is_qmp, {}};
    if (!parseChannelSpec(option, text, w.spec, err)) return false;
    out.push_back(std::move(w));
    return true;
  };
  for (const std::string& s : monitor)
    if (!add("-monitor", false, s)) return false;
  for (const std::string& s : qmp)
    if (!add("-qmp", true, s)) return false;
  return true;
}

// The terminal has one reader: the serial console or one monitor.
bool checkStdio(const std::vector<Wanted>& wanted, const hw::MachineOptions& machine, std::string& err) {
  const std::string serial = serialStdioReason(machine);
  std::string taken_by;
  for (const Wanted& w : wanted) {
    if (w.spec.kind != ChannelSpec::Kind::Stdio) continue;
    std::string me = w.option + " stdio";
    if (serial == "-nographic") {
      err = fmt::format("{}: with -nographic the terminal is the serial console; sharing it with the monitor "
                        "(QEMU's Ctrl-A c) is not supported: use a socket ({} unix:PATH,server,nowait) or -serial null",
                        me, w.option);
      return false;
    }
    if (!serial.empty() || !taken_by.empty()) {
      err = fmt::format("{}: stdio is already used by {}", me, serial.empty() ? taken_by : serial);
      return false;
    }
    taken_by = me;
  }
  return true;
}

}  // namespace

Monitors::~Monitors() { stop(); }

void Monitors::stop() {
  // No more events into the mailboxes, then no more threads.
  for (int id : listener_ids_) ctx_.control->removeListener(id);
  listener_ids_.clear();
  for (auto& c : channels_) c->stop();
  channels_.clear();
}

std::vector<int> Monitors::ports() const {
  std::vector<int> out;
  for (const auto& c : channels_) out.push_back(c->port());
  return out;
}

std::unique_ptr<Monitors> startMonitors(const std::vector<std::string>& monitor, const std::vector<std::string>& qmp,
                                        const hw::MachineOptions& machine, hw::MachineControl& control,
                                        std::string& err, const MonitorContext* context) {
  // Everything is checked, then every socket bound, before any thread
  // starts: an error leaves nothing open behind it.
  std::vector<Wanted> wanted;
  if (!parseAll(monitor, qmp, wanted, err) || !checkStdio(wanted, machine, err)) return nullptr;
  std::vector<std::unique_ptr<SocketListener>> listeners;
  for (const Wanted& w : wanted) {
    std::unique_ptr<SocketListener> l;
    if (w.spec.kind == ChannelSpec::Kind::Unix || w.spec.kind == ChannelSpec::Kind::Tcp) {
      l = SocketListener::open(w.option, w.spec, err);
      if (!l) return nullptr;
    }
    listeners.push_back(std::move(l));
  }

  std::unique_ptr<Monitors> m(new Monitors);
  if (context) m->ctx_ = *context;
  m->ctx_.control = &control;
  const MonitorContext* ctx = &m->ctx_;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const Wanted& w = wanted[i];
    if (w.spec.kind == ChannelSpec::Kind::None) continue;
    auto mailbox = std::make_shared<EventMailbox>();
    SessionFactory factory;
    if (w.qmp) {
      factory = [ctx, mailbox] { return std::make_unique<qmp::QmpSession>(*ctx, mailbox); };
      // Called on the CPU thread: it only queues (see EventMailbox).
      m->listener_ids_.push_back(
          control.addListener([mailbox](const hw::MachineEvent& ev) { mailbox->post(stampNow(ev)); }));
    } else {
      factory = [ctx] { return std::make_unique<hmp::HmpSession>(*ctx); };
    }
    m->channels_.push_back(std::make_unique<Channel>(w.option + " " + w.spec.text, std::move(listeners[i]),
                                                     std::move(factory), mailbox));
    // QEMU's `wait`: the guest does not start before the client is there.
    if (w.spec.wait && w.spec.kind != ChannelSpec::Kind::Stdio) m->channels_.back()->waitForClient();
  }
  for (auto& c : m->channels_) c->start();
  return m;
}

}  // namespace mimic::monitor
