// The GDB stub's listener: -gdb tcp::PORT | tcp:HOST:PORT | unix:PATH
// (-s is tcp::1234). One gdb at a time; after it detaches or disconnects
// the next may connect. A thread of its own polls the socket and the
// machine's events (an eventfd the event listener signals), so a stop is
// reported while gdb waits, and Ctrl-C reaches a running guest.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "hw/core/run_control.h"

namespace mimic::debug {

class GdbServer {
 public:
  // Listens on `spec`. On failure returns nullptr and sets err to one line
  // ("-gdb tcp::1234: Address already in use").
  static std::unique_ptr<GdbServer> start(const std::string& spec, hw::RunControl& ctl, std::string& err);
  // Stops the thread and closes the sockets (before the machine goes away).
  ~GdbServer();

  // The TCP port listened on (useful with tcp::0), or 0 for a Unix socket.
  int port() const { return port_; }

 private:
  GdbServer(hw::RunControl& ctl, int listen_fd, int port, std::string unix_path);
  void loop();
  void serve(int fd);

  hw::RunControl& ctl_;
  int listen_fd_;
  int port_;
  std::string unix_path_;
  int wake_fd_ = -1;            // eventfd: machine events queued, or stop
  std::atomic<bool> quit_{false};
  std::mutex mu_;
  std::deque<hw::MachineEvent> events_;
  int listener_id_ = 0;
  std::thread thread_;
};

}  // namespace mimic::debug
