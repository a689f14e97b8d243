#include "backend/x86_64/assembler.h"

#include <cpuid.h>

#include <cassert>
#include <cstring>

namespace mimic::x64 {

namespace {

// An instruction's fixed part, packed into 32 bits:
//   bits 0-7   opcode byte
//   bits 8-9   opcode map: 0F, 0F 38, 0F 3A (also the VEX m-mmmm value)
//   bits 10-11 mandatory prefix 66/F3/F2 (also the VEX pp value)
//   bit 12     REX.W / VEX.W
//   bits 13-17 flags below
//   bits 20-23 VEX.vvvv register
constexpr uint32_t kMap0F = 1u << 8, kMap0F38 = 2u << 8, kMap0F3A = 3u << 8;
constexpr uint32_t kP66 = 1u << 10, kPF3 = 2u << 10, kPF2 = 3u << 10;
constexpr uint32_t kRexW = 1u << 12;
// ModRM.reg / ModRM.rm name an 8-bit register: 4..7 then mean spl..dil only
// with a REX prefix (without one they are ah..bh, which we never use).
constexpr uint32_t kByteReg = 1u << 13;
constexpr uint32_t kByteRm = 1u << 14;
constexpr uint32_t kOpsize = 1u << 15;  // 0x66 for 16-bit operands
constexpr uint32_t kLock = 1u << 16;
constexpr uint32_t kVex = 1u << 17;
constexpr uint32_t vvvv(unsigned r) { return (r & 15u) << 20; }

constexpr unsigned R(Reg r) { return unsigned(r); }
constexpr unsigned X(Xmm r) { return unsigned(r); }

// Width flags for an instruction whose ModRM.reg is a register operand.
// `op` is the word/dword/qword opcode; the byte form is always op - 1 in the
// classic one-byte groups this is used for.
constexpr uint32_t sz(W w, uint32_t op) {
  switch (w) {
    case W::b: return (op - 1) | kByteReg | kByteRm;
    case W::w: return op | kOpsize;
    case W::d: return op;
    case W::q: return op | kRexW;
  }
  return op;
}
// Same, for opcodes whose ModRM.reg is an opcode extension (/digit).
constexpr uint32_t szx(W w, uint32_t op) {
  return w == W::b ? ((op - 1) | kByteRm) : sz(w, op);
}
// Width flags without a byte form (0F-map instructions, lea, imul...).
constexpr uint32_t szn(W w, uint32_t op) {
  assert(w != W::b);
  return w == W::q ? (op | kRexW) : w == W::w ? (op | kOpsize) : op;
}

constexpr unsigned immBytes(W w) { return w == W::b ? 1 : w == W::w ? 2 : 4; }

// The immediate as the CPU will see it at this width (for the imm8 choice).
constexpr int32_t immAt(W w, int32_t v) {
  return w == W::b ? int8_t(v) : w == W::w ? int16_t(v) : v;
}

constexpr bool fits8(int64_t v) { return v >= -128 && v <= 127; }
constexpr bool fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

inline uint8_t* putImm(uint8_t* p, unsigned n, int64_t v) {
  std::memcpy(p, &v, n);  // host is little-endian: the low n bytes
  return p + n;
}

// Legacy prefixes, REX, opcode map and opcode byte. `rxb` holds the high
// bits of ModRM.reg, SIB.index and ModRM.rm/base as REX.R/X/B (4/2/1);
// `force_rex` requests an empty REX for spl..dil.
inline uint8_t* putOpcode(uint8_t* p, uint32_t op, unsigned rxb, bool force_rex) {
  if (op & kVex) {
    // Always the 3-byte C4 form: every VEX instruction we emit is in the
    // 0F 38 / 0F 3A maps, which the 2-byte C5 form cannot express.
    *p++ = 0xC4;
    *p++ = uint8_t(((~rxb & 7u) << 5) | ((op >> 8) & 3u));
    *p++ = uint8_t(((op & kRexW) ? 0x80 : 0) | ((~(op >> 20) & 15u) << 3) | ((op >> 10) & 3u));
    *p++ = uint8_t(op);
    return p;
  }
  if (op & kLock) *p++ = 0xF0;
  if (op & kOpsize) *p++ = 0x66;
  static constexpr uint8_t kPrefix[4] = {0, 0x66, 0xF3, 0xF2};
  if (unsigned pp = (op >> 10) & 3u) *p++ = kPrefix[pp];  // must precede REX
  unsigned rex = rxb | ((op & kRexW) ? 8u : 0u);
  if (rex || force_rex) *p++ = uint8_t(0x40 | rex);
  switch ((op >> 8) & 3u) {
    case 1: *p++ = 0x0F; break;
    case 2: *p++ = 0x0F; *p++ = 0x38; break;
    case 3: *p++ = 0x0F; *p++ = 0x3A; break;
  }
  *p++ = uint8_t(op);
  return p;
}

constexpr uint32_t kAluImm = 0x81, kAluImm8 = 0x83;
enum Alu : unsigned { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP };
enum Shift : unsigned { ROL = 0, ROR = 1, SHL = 4, SHR = 5, SAR = 7 };

bool cpuidBit(unsigned leaf, unsigned sub, int reg, unsigned bit) {
  unsigned r[4] = {};
  if (!__get_cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3])) return false;
  return (r[reg] >> bit) & 1u;
}
enum { EAX, EBX, ECX, EDX };

}  // namespace

// ---------------------------------------------------------------- basics

void Assembler::reset(uint8_t* buf, size_t capacity) {
  buf_ = buf;
  cap_ = capacity;
  pos_ = 0;
  overflow_ = false;
  range_error_ = false;
  labels_.clear();
  fixups_.clear();
}

