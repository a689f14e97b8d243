// Reading and writing FPU registers as the current FR mode lays them out.
#pragma once

#include "frontends/mips/translate.h"

namespace mimic::mips {

// A single (or word) in register r: the low half of fpr[r] in both modes.
inline Value loadF32(Ctx& c, unsigned r) { return c.b.get(Type::I32, offsetFpr(r)); }
// Writes the low half; the high half is kept, as on QEMU.
inline void storeF32(Ctx& c, unsigned r, Value v) { c.b.put(offsetFpr(r), v); }

// A double (or long): fpr[r] with FR = 1; with FR = 0 the low word is in
// register r & ~1 and the high word in r | 1.
inline Value loadF64(Ctx& c, unsigned r) {
  if (c.flags & HF_FR) return c.b.get(Type::I64, offsetFpr(r));
  Value lo = c.b.zext32(c.b.get(Type::I32, offsetFpr(r & ~1u)));
  Value hi = c.b.zext32(c.b.get(Type::I32, offsetFpr(r | 1u)));
  return c.b.or_(c.b.shl(hi, Builder::i64(32)), lo);
}

inline void storeF64(Ctx& c, unsigned r, Value v) {
  if (c.flags & HF_FR) return c.b.put(offsetFpr(r), v);
  c.b.put(offsetFpr(r & ~1u), c.b.trunc(v));
  c.b.put(offsetFpr(r | 1u), c.b.trunc(c.b.shr(v, Builder::i64(32))));
}

// With FR = 0 an odd register cannot hold a double: Reserved Instruction
// (QEMU's check_cp1_registers). Returns false after raising.
inline bool evenRegsOk(Ctx& c, std::initializer_list<unsigned> regs) {
  if (c.flags & HF_FR) return true;
  for (unsigned r : regs)
    if (r & 1) {
      c.reserved();
      return false;
    }
  return true;
}

}  // namespace mimic::mips
