#include "src/options.h"
#include "src/time_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using mimic::cli::Options;
using mimic::cli::parseMemSize;
using mimic::cli::parseOptions;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

uint64_t mem(const std::string& s) {
  uint64_t b = 0;
  std::string err;
  EXPECT_TRUE(parseMemSize(s, b, err)) << s << ": " << err;
  return b;
}

std::string memError(const std::string& s) {
  uint64_t b = 0;
  std::string err;
  EXPECT_FALSE(parseMemSize(s, b, err)) << s;
  return err;
}

TEST(Options, MemorySizesInQemuSyntax) {
  EXPECT_EQ(mem("256"), 256 * kMiB);
  EXPECT_EQ(mem("256M"), 256 * kMiB);
  EXPECT_EQ(mem("256m"), 256 * kMiB);
  EXPECT_EQ(mem("1G"), 1024 * kMiB);
  EXPECT_EQ(mem("1.5G"), 1536 * kMiB);
  EXPECT_EQ(mem("512k"), 512 * 1024u);
  EXPECT_EQ(mem("4096B"), 4096u);
  EXPECT_EQ(mem("size=64M"), 64 * kMiB);
  EXPECT_EQ(memError("abc"), "-m abc: invalid RAM size (examples: 256, 256M, 1G)");
  EXPECT_EQ(memError("12Q"), "-m 12Q: invalid RAM size (examples: 256, 256M, 1G)");
  EXPECT_EQ(memError("-5"), "-m -5: invalid RAM size (examples: 256, 256M, 1G)");
  EXPECT_EQ(memError("0"), "-m 0: RAM size must not be zero");
  EXPECT_EQ(memError("1.5B"), "-m 1.5B: invalid RAM size (examples: 256, 256M, 1G)");
  EXPECT_EQ(memError("256,slots=2"), "-m 256,slots=2: only a size is supported (no slots= or maxmem=)");
  EXPECT_EQ(memError("99999999999T"), "-m 99999999999T: RAM size too large");
}

Options parse(std::vector<std::string> args) {
  Options o;
  std::string err;
  EXPECT_TRUE(parseOptions(args, o, err)) << err;
  return o;
}

std::string parseError(std::vector<std::string> args) {
  Options o;
  std::string err;
  EXPECT_FALSE(parseOptions(args, o, err));
  return err;
}

TEST(Options, QemuStyleCommandLine) {
  Options o = parse({"-M", "malta,endianness=big", "-cpu", "4Kc", "-m", "64", "-kernel", "vmlinux", "-initrd",
                     "rd.gz", "-append", "-v console=ttyS0", "-nographic", "-serial", "stdio", "-serial",
                     "file:out.txt", "-no-reboot", "-no-shutdown", "-d", "int,guest_errors", "-D", "log.txt",
                     "-dtb", "x.dtb"});
  EXPECT_EQ(o.machine.machine, "malta");
  EXPECT_EQ(o.machine.props.at("endianness"), "big");
  EXPECT_EQ(o.machine.cpu, "4Kc");
  EXPECT_EQ(o.machine.ram_size, 64 * kMiB);
  EXPECT_EQ(o.machine.kernel, "vmlinux");
  EXPECT_EQ(o.machine.initrd, "rd.gz");
  EXPECT_EQ(o.machine.append, "-v console=ttyS0");
  EXPECT_TRUE(o.machine.nographic);
  EXPECT_EQ(o.machine.serial, (std::vector<std::string>{"stdio", "file:out.txt"}));
  EXPECT_TRUE(o.machine.no_reboot);
  EXPECT_TRUE(o.machine.no_shutdown);
  EXPECT_EQ(o.log_items, "int,guest_errors");
  EXPECT_EQ(o.log_file, "log.txt");
  EXPECT_EQ(o.machine.dtb, "x.dtb");
}

TEST(Options, OtherSpellings) {
  Options o = parse({"--kernel=a.elf", "-machine", "type=malta", "-display", "none", "-append", ""});
  EXPECT_EQ(o.machine.kernel, "a.elf");
  EXPECT_EQ(o.machine.machine, "malta");
  EXPECT_EQ(o.machine.display, "none");
  EXPECT_EQ(o.machine.append, "");
  // A repeated option: the last one counts, as in QEMU.
  o = parse({"-kernel", "a.elf", "-kernel", "b.elf", "-m", "32", "-m", "16M"});
  EXPECT_EQ(o.machine.kernel, "b.elf");
  EXPECT_EQ(o.machine.ram_size, 16 * kMiB);
}

