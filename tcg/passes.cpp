#include "tcg/passes.h"

#include <algorithm>

#include "tcg/eval.h"

namespace mimic::tcg {

namespace {

// The passes' working arrays, kept per thread and refilled: translation is
// the hot path of code that keeps changing (self-modifying code, a boot),
// and a fresh vector for each was a malloc and a free every time. Each use
// names its own Tag, so that arrays alive at once are distinct.
template <int Tag, typename T>
std::vector<T>& scratch(size_t n, const T& fill) {
  static thread_local std::vector<T> v;
  v.assign(n, fill);
  return v;
}

// Number of ops defining each temp; single-definition temps hold one value
// for the whole block, so their values may be propagated freely.
const std::vector<uint8_t>& singleDefs(const Block& b) {
  std::vector<uint8_t>& defs = scratch<0>(b.temps.size(), uint8_t(0));
  for (const Op& op : b.ops) {
    unsigned outs = op.numOutputs();
    for (unsigned k = 0; k < outs; k++) {
      uint8_t& d = defs[op.args[k].temp];
      if (d < 2) d++;
    }
  }
  for (uint8_t& d : defs) d = d == 1;
  return defs;
}

void compact(Block& b, const std::vector<uint8_t>& dead) {
  size_t w = 0;
  for (size_t r = 0; r < b.ops.size(); r++)
    if (!dead[r]) b.ops[w++] = b.ops[r];
  b.ops.resize(w);
}

void makeMov(Op& op, Value src) {
  Value d = op.args[0];
  op.opc = Opcode::mov;
  op.nargs = 2;
  op.args[0] = d;
  op.args[1] = src;
  op.aux = 0;
}

bool isConst(const Value& v, uint64_t x) { return v.isConst() && v.imm == (x & typeMask(v.type)); }

// Algebraic identities with one constant operand; returns true if `op` was
// rewritten into a mov.
bool simplify(Op& op) {
  const Type t = op.type;
  Value& a = op.args[1];
  Value& b = op.args[2];
  switch (op.opc) {
    case Opcode::sub:
      if (isConst(a, 0) && !b.isConst()) {   // 0 - x
        op.opc = Opcode::neg;
        op.nargs = 2;
        op.args[1] = b;
        return false;
      }
      [[fallthrough]];
    case Opcode::add: case Opcode::or_: case Opcode::xor_:
    case Opcode::shl: case Opcode::shr: case Opcode::sar: case Opcode::rotr:
      if (isConst(b, 0)) { makeMov(op, a); return true; }
      if (op.opc == Opcode::or_ && isConst(b, ~0ull)) { makeMov(op, Value::c(t, ~0ull)); return true; }
      break;
    case Opcode::and_:
      if (isConst(b, 0)) { makeMov(op, Value::c(t, 0)); return true; }
      if (isConst(b, ~0ull)) { makeMov(op, a); return true; }
      break;
    case Opcode::mul:
      if (isConst(b, 1)) { makeMov(op, a); return true; }
      if (isConst(b, 0)) { makeMov(op, Value::c(t, 0)); return true; }
      break;
    case Opcode::movcond:
      if (op.args[3] == op.args[4]) { makeMov(op, op.args[3]); return true; }
      break;
    default:
      break;
  }
  return false;
}

}  // namespace

void constantFoldPass(Block& b) {
  const std::vector<uint8_t>& single = singleDefs(b);
  // Known value of each single-definition temp (a constant or another
  // single-definition temp it copies).
  std::vector<Value>& known = scratch<1>(b.temps.size(), Value());
  // For single-definition temps defined by setcond: that op's index, so a
  // test of the 0/1 result can use the comparison itself.
  std::vector<int32_t>& setcond_def = scratch<2>(b.temps.size(), int32_t(-1));
  std::vector<uint8_t>& dead = scratch<3>(b.ops.size(), uint8_t(0));
  // (x cond y) ==/!= 0 where x = setcond(c, a, b): the comparison (c, a, b)
  // or its inverse. Its inputs are single-definition values, so still valid.
  auto throughSetcond = [&](Cond& cond, Value& x, Value& y) {
    if (!(cond == Cond::EQ || cond == Cond::NE) || !x.isTemp() || !isConst(y, 0)) return;
    const int32_t d = setcond_def[x.temp];
    if (d < 0) return;
    const Op& def = b.ops[size_t(d)];
    cond = cond == Cond::NE ? def.cond : invertCond(def.cond);
    x = def.args[1];
    y = def.args[2];
  };
  bool unreachable = false;

  for (size_t i = 0; i < b.ops.size(); i++) {
    Op& op = b.ops[i];
    if (op.opc == Opcode::label) unreachable = false;
    if (unreachable) {
      dead[i] = 1;
      continue;
    }
    const unsigned outs = op.numOutputs();
    for (unsigned k = outs; k < op.nargs; k++) {
      Value& v = op.args[k];
      if (v.isTemp() && known[v.temp].kind != Value::None) v = known[v.temp];
    }
    const uint32_t flags = op.def().flags;
    // Canonical operand order: constant second.
    if ((flags & OPF_COMMUTATIVE) && op.args[1].isConst() && !op.args[2].isConst())
      std::swap(op.args[1], op.args[2]);
    if (op.opc == Opcode::setcond || op.opc == Opcode::movcond) throughSetcond(op.cond, op.args[1], op.args[2]);
    if ((op.opc == Opcode::setcond || op.opc == Opcode::movcond) && op.args[1].isConst() && !op.args[2].isConst()) {
      std::swap(op.args[1], op.args[2]);
      op.cond = swapCond(op.cond);
    }
    if (op.opc == Opcode::brcond) {
      throughSetcond(op.cond, op.args[0], op.args[1]);
      op.type = op.args[0].type;
      if (op.args[0].isConst() && op.args[1].isConst()) {
        if (evalCond(op.cond, op.args[0].type, op.args[0].imm, op.args[1].imm)) {
          op.opc = Opcode::br;
          op.nargs = 0;
          unreachable = true;
        } else {
          dead[i] = 1;
        }
        continue;
      }
      if (op.args[0].isConst()) {
        std::swap(op.args[0], op.args[1]);
        op.cond = swapCond(op.cond);
      }
      continue;
    }
    if (op.opc == Opcode::br || (flags & OPF_EXIT) ||
        (op.opc == Opcode::call && (op.helper()->flags & HF_NORETURN))) {
      unreachable = true;
      continue;
    }
    if (!isPureOp(op.opc)) continue;

    bool all_const = true;
    uint64_t in[4] = {0, 0, 0, 0};
    for (unsigned k = outs; k < op.nargs; k++) {
      all_const &= op.args[k].isConst();
      in[k - outs] = op.args[k].imm;
    }
    uint64_t r;
    if (all_const && op.opc != Opcode::mov && evalPureOp(op, in, r)) makeMov(op, Value::c(op.type, r));
    else if (!all_const) simplify(op);

    if (op.opc == Opcode::setcond && single[op.args[0].temp] &&
        (!op.args[1].isTemp() || single[op.args[1].temp]) && (!op.args[2].isTemp() || single[op.args[2].temp]))
      setcond_def[op.args[0].temp] = int32_t(i);
    if (op.opc == Opcode::mov && single[op.args[0].temp]) {
      const Value& src = op.args[1];
      if (src.isConst() || single[src.temp]) known[op.args[0].temp] = src;
    }
  }
  compact(b, dead);
}

void guestStatePass(Block& b) {
  const std::vector<uint8_t>& single = singleDefs(b);
  struct Slot {
    uint32_t off;
    uint32_t size;
    Value val;          // None when the value is not reusable
    int64_t put_index;  // a put nothing has observed yet, or -1
  };
  std::vector<Slot>& slots = scratch<4>(0, Slot{});
  std::vector<uint8_t>& dead = scratch<3>(b.ops.size(), uint8_t(0));
  auto overlaps = [](const Slot& s, uint32_t off, uint32_t size) {
    return s.off < off + size && off < s.off + s.size;
  };
  auto observeAll = [&]() {
    for (Slot& s : slots) s.put_index = -1;
  };
  auto reusable = [&](const Value& v) { return v.isConst() || (v.isTemp() && single[v.temp]); };

  for (size_t i = 0; i < b.ops.size(); i++) {
    Op& op = b.ops[i];
    switch (op.opc) {
      case Opcode::get: {
        const uint32_t off = op.aux, size = typeBits(op.type) / 8;
        bool forwarded = false;
        for (Slot& s : slots) {
          if (s.off == off && s.size == size && s.val.kind != Value::None) {
            makeMov(op, s.val);
            forwarded = true;
            break;
          }
        }
        if (forwarded) break;
        for (Slot& s : slots)
          if (overlaps(s, off, size)) s.put_index = -1;
        std::erase_if(slots, [&](const Slot& s) { return overlaps(s, off, size); });
        if (reusable(op.args[0])) slots.push_back({off, size, op.args[0], -1});
        break;
      }
      case Opcode::put: {
        const uint32_t off = op.aux, size = typeBits(op.args[0].type) / 8;
        for (const Slot& s : slots)
          if (s.off == off && s.size == size && s.put_index >= 0) dead[s.put_index] = 1;
        std::erase_if(slots, [&](const Slot& s) { return overlaps(s, off, size); });
        slots.push_back({off, size, reusable(op.args[0]) ? op.args[0] : Value(), int64_t(i)});
        break;
      }
      case Opcode::load:
      case Opcode::store:
        observeAll();   // an exception here must see the exact guest state
        break;
      case Opcode::call: {
        const uint32_t hf = op.helper()->flags;
        if (!(hf & HF_NO_READ_STATE) || !(hf & HF_NO_RAISE)) observeAll();
        if (!(hf & HF_NO_WRITE_STATE)) slots.clear();
        break;
      }
      case Opcode::label:
        slots.clear();   // other paths join here with other values
        break;
      case Opcode::br:
      case Opcode::brcond:
        observeAll();
        break;
      case Opcode::goto_tb:
      case Opcode::goto_ptr:
      case Opcode::exit_tb:
        slots.clear();
        break;
      default:
        // Values held by multi-definition temps could change under us.
        if (op.numOutputs() && !single[op.args[0].temp]) {
          for (Slot& s : slots)
            if (s.val == op.args[0]) s.val = Value();
        }
        break;
    }
  }
  compact(b, dead);
}

void unreachableCodePass(Block& b) {
  // Repeat: removing code can remove the last branch to a label.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<uint32_t>& refs = scratch<5>(b.num_labels, uint32_t(0));
    for (const Op& op : b.ops)
      if (op.opc == Opcode::br || op.opc == Opcode::brcond) refs[op.aux]++;
    std::vector<uint8_t>& dead = scratch<3>(b.ops.size(), uint8_t(0));
    bool unreachable = false;
    for (size_t i = 0; i < b.ops.size(); i++) {
      const Op& op = b.ops[i];
      if (op.opc == Opcode::label) {
        if (refs[op.aux] == 0) {
          dead[i] = 1;   // nothing jumps here: falls through or is unreachable
          changed = true;
          continue;
        }
        unreachable = false;
      }
      if (unreachable) {
        dead[i] = 1;
        changed = true;
        continue;
      }
      if (op.opc == Opcode::br || (op.def().flags & OPF_EXIT) ||
          (op.opc == Opcode::call && (op.helper()->flags & HF_NORETURN)))
        unreachable = true;
    }
    if (changed) compact(b, dead);
  }
}

