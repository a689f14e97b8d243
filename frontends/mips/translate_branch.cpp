// Branches and jumps. Each records what happens after its delay slot in the
// Ctx; translateBlock() emits the delay slot and then the exits.
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {

Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

uint32_t branchTarget(const Ctx& c, Insn i) { return c.pc + 4 + (uint32_t(i.simm()) << 2); }

void link(Ctx& c, unsigned reg) { c.setGpr(reg, imm32(c.pc + 8)); }

// A conditional branch on (a cond b); `likely` annuls the delay slot when
// not taken; `link_reg` (0 = none) receives the return address either way.
void condBranch(Ctx& c, Insn i, Cond cond, Value a, Value b, bool likely, unsigned link_reg = 0) {
  const uint32_t target = branchTarget(c, i);
  c.target = target;
  if (cond == Cond::ALWAYS && !likely) {
    if (link_reg) link(c, link_reg);
    c.branch = BranchKind::Jump;
    c.call = link_reg == 31;
    return;
  }
  // The condition is computed before the link register and the delay slot
  // can change its inputs.
  Value taken = c.b.setcond(cond, a, b);
  if (link_reg) link(c, link_reg);
  c.cond = taken;
  if (likely) {
    c.likely_skip = c.b.newLabel();
    c.b.brcond(Cond::EQ, taken, imm32(0), c.likely_skip);
    c.branch = BranchKind::Likely;
  } else {
    c.branch = BranchKind::Cond;
  }
}

// Branches that can never be taken: QEMU translates them as no-ops, and the
// next instruction runs as an ordinary one (not a delay slot); the likely
// forms skip it. Matched so exceptions there report the same EPC/BD.
void neverTaken(Ctx& c, bool likely, unsigned link_reg = 0) {
  if (link_reg) link(c, link_reg);
  if (likely) c.skip_next = true;
}

bool never(unsigned rs, unsigned rt) { return rs == rt; }

}  // namespace

void trans_BEQ(Ctx& c, Insn i) {
  if (i.rs() == i.rt()) return condBranch(c, i, Cond::ALWAYS, imm32(0), imm32(0), false);
  condBranch(c, i, Cond::EQ, c.gpr(i.rs()), c.gpr(i.rt()), false);
}
void trans_BNE(Ctx& c, Insn i) {
  if (never(i.rs(), i.rt())) return neverTaken(c, false);
  condBranch(c, i, Cond::NE, c.gpr(i.rs()), c.gpr(i.rt()), false);
}
void trans_BLEZ(Ctx& c, Insn i) { condBranch(c, i, Cond::LE, c.gpr(i.rs()), imm32(0), false); }
void trans_BGTZ(Ctx& c, Insn i) {
  if (i.rs() == 0) return neverTaken(c, false);
  condBranch(c, i, Cond::GT, c.gpr(i.rs()), imm32(0), false);
}
void trans_BLTZ(Ctx& c, Insn i) {
  if (i.rs() == 0) return neverTaken(c, false);
  condBranch(c, i, Cond::LT, c.gpr(i.rs()), imm32(0), false);
}
void trans_BGEZ(Ctx& c, Insn i) {
  if (i.rs() == 0) return condBranch(c, i, Cond::ALWAYS, imm32(0), imm32(0), false);
  condBranch(c, i, Cond::GE, c.gpr(i.rs()), imm32(0), false);
}
void trans_BLTZAL(Ctx& c, Insn i) {
  if (i.rs() == 0) {
    // QEMU: an unconditional branch to the next-but-one instruction, so the
    // slot still is a delay slot.
    link(c, 31);
    c.target = c.pc + 8;
    c.branch = BranchKind::Jump;
    return;
  }
  condBranch(c, i, Cond::LT, c.gpr(i.rs()), imm32(0), false, 31);
}
void trans_BGEZAL(Ctx& c, Insn i) {
  if (i.rs() == 0) return condBranch(c, i, Cond::ALWAYS, imm32(0), imm32(0), false, 31);   // bal
  condBranch(c, i, Cond::GE, c.gpr(i.rs()), imm32(0), false, 31);
}
void trans_BEQL(Ctx& c, Insn i) { condBranch(c, i, Cond::EQ, c.gpr(i.rs()), c.gpr(i.rt()), true); }
void trans_BNEL(Ctx& c, Insn i) {
  if (never(i.rs(), i.rt())) return neverTaken(c, true);
  condBranch(c, i, Cond::NE, c.gpr(i.rs()), c.gpr(i.rt()), true);
}
void trans_BLEZL(Ctx& c, Insn i) { condBranch(c, i, Cond::LE, c.gpr(i.rs()), imm32(0), true); }
void trans_BGTZL(Ctx& c, Insn i) {
  if (i.rs() == 0) return neverTaken(c, true);
  condBranch(c, i, Cond::GT, c.gpr(i.rs()), imm32(0), true);
}
void trans_BLTZL(Ctx& c, Insn i) {
  if (i.rs() == 0) return neverTaken(c, true);
  condBranch(c, i, Cond::LT, c.gpr(i.rs()), imm32(0), true);
}
void trans_BGEZL(Ctx& c, Insn i) { condBranch(c, i, Cond::GE, c.gpr(i.rs()), imm32(0), true); }
void trans_BLTZALL(Ctx& c, Insn i) {
  if (i.rs() == 0) return neverTaken(c, true, 31);
  condBranch(c, i, Cond::LT, c.gpr(i.rs()), imm32(0), true, 31);
}
void trans_BGEZALL(Ctx& c, Insn i) { condBranch(c, i, Cond::GE, c.gpr(i.rs()), imm32(0), true, 31); }

void trans_J(Ctx& c, Insn i) {
  c.target = ((c.pc + 4) & 0xf0000000u) | (i.target() << 2);
  c.branch = BranchKind::Jump;
}

void trans_JAL(Ctx& c, Insn i) {
  trans_J(c, i);
  link(c, 31);
  c.call = true;
}

void trans_JR(Ctx& c, Insn i) {
  c.target_reg = c.b.mov(c.gpr(i.rs()));
  c.branch = BranchKind::Indirect;
}

void trans_JALR(Ctx& c, Insn i) {
  c.target_reg = c.b.mov(c.gpr(i.rs()));   // read before the link (rd may equal rs)
  link(c, i.rd());
  c.call = i.rd() != 0;
  c.branch = BranchKind::Indirect;
}

}  // namespace mimic::mips
