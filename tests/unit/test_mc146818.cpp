#include "hw/timer/mc146818.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <random>

#include "tests/unit/fake_clock.h"
#include "util/log.h"

using mimic::hw::IrqLine;
using mimic::hw::Mc146818;
using mimic::test::FakeClock;

namespace {

constexpr int64_t kMs = 1000000, kUs = 1000, kSec = 1000000000;
// 2024-02-29 23:59:58 UTC, a Thursday.
constexpr int64_t kStart = 1709251198;

struct IrqProbe {
  bool level = false;
  int rises = 0;
  static void handler(void* opaque, int, bool level) {
    auto* p = static_cast<IrqProbe*>(opaque);
    if (level && !p->level) p->rises++;
    p->level = level;
  }
};

class Rtc : public ::testing::Test {
 protected:
  Rtc() : rtc(clock, IrqLine(&IrqProbe::handler, &irq, 8), kStart) {}
  uint8_t in(uint8_t index) {
    rtc.write(0, index, 1);
    return static_cast<uint8_t>(rtc.read(1, 1));
  }
  void out(uint8_t index, uint8_t v) {
    rtc.write(0, index, 1);
    rtc.write(1, v, 1);
  }
  FakeClock clock{5 * kSec};
  IrqProbe irq;
  Mc146818 rtc;
};

TEST_F(Rtc, ResetValues) {
  EXPECT_EQ(in(10), 0x26);
  EXPECT_EQ(in(11), 0x02);
  EXPECT_EQ(in(12), 0x00);
  EXPECT_EQ(in(13), 0x80);
  EXPECT_EQ(rtc.read(0, 1), 0xff);  // index port is write-only
  EXPECT_FALSE(irq.level);
}

TEST_F(Rtc, TimeInBcd) {
  EXPECT_EQ(in(0), 0x58);
  EXPECT_EQ(in(2), 0x59);
  EXPECT_EQ(in(4), 0x23);
  EXPECT_EQ(in(6), 0x05);  // Thursday (Sunday = 1)
  EXPECT_EQ(in(7), 0x29);
  EXPECT_EQ(in(8), 0x02);
  EXPECT_EQ(in(9), 0x24);
  EXPECT_EQ(in(0x32), 0x20);
  clock.advance(2 * kSec);  // leap day rolls into March
  EXPECT_EQ(in(0), 0x00);
  EXPECT_EQ(in(4), 0x00);
  EXPECT_EQ(in(7), 0x01);
  EXPECT_EQ(in(8), 0x03);
  EXPECT_EQ(in(6), 0x06);
  EXPECT_EQ(rtc.unixTime(), kStart + 2);
}

TEST_F(Rtc, TimeAdvancesOnlyAtTheSecondBoundary) {
  clock.advance(999 * kMs);
  EXPECT_EQ(in(0), 0x58);
  clock.advance(1 * kMs);
  EXPECT_EQ(in(0), 0x59);
}

TEST_F(Rtc, TimeInBinary) {
  out(11, 0x06);  // DM binary, 24 h
  EXPECT_EQ(in(0), 58);
  EXPECT_EQ(in(2), 59);
  EXPECT_EQ(in(4), 23);
  EXPECT_EQ(in(7), 29);
  EXPECT_EQ(in(8), 2);
  EXPECT_EQ(in(9), 24);
  EXPECT_EQ(in(0x32), 20);
}

TEST_F(Rtc, TwelveHourMode) {
  out(11, 0x00);  // BCD, 12 h
  EXPECT_EQ(in(4), 0x80 | 0x11);  // 11 PM
  rtc.setUnixTime(kStart - 23 * 3600 - 59 * 60);  // 00:00:58
  EXPECT_EQ(in(4), 0x12);                          // 12 AM
  rtc.setUnixTime(kStart - 11 * 3600 - 59 * 60);  // 12:00:58
  EXPECT_EQ(in(4), 0x92);                          // 12 PM
  out(11, 0x04);                                   // binary 12 h
  EXPECT_EQ(in(4), 0x80 | 12);
  rtc.setUnixTime(kStart - 14 * 3600);  // 09:59:58
  EXPECT_EQ(in(4), 9);
}

TEST_F(Rtc, SetStopsUpdatesAndWritesTakeEffectWhenCleared) {
  out(11, 0x82);  // SET
  clock.advance(5 * kSec);
  EXPECT_EQ(in(0), 0x58);  // frozen
  EXPECT_EQ(in(10) & 0x80, 0);
  // 2001-09-09 01:46:40 UTC = 1000000000
  out(0, 0x40);
  out(2, 0x46);
  out(4, 0x01);
  out(7, 0x09);
  out(8, 0x09);
  out(9, 0x01);
  out(0x32, 0x20);
  EXPECT_EQ(in(0), 0x40);
  clock.advance(3 * kSec);
  EXPECT_EQ(rtc.unixTime(), 1000000000);
  out(11, 0x02);  // clear SET: runs from the written time
  EXPECT_EQ(rtc.unixTime(), 1000000000);
  EXPECT_EQ(in(0), 0x40);
  clock.advance(1 * kSec);
  EXPECT_EQ(in(0), 0x41);
  EXPECT_EQ(in(6), 0x01);  // a Sunday
}

TEST_F(Rtc, SetClearsUie) {
  out(11, 0x12);
  out(11, 0x92);
  EXPECT_EQ(in(11), 0x82);
}

TEST_F(Rtc, WritingTimeWhileRunningKeepsThePhase) {
  clock.advance(300 * kMs);
  out(2, 0x10);  // minutes
  EXPECT_EQ(in(2), 0x10);
  EXPECT_EQ(in(0), 0x58);
  clock.advance(700 * kMs);
  EXPECT_EQ(in(0), 0x59);
}

TEST_F(Rtc, UipIsSetFor244usBeforeTheUpdate) {
  // The update is at 1 s after construction.
  clock.advance(1 * kSec - 245 * kUs);
  EXPECT_EQ(in(10) & 0x80, 0);
  clock.advance(2 * kUs);
  EXPECT_EQ(in(10), 0x80 | 0x26);
  EXPECT_EQ(in(0), 0x58);  // not updated yet
  clock.advance(242 * kUs);
  EXPECT_EQ(in(10) & 0x80, 0x80);
  clock.advance(1 * kUs);  // the update
  EXPECT_EQ(in(10) & 0x80, 0);
  EXPECT_EQ(in(0), 0x59);
}

TEST_F(Rtc, LinuxStyleCalibrationSeesOneSecondBetweenUipEdges) {
  // Poll every 10 us, as a CPU would, for two falling-then-rising UIP edges.
  auto uip = [&] { return (in(10) & 0x80) != 0; };
  auto waitRising = [&] {
    while (uip()) clock.advance(10 * kUs);
    while (!uip()) clock.advance(10 * kUs);
    return clock.nowNs();
  };
  int64_t t0 = waitRising();
  int64_t t1 = waitRising();
  EXPECT_NEAR(t1 - t0, kSec, 20 * kUs);
}

TEST_F(Rtc, NoUipWhileSetOrDividerReset) {
  out(11, 0x82);
  clock.advance(1 * kSec - 100 * kUs);
  EXPECT_EQ(in(10) & 0x80, 0);
  out(11, 0x02);
  out(10, 0x70);  // divider reset
  clock.advance(1 * kSec);
  EXPECT_EQ(in(10), 0x70);
  EXPECT_EQ(in(0), 0x58);  // stopped
}

TEST_F(Rtc, DividerReleaseUpdatesHalfASecondLater) {
  out(10, 0x76);
  clock.advance(3 * kSec + 123 * kMs);
  out(10, 0x26);
  clock.advance(499 * kMs);
  EXPECT_EQ(in(0), 0x58);
  clock.advance(1 * kMs);
  EXPECT_EQ(in(0), 0x59);
}

TEST_F(Rtc, PeriodicInterruptRates) {
  for (int rate = 3; rate <= 15; rate++) {
    SCOPED_TRACE(rate);
    out(11, 0x02);
    in(12);
    out(10, static_cast<uint8_t>(0x20 | rate));
    int64_t period = 1000000000ll * (1 << (rate - 1)) / 32768;  // ns, rounded down
    // Align to an interrupt (the RTC's only timer, id 0, is armed for it).
    out(11, 0x42);
    int rises0 = irq.rises;
    int64_t b0 = clock.deadline(0);
    ASSERT_GT(b0, clock.nowNs());
    ASSERT_LE(b0, clock.nowNs() + period + 1);
    clock.advanceTo(b0);
    ASSERT_EQ(irq.rises, rises0 + 1);
    ASSERT_EQ(in(12) & 0xc0, 0xc0);  // IRQF | PF, clears
    EXPECT_FALSE(irq.level);
    // Count interrupts over 64 periods, acknowledging each one.
    int n = 0;
    clock.advance(period / 2);
    int64_t end = b0 + 64 * period + period / 2;
    while (clock.nowNs() < end) {
      clock.advanceTo(std::min(end, clock.nowNs() + period / 4 + 1));
      if (irq.level) {
        EXPECT_EQ(in(12) & 0xc0, 0xc0);
        n++;
      }
    }
    EXPECT_EQ(n, 64);
  }
}

TEST_F(Rtc, Rate6Is1024Hz) {
  out(10, 0x26);
  out(11, 0x42);
  int rises0 = irq.rises;
  for (int i = 0; i < 10000; i++) {  // 1 s in 100 us steps
    clock.advance(100 * kUs);
    if (irq.level) in(12);
  }
  EXPECT_EQ(irq.rises - rises0, 1024);
}

TEST_F(Rtc, PeriodicFlagWithoutPie) {
  out(10, 0x2f);  // 2 Hz
  in(12);
  clock.advance(600 * kMs);
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(in(12), 0x40);  // PF but no IRQF
  EXPECT_EQ(in(12), 0x00);
  // Enabling PIE with PF pending raises the line at once.
  clock.advance(500 * kMs);
  out(11, 0x42);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(in(12) & 0xc0, 0xc0);
  EXPECT_FALSE(irq.level);
}

TEST_F(Rtc, UpdateEndedInterrupt) {
  out(10, 0x20);  // no periodic
  out(11, 0x12);  // UIE
  clock.advance(999 * kMs);
  EXPECT_FALSE(irq.level);
  clock.advance(1 * kMs);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(in(0), 0x59);
  EXPECT_EQ(in(12), 0x90);
  EXPECT_FALSE(irq.level);
  clock.advance(1 * kSec);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(irq.rises, 2);
}

TEST_F(Rtc, AlarmInterrupt) {
  out(10, 0x20);
  out(1, 0x05);  // 00:00:05
  out(3, 0x00);
  out(5, 0x00);
  out(11, 0x22);  // AIE
  clock.advance(6 * kSec);  // 00:00:04
  EXPECT_FALSE(irq.level);
  clock.advance(1 * kSec);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(in(12), 0xb0);  // IRQF AF UF
  EXPECT_FALSE(irq.level);
  // Don't-care hours and minutes: every minute at :05.
  out(3, 0xc0);
  out(5, 0xff);
  clock.advance(59 * kSec);
  EXPECT_FALSE(irq.level);
  clock.advance(1 * kSec);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(in(0), 0x05);
  EXPECT_EQ(in(2), 0x01);
}

TEST_F(Rtc, AlarmFlagWithoutAie) {
  out(10, 0x20);
  out(1, 0xc0);
  out(3, 0xc0);
  out(5, 0xc0);  // every second
  in(12);
  clock.advance(10 * kSec);
  EXPECT_EQ(in(12), 0x30);
  EXPECT_FALSE(irq.level);
}

TEST_F(Rtc, ReadingCClearsFlagsAndLowersIrq) {
  out(11, 0x72);  // PIE AIE UIE
  out(1, 0xff);
  out(3, 0xff);
  out(5, 0xff);
  clock.advance(2 * kSec);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(in(12), 0xf0);
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(in(12), 0x00);
  EXPECT_FALSE(irq.level);
}

TEST_F(Rtc, CmosRam) {
  for (int i = 14; i < 128; i++) {
    if (i == 0x32) continue;
    out(static_cast<uint8_t>(i), static_cast<uint8_t>(i * 7));
  }
  for (int i = 14; i < 128; i++) {
    if (i == 0x32) continue;
    EXPECT_EQ(in(static_cast<uint8_t>(i)), static_cast<uint8_t>(i * 7)) << i;
  }
  // The NMI mask bit of the index is ignored.
  EXPECT_EQ(in(0x80 | 20), static_cast<uint8_t>(20 * 7));
  // C and D are read-only.
  out(12, 0xff);
  out(13, 0x00);
  EXPECT_EQ(in(12), 0x00);
  EXPECT_EQ(in(13), 0x80);
  out(10, 0xa6);  // UIP is read-only
  EXPECT_EQ(in(10) & 0x7f, 0x26);
}

TEST_F(Rtc, CenturyByteSetsTheYear) {
  out(11, 0x82);
  out(0x32, 0x19);
  out(11, 0x02);
  EXPECT_EQ(in(9), 0x24);
  EXPECT_EQ(in(0x32), 0x19);
  EXPECT_EQ(rtc.unixTime(), kStart - 3155760000ll + 86400 * 0);  // 1924-02-29
}

TEST(RtcHost, FollowsHostTime) {
  FakeClock clock;
  Mc146818 rtc(clock, IrqLine());
  int64_t host = std::time(nullptr);
  EXPECT_NEAR(static_cast<double>(rtc.unixTime()), static_cast<double>(host), 2.0);
}

TEST(RtcFuzz, RandomAccessesNeverBreakIt) {
  // Every guest_errors message is formatted, into /dev/null.
  uint32_t saved_mask = mimic::log::g_mask;
  std::FILE* saved_file = mimic::log::g_file;
  std::FILE* sink = std::fopen("/dev/null", "w");
  mimic::log::g_mask = mimic::log::kGuestErrors;
  mimic::log::g_file = sink;
  FakeClock clock;
  IrqProbe irq;
  Mc146818 rtc(clock, IrqLine(&IrqProbe::handler, &irq, 8), kStart);
  std::mt19937 rng(4321);
  for (int i = 0; i < 100000; i++) {
    unsigned op = rng() % 8;
    uint64_t off = rng() % 4;
    unsigned size = 1u << (rng() % 4);
    if (op < 3) {
      rtc.write(off, rng() % 2 ? rng() & 0xff : rng(), size);
    } else if (op < 6) {
      rtc.read(off, size);
    } else if (op == 6) {
      rtc.writeReg(static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()));
    } else {
      clock.advance(rng() % 3000000);
    }
    ASSERT_EQ(irq.level, rtc.irqLevel());
  }
  rtc.reset();
  rtc.readReg(12);
  EXPECT_FALSE(irq.level);
  mimic::log::g_mask = saved_mask;
  mimic::log::g_file = saved_file;
  if (sink) std::fclose(sink);
}

}  // namespace
