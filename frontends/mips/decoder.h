// The MIPS32 decoder, generated at compile time from insns.inc: each pattern
// string becomes a (mask, match) pair, and decode() finds the first entry
// that matches a word.
#pragma once

#include <cstdint>

namespace mimic::mips {

// What the random-program generator may do with an instruction; see insns.inc.
enum class InsnKind : uint8_t {
  Alu, AluTrap, HiLo, MulDiv, BitField, Load, LoadUnaligned, LoadLinked, Store, StoreUnaligned,
  StoreConditional, Branch, BranchLikely, Jump, JumpReg, Trap, System, Nop, Cache, Privileged, Cp0,
  Unusable, FpuMove, FpuBranch, FpuArith, FpuCompare, FpuLoad, FpuStore,
};

enum class Mnemonic : uint16_t {
#define MIPS_INSN(name, pattern, kind) name,
#include "frontends/mips/insns.inc"
#undef MIPS_INSN
  Invalid,
};

struct InsnPattern {
  Mnemonic id;
  const char* name;
  const char* pattern;
  uint32_t mask;    // bits the pattern fixes
  uint32_t match;   // their values
  InsnKind kind;
};

namespace detail {
constexpr uint32_t patternBits(const char* p, bool want_mask) {
  uint32_t v = 0;
  int n = 0;
  for (; *p; p++) {
    if (*p == ' ') continue;
    const bool fixed = *p == '0' || *p == '1';
    v = (v << 1) | (want_mask ? (fixed ? 1u : 0u) : (*p == '1' ? 1u : 0u));
    n++;
  }
  return n == 32 ? v : throw "a MIPS_INSN pattern must have 32 bits";
}
}  // namespace detail

inline constexpr InsnPattern kInsnTable[] = {
#define MIPS_INSN(name, pattern, kind)                                                              \
  {Mnemonic::name, #name, pattern, detail::patternBits(pattern, true), detail::patternBits(pattern, false), \
   InsnKind::kind},
#include "frontends/mips/insns.inc"
#undef MIPS_INSN
};
inline constexpr unsigned kNumInsns = sizeof(kInsnTable) / sizeof(kInsnTable[0]);

// The first table entry matching `word`, or Mnemonic::Invalid.
Mnemonic decode(uint32_t word);
const InsnPattern& insnPattern(Mnemonic m);

// Field accessors for one instruction word.
struct Insn {
  uint32_t w;
  unsigned op() const { return w >> 26; }
  unsigned rs() const { return (w >> 21) & 31; }
  unsigned rt() const { return (w >> 16) & 31; }
  unsigned rd() const { return (w >> 11) & 31; }
  unsigned sa() const { return (w >> 6) & 31; }
  unsigned funct() const { return w & 63; }
  uint32_t uimm() const { return w & 0xffff; }
  int32_t simm() const { return int16_t(w & 0xffff); }
  uint32_t target() const { return w & 0x03ffffff; }
  unsigned sel() const { return w & 7; }
  // FPU
  unsigned fmt() const { return (w >> 21) & 31; }
  unsigned ft() const { return (w >> 16) & 31; }
  unsigned fs() const { return (w >> 11) & 31; }
  unsigned fd() const { return (w >> 6) & 31; }
  unsigned fr() const { return (w >> 21) & 31; }
  unsigned fmt3() const { return w & 7; }             // COP1X fmt (0 = S, 1 = D)
  unsigned ccCompare() const { return (w >> 8) & 7; } // c.cond.fmt cc
  unsigned ccBranch() const { return (w >> 18) & 7; } // bc1 / movcf cc
  unsigned cond() const { return w & 15; }
};

}  // namespace mimic::mips
