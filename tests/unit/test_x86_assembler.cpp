// Checks the x86-64 assembler by decoding its output with Capstone (Intel
// syntax) and comparing with expected text, plus a few execution tests.
#include "backend/x86_64/assembler.h"

#include <capstone/capstone.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

using namespace mimic::x64;
using enum Reg;
using enum Xmm;

constexpr Reg kRegs[16] = {rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
                           r8, r9, r10, r11, r12, r13, r14, r15};
constexpr W kWidths[4] = {W::b, W::w, W::d, W::q};

const char* const kNames[4][16] = {
    {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
     "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"},
    {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
     "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"},
    {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
     "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"},
    {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"},
};
const char* const kPtr[4] = {"byte ptr ", "word ptr ", "dword ptr ", "qword ptr "};
const char* const kCc[16] = {"o", "no", "b", "ae", "e", "ne", "be", "a",
                             "s", "ns", "p", "np", "l", "ge", "le", "g"};

std::string name(W w, Reg r) { return kNames[int(w)][int(r)]; }
std::string name(Xmm x) { return "xmm" + std::to_string(int(x)); }

// Capstone's number style: small values in decimal, others in hex.
std::string num(int64_t v) {
  if (v < 0) return "-" + num(-v);
  char s[32];
  if (v <= 9) std::snprintf(s, sizeof s, "%" PRId64, v);
  else std::snprintf(s, sizeof s, "0x%" PRIx64, v);
  return s;
}

std::string memText(const Mem& m) {
  std::string s = "[" + name(W::q, m.base);
  if (m.has_index) {
    s += " + " + name(W::q, m.index);
    if (m.scale != 1) s += "*" + std::to_string(m.scale);
  }
  if (m.disp > 0) s += " + " + num(m.disp);
  if (m.disp < 0) s += " - " + num(-int64_t(m.disp));
  return s + "]";
}
std::string memText(W w, const Mem& m) { return kPtr[int(w)] + memText(m); }

// Decodes n bytes as "mnemonic operands; ..."; flags undecodable bytes.
std::string dis(const uint8_t* code, size_t n, uint64_t addr = 0x1000) {
  static csh h = [] {
    csh handle;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) std::abort();
    return handle;
  }();
  cs_insn* insn;
  size_t count = cs_disasm(h, code, n, addr, 0, &insn);
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < count; i++) {
    if (i) out += "; ";
    out += insn[i].mnemonic;
    if (insn[i].op_str[0]) out += std::string(" ") + insn[i].op_str;
    used += insn[i].size;
  }
  if (count) cs_free(insn, count);
  if (used != n) out += " <undecoded " + std::to_string(n - used) + " bytes>";
  return out;
}

struct Out {
  std::string text;
  size_t size;
};

template <class F>
Out assemble(F&& f) {
  uint8_t buf[512];
  Assembler a(buf, sizeof buf);
  f(a);
  EXPECT_TRUE(a.ok());
  return {dis(buf, a.size()), a.size()};
}

#define EXPECT_ASM(expected, code) EXPECT_EQ(assemble([&](Assembler& a) { code; }).text, expected)
#define EXPECT_ASM_LEN(expected, len, code)                      \
  do {                                                           \
    Out o_ = assemble([&](Assembler& a) { code; });              \
    EXPECT_EQ(o_.text, expected);                                \
    EXPECT_EQ(o_.size, size_t(len)) << expected;                 \
  } while (0)

const char* const kAluNames[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};

template <class D, class S>
void alu(Assembler& a, int op, W w, D d, S s) {
  switch (op) {
    case 0: a.add(w, d, s); break;
    case 1: a.or_(w, d, s); break;
    case 2: a.adc(w, d, s); break;
    case 3: a.sbb(w, d, s); break;
    case 4: a.and_(w, d, s); break;
    case 5: a.sub(w, d, s); break;
    case 6: a.xor_(w, d, s); break;
    case 7: a.cmp(w, d, s); break;
  }
}

// A spread of memory operands covering the special bases and displacements.
std::vector<Mem> someMems() {
  return {Mem::at(rax), Mem::at(rsp, 8), Mem::at(rbp), Mem::at(r12, -4), Mem::at(r13, 0x100),
          Mem::idx(rbx, r12, 8, -0x1000), Mem::idx(r15, rbp, 2), Mem::at(rdi, 127)};
}

// ---------------------------------------------------------------- ALU

TEST(X86Assembler, AluRegReg) {
  for (int op = 0; op < 8; op++)
    for (W w : kWidths)
      for (Reg d : kRegs)
        for (Reg s : kRegs)
          EXPECT_ASM(std::string(kAluNames[op]) + " " + name(w, d) + ", " + name(w, s),
                     alu(a, op, w, d, s));
}

TEST(X86Assembler, AluRegImm) {
  for (int op = 0; op < 8; op++)
    for (W w : kWidths)
      for (Reg d : kRegs) {
        std::string pre = std::string(kAluNames[op]) + " " + name(w, d) + ", ";
        EXPECT_ASM(pre + "5", alu(a, op, w, d, 5));
        EXPECT_ASM(pre + "0x7f", alu(a, op, w, d, 0x7f));
        if (w != W::b) {
          EXPECT_ASM(pre + "0x1234", alu(a, op, w, d, 0x1234));
        }
      }
}

TEST(X86Assembler, AluImmediateEncodings) {
  // imm8 sign-extended (83) when it fits, imm32 otherwise, short rax forms.
  EXPECT_ASM_LEN("add edx, 0x7f", 3, a.add(W::d, rdx, 127));
  EXPECT_ASM_LEN("add edx, 0x80", 6, a.add(W::d, rdx, 128));
  EXPECT_ASM_LEN("add edx, -0x80", 3, a.add(W::d, rdx, -128));
  EXPECT_ASM_LEN("add edx, 0xffffff7f", 6, a.add(W::d, rdx, -129));
  EXPECT_ASM_LEN("add rdx, -0x81", 7, a.add(W::q, rdx, -129));
  EXPECT_ASM_LEN("add eax, 0x7f", 3, a.add(W::d, rax, 127));
  EXPECT_ASM_LEN("add eax, 0x80", 5, a.add(W::d, rax, 128));
  EXPECT_ASM_LEN("add rax, 0x80", 6, a.add(W::q, rax, 128));
  EXPECT_ASM_LEN("sub r8d, 0x80", 7, a.sub(W::d, r8, 128));
  EXPECT_ASM_LEN("sub r8, 1", 4, a.sub(W::q, r8, 1));
  EXPECT_ASM_LEN("add r15, 0x7fffffff", 7, a.add(W::q, r15, INT32_MAX));
  EXPECT_ASM_LEN("add r15, -0x80000000", 7, a.add(W::q, r15, INT32_MIN));
  EXPECT_ASM_LEN("and rax, 0xffffffff80000000", 6, a.and_(W::q, rax, INT32_MIN));
  EXPECT_ASM_LEN("cmp ecx, -1", 3, a.cmp(W::d, rcx, int32_t(0xffffffffu)));
  EXPECT_ASM_LEN("cmp ecx, 0x80000000", 6, a.cmp(W::d, rcx, int32_t(0x80000000u)));
  // Byte ops have no sign-extended form; al has a 2-byte one; sil needs REX.
  EXPECT_ASM_LEN("add al, 5", 2, a.add(W::b, rax, 5));
  EXPECT_ASM_LEN("add cl, 0xff", 3, a.add(W::b, rcx, -1));
  EXPECT_ASM_LEN("add sil, 5", 4, a.add(W::b, rsi, 5));
  EXPECT_ASM_LEN("xor r9b, 0x80", 4, a.xor_(W::b, r9, 0x80));
  // 16-bit: the immediate is judged at 16 bits.
  EXPECT_ASM_LEN("add ax, 0x1234", 4, a.add(W::w, rax, 0x1234));
  EXPECT_ASM_LEN("add bx, -1", 4, a.add(W::w, rbx, 0xffff));
  EXPECT_ASM_LEN("add bx, 0x1234", 5, a.add(W::w, rbx, 0x1234));
  EXPECT_ASM_LEN("or r10w, 0x7fff", 6, a.or_(W::w, r10, 0x7fff));
}

