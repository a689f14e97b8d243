// The Malta board without a CPU: memory map, boot environment, boot code.
// The boot code is run by a small reference interpreter that knows just the
// instructions it uses, and the CPU state it leaves is compared with what
// QEMU 7.2's Malta bootloader leaves (read with its monitor).
#include "hw/mips/malta.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "roms/mips/bootstub.h"

using mimic::hw::MachineOptions;
using mimic::hw::mips::MaltaBoard;

namespace {

// A temporary file removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::vector<uint8_t>& data) {
    char p[] = "/tmp/mimic_test_malta_XXXXXX";
    int fd = mkstemp(p);
    path_ = p;
    if (fd >= 0) {
      if (!data.empty() && write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) path_.clear();
      close(fd);
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A minimal ELF32 executable: one segment at `vaddr` holding `code`.
std::vector<uint8_t> makeElf(bool be, uint32_t vaddr, uint32_t entry, std::vector<uint8_t> code,
                             uint16_t machine = 8, uint32_t memsz = 0) {
  // Headers and code in one allocation: GCC 12 took an insert() at the
  // end of the headers for an out-of-bounds memcpy (-Warray-bounds).
  std::vector<uint8_t> f(52 + 32 + code.size(), 0);
  auto p16 = [&](size_t o, uint16_t v) {
    f[o + (be ? 0 : 1)] = static_cast<uint8_t>(v >> 8);
    f[o + (be ? 1 : 0)] = static_cast<uint8_t>(v);
  };
  auto p32 = [&](size_t o, uint32_t v) {
    for (int i = 0; i < 4; i++) f[o + (be ? i : 3 - i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
  };
  f[0] = 0x7f;
  f[1] = 'E';
  f[2] = 'L';
  f[3] = 'F';
  f[4] = 1;
  f[5] = be ? 2 : 1;
  f[6] = 1;
  p16(16, 2);
  p16(18, machine);
  p32(20, 1);
  p32(24, entry);
  p32(28, 52);
  p16(40, 52);
  p16(42, 32);
  p16(44, 1);
  p32(52, 1);
  p32(56, 84);
  p32(60, vaddr);
  p32(64, vaddr);
  p32(68, static_cast<uint32_t>(code.size()));
  p32(72, memsz ? memsz : static_cast<uint32_t>(code.size()));
  p32(76, 7);
  p32(80, 4);
  std::copy(code.begin(), code.end(), f.begin() + 52 + 32);
  return f;
}

// "1: b 1b; nop" in either byte order.
std::vector<uint8_t> loopCode(bool be) {
  std::vector<uint8_t> c = {0x10, 0x00, 0xff, 0xff, 0, 0, 0, 0};
  if (!be) std::swap(c[0], c[3]), std::swap(c[1], c[2]);
  return c;
}

MachineOptions baseOptions(const std::string& kernel) {
  MachineOptions o;
  o.kernel = kernel;
  o.serial = {"null"};
  o.warn = [](const std::string&) {};
  return o;
}

std::string readString(mimic::hw::AddressSpace& as, uint64_t paddr) {
  std::string s;
  for (;; paddr++) {
    uint8_t c = 0;
    if (!as.copyFrom(paddr, &c, 1) || c == 0) break;
    s += static_cast<char>(c);
  }
  return s;
}

// Runs MIPS32 code from `pc` until it reaches `stop`, interpreting only the
// instructions the boot code uses. kseg0/kseg1 addresses map to physical
// ones by dropping the top three bits.
struct MiniCpu {
  uint32_t r[32] = {};
  uint32_t pc = 0xbfc00000;
  bool ok = true;
  std::string error;

  void run(mimic::hw::AddressSpace& as, bool be, uint32_t stop, int max_steps = 10000) {
    auto phys = [](uint32_t v) -> uint64_t { return v & 0x1fffffff; };
    bool in_delay = false;
    uint32_t after_delay = 0;
    for (int n = 0; n < max_steps; n++) {
      if (pc == stop && !in_delay) return;
      bool mok = true;
      uint32_t insn = static_cast<uint32_t>(as.read(phys(pc), 4, be, &mok));
      if (!mok) return fail("fetch failed");
      unsigned op = insn >> 26, rs = (insn >> 21) & 31, rt = (insn >> 16) & 31, rd = (insn >> 11) & 31;
      uint32_t imm = insn & 0xffff;
      int32_t simm = static_cast<int16_t>(imm);
      bool branch = false;
      uint32_t target = 0;
      uint32_t write_reg = 0, value = 0;
      switch (op) {
        case 0x00:
          if ((insn & 0x3f) == 0x00 && insn == 0) break;  // nop
          if ((insn & 0x3f) == 0x25) {  // or (move)
            write_reg = rd;
            value = r[rs] | r[rt];
          } else if ((insn & 0x3f) == 0x08 || (insn & 0x3f) == 0x09) {  // jr, jalr
            branch = true;
            target = r[rs];
            if ((insn & 0x3f) == 0x09) {
              write_reg = rd;
              value = pc + 8;
            }
          } else {
            return fail("unknown SPECIAL instruction");
          }
          break;
        case 0x04:
          branch = true;
          target = r[rs] == r[rt] ? pc + 4 + (simm << 2) : pc + 8;
          break;
        case 0x09:
          write_reg = rt;
          value = r[rs] + simm;
          break;
        case 0x0d:
          write_reg = rt;
          value = r[rs] | imm;
          break;
        case 0x0f:
          write_reg = rt;
          value = imm << 16;
          break;
        case 0x23:
          write_reg = rt;
          value = static_cast<uint32_t>(as.read(phys(r[rs] + simm), 4, be, &mok));
          break;
        case 0x2b:
          as.write(phys(r[rs] + simm), r[rt], 4, be, &mok);
          break;
        default:
          return fail("unknown instruction");
      }
      if (!mok) return fail("memory access failed");
      if (write_reg) r[write_reg] = value;
      if (in_delay) {
        pc = after_delay;
        in_delay = false;
      } else if (branch) {
        after_delay = target;
        in_delay = true;
        pc += 4;
      } else {
        pc += 4;
      }
    }
    fail("did not reach the kernel");
  }
  void fail(const char* why) {
    ok = false;
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s at pc %08x", why, pc);
    error = buf;
  }
};

enum Reg { A0 = 4, A1, A2, A3, T9 = 25, K0 = 26, K1 = 27, SP = 29, RA = 31 };

class MaltaBoth : public ::testing::TestWithParam<bool> {};

TEST_P(MaltaBoth, BootCodeLeavesTheCpuAsQemuDoes) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  std::string err;
  auto board = MaltaBoard::create(baseOptions(k.path()), nullptr, err);
  ASSERT_TRUE(board) << err;
  EXPECT_EQ(board->bigEndian(), be);
  MiniCpu cpu;
  cpu.run(board->addressSpace(), be, 0x80100000);
  ASSERT_TRUE(cpu.ok) << cpu.error;
  // QEMU 7.2, -M malta -m 128 (default), info registers at the kernel entry.
  for (int i = 0; i < 32; i++) {
    uint32_t want = 0;
    switch (i) {
      case A0: want = 2; break;
      case A1: want = 0x80002000; break;
      case A2: want = 0x80002008; break;
      case A3: want = 0x08000000; break;
      case T9: want = 0x80100000; break;
      case K0: want = be ? 0x5e000000 : 0x0000005e; break;
      case K1: want = 0xbbe00088; break;
      case SP: want = 0x80001fc0; break;
      case RA: want = 0xbfc00644; break;
      default: break;
    }
    EXPECT_EQ(cpu.r[i], want) << "register " << i;
  }
  // The GT-64120 moved, and COM1 answers at its ISA address.
  EXPECT_EQ(board->gt().isd().start, 0x1be00000u);
  EXPECT_EQ(board->gt().pci0Io().start, 0x18000000u);
  EXPECT_EQ(board->addressSpace().read(0x180003fd, 1, be), 0x60u);
}

TEST_P(MaltaBoth, BootEnvironmentMatchesQemu) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  std::vector<uint8_t> rd(100000, 0x5a);
  TempFile initrd(rd);
  MachineOptions o = baseOptions(k.path());
  o.ram_size = 64ull << 20;
  o.initrd = initrd.path();
  o.append = "console=ttyS0 foo";
  std::string err;
  auto board = MaltaBoard::create(o, nullptr, err);
  ASSERT_TRUE(board) << err;
  auto& as = board->addressSpace();
  // QEMU: initrd at ROUND_UP(ram_low - (size + 128 KiB), 64 KiB).
  EXPECT_EQ(board->initrdStart(), 0x3fd0000u);
  uint8_t byte = 0;
  ASSERT_TRUE(as.copyFrom(0x3fd0000 + 99999, &byte, 1));
  EXPECT_EQ(byte, 0x5a);

  const char* want[] = {nullptr,  // the kernel path, checked below
                        "rd_start=0xffffffff83fd0000 rd_size=100000 console=ttyS0 foo",
                        "memsize",
                        "67108864",
                        "ememsize",
                        "67108864",
                        "modetty0",
                        "38400n8r",
                        "rngseed"};
  for (uint32_t i = 0; i < 16; i++) {
    uint32_t ptr = static_cast<uint32_t>(as.read(0x2000 + 4 * i, 4, be));
    if (i >= 10) {
      EXPECT_EQ(ptr, 0u) << "entry " << i;
      continue;
    }
    EXPECT_EQ(ptr, 0x80002040u + 256 * i) << "entry " << i;
    std::string s = readString(as, ptr & 0x1fffffff);
    if (i == 0) {
      EXPECT_EQ(s, k.path());
    } else if (i == 9) {
      EXPECT_EQ(s.size(), 64u);
      EXPECT_EQ(s.find_first_not_of("0123456789abcdef"), std::string::npos) << s;
    } else {
      EXPECT_EQ(s, want[i]) << "entry " << i;
    }
  }
}

TEST_P(MaltaBoth, LongCommandLinesAreCutLikeQemus) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  MachineOptions o = baseOptions(k.path());
  o.append = std::string(300, 'x');
  std::string err;
  auto board = MaltaBoard::create(o, nullptr, err);
  ASSERT_TRUE(board) << err;
  EXPECT_EQ(readString(board->addressSpace(), 0x2140), std::string(255, 'x'));
  EXPECT_EQ(readString(board->addressSpace(), 0x2240), "memsize");
}

TEST_P(MaltaBoth, MemoryMap) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  std::string err;
  auto board = MaltaBoard::create(baseOptions(k.path()), nullptr, err);
  ASSERT_TRUE(board) << err;
  auto& as = board->addressSpace();
  bool ok = false;
  // The kernel in low RAM and again at 0x80000000.
  EXPECT_EQ(as.read(0x100000, 4, be, &ok), 0x1000ffffu);
  EXPECT_TRUE(ok);
  EXPECT_EQ(as.read(0x80100000, 4, be, &ok), 0x1000ffffu);
  EXPECT_EQ(as.read(0x87fffffc, 4, be, &ok), 0u);
  EXPECT_TRUE(ok);
  // Boot ROM: the stub, the board revision, the patched words.
  EXPECT_EQ(as.read(0x1fc00010, 4, be), 0x420u);
  EXPECT_EQ(as.read(0x1fc00000 + mimic::roms::kBootstubEntryOffset, 4, be), 0x80100000u);
  EXPECT_EQ(as.read(0x1fc00000 + mimic::roms::kBootstubRamSizeOffset, 4, be), 0x08000000u);
  EXPECT_EQ(as.read(0x1fc00534, 4, be), 0x9fc00808u);  // YAMON print
  EXPECT_EQ(as.read(0x1e000000, 4, be), as.read(0x1fc00000, 4, be));  // flash holds it too
  EXPECT_EQ(as.read(0x1e000010, 4, be), 0u);
  as.write(0x1fc00000, 0, 4, be, &ok);  // ROM: ignored
  EXPECT_EQ(as.read(0x1fc00010, 4, be), 0x420u);
  // FPGA, CBUS UART and what lies between.
  EXPECT_EQ(as.read(0x1f000208, 4, be, &ok), be ? 0x12u : 0x10u);
  EXPECT_EQ(as.read(0x1f000928, 1, be, &ok), 0x60u);
  EXPECT_EQ(as.read(0x1f000930, 4, be, &ok), 0xb0u);
  EXPECT_EQ(as.read(0x1f000940, 4, be, &ok), 0u);
  EXPECT_TRUE(ok);  // decoded by the GT-64120: no bus error
  EXPECT_EQ(as.read(0x1f000a08, 4, be, &ok), 0x3u);
  // GT-64120 registers at their reset place, ISA ports in the reset I/O window.
  uint32_t gt_cpu = static_cast<uint32_t>(as.read(0x14000000, 4, be));
  EXPECT_EQ(gt_cpu, be ? 0u : 0x1000u);
  EXPECT_EQ(as.read(0x100003fd, 1, be), 0x60u);  // COM1 LSR
  EXPECT_EQ(as.read(0x100002fd, 1, be), 0x60u);  // COM2 LSR
  EXPECT_EQ(as.read(0x10000100, 1, be), 0xffu);  // nobody's port
  // Beyond the GT's 512 MiB: nothing, a bus error.
  as.read(0x20000000, 4, be, &ok);
  EXPECT_FALSE(ok);
  as.read(0x88000000, 4, be, &ok);
  EXPECT_FALSE(ok);
}

