#include "backend/x86_64/llvm/llvm_backend.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/DebugUtils.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include "backend/x86_64/llvm/llvm_lower.h"
#include "tcg/exec.h"

namespace mimic::llvmjit {

namespace {

void initLlvmOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

// The pipeline run on every block: LLVM's O2 function simplification
// (mem2reg/SROA turn the temps' allocas into registers, then instcombine,
// GVN, simplifycfg...). Blocks are small and straight-line, so the
// module-level and loop passes of O2 find little; measured choices belong
// to the hot-region tier.
// MIMIC_LLVM_OPT=0..3 picks the pipeline (for measurements); default O1.
llvm::OptimizationLevel optLevel() {
  const char* v = std::getenv("MIMIC_LLVM_OPT");
  switch (v ? std::atoi(v) : 1) {
    case 0: return llvm::OptimizationLevel::O0;
    case 2: return llvm::OptimizationLevel::O2;
    case 3: return llvm::OptimizationLevel::O3;
    default: return llvm::OptimizationLevel::O1;
  }
}

void optimize(llvm::Module& m) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(optLevel());
  mpm.run(m, mam);
}

// LLJIT with one resource tracker per flush generation: lowers, checks,
// optimizes and compiles one function a module.
class Jit {
 public:
  Jit() {
    initLlvmOnce();
    auto jit = llvm::orc::LLJITBuilder().create();
    if (!jit) {
      std::fprintf(stderr, "mimic: error: cannot start LLVM's JIT: %s\n", llvm::toString(jit.takeError()).c_str());
      std::exit(1);
    }
    jit_ = std::move(*jit);
    // MIMIC_DUMP_OBJ=DIR: every compiled object to DIR (objdump -d reads them).
    if (const char* dir = std::getenv("MIMIC_DUMP_OBJ"))
      jit_->getObjTransformLayer().setTransform(llvm::orc::DumpObjects(dir));
    tracker_ = jit_->getMainJITDylib().createResourceTracker();
  }

  // `lower` adds the function named by its argument to the module.
  void* compile(uint64_t pc, const std::function<llvm::Function*(llvm::Module&, const std::string&)>& lower) {
    auto ctx = std::make_unique<llvm::LLVMContext>();
    auto m = std::make_unique<llvm::Module>("block", *ctx);
    m->setDataLayout(jit_->getDataLayout());
    m->setTargetTriple(jit_->getTargetTriple().str());
    const std::string fn_name = fmt::format("b{}", next_id_++);
    llvm::Function* f = lower(*m, fn_name);
    std::string err;
    llvm::raw_string_ostream es(err);
    if (llvm::verifyFunction(*f, &es)) {
      std::fprintf(stderr, "mimic: internal error: bad LLVM IR for block %#llx: %s\n", (unsigned long long)pc,
                   es.str().c_str());
      std::abort();
    }
    optimize(*m);
    if (std::getenv("MIMIC_DUMP_LLVM")) {
      std::string text;
      llvm::raw_string_ostream os(text);
      m->print(os, nullptr);
      std::fprintf(stderr, "%s\n", os.str().c_str());
    }
    if (auto e = jit_->addIRModule(tracker_, llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
      std::fprintf(stderr, "mimic: internal error: LLVM: %s\n", llvm::toString(std::move(e)).c_str());
      std::abort();
    }
    auto sym = jit_->lookup(fn_name);
    if (!sym) {
      std::fprintf(stderr, "mimic: internal error: LLVM: %s\n", llvm::toString(sym.takeError()).c_str());
      std::abort();
    }
    return sym->toPtr<void*>();
  }

  void flush() {
    if (auto e = tracker_->remove()) llvm::consumeError(std::move(e));
    tracker_ = jit_->getMainJITDylib().createResourceTracker();
  }

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  llvm::orc::ResourceTrackerSP tracker_;
  uint64_t next_id_ = 0;
};

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

class LlvmRegionCompiler : public RegionCompiler {
 public:
  LlvmRegionCompiler(tcg::Cpu& cpu, tcg::ExecEngine& engine) : cpu_(cpu), engine_(engine) {}
  void* compile(const std::vector<RegionMember>& members, const uint8_t* valid) override {
    LowerOptions opts{cpu_.targetInfo(), engine_.timers().icount()};
    return jit_.compile(members[0].tb->pc, [&](llvm::Module& m, const std::string& n) {
      return lowerRegion(m, n, members, valid, opts);
    });
  }
  void flush() override { jit_.flush(); }

 private:
  tcg::Cpu& cpu_;
  tcg::ExecEngine& engine_;
  Jit jit_;
};

}  // namespace

std::unique_ptr<tcg::Backend> makeLlvmBackend(tcg::Cpu& cpu, tcg::ExecEngine& engine) {
  return std::make_unique<LlvmBackend>(cpu, engine);
}

std::unique_ptr<RegionCompiler> makeRegionCompiler(tcg::Cpu& cpu, tcg::ExecEngine& engine) {
  return std::make_unique<LlvmRegionCompiler>(cpu, engine);
}

}  // namespace mimic::llvmjit
