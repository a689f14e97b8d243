#include "hw/ide/ata_disk.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw::ide {

namespace {

// ATA commands.
enum : uint8_t {
  kCmdNop = 0x00,
  kCmdDeviceReset = 0x08,
  kCmdRecalibrate = 0x10,         // 10h..1Fh
  kCmdReadSectors = 0x20, kCmdReadSectorsNoRetry = 0x21,
  kCmdReadSectorsExt = 0x24, kCmdReadDmaExt = 0x25, kCmdReadMultipleExt = 0x29,
  kCmdWriteSectors = 0x30, kCmdWriteSectorsNoRetry = 0x31,
  kCmdWriteSectorsExt = 0x34, kCmdWriteDmaExt = 0x35, kCmdWriteMultipleExt = 0x39,
  kCmdReadVerify = 0x40, kCmdReadVerifyNoRetry = 0x41, kCmdReadVerifyExt = 0x42,
  kCmdSeek = 0x70,                // 70h..7Fh
  kCmdExecuteDiagnostic = 0x90,
  kCmdInitParams = 0x91,
  kCmdStandbyImmediateOld = 0x94, kCmdIdleImmediateOld = 0x95, kCmdStandbyOld = 0x96,
  kCmdIdleOld = 0x97, kCmdCheckPowerModeOld = 0x98, kCmdSleepOld = 0x99,
  kCmdPacket = 0xa0, kCmdIdentifyPacket = 0xa1,
  kCmdReadMultiple = 0xc4, kCmdWriteMultiple = 0xc5, kCmdSetMultiple = 0xc6,
  kCmdReadDma = 0xc8, kCmdReadDmaNoRetry = 0xc9, kCmdWriteDma = 0xca, kCmdWriteDmaNoRetry = 0xcb,
  kCmdStandbyImmediate = 0xe0, kCmdIdleImmediate = 0xe1, kCmdStandby = 0xe2, kCmdIdle = 0xe3,
  kCmdCheckPowerMode = 0xe5, kCmdSleep = 0xe6, kCmdFlushCache = 0xe7, kCmdFlushCacheExt = 0xea,
  kCmdIdentify = 0xec, kCmdSetFeatures = 0xef,
};

constexpr uint8_t kReady = kStatusDrdy | kStatusDsc;

}  // namespace

// ---------------------------------------------------------------------------
// TaskFile

void TaskFile::write(unsigned reg, uint8_t v) {
  switch (reg) {
    case 1: hob_feature = feature; feature = v; break;
    case 2: hob_nsect = nsect; nsect = v; break;
    case 3: hob_lbal = lbal; lbal = v; break;
    case 4: hob_lbam = lbam; lbam = v; break;
    case 5: hob_lbah = lbah; lbah = v; break;
    case 6: device = v; break;
    default: break;
  }
}

uint8_t TaskFile::read(unsigned reg, bool hob) const {
  switch (reg) {
    case 1: return hob ? hob_feature : error;
    case 2: return hob ? hob_nsect : nsect;
    case 3: return hob ? hob_lbal : lbal;
    case 4: return hob ? hob_lbam : lbam;
    case 5: return hob ? hob_lbah : lbah;
    case 6: return device;
    default: return status;
  }
}

void TaskFile::setSignature() {
  nsect = 1;
  lbal = 1;
  lbam = 0;
  lbah = 0;
  device = 0;
}

// ---------------------------------------------------------------------------
// AtaDisk

AtaDisk::AtaDisk(std::unique_ptr<block::BlockBackend> backend, std::string serial)
    : backend_(std::move(backend)), serial_(std::move(serial)) {
  if (!backend_) throw std::logic_error("ide: disk without an image");
  sectors_ = backend_->size() / kSectorSize;
  // The default translation, as QEMU guesses it for IDE disks.
  heads_ = 16;
  spt_ = 63;
  cyls_ = static_cast<unsigned>(std::clamp<uint64_t>(sectors_ / (16 * 63), 2, 16383));
  buf_.resize(size_t(kDmaChunkSectors) * kSectorSize);
  hardReset();
}

