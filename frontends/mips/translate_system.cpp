// CP0 access, exceptions on purpose (syscall, break, sdbbp), eret, wait,
// TLB maintenance, rdhwr, and the coprocessors mimic does not have.
#include "frontends/mips/helpers.h"
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {
Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

// Privileged instructions need CP0 access (kernel mode or Status.CU0).
bool cp0Usable(Ctx& c) {
  if (c.flags & HF_CP0) return true;
  c.raiseCpu(0);
  return false;
}

// Calls a helper that changes CPU mode or mappings, then leaves the block
// at the next instruction so the new mode is seen.
void callAndEnd(Ctx& c, const tcg::HelperInfo& h) {
  c.b.call(h, {}, c.pcInfo());
  c.endBlockAfter();
}
}  // namespace

const tcg::HelperInfo& helpers_raise() { return helpers::raise; }

void trans_SYSCALL(Ctx& c, Insn) { c.raise(EXC_SYS); }
void trans_BREAK(Ctx& c, Insn) { c.raise(EXC_BP); }
void trans_SDBBP(Ctx& c, Insn) {
  c.b.call(helpers::sdbbp, {}, c.pcInfo());
  c.stop = true;
}

void trans_MFC0(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.setGpr(i.rt(), c.b.call(helpers::mfc0, {imm32(i.rd() << 3 | i.sel())}, c.pcInfo()));
}

void trans_MTC0(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.b.call(helpers::mtc0, {imm32(i.rd() << 3 | i.sel()), c.gpr(i.rt())}, c.pcInfo());
  c.endBlockAfter();   // Status, EntryHi, Compare ... may change mode, mappings or interrupts
}

void trans_DI(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.setGpr(i.rt(), c.b.call(helpers::di, {}, c.pcInfo()));
  c.endBlockAfter();
}

void trans_EI(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.setGpr(i.rt(), c.b.call(helpers::ei, {}, c.pcInfo()));
  c.endBlockAfter();
}

// Without shadow register sets (SRSCtl.HSS = 0) the previous set is the
// current one.
void trans_RDPGPR(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.setGpr(i.rd(), c.gpr(i.rt()));
}
void trans_WRPGPR(Ctx& c, Insn i) {
  if (!cp0Usable(c)) return;
  c.setGpr(i.rd(), c.gpr(i.rt()));
}

void trans_ERET(Ctx& c, Insn) {
  if (!cp0Usable(c)) return;
  if (c.in_delay_slot) return c.reserved();
  c.b.call(helpers::eret, {}, c.pcInfo());
  c.b.exitTb(c.b.get(Type::I32, kOffPc));
  c.stop = true;
}

void trans_DERET(Ctx& c, Insn) {
  if (!cp0Usable(c)) return;
  c.b.call(helpers::deret, {}, c.pcInfo());
  c.b.exitTb(c.b.get(Type::I32, kOffPc));
  c.stop = true;
}

void trans_WAIT(Ctx& c, Insn) {
  if (!cp0Usable(c)) return;
  c.b.call(helpers::wait, {imm32(c.pc + 4)}, c.pcInfo());
  c.b.exitTb(imm32(c.pc + 4));
  c.stop = true;
}

void trans_TLBP(Ctx& c, Insn) {
  if (cp0Usable(c)) callAndEnd(c, helpers::tlbp);
}
void trans_TLBR(Ctx& c, Insn) {
  if (cp0Usable(c)) callAndEnd(c, helpers::tlbr);
}
void trans_TLBWI(Ctx& c, Insn) {
  if (cp0Usable(c)) callAndEnd(c, helpers::tlbwi);
}
void trans_TLBWR(Ctx& c, Insn) {
  if (cp0Usable(c)) callAndEnd(c, helpers::tlbwr);
}

void trans_RDHWR(Ctx& c, Insn i) {
  c.setGpr(i.rt(), c.b.call(helpers::rdhwr, {imm32(i.rd())}, c.pcInfo()));
}

void trans_COP2(Ctx& c, Insn) { c.raiseCpu(2); }
void trans_LWC2(Ctx& c, Insn) { c.raiseCpu(2); }
void trans_LDC2(Ctx& c, Insn) { c.raiseCpu(2); }
void trans_SWC2(Ctx& c, Insn) { c.raiseCpu(2); }
void trans_SDC2(Ctx& c, Insn) { c.raiseCpu(2); }

}  // namespace mimic::mips
