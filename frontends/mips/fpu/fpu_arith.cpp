// MIPS COP1 arithmetic: add/sub/mul/div/sqrt, recip/rsqrt, madd family, abs/neg/mov.
//
// Integer implementation (see fpu_internal.h for the representation and rounding).
// Special operands are resolved in the order softfloat uses: NaN operands first
// (default NaN), then infinities and zeros, then the finite computation.
#include <cmath>
#include <utility>

#include "frontends/mips/fpu/fpu_host.h"
#include "frontends/mips/fpu/fpu_internal.h"
#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::fpu {

using namespace detail;

namespace {

__extension__ typedef unsigned __int128 u128;

enum class Op { Add, Sub, Mul, Div, Sqrt };

// (hi:lo) / d for hi < d: quotient and remainder.
inline uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t& rem) {
#if defined(__x86_64__)
  uint64_t q, r;
  __asm__("divq %[d]" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), [d] "rm"(d) : "cc");
  rem = r;
  return q;
#else
  u128 n = (u128(hi) << 64) | lo;
  rem = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

template <class F>
using B = typename F::Bits;

template <class F>
constexpr B<F> signBits(bool s) {
  return B<F>(s) << F::kSignBit;
}

template <class F>
inline bool isZero(B<F> x) {
  return (x & ~kSignMask<F>) == 0;
}

template <class F>
B<F> addSub(B<F> a, B<F> b, bool subtract, uint32_t fcsr, uint32_t& exc) {
  const int ea = expField<F>(a), eb = expField<F>(b);
  const bool sa = signOf<F>(a);
  const bool sb = signOf<F>(b) ^ subtract;
  if (ea == F::kExpMax || eb == F::kExpMax) [[unlikely]] {
    if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, exc);
    if (ea == F::kExpMax && eb == F::kExpMax) {
      if (sa != sb) {  // inf - inf
        exc |= kExcInvalid;
        return F::kDefaultNaN;
      }
      return a;
    }
    return ea == F::kExpMax ? a : B<F>(kInfBits<F> | signBits<F>(sb));
  }
  const bool za = isZero<F>(a), zb = isZero<F>(b);
  if (za || zb) [[unlikely]] {
    if (za && zb) return sa == sb ? signBits<F>(sa) : zeroSum<F>(fcsr);
    // x + 0 is x, but it is still rounded: FS flushes a denormal x.
    const B<F> x = za ? B<F>((b & ~kSignMask<F>) | signBits<F>(sb)) : a;
    if (expField<F>(x) != 0) return x;
    int ex;
    uint64_t mx;
    unpack<F>(x, ex, mx);
    return roundPack<F>(signOf<F>(x), ex, mx, fcsr, exc);
  }
  int xa, xb;
  uint64_t ma, mb;
  unpack<F>(a, xa, ma);
  unpack<F>(b, xb, mb);
  if (sa == sb) {
    if (xa < xb) {
      std::swap(xa, xb);
      std::swap(ma, mb);
    }
    uint64_t sum = ma + shiftRightJam(mb, xa - xb);
    int exp = xa;
    if (sum >> 63) {
      sum = (sum >> 1) | (sum & 1);
      ++exp;
    }
    return roundPack<F>(sa, exp, sum, fcsr, exc);
  }
  // Effective subtraction: larger magnitude minus smaller, sign of the larger.
  bool sign = sa;
  if (xa < xb || (xa == xb && ma < mb)) {
    std::swap(xa, xb);
    std::swap(ma, mb);
    sign = sb;
  } else if (xa == xb && ma == mb) {
    return zeroSum<F>(fcsr);
  }
  const uint64_t diff = ma - shiftRightJam(mb, xa - xb);
  const int lz = std::countl_zero(diff) - 1;
  return roundPack<F>(sign, xa - lz, diff << lz, fcsr, exc);
}

template <class F>
B<F> mul(B<F> a, B<F> b, uint32_t fcsr, uint32_t& exc) {
  const int ea = expField<F>(a), eb = expField<F>(b);
  const bool sign = signOf<F>(a) ^ signOf<F>(b);
  if (ea == F::kExpMax || eb == F::kExpMax) [[unlikely]] {
    if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, exc);
    if (isZero<F>(a) || isZero<F>(b)) {  // inf * 0
      exc |= kExcInvalid;
      return F::kDefaultNaN;
    }
    return kInfBits<F> | signBits<F>(sign);
  }
  if (isZero<F>(a) || isZero<F>(b)) [[unlikely]]
    return signBits<F>(sign);
  int xa, xb;
  uint64_t ma, mb;
  unpack<F>(a, xa, ma);
  unpack<F>(b, xb, mb);
  const u128 p = u128(ma) * mb;  // in [2^124, 2^126)
  int exp = xa + xb;
  uint64_t sig;
  if (p >> 125) {
    sig = static_cast<uint64_t>(p >> 63) | ((static_cast<uint64_t>(p) << 1) != 0);
    ++exp;
  } else {
    sig = static_cast<uint64_t>(p >> 62) | ((static_cast<uint64_t>(p) << 2) != 0);
  }
  return roundPack<F>(sign, exp, sig, fcsr, exc);
}

