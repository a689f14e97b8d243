#include "tcg/exec.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "hw/core/memory.h"
#include "tcg/builder.h"
#include "tcg/interp.h"
#include "tcg/passes.h"
#include "tcg/softmmu.h"
#include "util/log.h"
#include "util/perfmap.h"

#ifdef MIMIC_HAVE_X86_BACKEND
#include "backend/x86_64/llvm/llvm_backend.h"
#include "backend/x86_64/codegen.h"
#endif

namespace mimic::tcg {

namespace {
// Beyond this many live blocks the engine flushes, so memory stays bounded:
// the interpreter keeps each block's IR; the JIT is bounded by its code
// buffer too, and a Linux boot translates several hundred thousand blocks.
constexpr size_t kMaxBlocksInterp = 1u << 18;
constexpr size_t kMaxBlocksJit = 1u << 21;
}  // namespace

ExecEngine::ExecEngine(Cpu& cpu) : cpu_(cpu), scratch_(std::make_unique<Block>()) {
  timers_ = std::make_unique<TimerQueue>(cpu);
  cpu.common().jmp_cache = jump_cache_.data();   // probed inline by generated code
#ifndef NDEBUG
  verify_ir_ = true;
#endif
  // Tests verify every block's IR in every build type.
  if (const char* v = std::getenv("MIMIC_VERIFY_IR"); v && *v && *v != '0') verify_ir_ = true;
  setBackend(BackendKind::X86_64);
}

ExecEngine::~ExecEngine() {
  // -d stats (or MIMIC_STATS=1, for scripts that cannot pass options).
  const char* env = std::getenv("MIMIC_STATS");
  if (log::enabled(log::kStats) || (env && *env && *env != '0')) log::write(statsReport());
}

std::string ExecEngine::statsReport() const {
  const ExecStats& s = stats_;
  const double per_block = s.blocks_translated ? double(s.translate_ns) * 1e-3 / double(s.blocks_translated) : 0.0;
  std::string out = fmt::format(
      "mimic: jit: baseline: {} blocks translated in {:.3f} s ({:.1f} us a block), {} invalidated ({} "
      "translations put in their place), {} flushes, {} chains\n"
      "mimic: jit: loop: {} block lookups ({} after an unchained goto_tb), {} jump cache misses, {} guest "
      "exceptions\n",
      s.blocks_translated, double(s.translate_ns) * 1e-9, per_block, s.invalidations, s.recycled, s.flushes, s.chains,
      s.blocks_executed, s.goto_tb_exits, s.jump_cache_misses, s.exceptions);
  if (fastmem_) {
    const Fastmem::Stats& f = fastmem_->stats();
    out += fmt::format(
        "mimic: jit: fastmem: {} faults, {} TLB fills, {} pages mapped, {} hidden by page flushes ({} shown again), {} "
        "full unmaps, {} access sites patched to the TLB probe, {} mapping errors, turned off {} times for TLB churn{}\n",
        f.faults, f.fills, f.maps, f.unmaps, f.shown, f.flushes, f.patched, f.map_errors, f.off,
        fastmem_->active() ? "" : " (off now)");
  }
  // The CPU thread's own CPU time: the guest's share of the process's,
  // apart from the compiler thread (steadier than wall time on a busy host).
  if (cpu_thread_clock_valid_) out += fmt::format("mimic: jit: CPU thread: {:.3f} s of CPU\n", double(cpuThreadNs()) * 1e-9);
  if (backend_kind_ == BackendKind::Auto)
    out += fmt::format(
        "mimic: jit: tier 2: {} regions of {} blocks (and {} copies for call sites), {} KiB of code, {:.3f} s compiling ({:.3f} s LLVM IR "
        "pipeline, {:.3f} s LLVM back end, compiler thread CPU); {} installed, {} stale, {} dropped, {} refused "
        "(queue full), {} deferred (compile budget), {} dropped for too many entries, {} resets (code limit); "
        "{} region entries; {}\n",
        s.regions, s.region_blocks, s.region_copies, s.region_code_bytes >> 10, double(s.region_ns) * 1e-9,
        double(s.region_opt_ns) * 1e-9, double(s.region_codegen_ns) * 1e-9, s.regions_installed, s.regions_stale,
        s.regions_dropped, s.regions_refused, s.regions_deferred, s.regions_costly, s.tier2_resets,
        regionEntries(),
        sampler_ ? fmt::format("{} samples in generated code (hot at {})", sampler_->samples(), sampler_->hotSamples())
                 : fmt::format("blocks hot at {} runs", hot_threshold_));
  return out;
}

void ExecEngine::setBackend(BackendKind k, size_t code_buffer_size) {
#ifndef MIMIC_HAVE_X86_BACKEND
  k = BackendKind::Interpreter;
#endif
  if (backend_) flushAll();
  sampler_.reset();
  backend_.reset();   // its code's access sites are in the old Fastmem
  setUpFastmem(k);
  region_compiler_.reset();
  backend_kind_ = k;
  recycling_ = k != BackendKind::Llvm;   // LLVM's code lives in its own memory, one object per block
  if (k == BackendKind::Interpreter) {
    backend_ = std::make_unique<Interpreter>(cpu_);
  } else if (k == BackendKind::Llvm) {
#ifdef MIMIC_HAVE_X86_BACKEND
    backend_ = llvmjit::makeLlvmBackend(cpu_, *this);
#endif
  } else if (k == BackendKind::Auto) {
#ifdef MIMIC_HAVE_X86_BACKEND
    const char* threshold = std::getenv("MIMIC_HOT_THRESHOLD");
    const int runs = threshold ? std::atoi(threshold) : 0;
    if (runs > 0) hot_threshold_ = uint32_t(runs);
    hot_counting_ = timers_->icount() || runs > 0;
    // Under -icount the guest's timing must not depend on when the host
    // finishes compiling: compile on the CPU thread then. MIMIC_HOT_SYNC=1
    // does the same for tests whose programs end before a background
    // compile would (a region must run for the test to mean anything).
    const bool sync = timers_->icount() || std::getenv("MIMIC_HOT_SYNC") != nullptr;
    region_compiler_ = llvmjit::makeRegionCompiler(cpu_, sync);   // before the codegen reads hotTierEnabled()
    if (!timers_->icount() && review_timer_ < 0) {
      review_timer_ = timers_->add([this] { reviewRegions(); });
      timers_->arm(review_timer_, timers_->nowNs() + kRegionReviewNs);
    }
    backend_ = code_buffer_size ? x64::makeCodegen(cpu_, *this, code_buffer_size) : x64::makeCodegen(cpu_, *this);
    if (!hot_counting_) {
      auto env = [](const char* name, int64_t fallback) {
        const char* v = std::getenv(name);
        return v && std::atoll(v) > 0 ? std::atoll(v) : fallback;
      };
      sampler_ = std::make_unique<HotSampler>(*backend_, &cpu_.common().exit_request,
                                              uint32_t(env("MIMIC_HOT_SAMPLES", kHotSamples)),
                                              env("MIMIC_HOT_SAMPLE_US", kHotSamplePeriodNs / 1000) * 1000);
    }
#endif
  } else {
#ifdef MIMIC_HAVE_X86_BACKEND
    backend_ = code_buffer_size ? x64::makeCodegen(cpu_, *this, code_buffer_size) : x64::makeCodegen(cpu_, *this);
#endif
  }
}

// Only where the x86-64 JIT runs guest code, the guest's RAM can be mapped
// again (a memfd) and the host has room for the range.
void ExecEngine::setUpFastmem(BackendKind k) {
  CpuCommon& c = cpu_.common();
  c.fastmem = nullptr;
  fastmem_.reset();
  const Cpu::FastmemSpec spec = cpu_.fastmemSpec();
  if (!fastmem_wanted_ || spec.mmu_idx < 0 || (k != BackendKind::X86_64 && k != BackendKind::Auto)) return;
  const auto& regions = cpu_.addressSpace().regions();
  if (std::none_of(regions.begin(), regions.end(), [](const hw::Region& r) { return r.isRam() && r.fd >= 0; })) return;
  std::string why;
  fastmem_ = Fastmem::create(spec.mmu_idx, spec.vlimit, why);
  if (!fastmem_) {
    log::logf(log::kUnimp, "fastmem off: {}\n", why);
    return;
  }
  tlbFlushAll(&c);   // entries filled before have no host mapping behind them
  c.fastmem = fastmem_.get();
  if (fastmem_timer_ < 0)
    fastmem_timer_ = timers_->add([this] {
      if (!fastmem_) return;
      if (fastmem_->review(timers_->nowNs())) {
        if (log::enabled(log::kHot))
          log::write(fmt::format("hot: fastmem {} at {:.3f} s: {:.0f} TLB fills/s\n", fastmem_->active() ? "on" : "off",
                                 double(timers_->nowNs()) * 1e-9, fastmem_->lastFillRate()));
        flushAll();
      }
      timers_->arm(fastmem_timer_, timers_->nowNs() + Fastmem::kReviewNs);
    });
  timers_->arm(fastmem_timer_, timers_->nowNs() + Fastmem::kReviewNs);
}

StopReason ExecEngine::run() {
  CpuCommon& c = cpu_.common();
  Fastmem::setCurrent(fastmem_.get());
  std::jmp_buf env;
  c.jmp_env = &env;
  if (setjmp(env) != 0) {
    // A guest exception unwound generated code or the translator; the
    // frontend has already moved the CPU to the exception vector (or, for
    // a watchpoint, back to the instruction).
    stats_.exceptions++;
    if (executing_step_ && finishStep()) {
      c.jmp_env = nullptr;
      return StopReason::Debug;
    }
  }
  ExitInfo last{nullptr, 0};
  uint64_t flush_gen = stats_.flushes;
  if (sampler_ && !sampler_->started()) sampler_->start();   // on this thread: it samples its own CPU time
  if (!cpu_thread_clock_valid_) cpu_thread_clock_valid_ = pthread_getcpuclockid(pthread_self(), &cpu_thread_clock_) == 0;
  for (;;) {
    if (c.exit_request) {
      c.exit_request = 0;
      if (sampler_)
        for (TranslationBlock* tb : sampler_->takeHot()) onHot(tb);
      if (region_compiler_) installFinished();   // the compiler kicks when it has some
      timers_->runDue();
      if (cpu_.pump_) cpu_.pump_();
      int sr = cpu_.stop_reason_.load();
      if (sr >= 0) {
        cpu_.stop_reason_ = -1;
        c.jmp_env = nullptr;
        return StopReason(sr);
      }
    }
    if (cpu_.idle()) {
      // -icount: time moves to the next deadline (after host time passes
      // with sleep=on); the loop's next round runs the due timers.
      if (timers_->icount() && timers_->icountIdle([&](int64_t wait_ns) {
            std::unique_lock<std::mutex> lk(cpu_.idle_mu_);
            return cpu_.idle_cv_.wait_for(lk, std::chrono::nanoseconds(wait_ns), [&] { return c.exit_request != 0; });
          })) {
        c.exit_request = 1;
        continue;
      }
      // Sleep until a device, the timer thread or a stop request kicks us.
      std::unique_lock<std::mutex> lk(cpu_.idle_mu_);
      cpu_.idle_cv_.wait_for(lk, std::chrono::milliseconds(100), [&] { return c.exit_request != 0; });
      continue;
    }
    if (!retired_.empty()) {
      // No generated code runs now: blocks invalidated since the last
      // round become spares (the last exit may name one of them).
      if (last.tb && !last.tb->valid) last.tb = nullptr;
      reclaimRetired();
    }
    const bool stepping = debug_.stepping();
    if (!stepping) cpu_.deliverInterrupts();
    const uint64_t pc = cpu_.pc();
    const uint32_t flags = cpu_.tbFlags() | (stepping ? kTbFlagStep : 0);
    TranslationBlock* tb = findOrTranslate(pc, flags);
    if (tb->debug_break) {
      debug_.stop = DebugStopInfo{DebugStopInfo::Kind::Breakpoint};
      c.jmp_env = nullptr;
      return StopReason::Debug;
    }
    if (stats_.flushes != flush_gen) {
      flush_gen = stats_.flushes;
      last.tb = nullptr;
    }
    if (last.tb) tryChain(last, tb);
    if (log::enabled(log::kCpu)) log::write(cpu_.dumpState());
    if (log::enabled(log::kExec)) log::logf(log::kExec, "Trace {:p} [{:08x}] {:#x}\n", (void*)tb, tb->phys_pc, tb->pc);
    stats_.blocks_executed++;
    if (stepping) {
      executing_step_ = true;
      if (debug_.watch_pending) debug_.suppress_watch = true;
    }
    last = decodeExit(backend_->execute(cpu_.env(), tb));
    if (last.slot == kHotExitSlot) {
      onHot(last.tb);
      last.tb = nullptr;
      continue;
    }
    if (last.tb) stats_.goto_tb_exits++;
    if (executing_step_) {
      last.tb = nullptr;   // never chain out of a step block
      if (finishStep()) {
        c.jmp_env = nullptr;
        return StopReason::Debug;
      }
    }
  }
}

// A debugger step block has run (or raised): whether to stop now.
bool ExecEngine::finishStep() {
  executing_step_ = false;
  if (debug_.suppress_watch) {
    // The watched access has now happened: report it.
    debug_.suppress_watch = false;
    debug_.watch_pending = false;
    debug_.stop = debug_.pending;
    return true;
  }
  if (debug_.watch_pending) return false;   // a watch hit in this step: run it again, alone
  if (debug_.single_step) {
    debug_.stop = DebugStopInfo{DebugStopInfo::Kind::Step};
    return true;
  }
  debug_.step_over_bp = false;
  return false;
}

void ExecEngine::insertBreakpoint(uint64_t pc) {
  if (debug_.breakpoints.insert(pc).second) flushAll();
}

void ExecEngine::removeBreakpoint(uint64_t pc) {
  if (debug_.breakpoints.erase(pc)) flushAll();
}

void ExecEngine::insertWatchpoint(const Watchpoint& w) {
  // Code translated without watchpoints reads direct windows
  // (Cpu::directWindow) without the TLB, which marks watched pages.
  if (debug_.watchpoints.empty()) flushAll();
  debug_.watchpoints.push_back(w);
  tlbFlushAll(&cpu_.common());   // refills mark the watched pages
}

bool ExecEngine::removeWatchpoint(const Watchpoint& w) {
  auto& v = debug_.watchpoints;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it->addr == w.addr && it->len == w.len && it->read == w.read && it->write == w.write) {
      v.erase(it);
      tlbFlushAll(&cpu_.common());
      if (v.empty()) flushAll();   // direct windows again
      return true;
    }
  }
  return false;
}

