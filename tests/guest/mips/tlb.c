/*
 * MMU and user mode.
 *   - tlbwi / tlbr round trip (EntryHi, EntryLo0/1, PageMask), tlbp hit and
 *     miss, tlbwr lands in [Wired, 15]
 *   - translation of kuseg through 4 KiB and 16 KiB pages (even and odd page
 *     of a pair), global vs. ASID-private entries
 *   - TLB refill (vector 0x000) for loads and stores with BadVAddr, Context
 *     and EntryHi, TLB invalid (V = 0, general vector) and TLB modified
 *     (D = 0)
 *   - user mode entered with eret: rdhwr gated by HWREna (RI when disabled),
 *     CP0 access (CpU, CE = 0), kernel addresses (AdEL/AdES), privileged eret,
 *     TLB-mapped loads/stores, syscall back to the kernel
 * The 16 TLB entries are first given distinct kseg0 VPNs (which never
 * match, kseg0 being unmapped), because the reset contents are not defined.
 */
#include "testutil.h"
#include "tlbutil.h"

/* physical pages for data, well above the program image */
#define PA_DATA0    0x00200000u
#define PA_DATA1    0x00201000u
#define PA_BIG      0x00204000u      /* 16 KiB aligned */

static void tlb_reset(void)
{
    for (unsigned i = 0; i < 16; i++)
        tlb_write_index(i, 0x80000000u + i * 2 * PAGE, 0, 0, 0);
    mtc0(CP0_ENTRYHI, 0, 0);
    mtc0(CP0_WIRED, 0, 0);
}

static uint32_t tlbp(uint32_t hi)
{
    mtc0(CP0_ENTRYHI, 0, hi);
    __asm__ __volatile__("ehb\n\ttlbp\n\tehb" : : : "memory");
    return mfc0(CP0_INDEX, 0);
}

static void test_tlb_regs(void)
{
    printf("== tlbwi / tlbr / tlbp\n");
    printf("Config1 MMU size field: %u entries\n",
           ((mfc0(16, 1) >> 25) & 63) + 1);
    tlb_write_index(3, 0x00402005, ENTRYLO(PA_DATA0, EL_C3 | EL_D | EL_V),
                    ENTRYLO(PA_DATA1, EL_C3 | EL_V), 0);
    tlb_write_index(5, 0x01000000, ENTRYLO(PA_BIG, EL_C3 | EL_V | EL_G),
                    ENTRYLO(PA_BIG + 0x4000, EL_C3 | EL_V | EL_G), 0x6000);
    for (unsigned idx = 3; idx <= 5; idx += 2) {
        mtc0(CP0_INDEX, 0, idx);
        __asm__ __volatile__("ehb\n\ttlbr\n\tehb" : : : "memory");
        printf("tlbr %u: EntryHi %08x EntryLo0 %08x EntryLo1 %08x PageMask "
               "%08x\n", idx, mfc0(CP0_ENTRYHI, 0), mfc0(CP0_ENTRYLO0, 0),
               mfc0(CP0_ENTRYLO1, 0), mfc0(CP0_PAGEMASK, 0));
    }
    printf("tlbp 00402005: Index %08x\n", tlbp(0x00402005));
    printf("tlbp 00403005 (same pair): Index %08x\n", tlbp(0x00403005));
    printf("tlbp 00402006 (other ASID): Index %08x\n", tlbp(0x00402006));
    printf("tlbp 01002000 (16K pair, global): Index %08x\n", tlbp(0x01002000));
    printf("tlbp 00800000 (miss): P bit %u\n", tlbp(0x00800000) >> 31);
    /* EntryHi / PageMask / EntryLo / Index write masks */
    mtc0(CP0_ENTRYHI, 0, 0xffffffff);
    printf("EntryHi written ffffffff reads %08x\n", mfc0(CP0_ENTRYHI, 0));
    mtc0(CP0_PAGEMASK, 0, 0xffffffff);
    printf("PageMask written ffffffff reads %08x\n", mfc0(CP0_PAGEMASK, 0));
    mtc0(CP0_ENTRYLO0, 0, 0xffffffff);
    printf("EntryLo0 written ffffffff reads %08x\n", mfc0(CP0_ENTRYLO0, 0));
    mtc0(CP0_INDEX, 0, 0xffffffff);
    printf("Index written ffffffff reads %08x\n", mfc0(CP0_INDEX, 0));
    mtc0(CP0_ENTRYHI, 0, 0);
    mtc0(CP0_PAGEMASK, 0, 0);
    /* tlbwr picks a random entry at or above Wired */
    mtc0(CP0_WIRED, 0, 8);
    mtc0(CP0_ENTRYHI, 0, 0x00c00000);
    mtc0(CP0_ENTRYLO0, 0, 0);
    mtc0(CP0_ENTRYLO1, 0, 0);
    __asm__ __volatile__("ehb\n\ttlbwr\n\tehb" : : : "memory");
    uint32_t idx = tlbp(0x00c00000);
    printf("tlbwr with Wired=8: found by tlbp %s, index in [8,15] %s\n",
           idx >> 31 ? "no" : "yes", idx >= 8 && idx <= 15 ? "yes" : "no");
    tlb_reset();
}

