/*
 * syscall and break (with their code fields), Reserved Instruction for a
 * range of undefined encodings, and Coprocessor Unusable with the CE field
 * for COP1 (FPU disabled in this soft-float program), COP1X and COP2 (see
 * test_cop2 for QEMU's behaviour), and a few reserved encodings that QEMU
 * executes anyway.
 * Every instruction is given as a raw word so the exact encoding is tested.
 */
#include "testutil.h"

#define RAW(word) ({ uint32_t pc_, before_ = exc_count;                       \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t.word " #word ASM_END \
                             : [pc] "=&r"(pc_) : : "memory");                 \
        printf("%-10s ", #word);                                             \
        exc_print_since(before_, pc_);                                       \
        printf("\n"); })

#define NAMED(desc, insn) ({ uint32_t pc_, before_ = exc_count;               \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\t" insn ASM_END       \
                             : [pc] "=&r"(pc_) : : "memory");                 \
        printf("%-22s ", desc);                                              \
        exc_print_since(before_, pc_);                                       \
        printf("\n"); })

static void test_syscall_break(void)
{
    printf("== syscall / break\n");
    NAMED("syscall", "syscall");
    NAMED("syscall 1", "syscall 1");
    NAMED("syscall 0x12345", "syscall 0x12345");
    NAMED("syscall 0xfffff", "syscall 0xfffff");
    NAMED("break", "break");
    NAMED("break 7", "break 7");
    NAMED("break 0x3ff", "break 0x3ff");
    NAMED("break 1, 2", "break 1, 2");
    NAMED("break 0x3ff, 0x3ff", "break 0x3ff, 0x3ff");
    /* registers survive the round trip through the handler */
    uint32_t a = 0x12345678, b = 0x9abcdef0;
    __asm__ __volatile__("syscall" : "+r"(a), "+r"(b));
    printf("registers after syscall: %08x %08x\n", a, b);
}

static void test_reserved(void)
{
    printf("== reserved / unimplemented encodings\n");
    RAW(0xfc000000);    /* sd (MIPS64) */
    RAW(0xdc000000);    /* ld */
    RAW(0x60000000);    /* daddi */
    RAW(0x64000000);    /* daddiu */
    RAW(0x68000000);    /* ldl */
    RAW(0x6c000000);    /* ldr */
    RAW(0x9c000000);    /* lwu */
    RAW(0xb0000000);    /* sdl */
    RAW(0xb4000000);    /* sdr */
    RAW(0xd0000000);    /* lld */
    RAW(0xf0000000);    /* scd */
    RAW(0xec000000);    /* opcode 0x3b */
    RAW(0x0000000e);    /* SPECIAL function 0x0e */
    RAW(0x0000002c);    /* dadd */
    RAW(0x0000003c);    /* dsll32 */
    RAW(0x00000028);    /* SPECIAL function 0x28 */
    RAW(0x04050000);    /* REGIMM rt 5 */
    RAW(0x04140000);    /* REGIMM rt 0x14 */
    RAW(0x70000010);    /* SPECIAL2 function 0x10 */
    RAW(0x7000003e);    /* SPECIAL2 function 0x3e */
    RAW(0x7c00003f);    /* SPECIAL3 function 0x3f */
    RAW(0x7c000030);    /* SPECIAL3 function 0x30 */
    RAW(0x42000010);    /* COP0 CO function 0x10 */
}

static void test_cop_unusable(void)
{
    printf("== coprocessor unusable (Status.CU1 = 0, CU2/CU3 absent)\n");
    RAW(0x44020000);    /* mfc1 v0, $f0 */
    RAW(0x44820000);    /* mtc1 v0, $f0 */
    RAW(0x4442f800);    /* cfc1 v0, $31 */
    RAW(0x46000000);    /* add.s $f0, $f0, $f0 */
    RAW(0x45000000);    /* bc1f */
    RAW(0xc4000000);    /* lwc1 $f0, 0($0) */
    RAW(0xd4000000);    /* ldc1 $f0, 0($0) */
    RAW(0xe4000000);    /* swc1 $f0, 0($0) */
    RAW(0xf4000000);    /* sdc1 $f0, 0($0) */
    RAW(0x4c000000);    /* lwxc1 $f0, $0($0) (COP1X) */
    RAW(0x4c000021);    /* madd.d (COP1X) */
    RAW(0x00010001);    /* movf $0, $0, $fcc0 */
}

/*
 * COP2 is absent on the 24Kf, so architecturally every COP2 instruction
 * raises CpU with CE = 2.  QEMU 7.2 does that for lwc2/ldc2/swc2/sdc2 but
 * decodes the COP2 opcode itself (mfc2, mtc2, operations) as Loongson
 * multimedia instructions and raises RI when those are absent.
 */
static void test_cop2(void)
{
    printf("== COP2\n");
    RAW(0x48020000);    /* mfc2 v0, $0 */
    RAW(0x48820000);    /* mtc2 v0, $0 */
    RAW(0x4a000000);    /* COP2 operation */
    RAW(0xc8000000);    /* lwc2 */
    RAW(0xd8000000);    /* ldc2 */
    RAW(0xe8000000);    /* swc2 */
    RAW(0xf8000000);    /* sdc2 */
}

/*
 * Encodings that are reserved on a real 24Kf but that QEMU 7.2 decodes
 * without an exception (as instructions of other ISA revisions/ASEs whose
 * availability it does not check); with these operands they change nothing.
 */
static void test_qemu_decoded(void)
{
    printf("== reserved on a 24Kf, executed without exception by QEMU 7.2\n");
    RAW(0x78000000);    /* opcode 0x1e (MDMX/MSA) */
    RAW(0x00000005);    /* SPECIAL function 0x05 (lsa $0,$0,$0) */
    RAW(0x7c000010);    /* SPECIAL3 function 0x10 (DSP addu.qb $0,$0,$0) */
    RAW(0x41000000);    /* COP0 rs 0x08 (MT mftr) */
}

static void test_valid_nops(void)
{
    printf("== valid instructions that must not trap\n");
    RAW(0x00000000);    /* nop */
    RAW(0x00000040);    /* ssnop */
    RAW(0x000000c0);    /* ehb */
    RAW(0x0000000f);    /* sync */
    RAW(0xcc000000);    /* pref 0, 0($0) */
    RAW(0x00000140);    /* sll $0, $0, 5 (pause encoding on later ISAs) */
}

int main(void)
{
    printf("sysexc test\n");
    exc_quiet = 1;
    test_syscall_break();
    test_reserved();
    test_cop_unusable();
    test_cop2();
    test_qemu_decoded();
    test_valid_nops();
    exc_quiet = 0;
    return 0;
}
