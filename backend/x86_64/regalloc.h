// Linear-scan register allocation over one block. Every temp gets one
// location for its whole live interval (first definition to last use in
// op order; branches are forward-only, so this interval covers every path),
// which keeps the assignment identical at every label.
#pragma once

#include <cstdint>
#include <vector>

#include "backend/x86_64/assembler.h"
#include "tcg/ir.h"

namespace mimic::x64 {

struct Location {
  enum Kind : uint8_t { None, InReg, OnStack } kind = None;
  Reg reg = Reg::rax;
  uint16_t slot = 0;   // stack slot index (8 bytes each)
};

struct Allocation {
  std::vector<Location> loc;          // per temp
  std::vector<uint32_t> start, end;   // live interval per temp (op indices)
  unsigned slots_used = 0;
};

// Registers the allocator hands out. rax, rcx and rdx are scratch for the
// emitter; rbp holds the CPU state; rsp the frame.
inline constexpr Reg kCalleeSaved[] = {Reg::rbx, Reg::r12, Reg::r13, Reg::r14, Reg::r15};
inline constexpr Reg kCallerSaved[] = {Reg::rsi, Reg::rdi, Reg::r8, Reg::r9, Reg::r10, Reg::r11};
inline constexpr bool isCallerSaved(Reg r) {
  return r == Reg::rax || r == Reg::rcx || r == Reg::rdx || r == Reg::rsi || r == Reg::rdi || r == Reg::r8 ||
         r == Reg::r9 || r == Reg::r10 || r == Reg::r11;
}

// Computes intervals and assigns locations. Temps live across a helper call
// get callee-saved registers or stack slots.
void allocateRegisters(const tcg::Block& b, Allocation& out, unsigned max_slots);

}  // namespace mimic::x64
