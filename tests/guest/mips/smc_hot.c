/*
 * Self-modifying code in a hot loop: the loop rewrites its own first
 * instruction halfway through, while it is running (hot enough, with
 * -accel tcg,tier=auto and a low MIMIC_HOT_THRESHOLD, to be a compiled
 * region by then). Every iteration after the store must run the new
 * instruction: the result tells how many ran which. Also the loop is
 * rewritten between calls, as a JIT or a module loader would.
 *
 * The loop (machine code written at run time into its own page):
 *   0: addiu v0, v0, K       <- the patched word
 *   1: addiu a0, a0, -1
 *   2: bne   a0, a1, 5       (not halfway yet: skip the store)
 *   3: nop
 *   4: sw    t0, 0(t1)       t0 = the new word, t1 = &word 0
 *   5: bne   a0, zero, 0
 *   6: nop
 *   7: jr    ra
 *   8: nop
 * Emulators without caches see the store at once; real hardware would
 * need synci and jr.hb (the emulators do not model caches).
 */
#include "encode.h"
#include "runtime.h"

static uint32_t code[1024] __attribute__((aligned(4096)));


static void write_loop(int k) {
  code[0] = ADDIU(V0, V0, k);
  code[1] = ADDIU(A0, A0, -1);
  code[2] = BNE(A0, A1, 2);    /* to word 5 */
  code[3] = NOP;
  code[4] = SW(T0, T1, 0);
  code[5] = BNE(A0, 0, -6);    /* to word 0 */
  code[6] = NOP;
  code[7] = JR_RA;
  code[8] = NOP;
}

/* Runs the loop n times; at a0 == half it stores `new_word` over word 0. */
static uint32_t run(uint32_t n, uint32_t half, uint32_t new_word) {
  register uint32_t v0 __asm__("v0") = 0;
  register uint32_t a0 __asm__("a0") = n;
  register uint32_t a1 __asm__("a1") = half;
  register uint32_t t0 __asm__("t0") = new_word;
  register uint32_t t1 __asm__("t1") = (uint32_t)&code[0];
  __asm__ volatile("jalr %[fn]\n\tnop"
                   : "+r"(v0), "+r"(a0), "+r"(a1), "+r"(t0), "+r"(t1)
                   : [fn] "r"(&code[0])
                   : "ra", "memory");
  return v0;
}

int main(void) {
  static const struct { uint32_t n, half; int k1, k2; } cases[] = {
      {100000, 50000, 1, 3}, {200000, 1, 2, -1}, {150000, 149999, 7, 5}, {300000, 100000, -2, 9},
  };
  puts("smc_hot test");
  for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
    write_loop(cases[i].k1);
    uint32_t got = run(cases[i].n, cases[i].half, ADDIU(V0, V0, cases[i].k2));
    /* Iterations with a0 (before decrement) from n down to half+1 used k1,
       the store happens in the iteration that brings a0 to half; the rest
       (half of them) run k2. */
    uint32_t want = (cases[i].n - cases[i].half) * (uint32_t)cases[i].k1 + cases[i].half * (uint32_t)cases[i].k2;
    printf("n=%u half=%u k1=%d k2=%d: v0=%08x %s\n", cases[i].n, cases[i].half, cases[i].k1, cases[i].k2, got,
           got == want ? "ok" : "WRONG");
  }
  /* Rewritten between calls: the same loop with new constants each time. */
  for (int k = 1; k <= 6; k++) {
    write_loop(k);
    uint32_t got = run(20000, 0, 0);   /* half = 0: a0 never equals 0 before the exit check... */
    printf("rewritten k=%d: v0=%08x\n", k, got);
  }
  return 0;
}
