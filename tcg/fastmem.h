// Host-mapped guest pages ("fastmem"): loads and stores of one MMU mode
// (MIPS user mode) without the softmmu TLB probe.
//
// A reserved 4 GiB of host address space stands for that mode's 32-bit
// virtual address space. Where the softmmu fills a TLB entry of the mode
// that maps a page onto RAM, the same RAM page is mapped from the RAM's
// memfd at base + vaddr: read-write if the entry allows plain stores,
// read-only if stores must take the slow path (a clean page, translated
// code on it); everything else stays inaccessible (no mapping yet, device
// memory, watchpoints, addresses the mode may not reach). Generated code
// then loads from [vaddr + base], with base in the instruction's 32-bit
// displacement (so the reservation sits below 2 GiB): no index, no tag
// compare, no addend load on the address's dependency chain.
//
// An access that finds no host mapping faults; the SIGSEGV handler looks
// the faulting instruction up among the registered access sites and
// resumes at that site's ordinary slow path (softmmu.h's slowLoad and
// slowStore: refill, which maps the page here; device access; the
// guest's exception). A site that keeps faulting on pages that stay
// unmapped (device memory mapped into a process, stores beside code) is
// patched to jump to an out-of-line TLB probe instead, so it costs what
// it cost before rather than a signal per access.
//
// The mappings follow the softmmu TLB's life: a full TLB flush (an ASID
// change) unmaps them all, a page flush its page, and a page that gets
// translated code becomes read-only. The CPU thread alone changes them,
// outside generated code.
#pragma once

#include <signal.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tcg/cpu_common.h"

namespace mimic::hw {
struct Region;
}

namespace mimic::tcg {

class Fastmem {
 public:
  // Reserves the range (vlimit: the first virtual address the mode never
  // reaches; pages from there on are never mapped). Null, with the reason
  // in `why`, if the host has no free 4 GiB starting below 2 GiB.
  static std::unique_ptr<Fastmem> create(int mmu_idx, uint64_t vlimit, std::string& why);
  ~Fastmem();
  Fastmem(const Fastmem&) = delete;
  Fastmem& operator=(const Fastmem&) = delete;

  int mmuIdx() const { return mmu_idx_; }
  // Host address of guest virtual address 0 (below 2 GiB: a displacement).
  int32_t base() const { return int32_t(reinterpret_cast<uintptr_t>(base_)); }

  // The softmmu filled entry `e` (mode mmuIdx()) for vpage onto physical
  // ppage, in region r (null: no RAM there): map the page as e allows.
  void mirror(uint64_t vpage, uint64_t ppage, const hw::Region* r, const TlbEntry& e);
  void unmapPage(uint64_t vpage);
  void unmapAll();
  // Physical page ppage now holds translated code: its mappings become
  // read-only (stores go to the slow path, which sees the code).
  void protectPhys(uint64_t ppage);

  // Access sites in generated code: the faulting instruction at `pc`
  // resumes at `slow` (its slow path); `probe` is the out-of-line TLB
  // probe a site is patched to jump to (at least 5 bytes at pc belong to
  // the access and may be overwritten).
  void addSite(uintptr_t pc, uintptr_t slow, uintptr_t probe);
  void removeSites(uintptr_t from, uintptr_t to);   // their code is rewritten
  // The handler answers for the calling thread's instance (the CPU thread
  // sets it before running generated code).
  static void setCurrent(Fastmem* f);

  struct Stats {
    uint64_t faults = 0;    // accesses that found no host mapping
    uint64_t maps = 0;      // pages mapped (mmap calls)
    uint64_t flushes = 0;   // full unmaps that had something to unmap
    uint64_t patched = 0;   // sites patched to the TLB probe
    uint64_t map_errors = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  Fastmem(int mmu_idx, uint64_t vlimit, uint8_t* base);
  static void onSignal(int sig, siginfo_t* info, void* ucontext);
  bool handleFault(uintptr_t pc, uintptr_t addr, void* ucontext);
  void setState(uint64_t vpn, uint8_t state, uint32_t ppn);
  bool mapPage(uint64_t vpage, int fd, uint64_t offset, bool writable);
  void unmapRange(uint64_t vaddr, uint64_t bytes);
  void dropWritable(uint64_t vpn);

  enum : uint8_t { kUnmapped = 0, kRead, kWrite, kNever };
  static constexpr uint64_t kReserved = 1ull << 32;
  // A site patched after this many faults on pages that were not simply
  // unmapped (those get mapped by the slow path and fault once).
  static constexpr uint32_t kFaultsBeforePatch = 32;

  const int mmu_idx_;
  const uint64_t vlimit_;
  uint8_t* const base_;
  std::vector<uint8_t> state_;     // per virtual page below vlimit
  std::vector<uint32_t> ppn_;      // the physical page mapped there
  std::vector<uint32_t> touched_;  // pages whose state left kUnmapped since the last full unmap
  // Read-write mappings by physical page, for protectPhys.
  std::unordered_map<uint32_t, std::vector<uint32_t>> writable_;
  struct Site {
    uintptr_t slow, probe;
    uint32_t faults = 0;
  };
  std::map<uintptr_t, Site> sites_;
  Stats stats_;
};

}  // namespace mimic::tcg
