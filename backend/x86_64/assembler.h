// x86-64 machine-code assembler for the JIT backend.
//
// Writes straight into a caller-owned buffer (normally the code cache, so
// rel32 reachability of absolute targets is computed against the final
// address). Nothing here allocates per instruction: labels and fixups live in
// vectors that keep their capacity across reset().
//
// Conventions:
//  * Operand width is always the first argument: W::b, W::w, W::d, W::q.
//    32-bit forms zero-extend into the full register, as on hardware.
//  * Two-operand instructions are (destination, source), Intel order.
//  * Immediates of 64-bit ALU forms are 32-bit, sign-extended by the CPU.
//  * When an instruction does not fit in the remaining capacity nothing of
//    it is written and overflowed() becomes (and stays) true; the caller
//    flushes its code cache and assembles again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mimic::x64 {

enum class Reg : uint8_t {
  rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi,
  r8, r9, r10, r11, r12, r13, r14, r15
};

enum class Xmm : uint8_t {
  xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7,
  xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15
};

// Operand width: byte, word, dword, qword.
enum class W : uint8_t { b, w, d, q };

constexpr W wOf(unsigned bits) {
  return bits == 64 ? W::q : bits == 32 ? W::d : bits == 16 ? W::w : W::b;
}

// Condition codes in hardware encoding order, so `invert` is a bit flip.
enum class Cc : uint8_t { o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g };

constexpr Cc invert(Cc c) { return Cc(uint8_t(c) ^ 1); }

// A code position; ids index the assembler's label table. Cheap to copy.
struct Label {
  static constexpr uint32_t kNone = ~0u;
  uint32_t id = kNone;
  constexpr bool valid() const { return id != kNone; }
};

// A memory operand: [base + index*scale + disp] or [rip + disp] / [label + disp].
struct Mem {
  Reg base = Reg::rax;
  Reg index = Reg::rax;
  uint8_t scale = 1;      // 1, 2, 4 or 8
  int32_t disp = 0;
  bool has_index = false;
  bool rip = false;       // rip-relative; base/index ignored
  uint32_t label = Label::kNone;  // with rip: displacement is relative to this label

  static constexpr Mem at(Reg base, int32_t disp = 0) {
    Mem m;
    m.base = base;
    m.disp = disp;
    return m;
  }
  // index must not be rsp (that encoding means "no index").
  static constexpr Mem idx(Reg base, Reg index, int scale = 1, int32_t disp = 0) {
    Mem m;
    m.base = base;
    m.index = index;
    m.scale = uint8_t(scale);
    m.disp = disp;
    m.has_index = true;
    return m;
  }
  // [label + disp], rip-relative. The label may be bound later.
  static constexpr Mem rel(Label l, int32_t disp = 0) {
    Mem m;
    m.rip = true;
    m.label = l.id;
    m.disp = disp;
    return m;
  }
  // [rip + disp], disp counted from the end of the instruction.
  static constexpr Mem ripDisp(int32_t disp) {
    Mem m;
    m.rip = true;
    m.disp = disp;
    return m;
  }
};

class Assembler {
 public:
  Assembler() = default;
  Assembler(uint8_t* buf, size_t capacity) { reset(buf, capacity); }

  // Starts a new code sequence at buf; forgets labels but keeps the storage.
  void reset(uint8_t* buf, size_t capacity);

  size_t size() const { return pos_; }
  size_t capacity() const { return cap_; }
  uint8_t* base() const { return buf_; }
  uint8_t* cursor() const { return buf_ + pos_; }
  bool overflowed() const { return overflow_; }
  // A short branch or rel32 reference could not reach its target.
  bool rangeError() const { return range_error_; }
  // Every label referenced has been bound.
  bool resolved() const { return fixups_.empty(); }
  bool ok() const { return !overflow_ && !range_error_; }

  // Host CPU features (cpuid, computed once).
  static bool hostHasLzcnt();
  static bool hostHasBmi1();
  static bool hostHasBmi2();
  static bool hostHasMovbe();
  static bool hostHasPopcnt();
  static bool hostHasSse41();
  static bool hostHasFma();

