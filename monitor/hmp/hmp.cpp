#include "monitor/hmp/hmp.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "monitor/hmp/hmp_expr.h"
#include "monitor/memsave.h"
#include "monitor/version.h"

namespace mimic::hmp {

namespace {

bool nameMatches(std::string_view name, std::string_view names) {
  // names is "a|b|c"
  for (;;) {
    size_t bar = names.find('|');
    if (names.substr(0, bar) == name) return true;
    if (bar == std::string_view::npos) return false;
    names.remove_prefix(bar + 1);
  }
}

// A command name: up to a space or a '/' ("x/4xw" is "x" then "/4xw").
std::string_view takeName(std::string_view& p) {
  while (!p.empty() && isMonitorSpace(p.front())) p.remove_prefix(1);
  size_t n = 0;
  while (n < p.size() && !isMonitorSpace(p[n]) && p[n] != '/') ++n;
  std::string_view name = p.substr(0, n);
  p.remove_prefix(n);
  return name;
}

std::string helpLine(const char* prefix, const Hmp::Command& c) {
  return fmt::format("{}{} {} -- {}\n", prefix, c.names, c.params, c.help);
}

const Hmp::Command* find(const std::vector<Hmp::Command>& table, std::string_view name) {
  for (const Hmp::Command& c : table)
    if (nameMatches(name, c.names)) return &c;
  return nullptr;
}

}  // namespace

// Sorted by name, as QEMU lists them; help texts are QEMU's where the
// command behaves as QEMU's.
const std::vector<Hmp::Command>& Hmp::infoCommands() {
  static const std::vector<Command> table = {
      {"jit", "", "show dynamic compiler info", &Hmp::infoJit},
      {"mtree", "", "show memory tree", &Hmp::infoMtree},
      {"qtree", "", "show device tree", &Hmp::infoQtree},
      {"registers", "", "show the cpu registers", &Hmp::infoRegisters},
      {"status", "", "show the current VM status (running|paused)", &Hmp::infoStatus},
      {"tlb", "", "show virtual to physical memory mappings", &Hmp::infoTlb},
      {"version", "", "show the version of mimic and of the QEMU it follows", &Hmp::infoVersion},
  };
  return table;
}

const std::vector<Hmp::Command>& Hmp::commands() {
  static const std::vector<Command> table = {
      {"cont|c", "", "resume emulation", &Hmp::cont},
      {"help|?", "[cmd]", "show the help", &Hmp::help},
      {"info", "[subcommand]", "show various information about the system state", nullptr, &infoCommands()},
      {"memsave", "addr size file", "save to disk virtual memory dump starting at 'addr' of size 'size'", &Hmp::memsave},
      {"pmemsave", "addr size file", "save to disk physical memory dump starting at 'addr' of size 'size'", &Hmp::pmemsave},
      {"quit|q", "", "quit the emulator", &Hmp::quit},
      {"screendump", "filename", "save screen as image 'filename' (mimic has no display yet)", &Hmp::screendump},
      {"stop|s", "", "stop emulation", &Hmp::stop},
      {"system_powerdown", "", "send system power down event", &Hmp::systemPowerdown},
      {"system_reset", "", "reset the system", &Hmp::systemReset},
      {"x", "/fmt addr", "virtual memory dump starting at 'addr'", &Hmp::dumpVirtual},
      {"xp", "/fmt addr", "physical memory dump starting at 'addr'", &Hmp::dumpPhysical},
  };
  return table;
}

Hmp::Result Hmp::execute(std::string_view line) {
  std::string_view p = line;
  while (!p.empty() && isMonitorSpace(p.front())) p.remove_prefix(1);
  const char* typed_start = p.data();
  std::string_view name = takeName(p);
  if (name.empty()) return {};
  const Command* cmd = find(commands(), name);
  if (!cmd) return {fmt::format("unknown command: '{}'\n", name)};
  if (cmd->sub) {
    std::string_view sub_name = takeName(p);
    if (sub_name.empty()) {
      std::string out;
      for (const Command& c : infoCommands()) out += helpLine("info ", c);
      return {out};
    }
    const Command* sub = find(infoCommands(), sub_name);
    if (!sub) return {fmt::format("unknown command: 'info {}'\n", sub_name)};
    cmd = sub;
  }
  // What the user typed to name the command, for 'Try "help ..."'.
  std::string_view typed(typed_start, static_cast<size_t>(p.data() - typed_start));

  ArgScanner args(p);
  std::string out, err;
  current_ = cmd;
  quit_ = false;
  if (!(this->*(cmd->run))(args, out, err)) {
    out += err + "\n";
    out += fmt::format("Try \"help {}\" for more information\n", typed);
  }
  current_ = nullptr;
  return {out, quit_};
}

bool Hmp::end(ArgScanner& args, std::string& err) {
  if (args.atEnd()) return true;
  err = fmt::format("{}: extraneous characters at the end of line", current_->names);
  return false;
}

bool Hmp::help(ArgScanner& args, std::string& out, std::string&) {
  std::vector<std::string> words;
  for (std::string w; args.string(w);) words.push_back(w);
  if (words.empty()) {
    for (const Command& c : commands()) out += helpLine("", c);
    return true;
  }
  const Command* c = find(commands(), words[0]);
  if (!c) {
    out += fmt::format("unknown command: '{}'\n", words[0]);
    return true;
  }
  if (!c->sub) {
    out += helpLine("", *c);
    return true;
  }
  if (words.size() == 1) {
    for (const Command& s : infoCommands()) out += helpLine("info ", s);
    return true;
  }
  const Command* s = find(infoCommands(), words[1]);
  if (!s) {
    out += fmt::format("unknown command: '{} {}'\n", words[0], words[1]);
    return true;
  }
  out += helpLine("info ", *s);
  return true;
}

bool Hmp::stop(ArgScanner& args, std::string&, std::string& err) {
  if (!end(args, err)) return false;
  ctx_.control->pause();
  return true;
}

bool Hmp::cont(ArgScanner& args, std::string&, std::string& err) {
  if (!end(args, err)) return false;
  ctx_.control->resume();
  return true;
}

bool Hmp::systemReset(ArgScanner& args, std::string&, std::string& err) {
  if (!end(args, err)) return false;
  ctx_.control->reset();
  return true;
}

bool Hmp::systemPowerdown(ArgScanner& args, std::string&, std::string& err) {
  if (!end(args, err)) return false;
  ctx_.control->powerdown();
  return true;
}

bool Hmp::quit(ArgScanner& args, std::string&, std::string& err) {
  if (!end(args, err)) return false;
  quit_ = true;
  ctx_.control->quit();
  return true;
}

bool Hmp::dumpVirtual(ArgScanner& args, std::string& out, std::string& err) { return dump(args, false, out, err); }
bool Hmp::dumpPhysical(ArgScanner& args, std::string& out, std::string& err) { return dump(args, true, out, err); }

bool Hmp::dump(ArgScanner& args, bool physical, std::string& out, std::string& err) {
  DumpFormat f;
  int64_t addr = 0;
  if (!parseDumpFormat(args.view(), defaults_, f, err) || !args.expr(addr, err) || !end(args, err)) return false;
  if (f.format == 'i') {
    out += "Error: the 'i' format (disassembly) is not supported by mimic\n";
    return true;
  }
  if (f.count > kMaxDumpBytes / static_cast<uint64_t>(f.size)) {
    out += fmt::format("Error: a dump is at most {} bytes\n", kMaxDumpBytes);
    return true;
  }
  DumpTarget target{physical, ctx_.control->bigEndian(), ctx_.vaddr_bits};
  hw::MachineControl* control = ctx_.control;
  out += dumpMemory(f, static_cast<uint64_t>(addr), target, [control, physical](uint64_t a, void* buf, size_t len) {
    return control->readMemory(a, physical, buf, len);
  });
  return true;
}

bool Hmp::memsave(ArgScanner& args, std::string& out, std::string& err) { return save(args, false, out, err); }
bool Hmp::pmemsave(ArgScanner& args, std::string& out, std::string& err) { return save(args, true, out, err); }

bool Hmp::save(ArgScanner& args, bool physical, std::string& out, std::string& err) {
  const char* name = current_->names;
  int64_t addr = 0, size = 0;
  std::string file;
  if (!args.expr(addr, err, true) || !args.expr32(name, size, err, true)) return false;
  if (!args.string(file)) {
    err = fmt::format("{}: string expected", name);
    return false;
  }
  if (!end(args, err)) return false;
  std::string e;
  if (!monitor::saveMemory(ctx_, addr, size, physical, file, e)) out += "Error: " + e + "\n";
  return true;
}

bool Hmp::screendump(ArgScanner& args, std::string& out, std::string& err) {
  std::string file;
  if (!args.string(file)) {
    err = "screendump: filename expected";
    return false;
  }
  if (!end(args, err)) return false;
  out += "Error: mimic has no display yet: there is no screen to dump\n";
  return true;
}

bool Hmp::machineInfo(ArgScanner& args, const char* what, std::string& out, std::string& err) {
  if (!end(args, err)) return false;
  std::string text = ctx_.control->info(what);
  if (text.empty()) {
    // The machine has no such report: as QEMU on a target without it.
    out += fmt::format("unknown command: 'info {}'\n", what);
    return true;
  }
  out += text;
  if (out.back() != '\n') out += '\n';
  return true;
}

bool Hmp::infoRegisters(ArgScanner& a, std::string& o, std::string& e) { return machineInfo(a, "registers", o, e); }
bool Hmp::infoTlb(ArgScanner& a, std::string& o, std::string& e) { return machineInfo(a, "tlb", o, e); }
bool Hmp::infoMtree(ArgScanner& a, std::string& o, std::string& e) { return machineInfo(a, "mtree", o, e); }
bool Hmp::infoJit(ArgScanner& a, std::string& o, std::string& e) { return machineInfo(a, "jit", o, e); }
bool Hmp::infoQtree(ArgScanner& a, std::string& o, std::string& e) { return machineInfo(a, "qtree", o, e); }

bool Hmp::infoStatus(ArgScanner& args, std::string& out, std::string& err) {
  if (!end(args, err)) return false;
  bool running = ctx_.control->running();
  std::string status = ctx_.control->status();
  out += fmt::format("VM status: {}", running ? "running" : "paused");
  // As QEMU: a stopped machine that is not simply paused says why.
  if (!running && status != "paused") out += fmt::format(" ({})", status);
  out += '\n';
  return true;
}

bool Hmp::infoVersion(ArgScanner& args, std::string& out, std::string& err) {
  if (!end(args, err)) return false;
  out += fmt::format("{}.{}.{} ({})\n", monitor::kQemuMajor, monitor::kQemuMinor, monitor::kQemuMicro,
                     monitor::packageString());
  return true;
}

}  // namespace mimic::hmp
