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
//
// A mapping costs system calls and signals (about 10-20 us from the fault
// to the page's unmapping), a TLB probe a few nanoseconds per access. A
// guest whose TLB churns (xz -6 in Linux walks 8 MiB with a TLB that
// reaches 1 MiB: a refill, so a new mapping, every few microseconds) runs
// far slower mapped than probed; so review() watches the rate of the
// mode's TLB fills, and above kMaxFillsPerSecond turns mapping off: the
// engine then flushes its code, and translates the mode's accesses with
// the TLB probe inline until the rate falls to half that.
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
  // Per guest page (vaddr >> 12, all 4 GiB), what is mapped: code that
  // checks it before an access needs no fault (LLVM regions).
  // kPageHidden: mapped, but inaccessible since a page flush (unmapPage).
  enum : uint8_t { kPageUnmapped = 0, kPageRead, kPageWrite, kPageNever, kPageHidden };
  const uint8_t* pageStates() const { return state_.data(); }
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

  // Called every kReviewNs of the machine's time (the execution loop's
  // timer): turns mapping off or on by the mode's fill rate since the last
  // call (see above). True when it did: the caller must then flush all
  // generated code (code generators read active()) and with it the
  // softmmu TLB, whose entries filled while off have no mapping behind
  // them (only a refill maps a page: a site would fault on such a page
  // every time).
  static constexpr int64_t kReviewNs = 100'000'000;
  static constexpr double kMaxFillsPerSecond = 20000;
  bool review(int64_t now_ns);
  bool active() const { return active_; }
  double lastFillRate() const { return last_rate_; }   // at the last review

  struct Stats {
    uint64_t faults = 0;    // accesses that found no host mapping
    uint64_t fills = 0;     // TLB fills of the mode (each a mapping while active)
    uint64_t off = 0;       // times mapping was turned off for a churning TLB
    uint64_t maps = 0;      // pages mapped (mmap calls)
    uint64_t flushes = 0;   // full unmaps that had something to unmap
    uint64_t unmaps = 0;    // single pages hidden (a page flush)
    uint64_t shown = 0;     // hidden pages shown again (the same translation refilled)
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
  void setActive(bool on);

  static constexpr uint8_t kUnmapped = kPageUnmapped, kRead = kPageRead, kWrite = kPageWrite, kNever = kPageNever,
                           kHidden = kPageHidden;
  static constexpr uint64_t kReserved = 1ull << 32;
  // A site patched after this many faults on pages that were not simply
  // unmapped (those get mapped by the slow path and fault once).
  static constexpr uint32_t kFaultsBeforePatch = 32;

  const int mmu_idx_;
  const uint64_t vlimit_;
  uint8_t* const base_;
  std::vector<uint8_t> state_;     // per virtual page (mapped only below vlimit)
  std::vector<uint32_t> ppn_;      // the physical page mapped there (hidden or not)
  std::vector<uint32_t> touched_;  // pages whose state left kUnmapped since the last full unmap
  // Read-write mappings by physical page, for protectPhys.
  std::unordered_map<uint32_t, std::vector<uint32_t>> writable_;
  struct Site {
    uintptr_t slow, probe;
    uint32_t faults = 0;
  };
  std::map<uintptr_t, Site> sites_;
  Stats stats_;
  // review()'s state: mapping on or off, the fills counted at the last
  // review and its time, the time of the last change.
  bool active_ = true;
  uint64_t fills_at_review_ = 0;
  int64_t review_ns_ = 0;
  int64_t changed_ns_ = 0;
  static constexpr int64_t kMinDwellNs = 300'000'000;
  double last_rate_ = 0;
};

}  // namespace mimic::tcg
