#include "hw/ide/piix4_ide.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw::ide {

namespace {

// Enough entries to fill the 64 KiB a PRD table may span.
constexpr unsigned kMaxPrdEntries = 0x10000 / 8;

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

pci::PciIds piix4IdeIds() {
  pci::PciIds ids;
  ids.vendor = Piix4Ide::kVendorId;
  ids.device = Piix4Ide::kDeviceId;
  ids.revision = 0x00;   // as QEMU's PIIX4 IDE
  ids.class_code = 0x010180;
  ids.interrupt_pin = 0;
  return ids;
}

const char* const kChannelName[2] = {"primary", "secondary"};

}  // namespace

Piix4Ide::Piix4Ide(IrqLine primary_irq, IrqLine secondary_irq)
    : PciDevice("piix4-ide", piix4IdeIds()),
      irq_{primary_irq, secondary_irq},
      channels_{AtaChannel("piix4-ide primary"), AtaChannel("piix4-ide secondary")} {
  declareBar(4, pci::BarKind::kIo, 16, &bm_regs_, 4);
  // Only I/O space and bus master enable are implemented in PCICMD.
  setWritable(pci::kCfgCommand, 1, 0x05);
  setWritable(pci::kCfgCommand + 1, 1, 0x00);
  for (int ch = 0; ch < 2; ch++) {
    unsigned off = kCfgIdetim + 2 * ch;
    set16(off, kIdetimDecode);
    setWritable(off, 1, 0xff);
    setWritable(off + 1, 1, 0xf3);  // bits 11:10 reserved
    channels_[ch].setIrqHandler([this, ch](bool level) { channelIrq(ch, level); });
    channels_[ch].setDmaRequestHandler([this, ch] { runDma(ch); });
  }
  setWritable(kCfgSidetim, 1, 0xff);
  setWritable(kCfgUdmactl, 1, 0x0f);
  setWritable(kCfgUdmatim, 2, 0x33);
}

Piix4Ide::~Piix4Ide() { flush(); }

void Piix4Ide::attach(int index, std::unique_ptr<block::BlockBackend> image) {
  if (index < 0 || index >= kMaxDrives || !image || channels_[index / 2].disk(index % 2))
    throw std::logic_error(fmt::format("piix4-ide: cannot attach a disk at index {}", index));
  auto disk = std::make_unique<AtaDisk>(std::move(image), fmt::format("MM{:05d}", index + 1));
  channels_[index / 2].attach(index % 2, std::move(disk));
}

AtaDisk* Piix4Ide::disk(int index) const {
  if (index < 0 || index >= kMaxDrives) return nullptr;
  return channels_[index / 2].disk(index % 2);
}

bool Piix4Ide::flush() {
  bool ok = channels_[0].flush();
  return channels_[1].flush() && ok;
}

void Piix4Ide::mapLegacyPorts(IoSpace& isa) {
  if (isa_ && isa_ != &isa) {
    for (int ch = 0; ch < 2; ch++) {
      if (!legacy_mapped_[ch]) continue;
      isa_->remove(kCommandBase[ch], &channels_[ch].commandPorts());
      isa_->remove(kControlPort[ch], &channels_[ch].controlPort());
      legacy_mapped_[ch] = false;
    }
  }
  isa_ = &isa;
  updateLegacyDecode();
}

void Piix4Ide::updateLegacyDecode() {
  if (!isa_) return;
  for (int ch = 0; ch < 2; ch++) {
    bool want = get16(kCfgIdetim + 2 * ch) & kIdetimDecode;
    if (want == legacy_mapped_[ch]) continue;
    AtaChannel& c = channels_[ch];
    if (!want) {
      isa_->remove(kCommandBase[ch], &c.commandPorts());
      isa_->remove(kControlPort[ch], &c.controlPort());
      legacy_mapped_[ch] = false;
      continue;
    }
    try {
      isa_->add(fmt::format("piix4-ide {}", kChannelName[ch]), kCommandBase[ch], 8, &c.commandPorts(), 4);
    } catch (const std::logic_error& e) {
      log::logf(log::kGuestErrors, "piix4-ide: {} channel ports not decoded: {}\n", kChannelName[ch], e.what());
      continue;
    }
    try {
      isa_->add(fmt::format("piix4-ide {} control", kChannelName[ch]), kControlPort[ch], 1, &c.controlPort(), 1);
    } catch (const std::logic_error& e) {
      isa_->remove(kCommandBase[ch], &c.commandPorts());
      log::logf(log::kGuestErrors, "piix4-ide: {} channel ports not decoded: {}\n", kChannelName[ch], e.what());
      continue;
    }
    legacy_mapped_[ch] = true;
  }
}

void Piix4Ide::configWritten(unsigned offset, unsigned size) {
  if (offset < kCfgIdetim + 4 && offset + size > kCfgIdetim) updateLegacyDecode();
}

void Piix4Ide::reset() {
  PciDevice::reset();
  for (int ch = 0; ch < 2; ch++) {
    bm_[ch].clear();
    channels_[ch].reset();
  }
  updateLegacyDecode();
}

