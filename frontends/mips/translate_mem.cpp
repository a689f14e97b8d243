// Loads and stores: aligned, the unaligned pairs (lwl/lwr/swl/swr), ll/sc,
// and the cache-control no-ops.
#include "frontends/mips/helpers.h"
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {

Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

Value address(Ctx& c, Insn i) { return c.b.add(c.gpr(i.rs()), imm32(i.simm())); }

void load(Ctx& c, Insn i, unsigned size_log2, bool sign) {
  Value v = c.b.load(Type::I32, address(c, i), c.memop(size_log2, sign), c.pcInfo());
  c.setGpr(i.rt(), v);
}

void store(Ctx& c, Insn i, unsigned size_log2) {
  c.b.store(address(c, i), c.gpr(i.rt()), c.memop(size_log2, false), c.pcInfo());
}

// Byte position of `addr` within its word counted from the most
// significant byte (big-endian numbering) as a shift amount in bits.
Value msbShift(Ctx& c, Value addr, bool for_left) {
  // lwl: shift = 8 * (addr & 3) on big-endian, 8 * (3 - (addr & 3)) on little.
  // lwr: the mirror image.
  Value low = c.b.and_(addr, imm32(3));
  const bool flip = for_left ? !c.big_endian : c.big_endian;
  if (flip) low = c.b.xor_(low, imm32(3));
  return c.b.shl(low, imm32(3));
}

}  // namespace

void trans_LB(Ctx& c, Insn i) { load(c, i, 0, true); }
void trans_LBU(Ctx& c, Insn i) { load(c, i, 0, false); }
void trans_LH(Ctx& c, Insn i) { load(c, i, 1, true); }
void trans_LHU(Ctx& c, Insn i) { load(c, i, 1, false); }
void trans_LW(Ctx& c, Insn i) { load(c, i, 2, false); }
void trans_SB(Ctx& c, Insn i) { store(c, i, 0); }
void trans_SH(Ctx& c, Insn i) { store(c, i, 1); }
void trans_SW(Ctx& c, Insn i) { store(c, i, 2); }

// LWL: the aligned word shifted left so the byte at addr lands in the most
// significant byte; the low bytes of rt are kept.
void trans_LWL(Ctx& c, Insn i) {
  Builder& b = c.b;
  Value addr = address(c, i);
  Value shift = msbShift(c, addr, true);
  Value word = b.load(Type::I32, b.and_(addr, imm32(~3u)), c.memop(2, false), c.pcInfo());
  Value keep = b.not_(b.shl(imm32(0xffffffffu), shift));   // rt bits below the loaded ones
  c.setGpr(i.rt(), b.or_(b.shl(word, shift), b.and_(c.gpr(i.rt()), keep)));
}

// LWR: the aligned word shifted right so the byte at addr lands in the
// least significant byte; the high bytes of rt are kept.
void trans_LWR(Ctx& c, Insn i) {
  Builder& b = c.b;
  Value addr = address(c, i);
  Value shift = msbShift(c, addr, false);
  Value word = b.load(Type::I32, b.and_(addr, imm32(~3u)), c.memop(2, false), c.pcInfo());
  Value loaded = b.shr(imm32(0xffffffffu), shift);                       // mask of bits from memory
  c.setGpr(i.rt(), b.or_(b.shr(word, shift), b.and_(c.gpr(i.rt()), b.not_(loaded))));
}

// SWL/SWR store byte by byte in a helper, so a fault is the store's own.
void trans_SWL(Ctx& c, Insn i) { c.b.call(helpers::swl, {address(c, i), c.gpr(i.rt())}, c.pcInfo()); }
void trans_SWR(Ctx& c, Insn i) { c.b.call(helpers::swr, {address(c, i), c.gpr(i.rt())}, c.pcInfo()); }

void trans_LL(Ctx& c, Insn i) { c.setGpr(i.rt(), c.b.call(helpers::ll, {address(c, i)}, c.pcInfo())); }
void trans_SC(Ctx& c, Insn i) {
  c.setGpr(i.rt(), c.b.call(helpers::sc, {address(c, i), c.gpr(i.rt())}, c.pcInfo()));
}

void trans_CACHE(Ctx& c, Insn) {
  if (!(c.flags & HF_CP0)) return c.raiseCpu(0);
  // No caches are modelled; stores already invalidate translated code.
}
void trans_PREF(Ctx&, Insn) {}
void trans_PREFX(Ctx& c, Insn) { c.fpuUsable(); }
void trans_SYNC(Ctx&, Insn) {}
void trans_SYNCI(Ctx&, Insn) {}

}  // namespace mimic::mips
