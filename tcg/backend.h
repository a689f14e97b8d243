// What the execution engine needs from a code generator. The IR interpreter
// and the x86-64 emitter implement it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tcg/cpu_common.h"
#include "tcg/ir.h"
#include "tcg/translation_block.h"

namespace mimic::tcg {

// How a block left: the block and goto_tb slot for a chainable exit, or
// no block (the PC is in the CPU state; do a full lookup).
struct ExitInfo {
  TranslationBlock* tb;
  int slot;
};

inline uintptr_t encodeExit(TranslationBlock* tb, int slot) { return reinterpret_cast<uintptr_t>(tb) | uintptr_t(slot); }
inline ExitInfo decodeExit(uintptr_t v) {
  return ExitInfo{reinterpret_cast<TranslationBlock*>(v & ~uintptr_t(3)), int(v & 3)};
}

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Generates code for `b` into tb. Returns false if the code buffer is
  // full (the engine flushes everything and retries).
  virtual bool compile(const Block& b, TranslationBlock& tb) = 0;
  // Generates code for `b` into the code space tb already owns: that of an
  // invalidated block, which nothing runs or jumps to any more. False if
  // the code does not fit there or the backend cannot reuse its code.
  virtual bool recompile(const Block& b, TranslationBlock& tb) { return false; }
  // Runs from tb until a block exits to the loop; returns encodeExit(...)
  // for a goto_tb exit, 0 otherwise.
  virtual uintptr_t execute(void* env, TranslationBlock* tb) = 0;
  virtual bool canChain() const = 0;
  virtual void chain(TranslationBlock& from, int slot, TranslationBlock& to) = 0;
  virtual void unchain(TranslationBlock& from, int slot) = 0;
  virtual void flushCode() = 0;          // forget all generated code
  // The hot tier: make tb's entry jump to `fn(env, entry)` (a compiled
  // region, returning like a block; tcg/region.h), counting entries in
  // *entries; or back to tb's own code.
  virtual bool redirect(TranslationBlock& tb, void* fn, uint32_t entry, uint64_t* entries) { return false; }
  virtual void unredirect(TranslationBlock& tb) {}
  virtual std::string disassemble(const TranslationBlock& tb) const { return {}; }
  // The block whose generated code holds host_pc, if any (the hot tier's
  // sampler: called from a signal handler on the CPU thread, so it must
  // only read).
  virtual TranslationBlock* blockAt(uintptr_t host_pc) const { return nullptr; }
};

}  // namespace mimic::tcg