bool Assembler::commit(const uint8_t* start, const uint8_t* end) {
  size_t n = size_t(end - start);
  if (start != scratch_) {
    pos_ += n;
    return true;
  }
  if (overflow_ || cap_ - pos_ < n) {
    overflow_ = true;
    return false;
  }
  std::memcpy(buf_ + pos_, start, n);
  pos_ += n;
  return true;
}

void Assembler::emitRaw(const uint8_t* data, size_t n) {
  if (overflow_ || cap_ - pos_ < n) {
    overflow_ = true;
    return;
  }
  std::memcpy(buf_ + pos_, data, n);
  pos_ += n;
}

bool Assembler::hostHasLzcnt() {
  static const bool v = cpuidBit(0x80000001u, 0, ECX, 5);
  return v;
}
bool Assembler::hostHasBmi1() {
  static const bool v = cpuidBit(7, 0, EBX, 3);
  return v;
}
bool Assembler::hostHasBmi2() {
  static const bool v = cpuidBit(7, 0, EBX, 8);
  return v;
}
bool Assembler::hostHasMovbe() {
  static const bool v = cpuidBit(1, 0, ECX, 22);
  return v;
}
bool Assembler::hostHasPopcnt() {
  static const bool v = cpuidBit(1, 0, ECX, 23);
  return v;
}
bool Assembler::hostHasSse41() {
  static const bool v = cpuidBit(1, 0, ECX, 19);
  return v;
}

bool Assembler::hostHasFma() {
  // The CPU's FMA bit and the OS saving AVX state: the compiler's check.
  static const bool v = __builtin_cpu_supports("fma");
  return v;
}

bool Assembler::inRel32(const void* from, const void* to) {
  return fits32(int64_t(uintptr_t(to) - uintptr_t(from)));
}

int64_t Assembler::targetOffset(const void* p) const {
  return int64_t(uintptr_t(p) - uintptr_t(buf_));
}

// ---------------------------------------------------------------- encoders

void Assembler::encR(uint32_t op, unsigned reg, unsigned rm, unsigned imm_size, int64_t imm) {
  uint8_t* s = begin();
  bool force = ((op & kByteReg) && reg - 4u < 4u) || ((op & kByteRm) && rm - 4u < 4u);
  uint8_t* p = putOpcode(s, op, ((reg >> 3) << 2) | (rm >> 3), force);
  *p++ = uint8_t(0xC0 | (reg & 7u) << 3 | (rm & 7u));
  p = putImm(p, imm_size, imm);
  commit(s, p);
}

void Assembler::encO(uint32_t op, unsigned reg, unsigned imm_size, int64_t imm) {
  uint8_t* s = begin();
  bool force = (op & kByteRm) && reg - 4u < 4u;
  uint8_t* p = putOpcode(s, op + (reg & 7u), reg >> 3, force);
  p = putImm(p, imm_size, imm);
  commit(s, p);
}

void Assembler::encM(uint32_t op, unsigned reg, const Mem& m, unsigned imm_size, int64_t imm) {
  uint8_t* s = begin();
  unsigned b = R(m.base), x = m.has_index ? R(m.index) : 0;
  bool force = (op & kByteReg) && reg - 4u < 4u;
  unsigned rxb = m.rip ? (reg >> 3) << 2 : ((reg >> 3) << 2) | ((x >> 3) << 1) | (b >> 3);
  uint8_t* p = putOpcode(s, op, rxb, force);
  unsigned r3 = (reg & 7u) << 3;
  if (m.rip) {
    // mod=00 rm=101 is [rip + disp32] in 64-bit mode.
    *p++ = uint8_t(r3 | 5);
    uint8_t* field = p;
    p = putImm(p, 4, m.disp);
    p = putImm(p, imm_size, imm);
    size_t field_off = pos_ + size_t(field - s);
    if (m.label == Label::kNone) {
      commit(s, p);
    } else if (relField(field, field_off, m.label, 4, imm_size, m.disp)) {
      commit(s, p);
    } else if (commit(s, p)) {
      addFixup(field_off, m.label, 4, imm_size);
    }
    return;
  }
  // mod=00 with base rbp/r13 means [rip/abs + disp32], so those bases need
  // an explicit disp8 of 0.
  unsigned mod = (m.disp == 0 && (b & 7u) != 5) ? 0 : fits8(m.disp) ? 1 : 2;
  // rm=100 means "SIB follows", so rsp/r12 bases always take a SIB byte
  // (index 100 = none).
  if (m.has_index || (b & 7u) == 4) {
    assert(!m.has_index || m.index != Reg::rsp);
    unsigned ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
    unsigned i3 = m.has_index ? (x & 7u) : 4u;
    *p++ = uint8_t(mod << 6 | r3 | 4);
    *p++ = uint8_t(ss << 6 | i3 << 3 | (b & 7u));
  } else {
    *p++ = uint8_t(mod << 6 | r3 | (b & 7u));
  }
  if (mod == 1) *p++ = uint8_t(int8_t(m.disp));
  else if (mod == 2) p = putImm(p, 4, m.disp);
  p = putImm(p, imm_size, imm);
  commit(s, p);
}

bool Assembler::relField(uint8_t* field, size_t field_off, uint32_t label, unsigned size,
                         unsigned tail, int64_t addend) {
  int64_t target = labels_[label];
  if (target == kUnbound) return false;
  int64_t d = target - int64_t(field_off + size + tail) + addend;
  if (size == 1 ? !fits8(d) : !fits32(d)) range_error_ = true;
  putImm(field, size, d);
  return true;
}

