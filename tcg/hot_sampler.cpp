#include "tcg/hot_sampler.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "tcg/backend.h"
#include "tcg/translation_block.h"
#include "util/log.h"

namespace mimic::tcg {

namespace {

// The sampler of the thread the signal interrupted (one CPU thread each).
thread_local HotSampler* t_sampler = nullptr;

// A real-time signal of our own: SIGPROF belongs to profilers.
int samplerSignal() { return SIGRTMIN + 3; }

}  // namespace

HotSampler::HotSampler(const Backend& backend, volatile int32_t* exit_request, uint32_t hot_samples, int64_t period_ns)
    : backend_(backend), exit_request_(exit_request), hot_samples_(hot_samples ? hot_samples : 1),
      period_ns_(period_ns > 0 ? std::max<int64_t>(period_ns, kMinPeriodNs) : 1000000) {}

HotSampler::~HotSampler() {
  if (timer_started_) timer_delete(timer_);
  if (perf_fd_ >= 0) close(perf_fd_);
  if (t_sampler == this) t_sampler = nullptr;
}

// The thread's CPU-time clock as a perf software event: the kernel runs it
// on a high-resolution timer, so a sample comes every period. A POSIX
// CPU-time timer (the fallback) fires only at the scheduler's tick: 4 ms
// at 250 Hz whatever the period asks, which left a page's blocks a few
// samples each when its region was built (too few to tell the hot ones:
// dhrystone_like's 32-block region took in start-up paths and left out
// three of its hot routines). Self-monitoring in user space needs
// kernel.perf_event_paranoid <= 2 (Debian's kernels default to 3, other
// kernels to 2); the event signals its overflow to this thread and stops
// (a one-shot refresh, re-armed by the handler: without a ring buffer an
// overflow signals only when its refresh count runs out).
bool HotSampler::startPerfEvent(pid_t tid) {
  if (std::getenv("MIMIC_HOT_POSIX_TIMER")) return false;   // for measurements
  perf_event_attr attr{};
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.sample_period = uint64_t(period_ns_);
  attr.disabled = 1;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  const int fd = int(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
  if (fd < 0) return false;
  f_owner_ex owner{F_OWNER_TID, tid};
  if (fcntl(fd, F_SETOWN_EX, &owner) != 0 || fcntl(fd, F_SETSIG, samplerSignal()) != 0 ||
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) != 0 || ioctl(fd, PERF_EVENT_IOC_REFRESH, 1) != 0) {
    close(fd);
    return false;
  }
  perf_fd_ = fd;
  return true;
}

bool HotSampler::start() {
  if (timer_started_ || perf_fd_ >= 0) return true;
  struct sigaction sa {};
  sa.sa_sigaction = &HotSampler::onSignal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(samplerSignal(), &sa, nullptr) != 0) {
    log::logf(log::kHot, "hot: no sampling signal ({}): no regions\n", std::strerror(errno));
    return false;
  }
  t_sampler = this;
  const pid_t tid = pid_t(syscall(SYS_gettid));
  if (startPerfEvent(tid)) {
    log::logf(log::kHot, "hot: sampling every {} us of CPU time (perf task clock)\n", period_ns_ / 1000);
    return true;
  }
  sigevent ev{};
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = samplerSignal();
  ev._sigev_un._tid = tid;
  if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &timer_) != 0) {
    log::logf(log::kHot, "hot: no sampling timer ({}): no regions\n", std::strerror(errno));
    t_sampler = nullptr;
    return false;
  }
  itimerspec its{};
  its.it_interval.tv_sec = time_t(period_ns_ / 1000000000);
  its.it_interval.tv_nsec = long(period_ns_ % 1000000000);
  its.it_value = its.it_interval;
  timer_settime(timer_, 0, &its, nullptr);
  timer_started_ = true;
  log::logf(log::kHot, "hot: sampling on the CPU-time timer (the scheduler's tick, period asked {} us)\n",
            period_ns_ / 1000);
  return true;
}

void HotSampler::onSignal(int, siginfo_t*, void* ucontext) {
  const int saved = errno;
  if (HotSampler* s = t_sampler) {
#if defined(__x86_64__)
    const auto* uc = static_cast<const ucontext_t*>(ucontext);
    s->sample(uintptr_t(uc->uc_mcontext.gregs[REG_RIP]));
#else
    (void)ucontext;
#endif
    if (s->perf_fd_ >= 0) ioctl(s->perf_fd_, PERF_EVENT_IOC_REFRESH, 1);   // the next period's signal
  }
  errno = saved;
}

void HotSampler::addRegionCode(const void* code, uint64_t bytes, uint64_t* counter) {
  editing_regions_ = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  const RegionCode rc{uintptr_t(code), uintptr_t(code) + bytes, counter};
  region_code_.insert(std::upper_bound(region_code_.begin(), region_code_.end(), rc,
                                       [](const RegionCode& a, const RegionCode& b) { return a.start < b.start; }),
                      rc);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  editing_regions_ = false;
}

void HotSampler::removeRegionCode(uint64_t* counter) {
  editing_regions_ = true;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  std::erase_if(region_code_, [counter](const RegionCode& rc) { return rc.counter == counter; });
  std::atomic_signal_fence(std::memory_order_seq_cst);
  editing_regions_ = false;
}

bool HotSampler::sampleRegion(uintptr_t host_pc) {
  if (editing_regions_ || region_code_.empty()) return false;
  auto it = std::upper_bound(region_code_.begin(), region_code_.end(), host_pc,
                             [](uintptr_t pc, const RegionCode& rc) { return pc < rc.start; });
  if (it == region_code_.begin() || host_pc >= std::prev(it)->end) return false;
  ++*std::prev(it)->counter;
  return true;
}

void HotSampler::sample(uintptr_t host_pc) {
  signals_ = signals_ + 1;
  TranslationBlock* tb = backend_.blockAt(host_pc);
  if (!tb) {
    if (sampleRegion(host_pc)) samples_++;
    return;
  }
  samples_++;
  if (++tb->samples != hot_samples_) return;
  const uint32_t head = head_.load(std::memory_order_relaxed);
  if (head - tail_.load(std::memory_order_relaxed) >= kRing) {
    tb->samples--;   // no room: it is hot again at its next sample
    return;
  }
  ring_[head % kRing] = tb;
  head_.store(head + 1, std::memory_order_release);
  *exit_request_ = 1;   // the loop takes it at its next visit
}

std::vector<TranslationBlock*> HotSampler::takeHot() {
  std::vector<TranslationBlock*> out;
  uint32_t tail = tail_.load(std::memory_order_relaxed);
  const uint32_t head = head_.load(std::memory_order_acquire);
  for (; tail != head; tail++) out.push_back(ring_[tail % kRing]);
  tail_.store(tail, std::memory_order_relaxed);
  return out;
}

}  // namespace mimic::tcg
