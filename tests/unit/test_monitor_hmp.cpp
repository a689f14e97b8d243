// The human monitor (monitor/hmp/) against a fake machine: every command,
// QEMU 7.2's wording for results and errors, and x/xp's layout (checked
// against qemu-system-mipsel's own output for the same memory).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "monitor/hmp/hmp.h"
#include "monitor/hmp/hmp_expr.h"
#include "monitor/hmp/hmp_session.h"
#include "monitor/hmp/memory_dump.h"
#include "tests/unit/fake_machine_control.h"

namespace {

using mimic::hmp::Hmp;
using mimic::testing::FakeMachineControl;

class HmpTest : public ::testing::Test {
 protected:
  HmpTest() {
    ctx.control = &fake;
    // Words 1, 2, 3, 4 at virtual 0x80001000 (physical 0x1000), little-endian.
    fake.poke(0x1000, {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0});
    fake.poke(0x2000, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 'M', 'i', '\n', '\'', '\\', 0x7f, 0x20, 0x04});
  }
  std::string run(const std::string& line) { return hmp.execute(line).text; }
  static std::string tempDir() {
    char tmpl[] = "/tmp/mimic-hmp-XXXXXX";
    return mkdtemp(tmpl);
  }
  static std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  FakeMachineControl fake;
  mimic::monitor::MonitorContext ctx;
  Hmp hmp{ctx};
};

std::string tryHelp(const std::string& what) { return "Try \"help " + what + "\" for more information\n"; }

TEST_F(HmpTest, UnknownCommandsAndEmptyLines) {
  EXPECT_EQ(run("foo"), "unknown command: 'foo'\n");
  EXPECT_EQ(run("info foo"), "unknown command: 'info foo'\n");
  EXPECT_EQ(run(""), "");
  EXPECT_EQ(run("   \t "), "");
  EXPECT_EQ(run("\x01\x02"), "unknown command: '\x01\x02'\n");
}

TEST_F(HmpTest, Help) {
  std::string all = run("help");
  EXPECT_NE(all.find("cont|c  -- resume emulation\n"), std::string::npos);
  EXPECT_NE(all.find("x /fmt addr -- virtual memory dump starting at 'addr'\n"), std::string::npos);
  EXPECT_NE(all.find("xp /fmt addr -- physical memory dump starting at 'addr'\n"), std::string::npos);
  EXPECT_NE(all.find("info [subcommand] -- show various information about the system state\n"), std::string::npos);
  EXPECT_EQ(all, run("?"));
  EXPECT_EQ(run("help stop"), "stop|s  -- stop emulation\n");
  EXPECT_EQ(run("help s"), "stop|s  -- stop emulation\n");
  EXPECT_EQ(run("help quit"), "quit|q  -- quit the emulator\n");
  EXPECT_EQ(run("help memsave"),
            "memsave addr size file -- save to disk virtual memory dump starting at 'addr' of size 'size'\n");
  EXPECT_EQ(run("help info status"), "info status  -- show the current VM status (running|paused)\n");
  EXPECT_EQ(run("help nosuch"), "unknown command: 'nosuch'\n");
  EXPECT_EQ(run("help info nosuch"), "unknown command: 'info nosuch'\n");
  std::string info = run("help info");
  EXPECT_EQ(info, run("info"));
  EXPECT_NE(info.find("info registers  -- show the cpu registers\n"), std::string::npos);
  EXPECT_NE(info.find("info tlb  -- show virtual to physical memory mappings\n"), std::string::npos);
}

TEST_F(HmpTest, InfoStatusAndVersion) {
  EXPECT_EQ(run("info status"), "VM status: running\n");
  EXPECT_EQ(run("  info   status  "), "VM status: running\n");
  fake.setStatus("paused");
  EXPECT_EQ(run("info status"), "VM status: paused\n");
  fake.setStatus("prelaunch");
  EXPECT_EQ(run("info status"), "VM status: paused (prelaunch)\n");
  fake.setStatus("shutdown");
  EXPECT_EQ(run("info status"), "VM status: paused (shutdown)\n");
  EXPECT_EQ(run("info status extra"), "status: extraneous characters at the end of line\n" + tryHelp("info status"));
  std::string v = run("info version");
  EXPECT_EQ(v.rfind("7.2.0 (mimic ", 0), 0u) << v;
}

