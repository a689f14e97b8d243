#include "tcg/softmmu.h"

#include <cstring>
#include <utility>

#include "hw/core/memory.h"
#include "tcg/fastmem.h"
#include "tcg/cpu.h"
#include "tcg/exec.h"
#include "tcg/ir.h"
#include "util/log.h"

namespace mimic::tcg {

namespace {

inline size_t tlbIndex(uint64_t vaddr) { return (vaddr >> kPageBits) & (kTlbEntries - 1); }

uint64_t tagFor(const TlbEntry& e, AccessType t) {
  return t == AccessType::Read ? e.addr_read : t == AccessType::Write ? e.addr_write : e.addr_code;
}

constexpr TlbEntry kEmptyEntry{kTlbInvalid, kTlbInvalid, kTlbInvalid, 0};

// The page an entry maps (any of its valid tags), or ~0 for none.
uint64_t entryPage(const TlbEntry& e) {
  for (uint64_t tag : {e.addr_read, e.addr_write, e.addr_code})
    if (!(tag & kTlbInvalid)) return tag & kPageMask;
  return ~0ull;
}

// Installs the translation `tr` of vaddr's page in mode mmu_idx; the entry
// it displaces becomes a victim.
TlbEntry& install(CpuCommon* c, uint64_t vaddr, int mmu_idx, const TranslationResult& tr) {
  const uint64_t vpage = vaddr & kPageMask;
  const size_t idx = tlbIndex(vaddr);
  TlbEntry& e = c->tlb[mmu_idx][idx];
  TlbExtra& x = c->tlb_extra[mmu_idx][idx];
  Cpu& cpu = *c->cpu;
  if (const uint64_t displaced = entryPage(e); displaced != ~0ull && displaced != vpage) {
    uint32_t& next = c->tlb_victim_next[mmu_idx];
    c->tlb_victim[mmu_idx][next] = TlbVictim{e, x.paddr_page};
    next = (next + 1) % kTlbVictims;
  }
  const uint64_t ppage = (tr.paddr | (vaddr & (tr.page_size - 1))) & kPageMask;
  c->tlb_modes_filled |= 1u << mmu_idx;
  x.paddr_page = ppage;

  const hw::Region* r = cpu.addressSpace().find(ppage);
  const bool ram = r && r->isRam() && r->contains(ppage + kPageSize - 1);
  uint64_t io = ram ? 0 : kTlbMmio;
  const uint64_t watch = cpu.engine().pageHasWatchpoints(vpage) ? kTlbWatch : 0;
  e.addr_read = tr.readable ? (vpage | io | watch) : kTlbInvalid;
  e.addr_code = tr.executable ? (vpage | io) : kTlbInvalid;
  uint64_t wflags = io | watch;
  if (ram && r->readonly) wflags |= kTlbMmio;   // ROM: writes go to the slow path, which drops them
  if (ram && cpu.engine().pageHasCode(ppage)) wflags |= kTlbNotDirty;
  e.addr_write = tr.writable ? (vpage | wflags) : kTlbInvalid;
  e.addend = ram ? uintptr_t(r->host + (ppage - r->base)) - uintptr_t(vpage) : 0;
  if (c->fastmem && mmu_idx == c->fastmem->mmuIdx()) c->fastmem->mirror(vpage, ppage, r, e);
  if (log::enabled(log::kMmu))
    log::logf(log::kMmu, "tlb fill mmu{} v={:#x} -> p={:#x}{}{}{}{}\n", mmu_idx, vpage, ppage, tr.readable ? " r" : "",
              tr.writable ? " w" : "", tr.executable ? " x" : "", ram ? "" : " io");
  return e;
}

// Refills the TLB entry for vaddr: from the victims if one maps the page
// for this access, else through the guest's MMU, which raises the guest's
// fault if it says so.
TlbEntry& fill(CpuCommon* c, uint64_t vaddr, AccessType type, int mmu_idx) {
  const uint64_t vpage = vaddr & kPageMask;
  const size_t idx = tlbIndex(vaddr);
  TlbEntry& e = c->tlb[mmu_idx][idx];
  TlbExtra& x = c->tlb_extra[mmu_idx][idx];
  for (TlbVictim& v : c->tlb_victim[mmu_idx])
    if ((tagFor(v.entry, type) & (kPageMask | kTlbInvalid)) == vpage) {
      std::swap(e, v.entry);
      std::swap(x.paddr_page, v.paddr_page);
      return e;
    }
  TranslationResult tr;
  c->cpu->mmuTranslate(vaddr, type, mmu_idx, true, tr);
  return install(c, vaddr, mmu_idx, tr);
}

uint64_t fromHost(const uint8_t* p, unsigned bytes, bool be) {
  switch (bytes) {
    case 1: return *p;
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return be ? __builtin_bswap16(v) : v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return be ? __builtin_bswap32(v) : v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return be ? __builtin_bswap64(v) : v; }
  }
}

void toHost(uint8_t* p, uint64_t v, unsigned bytes, bool be) {
  switch (bytes) {
    case 1: *p = uint8_t(v); break;
    case 2: { uint16_t x = be ? __builtin_bswap16(uint16_t(v)) : uint16_t(v); std::memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = be ? __builtin_bswap32(uint32_t(v)) : uint32_t(v); std::memcpy(p, &x, 4); break; }
    default: { uint64_t x = be ? __builtin_bswap64(v) : v; std::memcpy(p, &x, 8); break; }
  }
}

uint64_t extend(uint64_t v, const MemOp& m) {
  if (!m.sign) return v;
  switch (m.size_log2) {
    case 0: return uint64_t(int64_t(int8_t(v)));
    case 1: return uint64_t(int64_t(int16_t(v)));
    case 2: return uint64_t(int64_t(int32_t(v)));
    default: return v;
  }
}

// Locates the entry for an access, refilling on a miss. Returns the entry
// and whether its tag matches with no flags (a plain RAM hit).
TlbEntry& entryFor(CpuCommon* c, uint64_t vaddr, AccessType type, const MemOp& m) {
  const uint64_t vpage = vaddr & kPageMask;
  TlbEntry* e = &c->tlb[m.mmu_idx][tlbIndex(vaddr)];
  if ((tagFor(*e, type) & (kPageMask | kTlbInvalid)) != vpage) e = &fill(c, vaddr, type, m.mmu_idx);
  return *e;
}

bool misaligned(uint64_t vaddr, const MemOp& m) { return (vaddr & (m.bytes() - 1)) != 0; }
bool crossesPage(uint64_t vaddr, const MemOp& m) { return ((vaddr & (kPageSize - 1)) + m.bytes()) > kPageSize; }

}  // namespace

