// A translated guest block: where it came from (the location descriptor and
// physical pages), where its host code is, and its chaining links.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tcg/ir.h"

namespace mimic::tcg {

constexpr uint32_t kNoJump = UINT32_MAX;

struct TranslationBlock {
  uint64_t pc = 0;             // guest virtual PC
  uint32_t flags = 0;          // mode bits the translation read
  uint64_t phys_pc = 0;
  uint64_t phys_page2 = ~0ull; // second physical page when the block crosses one
  uint32_t guest_size = 0;
  uint32_t num_insns = 0;
  bool valid = true;
  bool debug_break = false;    // a breakpoint's block: the loop stops instead of running it

  uint8_t* code = nullptr;     // host code (baseline backend)
  uint32_t code_size = 0;
  // The code space the block owns from `code` (baseline backend): when the
  // block is invalidated, a later translation may be put there
  // (ExecEngine's spare blocks, Backend::recompile).
  uint32_t code_capacity = 0;
  std::unique_ptr<Block> ir;   // kept for the interpreter backend

  // goto_tb slots: offset of the patchable jump in `code`, and its target.
  uint32_t jmp_offset[2] = {kNoJump, kNoJump};
  uint32_t jmp_reset_offset[2] = {kNoJump, kNoJump};  // where an unchained jump goes
  uint64_t jmp_target_pc[2] = {0, 0};
  TranslationBlock* jmp_dest[2] = {nullptr, nullptr};
  // Blocks whose slot jumps here: (block, slot).
  std::vector<std::pair<TranslationBlock*, int>> incoming;

  // The hot tier (tier=auto, tcg/region.h): baseline code counts down
  // *hot_counter at entry and leaves to the loop when it reaches zero; the
  // loop has a region with this block compiled in the background, and once
  // it is installed the block's patchable entry (entry_jmp_offset) goes to
  // the region's entry for it. The counter lives with the backend's code
  // (null: the block does not count).
  uint32_t* hot_counter = nullptr;
  uint32_t entry_jmp_offset = kNoJump;
  bool in_region = false;             // its entry jump goes to an installed region
  bool was_hot = false;               // it got hot at least once (a region should hold it)
  uint32_t samples = 0;               // the sampler's (tcg/hot_sampler.h)
  // It ends in an indirect jump to an address loaded in the block (a
  // switch's jump table, a handler table), not to a register's value (a
  // return): its targets are the jump cache's (ExecEngine::regionMembers).
  bool dispatches = false;
  // It ends in a direct call returning here (Block::call_return): a
  // region with it holds the return's block too.
  uint64_t call_return = Block::kNoCall;
  // A region lists it (a member, whose address its code returns as an exit
  // tag): it is not recycled before the next flush.
  bool pinned = false;

  // Back to a block of no guest code, keeping what the backend gave it
  // (its code space and hot counter) for the next translation put there.
  // Not valid until then: the sampler's queue may still name it.
  void resetForReuse() {
    TranslationBlock fresh;
    fresh.valid = false;
    fresh.code = code;
    fresh.code_capacity = code_capacity;
    fresh.hot_counter = hot_counter;
    fresh.incoming = std::move(incoming);   // empty; keeps its storage
    fresh.incoming.clear();
    *this = std::move(fresh);
  }
};

// The goto_tb slot number a block's exit returns when its hot counter runs out.
constexpr int kHotExitSlot = 2;

}  // namespace mimic::tcg
