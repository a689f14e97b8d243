/*
 * CP0 basics: PRId, Config0-3, EBase, IntCtl/SRSCtl, Status write masks
 * (read back after writing each bit pattern), Cause writable bits, Count
 * advancing / frozen by Cause.DC, Compare, EPC/ErrorEPC, Random range vs.
 * Wired, HWREna, LLAddr, ei/di return values, rdhwr in kernel mode,
 * a software interrupt (taken right after ei) and a CP0 timer interrupt.
 * Only deterministic facts are printed (never raw Count values).
 */
#include "testutil.h"

/* Writes v to a CP0 register, reads it back, restores the old value;
   all in one asm block so nothing runs with the odd value in place. */
#define CP0_ROUNDTRIP(reg, sel, v) ({ uint32_t old_, r_;                      \
        __asm__ __volatile__(ASM_BEGIN                                       \
            "mfc0 %[old], $" STR(reg) ", " STR(sel) "\n\t"                   \
            "mtc0 %[val], $" STR(reg) ", " STR(sel) "\n\t"                   \
            "ehb\n\t"                                                        \
            "mfc0 %[r], $" STR(reg) ", " STR(sel) "\n\t"                     \
            "mtc0 %[old], $" STR(reg) ", " STR(sel) "\n\t"                   \
            "ehb" ASM_END                                                    \
            : [old] "=&r"(old_), [r] "=&r"(r_) : [val] "r"((uint32_t)(v))    \
            : "memory");                                                     \
        r_; })

static void spin(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        ;
}

static void test_ids(void)
{
    printf("== identification and configuration\n");
    printf("PRId    %08x\n", mfc0(15, 0));
    printf("EBase   %08x\n", mfc0(15, 1));
    printf("Config0 %08x\n", mfc0(16, 0));
    printf("Config1 %08x\n", mfc0(16, 1));
    printf("Config2 %08x\n", mfc0(16, 2));
    printf("Config3 %08x\n", mfc0(16, 3));
    printf("IntCtl  %08x\n", mfc0(12, 1));
    printf("SRSCtl  %08x\n", mfc0(12, 2));
    printf("Wired   %08x\n", mfc0(6, 0));
    printf("HWREna  %08x\n", mfc0(7, 0));
    printf("Status  %08x (after crt0)\n", mfc0(12, 0));
    printf("PRId  after writing 0: %08x\n", CP0_ROUNDTRIP(15, 0, 0));
    printf("Config1 after writing 0: %08x\n", CP0_ROUNDTRIP(16, 1, 0));
    uint32_t c0 = mfc0(16, 0);
    printf("Config0 with K0=3 written: %08x\n",
           CP0_ROUNDTRIP(16, 0, (c0 & ~7u) | 3));
    printf("EBase after writing 80001000: %08x\n",
           CP0_ROUNDTRIP(15, 1, 0x80001000));
    printf("EBase after writing ffffffff: %08x\n",
           CP0_ROUNDTRIP(15, 1, 0xffffffff));
    printf("EBase now %08x\n", mfc0(15, 1));
}

static void test_status(void)
{
    static const uint32_t pats[] = {
        0x00000000, 0x00000001, 0x00000002, 0x00000004, 0x00000012,
        0x0000001e, 0x000000e0, 0x0000ff00, 0x00030000, 0x00040000,
        0x00080000, 0x00100000, 0x00200000, 0x00400000, 0x00800000,
        0x01000000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
        0x20000000, 0x40000000, 0x80000000, 0xffffffe0, 0xfffffffe,
    };
    printf("== Status: value written -> value read\n");
    for (unsigned i = 0; i < ARRAY_SIZE(pats); i++)
        printf("%08x -> %08x\n", pats[i], CP0_ROUNDTRIP(12, 0, pats[i]));
    /* EXL is clear again after an exception returned */
    exc_quiet = 1;
    __asm__ __volatile__("syscall");
    exc_quiet = 0;
    printf("Status after syscall/eret: %08x\n", mfc0(12, 0));
}

#define CAUSE_SW_MASK 0x08c00300u  /* DC, IV, WP, IP1, IP0 */

static void test_cause(void)
{
    printf("== Cause writable bits (hardware IP/TI bits masked out)\n");
    static const uint32_t pats[] = {0x00000100, 0x00000200, 0x00800000,
                                    0x08000000, 0x00400000, 0xffffffff};
    for (unsigned i = 0; i < ARRAY_SIZE(pats); i++)
        printf("%08x -> %08x\n", pats[i],
               CP0_ROUNDTRIP(13, 0, pats[i]) & CAUSE_SW_MASK);
}

/*
 * Sets Compare a little ahead of Count and returns it.  If Count already
 * passed the new Compare before it was written (the emulator was slow, e.g.
 * translating code), that match is lost until Count wraps, so try again.
 */
