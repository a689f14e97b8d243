/*
 * Loads and stores: lb lbu lh lhu lw sb sh sw (sign/zero extension, every
 * offset), lwl lwr swl swr at all four alignments with preset registers
 * (results differ between the endians; each is compared with its own
 * reference run), unaligned pairs, immediate offsets, kseg1 aliasing, and
 * unaligned lh/lhu/lw/sh/sw raising AdEL/AdES with BadVAddr while leaving the
 * destination register / memory unchanged.
 */
#include "testutil.h"

static const uint8_t pattern[16] = {
    0x81, 0x72, 0xe3, 0x54, 0xc5, 0x36, 0xa7, 0x18,
    0xf9, 0x0a, 0x9b, 0x2c, 0x8d, 0x7e, 0xef, 0x10,
};

static uint8_t buf[32] __attribute__((aligned(16)));

static void reset_buf(void)
{
    for (unsigned i = 0; i < 16; i++)
        buf[i] = pattern[i];
    for (unsigned i = 16; i < 32; i++)
        buf[i] = 0xee;
}

static void print_buf(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        printf("%02x", buf[i]);
}

/* r = op 0(addr); r is preset by the caller (matters for lwl/lwr). */
#define LOAD(op, r, addr) __asm__ __volatile__(op " %0, 0(%1)"               \
        : "+r"(r) : "r"(addr) : "memory")
#define STORE(op, v, addr) __asm__ __volatile__(op " %0, 0(%1)"              \
        : : "r"((uint32_t)(v)), "r"(addr) : "memory")

static void test_loads(void)
{
    reset_buf();
    printf("== loads from ");
    print_buf(16);
    printf("\n");
    for (unsigned k = 0; k < 16; k++) {
        uint32_t b = 0, bu = 0;
        LOAD("lb", b, buf + k);
        LOAD("lbu", bu, buf + k);
        printf("offset %2u: lb %08x lbu %08x", k, b, bu);
        if (!(k & 1)) {
            uint32_t h = 0, hu = 0;
            LOAD("lh", h, buf + k);
            LOAD("lhu", hu, buf + k);
            printf(" lh %08x lhu %08x", h, hu);
        }
        if (!(k & 3)) {
            uint32_t w = 0;
            LOAD("lw", w, buf + k);
            printf(" lw %08x", w);
        }
        printf("\n");
    }
    /* immediate offsets, positive and negative */
    uint32_t r1, r2, r3, r4;
    __asm__ __volatile__("lw %0, 12(%4)\n\tlh %1, -6(%5)\n\t"
                         "lbu %2, 32767(%6)\n\tlb %3, -32768(%7)"
                         : "=&r"(r1), "=&r"(r2), "=&r"(r3), "=&r"(r4)
                         : "r"(buf), "r"((uint32_t)buf + 16),
                           "r"((uint32_t)buf + 5 - 32767),
                           "r"((uint32_t)buf + 3 + 32768)
                         : "memory");
    printf("lw 12(buf) %08x, lh -6(buf+16) %08x, lbu 32767(buf+5-32767) %08x, "
           "lb -32768(buf+3+32768) %08x\n", r1, r2, r3, r4);
    /* base register overwritten by the load */
    uint32_t p = (uint32_t)(buf + 8);
    __asm__ __volatile__("lw %0, 0(%0)" : "+r"(p) : : "memory");
    printf("lw r, 0(r): %08x\n", p);
    /* loads to $0 are discarded */
    __asm__ __volatile__("lw $0, 0(%1)\n\tmove %0, $0" : "=r"(p) : "r"(buf)
                         : "memory");
    printf("lw $0: $0 = %08x\n", p);
    /* the same memory through kseg1 (uncached alias) */
    uint32_t alias = ((uint32_t)buf & 0x1fffffffu) | 0xa0000000u;
    uint32_t w = 0;
    LOAD("lw", w, alias + 4);
    printf("lw through kseg1 alias: %08x\n", w);
}

