/* guest-cflags: -mhard-float */
/*
 * FPU compares and conditional moves/branches (FR=0):
 *   c.cond.s/.d for all 16 conditions over ordered, equal, signed-zero,
 *   infinite and NaN operand pairs (result bit and the Invalid cause, which
 *   the signalling predicates raise for any NaN, the others only for sNaN);
 *   all 8 condition codes (FCSR bits 23, 25-31 and the FCCR view);
 *   bc1f bc1t bc1fl bc1tl on each cc (5 taken, 7 not taken, 6 annulled);
 *   movf movt (GPR), movf.fmt movt.fmt, movn.fmt movz.fmt.
 */
#include "fpu.h"

#define CONDS(X) X(f) X(un) X(eq) X(ueq) X(olt) X(ult) X(ole) X(ule)         \
    X(sf) X(ngle) X(seq) X(ngl) X(lt) X(nge) X(le) X(ngt)

static const uint32_t sp[][2] = {
    {0x3f800000, 0x40000000}, {0x40000000, 0x3f800000},
    {0x3f800000, 0x3f800000}, {0x80000000, 0x00000000},
    {0xff800000, 0x3f800000}, {0x7f800000, 0x7f800000},
    {0x7fbfffff, 0x3f800000}, {0x3f800000, 0x7fc00000},
    {0x7fbfffff, 0x7fbfffff}, {0xffc00000, 0x7fbfffff},
};

static const uint64_t dp[][2] = {
    {0x3ff0000000000000ull, 0x4000000000000000ull},
    {0x4000000000000000ull, 0x3ff0000000000000ull},
    {0x3ff0000000000000ull, 0x3ff0000000000000ull},
    {0x8000000000000000ull, 0x0000000000000000ull},
    {0xfff0000000000000ull, 0x3ff0000000000000ull},
    {0x7ff0000000000000ull, 0x7ff0000000000000ull},
    {0x7ff7ffffffffffffull, 0x3ff0000000000000ull},
    {0x3ff0000000000000ull, 0x7ff8000000000000ull},
    {0x7ff7ffffffffffffull, 0x7ff7ffffffffffffull},
    {0xfff8000000000000ull, 0x7ff7ffffffffffffull},
};

/* one compare: condition bit, and '!' when the Invalid cause is set */
#define CMP(fmt, cond, a, b) do {                                            \
        uint32_t f_;                                                         \
        FOP_D("c." #cond "." #fmt " $f2, $f4", 0, a, b, 0, f_);              \
        printf(" %s=%u%s", #cond, (f_ >> 23) & 1,                            \
               (f_ & 0x10000) ? "!" : "");                                   \
        if ((f_ & 0x3f000) & ~0x10000u)                                      \
            printf("(fcsr %08x)", f_);                                       \
    } while (0)

static void test_conditions(void)
{
    printf("== c.cond.s (value=bit, ! = Invalid raised)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(sp); i++) {
        uint64_t a = sp[i][0], b = sp[i][1];
        printf("%08x %08x:", sp[i][0], sp[i][1]);
#define DO(c) CMP(s, c, a, b);
        CONDS(DO)
#undef DO
        printf("\n");
    }
    printf("== c.cond.d\n");
    for (unsigned i = 0; i < ARRAY_SIZE(dp); i++) {
        uint64_t a = dp[i][0], b = dp[i][1];
        printf("%016llx %016llx:\n ", a, b);
#define DO(c) CMP(d, c, a, b);
        CONDS(DO)
#undef DO
        printf("\n");
    }
    /* the compare leaves the other FCSR bits alone (flags accumulate) */
    uint32_t f;
    FOP_D("c.lt.s $f2, $f4", 0x00000003 | 0x00000004 | (1u << 23),
          0x3f800000, 0x3f800000, 0, f);
    printf("c.lt.s 1,1 with RM=3, I flag, fcc0=1 before: fcsr %08x\n", f);
    FOP_D("c.seq.s $f2, $f4", 0x00000001, 0x7fbfffff, 0x3f800000, 0, f);
    printf("c.seq.s qnan,1 with RM=1 before: fcsr %08x\n", f);
}

