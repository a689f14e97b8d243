// What a debugger (the GDB stub) asks of the execution engine: breakpoints
// that apply to code already translated, single steps, and watchpoints on
// guest virtual addresses. CPU thread only (the stub reaches it through
// the machine's run control while the CPU is stopped).
//
//  - A breakpoint at a PC makes the block that starts there a "debug
//    break" block: it leaves to the loop without running anything, and the
//    loop stops with StopReason::Debug. Blocks end before a breakpoint in
//    their middle. Setting or clearing one drops all translations.
//  - Stepping translates one-instruction blocks (a MIPS branch and its delay
//    slot are one unit, as gdb expects) under kTbFlagStep, so they never
//    mix with ordinary blocks; interrupts are not taken while stepping.
//  - A watchpoint marks the softmmu TLB entries of its page (kTlbWatch), so
//    accesses there take the slow path. An access that hits stops *before*
//    it is done, with the PC at its instruction; the loop then runs that one
//    instruction with watchpoints off and stops with a Watch stop, so the
//    debugger sees the new value (QEMU's behaviour).
#pragma once

#include <cstdint>
#include <set>
#include <vector>

namespace mimic::tcg {

// In a block's flags: a debugger's single-instruction block. Frontends keep
// this bit clear in the flags they compute.
constexpr uint32_t kTbFlagStep = 1u << 31;

struct Watchpoint {
  uint64_t addr = 0;
  uint64_t len = 1;
  bool read = false, write = false;
  bool overlaps(uint64_t a, uint64_t n) const { return a < addr + len && addr < a + n; }
};

struct DebugStopInfo {
  enum class Kind { None, Breakpoint, Step, Watch } kind = Kind::None;
  uint64_t watch_addr = 0;    // Watch: the watchpoint's address
  bool watch_read = false, watch_write = false;   // Watch: its type (both: access)
};

struct DebugState {
  std::set<uint64_t> breakpoints;
  std::vector<Watchpoint> watchpoints;
  bool single_step = false;     // stop after every instruction
  bool step_over_bp = false;    // resuming at a breakpoint: run its instruction first
  // A watched access was stopped before it happened; run it alone next.
  bool watch_pending = false;
  bool suppress_watch = false;  // that run: watchpoints do not fire
  DebugStopInfo pending;        // what the pending watch hit was
  DebugStopInfo stop;           // why the last StopReason::Debug happened

  bool stepping() const { return single_step || step_over_bp || watch_pending; }
};

}  // namespace mimic::tcg
