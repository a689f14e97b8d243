// The PCI core (configuration space, BARs, INTx, DMA), the GT-64120's
// configuration cycles as Linux and FreeBSD drive them on both byte orders,
// and the PIIX4's ISA bridge (interrupt routing, reset control) and power
// management functions (soft-off).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "hw/acpi/piix4_pm.h"
#include "hw/core/ioport.h"
#include "hw/core/memory.h"
#include "hw/isa/piix4.h"
#include "hw/mips/gt64120.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"
#include "log_capture.h"

using mimic::hw::mips::Gt64120;
using mimic::test::LogCapture;

using namespace mimic::hw;
using namespace mimic::hw::pci;

namespace {

// A register file of 16 bytes to map through BARs.
class Scratch : public MmioHandler {
 public:
  uint64_t read(uint64_t offset, unsigned size) override {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) v |= uint64_t(bytes[(offset + i) & 15]) << (8 * i);
    return v;
  }
  void write(uint64_t offset, uint64_t value, unsigned size) override {
    for (unsigned i = 0; i < size; i++) bytes[(offset + i) & 15] = uint8_t(value >> (8 * i));
  }
  uint8_t bytes[16] = {};
};

class TestDevice : public PciDevice {
 public:
  TestDevice()
      : PciDevice("test", PciIds{.vendor = 0x1234, .device = 0x5678, .revision = 2, .class_code = 0x020000,
                                 .interrupt_pin = 1}) {
    declareBar(0, BarKind::kIo, 16, &io_regs);
    declareBar(1, BarKind::kMem32, 16, &mem_regs);
  }
  using PciDevice::dmaRead;
  using PciDevice::dmaWrite;
  using PciDevice::setIrq;
  Scratch io_regs, mem_regs;
};

struct Fixture {
  Fixture() {
    as.addRam("ram", 0, ram.size(), ram.data());
    bus.setIrqRouter([this](int devfn, int pin, bool level) {
      irq_devfn = devfn;
      irq_pin = pin;
      irq_level = level;
      irq_calls++;
    });
  }
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);
  AddressSpace as;
  IoSpace io;
  IoSpace mem{1ull << 32, 0xff, "pci-mem"};
  PciBus bus{io, mem, as};
  int irq_devfn = -1, irq_pin = -1, irq_calls = 0;
  bool irq_level = false;
};

uint32_t cfg(PciBus& bus, int devfn, unsigned off, unsigned size = 4) {
  uint32_t v = 0;
  bus.configRead(devfn, off, size, v);
  return v;
}

TEST(PciCore, IdsAndMasterAbort) {
  Fixture f;
  TestDevice dev;
  f.bus.attach(devfn(3, 0), &dev);
  EXPECT_EQ(cfg(f.bus, devfn(3, 0), 0), 0x56781234u);
  EXPECT_EQ(cfg(f.bus, devfn(3, 0), 8), 0x02000002u);
  EXPECT_EQ(cfg(f.bus, devfn(3, 0), 0x3d, 1), 1u);
  uint32_t v = 0;
  EXPECT_FALSE(f.bus.configRead(devfn(4, 0), 0, 4, v));
  EXPECT_EQ(v, 0xffffffffu);
  // Function 1 of a single-function device does not answer.
  TestDevice fn1;
  f.bus.attach(devfn(3, 1), &fn1);
  EXPECT_FALSE(f.bus.configRead(devfn(3, 1), 0, 4, v));
  // Read-only registers keep their value.
  f.bus.configWrite(devfn(3, 0), 0, 0, 4);
  EXPECT_EQ(cfg(f.bus, devfn(3, 0), 0), 0x56781234u);
}

