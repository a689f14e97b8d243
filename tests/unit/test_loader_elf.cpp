#include "hw/core/loader_elf.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hw/core/memory.h"

using mimic::hw::AddressSpace;
using mimic::hw::ElfImage;
using mimic::hw::ElfLoadOptions;
using mimic::hw::loadElf;
using mimic::hw::loadElfFile;

namespace {

// Builds a small ELF32 file by hand.
class ElfBuilder {
 public:
  struct Seg {
    uint32_t type = 1;  // PT_LOAD
    uint32_t vaddr, paddr;
    std::vector<uint8_t> data;
    uint32_t memsz;
    uint32_t flags = 7;
  };
  explicit ElfBuilder(bool be) : be_(be) {}
  ElfBuilder& entry(uint32_t e) {
    entry_ = e;
    return *this;
  }
  ElfBuilder& machine(uint16_t m) {
    machine_ = m;
    return *this;
  }
  ElfBuilder& type(uint16_t t) {
    type_ = t;
    return *this;
  }
  ElfBuilder& segment(uint32_t vaddr, uint32_t paddr, std::vector<uint8_t> data, uint32_t memsz,
                      uint32_t ptype = 1) {
    segs_.push_back(Seg{ptype, vaddr, paddr, std::move(data), memsz});
    return *this;
  }
  std::vector<uint8_t> build(uint16_t phentsize = 32) const {
    std::vector<uint8_t> f(52 + 32 * segs_.size(), 0);
    f[0] = 0x7f;
    f[1] = 'E';
    f[2] = 'L';
    f[3] = 'F';
    f[4] = 1;  // ELFCLASS32
    f[5] = be_ ? 2 : 1;
    f[6] = 1;
    put16(f, 16, type_);
    put16(f, 18, machine_);
    put32(f, 20, 1);
    put32(f, 24, entry_);
    put32(f, 28, 52);  // e_phoff
    put16(f, 40, 52);
    put16(f, 42, phentsize);
    put16(f, 44, static_cast<uint16_t>(segs_.size()));
    for (size_t i = 0; i < segs_.size(); i++) {
      const Seg& s = segs_[i];
      size_t ph = 52 + 32 * i;
      uint32_t offset = static_cast<uint32_t>(f.size());
      f.insert(f.end(), s.data.begin(), s.data.end());
      put32(f, ph + 0, s.type);
      put32(f, ph + 4, offset);
      put32(f, ph + 8, s.vaddr);
      put32(f, ph + 12, s.paddr);
      put32(f, ph + 16, static_cast<uint32_t>(s.data.size()));
      put32(f, ph + 20, s.memsz);
      put32(f, ph + 24, s.flags);
      put32(f, ph + 28, 4);
    }
    return f;
  }

