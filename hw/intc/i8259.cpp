#include "hw/intc/i8259.h"

#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw {

namespace {

// ICW1 (command port, D4 set)
constexpr uint8_t kIcw1Ic4 = 0x01, kIcw1Sngl = 0x02, kIcw1Ltim = 0x08, kIcw1 = 0x10;
// ICW4
constexpr uint8_t kIcw4Upm = 0x01, kIcw4Aeoi = 0x02, kIcw4Sfnm = 0x10, kIcw4Reserved = 0xe0;
// OCW3 (command port, D4 clear, D3 set)
constexpr uint8_t kOcw3Ris = 0x01, kOcw3Rr = 0x02, kOcw3Poll = 0x04, kOcw3 = 0x08, kOcw3Smm = 0x20,
                  kOcw3Esmm = 0x40, kOcw3Reserved = 0x80;
// OCW2 commands (bits 7:5)
enum Ocw2 : uint8_t {
  kRotateAeoiClear = 0,
  kNonSpecificEoi = 1,
  kNop = 2,
  kSpecificEoi = 3,
  kRotateAeoiSet = 4,
  kRotateNonSpecificEoi = 5,
  kSetPriority = 6,
  kRotateSpecificEoi = 7,
};

constexpr uint8_t kMasterElcrMask = 0xf8;  // IRQ 0, 1, 2 are edge only
constexpr uint8_t kSlaveElcrMask = 0xde;   // IRQ 8, 13 are edge only

const char* chipName(int index) { return index == 0 ? "i8259 master" : "i8259 slave"; }

// Byte-wide register windows of `ports` ports: an access wider than a byte
// is split into bytes in ISA (little-endian) order; bytes outside the window
// read as 0xff and ignore writes. Both are logged as guest errors.
unsigned checkedSize(const char* name, uint64_t offset, unsigned size, bool is_write) {
  if (size == 1) return 1;
  log::logf(log::kGuestErrors, "{}: {}-byte {} at offset {:#x}, registers are byte wide\n", name, size,
            is_write ? "write" : "read", offset);
  if (size == 0) return 0;
  return size > 8 ? 8 : size;
}

template <typename ReadByte>
uint64_t splitRead(const char* name, uint64_t offset, unsigned size, unsigned ports, ReadByte rd) {
  unsigned n = checkedSize(name, offset, size, false);
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) {
    uint64_t o = offset + i;
    uint8_t b = 0xff;
    if (offset < ports && i < ports - offset) {
      b = rd(static_cast<unsigned>(o));
    } else {
      log::logf(log::kGuestErrors, "{}: read of offset {:#x} outside the register window\n", name, o);
    }
    v |= static_cast<uint64_t>(b) << (8 * i);
  }
  return v;
}

