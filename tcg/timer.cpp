#include "tcg/timer.h"

#include <algorithm>
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

int64_t TimerQueue::nowNs() const {
  if (icount_shift_ >= 0) return icountNow();   // stands still by itself while nothing runs
  const int64_t frozen = paused_at_.load();
  return frozen >= 0 ? frozen : hostNs() - start_ns_.load();
}

void TimerQueue::pause() {
  if (icount_shift_ >= 0 || paused_at_.load() >= 0) return;
  paused_at_ = hostNs() - start_ns_.load();
}

void TimerQueue::resume() {
  const int64_t frozen = paused_at_.load();
  if (frozen < 0) return;
  start_ns_ = hostNs() - frozen;
  paused_at_ = -1;
  std::lock_guard<std::mutex> g(mu_);
  cv_.notify_all();   // the waker recomputes its wait
}

void TimerQueue::setIcount(int shift, bool sleep) {
  icount_shift_ = shift;
  icount_sleep_ = sleep;
  retired_ = 0;
  warp_ns_ = 0;
  budget_given_ = 0;
  cpu_.common().icount_budget = 0;
}

int64_t TimerQueue::icountNow() const {
  const int64_t executed = retired_ + (int64_t(budget_given_) - cpu_.common().icount_budget);
  return warp_ns_ + (executed << icount_shift_);
}

void TimerQueue::rebudget(int64_t next_deadline) {
  if (icount_shift_ < 0) return;
  CpuCommon& c = cpu_.common();
  retired_ += int64_t(budget_given_) - c.icount_budget;
  // Up to ~1e9 instructions at a time: the counter is 32-bit and may go
  // below zero by one block.
  constexpr int64_t kMaxBudget = 1 << 30;
  int64_t budget = kMaxBudget;
  if (next_deadline != INT64_MAX) {
    const int64_t left_ns = next_deadline - icountNow();
    budget = left_ns <= 0 ? 0 : std::min(kMaxBudget, ((left_ns - 1) >> icount_shift_) + 1);
  }
  budget_given_ = int32_t(budget);
  c.icount_budget = budget_given_;
}

bool TimerQueue::icountIdle(const std::function<bool(int64_t wait_ns)>& sleep_host) {
  int64_t next = INT64_MAX;
  for (const Timer& t : timers_) next = std::min(next, t.deadline);
  if (next == INT64_MAX) return false;
  const int64_t now = icountNow();
  if (next > now) {
    // sleep=on: let host time pass first (a device may wake the guest sooner).
    if (icount_sleep_) {
      const int64_t t0 = hostNs();
      if (sleep_host(next - now)) {
        warp_ns_ += std::min(next - now, hostNs() - t0);
        return true;
      }
    }
    warp_ns_ += next - now;
  }
  return true;
}

int TimerQueue::add(Callback cb) {
  timers_.push_back({std::move(cb), INT64_MAX});
  return int(timers_.size() - 1);
}

void TimerQueue::arm(int id, int64_t deadline_ns) {
  timers_[id].deadline = deadline_ns;
  if (icount_shift_ >= 0) {
    // An earlier deadline shortens the running budget; the loop re-budgets
    // from all timers at its next stop anyway.
    const int64_t left = deadline_ns - icountNow();
    const int64_t insns = left <= 0 ? 0 : ((left - 1) >> icount_shift_) + 1;
    CpuCommon& c = cpu_.common();
    if (insns < c.icount_budget) rebudget(deadline_ns);
    return;
  }
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
  if (icount_shift_ >= 0) {
    rebudget(next);   // no waker: the budget ends the run at the deadline
    return next;
  }
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
