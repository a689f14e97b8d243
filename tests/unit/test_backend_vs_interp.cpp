// The x86-64 backend against the IR interpreter: every opcode, with
// operands in registers, as immediates and spilled, on random inputs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csetjmp>
#include <cstring>
#include <random>

#include "backend/x86_64/codegen.h"
#include "backend/x86_64/llvm/llvm_backend.h"
#include "frontends/mips/fpu/fpu_ops.h"
#include "hw/core/memory.h"
#include "tcg/builder.h"
#include "tcg/exec.h"
#include "tcg/interp.h"
#include "tcg/passes.h"
#include "tcg/softmmu.h"
#include "tests/unit/stub_cpu.h"

// The JIT compared with the interpreter: the baseline x86-64 backend here;
// test_llvm_vs_interp.cpp includes this file for the LLVM tier.
#ifndef MIMIC_TEST_JIT
#define MIMIC_TEST_JIT BackendKind::X86_64
#endif
// Random rounds per case are divided by this (LLVM compiles a block in
// milliseconds, the baseline JIT in microseconds).
#ifndef MIMIC_TEST_ROUNDS_DIV
#define MIMIC_TEST_ROUNDS_DIV 1
#endif

namespace mimic::tcg {
namespace {

// A guest with sixteen 64-bit registers and flat memory: enough to run IR.
struct TestState {
  uint64_t r[16];
  uint64_t pc;
  uint32_t status;   // an FPU status word (FloatFastPath), laid out as MIPS FCSR
  CpuCommon common;
};

using TestCpu = StateCpu<TestState>;

constexpr uint32_t regOff(unsigned i) { return offsetof(TestState, r) + 8 * i; }

struct Fixture {
  hw::AddressSpace as;
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);
  std::unique_ptr<TestCpu> cpu;
  Fixture() {
    as.addRam("ram", 0, ram.size(), ram.data());
    cpu = std::make_unique<TestCpu>(as);
  }
  std::unique_ptr<Backend> codegen;
  // Runs b through one backend from the given registers; returns registers.
  std::array<uint64_t, 16> run(const Block& b, BackendKind kind, const std::array<uint64_t, 16>& in);
};

}  // namespace
}  // namespace mimic::tcg

