#include "hw/acpi/piix4_pm.h"

#include <cstring>

#include "util/log.h"

namespace mimic::hw::pci {

namespace {
constexpr unsigned kPmba = 0x40, kPmRegMisc = 0x80, kSmbBa = 0x90, kSmbHstCfg = 0xd2;
constexpr unsigned kPmSts = 0x00, kPmCntrl = 0x04, kPmTmr = 0x08, kGpSts = 0x0c;
constexpr uint16_t kSusEn = 1 << 13;
constexpr unsigned kSusTypShift = 10;
}  // namespace

Piix4Pm::Piix4Pm(IoSpace& isa_io, Clock& clock, std::function<void()> power_off)
    : PciDevice("piix4-pm", PciIds{.vendor = 0x8086, .device = 0x7113, .revision = 0x03, .class_code = 0x068000,
                                  .interrupt_pin = 1}),
      io_(isa_io), clock_(clock), power_off_(std::move(power_off)) {
  set16(kCfgStatus, 0x0280);
  set32(kPmba, 0x00000001);      // I/O space indicator; base bits 15:6
  // The SMBus host controller's registers at 0x1100, as QEMU's Malta sets
  // them (its registers are not modelled: the ports read as all ones).
  set32(kSmbBa, 0x00001101);
  set8(kSmbHstCfg, 0x09);
  setWritable(kPmba, 1, 0xc0);
  setWritable(kPmba + 1, 1, 0xff);
  setWritable(0x44, 0x3c);       // DEVRESx, GPO, ... (0x44-0x7f)
  setWritable(kPmRegMisc, 1, 0x01);
  setWritable(kSmbBa, 1, 0xf0);
  setWritable(kSmbBa + 1, 1, 0xff);
  setWritable(kSmbHstCfg, 1, 0x0f);
}

Piix4Pm::~Piix4Pm() {
  if (mapped_ != ~0ull) io_.remove(uint32_t(mapped_), &block_);
}

void Piix4Pm::reset() {
  PciDevice::reset();
  std::memset(regs_, 0, sizeof regs_);
  updateMapping();
}

void Piix4Pm::configWritten(unsigned offset, unsigned size) {
  bool pmba = offset < kPmba + 4 && offset + size > kPmba;
  bool misc = offset <= kPmRegMisc && offset + size > kPmRegMisc;
  if (pmba || misc) updateMapping();
}

void Piix4Pm::updateMapping() {
  uint64_t base = get32(kPmba) & 0xffc0;
  uint64_t want = (get8(kPmRegMisc) & 1) && base ? base : ~0ull;
  if (want == mapped_) return;
  if (mapped_ != ~0ull) io_.remove(uint32_t(mapped_), &block_);
  mapped_ = ~0ull;
  if (want == ~0ull) return;
  try {
    io_.add("piix4-pm", uint32_t(want), kPmBlockSize, &block_, 4);
    mapped_ = want;
  } catch (const std::logic_error& e) {
    log::logf(log::kGuestErrors, "piix4-pm: PM block at {:#x} not mapped: {}\n", want, e.what());
  }
}

uint8_t Piix4Pm::readByte(unsigned off) {
  if (off >= kPmTmr && off < kPmTmr + 4) {
    // A free-running 24-bit counter at 3.579545 MHz from virtual time.
    uint64_t ticks = uint64_t(clock_.nowNs()) * kPmTimerHz / 1000000000ull;
    uint32_t tmr = uint32_t(ticks) & 0xffffff;
    return uint8_t(tmr >> (8 * (off - kPmTmr)));
  }
  return regs_[off];
}

void Piix4Pm::writeByte(unsigned off, uint8_t v) {
  if (off >= kPmTmr && off < kPmTmr + 4) return;  // read-only
  if ((off >= kPmSts && off < kPmSts + 2) || (off >= kGpSts && off < kGpSts + 2)) {
    regs_[off] &= uint8_t(~v);  // write one to clear
    return;
  }
  regs_[off] = v;
}

uint64_t Piix4Pm::PmBlock::read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size && offset + i < kPmBlockSize; i++)
    v |= uint64_t(p_.readByte(unsigned(offset + i))) << (8 * i);
  return v;
}

void Piix4Pm::PmBlock::write(uint64_t offset, uint64_t value, unsigned size) {
  bool control = false;
  for (unsigned i = 0; i < size && offset + i < kPmBlockSize; i++) {
    unsigned off = unsigned(offset + i);
    p_.writeByte(off, uint8_t(value >> (8 * i)));
    control |= off == kPmCntrl + 1;
  }
  if (control) p_.pmControlWritten();
}

// SUS_EN starts the suspend type in SUS_TYP; the bit itself reads back 0.
void Piix4Pm::pmControlWritten() {
  uint16_t cntrl = uint16_t(regs_[kPmCntrl] | regs_[kPmCntrl + 1] << 8);
  if (!(cntrl & kSusEn)) return;
  cntrl &= uint16_t(~kSusEn);
  regs_[kPmCntrl] = uint8_t(cntrl);
  regs_[kPmCntrl + 1] = uint8_t(cntrl >> 8);
  unsigned type = (cntrl >> kSusTypShift) & 7;
  if (type == 0) {
    if (power_off_) power_off_();
    return;
  }
  log::logf(log::kUnimp, "piix4-pm: suspend type {} requested: not modelled, the guest keeps running\n", type);
}

}  // namespace mimic::hw::pci
