// The part of every guest CPU's state that generated code and the execution
// loop rely on, independent of the guest architecture. An architecture's
// state struct embeds one CpuCommon; its offset is given to the backends
// through TargetInfo.
#pragma once

#include <csetjmp>
#include <cstddef>
#include <cstdint>

namespace mimic::tcg {

constexpr unsigned kPageBits = 12;
constexpr uint64_t kPageSize = 1ull << kPageBits;
constexpr uint64_t kPageMask = ~(kPageSize - 1);
// 1024 entries map 4 MiB per mode: guests with a few MiB of working set
// (the memory benchmark, gzip in Linux) thrashed the 256-entry TLB, with a
// third of their time in refills. A full flush only clears the modes that
// were filled since the last one, so the size costs little on ASID changes.
constexpr unsigned kTlbBits = 10;
constexpr unsigned kTlbEntries = 1u << kTlbBits;
constexpr unsigned kMaxMmuModes = 4;

// Flag bits of a TLB tag. They sit inside the page offset, so a tagged
// entry never equals a page address and every access to it takes the slow
// path; and above bit 2, because the fast path's compare keeps an access's
// alignment bits (0..2) to send misaligned accesses to the slow path too.
constexpr uint64_t kTlbInvalid = 1u << 11;  // no mapping for this access type
constexpr uint64_t kTlbMmio = 1u << 10;     // device, not RAM
constexpr uint64_t kTlbNotDirty = 1u << 9;  // RAM page that holds translated code
constexpr uint64_t kTlbWatch = 1u << 8;     // page with debugger watchpoints (tcg/debug.h)
constexpr uint64_t kTlbFlagsMask = kTlbInvalid | kTlbMmio | kTlbNotDirty | kTlbWatch;

// One direct-mapped softmmu TLB entry. A load of n bytes at vaddr hits when
// (vaddr & (kPageMask | (n-1))) == addr_read; the host address is then
// vaddr + addend. The same for stores (addr_write) and fetches (addr_code).
struct TlbEntry {
  uint64_t addr_read;
  uint64_t addr_write;
  uint64_t addr_code;
  uintptr_t addend;
};
static_assert(sizeof(TlbEntry) == 32, "backends index the TLB with a shift by 5");

// Per-entry data the fast path never reads.
struct TlbExtra {
  uint64_t paddr_page;   // physical page of the mapping
};

// The entries fills displaced, per mode (softmmu.cpp): a miss looks there
// before asking the guest's MMU, and swaps a match back in. Two pages a
// loop uses that share an index (4 MiB apart: where a process's buffers
// land is up to the guest's mmap) otherwise refilled each other through
// the guest MMU on every access: gzip -9 in Linux ran 2.8 s or 4.9 s by
// where its buffers fell, with 8% of the slow runs in the refills.
constexpr unsigned kTlbVictims = 8;
struct TlbVictim {
  TlbEntry entry;
  uint64_t paddr_page;
};

class Cpu;
class Fastmem;

struct CpuCommon {
  // Checked at every block entry: nonzero makes the block return to the
  // execution loop before running (interrupt pending, timer due, stop).
  volatile int32_t exit_request;
  int32_t icount_budget;
  // Written just before anything that can raise a guest exception leaves
  // generated code (memory slow path, raising helpers): which guest
  // instruction was running, in the frontend's pc_info encoding. This is how
  // faults stay precise without storing the PC before each access.
  uint64_t pc_info;
  Cpu* cpu;
  void* jmp_cache;       // the execution loop's virtual-PC jump cache
  std::jmp_buf* jmp_env; // unwinds generated code on a guest exception
  uint64_t insns_executed;
  // Host-mapped pages of one MMU mode (tcg/fastmem.h), kept in step with
  // the TLB by softmmu.cpp; null when off.
  Fastmem* fastmem = nullptr;
  uint32_t tlb_modes_filled = ~0u;  // bit per MMU mode with entries since the last full flush
  TlbEntry tlb[kMaxMmuModes][kTlbEntries];
  TlbExtra tlb_extra[kMaxMmuModes][kTlbEntries];
  TlbVictim tlb_victim[kMaxMmuModes][kTlbVictims];
  uint32_t tlb_victim_next[kMaxMmuModes] = {};   // the slot the next displaced entry takes
};

// What a backend needs to know of a guest's CPU state layout.
struct TargetInfo {
  uint32_t common_offset;  // offsetof(ArchState, common)
  uint32_t pc_offset;      // where goto_tb / goto_ptr / exit_tb store the PC
  bool pc_is_64bit;       // the PC slot's width
};

}  // namespace mimic::tcg