TEST(X86Assembler, AluMemoryForms) {
  for (int op = 0; op < 8; op++)
    for (W w : kWidths)
      for (const Mem& m : someMems()) {
        std::string n = kAluNames[op];
        EXPECT_ASM(n + " " + name(w, r9) + ", " + memText(w, m), alu(a, op, w, r9, m));
        EXPECT_ASM(n + " " + memText(w, m) + ", " + name(w, rsi), alu(a, op, w, m, rsi));
        EXPECT_ASM(n + " " + memText(w, m) + ", 0x12", alu(a, op, w, m, 0x12));
        // Capstone prints the sign-extended imm8 of logical ops unsigned.
        bool logical = op == 1 || op == 4 || op == 6;
        EXPECT_ASM(n + " " + memText(W::q, m) + (logical ? ", 0xfffffffffffffffe" : ", -2"),
                   alu(a, op, W::q, m, -2));
      }
  EXPECT_ASM_LEN("add dword ptr [rax], 0x80", 6, a.add(W::d, Mem::at(rax), 128));
  EXPECT_ASM_LEN("add qword ptr [rax], -0xc8", 7, a.add(W::q, Mem::at(rax), -200));
  EXPECT_ASM_LEN("cmp byte ptr [r12], 0xff", 5, a.cmp(W::b, Mem::at(r12), 0xff));
  EXPECT_ASM_LEN("cmp word ptr [rbp], 0x1234", 6, a.cmp(W::w, Mem::at(rbp), 0x1234));
}

TEST(X86Assembler, Test) {
  for (W w : kWidths)
    for (Reg d : kRegs) {
      for (Reg s : kRegs) EXPECT_ASM("test " + name(w, d) + ", " + name(w, s), a.test(w, d, s));
      EXPECT_ASM("test " + name(w, d) + ", 0x12", a.test(w, d, 0x12));
    }
  EXPECT_ASM_LEN("test eax, 0x12", 5, a.test(W::d, rax, 0x12));
  EXPECT_ASM_LEN("test ecx, 0x12", 6, a.test(W::d, rcx, 0x12));
  EXPECT_ASM_LEN("test al, 1", 2, a.test(W::b, rax, 1));
  EXPECT_ASM_LEN("test dil, 1", 4, a.test(W::b, rdi, 1));
  EXPECT_ASM_LEN("test rcx, -2", 7, a.test(W::q, rcx, -2));
  EXPECT_ASM("test qword ptr [rsp + 0x10], rdx", a.test(W::q, Mem::at(rsp, 16), rdx));
  EXPECT_ASM("test byte ptr [r13], 0x80", a.test(W::b, Mem::at(r13), 0x80));
  EXPECT_ASM("test dword ptr [rax + rcx*4], 0x100", a.test(W::d, Mem::idx(rax, rcx, 4), 0x100));
}

// ---------------------------------------------------------------- addressing

// Expected length of `mov r64, [m]`: REX, opcode, ModRM, [SIB], [disp].
size_t movLoadLen(const Mem& m) {
  unsigned b = unsigned(m.base) & 7;
  size_t len = 3;
  if (m.has_index || b == 4) len++;
  if (m.disp == 0 && b != 5) return len;
  return len + (m.disp >= -128 && m.disp <= 127 ? 1 : 4);
}

TEST(X86Assembler, AddressingModes) {
  const int32_t disps[] = {0, 1, -1, 127, 128, -128, -129, 0x12345, INT32_MAX, INT32_MIN};
  const int scales[] = {1, 2, 4, 8};
  for (Reg base : kRegs)
    for (int32_t disp : disps) {
      Reg dst = Reg((unsigned(base) * 7 + 3) & 15);
      Mem m = Mem::at(base, disp);
      EXPECT_ASM_LEN("mov " + name(W::q, dst) + ", " + memText(W::q, m), movLoadLen(m),
                     a.mov(W::q, dst, m));
      for (Reg index : kRegs) {
        if (index == rsp) continue;  // not encodable as an index
        for (int scale : scales) {
          Mem mi = Mem::idx(base, index, scale, disp);
          Reg d2 = Reg((unsigned(index) + unsigned(base)) & 15);
          EXPECT_ASM_LEN("mov " + name(W::q, d2) + ", " + memText(W::q, mi), movLoadLen(mi),
                         a.mov(W::q, d2, mi));
        }
      }
    }
}

TEST(X86Assembler, RipRelative) {
  EXPECT_ASM_LEN("mov rax, qword ptr [rip + 0x10]", 7, a.mov(W::q, rax, Mem::ripDisp(16)));
  EXPECT_ASM("mov r9d, dword ptr [rip - 8]", a.mov(W::d, r9, Mem::ripDisp(-8)));
  EXPECT_ASM("lea r12, [rip + 0x1000]", a.lea(W::q, r12, Mem::ripDisp(0x1000)));
  EXPECT_ASM("mov dword ptr [rip + 0x10], 5", a.mov(W::d, Mem::ripDisp(16), 5));
  EXPECT_ASM("jmp qword ptr [rip]", a.jmp(Mem::ripDisp(0)));
}

TEST(X86Assembler, Lea) {
  for (Reg d : kRegs)
    for (const Mem& m : someMems()) {
      EXPECT_ASM("lea " + name(W::q, d) + ", " + memText(m), a.lea(W::q, d, m));
      EXPECT_ASM("lea " + name(W::d, d) + ", " + memText(m), a.lea(W::d, d, m));
    }
}

// ---------------------------------------------------------------- moves

TEST(X86Assembler, MovRegRegAndMem) {
  for (W w : kWidths)
    for (Reg d : kRegs) {
      for (Reg s : kRegs) EXPECT_ASM("mov " + name(w, d) + ", " + name(w, s), a.mov(w, d, s));
      for (const Mem& m : someMems()) {
        EXPECT_ASM("mov " + name(w, d) + ", " + memText(w, m), a.mov(w, d, m));
        EXPECT_ASM("mov " + memText(w, m) + ", " + name(w, d), a.mov(w, m, d));
      }
    }
}

TEST(X86Assembler, ByteAndWordStores) {
  // spl/bpl/sil/dil need an (empty) REX prefix; al..bl and all word
  // registers below r8w must not get one.
  for (Reg s : kRegs) {
    size_t len = unsigned(s) < 4 ? 2 : 3;
    EXPECT_ASM_LEN("mov byte ptr [rax], " + name(W::b, s), len, a.mov8(Mem::at(rax), s));
    EXPECT_ASM_LEN("mov word ptr [rax], " + name(W::w, s), unsigned(s) < 8 ? 3 : 4,
                   a.mov16(Mem::at(rax), s));
  }
  EXPECT_ASM("mov byte ptr [r12 + r13*2 + 1], sil", a.mov8(Mem::idx(r12, r13, 2, 1), rsi));
  EXPECT_ASM("mov word ptr [rsp - 2], r15w", a.mov16(Mem::at(rsp, -2), r15));
  EXPECT_ASM_LEN("mov byte ptr [rsp], 0xff", 4, a.mov(W::b, Mem::at(rsp), 0xff));
  EXPECT_ASM_LEN("mov word ptr [rax], 0x1234", 5, a.mov(W::w, Mem::at(rax), 0x1234));
  EXPECT_ASM_LEN("mov dword ptr [rax], 0x12345678", 6, a.mov(W::d, Mem::at(rax), 0x12345678));
  EXPECT_ASM_LEN("mov qword ptr [r8 + 8], -2", 8, a.mov(W::q, Mem::at(r8, 8), -2));
}

