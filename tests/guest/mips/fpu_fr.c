/* guest-cflags: -mhard-float */
/*
 * FPU register file modes and FP loads/stores.
 *   FR=0: a double lives in an even/odd pair (ldc1/sdc1, mtc1/mfc1 of the odd
 *         half, mthc1/mfhc1), lwc1/swc1 on odd registers.
 *   FR=1: 32 independent 64-bit registers: ldc1/sdc1/mthc1/mfhc1 on odd
 *         registers, doubles in odd registers, neighbours untouched.
 *   Indexed: lwxc1 ldxc1 swxc1 sdxc1 luxc1 suxc1 (base + index register),
 *   alignment: unaligned lwc1/ldc1/ldxc1/sdc1 raise AdEL/AdES, luxc1
 *   ignores the low three address bits.
 * Register contents are only compared within one mode (after changing FR
 * they are architecturally unpredictable), and every register is written
 * before it is read.  Memory is shown as bytes, so the two endians differ.
 */
#include "fpu.h"

/* lets the assembler encode odd registers in double-precision operands */
#define ASM_FP64 ".set fp=64\n\t.set oddspreg\n\t"
/* odd single-precision registers (the FPXX module default forbids them) */
#define ASM_FP32 ".set oddspreg\n\t"

static uint8_t mem[64] __attribute__((aligned(16)));

static const uint8_t pattern[16] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
    0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
};

static void fill(void)
{
    for (unsigned i = 0; i < sizeof(mem); i++)
        mem[i] = pattern[i % 16] ^ (uint8_t)(i & 0xf0);
}

static void dump(unsigned off, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%02x", mem[off + i]);
}

static void test_fr0(void)
{
    uint32_t a, b, c, d, e;
    set_fr(0);
    printf("== FR=0 (Status %08x)\n", mfc0(12, 0));
    fill();
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "ldc1 $f2, 0(%[m])\n\t"
        "mfc1 %[a], $f2\n\t"
        "mfc1 %[b], $f3\n\t"
        "mfhc1 %[c], $f2" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c)
        : [m] "r"(mem) : "$f2", "$f3", "memory");
    printf("ldc1 $f2 of ");
    dump(0, 8);
    printf(": mfc1 $f2 %08x, mfc1 $f3 %08x, mfhc1 $f2 %08x\n", a, b, c);
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "mtc1 %[x], $f4\n\t"
        "mthc1 %[y], $f4\n\t"
        "mfc1 %[a], $f5\n\t"
        "mtc1 %[z], $f5\n\t"
        "mfhc1 %[b], $f4\n\t"
        "sdc1 $f4, 8(%[m])" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b)
        : [x] "r"(0xa0a1a2a3u), [y] "r"(0xb0b1b2b3u), [z] "r"(0xc0c1c2c3u),
          [m] "r"(mem) : "$f4", "$f5", "memory");
    printf("mtc1/mthc1 $f4 a0a1a2a3/b0b1b2b3: mfc1 $f5 %08x; after mtc1 $f5 "
           "c0c1c2c3: mfhc1 $f4 %08x, sdc1 -> ", a, b);
    dump(8, 8);
    printf("\n");
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "lwc1 $f7, 16(%[m])\n\t"
        "lwc1 $f6, 20(%[m])\n\t"
        "mfc1 %[a], $f7\n\t"
        "sdc1 $f6, 24(%[m])\n\t"
        "swc1 $f7, 32(%[m])" ASM_END
        : [a] "=&r"(a) : [m] "r"(mem) : "$f6", "$f7", "memory");
    printf("lwc1 $f7/$f6 then sdc1 $f6: $f7=%08x mem24=", a);
    dump(24, 8);
    printf(" swc1 $f7 mem32=");
    dump(32, 4);
    printf("\n");
    /* double arithmetic on a pair */
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "mtc1 $0, $f8\n\t"
        "mthc1 %[one], $f8\n\t"
        "add.d $f10, $f8, $f8\n\t"
        "mfc1 %[a], $f10\n\t"
        "mfc1 %[b], $f11" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b) : [one] "r"(0x3ff00000u)
        : "$f8", "$f9", "$f10", "$f11");
    printf("add.d $f10 = 1.0 + 1.0: $f10 %08x $f11 %08x\n", a, b);
    /* single arithmetic on odd registers is fine in FR=0 */
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "mtc1 %[one], $f1\n\t"
        "mtc1 %[one], $f3\n\t"
        "add.s $f5, $f1, $f3\n\t"
        "mfc1 %[a], $f5" ASM_END
        : [a] "=&r"(a) : [one] "r"(0x3f800000u) : "$f1", "$f3", "$f5");
    printf("add.s $f5, $f1, $f3 (1+1): %08x\n", a);
    /* indexed loads / stores */
    fill();
    __asm__ __volatile__(ASM_BEGIN ASM_FP32
        "lwxc1 $f0, %[i8](%[m])\n\t"
        "ldxc1 $f2, %[i16](%[m])\n\t"
        "mfc1 %[a], $f0\n\t"
        "mfc1 %[b], $f2\n\t"
        "mfhc1 %[c], $f2\n\t"
        "swxc1 $f0, %[i40](%[m])\n\t"
        "sdxc1 $f2, %[i48](%[m])" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c)
        : [m] "r"(mem), [i8] "r"(8u), [i16] "r"(16u), [i40] "r"(40u),
          [i48] "r"(48u)
        : "$f0", "$f1", "$f2", "$f3", "memory");
    printf("lwxc1 +8 %08x, ldxc1 +16 %08x%08x, swxc1 +40 / sdxc1 +48: ", a, c,
           b);
    dump(40, 16);
    printf("\n");
    /* negative index */
    __asm__ __volatile__(ASM_FP32 "lwxc1 $f0, %1(%2)\n\tmfc1 %0, $f0"
                         : "=r"(d) : "r"(-8), "r"(mem + 24) : "$f0", "memory");
    __asm__ __volatile__(ASM_FP32 "lwc1 $f0, -4(%1)\n\tmfc1 %0, $f0"
                         : "=r"(e) : "r"(mem + 24) : "$f0", "memory");
    printf("lwxc1 -8(mem+24) %08x, lwc1 -4(mem+24) %08x\n", d, e);
}

