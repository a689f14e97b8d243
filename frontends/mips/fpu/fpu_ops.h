// MIPS COP1 arithmetic, bit-exact with QEMU 7.2's `-cpu 24Kf` (softfloat, legacy NaNs).
//
// Values are raw bit patterns: uint32_t for single (s) and word (w), uint64_t for
// double (d) and long (l).  Every operation takes FCR31 (`fcsr`) first and behaves
// like QEMU's helper + update_fcr31():
//   * computes with FCSR.RM (bits 1:0) and FCSR.FS (bit 24);
//   * sets Cause (bits 17:12) to exactly the exceptions this operation raised
//     (Cause.E is never set: QEMU has no unimplemented-operation case);
//   * if Cause & Enables (bits 11:7) the operation traps: Flags (bits 6:2) are left
//     alone, trapPending(fcsr) is true, and the caller must raise the FP exception
//     WITHOUT writing the destination register (nor the condition code, for c.cond);
//   * otherwise Cause is ORed into Flags.
// Exceptions: abs/neg/mov never read or write fcsr (not even Cause) and never trap,
// like QEMU on a non-ABS2008 CPU.
//
// Behaviour of QEMU 7.2 that this reproduces (see tests/unit/test_mips_fpu.cpp):
//   * NaNs: legacy encoding, and QEMU runs softfloat in default-NaN mode, so every NaN
//     result is the default NaN 0x7fbfffff / 0x7ff7ffffffffffff; Invalid is raised
//     only for signaling operands (or invalid operations), never for quiet ones.
//   * FS=1 flushes a nonzero result whose exact value is below the smallest normal
//     (before rounding) to a zero of the same sign and raises NOTHING for that step;
//     denormal inputs are not flushed.
//   * Tininess is detected after rounding; Underflow needs Inexact.
//   * Float -> integer with NaN, infinity or out of range: 0x7fffffff /
//     0x7fffffffffffffff and Invalid only.
//   * madd/msub/nmadd/nmsub are NOT fused: mul rounded, then add/sub rounded (flags of
//     both steps), nmadd/nmsub then flip the sign bit (also of a NaN result).
//   * recip = 1/x (one rounding); rsqrt = 1/sqrt(x) (sqrt rounded, then the division).
#pragma once

#include <cstdint>

namespace mimic::mips::fpu {

// FCR31 fields.
inline constexpr uint32_t kFcsrRmMask = 0x3;
inline constexpr unsigned kFcsrFlagsShift = 2;
inline constexpr unsigned kFcsrEnablesShift = 7;
inline constexpr unsigned kFcsrCauseShift = 12;
inline constexpr uint32_t kFcsrFS = 1u << 24;
inline constexpr uint32_t kFcsrCC0 = 1u << 23;

// Exception bits, as in the Flags/Enables/Cause fields (before shifting).
inline constexpr uint32_t kExcInexact = 0x01;    // I
inline constexpr uint32_t kExcUnderflow = 0x02;  // U
inline constexpr uint32_t kExcOverflow = 0x04;   // O
inline constexpr uint32_t kExcDivZero = 0x08;    // Z
inline constexpr uint32_t kExcInvalid = 0x10;    // V
inline constexpr uint32_t kExcUnimpl = 0x20;     // E (cause only)

inline constexpr uint32_t kDefaultNaN32 = 0x7fbfffffu;
inline constexpr uint64_t kDefaultNaN64 = 0x7ff7ffffffffffffull;

// True when FCSR asks for an FP exception: Cause & (Enables | E).  Meaningful right
// after an operation that updates FCSR (everything except abs/neg/mov).
inline bool trapPending(uint32_t fcsr) {
  uint32_t cause = (fcsr >> kFcsrCauseShift) & 0x3f;
  uint32_t enables = ((fcsr >> kFcsrEnablesShift) & 0x1f) | kExcUnimpl;
  return (cause & enables) != 0;
}

// Two operands: fd = fs op ft.
uint32_t add_s(uint32_t& fcsr, uint32_t fs, uint32_t ft);
uint32_t sub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft);
uint32_t mul_s(uint32_t& fcsr, uint32_t fs, uint32_t ft);
uint32_t div_s(uint32_t& fcsr, uint32_t fs, uint32_t ft);
uint64_t add_d(uint32_t& fcsr, uint64_t fs, uint64_t ft);
uint64_t sub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft);
uint64_t mul_d(uint32_t& fcsr, uint64_t fs, uint64_t ft);
uint64_t div_d(uint32_t& fcsr, uint64_t fs, uint64_t ft);