 private:
  void put16(std::vector<uint8_t>& f, size_t off, uint16_t v) const {
    f[off + (be_ ? 0 : 1)] = static_cast<uint8_t>(v >> 8);
    f[off + (be_ ? 1 : 0)] = static_cast<uint8_t>(v);
  }
  void put32(std::vector<uint8_t>& f, size_t off, uint32_t v) const {
    for (int i = 0; i < 4; i++) f[off + (be_ ? i : 3 - i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
  }
  bool be_;
  uint32_t entry_ = 0x80100000;
  uint16_t machine_ = 8;
  uint16_t type_ = 2;
  std::vector<Seg> segs_;
};

class Loader : public ::testing::Test {
 protected:
  Loader() : ram(1 << 20, 0xaa) {
    as.addRam("ram", 0, ram.size(), ram.data());
    opt.to_phys = [](uint64_t a) { return a & 0x1fffffff; };  // Malta's kseg0/kseg1 mapping
    opt.ram_base = 0;
    opt.ram_size = ram.size();
  }
  bool load(const std::vector<uint8_t>& f) { return loadElf(f.data(), f.size(), &as, opt, img, err); }
  std::vector<uint8_t> ram;
  AddressSpace as;
  ElfLoadOptions opt;
  ElfImage img;
  std::string err;
};

TEST_F(Loader, LoadsLittleEndianWithBss) {
  auto f = ElfBuilder(false)
               .entry(0x80010008)
               .segment(0x80010000, 0x80010000, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0x20)
               .build();
  ASSERT_TRUE(load(f)) << err;
  EXPECT_EQ(img.entry, 0x80010008u);
  EXPECT_FALSE(img.big_endian);
  EXPECT_EQ(img.low, 0x10000u);
  EXPECT_EQ(img.high, 0x10020u);
  ASSERT_EQ(img.segments.size(), 1u);
  EXPECT_EQ(img.segments[0].paddr, 0x10000u);
  EXPECT_EQ(img.segments[0].vaddr, 0x80010000u);
  EXPECT_EQ(ram[0x10000], 1);
  EXPECT_EQ(ram[0x10009], 10);
  EXPECT_EQ(ram[0x1000a], 0);  // bss zeroed
  EXPECT_EQ(ram[0x1001f], 0);
  EXPECT_EQ(ram[0x10020], 0xaa);  // nothing beyond
  EXPECT_EQ(ram[0xffff], 0xaa);
}

TEST_F(Loader, LoadsBigEndianAndUsesThePhysicalAddress) {
  auto f = ElfBuilder(true)
               .entry(0xa0020000)
               .segment(0xa0020000, 0xa0020000, {0xde, 0xad}, 2)   // kseg1
               .segment(0x80030000, 0x00040000, {0xbe, 0xef}, 4)   // linked with AT(0x40000)
               .build();
  ASSERT_TRUE(load(f)) << err;
  EXPECT_TRUE(img.big_endian);
  EXPECT_EQ(img.entry, 0xa0020000u);
  EXPECT_EQ(ram[0x20000], 0xde);
  EXPECT_EQ(ram[0x40000], 0xbe);
  EXPECT_EQ(ram[0x40003], 0x00);
  EXPECT_EQ(ram[0x30000], 0xaa);
  EXPECT_EQ(img.low, 0x20000u);
  EXPECT_EQ(img.high, 0x40004u);
}

TEST_F(Loader, IgnoresOtherSegmentsAndEmptyOnes) {
  auto f = ElfBuilder(false)
               .segment(0x80001000, 0x80001000, {1}, 1, /*PT_NOTE*/ 4)
               .segment(0x80002000, 0x80002000, {}, 0)
               .segment(0x80003000, 0x80003000, {7}, 1)
               .build();
  ASSERT_TRUE(load(f)) << err;
  EXPECT_EQ(img.segments.size(), 1u);
  EXPECT_EQ(ram[0x1000], 0xaa);
  EXPECT_EQ(ram[0x3000], 7);
}

TEST_F(Loader, ForcedEndianness) {
  auto le = ElfBuilder(false).segment(0x80001000, 0x80001000, {1}, 1).build();
  opt.force_big_endian = false;
  EXPECT_TRUE(load(le)) << err;
  opt.force_big_endian = true;
  EXPECT_FALSE(load(le));
  EXPECT_EQ(err, "the ELF file is little-endian but big-endian was forced");
}

TEST_F(Loader, RejectsWhatIsNotAnElf) {
  std::vector<uint8_t> text = {'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h', '\n'};
  EXPECT_FALSE(load(text));
  EXPECT_EQ(err, "not an ELF file");
  EXPECT_FALSE(load({}));
  EXPECT_EQ(err, "not an ELF file");
  auto f = ElfBuilder(false).segment(0x80001000, 0x80001000, {1}, 1).build();
  f.resize(30);
  EXPECT_FALSE(load(f));
  EXPECT_NE(err.find("truncated ELF file"), std::string::npos) << err;
}

TEST_F(Loader, RejectsOtherArchitecturesAndClasses) {
  auto x86 = ElfBuilder(false).machine(62).segment(0x1000, 0x1000, {1}, 1).build();
  EXPECT_FALSE(load(x86));
  EXPECT_EQ(err, "ELF for x86-64 (e_machine 62), not MIPS (e_machine 8)");
  auto arm = ElfBuilder(false).machine(40).segment(0x1000, 0x1000, {1}, 1).build();
  EXPECT_FALSE(load(arm));
  EXPECT_NE(err.find("ARM"), std::string::npos);
  auto rs3 = ElfBuilder(false).machine(10).segment(0x1000, 0x1000, {1}, 1).build();
  EXPECT_FALSE(load(rs3));
  auto c64 = ElfBuilder(false).segment(0x1000, 0x1000, {1}, 1).build();
  c64[4] = 2;
  EXPECT_FALSE(load(c64));
  EXPECT_NE(err.find("64-bit ELF"), std::string::npos) << err;
  auto enc = ElfBuilder(false).segment(0x1000, 0x1000, {1}, 1).build();
  enc[5] = 3;
  EXPECT_FALSE(load(enc));
  EXPECT_EQ(err, "bad ELF data encoding 3");
  auto rel = ElfBuilder(false).type(1).segment(0x1000, 0x1000, {1}, 1).build();
  EXPECT_FALSE(load(rel));
  EXPECT_NE(err.find("relocatable"), std::string::npos);
}

TEST_F(Loader, RejectsBadSegments) {
  auto outside = ElfBuilder(false).segment(0x80100000, 0x80100000, {1}, 1).build();  // RAM is 1 MiB
  EXPECT_FALSE(load(outside));
  EXPECT_EQ(err, "segment 0 (physical 0x100000-0x100000, linked at 0x80100000) is outside RAM (0x0-0xfffff)");
  auto bss_outside = ElfBuilder(false).segment(0x800ff000, 0x800ff000, {1}, 0x2000).build();
  EXPECT_FALSE(load(bss_outside));
  EXPECT_NE(err.find("outside RAM"), std::string::npos);

  auto overlap = ElfBuilder(false)
                     .segment(0x80001000, 0x80001000, {1, 2}, 0x100)
                     .segment(0xa00010f0, 0xa00010f0, {3}, 0x10)  // same memory through kseg1
                     .build();
  EXPECT_FALSE(load(overlap));
  EXPECT_EQ(err, "segments 0 and 1 overlap in physical memory (0x1000-0x10ff and 0x10f0-0x10ff)");

  auto trunc = ElfBuilder(false).segment(0x80001000, 0x80001000, {1, 2, 3, 4}, 4).build();
  trunc.pop_back();
  EXPECT_FALSE(load(trunc));
  EXPECT_NE(err.find("truncated ELF file: segment 0 data ends"), std::string::npos) << err;

  auto fs = ElfBuilder(false).segment(0x80001000, 0x80001000, {1, 2, 3, 4}, 2).build();
  EXPECT_FALSE(load(fs));
  EXPECT_NE(err.find("larger than its memory size"), std::string::npos);

  auto none = ElfBuilder(false).segment(0x80001000, 0x80001000, {1}, 1, 4).build();
  EXPECT_FALSE(load(none));
  EXPECT_EQ(err, "no loadable (PT_LOAD) segment");

  auto phsize = ElfBuilder(false).segment(0x80001000, 0x80001000, {1}, 1).build(40);
  EXPECT_FALSE(load(phsize));
  EXPECT_NE(err.find("program header size"), std::string::npos);

  // A failed load writes nothing, even for the good segments before the bad one.
  EXPECT_EQ(ram[0x1000], 0xaa);
}

TEST_F(Loader, ValidatesWithoutAnAddressSpace) {
  auto f = ElfBuilder(true).segment(0x80001000, 0x80001000, {1}, 1).build();
  EXPECT_TRUE(loadElf(f.data(), f.size(), nullptr, opt, img, err)) << err;
  EXPECT_TRUE(img.big_endian);
  EXPECT_EQ(ram[0x1000], 0xaa);
}

TEST_F(Loader, FileErrors) {
  EXPECT_FALSE(loadElfFile("/nonexistent/kernel.elf", &as, opt, img, err));
  EXPECT_EQ(err, "No such file or directory");
  EXPECT_FALSE(loadElfFile("/", &as, opt, img, err));
  EXPECT_EQ(err, "is a directory");

  char path[] = "/tmp/mimic_test_loader_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  auto f = ElfBuilder(false).segment(0x80002000, 0x80002000, {9, 8}, 2).build();
  ASSERT_EQ(write(fd, f.data(), f.size()), static_cast<ssize_t>(f.size()));
  close(fd);
  EXPECT_TRUE(loadElfFile(path, &as, opt, img, err)) << err;
  EXPECT_EQ(ram[0x2000], 9);
  std::remove(path);
}

}  // namespace
