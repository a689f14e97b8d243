/*
 * mimic's Malta boot code for -kernel: runs from the boot flash at the reset
 * vector (0xbfc00000, uncached) and enters the kernel with the CPU in the
 * state QEMU 7.2's Malta bootloader leaves it in, so that register dumps of
 * guest programs compare equal:
 *
 *   a0 = 2                  argc (argv[0] = kernel path, argv[1] = command line)
 *   a1 = 0x80002000         argv table (32-bit pointers, in RAM at 0x2000)
 *   a2 = 0x80002008         environment table (name, value, name, value, ..., 0)
 *   a3 = RAM size below the I/O hole (at most 256 MiB)
 *   sp = 0x80001fc0         just below the tables
 *   t9 = entry point        (jumped to with jalr t9: ra = 0xbfc00644)
 *   k0, k1                  the last GT-64120 write: value and address
 *   every other GPR, HI, LO and CP0 untouched (zero after reset)
 *
 * Before that it programs the GT-64120 system controller as YAMON does:
 * its registers move from 0x14000000 to 0x1be00000, the PCI0 I/O window
 * (ISA ports, e.g. COM1 at 0x3f8) to 0x18000000-0x181fffff, PCI0 memory
 * to 0x10000000 and 0x18200000. The GT-64120 holds its registers
 * little-endian: a big-endian CPU writes the values byte-swapped (the GT
 * swaps them back), a little-endian one as they are.
 *
 * The machine patches two words: the entry point (ENTRY_WORD) and the RAM
 * size (RAMSIZE_WORD), in the guest's byte order, and the board revision
 * word at 0x10. A table of YAMON service entry points at 0x500 offers
 * print, print_count and do-nothing services to bare-metal programs.
 *
 * Assembled for both byte orders at build time (roms/meson.build).
 */

	.set	noreorder
	.set	noat
	.set	nomips16

#define ROM_KSEG0	0x9fc00000	/* where YAMON's services are called */
#define ROM_KSEG1	0xbfc00000	/* where this code runs */

/* The words the machine patches (offsets from the start of the ROM). */
#define ENTRY_WORD	0x700
#define RAMSIZE_WORD	0x704

#define GT_BASE_RESET	0xb4000000	/* GT-64120 registers after reset (kseg1) */
#define GT_BASE		0xbbe00000	/* ... and where we move them */
#define GT_PCI0IOLD	0x048
#define GT_PCI0IOHD	0x050
#define GT_PCI0M0LD	0x058
#define GT_PCI0M0HD	0x060
#define GT_ISD		0x068
#define GT_PCI0M1LD	0x080
#define GT_PCI0M1HD	0x088

/*
 * What the CPU writes for the GT-64120 to store `v`: after reset the GT
 * swaps the bytes of a big-endian CPU's accesses (GT_CPU.Endianness = 0)
 * and not those of a little-endian one.
 */
#ifdef __MIPSEB__
#define GT32(v)		((((v) & 0xff) << 24) | (((v) & 0xff00) << 8) | \
			 (((v) >> 8) & 0xff00) | (((v) >> 24) & 0xff))
#else
#define GT32(v)		(v)
#endif

/* Decode registers hold address bits 35:21 (low) or 27:21 (high): addr >> 21. */
#define DECODE(addr)	((addr) >> 21)

	.macro	gt_write reg_addr, value
	li	$k0, \value
	li	$k1, \reg_addr
	sw	$k0, 0($k1)
	.endm

	.text
	.globl	_start
_start:
	b	boot
	 nop

	.org	0x10
board_revision:
	.word	0			/* patched: 0x00000420, Malta with a CoreLV card */

	/* YAMON service vectors (kseg0 addresses). */
	.org	0x500
	.word	ROM_KSEG0 + (boot - _start)		/* 0x500 start */
	.word	ROM_KSEG0 + (yamon_print_count - _start)	/* 0x504 print_count */
	.org	0x520
	.word	ROM_KSEG0 + (boot - _start)		/* 0x520 start */
	.org	0x52c
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x52c flush_cache */
	.org	0x534
	.word	ROM_KSEG0 + (yamon_print - _start)	/* 0x534 print */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x538 reg_cpu_isr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x53c unreg_cpu_isr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x540 reg_ic_isr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x544 unreg_ic_isr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x548 reg_esr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x54c unreg_esr */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x550 getchar */
	.word	ROM_KSEG0 + (yamon_nothing - _start)	/* 0x554 syscon_read */

	.org	0x580
boot:
	gt_write GT_BASE_RESET + GT_ISD, GT32(DECODE(0x1be00000))
	gt_write GT_BASE + GT_PCI0IOLD,  GT32(DECODE(0x18000000))
	gt_write GT_BASE + GT_PCI0IOHD,  GT32(DECODE(0x08000000))
	gt_write GT_BASE + GT_PCI0M0LD,  GT32(DECODE(0x10000000))
	gt_write GT_BASE + GT_PCI0M0HD,  GT32(DECODE(0x07e00000))
	gt_write GT_BASE + GT_PCI0M1LD,  GT32(DECODE(0x18200000))
	gt_write GT_BASE + GT_PCI0M1HD,  GT32(DECODE(0x0bc00000))

	li	$sp, 0x80001fc0
	li	$a0, 2
	li	$a1, 0x80002000
	li	$a2, 0x80002008
	li	$a3, ROM_KSEG1 + RAMSIZE_WORD
	lw	$a3, 0($a3)
	li	$t9, ROM_KSEG1 + ENTRY_WORD
	lw	$t9, 0($t9)

	/* Padding runs as nops: the call sits where QEMU's does. */
	.org	0x63c
	jalr	$t9
	 nop
	/* The kernel is not expected to return; if it does, stay here. */
1:	b	1b
	 nop

	/* Words the machine patches (see roms/mips/bootstub.h). */
	.org	ENTRY_WORD
entry_word:
	.word	0
ramsize_word:
	.word	0

/*
 * YAMON services. print(a0 = port, a1 = string) and print_count(a0 = port,
 * a1 = buffer, a2 = length) write to COM1, polling its line status; they
 * keep a0 and use t0-t5 as scratch.
 */
	.org	0x800
yamon_nothing:
	jr	$ra
	 move	$v0, $zero

	.org	0x808
yamon_print:
	move	$t5, $ra
	move	$t3, $a0
	move	$t2, $a1
2:	lbu	$a0, 0($t2)
	beqz	$a0, 3f
	 addiu	$t2, $t2, 1
	bal	com1_putc
	 nop
	b	2b
	 nop
3:	jr	$t5
	 move	$a0, $t3

	.org	0x83c
yamon_print_count:
	move	$t5, $ra
	move	$t3, $a0
	move	$t2, $a1
	move	$t4, $a2
	beqz	$t4, 5f
	 nop
4:	lbu	$a0, 0($t2)
	bal	com1_putc
	 addiu	$t2, $t2, 1
	addiu	$t4, $t4, -1
	bnez	$t4, 4b
	 nop
5:	jr	$t5
	 move	$a0, $t3

	/* Writes a0's low byte to COM1 once its transmitter is empty. */
com1_putc:
	lui	$t0, 0xb800
	ori	$t0, $t0, 0x3f8
6:	lbu	$t1, 5($t0)
	andi	$t1, $t1, 0x40
	beqz	$t1, 6b
	 nop
	jr	$ra
	 sb	$a0, 0($t0)
