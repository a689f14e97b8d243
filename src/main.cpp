// mimic: the command-line emulator.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "frontends/mips/mips_cpu.h"
#include "hw/char/chardev.h"
#include "debug/gdb_server.h"
#include "hw/core/machine.h"
#include "hw/core/run_control.h"
#include "monitor/monitors.h"
#include "src/mimic_version.h"
#include "src/options.h"
#include "tcg/region.h"
#include "util/log.h"

namespace {

using namespace mimic;

int fail(const std::string& msg) {
  std::fprintf(stderr, "mimic: error: %s\n", msg.c_str());
  return 1;
}

// SIGINT, SIGTERM and SIGHUP are taken by a thread of their own (blocked in
// every other thread): the machine is asked to stop, and if it has not
// within a short while (or a second signal comes), the terminal is restored
// and the process leaves at once.
class SignalHandling {
 public:
  SignalHandling() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGHUP);
    sigaddset(&set_, SIGUSR2);  // ends the thread at exit
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a closed stdout must not kill us
  }

  void start(hw::Machine* m) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      machine_ = m;
    }
    thread_ = std::thread([this] { loop(); });
  }

  // The machine is about to go away.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      machine_ = nullptr;
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      pthread_kill(thread_.native_handle(), SIGUSR2);
      thread_.join();
    }
  }

 private:
  void loop() {
    bool stopping = false;
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      std::unique_lock<std::mutex> lock(mu_);
      if (sig == SIGUSR2 || done_) return;
      if (stopping) {
        hw::restoreTerminal();
        _exit(0);
      }
      stopping = true;
      std::fprintf(stderr, "mimic: terminating on signal %d\n", sig);
      if (machine_) machine_->requestQuit(0);
      // Give the CPU two seconds to reach a point where it can stop.
      std::thread([this] {
        std::unique_lock<std::mutex> l(mu_);
        if (!cv_.wait_for(l, std::chrono::seconds(2), [this] { return done_; })) {
          hw::restoreTerminal();
          _exit(0);
        }
      }).detach();
    }
  }

  sigset_t set_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  hw::Machine* machine_ = nullptr;
  bool done_ = false;
};

void listMachines() {
  std::printf("Supported machines are:\n");
  for (const auto& [name, desc] : hw::machineList()) std::printf("%-20s %s (default)\n", name.c_str(), desc.c_str());
}

void listCpus() {
  std::printf("Available CPU models (malta):\n");
  for (const std::string& n : mips::cpuModelNames()) std::printf("  %s\n", n.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cli::Options o;
  std::string err;
  if (!cli::parseOptions(args, o, err)) return fail(err);
  if (o.help) {
    std::fputs(cli::helpText().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::printf("mimic version %s\n", MIMIC_VERSION);
    return 0;
  }
  if (o.list_log_items) {
    std::printf("Log items (comma separated):\n%s", log::categoryHelp().c_str());
    return 0;
  }
  if (o.list_machines) {
    listMachines();
    return 0;
  }
  if (o.list_cpus) {
    listCpus();
    return 0;
  }
  if (!o.log_items.empty()) {
    uint32_t mask = 0;
    std::string bad;
    if (!log::parseCategories(o.log_items, mask, bad))
      return fail("-d: unknown log item '" + bad + "' (see -d help)");
    log::g_mask = mask;
  }
  if (!o.log_file.empty() && !log::openLogFile(o.log_file, err)) return fail("-D: " + err);

  // Before any thread exists, so that all inherit the signal mask; never
  // freed, as its watchdog thread may outlive main().
  SignalHandling& signals = *new SignalHandling;
  o.machine.warn = [](const std::string& msg) { std::fprintf(stderr, "mimic: warning: %s\n", msg.c_str()); };
  std::unique_ptr<hw::Machine> machine = hw::createMachine(o.machine, err);
  if (!machine) return fail(err);
  // The GDB stub (-gdb, -s): listening before the guest runs (-S waits for it).
  std::unique_ptr<debug::GdbServer> gdb;
  if (!o.gdb.empty()) {
    auto* ctl = dynamic_cast<hw::RunControl*>(&machine->control());
    if (!ctl) return fail("-gdb: this machine has no debugger support");
    gdb = debug::GdbServer::start(o.gdb, *ctl, err);
    if (!gdb) return fail(err);
  }
  signals.start(machine.get());
  // ---- monitor/: -monitor and -qmp (begin) ----
  // After signals.start(): a channel in `wait` mode blocks here until its
  // first client connects, and Ctrl-C must still end mimic meanwhile.
  std::unique_ptr<monitor::Monitors> monitors =
      monitor::startMonitors(o.monitor, o.qmp, o.machine, machine->control(), err);
  if (!monitors) {
    signals.stop();
    return fail(err);
  }
  // ---- monitor/ (end) ----
  int code = machine->run();
  monitors.reset();  // monitor/: channels stop before the machine goes
  signals.stop();
  gdb.reset();
  machine.reset();
  hw::restoreTerminal();
  if (log::g_file) std::fflush(log::g_file);
  // A region compile left running at shutdown must not see the static
  // destructors run under it (tcg/region.h).
  if (tcg::regionCompilerAbandoned()) {
    std::fflush(nullptr);
    std::_Exit(code);
  }
  return code;
}
