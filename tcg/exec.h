// The execution engine of one CPU: finds or translates the block at the
// current PC, runs it, chains blocks, delivers interrupts between blocks,
// and invalidates blocks whose guest code changes.
#pragma once

#include <array>
#include <csetjmp>
#include <ctime>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "tcg/backend.h"
#include "tcg/cpu.h"
#include "tcg/debug.h"
#include "tcg/fastmem.h"
#include "tcg/hot_sampler.h"
#include "tcg/region.h"
#include "tcg/timer.h"
#include "tcg/translation_block.h"

namespace mimic::tcg {

// X86_64: the baseline JIT; Llvm: every block through LLVM (tier=llvm).
// Auto: the baseline JIT, with hot regions recompiled through LLVM.
enum class BackendKind { Interpreter, X86_64, Llvm, Auto };

struct ExecStats {
  uint64_t blocks_translated = 0;
  uint64_t blocks_executed = 0;    // loop entries, not chained runs
  uint64_t chains = 0;
  uint64_t invalidations = 0;
  uint64_t flushes = 0;
  uint64_t goto_tb_exits = 0;   // returned to the loop through an unchained goto_tb
  uint64_t jump_cache_misses = 0;   // of the loop's lookups and indirect jumps' (lookupForGotoPtr)
  uint64_t exceptions = 0;      // guest exceptions that unwound to the loop
  uint64_t translate_ns = 0;    // host time spent translating
  uint64_t recycled = 0;        // translations put in an invalidated block's place
  // The hot tier (tier=auto).
  uint64_t regions = 0;            // regions compiled through LLVM
  uint64_t region_blocks = 0;      // blocks in them
  uint64_t region_copies = 0;      // and the callees' blocks compiled again per call site
  uint64_t region_ns = 0;          // compiler time (its own thread unless -icount)
  uint64_t region_opt_ns = 0;      // of it: LLVM's IR pipeline
  uint64_t region_codegen_ns = 0;  // of it: LLVM's back end
  uint64_t region_code_bytes = 0;  // object code produced
  uint64_t regions_installed = 0;
  uint64_t regions_stale = 0;      // compiled, but their code changed meanwhile (or a flush)
  uint64_t regions_dropped = 0;    // installed, then invalidated or replaced
  uint64_t regions_refused = 0;    // the compile queue was full
  uint64_t regions_deferred = 0;   // over the compile-time budget
  uint64_t regions_costly = 0;     // dropped for being entered too often (reviewRegions)
  uint64_t tier2_resets = 0;       // every region dropped to bound tier-2 code
  uint64_t region_entries = 0;     // calls into regions (their trampolines count), up to the last reset
};

class ExecEngine {
 public:
  explicit ExecEngine(Cpu& cpu);
  ~ExecEngine();

  // code_buffer_size: host code kept at once by the JIT (0: its default).
  void setBackend(BackendKind k, size_t code_buffer_size = 0);
  // Host-mapped user pages (tcg/fastmem.h) for the x86-64 backends; on by
  // default, -accel tcg,fastmem=off turns them off. Takes effect at the
  // next setBackend.
  void setFastmemWanted(bool on) { fastmem_wanted_ = on; }
  BackendKind backendKind() const { return backend_kind_; }
  TimerQueue& timers() { return *timers_; }

  StopReason run();

  // Called by the frontend while translating: fetches an instruction word.
  // For the first instruction of a block a fault raises the guest exception;
  // for later ones it returns false (the block ends before it).
  bool fetch32(uint64_t vaddr, int mmu_idx, bool big_endian, bool first, uint32_t& word);

  // Invalidate every block that covers physical page `ppage` (guest wrote it).
  void invalidatePhysPage(uint64_t ppage);
  // What a guest store of `len` bytes at `offset` in physical page `ppage`
  // (its TLB entry marked as holding code) meets:
  // - Code: translated code, whose page must be invalidated first;
  // - Data: only data sharing a page with code (a program's variables
  //   after its text), whose stores must not throw the page's blocks away
  //   (the Debian Malta kernel's decompressor keeps its variables in its
  //   last code page: 8400 blocks invalidated before the kernel starts,
  //   4900 without those stores); the entry stays marked;
  // - NoCode: a page without code (any more; the page is unmarked here),
  //   whose entry can let stores through.
  enum class CodeStore { Code, Data, NoCode };
  CodeStore storeToCodePage(uint64_t ppage, uint32_t offset, uint32_t len);
  bool pageHasCode(uint64_t ppage) const {
    const uint64_t n = ppage >> kPageBits;
    if (n < kCodeBitPages) return (code_page_bits_[n >> 6] >> (n & 63)) & 1;
    return code_pages_.count(ppage) != 0;
  }
  // Drop all translations (e.g. a breakpoint was set) and all host code.
  void flushAll();
  // The virtual-PC jump cache holds lookups made under the current MMU
  // mapping: frontends clear it when mappings change.
  void flushJumpCache();
  void flushJumpCachePage(uint64_t vaddr);