TEST(PciCore, BarSizingAndMapping) {
  Fixture f;
  TestDevice dev;
  int d = devfn(3, 0);
  f.bus.attach(d, &dev);
  // Sizing as Linux does it: write all ones, read the mask back.
  f.bus.configWrite(d, 0x10, 0xffffffff, 4);
  EXPECT_EQ(cfg(f.bus, d, 0x10), 0xfffffff1u);
  f.bus.configWrite(d, 0x14, 0xffffffff, 4);
  EXPECT_EQ(cfg(f.bus, d, 0x14), 0xfffffff0u);
  f.bus.configWrite(d, 0x10, 0x1060, 4);
  f.bus.configWrite(d, 0x14, 0x12051000, 4);
  // Nothing decodes until the command register enables it.
  EXPECT_EQ(dev.barAddress(0), ~0ull);
  EXPECT_EQ(f.io.read(0x1060, 1), 0xffu);
  f.bus.configWrite(d, 4, kCmdIo | kCmdMemory, 2);
  EXPECT_EQ(dev.barAddress(0), 0x1060u);
  EXPECT_EQ(dev.barAddress(1), 0x12051000u);
  f.io.write(0x1064, 0xa5, 1);
  EXPECT_EQ(dev.io_regs.bytes[4], 0xa5);
  f.mem.write(0x12051008, 0x11223344, 4);
  EXPECT_EQ(dev.mem_regs.bytes[8], 0x44);
  // Moving a BAR moves the decode.
  f.bus.configWrite(d, 0x10, 0x2000, 4);
  EXPECT_EQ(f.io.read(0x1064, 1), 0xffu);
  EXPECT_EQ(f.io.read(0x2004, 1), 0xa5u);
  // A BAR placed over another device's range stays unmapped, logged.
  TestDevice other;
  f.bus.attach(devfn(4, 0), &other);
  LogCapture cap;
  f.bus.configWrite(devfn(4, 0), 0x10, 0x2000, 4);
  f.bus.configWrite(devfn(4, 0), 4, kCmdIo, 2);
  EXPECT_EQ(other.barAddress(0), ~0ull);
  EXPECT_NE(cap.text().find("not mapped"), std::string::npos);
  // Reset unmaps everything.
  f.bus.reset();
  EXPECT_EQ(dev.barAddress(0), ~0ull);
  EXPECT_EQ(cfg(f.bus, d, 0x10), 1u);
}

TEST(PciCore, StatusWriteOneToClearAndIntx) {
  Fixture f;
  TestDevice dev;
  int d = devfn(5, 0);
  f.bus.attach(d, &dev);
  dev.setIrq(true);
  EXPECT_EQ(f.irq_devfn, d);
  EXPECT_EQ(f.irq_pin, 0);
  EXPECT_TRUE(f.irq_level);
  EXPECT_TRUE(cfg(f.bus, d, 6, 2) & kStatusIntx);
  // INTx disable masks the output but not the status bit.
  f.bus.configWrite(d, 4, kCmdIntxDisable, 2);
  EXPECT_FALSE(f.irq_level);
  EXPECT_TRUE(cfg(f.bus, d, 6, 2) & kStatusIntx);
  f.bus.configWrite(d, 4, 0, 2);
  EXPECT_TRUE(f.irq_level);
  dev.setIrq(false);
  EXPECT_FALSE(f.irq_level);
  int calls = f.irq_calls;
  dev.setIrq(false);
  EXPECT_EQ(f.irq_calls, calls);  // no edge, no call
}

TEST(PciCore, DmaNeedsBusMasterAndRam) {
  Fixture f;
  TestDevice dev;
  int d = devfn(5, 0);
  f.bus.attach(d, &dev);
  uint64_t hooked = 0;
  f.bus.setDmaWriteHook([&](uint64_t a, uint64_t) { hooked = a; });
  uint8_t buf[4] = {1, 2, 3, 4};
  LogCapture cap;
  EXPECT_FALSE(dev.dmaWrite(0x100, buf, 4));
  f.bus.configWrite(d, 4, kCmdBusMaster, 2);
  EXPECT_TRUE(dev.dmaWrite(0x100, buf, 4));
  EXPECT_EQ(hooked, 0x100u);
  EXPECT_EQ(f.ram[0x102], 3);
  uint8_t back[4] = {};
  EXPECT_TRUE(dev.dmaRead(0x100, back, 4));
  EXPECT_EQ(std::memcmp(back, buf, 4), 0);
  EXPECT_FALSE(dev.dmaWrite((1 << 20) - 2, buf, 4));   // runs off the end of RAM
  EXPECT_FALSE(dev.dmaRead(0x40000000, back, 4));
}

// The GT-64120 configuration mechanism, as Linux's gt64xxx_pci0 code uses it.
class GtConfig : public ::testing::TestWithParam<bool> {};

