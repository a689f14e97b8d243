// A hand-driven Clock for device tests: time moves only through advance(),
// which fires due timers in deadline order at their exact deadlines.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "hw/timer/clock.h"

namespace mimic::test {

class FakeClock : public hw::Clock {
 public:
  explicit FakeClock(int64_t start_ns = 0) : now_(start_ns) {}

  int64_t nowNs() override { return now_; }
  int addTimer(std::function<void()> cb) override {
    timers_.push_back({std::move(cb), kOff});
    return static_cast<int>(timers_.size() - 1);
  }
  void arm(int id, int64_t deadline_ns) override { timers_.at(static_cast<size_t>(id)).deadline = deadline_ns; }
  void disarm(int id) override { timers_.at(static_cast<size_t>(id)).deadline = kOff; }

  // Moves time to `t` (never backwards), running every timer due by then.
  void advanceTo(int64_t t) {
    for (;;) {
      size_t best = timers_.size();
      for (size_t i = 0; i < timers_.size(); i++) {
        if (timers_[i].deadline <= t && (best == timers_.size() || timers_[i].deadline < timers_[best].deadline))
          best = i;
      }
      if (best == timers_.size()) break;
      if (timers_[best].deadline > now_) now_ = timers_[best].deadline;
      timers_[best].deadline = kOff;
      fired_++;
      timers_[best].cb();
    }
    if (t > now_) now_ = t;
  }
  void advance(int64_t dt) { advanceTo(now_ + dt); }

  int64_t deadline(int id) const { return timers_.at(static_cast<size_t>(id)).deadline; }
  uint64_t fired() const { return fired_; }
  static constexpr int64_t kOff = INT64_MAX;

 private:
  struct Timer {
    std::function<void()> cb;
    int64_t deadline;
  };
  int64_t now_;
  uint64_t fired_ = 0;
  std::vector<Timer> timers_;
};

}  // namespace mimic::test