template <typename WriteByte>
void splitWrite(const char* name, uint64_t offset, uint64_t value, unsigned size, unsigned ports, WriteByte wr) {
  unsigned n = checkedSize(name, offset, size, true);
  for (unsigned i = 0; i < n; i++) {
    uint64_t o = offset + i;
    uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    if (offset < ports && i < ports - offset) {
      wr(static_cast<unsigned>(o), b);
    } else {
      log::logf(log::kGuestErrors, "{}: write {:#04x} to offset {:#x} outside the register window ignored\n", name,
                b, o);
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// One 8259A.

// The priority (0 highest .. 7 lowest) of the best IR in `mask`, 8 if none.
int I8259Pair::Chip::priority(uint8_t mask) const {
  if (mask == 0) return 8;
  int p = 0;
  while (!(mask & (1u << ((p + priority_add) & 7)))) p++;
  return p;
}

// The IR the chip raises INT for: an unmasked request of higher priority
// than everything in service, or -1.
int I8259Pair::Chip::pendingIrq() const {
  int p = priority(static_cast<uint8_t>(irr & ~imr));
  if (p == 8) return -1;
  uint8_t in_service = isr;
  // Special mask mode: a masked level in service does not hold off others.
  if (special_mask) in_service &= static_cast<uint8_t>(~imr);
  // Special fully nested mode: the slave may interrupt its own service.
  if (sfnm && index == 0) in_service &= static_cast<uint8_t>(~(1u << kCascadeIrq));
  if (p < priority(in_service)) return (p + priority_add) & 7;
  return -1;
}

// The INTA pulse (or the read after a poll command) for `irq`.
void I8259Pair::Chip::intack(int irq) {
  uint8_t m = static_cast<uint8_t>(1u << irq);
  if (aeoi) {
    if (rotate_on_aeoi) priority_add = static_cast<uint8_t>((irq + 1) & 7);
  } else {
    isr |= m;
  }
  // A level-triggered request stays while its line is high.
  if (!(levelMask() & m)) irr &= static_cast<uint8_t>(~m);
}

void I8259Pair::Chip::setInput(int irq, bool level) {
  uint8_t m = static_cast<uint8_t>(1u << irq);
  bool was = line & m;
  if (level) {
    line |= m;
  } else {
    line &= static_cast<uint8_t>(~m);
  }
  if (levelMask() & m) {
    if (level) {
      irr |= m;
    } else {
      irr &= static_cast<uint8_t>(~m);
    }
  } else if (level && !was) {
    irr |= m;  // rising edge
  }
}

// ICW1: everything but the ELCR and the input lines starts afresh. The edge
// detectors are reset: an edge-triggered input has to go low and high again.
void I8259Pair::Chip::resetInit() {
  isr = 0;
  imr = 0;
  priority_add = 0;
  vector_base = 0;
  init_state = 0;
  ltim = single = need_icw4 = false;
  aeoi = rotate_on_aeoi = sfnm = false;
  read_isr = poll = special_mask = false;
  irr = static_cast<uint8_t>(line & levelMask());
}

void I8259Pair::Chip::writeCommand(uint8_t v) {
  if (v & kIcw1) {
    if (init_state != 0) {
      log::logf(log::kGuestErrors, "{}: ICW1 {:#04x} restarts an unfinished initialization\n", chipName(index), v);
    }
    resetInit();
    ltim = v & kIcw1Ltim;
    single = v & kIcw1Sngl;
    need_icw4 = v & kIcw1Ic4;
    if (!need_icw4) {
      icw4 = 0;
      mode_8086 = false;  // all ICW4 functions cleared: MCS-80/85 mode
    }
    irr = static_cast<uint8_t>(line & levelMask());
    init_state = 1;
    pair->update();
    return;
  }
  if (init_state != 0) {
    log::logf(log::kGuestErrors, "{}: OCW {:#04x} written during the initialization sequence (expecting ICW{})\n",
              chipName(index), v, init_state + 1);
  }
  if (v & kOcw3) {
    if (v & kOcw3Reserved) {
      log::logf(log::kGuestErrors, "{}: OCW3 {:#04x} has reserved bit 7 set\n", chipName(index), v);
    }
    if (v & kOcw3Poll) poll = true;
    if (v & kOcw3Rr) read_isr = v & kOcw3Ris;
    if (v & kOcw3Esmm) special_mask = v & kOcw3Smm;
    pair->update();
    return;
  }
  // OCW2
  int level = v & 7;
  switch (v >> 5) {
    case kRotateAeoiClear:
    case kRotateAeoiSet:
      rotate_on_aeoi = (v >> 5) == kRotateAeoiSet;
      if (level != 0) {
        log::logf(log::kGuestErrors, "{}: OCW2 {:#04x}: level bits set in a rotate-in-AEOI command\n",
                  chipName(index), v);
      }
      break;
    case kNonSpecificEoi:
    case kRotateNonSpecificEoi: {
      int p = priority(isr);
      if (p == 8) {
        log::logf(log::kGuestErrors, "{}: non-specific EOI with nothing in service\n", chipName(index));
        break;
      }
      int irq = (p + priority_add) & 7;
      isr &= static_cast<uint8_t>(~(1u << irq));
      if ((v >> 5) == kRotateNonSpecificEoi) priority_add = static_cast<uint8_t>((irq + 1) & 7);
      break;
    }
    case kSpecificEoi:
    case kRotateSpecificEoi:
      if (!(isr & (1u << level))) {
        log::logf(log::kGuestErrors, "{}: specific EOI for IR{}, which is not in service\n", chipName(index),
                  level);
      }
      isr &= static_cast<uint8_t>(~(1u << level));
      if ((v >> 5) == kRotateSpecificEoi) priority_add = static_cast<uint8_t>((level + 1) & 7);
      break;
    case kSetPriority:
      priority_add = static_cast<uint8_t>((level + 1) & 7);  // `level` becomes the lowest
      break;
    case kNop:
    default:
      break;
  }
  pair->update();
}

void I8259Pair::Chip::writeData(uint8_t v) {
  bool initializing = init_state != 0;
  switch (init_state) {
    case 1:  // ICW2
      vector_base = static_cast<uint8_t>(v & 0xf8);
      init_state = single ? (need_icw4 ? 3 : 0) : 2;
      break;
    case 2:  // ICW3
      icw3 = v;
      if (index == 0 && !(v & (1u << kCascadeIrq))) {
        log::logf(log::kGuestErrors, "{}: ICW3 {:#04x} does not declare the slave on IR2\n", chipName(index), v);
      } else if (index == 1 && v != kCascadeIrq) {
        log::logf(log::kGuestErrors, "{}: ICW3 {:#04x}: the slave's cascade identity is 2\n", chipName(index), v);
      }
      init_state = need_icw4 ? 3 : 0;
      break;
    case 3:  // ICW4
      icw4 = v;
      if (v & kIcw4Reserved) {
        log::logf(log::kGuestErrors, "{}: ICW4 {:#04x} has reserved bits set\n", chipName(index), v);
      }
      mode_8086 = v & kIcw4Upm;
      aeoi = v & kIcw4Aeoi;
      sfnm = v & kIcw4Sfnm;
      init_state = 0;
      break;
    default:  // OCW1
      imr = v;
      break;
  }
  if (initializing && init_state == 0 && !mode_8086) {
    log::logf(log::kUnimp, "{}: MCS-80/85 mode is not modelled: INTA answers with 8086 vectors\n",
              chipName(index));
  }
  pair->update();
}

uint8_t I8259Pair::Chip::readPort(unsigned port) {
  if (poll) {
    // The read after a poll command is an acknowledge of this chip alone.
    poll = false;
    int irq = pendingIrq();
    if (irq < 0) return 0;
    intack(irq);
    pair->update();
    return static_cast<uint8_t>(0x80 | irq);
  }
  if (port == 0) return read_isr ? isr : irr;
  return imr;
}

void I8259Pair::Chip::writePort(unsigned port, uint8_t v) {
  if (port == 0) {
    writeCommand(v);
  } else {
    writeData(v);
  }
}

uint64_t I8259Pair::Chip::read(uint64_t offset, unsigned size) {
  return splitRead(chipName(index), offset, size, kChipPorts, [this](unsigned p) { return readPort(p); });
}

void I8259Pair::Chip::write(uint64_t offset, uint64_t value, unsigned size) {
  splitWrite(chipName(index), offset, value, size, kChipPorts, [this](unsigned p, uint8_t b) { writePort(p, b); });
}

// ---------------------------------------------------------------------------
// ELCR1/ELCR2.

uint64_t I8259Pair::Elcr::read(uint64_t offset, unsigned size) {
  return splitRead("piix4 elcr", offset, size, kElcrPorts,
                   [this](unsigned p) { return pair->chips_[p].elcr; });
}

void I8259Pair::Elcr::write(uint64_t offset, uint64_t value, unsigned size) {
  splitWrite("piix4 elcr", offset, value, size, kElcrPorts,
             [this](unsigned p, uint8_t b) { pair->writeElcr(static_cast<int>(p), b); });
}

void I8259Pair::writeElcr(int chip, uint8_t v) {
  Chip& c = chips_[chip];
  if (v & ~c.elcr_mask) {
    log::logf(log::kGuestErrors, "piix4 elcr: ELCR{} {:#04x}: IRQ{} cannot be level triggered\n", chip + 1, v,
              chip == 0 ? "0-2" : "8/13");
  }
  c.elcr = static_cast<uint8_t>(v & c.elcr_mask);
  // Level-triggered requests follow their lines from now on.
  uint8_t lm = c.levelMask();
  c.irr = static_cast<uint8_t>((c.irr & ~lm) | (c.line & lm));
  update();
}

// ---------------------------------------------------------------------------
// The pair.

I8259Pair::I8259Pair(IrqLine int_out) : out_(int_out) {
  for (int i = 0; i < 2; i++) {
    chips_[i].pair = this;
    chips_[i].index = i;
  }
  chips_[0].elcr_mask = kMasterElcrMask;
  chips_[1].elcr_mask = kSlaveElcrMask;
  elcr_.pair = this;
  reset();
  out_.set(int_level_);
}

void I8259Pair::setOutput(IrqLine int_out) {
  out_ = int_out;
  out_.set(int_level_);
}

void I8259Pair::reset() {
  for (Chip& c : chips_) {
    c.elcr = 0;
    c.resetInit();
    c.icw3 = c.index == 0 ? (1u << kCascadeIrq) : kCascadeIrq;
    c.icw4 = kIcw4Upm;
    c.mode_8086 = true;
  }
  // The cascade input follows the slave's (now idle) output.
  slave_int_ = false;
  chips_[0].setInput(kCascadeIrq, false);
  chips_[0].irr = static_cast<uint8_t>(chips_[0].line & chips_[0].levelMask());
  update();
}

bool I8259Pair::cascadeOnMaster(int irq) const {
  const Chip& m = chips_[0];
  return irq == kCascadeIrq && !m.single && (m.icw3 & (1u << kCascadeIrq));
}

void I8259Pair::update() {
  bool s = chips_[1].pendingIrq() >= 0;
  if (s != slave_int_) {
    slave_int_ = s;
    chips_[0].setInput(kCascadeIrq, s);
  }
  bool m = chips_[0].pendingIrq() >= 0;
  if (m != int_level_) {
    int_level_ = m;
    out_.set(m);
  }
}

void I8259Pair::setIrq(int irq, bool level) {
  if (irq < 0 || irq >= kNumIrqs || irq == kCascadeIrq) {
    log::logf(log::kGuestErrors, "i8259: request on IRQ {} ignored (not an ISA interrupt input)\n", irq);
    return;
  }
  chips_[irq >> 3].setInput(irq & 7, level);
  update();
}

void I8259Pair::irqHandler(void* opaque, int n, bool level) { static_cast<I8259Pair*>(opaque)->setIrq(n, level); }

IrqLine I8259Pair::irqLine(int irq) {
  if (irq < 0 || irq >= kNumIrqs || irq == kCascadeIrq) {
    throw std::out_of_range(fmt::format("i8259: no interrupt input IRQ {}", irq));
  }
  return IrqLine(&I8259Pair::irqHandler, this, irq);
}

uint8_t I8259Pair::acknowledge() {
  Chip& m = chips_[0];
  Chip& s = chips_[1];
  uint8_t vector;
  int irq = m.pendingIrq();
  if (irq < 0) {
    vector = static_cast<uint8_t>(m.vector_base + 7);  // spurious IRQ 7
  } else if (cascadeOnMaster(irq)) {
    int irq2 = s.pendingIrq();
    if (irq2 >= 0) {
      s.intack(irq2);
    } else {
      irq2 = 7;  // spurious IRQ 15
    }
    vector = static_cast<uint8_t>(s.vector_base + irq2);
    m.intack(irq);
  } else {
    vector = static_cast<uint8_t>(m.vector_base + irq);
    m.intack(irq);
  }
  update();
  return vector;
}

}  // namespace mimic::hw
