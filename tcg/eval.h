// The reference semantics of every pure IR operation. The interpreter runs
// them and constant folding uses them, so both agree by construction.
#pragma once

#include <bit>

#include "tcg/ir.h"

namespace mimic::tcg {

// True if `op` computes its output from its inputs alone.
inline bool isPureOp(Opcode o) {
  switch (o) {
    case Opcode::get: case Opcode::put: case Opcode::load: case Opcode::store: case Opcode::call:
    case Opcode::label: case Opcode::br: case Opcode::brcond: case Opcode::goto_tb:
    case Opcode::goto_ptr: case Opcode::exit_tb: case Opcode::insn_start:
      return false;
    default:
      return true;
  }
}

// Evaluates a pure op. `in` holds the input values (already masked to their
// types). Returns false where the result is undefined (division by zero or
// MIN / -1): callers must not fold those.
inline bool evalPureOp(const Op& op, const uint64_t* in, uint64_t& out) {
  const Type t = op.type;
  const unsigned bits = typeBits(t);
  const uint64_t mask = typeMask(t);
  const uint64_t a = in[0];
  const uint64_t b = in[1];
  auto sgn = [&](uint64_t v) -> int64_t { return t == Type::I32 ? int64_t(int32_t(uint32_t(v))) : int64_t(v); };
  auto minval = [&]() -> uint64_t { return t == Type::I32 ? 0x80000000ull : 0x8000000000000000ull; };
  uint64_t r = 0;
  switch (op.opc) {
    case Opcode::mov: r = a; break;
    case Opcode::add: r = a + b; break;
    case Opcode::sub: r = a - b; break;
    case Opcode::mul: r = a * b; break;
    case Opcode::and_: r = a & b; break;
    case Opcode::or_: r = a | b; break;
    case Opcode::xor_: r = a ^ b; break;
    case Opcode::not_: r = ~a; break;
    case Opcode::neg: r = 0 - a; break;
    case Opcode::shl: r = a << (b & (bits - 1)); break;
    case Opcode::shr: r = a >> (b & (bits - 1)); break;
    case Opcode::sar: r = uint64_t(sgn(a) >> (b & (bits - 1))); break;
    case Opcode::rotr: {
      unsigned n = b & (bits - 1);
      r = n ? (a >> n) | (a << (bits - n)) : a;
      break;
    }
    case Opcode::divs:
    case Opcode::rems:
      if (b == 0 || (a == minval() && (b & mask) == mask)) return false;
      r = op.opc == Opcode::divs ? uint64_t(sgn(a) / sgn(b)) : uint64_t(sgn(a) % sgn(b));
      break;
    case Opcode::divu:
    case Opcode::remu:
      if (b == 0) return false;
      r = op.opc == Opcode::divu ? a / b : a % b;
      break;
    case Opcode::clz:
      r = a == 0 ? bits : unsigned(std::countl_zero(a)) - (64 - bits);
      break;
    case Opcode::bswap16: r = ((a & 0xff) << 8) | ((a >> 8) & 0xff); break;
    case Opcode::bswap32: r = __builtin_bswap32(uint32_t(a)); break;
    case Opcode::bswap64: r = __builtin_bswap64(a); break;
    case Opcode::sext8: r = uint64_t(int64_t(int8_t(a))); break;
    case Opcode::sext16: r = uint64_t(int64_t(int16_t(a))); break;
    case Opcode::zext8: r = a & 0xff; break;
    case Opcode::zext16: r = a & 0xffff; break;
    case Opcode::sext32: r = uint64_t(int64_t(int32_t(uint32_t(a)))); break;
    case Opcode::zext32: r = a & 0xffffffffu; break;
    case Opcode::trunc: r = a & 0xffffffffu; break;
    case Opcode::extract: {
      unsigned pos = op.fieldPos(), len = op.fieldLen();
      r = (a >> pos) & (len == 64 ? ~0ull : (1ull << len) - 1);
      break;
    }
    case Opcode::sextract: {
      unsigned pos = op.fieldPos(), len = op.fieldLen();
      uint64_t v = a << (64 - pos - len);
      r = uint64_t(int64_t(v) >> (64 - len));
      break;
    }
    case Opcode::deposit: {
      unsigned pos = op.fieldPos(), len = op.fieldLen();
      uint64_t m = (len == 64 ? ~0ull : (1ull << len) - 1) << pos;
      r = (a & ~m) | ((b << pos) & m);
      break;
    }
    case Opcode::setcond: r = evalCond(op.cond, op.args[1].type, a, b) ? 1 : 0; break;
    case Opcode::movcond: r = evalCond(op.cond, op.args[1].type, a, b) ? in[2] : in[3]; break;
    default:
      return false;
  }
  out = r & mask;
  return true;
}

}  // namespace mimic::tcg