AtaDisk::~AtaDisk() {
  if (backend_->isOpen() && !backend_->flush())
    log::logf(log::kGuestErrors, "ide: {}\n", backend_->lastError());
  backend_->close();
}

bool AtaDisk::flush() {
  if (backend_->flush()) return true;
  log::logf(log::kGuestErrors, "ide: {}\n", backend_->lastError());
  return false;
}

void AtaDisk::hardReset() {
  endTransfer();
  multiple_ = kMaxMultiple;
  write_cache_ = true;
  xfer_mode_ = 0x45;
  cur_heads_ = heads_;
  cur_spt_ = spt_;
  tf_ = TaskFile{};
  tf_.setSignature();
  tf_.status = kReady;
  tf_.error = 0x01;
  intrq_ = false;
}

void AtaDisk::softResetAssert() {
  endTransfer();
  intrq_ = false;
  tf_.status = kStatusBsy | kStatusDsc;
}

void AtaDisk::softResetComplete() {
  endTransfer();
  intrq_ = false;
  tf_.setSignature();
  tf_.error = 0x01;  // device 0 passed; device 1 passed or absent
  tf_.status = kReady;
}

void AtaDisk::diagnose() {
  endTransfer();
  intrq_ = false;
  tf_.setSignature();
  tf_.error = 0x01;
  tf_.status = kReady;
}

void AtaDisk::setIntrq(bool level) {
  intrq_ = level;
  if (channel_) channel_->updateIrq();
}

void AtaDisk::endTransfer() {
  pio_ = Pio::kNone;
  pos_ = end_ = 0;
  dma_pending_ = false;
  tf_.status &= static_cast<uint8_t>(~kStatusDrq);
}

void AtaDisk::complete() {
  endTransfer();
  tf_.status = kReady;
  tf_.error = 0;
  setIntrq(true);
}

void AtaDisk::abort(const char* why) {
  if (why) log::logf(log::kGuestErrors, "ide: command {:#04x} aborted: {}\n", last_cmd_, why);
  endTransfer();
  tf_.status = kStatusDrdy | kStatusErr;
  tf_.error = kErrorAbrt;
  setIntrq(true);
}

void AtaDisk::failIo(uint8_t error, uint64_t lba) {
  log::logf(log::kGuestErrors, "ide: I/O error at sector {}: {}\n", lba, backend_->lastError());
  endTransfer();
  if (lba != ~0ull) setPosition(lba, xfer_lba48_);
  tf_.status = kStatusDrdy | kStatusErr;
  tf_.error = error;
  setIntrq(true);
}

bool AtaDisk::decodeAddress(bool lba48, uint64_t& lba, uint32_t& count) {
  if (lba48) {
    lba = uint64_t(tf_.hob_lbah) << 40 | uint64_t(tf_.hob_lbam) << 32 | uint64_t(tf_.hob_lbal) << 24 |
          uint64_t(tf_.lbah) << 16 | uint64_t(tf_.lbam) << 8 | tf_.lbal;
    count = uint32_t(tf_.hob_nsect) << 8 | tf_.nsect;
    if (count == 0) count = 65536;
  } else {
    count = tf_.nsect ? tf_.nsect : 256;
    if (tf_.device & kDevLba) {
      lba = uint64_t(tf_.device & 0x0f) << 24 | uint64_t(tf_.lbah) << 16 | uint64_t(tf_.lbam) << 8 | tf_.lbal;
    } else {
      unsigned cyl = unsigned(tf_.lbah) << 8 | tf_.lbam;
      unsigned head = tf_.device & 0x0f;
      unsigned sector = tf_.lbal;
      if (sector == 0 || sector > cur_spt_ || head >= cur_heads_) {
        log::logf(log::kGuestErrors, "ide: bad CHS address {}/{}/{} (geometry */{}/{})\n", cyl, head, sector,
                  cur_heads_, cur_spt_);
        abort(nullptr);
        return false;
      }
      lba = (uint64_t(cyl) * cur_heads_ + head) * cur_spt_ + sector - 1;
    }
  }
  if (lba > sectors_ || count > sectors_ - lba) {
    log::logf(log::kGuestErrors, "ide: command {:#04x}: sectors {}+{} beyond the end of the disk ({} sectors)\n",
              last_cmd_, lba, count, sectors_);
    abort(nullptr);
    return false;
  }
  return true;
}

