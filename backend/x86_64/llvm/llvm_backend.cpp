#include "backend/x86_64/llvm/llvm_backend.h"

#include <string>

#include "backend/x86_64/llvm/llvm_jit.h"
#include "backend/x86_64/llvm/llvm_lower.h"
#include "tcg/exec.h"

namespace mimic::llvmjit {

namespace {

class LlvmBackend : public tcg::Backend {
 public:
  LlvmBackend(tcg::Cpu& cpu, tcg::ExecEngine& engine) : cpu_(cpu), engine_(engine) {}

  const char* name() const override { return "llvm"; }

  bool compile(const tcg::Block& b, tcg::TranslationBlock& tb) override {
    LowerOptions opts{cpu_.targetInfo(), engine_.timers().icount()};
    tb.code = static_cast<uint8_t*>(
        jit_.compile(tb.pc, [&](llvm::Module& m, const std::string& n) { return lowerBlock(m, n, b, tb, opts); }));
    tb.code_size = 0;
    return true;
  }

  uintptr_t execute(void* env, tcg::TranslationBlock* tb) override {
    using Fn = uint64_t (*)(void*);
    return uintptr_t(reinterpret_cast<Fn>(tb->code)(env));
  }

  // Every exit returns to the execution loop for now.
  bool canChain() const override { return false; }
  void chain(tcg::TranslationBlock&, int, tcg::TranslationBlock&) override {}
  void unchain(tcg::TranslationBlock&, int) override {}

  void flushCode() override { jit_.flush(); }

 private:
  tcg::Cpu& cpu_;
  tcg::ExecEngine& engine_;
  Jit jit_;
};

}  // namespace

std::unique_ptr<tcg::Backend> makeLlvmBackend(tcg::Cpu& cpu, tcg::ExecEngine& engine) {
  return std::make_unique<LlvmBackend>(cpu, engine);
}


}  // namespace mimic::llvmjit
