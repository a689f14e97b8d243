#include "hw/mips/gt64120.h"

#include <gtest/gtest.h>

#include <map>

#include "hw/char/chardev.h"
#include "hw/char/serial16550.h"
#include "hw/core/ioport.h"

using mimic::hw::BufferChardev;
using mimic::hw::IoSpace;
using mimic::hw::IrqLine;
using mimic::hw::MmioHandler;
using mimic::hw::Serial16550;
using mimic::hw::mips::Gt64120;

namespace {

// Every nonzero 32-bit word of QEMU 7.2's GT-64120 register block (Malta,
// little-endian CPU) after its boot code ran, read with the monitor's "xp".
// A big-endian CPU reads each byte-swapped, except GT_CPU and the two
// PCI_CMD registers, which are 0 there.
struct Word {
  uint32_t off, value;
};
constexpr Word kQemuAfterBoot[] = {
    {0x000, 0x00001000}, {0x010, 0x00000007}, {0x018, 0x00000008}, {0x020, 0x0000000f},
    {0x028, 0x000000e0}, {0x030, 0x00000070}, {0x038, 0x000000f8}, {0x040, 0x0000007f},
    {0x048, 0x000000c0}, {0x050, 0x00000040}, {0x058, 0x00000080}, {0x060, 0x0000003f},
    {0x068, 0x000000df}, {0x080, 0x000000c1}, {0x088, 0x0000005e}, {0x090, 0x00000100},
    {0x098, 0x0000000f}, {0x0a0, 0x00000110}, {0x0a8, 0x0000001f}, {0x0b0, 0x00000120},
    {0x0b8, 0x0000002f}, {0x0c0, 0xc000ffee}, {0x0c8, 0xc000ffee}, {0x0d8, 0x00000008},
    {0x0e0, 0x000000e0}, {0x0e8, 0x000000f8}, {0x0f0, 0x000000c0}, {0x0f8, 0x00000080},
    {0x100, 0x000000c1}, {0x108, 0x00000100}, {0x110, 0x00000110}, {0x118, 0x00000120},
    {0x120, 0x00000003}, {0x128, 0xffffffff}, {0x130, 0xffffffff}, {0x138, 0x000000ff},
    {0x404, 0x00000007}, {0x408, 0x00000008}, {0x40c, 0x0000000f}, {0x410, 0x00000010},
    {0x414, 0x00000017}, {0x418, 0x00000018}, {0x41c, 0x0000001f}, {0x420, 0x000000c0},
    {0x424, 0x000000c7}, {0x428, 0x000000c8}, {0x42c, 0x000000cf}, {0x430, 0x000000d0},
    {0x434, 0x000000df}, {0x438, 0x000000f0}, {0x43c, 0x000000fb}, {0x440, 0x000000fc},
    {0x444, 0x000000ff}, {0x448, 0x00000200}, {0x44c, 0x00000005}, {0x450, 0x00000005},
    {0x454, 0x00000005}, {0x458, 0x00000005}, {0x45c, 0x386fffff}, {0x460, 0x386fffff},
    {0x464, 0x386fffff}, {0x468, 0x386fffff}, {0x46c, 0x146fffff}, {0x470, 0xffffffff},
    {0x478, 0x00000007}, {0x47c, 0x00000002}, {0x850, 0xffffffff}, {0x854, 0x00ffffff},
    {0x858, 0x00ffffff}, {0x85c, 0x00ffffff}, {0xc00, 0x00010001}, {0xc04, 0x0000070f},
    {0xc08, 0x00fff000}, {0xc0c, 0x00fff000}, {0xc10, 0x01fff000}, {0xc14, 0x00fff000},
    {0xc3c, 0x0000000f}, {0xc40, 0x00000040}, {0xc4c, 0x01000000}, {0xc50, 0x1c000000},
    {0xc54, 0x1f000000}, {0xc5c, 0x01000000}, {0xc64, 0x1f000000}, {0xc80, 0x00010001},
    {0xc84, 0x0000070f}, {0xc88, 0x00fff000}, {0xc8c, 0x00fff000}, {0xc90, 0x01fff000},
    {0xc94, 0x00fff000}, {0xcbc, 0x0000000f}, {0xcc0, 0x00000040}, {0xccc, 0x01000000},
    {0xcd0, 0x1c000000}, {0xcd4, 0x1f000000}, {0xcdc, 0x01000000}, {0xce4, 0x1f000000},
    {0xcfc, 0xffffffff},
};

// What the boot code (ours and QEMU's) writes, as the CPU writes it.
void bootWrites(Gt64120& gt, bool be) {
  auto gt32 = [be](uint32_t v) { return be ? v : __builtin_bswap32(v); };
  gt.write(0x14000068, gt32(0x1be00000u << 3), 4);  // GT_ISD: registers to 0x1be00000
  gt.write(0x1be00048, gt32(0x18000000u << 3), 4);  // PCI0 I/O 0x18000000..0x181fffff
  gt.write(0x1be00050, gt32(0x08000000u << 3), 4);
  gt.write(0x1be00058, gt32(0x10000000u << 3), 4);  // PCI0 MEM0
  gt.write(0x1be00060, gt32(0x07e00000u << 3), 4);
  gt.write(0x1be00080, gt32(0x18200000u << 3), 4);  // PCI0 MEM1
  gt.write(0x1be00088, gt32(0x0bc00000u << 3), 4);
}

class GtBoth : public ::testing::TestWithParam<bool> {};

TEST_P(GtBoth, ResetWindows) {
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Gt64120 gt(GetParam(), io, pci_mem);
  EXPECT_EQ(gt.isd().start, 0x14000000u);
  EXPECT_EQ(gt.isd().length, 0x1000u);
  EXPECT_EQ(gt.pci0Io().start, 0x10000000u);
  EXPECT_EQ(gt.pci0Io().length, 0x02000000u);
  EXPECT_EQ(gt.pci0Mem1().start, 0xf2000000u);
}

TEST_P(GtBoth, RegistersAfterBootMatchQemu) {
  bool be = GetParam();
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Gt64120 gt(be, io, pci_mem);
  bootWrites(gt, be);
  EXPECT_EQ(gt.isd().start, 0x1be00000u);
  EXPECT_EQ(gt.pci0Io().start, 0x18000000u);
  EXPECT_EQ(gt.pci0Io().length, 0x00200000u);
  EXPECT_EQ(gt.pci0Mem0().start, 0x10000000u);
  EXPECT_EQ(gt.pci0Mem0().length, 0x08000000u);
  EXPECT_EQ(gt.pci0Mem1().start, 0x18200000u);
  EXPECT_EQ(gt.pci0Mem1().length, 0x03c00000u);

  std::map<uint32_t, uint32_t> expect;
  for (const Word& w : kQemuAfterBoot) expect[w.off] = be ? __builtin_bswap32(w.value) : w.value;
  if (be) {
    expect.erase(0x000);
    expect.erase(0xc00);
    expect.erase(0xc80);
  }
  for (uint32_t off = 0; off < 0x1000; off += 4) {
    uint32_t want = expect.count(off) ? expect[off] : 0;
    EXPECT_EQ(gt.read(0x1be00000 + off, 4), want) << "register " << std::hex << off;
  }
  // The old place of the registers is in the PCI0 MEM0 window now, with no
  // device there: a PCI master abort, read as all ones as on the real bus
  // (QEMU reads 0: its unassigned PCI memory).
  EXPECT_EQ(gt.read(0x14000068, 4), 0xffffffffu);
}

TEST_P(GtBoth, SubWordAccessesUseQemusLane) {
  bool be = GetParam();
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Gt64120 gt(be, io, pci_mem);
  bootWrites(gt, be);
  // GT_ISD holds 0xdf, seen by the CPU as 0x000000df (little-endian) or
  // 0xdf000000 (big-endian). A narrow access gets the low lane of the word
  // (little) or the high lane (big), whatever byte it addresses.
  uint64_t b0 = gt.read(0x1be00068, 1), b3 = gt.read(0x1be0006b, 1);
  EXPECT_EQ(b0, 0xdfu);
  EXPECT_EQ(b3, b0);
  EXPECT_EQ(gt.read(0x1be00068, 2), be ? 0xdf00u : 0x00dfu);
  EXPECT_EQ(gt.read(0x1be0004a, 2), be ? 0xc000u : 0x00c0u);
  // 8-byte access: two registers.
  uint64_t d = gt.read(0x1be00048, 8);
  if (be) {
    EXPECT_EQ(d, 0xc000000000000000ull);
  } else {
    EXPECT_EQ(d, 0x00000000000000c0ull);
  }
}

TEST_P(GtBoth, RegisterMasksAndReadOnlyRegisters) {
  bool be = GetParam();
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Gt64120 gt(be, io, pci_mem);
  auto cpu = [be](uint32_t v) { return be ? __builtin_bswap32(v) : v; };
  gt.write(0x14000000 + 0x0f0, cpu(0xffffffff), 4);  // GT_PCI0IOREMAP: 11 bits
  EXPECT_EQ(gt.reg(0x0f0), 0x7ffu);
  gt.write(0x14000000 + 0x070, cpu(0x12345678), 4);  // CPUERR_ADDRLO: read-only
  EXPECT_EQ(gt.reg(0x070), 0u);
  gt.write(0x14000000 + 0x120, cpu(0), 4);  // GT_MULTI: read-only
  EXPECT_EQ(gt.reg(0x120), 3u);
  EXPECT_EQ(gt.read(0x14000000 + 0x0c0, 4), cpu(0xc000ffee));  // sync barrier junk
  EXPECT_EQ(gt.read(0x14000000 + 0xcfc, 4), 0xffffffffu);      // no PCI device
  // An unknown register offset reads its (zero) storage and does not crash.
  EXPECT_EQ(gt.read(0x14000000 + 0x004, 4), 0u);
  gt.write(0x14000000 + 0x004, 1, 4);
  EXPECT_EQ(gt.reg(0x004), 0u);
}

TEST_P(GtBoth, MovingTheIoWindow) {
  bool be = GetParam();
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Gt64120 gt(be, io, pci_mem);
  auto cpu = [be](uint32_t v) { return be ? __builtin_bswap32(v) : v; };
  // Low decode above high decode: the window keeps its old place.
  gt.write(0x14000048, cpu(0x50), 4);
  EXPECT_EQ(gt.pci0Io().start, 0x10000000u);
  gt.write(0x14000050, cpu(0x50), 4);
  EXPECT_EQ(gt.pci0Io().start, 0x0a000000u);
  EXPECT_EQ(gt.pci0Io().length, 0x00200000u);
  // The register block cannot sit on the boot ROM.
  gt.write(0x14000068, cpu(0xfe), 4);
  EXPECT_EQ(gt.isd().start, 0x1fd00000u);
}

TEST_P(GtBoth, IsaPortsThroughTheIoWindow) {
  bool be = GetParam();
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  BufferChardev chr;
  Serial16550 com1("com1", &chr, IrqLine());
  io.add("com1", 0x3f8, 8, &com1);
  Gt64120 gt(be, io, pci_mem);
  bootWrites(gt, be);
  gt.write(0x180003f8, 'A', 1);
  EXPECT_EQ(chr.output(), "A");
  EXPECT_EQ(gt.read(0x180003fd, 1), 0x60u);
  // Wider accesses are split into ports, the lowest port at the lowest
  // address (as QEMU shows: LSR 0x60, MSR 0xb0, SCR 0, unclaimed 0xff).
  EXPECT_EQ(gt.read(0x180003fd, 4), be ? 0x60b000ffu : 0xff00b060u);
  EXPECT_EQ(gt.read(0x18000100, 4), 0xffffffffu);  // unclaimed ports
  EXPECT_EQ(gt.read(0x1800fffe, 4), be ? 0xffff0000u : 0x0000ffffu);  // beyond 64 KiB: empty
  EXPECT_EQ(gt.read(0x18100000, 4), 0u);
  gt.write(0x180003ff, 0x5a, 1);
  EXPECT_EQ(com1.readReg(7), 0x5a);
  // Unassigned space decoded by the GT reads 0 and swallows writes.
  EXPECT_EQ(gt.read(0x1d000000, 4), 0u);
  gt.write(0x1d000000, 0x1234, 4);
}

INSTANTIATE_TEST_SUITE_P(Endian, GtBoth, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "big" : "little"; });