  TranslationBlock* lookupForGotoPtr(uint64_t pc, uint32_t flags);
  // Whether a block at `from` may be chained directly to one at `to`.
  bool mayChain(uint64_t from, uint64_t to, uint32_t flags) const {
    return (from & kPageMask) == (to & kPageMask) || cpu_.fixedMapping(to, flags);
  }
  const ExecStats& stats() const { return stats_; }
  // Human-readable counters (-d stats at exit, the monitor's `info jit`).
  std::string statsReport() const;

  // The hot tier (tier=auto, exec_hot.cpp): a block that runs
  // hot_threshold times brings its page's region (the page's often-run
  // blocks and their goto_tb successors under one mapping and mode, up to
  // kMaxRegionBlocks) to the compiler; when the region is compiled, every
  // member's entry leads to it.
  bool hotTierEnabled() const { return region_compiler_ != nullptr; }
  // Whether baseline blocks count their runs (else the sampler decides).
  bool hotCounting() const { return hot_counting_; }
  // The block counts to hot again (its region must wait).
  void restartCount(TranslationBlock* tb) const {
    if (tb->hot_counter) *tb->hot_counter = hot_threshold_;
    tb->samples = 0;
  }
  uint32_t hotThreshold() const { return hot_threshold_; }
  static constexpr size_t kMaxRegionBlocks = 32;
  static size_t maxRegionBlocks();
  // Tier-2 code kept before every region is dropped and its memory freed.
  static constexpr uint64_t kMaxRegionCodeBytes = 64ull << 20;
  // A page's region is rebuilt (with blocks that got hot later) this often
  // at most between flushes.
  static constexpr unsigned kMaxRegionBuilds = 4;
  // The compiler thread's CPU time is held to this share of the machine's
  // running time, plus a first allowance: beyond it new regions wait
  // (their blocks count again). Big programs (xz in Linux) have dozens of
  // hot pages whose compilation cost more CPU than the guest itself while
  // the code they replaced was only a little slower. At a quarter, boot,
  // gzip and xz in Linux ran 3-10% slower than the baseline JIT. At a
  // tenth, the first gzip -9 after boot still spent 1.2 s of compiler CPU
  // for a 2.8 s run, which a loaded 2-core host takes from the guest; a
  // twentieth keeps the hottest regions (the sampler finds those first).
  // Not under -icount, where what gets compiled must not depend on host
  // time. MIMIC_HOT_COMPILE_SHARE and MIMIC_HOT_COMPILE_ALLOWANCE_MS
  // override both, for experiments.
  static constexpr double kHotCompileShare = 0.05;
  static constexpr uint64_t kHotCompileAllowanceNs = 300'000'000;
  // Every kRegionReviewNs each installed region's entries are counted and
  // weighed against the time spent in its code (the sampler's samples
  // there): a region whose entries cost more than kMaxRegionEntryShare of
  // that time, at kRegionEntryCostNs each, is dropped; its page gets one
  // more build (which takes in the blocks that got hot since, often the
  // ones the region kept leaving for), and none after a second costly
  // one. An entry loads the region's guest registers, an exit stores them
  // and goes through the trampoline's jump-cache probe: about 5 ns on
  // this project's hosts (dhrystone_like's region, entered 18 million
  // times a second, spent 8% of the run in prologues, epilogues and
  // trampolines). A region entered per call of a string loop runs dozens
  // of iterations an entry and gains; code that keeps leaving after a
  // block or two does not. Below kMinReviewedEntryRate no region is
  // dropped. Without the sampler (-icount, MIMIC_HOT_THRESHOLD) there is
  // no time to weigh against: more than kMaxRegionEntryRate entries a
  // second is costly (MIMIC_HOT_MAX_ENTRY_RATE sets that bound for every
  // mode, for experiments).
  static constexpr int64_t kRegionReviewNs = 50'000'000;
  static constexpr double kRegionEntryCostNs = 5.0;
  static constexpr double kMaxRegionEntryShare = 0.2;
  static constexpr double kMinReviewedEntryRate = 1e6;
  static constexpr double kMaxRegionEntryRate = 4e6;
  static constexpr uint64_t kReviewSignals = 16;
  bool entriesTooCostly(uint64_t entries, double window_ns, uint64_t samples, double ns_per_sample) const;
  void openReviewWindow(Region* r);

