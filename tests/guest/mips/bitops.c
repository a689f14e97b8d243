/*
 * Bit manipulation: sll srl sra rotr (every immediate count), sllv srlv srav
 * rotrv (register counts incl. >= 32: only the low 5 bits count), clz clo,
 * seb seh wsbh, ext and ins for every valid (pos, size) combination.
 */
#include "testutil.h"

#define LIST_0_31 "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define LIST_1_32 "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32"

/* shift_imm_sweep(value, out): out[op * 32 + sa] = op value, sa
   for op = sll, srl, sra, rotr. */
void shift_imm_sweep(uint32_t v, uint32_t *out);
/* ext_sweep(value, out): one result per valid (pos, size), pos-major. */
void ext_sweep(uint32_t v, uint32_t *out);
/* ins_sweep(target, source, out): same order as ext_sweep. */
void ins_sweep(uint32_t t, uint32_t s, uint32_t *out);

__asm__(
    "   .text\n"
    "   .set push\n"
    "   .set noreorder\n"
    "   .set nomacro\n"
    "   .globl shift_imm_sweep\n"
    "shift_imm_sweep:\n"
    "   .irp op, sll, srl, sra, rotr\n"
    "   .irp sa, " LIST_0_31 "\n"
    "   \\op $8, $4, \\sa\n"
    "   sw $8, 0($5)\n"
    "   addiu $5, $5, 4\n"
    "   .endr\n"
    "   .endr\n"
    "   jr $31\n"
    "   nop\n"
    "   .globl ext_sweep\n"
    "ext_sweep:\n"
    "   .irp pos, " LIST_0_31 "\n"
    "   .irp size, " LIST_1_32 "\n"
    "   .if \\pos + \\size <= 32\n"
    "   ext $8, $4, \\pos, \\size\n"
    "   sw $8, 0($5)\n"
    "   addiu $5, $5, 4\n"
    "   .endif\n"
    "   .endr\n"
    "   .endr\n"
    "   jr $31\n"
    "   nop\n"
    "   .globl ins_sweep\n"
    "ins_sweep:\n"
    "   .irp pos, " LIST_0_31 "\n"
    "   .irp size, " LIST_1_32 "\n"
    "   .if \\pos + \\size <= 32\n"
    "   move $8, $4\n"
    "   ins $8, $5, \\pos, \\size\n"
    "   sw $8, 0($6)\n"
    "   addiu $6, $6, 4\n"
    "   .endif\n"
    "   .endr\n"
    "   .endr\n"
    "   jr $31\n"
    "   nop\n"
    "   .set pop\n");

static uint32_t results[32 * 33 / 2 + 32];

static void print_row(const char *label, unsigned arg, const uint32_t *v,
                      unsigned n, unsigned first)
{
    for (unsigned i = 0; i < n; i += 8) {
        printf("%s %2u [%2u..]:", label, arg, first + i);
        for (unsigned j = i; j < n && j < i + 8; j++)
            printf(" %08x", v[j]);
        printf("\n");
    }
}

static void test_shift_imm(void)
{
    static const uint32_t vals[] = {0x80000001, 0x12345678, 0xfedcba98,
                                    0xffffffff};
    static const char *const ops[] = {"sll", "srl", "sra", "rotr"};
    printf("== sll srl sra rotr, sa = 0..31\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        shift_imm_sweep(vals[i], results);
        printf("value %08x\n", vals[i]);
        for (unsigned op = 0; op < 4; op++)
            for (unsigned k = 0; k < 32; k += 8) {
                printf("  %-4s sa %2u..%2u:", ops[op], k, k + 7);
                for (unsigned j = k; j < k + 8; j++)
                    printf(" %08x", results[op * 32 + j]);
                printf("\n");
            }
    }
}

