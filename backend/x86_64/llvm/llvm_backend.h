// The optimizing tier's code generator: our IR lowered to LLVM IR, optimized
// and compiled to x86-64 by LLVM's ORC LLJIT.
//
// This first step compiles every block it is given, on the CPU thread
// (-accel tcg,tier=llvm): it proves the lowering against the interpreter
// and the guest test suites. Choosing hot blocks and compiling them on a
// background thread (tier=auto) builds on it.
//
// Lowering (llvm_lower.cpp): one function per block,
//   uint64_t block(void* env)   // returns encodeExit(tb, slot) or 0
// with the exit_request check (and -icount budget) at entry; IR temps are
// allocas promoted to registers by the pipeline; guest state get/put are
// loads and stores at env + offset, so every call (helpers, the softmmu)
// sees the guest registers in memory as the precise-exception rules need;
// loads and stores go through tcg::memLoad/memStore; helpers are called
// through their address with the interpreter's uniform signature.
#pragma once

#include <memory>
#include <vector>

#include "tcg/backend.h"
#include "tcg/cpu.h"
#include "backend/x86_64/llvm/llvm_lower.h"

namespace mimic::tcg {
class ExecEngine;
}

namespace mimic::llvmjit {

std::unique_ptr<tcg::Backend> makeLlvmBackend(tcg::Cpu& cpu, tcg::ExecEngine& engine);

// The hot tier's compiler (tier=auto): a region of blocks to one function.
class RegionCompiler {
 public:
  virtual ~RegionCompiler() = default;
  // Returns the function's address (uint64_t fn(void* env)).
  virtual void* compile(const std::vector<RegionMember>& members, const uint8_t* valid) = 0;
  // Frees every function compiled so far (the engine flushed its blocks).
  virtual void flush() = 0;
};
std::unique_ptr<RegionCompiler> makeRegionCompiler(tcg::Cpu& cpu, tcg::ExecEngine& engine);

}  // namespace mimic::llvmjit
