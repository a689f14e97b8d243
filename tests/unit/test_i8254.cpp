#include "hw/timer/i8254.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <vector>

#include "tests/unit/fake_clock.h"
#include "util/log.h"

using mimic::hw::I8254;
using mimic::hw::IrqLine;
using mimic::test::FakeClock;

namespace {

constexpr int64_t kSec = 1000000000;

// The first time (ns after a load) at which `t` input clocks have passed.
int64_t tickNs(int64_t t) { return (t * kSec + I8254::kFreqHz - 1) / I8254::kFreqHz; }

struct IrqProbe {
  FakeClock* clock = nullptr;
  bool level = false;
  std::vector<int64_t> rises, falls;
  static void handler(void* opaque, int, bool level) {
    auto* p = static_cast<IrqProbe*>(opaque);
    if (level && !p->level) p->rises.push_back(p->clock->nowNs());
    if (!level && p->level) p->falls.push_back(p->clock->nowNs());
    p->level = level;
  }
};

class Pit : public ::testing::Test {
 protected:
  Pit() : pit((irq.clock = &clock, clock), IrqLine(&IrqProbe::handler, &irq, 0)) {
    t0 = clock.nowNs();
  }
  uint8_t in(unsigned port) {
    if (port == 0x61) return static_cast<uint8_t>(pit.speakerPort().read(0, 1));
    return static_cast<uint8_t>(pit.read(port - 0x40, 1));
  }
  void out(unsigned port, uint8_t v) {
    if (port == 0x61) {
      pit.speakerPort().write(0, v, 1);
    } else {
      pit.write(port - 0x40, v, 1);
    }
  }
  // A 16-bit count through the lobyte/hibyte sequence.
  void load(unsigned port, uint16_t count) {
    out(port, static_cast<uint8_t>(count));
    out(port, static_cast<uint8_t>(count >> 8));
  }
  uint16_t readWord(unsigned port) {
    uint8_t lo = in(port);
    return static_cast<uint16_t>(lo | in(port) << 8);
  }
  FakeClock clock{1000};
  IrqProbe irq;
  I8254 pit;
  int64_t t0;
};

TEST_F(Pit, ResetStateMatchesQemu) {
  // Channel 0 runs mode 3 with a count of 65536 (18.2 Hz) from reset.
  EXPECT_TRUE(irq.level);
  irq.rises.clear();
  clock.advance(kSec);
  EXPECT_EQ(irq.rises.size(), 18u);
  // Channel 2's gate starts low.
  EXPECT_EQ(in(0x61) & 0x01, 0);
  EXPECT_EQ(in(0x61) & 0x20, 0x20);  // mode 3, gated off: OUT high
}

TEST_F(Pit, Mode2RateGenerator) {
  out(0x43, 0x34);  // channel 0, lobyte/hibyte, mode 2, binary
  load(0x40, 1193);
  int64_t start = clock.nowNs();
  irq.rises.clear();
  irq.falls.clear();
  EXPECT_TRUE(irq.level);
  clock.advance(kSec);
  // 1193182 / 1193 = 1000.15 periods
  ASSERT_EQ(irq.rises.size(), 1000u);
  ASSERT_EQ(irq.falls.size(), 1000u);
  for (size_t k = 0; k < 1000; k++) {
    // OUT goes low when the counter reaches 1, for one input clock.
    EXPECT_EQ(irq.falls[k], start + tickNs(static_cast<int64_t>(k) * 1193 + 1192));
    EXPECT_EQ(irq.rises[k], start + tickNs(static_cast<int64_t>(k + 1) * 1193));
  }
  // The counter runs from 1193 down to 1.
  clock.advanceTo(start + tickNs(1193 * 2000 + 100));
  EXPECT_EQ(readWord(0x40), 1193 - 100);
}

TEST_F(Pit, Mode3SquareWave) {
  out(0x43, 0x36);  // channel 0, lobyte/hibyte, mode 3
  load(0x40, 11932);  // ~100 Hz
  int64_t start = clock.nowNs();
  irq.rises.clear();
  irq.falls.clear();
  clock.advance(kSec);
  ASSERT_EQ(irq.rises.size(), 99u);  // 1193182 / 11932 = 99.998
  ASSERT_EQ(irq.falls.size(), 100u);
  EXPECT_EQ(irq.falls[0], start + tickNs(5966));
  EXPECT_EQ(irq.rises[0], start + tickNs(11932));
  EXPECT_EQ(irq.rises[98], start + tickNs(11932 * 99));
  // Counts down by two.
  clock.advanceTo(start + tickNs(11932 * 200 + 10));
  EXPECT_EQ(readWord(0x40), 11932 - 20);
  // Odd counts: high one clock longer than low.
  out(0x43, 0x36);
  load(0x40, 5);
  start = clock.nowNs();
  irq.rises.clear();
  irq.falls.clear();
  clock.advanceTo(start + tickNs(10));
  ASSERT_EQ(irq.falls.size(), 2u);
  EXPECT_EQ(irq.falls[0], start + tickNs(3));
  EXPECT_EQ(irq.rises[0], start + tickNs(5));
}

TEST_F(Pit, Mode0OneShot) {
  out(0x43, 0x30);  // channel 0, lobyte/hibyte, mode 0
  EXPECT_FALSE(irq.level);  // the control word sets OUT low
  out(0x40, 0xe8);
  clock.advance(kSec);  // only half the count written: nothing happens
  EXPECT_FALSE(irq.level);
  out(0x40, 0x03);  // 1000
  int64_t start = clock.nowNs();
  irq.rises.clear();
  clock.advanceTo(start + tickNs(999));
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(readWord(0x40), 1);
  clock.advanceTo(start + tickNs(1000));
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(readWord(0x40), 0);
  clock.advanceTo(start + tickNs(1001));
  EXPECT_EQ(readWord(0x40), 0xffff);  // the counter wraps, OUT stays high
  clock.advance(kSec);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(irq.rises.size(), 1u);
  EXPECT_EQ(irq.rises[0], start + tickNs(1000));
}

TEST_F(Pit, Mode4SoftwareStrobe) {
  out(0x43, 0x38);
  load(0x40, 100);
  int64_t start = clock.nowNs();
  irq.rises.clear();
  irq.falls.clear();
  clock.advance(kSec / 10);
  ASSERT_EQ(irq.falls.size(), 1u);
  ASSERT_EQ(irq.rises.size(), 1u);
  EXPECT_EQ(irq.falls[0], start + tickNs(100));
  EXPECT_EQ(irq.rises[0], start + tickNs(101));
}

TEST_F(Pit, CounterLatch) {
  out(0x43, 0x34);
  load(0x40, 50000);
  int64_t start = clock.nowNs();
  clock.advanceTo(start + tickNs(1000));
  out(0x43, 0x00);  // latch channel 0
  clock.advanceTo(start + tickNs(3000));
  out(0x43, 0x00);  // ignored: already latched
  EXPECT_EQ(in(0x40), (49000 & 0xff));
  clock.advanceTo(start + tickNs(5000));
  EXPECT_EQ(in(0x40), 49000 >> 8);
  // Unlatched again: live count.
  EXPECT_EQ(readWord(0x40), 45000);
}

TEST_F(Pit, ReadBack) {
  out(0x43, 0x74);  // channel 1, lobyte/hibyte, mode 2
  load(0x41, 0x4000);
  int64_t start = clock.nowNs();
  clock.advanceTo(start + tickNs(0x100));
  out(0x43, 0xc4);  // read-back: count and status of channel 1
  clock.advance(kSec / 100);
  EXPECT_EQ(in(0x41), 0x80 | 0x30 | (2 << 1));  // OUT high, lobyte/hibyte, mode 2
  EXPECT_EQ(readWord(0x41), 0x3f00);
  // Status only; null count is set right after a control word.
  out(0x43, 0xb0);  // channel 2, lobyte/hibyte, mode 0
  out(0x43, 0xe8);  // read-back: status of channel 2
  EXPECT_EQ(in(0x42), 0x40 | 0x30);
  // Mode 6 is mode 2 and reads back as written.
  out(0x43, 0x1c);  // channel 0, lobyte, mode 6
  out(0x43, 0xe2);
  EXPECT_EQ(in(0x40), 0x40 | 0x10 | (6 << 1) | 0x80);
}

TEST_F(Pit, LobyteAndHibyteAccess) {
  out(0x43, 0x10);  // channel 0, lobyte only, mode 0
  out(0x40, 0x50);
  int64_t start = clock.nowNs();
  clock.advanceTo(start + tickNs(0x10));
  EXPECT_EQ(in(0x40), 0x40);
  EXPECT_EQ(in(0x40), 0x40);  // no msb step
  out(0x43, 0x20);  // hibyte only, mode 0
  out(0x40, 0x12);  // count 0x1200
  start = clock.nowNs();
  clock.advanceTo(start + tickNs(0x300));
  EXPECT_EQ(in(0x40), 0x0f);
  // Lobyte/hibyte reads alternate.
  out(0x43, 0x30);
  load(0x40, 0xabcd);
  EXPECT_EQ(in(0x40), 0xcd);
  EXPECT_EQ(in(0x40), 0xab);
  EXPECT_EQ(in(0x40), 0xcd);
}

TEST_F(Pit, BcdCounting) {
  out(0x43, 0x31);  // mode 0, BCD
  load(0x40, 0x1000);
  int64_t start = clock.nowNs();
  clock.advanceTo(start + tickNs(1));
  EXPECT_EQ(readWord(0x40), 0x0999);
  clock.advanceTo(start + tickNs(1000));
  EXPECT_EQ(readWord(0x40), 0x0000);
  EXPECT_TRUE(irq.level);
  clock.advanceTo(start + tickNs(1001));
  EXPECT_EQ(readWord(0x40), 0x9999);  // BCD wraps at 10000
  // BCD count 0 is 10000.
  out(0x43, 0x35);  // mode 2, BCD
  load(0x40, 0);
  start = clock.nowNs();
  irq.rises.clear();
  clock.advanceTo(start + tickNs(10000 * 3));
  EXPECT_EQ(irq.rises.size(), 3u);
  clock.advanceTo(start + tickNs(10000 * 3 + 1234));
  EXPECT_EQ(readWord(0x40), 0x8766);
}

TEST_F(Pit, Channel2ThroughPort61LikeLinuxCalibration) {
  // pit_hpet_ptimer_calibrate_cpu(): gate on, speaker off, mode 0, 10 ms.
  out(0x61, static_cast<uint8_t>((in(0x61) & ~0x02) | 0x01));
  out(0x43, 0xb0);
  const uint16_t latch = 11932;
  load(0x42, latch);
  int64_t start = clock.nowNs();
  EXPECT_EQ(in(0x61) & 0x20, 0);
  int polls = 0;
  while ((in(0x61) & 0x20) == 0) {
    clock.advance(1000);
    polls++;
  }
  EXPECT_GE(clock.nowNs() - start, tickNs(latch));
  EXPECT_LT(clock.nowNs() - start, tickNs(latch) + 1000);
  EXPECT_GT(polls, 9000);
  // quick_pit_calibrate(): mode 0 from 0xffff, reading lsb then msb.
  out(0x43, 0xb0);
  load(0x42, 0xffff);
  start = clock.nowNs();
  clock.advanceTo(start + tickNs(0x1234));
  in(0x42);
  EXPECT_EQ(in(0x42), (0xffff - 0x1234) >> 8);
}

TEST_F(Pit, Channel2GateInSquareWaveMode) {
  out(0x43, 0xb6);  // channel 2, mode 3
  load(0x42, 100);
  EXPECT_EQ(in(0x61) & 0x20, 0x20);  // gate low: OUT high, not counting
  clock.advance(kSec);
  EXPECT_EQ(readWord(0x42), 100);
  out(0x61, 0x03);  // gate on, speaker on
  EXPECT_TRUE(pit.speakerOn());
  int64_t start = clock.nowNs();
  clock.advanceTo(start + tickNs(60));
  EXPECT_EQ(in(0x61) & 0x23, 0x03);  // second half: OUT low
  out(0x61, 0x02);  // gate off: OUT high at once, counting stops
  EXPECT_EQ(in(0x61) & 0x21, 0x20);
  uint16_t held = readWord(0x42);
  clock.advance(kSec);
  EXPECT_EQ(readWord(0x42), held);
}

TEST_F(Pit, Mode1WaitsForTheGate) {
  out(0x43, 0xb2);  // channel 2, mode 1
  load(0x42, 50);
  clock.advance(kSec);
  EXPECT_EQ(in(0x61) & 0x20, 0x20);  // not triggered
  out(0x61, 0x01);                   // trigger
  int64_t start = clock.nowNs();
  EXPECT_EQ(in(0x61) & 0x20, 0);
  clock.advanceTo(start + tickNs(50));
  EXPECT_EQ(in(0x61) & 0x20, 0x20);
}

TEST_F(Pit, RefreshToggles) {
  uint8_t a = in(0x61) & 0x10;
  clock.advance(15085);
  EXPECT_NE(in(0x61) & 0x10, a);
  out(0x61, 0xfc);  // only bits 0-3 are writable
  EXPECT_EQ(in(0x61) & 0xcf, 0x0c);
}

TEST_F(Pit, LateTimerStillDeliversEveryEdge) {
  out(0x43, 0x34);
  load(0x40, 1193);
  irq.rises.clear();
  // Jump 100 ms at once: the edges are replayed, one per period.
  clock.advance(kSec / 10);
  EXPECT_EQ(irq.rises.size(), 100u);
}

TEST(PitFuzz, RandomAccessesNeverBreakIt) {
  // Every guest_errors message is formatted, into /dev/null.
  uint32_t saved_mask = mimic::log::g_mask;
  std::FILE* saved_file = mimic::log::g_file;
  std::FILE* sink = std::fopen("/dev/null", "w");
  mimic::log::g_mask = mimic::log::kGuestErrors;
  mimic::log::g_file = sink;
  FakeClock clock;
  IrqProbe irq;
  irq.clock = &clock;
  I8254 pit(clock, IrqLine(&IrqProbe::handler, &irq, 0));
  std::mt19937 rng(99);
  for (int i = 0; i < 100000; i++) {
    unsigned op = rng() % 10;
    uint64_t off = rng() % 5;
    unsigned size = 1u << (rng() % 4);
    uint64_t v = rng() % 4 ? rng() & 0xff : rng();
    if (op < 3) {
      pit.write(off, v, size);
    } else if (op < 6) {
      pit.read(off, size);
    } else if (op == 6) {
      pit.speakerPort().write(rng() % 2, v, size);
    } else if (op == 7) {
      pit.speakerPort().read(rng() % 2, size);
    } else {
      clock.advance(rng() % 100000);
    }
    ASSERT_EQ(irq.level, pit.irqLevel());
  }
  pit.out(5);
  pit.setGate(-1, true);
  pit.reset();
  EXPECT_TRUE(pit.irqLevel());
  mimic::log::g_mask = saved_mask;
  mimic::log::g_file = saved_file;
  if (sink) std::fclose(sink);
}

}  // namespace
