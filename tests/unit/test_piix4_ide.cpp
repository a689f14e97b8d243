// The PIIX4 IDE function with ATA disks on temporary raw images, driven
// through PCI configuration cycles and I/O ports the way Linux's ata_piix /
// libata and FreeBSD's ata(4) drive it: IDENTIFY, PIO and DMA transfers,
// flushes, errors, absent devices, nIEN, SRST, and a fuzz run.
#include "hw/ide/piix4_ide.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "hw/block/block_backend.h"
#include "hw/core/ioport.h"
#include "hw/core/memory.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_device.h"
#include "log_capture.h"

using mimic::hw::AddressSpace;
using mimic::hw::IoSpace;
using mimic::hw::IrqLine;
using mimic::hw::block::BlockBackend;
using mimic::hw::ide::AtaDisk;
using mimic::hw::ide::Piix4Ide;
using mimic::hw::pci::PciBus;
using mimic::hw::pci::PciDevice;
using mimic::hw::pci::PciIds;
using mimic::test::LogCapture;

namespace {

constexpr int kDevfn = 0x51;
constexpr uint32_t kBmBase = 0xc000;   // where the test "BIOS" puts BAR4
constexpr uint32_t kPrdTable = 0x1000;

// ATA register ports of the primary channel.
constexpr uint32_t kData = 0x1f0, kError = 0x1f1, kFeature = 0x1f1, kNsect = 0x1f2, kLbal = 0x1f3, kLbam = 0x1f4,
                   kLbah = 0x1f5, kDevice = 0x1f6, kStatus = 0x1f7, kCommand = 0x1f7, kAltStatus = 0x3f6,
                   kDevCtl = 0x3f6;

uint8_t patternByte(uint64_t sector, unsigned i) { return uint8_t(sector * 31 + i * 7 + (i >> 8)); }

// A raw image in a temporary file, filled with patternByte().
class TempImage {
 public:
  explicit TempImage(uint64_t sectors) : sectors_(sectors) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mimic-ide-XXXXXX").string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) std::abort();
    path_ = name.data();
    std::vector<uint8_t> sector(512);
    for (uint64_t s = 0; s < sectors; s++) {
      for (unsigned i = 0; i < 512; i++) sector[i] = patternByte(s, i);
      if (pwrite(fd, sector.data(), 512, off_t(s * 512)) != 512) std::abort();
    }
    ::close(fd);
  }
  ~TempImage() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }
  uint64_t sectors() const { return sectors_; }
  std::vector<uint8_t> read(uint64_t offset, size_t len) const {
    std::vector<uint8_t> v(len);
    int fd = ::open(path_.c_str(), O_RDONLY);
    EXPECT_EQ(pread(fd, v.data(), len, off_t(offset)), ssize_t(len));
    ::close(fd);
    return v;
  }
  std::unique_ptr<BlockBackend> open(bool read_only = false) const {
    std::string err;
    auto b = BlockBackend::open(path_, read_only, err);
    EXPECT_TRUE(b) << err;
    return b;
  }

 private:
  std::string path_;
  uint64_t sectors_;
};

struct IrqProbe {
  bool level = false;
  int rises = 0;
  static void handler(void* opaque, int, bool level) {
    auto* p = static_cast<IrqProbe*>(opaque);
    if (level && !p->level) p->rises++;
    p->level = level;
  }
};

// Function 0 of the PIIX4, only so that function 1 answers.
class Function0 : public PciDevice {
 public:
  Function0() : PciDevice("piix4", PciIds{.vendor = 0x8086, .device = 0x7110, .class_code = 0x060100,
                                          .multifunction = true}) {}
};

class Ide : public ::testing::Test {
 protected:
  explicit Ide(uint64_t sectors = 8192) : image(sectors) {
    as.addRam("ram", 0, ram.size(), ram.data());
    bus.attach(0x50, &f0);
    ide.attach(0, image.open());
    bus.attach(kDevfn, &ide);
    ide.mapLegacyPorts(io);
    // What a driver does: BAR4, I/O decoding and bus mastering.
    cfgWrite(0x20, kBmBase, 4);
    cfgWrite(0x04, 0x0005, 2);
  }

  uint32_t cfgRead(unsigned off, unsigned size) {
    uint32_t v = 0;
    bus.configRead(kDevfn, off, size, v);
    return v;
  }
  void cfgWrite(unsigned off, uint32_t v, unsigned size) { bus.configWrite(kDevfn, off, v, size); }
  uint8_t inb(uint32_t port) { return uint8_t(io.read(port, 1)); }
  uint16_t inw(uint32_t port) { return uint16_t(io.read(port, 2)); }
  uint32_t inl(uint32_t port) { return uint32_t(io.read(port, 4)); }
  void outb(uint32_t port, uint8_t v) { io.write(port, v, 1); }
  void outw(uint32_t port, uint16_t v) { io.write(port, v, 2); }
  void outl(uint32_t port, uint32_t v) { io.write(port, v, 4); }

