#include "hw/timer/i8254.h"

#include "util/log.h"

namespace mimic::hw {

namespace {

constexpr int64_t kNsPerSec = 1000000000;
constexpr int64_t kRefreshNs = 15085;  // DRAM refresh request period seen in port 0x61 bit 4

bool validChannel(int ch, const char* what) {
  if (ch >= 0 && ch < 3) return true;
  log::logf(log::kGuestErrors, "i8254: {} of channel {} does not exist\n", what, ch);
  return false;
}

}  // namespace

I8254::I8254(Clock& clock, IrqLine irq0) : clock_(clock), irq_(irq0) {
  timer_ = clock_.addTimer([this] { onTimer(); });
  reset();
}

void I8254::reset() {
  int64_t now = clock_.nowNs();
  for (int i = 0; i < 3; i++) {
    Channel& c = ch_[i];
    c = Channel{};
    c.gate = i != 2;
    // As QEMU: every channel starts in mode 3 with a count of 0 (65536).
    c.loaded = true;
    c.counting = c.gate;
    c.load_ns = now;
  }
  speaker_data_ = false;
  port61_bits23_ = 0;
  channelChanged(0);
}

int64_t I8254::ticks(const Channel& c, int64_t now) const {
  int64_t d = now - c.load_ns;
  if (d <= 0) return 0;
  int64_t sec = d / kNsPerSec, rem = d % kNsPerSec;
  return sec * kFreqHz + rem * kFreqHz / kNsPerSec;
}

uint32_t I8254::counter(const Channel& c, int64_t now) const {
  if (!c.counting) return c.held;
  int64_t m = c.bcd ? 10000 : 0x10000;
  int64_t n = c.count;
  int64_t d = ticks(c, now);
  int64_t v;
  switch (c.mode) {
    case 2:
      v = n - d % n;
      break;
    case 3:
      v = n - (2 * (d % n)) % n;
      break;
    default:  // 0, 1, 4, 5: down to 0, then on through the wrap
      v = ((n - d % m) % m + m) % m;
      break;
  }
  return static_cast<uint32_t>(v % m);
}

bool I8254::outAt(const Channel& c, int64_t now) const {
  if (!c.loaded) return c.mode != 0;  // after a control word: low in mode 0, high otherwise
  if (!c.counting) return true;
  int64_t n = c.count;
  int64_t d = ticks(c, now);
  switch (c.mode) {
    case 0:
    case 1:
      return d >= n;
    case 2:
      return n < 2 || d % n != n - 1;
    case 3:
      return n < 2 || d % n < (n + 1) / 2;
    default:  // 4, 5
      return d != n;
  }
}

// The first OUT transition strictly after `now` (its time; `level` is OUT
// after it), or INT64_MAX.
int64_t I8254::nextEdge(const Channel& c, int64_t now, bool* level) const {
  if (!c.loaded || !c.counting) return INT64_MAX;
  int64_t n = c.count;
  int64_t d = ticks(c, now);
  int64_t t;
  switch (c.mode) {
    case 0:
    case 1:
      if (d >= n) return INT64_MAX;
      t = n;
      *level = true;
      break;
    case 2:
    case 3: {
      if (n < 2) return INT64_MAX;
      int64_t pos = d % n, base = d - pos;
      int64_t low_at = c.mode == 2 ? n - 1 : (n + 1) / 2;
      if (pos < low_at) {
        t = base + low_at;
        *level = false;
      } else {
        t = base + n;
        *level = true;
      }
      break;
    }
    default:
      if (d < n) {
        t = n;
        *level = false;
      } else if (d == n) {
        t = n + 1;
        *level = true;
      } else {
        return INT64_MAX;
      }
      break;
  }
  int64_t sec = t / kFreqHz, r = t % kFreqHz;
  return c.load_ns + sec * kNsPerSec + (r * kNsPerSec + kFreqHz - 1) / kFreqHz;
}

uint16_t I8254::encode(const Channel& c, uint32_t v) const {
  if (!c.bcd) return static_cast<uint16_t>(v);
  v %= 10000;
  return static_cast<uint16_t>((v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10));
}

uint32_t I8254::decode(Channel& c, uint16_t raw, int index) {
  if (!c.bcd) return raw == 0 ? 0x10000 : raw;
  uint32_t v = 0;
  bool bad = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    unsigned digit = (raw >> shift) & 0xf;
    if (digit > 9) bad = true;
    v = v * 10 + digit;  // a bad digit still counts with its value, kept below 10000 below
  }
  if (bad) log::logf(log::kGuestErrors, "i8254: channel {} BCD count {:#06x} has a non-decimal digit\n", index, raw);
  v %= 10000;
  return v == 0 ? 10000 : v;
}

