// tcg::Fastmem on its own (the guest side is tests/guest/mips/user_memory.c):
// a filled TLB entry maps the RAM page at base + vaddr with the entry's
// rights, flushes and code pages take them away, and the fill rate turns
// mapping off and on. Protections are read through the kernel, which
// reports EFAULT instead of raising a signal: write() reads the page,
// read() writes it.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>

#include "hw/core/memory.h"
#include "tcg/fastmem.h"

namespace mimic::tcg {
namespace {

constexpr uint64_t kRamBytes = 16 * kPageSize;
constexpr int kMode = 2;
constexpr uint64_t kLimit = 0x80000000u;

class FastmemTest : public ::testing::Test {
 protected:
  FastmemTest() {
    fd_ = memfd_create("fastmem-test", MFD_CLOEXEC);
    EXPECT_EQ(ftruncate(fd_, off_t(kRamBytes)), 0);
    ram_ = static_cast<uint8_t*>(mmap(nullptr, kRamBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0));
    region_.base = 0;
    region_.size = kRamBytes;
    region_.host = ram_;
    region_.fd = fd_;
    std::string why;
    fm_ = Fastmem::create(kMode, kLimit, why);
    EXPECT_TRUE(fm_) << why;
    EXPECT_EQ(pipe(pipe_), 0);
  }
  ~FastmemTest() override {
    fm_.reset();
    munmap(ram_, kRamBytes);
    close(fd_);
    close(pipe_[0]);
    close(pipe_[1]);
  }
  uint8_t* at(uint64_t vaddr) const { return reinterpret_cast<uint8_t*>(uintptr_t(uint32_t(fm_->base())) + vaddr); }
  // The kernel's view of the host page at vaddr.
  bool readable(uint64_t vaddr) {
    if (write(pipe_[1], at(vaddr), 1) != 1) return false;
    char c;
    EXPECT_EQ(read(pipe_[0], &c, 1), 1);
    return true;
  }
  bool writable(uint64_t vaddr) {
    const char c = 0x5a;
    EXPECT_EQ(write(pipe_[1], &c, 1), 1);
    if (read(pipe_[0], at(vaddr), 1) == 1) return true;
    char drain;
    EXPECT_EQ(read(pipe_[0], &drain, 1), 1);
    return false;
  }
  // A TLB entry as softmmu.cpp fills it: plain tags, or flags.
  static TlbEntry entry(uint64_t vpage, uint64_t read_flags, uint64_t write_flags) {
    return TlbEntry{vpage | read_flags, vpage | write_flags, vpage, 0};
  }