  void lba28(uint32_t lba, uint8_t count, int dev = 0) {
    outb(kNsect, count);
    outb(kLbal, uint8_t(lba));
    outb(kLbam, uint8_t(lba >> 8));
    outb(kLbah, uint8_t(lba >> 16));
    outb(kDevice, uint8_t(0xe0 | dev << 4 | ((lba >> 24) & 0x0f)));
  }
  void lba48(uint64_t lba, uint16_t count) {
    outb(kNsect, uint8_t(count >> 8));
    outb(kLbal, uint8_t(lba >> 24));
    outb(kLbam, uint8_t(lba >> 32));
    outb(kLbah, uint8_t(lba >> 40));
    outb(kNsect, uint8_t(count));
    outb(kLbal, uint8_t(lba));
    outb(kLbam, uint8_t(lba >> 8));
    outb(kLbah, uint8_t(lba >> 16));
    outb(kDevice, 0x40);
  }
  std::vector<uint16_t> identify() {
    outb(kDevice, 0xa0);
    outb(kCommand, 0xec);
    EXPECT_EQ(inb(kAltStatus), 0x58);
    std::vector<uint16_t> w(256);
    for (auto& x : w) x = inw(kData);
    EXPECT_EQ(inb(kStatus), 0x50);
    return w;
  }
  void expectSector(const uint8_t* p, uint64_t sector) {
    for (unsigned i = 0; i < 512; i++) ASSERT_EQ(p[i], patternByte(sector, i)) << "sector " << sector << " byte " << i;
  }
  // Reads one 512-byte DRQ block from the data port.
  std::vector<uint8_t> readBlock(unsigned sectors = 1) {
    std::vector<uint8_t> v;
    for (unsigned i = 0; i < sectors * 256; i++) {
      uint16_t w = inw(kData);
      v.push_back(uint8_t(w));
      v.push_back(uint8_t(w >> 8));
    }
    return v;
  }
  void putPrd(int i, uint32_t addr, uint32_t count, bool eot) {
    uint32_t e[2] = {addr, count | (eot ? 0x80000000u : 0)};
    std::memcpy(&ram[kPrdTable + 8 * i], e, 8);  // the host is little-endian like the PCI bus
  }

  TempImage image;
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);
  AddressSpace as;
  IoSpace io;
  IoSpace mem{1ull << 32, 0xff, "pci-mem"};
  Function0 f0;
  IrqProbe irq14, irq15;
  Piix4Ide ide{IrqLine(&IrqProbe::handler, &irq14, 14), IrqLine(&IrqProbe::handler, &irq15, 15)};
  PciBus bus{io, mem, as};  // destroyed first: it detaches the functions
};

TEST_F(Ide, ConfigurationSpace) {
  EXPECT_EQ(cfgRead(0x00, 4), 0x71118086u);
  EXPECT_EQ(cfgRead(0x08, 4), 0x01018000u);  // class 01.01.80, revision 00 (as QEMU)
  EXPECT_EQ(cfgRead(0x0e, 1), 0x00u);        // header type 0, function 1
  EXPECT_EQ(cfgRead(0x3d, 1), 0x00u);        // no INTx pin
  EXPECT_EQ(cfgRead(0x10, 4), 0u);           // BARs 0-3 not implemented
  EXPECT_EQ(cfgRead(0x20, 4), kBmBase | 1);
  cfgWrite(0x20, 0xffffffff, 4);
  EXPECT_EQ(cfgRead(0x20, 4), 0xfffffff1u);  // 16 bytes of I/O
  cfgWrite(0x20, kBmBase, 4);
  cfgWrite(0x04, 0xffff, 2);
  EXPECT_EQ(cfgRead(0x04, 2), 0x0005u);
  EXPECT_EQ(cfgRead(0x40, 2), 0x8000u);
  EXPECT_EQ(cfgRead(0x42, 2), 0x8000u);
  cfgWrite(0x40, 0xffff, 2);
  EXPECT_EQ(cfgRead(0x40, 2), 0xf3ffu);
  cfgWrite(0x44, 0xff, 1);
  EXPECT_EQ(cfgRead(0x44, 1), 0xffu);
  cfgWrite(0x48, 0xff, 1);
  EXPECT_EQ(cfgRead(0x48, 1), 0x0fu);
  cfgWrite(0x4a, 0xffff, 2);
  EXPECT_EQ(cfgRead(0x4a, 2), 0x3333u);
  cfgWrite(0x4c, 0xffffffff, 4);
  EXPECT_EQ(cfgRead(0x4c, 4), 0u);
  // The bus-master block reads as documented: nothing started.
  EXPECT_EQ(inb(kBmBase + 0), 0u);
  EXPECT_EQ(inb(kBmBase + 2), 0u);
  outl(kBmBase + 4, 0x12345677);
  EXPECT_EQ(inl(kBmBase + 4), 0x12345674u);
  outb(kBmBase + 2, 0x60);
  EXPECT_EQ(inb(kBmBase + 2), 0x60u);  // drive DMA capable bits are plain storage
  EXPECT_EQ(inb(kBmBase + 8 + 2), 0u);
}

TEST_F(Ide, PowerOnTaskFile) {
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_EQ(inb(kError), 0x01);
  EXPECT_EQ(inb(kNsect), 0x01);
  EXPECT_EQ(inb(kLbal), 0x01);
  EXPECT_EQ(inb(kLbam), 0x00);
  EXPECT_EQ(inb(kLbah), 0x00);
  EXPECT_FALSE(irq14.level);
}