TEST_P(MaltaBoth, SoftresRequestsAReset) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  std::string err;
  auto board = MaltaBoard::create(baseOptions(k.path()), nullptr, err);
  ASSERT_TRUE(board) << err;
  int resets = 0;
  board->setResetRequest([&] { resets++; });
  board->addressSpace().write(0x1f000500, 0x42, 4, be);
  EXPECT_EQ(resets, 1);
}

TEST_P(MaltaBoth, CbusUartInterruptReachesTheCpuInput) {
  bool be = GetParam();
  TempFile k(makeElf(be, 0x80100000, 0x80100000, loopCode(be)));
  std::string err;
  auto board = MaltaBoard::create(baseOptions(k.path()), nullptr, err);
  ASSERT_TRUE(board) << err;
  int line = -1;
  bool level = false;
  board->setCpuIrq([&](int n, bool l) {
    line = n;
    level = l;
  });
  board->addressSpace().write(0x1f000908, 0x02, 4, be);  // IER: THRE interrupt
  EXPECT_EQ(line, 2);  // Cause.IP4
  EXPECT_TRUE(level);
}

INSTANTIATE_TEST_SUITE_P(Endian, MaltaBoth, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "big" : "little"; });

std::string createError(MachineOptions o) {
  std::string err;
  auto board = MaltaBoard::create(o, nullptr, err);
  return board ? std::string("(created)") : err;
}

