/*
 * gen_fpu_vectors.c -- reference-vector generator for the MIPS FPU unit test.
 *
 * A freestanding mipsel Linux program (no libc: only raw syscalls), meant to be
 * run under `qemu-mipsel -cpu 24Kf`.  For every COP1 arithmetic operation it
 * loads operands and an FCSR value, executes the real instruction, and prints
 * the operands, the destination register and the FCSR afterwards.  If the
 * instruction raises an FP exception (Cause & Enables), the SIGFPE handler
 * records the FCSR seen at the trap and skips the instruction.
 *
 * Build (see make_vectors.sh):
 *   mipsel-linux-gnu-gcc -static -nostdlib -ffreestanding -mno-abicalls -fno-pic
 *       -G0 -O1 -march=24kf -mfp64 gen_fpu_vectors.c -lgcc
 * -mfp64 makes the ELF request Status.FR=1, which QEMU's linux-user honours, so
 * the 64-bit integer conversions (cvt.l.*, cvt.*.l, ...) are available.
 *
 * Usage: gen_fpu_vectors [seed [random-vectors-per-op]]
 *        gen_fpu_vectors -x OP FCSR IN...   (one instruction, operands in hex)
 *
 * Output: one line per executed instruction
 *   <op> <fcsr_in> <in0> [<in1> [<in2>]] <result> <fcsr_out> <N|T>
 * all numbers in hex; 32-bit values (s, w) have 8 digits, 64-bit (d, l) 16.
 * <result> is the destination register after the instruction; for c.cond.fmt
 * it is the FCC0 bit (FCSR bit 23) after the instruction.  N = no trap; T = the
 * instruction trapped, and then <fcsr_out> is FCSR as seen by the SIGFPE
 * handler and <result> is "-" when the destination kept its previous value
 * (anything else is printed as the value found).
 * madd/msub/nmadd/nmsub: in0 = fs, in1 = ft, in2 = fr (fd = fs*ft +/- fr).
 * Lines starting with '#' are comments.
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;

/* ------------------------------------------------------------------ syscalls */

static long sys3(long n, long a, long b, long c) {
  register long v0 __asm__("$2") = n;
  register long a0 __asm__("$4") = a;
  register long a1 __asm__("$5") = b;
  register long a2 __asm__("$6") = c;
  register long a3 __asm__("$7") = 0;
  __asm__ volatile("syscall"
                   : "+r"(v0), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3)
                   :
                   : "memory", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                     "$24", "$25", "hi", "lo");
  return a3 ? -v0 : v0;
}

static long sys4(long n, long a, long b, long c, long d) {
  register long v0 __asm__("$2") = n;
  register long a0 __asm__("$4") = a;
  register long a1 __asm__("$5") = b;
  register long a2 __asm__("$6") = c;
  register long a3 __asm__("$7") = d;
  __asm__ volatile("syscall"
                   : "+r"(v0), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3)
                   :
                   : "memory", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
                     "$24", "$25", "hi", "lo");
  return a3 ? -v0 : v0;
}

#define NR_exit 4001
#define NR_write 4004
#define NR_rt_sigaction 4194

/* gcc may emit calls to these even in freestanding code */
void* memset(void* d, int c, unsigned long n) {
  u8* p = d;
  while (n--) *p++ = (u8)c;
  return d;
}
void* memcpy(void* d, const void* s, unsigned long n) {
  u8* p = d;
  const u8* q = s;
  while (n--) *p++ = *q++;
  return d;
}

/* ------------------------------------------------------------------ output */

static char obuf[65536];
static u32 olen;

static void flush(void) {
  u32 off = 0;
  while (off < olen) {
    long r = sys3(NR_write, 1, (long)(obuf + off), olen - off);
    if (r <= 0) sys3(NR_exit, 3, 0, 0);
    off += (u32)r;
  }
  olen = 0;
}
static void putch(char c) {
  if (olen == sizeof obuf) flush();
  obuf[olen++] = c;
}
static void puts_(const char* s) {
  while (*s) putch(*s++);
}
static void puthex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) {
    int d = (int)((v >> (i * 4)) & 15);
    putch((char)(d < 10 ? '0' + d : 'a' + d - 10));
  }
}
static void putdec(u32 v) {
  char t[12];
  int n = 0;
  do {
    t[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) putch(t[--n]);
}

/* ------------------------------------------------------------------ random */

static u64 rs = 0x9e3779b97f4a7c15ull;
static u64 rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}
static u32 rnd32(void) { return (u32)(rnd() >> 16); }
static u32 rndn(u32 n) { return rnd32() % n; }

/* ------------------------------------------------------------------ execution */

/* Layout is used by the asm below: in[0..2] at 0/8/16, sentinel 24, fcsr_in 32,
 * out 40, fcsr_out 48. */
struct io_block {
  u64 in[3];
  u64 sentinel;
  u32 fcsr_in, pad0;
  u64 out;
  u32 fcsr_out, pad1;
};
static struct io_block io;
static volatile u32 g_trapped, g_trap_fcsr, g_expect_pc, g_bad_pc;

