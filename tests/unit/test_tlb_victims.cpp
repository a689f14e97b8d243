// The softmmu TLB's victim entries (tcg/cpu_common.h, kTlbVictims): two
// pages that share a direct-mapped index (4 MiB apart) used in turn must
// not go back to the guest's MMU each time; flushes must reach the
// victims; a page that gets code is protected in the victims too.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "hw/core/memory.h"
#include "tcg/cpu.h"
#include "tcg/softmmu.h"
#include "tests/unit/stub_cpu.h"

namespace mimic::tcg {
namespace {

struct TestState {
  uint64_t pc;
  CpuCommon common;
};

// Counts the guest MMU's translations.
class CountingCpu : public StateCpu<TestState> {
 public:
  using StateCpu::StateCpu;
  ~CountingCpu() override { shutdownEngine(); }
  int translations = 0;
  bool mmuTranslate(uint64_t vaddr, AccessType t, int mode, bool raise, TranslationResult& out) override {
    translations++;
    return StubCpu::mmuTranslate(vaddr, t, mode, raise, out);
  }
};

class TlbVictims : public ::testing::Test {
 protected:
  static constexpr uint64_t kA = 0x3000;
  static constexpr uint64_t kB = kA + (uint64_t(kTlbEntries) << kPageBits);   // the same index
  TlbVictims() {
    ram_[kA] = 0xa1;
    ram_[kB] = 0xb2;
    as_.addRam("ram", 0, ram_.size(), ram_.data());
    cpu_ = std::make_unique<CountingCpu>(as_);
  }
  uint64_t load(uint64_t vaddr) { return memLoad(&cpu_->common(), vaddr, MemOp{}.pack()); }
  hw::AddressSpace as_;
  std::vector<uint8_t> ram_ = std::vector<uint8_t>(8 << 20);
  std::unique_ptr<CountingCpu> cpu_;
};

TEST_F(TlbVictims, TwoPagesOnOneIndexTranslateOnceEach) {
  for (int i = 0; i < 100; i++) {
    ASSERT_EQ(load(kA), 0xa1u);
    ASSERT_EQ(load(kB), 0xb2u);
  }
  EXPECT_EQ(cpu_->translations, 2);
}

TEST_F(TlbVictims, FlushesReachTheVictims) {
  load(kA);
  load(kB);   // kA is a victim now
  tlbFlushPage(&cpu_->common(), kA);
  load(kA);   // not from the victims
  EXPECT_EQ(cpu_->translations, 3);
  load(kB);   // the flush cleared kA's index, where kB was
  EXPECT_EQ(cpu_->translations, 4);
  load(kA);   // a victim again, kB's
  EXPECT_EQ(cpu_->translations, 4);
  tlbFlushAll(&cpu_->common());
  load(kA);
  load(kB);
  EXPECT_EQ(cpu_->translations, 6);
}

TEST_F(TlbVictims, ProtectingACodePageMarksItsVictim) {
  load(kA);
  load(kB);   // kA is a victim now
  tlbProtectCodePage(&cpu_->common(), kA);
  int marked = 0;
  for (const TlbVictim& v : cpu_->common().tlb_victim[0])
    if (v.paddr_page == kA) marked += (v.entry.addr_write & kTlbNotDirty) != 0;
  EXPECT_EQ(marked, 1);
  load(kA);   // swapped back in with its flag
  EXPECT_NE(cpu_->common().tlb[0][(kA >> kPageBits) % kTlbEntries].addr_write & kTlbNotDirty, 0u);
}

}  // namespace
}  // namespace mimic::tcg
