#include "hw/char/chardev.h"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
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
  err = fmt::format("-serial '{}' is not supported (use stdio, mon:stdio, file:PATH, null or none)", spec);
  return nullptr;
}

}  // namespace mimic::hw
