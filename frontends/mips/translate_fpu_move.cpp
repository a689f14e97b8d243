// FPU moves between register files, loads/stores, FCSR access, FP
// condition branches and conditional moves on FP condition codes.
#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/fpu_access.h"
#include "frontends/mips/helpers.h"
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {
Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

// 1 if FP condition code `cc` is set.
Value ccBit(Ctx& c, unsigned cc) { return c.b.extract(c.b.get(Type::I32, kOffFcr31), fcsrCcBit(cc), 1); }

Value indexedAddress(Ctx& c, Insn i) { return c.b.add(c.gpr(i.rs()), c.gpr(i.rt())); }
Value offsetAddress(Ctx& c, Insn i) { return c.b.add(c.gpr(i.rs()), imm32(i.simm())); }
}  // namespace

void trans_MFC1(Ctx& c, Insn i) {
  if (c.fpuUsable()) c.setGpr(i.rt(), loadF32(c, i.fs()));
}
void trans_MTC1(Ctx& c, Insn i) {
  if (c.fpuUsable()) storeF32(c, i.fs(), c.gpr(i.rt()));
}

void trans_MFHC1(Ctx& c, Insn i) {
  if (!c.fpuUsable() || !evenRegsOk(c, {i.fs()})) return;
  if (c.flags & HF_FR) c.setGpr(i.rt(), c.b.get(Type::I32, offsetFpr(i.fs()) + 4));
  else c.setGpr(i.rt(), loadF32(c, i.fs() | 1));
}

void trans_MTHC1(Ctx& c, Insn i) {
  if (!c.fpuUsable() || !evenRegsOk(c, {i.fs()})) return;
  if (c.flags & HF_FR) c.b.put(offsetFpr(i.fs()) + 4, c.gpr(i.rt()));
  else storeF32(c, i.fs() | 1, c.gpr(i.rt()));
}

void trans_CFC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.setGpr(i.rt(), c.b.call(helpers::cfc1, {imm32(i.fs())}, c.pcInfo()));
}

void trans_CTC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.b.call(helpers::ctc1, {imm32(i.fs()), c.gpr(i.rt())}, c.pcInfo());
}

void trans_LWC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  storeF32(c, i.ft(), c.b.load(Type::I32, offsetAddress(c, i), c.memop(2, false), c.pcInfo()));
}
void trans_SWC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.b.store(offsetAddress(c, i), loadF32(c, i.ft()), c.memop(2, false), c.pcInfo());
}
void trans_LDC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  storeF64(c, i.ft(), c.b.load(Type::I64, offsetAddress(c, i), c.memop(3, false), c.pcInfo()));
}
void trans_SDC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.b.store(offsetAddress(c, i), loadF64(c, i.ft()), c.memop(3, false), c.pcInfo());
}
void trans_LWXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  storeF32(c, i.fd(), c.b.load(Type::I32, indexedAddress(c, i), c.memop(2, false), c.pcInfo()));
}
void trans_SWXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.b.store(indexedAddress(c, i), loadF32(c, i.fs()), c.memop(2, false), c.pcInfo());
}
void trans_LDXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  storeF64(c, i.fd(), c.b.load(Type::I64, indexedAddress(c, i), c.memop(3, false), c.pcInfo()));
}
void trans_SDXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  c.b.store(indexedAddress(c, i), loadF64(c, i.fs()), c.memop(3, false), c.pcInfo());
}
// luxc1/suxc1 need 64-bit FPU registers (RI with FR = 0, as QEMU).
void trans_LUXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  if (!(c.flags & HF_FR)) return c.reserved();
  Value a = c.b.and_(indexedAddress(c, i), imm32(~7u));
  storeF64(c, i.fd(), c.b.load(Type::I64, a, c.memop(3, false), c.pcInfo()));
}
void trans_SUXC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  if (!(c.flags & HF_FR)) return c.reserved();
  Value a = c.b.and_(indexedAddress(c, i), imm32(~7u));
  c.b.store(a, loadF64(c, i.fs()), c.memop(3, false), c.pcInfo());
}

// bc1f / bc1t / bc1fl / bc1tl: nd (bit 17) = likely, tf (bit 16) = on true.
void trans_BC1(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  const bool likely = (i.w >> 17) & 1, on_true = (i.w >> 16) & 1;
  Value bit = ccBit(c, i.ccBranch());
  c.target = c.pc + 4 + (uint32_t(i.simm()) << 2);
  Value taken = on_true ? bit : c.b.xor_(bit, imm32(1));
  c.cond = taken;
  if (likely) {
    c.likely_skip = c.b.newLabel();
    c.b.brcond(Cond::EQ, taken, imm32(0), c.likely_skip);
    c.branch = BranchKind::Likely;
  } else {
    c.branch = BranchKind::Cond;
  }
}

// movf / movt on a GPR: rd = rs if cc == tf.
void trans_MOVCI(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  const unsigned tf = (i.w >> 16) & 1;
  Value bit = ccBit(c, i.ccBranch());
  c.setGpr(i.rd(), c.b.movcond(Cond::EQ, bit, imm32(tf), c.gpr(i.rs()), c.gpr(i.rd())));
}

}  // namespace mimic::mips