  // rel32 reach from `from` (address after the instruction) to `to`.
  static bool inRel32(const void* from, const void* to);

  // ---- labels ----
  Label newLabel();
  // A label permanently bound to an absolute address (e.g. an exit stub):
  // usable by jmp/jcc/call/Mem::rel when within rel32 reach.
  Label labelAt(const void* addr);
  void bind(Label l);
  bool isBound(Label l) const;
  // Offset from base(); only for labels bound inside this buffer.
  size_t offsetOf(Label l) const { return size_t(labels_[l.id]); }

  // ---- moves ----
  void mov(W w, Reg dst, Reg src);
  void mov(W w, Reg dst, const Mem& src);
  void mov(W w, const Mem& dst, Reg src);
  void mov(W w, const Mem& dst, int32_t imm);
  // Shortest form that yields the value: for W::q, B8 imm32 when it
  // zero-extends, C7 imm32 when it sign-extends, else movabs. Flags untouched.
  void mov(W w, Reg dst, int64_t imm);
  // Always the 10-byte REX.W B8 form; returns the offset of the imm64 so it
  // can be patched later.
  size_t movabs(Reg dst, uint64_t imm);
  void mov8(const Mem& dst, Reg src) { mov(W::b, dst, src); }
  void mov16(const Mem& dst, Reg src) { mov(W::w, dst, src); }

  // Zero/sign extension; w is the destination width (w, d or q).
  void movzx8(W w, Reg dst, Reg src);
  void movzx8(W w, Reg dst, const Mem& src);
  void movzx16(W w, Reg dst, Reg src);
  void movzx16(W w, Reg dst, const Mem& src);
  void movsx8(W w, Reg dst, Reg src);
  void movsx8(W w, Reg dst, const Mem& src);
  void movsx16(W w, Reg dst, Reg src);
  void movsx16(W w, Reg dst, const Mem& src);
  void movsxd(Reg dst, Reg src);          // 64 <- sign-extended 32
  void movsxd(Reg dst, const Mem& src);

  void lea(W w, Reg dst, const Mem& src);  // w: d or q

  void xchg(W w, Reg a, Reg b);
  void xchg(W w, const Mem& m, Reg r);     // implicitly locked by the CPU
  void lockCmpxchg(W w, const Mem& m, Reg r);
  void lockXadd(W w, const Mem& m, Reg r);
  void mfence();

  // ---- two-operand ALU ----
#define MIMIC_X64_ALU(name)                          \
  void name(W w, Reg dst, Reg src);                  \
  void name(W w, Reg dst, const Mem& src);           \
  void name(W w, const Mem& dst, Reg src);           \
  void name(W w, Reg dst, int32_t imm);              \
  void name(W w, const Mem& dst, int32_t imm);
  MIMIC_X64_ALU(add)
  MIMIC_X64_ALU(or_)
  MIMIC_X64_ALU(adc)
  MIMIC_X64_ALU(sbb)
  MIMIC_X64_ALU(and_)
  MIMIC_X64_ALU(sub)
  MIMIC_X64_ALU(xor_)
  MIMIC_X64_ALU(cmp)
#undef MIMIC_X64_ALU

  void test(W w, Reg a, Reg b);
  void test(W w, const Mem& a, Reg b);
  void test(W w, Reg a, int32_t imm);
  void test(W w, const Mem& a, int32_t imm);

  // ---- one-operand ----
  void not_(W w, Reg r);
  void not_(W w, const Mem& m);
  void neg(W w, Reg r);
  void neg(W w, const Mem& m);
  void inc(W w, Reg r);
  void inc(W w, const Mem& m);
  void dec(W w, Reg r);
  void dec(W w, const Mem& m);
  // rdx:rax (edx:eax) <- rax * src, and division of rdx:rax by src.
  void mul(W w, Reg src);
  void mul(W w, const Mem& src);
  void imul(W w, Reg src);
  void imul(W w, const Mem& src);
  void div(W w, Reg src);
  void div(W w, const Mem& src);
  void idiv(W w, Reg src);
  void idiv(W w, const Mem& src);
  void cdq();   // edx <- sign of eax
  void cqo();   // rdx <- sign of rax
  void cdqe();  // rax <- sign-extended eax