TEST(X86Assembler, MovImmediate) {
  // 64-bit: zero-extending B8, sign-extending C7, or movabs.
  EXPECT_ASM_LEN("mov eax, 0", 5, a.mov(W::q, rax, 0));
  EXPECT_ASM_LEN("mov eax, 0xffffffff", 5, a.mov(W::q, rax, 0xffffffffll));
  EXPECT_ASM_LEN("mov r8d, 1", 6, a.mov(W::q, r8, 1));
  EXPECT_ASM_LEN("mov rax, -1", 7, a.mov(W::q, rax, -1));
  EXPECT_ASM_LEN("mov r13, -0x80000000", 7, a.mov(W::q, r13, INT32_MIN));
  EXPECT_ASM_LEN("movabs rax, 0x100000000", 10, a.mov(W::q, rax, 0x100000000ll));
  EXPECT_ASM_LEN("movabs r15, 0xffffffff7fffffff", 10, a.mov(W::q, r15, int64_t(INT32_MIN) - 1));
  EXPECT_ASM_LEN("movabs r11, 0x123456789abcdef0", 10, a.mov(W::q, r11, 0x123456789abcdef0ll));
  EXPECT_ASM_LEN("mov ecx, 0xffffffff", 5, a.mov(W::d, rcx, -1));
  EXPECT_ASM_LEN("mov r9w, 0x1234", 5, a.mov(W::w, r9, 0x1234));
  EXPECT_ASM_LEN("mov dil, 0x12", 3, a.mov(W::b, rdi, 0x12));
  EXPECT_ASM_LEN("mov bl, 0x12", 2, a.mov(W::b, rbx, 0x12));
  for (Reg r : kRegs) {
    EXPECT_ASM("mov " + name(W::d, r) + ", 0x12345678", a.mov(W::d, r, 0x12345678));
    EXPECT_ASM("mov " + name(W::q, r) + ", -0x10", a.mov(W::q, r, -16));
    EXPECT_ASM("movabs " + name(W::q, r) + ", 0x1122334455667788", a.mov(W::q, r, 0x1122334455667788ll));
  }
  uint8_t buf[16];
  Assembler a(buf, sizeof buf);
  a.nop(3);
  EXPECT_EQ(a.movabs(rdx, 7), 5u);  // offset of the imm64, for patching
  EXPECT_EQ(dis(buf + 3, a.size() - 3), "movabs rdx, 7");
}

TEST(X86Assembler, Extensions) {
  for (Reg d : kRegs)
    for (Reg s : kRegs) {
      // Byte sources 4..7 are spl..dil (REX), never ah..bh.
      EXPECT_ASM("movzx " + name(W::d, d) + ", " + name(W::b, s), a.movzx8(W::d, d, s));
      EXPECT_ASM("movzx " + name(W::q, d) + ", " + name(W::b, s), a.movzx8(W::q, d, s));
      EXPECT_ASM("movzx " + name(W::w, d) + ", " + name(W::b, s), a.movzx8(W::w, d, s));
      EXPECT_ASM("movzx " + name(W::d, d) + ", " + name(W::w, s), a.movzx16(W::d, d, s));
      EXPECT_ASM("movsx " + name(W::d, d) + ", " + name(W::b, s), a.movsx8(W::d, d, s));
      EXPECT_ASM("movsx " + name(W::q, d) + ", " + name(W::b, s), a.movsx8(W::q, d, s));
      EXPECT_ASM("movsx " + name(W::d, d) + ", " + name(W::w, s), a.movsx16(W::d, d, s));
      EXPECT_ASM("movsx " + name(W::q, d) + ", " + name(W::w, s), a.movsx16(W::q, d, s));
      EXPECT_ASM("movsxd " + name(W::q, d) + ", " + name(W::d, s), a.movsxd(d, s));
    }
  EXPECT_ASM_LEN("movzx eax, bl", 3, a.movzx8(W::d, rax, rbx));
  EXPECT_ASM_LEN("movzx eax, sil", 4, a.movzx8(W::d, rax, rsi));
  for (const Mem& m : someMems()) {
    EXPECT_ASM("movzx eax, " + memText(W::b, m), a.movzx8(W::d, rax, m));
    EXPECT_ASM("movzx r10, " + memText(W::w, m), a.movzx16(W::q, r10, m));
    EXPECT_ASM("movsx rsp, " + memText(W::b, m), a.movsx8(W::q, rsp, m));
    EXPECT_ASM("movsx r13d, " + memText(W::w, m), a.movsx16(W::d, r13, m));
    EXPECT_ASM("movsxd r14, " + memText(W::d, m), a.movsxd(r14, m));
  }
}

TEST(X86Assembler, XchgAndAtomics) {
  for (W w : kWidths)
    for (Reg x : kRegs)
      for (Reg y : kRegs) EXPECT_ASM("xchg " + name(w, x) + ", " + name(w, y), a.xchg(w, x, y));
  // Never the one-byte 90+r form: 90 would be a nop that skips zero-extension.
  EXPECT_ASM_LEN("xchg eax, eax", 2, a.xchg(W::d, rax, rax));
  EXPECT_ASM("xchg qword ptr [rdi], rsi", a.xchg(W::q, Mem::at(rdi), rsi));
  EXPECT_ASM("lock cmpxchg qword ptr [rdi + 8], r9", a.lockCmpxchg(W::q, Mem::at(rdi, 8), r9));
  EXPECT_ASM("lock cmpxchg dword ptr [r12], esi", a.lockCmpxchg(W::d, Mem::at(r12), rsi));
  EXPECT_ASM("lock cmpxchg byte ptr [rax], sil", a.lockCmpxchg(W::b, Mem::at(rax), rsi));
  EXPECT_ASM("lock xadd dword ptr [rbp], ecx", a.lockXadd(W::d, Mem::at(rbp), rcx));
  EXPECT_ASM("mfence", a.mfence());
}

// ---------------------------------------------------------------- unary, mul, div

TEST(X86Assembler, UnaryGroup) {
  for (W w : kWidths)
    for (Reg r : kRegs) {
      std::string n = name(w, r);
      EXPECT_ASM("not " + n, a.not_(w, r));
      EXPECT_ASM("neg " + n, a.neg(w, r));
      EXPECT_ASM("inc " + n, a.inc(w, r));
      EXPECT_ASM("dec " + n, a.dec(w, r));
      EXPECT_ASM("mul " + n, a.mul(w, r));
      EXPECT_ASM("imul " + n, a.imul(w, r));
      EXPECT_ASM("div " + n, a.div(w, r));
      EXPECT_ASM("idiv " + n, a.idiv(w, r));
    }
  for (W w : kWidths)
    for (const Mem& m : someMems()) {
      std::string t = memText(w, m);
      EXPECT_ASM("not " + t, a.not_(w, m));
      EXPECT_ASM("neg " + t, a.neg(w, m));
      EXPECT_ASM("inc " + t, a.inc(w, m));
      EXPECT_ASM("dec " + t, a.dec(w, m));
      EXPECT_ASM("mul " + t, a.mul(w, m));
      EXPECT_ASM("imul " + t, a.imul(w, m));
      EXPECT_ASM("div " + t, a.div(w, m));
      EXPECT_ASM("idiv " + t, a.idiv(w, m));
    }
  EXPECT_ASM("cdq", a.cdq());
  EXPECT_ASM("cqo", a.cqo());
  EXPECT_ASM("cdqe", a.cdqe());
}

