// User-mode networking (-netdev user) through libslirp: a virtual network
// with a gateway that NATs the guest's TCP and UDP onto the host's sockets,
// a DHCP server, a DNS forwarder and host port forwarding (hostfwd=).
//
// libslirp is not thread-safe, so one thread of the backend's own makes
// every slirp_* call: it sleeps in poll(2) on slirp's sockets and an
// eventfd, runs slirp's timers (host monotonic time, not the guest's
// virtual time: slirp talks to real sockets), feeds it the guest's frames
// that send() queued (CPU thread) and queues the frames slirp emits for
// pump() (see net/net_backend.h), calling the notify given to start().
#pragma once

#include <memory>
#include <string>

#include "net/net_backend.h"
#include "net/netdev_spec.h"

namespace mimic::net {

class SlirpBackend : public NetBackend {
 public:
  // Starts the slirp thread with `opts` and sets up the host forwarding
  // rules. On failure (a hostfwd port already taken, no eventfd...) returns
  // nullptr and sets err to one line, e.g. "could not set up host
  // forwarding rule 'tcp::5555-:22': Address already in use".
  static std::unique_ptr<SlirpBackend> create(const UserNetOptions& opts, std::string& err);
  // Stops and joins the thread; slirp's sockets are closed.
  ~SlirpBackend() override;

  // CPU thread: queues the frame and wakes the slirp thread.
  void send(const uint8_t* frame, size_t len) override;

  struct Impl;  // public for the C callbacks; defined in the .cpp

 private:
  SlirpBackend();
  std::unique_ptr<Impl> impl_;
};

// The backend a NetdevSpec describes (only "user" exists). On failure
// returns nullptr and sets err to one line naming the option it came from
// ("-netdev user,id=net0: could not set up host forwarding rule ...").
std::unique_ptr<NetBackend> createNetBackend(const NetdevSpec& spec, std::string& err);

}  // namespace mimic::net
