#include "hw/mips/malta_fpga.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "util/log.h"

namespace mimic::hw::mips {

namespace {

// Register offsets from the FPGA base.
enum : uint64_t {
  kSwitch = 0x200,
  kStatus = 0x208,
  kJmprs = 0x210,
  kLedbar = 0x408,
  kAsciiWord = 0x410,
  kAsciiPos0 = 0x418,
  kAsciiPos7 = 0x450,
  kSoftres = 0x500,
  kBrkres = 0x508,
  kGpout = 0xa00,
  kGpinp = 0xa08,
  kI2cInp = 0xb00,
  kI2cOe = 0xb08,
  kI2cOut = 0xb10,
  kI2cSel = 0xb18,
};

constexpr uint32_t kSoftresMagic = 0x42;

// The SPD bytes the board's EEPROM starts from (QEMU's Malta model); bytes
// 2, 5, 31 and the checksum 63 are then set for the RAM size.
constexpr uint8_t kSpdTemplate[128] = {
    0x80, 0x08, 0xFF, 0x0D, 0x0A, 0xFF, 0x40, 0x00, 0x01, 0x75, 0x54, 0x00, 0x82, 0x08, 0x00, 0x01,
    0x8F, 0x04, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x0F, 0x14, 0x2D, 0xFF,
    0x15, 0x08, 0x15, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0xD0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0xF4,
};

}  // namespace

// ---------------------------------------------------------------------------
// SPD EEPROM

uint64_t SpdEeprom::program(uint64_t ram_bytes) {
  std::memset(contents_, 0, sizeof contents_);
  std::memcpy(contents_, kSpdTemplate, sizeof kSpdTemplate);
  // Describe the RAM as up to three power-of-two banks (in MiB, each at most
  // 16 GiB), then split a single bank in two when possible.
  uint64_t mib = ram_bytes >> 20;
  unsigned banks = 0;
  uint32_t density = 0;
  while (mib >= 4 && banks <= 2) {
    unsigned log2 = std::min(31u - static_cast<unsigned>(std::countl_zero(static_cast<uint32_t>(mib))), 14u);
    banks++;
    density |= 1u << (log2 - 2);
    mib -= 1ull << log2;
  }
  if (banks == 1 && density > 1) {
    banks++;
    density >>= 1;
  }
  uint8_t type;
  constexpr uint8_t kSdr = 0x4, kDdr2 = 0x8;
  if (density & 0xff00) {
    density = (density & 0xe0) | ((density >> 8) & 0x1f);
    type = kDdr2;
  } else if (!(density & 0x1f)) {
    type = kDdr2;
  } else {
    type = kSdr;
  }
  contents_[2] = type;
  contents_[5] = static_cast<uint8_t>(banks);
  contents_[31] = static_cast<uint8_t>(density);
  uint8_t sum = 0;
  for (int i = 0; i < 63; i++) sum = static_cast<uint8_t>(sum + contents_[i]);
  contents_[63] = sum;
  return mib;
}

// A minimal 24C0x slave: a start condition, 8 command bits and an ack, then
// 8 address bits (shifting out data bits on a read command) and an ack
// after which the addressed byte is latched.
void SpdEeprom::write(bool scl, bool sda) {
  if (scl_ && scl && sda_ != sda) {
    // Data changing while the clock is high: start (falling) or stop.
    if (!sda) {
      tick_ = 1;
      command_ = 0;
    }
  } else if (tick_ == 0 && !ack_) {
    // Idle until a start condition.
  } else if (!scl_ && scl) {
    // Rising clock edge: a bit is sampled.
    if (ack_) {
      sda = false;
      ack_ = false;
    } else if (sda_ == sda) {
      uint8_t bit = sda ? 1 : 0;
      if (tick_ < 9) {
        command_ = static_cast<uint8_t>((command_ << 1) + bit);
        tick_++;
        if (tick_ == 9) ack_ = true;
      } else if (tick_ < 17) {
        if (command_ & 1) sda = (data_ & 0x80) != 0;
        address_ = static_cast<uint8_t>((address_ << 1) + bit);
        tick_++;
        data_ = static_cast<uint8_t>(data_ << 1);
        if (tick_ == 17) {
          data_ = contents_[address_];
          ack_ = true;
          tick_ = 0;
        }
      } else {
        sda = false;
      }
    }
  }
  scl_ = scl;
  sda_ = sda;
}

// ---------------------------------------------------------------------------
// FPGA

MaltaFpga::MaltaFpga(bool big_endian, uint64_t ram_bytes, std::function<void()> reset_request)
    : big_endian_(big_endian), reset_request_(std::move(reset_request)) {
  spd_leftover_mib_ = eeprom_.program(ram_bytes);
  reset();
}

void MaltaFpga::reset() {
  leds_ = 0x00;
  brk_ = 0x0a;
  gpout_ = 0x00;
  i2cin_ = 0x3;
  i2coe_ = 0x0;
  i2cout_ = 0x3;
  i2csel_ = 0x1;
  std::memcpy(text_, "        ", 9);
}

std::string MaltaFpga::display() const { return std::string(text_, strnlen(text_, 8)); }

void MaltaFpga::showLeds() {
  char bar[9];
  for (int i = 0; i < 8; i++) bar[i] = (leds_ & (1u << i)) ? '#' : ' ';
  bar[8] = 0;
  log::logf(log::kBoard, "malta: LEDBAR |{}|\n", bar);
}

void MaltaFpga::showAscii() {
  std::string shown;
  for (char c : display()) shown += (c >= 0x20 && c < 0x7f) ? c : '.';
  log::logf(log::kBoard, "malta: ASCII  |{:<8}|\n", shown);
}

uint64_t MaltaFpga::read(uint64_t offset, unsigned size) {
  switch (offset) {
    case kSwitch:
      return 0;
    case kStatus:
      return big_endian_ ? 0x12 : 0x10;  // bit 1: the CPU runs big-endian
    case kJmprs:
      return 0;
    case kLedbar:
      return leds_;
    case kBrkres:
      return brk_;
    case kGpout:
      return gpout_;
    case kGpinp:
      // With no real I2C controller the input mirrors the I2C output.
      return i2csel_ ? i2cout_ : 0;
    case kI2cInp:
      return (i2cin_ & ~1u) | (eeprom_.read() ? 1 : 0);
    case kI2cOe:
      return i2coe_;
    case kI2cOut:
      return i2cout_;
    case kI2cSel:
      return i2csel_;
    default:
      log::logf(log::kGuestErrors, "malta-fpga: read of size {} at bad register address {:#x}\n", size,
                kBase + offset);
      return 0;
  }
}

void MaltaFpga::write(uint64_t offset, uint64_t value, unsigned size) {
  uint32_t v = static_cast<uint32_t>(value);
  switch (offset) {
    case kSwitch:
    case kJmprs:
      return;
    case kLedbar:
      leds_ = v & 0xff;
      showLeds();
      return;
    case kAsciiWord:
      fmt::format_to_n(text_, 8, "{:08X}", v);
      text_[8] = 0;
      showAscii();
      return;
    case kSoftres:
      if (v == kSoftresMagic) {
        log::logf(log::kBoard, "malta: software reset requested (SOFTRES = 0x42)\n");
        if (reset_request_) reset_request_();
      }
      return;
    case kBrkres:
      brk_ = v & 0xff;
      return;
    case kGpout:
      gpout_ = v & 0xff;
      return;
    case kI2cOe:
      i2coe_ = v & 0x03;
      return;
    case kI2cOut:
      eeprom_.write((v & 0x02) != 0, (v & 0x01) != 0);
      i2cout_ = v;
      return;
    case kI2cSel:
      i2csel_ = v & 0x01;
      return;
    default:
      if (offset >= kAsciiPos0 && offset <= kAsciiPos7 && (offset - kAsciiPos0) % 8 == 0) {
        text_[(offset - kAsciiPos0) / 8] = static_cast<char>(v);
        showAscii();
        return;
      }
      log::logf(log::kGuestErrors, "malta-fpga: write of {:#x} (size {}) to bad register address {:#x}\n",
                value, size, kBase + offset);
      return;
  }
}

}  // namespace mimic::hw::mips