static uint32_t arm_compare(void)
{
    uint32_t cmp;
    do {
        cmp = mfc0(9, 0) + 100000;
        mtc0(11, 0, cmp);
    } while ((int32_t)(mfc0(9, 0) - cmp) >= 0);
    return cmp;
}

static void test_count_compare(void)
{
    printf("== Count / Compare\n");
    uint32_t c1 = mfc0(9, 0);
    spin(200000);
    uint32_t c2 = mfc0(9, 0);
    printf("Count advances: %s\n", c2 != c1 ? "yes" : "no");
    uint32_t w = 0x40000000;
    mtc0(9, 0, w);
    uint32_t c3 = mfc0(9, 0);
    printf("Count after writing 40000000 is within 0x10000000 above: %s\n",
           c3 - w < 0x10000000u ? "yes" : "no");
    /* Cause.DC stops the counter */
    uint32_t cause = mfc0(13, 0);
    mtc0(13, 0, (cause & CAUSE_SW_MASK) | 0x08000000);
    mtc0(9, 0, 0x12345678);
    uint32_t f1 = mfc0(9, 0);
    spin(200000);
    uint32_t f2 = mfc0(9, 0);
    mtc0(13, 0, cause & CAUSE_SW_MASK & ~0x08000000u);
    printf("with Cause.DC=1: Count %08x then %08x\n", f1, f2);
    c1 = mfc0(9, 0);
    spin(200000);
    c2 = mfc0(9, 0);
    printf("Count advances again after DC=0: %s\n", c2 != c1 ? "yes" : "no");
    static const uint32_t cmps[] = {0x00000000, 0xffffffff, 0x12345678};
    for (unsigned i = 0; i < ARRAY_SIZE(cmps); i++)
        printf("Compare %08x -> %08x\n", cmps[i], CP0_ROUNDTRIP(11, 0, cmps[i]));
    /* TI rises once Count passes Compare; writing Compare clears it.
       (The loop polls Count, not Cause: QEMU notices an expired timer
       when Count is read, otherwise only when its host timer runs.) */
    uint32_t cmp = arm_compare();
    while ((int32_t)(mfc0(9, 0) - cmp) <= 0)
        ;
    cause = mfc0(13, 0);
    printf("after Count passed Compare: TI=%u IP7=%u\n", (cause >> 30) & 1,
           (cause >> 15) & 1);
    mtc0(11, 0, mfc0(9, 0) - 1);
    cause = mfc0(13, 0);
    printf("after writing Compare: TI=%u IP7=%u\n", (cause >> 30) & 1,
           (cause >> 15) & 1);
}

static void test_epc(void)
{
    static const uint32_t vals[] = {0x12345678, 0x80000001, 0xfffffffc};
    printf("== EPC / ErrorEPC\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        printf("%08x: EPC -> %08x ErrorEPC -> %08x\n", vals[i],
               CP0_ROUNDTRIP(14, 0, vals[i]), CP0_ROUNDTRIP(30, 0, vals[i]));
}

static void test_random_wired(void)
{
    printf("== Random stays within [Wired, 15]\n");
    static const uint32_t wired[] = {0, 5, 15};
    for (unsigned w = 0; w < ARRAY_SIZE(wired); w++) {
        mtc0(6, 0, wired[w]);
        printf("Wired %u (reads %u): ", wired[w], mfc0(6, 0));
        int ok = 1;
        for (unsigned i = 0; i < 50; i++) {
            uint32_t r = mfc0(1, 0);
            if (r < wired[w] || r > 15)
                ok = 0;
            spin(37);
        }
        printf("%s\n", ok ? "in range" : "OUT OF RANGE");
    }
    mtc0(6, 0, 0);
}

static void test_hwrena_rdhwr(void)
{
    printf("== HWREna / rdhwr (kernel mode: always allowed)\n");
    printf("HWREna ffffffff -> %08x\n", CP0_ROUNDTRIP(7, 0, 0xffffffff));
    printf("HWREna 0000000f -> %08x\n", CP0_ROUNDTRIP(7, 0, 0x0000000f));
    uint32_t r0, r1, r3, cc1, cc2;
    __asm__ __volatile__("rdhwr %0, $0\n\trdhwr %1, $1\n\trdhwr %2, $3"
                         : "=r"(r0), "=r"(r1), "=r"(r3));
    printf("rdhwr CPUNum %08x SYNCI_Step %08x CCRes %08x\n", r0, r1, r3);
    __asm__ __volatile__("rdhwr %0, $2" : "=r"(cc1));
    spin(200000);
    __asm__ __volatile__("rdhwr %0, $2" : "=r"(cc2));
    printf("rdhwr CC advances: %s\n", cc1 != cc2 ? "yes" : "no");
    exc_quiet = 1;
    static const char *const names[] = {"$4", "$29", "$31"};
    for (unsigned i = 0; i < 3; i++) {
        uint32_t pc, v = 0x5eeeeee5, before = exc_count;
        switch (i) {
        case 0:
            __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\trdhwr %[v], $4"
                                 ASM_END : [v] "+r"(v), [pc] "=&r"(pc));
            break;
        case 1:
            __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\trdhwr %[v], $29"
                                 ASM_END : [v] "+r"(v), [pc] "=&r"(pc));
            break;
        default:
            __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\trdhwr %[v], $31"
                                 ASM_END : [v] "+r"(v), [pc] "=&r"(pc));
            break;
        }
        printf("rdhwr %s: v=%08x ", names[i], v);
        exc_print_since(before, pc);
        printf("\n");
    }
    exc_quiet = 0;
}

