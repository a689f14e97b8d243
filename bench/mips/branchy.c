/*
 * branchy: unpredictable control flow.
 *
 * Three parts, all dominated by data-dependent branches:
 *   - a bytecode interpreter (switch dispatch through a jump table, so one
 *     indirect jump per virtual instruction) running a Collatz step counter,
 *   - a recursive quicksort with an insertion-sort cut-off over
 *     pseudo-random data,
 *   - a recursive bitmask N-queens solution counter.
 * Basic blocks are short, so block lookup / chaining and indirect-jump
 * handling dominate rather than the work inside the blocks.
 */
#include "runtime.h"

static volatile uint32_t vm_reps = 4;
static volatile uint32_t collatz_limit = 60000;     /* < 100000: fits 32 bits */
static volatile uint32_t sort_reps = 16;
static volatile uint32_t queens_n = 11;

/* ---- bytecode interpreter ---------------------------------------------- */

enum {
    OP_HALT, OP_LI, OP_MOV, OP_ADD, OP_SUB, OP_AND, OP_SHR1, OP_ADDI,
    OP_JEQ, OP_JNE, OP_JLT, OP_JMP,
};

/* one instruction: op | a << 8 | b << 16 | c << 24, optionally followed by
   an immediate / jump-target word */
#define I(op, a, b, c) ((uint32_t)(op) | (a) << 8 | (b) << 16 | (uint32_t)(c) << 24)

/* r0 = n, r1 = limit, r2 = total steps, r3 = x, r4 = tmp, r5 = 1, r6 = 0 */
static uint32_t collatz_prog[] = {
    /*  0 */ I(OP_LI, 0, 0, 0), 1,
    /*  2 */ I(OP_LI, 2, 0, 0), 0,
    /*  4 */ I(OP_LI, 5, 0, 0), 1,
    /*  6 */ I(OP_LI, 6, 0, 0), 0,
    /*  8 loop_n: */ I(OP_MOV, 3, 0, 0),
    /*  9 loop_x: */ I(OP_JEQ, 3, 5, 0), 27,
    /* 11 */ I(OP_AND, 4, 3, 5),
    /* 12 */ I(OP_JEQ, 4, 6, 0), 22,
    /* 14 */ I(OP_ADD, 4, 3, 3),
    /* 15 */ I(OP_ADD, 3, 4, 3),
    /* 16 */ I(OP_ADDI, 3, 0, 0), 1,
    /* 18 */ I(OP_ADDI, 2, 0, 0), 1,
    /* 20 */ I(OP_JMP, 0, 0, 0), 9,
    /* 22 even: */ I(OP_SHR1, 3, 3, 0),
    /* 23 */ I(OP_ADDI, 2, 0, 0), 1,
    /* 25 */ I(OP_JMP, 0, 0, 0), 9,
    /* 27 next_n: */ I(OP_ADDI, 0, 0, 0), 1,
    /* 29 */ I(OP_JLT, 0, 1, 0), 8,
    /* 31 */ I(OP_HALT, 0, 0, 0),
};

static NOINLINE uint32_t vm_run(const uint32_t *prog, uint32_t *r,
                                uint32_t *executed)
{
    uint32_t pc = 0, count = 0;
    for (;;) {
        uint32_t insn = prog[pc];
        uint32_t a = (insn >> 8) & 0xff, b = (insn >> 16) & 0xff,
                 c = insn >> 24;
        count++;
        switch (insn & 0xff) {
        case OP_HALT:
            *executed += count;
            return r[2];
        case OP_LI:   r[a] = prog[pc + 1]; pc += 2; break;
        case OP_MOV:  r[a] = r[b]; pc++; break;
        case OP_ADD:  r[a] = r[b] + r[c]; pc++; break;
        case OP_SUB:  r[a] = r[b] - r[c]; pc++; break;
        case OP_AND:  r[a] = r[b] & r[c]; pc++; break;
        case OP_SHR1: r[a] = r[b] >> 1; pc++; break;
        case OP_ADDI: r[a] += prog[pc + 1]; pc += 2; break;
        case OP_JEQ:  pc = r[a] == r[b] ? prog[pc + 1] : pc + 2; break;
        case OP_JNE:  pc = r[a] != r[b] ? prog[pc + 1] : pc + 2; break;
        case OP_JLT:  pc = r[a] < r[b] ? prog[pc + 1] : pc + 2; break;
        case OP_JMP:  pc = prog[pc + 1]; break;
        default:
            printf("vm: bad opcode %u at %u\n", (unsigned)(insn & 0xff),
                   (unsigned)pc);
            exit(1);
        }
    }
}

/* ---- quicksort ----------------------------------------------------------- */

#define SORT_N 16384u
static uint32_t sort_buf[SORT_N];

static uint32_t rng_state = 0xdeadbeefu;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static NOINLINE void insertion_sort(uint32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static NOINLINE void quicksort(uint32_t *a, int n)
{
    while (n > 12) {
        /* median of three as the pivot */
        uint32_t x = a[0], y = a[n / 2], z = a[n - 1], p;
        if (x < y)
            p = y < z ? y : (x < z ? z : x);
        else
            p = x < z ? x : (y < z ? z : y);
        int i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            uint32_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* recurse into the smaller half, loop on the larger one */
        if (j + 1 < n - j - 1) {
            quicksort(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            quicksort(a + j + 1, n - j - 1);
            n = j + 1;
        }
    }
    insertion_sort(a, n);
}

/* ---- N-queens ------------------------------------------------------------ */

static NOINLINE uint32_t queens(uint32_t all, uint32_t cols, uint32_t d1,
                                uint32_t d2)
{
    if (cols == all)
        return 1;
    uint32_t count = 0;
    uint32_t free = all & ~(cols | d1 | d2);
    while (free) {
        uint32_t bit = free & (0u - free);
        free ^= bit;
        count += queens(all, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
    }
    return count;
}

int main(void)
{
    uint32_t sum = 0;

    /* interpreter */
    uint32_t executed = 0;
    uint32_t reps = vm_reps;
    for (uint32_t k = 0; k < reps; k++) {
        uint32_t regs[8] = { 0 };
        regs[1] = collatz_limit - k;
        sum = sum * 33u + vm_run(collatz_prog, regs, &executed);
    }
    printf("vm: %u virtual instructions, steps checksum %08x\n",
           (unsigned)executed, (unsigned)sum);

    /* quicksort */
    uint32_t sorted_ok = 1, h = 0;
    uint32_t sreps = sort_reps;
    for (uint32_t k = 0; k < sreps; k++) {
        for (uint32_t i = 0; i < SORT_N; i++)
            sort_buf[i] = rng() >> (k & 7);     /* some runs with duplicates */
        quicksort(sort_buf, SORT_N);
        for (uint32_t i = 1; i < SORT_N; i++)
            if (sort_buf[i - 1] > sort_buf[i])
                sorted_ok = 0;
        for (uint32_t i = 0; i < SORT_N; i += 97)
            h = h * 31u + sort_buf[i];
    }
    printf("sort: %u x %u keys, %s, checksum %08x\n", (unsigned)sreps,
           (unsigned)SORT_N, sorted_ok ? "sorted" : "NOT SORTED", (unsigned)h);

    /* N-queens */
    uint32_t n = queens_n;
    uint32_t solutions = queens((1u << n) - 1, 0, 0, 0);
    printf("queens: n=%u, %u solutions\n", (unsigned)n, (unsigned)solutions);

    printf("branchy: checksum %08x\n", (unsigned)(sum ^ h ^ solutions));
    return 0;
}