TEST(Options, HelpRequests) {
  EXPECT_TRUE(parse({"-h"}).help);
  EXPECT_TRUE(parse({"-help"}).help);
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"-version"}).version);
  EXPECT_TRUE(parse({"-M", "help"}).list_machines);
  EXPECT_TRUE(parse({"-M", "?"}).list_machines);
  EXPECT_TRUE(parse({"-cpu", "help"}).list_cpus);
  EXPECT_TRUE(parse({"-d", "help"}).list_log_items);
  EXPECT_TRUE(parse({"-kernel", "x", "-help"}).help);
}

TEST(Options, Errors) {
  EXPECT_EQ(parseError({"-foo"}), "unknown option '-foo' (see -help)");
  EXPECT_EQ(parseError({"-kernel"}), "option '-kernel' needs a value");
  EXPECT_EQ(parseError({"-nographic=1"}), "option '-nographic' takes no value");
  EXPECT_EQ(parseError({"-gdb", ""}), "-gdb needs a device (tcp::PORT, tcp:HOST:PORT or unix:PATH)");
  EXPECT_EQ(parseError({"-display", "sdl"}), "-display sdl: not supported yet (only -display none)");
  EXPECT_EQ(parseError({"-m", "lots"}), "-m lots: invalid RAM size (examples: 256, 256M, 1G)");
  EXPECT_EQ(parseError({"-M", ",endianness=big"}), "-M ,endianness=big: no machine name (see -M help)");
  EXPECT_EQ(parseError({"-M", "malta,big"}), "-M malta,big: 'big' is not of the form key=value");
  EXPECT_EQ(parseError({"-kernel", ""}), "-kernel needs a file name");
  EXPECT_EQ(parseError({"-d", ""}), "-d needs a list of log items (see -d help)");
  EXPECT_EQ(parseError({"-cpu", ""}), "-cpu needs a CPU model name (see -cpu help)");
  EXPECT_EQ(parseError({"-accel", "tcg,tb-size=0"}), "-accel: tb-size=0: not a size in MiB from 1 to 1024");
  EXPECT_EQ(parseError({"-accel", "tcg,tb-size=64M"}), "-accel: tb-size=64M: not a size in MiB from 1 to 1024");
  EXPECT_EQ(parseError({"-accel", "tcg,tb-size=-1"}), "-accel: tb-size=-1: not a size in MiB from 1 to 1024");
  EXPECT_EQ(parseError({"-accel", "tcg,tb-size=4096"}), "-accel: tb-size=4096: not a size in MiB from 1 to 1024");
  EXPECT_EQ(parseError({"-accel", "tcg,fast=1"}),
            "-accel: unknown property 'fast=1' (tcg takes tier=baseline|auto|llvm|interp, tb-size=MiB, "
            "fastmem=on|off)");
}

TEST(Options, AccelProperties) {
  Options o = parse({"-accel", "tcg,tier=baseline,tb-size=64"});
  EXPECT_EQ(o.machine.tier, "baseline");
  EXPECT_EQ(o.machine.tb_size_mib, 64u);
  EXPECT_EQ(parse({"-accel", "tcg"}).machine.tb_size_mib, 0u);   // the JIT's default
  EXPECT_TRUE(o.machine.fastmem);   // on unless asked
  EXPECT_FALSE(parse({"-accel", "tcg,fastmem=off"}).machine.fastmem);
  EXPECT_TRUE(parse({"-accel", "tcg,fastmem=on,tier=auto"}).machine.fastmem);
}

}  // namespace

namespace {

TEST(Options, DisksInCommandLineOrder) {
  // A bare argument is the first hard disk, as in QEMU.
  Options bare = parse({"disk.img"});
  ASSERT_EQ(bare.machine.drives.size(), 1u);
  EXPECT_EQ(bare.machine.drives[0].path, "disk.img");
  EXPECT_EQ(bare.machine.drives[0].index, 0);

  Options o = parse({"-drive", "file=a.img,format=raw,if=ide", "-hdc", "c.img", "-drive", "file=b.img"});
  ASSERT_EQ(o.machine.drives.size(), 3u);
  EXPECT_EQ(o.machine.drives[0].index, 0);
  EXPECT_EQ(o.machine.drives[1].index, 2);
  EXPECT_EQ(o.machine.drives[2].index, 1);   // the first free index
  EXPECT_EQ(parseError({"-hda", "a.img", "x.img"}), parseError({"-hda", "a.img", "-hda", "x.img"}));
}

}  // namespace

