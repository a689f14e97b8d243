/*
 * Exceptions in branch delay slots: Cause.BD = 1 and EPC = address of the
 * branch, for taken and untaken branches, branch-likely, jumps and
 * linking branches (whose link register is still written).  Exception
 * kinds: AdEL, AdES, Ov, Tr, Sys, Bp, RI, CpU.
 *
 * The runtime resumes at EPC + 8 after a delay-slot exception (the branch
 * and its slot are skipped).  Flags: the fall-through path does r |= 2,
 * the branch target r |= 4; so 6 = resumed after the slot, 4 = the branch
 * went to its target.  "link" is ra minus the address after the delay slot.
 *
 * Also: re-executing the branch (EPC unchanged) after the handler fixed the
 * faulting register, and jr/jalr to a misaligned target (AdEL on fetch, EPC
 * = BadVAddr = target, BD = 0).
 */
#include "testutil.h"

static uint32_t words[4] __attribute__((aligned(16))) = {
    0x11111111, 0x22222222, 0x33333333, 0x44444444,
};

#define DS(branch, slot) do {                                                \
        uint32_t r_, pc_, ra_, tg_, t_ = 0x5eeeeee5, before_ = exc_count;     \
        __asm__ __volatile__(ASM_BEGIN ".set hardfloat\n\t"                  \
            "move %[r], $0\n\t"                                              \
            "move $31, $0\n\t"                                               \
            "lui %[tg], %%hi(3f)\n\taddiu %[tg], %[tg], %%lo(3f)\n\t"        \
            "lui %[pc], %%hi(1f)\n\taddiu %[pc], %[pc], %%lo(1f)\n"          \
            "1:\t" branch "\n\t"                                             \
            slot "\n"                                                        \
            "2:\tori %[r], %[r], 2\n"                                        \
            "3:\tori %[r], %[r], 4\n\t"                                      \
            "lui %[ra], %%hi(2b)\n\taddiu %[ra], %[ra], %%lo(2b)\n\t"        \
            "subu %[ra], $31, %[ra]" ASM_END                                 \
            : [r] "=&r"(r_), [pc] "=&r"(pc_), [t] "+&r"(t_), [tg] "=&r"(tg_),\
              [ra] "=&r"(ra_)                                                \
            : [u] "r"((uint32_t)words + 1), [big] "r"(0x7fffffffu),          \
              [one] "r"(1u), [neg] "r"(0xffffffffu)                          \
            : "$31", "memory");                                              \
        printf("%-16s %-22s flags %u t=%08x", branch, slot, r_, t_);         \
        if (is_linking(branch))                                              \
            printf(" link=%d", (int32_t)ra_);                                \
        printf(" : ");                                                       \
        exc_print_since(before_, pc_);                                       \
        printf("\n");                                                        \
    } while (0)

/* true for linking branches/jumps */
static int is_linking(const char *s)
{
    return s[0] == 'j' ? s[1] == 'a' : (s[3] == 'a' || s[4] == 'a');
}

static void test_slot_exceptions(void)
{
    printf("== exceptions in delay slots\n");
    DS("beq $0, $0, 3f", "lw %[t], 0(%[u])");
    DS("beq %[one], %[neg], 3f", "lw %[t], 0(%[u])");
    DS("beql $0, $0, 3f", "lw %[t], 0(%[u])");
    DS("bgez $0, 3f", "sw %[t], 0(%[u])");
    DS("bltz %[one], 3f", "sw %[t], 0(%[u])");
    DS("blez $0, 3f", "add %[t], %[big], %[one]");
    DS("bgtz %[neg], 3f", "add %[t], %[big], %[one]");
    DS("bgezl $0, 3f", "addi %[t], %[big], 1");
    DS("j 3f", "teq $0, $0");
    DS("jal 3f", "syscall 7");
    DS("jr %[tg]", "break 9");
    DS("jalr %[tg]", "sub %[t], %[big], %[big]");
    DS("jalr %[tg]", "lh %[t], 0(%[u])");
    DS("bgezal $0, 3f", ".word 0xfc000000");
    DS("bltzal $0, 3f", "tne %[big], $0");
    DS("bgezall $0, 3f", "mfc1 %[t], $f0");
    DS("bltzall %[neg], 3f", "lw %[t], 0(%[u])");
    DS("bltzall %[big], 3f", "lw %[t], 0(%[u])");     /* annulled */
    DS("bne %[big], $0, 3f", "lw %[t], 0(%[tg])");    /* no exception */
}

/*
 * QEMU 7.2 translates branches that can never be taken because they compare
 * a register with itself or test $0 (bne $0,$0 / bne r,r / bltz $0 /
 * bgtz $0) as no-ops, so an exception
 * in their "delay slot" is reported with BD = 0 and EPC = the slot.  The
 * architecture says BD = 1, EPC = branch; the reference prints QEMU's view.
 */
static void test_qemu_never_taken(void)
{
    printf("== never-taken branches (QEMU: the slot is not a delay slot)\n");
    DS("bne $0, $0, 3f", "lw %[t], 0(%[u])");
    DS("bne %[one], %[one], 3f", "lw %[t], 0(%[u])");
    DS("bltz $0, 3f", "sw %[t], 0(%[u])");
    DS("bgtz $0, 3f", "add %[t], %[big], %[one]");
}

static uint32_t fixed_base;

/* Fixes the unaligned base register ($16) and re-runs the branch. */
static int fix_base_hook(struct exc_frame *f)
{
    f->regs[16] = fixed_base;
    return 1;
}