static void test_lwl_lwr(void)
{
    static const uint32_t presets[] = {0x11223344, 0x00000000, 0xffffffff};
    reset_buf();
    printf("== lwl lwr at every byte offset (register preset shown)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(presets); i++)
        for (unsigned k = 0; k < 8; k++) {
            uint32_t l = presets[i], r = presets[i];
            LOAD("lwl", l, buf + k);
            LOAD("lwr", r, buf + k);
            printf("preset %08x offset %u: lwl %08x lwr %08x\n", presets[i], k,
                   l, r);
        }
    printf("== unaligned word via lwl/lwr pairs\n");
    for (unsigned k = 0; k < 5; k++) {
        uint32_t a = 0, b = 0;
        /* big-endian idiom: lwl at the address, lwr at address+3 */
        __asm__ __volatile__("lwl %0, 0(%1)\n\tlwr %0, 3(%1)" : "+r"(a)
                             : "r"(buf + k) : "memory");
        /* little-endian idiom: lwr at the address, lwl at address+3 */
        __asm__ __volatile__("lwr %0, 0(%1)\n\tlwl %0, 3(%1)" : "+r"(b)
                             : "r"(buf + k) : "memory");
        printf("offset %u: lwl+lwr(3) %08x lwr+lwl(3) %08x\n", k, a, b);
    }
}

static void test_stores(void)
{
    printf("== sb sh sw (memory shown after each store)\n");
    for (unsigned k = 0; k < 8; k++) {
        reset_buf();
        STORE("sb", 0xa5a5a5c3u, buf + k);
        printf("sb c3 at %u: ", k);
        print_buf(8);
        printf("\n");
    }
    for (unsigned k = 0; k < 8; k += 2) {
        reset_buf();
        STORE("sh", 0x5a5ab1b2u, buf + k);
        printf("sh b1b2 at %u: ", k);
        print_buf(8);
        printf("\n");
    }
    for (unsigned k = 0; k < 8; k += 4) {
        reset_buf();
        STORE("sw", 0x11223344u, buf + k);
        printf("sw 11223344 at %u: ", k);
        print_buf(8);
        printf("\n");
    }
    reset_buf();
    STORE("sw", 0x11223344u, buf);
    printf("byte order of sw 11223344:");
    for (unsigned k = 0; k < 4; k++) {
        uint32_t b = 0;
        LOAD("lbu", b, buf + k);
        printf(" %02x", b);
    }
    printf("\n");
    /* store to kseg1 alias, read back through kseg0 */
    uint32_t alias = ((uint32_t)buf & 0x1fffffffu) | 0xa0000000u;
    STORE("sw", 0xcafef00du, alias + 8);
    uint32_t w = 0;
    LOAD("lw", w, buf + 8);
    printf("sw via kseg1, lw via kseg0: %08x\n", w);
}

static void test_swl_swr(void)
{
    printf("== swl swr of 11223344 at every byte offset\n");
    for (unsigned k = 0; k < 8; k++) {
        reset_buf();
        STORE("swl", 0x11223344u, buf + k);
        printf("swl at %u: ", k);
        print_buf(8);
        reset_buf();
        STORE("swr", 0x11223344u, buf + k);
        printf("  swr at %u: ", k);
        print_buf(8);
        printf("\n");
    }
    printf("== unaligned word store via swl/swr pairs\n");
    for (unsigned k = 0; k < 5; k++) {
        reset_buf();
        __asm__ __volatile__("swl %0, 0(%1)\n\tswr %0, 3(%1)"
                             : : "r"(0xa1b2c3d4u), "r"(buf + k) : "memory");
        printf("offset %u: swl+swr(3) ", k);
        print_buf(8);
        reset_buf();
        __asm__ __volatile__("swr %0, 0(%1)\n\tswl %0, 3(%1)"
                             : : "r"(0xa1b2c3d4u), "r"(buf + k) : "memory");
        printf("  swr+swl(3) ");
        print_buf(8);
        printf("\n");
    }
}

#define SENTINEL 0x5eeeeee5u

/* A load that may fault: r keeps SENTINEL if it does. */
#define FAULT_LOAD(op, reg_, addr_, pcv_) __asm__ __volatile__(              \
        ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[r], 0(%[a])" ASM_END            \
        : [r] "+r"(reg_), [pc] "=&r"(pcv_) : [a] "r"(addr_) : "memory")
#define FAULT_STORE(op, val_, addr_, pcv_) __asm__ __volatile__(             \
        ASM_BEGIN LOAD_PC1(pc) "1:\t" op " %[v], 0(%[a])" ASM_END            \
        : [pc] "=&r"(pcv_) : [v] "r"(val_), [a] "r"(addr_) : "memory")

static void test_unaligned(void)
{
    static const char *const lops[] = {"lh", "lhu", "lw"};
    printf("== unaligned accesses (AdEL / AdES)\n");
    exc_quiet = 1;
    for (unsigned k = 0; k < 4; k++) {
        uint32_t r, pc, before;
        for (unsigned o = 0; o < 3; o++) {
            reset_buf();
            r = SENTINEL;
            before = exc_count;
            switch (o) {
            case 0: FAULT_LOAD("lh", r, buf + k, pc); break;
            case 1: FAULT_LOAD("lhu", r, buf + k, pc); break;
            default: FAULT_LOAD("lw", r, buf + k, pc); break;
            }
            printf("%-3s buf+%u: r=%08x ", lops[o], k, r);
            exc_print_since(before, pc);
            printf(" badvaddr-buf=%d\n",
                   exc_count != before ? (int)(exc_last.badvaddr - (uint32_t)buf)
                                       : -1);
        }
        reset_buf();
        before = exc_count;
        FAULT_STORE("sh", 0x99999999u, buf + k, pc);
        printf("sh  buf+%u: mem=", k);
        print_buf(8);
        printf(" ");
        exc_print_since(before, pc);
        printf(" badvaddr-buf=%d\n",
               exc_count != before ? (int)(exc_last.badvaddr - (uint32_t)buf) : -1);
        reset_buf();
        before = exc_count;
        FAULT_STORE("sw", 0x99999999u, buf + k, pc);
        printf("sw  buf+%u: mem=", k);
        print_buf(8);
        printf(" ");
        exc_print_since(before, pc);
        printf(" badvaddr-buf=%d\n",
               exc_count != before ? (int)(exc_last.badvaddr - (uint32_t)buf) : -1);
    }
    /* address error from a kernel address computed with a negative offset */
    uint32_t r = SENTINEL, pc, before = exc_count;
    __asm__ __volatile__(ASM_BEGIN LOAD_PC1(pc) "1:\tlw %[r], -3(%[a])" ASM_END
                         : [r] "+r"(r), [pc] "=&r"(pc) : [a] "r"(buf + 8)
                         : "memory");
    printf("lw -3(buf+8): r=%08x ", r);
    exc_print_since(before, pc);
    printf(" badvaddr-buf=%d\n", (int)(exc_last.badvaddr - (uint32_t)buf));
    exc_quiet = 0;
}

int main(void)
{
    printf("loadstore test\n");
    test_loads();
    test_lwl_lwr();
    test_stores();
    test_swl_swr();
    test_unaligned();
    return 0;
}