#define SENTINEL 0x5ae1a5ed5ae1a5edull

/* All operands are loaded with ldc1 (FR=1: a single/word lives in the low 32
 * bits of the register), the result stored with sdc1. */
#define OPFN(id, insn)                                                                  \
  extern char insn_##id[];                                                              \
  __attribute__((noinline, noclone)) static void run_##id(void) {                       \
    __asm__ volatile(                                                                   \
        "ldc1 $f2, 0(%0)\n\t"                                                           \
        "ldc1 $f4, 8(%0)\n\t"                                                           \
        "ldc1 $f6, 16(%0)\n\t"                                                          \
        "ldc1 $f0, 24(%0)\n\t"                                                          \
        "lw $8, 32(%0)\n\t"                                                             \
        "ctc1 $8, $31\n\t"                                                              \
        ".globl insn_" #id "\n"                                                         \
        "insn_" #id ":\n\t" insn "\n\t"                                                 \
        "sdc1 $f0, 40(%0)\n\t"                                                          \
        "cfc1 $8, $31\n\t"                                                              \
        "sw $8, 48(%0)\n\t"                                                             \
        :                                                                               \
        : "r"(&io)                                                                      \
        : "$8", "$f0", "$f2", "$f4", "$f6", "memory");                                  \
  }

enum { T_S, T_D, T_W, T_L, T_CC };

struct op {
  const char* name;
  void (*fn)(void);
  char* label;
  u8 nin;
  u8 tin; /* type of every input */
  u8 tout;
};

#define BIN_S(id, m) OPFN(id, m " $f0, $f2, $f4")
#define UN(id, m) OPFN(id, m " $f0, $f2")
#define TER(id, m) OPFN(id, m " $f0, $f6, $f2, $f4")
#define CMP(id, m) OPFN(id, m " $f2, $f4")

BIN_S(add_s, "add.s") BIN_S(sub_s, "sub.s") BIN_S(mul_s, "mul.s") BIN_S(div_s, "div.s")
BIN_S(add_d, "add.d") BIN_S(sub_d, "sub.d") BIN_S(mul_d, "mul.d") BIN_S(div_d, "div.d")
UN(sqrt_s, "sqrt.s") UN(abs_s, "abs.s") UN(neg_s, "neg.s") UN(mov_s, "mov.s")
UN(recip_s, "recip.s") UN(rsqrt_s, "rsqrt.s")
UN(sqrt_d, "sqrt.d") UN(abs_d, "abs.d") UN(neg_d, "neg.d") UN(mov_d, "mov.d")
UN(recip_d, "recip.d") UN(rsqrt_d, "rsqrt.d")
TER(madd_s, "madd.s") TER(msub_s, "msub.s") TER(nmadd_s, "nmadd.s") TER(nmsub_s, "nmsub.s")
TER(madd_d, "madd.d") TER(msub_d, "msub.d") TER(nmadd_d, "nmadd.d") TER(nmsub_d, "nmsub.d")
UN(cvt_s_d, "cvt.s.d") UN(cvt_s_w, "cvt.s.w") UN(cvt_s_l, "cvt.s.l")
UN(cvt_d_s, "cvt.d.s") UN(cvt_d_w, "cvt.d.w") UN(cvt_d_l, "cvt.d.l")
UN(cvt_w_s, "cvt.w.s") UN(cvt_w_d, "cvt.w.d") UN(cvt_l_s, "cvt.l.s") UN(cvt_l_d, "cvt.l.d")
UN(round_w_s, "round.w.s") UN(round_w_d, "round.w.d") UN(round_l_s, "round.l.s") UN(round_l_d, "round.l.d")
UN(trunc_w_s, "trunc.w.s") UN(trunc_w_d, "trunc.w.d") UN(trunc_l_s, "trunc.l.s") UN(trunc_l_d, "trunc.l.d")
UN(ceil_w_s, "ceil.w.s") UN(ceil_w_d, "ceil.w.d") UN(ceil_l_s, "ceil.l.s") UN(ceil_l_d, "ceil.l.d")
UN(floor_w_s, "floor.w.s") UN(floor_w_d, "floor.w.d") UN(floor_l_s, "floor.l.s") UN(floor_l_d, "floor.l.d")

#define CMPS(c) CMP(c_##c##_s, "c." #c ".s") CMP(c_##c##_d, "c." #c ".d")
CMPS(f) CMPS(un) CMPS(eq) CMPS(ueq) CMPS(olt) CMPS(ult) CMPS(ole) CMPS(ule)
CMPS(sf) CMPS(ngle) CMPS(seq) CMPS(ngl) CMPS(lt) CMPS(nge) CMPS(le) CMPS(ngt)

#define E(id, name, nin, tin, tout) {name, run_##id, insn_##id, nin, tin, tout}
#define EC(c) E(c_##c##_s, "c." #c ".s", 2, T_S, T_CC), E(c_##c##_d, "c." #c ".d", 2, T_D, T_CC)