TEST(MaltaErrors, BadInputsGiveOneLine) {
  TempFile le(makeElf(false, 0x80100000, 0x80100000, loopCode(false)));
  TempFile x86(makeElf(false, 0x80100000, 0x80100000, loopCode(false), 62));
  TempFile useg(makeElf(false, 0x00100000, 0x00100000, loopCode(false)));
  TempFile on_env(makeElf(false, 0x80001000, 0x80001000, loopCode(false), 8, 0x2000));
  TempFile huge_bss(makeElf(false, 0x80100000, 0x80100000, loopCode(false), 8, 0x9000000));
  TempFile text({'h', 'e', 'l', 'l', 'o', '\n'});

  MachineOptions o = baseOptions("");
  EXPECT_EQ(createError(o), "no -kernel given: the Malta machine needs a program to run (an ELF file)");
  o.kernel = "/nonexistent.elf";
  EXPECT_EQ(createError(o), "could not load kernel '/nonexistent.elf': No such file or directory");
  o.kernel = text.path();
  EXPECT_EQ(createError(o), "could not load kernel '" + text.path() + "': not an ELF file");
  o.kernel = x86.path();
  EXPECT_EQ(createError(o),
            "could not load kernel '" + x86.path() + "': ELF for x86-64 (e_machine 62), not MIPS (e_machine 8)");
  o.kernel = useg.path();
  EXPECT_NE(createError(o).find("is not in kseg0/kseg1"), std::string::npos);
  o.kernel = on_env.path();
  EXPECT_NE(createError(o).find("overlaps the boot environment at 0x2000-0x303f"), std::string::npos);
  o.kernel = huge_bss.path();
  EXPECT_NE(createError(o).find("is outside RAM (0x0-0x7ffffff)"), std::string::npos);

  o = baseOptions(le.path());
  o.props["endianness"] = "big";
  EXPECT_EQ(createError(o), "could not load kernel '" + le.path() +
                                "': the ELF file is little-endian but big-endian was forced "
                                "(-M malta,endianness=...)");
  o.props["endianness"] = "little";
  EXPECT_EQ(createError(o), "(created)");
  o.props["endianness"] = "middle";
  EXPECT_EQ(createError(o), "-M malta,endianness=middle: must be 'big' or 'little'");
  o.props.clear();
  o.props["color"] = "red";
  EXPECT_EQ(createError(o), "-M malta: unknown property 'color' (known: endianness)");

  o = baseOptions(le.path());
  o.ram_size = 512ull << 20;
  EXPECT_EQ(createError(o), "-m 512 MiB: the Malta low RAM window holds at most 256 MiB");
  o.ram_size = 256ull << 20;
  EXPECT_EQ(createError(o), "(created)");

  o = baseOptions(le.path());
  o.initrd = "/nonexistent.img";
  EXPECT_EQ(createError(o), "could not load initial ram disk '/nonexistent.img': No such file or directory");
  TempFile big_rd(std::vector<uint8_t>(3 << 20, 1));
  o.initrd = big_rd.path();
  o.ram_size = 2ull << 20;
  TempFile low(makeElf(false, 0x80010000, 0x80010000, loopCode(false)));
  o.kernel = low.path();
  EXPECT_EQ(createError(o), "memory too small for initial ram disk '" + big_rd.path() + "'");

  o = baseOptions(le.path());
  o.serial = {"null", "null", "null", "null", "null"};
  EXPECT_EQ(createError(o), "too many -serial options (5): at most 4");
  o.serial = {"tcp:localhost:4444"};
  EXPECT_NE(createError(o).find("is not supported"), std::string::npos);
  o.serial = {"file:/nonexistent/dir/x"};
  EXPECT_NE(createError(o).find("cannot open"), std::string::npos);
}

}  // namespace
