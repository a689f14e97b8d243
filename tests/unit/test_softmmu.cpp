// tcg::tlbProtectCodePage: a page that gets translated code must have every
// TLB entry mapping it, in every filled MMU mode, marked not-dirty (stores
// through any alias then reach the code-write check), and nothing else.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <utility>

#include "tcg/cpu_common.h"
#include "tcg/softmmu.h"

namespace mimic::tcg {
namespace {

class ProtectCodePage : public ::testing::Test {
 protected:
  ProtectCodePage() : c_(std::make_unique<CpuCommon>()) {
    c_->tlb_modes_filled = 0;
    for (unsigned mode = 0; mode < kMaxMmuModes; mode++)
      for (unsigned i = 0; i < kTlbEntries; i++) {
        // Every entry a writable RAM page of its own, none the target.
        c_->tlb_extra[mode][i].paddr_page = (uint64_t(mode) << 24) | (uint64_t(i + 1) << kPageBits);
        c_->tlb[mode][i].addr_write = uint64_t(i) << kPageBits;
      }
  }
  void map(unsigned mode, unsigned i, uint64_t ppage, uint64_t flags = 0) {
    c_->tlb_modes_filled |= 1u << mode;
    c_->tlb_extra[mode][i].paddr_page = ppage;
    c_->tlb[mode][i].addr_write = (uint64_t(i) << kPageBits) | flags;
  }
  std::set<std::pair<unsigned, unsigned>> marked() const {
    std::set<std::pair<unsigned, unsigned>> out;
    for (unsigned mode = 0; mode < kMaxMmuModes; mode++)
      for (unsigned i = 0; i < kTlbEntries; i++)
        if (c_->tlb[mode][i].addr_write & kTlbNotDirty) out.insert({mode, i});
    return out;
  }
  std::unique_ptr<CpuCommon> c_;
};

TEST_F(ProtectCodePage, MarksEveryAliasInEveryFilledMode) {
  const uint64_t page = 0x1f42000;
  // Aliases at group edges (the scan takes eight entries at a time), two
  // in one group, and in a second mode.
  for (unsigned i : {0u, 7u, 8u, 9u, 1023u}) map(0, i, page);
  map(2, 513, page);
  tlbProtectCodePage(c_.get(), page);
  const std::set<std::pair<unsigned, unsigned>> want{{0, 0}, {0, 7}, {0, 8}, {0, 9}, {0, 1023}, {2, 513}};
  EXPECT_EQ(marked(), want);
}

TEST_F(ProtectCodePage, LeavesOtherPagesInvalidAndDeviceEntriesAndEmptyModes) {
  const uint64_t page = 0x5000;
  map(0, 4, page + (uint64_t(1) << 32));   // same low 32 bits, another page
  map(0, 5, page, kTlbInvalid);            // no write mapping
  map(0, 6, page, kTlbMmio);               // a device
  map(1, 100, page);
  c_->tlb_modes_filled &= ~(1u << 1);      // a mode flushed since: not scanned
  map(3, 200, page);
  tlbProtectCodePage(c_.get(), page);
  const std::set<std::pair<unsigned, unsigned>> want{{3, 200}};
  EXPECT_EQ(marked(), want);
}

}  // namespace
}  // namespace mimic::tcg
