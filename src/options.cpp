#include "src/options.h"

#include <ctime>

#include "src/time_options.h"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

namespace mimic::cli {

namespace {

// -accel tcg,tb-size=: the most host code the JIT may keep (its code and
// its blocks' counters reach each other with rel32 jumps).
constexpr unsigned long long kMaxTbSizeMiB = 1024;

struct OptionDef {
  const char* name;    // as QEMU spells it, without the dash
  const char* canon;   // the long name CLI11 knows it by
  bool takes_value;
};

// Every option mimic knows. Single-letter ones are QEMU's (-M, -m, -d, -D,
// -s, -S, -h); everything is also accepted with two dashes.
constexpr OptionDef kOptions[] = {
    {"M", "machine", true},
    {"machine", "machine", true},
    {"cpu", "cpu", true},
    {"m", "memory", true},
    {"kernel", "kernel", true},
    {"initrd", "initrd", true},
    {"append", "append", true},
    {"dtb", "dtb", true},
    {"nographic", "nographic", false},
    {"display", "display", true},
    {"serial", "serial", true},
    {"no-reboot", "no-reboot", false},
    {"no-shutdown", "no-shutdown", false},
    {"d", "log", true},
    {"D", "logfile", true},
    {"s", "gdb-default", false},
    {"S", "freeze", false},
    {"gdb", "gdb", true},
    {"accel", "accel", true},
    {"icount", "icount", true},
    {"monitor", "monitor", true},
    {"qmp", "qmp", true},
    {"rtc", "rtc", true},
    {"version", "version", false},
    {"nodefaults", "nodefaults", false},
    {"h", "help", false},
    {"help", "help", false},
};

const OptionDef* findOption(const std::string& name) {
  for (const OptionDef& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

// Options whose order matters across option names (drive indexes, NIC
// order, netdev ids): handled here, in command-line order, not by CLI11.
bool takeOrderedOption(const std::string& name, const std::string& value, hw::MachineOptions& m,
                       std::string& err) {
  if (name == "drive") return hw::block::parseDriveOption(value, m.drives.emplace_back(), err);
  if (name.size() == 3 && name.rfind("hd", 0) == 0 && name[2] >= 'a' && name[2] <= 'd')
    return hw::block::parseHdOption(name[2] - 'a', value, m.drives.emplace_back(), err);
  if (name == "netdev") return net::parseNetdevOption(value, m.net, err);
  if (name == "nic") return net::parseNicOption(value, m.net, err);
  if (name == "net") return net::parseNetOption(value, m.net, err);
  if (name == "device") {
    if (net::isNetDevice(value)) return net::parseNetDeviceOption(value, m.net, err);
    std::string driver = value.substr(0, value.find(','));
    err = driver == "help" || driver == "?"
              ? "-device help: the only device to add is a network card: -device pcnet,netdev=ID"
              : fmt::format("-device {}: unknown device '{}' (mimic adds only pcnet network cards)", value, driver);
    return false;
  }
  return true;
}

bool isOrderedOption(const std::string& name) {
  return name == "drive" || name == "hda" || name == "hdb" || name == "hdc" || name == "hdd" ||
         name == "netdev" || name == "nic" || name == "net" || name == "device";
}

// QEMU's single-dash options become "--canon" / "--canon=value" so that
// CLI11 sees values unambiguously (an -append value may start with '-').
bool translate(const std::vector<std::string>& args, std::vector<std::string>& out, hw::MachineOptions& m,
               std::string& err) {
  for (size_t i = 0; i < args.size(); i++) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      // As in QEMU, a bare argument is the first hard disk (-hda).
      if (!takeOrderedOption("hda", a, m, err)) return false;
      continue;
    }
    if (a == "--") {
      for (size_t j = i + 1; j < args.size(); j++) out.push_back(args[j]);
      break;
    }
    std::string body = a.substr(a[1] == '-' ? 2 : 1);
    std::string name = body, inline_value;
    bool has_inline = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      inline_value = body.substr(eq + 1);
      has_inline = true;
    }
    if (isOrderedOption(name)) {
      std::string value;
      if (has_inline) {
        value = inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        err = fmt::format("option '-{}' needs a value", name);
        return false;
      }
      if (!takeOrderedOption(name, value, m, err)) return false;
      continue;
    }
    const OptionDef* def = findOption(name);
    if (!def) {
      err = fmt::format("unknown option '{}' (see -help)", a);
      return false;
    }
    if (def->takes_value) {
      std::string value;
      if (has_inline) {
        value = inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        err = fmt::format("option '-{}' needs a value", name);
        return false;
      }
      if (value.empty()) {
        // CLI11 takes an empty value only as a token of its own.
        out.push_back(fmt::format("--{}", def->canon));
        out.push_back("");
      } else {
        out.push_back(fmt::format("--{}={}", def->canon, value));
      }
    } else {
      if (has_inline) {
        err = fmt::format("option '-{}' takes no value", name);
        return false;
      }
      out.push_back(fmt::format("--{}", def->canon));
    }
  }
  return true;
}

// -M NAME[,key=value...]
bool parseMachine(const std::string& text, Options& o, std::string& err) {
  std::vector<std::string> items;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string name;
  for (size_t i = 0; i < items.size(); i++) {
    const std::string& it = items[i];
    if (it == "help" || it == "?") {
      o.list_machines = true;
      return true;
    }
    size_t eq = it.find('=');
    if (eq == std::string::npos) {
      if (i == 0) {
        name = it;
        continue;
      }
      err = fmt::format("-M {}: '{}' is not of the form key=value", text, it);
      return false;
    }
    std::string key = it.substr(0, eq), value = it.substr(eq + 1);
    if (key == "type") {
      name = value;
    } else if (key.empty()) {
      err = fmt::format("-M {}: empty property name", text);
      return false;
    } else {
      o.machine.props[key] = value;
    }
  }
  if (name.empty()) {
    err = fmt::format("-M {}: no machine name (see -M help)", text);
    return false;
  }
  o.machine.machine = name;
  return true;
}

}  // namespace

