#include "hw/core/run_control.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "hw/core/memory.h"
#include "tcg/exec.h"

namespace mimic::hw {

namespace {

DebugStop toDebugStop(const tcg::DebugStopInfo& s) {
  DebugStop d;
  switch (s.kind) {
    case tcg::DebugStopInfo::Kind::Breakpoint: d.kind = DebugStop::Kind::Breakpoint; break;
    case tcg::DebugStopInfo::Kind::Step: d.kind = DebugStop::Kind::Step; break;
    case tcg::DebugStopInfo::Kind::Watch:
      d.kind = DebugStop::Kind::Watch;
      d.watch_addr = s.watch_addr;
      d.access = s.watch_read && s.watch_write ? DebugStop::Access::Access
                 : s.watch_read                ? DebugStop::Access::Read
                                               : DebugStop::Access::Write;
      break;
    case tcg::DebugStopInfo::Kind::None: break;
  }
  return d;
}

}  // namespace

RunControl::RunControl(tcg::Cpu& cpu, Hooks hooks, bool start_paused)
    : cpu_(cpu), hooks_(std::move(hooks)), big_endian_(cpu.bigEndian()),
      state_(start_paused ? State::Prelaunch : State::Running) {
  if (start_paused) cpu_.engine().timers().pause();
}

// ---------------------------------------------------------------------------
// The run loop's side (CPU thread)

void RunControl::waitWhilePaused(const std::function<bool()>& quitting) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    while (!queue_.empty()) {
      Work* w = queue_.front();
      queue_.pop_front();
      lock.unlock();
      w->fn(cpu_);
      lock.lock();
      w->done = true;
      cv_.notify_all();
    }
    if (quitting()) return;
    if (state_ == State::Running) break;
    cv_.wait(lock);
  }
  lock.unlock();
}

void RunControl::runPosted() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!queue_.empty()) {
    Work* w = queue_.front();
    queue_.pop_front();
    lock.unlock();
    w->fn(cpu_);
    lock.lock();
    w->done = true;
    cv_.notify_all();
  }
}

void RunControl::close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  for (Work* w : queue_) w->done = true;
  queue_.clear();
  stop_requested_ = false;
  cv_.notify_all();
}

void RunControl::wake() {
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

void RunControl::enterStopped(State s, const MachineEvent& ev) {
  cpu_.engine().timers().pause();   // time stands still while stopped
  // Listeners hear of the stop before pause() returns to its caller, so a
  // caller never sees the event of its own pause arrive later.
  emit(ev);
  std::lock_guard<std::mutex> lock(mu_);
  state_ = s;
  stop_requested_ = false;
  cv_.notify_all();
}

void RunControl::cpuStopped(tcg::StopReason why) {
  MachineEvent ev{MachineEvent::Kind::Stop, "pause"};
  State s = State::Paused;
  if (why == tcg::StopReason::Debug) {
    ev.reason = "debug";
    ev.debug = toDebugStop(cpu_.engine().debug().stop);
    s = State::Debug;
  }
  enterStopped(s, ev);
}

void RunControl::guestReset() { emit(MachineEvent{MachineEvent::Kind::Reset, "guest-reset", true}); }

void RunControl::guestShutdown() { emit(MachineEvent{MachineEvent::Kind::Shutdown, "guest-shutdown", true}); }

void RunControl::shutdownStay() { enterStopped(State::Shutdown, MachineEvent{MachineEvent::Kind::Stop, "shutdown"}); }

void RunControl::emit(const MachineEvent& ev) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  for (auto& [id, fn] : listeners_) fn(ev);
}

// ---------------------------------------------------------------------------
// MachineControl

void RunControl::pause() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running || closed_) return;
    stop_requested_ = true;
  }
  cpu_.requestStop(tcg::StopReason::Paused);
  std::unique_lock<std::mutex> lock(mu_);
  // Stopped, or the machine ended (quit) before it could stop.
  cv_.wait(lock, [this] { return state_ != State::Running || !stop_requested_; });
}

void RunControl::resume() {
  bool resumed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != State::Running && state_ != State::Shutdown) {
      state_ = State::Running;
      resumed = true;
      cv_.notify_all();
    }
  }
  if (!resumed) return;
  // The CPU thread restarts time and announces it (listeners run there).
  runOnCpu([this](tcg::Cpu& cpu) {
    cpu.engine().timers().resume();
    emit(MachineEvent{MachineEvent::Kind::Resume});
  });
}

bool RunControl::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_ == State::Running;
}

std::string RunControl::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  switch (state_) {
    case State::Running: return "running";
    case State::Paused: return "paused";
    case State::Prelaunch: return "prelaunch";
    case State::Debug: return "debug";
    case State::Shutdown: return "shutdown";
  }
  return "running";
}

void RunControl::reset() {
  runOnCpu([this](tcg::Cpu&) {
    if (hooks_.reset) hooks_.reset();
    emit(MachineEvent{MachineEvent::Kind::Reset, "host-qmp-system-reset", false});
  });
}

void RunControl::powerdown() {
  runOnCpu([this](tcg::Cpu&) { emit(MachineEvent{MachineEvent::Kind::Powerdown}); });
}

void RunControl::quit() {
  runOnCpu([this](tcg::Cpu&) { emit(MachineEvent{MachineEvent::Kind::Shutdown, "host-qmp-quit", false}); });
  if (hooks_.quit) hooks_.quit(0);
  wake();
}

int RunControl::addListener(std::function<void(const MachineEvent&)> fn) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_[next_listener_] = std::move(fn);
  return next_listener_++;
}

