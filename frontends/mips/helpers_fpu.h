// Helper descriptors for COP1 arithmetic: each runs the FPU core on the
// FCSR in the CPU state and raises the FP exception when one is enabled
// (then the destination is not written, as the architecture says).
#pragma once

#include "tcg/ir.h"

namespace mimic::mips::helpers::fpu {

#define FPU_OPS(X)                                                                                        \
  X(add_s) X(sub_s) X(mul_s) X(div_s) X(add_d) X(sub_d) X(mul_d) X(div_d) X(sqrt_s) X(sqrt_d) X(recip_s)   \
  X(recip_d) X(rsqrt_s) X(rsqrt_d) X(madd_s) X(msub_s) X(nmadd_s) X(nmsub_s) X(madd_d) X(msub_d)           \
  X(nmadd_d) X(nmsub_d) X(cvt_s_d) X(cvt_s_w) X(cvt_s_l) X(cvt_d_s) X(cvt_d_w) X(cvt_d_l) X(cvt_w_s)       \
  X(cvt_w_d) X(cvt_l_s) X(cvt_l_d) X(round_w_s) X(round_w_d) X(round_l_s) X(round_l_d) X(trunc_w_s)        \
  X(trunc_w_d) X(trunc_l_s) X(trunc_l_d) X(ceil_w_s) X(ceil_w_d) X(ceil_l_s) X(ceil_l_d) X(floor_w_s)      \
  X(floor_w_d) X(floor_l_s) X(floor_l_d)

#define DECLARE(name) extern const tcg::HelperInfo name;
FPU_OPS(DECLARE)
#undef DECLARE
extern const tcg::HelperInfo cmp_s;   // (cond | cc << 4, fs, ft): sets or clears condition code cc
extern const tcg::HelperInfo cmp_d;

}  // namespace mimic::mips::helpers::fpu
