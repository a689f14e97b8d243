#include "monitor/event_mailbox.h"

#include <sys/eventfd.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>

namespace mimic::monitor {

TimedEvent stampNow(const hw::MachineEvent& ev) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  return TimedEvent{ev, tv.tv_sec, tv.tv_usec};
}

EventMailbox::EventMailbox() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) std::abort();  // only without file descriptors left; nothing sensible to do
}

EventMailbox::~EventMailbox() { close(fd_); }

void EventMailbox::wake() {
  uint64_t one = 1;
  // Fails only when the counter would overflow, i.e. a wake-up is pending anyway.
  (void)!write(fd_, &one, sizeof one);
}

void EventMailbox::drainWakeups() {
  uint64_t n;
  (void)!read(fd_, &n, sizeof n);
}

void EventMailbox::post(const TimedEvent& ev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueued) queue_.pop_front();
    queue_.push_back(ev);
  }
  wake();
}

std::vector<TimedEvent> EventMailbox::take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TimedEvent> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

void EventMailbox::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.clear();
}

}  // namespace mimic::monitor
