/*
 * Branches and jumps.  Each conditional branch is executed with its delay
 * slot doing "r |= 1", the fall-through path "r |= 2" and the target
 * "r |= 4", so the printed value tells what ran:
 *     5 = taken, 7 = not taken, 6 = not taken with the delay slot annulled
 *     (branch likely).
 * Link variants also print ra minus the address after the delay slot
 * (must be 0, taken or not).  Further: b, bal, j, jal, jr, jalr (any rd),
 * jr.hb / jalr.hb, delay slots that overwrite the branch's own source
 * register, annulled delay slots that would store or fault, backward loops.
 */
#include "testutil.h"

#define BR2(name)                                                            \
    static NOINLINE uint32_t br_##name(uint32_t a, uint32_t b)               \
    {                                                                        \
        uint32_t r;                                                          \
        __asm__ __volatile__(ASM_BEGIN                                       \
                             "move %0, $0\n\t"                               \
                             #name " %1, %2, 1f\n\t"                         \
                             "ori %0, %0, 1\n\t"                             \
                             "ori %0, %0, 2\n"                               \
                             "1:\tori %0, %0, 4" ASM_END                     \
                             : "=&r"(r) : "r"(a), "r"(b));                   \
        return r;                                                            \
    }

#define BR1(name)                                                            \
    static NOINLINE uint32_t br_##name(uint32_t a)                           \
    {                                                                        \
        uint32_t r;                                                          \
        __asm__ __volatile__(ASM_BEGIN                                       \
                             "move %0, $0\n\t"                               \
                             #name " %1, 1f\n\t"                             \
                             "ori %0, %0, 1\n\t"                             \
                             "ori %0, %0, 2\n"                               \
                             "1:\tori %0, %0, 4" ASM_END                     \
                             : "=&r"(r) : "r"(a));                           \
        return r;                                                            \
    }

/* Linking branch: returns flags, *link = ra - (address after delay slot). */
#define BR1L(name)                                                           \
    static NOINLINE uint32_t br_##name(uint32_t a, int32_t *link)            \
    {                                                                        \
        uint32_t r, l;                                                       \
        __asm__ __volatile__(ASM_BEGIN                                       \
                             "move %0, $0\n\t"                               \
                             "lui %1, %%hi(2f)\n\t"                          \
                             "addiu %1, %1, %%lo(2f)\n\t"                    \
                             "move $31, $0\n\t"                              \
                             #name " %2, 1f\n\t"                             \
                             "ori %0, %0, 1\n"                               \
                             "2:\tori %0, %0, 2\n"                           \
                             "1:\tori %0, %0, 4\n\t"                         \
                             "subu %1, $31, %1" ASM_END                      \
                             : "=&r"(r), "=&r"(l) : "r"(a) : "$31");         \
        *link = (int32_t)l;                                                  \
        return r;                                                            \
    }

BR2(beq) BR2(bne) BR2(beql) BR2(bnel)
BR1(blez) BR1(bgtz) BR1(bltz) BR1(bgez)
BR1(blezl) BR1(bgtzl) BR1(bltzl) BR1(bgezl)
BR1L(bltzal) BR1L(bgezal) BR1L(bltzall) BR1L(bgezall)

static const uint32_t vals[] = {
    0x00000000, 0x00000001, 0xffffffff, 0x7fffffff, 0x80000000, 0x00010000,
};

static void test_conditional(void)
{
    printf("== beq bne beql bnel (5 taken, 7 not taken, 6 annulled)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
            uint32_t a = vals[i], b = vals[j];
            printf("%08x %08x: beq %u bne %u beql %u bnel %u\n", a, b,
                   br_beq(a, b), br_bne(a, b), br_beql(a, b), br_bnel(a, b));
        }
    printf("== one-operand branches\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t a = vals[i];
        printf("%08x: blez %u bgtz %u bltz %u bgez %u blezl %u bgtzl %u "
               "bltzl %u bgezl %u\n", a, br_blez(a), br_bgtz(a), br_bltz(a),
               br_bgez(a), br_blezl(a), br_bgtzl(a), br_bltzl(a),
               br_bgezl(a));
    }
    printf("== linking branches (flags / ra - return address)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        uint32_t a = vals[i];
        int32_t l1, l2, l3, l4;
        uint32_t f1 = br_bltzal(a, &l1), f2 = br_bgezal(a, &l2);
        uint32_t f3 = br_bltzall(a, &l3), f4 = br_bgezall(a, &l4);
        printf("%08x: bltzal %u/%d bgezal %u/%d bltzall %u/%d bgezall %u/%d\n",
               a, f1, l1, f2, l2, f3, l3, f4, l4);
    }
}

