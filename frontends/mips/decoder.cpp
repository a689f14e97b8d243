#include "frontends/mips/decoder.h"

#include <array>
#include <vector>

namespace mimic::mips {

namespace {
// Entries grouped by primary opcode (bits 31:26), in table order.
struct Buckets {
  std::array<std::vector<uint16_t>, 64> by_op;
  Buckets() {
    for (unsigned i = 0; i < kNumInsns; i++) {
      const InsnPattern& p = kInsnTable[i];
      for (unsigned op = 0; op < 64; op++)
        if (((op << 26) & p.mask) == (p.match & 0xfc000000u)) by_op[op].push_back(uint16_t(i));
    }
  }
};
const Buckets& buckets() {
  static const Buckets b;
  return b;
}
}  // namespace

Mnemonic decode(uint32_t word) {
  for (uint16_t i : buckets().by_op[word >> 26]) {
    const InsnPattern& p = kInsnTable[i];
    if ((word & p.mask) == p.match) return p.id;
  }
  return Mnemonic::Invalid;
}

const InsnPattern& insnPattern(Mnemonic m) { return kInsnTable[unsigned(m)]; }

}  // namespace mimic::mips
