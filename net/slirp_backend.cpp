#include "net/slirp_backend.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <deque>
#include <future>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <slirp/libslirp.h>

#include "util/log.h"

namespace mimic::net {

namespace {

constexpr size_t kMaxTxQueued = 1024;

int64_t monotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

in_addr toInAddr(uint32_t host_order) {
  in_addr a{};
  a.s_addr = htonl(host_order);
  return a;
}

in6_addr ipv6(const char* text) {
  in6_addr a{};
  inet_pton(AF_INET6, text, &a);
  return a;
}

}  // namespace

struct SlirpBackend::Impl {
  // One of slirp's timers (thread only).
  struct Timer {
    bool opaque_api = true;       // timer_new_opaque: slirp_handle_timer(id, cb_opaque)
    SlirpTimerId id = SLIRP_TIMER_RA;
    SlirpTimerCb cb = nullptr;    // timer_new: cb(cb_opaque)
    void* cb_opaque = nullptr;
    int64_t expire_ms = -1;       // -1: not armed
  };

  SlirpBackend* owner = nullptr;
  UserNetOptions opts;            // its strings outlive slirp (SlirpConfig points into them)
  std::vector<const char*> dnssearch;
  int wake_fd = -1;
  std::thread thread;
  std::atomic<bool> stop{false};

  std::mutex tx_mu;
  std::deque<std::vector<uint8_t>> tx_queue;

  // Thread only.
  Slirp* slirp = nullptr;
  std::vector<Timer*> timers;
  std::vector<pollfd> pollfds;

  static const SlirpCb kCallbacks;

  void wake() {
    uint64_t one = 1;
    ssize_t r = ::write(wake_fd, &one, sizeof one);
    (void)r;  // EAGAIN: the counter is already non-zero, the thread will wake
  }

  std::string init() {
    SlirpConfig cfg{};
    cfg.version = 4;
    cfg.restricted = opts.restricted ? 1 : 0;
    cfg.in_enabled = opts.ipv4;
    cfg.vnetwork = toInAddr(opts.net);
    cfg.vnetmask = toInAddr(opts.mask);
    cfg.vhost = toInAddr(opts.host);
    cfg.in6_enabled = opts.ipv6;
    cfg.vprefix_addr6 = ipv6("fec0::");
    cfg.vprefix_len = 64;
    cfg.vhost6 = ipv6("fec0::2");
    cfg.vnameserver6 = ipv6("fec0::3");
    cfg.vhostname = opts.hostname.empty() ? nullptr : opts.hostname.c_str();
    cfg.tftp_path = opts.tftp.empty() ? nullptr : opts.tftp.c_str();
    cfg.bootfile = opts.bootfile.empty() ? nullptr : opts.bootfile.c_str();
    cfg.vdhcp_start = toInAddr(opts.dhcp_start);
    cfg.vnameserver = toInAddr(opts.dns);
    for (const std::string& d : opts.dnssearch) dnssearch.push_back(d.c_str());
    if (!dnssearch.empty()) {
      dnssearch.push_back(nullptr);
      cfg.vdnssearch = dnssearch.data();
    }
    cfg.vdomainname = opts.domainname.empty() ? nullptr : opts.domainname.c_str();
    cfg.disable_host_loopback = false;  // the guest reaches the host's 127.0.0.1 at host=
    cfg.enable_emu = false;
    slirp = slirp_new(&cfg, &kCallbacks, this);
    if (!slirp) return "libslirp failed to start";
    for (const HostFwd& f : opts.hostfwd) {
      errno = 0;
      if (slirp_add_hostfwd(slirp, f.udp ? 1 : 0, toInAddr(f.host_addr), f.host_port, toInAddr(f.guest_addr),
                            f.guest_port) < 0) {
        int e = errno;
        return fmt::format("could not set up host forwarding rule '{}'{}", f.text,
                           e ? fmt::format(": {}", std::strerror(e)) : "");
      }
    }
    return "";
  }

  void shutdown() {
    if (slirp) slirp_cleanup(slirp);
    slirp = nullptr;
    for (Timer* t : timers) delete t;
    timers.clear();
  }

