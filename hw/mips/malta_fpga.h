// The Malta board's FPGA registers at physical 0x1f000000 (1 MiB window;
// the CBUS UART at +0x900 is a separate Serial16550): switches, status,
// LED bar, 8-character ASCII display, software reset, break/reset control,
// general purpose output and the bit-banged I2C port of the SPD EEPROM.
// Register offsets and values follow QEMU's Malta model.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "hw/core/memory.h"

namespace mimic::hw::mips {

// The 24C02 serial EEPROM holding the SDRAM's SPD data, read by firmware
// (YAMON) through the FPGA's I2C bit-bang registers.
class SpdEeprom {
 public:
  // Fills the SPD bytes for `ram_bytes` of SDRAM as QEMU does. Returns the
  // number of MiB the SPD data cannot describe (QEMU warns about it).
  uint64_t program(uint64_t ram_bytes);
  // One step of the I2C lines (clock and data as the master drives them).
  void write(bool scl, bool sda);
  bool read() const { return sda_; }
  const uint8_t* contents() const { return contents_; }

 private:
  uint8_t tick_ = 0, address_ = 0, command_ = 0, data_ = 0;
  bool ack_ = false, scl_ = false, sda_ = false;
  uint8_t contents_[256] = {};
};

class MaltaFpga : public MmioHandler {
 public:
  static constexpr uint64_t kBase = 0x1f000000;
  static constexpr uint64_t kSize = 0x100000;
  static constexpr uint64_t kUartOffset = 0x900;   // CBUS UART, 0x900..0x93f
  static constexpr uint64_t kHighOffset = 0xa00;   // registers resume here

  // `reset_request` runs when the guest writes 0x42 to SOFTRES.
  MaltaFpga(bool big_endian, uint64_t ram_bytes, std::function<void()> reset_request);

  void reset();

  // Offsets are from kBase.
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, uint64_t value, unsigned size) override;

  uint32_t leds() const { return leds_; }
  std::string display() const;  // the ASCII display's 8 characters
  uint64_t spdUnrepresentedMiB() const { return spd_leftover_mib_; }

 private:
  void showLeds();
  void showAscii();

  bool big_endian_;
  std::function<void()> reset_request_;
  SpdEeprom eeprom_;
  uint64_t spd_leftover_mib_ = 0;
  uint32_t leds_ = 0, brk_ = 0, gpout_ = 0, i2cin_ = 0, i2coe_ = 0, i2cout_ = 0, i2csel_ = 0;
  char text_[9] = {};
};

}  // namespace mimic::hw::mips