bool parseMemSize(const std::string& text, uint64_t& bytes, std::string& err) {
  std::string s = text;
  if (s.rfind("size=", 0) == 0) s = s.substr(5);
  auto bad = [&] {
    err = fmt::format("-m {}: invalid RAM size (examples: 256, 256M, 1G)", text);
    return false;
  };
  if (s.find(',') != std::string::npos) {
    err = fmt::format("-m {}: only a size is supported (no slots= or maxmem=)", text);
    return false;
  }
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return bad();
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end == s.c_str() || !std::isfinite(v)) return bad();
  std::string suffix(end);
  double mult;
  if (suffix.empty()) {
    mult = 1024.0 * 1024.0;  // plain numbers are MiB
  } else if (suffix.size() == 1) {
    switch (std::tolower(static_cast<unsigned char>(suffix[0]))) {
      case 'b': mult = 1; break;
      case 'k': mult = 1024.0; break;
      case 'm': mult = 1024.0 * 1024.0; break;
      case 'g': mult = 1024.0 * 1024.0 * 1024.0; break;
      case 't': mult = 1024.0 * 1024.0 * 1024.0 * 1024.0; break;
      default: return bad();
    }
  } else {
    return bad();
  }
  double b = v * mult;
  if (b >= 18446744073709551616.0) {
    err = fmt::format("-m {}: RAM size too large", text);
    return false;
  }
  if (b != std::floor(b)) return bad();  // a fraction of a byte
  bytes = static_cast<uint64_t>(b);
  if (bytes == 0) {
    err = fmt::format("-m {}: RAM size must not be zero", text);
    return false;
  }
  return true;
}