bool ExecEngine::pageHasWatchpoints(uint64_t vpage) const {
  for (const Watchpoint& w : debug_.watchpoints)
    if (w.overlaps(vpage, kPageSize)) return true;
  return false;
}

void ExecEngine::checkWatchpoints(uint64_t vaddr, unsigned len, bool write) {
  if (debug_.suppress_watch) return;
  for (const Watchpoint& w : debug_.watchpoints) {
    if (!w.overlaps(vaddr, len) || !(write ? w.write : w.read)) continue;
    debug_.watch_pending = true;
    debug_.pending = DebugStopInfo{DebugStopInfo::Kind::Watch, w.addr, w.read, w.write};
    CpuCommon& c = cpu_.common();
    cpu_.restartInstruction(c.pc_info);
    std::longjmp(*c.jmp_env, 1);
  }
}

void ExecEngine::tryChain(ExitInfo from, TranslationBlock* to) {
  TranslationBlock* src = from.tb;
  if (!backend_->canChain() || log::enabled(log::kNoChain | log::kExec | log::kCpu)) return;
  if (!src->valid || !to->valid || src->jmp_dest[from.slot] || src->jmp_offset[from.slot] == kNoJump) return;
  if (src->jmp_target_pc[from.slot] != to->pc || src->flags != to->flags) return;
  // Within one virtual page (the lookup that found `src` vouches for this
  // page's mapping), or into a page whose mapping cannot change.
  if (!mayChain(src->pc, to->pc, to->flags)) return;
  backend_->chain(*src, from.slot, *to);
  src->jmp_dest[from.slot] = to;
  to->incoming.push_back({src, from.slot});
  stats_.chains++;
}

