#include "hw/char/chardev.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace mimic::hw {

// ---------------------------------------------------------------------------
// Queue shared by all backends.

void Chardev::postInput(const uint8_t* buf, size_t n) {
  if (n == 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.insert(queue_.end(), buf, buf + n);
  }
  if (notify_) notify_();
}

void Chardev::postBreak() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(kBreak);
  }
  if (notify_) notify_();
}

size_t Chardev::pending() {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void Chardev::pump() {
  if (!fe_) return;
  // Deliver outside the lock: the device may call pump() again (it has room
  // after the guest read a byte) or do anything else on the CPU thread.
  for (;;) {
    std::vector<uint8_t> chunk;
    bool brk = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
      if (queue_.front() == kBreak) {
        queue_.pop_front();
        brk = true;
      } else {
        size_t room = fe_->canReceive();
        if (room == 0) return;
        while (room > 0 && !queue_.empty() && queue_.front() != kBreak) {
          chunk.push_back(static_cast<uint8_t>(queue_.front()));
          queue_.pop_front();
          room--;
        }
      }
    }
    if (brk) {
      fe_->receiveBreak();
    } else {
      fe_->receive(chunk.data(), chunk.size());
    }
  }
}

// ---------------------------------------------------------------------------
// Helpers.

namespace {

void writeAll(int fd, const uint8_t* buf, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, 100);
        continue;
      }
      return;  // EPIPE, EBADF...: the output is gone, drop it
    }
    buf += w;
    n -= static_cast<size_t>(w);
  }
}

// The terminal state saved before raw mode. Written once before any signal
// handler can use it, read by restoreTerminal().
struct SavedTerminal {
  struct termios tio;
  volatile sig_atomic_t saved = 0;
};
SavedTerminal g_term;

void restoreAtExit() { restoreTerminal(); }

struct sigaction g_old_fatal[32];

void fatalSignal(int sig) {
  restoreTerminal();
  // Re-raise with the previous disposition so the process still dies (and
  // dumps core) as it would have.
  sigaction(sig, &g_old_fatal[sig], nullptr);
  raise(sig);
}

void enterRawMode(bool keep_signals) {
  if (!isatty(STDIN_FILENO)) return;
  struct termios tio;
  if (tcgetattr(STDIN_FILENO, &tio) != 0) return;
  if (!g_term.saved) {
    g_term.tio = tio;
    g_term.saved = 1;
    std::atexit(restoreAtExit);
    for (int sig : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGQUIT}) {
      struct sigaction sa {};
      sa.sa_handler = fatalSignal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESETHAND;
      sigaction(sig, &sa, &g_old_fatal[sig]);
    }
  }
  tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  tio.c_oflag |= OPOST;
  tio.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
  if (!keep_signals) tio.c_lflag &= ~ISIG;
  tio.c_cflag &= ~(CSIZE | PARENB);
  tio.c_cflag |= CS8;
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  tcsetattr(STDIN_FILENO, TCSANOW, &tio);
}

}  // namespace

void restoreTerminal() {
  if (g_term.saved) tcsetattr(STDIN_FILENO, TCSANOW, &g_term.tio);
}

// ---------------------------------------------------------------------------
// file:PATH

std::unique_ptr<FileChardev> FileChardev::open(const std::string& path, std::string& err) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    err = fmt::format("-serial file:{}: cannot open: {}", path, std::strerror(errno));
    return nullptr;
  }
  return std::unique_ptr<FileChardev>(new FileChardev("file:" + path, fd));
}

FileChardev::~FileChardev() { ::close(fd_); }

void FileChardev::write(const uint8_t* buf, size_t n) { writeAll(fd_, buf, n); }

// ---------------------------------------------------------------------------
// stdio

struct StdioChardev::Impl {
  std::thread thread;
  int stop_pipe[2] = {-1, -1};
};

StdioChardev::StdioChardev(bool escapes, std::function<void()> on_quit)
    : Chardev(escapes ? "mon:stdio" : "stdio"), impl_(new Impl), escapes_(escapes),
      on_quit_(std::move(on_quit)) {
  enterRawMode(/*keep_signals=*/!escapes);
}

