#include "hw/net/pcnet.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "util/log.h"

namespace mimic::hw {

namespace {

// CSR0
constexpr uint16_t kInit = 0x0001, kStrt = 0x0002, kStop = 0x0004, kTdmd = 0x0008, kTxon = 0x0010,
                   kRxon = 0x0020, kInea = 0x0040, kIntr = 0x0080, kIdon = 0x0100, kTint = 0x0200,
                   kRint = 0x0400, kMerr = 0x0800, kMiss = 0x1000, kCerr = 0x2000, kBabl = 0x4000,
                   kErr = 0x8000;
// CSR3
constexpr uint16_t kCsr3Writable = 0x5f7c, kDxsuflo = 0x0040;
// CSR4
constexpr uint16_t kCsr4W1c = 0x026a, kTxstrt = 0x0008, kUint = 0x0040, kUintcmd = 0x0080, kApadXmt = 0x0800,
                   kDpoll = 0x1000;
// CSR5
constexpr uint16_t kCsr5W1c = 0x0a90, kSpnd = 0x0001, kLtinten = 0x4000, kTokintd = 0x8000;
// CSR15
constexpr uint16_t kDrx = 0x0001, kDtx = 0x0002, kLoop = 0x0004, kDrcvpa = 0x2000, kDrcvbc = 0x4000,
                   kProm = 0x8000;
// Descriptor status (RMD1/TMD1 upper half in the 32-bit layout)
constexpr uint16_t kOwn = 0x8000, kDErr = 0x4000, kStp = 0x0200, kEnp = 0x0100;
constexpr uint16_t kRxFram = 0x2000, kRxOflo = 0x1000, kRxCrc = 0x0800, kRxBuff = 0x0400, kRxBpe = 0x0080,
                   kRxPam = 0x0040, kRxLafm = 0x0020, kRxBam = 0x0010;
constexpr uint16_t kTxLtint = 0x1000, kTxOne = 0x0800, kTxDef = 0x0400;
constexpr uint32_t kTxBuff = 0x80000000u, kTxUflo = 0x40000000u;
// BCR2, BCR18
constexpr uint16_t kApromWe = 0x0100, kDwio = 0x0080;
constexpr uint16_t kLinkUp = 0x0040;  // the link-status bit the LED registers watch

constexpr size_t kMinFrame = 60;

std::array<uint32_t, 256> makeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
    t[i] = c;
  }
  return t;
}
const std::array<uint32_t, 256> kCrcTable = makeCrcTable();

// The reflected CRC-32 register after `n` bytes, from all ones, not inverted.
uint32_t crcRegister(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = (c >> 8) ^ kCrcTable[(c ^ p[i]) & 0xff];
  return c;
}

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16; }
void put16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, uint16_t(v));
  put16(p + 2, uint16_t(v >> 16));
}

// A BCNT field (two's complement, 12 bits) as a byte count: 1..4096.
size_t byteCount(uint16_t length) { return 4096 - (length & 0x0fff); }

}  // namespace

Pcnet::Pcnet(Clock& clock, net::NetBackend* backend, const net::MacAddr& mac)
    : PciDevice("pcnet", pci::PciIds{.vendor = kVendorAmd,
                                     .device = kDeviceLance,
                                     .revision = 0x10,
                                     .class_code = 0x020000,
                                     .interrupt_pin = 1}),
      clock_(clock), backend_(backend), mac_(mac) {
  set8(pci::kCfgMinGnt, 0x06);
  set8(pci::kCfgMaxLat, 0xff);
  declareBar(0, pci::BarKind::kIo, kRegSize, &regs_, 4);
  declareBar(1, pci::BarKind::kMem32, kRegSize, &regs_, 4);
  poll_timer_ = clock_.addTimer([this] { onPollTimer(); });
  tx_buf_.reserve(kMaxFrame);
  rx_buf_.reserve(kMaxFrame);
  if (backend_) backend_->attach(this);
  hardReset();  // PciDevice's own state is at its defaults already
}

Pcnet::~Pcnet() {
  clock_.disarm(poll_timer_);
  if (backend_ && backend_->frontend() == this) backend_->attach(nullptr);
}

void Pcnet::reset() {
  PciDevice::reset();
  hardReset();
}

