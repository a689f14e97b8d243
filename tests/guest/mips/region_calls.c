/*
 * A hot caller and its hot callee on one page, so that tier=auto compiles
 * them into one region: the caller keeps many values in registers across
 * the call, the callee loops and takes a syscall exception every 64th
 * iteration, and returns. At each exception the handler hashes every
 * saved register (what a guest sees of the state at that instruction), so
 * a register the region kept in a host register and did not write back
 * before the exception, or wrote back stale, shows in the output; so does
 * one lost across the return.
 */
#include "runtime.h"

#define HOT __attribute__((noinline, section(".text.region_calls")))

static uint32_t words[256];
/* Both on one page: the section starts page-aligned and holds just them. */
HOT __attribute__((aligned(4096))) static uint32_t callee(const uint32_t *p, uint32_t n, uint32_t k)
{
    uint32_t acc = k;
    for (uint32_t i = 0; i < n; i++) {
        acc = (acc << 3 | acc >> 29) ^ (p[i & 255] + i);
        if ((i & 63) == 63)
            __asm__ __volatile__("syscall" : "+r"(acc) : : "memory");
    }
    return acc;
}

HOT static uint32_t caller(uint32_t rounds)
{
    uint32_t a = 1, b = 2, c = 3, d = 4, e = 5, g = 6, h = 7, m = 8;
    for (uint32_t r = 0; r < rounds; r++) {
        a += r;
        b ^= a << 1;
        c += b >> 3;
        d ^= c + r;
        e += d ^ a;
        g ^= e >> 2;
        h += g + b;
        m ^= h * 3;
        uint32_t got = callee(words, 100 + (r & 31), a ^ m);
        a ^= got;
        m += got >> 5;
    }
    return a ^ b ^ c ^ d ^ e ^ g ^ h ^ m;
}

int main(void)
{
    for (uint32_t i = 0; i < 256; i++)
        words[i] = i * 0x2545f491u;
    run_hashing_syscalls(caller, 3000);
    return 0;
}
