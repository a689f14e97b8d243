#include "hw/input/i8042.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

#include "hw/core/ioport.h"
#include "log_capture.h"
#include "util/log.h"

using mimic::hw::I8042;
using mimic::hw::IoSpace;
using mimic::hw::IrqLine;
using mimic::test::LogCapture;

namespace {

constexpr uint32_t kData = 0x60, kCmd = 0x64;
constexpr uint8_t kObf = 0x01, kSys = 0x04, kCmdBit = 0x08, kUnlocked = 0x10, kAux = 0x20;

struct IrqProbe {
  bool level = false;
  int rises = 0, falls = 0;
  static void handler(void* opaque, int, bool level) {
    auto* p = static_cast<IrqProbe*>(opaque);
    if (level && !p->level) p->rises++;
    if (!level && p->level) p->falls++;
    p->level = level;
  }
};

class Kbc : public ::testing::Test {
 protected:
  Kbc() : kbc(IrqLine(&IrqProbe::handler, &irq1, 1), IrqLine(&IrqProbe::handler, &irq12, 12), [this] { resets++; }) {
    io.add("i8042-data", I8042::kDataPort, 1, kbc.dataPort());
    io.add("i8042-cmd", I8042::kCommandPort, 1, kbc.commandPort());
  }
  void out(uint32_t port, uint8_t v) { io.write(port, v, 1); }
  uint8_t in(uint32_t port) { return static_cast<uint8_t>(io.read(port, 1)); }
  uint8_t status() { return in(kCmd); }

  // Linux's i8042_wait_read + read of one result byte: OBF must be set.
  uint8_t readResult(bool aux = false) {
    uint8_t s = status();
    EXPECT_TRUE(s & kObf) << "no output byte";
    EXPECT_EQ(static_cast<bool>(s & kAux), aux) << "status " << int(s);
    return in(kData);
  }
  // i8042_command(): the command, its parameter bytes, its result bytes.
  std::vector<uint8_t> command(uint8_t cmd, std::vector<uint8_t> params, int results, bool aux = false) {
    EXPECT_FALSE(status() & 0x02);  // IBF
    out(kCmd, cmd);
    for (uint8_t p : params) out(kData, p);
    std::vector<uint8_t> r;
    for (int i = 0; i < results; i++) r.push_back(readResult(aux));
    return r;
  }
  // Everything the controller has for us now (i8042_flush).
  std::vector<uint8_t> drain() {
    std::vector<uint8_t> r;
    for (int i = 0; i < 100 && (status() & kObf); i++) r.push_back(in(kData));
    return r;
  }
  // A keyboard command through port 0x60 and its reply bytes.
  std::vector<uint8_t> kbdCommand(std::vector<uint8_t> bytes) {
    for (uint8_t b : bytes) out(kData, b);
    return drain();
  }
  std::vector<uint8_t> mouseCommand(std::vector<uint8_t> bytes) {
    for (uint8_t b : bytes) {
      out(kCmd, 0xd4);
      out(kData, b);
    }
    return drain();
  }

