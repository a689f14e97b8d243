/*
 * Mappings that change while a loop is hot.  The loop loads and stores
 * through one virtual page; halfway it rewrites the TLB entry (tlbwi) so
 * that the page is another physical page, and at three quarters it
 * switches the ASID to one whose private entry maps a third page.  Every
 * access after a change must use the new mapping: the sum and the stores
 * left in each physical page tell which page every iteration reached.
 * With -accel tcg,tier=auto the loop is a compiled region by then, whose
 * accesses remember the page they hit last (the memo must not survive a
 * change of mapping; CP0 writes end the block, so the change is made
 * outside the region and the loop re-enters it).
 */
#include "testutil.h"
#include "tlbutil.h"

#define PA_A        0x00200000u
#define PA_B        0x00202000u
#define PA_C        0x00204000u
#define VA          0x00400000u
#define WORDS       256u

static inline __attribute__((always_inline)) void map(unsigned idx, uint32_t hi, uint32_t pa)
{
    mtc0(CP0_INDEX, 0, idx);
    mtc0(CP0_ENTRYHI, 0, hi);
    mtc0(CP0_ENTRYLO0, 0, ENTRYLO(pa, EL_C3 | EL_D | EL_V));
    mtc0(CP0_ENTRYLO1, 0, ENTRYLO(pa + PAGE, EL_C3 | EL_D | EL_V));
    mtc0(CP0_PAGEMASK, 0, 0);
    __asm__ __volatile__("ehb\n\ttlbwi\n\tehb" : : : "memory");
}

static void tlb_reset(void)
{
    for (unsigned i = 0; i < 16; i++)
        map(i, 0x80000000u + i * 2 * PAGE, 0);
    mtc0(CP0_ENTRYHI, 0, 0);
    mtc0(CP0_WIRED, 0, 0);
}

static void fill(uint32_t pa, uint32_t base)
{
    volatile uint32_t *p = (volatile uint32_t *)KSEG0(pa);
    for (uint32_t i = 0; i < 2 * WORDS; i++)
        p[i] = base + i;
}

static uint32_t page_sum(uint32_t pa)
{
    volatile uint32_t *p = (volatile uint32_t *)KSEG0(pa);
    uint32_t h = 0;
    for (uint32_t i = WORDS; i < 2 * WORDS; i++)
        h = h * 31u + p[i];
    return h;
}

/* ASID 1 owns entry 0 (VA -> A, then B); ASID 2 owns entry 1 (VA -> C).
   A code page of its own: regions are per page, and a page gets only a few
   builds (fill and page_sum would take them). */
static NOINLINE __attribute__((aligned(4096))) uint32_t run(uint32_t n)
{
    volatile uint32_t *p = (volatile uint32_t *)VA;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        sum = sum * 3u + p[i & (WORDS - 1)];
        p[WORDS + (i & (WORDS - 1))] = sum ^ i;
        if (i == n / 2) {
            map(0, VA | 1u, PA_B);
        } else if (i == n / 4 * 3) {
            mtc0(CP0_ENTRYHI, 0, 2u);
            __asm__ __volatile__("ehb" : : : "memory");
        }
    }
    return sum;
}

int main(void)
{
    tlb_reset();
    fill(PA_A, 0x1000);
    fill(PA_B, 0x2000);
    fill(PA_C, 0x3000);
    map(1, VA | 2u, PA_C);
    map(0, VA | 1u, PA_A);
    mtc0(CP0_ENTRYHI, 0, 1u);
    __asm__ __volatile__("ehb" : : : "memory");
    for (uint32_t n = 100000; n <= 800000; n += 100000) {
        map(0, VA | 1u, PA_A);
        mtc0(CP0_ENTRYHI, 0, 1u);
        __asm__ __volatile__("ehb" : : : "memory");
        uint32_t sum = run(n);
        printf("n %u: sum %08x, stores A %08x B %08x C %08x\n", (unsigned)n, (unsigned)sum,
               (unsigned)page_sum(PA_A), (unsigned)page_sum(PA_B), (unsigned)page_sum(PA_C));
    }
    mtc0(CP0_ENTRYHI, 0, 0);
    tlb_reset();
    return 0;
}
