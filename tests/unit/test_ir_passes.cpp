// The IR: builder, verifier, and each optimization pass, checked on the
// exact ops they leave (and, where it matters, on what the interpreter
// computes before and after).
#include <gtest/gtest.h>

#include "tcg/builder.h"
#include "tcg/passes.h"

namespace mimic::tcg {
namespace {

size_t count(const Block& b, Opcode o) {
  size_t n = 0;
  for (const Op& op : b.ops) n += op.opc == o;
  return n;
}

const Op* find(const Block& b, Opcode o) {
  for (const Op& op : b.ops)
    if (op.opc == o) return &op;
  return nullptr;
}

TEST(IrVerifier, AcceptsWellFormedBlock) {
  Block b;
  Builder bl(b);
  Value x = bl.get(Type::I32, 0);
  Label l = bl.newLabel();
  bl.brcond(Cond::EQ, x, Builder::i32(0), l);
  bl.put(4, bl.add(x, Builder::i32(1)));
  bl.label(l);
  bl.exitTb(Builder::i32(0x100));
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(IrVerifier, RejectsUseBeforeDefTypeMismatchBackwardBranchAndMissingExit) {
  {
    Block b;
    Builder bl(b);
    Value t = bl.newTemp(Type::I32);
    bl.put(0, t);   // never defined
    bl.exitTb(Builder::i32(0));
    EXPECT_NE(verifyBlock(b).find("before it is defined"), std::string::npos);
  }
  {
    Block b;
    Builder bl(b);
    Value x = bl.get(Type::I32, 0);
    Value y = bl.get(Type::I64, 8);
    Op& op = b.ops.emplace_back();
    op.opc = Opcode::add;
    op.type = Type::I32;
    op.nargs = 3;
    op.args[0] = bl.newTemp(Type::I32);
    op.args[1] = x;
    op.args[2] = y;
    bl.exitTb(Builder::i32(0));
    EXPECT_NE(verifyBlock(b).find("wrong type"), std::string::npos);
  }
  {
    Block b;
    Builder bl(b);
    Label l = bl.newLabel();
    bl.label(l);
    bl.br(l);
    EXPECT_NE(verifyBlock(b).find("backward"), std::string::npos);
  }
  {
    Block b;
    Builder bl(b);
    bl.put(0, Builder::i32(1));
    EXPECT_NE(verifyBlock(b).find("does not end"), std::string::npos);
  }
}

TEST(ConstantFold, FoldsArithmeticAndPropagates) {
  Block b;
  Builder bl(b);
  Value x = bl.add(Builder::i32(2), Builder::i32(3));
  Value y = bl.shl(x, Builder::i32(4));   // 80
  bl.put(0, y);
  bl.exitTb(Builder::i32(0));
  constantFoldPass(b);
  deadCodePass(b);
  ASSERT_EQ(count(b, Opcode::put), 1u);
  const Op* put = find(b, Opcode::put);
  ASSERT_TRUE(put->args[0].isConst());
  EXPECT_EQ(put->args[0].imm, 80u);
  EXPECT_EQ(count(b, Opcode::add) + count(b, Opcode::shl), 0u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(ConstantFold, IdentitiesAndNegation) {
  Block b;
  Builder bl(b);
  Value x = bl.get(Type::I32, 0);
  bl.put(4, bl.add(x, Builder::i32(0)));    // x
  bl.put(8, bl.and_(x, Builder::i32(0)));   // 0
  bl.put(12, bl.sub(Builder::i32(0), x));   // -x
  bl.exitTb(Builder::i32(0));
  optimize(b);
  EXPECT_EQ(count(b, Opcode::add), 0u);
  EXPECT_EQ(count(b, Opcode::and_), 0u);
  EXPECT_EQ(count(b, Opcode::neg), 1u);
  EXPECT_EQ(count(b, Opcode::sub), 0u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(ConstantFold, DoesNotFoldUndefinedDivision) {
  Block b;
  Builder bl(b);
  bl.put(0, bl.divs(Builder::i32(5), Builder::i32(0)));
  bl.exitTb(Builder::i32(0));
  constantFoldPass(b);
  EXPECT_EQ(count(b, Opcode::divs), 1u);
}

TEST(ConstantFold, ConstantBranchesAndUnreachableCode) {
  Block b;
  Builder bl(b);
  Label skip = bl.newLabel();
  bl.brcond(Cond::EQ, Builder::i32(1), Builder::i32(1), skip);   // always taken
  bl.put(0, Builder::i32(7));                                     // unreachable
  bl.label(skip);
  bl.exitTb(Builder::i32(0));
  constantFoldPass(b);
  EXPECT_EQ(count(b, Opcode::put), 0u);
  EXPECT_EQ(count(b, Opcode::br), 1u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(ConstantFold, BranchOnComparisonResultUsesTheComparison) {
  // MIPS "slt t, a, b; beqz t": the branch tests the compare directly.
  Block b;
  Builder bl(b);
  Value a = bl.get(Type::I32, 0), c = bl.get(Type::I32, 4);
  Value t = bl.setcond(Cond::LT, a, c);
  Value z = bl.setcond(Cond::EQ, t, Builder::i32(0));
  Label l = bl.newLabel();
  bl.brcond(Cond::EQ, z, Builder::i32(0), l);
  bl.gotoTb(0, 0x10);
  bl.label(l);
  bl.gotoTb(1, 0x20);
  optimize(b);
  const Op* br = find(b, Opcode::brcond);
  ASSERT_NE(br, nullptr);
  // (a < c) == 0 is false  <=>  a < c: the branch is taken when a < c.
  EXPECT_EQ(br->cond, Cond::LT);
  EXPECT_TRUE(br->args[0] == a);
  EXPECT_TRUE(br->args[1] == c);
  EXPECT_EQ(count(b, Opcode::setcond), 0u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(Unreachable, CodeAfterANoReturnHelperWithNoBranchToItsLabel) {
  // A conditional trap whose condition folds to "always": the skip label
  // loses its branch, so what follows it can never run (found by the IR
  // verifier on difftest programs).
  static const HelperInfo raise{"raise", nullptr, HF_NORETURN, false, Type::I32, 0, {}};
  Block b;
  Builder bl(b);
  Value c = bl.setcond(Cond::EQ, bl.get(Type::I32, 0), Builder::i32(0));
  Label skip = bl.newLabel();
  bl.brcond(Cond::NE, Builder::i32(1), Builder::i32(1), skip);   // never taken
  bl.call(raise, {});
  bl.label(skip);
  Label l = bl.newLabel();
  bl.brcond(Cond::EQ, c, Builder::i32(0), l);
  bl.gotoTb(0, 0x10);
  bl.label(l);
  bl.gotoTb(1, 0x20);
  optimize(b);
  EXPECT_EQ(verifyBlock(b), "") << formatBlock(b);
  EXPECT_EQ(count(b, Opcode::goto_tb), 0u);
  EXPECT_EQ(count(b, Opcode::call), 1u);
}

TEST(GuestState, ForwardsPutToGetAndDropsOverwrittenPut) {
  Block b;
  Builder bl(b);
  Value x = bl.get(Type::I32, 8);
  bl.put(0, x);                                // overwritten below, nothing observes it
  Value y = bl.get(Type::I32, 0);              // forwarded: x
  bl.put(0, bl.add(y, Builder::i32(1)));
  bl.exitTb(Builder::i32(0));
  optimize(b);
  EXPECT_EQ(count(b, Opcode::get), 1u);
  EXPECT_EQ(count(b, Opcode::put), 1u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(GuestState, KeepsPutsBeforeAnythingThatCanFault) {
  // A load may raise a guest exception: the state must be exact there, so
  // the first put survives even though a later put overwrites it.
  Block b;
  Builder bl(b);
  bl.put(0, Builder::i32(1));
  Value v = bl.load(Type::I32, Builder::i32(0x1000), MemOp{}, 0x40);
  bl.put(0, v);
  bl.exitTb(Builder::i32(0));
  optimize(b);
  EXPECT_EQ(count(b, Opcode::put), 2u);
}

TEST(GuestState, ForgetsValuesAtLabelsAndAfterStateWritingHelpers) {
  static const HelperInfo writes{"writes", nullptr, HF_NO_RAISE | HF_NO_READ_STATE, false, Type::I32, 0, {}};
  Block b;
  Builder bl(b);
  Value x = bl.get(Type::I32, 0);
  bl.call(writes, {});
  Value y = bl.get(Type::I32, 0);   // must be reloaded
  Label l = bl.newLabel();
  bl.brcond(Cond::EQ, y, Builder::i32(0), l);
  bl.put(4, x);
  bl.label(l);
  Value z = bl.get(Type::I32, 4);   // after a join: reloaded
  bl.put(8, z);
  bl.exitTb(Builder::i32(0));
  optimize(b);
  EXPECT_EQ(count(b, Opcode::get), 3u);
  EXPECT_EQ(verifyBlock(b), "");
}

TEST(GuestState, OverlappingSlotsAreNotConfused) {
  // An i64 put covers two i32 slots; a later i32 get of its upper half
  // must not see a stale value.
  Block b;
  Builder bl(b);
  Value lo = bl.get(Type::I32, 4);
  bl.put(0, bl.get(Type::I64, 16));
  Value again = bl.get(Type::I32, 4);
  bl.put(32, bl.add(lo, again));
  bl.exitTb(Builder::i32(0));
  optimize(b);
  EXPECT_EQ(count(b, Opcode::get), 3u);
}

TEST(DeadCode, RemovesUnusedPureOpsButKeepsLoads) {
  Block b;
  Builder bl(b);
  Value x = bl.get(Type::I32, 0);
  bl.mul(x, x);                                                  // unused
  bl.load(Type::I32, Builder::i32(0x1000), MemOp{}, 0x40);      // unused, but may fault
  bl.exitTb(Builder::i32(0));
  deadCodePass(b);
  EXPECT_EQ(count(b, Opcode::mul), 0u);
  EXPECT_EQ(count(b, Opcode::get), 0u);
  EXPECT_EQ(count(b, Opcode::load), 1u);
}

TEST(DeadCode, LivenessFlowsAcrossForwardBranches) {
  Block b;
  Builder bl(b);
  Value r = bl.newTemp(Type::I32);
  bl.movTo(r, Builder::i32(1));
  Label l = bl.newLabel();
  bl.brcond(Cond::EQ, bl.get(Type::I32, 0), Builder::i32(0), l);
  bl.movTo(r, Builder::i32(2));
  bl.label(l);
  bl.put(4, r);
  bl.exitTb(Builder::i32(0));
  deadCodePass(b);
  EXPECT_EQ(count(b, Opcode::mov), 2u);   // both definitions reach the put
}

}  // namespace
}  // namespace mimic::tcg