namespace mimic::tcg {
namespace {

std::array<uint64_t, 16> Fixture::run(const Block& b, BackendKind kind, const std::array<uint64_t, 16>& in) {
  std::memcpy(cpu->st.r, in.data(), sizeof(cpu->st.r));
  TranslationBlock tb;
  tb.pc = 0x1000;
  if (kind == BackendKind::Interpreter) {
    std::vector<uint64_t> temps;
    Interpreter::runBlock(b, &cpu->st, cpu->st.common, cpu->targetInfo(), &tb, temps);
  } else {
    if (!codegen)
      codegen = kind == BackendKind::Llvm ? llvmjit::makeLlvmBackend(*cpu, cpu->engine())
                                          : x64::makeCodegen(*cpu, cpu->engine());
    if (!codegen->compile(b, tb)) {
      codegen->flushCode();
      EXPECT_TRUE(codegen->compile(b, tb));
    }
    codegen->execute(&cpu->st, &tb);
  }
  std::array<uint64_t, 16> out;
  std::memcpy(out.data(), cpu->st.r, sizeof(cpu->st.r));
  return out;
}

uint64_t interesting(std::mt19937_64& rng, Type t) {
  static const uint64_t edge[] = {0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                  0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
                                  0x8000000000000000ull, ~0ull, ~1ull};
  uint64_t v = (rng() % 3 == 0) ? edge[rng() % std::size(edge)] : rng();
  if (rng() % 4 == 0) v = 0 - v;
  return v & typeMask(t);
}

// Every opcode in the table is exercised here or in a test below.
struct OpCase {
  Opcode op;
  int inputs;
};
constexpr OpCase kBinary[] = {{Opcode::add, 2}, {Opcode::sub, 2}, {Opcode::mul, 2}, {Opcode::and_, 2},
                              {Opcode::or_, 2}, {Opcode::xor_, 2}, {Opcode::shl, 2}, {Opcode::shr, 2},
                              {Opcode::sar, 2}, {Opcode::rotr, 2}};
constexpr Opcode kUnary[] = {Opcode::not_, Opcode::neg, Opcode::clz, Opcode::bswap16, Opcode::sext8,
                             Opcode::sext16, Opcode::zext8, Opcode::zext16, Opcode::mov};

class BackendVsInterp : public ::testing::TestWithParam<Type> {};

// Builds: inputs from registers (or constants), one op, result to r15.
void runCase(Fixture& f, std::mt19937_64& rng, Type t, const std::function<Value(Builder&, Value, Value)>& emit,
             int form, const std::string& what) {
  Block b;
  Builder bld(b);
  std::array<uint64_t, 16> in{};
  for (auto& v : in) v = interesting(rng, t);
  Value x = bld.get(t, regOff(0));
  Value y = (form & 1) ? Value::c(t, interesting(rng, t)) : bld.get(t, regOff(1));
  if (form & 2) x = Value::c(t, interesting(rng, t));
  Value r = emit(bld, x, y);
  bld.put(regOff(15), r);
  bld.exitTb(Builder::i64(0x2000));
  ASSERT_EQ(verifyBlock(b), "");
  auto a = f.run(b, BackendKind::Interpreter, in);
  auto c = f.run(b, MIMIC_TEST_JIT, in);
  ASSERT_EQ(a[15], c[15]) << what << " form " << form << "\n" << formatBlock(b);
}

TEST_P(BackendVsInterp, BinaryOps) {
  Fixture f;
  std::mt19937_64 rng(1);
  const Type t = GetParam();
  for (const OpCase& oc : kBinary)
    for (int form = 0; form < 3; form++)
      for (int n = 0; n < 200 / MIMIC_TEST_ROUNDS_DIV; n++)
        runCase(f, rng, t, [&](Builder& b, Value x, Value y) {
          Block& blk = b.block();
          Value d = b.newTemp(t);
          Op& op = blk.ops.emplace_back();
          op.opc = oc.op;
          op.type = t;
          op.nargs = 3;
          op.args[0] = d;
          op.args[1] = x;
          op.args[2] = y;
          return d;
        }, form, opDef(oc.op).name);
}

TEST_P(BackendVsInterp, UnaryOps) {
  Fixture f;
  std::mt19937_64 rng(2);
  const Type t = GetParam();
  std::vector<Opcode> ops(std::begin(kUnary), std::end(kUnary));
  ops.push_back(t == Type::I32 ? Opcode::bswap32 : Opcode::bswap64);
  for (Opcode o : ops)
    for (int form = 0; form < 3; form += 2)
      for (int n = 0; n < 200 / MIMIC_TEST_ROUNDS_DIV; n++)
        runCase(f, rng, t, [&](Builder& b, Value x, Value) {
          Value d = b.newTemp(t);
          Op& op = b.block().ops.emplace_back();
          op.opc = o;
          op.type = t;
          op.nargs = 2;
          op.args[0] = d;
          op.args[1] = x;
          return d;
        }, form, opDef(o).name);
}

TEST_P(BackendVsInterp, Division) {
  Fixture f;
  std::mt19937_64 rng(3);
  const Type t = GetParam();
  for (Opcode o : {Opcode::divs, Opcode::divu, Opcode::rems, Opcode::remu})
    for (int form = 0; form < 3; form++)
      for (int n = 0; n < 200 / MIMIC_TEST_ROUNDS_DIV; n++)
        runCase(f, rng, t, [&](Builder& b, Value x, Value y) {
          // Guard as frontends must: divisor 0 or MIN/-1 becomes 1.
          Value one = Value::c(t, 1);
          Value bad = b.or_(b.setcond(Cond::EQ, y, Value::c(t, 0)),
                            b.and_(b.setcond(Cond::EQ, x, Value::c(t, t == Type::I32 ? 0x80000000u : 1ull << 63)),
                                   b.setcond(Cond::EQ, y, Value::c(t, ~0ull))));
          Value dd = b.movcond(Cond::NE, bad, Value::c(t, 0), one, y);
          return o == Opcode::divs ? b.divs(x, dd) : o == Opcode::divu ? b.divu(x, dd)
               : o == Opcode::rems ? b.rems(x, dd) : b.remu(x, dd);
        }, form, opDef(o).name);
}

TEST_P(BackendVsInterp, ConditionsAndFields) {
  Fixture f;
  std::mt19937_64 rng(4);
  const Type t = GetParam();
  const unsigned bits = typeBits(t);
  for (int c = 0; c <= int(Cond::GTU); c++)
    for (int form = 0; form < 3; form++)
      for (int n = 0; n < 100 / MIMIC_TEST_ROUNDS_DIV; n++) {
        runCase(f, rng, t, [&](Builder& b, Value x, Value y) { return b.setcond(Cond(c), x, y); }, form, "setcond");
        runCase(f, rng, t, [&](Builder& b, Value x, Value y) {
          return b.movcond(Cond(c), x, y, b.add(x, Value::c(t, 5)), y);
        }, form, "movcond");
        runCase(f, rng, t, [&](Builder& b, Value x, Value y) {
          Value r = b.newTemp(t);
          b.movTo(r, Value::c(t, 111));
          Label l = b.newLabel();
          b.brcond(Cond(c), x, y, l);
          b.movTo(r, Value::c(t, 222));
          b.label(l);
          return b.add(r, Value::c(t, 0));
        }, form, "brcond");
      }
  for (int n = 0; n < 2000 / MIMIC_TEST_ROUNDS_DIV; n++) {
    const unsigned pos = unsigned(rng() % bits), len = 1 + unsigned(rng() % (bits - pos));
    runCase(f, rng, t, [&](Builder& b, Value x, Value) { return b.extract(x, pos, len); }, 0, "extract");
    runCase(f, rng, t, [&](Builder& b, Value x, Value) { return b.sextract(x, pos, len); }, 0, "sextract");
    runCase(f, rng, t, [&](Builder& b, Value x, Value y) { return b.deposit(x, y, pos, len); }, n % 2, "deposit");
  }
}

INSTANTIATE_TEST_SUITE_P(Types, BackendVsInterp, ::testing::Values(Type::I32, Type::I64),
                         [](const auto& info) { return info.param == Type::I32 ? "i32" : "i64"; });

TEST(BackendVsInterp, Conversions) {
  Fixture f;
  std::mt19937_64 rng(5);
  for (int n = 0; n < 500 / MIMIC_TEST_ROUNDS_DIV; n++) {
    runCase(f, rng, Type::I32, [](Builder& b, Value x, Value) { return b.trunc(b.sext32(x)); }, 0, "sext32");
    runCase(f, rng, Type::I64, [](Builder& b, Value x, Value) { return b.sext32(b.trunc(x)); }, 0, "trunc+sext32");
    runCase(f, rng, Type::I64, [](Builder& b, Value x, Value) { return b.zext32(b.trunc(x)); }, 0, "trunc+zext32");
  }
}

// Many simultaneously live temps force spills, and a helper call in the
// middle forces callee-saved registers: the result must not change.
int64_t helperMix(void*, uint64_t a, uint64_t b) { return int64_t(a * 3 + b); }
const HelperInfo kMix{"mix", reinterpret_cast<void*>(&helperMix), HF_PURE, true, Type::I64, 2, {Type::I64, Type::I64}};

TEST(BackendVsInterp, RegisterPressureAndCalls) {
  Fixture f;
  std::mt19937_64 rng(6);
  for (int round = 0; round < 50; round++) {
    Block b;
    Builder bld(b);
    std::vector<Value> vals;
    for (int i = 0; i < 16; i++) vals.push_back(bld.get(Type::I64, regOff(i)));
    for (int i = 0; i < 40; i++) {
      Value x = vals[rng() % vals.size()], y = vals[rng() % vals.size()];
      switch (rng() % 5) {
        case 0: vals.push_back(bld.add(x, y)); break;
        case 1: vals.push_back(bld.xor_(x, bld.shl(y, Builder::i64(rng() % 64)))); break;
        case 2: vals.push_back(bld.mul(x, y)); break;
        case 3: vals.push_back(bld.call(kMix, {x, y})); break;
        default: vals.push_back(bld.sub(x, Builder::i64(rng()))); break;
      }
    }
    Value acc = vals[0];
    for (size_t i = 1; i < vals.size(); i++) acc = bld.add(acc, bld.rotr(vals[i], Builder::i64(i % 64)));
    bld.put(regOff(15), acc);
    bld.exitTb(Builder::i64(0));
    ASSERT_EQ(verifyBlock(b), "");
    std::array<uint64_t, 16> in{};
    for (auto& v : in) v = rng();
    auto a = f.run(b, BackendKind::Interpreter, in);
    auto c = f.run(b, MIMIC_TEST_JIT, in);
    ASSERT_EQ(a[15], c[15]) << formatBlock(b);
  }
}

// Loads and stores through the softmmu fast path and (first touch) the
// slow path, both byte orders and every size.
TEST(BackendVsInterp, MemoryAccess) {
  Fixture f;
  std::mt19937_64 rng(7);
  for (int n = 0; n < 400; n++) {
    MemOp m;
    m.size_log2 = uint8_t(rng() % 4);
    m.big_endian = rng() % 2;
    m.sign = rng() % 2;
    const uint64_t addr = (rng() % 0xf0000) & ~uint64_t(m.bytes() - 1);
    Block b;
    Builder bld(b);
    Value a = bld.get(Type::I64, regOff(0));
    Value v = bld.get(Type::I64, regOff(1));
    bld.store(a, v, m, 0);
    Value r = bld.load(Type::I64, a, m, 0);
    bld.put(regOff(15), r);
    bld.exitTb(Builder::i64(0));
    std::array<uint64_t, 16> in{};
    in[0] = addr;
    in[1] = rng();
    tlbFlushAll(&f.cpu->st.common);
    auto x = f.run(b, BackendKind::Interpreter, in);
    std::vector<uint8_t> ram_a(f.ram.begin() + addr, f.ram.begin() + addr + 8);
    tlbFlushAll(&f.cpu->st.common);
    auto y = f.run(b, MIMIC_TEST_JIT, in);
    auto z = f.run(b, MIMIC_TEST_JIT, in);   // second run: TLB hit path
    std::vector<uint8_t> ram_b(f.ram.begin() + addr, f.ram.begin() + addr + 8);
    ASSERT_EQ(x[15], y[15]);
    ASSERT_EQ(x[15], z[15]);
    ASSERT_EQ(ram_a, ram_b);
  }
}

}  // namespace
}  // namespace mimic::tcg

