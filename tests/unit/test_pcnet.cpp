#include "hw/net/pcnet.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "hw/core/ioport.h"
#include "hw/core/memory.h"
#include "hw/pci/pci_bus.h"
#include "net/net_backend.h"
#include "net/slirp_backend.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/log_capture.h"
#include "util/log.h"

using mimic::hw::AddressSpace;
using mimic::hw::IoSpace;
using mimic::hw::Pcnet;
using mimic::hw::pci::PciBus;
using mimic::net::MacAddr;
using mimic::test::FakeClock;
using mimic::test::LogCapture;

namespace {

using Frame = std::vector<uint8_t>;

// Records what the card sends; frames for the card go through the real
// queue and pump().
class FakeBackend : public mimic::net::NetBackend {
 public:
  void send(const uint8_t* f, size_t n) override { sent.emplace_back(f, f + n); }
  void inject(const Frame& f) { postFrame(f.data(), f.size()); }
  std::vector<Frame> sent;
};

constexpr MacAddr kMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr int kDevfn = 0x58;  // slot 11, as on the Malta board
constexpr uint32_t kIo = 0x1000;
constexpr uint32_t kMem = 0x10000000;
constexpr uint64_t kRamSize = 1 << 20;

// CSR0 bits
constexpr uint16_t INIT = 0x0001, STRT = 0x0002, STOP = 0x0004, TDMD = 0x0008, TXON = 0x0010, RXON = 0x0020,
                   INEA = 0x0040, INTR = 0x0080, IDON = 0x0100, TINT = 0x0200, RINT = 0x0400, MERR = 0x0800,
                   MISS = 0x1000, ERR = 0x8000;
// descriptor status
constexpr uint16_t OWN = 0x8000, DERR = 0x4000, STP = 0x0200, ENP = 0x0100, PAM = 0x0040, LAFM = 0x0020,
                   BAM = 0x0010, RBUFF = 0x0400, OFLO = 0x1000;

// Guest memory layout of the tests.
constexpr uint32_t kInitBlock = 0x1000;
constexpr uint32_t kRxRing = 0x2000;
constexpr uint32_t kTxRing = 0x3000;
constexpr uint32_t kRxBuf = 0x10000;  // + i * 0x800
constexpr uint32_t kTxBuf = 0x40000;  // + i * 0x800

class Rig : public ::testing::Test {
 protected:
  Rig() : ram(kRamSize, 0) {
    as.addRam("ram", 0, kRamSize, ram.data());
    bus = std::make_unique<PciBus>(io, mem, as);
    bus->setIrqRouter([this](int devfn, int pin, bool level) {
      EXPECT_EQ(devfn, kDevfn);
      EXPECT_EQ(pin, 0);  // INTA#
      irq = level;
      irq_edges++;
    });
    nic = std::make_unique<Pcnet>(clock, &backend, kMac);
    bus->attach(kDevfn, nic.get());
    cfgWrite(0x10, kIo | 1, 4);
    cfgWrite(0x14, kMem, 4);
    cfgWrite(0x04, 0x0007, 2);  // I/O, memory, bus master
  }

  uint32_t cfgRead(unsigned off, unsigned size) {
    uint32_t v = 0;
    bus->configRead(kDevfn, off, size, v);
    return v;
  }
  void cfgWrite(unsigned off, uint32_t v, unsigned size) { bus->configWrite(kDevfn, off, v, size); }

  // pcnet32's 16-bit accessors.
  uint16_t csr(unsigned n) {
    io.write(kIo + 0x12, n, 2);
    return uint16_t(io.read(kIo + 0x10, 2));
  }
  void setCsr(unsigned n, uint16_t v) {
    io.write(kIo + 0x12, n, 2);
    io.write(kIo + 0x10, v, 2);
  }
  uint16_t bcr(unsigned n) {
    io.write(kIo + 0x12, n, 2);
    return uint16_t(io.read(kIo + 0x16, 2));
  }
  void setBcr(unsigned n, uint16_t v) {
    io.write(kIo + 0x12, n, 2);
    io.write(kIo + 0x16, v, 2);
  }
  void softReset() { io.read(kIo + 0x14, 2); }

  // Guest RAM, little-endian.
  void put8(uint32_t a, uint8_t v) { ram.at(a) = v; }
  void put16(uint32_t a, uint16_t v) {
    put8(a, uint8_t(v));
    put8(a + 1, uint8_t(v >> 8));
  }
  void put32(uint32_t a, uint32_t v) {
    put16(a, uint16_t(v));
    put16(a + 2, uint16_t(v >> 16));
  }
  uint16_t get16(uint32_t a) const { return uint16_t(ram.at(a) | ram.at(a + 1) << 8); }
  uint32_t get32(uint32_t a) const { return get16(a) | uint32_t(get16(a + 2)) << 16; }
  void putBytes(uint32_t a, const Frame& f) { std::memcpy(&ram.at(a), f.data(), f.size()); }
  Frame getBytes(uint32_t a, size_t n) const { return Frame(ram.begin() + a, ram.begin() + a + n); }

  // --- 32-bit software styles (2 and 3): 16-byte descriptors ---
  unsigned style = 2;
  uint32_t descAddrWord(uint32_t d) const { return d + (style == 3 ? 8 : 0); }
  uint32_t descMiscWord(uint32_t d) const { return d + (style == 3 ? 0 : 8); }
  void putRxDesc32(unsigned i, uint32_t buf, uint16_t size, bool own) {
    uint32_t d = kRxRing + 16 * i;
    put32(descAddrWord(d), buf);
    put16(d + 4, uint16_t(-int(size)) | 0xf000);
    put16(d + 6, own ? OWN : 0);
    put32(descMiscWord(d), 0);
    put32(d + 12, 0xdeadbeef);  // the driver's word: never written
  }
  void putTxDesc32(unsigned i, uint32_t buf, uint16_t len, uint16_t status) {
    uint32_t d = kTxRing + 16 * i;
    put32(descAddrWord(d), buf);
    put16(d + 4, uint16_t(-int(len)) | 0xf000);
    put16(d + 6, status);
    put32(descMiscWord(d), 0);
    put32(d + 12, 0xdeadbeef);
  }
  uint16_t rxStatus32(unsigned i) const { return get16(kRxRing + 16 * i + 6); }
  uint32_t rxMisc32(unsigned i) const { return get32(descMiscWord(kRxRing + 16 * i)); }
  uint16_t txStatus32(unsigned i) const { return get16(kTxRing + 16 * i + 6); }
  uint32_t txMisc32(unsigned i) const { return get32(descMiscWord(kTxRing + 16 * i)); }