void RunControl::removeListener(int id) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.erase(id);
}

void RunControl::runOnCpu(const std::function<void(tcg::Cpu&)>& fn) {
  Work w{fn};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    queue_.push_back(&w);
    cv_.notify_all();   // a stopped CPU thread waits on cv_
  }
  cpu_.kick();          // a running one looks at the queue at its next block boundary
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return w.done; });
}

// ---------------------------------------------------------------------------
// Memory

bool RunControl::debugAccess(uint64_t addr, bool physical, uint8_t* buf, size_t len, bool write) {
  tcg::ExecEngine& eng = cpu_.engine();
  AddressSpace& as = cpu_.addressSpace();
  const int mmu_idx = cpu_.mmuIndex(cpu_.tbFlags());
  size_t done = 0;
  while (done < len) {
    const uint64_t va = addr + done;
    uint64_t pa = va;
    if (!physical) {
      tcg::TranslationResult tr;
      if (!cpu_.mmuTranslate(va, write ? tcg::AccessType::Write : tcg::AccessType::Read, mmu_idx, false, tr) &&
          !cpu_.mmuTranslate(va, tcg::AccessType::Fetch, mmu_idx, false, tr))
        return false;
      pa = tr.paddr | (va & (tcg::kPageSize - 1));
    }
    const size_t chunk = std::min<size_t>(len - done, tcg::kPageSize - (pa & (tcg::kPageSize - 1)));
    if (uint8_t* host = as.hostPtr(pa)) {
      const Region* r = as.find(pa);
      if (!r || !r->contains(pa + chunk - 1)) return false;
      if (write) {
        std::memcpy(host, buf + done, chunk);   // a debugger may patch ROM too
        if (eng.pageHasCode(pa & tcg::kPageMask)) eng.invalidatePhysPage(pa & tcg::kPageMask);
      } else {
        std::memcpy(buf + done, host, chunk);
      }
    } else {
      for (size_t i = 0; i < chunk; i++) {
        bool ok = true;
        if (write) as.write(pa + i, buf[done + i], 1, big_endian_, &ok);
        else buf[done + i] = uint8_t(as.read(pa + i, 1, big_endian_, &ok));
        if (!ok) return false;
      }
    }
    done += chunk;
  }
  return true;
}

bool RunControl::readMemory(uint64_t addr, bool physical, void* buf, size_t len) {
  bool ok = false;
  runOnCpu([&](tcg::Cpu&) { ok = debugAccess(addr, physical, static_cast<uint8_t*>(buf), len, false); });
  return ok;
}

bool RunControl::writeMemory(uint64_t addr, bool physical, const void* buf, size_t len) {
  bool ok = false;
  std::vector<uint8_t> copy(static_cast<const uint8_t*>(buf), static_cast<const uint8_t*>(buf) + len);
  runOnCpu([&](tcg::Cpu&) { ok = debugAccess(addr, physical, copy.data(), len, true); });
  return ok;
}

std::string RunControl::info(const std::string& what) {
  std::string out;
  runOnCpu([&](tcg::Cpu& cpu) {
    if (what == "registers") out = cpu.dumpState();
    else if (what == "jit") out = cpu.engine().statsReport();
    else if (hooks_.info) out = hooks_.info(what);
  });
  return out;
}

// ---------------------------------------------------------------------------
// The debugger

void RunControl::debugResume(bool step) {
  runOnCpu([step](tcg::Cpu& cpu) {
    tcg::ExecEngine& eng = cpu.engine();
    eng.debug().single_step = step;
    eng.debug().step_over_bp = eng.hasBreakpoint(cpu.pc());
  });
  resume();
}

bool RunControl::insertPoint(DebugPointKind kind, uint64_t addr, uint64_t len) {
  runOnCpu([&](tcg::Cpu& cpu) {
    tcg::ExecEngine& eng = cpu.engine();
    if (kind == DebugPointKind::Software || kind == DebugPointKind::Hardware) {
      eng.insertBreakpoint(addr);
    } else {
      tcg::Watchpoint w{addr, len ? len : 1, kind != DebugPointKind::WatchWrite, kind != DebugPointKind::WatchRead};
      eng.insertWatchpoint(w);
    }
  });
  return true;
}

bool RunControl::removePoint(DebugPointKind kind, uint64_t addr, uint64_t len) {
  bool ok = true;
  runOnCpu([&](tcg::Cpu& cpu) {
    tcg::ExecEngine& eng = cpu.engine();
    if (kind == DebugPointKind::Software || kind == DebugPointKind::Hardware) {
      ok = eng.hasBreakpoint(addr);
      eng.removeBreakpoint(addr);
    } else {
      tcg::Watchpoint w{addr, len ? len : 1, kind != DebugPointKind::WatchWrite, kind != DebugPointKind::WatchRead};
      ok = eng.removeWatchpoint(w);
    }
  });
  return ok;
}

void RunControl::clearDebugState() {
  runOnCpu([](tcg::Cpu& cpu) {
    tcg::ExecEngine& eng = cpu.engine();
    std::vector<uint64_t> bps(eng.debug().breakpoints.begin(), eng.debug().breakpoints.end());
    for (uint64_t pc : bps) eng.removeBreakpoint(pc);
    while (!eng.debug().watchpoints.empty()) eng.removeWatchpoint(eng.debug().watchpoints.back());
    eng.debug().single_step = false;
    eng.debug().step_over_bp = false;
  });
}

}  // namespace mimic::hw