void AtaDisk::setPosition(uint64_t lba, bool lba48) {
  if (lba48) {
    tf_.lbal = uint8_t(lba);
    tf_.lbam = uint8_t(lba >> 8);
    tf_.lbah = uint8_t(lba >> 16);
    tf_.hob_lbal = uint8_t(lba >> 24);
    tf_.hob_lbam = uint8_t(lba >> 32);
    tf_.hob_lbah = uint8_t(lba >> 40);
  } else if (tf_.device & kDevLba) {
    tf_.lbal = uint8_t(lba);
    tf_.lbam = uint8_t(lba >> 8);
    tf_.lbah = uint8_t(lba >> 16);
    tf_.device = uint8_t((tf_.device & 0xf0) | ((lba >> 24) & 0x0f));
  } else {
    uint64_t per_cyl = uint64_t(cur_heads_) * cur_spt_;
    uint64_t cyl = lba / per_cyl, r = lba % per_cyl;
    tf_.lbam = uint8_t(cyl);
    tf_.lbah = uint8_t(cyl >> 8);
    tf_.device = uint8_t((tf_.device & 0xf0) | ((r / cur_spt_) & 0x0f));
    tf_.lbal = uint8_t(r % cur_spt_ + 1);
  }
}

void AtaDisk::identify(uint16_t w[256]) const {
  std::fill(w, w + 256, uint16_t(0));
  // ATA strings: two characters per word, the first in the high byte.
  auto put = [w](int word, size_t bytes, std::string_view s) {
    for (size_t i = 0; i < bytes; i++) {
      uint8_t c = i < s.size() ? uint8_t(s[i]) : uint8_t(' ');
      w[word + i / 2] |= uint16_t(i & 1 ? c : c << 8);
    }
  };
  w[0] = 0x0040;                  // fixed ATA device
  w[1] = uint16_t(cyls_);
  w[3] = uint16_t(heads_);
  w[6] = uint16_t(spt_);
  put(10, 20, serial_);
  put(23, 8, kFirmware);
  put(27, 40, kModel);
  w[47] = 0x8000 | kMaxMultiple;  // READ/WRITE MULTIPLE: up to 16 sectors per block
  w[49] = (1 << 11) | (1 << 9) | (1 << 8);  // IORDY, LBA, DMA
  w[50] = 0x4000;
  w[51] = 0x200;                  // PIO and DMA timing modes (obsolete)
  w[52] = 0x200;
  w[53] = 0x0007;                 // words 54-58, 64-70 and 88 valid
  unsigned cur_cyls = cur_heads_ == heads_ && cur_spt_ == spt_
                          ? cyls_
                          : unsigned(std::min<uint64_t>(sectors_ / (uint64_t(cur_heads_) * cur_spt_), 65535));
  w[54] = uint16_t(cur_cyls);
  w[55] = uint16_t(cur_heads_);
  w[56] = uint16_t(cur_spt_);
  uint32_t chs_capacity = cur_cyls * cur_heads_ * cur_spt_;
  w[57] = uint16_t(chs_capacity);
  w[58] = uint16_t(chs_capacity >> 16);
  if (multiple_) w[59] = uint16_t(0x100 | multiple_);
  uint32_t lba28 = uint32_t(std::min<uint64_t>(sectors_, 0x0fffffff));
  w[60] = uint16_t(lba28);
  w[61] = uint16_t(lba28 >> 16);
  unsigned kind = xfer_mode_ >> 3, mode = xfer_mode_ & 7;
  w[62] = uint16_t(0x07 | (kind == 2 ? 1u << (8 + mode) : 0));  // single-word DMA 0-2
  w[63] = uint16_t(0x07 | (kind == 4 ? 1u << (8 + mode) : 0));  // multiword DMA 0-2
  w[64] = 0x03;                   // PIO 3 and 4
  w[65] = 120;                    // cycle times (ns)
  w[66] = 120;
  w[67] = 120;
  w[68] = 120;
  w[80] = 0x00f0;                 // ATA-4 to ATA-7
  w[81] = 0x0016;
  w[82] = (1 << 14) | (1 << 5);   // NOP, write cache
  w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit
  w[84] = 1 << 14;
  w[85] = uint16_t((1 << 14) | (write_cache_ ? 1 << 5 : 0));
  w[86] = (1 << 13) | (1 << 12) | (1 << 10);
  w[87] = 1 << 14;
  w[88] = uint16_t(0x3f | (kind == 8 ? 1u << (8 + mode) : 0));  // UDMA 0-5
  w[93] = 0x6001;                 // hardware reset result (as QEMU)
  w[100] = uint16_t(sectors_);
  w[101] = uint16_t(sectors_ >> 16);
  w[102] = uint16_t(sectors_ >> 32);
  w[103] = uint16_t(sectors_ >> 48);
  // Integrity word: signature A5h and a checksum making all bytes sum to 0.
  uint8_t sum = 0xa5;
  for (int i = 0; i < 255; i++) sum = uint8_t(sum + (w[i] & 0xff) + (w[i] >> 8));
  w[255] = uint16_t(uint8_t(-sum) << 8 | 0xa5);
}

