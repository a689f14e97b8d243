// swl/swr: the unaligned word stores, byte by byte as QEMU does them, so a
// fault is reported for the store with the address of its first byte.
#include "frontends/mips/helpers.h"
#include "frontends/mips/mips_cpu.h"
#include "tcg/softmmu.h"

namespace mimic::mips {

namespace {

tcg::MemOp byteOp(MipsState* env) {
  tcg::MemOp m;
  m.size_log2 = 0;
  m.big_endian = (env->hflags & HF_BE) != 0;
  m.mmu_idx = uint8_t(static_cast<MipsCpu*>(env->common.cpu)->mmuIndex(env->hflags));
  return m;
}

void storeByte(MipsState* env, uint32_t addr, uint32_t v) {
  tcg::memStore(&env->common, addr, v & 0xff, byteOp(env).pack());
}

// Position of addr within its word, counted from the word's most
// significant byte, and the direction of increasing significance.
void lanes(MipsState* env, uint32_t addr, unsigned& lmask, int& step) {
  const bool be = (env->hflags & HF_BE) != 0;
  lmask = be ? (addr & 3) : ((addr & 3) ^ 3);
  step = be ? 1 : -1;
}

void helperSwl(MipsState* env, uint32_t addr, uint32_t v) {
  unsigned lm;
  int step;
  lanes(env, addr, lm, step);
  storeByte(env, addr, v >> 24);
  if (lm <= 2) storeByte(env, addr + step, v >> 16);
  if (lm <= 1) storeByte(env, addr + 2 * step, v >> 8);
  if (lm == 0) storeByte(env, addr + 3 * step, v);
}

void helperSwr(MipsState* env, uint32_t addr, uint32_t v) {
  unsigned lm;
  int step;
  lanes(env, addr, lm, step);
  storeByte(env, addr, v);
  if (lm >= 1) storeByte(env, addr - step, v >> 8);
  if (lm >= 2) storeByte(env, addr - 2 * step, v >> 16);
  if (lm == 3) storeByte(env, addr - 3 * step, v >> 24);
}

constexpr tcg::Type I32 = tcg::Type::I32;
}  // namespace

namespace helpers {
const tcg::HelperInfo swl{"swl", reinterpret_cast<void*>(&helperSwl), tcg::HF_NO_READ_STATE | tcg::HF_NO_WRITE_STATE,
                          false, I32, 2, {I32, I32}};
const tcg::HelperInfo swr{"swr", reinterpret_cast<void*>(&helperSwr), tcg::HF_NO_READ_STATE | tcg::HF_NO_WRITE_STATE,
                          false, I32, 2, {I32, I32}};
}  // namespace helpers

}  // namespace mimic::mips
