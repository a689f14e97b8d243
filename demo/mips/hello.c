/*
 * mimic demo: a bare-metal MIPS32 program for the Malta board.
 *
 *   mimic -M malta -kernel hello-el.elf -nographic -no-reboot
 *
 * Prints a banner, draws the Mandelbrot set in ASCII art on the serial
 * console using integer fixed-point arithmetic only (about a second of CPU
 * work under QEMU), prints a checksum of everything it computed, and resets
 * the board, which makes the emulator exit with status 0.
 *
 * The output is fully deterministic, so it is identical on every emulator
 * that gets the architecture right.
 */
#include "runtime.h"

#define COLS      76
#define ROWS      30
#define SUB       4                       /* SUB x SUB samples per character */
#define MAX_ITER  4000
#define FRAC      24                      /* fixed point: 1.0 == 1 << 24 */
#define FIX(x)    ((int32_t)((x) * (1 << FRAC)))

/* the view: real part -2.2 .. 0.8, imaginary part -1.2 .. 1.2 */
#define RE_MIN    FIX(-2.2)
#define RE_MAX    FIX(0.8)
#define IM_MIN    FIX(-1.2)
#define IM_MAX    FIX(1.2)

/* from "escaped at once" to "never escaped" */
static const char palette[] = " .:-=+*#%@";
#define LEVELS    ((int)sizeof(palette) - 1)

static uint32_t checksum = 2166136261u;   /* FNV-1a */

static void mix(uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        checksum ^= (v >> (8 * i)) & 0xff;
        checksum *= 16777619u;
    }
}

static inline int32_t fmul(int32_t a, int32_t b)
{
    return (int32_t)(((int64_t)a * b) >> FRAC);
}

/* Iterations until z = z^2 + c escapes |z| > 2, at most MAX_ITER. */
static int escape_time(int32_t cr, int32_t ci)
{
    int32_t zr = 0, zi = 0;
    int n;
    for (n = 0; n < MAX_ITER; n++) {
        int32_t zr2 = fmul(zr, zr);
        int32_t zi2 = fmul(zi, zi);
        if (zr2 + zi2 > FIX(4))
            break;
        zi = 2 * fmul(zr, zi) + ci;
        zr = zr2 - zi2 + cr;
    }
    return n;
}

/* 0 for points that escape at once .. LEVELS-1 for the set itself */
static int level(int n)
{
    if (n >= MAX_ITER)
        return LEVELS - 1;
    int l = 0;
    while (n > 2 && l < LEVELS - 2) {     /* roughly logarithmic bands */
        n = n * 2 / 3;
        l++;
    }
    return l;
}

static void mandelbrot(void)
{
    const int32_t dx = (RE_MAX - RE_MIN) / (COLS * SUB - 1);
    const int32_t dy = (IM_MAX - IM_MIN) / (ROWS * SUB - 1);
    char line[COLS + 1];
    uint32_t total = 0;

    for (int row = 0; row < ROWS; row++) {
        for (int col = 0; col < COLS; col++) {
            int sum = 0;
            for (int sy = 0; sy < SUB; sy++) {
                int32_t ci = IM_MAX - (row * SUB + sy) * dy;
                for (int sx = 0; sx < SUB; sx++) {
                    int32_t cr = RE_MIN + (col * SUB + sx) * dx;
                    int n = escape_time(cr, ci);
                    total += n;
                    mix(n);
                    sum += level(n);
                }
            }
            line[col] = palette[(sum + SUB * SUB / 2) / (SUB * SUB)];
        }
        line[COLS] = 0;
        printf("  %s\n", line);
    }
    printf("\n  %u iterations for %u sample points\n", total,
           COLS * ROWS * SUB * SUB);
}

/* A second workload: count primes with a sieve. */
#define SIEVE_N 200000
static uint8_t composite[SIEVE_N];

static void primes(void)
{
    unsigned count = 0, last = 0;
    for (unsigned i = 2; i < SIEVE_N; i++) {
        if (composite[i])
            continue;
        count++;
        last = i;
        mix(i);
        for (unsigned j = i * 2; j < SIEVE_N; j += i)
            composite[j] = 1;
    }
    printf("  %u primes below %u, the largest is %u\n", count, SIEVE_N, last);
}

int main(void)
{
    union { uint32_t w; uint8_t b[4]; } probe = { .w = 1 };

    printf("\n");
    printf("  +----------------------------------------------+\n");
    printf("  |  Hello from bare-metal MIPS!                 |\n");
    printf("  |  mimic demo: a MIPS32 24Kf on a Malta board  |\n");
    printf("  +----------------------------------------------+\n");
    printf("  CPU: PRId %08x, %s-endian, Config0 %08x\n\n", mfc0(15, 0),
           probe.b[0] ? "little" : "big", mfc0(16, 0));

    mandelbrot();
    primes();
    printf("  checksum: %08x\n", checksum);
    printf("  Bye - resetting the board.\n");
    exit(0);
}
