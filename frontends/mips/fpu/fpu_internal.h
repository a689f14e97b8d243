// Internals of the MIPS FPU operations: FCSR update, operand classification, and
// the host (x86-64 SSE) arithmetic core with explicit MXCSR control.
//
// Why host SSE is exact here: SSE scalar add/sub/mul/div/sqrt and conversions are
// correctly rounded IEEE operations in the rounding mode taken from MXCSR, and with
// all exceptions masked they raise the same flags as softfloat (x86 detects tininess
// after rounding and reports Underflow only together with Inexact, as softfloat's
// default does for MIPS).  What differs is fixed up around it: NaN operands never
// reach the host (QEMU's MIPS legacy mode returns the default NaN), a NaN produced by
// an invalid operation is replaced by the MIPS default NaN, and FCSR.FS is emulated
// from a second, round-toward-zero evaluation (DAZ/FTZ are never used).
//
// Each host operation is one asm statement that loads our MXCSR, computes, reads the
// status flags and restores the caller's MXCSR, so the compiler cannot move the
// arithmetic across the mode switch and the rest of the process never sees our mode.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "frontends/mips/fpu/fpu_ops.h"

#if !defined(__x86_64__)
#error "frontends/mips/fpu uses the x86-64 SSE unit for bit-exact arithmetic"
#endif

