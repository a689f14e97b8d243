// Call contexts for a region (the hot tier, llvm_lower.cpp): a callee in
// the region gets a copy of its blocks for each call site that reaches it
// (up to a depth and a total), the way an inliner copies a function into
// each caller. A copy knows where its return should go: its indirect jump
// compares the target with that address and branches straight to the
// caller's continuation, with the guest's registers still in host
// registers. Without copies every return went through the region's
// dispatch, writing the registers back to env and loading them again, and
// the control flow LLVM saw (every return reaching every return site) was
// one irreducible tangle in which it could not tell loops apart.
//
// Contexts are predictions only: a return that goes anywhere else takes
// the dispatch as before, and a region entered in the middle of a callee
// (from baseline code) enters one of its copies, whose comparison then
// simply fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tcg/region.h"

namespace mimic::llvmjit {

struct CallContexts {
  static constexpr size_t kNone = ~size_t(0);
  // Instance k: a copy of member member_of[k] (list[k] is that member's
  // RegionMember).
  std::vector<tcg::RegionMember> list;
  std::vector<size_t> member_of;
  // Per member, its first instance: where the region's entries and the
  // dispatch of an unpredicted indirect jump go.
  std::vector<size_t> canonical;
  // Per instance, where its goto_tb exits lead (by guest PC), and where it
  // may run on into another member's first instruction (llvm_lower.cpp,
  // findMergePoints: that member's instance in the same context).
  std::vector<std::vector<std::pair<uint64_t, size_t>>> jumps;
  std::vector<std::vector<std::pair<uint64_t, size_t>>> falls;
  // Per instance: the return address its context predicts for its
  // indirect jump (tcg::Block::kNoCall: none), and the instance there.
  std::vector<uint64_t> expected_return;
  std::vector<size_t> return_to;

  // The instance a goto_tb of instance k to `pc` reaches, or kNone; the
  // one it runs on into at `pc`, or kNone.
  size_t jumpTarget(size_t k, uint64_t pc) const;
  size_t fallTarget(size_t k, uint64_t pc) const;
};

// At most max(max_instances, members) instances, one per member at
// least; with max_instances 0, exactly one per member (no copies).
CallContexts expandCallContexts(const std::vector<tcg::RegionMember>& members, size_t max_instances);

}  // namespace mimic::llvmjit
