/* guest-cflags: -mhard-float */
/*
 * FPU arithmetic (FR=0): add sub mul div .s/.d over all pairs of special
 * and ordinary operands (zeros, ones, denormals, max, infinities, quiet and
 * signalling NaNs in the legacy MIPS encoding), the same for selected inexact
 * pairs in all four rounding modes, unary sqrt abs neg mov recip rsqrt, and
 * fused-style madd msub nmadd nmsub .s/.d.  Every line shows inputs, result
 * (raw hex) and FCSR afterwards (cause and sticky flags; enables are 0).
 */
#include "fpu.h"

static const uint32_t sv[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x40490fdb, 0x3eaaaaab,
    0x7f7fffff, 0x00800000, 0x00000001, 0x7f800000, 0xff800000, 0x7fbfffff,
    0x7fc00000,
};

static const uint64_t dv[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull,
    0xbff8000000000000ull, 0x400921fb54442d18ull, 0x3fd5555555555555ull,
    0x7fefffffffffffffull, 0x0010000000000000ull, 0x0000000000000001ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff7ffffffffffffull,
    0x7ff8000000000000ull,
};

static const char *const rm_names[] = {"RN", "RZ", "RP", "RM"};

#define BIN_S(name) do {                                                     \
        uint32_t f_, r_ = FOP_S(#name ".s $f0, $f2, $f4", rm, a, b, 0, f_);  \
        printf(" " #name " %08x %04x", r_, f_ >> 2);                         \
    } while (0)
#define BIN_D(name) do {                                                     \
        uint32_t f_;                                                         \
        uint64_t r_ = FOP_D(#name ".d $f0, $f2, $f4", rm, a, b, 0, f_);      \
        printf(" " #name " %016llx %04x", r_, f_ >> 2);                      \
    } while (0)

static void test_binary(void)
{
    uint32_t rm = FCSR_RN;
    printf("== add sub mul div .s (RN): result, fcsr>>2 (cause<<10|flags)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(sv); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(sv); j++) {
            uint32_t a = sv[i], b = sv[j];
            printf("%08x %08x:", a, b);
            BIN_S(add);
            BIN_S(sub);
            BIN_S(mul);
            BIN_S(div);
            printf("\n");
        }
    printf("== add sub mul div .d (RN)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(dv); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(dv); j++) {
            uint64_t a = dv[i], b = dv[j];
            printf("%016llx %016llx:\n ", a, b);
            BIN_D(add);
            BIN_D(sub);
            printf("\n ");
            BIN_D(mul);
            BIN_D(div);
            printf("\n");
        }
}

static void test_rounding(void)
{
    static const uint32_t sp[][2] = {
        {0x3f800000, 0x40400000},   /* 1, 3 */
        {0xbf800000, 0x40400000},   /* -1, 3 */
        {0x3dcccccd, 0x3e4ccccd},   /* 0.1, 0.2 */
        {0x7f7fffff, 0x7f7fffff},   /* max, max */
        {0xff7fffff, 0x7f7fffff},   /* -max, max */
        {0x00800000, 0x3f000000},   /* min normal, 0.5 */
        {0x4b800001, 0xbf800000},   /* 2^24+2, -1 */
        {0x3f800001, 0x3f800001},   /* 1+ulp, 1+ulp */
    };
    static const uint64_t dp[][2] = {
        {0x3ff0000000000000ull, 0x4008000000000000ull},
        {0xbff0000000000000ull, 0x4008000000000000ull},
        {0x3fb999999999999aull, 0x3fc999999999999aull},
        {0x7fefffffffffffffull, 0x7fefffffffffffffull},
        {0xffefffffffffffffull, 0x7fefffffffffffffull},
        {0x0010000000000000ull, 0x3fe0000000000000ull},
        {0x4340000000000001ull, 0xbff0000000000000ull},
        {0x3ff0000000000001ull, 0x3ff0000000000001ull},
    };
    printf("== rounding modes, .s\n");
    for (uint32_t rm = 0; rm < 4; rm++)
        for (unsigned i = 0; i < ARRAY_SIZE(sp); i++) {
            uint32_t a = sp[i][0], b = sp[i][1];
            printf("%s %08x %08x:", rm_names[rm], a, b);
            BIN_S(add);
            BIN_S(sub);
            BIN_S(mul);
            BIN_S(div);
            printf("\n");
        }
    printf("== rounding modes, .d\n");
    for (uint32_t rm = 0; rm < 4; rm++)
        for (unsigned i = 0; i < ARRAY_SIZE(dp); i++) {
            uint64_t a = dp[i][0], b = dp[i][1];
            printf("%s %016llx %016llx:\n ", rm_names[rm], a, b);
            BIN_D(add);
            BIN_D(sub);
            printf("\n ");
            BIN_D(mul);
            BIN_D(div);
            printf("\n");
        }
}

#define UN_S(name) do {                                                      \
        uint32_t f_, r_ = FOP_S(#name ".s $f0, $f2", rm, a, 0, 0, f_);       \
        printf(" " #name " %08x %04x", r_, f_ >> 2);                         \
    } while (0)
#define UN_D(name) do {                                                      \
        uint32_t f_;                                                         \
        uint64_t r_ = FOP_D(#name ".d $f0, $f2", rm, a, 0, 0, f_);           \
        printf(" " #name " %016llx %04x", r_, f_ >> 2);                      \
    } while (0)

static void test_unary(void)
{
    static const uint32_t extra_s[] = {0x40800000, 0xbf800000, 0x40000000,
                                       0x3e800000, 0x007fffff};
    static const uint64_t extra_d[] = {0x4010000000000000ull,
                                       0xbff0000000000000ull,
                                       0x4000000000000000ull,
                                       0x3fd0000000000000ull,
                                       0x000fffffffffffffull};
    printf("== sqrt abs neg mov recip rsqrt .s (RN and RZ)\n");
    for (uint32_t rm = 0; rm < 2; rm++)
        for (unsigned i = 0; i < ARRAY_SIZE(sv) + ARRAY_SIZE(extra_s); i++) {
            uint32_t a = i < ARRAY_SIZE(sv) ? sv[i] : extra_s[i - ARRAY_SIZE(sv)];
            printf("%s %08x:", rm_names[rm], a);
            UN_S(sqrt);
            UN_S(abs);
            UN_S(neg);
            UN_S(mov);
            UN_S(recip);
            UN_S(rsqrt);
            printf("\n");
        }
    printf("== sqrt abs neg mov recip rsqrt .d (RN and RZ)\n");
    for (uint32_t rm = 0; rm < 2; rm++)
        for (unsigned i = 0; i < ARRAY_SIZE(dv) + ARRAY_SIZE(extra_d); i++) {
            uint64_t a = i < ARRAY_SIZE(dv) ? dv[i] : extra_d[i - ARRAY_SIZE(dv)];
            printf("%s %016llx:\n ", rm_names[rm], a);
            UN_D(sqrt);
            UN_D(abs);
            UN_D(neg);
            printf("\n ");
            UN_D(mov);
            UN_D(recip);
            UN_D(rsqrt);
            printf("\n");
        }
}

#define MADD_S(name) do {                                                    \
        uint32_t f_, r_ = FOP_S(#name ".s $f0, $f6, $f2, $f4", rm, a, b, c, f_); \
        printf(" " #name " %08x %04x", r_, f_ >> 2);                         \
    } while (0)
#define MADD_D(name) do {                                                    \
        uint32_t f_;                                                         \
        uint64_t r_ = FOP_D(#name ".d $f0, $f6, $f2, $f4", rm, a, b, c, f_); \
        printf(" " #name " %016llx %04x", r_, f_ >> 2);                      \
    } while (0)

static void test_madd(void)
{
    /* fd = fs * ft +- fr, operands listed as fs ft fr */
    static const uint32_t st[][3] = {
        {0x3f800000, 0x40000000, 0x40400000}, {0x3eaaaaab, 0x40400000, 0xbf800000},
        {0x7f7fffff, 0x40000000, 0xff7fffff}, {0x00800000, 0x3f000000, 0x00000000},
        {0x7f800000, 0x00000000, 0x3f800000}, {0x7f800000, 0x3f800000, 0xff800000},
        {0x7fbfffff, 0x3f800000, 0x3f800000}, {0x3f800000, 0x3f800000, 0x7fc00000},
        {0x80000000, 0x3f800000, 0x00000000}, {0x3dcccccd, 0x41200000, 0xbf800000},
    };
    static const uint64_t dt[][3] = {
        {0x3ff0000000000000ull, 0x4000000000000000ull, 0x4008000000000000ull},
        {0x3fd5555555555555ull, 0x4008000000000000ull, 0xbff0000000000000ull},
        {0x7fefffffffffffffull, 0x4000000000000000ull, 0xffefffffffffffffull},
        {0x0010000000000000ull, 0x3fe0000000000000ull, 0x0000000000000000ull},
        {0x7ff0000000000000ull, 0x0000000000000000ull, 0x3ff0000000000000ull},
        {0x7ff0000000000000ull, 0x3ff0000000000000ull, 0xfff0000000000000ull},
        {0x7ff7ffffffffffffull, 0x3ff0000000000000ull, 0x3ff0000000000000ull},
        {0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x7ff8000000000000ull},
        {0x8000000000000000ull, 0x3ff0000000000000ull, 0x0000000000000000ull},
        {0x3fb999999999999aull, 0x4024000000000000ull, 0xbff0000000000000ull},
    };
    printf("== madd msub nmadd nmsub .s (fs ft fr)\n");
    for (uint32_t rm = 0; rm < 4; rm += 3)
        for (unsigned i = 0; i < ARRAY_SIZE(st); i++) {
            uint32_t a = st[i][0], b = st[i][1], c = st[i][2];
            printf("%s %08x %08x %08x:\n ", rm_names[rm], a, b, c);
            MADD_S(madd);
            MADD_S(msub);
            MADD_S(nmadd);
            MADD_S(nmsub);
            printf("\n");
        }
    printf("== madd msub nmadd nmsub .d (fs ft fr)\n");
    for (uint32_t rm = 0; rm < 4; rm += 3)
        for (unsigned i = 0; i < ARRAY_SIZE(dt); i++) {
            uint64_t a = dt[i][0], b = dt[i][1], c = dt[i][2];
            printf("%s %016llx %016llx %016llx:\n ", rm_names[rm], a, b, c);
            MADD_D(madd);
            MADD_D(msub);
            printf("\n ");
            MADD_D(nmadd);
            MADD_D(nmsub);
            printf("\n");
        }
}

static void test_flags_accumulate(void)
{
    printf("== sticky flags accumulate, cause is per instruction\n");
    uint32_t f1, f2, f3;
    FOP_S("div.s $f0, $f2, $f4", 0, 0x3f800000, 0x40400000, 0, f1);  /* I */
    FOP_S("div.s $f0, $f2, $f4", f1 & ~0x3f000u, 0x3f800000, 0, 0, f2); /* Z */
    FOP_S("add.s $f0, $f2, $f4", f2 & ~0x3f000u, 0x3f800000, 0x3f800000, 0,
          f3);                                                        /* exact */
    printf("1/3: %08x  then 1/0: %08x  then 1+1: %08x\n", f1, f2, f3);
}

int main(void)
{
    printf("fpu_arith test\n");
    printf("FIR %08x FCSR %08x Status %08x\n", cfc1_reg(0), fcsr_read(),
           mfc0(12, 0));
    test_binary();
    test_rounding();
    test_unary();
    test_madd();
    test_flags_accumulate();
    return 0;
}