TEST_F(HmpTest, InfoReportsComeFromTheMachine) {
  EXPECT_EQ(run("info registers"), fake.infos["registers"]);
  EXPECT_EQ(run("info mtree"), fake.infos["mtree"]);
  EXPECT_EQ(run("info qtree"), fake.infos["qtree"]);
  EXPECT_EQ(run("info jit"), fake.infos["jit"]);
  fake.infos["tlb"] = "Idx  VPN2\n 0  00000000";  // no final newline: one is added
  EXPECT_EQ(run("info tlb"), "Idx  VPN2\n 0  00000000\n");
  fake.infos.erase("tlb");
  EXPECT_EQ(run("info tlb"), "unknown command: 'info tlb'\n");  // a machine without the report
}

TEST_F(HmpTest, RunControl) {
  EXPECT_EQ(run("stop"), "");
  EXPECT_EQ(fake.pauses, 1);
  EXPECT_EQ(fake.status(), "paused");
  EXPECT_EQ(run("s"), "");
  EXPECT_EQ(fake.pauses, 2);
  EXPECT_EQ(run("cont"), "");
  EXPECT_EQ(run("c"), "");
  EXPECT_EQ(fake.resumes, 2);
  EXPECT_EQ(run("system_reset"), "");
  EXPECT_EQ(fake.resets, 1);
  EXPECT_EQ(run("system_powerdown"), "");
  EXPECT_EQ(fake.powerdowns, 1);
  EXPECT_EQ(run("stop now"), "stop|s: extraneous characters at the end of line\n" + tryHelp("stop"));
  EXPECT_EQ(run("s now"), "stop|s: extraneous characters at the end of line\n" + tryHelp("s"));
  EXPECT_EQ(fake.pauses, 2);  // not run after a usage error
  EXPECT_FALSE(hmp.execute("info status").quit);
  Hmp::Result q = hmp.execute("quit");
  EXPECT_TRUE(q.quit);
  EXPECT_EQ(q.text, "");
  EXPECT_TRUE(hmp.execute("q").quit);
  EXPECT_EQ(fake.quits, 2);
}

