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
  const unsigned regsel = i.rd() << 3 | i.sel();
  c.b.call(helpers::mtc0, {imm32(regsel), c.gpr(i.rt())}, c.pcInfo());
  // Only registers that change the translation mode or interrupt delivery
  // end the block (Status, Cause's software interrupts, IntCtl/SRSCtl,
  // EntryHi's ASID for code in mapped segments). TLB refill handlers write
  // EntryLo/Context/PageMask in a row and should stay one block.
  const bool mode_change = regsel == (12u << 3) || regsel == (12u << 3 | 1) || regsel == (12u << 3 | 2) ||
                           regsel == (13u << 3) || regsel == (16u << 3) || regsel == (23u << 3) ||
                           (regsel == (10u << 3) && !c.fixed_mapping);
  if (mode_change) c.endBlockAfter();
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
  // Through the block lookup under the new mode (it checks exit_request).
  c.b.gotoPtr(c.b.get(Type::I32, kOffPc));
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

// A TLB write can remap the code being run only when it runs from a mapped
// segment; from kseg0/kseg1 (refill handlers) the block goes on.
void tlbWrite(Ctx& c, const tcg::HelperInfo& h) {
  if (!cp0Usable(c)) return;
  c.b.call(h, {}, c.pcInfo());
  if (!c.fixed_mapping) c.endBlockAfter();
}
void trans_TLBWI(Ctx& c, Insn) { tlbWrite(c, helpers::tlbwi); }
void trans_TLBWR(Ctx& c, Insn) { tlbWrite(c, helpers::tlbwr); }
void trans_TLBP(Ctx& c, Insn) {
  if (cp0Usable(c)) c.b.call(helpers::tlbp, {}, c.pcInfo());
}
void trans_TLBR(Ctx& c, Insn) {
  // tlbr may load a new ASID into EntryHi.
  if (cp0Usable(c)) tlbWrite(c, helpers::tlbr);
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