TEST(X86Assembler, Imul) {
  const W ws[] = {W::w, W::d, W::q};
  for (W w : ws)
    for (Reg d : kRegs)
      for (Reg s : kRegs) {
        std::string pre = "imul " + name(w, d) + ", " + name(w, s);
        EXPECT_ASM(pre, a.imul(w, d, s));
        EXPECT_ASM(pre + ", 0x12", a.imul(w, d, s, 0x12));
        EXPECT_ASM(pre + ", 0x1234", a.imul(w, d, s, 0x1234));
      }
  EXPECT_ASM_LEN("imul eax, ebx, -2", 3, a.imul(W::d, rax, rbx, -2));
  EXPECT_ASM_LEN("imul eax, ebx, 0x80", 6, a.imul(W::d, rax, rbx, 128));
  EXPECT_ASM_LEN("imul rax, rbx, -0xc8", 7, a.imul(W::q, rax, rbx, -200));
  for (const Mem& m : someMems()) {
    EXPECT_ASM("imul r11, " + memText(W::q, m), a.imul(W::q, r11, m));
    EXPECT_ASM("imul ecx, " + memText(W::d, m) + ", 0x64", a.imul(W::d, rcx, m, 100));
  }
}

// ---------------------------------------------------------------- shifts

TEST(X86Assembler, Shifts) {
  const char* names[5] = {"rol", "ror", "shl", "shr", "sar"};
  auto emit = [](Assembler& a, int k, W w, auto dst, int imm) {
    switch (k) {
      case 0: imm < 0 ? a.rolCl(w, dst) : a.rol(w, dst, uint8_t(imm)); break;
      case 1: imm < 0 ? a.rorCl(w, dst) : a.ror(w, dst, uint8_t(imm)); break;
      case 2: imm < 0 ? a.shlCl(w, dst) : a.shl(w, dst, uint8_t(imm)); break;
      case 3: imm < 0 ? a.shrCl(w, dst) : a.shr(w, dst, uint8_t(imm)); break;
      case 4: imm < 0 ? a.sarCl(w, dst) : a.sar(w, dst, uint8_t(imm)); break;
    }
  };
  for (int k = 0; k < 5; k++)
    for (W w : kWidths) {
      for (Reg r : kRegs) {
        std::string pre = std::string(names[k]) + " " + name(w, r);
        EXPECT_ASM(pre + ", 1", emit(a, k, w, r, 1));
        EXPECT_ASM(pre + ", 7", emit(a, k, w, r, 7));
        EXPECT_ASM(pre + ", cl", emit(a, k, w, r, -1));
      }
      for (const Mem& m : someMems()) {
        std::string pre = std::string(names[k]) + " " + memText(w, m);
        EXPECT_ASM(pre + ", 1", emit(a, k, w, m, 1));
        EXPECT_ASM(pre + ", 3", emit(a, k, w, m, 3));
        EXPECT_ASM(pre + ", cl", emit(a, k, w, m, -1));
      }
    }
  EXPECT_ASM_LEN("shl edx, 1", 2, a.shl(W::d, rdx, 1));  // D1 form
  EXPECT_ASM_LEN("shl rdx, 0x3f", 4, a.shl(W::q, rdx, 63));
  EXPECT_ASM_LEN("ror ax, 8", 4, a.bswap16(rax));
  EXPECT_ASM_LEN("ror r9w, 8", 5, a.bswap16(r9));
  EXPECT_ASM("shld rax, rbx, 5", a.shld(W::q, rax, rbx, 5));
  EXPECT_ASM("shld r8d, r15d, cl", a.shldCl(W::d, r8, r15));
  EXPECT_ASM("shrd r12, rsp, 0x20", a.shrd(W::q, r12, rsp, 32));
  EXPECT_ASM("shrd esi, edi, cl", a.shrdCl(W::d, rsi, rdi));
}

TEST(X86Assembler, Bmi2Shifts) {
  for (Reg d : kRegs)
    for (Reg c : kRegs) {
      Reg s = Reg((unsigned(d) + 5) & 15);
      for (W w : {W::d, W::q}) {
        std::string ops = name(w, d) + ", " + name(w, s) + ", " + name(w, c);
        EXPECT_ASM("shlx " + ops, a.shlx(w, d, s, c));
        EXPECT_ASM("shrx " + ops, a.shrx(w, d, s, c));
        EXPECT_ASM("sarx " + ops, a.sarx(w, d, s, c));
      }
    }
  for (Reg d : kRegs) {
    EXPECT_ASM("rorx " + name(W::q, d) + ", r10, 0x10", a.rorx(W::q, d, r10, 16));
    EXPECT_ASM("rorx " + name(W::d, d) + ", ecx, 3", a.rorx(W::d, d, rcx, 3));
  }
  for (const Mem& m : someMems()) {
    EXPECT_ASM("shlx r9, " + memText(W::q, m) + ", r14", a.shlx(W::q, r9, m, r14));
    EXPECT_ASM("sarx eax, " + memText(W::d, m) + ", edx", a.sarx(W::d, rax, m, rdx));
    EXPECT_ASM("shrx r15d, " + memText(W::d, m) + ", ebx", a.shrx(W::d, r15, m, rbx));
    EXPECT_ASM("rorx r12, " + memText(W::q, m) + ", 0x3f", a.rorx(W::q, r12, m, 63));
  }
}

// ---------------------------------------------------------------- bit ops

TEST(X86Assembler, BitOps) {
  for (Reg r : kRegs) {
    EXPECT_ASM("bswap " + name(W::d, r), a.bswap(W::d, r));
    EXPECT_ASM("bswap " + name(W::q, r), a.bswap(W::q, r));
  }
  const W ws[] = {W::w, W::d, W::q};
  for (W w : ws)
    for (Reg d : kRegs)
      for (Reg s : kRegs) {
        std::string ops = name(w, d) + ", " + name(w, s);
        EXPECT_ASM("bsr " + ops, a.bsr(w, d, s));
        EXPECT_ASM("bsf " + ops, a.bsf(w, d, s));
        EXPECT_ASM("lzcnt " + ops, a.lzcnt(w, d, s));
        EXPECT_ASM("tzcnt " + ops, a.tzcnt(w, d, s));
        EXPECT_ASM("popcnt " + ops, a.popcnt(w, d, s));
        EXPECT_ASM("bt " + ops, a.bt(w, d, s));
        EXPECT_ASM("bts " + ops, a.bts(w, d, s));
        EXPECT_ASM("btr " + ops, a.btr(w, d, s));
        EXPECT_ASM("btc " + ops, a.btc(w, d, s));
      }
  for (Reg r : kRegs) {
    EXPECT_ASM("bt " + name(W::q, r) + ", 0x3f", a.bt(W::q, r, 63));
    EXPECT_ASM("bts " + name(W::d, r) + ", 5", a.bts(W::d, r, 5));
    EXPECT_ASM("btr " + name(W::q, r) + ", 0x20", a.btr(W::q, r, 32));
    EXPECT_ASM("btc " + name(W::d, r) + ", 0", a.btc(W::d, r, 0));
  }
  for (const Mem& m : someMems()) {
    EXPECT_ASM("lzcnt rax, " + memText(W::q, m), a.lzcnt(W::q, rax, m));
    EXPECT_ASM("bsr r8d, " + memText(W::d, m), a.bsr(W::d, r8, m));
    EXPECT_ASM("tzcnt ecx, " + memText(W::d, m), a.tzcnt(W::d, rcx, m));
    EXPECT_ASM("bsf r14, " + memText(W::q, m), a.bsf(W::q, r14, m));
    EXPECT_ASM("popcnt r9, " + memText(W::q, m), a.popcnt(W::q, r9, m));
    EXPECT_ASM("bt dword ptr " + memText(m) + ", 7", a.bt(W::d, m, 7));
  }
}

TEST(X86Assembler, Movbe) {
  const W ws[] = {W::w, W::d, W::q};
  for (W w : ws)
    for (Reg r : kRegs)
      for (const Mem& m : someMems()) {
        EXPECT_ASM("movbe " + name(w, r) + ", " + memText(w, m), a.movbe(w, r, m));
        EXPECT_ASM("movbe " + memText(w, m) + ", " + name(w, r), a.movbe(w, m, r));
      }
}

// ---------------------------------------------------------------- conditions

