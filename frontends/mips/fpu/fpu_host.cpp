// The FMA half of the host fast path (fpu_host.h): mul, div and sqrt, whose
// Inexact comes from the exact residual of a fused multiply-add. Compiled
// for FMA and only called when the CPU has it.
#include "frontends/mips/fpu/fpu_host.h"

namespace mimic::mips::fpu::detail {

bool hostHasFma() {
  static const bool has = __builtin_cpu_supports("fma");
  return has;
}

namespace {

#define MIMIC_FMA __attribute__((target("fma")))

template <class F>
MIMIC_FMA inline bool mul(typename F::Bits a, typename F::Bits b, typename F::Bits& out, bool& inexact) {
  if (!hostRange<F>(a, 1, true) || !hostRange<F>(b, 1, true)) return false;
  using T = HostFloat<F>;
  const T x = toHost<F>(a), y = toHost<F>(b);
  const T p = x * y;
  const typename F::Bits r = fromHost<F>(p);
  if ((a & ~kSignMask<F>) == 0 || (b & ~kSignMask<F>) == 0) {   // an exact signed zero
    out = r;
    return true;
  }
  if (!hostRange<F>(r, kHostMulLo<F>, false)) return false;
  // Two singles multiply exactly in double.
  if constexpr (std::is_same_v<F, Double>) inexact = __builtin_fma(x, y, -p) != 0;
  else inexact = double(x) * double(y) != double(p);
  out = r;
  return true;
}

template <class F>
MIMIC_FMA inline bool div(typename F::Bits a, typename F::Bits b, typename F::Bits& out, bool& inexact) {
  if (!hostRange<F>(a, kHostMulLo<F>, true) || !hostRange<F>(b, 1, false)) return false;
  using T = HostFloat<F>;
  const T x = toHost<F>(a), y = toHost<F>(b);
  const T q = x / y;
  const typename F::Bits r = fromHost<F>(q);
  if ((a & ~kSignMask<F>) == 0) {   // 0 / y: an exact signed zero
    out = r;
    return true;
  }
  if (!hostRange<F>(r, kHostMulLo<F>, false)) return false;
  if constexpr (std::is_same_v<F, Double>) inexact = __builtin_fma(-q, y, x) != 0;
  else inexact = __builtin_fmaf(-q, y, x) != 0;
  out = r;
  return true;
}

template <class F>
MIMIC_FMA inline bool sqrt(typename F::Bits a, typename F::Bits& out, bool& inexact) {
  if ((a & ~kSignMask<F>) == 0) {   // sqrt(+-0) = +-0, exact
    out = a;
    return true;
  }
  if (signOf<F>(a) || !hostRange<F>(a, kHostMulLo<F>, false)) return false;
  using T = HostFloat<F>;
  const T x = toHost<F>(a);
  T s;
  if constexpr (std::is_same_v<F, Double>) s = __builtin_sqrt(x);
  else s = __builtin_sqrtf(x);
  if constexpr (std::is_same_v<F, Double>) inexact = __builtin_fma(-s, s, x) != 0;
  else inexact = __builtin_fmaf(-s, s, x) != 0;
  out = fromHost<F>(s);
  return true;
}

}  // namespace

MIMIC_FMA bool hostMul(uint32_t a, uint32_t b, uint32_t& out, bool& inexact) { return mul<Single>(a, b, out, inexact); }
MIMIC_FMA bool hostMul(uint64_t a, uint64_t b, uint64_t& out, bool& inexact) { return mul<Double>(a, b, out, inexact); }
MIMIC_FMA bool hostDiv(uint32_t a, uint32_t b, uint32_t& out, bool& inexact) { return div<Single>(a, b, out, inexact); }
MIMIC_FMA bool hostDiv(uint64_t a, uint64_t b, uint64_t& out, bool& inexact) { return div<Double>(a, b, out, inexact); }
MIMIC_FMA bool hostSqrt(uint32_t a, uint32_t& out, bool& inexact) { return sqrt<Single>(a, out, inexact); }
MIMIC_FMA bool hostSqrt(uint64_t a, uint64_t& out, bool& inexact) { return sqrt<Double>(a, out, inexact); }

}  // namespace mimic::mips::fpu::detail
