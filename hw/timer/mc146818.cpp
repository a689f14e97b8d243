#include "hw/timer/mc146818.h"

#include <algorithm>
#include <chrono>

#include "util/log.h"

namespace mimic::hw {

namespace {

constexpr int64_t kNsPerSec = 1000000000;
constexpr int64_t kHz32 = 32768;

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

bool isTimeReg(uint8_t i) {
  return i == 0 || i == 2 || i == 4 || (i >= 6 && i <= 9) || i == Mc146818::kCentury;
}

struct Civil {
  int year, month, day, hour, minute, second, wday;  // wday 0 = Sunday
};

Civil toCivil(int64_t t) {
  using namespace std::chrono;
  int64_t days = floorDiv(t, 86400);
  int64_t secs = t - days * 86400;
  sys_days d{std::chrono::days{days}};
  year_month_day ymd{d};
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  c.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  c.wday = static_cast<int>(weekday{d}.c_encoding());
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  return c;
}

}  // namespace

Mc146818::Mc146818(Clock& clock, IrqLine irq, std::optional<int64_t> start_unix_seconds)
    : clock_(clock), irq_(irq) {
  timer_ = clock_.addTimer([this] { onTimer(); });
  int64_t now = clock_.nowNs();
  if (start_unix_seconds) {
    origin_ns_ = now;
    origin_sec_ = *start_unix_seconds;
  } else {
    int64_t host = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    int64_t sec = floorDiv(host, kNsPerSec);
    origin_ns_ = now - (host - sec * kNsPerSec);
    origin_sec_ = sec;
  }
  last_sync_ns_ = now;
  cmos_[kRegA] = 0x26;
  cmos_[kRegB] = kB24h;
  cmos_[kRegC] = 0;
  cmos_[kRegD] = 0x80;
  render(unixTime());
}

void Mc146818::reset() {
  sync();
  cmos_[kRegB] &= static_cast<uint8_t>(~(kBPie | kBAie | kBUie | kBSqwe));
  cmos_[kRegC] = 0;
  updateIrq();
  rearm();
}

int64_t Mc146818::secIndex(int64_t ns) const { return floorDiv(ns - origin_ns_, kNsPerSec); }

int64_t Mc146818::tick32(int64_t ns) const {
  int64_t d = ns - origin_ns_;
  int64_t sec = floorDiv(d, kNsPerSec);
  int64_t rem = d - sec * kNsPerSec;
  return sec * kHz32 + rem * kHz32 / kNsPerSec;
}

int64_t Mc146818::tick32Ns(int64_t tick) const {
  int64_t sec = floorDiv(tick, kHz32);
  int64_t r = tick - sec * kHz32;
  return origin_ns_ + sec * kNsPerSec + (r * kNsPerSec + kHz32 - 1) / kHz32;
}

int64_t Mc146818::periodShift() const {
  int rs = cmos_[kRegA] & 0x0f;
  if (rs == 0) return -1;
  if (rs <= 2) rs += 7;
  return rs - 1;
}

uint8_t Mc146818::toReg(int v) const {
  if (cmos_[kRegB] & kBDm) return static_cast<uint8_t>(v);
  return static_cast<uint8_t>(((v / 10 % 10) << 4) | (v % 10));
}

int Mc146818::fromReg(uint8_t v) const {
  if (cmos_[kRegB] & kBDm) return v;
  return (v >> 4) * 10 + (v & 0x0f);
}

uint8_t Mc146818::hourReg(int hour) const {
  if (cmos_[kRegB] & kB24h) return toReg(hour);
  int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return static_cast<uint8_t>(toReg(h12) | (hour >= 12 ? 0x80 : 0));
}

int Mc146818::hourFromReg(uint8_t v) const {
  if (cmos_[kRegB] & kB24h) return fromReg(v);
  int h = fromReg(static_cast<uint8_t>(v & 0x7f));
  return h % 12 + ((v & 0x80) ? 12 : 0);
}

void Mc146818::render(int64_t t) {
  Civil c = toCivil(t);
  int year = ((c.year % 10000) + 10000) % 10000;
  cmos_[0] = toReg(c.second);
  cmos_[2] = toReg(c.minute);
  cmos_[4] = hourReg(c.hour);
  cmos_[6] = toReg(c.wday + 1);
  cmos_[7] = toReg(c.day);
  cmos_[8] = toReg(c.month);
  cmos_[9] = toReg(year % 100);
  cmos_[kCentury] = toReg(year / 100);
}

int64_t Mc146818::parse() const {
  using namespace std::chrono;
  int sec = fromReg(cmos_[0]);
  int min = fromReg(cmos_[2]);
  int hour = hourFromReg(cmos_[4]);
  int day = fromReg(cmos_[7]);
  int mon = fromReg(cmos_[8]);
  int year = fromReg(cmos_[9]) + fromReg(cmos_[kCentury]) * 100;
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59) {
    log::logf(log::kGuestErrors, "mc146818: invalid time {:02x}-{:02x}-{:02x} {:02x}:{:02x}:{:02x} (B={:#04x})\n",
              cmos_[9], cmos_[8], cmos_[7], cmos_[4], cmos_[2], cmos_[0], cmos_[kRegB]);
  }
  // Out-of-range fields carry into the next ones; months are clamped.
  mon = std::clamp(mon, 1, 12);
  sys_days first{year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(mon)},
                                std::chrono::day{1}}};
  int64_t days = first.time_since_epoch().count() + (day - 1);
  return days * 86400 + int64_t{hour} * 3600 + int64_t{min} * 60 + sec;
}