  // pcnet32's open(): 32-bit style, init block, INIT, then STRT|INEA;
  // rings of 2^rlog / 2^tlog descriptors, receive buffers of `rx_size`.
  void open32(unsigned sw_style = 2, unsigned rlog = 3, unsigned tlog = 3, uint16_t rx_size = 1536,
              uint16_t mode = 0, const uint8_t* ladrf = nullptr) {
    style = sw_style;
    softReset();
    ASSERT_EQ(csr(0), STOP);
    setBcr(20, uint16_t(sw_style));
    put16(kInitBlock, mode);
    put8(kInitBlock + 2, uint8_t(rlog << 4));
    put8(kInitBlock + 3, uint8_t(tlog << 4));
    for (int i = 0; i < 6; i++) put8(kInitBlock + 4 + i, kMac[i]);
    put16(kInitBlock + 10, 0);
    for (int i = 0; i < 8; i++) put8(kInitBlock + 12 + i, ladrf ? ladrf[i] : 0);
    put32(kInitBlock + 20, kRxRing);
    put32(kInitBlock + 24, kTxRing);
    for (unsigned i = 0; i < (1u << rlog); i++) putRxDesc32(i, kRxBuf + 0x800 * i, rx_size, true);
    for (unsigned i = 0; i < (1u << tlog); i++) putTxDesc32(i, kTxBuf + 0x800 * i, 0, 0);
    setCsr(1, kInitBlock & 0xffff);
    setCsr(2, kInitBlock >> 16);
    setCsr(4, 0x0915);
    setCsr(0, INIT);
    ASSERT_TRUE(csr(0) & IDON);
    setCsr(0, STRT | INEA);
    // Acknowledge IDON as pcnet32's interrupt handler would.
    setCsr(0, IDON | INEA);
  }

