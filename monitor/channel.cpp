#include "monitor/channel.h"

#include <cerrno>
#include <cstdio>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mimic::monitor {

namespace {

// Writes to the client. A client that stopped reading holds up only its
// own channel, and for at most a moment past stop(); a client that went
// away marks the output broken (the session is then dropped).
class FdOutput : public Output {
 public:
  FdOutput(int fd, bool is_socket, const std::atomic<bool>& stopping) : fd_(fd), is_socket_(is_socket), stopping_(stopping) {}

  void write(std::string_view text) override {
    while (!text.empty() && !broken_) {
      // MSG_NOSIGNAL: a vanished client must not raise SIGPIPE.
      ssize_t n = is_socket_ ? send(fd_, text.data(), text.size(), MSG_NOSIGNAL) : ::write(fd_, text.data(), text.size());
      if (n > 0) {
        text.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // Not the mailbox too: a pending event would make it spin. The
        // timeout is how soon stop() is noticed.
        pollfd p{fd_, POLLOUT, 0};
        poll(&p, 1, 200);
        if (stopping_) broken_ = true;
        continue;
      }
      broken_ = true;
    }
  }
  bool closed() const override { return broken_ || stopping_; }

 private:
  int fd_;
  bool is_socket_;
  const std::atomic<bool>& stopping_;
  bool broken_ = false;
};

}  // namespace

Channel::Channel(std::string label, std::unique_ptr<SocketListener> listener, SessionFactory factory,
                 std::shared_ptr<EventMailbox> mailbox)
    : label_(std::move(label)), listener_(std::move(listener)), factory_(std::move(factory)), mailbox_(std::move(mailbox)) {}

Channel::~Channel() { stop(); }

void Channel::waitForClient() {
  if (!listener_ || first_client_ >= 0) return;
  std::fprintf(stderr, "mimic: %s: waiting for a client to connect\n", label_.c_str());
  while (first_client_ < 0) {
    pollfd pfd{listener_->fd(), POLLIN, 0};
    if (poll(&pfd, 1, -1) < 0 && errno != EINTR) return;
    first_client_ = listener_->acceptClient();
  }
}

void Channel::start() { thread_ = std::thread([this] { run(); }); }

void Channel::stop() {
  stopping_ = true;
  mailbox_->wake();
  if (thread_.joinable()) thread_.join();
  if (first_client_ >= 0) {
    close(first_client_);
    first_client_ = -1;
  }
  listener_.reset();
}

void Channel::run() {
  if (!listener_) {
    serve(STDIN_FILENO, STDOUT_FILENO, false);
    return;
  }
  while (!stopping_) {
    int client = first_client_ >= 0 ? first_client_ : acceptNext();
    first_client_ = -1;
    if (client < 0) break;
    serve(client, client, true);
    close(client);
  }
}

int Channel::acceptNext() {
  while (!stopping_) {
    pollfd fds[2] = {{listener_->fd(), POLLIN, 0}, {mailbox_->fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return -1;
    if (fds[1].revents) mailbox_->drainWakeups();  // events with nobody to hear them; or stop()
    if (fds[0].revents & POLLIN) {
      int fd = listener_->acceptClient();
      if (fd >= 0) return fd;
      // Out of descriptors, or the client left already: try again shortly.
      poll(nullptr, 0, 10);
    }
  }
  return -1;
}

void Channel::serve(int in_fd, int out_fd, bool is_socket) {
  std::unique_ptr<Session> session = factory_();
  FdOutput out(out_fd, is_socket, stopping_);
  session->open(out);
  char buf[4096];
  while (!out.closed()) {
    pollfd fds[2] = {{in_fd, POLLIN, 0}, {mailbox_->fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) {
      mailbox_->drainWakeups();
      session->pollEvents(out);
    }
    if (stopping_) break;
    if (fds[0].revents & POLLNVAL) return;  // stdin closed under us
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(in_fd, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return;  // the client left (mid-message or not): the next may come
      session->receive(std::string_view(buf, static_cast<size_t>(n)), out);
    }
  }
  // Stopping: the last events (the guest's SHUTDOWN) still reach the
  // client, unless its socket has been full for a while.
  session->pollEvents(out);
}

}  // namespace mimic::monitor
