// CP0 and system helpers: register reads and writes with the write masks
// and side effects the architecture gives them, eret, wait, TLB operations.
#include <csetjmp>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/exceptions.h"
#include "frontends/mips/helpers.h"
#include "frontends/mips/mips_cpu.h"
#include "frontends/mips/mmu.h"
#include "tcg/exec.h"
#include "tcg/softmmu.h"
#include "util/log.h"

namespace mimic::mips {

namespace {

MipsCpu& cpuOf(MipsState* env) { return static_cast<MipsCpu&>(*env->common.cpu); }

// Config3.ULRI: the UserLocal register (CP0 4/2) and rdhwr $29 exist.
constexpr uint32_t kConfig3Ulri = 1u << 13;
bool hasUserLocal(const MipsState* env) { return (env->cp0_config[3] & kConfig3Ulri) != 0; }

[[noreturn]] void helperRaise(MipsState* env, uint32_t excode) { raiseException(env, excode); }
[[noreturn]] void helperRaiseCpu(MipsState* env, uint32_t ce) { raiseCoprocessorUnusable(env, ce); }

uint32_t helperMfc0(MipsState* env, uint32_t regsel) {
  MipsCpu& cpu = cpuOf(env);
  const unsigned reg = regsel >> 3, sel = regsel & 7;
  switch (regsel) {
    case 0 << 3: return env->cp0_index;
    case 1 << 3: {
      // Random: a value in [Wired, entries-1] that changes between reads.
      const unsigned n = cpu.model().tlb_entries, wired = std::min<unsigned>(env->cp0_wired, n - 1);
      env->cp0_random = env->cp0_random > wired ? env->cp0_random - 1 : n - 1;
      return env->cp0_random;
    }
    case 2 << 3: return env->cp0_entrylo0;
    case 3 << 3: return env->cp0_entrylo1;
    case 4 << 3: return env->cp0_context;
    case 4 << 3 | 2:
      if (hasUserLocal(env)) return env->cp0_userlocal;
      return 0;
    case 5 << 3: return env->cp0_pagemask;
    case 5 << 3 | 1: return env->cp0_pagegrain;
    case 6 << 3: return env->cp0_wired;
    case 7 << 3: return env->cp0_hwrena;
    case 8 << 3: return env->cp0_badvaddr;
    case 9 << 3: {
      // One clock sample for both, so a Count past Compare always comes
      // with Cause.TI set.
      const int64_t now = cpu.engine().timers().nowNs();
      cpu.checkCompare(now);
      return cpu.countAt(now);
    }
    case 10 << 3: return env->cp0_entryhi;
    case 11 << 3: return env->cp0_compare;
    case 12 << 3: return env->cp0_status;
    case 12 << 3 | 1: return env->cp0_intctl;
    case 12 << 3 | 2: return env->cp0_srsctl;
    case 12 << 3 | 3: return 0;   // SRSMap
    case 13 << 3: return env->cp0_cause;
    case 14 << 3: return env->cp0_epc;
    case 15 << 3: return env->cp0_prid;
    case 15 << 3 | 1: return env->cp0_ebase;
    case 16 << 3: return env->cp0_config[0];
    case 16 << 3 | 1: return env->cp0_config[1];
    case 16 << 3 | 2: return env->cp0_config[2];
    case 16 << 3 | 3: return env->cp0_config[3];
    case 16 << 3 | 6: return env->cp0_config[6];
    case 16 << 3 | 7: return env->cp0_config[7];
    case 17 << 3: return env->cp0_lladdr;
    case 18 << 3 | 0: case 18 << 3 | 1: case 18 << 3 | 2: case 18 << 3 | 3:
    case 18 << 3 | 4: case 18 << 3 | 5: case 18 << 3 | 6: case 18 << 3 | 7:
      return env->cp0_watchlo[sel];
    case 19 << 3 | 0: case 19 << 3 | 1: case 19 << 3 | 2: case 19 << 3 | 3:
    case 19 << 3 | 4: case 19 << 3 | 5: case 19 << 3 | 6: case 19 << 3 | 7:
      return env->cp0_watchhi[sel];
    case 23 << 3: return env->cp0_debug;
    case 24 << 3: return env->cp0_depc;
    case 28 << 3: return env->cp0_taglo;
    case 28 << 3 | 1: return env->cp0_datalo;
    case 30 << 3: return env->cp0_errorepc;
    case 31 << 3: return env->cp0_desave;
    default:
      log::logf(log::kUnimp, "mips: mfc0 of unimplemented CP0 register {} sel {} reads 0\n", reg, sel);
      return 0;
  }
}

void helperMtc0(MipsState* env, uint32_t regsel, uint32_t v) {
  MipsCpu& cpu = cpuOf(env);
  const unsigned n = cpu.model().tlb_entries;
  switch (regsel) {
    case 0 << 3:
      // An index past the last entry leaves Index unchanged (as QEMU).
      if ((v & 0x7fffffffu) < n) env->cp0_index = (env->cp0_index & 0x80000000u) | (v & 0x7fffffffu);
      break;
    // PFN holds 20 bits: these cores have 32-bit physical addresses.
    case 2 << 3: env->cp0_entrylo0 = v & 0x03ffffffu; break;
    case 3 << 3: env->cp0_entrylo1 = v & 0x03ffffffu; break;
    case 4 << 3: env->cp0_context = (env->cp0_context & 0x007fffffu) | (v & ~0x007fffffu); break;
    case 4 << 3 | 2:
      if (hasUserLocal(env)) env->cp0_userlocal = v;
      break;
    case 5 << 3: env->cp0_pagemask = v & 0x1fffe000u; break;
    case 5 << 3 | 1: break;   // PageGrain: no writable bits on these cores
    case 6 << 3:
      env->cp0_wired = v & (n - 1);
      env->cp0_random = n - 1;
      break;
    case 7 << 3: env->cp0_hwrena = v & (hasUserLocal(env) ? 0x2000000fu : 0xfu); break;
    case 9 << 3: cpu.writeCount(v); break;
    case 10 << 3: {
      const uint32_t old = env->cp0_entryhi;
      env->cp0_entryhi = v & 0xffffe0ffu;
      cpu.mmu().entryHiWritten(old);
      break;
    }
    case 11 << 3: cpu.writeCompare(v); break;
    case 12 << 3: {
      const uint32_t mask = cpu.model().status_rw_mask;
      env->cp0_status = (env->cp0_status & ~mask) | (v & mask);
      cpu.updateHflags();
      break;
    }
    case 12 << 3 | 1: env->cp0_intctl = (env->cp0_intctl & ~0x3e0u) | (v & 0x3e0u); break;
    case 12 << 3 | 2: env->cp0_srsctl = (env->cp0_srsctl & ~0xf3c0u) | (v & 0xf3c0u); break;
    case 13 << 3: {
      const uint32_t old = env->cp0_cause;
      env->cp0_cause = (old & ~CA_WRITABLE) | (v & CA_WRITABLE);
      if ((old ^ env->cp0_cause) & CA_DC) {
        // Count stops while DC is set: freeze or restart it at its value.
        const uint32_t count = (old & CA_DC) ? uint32_t(env->count_offset) : 0;
        if (env->cp0_cause & CA_DC) {
          env->cp0_cause = old;                      // read the running value first
          const uint32_t now = cpu.readCount();
          env->cp0_cause = (old & ~CA_WRITABLE) | (v & CA_WRITABLE);
          env->count_offset = now;
        } else {
          cpu.writeCount(count);
        }
      }
      cpu.updateCauseIp();
      break;
    }
    case 14 << 3: env->cp0_epc = v; break;
    case 15 << 3 | 1: env->cp0_ebase = (env->cp0_ebase & ~0x3ffff000u) | (v & 0x3ffff000u); break;
    case 16 << 3: env->cp0_config[0] = (env->cp0_config[0] & ~7u) | (v & 7u); break;
    case 16 << 3 | 1: case 16 << 3 | 2: case 16 << 3 | 3: case 16 << 3 | 6: case 16 << 3 | 7:
    case 17 << 3:
      break;   // read-only on these cores
    // No watch exceptions: the I/R/W enables do not stick (as QEMU).
    case 18 << 3 | 0: case 18 << 3 | 1: case 18 << 3 | 2: case 18 << 3 | 3:
    case 18 << 3 | 4: case 18 << 3 | 5: case 18 << 3 | 6: case 18 << 3 | 7:
      env->cp0_watchlo[regsel & 7] = v & ~7u;
      break;
    // G, ASID and Mask are writable; M (another pair follows) is read-only;
    // the I/R/W cause bits never set, so their write-one-to-clear is moot.
    case 19 << 3 | 0: case 19 << 3 | 1: case 19 << 3 | 2: case 19 << 3 | 3:
    case 19 << 3 | 4: case 19 << 3 | 5: case 19 << 3 | 6: case 19 << 3 | 7: {
      uint32_t& hi = env->cp0_watchhi[regsel & 7];
      hi = (hi & kWatchHiM) | (v & 0x40ff0ff8u);
      break;
    }
    case 23 << 3: env->cp0_debug = (env->cp0_debug & ~0x13300120u) | (v & 0x13300120u); break;
    case 24 << 3: env->cp0_depc = v; break;
    case 28 << 3: env->cp0_taglo = v; break;
    case 28 << 3 | 1: env->cp0_datalo = v; break;
    case 30 << 3: env->cp0_errorepc = v; break;
    case 31 << 3: env->cp0_desave = v; break;
    default:
      log::logf(log::kUnimp, "mips: mtc0 to unimplemented CP0 register {} sel {} ignored\n", regsel >> 3, regsel & 7);
      break;
  }
}

void helperEret(MipsState* env) {
  if (env->cp0_status & ST_ERL) {
    env->pc = env->cp0_errorepc;
    env->cp0_status &= ~ST_ERL;
  } else {
    env->pc = env->cp0_epc;
    env->cp0_status &= ~ST_EXL;
  }
  env->lladdr_v = 1;   // as QEMU: no ll link survives an eret
  env->llbit = 0;
  MipsCpu& cpu = cpuOf(env);
  cpu.updateHflags();
  // Generated code goes on to the next block without passing the loop: a
  // pending interrupt that eret just unmasked must stop it there.
  const uint32_t s = env->cp0_status;
  if ((s & ST_IE) && !(s & (ST_EXL | ST_ERL)) && cpu.interruptPending()) cpu.kick();
}

void helperDeret(MipsState* env) {
  env->pc = env->cp0_depc;
  env->cp0_debug &= ~(1u << 30);   // DM
  cpuOf(env).updateHflags();
}

uint32_t helperDi(MipsState* env) {
  const uint32_t old = env->cp0_status;
  env->cp0_status &= ~ST_IE;
  return old;
}

uint32_t helperEi(MipsState* env) {
  const uint32_t old = env->cp0_status;
  env->cp0_status |= ST_IE;
  return old;
}

void helperWait(MipsState* env, uint32_t next_pc) {
  env->pc = next_pc;
  cpuOf(env).halt();
}

void helperTlbp(MipsState* env) { cpuOf(env).mmu().tlbp(); }
void helperTlbr(MipsState* env) { cpuOf(env).mmu().tlbr(); }
void helperTlbwi(MipsState* env) { cpuOf(env).mmu().tlbwi(); }
void helperTlbwr(MipsState* env) { cpuOf(env).mmu().tlbwr(); }

uint32_t helperRdhwr(MipsState* env, uint32_t reg) {
  const bool allowed = (env->hflags & HF_CP0) || (env->cp0_hwrena & (1u << reg));
  const bool implemented = reg <= 3 || (reg == 29 && hasUserLocal(env));
  if (!implemented || !allowed) raiseException(env, EXC_RI);
  switch (reg) {
    case 29: return env->cp0_userlocal;      // ULR: the thread pointer Linux keeps there
    case 0: return env->cp0_ebase & 0x3ff;   // CPUNum
    case 1: return 32;                        // SYNCI_Step
    case 2: return cpuOf(env).readCount();    // CC
    default: return 2;                        // CCRes: Count ticks every 2 cycles
  }
}

tcg::MemOp wordOp(MipsState* env) {
  tcg::MemOp m;
  m.size_log2 = 2;
  m.big_endian = (env->hflags & HF_BE) != 0;
  m.mmu_idx = uint8_t(cpuOf(env).mmuIndex(env->hflags));
  return m;
}

uint32_t helperLl(MipsState* env, uint32_t vaddr) {
  const uint32_t v = uint32_t(tcg::memLoad(&env->common, vaddr, wordOp(env).pack()));
  tcg::TranslationResult tr;
  cpuOf(env).mmuTranslate(vaddr, tcg::AccessType::Read, wordOp(env).mmu_idx, true, tr);
  env->cp0_lladdr = uint32_t((tr.paddr | (vaddr & 0xfff)) >> 4);
  env->lladdr_v = vaddr;
  env->llval = v;
  env->llbit = 1;
  return v;
}

// As QEMU does it: the store happens when the address is the linked one
// and memory still holds the value ll read (a compare-and-swap).
uint32_t helperSc(MipsState* env, uint32_t vaddr, uint32_t value) {
  if (vaddr != env->lladdr_v) return 0;
  const tcg::MemOp m = wordOp(env);
  if (vaddr & 3) cpuOf(env).unalignedAccess(vaddr, tcg::AccessType::Write);
  tcg::TranslationResult tr;
  cpuOf(env).mmuTranslate(vaddr, tcg::AccessType::Write, m.mmu_idx, true, tr);   // faults as a store
  const uint32_t cur = uint32_t(tcg::memLoad(&env->common, vaddr, m.pack()));
  if (cur != env->llval) return 0;
  tcg::memStore(&env->common, vaddr, value, m.pack());
  return 1;
}

void helperSdbbp(MipsState* env) {
  // Enter EJTAG debug mode at the debug exception vector.
  const uint64_t info = env->common.pc_info;
  env->cp0_depc = uint32_t(info);
  env->cp0_debug = (env->cp0_debug & ~(1u << 31)) | ((info & kPcInfoDelaySlot) ? (1u << 31) : 0) | (1u << 30) | 2u;
  env->pc = 0xbfc00480;
  cpuOf(env).updateHflags();
  std::longjmp(*env->common.jmp_env, 1);
}

using tcg::Type;
constexpr Type I32 = Type::I32;

}  // namespace

namespace helpers {
#define H(fn) reinterpret_cast<void*>(&fn)
const tcg::HelperInfo raise{"raise", H(helperRaise), tcg::HF_NORETURN | tcg::HF_NO_WRITE_STATE, false, I32, 1, {I32}};
const tcg::HelperInfo raiseCpu{"raise_cpu", H(helperRaiseCpu), tcg::HF_NORETURN | tcg::HF_NO_WRITE_STATE, false, I32, 1, {I32}};
const tcg::HelperInfo mfc0{"mfc0", H(helperMfc0), tcg::HF_NO_RAISE | tcg::HF_NO_WRITE_STATE, true, I32, 1, {I32}};
const tcg::HelperInfo mtc0{"mtc0", H(helperMtc0), tcg::HF_NO_RAISE, false, I32, 2, {I32, I32}};
const tcg::HelperInfo eret{"eret", H(helperEret), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo deret{"deret", H(helperDeret), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo di{"di", H(helperDi), tcg::HF_NO_RAISE, true, I32, 0, {}};
const tcg::HelperInfo ei{"ei", H(helperEi), tcg::HF_NO_RAISE, true, I32, 0, {}};
const tcg::HelperInfo wait{"wait", H(helperWait), tcg::HF_NO_RAISE, false, I32, 1, {I32}};
const tcg::HelperInfo tlbp{"tlbp", H(helperTlbp), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo tlbr{"tlbr", H(helperTlbr), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo tlbwi{"tlbwi", H(helperTlbwi), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo tlbwr{"tlbwr", H(helperTlbwr), tcg::HF_NO_RAISE, false, I32, 0, {}};
const tcg::HelperInfo rdhwr{"rdhwr", H(helperRdhwr), tcg::HF_NO_WRITE_STATE, true, I32, 1, {I32}};
const tcg::HelperInfo ll{"ll", H(helperLl), 0, true, I32, 1, {I32}};
const tcg::HelperInfo sc{"sc", H(helperSc), 0, true, I32, 2, {I32, I32}};
const tcg::HelperInfo sdbbp{"sdbbp", H(helperSdbbp), tcg::HF_NORETURN, false, I32, 0, {}};
#undef H
}  // namespace helpers

}  // namespace mimic::mips
