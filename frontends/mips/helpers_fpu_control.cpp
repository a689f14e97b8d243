// FCSR access: cfc1/ctc1 with the FCCR/FEXR/FENR views of FCSR, and the FP
// exception a write can raise (a Cause bit whose Enable is set, or E).
#include "frontends/mips/exceptions.h"
#include "frontends/mips/helpers.h"
#include "util/log.h"

namespace mimic::mips {

namespace {

constexpr uint32_t kFcsrWritable = 0xff83ffffu;   // 24Kf (QEMU's CP1_fcr31_rw_bitmask)

uint32_t helperCfc1(MipsState* env, uint32_t fs) {
  const uint32_t f = env->fcr31;
  switch (fs) {
    case 0: return env->fir;
    case 25: return ((f >> 24) & 0xfe) | ((f >> 23) & 1);   // FCCR: condition codes
    case 26: return f & 0x0003f07cu;                        // FEXR: cause and flags
    case 28: return (f & 0x00000f83u) | ((f >> 22) & 4);    // FENR: enables, FS, RM
    case 31: return f;
    default:
      raiseException(env, EXC_RI);
  }
}

void helperCtc1(MipsState* env, uint32_t fs, uint32_t v) {
  uint32_t& f = env->fcr31;
  switch (fs) {
    case 25:
      if (v & 0xffffff00u) return;
      f = (f & 0x017fffffu) | ((v & 0xfe) << 24) | ((v & 1) << 23);
      break;
    case 26:
      if (v & 0xfffc0f83u) return;
      f = (f & 0xfffc0f83u) | (v & 0x0003f07cu);
      break;
    case 28:
      if (v & 0xfffff078u) return;
      f = (f & 0xfefff07cu) | (v & 0x00000f83u) | ((v & 4) << 22);
      break;
    case 31:
      f = (v & kFcsrWritable) | (f & ~kFcsrWritable);
      break;
    default:
      log::logf(log::kGuestErrors, "mips: ctc1 to FP control register {} ignored\n", fs);
      return;
  }
  // Cause bits with their Enable set (Unimplemented always enabled) trap now.
  const uint32_t cause = (f >> 12) & 0x3f, enables = ((f >> 7) & 0x1f) | 0x20;
  if (cause & enables) raiseException(env, EXC_FPE);
}

constexpr tcg::Type I32 = tcg::Type::I32;
}  // namespace

namespace helpers {
const tcg::HelperInfo cfc1{"cfc1", reinterpret_cast<void*>(&helperCfc1), tcg::HF_NO_WRITE_STATE, true, I32, 1, {I32}};
const tcg::HelperInfo ctc1{"ctc1", reinterpret_cast<void*>(&helperCtc1), 0, false, I32, 2, {I32, I32}};
}  // namespace helpers

}  // namespace mimic::mips