namespace mimic::tcg {
namespace {

// Regression: trunc reusing its source's register must still clear the
// upper half (i32 values are kept zero-extended), or a later 64-bit use
// of the value sees garbage. Found by the MIPS differential tester
// (FR=0 double moves built from two 32-bit halves).
TEST(BackendVsInterp, TruncInPlaceClearsUpperHalf) {
  Fixture f;
  for (uint64_t x : {0xffffffff00000001ull, 0x8000000080000000ull, 0x123456789abcdef0ull}) {
    Block b;
    Builder bld(b);
    // Each source dies at its use, so the allocator hands the same
    // register to the result.
    Value lo = bld.trunc(bld.get(Type::I64, regOff(0)));
    Value wide = bld.zext32(lo);
    bld.put(regOff(14), wide);
    Value hi = bld.zext32(bld.trunc(bld.shr(bld.get(Type::I64, regOff(0)), Builder::i64(32))));
    bld.put(regOff(15), bld.or_(bld.shl(hi, Builder::i64(32)), bld.zext32(bld.trunc(bld.get(Type::I64, regOff(0))))));
    bld.exitTb(Builder::i64(0));
    std::array<uint64_t, 16> in{};
    in[0] = x;
    auto a = f.run(b, BackendKind::Interpreter, in);
    auto c = f.run(b, MIMIC_TEST_JIT, in);
    EXPECT_EQ(a[14], x & 0xffffffffu);
    EXPECT_EQ(c[14], a[14]);
    EXPECT_EQ(c[15], a[15]);
  }
}

}  // namespace
}  // namespace mimic::tcg