static void test_cc(void)
{
    printf("== condition codes 0-7: fcsr / fccr after c.eq.s true\n");
    uint32_t f, fccr;
#define CC_TEST(n) do {                                                     \
        FOP_D("c.eq.s $fcc" #n ", $f2, $f4", 0, 0x3f800000, 0x3f800000, 0, f); \
        fccr = cfc1_reg(25);                                                \
        printf("cc%u: fcsr %08x fccr %08x\n", n, f, fccr);                  \
    } while (0)
    CC_TEST(0); CC_TEST(1); CC_TEST(2); CC_TEST(3);
    CC_TEST(4); CC_TEST(5); CC_TEST(6); CC_TEST(7);
    /* set several, then clear one with a false compare */
    uint32_t r;
    __asm__ __volatile__(ASM_BEGIN
        "ctc1 $0, $31\n\t"
        "mtc1 %[one], $f2\n\t"
        "c.eq.s $fcc1, $f2, $f2\n\t"
        "c.eq.s $fcc4, $f2, $f2\n\t"
        "c.eq.s $fcc7, $f2, $f2\n\t"
        "c.eq.d $fcc0, $f2, $f2\n\t"
        "c.f.s $fcc4, $f2, $f2\n\t"
        "cfc1 %[r], $31" ASM_END
        : [r] "=&r"(r) : [one] "r"(0x3f800000u) : "$f2", "$f3");
    printf("cc1,4,7,0 set then cc4 cleared: fcsr %08x fccr %08x\n", r,
           cfc1_reg(25));
    fcsr_write(0);
}

/* Branch on cc n after setting cc m to val: 5 taken, 7 not, 6 annulled. */
#define BC1(op, setcc, bcc, val) ({ uint32_t r_;                              \
        __asm__ __volatile__(ASM_BEGIN                                       \
            "ctc1 $0, $31\n\t"                                               \
            "mtc1 %[one], $f2\n\t"                                           \
            "mtc1 %[v], $f4\n\t"                                             \
            "c.eq.s $fcc" #setcc ", $f2, $f4\n\t"                            \
            "move %[r], $0\n\t"                                              \
            op " $fcc" #bcc ", 1f\n\t"                                       \
            "ori %[r], %[r], 1\n\t"                                          \
            "ori %[r], %[r], 2\n"                                            \
            "1:\tori %[r], %[r], 4" ASM_END                                  \
            : [r] "=&r"(r_)                                                  \
            : [one] "r"(0x3f800000u), [v] "r"(val)                           \
            : "$f2", "$f3", "$f4", "$f5");                                   \
        r_; })

static void test_branches(void)
{
    printf("== bc1f bc1t bc1fl bc1tl (cc set true / false)\n");
#define BR_ROW(cc)                                                          \
    printf("cc%u true:  bc1f %u bc1t %u bc1fl %u bc1tl %u | false: bc1f %u " \
           "bc1t %u bc1fl %u bc1tl %u\n", cc,                               \
           BC1("bc1f", cc, cc, 0x3f800000u), BC1("bc1t", cc, cc, 0x3f800000u), \
           BC1("bc1fl", cc, cc, 0x3f800000u),                               \
           BC1("bc1tl", cc, cc, 0x3f800000u),                               \
           BC1("bc1f", cc, cc, 0x40000000u), BC1("bc1t", cc, cc, 0x40000000u), \
           BC1("bc1fl", cc, cc, 0x40000000u),                               \
           BC1("bc1tl", cc, cc, 0x40000000u))
    BR_ROW(0); BR_ROW(1); BR_ROW(2); BR_ROW(3);
    BR_ROW(4); BR_ROW(5); BR_ROW(6); BR_ROW(7);
    printf("cc2 set, branch on cc5: bc1t %u bc1f %u\n",
           BC1("bc1t", 2, 5, 0x3f800000u), BC1("bc1f", 2, 5, 0x3f800000u));
}

