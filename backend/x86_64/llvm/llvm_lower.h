// Lowering of one IR block to an LLVM function (see llvm_backend.h).
#pragma once

#include <cstdint>
#include <string>

#include "tcg/cpu_common.h"
#include "tcg/ir.h"
#include "tcg/translation_block.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace mimic::llvmjit {

struct LowerOptions {
  tcg::TargetInfo target;
  bool icount = false;   // take the block's instructions from CpuCommon::icount_budget
};

// Adds `uint64_t name(void* env)` for block `b` (translation block `tb`,
// whose address goto_tb exits return) to module `m`.
llvm::Function* lowerBlock(llvm::Module& m, const std::string& name, const tcg::Block& b,
                           const tcg::TranslationBlock& tb, const LowerOptions& opts);

}  // namespace mimic::llvmjit