namespace mimic::tcg {
namespace {

// Regression: a long-lived value spilled mid-interval must not share its
// stack slot with short-lived spills from before that point (Linux's
// BLAKE2s block: the base register of 40 loads lost its value).
// Random blocks whose operands come from anywhere earlier in the block, so
// lifetimes of every length overlap and the allocator spills in every
// order. Regression: a value spilled mid-interval used to get a stack
// slot recycled from values that died while it was already live (Linux's
// BLAKE2s block lost the base register of its loads).
TEST(BackendVsInterp, RandomLifetimesUnderPressure) {
  Fixture f;
  std::mt19937_64 rng(9);
  for (int round = 0; round < 300 / MIMIC_TEST_ROUNDS_DIV; round++) {
    Block b;
    Builder bl(b);
    std::vector<Value> vals;
    for (int i = 0; i < 15; i++) vals.push_back(bl.get(Type::I64, regOff(i)));
    const int n = 40 + int(rng() % 200);
    for (int i = 0; i < n; i++) {
      // Mostly recent values, sometimes very old ones.
      auto pick = [&]() -> Value {
        size_t k = vals.size();
        return rng() % 4 == 0 ? vals[rng() % k] : vals[k - 1 - rng() % std::min<size_t>(k, 6)];
      };
      Value x = pick(), y = pick();
      switch (rng() % 4) {
        case 0: vals.push_back(bl.add(x, y)); break;
        case 1: vals.push_back(bl.xor_(x, bl.rotr(y, Builder::i64(rng() % 64)))); break;
        case 2: vals.push_back(bl.sub(x, Builder::i64(rng()))); break;
        default: vals.push_back(bl.mul(x, y)); break;
      }
    }
    // Everything contributes to the result, in random order.
    Value acc = vals[rng() % vals.size()];
    for (int i = 0; i < 25; i++) acc = bl.add(acc, vals[rng() % vals.size()]);
    bl.put(regOff(15), acc);
    bl.exitTb(Builder::i64(0));
    std::array<uint64_t, 16> in{};
    for (auto& v : in) v = rng();
    auto a = f.run(b, BackendKind::Interpreter, in);
    auto c = f.run(b, MIMIC_TEST_JIT, in);
    ASSERT_EQ(a[15], c[15]) << "round " << round;
  }
}

}  // namespace
}  // namespace mimic::tcg

