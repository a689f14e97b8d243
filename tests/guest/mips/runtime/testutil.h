/*
 * Helpers shared by the guest test programs: inline-asm wrappers that force
 * one specific instruction, and common operand tables.
 */
#ifndef MIMIC_GUEST_TESTUTIL_H
#define MIMIC_GUEST_TESTUTIL_H

#include "runtime.h"

/* Inline asm prologue/epilogue: exact instructions, explicit delay slots. */
#define ASM_BEGIN ".set push\n\t.set noreorder\n\t.set nomacro\n\t.set noat\n\t"
#define ASM_END   "\n\t.set pop"

/* rd = op rs, rt */
#define RRR(op, a, b) ({ uint32_t r_;                                         \
        __asm__ __volatile__(op " %0, %1, %2"                                \
                             : "=r"(r_) : "r"((uint32_t)(a)),                \
                               "r"((uint32_t)(b)));                          \
        r_; })
/* rd = op rs, imm */
#define RRI(op, a, imm) ({ uint32_t r_;                                       \
        __asm__ __volatile__(op " %0, %1, %2"                                \
                             : "=r"(r_) : "r"((uint32_t)(a)), "i"(imm));     \
        r_; })
/* rd = op rs */
#define RR(op, a) ({ uint32_t r_;                                             \
        __asm__ __volatile__(op " %0, %1" : "=r"(r_) : "r"((uint32_t)(a)));  \
        r_; })

/* Number of exceptions taken while evaluating stmt. */
#define COUNT_EXC(stmt) ({ uint32_t before_ = exc_count; stmt;                \
        exc_count - before_; })

/* Interesting 32-bit operands. */
static const uint32_t test_vals[] __attribute__((unused)) = {
    0x00000000, 0x00000001, 0x00000002, 0x0000007f, 0x00000080,
    0x00007fff, 0x00008000, 0x0000ffff, 0x12345678, 0x7ffffffe,
    0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
    0xdeadbeef, 0x55555555, 0xaaaaaaaa,
};
#define N_TEST_VALS (sizeof(test_vals) / sizeof(test_vals[0]))

#endif

/* Loads the address of local label 1 (which must follow) into operand pc. */
#define LOAD_PC1(pc) "lui %[" #pc "], %%hi(1f)\n\taddiu %[" #pc "], %[" #pc "], %%lo(1f)\n"

/*
 * dst = op a, b where op may trap: dst keeps its old value if it does.
 * pc receives the instruction's address for exc_print_since().
 */
#define TRAP_RRR(op, dst, a, b, pcv)                                         \
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[d], %[x], %[y]" \
                         ASM_END                                             \
                         : [d] "+r"(dst), [pc] "=&r"(pcv)                    \
                         : [x] "r"((uint32_t)(a)), [y] "r"((uint32_t)(b)))
#define TRAP_RRI(op, dst, a, imm, pcv)                                       \
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[d], %[x], %[i]" \
                         ASM_END                                             \
                         : [d] "+r"(dst), [pc] "=&r"(pcv)                    \
                         : [x] "r"((uint32_t)(a)), [i] "i"(imm))
