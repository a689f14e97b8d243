#include "hw/core/memory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_capture.h"
#include "util/log.h"

using mimic::hw::AddressSpace;
using mimic::hw::MmioHandler;
using mimic::hw::Region;

namespace {

struct Access {
  bool write;
  uint64_t offset;
  uint64_t value;
  unsigned size;
};

class RecordingDevice : public MmioHandler {
 public:
  uint64_t read(uint64_t offset, unsigned size) override {
    log.push_back({false, offset, 0, size});
    return next_read;
  }
  void write(uint64_t offset, uint64_t value, unsigned size) override {
    log.push_back({true, offset, value, size});
  }
  std::vector<Access> log;
  uint64_t next_read = 0;
};

using mimic::test::LogCapture;

TEST(AddressSpace, RegionsAreSortedAndFound) {
  AddressSpace as;
  std::vector<uint8_t> a(0x1000), b(0x1000);
  RecordingDevice dev;
  as.addRam("b", 0x10000, b.size(), b.data());
  as.addMmio("dev", 0x5000, 0x100, &dev);
  as.addRam("a", 0, a.size(), a.data());
  ASSERT_EQ(as.regions().size(), 3u);
  EXPECT_EQ(as.regions()[0].name, "a");
  EXPECT_EQ(as.regions()[1].name, "dev");
  EXPECT_EQ(as.regions()[2].name, "b");

  EXPECT_EQ(as.find(0)->name, "a");
  EXPECT_EQ(as.find(0xfff)->name, "a");
  EXPECT_EQ(as.find(0x1000), nullptr);
  EXPECT_EQ(as.find(0x4fff), nullptr);
  EXPECT_EQ(as.find(0x5000)->name, "dev");
  EXPECT_EQ(as.find(0x50ff)->name, "dev");
  EXPECT_EQ(as.find(0x5100), nullptr);
  EXPECT_EQ(as.find(0x10000)->name, "b");
  // The cached last region must not answer for an address outside it.
  EXPECT_EQ(as.find(0x10fff)->name, "b");
  EXPECT_EQ(as.find(0x11000), nullptr);
  EXPECT_EQ(as.find(0x10800)->name, "b");
  EXPECT_EQ(as.find(0x20)->name, "a");
  EXPECT_EQ(as.find(~0ull), nullptr);
}

TEST(AddressSpace, OverlapAndBadRegionsThrow) {
  AddressSpace as;
  std::vector<uint8_t> m(0x2000);
  RecordingDevice dev;
  as.addRam("ram", 0x1000, 0x1000, m.data());
  EXPECT_THROW(as.addRam("x", 0x1fff, 0x10, m.data()), std::logic_error);
  EXPECT_THROW(as.addRam("x", 0x0, 0x1001, m.data()), std::logic_error);
  EXPECT_THROW(as.addMmio("x", 0x1800, 0x10, &dev), std::logic_error);
  EXPECT_THROW(as.addMmio("x", 0x0, 0x10000, &dev), std::logic_error);
  EXPECT_THROW(as.addMmio("empty", 0x8000, 0, &dev), std::logic_error);
  EXPECT_THROW(as.addMmio("wrap", ~0ull - 4, 0x10, &dev), std::logic_error);
  EXPECT_THROW(as.addMmio("nohandler", 0x8000, 0x10, nullptr), std::logic_error);
  EXPECT_THROW(as.addMmio("badsizes", 0x8000, 0x10, &dev, 4, 2), std::logic_error);
  EXPECT_THROW(as.addMmio("badsizes", 0x8000, 0x10, &dev, 3, 4), std::logic_error);
  EXPECT_THROW(as.addRam("nohost", 0x8000, 0x10, nullptr), std::logic_error);
  // Adjacent regions are fine, and a region may end at the top of the space.
  as.addRam("below", 0x0, 0x1000, m.data());
  as.addMmio("above", 0x2000, 0x10, &dev);
  as.addMmio("top", ~0ull - 0xf, 0x10, &dev);
  EXPECT_EQ(as.regions().size(), 4u);
  EXPECT_EQ(as.find(~0ull)->name, "top");
}

TEST(AddressSpace, RamByteOrder) {
  AddressSpace as;
  std::vector<uint8_t> m(0x100, 0);
  as.addRam("ram", 0x1000, m.size(), m.data());
  as.write(0x1000, 0x11223344, 4, /*big_endian=*/true);
  EXPECT_EQ(m[0], 0x11);
  EXPECT_EQ(m[3], 0x44);
  EXPECT_EQ(as.read(0x1000, 4, true), 0x11223344u);
  EXPECT_EQ(as.read(0x1000, 4, false), 0x44332211u);
  EXPECT_EQ(as.read(0x1000, 2, true), 0x1122u);
  EXPECT_EQ(as.read(0x1002, 2, false), 0x4433u);
  EXPECT_EQ(as.read(0x1003, 1, false), 0x44u);

  as.write(0x1008, 0x0102030405060708ull, 8, /*big_endian=*/false);
  EXPECT_EQ(m[8], 0x08);
  EXPECT_EQ(m[15], 0x01);
  EXPECT_EQ(as.read(0x1008, 8, false), 0x0102030405060708ull);
  EXPECT_EQ(as.read(0x1008, 8, true), 0x0807060504030201ull);

  // Writes are truncated to the access size.
  as.write(0x1020, 0xaabbccddeeff, 2, false);
  EXPECT_EQ(m[0x20], 0xff);
  EXPECT_EQ(m[0x21], 0xee);
  EXPECT_EQ(m[0x22], 0x00);

  bool ok = false;
  EXPECT_EQ(as.read(0x1000, 1, true, &ok), 0x11u);
  EXPECT_TRUE(ok);
  EXPECT_EQ(as.hostPtr(0x1010), m.data() + 0x10);
  EXPECT_EQ(as.hostPtr(0x1100), nullptr);
}

TEST(AddressSpace, RomIgnoresGuestWritesButLoadersFillIt) {
  LogCapture cap;
  AddressSpace as;
  std::vector<uint8_t> rom(0x100, 0xee);
  as.addRam("rom", 0x1fc00000, rom.size(), rom.data(), /*readonly=*/true);
  bool ok = false;
  as.write(0x1fc00000, 0x12345678, 4, false, &ok);
  EXPECT_TRUE(ok);  // not a bus error
  EXPECT_EQ(rom[0], 0xee);
  EXPECT_NE(cap.text().find("ROM"), std::string::npos);
  const uint8_t data[4] = {1, 2, 3, 4};
  EXPECT_TRUE(as.copyTo(0x1fc00010, data, 4));
  EXPECT_EQ(rom[0x10], 1);
  EXPECT_EQ(rom[0x13], 4);
}

TEST(AddressSpace, UnassignedAccessesAreLoggedAndFail) {
  LogCapture cap;
  AddressSpace as;
  std::vector<uint8_t> m(0x100);
  as.addRam("ram", 0, m.size(), m.data());
  bool ok = true;
  EXPECT_EQ(as.read(0x20000000, 4, false, &ok), 0u);
  EXPECT_FALSE(ok);
  ok = true;
  as.write(0x20000000, 1, 4, false, &ok);
  EXPECT_FALSE(ok);
  std::string t = cap.text();
  EXPECT_NE(t.find("Unassigned memory read at addr 0x20000000"), std::string::npos) << t;
  EXPECT_NE(t.find("Unassigned memory write at addr 0x20000000"), std::string::npos) << t;

  // Bad sizes never reach memory.
  ok = true;
  as.read(0, 3, false, &ok);
  EXPECT_FALSE(ok);
}

TEST(AddressSpace, NoLogWhenCategoryOff) {
  LogCapture cap;
  mimic::log::g_mask = 0;
  AddressSpace as;
  as.read(0x1234, 4, false);
  EXPECT_EQ(cap.text(), "");
}

TEST(AddressSpace, MmioDispatchAndSizeChecks) {
  LogCapture cap;
  AddressSpace as;
  RecordingDevice dev;
  as.addMmio("uart", 0x1f000900, 0x40, &dev, 1, 4);
  dev.next_read = 0x1ff;  // devices may return stray high bits: trimmed to the size
  EXPECT_EQ(as.read(0x1f000928, 1, true), 0xffu);
  ASSERT_EQ(dev.log.size(), 1u);
  EXPECT_FALSE(dev.log[0].write);
  EXPECT_EQ(dev.log[0].offset, 0x28u);
  EXPECT_EQ(dev.log[0].size, 1u);

  as.write(0x1f000904, 0xdeadbeef, 4, true);
  ASSERT_EQ(dev.log.size(), 2u);
  EXPECT_TRUE(dev.log[1].write);
  EXPECT_EQ(dev.log[1].offset, 4u);
  EXPECT_EQ(dev.log[1].value, 0xdeadbeefu);  // no byte-lane swapping for devices
  EXPECT_EQ(dev.log[1].size, 4u);

  bool ok = true;
  EXPECT_EQ(as.read(0x1f000900, 8, true, &ok), 0u);
  EXPECT_FALSE(ok);
  ok = true;
  as.write(0x1f000900, 0, 8, true, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(dev.log.size(), 2u);  // rejected accesses never reach the device
  EXPECT_NE(cap.text().find("region 'uart', reason: rejected"), std::string::npos) << cap.text();
}

TEST(AddressSpace, StraddlingAccessIsSplitIntoBytes) {
  AddressSpace as;
  std::vector<uint8_t> a(0x10, 0), b(0x10, 0);
  as.addRam("a", 0x0, 0x10, a.data());
  as.addRam("b", 0x10, 0x10, b.data());
  bool ok = false;
  as.write(0xe, 0xa1b2c3d4, 4, true, &ok);
  EXPECT_TRUE(ok);
  EXPECT_EQ(a[0xe], 0xa1);
  EXPECT_EQ(a[0xf], 0xb2);
  EXPECT_EQ(b[0], 0xc3);
  EXPECT_EQ(b[1], 0xd4);
  EXPECT_EQ(as.read(0xe, 4, true, &ok), 0xa1b2c3d4u);
  EXPECT_TRUE(ok);
  // Half of it unassigned: fails.
  EXPECT_EQ(as.read(0x1e, 4, true, &ok) >> 16, 0u);
  EXPECT_FALSE(ok);
}

TEST(AddressSpace, CopyToAndFromSpanRegions) {
  AddressSpace as;
  std::vector<uint8_t> a(0x10, 0), b(0x10, 0);
  RecordingDevice dev;
  as.addRam("a", 0x0, 0x10, a.data());
  as.addRam("b", 0x10, 0x10, b.data());
  as.addMmio("dev", 0x20, 0x10, &dev);
  std::vector<uint8_t> src(0x18);
  for (size_t i = 0; i < src.size(); i++) src[i] = static_cast<uint8_t>(i + 1);
  EXPECT_TRUE(as.copyTo(0x4, src.data(), src.size()));
  EXPECT_EQ(a[4], 1);
  EXPECT_EQ(a[15], 12);
  EXPECT_EQ(b[0], 13);
  EXPECT_EQ(b[11], 24);
  std::vector<uint8_t> back(src.size());
  EXPECT_TRUE(as.copyFrom(0x4, back.data(), back.size()));
  EXPECT_EQ(back, src);

  // Into a device or unassigned space: refused, and nothing is written.
  std::vector<uint8_t> ones(0x20, 0xff);
  EXPECT_FALSE(as.copyTo(0x18, ones.data(), 0x10));
  EXPECT_EQ(b[8], 21);
  EXPECT_TRUE(dev.log.empty());
  EXPECT_FALSE(as.copyTo(0x100, ones.data(), 1));
  EXPECT_FALSE(as.copyFrom(0x1c, back.data(), 8));
  EXPECT_TRUE(as.copyTo(0x0, ones.data(), 0));  // empty copy
}

}  // namespace
