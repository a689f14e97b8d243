#include "backend/x86_64/llvm/llvm_lower.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include "backend/x86_64/llvm/call_contexts.h"
#include "tcg/backend.h"
#include "tcg/fastmem.h"
#include "tcg/softmmu.h"

namespace mimic::llvmjit {

namespace {

using tcg::Cond;
using tcg::Op;
using tcg::Opcode;
using tcg::RegionMember;
using tcg::Type;
using tcg::Value;

class Lowerer {
 public:
  Lowerer(llvm::Module& m, const LowerOptions& o) : m_(m), ctx_(m.getContext()), opts_(o), ir_(ctx_) {}

  llvm::Function* lower(const std::string& name, const std::vector<RegionMember>& region_members, bool region) {
    // A region's callees get a copy per call site (call_contexts.h); from
    // here on, "member" means one of those instances.
    contexts_ = expandCallContexts(region_members, region ? maxInstances(region_members.size()) : 0);
    const std::vector<RegionMember>& members = contexts_.list;
    i32_ = ir_.getInt32Ty();
    i64_ = ir_.getInt64Ty();
    ptr_ = ir_.getPtrTy();
    auto* fty = region ? llvm::FunctionType::get(i64_, {ptr_, i32_}, false) : llvm::FunctionType::get(i64_, {ptr_}, false);
    fn_ = llvm::Function::Create(fty, llvm::Function::ExternalLinkage, name, m_);
    fn_->addFnAttr(llvm::Attribute::NoUnwind);   // guest exceptions leave by longjmp, not unwinding
    env_ = fn_->getArg(0);
    // Guest state is reached only through env (and what the helpers are
    // given of it); guest RAM through the softmmu's host pointers is other
    // memory. Telling LLVM lets it keep guest registers in host registers
    // across guest loads and stores.
    fn_->addParamAttr(0, llvm::Attribute::NoAlias);
    // And that env's bytes may always be read: a guest register the
    // function only reads is loaded from env where it is used, and LLVM
    // turns a guest if/else that reads one into a select only if it may
    // load it on both paths (int_alu's `slt`-guarded xor became a branch
    // that mispredicted every other time: 60% slower).
    fn_->addParamAttr(0, llvm::Attribute::getWithDereferenceableBytes(
                             ctx_, opts_.target.common_offset + sizeof(tcg::CpuCommon)));
    fn_->addParamAttr(0, llvm::Attribute::getWithAlignment(ctx_, llvm::Align(8)));
    llvm::BasicBlock* entry = llvm::BasicBlock::Create(ctx_, "entry", fn_);
    ir_.SetInsertPoint(entry);
    common_ = ir_.CreateInBoundsGEP(ir_.getInt8Ty(), env_, ir_.getInt64(opts_.target.common_offset), "common");
    region_ = region;
    // Every member's temps and labels, and its entry.
    members_ = &members;
    for (const RegionMember& mb : members) {
      std::vector<llvm::AllocaInst*> t;
      for (Type tt : mb.block->temps) t.push_back(ir_.CreateAlloca(ty(tt)));
      member_temps_.push_back(std::move(t));
      std::vector<llvm::BasicBlock*> l;
      for (uint32_t i = 0; i < mb.block->num_labels; i++) l.push_back(llvm::BasicBlock::Create(ctx_, "L", fn_));
      member_labels_.push_back(std::move(l));
      member_entry_.push_back(llvm::BasicBlock::Create(ctx_, "member", fn_));
    }
    findMergePoints(members);
    findDirectEdges(members);
    findLoops(members);
    cacheGuestState(members);
    decideMemos(members);
    findLoopHeaders(members);
    findChecksAfterCalls(members);
    findDirtySlots(members);
    if (region_) {
      // Entered at the member the trampoline names (findLoopHeaders), in
      // its first copy.
      llvm::SwitchInst* sw = ir_.CreateSwitch(fn_->getArg(1), member_entry_[0], unsigned(region_members.size()));
      for (size_t m = 1; m < region_members.size(); m++)
        if (entries_[contexts_.canonical[m]]) sw->addCase(ir_.getInt32(uint32_t(m)), member_entry_[contexts_.canonical[m]]);
    } else {
      ir_.CreateBr(member_entry_[0]);
    }

    for (size_t i = 0; i < members.size(); i++) {
      b_ = members[i].block;
      pc_ = members[i].pc;
      tb_ = members[i].tb;
      temps_ = member_temps_[i];
      labels_ = member_labels_[i];
      cur_dirty_ = &dirty_[i];
      cur_ = i;
      dispatches_ = members[i].dispatches;
      synced_ = false;
      ir_.SetInsertPoint(member_entry_[i]);
      prologue(loop_header_[i], check_after_call_[i]);
      for (size_t k = 0; k < b_->ops.size(); k++) {
        const Op& op = b_->ops[k];
        if (!ir_.GetInsertBlock() || ir_.GetInsertBlock()->getTerminator()) {
          if (op.opc != Opcode::label) ir_.SetInsertPoint(llvm::BasicBlock::Create(ctx_, "dead", fn_));
        }
        if (merge_[i].op == k) {
          branchToMember(merge_[i].member);
          break;
        }
        emit(op);
      }
    }
    finishMemos();
    // Verified blocks end in an exit; close whatever is open.
    for (llvm::BasicBlock& bb : *fn_)
      if (!bb.getTerminator()) {
        ir_.SetInsertPoint(&bb);
        ir_.CreateUnreachable();
      }
    return fn_;
  }

 private:
  // How many members (copies included) a region of n may have: callees'
  // copies at most double it, and the dispatch's table numbers members in
  // a byte. MIMIC_HOT_CALL_COPIES=0: no copies (for measurements).
  static size_t maxInstances(size_t n) {
    static const bool off = [] {
      const char* v = std::getenv("MIMIC_HOT_CALL_COPIES");
      return v && std::string(v) == "0";
    }();
    return off ? 0 : std::min<size_t>(254, 2 * n);
  }

  llvm::Type* ty(Type t) { return t == Type::I32 ? static_cast<llvm::Type*>(i32_) : i64_; }
  unsigned bits(Type t) { return tcg::typeBits(t); }

  llvm::Value* fieldPtr(size_t offset) {
    return ir_.CreateInBoundsGEP(ir_.getInt8Ty(), common_, ir_.getInt64(offset));
  }
  llvm::Value* envPtr(uint32_t offset) { return ir_.CreateInBoundsGEP(ir_.getInt8Ty(), env_, ir_.getInt64(offset)); }

