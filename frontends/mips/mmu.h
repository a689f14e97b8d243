// MIPS32 address translation: the fixed segments (kuseg, kseg0-3) and the
// R4000-style JTLB with tlbp/tlbr/tlbwi/tlbwr.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tcg/cpu.h"

namespace mimic::mips {

class MipsCpu;

struct JtlbEntry {
  uint32_t vpn2 = 0;       // EntryHi VPN2 (bits 31:13), masked by pagemask on compare
  uint8_t asid = 0;
  bool global = false;
  uint32_t pagemask = 0;   // PageMask register value (bits 28:13)
  uint32_t pfn[2] = {0, 0};
  uint8_t flags[2] = {0, 0};   // EntryLo bits 5:0: C(5:3) D(2) V(1) G(0)
};

// Shadow entries (as QEMU keeps them): an entry that tlbwr replaces while
// still valid moves to a shadow list instead of being dropped, and keeps
// translating until the guest could notice it. Linux's refill handler
// replaces entries at random all the time; without shadows every replaced
// page faults again soon (a refill exception each time), with them most
// re-accesses hit. The guest cannot tell: tlbp and tlbr see only the
// architectural entries, tlbwi and a tlbp that would match a shadow drop
// them all, a shadow whose matching half is invalid (or clean, for a
// store) does not answer, and the shadows never outnumber
// kMaxEntries - the JTLB size.
class Mmu {
 public:
  static constexpr unsigned kMaxEntries = 128;   // JTLB + shadows

  explicit Mmu(MipsCpu& cpu) : cpu_(cpu) {}
  void reset();

  bool translate(uint32_t vaddr, tcg::AccessType type, int mmu_idx, bool raise, tcg::TranslationResult& out);

  void tlbp();
  void tlbr();
  void tlbwi();
  void tlbwr();
  // EntryHi written: a new ASID changes every mapped translation.
  void entryHiWritten(uint32_t old_value);
  // The JTLB, one line per entry, for the monitor's "info tlb".
  std::string dump() const;

 private:
  void write(unsigned index, bool random);
  void flushEntry(const JtlbEntry& e);
  void flushShadows();
  void rekeyShadows();

  // What an entry's match needs, packed: translate() scans these (up to
  // kMaxEntries on every softmmu refill of a mapped page; Linux user code
  // refills all the time) instead of the entries themselves.
  struct MatchKey {
    uint32_t mask;   // ~(pagemask | 0x1fff)
    uint32_t vpn;    // vpn2 & mask
    uint32_t asid;   // kAnyAsid for a global entry
    bool hit(uint32_t vaddr, uint32_t a) const { return (vaddr & mask) == vpn && (asid == a || asid == kAnyAsid); }
  };
  static constexpr uint32_t kAnyAsid = 0x100;
  static MatchKey keyOf(const JtlbEntry& e);
  [[noreturn]] void fault(uint32_t vaddr, tcg::AccessType type, uint32_t excode, bool refill);

  MipsCpu& cpu_;
  std::vector<JtlbEntry> tlb_;
  std::vector<JtlbEntry> shadows_;
  std::vector<MatchKey> tlb_keys_, shadow_keys_;   // parallel to tlb_ and shadows_
  uint32_t random_state_ = 1;
};

}  // namespace mimic::mips