  // Debugger support (tcg/debug.h). CPU thread, while the CPU is stopped.
  DebugState& debug() { return debug_; }
  bool hasBreakpoint(uint64_t pc) const { return !debug_.breakpoints.empty() && debug_.breakpoints.count(pc); }
  void insertBreakpoint(uint64_t pc);
  void removeBreakpoint(uint64_t pc);
  void insertWatchpoint(const Watchpoint& w);
  bool removeWatchpoint(const Watchpoint& w);
  // The softmmu's slow path: an access to [vaddr, vaddr+len) on a page with
  // watchpoints. On a hit, puts the CPU back before the access and leaves
  // to the loop (does not return).
  void checkWatchpoints(uint64_t vaddr, unsigned len, bool write);
  bool pageHasWatchpoints(uint64_t vpage) const;

 private:
  TranslationBlock* findOrTranslate(uint64_t pc, uint32_t flags);
  TranslationBlock* translate(uint64_t pc, uint32_t flags, uint64_t phys_pc);
  TranslationBlock* translateFresh(const Block& b, uint64_t pc, uint32_t flags, uint64_t phys_pc, bool debug_break);
  void setBlockInfo(TranslationBlock& tb, const Block& b, uint64_t pc, uint32_t flags, uint64_t phys_pc,
                    bool debug_break) const;
  void unlinkIncoming(TranslationBlock* tb);
  void removeFromPage(uint64_t ppage, TranslationBlock* tb);
  void tryChain(ExitInfo from, TranslationBlock* to);

 public:
  // The jump cache hash; backends that probe the cache inline must match it.
  // A page's entries are one run of 64 (page bits high, offset bits low),
  // so a TLB change can drop just the pages it affects (jcRun). Within the
  // run, the instruction's word index folded with bits 8-13: with the word
  // index alone, blocks 256 bytes apart took the same slot. Slots go in
  // pairs (i, i ^ 1) that either block hashing to one of them may use
  // (setJumpCache): a hot page has more blocks than its run has slots, and
  // two hot blocks sharing one slot (on the ways out of a region) sent
  // every exit through the block hash table (docs/performance.md,
  // session 12).
  static constexpr size_t kJumpCacheSize = 4096;
  static constexpr size_t kJumpCacheRun = 64;   // slots a page
  static size_t jcIndex(uint64_t pc) { return ((pc >> 6) & 0xfc0) | (((pc >> 2) ^ (pc >> 8)) & 0x3f); }
  static size_t jcRun(uint64_t pc) { return (pc >> 6) & 0xfc0; }

 private:

