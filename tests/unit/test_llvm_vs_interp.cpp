// The LLVM tier against the IR interpreter: every opcode, conversions,
// helper calls under register pressure, loads and stores of every size and
// byte order through the softmmu, random lifetimes: the same cases as the
// baseline JIT's (test_backend_vs_interp.cpp), compiled through LLVM.
#define MIMIC_TEST_JIT BackendKind::Llvm
#define MIMIC_TEST_ROUNDS_DIV 10
#define BackendVsInterp LlvmVsInterp
#include "test_backend_vs_interp.cpp"
