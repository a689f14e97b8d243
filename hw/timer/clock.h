// A small clock interface for timer devices (RTC, PIT), so they can be
// tested without a CPU: virtual time in nanoseconds and one-shot timers
// whose callbacks run on the CPU thread. TimerQueueClock adapts the
// engine's tcg::TimerQueue; tests drive a fake clock by hand.
#pragma once

#include <cstdint>
#include <functional>

#include "tcg/timer.h"

namespace mimic::hw {

struct Clock {
  virtual ~Clock() = default;
  virtual int64_t nowNs() = 0;
  // A new timer, not armed; the id is for arm()/disarm().
  virtual int addTimer(std::function<void()> cb) = 0;
  // (Re)arms timer `id` to fire once at `deadline_ns` (late if already past).
  virtual void arm(int id, int64_t deadline_ns) = 0;
  virtual void disarm(int id) = 0;
};

class TimerQueueClock : public Clock {
 public:
  explicit TimerQueueClock(tcg::TimerQueue& q) : q_(&q) {}
  int64_t nowNs() override { return q_ ? q_->nowNs() : 0; }
  int addTimer(std::function<void()> cb) override { return q_ ? q_->add(std::move(cb)) : -1; }
  void arm(int id, int64_t deadline_ns) override {
    if (q_) q_->arm(id, deadline_ns);
  }
  void disarm(int id) override {
    if (q_) q_->disarm(id);
  }
  // The queue (the CPU's) is going away before the devices: from now on
  // arming and disarming do nothing, so devices may disarm their timers in
  // their destructors whatever the teardown order.
  void detach() { q_ = nullptr; }

 private:
  tcg::TimerQueue* q_;
};

}  // namespace mimic::hw