  IrqProbe irq1, irq12;
  int resets = 0;
  I8042 kbc;
  IoSpace io;
};

using Bytes = std::vector<uint8_t>;

TEST_F(Kbc, PowerOnState) {
  EXPECT_EQ(status(), kCmdBit | kUnlocked);
  EXPECT_EQ(kbc.commandByte(), 0x03);
  EXPECT_EQ(kbc.outputPort(), 0xcf);
  EXPECT_FALSE(irq1.level);
  EXPECT_FALSE(irq12.level);
  EXPECT_EQ(in(kData), 0x00);  // nothing there: reads the last byte, none yet
  EXPECT_EQ(status() & kObf, 0);
}

// drivers/input/serio/i8042.c: i8042_controller_check, _selftest, _init,
// i8042_check_aux, then the ports' enable and the keyboard and mouse
// drivers' first commands.
TEST_F(Kbc, LinuxProbeSequence) {
  // i8042_controller_check: flush finds nothing.
  EXPECT_EQ(drain(), Bytes{});

  // i8042_controller_selftest.
  EXPECT_EQ(command(0xaa, {}, 1), Bytes{0x55});
  EXPECT_TRUE(status() & kSys);

  // i8042_controller_init: two identical CTR reads, then the CTR written
  // back with the keyboard disabled and its interrupt off.
  Bytes ctr1 = command(0x20, {}, 1), ctr2 = command(0x20, {}, 1);
  EXPECT_EQ(ctr1, ctr2);
  uint8_t ctr = ctr1[0];
  EXPECT_EQ(ctr, 0x03);
  EXPECT_TRUE(status() & kUnlocked);  // no "Keylock active" warning
  ctr = static_cast<uint8_t>((ctr | 0x10) & ~0x01);
  EXPECT_EQ(command(0x60, {ctr}, 0), Bytes{});
  EXPECT_EQ(kbc.commandByte(), ctr);
  EXPECT_EQ(drain(), Bytes{});

  // i8042_check_aux: the loop command echoes with the AUX status bit.
  EXPECT_EQ(command(0xd3, {0x5a}, 1, /*aux=*/true), Bytes{0x5a});
  EXPECT_EQ(command(0xa9, {}, 1), Bytes{0x00});
  // Bit assignment test: i8042_toggle_aux(false), then (true).
  command(0xa7, {}, 0);
  EXPECT_TRUE(command(0x20, {}, 1)[0] & 0x20);
  command(0xa8, {}, 0);
  EXPECT_FALSE(command(0x20, {}, 1)[0] & 0x20);

  // AUX IRQ delivery test: interrupt enabled, loop 0xa5 without reading.
  ctr = static_cast<uint8_t>(command(0x20, {}, 1)[0] | 0x02);
  command(0x60, {ctr}, 0);
  int rises = irq12.rises;
  out(kCmd, 0xd3);
  out(kData, 0xa5);
  EXPECT_EQ(irq12.rises, rises + 1);
  EXPECT_TRUE(irq12.level);
  EXPECT_FALSE(irq1.level);
  EXPECT_EQ(status() & (kObf | kAux), kObf | kAux);  // i8042_aux_test_irq
  EXPECT_EQ(in(kData), 0xa5);
  EXPECT_FALSE(irq12.level);

  // i8042_enable_kbd_port / i8042_enable_aux_port.
  ctr = static_cast<uint8_t>((command(0x20, {}, 1)[0] & ~0x30) | 0x03);
  command(0x60, {ctr}, 0);

  // atkbd: reset (atkbd.reset), identify, enable; every byte raises IRQ 1.
  rises = irq1.rises;
  EXPECT_EQ(kbdCommand({0xff}), (Bytes{0xfa, 0xaa}));
  EXPECT_EQ(irq1.rises, rises + 2);
  EXPECT_EQ(kbdCommand({0xf2}), (Bytes{0xfa, 0xab, 0x83}));
  EXPECT_EQ(kbdCommand({0xf5}), Bytes{0xfa});
  EXPECT_EQ(kbdCommand({0xf0, 0x02}), (Bytes{0xfa, 0xfa}));
  EXPECT_EQ(kbdCommand({0xf0, 0x00}), (Bytes{0xfa, 0xfa, 0x02}));
  EXPECT_EQ(kbdCommand({0xf3, 0x00}), (Bytes{0xfa, 0xfa}));
  EXPECT_EQ(kbdCommand({0xed, 0x07}), (Bytes{0xfa, 0xfa}));
  EXPECT_EQ(kbc.keyboardLeds(), 0x07);
  EXPECT_EQ(kbdCommand({0xf4}), Bytes{0xfa});
  EXPECT_EQ(kbdCommand({0xee}), Bytes{0xee});
  EXPECT_EQ(kbdCommand({0x42}), Bytes{0xfe});  // not a command: resend

  // psmouse: reset, get ID, IntelliMouse and Explorer knocks, status.
  rises = irq12.rises;
  EXPECT_EQ(mouseCommand({0xff}), (Bytes{0xfa, 0xaa, 0x00}));
  EXPECT_EQ(irq12.rises, rises + 3);
  EXPECT_EQ(mouseCommand({0xf2}), (Bytes{0xfa, 0x00}));
  EXPECT_EQ(mouseCommand({0xf3, 200, 0xf3, 100, 0xf3, 80, 0xf2}),
            (Bytes{0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x03}));
  EXPECT_EQ(mouseCommand({0xf3, 200, 0xf3, 200, 0xf3, 80, 0xf2}),
            (Bytes{0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x04}));
  EXPECT_EQ(mouseCommand({0xe8, 0x03, 0xe6, 0xf3, 100, 0xe9}),
            (Bytes{0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0xfa, 0x00, 0x03, 100}));
  EXPECT_EQ(mouseCommand({0xf4}), Bytes{0xfa});
  EXPECT_TRUE(kbc.mouseReporting());
  EXPECT_EQ(resets, 0);
}

TEST_F(Kbc, ControllerCommands) {
  EXPECT_EQ(command(0xab, {}, 1), Bytes{0x00});
  EXPECT_EQ(command(0xc0, {}, 1), Bytes{0x80});
  EXPECT_EQ(command(0xd0, {}, 1), Bytes{0xcf});
  command(0xdd, {}, 0);
  EXPECT_FALSE(kbc.a20());
  command(0xdf, {}, 0);
  EXPECT_TRUE(kbc.a20());
  command(0xd1, {0xcd}, 0);  // A20 off, reset bit kept high
  EXPECT_EQ(kbc.outputPort(), 0xcd);
  EXPECT_EQ(command(0xd0, {}, 1), Bytes{0xcd});
  EXPECT_EQ(resets, 0);
  // Internal RAM.
  command(0x65, {0x77}, 0);
  EXPECT_EQ(command(0x25, {}, 1), Bytes{0x77});
  // 0xd2: as if from the keyboard.
  EXPECT_EQ(command(0xd2, {0x1c}, 1, /*aux=*/false), Bytes{0x1c});
  // The command/data status bit follows the last write.
  out(kCmd, 0xae);
  EXPECT_TRUE(status() & kCmdBit);
  out(kCmd, 0x60);
  out(kData, 0x03);
  EXPECT_FALSE(status() & kCmdBit);
  // The input buffer is never full.
  EXPECT_FALSE(status() & 0x02);
}

TEST_F(Kbc, ResetRequests) {
  out(kCmd, 0xfe);
  EXPECT_EQ(resets, 1);
  out(kCmd, 0xff);  // pulses nothing
  EXPECT_EQ(resets, 1);
  out(kCmd, 0xf0);  // bit 0 among the pulsed bits
  EXPECT_EQ(resets, 2);
  out(kCmd, 0xf1);
  EXPECT_EQ(resets, 2);
  out(kCmd, 0xd1);
  out(kData, 0xce);  // bit 0 low
  EXPECT_EQ(resets, 3);
  out(kCmd, 0xd1);
  out(kData, 0xcf);
  EXPECT_EQ(resets, 3);
}

TEST_F(Kbc, InterruptsFollowTheOutputBuffer) {
  // Interrupts off: data, no IRQ.
  command(0x60, {0x00}, 0);
  out(kData, 0xf2);  // keyboard identify: 3 bytes queued
  EXPECT_TRUE(status() & kObf);
  EXPECT_FALSE(irq1.level);
  EXPECT_EQ(irq1.rises, 0);
  // Enabling the interrupt with a byte waiting raises the line.
  out(kCmd, 0x60);
  out(kData, 0x01);
  EXPECT_TRUE(irq1.level);
  EXPECT_EQ(irq1.rises, 1);
  // Each read drops the line and the next byte raises it again (an edge
  // per byte for the edge-triggered 8259 input).
  EXPECT_EQ(in(kData), 0xfa);
  EXPECT_TRUE(irq1.level);
  EXPECT_EQ(irq1.rises, 2);
  EXPECT_EQ(in(kData), 0xab);
  EXPECT_EQ(irq1.rises, 3);
  EXPECT_EQ(in(kData), 0x83);
  EXPECT_FALSE(irq1.level);
  EXPECT_EQ(irq1.falls, 3);
  // An empty buffer reads as the last byte, without side effects.
  EXPECT_EQ(in(kData), 0x83);
  EXPECT_EQ(irq1.rises, 3);
  // Aux data raises IRQ 12 only when its interrupt is enabled.
  out(kCmd, 0xd3);
  out(kData, 0x11);
  EXPECT_FALSE(irq12.level);
  EXPECT_FALSE(irq1.level);
  EXPECT_EQ(status() & (kObf | kAux), kObf | kAux);
  out(kCmd, 0x60);
  out(kData, 0x03);
  EXPECT_TRUE(irq12.level);
  EXPECT_EQ(in(kData), 0x11);
  EXPECT_FALSE(irq12.level);
  // Disabling the interrupt with data waiting lowers the line.
  out(kCmd, 0xd3);
  out(kData, 0x22);
  EXPECT_TRUE(irq12.level);
  out(kCmd, 0x60);
  out(kData, 0x01);
  EXPECT_FALSE(irq12.level);
  EXPECT_EQ(in(kData), 0x22);
}

TEST_F(Kbc, DisabledInterfacesHoldTheirData) {
  kbc.pressKey({0x1c});
  EXPECT_TRUE(irq1.level);
  EXPECT_EQ(in(kData), 0x1c);
  out(kCmd, 0xad);  // keyboard interface off
  kbc.pressKey({0x32});
  EXPECT_FALSE(status() & kObf);
  EXPECT_FALSE(irq1.level);
  out(kCmd, 0xae);
  EXPECT_TRUE(irq1.level);
  EXPECT_EQ(in(kData), 0x32);
  // Keyboard data goes before mouse data; the aux port's disable bit
  // holds mouse bytes.
  mouseCommand({0xf4});
  out(kCmd, 0xa7);
  kbc.moveMouse(1, 0, 0, 0);
  EXPECT_FALSE(status() & kObf);
  kbc.pressKey({0x1c});
  out(kCmd, 0xa8);
  EXPECT_EQ(drain(), (Bytes{0x1c, 0x08, 0x01, 0x00}));
}

TEST_F(Kbc, Translation) {
  EXPECT_EQ(I8042::translateSet2(0x1c), 0x1e);  // A
  EXPECT_EQ(I8042::translateSet2(0x76), 0x01);  // Esc
  EXPECT_EQ(I8042::translateSet2(0x83), 0x41);  // F7
  EXPECT_EQ(I8042::translateSet2(0x84), 0x54);  // Alt+SysRq
  EXPECT_EQ(I8042::translateSet2(0xfa), 0xfa);  // replies unchanged
  EXPECT_EQ(I8042::translateSet2(0xab), 0xab);
  // Over 0x00-0x7f the table is one to one (as the 8042's).
  std::set<uint8_t> seen;
  for (int c = 0; c < 0x80; c++) seen.insert(I8042::translateSet2(static_cast<uint8_t>(c)));
  EXPECT_EQ(seen.size(), 0x80u);

  command(0x60, {0x41}, 0);  // translate, keyboard interrupt
  kbc.pressKey({0x1c});
  kbc.pressKey({0xf0, 0x1c});
  kbc.pressKey({0xe0, 0x75});
  kbc.pressKey({0xe0, 0xf0, 0x75});
  EXPECT_EQ(drain(), (Bytes{0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8}));
  // Pause.
  kbc.pressKey({0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77});
  EXPECT_EQ(drain(), (Bytes{0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5}));
  // Identify through translation gives 0xab 0x41 (as QEMU), the scan code
  // set query 0x41 for set 2.
  EXPECT_EQ(kbdCommand({0xf2}), (Bytes{0xfa, 0xab, 0x41}));
  EXPECT_EQ(kbdCommand({0xf0, 0x00}), (Bytes{0xfa, 0xfa, 0x41}));

  // Without translation: raw set 2.
  command(0x60, {0x01}, 0);
  kbc.pressKey({0xf0, 0x1c});
  EXPECT_EQ(drain(), (Bytes{0xf0, 0x1c}));

  // The keyboard itself in set 1.
  EXPECT_EQ(kbdCommand({0xf0, 0x01}), (Bytes{0xfa, 0xfa}));
  EXPECT_EQ(kbc.scancodeSet(), 1);
  kbc.pressKey({0x1c});
  kbc.pressKey({0xe0, 0xf0, 0x75});
  EXPECT_EQ(drain(), (Bytes{0x1e, 0xe0, 0xc8}));
  EXPECT_EQ(kbdCommand({0xff}), (Bytes{0xfa, 0xaa}));
  EXPECT_EQ(kbc.scancodeSet(), 2);
}

TEST_F(Kbc, KeyboardScanningAndOverrun) {
  EXPECT_EQ(kbdCommand({0xf5}), Bytes{0xfa});
  kbc.pressKey({0x1c});
  EXPECT_EQ(drain(), Bytes{});
  EXPECT_EQ(kbdCommand({0xf4}), Bytes{0xfa});
  // Keyboard port held off: 16 bytes fit, then an overrun code.
  out(kCmd, 0xad);
  for (int i = 0; i < 20; i++) kbc.pressKey({0xf0, 0x1c});
  out(kCmd, 0xae);
  Bytes got = drain();
  ASSERT_EQ(got.size(), 17u);
  EXPECT_EQ(got.back(), 0x00);
  // Resend repeats the last byte sent.
  EXPECT_EQ(kbdCommand({0xfe}), Bytes{0x00});
  // A command in place of an argument is taken as the command.
  EXPECT_EQ(kbdCommand({0xed, 0xf2}), (Bytes{0xfa, 0xfa, 0xab, 0x83}));
  // Invalid scan code set.
  EXPECT_EQ(kbdCommand({0xf0, 0x05}), (Bytes{0xfa, 0xfe}));
}

TEST_F(Kbc, MousePackets) {
  EXPECT_EQ(mouseCommand({0xf4}), Bytes{0xfa});
  kbc.moveMouse(5, 3, 0, I8042::kButtonLeft);  // right and down
  EXPECT_EQ(drain(), (Bytes{0x09 | 0x20, 0x05, 0xfd}));
  kbc.moveMouse(-2, -4, 0, 0);
  EXPECT_EQ(drain(), (Bytes{0x18, 0xfe, 0x04}));
  // Button change alone.
  kbc.moveMouse(0, 0, 0, I8042::kButtonRight | I8042::kButtonMiddle);
  EXPECT_EQ(drain(), (Bytes{0x0e, 0x00, 0x00}));
  // A big move is split into packets.
  kbc.moveMouse(600, 0, 0, 0);
  EXPECT_EQ(drain(), (Bytes{0x08, 0xff, 0x00, 0x08, 0xff, 0x00, 0x08, 0x5a, 0x00}));
  // 2:1 scaling.
  mouseCommand({0xe7});
  kbc.moveMouse(4, 0, 0, 0);
  EXPECT_EQ(drain(), (Bytes{0x08, 0x06, 0x00}));
  mouseCommand({0xe6});
  // Wheel with the IntelliMouse ID.
  mouseCommand({0xf3, 200, 0xf3, 100, 0xf3, 80});
  EXPECT_EQ(kbc.mouseId(), 3);
  kbc.moveMouse(0, 0, -1, 0);
  EXPECT_EQ(drain(), (Bytes{0x08, 0x00, 0x00, 0xff}));
  // Remote mode: motion accumulates until read.
  EXPECT_EQ(mouseCommand({0xf0}), Bytes{0xfa});
  kbc.moveMouse(3, 0, 0, 0);
  kbc.moveMouse(4, 0, 0, 0);
  EXPECT_EQ(drain(), Bytes{});
  EXPECT_EQ(mouseCommand({0xeb}), (Bytes{0xfa, 0x08, 0x07, 0x00, 0x00}));
  EXPECT_EQ(mouseCommand({0xe9}), (Bytes{0xfa, 0x60, 0x02, 80}));
  // Disabled: motion dropped.
  mouseCommand({0xea, 0xf5});
  kbc.moveMouse(3, 0, 0, 0);
  EXPECT_EQ(drain(), Bytes{});
  // Wrap mode echoes until 0xec.
  EXPECT_EQ(mouseCommand({0xee, 0x12, 0xf2}), (Bytes{0xfa, 0x12, 0xf2}));
  EXPECT_EQ(mouseCommand({0xec, 0xf2}), (Bytes{0xfa, 0xfa, 0x03}));
  // Unknown command, resend.
  EXPECT_EQ(mouseCommand({0x42}), Bytes{0xfe});
  EXPECT_EQ(mouseCommand({0xf2, 0xfe}), (Bytes{0xfa, 0x03, 0xfa, 0x03}));
  EXPECT_EQ(mouseCommand({0xff}), (Bytes{0xfa, 0xaa, 0x00}));
  EXPECT_EQ(kbc.mouseId(), 0);
  EXPECT_EQ(kbc.mouseSampleRate(), 100);
}

TEST_F(Kbc, BadAccessesAreLoggedAndIgnored) {
  LogCapture log;
  EXPECT_EQ(kbc.dataPort()->read(0, 2), 0xffffu);
  kbc.commandPort()->write(0, 0xaa, 4);
  EXPECT_FALSE(status() & kObf);
  kbc.commandPort()->write(1, 0xaa, 1);
  EXPECT_FALSE(status() & kObf);
  out(kCmd, 0xb5);
  EXPECT_FALSE(status() & kObf);
  std::string t = log.text();
  EXPECT_NE(t.find("2-byte read"), std::string::npos) << t;
  EXPECT_NE(t.find("4-byte write"), std::string::npos) << t;
  EXPECT_NE(t.find("offset 0x1"), std::string::npos) << t;
  EXPECT_NE(t.find("unknown controller command 0xb5"), std::string::npos) << t;
}

TEST_F(Kbc, ResetRestoresPowerOnState) {
  command(0x60, {0x47}, 0);
  kbc.pressKey({0x1c});
  mouseCommand({0xf4});
  kbc.reset();
  EXPECT_EQ(kbc.commandByte(), 0x03);
  EXPECT_EQ(status(), kCmdBit | kUnlocked);
  EXPECT_FALSE(kbc.mouseReporting());
  EXPECT_FALSE(irq1.level);
  EXPECT_EQ(drain(), Bytes{});
}

// Random traffic: nothing crashes, the IRQ lines always match OBF, the
// source bit and the command byte, and the output never runs away.
TEST_F(Kbc, Fuzz) {
  uint32_t saved_mask = mimic::log::g_mask;
  std::FILE* saved_file = mimic::log::g_file;
  std::FILE* devnull = std::fopen("/dev/null", "w");
  ASSERT_NE(devnull, nullptr);
  mimic::log::g_file = devnull;
  mimic::log::g_mask = mimic::log::kGuestErrors | mimic::log::kUnimp | mimic::log::kBoard;

  std::mt19937 rng(12345);
  const uint8_t interesting[] = {0x20, 0x60, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xad, 0xae, 0xc0, 0xd0,
                                 0xd1, 0xd2, 0xd3, 0xd4, 0xfe, 0xff, 0xf2, 0xf4, 0xf5, 0xed, 0xf0,
                                 0xf3, 0xe8, 0xe9, 0xeb, 0xee, 0xec, 0x00, 0x01, 0x47, 0x03};
  for (int i = 0; i < 100000; i++) {
    uint32_t r = rng();
    uint8_t v = (r & 0x100) ? interesting[(r >> 16) % sizeof interesting] : static_cast<uint8_t>(r >> 24);
    switch (r % 9) {
      case 0:
      case 1:
        out(kCmd, v);
        break;
      case 2:
      case 3:
        out(kData, v);
        break;
      case 4:
      case 5:
        in(kData);
        break;
      case 6:
        status();
        break;
      case 7:
        if (r & 0x200) {
          uint8_t codes[3] = {static_cast<uint8_t>(r >> 8), static_cast<uint8_t>(r >> 16), v};
          kbc.pressKey(std::span<const uint8_t>(codes, 1 + (r >> 12) % 3));
        } else {
          kbc.moveMouse(static_cast<int8_t>(r >> 8), static_cast<int8_t>(r >> 16), static_cast<int8_t>(v) % 3,
                        (r >> 20) & 0x1f);
        }
        break;
      default: {
        unsigned size = 1u << ((r >> 10) % 4);
        auto* h = (r & 0x400) ? kbc.dataPort() : kbc.commandPort();
        if (r & 0x800) {
          h->read((r >> 12) % 3, size);
        } else {
          h->write((r >> 12) % 3, v, size);
        }
        break;
      }
    }
    uint8_t s = kbc.status();
    uint8_t ctr = kbc.commandByte();
    bool full = s & kObf, aux = s & kAux;
    ASSERT_EQ(irq1.level, full && !aux && (ctr & 0x01)) << "step " << i;
    ASSERT_EQ(irq12.level, full && aux && (ctr & 0x02)) << "step " << i;
    ASSERT_FALSE(s & 0x02);
    ASSERT_TRUE(!aux || full);
  }
  // Whatever is queued drains in bounded time.
  int n = 0;
  while ((kbc.status() & kObf) && n < 10000) {
    in(kData);
    n++;
  }
  EXPECT_LT(n, 10000);

  mimic::log::g_mask = saved_mask;
  mimic::log::g_file = saved_file;
  std::fclose(devnull);
}

}  // namespace