void tlbPrefill(CpuCommon* c, uint64_t vaddr, int mmu_idx) {
  const TlbEntry& e = c->tlb[mmu_idx][tlbIndex(vaddr)];
  if ((e.addr_read & (kPageMask | kTlbInvalid)) == (vaddr & kPageMask)) return;
  TranslationResult tr;
  if (c->cpu->mmuTranslate(vaddr, AccessType::Read, mmu_idx, false, tr)) install(c, vaddr, mmu_idx, tr);
}

uint64_t codePhysAddr(CpuCommon* c, uint64_t vaddr, int mmu_idx) {
  const size_t idx = tlbIndex(vaddr);
  const TlbEntry& e = c->tlb[mmu_idx][idx];
  if ((e.addr_code & (kPageMask | kTlbInvalid)) != (vaddr & kPageMask)) fill(c, vaddr, AccessType::Fetch, mmu_idx);
  return c->tlb_extra[mmu_idx][idx].paddr_page | (vaddr & (kPageSize - 1));
}

uint64_t slowLoad(CpuCommon* c, uint64_t vaddr, uint32_t memop) {
  const MemOp m = MemOp::unpack(memop);
  if (misaligned(vaddr, m)) {
    if (m.aligned) c->cpu->unalignedAccess(vaddr, AccessType::Read);
    if (crossesPage(vaddr, m)) {
      // Byte by byte, each through its own page's mapping.
      MemOp b = m;
      b.size_log2 = 0;
      b.sign = false;
      uint64_t v = 0;
      for (unsigned i = 0; i < m.bytes(); i++) {
        uint64_t byte = slowLoad(c, vaddr + i, b.pack());
        v |= m.big_endian ? byte << (8 * (m.bytes() - 1 - i)) : byte << (8 * i);
      }
      return extend(v, m);
    }
  }
  TlbEntry& e = entryFor(c, vaddr, AccessType::Read, m);
  const uint64_t tag = e.addr_read;
  if (tag & kTlbWatch) c->cpu->engine().checkWatchpoints(vaddr, m.bytes(), false);
  if (!(tag & kTlbMmio)) return extend(fromHost(reinterpret_cast<uint8_t*>(vaddr + e.addend), m.bytes(), m.big_endian), m);
  const uint64_t paddr = c->tlb_extra[m.mmu_idx][tlbIndex(vaddr)].paddr_page | (vaddr & (kPageSize - 1));
  bool ok = true;
  uint64_t v = c->cpu->addressSpace().read(paddr, m.bytes(), m.big_endian, &ok);
  if (!ok) c->cpu->busError(vaddr, AccessType::Read);
  return extend(v, m);
}