static volatile uint32_t *uva(uint32_t va) { return (volatile uint32_t *)va; }

#define LOADV(va) ({ uint32_t v_ = 0x5eeeeee5, pc_, b_ = exc_count;            \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tlw %[v], 0(%[a])"     \
                             ASM_END : [v] "+r"(v_), [pc] "=&r"(pc_)          \
                             : [a] "r"(va) : "memory");                       \
        printf("lw %08x: %08x ", (uint32_t)(va), v_);                        \
        exc_print_since(b_, pc_);                                            \
        printf("\n"); })
#define STOREV(va, val) ({ uint32_t pc_, b_ = exc_count;                      \
        __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tsw %[v], 0(%[a])"     \
                             ASM_END : [pc] "=&r"(pc_)                        \
                             : [v] "r"(val), [a] "r"(va) : "memory");         \
        printf("sw %08x: ", (uint32_t)(va));                                 \
        exc_print_since(b_, pc_);                                            \
        printf("\n"); })

static void test_translation(void)
{
    printf("== translation\n");
    exc_quiet = 1;
    *uva(KSEG0(PA_DATA0)) = 0xd0d0d0d0;
    *uva(KSEG0(PA_DATA0) + 0xffc) = 0xd0d0effc;
    *uva(KSEG0(PA_DATA1)) = 0xd1d10000;
    *uva(KSEG0(PA_DATA1) + 4) = 0xd1d1d1d1;
    *uva(KSEG0(PA_BIG) + 0x3ffc) = 0xb1b13ffc;
    *uva(KSEG0(PA_BIG) + 0x4000) = 0xb2b20000;
    *uva(KSEG0(PA_BIG) + 0x10) = 0xb0b00010;
    /* ASID 5 private pair at 0x00400000, global 16K pair at 0x01000000 */
    tlb_write_index(0, 0x00400005, ENTRYLO(PA_DATA0, EL_C3 | EL_D | EL_V),
                    ENTRYLO(PA_DATA1, EL_C3 | EL_V), 0);
    tlb_write_index(1, 0x01000000, ENTRYLO(PA_BIG, EL_C3 | EL_D | EL_V | EL_G),
                    ENTRYLO(PA_BIG + 0x4000, EL_C3 | EL_D | EL_V | EL_G),
                    0x6000);
    tlb_write_index(2, 0x00600005, ENTRYLO(PA_DATA0, EL_C3),
                    ENTRYLO(PA_DATA1, EL_C3 | EL_V), 0);
    mtc0(CP0_ENTRYHI, 0, 5);                    /* current ASID 5 */
    LOADV(0x00400000);
    LOADV(0x00400ffc);
    LOADV(0x00401004);
    STOREV(0x00400008, 0x12345678u);
    printf("  kseg0 view of the store: %08x\n", *uva(KSEG0(PA_DATA0) + 8));
    STOREV(0x00401008, 0x9abcdef0u);            /* D = 0: TLB modified */
    LOADV(0x01003ffc);
    LOADV(0x01004000);
    STOREV(0x01004004, 0x0badcafeu);
    printf("  kseg0 view of the store: %08x\n", *uva(KSEG0(PA_BIG) + 0x4004));
    LOADV(0x00600000);                          /* V = 0: TLB invalid */
    STOREV(0x00600004, 1u);
    LOADV(0x00601000);                          /* odd page is valid */
    printf("-- ASID 6\n");
    mtc0(CP0_ENTRYHI, 0, 6);
    LOADV(0x00400000);                          /* private entry: refill */
    printf("  EntryHi %08x Context %08x\n", mfc0(CP0_ENTRYHI, 0),
           mfc0(CP0_CONTEXT, 0));
    LOADV(0x01000010);                          /* global entry still hits */
    printf("-- refills\n");
    mtc0(CP0_CONTEXT, 0, 0xff800000);           /* PTEBase */
    mtc0(CP0_ENTRYHI, 0, 0x000000aa);
    LOADV(0x00812344);
    printf("  EntryHi %08x Context %08x\n", mfc0(CP0_ENTRYHI, 0),
           mfc0(CP0_CONTEXT, 0));
    mtc0(CP0_ENTRYHI, 0, 0x000000aa);
    STOREV(0x7fffeffc, 0u);
    printf("  EntryHi %08x Context %08x\n", mfc0(CP0_ENTRYHI, 0),
           mfc0(CP0_CONTEXT, 0));
    LOADV(0x00000000);
    mtc0(CP0_ENTRYHI, 0, 0);
    mtc0(CP0_CONTEXT, 0, 0);
    exc_quiet = 0;
    tlb_reset();
}