TEST(X86Assembler, ConditionCodes) {
  for (int c = 0; c < 16; c++) {
    EXPECT_EQ(int(invert(Cc(c))), c ^ 1);
    EXPECT_EQ(invert(invert(Cc(c))), Cc(c));
  }
  EXPECT_EQ(invert(Cc::e), Cc::ne);
  EXPECT_EQ(invert(Cc::l), Cc::ge);
  EXPECT_EQ(invert(Cc::a), Cc::be);
  for (int c = 0; c < 16; c++) {
    std::string cc = kCc[c];
    for (Reg r : kRegs) {
      EXPECT_ASM("set" + cc + " " + name(W::b, r), a.setcc(Cc(c), r));
      EXPECT_ASM("cmov" + cc + " " + name(W::q, r) + ", " + name(W::q, Reg(15 - int(r))),
                 a.cmov(W::q, Cc(c), r, Reg(15 - int(r))));
      EXPECT_ASM("cmov" + cc + " " + name(W::d, r) + ", " + name(W::d, rbp),
                 a.cmov(W::d, Cc(c), r, rbp));
      EXPECT_ASM("cmov" + cc + " " + name(W::w, r) + ", " + name(W::w, r9),
                 a.cmov(W::w, Cc(c), r, r9));
    }
    EXPECT_ASM("set" + cc + " byte ptr [rsp + 4]", a.setcc(Cc(c), Mem::at(rsp, 4)));
    EXPECT_ASM("cmov" + cc + " r13, qword ptr [r13]", a.cmov(W::q, Cc(c), r13, Mem::at(r13)));
  }
  EXPECT_ASM_LEN("sete al", 3, a.setcc(Cc::e, rax));
  EXPECT_ASM_LEN("sete sil", 4, a.setcc(Cc::e, rsi));
  EXPECT_ASM_LEN("sete r8b", 4, a.setcc(Cc::e, r8));
}

// ---------------------------------------------------------------- stack, control flow, misc

TEST(X86Assembler, StackAndControlFlow) {
  for (Reg r : kRegs) {
    size_t len = unsigned(r) < 8 ? 1 : 2;
    EXPECT_ASM_LEN("push " + name(W::q, r), len, a.push(r));
    EXPECT_ASM_LEN("pop " + name(W::q, r), len, a.pop(r));
    EXPECT_ASM("call " + name(W::q, r), a.call(r));
    EXPECT_ASM("jmp " + name(W::q, r), a.jmp(r));
  }
  EXPECT_ASM_LEN("push 0x7f", 2, a.push(127));
  EXPECT_ASM_LEN("push -0xc8", 5, a.push(-200));
  for (const Mem& m : someMems()) {
    EXPECT_ASM("call " + memText(W::q, m), a.call(m));
    EXPECT_ASM("jmp " + memText(W::q, m), a.jmp(m));
  }
  EXPECT_ASM_LEN("ret", 1, a.ret());
  EXPECT_ASM_LEN("int3", 1, a.int3());
  EXPECT_ASM_LEN("ud2", 2, a.ud2());
}

TEST(X86Assembler, Nops) {
  for (size_t n = 0; n <= 40; n++) {
    uint8_t buf[64];
    Assembler a(buf, sizeof buf);
    a.nop(n);
    ASSERT_EQ(a.size(), n);
    std::string t = dis(buf, n);
    // Every decoded instruction is a nop and all bytes decode.
    size_t pos = 0, count = 0;
    while (pos < t.size()) {
      EXPECT_EQ(t.compare(pos, 3, "nop"), 0) << n << ": " << t;
      size_t next = t.find("; ", pos);
      pos = next == std::string::npos ? t.size() : next + 2;
      count++;
    }
    EXPECT_EQ(count, (n + 8) / 9) << t;
  }
  EXPECT_ASM("nop", a.nop(1));
  EXPECT_ASM("nop dword ptr [rax]", a.nop(3));
  EXPECT_ASM("nop word ptr [rax + rax]", a.nop(9));

  alignas(64) uint8_t buf[64];
  for (size_t k = 0; k < 16; k++) {
    Assembler a(buf, sizeof buf);
    a.nop(k);
    a.align(16);
    EXPECT_EQ(a.size(), (k + 15) & ~size_t(15));
  }
}

TEST(X86Assembler, Data) {
  uint8_t buf[32];
  Assembler a(buf, sizeof buf);
  a.db(0x12);
  a.dd(0x89abcdef);
  a.dq(0x0123456789abcdefull);
  const uint8_t k[3] = {1, 2, 3};
  a.bytes(k, 3);
  ASSERT_EQ(a.size(), 16u);
  const uint8_t want[16] = {0x12, 0xef, 0xcd, 0xab, 0x89, 0xef, 0xcd, 0xab,
                            0x89, 0x67, 0x45, 0x23, 0x01, 1, 2, 3};
  EXPECT_EQ(std::memcmp(buf, want, 16), 0);
}

// ---------------------------------------------------------------- SSE

TEST(X86Assembler, SseMoves) {
  for (int i = 0; i < 16; i++) {
    Xmm x = Xmm(i);
    for (Reg r : kRegs) {
      EXPECT_ASM("movd " + name(x) + ", " + name(W::d, r), a.movd(x, r));
      EXPECT_ASM("movd " + name(W::d, r) + ", " + name(x), a.movd(r, x));
      EXPECT_ASM("movq " + name(x) + ", " + name(W::q, r), a.movq(x, r));
      EXPECT_ASM("movq " + name(W::q, r) + ", " + name(x), a.movq(r, x));
    }
    for (int j = 0; j < 16; j++) {
      Xmm y = Xmm(j);
      EXPECT_ASM("movsd " + name(x) + ", " + name(y), a.movsd(x, y));
      EXPECT_ASM("movss " + name(x) + ", " + name(y), a.movss(x, y));
      EXPECT_ASM("movq " + name(x) + ", " + name(y), a.movq(x, y));
      EXPECT_ASM("movaps " + name(x) + ", " + name(y), a.movaps(x, y));
    }
    for (const Mem& m : someMems()) {
      EXPECT_ASM("movsd " + name(x) + ", " + memText(W::q, m), a.movsd(x, m));
      EXPECT_ASM("movsd " + memText(W::q, m) + ", " + name(x), a.movsd(m, x));
      EXPECT_ASM("movss " + name(x) + ", " + memText(W::d, m), a.movss(x, m));
      EXPECT_ASM("movss " + memText(W::d, m) + ", " + name(x), a.movss(m, x));
      EXPECT_ASM("movd " + name(x) + ", " + memText(W::d, m), a.movd(x, m));
      EXPECT_ASM("movd " + memText(W::d, m) + ", " + name(x), a.movd(m, x));
      EXPECT_ASM("movq " + name(x) + ", " + memText(W::q, m), a.movq(x, m));
      EXPECT_ASM("movq " + memText(W::q, m) + ", " + name(x), a.movq(m, x));
      EXPECT_ASM("movups " + name(x) + ", xmmword ptr " + memText(m), a.movups(x, m));
      EXPECT_ASM("movups xmmword ptr " + memText(m) + ", " + name(x), a.movups(m, x));
    }
  }
}