static void test_reexecute(void)
{
    printf("== handler fixes the slot's base register, branch re-executed\n");
    static const char *const names[] = {"beq", "jal", "bltzal(not taken)"};
    for (unsigned k = 0; k < 3; k++) {
        uint32_t r, pc, t = 0, ra, before = exc_count;
        fixed_base = (uint32_t)&words[2];
        exc_hook = fix_base_hook;
        switch (k) {
        case 0:
            __asm__ __volatile__(ASM_BEGIN "move %[r], $0\n\tmove $16, %[u]\n\t"
                                 "move $31, $0\n\t" LOAD_PC1(pc)
                                 "1:\tbeq $0, $0, 3f\n\tlw %[t], 0($16)\n"
                                 "2:\tori %[r], %[r], 2\n"
                                 "3:\tori %[r], %[r], 4\n\tmove %[ra], $31"
                                 ASM_END
                                 : [r] "=&r"(r), [pc] "=&r"(pc), [t] "+&r"(t),
                                   [ra] "=&r"(ra)
                                 : [u] "r"((uint32_t)words + 1)
                                 : "$16", "$31", "memory");
            ra = 0;
            break;
        case 1:
            __asm__ __volatile__(ASM_BEGIN "move %[r], $0\n\tmove $16, %[u]\n\t"
                                 "move $31, $0\n\t" LOAD_PC1(pc)
                                 "1:\tjal 3f\n\tlw %[t], 0($16)\n"
                                 "2:\tori %[r], %[r], 2\n"
                                 "3:\tori %[r], %[r], 4\n\t"
                                 "lui %[ra], %%hi(2b)\n\t"
                                 "addiu %[ra], %[ra], %%lo(2b)\n\t"
                                 "subu %[ra], $31, %[ra]" ASM_END
                                 : [r] "=&r"(r), [pc] "=&r"(pc), [t] "+&r"(t),
                                   [ra] "=&r"(ra)
                                 : [u] "r"((uint32_t)words + 1)
                                 : "$16", "$31", "memory");
            break;
        default:
            __asm__ __volatile__(ASM_BEGIN "move %[r], $0\n\tmove $16, %[u]\n\t"
                                 "move $31, $0\n\t" LOAD_PC1(pc)
                                 "1:\tbltzal $0, 3f\n\tlw %[t], 0($16)\n"
                                 "2:\tori %[r], %[r], 2\n"
                                 "3:\tori %[r], %[r], 4\n\t"
                                 "lui %[ra], %%hi(2b)\n\t"
                                 "addiu %[ra], %[ra], %%lo(2b)\n\t"
                                 "subu %[ra], $31, %[ra]" ASM_END
                                 : [r] "=&r"(r), [pc] "=&r"(pc), [t] "+&r"(t),
                                   [ra] "=&r"(ra)
                                 : [u] "r"((uint32_t)words + 1)
                                 : "$16", "$31", "memory");
            break;
        }
        exc_hook = 0;
        printf("%-18s flags %u t=%08x link=%d : ", names[k], r, t, (int32_t)ra);
        exc_print_since(before, pc);
        printf("\n");
    }
}

static void test_misaligned_target(void)
{
    printf("== jump to a misaligned address\n");
    for (unsigned k = 0; k < 2; k++) {
        uint32_t target, link, before = exc_count;
        /* exc_resume is set to label 3 from inside the asm */
        if (k == 0)
            __asm__ __volatile__(ASM_BEGIN
                                 "lui $8, %%hi(3f)\n\taddiu $8, $8, %%lo(3f)\n\t"
                                 "sw $8, 0(%[res])\n\t"
                                 "move $31, $0\n\t"
                                 "lui %[tg], %%hi(4f)\n\t"
                                 "addiu %[tg], %[tg], %%lo(4f) + 2\n\t"
                                 "jr %[tg]\n\tnop\n"
                                 "4:\tnop\n\tnop\n"
                                 "3:\tmove %[l], $31" ASM_END
                                 : [tg] "=&r"(target), [l] "=&r"(link)
                                 : [res] "r"(&exc_resume)
                                 : "$8", "$31", "memory");
        else
            __asm__ __volatile__(ASM_BEGIN
                                 "lui $8, %%hi(3f)\n\taddiu $8, $8, %%lo(3f)\n\t"
                                 "sw $8, 0(%[res])\n\t"
                                 "move $31, $0\n\t"
                                 "lui %[tg], %%hi(4f)\n\t"
                                 "addiu %[tg], %[tg], %%lo(4f) + 2\n\t"
                                 "jalr %[tg]\n\tnop\n"
                                 "2:\tnop\n"
                                 "4:\tnop\n\tnop\n"
                                 "3:\tlui %[l], %%hi(2b)\n\t"
                                 "addiu %[l], %[l], %%lo(2b)\n\t"
                                 "subu %[l], $31, %[l]" ASM_END
                                 : [tg] "=&r"(target), [l] "=&r"(link)
                                 : [res] "r"(&exc_resume)
                                 : "$8", "$31", "memory");
        printf("%s to label+2: ", k ? "jalr" : "jr");
        exc_print_since(before, target);
        printf(" badvaddr-target=%d", (int32_t)(exc_last.badvaddr - target));
        if (k)
            printf(" link=%d", (int32_t)link);
        printf("\n");
    }
}

int main(void)
{
    printf("delayslot test\n");
    exc_quiet = 1;
    test_slot_exceptions();
    test_qemu_never_taken();
    test_reexecute();
    test_misaligned_target();
    exc_quiet = 0;
    return 0;
}