static void test_moves(void)
{
    printf("== movf movt (GPR) on cc0 / cc6\n");
    for (unsigned t = 0; t < 2; t++) {
        uint32_t v = t ? 0x3f800000u : 0x40000000u;  /* compare 1 == v */
        uint32_t rf = 0x11111111, rt = 0x11111111, rf6 = 0x11111111,
                 rt6 = 0x11111111;
        __asm__ __volatile__(ASM_BEGIN
            "ctc1 $0, $31\n\t"
            "mtc1 %[one], $f2\n\t"
            "mtc1 %[v], $f4\n\t"
            "c.eq.s $f2, $f4\n\t"
            "c.eq.s $fcc6, $f2, $f4\n\t"
            "movf %[rf], %[src], $fcc0\n\t"
            "movt %[rt], %[src], $fcc0\n\t"
            "movf %[rf6], %[src], $fcc6\n\t"
            "movt %[rt6], %[src], $fcc6" ASM_END
            : [rf] "+&r"(rf), [rt] "+&r"(rt), [rf6] "+&r"(rf6),
              [rt6] "+&r"(rt6)
            : [one] "r"(0x3f800000u), [v] "r"(v), [src] "r"(0x22222222u)
            : "$f2", "$f3", "$f4", "$f5");
        printf("cc %s: movf %08x movt %08x | cc6: movf %08x movt %08x\n",
               t ? "true " : "false", rf, rt, rf6, rt6);
    }
    printf("== movf.fmt movt.fmt movn.fmt movz.fmt\n");
    for (unsigned t = 0; t < 2; t++) {
        uint32_t v = t ? 0x3f800000u : 0x40000000u;
        uint32_t r[4];
        uint32_t dh[4], dl[4];
        __asm__ __volatile__(ASM_BEGIN
            "ctc1 $0, $31\n\t"
            "mtc1 %[one], $f2\n\t"
            "mtc1 %[v], $f4\n\t"
            "c.eq.s $fcc3, $f2, $f4\n\t"
            "mtc1 %[old], $f8\n\t"
            "mtc1 %[old], $f10\n\t"
            "mtc1 %[new], $f12\n\t"
            "movf.s $f8, $f12, $fcc3\n\t"
            "movt.s $f10, $f12, $fcc3\n\t"
            "mfc1 %[r0], $f8\n\t"
            "mfc1 %[r1], $f10\n\t"
            "mtc1 %[old], $f8\n\t"
            "mtc1 %[old], $f10\n\t"
            "movn.s $f8, $f12, %[t]\n\t"
            "movz.s $f10, $f12, %[t]\n\t"
            "mfc1 %[r2], $f8\n\t"
            "mfc1 %[r3], $f10" ASM_END
            : [r0] "=&r"(r[0]), [r1] "=&r"(r[1]), [r2] "=&r"(r[2]),
              [r3] "=&r"(r[3])
            : [one] "r"(0x3f800000u), [v] "r"(v), [old] "r"(0x11111111u),
              [new] "r"(0x22222222u), [t] "r"(t)
            : "$f2", "$f3", "$f4", "$f5", "$f8", "$f9", "$f10", "$f11",
              "$f12", "$f13");
        printf(".s cc3 %s, gpr %u: movf %08x movt %08x movn %08x movz %08x\n",
               t ? "true " : "false", t, r[0], r[1], r[2], r[3]);
        __asm__ __volatile__(ASM_BEGIN
            "ctc1 $0, $31\n\t"
            "mtc1 %[one], $f2\n\t"
            "mtc1 %[v], $f4\n\t"
            "c.eq.s $fcc5, $f2, $f4\n\t"
            "mtc1 %[old], $f12\n\tmthc1 %[old], $f12\n\t"
            "mtc1 %[old], $f14\n\tmthc1 %[old], $f14\n\t"
            "mtc1 %[old], $f16\n\tmthc1 %[old], $f16\n\t"
            "mtc1 %[old], $f18\n\tmthc1 %[old], $f18\n\t"
            "mtc1 %[newl], $f8\n\tmthc1 %[newh], $f8\n\t"
            "movf.d $f12, $f8, $fcc5\n\t"
            "movt.d $f14, $f8, $fcc5\n\t"
            "movn.d $f16, $f8, %[t]\n\t"
            "movz.d $f18, $f8, %[t]\n\t"
            "mfc1 %[l0], $f12\n\tmfhc1 %[h0], $f12\n\t"
            "mfc1 %[l1], $f14\n\tmfhc1 %[h1], $f14\n\t"
            "mfc1 %[l2], $f16\n\tmfhc1 %[h2], $f16\n\t"
            "mfc1 %[l3], $f18\n\tmfhc1 %[h3], $f18" ASM_END
            : [l0] "=&r"(dl[0]), [h0] "=&r"(dh[0]), [l1] "=&r"(dl[1]),
              [h1] "=&r"(dh[1]), [l2] "=&r"(dl[2]), [h2] "=&r"(dh[2]),
              [l3] "=&r"(dl[3]), [h3] "=&r"(dh[3])
            : [one] "r"(0x3f800000u), [v] "r"(v), [old] "r"(0x11111111u),
              [newl] "r"(0x22222222u), [newh] "r"(0x33333333u), [t] "r"(t)
            : "$f2", "$f3", "$f4", "$f5", "$f8", "$f9", "$f12", "$f13",
              "$f14", "$f15", "$f16", "$f17", "$f18", "$f19");
        printf(".d cc5 %s, gpr %u: movf %08x%08x movt %08x%08x movn %08x%08x "
               "movz %08x%08x\n", t ? "true " : "false", t, dh[0], dl[0], dh[1],
               dl[1], dh[2], dl[2], dh[3], dl[3]);
    }
    fcsr_write(0);
}

int main(void)
{
    printf("fpu_cmp test\n");
    test_conditions();
    test_cc();
    test_branches();
    test_moves();
    return 0;
}