void Assembler::addFixup(size_t field_off, uint32_t label, unsigned size, unsigned tail) {
  fixups_.push_back(Fixup{uint32_t(field_off), label, uint8_t(size), uint8_t(tail)});
}

// op: rel32 opcode (E8/E9, or 0F 8x in the 0F map); short jumps use
// EB / 70+cc, derived from it.
void Assembler::encRel(uint32_t op, Label l, bool short_form) {
  assert(l.valid() && l.id < labels_.size());
  uint8_t* s = begin();
  uint8_t* p = s;
  int64_t target = labels_[l.id];
  bool is_jcc = (op & kMap0F) != 0;
  bool can_short = op != 0xE8;
  if (can_short && target != kUnbound) {
    // Backward (or absolute): take rel8 if it reaches from a 2-byte insn.
    short_form = fits8(target - int64_t(pos_ + 2));
  }
  if (short_form && can_short) {
    *p++ = is_jcc ? uint8_t(0x70 + (op & 15u)) : 0xEB;
    *p++ = 0;
  } else {
    short_form = false;
    if (is_jcc) *p++ = 0x0F;
    *p++ = uint8_t(op);
    p = putImm(p, 4, 0);
  }
  unsigned size = short_form ? 1 : 4;
  size_t field_off = pos_ + size_t(p - s) - size;
  if (relField(p - size, field_off, l.id, size, 0, 0)) {
    commit(s, p);
  } else if (commit(s, p)) {
    addFixup(field_off, l.id, size, 0);
  }
}

// ---------------------------------------------------------------- labels

Label Assembler::newLabel() {
  labels_.push_back(kUnbound);
  return Label{uint32_t(labels_.size() - 1)};
}

Label Assembler::labelAt(const void* addr) {
  labels_.push_back(targetOffset(addr));
  return Label{uint32_t(labels_.size() - 1)};
}

bool Assembler::isBound(Label l) const { return labels_[l.id] != kUnbound; }

void Assembler::bind(Label l) {
  assert(l.valid() && labels_[l.id] == kUnbound);
  labels_[l.id] = int64_t(pos_);
  for (size_t i = 0; i < fixups_.size();) {
    Fixup f = fixups_[i];
    if (f.label != l.id) {
      ++i;
      continue;
    }
    // The field holds the addend (Mem::rel's disp, 0 for branches).
    int64_t addend = 0;
    if (f.size == 1) addend = int8_t(buf_[f.at]);
    else {
      int32_t v;
      std::memcpy(&v, buf_ + f.at, 4);
      addend = v;
    }
    relField(buf_ + f.at, f.at, l.id, f.size, f.tail, addend);
    fixups_[i] = fixups_.back();
    fixups_.pop_back();
  }
}

// ---------------------------------------------------------------- moves

void Assembler::mov(W w, Reg dst, Reg src) { encR(sz(w, 0x89), R(src), R(dst)); }
void Assembler::mov(W w, Reg dst, const Mem& src) { encM(sz(w, 0x8B), R(dst), src); }
void Assembler::mov(W w, const Mem& dst, Reg src) { encM(sz(w, 0x89), R(src), dst); }
void Assembler::mov(W w, const Mem& dst, int32_t imm) {
  encM(szx(w, 0xC7), 0, dst, immBytes(w), imm);
}

void Assembler::mov(W w, Reg dst, int64_t imm) {
  switch (w) {
    case W::b: return encO(0xB0 | kByteRm, R(dst), 1, imm);
    case W::w: return encO(0xB8 | kOpsize, R(dst), 2, imm);
    case W::d: return encO(0xB8, R(dst), 4, imm);
    case W::q:
      // Writing a 32-bit register zero-extends, so B8 covers 0..2^32-1;
      // C7 /0 sign-extends its imm32; anything else needs all 8 bytes.
      if (uint64_t(imm) <= 0xFFFFFFFFu) return encO(0xB8, R(dst), 4, imm);
      if (fits32(imm)) return encR(0xC7 | kRexW, 0, R(dst), 4, imm);
      return encO(0xB8 | kRexW, R(dst), 8, imm);
  }
}

size_t Assembler::movabs(Reg dst, uint64_t imm) {
  encO(0xB8 | kRexW, R(dst), 8, int64_t(imm));
  return pos_ - 8;
}

void Assembler::movzx8(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xB6) | kByteRm, R(dst), R(src)); }
void Assembler::movzx8(W w, Reg dst, const Mem& src) { encM(szn(w, kMap0F | 0xB6), R(dst), src); }
void Assembler::movzx16(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xB7), R(dst), R(src)); }
void Assembler::movzx16(W w, Reg dst, const Mem& src) { encM(szn(w, kMap0F | 0xB7), R(dst), src); }
void Assembler::movsx8(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xBE) | kByteRm, R(dst), R(src)); }
void Assembler::movsx8(W w, Reg dst, const Mem& src) { encM(szn(w, kMap0F | 0xBE), R(dst), src); }
void Assembler::movsx16(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xBF), R(dst), R(src)); }
void Assembler::movsx16(W w, Reg dst, const Mem& src) { encM(szn(w, kMap0F | 0xBF), R(dst), src); }
void Assembler::movsxd(Reg dst, Reg src) { encR(0x63 | kRexW, R(dst), R(src)); }
void Assembler::movsxd(Reg dst, const Mem& src) { encM(0x63 | kRexW, R(dst), src); }

void Assembler::lea(W w, Reg dst, const Mem& src) { encM(szn(w, 0x8D), R(dst), src); }

