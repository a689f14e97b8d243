// Lowering of one IR block to an LLVM function (see llvm_backend.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

// A region: blocks of one guest page that jump to each other (a hot loop),
// entered at the first. A goto_tb to a member becomes a branch inside the
// function; every member starts with the checks a block starts with, and
// with a load of *valid: 0 (the region was invalidated: some member's guest
// code changed) leaves to the loop at that member's PC.
struct RegionMember {
  const tcg::Block* block;
  const tcg::TranslationBlock* tb;
};
llvm::Function* lowerRegion(llvm::Module& m, const std::string& name, const std::vector<RegionMember>& members,
                            const uint8_t* valid, const LowerOptions& opts);

}  // namespace mimic::llvmjit