  // Guest state kept in SSA values: every slot the function writes (put;
  // but see cachedSlotRatio) that is always accessed with one type and
  // overlaps no other slot lives
  // in an alloca (registers after mem2reg), loaded from env once at entry and
  // written back only where something may look at env: before helper and
  // softmmu slow-path calls (which may raise a guest exception and unwind)
  // and before every return. After a helper that may write guest state the
  // slots are loaded again. A hot loop then keeps the guest's registers in
  // host registers; the stores sit in the cold paths. A slot the function
  // only reads is loaded from env where it is used: held in SSA it was
  // loaded at every entry and kept in a register or a stack slot through
  // the whole function, and LLVM spilled the loops' own values for it.
  void cacheGuestState(const std::vector<RegionMember>& members) {
    std::map<uint32_t, Type> seen;
    std::map<uint32_t, unsigned> widest;   // bytes of the widest access at each offset
    std::set<uint32_t> bad;
    std::set<uint32_t> written;            // slots some put writes
    size_t state_calls = 0;                // helper calls after which every slot is reloaded
    std::map<uint32_t, double> weight;     // accesses, those in loops weighing more
    for (size_t i = 0; i < members.size(); i++)
      for (const Op& op : members[i].block->ops) {
        auto access = [&](uint32_t off, Type t, bool write) {
          weight[off] += loopWeight(i);
          if (write) written.insert(off);
          auto [it, fresh] = seen.emplace(off, t);
          if (!fresh && it->second != t) bad.insert(off);
          unsigned& w = widest[off];
          w = std::max(w, tcg::typeBits(t) / 8);
        };
        if (op.opc == Opcode::call) {
          // An inline fast path keeps the status word with the registers;
          // its helper call (and that reload) is the cold path.
          if (const tcg::FloatFastPath* f = floatFastPath(*op.helper())) access(f->status_offset, Type::I32, true);
          else if (!(op.helper()->flags & tcg::HF_NO_WRITE_STATE)) state_calls++;
        }
        if (op.opc == Opcode::get) access(op.aux, op.type, false);
        if (op.opc == Opcode::put) access(op.aux, op.args[0].type, true);
      }
    // Overlapping slots (different views of the same bytes, e.g. an FPU
    // register's halves and the whole) all stay in memory.
    uint64_t prev_end = 0;
    std::vector<uint32_t> group;
    for (auto& [off, w] : widest) {
      if (!group.empty() && off < prev_end) {
        for (uint32_t g : group) bad.insert(g);
        bad.insert(off);
      } else if (off >= prev_end) {
        group.clear();
      }
      group.push_back(off);
      prev_end = std::max(prev_end, uint64_t(off) + w);
    }
    // Code full of helpers that may write guest state (FPU code) would
    // reload every slot after each of them: more IR than it saves.
    if (state_calls * seen.size() > 2000) return;
    // The PC slot is written by exits directly: keep it out.
    auto eligible = [&](uint32_t off) {
      auto it = seen.find(off);
      if (it == seen.end() || bad.count(off) || !written.count(off)) return false;
      const uint64_t end = uint64_t(off) + tcg::typeBits(it->second) / 8;
      if (off < opts_.target.pc_offset + 8 && opts_.target.pc_offset < end) return false;
      return off < opts_.target.common_offset;
    };
    std::vector<std::pair<double, uint32_t>> ranked;
    for (auto& [off, t] : seen)
      if (eligible(off)) ranked.push_back({weight[off], off});
    std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::set<uint32_t> kept;
    for (auto& [w, off] : ranked)
      if (w * cachedSlotRatio() >= ranked[0].first) kept.insert(off);
    auto cacheable = [&](uint32_t off) { return kept.count(off) != 0; };
    for (auto [lo, hi] : findSlotPairs(members)) {
      if (!cacheable(lo) || !cacheable(hi) || seen[lo] != Type::I32 || seen[hi] != Type::I32) continue;
      llvm::AllocaInst* a = ir_.CreateAlloca(i64_);
      cached_[lo] = {a, Type::I32, written.count(lo) != 0, 0};
      cached_[hi] = {a, Type::I32, written.count(hi) != 0, 1};
      reloadSlot(lo, Type::I32);
      reloadSlot(hi, Type::I32);
    }
    for (auto& [off, t] : seen) {
      if (!cacheable(off) || cached_.count(off)) continue;
      llvm::AllocaInst* a = ir_.CreateAlloca(ty(t));
      cached_[off] = {a, t, written.count(off) != 0};
      reloadSlot(off, t);
    }
  }
  // How much an access in member i counts when slots are ranked: 8 times
  // more for each loop around it.
  double loopWeight(size_t i) const {
    double w = 1;
    for (int l = loop_of_[i]; l >= 0; l = loop_parent_[size_t(l)]) w *= 8;
    return w;
  }
  // MIMIC_HOT_CACHED_RATIO=R (for measurements; off by default) keeps a
  // written slot in SSA only if it is accessed at least 1/R as much as the
  // busiest one (accesses weighted by loopWeight); the others go through
  // env where used. R=64 ran lz_match's region with 15% fewer host
  // instructions (LLVM's spill code around loop boundaries for a caller's
  // registers) and the other kernels' the same, but no faster in time,
  // and xz in Linux looked 10% slower (7.15 s against 6.2 s, four boots
  // each): docs/performance.md, session 12.
  static double cachedSlotRatio() {
    static const double r = [] {
      const char* v = std::getenv("MIMIC_HOT_CACHED_RATIO");
      return v && std::atof(v) > 0 ? std::atof(v) : 1e300;
    }();
    return r;
  }
  // 32-bit slots the guest code uses as the halves of one 64-bit value
  // (MIPS doubles with Status.FR = 0: the low word in fpr[2n], the high
  // word in fpr[2n+1]): a put of trunc(v) to one and of trunc(v >> 32) to
  // the other. Such a pair lives in one 64-bit SSA value, so that LLVM
  // sees the double whole (the shifts and ors that split and join it
  // fold away) instead of two halves in two host registers.
  static std::vector<std::pair<uint32_t, uint32_t>> findSlotPairs(const std::vector<RegionMember>& members) {
    std::map<uint32_t, uint32_t> lo_of_hi;   // hi offset -> lo offset
    std::set<uint32_t> conflicting;
    for (const RegionMember& mb : members) {
      const tcg::Block& b = *mb.block;
      std::vector<const Op*> def(b.temps.size(), nullptr);
      std::map<uint32_t, uint32_t> lo_put, hi_put;   // 64-bit source temp -> slot
      for (const Op& op : b.ops) {
        for (unsigned a = 0; a < op.numOutputs(); a++) def[op.args[a].temp] = &op;
        if (op.opc != Opcode::put || op.args[0].type != Type::I32 || !op.args[0].isTemp()) continue;
        const Op* t = def[op.args[0].temp];
        if (!t || t->opc != Opcode::trunc || !t->args[1].isTemp()) continue;
        const Op* sh = def[t->args[1].temp];
        if (sh && sh->opc == Opcode::shr && sh->args[1].isTemp() && sh->args[2].isConst() && sh->args[2].imm == 32)
          hi_put[sh->args[1].temp] = op.aux;
        else
          lo_put[t->args[1].temp] = op.aux;
      }
      for (auto [src, hi] : hi_put) {
        auto lo = lo_put.find(src);
        if (lo == lo_put.end() || lo->second == hi) continue;
        auto [it, fresh] = lo_of_hi.emplace(hi, lo->second);
        if (!fresh && it->second != lo->second) conflicting.insert(hi);
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    std::set<uint32_t> used;
    for (auto [hi, lo] : lo_of_hi) {
      if (conflicting.count(hi) || used.count(lo) || used.count(hi)) continue;
      used.insert(lo);
      used.insert(hi);
      pairs.push_back({lo, hi});
    }
    return pairs;
  }
  // Only slots the member's paths from the region's entries may have
  // written can differ from env (the others hold what was loaded, or
  // reloaded after a helper or at a return's dispatch).
  void syncGuestState() {
    if (synced_) return;
    for (auto& [off, c] : cached_)
      if (c.written && (!cur_dirty_ || (*cur_dirty_)[c.index])) ir_.CreateStore(loadState(off, c.type), envPtr(off));
  }

  // Which cached slots each member may find different from env: those put
  // on some path to it from an entry (where everything was just loaded)
  // that does not pass a return's dispatch (regionIndirectJump writes
  // everything back there and loads it again), and those it puts itself
  // (labels only branch forwards, so a member's own puts are counted from
  // its start). Exits and slow paths write back only these: a region that
  // holds a caller and its callee no longer keeps the caller's registers
  // live through the callee's loop just to store them unchanged at the
  // callee's exits, which made LLVM spill the loop's own registers.
  void findDirtySlots(const std::vector<RegionMember>& members) {
    const size_t n = members.size();
    unsigned k = 0;
    for (auto& [off, c] : cached_) c.index = k++;
    const size_t slots = k;
    auto slotOf = [&](uint32_t off) -> int {
      auto it = cached_.find(off);
      return it == cached_.end() ? -1 : int(it->second.index);
    };
    dirty_.assign(n, std::vector<uint8_t>(slots, 0));   // first each member's own puts
    std::vector<std::vector<size_t>> succ = direct_succ_;
    for (size_t i = 0; i < n; i++) {
      const tcg::Block& b = *members[i].block;
      for (size_t op_i = 0; op_i < b.ops.size() && op_i < merge_[i].op; op_i++) {
        const Op& op = b.ops[op_i];
        int slot = -1;
        if (op.opc == Opcode::put) slot = slotOf(op.aux);
        if (op.opc == Opcode::call)
          if (const tcg::FloatFastPath* f = floatFastPath(*op.helper())) slot = slotOf(f->status_offset);
        if (slot >= 0) dirty_[i][size_t(slot)] = 1;
        // A jump through a loaded address (a switch) keeps the registers
        // in SSA values to any member; a return writes them back first.
        if (op.opc == Opcode::goto_ptr && region_ && members[i].dispatches)
          for (size_t j = 0; j < n; j++) succ[i].push_back(j);
      }
    }
    // ... then what flows in along the edges.
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < n; i++)
        for (size_t j : succ[i])
          for (size_t s = 0; s < slots; s++)
            if (dirty_[i][s] && !dirty_[j][s]) {
              dirty_[j][s] = 1;
              changed = true;
            }
    }
  }
  void reloadGuestState() {
    for (auto& [off, c] : cached_) reloadSlot(off, c.type);
  }
  void reloadSlot(uint32_t off, Type t) { storeState(off, ir_.CreateLoad(ty(t), envPtr(off))); }

  llvm::Value* val(const Value& v) {
    if (v.isConst()) return llvm::ConstantInt::get(ty(v.type), v.imm);
    return ir_.CreateLoad(ty(v.type), temps_[v.temp]);
  }
  void set(const Value& dst, llvm::Value* v) { ir_.CreateStore(v, temps_[dst.temp]); }
  llvm::Value* to64(llvm::Value* v) { return v->getType() == i64_ ? v : ir_.CreateZExt(v, i64_); }

  // Every way out of the function: guest state back in env, then return.
  void leaveWith(llvm::Value* ret) {
    syncGuestState();
    ir_.CreateRet(ret);
  }

  void storePc(llvm::Value* pc) {
    llvm::Value* p = envPtr(opts_.target.pc_offset);
    if (opts_.target.pc_is_64bit) ir_.CreateStore(to64(pc), p);
    else ir_.CreateStore(pc->getType() == i32_ ? pc : ir_.CreateTrunc(pc, i32_), p);
  }
  void storePcInfo(uint64_t info) {
    ir_.CreateStore(ir_.getInt64(info), fieldPtr(offsetof(tcg::CpuCommon, pc_info)));
  }
  llvm::Value* fnPtr(const void* f) { return ir_.CreateIntToPtr(ir_.getInt64(reinterpret_cast<uint64_t>(f)), ptr_); }

  // Blocks overlap: a block that falls into another member's first
  // instruction carries its own copy of that member's code. Where the copy
  // starts on a clean instruction boundary (no IR value and no forward
  // branch crosses it), the block branches to that member instead: less to
  // compile, and the control flow of the guest's if/else is plain again, so
  // LLVM can turn short ones into selects. Not under -icount, which counts
  // each block's instructions at its entry.
  void findMergePoints(const std::vector<RegionMember>& members) {
    merge_.assign(members.size(), MergePoint{});
    if (!region_ || opts_.icount) return;
    for (size_t i = 0; i < members.size(); i++) {
      const std::vector<Op>& ops = members[i].block->ops;
      std::vector<size_t> label_pos(members[i].block->num_labels, ops.size());
      for (size_t k = 0; k < ops.size(); k++)
        if (ops[k].opc == Opcode::label) label_pos[ops[k].aux] = k;
      std::vector<uint8_t> defined(members[i].block->temps.size(), 0);
      // last_use[t]: the last op reading temp t.
      std::vector<size_t> last_use(members[i].block->temps.size(), 0);
      for (size_t k = 0; k < ops.size(); k++) {
        const unsigned outs = ops[k].numOutputs();
        for (unsigned a = outs; a < ops[k].nargs; a++)
          if (ops[k].args[a].isTemp()) last_use[ops[k].args[a].temp] = k;
      }
      size_t furthest_branch = 0;   // furthest label a branch so far jumps to
      bool crossing = false;        // some temp defined so far is read after here
      std::vector<size_t> open;     // temps defined so far whose last use is ahead
      for (size_t k = 0; k < ops.size(); k++) {
        const Op& op = ops[k];
        if (k > 0 && op.opc == Opcode::insn_start && furthest_branch < k) {
          crossing = false;
          for (size_t t : open)
            if (last_use[t] > k) crossing = true;
          if (!crossing) {
            const size_t j = contexts_.fallTarget(i, op.aux64);
            if (j != CallContexts::kNone && j != i) {
              merge_[i] = {k, j};
              break;
            }
          }
        }
        if (op.opc == Opcode::br || op.opc == Opcode::brcond) furthest_branch = std::max(furthest_branch, label_pos[op.aux]);
        for (unsigned a = 0; a < op.numOutputs(); a++)
          if (!defined[op.args[a].temp]) {
            defined[op.args[a].temp] = 1;
            open.push_back(op.args[a].temp);
          }
      }
    }
  }

  // Each member's direct edges within the region: its goto_tb exits to
  // members, the member it runs into (findMergePoints) and, in a call's
  // copy, the caller's continuation its return is predicted to reach.
  void findDirectEdges(const std::vector<RegionMember>& members) {
    const size_t n = members.size();
    direct_succ_.assign(n, {});
    for (size_t i = 0; i < n; i++) {
      const std::vector<Op>& ops = members[i].block->ops;
      for (size_t k = 0; k < ops.size() && k < merge_[i].op; k++) {
        if (ops[k].opc == Opcode::goto_tb)
          if (const size_t j = contexts_.jumpTarget(i, ops[k].aux64); j != CallContexts::kNone)
            direct_succ_[i].push_back(j);
        if (ops[k].opc == Opcode::goto_ptr && contexts_.return_to[i] != CallContexts::kNone)
          direct_succ_[i].push_back(contexts_.return_to[i]);
      }
      if (merge_[i].op != kNoMerge) direct_succ_[i].push_back(merge_[i].member);
    }
  }