TEST_F(Ide, IdentifyDevice) {
  std::vector<uint16_t> w = identify();
  EXPECT_EQ(irq14.rises, 1);
  EXPECT_EQ(w[0], 0x0040);
  // The model, serial and firmware strings, two characters per word.
  std::string model;
  for (int i = 27; i < 47; i++) {
    model += char(w[i] >> 8);
    model += char(w[i] & 0xff);
  }
  EXPECT_EQ(model, "MIMIC HARDDISK                          ");
  std::string serial;
  for (int i = 10; i < 20; i++) {
    serial += char(w[i] >> 8);
    serial += char(w[i] & 0xff);
  }
  EXPECT_EQ(serial.substr(0, 7), "MM00001");
  EXPECT_NE(w[23], 0);
  EXPECT_EQ(w[49] & 0x0300, 0x0300);        // LBA and DMA
  EXPECT_EQ(w[47], 0x8010);                 // up to 16 sectors per multiple block
  EXPECT_EQ(w[59], 0x0110);                 // multiple mode on, 16 sectors
  EXPECT_EQ(uint32_t(w[60]) | uint32_t(w[61]) << 16, image.sectors());
  EXPECT_EQ(w[63] & 0x07, 0x07);            // MWDMA 0-2
  EXPECT_EQ(w[64] & 0x03, 0x03);            // PIO 3-4
  EXPECT_EQ(w[83] & 0xc400, 0x4400);        // valid, LBA48
  EXPECT_EQ(w[83] & 0x3000, 0x3000);        // FLUSH CACHE (EXT)
  EXPECT_EQ(w[85] & (1 << 5), 1 << 5);      // write cache on
  EXPECT_EQ(w[88], 0x3f | (1 << 13));       // UDMA 0-5, UDMA 5 selected (as QEMU)
  uint64_t lba48 = uint64_t(w[100]) | uint64_t(w[101]) << 16 | uint64_t(w[102]) << 32 | uint64_t(w[103]) << 48;
  EXPECT_EQ(lba48, image.sectors());
  uint8_t sum = 0;
  for (uint16_t x : w) sum = uint8_t(sum + (x & 0xff) + (x >> 8));
  EXPECT_EQ(w[255] & 0xff, 0xa5);
  EXPECT_EQ(sum, 0);
  // Reading the status register cleared the interrupt, and the bus master
  // latched it.
  EXPECT_FALSE(irq14.level);
  EXPECT_EQ(inb(kBmBase + 2) & 0x04, 0x04);
  outb(kBmBase + 2, 0x04);
  EXPECT_EQ(inb(kBmBase + 2), 0x00);
}

TEST_F(Ide, IdentifyThroughThe32BitDataPort) {
  std::vector<uint16_t> w16 = identify();
  outb(kCommand, 0xec);
  for (int i = 0; i < 128; i++) {
    uint32_t v = inl(kData);
    EXPECT_EQ(uint16_t(v), w16[2 * i]);
    EXPECT_EQ(uint16_t(v >> 16), w16[2 * i + 1]);
  }
  EXPECT_EQ(inb(kStatus), 0x50);
}

TEST_F(Ide, SetFeaturesTransferModeShowsInIdentify) {
  outb(kFeature, 0x03);
  outb(kNsect, 0x42);  // UDMA 2, as Linux picks for the PIIX4
  outb(kCommand, 0xef);
  EXPECT_EQ(inb(kStatus), 0x50);
  std::vector<uint16_t> w = identify();
  EXPECT_EQ(w[88], 0x3f | (1 << 10));
  EXPECT_EQ(w[63], 0x07);
  outb(kFeature, 0x03);
  outb(kNsect, 0x22);  // MWDMA 2
  outb(kCommand, 0xef);
  w = identify();
  EXPECT_EQ(w[88], 0x3f);
  EXPECT_EQ(w[63], 0x07 | (1 << 10));
  outb(kFeature, 0x03);
  outb(kNsect, 0x47);  // UDMA 7: not supported
  outb(kCommand, 0xef);
  EXPECT_EQ(inb(kStatus), 0x41);
  EXPECT_EQ(inb(kError), 0x04);
  // Write cache off and on.
  outb(kFeature, 0x82);
  outb(kCommand, 0xef);
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_FALSE(ide.disk(0)->writeCacheEnabled());
  EXPECT_EQ(identify()[85] & (1 << 5), 0);
  outb(kFeature, 0x02);
  outb(kCommand, 0xef);
  EXPECT_TRUE(ide.disk(0)->writeCacheEnabled());
  // Unknown subcommand.
  outb(kFeature, 0x77);
  outb(kCommand, 0xef);
  EXPECT_EQ(inb(kStatus), 0x41);
}

TEST_F(Ide, PioReadSectors) {
  lba28(5, 3);
  int rises = irq14.rises;
  outb(kCommand, 0x20);
  for (int s = 0; s < 3; s++) {
    EXPECT_EQ(irq14.rises, rises + s + 1);
    EXPECT_EQ(inb(kStatus), 0x58);
    std::vector<uint8_t> data = readBlock();
    expectSector(data.data(), 5 + s);
  }
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_EQ(irq14.rises, rises + 3);  // no interrupt after the last block of a read
}

TEST_F(Ide, PioReadMultipleAndExt) {
  outb(kNsect, 4);
  outb(kCommand, 0xc6);  // SET MULTIPLE MODE: 4 sectors per block
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_EQ(ide.disk(0)->multipleCount(), 4u);
  lba28(100, 6);
  int rises = irq14.rises;
  outb(kCommand, 0xc4);
  EXPECT_EQ(inb(kStatus), 0x58);
  std::vector<uint8_t> a = readBlock(4);
  EXPECT_EQ(irq14.rises, rises + 2);
  EXPECT_EQ(inb(kStatus), 0x58);
  std::vector<uint8_t> b = readBlock(2);
  EXPECT_EQ(irq14.rises, rises + 2);
  EXPECT_EQ(inb(kStatus), 0x50);
  for (int s = 0; s < 4; s++) expectSector(&a[512 * s], 100 + s);
  for (int s = 0; s < 2; s++) expectSector(&b[512 * s], 104 + s);

  // SET MULTIPLE with a size that is not a power of two aborts.
  outb(kNsect, 3);
  outb(kCommand, 0xc6);
  EXPECT_EQ(inb(kStatus), 0x41);

  // READ SECTORS EXT at a 48-bit address (the high bytes through the HOB).
  lba48(8000, 2);
  outb(kCommand, 0x24);
  EXPECT_EQ(inb(kStatus), 0x58);
  std::vector<uint8_t> c = readBlock(2);
  expectSector(&c[0], 8000);
  expectSector(&c[512], 8001);
  EXPECT_EQ(inb(kStatus), 0x50);
  // HOB readback.
  lba48(0x123456789aull, 1);
  outb(kDevCtl, 0x80);
  EXPECT_EQ(inb(kLbal), 0x34);
  EXPECT_EQ(inb(kLbam), 0x12);
  EXPECT_EQ(inb(kLbah), 0x00);
  outb(kDevCtl, 0x00);
  EXPECT_EQ(inb(kLbal), 0x9a);
  EXPECT_EQ(inb(kLbam), 0x78);
  EXPECT_EQ(inb(kLbah), 0x56);
}