namespace {

using mimic::cli::parseIcountOption;
using mimic::cli::parseRtcOption;

TEST(TimeOptions, Icount) {
  int shift = 0;
  bool sleep = false;
  std::string err;
  ASSERT_TRUE(parseIcountOption("3", shift, sleep, err)) << err;
  EXPECT_EQ(shift, 3);
  EXPECT_TRUE(sleep);   // QEMU's default
  ASSERT_TRUE(parseIcountOption("shift=0,sleep=off", shift, sleep, err)) << err;
  EXPECT_EQ(shift, 0);
  EXPECT_FALSE(sleep);
  EXPECT_FALSE(parseIcountOption("shift=11", shift, sleep, err));
  EXPECT_EQ(err, "-icount shift=11: shift must be a number from 0 to 10");
  EXPECT_FALSE(parseIcountOption("auto", shift, sleep, err));
  EXPECT_EQ(err, "-icount auto: shift=auto (adaptive, not deterministic) is not supported; give shift=N");
  EXPECT_FALSE(parseIcountOption("sleep=off", shift, sleep, err));
  EXPECT_EQ(err, "-icount sleep=off: no shift given (e.g. -icount shift=3)");
  EXPECT_FALSE(parseIcountOption("shift=2,align=on", shift, sleep, err));
  EXPECT_FALSE(parseIcountOption("shift=2,sleep=maybe", shift, sleep, err));
}

TEST(TimeOptions, RtcBase) {
  std::optional<int64_t> start;
  std::string err;
  ASSERT_TRUE(parseRtcOption("base=utc", 1000, 3600, start, err)) << err;
  EXPECT_FALSE(start.has_value());
  ASSERT_TRUE(parseRtcOption("base=localtime,clock=host", 1000, 3600, start, err)) << err;
  EXPECT_EQ(start, 4600);
  ASSERT_TRUE(parseRtcOption("base=2024-01-01", 0, 0, start, err)) << err;
  EXPECT_EQ(start, 1704067200);
  ASSERT_TRUE(parseRtcOption("base=2006-06-17T16:01:21,clock=vm,driftfix=none", 0, 0, start, err)) << err;
  EXPECT_EQ(start, 1150560081);
  ASSERT_TRUE(parseRtcOption("base=2000-02-29", 0, 0, start, err)) << err;
  EXPECT_EQ(start, 951782400);
  EXPECT_FALSE(parseRtcOption("base=2001-02-29", 0, 0, start, err));
  EXPECT_FALSE(parseRtcOption("base=2024-13-01", 0, 0, start, err));
  EXPECT_FALSE(parseRtcOption("base=yesterday", 0, 0, start, err));
  EXPECT_EQ(err, "-rtc base=yesterday: base must be utc, localtime or a date (2006-06-17 or 2006-06-17T16:01:21)");
  EXPECT_FALSE(parseRtcOption("clock=wall", 0, 0, start, err));
  EXPECT_FALSE(parseRtcOption("utc", 0, 0, start, err));
}

TEST(TimeOptions, OnTheCommandLine) {
  Options o = parse({"-icount", "shift=4,sleep=off", "-rtc", "base=2024-01-01"});
  EXPECT_EQ(o.machine.icount_shift, 4);
  EXPECT_FALSE(o.machine.icount_sleep);
  EXPECT_EQ(o.machine.rtc_start, 1704067200);
  EXPECT_EQ(parse({}).machine.icount_shift, -1);
}

}  // namespace

namespace {

TEST(Options, ControlChannels) {
  Options o = parse({"-s", "-S", "-monitor", "stdio", "-qmp", "unix:/tmp/q,server,nowait", "-qmp", "tcp:127.0.0.1:4444,server,nowait"});
  EXPECT_EQ(o.gdb, "tcp::1234");
  EXPECT_TRUE(o.machine.start_paused);
  EXPECT_EQ(o.monitor, std::vector<std::string>{"stdio"});
  ASSERT_EQ(o.qmp.size(), 2u);
  EXPECT_EQ(o.qmp[1], "tcp:127.0.0.1:4444,server,nowait");
  EXPECT_EQ(parse({"-gdb", "unix:/tmp/g.sock"}).gdb, "unix:/tmp/g.sock");
  EXPECT_EQ(parse({"-gdb", "none"}).gdb, "");
  EXPECT_FALSE(parse({}).machine.start_paused);
}

}  // namespace