// One operand.
uint32_t sqrt_s(uint32_t& fcsr, uint32_t fs);
uint64_t sqrt_d(uint32_t& fcsr, uint64_t fs);
uint32_t recip_s(uint32_t& fcsr, uint32_t fs);
uint64_t recip_d(uint32_t& fcsr, uint64_t fs);
uint32_t rsqrt_s(uint32_t& fcsr, uint32_t fs);
uint64_t rsqrt_d(uint32_t& fcsr, uint64_t fs);
// Pure bit operations; fcsr is neither read nor written.
uint32_t abs_s(uint32_t& fcsr, uint32_t fs);
uint64_t abs_d(uint32_t& fcsr, uint64_t fs);
uint32_t neg_s(uint32_t& fcsr, uint32_t fs);
uint64_t neg_d(uint32_t& fcsr, uint64_t fs);
uint32_t mov_s(uint32_t& fcsr, uint32_t fs);
uint64_t mov_d(uint32_t& fcsr, uint64_t fs);

// madd.fmt fd, fr, fs, ft:  fd = fs*ft + fr      msub:  fd = fs*ft - fr
// nmadd:                    fd = -(fs*ft + fr)   nmsub: fd = -(fs*ft - fr)
uint32_t madd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr);
uint32_t msub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr);
uint32_t nmadd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr);
uint32_t nmsub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr);
uint64_t madd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr);
uint64_t msub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr);
uint64_t nmadd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr);
uint64_t nmsub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr);

// Format conversions (cvt.<to>.<from>).
uint32_t cvt_s_d(uint32_t& fcsr, uint64_t fs);
uint32_t cvt_s_w(uint32_t& fcsr, uint32_t fs);
uint32_t cvt_s_l(uint32_t& fcsr, uint64_t fs);
uint64_t cvt_d_s(uint32_t& fcsr, uint32_t fs);
uint64_t cvt_d_w(uint32_t& fcsr, uint32_t fs);
uint64_t cvt_d_l(uint32_t& fcsr, uint64_t fs);

// Float -> integer: cvt uses FCSR.RM; round (nearest-even), trunc, ceil, floor fixed.
uint32_t cvt_w_s(uint32_t& fcsr, uint32_t fs);
uint32_t cvt_w_d(uint32_t& fcsr, uint64_t fs);
uint64_t cvt_l_s(uint32_t& fcsr, uint32_t fs);
uint64_t cvt_l_d(uint32_t& fcsr, uint64_t fs);
uint32_t round_w_s(uint32_t& fcsr, uint32_t fs);
uint32_t round_w_d(uint32_t& fcsr, uint64_t fs);
uint64_t round_l_s(uint32_t& fcsr, uint32_t fs);
uint64_t round_l_d(uint32_t& fcsr, uint64_t fs);
uint32_t trunc_w_s(uint32_t& fcsr, uint32_t fs);
uint32_t trunc_w_d(uint32_t& fcsr, uint64_t fs);
uint64_t trunc_l_s(uint32_t& fcsr, uint32_t fs);
uint64_t trunc_l_d(uint32_t& fcsr, uint64_t fs);
uint32_t ceil_w_s(uint32_t& fcsr, uint32_t fs);
uint32_t ceil_w_d(uint32_t& fcsr, uint64_t fs);
uint64_t ceil_l_s(uint32_t& fcsr, uint32_t fs);
uint64_t ceil_l_d(uint32_t& fcsr, uint64_t fs);
uint32_t floor_w_s(uint32_t& fcsr, uint32_t fs);
uint32_t floor_w_d(uint32_t& fcsr, uint64_t fs);
uint64_t floor_l_s(uint32_t& fcsr, uint32_t fs);
uint64_t floor_l_d(uint32_t& fcsr, uint64_t fs);

// c.cond.fmt fs, ft.  cond 0..15 = f un eq ueq olt ult ole ule sf ngle seq ngl lt nge
// le ngt (bit 0 unordered, bit 1 equal, bit 2 less, bit 3 signal on quiet NaNs too).
// Returns the condition; the caller writes it to the FCC bit unless trapPending(fcsr).
bool cmp_s(uint32_t& fcsr, unsigned cond, uint32_t fs, uint32_t ft);
bool cmp_d(uint32_t& fcsr, unsigned cond, uint64_t fs, uint64_t ft);

}  // namespace mimic::mips::fpu
