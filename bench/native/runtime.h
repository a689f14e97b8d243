/*
 * Host stand-in for tests/guest/mips/runtime/runtime.h, so that the
 * benchmark kernels in bench/mips/ can also be compiled for the host
 * (bench/run_bench.py: gcc -O2 -I bench/native KERNEL.c) and give a native
 * baseline for the emulators' numbers.
 *
 * It provides only what the kernels use from the guest runtime: the stdint
 * types, NOINLINE & co., and printf/puts/putchar/exit from the C library.
 * The guest runtime prints "DONE" when main() returns (whatever it returns);
 * the main() below does the same, so native output can be compared byte for
 * byte with the emulators' console output.
 */
#ifndef MIMIC_BENCH_NATIVE_RUNTIME_H
#define MIMIC_BENCH_NATIVE_RUNTIME_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))

/* Like the guest's done(): the final "DONE" line, then the end. */
static inline NORETURN void done(void)
{
    puts("DONE");
    exit(0);
}

/* The kernel's main() is renamed by the #define below; this one wraps it. */
int bench_main(void);

int main(void)
{
    (void)bench_main();         /* the guest ignores main's result too */
    done();
}

#define main bench_main

#endif
