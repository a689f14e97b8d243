/*
 * Returns in a region with call contexts (tier=auto: a callee gets a copy
 * of its blocks per call site, whose return is predicted to reach that
 * site's continuation).  All on one page, so one region holds them:
 *
 * - a leaf called from two sites of the hot loop (two copies, each
 *   predicting its own site);
 * - a chain of calls five deep (copies stop at three: the deepest run the
 *   callee's first copy, whose prediction is then wrong);
 * - recursion (no copy for a call already on the context's chain);
 * - a routine that returns two instructions past its call (it adds 8 to
 *   $ra): the predicted return is wrong every time and the region must
 *   dispatch to the real target;
 * - a routine that "returns" to an address it was passed, not to $ra.
 *
 * The register hash every 128th iteration (a syscall whose handler hashes
 * every saved register) shows a value lost or stale on any of the ways.
 */
#include "runtime.h"

#define HOT __attribute__((noinline, section(".text.region_returns")))

/*
 * The section starts on a page and holds under 1 KiB: GCC puts the
 * top-level asm below (with the alignment) ahead of the functions.
 */
HOT static uint32_t leaf(uint32_t x, uint32_t k)
{
    return (x << 5 | x >> 27) ^ (x + k);
}

HOT static uint32_t deep5(uint32_t x) { return leaf(x, 5) + 1; }
HOT static uint32_t deep4(uint32_t x) { return deep5(x ^ 4) * 3; }
HOT static uint32_t deep3(uint32_t x) { return deep4(x + 3) ^ 0x33; }
HOT static uint32_t deep2(uint32_t x) { return deep3(x * 7) - 2; }
HOT static uint32_t deep1(uint32_t x) { return deep2(x) + deep5(x); }

HOT static uint32_t recurse(uint32_t x, uint32_t n)
{
    if (n == 0)
        return x;
    return recurse(leaf(x, n), n - 1) + n;
}

/*
 * Returns to $ra + 8: the caller puts its call in a sequence where the
 * two instructions after the delay slot are skipped.  Result in $v0.
 */
__asm__(".pushsection .text.region_returns, \"ax\"\n"
        ".balign 4096\n"
        ".set push\n.set noreorder\n.set nomacro\n"
        "skip_two:\n"
        "  addiu $v0, $a0, 17\n"
        "  addiu $ra, $ra, 8\n"
        "  jr    $ra\n"
        "  xor   $v0, $v0, $a1\n"
        ".set pop\n.popsection\n");

HOT static uint32_t call_skip_two(uint32_t x, uint32_t y)
{
    uint32_t r;
    __asm__ __volatile__(".set push\n.set noreorder\n.set nomacro\n"
                         "  move  $a0, %1\n"
                         "  jal   skip_two\n"
                         "  move  $a1, %2\n"
                         "  addiu $v0, $v0, 1000\n"   /* skipped */
                         "  addiu $v0, $v0, 2000\n"   /* skipped */
                         "  move  %0, $v0\n"
                         ".set pop\n"
                         : "=r"(r)
                         : "r"(x), "r"(y)
                         : "a0", "a1", "v0", "ra", "memory");
    return r;
}

/* "Returns" to the address in $a1 instead of $ra. */
__asm__(".pushsection .text.region_returns, \"ax\"\n"
        ".set push\n.set noreorder\n.set nomacro\n"
        "go_elsewhere:\n"
        "  jr    $a1\n"
        "  addiu $v0, $a0, 99\n"
        ".set pop\n.popsection\n");

HOT static uint32_t call_elsewhere(uint32_t x)
{
    uint32_t r;
    __asm__ __volatile__(".set push\n.set noreorder\n.set nomacro\n"
                         "  move  $a0, %1\n"
                         "  lui   $a1, %%hi(1f)\n"
                         "  addiu $a1, $a1, %%lo(1f)\n"
                         "  jal   go_elsewhere\n"
                         "  nop\n"
                         "  addiu $v0, $v0, 5000\n"   /* skipped: the return goes to 1: */
                         "1:\n"
                         "  move  %0, $v0\n"
                         ".set pop\n"
                         : "=r"(r)
                         : "r"(x)
                         : "a0", "a1", "v0", "ra", "memory");
    return r;
}

HOT static uint32_t hot_loop(uint32_t rounds)
{
    uint32_t a = 1, b = 2, c = 3, d = 4, e = 5;
    for (uint32_t i = 0; i < rounds; i++) {
        a = leaf(a, i);                /* first site */
        b += leaf(b ^ a, 3);           /* second site */
        c ^= deep1(c + i);
        if ((i & 7) == 0)
            d += recurse(d, i & 15);
        e = call_skip_two(e, a) ^ call_elsewhere(e + b);
        if ((i & 127) == 127)
            __asm__ __volatile__("syscall" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e) : : "memory");
    }
    return a ^ b ^ c ^ d ^ e;
}

int main(void)
{
    run_hashing_syscalls(hot_loop, 40000);
    return 0;
}