void AtaDisk::execute(uint8_t cmd) {
  last_cmd_ = cmd;
  endTransfer();
  if (cmd >= kCmdRecalibrate && cmd <= 0x1f) {
    complete();
    return;
  }
  if (cmd >= kCmdSeek && cmd <= 0x7f) {
    complete();
    return;
  }
  switch (cmd) {
    case kCmdReadSectors:
    case kCmdReadSectorsNoRetry:
      startRead(false, 1);
      break;
    case kCmdReadSectorsExt:
      startRead(true, 1);
      break;
    case kCmdReadMultiple:
    case kCmdReadMultipleExt:
      if (!multiple_) {
        abort("READ MULTIPLE with multiple mode disabled");
        break;
      }
      startRead(cmd == kCmdReadMultipleExt, multiple_);
      break;
    case kCmdWriteSectors:
    case kCmdWriteSectorsNoRetry:
      startWrite(false, 1);
      break;
    case kCmdWriteSectorsExt:
      startWrite(true, 1);
      break;
    case kCmdWriteMultiple:
    case kCmdWriteMultipleExt:
      if (!multiple_) {
        abort("WRITE MULTIPLE with multiple mode disabled");
        break;
      }
      startWrite(cmd == kCmdWriteMultipleExt, multiple_);
      break;
    case kCmdReadDma:
    case kCmdReadDmaNoRetry:
      startDma(false, true);
      break;
    case kCmdReadDmaExt:
      startDma(true, true);
      break;
    case kCmdWriteDma:
    case kCmdWriteDmaNoRetry:
      startDma(false, false);
      break;
    case kCmdWriteDmaExt:
      startDma(true, false);
      break;
    case kCmdReadVerify:
    case kCmdReadVerifyNoRetry:
    case kCmdReadVerifyExt: {
      uint64_t lba;
      uint32_t count;
      if (decodeAddress(cmd == kCmdReadVerifyExt, lba, count)) complete();
      break;
    }
    case kCmdInitParams: {
      unsigned spt = tf_.nsect, heads = (tf_.device & 0x0f) + 1u;
      if (spt == 0) {
        abort("INITIALIZE DEVICE PARAMETERS with 0 sectors per track");
        break;
      }
      cur_heads_ = heads;
      cur_spt_ = spt;
      complete();
      break;
    }
    case kCmdSetMultiple: {
      unsigned n = tf_.nsect;
      if (n > kMaxMultiple || (n & (n - 1)) != 0) {
        abort("SET MULTIPLE MODE with an unsupported block size");
        break;
      }
      multiple_ = n;
      complete();
      break;
    }
    case kCmdIdentify: {
      uint16_t words[256];
      identify(words);
      for (int i = 0; i < 256; i++) {
        buf_[2 * i] = uint8_t(words[i]);
        buf_[2 * i + 1] = uint8_t(words[i] >> 8);
      }
      pio_ = Pio::kIdentify;
      pos_ = 0;
      end_ = kSectorSize;
      tf_.status = kReady | kStatusDrq;
      tf_.error = 0;
      setIntrq(true);
      break;
    }
    case kCmdSetFeatures:
      setFeatures();
      break;
    case kCmdFlushCache:
    case kCmdFlushCacheExt:
      if (!backend_->flush()) {
        failIo(kErrorAbrt, ~0ull);
        break;
      }
      complete();
      break;
    case kCmdStandbyImmediate:
    case kCmdIdleImmediate:
    case kCmdStandby:
    case kCmdIdle:
    case kCmdSleep:
    case kCmdStandbyImmediateOld:
    case kCmdIdleImmediateOld:
    case kCmdStandbyOld:
    case kCmdIdleOld:
    case kCmdSleepOld:
      complete();
      break;
    case kCmdCheckPowerMode:
    case kCmdCheckPowerModeOld:
      complete();
      tf_.nsect = 0xff;  // active or idle
      break;
    case kCmdNop:                 // NOP always aborts
    case kCmdDeviceReset:         // PACKET devices only
    case kCmdPacket:
    case kCmdIdentifyPacket:
      abort(nullptr);
      break;
    default:
      log::logf(log::kUnimp, "ide: unsupported ATA command {:#04x}\n", cmd);
      abort(nullptr);
      break;
  }
}

