/* guest-cflags: -mhard-float */
/*
 * FPU control registers and floating-point exceptions.
 *   - FCSR ($31) writable bits, and the FCCR ($25) / FEXR ($26) / FENR ($28)
 *     views of it; FIR ($0)
 *   - with an enable bit set, an operation raising that condition takes the
 *     Floating-Point exception (ExcCode 15, EPC = the FP instruction), FCSR
 *     cause shows the condition and the destination register is unchanged;
 *     for V, Z, O, U and I, in .s and .d, incl. compares and conversions
 *   - ctc1 that sets a cause bit whose enable is set (and the always-enabled
 *     Unimplemented cause E) traps immediately
 *   - an FP exception in a branch delay slot (BD = 1)
 *   - FS = 1 (flush denormal results to zero)
 */
#include "fpu.h"

#define EN_I 0x080u
#define EN_U 0x100u
#define EN_O 0x200u
#define EN_Z 0x400u
#define EN_V 0x800u

/* ctc1 to $31 with exceptions recorded; returns the value read back. */
static uint32_t fcsr_roundtrip(uint32_t v, uint32_t *nexc)
{
    uint32_t r, before = exc_count;
    __asm__ __volatile__("ctc1 %1, $31\n\tcfc1 %0, $31" : "=r"(r) : "r"(v)
                         : "memory");
    *nexc = exc_count - before;
    fcsr_write(0);
    return r;
}

static void test_control_regs(void)
{
    static const uint32_t pats[] = {
        0x00000003, 0x0000007c, 0x00000f80, 0x0001f000, 0x00800000,
        0xfe000000, 0x01000000, 0x00040000, 0x00080000, 0x00700000,
        0xfffdf07f,
    };
    printf("== FIR %08x\n", cfc1_reg(0));
    printf("== FCSR: written -> read (exceptions taken)\n");
    exc_quiet = 1;
    for (unsigned i = 0; i < ARRAY_SIZE(pats); i++) {
        uint32_t n, r = fcsr_roundtrip(pats[i], &n);
        printf("%08x -> %08x (%u)\n", pats[i], r, n);
    }
    exc_quiet = 0;
    printf("== FCCR / FEXR / FENR\n");
    uint32_t r;
    __asm__ __volatile__("ctc1 %1, $25\n\tcfc1 %0, $31" : "=r"(r)
                         : "r"(0xffffffffu));
    printf("FCCR <- ffffffff: FCSR %08x FCCR %08x\n", r, cfc1_reg(25));
    fcsr_write(0);
    __asm__ __volatile__("ctc1 %1, $25\n\tcfc1 %0, $31" : "=r"(r)
                         : "r"(0x000000a5u));
    printf("FCCR <- 000000a5: FCSR %08x FCCR %08x\n", r, cfc1_reg(25));
    fcsr_write(0);
    __asm__ __volatile__("ctc1 %1, $26\n\tcfc1 %0, $31" : "=r"(r)
                         : "r"(0x0001f07cu));
    printf("FEXR <- 0001f07c: FCSR %08x FEXR %08x\n", r, cfc1_reg(26));
    fcsr_write(0);
    __asm__ __volatile__("ctc1 %1, $28\n\tcfc1 %0, $31" : "=r"(r)
                         : "r"(0x00000f87u));
    printf("FENR <- 00000f87: FCSR %08x FENR %08x\n", r, cfc1_reg(28));
    fcsr_write(0);
    fcsr_write(0xfe83f07fu & ~0x0003f000u);
    printf("FCSR fe80007f: FCCR %08x FEXR %08x FENR %08x\n", cfc1_reg(25),
           cfc1_reg(26), cfc1_reg(28));
    fcsr_write(0);
}

/* op that may trap; destination $f0 preloaded with a sentinel */
#define TRAP_S(desc, insn, en, a, b) do {                                    \
        uint32_t f_, r_, before_ = exc_count;                                \
        r_ = FOP_S(insn, en, a, b, 0, f_);                                   \
        report(desc, en, before_, r_, f_);                                   \
    } while (0)
#define TRAP_D(desc, insn, en, a, b) do {                                    \
        uint32_t f_, before_ = exc_count;                                    \
        uint64_t r_ = FOP_D(insn, en, a, b, 0, f_);                           \
        report(desc, en, before_, HI(r_), f_);                               \
    } while (0)