TEST_F(Ide, PioReadInChsMode) {
  // Cylinder 1, head 2, sector 3 of the default 16-head, 63-sector geometry.
  outb(kNsect, 1);
  outb(kLbal, 3);
  outb(kLbam, 1);
  outb(kLbah, 0);
  outb(kDevice, 0xa2);
  outb(kCommand, 0x20);
  ASSERT_EQ(inb(kStatus), 0x58);
  std::vector<uint8_t> d = readBlock();
  expectSector(d.data(), (1 * 16 + 2) * 63 + 3 - 1);
  // Sector 0 does not exist.
  outb(kLbal, 0);
  outb(kCommand, 0x20);
  EXPECT_EQ(inb(kStatus), 0x41);
  // INITIALIZE DEVICE PARAMETERS: 4 heads, 17 sectors per track.
  outb(kNsect, 17);
  outb(kDevice, 0xa3);
  outb(kCommand, 0x91);
  EXPECT_EQ(inb(kStatus), 0x50);
  std::vector<uint16_t> w = identify();
  EXPECT_EQ(w[55], 4);
  EXPECT_EQ(w[56], 17);
  outb(kNsect, 1);
  outb(kLbal, 1);
  outb(kLbam, 2);
  outb(kLbah, 0);
  outb(kDevice, 0xa1);
  outb(kCommand, 0x20);
  ASSERT_EQ(inb(kStatus), 0x58);
  d = readBlock();
  expectSector(d.data(), (2 * 4 + 1) * 17);
}

TEST_F(Ide, PioWriteSectorsReachTheImage) {
  lba28(10, 2);
  int rises = irq14.rises;
  outb(kCommand, 0x30);
  EXPECT_EQ(inb(kAltStatus), 0x58);
  EXPECT_EQ(irq14.rises, rises);  // the first block is asked for without an interrupt
  for (int i = 0; i < 256; i++) outw(kData, uint16_t(0xa000 + i));
  EXPECT_EQ(irq14.rises, rises + 1);
  EXPECT_EQ(inb(kStatus), 0x58);
  for (int i = 0; i < 128; i++) outl(kData, 0xb0000000u + uint32_t(2 * i) * 0x10001u + 0x10000u);
  EXPECT_EQ(irq14.rises, rises + 2);
  EXPECT_EQ(inb(kStatus), 0x50);
  std::vector<uint8_t> got = image.read(10 * 512, 1024);
  for (int i = 0; i < 256; i++) {
    EXPECT_EQ(got[2 * i], uint8_t(i));
    EXPECT_EQ(got[2 * i + 1], 0xa0);
  }
  for (int i = 0; i < 256; i++) {
    uint16_t want = i % 2 == 0 ? uint16_t(i) : uint16_t(0xb000 + i);
    EXPECT_EQ(uint16_t(got[512 + 2 * i] | got[512 + 2 * i + 1] << 8), want) << i;
  }
  // Neighbours are untouched.
  std::vector<uint8_t> before = image.read(9 * 512, 512), after = image.read(12 * 512, 512);
  expectSector(before.data(), 9);
  expectSector(after.data(), 12);

  // FLUSH CACHE and FLUSH CACHE EXT.
  rises = irq14.rises;
  outb(kCommand, 0xe7);
  EXPECT_EQ(irq14.rises, rises + 1);
  EXPECT_EQ(inb(kStatus), 0x50);
  outb(kCommand, 0xea);
  EXPECT_EQ(inb(kStatus), 0x50);
}

TEST_F(Ide, PioWriteMultipleExt) {
  outb(kNsect, 2);
  outb(kCommand, 0xc6);
  lba48(4000, 3);
  outb(kCommand, 0x39);
  EXPECT_EQ(inb(kAltStatus), 0x58);
  for (int i = 0; i < 512; i++) outw(kData, 0x1111);   // block of 2
  EXPECT_EQ(inb(kStatus), 0x58);
  for (int i = 0; i < 256; i++) outw(kData, 0x2222);   // block of 1
  EXPECT_EQ(inb(kStatus), 0x50);
  std::vector<uint8_t> got = image.read(4000 * 512, 3 * 512);
  for (int i = 0; i < 1024; i++) ASSERT_EQ(got[i], 0x11);
  for (int i = 1024; i < 1536; i++) ASSERT_EQ(got[i], 0x22);
}