static void test_unconditional(void)
{
    uint32_t r, l;
    printf("== b, bal, j, jal\n");
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "b 1f\n\tori %0, %0, 1\n\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r));
    printf("b: %u\n", r);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "bal 1f\n\tori %0, %0, 1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tsubu %1, $31, %1" ASM_END
                         : "=&r"(r), "=&r"(l) : : "$31");
    printf("bal: %u ra-ret=%d\n", r, (int32_t)l);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "j 1f\n\tori %0, %0, 1\n\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r));
    printf("j: %u\n", r);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "jal 1f\n\tori %0, %0, 1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tsubu %1, $31, %1" ASM_END
                         : "=&r"(r), "=&r"(l) : : "$31");
    printf("jal: %u ra-ret=%d\n", r, (int32_t)l);
}

static void test_register_jumps(void)
{
    uint32_t r, l, t;
    printf("== jr, jalr, jr.hb, jalr.hb\n");
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(1f)\n\taddiu %1, %1, %%lo(1f)\n\t"
                         "jr %1\n\tori %0, %0, 1\n\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r), "=&r"(t));
    printf("jr: %u\n", r);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(1f)\n\taddiu %1, %1, %%lo(1f)\n\t"
                         "jr.hb %1\n\tori %0, %0, 1\n\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r), "=&r"(t));
    printf("jr.hb: %u\n", r);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %2, %%hi(1f)\n\taddiu %2, %2, %%lo(1f)\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "jalr %2\n\tori %0, %0, 1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tsubu %1, $31, %1" ASM_END
                         : "=&r"(r), "=&r"(l), "=&r"(t) : : "$31");
    printf("jalr: %u ra-ret=%d\n", r, (int32_t)l);
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %2, %%hi(1f)\n\taddiu %2, %2, %%lo(1f)\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "jalr.hb %2\n\tori %0, %0, 1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tsubu %1, $31, %1" ASM_END
                         : "=&r"(r), "=&r"(l), "=&r"(t) : : "$31");
    printf("jalr.hb: %u ra-ret=%d\n", r, (int32_t)l);
    /* jalr with a link register other than ra; ra must not change */
    uint32_t link, ra_before = 0x13572468, ra_after;
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "move $31, %5\n\t"
                         "lui %2, %%hi(1f)\n\taddiu %2, %2, %%lo(1f)\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "jalr %3, %2\n\tori %0, %0, 1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tsubu %1, %3, %1\n\t"
                         "move %4, $31" ASM_END
                         : "=&r"(r), "=&r"(l), "=&r"(t), "=&r"(link),
                           "=&r"(ra_after) : "r"(ra_before) : "$31");
    printf("jalr rd,rs: %u rd-ret=%d ra %08x\n", r, (int32_t)l, ra_after);
}

static void test_delay_slot_effects(void)
{
    uint32_t r, t, l;
    printf("== delay slot writes the branch's source register\n");
    /* beq compares the value before the delay slot's addiu */
    t = 0;
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "beq %1, $0, 1f\n\taddiu %1, %1, 1\n\t"
                         "ori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r), "+&r"(t));
    printf("beq t,$0 ; addiu t,t,1: flags %u t=%u\n", r, t);
    t = 1;
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "bgtz %1, 1f\n\taddiu %1, %1, -5\n\t"
                         "ori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r), "+&r"(t));
    printf("bgtz t ; addiu t,t,-5: flags %u t=%d\n", r, (int32_t)t);
    /* jr jumps to the old register value */
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(1f)\n\taddiu %1, %1, %%lo(1f)\n\t"
                         "jr %1\n\tmove %1, $0\n\t"
                         "ori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END : "=&r"(r), "=&r"(t));
    printf("jr t ; move t,$0: flags %u t=%u\n", r, t);
    /* jalr: same, and the delay slot sees the new ra */
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(1f)\n\taddiu %1, %1, %%lo(1f)\n\t"
                         "lui %2, %%hi(2f)\n\taddiu %2, %2, %%lo(2f)\n\t"
                         "jalr %1\n\tsubu %2, $31, %2\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END
                         : "=&r"(r), "=&r"(t), "=&r"(l) : : "$31");
    printf("jalr ; slot reads ra: flags %u ra-ret=%d\n", r, (int32_t)l);
    /* jal: the delay slot sees the new ra */
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "lui %1, %%hi(2f)\n\taddiu %1, %1, %%lo(2f)\n\t"
                         "jal 1f\n\tsubu %1, $31, %1\n"
                         "2:\tori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END
                         : "=&r"(r), "=&r"(l) : : "$31");
    printf("jal ; slot reads ra: flags %u ra-ret=%d\n", r, (int32_t)l);
    /* bltzal with the delay slot overwriting ra */
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "bgezal $0, 1f\n\tli $31, 0x1234\n\t"
                         "ori %0, %0, 2\n"
                         "1:\tori %0, %0, 4\n\tmove %1, $31" ASM_END
                         : "=&r"(r), "=&r"(l) : : "$31");
    printf("bgezal ; slot sets ra=0x1234: flags %u ra=%08x\n", r, l);
}

