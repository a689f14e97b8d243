#include "hw/mips/malta_fpga.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "log_capture.h"
#include "util/log.h"

using mimic::hw::mips::MaltaFpga;
using mimic::hw::mips::SpdEeprom;

namespace {

using mimic::test::LogCapture;

constexpr uint64_t kMiB = 1ull << 20;

TEST(MaltaFpga, ResetValuesMatchQemu) {
  MaltaFpga le(false, 128 * kMiB, nullptr), be(true, 128 * kMiB, nullptr);
  EXPECT_EQ(le.read(0x200, 4), 0x00u);  // SWITCH
  EXPECT_EQ(le.read(0x208, 4), 0x10u);  // STATUS
  EXPECT_EQ(be.read(0x208, 4), 0x12u);
  EXPECT_EQ(le.read(0x210, 4), 0x00u);  // JMPRS
  EXPECT_EQ(le.read(0x408, 4), 0x00u);  // LEDBAR
  EXPECT_EQ(le.read(0x508, 4), 0x0au);  // BRKRES
  EXPECT_EQ(le.read(0xa00, 4), 0x00u);  // GPOUT
  EXPECT_EQ(le.read(0xa08, 4), 0x03u);  // GPINP mirrors I2COUT
  EXPECT_EQ(le.read(0xb00, 4), 0x02u);  // I2CINP
  EXPECT_EQ(le.read(0xb08, 4), 0x00u);  // I2COE
  EXPECT_EQ(le.read(0xb10, 4), 0x03u);  // I2COUT
  EXPECT_EQ(le.read(0xb18, 4), 0x01u);  // I2CSEL
  EXPECT_EQ(le.display(), "        ");
}

TEST(MaltaFpga, LedsAndAsciiDisplayAreLogged) {
  LogCapture cap(mimic::log::kBoard);
  MaltaFpga f(false, 128 * kMiB, nullptr);
  f.write(0x408, 0x1a5, 4);
  EXPECT_EQ(f.leds(), 0xa5u);
  EXPECT_EQ(f.read(0x408, 4), 0xa5u);
  f.write(0x410, 0xdeadbeef, 4);
  EXPECT_EQ(f.display(), "DEADBEEF");
  f.write(0x418, 'h', 4);
  f.write(0x450, 'i', 4);
  EXPECT_EQ(f.display(), "hEADBEEi");
  f.write(0x420, 0, 4);  // a NUL ends the text
  EXPECT_EQ(f.display(), "h");
  std::string t = cap.text();
  EXPECT_NE(t.find("malta: LEDBAR |# #  # #|"), std::string::npos) << t;
  EXPECT_NE(t.find("malta: ASCII  |DEADBEEF|"), std::string::npos) << t;
  EXPECT_NE(t.find("malta: ASCII  |hEADBEEi|"), std::string::npos) << t;
}

TEST(MaltaFpga, SoftresOnlyWithMagic) {
  int resets = 0;
  MaltaFpga f(false, 128 * kMiB, [&] { resets++; });
  f.write(0x500, 0x41, 4);
  EXPECT_EQ(resets, 0);
  f.write(0x500, 0x42, 4);
  EXPECT_EQ(resets, 1);
  f.write(0x500, 0x42, 1);
  EXPECT_EQ(resets, 2);
}

TEST(MaltaFpga, RegistersKeepTheirWidth) {
  MaltaFpga f(true, 128 * kMiB, nullptr);
  f.write(0x508, 0x1234, 4);
  EXPECT_EQ(f.read(0x508, 4), 0x34u);
  f.write(0xa00, 0xfff, 4);
  EXPECT_EQ(f.read(0xa00, 4), 0xffu);
  f.write(0xb08, 0xff, 4);
  EXPECT_EQ(f.read(0xb08, 4), 0x03u);
  f.write(0xb18, 0xfe, 4);
  EXPECT_EQ(f.read(0xb18, 4), 0x00u);
  EXPECT_EQ(f.read(0xa08, 4), 0x00u);  // GPINP reads 0 with I2CSEL clear
  f.reset();
  EXPECT_EQ(f.read(0xb18, 4), 0x01u);
  EXPECT_EQ(f.read(0x508, 4), 0x0au);
}

TEST(MaltaFpga, BadRegistersAreGuestErrors) {
  LogCapture cap(mimic::log::kGuestErrors);
  MaltaFpga f(true, 128 * kMiB, nullptr);
  EXPECT_EQ(f.read(0x40b, 1), 0u);  // only the exact register address decodes
  f.write(0x40b, 1, 1);
  EXPECT_EQ(f.leds(), 0u);
  EXPECT_EQ(f.read(0x410, 4), 0u);  // ASCIIWORD is write-only
  std::string t = cap.text();
  EXPECT_NE(t.find("bad register address 0x1f00040b"), std::string::npos) << t;
  EXPECT_NE(t.find("bad register address 0x1f000410"), std::string::npos) << t;
}

TEST(SpdEeprom, ProgrammedForTheRamSize) {
  SpdEeprom e;
  EXPECT_EQ(e.program(128 * kMiB), 0u);
  EXPECT_EQ(e.contents()[2], 0x04);   // SDR
  EXPECT_EQ(e.contents()[5], 2);      // one 128 MiB bank split in two
  EXPECT_EQ(e.contents()[31], 0x10);  // 64 MiB per bank
  uint8_t sum = 0;
  for (int i = 0; i < 63; i++) sum = static_cast<uint8_t>(sum + e.contents()[i]);
  EXPECT_EQ(e.contents()[63], sum);

  EXPECT_EQ(e.program(100 * kMiB), 0u);  // 64 + 32 + 4
  EXPECT_EQ(e.contents()[5], 3);
  EXPECT_EQ(e.contents()[31], 0x10 | 0x08 | 0x01);

  EXPECT_EQ(e.program(7 * kMiB), 3u);  // 4 MiB described, 3 MiB left over
  EXPECT_EQ(e.program(256 * kMiB), 0u);
  EXPECT_EQ(e.contents()[31], 0x20);
}

// Bit-banging the I2C lines as firmware does reads the SPD bytes back.
class I2cMaster {
 public:
  explicit I2cMaster(MaltaFpga& f) : f_(f) {}
  void set(int scl, int sda) { f_.write(0xb10, static_cast<uint64_t>((scl << 1) | sda), 4); }
  int sda() { return static_cast<int>(f_.read(0xb00, 4) & 1); }
  void start() {
    set(0, 1);
    set(1, 1);
    set(1, 0);
    set(0, 0);
  }
  int sendByte(uint8_t b) {
    for (int i = 7; i >= 0; i--) {
      int bit = (b >> i) & 1;
      set(0, bit);
      set(1, bit);
      set(0, bit);
    }
    set(0, 1);
    set(1, 1);  // the slave acknowledges by pulling SDA low
    int ack = sda();
    set(0, 1);
    return ack;
  }
  uint8_t readByte() {
    uint8_t v = 0;
    for (int i = 0; i < 8; i++) {
      set(0, 1);
      set(1, 1);
      v = static_cast<uint8_t>((v << 1) | sda());
    }
    // The master's acknowledge clock (not acknowledging: last byte).
    set(0, 1);
    set(1, 1);
    set(0, 1);
    return v;
  }
  void stop() {
    set(0, 0);
    set(1, 0);
    set(1, 1);
  }

 private:
  MaltaFpga& f_;
};

TEST(SpdEeprom, ReadThroughTheFpgaI2cPort) {
  MaltaFpga f(false, 128 * kMiB, nullptr);
  SpdEeprom ref;
  ref.program(128 * kMiB);
  I2cMaster m(f);
  for (uint8_t addr : {0, 2, 5, 31, 63, 127}) {
    m.start();
    EXPECT_EQ(m.sendByte(0xa0), 0) << "no ack for the write command";
    EXPECT_EQ(m.sendByte(addr), 0) << "no ack for the address";
    m.start();
    EXPECT_EQ(m.sendByte(0xa1), 0) << "no ack for the read command";
    EXPECT_EQ(m.readByte(), ref.contents()[addr]) << "SPD byte " << int(addr);
    m.stop();
  }
}

}  // namespace
