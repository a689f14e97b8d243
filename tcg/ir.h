// The intermediate representation that every frontend lifts guest code into
// and every backend compiles. A Block is a straight list of ops with forward
// branches to labels; values are typed temporaries or constants.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mimic::tcg {

enum class Type : uint8_t { I32, I64 };

inline unsigned typeBits(Type t) { return t == Type::I32 ? 32 : 64; }
inline uint64_t typeMask(Type t) { return t == Type::I32 ? 0xffffffffull : ~0ull; }

enum OpFlag : uint32_t {
  OPF_COMMUTATIVE = 1u << 0,
  OPF_WIDEN = 1u << 1,         // input is i32, output is i64
  OPF_NARROW = 1u << 2,        // input is i64, output is i32
  OPF_FIELD = 1u << 3,         // uses field pos/len
  OPF_COND = 1u << 4,          // uses cond
  OPF_READS_STATE = 1u << 5,
  OPF_WRITES_STATE = 1u << 6,
  OPF_CAN_RAISE = 1u << 7,     // may leave the block through a guest exception
  OPF_SIDE_EFFECT = 1u << 8,   // never removed by dead-code elimination
  OPF_CALL = 1u << 9,
  OPF_LABEL = 1u << 10,
  OPF_BRANCH = 1u << 11,
  OPF_EXIT = 1u << 12,
};

enum class Opcode : uint8_t {
#define IR_OP(name, outs, ins, flags) name,
#include "tcg/ir_ops.inc"
#undef IR_OP
  count_
};

struct OpDef {
  const char* name;
  uint8_t outputs;
  uint8_t inputs;
  uint32_t flags;
};
// Inline: every IR pass asks per op (out of line it was 5% of translating).
inline constexpr OpDef kOpDefs[] = {
#define IR_OP(name, outs, ins, flags) {#name, outs, ins, flags},
#include "tcg/ir_ops.inc"
#undef IR_OP
};
static_assert(sizeof(kOpDefs) / sizeof(kOpDefs[0]) == size_t(Opcode::count_));
inline const OpDef& opDef(Opcode op) { return kOpDefs[size_t(op)]; }

// Comparison conditions for setcond/movcond/brcond.
enum class Cond : uint8_t { EQ, NE, LT, GE, LE, GT, LTU, GEU, LEU, GTU, ALWAYS, NEVER };
const char* condName(Cond c);
Cond invertCond(Cond c);
Cond swapCond(Cond c);  // (a c b) == (b swapCond(c) a)
bool evalCond(Cond c, Type t, uint64_t a, uint64_t b);

// A memory access: size, signedness, byte order and MMU mode (index into the
// softmmu TLBs), packed in 32 bits.
struct MemOp {
  uint8_t size_log2 = 2;   // 0..3: 1, 2, 4, 8 bytes
  bool sign = false;       // sign-extend a load narrower than the result type
  bool big_endian = false; // guest byte order of this access
  uint8_t mmu_idx = 0;     // 0..kMaxMmuModes-1
  bool aligned = true;     // a misaligned address faults (the CPU's unaligned())
  unsigned bytes() const { return 1u << size_log2; }
  uint32_t pack() const {
    return size_log2 | (sign ? 4u : 0u) | (big_endian ? 8u : 0u) | (uint32_t(mmu_idx) << 4) |
           (aligned ? 0x100u : 0u);
  }
  static MemOp unpack(uint32_t v) {
    MemOp m;
    m.size_log2 = v & 3;
    m.sign = (v & 4) != 0;
    m.big_endian = (v & 8) != 0;
    m.mmu_idx = (v >> 4) & 0xf;
    m.aligned = (v & 0x100) != 0;
    return m;
  }
};

// A helper function compiled ahead of time and called from generated code.
// Signature: uint64_t-or-void fn(void* cpu_state, args...) with each argument
// uint32_t (Type::I32) or uint64_t (Type::I64), returning per `ret`.
enum HelperFlag : uint32_t {
  HF_NO_READ_STATE = 1u << 0,   // does not read guest registers in the CPU state
  HF_NO_WRITE_STATE = 1u << 1,  // does not write them
  HF_NO_RAISE = 1u << 2,        // never raises a guest exception
  HF_NORETURN = 1u << 3,        // always raises (never returns)
  HF_PURE = HF_NO_READ_STATE | HF_NO_WRITE_STATE | HF_NO_RAISE,
};
struct HelperInfo;