static const struct op ops[] = {
    E(add_s, "add.s", 2, T_S, T_S), E(sub_s, "sub.s", 2, T_S, T_S),
    E(mul_s, "mul.s", 2, T_S, T_S), E(div_s, "div.s", 2, T_S, T_S),
    E(add_d, "add.d", 2, T_D, T_D), E(sub_d, "sub.d", 2, T_D, T_D),
    E(mul_d, "mul.d", 2, T_D, T_D), E(div_d, "div.d", 2, T_D, T_D),
    E(sqrt_s, "sqrt.s", 1, T_S, T_S), E(abs_s, "abs.s", 1, T_S, T_S),
    E(neg_s, "neg.s", 1, T_S, T_S), E(mov_s, "mov.s", 1, T_S, T_S),
    E(recip_s, "recip.s", 1, T_S, T_S), E(rsqrt_s, "rsqrt.s", 1, T_S, T_S),
    E(sqrt_d, "sqrt.d", 1, T_D, T_D), E(abs_d, "abs.d", 1, T_D, T_D),
    E(neg_d, "neg.d", 1, T_D, T_D), E(mov_d, "mov.d", 1, T_D, T_D),
    E(recip_d, "recip.d", 1, T_D, T_D), E(rsqrt_d, "rsqrt.d", 1, T_D, T_D),
    E(madd_s, "madd.s", 3, T_S, T_S), E(msub_s, "msub.s", 3, T_S, T_S),
    E(nmadd_s, "nmadd.s", 3, T_S, T_S), E(nmsub_s, "nmsub.s", 3, T_S, T_S),
    E(madd_d, "madd.d", 3, T_D, T_D), E(msub_d, "msub.d", 3, T_D, T_D),
    E(nmadd_d, "nmadd.d", 3, T_D, T_D), E(nmsub_d, "nmsub.d", 3, T_D, T_D),
    E(cvt_s_d, "cvt.s.d", 1, T_D, T_S), E(cvt_s_w, "cvt.s.w", 1, T_W, T_S),
    E(cvt_s_l, "cvt.s.l", 1, T_L, T_S), E(cvt_d_s, "cvt.d.s", 1, T_S, T_D),
    E(cvt_d_w, "cvt.d.w", 1, T_W, T_D), E(cvt_d_l, "cvt.d.l", 1, T_L, T_D),
    E(cvt_w_s, "cvt.w.s", 1, T_S, T_W), E(cvt_w_d, "cvt.w.d", 1, T_D, T_W),
    E(cvt_l_s, "cvt.l.s", 1, T_S, T_L), E(cvt_l_d, "cvt.l.d", 1, T_D, T_L),
    E(round_w_s, "round.w.s", 1, T_S, T_W), E(round_w_d, "round.w.d", 1, T_D, T_W),
    E(round_l_s, "round.l.s", 1, T_S, T_L), E(round_l_d, "round.l.d", 1, T_D, T_L),
    E(trunc_w_s, "trunc.w.s", 1, T_S, T_W), E(trunc_w_d, "trunc.w.d", 1, T_D, T_W),
    E(trunc_l_s, "trunc.l.s", 1, T_S, T_L), E(trunc_l_d, "trunc.l.d", 1, T_D, T_L),
    E(ceil_w_s, "ceil.w.s", 1, T_S, T_W), E(ceil_w_d, "ceil.w.d", 1, T_D, T_W),
    E(ceil_l_s, "ceil.l.s", 1, T_S, T_L), E(ceil_l_d, "ceil.l.d", 1, T_D, T_L),
    E(floor_w_s, "floor.w.s", 1, T_S, T_W), E(floor_w_d, "floor.w.d", 1, T_D, T_W),
    E(floor_l_s, "floor.l.s", 1, T_S, T_L), E(floor_l_d, "floor.l.d", 1, T_D, T_L),
    EC(f), EC(un), EC(eq), EC(ueq), EC(olt), EC(ult), EC(ole), EC(ule),
    EC(sf), EC(ngle), EC(seq), EC(ngl), EC(lt), EC(nge), EC(le), EC(ngt),
};
#define NOPS (sizeof ops / sizeof ops[0])

/* SIGFPE: record FCSR as the trap left it and resume after the instruction.
 * ucontext (o32): uc_flags 4, uc_link 4, uc_stack 12, pad 4, then sigcontext:
 * sc_regmask 4, sc_status 4, sc_pc 8  => sc_pc at byte offset 32. */
static void on_sigfpe(int sig, void* info, void* ucv) {
  (void)sig;
  (void)info;
  u64* pcp = (u64*)((char*)ucv + 32);
  u32 pc = (u32)*pcp;
  u32 csr;
  __asm__ volatile("cfc1 %0, $31" : "=r"(csr));
  g_trap_fcsr = csr;
  g_trapped = 1;
  if (pc != g_expect_pc) g_bad_pc = pc;
  *pcp = (u64)(pc + 4);
}

struct k_sigaction {
  u32 sa_flags;
  void* handler;
  u32 mask[4];
};

static int width(u8 t) { return (t == T_D || t == T_L) ? 16 : 8; }