template <class F>
B<F> div(B<F> a, B<F> b, uint32_t fcsr, uint32_t& exc) {
  const int ea = expField<F>(a), eb = expField<F>(b);
  const bool sign = signOf<F>(a) ^ signOf<F>(b);
  if (ea == F::kExpMax || eb == F::kExpMax) [[unlikely]] {
    if (isNaN<F>(a) || isNaN<F>(b)) return nanResult<F>(a, b, exc);
    if (ea == F::kExpMax && eb == F::kExpMax) {  // inf / inf
      exc |= kExcInvalid;
      return F::kDefaultNaN;
    }
    return ea == F::kExpMax ? B<F>(kInfBits<F> | signBits<F>(sign)) : signBits<F>(sign);
  }
  const bool za = isZero<F>(a);
  if (isZero<F>(b)) [[unlikely]] {
    if (za) {  // 0 / 0
      exc |= kExcInvalid;
      return F::kDefaultNaN;
    }
    exc |= kExcDivZero;
    return kInfBits<F> | signBits<F>(sign);
  }
  if (za) [[unlikely]]
    return signBits<F>(sign);
  int xa, xb;
  uint64_t ma, mb, rem;
  unpack<F>(a, xa, ma);
  unpack<F>(b, xb, mb);
  int exp = xa - xb;
  uint64_t q;
  if (ma >= mb) {
    q = udiv128(ma >> 2, ma << 62, mb, rem);  // ma * 2^62 / mb in [2^62, 2^63)
  } else {
    q = udiv128(ma >> 1, ma << 63, mb, rem);  // ma * 2^63 / mb in [2^62, 2^63)
    --exp;
  }
  return roundPack<F>(sign, exp, q | (rem != 0), fcsr, exc);
}

template <class F>
B<F> sqrt(B<F> a, uint32_t fcsr, uint32_t& exc) {
  if (isNaN<F>(a)) [[unlikely]]
    return nanResult<F>(a, a, exc);
  if (isZero<F>(a)) [[unlikely]]
    return a;  // sqrt(-0) = -0
  if (signOf<F>(a)) [[unlikely]] {
    exc |= kExcInvalid;
    return F::kDefaultNaN;
  }
  if (expField<F>(a) == F::kExpMax) [[unlikely]]
    return a;
  int xa;
  uint64_t ma;
  unpack<F>(a, xa, ma);
  // sqrt(ma * 2^(xa-62)) = sqrt(M) * 2^((xa>>1) - 62), M = ma * 2^(62 or 63) so that
  // the exponent is even; floor(sqrt(M)) lies in [2^62, 2^63).
  const bool odd = xa & 1;
  const u128 m = u128(ma) << (odd ? 63 : 62);
  const uint64_t mhi = static_cast<uint64_t>(m >> 64), mlo = static_cast<uint64_t>(m);
  // Estimate from the host (any rounding mode: within a few ulps of 2^-53), then one
  // integer Newton step, which lands on floor(sqrt(M)) or just above it.
  uint64_t r = static_cast<uint64_t>(std::sqrt(static_cast<double>(ma) * (odd ? 2.0 : 1.0)) *
                                     2147483648.0);
  uint64_t rem;
  const uint64_t q = udiv128(mhi, mlo, r, rem);
  r = (r >> 1) + (q >> 1) + (r & q & 1);
  while (u128(r) * r > m) --r;
  while (u128(r + 1) * (r + 1) <= m) ++r;
  const bool inexact = u128(r) * r != m;
  return roundPack<F>(false, xa >> 1, r | inexact, fcsr, exc);
}

template <Op op, class F>
inline B<F> step(B<F> a, B<F> b, uint32_t fcsr, uint32_t& exc) {
  // Ordinary operands: the host computes the same result (fpu_host.h).
  B<F> r;
  if constexpr (op == Op::Add) if (hostAddSub<F>(a, b, false, fcsr, exc, r)) return r;
  if constexpr (op == Op::Sub) if (hostAddSub<F>(a, b, true, fcsr, exc, r)) return r;
  if constexpr (op == Op::Mul) if (hostFma(fcsr, exc, [&](bool& i) { return hostMul(a, b, r, i); })) return r;
  if constexpr (op == Op::Div) if (hostFma(fcsr, exc, [&](bool& i) { return hostDiv(a, b, r, i); })) return r;
  if constexpr (op == Op::Sqrt) if (hostFma(fcsr, exc, [&](bool& i) { return hostSqrt(a, r, i); })) return r;
  if constexpr (op == Op::Add) return addSub<F>(a, b, false, fcsr, exc);
  if constexpr (op == Op::Sub) return addSub<F>(a, b, true, fcsr, exc);
  if constexpr (op == Op::Mul) return mul<F>(a, b, fcsr, exc);
  if constexpr (op == Op::Div) return div<F>(a, b, fcsr, exc);
  if constexpr (op == Op::Sqrt) return sqrt<F>(a, fcsr, exc);
}

