// A listening socket for one monitor channel (unix or tcp). Bound when the
// channel is opened, so a taken address or an unwritable path is an error
// before the guest runs; accepting is the channel thread's job.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "monitor/channel_spec.h"

namespace mimic::monitor {

class SocketListener {
 public:
  // Listens as `spec` says (Unix or Tcp). On error returns nullptr and sets
  // err to one line naming the option (`option` is "-monitor" or "-qmp").
  static std::unique_ptr<SocketListener> open(const std::string& option, const ChannelSpec& spec, std::string& err);
  ~SocketListener();
  SocketListener(const SocketListener&) = delete;
  SocketListener& operator=(const SocketListener&) = delete;

  int fd() const { return fd_; }
  // Accepts one pending client (non-blocking). Returns its fd (close-on-exec,
  // non-blocking) or -1 when none is waiting.
  int acceptClient();
  // The TCP port actually bound (the spec may say 0).
  int port() const { return port_; }

 private:
  SocketListener() = default;
  int fd_ = -1;
  int port_ = 0;
  // The unix socket file we created, removed again on close (as QEMU does)
  // unless something else replaced it meanwhile.
  std::string unix_path_;
  dev_t unix_dev_ = 0;
  ino_t unix_ino_ = 0;
};

}  // namespace mimic::monitor