// 87 /r rather than the short 90+r form: 90 is nop, so `xchg eax, eax`
// would not zero-extend.
void Assembler::xchg(W w, Reg a, Reg b) { encR(sz(w, 0x87), R(b), R(a)); }
void Assembler::xchg(W w, const Mem& m, Reg r) { encM(sz(w, 0x87), R(r), m); }
void Assembler::lockCmpxchg(W w, const Mem& m, Reg r) { encM(sz(w, kMap0F | 0xB1) | kLock, R(r), m); }
void Assembler::lockXadd(W w, const Mem& m, Reg r) { encM(sz(w, kMap0F | 0xC1) | kLock, R(r), m); }
void Assembler::mfence() {
  static constexpr uint8_t k[] = {0x0F, 0xAE, 0xF0};
  emitRaw(k, sizeof k);
}

// ---------------------------------------------------------------- ALU

void Assembler::alu(unsigned n, W w, Reg dst, Reg src) { encR(sz(w, n * 8 + 1), R(src), R(dst)); }
void Assembler::alu(unsigned n, W w, Reg dst, const Mem& src) { encM(sz(w, n * 8 + 3), R(dst), src); }
void Assembler::alu(unsigned n, W w, const Mem& dst, Reg src) { encM(sz(w, n * 8 + 1), R(src), dst); }

void Assembler::alu(unsigned n, W w, Reg dst, int32_t imm) {
  int32_t v = immAt(w, imm);
  if (w != W::b && fits8(v)) return encR(szx(w, kAluImm8), n, R(dst), 1, v);
  // The accumulator has an opcode without ModRM, one byte shorter.
  if (dst == Reg::rax) return encO(szx(w, n * 8 + 5), 0, immBytes(w), v);
  encR(szx(w, kAluImm), n, R(dst), immBytes(w), v);
}

void Assembler::alu(unsigned n, W w, const Mem& dst, int32_t imm) {
  int32_t v = immAt(w, imm);
  if (w != W::b && fits8(v)) return encM(szx(w, kAluImm8), n, dst, 1, v);
  encM(szx(w, kAluImm), n, dst, immBytes(w), v);
}

#define MIMIC_X64_ALU(name, n)                                                         \
  void Assembler::name(W w, Reg d, Reg s) { alu(n, w, d, s); }                         \
  void Assembler::name(W w, Reg d, const Mem& s) { alu(n, w, d, s); }                  \
  void Assembler::name(W w, const Mem& d, Reg s) { alu(n, w, d, s); }                  \
  void Assembler::name(W w, Reg d, int32_t imm) { alu(n, w, d, imm); }                 \
  void Assembler::name(W w, const Mem& d, int32_t imm) { alu(n, w, d, imm); }
MIMIC_X64_ALU(add, ADD)
MIMIC_X64_ALU(or_, OR)
MIMIC_X64_ALU(adc, ADC)
MIMIC_X64_ALU(sbb, SBB)
MIMIC_X64_ALU(and_, AND)
MIMIC_X64_ALU(sub, SUB)
MIMIC_X64_ALU(xor_, XOR)
MIMIC_X64_ALU(cmp, CMP)
#undef MIMIC_X64_ALU

void Assembler::test(W w, Reg a, Reg b) { encR(sz(w, 0x85), R(b), R(a)); }
void Assembler::test(W w, const Mem& a, Reg b) { encM(sz(w, 0x85), R(b), a); }
// test has no sign-extended imm8 form.
void Assembler::test(W w, Reg a, int32_t imm) {
  if (a == Reg::rax) return encO(szx(w, 0xA9), 0, immBytes(w), imm);
  encR(szx(w, 0xF7), 0, R(a), immBytes(w), imm);
}
void Assembler::test(W w, const Mem& a, int32_t imm) { encM(szx(w, 0xF7), 0, a, immBytes(w), imm); }

// ---------------------------------------------------------------- unary

void Assembler::not_(W w, Reg r) { encR(szx(w, 0xF7), 2, R(r)); }
void Assembler::not_(W w, const Mem& m) { encM(szx(w, 0xF7), 2, m); }
void Assembler::neg(W w, Reg r) { encR(szx(w, 0xF7), 3, R(r)); }
void Assembler::neg(W w, const Mem& m) { encM(szx(w, 0xF7), 3, m); }
void Assembler::mul(W w, Reg r) { encR(szx(w, 0xF7), 4, R(r)); }
void Assembler::mul(W w, const Mem& m) { encM(szx(w, 0xF7), 4, m); }
void Assembler::imul(W w, Reg r) { encR(szx(w, 0xF7), 5, R(r)); }
void Assembler::imul(W w, const Mem& m) { encM(szx(w, 0xF7), 5, m); }
void Assembler::div(W w, Reg r) { encR(szx(w, 0xF7), 6, R(r)); }
void Assembler::div(W w, const Mem& m) { encM(szx(w, 0xF7), 6, m); }
void Assembler::idiv(W w, Reg r) { encR(szx(w, 0xF7), 7, R(r)); }
void Assembler::idiv(W w, const Mem& m) { encM(szx(w, 0xF7), 7, m); }
// 40+r/48+r are REX prefixes in 64-bit mode, so inc/dec use FF /0 and /1.
void Assembler::inc(W w, Reg r) { encR(szx(w, 0xFF), 0, R(r)); }
void Assembler::inc(W w, const Mem& m) { encM(szx(w, 0xFF), 0, m); }
void Assembler::dec(W w, Reg r) { encR(szx(w, 0xFF), 1, R(r)); }
void Assembler::dec(W w, const Mem& m) { encM(szx(w, 0xFF), 1, m); }
void Assembler::cdq() { db(0x99); }
void Assembler::cqo() {
  static constexpr uint8_t k[] = {0x48, 0x99};
  emitRaw(k, sizeof k);
}
void Assembler::cdqe() {
  static constexpr uint8_t k[] = {0x48, 0x98};
  emitRaw(k, sizeof k);
}

