/*
 * Loads and stores in user mode, where mimic's JIT maps guest pages into
 * the host and accesses them without a TLB probe (tcg/fastmem.h): every
 * way such a mapping can go stale or must not be used.
 *   - all access sizes and sign extensions, in a hot loop
 *   - a page remapped by tlbwi while its loop is hot, and two ASIDs
 *     mapping one virtual page to different physical pages
 *   - a clean page (D = 0): Mod, no store; then dirty: the store lands
 *   - misaligned lw/sh (AdEL/AdES), lwl/lwr and swl/swr across two
 *     virtual pages that map to physical pages far apart
 *   - an unmapped page (TLB refill) and a kernel address (AdEL)
 *   - code the user program writes and runs (self-modifying, 60 times: more
 *     than the faults after which mimic patches an access site)
 *   - stores beside code on the page the storing loop runs from
 *   - ll/sc
 * The user programs are C functions run through an alias of the image in
 * kuseg (a global 16 MiB pair at 0x10000000 onto physical 0): they take
 * only pointers to user addresses and keep to registers and their stack.
 */
#include "testutil.h"
#include "tlbutil.h"

#define PA_A        0x00200000u
#define PA_B        0x00201000u
#define PA_C        0x00202000u
#define PA_D        0x00203000u
#define PA_FAR      0x00310000u
#define PA_CODE     0x00204000u

#define ALIAS_VA    0x10000000u
#define UVA_AB      0x00400000u      /* even page PA_A, odd page PA_FAR */
#define UVA_REMAP   0x00402000u
#define UVA_CLEAN   0x00404000u
#define UVA_CODE    0x00406000u
#define UVA_NONE    0x00800000u

/* The user alias of a kseg0 address in the image. */
static uint32_t alias(const void *p)
{
    return ((uint32_t)p & 0x1fffffffu) | ALIAS_VA;
}

static void set_asid(uint32_t asid)
{
    mtc0(CP0_ENTRYHI, 0, asid);
}

static void tlb_reset(void)
{
    for (unsigned i = 0; i < 16; i++)
        tlb_write_index(i, 0x80000000u + i * 2 * PAGE, 0, 0, 0);
    set_asid(0);
    /* the image, global, for the programs' code and stack */
    tlb_write_index(15, ALIAS_VA, ENTRYLO(0, EL_C3 | EL_D | EL_V | EL_G),
                    ENTRYLO(0x01000000u, EL_C3 | EL_D | EL_V | EL_G), 0x01ffe000u);
}

/* ------------------------------------------------------------------------ */
/* Calling a function in user mode */

struct ucall {
    uint32_t fn, a0, a1, a2, sp, tramp;
};
uint32_t user_call_asm(const struct ucall *c);
void user_trampoline(void);
void user_call_return(void);
uint32_t ucall_ctx[12];
volatile uint32_t ucall_result;

/* user_call_asm: eret to c->tramp in user mode with t9 = fn, a0..a2 and
   sp; the trampoline calls fn and makes a syscall, whose hook comes back
   to user_call_return with fn's result. */