static void report(const char *desc, uint32_t en, uint32_t before,
                   uint32_t result, uint32_t fcsr)
{
    printf("%-26s en %03x: ", desc, en >> 7);
    if (exc_count == before)
        printf("no exception");
    else
        printf("%s(%u) bd=%u", exc_name(exc_last.code), exc_last.code,
               exc_last.bd);
    printf(", dest %08x, fcsr %08x\n", result, fcsr);
}

static void test_traps(void)
{
    printf("== FP exceptions (dest shows the sentinel %08x if unchanged;\n"
           "   doubles: high word)\n", SENT_S);
    exc_quiet = 1;
    /* Invalid */
    TRAP_S("sqrt.s -1", "sqrt.s $f0, $f2", EN_V, 0xbf800000, 0);
    TRAP_S("sqrt.s -1 (disabled)", "sqrt.s $f0, $f2", 0, 0xbf800000, 0);
    TRAP_S("add.s inf + -inf", "add.s $f0, $f2, $f4", EN_V, 0x7f800000,
           0xff800000);
    TRAP_S("div.s 0/0", "div.s $f0, $f2, $f4", EN_V | EN_Z, 0, 0);
    TRAP_S("add.s sNaN + 1", "add.s $f0, $f2, $f4", EN_V, 0x7fc00000,
           0x3f800000);
    TRAP_S("add.s qNaN + 1", "add.s $f0, $f2, $f4", EN_V, 0x7fbfffff,
           0x3f800000);
    TRAP_S("c.lt.s qNaN, 1", "c.lt.s $f2, $f4", EN_V, 0x7fbfffff, 0x3f800000);
    TRAP_S("c.ult.s qNaN, 1", "c.ult.s $f2, $f4", EN_V, 0x7fbfffff,
           0x3f800000);
    TRAP_S("cvt.w.s 1e10", "cvt.w.s $f0, $f2", EN_V, 0x501502f9, 0);
    TRAP_S("trunc.w.s -inf", "trunc.w.s $f0, $f2", EN_V, 0xff800000, 0);
    TRAP_D("mul.d inf * 0", "mul.d $f0, $f2, $f4", EN_V,
           0x7ff0000000000000ull, 0);
    /* Divide by zero */
    TRAP_S("div.s 1/0", "div.s $f0, $f2, $f4", EN_Z, 0x3f800000, 0);
    TRAP_S("div.s 1/0 (V enabled only)", "div.s $f0, $f2, $f4", EN_V,
           0x3f800000, 0);
    TRAP_D("div.d -1/0", "div.d $f0, $f2, $f4", EN_Z, 0xbff0000000000000ull,
           0);
    TRAP_S("recip.s 0", "recip.s $f0, $f2", EN_Z, 0, 0);
    TRAP_S("rsqrt.s 0", "rsqrt.s $f0, $f2", EN_Z, 0, 0);
    /* Overflow (also inexact) */
    TRAP_S("mul.s max*2", "mul.s $f0, $f2, $f4", EN_O, 0x7f7fffff,
           0x40000000);
    TRAP_S("mul.s max*2 (I enabled)", "mul.s $f0, $f2, $f4", EN_I,
           0x7f7fffff, 0x40000000);
    TRAP_S("mul.s max*2 (O|I)", "mul.s $f0, $f2, $f4", EN_O | EN_I,
           0x7f7fffff, 0x40000000);
    TRAP_D("add.d max+max", "add.d $f0, $f2, $f4", EN_O,
           0x7fefffffffffffffull, 0x7fefffffffffffffull);
    TRAP_S("cvt.s.d 1e300", "cvt.s.d $f0, $f2", EN_O, 0x7e37e43c8800759cull,
           0);
    /* Underflow */
    TRAP_S("mul.s min*min", "mul.s $f0, $f2, $f4", EN_U, 0x00800000,
           0x00800000);
    TRAP_S("mul.s min*0.5 (exact)", "mul.s $f0, $f2, $f4", EN_U, 0x00800000,
           0x3f000000);
    TRAP_D("mul.d min*min", "mul.d $f0, $f2, $f4", EN_U,
           0x0010000000000000ull, 0x0010000000000000ull);
    /* Inexact */
    TRAP_S("div.s 1/3", "div.s $f0, $f2, $f4", EN_I, 0x3f800000, 0x40400000);
    TRAP_S("div.s 1/4 (exact)", "div.s $f0, $f2, $f4", EN_I, 0x3f800000,
           0x40800000);
    TRAP_D("div.d 1/3", "div.d $f0, $f2, $f4", EN_I, 0x3ff0000000000000ull,
           0x4008000000000000ull);
    TRAP_S("cvt.w.s 1.5", "cvt.w.s $f0, $f2", EN_I, 0x3fc00000, 0);
    TRAP_S("madd.s 1/3*3-1", "madd.s $f0, $f6, $f2, $f4", EN_I, 0x3eaaaaab,
           0x40400000);
    exc_quiet = 0;
    fcsr_write(0);
}