void Pcnet::hardReset() {
  std::memset(bcr_, 0, sizeof bcr_);
  std::memset(csr_, 0, sizeof csr_);
  bcr_[0] = 0x0005;
  bcr_[1] = 0x0005;
  bcr_[2] = 0x0002;
  bcr_[4] = 0x00c0;
  bcr_[5] = 0x0084;
  bcr_[6] = 0x0088;
  bcr_[7] = 0x0090;
  bcr_[18] = 0x9001;
  bcr_[19] = 0x0002;
  bcr_[20] = 0x0200;
  bcr_[22] = 0xff06;
  buildAprom();
  softReset();
}

void Pcnet::buildAprom() {
  std::memset(aprom_, 0, sizeof aprom_);
  std::memcpy(aprom_, mac_.data(), 6);
  aprom_[9] = 0x11;  // hardware id AMD's drivers expect
  aprom_[14] = 'W';
  aprom_[15] = 'W';
  // Checksum of bytes 0-11 and 14-15 in bytes 12-13.
  uint16_t sum = 0;
  for (int i = 0; i < 16; i++) sum = uint16_t(sum + aprom_[i]);
  put16(aprom_ + 12, sum);
}

void Pcnet::softReset() {
  clock_.disarm(poll_timer_);
  poll_armed_ = false;
  rdra_ = tdra_ = 0;
  rap_ = 0;
  csr_[0] = kStop;
  csr_[3] = 0;
  csr_[4] = 0x0115;
  csr_[5] = 0;
  csr_[6] = 0;
  for (int i = 8; i <= 11; i++) csr_[i] = 0;
  csr_[12] = le16(aprom_);
  csr_[13] = le16(aprom_ + 2);
  csr_[14] = le16(aprom_ + 4);
  csr_[15] &= 0x21c4;
  csr_[72] = csr_[74] = csr_[76] = csr_[78] = 1;
  csr_[80] = 0x1410;
  csr_[88] = uint16_t(kChipId);
  csr_[89] = uint16_t(kChipId >> 16);
  csr_[94] = 0;
  csr_[100] = 0x0200;
  csr_[103] = 0x0105;
  csr_[112] = 0;
  csr_[114] = 0;
  csr_[122] = 0;
  csr_[124] = 0;
  updateIrq();
}

uint32_t Pcnet::physAddr(uint32_t a) const {
  if (ssize32()) return a;
  return (a & 0x00ffffffu) | (uint32_t(csr_[2] & 0xff00) << 16);
}

void Pcnet::memError(const char* what, uint32_t addr) {
  csr_[0] |= kMerr;
  log::logf(log::kGuestErrors, "pcnet: memory error accessing {} at {:#x}\n", what, addr);
}

// ---------------------------------------------------------------------------
// Register windows

uint64_t Pcnet::regRead(uint64_t offset, unsigned size) {
  uint64_t ones = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
  uint64_t v = ones;
  bool handled = true;
  if (offset < 16) {
    if (offset + size <= 16) {
      v = 0;
      for (unsigned i = 0; i < size; i++) v |= uint64_t(aprom_[offset + i]) << (8 * i);
    }
  } else if (!dwordIo()) {
    if (size == 2) {
      switch (offset) {
        case 0x10: v = csrRead(rap_); break;
        case 0x12: v = rap_; break;
        case 0x14: softReset(); v = 0; break;
        case 0x16: v = bcrRead(rap_); break;
        default: handled = false; break;
      }
    } else {
      handled = false;
    }
  } else if (size == 4) {
    switch (offset) {
      case 0x10:
        v = csrRead(rap_);
        if (rap_ == 88) v |= uint32_t(csr_[89]) << 16;  // the whole chip id, as QEMU
        break;
      case 0x14: v = rap_; break;
      case 0x18: softReset(); v = 0; break;
      case 0x1c: v = bcrRead(rap_); break;
      default: handled = false; break;
    }
  } else {
    handled = false;
  }
  if (!handled)
    log::logf(log::kGuestErrors, "pcnet: {}-byte read at offset {:#x} in {} mode\n", size, offset,
              dwordIo() ? "DWIO" : "WIO");
  updateIrq();
  return v;
}

