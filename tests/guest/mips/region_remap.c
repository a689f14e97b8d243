/*
 * Code on mapped pages whose mapping changes while it is hot.  A loop on
 * one virtual page calls a routine on the next (tier=auto compiles each
 * page's hot code into a region; a region spanning both pages would have
 * to check the mappings it crosses); between runs the TLB entry is
 * rewritten so that the routine's virtual page shows another physical
 * page, holding a routine that returns another constant.  No code is
 * written, so nothing is invalidated: only the mapping says which code
 * runs. ASID 2 maps the loop's page to a copy that subtracts instead,
 * with the same routine page as ASID 1: code entered at the routine's own
 * loop must not return into ASID 1's loop.
 *
 * Virtual page VA (PA_LOOP; ASID 2:     VA + 4 KiB (PA_R1 or PA_R2):
 * PA_LOOP2, with subu):
 *   0: or    t9, ra, zero                 0: addiu v0, zero, K
 *   1: jal   VA + 4 KiB                   1: addiu t0, zero, 3
 *   2: nop                                2: addiu t0, t0, -1
 *   3: addu  v1, v1, v0                   3: bne   t0, zero, 2
 *   4: addiu a0, a0, -1                   4: nop
 *   5: bne   a0, zero, 1                  5: jr    ra
 *   6: nop                                6: nop
 *   7: jr    t9
 *   8: nop
 */
#include "encode.h"
#include "testutil.h"
#include "tlbutil.h"

#define PA_LOOP     0x00300000u
#define PA_R1       0x00302000u
#define PA_R2       0x00304000u
#define PA_LOOP2    0x00306000u
#define VA          0x00600000u

static inline __attribute__((always_inline)) void map(unsigned idx, uint32_t hi, uint32_t pa_even, uint32_t pa_odd)
{
    mtc0(CP0_INDEX, 0, idx);
    mtc0(CP0_ENTRYHI, 0, hi);
    mtc0(CP0_ENTRYLO0, 0, ENTRYLO(pa_even, EL_C3 | EL_D | EL_V));
    mtc0(CP0_ENTRYLO1, 0, ENTRYLO(pa_odd, EL_C3 | EL_D | EL_V));
    mtc0(CP0_PAGEMASK, 0, 0);
    __asm__ __volatile__("ehb\n\ttlbwi\n\tehb" : : : "memory");
}

static void set_asid(uint32_t asid)
{
    mtc0(CP0_ENTRYHI, 0, asid);
    __asm__ __volatile__("ehb" : : : "memory");
}

static void tlb_reset(void)
{
    for (unsigned i = 0; i < 16; i++)
        map(i, 0x80000000u + i * 2 * PAGE, 0, 0);
    set_asid(0);
    mtc0(CP0_WIRED, 0, 0);
}

static void write_code(void)
{
    const uint32_t loops[2] = {PA_LOOP, PA_LOOP2};
    for (unsigned k = 0; k < 2; k++) {
        volatile uint32_t *loop = (volatile uint32_t *)KSEG0(loops[k]);
        const uint32_t a[] = {OR(T9, RA, ZERO), JAL(VA + PAGE), NOP, k ? SUBU(V1, V1, V0) : ADDU(V1, V1, V0),
                              ADDIU(A0, A0, -1), BNE(A0, ZERO, -5), NOP, JR(T9), NOP};
        for (unsigned i = 0; i < ARRAY_SIZE(a); i++) loop[i] = a[i];
    }
    const uint32_t routines[2] = {PA_R1, PA_R2};
    for (unsigned k = 0; k < 2; k++) {
        volatile uint32_t *r = (volatile uint32_t *)KSEG0(routines[k]);
        const uint32_t a[] = {ADDIU(V0, ZERO, k ? 1000 : 1), ADDIU(T0, ZERO, 3), ADDIU(T0, T0, -1),
                              BNE(T0, ZERO, -2), NOP, JR(RA), NOP};
        for (unsigned i = 0; i < ARRAY_SIZE(a); i++) r[i] = a[i];
    }
}

/* Calls the loop at VA n times through the routine; returns the sum. */
static NOINLINE uint32_t run(uint32_t n)
{
    register uint32_t v1 __asm__("v1") = 0;
    register uint32_t a0 __asm__("a0") = n;
    __asm__ volatile("jalr %[fn]\n\tnop" : "+r"(v1), "+r"(a0) : [fn] "r"(VA) : "v0", "t0", "t9", "ra", "memory");
    return v1;
}

int main(void)
{
    tlb_reset();
    write_code();
    /* Entry 0 (ASID 1) maps the loop page to PA_LOOP, entry 1 (ASID 2) to
       PA_LOOP2; both map the routine page to R1 or R2, by round. */
    for (unsigned round = 0; round < 4; round++) {
        const int r2 = round & 1;
        map(0, VA | 1u, PA_LOOP, r2 ? PA_R2 : PA_R1);
        map(1, VA | 2u, PA_LOOP2, r2 ? PA_R2 : PA_R1);
        set_asid(1);
        uint32_t a = run(200000);
        set_asid(2);
        uint32_t b = run(100000);
        set_asid(1);
        printf("round %u (routine page -> %s): ASID 1 sum %u, ASID 2 sum %d\n", round, r2 ? "R2" : "R1",
               (unsigned)a, (int)b);
    }
    set_asid(0);
    tlb_reset();
    return 0;
}
