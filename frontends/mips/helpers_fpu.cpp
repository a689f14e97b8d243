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
  static tcg::HelperInfo info(const char* name) {
    return tcg::HelperInfo{name, reinterpret_cast<void*>(&call), 0, true, irType<R>(), uint8_t(sizeof...(A)),
                           {irType<A>()...}};
  }
};

template <bool Double>
void compare(MipsState* env, uint32_t cond_cc, std::conditional_t<Double, uint64_t, uint32_t> a,
             std::conditional_t<Double, uint64_t, uint32_t> b) {
  const bool r = Double ? core::cmp_d(env->fcr31, cond_cc & 15, a, b) : core::cmp_s(env->fcr31, cond_cc & 15, a, b);
  if (core::trapPending(env->fcr31)) raiseException(env, EXC_FPE);
  const uint32_t bit = 1u << fcsrCcBit(cond_cc >> 4);
  env->fcr31 = r ? (env->fcr31 | bit) : (env->fcr31 & ~bit);
}

}  // namespace

#define DEFINE(name) const tcg::HelperInfo name = Wrap<&core::name>::info(#name);
FPU_OPS(DEFINE)
#undef DEFINE

const tcg::HelperInfo cmp_s{"cmp_s", reinterpret_cast<void*>(&compare<false>), 0, false, tcg::Type::I32, 3,
                            {tcg::Type::I32, tcg::Type::I32, tcg::Type::I32}};
const tcg::HelperInfo cmp_d{"cmp_d", reinterpret_cast<void*>(&compare<true>), 0, false, tcg::Type::I32, 3,
                            {tcg::Type::I32, tcg::Type::I64, tcg::Type::I64}};

}  // namespace mimic::mips::helpers::fpu
