// FPU arithmetic, conversions and compares: each a call to the FPU core
// (frontends/mips/fpu/), which follows QEMU's softfloat bit for bit. Moves
// that never touch FCSR (mov, abs, neg, movz/movn/movf/movt) are plain IR.
#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/fpu_access.h"
#include "frontends/mips/helpers_fpu.h"
#include "frontends/mips/translate.h"

namespace mimic::mips {

namespace {

namespace hf = helpers::fpu;

enum Fmt : unsigned { FMT_S = 16, FMT_D = 17, FMT_W = 20, FMT_L = 21 };

Value imm32(int64_t v) { return Builder::i32(uint32_t(v)); }

bool isSD(unsigned fmt) { return fmt == FMT_S || fmt == FMT_D; }

// 64-bit operands: with FR = 0 they need even registers; the L format
// needs FR = 1 altogether (QEMU's check_cp1_registers / check_cp1_64bitmode).
bool regsOk(Ctx& c, unsigned fmt, std::initializer_list<unsigned> regs) {
  if (fmt == FMT_L && !(c.flags & HF_FR)) {
    c.reserved();
    return false;
  }
  if (fmt == FMT_D) return evenRegsOk(c, regs);
  return true;
}

bool need64BitMode(Ctx& c) {
  if (c.flags & HF_FR) return true;
  c.reserved();
  return false;
}

Value load(Ctx& c, unsigned fmt, unsigned r) {
  return (fmt == FMT_D || fmt == FMT_L) ? loadF64(c, r) : loadF32(c, r);
}
void store(Ctx& c, unsigned fmt, unsigned r, Value v) {
  if (fmt == FMT_D || fmt == FMT_L) storeF64(c, r, v);
  else storeF32(c, r, v);
}

// fd = op(fs, ft) for .s/.d.
void binary(Ctx& c, Insn i, const tcg::HelperInfo& s, const tcg::HelperInfo& d) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  if (!isSD(fmt)) return c.reserved();
  if (!regsOk(c, fmt, {i.fs(), i.ft(), i.fd()})) return;
  Value r = c.b.call(fmt == FMT_S ? s : d, {load(c, fmt, i.fs()), load(c, fmt, i.ft())}, c.pcInfo());
  store(c, fmt, i.fd(), r);
}

void unary(Ctx& c, Insn i, const tcg::HelperInfo& s, const tcg::HelperInfo& d) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  if (!isSD(fmt)) return c.reserved();
  if (!regsOk(c, fmt, {i.fs(), i.fd()})) return;
  store(c, fmt, i.fd(), c.b.call(fmt == FMT_S ? s : d, {load(c, fmt, i.fs())}, c.pcInfo()));
}

// Conversions to W or L from S or D.
void toInt(Ctx& c, Insn i, bool to_long, const tcg::HelperInfo& ws, const tcg::HelperInfo& wd,
           const tcg::HelperInfo& ls, const tcg::HelperInfo& ld) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  if (!isSD(fmt)) return c.reserved();
  if (to_long && !need64BitMode(c)) return;
  if (!regsOk(c, fmt, {i.fs()})) return;
  const tcg::HelperInfo& h = to_long ? (fmt == FMT_S ? ls : ld) : (fmt == FMT_S ? ws : wd);
  store(c, to_long ? FMT_L : FMT_W, i.fd(), c.b.call(h, {load(c, fmt, i.fs())}, c.pcInfo()));
}

// Sign-bit operations never touch FCSR.
void signOp(Ctx& c, Insn i, int kind /* 0 mov, 1 abs, 2 neg */) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  if (!isSD(fmt)) return c.reserved();
  if (!regsOk(c, fmt, {i.fs(), i.fd()})) return;
  Value v = load(c, fmt, i.fs());
  const uint64_t sign = fmt == FMT_D ? (1ull << 63) : (1ull << 31);
  const Value k = Value::c(v.type, sign);
  if (kind == 1) v = c.b.and_(v, c.b.not_(k));
  if (kind == 2) v = c.b.xor_(v, k);
  store(c, fmt, i.fd(), v);
}

// fd = cond ? fs : fd, for movz/movn/movf/movt.fmt.
void condMove(Ctx& c, Insn i, Cond cond, Value a, Value b) {
  const unsigned fmt = i.fmt();
  Value v = c.b.movcond(cond, a, b, load(c, fmt, i.fs()), load(c, fmt, i.fd()));
  store(c, fmt, i.fd(), v);
}

void fused(Ctx& c, Insn i, const tcg::HelperInfo& s, const tcg::HelperInfo& d) {
  if (!c.fpuUsable()) return;
  const unsigned f3 = i.fmt3();
  if (f3 > 1) return c.reserved();
  const unsigned fmt = f3 == 0 ? FMT_S : FMT_D;
  if (!regsOk(c, fmt, {i.fr(), i.fs(), i.ft(), i.fd()})) return;
  Value r = c.b.call(fmt == FMT_S ? s : d, {load(c, fmt, i.fs()), load(c, fmt, i.ft()), load(c, fmt, i.fr())},
                     c.pcInfo());
  store(c, fmt, i.fd(), r);
}

}  // namespace

