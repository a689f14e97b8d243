// A tcg::Cpu with nothing behind it, for tests of the engine's parts: no
// guest instructions, one MMU mode where virtual = physical, no debugger.
// StateCpu<S> gives it state: S with a CpuCommon `common` and a 64-bit `pc`.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdlib>
#include <string>

#include "tcg/cpu.h"
#include "tcg/softmmu.h"

namespace mimic::tcg {

class StubCpu : public Cpu {
 public:
  using Cpu::Cpu;
  uint32_t tbFlags() const override { return 0; }
  void translate(Block&, uint64_t, uint32_t) override {}
  int mmuIndex(uint32_t) const override { return 0; }
  bool mmuTranslate(uint64_t vaddr, AccessType, int, bool, TranslationResult& out) override {
    out = TranslationResult{vaddr & kPageMask, kPageSize, true, true, true};
    return true;
  }
  bool deliverInterrupts() override { return false; }
  void busError(uint64_t, AccessType) override { ADD_FAILURE() << "bus error"; }
  [[noreturn]] void unalignedAccess(uint64_t, AccessType) override { std::abort(); }
  std::string disassemble(uint64_t, uint32_t) const override { return {}; }
  std::string dumpState() const override { return {}; }
  void restartInstruction(uint64_t) override {}
  void setPc(uint64_t) override {}
  std::string gdbTargetXml() const override { return {}; }
  int gdbRegisterCount() const override { return 0; }
  bool gdbReadRegister(int, std::string&) const override { return false; }
  bool gdbWriteRegister(int, const uint8_t*, size_t) override { return false; }
  bool bigEndian() const override { return false; }
};

template <class State>
class StateCpu : public StubCpu {
 public:
  explicit StateCpu(hw::AddressSpace& as) : StubCpu(as) {
    st.common.cpu = this;
    tlbFlushAll(&st.common);
  }
  State st{};
  CpuCommon& common() override { return st.common; }
  void* env() override { return &st; }
  const TargetInfo& targetInfo() const override {
    static const TargetInfo ti{uint32_t(offsetof(State, common)), uint32_t(offsetof(State, pc)), true};
    return ti;
  }
  uint64_t pc() const override { return st.pc; }
};

}  // namespace mimic::tcg
