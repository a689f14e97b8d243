/*
 * Integer ALU instructions: addu subu and or xor nor slt sltu (register),
 * addiu slti sltiu andi ori xori (immediate), lui, movn, movz, writes to $0.
 * (Trapping add/addi/sub are in overflow.c, bit manipulation in bitops.c.)
 */
#include "testutil.h"

static void test_rrr(void)
{
    printf("== register ops: addu subu and or xor nor slt sltu\n");
    for (unsigned i = 0; i < N_TEST_VALS; i++) {
        for (unsigned j = 0; j < N_TEST_VALS; j++) {
            uint32_t a = test_vals[i], b = test_vals[j];
            printf("%08x %08x: %08x %08x %08x %08x %08x %08x %x %x\n", a, b,
                   RRR("addu", a, b), RRR("subu", a, b), RRR("and", a, b),
                   RRR("or", a, b), RRR("xor", a, b), RRR("nor", a, b),
                   RRR("slt", a, b), RRR("sltu", a, b));
        }
    }
}

/* X(signed form, unsigned form) of each 16-bit immediate */
#define IMMS(X) X(0, 0) X(1, 1) X(-1, 0xffff) X(0x7fff, 0x7fff)           \
    X(-32768, 0x8000) X(0x1234, 0x1234) X(-2, 0xfffe) X(0x5555, 0x5555)    \
    X(-0x5556, 0xaaaa) X(0x80, 0x80)

static void test_imm(void)
{
    printf("== immediate ops: addiu slti sltiu andi ori xori\n");
    for (unsigned i = 0; i < N_TEST_VALS; i++) {
        uint32_t a = test_vals[i];
#define DO_IMM(s, u)                                                        \
        printf("%08x imm %04x: %08x %x %x %08x %08x %08x\n", a, (u),         \
               RRI("addiu", a, s), RRI("slti", a, s), RRI("sltiu", a, s),    \
               RRI("andi", a, u), RRI("ori", a, u), RRI("xori", a, u));
        IMMS(DO_IMM)
#undef DO_IMM
    }
}

static void test_lui(void)
{
    printf("== lui\n");
#define DO_LUI(s, u) do { uint32_t r;                                       \
        __asm__ __volatile__("lui %0, %1" : "=r"(r) : "i"(u));               \
        printf("lui %04x -> %08x\n", (u), r); } while (0);
    IMMS(DO_LUI)
#undef DO_LUI
}

static void test_movnz(void)
{
    static const uint32_t conds[] = {0, 1, 0x80000000, 0xffffffff, 0x100};
    printf("== movn movz (rd=11111111 rs=22222222)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(conds); i++) {
        uint32_t rn = 0x11111111, rz = 0x11111111, rs = 0x22222222;
        __asm__ __volatile__("movn %0, %2, %3\n\tmovz %1, %2, %3"
                             : "+&r"(rn), "+&r"(rz) : "r"(rs), "r"(conds[i]));
        printf("rt=%08x: movn -> %08x  movz -> %08x\n", conds[i], rn, rz);
    }
    /* rd == rs and rd == rt */
    uint32_t x = 5, y = 0;
    __asm__ __volatile__("movz %0, %0, %1" : "+r"(x) : "r"(y));
    printf("movz rd=rs: %08x\n", x);
    x = 7;
    __asm__ __volatile__("movn %0, %1, %0" : "+r"(x) : "r"(0x99u));
    printf("movn rd=rt: %08x\n", x);
}

static void test_zero_reg(void)
{
    uint32_t r1, r2, r3;
    printf("== writes to $0 are discarded\n");
    __asm__ __volatile__(ASM_BEGIN
                         "addiu $0, $0, 0x1234\n\t"
                         "move %0, $0\n\t"
                         "lui $0, 0xffff\n\t"
                         "or %1, $0, $0\n\t"
                         "movz $0, %3, $0\n\t"
                         "addu %2, $0, $0"
                         ASM_END
                         : "=&r"(r1), "=&r"(r2), "=&r"(r3) : "r"(0x55u));
    printf("$0 after addiu/lui/movz: %08x %08x %08x\n", r1, r2, r3);
}

static void test_same_reg(void)
{
    /* source and destination registers overlap */
    uint32_t a = 0x12345678;
    __asm__ __volatile__("addu %0, %0, %0" : "+r"(a));
    printf("addu r,r,r: %08x\n", a);
    a = 0x12345678;
    __asm__ __volatile__("subu %0, %0, %0" : "+r"(a));
    printf("subu r,r,r: %08x\n", a);
    a = 0x12345678;
    __asm__ __volatile__("xor %0, %0, %0" : "+r"(a));
    printf("xor r,r,r: %08x\n", a);
    a = 0xf0f0f0f0;
    __asm__ __volatile__("nor %0, %0, %0" : "+r"(a));
    printf("nor r,r,r: %08x\n", a);
}

int main(void)
{
    printf("alu test\n");
    test_rrr();
    test_imm();
    test_lui();
    test_movnz();
    test_zero_reg();
    test_same_reg();
    return 0;
}
