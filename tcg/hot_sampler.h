// The hot tier's profiler (tier=auto): statistical sampling instead of a
// counter in every block.
//
// A timer on the CPU thread's own CPU time sends that thread a signal
// every period; the handler looks at the host PC it interrupted and, when
// that is generated code, charges the sample to the block it belongs to.
// A block that collects enough samples is queued for the execution loop,
// which builds its region. Counting every block run instead (a memory
// decrement at each block entry, a dependency from one run to the next)
// cost 8% on call-heavy code even where no region ever formed.
//
// Everything the handler touches belongs to the CPU thread and changes
// only outside generated code, so the handler (which runs on that thread,
// and looks only when it interrupted generated code) sees it whole.
#pragma once

#include <signal.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <ctime>
#include <vector>

namespace mimic::tcg {

class Backend;
struct TranslationBlock;

class HotSampler {
 public:
  // `hot_samples`: samples that make a block hot; `period_ns`: CPU time of
  // the CPU thread between samples.
  HotSampler(const Backend& backend, volatile int32_t* exit_request, uint32_t hot_samples, int64_t period_ns);
  ~HotSampler();
  HotSampler(const HotSampler&) = delete;
  HotSampler& operator=(const HotSampler&) = delete;

  // Starts sampling the calling thread (the CPU thread). False (with the
  // reason logged) if the host refuses a timer: the hot tier then sees no
  // hot blocks.
  bool start();
  bool started() const { return timer_started_; }
  // Blocks that became hot since the last call (CPU thread, in the loop).
  std::vector<TranslationBlock*> takeHot();
  // Forgets queued blocks (before they are freed by a flush).
  void clear() { tail_.store(head_.load()); }
  uint32_t hotSamples() const { return hot_samples_; }
  uint64_t samples() const { return samples_; }
  // Every sample taken, wherever it landed: the kernel fires CPU-time
  // timers at its tick (4 ms at 250 Hz), so samples come less often than
  // the period asks; CPU time over signals is the real period.
  uint64_t signals() const { return signals_; }

  // Region code (tier 2): samples that land in [code, code + bytes) count
  // in *counter, so the engine can weigh a region's entries against the
  // time spent in it. Called by the loop only (the handler, on the same
  // thread, skips the table while the loop edits it).
  void addRegionCode(const void* code, uint64_t bytes, uint64_t* counter);
  void removeRegionCode(uint64_t* counter);

 private:
  static void onSignal(int sig, siginfo_t* info, void* ucontext);
  void sample(uintptr_t host_pc);

  const Backend& backend_;
  volatile int32_t* exit_request_;
  const uint32_t hot_samples_;
  const int64_t period_ns_;
  timer_t timer_{};
  bool timer_started_ = false;
  uint64_t samples_ = 0;   // in generated code
  volatile uint64_t signals_ = 0;
  // Hot blocks from the handler to the loop: a ring the handler appends
  // to (head) and the loop takes from (tail); when it is full new ones
  // wait for their next sample.
  struct RegionCode {
    uintptr_t start, end;
    uint64_t* counter;
  };
  std::vector<RegionCode> region_code_;   // sorted by start
  volatile bool editing_regions_ = false;
  bool sampleRegion(uintptr_t host_pc);
  static constexpr uint32_t kRing = 256;
  std::array<TranslationBlock*, kRing> ring_{};
  std::atomic<uint32_t> head_{0}, tail_{0};
};

}  // namespace mimic::tcg