static u32 n_traps, n_lines;

static void run_one(const struct op* op, u32 fcsr, const u64* in) {
  io.in[0] = in[0];
  io.in[1] = op->nin > 1 ? in[1] : 0;
  io.in[2] = op->nin > 2 ? in[2] : 0;
  io.sentinel = SENTINEL;
  io.fcsr_in = fcsr;
  io.out = 0;
  io.fcsr_out = 0;
  g_trapped = 0;
  g_expect_pc = (u32)op->label;
  op->fn();
  if (g_bad_pc) {
    flush();
    puts_("# FATAL: SIGFPE at unexpected pc\n");
    flush();
    sys3(NR_exit, 2, 0, 0);
  }
  u32 trapped = g_trapped;
  u32 fout = trapped ? g_trap_fcsr : io.fcsr_out;
  u64 res = io.out;
  int w = width(op->tout);
  if (op->tout == T_S || op->tout == T_W) res &= 0xffffffffull;

  puts_(op->name);
  putch(' ');
  puthex(fcsr, 8);
  for (int i = 0; i < op->nin; i++) {
    putch(' ');
    puthex(in[i], width(op->tin));
  }
  putch(' ');
  if (trapped) {
    u64 sent = SENTINEL;
    if (op->tout == T_S || op->tout == T_W) sent &= 0xffffffffull;
    if (op->tout == T_CC) {
      /* condition bit must be unchanged */
      if (((fout ^ fcsr) >> 23) & 1)
        putch('X');
      else
        putch('-');
    } else if (res == sent) {
      putch('-');
    } else {
      puthex(res, w);
    }
    n_traps++;
  } else if (op->tout == T_CC) {
    putch((char)('0' + ((fout >> 23) & 1)));
  } else {
    puthex(res, w);
  }
  putch(' ');
  puthex(fout, 8);
  putch(' ');
  putch(trapped ? 'T' : 'N');
  putch('\n');
  n_lines++;
}

/* ------------------------------------------------------------------ operands */

static u32 sgn32(void) { return rnd32() & 0x80000000u; }
static u64 sgn64(void) { return (u64)(rnd32() & 0x80000000u) << 32; }
static u32 clampe(int e, int max) { return (u32)(e < 1 ? 1 : e > max ? max : e); }

static const u32 s_bound[] = {
    0x4f000000, 0x4effffff, 0xcf000000, 0xcf000001, 0xceffffff, 0x5f000000, 0x5effffff,
    0xdf000000, 0xdf000001, 0xdeffffff, 0x3f000000, 0x3fc00000, 0x40200000, 0x3effffff,
    0x3f7fffff, 0x3f800001, 0x4b000000, 0x4b7fffff, 0x4b800000, 0x4b800001, 0x7f7fffff,
    0x00800000, 0x00000001, 0x3f800000, 0x007fffff, 0x00800001, 0x3f3504f3, 0x40400000,
};

static u32 gen_s(void) {
  u32 s = sgn32();
  u32 m = rnd32() & 0x7fffff;
  switch (rndn(14)) {
    case 0:
      return s;
    case 1:
      switch (rndn(4)) {
        case 0: m = 1; break;
        case 1: m = 0x7fffff; break;
        case 2: m >>= rndn(23); break;
        default: break;
      }
      return s | (m ? m : 1);
    case 2:
      return s | ((1 + rndn(2)) << 23) | m;
    case 3:
      return s | ((1 + rndn(254)) << 23) | m;
    case 4:
      return s | ((120 + rndn(15)) << 23) | m;
    case 5:
      return s | ((0xfd + rndn(2)) << 23) | (rndn(3) == 0 ? 0x7fffff : m);
    case 6:
      return s | 0x7f800000;
    case 7: { /* quiet NaN (legacy: bit 22 clear) */
      u32 p = m & 0x3fffff;
      if (rndn(3) == 0) p = 0x3fffff;
      if (rndn(4) == 0) p = 1;
      return s | 0x7f800000 | (p ? p : 1);
    }
    case 8: { /* signaling NaN (legacy: bit 22 set) */
      u32 p = m & 0x3fffff;
      if (rndn(3) == 0) p = 0;
      return s | 0x7fc00000 | p;
    }
    case 9: { /* integer valued, |x| in [1, 2^64) */
      u32 k = rndn(64);
      if (k < 23) m &= ~((1u << (23 - k)) - 1);
      return s | ((127 + k) << 23) | m;
    }
    case 10: { /* half integer */
      u32 k = rndn(23);
      m &= ~((1u << (23 - k)) - 1);
      m |= 1u << (22 - k);
      return s | ((127 + k) << 23) | m;
    }
    case 11:
      return s_bound[rndn(sizeof s_bound / sizeof s_bound[0])] ^ (rndn(2) ? s : 0);
    case 12: /* small magnitudes in (0, 4) */
      return s | ((124 + rndn(5)) << 23) | m;
    default:
      return rnd32();
  }
}

static u64 gen_d(void);

