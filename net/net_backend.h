// The link between a network card (the frontend: a NIC model) and a network
// backend (user-mode networking through libslirp, or a test double).
//
// Frames are whole Ethernet frames without the frame check sequence: the
// destination MAC first, at most a few KiB.
//
// Threads, as for character devices (hw/char/chardev.h):
//  - transmit: the NIC calls NetBackend::send() on the CPU thread; a backend
//    with a thread of its own queues the frame and wakes that thread.
//  - receive: a backend's thread queues frames with postFrame() and calls
//    the `notify` given to start() (thread-safe: the machine passes a CPU
//    kick). The machine's event pump then calls pump() on the CPU thread,
//    which hands queued frames to the NIC while it canReceive(). A NIC that
//    has room again (the guest gave back receive descriptors) calls pump()
//    itself; frames left queued wait for that.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace mimic::net {

using MacAddr = std::array<uint8_t, 6>;

// QEMU's default MAC address for the first NIC (52:54:00:12:34:56).
constexpr MacAddr kDefaultMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

// Implemented by NIC models. CPU thread only.
class NetFrontend {
 public:
  virtual ~NetFrontend() = default;
  // Whether the NIC takes a frame now. False keeps frames queued in the
  // backend until the NIC calls pump(). A NIC that is stopped and would
  // drop frames anyway returns true (and drops them in receive()).
  virtual bool canReceive() = 0;
  virtual void receive(const uint8_t* frame, size_t len) = 0;
};

class NetBackend {
 public:
  // Frames queued beyond this are dropped (TCP retransmits; a NIC whose
  // guest never starts it must not make the queue grow for ever).
  static constexpr size_t kMaxQueuedFrames = 1024;

  virtual ~NetBackend() = default;
  NetBackend(const NetBackend&) = delete;
  NetBackend& operator=(const NetBackend&) = delete;

  // A frame from the guest. CPU thread.
  virtual void send(const uint8_t* frame, size_t len) = 0;

  // The NIC receiving this backend's frames (at most one; nullptr detaches).
  // CPU thread, before start() or while the machine is stopped.
  void attach(NetFrontend* fe) { fe_ = fe; }
  NetFrontend* frontend() const { return fe_; }

  // Sets the thread-safe `notify` called after frames were queued (once per
  // transition of the queue from empty to non-empty). Called once, on the
  // CPU thread; a backend with its own thread may already be running.
  virtual void start(std::function<void()> notify) {
    bool have;
    {
      std::lock_guard<std::mutex> lock(mu_);
      notify_ = std::move(notify);
      have = !queue_.empty();
    }
    if (have && notify_) notify_();
  }

  // CPU thread: hands queued frames to the NIC while it accepts them.
  // Reentrant calls (the NIC calling pump() from receive()) return at once.
  void pump() {
    if (!fe_ || pumping_) return;
    pumping_ = true;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queue_.empty()) break;
      }
      // Only this thread takes frames out: the queue stays non-empty.
      if (!fe_->canReceive()) break;
      std::vector<uint8_t> frame;
      {
        std::lock_guard<std::mutex> lock(mu_);
        frame = std::move(queue_.front());
        queue_.pop_front();
      }
      // Deliver outside the lock: the NIC may do anything on the CPU thread.
      fe_->receive(frame.data(), frame.size());
    }
    pumping_ = false;
  }

  // Frames queued for the NIC and not yet delivered; frames dropped because
  // the queue was full.
  size_t pending() {
    std::lock_guard<std::mutex> lock(mu_);
    return queue_.size();
  }
  uint64_t dropped() {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }

 protected:
  NetBackend() = default;

  // Any thread: queues a frame for the NIC.
  void postFrame(const uint8_t* frame, size_t len) {
    std::function<void()> notify;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.size() >= kMaxQueuedFrames) {
        dropped_++;
        return;
      }
      bool was_empty = queue_.empty();
      queue_.emplace_back(frame, frame + len);
      if (was_empty) notify = notify_;
    }
    if (notify) notify();
  }

 private:
  std::mutex mu_;
  std::deque<std::vector<uint8_t>> queue_;
  std::function<void()> notify_;
  uint64_t dropped_ = 0;
  NetFrontend* fe_ = nullptr;
  bool pumping_ = false;  // CPU thread only
};

}  // namespace mimic::net
