// Call contexts (backend/x86_64/llvm/call_contexts.h): which copies of a
// region's callees exist, where their jumps lead and which return each
// predicts, on small hand-built regions.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "backend/x86_64/llvm/call_contexts.h"
#include "tcg/builder.h"

namespace mimic::llvmjit {
namespace {

using tcg::Block;
using tcg::Builder;
using tcg::RegionMember;
using tcg::Type;

constexpr size_t kNone = CallContexts::kNone;
constexpr uint32_t kRa = 31 * 4;   // a guest register slot (what the return jumps through)

// A region under construction: blocks and their members.
struct Region {
  std::vector<std::unique_ptr<Block>> blocks;
  std::vector<RegionMember> members;

  Block& add(uint64_t pc) {
    blocks.push_back(std::make_unique<Block>());
    Block& b = *blocks.back();
    b.guest_pc = pc;
    Builder(b).insnStart(pc);
    members.push_back({&b, pc, nullptr, false});
    return b;
  }
  // A block that jumps to `to` (and, with two targets, branches).
  void jump(uint64_t pc, uint64_t to) { Builder(add(pc)).gotoTb(0, to); }
  // A block ending in a call of `callee`, which returns to pc + 8.
  void call(uint64_t pc, uint64_t callee) {
    Block& b = add(pc);
    Builder bl(b);
    bl.put(kRa, Builder::i32(uint32_t(pc + 8)));
    bl.gotoTb(0, callee);
    b.call_return = pc + 8;
  }
  // A block ending in a return (an indirect jump through the link register).
  void ret(uint64_t pc) {
    Block& b = add(pc);
    Builder bl(b);
    bl.gotoPtr(bl.get(Type::I32, kRa));
  }
  size_t member(uint64_t pc) const {
    for (size_t i = 0; i < members.size(); i++)
      if (members[i].pc == pc) return i;
    return kNone;
  }
};

// The copies of the member at `pc`.
std::vector<size_t> copiesOf(const CallContexts& cc, const Region& r, uint64_t pc) {
  std::vector<size_t> out;
  for (size_t k = 0; k < cc.list.size(); k++)
    if (cc.member_of[k] == r.member(pc)) out.push_back(k);
  return out;
}

TEST(CallContexts, ACalleeGetsACopyPerCallSiteThatReturnsToThatSite) {
  Region r;
  r.call(0x1000, 0x2000);   // loop: call f
  r.call(0x1008, 0x2000);   //       call f again
  r.jump(0x1010, 0x1000);   //       and round
  r.ret(0x2000);            // f: return
  const CallContexts cc = expandCallContexts(r.members, 100);

  const std::vector<size_t> f = copiesOf(cc, r, 0x2000);
  ASSERT_EQ(f.size(), 2u);
  const size_t first = cc.jumpTarget(cc.canonical[r.member(0x1000)], 0x2000);
  const size_t second = cc.jumpTarget(cc.canonical[r.member(0x1008)], 0x2000);
  ASSERT_NE(first, kNone);
  ASSERT_NE(second, kNone);
  EXPECT_NE(first, second);
  EXPECT_EQ(cc.expected_return[first], 0x1008u);
  EXPECT_EQ(cc.return_to[first], cc.canonical[r.member(0x1008)]);
  EXPECT_EQ(cc.expected_return[second], 0x1010u);
  EXPECT_EQ(cc.return_to[second], cc.canonical[r.member(0x1010)]);
  // The caller's own blocks are not copied; their jumps stay inside.
  EXPECT_EQ(copiesOf(cc, r, 0x1000).size(), 1u);
  EXPECT_EQ(cc.jumpTarget(cc.canonical[r.member(0x1010)], 0x1000), cc.canonical[r.member(0x1000)]);
  // The region's first member is entered in its only copy; the callee in
  // its first.
  EXPECT_EQ(cc.canonical[0], 0u);
  EXPECT_EQ(cc.canonical[r.member(0x2000)], first);
}

// A chain of `calls` calls: function d (at 0x1000 + d * 0x100) calls
// function d + 1 and returns after it; the last is a leaf.
Region chain(uint64_t calls) {
  Region r;
  for (uint64_t d = 0; d < calls; d++) {
    r.call(0x1000 + d * 0x100, 0x1000 + (d + 1) * 0x100);
    r.ret(0x1008 + d * 0x100);
  }
  r.ret(0x1000 + calls * 0x100);
  return r;
}

TEST(CallContexts, ReturnsArePredictedThreeCallsDeep) {
  const Region r = chain(3);
  const CallContexts cc = expandCallContexts(r.members, 100);
  // The leaf's return goes to function 2's continuation, that one's to
  // function 1's, and so on up to the region's own code.
  size_t k = copiesOf(cc, r, 0x1300).at(0);
  for (uint64_t d = 3; d >= 1; d--) {
    const uint64_t back = 0x1008 + (d - 1) * 0x100;
    EXPECT_EQ(cc.expected_return[k], back) << d;
    ASSERT_NE(cc.return_to[k], kNone) << d;
    EXPECT_EQ(cc.member_of[cc.return_to[k]], r.member(back)) << d;
    k = cc.return_to[k];
  }
  EXPECT_EQ(cc.return_to[k], kNone);   // function 0: the region's own
}

TEST(CallContexts, ACallFourDeepRunsTheCalleeWithoutAContext) {
  const Region r = chain(4);
  const CallContexts cc = expandCallContexts(r.members, 100);
  const std::vector<size_t> leaf = copiesOf(cc, r, 0x1400);
  ASSERT_EQ(leaf.size(), 1u);
  EXPECT_EQ(cc.expected_return[leaf[0]], Block::kNoCall);
  EXPECT_EQ(cc.return_to[leaf[0]], kNone);
}

TEST(CallContexts, ARecursiveCallRunsTheCopyItIsIn) {
  Region r;
  r.call(0x2000, 0x2100);   // f calls g
  r.ret(0x2008);
  r.call(0x2100, 0x2100);   // g calls g
  r.ret(0x2108);
  const CallContexts cc = expandCallContexts(r.members, 100);
  const std::vector<size_t> g = copiesOf(cc, r, 0x2100);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(cc.jumpTarget(0, 0x2100), g[0]);
  EXPECT_EQ(cc.jumpTarget(g[0], 0x2100), g[0]);
}

TEST(CallContexts, TheLimitKeepsOneCopyOfEveryMemberAndZeroMeansNoCopies) {
  Region r;
  r.call(0x1000, 0x2000);
  r.call(0x1008, 0x2000);
  r.call(0x1010, 0x2000);
  r.jump(0x1018, 0x1000);
  r.ret(0x2000);
  // Room for one copy more than the members.
  const CallContexts some = expandCallContexts(r.members, r.members.size() + 1);
  EXPECT_EQ(some.list.size(), r.members.size() + 1);
  for (size_t m = 0; m < r.members.size(); m++) EXPECT_NE(some.canonical[m], kNone) << m;
  // A call site past the limit jumps to the callee's first copy.
  EXPECT_EQ(some.jumpTarget(some.canonical[r.member(0x1010)], 0x2000), some.canonical[r.member(0x2000)]);

  const CallContexts none = expandCallContexts(r.members, 0);
  ASSERT_EQ(none.list.size(), r.members.size());
  for (size_t m = 0; m < r.members.size(); m++) {
    EXPECT_EQ(none.canonical[m], m);
    EXPECT_EQ(none.return_to[m], kNone);
  }
  EXPECT_EQ(none.jumpTarget(r.member(0x1000), 0x2000), r.member(0x2000));
  EXPECT_EQ(none.jumpTarget(r.member(0x1000), 0x3000), kNone);   // not in the region
}

TEST(CallContexts, AFallIntoAnotherMemberStaysInTheContext) {
  Region r;
  r.call(0x1000, 0x2000);
  r.jump(0x1008, 0x1000);
  // The callee's block runs on into the member at 0x2004 (a branch's target).
  Block& f = r.add(0x2000);
  Builder fb(f);
  fb.insnStart(0x2004);
  fb.gotoPtr(fb.get(Type::I32, kRa));
  r.ret(0x2004);
  const CallContexts cc = expandCallContexts(r.members, 100);
  const size_t callee = cc.jumpTarget(0, 0x2000);
  ASSERT_NE(callee, kNone);
  const size_t tail = cc.fallTarget(callee, 0x2004);
  ASSERT_NE(tail, kNone);
  EXPECT_EQ(cc.member_of[tail], r.member(0x2004));
  EXPECT_EQ(cc.expected_return[tail], 0x1008u);
  EXPECT_EQ(cc.return_to[tail], cc.canonical[r.member(0x1008)]);
}

}  // namespace
}  // namespace mimic::llvmjit