/* The generator's own C floating-point arithmetic (below) must not run under a
 * vector's FCSR (enables, FS, RM): reset it first. */
static void fp_reset(void) { __asm__ volatile("ctc1 $0, $31" ::: "memory"); }

static float f_of(u32 x) {
  union { u32 u; float f; } v = {x};
  return v.f;
}
static u32 bits_f(float f) {
  union { float f; u32 u; } v = {f};
  return v.u;
}
static double d_of(u64 x) {
  union { u64 u; double d; } v = {x};
  return v.d;
}
static u64 bits_d(double d) {
  union { double d; u64 u; } v = {d};
  return v.u;
}

/* b such that a*b (bin_kind 0) or a/b (bin_kind 1) lands within a few ulps of a
 * power of two where rounding, tininess or flushing changes: the smallest normal,
 * the smallest denormals, the overflow threshold. */
static u32 boundary_s(u32 a, int bin_kind) {
  static const int tgt[] = {-126, -126, -126, -126, -127, -149, -150, 128};
  int t = tgt[rndn(sizeof tgt / sizeof tgt[0])];
  double target = d_of((u64)(1023 + t) << 52);
  double fa = (double)f_of(a);
  if ((a & 0x7f800000u) == 0x7f800000u || (a & 0x7fffffffu) == 0) return gen_s();
  double q = bin_kind == 1 ? fa / target : target / fa;
  if (q < 0) q = -q;
  u32 b = bits_f((float)q);
  if ((b & 0x7f800000u) == 0x7f800000u || b == 0) return gen_s();
  return (b + rndn(5) - 2) ^ sgn32();
}

