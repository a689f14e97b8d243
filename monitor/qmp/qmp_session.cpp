#include "monitor/qmp/qmp_session.h"

#include <fmt/format.h>

#include "monitor/qmp/qmp_commands.h"
#include "monitor/qmp/qmp_events.h"
#include "monitor/version.h"

namespace mimic::qmp {

Json greeting() {
  Json qemu = Json::object();
  qemu["micro"] = monitor::kQemuMicro;
  qemu["minor"] = monitor::kQemuMinor;
  qemu["major"] = monitor::kQemuMajor;
  Json version = Json::object();
  version["qemu"] = qemu;
  version["package"] = monitor::packageString();
  Json qmp = Json::object();
  qmp["version"] = version;
  qmp["capabilities"] = Json::array();  // no out-of-band execution
  return Json{{"QMP", qmp}};
}

QmpSession::QmpSession(const monitor::MonitorContext& ctx, std::shared_ptr<monitor::EventMailbox> events)
    : ctx_(ctx), events_(std::move(events)), hmp_(ctx) {}

void QmpSession::open(monitor::Output& out) { out.write(toWire(greeting())); }

void QmpSession::receive(std::string_view bytes, monitor::Output& out) {
  streamer_.feed(bytes, [&](JsonStreamer::Piece piece) {
    if (out.closed()) return;
    Json reply;
    if (!piece.error.empty()) {
      reply = errorReply(QmpError{kGenericError, piece.error}, nullptr);
    } else {
      Json request;
      std::string err;
      reply = parseJson(piece.text, request, err) ? handle(request) : errorReply(QmpError{kGenericError, err}, nullptr);
    }
    // Events the command caused (STOP after stop) go out before its reply, as in QEMU.
    pollEvents(out);
    out.write(toWire(reply));
  });
}

void QmpSession::pollEvents(monitor::Output& out) {
  if (!events_) return;
  // Before negotiation a client gets no events, as in QEMU: they are dropped.
  for (const monitor::TimedEvent& ev : events_->take())
    if (negotiated_) out.write(toWire(eventMessage(ev)));
}

Json QmpSession::handle(const Json& request) {
  if (!request.is_object()) return errorReply(QmpError{kGenericError, "QMP input must be a JSON object"}, nullptr);
  const Json* id = request.contains("id") ? &request["id"] : nullptr;
  auto fail = [&](std::string cls, std::string desc) { return errorReply(QmpError{std::move(cls), std::move(desc)}, id); };

  // The request's shape, member by member as QEMU checks it.
  const Json* execute = nullptr;
  static const Json kNoArguments = Json::object();
  const Json* arguments = &kNoArguments;
  for (auto it = request.begin(); it != request.end(); ++it) {
    const std::string& key = it.key();
    if (key == "execute") {
      if (!it.value().is_string()) return fail(kGenericError, "QMP input member 'execute' must be a string");
      execute = &it.value();
    } else if (key == "arguments") {
      if (!it.value().is_object()) return fail(kGenericError, "QMP input member 'arguments' must be an object");
      arguments = &it.value();
    } else if (key != "id") {
      return fail(kGenericError, fmt::format("QMP input member '{}' is unexpected", key));
    }
  }
  if (!execute) return fail(kGenericError, "QMP input lacks member 'execute'");

  const std::string& name = execute->get_ref<const std::string&>();
  const QmpCommand* cmd = findQmpCommand(name);
  if (!negotiated_ && name != "qmp_capabilities")
    return fail(kCommandNotFound, "Expecting capabilities negotiation with 'qmp_capabilities'");
  if (negotiated_ && name == "qmp_capabilities")
    return fail(kCommandNotFound, "Capabilities negotiation is already complete, command ignored");
  if (!cmd) return fail(kCommandNotFound, fmt::format("The command {} has not been found", name));
  if (auto e = checkArguments(*arguments, cmd->args)) return errorReply(*e, id);

  CommandEnv env{ctx_, hmp_};
  CommandResult result = cmd->run(env, *arguments);
  if (auto* e = std::get_if<QmpError>(&result)) return errorReply(*e, id);
  if (name == "qmp_capabilities") {
    negotiated_ = true;
    // Events from before negotiation are not this client's.
    if (events_) events_->clear();
  }
  return returnReply(std::get<Json>(result), id);
}

}  // namespace mimic::qmp
