/*
 * TLB helpers shared by the guest programs that map pages: EntryLo fields
 * and writing one JTLB entry pair.
 */
#ifndef MIMIC_GUEST_TLBUTIL_H
#define MIMIC_GUEST_TLBUTIL_H

#include "runtime.h"

#define PAGE        4096u
#define EL_V        0x2u            /* valid */
#define EL_D        0x4u            /* dirty: writable */
#define EL_G        0x1u            /* global: any ASID */
#define EL_C3       (3u << 3)       /* cacheable */
#define ENTRYLO(pa, flags) ((((pa) >> 12) << 6) | (flags))
#define KSEG0(pa)   ((pa) | 0x80000000u)

/* Writes JTLB entry idx (EntryHi, EntryLo0/1, PageMask) with tlbwi. */
static inline void tlb_write_index(unsigned idx, uint32_t hi, uint32_t lo0, uint32_t lo1, uint32_t mask)
{
    mtc0(CP0_INDEX, 0, idx);
    mtc0(CP0_ENTRYHI, 0, hi);
    mtc0(CP0_ENTRYLO0, 0, lo0);
    mtc0(CP0_ENTRYLO1, 0, lo1);
    mtc0(CP0_PAGEMASK, 0, mask);
    __asm__ __volatile__("ehb\n\ttlbwi\n\tehb" : : : "memory");
}

#endif