TEST_F(Ide, DmaReadThroughATwoEntryPrdTable) {
  putPrd(0, 0x10000, 1024, false);
  putPrd(1, 0x20000, 1024, true);
  // libata: table address, direction, command, then start.
  outl(kBmBase + 4, kPrdTable);
  outb(kBmBase + 0, 0x08);
  lba28(20, 4);
  int rises = irq14.rises;
  outb(kCommand, 0xc8);
  EXPECT_EQ(inb(kAltStatus), 0x58);
  EXPECT_EQ(irq14.rises, rises);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(irq14.rises, rises + 1);
  EXPECT_TRUE(irq14.level);
  EXPECT_EQ(inb(kBmBase + 2), 0x04);  // interrupt, no longer active: the table was used up
  outb(kBmBase + 0, 0x08);            // stop
  EXPECT_EQ(inb(kAltStatus), 0x50);
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_FALSE(irq14.level);
  outb(kBmBase + 2, 0x06);
  EXPECT_EQ(inb(kBmBase + 2), 0x00);
  expectSector(&ram[0x10000], 20);
  expectSector(&ram[0x10200], 21);
  expectSector(&ram[0x20000], 22);
  expectSector(&ram[0x20200], 23);
  EXPECT_EQ(ram[0x10400], 0);  // nothing past the entry
}

TEST_F(Ide, DmaReadExtWithTheEngineStartedFirst) {
  // FreeBSD's ATA_DMA_BEFORE_CMD order, an LBA48 command, 64 KiB entries.
  putPrd(0, 0x40000, 0, false);        // 0 = 64 KiB
  putPrd(1, 0x80000, 0x8000, true);
  outl(kBmBase + 4, kPrdTable);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(inb(kBmBase + 2), 0x01);  // active, waiting for the device
  lba48(1000, 192);
  outb(kCommand, 0x25);
  EXPECT_EQ(inb(kBmBase + 2), 0x04);
  EXPECT_EQ(inb(kStatus), 0x50);
  for (int s = 0; s < 128; s++) expectSector(&ram[0x40000 + 512 * s], 1000 + s);
  for (int s = 0; s < 64; s++) expectSector(&ram[0x80000 + 512 * s], 1128 + s);
}

TEST_F(Ide, DmaWriteReachesTheImage) {
  for (int i = 0; i < 1024; i++) ram[0x30000 + i] = uint8_t(i * 3);
  for (int i = 0; i < 512; i++) ram[0x38000 + i] = uint8_t(0xc3 ^ i);
  putPrd(0, 0x30000, 1024, false);
  putPrd(1, 0x38000, 512, true);
  outl(kBmBase + 4, kPrdTable);
  outb(kBmBase + 0, 0x00);  // from memory
  lba28(50, 3);
  outb(kCommand, 0xca);
  outb(kBmBase + 0, 0x01);
  EXPECT_EQ(inb(kBmBase + 2), 0x04);
  EXPECT_EQ(inb(kStatus), 0x50);
  outb(kBmBase + 0, 0x00);
  std::vector<uint8_t> got = image.read(50 * 512, 1536);
  for (int i = 0; i < 1024; i++) ASSERT_EQ(got[i], uint8_t(i * 3));
  for (int i = 0; i < 512; i++) ASSERT_EQ(got[1024 + i], uint8_t(0xc3 ^ i));
  expectSector(image.read(53 * 512, 512).data(), 53);

  // WRITE DMA EXT of one sector, then FLUSH CACHE EXT.
  for (int i = 0; i < 512; i++) ram[0x50000 + i] = 0x5a;
  putPrd(0, 0x50000, 512, true);
  lba48(7000, 1);
  outb(kCommand, 0x35);
  outb(kBmBase + 0, 0x01);
  EXPECT_EQ(inb(kStatus), 0x50);
  outb(kBmBase + 0, 0x00);
  outb(kBmBase + 2, 0x04);
  outb(kCommand, 0xea);
  EXPECT_EQ(inb(kStatus), 0x50);
  got = image.read(7000 * 512, 512);
  for (int i = 0; i < 512; i++) ASSERT_EQ(got[i], 0x5a);
}

TEST_F(Ide, PrdTableLongerOrShorterThanTheTransfer) {
  // Longer: the interrupt comes, active stays set until the driver stops.
  putPrd(0, 0x10000, 4096, true);
  outl(kBmBase + 4, kPrdTable);
  outb(kBmBase + 0, 0x08);
  lba28(0, 2);
  outb(kCommand, 0xc8);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(inb(kBmBase + 2), 0x05);
  EXPECT_EQ(inb(kStatus), 0x50);
  outb(kBmBase + 0, 0x08);
  EXPECT_EQ(inb(kBmBase + 2), 0x04);
  outb(kBmBase + 2, 0x04);
  expectSector(&ram[0x10200], 1);

  // Shorter: active clears, no interrupt, the device stops.
  LogCapture log;
  putPrd(0, 0x10000, 512, true);
  lba28(0, 2);
  int rises = irq14.rises;
  outb(kCommand, 0xc8);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(inb(kBmBase + 2), 0x00);
  EXPECT_EQ(irq14.rises, rises);
  EXPECT_EQ(inb(kAltStatus), 0x50);
  EXPECT_NE(log.text().find("PRD table shorter"), std::string::npos);
}

TEST_F(Ide, DmaBusErrors) {
  LogCapture log;
  // A PRD entry pointing outside RAM.
  putPrd(0, 0x7ff00000, 512, true);
  outl(kBmBase + 4, kPrdTable);
  outb(kBmBase + 0, 0x08);
  lba28(0, 1);
  outb(kCommand, 0xc8);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(inb(kBmBase + 2), 0x06);  // error and interrupt, not active
  EXPECT_EQ(inb(kStatus), 0x41);
  EXPECT_EQ(inb(kError), 0x04);
  outb(kBmBase + 0, 0x08);
  outb(kBmBase + 2, 0x06);
  // Bus mastering disabled in the command register.
  cfgWrite(0x04, 0x0001, 2);
  putPrd(0, 0x10000, 512, true);
  outb(kCommand, 0xc8);
  outb(kBmBase + 0, 0x09);
  EXPECT_EQ(inb(kBmBase + 2), 0x06);
  EXPECT_EQ(inb(kStatus), 0x41);
  EXPECT_NE(log.text().find("bus mastering disabled"), std::string::npos);
}