namespace mimic::tcg {
namespace {

// Helpers with an inline fast path (tcg::FloatFastPath): the MIPS FPU's
// add/sub/mul/div/sqrt on TestState::status. The interpreter always calls
// the helper (the reference); the JIT computes ordinary cases inline and
// calls `quiet` and then `raise` for the rest. Every operand class, every
// rounding mode and enable: results, status words and traps must agree.
namespace fpu = mimic::mips::fpu;
std::jmp_buf g_fp_trap;
[[noreturn]] void fpRaise(void*) { std::longjmp(g_fp_trap, 1); }
const HelperInfo kFpRaise{"fp_raise", reinterpret_cast<void*>(&fpRaise), HF_NORETURN, false, Type::I32, 0, {}};

template <auto Op>
struct FpHelper;
template <typename R, typename... A, R (*Op)(uint32_t&, A...)>
struct FpHelper<Op> {
  static R quiet(TestState* st, A... a) { return Op(st->status, a...); }
  static R call(TestState* st, A... a) {
    R r = Op(st->status, a...);
    if (fpu::trapPending(st->status)) fpRaise(st);
    return r;
  }
  static constexpr Type kType = sizeof(R) == 8 ? Type::I64 : Type::I32;
  static inline const HelperInfo quiet_info{"quiet", reinterpret_cast<void*>(&quiet), HF_NO_RAISE, true, kType,
                                            uint8_t(sizeof...(A)), {(void(sizeof(A)), kType)...}};
  static FloatFastPath fast(FloatFastPath::Kind k) {
    return {k,
            uint32_t(offsetof(TestState, status)),
            fpu::kFcsrRmMask,
            0x3fu << fpu::kFcsrCauseShift,
            fpu::kExcInexact << fpu::kFcsrCauseShift,
            fpu::kExcInexact << fpu::kFcsrFlagsShift,
            fpu::kExcInexact << fpu::kFcsrEnablesShift,
            &quiet_info,
            &kFpRaise,
            fpu::kFcsrCauseShift,
            fpu::kFcsrEnablesShift,
            0x1f,
            fpu::kExcUnimpl};
  }
};

struct FpCase {
  FloatFastPath fast;
  HelperInfo info;
  bool dbl;
  unsigned operands;
};

template <auto Op>
FpCase fpCase(const char* name, FloatFastPath::Kind k) {
  using H = FpHelper<Op>;
  FpCase c{H::fast(k), {}, H::kType == Type::I64, k == FloatFastPath::Sqrt ? 1u : 2u};
  c.info = HelperInfo{name, reinterpret_cast<void*>(&H::call), 0, true, H::kType, uint8_t(c.operands),
                      {H::kType, H::kType}, nullptr};
  return c;
}

// Sign, exponent and fraction drawn to reach every class and the edges of
// the fast path's ranges: zeros, subnormals, the smallest normals, the
// exponents near kFrac+3, near the largest, infinities and NaNs.
uint64_t interestingFloat(std::mt19937_64& rng, bool dbl) {
  const unsigned frac = dbl ? 52 : 23;
  const uint64_t exp_max = dbl ? 2047 : 255, bias = exp_max / 2;
  const uint64_t exps[] = {0, 1, 2, 3, frac + 2, frac + 3, frac + 4, bias - 1, bias, bias + 1,
                           exp_max - 2, exp_max - 1, exp_max};
  uint64_t e = rng() % 2 ? exps[rng() % std::size(exps)] : rng() % (exp_max + 1);
  uint64_t m = rng() & ((1ull << frac) - 1);
  if (rng() % 6 == 0) m = rng() % 2 ? 0 : 1;   // exact values, NaN edges
  return (uint64_t(rng() % 2) << (frac + (dbl ? 11 : 8))) | (e << frac) | m;
}

TEST(BackendVsInterp, FloatFastPathMatchesHelper) {
  std::vector<FpCase> cases = {
      fpCase<&fpu::add_s>("add_s", FloatFastPath::Add),   fpCase<&fpu::add_d>("add_d", FloatFastPath::Add),
      fpCase<&fpu::sub_s>("sub_s", FloatFastPath::Sub),   fpCase<&fpu::sub_d>("sub_d", FloatFastPath::Sub),
      fpCase<&fpu::mul_s>("mul_s", FloatFastPath::Mul),   fpCase<&fpu::mul_d>("mul_d", FloatFastPath::Mul),
      fpCase<&fpu::div_s>("div_s", FloatFastPath::Div),   fpCase<&fpu::div_d>("div_d", FloatFastPath::Div),
      fpCase<&fpu::sqrt_s>("sqrt_s", FloatFastPath::Sqrt), fpCase<&fpu::sqrt_d>("sqrt_d", FloatFastPath::Sqrt),
  };
  for (FpCase& c : cases) c.info.fast = &c.fast;
  Fixture f;
  std::mt19937_64 rng(12);
  const int rounds = 2000 / MIMIC_TEST_ROUNDS_DIV;
  for (int round = 0; round < rounds; round++) {
    // Four operations in a row, each on two registers, results to r8..r11:
    // the status word flows from one to the next.
    Block b;
    Builder bl(b);
    std::array<uint64_t, 16> in{};
    std::string what;
    for (int k = 0; k < 4; k++) {
      const FpCase& c = cases[rng() % cases.size()];
      const Type t = c.dbl ? Type::I64 : Type::I32;
      in[2 * k] = interestingFloat(rng, c.dbl);
      in[2 * k + 1] = interestingFloat(rng, c.dbl);
      if (rng() % 4 == 0) in[2 * k + 1] = in[2 * k] ^ (c.dbl ? 1ull << 63 : 1ull << 31);   // x - x, x / -x
      Value x = bl.get(t, regOff(2 * k));
      Value r = c.operands == 2 ? bl.call(c.info, {x, bl.get(t, regOff(2 * k + 1))}, uint64_t(k))
                                : bl.call(c.info, {x}, uint64_t(k));
      bl.put(regOff(8 + k), r);
      what += std::string(" ") + c.info.name;
    }
    for (int k = 8; k < 12; k++) in[k] = rng();
    bl.exitTb(Builder::i64(0));
    ASSERT_EQ(verifyBlock(b), "");
    // Mostly round to nearest with no enables (the fast path's case).
    uint32_t status = uint32_t(rng()) & 0x0183ffffu;
    if (rng() % 2) status &= ~(fpu::kFcsrRmMask | fpu::kFcsrFS | (0x1fu << fpu::kFcsrEnablesShift));
    auto runOne = [&](BackendKind kind, bool& trapped) {
      f.cpu->st.status = status;
      std::array<uint64_t, 16> out{};
      trapped = false;
      if (setjmp(g_fp_trap) == 0) {
        out = f.run(b, kind, in);
      } else {
        trapped = true;
        std::memcpy(out.data(), f.cpu->st.r, sizeof(f.cpu->st.r));
      }
      return std::make_pair(out, f.cpu->st.status);
    };
    bool trap_a = false, trap_c = false;
    auto [ra, sa] = runOne(BackendKind::Interpreter, trap_a);
    auto [rc, sc] = runOne(MIMIC_TEST_JIT, trap_c);
    std::string ins;
    for (int k = 0; k < 8; k++) ins += fmt::format(" {:#x}", in[k]);
    ASSERT_EQ(trap_a, trap_c) << what << " status " << std::hex << status << " in" << ins;
    ASSERT_EQ(sa, sc) << what << " status " << std::hex << status << " in" << ins;
    for (int k = 8; k < 12; k++) ASSERT_EQ(ra[k], rc[k]) << what << " r" << k << " status " << std::hex << status << " in" << ins;
  }
}

}  // namespace
}  // namespace mimic::tcg
