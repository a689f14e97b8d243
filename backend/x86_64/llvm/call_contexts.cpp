#include "backend/x86_64/llvm/call_contexts.h"

#include <algorithm>
#include <map>
#include <utility>

namespace mimic::llvmjit {

namespace {

using tcg::Block;
using tcg::Opcode;

// Calls deep a copy may sit (a region's loop calling a helper that calls
// another); deeper calls run the callee's copy in no context (its return
// unpredicted), and a recursive call the copy it is already in.
constexpr size_t kMaxCallDepth = 3;

size_t find(const std::vector<std::pair<uint64_t, size_t>>& v, uint64_t pc) {
  for (const auto& [p, k] : v)
    if (p == pc) return k;
  return CallContexts::kNone;
}

}  // namespace

size_t CallContexts::jumpTarget(size_t k, uint64_t pc) const { return find(jumps[k], pc); }
size_t CallContexts::fallTarget(size_t k, uint64_t pc) const { return find(falls[k], pc); }

CallContexts expandCallContexts(const std::vector<tcg::RegionMember>& members, size_t max_instances) {
  constexpr size_t kNone = CallContexts::kNone;
  const size_t n = members.size();
  const bool copies = max_instances > 0;
  max_instances = std::max(max_instances, n);
  std::map<uint64_t, size_t> member_at;   // guest PC -> its (first) member
  for (size_t i = 0; i < n; i++) member_at.emplace(members[i].pc, i);
  auto memberAt = [&](uint64_t pc) {
    auto it = member_at.find(pc);
    return it == member_at.end() ? kNone : it->second;
  };

  // Context 0: the region's own code. Others: a call of `callee`'s,
  // returning to `ret` in context `parent`.
  struct Context {
    size_t parent;
    uint64_t ret;
    uint64_t callee;
    size_t depth;
  };
  std::vector<Context> contexts{{kNone, Block::kNoCall, Block::kNoCall, 0}};
  std::map<std::pair<size_t, uint64_t>, size_t> child_of;   // (context, return address) -> context
  auto callContext = [&](size_t c, uint64_t ret, uint64_t callee) -> size_t {
    if (!copies) return 0;
    for (size_t up = c; up != kNone; up = contexts[up].parent)
      if (contexts[up].callee == callee) return up;   // recursion
    if (contexts[c].depth >= kMaxCallDepth) return 0;
    auto [it, fresh] = child_of.emplace(std::make_pair(c, ret), contexts.size());
    if (fresh) contexts.push_back({c, ret, callee, contexts[c].depth + 1});
    return it->second;
  };

  CallContexts cc;
  cc.canonical.assign(n, kNone);
  std::vector<size_t> context_of;
  std::map<std::pair<size_t, size_t>, size_t> instance_of;   // (member, context) -> instance
  size_t unplaced = n;   // members with no instance yet: room is kept for them
  auto instance = [&](size_t m, size_t c) -> size_t {
    if (auto it = instance_of.find({m, c}); it != instance_of.end()) return it->second;
    if (cc.canonical[m] != kNone && cc.list.size() + unplaced >= max_instances) return cc.canonical[m];
    const size_t k = cc.list.size();
    instance_of[{m, c}] = k;
    cc.list.push_back(members[m]);
    cc.member_of.push_back(m);
    context_of.push_back(c);
    cc.jumps.emplace_back();
    cc.falls.emplace_back();
    cc.expected_return.push_back(Block::kNoCall);
    cc.return_to.push_back(kNone);
    if (cc.canonical[m] == kNone) {
      cc.canonical[m] = k;
      unplaced--;
    }
    return k;
  };

  // Breadth first from the first member, so that the shallowest copy of a
  // member is its first; then from each member nothing reached. Without
  // copies, instance k is member k.
  if (!copies)
    for (size_t m = 0; m < n; m++) instance(m, 0);
  size_t next_root = 0;
  for (size_t k = 0;; k++) {
    if (k == cc.list.size()) {
      while (next_root < n && cc.canonical[next_root] != kNone) next_root++;
      if (next_root == n) break;
      instance(next_root, 0);
    }
    const size_t m = cc.member_of[k];
    const size_t c = context_of[k];
    const Block& b = *members[m].block;
    const bool calls = b.call_return != Block::kNoCall;
    bool first_insn = true;
    for (const tcg::Op& op : b.ops) {
      if (op.opc == Opcode::goto_tb) {
        const size_t to = memberAt(op.aux64);
        if (to == kNone) continue;
        const size_t target = instance(to, calls ? callContext(c, b.call_return, op.aux64) : c);
        cc.jumps[k].push_back({op.aux64, target});
      } else if (op.opc == Opcode::insn_start) {
        // (instance() may grow the vectors: no reference into them is held
        // across it.)
        if (!first_insn)
          if (const size_t to = memberAt(op.aux64); to != kNone && to != m) {
            const size_t target = instance(to, c);
            cc.falls[k].push_back({op.aux64, target});
          }
        first_insn = false;
      } else if (op.opc == Opcode::goto_ptr && c != 0 && !members[m].dispatches && !calls) {
        // A return, most likely: to the call's continuation.
        const uint64_t ret = contexts[c].ret;
        cc.expected_return[k] = ret;
        if (const size_t to = memberAt(ret); to != kNone) {
          const size_t target = instance(to, contexts[c].parent);
          cc.return_to[k] = target;
        }
      }
    }
  }
  return cc;
}

}  // namespace mimic::llvmjit
