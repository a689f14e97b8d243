#include "backend/x86_64/codegen.h"

#include <sys/mman.h>

#include <array>
#include <cstring>

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "backend/x86_64/assembler.h"
#include "backend/x86_64/regalloc.h"
#include "tcg/exec.h"
#include "tcg/fastmem.h"
#include "tcg/softmmu.h"
#include "util/log.h"

namespace mimic::x64 {

using tcg::Cond;
using tcg::Opcode;
using tcg::Type;
using tcg::Value;

namespace {

// At most one slot per temp; blocks stay well below this many temps.
constexpr unsigned kMaxSlots = 4096;
// Frame below the saved registers: spill slots, then 8 bytes per helper
// argument staged during a call. Keeps rsp 16-byte aligned at calls.
constexpr int32_t kArgStage = kMaxSlots * 8;
constexpr int32_t kFrameSize = kArgStage + 8 * 8 + 8;
constexpr Reg kEnv = Reg::rbp;

Cc ccOf(Cond c) {
  switch (c) {
    case Cond::EQ: return Cc::e;
    case Cond::NE: return Cc::ne;
    case Cond::LT: return Cc::l;
    case Cond::GE: return Cc::ge;
    case Cond::LE: return Cc::le;
    case Cond::GT: return Cc::g;
    case Cond::LTU: return Cc::b;
    case Cond::GEU: return Cc::ae;
    case Cond::LEU: return Cc::be;
    case Cond::GTU: return Cc::a;
    default: return Cc::e;
  }
}

W widthOf(Type t) { return t == Type::I32 ? W::d : W::q; }

// Field offsets of TranslationBlock that generated code reads (it is not
// standard-layout, but these leading fields are laid out plainly).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
constexpr int32_t kTbPcOffset = int32_t(offsetof(tcg::TranslationBlock, pc));
constexpr int32_t kTbFlagsOffset = int32_t(offsetof(tcg::TranslationBlock, flags));
constexpr int32_t kTbCodeOffset = int32_t(offsetof(tcg::TranslationBlock, code));
#pragma GCC diagnostic pop

bool fitsImm32(const Value& v) {
  if (v.type == Type::I32) return true;   // 32-bit ops take any 32-bit immediate
  return int64_t(v.imm) == int64_t(int32_t(v.imm));
}

// The lookup helper behind goto_ptr: host code of the block at the current
// PC, or null to go back to the execution loop.
const void* lookupCode(tcg::CpuCommon* c) {
  if (c->exit_request || log::enabled(log::kNoChain | log::kExec | log::kCpu)) return nullptr;
  tcg::Cpu& cpu = *c->cpu;
  tcg::TranslationBlock* tb = cpu.engine().lookupForGotoPtr(cpu.pc(), cpu.tbFlags());
  return tb ? tb->code : nullptr;
}

class Codegen final : public tcg::Backend {
 public:
  Codegen(tcg::Cpu& cpu, tcg::ExecEngine& engine, size_t size)
      : cpu_(cpu), engine_(engine), ti_(cpu.targetInfo()), windows_(cpu.directWindows()), size_(size) {
    // The hot tier's block counters follow the code in the same mapping
    // (within rel32 reach of every block, so a block counts with one
    // rip-relative instruction), on pages of their own: never executed,
    // and no store to them lands on a line holding code.
    counter_bytes_ = ((size_ / 16) + 4095) & ~size_t(4095);
    void* p = mmap(nullptr, size_ + counter_bytes_, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("cannot map the code buffer");
    buf_ = static_cast<uint8_t*>(p);
    // Huge pages where the host allows them (transparent_hugepage=madvise,
    // Debian's default): code is written once into fresh memory, and a
    // fault per 4 KiB was a tenth of the time of code that retranslates
    // (the smc kernel); the guest's hot code also needs fewer iTLB entries.
    madvise(buf_, size_, MADV_HUGEPAGE);
    counters_ = reinterpret_cast<uint32_t*>(buf_ + size_);
    mprotect(counters_, counter_bytes_, PROT_READ | PROT_WRITE);
    emitTrampolines();
  }
  ~Codegen() override { munmap(buf_, size_ + counter_bytes_); }

  const char* name() const override { return "x86_64"; }
  bool canChain() const override { return true; }

  bool compile(const tcg::Block& b, tcg::TranslationBlock& tb) override;
  bool recompile(const tcg::Block& b, tcg::TranslationBlock& tb) override;

  uintptr_t execute(void* env, tcg::TranslationBlock* tb) override {
    using Enter = uintptr_t (*)(void*, const void*);
    return reinterpret_cast<Enter>(enter_)(env, tb->code);
  }

  void chain(tcg::TranslationBlock& from, int slot, tcg::TranslationBlock& to) override {
    Assembler::patchJmpRel32(from.code + from.jmp_offset[slot], to.code);
  }
  void unchain(tcg::TranslationBlock& from, int slot) override {
    Assembler::patchJmpRel32(from.code + from.jmp_offset[slot], from.code + from.jmp_reset_offset[slot]);
  }
  void flushCode() override {
    if (tcg::Fastmem* fm = cpu_.common().fastmem)
      fm->removeSites(reinterpret_cast<uintptr_t>(buf_), reinterpret_cast<uintptr_t>(buf_ + size_));
    used_ = tramp_size_;
    counters_used_ = 0;
    by_code_.clear();
  }
  // The sampler's question (async-signal-safe: by_code_ only changes
  // outside generated code, and only generated code is looked up).
  tcg::TranslationBlock* blockAt(uintptr_t host_pc) const override {
    if (host_pc < uintptr_t(buf_) || host_pc >= uintptr_t(buf_ + used_) || by_code_.empty()) return nullptr;
    size_t lo = 0, hi = by_code_.size();   // the last block starting at or before host_pc
    while (hi - lo > 1) {
      const size_t mid = (lo + hi) / 2;
      (uintptr_t(by_code_[mid]->code) <= host_pc ? lo : hi) = mid;
    }
    tcg::TranslationBlock* tb = by_code_[lo];
    const uintptr_t start = uintptr_t(tb->code);
    return host_pc >= start && host_pc < start + tb->code_size ? tb : nullptr;
  }

  bool redirect(tcg::TranslationBlock& tb, void* fn, uint32_t entry, uint64_t* entries) override {
    if (tb.entry_jmp_offset == tcg::kNoJump || used_ + 256 > size_) return false;
    // A trampoline from the blocks' convention (env in rbp, frame set up,
    // rsp aligned as at helper calls) to a C call of the region at the
    // block's entry. It first does what the block's own entry does (leave
    // if the loop asked), so that going from region to region through the
    // jump cache cannot keep the loop waiting. The region's exits then go
    // on as a block's would: 0 (exit_tb: a mode may have changed) to the
    // loop; 1 (goto_ptr) and goto_tb exits out of the region through the
    // jump cache under the region's flags, else to the loop.
    uint8_t* at = buf_ + used_;
    a_.reset(at, size_ - used_);
    tb_ = &tb;   // probeJumpCache reads the flags
    Label to_loop = a_.newLabel(), miss = a_.newLabel(), exit_req = a_.newLabel();
    a_.cmp(W::d, commonMem(offsetof(tcg::CpuCommon, exit_request)), 0);
    a_.jcc(Cc::ne, exit_req);
    a_.mov(W::q, Reg::rax, int64_t(reinterpret_cast<uintptr_t>(entries)));
    a_.add(W::q, Mem::at(Reg::rax, 0), 1);
    a_.mov(W::q, Reg::rdi, kEnv);
    a_.mov(W::d, Reg::rsi, int64_t(entry));
    a_.mov(W::q, Reg::rax, int64_t(reinterpret_cast<uintptr_t>(fn)));
    a_.call(Reg::rax);
    a_.test(W::q, Reg::rax, Reg::rax);
    a_.jcc(Cc::e, to_loop);
    a_.mov(W::q, Mem::at(Reg::rsp, kArgStage), Reg::rax);
    if (ti_.pc_is_64bit) a_.mov(W::q, Reg::rax, envMem(ti_.pc_offset));
    else a_.mov(W::d, Reg::rax, envMem(ti_.pc_offset));
    probeJumpCache(miss);
    a_.bind(miss);
    a_.mov(W::q, Reg::rax, Mem::at(Reg::rsp, kArgStage));
    a_.cmp(W::q, Reg::rax, 1);
    a_.jcc(Cc::ne, to_loop);
    a_.xor_(W::d, Reg::rax, Reg::rax);
    a_.bind(to_loop);
    a_.jmpAbs(epilogue_);
    a_.bind(exit_req);
    setPcImm(tb.pc);
    a_.xor_(W::d, Reg::rax, Reg::rax);
    a_.jmpAbs(epilogue_);
    if (!a_.ok()) return false;
    used_ += (a_.size() + 15) & ~size_t(15);
    if (entry_is_check_) {
      // The block's first instruction (its check of the loop's requests,
      // which the trampoline makes too) becomes a jump there. Only the CPU
      // thread runs blocks, and it is here, in the loop, not in one.
      uint8_t jmp[5] = {0xE9};
      const int32_t d = int32_t(intptr_t(at) - intptr_t(tb.code + 5));
      std::memcpy(jmp + 1, &d, 4);
      std::memcpy(tb.code, jmp, 5);
    } else {
      Assembler::patchJmpRel32(tb.code + tb.entry_jmp_offset, at);
    }
    return true;
  }
  void unredirect(tcg::TranslationBlock& tb) override {
    if (tb.entry_jmp_offset == tcg::kNoJump) return;
    if (entry_is_check_) {
      std::memcpy(tb.code, entry_check_.data(), 5);
      return;
    }
    uint8_t* jmp = tb.code + tb.entry_jmp_offset;
    Assembler::patchJmpRel32(jmp, jmp + 5);
  }

  std::string disassemble(const tcg::TranslationBlock& tb) const override;

 private:
  void emitTrampolines();
  // Code for b at start, in at most capacity bytes (false if it does not
  // fit); counter: the block's hot counter, if blocks count.
  bool emitBlock(const tcg::Block& b, tcg::TranslationBlock& tb, uint8_t* start, size_t capacity, uint32_t* counter);
  // Blocks own their code in multiples of this: a block translated again
  // after its guest code changed (self-modifying code, a guest's own JIT)
  // often fits the space the old translation had.
  static constexpr size_t kCodeGranule = 32;

  // ---- emission helpers
  Location loc(const Value& v) const { return alloc_.loc[v.temp]; }
  Mem slotMem(uint16_t slot) const { return Mem::at(Reg::rsp, int32_t(slot) * 8); }
  Mem envMem(uint32_t off) const { return Mem::at(kEnv, int32_t(off)); }
  Mem commonMem(size_t field) const { return Mem::at(kEnv, int32_t(ti_.common_offset + field)); }
  // A register holding v: its own, or `scratch` loaded with it.
  Reg src(const Value& v, Reg scratch);
  // Where to compute d: its register, or `scratch` (then finish() stores it).
  Reg dstReg(const Value& d, Reg scratch) {
    const Location l = loc(d);
    return l.kind == Location::InReg ? l.reg : scratch;
  }
  void finish(const Value& d, Reg r) {
    const Location l = loc(d);
    if (l.kind == Location::OnStack) a_.mov(widthOf(d.type), slotMem(l.slot), r);
  }
  bool inReg(const Value& v, Reg r) const { return v.isTemp() && loc(v).kind == Location::InReg && loc(v).reg == r; }
  void movTo(W w, Reg dst, const Value& v);
  void cmpValues(const Value& x, const Value& y);
  void storePcInfo(uint64_t info);
  void setPc(const Value& v);
  void setPcImm(uint64_t pc);
  void exitToLoop(uint64_t ret);
  void probeJumpCache(Label miss);

  void emitOp(const tcg::Op& op, uint32_t index);
  void emitBinary(const tcg::Op& op);
  void emitShift(const tcg::Op& op);
  void emitDivision(const tcg::Op& op);
  void emitUnary(const tcg::Op& op);
  void emitLoadStore(const tcg::Op& op, uint32_t index);
  void emitCall(const tcg::Op& op);
  bool emitFloatFastPath(const tcg::Op& op, uint32_t index);

  // Out-of-line code emitted after the block body.
  struct SlowPath {
    Label entry, resume;
    const tcg::Op* op;
    uint32_t index;
    // A load in a direct window: the TLB probe is out of line too, from
    // `probe` back to `access`, where the load reads [rax + window_disp]
    // (RAM below 2 GiB: its host address), or else [rcx + rax].
    bool probe_out_of_line = false;
    Label probe{}, access{};
    int32_t window_disp = 0;
    // An access through host-mapped pages (tcg/fastmem.h): the access
    // instruction at `site` may fault (resume at `entry`) or be patched
    // into a jump to `probe`, an out-of-line TLB probe and access.
    bool fastmem = false;
    size_t site = 0;
  };
  size_t emitAccess(const tcg::Op& op, Mem host);
  void emitTlbProbe(const tcg::Op& op, Label miss);
  void emitSlowPath(const SlowPath& sp);
  std::vector<Reg> liveCallerSaved(uint32_t index, const tcg::Op& op) const;

  tcg::Cpu& cpu_;
  tcg::ExecEngine& engine_;
  const tcg::TargetInfo& ti_;
  const std::array<tcg::Cpu::DirectWindow, tcg::kMaxMmuModes> windows_;   // per MMU mode (emitLoadStore)
  size_t size_;
  uint8_t* buf_ = nullptr;
  size_t used_ = 0;
  size_t tramp_size_ = 0;
  const uint8_t* enter_ = nullptr;
  const uint8_t* epilogue_ = nullptr;   // returns rax to the loop
  Assembler a_{nullptr, 0};
  Allocation alloc_;
  std::vector<Label> labels_;
  std::vector<SlowPath> slow_;
  tcg::TranslationBlock* tb_ = nullptr;
  const tcg::Block* block_ = nullptr;
  // The hot tier's counters (one per block, reset with the code).
  uint32_t* counters_ = nullptr;
  size_t counter_bytes_ = 0;
  size_t counters_used_ = 0;
  uint32_t* allocCounter() { return counters_used_ < counter_bytes_ / 4 ? &counters_[counters_used_++] : nullptr; }
  // Every block's first instruction (its check of exit_request), as
  // encoded; when it is at least a jump long, redirect() overwrites it.
  std::vector<uint8_t> entry_check_;
  bool entry_is_check_ = false;
  // The blocks compiled under the hot tier, in code order (the buffer
  // fills upward): the sampler finds a host PC's block here.
  std::vector<tcg::TranslationBlock*> by_code_;
  bool have_lzcnt_ = Assembler::hostHasLzcnt();
};

void Codegen::emitTrampolines() {
  uint8_t check[32];
  a_.reset(check, sizeof check);
  a_.cmp(W::d, commonMem(offsetof(tcg::CpuCommon, exit_request)), 0);
  entry_check_.assign(check, check + a_.size());
  entry_is_check_ = entry_check_.size() >= 5;
  a_.reset(buf_, size_);
  // enter(env, code): save the callee-saved registers, set up the frame,
  // and jump into a block. Blocks leave through the epilogue with rax set.
  enter_ = a_.cursor();
  for (Reg r : {Reg::rbp, Reg::rbx, Reg::r12, Reg::r13, Reg::r14, Reg::r15}) a_.push(r);
  a_.sub(W::q, Reg::rsp, kFrameSize);
  a_.mov(W::q, kEnv, Reg::rdi);
  a_.jmp(Reg::rsi);
  a_.align(16);
  epilogue_ = a_.cursor();
  a_.add(W::q, Reg::rsp, kFrameSize);
  for (Reg r : {Reg::r15, Reg::r14, Reg::r13, Reg::r12, Reg::rbx, Reg::rbp}) a_.pop(r);
  a_.ret();
  a_.align(64);
  tramp_size_ = used_ = a_.size();
}

Reg Codegen::src(const Value& v, Reg scratch) {
  if (v.isConst()) {
    a_.mov(widthOf(v.type), scratch, int64_t(v.imm));
    return scratch;
  }
  const Location l = loc(v);
  if (l.kind == Location::InReg) return l.reg;
  a_.mov(widthOf(v.type), scratch, slotMem(l.slot));
  return scratch;
}

void Codegen::movTo(W w, Reg dst, const Value& v) {
  if (v.isConst()) {
    a_.mov(w, dst, int64_t(v.imm));
    return;
  }
  const Location l = loc(v);
  if (l.kind == Location::InReg) {
    if (l.reg != dst) a_.mov(w, dst, l.reg);
  } else {
    a_.mov(w, dst, slotMem(l.slot));
  }
}

void Codegen::cmpValues(const Value& x, const Value& y) {
  const W w = widthOf(x.type);
  Reg rx = src(x, Reg::rax);
  if (y.isConst() && fitsImm32(y)) {
    a_.cmp(w, rx, int32_t(y.imm));
  } else if (y.isTemp() && loc(y).kind == Location::OnStack) {
    a_.cmp(w, rx, slotMem(loc(y).slot));
  } else {
    a_.cmp(w, rx, src(y, Reg::rcx));
  }
}

void Codegen::storePcInfo(uint64_t info) {
  a_.mov(W::d, commonMem(offsetof(tcg::CpuCommon, pc_info)), int32_t(uint32_t(info)));
  a_.mov(W::d, commonMem(offsetof(tcg::CpuCommon, pc_info) + 4), int32_t(uint32_t(info >> 32)));
}

void Codegen::setPcImm(uint64_t pc) {
  if (ti_.pc_is_64bit) {
    a_.mov(W::q, Reg::rax, int64_t(pc));
    a_.mov(W::q, envMem(ti_.pc_offset), Reg::rax);
  } else {
    a_.mov(W::d, envMem(ti_.pc_offset), int32_t(uint32_t(pc)));
  }
}

void Codegen::setPc(const Value& v) {
  if (v.isConst()) return setPcImm(v.imm);
  const W w = ti_.pc_is_64bit ? W::q : W::d;
  a_.mov(w, envMem(ti_.pc_offset), src(v, Reg::rax));
}

// rax holds a guest PC: enter its block if the jump cache has it for this
// block's mode flags, else go on at `miss`. Same hash and slot pairs as
// ExecEngine::jcIndex and jumpCacheFind. Invalidated blocks are never left
// in the cache, and the target checks exit_request itself.
void Codegen::probeJumpCache(Label miss) {
  // Traces (-d exec, cpu) and -d nochain need every block to pass the loop.
  if (log::enabled(log::kNoChain | log::kExec | log::kCpu)) {
    a_.jmp(miss);
    return;
  }
  static_assert(tcg::ExecEngine::kJumpCacheSize == 4096, "the hash below is ExecEngine::jcIndex");
  a_.mov(W::q, Reg::rcx, Reg::rax);
  a_.shr(W::q, Reg::rcx, 6);
  a_.mov(W::q, Reg::rdx, Reg::rcx);   // ((pc ^ pc >> 6) >> 2) & 0x3f
  a_.xor_(W::q, Reg::rdx, Reg::rax);
  a_.shr(W::q, Reg::rdx, 2);
  a_.and_(W::d, Reg::rdx, 0x3f);
  a_.and_(W::d, Reg::rcx, 0xfc0);
  a_.or_(W::d, Reg::rcx, Reg::rdx);
  // The block's own slot, then the other of the pair (ExecEngine::setJumpCache).
  Label other = a_.newLabel();
  for (int attempt = 0; attempt < 2; attempt++) {
    const Label not_here = attempt == 0 ? other : miss;
    if (attempt == 1) {
      a_.bind(other);
      a_.xor_(W::d, Reg::rcx, 1);
    }
    a_.mov(W::q, Reg::rdx, commonMem(offsetof(tcg::CpuCommon, jmp_cache)));
    a_.mov(W::q, Reg::rdx, Mem::idx(Reg::rdx, Reg::rcx, 8, 0));
    a_.test(W::q, Reg::rdx, Reg::rdx);
    a_.jcc(Cc::e, not_here);
    a_.cmp(W::q, Reg::rax, Mem::at(Reg::rdx, kTbPcOffset));
    a_.jcc(Cc::ne, not_here);
    a_.cmp(W::d, Mem::at(Reg::rdx, kTbFlagsOffset), int32_t(tb_->flags));
    a_.jcc(Cc::ne, not_here);
    a_.jmp(Mem::at(Reg::rdx, kTbCodeOffset));
  }
}

void Codegen::exitToLoop(uint64_t ret) {
  if (ret == 0) a_.xor_(W::d, Reg::rax, Reg::rax);
  else a_.mov(W::q, Reg::rax, int64_t(ret));
  a_.jmpAbs(epilogue_);
}

bool Codegen::compile(const tcg::Block& b, tcg::TranslationBlock& tb) {
  if (used_ + 4096 > size_) return false;
  const bool tiering = engine_.hotTierEnabled();
  uint32_t* counter = tiering && engine_.hotCounting() ? allocCounter() : nullptr;
  if (!emitBlock(b, tb, buf_ + used_, size_ - used_, counter)) return false;
  tb.code_capacity = uint32_t((tb.code_size + kCodeGranule - 1) & ~(kCodeGranule - 1));
  used_ += tb.code_capacity;
  if (tiering) by_code_.push_back(&tb);
  return true;
}

bool Codegen::recompile(const tcg::Block& b, tcg::TranslationBlock& tb) {
  // The block keeps its place in by_code_: same code address, same block.
  if (!tb.code || !tb.code_capacity) return false;
  return emitBlock(b, tb, tb.code, tb.code_capacity, tb.hot_counter);
}

bool Codegen::emitBlock(const tcg::Block& b, tcg::TranslationBlock& tb, uint8_t* start, size_t capacity,
                        uint32_t* counter) {
  block_ = &b;
  tb_ = &tb;
  allocateRegisters(b, alloc_, kMaxSlots);
  if (alloc_.slots_used > kMaxSlots) {
    throw std::runtime_error("block needs too many spill slots");
  }
  a_.reset(start, capacity);
  labels_.clear();
  for (uint32_t i = 0; i < b.num_labels; i++) labels_.push_back(a_.newLabel());
  slow_.clear();

  // The hot tier: the block's entry becomes a jump to its region's
  // trampoline once one is installed (redirect). That is its first
  // instruction when it is at least a jump long, else a patchable jump to
  // the next instruction is put first.
  const bool tiering = engine_.hotTierEnabled();
  if (tiering) tb.entry_jmp_offset = entry_is_check_ ? 0 : uint32_t(a_.jmpRel32Patchable());
  // Leave before running if the loop asked (interrupt, timer, stop).
  Label exit_req = a_.newLabel();
  a_.cmp(W::d, commonMem(offsetof(tcg::CpuCommon, exit_request)), 0);
  a_.jcc(Cc::ne, exit_req);
  // ... and count down to hot.
  Label hot = a_.newLabel();
  tb.hot_counter = counter;
  if (counter) {
    *counter = engine_.hotThreshold();
    a_.sub(W::d, Mem::rel(a_.labelAt(counter)), 1);
    a_.jcc(Cc::e, hot);
  }
  // -icount: take this block's instructions from the budget; the block that
  // uses it up runs to its end and the next one leaves (tcg/timer.h).
  if (engine_.timers().icount()) {
    Label in_budget = a_.newLabel();
    a_.sub(W::d, commonMem(offsetof(tcg::CpuCommon, icount_budget)), int32_t(tb.num_insns));
    a_.jcc(Cc::g, in_budget);
    a_.mov(W::d, commonMem(offsetof(tcg::CpuCommon, exit_request)), 1);
    a_.bind(in_budget);
  }

  for (uint32_t i = 0; i < b.ops.size(); i++) emitOp(b.ops[i], i);

  for (const SlowPath& sp : slow_) emitSlowPath(sp);
  a_.bind(exit_req);
  setPcImm(tb.pc);
  exitToLoop(0);
  if (counter) {
    a_.bind(hot);
    setPcImm(tb.pc);
    exitToLoop(tcg::encodeExit(&tb, tcg::kHotExitSlot));
  }

  if (!a_.ok()) return false;
  tb.code = start;
  tb.code_size = uint32_t(a_.size());
  if (tcg::Fastmem* fm = cpu_.common().fastmem) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(start);
    fm->removeSites(at, at + capacity);   // an earlier translation's, where this one went
    for (const SlowPath& sp : slow_)
      if (sp.fastmem) fm->addSite(at + sp.site, at + a_.offsetOf(sp.entry), at + a_.offsetOf(sp.probe));
  }
  return true;
}

void Codegen::emitOp(const tcg::Op& op, uint32_t index) {
  const W w = widthOf(op.type);
  switch (op.opc) {
    case Opcode::mov: {
      const Value& d = op.args[0];
      Reg r = dstReg(d, Reg::rax);
      movTo(w, r, op.args[1]);
      finish(d, r);
      break;
    }
    case Opcode::add: case Opcode::sub: case Opcode::mul:
    case Opcode::and_: case Opcode::or_: case Opcode::xor_:
      emitBinary(op);
      break;
    case Opcode::shl: case Opcode::shr: case Opcode::sar: case Opcode::rotr:
      emitShift(op);
      break;
    case Opcode::divs: case Opcode::divu: case Opcode::rems: case Opcode::remu:
      emitDivision(op);
      break;
    case Opcode::not_: case Opcode::neg: case Opcode::clz: case Opcode::bswap16: case Opcode::bswap32:
    case Opcode::bswap64: case Opcode::sext8: case Opcode::sext16: case Opcode::zext8: case Opcode::zext16:
    case Opcode::sext32: case Opcode::zext32: case Opcode::trunc: case Opcode::extract: case Opcode::sextract:
      emitUnary(op);
      break;
    case Opcode::deposit: {
      const unsigned pos = op.fieldPos(), len = op.fieldLen();
      const uint64_t field = (len == 64 ? ~0ull : (1ull << len) - 1);
      const uint64_t mask = (field << pos) & tcg::typeMask(op.type);
      // rcx = (b << pos) & mask; rdx = mask; d = (a & ~mask) | rcx
      movTo(w, Reg::rcx, op.args[2]);
      if (pos) a_.shl(w, Reg::rcx, uint8_t(pos));
      a_.mov(w, Reg::rdx, int64_t(mask));
      a_.and_(w, Reg::rcx, Reg::rdx);
      a_.not_(w, Reg::rdx);
      Reg d = dstReg(op.args[0], Reg::rax);
      movTo(w, d, op.args[1]);
      a_.and_(w, d, Reg::rdx);
      a_.or_(w, d, Reg::rcx);
      finish(op.args[0], d);
      break;
    }
    case Opcode::setcond: {
      cmpValues(op.args[1], op.args[2]);
      a_.setcc(ccOf(op.cond), Reg::rax);
      Reg d = dstReg(op.args[0], Reg::rax);
      a_.movzx8(W::d, d, Reg::rax);
      finish(op.args[0], d);
      break;
    }
    case Opcode::movcond: {
      const Value& d = op.args[0];
      const Value& t = op.args[3];
      const Value& f = op.args[4];
      cmpValues(op.args[1], op.args[2]);
      Reg dr = dstReg(d, Reg::rdx);
      // The true value must survive writing the false value into dr.
      Reg tr;
      if (t.isTemp() && loc(t).kind == Location::InReg && loc(t).reg != dr) tr = loc(t).reg;
      else { movTo(w, Reg::rcx, t); tr = Reg::rcx; }
      movTo(w, dr, f);   // mov never touches the flags
      a_.cmov(w, ccOf(op.cond), dr, tr);
      finish(d, dr);
      break;
    }
    case Opcode::get: {
      Reg d = dstReg(op.args[0], Reg::rax);
      a_.mov(w, d, envMem(op.aux));
      finish(op.args[0], d);
      break;
    }
    case Opcode::put: {
      const Value& v = op.args[0];
      const W vw = widthOf(v.type);
      if (v.isConst() && fitsImm32(v)) a_.mov(vw, envMem(op.aux), int32_t(v.imm));
      else a_.mov(vw, envMem(op.aux), src(v, Reg::rax));
      break;
    }
    case Opcode::load:
    case Opcode::store:
      emitLoadStore(op, index);
      break;
    case Opcode::call:
      if (!emitFloatFastPath(op, index)) emitCall(op);
      break;
    case Opcode::label:
      a_.bind(labels_[op.aux]);
      break;
    case Opcode::br:
      a_.jmp(labels_[op.aux]);
      break;
    case Opcode::brcond:
      cmpValues(op.args[0], op.args[1]);
      a_.jcc(ccOf(op.cond), labels_[op.aux]);
      break;
    case Opcode::goto_tb: {
      const int slot = int(op.aux & 1);
      // A patchable jump: to the next instruction until chained.
      size_t at = a_.jmpRel32Patchable();
      tb_->jmp_offset[slot] = uint32_t(at);
      tb_->jmp_reset_offset[slot] = uint32_t(a_.size());
      tb_->jmp_target_pc[slot] = op.aux64;
      setPcImm(op.aux64);
      // A jump the loop may chain goes back to it once, to be chained. One
      // it never may (into another, mapped page) probes the jump cache
      // instead of paying the loop every time.
      if (!engine_.mayChain(tb_->pc, op.aux64, tb_->flags)) {
        Label miss = a_.newLabel();
        a_.mov(ti_.pc_is_64bit ? W::q : W::d, Reg::rax, int64_t(op.aux64));
        probeJumpCache(miss);
        a_.bind(miss);
      }
      exitToLoop(tcg::encodeExit(tb_, slot));
      break;
    }
    case Opcode::goto_ptr: {
      setPc(op.args[0]);
      Label miss = a_.newLabel();
      movTo(ti_.pc_is_64bit ? W::q : W::d, Reg::rax, op.args[0]);
      probeJumpCache(miss);
      a_.bind(miss);
      a_.lea(W::q, Reg::rdi, commonMem(0));
      a_.callAbs(reinterpret_cast<const void*>(&lookupCode));
      a_.test(W::q, Reg::rax, Reg::rax);
      Label to_loop = a_.newLabel();
      a_.jcc(Cc::e, to_loop);
      a_.jmp(Reg::rax);
      a_.bind(to_loop);
      a_.jmpAbs(epilogue_);   // rax is 0
      break;
    }
    case Opcode::exit_tb:
      setPc(op.args[0]);
      exitToLoop(0);
      break;
    case Opcode::insn_start:
      break;
    case Opcode::count_:
      break;
  }
}

void Codegen::emitBinary(const tcg::Op& op) {
  const W w = widthOf(op.type);
  const Value& d = op.args[0];
  Value x = op.args[1], y = op.args[2];
  const bool commutative = op.def().flags & tcg::OPF_COMMUTATIVE;
  Reg dr = dstReg(d, Reg::rax);
  // d = x op y computed in place in dr: y must not live in dr.
  if (inReg(y, dr) && !(x == y)) {
    if (commutative) std::swap(x, y);
    else dr = Reg::rax;
  }
  movTo(w, dr, x);
  auto apply = [&](auto regForm, auto memForm, auto immForm) {
    if (y.isConst() && fitsImm32(y)) (a_.*immForm)(w, dr, int32_t(y.imm));
    else if (y.isTemp() && loc(y).kind == Location::OnStack) (a_.*memForm)(w, dr, slotMem(loc(y).slot));
    else (a_.*regForm)(w, dr, src(y, Reg::rcx));
  };
  using RR = void (Assembler::*)(W, Reg, Reg);
  using RM = void (Assembler::*)(W, Reg, const Mem&);
  using RI = void (Assembler::*)(W, Reg, int32_t);
  switch (op.opc) {
    case Opcode::add: apply(RR(&Assembler::add), RM(&Assembler::add), RI(&Assembler::add)); break;
    case Opcode::sub: apply(RR(&Assembler::sub), RM(&Assembler::sub), RI(&Assembler::sub)); break;
    case Opcode::and_: apply(RR(&Assembler::and_), RM(&Assembler::and_), RI(&Assembler::and_)); break;
    case Opcode::or_: apply(RR(&Assembler::or_), RM(&Assembler::or_), RI(&Assembler::or_)); break;
    case Opcode::xor_: apply(RR(&Assembler::xor_), RM(&Assembler::xor_), RI(&Assembler::xor_)); break;
    case Opcode::mul:
      if (y.isTemp() && loc(y).kind == Location::OnStack) a_.imul(w, dr, slotMem(loc(y).slot));
      else if (y.isConst() && fitsImm32(y)) a_.imul(w, dr, dr, int32_t(y.imm));
      else a_.imul(w, dr, src(y, Reg::rcx));
      break;
    default: break;
  }
  if (dr != dstReg(d, Reg::rax)) {
    Reg real = dstReg(d, Reg::rax);
    a_.mov(w, real, dr);
    dr = real;
  }
  finish(d, dr);
}

void Codegen::emitShift(const tcg::Op& op) {
  const W w = widthOf(op.type);
  const unsigned bits = tcg::typeBits(op.type);
  const Value& d = op.args[0];
  const Value& x = op.args[1];
  const Value& y = op.args[2];
  Reg dr = dstReg(d, Reg::rax);
  if (y.isConst()) {
    movTo(w, dr, x);
    const uint8_t n = uint8_t(y.imm & (bits - 1));
    switch (op.opc) {
      case Opcode::shl: a_.shl(w, dr, n); break;
      case Opcode::shr: a_.shr(w, dr, n); break;
      case Opcode::sar: a_.sar(w, dr, n); break;
      default: a_.ror(w, dr, n); break;
    }
    finish(d, dr);
    return;
  }
  // The count goes to cl first, so dr may alias y.
  movTo(W::d, Reg::rcx, y);
  if (dr == Reg::rcx) dr = Reg::rax;
  movTo(w, dr, x);
  switch (op.opc) {
    case Opcode::shl: a_.shlCl(w, dr); break;
    case Opcode::shr: a_.shrCl(w, dr); break;
    case Opcode::sar: a_.sarCl(w, dr); break;
    default: a_.rorCl(w, dr); break;
  }
  finish(d, dr);
}

void Codegen::emitDivision(const tcg::Op& op) {
  const W w = widthOf(op.type);
  const bool is_signed = op.opc == Opcode::divs || op.opc == Opcode::rems;
  const bool rem = op.opc == Opcode::rems || op.opc == Opcode::remu;
  movTo(w, Reg::rcx, op.args[2]);
  movTo(w, Reg::rax, op.args[1]);
  if (is_signed) {
    if (w == W::d) a_.cdq();
    else a_.cqo();
    a_.idiv(w, Reg::rcx);
  } else {
    a_.xor_(W::d, Reg::rdx, Reg::rdx);
    a_.div(w, Reg::rcx);
  }
  Reg res = rem ? Reg::rdx : Reg::rax;
  Reg dr = dstReg(op.args[0], res);
  if (dr != res) a_.mov(w, dr, res);
  finish(op.args[0], dr);
}

void Codegen::emitUnary(const tcg::Op& op) {
  const W w = widthOf(op.type);
  const Value& d = op.args[0];
  const Value& x = op.args[1];
  const unsigned bits = tcg::typeBits(op.type);
  Reg dr = dstReg(d, Reg::rax);
  switch (op.opc) {
    case Opcode::not_: movTo(w, dr, x); a_.not_(w, dr); break;
    case Opcode::neg: movTo(w, dr, x); a_.neg(w, dr); break;
    case Opcode::clz:
      if (have_lzcnt_) {
        a_.lzcnt(w, dr, src(x, Reg::rcx));
      } else {
        // bsr leaves ZF set for 0: use -1 then, so width-1-(-1) = width.
        Reg xs = src(x, Reg::rcx);
        a_.mov(W::d, Reg::rdx, -1);
        a_.bsr(w, Reg::rax, xs);
        a_.cmov(w, Cc::e, Reg::rax, Reg::rdx);
        a_.mov(w, Reg::rdx, int64_t(bits - 1));
        a_.sub(w, Reg::rdx, Reg::rax);
        a_.mov(w, dr, Reg::rdx);
      }
      break;
    case Opcode::bswap16: {
      Reg xs = src(x, Reg::rcx);
      a_.movzx16(W::d, dr, xs);
      a_.bswap16(dr);
      break;
    }
    case Opcode::bswap32: movTo(W::d, dr, x); a_.bswap(W::d, dr); break;
    case Opcode::bswap64: movTo(W::q, dr, x); a_.bswap(W::q, dr); break;
    case Opcode::sext8: a_.movsx8(w, dr, src(x, Reg::rcx)); break;
    case Opcode::sext16: a_.movsx16(w, dr, src(x, Reg::rcx)); break;
    case Opcode::zext8: a_.movzx8(W::d, dr, src(x, Reg::rcx)); break;
    case Opcode::zext16: a_.movzx16(W::d, dr, src(x, Reg::rcx)); break;
    case Opcode::sext32: a_.movsxd(dr, src(x, Reg::rcx)); break;
    case Opcode::zext32:
      // An i32 in a register is already zero-extended.
      movTo(W::d, dr, x);
      break;
    case Opcode::trunc:
      // Always emit the 32-bit move, even within one register: it is what
      // clears the upper half of the i64 (i32 values live zero-extended).
      if (x.isTemp() && loc(x).kind == Location::InReg) a_.mov(W::d, dr, loc(x).reg);
      else movTo(W::d, dr, x);
      break;
    case Opcode::extract:
    case Opcode::sextract: {
      const unsigned pos = op.fieldPos(), len = op.fieldLen();
      movTo(w, dr, x);
      if (pos + len < bits) a_.shl(w, dr, uint8_t(bits - pos - len));
      if (len < bits) {
        if (op.opc == Opcode::extract) a_.shr(w, dr, uint8_t(bits - len));
        else a_.sar(w, dr, uint8_t(bits - len));
      }
      break;
    }
    default: break;
  }
  finish(d, dr);
}

// Caller-saved registers holding temps that are live after op `index`
// (excluding what the op itself defines): the slow path preserves them.
std::vector<Reg> Codegen::liveCallerSaved(uint32_t index, const tcg::Op& op) const {
  std::vector<Reg> regs;
  const unsigned outs = op.numOutputs();
  for (uint32_t t = 0; t < alloc_.loc.size(); t++) {
    const Location& l = alloc_.loc[t];
    if (l.kind != Location::InReg || !isCallerSaved(l.reg)) continue;
    if (alloc_.start[t] <= index && alloc_.end[t] > index) {
      if (outs && op.args[0].temp == t) continue;
      if (std::find(regs.begin(), regs.end(), l.reg) == regs.end()) regs.push_back(l.reg);
    }
  }
  return regs;
}

// rdx = guest address (zero-extended) on entry, host address on a hit;
// rax = TLB entry offset, rcx = tag to compare.
void Codegen::emitTlbProbe(const tcg::Op& op, Label miss) {
  const bool is_load = op.opc == Opcode::load;
  const tcg::MemOp m = tcg::MemOp::unpack(op.aux);
  const Value& addr = is_load ? op.args[1] : op.args[0];
  const W aw = addr.type == Type::I64 ? W::q : W::d;
  a_.mov(aw, Reg::rax, Reg::rdx);
  a_.shr(aw, Reg::rax, uint8_t(tcg::kPageBits - 5));
  a_.and_(W::d, Reg::rax, int32_t((tcg::kTlbEntries - 1) << 5));
  a_.mov(aw, Reg::rcx, Reg::rdx);
  const uint64_t cmp_mask = tcg::kPageMask | (m.aligned ? (m.bytes() - 1) : 0);
  a_.and_(aw, Reg::rcx, int32_t(cmp_mask));
  const int32_t tlb_base = int32_t(ti_.common_offset + offsetof(tcg::CpuCommon, tlb) +
                                   m.mmu_idx * sizeof(tcg::TlbEntry) * tcg::kTlbEntries);
  const int32_t field = is_load ? offsetof(tcg::TlbEntry, addr_read) : offsetof(tcg::TlbEntry, addr_write);
  a_.cmp(W::q, Reg::rcx, Mem::idx(kEnv, Reg::rax, 1, tlb_base + field));
  a_.jcc(Cc::ne, miss);
  a_.add(W::q, Reg::rdx, Mem::idx(kEnv, Reg::rax, 1, tlb_base + int32_t(offsetof(tcg::TlbEntry, addend))));
}

void Codegen::emitLoadStore(const tcg::Op& op, uint32_t index) {
  const bool is_load = op.opc == Opcode::load;
  const tcg::MemOp m = tcg::MemOp::unpack(op.aux);
  const Value& addr = is_load ? op.args[1] : op.args[0];
  const bool addr64 = addr.type == Type::I64;
  const W aw = addr64 ? W::q : W::d;
  SlowPath sp{a_.newLabel(), a_.newLabel(), &op, index};
  // A load in the mode's direct window (tcg::Cpu::directWindow: MIPS kseg0
  // in kernel mode) reads host RAM at a constant offset after a range
  // check: [rcx + rax] with rcx = the window's host base and rax = the
  // offset. Anything else takes the TLB probe, out of line, which comes
  // back with rcx = host address and rax = 0.
  const tcg::Cpu::DirectWindow& w = windows_[m.mmu_idx];
  const unsigned bytes = m.bytes();
  Mem host = Mem::at(Reg::rdx, 0);
  if (is_load && !addr64 && w.size >= bytes && w.vbase <= 0x80000000u && w.vbase + w.size <= 0x100000000ull &&
      engine_.debug().watchpoints.empty()) {
    sp.probe_out_of_line = true;
    sp.probe = a_.newLabel();
    sp.access = a_.newLabel();
    Reg areg = Reg::rdx;   // the address: its own register where it has one
    if (addr.isTemp() && loc(addr).kind == Location::InReg) areg = loc(addr).reg;
    else movTo(aw, Reg::rdx, addr);
    a_.lea(W::d, Reg::rax, Mem::at(areg, int32_t(-int64_t(w.vbase))));   // 32-bit: the upper half is zero
    a_.cmp(W::d, Reg::rax, int32_t(w.size - (bytes - 1)));   // the last byte in RAM too
    a_.jcc(Cc::ae, sp.probe);
    if (m.aligned && bytes > 1) {
      a_.test(W::d, areg, int32_t(bytes - 1));
      a_.jcc(Cc::ne, sp.probe);
    }
    // RAM mapped below 2 GiB (hw/mips/malta.cpp): its host address is the
    // access's displacement, one instruction less.
    const uintptr_t base = reinterpret_cast<uintptr_t>(w.host);
    sp.window_disp = base < (uintptr_t(1) << 31) ? int32_t(base) : 0;
    if (!sp.window_disp) a_.mov(W::q, Reg::rcx, int64_t(base));
    a_.bind(sp.access);
    host = sp.window_disp ? Mem::at(Reg::rax, sp.window_disp) : Mem::idx(Reg::rcx, Reg::rax, 1, 0);
  } else if (tcg::Fastmem* fm = cpu_.common().fastmem;
             fm && fm->active() && int(m.mmu_idx) == fm->mmuIdx() && !addr64 && engine_.debug().watchpoints.empty()) {
    // A host-mapped page: the guest address (zero-extended) plus the
    // range's base, with only the guest's alignment rule checked here.
    sp.fastmem = true;
    sp.probe = a_.newLabel();
    movTo(W::d, Reg::rdx, addr);
    if (m.aligned && bytes > 1) {
      a_.test(W::d, Reg::rdx, int32_t(bytes - 1));
      a_.jcc(Cc::ne, sp.entry);
    }
    host = Mem::at(Reg::rdx, fm->base());
  } else {
    movTo(aw, Reg::rdx, addr);
    emitTlbProbe(op, sp.entry);
  }
  sp.site = emitAccess(op, host);
  // A patched site's jump takes 5 bytes, all of them before the resume point.
  if (sp.fastmem && a_.size() - sp.site < 5) a_.nop(5 - (a_.size() - sp.site));
  a_.bind(sp.resume);
  slow_.push_back(sp);
}

// The access itself, at host address `host` (a load into its
// destination, a store of its value), byte-swapped for a big-endian guest.
// Returns where the instruction that touches memory starts.
size_t Codegen::emitAccess(const tcg::Op& op, Mem host) {
  const bool is_load = op.opc == Opcode::load;
  const tcg::MemOp m = tcg::MemOp::unpack(op.aux);
  const unsigned size = m.bytes();
  if (is_load) {
    const Value& d = op.args[0];
    const W dw = widthOf(d.type);
    Reg dr = dstReg(d, Reg::rax);
    const size_t at = a_.size();
    switch (size) {
      case 1:
        if (m.sign) a_.movsx8(dw, dr, host);
        else a_.movzx8(W::d, dr, host);
        break;
      case 2:
        a_.movzx16(W::d, dr, host);
        if (m.big_endian) a_.bswap16(dr);
        if (m.sign) a_.movsx16(dw, dr, dr);
        break;
      case 4:
        a_.mov(W::d, dr, host);
        if (m.big_endian) a_.bswap(W::d, dr);
        if (m.sign && dw == W::q) a_.movsxd(dr, dr);
        break;
      default:
        a_.mov(W::q, dr, host);
        if (m.big_endian) a_.bswap(W::q, dr);
        break;
    }
    finish(d, dr);
    return at;
  } else {
    const Value& v = op.args[1];
    Reg vr = src(v, Reg::rcx);
    if (m.big_endian && size > 1) {
      a_.mov(W::q, Reg::rcx, vr);
      vr = Reg::rcx;
      if (size == 2) a_.bswap16(vr);
      else a_.bswap(size == 8 ? W::q : W::d, vr);
    }
    const size_t at = a_.size();
    switch (size) {
      case 1: a_.mov(W::b, host, vr); break;
      case 2: a_.mov(W::w, host, vr); break;
      case 4: a_.mov(W::d, host, vr); break;
      default: a_.mov(W::q, host, vr); break;
    }
    return at;
  }
}

void Codegen::emitSlowPath(const SlowPath& sp) {
  const tcg::Op& op = *sp.op;
  if (op.opc == Opcode::call) {   // a float fast path's helper
    a_.bind(sp.entry);
    emitCall(op);
    a_.jmp(sp.resume);
    return;
  }
  const bool is_load = op.opc == Opcode::load;
  if (sp.probe_out_of_line) {
    a_.bind(sp.probe);
    const Value& addr = op.args[1];
    movTo(addr.type == Type::I64 ? W::q : W::d, Reg::rdx, addr);
    emitTlbProbe(op, sp.entry);
    if (sp.window_disp) {
      a_.lea(W::q, Reg::rax, Mem::at(Reg::rdx, -sp.window_disp));   // the access is [rax + window_disp]
    } else {
      a_.mov(W::q, Reg::rcx, Reg::rdx);   // the access is [rcx + rax]
      a_.xor_(W::d, Reg::rax, Reg::rax);
    }
    a_.jmp(sp.access);
  }
  if (sp.fastmem) {
    a_.bind(sp.probe);
    movTo(W::d, Reg::rdx, is_load ? op.args[1] : op.args[0]);
    emitTlbProbe(op, sp.entry);
    emitAccess(op, Mem::at(Reg::rdx, 0));
    a_.jmp(sp.resume);
  }
  a_.bind(sp.entry);
  std::vector<Reg> saved = liveCallerSaved(sp.index, op);
  // Odd counts keep the stack 16-byte aligned at the call.
  for (Reg r : saved) a_.push(r);
  if (saved.size() % 2) a_.sub(W::q, Reg::rsp, 8);
  storePcInfo(op.pc_info);
  const Value& addr = is_load ? op.args[1] : op.args[0];
  if (!is_load) {
    // The value first: its register may be rsi (the address argument).
    const Value& v = op.args[1];
    if (v.isTemp() && loc(v).kind == Location::OnStack) {
      // Slots are rsp-relative; account for what was just pushed.
      const int32_t shift = int32_t(saved.size() * 8 + (saved.size() % 2) * 8);
      a_.mov(widthOf(v.type), Reg::rdx, Mem::at(Reg::rsp, int32_t(loc(v).slot) * 8 + shift));
    } else {
      movTo(widthOf(v.type), Reg::rdx, v);
    }
  }
  if (addr.isTemp() && loc(addr).kind == Location::OnStack) {
    const int32_t shift = int32_t(saved.size() * 8 + (saved.size() % 2) * 8);
    a_.mov(widthOf(addr.type), Reg::rsi, Mem::at(Reg::rsp, int32_t(loc(addr).slot) * 8 + shift));
  } else {
    movTo(widthOf(addr.type), Reg::rsi, addr);
  }
  a_.lea(W::q, Reg::rdi, commonMem(0));
  a_.mov(W::d, is_load ? Reg::rdx : Reg::rcx, int32_t(op.aux));
  a_.callAbs(is_load ? reinterpret_cast<const void*>(&tcg::slowLoad) : reinterpret_cast<const void*>(&tcg::slowStore));
  if (saved.size() % 2) a_.add(W::q, Reg::rsp, 8);
  for (auto it = saved.rbegin(); it != saved.rend(); ++it) a_.pop(*it);
  if (is_load) {
    const Value& d = op.args[0];
    const Location l = loc(d);
    const W dw = widthOf(d.type);
    if (l.kind == Location::InReg) a_.mov(dw, l.reg, Reg::rax);
    else a_.mov(dw, slotMem(l.slot), Reg::rax);
  }
  a_.jmp(sp.resume);
}

// A helper with an inline fast path (tcg::FloatFastPath, which the LLVM
// tier lowers the same way): ordinary operands on SSE, Inexact from TwoSum
// or an FMA residual, the status word updated in place; anything else
// jumps out of line to the helper call. rax, rcx, rdx and the XMM
// registers are scratch here (never allocated), operands are only read,
// and the result is written last, so it may share an operand's register.
bool Codegen::emitFloatFastPath(const tcg::Op& op, uint32_t index) {
  using K = tcg::FloatFastPath;
  const tcg::HelperInfo& h = *op.helper();
  const K* f = tcg::inlinableFastPath(h, Assembler::hostHasFma());
  if (!f) return false;
  const unsigned operands = f->kind == K::Sqrt ? 1 : 2;
  const bool dbl = h.ret == Type::I64;
  const W w = dbl ? W::q : W::d;
  const unsigned frac = dbl ? 52 : 23;
  const int32_t exp_max = dbl ? 2047 : 255;
  const int32_t mul_lo = int32_t(frac) + 3;   // fpu_host.h's kHostMulLo
  SlowPath sp{a_.newLabel(), a_.newLabel(), &op, index};
  const Reg ra = Reg::rax, rb = Reg::rcx;
  const Xmm x = Xmm::xmm0, y = Xmm::xmm1, res = Xmm::xmm2, err = Xmm::xmm3, t1 = Xmm::xmm4, t2 = Xmm::xmm5;

  // Jumps to `target` if bits r are +-0.
  auto ifZero = [&](Reg r, Label target) {
    a_.mov(w, Reg::rdx, r);
    a_.shl(w, Reg::rdx, 1);
    a_.jcc(Cc::e, target);
  };
  // To the helper unless bits r are finite and normal with the exponent
  // field at least lo (or zero, with zero_ok).
  auto needRange = [&](Reg r, int32_t lo, bool zero_ok) {
    Label ok = a_.newLabel();
    a_.mov(w, Reg::rdx, r);
    a_.shl(w, Reg::rdx, 1);
    if (zero_ok) a_.jcc(Cc::e, ok);
    a_.shr(w, Reg::rdx, uint8_t(frac + 1));
    a_.sub(W::d, Reg::rdx, lo);
    a_.cmp(W::d, Reg::rdx, exp_max - lo);
    a_.jcc(Cc::ae, sp.entry);
    a_.bind(ok);
  };
  auto toXmm = [&](Xmm d, Reg r) { dbl ? a_.movq(d, r) : a_.movd(d, r); };
  auto fromXmm = [&](Reg r, Xmm s) { dbl ? a_.movq(r, s) : a_.movd(r, s); };
  auto add = [&](Xmm d, Xmm s) { dbl ? a_.addsd(d, s) : a_.addss(d, s); };
  auto sub = [&](Xmm d, Xmm s) { dbl ? a_.subsd(d, s) : a_.subss(d, s); };

  movTo(w, ra, op.args[1]);
  if (operands == 2) movTo(w, rb, op.args[2]);
  switch (f->kind) {
    case K::Add:
    case K::Sub: {
      needRange(ra, 1, true);
      needRange(rb, 1, true);
      if (f->kind == K::Sub) {
        if (dbl) {
          a_.mov(W::q, Reg::rdx, int64_t(INT64_MIN));
          a_.xor_(W::q, rb, Reg::rdx);
        } else {
          a_.xor_(W::d, rb, int32_t(INT32_MIN));
        }
      }
      toXmm(x, ra);
      toXmm(y, rb);
      a_.movaps(res, x);
      add(res, y);
      fromXmm(ra, res);
      needRange(ra, 2, true);
      // TwoSum: err = (x - (s - (s - x))) + (y - (s - x)), exact.
      a_.movaps(t1, res);
      sub(t1, x);          // yv = s - x
      a_.movaps(t2, res);
      sub(t2, t1);         // s - yv
      a_.movaps(err, x);
      sub(err, t2);        // x - (s - yv)
      sub(y, t1);          // y - yv
      add(err, y);
      break;
    }
    case K::Mul: {
      needRange(ra, 1, true);
      needRange(rb, 1, true);
      toXmm(x, ra);
      toXmm(y, rb);
      a_.movaps(res, x);
      dbl ? a_.mulsd(res, y) : a_.mulss(res, y);
      // A zero operand: an exact signed zero.
      Label exact_zero = a_.newLabel();
      ifZero(ra, exact_zero);
      ifZero(rb, exact_zero);
      fromXmm(ra, res);
      needRange(ra, mul_lo, false);
      a_.bind(exact_zero);
      a_.movaps(err, res);
      dbl ? a_.vfmsub231sd(err, x, y) : a_.vfmsub231ss(err, x, y);   // x * y - p
      break;
    }
    case K::Div: {
      needRange(ra, mul_lo, true);
      needRange(rb, 1, false);
      toXmm(x, ra);
      toXmm(y, rb);
      a_.movaps(res, x);
      dbl ? a_.divsd(res, y) : a_.divss(res, y);
      Label exact_zero = a_.newLabel();   // 0 / y
      ifZero(ra, exact_zero);
      fromXmm(ra, res);
      needRange(ra, mul_lo, false);
      a_.bind(exact_zero);
      a_.movaps(err, x);
      dbl ? a_.vfnmadd231sd(err, res, y) : a_.vfnmadd231ss(err, res, y);   // x - q * y
      break;
    }
    case K::Sqrt: {
      Label exact_zero = a_.newLabel();   // sqrt(+-0) = +-0
      ifZero(ra, exact_zero);
      a_.test(w, ra, ra);
      a_.jcc(Cc::s, sp.entry);
      needRange(ra, mul_lo, false);
      a_.bind(exact_zero);
      toXmm(x, ra);
      dbl ? a_.sqrtsd(res, x) : a_.sqrtss(res, x);
      a_.movaps(err, x);
      dbl ? a_.vfnmadd231sd(err, res, res) : a_.vfnmadd231ss(err, res, res);   // x - s * s
      break;
    }
  }
  // The status word: nearest only; Inexact into Cause and Flags unless it
  // traps (the helper raises it).
  const Mem status = envMem(f->status_offset);
  a_.mov(W::d, Reg::rdx, status);
  a_.test(W::d, Reg::rdx, int32_t(f->mode_mask));
  a_.jcc(Cc::ne, sp.entry);
  Label inexact = a_.newLabel(), store = a_.newLabel();
  a_.xorps(t1, t1);
  dbl ? a_.ucomisd(err, t1) : a_.ucomiss(err, t1);
  a_.jcc(Cc::p, inexact);
  a_.jcc(Cc::ne, inexact);
  a_.and_(W::d, Reg::rdx, int32_t(~f->cause_mask));
  a_.jmp(store);
  a_.bind(inexact);
  a_.test(W::d, Reg::rdx, int32_t(f->inexact_enable));
  a_.jcc(Cc::ne, sp.entry);
  a_.and_(W::d, Reg::rdx, int32_t(~f->cause_mask));
  a_.or_(W::d, Reg::rdx, int32_t(f->inexact_cause | f->inexact_flag));
  a_.bind(store);
  a_.mov(W::d, status, Reg::rdx);
  fromXmm(ra, res);
  const Location l = loc(op.args[0]);
  if (l.kind == Location::InReg) a_.mov(w, l.reg, ra);
  else a_.mov(w, slotMem(l.slot), ra);
  a_.bind(sp.resume);
  slow_.push_back(sp);
  return true;
}

void Codegen::emitCall(const tcg::Op& op) {
  const tcg::HelperInfo& h = *op.helper();
  const unsigned outs = h.returns ? 1 : 0;
  if (!(h.flags & tcg::HF_NO_RAISE)) storePcInfo(op.pc_info);
  // Stage the arguments in the frame, then load the argument registers, so
  // no argument register is overwritten before it is read.
  static constexpr Reg kArgRegs[] = {Reg::rsi, Reg::rdx, Reg::rcx, Reg::r8};
  for (unsigned k = 0; k < h.nargs; k++) {
    const Value& v = op.args[outs + k];
    a_.mov(W::q, Mem::at(Reg::rsp, kArgStage + 8 * int32_t(k)), src(v, Reg::rax));
  }
  for (unsigned k = 0; k < h.nargs; k++) a_.mov(W::q, kArgRegs[k], Mem::at(Reg::rsp, kArgStage + 8 * int32_t(k)));
  a_.mov(W::q, Reg::rdi, kEnv);
  a_.callAbs(h.fn);
  if (outs) {
    const Value& d = op.args[0];
    const W dw = widthOf(d.type);
    const Location l = loc(d);
    if (l.kind == Location::InReg) a_.mov(dw, l.reg, Reg::rax);
    else a_.mov(dw, slotMem(l.slot), Reg::rax);
  }
}

std::string Codegen::disassemble(const tcg::TranslationBlock& tb) const {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return {};
  cs_insn* insn = nullptr;
  size_t n = cs_disasm(h, tb.code, tb.code_size, reinterpret_cast<uint64_t>(tb.code), 0, &insn);
  std::string s = fmt::format("OUT: [size={}] pc={:#x}\n", tb.code_size, tb.pc);
  for (size_t i = 0; i < n; i++) s += fmt::format("0x{:x}:  {} {}\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
  if (n) cs_free(insn, n);
  cs_close(&h);
  return s;
}

}  // namespace

std::unique_ptr<tcg::Backend> makeCodegen(tcg::Cpu& cpu, tcg::ExecEngine& engine, size_t code_buffer_size) {
  return std::make_unique<Codegen>(cpu, engine, code_buffer_size);
}

}  // namespace mimic::x64