__asm__(
    "   .text\n"
    "   .set push\n"
    "   .set noreorder\n"
    "   .set noat\n"
    "   .globl user_call_asm\n"
    "user_call_asm:\n"
    "   lui $8, %hi(ucall_ctx)\n"
    "   addiu $8, $8, %lo(ucall_ctx)\n"
    "   sw $16, 0($8)\n   sw $17, 4($8)\n   sw $18, 8($8)\n  sw $19, 12($8)\n"
    "   sw $20, 16($8)\n  sw $21, 20($8)\n  sw $22, 24($8)\n sw $23, 28($8)\n"
    "   sw $28, 32($8)\n  sw $29, 36($8)\n  sw $30, 40($8)\n sw $31, 44($8)\n"
    "   lw $9, 20($4)\n"
    "   mtc0 $9, $14\n"                 /* EPC = trampoline */
    "   lw $25, 0($4)\n"
    "   lw $5, 8($4)\n"
    "   lw $6, 12($4)\n"
    "   lw $29, 16($4)\n"
    "   lw $4, 4($4)\n"
    "   mfc0 $9, $12\n"
    "   ori $9, $9, 0x12\n"             /* KSU = user, EXL = 1 */
    "   mtc0 $9, $12\n"
    "   ehb\n"
    "   eret\n"
    "   .globl user_call_return\n"
    "user_call_return:\n"
    "   lui $8, %hi(ucall_ctx)\n"
    "   addiu $8, $8, %lo(ucall_ctx)\n"
    "   lw $16, 0($8)\n   lw $17, 4($8)\n   lw $18, 8($8)\n  lw $19, 12($8)\n"
    "   lw $20, 16($8)\n  lw $21, 20($8)\n  lw $22, 24($8)\n lw $23, 28($8)\n"
    "   lw $28, 32($8)\n  lw $29, 36($8)\n  lw $30, 40($8)\n lw $31, 44($8)\n"
    "   lui $8, %hi(ucall_result)\n"
    "   jr $31\n"
    "   lw $2, %lo(ucall_result)($8)\n"
    "   .globl user_trampoline\n"
    "user_trampoline:\n"
    "   jalr $25\n"
    "   nop\n"
    "   syscall 0x77\n"
    "1: b 1b\n"
    "   nop\n"
    "   .set pop\n");

static int ucall_hook(struct exc_frame *f)
{
    if (((f->cause >> 2) & 31) != 8 || (f->status & 0x18) != 0x10)
        return 0;
    ucall_result = f->regs[2];
    mtc0(12, 0, mfc0(12, 0) & ~0x18u);  /* KSU = kernel; EXL stays set */
    f->epc = (uint32_t)user_call_return;
    return 1;
}

static uint32_t user_stack[1024] __attribute__((aligned(16)));

static uint32_t user_call(const void *fn, uint32_t a0, uint32_t a1, uint32_t a2)
{
    struct ucall c = { alias(fn), a0, a1, a2, alias(&user_stack[1024]) - 16, alias(user_trampoline) };
    exc_hook = ucall_hook;
    uint32_t r = user_call_asm(&c);
    exc_hook = 0;
    return r;
}

/* ------------------------------------------------------------------------ */
/* The user programs */

static NOINLINE uint32_t u_sizes(uint32_t base, uint32_t rounds, uint32_t unused)
{
    (void)unused;
    uint32_t h = 0;
    for (uint32_t r = 0; r < rounds; r++)
        for (uint32_t i = 0; i < 64; i++) {
            volatile uint8_t *b = (volatile uint8_t *)(base + 16 * i);
            *(volatile uint32_t *)b = h ^ (i * 0x9e3779b9u);
            *(volatile uint16_t *)(b + 4) = (uint16_t)(h + i);
            b[6] = (uint8_t)(i * 7 + r);
            h = h * 31u + *(volatile uint32_t *)b + (uint32_t)*(volatile int16_t *)(b + 4) +
                (uint32_t)*(volatile int8_t *)(b + 6) + b[1] + *(volatile uint16_t *)(b + 2);
        }
    return h;
}

static NOINLINE uint32_t u_sum(uint32_t base, uint32_t rounds, uint32_t unused)
{
    (void)unused;
    uint32_t h = 0;
    for (uint32_t r = 0; r < rounds; r++)
        for (uint32_t i = 0; i < PAGE / 4; i += 8)
            h = h * 3u + ((volatile uint32_t *)base)[i];
    return h;
}

static NOINLINE uint32_t u_load_word(uint32_t addr, uint32_t unused1, uint32_t unused2)
{
    (void)unused1;
    (void)unused2;
    uint32_t v = 0x0bad0bad;
    __asm__ __volatile__("lw %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory");
    return v;
}

static NOINLINE uint32_t u_store_word(uint32_t addr, uint32_t value, uint32_t unused)
{
    (void)unused;
    __asm__ __volatile__("sw %0, 0(%1)" : : "r"(value), "r"(addr) : "memory");
    return 0;
}

