/*
 * A store over code the same pass of a hot loop runs next: now and then
 * the loop rewrites the instruction at the head of the block it branches
 * to, and that block, in the same iteration, must run the new
 * instruction. With -accel tcg,tier=auto the loop is a compiled region by
 * then, and the rewritten block is a member that the store's block
 * branches to directly (not a loop header): the store drops the region,
 * and the region's code must leave before that member instead of running
 * its old copy (llvm_lower.cpp, findChecksAfterCalls). The store runs
 * every fourth iteration, often enough for its block to be a member, and
 * each writes an immediate the rewritten instruction did not have in the
 * last 1023 stores, so a stale copy shows in the sum.
 *
 * The loop (machine code written at run time): words 0-9 end one page
 * and the rewritten block starts the next, since a store into the page
 * of the block that makes it drops all of that page's code (the region
 * could not form); across kseg0 pages a region takes both.
 *
 *    0: addiu a0, a0, -1
 *    1: andi  t0, a0, 3
 *    2: bne   t0, zero, 10     (a0 not a multiple of 4: no store)
 *    3: nop
 *    4: srl   t0, a0, 1
 *    5: andi  t0, t0, 0x7fe
 *    6: or    t0, t0, t2       t2 = addiu v0, v0, 1: the new word
 *    7: sw    t0, 0(t1)        t1 = &word 10
 *    8: beq   zero, zero, 10
 *    9: nop
 *   10: addiu v0, v0, K        <- the rewritten word, K = 1 + 2 * ((a0 >> 2) & 0x3ff)
 *   11: bne   a0, zero, 0
 *   12: nop
 *   13: jr    ra
 *   14: nop
 * Emulators without caches see the store at once; real hardware would
 * need synci and jr.hb (the emulators do not model caches).
 */
#include "encode.h"
#include "runtime.h"

static uint32_t area[2048] __attribute__((aligned(4096)));
static uint32_t *const code = &area[1024 - 10];   /* word 10 starts the second page */

static void write_loop(uint32_t k) {
  code[0] = ADDIU(A0, A0, -1);
  code[1] = ANDI(T0, A0, 3);
  code[2] = BNE(T0, ZERO, 7);   /* to word 10 */
  code[3] = NOP;
  code[4] = SRL(T0, A0, 1);
  code[5] = ANDI(T0, T0, 0x7fe);
  code[6] = OR(T0, T0, T2);
  code[7] = SW(T0, T1, 0);
  code[8] = BEQ(ZERO, ZERO, 1);   /* to word 10 */
  code[9] = NOP;
  code[10] = ADDIU(V0, V0, k);
  code[11] = BNE(A0, ZERO, -12);  /* to word 0 */
  code[12] = NOP;
  code[13] = JR_RA;
  code[14] = NOP;
}

static uint32_t run(uint32_t n) {
  register uint32_t v0 __asm__("v0") = 0;
  register uint32_t a0 __asm__("a0") = n;
  register uint32_t t1 __asm__("t1") = (uint32_t)&code[10];
  register uint32_t t2 __asm__("t2") = ADDIU(V0, V0, 1);
  __asm__ volatile("jalr %[fn]\n\tnop"
                   : "+r"(v0), "+r"(a0), "+r"(t1), "+r"(t2)
                   : [fn] "r"(&code[0])
                   : "t0", "ra", "memory");
  return v0;
}

/* The same loop in C. */
static uint32_t model(uint32_t n, uint32_t k) {
  uint32_t v0 = 0;
  for (uint32_t a0 = n; a0 != 0;) {
    a0--;
    if ((a0 & 3) == 0) k = 1 + ((a0 >> 1) & 0x7fe);
    v0 += k;
  }
  return v0;
}

int main(void) {
  /* Short runs: every store makes the next block translate again, which
     on tier=llvm is a compile of milliseconds. With blocks hot at 50 runs
     (the auto tests) a region forms, is dropped by a store and is built
     again within each run. */
  static const uint32_t runs[] = {3000, 1000, 4096, 2000};
  puts("region_store_ahead test");
  for (unsigned i = 0; i < ARRAY_SIZE(runs); i++) {
    const uint32_t k = 3 + 2 * i;
    write_loop(k);
    const uint32_t got = run(runs[i]), want = model(runs[i], k);
    printf("n=%u k=%u: v0=%08x %s\n", runs[i], k, got, got == want ? "ok" : "WRONG");
  }
  return 0;
}
