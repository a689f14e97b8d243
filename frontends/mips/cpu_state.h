// The architectural state of one MIPS32 CPU, laid out for generated code:
// the general registers first so their offsets fit in one displacement byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tcg/cpu_common.h"

namespace mimic::mips {

// Exception codes (Cause.ExcCode).
enum ExcCode : uint32_t {
  EXC_INT = 0, EXC_MOD = 1, EXC_TLBL = 2, EXC_TLBS = 3, EXC_ADEL = 4, EXC_ADES = 5,
  EXC_IBE = 6, EXC_DBE = 7, EXC_SYS = 8, EXC_BP = 9, EXC_RI = 10, EXC_CPU = 11,
  EXC_OV = 12, EXC_TR = 13, EXC_FPE = 15, EXC_WATCH = 23, EXC_MCHECK = 24,
};

// pc_info of a guest instruction, as IR ops carry it: the PC, and whether the
// instruction sits in a branch delay slot (then EPC is the branch, BD is set).
constexpr uint64_t kPcInfoDelaySlot = 1ull << 32;
inline uint64_t makePcInfo(uint32_t pc, bool delay_slot) {
  return pc | (delay_slot ? kPcInfoDelaySlot : 0);
}

// Translation flags (the location descriptor's mode bits). The translator
// reads these and nothing else of the CPU's mode.
enum HFlag : uint32_t {
  HF_KSU_MASK = 3,        // 0 kernel, 1 supervisor, 2 user (effective: EXL/ERL force kernel)
  HF_CP0 = 1u << 2,       // CP0 usable (kernel mode or Status.CU0)
  HF_CP1 = 1u << 3,       // FPU usable (Status.CU1 and an FPU present)
  HF_FR = 1u << 4,        // Status.FR: 64-bit FPU registers
  HF_BE = 1u << 5,        // big-endian
  HF_ERL = 1u << 6,       // Status.ERL (kuseg unmapped)
};

// Index into the softmmu TLBs (tcg::CpuCommon::tlb) by privilege.
enum MmuIdx : uint8_t { MMU_KERNEL = 0, MMU_SUPER = 1, MMU_USER = 2, MMU_ERL = 3 };

struct MipsState {
  uint32_t gpr[32];
  uint32_t hi, lo;
  uint32_t pc;
  uint32_t hflags;

  // FPU (CP1). fpr[i] is 64 bits; with Status.FR = 0 a double lives in the
  // low halves of an even/odd pair and singles in the low half of fpr[i].
  uint64_t fpr[32];
  uint32_t fcr31;   // FCSR
  uint32_t fir;     // FCR0
  uint32_t fcr_unused[2];

  // CP0.
  uint32_t cp0_index, cp0_random, cp0_entrylo0, cp0_entrylo1;
  uint32_t cp0_context, cp0_pagemask, cp0_pagegrain, cp0_wired;
  uint32_t cp0_hwrena, cp0_badvaddr, cp0_entryhi, cp0_compare;
  uint32_t cp0_status, cp0_intctl, cp0_srsctl, cp0_cause;
  uint32_t cp0_epc, cp0_prid, cp0_ebase, cp0_config[8];
  uint32_t cp0_lladdr, cp0_errorepc;
  // Eight WatchLo/WatchHi pairs, as QEMU models these cores (real 24K cores
  // have four); watch exceptions are not implemented, so WatchLo's I/R/W
  // enables read back 0 and an OS sees that no kind of watch works.
  uint32_t cp0_watchlo[8], cp0_watchhi[8];
  uint32_t cp0_userlocal, cp0_taglo, cp0_datalo, cp0_debug, cp0_depc, cp0_desave;
  uint32_t llbit;     // set by ll, cleared by eret and exceptions
  uint32_t llval;     // value ll read (sc compares, as QEMU does)
  uint32_t lladdr_v;  // virtual address of the last ll
  uint32_t pad0;
  // Count is derived from the virtual clock: count = count_base + ticks.
  int64_t count_offset;

  tcg::CpuCommon common;
};

constexpr uint32_t offsetGpr(unsigned r) { return offsetof(MipsState, gpr) + 4 * r; }
constexpr uint32_t kOffHi = offsetof(MipsState, hi);
constexpr uint32_t kOffLo = offsetof(MipsState, lo);
constexpr uint32_t kOffPc = offsetof(MipsState, pc);
constexpr uint32_t offsetFpr(unsigned r) { return offsetof(MipsState, fpr) + 8 * r; }
constexpr uint32_t kOffFcr31 = offsetof(MipsState, fcr31);

// Raises a guest exception for the instruction named by env->common.pc_info
// (set by the caller or by generated code before the helper ran) and leaves
// generated code. Sets EPC/BD/Cause/Status as the architecture says.
[[noreturn]] void raiseException(MipsState* env, uint32_t excode);

}  // namespace mimic::mips