TranslationBlock* ExecEngine::findOrTranslate(uint64_t pc, uint32_t flags) {
  TranslationBlock* tb = jumpCacheFind(pc, flags);
  if (tb) return tb;
  stats_.jump_cache_misses++;

  CpuCommon& c = cpu_.common();
  c.pc_info = pc;   // a fetch fault is reported for the block's first instruction
  const uint64_t phys_pc = codePhysAddr(&c, pc, cpu_.mmuIndex(flags));
  auto it = blocks_.find({phys_pc, pc, flags});
  if (it != blocks_.end()) {
    tb = it->second;
    if (tb->phys_page2 != ~0ull) {
      TranslationResult tr2;
      uint64_t next = (pc & kPageMask) + kPageSize;
      if (!cpu_.mmuTranslate(next, AccessType::Fetch, cpu_.mmuIndex(flags), false, tr2) ||
          (tr2.paddr & kPageMask) != tb->phys_page2)
        tb = nullptr;
    }
  } else {
    tb = nullptr;
  }
  if (!tb) {
    const auto t0 = std::chrono::steady_clock::now();
    tb = translate(pc, flags, phys_pc);
    stats_.translate_ns += uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now() - t0).count());
  }
  setJumpCache(tb);
  return tb;
}

TranslationBlock* ExecEngine::lookupForGotoPtr(uint64_t pc, uint32_t flags) {
  if (TranslationBlock* tb = jumpCacheFind(pc, flags)) return tb;
  stats_.jump_cache_misses++;
  TranslationResult tr;
  if (!cpu_.mmuTranslate(pc, AccessType::Fetch, cpu_.mmuIndex(flags), false, tr)) return nullptr;
  const uint64_t phys_pc = tr.paddr | (pc & (kPageSize - 1));
  auto it = blocks_.find({phys_pc, pc, flags});
  if (it == blocks_.end() || it->second->phys_page2 != ~0ull) return nullptr;
  setJumpCache(it->second);
  return it->second;
}