TEST_F(Ide, AddressesBeyondTheEndAbort) {
  LogCapture log;
  uint64_t last = image.sectors() - 1;
  lba28(uint32_t(last), 1);
  outb(kCommand, 0x20);
  EXPECT_EQ(inb(kStatus), 0x58);  // the last sector is fine
  readBlock();
  int rises = irq14.rises;
  lba28(uint32_t(last), 2);
  outb(kCommand, 0x20);
  EXPECT_EQ(irq14.rises, rises + 1);
  EXPECT_EQ(inb(kStatus), 0x41);
  EXPECT_EQ(inb(kError), 0x04);
  lba48(1ull << 40, 1);
  outb(kCommand, 0x35);
  EXPECT_EQ(inb(kStatus), 0x41);
  lba28(uint32_t(image.sectors()), 1);
  outb(kCommand, 0x40);  // READ VERIFY
  EXPECT_EQ(inb(kStatus), 0x41);
  lba28(0, 0);           // 0 = 256 sectors
  outb(kCommand, 0x40);
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_NE(log.text().find("beyond the end"), std::string::npos);
  // Unknown commands abort too.
  outb(kCommand, 0xb0);
  EXPECT_EQ(inb(kStatus), 0x41);
  EXPECT_EQ(inb(kError), 0x04);
  outb(kCommand, 0xa1);  // IDENTIFY PACKET DEVICE: not an ATAPI device
  EXPECT_EQ(inb(kStatus), 0x41);
}

TEST_F(Ide, PowerCommandsAndDiagnostics) {
  for (uint8_t cmd : {0xe0, 0xe1, 0xe2, 0xe3, 0x10, 0x70}) {
    outb(kCommand, cmd);
    EXPECT_EQ(inb(kStatus), 0x50) << int(cmd);
  }
  outb(kNsect, 0);
  outb(kCommand, 0xe5);  // CHECK POWER MODE
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_EQ(inb(kNsect), 0xff);
  outb(kLbam, 0x12);
  outb(kDevice, 0xb0);   // the slave is absent, diagnostics still run
  int rises = irq14.rises;
  outb(kCommand, 0x90);
  EXPECT_EQ(irq14.rises, rises + 1);
  EXPECT_EQ(inb(kStatus), 0x50);  // device 0 selected again
  EXPECT_EQ(inb(kError), 0x01);
  EXPECT_EQ(inb(kNsect), 0x01);
  EXPECT_EQ(inb(kLbam), 0x00);
}

TEST_F(Ide, AbsentSlaveAnswersAsLibataExpects) {
  // ata_devchk() on device 1: device 0 echoes the shadow registers.
  outb(kDevice, 0xb0);
  outb(kNsect, 0x55);
  outb(kLbal, 0xaa);
  EXPECT_EQ(inb(kNsect), 0x55);
  EXPECT_EQ(inb(kLbal), 0xaa);
  EXPECT_EQ(inb(kStatus), 0x00);
  EXPECT_EQ(inb(kAltStatus), 0x00);
  EXPECT_EQ(inb(kError), 0x00);
  // Commands to it go nowhere.
  int rises = irq14.rises;
  outb(kCommand, 0xec);
  EXPECT_EQ(irq14.rises, rises);
  EXPECT_EQ(inb(kStatus), 0x00);
  EXPECT_EQ(inw(kData), 0xffff);
  // SRST, then ata_sff_dev_classify(): device 0 is ATA (err 1, 00/00,
  // status nonzero), device 1 has err 0, signature 00/00 and status 0 -
  // libata's "no device".
  outb(kDevCtl, 0x04);
  outb(kDevCtl, 0x00);
  EXPECT_EQ(inb(kError), 0x01);
  EXPECT_EQ(inb(kLbam), 0x00);
  EXPECT_EQ(inb(kLbah), 0x00);
  EXPECT_NE(inb(kStatus), 0x00);
  outb(kDevice, 0xb0);
  EXPECT_EQ(inb(kError), 0x00);
  EXPECT_EQ(inb(kNsect), 0x01);
  EXPECT_EQ(inb(kLbal), 0x01);
  EXPECT_EQ(inb(kLbam), 0x00);
  EXPECT_EQ(inb(kStatus), 0x00);
}

TEST_F(Ide, EmptyChannelFloats) {
  for (uint32_t port = 0x171; port <= 0x177; port++) EXPECT_EQ(inb(port), 0x7f) << port;
  EXPECT_EQ(inb(0x376), 0x7f);
  outb(0x172, 0x55);
  EXPECT_EQ(inb(0x172), 0x7f);
  outb(0x177, 0xec);
  EXPECT_EQ(irq15.rises, 0);
  EXPECT_EQ(inw(0x170), 0xffff);
}

