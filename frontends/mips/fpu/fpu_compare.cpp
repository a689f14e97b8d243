// MIPS COP1 c.cond.fmt.
//
// QEMU evaluates each condition with softfloat's quiet (cond 0..7) or signaling
// (cond 8..15) comparisons: Invalid for a signaling NaN operand, and for the
// signaling conditions for any NaN operand.  Denormals are compared as they are
// (FS does not flush inputs), -0 == +0.
#include "frontends/mips/fpu/fpu_internal.h"
#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::fpu {

using namespace detail;

namespace {

template <typename T>
bool compare(uint32_t& fcsr, unsigned cond, T a, T b, bool unordered, bool any_snan) {
  constexpr T kSign = T(1) << (sizeof(T) * 8 - 1);
  uint32_t exc = 0;
  bool r;
  if (unordered) [[unlikely]] {
    if ((cond & 8) || any_snan) exc = kExcInvalid;
    r = cond & 1;
  } else {
    bool eq = a == b || ((a | b) & ~kSign) == 0;
    bool lt;
    if (eq) {
      lt = false;
    } else if ((a ^ b) & kSign) {
      lt = (a & kSign) != 0;  // different signs, not both zero
    } else {
      lt = (a & kSign) ? a > b : a < b;
    }
    r = ((cond & 2) && eq) || ((cond & 4) && lt);
  }
  finish(fcsr, exc);
  return r;
}

}  // namespace

bool cmp_s(uint32_t& fcsr, unsigned cond, uint32_t fs, uint32_t ft) {
  return compare<uint32_t>(fcsr, cond, fs, ft, isNaN32(fs) || isNaN32(ft),
                           isSNaN32(fs) || isSNaN32(ft));
}

bool cmp_d(uint32_t& fcsr, unsigned cond, uint64_t fs, uint64_t ft) {
  return compare<uint64_t>(fcsr, cond, fs, ft, isNaN64(fs) || isNaN64(ft),
                           isSNaN64(fs) || isSNaN64(ft));
}

}  // namespace mimic::mips::fpu
