// The host FPU's fast path for add, sub, mul, div and sqrt.
//
// On ordinary operands the integer core (fpu_internal.h) and the host's
// SSE unit compute the same IEEE result, so when the operands and the
// result are far from the special cases the host does the arithmetic:
//   * rounding to nearest (FCSR.RM = 0) only; the host's MXCSR is left at
//     its default (nearest, no flush-to-zero, no denormals-are-zero);
//   * operands finite and normal (or zero), result finite and normal (or an
//     exact zero), and for mul/div/sqrt everything at least 2^(kFrac+3)
//     above the smallest normal: then no NaN rule, no overflow, no
//     underflow and no FS flush can apply, and the only possible exception
//     is Inexact;
//   * Inexact comes from an error-free transformation rather than the
//     host's sticky flags: TwoSum for add/sub, the fused multiply-add
//     residual for mul/div/sqrt (exact in that range), so nothing here
//     depends on MXCSR state left by other host code.
// Anything else returns false and takes the integer path, which stays the
// reference (and is what the unit tests compare this against).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "frontends/mips/fpu/fpu_internal.h"

namespace mimic::mips::fpu::detail {

// Off: every operation takes the integer path (tests compare the two).
inline bool g_host_fast_path = true;

// Whether the host has FMA (checked once); without it mul/div/sqrt always
// take the integer path.
bool hostHasFma();

template <class F>
using HostFloat = std::conditional_t<std::is_same_v<F, Single>, float, double>;

template <class F>
inline HostFloat<F> toHost(typename F::Bits x) {
  HostFloat<F> f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

template <class F>
inline typename F::Bits fromHost(HostFloat<F> f) {
  typename F::Bits x;
  std::memcpy(&x, &f, sizeof x);
  return x;
}

// Normal with the exponent field in [lo, kExpMax - 1], or a zero when
// `zero_ok`.
template <class F>
inline bool hostRange(typename F::Bits x, int lo, bool zero_ok) {
  if ((x & ~kSignMask<F>) == 0) return zero_ok;
  const int e = expField<F>(x);
  return e >= lo && e < F::kExpMax;
}

// Lowest exponent field for mul/div/sqrt values: keeps the FMA residual
// exactly representable (and well clear of tininess).
template <class F>
constexpr int kHostMulLo = F::kFrac + 3;

// a + b (or a - b): TwoSum's error term is exact for any finite operands
// without overflow, so it tells whether the sum was rounded.
template <class F>
inline bool hostAddSub(typename F::Bits a, typename F::Bits b, bool subtract, uint32_t fcsr, uint32_t& exc,
                       typename F::Bits& out) {
  if (!g_host_fast_path || (fcsr & kFcsrRmMask) != 0 || !hostRange<F>(a, 1, true) || !hostRange<F>(b, 1, true))
    return false;
  using T = HostFloat<F>;
  const T x = toHost<F>(a), y = subtract ? -toHost<F>(b) : toHost<F>(b);
  const T s = x + y;
  const typename F::Bits r = fromHost<F>(s);
  // An exact zero (x == -y) is +0 under nearest, as the integer core gives.
  if (!hostRange<F>(r, 2, true)) return false;
  const T yv = s - x;
  const T err = (x - (s - yv)) + (y - yv);
  if (err != 0) exc |= kExcInexact;
  out = r;
  return true;
}

// The FMA-based ones live in fpu_host.cpp, compiled for FMA; each returns
// false where the integer path must decide, and sets `inexact`.
bool hostMul(uint32_t a, uint32_t b, uint32_t& out, bool& inexact);
bool hostMul(uint64_t a, uint64_t b, uint64_t& out, bool& inexact);
bool hostDiv(uint32_t a, uint32_t b, uint32_t& out, bool& inexact);
bool hostDiv(uint64_t a, uint64_t b, uint64_t& out, bool& inexact);
bool hostSqrt(uint32_t a, uint32_t& out, bool& inexact);
bool hostSqrt(uint64_t a, uint64_t& out, bool& inexact);

// Runs `call` (one of the above) when the mode allows it; true with Inexact
// added to `exc` when the host's result stands.
template <class Call>
inline bool hostFma(uint32_t fcsr, uint32_t& exc, Call call) {
  if (!g_host_fast_path || (fcsr & kFcsrRmMask) != 0 || !hostHasFma()) return false;
  bool inexact = false;
  if (!call(inexact)) return false;
  if (inexact) exc |= kExcInexact;
  return true;
}

}  // namespace mimic::mips::fpu::detail
