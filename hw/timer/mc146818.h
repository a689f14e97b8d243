// The MC146818 real-time clock and CMOS RAM of the PIIX4 south bridge, at
// ISA ports 0x70 (index; bit 7, the NMI mask, is ignored) and 0x71 (data).
//
// Registers 0-9 hold the time (UTC, like QEMU's default -rtc base=utc),
// taken from the host at construction and advanced by the Clock. The
// seconds grid is fixed at construction (or by releasing the divider reset:
// the first update follows 500 ms later); guest writes to the time change
// the value, not the phase. Values are computed when read, in BCD or binary
// and 12 or 24 hours as register B says at that moment.
//
// Register A: UIP (bit 7) is set during the 244 us before each update
// while the clock runs; DV (bits 6-4) 000/001/010 run, 11x holds the
// divider in reset; RS (bits 3-0) selects the periodic rate (32768 >>
// (RS - 1) Hz, RS 1 and 2 as 8 and 9). Register B: SET stops updates (and
// clears UIE); time written while SET is set takes effect when it clears.
// Register C: IRQF PF AF UF, set whether or not their interrupts are
// enabled, cleared by reading C. Register D reads VRT (0x80). The IRQ line
// is high while C's IRQF is set. Bytes 14-127 are CMOS RAM; byte 0x32 is
// the century.
//
// Timers only run while an enabled interrupt can still change the line;
// flags are otherwise brought up to date when the guest looks.
#pragma once

#include <cstdint>
#include <optional>

#include "hw/core/memory.h"
#include "hw/timer/clock.h"

namespace mimic::hw {

class Mc146818 : public MmioHandler {
 public:
  static constexpr uint32_t kPortBase = 0x70;
  static constexpr uint32_t kPortCount = 2;
  static constexpr unsigned kCmosSize = 128;
  static constexpr uint8_t kRegA = 10, kRegB = 11, kRegC = 12, kRegD = 13, kCentury = 0x32;
  static constexpr uint8_t kAUip = 0x80;
  static constexpr uint8_t kBSet = 0x80, kBPie = 0x40, kBAie = 0x20, kBUie = 0x10, kBSqwe = 0x08, kBDm = 0x04,
                           kB24h = 0x02, kBDse = 0x01;
  static constexpr uint8_t kCIrqf = 0x80, kCPf = 0x40, kCAf = 0x20, kCUf = 0x10;
  static constexpr int64_t kUipNs = 8 * 1000000000ll / 32768;  // 244 us: 8 cycles of 32.768 kHz

  // `start_unix_seconds`: the time to start at (UTC seconds since 1970);
  // host time when absent. The first update is one second after
  // construction (host time: at the host's next second boundary).
  Mc146818(Clock& clock, IrqLine irq, std::optional<int64_t> start_unix_seconds = std::nullopt);

  // As QEMU's reset: A = 0x26 stays, B loses PIE/AIE/UIE/SQWE, C clears.
  void reset();

  // Port offsets: 0 = index, 1 = data. Byte accesses (others take the low byte).
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

  // Direct register access by index 0-127 (the data port's behaviour).
  uint8_t readReg(uint8_t index);
  void writeReg(uint8_t index, uint8_t value);

  // The current time, UTC seconds since 1970 (what registers 0-9 show).
  int64_t unixTime();
  // Sets the time, keeping the update phase (as a guest write would).
  void setUnixTime(int64_t seconds);

  bool irqLevel() const { return irq_level_; }

 private:
  bool divRunning() const { return (cmos_[kRegA] & 0x60) != 0x60; }
  bool running() const { return !(cmos_[kRegB] & kBSet) && (cmos_[kRegA] & 0x70) <= 0x20; }
  int64_t secIndex(int64_t ns) const;        // seconds-grid index of time ns
  int64_t periodShift() const;               // log2 of the periodic period in 32 kHz ticks, -1 if off
  int64_t tick32(int64_t ns) const;          // 32.768 kHz ticks since the grid origin
  int64_t tick32Ns(int64_t tick) const;      // first ns at which tick32() == tick
  uint8_t toReg(int v) const;
  int fromReg(uint8_t v) const;
  uint8_t hourReg(int hour) const;
  int hourFromReg(uint8_t v) const;
  void render(int64_t unix_seconds);         // time -> registers 0-9, century
  int64_t parse() const;                     // registers -> time
  bool alarmMatches(int64_t unix_seconds) const;
  void sync();                               // brings C's flags up to now
  void updateIrq();
  void rearm();
  void onTimer();

  Clock& clock_;
  IrqLine irq_;
  int timer_;
  uint8_t cmos_[kCmosSize] = {};
  uint8_t index_ = 0;
  int64_t origin_ns_ = 0;    // a second boundary of the update grid
  int64_t origin_sec_ = 0;   // the time shown from origin_ns_ (while running)
  int64_t last_sync_ns_ = 0;
  bool irq_level_ = false;
};

}  // namespace mimic::hw
