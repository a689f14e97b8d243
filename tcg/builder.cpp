#include "tcg/builder.h"

namespace mimic::tcg {

Value Builder::newTemp(Type t) {
  b_.temps.push_back(t);
  return Value::t(t, uint32_t(b_.temps.size() - 1));
}

Op& Builder::emit(Opcode o, Type t) {
  Op& op = b_.ops.emplace_back();
  op.opc = o;
  op.type = t;
  return op;
}

Value Builder::bin(Opcode o, Value a, Value b) {
  Value d = newTemp(a.type);
  Op& op = emit(o, a.type);
  op.nargs = 3;
  op.args[0] = d;
  op.args[1] = a;
  op.args[2] = b;
  return d;
}

Value Builder::un(Opcode o, Value a) {
  Value d = newTemp(a.type);
  Op& op = emit(o, a.type);
  op.nargs = 2;
  op.args[0] = d;
  op.args[1] = a;
  return d;
}

Value Builder::mov(Value a) { return un(Opcode::mov, a); }

void Builder::movTo(Value dst, Value a) {
  Op& op = emit(Opcode::mov, dst.type);
  op.nargs = 2;
  op.args[0] = dst;
  op.args[1] = a;
}

static Value convert(Builder& bld, Block& b, Opcode o, Type to, Value a) {
  Value d = bld.newTemp(to);
  Op& op = b.ops.emplace_back();
  op.opc = o;
  op.type = to;
  op.nargs = 2;
  op.args[0] = d;
  op.args[1] = a;
  return d;
}

Value Builder::sext32(Value a) { return convert(*this, b_, Opcode::sext32, Type::I64, a); }
Value Builder::zext32(Value a) { return convert(*this, b_, Opcode::zext32, Type::I64, a); }
Value Builder::trunc(Value a) { return convert(*this, b_, Opcode::trunc, Type::I32, a); }

Value Builder::extract(Value a, unsigned pos, unsigned len) {
  Value d = un(Opcode::extract, a);
  b_.ops.back().aux = pos | (len << 8);
  return d;
}

Value Builder::sextract(Value a, unsigned pos, unsigned len) {
  Value d = un(Opcode::sextract, a);
  b_.ops.back().aux = pos | (len << 8);
  return d;
}

Value Builder::deposit(Value a, Value b, unsigned pos, unsigned len) {
  Value d = bin(Opcode::deposit, a, b);
  b_.ops.back().aux = pos | (len << 8);
  return d;
}

Value Builder::setcond(Cond c, Value a, Value b) {
  Value d = newTemp(a.type);
  Op& op = emit(Opcode::setcond, a.type);
  op.cond = c;
  op.nargs = 3;
  op.args[0] = d;
  op.args[1] = a;
  op.args[2] = b;
  return d;
}

Value Builder::movcond(Cond c, Value a, Value b, Value t, Value f) {
  Value d = newTemp(t.type);
  Op& op = emit(Opcode::movcond, t.type);
  op.cond = c;
  op.nargs = 5;
  op.args[0] = d;
  op.args[1] = a;
  op.args[2] = b;
  op.args[3] = t;
  op.args[4] = f;
  return d;
}

Value Builder::get(Type t, uint32_t offset) {
  Value d = newTemp(t);
  Op& op = emit(Opcode::get, t);
  op.aux = offset;
  op.nargs = 1;
  op.args[0] = d;
  return d;
}

void Builder::put(uint32_t offset, Value v) {
  Op& op = emit(Opcode::put, v.type);
  op.aux = offset;
  op.nargs = 1;
  op.args[0] = v;
}

Value Builder::load(Type result, Value addr, MemOp m, uint64_t pc_info) {
  Value d = newTemp(result);
  Op& op = emit(Opcode::load, result);
  op.aux = m.pack();
  op.pc_info = pc_info;
  op.nargs = 2;
  op.args[0] = d;
  op.args[1] = addr;
  return d;
}

void Builder::store(Value addr, Value v, MemOp m, uint64_t pc_info) {
  Op& op = emit(Opcode::store, v.type);
  op.aux = m.pack();
  op.pc_info = pc_info;
  op.nargs = 2;
  op.args[0] = addr;
  op.args[1] = v;
}

Value Builder::call(const HelperInfo& h, std::initializer_list<Value> args, uint64_t pc_info) {
  Value d;
  if (h.returns) d = newTemp(h.ret);
  Op& op = emit(Opcode::call, h.returns ? h.ret : Type::I32);
  op.aux64 = reinterpret_cast<uint64_t>(&h);
  op.pc_info = pc_info;
  unsigned n = 0;
  if (h.returns) op.args[n++] = d;
  for (const Value& v : args) op.args[n++] = v;
  op.nargs = uint8_t(n);
  return d;
}

void Builder::label(Label l) {
  Op& op = emit(Opcode::label, Type::I32);
  op.aux = l.id;
}

void Builder::br(Label l) {
  Op& op = emit(Opcode::br, Type::I32);
  op.aux = l.id;
}

void Builder::brcond(Cond c, Value a, Value b, Label l) {
  Op& op = emit(Opcode::brcond, a.type);
  op.cond = c;
  op.aux = l.id;
  op.nargs = 2;
  op.args[0] = a;
  op.args[1] = b;
}

void Builder::gotoTb(unsigned slot, uint64_t pc) {
  Op& op = emit(Opcode::goto_tb, Type::I32);
  op.aux = slot;
  op.aux64 = pc;
}

void Builder::gotoPtr(Value pc) {
  Op& op = emit(Opcode::goto_ptr, pc.type);
  op.nargs = 1;
  op.args[0] = pc;
}

void Builder::exitTb(Value pc) {
  Op& op = emit(Opcode::exit_tb, pc.type);
  op.nargs = 1;
  op.args[0] = pc;
}

void Builder::insnStart(uint64_t pc) {
  Op& op = emit(Opcode::insn_start, Type::I32);
  op.aux64 = pc;
}

}  // namespace mimic::tcg