  // The region's loops, nested: the strongly connected components of its
  // direct edges with a cycle, and within each, with the edges back to its
  // headers (the members entered from outside it) taken away, the loops
  // inside it. A callee's copy (call_contexts.h) sits in its caller's
  // loop; its own loop is a loop inside that one, with memos of its own.
  void findLoops(const std::vector<RegionMember>& members) {
    const size_t n = members.size();
    loop_of_.assign(n, -1);
    loop_parent_.clear();
    loop_count_ = 0;
    std::vector<uint8_t> all(n, 1);
    nestLoops(all, -1, 0);
  }
  // The loops among `in` (members of loop `parent`, or all), whose edges
  // into `parent`'s headers no longer count.
  void nestLoops(const std::vector<uint8_t>& in, int parent, unsigned depth) {
    const size_t n = in.size();
    const size_t kNone = ~size_t(0);
    auto edge = [&](size_t to) { return in[to] && !(parent >= 0 && header_of_loop_[size_t(parent)][to]); };
    // Tarjan's algorithm, iterative, over the members in `in`.
    std::vector<size_t> index(n, kNone), low(n, 0), comp(n, kNone);
    std::vector<uint8_t> on_stack(n, 0);
    std::vector<size_t> stack;
    size_t next_index = 0, comps = 0;
    for (size_t root = 0; root < n; root++) {
      if (!in[root] || index[root] != kNone) continue;
      std::vector<std::pair<size_t, size_t>> work{{root, 0}};
      index[root] = low[root] = next_index++;
      stack.push_back(root);
      on_stack[root] = 1;
      while (!work.empty()) {
        auto& [v, next] = work.back();
        if (next < direct_succ_[v].size()) {
          const size_t w = direct_succ_[v][next++];
          if (!edge(w)) continue;
          if (index[w] == kNone) {
            index[w] = low[w] = next_index++;
            stack.push_back(w);
            on_stack[w] = 1;
            work.push_back({w, 0});
          } else if (on_stack[w]) {
            low[v] = std::min(low[v], index[w]);
          }
          continue;
        }
        const size_t done = v;
        work.pop_back();
        if (!work.empty()) low[work.back().first] = std::min(low[work.back().first], low[done]);
        if (low[done] == index[done]) {
          for (size_t w = kNone; w != done;) {
            w = stack.back();
            stack.pop_back();
            on_stack[w] = 0;
            comp[w] = comps;
          }
          comps++;
        }
      }
    }
    // Components with a cycle (more than one member, or a self-edge) are
    // loops; their headers are the members an edge reaches from outside
    // (or the first member, for a component nothing enters).
    std::vector<size_t> size(comps, 0);
    for (size_t i = 0; i < n; i++)
      if (in[i]) size[comp[i]]++;
    std::vector<int> loop_id(comps, -1);
    for (size_t i = 0; i < n; i++) {
      if (!in[i]) continue;
      bool self = false;
      for (size_t j : direct_succ_[i]) self |= j == i && edge(i);
      if (size[comp[i]] < 2 && !self) continue;
      if (loop_id[comp[i]] < 0) {
        loop_id[comp[i]] = int(loop_count_++);
        loop_parent_.push_back(parent);
        header_of_loop_.emplace_back(n, 0);
      }
      loop_of_[i] = loop_id[comp[i]];
    }
    for (size_t i = 0; i < n; i++)
      for (size_t j : direct_succ_[i])
        if (in[j] && loop_id[comp[j]] >= 0 && (!in[i] || comp[i] != comp[j]))
          header_of_loop_[size_t(loop_id[comp[j]])][j] = 1;
    if (depth >= kMaxLoopDepth) return;
    for (size_t c = 0; c < comps; c++) {
      if (loop_id[c] < 0) continue;
      const size_t loop = size_t(loop_id[c]);
      std::vector<uint8_t> inner(n, 0);
      bool any_header = false;
      for (size_t i = 0; i < n; i++) {
        inner[i] = in[i] && comp[i] == c;
        any_header |= inner[i] && header_of_loop_[loop][i];
      }
      if (!any_header)
        for (size_t i = 0; i < n; i++)
          if (inner[i]) {
            header_of_loop_[loop][i] = 1;
            break;
          }
      nestLoops(inner, int(loop), depth + 1);
    }
  }
  // Whether member i is in loop `loop` (or a loop inside it).
  bool inLoop(size_t i, int loop) const {
    for (int l = loop_of_[i]; l >= 0; l = loop_parent_[size_t(l)])
      if (l == loop) return true;
    return false;
  }

  // Which members start a loop. In reverse postorder of the region's
  // direct edges (goto_tb to a member, joins) from the first member, every
  // cycle has an edge to a member no later than its source (a retreating
  // edge); checking the loop's requests at those targets bounds how long
  // the region runs without looking. The other members run with no
  // checks, which lets LLVM merge short branches into selects. Regions are
  // entered only at the first member and at loop headers (the trampolines
  // look at the requests themselves): more entries would make LLVM see
  // loops with several ways in, which it optimizes poorly; the baseline
  // code of the other members reaches an entry soon enough.
  void findLoopHeaders(const std::vector<RegionMember>& members) {
    const size_t n = members.size();
    const std::vector<std::vector<size_t>>& succ = direct_succ_;
    // Iterative depth-first search; members no edge reaches start their own.
    std::vector<size_t> post;
    std::vector<uint8_t> seen(n, 0);
    for (size_t root = 0; root < n; root++) {
      if (seen[root]) continue;
      std::vector<std::pair<size_t, size_t>> stack{{root, 0}};
      seen[root] = 1;
      while (!stack.empty()) {
        auto& [v, next] = stack.back();
        if (next < succ[v].size()) {
          const size_t w = succ[v][next++];
          if (!seen[w]) {
            seen[w] = 1;
            stack.push_back({w, 0});
          }
        } else {
          post.push_back(v);
          stack.pop_back();
        }
      }
    }
    std::vector<size_t> rpo(n);
    for (size_t k = 0; k < n; k++) rpo[post[k]] = n - 1 - k;
    loop_header_.assign(n, false);
    loop_header_[0] = !region_;   // a lone block checks at its start
    for (size_t i = 0; i < n; i++)
      for (size_t j : succ[i])
        if (rpo[j] <= rpo[i]) loop_header_[j] = true;
    entries_.assign(n, false);
    entries_[0] = true;
    // Not on another mapped page (a page guard's): entered on its own page,
    // the region could not know that its first page is still mapped.
    for (size_t i = 0; i < n; i++)
      if (loop_header_[i] && members[i].guard_vpage == RegionMember::kNoGuard) entries_[i] = true;
  }

  // A call (a helper, the softmmu's slow path) may change the region's
  // guest code (a store over it, a device's DMA): the engine then drops
  // the region, which sets exit_request. Members that a member with a
  // call branches to look at exit_request first, so code still running in
  // a dropped region leaves at the next block boundary. A memory compare
  // where a flag carried through the region in a register (set from the
  // region's valid byte after each call) had cost a register, and three
  // instructions per boundary, on every path. Members after a request
  // check with no call since need none.
  void findChecksAfterCalls(const std::vector<RegionMember>& members) {
    const size_t n = members.size();
    check_after_call_.assign(n, false);
    if (!region_) return;
    for (size_t i = 0; i < n; i++) {
      const tcg::Block& b = *members[i].block;
      bool calls = false;
      // Not after loads: a load's slow path reads a device at most, and
      // no device writes guest memory on a read (a fault leaves anyway).
      for (size_t k = 0; k < b.ops.size() && k < merge_[i].op && !calls; k++)
        calls = b.ops[k].opc == Opcode::store || (b.ops[k].opc == Opcode::call && mayDropRegion(*b.ops[k].helper()));
      // Along its direct edges (a dispatch through goto_ptr checks by itself).
      if (calls)
        for (size_t j : direct_succ_[i]) check_after_call_[j] = true;
    }
  }

  // Whether code after a call of `h` may find its region dropped: not after
  // a helper that never returns, touches nothing (pure), or is an FPU
  // operation (status word and traps only; a trap leaves anyway).
  bool mayDropRegion(const tcg::HelperInfo& h) {
    return !(h.flags & tcg::HF_NORETURN) && (h.flags & tcg::HF_PURE) != tcg::HF_PURE && !floatFastPath(h);
  }

  // Leave before running if the loop asked; -icount: take this block's
  // instructions from the budget, and ask the loop to stop after this block
  // if they ran out. Inside a region only loop headers look at the loop's
  // requests (every member under -icount, so that it stops where the
  // baseline code would), and the members a call may lead to
  // (findChecksAfterCalls).
  void prologue(bool loop_header, bool after_call) {
    if (region_ && !loop_header && !opts_.icount && !after_call) return;
    llvm::Value* req = ir_.CreateLoad(i32_, fieldPtr(offsetof(tcg::CpuCommon, exit_request)), true);
    llvm::BasicBlock* leave = llvm::BasicBlock::Create(ctx_, "exit_request", fn_);
    llvm::BasicBlock* run = llvm::BasicBlock::Create(ctx_, "run", fn_);
    condBr(ir_.CreateICmpNE(req, ir_.getInt32(0)), leave, run, Rare::IfTrue);
    ir_.SetInsertPoint(leave);
    storePc(ir_.getInt64(pc_));
    leaveWith(ir_.getInt64(0));
    ir_.SetInsertPoint(run);
    if (opts_.icount) {
      llvm::Value* p = fieldPtr(offsetof(tcg::CpuCommon, icount_budget));
      llvm::Value* left = ir_.CreateSub(ir_.CreateLoad(i32_, p), ir_.getInt32(b_->num_insns));
      ir_.CreateStore(left, p);
      llvm::BasicBlock* out = llvm::BasicBlock::Create(ctx_, "budget_out", fn_);
      llvm::BasicBlock* body = llvm::BasicBlock::Create(ctx_, "body", fn_);
      condBr(ir_.CreateICmpSLE(left, ir_.getInt32(0)), out, body, Rare::IfTrue);
      ir_.SetInsertPoint(out);
      ir_.CreateStore(ir_.getInt32(1), fieldPtr(offsetof(tcg::CpuCommon, exit_request)), true);
      ir_.CreateBr(body);
      ir_.SetInsertPoint(body);
    }
  }