bool ExecEngine::fetch32(uint64_t vaddr, int mmu_idx, bool big_endian, bool first, uint32_t& word) {
  TranslationResult tr;
  if (!cpu_.mmuTranslate(vaddr, AccessType::Fetch, mmu_idx, first, tr)) return false;
  const uint64_t paddr = tr.paddr | (vaddr & (kPageSize - 1));
  if (!first && (vaddr & kPageMask) != (scratch_->guest_pc & kPageMask)) {
    if (translate_page2_ != ~0ull && translate_page2_ != (paddr & kPageMask)) return false;  // a third page
    translate_page2_ = paddr & kPageMask;
  }
  uint8_t* host = cpu_.addressSpace().hostPtr(paddr);
  uint32_t w;
  if (host) {
    std::memcpy(&w, host, 4);
    w = big_endian ? __builtin_bswap32(w) : w;
  } else {
    bool ok = true;
    w = uint32_t(cpu_.addressSpace().read(paddr, 4, big_endian, &ok));
    if (!ok) {
      if (!first) return false;
      cpu_.busError(vaddr, AccessType::Fetch);
    }
  }
  word = w;
  return true;
}

TranslationBlock* ExecEngine::translate(uint64_t pc, uint32_t flags, uint64_t phys_pc) {
  if (all_blocks_.size() >= (backend_kind_ == BackendKind::Interpreter ? kMaxBlocksInterp : kMaxBlocksJit)) flushAll();
  Block& b = *scratch_;
  b.clear();
  b.guest_pc = pc;
  translate_page2_ = ~0ull;
  const bool debug_break = !(flags & kTbFlagStep) && hasBreakpoint(pc);
  if (debug_break) {
    // Leaves to the loop with the PC unchanged; the loop sees debug_break.
    Builder bb(b);
    bb.exitTb(Builder::imm(cpu_.targetInfo().pc_is_64bit ? Type::I64 : Type::I32, pc));
  } else {
    cpu_.translate(b, pc, flags);
  }

  if (log::enabled(log::kOpRaw)) log::write("OP before optimization:\n" + formatBlock(b));
  optimize(b);
  if (log::enabled(log::kOp)) log::write("OP:\n" + formatBlock(b));
  if (verify_ir_) {
    if (std::string e = verifyBlock(b); !e.empty()) {
      log::write(fmt::format("mimic: internal error: invalid IR at {:#x}: {}\n{}", pc, e, formatBlock(b)));
      std::abort();
    }
  }

  // A spare block's place if the code fits there, else fresh code space.
  TranslationBlock* tb = takeSpare(b.ops.size());
  if (tb) {
    setBlockInfo(*tb, b, pc, flags, phys_pc, debug_break);
    if (backend_->recompile(b, *tb)) {
      stats_.recycled++;
    } else {
      tb->valid = false;   // a spare again (the next taker resets it)
      putSpare(tb);
      tb = nullptr;
    }
  }
  if (!tb) tb = translateFresh(b, pc, flags, phys_pc, debug_break);
  if (log::enabled(log::kOutAsm)) log::write(backend_->disassemble(*tb));
  if (log::enabled(log::kPerfMap)) perfmap::add(tb->code, tb->code_size, fmt::format("tb:{:#x}", pc));
  blocks_[{phys_pc, pc, flags}] = tb;
  CpuCommon& c = cpu_.common();
  for (uint64_t page : {phys_pc & kPageMask, tb->phys_page2}) {
    if (page == ~0ull) continue;
    auto [at, fresh] = code_pages_.try_emplace(page);
    CodePage& cp = at->second;
    if (fresh) {   // a page whose code was invalidated is still marked in every TLB entry
      setCodePage(page, true);
      tlbProtectCodePage(&c, page);
    }
    cp.blocks.push_back(tb);
    // The guest bytes on this page: from the block's start, or (the second
    // page) from the page's start, to the block's end.
    const uint64_t start = phys_pc & (kPageSize - 1);
    const uint64_t end = start + tb->guest_size;
    if (page == (phys_pc & kPageMask)) cp.markBytes(start, std::min<uint64_t>(end, kPageSize));
    else if (end > kPageSize) cp.markBytes(0, std::min<uint64_t>(end - kPageSize, kPageSize));
  }
  stats_.blocks_translated++;
  return tb;
}

