/*
 * C part of the exception handler: reports the exception on the console and
 * chooses where to resume (policy documented in runtime.h).
 */
#include "runtime.h"

volatile struct exc_info exc_last;
volatile uint32_t exc_count;
volatile uint32_t exc_resume;
volatile uint32_t exc_quiet;
exc_hook_fn *volatile exc_hook;

/* A runaway program (e.g. an exception that keeps re-triggering) is stopped
   without printing DONE so the test fails. */
#define EXC_LIMIT 100000

static const char *const exc_names[32] = {
    "Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE", "DBE",
    "Sys", "Bp", "RI", "CpU", "Ov", "Tr", "MSAFPE", "FPE",
    "Imp16", "Imp17", "C2E", "TLBRI", "TLBXI", "MSADis", "MDMX", "WATCH",
    "MCheck", "Thread", "DSPDis", "GE", "Res28", "Res29", "CacheErr", "Res31",
};

const char *exc_name(uint32_t code)
{
    return exc_names[code & 31];
}

void exc_handler(struct exc_frame *f);

void exc_handler(struct exc_frame *f)
{
    uint32_t code = (f->cause >> 2) & 31;
    uint32_t bd = f->cause >> 31;
    uint32_t ce = (f->cause >> 28) & 3;

    exc_count++;
    exc_last.code = code;
    exc_last.bd = bd;
    exc_last.ce = ce;
    exc_last.epc = f->epc;
    exc_last.badvaddr = f->badvaddr;
    exc_last.vector = f->vector;
    /* The faulting instruction, when it can be read safely. */
    uint32_t ipc = f->epc + (bd ? 4 : 0);
    exc_last.insn_valid = (ipc & 3) == 0 && ipc >= 0x80000000u &&
                          ipc < 0xc0000000u &&
                          (ipc & 0x1fffffffu) < 0x08000000u;
    exc_last.insn = exc_last.insn_valid ? *(volatile uint32_t *)ipc : 0;

    if (!exc_quiet) {
        printf("  exception %s code=%u bd=%u epc=%08x", exc_name(code), code,
               bd, f->epc);
        switch (code) {
        case 1: case 2: case 3: case 4: case 5:    /* TLB / address error */
            printf(" badvaddr=%08x", f->badvaddr);
            break;
        case 8: case 9:                             /* syscall / break */
            if (exc_last.insn_valid)
                printf(" code_field=%05x", (exc_last.insn >> 6) & 0xfffff);
            break;
        case 11:                                    /* coprocessor unusable */
            printf(" ce=%u", ce);
            break;
        }
        if (f->vector != 0x180)
            printf(" vector=%03x", f->vector);
        printf("\n");
    }

    if (exc_count >= EXC_LIMIT) {
        printf("too many exceptions, giving up\n");
        exit(1);
    }

    if (exc_hook && exc_hook(f))
        return;                 /* the hook chose f->epc itself */
    if (exc_resume) {
        f->epc = exc_resume;
        exc_resume = 0;
    } else if (code == 0) {
        /* interrupt: the instruction at EPC has not run yet; the test's
           hook must have acknowledged the interrupt source */
    } else {
        f->epc += bd ? 8 : 4;
    }
}

void exc_print_since(uint32_t before, uint32_t pc)
{
    uint32_t n = exc_count - before;
    if (n == 0) {
        printf("no exception");
        return;
    }
    if (n > 1)
        printf("%u exceptions, last ", n);
    uint32_t code = exc_last.code;
    printf("%s(%u) bd=%u", exc_name(code), code, exc_last.bd);
    if (!pc)
        printf(" epc=%08x", exc_last.epc);
    else if (exc_last.epc == pc)
        printf(" epc=insn");
    else
        printf(" epc=insn%+d", (int)(exc_last.epc - pc));
    switch (code) {
    case 1: case 2: case 3: case 4: case 5:
        printf(" badvaddr=%08x", exc_last.badvaddr);
        break;
    case 8: case 9:
        if (exc_last.insn_valid)
            printf(" code_field=%05x", (exc_last.insn >> 6) & 0xfffff);
        break;
    case 11:
        printf(" ce=%u", exc_last.ce);
        break;
    }
    if (exc_last.vector != 0x180)
        printf(" vector=%03x", exc_last.vector);
}

static uint32_t syscall_hash, syscalls;

static int hash_syscall(struct exc_frame *f)
{
    if (((f->cause >> 2) & 31) != 8)
        return 0;
    uint32_t h = f->epc;
    for (int i = 1; i < 32; i++)
        if (i != 26 && i != 27)
            h = h * 0x01000193u ^ f->regs[i];
    syscall_hash = (syscall_hash ^ h) * 0x9e3779b1u;
    syscalls++;
    f->epc += 4;
    return 1;
}

void run_hashing_syscalls(uint32_t (*fn)(uint32_t), uint32_t arg)
{
    exc_quiet = 1;
    exc_hook = hash_syscall;
    uint32_t r = fn(arg);
    exc_hook = 0;
    exc_quiet = 0;
    printf("result %08x, %u syscalls, frames %08x\n", (unsigned)r, (unsigned)syscalls, (unsigned)syscall_hash);
}