TEST(X86Assembler, SseArithmetic) {
  struct Op {
    const char* name;
    void (Assembler::*rr)(Xmm, Xmm);
    void (Assembler::*rm)(Xmm, const Mem&);
    const char* ptr;
  };
#define OP(n, ptr) {#n, &Assembler::n, &Assembler::n, ptr}
  const Op ops[] = {
      OP(addsd, "qword ptr "), OP(subsd, "qword ptr "), OP(mulsd, "qword ptr "),
      OP(divsd, "qword ptr "), OP(minsd, "qword ptr "), OP(maxsd, "qword ptr "),
      OP(sqrtsd, "qword ptr "), OP(addss, "dword ptr "), OP(subss, "dword ptr "),
      OP(mulss, "dword ptr "), OP(divss, "dword ptr "), OP(minss, "dword ptr "),
      OP(maxss, "dword ptr "), OP(sqrtss, "dword ptr "), OP(ucomisd, "qword ptr "),
      // Capstone 4 mislabels comisd/comiss memory operands as xmmword
      // (they read 8/4 bytes; the 66 0F 2F / 0F 2F encodings are right).
      OP(ucomiss, "dword ptr "), OP(comisd, "xmmword ptr "), OP(comiss, "xmmword ptr "),
      OP(cvtss2sd, "dword ptr "), OP(cvtsd2ss, "qword ptr "), OP(andps, "xmmword ptr "),
      OP(andnps, "xmmword ptr "), OP(orps, "xmmword ptr "), OP(xorps, "xmmword ptr "),
      OP(andpd, "xmmword ptr "), OP(andnpd, "xmmword ptr "), OP(orpd, "xmmword ptr "),
      OP(xorpd, "xmmword ptr "), OP(pxor, "xmmword ptr "),
  };
#undef OP
  for (const Op& op : ops)
    for (int i = 0; i < 16; i++) {
      Xmm x = Xmm(i), y = Xmm((i * 5 + 3) & 15);
      EXPECT_ASM(std::string(op.name) + " " + name(x) + ", " + name(y), (a.*op.rr)(x, y));
      Mem m = someMems()[i & 7];
      EXPECT_ASM(std::string(op.name) + " " + name(x) + ", " + op.ptr + memText(m),
                 (a.*op.rm)(x, m));
    }
  for (int i = 0; i < 16; i++) {
    Xmm d = Xmm(i), x = Xmm((i * 5 + 3) & 15), y = Xmm((i * 7 + 9) & 15);
    const std::string ops = name(d) + ", " + name(x) + ", " + name(y);
    EXPECT_ASM("vfmsub231sd " + ops, a.vfmsub231sd(d, x, y));
    EXPECT_ASM("vfmsub231ss " + ops, a.vfmsub231ss(d, x, y));
    EXPECT_ASM("vfnmadd231sd " + ops, a.vfnmadd231sd(d, x, y));
    EXPECT_ASM("vfnmadd231ss " + ops, a.vfnmadd231ss(d, x, y));
  }
  EXPECT_ASM("roundsd xmm1, xmm9, 3", a.roundsd(xmm1, xmm9, 3));
  EXPECT_ASM("roundss xmm15, xmm0, 0xb", a.roundss(xmm15, xmm0, 11));
  for (Reg r : kRegs) {
    EXPECT_ASM("cvtsi2sd xmm3, " + name(W::d, r), a.cvtsi2sd(W::d, xmm3, r));
    EXPECT_ASM("cvtsi2sd xmm12, " + name(W::q, r), a.cvtsi2sd(W::q, xmm12, r));
    EXPECT_ASM("cvtsi2ss xmm8, " + name(W::q, r), a.cvtsi2ss(W::q, xmm8, r));
    EXPECT_ASM("cvttsd2si " + name(W::d, r) + ", xmm10", a.cvttsd2si(W::d, r, xmm10));
    EXPECT_ASM("cvttsd2si " + name(W::q, r) + ", xmm2", a.cvttsd2si(W::q, r, xmm2));
    EXPECT_ASM("cvtsd2si " + name(W::q, r) + ", xmm15", a.cvtsd2si(W::q, r, xmm15));
    EXPECT_ASM("cvttss2si " + name(W::d, r) + ", xmm0", a.cvttss2si(W::d, r, xmm0));
    EXPECT_ASM("cvtss2si " + name(W::q, r) + ", xmm7", a.cvtss2si(W::q, r, xmm7));
  }
}

// ---------------------------------------------------------------- labels

TEST(X86Assembler, ForwardLabels) {
  uint8_t buf[512];
  Assembler a(buf, sizeof buf);
  Label l = a.newLabel();
  a.jmp(l);        // forward: rel32
  a.jcc(Cc::ne, l);
  a.jccShort(Cc::e, l);
  a.jmpShort(l);
  a.call(l);
  EXPECT_FALSE(a.resolved());
  a.nop(3);
  a.bind(l);
  EXPECT_TRUE(a.resolved());
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.size(), 5u + 6 + 2 + 2 + 5 + 3);
  EXPECT_EQ(a.offsetOf(l), 23u);
  EXPECT_EQ(dis(buf, a.size()),
            "jmp 0x1017; jne 0x1017; je 0x1017; jmp 0x1017; call 0x1017; nop dword ptr [rax]");
}

TEST(X86Assembler, BackwardLabels) {
  uint8_t buf[512];
  Assembler a(buf, sizeof buf);
  Label top = a.newLabel();
  a.bind(top);
  EXPECT_TRUE(a.isBound(top));
  a.nop(126);
  size_t at = a.size();
  a.jcc(Cc::l, top);  // rel8 of exactly -128
  EXPECT_EQ(a.size() - at, 2u);
  EXPECT_EQ(dis(buf + at, 2, 0x1000 + at), "jl 0x1000");
  at = a.size();
  a.jmp(top);  // -130: needs rel32
  EXPECT_EQ(a.size() - at, 5u);
  EXPECT_EQ(dis(buf + at, 5, 0x1000 + at), "jmp 0x1000");
  at = a.size();
  a.jccShort(Cc::g, top);  // a short request that cannot reach falls back to rel32
  EXPECT_EQ(a.size() - at, 6u);
  EXPECT_EQ(dis(buf + at, 6, 0x1000 + at), "jg 0x1000");
  EXPECT_TRUE(a.ok());

  a.reset(buf, sizeof buf);
  Label l = a.newLabel();
  a.bind(l);
  a.nop(127);
  at = a.size();
  a.jmp(l);  // -129 from the end of a 2-byte jump
  EXPECT_EQ(a.size() - at, 5u);
  a.call(l);  // call has no rel8 form
  EXPECT_EQ(dis(buf + at, 10, 0x1000 + at), "jmp 0x1000; call 0x1000");
}

TEST(X86Assembler, ShortForwardRange) {
  uint8_t buf[512];
  Assembler a(buf, sizeof buf);
  Label l = a.newLabel();
  a.jmpShort(l);
  a.nop(127);
  a.bind(l);
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(dis(buf, 2), "jmp 0x1081");

  a.reset(buf, sizeof buf);
  l = a.newLabel();
  a.jccShort(Cc::b, l);
  a.nop(128);
  a.bind(l);
  EXPECT_TRUE(a.rangeError());
  EXPECT_FALSE(a.ok());
}

TEST(X86Assembler, ManyLabels) {
  uint8_t buf[1024];
  Assembler a(buf, sizeof buf);
  Label ls[8];
  for (Label& l : ls) l = a.newLabel();
  for (int i = 0; i < 8; i++) {
    a.jcc(Cc(i), ls[7 - i]);
    a.jmp(ls[i]);
  }
  for (int i = 0; i < 8; i++) {
    a.bind(ls[i]);
    a.nop(i + 1);
  }
  EXPECT_TRUE(a.resolved());
  std::string want;
  for (int i = 0; i < 8; i++) {
    char s[64];
    std::snprintf(s, sizeof s, "j%s 0x%zx; jmp 0x%zx; ", kCc[i], 0x1000 + a.offsetOf(ls[7 - i]),
                  0x1000 + a.offsetOf(ls[i]));
    want += s;
  }
  std::string got = dis(buf, 8 * 11);
  EXPECT_EQ(got + "; ", want);

  // Reuse after reset: old labels are forgotten.
  a.reset(buf, sizeof buf);
  Label l = a.newLabel();
  EXPECT_EQ(l.id, 0u);
  a.jmp(l);
  a.bind(l);
  EXPECT_EQ(dis(buf, 5), "jmp 0x1005");
}