void AtaDisk::setFeatures() {
  switch (tf_.feature) {
    case 0x02:  // enable write cache
      write_cache_ = true;
      complete();
      return;
    case 0x82:  // disable write cache: what is cached goes to the disk
      write_cache_ = false;
      if (!backend_->flush()) {
        failIo(kErrorAbrt, ~0ull);
        return;
      }
      complete();
      return;
    case 0x03: {  // set transfer mode from the sector count
      unsigned v = tf_.nsect, mode = v & 7;
      bool ok;
      switch (v >> 3) {
        case 0: ok = mode <= 1; break;   // PIO default (IORDY on / off)
        case 1: ok = mode <= 4; break;   // PIO flow control mode
        case 2: ok = mode <= 2; break;   // single-word DMA
        case 4: ok = mode <= 2; break;   // multiword DMA
        case 8: ok = mode <= 5; break;   // Ultra DMA
        default: ok = false; break;
      }
      if (!ok) {
        abort("SET FEATURES: unsupported transfer mode");
        return;
      }
      xfer_mode_ = uint8_t(v);
      complete();
      return;
    }
    case 0x05: case 0x85:  // advanced power management
    case 0x42: case 0xc2:  // automatic acoustic management
    case 0xaa: case 0x55:  // read look-ahead
    case 0xcc: case 0x66:  // revert to power-on defaults
      complete();
      return;
    default:
      log::logf(log::kUnimp, "ide: unsupported SET FEATURES subcommand {:#04x}\n", tf_.feature);
      abort(nullptr);
      return;
  }
}

void AtaDisk::startRead(bool lba48, unsigned block) {
  uint64_t lba;
  uint32_t count;
  if (!decodeAddress(lba48, lba, count)) return;
  pio_ = Pio::kRead;
  xfer_lba_ = lba;
  xfer_left_ = count;
  xfer_block_ = block;
  xfer_lba48_ = lba48;
  loadReadBlock();
}

void AtaDisk::loadReadBlock() {
  unsigned n = std::min<uint32_t>(xfer_left_, xfer_block_);
  if (!backend_->read(xfer_lba_ * kSectorSize, buf_.data(), size_t(n) * kSectorSize)) {
    failIo(kErrorUnc, xfer_lba_);
    return;
  }
  xfer_cur_ = n;
  pos_ = 0;
  end_ = size_t(n) * kSectorSize;
  tf_.status = kReady | kStatusDrq;
  tf_.error = 0;
  setIntrq(true);
}