void ExecEngine::setBlockInfo(TranslationBlock& tb, const Block& b, uint64_t pc, uint32_t flags, uint64_t phys_pc,
                              bool debug_break) const {
  tb.valid = true;
  tb.pc = pc;
  tb.flags = flags;
  tb.phys_pc = phys_pc;
  tb.phys_page2 = translate_page2_;
  tb.guest_size = b.guest_size;
  tb.num_insns = b.num_insns;
  tb.dispatches = hotTierEnabled() && dispatchesThroughLoad(b);   // only regions ask
  tb.call_return = b.call_return;
  tb.debug_break = debug_break;
}

TranslationBlock* ExecEngine::translateFresh(const Block& b, uint64_t pc, uint32_t flags, uint64_t phys_pc,
                                             bool debug_break) {
  auto owned = std::make_unique<TranslationBlock>();
  TranslationBlock* tb = owned.get();
  setBlockInfo(*tb, b, pc, flags, phys_pc, debug_break);
  if (!backend_->compile(b, *tb)) {
    flushAll();
    if (!backend_->compile(b, *tb)) {
      log::write(fmt::format("mimic: internal error: block at {:#x} does not fit the code buffer\n", pc));
      std::abort();
    }
  }
  all_blocks_.push_back(std::move(owned));
  code_bytes_ += tb->code_size;
  ir_ops_ += b.ops.size();
  return tb;
}