  void run(std::promise<std::string>* ready) {
    // Signals go to other threads; a write to a socket the peer closed
    // gives EPIPE here instead of killing the process (slirp sends without
    // MSG_NOSIGNAL).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);

    std::string e = init();
    if (!e.empty()) {
      shutdown();
      ready->set_value(e);
      return;
    }
    ready->set_value("");
    ready = nullptr;

    while (!stop.load(std::memory_order_acquire)) {
      uint32_t timeout = UINT32_MAX;
      pollfds.clear();
      pollfds.push_back(pollfd{wake_fd, POLLIN, 0});
      slirp_pollfds_fill(slirp, &timeout, addPoll, this);
      int wait_ms = timeout == UINT32_MAX ? -1 : static_cast<int>(std::min<uint32_t>(timeout, INT_MAX));
      int64_t next = nextTimerMs();
      if (next >= 0) {
        int64_t d = std::max<int64_t>(0, next - monotonicNs() / 1000000);
        if (wait_ms < 0 || d < wait_ms) wait_ms = static_cast<int>(std::min<int64_t>(d, INT_MAX));
      }
      int r = ::poll(pollfds.data(), pollfds.size(), wait_ms);
      if (r > 0 && (pollfds[0].revents & POLLIN)) {
        uint64_t v;
        ssize_t n = ::read(wake_fd, &v, sizeof v);
        (void)n;
      }
      // Guest frames first: slirp_pollfds_poll() then flushes what they
      // made ready (a packet waiting for the ARP reply just fed, say).
      // Sockets they create have no poll index yet, which slirp expects.
      feedGuestFrames();
      slirp_pollfds_poll(slirp, r < 0 ? 1 : 0, getRevents, this);
      runTimers();
    }
    shutdown();
  }

  void feedGuestFrames() {
    std::deque<std::vector<uint8_t>> q;
    {
      std::lock_guard<std::mutex> lock(tx_mu);
      q.swap(tx_queue);
    }
    for (const std::vector<uint8_t>& f : q) slirp_input(slirp, f.data(), static_cast<int>(f.size()));
  }

  int64_t nextTimerMs() const {
    int64_t best = -1;
    for (const Timer* t : timers)
      if (t->expire_ms >= 0 && (best < 0 || t->expire_ms < best)) best = t->expire_ms;
    return best;
  }

  void runTimers() {
    // A handler may arm, free or create timers: rescan after each one. The
    // bound keeps a timer that re-arms itself in the past from spinning.
    for (int round = 0; round < 64; round++) {
      int64_t now = monotonicNs() / 1000000;
      Timer* due = nullptr;
      for (Timer* t : timers)
        if (t->expire_ms >= 0 && t->expire_ms <= now) {
          due = t;
          break;
        }
      if (!due) return;
      due->expire_ms = -1;
      if (due->opaque_api) {
        slirp_handle_timer(slirp, due->id, due->cb_opaque);
      } else if (due->cb) {
        due->cb(due->cb_opaque);
      }
    }
  }

  // --- libslirp callbacks (on the thread) ---

  static Impl* self(void* opaque) { return static_cast<Impl*>(opaque); }

  static int addPoll(int fd, int events, void* opaque) {
    short ev = 0;
    if (events & SLIRP_POLL_IN) ev |= POLLIN;
    if (events & SLIRP_POLL_OUT) ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI) ev |= POLLPRI;
    if (events & SLIRP_POLL_ERR) ev |= POLLERR;
    if (events & SLIRP_POLL_HUP) ev |= POLLHUP;
    Impl* s = self(opaque);
    s->pollfds.push_back(pollfd{fd, ev, 0});
    return static_cast<int>(s->pollfds.size() - 1);
  }

  static int getRevents(int idx, void* opaque) {
    Impl* s = self(opaque);
    if (idx < 0 || static_cast<size_t>(idx) >= s->pollfds.size()) return 0;
    short re = s->pollfds[static_cast<size_t>(idx)].revents;
    int ev = 0;
    if (re & POLLIN) ev |= SLIRP_POLL_IN;
    if (re & POLLOUT) ev |= SLIRP_POLL_OUT;
    if (re & POLLPRI) ev |= SLIRP_POLL_PRI;
    if (re & POLLERR) ev |= SLIRP_POLL_ERR;
    if (re & POLLHUP) ev |= SLIRP_POLL_HUP;
    return ev;
  }