void AtaDisk::startWrite(bool lba48, unsigned block) {
  uint64_t lba;
  uint32_t count;
  if (!decodeAddress(lba48, lba, count)) return;
  if (backend_->readOnly()) {
    abort("write to a read-only disk");
    return;
  }
  pio_ = Pio::kWrite;
  xfer_lba_ = lba;
  xfer_left_ = count;
  xfer_block_ = block;
  xfer_lba48_ = lba48;
  prepareWriteBlock();  // the first block is asked for without an interrupt
}

void AtaDisk::prepareWriteBlock() {
  xfer_cur_ = std::min<uint32_t>(xfer_left_, xfer_block_);
  pos_ = 0;
  end_ = size_t(xfer_cur_) * kSectorSize;
  tf_.status = kReady | kStatusDrq;
  tf_.error = 0;
}

bool AtaDisk::finishWrites() {
  if (write_cache_ || backend_->flush()) return true;
  failIo(kErrorAbrt, xfer_lba_);
  return false;
}

uint16_t AtaDisk::readData() {
  if (!(tf_.status & kStatusDrq) || (pio_ != Pio::kRead && pio_ != Pio::kIdentify) || pos_ + 2 > end_) return 0;
  uint16_t v = uint16_t(buf_[pos_] | buf_[pos_ + 1] << 8);
  pos_ += 2;
  if (pos_ >= end_) blockDone();
  return v;
}

void AtaDisk::writeData(uint16_t v) {
  if (!(tf_.status & kStatusDrq) || pio_ != Pio::kWrite || pos_ + 2 > end_) return;
  buf_[pos_] = uint8_t(v);
  buf_[pos_ + 1] = uint8_t(v >> 8);
  pos_ += 2;
  if (pos_ >= end_) blockDone();
}

void AtaDisk::blockDone() {
  switch (pio_) {
    case Pio::kIdentify:
      endTransfer();
      tf_.status = kReady;
      break;
    case Pio::kRead:
      xfer_lba_ += xfer_cur_;
      xfer_left_ -= xfer_cur_;
      if (xfer_left_) {
        loadReadBlock();
      } else {
        endTransfer();
        tf_.status = kReady;  // the last block of a read ends without an interrupt
      }
      break;
    case Pio::kWrite:
      if (!backend_->write(xfer_lba_ * kSectorSize, buf_.data(), size_t(xfer_cur_) * kSectorSize)) {
        failIo(kErrorAbrt, xfer_lba_);
        return;
      }
      xfer_lba_ += xfer_cur_;
      xfer_left_ -= xfer_cur_;
      if (xfer_left_) {
        prepareWriteBlock();
        setIntrq(true);
      } else {
        endTransfer();
        if (finishWrites()) complete();
      }
      break;
    case Pio::kNone:
      break;
  }
}

void AtaDisk::startDma(bool lba48, bool to_memory) {
  uint64_t lba;
  uint32_t count;
  if (!decodeAddress(lba48, lba, count)) return;
  if (!to_memory && backend_->readOnly()) {
    abort("write to a read-only disk");
    return;
  }
  xfer_lba_ = lba;
  xfer_left_ = count;
  xfer_lba48_ = lba48;
  dma_pending_ = true;
  dma_to_memory_ = to_memory;
  tf_.status = kReady | kStatusDrq;
  tf_.error = 0;
  if (channel_) channel_->requestDma();
}