// Retired blocks are invalid already; takeSpare resets one when it is used.
void ExecEngine::reclaimRetired() {
  for (TranslationBlock* tb : retired_) putSpare(tb);
  retired_.clear();
}

void ExecEngine::putSpare(TranslationBlock* tb) {
  spares_[std::min<size_t>(tb->code_capacity / kSpareClassBytes, kSpareClasses - 1)].push_back(tb);
  spare_count_++;
}

// A spare whose code space should hold the code of a block of `ops` IR
// ops, going by the code of the fresh translations so far; the smallest
// such, so that big spaces stay for big blocks.
TranslationBlock* ExecEngine::takeSpare(size_t ops) {
  if (!spare_count_) return nullptr;
  const uint64_t want = ir_ops_ ? (uint64_t(ops) * code_bytes_ + ir_ops_ - 1) / ir_ops_ : 0;
  for (size_t k = std::min<size_t>((want + kSpareClassBytes - 1) / kSpareClassBytes, kSpareClasses - 1);
       k < kSpareClasses; k++) {
    if (spares_[k].empty()) continue;
    TranslationBlock* tb = spares_[k].back();
    spares_[k].pop_back();
    spare_count_--;
    tb->resetForReuse();
    return tb;
  }
  return nullptr;
}

void ExecEngine::unlinkIncoming(TranslationBlock* tb) {
  for (auto [src, slot] : tb->incoming) {
    if (src->jmp_dest[slot] == tb) {
      backend_->unchain(*src, slot);
      src->jmp_dest[slot] = nullptr;
    }
  }
  tb->incoming.clear();
  for (int slot = 0; slot < 2; slot++) {
    TranslationBlock* dest = tb->jmp_dest[slot];
    if (!dest) continue;
    std::erase_if(dest->incoming, [&](const auto& e) { return e.first == tb && e.second == slot; });
    tb->jmp_dest[slot] = nullptr;
  }
}