  // Truncating multiply (w: w, d or q).
  void imul(W w, Reg dst, Reg src);
  void imul(W w, Reg dst, const Mem& src);
  void imul(W w, Reg dst, Reg src, int32_t imm);
  void imul(W w, Reg dst, const Mem& src, int32_t imm);

  // ---- shifts and rotates (count masked by the CPU) ----
#define MIMIC_X64_SHIFT(name)                        \
  void name(W w, Reg r, uint8_t imm);                \
  void name(W w, const Mem& m, uint8_t imm);         \
  void name##Cl(W w, Reg r);                         \
  void name##Cl(W w, const Mem& m);
  MIMIC_X64_SHIFT(rol)
  MIMIC_X64_SHIFT(ror)
  MIMIC_X64_SHIFT(shl)
  MIMIC_X64_SHIFT(shr)
  MIMIC_X64_SHIFT(sar)
#undef MIMIC_X64_SHIFT
  // dst <- dst shifted with bits coming in from src.
  void shld(W w, Reg dst, Reg src, uint8_t imm);
  void shldCl(W w, Reg dst, Reg src);
  void shrd(W w, Reg dst, Reg src, uint8_t imm);
  void shrdCl(W w, Reg dst, Reg src);
  // BMI2 (check hostHasBmi2): dst <- src shifted by count, flags untouched.
  void shlx(W w, Reg dst, Reg src, Reg count);
  void shlx(W w, Reg dst, const Mem& src, Reg count);
  void shrx(W w, Reg dst, Reg src, Reg count);
  void shrx(W w, Reg dst, const Mem& src, Reg count);
  void sarx(W w, Reg dst, Reg src, Reg count);
  void sarx(W w, Reg dst, const Mem& src, Reg count);
  void rorx(W w, Reg dst, Reg src, uint8_t imm);
  void rorx(W w, Reg dst, const Mem& src, uint8_t imm);

  // ---- bit operations ----
  void bswap(W w, Reg r);                        // w: d or q
  void bswap16(Reg r) { ror(W::w, r, 8); }       // swaps the low two bytes
  void bsr(W w, Reg dst, Reg src);
  void bsr(W w, Reg dst, const Mem& src);
  void bsf(W w, Reg dst, Reg src);
  void bsf(W w, Reg dst, const Mem& src);
  void lzcnt(W w, Reg dst, Reg src);             // hostHasLzcnt
  void lzcnt(W w, Reg dst, const Mem& src);
  void tzcnt(W w, Reg dst, Reg src);             // hostHasBmi1
  void tzcnt(W w, Reg dst, const Mem& src);
  void popcnt(W w, Reg dst, Reg src);            // hostHasPopcnt
  void popcnt(W w, Reg dst, const Mem& src);
  void bt(W w, Reg r, Reg bit);
  void bt(W w, Reg r, uint8_t bit);
  void bt(W w, const Mem& m, uint8_t bit);
  void bts(W w, Reg r, Reg bit);
  void bts(W w, Reg r, uint8_t bit);
  void btr(W w, Reg r, Reg bit);
  void btr(W w, Reg r, uint8_t bit);
  void btc(W w, Reg r, Reg bit);
  void btc(W w, Reg r, uint8_t bit);

  // Big-endian load/store (hostHasMovbe); w: w, d or q.
  void movbe(W w, Reg dst, const Mem& src);
  void movbe(W w, const Mem& dst, Reg src);

  // ---- conditions ----
  void setcc(Cc cc, Reg dst);                    // writes the low byte only
  void setcc(Cc cc, const Mem& dst);
  void cmov(W w, Cc cc, Reg dst, Reg src);       // w: w, d or q
  void cmov(W w, Cc cc, Reg dst, const Mem& src);

