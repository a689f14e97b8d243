#include "tcg/interp.h"

#include "tcg/exec.h"

#include <cstring>

#include "tcg/eval.h"
#include "tcg/softmmu.h"

namespace mimic::tcg {

uint64_t callHelper(const HelperInfo& h, void* env, const uint64_t* a) {
  // Every helper argument is an integer passed in a register under the
  // SysV x86-64 ABI, so one call shape serves all arities; a callee that
  // takes uint32_t reads only the low half of its register. The result of
  // a 32-bit helper has undefined upper bits and is masked by the caller.
  using Fn = uint64_t (*)(void*, uint64_t, uint64_t, uint64_t, uint64_t);
  return reinterpret_cast<Fn>(h.fn)(env, a[0], a[1], a[2], a[3]);
}

bool Interpreter::compile(const Block& b, TranslationBlock& tb) {
  tb.ir = std::make_unique<Block>(b);
  // goto_tb slots are not chained, but record targets for completeness.
  for (const Op& op : b.ops)
    if (op.opc == Opcode::goto_tb) tb.jmp_target_pc[op.aux & 1] = op.aux64;
  return true;
}

uintptr_t Interpreter::execute(void* env, TranslationBlock* tb) {
  CpuCommon& c = cpu_.common();
  if (c.exit_request) {
    const TargetInfo& ti = cpu_.targetInfo();
    // Leave before running so the loop sees the request; the PC is unchanged.
    if (ti.pc_is_64bit) std::memcpy(static_cast<uint8_t*>(env) + ti.pc_offset, &tb->pc, 8);
    else { uint32_t pc = uint32_t(tb->pc); std::memcpy(static_cast<uint8_t*>(env) + ti.pc_offset, &pc, 4); }
    return 0;
  }
  c.insns_executed += tb->num_insns;
  if (cpu_.engine().timers().icount()) {   // as the JIT's block prologue
    c.icount_budget -= int32_t(tb->num_insns);
    if (c.icount_budget <= 0) c.exit_request = 1;
  }
  return runBlock(*tb->ir, env, c, cpu_.targetInfo(), tb, temps_);
}

uintptr_t Interpreter::runBlock(const Block& b, void* env, CpuCommon& c, const TargetInfo& ti,
                                TranslationBlock* tb, std::vector<uint64_t>& t) {
  t.resize(b.temps.size());
  auto* base = static_cast<uint8_t*>(env);
  auto val = [&](const Value& v) -> uint64_t { return v.isConst() ? v.imm : t[v.temp]; };
  auto setPc = [&](uint64_t pc) {
    if (ti.pc_is_64bit) std::memcpy(base + ti.pc_offset, &pc, 8);
    else { uint32_t p = uint32_t(pc); std::memcpy(base + ti.pc_offset, &p, 4); }
  };
  // Label positions: labels are forward-only, so find each on demand by
  // scanning ahead from the branch.
  const size_t n = b.ops.size();
  for (size_t i = 0; i < n; i++) {
    const Op& op = b.ops[i];
    switch (op.opc) {
      case Opcode::get: {
        uint64_t v = 0;
        std::memcpy(&v, base + op.aux, op.type == Type::I32 ? 4 : 8);
        t[op.args[0].temp] = v;
        break;
      }
      case Opcode::put: {
        uint64_t v = val(op.args[0]);
        std::memcpy(base + op.aux, &v, op.args[0].type == Type::I32 ? 4 : 8);
        break;
      }
      case Opcode::load: {
        c.pc_info = op.pc_info;
        uint64_t v = memLoad(&c, val(op.args[1]), op.aux);
        t[op.args[0].temp] = v & typeMask(op.type);
        break;
      }
      case Opcode::store:
        c.pc_info = op.pc_info;
        memStore(&c, val(op.args[0]), val(op.args[1]), op.aux);
        break;
      case Opcode::call: {
        const HelperInfo& h = *op.helper();
        const unsigned outs = h.returns ? 1 : 0;
        uint64_t a[4] = {0, 0, 0, 0};
        for (unsigned k = 0; k < h.nargs; k++) a[k] = val(op.args[outs + k]);
        if (!(h.flags & HF_NO_RAISE)) c.pc_info = op.pc_info;
        uint64_t r = callHelper(h, env, a);
        if (outs) t[op.args[0].temp] = r & typeMask(h.ret);
        break;
      }
      case Opcode::label:
      case Opcode::insn_start:
        break;
      case Opcode::br:
      case Opcode::brcond: {
        if (op.opc == Opcode::brcond && !evalCond(op.cond, op.args[0].type, val(op.args[0]), val(op.args[1]))) break;
        size_t j = i + 1;
        while (j < n && !(b.ops[j].opc == Opcode::label && b.ops[j].aux == op.aux)) j++;
        i = j;   // the loop's i++ steps past the label
        break;
      }
      case Opcode::goto_tb:
        setPc(op.aux64);
        return tb ? encodeExit(tb, int(op.aux & 1)) : 0;
      case Opcode::goto_ptr:
      case Opcode::exit_tb:
        setPc(val(op.args[0]));
        return 0;
      default: {
        uint64_t in[4] = {0, 0, 0, 0};
        for (unsigned k = 1; k < op.nargs; k++) in[k - 1] = val(op.args[k]);
        uint64_t r = 0;
        if (!evalPureOp(op, in, r)) r = 0;   // undefined division: frontends guard it
        t[op.args[0].temp] = r;
        break;
      }
    }
  }
  return 0;   // unreachable for verified blocks
}

}  // namespace mimic::tcg
