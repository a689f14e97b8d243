#include "backend/x86_64/regalloc.h"

#include <algorithm>

namespace mimic::x64 {

using tcg::Opcode;

void allocateRegisters(const tcg::Block& b, Allocation& out, unsigned max_slots) {
  const size_t nt = b.temps.size();
  out.loc.assign(nt, Location{});
  out.start.assign(nt, UINT32_MAX);
  out.end.assign(nt, 0);
  out.slots_used = 0;

  // Working arrays kept per thread (a block is translated in a couple of
  // microseconds; a malloc and free for each was a measurable share).
  static thread_local std::vector<uint32_t> calls, order, active, stacked;
  static thread_local std::vector<Reg> free_callee, free_caller;
  static thread_local std::vector<uint16_t> free_slots;
  calls.clear();   // ops after which caller-saved registers are clobbered
  for (uint32_t i = 0; i < b.ops.size(); i++) {
    const tcg::Op& op = b.ops[i];
    const unsigned outs = op.numOutputs();
    for (unsigned k = 0; k < op.nargs; k++) {
      const tcg::Value& v = op.args[k];
      if (!v.isTemp()) continue;
      out.start[v.temp] = std::min(out.start[v.temp], i);
      out.end[v.temp] = std::max(out.end[v.temp], i);
    }
    (void)outs;
    if (op.opc == Opcode::call) calls.push_back(i);
  }
  auto crossesCall = [&](uint32_t t) {
    auto it = std::upper_bound(calls.begin(), calls.end(), out.start[t]);
    return it != calls.end() && *it < out.end[t];
  };

  order.clear();
  for (uint32_t t = 0; t < nt; t++)
    if (out.start[t] != UINT32_MAX) order.push_back(t);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t c) {
    return out.start[a] != out.start[c] ? out.start[a] < out.start[c] : a < c;
  });

  active.clear();          // temps in registers, any order
  free_callee.assign(std::begin(kCalleeSaved), std::end(kCalleeSaved));
  free_caller.assign(std::begin(kCallerSaved), std::end(kCallerSaved));
  free_slots.clear();
  stacked.clear();         // temps on the stack whose slot is still in use
  auto release = [&](uint32_t t) {
    const Location& l = out.loc[t];
    if (l.kind == Location::InReg) {
      bool callee = std::find(std::begin(kCalleeSaved), std::end(kCalleeSaved), l.reg) != std::end(kCalleeSaved);
      (callee ? free_callee : free_caller).push_back(l.reg);
    }
  };
  auto newSlot = [&]() -> uint16_t {
    if (!free_slots.empty()) {
      uint16_t s = free_slots.back();
      free_slots.pop_back();
      return s;
    }
    return uint16_t(out.slots_used++);
  };

  for (uint32_t t : order) {
    const uint32_t pos = out.start[t];
    // Expire intervals that ended before this one starts. An interval
    // ending exactly here may share its register with a temp defined here:
    // the emitter reads inputs before it writes outputs.
    std::erase_if(active, [&](uint32_t a) {
      if (out.end[a] > pos) return false;
      release(a);
      return true;
    });
    std::erase_if(stacked, [&](uint32_t a) {
      if (out.end[a] > pos) return false;
      free_slots.push_back(out.loc[a].slot);
      return true;
    });

    const bool needs_callee = crossesCall(t);
    Reg r;
    bool got = false;
    if (!free_callee.empty() && (needs_callee || free_caller.empty())) {
      r = free_callee.back();
      free_callee.pop_back();
      got = true;
    } else if (!needs_callee && !free_caller.empty()) {
      r = free_caller.back();
      free_caller.pop_back();
      got = true;
    }
    if (!got) {
      // Spill whichever usable interval ends last: this one or an active one.
      uint32_t victim = t;
      for (uint32_t a : active) {
        const Reg ar = out.loc[a].reg;
        const bool usable = !needs_callee || !isCallerSaved(ar);
        if (usable && out.end[a] > out.end[victim]) victim = a;
      }
      if (victim != t) {
        // The victim moves to the stack for its whole interval, which began
        // before slots now free were released: it needs a never-used slot.
        r = out.loc[victim].reg;
        out.loc[victim] = Location{Location::OnStack, Reg::rax, uint16_t(out.slots_used++)};
        stacked.push_back(victim);
        std::erase(active, victim);
        got = true;
      }
    }
    if (got) {
      out.loc[t] = Location{Location::InReg, r, 0};
      active.push_back(t);
    } else {
      out.loc[t] = Location{Location::OnStack, Reg::rax, newSlot()};
      stacked.push_back(t);
    }
  }
  (void)max_slots;
}

}  // namespace mimic::x64