void slowStore(CpuCommon* c, uint64_t vaddr, uint64_t value, uint32_t memop) {
  const MemOp m = MemOp::unpack(memop);
  if (misaligned(vaddr, m)) {
    if (m.aligned) c->cpu->unalignedAccess(vaddr, AccessType::Write);
    if (crossesPage(vaddr, m)) {
      MemOp b = m;
      b.size_log2 = 0;
      for (unsigned i = 0; i < m.bytes(); i++) {
        unsigned shift = m.big_endian ? 8 * (m.bytes() - 1 - i) : 8 * i;
        slowStore(c, vaddr + i, (value >> shift) & 0xff, b.pack());
      }
      return;
    }
  }
  TlbEntry* e = &entryFor(c, vaddr, AccessType::Write, m);
  if (e->addr_write & kTlbWatch) c->cpu->engine().checkWatchpoints(vaddr, m.bytes(), true);
  const size_t idx = tlbIndex(vaddr);
  const uint64_t ppage = c->tlb_extra[m.mmu_idx][idx].paddr_page;
  if (e->addr_write & kTlbNotDirty) {
    ExecEngine& engine = c->cpu->engine();
    switch (engine.storeToCodePage(ppage, uint32_t(vaddr & (kPageSize - 1)), m.bytes())) {
      case ExecEngine::CodeStore::Code:
        // Drop those translations first. The page stays marked (its next
        // store is looked at again) until a store finds no code in it.
        engine.invalidatePhysPage(ppage);
        break;
      case ExecEngine::CodeStore::Data:
        break;   // beside the code: the flag stays, so that the next ones are looked at too
      case ExecEngine::CodeStore::NoCode:
        // Later stores take the fast path. Other virtual aliases of the
        // page keep the flag until their own first store comes here (QEMU
        // does the same): scanning the whole TLB on every such store made
        // self-modifying code spend a fifth of its time here.
        for (unsigned mode = 0; mode < kMaxMmuModes; mode++)
          if (c->tlb_extra[mode][idx].paddr_page == ppage) {
            c->tlb[mode][idx].addr_write &= ~kTlbNotDirty;
            // The host mapping of this page in that mode may take stores again.
            if (c->fastmem && int(mode) == c->fastmem->mmuIdx())
              c->fastmem->mirror(entryPage(c->tlb[mode][idx]), ppage, c->cpu->addressSpace().find(ppage),
                                 c->tlb[mode][idx]);
          }
        break;
    }
  }
  if (!(e->addr_write & kTlbMmio)) {
    toHost(reinterpret_cast<uint8_t*>(vaddr + e->addend), value, m.bytes(), m.big_endian);
    return;
  }
  const uint64_t paddr = ppage | (vaddr & (kPageSize - 1));
  bool ok = true;
  c->cpu->addressSpace().write(paddr, value, m.bytes(), m.big_endian, &ok);
  if (!ok) c->cpu->busError(vaddr, AccessType::Write);
}

