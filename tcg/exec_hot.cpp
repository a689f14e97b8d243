// The hot tier's side of the execution engine (tier=auto; tcg/region.h):
// which blocks form a region, handing regions to the compiler, installing
// the compiled code, and dropping it when the guest code changes.
//
// Everything here runs on the CPU thread, in the execution loop (never
// inside generated code), so no region code is running while entries are
// redirected; code already left behind by a dropped region may still be on
// its way out and leaves at its next check of exit_request, which dropping
// a region sets.
#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "hw/core/memory.h"
#include "tcg/exec.h"
#include "tcg/passes.h"
#include "util/log.h"
#include "util/perfmap.h"

namespace mimic::tcg {

// Experiments: MIMIC_HOT_MAX_BLOCKS overrides the cap.
size_t ExecEngine::maxRegionBlocks() {
  static const size_t n = [] {
    const char* v = std::getenv("MIMIC_HOT_MAX_BLOCKS");
    return v && std::atoi(v) > 0 ? size_t(std::atoi(v)) : kMaxRegionBlocks;
  }();
  return n;
}

bool ExecEngine::regionPossible(const TranslationBlock* tb) const {
  return tb->valid && tb->phys_page2 == ~0ull && !tb->debug_break && !(tb->flags & kTbFlagStep);
}

// The page's often-run blocks under the hot block's mapping and mode: the
// old region's members first (a rebuild keeps their order), then the hot
// block, the blocks its goto_tb exits (and its calls' returns) reach,
// breadth first, and the others
// that ran at least an eighth of the threshold (the targets of indirect
// jumps: a switch's cases, returns into a caller in the page).
std::vector<TranslationBlock*> ExecEngine::regionMembers(TranslationBlock* hot, const Region* old) const {
  std::vector<TranslationBlock*> members;
  const uint64_t ppage = hot->phys_pc & kPageMask;
  const uint64_t vpage = hot->pc & kPageMask;
  // Blocks of other pages join where no mapping can change under the
  // region (kseg0 for MIPS: the kernel, and the kernel's decompressor,
  // whose functions call across pages), and, reached from a member by a
  // goto_tb or a call's return, on mapped pages of RAM as they are mapped
  // now: the region checks such a page's mapping at every branch into it
  // from another page (llvm_lower.cpp, page guards), and is entered only
  // on the hot block's page.
  const bool fixed = cpu_.fixedMapping(hot->pc, hot->flags);
  auto add = [&](TranslationBlock* tb, bool mapped_now = false) {
    if (!regionPossible(tb) || tb->flags != hot->flags) return;
    if ((tb->pc & kPageMask) == vpage) {
      if (tb->phys_pc != (ppage | (tb->pc & (kPageSize - 1)))) return;   // another mapping of the page
    } else if (!(fixed && cpu_.fixedMapping(tb->pc, tb->flags)) && !mapped_now) {
      return;
    }
    if (members.size() < maxRegionBlocks() && std::find(members.begin(), members.end(), tb) == members.end())
      members.push_back(tb);
  };
  if (old)
    for (TranslationBlock* tb : old->members) add(tb);
  add(hot);
  // A call's return address counts as one more target: the callee's
  // return goes there (in the region, a predicted branch: llvm_lower.cpp).
  for (size_t i = 0; i < members.size() && members.size() < maxRegionBlocks(); i++)
    for (int slot = 0; slot < 3; slot++) {
      const TranslationBlock* from = members[i];
      uint64_t pc;
      if (slot < 2) {
        if (from->jmp_offset[slot] == kNoJump) continue;
        pc = from->jmp_target_pc[slot];
      } else {
        if (from->call_return == Block::kNoCall) continue;
        pc = from->call_return;
      }
      uint64_t phys_pc = ppage | (pc & (kPageSize - 1));
      bool mapped_now = false;
      if ((pc & kPageMask) != vpage) {
        TranslationResult tr;
        if (!cpu_.mmuTranslate(pc, AccessType::Fetch, cpu_.mmuIndex(hot->flags), false, tr)) continue;
        phys_pc = tr.paddr | (pc & (kPageSize - 1));
        mapped_now = !(fixed && cpu_.fixedMapping(pc, hot->flags));
        if (mapped_now && !cpu_.addressSpace().hostPtr(phys_pc & kPageMask)) continue;   // not RAM
      }
      auto it = blocks_.find({phys_pc, pc, hot->flags});
      if (it != blocks_.end()) add(it->second, mapped_now);
    }
  // Often run: sampled at all, or counted to an eighth of the threshold
  // (the counter counts down from the threshold at each baseline run and
  // wraps below zero once it reached it).
  auto often = [&](const TranslationBlock* tb) {
    if (tb->samples) return true;
    if (!tb->hot_counter) return false;
    const uint32_t left = *tb->hot_counter;
    return (left > hot_threshold_ ? hot_threshold_ : hot_threshold_ - left) >= hot_threshold_ / 8;
  };
  // Blocks whose counter ran out while their page's region compiled start
  // counting again, but belong in the next one all the same (a switch
  // interpreter's most common case left out made every second virtual
  // instruction leave the region).
  if (auto page = code_pages_.find(ppage); page != code_pages_.end())
    for (TranslationBlock* tb : page->second.blocks)
      if (tb->was_hot || often(tb)) add(tb);
  // Last, where the page's region kept leaving (reviewRegions) or one of
  // its members dispatches through a loaded address (a switch), the
  // page's blocks in the jump cache: the targets of its recent indirect
  // jumps (a switch's cases, returns into the page). Short ones run often
  // without the sampler ever landing in them. Not always: blocks that run
  // once (start-up code) made int_alu's loop region twice as slow; and
  // waiting for a drop cost branchy a costly first region and a second
  // compile before its interpreter loop ran compiled.
  // Only those between the members' first and last address on the page:
  // a switch's cases lie among its function's blocks; the jump cache also
  // keeps blocks that ran once long ago (start-up code, a caller's
  // continuation), and such members made branchy's region bigger and
  // slower once the cache kept more (a slot per pair, session 12).
  const bool dispatch = std::any_of(members.begin(), members.end(), [](const TranslationBlock* m) { return m->dispatches; });
  if (dispatch || region_leaky_.count({ppage, hot->pc & kPageMask, hot->flags})) {
    uint64_t lo = hot->pc, hi = hot->pc;
    for (const TranslationBlock* m : members)
      if ((m->pc & kPageMask) == vpage) {
        lo = std::min(lo, m->pc);
        hi = std::max(hi, m->pc);
      }
    const size_t run = jcRun(hot->pc);
    for (size_t i = run; i < run + kJumpCacheRun && members.size() < maxRegionBlocks(); i++)
      if (TranslationBlock* tb = jump_cache_[i];
          tb && (jump_cache_page_[i] & kPageMask) == vpage && tb->pc >= lo && tb->pc <= hi)
        add(tb);
  }
  return members;
}

// Whether the compiler may take another region: its CPU time so far, with
// the regions still in flight counted at the average cost, against the
// budget (kHotCompileShare of the machine's running time).
bool ExecEngine::hotBudgetLeft() {
  if (region_compiler_->synchronous()) return true;
  const double elapsed = double(timers_->nowNs());   // since the machine started, pauses left out
  const uint64_t done = stats_.regions + stats_.regions_stale;
  static const double share = [] {
    const char* v = std::getenv("MIMIC_HOT_COMPILE_SHARE");
    return v && std::atof(v) > 0 ? std::atof(v) : kHotCompileShare;
  }();
  static const double allowance_ns = [] {
    const char* v = std::getenv("MIMIC_HOT_COMPILE_ALLOWANCE_MS");
    return v && std::atof(v) >= 0 ? std::atof(v) * 1e6 : double(kHotCompileAllowanceNs);
  }();
  const uint64_t average = done ? stats_.region_ns / done : uint64_t(allowance_ns / 4);
  const uint64_t spent = stats_.region_ns + regions_in_flight_ * average;
  return double(spent) <= elapsed * share + allowance_ns;
}

// A baseline block's counter ran out: queue its page's region (again, with
// the block, if the page has one without it).
void ExecEngine::onHot(TranslationBlock* tb) {
  if (!region_compiler_ || !regionPossible(tb) || tb->in_region || !debug_.breakpoints.empty() ||
      !debug_.watchpoints.empty() || debug_.stepping())
    return;
  tb->was_hot = true;
  const RegionKey key{tb->phys_pc & kPageMask, tb->pc & kPageMask, tb->flags};
  Region* old = nullptr;
  if (auto it = regions_.find(key); it != regions_.end()) {
    old = it->second;
    if (old->pending) {
      restartCount(tb);   // try again once that one is in
      return;
    }
    // A member without an entry of its own: its code leads into the region.
    if (std::find(old->members.begin(), old->members.end(), tb) != old->members.end()) return;
    // A full region keeps its members first, so a rebuild would compile the
    // same blocks again (gzip in Linux rebuilt full pages three times each).
    if (old->members.size() >= maxRegionBlocks()) return;
  }
  unsigned& builds = region_builds_[key];
  if (builds >= kMaxRegionBuilds) return;
  if (!hotBudgetLeft()) {
    stats_.regions_deferred++;
    restartCount(tb);
    return;
  }

  auto region = std::make_unique<Region>();
  region->phys_page = key.phys_page;
  region->vpage = key.vpage;
  region->flags = key.flags;
  region->members = regionMembers(tb, old);
  for (TranslationBlock* m : region->members) {
    m->pinned = true;   // its code will return their addresses
    const uint64_t page = m->phys_pc & kPageMask;
    if (std::find(region->pages.begin(), region->pages.end(), page) == region->pages.end()) region->pages.push_back(page);
  }
  region->replaces = old;
  auto job = std::make_unique<RegionJob>();
  // The members' IR again, translated so that every instruction boundary
  // is a place to enter or leave (the frontend translates the same guest
  // code the same way under the mapping the CPU runs now).
  for (TranslationBlock* m : region->members) {
    Block& b = *scratch_;
    b.clear();
    b.guest_pc = m->pc;
    translate_page2_ = ~0ull;
    cpu_.translate(b, m->pc, m->flags);
    optimizeKeepingInsnBoundaries(b);
    if (translate_page2_ != ~0ull || b.num_insns != m->num_insns) return;   // not what runs now: leave it
    job->irs.push_back(std::make_unique<Block>(b));
    RegionMember rm{job->irs.back().get(), m->pc, m, m->dispatches};
    // A mapped page other than the region's: the mapping it was built
    // under, for the region's checks (as the TLB holds it: tag and addend).
    const uint64_t mpage = m->pc & kPageMask;
    if (mpage != key.vpage && !cpu_.fixedMapping(m->pc, m->flags)) {
      rm.guard_vpage = mpage;
      rm.guard_addend = uint64_t(uintptr_t(cpu_.addressSpace().hostPtr(m->phys_pc & kPageMask))) - mpage;
      rm.guard_mmu_idx = uint8_t(cpu_.mmuIndex(m->flags));
    }
    job->members.push_back(rm);
  }
  job->region = region.get();
  job->generation = hot_generation_;
  if (const Fastmem* fm = cpu_.common().fastmem; fm && fm->active()) {
    job->fastmem_states = fm->pageStates();
    job->fastmem_base = fm->base();
    job->fastmem_mmu_idx = fm->mmuIdx();
  }
  job->icount = timers_->icount();
  if (!region_compiler_->submit(std::move(job))) {
    stats_.regions_refused++;
    restartCount(tb);
    return;
  }
  builds++;
  regions_in_flight_++;
  if (log::enabled(log::kHot)) {
    std::string pcs;
    for (const TranslationBlock* m : region->members) pcs += fmt::format(" {:#x}", m->pc);
    log::write(fmt::format("hot: build {} of page {:#x} for {:#x}:{}\n", builds, key.vpage, tb->pc, pcs));
  }
  regions_[key] = region.get();   // the old one runs until this one replaces it
  all_regions_.push_back(std::move(region));
  if (region_compiler_->synchronous()) installFinished();
}

// Compiled regions into service: every member's entry jumps to the region.
void ExecEngine::installFinished() {
  for (auto& job : region_compiler_->takeFinished()) {
    if (regions_in_flight_) regions_in_flight_--;
    if (job->generation != hot_generation_) {
      stats_.regions_stale++;   // all tier-2 code went meanwhile, its region too
      continue;
    }
    Region* r = job->region;
    r->pending = false;
    r->fn = job->fn;
    stats_.regions++;
    stats_.region_blocks += job->members.size();
    stats_.region_copies += job->copies;
    stats_.region_ns += job->compile_ns;
    stats_.region_opt_ns += job->opt_ns;
    stats_.region_codegen_ns += job->codegen_ns;
    stats_.region_code_bytes += job->code_bytes;
    region_code_bytes_ += job->code_bytes;
    Region* old = r->replaces;
    r->replaces = nullptr;
    if (r->dropped) {
      stats_.regions_stale++;   // its guest code changed while it compiled
      continue;
    }
    if (old) dropRegion(old);
    bool ok = true;
    r->entry_counts = std::make_unique<uint64_t[]>(r->members.size());
    for (uint32_t i = 0; i < r->members.size() && ok; i++) {
      if (!job->entries[i]) continue;
      TranslationBlock* tb = r->members[i];
      ok = tb->valid && backend_->redirect(*tb, r->fn, i, &r->entry_counts[i]);
      if (ok) tb->in_region = true;
    }
    if (!ok) {
      dropRegion(r);   // out of trampoline space: the next flush makes room
      continue;
    }
    stats_.regions_installed++;
    if (sampler_) sampler_->addRegionCode(r->fn, job->code_bytes, &r->samples);
    openReviewWindow(r);
    if (log::enabled(log::kHot)) {
      std::string pcs;
      for (uint32_t i = 0; i < r->members.size(); i++)
        if (job->entries[i]) pcs += fmt::format(" {:#x}", r->members[i]->pc);
      log::write(fmt::format("hot: installed page {:#x} region, {} blocks and {} copies for call sites, entries:{}\n",
                             r->vpage, r->members.size(), job->copies, pcs));
    }
    if (log::enabled(log::kPerfMap))
      perfmap::add(r->fn, job->code_bytes, fmt::format("region:{:#x}+{}", r->members[0]->pc, r->members.size()));
  }
  if (region_code_bytes_ > kMaxRegionCodeBytes) {
    stats_.tier2_resets++;
    resetHotTier();
  }
}

// A region's review window opens again: what it counts starts now.
void ExecEngine::openReviewWindow(Region* r) {
  r->entries_reviewed = r->entries();
  r->samples_reviewed = r->samples;
  r->signals_reviewed = sampler_ ? sampler_->signals() : 0;
  r->window_ns = timers_->nowNs();
}

// Whether a region's entries in its review window cost more than it
// gains (exec.h, kRegionEntryCostNs): `samples` of the sampler's landed
// in its code meanwhile, each standing for ns_per_sample of CPU time.
bool ExecEngine::entriesTooCostly(uint64_t entries, double window_ns, uint64_t samples, double ns_per_sample) const {
  const double rate = double(entries) * 1e9 / window_ns;
  static const double max_rate = [] {
    const char* v = std::getenv("MIMIC_HOT_MAX_ENTRY_RATE");
    return v && std::atof(v) > 0 ? std::atof(v) : 0.0;
  }();
  if (max_rate > 0) return rate > max_rate;   // a fixed bound, for experiments
  if (!sampler_) return rate > kMaxRegionEntryRate;
  if (rate <= kMinReviewedEntryRate) return false;
  // Half a sample where none landed: the region ran less than a period.
  const double inside_ns = (samples ? double(samples) : 0.5) * ns_per_sample;
  return double(entries) * kRegionEntryCostNs > kMaxRegionEntryShare * inside_ns;
}

// The periodic review (see kRegionEntryCostNs); a timer callback, so in
// the execution loop like every other change to regions.
void ExecEngine::reviewRegions() {
  struct Costly {
    RegionKey key;
    Region* region;
    uint64_t entries;
    uint64_t samples;
  };
  std::vector<Costly> costly;
  // The sampler's real period so far (HotSampler::signals).
  const uint64_t signals = sampler_ ? sampler_->signals() : 0;
  const double ns_per_sample = signals ? double(cpuThreadNs()) / double(signals) : double(kHotSamplePeriodNs);
  const int64_t now = timers_->nowNs();
  for (auto& [key, current] : regions_) {
    // While a rebuild compiles, the region it will replace is the one
    // running; the rebuild (with the blocks that got hot since, often the
    // ones the old region kept leaving for) gets its own review.
    if (current->pending) {
      if (Region* r = current->replaces; r && !r->pending && !r->dropped) openReviewWindow(r);
      continue;
    }
    Region* r = current;
    if (r->dropped) continue;
    // With the sampler, a window lasts until enough samples were taken
    // anywhere for the region's share of them to mean something.
    if (sampler_ && signals - r->signals_reviewed < kReviewSignals) continue;
    const uint64_t entries = r->entries() - r->entries_reviewed;
    const uint64_t samples = r->samples - r->samples_reviewed;
    const double window_ns = double(std::max<int64_t>(now - r->window_ns, 1));
    openReviewWindow(r);
    if (entriesTooCostly(entries, window_ns, samples, ns_per_sample)) costly.push_back({key, r, entries, samples});
  }
  for (auto& [key, r, entries, samples] : costly) {
    // One more build may take in what the region kept leaving for; a
    // region that is still too costly then ends the page's builds.
    unsigned& builds = region_builds_[key];
    builds = builds + 1 >= kMaxRegionBuilds ? kMaxRegionBuilds : kMaxRegionBuilds - 1;
    region_leaky_[key] = true;
    if (log::enabled(log::kHot)) {
      std::string busy;   // entries since install, by member
      for (size_t i = 0; i < r->members.size(); i++)
        if (r->entry_counts[i]) busy += fmt::format(" {:#x}:{}", r->members[i]->pc, r->entry_counts[i]);
      log::write(fmt::format("hot: page {:#x} region entered {} times, {} samples in its code: dropped{}; entries by member:{}\n",
                             r->vpage, entries, samples,
                             builds >= kMaxRegionBuilds ? ", no more regions for the page" : ", one more build allowed",
                             busy));
    }
    dropRegion(r);
    stats_.regions_costly++;
  }
  timers_->arm(review_timer_, timers_->nowNs() + kRegionReviewNs);
}

// Out of service: the region's blocks run their baseline code again; its
// code still running leaves at its next check of exit_request. A pending
// region is only marked: installFinished discards it.
void ExecEngine::dropRegion(Region* r) {
  if (r->dropped) return;
  r->dropped = true;
  // Region code still running (this is a helper it called: a store over
  // its code, a device's DMA) leaves at its next block boundary
  // (llvm_lower.cpp, findChecksAfterCalls); anywhere else this costs one
  // more visit of the loop.
  cpu_.common().exit_request = 1;
  const RegionKey key{r->phys_page, r->vpage, r->flags};
  if (auto it = regions_.find(key); it != regions_.end() && it->second == r) regions_.erase(it);
  if (r->pending) {
    if (r->replaces) dropRegion(r->replaces);
    return;
  }
  stats_.regions_dropped++;
  if (sampler_) sampler_->removeRegionCode(&r->samples);
  for (TranslationBlock* tb : r->members)
    if (tb->in_region) {
      backend_->unredirect(*tb);
      tb->in_region = false;
    }
}

// The guest wrote a page holding code: the regions with code from it go
// (under every mapping).
void ExecEngine::dropRegionsOnPage(uint64_t ppage) {
  if (!region_compiler_ || regions_.empty()) return;
  std::vector<Region*> hit;
  for (auto& [key, r] : regions_) {
    if (key.phys_page == ppage || std::find(r->pages.begin(), r->pages.end(), ppage) != r->pages.end()) hit.push_back(r);
    // The region a pending one replaces still runs.
    if (Region* old = r->replaces; old && std::find(old->pages.begin(), old->pages.end(), ppage) != old->pages.end())
      hit.push_back(old);
  }
  for (Region* r : hit) dropRegion(r);
}

// All tier-2 code goes: before a flush of the baseline code (while the
// blocks still exist), or when tier-2 code reached its bound (from the
// execution loop, where no region code runs). Jobs in flight are
// discarded when they come back; the compiler frees the code after them.
void ExecEngine::resetHotTier() {
  if (!region_compiler_) return;
  for (auto& r : all_regions_) {
    if (!r->pending) dropRegion(r.get());
    stats_.region_entries += r->entries();
  }
  all_regions_.clear();
  regions_.clear();
  region_builds_.clear();
  region_leaky_.clear();
  region_code_bytes_ = 0;
  hot_generation_++;
  region_compiler_->flush();
}

uint64_t ExecEngine::regionEntries() const {
  uint64_t n = stats_.region_entries;
  for (const auto& r : all_regions_) n += r->entries();
  return n;
}

}  // namespace mimic::tcg
