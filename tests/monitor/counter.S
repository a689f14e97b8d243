/*
 * The monitor test's guest: a bare-metal Malta kernel (entered in kernel
 * mode by the boot stub) that writes a known pattern and then counts, one
 * increment per loop, forever:
 *
 *   0x80200000  counter (zeroed at every start, so a reset restarts it)
 *   0x80200004  starts  (incremented at every start; RAM survives a reset)
 *   0x80200010  "MIMIC-MONITOR-OK" (16 bytes, for memsave/pmemsave/x)
 *
 * Built by monitor_test.py: mipsel-linux-gnu-gcc -nostdlib -Ttext=0x80100000.
 */
    .set    noreorder
    .set    noat

    .text
    .globl  _start
    .ent    _start
_start:
    lui     $t0, 0x8020             /* $t0 = 0x80200000 */
    sw      $zero, 0($t0)
    lw      $t1, 4($t0)
    addiu   $t1, $t1, 1
    sw      $t1, 4($t0)

    la      $t1, pattern            /* copy the pattern, a word at a time */
    lw      $t2, 0($t1)
    sw      $t2, 16($t0)
    lw      $t2, 4($t1)
    sw      $t2, 20($t0)
    lw      $t2, 8($t1)
    sw      $t2, 24($t0)
    lw      $t2, 12($t1)
    sw      $t2, 28($t0)

1:  lw      $t2, 0($t0)
    addiu   $t2, $t2, 1
    sw      $t2, 0($t0)
    b       1b
    nop
    .end    _start

    .section .rodata
    .align  2
pattern:
    .ascii  "MIMIC-MONITOR-OK"
