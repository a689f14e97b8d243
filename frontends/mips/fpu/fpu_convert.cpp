// MIPS COP1 conversions: cvt.s/d.{s,d,w,l}, {cvt,round,trunc,ceil,floor}.{w,l}.{s,d}.
#include <bit>

#include "frontends/mips/fpu/fpu_internal.h"
#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::fpu {

using namespace detail;

namespace {

// Float -> N-bit signed integer, rounding with `rm` (MIPS encoding: 0 nearest-even,
// 1 zero, 2 +inf, 3 -inf).  Like softfloat's float_to_sint plus QEMU's MIPS fix-up:
// NaN, infinity or a rounded value out of range give 0x7fff... and Invalid only
// (no Inexact); otherwise Inexact when the value was not an integer.
template <class F, unsigned N>
uint64_t toInt(uint64_t x, unsigned rm, uint32_t& exc) {
  constexpr uint64_t kOverflow = (1ull << (N - 1)) - 1;
  const bool sign = (x >> F::kSignBit) & 1;
  const int e = static_cast<int>((x >> F::kFrac) & F::kExpMax);
  const uint64_t f = x & ((1ull << F::kFrac) - 1);
  if (e == F::kExpMax) {  // infinity or NaN
    exc |= kExcInvalid;
    return kOverflow;
  }
  if (e == 0 && f == 0) return 0;
  const uint64_t sig = e ? (f | (1ull << F::kFrac)) : f;
  const int lsb = (e ? e : 1) - F::kBias - F::kFrac;  // |x| = sig * 2^lsb
  const uint64_t limit = sign ? (1ull << (N - 1)) : (1ull << (N - 1)) - 1;
  uint64_t mag;
  bool inexact = false;
  if (lsb >= 0) {
    if (lsb >= 64 || sig > (limit >> lsb)) {
      exc |= kExcInvalid;
      return kOverflow;
    }
    mag = sig << lsb;
  } else {
    const int sh = -lsb;
    uint64_t ip, rem, half;
    if (sh >= 64) {  // sig < 2^53, so |x| < 2^-11: nonzero and below one half
      ip = 0;
      rem = 1;
      half = ~0ull;
    } else {
      ip = sig >> sh;
      rem = sig & ((1ull << sh) - 1);
      half = 1ull << (sh - 1);
    }
    inexact = rem != 0;
    bool inc = false;
    switch (rm & 3) {
      case 0: inc = rem > half || (rem == half && (ip & 1)); break;
      case 1: inc = false; break;
      case 2: inc = !sign && inexact; break;
      case 3: inc = sign && inexact; break;
    }
    mag = ip + inc;
    if (mag > limit) {
      exc |= kExcInvalid;
      return kOverflow;
    }
  }
  if (inexact) exc |= kExcInexact;
  uint64_t r = sign ? 0 - mag : mag;
  return N == 32 ? (r & 0xffffffffu) : r;
}

// Signed integer -> format F, rounded with FCSR.RM (never tiny, never overflows).
template <class F>
typename F::Bits fromInt(uint32_t fcsr, int64_t v, uint32_t& exc) {
  if (v == 0) return 0;
  const bool neg = v < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const int lz = std::countl_zero(mag);
  if (lz == 0)  // 2^63
    return roundPack<F>(neg, 63, mag >> 1, fcsr, exc);
  return roundPack<F>(neg, 63 - lz, mag << (lz - 1), fcsr, exc);
}

template <class F, unsigned N>
uint64_t toIntOp(uint32_t& fcsr, uint64_t x, unsigned rm) {
  uint32_t exc = 0;
  uint64_t r = toInt<F, N>(x, rm, exc);
  finish(fcsr, exc);
  return r;
}

}  // namespace

uint32_t cvt_s_d(uint32_t& fcsr, uint64_t fs) {
  uint32_t exc = 0;
  uint32_t r;
  const bool sign = signOf<Double>(fs);
  const int e = expField<Double>(fs);
  if (e == Double::kExpMax) [[unlikely]] {
    if (isNaN<Double>(fs)) {
      if (isSNaN<Double>(fs)) exc = kExcInvalid;
      r = kDefaultNaN32;
    } else {
      r = kInfBits<Single> | (uint32_t(sign) << 31);
    }
  } else if ((fs << 1) == 0) [[unlikely]] {
    r = uint32_t(sign) << 31;
  } else {
    int exp;
    uint64_t sig;
    unpack<Double>(fs, exp, sig);
    r = roundPack<Single>(sign, exp, sig, fcsr, exc);
  }
  finish(fcsr, exc);
  return r;
}