bool parseOptions(const std::vector<std::string>& args, Options& o, std::string& err) {
  std::vector<std::string> cli_args;
  if (!translate(args, cli_args, o.machine, err)) return false;

  CLI::App app{"mimic"};
  app.set_help_flag();  // -h/-help are ours
  app.allow_extras(false);
  auto last = CLI::MultiOptionPolicy::TakeLast;
  std::string machine, cpu, memory, display, gdb, accel, icount, rtc;
  bool gdb_default = false, freeze = false, nodefaults = false;
  hw::MachineOptions& m = o.machine;
  app.add_option("--machine", machine)->multi_option_policy(last);
  app.add_option("--cpu", cpu)->multi_option_policy(last);
  app.add_option("--memory", memory)->multi_option_policy(last);
  app.add_option("--kernel", m.kernel)->multi_option_policy(last);
  app.add_option("--initrd", m.initrd)->multi_option_policy(last);
  app.add_option("--append", m.append)->multi_option_policy(last);
  app.add_option("--dtb", m.dtb)->multi_option_policy(last);
  app.add_flag("--nographic", m.nographic);
  app.add_option("--display", display)->multi_option_policy(last);
  app.add_option("--serial", m.serial)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--no-reboot", m.no_reboot);
  app.add_flag("--no-shutdown", m.no_shutdown);
  app.add_option("--log", o.log_items)->multi_option_policy(last);
  app.add_option("--logfile", o.log_file)->multi_option_policy(last);
  app.add_flag("--gdb-default", gdb_default);
  app.add_flag("--freeze", freeze);
  app.add_option("--gdb", gdb)->multi_option_policy(last);
  app.add_option("--accel", accel)->multi_option_policy(last);
  app.add_option("--icount", icount)->multi_option_policy(last);
  app.add_option("--monitor", o.monitor);
  app.add_option("--qmp", o.qmp);
  app.add_option("--rtc", rtc)->multi_option_policy(last);
  app.add_flag("--version", o.version);
  app.add_flag("--nodefaults", nodefaults);
  app.add_flag("--help", o.help);

  std::vector<const char*> argv;
  argv.push_back("mimic");
  for (const std::string& a : cli_args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ExtrasError&) {
    // The first argument that is not an option.
    for (const std::string& a : cli_args) {
      if (a.size() < 2 || a[0] != '-' || a == "--") {
        err = fmt::format("unexpected argument '{}' (a disk image is given with -hda FILE or -drive file=FILE)", a);
        return false;
      }
    }
    err = "unexpected arguments (see -help)";
    return false;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    err = what;
    return false;
  }
  if (o.help || o.version) return true;

  if (app.count("--gdb")) {
    if (gdb.empty() || gdb == "none") {
      if (gdb.empty()) {
        err = "-gdb needs a device (tcp::PORT, tcp:HOST:PORT or unix:PATH)";
        return false;
      }
    } else {
      o.gdb = gdb;
    }
  }
  if (gdb_default && o.gdb.empty()) o.gdb = "tcp::1234";   // -s
  m.start_paused = freeze;                                 // -S
  if (app.count("--machine") && !parseMachine(machine, o, err)) return false;
  if (cpu == "help" || cpu == "?") {
    o.list_cpus = true;
  } else {
    m.cpu = cpu;
    if (app.count("--cpu") && cpu.empty()) {
      err = "-cpu needs a CPU model name (see -cpu help)";
      return false;
    }
  }
  if (app.count("--memory") && !parseMemSize(memory, m.ram_size, err)) return false;
  if (app.count("--accel")) {
    // -accel tcg[,tier=auto|baseline|llvm|interp][,tb-size=MiB][,fastmem=on|off]
    std::string kind = accel.substr(0, accel.find(','));
    if (kind != "tcg") {
      err = fmt::format("-accel {}: unknown accelerator (mimic has tcg)", kind);
      return false;
    }
    for (size_t p = accel.find(','); p != std::string::npos;) {
      size_t next = accel.find(',', p + 1);
      std::string prop = accel.substr(p + 1, next == std::string::npos ? std::string::npos : next - p - 1);
      p = next;
      if (prop == "tier=baseline" || prop == "tier=interp" || prop == "tier=llvm" || prop == "tier=auto") {
        m.tier = prop.substr(5);
      } else if (prop.rfind("tb-size=", 0) == 0) {
        // The code buffer and the blocks' rel32 jumps into the shared
        // trampolines must stay within 2 GiB of each other.
        const std::string v = prop.substr(8);
        char* end = nullptr;
        const unsigned long long mib = v.empty() ? 0 : std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || *end || v[0] == '-' || mib < 1 || mib > kMaxTbSizeMiB) {
          err = fmt::format("-accel: tb-size={}: not a size in MiB from 1 to {}", v, kMaxTbSizeMiB);
          return false;
        }
        m.tb_size_mib = mib;
      } else if (prop == "fastmem=on" || prop == "fastmem=off") {
        m.fastmem = prop == "fastmem=on";
      } else {
        err = fmt::format(
            "-accel: unknown property '{}' (tcg takes tier=baseline|auto|llvm|interp, tb-size=MiB, fastmem=on|off)", prop);
        return false;
      }
    }
  }
  if (app.count("--icount") && !parseIcountOption(icount, m.icount_shift, m.icount_sleep, err)) return false;
  if (app.count("--rtc")) {
    const time_t now = std::time(nullptr);
    struct tm local {};
    localtime_r(&now, &local);
    if (!parseRtcOption(rtc, int64_t(now), int64_t(local.tm_gmtoff), m.rtc_start, err)) return false;
  }
  if (app.count("--display")) {
    std::string kind = display.substr(0, display.find(','));
    if (kind != "none") {
      err = fmt::format("-display {}: not supported yet (only -display none)", display);
      return false;
    }
    m.display = kind;
  }
  if (app.count("--kernel") && m.kernel.empty()) {
    err = "-kernel needs a file name";
    return false;
  }
  if (app.count("--log")) {
    if (o.log_items == "help" || o.log_items == "?") {
      o.list_log_items = true;
    } else if (o.log_items.empty()) {
      err = "-d needs a list of log items (see -d help)";
      return false;
    }
  }
  if (app.count("--logfile") && o.log_file.empty()) {
    err = "-D needs a file name";
    return false;
  }
  if (!hw::block::assignDriveIndexes(m.drives, err)) return false;
  // QEMU's default network: one card on user networking (not with -nodefaults).
  if (!net::finalizeNetConfig(m.net, !nodefaults, err)) return false;
  return true;
}

