#include "hw/block/drive_spec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using mimic::hw::block::assignDriveIndexes;
using mimic::hw::block::DriveSpec;
using mimic::hw::block::parseDriveOption;
using mimic::hw::block::parseHdOption;

namespace {

DriveSpec parseOk(const std::string& text) {
  DriveSpec d;
  std::string err;
  EXPECT_TRUE(parseDriveOption(text, d, err)) << text << ": " << err;
  return d;
}

std::string parseErr(const std::string& text) {
  DriveSpec d;
  std::string err;
  EXPECT_FALSE(parseDriveOption(text, d, err)) << text;
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  return err;
}

TEST(DriveSpec, FullOptionSet) {
  DriveSpec d = parseOk("file=/tmp/disk.img,format=raw,if=ide,index=2,media=disk,readonly=on,cache=writeback,id=hd0");
  EXPECT_EQ(d.path, "/tmp/disk.img");
  EXPECT_EQ(d.interface, "ide");
  EXPECT_EQ(d.index, 2);
  EXPECT_TRUE(d.read_only);
  EXPECT_EQ(d.media, "disk");
  EXPECT_EQ(d.id, "hd0");
}

TEST(DriveSpec, Defaults) {
  DriveSpec d = parseOk("file=disk.img");
  EXPECT_EQ(d.path, "disk.img");
  EXPECT_EQ(d.interface, "ide");
  EXPECT_EQ(d.index, -1);
  EXPECT_FALSE(d.read_only);
  EXPECT_EQ(d.media, "disk");
}

TEST(DriveSpec, DoubledCommaIsALiteralComma) {
  EXPECT_EQ(parseOk("file=a,,b.img,format=raw").path, "a,b.img");
  EXPECT_EQ(parseOk("format=raw,file=x,,,,y").path, "x,,y");
}

TEST(DriveSpec, CacheModesAreAcceptedAndIgnored) {
  for (const char* mode : {"writeback", "none", "unsafe", "writethrough", "directsync"})
    EXPECT_EQ(parseOk(std::string("file=d.img,cache=") + mode).path, "d.img");
  EXPECT_NE(parseErr("file=d.img,cache=fast").find("cache=fast"), std::string::npos);
}

TEST(DriveSpec, ReadonlyValues) {
  EXPECT_TRUE(parseOk("file=d,readonly=on").read_only);
  EXPECT_FALSE(parseOk("file=d,readonly=off").read_only);
  EXPECT_TRUE(parseOk("file=d,read-only=on").read_only);
  parseErr("file=d,readonly=maybe");
}

TEST(DriveSpec, BusAndUnit) {
  EXPECT_EQ(parseOk("file=d,bus=1,unit=1").index, 3);
  EXPECT_EQ(parseOk("file=d,bus=0,unit=1").index, 1);
  EXPECT_EQ(parseOk("file=d,unit=1").index, 1);
  DriveSpec d = parseOk("file=d,bus=1");
  EXPECT_EQ(d.index, -1);
  EXPECT_EQ(d.auto_from, 2);
  parseErr("file=d,bus=2");
  parseErr("file=d,unit=2");
  parseErr("file=d,index=1,unit=0");
}

TEST(DriveSpec, Errors) {
  EXPECT_EQ(parseErr("file=a.qcow2,format=qcow2"), "-drive file=a.qcow2,format=qcow2: only format=raw is supported");
  EXPECT_NE(parseErr("file=a,snapshot=on").find("unknown option 'snapshot'"), std::string::npos);
  EXPECT_NE(parseErr("file=a,index=4").find("out of range"), std::string::npos);
  EXPECT_NE(parseErr("file=a,index=-1").find("out of range"), std::string::npos);
  EXPECT_NE(parseErr("file=a,index=x").find("not a number"), std::string::npos);
  EXPECT_NE(parseErr("format=raw,if=ide").find("missing file="), std::string::npos);
  EXPECT_NE(parseErr("").find("missing file="), std::string::npos);
  EXPECT_NE(parseErr("file=").find("needs a file name"), std::string::npos);
  EXPECT_NE(parseErr("disk.img").find("key=value"), std::string::npos);
  EXPECT_NE(parseErr("file=a,if=scsi").find("if=scsi"), std::string::npos);
  EXPECT_NE(parseErr("file=a,media=cdrom").find("cdrom"), std::string::npos);
  EXPECT_NE(parseErr("file=a,media=tape").find("media=tape"), std::string::npos);
}

TEST(DriveSpec, HdOptions) {
  DriveSpec d;
  std::string err;
  ASSERT_TRUE(parseHdOption(0, "a.img", d, err));
  EXPECT_EQ(d.path, "a.img");
  EXPECT_EQ(d.index, 0);
  EXPECT_FALSE(d.read_only);
  ASSERT_TRUE(parseHdOption(3, "d.img", d, err));
  EXPECT_EQ(d.index, 3);
  EXPECT_FALSE(parseHdOption(1, "", d, err));
  EXPECT_EQ(err, "-hdb needs a file name");
  EXPECT_FALSE(parseHdOption(4, "e.img", d, err));
}

TEST(DriveSpec, IndexesAreAssignedInOrderLikeQemu) {
  std::string err;
  std::vector<DriveSpec> drives(4);
  drives[0] = parseOk("file=a");
  drives[1] = parseOk("file=b,index=2");
  drives[2] = parseOk("file=c");
  drives[3] = parseOk("file=d,bus=1");
  ASSERT_TRUE(assignDriveIndexes(drives, err)) << err;
  EXPECT_EQ(drives[0].index, 0);
  EXPECT_EQ(drives[1].index, 2);
  EXPECT_EQ(drives[2].index, 1);
  EXPECT_EQ(drives[3].index, 3);

  // An explicit index after an automatic one that took it collides.
  std::vector<DriveSpec> clash = {parseOk("file=a"), parseOk("file=b,index=0")};
  EXPECT_FALSE(assignDriveIndexes(clash, err));
  EXPECT_NE(err.find("already in use"), std::string::npos);

  std::vector<DriveSpec> hd;
  DriveSpec h;
  ASSERT_TRUE(parseHdOption(1, "x", h, err));
  hd.push_back(h);
  hd.push_back(parseOk("file=y,index=1"));
  EXPECT_FALSE(assignDriveIndexes(hd, err));

  std::vector<DriveSpec> five(5, parseOk("file=z"));
  EXPECT_FALSE(assignDriveIndexes(five, err));
  EXPECT_NE(err.find("no free IDE unit"), std::string::npos);
}

}  // namespace