void Assembler::imul(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xAF), R(dst), R(src)); }
void Assembler::imul(W w, Reg dst, const Mem& src) { encM(szn(w, kMap0F | 0xAF), R(dst), src); }
void Assembler::imul(W w, Reg dst, Reg src, int32_t imm) {
  int32_t v = immAt(w, imm);
  if (fits8(v)) return encR(szn(w, 0x6B), R(dst), R(src), 1, v);
  encR(szn(w, 0x69), R(dst), R(src), immBytes(w), v);
}
void Assembler::imul(W w, Reg dst, const Mem& src, int32_t imm) {
  int32_t v = immAt(w, imm);
  if (fits8(v)) return encM(szn(w, 0x6B), R(dst), src, 1, v);
  encM(szn(w, 0x69), R(dst), src, immBytes(w), v);
}

// ---------------------------------------------------------------- shifts

// D1 (shift by one) saves the immediate byte; the flags it leaves are the
// same as C1 with a count of 1.
void Assembler::shiftImm(unsigned n, W w, Reg r, uint8_t imm) {
  if (imm == 1) return encR(szx(w, 0xD1), n, R(r));
  encR(szx(w, 0xC1), n, R(r), 1, imm);
}
void Assembler::shiftImm(unsigned n, W w, const Mem& m, uint8_t imm) {
  if (imm == 1) return encM(szx(w, 0xD1), n, m);
  encM(szx(w, 0xC1), n, m, 1, imm);
}

#define MIMIC_X64_SHIFT(name, n)                                                       \
  void Assembler::name(W w, Reg r, uint8_t imm) { shiftImm(n, w, r, imm); }            \
  void Assembler::name(W w, const Mem& m, uint8_t imm) { shiftImm(n, w, m, imm); }     \
  void Assembler::name##Cl(W w, Reg r) { encR(szx(w, 0xD3), n, R(r)); }                \
  void Assembler::name##Cl(W w, const Mem& m) { encM(szx(w, 0xD3), n, m); }
MIMIC_X64_SHIFT(rol, ROL)
MIMIC_X64_SHIFT(ror, ROR)
MIMIC_X64_SHIFT(shl, SHL)
MIMIC_X64_SHIFT(shr, SHR)
MIMIC_X64_SHIFT(sar, SAR)
#undef MIMIC_X64_SHIFT

void Assembler::shld(W w, Reg dst, Reg src, uint8_t imm) { encR(szn(w, kMap0F | 0xA4), R(src), R(dst), 1, imm); }
void Assembler::shldCl(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xA5), R(src), R(dst)); }
void Assembler::shrd(W w, Reg dst, Reg src, uint8_t imm) { encR(szn(w, kMap0F | 0xAC), R(src), R(dst), 1, imm); }
void Assembler::shrdCl(W w, Reg dst, Reg src) { encR(szn(w, kMap0F | 0xAD), R(src), R(dst)); }

// VEX.LZ.{66,F3,F2}.0F38.W F7 /r: ModRM.reg = dst, ModRM.rm = src,
// VEX.vvvv = count.
namespace {
constexpr uint32_t vexW(W w) { return w == W::q ? kRexW : 0; }
constexpr uint32_t kShlx = kVex | kMap0F38 | kP66 | 0xF7;
constexpr uint32_t kSarx = kVex | kMap0F38 | kPF3 | 0xF7;
constexpr uint32_t kShrx = kVex | kMap0F38 | kPF2 | 0xF7;
constexpr uint32_t kRorx = kVex | kMap0F3A | kPF2 | 0xF0;
}  // namespace
void Assembler::shlx(W w, Reg d, Reg s, Reg c) { encR(kShlx | vexW(w) | vvvv(R(c)), R(d), R(s)); }
void Assembler::shlx(W w, Reg d, const Mem& s, Reg c) { encM(kShlx | vexW(w) | vvvv(R(c)), R(d), s); }
void Assembler::shrx(W w, Reg d, Reg s, Reg c) { encR(kShrx | vexW(w) | vvvv(R(c)), R(d), R(s)); }
void Assembler::shrx(W w, Reg d, const Mem& s, Reg c) { encM(kShrx | vexW(w) | vvvv(R(c)), R(d), s); }
void Assembler::sarx(W w, Reg d, Reg s, Reg c) { encR(kSarx | vexW(w) | vvvv(R(c)), R(d), R(s)); }
void Assembler::sarx(W w, Reg d, const Mem& s, Reg c) { encM(kSarx | vexW(w) | vvvv(R(c)), R(d), s); }
void Assembler::rorx(W w, Reg d, Reg s, uint8_t imm) { encR(kRorx | vexW(w), R(d), R(s), 1, imm); }
void Assembler::rorx(W w, Reg d, const Mem& s, uint8_t imm) { encM(kRorx | vexW(w), R(d), s, 1, imm); }

// ---------------------------------------------------------------- bits