TEST_F(Ide, NienMasksTheInterrupt) {
  outb(kDevCtl, 0x02);
  outb(kDevice, 0xa0);
  outb(kCommand, 0xec);
  EXPECT_FALSE(irq14.level);
  EXPECT_EQ(inb(kBmBase + 2) & 0x04, 0);  // INTRQ never asserted
  EXPECT_EQ(inb(kAltStatus), 0x58);      // polled: the data is there
  // Clearing nIEN lets the pending interrupt out.
  outb(kDevCtl, 0x00);
  EXPECT_TRUE(irq14.level);
  EXPECT_EQ(inb(kBmBase + 2) & 0x04, 0x04);
  outb(kDevCtl, 0x02);
  EXPECT_FALSE(irq14.level);
  EXPECT_EQ(inb(kStatus), 0x58);  // and reading status clears it
  outb(kDevCtl, 0x00);
  EXPECT_FALSE(irq14.level);
  readBlock();
  EXPECT_EQ(inb(kStatus), 0x50);
}

TEST_F(Ide, SoftwareResetAbandonsCommands) {
  outb(kNsect, 8);
  outb(kCommand, 0xc6);
  lba28(0, 4);
  outb(kCommand, 0x20);
  EXPECT_EQ(inb(kAltStatus), 0x58);
  EXPECT_TRUE(irq14.level);
  outb(kDevCtl, 0x04);
  EXPECT_EQ(inb(kAltStatus), 0x90);  // BSY during reset
  EXPECT_FALSE(irq14.level);
  outb(kNsect, 0x33);                 // ignored while in reset
  outb(kDevCtl, 0x00);
  EXPECT_FALSE(irq14.level);          // no interrupt after SRST
  EXPECT_EQ(inb(kStatus), 0x50);
  EXPECT_EQ(inb(kError), 0x01);
  EXPECT_EQ(inb(kNsect), 0x01);
  EXPECT_EQ(inb(kLbal), 0x01);
  EXPECT_EQ(inb(kLbam), 0x00);
  EXPECT_EQ(inb(kLbah), 0x00);
  EXPECT_EQ(inb(kDevice) & 0x10, 0);
  EXPECT_EQ(inw(kData), 0);           // no data pending any more
  EXPECT_EQ(ide.disk(0)->multipleCount(), 8u);  // settings survive SRST
  // A hardware reset restores the power-on settings.
  ide.reset();
  EXPECT_EQ(ide.disk(0)->multipleCount(), 16u);
  EXPECT_EQ(cfgRead(0x20, 4), 1u);
  EXPECT_EQ(cfgRead(0x40, 2), 0x8000u);
}

TEST_F(Ide, IdetimDecodeEnable) {
  EXPECT_TRUE(ide.legacyDecoded(0));
  cfgWrite(0x41, 0x00, 1);
  EXPECT_FALSE(ide.legacyDecoded(0));
  EXPECT_EQ(inb(kStatus), 0xff);  // nobody answers
  EXPECT_EQ(inb(kAltStatus), 0xff);
  EXPECT_TRUE(ide.legacyDecoded(1));
  cfgWrite(0x40, 0x8000, 2);
  EXPECT_EQ(inb(kStatus), 0x50);
  cfgWrite(0x40, 0x80008000, 4);
  EXPECT_TRUE(ide.legacyDecoded(0) && ide.legacyDecoded(1));
}

TEST_F(Ide, ReadOnlyImageRejectsWrites) {
  LogCapture log;
  Piix4Ide ro{IrqLine(), IrqLine()};
  ro.attach(2, image.open(true));
  IoSpace isa;
  ro.mapLegacyPorts(isa);
  isa.write(0x172, 1, 1);
  isa.write(0x173, 0, 1);
  isa.write(0x176, 0xe0, 1);
  isa.write(0x177, 0x30, 1);
  EXPECT_EQ(isa.read(0x177, 1), 0x41u);
  EXPECT_EQ(isa.read(0x171, 1), 0x04u);
  isa.write(0x177, 0x20, 1);
  EXPECT_EQ(isa.read(0x177, 1), 0x58u);
  EXPECT_NE(log.text().find("read-only"), std::string::npos);
}

