// Lowering of one IR block to an LLVM function (see llvm_backend.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tcg/cpu.h"
#include "tcg/cpu_common.h"
#include "tcg/ir.h"
#include "tcg/region.h"
#include "tcg/translation_block.h"

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace mimic::llvmjit {

struct LowerOptions {
  tcg::TargetInfo target;
  bool icount = false;   // take the block's instructions from CpuCommon::icount_budget
  bool no_tlb_memo = false;   // regions probe the TLB at every access (MIMIC_NO_TLB_MEMO=1, for measurements)
  // Per MMU mode, the range loads read straight from host RAM
  // (tcg::Cpu::directWindow); none where size is 0.
  std::array<tcg::Cpu::DirectWindow, tcg::kMaxMmuModes> windows{};
  // Host-mapped pages (tcg::RegionJob::fastmem_states): accesses of that
  // mode check the page's state and use base + vaddr where it allows.
  const uint8_t* fastmem_states = nullptr;
  int32_t fastmem_base = 0;
  int fastmem_mmu_idx = -1;
};

// Adds `uint64_t name(void* env)` for block `b` (translation block `tb`,
// whose address goto_tb exits return) to module `m`.
llvm::Function* lowerBlock(llvm::Module& m, const std::string& name, const tcg::Block& b,
                           const tcg::TranslationBlock& tb, const LowerOptions& opts);

// A region (tcg/region.h): `uint64_t name(void* env, uint32_t entry)`
// starts at member `entry`, which must be one *entries marks (the first
// member and the loop headers). A goto_tb or an indirect jump to a member
// becomes a branch inside the function; loop headers look at the loop's
// requests (exit_request), and so do the members a call may lead to (a
// call that changed the region's guest code dropped it, which sets
// exit_request). Callees are compiled once per call site
// (call_contexts.h): *copies counts the extra blocks.
llvm::Function* lowerRegion(llvm::Module& m, const std::string& name, const std::vector<tcg::RegionMember>& members,
                            const LowerOptions& opts, std::vector<bool>* entries, uint32_t* copies = nullptr);

}  // namespace mimic::llvmjit
