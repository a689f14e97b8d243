// Virtual time and timers. Time is host monotonic time (nanoseconds since
// the machine started) except while the machine is stopped. Timer callbacks
// run on the CPU thread, from the execution loop; a helper thread only
// wakes the CPU (Cpu::kick) when the earliest deadline passes.
#pragma once

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

  int add(Callback cb);                   // returns a timer id, not armed
  void arm(int id, int64_t deadline_ns);  // CPU thread
  void disarm(int id);                    // CPU thread
  // Runs due callbacks; returns the next deadline (INT64_MAX if none). CPU thread.
  int64_t runDue();

 private:
  void wakerLoop();
  struct Timer {
    Callback cb;
    int64_t deadline;   // INT64_MAX when disarmed
  };
  Cpu& cpu_;
  int64_t start_ns_;
  std::vector<Timer> timers_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t next_deadline_ = INT64_MAX;     // guarded by mu_
  bool quit_ = false;
  std::thread waker_;
};

}  // namespace mimic::tcg