  // A branch whose one side is rare: a request from the loop, a TLB miss,
  // an operand the FPU fast path does not take. Telling LLVM lets its
  // register allocator put the spills and reloads around the calls on
  // those cold sides instead of keeping guest registers in stack slots
  // through the hot loop (without weights every side counts as taken
  // half the time).
  enum class Rare { IfTrue, IfFalse };
  void condBr(llvm::Value* cond, llvm::BasicBlock* t, llvm::BasicBlock* f, Rare rare) {
    const uint32_t common = 1u << 20, seldom = 1;
    weightedBr(cond, t, f, rare == Rare::IfTrue ? seldom : common, rare == Rare::IfTrue ? common : seldom);
  }
  void weightedBr(llvm::Value* cond, llvm::BasicBlock* t, llvm::BasicBlock* f, uint32_t to_t, uint32_t to_f) {
    ir_.CreateCondBr(cond, t, f, llvm::MDBuilder(ctx_).createBranchWeights(to_t, to_f));
  }

  // A branch usually taken to `t` (a direct window or a page memo that
  // hits), but not rarely enough for a cold path: the weights make LLVM
  // lay `t` out as the fall-through, so that a loop's accesses that hit
  // take no branch (str_copy's region loop took three a byte, now one).
  void likelyBr(llvm::Value* cond, llvm::BasicBlock* t, llvm::BasicBlock* f) { weightedBr(cond, t, f, 64, 1); }

  llvm::Value* cmp(Cond c, llvm::Value* a, llvm::Value* b) {
    using P = llvm::CmpInst::Predicate;
    switch (c) {
      case Cond::EQ: return ir_.CreateICmp(P::ICMP_EQ, a, b);
      case Cond::NE: return ir_.CreateICmp(P::ICMP_NE, a, b);
      case Cond::LT: return ir_.CreateICmp(P::ICMP_SLT, a, b);
      case Cond::GE: return ir_.CreateICmp(P::ICMP_SGE, a, b);
      case Cond::LE: return ir_.CreateICmp(P::ICMP_SLE, a, b);
      case Cond::GT: return ir_.CreateICmp(P::ICMP_SGT, a, b);
      case Cond::LTU: return ir_.CreateICmp(P::ICMP_ULT, a, b);
      case Cond::GEU: return ir_.CreateICmp(P::ICMP_UGE, a, b);
      case Cond::LEU: return ir_.CreateICmp(P::ICMP_ULE, a, b);
      case Cond::GTU: return ir_.CreateICmp(P::ICMP_UGT, a, b);
      case Cond::ALWAYS: return ir_.getTrue();
      case Cond::NEVER: return ir_.getFalse();
    }
    return ir_.getFalse();
  }

  llvm::Value* intrinsic(llvm::Intrinsic::ID id, llvm::Type* t, llvm::ArrayRef<llvm::Value*> args) {
    return ir_.CreateCall(llvm::Intrinsic::getDeclaration(&m_, id, {t}), args);
  }

  // The value of a pure op (tcg/eval.h is the reference).
  llvm::Value* pure(const Op& op) {
    const Type t = op.type;
    llvm::Type* lt = ty(t);
    const unsigned w = bits(t);
    auto in = [&](int k) { return val(op.args[1 + k]); };
    auto countMask = [&](llvm::Value* n) { return ir_.CreateAnd(n, llvm::ConstantInt::get(lt, w - 1)); };
    auto ones = [&](unsigned len) { return len >= 64 ? ~0ull : (1ull << len) - 1; };
    switch (op.opc) {
      case Opcode::mov: return in(0);
      case Opcode::add: return ir_.CreateAdd(in(0), in(1));
      case Opcode::sub: return ir_.CreateSub(in(0), in(1));
      case Opcode::mul: return ir_.CreateMul(in(0), in(1));
      case Opcode::and_: return ir_.CreateAnd(in(0), in(1));
      case Opcode::or_: return ir_.CreateOr(in(0), in(1));
      case Opcode::xor_: return ir_.CreateXor(in(0), in(1));
      case Opcode::not_: return ir_.CreateNot(in(0));
      case Opcode::neg: return ir_.CreateNeg(in(0));
      case Opcode::shl: return ir_.CreateShl(in(0), countMask(in(1)));
      case Opcode::shr: return ir_.CreateLShr(in(0), countMask(in(1)));
      case Opcode::sar: return ir_.CreateAShr(in(0), countMask(in(1)));
      case Opcode::rotr: {
        llvm::Value* a = in(0);
        return intrinsic(llvm::Intrinsic::fshr, lt, {a, a, in(1)});   // the count is taken modulo the width
      }
      case Opcode::divs:
      case Opcode::rems:
      case Opcode::divu:
      case Opcode::remu: {
        // Frontends guard the undefined cases; make them harmless anyway
        // (LLVM would treat them as undefined behaviour): b == 0 -> 1, and
        // MIN / -1 -> MIN / 1.
        llvm::Value* a = in(0);
        llvm::Value* bb = in(1);
        llvm::Value* zero = llvm::ConstantInt::get(lt, 0);
        llvm::Value* one = llvm::ConstantInt::get(lt, 1);
        bb = ir_.CreateSelect(ir_.CreateICmpEQ(bb, zero), one, bb);
        if (op.opc == Opcode::divs || op.opc == Opcode::rems) {
          llvm::Value* min = llvm::ConstantInt::get(lt, 1ull << (w - 1));
          llvm::Value* bad = ir_.CreateAnd(ir_.CreateICmpEQ(a, min), ir_.CreateICmpEQ(bb, llvm::ConstantInt::getAllOnesValue(lt)));
          bb = ir_.CreateSelect(bad, one, bb);
          return op.opc == Opcode::divs ? ir_.CreateSDiv(a, bb) : ir_.CreateSRem(a, bb);
        }
        return op.opc == Opcode::divu ? ir_.CreateUDiv(a, bb) : ir_.CreateURem(a, bb);
      }
      case Opcode::clz: return intrinsic(llvm::Intrinsic::ctlz, lt, {in(0), ir_.getFalse()});
      case Opcode::bswap16: {
        llvm::Value* h = ir_.CreateTrunc(in(0), ir_.getInt16Ty());
        return ir_.CreateZExt(intrinsic(llvm::Intrinsic::bswap, ir_.getInt16Ty(), {h}), lt);
      }
      case Opcode::bswap32: {
        llvm::Value* v = t == Type::I32 ? in(0) : ir_.CreateTrunc(in(0), i32_);
        llvm::Value* s = intrinsic(llvm::Intrinsic::bswap, i32_, {v});
        return t == Type::I32 ? s : ir_.CreateZExt(s, lt);
      }
      case Opcode::bswap64: return intrinsic(llvm::Intrinsic::bswap, i64_, {in(0)});
      case Opcode::sext8: return ir_.CreateSExt(ir_.CreateTrunc(in(0), ir_.getInt8Ty()), lt);
      case Opcode::sext16: return ir_.CreateSExt(ir_.CreateTrunc(in(0), ir_.getInt16Ty()), lt);
      case Opcode::zext8: return ir_.CreateZExt(ir_.CreateTrunc(in(0), ir_.getInt8Ty()), lt);
      case Opcode::zext16: return ir_.CreateZExt(ir_.CreateTrunc(in(0), ir_.getInt16Ty()), lt);
      case Opcode::sext32: return ir_.CreateSExt(in(0), i64_);
      case Opcode::zext32: return ir_.CreateZExt(in(0), i64_);
      case Opcode::trunc: return ir_.CreateTrunc(in(0), i32_);
      case Opcode::extract: {
        const unsigned pos = op.fieldPos(), len = op.fieldLen();
        llvm::Value* v = pos ? ir_.CreateLShr(in(0), pos) : in(0);
        return len >= w ? v : ir_.CreateAnd(v, llvm::ConstantInt::get(lt, ones(len)));
      }
      case Opcode::sextract: {
        const unsigned pos = op.fieldPos(), len = op.fieldLen();
        llvm::Value* v = ir_.CreateShl(in(0), w - pos - len);
        return ir_.CreateAShr(v, w - len);
      }
      case Opcode::deposit: {
        const unsigned pos = op.fieldPos(), len = op.fieldLen();
        const uint64_t m = (ones(len) << pos) & tcg::typeMask(t);
        llvm::Value* keep = ir_.CreateAnd(in(0), llvm::ConstantInt::get(lt, ~m & tcg::typeMask(t)));
        llvm::Value* ins = ir_.CreateAnd(ir_.CreateShl(in(1), pos), llvm::ConstantInt::get(lt, m));
        return ir_.CreateOr(keep, ins);
      }
      case Opcode::setcond: return ir_.CreateZExt(cmp(op.cond, in(0), in(1)), lt);
      case Opcode::movcond: return ir_.CreateSelect(cmp(op.cond, in(0), in(1)), in(2), in(3));
      default: return nullptr;
    }
  }