StdioChardev::~StdioChardev() {
  if (impl_->thread.joinable()) {
    char c = 0;
    ssize_t r = ::write(impl_->stop_pipe[1], &c, 1);
    (void)r;
    impl_->thread.join();
  }
  for (int fd : impl_->stop_pipe)
    if (fd >= 0) ::close(fd);
  restoreTerminal();
}

void StdioChardev::write(const uint8_t* buf, size_t n) { writeAll(STDOUT_FILENO, buf, n); }

void StdioChardev::startInput(std::function<void()> notify) {
  notify_ = std::move(notify);
  if (impl_->thread.joinable()) return;
  if (::pipe2(impl_->stop_pipe, O_CLOEXEC) != 0) return;  // no input then
  impl_->thread = std::thread([this] { inputThread(); });
}

void StdioChardev::inputThread() {
  uint8_t buf[256];
  for (;;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {impl_->stop_pipe[0], POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) return;  // end of input: the guest just gets no more
      processInput(buf, static_cast<size_t>(n));
    } else if (fds[0].revents & POLLNVAL) {
      return;
    }
  }
}

void StdioChardev::processInput(const uint8_t* buf, size_t n) {
  if (!escapes_) {
    postInput(buf, n);
    return;
  }
  constexpr uint8_t kCtrlA = 0x01;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = buf[i];
    if (!got_escape_) {
      if (c == kCtrlA) {
        got_escape_ = true;
      } else {
        out.push_back(c);
      }
      continue;
    }
    got_escape_ = false;
    switch (c) {
      case kCtrlA:
        out.push_back(c);
        break;
      case 'h':
      case '?':
        writeStr("\n\r"
              "C-a h    print this help\n\r"
              "C-a x    exit emulator\n\r"
              "C-a b    send break (magic sysrq)\n\r"
              "C-a C-a  sends C-a\n\r");
        break;
      case 'x':
        postInput(out.data(), out.size());
        out.clear();
        writeStr("mimic: Terminated\n\r");
        if (on_quit_) on_quit_();
        break;
      case 'b':
        postInput(out.data(), out.size());
        out.clear();
        postBreak();
        break;
      default:
        break;  // unknown escape: dropped, as QEMU does
    }
  }
  postInput(out.data(), out.size());
}

// ---------------------------------------------------------------------------
// pty

struct PtyChardev::Impl {
  int master = -1;
  std::string slave_path;
  std::thread thread;
  int stop_pipe[2] = {-1, -1};
  bool stalled = false;  // the last write found no room: drop without waiting
};

