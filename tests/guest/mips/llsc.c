/*
 * ll / sc: the well-defined cases only.
 *   - ll loads like lw; sc right after ll succeeds (rt = 1, memory written)
 *   - an exception (syscall + eret) between ll and sc clears the link: the sc
 *     fails (rt = 0) and memory is unchanged
 *   - an ll/sc retry loop (atomic increment) converges
 *   - unaligned ll raises AdEL
 *   - unaligned sc: architecturally AdES, but QEMU 7.2 first compares the
 *     address with the link address and simply fails the sc (rt = 0, no
 *     exception) when they differ, which they always do for an unaligned
 *     address.  The reference is QEMU, so that is what is printed.
 */
#include "testutil.h"

static volatile uint32_t words[4] __attribute__((aligned(16))) = {
    0x11111111, 0x22222222, 0x33333333, 0x44444444,
};

static void test_basic(void)
{
    static const uint32_t stores[] = {0xa5a5a5a5, 0x00000000, 0xffffffff};
    printf("== ll then sc\n");
    for (unsigned i = 0; i < ARRAY_SIZE(stores); i++) {
        uint32_t loaded, flag = stores[i];
        words[1] = 0x22222222;
        __asm__ __volatile__(ASM_BEGIN "ll %0, 0(%2)\n\tsc %1, 0(%2)" ASM_END
                             : "=&r"(loaded), "+&r"(flag)
                             : "r"(&words[1]) : "memory");
        printf("ll -> %08x, sc %08x -> rt %u, memory %08x\n", loaded,
               stores[i], flag, words[1]);
    }
    /* ll with a non-zero offset, sc back with an offset */
    uint32_t loaded, flag = 0xbeef;
    __asm__ __volatile__(ASM_BEGIN "ll %0, 8(%2)\n\tsc %1, 8(%2)" ASM_END
                         : "=&r"(loaded), "+&r"(flag) : "r"(&words[0])
                         : "memory");
    printf("ll 8(base) -> %08x, sc 0000beef -> rt %u, memory %08x\n", loaded,
           flag, words[2]);
    /* increment of the loaded value */
    words[3] = 41;
    uint32_t tmp;
    __asm__ __volatile__(ASM_BEGIN "ll %0, 0(%1)\n\taddiu %0, %0, 1\n\t"
                         "sc %0, 0(%1)" ASM_END
                         : "=&r"(tmp) : "r"(&words[3]) : "memory");
    printf("ll/addiu/sc of 41: rt %u, memory %u\n", tmp, words[3]);
}

static void test_eret_clears_link(void)
{
    printf("== exception between ll and sc\n");
    exc_quiet = 1;
    words[0] = 0x11111111;
    uint32_t loaded, flag = 0x99999999, before = exc_count;
    __asm__ __volatile__(ASM_BEGIN "ll %0, 0(%2)\n\tsyscall 5\n\t"
                         "sc %1, 0(%2)" ASM_END
                         : "=&r"(loaded), "+&r"(flag) : "r"(&words[0])
                         : "memory");
    printf("ll -> %08x, syscall, sc -> rt %u, memory %08x, exceptions %u\n",
           loaded, flag, words[0], exc_count - before);
    /* a fresh ll after the exception makes sc succeed again */
    flag = 0x77777777;
    __asm__ __volatile__(ASM_BEGIN "syscall 6\n\tll %0, 0(%2)\n\t"
                         "sc %1, 0(%2)" ASM_END
                         : "=&r"(loaded), "+&r"(flag) : "r"(&words[0])
                         : "memory");
    printf("syscall, ll -> %08x, sc -> rt %u, memory %08x\n", loaded, flag,
           words[0]);
    exc_quiet = 0;
}

static void test_retry_loop(void)
{
    printf("== atomic increment loop\n");
    words[2] = 0;
    uint32_t failures = 0;
    for (unsigned i = 0; i < 100; i++) {
        uint32_t tmp, fails = 0;
        __asm__ __volatile__(ASM_BEGIN
                             "1:\tll %0, 0(%2)\n\t"
                             "addiu %0, %0, 3\n\t"
                             "sc %0, 0(%2)\n\t"
                             "beqz %0, 1b\n\t"
                             "addiu %1, %1, 1\n\t"
                             "addiu %1, %1, -1" ASM_END
                             : "=&r"(tmp), "+&r"(fails) : "r"(&words[2])
                             : "memory");
        failures += fails;
    }
    printf("100 increments by 3: %u, failed sc: %u\n", words[2], failures);
}

static void test_unaligned(void)
{
    printf("== unaligned ll / sc\n");
    exc_quiet = 1;
    for (unsigned k = 1; k < 4; k++) {
        uint32_t r = 0x5eeeeee5, pc, before = exc_count;
        uint32_t addr = (uint32_t)&words[0] + k;
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tll %[r], 0(%[a])"
                             ASM_END : [r] "+r"(r), [pc] "=&r"(pc)
                             : [a] "r"(addr) : "memory");
        printf("ll +%u: r=%08x ", k, r);
        exc_print_since(before, pc);
        printf("\n");
        r = 0x12345678;
        words[0] = 0x11111111;
        before = exc_count;
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tsc %[r], 0(%[a])"
                             ASM_END : [r] "+r"(r), [pc] "=&r"(pc)
                             : [a] "r"(addr) : "memory");
        printf("sc +%u: r=%08x memory %08x ", k, r, words[0]);
        exc_print_since(before, pc);
        printf("\n");
    }
    exc_quiet = 0;
}

int main(void)
{
    printf("llsc test\n");
    test_basic();
    test_eret_clears_link();
    test_retry_loop();
    test_unaligned();
    return 0;
}