uint8_t I8254::statusByte(const Channel& c, int64_t now) const {
  bool null_count = !c.loaded || (c.counting && ticks(c, now) == 0);
  return static_cast<uint8_t>((outAt(c, now) ? 0x80 : 0) | (null_count ? 0x40 : 0) | (c.rw << 4) |
                              (c.mode_bits << 1) | (c.bcd ? 1 : 0));
}

bool I8254::out(int channel) {
  if (!validChannel(channel, "OUT")) return false;
  return outAt(ch_[channel], clock_.nowNs());
}

bool I8254::gate(int channel) const { return channel >= 0 && channel < 3 && ch_[channel].gate; }

void I8254::setGate(int i, bool level) {
  if (!validChannel(i, "gate")) return;
  Channel& c = ch_[i];
  if (c.gate == level) return;
  int64_t now = clock_.nowNs();
  switch (c.mode) {
    case 1:
    case 5:
      if (level && c.loaded) {  // trigger
        c.counting = true;
        c.load_ns = now;
      }
      break;
    case 2:
    case 3:
      if (!level) {
        c.held = static_cast<uint16_t>(counter(c, now));
        c.counting = false;
      } else if (c.loaded) {
        c.counting = true;
        c.load_ns = now;
      }
      break;
    default:
      break;
  }
  c.gate = level;
  channelChanged(i);
}

void I8254::latchCount(int i) {
  Channel& c = ch_[i];
  if (c.latched_bytes) return;  // latched already: later latches are ignored until it is read
  c.latch = encode(c, counter(c, clock_.nowNs()));
  c.latched_bytes = c.rw == 3 ? 2 : 1;
}

void I8254::control(uint8_t v) {
  int sel = v >> 6;
  int64_t now = clock_.nowNs();
  if (sel == 3) {  // read-back
    if (v & 0x01) log::logf(log::kGuestErrors, "i8254: read-back command {:#04x} with reserved bit 0 set\n", v);
    for (int i = 0; i < 3; i++) {
      if (!(v & (2 << i))) continue;
      Channel& c = ch_[i];
      if (!(v & 0x20)) latchCount(i);
      if (!(v & 0x10) && !c.status_latched) {
        c.status = statusByte(c, now);
        c.status_latched = true;
      }
    }
    return;
  }
  Channel& c = ch_[sel];
  unsigned rw = (v >> 4) & 3;
  if (rw == 0) {
    latchCount(sel);
    return;
  }
  c.held = static_cast<uint16_t>(counter(c, now));
  c.rw = static_cast<uint8_t>(rw);
  c.mode_bits = (v >> 1) & 7;
  c.mode = c.mode_bits > 5 ? static_cast<uint8_t>(c.mode_bits - 4) : c.mode_bits;
  c.bcd = v & 1;
  c.loaded = false;
  c.counting = false;
  c.write_msb = false;
  c.read_msb = false;
  c.latched_bytes = 0;
  c.status_latched = false;
  channelChanged(sel);
}

void I8254::loadCount(int i, uint16_t raw) {
  Channel& c = ch_[i];
  int64_t now = clock_.nowNs();
  c.count = decode(c, raw, i);
  c.loaded = true;
  c.load_ns = now;
  switch (c.mode) {
    case 1:
    case 5:
      c.counting = false;  // until the gate rises
      c.held = static_cast<uint16_t>(c.count);
      break;
    case 2:
    case 3:
      c.counting = c.gate;
      c.held = static_cast<uint16_t>(c.count);
      break;
    default:
      c.counting = true;
      break;
  }
  channelChanged(i);
}

void I8254::writeCount(int i, uint8_t v) {
  Channel& c = ch_[i];
  switch (c.rw) {
    case 1:
      loadCount(i, v);
      break;
    case 2:
      loadCount(i, static_cast<uint16_t>(v << 8));
      break;
    default:
      if (!c.write_msb) {
        c.write_lsb = v;
        c.write_msb = true;
      } else {
        c.write_msb = false;
        loadCount(i, static_cast<uint16_t>(c.write_lsb | v << 8));
      }
      break;
  }
}

