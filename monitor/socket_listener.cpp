#include "monitor/socket_listener.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace mimic::monitor {

namespace {

// Pending connections wait here while another client is being served.
constexpr int kBacklog = 16;

sockaddr_un unixAddress(const std::string& path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.data(), path.size());  // length checked by the spec parser
  return sa;
}

// Whether some process is accepting connections on the unix socket `path`.
bool someoneListens(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un sa = unixAddress(path);
  bool live = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return live;
}

}  // namespace

std::unique_ptr<SocketListener> SocketListener::open(const std::string& option, const ChannelSpec& spec,
                                                     std::string& err) {
  std::unique_ptr<SocketListener> l(new SocketListener);
  const std::string where = fmt::format("{} '{}'", option, spec.text);

  if (spec.kind == ChannelSpec::Kind::Unix) {
    // A socket file left by an earlier run is replaced, as QEMU does; a live
    // one (another program listening) or a file of another kind is not.
    struct stat st;
    if (lstat(spec.path.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        err = fmt::format("{}: {} exists and is not a socket", where, spec.path);
        return nullptr;
      }
      if (someoneListens(spec.path)) {
        err = fmt::format("{}: address already in use (another program listens on {})", where, spec.path);
        return nullptr;
      }
      unlink(spec.path.c_str());
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = fmt::format("{}: cannot create a socket: {}", where, std::strerror(errno));
      return nullptr;
    }
    sockaddr_un sa = unixAddress(spec.path);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, kBacklog) != 0) {
      err = fmt::format("{}: cannot listen on {}: {}", where, spec.path, std::strerror(errno));
      close(fd);
      return nullptr;
    }
    l->fd_ = fd;
    l->unix_path_ = spec.path;
    if (stat(spec.path.c_str(), &st) == 0) {
      l->unix_dev_ = st.st_dev;
      l->unix_ino_ = st.st_ino;
    }
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string port = std::to_string(spec.port);
    int rc = getaddrinfo(spec.host.empty() ? nullptr : spec.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
      err = fmt::format("{}: cannot resolve '{}': {}", where, spec.host, gai_strerror(rc));
      return nullptr;
    }
    std::string last_error = "no usable address";
    for (addrinfo* ai = res; ai && l->fd_ < 0; ai = ai->ai_next) {
      int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
        continue;
      }
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // restart without TIME_WAIT trouble
      if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, kBacklog) != 0) {
        last_error = std::strerror(errno);
        close(fd);
        continue;
      }
      l->fd_ = fd;
    }
    freeaddrinfo(res);
    if (l->fd_ < 0) {
      err = fmt::format("{}: cannot listen on port {}: {}", where, spec.port, last_error);
      return nullptr;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(l->fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
      if (ss.ss_family == AF_INET) l->port_ = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
      if (ss.ss_family == AF_INET6) l->port_ = ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
  }
  // Accepting is polled together with the channel's wake-up descriptor.
  fcntl(l->fd_, F_SETFL, fcntl(l->fd_, F_GETFL) | O_NONBLOCK);
  return l;
}

SocketListener::~SocketListener() {
  if (fd_ >= 0) close(fd_);
  if (!unix_path_.empty()) {
    struct stat st;
    if (stat(unix_path_.c_str(), &st) == 0 && st.st_dev == unix_dev_ && st.st_ino == unix_ino_)
      unlink(unix_path_.c_str());
  }
}

int SocketListener::acceptClient() {
  for (;;) {
    int fd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) return fd;
    if (errno == EINTR) continue;
    // EAGAIN: nobody waiting. Anything else (ECONNABORTED, EMFILE) is
    // transient for a listener: report none and let poll() retry.
    return -1;
  }
}

}  // namespace mimic::monitor
