/*
 * A hot loop on one page calling a routine on the next page, both machine
 * code written at run time into kseg0 (whose mapping is fixed, so that
 * tier=auto compiles loop and routine into one region across the two
 * pages). Halfway through a run the loop itself stores a new constant
 * into the routine, on the other page: the calls after the store must
 * return the new constant. The routine is also rewritten between runs.
 *
 * Page A (the loop):                 Page B (the routine):
 *   0: or    t9, ra, zero              0: addiu v0, zero, K  <- patched
 *   1: jal   B                         1: jr    ra
 *   2: nop                             2: nop
 *   3: addu  v1, v1, v0
 *   4: addiu a0, a0, -1
 *   5: bne   a0, a1, 8   (not halfway yet: skip the store)
 *   6: nop
 *   7: sw    t0, 0(t1)   (t1 = &B[0], t0 = the new word)
 *   8: bne   a0, zero, 1
 *   9: nop
 *  10: jr    t9
 *  11: nop
 */
#include "encode.h"
#include "runtime.h"

static uint32_t code[2048] __attribute__((aligned(4096)));
#define PAGE_B (code + 1024)


static void write_code(int k) {
  const uint32_t a[] = {OR(T9, RA, ZERO), JAL(PAGE_B), NOP, ADDU(V1, V1, V0), ADDIU(A0, A0, -1),
                        BNE(A0, A1, 2), NOP, SW(T0, T1, 0), BNE(A0, ZERO, -8), NOP, JR(T9), NOP};
  for (unsigned i = 0; i < ARRAY_SIZE(a); i++) code[i] = a[i];
  PAGE_B[0] = ADDIU(V0, ZERO, k);
  PAGE_B[1] = JR(RA);
  PAGE_B[2] = NOP;
}

/* Runs the loop n times; at a0 == half it stores `new_word` over B[0]. */
static uint32_t run(uint32_t n, uint32_t half, uint32_t new_word) {
  register uint32_t v1 __asm__("v1") = 0;
  register uint32_t a0 __asm__("a0") = n;
  register uint32_t a1 __asm__("a1") = half;
  register uint32_t t0 __asm__("t0") = new_word;
  register uint32_t t1 __asm__("t1") = (uint32_t)&PAGE_B[0];
  __asm__ volatile("jalr %[fn]\n\tnop"
                   : "+r"(v1), "+r"(a0), "+r"(a1), "+r"(t0), "+r"(t1)
                   : [fn] "r"(&code[0])
                   : "v0", "t9", "ra", "memory");
  return v1;
}

int main(void) {
  static const struct { uint32_t n, half; int k1, k2; } cases[] = {
      {100000, 50000, 1, 3}, {200000, 1, 2, -1}, {150000, 149999, 7, 5}, {300000, 100000, -2, 9},
  };
  puts("region_pages test");
  for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
    write_code(cases[i].k1);
    uint32_t got = run(cases[i].n, cases[i].half, ADDIU(V0, ZERO, cases[i].k2));
    /* Calls before the store (in the iteration that brings a0 to half)
       return k1, the half after it k2. */
    uint32_t want = (cases[i].n - cases[i].half) * (uint32_t)cases[i].k1 + cases[i].half * (uint32_t)cases[i].k2;
    printf("n=%u half=%u k1=%d k2=%d: v1=%08x %s\n", cases[i].n, cases[i].half, cases[i].k1, cases[i].k2, got,
           got == want ? "ok" : "WRONG");
  }
  /* The routine rewritten between runs. */
  for (int k = 1; k <= 6; k++) {
    write_code(10 * k);
    uint32_t got = run(20000, 0, 0);
    printf("rewritten k=%d: v1=%08x\n", 10 * k, got);
  }
  return 0;
}