TEST(X86Assembler, RipLabels) {
  uint8_t buf[512];
  Assembler a(buf, sizeof buf);
  Label data = a.newLabel();
  a.mov(W::d, Mem::rel(data), 0x12345678);    // imm follows the disp: end is 4 bytes later
  a.lea(W::q, rax, Mem::rel(data, 8));         // label + addend
  a.cmp(W::b, Mem::rel(data), 1);
  a.ret();
  size_t code = a.size();
  a.align(8);
  a.bind(data);
  a.dq(0);
  Label back = a.newLabel();
  a.bind(back);
  a.movsd(xmm3, Mem::rel(data));               // backward: computed directly
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.resolved());
  uint64_t d = 0x1000 + a.offsetOf(data);
  // Each displacement is counted from the end of its own instruction
  // (10, 17 and 24), including any immediate after the displacement.
  EXPECT_EQ(dis(buf, code), "mov dword ptr [rip + " + num(int64_t(d) - (0x1000 + 10)) +
                                "], 0x12345678; lea rax, [rip + " +
                                num(int64_t(d) + 8 - (0x1000 + 17)) + "]; cmp byte ptr [rip + " +
                                num(int64_t(d) - (0x1000 + 24)) + "], 1; ret");
  size_t at = a.offsetOf(back);
  EXPECT_EQ(dis(buf + at, 8, 0x1000 + at),
            "movsd xmm3, qword ptr [rip - " + num(int64_t(at + 8 - a.offsetOf(data))) + "]");
}

TEST(X86Assembler, AbsoluteTargets) {
  alignas(16) static uint8_t buf[4096];
  uint64_t base = uintptr_t(buf);
  Assembler a(buf, sizeof buf);
  a.callAbs(buf + 0x800);
  a.jmpAbs(buf + 0x10);
  a.jccAbs(Cc::ae, buf);
  Label stub = a.labelAt(buf + 0x400);
  a.jcc(Cc::s, stub);
  a.jmp(stub);
  ASSERT_TRUE(a.ok());
  char want[256];
  std::snprintf(want, sizeof want,
                "call 0x%" PRIx64 "; jmp 0x%" PRIx64 "; jae 0x%" PRIx64 "; js 0x%" PRIx64
                "; jmp 0x%" PRIx64,
                base + 0x800, base + 0x10, base, base + 0x400, base + 0x400);
  EXPECT_EQ(dis(buf, a.size(), base), want);
  EXPECT_EQ(a.size(), 5u + 5 + 6 + 6 + 5);

  // Out of rel32 reach: through r11.
  const auto* far = reinterpret_cast<const uint8_t*>(uintptr_t(buf) ^ (uint64_t(1) << 40));
  a.reset(buf, sizeof buf);
  a.callAbs(far);
  a.jmpAbs(far);
  a.jccAbs(Cc::e, far);
  ASSERT_TRUE(a.ok());
  std::snprintf(want, sizeof want,
                "movabs r11, 0x%" PRIx64 "; call r11; movabs r11, 0x%" PRIx64
                "; jmp r11; jne 0x%" PRIx64 "; movabs r11, 0x%" PRIx64 "; jmp r11",
                uint64_t(uintptr_t(far)), uint64_t(uintptr_t(far)), base + 26 + 15,
                uint64_t(uintptr_t(far)));
  EXPECT_EQ(dis(buf, a.size(), base), want);
  EXPECT_FALSE(Assembler::inRel32(buf, far));
  auto at = [&](int64_t off) { return reinterpret_cast<const void*>(uintptr_t(buf) + off); };
  EXPECT_TRUE(Assembler::inRel32(buf, at(0x7fffffff)));
  EXPECT_FALSE(Assembler::inRel32(buf, at(0x80000000ll)));
  EXPECT_TRUE(Assembler::inRel32(at(0x80000000ll), buf));
  EXPECT_FALSE(Assembler::inRel32(at(0x80000001ll), buf));
}

TEST(X86Assembler, PatchableJump) {
  alignas(64) static uint8_t buf[256];
  uint64_t base = uintptr_t(buf);
  for (size_t k = 0; k < 16; k++) {
    Assembler a(buf, sizeof buf);
    a.nop(k);
    size_t at = a.jmpRel32Patchable();
    ASSERT_TRUE(a.ok());
    EXPECT_LE(at - k, 3u);                        // at most 3 bytes of padding
    EXPECT_LE(((base + at + 1) & 7), 4u) << k;    // rel32 inside one 8-byte word
    EXPECT_EQ(a.size(), at + 5);
    char want[64];
    std::snprintf(want, sizeof want, "jmp 0x%" PRIx64, base + at + 5);
    EXPECT_EQ(dis(buf + at, 5, base + at), want);
    Assembler::patchJmpRel32(buf + at, buf + 200);
    std::snprintf(want, sizeof want, "jmp 0x%" PRIx64, base + 200);
    EXPECT_EQ(dis(buf + at, 5, base + at), want);
    Assembler::patchJmpRel32(buf + at, buf);
    std::snprintf(want, sizeof want, "jmp 0x%" PRIx64, base);
    EXPECT_EQ(dis(buf + at, 5, base + at), want);
  }
  Assembler a(buf, sizeof buf);
  size_t at = a.jmpRel32Patchable(buf + 100);
  char want[64];
  std::snprintf(want, sizeof want, "jmp 0x%" PRIx64, base + 100);
  EXPECT_EQ(dis(buf + at, 5, base + at), want);
}

// ---------------------------------------------------------------- overflow

TEST(X86Assembler, OverflowNeverWritesPastCapacity) {
  uint8_t mem[32];
  std::memset(mem, 0xAA, sizeof mem);
  Assembler a(mem, 3);
  a.mov(W::q, rax, 0x123456789ll);  // 10 bytes: nothing written
  EXPECT_TRUE(a.overflowed());
  EXPECT_EQ(a.size(), 0u);
  a.ret();                          // sticky: later small insns are dropped too
  EXPECT_EQ(a.size(), 0u);
  for (uint8_t b : mem) EXPECT_EQ(b, 0xAA);

  a.reset(mem, 3);
  a.add(W::d, rcx, 1);              // exactly 3 bytes
  EXPECT_FALSE(a.overflowed());
  EXPECT_EQ(dis(mem, 3), "add ecx, 1");
  a.ret();
  EXPECT_TRUE(a.overflowed());
  EXPECT_EQ(a.size(), 3u);
  for (size_t i = 3; i < sizeof mem; i++) EXPECT_EQ(mem[i], 0xAA);

  // A branch to a label that did not fit leaves no fixup behind.
  std::memset(mem, 0xAA, sizeof mem);
  a.reset(mem, 3);
  Label l = a.newLabel();
  a.jmp(l);
  a.nop(1);
  a.bind(l);
  EXPECT_TRUE(a.overflowed());
  EXPECT_TRUE(a.resolved());
  for (uint8_t b : mem) EXPECT_EQ(b, 0xAA);

  std::memset(mem, 0xAA, sizeof mem);
  a.reset(mem, 3);
  a.nop(4);
  a.dq(1);
  a.bytes("abcd", 4);
  EXPECT_TRUE(a.overflowed());
  for (size_t i = 3; i < sizeof mem; i++) EXPECT_EQ(mem[i], 0xAA);
}