// Expected texts below were printed by qemu-system-mipsel 7.2 (Malta,
// little-endian) for the same bytes.
TEST_F(HmpTest, DumpLayoutAsQemu) {
  EXPECT_EQ(run("x /4xw 0x80001000"), "80001000: 0x00000001 0x00000002 0x00000003 0x00000004\n");
  EXPECT_EQ(run("x /5xw 0x80001000"),
            "80001000: 0x00000001 0x00000002 0x00000003 0x00000004\n"
            "80001010: 0x00000000\n");
  EXPECT_EQ(run("x /20xb 0x80001000"),
            "80001000: 0x01 0x00 0x00 0x00 0x02 0x00 0x00 0x00\n"
            "80001008: 0x03 0x00 0x00 0x00 0x04 0x00 0x00 0x00\n"
            "80001010: 0x00 0x00 0x00 0x00\n");
  EXPECT_EQ(run("x /5xh 0x80001000"), "80001000: 0x0001 0x0000 0x0002 0x0000 0x0003\n");
  EXPECT_EQ(run("x /3xg 0x80001000"),
            "80001000: 0x0000000200000001 0x0000000400000003\n"
            "80001010: 0x0000000000000000\n");
  EXPECT_EQ(run("x /3dw 0x80001000"), "80001000:          1          2          3\n");
  EXPECT_EQ(run("x /3uw 0x80001000"), "80001000:          1          2          3\n");
  EXPECT_EQ(run("x /3ow 0x80001000"), "80001000:          01          02          03\n");
  EXPECT_EQ(run("x /2ow 0x80001010"), "80001010:           0           0\n");
  // 'd' of a word is its unsigned value (QEMU loads it zero-extended);
  // only a 64-bit unit can come out negative.
  EXPECT_EQ(run("x /1dw 0x80002000"), "80002000: 4294967295\n");
  EXPECT_EQ(run("x /1dg 0x80002000"), "80002000:                   -1\n");
  EXPECT_EQ(run("x /2db 0x80002000"), "80002000: 255 255\n");
  EXPECT_EQ(run("x /8cb 0x80002008"), "80002008: 'M' 'i' '\\n' '\\'' '\\\\' '\\x7f' ' ' '\\x04'\n");
  // 'c' with a word size: as many characters as bytes, 16 to a line.
  EXPECT_EQ(run("x /3cw 0x80001000"),
            "80001000: '\\x01' '\\x00' '\\x00' '\\x00' '\\x02' '\\x00' '\\x00' '\\x00' '\\x03' '\\x00' '\\x00' '\\x00'\n");
  EXPECT_EQ(run("xp /4xw 0x1000"), "0000000000001000: 0x00000001 0x00000002 0x00000003 0x00000004\n");
  EXPECT_EQ(run("xp /9dh 0x1000"),
            "0000000000001000:     1     0     2     0     3     0     4     0\n"
            "0000000000001010:     0\n");
  EXPECT_EQ(run("x /0x 0x80001000"), "");
  EXPECT_EQ(run("x/2xw 0x80001000"), "80001000: 0x00000001 0x00000002\n");  // no space before the format
}

TEST_F(HmpTest, DumpRemembersFormatAndSizeAsQemu) {
  EXPECT_EQ(run("x 0x80001000"), "80001000: 0x00000001\n");  // x, w by default
  run("xp /9dh 0x1000");
  EXPECT_EQ(run("x/2x 0x80001000"), "80001000: 0x0001 0x0000\n");  // h remembered
  EXPECT_EQ(run("x 0x80001000"), "80001000: 0x0001\n");
  EXPECT_EQ(run("x /2 0x80001000"), "80001000: 0x0001 0x0000\n");
  EXPECT_EQ(run("x /2d 0x80001000"), "80001000:     1     0\n");
  EXPECT_EQ(run("x 0x80001004"), "80001004:     2\n");  // d remembered too
  EXPECT_EQ(run("x /4xwb 0x80001000"), "80001000: 0x01 0x00 0x00 0x00\n");  // the last size letter wins
}

TEST_F(HmpTest, DumpBigEndian) {
  fake.big_endian = true;
  EXPECT_EQ(run("x /2xw 0x80001000"), "80001000: 0x01000000 0x02000000\n");
  EXPECT_EQ(run("x /1xh 0x80001000"), "80001000: 0x0100\n");
  EXPECT_EQ(run("x /1xg 0x80001000"), "80001000: 0x0100000002000000\n");
}

TEST_F(HmpTest, DumpOfUnreadableMemory) {
  EXPECT_EQ(run("x /4xw 0x1000"), "00001000: Cannot access memory\n");  // kuseg: unmapped here
  EXPECT_EQ(run("xp /3xw 0x7fffffff0"), "00000007fffffff0: Cannot access memory\n");
  // The first line is readable, the second is past the end of RAM.
  EXPECT_EQ(run("x /8xw 0x800ffff0"), "800ffff0: 0x00000000 0x00000000 0x00000000 0x00000000\n"
                                      "80100000: Cannot access memory\n");
  // Virtual addresses are 32-bit: the upper bits go, as QEMU prints them.
  EXPECT_EQ(run("x /1xw 0x180001000"), "80001000: 0x00000001\n");
  EXPECT_EQ(run("x /4xw -1"), "ffffffff: Cannot access memory\n");
}

TEST_F(HmpTest, DumpReadsAheadInsteadOfLineByLine) {
  int before = fake.reads;
  std::string out = run("x /1024xw 0x80010000");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 256);
  EXPECT_LE(fake.reads - before, 2);
}

