/*
 * smc: self-modifying code.
 *
 * A six-instruction routine lives alone in its own 4 KiB page.  The main
 * loop rewrites its second instruction (a different opcode and immediate
 * every time), then calls it a few times.  Every rewrite is a store to a
 * page that holds translated code, so the emulator must notice it,
 * invalidate the stale translation and translate the routine again: this
 * measures the cost of code-write detection, invalidation and
 * retranslation.  A C model of the routine checks every result.
 *
 * Real hardware would also need synci + jr.hb after the store; the emulators
 * measured here model no caches and detect stores to code themselves, so the
 * program (deliberately) relies on that.
 */
#include "runtime.h"

static volatile uint32_t patches = 330000;
#define CALLS_PER_PATCH 3

/* the routine's page; nothing else lives in it */
static uint32_t code_page[1024] __attribute__((aligned(4096)));

#define REG_V0 2u
#define REG_A0 4u
#define REG_A1 5u
#define REG_T0 8u
#define REG_RA 31u

#define R_TYPE(rs, rt, rd, sa, fn) \
    ((rs) << 21 | (rt) << 16 | (rd) << 11 | (sa) << 6 | (fn))
#define I_TYPE(op, rs, rt, imm) ((op) << 26 | (rs) << 21 | (rt) << 16 | ((imm) & 0xffffu))

/* the patched instruction, on v0: variant v with immediate/shift k */
static uint32_t encode(uint32_t v, uint32_t k)
{
    uint32_t sa = k & 31u;
    switch (v) {
    case 0: return I_TYPE(0x09u, REG_V0, REG_V0, k);            /* addiu */
    case 1: return I_TYPE(0x0eu, REG_V0, REG_V0, k);            /* xori */
    case 2: return I_TYPE(0x0du, REG_V0, REG_V0, k);            /* ori */
    case 3: return I_TYPE(0x0cu, REG_V0, REG_V0, k);            /* andi */
    case 4: return R_TYPE(0u, REG_V0, REG_V0, sa, 0x00u);       /* sll */
    case 5: return R_TYPE(0u, REG_V0, REG_V0, sa, 0x02u);       /* srl */
    case 6: return R_TYPE(1u, REG_V0, REG_V0, sa, 0x02u);       /* rotr */
    default: return I_TYPE(0x0fu, 0u, REG_V0, k);               /* lui */
    }
}

/* what the routine computes, in C */
static uint32_t model(uint32_t v, uint32_t k, uint32_t a0, uint32_t a1)
{
    uint32_t v0 = a0 + a1, sa = k & 31u;
    switch (v) {
    case 0: v0 += (uint32_t)(int32_t)(int16_t)(k & 0xffffu); break;
    case 1: v0 ^= k & 0xffffu; break;
    case 2: v0 |= k & 0xffffu; break;
    case 3: v0 &= k & 0xffffu; break;
    case 4: v0 <<= sa; break;
    case 5: v0 >>= sa; break;
    case 6: v0 = sa ? (v0 >> sa) | (v0 << (32 - sa)) : v0; break;
    default: v0 = (k & 0xffffu) << 16; break;
    }
    v0 ^= v0 << 3;
    return v0 + 1u;
}

typedef uint32_t routine_fn(uint32_t, uint32_t);

int main(void)
{
    volatile uint32_t *code = code_page;
    code[0] = R_TYPE(REG_A0, REG_A1, REG_V0, 0u, 0x21u);        /* addu v0, a0, a1 */
    code[1] = 0;                                                /* patched */
    code[2] = R_TYPE(0u, REG_V0, REG_T0, 3u, 0x00u);            /* sll t0, v0, 3 */
    code[3] = R_TYPE(REG_V0, REG_T0, REG_V0, 0u, 0x26u);        /* xor v0, v0, t0 */
    code[4] = R_TYPE(REG_RA, 0u, 0u, 0u, 0x08u);                /* jr ra */
    code[5] = I_TYPE(0x09u, REG_V0, REG_V0, 1u);                /* addiu v0, v0, 1 (delay slot) */
    routine_fn *fn = (routine_fn *)(uintptr_t)code_page;

    uint32_t n = patches, acc = 0x811c9dc5u, bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = (i * 5u + (i >> 3)) & 7u;
        uint32_t k = i * 0x9e37u + (i >> 7);
        code[1] = encode(v, k);
        __asm__ __volatile__("" ::: "memory");
        for (uint32_t c = 0; c < CALLS_PER_PATCH; c++) {
            uint32_t a1 = i + c * 0x01000193u;
            uint32_t got = fn(acc, a1);
            if (got != model(v, k, acc, a1)) {
                if (bad < 5)
                    printf("smc: patch %u call %u: got %08x want %08x\n",
                           (unsigned)i, (unsigned)c, (unsigned)got,
                           (unsigned)model(v, k, acc, a1));
                bad++;
            }
            acc = (acc ^ got) * 0x01000193u;
        }
    }
    printf("smc: %u rewrites, %u calls, %u wrong, checksum %08x\n",
           (unsigned)n, (unsigned)(n * CALLS_PER_PATCH), (unsigned)bad,
           (unsigned)acc);
    return 0;
}
