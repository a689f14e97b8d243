#include "frontends/mips/helpers_fpu.h"

#include <type_traits>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/cpu_state.h"
#include "frontends/mips/fpu/fpu_ops.h"

namespace mimic::mips::helpers::fpu {

namespace {

namespace core = mimic::mips::fpu;

template <typename T>
constexpr tcg::Type irType() {
  return sizeof(T) == 8 ? tcg::Type::I64 : tcg::Type::I32;
}

// Wraps core function Fn(fcsr&, args...) as a helper taking the CPU state.
template <auto Fn>
struct Wrap;
template <typename R, typename... A, R (*Fn)(uint32_t&, A...)>
struct Wrap<Fn> {
  static R call(MipsState* env, A... a) {
    R r = Fn(env->fcr31, a...);
    if (core::trapPending(env->fcr31)) raiseException(env, EXC_FPE);
    return r;
  }
  static tcg::HelperInfo info(const char* name, const tcg::FloatFastPath* fast = nullptr) {
    return tcg::HelperInfo{name, reinterpret_cast<void*>(&call), 0, true, irType<R>(), uint8_t(sizeof...(A)),
                           {irType<A>()...}, fast};
  }
  // Without the trap (tcg::FloatFastPath::quiet): the caller raises it.
  static R quiet(MipsState* env, A... a) { return Fn(env->fcr31, a...); }
  static tcg::HelperInfo quietInfo(const char* name) {
    return tcg::HelperInfo{name, reinterpret_cast<void*>(&quiet), tcg::HF_NO_RAISE, true,
                           irType<R>(), uint8_t(sizeof...(A)), {irType<A>()...}};
  }
};

[[noreturn]] void raiseFpe(MipsState* env) { raiseException(env, EXC_FPE); }
const tcg::HelperInfo raise_fpe{"raise_fpe", reinterpret_cast<void*>(&raiseFpe), tcg::HF_NORETURN, false,
                                tcg::Type::I32, 0, {}};

// The operations the optimizing tier may run inline in ordinary cases
// (tcg::FloatFastPath): their core functions take the same host fast path
// (fpu/fpu_host.h) under the same conditions. E in Cause always traps.
constexpr tcg::FloatFastPath fastPath(tcg::FloatFastPath::Kind k, const tcg::HelperInfo* quiet) {
  return tcg::FloatFastPath{k,
                            kOffFcr31,
                            core::kFcsrRmMask,
                            0x3fu << core::kFcsrCauseShift,
                            core::kExcInexact << core::kFcsrCauseShift,
                            core::kExcInexact << core::kFcsrFlagsShift,
                            core::kExcInexact << core::kFcsrEnablesShift,
                            quiet,
                            &raise_fpe,
                            core::kFcsrCauseShift,
                            core::kFcsrEnablesShift,
                            0x1f,
                            core::kExcUnimpl};
}

#define FAST_OPS(X)                                                                                          \
  X(add_s, Add) X(add_d, Add) X(sub_s, Sub) X(sub_d, Sub) X(mul_s, Mul) X(mul_d, Mul) X(div_s, Div) X(div_d, Div) \
  X(sqrt_s, Sqrt) X(sqrt_d, Sqrt)
#define QUIET(name, kind)                                                                     \
  const tcg::HelperInfo name##_quiet = Wrap<&core::name>::quietInfo(#name "_quiet");          \
  constexpr tcg::FloatFastPath name##_fast = fastPath(tcg::FloatFastPath::kind, &name##_quiet);
FAST_OPS(QUIET)
#undef QUIET

// Each operation's fast path, if it has one.
template <auto Fn>
constexpr const tcg::FloatFastPath* kFastOf = nullptr;
#define FAST_OF(name, kind) \
  template <>               \
  constexpr const tcg::FloatFastPath* kFastOf<&core::name> = &name##_fast;
FAST_OPS(FAST_OF)
#undef FAST_OF

template <bool Double>
void compare(MipsState* env, uint32_t cond_cc, std::conditional_t<Double, uint64_t, uint32_t> a,
             std::conditional_t<Double, uint64_t, uint32_t> b) {
  const bool r = Double ? core::cmp_d(env->fcr31, cond_cc & 15, a, b) : core::cmp_s(env->fcr31, cond_cc & 15, a, b);
  if (core::trapPending(env->fcr31)) raiseException(env, EXC_FPE);
  const uint32_t bit = 1u << fcsrCcBit(cond_cc >> 4);
  env->fcr31 = r ? (env->fcr31 | bit) : (env->fcr31 & ~bit);
}

}  // namespace

#define DEFINE(name) const tcg::HelperInfo name = Wrap<&core::name>::info(#name, kFastOf<&core::name>);
FPU_OPS(DEFINE)
#undef DEFINE

const tcg::HelperInfo cmp_s{"cmp_s", reinterpret_cast<void*>(&compare<false>), 0, false, tcg::Type::I32, 3,
                            {tcg::Type::I32, tcg::Type::I32, tcg::Type::I32}};
const tcg::HelperInfo cmp_d{"cmp_d", reinterpret_cast<void*>(&compare<true>), 0, false, tcg::Type::I32, 3,
                            {tcg::Type::I32, tcg::Type::I64, tcg::Type::I64}};

}  // namespace mimic::mips::helpers::fpu
