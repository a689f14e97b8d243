/*
 * Multiply / divide unit: mult multu div divu (incl. division by zero and
 * INT_MIN / -1, whose HI/LO are printed as the reference emulator gives
 * them), mul, madd maddu msub msubu, and mfhi mflo mthi mtlo.
 * HI and LO are preset to 0x11111111 / 0x22222222 before every operation.
 */
#include "testutil.h"

static const uint32_t vals[] = {
    0x00000000, 0x00000001, 0xffffffff, 0x00000002, 0x00000007, 0xfffffff9,
    0x7fffffff, 0x80000000, 0x80000001, 0x12345678, 0x0000ffff, 0x00010000,
    0xfffe0001, 0xdeadbeef,
};

/* One HI/LO operation: preset HI/LO, run op, read back HI/LO. */
#define HILO_OP(op, a, b, hi, lo) __asm__ __volatile__(                      \
        ASM_BEGIN "mthi %[h]\n\tmtlo %[l]\n\t" op "\n\t"                     \
        "mfhi %[h]\n\tmflo %[l]" ASM_END                                     \
        : [h] "+&r"(hi), [l] "+&r"(lo)                                       \
        : [x] "r"((uint32_t)(a)), [y] "r"((uint32_t)(b)))

static void test_mult_div(void)
{
    printf("== mult multu div divu: hi:lo (preset 11111111:22222222)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
            uint32_t a = vals[i], b = vals[j];
            uint32_t h1 = 0x11111111, l1 = 0x22222222;
            uint32_t h2 = 0x11111111, l2 = 0x22222222;
            uint32_t h3 = 0x11111111, l3 = 0x22222222;
            uint32_t h4 = 0x11111111, l4 = 0x22222222;
            HILO_OP("mult %[x], %[y]", a, b, h1, l1);
            HILO_OP("multu %[x], %[y]", a, b, h2, l2);
            HILO_OP("div $0, %[x], %[y]", a, b, h3, l3);
            HILO_OP("divu $0, %[x], %[y]", a, b, h4, l4);
            printf("%08x %08x: mult %08x:%08x multu %08x:%08x div %08x:%08x "
                   "divu %08x:%08x\n", a, b, h1, l1, h2, l2, h3, l3, h4, l4);
        }
}

static void test_mul(void)
{
    printf("== mul (low 32 bits of the signed product)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        printf("%08x:", vals[i]);
        for (unsigned j = 0; j < ARRAY_SIZE(vals); j++)
            printf(" %08x", RRR("mul", vals[i], vals[j]));
        printf("\n");
    }
    /* mul with rd equal to a source */
    uint32_t x = 0x12345;
    __asm__ __volatile__("mul %0, %0, %0" : "+r"(x));
    printf("mul r,r,r of 00012345: %08x\n", x);
}

static void test_madd(void)
{
    static const uint32_t acc[][2] = {
        {0x00000000, 0x00000000}, {0xffffffff, 0xffffffff},
        {0x7fffffff, 0xffffffff}, {0x80000000, 0x00000000},
        {0x00000000, 0xffffffff}, {0x12345678, 0x9abcdef0},
    };
    static const uint32_t ops[][2] = {
        {0x00000001, 0x00000001}, {0xffffffff, 0x00000001},
        {0xffffffff, 0xffffffff}, {0x7fffffff, 0x7fffffff},
        {0x80000000, 0x80000000}, {0x80000000, 0x7fffffff},
        {0x00010000, 0x00010000}, {0x12345678, 0xfedcba98},
        {0x00000000, 0xdeadbeef},
    };
    printf("== madd maddu msub msubu: hi:lo before, operands, hi:lo after\n");
    for (unsigned i = 0; i < ARRAY_SIZE(acc); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(ops); j++) {
            uint32_t a = ops[j][0], b = ops[j][1];
            uint32_t h[4], l[4];
            for (unsigned k = 0; k < 4; k++) {
                h[k] = acc[i][0];
                l[k] = acc[i][1];
            }
            HILO_OP("madd %[x], %[y]", a, b, h[0], l[0]);
            HILO_OP("maddu %[x], %[y]", a, b, h[1], l[1]);
            HILO_OP("msub %[x], %[y]", a, b, h[2], l[2]);
            HILO_OP("msubu %[x], %[y]", a, b, h[3], l[3]);
            printf("%08x:%08x %08x*%08x: madd %08x:%08x maddu %08x:%08x "
                   "msub %08x:%08x msubu %08x:%08x\n", acc[i][0], acc[i][1],
                   a, b, h[0], l[0], h[1], l[1], h[2], l[2], h[3], l[3]);
        }
}

static void test_hilo_moves(void)
{
    printf("== mthi mtlo mfhi mflo\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t hi, lo, v = vals[i], w = ~vals[i];
        __asm__ __volatile__(ASM_BEGIN "mthi %2\n\tmtlo %3\n\tmfhi %0\n\t"
                             "mflo %1" ASM_END
                             : "=&r"(hi), "=&r"(lo) : "r"(v), "r"(w));
        printf("mthi %08x mtlo %08x -> mfhi %08x mflo %08x\n", v, w, hi, lo);
    }
    /* a multiply result survives later moves of the other register */
    uint32_t hi, lo;
    __asm__ __volatile__(ASM_BEGIN "mult %2, %3\n\tmtlo $0\n\tmfhi %0\n\t"
                         "mflo %1" ASM_END
                         : "=&r"(hi), "=&r"(lo)
                         : "r"(0x40000000u), "r"(0x10u));
    printf("mult 40000000*10 then mtlo 0: %08x:%08x\n", hi, lo);
}

int main(void)
{
    printf("muldiv test\n");
    test_mult_div();
    test_mul();
    test_madd();
    test_hilo_moves();
    return 0;
}
