/*
 * int_alu: integer ALU throughput.
 *
 * One long loop that keeps all its state in registers and mixes it with
 * shifts, rotates, xors, adds, 32x32 and 32x32->64 multiplies, a table-free
 * bitwise CRC-32 step and an occasional divide.  No loads or stores in the
 * hot loop, few branches: this measures how well straight-line ALU code is
 * translated.
 */
#include "runtime.h"

/* Read through a volatile so the compiler cannot fold the loop away. */
static volatile uint32_t iterations = 150000000;
static volatile uint32_t seed = 0x2545f491u;

static inline uint32_t rotl(uint32_t x, unsigned r)
{
    return (x << r) | (x >> (32 - r));
}

static NOINLINE uint32_t mix(uint32_t n, uint32_t s)
{
    uint32_t crc = 0xffffffffu;
    uint32_t x = s ^ 0x9e3779b9u;       /* xorshift32 state, never 0 */
    uint32_t h = s;
    uint32_t acc = 0;

    for (uint32_t i = 0; i < n; i++) {
        /* xorshift32 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;

        /* four branch-free CRC-32 (reflected) bit steps on the low byte */
        crc ^= x & 0xffu;
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));

        /* multiply/xor-shift finaliser */
        h ^= x + i;
        h *= 0x85ebca6bu;
        h ^= h >> 13;
        h *= 0xc2b2ae35u;
        h ^= h >> 16;

        /* rotates, signed compare, 64-bit product */
        acc += rotl(h, 7) ^ (crc + i);
        acc ^= (int32_t)h < (int32_t)x ? 0x5bd1e995u : 0;
        uint64_t p = (uint64_t)h * (x | 1u);
        acc += (uint32_t)(p >> 32) ^ rotl((uint32_t)p, 19);

        /* an occasional divide */
        if ((i & 63) == 0)
            acc ^= h / ((x >> 24) | 1u);
    }
    return acc ^ crc ^ h ^ x;
}

int main(void)
{
    uint32_t n = iterations;
    uint32_t r = mix(n, seed);
    printf("int_alu: %u iterations, checksum %08x\n", (unsigned)n, (unsigned)r);
    return 0;
}