void Assembler::bswap(W w, Reg r) { encO(szn(w, kMap0F | 0xC8), R(r)); }
void Assembler::bsr(W w, Reg d, Reg s) { encR(szn(w, kMap0F | 0xBD), R(d), R(s)); }
void Assembler::bsr(W w, Reg d, const Mem& s) { encM(szn(w, kMap0F | 0xBD), R(d), s); }
void Assembler::bsf(W w, Reg d, Reg s) { encR(szn(w, kMap0F | 0xBC), R(d), R(s)); }
void Assembler::bsf(W w, Reg d, const Mem& s) { encM(szn(w, kMap0F | 0xBC), R(d), s); }
// lzcnt/tzcnt are bsr/bsf with an F3 prefix (older CPUs silently run them
// as bsr/bsf, hence the host checks).
void Assembler::lzcnt(W w, Reg d, Reg s) { encR(szn(w, kPF3 | kMap0F | 0xBD), R(d), R(s)); }
void Assembler::lzcnt(W w, Reg d, const Mem& s) { encM(szn(w, kPF3 | kMap0F | 0xBD), R(d), s); }
void Assembler::tzcnt(W w, Reg d, Reg s) { encR(szn(w, kPF3 | kMap0F | 0xBC), R(d), R(s)); }
void Assembler::tzcnt(W w, Reg d, const Mem& s) { encM(szn(w, kPF3 | kMap0F | 0xBC), R(d), s); }
void Assembler::popcnt(W w, Reg d, Reg s) { encR(szn(w, kPF3 | kMap0F | 0xB8), R(d), R(s)); }
void Assembler::popcnt(W w, Reg d, const Mem& s) { encM(szn(w, kPF3 | kMap0F | 0xB8), R(d), s); }

void Assembler::bt(W w, Reg r, Reg b) { encR(szn(w, kMap0F | 0xA3), R(b), R(r)); }
void Assembler::bt(W w, Reg r, uint8_t b) { encR(szn(w, kMap0F | 0xBA), 4, R(r), 1, b); }
void Assembler::bt(W w, const Mem& m, uint8_t b) { encM(szn(w, kMap0F | 0xBA), 4, m, 1, b); }
void Assembler::bts(W w, Reg r, Reg b) { encR(szn(w, kMap0F | 0xAB), R(b), R(r)); }
void Assembler::bts(W w, Reg r, uint8_t b) { encR(szn(w, kMap0F | 0xBA), 5, R(r), 1, b); }
void Assembler::btr(W w, Reg r, Reg b) { encR(szn(w, kMap0F | 0xB3), R(b), R(r)); }
void Assembler::btr(W w, Reg r, uint8_t b) { encR(szn(w, kMap0F | 0xBA), 6, R(r), 1, b); }
void Assembler::btc(W w, Reg r, Reg b) { encR(szn(w, kMap0F | 0xBB), R(b), R(r)); }
void Assembler::btc(W w, Reg r, uint8_t b) { encR(szn(w, kMap0F | 0xBA), 7, R(r), 1, b); }

void Assembler::movbe(W w, Reg d, const Mem& s) { encM(szn(w, kMap0F38 | 0xF0), R(d), s); }
void Assembler::movbe(W w, const Mem& d, Reg s) { encM(szn(w, kMap0F38 | 0xF1), R(s), d); }

// ---------------------------------------------------------------- conditions

void Assembler::setcc(Cc cc, Reg d) { encR(kMap0F | kByteRm | (0x90 + unsigned(cc)), 0, R(d)); }
void Assembler::setcc(Cc cc, const Mem& d) { encM(kMap0F | (0x90 + unsigned(cc)), 0, d); }
void Assembler::cmov(W w, Cc cc, Reg d, Reg s) { encR(szn(w, kMap0F | (0x40 + unsigned(cc))), R(d), R(s)); }
void Assembler::cmov(W w, Cc cc, Reg d, const Mem& s) {
  encM(szn(w, kMap0F | (0x40 + unsigned(cc))), R(d), s);
}

// ---------------------------------------------------------------- stack

// push/pop default to 64-bit operands: no REX.W needed.
void Assembler::push(Reg r) { encO(0x50, R(r)); }
void Assembler::pop(Reg r) { encO(0x58, R(r)); }
void Assembler::push(int32_t imm) {
  if (fits8(imm)) return encO(0x6A, 0, 1, imm);
  encO(0x68, 0, 4, imm);
}

// ---------------------------------------------------------------- control flow

void Assembler::ret() { db(0xC3); }
void Assembler::call(Reg r) { encR(0xFF, 2, R(r)); }
void Assembler::call(const Mem& m) { encM(0xFF, 2, m); }
void Assembler::jmp(Reg r) { encR(0xFF, 4, R(r)); }
void Assembler::jmp(const Mem& m) { encM(0xFF, 4, m); }
void Assembler::call(Label l) { encRel(0xE8, l, false); }
void Assembler::jmp(Label l) { encRel(0xE9, l, false); }
void Assembler::jmpShort(Label l) { encRel(0xE9, l, true); }
void Assembler::jcc(Cc cc, Label l) { encRel(kMap0F | (0x80 + unsigned(cc)), l, false); }
void Assembler::jccShort(Cc cc, Label l) { encRel(kMap0F | (0x80 + unsigned(cc)), l, true); }

void Assembler::callAbs(const void* target) {
  if (inRel32(cursor() + 5, target)) {
    encO(0xE8, 0, 4, int64_t(uintptr_t(target) - uintptr_t(cursor() + 5)));
    return;
  }
  movabs(Reg::r11, uintptr_t(target));
  call(Reg::r11);
}

void Assembler::jmpAbs(const void* target) {
  if (inRel32(cursor() + 5, target)) {
    encO(0xE9, 0, 4, int64_t(uintptr_t(target) - uintptr_t(cursor() + 5)));
    return;
  }
  movabs(Reg::r11, uintptr_t(target));
  jmp(Reg::r11);
}

