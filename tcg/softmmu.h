// The slow paths of guest memory access: TLB refill through the guest MMU,
// device (MMIO) dispatch, and stores that hit pages holding translated code.
// Generated code inlines the TLB hit path and calls these on a miss; the
// interpreter calls them for every access.
#pragma once

#include <cstdint>

#include "tcg/cpu_common.h"

namespace mimic::tcg {

// `memop` is MemOp::pack(). Loads return the value zero- or sign-extended to
// 64 bits as the MemOp says. pc_info must already be in c->pc_info.
uint64_t slowLoad(CpuCommon* c, uint64_t vaddr, uint32_t memop);
void slowStore(CpuCommon* c, uint64_t vaddr, uint64_t value, uint32_t memop);

// Loads/stores with the TLB hit check done in C: for the interpreter.
uint64_t memLoad(CpuCommon* c, uint64_t vaddr, uint32_t memop);
void memStore(CpuCommon* c, uint64_t vaddr, uint64_t value, uint32_t memop);

// The physical address instruction fetches at vaddr read, through the TLB
// (its addr_code tag; refilled on a miss, which raises the guest's fetch
// fault if there is no mapping). Block lookups use it, so that the entry
// of a page being run stays in the TLB, where a region's check of another
// page's mapping looks (llvm_lower.cpp, page guards).
uint64_t codePhysAddr(CpuCommon* c, uint64_t vaddr, int mmu_idx);

// Fills vaddr's entry in mode mmu_idx now if the guest's MMU maps it
// (nothing if not: no fault). For a guest's TLB refill handler: the access
// it returns to then finds its page, and under host-mapped pages
// (tcg/fastmem.h) does not fault a second time.
void tlbPrefill(CpuCommon* c, uint64_t vaddr, int mmu_idx);

void tlbFlushAll(CpuCommon* c);
void tlbFlushPage(CpuCommon* c, uint64_t vaddr);   // every MMU mode

// Makes every TLB entry that maps physical page `ppage` for writing take the
// slow path (its page now holds translated code).
void tlbProtectCodePage(CpuCommon* c, uint64_t ppage);

}  // namespace mimic::tcg
