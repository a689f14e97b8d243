// LLVM's ORC LLJIT behind one small class: a module per compiled function,
// our optimization pipeline, and one resource tracker per flush generation
// so that flush() frees everything compiled so far. Not thread-safe: each
// Jit is used by one thread (the CPU thread for tier=llvm, the compiler
// thread for tier=auto).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace llvm {
class Function;
class Module;
}  // namespace llvm

namespace mimic::llvmjit {

class Jit {
 public:
  Jit();
  ~Jit();
  // `lower` adds the function named by its argument to the module; returns
  // the compiled function's address. `pc` names it in error messages.
  void* compile(uint64_t pc, const std::function<llvm::Function*(llvm::Module&, const std::string&)>& lower);
  void flush();

  // Host time in the IR pipeline and in the back end, and the size of the
  // objects produced, since the start.
  uint64_t optNs() const { return opt_ns_; }
  uint64_t codegenNs() const { return codegen_ns_; }
  uint64_t codeBytes() const { return code_bytes_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t next_id_ = 0;
  uint64_t opt_ns_ = 0, codegen_ns_ = 0, code_bytes_ = 0;
};

}  // namespace mimic::llvmjit
