#include "tcg/hot_sampler.h"

#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
      period_ns_(period_ns > 0 ? period_ns : 1000000) {}

HotSampler::~HotSampler() {
  if (timer_started_) timer_delete(timer_);
  if (t_sampler == this) t_sampler = nullptr;
}

bool HotSampler::start() {
  if (timer_started_) return true;
  struct sigaction sa {};
  sa.sa_sigaction = &HotSampler::onSignal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(samplerSignal(), &sa, nullptr) != 0) {
    log::logf(log::kHot, "hot: no sampling signal ({}): no regions\n", std::strerror(errno));
    return false;
  }
  t_sampler = this;
  sigevent ev{};
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = samplerSignal();
  ev._sigev_un._tid = pid_t(syscall(SYS_gettid));
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