void Assembler::jccAbs(Cc cc, const void* target) {
  if (inRel32(cursor() + 6, target)) {
    encO(kMap0F | (0x80 + unsigned(cc)), 0, 4, int64_t(uintptr_t(target) - uintptr_t(cursor() + 6)));
    return;
  }
  // Skip over the 13-byte `movabs r11, target; jmp r11` when !cc.
  encO(0x70 + unsigned(invert(cc)), 0, 1, 13);
  movabs(Reg::r11, uintptr_t(target));
  jmp(Reg::r11);
}

size_t Assembler::jmpRel32Patchable(const void* target) {
  // The rel32 starts one byte in; keep it within one aligned 8-byte word,
  // where x86 guarantees a 4-byte store is atomic.
  unsigned mis = unsigned(uintptr_t(cursor()) + 1) & 7u;
  if (mis > 4) nop(8 - mis);
  size_t at = pos_;
  const uint8_t* end = cursor() + 5;
  int64_t d = target ? int64_t(uintptr_t(target) - uintptr_t(end)) : 0;
  assert(fits32(d));
  encO(0xE9, 0, 4, d);
  return at;
}

void Assembler::patchJmpRel32(uint8_t* jmp_insn, const uint8_t* target) {
  int64_t d = int64_t(uintptr_t(target) - uintptr_t(jmp_insn + 5));
  assert(fits32(d));
  assert(((uintptr_t(jmp_insn) + 1) & 7u) <= 4);
  // Not 4-byte aligned in general, but inside one 8-byte word, which x86
  // performs as a single atomic access; GCC emits a plain mov.
  __atomic_store_n(reinterpret_cast<uint32_t*>(jmp_insn + 1), uint32_t(int32_t(d)), __ATOMIC_RELEASE);
}

// ---------------------------------------------------------------- misc

void Assembler::int3() { db(0xCC); }
void Assembler::ud2() {
  static constexpr uint8_t k[] = {0x0F, 0x0B};
  emitRaw(k, sizeof k);
}

