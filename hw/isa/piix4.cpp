#include "hw/isa/piix4.h"

namespace mimic::hw::pci {

namespace {
constexpr unsigned kPirqRc = 0x60;
constexpr uint8_t kPirqDisable = 0x80;
// IRQs a PIRQ may be routed to (the others are reserved encodings).
bool routable(int irq) { return (irq >= 3 && irq <= 7) || (irq >= 9 && irq <= 12) || irq == 14 || irq == 15; }
}  // namespace

Piix4Isa::Piix4Isa(std::function<void(int, bool)> isa_irq, std::function<void()> reset_request)
    : PciDevice("piix4-isa", PciIds{.vendor = 0x8086, .device = 0x7110, .revision = 0x00,
                                    .class_code = 0x060100, .multifunction = true}),
      isa_irq_(std::move(isa_irq)), reset_request_(std::move(reset_request)) {
  // Power-on values (datasheet): PCI command I/O + memory + special cycles
  // enabled; the status register reports medium DEVSEL.
  set16(kCfgCommand, 0x0007);
  set16(kCfgStatus, 0x0280);
  set16(0x4c, 0x004d);   // IORT: ISA I/O recovery timer
  set16(0x4e, 0x0003);   // XBCS: RTC and keyboard controller enabled
  for (int i = 0; i < kNumPirqs; i++) set8(kPirqRc + i, kPirqDisable);
  set8(0x64, 0x10);      // SERIRQC
  set8(0x69, 0x02);      // TOM: top of memory 1 MiB
  set16(0x6a, 0x0000);   // MSTAT
  set8(0x76, 0x0c);      // MBDMA0
  set8(0x77, 0x0c);      // MBDMA1
  set8(0x80, 0x00);      // APICBASE
  set8(0x82, 0x00);      // DLC
  set16(0x90, 0x0000);   // PDMACFG
  set16(0x92, 0x0000);   // DDMABP0
  set16(0x94, 0x0000);   // DDMABP1
  set32(0xb0, 0x00000000);  // GENCFG
  set8(0xcb, 0x21);      // RTCCFG: RTC enabled, upper 128 bytes enabled
  // The function-specific registers are the guest's to program.
  setWritable(0x4c, 0x0d);  // 0x4c-0x58
  setWritable(kPirqRc, 4, 0x8f);
  setWritable(0x64, 0x0c);  // 0x64-0x6f
  setWritable(0x70, 0x10);  // 0x70-0x7f: MBIRQ, MBDMA
  setWritable(0x80, 0x03);
  setWritable(0x90, 0x08);
  setWritable(0xb0, 0x04);
  setWritable(0xc8, 0x08);
}

void Piix4Isa::reset() {
  PciDevice::reset();
  rc_value_ = 0;
  updateIrqs();
}

int Piix4Isa::routedIrq(int pirq) const {
  uint8_t v = get8(kPirqRc + pirq);
  if (v & kPirqDisable) return -1;
  int irq = v & 0x0f;
  return routable(irq) ? irq : -1;
}

void Piix4Isa::setPirq(int pirq, bool level) {
  if (pirq < 0 || pirq >= kNumPirqs) return;
  pirq_level_[pirq] = level;
  updateIrqs();
}

void Piix4Isa::configWritten(unsigned offset, unsigned size) {
  if (offset < kPirqRc + kNumPirqs && offset + size > kPirqRc) updateIrqs();
}

// Each ISA IRQ is high while any PIRQ routed to it is high. An IRQ that
// loses its last routed PIRQ is lowered.
void Piix4Isa::updateIrqs() {
  std::array<bool, 16> want{};
  for (int p = 0; p < kNumPirqs; p++) {
    int irq = routedIrq(p);
    if (irq >= 0 && pirq_level_[p]) want[irq] = true;
  }
  for (int irq = 0; irq < 16; irq++) {
    if (want[irq] == driven_[irq]) continue;
    driven_[irq] = want[irq];
    if (isa_irq_) isa_irq_(irq, want[irq]);
  }
}

uint64_t Piix4Isa::ResetControl::read(uint64_t offset, unsigned size) { return p_.rc_value_; }

void Piix4Isa::ResetControl::write(uint64_t offset, uint64_t value, unsigned size) {
  uint8_t v = uint8_t(value);
  bool start = (v & 0x04) && !(p_.rc_value_ & 0x04);
  p_.rc_value_ = v & 0x02;  // RST_CPU reads back as 0 once the reset started
  if (start) {
    if (p_.reset_request_) p_.reset_request_();
  } else {
    p_.rc_value_ = v & 0x06;
  }
}

}  // namespace mimic::hw::pci
