// The QMP commands mimic has, with their argument schemas, and what they do.
#pragma once

#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "monitor/hmp/hmp.h"
#include "monitor/monitor_context.h"
#include "monitor/qmp/qmp_args.h"
#include "monitor/qmp/qmp_json.h"

namespace mimic::qmp {

// What a command needs: the machine, and the HMP interpreter behind
// human-monitor-command (its x/xp defaults last as long as the client).
struct CommandEnv {
  const monitor::MonitorContext& ctx;
  hmp::Hmp& hmp;
};

// A command's result: its "return" value or an error.
using CommandResult = std::variant<Json, QmpError>;

struct QmpCommand {
  const char* name;
  std::vector<ArgSpec> args;
  std::function<CommandResult(CommandEnv&, const Json& args)> run;
};

// Every command, in the order query-commands lists them.
const std::vector<QmpCommand>& qmpCommands();
const QmpCommand* findQmpCommand(const std::string& name);

}  // namespace mimic::qmp
