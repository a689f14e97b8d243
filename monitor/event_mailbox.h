// Where machine events wait for a QMP channel's thread, and how that thread
// is woken (for events, and to stop). Events are posted on the CPU thread by
// a MachineControl listener, which must be quick: post() only locks, queues
// and writes an eventfd.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "hw/core/machine_control.h"

namespace mimic::monitor {

struct TimedEvent {
  hw::MachineEvent event;
  // Host wall-clock time of the event, as QMP's "timestamp".
  int64_t seconds = 0;
  int64_t microseconds = 0;
};

// Wall-clock now, split as QMP's timestamp.
TimedEvent stampNow(const hw::MachineEvent& ev);

class EventMailbox {
 public:
  EventMailbox();
  ~EventMailbox();
  EventMailbox(const EventMailbox&) = delete;
  EventMailbox& operator=(const EventMailbox&) = delete;

  // Readable when wake() or post() was called since the last drainWakeups().
  int fd() const { return fd_; }
  void wake();
  void drainWakeups();

  // Any thread. At most kMaxQueued events wait; a client that does not read
  // loses the oldest rather than growing mimic's memory.
  void post(const TimedEvent& ev);
  std::vector<TimedEvent> take();
  void clear();

  static constexpr size_t kMaxQueued = 1024;

 private:
  int fd_ = -1;
  std::mutex mu_;
  std::deque<TimedEvent> queue_;
};

}  // namespace mimic::monitor
