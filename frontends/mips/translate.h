// Shared state of the MIPS translator while it lifts one block, and the
// per-instruction translation functions (one per insns.inc entry, defined
// in translate_*.cpp by instruction class).
#pragma once

#include "frontends/mips/cpu_state.h"
#include "frontends/mips/decoder.h"
#include "tcg/builder.h"

namespace mimic::mips {

using tcg::Builder;
using tcg::Cond;
using tcg::Type;
using tcg::Value;

// What the instruction just translated does to control flow.
enum class BranchKind : uint8_t {
  None,
  Jump,          // unconditional to a constant target, after the delay slot
  Cond,          // to target if `cond` != 0, after the delay slot
  Likely,        // the same, but the delay slot runs only when taken (already guarded)
  Indirect,      // to the value `target_reg`, after the delay slot
};

struct Ctx {
  Builder& b;
  uint32_t pc = 0;            // of the instruction being translated
  uint32_t flags = 0;
  bool big_endian = false;
  uint8_t mmu_idx = 0;
  bool in_delay_slot = false;
  bool fixed_mapping = false;  // the block runs from kseg0/kseg1
  uint32_t branch_pc = 0;     // the branch owning the current delay slot

  BranchKind branch = BranchKind::None;
  uint32_t target = 0;
  Value cond;                 // Cond/Likely: nonzero when taken
  Value target_reg;           // Indirect
  bool call = false;          // Jump, Indirect: a call (jal, bal, jalr), which links the return address
  tcg::Label likely_skip{0};  // Likely: where the not-taken path goes

  // The block has ended here: an unconditional exception, or an
  // instruction that emitted its own exit (eret, wait).
  bool stop = false;
  // The block must end after this instruction and go back to the loop (a
  // mode change: Status, EntryHi, ei/di, TLB writes), also when it sits in
  // a delay slot.
  bool end_after = false;
  // Set by a never-taken likely branch: the next instruction is skipped.
  bool skip_next = false;

  explicit Ctx(Builder& bb) : b(bb) {}

  // pc_info of the current instruction (see makePcInfo).
  uint64_t pcInfo() const { return in_delay_slot ? makePcInfo(branch_pc, true) : makePcInfo(pc, false); }

  Value gpr(unsigned r) { return r == 0 ? Builder::i32(0) : b.get(Type::I32, offsetGpr(r)); }
  void setGpr(unsigned r, Value v) {
    if (r != 0) b.put(offsetGpr(r), v);
  }
  tcg::MemOp memop(unsigned size_log2, bool sign) const {
    tcg::MemOp m;
    m.size_log2 = uint8_t(size_log2);
    m.sign = sign;
    m.big_endian = big_endian;
    m.mmu_idx = mmu_idx;
    return m;
  }
  // Raise an exception unconditionally at this instruction; ends the block.
  void raise(uint32_t excode);
  void raiseCpu(unsigned coprocessor);   // Coprocessor Unusable with Cause.CE
  void reserved() { raise(EXC_RI); }
  // Branch back to the execution loop after this instruction (mode change).
  void endBlockAfter() { end_after = true; }
  bool fpuUsable();   // raises CpU(1) and returns false if CP1 is not usable
};

using TransFn = void (*)(Ctx&, Insn);

// The raise helper's descriptor (for conditional raises built inline).
const tcg::HelperInfo& helpers_raise();

#define MIPS_INSN(name, pattern, kind) void trans_##name(Ctx& c, Insn i);
#include "frontends/mips/insns.inc"
#undef MIPS_INSN

// Translates one block starting at pc into b (the frontend entry point).
class MipsCpu;
void translateBlock(MipsCpu& cpu, tcg::Block& b, uint32_t pc, uint32_t flags);

}  // namespace mimic::mips