TEST(BlockBackend, OpenErrorsAreOneLine) {
  std::string err;
  EXPECT_FALSE(BlockBackend::open("/nonexistent/mimic/disk.img", false, err));
  EXPECT_NE(err.find("No such file"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  EXPECT_FALSE(BlockBackend::open(std::filesystem::temp_directory_path().string(), true, err));
  EXPECT_NE(err.find("directory"), std::string::npos) << err;
  TempImage img(4);
  chmod(img.path().c_str(), 0444);
  if (access(img.path().c_str(), W_OK) != 0) {  // not root
    EXPECT_FALSE(BlockBackend::open(img.path(), false, err));
    EXPECT_NE(err.find("readonly=on"), std::string::npos) << err;
  }
  auto ro = BlockBackend::open(img.path(), true, err);
  ASSERT_TRUE(ro) << err;
  EXPECT_EQ(ro->size(), 2048u);
  uint8_t b[512];
  EXPECT_TRUE(ro->read(512, b, 512));
  EXPECT_EQ(b[0], patternByte(1, 0));
  EXPECT_FALSE(ro->write(0, b, 512));
  EXPECT_FALSE(ro->read(2000, b, 512));  // past the end
  EXPECT_TRUE(ro->flush());
}

TEST(Piix4IdeFuzz, RandomAccessesNeverBreakIt) {
  TempImage image(512);
  std::vector<uint8_t> ram(1 << 20);
  AddressSpace as;
  as.addRam("ram", 0, ram.size(), ram.data());
  IoSpace io, mem{1ull << 32, 0xff, "pci-mem"};
  Function0 f0;
  IrqProbe p14, p15;
  Piix4Ide ide(IrqLine(&IrqProbe::handler, &p14, 14), IrqLine(&IrqProbe::handler, &p15, 15));
  PciBus bus(io, mem, as);
  bus.attach(0x50, &f0);
  std::string err;
  ide.attach(0, BlockBackend::open(image.path(), false, err));
  ide.attach(3, BlockBackend::open(image.path(), true, err));
  bus.attach(kDevfn, &ide);
  ide.mapLegacyPorts(io);
  bus.configWrite(kDevfn, 0x20, kBmBase, 4);
  bus.configWrite(kDevfn, 0x04, 5, 2);

  std::mt19937 rng(1234);
  static constexpr uint32_t kPorts[] = {0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
                                        0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376};
  // Commands worth hitting often, so the fuzz reaches deep states.
  static constexpr uint8_t kCommands[] = {0x20, 0x24, 0x25, 0x29, 0x30, 0x34, 0x35, 0x39, 0x40, 0x90, 0x91,
                                          0xc4, 0xc5, 0xc6, 0xc8, 0xca, 0xe5, 0xe7, 0xea, 0xec, 0xef};
  for (int i = 0; i < 200000; i++) {
    unsigned size = 1u << (rng() % 3);
    uint32_t value = rng();
    switch (rng() % 11) {
      case 0: case 1: case 2: {  // ATA registers, biased towards requests that fit the disk
        uint32_t port = kPorts[rng() % (sizeof kPorts / sizeof kPorts[0])];
        unsigned reg = port & 7;
        bool control = (port & 0x3ff) >= 0x376;
        if (control) {
          if (rng() % 16) value &= ~0x04u;  // mostly out of reset
        } else if (reg == 7 && rng() % 2) {
          value = kCommands[rng() % sizeof kCommands];
        } else if (reg == 6 && rng() % 2) {
          static constexpr uint8_t kDevices[] = {0xa0, 0xb0, 0xe0, 0xf0, 0x40, 0x50};
          value = kDevices[rng() % sizeof kDevices];
        } else if ((reg == 2 || reg == 4 || reg == 5) && rng() % 2) {
          value = reg == 2 ? rng() % 9 : 0;
        }
        if (rng() % 2) {
          io.write(port, value, control ? 1 : size);
        } else {
          io.read(port, size);
        }
        break;
      }
      case 3: case 4: case 5:  // the data ports
        if (rng() % 2) {
          io.read(rng() % 2 ? 0x1f0 : 0x170, size);
        } else {
          io.write(rng() % 2 ? 0x1f0 : 0x170, value, size);
        }
        break;
      case 6: case 7: {  // bus-master registers (wherever BAR4 is now)
        unsigned off = rng() % 16;
        if ((off & 7) == 4 && rng() % 2) {
          value = kPrdTable + 8 * (rng() % 4);
          size = 4;
        } else if ((off & 7) == 0 && rng() % 2) {
          value = rng() % 2 ? 0x09 : 0x01;  // start, mostly the right way round
          size = 1;
        }
        if (rng() % 2) {
          io.write(kBmBase + off, value, size);
        } else {
          io.read(kBmBase + off, size);
        }
        break;
      }
      case 8: {  // PRD tables, mostly valid ones
        uint32_t off = rng() % 2 ? kPrdTable + 8 * (rng() % 8) : rng() % uint32_t(ram.size() - 8);
        uint32_t entry[2] = {uint32_t(rng() % 0x110000), uint32_t(rng() & 0x8000fffe)};
        if (rng() % 2) entry[0] = 0x10000 + uint32_t(rng() % 0x80000);
        std::memcpy(&ram[off & ~7u], entry, 8);
        break;
      }
      case 10: {  // a driver-like DMA command with random parameters, amid the noise
        uint32_t ch_base = rng() % 4 ? 0x1f0 : 0x170;
        uint32_t bm = kBmBase + (ch_base == 0x170 ? 8 : 0);
        bool to_memory = rng() % 2;
        io.write(bm + 4, kPrdTable + 8 * (rng() % 4), 4);
        io.write(bm, to_memory ? 0x08 : 0x00, 1);
        io.write(ch_base + 2, rng() % 16, 1);
        io.write(ch_base + 3, rng() % 600, 1);
        io.write(ch_base + 4, rng() % 4 ? 0 : rng() % 3, 1);
        io.write(ch_base + 5, 0, 1);
        io.write(ch_base + 6, rng() % 4 ? 0xe0 : 0xf0, 1);
        io.write(ch_base + 7, to_memory ? 0xc8 : 0xca, 1);
        if (rng() % 8) io.write(bm, to_memory ? 0x09 : 0x01, 1);
        break;
      }
      case 9: {  // configuration space
        unsigned off = rng() % 256;
        off &= ~(size - 1);
        if (rng() % 8 == 0) off = 0x40 + (rng() % 4);
        if (rng() % 2) {
          bus.configWrite(kDevfn, off, value, size);
        } else {
          uint32_t v;
          bus.configRead(kDevfn, off, size, v);
        }
        // Mostly keep the controller reachable, as a driver would.
        if (rng() % 4 == 0) {
          bus.configWrite(kDevfn, 0x20, kBmBase, 4);
          bus.configWrite(kDevfn, 0x04, 5, 2);
          bus.configWrite(kDevfn, 0x40, 0x80008000, 4);
        }
        if (rng() % 5000 == 0) ide.reset();
        break;
      }
    }
  }
  // Still a working disk afterwards.
  ide.reset();
  bus.configWrite(kDevfn, 0x20, kBmBase, 4);
  bus.configWrite(kDevfn, 0x04, 5, 2);
  io.write(0x1f6, 0xa0, 1);
  io.write(0x1f7, 0xec, 1);
  EXPECT_EQ(io.read(0x1f7, 1), 0x58u);
  EXPECT_EQ(io.read(0x1f0, 2), 0x0040u);
}

}  // namespace