void deadCodePass(Block& b) {
  const size_t nt = b.temps.size();
  std::vector<uint8_t>& live = scratch<6>(nt, uint8_t(0));
  // Emptied, not freed: a label not seen yet (branched to forwards only)
  // has an empty set.
  static thread_local std::vector<std::vector<uint8_t>> live_at_label;
  if (live_at_label.size() < b.num_labels) live_at_label.resize(b.num_labels);
  for (uint32_t l = 0; l < b.num_labels; l++) live_at_label[l].clear();
  std::vector<uint8_t>& dead = scratch<3>(b.ops.size(), uint8_t(0));

  for (size_t i = b.ops.size(); i-- > 0;) {
    const Op& op = b.ops[i];
    const uint32_t flags = op.def().flags;
    const unsigned outs = op.numOutputs();
    if (op.opc == Opcode::label) {
      live_at_label[op.aux].assign(live.begin(), live.end());
      continue;
    }
    if (op.opc == Opcode::br) {
      const std::vector<uint8_t>& at = live_at_label[op.aux];
      if (at.empty()) live.assign(nt, 0);
      else live.assign(at.begin(), at.end());
      continue;
    }
    if (op.opc == Opcode::brcond) {
      const auto& other = live_at_label[op.aux];
      for (size_t t = 0; t < other.size(); t++) live[t] |= other[t];
    }
    if (flags & OPF_EXIT) std::fill(live.begin(), live.end(), 0);
    if (op.opc == Opcode::call && (op.helper()->flags & HF_NORETURN)) std::fill(live.begin(), live.end(), 0);

    bool removable = isPureOp(op.opc) || op.opc == Opcode::get;
    if (removable) {
      bool used = false;
      for (unsigned k = 0; k < outs; k++) used |= live[op.args[k].temp] != 0;
      if (!used) {
        dead[i] = 1;
        continue;
      }
    }
    for (unsigned k = 0; k < outs; k++) live[op.args[k].temp] = 0;
    for (unsigned k = outs; k < op.nargs; k++)
      if (op.args[k].isTemp()) live[op.args[k].temp] = 1;
  }
  compact(b, dead);
}

void optimize(Block& b) {
  guestStatePass(b);
  constantFoldPass(b);
  unreachableCodePass(b);
  deadCodePass(b);
}

void optimizeKeepingInsnBoundaries(Block& b) {
  constantFoldPass(b);
  unreachableCodePass(b);
  deadCodePass(b);
}

}  // namespace mimic::tcg