  static Frame makeFrame(const MacAddr& dst, size_t len, uint8_t seed = 1) {
    Frame f(len);
    for (size_t i = 0; i < len; i++) f[i] = uint8_t(seed + i * 7);
    std::memcpy(f.data(), dst.data(), 6);
    const uint8_t src[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};
    std::memcpy(f.data() + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    return f;
  }

  std::vector<uint8_t> ram;
  AddressSpace as;
  IoSpace io;
  IoSpace mem{0xffffffffull, 0xff, "pcimem"};
  FakeClock clock{1000};
  FakeBackend backend;
  bool irq = false;
  int irq_edges = 0;
  // The bus goes first (devices outlive their bus), then the card, which
  // detaches from the backend and disarms its timer.
  std::unique_ptr<Pcnet> nic;
  std::unique_ptr<PciBus> bus;
};

constexpr MacAddr kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
constexpr MacAddr kOther = {0x52, 0x54, 0x00, 0x99, 0x99, 0x99};

// The reflected CRC-32 register the logical address filter hashes with.
uint32_t crcRegister(const uint8_t* p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
  }
  return c;
}

TEST_F(Rig, PciConfigurationSpace) {
  EXPECT_EQ(cfgRead(0x00, 2), 0x1022u);
  EXPECT_EQ(cfgRead(0x02, 2), 0x2000u);
  EXPECT_EQ(cfgRead(0x08, 1), 0x10u);
  EXPECT_EQ(cfgRead(0x09, 1), 0x00u);
  EXPECT_EQ(cfgRead(0x0a, 2), 0x0200u);  // Ethernet controller
  EXPECT_EQ(cfgRead(0x3d, 1), 1u);        // INTA#
  EXPECT_EQ(cfgRead(0x3e, 1), 0x06u);
  EXPECT_EQ(cfgRead(0x3f, 1), 0xffu);
  // BAR sizing: 32 bytes of I/O, 32 bytes of memory.
  cfgWrite(0x10, 0xffffffff, 4);
  EXPECT_EQ(cfgRead(0x10, 4), 0xffffffe1u);
  cfgWrite(0x14, 0xffffffff, 4);
  EXPECT_EQ(cfgRead(0x14, 4), 0xffffffe0u);
  cfgWrite(0x10, kIo | 1, 4);
  cfgWrite(0x14, kMem, 4);
  EXPECT_EQ(nic->barAddress(0), kIo);
  EXPECT_EQ(nic->barAddress(1), kMem);
}

TEST_F(Rig, ProbeLikePcnet32) {
  softReset();
  EXPECT_EQ(csr(0), STOP);
  // pcnet32_wio_check: RAP reads back.
  io.write(kIo + 0x12, 88, 2);
  EXPECT_EQ(io.read(kIo + 0x12, 2), 88u);
  uint32_t chip = csr(88) | uint32_t(csr(89)) << 16;
  EXPECT_EQ(chip, 0x02621003u);
  EXPECT_EQ(chip & 0xfff, 0x003u);
  EXPECT_EQ((chip >> 12) & 0xffff, 0x2621u);  // "PCnet/PCI II 79C970A"
  // The address PROM and CSR12-14 hold the MAC.
  for (int i = 0; i < 6; i++) EXPECT_EQ(io.read(kIo + i, 1), kMac[i]) << i;
  for (int i = 0; i < 3; i++) EXPECT_EQ(csr(12 + i), kMac[2 * i] | kMac[2 * i + 1] << 8);
  EXPECT_EQ(io.read(kIo + 14, 2), 0x5757u);  // "WW"
  EXPECT_EQ(io.read(kIo + 9, 1), 0x11u);
  uint16_t sum = 0;
  for (int i = 0; i < 16; i++)
    if (i != 12 && i != 13) sum = uint16_t(sum + io.read(kIo + i, 1));
  EXPECT_EQ(io.read(kIo + 12, 2), sum);
  // Link up as the 79C970A's LED register shows it.
  EXPECT_NE(bcr(4), 0xc0);
  EXPECT_TRUE(bcr(4) & 0x8000);
  EXPECT_EQ(bcr(2), 0x0002);
  EXPECT_EQ(bcr(18) & 0x0080, 0);  // 16-bit I/O
  // Software style: LANCE after reset; 2 sets SSIZE32 and CSRPCNET.
  EXPECT_EQ(bcr(20), 0x0200);
  setBcr(20, 2);
  EXPECT_EQ(bcr(20), 0x0302);
  EXPECT_EQ(csr(58), 0x0302);
  setCsr(58, 3);
  EXPECT_EQ(bcr(20), 0x0303);
  setBcr(20, 1);
  EXPECT_EQ(bcr(20), 0x0101);
  setBcr(20, 0);
  EXPECT_EQ(bcr(20), 0x0200);
  // BCR9 (full duplex) and BCR2 (ASEL) are read/write.
  setBcr(9, 1);
  EXPECT_EQ(bcr(9), 1);
  setBcr(2, bcr(2) & ~2);
  EXPECT_EQ(bcr(2), 0);
  // Unimplemented BCRs read 0.
  EXPECT_EQ(bcr(40), 0);
  EXPECT_FALSE(irq);
}

TEST_F(Rig, DwordIoMode) {
  // A 32-bit write to RDP switches to 32-bit I/O.
  io.write(kIo + 0x10, 0, 4);
  EXPECT_TRUE(nic->dwordIo());
  EXPECT_TRUE(bcr(18) == 0xffff);  // 16-bit accesses no longer work
  EXPECT_EQ(io.read(kIo + 0x12, 2), 0xffffu);
  io.write(kIo + 0x14, 88, 4);
  EXPECT_EQ(io.read(kIo + 0x14, 4), 88u);
  EXPECT_EQ(io.read(kIo + 0x10, 4), 0x02621003u);
  io.write(kIo + 0x14, 89, 4);
  EXPECT_EQ(io.read(kIo + 0x10, 4) & 0xffff, 0x0262u);
  // BDP at 0x1c.
  io.write(kIo + 0x14, 20, 4);
  io.write(kIo + 0x1c, 3, 4);
  EXPECT_EQ(io.read(kIo + 0x1c, 4), 0x0303u);
  io.write(kIo + 0x14, 18, 4);
  EXPECT_TRUE(io.read(kIo + 0x1c, 4) & 0x0080);
  // Writing BCR18 cannot clear DWIO; the reset register at 0x18 keeps it.
  io.write(kIo + 0x1c, 0, 4);
  EXPECT_TRUE(nic->dwordIo());
  io.write(kIo + 0x14, 0, 4);
  io.write(kIo + 0x10, INIT | STRT, 4);  // some state to reset
  EXPECT_EQ(io.read(kIo + 0x18, 4), 0u);
  EXPECT_TRUE(nic->dwordIo());
  io.write(kIo + 0x14, 0, 4);
  EXPECT_EQ(io.read(kIo + 0x10, 4), STOP);
  // The APROM reads in 32-bit units too.
  EXPECT_EQ(io.read(kIo + 0, 4), uint32_t(kMac[0] | kMac[1] << 8 | kMac[2] << 16 | kMac[3] << 24));
  // Only H_RESET (the PCI reset) goes back to 16-bit I/O.
  bus->reset();
  cfgWrite(0x10, kIo | 1, 4);
  cfgWrite(0x04, 0x0007, 2);
  EXPECT_FALSE(nic->dwordIo());
  EXPECT_EQ(csr(0), STOP);
}

TEST_F(Rig, MemoryBarAliasesTheRegisters) {
  EXPECT_EQ(mem.read(kMem + 0, 1), kMac[0]);
  EXPECT_EQ(mem.read(kMem + 4, 2), uint32_t(kMac[4] | kMac[5] << 8));
  mem.write(kMem + 0x12, 88, 2);
  EXPECT_EQ(mem.read(kMem + 0x10, 2), 0x1003u);
  // The same registers as through I/O.
  EXPECT_EQ(io.read(kIo + 0x12, 2), 88u);
  // Memory decoding off: the window is gone.
  cfgWrite(0x04, 0x0005, 2);
  EXPECT_EQ(mem.read(kMem + 0x10, 2), 0xffffu);
}

TEST_F(Rig, AddressPromWritableOnlyWithApromwe) {
  io.write(kIo + 0, 0xaa, 1);
  EXPECT_EQ(io.read(kIo + 0, 1), kMac[0]);
  setBcr(2, bcr(2) | 0x0100);
  io.write(kIo + 0, 0xaa, 1);
  EXPECT_EQ(io.read(kIo + 0, 1), 0xaau);
  bus->reset();  // H_RESET reloads it
  cfgWrite(0x10, kIo | 1, 4);
  cfgWrite(0x04, 0x0007, 2);
  EXPECT_EQ(io.read(kIo + 0, 1), kMac[0]);
}

TEST_F(Rig, InitBlockAndInterrupts) {
  style = 2;
  setBcr(20, 2);
  put16(kInitBlock, 0x0080);                // mode: PORTSEL bits
  put8(kInitBlock + 2, 4 << 4);             // 16 receive descriptors
  put8(kInitBlock + 3, 3 << 4);             // 8 transmit descriptors
  const uint8_t padr[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
  for (int i = 0; i < 6; i++) put8(kInitBlock + 4 + i, padr[i]);
  for (int i = 0; i < 8; i++) put8(kInitBlock + 12 + i, uint8_t(0x10 + i));
  put32(kInitBlock + 20, kRxRing);
  put32(kInitBlock + 24, kTxRing);
  setCsr(1, kInitBlock & 0xffff);
  setCsr(2, kInitBlock >> 16);
  EXPECT_EQ(csr(16), kInitBlock & 0xffff);  // CSR16/17 alias CSR1/2
  setCsr(0, INIT | INEA);
  uint16_t c0 = csr(0);
  EXPECT_TRUE(c0 & IDON);
  EXPECT_TRUE(c0 & INIT);
  EXPECT_FALSE(c0 & STOP);
  EXPECT_TRUE(c0 & INTR);
  EXPECT_TRUE(irq);
  EXPECT_EQ(csr(76), 16);
  EXPECT_EQ(csr(78), 8);
  EXPECT_EQ(csr(6), 0x3400);
  EXPECT_EQ(csr(15), 0x0080);
  EXPECT_EQ(csr(12), 0x1102);
  EXPECT_EQ(csr(14), 0x5544);
  EXPECT_EQ(csr(8), 0x1110);
  EXPECT_EQ(csr(11), 0x1716);
  // Masked in CSR3: INTR clears, the line drops; unmasked again: back.
  setCsr(3, 0x0100);
  EXPECT_FALSE(csr(0) & INTR);
  EXPECT_FALSE(irq);
  setCsr(3, 0);
  EXPECT_TRUE(irq);
  // INEA off: INTR stays, the line drops.
  setCsr(0, 0);
  EXPECT_TRUE(csr(0) & INTR);
  EXPECT_FALSE(irq);
  setCsr(0, INEA);
  EXPECT_TRUE(irq);
  // IDON is write-one-to-clear.
  setCsr(0, IDON | INEA);
  EXPECT_FALSE(csr(0) & (IDON | INTR));
  EXPECT_FALSE(irq);
  // Start: TXON and RXON.
  setCsr(0, STRT | INEA);
  c0 = csr(0);
  EXPECT_EQ(c0 & (STRT | TXON | RXON | STOP), STRT | TXON | RXON);
  // Stop clears everything but STOP.
  setCsr(0, STOP);
  EXPECT_EQ(csr(0), STOP);
  // The interrupt status register through CSR4: user interrupt.
  setCsr(0, INEA);
  setCsr(4, 0x0915 | 0x0080);  // UINTCMD
  EXPECT_TRUE(csr(4) & 0x0040);
  EXPECT_TRUE(irq);
  setCsr(4, 0x0915 | 0x0040);  // write one to clear UINT
  EXPECT_FALSE(csr(4) & 0x0040);
  EXPECT_FALSE(irq);
}

TEST_F(Rig, RingRegistersWritableOnlyWhileStopped) {
  setCsr(76, 4);
  EXPECT_EQ(csr(76), 4);
  open32();
  setCsr(76, 2);
  EXPECT_EQ(csr(76), 8);
  setCsr(15, 0x8000);
  EXPECT_EQ(csr(15), 0);
  setBcr(20, 0);
  EXPECT_EQ(bcr(20), 0x0302);
  // Suspended (CSR5.SPND, as pcnet32 does to change filters): writable.
  setCsr(5, 1);
  EXPECT_EQ(csr(5) & 1, 1);
  setCsr(15, 0x8000);
  EXPECT_EQ(csr(15), 0x8000);
  setCsr(5, 0);
}

TEST_F(Rig, TransmitStyle2) {
  open32(2);
  EXPECT_FALSE(irq);
  Frame f = makeFrame(kOther, 98);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, uint16_t(f.size()), OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
  EXPECT_EQ(txStatus32(0), STP | ENP);  // OWN cleared, no error
  EXPECT_EQ(txMisc32(0), 0u);
  EXPECT_EQ(get32(kTxRing + 12), 0xdeadbeefu);
  uint16_t c0 = csr(0);
  EXPECT_TRUE(c0 & TINT);
  EXPECT_FALSE(c0 & TDMD);
  EXPECT_TRUE(irq);
  setCsr(0, TINT | INEA);
  EXPECT_FALSE(irq);
  // The next frame comes from the next descriptor.
  Frame g = makeFrame(kBroadcast, 60, 9);
  putBytes(kTxBuf + 0x800, g);
  putTxDesc32(1, kTxBuf + 0x800, uint16_t(g.size()), OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 2u);
  EXPECT_EQ(backend.sent[1], g);
  EXPECT_EQ(txStatus32(1), STP | ENP);
}

TEST_F(Rig, TransmitWithoutTdmdByPollTimer) {
  open32(2);
  Frame f = makeFrame(kOther, 200);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, uint16_t(f.size()), OWN | STP | ENP);
  EXPECT_TRUE(backend.sent.empty());
  clock.advance(Pcnet::kPollNs + 1);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
  EXPECT_TRUE(irq);
  // CSR4.DPOLL turns the poll off.
  setCsr(0, TINT | INEA);
  setCsr(4, 0x0915 | 0x1000);
  putBytes(kTxBuf + 0x800, f);
  putTxDesc32(1, kTxBuf + 0x800, uint16_t(f.size()), OWN | STP | ENP);
  clock.advance(10 * Pcnet::kPollNs);
  EXPECT_EQ(backend.sent.size(), 1u);
  setCsr(0, INEA | TDMD);
  EXPECT_EQ(backend.sent.size(), 2u);
}

TEST_F(Rig, TransmitChainedDescriptors) {
  open32(2);
  Frame f = makeFrame(kOther, 300);
  // 100 + 150 + 50 bytes from three buffers.
  putBytes(kTxBuf, Frame(f.begin(), f.begin() + 100));
  putBytes(kTxBuf + 0x800, Frame(f.begin() + 100, f.begin() + 250));
  putBytes(kTxBuf + 0x1000, Frame(f.begin() + 250, f.end()));
  putTxDesc32(2, kTxBuf + 0x1000, 50, OWN | ENP);
  putTxDesc32(1, kTxBuf + 0x800, 150, OWN);
  putTxDesc32(0, kTxBuf, 100, OWN | STP);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
  EXPECT_EQ(txStatus32(0), STP);
  EXPECT_EQ(txStatus32(1), 0);
  EXPECT_EQ(txStatus32(2), ENP);
  // Short frames are padded to 60 bytes (CSR4.APAD_XMT, set by pcnet32).
  Frame s = makeFrame(kOther, 42);
  putBytes(kTxBuf + 0x1800, s);
  putTxDesc32(3, kTxBuf + 0x1800, 42, OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 2u);
  ASSERT_EQ(backend.sent[1].size(), 60u);
  EXPECT_TRUE(std::equal(s.begin(), s.end(), backend.sent[1].begin()));
}

TEST_F(Rig, TransmitChainWithoutEnpIsABufferError) {
  LogCapture log;
  open32(2);
  putTxDesc32(0, kTxBuf, 100, OWN | STP);
  putTxDesc32(1, kTxBuf + 0x800, 100, 0);  // not given to the card
  setCsr(0, INEA | TDMD);
  EXPECT_TRUE(backend.sent.empty());
  EXPECT_EQ(txStatus32(0), STP | DERR);
  EXPECT_EQ(txMisc32(0) & 0xc0000000u, 0xc0000000u);  // BUFF, UFLO
  uint16_t c0 = csr(0);
  EXPECT_TRUE(c0 & TINT);
  EXPECT_FALSE(c0 & TXON);  // transmitter off (DXSUFLO clear)
  EXPECT_NE(log.text().find("no ENP"), std::string::npos);
}

TEST_F(Rig, ReceiveStyle2) {
  open32(2);
  Frame f = makeFrame(kMac, 100);
  backend.inject(f);
  EXPECT_EQ(backend.pending(), 1u);
  backend.pump();
  EXPECT_EQ(backend.pending(), 0u);
  EXPECT_EQ(getBytes(kRxBuf, f.size()), f);
  EXPECT_EQ(rxStatus32(0), STP | ENP | PAM);
  EXPECT_EQ(rxMisc32(0), 104u);  // MCNT includes the FCS
  EXPECT_EQ(get32(kRxRing + 12), 0xdeadbeefu);
  // The FCS is the Ethernet CRC.
  uint32_t fcs = ~crcRegister(f.data(), f.size());
  EXPECT_EQ(get32(kRxBuf + 100), fcs);
  uint16_t c0 = csr(0);
  EXPECT_TRUE(c0 & RINT);
  EXPECT_TRUE(irq);
  setCsr(0, RINT | INEA);
  EXPECT_FALSE(irq);
  // The next frame goes to the next descriptor.
  Frame g = makeFrame(kMac, 1514, 3);
  backend.inject(g);
  backend.pump();
  EXPECT_EQ(getBytes(kRxBuf + 0x800, g.size()), g);
  EXPECT_EQ(rxStatus32(1), STP | ENP | PAM);
  EXPECT_EQ(rxMisc32(1), 1518u);
  EXPECT_TRUE(irq);
}

TEST_F(Rig, ReceiveShortFrameIsPadded) {
  open32(2);
  for (uint32_t i = 0; i < 64; i++) put8(kRxBuf + i, 0xee);
  Frame arp = makeFrame(kBroadcast, 42);
  backend.inject(arp);
  backend.pump();
  EXPECT_EQ(getBytes(kRxBuf, 42), arp);
  for (uint32_t i = 42; i < 60; i++) EXPECT_EQ(ram[kRxBuf + i], 0) << i;
  EXPECT_EQ(rxStatus32(0), STP | ENP | BAM);
  EXPECT_EQ(rxMisc32(0), 64u);
}

TEST_F(Rig, ReceiveSplitAcrossDescriptors) {
  open32(2, 3, 3, 64);
  Frame f = makeFrame(kMac, 200);  // + FCS = 204 = 64 + 64 + 64 + 12
  backend.inject(f);
  backend.pump();
  Frame got;
  for (int i = 0; i < 4; i++) {
    Frame part = getBytes(kRxBuf + 0x800 * i, i < 3 ? 64 : 12);
    got.insert(got.end(), part.begin(), part.end());
  }
  got.resize(200);
  EXPECT_EQ(got, f);
  EXPECT_EQ(rxStatus32(0), STP);
  EXPECT_EQ(rxStatus32(1), 0);
  EXPECT_EQ(rxStatus32(2), 0);
  EXPECT_EQ(rxStatus32(3), ENP | PAM);
  EXPECT_EQ(rxMisc32(3), 204u);
  EXPECT_TRUE(rxStatus32(4) & OWN);
  EXPECT_TRUE(csr(0) & RINT);
  // The next frame starts at descriptor 4 (80 + 4 bytes: two buffers).
  backend.inject(makeFrame(kMac, 80));
  backend.pump();
  EXPECT_EQ(rxStatus32(4), STP);
  EXPECT_EQ(rxStatus32(5), ENP | PAM);
}

TEST_F(Rig, ReceiveOverflowingTheDescriptors) {
  LogCapture log;
  open32(2, 3, 3, 64);
  for (unsigned i = 2; i < 8; i++) putRxDesc32(i, kRxBuf + 0x800 * i, 64, false);
  backend.inject(makeFrame(kMac, 300));
  backend.pump();
  EXPECT_EQ(rxStatus32(0), STP);
  EXPECT_EQ(rxStatus32(1), DERR | RBUFF | OFLO);
  EXPECT_TRUE(csr(0) & RINT);
}

TEST_F(Rig, ReceiveFilter) {
  uint8_t ladrf[8] = {};
  const MacAddr mcast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
  unsigned h = crcRegister(mcast.data(), 6) >> 26;
  ladrf[h >> 3] |= uint8_t(1 << (h & 7));
  open32(2, 3, 3, 1536, 0, ladrf);
  backend.inject(makeFrame(kOther, 80));  // someone else's: dropped
  backend.pump();
  EXPECT_EQ(backend.pending(), 0u);
  EXPECT_TRUE(rxStatus32(0) & OWN);
  EXPECT_FALSE(csr(0) & RINT);
  backend.inject(makeFrame(mcast, 80));  // multicast in the filter
  backend.pump();
  EXPECT_EQ(rxStatus32(0), STP | ENP | LAFM);
  MacAddr mcast2 = mcast;
  mcast2[5] = 0xfc;
  ASSERT_NE(crcRegister(mcast2.data(), 6) >> 26, h);
  backend.inject(makeFrame(mcast2, 80));  // not in the filter
  backend.pump();
  EXPECT_TRUE(rxStatus32(1) & OWN);
  // Promiscuous (set while suspended, as pcnet32 does).
  setCsr(5, 1);
  setCsr(15, 0x8000);
  setCsr(5, 0);
  backend.inject(makeFrame(kOther, 80));
  backend.pump();
  EXPECT_EQ(rxStatus32(1), STP | ENP);  // no match bits in promiscuous mode
  // Broadcast refused with DRCVBC, own address with DRCVPA.
  setCsr(5, 1);
  setCsr(15, 0x6000);
  setCsr(5, 0);
  backend.inject(makeFrame(kBroadcast, 80));
  backend.inject(makeFrame(kMac, 80));
  backend.pump();
  EXPECT_TRUE(rxStatus32(2) & OWN);
  // All-ones logical address filter: every multicast.
  setCsr(5, 1);
  for (int i = 8; i <= 11; i++) setCsr(i, 0xffff);
  setCsr(15, 0);
  setCsr(5, 0);
  backend.inject(makeFrame(mcast2, 80));
  backend.pump();
  EXPECT_EQ(rxStatus32(2), STP | ENP | LAFM);
}

TEST_F(Rig, FullRingKeepsFramesQueued) {
  open32(2, 1, 1);  // two receive descriptors
  for (int i = 0; i < 3; i++) backend.inject(makeFrame(kMac, 100, uint8_t(i)));
  backend.pump();
  EXPECT_EQ(backend.pending(), 1u);  // no descriptor for the third
  EXPECT_FALSE(csr(0) & MISS);
  EXPECT_EQ(rxStatus32(0), STP | ENP | PAM);
  EXPECT_EQ(rxStatus32(1), STP | ENP | PAM);
  EXPECT_EQ(getBytes(kRxBuf, 100), makeFrame(kMac, 100, 0));
  // The guest gives a descriptor back without touching a register: the
  // poll timer delivers the frame.
  putRxDesc32(0, kRxBuf, 1536, true);
  clock.advance(Pcnet::kPollNs + 1);
  EXPECT_EQ(backend.pending(), 0u);
  EXPECT_EQ(getBytes(kRxBuf, 100), makeFrame(kMac, 100, 2));
  // A frame handed over with no descriptor (not through pump) is missed.
  nic->receive(makeFrame(kMac, 100).data(), 100);
  EXPECT_TRUE(csr(0) & MISS);
  EXPECT_TRUE(csr(0) & ERR);
  EXPECT_EQ(csr(112), 1);
}

TEST_F(Rig, StoppedCardDropsFrames) {
  backend.inject(makeFrame(kMac, 100));
  backend.pump();
  EXPECT_EQ(backend.pending(), 0u);
  open32(2);
  EXPECT_TRUE(rxStatus32(0) & OWN);
  // DRX: the receiver stays off.
  setCsr(0, STOP);
  setCsr(15, 0x0001);
  setCsr(0, STRT | INEA);
  EXPECT_FALSE(csr(0) & RXON);
  EXPECT_TRUE(csr(0) & TXON);
  backend.inject(makeFrame(kMac, 100));
  backend.pump();
  EXPECT_TRUE(rxStatus32(0) & OWN);
}

TEST_F(Rig, SuspendedCardKeepsFrames) {
  open32(2);
  setCsr(5, 1);
  backend.inject(makeFrame(kMac, 100));
  backend.pump();
  EXPECT_EQ(backend.pending(), 1u);
  setCsr(5, 0);  // resuming pumps the queue
  EXPECT_EQ(backend.pending(), 0u);
  EXPECT_EQ(rxStatus32(0), STP | ENP | PAM);
}

TEST_F(Rig, Style3SwapsDescriptorWords) {
  open32(3);
  Frame f = makeFrame(kOther, 128);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, uint16_t(f.size()), OWN | STP | ENP);
  // The buffer address is in the third word.
  EXPECT_EQ(get32(kTxRing + 8), kTxBuf);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
  Frame r = makeFrame(kMac, 70);
  backend.inject(r);
  backend.pump();
  EXPECT_EQ(getBytes(kRxBuf, r.size()), r);
  EXPECT_EQ(rxStatus32(0), STP | ENP | PAM);
  EXPECT_EQ(get32(kRxRing + 0), 74u);  // MCNT in the first word
  EXPECT_EQ(get32(kRxRing + 8), kRxBuf);
}