uint32_t cvt_s_w(uint32_t& fcsr, uint32_t fs) {
  uint32_t exc = 0;
  uint32_t r = fromInt<Single>(fcsr, static_cast<int32_t>(fs), exc);
  finish(fcsr, exc);
  return r;
}

uint32_t cvt_s_l(uint32_t& fcsr, uint64_t fs) {
  uint32_t exc = 0;
  uint32_t r = fromInt<Single>(fcsr, static_cast<int64_t>(fs), exc);
  finish(fcsr, exc);
  return r;
}

// Exact except for NaNs; done in integer arithmetic so that the host's MXCSR
// (DAZ) cannot matter.
uint64_t cvt_d_s(uint32_t& fcsr, uint32_t fs) {
  uint32_t exc = 0;
  const uint64_t sign = static_cast<uint64_t>(fs >> 31) << 63;
  uint32_t e = (fs >> 23) & 0xff;
  uint32_t f = fs & 0x7fffff;
  uint64_t r;
  if (e == 0xff) {
    if (f) {
      if (f & 0x400000) exc = kExcInvalid;
      r = kDefaultNaN64;
    } else {
      r = sign | 0x7ff0000000000000ull;
    }
  } else if (e == 0) {
    if (f == 0) {
      r = sign;
    } else {
      int sh = std::countl_zero(f) - 8;  // bring the leading 1 to bit 23
      f <<= sh;
      r = sign | (static_cast<uint64_t>(1 - sh - 127 + 1023) << 52) |
          (static_cast<uint64_t>(f & 0x7fffff) << 29);
    }
  } else {
    r = sign | (static_cast<uint64_t>(e - 127 + 1023) << 52) | (static_cast<uint64_t>(f) << 29);
  }
  finish(fcsr, exc);
  return r;
}

uint64_t cvt_d_w(uint32_t& fcsr, uint32_t fs) {
  uint32_t exc = 0;
  uint64_t r = fromInt<Double>(fcsr, static_cast<int32_t>(fs), exc);  // exact
  finish(fcsr, exc);
  return r;
}

uint64_t cvt_d_l(uint32_t& fcsr, uint64_t fs) {
  uint32_t exc = 0;
  uint64_t r = fromInt<Double>(fcsr, static_cast<int64_t>(fs), exc);
  finish(fcsr, exc);
  return r;
}

uint32_t cvt_w_s(uint32_t& fcsr, uint32_t fs) {
  return static_cast<uint32_t>(toIntOp<Single, 32>(fcsr, fs, fcsr & kFcsrRmMask));
}
uint32_t cvt_w_d(uint32_t& fcsr, uint64_t fs) {
  return static_cast<uint32_t>(toIntOp<Double, 32>(fcsr, fs, fcsr & kFcsrRmMask));
}
uint64_t cvt_l_s(uint32_t& fcsr, uint32_t fs) {
  return toIntOp<Single, 64>(fcsr, fs, fcsr & kFcsrRmMask);
}
uint64_t cvt_l_d(uint32_t& fcsr, uint64_t fs) {
  return toIntOp<Double, 64>(fcsr, fs, fcsr & kFcsrRmMask);
}

#define MIMIC_FPU_TOINT(name, rm)                                                   \
  uint32_t name##_w_s(uint32_t& fcsr, uint32_t fs) {                                \
    return static_cast<uint32_t>(toIntOp<Single, 32>(fcsr, fs, rm));                \
  }                                                                                 \
  uint32_t name##_w_d(uint32_t& fcsr, uint64_t fs) {                                \
    return static_cast<uint32_t>(toIntOp<Double, 32>(fcsr, fs, rm));                \
  }                                                                                 \
  uint64_t name##_l_s(uint32_t& fcsr, uint32_t fs) { return toIntOp<Single, 64>(fcsr, fs, rm); } \
  uint64_t name##_l_d(uint32_t& fcsr, uint64_t fs) { return toIntOp<Double, 64>(fcsr, fs, rm); }

MIMIC_FPU_TOINT(round, 0)
MIMIC_FPU_TOINT(trunc, 1)
MIMIC_FPU_TOINT(ceil, 2)
MIMIC_FPU_TOINT(floor, 3)

#undef MIMIC_FPU_TOINT

}  // namespace mimic::mips::fpu