  // The softmmu fast path inline, as the baseline JIT emits it: the TLB
  // entry of the address's page in the access's MMU mode; a tag equal to
  // the page with the alignment bits clear is plain RAM at vaddr + addend.
  // Anything else (miss, device, code page, watchpoint, misaligned) takes
  // the out-of-line slow path, which alone may raise a guest exception.
  struct TlbProbe {
    llvm::Value* vaddr;
    llvm::Value* addend;   // host address - guest address, on the fast path
    llvm::BasicBlock* slow;
    llvm::BasicBlock* join;
    // A load's direct window, or a host-mapped page (probeTlb): a block of
    // its own, open for the access, with a constant addend.
    llvm::BasicBlock* window = nullptr;
    llvm::Value* window_addend = nullptr;
  };
  // An access of the host-mapped mode (LowerOptions::fastmem_states).
  bool hostMapped(const Op& op) const {
    if (!opts_.fastmem_states || (op.opc != Opcode::load && op.opc != Opcode::store)) return false;
    const Value& addr = op.args[op.opc == Opcode::store ? 0 : 1];
    return int(tcg::MemOp::unpack(op.aux).mmu_idx) == opts_.fastmem_mmu_idx && addr.type == Type::I32;
  }
  // In a region, the accesses through one guest base register (a load or
  // store whose address is that register, or it plus a constant)
  // remember the last page they hit: its key (page | alignment bits) and
  // the TLB entry's addend, in two SSA values. A loop that walks an array
  // or a string hits the same page again and again, and the memo turns the
  // probe's index arithmetic and two dependent loads into one compare of
  // registers. Memos are loop-carried values, each holding two host
  // registers, so only the kMaxMemos busiest bases get one (a memo per
  // access made regions 4 times slower to compile and spill everywhere).
  // Each loop of the region (findLoops) has memos of its own, forgotten
  // on every way into it: they are dead outside the loop, so a small loop
  // (a string copy in a region that also holds its caller) gets its bases'
  // memos in registers instead of losing them to the region's busiest
  // bases, and they cost no register anywhere else.
  // A memo never outlives the function's invocation. Within it, a mapping
  // changes only in a helper (TLB writes, ASID changes), so every memo is
  // forgotten after each helper call; the softmmu's slow path does not
  // change one (a refill evicts an entry, but the mapping the memo holds
  // stays true; a store over code makes the region leave by its valid
  // byte).
  struct Memo {
    llvm::AllocaInst* key = nullptr;
    llvm::AllocaInst* addend = nullptr;
  };
  static constexpr size_t kMaxMemos = 4;
  static constexpr uint64_t kNoPage = ~uint64_t(0);   // no key: keys are 32-bit addresses
  // The guest state slot an access's address is based on, if any; `def`:
  // the op defining each temp so far in the block.
  static std::optional<uint32_t> baseSlot(const std::vector<const Op*>& def, const Value& addr) {
    if (!addr.isTemp()) return std::nullopt;
    const Op* d = def[addr.temp];
    if (d && d->opc == Opcode::add) {
      const Value& x = d->args[1];
      const Value& y = d->args[2];
      if (x.isTemp() && y.isConst()) d = def[x.temp];
      else if (y.isTemp() && x.isConst()) d = def[y.temp];
      else return std::nullopt;
    }
    if (d && d->opc == Opcode::get) return d->aux;
    return std::nullopt;
  }
  // The memos of the accesses chosen below. An access right after its
  // member gave the base register a new value (not a step: a pointer
  // loaded or computed afresh, like gzip's next match anywhere in a 64 KiB
  // window) probes the TLB without comparing with the memo first, and only
  // fills it for the accesses after it: that compare mostly failed, and
  // its branch mispredicted.
  void decideMemos(const std::vector<RegionMember>& members) {
    if (!region_ || opts_.no_tlb_memo) return;
    using Base = std::tuple<int, uint32_t, bool, unsigned>;   // loop (-1: none), slot, store, MMU mode
    std::map<Base, size_t> uses;
    std::map<std::pair<size_t, const Op*>, Base> base_of;   // (member, access) -> its base
    for (size_t i = 0; i < members.size(); i++) {
      const tcg::Block& b = *members[i].block;
      std::vector<const Op*> def(b.temps.size(), nullptr);
      // Slots this member gave a new value (not a step) since its last
      // access through them.
      std::set<uint32_t> moved;
      for (const Op& op : b.ops) {
        // Loads in a direct window (probeTlb) need no memo.
        const bool windowed = (op.opc == Opcode::load && opts_.windows[tcg::MemOp::unpack(op.aux).mmu_idx].size) ||
                              hostMapped(op);
        if ((op.opc == Opcode::load && !windowed) || op.opc == Opcode::store) {
          const bool store = op.opc == Opcode::store;
          if (auto slot = baseSlot(def, op.args[store ? 0 : 1])) {
            const Base key{loop_of_[i], *slot, store, tcg::MemOp::unpack(op.aux).mmu_idx};
            uses[key]++;
            base_of[{i, &op}] = key;
            if (moved.erase(*slot)) memo_fill_only_.insert({i, &op});
          }
        }
        // A step (the slot's own value plus a constant: a pointer walking
        // an array or a string, the stack pointer) keeps to the page.
        if (op.opc == Opcode::put && baseSlot(def, op.args[0]) != op.aux) moved.insert(op.aux);
        for (unsigned o = 0; o < op.numOutputs(); o++) def[op.args[o].temp] = &op;
      }
    }
    // The busiest bases of each loop, and of the code in no loop.
    std::map<int, std::vector<std::pair<size_t, Base>>> ranked;
    for (auto& [key, n] : uses) ranked[std::get<0>(key)].push_back({n, key});
    std::map<Base, size_t> chosen;
    llvm::IRBuilder<> at(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    loop_memos_.assign(loop_count_, {});
    for (auto& [loop, bases] : ranked) {
      std::stable_sort(bases.begin(), bases.end(), [](auto& x, auto& y) { return x.first > y.first; });
      for (size_t i = 0; i < bases.size() && i < kMaxMemos; i++) {
        Memo mm{at.CreateAlloca(i64_), at.CreateAlloca(i64_)};
        at.CreateStore(ir_.getInt64(kNoPage), mm.key);
        at.CreateStore(ir_.getInt64(0), mm.addend);
        chosen[bases[i].second] = memos_.size();
        if (loop >= 0) loop_memos_[size_t(loop)].push_back(memos_.size());
        memos_.push_back(mm);
      }
    }
    for (auto& [access, key] : base_of)
      if (auto it = chosen.find(key); it != chosen.end()) memo_of_[access] = it->second;
  }
  // On a way into a loop from outside it: its memos start empty (their
  // values from an earlier visit stay true, but would be live outside).
  void forgetLoopMemos(int loop) {
    if (loop < 0 || size_t(loop) >= loop_memos_.size()) return;
    for (size_t k : loop_memos_[size_t(loop)]) {
      ir_.CreateStore(ir_.getInt64(kNoPage), memos_[k].key);
      ir_.CreateStore(ir_.getInt64(0), memos_[k].addend);
    }
  }
  // A branch to member j, from the member being lowered: the loops it
  // enters start with their memos empty. Into another mapped page, the
  // page's mapping is checked first (its page guard).
  void branchToMember(size_t j) {
    const RegionMember& to = (*members_)[j];
    if (to.guard_vpage != RegionMember::kNoGuard && (to.pc & tcg::kPageMask) != (pc_ & tcg::kPageMask))
      emitPageGuard(to);
    for (int l = loop_of_[j]; l >= 0; l = loop_parent_[size_t(l)])
      if (!inLoop(cur_, l)) forgetLoopMemos(l);
    ir_.CreateBr(member_entry_[j]);
  }
  // Whether the TLB maps the member's page as when the region was built:
  // the entry's fetch tag is the page with no flags, and its addend the
  // same (so the same physical page). Anything else (another mapping, no
  // entry: evicted, flushed, another address space) leaves the region at
  // the member, through the loop, which looks the page up afresh. Block
  // lookups keep the entry of a page being run in the TLB (codePhysAddr).
  void emitPageGuard(const RegionMember& to) {
    const uint64_t idx = (to.guard_vpage >> tcg::kPageBits) & (tcg::kTlbEntries - 1);
    const uint64_t entry = offsetof(tcg::CpuCommon, tlb) +
                           (uint64_t(to.guard_mmu_idx) * tcg::kTlbEntries + idx) * sizeof(tcg::TlbEntry);
    llvm::Value* tag = ir_.CreateLoad(i64_, fieldPtr(entry + offsetof(tcg::TlbEntry, addr_code)));
    llvm::Value* addend = ir_.CreateLoad(i64_, fieldPtr(entry + offsetof(tcg::TlbEntry, addend)));
    llvm::Value* same = ir_.CreateAnd(ir_.CreateICmpEQ(tag, ir_.getInt64(to.guard_vpage)),
                                      ir_.CreateICmpEQ(addend, ir_.getInt64(to.guard_addend)));
    llvm::BasicBlock* leave = llvm::BasicBlock::Create(ctx_, "page_moved", fn_);
    llvm::BasicBlock* go = llvm::BasicBlock::Create(ctx_, "page_same", fn_);
    condBr(same, go, leave, Rare::IfFalse);
    ir_.SetInsertPoint(leave);
    storePc(ir_.getInt64(to.pc));
    leaveWith(ir_.getInt64(0));
    ir_.SetInsertPoint(go);
  }

  // After every helper call: the memos are forgotten (finishMemos, at the
  // end, when the calls' places are all known).
  void forgetMemosAfter(llvm::Instruction* call) { calls_.push_back(call); }
  void finishMemos() {
    for (llvm::Instruction* call : calls_) {
      if (!call->getNextNode()) continue;
      llvm::IRBuilder<> at(call->getNextNode());
      for (const Memo& mm : memos_) at.CreateStore(ir_.getInt64(kNoPage), mm.key);
    }
  }
  TlbProbe probeTlb(const Op& op, llvm::Value* addr, const tcg::MemOp& m, bool write) {
    TlbProbe p;
    p.vaddr = to64(addr);
    llvm::Value* key = ir_.CreateAnd(p.vaddr, ir_.getInt64(tcg::kPageMask | (m.bytes() - 1)));
    p.slow = llvm::BasicBlock::Create(ctx_, "tlb_miss", fn_);
    p.join = llvm::BasicBlock::Create(ctx_, "mem_done", fn_);
    llvm::BasicBlock* fast = llvm::BasicBlock::Create(ctx_, "tlb_hit", fn_);
    auto found = memo_of_.find({cur_, &op});
    const bool memo = found != memo_of_.end();
    Memo mm{};
    llvm::BasicBlock* memo_hit = nullptr;
    llvm::Value* memo_addend = nullptr;
    // Loads in a direct window (tcg::Cpu::directWindow) read host RAM at a
    // constant offset: a range check, no TLB, no memo.
    const tcg::Cpu::DirectWindow& w = opts_.windows[m.mmu_idx];
    llvm::BasicBlock* window_hit = nullptr;
    if (!write && w.size >= m.bytes() && region_) {
      window_hit = llvm::BasicBlock::Create(ctx_, "window", fn_);
      llvm::BasicBlock* not_window = llvm::BasicBlock::Create(ctx_, "not_window", fn_);
      // On a 32-bit address, in 32 bits: LLVM turns the check into a mask
      // and a compare, whose constants then fit in the instructions.
      llvm::Value* a = addr->getType() == i32_ && w.vbase + w.size <= (uint64_t(1) << 32) ? addr : p.vaddr;
      llvm::Type* at = a->getType();
      llvm::Value* in = ir_.CreateICmpULT(ir_.CreateSub(a, llvm::ConstantInt::get(at, w.vbase)),
                                          llvm::ConstantInt::get(at, w.size - (m.bytes() - 1)));   // the last byte in RAM too
      if (m.aligned && m.bytes() > 1)
        in = ir_.CreateAnd(in, ir_.CreateICmpEQ(ir_.CreateAnd(p.vaddr, ir_.getInt64(m.bytes() - 1)), ir_.getInt64(0)));
      likelyBr(in, window_hit, not_window);
      p.window = window_hit;
      p.window_addend = ir_.getInt64(reinterpret_cast<uint64_t>(w.host) - w.vbase);
      ir_.SetInsertPoint(not_window);
    }
    if (!window_hit && region_ && hostMapped(op)) {
      // A host-mapped page (tcg/fastmem.h): the page's state says whether
      // base + vaddr may be used. Unlike the TLB's addend, nothing loaded
      // feeds the access's address: the check is a predicted branch.
      window_hit = llvm::BasicBlock::Create(ctx_, "host_mapped", fn_);
      llvm::BasicBlock* not_mapped = llvm::BasicBlock::Create(ctx_, "not_host_mapped", fn_);
      // p.vaddr is the 32-bit address zero-extended (hostMapped): it
      // indexes the 4 GiB table and adds to the base as it is.
      llvm::Value* states = ir_.CreateIntToPtr(ir_.getInt64(reinterpret_cast<uint64_t>(opts_.fastmem_states)), ptr_);
      llvm::Value* state = ir_.CreateLoad(
          ir_.getInt8Ty(), ir_.CreateInBoundsGEP(ir_.getInt8Ty(), states, ir_.CreateLShr(p.vaddr, tcg::kPageBits)));
      llvm::Value* ok = write ? ir_.CreateICmpEQ(state, ir_.getInt8(tcg::Fastmem::kPageWrite))
                              : ir_.CreateICmpULT(ir_.CreateSub(state, ir_.getInt8(tcg::Fastmem::kPageRead)), ir_.getInt8(2));
      if (m.aligned && m.bytes() > 1)
        ok = ir_.CreateAnd(ok, ir_.CreateICmpEQ(ir_.CreateAnd(p.vaddr, ir_.getInt64(m.bytes() - 1)), ir_.getInt64(0)));
      likelyBr(ok, window_hit, not_mapped);
      p.window = window_hit;
      p.window_addend = ir_.getInt64(uint64_t(int64_t(opts_.fastmem_base)));
      ir_.SetInsertPoint(not_mapped);
    }
    if (memo) mm = memos_[found->second];
    if (memo && !memo_fill_only_.count({cur_, &op})) {
      memo_hit = llvm::BasicBlock::Create(ctx_, "memo_hit", fn_);
      llvm::BasicBlock* probe = llvm::BasicBlock::Create(ctx_, "probe", fn_);
      likelyBr(ir_.CreateICmpEQ(key, ir_.CreateLoad(i64_, mm.key)), memo_hit, probe);
      ir_.SetInsertPoint(memo_hit);
      memo_addend = ir_.CreateLoad(i64_, mm.addend);
      ir_.CreateBr(fast);
      ir_.SetInsertPoint(probe);
    }
    llvm::Value* idx = ir_.CreateAnd(ir_.CreateLShr(p.vaddr, tcg::kPageBits), tcg::kTlbEntries - 1);
    const uint64_t base = offsetof(tcg::CpuCommon, tlb) + uint64_t(m.mmu_idx) * tcg::kTlbEntries * sizeof(tcg::TlbEntry);
    llvm::Value* off = ir_.CreateAdd(ir_.getInt64(base), ir_.CreateShl(idx, 5));
    llvm::Value* entry = ir_.CreateInBoundsGEP(ir_.getInt8Ty(), common_, off);
    llvm::Value* tag_ptr = ir_.CreateInBoundsGEP(
        ir_.getInt8Ty(), entry, ir_.getInt64(write ? offsetof(tcg::TlbEntry, addr_write) : offsetof(tcg::TlbEntry, addr_read)));
    llvm::Value* tag = ir_.CreateLoad(i64_, tag_ptr);
    llvm::BasicBlock* hit = llvm::BasicBlock::Create(ctx_, "probe_hit", fn_);
    condBr(ir_.CreateICmpEQ(key, tag), hit, p.slow, Rare::IfFalse);
    ir_.SetInsertPoint(hit);
    llvm::Value* addend =
        ir_.CreateLoad(i64_, ir_.CreateInBoundsGEP(ir_.getInt8Ty(), entry, ir_.getInt64(offsetof(tcg::TlbEntry, addend))));
    if (memo) {
      ir_.CreateStore(key, mm.key);
      ir_.CreateStore(addend, mm.addend);
    }
    ir_.CreateBr(fast);
    ir_.SetInsertPoint(fast);
    if (memo_hit) {
      llvm::PHINode* phi = ir_.CreatePHI(i64_, 2);
      phi->addIncoming(memo_addend, memo_hit);
      phi->addIncoming(addend, hit);
      p.addend = phi;
    } else {
      p.addend = addend;
    }
    return p;
  }
  llvm::Value* hostPtr(llvm::Value* vaddr, llvm::Value* addend) { return ir_.CreateIntToPtr(ir_.CreateAdd(vaddr, addend), ptr_); }

  void emitLoad(const Op& op) {
    const tcg::MemOp m = tcg::MemOp::unpack(op.aux);
    llvm::Type* rt = ty(op.type);
    TlbProbe p = probeTlb(op, val(op.args[1]), m, false);
    llvm::IntegerType* it = ir_.getIntNTy(8 * m.bytes());
    auto access = [&](llvm::Value* addend) {
      llvm::Value* v = ir_.CreateAlignedLoad(it, hostPtr(p.vaddr, addend), llvm::MaybeAlign(1));
      if (m.big_endian && m.bytes() > 1) v = intrinsic(llvm::Intrinsic::bswap, it, {v});
      if (it != rt) v = m.sign ? ir_.CreateSExt(v, rt) : ir_.CreateZExt(v, rt);
      set(op.args[0], v);
      ir_.CreateBr(p.join);
    };
    access(p.addend);
    // The window's access on its own: its addend a constant, not a phi
    // with the TLB's, so that LLVM can keep it in a register through a
    // loop instead of loading the 64-bit constant again before every load.
    if (p.window) {
      ir_.SetInsertPoint(p.window);
      access(p.window_addend);
    }
    ir_.SetInsertPoint(p.slow);
    storePcInfo(op.pc_info);
    syncGuestState();   // a fault unwinds from here with env as the exception sees it
    auto* fty = llvm::FunctionType::get(i64_, {ptr_, i64_, i32_}, false);
    llvm::Value* r = ir_.CreateCall(fty, fnPtr(reinterpret_cast<const void*>(&tcg::slowLoad)),
                                    {common_, p.vaddr, ir_.getInt32(op.aux)});
    set(op.args[0], op.type == Type::I32 ? ir_.CreateTrunc(r, i32_) : r);
    ir_.CreateBr(p.join);
    ir_.SetInsertPoint(p.join);
  }

  void emitStore(const Op& op) {
    const tcg::MemOp m = tcg::MemOp::unpack(op.aux);
    llvm::Value* value = val(op.args[1]);
    TlbProbe p = probeTlb(op, val(op.args[0]), m, true);
    llvm::IntegerType* it = ir_.getIntNTy(8 * m.bytes());
    auto access = [&](llvm::Value* addend) {
      llvm::Value* v = value->getType() == it ? value
                       : it->getBitWidth() < value->getType()->getIntegerBitWidth() ? ir_.CreateTrunc(value, it)
                                                                                    : ir_.CreateZExt(value, it);
      if (m.big_endian && m.bytes() > 1) v = intrinsic(llvm::Intrinsic::bswap, it, {v});
      ir_.CreateAlignedStore(v, hostPtr(p.vaddr, addend), llvm::MaybeAlign(1));
      ir_.CreateBr(p.join);
    };
    access(p.addend);
    if (p.window) {   // a host-mapped page
      ir_.SetInsertPoint(p.window);
      access(p.window_addend);
    }
    ir_.SetInsertPoint(p.slow);
    storePcInfo(op.pc_info);
    syncGuestState();
    auto* fty = llvm::FunctionType::get(ir_.getVoidTy(), {ptr_, i64_, i64_, i32_}, false);
    ir_.CreateCall(fty, fnPtr(reinterpret_cast<const void*>(&tcg::slowStore)),
                   {common_, p.vaddr, to64(value), ir_.getInt32(op.aux)});
    ir_.CreateBr(p.join);
    ir_.SetInsertPoint(p.join);
  }

  // A region's indirect jump (same mode, same page mapping): to a member,
  // a branch; elsewhere, out through the trampoline's jump-cache probe. It
  // looks at the loop's requests first, as a loop header does, since it may
  // close a loop through any member.
  void regionIndirectJump(llvm::Value* target) {
    llvm::Value* req = ir_.CreateLoad(i32_, fieldPtr(offsetof(tcg::CpuCommon, exit_request)), true);
    llvm::BasicBlock* leave = llvm::BasicBlock::Create(ctx_, "exit_request", fn_);
    llvm::BasicBlock* go = llvm::BasicBlock::Create(ctx_, "dispatch", fn_);
    llvm::BasicBlock* out = llvm::BasicBlock::Create(ctx_, "leave_region", fn_);
    condBr(ir_.CreateICmpNE(req, ir_.getInt32(0)), leave, go, Rare::IfTrue);
    ir_.SetInsertPoint(leave);
    storePc(target);
    leaveWith(ir_.getInt64(0));
    ir_.SetInsertPoint(go);
    // A return (not a switch: findDirtySlots) writes the registers back and
    // loads them again: what the member returned to uses comes from env,
    // and nothing the caller holds stays live through the callee.
    const bool returns = !dispatches_;
    if (returns) {
      syncGuestState();
      reloadGuestState();
      synced_ = true;
    }
    // For the first member's page (the region's): a table indexed by the
    // target's word in the page gives the member (+1), and a dense switch on that becomes
    // one indirect jump (a switch on the PCs themselves would be a tree of
    // compares, each as unpredictable as the guest's jump).
    const uint64_t page = (*members_)[0].pc & tcg::kPageMask;
    if (!pc_table_) {
      // Members from other pages (a region over fixed mappings) are
      // reached by direct branches only.
      // A member's first copy (call_contexts.h) stands for all of them.
      std::vector<uint8_t> table(tcg::kPageSize / 4, 0);
      for (size_t j : contexts_.canonical)
        if (((*members_)[j].pc & tcg::kPageMask) == page) table[((*members_)[j].pc & (tcg::kPageSize - 1)) >> 2] = uint8_t(j + 1);
      llvm::Constant* init = llvm::ConstantDataArray::get(ctx_, table);
      pc_table_ = new llvm::GlobalVariable(m_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, "pcs");
    }
    if (returns)   // into any member: no loop's memos live through the dispatch
      for (size_t loop = 0; loop < loop_count_; loop++) forgetLoopMemos(int(loop));
    llvm::Value* t64 = to64(target);
    llvm::Value* in_page = ir_.CreateICmpEQ(ir_.CreateAnd(t64, ir_.getInt64(tcg::kPageMask | 3)), ir_.getInt64(page));
    llvm::BasicBlock* lookup = llvm::BasicBlock::Create(ctx_, "lookup", fn_);
    ir_.CreateCondBr(in_page, lookup, out);
    ir_.SetInsertPoint(lookup);
    llvm::Value* word = ir_.CreateLShr(ir_.CreateAnd(t64, ir_.getInt64(tcg::kPageSize - 1)), 2);
    llvm::Value* which = ir_.CreateLoad(ir_.getInt8Ty(), ir_.CreateInBoundsGEP(ir_.getInt8Ty(), pc_table_, word));
    llvm::SwitchInst* sw = ir_.CreateSwitch(which, out, unsigned(contexts_.canonical.size()));
    for (size_t j : contexts_.canonical)
      if (((*members_)[j].pc & tcg::kPageMask) == page) sw->addCase(ir_.getInt8(uint8_t(j + 1)), member_entry_[j]);
    ir_.SetInsertPoint(out);
    storePc(target);
    leaveWith(ir_.getInt64(1));
    synced_ = false;
  }

  // The helper's inline fast path (tcg::FloatFastPath), if this host can
  // run it.
  static const tcg::FloatFastPath* floatFastPath(const tcg::HelperInfo& h) {
    static const bool has_fma = __builtin_cpu_supports("fma");
    return tcg::inlinableFastPath(h, has_fma);
  }

  // The ordinary cases of an IEEE operation on the host's FPU, with the
  // checks of frontends/mips/fpu/fpu_host.h as integer tests on the bit
  // patterns (that file explains the ranges); anything else calls the
  // helper on a cold path. The status word stays in a register with the
  // guest's (cacheGuestState), so an FPU loop runs without calls.
  void emitFloatFastPath(const Op& op) {
    const tcg::HelperInfo& h = *op.helper();
    const tcg::FloatFastPath& f = *h.fast;
    const bool dbl = h.ret == Type::I64;
    llvm::IntegerType* it = dbl ? i64_ : i32_;
    llvm::Type* ft = dbl ? ir_.getDoubleTy() : ir_.getFloatTy();
    const unsigned frac = dbl ? 52 : 23;
    const uint64_t exp_max = dbl ? 2047 : 255;
    const uint64_t sign = dbl ? 1ull << 63 : 1ull << 31;
    const uint64_t mul_lo = frac + 3;   // fpu_host.h's kHostMulLo
    auto c = [&](uint64_t v) { return llvm::ConstantInt::get(it, v); };
    auto isZero = [&](llvm::Value* x) { return ir_.CreateICmpEQ(ir_.CreateAnd(x, c(sign - 1)), c(0)); };
    // The exponent field in [lo, exp_max - 1]: finite and normal (lo >= 1).
    auto expIn = [&](llvm::Value* x, uint64_t lo) {
      llvm::Value* e = ir_.CreateAnd(ir_.CreateLShr(x, frac), c(exp_max));
      return ir_.CreateICmpULT(ir_.CreateSub(e, c(lo)), c(exp_max - lo));
    };
    auto zeroOrExpIn = [&](llvm::Value* x, uint64_t lo) { return ir_.CreateOr(isZero(x), expIn(x, lo)); };
    auto toF = [&](llvm::Value* x) { return ir_.CreateBitCast(x, ft); };
    auto fma = [&](llvm::Value* x, llvm::Value* y, llvm::Value* z) { return intrinsic(llvm::Intrinsic::fma, ft, {x, y, z}); };
    auto nonZero = [&](llvm::Value* x) { return ir_.CreateFCmpUNE(x, llvm::ConstantFP::get(x->getType(), 0.0)); };

    const unsigned outs = 1;
    llvm::Value* a = val(op.args[outs]);
    llvm::Value* x = toF(a);
    llvm::Value* ok = nullptr;
    llvm::Value* result = nullptr;
    llvm::Value* inexact = nullptr;
    switch (f.kind) {
      case tcg::FloatFastPath::Add:
      case tcg::FloatFastPath::Sub: {
        llvm::Value* b = val(op.args[outs + 1]);
        llvm::Value* y = f.kind == tcg::FloatFastPath::Sub ? ir_.CreateFNeg(toF(b)) : toF(b);
        llvm::Value* sum = ir_.CreateFAdd(x, y);
        result = ir_.CreateBitCast(sum, it);
        ok = ir_.CreateAnd(ir_.CreateAnd(zeroOrExpIn(a, 1), zeroOrExpIn(b, 1)), zeroOrExpIn(result, 2));
        // TwoSum: the exact rounding error of x + y.
        llvm::Value* yv = ir_.CreateFSub(sum, x);
        llvm::Value* err = ir_.CreateFAdd(ir_.CreateFSub(x, ir_.CreateFSub(sum, yv)), ir_.CreateFSub(y, yv));
        inexact = nonZero(err);
        break;
      }
      case tcg::FloatFastPath::Mul: {
        llvm::Value* b = val(op.args[outs + 1]);
        llvm::Value* y = toF(b);
        llvm::Value* p = ir_.CreateFMul(x, y);
        result = ir_.CreateBitCast(p, it);
        // A zero operand gives an exact signed zero (its residual is 0).
        ok = ir_.CreateAnd(ir_.CreateAnd(zeroOrExpIn(a, 1), zeroOrExpIn(b, 1)),
                           ir_.CreateOr(ir_.CreateOr(isZero(a), isZero(b)), expIn(result, mul_lo)));
        inexact = nonZero(fma(x, y, ir_.CreateFNeg(p)));
        break;
      }
      case tcg::FloatFastPath::Div: {
        llvm::Value* b = val(op.args[outs + 1]);
        llvm::Value* y = toF(b);
        llvm::Value* q = ir_.CreateFDiv(x, y);
        result = ir_.CreateBitCast(q, it);
        ok = ir_.CreateAnd(ir_.CreateAnd(zeroOrExpIn(a, mul_lo), expIn(b, 1)),
                           ir_.CreateOr(isZero(a), expIn(result, mul_lo)));
        inexact = nonZero(fma(ir_.CreateFNeg(q), y, x));
        break;
      }
      case tcg::FloatFastPath::Sqrt: {
        llvm::Value* s = intrinsic(llvm::Intrinsic::sqrt, ft, {x});
        result = ir_.CreateBitCast(s, it);
        // sqrt(+-0) = +-0 exactly; otherwise positive and in range.
        llvm::Value* positive = ir_.CreateICmpEQ(ir_.CreateAnd(a, c(sign)), c(0));
        ok = ir_.CreateOr(isZero(a), ir_.CreateAnd(positive, expIn(a, mul_lo)));
        inexact = nonZero(fma(ir_.CreateFNeg(s), s, x));
        break;
      }
    }
    // The status word: nearest only; Inexact into Cause and Flags unless
    // it traps (the helper raises it).
    llvm::Value* status = loadState(f.status_offset, Type::I32);
    llvm::Value* mode_ok = ir_.CreateICmpEQ(ir_.CreateAnd(status, ir_.getInt32(f.mode_mask)), ir_.getInt32(0));
    llvm::Value* traps =
        ir_.CreateAnd(inexact, ir_.CreateICmpNE(ir_.CreateAnd(status, ir_.getInt32(f.inexact_enable)), ir_.getInt32(0)));
    ok = ir_.CreateAnd(ir_.CreateAnd(ok, mode_ok), ir_.CreateNot(traps));
    llvm::Value* new_status = ir_.CreateOr(ir_.CreateAnd(status, ir_.getInt32(~f.cause_mask)),
                                           ir_.CreateSelect(inexact, ir_.getInt32(f.inexact_cause | f.inexact_flag),
                                                            ir_.getInt32(0)));
    llvm::BasicBlock* fast = llvm::BasicBlock::Create(ctx_, "fp_fast", fn_);
    llvm::BasicBlock* slow = llvm::BasicBlock::Create(ctx_, "fp_helper", fn_);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(ctx_, "fp_done", fn_);
    condBr(ok, fast, slow, Rare::IfFalse);
    ir_.SetInsertPoint(fast);
    storeState(f.status_offset, new_status);
    set(op.args[0], result);
    ir_.CreateBr(done);
    // The rest: the quiet helper, with the status word in env around it.
    ir_.SetInsertPoint(slow);
    storeEnv(f.status_offset, loadState(f.status_offset, Type::I32));
    std::vector<llvm::Value*> args{env_};
    for (unsigned k = 0; k < 4; k++)
      args.push_back(k < h.nargs ? to64(val(op.args[outs + k])) : ir_.getInt64(0));
    auto* fty = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_, i64_, i64_}, false);
    llvm::Value* r = ir_.CreateCall(fty, fnPtr(f.quiet->fn), args);   // FCSR only: memos stay
    status = ir_.CreateLoad(i32_, envPtr(f.status_offset));
    storeState(f.status_offset, status);
    llvm::Value* enabled = ir_.CreateOr(ir_.CreateAnd(ir_.CreateLShr(status, f.enable_shift), f.enable_mask),
                                        ir_.getInt32(f.always_traps));
    llvm::Value* trap = ir_.CreateICmpNE(ir_.CreateAnd(ir_.CreateLShr(status, f.cause_shift), enabled), ir_.getInt32(0));
    llvm::BasicBlock* raise = llvm::BasicBlock::Create(ctx_, "fp_trap", fn_);
    llvm::BasicBlock* quiet_ok = llvm::BasicBlock::Create(ctx_, "fp_quiet", fn_);
    condBr(trap, raise, quiet_ok, Rare::IfTrue);
    ir_.SetInsertPoint(raise);
    storePcInfo(op.pc_info);
    ir_.CreateBr(floatTrapBlock(*f.raise));
    ir_.SetInsertPoint(quiet_ok);
    set(op.args[0], dbl ? r : ir_.CreateTrunc(r, i32_));
    ir_.CreateBr(done);
    ir_.SetInsertPoint(done);
  }