std::string helpText() {
  return R"(usage: mimic [options]
A full-system emulator with QEMU's command line. Options take one dash
(QEMU style) or two.

Machine:
  -M, -machine NAME[,prop=value]  the machine (default and only one: malta);
                      malta's properties: endianness=big|little (default:
                      the -kernel ELF's byte order); -M help lists machines
  -cpu MODEL          the CPU model (malta: 24Kf by default); -cpu help lists them
  -m SIZE             RAM size: 256 (MiB), 256M, 1G ... (malta: 128M, at most 256M)

Boot:
  -kernel FILE        the program or kernel to run: an ELF file (malta: MIPS32)
  -initrd FILE        an initial RAM disk, placed at the top of low RAM
  -append TEXT        the kernel command line
  -dtb FILE           a device tree (ignored on malta, which has none)

Devices and display:
  -nographic          no display: the first serial port goes to the terminal,
                      with QEMU's Ctrl-A keys (Ctrl-A h help, Ctrl-A x quit)
  -display none       no display and no terminal output unless -serial says so
  -serial DEV         the next serial port's backend: stdio, mon:stdio,
                      file:PATH, pty, null or none (repeatable; malta: COM1,
                      COM2, then the CBUS UART)
  -hda/-hdb/-hdc/-hdd FILE  a raw disk image as IDE disk 0..3
  -drive file=FILE[,format=raw][,if=ide][,index=N][,readonly=on]
                      a raw disk image (IDE: index 0 primary master ... 3)
  -netdev user,id=ID[,hostfwd=tcp::HOSTPORT-:GUESTPORT][,net=..,host=..,dns=..]
                      user-mode networking (libslirp): DHCP 10.0.2.15,
                      gateway 10.0.2.2, DNS 10.0.2.3
  -device pcnet,netdev=ID[,mac=MAC]   the network card on that backend
  -nic user[,hostfwd=...][,mac=MAC] | -nic none   both in one option
  -nodefaults         no default network card (QEMU's default: -nic user)

Time:
  -icount [shift=]N[,sleep=on|off]
                      virtual time counts guest instructions (2^N ns each):
                      the same inputs give the same run, timer interrupt for
                      timer interrupt; sleep=off skips idle time at once
  -rtc base=utc|localtime|DATE[,clock=host|vm]
                      the RTC's time at power-on (DATE: 2006-06-17 or
                      2006-06-17T16:01:21, UTC); default the host's UTC time

Run control:
  -no-reboot          exit (code 0) when the guest resets the machine
  -no-shutdown        stay when the guest shuts down (quit with Ctrl-A x or a signal)
  -accel tcg[,tier=T][,tb-size=N][,fastmem=on|off]
                      code generator: auto (default: the x86-64 JIT, hot
                      code recompiled through LLVM in the background),
                      baseline (the x86-64 JIT alone), llvm (every block
                      through LLVM: for tests) or interp (the IR interpreter);
                      tb-size: MiB of host code kept before the JIT flushes
                      it all (default 512); fastmem: user-mode memory
                      accesses through host-mapped guest pages instead of
                      the software TLB (default on; the x86-64 JIT only)
  -gdb DEV            the GDB stub on DEV: tcp::PORT, tcp:HOST:PORT or
                      unix:PATH; -s is -gdb tcp::1234
  -S                  start stopped (a debugger or the monitor continues)

Logging:
  -d ITEM,...         log items (-d help lists them: in_asm, int, guest_errors ...)
  -D FILE             write the log to FILE instead of stderr

Other:
  -version            print the version and exit
  -h, -help           print this help and exit

Exit status: 0 when the guest shut down or reset (-no-reboot), after Ctrl-A x,
and after SIGINT/SIGTERM/SIGHUP (like QEMU; the terminal is restored first);
1 after an error, reported as one line starting with "mimic: error:".
)";
}

}  // namespace mimic::cli
