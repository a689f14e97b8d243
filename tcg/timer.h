// Virtual time and timers. Timer callbacks run on the CPU thread, from the
// execution loop.
//
// By default virtual time is host monotonic time (nanoseconds since the
// machine started) and a helper thread wakes the CPU (Cpu::kick) when the
// earliest deadline passes.
//
// With -icount (setIcount) virtual time is counted in guest instructions
// instead: each one advances it by 2^shift ns, so the same inputs give the
// same outputs, timer interrupt for timer interrupt. Generated code takes
// each block's instruction count from CpuCommon::icount_budget at block
// entry; the budget runs out at the next deadline and the block that
// crosses it asks the loop to stop before the next one (exit_request), where
// the due timers run. Time so advances in whole blocks and timers fire at
// the first block boundary at or after their deadline: deterministic,
// though not to the instruction. While the CPU idles (wait), time jumps to
// the next deadline at once (sleep=off) or after the host time until it has
// passed (sleep=on, QEMU's default).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mimic::tcg {

class Cpu;

class TimerQueue {
 public:
  using Callback = std::function<void()>;
  explicit TimerQueue(Cpu& cpu);
  ~TimerQueue();

  int64_t nowNs() const;

  // While the machine is stopped (monitor, debugger) time stands still:
  // pause() freezes nowNs(), resume() continues from the same value. CPU
  // thread (or with the CPU stopped).
  void pause();
  void resume();

  // Instruction-counted time (see above); before the CPU first runs.
  void setIcount(int shift, bool sleep);
  bool icount() const { return icount_shift_ >= 0; }
  bool icountSleep() const { return icount_sleep_; }
  // -icount: the CPU is idle; moves time to the next deadline (returns false
  // if no timer is armed: nothing but a device can wake the guest then).
  // With sleep=on first waits host time for it, or until `woken` says so.
  bool icountIdle(const std::function<bool(int64_t wait_ns)>& sleep_host);
  // -icount: gives generated code the instructions until the next deadline.
  // CPU thread, at block boundaries (runDue() calls it).
  void rebudget(int64_t next_deadline);

  int add(Callback cb);                   // returns a timer id, not armed
  void arm(int id, int64_t deadline_ns);  // CPU thread
  void disarm(int id);                    // CPU thread
  // Runs due callbacks; returns the next deadline (INT64_MAX if none). CPU thread.
  int64_t runDue();

 private:
  void wakerLoop();
  int64_t icountNow() const;
  struct Timer {
    Callback cb;
    int64_t deadline;   // INT64_MAX when disarmed
  };
  Cpu& cpu_;
  std::atomic<int64_t> start_ns_;   // host time of virtual 0 (moves on at resume())
  std::atomic<int64_t> paused_at_ = -1;   // virtual time frozen at pause(); -1 running
  std::vector<Timer> timers_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t next_deadline_ = INT64_MAX;     // guarded by mu_
  bool quit_ = false;
  std::thread waker_;
  // -icount state (CPU thread). Time = warp_ns_ + executed << shift, where
  // executed = retired_ + (budget_given_ - CpuCommon::icount_budget).
  int icount_shift_ = -1;
  bool icount_sleep_ = true;
  int64_t retired_ = 0;        // instructions accounted before the current budget
  int32_t budget_given_ = 0;   // the budget generated code started from
  int64_t warp_ns_ = 0;        // idle time skipped over
};

}  // namespace mimic::tcg