  static ssize_t sendPacket(const void* buf, size_t len, void* opaque) {
    self(opaque)->owner->postFrame(static_cast<const uint8_t*>(buf), len);
    return static_cast<ssize_t>(len);
  }

  static void guestError(const char* msg, void*) { log::logf(log::kGuestErrors, "slirp: {}\n", msg); }

  static int64_t clockGetNs(void*) { return monotonicNs(); }

  static void* timerNew(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
    Timer* t = new Timer;
    t->opaque_api = false;
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    self(opaque)->timers.push_back(t);
    return t;
  }

  static void* timerNewOpaque(SlirpTimerId id, void* cb_opaque, void* opaque) {
    Timer* t = new Timer;
    t->id = id;
    t->cb_opaque = cb_opaque;
    self(opaque)->timers.push_back(t);
    return t;
  }

  static void timerFree(void* timer, void* opaque) {
    std::vector<Timer*>& v = self(opaque)->timers;
    for (size_t i = 0; i < v.size(); i++)
      if (v[i] == timer) {
        delete v[i];
        v.erase(v.begin() + static_cast<long>(i));
        return;
      }
  }

  static void timerMod(void* timer, int64_t expire_ms, void*) {
    static_cast<Timer*>(timer)->expire_ms = std::max<int64_t>(0, expire_ms);
  }

  // The thread polls every socket slirp has on each round: nothing to do.
  static void registerPollFd(int, void*) {}
  static void unregisterPollFd(int, void*) {}
  static void notify(void*) {}
  static void initCompleted(Slirp*, void*) {}
};

const SlirpCb SlirpBackend::Impl::kCallbacks = {
    .send_packet = sendPacket,
    .guest_error = guestError,
    .clock_get_ns = clockGetNs,
    .timer_new = timerNew,
    .timer_free = timerFree,
    .timer_mod = timerMod,
    .register_poll_fd = registerPollFd,
    .unregister_poll_fd = unregisterPollFd,
    .notify = notify,
    .init_completed = initCompleted,
    .timer_new_opaque = timerNewOpaque,
};

SlirpBackend::SlirpBackend() : impl_(new Impl) { impl_->owner = this; }

std::unique_ptr<SlirpBackend> SlirpBackend::create(const UserNetOptions& opts, std::string& err) {
  std::unique_ptr<SlirpBackend> b(new SlirpBackend);
  Impl& s = *b->impl_;
  s.opts = opts;
  s.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s.wake_fd < 0) {
    err = fmt::format("eventfd: {}", std::strerror(errno));
    return nullptr;
  }
  std::promise<std::string> ready;
  std::future<std::string> result = ready.get_future();
  s.thread = std::thread([&s, &ready] { s.run(&ready); });
  std::string e = result.get();
  if (!e.empty()) {
    s.thread.join();
    err = e;
    return nullptr;  // the destructor closes the eventfd
  }
  return b;
}

SlirpBackend::~SlirpBackend() {
  if (impl_->thread.joinable()) {
    impl_->stop.store(true, std::memory_order_release);
    impl_->wake();
    impl_->thread.join();
  }
  if (impl_->wake_fd >= 0) ::close(impl_->wake_fd);
}

void SlirpBackend::send(const uint8_t* frame, size_t len) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(impl_->tx_mu);
    if (impl_->tx_queue.size() >= kMaxTxQueued) return;  // the thread is stuck: drop
    was_empty = impl_->tx_queue.empty();
    impl_->tx_queue.emplace_back(frame, frame + len);
  }
  if (was_empty) impl_->wake();
}

std::unique_ptr<NetBackend> createNetBackend(const NetdevSpec& spec, std::string& err) {
  std::string e;
  std::unique_ptr<SlirpBackend> b = SlirpBackend::create(spec.user, e);
  if (!b) {
    err = fmt::format("{}: {}", spec.origin.empty() ? "-netdev user,id=" + spec.id : spec.origin, e);
    return nullptr;
  }
  return b;
}

}  // namespace mimic::net