static u64 boundary_d(u64 a, int bin_kind) {
  static const int tgt[] = {-1022, -1022, -1022, -1022, -1023, -1074, -1075, 1024};
  int t = tgt[rndn(sizeof tgt / sizeof tgt[0])];
  if ((a & 0x7ff0000000000000ull) == 0x7ff0000000000000ull || (a << 1) == 0) return gen_d();
  /* 2^t as a product of two normal doubles, to stay in range */
  double h1 = d_of((u64)(1023 + t / 2) << 52), h2 = d_of((u64)(1023 + t - t / 2) << 52);
  double fa = d_of(a);
  if (fa < 0) fa = -fa;
  double q = bin_kind == 1 ? (fa / h1) / h2 : (h1 / fa) * h2;
  u64 b = bits_d(q);
  if ((b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull || b == 0) return gen_d();
  return (b + rndn(5) - 2) ^ sgn64();
}

static u32 rel_s(u32 a, int bin_kind) {
  u32 ea = (a >> 23) & 0xff;
  switch (rndn(9)) {
    case 8:
      return boundary_s(a, bin_kind);
    case 0:
      return a;
    case 1:
      return a ^ 0x80000000u;
    case 2:
      return a + rndn(5) - 2;
    case 3:
      return (a ^ 0x80000000u) + rndn(5) - 2;
    case 4:
      return sgn32() | (clampe((int)ea + (int)rndn(61) - 30, 254) << 23) | (rnd32() & 0x7fffff);
    case 5: {
      /* product/quotient exponent near under/overflow */
      static const int tgt[] = {1, 0, -1, -10, -22, -23, -24, -25, 254, 255, 253};
      int t = tgt[rndn(sizeof tgt / sizeof tgt[0])] + (int)rndn(3) - 1;
      int eb = bin_kind == 1 ? (int)ea - t + 127 : t - (int)ea + 127;
      return sgn32() | (clampe(eb, 254) << 23) | (rnd32() & 0x7fffff);
    }
    case 6:
      return sgn32() | 0x3f800000 | (rndn(2) ? 0 : (rnd32() & 0x7fffff));
    default:
      return gen_s();
  }
}

static const u64 d_bound[] = {
    0x41e0000000000000ull, 0x41dfffffffc00000ull, 0x41dfffffffe00000ull, 0x41dfffffffffffffull,
    0xc1e0000000000000ull, 0xc1e0000000100000ull, 0xc1e0000000200000ull, 0xc1e00000000fffffull,
    0x43e0000000000000ull, 0x43dfffffffffffffull, 0xc3e0000000000000ull, 0xc3e0000000000001ull,
    0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull, 0x3fdfffffffffffffull,
    0x4330000000000000ull, 0x4340000000000000ull, 0x433fffffffffffffull, 0x7fefffffffffffffull,
    0x0010000000000000ull, 0x0000000000000001ull, 0x000fffffffffffffull, 0x3ff0000000000000ull,
    0x47efffffe0000000ull, 0x47efffffefffffffull, 0x47effffff0000000ull, 0x47f0000000000000ull,
    0x3810000000000000ull, 0x380fffffffffffffull, 0x380ffffff0000000ull, 0x380fffffe0000000ull,
    0x36a0000000000000ull, 0x3690000000000000ull, 0x3690000000000001ull, 0x368fffffffffffffull,
    0x3800000000000000ull, 0x37f0000000000000ull, 0x4800000000000000ull, 0x3e70000000000000ull,
};

static u64 gen_d(void) {
  u64 s = sgn64();
  u64 m = rnd() & 0xfffffffffffffull;
  switch (rndn(15)) {
    case 0:
      return s;
    case 1:
      switch (rndn(4)) {
        case 0: m = 1; break;
        case 1: m = 0xfffffffffffffull; break;
        case 2: m >>= rndn(52); break;
        default: break;
      }
      return s | (m ? m : 1);
    case 2:
      return s | ((u64)(1 + rndn(2)) << 52) | m;
    case 3:
      return s | ((u64)(1 + rndn(2046)) << 52) | m;
    case 4:
      return s | ((u64)(1016 + rndn(15)) << 52) | m;
    case 5:
      return s | ((u64)(0x7fd + rndn(2)) << 52) | (rndn(3) == 0 ? 0xfffffffffffffull : m);
    case 6:
      return s | 0x7ff0000000000000ull;
    case 7: {
      u64 p = m & 0x7ffffffffffffull;
      if (rndn(3) == 0) p = 0x7ffffffffffffull;
      if (rndn(4) == 0) p = 1;
      return s | 0x7ff0000000000000ull | (p ? p : 1);
    }
    case 8: {
      u64 p = m & 0x7ffffffffffffull;
      if (rndn(3) == 0) p = 0;
      return s | 0x7ff8000000000000ull | p;
    }
    case 9: {
      u32 k = rndn(64);
      if (k < 52) m &= ~((1ull << (52 - k)) - 1);
      return s | ((u64)(1023 + k) << 52) | m;
    }
    case 10: {
      u32 k = rndn(52);
      m &= ~((1ull << (52 - k)) - 1);
      m |= 1ull << (51 - k);
      return s | ((u64)(1023 + k) << 52) | m;
    }
    case 11:
      return d_bound[rndn(sizeof d_bound / sizeof d_bound[0])] ^ (rndn(2) ? s : 0);
    case 12: { /* near single precision: exponent in single range, low 29 bits patterned */
      static const u64 low[] = {0, 0x10000000ull, 0x0fffffffull, 0x10000001ull, 1, 0x1fffffffull};
      u32 e = 1023 - 160 + rndn(320);
      m = (m & ~0x1fffffffull) | (rndn(2) ? low[rndn(6)] : (m & 0x1fffffffull));
      return s | ((u64)e << 52) | m;
    }
    case 13:
      return s | ((u64)(1020 + rndn(5)) << 52) | m;
    default:
      return rnd();
  }
}

static u64 rel_d(u64 a, int bin_kind) {
  int ea = (int)((a >> 52) & 0x7ff);
  switch (rndn(9)) {
    case 8:
      return boundary_d(a, bin_kind);
    case 0:
      return a;
    case 1:
      return a ^ 0x8000000000000000ull;
    case 2:
      return a + rndn(5) - 2;
    case 3:
      return (a ^ 0x8000000000000000ull) + rndn(5) - 2;
    case 4:
      return sgn64() | ((u64)clampe(ea + (int)rndn(121) - 60, 2046) << 52) |
             (rnd() & 0xfffffffffffffull);
    case 5: {
      static const int tgt[] = {1, 0, -1, -10, -51, -52, -53, -54, 2046, 2047, 2045};
      int t = tgt[rndn(sizeof tgt / sizeof tgt[0])] + (int)rndn(3) - 1;
      int eb = bin_kind == 1 ? ea - t + 1023 : t - ea + 1023;
      return sgn64() | ((u64)clampe(eb, 2046) << 52) | (rnd() & 0xfffffffffffffull);
    }
    case 6:
      return sgn64() | 0x3ff0000000000000ull | (rndn(2) ? 0 : (rnd() & 0xfffffffffffffull));
    default:
      return gen_d();
  }
}

static u64 gen_w(void) {
  u32 v;
  switch (rndn(8)) {
    case 0: {
      static const u32 t[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001,
                              0x01000000, 0x01000001, 0x00ffffff, 0xfeffffff, 0xff000000};
      v = t[rndn(sizeof t / sizeof t[0])];
      break;
    }
    case 1:
      v = (1u << 24) + rndn(64) - 32;
      break;
    case 2: { /* 24 significant bits then a rounding pattern */
      u32 sh = 1 + rndn(7);
      v = ((0x800000u | (rnd32() & 0x7fffff)) << sh);
      v |= (rndn(2) ? (1u << (sh - 1)) : rnd32() & ((1u << sh) - 1));
      if (rndn(2)) v = (u32)-(int)v;
      break;
    }
    case 3:
      v = rnd32() >> rndn(32);
      if (rndn(2)) v = (u32)-(int)v;
      break;
    default:
      v = rnd32();
      break;
  }
  return v;
}

static u64 gen_l(void) {
  u64 v;
  switch (rndn(8)) {
    case 0: {
      static const u64 t[] = {0, 1, ~0ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                              0x8000000000000001ull, 1ull << 53, (1ull << 53) + 1, 1ull << 24,
                              (1ull << 24) + 1, 0x7ffffffffffffc00ull, 0x7ffffffffffffdffull,
                              0x7ffffffffffffe00ull, 0xfffffffffffffc01ull};
      v = t[rndn(sizeof t / sizeof t[0])];
      break;
    }
    case 1: { /* 24 or 53 significant bits then a rounding pattern */
      u32 p = rndn(2) ? 24 : 53;
      u32 sh = 1 + rndn(64 - p - 1);
      u64 sig = (1ull << (p - 1)) | (rnd() & ((1ull << (p - 1)) - 1));
      v = sig << sh;
      switch (rndn(3)) {
        case 0: v |= 1ull << (sh - 1); break;
        case 1: v |= rnd() & ((1ull << sh) - 1); break;
        default: v |= (1ull << (sh - 1)) + (sh > 1 ? 1 : 0); break;
      }
      if (rndn(2)) v = (u64)-(long long)v;
      break;
    }
    case 2:
      v = (u64)(long long)(int)gen_w();
      break;
    case 3:
      v = rnd() >> rndn(64);
      if (rndn(2)) v = (u64)-(long long)v;
      break;
    default:
      v = rnd();
      break;
  }
  return v;
}

static u64 gen_t(u8 t) {
  switch (t) {
    case T_S: return gen_s();
    case T_D: return gen_d();
    case T_W: return gen_w();
    default: return gen_l();
  }
}

static u32 gen_fcsr(void) {
  u32 rm = rndn(4);
  u32 fs = rndn(4) == 0 ? (1u << 24) : 0;
  u32 en = rndn(4) == 0 ? (rnd32() & 0x1f) : 0;
  u32 flags = rnd32() & 0x1f;
  u32 cause = rnd32() & 0x1f & ~en;
  u32 fcc = rnd32() & 0xfe800000u;
  return rm | (flags << 2) | (en << 7) | (cause << 12) | fs | fcc;
}

static int name_is(const char* a, const char* prefix) {
  while (*prefix)
    if (*a++ != *prefix++) return 0;
  return 1;
}

static void gen_operands(const struct op* op, u64* in) {
  int kind = name_is(op->name, "div") ? 1 : 0;
  fp_reset();
  in[0] = gen_t(op->tin);
  if (op->nin < 2) return;
  if (op->tin == T_S) {
    u32 a = (u32)in[0];
    u32 pick = rndn(8);
    in[1] = pick < 2 ? boundary_s(a, kind) : pick < 5 ? rel_s(a, kind) : gen_s();
    if (op->nin == 3) {
      u32 b = (u32)in[1];
      if (rndn(2)) {
        /* addend near the product, of opposite sign: cancellation */
        int e = (int)((a >> 23) & 0xff) + (int)((b >> 23) & 0xff) - 127 + (int)rndn(5) - 2;
        u32 sign = ((a ^ b) & 0x80000000u) ^ (rndn(4) ? 0x80000000u : 0);
        in[2] = sign | (clampe(e, 254) << 23) | (rnd32() & 0x7fffff);
      } else {
        in[2] = rndn(2) ? rel_s(a, 0) : gen_s();
      }
    }
  } else {
    u64 a = in[0];
    u32 pick = rndn(8);
    in[1] = pick < 2 ? boundary_d(a, kind) : pick < 5 ? rel_d(a, kind) : gen_d();
    if (op->nin == 3) {
      u64 b = in[1];
      if (rndn(2)) {
        int e = (int)((a >> 52) & 0x7ff) + (int)((b >> 52) & 0x7ff) - 1023 + (int)rndn(5) - 2;
        u64 sign = ((a ^ b) & 0x8000000000000000ull) ^ (rndn(4) ? 0x8000000000000000ull : 0);
        in[2] = sign | ((u64)clampe(e, 2046) << 52) | (rnd() & 0xfffffffffffffull);
      } else {
        in[2] = rndn(2) ? rel_d(a, 0) : gen_d();
      }
    }
  }
}

/* ------------------------------------------------------------------ specials */

static const u32 sp_s[] = {0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00800000, 0x3f800000,
                           0xbf800000, 0x3fc00000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000,
                           0x7fbfffff, 0xff800001, 0x7fc00000, 0xffffffff};
static const u64 sp_d[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000001ull, 0x800fffffffffffffull,
    0x0010000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull, 0x3ff8000000000000ull,
    0x7fefffffffffffffull, 0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff7ffffffffffffull, 0xfff0000000000001ull, 0x7ff8000000000000ull, 0xffffffffffffffffull};
static const u64 sp_w[] = {0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x01000001, 0x00ffffff,
                           0xfeffffff};
static const u64 sp_l[] = {0,
                           1,
                           ~0ull,
                           0x7fffffffffffffffull,
                           0x8000000000000000ull,
                           (1ull << 53) + 1,
                           (1ull << 24) + 1,
                           0xfffffffffffffc01ull};
/* smaller set for the three-operand instructions */
static const u8 sp3_idx[] = {0, 1, 2, 5, 8, 10, 11, 12, 14};

static u64 special(u8 t, u32 i) {
  switch (t) {
    case T_S: return sp_s[i];
    case T_D: return sp_d[i];
    case T_W: return sp_w[i];
    default: return sp_l[i];
  }
}
static u32 nspecial(u8 t) { return (t == T_S || t == T_D) ? 16 : 8; }

static void specials(const struct op* op) {
  u64 in[3];
  u32 nmodes = op->tout == T_CC ? 2 : 8;
  for (u32 mode = 0; mode < nmodes; mode++) {
    /* enables off; cause pre-set so that clearing it is visible */
    u32 base = (mode & 3) | ((mode >> 2) << 24) | (0x1fu << 12) | (rnd32() & 0xfe80007cu);
    if (op->nin == 1) {
      for (u32 i = 0; i < nspecial(op->tin); i++) {
        in[0] = special(op->tin, i);
        run_one(op, base, in);
      }
    } else if (op->nin == 2) {
      for (u32 i = 0; i < nspecial(op->tin); i++)
        for (u32 j = 0; j < nspecial(op->tin); j++) {
          in[0] = special(op->tin, i);
          in[1] = special(op->tin, j);
          run_one(op, base, in);
        }
    } else {
      if (mode >= 4) continue;
      for (u32 i = 0; i < sizeof sp3_idx; i++)
        for (u32 j = 0; j < sizeof sp3_idx; j++)
          for (u32 k = 0; k < sizeof sp3_idx; k++) {
            in[0] = special(op->tin, sp3_idx[i]);
            in[1] = special(op->tin, sp3_idx[j]);
            in[2] = special(op->tin, sp3_idx[k]);
            run_one(op, base, in);
          }
    }
  }
}

/* ------------------------------------------------------------------ main */

static u32 parse_u32(const char* s, u32 dflt) {
  if (!s || !*s) return dflt;
  u32 v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (u32)(*s++ - '0');
  return v;
}

static int streq(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static u64 parse_hex(const char* s) {
  u64 v = 0;
  for (; *s; s++) {
    char c = *s;
    u32 d = c >= '0' && c <= '9' ? (u32)(c - '0')
            : c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10)
            : c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10)
                                   : 0;
    v = v * 16 + d;
  }
  return v;
}

