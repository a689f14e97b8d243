/*
 * The program gdb debugs in tests/gdb/test_gdb.py (bare metal on Malta,
 * built at test time with the guest runtime of tests/guest/mips).
 * Its output depends on what the debugger changes: left alone it prints
 * "result 35 watched 35 t0 42"; test_gdb.py sets $t0 to 7 at step_target
 * and `scale` to 10 in the first call of compute(), which makes it
 * "result 105 watched 105 t0 7". With `spin` set it then loops for ever
 * (for the interrupt test).
 */
#include "runtime.h"

volatile int counter;
volatile int watched;
volatile int scale = 3;
volatile unsigned last_count;   /* CP0 Count, sampled while spinning */
volatile int spin = -1;   /* in .data: crt0 clears .bss after a debugger may set it */
static const char banner[] = "mimic gdb target";

NOINLINE int compute(int x) { return x * scale + 1; }

/* A branch whose delay slot matters, at a known label: stepping over the
   branch must run the slot (t0 = 1 + 41) and land at the target. */
NOINLINE int stepper(void) {
  int r;
  __asm__ volatile(
      ".set push\n.set noreorder\n"
      ".globl step_here\n"
      "step_here:\n"
      "  li    $t0, 1\n"
      "  beq   $zero, $zero, 1f\n"
      "   addiu $t0, $t0, 41\n"
      "  li    $t0, 99\n"
      "1:\n"
      ".globl step_target\n"
      "step_target:\n"
      "  move  %0, $t0\n"
      ".set pop\n"
      : "=r"(r)
      :
      : "t0");
  return r;
}

int main(void) {
  int t0 = stepper();
  for (int i = 0; i < 5; i++) counter += compute(i);
  watched = counter;
  printf("%s: result %d watched %d t0 %d\n", banner, counter, watched, t0);
  while (spin > 0) {
    counter++;
    unsigned c;
    __asm__ volatile("mfc0 %0, $9" : "=r"(c));
    last_count = c;
  }
  return 0;
}