  // ---- stack ----
  void push(Reg r);
  void push(int32_t imm);  // sign-extended to 64
  void pop(Reg r);

  // ---- control flow ----
  void ret();
  void call(Reg r);
  void call(const Mem& m);
  void call(Label l);
  void jmp(Reg r);
  void jmp(const Mem& m);
  // Backward jumps pick rel8 when it reaches; unbound (forward) labels get
  // rel32 unless the Short variant is used, in which case the label must end
  // up within 127 bytes (else rangeError()).
  void jmp(Label l);
  void jmpShort(Label l);
  void jcc(Cc cc, Label l);
  void jccShort(Cc cc, Label l);
  // Absolute targets: rel32 when reachable, else through r11 (clobbered).
  void callAbs(const void* target);
  void jmpAbs(const void* target);
  void jccAbs(Cc cc, const void* target);

  // 5-byte `jmp rel32` whose displacement does not cross an 8-byte boundary
  // (nops are inserted before it), so patchJmpRel32 can retarget it with a
  // single atomic store while other threads run it. Initial target: `target`,
  // or the next instruction when null. Returns the offset of the jmp.
  size_t jmpRel32Patchable(const void* target = nullptr);
  static void patchJmpRel32(uint8_t* jmp_insn, const uint8_t* target);

  // ---- misc ----
  void int3();
  void ud2();
  void nop(size_t bytes = 1);       // multi-byte nops
  void align(size_t alignment);     // nops up to an address multiple (power of 2)
  void db(uint8_t v);
  void dd(uint32_t v);
  void dq(uint64_t v);
  void bytes(const void* data, size_t n);

  // ---- SSE2 (scalar FP and moves) ----
  void movd(Xmm dst, Reg src);
  void movd(Reg dst, Xmm src);
  void movd(Xmm dst, const Mem& src);
  void movd(const Mem& dst, Xmm src);
  void movq(Xmm dst, Reg src);
  void movq(Reg dst, Xmm src);
  void movq(Xmm dst, const Mem& src);
  void movq(const Mem& dst, Xmm src);
  void movq(Xmm dst, Xmm src);       // zeroes the upper half
  void movsd(Xmm dst, Xmm src);      // merges into the low half
  void movsd(Xmm dst, const Mem& src);
  void movsd(const Mem& dst, Xmm src);
  void movss(Xmm dst, Xmm src);
  void movss(Xmm dst, const Mem& src);
  void movss(const Mem& dst, Xmm src);
  void movaps(Xmm dst, Xmm src);
  void movups(Xmm dst, const Mem& src);
  void movups(const Mem& dst, Xmm src);

#define MIMIC_X64_SSE(name)                         \
  void name(Xmm dst, Xmm src);                      \
  void name(Xmm dst, const Mem& src);
  MIMIC_X64_SSE(addsd) MIMIC_X64_SSE(subsd) MIMIC_X64_SSE(mulsd) MIMIC_X64_SSE(divsd)
  MIMIC_X64_SSE(minsd) MIMIC_X64_SSE(maxsd) MIMIC_X64_SSE(sqrtsd)
  MIMIC_X64_SSE(addss) MIMIC_X64_SSE(subss) MIMIC_X64_SSE(mulss) MIMIC_X64_SSE(divss)
  MIMIC_X64_SSE(minss) MIMIC_X64_SSE(maxss) MIMIC_X64_SSE(sqrtss)
  MIMIC_X64_SSE(ucomisd) MIMIC_X64_SSE(ucomiss) MIMIC_X64_SSE(comisd) MIMIC_X64_SSE(comiss)
  MIMIC_X64_SSE(cvtss2sd) MIMIC_X64_SSE(cvtsd2ss)
  MIMIC_X64_SSE(andps) MIMIC_X64_SSE(andnps) MIMIC_X64_SSE(orps) MIMIC_X64_SSE(xorps)
  MIMIC_X64_SSE(andpd) MIMIC_X64_SSE(andnpd) MIMIC_X64_SSE(orpd) MIMIC_X64_SSE(xorpd)
  MIMIC_X64_SSE(pxor)
#undef MIMIC_X64_SSE
  // FMA3 (check hostHasFma), scalar: dst <- src1 * src2 - dst (vfmsub231)
  // and dst <- dst - src1 * src2 (vfnmadd231), each rounded once.
  void vfmsub231sd(Xmm dst, Xmm src1, Xmm src2);
  void vfmsub231ss(Xmm dst, Xmm src1, Xmm src2);
  void vfnmadd231sd(Xmm dst, Xmm src1, Xmm src2);
  void vfnmadd231ss(Xmm dst, Xmm src1, Xmm src2);
  // SSE4.1 rounding; mode bits as in the instruction (0..3, |4 = use MXCSR, |8 = no inexact).
  void roundsd(Xmm dst, Xmm src, uint8_t mode);
  void roundss(Xmm dst, Xmm src, uint8_t mode);
  // Integer <-> FP; w is the integer width (d or q).
  void cvtsi2sd(W w, Xmm dst, Reg src);
  void cvtsi2ss(W w, Xmm dst, Reg src);
  void cvttsd2si(W w, Reg dst, Xmm src);
  void cvtsd2si(W w, Reg dst, Xmm src);
  void cvttss2si(W w, Reg dst, Xmm src);
  void cvtss2si(W w, Reg dst, Xmm src);