// The 16-bit LANCE style: 24-byte init block, 8-byte descriptors, 24-bit
// addresses extended by CSR2[15:8].
TEST_F(Rig, Style0Lance) {
  softReset();
  EXPECT_EQ(bcr(20), 0x0200);
  put16(kInitBlock, 0);
  for (int i = 0; i < 6; i++) put8(kInitBlock + 2 + i, kMac[i]);
  put32(kInitBlock + 16, kRxRing | 2u << 29);  // 4 receive descriptors
  put32(kInitBlock + 20, kTxRing | 1u << 29);  // 2 transmit descriptors
  for (unsigned i = 0; i < 4; i++) {
    uint32_t d = kRxRing + 8 * i, b = kRxBuf + 0x800 * i;
    put16(d, uint16_t(b));
    put16(d + 2, uint16_t(OWN | (b >> 16)));
    put16(d + 4, uint16_t(-1536) | 0xf000);
    put16(d + 6, 0);
  }
  setCsr(1, kInitBlock & 0xffff);
  setCsr(2, 0);
  setCsr(0, INIT);
  ASSERT_TRUE(csr(0) & IDON);
  EXPECT_EQ(csr(76), 4);
  EXPECT_EQ(csr(78), 2);
  setCsr(0, STRT | INEA | IDON);
  // Transmit.
  Frame f = makeFrame(kOther, 90);
  putBytes(kTxBuf, f);
  put16(kTxRing, uint16_t(kTxBuf));
  put16(kTxRing + 2, uint16_t(OWN | STP | ENP | (kTxBuf >> 16)));
  put16(kTxRing + 4, uint16_t(-90) | 0xf000);
  put16(kTxRing + 6, 0xffff);  // TMD3: error bits, cleared on success
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
  EXPECT_EQ(get16(kTxRing + 2), uint16_t(STP | ENP | (kTxBuf >> 16)));
  EXPECT_EQ(get16(kTxRing + 6), 0);
  EXPECT_TRUE(csr(0) & TINT);
  // Receive.
  Frame r = makeFrame(kMac, 100);
  backend.inject(r);
  backend.pump();
  EXPECT_EQ(getBytes(kRxBuf, 100), r);
  EXPECT_EQ(get16(kRxRing + 2), uint16_t(STP | ENP | (kRxBuf >> 16)));  // no match bits in 16-bit descriptors
  EXPECT_EQ(get16(kRxRing + 6), 104);  // RMD3: MCNT
  EXPECT_EQ(get16(kRxRing + 0), uint16_t(kRxBuf));
  EXPECT_TRUE(csr(0) & RINT);
  EXPECT_TRUE(irq);
}