bool Mc146818::alarmMatches(int64_t t) const {
  Civil c = toCivil(t);
  auto match = [](uint8_t alarm, uint8_t value) { return (alarm & 0xc0) == 0xc0 || alarm == value; };
  return match(cmos_[1], toReg(c.second)) && match(cmos_[3], toReg(c.minute)) && match(cmos_[5], hourReg(c.hour));
}

int64_t Mc146818::unixTime() {
  if (running()) return origin_sec_ + secIndex(clock_.nowNs());
  return parse();
}

void Mc146818::setUnixTime(int64_t seconds) {
  sync();
  if (running()) {
    origin_sec_ = seconds - secIndex(clock_.nowNs());
  }
  render(seconds);
  updateIrq();
  rearm();
}

void Mc146818::sync() {
  int64_t now = clock_.nowNs();
  int64_t from = last_sync_ns_;
  if (now > from) {
    int64_t shift = periodShift();
    if (divRunning() && shift >= 0 && (tick32(now) >> shift) > (tick32(from) >> shift)) cmos_[kRegC] |= kCPf;
    if (running()) {
      int64_t s0 = secIndex(from), s1 = secIndex(now);
      if (s1 > s0) {
        cmos_[kRegC] |= kCUf;
        // The alarm pattern repeats at least daily.
        for (int64_t k = std::max(s0 + 1, s1 - 86400); k <= s1; k++) {
          if (alarmMatches(origin_sec_ + k)) {
            cmos_[kRegC] |= kCAf;
            break;
          }
        }
      }
    }
    last_sync_ns_ = now;
  }
  uint8_t b = cmos_[kRegB], c = cmos_[kRegC];
  bool irqf = ((c & kCPf) && (b & kBPie)) || ((c & kCAf) && (b & kBAie)) || ((c & kCUf) && (b & kBUie));
  cmos_[kRegC] = static_cast<uint8_t>(irqf ? (c | kCIrqf) : (c & ~kCIrqf));
}

