#include "frontends/mips/exceptions.h"

#include <csetjmp>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/mips_cpu.h"
#include "util/log.h"

namespace mimic::mips {

namespace {
MipsCpu& cpuOf(MipsState* env) { return static_cast<MipsCpu&>(*env->common.cpu); }

const char* excName(uint32_t c) {
  static const char* names[32] = {"Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE", "DBE", "Sys", "Bp", "RI",
                                  "CpU", "Ov", "Tr", "?", "FPE", "?", "?", "C2E", "?", "?", "?", "MDMX", "WATCH",
                                  "MCheck", "?", "?", "?", "?", "?", "CacheErr", "?"};
  return names[c & 31];
}

[[noreturn]] void leave(MipsState* env) { std::longjmp(*env->common.jmp_env, 1); }
}  // namespace

void takeException(MipsCpu& cpu, uint32_t excode, uint32_t pc, bool bd, bool refill) {
  MipsState& s = cpu.state();
  const bool exl = (s.cp0_status & ST_EXL) != 0;
  if (!exl) {
    s.cp0_epc = pc;
    s.cp0_cause = bd ? (s.cp0_cause | CA_BD) : (s.cp0_cause & ~CA_BD);
  }
  s.cp0_cause = (s.cp0_cause & ~CA_EXC_MASK) | (excode << CA_EXC_SHIFT);
  if (excode != EXC_CPU) s.cp0_cause &= ~CA_CE_MASK;
  s.cp0_status |= ST_EXL;

  uint32_t base = (s.cp0_status & ST_BEV) ? 0xbfc00200u : (s.cp0_ebase & 0xfffff000u);
  uint32_t offset = 0x180;
  if (refill && !exl) offset = 0x000;
  else if (excode == EXC_INT && (s.cp0_cause & CA_IV)) offset = 0x200;   // no vectored mode (VInt = 0)
  const uint32_t old_pc = s.pc;
  s.pc = base + offset;
  cpu.updateHflags();
  if (log::enabled(log::kInt)) {
    log::logf(log::kInt, "mips: exception {} ({}) at pc={:#x}{} -> {:#x} (was at {:#x}) badvaddr={:#x}\n", excode,
              excName(excode), pc, bd ? " [delay slot]" : "", s.pc, old_pc, s.cp0_badvaddr);
    if (excode != EXC_INT) log::write(cpu.dumpState());
  }
}

void raiseException(MipsState* env, uint32_t excode) {
  const uint64_t info = env->common.pc_info;
  takeException(cpuOf(env), excode, uint32_t(info), (info & kPcInfoDelaySlot) != 0, false);
  leave(env);
}

void raiseTlbException(MipsState* env, uint32_t excode, bool refill) {
  const uint64_t info = env->common.pc_info;
  takeException(cpuOf(env), excode, uint32_t(info), (info & kPcInfoDelaySlot) != 0, refill);
  leave(env);
}

void raiseCoprocessorUnusable(MipsState* env, unsigned ce) {
  env->cp0_cause = (env->cp0_cause & ~CA_CE_MASK) | ((ce & 3u) << CA_CE_SHIFT);
  const uint64_t info = env->common.pc_info;
  takeException(cpuOf(env), EXC_CPU, uint32_t(info), (info & kPcInfoDelaySlot) != 0, false);
  leave(env);
}

}  // namespace mimic::mips