void ExecEngine::removeFromPage(uint64_t ppage, TranslationBlock* tb) {
  auto it = code_pages_.find(ppage);
  if (it == code_pages_.end()) return;
  std::erase(it->second.blocks, tb);
  if (it->second.blocks.empty()) {
    code_pages_.erase(it);
    setCodePage(ppage, false);
  }
}

ExecEngine::CodeStore ExecEngine::storeToCodePage(uint64_t ppage, uint32_t offset, uint32_t len) {
  auto it = code_pages_.find(ppage);
  if (it == code_pages_.end()) return CodeStore::NoCode;
  if (it->second.blocks.empty()) {
    // Its code was invalidated and not translated again: the page is data
    // now, and its stores go the fast way.
    code_pages_.erase(it);
    setCodePage(ppage, false);
    return CodeStore::NoCode;
  }
  for (uint64_t i = offset; i < uint64_t(offset) + len && i < kPageSize; i++)
    if ((it->second.bytes[i >> 6] >> (i & 63)) & 1) return CodeStore::Code;
  return CodeStore::Data;
}

void ExecEngine::invalidatePhysPage(uint64_t ppage) {
  auto it = code_pages_.find(ppage);
  if (it == code_pages_.end()) return;
  // The page stays marked as code, with no blocks and no bytes, until a
  // store finds it so (storeToCodePage) or new code is translated from it:
  // rewritten code (self-modifying code, a guest's JIT) is then translated
  // again without scanning the TLB to protect the page again, which was a
  // twentieth of the smc kernel's time.
  std::vector<TranslationBlock*> list = std::move(it->second.blocks);
  it->second.blocks.clear();
  it->second.bytes.fill(0);
  dropRegionsOnPage(ppage);
  for (TranslationBlock* tb : list) {
    if (!tb->valid) continue;
    tb->valid = false;
    blocks_.erase({tb->phys_pc, tb->pc, tb->flags});
    for (size_t k : {jcIndex(tb->pc), jcIndex(tb->pc) ^ 1})
      if (jump_cache_[k] == tb) jump_cache_[k] = nullptr;
    unlinkIncoming(tb);
    // A block on two pages stays listed on the other one; drop it there.
    uint64_t other = (tb->phys_pc & kPageMask) == ppage ? tb->phys_page2 : (tb->phys_pc & kPageMask);
    if (other != ~0ull && other != ppage) removeFromPage(other, tb);
    if (recycling_ && !tb->pinned) retired_.push_back(tb);
    stats_.invalidations++;
  }
}

