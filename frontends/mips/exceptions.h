// Exception entry for the MIPS32 CPU.
#pragma once

#include <cstdint>

#include "frontends/mips/cpu_state.h"

namespace mimic::mips {

class MipsCpu;

// Moves the CPU to the exception vector as the architecture says (EPC, BD,
// Cause.ExcCode, Status.EXL, BEV/EBase vectors, the refill vector when
// `refill` and EXL was clear). `pc` is the faulting instruction, or the
// branch when `bd`. Does not leave generated code: callers do.
void takeException(MipsCpu& cpu, uint32_t excode, uint32_t pc, bool bd, bool refill);

// raiseException (cpu_state.h) plus a refill variant and Coprocessor Unusable.
[[noreturn]] void raiseTlbException(MipsState* env, uint32_t excode, bool refill);
[[noreturn]] void raiseCoprocessorUnusable(MipsState* env, unsigned ce);

}  // namespace mimic::mips
