/*
 * Trapping arithmetic: add, addi and sub raise Integer Overflow (ExcCode 12)
 * on signed overflow and leave the destination register unchanged; the
 * non-trapping addu/addiu/subu give the wrapped result instead.
 */
#include "testutil.h"

static const uint32_t vals[] = {
    0x00000000, 0x00000001, 0xffffffff, 0x7fffffff, 0x80000000,
    0x7ffffffe, 0x80000001, 0x40000000, 0xc0000000, 0x3fffffff,
    0x12345678, 0xedcba988,
};

#define SENTINEL 0x5eeeeee5u

static void test_add_sub(void)
{
    printf("== add / sub (dest preloaded with %08x)\n", SENTINEL);
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
            uint32_t a = vals[i], b = vals[j], pc, before, r;
            r = SENTINEL;
            before = exc_count;
            TRAP_RRR("add", r, a, b, pc);
            printf("add %08x %08x -> %08x ", a, b, r);
            exc_print_since(before, pc);
            printf(" (addu %08x)\n", RRR("addu", a, b));
            r = SENTINEL;
            before = exc_count;
            TRAP_RRR("sub", r, a, b, pc);
            printf("sub %08x %08x -> %08x ", a, b, r);
            exc_print_since(before, pc);
            printf(" (subu %08x)\n", RRR("subu", a, b));
        }
}

#define IMMS(X) X(0) X(1) X(-1) X(0x7fff) X(-32768) X(2) X(-2)

static void test_addi(void)
{
    printf("== addi (dest preloaded with %08x)\n", SENTINEL);
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t a = vals[i], pc, before, r;
#define DO_ADDI(imm)                                                        \
        r = SENTINEL;                                                       \
        before = exc_count;                                                 \
        TRAP_RRI("addi", r, a, imm, pc);                                    \
        printf("addi %08x %6d -> %08x ", a, imm, r);                        \
        exc_print_since(before, pc);                                        \
        printf(" (addiu %08x)\n", RRI("addiu", a, imm));
        IMMS(DO_ADDI)
#undef DO_ADDI
    }
}

static void test_same_register(void)
{
    uint32_t x, pc, before;
    printf("== overflow with rd == rs: register keeps its value\n");
    x = 0x7fffffff;
    before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tadd %[x], %[x], %[x]"
                         ASM_END : [x] "+r"(x), [pc] "=&r"(pc));
    printf("add r,r,r of 7fffffff -> %08x ", x);
    exc_print_since(before, pc);
    printf("\n");
    x = 0x80000000;
    before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\taddi %[x], %[x], -1"
                         ASM_END : [x] "+r"(x), [pc] "=&r"(pc));
    printf("addi r,r,-1 of 80000000 -> %08x ", x);
    exc_print_since(before, pc);
    printf("\n");
    x = 0x80000000;
    before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tsub %[x], $0, %[x]"
                         ASM_END : [x] "+r"(x), [pc] "=&r"(pc));
    printf("sub r,$0,r of 80000000 -> %08x ", x);
    exc_print_since(before, pc);
    printf("\n");
    /* an overflowing add whose destination is $0 still traps */
    before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tadd $0, %[a], %[a]"
                         ASM_END : [pc] "=&r"(pc) : [a] "r"(0x40000000u));
    printf("add $0 with overflow: ");
    exc_print_since(before, pc);
    printf("\n");
}

int main(void)
{
    printf("overflow test\n");
    exc_quiet = 1;
    test_add_sub();
    test_addi();
    test_same_register();
    exc_quiet = 0;
    /* one report through the handler's own (verbose) format */
    uint32_t r = 0;
    printf("verbose report of add 7fffffff + 1:\n");
    TRAP_RRR("add", r, 0x7fffffff, 1, r);
    return 0;
}