/* ------------------------------------------------------------------------ */
/* user mode */

#define USER_VA     0x00400000u         /* code page (even), data page (odd) */
#define USER_DATA   0x00401000u

void user_page(void);
void user_prog_a(void);
void user_prog_b(void);
uint32_t run_user(uint32_t entry_va);
void user_return(void);

/*
 * The user programs live in their own page-aligned page of the image; the
 * kernel maps that physical page at USER_VA.  Each ends with a syscall, whose
 * handler hook (user_hook) switches back to kernel mode and resumes at
 * user_return.
 */
__asm__(
    "   .text\n"
    "   .set push\n"
    "   .set noreorder\n"
    "   .set noat\n"
    "   .balign 4096\n"
    "   .globl user_page\n"
    "user_page:\n"
    "   .globl user_prog_a\n"
    "user_prog_a:\n"
    "   rdhwr $8, $3\n"                 /* HWREna = 0: RI */
    "   rdhwr $9, $0\n"
    "   mfc0 $10, $12\n"                /* CpU, CE = 0 */
    "   lui $11, 0x8010\n"
    "   lw $11, 0($11)\n"               /* kernel address: AdEL */
    "   sw $0, 0($11)\n"                /* AdES (base still 0x80100000) */
    "   lui $12, 0xa000\n"
    "   lb $12, 0($12)\n"               /* kseg1: AdEL */
    "   eret\n"                         /* privileged: CpU */
    "   lui $13, 0x40\n"
    "   lw $14, 0x1000($13)\n"          /* user data page */
    "   addiu $14, $14, 1\n"
    "   sw $14, 0x1004($13)\n"
    "   lui $15, 0x40\n"
    "   sw $15, 0($15)\n"               /* code page has D = 0: Mod */
    "   lui $24, 0x80\n"
    "   lw $24, 0($24)\n"               /* unmapped: TLB refill */
    "   syscall 0x123\n"
    "1: b 1b\n"
    "   nop\n"
    "   .globl user_prog_b\n"
    "user_prog_b:\n"
    "   rdhwr $8, $3\n"                 /* HWREna = 0xf: CCRes */
    "   rdhwr $9, $0\n"                 /* CPUNum */
    "   rdhwr $10, $1\n"                /* SYNCI_Step */
    "   rdhwr $11, $2\n"                /* CC, just must not trap */
    "   li $11, 1\n"
    "   rdhwr $12, $29\n"               /* not enabled in HWREna */
    "   lui $13, 0x40\n"
    "   lw $14, 0x1000($13)\n"
    "   addiu $14, $14, 1\n"
    "   sw $14, 0x1000($13)\n"
    "   lw $15, 0x1000($13)\n"
    "   break 0x55\n"
    "   syscall 0x456\n"
    "2: b 2b\n"
    "   nop\n"
    "   .balign 4096\n"
    "   .set pop\n");

/* run_user(entry_va): enters user mode at entry_va; returns (through
   user_return) when the user program makes a syscall. */
