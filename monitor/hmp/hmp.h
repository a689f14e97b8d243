// The human monitor's commands (QEMU's HMP, the subset mimic has): one
// command line in, its output out, with QEMU's wording for results and
// errors. Used by the HMP sessions and by QMP's human-monitor-command.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "monitor/hmp/hmp_args.h"
#include "monitor/hmp/memory_dump.h"
#include "monitor/monitor_context.h"

namespace mimic::hmp {

class Hmp {
 public:
  explicit Hmp(const monitor::MonitorContext& ctx) : ctx_(ctx) {}

  struct Result {
    std::string text;   // "\n" line ends
    bool quit = false;  // the command was quit: no prompt follows
  };
  // Runs one command line (without its line end).
  Result execute(std::string_view line);

  // The largest x/xp dump, in bytes: a typo in the count must not keep
  // mimic busy formatting gigabytes.
  static constexpr uint64_t kMaxDumpBytes = 1 << 20;

  struct Command {
    const char* names;   // "stop|s": the name and its aliases
    const char* params;  // as help shows them
    const char* help;
    bool (Hmp::*run)(ArgScanner&, std::string&, std::string&);
    const std::vector<Command>* sub = nullptr;  // info's subcommands
  };

 private:
  static const std::vector<Command>& commands();
  static const std::vector<Command>& infoCommands();

  // Handlers read their arguments, check that nothing follows (end()), then
  // act. A false return is a usage error: `err` is printed with QEMU's
  // 'Try "help ..."' line.
  bool help(ArgScanner& args, std::string& out, std::string& err);
  bool stop(ArgScanner& args, std::string& out, std::string& err);
  bool cont(ArgScanner& args, std::string& out, std::string& err);
  bool systemReset(ArgScanner& args, std::string& out, std::string& err);
  bool systemPowerdown(ArgScanner& args, std::string& out, std::string& err);
  bool quit(ArgScanner& args, std::string& out, std::string& err);
  bool dumpVirtual(ArgScanner& args, std::string& out, std::string& err);
  bool dumpPhysical(ArgScanner& args, std::string& out, std::string& err);
  bool memsave(ArgScanner& args, std::string& out, std::string& err);
  bool pmemsave(ArgScanner& args, std::string& out, std::string& err);
  bool screendump(ArgScanner& args, std::string& out, std::string& err);
  bool infoRegisters(ArgScanner& args, std::string& out, std::string& err);
  bool infoTlb(ArgScanner& args, std::string& out, std::string& err);
  bool infoMtree(ArgScanner& args, std::string& out, std::string& err);
  bool infoJit(ArgScanner& args, std::string& out, std::string& err);
  bool infoQtree(ArgScanner& args, std::string& out, std::string& err);
  bool infoStatus(ArgScanner& args, std::string& out, std::string& err);
  bool infoVersion(ArgScanner& args, std::string& out, std::string& err);

  bool end(ArgScanner& args, std::string& err);
  bool dump(ArgScanner& args, bool physical, std::string& out, std::string& err);
  bool save(ArgScanner& args, bool physical, std::string& out, std::string& err);
  bool machineInfo(ArgScanner& args, const char* what, std::string& out, std::string& err);

  const monitor::MonitorContext& ctx_;
  DumpDefaults defaults_;
  const Command* current_ = nullptr;  // the command being run, for messages
  bool quit_ = false;
};

}  // namespace mimic::hmp