void ExecEngine::flushJumpCache() {
  jump_cache_.fill(nullptr);
  jump_cache_seen_.fill(0);
}

void ExecEngine::flushJumpCachePage(uint64_t vaddr) {
  // The page's run of slots is shared with every 64th page: clear only this
  // page's blocks (clearing all made Linux user code, which changes a TLB
  // entry on every refill, fall back to the block hash table constantly).
  const uint64_t page = vaddr & kPageMask;
  if (jcMaySee(page)) {
    const size_t first = jcRun(page);
    for (size_t i = first; i < first + kJumpCacheRun; i++)
      if ((jump_cache_page_[i] & kPageMask) == page) jump_cache_[i] = nullptr;
  }
  // A block starting on the previous page may run into this one.
  if (jcMaySee(page - kPageSize)) {
    const size_t prev = jcRun(page - kPageSize);
    for (size_t i = prev; i < prev + kJumpCacheRun; i++)
      if (jump_cache_page_[i] == ((page - kPageSize) | 1)) jump_cache_[i] = nullptr;
  }
}

void ExecEngine::flushAll() {
  resetHotTier();   // first: it puts the blocks' entries back
  if (sampler_) sampler_->clear();   // its queued blocks are about to go
  blocks_.clear();
  code_pages_.clear();
  std::fill(code_page_bits_.begin(), code_page_bits_.end(), 0);
  flushJumpCache();
  retired_.clear();
  for (auto& v : spares_) v.clear();
  spare_count_ = 0;
  all_blocks_.clear();
  if (backend_) backend_->flushCode();
  // Pages no longer hold code: let stores take the fast path again.
  tlbFlushAll(&cpu_.common());
  stats_.flushes++;
}

uint64_t ExecEngine::cpuThreadNs() const {
  timespec ts{};
  if (!cpu_thread_clock_valid_ || clock_gettime(cpu_thread_clock_, &ts) != 0) return 0;
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

// ---- Cpu entry points that live with the engine

Cpu::Cpu(hw::AddressSpace& as) : as_(as) {}
Cpu::~Cpu() = default;

std::array<Cpu::DirectWindow, kMaxMmuModes> Cpu::directWindows() const {
  static const bool off = std::getenv("MIMIC_NO_DIRECT_WINDOW") != nullptr;
  std::array<DirectWindow, kMaxMmuModes> w{};
  for (unsigned i = 0; i < kMaxMmuModes && !off; i++) w[i] = directWindow(int(i));
  return w;
}

ExecEngine& Cpu::engine() {
  if (!engine_) engine_ = std::make_unique<ExecEngine>(*this);
  return *engine_;
}

StopReason Cpu::run() { return engine().run(); }

void Cpu::shutdownEngine() { engine_.reset(); }

void Cpu::requestStop(StopReason reason) {
  stop_reason_ = int(reason);
  kick();
}

}  // namespace mimic::tcg