  int fd_ = -1;
  uint8_t* ram_ = nullptr;
  hw::Region region_;
  std::unique_ptr<Fastmem> fm_;
  int pipe_[2] = {-1, -1};
};

TEST_F(FastmemTest, BaseIsADisplacement) {
  ASSERT_TRUE(fm_);
  EXPECT_GT(fm_->base(), 0);
  EXPECT_EQ(fm_->mmuIdx(), kMode);
  EXPECT_FALSE(readable(0x400000));   // nothing mapped yet
}

TEST_F(FastmemTest, FilledPageIsTheRamPage) {
  ASSERT_TRUE(fm_);
  const uint64_t v = 0x00400000, p = 3 * kPageSize;
  fm_->mirror(v, p, &region_, entry(v, 0, 0));
  ram_[p + 5] = 0x42;
  EXPECT_EQ(at(v)[5], 0x42);
  at(v)[6] = 0x43;   // the same memory both ways
  EXPECT_EQ(ram_[p + 6], 0x43);
  EXPECT_TRUE(writable(v));
  EXPECT_FALSE(readable(v + kPageSize));   // only that page
}

TEST_F(FastmemTest, CleanOrCodePageIsReadOnly) {
  ASSERT_TRUE(fm_);
  const uint64_t v = 0x00500000, p = 4 * kPageSize;
  fm_->mirror(v, p, &region_, entry(v, 0, kTlbInvalid));   // D = 0: no stores
  EXPECT_TRUE(readable(v));
  EXPECT_FALSE(writable(v));
  fm_->mirror(v, p, &region_, entry(v, 0, 0));   // dirty now
  EXPECT_TRUE(writable(v));
  fm_->protectPhys(p);   // translated code on it
  EXPECT_TRUE(readable(v));
  EXPECT_FALSE(writable(v));
  fm_->mirror(v, p, &region_, entry(v, 0, kTlbNotDirty));
  EXPECT_FALSE(writable(v));
}

TEST_F(FastmemTest, DevicesWatchpointsAndKernelAddressesStayUnmapped) {
  ASSERT_TRUE(fm_);
  fm_->mirror(0x00600000, 0, nullptr, entry(0x00600000, kTlbMmio, kTlbMmio));
  EXPECT_FALSE(readable(0x00600000));
  fm_->mirror(0x00601000, 0, &region_, entry(0x00601000, kTlbWatch, kTlbWatch));
  EXPECT_FALSE(readable(0x00601000));
  fm_->mirror(0x80001000, 0, &region_, entry(0x80001000, 0, 0));
  EXPECT_FALSE(readable(0x80001000));
  hw::Region rom = region_;
  rom.readonly = true;
  fm_->mirror(0x00602000, 0, &rom, entry(0x00602000, 0, kTlbMmio));
  EXPECT_FALSE(readable(0x00602000));
}

TEST_F(FastmemTest, FlushesUnmap) {
  ASSERT_TRUE(fm_);
  fm_->mirror(0x00400000, 0, &region_, entry(0x00400000, 0, 0));
  fm_->mirror(0x00401000, kPageSize, &region_, entry(0x00401000, 0, 0));
  fm_->unmapPage(0x00400000);
  EXPECT_FALSE(readable(0x00400000));
  EXPECT_TRUE(readable(0x00401000));
  fm_->unmapAll();
  EXPECT_FALSE(readable(0x00401000));
  // A remap after the flush: the new physical page.
  ram_[2 * kPageSize] = 0x77;
  fm_->mirror(0x00401000, 2 * kPageSize, &region_, entry(0x00401000, 0, 0));
  EXPECT_EQ(at(0x00401000)[0], 0x77);
  // And without a flush in between, a different page replaces the old.
  ram_[5 * kPageSize] = 0x55;
  fm_->mirror(0x00401000, 5 * kPageSize, &region_, entry(0x00401000, 0, 0));
  EXPECT_EQ(at(0x00401000)[0], 0x55);
}

TEST_F(FastmemTest, ChurningTlbTurnsMappingOffAndCalmTurnsItOn) {
  ASSERT_TRUE(fm_);
  const int64_t step = Fastmem::kReviewNs;
  int64_t now = 10 * step;   // past the first dwell (a change stands kMinDwellNs, start included)
  // A fill rate of half the bound: stays on.
  auto fills = [&](double per_second) {
    const uint64_t n = uint64_t(per_second * double(step) * 1e-9);
    for (uint64_t i = 0; i < n; i++) fm_->mirror(0x00400000, 0, &region_, entry(0x00400000, 0, 0));
  };
  fills(Fastmem::kMaxFillsPerSecond / 2);
  EXPECT_FALSE(fm_->review(now));
  EXPECT_TRUE(fm_->active());
  fm_->mirror(0x00400000, 0, &region_, entry(0x00400000, 0, 0));
  // Twice the bound: off, and nothing stays mapped.
  now += step;
  fills(Fastmem::kMaxFillsPerSecond * 2);
  EXPECT_TRUE(fm_->review(now));
  EXPECT_FALSE(fm_->active());
  EXPECT_FALSE(readable(0x00400000));
  fm_->mirror(0x00400000, 0, &region_, entry(0x00400000, 0, 0));   // off: fills map nothing
  EXPECT_FALSE(readable(0x00400000));
  // Calm at once, but a change stands a while.
  now += step;
  EXPECT_FALSE(fm_->review(now));
  // Between half the bound and the bound: still off.
  for (int i = 0; i < 5; i++) {
    now += step;
    fills(Fastmem::kMaxFillsPerSecond * 0.75);
    EXPECT_FALSE(fm_->review(now));
  }
  EXPECT_FALSE(fm_->active());
  now += step;
  EXPECT_TRUE(fm_->review(now));
  EXPECT_TRUE(fm_->active());
  fm_->mirror(0x00400000, 0, &region_, entry(0x00400000, 0, 0));
  EXPECT_TRUE(readable(0x00400000));
}

}  // namespace
}  // namespace mimic::tcg