void Mc146818::updateIrq() {
  bool level = (cmos_[kRegC] & kCIrqf) != 0;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

void Mc146818::rearm() {
  // While the line is high nothing can change it until C is read or B is
  // written; the flags in between are computed then.
  int64_t next = INT64_MAX;
  if (!irq_level_) {
    int64_t now = clock_.nowNs();
    int64_t shift = periodShift();
    uint8_t b = cmos_[kRegB];
    if ((b & kBPie) && divRunning() && shift >= 0) {
      next = tick32Ns(((tick32(now) >> shift) + 1) << shift);
    }
    if ((b & (kBUie | kBAie)) && running()) {
      next = std::min(next, origin_ns_ + (secIndex(now) + 1) * kNsPerSec);
    }
  }
  if (next == INT64_MAX) {
    clock_.disarm(timer_);
  } else {
    clock_.arm(timer_, next);
  }
}

void Mc146818::onTimer() {
  sync();
  updateIrq();
  rearm();
}

uint8_t Mc146818::readReg(uint8_t index) {
  index &= 0x7f;
  if (isTimeReg(index)) {
    if (running()) render(unixTime());
    return cmos_[index];
  }
  switch (index) {
    case kRegA: {
      uint8_t v = cmos_[kRegA] & 0x7f;
      if (running()) {
        int64_t now = clock_.nowNs();
        int64_t next = origin_ns_ + (secIndex(now) + 1) * kNsPerSec;
        if (next - now <= kUipNs) v |= kAUip;
      }
      return v;
    }
    case kRegC: {
      sync();
      uint8_t v = cmos_[kRegC];
      cmos_[kRegC] = 0;
      updateIrq();
      rearm();
      return v;
    }
    case kRegD:
      return 0x80;
    default:
      return cmos_[index];
  }
}

void Mc146818::writeReg(uint8_t index, uint8_t value) {
  index &= 0x7f;
  int64_t now = clock_.nowNs();
  if (isTimeReg(index)) {
    if (running()) {
      sync();
      render(unixTime());
      cmos_[index] = value;
      origin_sec_ = parse() - secIndex(now);
      updateIrq();
      rearm();
    } else {
      cmos_[index] = value;
    }
    return;
  }
  switch (index) {
    case 1:
    case 3:
    case 5:
      sync();
      cmos_[index] = value;
      return;
    case kRegA:
    case kRegB: {
      sync();
      bool was_running = running();
      bool was_reset = !divRunning();
      if (was_running) render(unixTime());
      if (index == kRegA) {
        cmos_[kRegA] = value & 0x7f;  // UIP is read-only
      } else {
        if (value & kBSet) value &= static_cast<uint8_t>(~kBUie);
        cmos_[kRegB] = value;
      }
      // Releasing the divider reset: the first update is 500 ms later.
      if (was_reset && divRunning()) origin_ns_ = now + kNsPerSec / 2;
      if (running() && (!was_running || was_reset)) origin_sec_ = parse() - secIndex(now);
      sync();  // IRQF follows the new enables at once
      updateIrq();
      rearm();
      return;
    }
    case kRegC:
    case kRegD:
      log::logf(log::kGuestErrors, "mc146818: write {:#04x} to read-only register {} ignored\n", value,
                index == kRegC ? "C" : "D");
      return;
    default:
      cmos_[index] = value;
      return;
  }
}

uint64_t Mc146818::read(uint64_t offset, unsigned size) {
  if (size != 1) log::logf(log::kGuestErrors, "mc146818: {}-byte read at port offset {}\n", size, offset);
  switch (offset) {
    case 0:
      return 0xff;  // the index register is write-only
    case 1:
      return readReg(index_);
    default:
      log::logf(log::kGuestErrors, "mc146818: read at offset {:#x} outside the ports\n", offset);
      return 0xff;
  }
}

void Mc146818::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size != 1 || value > 0xff) {
    log::logf(log::kGuestErrors, "mc146818: {}-byte write of {:#x} at port offset {} (low byte used)\n", size,
              value, offset);
  }
  switch (offset) {
    case 0:
      index_ = static_cast<uint8_t>(value & 0x7f);  // bit 7 masks NMIs; not modelled
      return;
    case 1:
      writeReg(index_, static_cast<uint8_t>(value));
      return;
    default:
      log::logf(log::kGuestErrors, "mc146818: write {:#x} at offset {:#x} outside the ports\n", value, offset);
      return;
  }
}

}  // namespace mimic::hw
