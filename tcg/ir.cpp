#include "tcg/ir.h"

#include <fmt/format.h>

namespace mimic::tcg {

namespace {
constexpr const char* kCondNames[] = {"eq", "ne", "lt", "ge", "le", "gt", "ltu", "geu", "leu", "gtu", "always", "never"};
}  // namespace

const char* condName(Cond c) { return kCondNames[size_t(c)]; }

Cond invertCond(Cond c) {
  switch (c) {
    case Cond::EQ: return Cond::NE;
    case Cond::NE: return Cond::EQ;
    case Cond::LT: return Cond::GE;
    case Cond::GE: return Cond::LT;
    case Cond::LE: return Cond::GT;
    case Cond::GT: return Cond::LE;
    case Cond::LTU: return Cond::GEU;
    case Cond::GEU: return Cond::LTU;
    case Cond::LEU: return Cond::GTU;
    case Cond::GTU: return Cond::LEU;
    case Cond::ALWAYS: return Cond::NEVER;
    case Cond::NEVER: return Cond::ALWAYS;
  }
  return c;
}

Cond swapCond(Cond c) {
  switch (c) {
    case Cond::LT: return Cond::GT;
    case Cond::GT: return Cond::LT;
    case Cond::LE: return Cond::GE;
    case Cond::GE: return Cond::LE;
    case Cond::LTU: return Cond::GTU;
    case Cond::GTU: return Cond::LTU;
    case Cond::LEU: return Cond::GEU;
    case Cond::GEU: return Cond::LEU;
    default: return c;
  }
}

bool evalCond(Cond c, Type t, uint64_t a, uint64_t b) {
  int64_t sa, sb;
  if (t == Type::I32) {
    a &= 0xffffffffu;
    b &= 0xffffffffu;
    sa = int32_t(uint32_t(a));
    sb = int32_t(uint32_t(b));
  } else {
    sa = int64_t(a);
    sb = int64_t(b);
  }
  switch (c) {
    case Cond::EQ: return a == b;
    case Cond::NE: return a != b;
    case Cond::LT: return sa < sb;
    case Cond::GE: return sa >= sb;
    case Cond::LE: return sa <= sb;
    case Cond::GT: return sa > sb;
    case Cond::LTU: return a < b;
    case Cond::GEU: return a >= b;
    case Cond::LEU: return a <= b;
    case Cond::GTU: return a > b;
    case Cond::ALWAYS: return true;
    case Cond::NEVER: return false;
  }
  return false;
}

namespace {
std::string fmtValue(const Value& v) {
  const char* ty = v.type == Type::I32 ? "i32" : "i64";
  switch (v.kind) {
    case Value::Temp: return fmt::format("t{}", v.temp);
    case Value::Const: return fmt::format("${:#x}:{}", v.imm, ty);
    default: return "<none>";
  }
}
}  // namespace

std::string formatOp(const Block& b, const Op& op) {
  std::string s;
  unsigned outs = op.numOutputs();
  if (op.opc == Opcode::insn_start) return fmt::format(" ---- {:#010x}", op.aux64);
  if (op.opc == Opcode::label) return fmt::format("L{}:", op.aux);
  s += "  ";
  for (unsigned i = 0; i < outs; i++) s += fmtValue(op.args[i]) + (i + 1 < outs ? ", " : "");
  if (outs) s += " = ";
  s += op.def().name;
  s += op.type == Type::I32 ? "_i32" : "_i64";
  if (op.def().flags & OPF_COND) s += fmt::format(".{}", condName(op.cond));
  if (op.opc == Opcode::call) s += fmt::format(" {}", op.helper()->name);
  for (unsigned i = outs; i < op.nargs; i++) s += (i == outs ? " " : ", ") + fmtValue(op.args[i]);
  switch (op.opc) {
    case Opcode::get:
    case Opcode::put: s += fmt::format(" [env+{:#x}]", op.aux); break;
    case Opcode::load:
    case Opcode::store: {
      MemOp m = MemOp::unpack(op.aux);
      s += fmt::format(" {{{}{}{} mmu{}}}", m.sign ? "s" : "u", 8 * m.bytes(), m.big_endian ? "be" : "le", m.mmu_idx);
      break;
    }
    case Opcode::extract:
    case Opcode::sextract:
    case Opcode::deposit: s += fmt::format(" pos={} len={}", op.fieldPos(), op.fieldLen()); break;
    case Opcode::br:
    case Opcode::brcond: s += fmt::format(" -> L{}", op.aux); break;
    case Opcode::goto_tb: s += fmt::format(" slot{} pc={:#x}", op.aux, op.aux64); break;
    default: break;
  }
  if (op.def().flags & OPF_CAN_RAISE || (op.opc == Opcode::call && !(op.helper()->flags & HF_NO_RAISE)))
    s += fmt::format("  @{:#x}", op.pc_info);
  return s;
}

std::string formatBlock(const Block& b) {
  std::string s = fmt::format("block pc={:#x} insns={} temps={}\n", b.guest_pc, b.num_insns, b.temps.size());
  for (const Op& op : b.ops) s += formatOp(b, op) + "\n";
  return s;
}

std::string verifyBlock(const Block& b) {
  std::vector<uint8_t> defined(b.temps.size(), 0);
  std::vector<uint8_t> label_bound(b.num_labels, 0);
  std::vector<uint8_t> label_used(b.num_labels, 0);
  auto err = [&](size_t i, const std::string& why) {
    return fmt::format("op {} ({}): {}", i, formatOp(b, b.ops[i]), why);
  };
  bool ended = false;   // an exit op with nothing reachable after it
  for (size_t i = 0; i < b.ops.size(); i++) {
    const Op& op = b.ops[i];
    if (size_t(op.opc) >= size_t(Opcode::count_)) return fmt::format("op {}: bad opcode", i);
    const OpDef& d = op.def();
    unsigned outs = op.numOutputs();
    unsigned expect = op.opc == Opcode::call ? outs + op.helper()->nargs : d.outputs + d.inputs;
    if (op.nargs != expect) return err(i, fmt::format("has {} operands, expected {}", op.nargs, expect));
    if (ended && op.opc != Opcode::label) return err(i, "unreachable op after a block exit");
    // Inputs: defined before use, and of the right type.
    for (unsigned k = outs; k < op.nargs; k++) {
      const Value& v = op.args[k];
      if (v.kind == Value::None) return err(i, "missing operand");
      if (v.isTemp()) {
        if (v.temp >= b.temps.size()) return err(i, "operand temp out of range");
        if (!defined[v.temp]) return err(i, fmt::format("t{} used before it is defined", v.temp));
        if (b.temps[v.temp] != v.type) return err(i, fmt::format("t{} used with the wrong type", v.temp));
      }
    }
    // Operand types per opcode class.
    Type in_type = op.type;
    if (d.flags & OPF_WIDEN) in_type = Type::I32;
    if (d.flags & OPF_NARROW) in_type = Type::I64;
    switch (op.opc) {
      case Opcode::call:
        for (unsigned k = 0; k < op.helper()->nargs; k++)
          if (op.args[outs + k].type != op.helper()->args[k]) return err(i, "helper argument type");
        if (outs && op.args[0].type != op.helper()->ret) return err(i, "helper result type");
        break;
      case Opcode::load:
      case Opcode::store:
      case Opcode::goto_ptr:
      case Opcode::exit_tb:
        break;   // address / pc may be i32 or i64 (guest width)
      case Opcode::setcond:
      case Opcode::brcond:
        if (op.args[outs].type != op.args[outs + 1].type) return err(i, "compared operands differ in type");
        break;
      case Opcode::movcond:
        if (op.args[1].type != op.args[2].type) return err(i, "compared operands differ in type");
        if (op.args[3].type != op.type || op.args[4].type != op.type) return err(i, "selected operands' type");
        break;
      default:
        for (unsigned k = outs; k < op.nargs; k++)
          if (op.args[k].type != in_type) return err(i, fmt::format("operand {} has the wrong type", k));
    }
    if (d.flags & OPF_FIELD) {
      unsigned pos = op.fieldPos(), len = op.fieldLen();
      if (len == 0 || pos + len > typeBits(op.type)) return err(i, "bit field out of range");
    }
    if (op.opc == Opcode::load || op.opc == Opcode::store) {
      MemOp m = MemOp::unpack(op.aux);
      if (m.bytes() > typeBits(op.opc == Opcode::load ? op.type : op.args[1].type) / 8)
        return err(i, "access wider than its value");
    }
    // Outputs.
    for (unsigned k = 0; k < outs; k++) {
      const Value& v = op.args[k];
      if (!v.isTemp()) return err(i, "output is not a temp");
      if (v.temp >= b.temps.size()) return err(i, "output temp out of range");
      if (b.temps[v.temp] != v.type || v.type != op.type) return err(i, "output type mismatch");
      defined[v.temp] = 1;
    }
    if (d.flags & (OPF_BRANCH | OPF_LABEL)) {
      if (op.aux >= b.num_labels) return err(i, "label out of range");
      if (d.flags & OPF_LABEL) {
        if (label_bound[op.aux]) return err(i, "label bound twice");
        label_bound[op.aux] = 1;
        ended = false;
      } else {
        if (label_bound[op.aux]) return err(i, "backward branch");
        label_used[op.aux] = 1;
      }
    }
    if ((d.flags & OPF_EXIT) || op.opc == Opcode::br) ended = true;
    if (op.opc == Opcode::call && (op.helper()->flags & HF_NORETURN)) ended = true;
  }
  for (uint32_t l = 0; l < b.num_labels; l++)
    if (label_used[l] && !label_bound[l]) return fmt::format("label L{} used but never bound", l);
  if (!ended) return "block does not end in an exit";
  return {};
}

const FloatFastPath* inlinableFastPath(const HelperInfo& h, bool host_has_fma) {
  const FloatFastPath* f = h.fast;
  if (!f || !h.returns) return nullptr;
  const unsigned operands = f->kind == FloatFastPath::Sqrt ? 1 : 2;
  if (h.nargs != operands) return nullptr;
  for (unsigned k = 0; k < operands; k++)
    if (h.args[k] != h.ret) return nullptr;
  if (f->kind != FloatFastPath::Add && f->kind != FloatFastPath::Sub && !host_has_fma) return nullptr;
  return f;
}

bool dispatchesThroughLoad(const Block& b) {
  // Back from the block's indirect jump (its last exit) to what defined
  // its target, through moves: no allocation, a few ops per block.
  size_t k = b.ops.size();
  while (k > 0 && b.ops[k - 1].opc != Opcode::goto_ptr) k--;
  if (k == 0 || !b.ops[k - 1].args[0].isTemp()) return false;
  uint32_t temp = b.ops[--k].args[0].temp;
  while (k-- > 0) {
    const Op& op = b.ops[k];
    if (op.numOutputs() == 0 || op.args[0].temp != temp) continue;
    if (op.opc == Opcode::load) return true;
    if (op.opc != Opcode::mov || !op.args[1].isTemp()) return false;
    temp = op.args[1].temp;
  }
  return false;
}

}  // namespace mimic::tcg