namespace {

constexpr int kPtyStallWaitMs = 100;   // how long a write waits for a slow reader
constexpr int kPtyReconnectPollMs = 50;  // how often the input thread looks for a new reader

// True when no one has the slave open (the master then reports POLLHUP).
bool ptyHungUp(int master) {
  pollfd p{master, POLLOUT, 0};
  int r;
  do {
    r = ::poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

}  // namespace

std::unique_ptr<PtyChardev> PtyChardev::open(const std::string& label, std::string& err, bool announce) {
  auto fail = [&](const char* what) {
    err = fmt::format("-serial pty: {}: {}", what, std::strerror(errno));
    return nullptr;
  };
  auto impl = std::make_unique<Impl>();
  int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0) return fail("cannot open a pseudo-terminal");
  impl->master = m;
  std::unique_ptr<PtyChardev> c(new PtyChardev(std::move(impl)));  // closes the master on failure below
  if (::grantpt(m) != 0) return fail("grantpt");
  if (::unlockpt(m) != 0) return fail("unlockpt");
  char name[128];
  if (::ptsname_r(m, name, sizeof name) != 0) return fail("ptsname");
  c->impl_->slave_path = name;
  // Raw mode on the slave side, where the line discipline that would echo
  // and edit the guest's bytes lives (the master's is raw already; made so
  // anyway). Opening and closing the slave once also makes the master report
  // a hang-up until a reader opens it: output is dropped until then.
  struct termios tio;
  int s = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) return fail("cannot open the pseudo-terminal's slave");
  if (::tcgetattr(s, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::tcsetattr(s, TCSAFLUSH, &tio);
  }
  ::close(s);
  if (::tcgetattr(m, &tio) == 0) {
    ::cfmakeraw(&tio);
    ::tcsetattr(m, TCSANOW, &tio);
  }
  int fl = ::fcntl(m, F_GETFL);
  if (fl < 0 || ::fcntl(m, F_SETFL, fl | O_NONBLOCK) != 0) return fail("cannot make the pseudo-terminal non-blocking");
  if (announce) std::fprintf(stderr, "char device redirected to %s (label %s)\n", name, label.c_str());
  return c;
}

PtyChardev::PtyChardev(std::unique_ptr<Impl> impl) : Chardev("pty"), impl_(std::move(impl)) {}

PtyChardev::~PtyChardev() {
  if (impl_->thread.joinable()) {
    char c = 0;
    ssize_t r = ::write(impl_->stop_pipe[1], &c, 1);
    (void)r;
    impl_->thread.join();
  }
  for (int fd : impl_->stop_pipe)
    if (fd >= 0) ::close(fd);
  if (impl_->master >= 0) ::close(impl_->master);
}

const std::string& PtyChardev::slavePath() const { return impl_->slave_path; }

bool PtyChardev::connected() const { return !ptyHungUp(impl_->master); }

void PtyChardev::write(const uint8_t* buf, size_t n) {
  int fd = impl_->master;
  // Nobody reading: drop (written bytes would wait in the slave's input
  // queue for whoever opens it next).
  if (ptyHungUp(fd)) {
    impl_->stalled = false;
    return;
  }
  while (n > 0) {
    ssize_t w = ::write(fd, buf, n);
    if (w > 0) {
      buf += w;
      n -= static_cast<size_t>(w);
      impl_->stalled = false;
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN && !impl_->stalled) {
      // A slow reader: wait a little for room, then give up on this output.
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, kPtyStallWaitMs);
      if (r > 0 && (p.revents & POLLOUT) && !(p.revents & POLLHUP)) continue;
      impl_->stalled = true;
    }
    return;  // dropped: no room, or the reader went away (EIO)
  }
}

void PtyChardev::startInput(std::function<void()> notify) {
  notify_ = std::move(notify);
  if (impl_->thread.joinable()) return;
  if (::pipe2(impl_->stop_pipe, O_CLOEXEC) != 0) return;  // no input then
  impl_->thread = std::thread([this] { inputThread(); });
}

void PtyChardev::inputThread() {
  int fd = impl_->master;
  uint8_t buf[256];
  bool hung_up = false;
  for (;;) {
    // While no one has the slave open the master polls as hung up at once:
    // then only look again from time to time.
    pollfd fds[2] = {{hung_up ? -1 : fd, POLLIN, 0}, {impl_->stop_pipe[0], POLLIN, 0}};
    int r = ::poll(fds, 2, hung_up ? kPtyReconnectPollMs : -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (hung_up) {
      hung_up = ptyHungUp(fd);
      continue;
    }
    if (fds[0].revents & POLLNVAL) return;
    if (fds[0].revents & POLLIN) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        postInput(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      hung_up = true;  // EIO: the last reader closed the slave
    } else if (fds[0].revents & (POLLHUP | POLLERR)) {
      hung_up = true;
    }
  }
}

// ---------------------------------------------------------------------------

std::unique_ptr<Chardev> createChardev(std::string_view spec, const ChardevContext& ctx, std::string& err) {
  if (spec == "null" || spec == "none") return std::make_unique<NullChardev>();
  if (spec == "stdio") return std::make_unique<StdioChardev>(ctx.nographic, ctx.on_quit);
  if (spec == "mon:stdio") return std::make_unique<StdioChardev>(true, ctx.on_quit);
  if (spec.substr(0, 5) == "file:") {
    std::string path(spec.substr(5));
    if (path.empty()) {
      err = "-serial file: needs a path (file:PATH)";
      return nullptr;
    }
    std::unique_ptr<FileChardev> f = FileChardev::open(path, err);
    return f;
  }
  if (spec == "pty") return PtyChardev::open(ctx.label, err);
  err = fmt::format("-serial '{}' is not supported (use stdio, mon:stdio, file:PATH, pty, null or none)", spec);
  return nullptr;
}

}  // namespace mimic::hw