static NOINLINE uint32_t u_store_half(uint32_t addr, uint32_t value, uint32_t unused)
{
    (void)unused;
    __asm__ __volatile__("sh %0, 0(%1)" : : "r"(value), "r"(addr) : "memory");
    return 0;
}

static NOINLINE uint32_t u_unaligned(uint32_t addr, uint32_t value, uint32_t unused)
{
    (void)unused;
    uint32_t v = 0;
    __asm__ __volatile__(".set push\n\t.set noat\n\t"
                         "ulw %0, 0(%1)\n\t"
                         "usw %2, 4(%1)\n\t"
                         ".set pop"
                         : "=&r"(v) : "r"(addr), "r"(value) : "memory", "$1");
    return v;
}

/* Writes `addiu v0, zero, k; jr ra; nop` and calls it, for k = 1..n. */
static NOINLINE uint32_t u_smc(uint32_t code, uint32_t n, uint32_t unused)
{
    (void)unused;
    volatile uint32_t *w = (volatile uint32_t *)code;
    uint32_t h = 0;
    for (uint32_t k = 1; k <= n; k++) {
        w[0] = 0x24020000u | k;
        w[1] = 0x03e00008u;
        w[2] = 0;
        h = h * 7u + ((uint32_t (*)(void))code)();
    }
    return h;
}

static NOINLINE uint32_t u_llsc(uint32_t addr, uint32_t n, uint32_t unused)
{
    (void)unused;
    for (uint32_t i = 0; i < n; i++)
        __sync_fetch_and_add((volatile uint32_t *)addr, i);
    return *(volatile uint32_t *)addr;
}

/* A loop that stores to a word on its own code page, n times (a0 = n,
   a1 = the word's user address). */
uint32_t beside_loop(uint32_t n, uint32_t word, uint32_t unused);
extern uint32_t beside_word;
__asm__(
    "   .text\n"
    "   .set push\n"
    "   .set noreorder\n"
    "   .balign 4096\n"
    "   .globl beside_loop\n"
    "beside_loop:\n"
    "1: lw $8, 0($5)\n"
    "   addu $8, $8, $4\n"
    "   sw $8, 0($5)\n"
    "   addiu $4, $4, -1\n"
    "   bnez $4, 1b\n"
    "   nop\n"
    "   jr $31\n"
    "   lw $2, 0($5)\n"
    "   .globl beside_word\n"
    "beside_word:\n"
    "   .word 0\n"
    "   .balign 4096\n"
    "   .set pop\n");

/* ------------------------------------------------------------------------ */

static uint32_t page_hash(uint32_t pa)
{
    volatile uint32_t *p = (volatile uint32_t *)KSEG0(pa);
    uint32_t h = 0;
    for (uint32_t i = 0; i < PAGE / 4; i++)
        h = h * 31u + p[i];
    return h;
}

static void fill(uint32_t pa, uint32_t seed)
{
    volatile uint32_t *p = (volatile uint32_t *)KSEG0(pa);
    for (uint32_t i = 0; i < PAGE / 4; i++)
        p[i] = seed + i * 0x01010101u;
}

#define RW (EL_C3 | EL_D | EL_V)

static void test_sizes(void)
{
    printf("== sizes\n");
    fill(PA_A, 0);
    tlb_write_index(0, UVA_AB, ENTRYLO(PA_A, RW), ENTRYLO(PA_FAR, RW), 0);
    for (int run = 0; run < 3; run++)
        printf("  run %d: %08x\n", run, user_call(u_sizes, UVA_AB, 50, 0));
    printf("  page A: %08x\n", page_hash(PA_A));
}