void AtaDisk::runDma(DmaPort& port) {
  if (!dma_pending_) return;
  dma_pending_ = false;
  while (xfer_left_ > 0) {
    unsigned n = std::min<uint32_t>(xfer_left_, kDmaChunkSectors);
    size_t bytes = size_t(n) * kSectorSize;
    size_t moved;
    if (dma_to_memory_) {
      if (!backend_->read(xfer_lba_ * kSectorSize, buf_.data(), bytes)) {
        failIo(kErrorUnc, xfer_lba_);
        return;
      }
      moved = port.dmaTransfer(buf_.data(), bytes, true);
    } else {
      moved = port.dmaTransfer(buf_.data(), bytes, false);
      // Whole sectors that arrived before a short list still reach the disk.
      size_t whole = moved - moved % kSectorSize;
      if (whole && !backend_->write(xfer_lba_ * kSectorSize, buf_.data(), whole)) {
        failIo(kErrorAbrt, xfer_lba_);
        return;
      }
    }
    if (moved < bytes) {
      if (port.dmaBusError()) {
        abort("DMA bus error");
      } else {
        // The PRD table ended before the transfer: the device stops, the
        // controller's active bit clears, and nobody raises an interrupt.
        log::logf(log::kGuestErrors, "ide: PRD table shorter than the {}-sector transfer\n", xfer_left_);
        endTransfer();
        tf_.status = kReady;
      }
      return;
    }
    xfer_lba_ += n;
    xfer_left_ -= n;
  }
  if (!dma_to_memory_ && !finishWrites()) return;
  complete();
}

// ---------------------------------------------------------------------------
// AtaChannel

AtaChannel::AtaChannel(std::string name) : name_(std::move(name)) { reset(); }

AtaChannel::~AtaChannel() = default;

void AtaChannel::attach(int unit, std::unique_ptr<AtaDisk> disk) {
  if ((unit != 0 && unit != 1) || !disk || units_[unit].disk)
    throw std::logic_error(fmt::format("ide: cannot attach a disk as unit {} of {}", unit, name_));
  disk->channel_ = this;
  units_[unit].disk = std::move(disk);
}

void AtaChannel::reset() {
  ctl_ = 0;
  selected_ = 0;
  for (Unit& u : units_) {
    u.shadow = TaskFile{};
    u.shadow.setSignature();
    if (u.disk) u.disk->hardReset();
  }
  updateIrq();
}

bool AtaChannel::flush() {
  bool ok = true;
  for (Unit& u : units_)
    if (u.disk && !u.disk->flush()) ok = false;
  return ok;
}

void AtaChannel::updateIrq() {
  bool level = false;
  if (!(ctl_ & kCtlNien)) {
    AtaDisk* d = units_[selected_].disk.get();
    level = d && d->intrq_;
  }
  if (level == irq_out_) return;
  irq_out_ = level;
  if (irq_handler_) irq_handler_(level);
}

void AtaChannel::requestDma() {
  if (dmaRequested() && dma_handler_) dma_handler_();
}

bool AtaChannel::dmaRequested() const {
  const AtaDisk* d = units_[selected_].disk.get();
  return d && d->dma_pending_ && !(ctl_ & kCtlSrst);
}

bool AtaChannel::dmaToMemory() const {
  const AtaDisk* d = units_[selected_].disk.get();
  return d && d->dma_to_memory_;
}

void AtaChannel::runDma(DmaPort& port) {
  if (dmaRequested()) units_[selected_].disk->runDma(port);
}

uint8_t AtaChannel::readRegister(unsigned reg) {
  if (empty()) return 0x7f;
  Unit& u = units_[selected_];
  if (!u.disk) {
    if (selected_ == 0) return 0x7f;    // device 1 does not answer for device 0
    if (reg == 1 || reg == 7) return 0;  // device 0 answers for an absent device 1
    return u.shadow.read(reg, ctl_ & kCtlHob);
  }
  if (reg == 7) {
    uint8_t s = u.disk->tf_.status;
    if (u.disk->intrq_) u.disk->setIntrq(false);
    return s;
  }
  return u.disk->tf_.read(reg, ctl_ & kCtlHob);
}

uint8_t AtaChannel::readAltStatus() {
  if (empty()) return 0x7f;
  const Unit& u = units_[selected_];
  if (!u.disk) return selected_ == 0 ? 0x7f : 0;
  return u.disk->tf_.status;
}

