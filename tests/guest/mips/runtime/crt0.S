/*
 * Start-up code and exception vectors for mimic's bare-metal Malta guests.
 *
 * QEMU's Malta boot stub enters _start in kernel mode with Status.BEV = 1 and
 * Status.ERL = 1.  We switch to a normal kernel environment:
 *   Status = CU1 (hard-float builds only) | everything else 0
 *            (BEV = 0, ERL = 0, EXL = 0, IE = 0, IM = 0, FR = 0, KSU = kernel)
 *   Cause  = 0 (IV = 0, software interrupts cleared)
 * so exceptions go through EBase (reset value 0x80000000): TLB refill at
 * +0x000, cache error at +0x100, general exceptions at +0x180 and, if
 * Cause.IV were set, interrupts at +0x200.  A 4-instruction stub is copied to
 * each of these vectors; it jumps to exc_common which saves all registers in
 * exc_frame, runs exc_handler() (exc.c) on a private stack, restores the
 * (possibly modified) registers and EPC, and returns with ERET.
 *
 * No caches are modelled by the emulators we target, so the vectors are
 * written with plain stores and no cache maintenance.
 */
#include "regdef.h"

#define CP0_STATUS  $12
#define CP0_CAUSE   $13
#define CP0_EPC     $14
#define CP0_BADVADDR $8

#ifdef __mips_hard_float
#define STATUS_INIT 0x20000000      /* CU1 */
#else
#define STATUS_INIT 0x00000000
#endif

/* exc_frame layout, see struct exc_frame in runtime.h */
#define F_REG(n)    ((n) * 4)
#define F_HI        128
#define F_LO        132
#define F_EPC       136
#define F_CAUSE     140
#define F_STATUS    144
#define F_BADVADDR  148
#define F_VECTOR    152
#define F_SIZE      156

    .set    noreorder
    .set    noat

    /* In .data, not .bss: written before .bss is cleared. */
    .data
    .globl  boot_args
    .align  2
boot_args:
    .word   0, 0, 0, 0

    .section .text.start, "ax", @progbits
    .globl  _start
    .ent    _start
_start:
    /* Keep what the boot firmware passed (argc, argv, envp, memsize). */
    la      t0, boot_args
    sw      a0, 0(t0)
    sw      a1, 4(t0)
    sw      a2, 8(t0)
    sw      a3, 12(t0)
    li      t0, STATUS_INIT
    mtc0    t0, CP0_STATUS
    ehb
    mtc0    zero, CP0_CAUSE
    ehb

    la      sp, _stack_top
    addiu   sp, sp, -32
    move    fp, zero

    /* clear .bss */
    la      t0, _bss_start
    la      t1, _bss_end
1:  beq     t0, t1, 2f
    nop
    sw      zero, 0(t0)
    b       1b
    addiu   t0, t0, 4
2:
    /* install the vector stubs */
    la      a0, 0x80000000
    jal     install_vector
    li      a1, 0x000
    la      a0, 0x80000100
    jal     install_vector
    li      a1, 0x100
    la      a0, 0x80000180
    jal     install_vector
    li      a1, 0x180
    la      a0, 0x80000200
    jal     install_vector
    li      a1, 0x200
    sync

    move    a0, zero
    jal     main
    move    a1, zero
    jal     done
    nop
3:  b       3b
    nop
    .end    _start

/*
 * install_vector(a0 = vector address, a1 = vector offset): copies vec_stub to
 * a0 and patches the "ori k1, zero, 0" in its delay slot with the offset so
 * the handler knows which vector was taken.
 */
    .text
    .ent    install_vector
install_vector:
    la      t0, vec_stub
    lw      t1, 0(t0)
    sw      t1, 0(a0)
    lw      t1, 4(t0)
    sw      t1, 4(a0)
    lw      t1, 8(t0)
    sw      t1, 8(a0)
    lw      t1, 12(t0)
    or      t1, t1, a1
    jr      ra
    sw      t1, 12(a0)
    .end    install_vector

/* Copied to the vectors; never executed in place. */
    .ent    vec_stub
vec_stub:
    lui     k0, %hi(exc_common)
    addiu   k0, k0, %lo(exc_common)
    jr      k0
    ori     k1, zero, 0
    .end    vec_stub

    .ent    exc_common