static uint32_t llword __attribute__((aligned(16)));

static void test_lladdr(void)
{
    uint32_t tmp;
    printf("== LLAddr after ll\n");
    __asm__ __volatile__("ll %0, 0(%1)" : "=r"(tmp) : "r"(&llword) : "memory");
    uint32_t phys = (uint32_t)&llword & 0x1fffffffu;
    printf("LLAddr %08x (physical address %08x)\n", mfc0(17, 0), phys);
}

static void test_ei_di(void)
{
    uint32_t a, b, c, d;
    printf("== ei / di (Status.IM = 0, so nothing can interrupt)\n");
    __asm__ __volatile__(ASM_BEGIN "di %0\n\tehb\n\tei %1\n\tehb\n\t"
                         "ei %2\n\tehb\n\tdi %3\n\tehb" ASM_END
                         : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d));
    printf("di -> %08x, ei -> %08x, ei -> %08x, di -> %08x, now %08x\n", a, b,
           c, d, mfc0(12, 0));
    __asm__ __volatile__("di\n\tehb\n\tei\n\tehb\n\tdi $0\n\tehb");
    printf("ei/di without destination, now %08x\n", mfc0(12, 0));
}

static volatile uint32_t irq_count, irq_cause, irq_epc;

static int irq_hook(struct exc_frame *f)
{
    if (((f->cause >> 2) & 31) != 0)
        return 0;
    irq_count++;
    irq_cause = f->cause;
    irq_epc = f->epc;
    /* acknowledge: software interrupt bits off, timer off */
    mtc0(13, 0, f->cause & 0x08c00000u);
    mtc0(11, 0, mfc0(9, 0) - 1);
    /* and leave interrupts disabled after the eret */
    f->status &= ~1u;
    mtc0(12, 0, f->status);
    return 0;
}

static void test_interrupts(void)
{
    printf("== interrupts\n");
    exc_quiet = 1;
    exc_hook = irq_hook;

    /* software interrupt 0: pending while IE = 0, taken right after ei */
    irq_count = 0;
    mtc0(12, 0, 0x00000100);             /* IM0 */
    mtc0(13, 0, 0x00000100);             /* IP0 */
    uint32_t pc, cmp, cnt_before = irq_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tei\n\tehb\n\tnop\n\tnop"
                         ASM_END : [pc] "=&r"(pc) : : "memory");
    printf("software interrupt: taken %u, ExcCode %u, IP1:0 %u, "
           "EPC-ei %d, BD %u\n", irq_count - cnt_before,
           (irq_cause >> 2) & 31, (irq_cause >> 8) & 3,
           (int)(irq_epc - pc), irq_cause >> 31);

    /* timer interrupt on IP7 */
    irq_count = 0;
    mtc0(12, 0, 0x00008000);             /* IM7 */
    cmp = arm_compare();
    __asm__ __volatile__("ei\n\tehb" : : : "memory");
    /* poll Count (see test_count_compare); the interrupt must arrive
       soon after Count passed Compare */
    uint32_t late = 0;
    while (!irq_count && late < 1000) {
        if ((int32_t)(mfc0(9, 0) - cmp) > 0)
            late++;
    }
    __asm__ __volatile__("di\n\tehb" : : : "memory");
    printf("timer interrupt: taken %u, ExcCode %u, IP7 %u, TI %u\n",
           irq_count, (irq_cause >> 2) & 31, (irq_cause >> 15) & 1,
           (irq_cause >> 30) & 1);
    mtc0(12, 0, 0);
    exc_hook = 0;
    exc_quiet = 0;
    printf("Status %08x, Cause.IP1:0 %u\n", mfc0(12, 0),
           (mfc0(13, 0) >> 8) & 3);
}

int main(void)
{
    printf("cp0 test\n");
    test_ids();
    test_status();
    test_cause();
    test_count_compare();
    test_epc();
    test_random_wired();
    test_hwrena_rdhwr();
    test_lladdr();
    test_ei_di();
    test_interrupts();
    return 0;
}