uint8_t I8254::readCount(int i) {
  Channel& c = ch_[i];
  if (c.status_latched) {
    c.status_latched = false;
    return c.status;
  }
  uint16_t v;
  bool msb;
  if (c.latched_bytes) {
    v = c.latch;
    msb = c.rw == 2 || (c.rw == 3 && c.latched_bytes == 1);
    c.latched_bytes--;
  } else {
    v = encode(c, counter(c, clock_.nowNs()));
    msb = c.rw == 2 || (c.rw == 3 && c.read_msb);
    if (c.rw == 3) c.read_msb = !c.read_msb;
  }
  return static_cast<uint8_t>(msb ? v >> 8 : v);
}

void I8254::channelChanged(int i) {
  if (i != 0) return;
  int64_t now = clock_.nowNs();
  bool level = outAt(ch_[0], now);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
  next_edge_ns_ = nextEdge(ch_[0], now, &next_edge_level_);
  if (next_edge_ns_ == INT64_MAX) {
    clock_.disarm(timer_);
  } else {
    clock_.arm(timer_, next_edge_ns_);
  }
}

void I8254::onTimer() {
  if (next_edge_ns_ == INT64_MAX) return;
  // Deliver the edge that was due even if the timer runs late, so that
  // every period reaches the interrupt controller; catch up edge by edge,
  // unless far behind (then restart from now).
  if (next_edge_level_ != irq_level_) {
    irq_level_ = next_edge_level_;
    irq_.set(irq_level_);
  }
  int64_t now = clock_.nowNs();
  int64_t from = now - next_edge_ns_ > kNsPerSec ? now : next_edge_ns_;
  next_edge_ns_ = nextEdge(ch_[0], from, &next_edge_level_);
  if (next_edge_ns_ == INT64_MAX) {
    clock_.disarm(timer_);
  } else {
    clock_.arm(timer_, next_edge_ns_);
  }
}

uint64_t I8254::read(uint64_t offset, unsigned size) {
  if (size != 1) log::logf(log::kGuestErrors, "i8254: {}-byte read at port offset {}\n", size, offset);
  if (offset < 3) return readCount(static_cast<int>(offset));
  log::logf(log::kGuestErrors, "i8254: read at port offset {:#x} (the control port is write-only)\n", offset);
  return 0xff;
}

void I8254::write(uint64_t offset, uint64_t value, unsigned size) {
  if (size != 1 || value > 0xff) {
    log::logf(log::kGuestErrors, "i8254: {}-byte write of {:#x} at port offset {} (low byte used)\n", size, value,
              offset);
  }
  uint8_t v = static_cast<uint8_t>(value);
  if (offset < 3) {
    writeCount(static_cast<int>(offset), v);
  } else if (offset == 3) {
    control(v);
  } else {
    log::logf(log::kGuestErrors, "i8254: write {:#x} at port offset {:#x} outside the ports\n", value, offset);
  }
}

uint64_t I8254::Speaker::read(uint64_t offset, unsigned size) {
  if (offset != 0 || size != 1) {
    log::logf(log::kGuestErrors, "port 0x61: {}-byte read at offset {:#x}\n", size, offset);
    if (offset != 0) return 0xff;
  }
  int64_t now = pit_.clock_.nowNs();
  bool refresh = (now / kRefreshNs) & 1;
  return (pit_.ch_[2].gate ? 0x01 : 0) | (pit_.speaker_data_ ? 0x02 : 0) | pit_.port61_bits23_ |
         (refresh ? 0x10 : 0) | (pit_.outAt(pit_.ch_[2], now) ? 0x20 : 0);
}

void I8254::Speaker::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset != 0 || size != 1 || value > 0xff) {
    log::logf(log::kGuestErrors, "port 0x61: {}-byte write of {:#x} at offset {:#x}\n", size, value, offset);
    if (offset != 0) return;
  }
  pit_.speaker_data_ = value & 0x02;
  pit_.port61_bits23_ = static_cast<uint8_t>(value & 0x0c);
  pit_.setGate(2, value & 0x01);
}

}  // namespace mimic::hw