// A helper that is one IEEE operation on bit patterns (I32: binary32,
// I64: binary64) with a 32-bit status word in the CPU state, such as the
// MIPS FPU's add.d. The optimizing tier may compute the ordinary cases
// inline on the host's FPU:
//   - ordinary: (status & mode_mask) == 0 (round to nearest, no special
//     modes), operands and result in the ranges where only Inexact can
//     arise (frontends/mips/fpu/fpu_host.h, the helper's own fast path);
//     the result is the host's, and the status word becomes
//       (status & ~cause_mask) | (inexact ? inexact_cause | inexact_flag : 0)
//     unless the operation is inexact with (status & inexact_enable) set;
//   - anything else calls `quiet`: the helper's computation (operands and
//     result alike) reading and writing nothing but the status word, with
//     a trap left to the caller. It traps when
//       (status >> cause_shift) & (((status >> enable_shift) & enable_mask) | always_traps)
//     is nonzero afterwards; then `raise` (no operands, never returns)
//     raises it and the destination is not written.
// So the guest's registers need to be back in the CPU state only when an
// FPU trap is raised.
struct FloatFastPath {
  enum Kind : uint8_t { Add, Sub, Mul, Div, Sqrt };
  Kind kind;
  uint32_t status_offset;   // in the CPU state
  uint32_t mode_mask;
  uint32_t cause_mask;
  uint32_t inexact_cause;
  uint32_t inexact_flag;
  uint32_t inexact_enable;
  const HelperInfo* quiet;
  const HelperInfo* raise;
  uint8_t cause_shift;
  uint8_t enable_shift;
  uint32_t enable_mask;
  uint32_t always_traps;
};

struct HelperInfo {
  const char* name;
  void* fn;
  uint32_t flags;
  bool returns;        // false: void
  Type ret;
  uint8_t nargs;       // not counting the CPU state pointer; at most 4
  Type args[4];
  const FloatFastPath* fast = nullptr;   // an inline fast path (its operand width is ret's)
};

// h's fast path if a backend may inline it: the helper has the shape the
// descriptor assumes (operands and result of one width), and for mul, div
// and sqrt the host has FMA (their Inexact test is an FMA residual).
const FloatFastPath* inlinableFastPath(const HelperInfo& h, bool host_has_fma);

struct Value {
  enum Kind : uint8_t { None, Temp, Const };
  Kind kind = None;
  Type type = Type::I32;
  uint32_t temp = 0;
  uint64_t imm = 0;   // constant, already masked to the type

  static Value t(Type ty, uint32_t idx) { Value v; v.kind = Temp; v.type = ty; v.temp = idx; return v; }
  static Value c(Type ty, uint64_t x) { Value v; v.kind = Const; v.type = ty; v.imm = x & typeMask(ty); return v; }
  bool isTemp() const { return kind == Temp; }
  bool isConst() const { return kind == Const; }
  bool operator==(const Value& o) const {
    return kind == o.kind && type == o.type && (kind == Temp ? temp == o.temp : imm == o.imm);
  }
};

constexpr int kMaxArgs = 6;

struct Op {
  Opcode opc = Opcode::mov;
  Type type = Type::I32;       // the type of the output (or of the inputs when none)
  Cond cond = Cond::EQ;
  uint8_t nargs = 0;
  uint32_t aux = 0;            // get/put: offset; load/store: MemOp; label/br/brcond: label id;
                               // goto_tb: slot; extract/sextract/deposit: pos | len << 8
  uint64_t aux64 = 0;          // goto_tb: target pc; call: HelperInfo*; insn_start: pc
  uint64_t pc_info = 0;        // CAN_RAISE ops: which guest instruction (frontend-defined)
  Value args[kMaxArgs];

  const OpDef& def() const { return opDef(opc); }
  const HelperInfo* helper() const { return reinterpret_cast<const HelperInfo*>(aux64); }
  unsigned numOutputs() const { return opc == Opcode::call ? (helper()->returns ? 1 : 0) : def().outputs; }
  unsigned fieldPos() const { return aux & 0xff; }
  unsigned fieldLen() const { return (aux >> 8) & 0xff; }
};

struct Block {
  std::vector<Op> ops;
  std::vector<Type> temps;     // type of each temp
  uint32_t num_labels = 0;
  uint64_t guest_pc = 0;       // first guest instruction
  uint32_t guest_size = 0;     // bytes of guest code covered
  uint32_t num_insns = 0;
  // The block ends in a call (MIPS jal, bal: its goto_tb exit goes to the
  // callee; jalr: its indirect jump does), which returns to this address.
  // The hot tier's regions take in the return's block and, for a direct
  // call, copy the callee and predict its return (call_contexts.h; an
  // indirect call's jump is not taken for a return); nothing depends on
  // it for correctness.
  static constexpr uint64_t kNoCall = ~uint64_t(0);
  uint64_t call_return = kNoCall;

  void clear() {
    ops.clear();
    temps.clear();
    num_labels = 0;
    guest_size = 0;
    num_insns = 0;
    call_return = kNoCall;
  }
};

// Human-readable dump, one op a line (for -d op and test failures).
std::string formatBlock(const Block& b);
std::string formatOp(const Block& b, const Op& op);

// Checks the structural rules: operand counts and types, temps defined before
// use in linear order, labels defined once and only branched to forwards,
// the block ends in an exit. Returns an empty string when valid.
std::string verifyBlock(const Block& b);

// Whether a block's indirect jump goes to an address the block loaded from
// guest memory (a switch's jump table, a handler table) rather than to a
// register's value (a return): TranslationBlock::dispatches, and how the
// hot tier's regions treat the jump.
bool dispatchesThroughLoad(const Block& b);

}  // namespace mimic::tcg
