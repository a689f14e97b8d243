/*
 * Helpers for the FPU test programs (built with -mhard-float; crt0 then sets
 * Status.CU1, Status.FR stays 0 unless a test changes it).
 *
 * Every operation is one inline-asm block that: writes FCSR (rounding mode,
 * enables and flags as given, cause cleared), loads the operands into
 * $f2/$f4/$f6 (doubles via mtc1 + mthc1, which pairs correctly for FR=0 and
 * FR=1), preloads the destination $f0 with a sentinel, executes exactly one
 * FP instruction, and reads back $f0 and FCSR.
 */
#ifndef MIMIC_GUEST_FPU_H
#define MIMIC_GUEST_FPU_H

#include "testutil.h"

#define FCSR_RN 0u
#define FCSR_RZ 1u
#define FCSR_RP 2u
#define FCSR_RM 3u

#define SENT_S  0x5eeeeee5u
#define SENT_D  0x5eeeeee55eeeeee5ull

#define fcsr_read() ({ uint32_t v_;                                          \
        __asm__ __volatile__("cfc1 %0, $31" : "=r"(v_)); v_; })
#define fcsr_write(v) __asm__ __volatile__("ctc1 %0, $31" : : "r"((uint32_t)(v)) \
                                           : "memory")
#define cfc1_reg(n) ({ uint32_t v_;                                          \
        __asm__ __volatile__("cfc1 %0, $" STR(n) : "=r"(v_)); v_; })

#define HI(x) ((uint32_t)((uint64_t)(x) >> 32))
#define LO(x) ((uint32_t)(x))
#define D64(hi, lo) (((uint64_t)(hi) << 32) | (lo))

/* single: r = op $f0, $f2[, $f4[, $f6]] */
#define FOP_S(insn, fin_, a_, b_, c_, fout_) ({ uint32_t r_ = SENT_S;     \
        __asm__ __volatile__(ASM_BEGIN                                       \
            "ctc1 %[fi], $31\n\t"                                            \
            "mtc1 %[r], $f0\n\t"                                             \
            "mtc1 %[a], $f2\n\t"                                             \
            "mtc1 %[b], $f4\n\t"                                             \
            "mtc1 %[c], $f6\n\t"                                             \
            insn "\n\t"                                                      \
            "mfc1 %[r], $f0\n\t"                                             \
            "cfc1 %[fo], $31" ASM_END                                        \
            : [r] "+&r"(r_), [fo] "=&r"(fout_)                            \
            : [fi] "r"(fin_), [a] "r"((uint32_t)(a_)),                     \
              [b] "r"((uint32_t)(b_)), [c] "r"((uint32_t)(c_))                 \
            : "$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7",        \
              "memory");                                                     \
        r_; })

/* double: r = op $f0, $f2[, $f4[, $f6]] */
#define FOP_D(insn, fin_, a_, b_, c_, fout_) ({                           \
        uint32_t rh_ = HI(SENT_D), rl_ = LO(SENT_D);                          \
        __asm__ __volatile__(ASM_BEGIN                                       \
            "ctc1 %[fi], $31\n\t"                                            \
            "mtc1 %[rl], $f0\n\t"                                            \
            "mthc1 %[rh], $f0\n\t"                                           \
            "mtc1 %[al], $f2\n\t"                                            \
            "mthc1 %[ah], $f2\n\t"                                           \
            "mtc1 %[bl], $f4\n\t"                                            \
            "mthc1 %[bh], $f4\n\t"                                           \
            "mtc1 %[cl], $f6\n\t"                                            \
            "mthc1 %[ch], $f6\n\t"                                           \
            insn "\n\t"                                                      \
            "mfc1 %[rl], $f0\n\t"                                            \
            "mfhc1 %[rh], $f0\n\t"                                           \
            "cfc1 %[fo], $31" ASM_END                                        \
            : [rh] "+&r"(rh_), [rl] "+&r"(rl_), [fo] "=&r"(fout_)         \
            : [fi] "r"(fin_), [ah] "r"(HI(a_)), [al] "r"(LO(a_)),           \
              [bh] "r"(HI(b_)), [bl] "r"(LO(b_)), [ch] "r"(HI(c_)),             \
              [cl] "r"(LO(c_))                                                \
            : "$f0", "$f1", "$f2", "$f3", "$f4", "$f5", "$f6", "$f7",        \
              "memory");                                                     \
        D64(rh_, rl_); })

/* Status.FR (requires Status.CU1, which crt0 sets in hard-float builds) */
static inline void set_fr(int on)
{
    uint32_t st = mfc0(12, 0);
    st = on ? (st | ST_FR) : (st & ~ST_FR);
    mtc0(12, 0, st);
}

/* FCSR decoded: cause / enables / flags as 6/5/5 bit fields (E,V,Z,O,U,I) */
static inline void print_fcsr(uint32_t f)
{
    printf("fcsr %08x", f);
}

#endif