static void test_fr1(void)
{
    uint32_t a, b, c, d;
    set_fr(1);
    printf("== FR=1 (Status %08x)\n", mfc0(12, 0));
    fill();
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "mtc1 %[s], $f0\n\tmthc1 %[s], $f0\n\t"
        "mtc1 %[s], $f2\n\tmthc1 %[s], $f2\n\t"
        "ldc1 $f1, 0(%[m])\n\t"
        "mfc1 %[a], $f1\n\t"
        "mfhc1 %[b], $f1\n\t"
        "mfc1 %[c], $f0\n\t"
        "mfhc1 %[d], $f2" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d)
        : [m] "r"(mem), [s] "r"(0x5eeeeee5u)
        : "$f0", "$f1", "$f2", "memory");
    printf("ldc1 $f1 of ");
    dump(0, 8);
    printf(": mfc1 %08x mfhc1 %08x; neighbours $f0.lo %08x $f2.hi %08x\n", a,
           b, c, d);
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "mtc1 %[x], $f3\n\t"
        "mthc1 %[y], $f3\n\t"
        "sdc1 $f3, 8(%[m])\n\t"
        "mtc1 %[x], $f4\n\t"
        "mthc1 %[y], $f4\n\t"
        "mtc1 %[z], $f5\n\t"
        "mthc1 %[z], $f5\n\t"
        "mfhc1 %[a], $f4" ASM_END
        : [a] "=&r"(a)
        : [x] "r"(0xa0a1a2a3u), [y] "r"(0xb0b1b2b3u), [z] "r"(0xc0c1c2c3u),
          [m] "r"(mem) : "$f3", "$f4", "$f5", "memory");
    printf("mtc1/mthc1 $f3 then sdc1: ");
    dump(8, 8);
    printf("; $f4.hi after writing $f5: %08x\n", a);
    /* double arithmetic in odd registers */
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "mtc1 $0, $f7\n\t"
        "mthc1 %[three], $f7\n\t"
        "mtc1 $0, $f9\n\t"
        "mthc1 %[half], $f9\n\t"
        "mul.d $f11, $f7, $f9\n\t"
        "add.d $f13, $f11, $f7\n\t"
        "mov.d $f15, $f13\n\t"
        "mfc1 %[a], $f15\n\t"
        "mfhc1 %[b], $f15" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b)
        : [three] "r"(0x40080000u), [half] "r"(0x3fe00000u)
        : "$f7", "$f9", "$f11", "$f13", "$f15");
    printf("3*0.5+3 in $f7..$f15: %08x%08x\n", b, a);
    /* singles in odd registers */
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "mtc1 %[one], $f21\n\t"
        "mtc1 %[two], $f23\n\t"
        "div.s $f25, $f21, $f23\n\t"
        "mfc1 %[a], $f25" ASM_END
        : [a] "=&r"(a) : [one] "r"(0x3f800000u), [two] "r"(0x40000000u)
        : "$f21", "$f23", "$f25");
    printf("div.s $f25 = 1/2: %08x\n", a);
    /* indexed, incl. luxc1 / suxc1 (low 3 address bits ignored) */
    fill();
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "ldxc1 $f1, %[i16](%[m])\n\t"
        "luxc1 $f3, %[i13](%[m])\n\t"
        "mfc1 %[a], $f1\n\t"
        "mfhc1 %[b], $f1\n\t"
        "mfc1 %[c], $f3\n\t"
        "mfhc1 %[d], $f3\n\t"
        "suxc1 $f1, %[i43](%[m])\n\t"
        "sdxc1 $f3, %[i48](%[m])" ASM_END
        : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [d] "=&r"(d)
        : [m] "r"(mem), [i16] "r"(16u), [i13] "r"(13u), [i43] "r"(43u),
          [i48] "r"(48u)
        : "$f1", "$f3", "memory");
    printf("ldxc1 +16 %08x%08x, luxc1 +13 %08x%08x, suxc1 +43 / sdxc1 +48: ",
           b, a, d, c);
    dump(40, 16);
    printf("\n");
    __asm__ __volatile__(ASM_BEGIN ASM_FP64
        "mtc1 %[x], $f9\n\t"
        "mthc1 %[y], $f9\n\t"
        "swxc1 $f9, %[i4](%[m])\n\t"
        "lwxc1 $f11, %[i4](%[m])\n\t"
        "mfc1 %[a], $f11" ASM_END
        : [a] "=&r"(a)
        : [x] "r"(0x12345678u), [y] "r"(0x9abcdef0u), [m] "r"(mem),
          [i4] "r"(4u) : "$f9", "$f11", "memory");
    printf("swxc1/lwxc1 of $f9 low word: %08x mem ", a);
    dump(4, 4);
    printf("\n");
}

