// MIPS COP1 arithmetic: add/sub/mul/div/sqrt, recip/rsqrt, madd family, abs/neg/mov.
#include "frontends/mips/fpu/fpu_internal.h"
#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::fpu {

using detail::finish;
using detail::Op;
using detail::stepD;
using detail::stepS;

namespace {

constexpr uint32_t kOne32 = 0x3f800000u;
constexpr uint64_t kOne64 = 0x3ff0000000000000ull;
constexpr uint32_t kSign32 = 0x80000000u;
constexpr uint64_t kSign64 = 1ull << 63;

template <Op op>
uint32_t binS(uint32_t& fcsr, uint32_t a, uint32_t b) {
  uint32_t exc = 0;
  uint32_t r = stepS<op>(a, b, fcsr, exc);
  finish(fcsr, exc);
  return r;
}

template <Op op>
uint64_t binD(uint32_t& fcsr, uint64_t a, uint64_t b) {
  uint32_t exc = 0;
  uint64_t r = stepD<op>(a, b, fcsr, exc);
  finish(fcsr, exc);
  return r;
}

// QEMU 7.2 (non-R6): float_mul then float_add/float_sub, both rounded, flags of
// both; the n-variants flip the sign bit of whatever comes out (NaN included).
template <Op addsub, bool negate>
uint32_t fmaS(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  uint32_t exc = 0;
  uint32_t p = stepS<Op::Mul>(fs, ft, fcsr, exc);
  uint32_t r = stepS<addsub>(p, fr, fcsr, exc);
  finish(fcsr, exc);
  return negate ? r ^ kSign32 : r;
}

template <Op addsub, bool negate>
uint64_t fmaD(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  uint32_t exc = 0;
  uint64_t p = stepD<Op::Mul>(fs, ft, fcsr, exc);
  uint64_t r = stepD<addsub>(p, fr, fcsr, exc);
  finish(fcsr, exc);
  return negate ? r ^ kSign64 : r;
}

}  // namespace

uint32_t add_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binS<Op::Add>(fcsr, fs, ft); }
uint32_t sub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binS<Op::Sub>(fcsr, fs, ft); }
uint32_t mul_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binS<Op::Mul>(fcsr, fs, ft); }
uint32_t div_s(uint32_t& fcsr, uint32_t fs, uint32_t ft) { return binS<Op::Div>(fcsr, fs, ft); }
uint64_t add_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binD<Op::Add>(fcsr, fs, ft); }
uint64_t sub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binD<Op::Sub>(fcsr, fs, ft); }
uint64_t mul_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binD<Op::Mul>(fcsr, fs, ft); }
uint64_t div_d(uint32_t& fcsr, uint64_t fs, uint64_t ft) { return binD<Op::Div>(fcsr, fs, ft); }

uint32_t sqrt_s(uint32_t& fcsr, uint32_t fs) { return binS<Op::Sqrt>(fcsr, fs, 0); }
uint64_t sqrt_d(uint32_t& fcsr, uint64_t fs) { return binD<Op::Sqrt>(fcsr, fs, 0); }

// recip: float_div(1, x).
uint32_t recip_s(uint32_t& fcsr, uint32_t fs) { return binS<Op::Div>(fcsr, kOne32, fs); }
uint64_t recip_d(uint32_t& fcsr, uint64_t fs) { return binD<Op::Div>(fcsr, kOne64, fs); }

// rsqrt: float_div(1, float_sqrt(x)), two roundings, flags of both.
uint32_t rsqrt_s(uint32_t& fcsr, uint32_t fs) {
  uint32_t exc = 0;
  uint32_t s = stepS<Op::Sqrt>(fs, 0, fcsr, exc);
  uint32_t r = stepS<Op::Div>(kOne32, s, fcsr, exc);
  finish(fcsr, exc);
  return r;
}
uint64_t rsqrt_d(uint32_t& fcsr, uint64_t fs) {
  uint32_t exc = 0;
  uint64_t s = stepD<Op::Sqrt>(fs, 0, fcsr, exc);
  uint64_t r = stepD<Op::Div>(kOne64, s, fcsr, exc);
  finish(fcsr, exc);
  return r;
}

// Non-arithmetic: no FCSR access at all (QEMU helpers float_abs/float_chs take no env).
uint32_t abs_s(uint32_t&, uint32_t fs) { return fs & ~kSign32; }
uint64_t abs_d(uint32_t&, uint64_t fs) { return fs & ~kSign64; }
uint32_t neg_s(uint32_t&, uint32_t fs) { return fs ^ kSign32; }
uint64_t neg_d(uint32_t&, uint64_t fs) { return fs ^ kSign64; }
uint32_t mov_s(uint32_t&, uint32_t fs) { return fs; }
uint64_t mov_d(uint32_t&, uint64_t fs) { return fs; }

uint32_t madd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return fmaS<Op::Add, false>(fcsr, fs, ft, fr);
}
uint32_t msub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return fmaS<Op::Sub, false>(fcsr, fs, ft, fr);
}
uint32_t nmadd_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return fmaS<Op::Add, true>(fcsr, fs, ft, fr);
}
uint32_t nmsub_s(uint32_t& fcsr, uint32_t fs, uint32_t ft, uint32_t fr) {
  return fmaS<Op::Sub, true>(fcsr, fs, ft, fr);
}
uint64_t madd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return fmaD<Op::Add, false>(fcsr, fs, ft, fr);
}
uint64_t msub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return fmaD<Op::Sub, false>(fcsr, fs, ft, fr);
}
uint64_t nmadd_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return fmaD<Op::Add, true>(fcsr, fs, ft, fr);
}
uint64_t nmsub_d(uint32_t& fcsr, uint64_t fs, uint64_t ft, uint64_t fr) {
  return fmaD<Op::Sub, true>(fcsr, fs, ft, fr);
}

}  // namespace mimic::mips::fpu
