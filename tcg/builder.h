// The API frontends use to emit IR. Each method appends one op and returns
// its result; the type of an operation is the type of its first input.
#pragma once

#include <initializer_list>

#include "tcg/ir.h"

namespace mimic::tcg {

struct Label {
  uint32_t id;
};

class Builder {
 public:
  explicit Builder(Block& b) : b_(b) {}
  Block& block() { return b_; }

  Value newTemp(Type t);
  static Value i32(uint32_t x) { return Value::c(Type::I32, x); }
  static Value i64(uint64_t x) { return Value::c(Type::I64, x); }
  static Value imm(Type t, uint64_t x) { return Value::c(t, x); }

  // Arithmetic and logic.
  Value mov(Value a);
  void movTo(Value dst, Value a);   // dst must be a temp: re-assigns it
  Value add(Value a, Value b) { return bin(Opcode::add, a, b); }
  Value sub(Value a, Value b) { return bin(Opcode::sub, a, b); }
  Value mul(Value a, Value b) { return bin(Opcode::mul, a, b); }
  Value and_(Value a, Value b) { return bin(Opcode::and_, a, b); }
  Value or_(Value a, Value b) { return bin(Opcode::or_, a, b); }
  Value xor_(Value a, Value b) { return bin(Opcode::xor_, a, b); }
  Value shl(Value a, Value b) { return bin(Opcode::shl, a, b); }
  Value shr(Value a, Value b) { return bin(Opcode::shr, a, b); }
  Value sar(Value a, Value b) { return bin(Opcode::sar, a, b); }
  Value rotr(Value a, Value b) { return bin(Opcode::rotr, a, b); }
  Value divs(Value a, Value b) { return bin(Opcode::divs, a, b); }
  Value divu(Value a, Value b) { return bin(Opcode::divu, a, b); }
  Value rems(Value a, Value b) { return bin(Opcode::rems, a, b); }
  Value remu(Value a, Value b) { return bin(Opcode::remu, a, b); }
  Value not_(Value a) { return un(Opcode::not_, a); }
  Value neg(Value a) { return un(Opcode::neg, a); }
  Value clz(Value a) { return un(Opcode::clz, a); }
  Value bswap16(Value a) { return un(Opcode::bswap16, a); }
  Value bswap32(Value a) { return un(Opcode::bswap32, a); }
  Value bswap64(Value a) { return un(Opcode::bswap64, a); }
  Value sext8(Value a) { return un(Opcode::sext8, a); }
  Value sext16(Value a) { return un(Opcode::sext16, a); }
  Value zext8(Value a) { return un(Opcode::zext8, a); }
  Value zext16(Value a) { return un(Opcode::zext16, a); }
  Value sext32(Value a);   // i32 -> i64
  Value zext32(Value a);   // i32 -> i64
  Value trunc(Value a);    // i64 -> i32
  Value extract(Value a, unsigned pos, unsigned len);
  Value sextract(Value a, unsigned pos, unsigned len);
  Value deposit(Value a, Value b, unsigned pos, unsigned len);
  Value setcond(Cond c, Value a, Value b);
  Value movcond(Cond c, Value a, Value b, Value t, Value f);

  // Guest state.
  Value get(Type t, uint32_t offset);
  void put(uint32_t offset, Value v);

  // Guest memory.
  Value load(Type result, Value addr, MemOp m, uint64_t pc_info);
  void store(Value addr, Value v, MemOp m, uint64_t pc_info);

  // Helpers. The result is a None value for void helpers.
  Value call(const HelperInfo& h, std::initializer_list<Value> args, uint64_t pc_info = 0);

  // Control flow within the block (forward only).
  Label newLabel() { return Label{b_.num_labels++}; }
  void label(Label l);
  void br(Label l);
  void brcond(Cond c, Value a, Value b, Label l);

  // Block exits.
  void gotoTb(unsigned slot, uint64_t pc);
  void gotoPtr(Value pc);
  void exitTb(Value pc);

  void insnStart(uint64_t pc);

 private:
  Value bin(Opcode o, Value a, Value b);
  Value un(Opcode o, Value a);
  Op& emit(Opcode o, Type t);
  Block& b_;
};

}  // namespace mimic::tcg