uint64_t memLoad(CpuCommon* c, uint64_t vaddr, uint32_t memop) {
  const MemOp m = MemOp::unpack(memop);
  const TlbEntry& e = c->tlb[m.mmu_idx][tlbIndex(vaddr)];
  if ((vaddr & (kPageMask | (m.bytes() - 1))) == e.addr_read)
    return extend(fromHost(reinterpret_cast<uint8_t*>(vaddr + e.addend), m.bytes(), m.big_endian), m);
  return slowLoad(c, vaddr, memop);
}

void memStore(CpuCommon* c, uint64_t vaddr, uint64_t value, uint32_t memop) {
  const MemOp m = MemOp::unpack(memop);
  const TlbEntry& e = c->tlb[m.mmu_idx][tlbIndex(vaddr)];
  if ((vaddr & (kPageMask | (m.bytes() - 1))) == e.addr_write) {
    toHost(reinterpret_cast<uint8_t*>(vaddr + e.addend), value, m.bytes(), m.big_endian);
    return;
  }
  slowStore(c, vaddr, value, memop);
}

void tlbFlushAll(CpuCommon* c) {
  // Entries only become valid in fill(), so untouched modes are already clear.
  for (unsigned mode = 0; mode < kMaxMmuModes; mode++) {
    if (!(c->tlb_modes_filled & (1u << mode))) continue;
    for (TlbEntry& e : c->tlb[mode]) e = kEmptyEntry;
    for (TlbExtra& x : c->tlb_extra[mode]) x.paddr_page = ~0ull;
    for (TlbVictim& v : c->tlb_victim[mode]) v = TlbVictim{kEmptyEntry, ~0ull};
  }
  c->tlb_modes_filled = 0;
  if (c->fastmem) c->fastmem->unmapAll();
}

void tlbFlushPage(CpuCommon* c, uint64_t vaddr) {
  const size_t idx = tlbIndex(vaddr);
  for (unsigned mode = 0; mode < kMaxMmuModes; mode++) {
    c->tlb[mode][idx] = kEmptyEntry;
    c->tlb_extra[mode][idx].paddr_page = ~0ull;
    for (TlbVictim& v : c->tlb_victim[mode])
      if (entryPage(v.entry) == (vaddr & kPageMask)) v = TlbVictim{kEmptyEntry, ~0ull};
  }
  if (c->fastmem) c->fastmem->unmapPage(vaddr & kPageMask);
}

void tlbProtectCodePage(CpuCommon* c, uint64_t ppage) {
  if (c->fastmem) c->fastmem->protectPhys(ppage);
  // Every alias must be found, so this scans; only modes with entries, and
  // over the dense paddr array first, which the compiler vectorizes.
  for (unsigned mode = 0; mode < kMaxMmuModes; mode++) {
    if (!(c->tlb_modes_filled & (1u << mode))) continue;
    const TlbExtra* extra = c->tlb_extra[mode];
    // The low 32 bits of eight entries against the page's, four lanes at
    // a time (SSE2 has 32-bit but no 64-bit compares), then the rare group
    // with a candidate exactly: a branch per entry made this a tenth of
    // the smc kernel's time.
    static_assert(sizeof(TlbExtra) == sizeof(uint64_t) && kTlbEntries % 8 == 0);
    typedef uint32_t U32x4 __attribute__((vector_size(16)));
    const uint32_t lo = uint32_t(ppage);
    const U32x4 want = {lo, lo, lo, lo};   // lanes 0 and 2 are the low halves (little-endian host)
    for (unsigned i = 0; i < kTlbEntries; i += 8) {
      U32x4 v[4];
      std::memcpy(v, &extra[i], sizeof v);
      const U32x4 eq = (v[0] == want) | (v[1] == want) | (v[2] == want) | (v[3] == want);
      if (!(eq[0] | eq[2])) continue;
      for (unsigned j = i; j < i + 8; j++) {
        uint64_t& tag = c->tlb[mode][j].addr_write;
        if (extra[j].paddr_page == ppage && !(tag & (kTlbInvalid | kTlbMmio))) tag |= kTlbNotDirty;
      }
    }
    for (TlbVictim& v : c->tlb_victim[mode]) {
      uint64_t& tag = v.entry.addr_write;
      if (v.paddr_page == ppage && !(tag & (kTlbInvalid | kTlbMmio))) tag |= kTlbNotDirty;
    }
  }
}

}  // namespace mimic::tcg
