// The machine-independent part of MachineControl: the run state (running,
// paused, stopped by the debugger), work posted to the CPU thread, events,
// debug memory access, and the debugger's operations. A machine owns one,
// calls it from its run loop (the CPU thread) and gives it hooks for what
// only the machine knows (its reset, its info reports, how to quit).
//
// How other threads reach guest state: runOnCpu() queues a function and
// waits. The CPU thread runs the queue at block boundaries (from the
// machine's event pump) while running, and in waitWhilePaused() while
// stopped, so guest state is only ever touched by the CPU thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "hw/core/machine_control.h"
#include "tcg/cpu.h"
#include "tcg/debug.h"

namespace mimic::hw {

class RunControl : public MachineControl {
 public:
  struct Hooks {
    std::function<void()> reset;                                // CPU thread: power-on reset of the machine
    std::function<std::string(const std::string&)> info;        // CPU thread: info reports
    std::function<void(int)> quit;                              // any thread: end the machine's run()
  };
  // start_paused: -S (status "prelaunch" until the first resume).
  RunControl(tcg::Cpu& cpu, Hooks hooks, bool start_paused);

  // ---- the machine's run loop (CPU thread) ----
  // Blocks while stopped, running posted work, until resumed or `quitting`
  // says so (the machine calls wake() when it sets that).
  void waitWhilePaused(const std::function<bool()>& quitting);
  // cpu.run() returned Paused or Debug: enter the stopped state (Stop event).
  void cpuStopped(tcg::StopReason why);
  // The guest reset the machine / powered it off (Reset / Shutdown events).
  // With -no-shutdown the machine stays: shutdownStay() stops it.
  void guestReset();
  void guestShutdown();
  void shutdownStay();
  // Runs work posted by other threads (from the event pump).
  void runPosted();
  // Wakes waitWhilePaused() (the machine is quitting).
  void wake();
  // The run loop has ended: from now on posted work is dropped and
  // pause() returns at once, so no other thread waits for a gone CPU.
  void close();

  // ---- MachineControl ----
  void pause() override;
  void resume() override;
  bool running() const override;
  std::string status() const override;
  void reset() override;
  void powerdown() override;
  void quit() override;
  int addListener(std::function<void(const MachineEvent&)> fn) override;
  void removeListener(int id) override;
  bool readMemory(uint64_t addr, bool physical, void* buf, size_t len) override;
  bool writeMemory(uint64_t addr, bool physical, const void* buf, size_t len) override;
  std::string info(const std::string& what) override;
  bool bigEndian() const override { return big_endian_; }

  // ---- the debugger (any thread but the CPU's) ----
  // Runs fn on the CPU thread and waits for it.
  void runOnCpu(const std::function<void(tcg::Cpu&)>& fn);
  // Resumes for one instruction (step) or until something stops the CPU;
  // a breakpoint at the current PC does not stop it again at once.
  void debugResume(bool step);
  // Breakpoints (Z0/Z1) and watchpoints (Z2-Z4). False if not supported.
  bool insertPoint(DebugPointKind kind, uint64_t addr, uint64_t len);
  bool removePoint(DebugPointKind kind, uint64_t addr, uint64_t len);
  // Drops every breakpoint and watchpoint and stops stepping (detach).
  void clearDebugState();

 private:
  enum class State { Running, Paused, Prelaunch, Debug, Shutdown };
  void emit(const MachineEvent& ev);
  void enterStopped(State s, const MachineEvent& ev);
  bool debugAccess(uint64_t addr, bool physical, uint8_t* buf, size_t len, bool write);

  tcg::Cpu& cpu_;
  Hooks hooks_;
  const bool big_endian_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  State state_;
  bool stop_requested_ = false;   // pause() waits for the CPU to stop
  bool closed_ = false;
  struct Work {
    std::function<void(tcg::Cpu&)> fn;
    bool done = false;
  };
  std::deque<Work*> queue_;
  std::map<int, std::function<void(const MachineEvent&)>> listeners_;
  int next_listener_ = 1;
  std::mutex listeners_mu_;
};

}  // namespace mimic::hw
