// The optimizing tier: our IR lowered to LLVM IR (llvm_lower.cpp),
// optimized and compiled to x86-64 by LLVM's ORC LLJIT (llvm_jit.cpp).
//
// Two users:
// - tier=llvm: every block through LLVM on the CPU thread, a function
//     uint64_t block(void* env)   // returns encodeExit(tb, slot) or 0
//   per block, never chained; it proves the lowering against the
//   interpreter and the guest test suites;
// - tier=auto: hot regions (tcg/region.h) compiled in the background while
//   the guest runs on the baseline JIT's code.
//
// The lowering keeps the guest state slots in SSA values, written back to
// env before every call that may look at them (helpers, the softmmu's slow
// path, which alone may raise a guest exception) and before every return;
// the softmmu's fast path is inline; helpers are called through their
// address with the interpreter's uniform signature.
#pragma once

#include <memory>
#include <vector>

#include "tcg/backend.h"
#include "tcg/cpu.h"
#include "tcg/region.h"
#include "backend/x86_64/llvm/llvm_lower.h"

namespace mimic::tcg {
class ExecEngine;
}

namespace mimic::llvmjit {

std::unique_ptr<tcg::Backend> makeLlvmBackend(tcg::Cpu& cpu, tcg::ExecEngine& engine);

// The hot tier's compiler (tier=auto, region_compiler.cpp): regions
// compiled on a thread of their own; `synchronous` (-icount: the guest's
// timing must not depend on the host's) compiles in submit().
std::unique_ptr<tcg::RegionCompiler> makeRegionCompiler(tcg::Cpu& cpu, bool synchronous);

}  // namespace mimic::llvmjit