TEST_F(Rig, Style0UsesCsr2ForTheTopAddressByte) {
  // RAM at 0 only: a high byte of 0x01 puts the rings outside it.
  LogCapture log;
  softReset();
  setCsr(1, kInitBlock);
  setCsr(2, 0x0100);  // IADR[31:24] = 1
  setCsr(0, INIT);
  EXPECT_FALSE(csr(0) & IDON);
  EXPECT_TRUE(csr(0) & MERR);
  EXPECT_NE(log.text().find("init block"), std::string::npos);
}

TEST_F(Rig, InternalLoopback) {
  open32(2);
  setCsr(0, STOP);
  // Re-init with LOOP | INTL in the mode.
  put16(kInitBlock, 0x0044);
  setCsr(0, INIT);
  setCsr(0, STRT | INEA | IDON);
  Frame f = makeFrame(kMac, 80);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, 80, OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  EXPECT_TRUE(backend.sent.empty());
  EXPECT_EQ(getBytes(kRxBuf, 80), f);
  EXPECT_EQ(rxStatus32(0), STP | ENP | PAM);
  EXPECT_EQ(csr(0) & (TINT | RINT), TINT | RINT);
  // Frames from the network are not received in loopback.
  backend.inject(makeFrame(kMac, 80));
  backend.pump();
  EXPECT_TRUE(rxStatus32(1) & OWN);
}