void Assembler::nop(size_t n) {
  // The recommended multi-byte nops (0F 1F /0 with growing ModRM/SIB/disp,
  // 66 prefixes to fill odd sizes).
  static constexpr uint8_t kNops[9][9] = {
      {0x90},
      {0x66, 0x90},
      {0x0F, 0x1F, 0x00},
      {0x0F, 0x1F, 0x40, 0x00},
      {0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
      {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
      {0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
  };
  while (n > 0) {
    size_t k = n < 9 ? n : 9;
    emitRaw(kNops[k - 1], k);
    n -= k;
  }
}

void Assembler::align(size_t alignment) {
  assert(alignment && (alignment & (alignment - 1)) == 0);
  nop(size_t(-uintptr_t(cursor())) & (alignment - 1));
}

void Assembler::db(uint8_t v) { emitRaw(&v, 1); }
void Assembler::dd(uint32_t v) { emitRaw(reinterpret_cast<const uint8_t*>(&v), 4); }
void Assembler::dq(uint64_t v) { emitRaw(reinterpret_cast<const uint8_t*>(&v), 8); }
void Assembler::bytes(const void* data, size_t n) { emitRaw(static_cast<const uint8_t*>(data), n); }

// ---------------------------------------------------------------- SSE

// GP <-> XMM: 66 (REX.W) 0F 6E loads the xmm in ModRM.reg from ModRM.rm,
// 0F 7E stores it; REX.W turns movd into movq.
void Assembler::movd(Xmm d, Reg s) { encR(kP66 | kMap0F | 0x6E, X(d), R(s)); }
void Assembler::movd(Reg d, Xmm s) { encR(kP66 | kMap0F | 0x7E, X(s), R(d)); }
void Assembler::movd(Xmm d, const Mem& s) { encM(kP66 | kMap0F | 0x6E, X(d), s); }
void Assembler::movd(const Mem& d, Xmm s) { encM(kP66 | kMap0F | 0x7E, X(s), d); }
void Assembler::movq(Xmm d, Reg s) { encR(kP66 | kRexW | kMap0F | 0x6E, X(d), R(s)); }
void Assembler::movq(Reg d, Xmm s) { encR(kP66 | kRexW | kMap0F | 0x7E, X(s), R(d)); }
void Assembler::movq(Xmm d, const Mem& s) { encM(kPF3 | kMap0F | 0x7E, X(d), s); }
void Assembler::movq(const Mem& d, Xmm s) { encM(kP66 | kMap0F | 0xD6, X(s), d); }
void Assembler::movq(Xmm d, Xmm s) { encR(kPF3 | kMap0F | 0x7E, X(d), X(s)); }
void Assembler::movsd(Xmm d, Xmm s) { encR(kPF2 | kMap0F | 0x10, X(d), X(s)); }
void Assembler::movsd(Xmm d, const Mem& s) { encM(kPF2 | kMap0F | 0x10, X(d), s); }
void Assembler::movsd(const Mem& d, Xmm s) { encM(kPF2 | kMap0F | 0x11, X(s), d); }
void Assembler::movss(Xmm d, Xmm s) { encR(kPF3 | kMap0F | 0x10, X(d), X(s)); }
void Assembler::movss(Xmm d, const Mem& s) { encM(kPF3 | kMap0F | 0x10, X(d), s); }
void Assembler::movss(const Mem& d, Xmm s) { encM(kPF3 | kMap0F | 0x11, X(s), d); }
void Assembler::movaps(Xmm d, Xmm s) { encR(kMap0F | 0x28, X(d), X(s)); }
void Assembler::movups(Xmm d, const Mem& s) { encM(kMap0F | 0x10, X(d), s); }
void Assembler::movups(const Mem& d, Xmm s) { encM(kMap0F | 0x11, X(s), d); }

#define MIMIC_X64_SSE(name, op)                                                        \
  void Assembler::name(Xmm d, Xmm s) { encR(op, X(d), X(s)); }                         \
  void Assembler::name(Xmm d, const Mem& s) { encM(op, X(d), s); }
MIMIC_X64_SSE(addsd, kPF2 | kMap0F | 0x58)
MIMIC_X64_SSE(mulsd, kPF2 | kMap0F | 0x59)
MIMIC_X64_SSE(subsd, kPF2 | kMap0F | 0x5C)
MIMIC_X64_SSE(minsd, kPF2 | kMap0F | 0x5D)
MIMIC_X64_SSE(divsd, kPF2 | kMap0F | 0x5E)
MIMIC_X64_SSE(maxsd, kPF2 | kMap0F | 0x5F)
MIMIC_X64_SSE(sqrtsd, kPF2 | kMap0F | 0x51)
MIMIC_X64_SSE(addss, kPF3 | kMap0F | 0x58)
MIMIC_X64_SSE(mulss, kPF3 | kMap0F | 0x59)
MIMIC_X64_SSE(subss, kPF3 | kMap0F | 0x5C)
MIMIC_X64_SSE(minss, kPF3 | kMap0F | 0x5D)
MIMIC_X64_SSE(divss, kPF3 | kMap0F | 0x5E)
MIMIC_X64_SSE(maxss, kPF3 | kMap0F | 0x5F)
MIMIC_X64_SSE(sqrtss, kPF3 | kMap0F | 0x51)
MIMIC_X64_SSE(ucomisd, kP66 | kMap0F | 0x2E)
MIMIC_X64_SSE(ucomiss, kMap0F | 0x2E)
MIMIC_X64_SSE(comisd, kP66 | kMap0F | 0x2F)
MIMIC_X64_SSE(comiss, kMap0F | 0x2F)
MIMIC_X64_SSE(cvtss2sd, kPF3 | kMap0F | 0x5A)
MIMIC_X64_SSE(cvtsd2ss, kPF2 | kMap0F | 0x5A)
MIMIC_X64_SSE(andps, kMap0F | 0x54)
MIMIC_X64_SSE(andnps, kMap0F | 0x55)
MIMIC_X64_SSE(orps, kMap0F | 0x56)
MIMIC_X64_SSE(xorps, kMap0F | 0x57)
MIMIC_X64_SSE(andpd, kP66 | kMap0F | 0x54)
MIMIC_X64_SSE(andnpd, kP66 | kMap0F | 0x55)
MIMIC_X64_SSE(orpd, kP66 | kMap0F | 0x56)
MIMIC_X64_SSE(xorpd, kP66 | kMap0F | 0x57)
MIMIC_X64_SSE(pxor, kP66 | kMap0F | 0xEF)
#undef MIMIC_X64_SSE

// VEX.LIG.66.0F38 (W1 double, W0 single); VEX.vvvv = src1.
void Assembler::vfmsub231sd(Xmm d, Xmm a, Xmm b) { encR(kVex | kMap0F38 | kP66 | kRexW | vvvv(X(a)) | 0xBB, X(d), X(b)); }
void Assembler::vfmsub231ss(Xmm d, Xmm a, Xmm b) { encR(kVex | kMap0F38 | kP66 | vvvv(X(a)) | 0xBB, X(d), X(b)); }
void Assembler::vfnmadd231sd(Xmm d, Xmm a, Xmm b) { encR(kVex | kMap0F38 | kP66 | kRexW | vvvv(X(a)) | 0xBD, X(d), X(b)); }
void Assembler::vfnmadd231ss(Xmm d, Xmm a, Xmm b) { encR(kVex | kMap0F38 | kP66 | vvvv(X(a)) | 0xBD, X(d), X(b)); }

void Assembler::roundsd(Xmm d, Xmm s, uint8_t mode) { encR(kP66 | kMap0F3A | 0x0B, X(d), X(s), 1, mode); }
void Assembler::roundss(Xmm d, Xmm s, uint8_t mode) { encR(kP66 | kMap0F3A | 0x0A, X(d), X(s), 1, mode); }

namespace {
constexpr uint32_t cvtW(W w) { return w == W::q ? kRexW : 0; }
}  // namespace
void Assembler::cvtsi2sd(W w, Xmm d, Reg s) { encR(cvtW(w) | kPF2 | kMap0F | 0x2A, X(d), R(s)); }
void Assembler::cvtsi2ss(W w, Xmm d, Reg s) { encR(cvtW(w) | kPF3 | kMap0F | 0x2A, X(d), R(s)); }
void Assembler::cvttsd2si(W w, Reg d, Xmm s) { encR(cvtW(w) | kPF2 | kMap0F | 0x2C, R(d), X(s)); }
void Assembler::cvtsd2si(W w, Reg d, Xmm s) { encR(cvtW(w) | kPF2 | kMap0F | 0x2D, R(d), X(s)); }
void Assembler::cvttss2si(W w, Reg d, Xmm s) { encR(cvtW(w) | kPF3 | kMap0F | 0x2C, R(d), X(s)); }
void Assembler::cvtss2si(W w, Reg d, Xmm s) { encR(cvtW(w) | kPF3 | kMap0F | 0x2D, R(d), X(s)); }

}  // namespace mimic::x64