class Recorder : public MmioHandler {
 public:
  uint64_t read(uint64_t offset, unsigned size) override {
    last_off = offset;
    last_size = size;
    return 0x11223344 & ((1ull << (8 * size)) - 1);
  }
  void write(uint64_t offset, uint64_t value, unsigned size) override {
    last_off = offset;
    last_size = size;
    last_value = value;
  }
  uint64_t last_off = 0, last_value = 0;
  unsigned last_size = 0;
};

TEST(IoSpace, WideDevicesAndOverlaps) {
  IoSpace io, pci_mem(1ull << 32, 0xff, "pci-mem");
  Recorder ide, pic;
  io.add("ide", 0x1f0, 8, &ide, 2);
  io.add("pic", 0x20, 2, &pic);
  EXPECT_THROW(io.add("x", 0x1f7, 2, &pic), std::logic_error);
  EXPECT_THROW(io.add("x", 0xffff, 2, &pic), std::logic_error);
  EXPECT_EQ(io.read(0x1f0, 2), 0x3344u);
  EXPECT_EQ(ide.last_size, 2u);
  io.write(0x1f2, 0xbeef, 2);
  EXPECT_EQ(ide.last_off, 2u);
  EXPECT_EQ(ide.last_value, 0xbeefu);
  // Too wide for the device: split into bytes.
  io.read(0x1f0, 4);
  EXPECT_EQ(ide.last_size, 1u);
  EXPECT_EQ(ide.last_off, 3u);
  EXPECT_EQ(io.deviceAt(0x21), &pic);
  EXPECT_EQ(io.deviceAt(0x22), nullptr);
  EXPECT_EQ(io.read(0x22, 1), 0xffu);
}

}  // namespace
