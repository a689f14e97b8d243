// A QMP client: the greeting, capabilities negotiation, then commands and
// asynchronous events, each message one line of JSON.
//
//   S: {"QMP": {"version": {...}, "capabilities": []}}
//   C: {"execute": "qmp_capabilities"}
//   S: {"return": {}}
//   C: {"execute": "query-status", "id": 1}
//   S: {"return": {"status": "running", "singlestep": false, "running": true}, "id": 1}
//
// Nothing the client sends ends the session or mimic: broken JSON, wrong
// shapes and unknown commands are answered with QEMU's errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "monitor/event_mailbox.h"
#include "monitor/hmp/hmp.h"
#include "monitor/monitor_context.h"
#include "monitor/qmp/json_streamer.h"
#include "monitor/qmp/qmp_json.h"
#include "monitor/session.h"

namespace mimic::qmp {

class QmpSession : public monitor::Session {
 public:
  // `events`: where the machine's events wait (may be null: no events).
  QmpSession(const monitor::MonitorContext& ctx, std::shared_ptr<monitor::EventMailbox> events);

  void open(monitor::Output& out) override;
  void receive(std::string_view bytes, monitor::Output& out) override;
  void pollEvents(monitor::Output& out) override;

  // One request, already parsed: the reply to send.
  Json handle(const Json& request);

 private:
  const monitor::MonitorContext& ctx_;
  std::shared_ptr<monitor::EventMailbox> events_;
  hmp::Hmp hmp_;
  JsonStreamer streamer_;
  bool negotiated_ = false;  // qmp_capabilities done: commands and events flow
};

Json greeting();

}  // namespace mimic::qmp