TEST_F(HmpTest, DumpErrorsAsQemu) {
  EXPECT_EQ(run("x"), "unexpected end of expression\n" + tryHelp("x"));
  EXPECT_EQ(run("x /2xw"), "unexpected end of expression\n" + tryHelp("x"));
  EXPECT_EQ(run("x /2z 0"), "invalid char in format: 'z'\n" + tryHelp("x"));
  EXPECT_EQ(run("x /-1x 0"), "invalid char in format: '-'\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 1/0"), "division by zero\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 1%0"), "division by zero\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw $pc"), "unknown register\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw (0x80001000"), "')' expected\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 0x80001000)"), "x: extraneous characters at the end of line\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 0x80001000 0x10"), "x: extraneous characters at the end of line\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 8k"), "x: extraneous characters at the end of line\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 99999999999999999999999"), "number too large\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 'a"), "missing terminating ' character\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw 0x0+"), "unexpected end of expression\n" + tryHelp("x"));
  EXPECT_EQ(run("x /4xw ,"), "invalid char ',' in expression\n" + tryHelp("x"));
  EXPECT_EQ(run("xp /4xw zz"), "invalid char 'z' in expression\n" + tryHelp("xp"));
  EXPECT_EQ(run("x /2i 0x80001000"), "Error: the 'i' format (disassembly) is not supported by mimic\n");
  EXPECT_EQ(run("x /99999999999999999999xb 0x80000000"), "Error: a dump is at most 1048576 bytes\n");
  EXPECT_EQ(run("x /262145xw 0x80000000"), "Error: a dump is at most 1048576 bytes\n");
}

TEST_F(HmpTest, Expressions) {
  EXPECT_EQ(run("x /1xw 0x80001000+4*2"), "80001008: 0x00000003\n");
  EXPECT_EQ(run("x /1xw 0x80001000 + 4"), "80001004: 0x00000002\n");  // spaces between operators, as QEMU
  EXPECT_EQ(run("x /1xw (0x80001000 | 0x10) - 0x4"), "8000100c: 0x00000004\n");
  EXPECT_EQ(run("x /1xw 0x80001000 | 4 & 0xffffffff"), "80001004: 0x00000002\n");  // & | ^ share one level, left to right
  EXPECT_EQ(run("x /1xw 0x80001010 % 0x10 + 0x80001000"), "80001000: 0x00000001\n");
  EXPECT_EQ(run("x /1xw ~0x7fffefff"), "80001000: 0x00000001\n");
  EXPECT_EQ(run("xp /1xw 010000"), "0000000000001000: 0x00000001\n");  // octal
  EXPECT_EQ(run("xp /1xb 'a'"), "0000000000000061: 0x00\n");
  EXPECT_EQ(run("xp /1xw -(-0x1000)"), "0000000000001000: 0x00000001\n");

  int64_t v = 0;
  std::string err;
  std::string_view s = "-9223372036854775807-1";
  ASSERT_TRUE(mimic::hmp::parseExpr(s, v, err));
  EXPECT_EQ(v, INT64_MIN);
  s = "(-9223372036854775807-1)/-1";  // wraps, no trap
  ASSERT_TRUE(mimic::hmp::parseExpr(s, v, err));
  EXPECT_EQ(v, INT64_MIN);
  std::string deep(10000, '(');
  s = deep;
  EXPECT_FALSE(mimic::hmp::parseExpr(s, v, err));
  EXPECT_EQ(err, "expression too deeply nested");
  std::string minus(10000, '-');
  s = minus;
  EXPECT_FALSE(mimic::hmp::parseExpr(s, v, err));
}

