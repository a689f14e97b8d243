#include "frontends/mips/mmu.h"

#include <fmt/format.h>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/exceptions.h"
#include "frontends/mips/mips_cpu.h"
#include "tcg/exec.h"
#include "tcg/softmmu.h"

namespace mimic::mips {

namespace {
constexpr uint32_t kEntryHiVpn2Mask = 0xffffe000u;
constexpr uint32_t kPageMaskBits = 0x1fffe000u;
}  // namespace

void Mmu::reset() {
  tlb_.assign(cpu_.model().tlb_entries, JtlbEntry{});
  tlb_keys_.assign(tlb_.size(), keyOf(JtlbEntry{}));
  shadows_.clear();
  shadow_keys_.clear();
}

Mmu::MatchKey Mmu::keyOf(const JtlbEntry& e) {
  const uint32_t mask = ~(e.pagemask | 0x1fffu);
  return MatchKey{mask, e.vpn2 & mask, e.global ? kAnyAsid : e.asid};
}

void Mmu::rekeyShadows() {
  shadow_keys_.clear();
  for (const JtlbEntry& e : shadows_) shadow_keys_.push_back(keyOf(e));
}

void Mmu::fault(uint32_t vaddr, tcg::AccessType type, uint32_t excode, bool refill) {
  MipsState& s = cpu_.state();
  s.cp0_badvaddr = vaddr;
  if (excode != EXC_ADEL && excode != EXC_ADES) {
    // Context.BadVPN2 and EntryHi.VPN2 describe the missing page.
    s.cp0_context = (s.cp0_context & 0xff800000u) | ((vaddr >> 9) & 0x007ffff0u);
    s.cp0_entryhi = (vaddr & kEntryHiVpn2Mask) | (s.cp0_entryhi & 0xff);
  }
  raiseTlbException(&s, excode, refill);
}

bool Mmu::translate(uint32_t vaddr, tcg::AccessType type, int mmu_idx, bool raise, tcg::TranslationResult& out) {
  const bool store = type == tcg::AccessType::Write;
  const uint32_t adE = store ? EXC_ADES : EXC_ADEL;
  out.page_size = tcg::kPageSize;
  out.readable = out.executable = out.writable = true;

  // Segments by privilege: user reaches kuseg only; supervisor kuseg and
  // sseg; kernel everything.
  bool mapped = true;
  if (vaddr >= 0x80000000u) {
    const bool super_ok = mmu_idx == MMU_SUPER && vaddr >= 0xc0000000u && vaddr < 0xe0000000u;
    if (mmu_idx == MMU_USER || (mmu_idx == MMU_SUPER && !super_ok)) {
      if (!raise) return false;
      fault(vaddr, type, adE, false);
    }
    if (vaddr < 0xc0000000u) {
      out.paddr = (vaddr & 0x1fffffffu) & ~uint32_t(tcg::kPageSize - 1);
      mapped = false;
    }
  } else if (mmu_idx == MMU_ERL) {
    out.paddr = vaddr & ~uint32_t(tcg::kPageSize - 1);   // ERL: kuseg unmapped, uncached
    mapped = false;
  }
  if (!mapped) return true;

  const MipsState& s = cpu_.state();
  const uint8_t asid = s.cp0_entryhi & 0xff;
  auto halfOf = [](const JtlbEntry& e, uint32_t va, uint32_t& half) {
    half = ((e.pagemask | 0x1fffu) + 1) >> 1;   // bytes in one even/odd page
    return (va & half) ? 1 : 0;
  };
  auto mapTo = [&](const JtlbEntry& e, int odd, uint32_t half) {
    const uint32_t pbase = e.pfn[odd] << 12;
    out.paddr = (pbase + (vaddr & (half - 1))) & ~uint32_t(tcg::kPageSize - 1);
    out.writable = (e.flags[odd] & 4) != 0;
    return true;
  };
  for (size_t i = 0; i < tlb_keys_.size(); i++) {
    if (!tlb_keys_[i].hit(vaddr, asid)) continue;
    const JtlbEntry& e = tlb_[i];
    uint32_t half;
    const int odd = halfOf(e, vaddr, half);
    const uint8_t f = e.flags[odd];
    if (!(f & 2)) {   // V
      if (!raise) return false;
      fault(vaddr, type, store ? EXC_TLBS : EXC_TLBL, false);
    }
    if (store && !(f & 4)) {   // D
      if (!raise) return false;
      fault(vaddr, type, EXC_MOD, false);
    }
    return mapTo(e, odd, half);
  }
  for (size_t i = 0; i < shadow_keys_.size(); i++) {
    if (!shadow_keys_[i].hit(vaddr, asid)) continue;
    const JtlbEntry& e = shadows_[i];
    uint32_t half;
    const int odd = halfOf(e, vaddr, half);
    const uint8_t f = e.flags[odd];
    if ((f & 2) && (!store || (f & 4))) return mapTo(e, odd, half);
  }
  if (!raise) return false;
  fault(vaddr, type, store ? EXC_TLBS : EXC_TLBL, true);
}

void Mmu::flushEntry(const JtlbEntry& e) {
  tcg::CpuCommon& c = cpu_.common();
  const uint32_t span = (e.pagemask | 0x1fffu) + 1;   // both halves
  if (span > 64 * 1024) {
    tcg::tlbFlushAll(&c);
    cpu_.engine().flushJumpCache();
  } else {
    // Only these pages' translations and jump-cache entries change (a full
    // jump-cache flush on every refill made Linux user space crawl).
    const uint32_t base = e.vpn2 & ~(e.pagemask | 0x1fffu);
    for (uint32_t off = 0; off < span; off += tcg::kPageSize) {
      tcg::tlbFlushPage(&c, base + off);
      cpu_.engine().flushJumpCachePage(base + off);
    }
  }
}

void Mmu::flushShadows() {
  for (const JtlbEntry& e : shadows_) flushEntry(e);
  shadows_.clear();
  shadow_keys_.clear();
}

void Mmu::write(unsigned index, bool random) {
  MipsState& s = cpu_.state();
  JtlbEntry& e = tlb_[index % tlb_.size()];
  // Only the old mapping can have left translations behind: the softmmu
  // caches successful lookups only, every replaced entry is flushed here
  // (or lives on as a shadow, see mmu.h), and an ASID change flushes
  // everything. An entry with neither half valid mapped nothing.
  if ((e.flags[0] | e.flags[1]) & 2) {
    if (random && tlb_.size() + shadows_.size() < kMaxEntries) {
      shadows_.push_back(e);
      shadow_keys_.push_back(keyOf(e));
    } else
      flushEntry(e);
  }
  e.pagemask = s.cp0_pagemask & kPageMaskBits;
  e.vpn2 = s.cp0_entryhi & kEntryHiVpn2Mask & ~e.pagemask;
  e.asid = s.cp0_entryhi & 0xff;
  e.global = (s.cp0_entrylo0 & s.cp0_entrylo1 & 1) != 0;
  e.pfn[0] = (s.cp0_entrylo0 >> 6) & 0x00ffffffu;
  e.pfn[1] = (s.cp0_entrylo1 >> 6) & 0x00ffffffu;
  e.flags[0] = s.cp0_entrylo0 & 0x3f;
  e.flags[1] = s.cp0_entrylo1 & 0x3f;
  tlb_keys_[index % tlb_.size()] = keyOf(e);
  // A shadow covering the new entry's pages could have left translations
  // the new entry answers differently for: drop such shadows.
  std::erase_if(shadows_, [&](const JtlbEntry& sh) {
    const uint32_t mask = ~(sh.pagemask | e.pagemask | 0x1fffu);
    const bool overlap = (sh.vpn2 & mask) == (e.vpn2 & mask) && (sh.global || e.global || sh.asid == e.asid);
    if (overlap) flushEntry(sh);
    return overlap;
  });
  if (shadow_keys_.size() != shadows_.size()) rekeyShadows();
}

void Mmu::tlbwi() {
  flushShadows();
  write(cpu_.state().cp0_index & 0x7fffffffu, false);
}

void Mmu::tlbwr() {
  MipsState& s = cpu_.state();
  // Random counts down from the top entry to Wired; a pseudo-random choice
  // among the unwired entries.
  const unsigned n = unsigned(tlb_.size());
  const unsigned wired = std::min<unsigned>(s.cp0_wired, n - 1);
  random_state_ = random_state_ * 1103515245u + 12345u;
  const unsigned idx = wired + (random_state_ >> 16) % (n - wired);
  s.cp0_random = idx;
  write(idx, true);
  // A refill for user mode (the exception kept KSU): the access it returns
  // to is about to fill this page; filling it here saves that access a
  // trip through the slow path (under host-mapped pages, a second fault).
  if (s.cp0_status & ST_EXL && (s.cp0_status & ST_KSU_MASK) == (uint32_t(MMU_USER) << ST_KSU_SHIFT) &&
      !(s.cp0_status & ST_ERL))
    tcg::tlbPrefill(&cpu_.common(), s.cp0_badvaddr, MMU_USER);
}

void Mmu::tlbp() {
  MipsState& s = cpu_.state();
  const uint8_t asid = s.cp0_entryhi & 0xff;
  for (unsigned i = 0; i < tlb_.size(); i++) {
    const JtlbEntry& e = tlb_[i];
    const uint32_t mask = ~(e.pagemask | 0x1fffu) & kEntryHiVpn2Mask;
    if ((s.cp0_entryhi & mask) == (e.vpn2 & mask) && (e.global || e.asid == asid)) {
      s.cp0_index = i;
      return;
    }
  }
  s.cp0_index |= 0x80000000u;   // P: no match
  // A shadow the guest is asking about would answer where the real TLB
  // does not: drop them.
  for (const JtlbEntry& e : shadows_) {
    const uint32_t mask = ~(e.pagemask | 0x1fffu) & kEntryHiVpn2Mask;
    if ((s.cp0_entryhi & mask) == (e.vpn2 & mask) && (e.global || e.asid == asid)) {
      flushShadows();
      break;
    }
  }
}

void Mmu::tlbr() {
  MipsState& s = cpu_.state();
  const JtlbEntry& e = tlb_[(s.cp0_index & 0x7fffffffu) % tlb_.size()];
  const uint32_t old_hi = s.cp0_entryhi;
  s.cp0_entryhi = e.vpn2 | e.asid;
  s.cp0_pagemask = e.pagemask;
  s.cp0_entrylo0 = (e.pfn[0] << 6) | (e.flags[0] & 0x3e) | (e.global ? 1 : 0);
  s.cp0_entrylo1 = (e.pfn[1] << 6) | (e.flags[1] & 0x3e) | (e.global ? 1 : 0);
  if ((old_hi & 0xff) != e.asid) entryHiWritten(old_hi);
}

void Mmu::entryHiWritten(uint32_t old_value) {
  if ((old_value & 0xff) == (cpu_.state().cp0_entryhi & 0xff)) return;
  tcg::tlbFlushAll(&cpu_.common());
  cpu_.engine().flushJumpCache();
}

std::string Mmu::dump() const {
  std::string out;
  for (size_t i = 0; i < tlb_.size(); i++) {
    const JtlbEntry& e = tlb_[i];
    out += fmt::format("TLB[{:2}] VPN2 {:08x} ASID {:02x} G {} PageMask {:08x}", i, e.vpn2, e.asid, e.global ? 1 : 0,
                       e.pagemask);
    for (int h = 0; h < 2; h++)
      out += fmt::format("  PFN{} {:08x} C {} D {} V {}", h, e.pfn[h], (e.flags[h] >> 3) & 7, (e.flags[h] >> 2) & 1,
                         (e.flags[h] >> 1) & 1);
    out += "\n";
  }
  return out;
}

}  // namespace mimic::mips