 private:
  struct Fixup {
    uint32_t at;      // offset of the rel field
    uint32_t label;
    uint8_t size;     // 1 or 4
    uint8_t tail;     // bytes between the field and the end of the instruction
  };
  static constexpr size_t kMaxInsn = 32;
  static constexpr int64_t kUnbound = INT64_MIN;

  // Instructions are encoded at `begin()`: the buffer itself when there is
  // room for any instruction, else a scratch area that commit() copies from
  // only if the result fits.
  uint8_t* begin() { return (!overflow_ && cap_ - pos_ >= kMaxInsn) ? buf_ + pos_ : scratch_; }
  bool commit(const uint8_t* start, const uint8_t* end);

  void encR(uint32_t op, unsigned reg, unsigned rm, unsigned imm_size = 0, int64_t imm = 0);
  void encM(uint32_t op, unsigned reg, const Mem& m, unsigned imm_size = 0, int64_t imm = 0);
  void encO(uint32_t op, unsigned reg, unsigned imm_size = 0, int64_t imm = 0);
  void encRel(uint32_t op, Label l, bool short_form);
  void emitRaw(const uint8_t* p, size_t n);

  void alu(unsigned n, W w, Reg dst, Reg src);
  void alu(unsigned n, W w, Reg dst, const Mem& src);
  void alu(unsigned n, W w, const Mem& dst, Reg src);
  void alu(unsigned n, W w, Reg dst, int32_t imm);
  void alu(unsigned n, W w, const Mem& dst, int32_t imm);
  void shiftImm(unsigned n, W w, Reg r, uint8_t imm);
  void shiftImm(unsigned n, W w, const Mem& m, uint8_t imm);

  // Writes a rel field at `field` (offset `field_off`) for label l, or
  // records a fixup when l is not bound yet (after the commit succeeds).
  bool relField(uint8_t* field, size_t field_off, uint32_t label, unsigned size, unsigned tail,
                int64_t addend);
  void addFixup(size_t field_off, uint32_t label, unsigned size, unsigned tail);
  int64_t targetOffset(const void* p) const;

  uint8_t* buf_ = nullptr;
  size_t cap_ = 0;
  size_t pos_ = 0;
  bool overflow_ = false;
  bool range_error_ = false;
  std::vector<int64_t> labels_;   // offset from buf_, or kUnbound
  std::vector<Fixup> fixups_;
  uint8_t scratch_[kMaxInsn];
};

}  // namespace mimic::x64