TEST_F(HmpTest, MemsaveAndPmemsave) {
  std::string dir = tempDir();
  // An absolute path right after the size: QEMU would read "16 /tmp..." as
  // a division; mimic ends the number at the space.
  EXPECT_EQ(run("memsave 0x80001000 16 " + dir + "/v.bin"), "");
  EXPECT_EQ(readFile(dir + "/v.bin"), std::string("\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0", 16));
  EXPECT_EQ(run("pmemsave 0x1000+4 8 " + dir + "/p.bin"), "");
  EXPECT_EQ(readFile(dir + "/p.bin"), std::string("\2\0\0\0\3\0\0\0", 8));
  EXPECT_EQ(run("memsave 0x80001000 4 \"" + dir + "/with space.bin\""), "");
  EXPECT_EQ(readFile(dir + "/with space.bin").size(), 4u);
  EXPECT_EQ(run("memsave 0x80001000 0 " + dir + "/empty.bin"), "");
  EXPECT_EQ(readFile(dir + "/empty.bin"), "");

  EXPECT_EQ(run("memsave 0 10"), "memsave: string expected\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave 0 10 \"unterminated"), "memsave: string expected\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave 0"), "unexpected end of expression\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave"), "unexpected end of expression\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave x 10 f"), "invalid char 'x' in expression\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave 0 10 f g"), "memsave: extraneous characters at the end of line\n" + tryHelp("memsave"));
  EXPECT_EQ(run("pmemsave 0 0x100000000 f"), "'pmemsave' has failed: integer is for 32-bit values\n" + tryHelp("pmemsave"));
  EXPECT_EQ(run("memsave 0 -1 f"), "'memsave' has failed: integer is for 32-bit values\n" + tryHelp("memsave"));
  EXPECT_EQ(run("memsave 0x80001000 16 /nonexistent-dir/x"),
            "Error: Could not open '/nonexistent-dir/x': No such file or directory\n");
  EXPECT_EQ(run("memsave 0x7ffffff0 10 " + dir + "/bad.bin"), "Error: Invalid addr 0x000000007ffffff0/size 10 specified\n");
  EXPECT_EQ(run("pmemsave 0xffff0 32 " + dir + "/bad.bin"), "Error: Invalid addr 0x00000000000ffff0/size 32 specified\n");
  std::system(("rm -rf " + dir).c_str());
}

TEST_F(HmpTest, Screendump) {
  EXPECT_EQ(run("screendump /tmp/x.ppm"), "Error: mimic has no display yet: there is no screen to dump\n");
  EXPECT_EQ(run("screendump"), "screendump: filename expected\n" + tryHelp("screendump"));
}

class StringOutput : public mimic::monitor::Output {
 public:
  void write(std::string_view t) override { text += t; }
  std::string text;
};

TEST_F(HmpTest, SessionBannerPromptsAndLineEnds) {
  mimic::hmp::HmpSession session(ctx);
  StringOutput out;
  session.open(out);
  EXPECT_EQ(out.text.rfind("mimic ", 0), 0u);
  EXPECT_NE(out.text.find(" monitor - type 'help' for more information\r\n(qemu) "), std::string::npos);
  out.text.clear();
  session.receive("info st", out);
  EXPECT_EQ(out.text, "");  // nothing until the line ends
  session.receive("atus\r\n", out);
  EXPECT_EQ(out.text, "VM status: running\r\n(qemu) ");
  out.text.clear();
  session.receive("info status\rinfo status\n\n", out);  // \r alone ends a line; \r\n counts once
  EXPECT_EQ(out.text, "VM status: running\r\n(qemu) VM status: running\r\n(qemu) (qemu) ");
  out.text.clear();
  session.receive("help stop\n", out);
  EXPECT_EQ(out.text, "stop|s  -- stop emulation\r\n(qemu) ");
  out.text.clear();
  session.receive(std::string(5000, 'a') + "\ninfo status\n", out);
  EXPECT_EQ(out.text, "line too long (more than 4095 characters): ignored\r\n(qemu) VM status: running\r\n(qemu) ");
  out.text.clear();
  session.receive("quit\n", out);
  EXPECT_EQ(out.text, "");  // no prompt after quit
}

}  // namespace
