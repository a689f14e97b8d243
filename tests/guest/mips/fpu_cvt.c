/* guest-cflags: -mhard-float */
/*
 * FPU conversions.  FR=0: cvt.s.d cvt.d.s cvt.w.s cvt.w.d (all four rounding
 * modes), round/trunc/ceil/floor.w.s/.d, cvt.s.w cvt.d.w.  FR=1 (needed for
 * the 64-bit L format): cvt.l.s cvt.l.d (four modes), round/trunc/ceil/
 * floor.l.s/.d, cvt.s.l cvt.d.l.  Results are raw hex followed by FCSR>>2
 * (cause<<10 | flags); invalid conversions give the MIPS default results.
 */
#include "fpu.h"

static const uint32_t sv[] = {
    0x00000000, 0x80000000, 0x3f000000, 0x3fc00000, 0x40200000, 0xbf000000,
    0xbfc00000, 0xc0200000, 0x3effffff, 0x3f7fffff, 0x4effffff, 0x4f000000,
    0xcf000000, 0xcf000001, 0x501502f9, 0x5effffff, 0x5f000000, 0xdf000000,
    0x000116c2, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fbfffff, 0x7fc00000,
};

static const uint64_t dv[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3fe0000000000000ull,
    0x3ff8000000000000ull, 0x4004000000000000ull, 0xbfe0000000000000ull,
    0xbff8000000000000ull, 0xc004000000000000ull, 0x3fdfffffffffffffull,
    0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0xc1e0000000100000ull, 0x43dfffffffffffffull,
    0x43e0000000000000ull, 0xc3e0000000000000ull, 0x4340000000000001ull,
    0x3fd5555555555555ull, 0x7fefffffffffffffull, 0x36a0000000000000ull,
    0x0000000000000001ull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff7ffffffffffffull, 0x7ff8000000000000ull,
};

static const char *const rm_names[] = {"RN", "RZ", "RP", "RM"};

/* one conversion: prints " name result/fcsr" (32- or 64-bit result) */
#define CV32(insn, name, rm, x) do {                                          \
        uint32_t f_;                                                         \
        uint32_t r_ = (uint32_t)FOP_D(insn " $f0, $f2", rm, x, 0, 0, f_);     \
        printf(" %s %08x/%04x", name, r_, f_ >> 2);                          \
    } while (0)
#define CV64(insn, name, rm, x) do {                                          \
        uint32_t f_;                                                         \
        uint64_t r_ = FOP_D(insn " $f0, $f2", rm, x, 0, 0, f_);               \
        printf(" %s %016llx/%04x", name, r_, f_ >> 2);                       \
    } while (0)

static void test_fr0(void)
{
    printf("== single -> word / double (FR=0)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(sv); i++) {
        uint64_t x = sv[i];
        printf("s %08x:", sv[i]);
        for (uint32_t rm = 0; rm < 4; rm++)
            CV32("cvt.w.s", rm_names[rm], rm, x);
        printf("\n ");
        CV32("round.w.s", "round", 0, x);
        CV32("trunc.w.s", "trunc", 0, x);
        CV32("ceil.w.s", "ceil", 0, x);
        CV32("floor.w.s", "floor", 0, x);
        printf("\n ");
        CV64("cvt.d.s", "cvt.d", 0, x);
        printf("\n");
    }
    printf("== double -> word / single (FR=0)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(dv); i++) {
        uint64_t x = dv[i];
        printf("d %016llx:", x);
        for (uint32_t rm = 0; rm < 4; rm++)
            CV32("cvt.w.d", rm_names[rm], rm, x);
        printf("\n ");
        CV32("round.w.d", "round", 0, x);
        CV32("trunc.w.d", "trunc", 0, x);
        CV32("ceil.w.d", "ceil", 0, x);
        CV32("floor.w.d", "floor", 0, x);
        printf("\n ");
        for (uint32_t rm = 0; rm < 4; rm++)
            CV32("cvt.s.d", rm_names[rm], rm, x);
        printf("\n");
    }
    static const uint32_t wv[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000,
                                  0x01000001, 0xfeffffff, 0x12345678, 16777216};
    printf("== word -> single / double (FR=0)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(wv); i++) {
        uint64_t x = wv[i];
        printf("w %08x:", wv[i]);
        for (uint32_t rm = 0; rm < 4; rm++)
            CV32("cvt.s.w", rm_names[rm], rm, x);
        CV64("cvt.d.w", "cvt.d", 0, x);
        printf("\n");
    }
}

