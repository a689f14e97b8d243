/*
 * mimic bare-metal guest runtime for the MIPS Malta board.
 *
 * Provides: polled console output (uart.h), a small printf, exit/reset, and an
 * exception handler that reports every exception on the console and resumes
 * execution so a single program can provoke many exceptions in a row.
 *
 * Exception resume policy (implemented in exc.c):
 *   - If exc_hook is set and returns non-zero, execution resumes at the
 *     frame's epc as the hook left it.
 *   - If exc_resume is non-zero, execution resumes there and exc_resume is
 *     cleared (one-shot override, used e.g. for instruction-fetch errors where
 *     EPC itself is not a valid place to continue).
 *   - Otherwise, an interrupt (ExcCode 0) resumes at EPC (nothing is
 *     skipped; whoever enables interrupts must acknowledge them in a hook).
 *   - Otherwise, if Cause.BD = 0, execution resumes at EPC + 4 (the faulting
 *     instruction is skipped).
 *   - Otherwise (BD = 1: EPC points at the branch whose delay slot faulted),
 *     execution resumes at EPC + 8, i.e. BOTH the branch and its delay slot
 *     are skipped and the fall-through path is taken.  Tests that provoke
 *     exceptions in delay slots put their "recovery" code right after the
 *     delay slot.
 */
#ifndef MIMIC_GUEST_RUNTIME_H
#define MIMIC_GUEST_RUNTIME_H

#include <stdarg.h>
#include <stdint.h>
#include "uart.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))

/* ---- console ---------------------------------------------------------- */

/*
 * printf subset: %d %i %u %x %X %c %s %p %%, flags '-', '+' and '0', a field
 * width (number or '*'), and the length modifiers 'l' (ignored: long is
 * 32-bit) and 'll' (64-bit, for d/u/x/X).  Returns the number of bytes
 * written.
 */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s);                /* appends '\n' */
int putchar(int c);

/* ---- boot arguments --------------------------------------------------- */

/* a0..a3 as the boot firmware left them at _start: YAMON's argc, argv,
   envp and the RAM size in bytes. */
extern uint32_t boot_args[4];

/* ---- program end ------------------------------------------------------ */

/* Reset the board via the Malta FPGA software reset register (write 0x42 to
   0xbf000500).  With -no-reboot the emulator then exits with status 0.  The
   code argument is only printed when non-zero. */
NORETURN void exit(int code);

/* Print the final "DONE" line and reset.  main() returning does the same. */
NORETURN void done(void);

/* ---- exceptions ------------------------------------------------------- */

/* Register frame saved by the vector code (layout shared with crt0.S). */
struct exc_frame {
    uint32_t regs[32];      /* GPRs; regs[26]/[27] (k0/k1) are not saved */
    uint32_t hi, lo;
    uint32_t epc;           /* resume address; the handler may change it */
    uint32_t cause, status, badvaddr;
    uint32_t vector;        /* vector offset: 0x000, 0x100, 0x180, 0x200 */
};

/* Details of the most recent exception. */
struct exc_info {
    uint32_t code;          /* Cause.ExcCode */
    uint32_t bd;            /* Cause.BD */
    uint32_t ce;            /* Cause.CE */
    uint32_t epc;
    uint32_t badvaddr;
    uint32_t vector;
    uint32_t insn;          /* instruction word at EPC (EPC+4 if BD) */
    uint32_t insn_valid;    /* 0: EPC not in kseg0/kseg1 RAM, insn unknown */
};

extern volatile struct exc_info exc_last;
extern volatile uint32_t exc_count;     /* exceptions taken so far */
extern volatile uint32_t exc_resume;    /* one-shot resume override */
extern volatile uint32_t exc_quiet;     /* non-zero: do not print reports */

/* Optional hook run for every exception after it was recorded/printed.  It
   may edit the saved registers; if it returns non-zero, execution resumes at
   f->epc exactly as the hook left it (the default resume policy and
   exc_resume are skipped). */
typedef int exc_hook_fn(struct exc_frame *f);
extern exc_hook_fn *volatile exc_hook;

/* For tests of compiled regions: runs fn(arg) with every syscall folding
   what the guest sees of its state (EPC and every saved GPR but k0/k1)
   into a hash and resuming after the syscall (other exceptions take the
   default path), then prints "result R, N syscalls, frames HASH".  A
   register kept in a host register and not written back before the
   exception, or written back stale, changes the hash. */
void run_hashing_syscalls(uint32_t (*fn)(uint32_t), uint32_t arg);

/* Printable name of an ExcCode ("AdEL", "Ov", ...). */
const char *exc_name(uint32_t code);

/* ---- CP0 access --------------------------------------------------------- */

#define mfc0(reg, sel) ({ uint32_t v_;                                        \
        __asm__ __volatile__("mfc0 %0, $" STR(reg) ", " STR(sel)             \
                             : "=r"(v_)); v_; })
#define mtc0(reg, sel, val) do {                                             \
        __asm__ __volatile__("mtc0 %z0, $" STR(reg) ", " STR(sel) "\n\t"     \
                             "ehb" : : "Jr"((uint32_t)(val)) : "memory");     \
    } while (0)

#define CP0_INDEX     0
#define CP0_RANDOM    1
#define CP0_ENTRYLO0  2
#define CP0_ENTRYLO1  3
#define CP0_CONTEXT   4
#define CP0_PAGEMASK  5
#define CP0_WIRED     6
#define CP0_HWRENA    7
#define CP0_BADVADDR  8
#define CP0_COUNT     9
#define CP0_ENTRYHI   10
#define CP0_COMPARE   11
#define CP0_STATUS    12
#define CP0_CAUSE     13
#define CP0_EPC       14
#define CP0_PRID      15
#define CP0_CONFIG    16
#define CP0_LLADDR    17
#define CP0_ERROREPC  30

#define ST_IE   0x00000001u
#define ST_EXL  0x00000002u
#define ST_ERL  0x00000004u
#define ST_BEV  0x00400000u
#define ST_FR   0x04000000u
#define ST_CU0  0x10000000u
#define ST_CU1  0x20000000u

/* ---- freestanding helpers --------------------------------------------- */

void *memcpy(void *dst, const void *src, unsigned n);
void *memmove(void *dst, const void *src, unsigned n);
void *memset(void *dst, int c, unsigned n);
int memcmp(const void *a, const void *b, unsigned n);
unsigned strlen(const char *s);

#endif

/* ---- compact exception reports ---------------------------------------- */

/*
 * Prints (without newline) what happened since exc_count was `before`:
 * "no exception", or "Name(code) bd=B epc=insn[+-off]" plus badvaddr/ce/
 * code field where relevant; `pc` is the address the test expected in EPC
 * (0: print EPC absolute).  Useful together with exc_quiet = 1.
 */
void exc_print_since(uint32_t before, uint32_t pc);