void Piix4Ide::channelIrq(int ch, bool level) {
  // BMIS's interrupt bit latches each assertion of the channel's INTRQ.
  if (level && !irq_level_[ch]) bm_[ch].status |= kBmisInterrupt;
  irq_level_[ch] = level;
  irq_[ch].set(level);
}

void Piix4Ide::runDma(int ch) {
  BusMaster& bm = bm_[ch];
  AtaChannel& c = channels_[ch];
  if (!(bm.cmd & kBmicStart) || !(bm.status & kBmisActive) || !c.dmaRequested()) return;
  if (c.dmaToMemory() != bool(bm.cmd & kBmicToMemory))
    log::logf(log::kGuestErrors, "piix4-ide: {} bus master direction does not match the DMA command\n",
              kChannelName[ch]);
  bm.bus_error_ = false;
  bm.list_end = false;
  c.runDma(bm);
  if (bm.bus_error_) {
    bm.status = uint8_t((bm.status | kBmisError) & ~kBmisActive);
  } else if (bm.list_end || (bm.eot && bm.left == 0)) {
    bm.status &= uint8_t(~kBmisActive);
  }
}

// ---------------------------------------------------------------------------
// Bus master

void Piix4Ide::BusMaster::restart() {
  next_entry = prd;
  addr = 0;
  left = 0;
  eot = false;
  entries = 0;
  bus_error_ = false;
  list_end = false;
}

void Piix4Ide::BusMaster::clear() {
  cmd = 0;
  status = 0;
  prd = 0;
  restart();
}

size_t Piix4Ide::BusMaster::dmaTransfer(uint8_t* buf, size_t len, bool to_memory) {
  size_t done = 0;
  while (done < len) {
    if (left == 0) {
      if (eot || entries >= kMaxPrdEntries) {
        if (!eot) log::logf(log::kGuestErrors, "piix4-ide: PRD table without an end-of-table entry\n");
        list_end = true;
        break;
      }
      uint8_t e[8];
      if (!ide_.dmaRead(next_entry, e, sizeof e)) {
        bus_error_ = true;
        break;
      }
      next_entry += 8;
      entries++;
      addr = le32(e) & ~1u;
      uint32_t count = le32(e + 4);
      left = count & 0xfffe;
      if (left == 0) left = 0x10000;
      eot = count & 0x80000000u;
    }
    size_t n = std::min<size_t>(left, len - done);
    bool ok = to_memory ? ide_.dmaWrite(addr, buf + done, n) : ide_.dmaRead(addr, buf + done, n);
    if (!ok) {
      bus_error_ = true;
      break;
    }
    addr += uint32_t(n);
    left -= uint32_t(n);
    done += n;
  }
  return done;
}

uint8_t Piix4Ide::readBusMasterByte(unsigned offset) const {
  const BusMaster& bm = bm_[(offset >> 3) & 1];
  switch (offset & 7) {
    case 0: return bm.cmd;
    case 2: return bm.status;
    case 4: case 5: case 6: case 7: return uint8_t(bm.prd >> (8 * (offset & 3)));
    default: return 0;
  }
}

int Piix4Ide::writeBusMasterByte(unsigned offset, uint8_t v) {
  int ch = (offset >> 3) & 1;
  BusMaster& bm = bm_[ch];
  switch (offset & 7) {
    case 0: {
      bool was = bm.cmd & kBmicStart;
      bm.cmd = v & (kBmicStart | kBmicToMemory);
      if (!was && (v & kBmicStart)) {
        bm.restart();
        bm.status |= kBmisActive;
        return ch;
      }
      if (was && !(v & kBmicStart)) bm.status &= uint8_t(~kBmisActive);
      return -1;
    }
    case 2:
      bm.status = uint8_t(bm.status & ~(v & (kBmisError | kBmisInterrupt)));
      bm.status = uint8_t((bm.status & ~(kBmisDrive0Dma | kBmisDrive1Dma)) | (v & (kBmisDrive0Dma | kBmisDrive1Dma)));
      return -1;
    case 4: case 5: case 6: case 7: {
      unsigned shift = 8 * (offset & 3);
      bm.prd = ((bm.prd & ~(0xffu << shift)) | uint32_t(v) << shift) & ~3u;
      return -1;
    }
    default:
      return -1;
  }
}

uint64_t Piix4Ide::BusMasterRegs::read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; i++)
    if (offset + i < 16) v |= uint64_t(ide_.readBusMasterByte(unsigned(offset + i))) << (8 * i);
  return v;
}

void Piix4Ide::BusMasterRegs::write(uint64_t offset, uint64_t value, unsigned size) {
  // The whole access lands before a started engine runs.
  bool start[2] = {false, false};
  for (unsigned i = 0; i < size; i++) {
    if (offset + i >= 16) break;
    int ch = ide_.writeBusMasterByte(unsigned(offset + i), uint8_t(value >> (8 * i)));
    if (ch >= 0) start[ch] = true;
  }
  for (int ch = 0; ch < 2; ch++)
    if (start[ch]) ide_.runDma(ch);
}

}  // namespace mimic::hw::ide
