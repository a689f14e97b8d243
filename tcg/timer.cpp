#include "tcg/timer.h"

#include <chrono>

#include "tcg/cpu.h"

namespace mimic::tcg {

namespace {
int64_t hostNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

TimerQueue::TimerQueue(Cpu& cpu) : cpu_(cpu), start_ns_(hostNs()) {
  waker_ = std::thread([this] { wakerLoop(); });
}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard<std::mutex> g(mu_);
    quit_ = true;
  }
  cv_.notify_all();
  waker_.join();
}

int64_t TimerQueue::nowNs() const { return hostNs() - start_ns_; }

int TimerQueue::add(Callback cb) {
  timers_.push_back({std::move(cb), INT64_MAX});
  return int(timers_.size() - 1);
}

void TimerQueue::arm(int id, int64_t deadline_ns) {
  timers_[id].deadline = deadline_ns;
  std::lock_guard<std::mutex> g(mu_);
  if (deadline_ns < next_deadline_) {
    next_deadline_ = deadline_ns;
    cv_.notify_all();
  }
}

void TimerQueue::disarm(int id) { timers_[id].deadline = INT64_MAX; }

int64_t TimerQueue::runDue() {
  const int64_t now = nowNs();
  int64_t next = INT64_MAX;
  for (size_t i = 0; i < timers_.size(); i++) {
    if (timers_[i].deadline <= now) {
      timers_[i].deadline = INT64_MAX;
      timers_[i].cb();   // may re-arm
    }
  }
  for (const Timer& t : timers_) next = std::min(next, t.deadline);
  std::lock_guard<std::mutex> g(mu_);
  next_deadline_ = next;
  cv_.notify_all();
  return next;
}

void TimerQueue::wakerLoop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!quit_) {
    if (next_deadline_ == INT64_MAX) {
      cv_.wait(lk);
      continue;
    }
    const int64_t wait = next_deadline_ - nowNs();
    if (wait > 0) {
      cv_.wait_for(lk, std::chrono::nanoseconds(wait));
      continue;
    }
    // Due: wake the CPU, which runs the callbacks and reports the next deadline.
    next_deadline_ = INT64_MAX;
    cpu_.kick();
  }
}

}  // namespace mimic::tcg