TEST_P(GtConfig, CyclesAndMasterAbort) {
  bool be = GetParam();
  Fixture f;
  Gt64120 gt(be, f.io, f.mem);
  gt.setPciBus(&f.bus);
  f.bus.attach(devfn(0, 0), &gt.hostFunction());
  TestDevice dev;
  f.bus.attach(devfn(11, 0), &dev);
  // Register values as the CPU sees them (GT registers are little-endian).
  auto gtv = [be](uint32_t v) { return be ? __builtin_bswap32(v) : v; };
  constexpr uint64_t base = 0x14000000;
  // Linux: little-endian kernels set MByteSwap|SByteSwap; big-endian clear them.
  gt.write(base + 0xc00, gtv(be ? 0 : 0x00010001), 4);
  auto cfgRead = [&](int df, unsigned reg, bool raw) {
    gt.write(base + 0xcf8, gtv(0x80000000u | unsigned(df) << 8 | reg), 4);
    uint32_t v = uint32_t(gt.read(base + 0xcfc, 4));
    return raw ? v : gtv(v);
  };
  // Device 0 (the GT itself) through GT_READ, others through __GT_READ (raw).
  EXPECT_EQ(cfgRead(devfn(0, 0), 0, false), 0x462011abu);
  EXPECT_EQ(cfgRead(devfn(0, 0), 8, false), 0x06000010u);
  EXPECT_EQ(cfgRead(devfn(11, 0), 0, true), 0x56781234u);
  EXPECT_EQ(gt.reg(0xc18) & Gt64120::kMasterAbort0, 0u);
  // An empty slot: all ones and the master-abort cause bit.
  EXPECT_EQ(cfgRead(devfn(12, 0), 0, true), 0xffffffffu);
  EXPECT_NE(gt.reg(0xc18) & Gt64120::kMasterAbort0, 0u);
  gt.write(base + 0xc18, gtv(~(Gt64120::kMasterAbort0 | Gt64120::kTargetAbort0)), 4);
  EXPECT_EQ(gt.reg(0xc18) & Gt64120::kMasterAbort0, 0u);
  // A write through the same path (raw for device 11) programs the BAR.
  gt.write(base + 0xcf8, gtv(0x80000000u | devfn(11, 0) << 8 | 0x10), 4);
  gt.write(base + 0xcfc, 0x1060, 4);
  EXPECT_EQ(cfgRead(devfn(11, 0), 0x10, true), 0x1061u);
  // Bus 1 does not exist.
  gt.write(base + 0xcf8, gtv(0x80010000u), 4);
  EXPECT_EQ(gt.read(base + 0xcfc, 4), 0xffffffffu);
  EXPECT_NE(gt.reg(0xc18) & Gt64120::kMasterAbort0, 0u);
}

TEST_P(GtConfig, MemoryWindowReachesBars) {
  bool be = GetParam();
  Fixture f;
  Gt64120 gt(be, f.io, f.mem);
  gt.setPciBus(&f.bus);
  TestDevice dev;
  int d = devfn(11, 0);
  f.bus.attach(d, &dev);
  f.bus.configWrite(d, 0x14, 0x12051000, 4);
  f.bus.configWrite(d, 4, kCmdMemory, 2);
  auto gtv = [be](uint32_t v) { return be ? __builtin_bswap32(v) : v; };
  // PCI0 MEM0 at 0x10000000-0x17ffffff, as the boot code sets it.
  gt.write(0x14000058, gtv(0x10000000u >> 21), 4);
  gt.write(0x14000060, gtv(0x07e00000u >> 21), 4);
  ASSERT_TRUE(gt.pci0Mem0().contains(0x12051000));
  gt.write(0x12051004, be ? 0x44332211u : 0x11223344u, 4);
  EXPECT_EQ(dev.mem_regs.bytes[4], 0x44);
  EXPECT_EQ(gt.read(0x12051004, 4), be ? 0x44332211u : 0x11223344u);
  // Nothing there: a master abort reads all ones.
  EXPECT_EQ(gt.read(0x13000000, 4), 0xffffffffu);
}

INSTANTIATE_TEST_SUITE_P(BothEndians, GtConfig, ::testing::Bool());

