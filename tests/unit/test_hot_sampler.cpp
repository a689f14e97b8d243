// The hot tier's sampler (tcg/hot_sampler.h): samples of the thread's own
// CPU time, charged to the block the backend names for the interrupted
// host PC, make blocks hot after the set number; the loop's request flag
// is raised when one is queued. Samples in region code count for its
// region.
#include <gtest/gtest.h>

#include <chrono>

#include "tcg/backend.h"
#include "tcg/hot_sampler.h"
#include "tcg/translation_block.h"

namespace mimic::tcg {
namespace {

// Claims every host PC for one block (or none), as a code buffer would.
class FakeBackend : public Backend {
 public:
  TranslationBlock* claim = nullptr;
  const char* name() const override { return "fake"; }
  bool compile(const Block&, TranslationBlock&) override { return false; }
  uintptr_t execute(void*, TranslationBlock*) override { return 0; }
  bool canChain() const override { return false; }
  void chain(TranslationBlock&, int, TranslationBlock&) override {}
  void unchain(TranslationBlock&, int) override {}
  void flushCode() override {}
  TranslationBlock* blockAt(uintptr_t) const override { return claim; }
};

// A sampler over a backend that claims every PC for `tb` (or, with
// claim = false, none), sampling every 200 us of this thread's CPU.
struct Rig {
  Rig(uint32_t hot_samples, bool claim) : sampler(backend, &exit_request, hot_samples, 200000) {
    if (claim) backend.claim = &tb;
  }
  FakeBackend backend;
  TranslationBlock tb;
  volatile int32_t exit_request = 0;
  HotSampler sampler;
};

// Burns the thread's CPU until `done` or a second passes.
template <class Done>
void spin(Done done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  volatile uint64_t x = 0;
  while (!done() && std::chrono::steady_clock::now() < end)
    for (int i = 0; i < 10000; i++) x = x + 1;
}

TEST(HotSampler, BlockGetsHotAfterItsSamples) {
  Rig r(5, true);
  auto& [backend, tb, exit_request, sampler] = r;
  ASSERT_TRUE(sampler.start());
  std::vector<TranslationBlock*> hot;
  spin([&] {
    if (exit_request) {
      exit_request = 0;
      for (TranslationBlock* t : sampler.takeHot()) hot.push_back(t);
    }
    return !hot.empty();
  });
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(hot[0], &tb);
  EXPECT_GE(tb.samples, 5u);
  EXPECT_GE(sampler.samples(), 5u);
  // Hot once: later samples do not queue it again.
  spin([&] { return tb.samples >= 12; });
  EXPECT_TRUE(sampler.takeHot().empty());
}

TEST(HotSampler, HostCodeOutsideBlocksIsNotCharged) {
  Rig r(1, false);   // the backend claims nothing
  auto& [backend, tb, exit_request, sampler] = r;
  ASSERT_TRUE(sampler.start());
  spin([] { return false; });
  EXPECT_EQ(sampler.samples(), 0u);
  EXPECT_EQ(exit_request, 0);
  EXPECT_TRUE(sampler.takeHot().empty());
}

TEST(HotSampler, ClearForgetsQueuedBlocks) {
  Rig r(1, true);
  auto& [backend, tb, exit_request, sampler] = r;
  ASSERT_TRUE(sampler.start());
  spin([&] { return exit_request != 0; });
  ASSERT_NE(exit_request, 0);
  backend.claim = nullptr;
  sampler.clear();
  EXPECT_TRUE(sampler.takeHot().empty());
}

// Stands for a region's code: the sampler sees the interrupted PC in it.
__attribute__((noinline)) void regionCode(volatile uint64_t* x, int n) {
  for (int i = 0; i < n; i++) *x = *x + 1;
}

TEST(HotSampler, RegionCodeSamplesCountForTheRegion) {
  Rig r(1, false);   // no baseline block anywhere
  auto& [backend, tb, exit_request, sampler] = r;
  uint64_t region_samples = 0;
  // The function and what follows it in the text: its loop is in there.
  sampler.addRegionCode(reinterpret_cast<const void*>(&regionCode), 4096, &region_samples);
  ASSERT_TRUE(sampler.start());
  volatile uint64_t x = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (region_samples < 3 && std::chrono::steady_clock::now() < end) regionCode(&x, 1000000);
  EXPECT_GE(region_samples, 3u);
  EXPECT_GE(sampler.signals(), region_samples);
  EXPECT_EQ(exit_request, 0);   // a region sample makes nothing hot
  EXPECT_TRUE(sampler.takeHot().empty());
  // Out of service: its code no longer counts.
  sampler.removeRegionCode(&region_samples);
  const uint64_t before = region_samples, signals = sampler.signals();
  const auto end2 = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (sampler.signals() < signals + 5 && std::chrono::steady_clock::now() < end2) regionCode(&x, 1000000);
  EXPECT_GE(sampler.signals(), signals + 5);
  EXPECT_EQ(region_samples, before);
}

}  // namespace
}  // namespace mimic::tcg