exc_common:
    lui     k0, %hi(exc_frame)
    addiu   k0, k0, %lo(exc_frame)
    sw      $0,  F_REG(0)(k0)
    sw      $1,  F_REG(1)(k0)
    sw      $2,  F_REG(2)(k0)
    sw      $3,  F_REG(3)(k0)
    sw      $4,  F_REG(4)(k0)
    sw      $5,  F_REG(5)(k0)
    sw      $6,  F_REG(6)(k0)
    sw      $7,  F_REG(7)(k0)
    sw      $8,  F_REG(8)(k0)
    sw      $9,  F_REG(9)(k0)
    sw      $10, F_REG(10)(k0)
    sw      $11, F_REG(11)(k0)
    sw      $12, F_REG(12)(k0)
    sw      $13, F_REG(13)(k0)
    sw      $14, F_REG(14)(k0)
    sw      $15, F_REG(15)(k0)
    sw      $16, F_REG(16)(k0)
    sw      $17, F_REG(17)(k0)
    sw      $18, F_REG(18)(k0)
    sw      $19, F_REG(19)(k0)
    sw      $20, F_REG(20)(k0)
    sw      $21, F_REG(21)(k0)
    sw      $22, F_REG(22)(k0)
    sw      $23, F_REG(23)(k0)
    sw      $24, F_REG(24)(k0)
    sw      $25, F_REG(25)(k0)
    sw      $0,  F_REG(26)(k0)
    sw      $0,  F_REG(27)(k0)
    sw      $28, F_REG(28)(k0)
    sw      $29, F_REG(29)(k0)
    sw      $30, F_REG(30)(k0)
    sw      $31, F_REG(31)(k0)
    sw      k1,  F_VECTOR(k0)
    mfhi    t0
    sw      t0,  F_HI(k0)
    mflo    t0
    sw      t0,  F_LO(k0)
    mfc0    t0,  CP0_EPC
    sw      t0,  F_EPC(k0)
    mfc0    t0,  CP0_CAUSE
    sw      t0,  F_CAUSE(k0)
    mfc0    t0,  CP0_STATUS
    sw      t0,  F_STATUS(k0)
    mfc0    t0,  CP0_BADVADDR
    sw      t0,  F_BADVADDR(k0)

    la      sp, _exc_stack_top
    addiu   sp, sp, -32
    jal     exc_handler
    move    a0, k0

    lui     k0, %hi(exc_frame)
    addiu   k0, k0, %lo(exc_frame)
    lw      t0,  F_EPC(k0)
    mtc0    t0,  CP0_EPC
    lw      t0,  F_HI(k0)
    mthi    t0
    lw      t0,  F_LO(k0)
    mtlo    t0
    lw      $1,  F_REG(1)(k0)
    lw      $2,  F_REG(2)(k0)
    lw      $3,  F_REG(3)(k0)
    lw      $4,  F_REG(4)(k0)
    lw      $5,  F_REG(5)(k0)
    lw      $6,  F_REG(6)(k0)
    lw      $7,  F_REG(7)(k0)
    lw      $8,  F_REG(8)(k0)
    lw      $9,  F_REG(9)(k0)
    lw      $10, F_REG(10)(k0)
    lw      $11, F_REG(11)(k0)
    lw      $12, F_REG(12)(k0)
    lw      $13, F_REG(13)(k0)
    lw      $14, F_REG(14)(k0)
    lw      $15, F_REG(15)(k0)
    lw      $16, F_REG(16)(k0)
    lw      $17, F_REG(17)(k0)
    lw      $18, F_REG(18)(k0)
    lw      $19, F_REG(19)(k0)
    lw      $20, F_REG(20)(k0)
    lw      $21, F_REG(21)(k0)
    lw      $22, F_REG(22)(k0)
    lw      $23, F_REG(23)(k0)
    lw      $24, F_REG(24)(k0)
    lw      $25, F_REG(25)(k0)
    lw      $28, F_REG(28)(k0)
    lw      $29, F_REG(29)(k0)
    lw      $30, F_REG(30)(k0)
    lw      $31, F_REG(31)(k0)
    ehb                             /* mtc0 EPC -> eret hazard */
    eret
    .end    exc_common

    .bss
    .align  3
    .globl  exc_frame
exc_frame:
    .space  F_SIZE