void AtaChannel::writeRegister(unsigned reg, uint8_t value) {
  if (ctl_ & kCtlSrst) {
    log::logf(log::kGuestErrors, "ide: {}: register {} written during reset\n", name_, reg);
    return;
  }
  ctl_ &= static_cast<uint8_t>(~kCtlHob);
  if (reg == 7) {
    if (value == kCmdExecuteDiagnostic) {
      // Both devices run it whichever is selected; device 0 reports.
      for (Unit& u : units_) {
        u.shadow.setSignature();
        if (u.disk) u.disk->diagnose();
      }
      selected_ = 0;
      updateIrq();  // a pending interrupt ends, so the report is a new edge
      AtaDisk* reporter = units_[0].disk ? units_[0].disk.get() : units_[1].disk.get();
      if (reporter) {
        reporter->setIntrq(true);
      } else {
        updateIrq();
      }
      return;
    }
    AtaDisk* d = units_[selected_].disk.get();
    if (!d) {
      log::logf(log::kGuestErrors, "ide: {}: command {:#04x} to absent device {}\n", name_, value, selected_);
      return;
    }
    d->setIntrq(false);  // a new command clears the pending interrupt
    d->execute(value);
    return;
  }
  for (int i = 0; i < 2; i++) regsOf(i).write(reg, value);
  if (reg == 6) {
    selected_ = (value & kDevSelect) ? 1 : 0;
    updateIrq();
  }
}

void AtaChannel::writeDeviceControl(uint8_t value) {
  bool was_reset = ctl_ & kCtlSrst;
  bool reset_now = value & kCtlSrst;
  ctl_ = value;
  if (!was_reset && reset_now) {
    for (Unit& u : units_)
      if (u.disk) u.disk->softResetAssert();
  } else if (was_reset && !reset_now) {
    for (Unit& u : units_) {
      u.shadow.setSignature();
      if (u.disk) u.disk->softResetComplete();
    }
    selected_ = 0;
  }
  updateIrq();
}

uint16_t AtaChannel::readData16() {
  AtaDisk* d = units_[selected_].disk.get();
  if (!d || (ctl_ & kCtlSrst)) return 0xffff;
  return d->readData();
}

void AtaChannel::writeData16(uint16_t v) {
  AtaDisk* d = units_[selected_].disk.get();
  if (!d || (ctl_ & kCtlSrst)) return;
  d->writeData(v);
}

uint32_t AtaChannel::readCommand(unsigned reg, unsigned size) {
  if (reg == 0) {
    if (size >= 4) {
      uint32_t lo = readData16();
      return lo | uint32_t(readData16()) << 16;
    }
    uint16_t v = readData16();
    return size == 1 ? v & 0xffu : v;
  }
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; i++) {
    uint32_t b = reg + i < 8 ? readRegister(reg + i) : 0xff;
    v |= b << (8 * i);
  }
  return v;
}

void AtaChannel::writeCommand(unsigned reg, uint32_t value, unsigned size) {
  if (reg == 0) {
    writeData16(uint16_t(value));
    if (size >= 4) writeData16(uint16_t(value >> 16));
    return;
  }
  for (unsigned i = 0; i < size && i < 4 && reg + i < 8; i++) writeRegister(reg + i, uint8_t(value >> (8 * i)));
}

uint64_t AtaChannel::CommandPorts::read(uint64_t offset, unsigned size) {
  return offset < 8 ? c_.readCommand(unsigned(offset), size) : 0;
}

void AtaChannel::CommandPorts::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset < 8) c_.writeCommand(unsigned(offset), uint32_t(value), size);
}

uint64_t AtaChannel::ControlPort::read(uint64_t offset, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size && i < 8; i++) v |= uint64_t(offset + i == 0 ? c_.readAltStatus() : 0xff) << (8 * i);
  return v;
}

void AtaChannel::ControlPort::write(uint64_t offset, uint64_t value, unsigned size) {
  if (offset == 0) c_.writeDeviceControl(uint8_t(value));
}

}  // namespace mimic::hw::ide
