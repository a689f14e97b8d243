// The hot tier's unit of work (tier=auto): a region is the often-run blocks
// of one guest page under one mapping and mode, compiled as one function by
// the optimizing compiler, with an entry for each block.
//
// The engine (tcg/exec_hot.cpp) picks regions and installs their code on
// the CPU thread; the compiler (backend/x86_64/llvm) turns a RegionJob into
// code, normally on its own thread, so the guest runs on baseline code
// meanwhile. A job carries copies of everything the compiler reads: the
// blocks' IR, their PCs, and addresses it only embeds in the code (the
// blocks' exit tags), never dereferences.
#pragma once

#include <cstdint>
#include <atomic>
#include <memory>
#include <vector>

#include "tcg/ir.h"

namespace mimic::tcg {

struct TranslationBlock;

// One block of a region: its IR (translated with every instruction
// boundary clean, tcg/passes.h), guest PC and the tag its goto_tb exits
// return (encodeExit(tb, slot)).
struct RegionMember {
  const Block* block;
  uint64_t pc;
  TranslationBlock* tb;   // an exit tag only: the compiler thread never reads it
  // Its indirect jump goes through a loaded address (TranslationBlock::
  // dispatches: a switch), not to a register's value (a return). Told
  // here because the member's IR, translated with clean instruction
  // boundaries, reads the target back from the guest register.
  bool dispatches = false;
  // On a mapped page other than the region's (ExecEngine::regionMembers):
  // code branching here from another page first checks that the TLB maps
  // guard_vpage in MMU mode guard_mmu_idx with this addend (host address -
  // guest address), as when the region was built, and leaves otherwise.
  static constexpr uint64_t kNoGuard = ~uint64_t(0);
  uint64_t guard_vpage = kNoGuard;
  uint64_t guard_addend = 0;
  uint8_t guard_mmu_idx = 0;
};

struct Region;

struct RegionJob {
  Region* region = nullptr;     // the engine's; the compiler only hands it back
  uint64_t generation = 0;      // the engine's flush generation when submitted
  std::vector<std::unique_ptr<Block>> irs;
  std::vector<RegionMember> members;
  bool icount = false;
  // Host-mapped pages (tcg/fastmem.h) of one MMU mode, while they are on:
  // per guest page (vaddr >> 12) its state (Fastmem::kPageRead or
  // kPageWrite: loads, or loads and stores, may use base + vaddr); null
  // when off.
  const uint8_t* fastmem_states = nullptr;
  int32_t fastmem_base = 0;
  int fastmem_mmu_idx = -1;
  // Results.
  void* fn = nullptr;           // uint64_t fn(void* env, uint32_t entry)
  std::vector<uint8_t> entries; // members fn may be entered at (the others run baseline code)
  uint32_t copies = 0;          // blocks compiled again for another call site (call contexts)
  uint64_t compile_ns = 0;
  uint64_t opt_ns = 0;       // of compile_ns: LLVM's IR pipeline
  uint64_t codegen_ns = 0;   // of compile_ns: LLVM's back end
  uint64_t code_bytes = 0;
};

// An installed or pending region (owned by the engine until a flush).
// Keyed by the page of the block that made it hot.
struct Region {
  uint64_t phys_page = 0;
  uint64_t vpage = 0;
  uint32_t flags = 0;
  std::vector<TranslationBlock*> members;
  // The physical pages its members' code came from: the key's page, and
  // where mappings are fixed (ExecEngine::regionMembers) others; a store
  // to any of them drops the region.
  std::vector<uint64_t> pages;
  bool pending = true;          // submitted, not installed yet
  bool dropped = false;         // out of service (or its guest code changed before install)
  Region* replaces = nullptr;   // the page's installed region it supersedes (while pending)
  void* fn = nullptr;
  // Entries through each member's trampoline (-d hot names the busy ones
  // when the region is dropped for them); sized at install.
  std::unique_ptr<uint64_t[]> entry_counts;
  // The sampler's samples that landed in its code: the time spent in it.
  uint64_t samples = 0;
  // Its review window (ExecEngine::reviewRegions): entries(), samples,
  // the sampler's signals and the machine's time when it opened.
  uint64_t entries_reviewed = 0;
  uint64_t samples_reviewed = 0;
  uint64_t signals_reviewed = 0;
  int64_t window_ns = 0;
  uint64_t entries() const {
    uint64_t n = 0;
    for (size_t i = 0; entry_counts && i < members.size(); i++) n += entry_counts[i];
    return n;
  }
};

// Set when a region compiler's thread was left to finish a compile at
// shutdown (region_compiler.cpp: waiting for it cost up to half a second
// per run): the process must then end by _exit, since static destructors
// would run under that thread.
inline std::atomic<bool> g_region_compiler_abandoned{false};
inline void noteRegionCompilerAbandoned() { g_region_compiler_abandoned = true; }
inline bool regionCompilerAbandoned() { return g_region_compiler_abandoned; }

class RegionCompiler {
 public:
  virtual ~RegionCompiler() = default;
  // Queues a job (or compiles it at once when synchronous). False if the
  // queue is full: the caller drops the job.
  virtual bool submit(std::unique_ptr<RegionJob> job) = 0;
  // Jobs compiled since the last call.
  virtual std::vector<std::unique_ptr<RegionJob>> takeFinished() = 0;
  // Frees every function compiled so far, once jobs already queued are done.
  virtual void flush() = 0;
  virtual bool synchronous() const = 0;
};

}  // namespace mimic::tcg