void Pcnet::regWrite(uint64_t offset, uint64_t value, unsigned size) {
  if (offset < 16) {
    if (bcr_[2] & kApromWe) {
      for (unsigned i = 0; i < size && offset + i < 16; i++) aprom_[offset + i] = uint8_t(value >> (8 * i));
    }
    return;
  }
  bool handled = true;
  if (!dwordIo()) {
    if (size == 2 && offset == 0x10) {
      csrWrite(rap_, uint16_t(value));
    } else if (size == 2 && offset == 0x12) {
      rap_ = uint32_t(value) & 0x7f;
    } else if (size == 2 && offset == 0x16) {
      bcrWrite(rap_, uint16_t(value));
    } else if (size == 4 && offset == 0x10) {
      bcr_[18] |= kDwio;  // a 32-bit write to RDP switches to 32-bit I/O; the data is dropped
    } else {
      handled = false;
    }
  } else if (size == 4 && offset == 0x10) {
    csrWrite(rap_, uint16_t(value));
  } else if (size == 4 && offset == 0x14) {
    rap_ = uint32_t(value) & 0x7f;
  } else if (size == 4 && offset == 0x1c) {
    bcrWrite(rap_, uint16_t(value));
  } else {
    handled = false;
  }
  if (!handled)
    log::logf(log::kGuestErrors, "pcnet: {}-byte write of {:#x} at offset {:#x} in {} mode ignored\n", size, value,
              offset, dwordIo() ? "DWIO" : "WIO");
  afterAccess();
}

void Pcnet::afterAccess() {
  if (running()) {
    if (csr_[0] & kTdmd) pollTransmit();
    schedulePoll();
    // The guest may have given back receive descriptors.
    if (backend_ && (csr_[0] & kRxon)) backend_->pump();
  }
  updateIrq();
}

uint16_t Pcnet::csrRead(unsigned n) {
  switch (n) {
    case 0:
      updateIrq();
      return uint16_t(csr_[0] | ((csr_[0] & (kBabl | kCerr | kMiss | kMerr)) ? kErr : 0));
    case 16: return csr_[1];
    case 17: return csr_[2];
    case 58: return bcrRead(20);
    default: return n < kNumCsr ? csr_[n] : 0;
  }
}

void Pcnet::csrWrite(unsigned n, uint16_t v) {
  bool idle = stopped() || suspended();
  switch (n) {
    case 0: {
      uint16_t c = csr_[0];
      c &= uint16_t(~(v & 0x7f00));                     // write one to clear the status bits
      c = uint16_t((c & ~kInea) | (v & (kInea | kTdmd)));
      csr_[0] = c;
      uint16_t cmd = v & (kInit | kStrt | kStop);
      if (cmd == (kInit | kStrt | kStop)) cmd = kStop;
      if (cmd & kStop) stop();
      if ((cmd & kInit) && !(csr_[0] & kInit)) init();
      if ((cmd & kStrt) && !(csr_[0] & kStrt)) start();
      return;
    }
    case 1: case 2: case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 15:
    case 18: case 19: case 20: case 21: case 22: case 23: case 24: case 25: case 26: case 27:
    case 28: case 29: case 30: case 31: case 32: case 33: case 34: case 35: case 36: case 37:
    case 38: case 39: case 40: case 41: case 42: case 43: case 44: case 45: case 46: case 47:
    case 72: case 74: case 76: case 78: case 112:
      if (idle) {
        csr_[n] = v;
      } else {
        log::logf(log::kGuestErrors, "pcnet: CSR{} write of {:#x} while running ignored\n", n, v);
      }
      return;
    case 3:
      csr_[3] = v & kCsr3Writable;
      return;
    case 4: {
      uint16_t keep = csr_[4] & kCsr4W1c & ~v;
      uint16_t c = uint16_t((v & ~kCsr4W1c) | keep);
      if (c & kUintcmd) c = uint16_t((c & ~kUintcmd) | kUint);
      csr_[4] = c;
      return;
    }
    case 5: {
      uint16_t keep = csr_[5] & kCsr5W1c & ~v;
      csr_[5] = uint16_t((v & ~kCsr5W1c) | keep);
      return;
    }
    case 16: csrWrite(1, v); return;
    case 17: csrWrite(2, v); return;
    case 58: bcrWrite(20, v); return;
    default:
      return;  // read-only or not modelled
  }
}

uint16_t Pcnet::bcrRead(unsigned n) {
  switch (n) {
    case 4: case 5: case 6: case 7: {
      uint16_t v = bcr_[n] & 0x7fff;
      if (v & 0x017f & kLinkUp) v |= 0x8000;
      return v;
    }
    default:
      return n < kNumBcr ? bcr_[n] : 0;
  }
}