static void test_shift_var(void)
{
    static const uint32_t vals[] = {0x80000001, 0x12345678, 0xfedcba98,
                                    0x00000001};
    static const uint32_t counts[] = {0, 1, 4, 15, 16, 31, 32, 33, 36, 63, 64,
                                      0x100, 0x11f, 0x80000000, 0x80000004,
                                      0xffffffe0, 0xffffffff};
    printf("== sllv srlv srav rotrv (count from a register)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
        for (unsigned j = 0; j < ARRAY_SIZE(counts); j++) {
            uint32_t v = vals[i], c = counts[j];
            printf("%08x by %08x: sllv %08x srlv %08x srav %08x rotrv %08x\n",
                   v, c, RRR("sllv", v, c), RRR("srlv", v, c),
                   RRR("srav", v, c), RRR("rotrv", v, c));
        }
    /* destination equal to the count register */
    uint32_t x = 0x24, y = 0x80000000;
    __asm__ __volatile__("srav %0, %1, %0" : "+r"(x) : "r"(y));
    printf("srav rd=rs: %08x\n", x);
}

static void test_clz_clo(void)
{
    printf("== clz clo\n");
    for (unsigned k = 0; k <= 32; k++) {
        uint32_t v = k == 32 ? 0 : 0x80000000u >> k;
        uint32_t m = k == 32 ? 0 : (v | (v - 1));  /* v and all lower bits */
        uint32_t w = ~v;
        printf("%08x: clz %2u clo %2u | %08x: clz %2u clo %2u | %08x: clz %2u "
               "clo %2u\n", v, RR("clz", v), RR("clo", v), m, RR("clz", m),
               RR("clo", m), w, RR("clz", w), RR("clo", w));
    }
    for (unsigned i = 0; i < N_TEST_VALS; i++)
        printf("%08x: clz %2u clo %2u\n", test_vals[i], RR("clz", test_vals[i]),
               RR("clo", test_vals[i]));
}

static void test_seb_seh_wsbh(void)
{
    static const uint32_t extra[] = {0x0000807f, 0x12348000, 0xffff7fff,
                                     0xabcd00ff, 0x01020304};
    printf("== seb seh wsbh\n");
    for (unsigned i = 0; i < N_TEST_VALS + ARRAY_SIZE(extra); i++) {
        uint32_t v = i < N_TEST_VALS ? test_vals[i] : extra[i - N_TEST_VALS];
        printf("%08x: seb %08x seh %08x wsbh %08x\n", v, RR("seb", v),
               RR("seh", v), RR("wsbh", v));
    }
}

static void test_ext_ins(void)
{
    static const uint32_t ext_vals[] = {0x89abcdef, 0x5a3c96e1};
    static const uint32_t ins_vals[][2] = {{0x00000000, 0xffffffff},
                                           {0x89abcdef, 0x5a3c96e1}};
    printf("== ext (all pos, size with pos+size <= 32)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(ext_vals); i++) {
        ext_sweep(ext_vals[i], results);
        printf("ext value %08x: rows are pos, columns size\n", ext_vals[i]);
        unsigned k = 0;
        for (unsigned pos = 0; pos < 32; pos++) {
            print_row("ext pos", pos, results + k, 32 - pos, 1);
            k += 32 - pos;
        }
    }
    printf("== ins (all pos, size with pos+size <= 32)\n");
    for (unsigned i = 0; i < ARRAY_SIZE(ins_vals); i++) {
        ins_sweep(ins_vals[i][0], ins_vals[i][1], results);
        printf("ins target %08x source %08x: rows are pos, columns size\n",
               ins_vals[i][0], ins_vals[i][1]);
        unsigned k = 0;
        for (unsigned pos = 0; pos < 32; pos++) {
            print_row("ins pos", pos, results + k, 32 - pos, 1);
            k += 32 - pos;
        }
    }
    /* ins where source and target are the same register */
    uint32_t x = 0x12345678;
    __asm__ __volatile__("ins %0, %0, 8, 16" : "+r"(x));
    printf("ins r,r,8,16 of 12345678: %08x\n", x);
}

int main(void)
{
    printf("bitops test\n");
    test_shift_imm();
    test_shift_var();
    test_clz_clo();
    test_seb_seh_wsbh();
    test_ext_ins();
    return 0;
}
