#include "monitor/qmp/qmp_commands.h"

#include <fmt/format.h>

#include "monitor/hmp/hmp_session.h"
#include "monitor/memsave.h"
#include "monitor/version.h"

namespace mimic::qmp {

namespace {

Json empty() { return Json::object(); }

// mimic has one CPU: cpu-index may only name it.
std::optional<QmpError> checkCpuIndex(const Json& args) {
  if (args.contains("cpu-index") && argInt(args, "cpu-index") != 0)
    return QmpError{kGenericError, "Parameter 'cpu-index' expects a CPU number"};
  return std::nullopt;
}

CommandResult saveMemory(CommandEnv& env, const Json& args, bool physical) {
  if (auto e = checkCpuIndex(args)) return *e;
  std::string err;
  if (!monitor::saveMemory(env.ctx, argInt(args, "val"), argInt(args, "size"), physical, argString(args, "filename"), err))
    return QmpError{kGenericError, err};
  return empty();
}

Json version() {
  Json qemu = Json::object();
  qemu["micro"] = monitor::kQemuMicro;
  qemu["minor"] = monitor::kQemuMinor;
  qemu["major"] = monitor::kQemuMajor;
  Json v = Json::object();
  v["qemu"] = qemu;
  v["package"] = monitor::packageString();
  return v;
}

}  // namespace

const std::vector<QmpCommand>& qmpCommands() {
  static const std::vector<QmpCommand> table = {
      // Negotiation is the session's business; the schema is checked here.
      {"qmp_capabilities", {{"enable", ArgType::StringList, true}},
       [](CommandEnv&, const Json& args) -> CommandResult {
         if (args.contains("enable") && !args["enable"].empty())
           return QmpError{kGenericError, fmt::format("Capability '{}' not available", args["enable"][0].get<std::string>())};
         return empty();
       }},
      {"query-status", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         Json r = Json::object();
         r["status"] = env.ctx.control->status();
         r["singlestep"] = false;
         r["running"] = env.ctx.control->running();
         return r;
       }},
      {"stop", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         env.ctx.control->pause();
         return empty();
       }},
      {"cont", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         env.ctx.control->resume();
         return empty();
       }},
      {"system_reset", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         env.ctx.control->reset();
         return empty();
       }},
      {"system_powerdown", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         env.ctx.control->powerdown();
         return empty();
       }},
      {"quit", {},
       [](CommandEnv& env, const Json&) -> CommandResult {
         env.ctx.control->quit();
         return empty();
       }},
      {"human-monitor-command", {{"command-line", ArgType::String}, {"cpu-index", ArgType::Int, true}},
       [](CommandEnv& env, const Json& args) -> CommandResult {
         if (auto e = checkCpuIndex(args)) return *e;
         // The output as an HMP client would see it, \r\n and all (as QEMU).
         return Json(hmp::toCrLf(env.hmp.execute(argString(args, "command-line")).text));
       }},
      {"memsave",
       {{"val", ArgType::Int}, {"size", ArgType::Int}, {"filename", ArgType::String}, {"cpu-index", ArgType::Int, true}},
       [](CommandEnv& env, const Json& args) { return saveMemory(env, args, false); }},
      {"pmemsave", {{"val", ArgType::Int}, {"size", ArgType::Int}, {"filename", ArgType::String}},
       [](CommandEnv& env, const Json& args) { return saveMemory(env, args, true); }},
      {"screendump",
       {{"filename", ArgType::String}, {"device", ArgType::String, true}, {"head", ArgType::Int, true},
        {"format", ArgType::String, true}},
       [](CommandEnv&, const Json&) -> CommandResult {
         return QmpError{kGenericError, "mimic has no display yet: there is no screen to dump"};
       }},
      {"query-version", {}, [](CommandEnv&, const Json&) -> CommandResult { return version(); }},
      {"query-commands", {},
       [](CommandEnv&, const Json&) -> CommandResult {
         Json list = Json::array();
         for (const QmpCommand& c : qmpCommands()) list.push_back(Json{{"name", c.name}});
         return list;
       }},
  };
  return table;
}

const QmpCommand* findQmpCommand(const std::string& name) {
  for (const QmpCommand& c : qmpCommands())
    if (name == c.name) return &c;
  return nullptr;
}

}  // namespace mimic::qmp