TEST(Piix4, PirqRoutingFollowsConfiguration) {
  Fixture f;
  std::vector<std::pair<int, bool>> irqs;
  int resets = 0;
  Piix4Isa isa([&](int irq, bool level) { irqs.emplace_back(irq, level); }, [&] { resets++; });
  int d = devfn(10, 0);
  f.bus.attach(d, &isa);
  EXPECT_EQ(cfg(f.bus, d, 0), 0x71108086u);
  EXPECT_EQ(cfg(f.bus, d, 0x0e, 1), 0x80u);   // multi-function
  EXPECT_EQ(cfg(f.bus, d, 0x60), 0x80808080u);
  // Routing disabled: nothing reaches the 8259.
  isa.setPirq(1, true);
  EXPECT_TRUE(irqs.empty());
  // Linux's Malta fixup: A, B -> 10; C, D -> 11. The pending PIRQB# appears.
  f.bus.configWrite(d, 0x60, 0x0b0b0a0a, 4);
  ASSERT_EQ(irqs.size(), 1u);
  EXPECT_EQ(irqs[0], std::make_pair(10, true));
  // PIRQA# shares IRQ 10: the line stays high until both are low.
  isa.setPirq(0, true);
  isa.setPirq(1, false);
  EXPECT_EQ(irqs.size(), 1u);
  isa.setPirq(0, false);
  ASSERT_EQ(irqs.size(), 2u);
  EXPECT_EQ(irqs[1], std::make_pair(10, false));
  // A reserved IRQ number (2) does not route.
  f.bus.configWrite(d, 0x63, 0x02, 1);
  isa.setPirq(3, true);
  EXPECT_EQ(irqs.size(), 2u);
  // Rerouting a high line moves it.
  f.bus.configWrite(d, 0x63, 0x0e, 1);
  ASSERT_EQ(irqs.size(), 3u);
  EXPECT_EQ(irqs[2], std::make_pair(14, true));
  // Reset control: RST_CPU's rising edge resets.
  isa.resetControl()->write(0, 0x02, 1);
  EXPECT_EQ(resets, 0);
  isa.resetControl()->write(0, 0x06, 1);
  EXPECT_EQ(resets, 1);
}

struct FakeClock : Clock {
  int64_t now = 0;
  int64_t nowNs() override { return now; }
  int addTimer(std::function<void()>) override { return 0; }
  void arm(int, int64_t) override {}
  void disarm(int) override {}
};

TEST(Piix4, PowerManagementSoftOff) {
  Fixture f;
  FakeClock clock;
  int offs = 0;
  Piix4Pm pm(f.io, clock, [&] { offs++; });
  Piix4Isa isa(nullptr, nullptr);   // function 0 makes the device multi-function
  f.bus.attach(devfn(10, 0), &isa);
  int d = devfn(10, 3);
  f.bus.attach(d, &pm);
  EXPECT_EQ(cfg(f.bus, d, 0), 0x71138086u);
  EXPECT_EQ(cfg(f.bus, d, 0x40), 1u);
  // Linux's fixup: PMBA 0x1000, then PMREGMISC enables the block.
  f.bus.configWrite(d, 0x40, 0x1000, 2);
  EXPECT_EQ(pm.pmBase(), ~0ull);
  f.bus.configWrite(d, 0x80, 1, 1);
  EXPECT_EQ(pm.pmBase(), 0x1000u);
  // The PM timer counts at 3.579545 MHz.
  clock.now = 1000000000;
  EXPECT_EQ(f.io.read(0x1008, 4), 3579545u);
  // Status bits clear when written with ones.
  f.io.write(0x1000, 0x0100, 2);
  EXPECT_EQ(f.io.read(0x1000, 2), 0u);
  // A suspend type other than soft-off is not modelled: nothing happens.
  f.io.write(0x1004, (1 << 13) | (1 << 10), 2);
  EXPECT_EQ(offs, 0);
  // piix4-poweroff: SUS_TYP 0 with SUS_EN.
  f.io.write(0x1004, 1 << 13, 2);
  EXPECT_EQ(offs, 1);
  EXPECT_EQ(f.io.read(0x1004, 2) & (1 << 13), 0u);
  // Moving the block.
  f.bus.configWrite(d, 0x40, 0x2001, 4);
  EXPECT_EQ(pm.pmBase(), 0x2000u);
  EXPECT_EQ(f.io.read(0x1004, 2), 0xffffu);
}

}  // namespace
