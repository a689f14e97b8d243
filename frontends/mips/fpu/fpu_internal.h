// Internals of the MIPS FPU operations: FCSR update, operand classification, and an
// integer IEEE-754 core reproducing QEMU 7.2 softfloat as configured for a MIPS
// legacy-NaN CPU (default-NaN mode, flush_to_zero = FCSR.FS checked before rounding,
// tininess after rounding).
//
// Working representation of a finite nonzero value: sign, exponent `exp` (unbiased
// exponent of the leading 1) and a 64-bit significand `sig` with its leading 1 at
// bit 62, so value = sig * 2^(exp - 62).  Bits lost by an operation are "jammed"
// into bit 0 (sticky), which is far below the rounding point of either format.
#pragma once

#include <bit>
#include <cstdint>

#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::fpu::detail {

// QEMU update_fcr31(): Cause := exc; then trap (Flags untouched) or Flags |= exc.
inline void finish(uint32_t& fcsr, uint32_t exc) {
  fcsr = (fcsr & ~(0x3fu << kFcsrCauseShift)) | (exc << kFcsrCauseShift);
  if ((exc & (fcsr >> kFcsrEnablesShift)) == 0) fcsr |= exc << kFcsrFlagsShift;
}

struct Single {
  using Bits = uint32_t;
  static constexpr int kFrac = 23, kExpMax = 0xff, kBias = 127, kSignBit = 31;
  static constexpr Bits kDefaultNaN = kDefaultNaN32;
  static constexpr Bits kQuietBit = Bits(1) << 22;  // set = signaling (legacy MIPS)
};
struct Double {
  using Bits = uint64_t;
  static constexpr int kFrac = 52, kExpMax = 0x7ff, kBias = 1023, kSignBit = 63;
  static constexpr Bits kDefaultNaN = kDefaultNaN64;
  static constexpr Bits kQuietBit = Bits(1) << 51;
};

template <class F>
constexpr typename F::Bits kSignMask = typename F::Bits(1) << F::kSignBit;
template <class F>
constexpr typename F::Bits kFracMask = (typename F::Bits(1) << F::kFrac) - 1;
template <class F>
constexpr typename F::Bits kInfBits = typename F::Bits(F::kExpMax) << F::kFrac;

template <class F>
inline bool isNaN(typename F::Bits x) { return (x & ~kSignMask<F>) > kInfBits<F>; }
template <class F>
inline bool isSNaN(typename F::Bits x) { return isNaN<F>(x) && (x & F::kQuietBit); }
template <class F>
inline int expField(typename F::Bits x) { return static_cast<int>((x >> F::kFrac) & F::kExpMax); }
template <class F>
inline bool signOf(typename F::Bits x) { return (x >> F::kSignBit) & 1; }

inline bool isNaN32(uint32_t x) { return isNaN<Single>(x); }
inline bool isSNaN32(uint32_t x) { return isSNaN<Single>(x); }
inline bool isNaN64(uint64_t x) { return isNaN<Double>(x); }
inline bool isSNaN64(uint64_t x) { return isSNaN<Double>(x); }

inline uint64_t shiftRightJam(uint64_t x, int n) {
  if (n <= 0) return x;
  if (n >= 63) return x != 0;
  return (x >> n) | ((x << (64 - n)) != 0);
}

// Finite nonzero operand (exponent field != max, bits != +-0) -> exp/sig.
template <class F>
inline void unpack(typename F::Bits x, int& exp, uint64_t& sig) {
  const int e = expField<F>(x);
  const uint64_t frac = x & kFracMask<F>;
  if (e != 0) [[likely]] {
    exp = e - F::kBias;
    sig = (frac | (uint64_t(1) << F::kFrac)) << (62 - F::kFrac);
  } else {  // denormal: normalize
    const int s = std::countl_zero(frac) - 1;
    exp = 62 + 1 - F::kBias - F::kFrac - s;
    sig = frac << s;
  }
}

// Rounds sign * sig * 2^(exp-62) to format F with MIPS RM (FCSR bits 1:0) and FS,
// exactly like softfloat's uncanon_normal: FS flushes values whose exact exponent is
// below the normal range to a signed zero and raises nothing; otherwise tininess is
// detected after rounding, Underflow requires Inexact, overflow gives infinity or
// the largest finite value depending on the mode, with Overflow|Inexact.
template <class F>
inline typename F::Bits roundPack(bool sign, int exp, uint64_t sig, uint32_t fcsr, uint32_t& exc) {
  using Bits = typename F::Bits;
  constexpr int kShift = 62 - F::kFrac;  // bits below the result's last place
  constexpr uint64_t kRoundMask = (uint64_t(1) << kShift) - 1;
  constexpr uint64_t kHalf = uint64_t(1) << (kShift - 1);
  const unsigned rm = fcsr & kFcsrRmMask;
  const Bits s = Bits(sign) << F::kSignBit;
  uint64_t inc;
  switch (rm) {
    case 0: inc = kHalf; break;
    case 1: inc = 0; break;
    case 2: inc = sign ? 0 : kRoundMask; break;
    default: inc = sign ? kRoundMask : 0; break;
  }
  int e = exp + F::kBias;
  if (e >= 1) [[likely]] {
    const uint64_t rbits = sig & kRoundMask;
    uint64_t mant = sig >> kShift;  // includes the leading 1 at bit kFrac
    if (rbits) {
      exc |= kExcInexact;
      mant = (sig + inc) >> kShift;  // may carry to 2^(kFrac+1): exponent + 1
      if (rm == 0 && rbits == kHalf) mant &= ~uint64_t(1);
    }
    if (e + static_cast<int>(mant >> (F::kFrac + 1)) >= F::kExpMax) [[unlikely]] {
      exc |= kExcOverflow | kExcInexact;
      const bool to_max = rm == 1 || (rm == 2 && sign) || (rm == 3 && !sign);
      return to_max ? Bits(s | (kInfBits<F> - 1)) : Bits(s | kInfBits<F>);
    }
    return Bits(s + (Bits(e - 1) << F::kFrac) + Bits(mant));
  }
  if (fcsr & kFcsrFS) return s;  // flushed before rounding: no exception at all
  // Tiny with an unbounded exponent after rounding? (a carry out of the leading
  // bit means it rounds up to the smallest normal)
  const bool tiny = e < 0 || (sig + inc) < (uint64_t(1) << 63);
  sig = shiftRightJam(sig, 1 - e);
  const uint64_t rbits = sig & kRoundMask;
  uint64_t mant = sig >> kShift;
  if (rbits) {
    exc |= kExcInexact | (tiny ? kExcUnderflow : 0);
    mant = (sig + inc) >> kShift;  // reaching 2^kFrac gives the smallest normal
    if (rm == 0 && rbits == kHalf) mant &= ~uint64_t(1);
  }
  return Bits(s | Bits(mant));
}

// Exact zero result of an addition/subtraction: -0 only when rounding down.
template <class F>
inline typename F::Bits zeroSum(uint32_t fcsr) {
  return (fcsr & kFcsrRmMask) == 3 ? kSignMask<F> : 0;
}

// QEMU MIPS legacy NaN rule for operations with NaN operands: the default NaN;
// Invalid when any operand is signaling.
template <class F>
inline typename F::Bits nanResult(typename F::Bits a, typename F::Bits b, uint32_t& exc) {
  if (isSNaN<F>(a) || isSNaN<F>(b)) exc |= kExcInvalid;
  return F::kDefaultNaN;
}

}  // namespace mimic::mips::fpu::detail
