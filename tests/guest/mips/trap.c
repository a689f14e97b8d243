/*
 * Conditional traps: teq tne tge tgeu tlt tltu (register) and teqi tnei tgei
 * tgeiu tlti tltiu (immediate; tgeiu/tltiu compare unsigned against the
 * sign-extended immediate).  "T" = Trap exception (ExcCode 13) taken with
 * EPC at the trap, "-" = no exception.  Also the 10-bit code field of the
 * register forms.
 */
#include "testutil.h"

static const uint32_t vals[] = {
    0x00000000, 0x00000001, 0xffffffff, 0x7fffffff, 0x80000000, 0x00007fff,
    0xffff8000, 0x00008000,
};

/* 'T' if op trapped with the expected EPC, '-' if not, '?' otherwise */
static char trap_result(uint32_t before, uint32_t pc)
{
    uint32_t n = exc_count - before;
    if (n == 0)
        return '-';
    if (n == 1 && exc_last.code == 13 && exc_last.epc == pc && !exc_last.bd)
        return 'T';
    return '?';
}

#define TRAP2(op, a, b) ({ uint32_t pc_, before_ = exc_count;                \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[x], %[y]"   \
                             ASM_END : [pc] "=&r"(pc_)                       \
                             : [x] "r"(a), [y] "r"(b));                      \
        trap_result(before_, pc_); })
#define TRAPI(op, a, imm) ({ uint32_t pc_, before_ = exc_count;              \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[x], %[i]"   \
                             ASM_END : [pc] "=&r"(pc_)                       \
                             : [x] "r"(a), [i] "i"(imm));                    \
        trap_result(before_, pc_); })

static void test_register_forms(void)
{
    printf("== teq tne tge tgeu tlt tltu\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
            uint32_t a = vals[i], b = vals[j];
            char r[6];
            r[0] = TRAP2("teq", a, b);
            r[1] = TRAP2("tne", a, b);
            r[2] = TRAP2("tge", a, b);
            r[3] = TRAP2("tgeu", a, b);
            r[4] = TRAP2("tlt", a, b);
            r[5] = TRAP2("tltu", a, b);
            printf("%08x %08x: teq %c tne %c tge %c tgeu %c tlt %c tltu %c\n",
                   a, b, r[0], r[1], r[2], r[3], r[4], r[5]);
        }
}

#define IMMS(X) X(0) X(1) X(-1) X(0x7fff) X(-32768)

static void test_immediate_forms(void)
{
    printf("== teqi tnei tgei tgeiu tlti tltiu\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t a = vals[i];
#define DO_IMM(imm) do {                                                    \
            char r[6];                                                      \
            r[0] = TRAPI("teqi", a, imm);                                   \
            r[1] = TRAPI("tnei", a, imm);                                   \
            r[2] = TRAPI("tgei", a, imm);                                   \
            r[3] = TRAPI("tgeiu", a, imm);                                  \
            r[4] = TRAPI("tlti", a, imm);                                   \
            r[5] = TRAPI("tltiu", a, imm);                                  \
            printf("%08x %6d: teqi %c tnei %c tgei %c tgeiu %c tlti %c "    \
                   "tltiu %c\n", a, imm, r[0], r[1], r[2], r[3], r[4],      \
                   r[5]);                                                   \
        } while (0);
        IMMS(DO_IMM)
#undef DO_IMM
    }
}

static void test_code_field(void)
{
    printf("== code field of register-form traps\n");
    uint32_t before = exc_count, pc;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tteq $0, $0, 0x3ff" ASM_END
                         : [pc] "=&r"(pc));
    printf("teq $0,$0,0x3ff: ");
    exc_print_since(before, pc);
    printf(" code=%03x\n", (exc_last.insn >> 6) & 0x3ff);
    before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\ttne %[a], $0, 0x155"
                         ASM_END : [pc] "=&r"(pc) : [a] "r"(5u));
    printf("tne 5,$0,0x155: ");
    exc_print_since(before, pc);
    printf(" code=%03x\n", (exc_last.insn >> 6) & 0x3ff);
}

int main(void)
{
    printf("trap test\n");
    exc_quiet = 1;
    test_register_forms();
    test_immediate_forms();
    test_code_field();
    exc_quiet = 0;
    return 0;
}
