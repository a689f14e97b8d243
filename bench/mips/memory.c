/*
 * memory: load/store throughput over a working set of a few MiB.
 *
 * Each round runs three phases over 4 MiB of RAM:
 *   - transpose a 512x512 word matrix (1 MiB) into a second one (one side
 *     walks with a 2 KiB stride),
 *   - copy it back with an unrolled 8-word block copy, then a byte and
 *     halfword pass over part of it (lb/lbu/sh),
 *   - a dependent pointer chase through a 2 MiB single-cycle random
 *     permutation (Sattolo's algorithm), with a read-modify-write of a second
 *     random slot on every step.
 * Nearly every instruction is a load or store to a different address, which
 * stresses the emulators' software TLB fast path.
 */
#include "runtime.h"

#define DIM         512u                    /* matrix side (words) */
#define CHASE_LEN   (1u << 19)              /* 2 MiB of uint32_t links */

static volatile uint32_t rounds = 15;
static volatile uint32_t chase_steps = 1500000;

static uint32_t mat_a[DIM * DIM];
static uint32_t mat_b[DIM * DIM];
static uint32_t chase[CHASE_LEN];

static uint32_t rng_state = 0x1234567u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static NOINLINE void transpose(uint32_t *dst, const uint32_t *src)
{
    for (uint32_t r = 0; r < DIM; r++)
        for (uint32_t c = 0; c < DIM; c++)
            dst[c * DIM + r] = src[r * DIM + c] + r;
}

static NOINLINE void copy_words(uint32_t *dst, const uint32_t *src, uint32_t n)
{
    /* n is a multiple of 8 */
    for (uint32_t i = 0; i < n; i += 8) {
        uint32_t a = src[i], b = src[i + 1], c = src[i + 2], d = src[i + 3];
        uint32_t e = src[i + 4], f = src[i + 5], g = src[i + 6], h = src[i + 7];
        dst[i] = a; dst[i + 1] = b; dst[i + 2] = c; dst[i + 3] = d;
        dst[i + 4] = e; dst[i + 5] = f; dst[i + 6] = g; dst[i + 7] = h;
    }
}

static NOINLINE uint32_t byte_pass(uint32_t *buf, uint32_t nbytes)
{
    /* Sums signed and unsigned bytes, rewrites the halfwords. */
    volatile unsigned char *b = (volatile unsigned char *)buf;
    volatile signed char *sb = (volatile signed char *)buf;
    volatile uint16_t *h = (volatile uint16_t *)buf;
    uint32_t sum = 0;
    for (uint32_t i = 0; i < nbytes; i += 2) {
        sum += b[i] + (uint32_t)sb[i + 1];
        h[i >> 1] = (uint16_t)(sum ^ i);
    }
    return sum;
}

static NOINLINE uint32_t chase_walk(uint32_t start, uint32_t steps)
{
    uint32_t p = start, sum = 0;
    for (uint32_t i = 0; i < steps; i++) {
        uint32_t v = chase[p];
        p = v & (CHASE_LEN - 1);
        sum += v;
        /* read-modify-write of another slot keeps the cycle intact: only
           the top byte (a counter, never part of a link) changes */
        uint32_t q = (p * 2654435761u) & (CHASE_LEN - 1);
        chase[q] += 1u << 24;
    }
    return sum ^ p;
}

int main(void)
{
    uint32_t nrounds = rounds, steps = chase_steps;

    for (uint32_t i = 0; i < DIM * DIM; i++)
        mat_a[i] = rng();

    /* single-cycle permutation (Sattolo) */
    for (uint32_t i = 0; i < CHASE_LEN; i++)
        chase[i] = i;
    for (uint32_t i = CHASE_LEN - 1; i > 0; i--) {
        uint32_t j = rng() % i;
        uint32_t t = chase[i];
        chase[i] = chase[j];
        chase[j] = t;
    }

    uint32_t sum = 0;
    uint32_t start = 0;
    for (uint32_t r = 0; r < nrounds; r++) {
        transpose(mat_b, mat_a);
        copy_words(mat_a, mat_b, DIM * DIM);
        sum += byte_pass(mat_a + r * 4096u, 65536u);
        sum ^= chase_walk(start, steps);
        start = (start + 12345u) & (CHASE_LEN - 1);
        sum = (sum << 5) | (sum >> 27);
    }

    uint32_t h = 0;
    for (uint32_t i = 0; i < DIM * DIM; i += 7)
        h = h * 31u + mat_a[i];
    for (uint32_t i = 0; i < CHASE_LEN; i += 5)
        h = h * 31u + chase[i];

    printf("memory: %u rounds, checksum %08x %08x\n", (unsigned)nrounds,
           (unsigned)sum, (unsigned)h);
    return 0;
}
