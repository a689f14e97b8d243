// The architecture-neutral CPU: what the execution loop, softmmu and
// machines need from a guest CPU. Each frontend derives its CPU from this.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tcg/cpu_common.h"
#include "tcg/ir.h"

namespace mimic::hw {
class AddressSpace;
}

namespace mimic::tcg {

class ExecEngine;
struct Block;

enum class AccessType : uint8_t { Read, Write, Fetch };

// Why run() returned.
// Paused: the machine's run control asked (monitor stop, Ctrl-C in gdb);
// Debug: a breakpoint, step or watchpoint (ExecEngine::debug().stop says).
enum class StopReason { Shutdown, Reset, Stopped, Paused, Debug };

struct TranslationResult {
  uint64_t paddr;      // physical address of the page
  uint64_t page_size;  // bytes mapped (>= kPageSize)
  bool readable, writable, executable;
};

class Cpu {
 public:
  explicit Cpu(hw::AddressSpace& as);
  virtual ~Cpu();

  hw::AddressSpace& addressSpace() { return as_; }
  virtual CpuCommon& common() = 0;
  virtual void* env() = 0;            // the pointer generated code works on
  virtual const TargetInfo& targetInfo() const = 0;

  // Location descriptor of the next block: PC and mode flags.
  virtual uint64_t pc() const = 0;
  virtual void setPc(uint64_t pc) = 0;   // a debugger's jump (no other state changes)
  virtual uint32_t tbFlags() const = 0;

  // Translate the block at (pc, flags) into b. Instruction fetches go
  // through fetchCode(), which raises the guest's fetch fault for the first
  // instruction and stops the block before any later one that faults.
  virtual void translate(Block& b, uint64_t pc, uint32_t flags) = 0;

  // True if the virtual page of `vaddr` maps to the same physical page
  // whatever the MMU state (MIPS kseg0/kseg1): blocks may chain into it
  // from other pages.
  virtual bool fixedMapping(uint64_t vaddr, uint32_t flags) const { return false; }

  // A virtual range that reads straight from host RAM in MMU mode
  // `mmu_idx`, whatever the MMU state (MIPS kseg0 in kernel mode onto low
  // RAM): host address = host + (vaddr - vbase) for vaddr in [vbase,
  // vbase + size). Size 0: none. Stays true for the machine's life.
  struct DirectWindow {
    uint64_t vbase = 0, size = 0;
    uint8_t* host = nullptr;
  };
  virtual DirectWindow directWindow(int mmu_idx) const { return {}; }
  // Every mode's window, as code generators take them (none at all under
  // MIMIC_NO_DIRECT_WINDOW=1, for measurements).
  std::array<DirectWindow, kMaxMmuModes> directWindows() const;

  // The MMU mode whose accesses may go through host-mapped pages
  // (tcg/fastmem.h), and the first virtual address that mode never
  // reaches; mmu_idx -1: none. The mode's translation must depend only on
  // what flushes the softmmu TLB (tlbFlushAll, tlbFlushPage).
  struct FastmemSpec {
    int mmu_idx = -1;
    uint64_t vlimit = 0;
  };
  virtual FastmemSpec fastmemSpec() const { return {}; }

  // The MMU mode (softmmu TLB index) for instruction fetch under `flags`.
  virtual int mmuIndex(uint32_t flags) const = 0;

  // Virtual -> physical for an access in an MMU mode. On a miss or a
  // permission fault: if `raise`, raise the guest exception (does not
  // return), else return false.
  virtual bool mmuTranslate(uint64_t vaddr, AccessType type, int mmu_idx, bool raise,
                            TranslationResult& out) = 0;

  // Called at block boundaries when exit_request is set: deliver a pending
  // interrupt if the guest accepts one (returns true if it did).
  virtual bool deliverInterrupts() = 0;

  // Raise the architecture's bus error for a failed physical access.
  virtual void busError(uint64_t vaddr, AccessType type) = 0;
  // Raise the architecture's alignment fault (does not return).
  [[noreturn]] virtual void unalignedAccess(uint64_t vaddr, AccessType type) = 0;

  // Guest-visible disassembly for -d in_asm (Capstone).
  virtual std::string disassemble(uint64_t pc, uint32_t insn_word) const = 0;
  virtual std::string dumpState() const = 0;   // -d cpu

  // Puts the PC back on the instruction that pc_info (CpuCommon) names, so
  // it runs again from its start (a MIPS instruction in a delay slot: on its
  // branch). Guest registers are as before that instruction.
  virtual void restartInstruction(uint64_t pc_info) = 0;

  // The GDB remote protocol's view of the CPU (target description XML with
  // explicit regnums, registers in the guest's byte order).
  virtual std::string gdbTargetXml() const = 0;
  virtual int gdbRegisterCount() const = 0;
  // Appends register n's bytes; false if there is no such register.
  virtual bool gdbReadRegister(int n, std::string& out) const = 0;
  // Sets register n from `len` bytes; false if there is no such register or
  // the size is wrong.
  virtual bool gdbWriteRegister(int n, const uint8_t* data, size_t len) = 0;
  virtual bool bigEndian() const = 0;

  // Run guest code until a stop (shutdown, reset, or stop()).
  StopReason run();
  // Thread-safe: make run() return soon with `reason`.
  void requestStop(StopReason reason);
  // Thread-safe: make generated code leave at the next block boundary.
  void kick() {
    common().exit_request = 1;
    idle_cv_.notify_one();
  }

  // True while the CPU waits for an interrupt (MIPS wait, ARM wfi) and
  // nothing wakes it; a CPU that should wake clears its halt and returns false.
  virtual bool idle() { return false; }

  // Called on the CPU thread at block boundaries after kick(): machines use
  // it to run device work posted from other threads (input, timers).
  void setEventPump(std::function<void()> pump) { pump_ = std::move(pump); }

  ExecEngine& engine();

 protected:
  // Derived CPUs call this first in their destructor: the engine's timer
  // thread calls kick(), which needs the derived object alive.
  void shutdownEngine();

 public:

 protected:
  friend class ExecEngine;
  hw::AddressSpace& as_;
  std::atomic<int> stop_reason_{-1};
  std::unique_ptr<ExecEngine> engine_;
  std::function<void()> pump_;
  std::mutex idle_mu_;
  std::condition_variable idle_cv_;
};

}  // namespace mimic::tcg