void trans_FADD(Ctx& c, Insn i) { binary(c, i, hf::add_s, hf::add_d); }
void trans_FSUB(Ctx& c, Insn i) { binary(c, i, hf::sub_s, hf::sub_d); }
void trans_FMUL(Ctx& c, Insn i) { binary(c, i, hf::mul_s, hf::mul_d); }
void trans_FDIV(Ctx& c, Insn i) { binary(c, i, hf::div_s, hf::div_d); }
void trans_FSQRT(Ctx& c, Insn i) { unary(c, i, hf::sqrt_s, hf::sqrt_d); }
void trans_RECIP(Ctx& c, Insn i) { unary(c, i, hf::recip_s, hf::recip_d); }
void trans_RSQRT(Ctx& c, Insn i) { unary(c, i, hf::rsqrt_s, hf::rsqrt_d); }
void trans_FMOV(Ctx& c, Insn i) { signOp(c, i, 0); }
void trans_FABS(Ctx& c, Insn i) { signOp(c, i, 1); }
void trans_FNEG(Ctx& c, Insn i) { signOp(c, i, 2); }

void trans_ROUND_W(Ctx& c, Insn i) { toInt(c, i, false, hf::round_w_s, hf::round_w_d, hf::round_l_s, hf::round_l_d); }
void trans_TRUNC_W(Ctx& c, Insn i) { toInt(c, i, false, hf::trunc_w_s, hf::trunc_w_d, hf::trunc_l_s, hf::trunc_l_d); }
void trans_CEIL_W(Ctx& c, Insn i) { toInt(c, i, false, hf::ceil_w_s, hf::ceil_w_d, hf::ceil_l_s, hf::ceil_l_d); }
void trans_FLOOR_W(Ctx& c, Insn i) { toInt(c, i, false, hf::floor_w_s, hf::floor_w_d, hf::floor_l_s, hf::floor_l_d); }
void trans_ROUND_L(Ctx& c, Insn i) { toInt(c, i, true, hf::round_w_s, hf::round_w_d, hf::round_l_s, hf::round_l_d); }
void trans_TRUNC_L(Ctx& c, Insn i) { toInt(c, i, true, hf::trunc_w_s, hf::trunc_w_d, hf::trunc_l_s, hf::trunc_l_d); }
void trans_CEIL_L(Ctx& c, Insn i) { toInt(c, i, true, hf::ceil_w_s, hf::ceil_w_d, hf::ceil_l_s, hf::ceil_l_d); }
void trans_FLOOR_L(Ctx& c, Insn i) { toInt(c, i, true, hf::floor_w_s, hf::floor_w_d, hf::floor_l_s, hf::floor_l_d); }
void trans_CVT_W(Ctx& c, Insn i) { toInt(c, i, false, hf::cvt_w_s, hf::cvt_w_d, hf::cvt_l_s, hf::cvt_l_d); }
void trans_CVT_L(Ctx& c, Insn i) { toInt(c, i, true, hf::cvt_w_s, hf::cvt_w_d, hf::cvt_l_s, hf::cvt_l_d); }

void trans_CVT_S(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  const tcg::HelperInfo* h = fmt == FMT_D ? &hf::cvt_s_d : fmt == FMT_W ? &hf::cvt_s_w : fmt == FMT_L ? &hf::cvt_s_l : nullptr;
  if (!h) return c.reserved();
  if (!regsOk(c, fmt, {i.fs()})) return;
  storeF32(c, i.fd(), c.b.call(*h, {load(c, fmt, i.fs())}, c.pcInfo()));
}

void trans_CVT_D(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  const tcg::HelperInfo* h = fmt == FMT_S ? &hf::cvt_d_s : fmt == FMT_W ? &hf::cvt_d_w : fmt == FMT_L ? &hf::cvt_d_l : nullptr;
  if (!h) return c.reserved();
  if (!regsOk(c, fmt, {i.fs()}) || !evenRegsOk(c, {i.fd()})) return;
  storeF64(c, i.fd(), c.b.call(*h, {load(c, fmt, i.fs())}, c.pcInfo()));
}

void trans_FCMP(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  const unsigned fmt = i.fmt();
  if (!isSD(fmt)) return c.reserved();
  if (!regsOk(c, fmt, {i.fs(), i.ft()})) return;
  c.b.call(fmt == FMT_S ? hf::cmp_s : hf::cmp_d,
           {imm32(i.cond() | (i.ccCompare() << 4)), load(c, fmt, i.fs()), load(c, fmt, i.ft())}, c.pcInfo());
}

void trans_MOVCF_F(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  if (!isSD(i.fmt())) return c.reserved();
  if (!regsOk(c, i.fmt(), {i.fs(), i.fd()})) return;
  const unsigned tf = (i.w >> 16) & 1;
  Value bit = c.b.extract(c.b.get(Type::I32, kOffFcr31), fcsrCcBit(i.ccBranch()), 1);
  condMove(c, i, Cond::EQ, bit, imm32(tf));
}

void trans_MOVZ_F(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  if (!isSD(i.fmt())) return c.reserved();
  if (!regsOk(c, i.fmt(), {i.fs(), i.fd()})) return;
  condMove(c, i, Cond::EQ, c.gpr(i.rt()), imm32(0));
}

void trans_MOVN_F(Ctx& c, Insn i) {
  if (!c.fpuUsable()) return;
  if (!isSD(i.fmt())) return c.reserved();
  if (!regsOk(c, i.fmt(), {i.fs(), i.fd()})) return;
  condMove(c, i, Cond::NE, c.gpr(i.rt()), imm32(0));
}

void trans_MADD_F(Ctx& c, Insn i) { fused(c, i, hf::madd_s, hf::madd_d); }
void trans_MSUB_F(Ctx& c, Insn i) { fused(c, i, hf::msub_s, hf::msub_d); }
void trans_NMADD_F(Ctx& c, Insn i) { fused(c, i, hf::nmadd_s, hf::nmadd_d); }
void trans_NMSUB_F(Ctx& c, Insn i) { fused(c, i, hf::nmsub_s, hf::nmsub_d); }

}  // namespace mimic::mips
