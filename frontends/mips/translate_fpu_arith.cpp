// FPU arithmetic, conversions and compares: each a call to the FPU core
// (frontends/mips/fpu/), which follows QEMU's softfloat bit for bit.
#include "frontends/mips/translate.h"

namespace mimic::mips {

// Until the FPU core is wired in, these raise Reserved Instruction.
#define FPU_PENDING(name) \
  void trans_##name(Ctx& c, Insn) { c.reserved(); }
FPU_PENDING(FADD)
FPU_PENDING(FSUB)
FPU_PENDING(FMUL)
FPU_PENDING(FDIV)
FPU_PENDING(FSQRT)
FPU_PENDING(FABS)
FPU_PENDING(FMOV)
FPU_PENDING(FNEG)
FPU_PENDING(ROUND_L)
FPU_PENDING(TRUNC_L)
FPU_PENDING(CEIL_L)
FPU_PENDING(FLOOR_L)
FPU_PENDING(ROUND_W)
FPU_PENDING(TRUNC_W)
FPU_PENDING(CEIL_W)
FPU_PENDING(FLOOR_W)
FPU_PENDING(MOVCF_F)
FPU_PENDING(MOVZ_F)
FPU_PENDING(MOVN_F)
FPU_PENDING(RECIP)
FPU_PENDING(RSQRT)
FPU_PENDING(CVT_S)
FPU_PENDING(CVT_D)
FPU_PENDING(CVT_W)
FPU_PENDING(CVT_L)
FPU_PENDING(FCMP)
FPU_PENDING(MADD_F)
FPU_PENDING(MSUB_F)
FPU_PENDING(NMADD_F)
FPU_PENDING(NMSUB_F)
#undef FPU_PENDING

}  // namespace mimic::mips