void Pcnet::bcrWrite(unsigned n, uint16_t v) {
  switch (n) {
    case 20: {
      if (!stopped() && !suspended()) {
        log::logf(log::kGuestErrors, "pcnet: SWSTYLE change to {:#x} while running ignored\n", v);
        return;
      }
      v &= uint16_t(~0x0300);
      switch (v & 0xff) {
        case 0: v |= 0x0200; break;          // LANCE: CSRPCNET
        case 1: v |= 0x0100; break;          // ILACC: SSIZE32
        case 2: case 3: v |= 0x0300; break;  // PCnet-PCI: SSIZE32, CSRPCNET
        default:
          log::logf(log::kGuestErrors, "pcnet: bad SWSTYLE {:#x}, using 0\n", v & 0xff);
          v = 0x0200;
          break;
      }
      bcr_[20] = v;
      return;
    }
    case 18:
      bcr_[18] = uint16_t((v & ~kDwio) | (bcr_[18] & kDwio));  // DWIO is read-only
      return;
    case 2: case 4: case 5: case 6: case 7: case 9: case 19: case 22:
      bcr_[n] = v;
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------
// Control

void Pcnet::stop() {
  csr_[0] = kStop;
  csr_[4] &= uint16_t(~0x02c2);
  csr_[5] &= uint16_t(~0x0011);
  clock_.disarm(poll_timer_);
  poll_armed_ = false;
}

void Pcnet::init() {
  uint32_t iadr = uint32_t(csr_[1]) | uint32_t(csr_[2]) << 16;
  uint8_t b[28];
  uint16_t mode, padr[3], ladrf[4];
  uint32_t rdra, tdra;
  unsigned rlen, tlen;
  if (ssize32()) {
    if (!dmaRead(iadr, b, 28)) {
      memError("the init block", iadr);
      return;
    }
    mode = le16(b);
    rlen = b[2] >> 4;
    tlen = b[3] >> 4;
    for (int i = 0; i < 3; i++) padr[i] = le16(b + 4 + 2 * i);
    for (int i = 0; i < 4; i++) ladrf[i] = le16(b + 12 + 2 * i);
    rdra = le32(b + 20);
    tdra = le32(b + 24);
  } else {
    if (!dmaRead(iadr, b, 24)) {
      memError("the init block", iadr);
      return;
    }
    mode = le16(b);
    for (int i = 0; i < 3; i++) padr[i] = le16(b + 2 + 2 * i);
    for (int i = 0; i < 4; i++) ladrf[i] = le16(b + 8 + 2 * i);
    rdra = le32(b + 16);
    tdra = le32(b + 20);
    rlen = rdra >> 29;
    tlen = tdra >> 29;
    rdra &= 0x00ffffff;
    tdra &= 0x00ffffff;
  }
  csr_[76] = uint16_t(rlen < 9 ? 1u << rlen : 512);
  csr_[78] = uint16_t(tlen < 9 ? 1u << tlen : 512);
  csr_[6] = uint16_t(tlen << 12 | rlen << 8);
  csr_[15] = mode;
  for (int i = 0; i < 4; i++) csr_[8 + i] = ladrf[i];
  for (int i = 0; i < 3; i++) csr_[12 + i] = padr[i];
  rdra_ = physAddr(rdra);
  tdra_ = physAddr(tdra);
  csr_[72] = csr_[76];
  csr_[74] = csr_[78];
  csr_[0] = uint16_t((csr_[0] | kInit | kIdon) & ~kStop);
}

void Pcnet::start() {
  if (!(csr_[15] & kDtx)) csr_[0] |= kTxon;
  if (!(csr_[15] & kDrx)) csr_[0] |= kRxon;
  csr_[0] = uint16_t((csr_[0] | kStrt) & ~kStop);
  schedulePoll();
}

void Pcnet::updateIrq() {
  uint16_t c0 = csr_[0] & uint16_t(~kIntr);
  bool intr = ((c0 & ~csr_[3]) & 0x5f00) ||                    // BABL MISS MERR RINT TINT IDON
              (((csr_[4] >> 1) & ~csr_[4]) & 0x0115) ||        // JAB TXSTRT RCVCCO MFCO
              (csr_[4] & kUint) ||                             // user interrupt
              (((csr_[5] >> 1) & csr_[5]) & 0x0548);           // SINT SLPINT EXDINT MPINT
  if (intr) c0 |= kIntr;
  csr_[0] = c0;
  setIrq(intr && (c0 & kInea));
}

void Pcnet::schedulePoll() {
  if (poll_armed_ || !running()) return;
  poll_armed_ = true;
  clock_.arm(poll_timer_, clock_.nowNs() + kPollNs);
}

void Pcnet::onPollTimer() {
  poll_armed_ = false;
  if (!running()) return;
  if (!(csr_[4] & kDpoll)) pollTransmit();
  if (backend_ && (csr_[0] & kRxon)) backend_->pump();
  updateIrq();
  schedulePoll();
}

// ---------------------------------------------------------------------------
// Descriptors

bool Pcnet::loadDesc(uint32_t addr, Desc& d, bool rx) {
  if (!ssize32()) {
    uint8_t b[8];
    if (!dmaRead(addr, b, sizeof b)) {
      memError(rx ? "a receive descriptor" : "a transmit descriptor", addr);
      return false;
    }
    uint16_t w1 = le16(b + 2);
    d.addr = le16(b) | uint32_t(w1 & 0xff) << 16;
    d.status = w1 & 0xff00;
    d.length = le16(b + 4);
    d.misc = rx ? le16(b + 6) : uint32_t(le16(b + 6)) << 16;
    return true;
  }
  uint8_t b[12];
  if (!dmaRead(addr, b, sizeof b)) {
    memError(rx ? "a receive descriptor" : "a transmit descriptor", addr);
    return false;
  }
  bool swapped = swStyle() == 3;
  d.addr = le32(b + (swapped ? 8 : 0));
  d.misc = le32(b + (swapped ? 0 : 8));
  d.length = le16(b + 4);
  d.status = le16(b + 6);
  return true;
}

bool Pcnet::storeDesc(uint32_t addr, const Desc& d, bool rx) {
  bool ok;
  if (!ssize32()) {
    uint8_t b[8];
    put16(b, uint16_t(d.addr));
    put16(b + 2, uint16_t((d.status & 0xff00) | ((d.addr >> 16) & 0xff)));
    put16(b + 4, d.length);
    put16(b + 6, rx ? uint16_t(d.misc) : uint16_t(d.misc >> 16));
    ok = dmaWrite(addr, b, sizeof b);
  } else {
    uint8_t b[12];
    bool swapped = swStyle() == 3;
    put32(b + (swapped ? 8 : 0), d.addr);
    put32(b + (swapped ? 0 : 8), d.misc);
    put16(b + 4, d.length);
    put16(b + 6, d.status);
    ok = dmaWrite(addr, b, sizeof b);  // the fourth word is the driver's
  }
  if (!ok) memError(rx ? "a receive descriptor" : "a transmit descriptor", addr);
  return ok;
}

unsigned Pcnet::ringIndex(unsigned counter_csr, unsigned length_csr) const {
  unsigned len = csr_[length_csr];
  unsigned rc = csr_[counter_csr];
  if (len == 0) return 0;
  if (rc == 0 || rc > len) rc = len;
  return len - rc;
}

void Pcnet::ringAdvance(unsigned counter_csr, unsigned length_csr, unsigned n) {
  unsigned len = csr_[length_csr];
  if (len == 0) return;
  unsigned idx = (ringIndex(counter_csr, length_csr) + n) % len;
  csr_[counter_csr] = uint16_t(len - idx);
}

// ---------------------------------------------------------------------------
// Transmit

void Pcnet::pollTransmit() {
  if (in_transmit_) return;
  in_transmit_ = true;
  unsigned budget = std::max<unsigned>(1, csr_[78]);
  for (unsigned n = 0; n < budget && running() && transmitOne(); n++) {
  }
  csr_[0] &= uint16_t(~kTdmd);
  in_transmit_ = false;
}

bool Pcnet::transmitOne() {
  if (!(csr_[0] & kTxon) || !tdra_ || !csr_[78]) return false;
  unsigned len = csr_[78];
  unsigned first = ringIndex(74, 78);
  struct Entry {
    uint32_t addr;
    Desc d;
  };
  std::vector<Entry> chain;
  Desc d;
  uint32_t a = txDescAddr(first);
  if (!loadDesc(a, d, false) || !(d.status & kOwn)) return false;
  chain.push_back({a, d});
  bool tint = !(csr_[5] & kTokintd) || ((csr_[5] & kLtinten) && (d.status & kTxLtint));

  if (!(d.status & kStp)) {
    // Not the start of a frame: the card skips it (as QEMU).
    log::logf(log::kGuestErrors, "pcnet: transmit descriptor {} owned without STP, skipped\n", first);
    d.status &= uint16_t(~kOwn);
    storeDesc(a, d, false);
    if (tint) csr_[0] |= kTint;
    ringAdvance(74, 78, 1);
    return true;
  }

  bool complete = d.status & kEnp;
  while (!complete && chain.size() < len) {
    uint32_t an = txDescAddr((first + unsigned(chain.size())) % len);
    Desc dn;
    if (!loadDesc(an, dn, false)) return false;  // MERR; try again later
    if (!(dn.status & kOwn)) break;
    chain.push_back({an, dn});
    if (dn.status & kEnp) complete = true;
    if ((csr_[5] & kLtinten) && (dn.status & kTxLtint)) tint = true;
  }

  if (!complete) {
    // The chain ends in a descriptor the card does not own (or wraps the
    // ring): buffer error on the last one, the frame is lost.
    log::logf(log::kGuestErrors, "pcnet: transmit chain at descriptor {} has no ENP (buffer error)\n", first);
    chain.back().d.status |= kDErr;
    chain.back().d.misc |= kTxBuff | kTxUflo;
    for (size_t i = chain.size(); i-- > 0;) {
      chain[i].d.status &= uint16_t(~kOwn);
      storeDesc(chain[i].addr, chain[i].d, false);
    }
    csr_[0] |= kTint;
    if (!(csr_[3] & kDxsuflo)) csr_[0] &= uint16_t(~kTxon);
    ringAdvance(74, 78, unsigned(chain.size()));
    return csr_[0] & kTxon;
  }

  tx_buf_.clear();
  bool babble = false, dma_error = false;
  for (Entry& e : chain) {
    size_t n = byteCount(e.d.length);
    if (tx_buf_.size() + n > kMaxFrame) {
      babble = true;
      break;
    }
    size_t pos = tx_buf_.size();
    tx_buf_.resize(pos + n);
    uint32_t pa = physAddr(e.d.addr);
    if (!dmaRead(pa, tx_buf_.data() + pos, n)) {
      memError("a transmit buffer", pa);
      dma_error = true;
      break;
    }
  }
  if (babble) {
    csr_[0] |= kBabl;
    log::logf(log::kGuestErrors, "pcnet: transmit frame longer than {} bytes dropped\n", kMaxFrame);
  } else if (!dma_error) {
    if ((csr_[4] & kApadXmt) && tx_buf_.size() < kMinFrame) tx_buf_.resize(kMinFrame, 0);
    csr_[4] |= kTxstrt;
    deliver(tx_buf_.data(), tx_buf_.size());
  }
  for (size_t i = chain.size(); i-- > 0;) {
    Desc& e = chain[i].d;
    e.status &= uint16_t(~(kOwn | kDErr | kTxOne | kTxDef));
    e.misc = 0;
    if (dma_error && i + 1 == chain.size()) {
      e.status |= kDErr;
      e.misc = kTxBuff;
    }
    storeDesc(chain[i].addr, e, false);
  }
  if (tint) csr_[0] |= kTint;
  ringAdvance(74, 78, unsigned(chain.size()));
  return true;
}

void Pcnet::deliver(const uint8_t* frame, size_t len) {
  if (csr_[15] & kLoop) {
    receiveFrame(frame, len, true);
    return;
  }
  if (backend_) backend_->send(frame, len);
}

// ---------------------------------------------------------------------------
// Receive

bool Pcnet::canReceive() {
  if (stopped()) return true;     // dropped by receive()
  if (suspended()) return false;  // keep them until the guest resumes
  if (!(csr_[0] & kRxon) || (csr_[15] & kLoop)) return true;
  if (!rdra_ || !csr_[76] || !busMaster()) return true;
  Desc d;
  if (!loadDesc(rxDescAddr(ringIndex(72, 76)), d, true)) return true;
  return d.status & kOwn;
}

void Pcnet::receive(const uint8_t* frame, size_t len) {
  if (!running() || !(csr_[0] & kRxon) || (csr_[15] & kLoop)) return;  // receiver off: dropped
  receiveFrame(frame, len, false);
  updateIrq();
}

bool Pcnet::acceptFrame(const uint8_t* f, bool& pam, bool& lafm, bool& bam) const {
  pam = lafm = bam = false;
  if (csr_[15] & kProm) return true;
  uint8_t padr[6];
  for (int i = 0; i < 3; i++) put16(padr + 2 * i, csr_[12 + i]);
  if (!(csr_[15] & kDrcvpa) && std::memcmp(f, padr, 6) == 0) {
    pam = true;
    return true;
  }
  static const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  if (std::memcmp(f, kBroadcast, 6) == 0) {
    if (csr_[15] & kDrcvbc) return false;
    bam = true;
    return true;
  }
  if (f[0] & 1) {
    // Logical address filter: the top 6 bits of the CRC register over the
    // destination address index the 64 bits of CSR8-11.
    unsigned index = crcRegister(f, 6) >> 26;
    if ((csr_[8 + index / 16] >> (index % 16)) & 1) {
      lafm = true;
      return true;
    }
  }
  return false;
}

void Pcnet::receiveFrame(const uint8_t* frame, size_t len, bool loopback) {
  if (!(csr_[0] & kRxon)) return;
  if (len == 0 || len + 4 > kMaxFrame) {
    log::logf(log::kGuestErrors, "pcnet: {}-byte frame dropped\n", len);
    return;
  }
  // Short frames are padded to the 60-byte minimum; the FCS follows.
  rx_buf_.assign(frame, frame + len);
  if (rx_buf_.size() < kMinFrame) rx_buf_.resize(kMinFrame, 0);
  bool pam, lafm, bam;
  if (!acceptFrame(rx_buf_.data(), pam, lafm, bam)) return;
  uint32_t fcs = ~crcRegister(rx_buf_.data(), rx_buf_.size());
  for (int i = 0; i < 4; i++) rx_buf_.push_back(uint8_t(fcs >> (8 * i)));
  (void)loopback;

  if (!rdra_ || !csr_[76]) {
    csr_[0] |= kMiss;
    csr_[112]++;
    return;
  }
  unsigned ring = csr_[76];
  unsigned first = ringIndex(72, 76);
  struct Entry {
    uint32_t addr;
    Desc d;
  };
  std::vector<Entry> used;
  size_t total = rx_buf_.size(), pos = 0;
  while (pos < total && used.size() < ring) {
    uint32_t a = rxDescAddr((first + unsigned(used.size())) % ring);
    Desc d;
    if (!loadDesc(a, d, true)) return;  // MERR: the frame is lost
    if (!(d.status & kOwn)) break;
    size_t n = std::min(byteCount(d.length), total - pos);
    uint32_t pa = physAddr(d.addr);
    if (!dmaWrite(pa, rx_buf_.data() + pos, n)) {
      memError("a receive buffer", pa);
      return;
    }
    pos += n;
    used.push_back({a, d});
  }
  if (used.empty()) {
    csr_[0] |= kMiss;  // no buffer: missed frame
    csr_[112]++;
    return;
  }
  for (size_t i = used.size(); i-- > 0;) {
    Desc& d = used[i].d;
    d.status &= uint16_t(~(kOwn | kDErr | kRxFram | kRxOflo | kRxCrc | kRxBuff | kStp | kEnp | kRxBpe | kRxPam |
                           kRxLafm | kRxBam));
    if (i == 0) d.status |= kStp;
    if (i + 1 == used.size()) {
      if (pos == total) {
        d.status |= kEnp;
        if (pam) d.status |= kRxPam;
        if (lafm) d.status |= kRxLafm;
        if (bam) d.status |= kRxBam;
        d.misc = uint32_t(total & 0x0fff);  // MCNT; RPC, RCC 0
      } else {
        d.status |= kDErr | kRxBuff | kRxOflo;
        log::logf(log::kGuestErrors, "pcnet: {}-byte frame does not fit the receive descriptors\n", total);
      }
    }
    storeDesc(used[i].addr, d, true);
  }
  csr_[0] |= kRint;
  ringAdvance(72, 76, unsigned(used.size()));
}

}  // namespace mimic::hw