  // Where every FPU trap of the function goes (its pc_info stored): guest
  // state back in env, then the raise helper. One per function keeps the
  // stores of the guest's registers out of each operation's cold path.
  llvm::BasicBlock* floatTrapBlock(const tcg::HelperInfo& raise) {
    if (float_trap_) return float_trap_;
    llvm::IRBuilderBase::InsertPointGuard keep(ir_);
    float_trap_ = llvm::BasicBlock::Create(ctx_, "fp_raise", fn_);
    ir_.SetInsertPoint(float_trap_);
    syncGuestState();
    auto* fty = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_, i64_, i64_}, false);
    llvm::Value* zero = ir_.getInt64(0);
    ir_.CreateCall(fty, fnPtr(raise.fn), {env_, zero, zero, zero, zero})->setDoesNotReturn();
    ir_.CreateUnreachable();
    return float_trap_;
  }
  void storeEnv(uint32_t off, llvm::Value* v) { ir_.CreateStore(v, envPtr(off)); }

  // Guest state through its SSA home when it has one (cacheGuestState);
  // the halves of a pair are the two words of a 64-bit value.
  llvm::Value* loadState(uint32_t off, Type t) {
    auto it = cached_.find(off);
    if (it == cached_.end()) return ir_.CreateLoad(ty(t), envPtr(off));
    const CachedSlot& c = it->second;
    if (c.half < 0) return ir_.CreateLoad(ty(t), c.slot);
    llvm::Value* whole = ir_.CreateLoad(i64_, c.slot);
    return ir_.CreateTrunc(c.half ? ir_.CreateLShr(whole, 32) : whole, i32_);
  }
  void storeState(uint32_t off, llvm::Value* v) {
    auto it = cached_.find(off);
    if (it == cached_.end()) {
      ir_.CreateStore(v, envPtr(off));
      return;
    }
    const CachedSlot& c = it->second;
    if (c.half < 0) {
      ir_.CreateStore(v, c.slot);
      return;
    }
    llvm::Value* whole = ir_.CreateLoad(i64_, c.slot);
    llvm::Value* part = ir_.CreateZExt(v, i64_);
    llvm::Value* kept = ir_.CreateAnd(whole, ir_.getInt64(c.half ? 0xffffffffull : 0xffffffff00000000ull));
    ir_.CreateStore(ir_.CreateOr(kept, c.half ? ir_.CreateShl(part, 32) : part), c.slot);
  }

  // A helper call, as the baseline JIT makes it: guest state in env first
  // where the helper may look, reloaded after where it may write.
  void emitCall(const Op& op) {
    const tcg::HelperInfo& h = *op.helper();
    const unsigned outs = h.returns ? 1 : 0;
    if (!(h.flags & tcg::HF_NO_RAISE)) storePcInfo(op.pc_info);
    const bool reads = !(h.flags & tcg::HF_NO_READ_STATE) || !(h.flags & tcg::HF_NO_RAISE);
    if (reads || !(h.flags & tcg::HF_NO_WRITE_STATE)) syncGuestState();
    // The interpreter's uniform shape: (env, four 64-bit integers) -> 64 bits.
    std::vector<llvm::Value*> args{env_};
    for (unsigned k = 0; k < 4; k++) args.push_back(k < h.nargs ? to64(val(op.args[outs + k])) : ir_.getInt64(0));
    auto* fty = llvm::FunctionType::get(i64_, {ptr_, i64_, i64_, i64_, i64_}, false);
    llvm::CallInst* r = ir_.CreateCall(fty, fnPtr(h.fn), args);
    if (h.flags & tcg::HF_NORETURN) r->setDoesNotReturn();
    else forgetMemosAfter(r);
    if (!(h.flags & tcg::HF_NO_WRITE_STATE)) reloadGuestState();
    if (outs) set(op.args[0], h.ret == Type::I32 ? ir_.CreateTrunc(r, i32_) : static_cast<llvm::Value*>(r));
  }

  void emit(const Op& op) {
    switch (op.opc) {
      case Opcode::get:
        set(op.args[0], loadState(op.aux, op.type));
        return;
      case Opcode::put:
        storeState(op.aux, val(op.args[0]));
        return;
      case Opcode::load:
        emitLoad(op);
        return;
      case Opcode::store:
        emitStore(op);
        return;
      case Opcode::call:
        if (floatFastPath(*op.helper())) emitFloatFastPath(op);
        else emitCall(op);
        return;
      case Opcode::label: {
        llvm::BasicBlock* target = labels_[op.aux];
        if (!ir_.GetInsertBlock()->getTerminator()) ir_.CreateBr(target);
        ir_.SetInsertPoint(target);
        return;
      }
      case Opcode::br:
        ir_.CreateBr(labels_[op.aux]);
        return;
      case Opcode::brcond: {
        llvm::BasicBlock* next = llvm::BasicBlock::Create(ctx_, "", fn_);
        ir_.CreateCondBr(cmp(op.cond, val(op.args[0]), val(op.args[1])), labels_[op.aux], next);
        ir_.SetInsertPoint(next);
        return;
      }
      case Opcode::goto_tb:
        // Inside a region (never for a lone block: nothing could stop its
        // self-loop when its code changes): a branch.
        if (region_)
          if (const size_t j = contexts_.jumpTarget(cur_, op.aux64); j != CallContexts::kNone) {
            branchToMember(j);
            return;
          }
        storePc(ir_.getInt64(op.aux64));
        leaveWith(ir_.getInt64(tcg::encodeExit(tb_, int(op.aux & 1))));
        return;
      case Opcode::goto_ptr:
        if (region_) {
          llvm::Value* target = val(op.args[0]);
          // In a call's copy: most likely the return to its caller's
          // continuation, a branch with the registers kept.
          if (const size_t j = contexts_.return_to[cur_]; j != CallContexts::kNone) {
            llvm::BasicBlock* ret = llvm::BasicBlock::Create(ctx_, "predicted_return", fn_);
            llvm::BasicBlock* other = llvm::BasicBlock::Create(ctx_, "other_target", fn_);
            condBr(ir_.CreateICmpEQ(to64(target), ir_.getInt64(contexts_.expected_return[cur_])), ret, other, Rare::IfFalse);
            ir_.SetInsertPoint(ret);
            branchToMember(j);
            ir_.SetInsertPoint(other);
          }
          regionIndirectJump(target);
          return;
        }
        [[fallthrough]];
      case Opcode::exit_tb:
        // A region's indirect jump returns 1: its trampoline may look the
        // target up in the jump cache (the mode is unchanged); exit_tb
        // (a mode may have changed) and a lone block's exits return 0.
        storePc(val(op.args[0]));
        leaveWith(ir_.getInt64(op.opc == Opcode::goto_ptr && region_ ? 1 : 0));
        return;
      case Opcode::insn_start:
        return;
      default:
        if (llvm::Value* v = pure(op)) set(op.args[0], v);
        return;
    }
  }

  llvm::Module& m_;
  llvm::LLVMContext& ctx_;
  const tcg::Block* b_ = nullptr;              // the member being lowered
  uint64_t pc_ = 0;
  tcg::TranslationBlock* tb_ = nullptr;    // an exit tag: never dereferenced (another thread may own it)
  const LowerOptions& opts_;
  bool region_ = false;   // a region function (entry argument, exits to members as branches)
  const std::vector<RegionMember>* members_ = nullptr;   // contexts_.list
  CallContexts contexts_;
  std::vector<std::vector<llvm::AllocaInst*>> member_temps_;
  std::vector<std::vector<llvm::BasicBlock*>> member_labels_;
  std::vector<llvm::BasicBlock*> member_entry_;
  std::vector<std::vector<size_t>> direct_succ_;   // findDirectEdges
  std::vector<bool> loop_header_;
  std::vector<bool> check_after_call_;   // looks at exit_request: a member with a call branches to it
  llvm::GlobalVariable* pc_table_ = nullptr;   // page word -> member + 1 (regionIndirectJump)
 public:
  // Per member of the region (not per copy): whether it may be entered.
  std::vector<bool> memberEntries() const {
    std::vector<bool> e;
    for (size_t k : contexts_.canonical) e.push_back(entries_[k]);
    return e;
  }
  uint32_t copies() const { return uint32_t(contexts_.list.size() - contexts_.canonical.size()); }
 private:
  std::vector<bool> entries_;   // members (copies) the region may be entered at
  static constexpr size_t kNoMerge = ~size_t(0);
  struct MergePoint {
    size_t op = kNoMerge;   // the insn_start where the member continues in another
    size_t member = 0;
  };
  std::vector<MergePoint> merge_;
  llvm::BasicBlock* float_trap_ = nullptr;   // floatTrapBlock
  std::vector<Memo> memos_;                  // the busiest bases' page memos (decideMemos)
  std::vector<std::vector<size_t>> loop_memos_;   // per loop, its memos (indexes in memos_)
  std::vector<int> loop_of_;                 // per member, its innermost loop (findLoops), or -1
  std::vector<int> loop_parent_;             // per loop, the loop around it, or -1
  std::vector<std::vector<uint8_t>> header_of_loop_;   // per loop, per member: entered from outside it
  static constexpr unsigned kMaxLoopDepth = 4;
  size_t loop_count_ = 0;
  size_t cur_ = 0;                           // the member being lowered
  std::map<std::pair<size_t, const Op*>, size_t> memo_of_;   // (member, access) -> its memo
  std::set<std::pair<size_t, const Op*>> memo_fill_only_;   // accesses that fill their memo without a compare
  std::vector<llvm::Instruction*> calls_;    // after which the memos are forgotten
  struct CachedSlot {
    llvm::AllocaInst* slot;
    Type type;
    bool written;
    int half = -1;   // of a pair's 64-bit slot (findSlotPairs): 0 low word, 1 high word
    unsigned index = 0;   // in the dirty sets (findDirtySlots)
  };
  std::map<uint32_t, CachedSlot> cached_;   // env offset -> its SSA home
  // Per member, the cached slots that may differ from env somewhere in it
  // (findDirtySlots): only those are written back.
  std::vector<std::vector<uint8_t>> dirty_;
  const std::vector<uint8_t>* cur_dirty_ = nullptr;
  bool synced_ = false;   // every slot is in env on this path (a return's dispatch)
  bool dispatches_ = false;   // the member's indirect jump is a switch's (RegionMember::dispatches)
  llvm::IRBuilder<> ir_;
  llvm::IntegerType* i32_ = nullptr;
  llvm::IntegerType* i64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  llvm::Function* fn_ = nullptr;
  llvm::Value* env_ = nullptr;
  llvm::Value* common_ = nullptr;
  std::vector<llvm::AllocaInst*> temps_;
  std::vector<llvm::BasicBlock*> labels_;
};

}  // namespace

llvm::Function* lowerBlock(llvm::Module& m, const std::string& name, const tcg::Block& b,
                           const tcg::TranslationBlock& tb, const LowerOptions& opts) {
  std::vector<RegionMember> one{{&b, tb.pc, const_cast<tcg::TranslationBlock*>(&tb)}};
  return Lowerer(m, opts).lower(name, one, false);
}

llvm::Function* lowerRegion(llvm::Module& m, const std::string& name, const std::vector<RegionMember>& members,
                            const LowerOptions& opts, std::vector<bool>* entries, uint32_t* copies) {
  Lowerer l(m, opts);
  llvm::Function* f = l.lower(name, members, true);
  if (entries) *entries = l.memberEntries();
  if (copies) *copies = l.copies();
  return f;
}

}  // namespace mimic::llvmjit