static volatile uint32_t cell = 0x600d600d;

static void test_annulled(void)
{
    uint32_t r, t;
    printf("== annulled delay slots of untaken branch-likely\n");
    /* a store in the annulled slot does not happen */
    __asm__ __volatile__(ASM_BEGIN "move %0, $0\n\t"
                         "bnel $0, $0, 1f\n\tsw $0, 0(%1)\n\t"
                         "ori %0, %0, 2\n"
                         "1:\tori %0, %0, 4" ASM_END
                         : "=&r"(r) : "r"(&cell) : "memory");
    printf("bnel not taken, slot sw: flags %u cell %08x\n", r, cell);
    /* a faulting load / syscall / trap in the annulled slot raises nothing */
    uint32_t before = exc_count;
    t = 0x77;
    __asm__ __volatile__(ASM_BEGIN "beql %2, $0, 1f\n\tlw %0, 1(%1)\n\t"
                         "bgtzl $0, 1f\n\tsyscall\n\t"
                         "bltzl %2, 1f\n\tteq $0, $0\n\t"
                         "bgezl %3, 1f\n\tbreak\n"
                         "1:" ASM_END
                         : "+&r"(t) : "r"(&cell), "r"(1u), "r"(0x80000000u)
                         : "memory");
    printf("faulting slots annulled: t=%08x exceptions %u\n", t,
           exc_count - before);
    /* taken branch-likely executes its slot */
    t = 0;
    __asm__ __volatile__(ASM_BEGIN "beql $0, $0, 1f\n\taddiu %0, %0, 9\n\t"
                         "addiu %0, %0, 100\n"
                         "1:" ASM_END : "+&r"(t));
    printf("beql taken: slot executed, t=%u\n", t);
}

static void test_loops(void)
{
    uint32_t n = 0, i = 10;
    printf("== backward branches\n");
    __asm__ __volatile__(ASM_BEGIN "1:\taddiu %1, %1, -1\n\t"
                         "bne %1, $0, 1b\n\taddiu %0, %0, 3" ASM_END
                         : "+&r"(n), "+&r"(i));
    printf("bne loop: n=%u i=%u\n", n, i);
    n = 0;
    i = 5;
    __asm__ __volatile__(ASM_BEGIN "1:\taddiu %1, %1, -1\n\t"
                         "bgtzl %1, 1b\n\taddiu %0, %0, 1" ASM_END
                         : "+&r"(n), "+&r"(i));
    printf("bgtzl loop (slot only when taken): n=%u i=%u\n", n, i);
    /* branch back over a long distance (more than 32 KiB away is not
       possible with a 16-bit offset; use 4 KiB of nops) */
    n = 0;
    __asm__ __volatile__(ASM_BEGIN "b 2f\n\tnop\n"
                         "1:\taddiu %0, %0, 1\n\tb 3f\n\tnop\n"
                         ".fill 1024, 4, 0\n"
                         "2:\tb 1b\n\taddiu %0, %0, 16\n"
                         "3:" ASM_END : "+&r"(n));
    printf("far forward/backward branches: n=%u\n", n);
}

int main(void)
{
    printf("branch test\n");
    test_conditional();
    test_unconditional();
    test_register_jumps();
    test_delay_slot_effects();
    test_annulled();
    test_loops();
    return 0;
}