uint32_t kernel_ctx[12];   /* callee-saved registers, sp, gp, ra */
__asm__(
    "   .text\n"
    "   .set push\n"
    "   .set noreorder\n"
    "   .set noat\n"
    "   .globl run_user\n"
    "run_user:\n"
    "   lui $8, %hi(kernel_ctx)\n"
    "   addiu $8, $8, %lo(kernel_ctx)\n"
    "   sw $16, 0($8)\n   sw $17, 4($8)\n   sw $18, 8($8)\n  sw $19, 12($8)\n"
    "   sw $20, 16($8)\n  sw $21, 20($8)\n  sw $22, 24($8)\n sw $23, 28($8)\n"
    "   sw $28, 32($8)\n  sw $29, 36($8)\n  sw $30, 40($8)\n sw $31, 44($8)\n"
    "   mtc0 $4, $14\n"                 /* EPC = entry */
    "   mfc0 $9, $12\n"
    "   ori $9, $9, 0x12\n"             /* KSU = user, EXL = 1 */
    "   mtc0 $9, $12\n"
    "   ehb\n"
    "   lui $8, 0x5eee\n"
    "   ori $8, $8, 0xeee5\n"
    "   move $9, $8\n   move $10, $8\n  move $11, $8\n  move $12, $8\n"
    "   move $13, $8\n  move $14, $8\n  move $15, $8\n  move $24, $8\n"
    "   eret\n"
    "   .globl user_return\n"
    "user_return:\n"
    "   lui $8, %hi(kernel_ctx)\n"
    "   addiu $8, $8, %lo(kernel_ctx)\n"
    "   lw $16, 0($8)\n   lw $17, 4($8)\n   lw $18, 8($8)\n  lw $19, 12($8)\n"
    "   lw $20, 16($8)\n  lw $21, 20($8)\n  lw $22, 24($8)\n lw $23, 28($8)\n"
    "   lw $28, 32($8)\n  lw $29, 36($8)\n  lw $30, 40($8)\n lw $31, 44($8)\n"
    "   jr $31\n"
    "   move $2, $0\n"
    "   .set pop\n");

static uint32_t user_regs[32];
static uint32_t user_status;

/* syscall from user mode: save its registers and return to the kernel */
static int user_hook(struct exc_frame *f)
{
    if (((f->cause >> 2) & 31) != 8 || (f->status & 0x18) != 0x10)
        return 0;
    for (unsigned i = 0; i < 32; i++)
        user_regs[i] = f->regs[i];
    user_status = f->status;
    mtc0(12, 0, mfc0(12, 0) & ~0x18u);  /* KSU = kernel; EXL stays set */
    f->epc = (uint32_t)user_return;
    return 1;
}

static void print_user_regs(void)
{
    printf("  t0-t7: %08x %08x %08x %08x %08x %08x %08x %08x\n", user_regs[8],
           user_regs[9], user_regs[10], user_regs[11], user_regs[12],
           user_regs[13], user_regs[14], user_regs[15]);
    printf("  t8: %08x  Status in the syscall: %08x\n", user_regs[24],
           user_status);
}

static void test_user_mode(void)
{
    printf("== user mode\n");
    uint32_t code_pa = (uint32_t)user_page & 0x1fffffffu;
    *uva(KSEG0(PA_DATA0)) = 0x41;
    *uva(KSEG0(PA_DATA0) + 4) = 0;
    /* global pair: code page read-only, data page writable */
    tlb_write_index(0, USER_VA, ENTRYLO(code_pa, EL_C3 | EL_V | EL_G),
                    ENTRYLO(PA_DATA0, EL_C3 | EL_D | EL_V | EL_G), 0);
    exc_hook = user_hook;

    printf("-- program A, HWREna = 0 (exceptions as the handler reports "
           "them; EPCs are user addresses)\n");
    mtc0(CP0_HWRENA, 0, 0);
    run_user(USER_VA + ((uint32_t)user_prog_a - (uint32_t)user_page));
    print_user_regs();
    printf("  Status after return %08x, data page word 1: %08x\n",
           mfc0(12, 0), *uva(KSEG0(PA_DATA0) + 4));

    printf("-- program B, HWREna = 0000000f\n");
    mtc0(CP0_HWRENA, 0, 0xf);
    run_user(USER_VA + ((uint32_t)user_prog_b - (uint32_t)user_page));
    print_user_regs();
    printf("  data page word 0: %08x\n", *uva(KSEG0(PA_DATA0)));
    mtc0(CP0_HWRENA, 0, 0);

    exc_hook = 0;
    tlb_reset();
}

int main(void)
{
    printf("tlb test\n");
    tlb_reset();
    test_tlb_regs();
    test_translation();
    test_user_mode();
    return 0;
}
