// The MIPS block translator: fetches instructions, dispatches each to its
// trans_* function, and handles what spans instructions: delay slots,
// branch-likely annulment, block ends and page limits.
#include "frontends/mips/translate.h"

#include <fmt/format.h>

#include "frontends/mips/helpers.h"
#include "frontends/mips/mips_cpu.h"
#include "tcg/exec.h"
#include "util/log.h"

namespace mimic::mips {

namespace {

constexpr TransFn kTrans[] = {
#define MIPS_INSN(name, pattern, kind) &trans_##name,
#include "frontends/mips/insns.inc"
#undef MIPS_INSN
};

// Longest block: long enough to amortize entry cost, short enough that an
// interrupt is taken promptly.
constexpr unsigned kMaxInsns = 128;

bool isControlTransfer(Mnemonic m) {
  const InsnKind k = insnPattern(m).kind;
  return k == InsnKind::Branch || k == InsnKind::BranchLikely || k == InsnKind::Jump || k == InsnKind::JumpReg ||
         k == InsnKind::FpuBranch;
}

void translateOne(Ctx& c, uint32_t word) {
  const Mnemonic m = decode(word);
  if (m == Mnemonic::Invalid) {
    c.reserved();
    return;
  }
  kTrans[unsigned(m)](c, Insn{word});
}

void logInAsm(MipsCpu& cpu, uint32_t pc, uint32_t word) {
  log::logf(log::kInAsm, "0x{:08x}:  {:08x}  {}\n", pc, word, cpu.disassemble(pc, word));
}

}  // namespace

void Ctx::raise(uint32_t excode) {
  b.call(helpers::raise, {Builder::i32(excode)}, pcInfo());
  stop = true;
}

void Ctx::raiseCpu(unsigned coprocessor) {
  b.call(helpers::raiseCpu, {Builder::i32(coprocessor)}, pcInfo());
  stop = true;
}

bool Ctx::fpuUsable() {
  if (flags & HF_CP1) return true;
  raiseCpu(1);
  return false;
}

void translateBlock(MipsCpu& cpu, tcg::Block& blk, uint32_t pc0, uint32_t flags) {
  Builder b(blk);
  Ctx c(b);
  c.flags = flags;
  c.big_endian = (flags & HF_BE) != 0;
  c.mmu_idx = uint8_t(cpu.mmuIndex(flags));
  c.fixed_mapping = cpu.fixedMapping(pc0, flags);
  tcg::ExecEngine& eng = cpu.engine();
  const bool log_in = log::enabled(log::kInAsm);
  if (log_in) log::logf(log::kInAsm, "IN: pc={:#x}\n", pc0);

  // A debugger's step: one instruction (with its delay slot).
  const unsigned max_insns = (flags & tcg::kTbFlagStep) ? 1 : kMaxInsns;
  uint32_t pc = pc0;
  for (unsigned n = 0;; n++) {
    uint32_t word;
    // A breakpoint's block stops the CPU (tcg/debug.h): end this one before it.
    if (n > 0 && eng.hasBreakpoint(pc)) {
      b.gotoTb(0, pc);
      break;
    }
    // The first instruction's fetch fault is the guest's; a later one ends
    // the block so the fault happens when that instruction starts a block.
    if (pc & 3) {
      // Fetch from a misaligned PC (jr to an odd address): Address Error.
      if (n == 0) {
        cpu.state().cp0_badvaddr = pc;
        cpu.common().pc_info = pc;
        raiseException(&cpu.state(), EXC_ADEL);
      }
      b.gotoTb(0, pc);
      break;
    }
    if (!eng.fetch32(pc, c.mmu_idx, c.big_endian, n == 0, word)) {
      b.gotoTb(0, pc);
      break;
    }
    const Mnemonic m = decode(word);
    uint32_t slot_word = 0;
    if (m != Mnemonic::Invalid && isControlTransfer(m)) {
      // The delay slot belongs to this block: make sure it can be fetched
      // before committing to the branch.
      if (!eng.fetch32(pc + 4, c.mmu_idx, c.big_endian, false, slot_word)) {
        if (n != 0) {
          b.gotoTb(0, pc);
          break;
        }
        cpu.common().pc_info = makePcInfo(pc, true);
        eng.fetch32(pc + 4, c.mmu_idx, c.big_endian, true, slot_word);   // raises with BD set
      }
    }

    b.insnStart(pc);
    if (log_in) logInAsm(cpu, pc, word);
    c.pc = pc;
    c.in_delay_slot = false;
    c.branch = BranchKind::None;
    c.call = false;
    c.skip_next = false;
    c.end_after = false;
    translateOne(c, word);
    blk.num_insns++;
    blk.guest_size = pc + 4 - pc0;
    if (c.skip_next && !c.stop) {
      // The annulled slot is not executed: continue after it.
      b.gotoTb(0, pc + 8);
      break;
    }

    if (c.branch != BranchKind::None && !c.stop) {
      const uint32_t branch_pc = pc;
      const BranchKind kind = c.branch;
      const uint32_t target = c.target;
      const Value cond = c.cond;
      const Value target_reg = c.target_reg;
      const tcg::Label skip = c.likely_skip;
      const bool call = c.call;

      // The delay slot.
      b.insnStart(pc + 4);
      if (log_in) logInAsm(cpu, pc + 4, slot_word);
      c.pc = pc + 4;
      c.in_delay_slot = true;
      c.branch_pc = branch_pc;
      c.branch = BranchKind::None;
      c.end_after = false;
      const Mnemonic sm = decode(slot_word);
      if (sm != Mnemonic::Invalid && isControlTransfer(sm)) c.reserved();   // as QEMU: RI for a branch in a delay slot
      else translateOne(c, slot_word);
      blk.num_insns++;
      blk.guest_size = pc + 8 - pc0;
      if (c.stop) {
        // The delay slot raised unconditionally; a likely branch's
        // not-taken path still needs its exit.
        if (kind == BranchKind::Likely) {
          b.label(skip);
          b.gotoTb(1, branch_pc + 8);
        }
        break;
      }
      // After a mode change in the slot (di, mtc0 ...) every exit goes
      // through the loop, which looks the next block up under the new mode.
      const bool via_loop = c.end_after;
      auto exitTo = [&](unsigned slot, uint32_t pc_to) {
        if (via_loop) b.exitTb(Builder::i32(pc_to));
        else b.gotoTb(slot, pc_to);
      };
      switch (kind) {
        case BranchKind::Jump:
          exitTo(0, target);
          if (call && !via_loop) blk.call_return = branch_pc + 8;
          break;
        case BranchKind::Cond: {
          tcg::Label not_taken = b.newLabel();
          b.brcond(Cond::EQ, cond, Builder::i32(0), not_taken);
          exitTo(0, target);
          b.label(not_taken);
          exitTo(1, branch_pc + 8);
          break;
        }
        case BranchKind::Likely:
          exitTo(0, target);
          b.label(skip);
          exitTo(1, branch_pc + 8);
          break;
        case BranchKind::Indirect:
          if (via_loop) b.exitTb(target_reg);
          else b.gotoPtr(target_reg);
          if (call && !via_loop) blk.call_return = branch_pc + 8;
          break;
        case BranchKind::None:
          break;
      }
      break;
    }
    if (c.stop) break;
    if (c.end_after) {
      // A mode change: continue at the next instruction through the loop.
      b.exitTb(Builder::i32(pc + 4));
      break;
    }
    pc += 4;
    if (n + 1 >= max_insns || (pc & tcg::kPageMask) != (pc0 & tcg::kPageMask)) {
      b.gotoTb(0, pc);
      break;
    }
  }
}

}  // namespace mimic::mips
