// One -monitor or -qmp channel served on a thread of its own: stdio, or a
// listening socket with one client at a time (the next is accepted when the
// previous one has gone, as in QEMU). Each client gets a fresh session.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "monitor/event_mailbox.h"
#include "monitor/session.h"
#include "monitor/socket_listener.h"

namespace mimic::monitor {

class Channel {
 public:
  // listener null: stdio (stdin in, stdout out). The mailbox wakes the
  // thread for events and for stop().
  Channel(std::string label, std::unique_ptr<SocketListener> listener, SessionFactory factory,
          std::shared_ptr<EventMailbox> mailbox);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // QEMU's `wait`: blocks until the first client has connected, which the
  // thread then serves first.
  void waitForClient();
  void start();
  // Ends the thread (a client still connected is disconnected), closes the
  // listening socket. Idempotent.
  void stop();

  const std::string& label() const { return label_; }
  int port() const { return listener_ ? listener_->port() : 0; }

 private:
  void run();
  void serve(int in_fd, int out_fd, bool is_socket);
  int acceptNext();

  std::string label_;
  std::unique_ptr<SocketListener> listener_;
  SessionFactory factory_;
  std::shared_ptr<EventMailbox> mailbox_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int first_client_ = -1;  // accepted by waitForClient()
};

}  // namespace mimic::monitor
