// Integer arithmetic, logic, shifts, conditional moves, bit fields,
// multiply/divide with HI/LO, and the trap instructions.
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {

Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

// r = a + b (or a - b), raising Integer Overflow (rd unchanged) when the
// signed result does not fit.
void addTrapping(Ctx& c, unsigned rd, Value a, Value b, bool subtract) {
  Builder& bl = c.b;
  Value r = subtract ? bl.sub(a, b) : bl.add(a, b);
  // Overflow: operands agree in sign (add) / differ (sub) and the result
  // differs from a.
  Value ov = subtract ? bl.and_(bl.xor_(a, b), bl.xor_(a, r)) : bl.and_(bl.xor_(a, r), bl.xor_(b, r));
  tcg::Label ok = bl.newLabel();
  bl.brcond(Cond::GE, ov, imm32(0), ok);
  bl.call(helpers_raise(), {imm32(EXC_OV)}, c.pcInfo());
  bl.label(ok);
  c.setGpr(rd, r);
}

void trapIf(Ctx& c, Cond cond, Value a, Value b) {
  tcg::Label skip = c.b.newLabel();
  c.b.brcond(tcg::invertCond(cond), a, b, skip);
  c.b.call(helpers_raise(), {imm32(EXC_TR)}, c.pcInfo());
  c.b.label(skip);
}

void setHiLo64(Ctx& c, Value prod64) {
  c.b.put(kOffLo, c.b.trunc(prod64));
  c.b.put(kOffHi, c.b.trunc(c.b.shr(prod64, Builder::i64(32))));
}

Value hiLo64(Ctx& c) {
  Value hi = c.b.zext32(c.b.get(Type::I32, kOffHi));
  Value lo = c.b.zext32(c.b.get(Type::I32, kOffLo));
  return c.b.or_(c.b.shl(hi, Builder::i64(32)), lo);
}

Value product64(Ctx& c, Insn i, bool is_signed) {
  Value a = c.gpr(i.rs()), b = c.gpr(i.rt());
  Value a64 = is_signed ? c.b.sext32(a) : c.b.zext32(a);
  Value b64 = is_signed ? c.b.sext32(b) : c.b.zext32(b);
  return c.b.mul(a64, b64);
}

}  // namespace

// helpers_raise() is defined in translate_common.cpp.

void trans_ADD(Ctx& c, Insn i) { addTrapping(c, i.rd(), c.gpr(i.rs()), c.gpr(i.rt()), false); }
void trans_SUB(Ctx& c, Insn i) { addTrapping(c, i.rd(), c.gpr(i.rs()), c.gpr(i.rt()), true); }
void trans_ADDI(Ctx& c, Insn i) { addTrapping(c, i.rt(), c.gpr(i.rs()), imm32(i.simm()), false); }
void trans_ADDU(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.add(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_SUBU(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.sub(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_ADDIU(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.add(c.gpr(i.rs()), imm32(i.simm()))); }
void trans_AND(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.and_(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_OR(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.or_(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_XOR(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.xor_(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_NOR(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.not_(c.b.or_(c.gpr(i.rs()), c.gpr(i.rt())))); }
void trans_SLT(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.setcond(Cond::LT, c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_SLTU(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.setcond(Cond::LTU, c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_SLTI(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.setcond(Cond::LT, c.gpr(i.rs()), imm32(i.simm()))); }
void trans_SLTIU(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.setcond(Cond::LTU, c.gpr(i.rs()), imm32(i.simm()))); }
void trans_ANDI(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.and_(c.gpr(i.rs()), imm32(i.uimm()))); }
void trans_ORI(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.or_(c.gpr(i.rs()), imm32(i.uimm()))); }
void trans_XORI(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.xor_(c.gpr(i.rs()), imm32(i.uimm()))); }
void trans_LUI(Ctx& c, Insn i) { c.setGpr(i.rt(), imm32(i.uimm() << 16)); }

void trans_SLL(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.shl(c.gpr(i.rt()), imm32(i.sa()))); }
void trans_SRL(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.shr(c.gpr(i.rt()), imm32(i.sa()))); }
void trans_SRA(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.sar(c.gpr(i.rt()), imm32(i.sa()))); }
void trans_ROTR(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.rotr(c.gpr(i.rt()), imm32(i.sa()))); }
// Variable shifts use rs[4:0]; the IR takes counts modulo 32 already.
void trans_SLLV(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.shl(c.gpr(i.rt()), c.gpr(i.rs()))); }
void trans_SRLV(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.shr(c.gpr(i.rt()), c.gpr(i.rs()))); }
void trans_SRAV(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.sar(c.gpr(i.rt()), c.gpr(i.rs()))); }
void trans_ROTRV(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.rotr(c.gpr(i.rt()), c.gpr(i.rs()))); }

void trans_MOVZ(Ctx& c, Insn i) {
  c.setGpr(i.rd(), c.b.movcond(Cond::EQ, c.gpr(i.rt()), imm32(0), c.gpr(i.rs()), c.gpr(i.rd())));
}
void trans_MOVN(Ctx& c, Insn i) {
  c.setGpr(i.rd(), c.b.movcond(Cond::NE, c.gpr(i.rt()), imm32(0), c.gpr(i.rs()), c.gpr(i.rd())));
}