template <Op op, class F>
B<F> binary(uint32_t& fcsr, B<F> a, B<F> b) {
  uint32_t exc = 0;
  B<F> r = step<op, F>(a, b, fcsr, exc);
  finish(fcsr, exc);
  return r;
}

// QEMU 7.2 (pre-R6): float_mul then float_add/float_sub, each rounded, flags of
// both; the n-forms then flip the sign bit of whatever came out (a NaN included).
template <Op addsub, bool negate, class F>
B<F> multiplyAdd(uint32_t& fcsr, B<F> fs, B<F> ft, B<F> fr) {
  uint32_t exc = 0;
  B<F> p = step<Op::Mul, F>(fs, ft, fcsr, exc);
  B<F> r = step<addsub, F>(p, fr, fcsr, exc);
  finish(fcsr, exc);
  return negate ? B<F>(r ^ kSignMask<F>) : r;
}

// rsqrt: float_div(1, float_sqrt(x)), two roundings, flags of both.
template <class F>
B<F> reciprocalSqrt(uint32_t& fcsr, B<F> x, B<F> one) {
  uint32_t exc = 0;
  B<F> s = step<Op::Sqrt, F>(x, 0, fcsr, exc);
  B<F> r = step<Op::Div, F>(one, s, fcsr, exc);
  finish(fcsr, exc);
  return r;
}

constexpr uint32_t kOne32 = 0x3f800000u;
constexpr uint64_t kOne64 = 0x3ff0000000000000ull;

}  // namespace

uint32_t add_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binary<Op::Add, Single>(fcsr, fs, ft); }
uint32_t sub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binary<Op::Sub, Single>(fcsr, fs, ft); }
uint32_t mul_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binary<Op::Mul, Single>(fcsr, fs, ft); }
uint32_t div_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binary<Op::Div, Single>(fcsr, fs, ft); }
uint64_t add_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binary<Op::Add, Double>(fcsr, fs, ft); }
uint64_t sub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binary<Op::Sub, Double>(fcsr, fs, ft); }
uint64_t mul_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binary<Op::Mul, Double>(fcsr, fs, ft); }
uint64_t div_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binary<Op::Div, Double>(fcsr, fs, ft); }

uint32_t sqrt_s(uint32_t& fcsr, uint32_t fs) { return binary<Op::Sqrt, Single>(fcsr, fs, 0); }
uint64_t sqrt_d(uint32_t& fcsr, uint64_t fs) { return binary<Op::Sqrt, Double>(fcsr, fs, 0); }

// recip: float_div(1, x).
uint32_t recip_s(uint32_t& fcsr, uint32_t fs) { return binary<Op::Div, Single>(fcsr, kOne32, fs); }
uint64_t recip_d(uint32_t& fcsr, uint64_t fs) { return binary<Op::Div, Double>(fcsr, kOne64, fs); }
uint32_t rsqrt_s(uint32_t& fcsr, uint32_t fs) { return reciprocalSqrt<Single>(fcsr, fs, kOne32); }
uint64_t rsqrt_d(uint32_t& fcsr, uint64_t fs) { return reciprocalSqrt<Double>(fcsr, fs, kOne64); }

// Non-arithmetic: no FCSR access at all (QEMU's float_abs/float_chs helpers take no env).
uint32_t abs_s(uint32_t&, uint32_t fs) { return fs & ~kSignMask<Single>; }
uint64_t abs_d(uint32_t&, uint64_t fs) { return fs & ~kSignMask<Double>; }
uint32_t neg_s(uint32_t&, uint32_t fs) { return fs ^ kSignMask<Single>; }
uint64_t neg_d(uint32_t&, uint64_t fs) { return fs ^ kSignMask<Double>; }
uint32_t mov_s(uint32_t&, uint32_t fs) { return fs; }
uint64_t mov_d(uint32_t&, uint64_t fs) { return fs; }

uint32_t madd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return multiplyAdd<Op::Add, false, Single>(fcsr, fs, ft, fr);
}
uint32_t msub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return multiplyAdd<Op::Sub, false, Single>(fcsr, fs, ft, fr);
}
uint32_t nmadd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return multiplyAdd<Op::Add, true, Single>(fcsr, fs, ft, fr);
}
uint32_t nmsub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return multiplyAdd<Op::Sub, true, Single>(fcsr, fs, ft, fr);
}
uint64_t madd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return multiplyAdd<Op::Add, false, Double>(fcsr, fs, ft, fr);
}
uint64_t msub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return multiplyAdd<Op::Sub, false, Double>(fcsr, fs, ft, fr);
}
uint64_t nmadd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return multiplyAdd<Op::Add, true, Double>(fcsr, fs, ft, fr);
}
uint64_t nmsub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return multiplyAdd<Op::Sub, true, Double>(fcsr, fs, ft, fr);
}

}  // namespace mimic::mips::fpu