/* round/trunc/ceil/floor use their own rounding, whatever FCSR.RM says */
static void test_fixed_rounding(void)
{
    static const uint32_t vals[] = {0x3fc00000, 0xbfc00000, 0x40200000,
                                    0xc0200000, 0x3f400000};
    printf("== round/trunc/ceil/floor.w.s ignore FCSR.RM\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint64_t x = vals[i];
        for (uint32_t rm = 1; rm < 4; rm++) {
            printf("s %08x %s:", vals[i], rm_names[rm]);
            CV32("round.w.s", "round", rm, x);
            CV32("trunc.w.s", "trunc", rm, x);
            CV32("ceil.w.s", "ceil", rm, x);
            CV32("floor.w.s", "floor", rm, x);
            printf("\n");
        }
    }
}

static void test_fr1(void)
{
    set_fr(1);
    printf("== single -> long (FR=1)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(sv); i++) {
        uint64_t x = sv[i];
        printf("s %08x:", sv[i]);
        for (uint32_t rm = 0; rm < 4; rm++) {
            CV64("cvt.l.s", rm_names[rm], rm, x);
            if (rm == 1)
                printf("\n ");
        }
        printf("\n ");
        CV64("round.l.s", "round", 0, x);
        CV64("trunc.l.s", "trunc", 0, x);
        printf("\n ");
        CV64("ceil.l.s", "ceil", 0, x);
        CV64("floor.l.s", "floor", 0, x);
        printf("\n");
    }
    printf("== double -> long (FR=1)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(dv); i++) {
        uint64_t x = dv[i];
        printf("d %016llx:", x);
        for (uint32_t rm = 0; rm < 4; rm++) {
            CV64("cvt.l.d", rm_names[rm], rm, x);
            if (rm == 1)
                printf("\n ");
        }
        printf("\n ");
        CV64("round.l.d", "round", 0, x);
        CV64("trunc.l.d", "trunc", 0, x);
        printf("\n ");
        CV64("ceil.l.d", "ceil", 0, x);
        CV64("floor.l.d", "floor", 0, x);
        printf("\n");
    }
    static const uint64_t lv[] = {
        0, 1, 0xffffffffffffffffull, 0x7fffffffffffffffull,
        0x8000000000000000ull, 0x0020000000000001ull, 0x0000000001000001ull,
        0xfffffffffeffffffull, 0x123456789abcdef0ull, 0x0010000000000000ull,
    };
    printf("== long -> single / double (FR=1)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(lv); i++) {
        uint64_t x = lv[i];
        printf("l %016llx:", x);
        for (uint32_t rm = 0; rm < 4; rm++)
            CV32("cvt.s.l", rm_names[rm], rm, x);
        printf("\n ");
        for (uint32_t rm = 0; rm < 4; rm++) {
            CV64("cvt.d.l", rm_names[rm], rm, x);
            if (rm == 1)
                printf("\n ");
        }
        printf("\n");
    }
    printf("== single/double conversions under FR=1\n");
    for (unsigned i = 0; i < 6; i++) {
        printf("s %08x:", sv[i * 4 + 1]);
        CV64("cvt.d.s", "cvt.d", 0, (uint64_t)sv[i * 4 + 1]);
        CV32("cvt.w.s", "cvt.w", 0, (uint64_t)sv[i * 4 + 1]);
        printf("\n");
        printf("d %016llx:", dv[i * 4 + 2]);
        CV32("cvt.s.d", "cvt.s", 0, dv[i * 4 + 2]);
        CV32("cvt.w.d", "cvt.w", 0, dv[i * 4 + 2]);
        printf("\n");
    }
    set_fr(0);
}

int main(void)
{
    printf("fpu_cvt test\n");
    test_fr0();
    test_fixed_rounding();
    test_fr1();
    return 0;
}