#define FAULTY(desc, insn) do {                                              \
        uint32_t pc_, before_ = exc_count;                                   \
        __asm__ __volatile__(ASM_BEGIN ASM_FP64 LOAD_PC1(pc) "1:\t" insn ASM_END       \
                             : [pc] "=&r"(pc_)                               \
                             : [m] "r"(mem), [i] "r"(4u), [j] "r"(2u)        \
                             : "$f0", "$f1", "$f2", "$f3", "memory");        \
        printf("%-28s ", desc);                                              \
        exc_print_since(before_, pc_);                                       \
        if (exc_count != before_ && (exc_last.code == 4 ||                   \
                                     exc_last.code == 5))                    \
            printf(" badvaddr-mem=%d",                                       \
                   (int)(exc_last.badvaddr - (uint32_t)mem));                \
        printf("\n");                                                        \
    } while (0)

static void test_alignment(void)
{
    printf("== alignment of FP loads / stores\n");
    exc_quiet = 1;
    FAULTY("lwc1 $f0, 2(mem)", "lwc1 $f0, 2(%[m])");
    FAULTY("swc1 $f0, 1(mem)", "swc1 $f0, 1(%[m])");
    FAULTY("ldc1 $f0, 4(mem)", "ldc1 $f0, 4(%[m])");
    FAULTY("sdc1 $f0, 12(mem)", "sdc1 $f0, 12(%[m])");
    FAULTY("ldxc1 $f0, 4(mem)", "ldxc1 $f0, %[i](%[m])");
    FAULTY("sdxc1 $f0, 4(mem)", "sdxc1 $f0, %[i](%[m])");
    FAULTY("lwxc1 $f0, 2(mem)", "lwxc1 $f0, %[j](%[m])");
    FAULTY("swxc1 $f0, 2(mem)", "swxc1 $f0, %[j](%[m])");
    FAULTY("luxc1 $f0, 4(mem)", "luxc1 $f0, %[i](%[m])");
    FAULTY("suxc1 $f0, 2(mem)", "suxc1 $f0, %[j](%[m])");
    exc_quiet = 0;
}

/*
 * Behaviour QEMU 7.2 defines where the architecture leaves it
 * unpredictable: with FR=0, a double operand in an odd register and the
 * luxc1 and L-format instructions raise RI (ldc1 to an odd register does
 * not).
 */
static void test_fr0_restrictions(void)
{
    set_fr(0);
    printf("== FR=0 with odd or 64-bit operands (as QEMU defines it)\n");
    exc_quiet = 1;
    FAULTY("add.d $f0, $f1, $f2", "add.d $f0, $f1, $f2");
    FAULTY("mov.d $f1, $f2", "mov.d $f1, $f2");
    FAULTY("ldc1 $f1, 0(mem)", "ldc1 $f1, 0(%[m])");
    FAULTY("luxc1 $f0, 0(mem)", "luxc1 $f0, $0(%[m])");
    FAULTY("cvt.l.d $f0, $f2", "cvt.l.d $f0, $f2");
    FAULTY("cvt.d.l $f0, $f2", "cvt.d.l $f0, $f2");
    exc_quiet = 0;
}

int main(void)
{
    printf("fpu_fr test\n");
    test_fr0();
    test_fr1();
    test_alignment();
    test_fr0_restrictions();
    set_fr(0);
    return 0;
}