static void test_ctc1_traps(void)
{
    printf("== ctc1 raising causes\n");
    exc_quiet = 1;
    static const uint32_t vals[] = {
        0x00010800,     /* cause V, enable V */
        0x00010400,     /* cause V, enable Z: no trap */
        0x00020000,     /* cause E (always enabled) */
        0x00004080,     /* cause U, enable I: no trap */
        0x00001080,     /* cause I, enable I */
        0x0000107c,     /* cause I, flags only */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t pc, r, before = exc_count;
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tctc1 %[v], $31\n\t"
                             "cfc1 %[r], $31\n\tctc1 $0, $31" ASM_END
                             : [pc] "=&r"(pc), [r] "=&r"(r)
                             : [v] "r"(vals[i]) : "memory");
        printf("ctc1 %08x: ", vals[i]);
        exc_print_since(before, pc);
        printf(", fcsr then %08x\n", r);
    }
    exc_quiet = 0;
}

static void test_delay_slot(void)
{
    printf("== FP exception in a delay slot\n");
    exc_quiet = 1;
    uint32_t pc, flags, before = exc_count;
    __asm__ __volatile__(ASM_BEGIN
        "ctc1 %[en], $31\n\t"
        "mtc1 %[one], $f2\n\t"
        "mtc1 $0, $f4\n\t"
        "move %[fl], $0\n\t"
        LOAD_PC1(pc)
        "1:\tbeq $0, $0, 3f\n\t"
        "div.s $f0, $f2, $f4\n\t"
        "ori %[fl], %[fl], 2\n"
        "3:\tori %[fl], %[fl], 4\n\t"
        "ctc1 $0, $31" ASM_END
        : [pc] "=&r"(pc), [fl] "=&r"(flags)
        : [en] "r"(EN_Z), [one] "r"(0x3f800000u)
        : "$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "memory");
    printf("beq; div.s 1/0 with Z enabled: flags %u ", flags);
    exc_print_since(before, pc);
    printf("\n");
    exc_quiet = 0;
}

static void test_flush_to_zero(void)
{
    printf("== FS=1: denormal results and operands\n");
    static const uint32_t ops[][2] = {
        {0x00800000, 0x3f000000},   /* min normal * 0.5 -> denormal */
        {0x00800000, 0x3f7fffff},   /* just below min normal */
        {0x00000001, 0x3f800000},   /* denormal operand * 1 */
        {0x80800000, 0x3f000000},   /* negative */
        {0x00800000, 0x3f800000},   /* stays normal */
    };
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        uint32_t f0, f1;
        uint32_t r0 = FOP_S("mul.s $f0, $f2, $f4", 0, ops[i][0], ops[i][1], 0,
                            f0);
        uint32_t r1 = FOP_S("mul.s $f0, $f2, $f4", 0x01000000u, ops[i][0],
                            ops[i][1], 0, f1);
        printf("mul.s %08x %08x: FS=0 %08x fcsr %08x | FS=1 %08x fcsr %08x\n",
               ops[i][0], ops[i][1], r0, f0, r1, f1);
    }
    uint32_t f;
    uint64_t d = FOP_D("mul.d $f0, $f2, $f4", 0x01000000u,
                       0x0010000000000000ull, 0x3fe0000000000000ull, 0, f);
    printf("mul.d min*0.5 FS=1: %016llx fcsr %08x\n", d, f);
    fcsr_write(0);
}

int main(void)
{
    printf("fpu_exc test\n");
    test_control_regs();
    test_traps();
    test_ctc1_traps();
    test_delay_slot();
    test_flush_to_zero();
    return 0;
}
