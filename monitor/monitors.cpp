#include "monitor/monitors.h"

#include <fmt/format.h>

#include "monitor/channel.h"
#include "monitor/channel_spec.h"
#include "monitor/hmp/hmp_session.h"
#include "monitor/qmp/qmp_session.h"
#include "monitor/stdio_owner.h"

namespace mimic::monitor {

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
  std::unique_ptr<Monitors> m(new Monitors);
  if (context) m->ctx_ = *context;
  m->ctx_.control = &control;

  struct Wanted {
    std::string option;
    bool qmp;
    ChannelSpec spec;
  };
  std::vector<Wanted> wanted;
  std::vector<std::string> texts;
  for (const std::string& s : monitor) wanted.push_back({"-monitor", false, {}}), texts.push_back(s);
  for (const std::string& s : qmp) wanted.push_back({"-qmp", true, {}}), texts.push_back(s);

  // Everything is checked before anything listens, so an error leaves no
  // socket behind.
  std::string stdio_user;
  const std::string serial_stdio = serialStdioReason(machine);
  for (size_t i = 0; i < wanted.size(); ++i) {
    Wanted& w = wanted[i];
    if (!parseChannelSpec(w.option, texts[i], w.spec, err)) return nullptr;
    if (w.spec.kind != ChannelSpec::Kind::Stdio) continue;
    std::string me = w.option + " stdio";
    if (machine.nographic && serial_stdio == "-nographic") {
      err = me + ": with -nographic the terminal is the serial console; sharing it with the monitor "
                 "(QEMU's Ctrl-A c) is not supported: use a socket (" + w.option +
            " unix:PATH,server,nowait) or -serial null";
      return nullptr;
    }
    if (!serial_stdio.empty()) {
      err = fmt::format("{}: stdio is already used by {}", me, serial_stdio);
      return nullptr;
    }
    if (!stdio_user.empty()) {
      err = fmt::format("{}: stdio is already used by {}", me, stdio_user);
      return nullptr;
    }
    stdio_user = me;
  }

  std::vector<std::unique_ptr<SocketListener>> listeners;
  for (const Wanted& w : wanted) {
    std::unique_ptr<SocketListener> l;
    if (w.spec.kind == ChannelSpec::Kind::Unix || w.spec.kind == ChannelSpec::Kind::Tcp) {
      l = SocketListener::open(w.option, w.spec, err);
      if (!l) return nullptr;
    }
    listeners.push_back(std::move(l));
  }

  const MonitorContext* ctx = &m->ctx_;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const Wanted& w = wanted[i];
    if (w.spec.kind == ChannelSpec::Kind::None) continue;
    auto mailbox = std::make_shared<EventMailbox>();
    SessionFactory factory;
    if (w.qmp) {
      factory = [ctx, mailbox] { return std::make_unique<qmp::QmpSession>(*ctx, mailbox); };
      // Called on the CPU thread: only queue (see EventMailbox).
      m->listener_ids_.push_back(
          control.addListener([mailbox](const hw::MachineEvent& ev) { mailbox->post(stampNow(ev)); }));
    } else {
      factory = [ctx] { return std::make_unique<hmp::HmpSession>(*ctx); };
    }
    bool wait = w.spec.wait && w.spec.kind != ChannelSpec::Kind::Stdio;
    m->channels_.push_back(std::make_unique<Channel>(w.option + " " + w.spec.text, std::move(listeners[i]),
                                                     std::move(factory), mailbox));
    if (wait) m->channels_.back()->waitForClient();
  }
  for (auto& c : m->channels_) c->start();
  return m;
}

}  // namespace mimic::monitor