  Cpu& cpu_;
  BackendKind backend_kind_ = BackendKind::X86_64;
  std::unique_ptr<Backend> backend_;
  bool fastmem_wanted_ = true;
  std::unique_ptr<Fastmem> fastmem_;   // before the backend, whose code it maps for
  void setUpFastmem(BackendKind k);
  int fastmem_timer_ = -1;   // Fastmem::review
  std::unique_ptr<TimerQueue> timers_;
  std::array<TranslationBlock*, kJumpCacheSize> jump_cache_{};
  // Beside each slot, the page of the block put there (bit 0: the block
  // runs into the next page), so that dropping one page's slots is a dense
  // scan instead of a pointer chase per slot. Stale beside a null slot.
  std::array<uint64_t, kJumpCacheSize> jump_cache_page_{};
  // One bit per virtual page number modulo 2^18, set for every page a block
  // in the jump cache came from (cleared only with the whole cache): a page
  // whose bit is clear has no slots to drop. Linux's TLB refills change
  // data pages far more often than code pages.
  static constexpr unsigned kJcSeenBits = 18;
  std::array<uint64_t, (1u << kJcSeenBits) / 64> jump_cache_seen_{};
  static size_t jcSeenIndex(uint64_t page) { return (page >> kPageBits) & ((1u << kJcSeenBits) - 1); }
  bool jcMaySee(uint64_t page) const {
    const size_t i = jcSeenIndex(page);
    return (jump_cache_seen_[i >> 6] >> (i & 63)) & 1;
  }
  // The block in the jump cache for (pc, flags), in either slot of its
  // pair (as generated code probes it: Codegen::probeJumpCache).
  TranslationBlock* jumpCacheFind(uint64_t pc, uint32_t flags) const {
    const size_t i = jcIndex(pc);
    for (size_t k : {i, i ^ 1}) {
      TranslationBlock* tb = jump_cache_[k];
      if (tb && tb->pc == pc && tb->flags == flags && tb->valid) return tb;
    }
    return nullptr;
  }
  // The new block takes its own slot; the one it displaces there moves to
  // the other slot of the pair (what was there goes).
  void setJumpCache(TranslationBlock* tb) {
    const size_t i = jcIndex(tb->pc);
    if (jump_cache_[i] && jump_cache_[i] != tb && jump_cache_[i ^ 1] != tb) {
      jump_cache_[i ^ 1] = jump_cache_[i];
      jump_cache_page_[i ^ 1] = jump_cache_page_[i];
    } else if (jump_cache_[i ^ 1] == tb) {
      jump_cache_[i ^ 1] = nullptr;
    }
    jump_cache_[i] = tb;
    jump_cache_page_[i] = (tb->pc & kPageMask) | (tb->phys_page2 != ~0ull ? 1 : 0);
    const size_t s = jcSeenIndex(tb->pc & kPageMask);
    jump_cache_seen_[s >> 6] |= 1ull << (s & 63);
  }
  struct KeyHash {
    size_t operator()(const std::tuple<uint64_t, uint64_t, uint32_t>& k) const {
      return std::get<0>(k) * 0x9e3779b97f4a7c15ull ^ std::get<1>(k) ^ (uint64_t(std::get<2>(k)) << 40);
    }
  };
  // (phys_pc, pc, flags) -> block
  std::unordered_map<std::tuple<uint64_t, uint64_t, uint32_t>, TranslationBlock*, KeyHash> blocks_;
  // Physical pages holding translated code: their blocks, and which of the
  // page's bytes those blocks were translated from (a bit per byte; bits
  // stay set when one block goes, erring towards invalidation).
  struct CodePage {
    std::vector<TranslationBlock*> blocks;
    std::array<uint64_t, kPageSize / 64> bytes{};
    void markBytes(uint64_t from, uint64_t to) {
      for (uint64_t i = from; i < to; i++) bytes[i >> 6] |= 1ull << (i & 63);
    }
  };
  std::unordered_map<uint64_t, CodePage> code_pages_;
  // The same question for the pages below 4 GiB, one bit each: every
  // softmmu refill asks it, and the hash lookup (a cache miss or two) was
  // 5% of xz in Linux. Kept in step with code_pages_ by setCodePage().
  static constexpr uint64_t kCodeBitPages = 1ull << (32 - kPageBits);
  std::vector<uint64_t> code_page_bits_ = std::vector<uint64_t>(kCodeBitPages / 64);
  void setCodePage(uint64_t ppage, bool has) {
    const uint64_t n = ppage >> kPageBits;
    if (n >= kCodeBitPages) return;
    if (has) code_page_bits_[n >> 6] |= 1ull << (n & 63);
    else code_page_bits_[n >> 6] &= ~(1ull << (n & 63));
  }
  // Owned until a flush: invalidated blocks stay too, since their code may
  // still be running when they are invalidated.
  std::vector<std::unique_ptr<TranslationBlock>> all_blocks_;
  // Invalidated blocks are recycled with their code space (where the
  // backend can put new code there: Backend::recompile), so that code that
  // keeps changing (self-modifying code, a guest's own JIT) does not grow
  // the host's memory: every fresh page of code or block was a page fault,
  // a quarter of the smc kernel's time. A block is retired when
  // invalidated (its code may still be running) and becomes a spare once
  // the loop is between blocks; spares are kept by code capacity, in
  // kSpareClassBytes steps. Regions' members are never recycled (pinned).
  std::vector<TranslationBlock*> retired_;
  static constexpr size_t kSpareClasses = 64;
  static constexpr uint32_t kSpareClassBytes = 32;
  std::array<std::vector<TranslationBlock*>, kSpareClasses> spares_;
  size_t spare_count_ = 0;
  bool recycling_ = false;   // the backend reuses code space
  uint64_t code_bytes_ = 0, ir_ops_ = 0;   // of fresh translations: what a spare must hold
  void reclaimRetired();
  TranslationBlock* takeSpare(size_t ops);
  void putSpare(TranslationBlock* tb);
  std::unique_ptr<Block> scratch_;
  bool verify_ir_ = false;   // run verifyBlock on every translation
  uint64_t translate_page2_ = ~0ull;
  ExecStats stats_;
  DebugState debug_;
  bool executing_step_ = false;   // the running block is a debugger step (survives longjmp)
  bool finishStep();
  // exec_hot.cpp
  void onHot(TranslationBlock* tb);
  bool regionPossible(const TranslationBlock* tb) const;
  std::vector<TranslationBlock*> regionMembers(TranslationBlock* hot, const Region* old) const;
  void installFinished();
  void dropRegion(Region* r);
  void dropRegionsOnPage(uint64_t ppage);
  void resetHotTier();
  uint64_t regionEntries() const;   // stats_.region_entries plus the live regions' counters
  uint64_t hot_generation_ = 0;   // bumped when all tier-2 code goes; jobs of older ones are discarded
  struct RegionKey {
    uint64_t phys_page, vpage;
    uint32_t flags;
    bool operator==(const RegionKey&) const = default;
  };
  struct RegionKeyHash {
    size_t operator()(const RegionKey& k) const {
      return k.phys_page * 0x9e3779b97f4a7c15ull ^ k.vpage ^ (uint64_t(k.flags) << 40);
    }
  };
  std::unique_ptr<RegionCompiler> region_compiler_;
  // Baseline runs before a block's page gets a region. A region costs the
  // compiler thread 50-100 ms of LLVM; at 20000 runs a Linux boot compiled
  // 51 regions (4.7 s of CPU, the queue overflowing) for code that never
  // paid that back, while a benchmark's hot loop reaches 200000 runs within
  // milliseconds.
  uint32_t hot_threshold_ = 200000;
  // How blocks get hot: by default the sampler (tcg/hot_sampler.h) finds
  // the blocks that take the CPU thread's time; under -icount (where what
  // gets compiled must not depend on host time) and with
  // MIMIC_HOT_THRESHOLD set (tests), every block counts its runs to
  // hot_threshold_ instead.
  bool hot_counting_ = false;
  std::unique_ptr<HotSampler> sampler_;
  // A block is hot at this many samples, one every kHotSamplePeriodNs of
  // the CPU thread's CPU time (MIMIC_HOT_SAMPLES, MIMIC_HOT_SAMPLE_US).
  static constexpr uint32_t kHotSamples = 3;
  static constexpr int64_t kHotSamplePeriodNs = 1'000'000;
  // Every region since the last flush (their entry counters are written
  // by trampolines that may still run), the current one of each page and
  // mapping, and how often each was built.
  std::vector<std::unique_ptr<Region>> all_regions_;
  std::unordered_map<RegionKey, Region*, RegionKeyHash> regions_;
  std::unordered_map<RegionKey, unsigned, RegionKeyHash> region_builds_;
  // Pages whose region was dropped for its entries: their next region also
  // takes in the page's blocks in the jump cache (regionMembers).
  std::unordered_map<RegionKey, bool, RegionKeyHash> region_leaky_;
  uint64_t region_code_bytes_ = 0;   // tier-2 code since the last reset
  uint32_t regions_in_flight_ = 0;   // submitted, not yet back
  bool hotBudgetLeft();
  int review_timer_ = -1;
  // The CPU thread's CPU-time clock (statsReport), set when run() starts.
  uint64_t cpuThreadNs() const;   // the CPU thread's CPU time (0 before it ran)
  clockid_t cpu_thread_clock_{};
  bool cpu_thread_clock_valid_ = false;
  void reviewRegions();
};

}  // namespace mimic::tcg