static void install_sigfpe(void);

/* "-x OP FCSR IN..." (hex): run one instruction and print its line. */
static void one_shot(int argc, char** argv) {
  install_sigfpe();
  for (u32 o = 0; o < NOPS; o++) {
    if (!streq(ops[o].name, argv[2])) continue;
    u64 in[3] = {0, 0, 0};
    if (argc != 4 + ops[o].nin) break;
    for (int i = 0; i < ops[o].nin; i++) in[i] = parse_hex(argv[4 + i]);
    run_one(&ops[o], (u32)parse_hex(argv[3]), in);
    flush();
    sys3(NR_exit, 0, 0, 0);
  }
  puts_("usage: gen_fpu_vectors -x OP FCSR IN...\n");
  flush();
  sys3(NR_exit, 1, 0, 0);
}

static void install_sigfpe(void) {
  struct k_sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_flags = 8; /* SA_SIGINFO */
  sa.handler = (void*)on_sigfpe;
  if (sys4(NR_rt_sigaction, 8 /* SIGFPE */, (long)&sa, 0, 16) < 0) {
    puts_("# FATAL: rt_sigaction failed\n");
    flush();
    sys3(NR_exit, 2, 0, 0);
  }
}

void cmain(long* sp) {
  int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  if (argc > 1 && streq(argv[1], "-x")) one_shot(argc, argv);
  u32 seed = parse_u32(argc > 1 ? argv[1] : 0, 1);
  u32 count = parse_u32(argc > 2 ? argv[2] : 0, 3000);
  rs ^= (u64)seed * 0x2545f491ull;
  if (!rs) rs = 1;
  for (int i = 0; i < 10; i++) rnd();

  install_sigfpe();

  puts_("# mimic MIPS FPU reference vectors: op fcsr_in inputs... result fcsr_out N|T\n");
  puts_("# seed ");
  putdec(seed);
  puts_(" count ");
  putdec(count);
  putch('\n');

  for (u32 o = 0; o < NOPS; o++) {
    const struct op* op = &ops[o];
    specials(op);
    u32 n = op->tout == T_CC ? count / 3 : count;
    for (u32 i = 0; i < n; i++) {
      u64 in[3];
      gen_operands(op, in);
      run_one(op, gen_fcsr(), in);
    }
  }
  puts_("# end lines ");
  putdec(n_lines);
  puts_(" traps ");
  putdec(n_traps);
  putch('\n');
  flush();
  sys3(NR_exit, 0, 0, 0);
}

__asm__(
    ".text\n"
    ".globl __start\n"
    ".set push\n"
    ".set noreorder\n"
    "__start:\n"
    "  move $4, $sp\n"
    "  addiu $sp, $sp, -32\n"
    "  jal cmain\n"
    "  nop\n"
    "1: b 1b\n"
    "  nop\n"
    ".set pop\n");