TEST(X86Assembler, OverflowAtEveryBoundary) {
  // Whatever the capacity, output is a whole-instruction prefix of the full
  // sequence and nothing beyond capacity is touched.
  auto emit = [](Assembler& a) {
    Label l = a.newLabel();
    for (int i = 0; i < 4; i++) {
      a.mov(W::q, r12, Mem::idx(r13, r14, 8, 0x1000));
      a.lockCmpxchg(W::q, Mem::at(rsp, 0x100), r9);
      a.jcc(Cc::ne, l);
      a.mov(W::q, r15, 0x123456789abcll);
      a.shlx(W::q, rax, Mem::at(r12, 0x12345), r15);
      a.add(W::d, Mem::rel(l), 0x12345);
    }
    a.bind(l);
    a.ret();
  };
  uint8_t full[512];
  Assembler ref(full, sizeof full);
  emit(ref);
  ASSERT_TRUE(ref.ok());
  std::vector<size_t> ends;  // instruction end offsets of the full run
  {
    csh h;
    ASSERT_EQ(cs_open(CS_ARCH_X86, CS_MODE_64, &h), CS_ERR_OK);
    cs_insn* insn;
    size_t n = cs_disasm(h, full, ref.size(), 0, 0, &insn);
    for (size_t i = 0; i < n; i++) ends.push_back(insn[i].address + insn[i].size);
    cs_free(insn, n);
    cs_close(&h);
  }
  ASSERT_EQ(ends.back(), ref.size());
  auto lastBoundary = [&](size_t cap) {
    size_t best = 0;
    for (size_t e : ends)
      if (e <= cap) best = e;
    return best;
  };
  for (size_t cap = 0; cap <= ref.size(); cap++) {
    uint8_t mem[512 + 64];
    std::memset(mem, 0xAA, sizeof mem);
    Assembler a(mem, cap);
    emit(a);
    EXPECT_EQ(a.overflowed(), cap < ref.size());
    EXPECT_LE(a.size(), cap);
    for (size_t i = cap; i < sizeof mem; i++) ASSERT_EQ(mem[i], 0xAA) << cap;
    // Stopped exactly at the last instruction boundary that fits. (Bytes
    // may differ from the full run: labels bound after an overflow sit at
    // the truncated position; the caller discards such output anyway.)
    EXPECT_EQ(a.size(), lastBoundary(cap)) << cap;
    EXPECT_EQ(dis(mem, a.size()).find("undecoded"), std::string::npos) << cap;
  }
}

// ---------------------------------------------------------------- execution

struct ExecBuf {
  uint8_t* p;
  size_t n = 4096;
  ExecBuf() {
    p = static_cast<uint8_t*>(
        mmap(nullptr, n, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (p == MAP_FAILED) p = nullptr;
  }
  ~ExecBuf() {
    if (p) munmap(p, n);
  }
};

TEST(X86Assembler, ExecuteMultiplyAddLoop) {
  ExecBuf eb;
  ASSERT_NE(eb.p, nullptr);
  Assembler a(eb.p, eb.n);
  // uint64_t f(a=rdi, b=rsi, c=rdx): a*b by repeated addition, plus c.
  // Keeps the running sum in callee-saved r12 and the count in a stack slot
  // to exercise REX.B, SIB and memory operands.
  Label loop = a.newLabel(), done = a.newLabel();
  a.push(r12);
  a.sub(W::q, rsp, 16);
  a.mov(W::q, Mem::at(rsp, 8), rsi);
  a.mov(W::q, r12, rdx);
  a.cmp(W::q, Mem::at(rsp, 8), 0);
  a.jcc(Cc::e, done);
  a.bind(loop);
  a.add(W::q, r12, rdi);
  a.sub(W::q, Mem::at(rsp, 8), 1);
  a.jcc(Cc::ne, loop);
  a.bind(done);
  a.mov(W::q, rax, r12);
  a.add(W::q, rsp, 16);
  a.pop(r12);
  a.ret();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a.resolved());
  auto fn = reinterpret_cast<uint64_t (*)(uint64_t, uint64_t, uint64_t)>(eb.p);
  EXPECT_EQ(fn(6, 7, 5), 47u);
  EXPECT_EQ(fn(123456789, 0, 11), 11u);
  EXPECT_EQ(fn(0x100000000ull, 3, 1), 0x300000001ull);
  EXPECT_EQ(fn(~0ull, 2, 0), ~0ull - 1);
}

uint64_t hostMix(uint64_t x, uint64_t y) { return x * 31 + y; }

TEST(X86Assembler, ExecuteCallsImmediatesAndPatching) {
  ExecBuf eb;
  ASSERT_NE(eb.p, nullptr);
  Assembler a(eb.p, eb.n);

  // Each constant through the shortest mov must come back intact.
  const int64_t values[] = {0, 1, -1, 0x7fffffff, 0x80000000ll, 0xffffffffll, INT32_MIN,
                            int64_t(INT32_MIN) - 1, 0x100000000ll, INT64_MIN, INT64_MAX};
  for (int64_t v : values) {
    a.reset(eb.p, eb.n);
    a.mov(W::q, rax, -1);   // dirty upper half: a 32-bit mov must clear it
    a.mov(W::q, rax, v);
    a.ret();
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(reinterpret_cast<int64_t (*)()>(eb.p)(), v);
  }

  // Call into host code, both rel32 and (pretending it's far) through r11.
  a.reset(eb.p, eb.n);
  a.push(rbx);  // realigns rsp to 16 for the call
  a.mov(W::q, rsi, 5);
  a.callAbs(reinterpret_cast<const void*>(&hostMix));
  a.mov(W::q, rbx, rax);
  a.movabs(r11, uintptr_t(&hostMix));
  a.mov(W::q, rdi, rbx);
  a.mov(W::q, rsi, 1);
  a.call(r11);
  a.pop(rbx);
  a.ret();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(reinterpret_cast<uint64_t (*)(uint64_t)>(eb.p)(2), (2 * 31 + 5) * 31 + 1u);

  // Block-chaining style patch: first falls through to "return 1", then
  // patched to jump to "return 2".
  a.reset(eb.p, eb.n);
  size_t j = a.jmpRel32Patchable();
  a.mov(W::d, rax, 1);
  a.ret();
  Label two = a.newLabel();
  a.bind(two);
  a.mov(W::d, rax, 2);
  a.ret();
  ASSERT_TRUE(a.ok());
  auto fn = reinterpret_cast<int (*)()>(eb.p);
  EXPECT_EQ(fn(), 1);
  Assembler::patchJmpRel32(eb.p + j, eb.p + a.offsetOf(two));
  EXPECT_EQ(fn(), 2);
}

TEST(X86Assembler, ExecuteBitOps) {
  ExecBuf eb;
  ASSERT_NE(eb.p, nullptr);
  Assembler a(eb.p, eb.n);
  // bswap32 then 16-bit swap of the low half, then setcc/movzx.
  a.mov(W::d, rax, rdi);
  a.bswap(W::d, rax);
  a.bswap16(rax);
  a.ret();
  Label f2 = a.newLabel();
  a.align(16);
  a.bind(f2);
  // (rdi < rsi signed) | (bsr(rdi) << 8)
  a.cmp(W::q, rdi, rsi);
  a.setcc(Cc::l, rcx);
  a.movzx8(W::d, rcx, rcx);
  a.bsr(W::q, rax, rdi);
  a.shl(W::q, rax, 8);
  a.or_(W::q, rax, rcx);
  a.ret();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(reinterpret_cast<uint32_t (*)(uint32_t)>(eb.p)(0x11223344u), 0x44331122u);
  auto g = reinterpret_cast<uint64_t (*)(int64_t, int64_t)>(eb.p + a.offsetOf(f2));
  EXPECT_EQ(g(5, 7), (2u << 8) | 1);
  EXPECT_EQ(g(int64_t(1) << 40, -7), 40u << 8);
}

TEST(X86Assembler, HostFeatures) {
  // Just consistency: repeated queries agree; on x86-64 the results are
  // whatever cpuid says, so only print them.
  EXPECT_EQ(Assembler::hostHasLzcnt(), Assembler::hostHasLzcnt());
  std::printf("lzcnt=%d bmi1=%d bmi2=%d movbe=%d popcnt=%d sse4.1=%d\n", Assembler::hostHasLzcnt(),
              Assembler::hostHasBmi1(), Assembler::hostHasBmi2(), Assembler::hostHasMovbe(),
              Assembler::hostHasPopcnt(), Assembler::hostHasSse41());
}

}  // namespace
