#include "debug/gdb_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "debug/gdb_packet.h"
#include "debug/gdb_session.h"

namespace mimic::debug {

namespace {

void writeAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;   // the peer is gone: the read side notices
    off += size_t(n);
  }
}

int listenTcp(const std::string& host, const std::string& port, std::string& err, int& bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    err = gai_strerror(rc);
    return -1;
  }
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 1) != 0) {
    err = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    freeaddrinfo(res);
    return -1;
  }
  freeaddrinfo(res);
  sockaddr_in sa{};
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  bound_port = ntohs(sa.sin_port);
  return fd;
}

int listenUnix(const std::string& path, std::string& err) {
  sockaddr_un sa{};
  if (path.empty() || path.size() >= sizeof sa.sun_path) {
    err = "bad socket path";
    return -1;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(path.c_str());   // a stale socket
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 1) != 0) {
    err = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::unique_ptr<GdbServer> GdbServer::start(const std::string& spec, hw::RunControl& ctl, std::string& err) {
  int fd = -1, port = 0;
  std::string why, unix_path;
  if (spec.rfind("tcp:", 0) == 0) {
    // tcp:[HOST]:PORT[,options]: QEMU's options (server, nowait...) change nothing here.
    std::string rest = spec.substr(4);
    rest = rest.substr(0, rest.find(','));
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 >= rest.size()) {
      err = fmt::format("-gdb {}: expected tcp:[HOST]:PORT", spec);
      return nullptr;
    }
    fd = listenTcp(rest.substr(0, colon), rest.substr(colon + 1), why, port);
  } else if (spec.rfind("unix:", 0) == 0) {
    unix_path = spec.substr(5);
    unix_path = unix_path.substr(0, unix_path.find(','));
    fd = listenUnix(unix_path, why);
  } else {
    err = fmt::format("-gdb {}: expected tcp::PORT, tcp:HOST:PORT or unix:PATH", spec);
    return nullptr;
  }
  if (fd < 0) {
    err = fmt::format("-gdb {}: {}", spec, why);
    return nullptr;
  }
  return std::unique_ptr<GdbServer>(new GdbServer(ctl, fd, port, unix_path));
}

GdbServer::GdbServer(hw::RunControl& ctl, int listen_fd, int port, std::string unix_path)
    : ctl_(ctl), listen_fd_(listen_fd), port_(port), unix_path_(std::move(unix_path)) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  listener_id_ = ctl_.addListener([this](const hw::MachineEvent& ev) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      events_.push_back(ev);
    }
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
  });
  thread_ = std::thread([this] { loop(); });
}

GdbServer::~GdbServer() {
  quit_ = true;
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ctl_.removeListener(listener_id_);
  ::close(listen_fd_);
  ::close(wake_fd_);
  if (!unix_path_.empty()) ::unlink(unix_path_.c_str());
}

void GdbServer::loop() {
  while (!quit_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      (void)!::read(wake_fd_, &n, sizeof n);
      std::lock_guard<std::mutex> lock(mu_);
      events_.clear();   // nobody attached: nothing to report
    }
    if (quit_) return;
    if (fds[0].revents & POLLIN) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      serve(fd);
      ::close(fd);
    }
  }
}

void GdbServer::serve(int fd) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
  }
  GdbSession session(ctl_, [fd](const std::string& s) { writeAll(fd, s); });
  session.attach();
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();   // the Stop of attach() is not a reply to anything
  }
  PacketReader reader;
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (quit_) return;
    if (fds[1].revents & POLLIN) {
      uint64_t n;
      (void)!::read(wake_fd_, &n, sizeof n);
      std::deque<hw::MachineEvent> evs;
      {
        std::lock_guard<std::mutex> lock(mu_);
        evs.swap(events_);
      }
      for (const hw::MachineEvent& ev : evs)
        if (!session.onEvent(ev)) return;   // the guest ended
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        session.connectionLost();
        return;
      }
      for (ssize_t i = 0; i < n; i++) {
        PacketReader::Event ev = reader.feed(uint8_t(buf[i]));
        switch (ev.kind) {
          case PacketReader::Kind::Packet:
            if (!session.handlePacket(ev.data)) return;
            break;
          case PacketReader::Kind::BadChecksum: session.badPacket(); break;
          case PacketReader::Kind::Interrupt: session.interrupt(); break;
          default: break;
        }
      }
    }
  }
}

}  // namespace mimic::debug