TEST_F(Rig, BusMasteringOffIsAMemoryError) {
  LogCapture log;
  open32(2);
  cfgWrite(0x04, 0x0003, 2);
  putTxDesc32(0, kTxBuf, 60, OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  EXPECT_TRUE(backend.sent.empty());
  EXPECT_TRUE(csr(0) & MERR);
  EXPECT_TRUE(irq);
}

TEST_F(Rig, PciResetStopsTheCard) {
  open32(2);
  Frame f = makeFrame(kOther, 60);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, 60, OWN | STP | ENP);
  setCsr(0, INEA);  // no TDMD: the poll timer would send it
  bus->reset();
  EXPECT_FALSE(irq);
  clock.advance(10 * Pcnet::kPollNs);
  EXPECT_TRUE(backend.sent.empty());
  EXPECT_EQ(nic->csr(0), STOP);
  EXPECT_EQ(nic->bcr(20), 0x0200);
}

// Random register accesses through both BARs, random init blocks and
// descriptors in RAM, frames in and time passing: no crash, no hang.
TEST_F(Rig, Fuzz) {
  LogCapture log(0);
  std::mt19937 rng(12345);
  auto rnd = [&](uint32_t n) { return uint32_t(rng() % n); };
  // RAM full of noise, then plausible descriptors: OWN bits, small
  // lengths, buffers in RAM, often in the rings the card was given.
  for (uint32_t a = 0; a < kRamSize; a += 4) put32(a, rng());
  auto plausibleRam = [&]() {
    for (int k = 0; k < 16; k++) {
      uint32_t a;
      switch (rnd(3)) {
        case 0: a = kRxRing + 8 * rnd(64); break;
        case 1: a = kTxRing + 8 * rnd(64); break;
        default: a = rnd(kRamSize / 16) * 16; break;
      }
      put32(a, rnd(2) ? kRxBuf + rnd(0x40000) : rng());
      put16(a + 4, uint16_t(0xf000 | (rnd(2) ? rnd(0x1000) : 0x1000 - 1 - rnd(1600))));
      put16(a + 6, uint16_t((rng() & 0x7fff) | (rnd(4) ? OWN : 0)));
      if (rnd(2)) put32(a, uint32_t(rng()) & 0x00ffffff);
    }
  };
  uint64_t sent_total = 0;
  const unsigned csrs[] = {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 58, 72, 74, 76, 78, 88, 112, 124};
  const unsigned bcrs[] = {2, 4, 9, 18, 19, 20, 22, 32};
  uint64_t accesses = 0;
  for (int i = 0; i < 350000; i++) {
    uint32_t op = rnd(100);
    if (op < 30) {
      // pcnet32-style CSR/BCR access (16 or 32-bit mode), biased to useful values.
      bool dw = nic->dwordIo();
      unsigned reg = rnd(4) ? csrs[rnd(sizeof csrs / sizeof csrs[0])] : bcrs[rnd(sizeof bcrs / sizeof bcrs[0])];
      bool is_bcr = rnd(4) == 0;
      uint32_t v = rnd(3) ? rng() : rnd(2) ? ((rnd(8) << 12) | (rnd(kRamSize) & 0xfff0)) : rnd(8);
      if (reg == 2 && !is_bcr) v = 0;  // keep the init block in RAM more often
      if (reg == 0 && !is_bcr && rnd(8)) v &= ~uint32_t(STOP | INIT);  // keep it running more often
      io.write(kIo + (dw ? 0x14 : 0x12), reg, dw ? 4 : 2);
      if (rnd(2)) {
        io.write(kIo + (is_bcr ? (dw ? 0x1c : 0x16) : 0x10), v & (dw ? 0xffffffff : 0xffff), dw ? 4 : 2);
      } else {
        io.read(kIo + (is_bcr ? (dw ? 0x1c : 0x16) : 0x10), dw ? 4 : 2);
      }
      accesses += 2;
    } else if (op < 60) {
      // Any access anywhere in either window.
      unsigned size = 1u << rnd(3);
      uint32_t off = rnd(Pcnet::kRegSize);
      bool use_mem = rnd(2);
      if (rnd(2)) {
        if (use_mem) {
          mem.write(kMem + off, rng(), size);
        } else {
          io.write(kIo + off, rng(), size);
        }
      } else {
        if (use_mem) {
          mem.read(kMem + off, size);
        } else {
          io.read(kIo + off, size);
        }
      }
      accesses++;
    } else if (op < 75) {
      plausibleRam();
      if (rnd(50) == 0) {
        // A fresh start as pcnet32 does it, with random ring sizes.
        bus->reset();
        cfgWrite(0x10, kIo | 1, 4);
        cfgWrite(0x14, kMem, 4);
        cfgWrite(0x04, 0x0007, 2);
        open32(2 + rnd(2), rnd(6), rnd(6), uint16_t(1 + rnd(1600)));
      }
    } else if (op < 80) {
      // What a driver does: a frame at the card's transmit position, TDMD;
      // receive descriptors given back.
      unsigned sw = nic->bcr(20) & 0xff;
      unsigned len = nic->csr(78), rc = nic->csr(74);
      if ((sw == 2 || sw == 3) && len && len <= 64 && rc && rc <= len) {
        style = sw;
        unsigned idx = len - rc;
        Frame f = makeFrame(rnd(2) ? kOther : kMac, 14 + rnd(1500), uint8_t(i));
        putBytes(kTxBuf + 0x800 * (idx % 32), f);
        putTxDesc32(idx, kTxBuf + 0x800 * (idx % 32), uint16_t(f.size()), OWN | STP | ENP);
        if (rnd(2)) setCsr(0, INEA | TDMD);
        for (unsigned k = 0; k < 32 && rnd(2); k++) putRxDesc32(k, kRxBuf + 0x800 * k, 1536, true);
      }
    } else if (op < 90) {
      Frame f(1 + rnd(rnd(10) ? 1600 : 5000));
      for (auto& b : f) b = uint8_t(rng());
      if (rnd(2)) std::memcpy(f.data(), kMac.data(), std::min<size_t>(6, f.size()));
      if (rnd(2)) {
        backend.inject(f);
        backend.pump();
      } else {
        nic->receive(f.data(), f.size());
      }
    } else if (op < 98) {
      clock.advance(rnd(3 * Pcnet::kPollNs));
    } else if (op < 99) {
      cfgWrite(0x04, rnd(8), 2);
    } else {
      if (rnd(20) == 0) {
        bus->reset();
        cfgWrite(0x10, kIo | 1, 4);
        cfgWrite(0x14, kMem, 4);
        cfgWrite(0x04, 0x0007, 2);
      } else {
        io.read(kIo + (nic->dwordIo() ? 0x18 : 0x14), nic->dwordIo() ? 4 : 2);
      }
    }
    if (backend.sent.size() > 1000) {
      sent_total += backend.sent.size();
      backend.sent.clear();
    }
  }
  sent_total += backend.sent.size();
  EXPECT_GT(accesses, 200000u);
  EXPECT_GT(sent_total, 100u);
  // Still a working card after all that.
  bus->reset();
  cfgWrite(0x10, kIo | 1, 4);
  cfgWrite(0x14, kMem, 4);
  cfgWrite(0x04, 0x0007, 2);
  backend.sent.clear();
  backend.pump();  // a stopped card drops what is queued
  ASSERT_EQ(backend.pending(), 0u);
  open32(2);
  Frame f = makeFrame(kOther, 100);
  putBytes(kTxBuf, f);
  putTxDesc32(0, kTxBuf, 100, OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  ASSERT_EQ(backend.sent.size(), 1u);
  EXPECT_EQ(backend.sent[0], f);
}

// The card on user networking: a DHCPDISCOVER from the transmit ring reaches
// slirp, whose DHCPOFFER lands in the receive ring through notify + pump().
TEST(PcnetSlirp, DhcpOfferReachesTheReceiveRing) {
  std::vector<uint8_t> ram(kRamSize, 0);
  AddressSpace as;
  as.addRam("ram", 0, kRamSize, ram.data());
  IoSpace io;
  IoSpace mem{0xffffffffull, 0xff, "pcimem"};
  FakeClock clock{1000};
  std::string err;
  mimic::net::UserNetOptions opts;
  opts.ipv6 = false;
  std::unique_ptr<mimic::net::SlirpBackend> slirp = mimic::net::SlirpBackend::create(opts, err);
  ASSERT_TRUE(slirp) << err;
  auto nic = std::make_unique<Pcnet>(clock, slirp.get(), kMac);
  auto bus = std::make_unique<PciBus>(io, mem, as);
  bus->attach(kDevfn, nic.get());
  bus->configWrite(kDevfn, 0x10, kIo | 1, 4);
  bus->configWrite(kDevfn, 0x04, 0x0005, 2);
  std::mutex mu;
  std::condition_variable cv;
  bool kicked = false;
  slirp->start([&] {
    std::lock_guard<std::mutex> lock(mu);
    kicked = true;
    cv.notify_all();
  });
  auto le16at = [&](uint32_t a) { return uint16_t(ram[a] | ram[a + 1] << 8); };
  auto put16 = [&](uint32_t a, uint16_t v) {
    ram[a] = uint8_t(v);
    ram[a + 1] = uint8_t(v >> 8);
  };
  auto put32 = [&](uint32_t a, uint32_t v) {
    put16(a, uint16_t(v));
    put16(a + 2, uint16_t(v >> 16));
  };
  auto setCsr = [&](unsigned n, uint16_t v) {
    io.write(kIo + 0x12, n, 2);
    io.write(kIo + 0x10, v, 2);
  };
  auto setBcr = [&](unsigned n, uint16_t v) {
    io.write(kIo + 0x12, n, 2);
    io.write(kIo + 0x16, v, 2);
  };
  // Style 2, 4 + 4 descriptors.
  io.read(kIo + 0x14, 2);
  setBcr(20, 2);
  ram[kInitBlock + 2] = 2 << 4;
  ram[kInitBlock + 3] = 2 << 4;
  std::memcpy(&ram[kInitBlock + 4], kMac.data(), 6);
  put32(kInitBlock + 20, kRxRing);
  put32(kInitBlock + 24, kTxRing);
  for (uint32_t i = 0; i < 4; i++) {
    put32(kRxRing + 16 * i, kRxBuf + 0x800 * i);
    put16(kRxRing + 16 * i + 4, uint16_t(-1536));
    put16(kRxRing + 16 * i + 6, OWN);
  }
  setCsr(1, kInitBlock);
  setCsr(2, 0);
  setCsr(4, 0x0915);
  setCsr(0, INIT);
  setCsr(0, STRT | INEA | IDON);

  // DHCPDISCOVER: Ethernet, IPv4 (with its checksum), UDP 68 -> 67, BOOTP.
  constexpr size_t kBootp = 236 + 312;
  Frame d(14 + 20 + 8 + kBootp, 0);
  std::memset(d.data(), 0xff, 6);
  std::memcpy(d.data() + 6, kMac.data(), 6);
  d[12] = 0x08;
  uint8_t* iph = &d[14];
  iph[0] = 0x45;
  iph[2] = uint8_t((20 + 8 + kBootp) >> 8);
  iph[3] = uint8_t(20 + 8 + kBootp);
  iph[8] = 64;
  iph[9] = 17;
  std::memset(iph + 16, 0xff, 4);
  uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += uint32_t(iph[i] << 8 | iph[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  iph[10] = uint8_t(~sum >> 8);
  iph[11] = uint8_t(~sum);
  uint8_t* udp = iph + 20;
  udp[1] = 68;
  udp[3] = 67;
  udp[4] = uint8_t((8 + kBootp) >> 8);
  udp[5] = uint8_t(8 + kBootp);
  uint8_t* bp = udp + 8;
  bp[0] = 1;
  bp[1] = 1;
  bp[2] = 6;
  bp[4] = 0xca;
  bp[5] = 0xfe;
  std::memcpy(bp + 28, kMac.data(), 6);
  const uint8_t opt[] = {0x63, 0x82, 0x53, 0x63, 53, 1, 1, 255};
  std::memcpy(bp + 236, opt, sizeof opt);
  std::memcpy(&ram[kTxBuf], d.data(), d.size());
  put32(kTxRing, kTxBuf);
  put16(kTxRing + 4, uint16_t(-int(d.size())));
  put16(kTxRing + 6, OWN | STP | ENP);
  setCsr(0, INEA | TDMD);
  EXPECT_EQ(le16at(kTxRing + 6), STP | ENP);

  // Play the CPU thread: pump after each notification until the offer is in.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool got = false;
  for (unsigned i = 0; i < 4 && !got;) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_until(lock, deadline, [&] { return kicked; })) break;
      kicked = false;
    }
    slirp->pump();
    for (; i < 4 && !(le16at(kRxRing + 16 * i + 6) & OWN); i++) {
      uint32_t b = kRxBuf + 0x800 * i;
      if (ram[b + 12] == 0x08 && ram[b + 13] == 0x00 && ram[b + 14 + 9] == 17 && ram[b + 14 + 20 + 3] == 68) {
        const uint8_t* r = &ram[b + 14 + 20 + 8];
        EXPECT_EQ(r[0], 2);  // BOOTREPLY
        EXPECT_EQ(r[4], 0xca);
        EXPECT_EQ(r[16], 10);  // yiaddr 10.0.2.15
        EXPECT_EQ(r[19], 15);
        uint16_t status = le16at(kRxRing + 16 * i + 6);
        EXPECT_EQ(status & (STP | ENP | DERR), STP | ENP);
        got = true;
      }
    }
  }
  EXPECT_TRUE(got) << "no DHCP offer in the receive ring";
  uint16_t c0 = nic->csr(0);
  EXPECT_TRUE(c0 & RINT);
  bus.reset();
  nic.reset();
  slirp.reset();  // joins its thread before the notify's captures go
}

}  // namespace