static void test_remap(void)
{
    printf("== remap\n");
    fill(PA_B, 0x11111111u);
    fill(PA_C, 0x22222222u);
    tlb_write_index(1, UVA_REMAP, ENTRYLO(PA_B, RW), 0, 0);
    for (int run = 0; run < 3; run++)
        printf("  B run %d: %08x\n", run, user_call(u_sum, UVA_REMAP, 40, 0));
    tlb_write_index(1, UVA_REMAP, ENTRYLO(PA_C, RW), 0, 0);
    printf("  C: %08x\n", user_call(u_sum, UVA_REMAP, 40, 0));
    /* the kernel writes through kseg0: the user mapping sees it */
    *(volatile uint32_t *)KSEG0(PA_C) = 0x12345678u;
    printf("  C after a kernel store: %08x\n", user_call(u_load_word, UVA_REMAP, 0, 0));

    printf("-- ASIDs\n");
    tlb_write_index(1, UVA_REMAP | 1, ENTRYLO(PA_B, RW), 0, 0);
    tlb_write_index(2, UVA_REMAP | 2, ENTRYLO(PA_C, RW), 0, 0);
    for (int run = 0; run < 4; run++) {
        set_asid(1 + (run & 1));
        printf("  ASID %d: %08x\n", 1 + (run & 1), user_call(u_sum, UVA_REMAP, 10, 0));
    }
    set_asid(3);
    printf("  ASID 3 (no entry):\n");
    printf("  -> %08x\n", user_call(u_load_word, UVA_REMAP, 0, 0));
    set_asid(0);
}

static void test_clean(void)
{
    printf("== clean page\n");
    fill(PA_D, 0x33333333u);
    tlb_write_index(3, UVA_CLEAN, ENTRYLO(PA_D, EL_C3 | EL_V), 0, 0);
    printf("  read: %08x\n", user_call(u_load_word, UVA_CLEAN + 8, 0, 0));
    user_call(u_store_word, UVA_CLEAN + 8, 0xcafef00du, 0);
    printf("  after the store to the clean page: %08x\n", *(volatile uint32_t *)KSEG0(PA_D + 8));
    tlb_write_index(3, UVA_CLEAN, ENTRYLO(PA_D, RW), 0, 0);
    user_call(u_store_word, UVA_CLEAN + 8, 0xcafef00du, 0);
    printf("  once dirty: %08x\n", *(volatile uint32_t *)KSEG0(PA_D + 8));
}

static void test_faults(void)
{
    printf("== faults\n");
    tlb_write_index(0, UVA_AB, ENTRYLO(PA_A, RW), ENTRYLO(PA_FAR, RW), 0);
    printf("  -> %08x\n", user_call(u_load_word, UVA_AB + 2, 0, 0));
    user_call(u_store_half, UVA_AB + 1, 0xbeef, 0);
    printf("  -> %08x\n", user_call(u_load_word, UVA_NONE, 0, 0));
    printf("  -> %08x\n", user_call(u_load_word, 0x80001000u, 0, 0));
    printf("-- lwl/lwr, swl/swr across pages (physical pages far apart)\n");
    fill(PA_FAR, 0x44444444u);
    printf("  ulw: %08x\n", user_call(u_unaligned, UVA_AB + PAGE - 6, 0xa1b2c3d4u, 0));
    printf("  last word of A %08x, first of FAR %08x\n", *(volatile uint32_t *)KSEG0(PA_A + PAGE - 4),
           *(volatile uint32_t *)KSEG0(PA_FAR));
}

static void test_code(void)
{
    printf("== code written in user mode\n");
    tlb_write_index(4, UVA_CODE, ENTRYLO(PA_CODE, RW), 0, 0);
    printf("  smc: %08x\n", user_call(u_smc, UVA_CODE, 60, 0));
    printf("  stores beside code: %08x\n", user_call(beside_loop, 300, alias(&beside_word), 0));
    printf("  again: %08x\n", user_call(beside_loop, 300, alias(&beside_word), 0));
    printf("== ll/sc\n");
    *(volatile uint32_t *)KSEG0(PA_D) = 5;
    printf("  %08x\n", user_call(u_llsc, UVA_CLEAN, 100, 0));
}

int main(void)
{
    printf("user memory test\n");
    tlb_reset();
    test_sizes();
    test_remap();
    test_clean();
    test_faults();
    test_code();
    tlb_reset();
    return 0;
}