namespace mimic::mips::fpu::detail {

// QEMU update_fcr31(): Cause := exc; then trap (Flags untouched) or Flags |= exc.
inline void finish(uint32_t& fcsr, uint32_t exc) {
  fcsr = (fcsr & ~(0x3fu << kFcsrCauseShift)) | (exc << kFcsrCauseShift);
  if ((exc & (fcsr >> kFcsrEnablesShift)) == 0) fcsr |= exc << kFcsrFlagsShift;
}

inline bool isNaN32(uint32_t x) { return (x & 0x7fffffffu) > 0x7f800000u; }
inline bool isSNaN32(uint32_t x) { return isNaN32(x) && (x & 0x00400000u); }  // legacy
inline bool isNaN64(uint64_t x) { return (x & ~(1ull << 63)) > 0x7ff0000000000000ull; }
inline bool isSNaN64(uint64_t x) { return isNaN64(x) && (x & (1ull << 51)); }

// MXCSR for each MIPS RM (0 nearest, 1 zero, 2 +inf, 3 -inf): all exceptions masked,
// flags clear, DAZ/FTZ off.  x86 RC: 00 nearest, 01 down, 10 up, 11 zero.
inline constexpr uint32_t kMxcsr[4] = {0x1f80u, 0x1f80u | (3u << 13), 0x1f80u | (2u << 13),
                                       0x1f80u | (1u << 13)};
inline constexpr uint32_t kMxcsrRZ = kMxcsr[1];
inline constexpr uint32_t kMxPE = 0x20;  // precision (inexact) flag

// MXCSR flags (IE DE ZE OE UE PE = bits 0..5) -> MIPS exception bits.
inline constexpr std::array<uint8_t, 64> kExcFromMx = [] {
  std::array<uint8_t, 64> t{};
  for (unsigned m = 0; m < 64; ++m) {
    unsigned e = 0;
    if (m & 0x01) e |= kExcInvalid;
    if (m & 0x04) e |= kExcDivZero;
    if (m & 0x08) e |= kExcOverflow;
    if (m & 0x10) e |= kExcUnderflow;
    if (m & 0x20) e |= kExcInexact;
    t[m] = static_cast<uint8_t>(e);
  }
  return t;
}();

enum class Op { Add, Sub, Mul, Div, Sqrt };

#define MIMIC_FPU_HOST(insn, dst, src)                                          \
  __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[rs], %[rd]\n\t"                \
                   "stmxcsr %[co]\n\tldmxcsr %[sv]"                             \
                   : [rd] "+x"(dst), [co] "=m"(st)                              \
                   : [rs] "x"(src), [ci] "m"(mx), [sv] "m"(saved))

// a op b (b unused for Sqrt) in single precision under MXCSR `mx`; returns the
// result bits and the MXCSR after the operation (flags) in `status`.
template <Op op>
inline uint32_t hostS(uint32_t abits, uint32_t bbits, uint32_t mx, uint32_t& status) {
  float a = std::bit_cast<float>(abits);
  float b = std::bit_cast<float>(bbits);
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  if constexpr (op == Op::Add) MIMIC_FPU_HOST("addss", a, b);
  if constexpr (op == Op::Sub) MIMIC_FPU_HOST("subss", a, b);
  if constexpr (op == Op::Mul) MIMIC_FPU_HOST("mulss", a, b);
  if constexpr (op == Op::Div) MIMIC_FPU_HOST("divss", a, b);
  if constexpr (op == Op::Sqrt) MIMIC_FPU_HOST("sqrtss", a, a);
  status = st;
  return std::bit_cast<uint32_t>(a);
}

template <Op op>
inline uint64_t hostD(uint64_t abits, uint64_t bbits, uint32_t mx, uint32_t& status) {
  double a = std::bit_cast<double>(abits);
  double b = std::bit_cast<double>(bbits);
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  if constexpr (op == Op::Add) MIMIC_FPU_HOST("addsd", a, b);
  if constexpr (op == Op::Sub) MIMIC_FPU_HOST("subsd", a, b);
  if constexpr (op == Op::Mul) MIMIC_FPU_HOST("mulsd", a, b);
  if constexpr (op == Op::Div) MIMIC_FPU_HOST("divsd", a, b);
  if constexpr (op == Op::Sqrt) MIMIC_FPU_HOST("sqrtsd", a, a);
  status = st;
  return std::bit_cast<uint64_t>(a);
}

// double -> single under `mx`.
inline uint32_t hostCvtSD(uint64_t abits, uint32_t mx, uint32_t& status) {
  double a = std::bit_cast<double>(abits);
  float r = 0.0f;
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  MIMIC_FPU_HOST("cvtsd2ss", r, a);
  status = st;
  return std::bit_cast<uint32_t>(r);
}

// Integer -> floating point under `mx`.
inline uint32_t hostCvtSW(int32_t v, uint32_t mx, uint32_t& status) {
  float r = 0.0f;
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  __asm__ volatile("ldmxcsr %[ci]\n\tcvtsi2ssl %[rs], %[rd]\n\tstmxcsr %[co]\n\tldmxcsr %[sv]"
                   : [rd] "+x"(r), [co] "=m"(st)
                   : [rs] "r"(v), [ci] "m"(mx), [sv] "m"(saved));
  status = st;
  return std::bit_cast<uint32_t>(r);
}
inline uint32_t hostCvtSL(int64_t v, uint32_t mx, uint32_t& status) {
  float r = 0.0f;
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  __asm__ volatile("ldmxcsr %[ci]\n\tcvtsi2ssq %[rs], %[rd]\n\tstmxcsr %[co]\n\tldmxcsr %[sv]"
                   : [rd] "+x"(r), [co] "=m"(st)
                   : [rs] "r"(v), [ci] "m"(mx), [sv] "m"(saved));
  status = st;
  return std::bit_cast<uint32_t>(r);
}
inline uint64_t hostCvtDL(int64_t v, uint32_t mx, uint32_t& status) {
  double r = 0.0;
  uint32_t saved = __builtin_ia32_stmxcsr();
  uint32_t st;
  __asm__ volatile("ldmxcsr %[ci]\n\tcvtsi2sdq %[rs], %[rd]\n\tstmxcsr %[co]\n\tldmxcsr %[sv]"
                   : [rd] "+x"(r), [co] "=m"(st)
                   : [rs] "r"(v), [ci] "m"(mx), [sv] "m"(saved));
  status = st;
  return std::bit_cast<uint64_t>(r);
}

#undef MIMIC_FPU_HOST

// FCSR.FS as QEMU's softfloat does it (flush_to_zero, checked before rounding):
// a result whose exact value is nonzero and below the smallest normal becomes a zero
// of the same sign and raises no flag.  `r` is the result in the current mode; only
// when |r| <= smallest normal can the exact value be tiny, and then the
// round-toward-zero result tells: it is below 2^emin iff the exact value is, and it
// is nonzero or inexact iff the exact value is nonzero.  Returns true and sets `r`
// when flushing.
template <typename Recompute>
inline bool flushS(uint32_t& r, Recompute rz) {
  if ((r & 0x7fffffffu) > 0x00800000u) return false;
  uint32_t st;
  uint32_t z = rz(st);
  if ((z & 0x7f800000u) != 0) return false;
  if ((z & 0x7fffffffu) == 0 && !(st & kMxPE)) return false;  // exact zero
  r = z & 0x80000000u;
  return true;
}
template <typename Recompute>
inline bool flushD(uint64_t& r, Recompute rz) {
  if ((r & ~(1ull << 63)) > 0x0010000000000000ull) return false;
  uint32_t st;
  uint64_t z = rz(st);
  if ((z & 0x7ff0000000000000ull) != 0) return false;
  if ((z & ~(1ull << 63)) == 0 && !(st & kMxPE)) return false;
  r = z & (1ull << 63);
  return true;
}

// One softfloat operation in single precision with QEMU's MIPS legacy semantics:
// NaN operands give the default NaN (Invalid if any is signaling), invalid
// operations give the default NaN with Invalid, FS flushes tiny results.
// Exceptions are ORed into `exc` (several steps may accumulate, as in madd).
template <Op op>
inline uint32_t stepS(uint32_t a, uint32_t b, uint32_t fcsr, uint32_t& exc) {
  constexpr bool unary = op == Op::Sqrt;
  if (isNaN32(a) || (!unary && isNaN32(b))) [[unlikely]] {
    if (isSNaN32(a) || (!unary && isSNaN32(b))) exc |= kExcInvalid;
    return kDefaultNaN32;
  }
  uint32_t st;
  uint32_t r = hostS<op>(a, b, kMxcsr[fcsr & kFcsrRmMask], st);
  if (isNaN32(r)) [[unlikely]] {
    exc |= kExcInvalid;
    return kDefaultNaN32;
  }
  if (fcsr & kFcsrFS) [[unlikely]] {
    if (flushS(r, [&](uint32_t& s) { return hostS<op>(a, b, kMxcsrRZ, s); })) return r;
  }
  exc |= kExcFromMx[st & 0x3f];
  return r;
}

template <Op op>
inline uint64_t stepD(uint64_t a, uint64_t b, uint32_t fcsr, uint32_t& exc) {
  constexpr bool unary = op == Op::Sqrt;
  if (isNaN64(a) || (!unary && isNaN64(b))) [[unlikely]] {
    if (isSNaN64(a) || (!unary && isSNaN64(b))) exc |= kExcInvalid;
    return kDefaultNaN64;
  }
  uint32_t st;
  uint64_t r = hostD<op>(a, b, kMxcsr[fcsr & kFcsrRmMask], st);
  if (isNaN64(r)) [[unlikely]] {
    exc |= kExcInvalid;
    return kDefaultNaN64;
  }
  if (fcsr & kFcsrFS) [[unlikely]] {
    if (flushD(r, [&](uint32_t& s) { return hostD<op>(a, b, kMxcsrRZ, s); })) return r;
  }
  exc |= kExcFromMx[st & 0x3f];
  return r;
}

}  // namespace mimic::mips::fpu::detail
