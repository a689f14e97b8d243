#include "backend/x86_64/llvm/llvm_jit.h"

#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <llvm/ExecutionEngine/Orc/DebugUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

namespace mimic::llvmjit {

namespace {

// The calling thread's CPU time: compile costs in -d stats stay meaningful
// when the (low-priority) compiler thread waits for a core.
uint64_t threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

void initLlvmOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    // LLVM's own options. X86's domain reassignment (on hosts with
    // AVX-512 BW) moves integer work into mask registers, which a region
    // never gains from, and took half the back end's time on a 55-block
    // region (0.40 of 0.85 s: it grows faster than the function).
    // MIMIC_LLVM_ARGS adds others, for measurements (e.g.
    // "-debug-pass=Executions", whose lines carry timestamps).
    static std::vector<std::string> words{"mimic", "-disable-x86-domain-reassignment"};
    if (const char* args = std::getenv("MIMIC_LLVM_ARGS")) {
      std::istringstream in(args);
      for (std::string w; in >> w;) words.push_back(w);
    }
    std::vector<const char*> argv;
    for (const std::string& w : words) argv.push_back(w.c_str());
    llvm::cl::ParseCommandLineOptions(int(argv.size()), argv.data());
  });
}

// MIMIC_LLVM_OPT=0..3 picks LLVM's pipeline level (for measurements);
// default 1.
int optLevelChoice() {
  const char* v = std::getenv("MIMIC_LLVM_OPT");
  return v ? std::atoi(v) : 1;
}

llvm::OptimizationLevel optLevel(int choice) {
  switch (choice) {
    case 0: return llvm::OptimizationLevel::O0;
    case 2: return llvm::OptimizationLevel::O2;
    case 3: return llvm::OptimizationLevel::O3;
    default: return llvm::OptimizationLevel::O1;
  }
}

// The back end's level (instruction selection, register allocation):
// MIMIC_LLVM_CODEGEN=0..3, default 1: half the back-end time of LLVM's
// default (2) for the same speed of the regions we measured (int_alu,
// branchy; docs/performance.md).
llvm::CodeGenOpt::Level codegenLevel() {
  const char* v = std::getenv("MIMIC_LLVM_CODEGEN");
  switch (v ? std::atoi(v) : 1) {
    case 0: return llvm::CodeGenOpt::None;
    case 1: return llvm::CodeGenOpt::Less;
    case 3: return llvm::CodeGenOpt::Aggressive;
    default: return llvm::CodeGenOpt::Default;
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
  // LLVM's O1 function simplification: SROA turns the guest registers'
  // allocas into SSA values, then instcombine, GVN, simplifycfg (short
  // guest if/else become selects), LICM. Measured (docs/performance.md):
  // O2/O3 cost more compile time for nothing on these regions, and a
  // hand-picked list (SROA, EarlyCSE, InstCombine, SimplifyCFG, LICM,
  // ADCE) compiled no faster overall (the back end dominates) and ran
  // int_alu 25% slower.
  llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(optLevel(optLevelChoice()));
  mpm.run(m, mam);
}

// The size of an object's text sections (0 if it cannot be parsed: the
// linker reports that object's errors itself).
uint64_t textBytes(const llvm::MemoryBuffer& obj) {
  auto file = llvm::object::ObjectFile::createObjectFile(obj.getMemBufferRef());
  if (!file) {
    llvm::consumeError(file.takeError());
    return 0;
  }
  uint64_t n = 0;
  for (const llvm::object::SectionRef& sec : (*file)->sections())
    if (sec.isText()) n += sec.getSize();
  return n;
}

}  // namespace

struct Jit::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  llvm::orc::ResourceTrackerSP tracker;
};

Jit::Jit() : impl_(std::make_unique<Impl>()) {
  initLlvmOnce();
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    std::fprintf(stderr, "mimic: error: cannot start LLVM's JIT: %s\n", llvm::toString(jtmb.takeError()).c_str());
    std::exit(1);
  }
  jtmb->setCodeGenOptLevel(codegenLevel());
  auto jit = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*jtmb)).create();
  if (!jit) {
    std::fprintf(stderr, "mimic: error: cannot start LLVM's JIT: %s\n", llvm::toString(jit.takeError()).c_str());
    std::exit(1);
  }
  impl_->jit = std::move(*jit);
  // Every object passes here on its way to memory: count its machine code
  // (the text sections: the whole object also holds symbols and
  // relocations, which -d perfmap would otherwise claim as code of the
  // function and so overlap the next one), and with MIMIC_DUMP_OBJ=DIR
  // also write it to DIR (objdump -d reads it).
  std::function<llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>(std::unique_ptr<llvm::MemoryBuffer>)> dump;
  if (const char* dir = std::getenv("MIMIC_DUMP_OBJ")) dump = llvm::orc::DumpObjects(dir);
  uint64_t* bytes = &code_bytes_;
  impl_->jit->getObjTransformLayer().setTransform(
      [bytes, dump](std::unique_ptr<llvm::MemoryBuffer> obj) -> llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> {
        *bytes += textBytes(*obj);
        return dump ? dump(std::move(obj)) : std::move(obj);
      });
  impl_->tracker = impl_->jit->getMainJITDylib().createResourceTracker();
}

Jit::~Jit() = default;

void* Jit::compile(uint64_t pc, const std::function<llvm::Function*(llvm::Module&, const std::string&)>& lower) {
  auto ctx = std::make_unique<llvm::LLVMContext>();
  auto m = std::make_unique<llvm::Module>("block", *ctx);
  m->setDataLayout(impl_->jit->getDataLayout());
  m->setTargetTriple(impl_->jit->getTargetTriple().str());
  const std::string fn_name = fmt::format("b{}", next_id_++);
  llvm::Function* f = lower(*m, fn_name);
  std::string err;
  llvm::raw_string_ostream es(err);
  if (llvm::verifyFunction(*f, &es)) {
    std::fprintf(stderr, "mimic: internal error: bad LLVM IR for block %#llx: %s\n", (unsigned long long)pc,
                 es.str().c_str());
    std::abort();
  }
  const uint64_t t0 = threadCpuNs();
  optimize(*m);
  const uint64_t t1 = threadCpuNs();
  opt_ns_ += t1 - t0;
  if (std::getenv("MIMIC_DUMP_LLVM")) {
    std::string text;
    llvm::raw_string_ostream os(text);
    m->print(os, nullptr);
    std::fprintf(stderr, "%s\n", os.str().c_str());
  }
  if (auto e = impl_->jit->addIRModule(impl_->tracker, llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
    std::fprintf(stderr, "mimic: internal error: LLVM: %s\n", llvm::toString(std::move(e)).c_str());
    std::abort();
  }
  auto sym = impl_->jit->lookup(fn_name);
  if (!sym) {
    std::fprintf(stderr, "mimic: internal error: LLVM: %s\n", llvm::toString(sym.takeError()).c_str());
    std::abort();
  }
  codegen_ns_ += threadCpuNs() - t1;
  return sym->toPtr<void*>();
}

void Jit::flush() {
  if (auto e = impl_->tracker->remove()) llvm::consumeError(std::move(e));
  impl_->tracker = impl_->jit->getMainJITDylib().createResourceTracker();
}

}  // namespace mimic::llvmjit