void trans_CLZ(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.clz(c.gpr(i.rs()))); }
void trans_CLO(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.clz(c.b.not_(c.gpr(i.rs())))); }
void trans_SEB(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.sext8(c.gpr(i.rt()))); }
void trans_SEH(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.sext16(c.gpr(i.rt()))); }
void trans_WSBH(Ctx& c, Insn i) {
  Value x = c.gpr(i.rt());
  Value hi = c.b.and_(c.b.shr(x, imm32(8)), imm32(0x00ff00ff));
  Value lo = c.b.and_(c.b.shl(x, imm32(8)), imm32(0xff00ff00));
  c.setGpr(i.rd(), c.b.or_(hi, lo));
}

// EXT rt, rs, pos, size: rd holds size-1, sa holds pos. Encodings whose
// field would pass bit 31 are Reserved Instruction, as on QEMU.
void trans_EXT(Ctx& c, Insn i) {
  const unsigned pos = i.sa(), size = i.rd() + 1;
  if (pos + size > 32) return c.reserved();
  c.setGpr(i.rt(), c.b.extract(c.gpr(i.rs()), pos, size));
}

// INS rt, rs, pos, size: rd holds pos+size-1, sa holds pos.
void trans_INS(Ctx& c, Insn i) {
  const unsigned lsb = i.sa(), msb = i.rd();
  if (lsb > msb) return c.reserved();
  c.setGpr(i.rt(), c.b.deposit(c.gpr(i.rt()), c.gpr(i.rs()), lsb, msb - lsb + 1));
}

void trans_MFHI(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.get(Type::I32, kOffHi)); }
void trans_MFLO(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.get(Type::I32, kOffLo)); }
void trans_MTHI(Ctx& c, Insn i) { c.b.put(kOffHi, c.gpr(i.rs())); }
void trans_MTLO(Ctx& c, Insn i) { c.b.put(kOffLo, c.gpr(i.rs())); }

void trans_MULT(Ctx& c, Insn i) { setHiLo64(c, product64(c, i, true)); }
void trans_MULTU(Ctx& c, Insn i) { setHiLo64(c, product64(c, i, false)); }
void trans_MUL(Ctx& c, Insn i) { c.setGpr(i.rd(), c.b.mul(c.gpr(i.rs()), c.gpr(i.rt()))); }
void trans_MADD(Ctx& c, Insn i) { setHiLo64(c, c.b.add(hiLo64(c), product64(c, i, true))); }
void trans_MADDU(Ctx& c, Insn i) { setHiLo64(c, c.b.add(hiLo64(c), product64(c, i, false))); }
void trans_MSUB(Ctx& c, Insn i) { setHiLo64(c, c.b.sub(hiLo64(c), product64(c, i, true))); }
void trans_MSUBU(Ctx& c, Insn i) { setHiLo64(c, c.b.sub(hiLo64(c), product64(c, i, false))); }

// Division by zero and INT_MIN / -1 are UNPREDICTABLE in the architecture;
// like QEMU we divide by 1 instead (LO = dividend, HI = 0).
void trans_DIV(Ctx& c, Insn i) {
  Builder& b = c.b;
  Value n = c.gpr(i.rs()), d = c.gpr(i.rt());
  Value ovf = b.and_(b.setcond(Cond::EQ, n, imm32(0x80000000u)), b.setcond(Cond::EQ, d, imm32(0xffffffffu)));
  Value bad = b.or_(ovf, b.setcond(Cond::EQ, d, imm32(0)));
  Value dd = b.movcond(Cond::NE, bad, imm32(0), imm32(1), d);
  b.put(kOffLo, b.divs(n, dd));
  b.put(kOffHi, b.rems(n, dd));
}

void trans_DIVU(Ctx& c, Insn i) {
  Builder& b = c.b;
  Value n = c.gpr(i.rs()), d = c.gpr(i.rt());
  Value dd = b.movcond(Cond::EQ, d, imm32(0), imm32(1), d);
  b.put(kOffLo, b.divu(n, dd));
  b.put(kOffHi, b.remu(n, dd));
}

void trans_TGE(Ctx& c, Insn i) { trapIf(c, Cond::GE, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TGEU(Ctx& c, Insn i) { trapIf(c, Cond::GEU, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TLT(Ctx& c, Insn i) { trapIf(c, Cond::LT, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TLTU(Ctx& c, Insn i) { trapIf(c, Cond::LTU, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TEQ(Ctx& c, Insn i) { trapIf(c, Cond::EQ, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TNE(Ctx& c, Insn i) { trapIf(c, Cond::NE, c.gpr(i.rs()), c.gpr(i.rt())); }
void trans_TGEI(Ctx& c, Insn i) { trapIf(c, Cond::GE, c.gpr(i.rs()), imm32(i.simm())); }
void trans_TGEIU(Ctx& c, Insn i) { trapIf(c, Cond::GEU, c.gpr(i.rs()), imm32(i.simm())); }
void trans_TLTI(Ctx& c, Insn i) { trapIf(c, Cond::LT, c.gpr(i.rs()), imm32(i.simm())); }
void trans_TLTIU(Ctx& c, Insn i) { trapIf(c, Cond::LTU, c.gpr(i.rs()), imm32(i.simm())); }
void trans_TEQI(Ctx& c, Insn i) { trapIf(c, Cond::EQ, c.gpr(i.rs()), imm32(i.simm())); }
void trans_TNEI(Ctx& c, Insn i) { trapIf(c, Cond::NE, c.gpr(i.rs()), imm32(i.simm())); }

}  // namespace mimic::mips
