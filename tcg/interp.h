// The IR interpreter: the reference semantics of the IR, used by tests to
// check backends and as a portable fallback. It walks a block's ops.
#pragma once

#include <vector>

#include "tcg/backend.h"
#include "tcg/cpu.h"

namespace mimic::tcg {

class Interpreter final : public Backend {
 public:
  explicit Interpreter(Cpu& cpu) : cpu_(cpu) {}
  const char* name() const override { return "interpreter"; }
  bool compile(const Block& b, TranslationBlock& tb) override;
  bool recompile(const Block& b, TranslationBlock& tb) override { return compile(b, tb); }
  uintptr_t execute(void* env, TranslationBlock* tb) override;
  bool canChain() const override { return false; }
  void chain(TranslationBlock&, int, TranslationBlock&) override {}
  void unchain(TranslationBlock&, int) override {}
  void flushCode() override {}

  // Runs one block's IR on `env` (no exit_request check); for tests.
  static uintptr_t runBlock(const Block& b, void* env, CpuCommon& common, const TargetInfo& ti,
                            TranslationBlock* tb, std::vector<uint64_t>& temps);

 private:
  Cpu& cpu_;
  std::vector<uint64_t> temps_;
};

// Calls a helper with the CPU state and up to 4 integer arguments.
uint64_t callHelper(const HelperInfo& h, void* env, const uint64_t* args);

}  // namespace mimic::tcg
