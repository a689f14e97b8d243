#include "tcg/fastmem.h"

#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "hw/core/memory.h"

namespace mimic::tcg {

namespace {

thread_local Fastmem* t_current = nullptr;
struct sigaction g_previous {};
bool g_installed = false;

constexpr int kReserveFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

}  // namespace

std::unique_ptr<Fastmem> Fastmem::create(int mmu_idx, uint64_t vlimit, std::string& why) {
  if (vlimit > kReserved) vlimit = kReserved;
  // The base is a displacement in the access instruction: positive, below
  // 2 GiB. Guest RAM took its place around 1 GiB before (hw/mips/malta.cpp).
  void* got = nullptr;
  for (uint64_t at = 1ull << 28; at < 1ull << 31; at += 1ull << 28) {
    void* want = reinterpret_cast<void*>(at);
    void* p = mmap(want, kReserved, PROT_NONE, kReserveFlags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == want) {
      got = p;
      break;
    }
    if (p != MAP_FAILED) munmap(p, kReserved);   // a kernel without MAP_FIXED_NOREPLACE put it elsewhere
  }
  if (!got) {
    why = "no free 4 GiB of host address space starting below 2 GiB";
    return nullptr;
  }
  if (!g_installed) {
    struct sigaction sa {};
    sa.sa_sigaction = &Fastmem::onSignal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &g_previous) != 0) {
      why = fmt::format("cannot install a SIGSEGV handler: {}", std::strerror(errno));
      munmap(got, kReserved);
      return nullptr;
    }
    g_installed = true;
  }
  return std::unique_ptr<Fastmem>(new Fastmem(mmu_idx, vlimit, static_cast<uint8_t*>(got)));
}

Fastmem::Fastmem(int mmu_idx, uint64_t vlimit, uint8_t* base)
    : mmu_idx_(mmu_idx), vlimit_(vlimit), base_(base), state_(kReserved >> kPageBits, kUnmapped),
      ppn_(kReserved >> kPageBits, 0) {}

Fastmem::~Fastmem() {
  if (t_current == this) t_current = nullptr;
  munmap(base_, kReserved);
}

void Fastmem::setCurrent(Fastmem* f) { t_current = f; }

void Fastmem::setState(uint64_t vpn, uint8_t state, uint32_t ppn) {
  if (state_[vpn] == kUnmapped && state != kUnmapped) {
    // Pages unmapped one by one stay listed: start over before the list
    // outgrows the table.
    if (touched_.size() >= state_.size()) {
      touched_.clear();
      for (uint64_t i = 0; i < state_.size(); i++)
        if (state_[i] != kUnmapped) touched_.push_back(uint32_t(i));
    }
    touched_.push_back(uint32_t(vpn));
  }
  state_[vpn] = state;
  ppn_[vpn] = ppn;
}

bool Fastmem::mapPage(uint64_t vpage, int fd, uint64_t offset, bool writable) {
  void* want = base_ + vpage;
  const int prot = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  void* p = mmap(want, kPageSize, prot, MAP_SHARED | MAP_FIXED, fd, off_t(offset));
  if (p == want) {
    stats_.maps++;
    return true;
  }
  // Out of mappings (vm.max_map_count: a mapping per scattered page):
  // start over with none; the pages in use come back as they fault.
  stats_.map_errors++;
  unmapAll();
  p = mmap(want, kPageSize, prot, MAP_SHARED | MAP_FIXED, fd, off_t(offset));
  if (p == want) {
    stats_.maps++;
    return true;
  }
  return false;
}

void Fastmem::unmapRange(uint64_t vaddr, uint64_t bytes) {
  // Replaced by inaccessible reserved memory (never a hole another mmap
  // could take).
  mmap(base_ + vaddr, bytes, PROT_NONE, kReserveFlags | MAP_FIXED, -1, 0);
}

void Fastmem::dropWritable(uint64_t vpn) {
  auto it = writable_.find(ppn_[vpn]);
  if (it == writable_.end()) return;
  std::erase(it->second, uint32_t(vpn));
  if (it->second.empty()) writable_.erase(it);
}

void Fastmem::mirror(uint64_t vpage, uint64_t ppage, const hw::Region* r, const TlbEntry& e) {
  stats_.fills++;
  if (vpage >= vlimit_ || !active_) return;
  const uint64_t vpn = vpage >> kPageBits;
  const uint32_t ppn = uint32_t(ppage >> kPageBits);
  const bool plain_read = (e.addr_read & (kPageMask | kTlbInvalid | kTlbFlagsMask)) == vpage;
  const bool plain_write = (e.addr_write & (kPageMask | kTlbInvalid | kTlbFlagsMask)) == vpage;
  uint8_t want = kNever;
  if (r && r->isRam() && !r->readonly && r->fd >= 0 && plain_read && r->contains(ppage + kPageSize - 1))
    want = plain_write ? kWrite : kRead;
  const uint8_t now = state_[vpn];
  if (now == want && (want == kNever || ppn_[vpn] == ppn)) return;
  if (now == kWrite) dropWritable(vpn);
  if (want == kNever) {
    if (now == kRead || now == kWrite) unmapRange(vpage, kPageSize);
    setState(vpn, kNever, 0);   // a hidden mapping stays inaccessible
    return;
  }
  if (now == kHidden && ppn_[vpn] == ppn) {
    // Mapped there before and hidden by a page flush: the guest refilled
    // the same translation (the common case when its TLB churns), and
    // showing the mapping again is one mprotect.
    mprotect(base_ + vpage, kPageSize, want == kWrite ? PROT_READ | PROT_WRITE : PROT_READ);
    stats_.shown++;
  } else if (!mapPage(vpage, r->fd, r->fd_offset + (ppage - r->base), want == kWrite)) {
    setState(vpn, kNever, 0);   // the slow path serves it
    return;
  }
  setState(vpn, want, ppn);
  if (want == kWrite) writable_[ppn].push_back(uint32_t(vpn));
}

void Fastmem::unmapPage(uint64_t vpage) {
  if (vpage >= vlimit_) return;
  const uint64_t vpn = vpage >> kPageBits;
  const uint8_t now = state_[vpn];
  if (now == kUnmapped || now == kHidden) return;
  if (now == kWrite) dropWritable(vpn);
  if (now == kNever) {
    state_[vpn] = kUnmapped;   // stays in touched_ until the next full unmap
    return;
  }
  // Hidden, not unmapped: the mapping stays, inaccessible, so that a
  // refill of the same translation only needs to show it again (an unmap
  // merged the page back into the reservation, and the next mapping split
  // it out again).
  mprotect(base_ + vpage, kPageSize, PROT_NONE);
  stats_.unmaps++;
  state_[vpn] = kHidden;
}

void Fastmem::unmapAll() {
  if (touched_.empty()) return;
  stats_.flushes++;
  unmapRange(0, vlimit_);
  for (uint32_t vpn : touched_) state_[vpn] = kUnmapped;
  touched_.clear();
  writable_.clear();
}

void Fastmem::protectPhys(uint64_t ppage) {
  auto it = writable_.find(uint32_t(ppage >> kPageBits));
  if (it == writable_.end()) return;
  for (uint32_t vpn : it->second) {
    mprotect(base_ + (uint64_t(vpn) << kPageBits), kPageSize, PROT_READ);
    state_[vpn] = kRead;
  }
  writable_.erase(it);
}

void Fastmem::addSite(uintptr_t pc, uintptr_t slow, uintptr_t probe) { sites_[pc] = Site{slow, probe}; }

void Fastmem::setActive(bool on) {
  active_ = on;
  if (!on) {
    stats_.off++;
    unmapAll();
  }
}

bool Fastmem::review(int64_t now_ns) {
  const int64_t window = now_ns - review_ns_;
  if (window <= 0) return false;
  // Experiments: MIMIC_FASTMEM_MAX_FILLS (per second) moves the bound.
  static const double max_rate = [] {
    const char* v = std::getenv("MIMIC_FASTMEM_MAX_FILLS");
    return v && std::atof(v) > 0 ? std::atof(v) : kMaxFillsPerSecond;
  }();
  const double rate = double(stats_.fills - fills_at_review_) * 1e9 / double(window);
  fills_at_review_ = stats_.fills;
  last_rate_ = rate;
  review_ns_ = now_ns;
  // The rate means the same either way: probed, the mode's fills are the
  // refills that mapped accesses would fault on. Between the two bounds
  // nothing changes, and a change stands for kMinDwellNs at least (each
  // costs a flush of all generated code).
  if (now_ns - changed_ns_ < kMinDwellNs) return false;
  if (active_ ? rate > max_rate : rate <= max_rate / 2) {
    setActive(!active_);
    changed_ns_ = now_ns;
    return true;
  }
  return false;
}

void Fastmem::removeSites(uintptr_t from, uintptr_t to) { sites_.erase(sites_.lower_bound(from), sites_.lower_bound(to)); }

// Runs on the thread that faulted, which was running generated code (the
// only code that touches the range), so nothing here is being changed.
bool Fastmem::handleFault(uintptr_t pc, uintptr_t addr, void* ucontext) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(base_);
  if (addr < base || addr - base >= kReserved) return false;
  auto it = sites_.find(pc);
  if (it == sites_.end()) return false;
  Site& site = it->second;
  stats_.faults++;
  const uint64_t vpn = (addr - base) >> kPageBits;
  // A page that was simply not mapped yet (or hidden) gets mapped by the
  // slow path; any other fault would come back every time.
  if (vpn >= state_.size() || (state_[vpn] != kUnmapped && state_[vpn] != kHidden)) site.faults++;
  auto* uc = static_cast<ucontext_t*>(ucontext);
  if (site.faults >= kFaultsBeforePatch) {
    uint8_t jmp[5] = {0xE9};
    const int32_t rel = int32_t(intptr_t(site.probe) - intptr_t(pc + 5));
    std::memcpy(jmp + 1, &rel, 4);
    std::memcpy(reinterpret_cast<void*>(pc), jmp, 5);
    stats_.patched++;
    uc->uc_mcontext.gregs[REG_RIP] = greg_t(site.probe);
    sites_.erase(it);
    return true;
  }
  uc->uc_mcontext.gregs[REG_RIP] = greg_t(site.slow);
  return true;
}

void Fastmem::onSignal(int sig, siginfo_t* info, void* ucontext) {
  auto* uc = static_cast<ucontext_t*>(ucontext);
  const uintptr_t pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  if (Fastmem* f = t_current; f && f->handleFault(pc, reinterpret_cast<uintptr_t>(info->si_addr), ucontext)) return;
  // Not a guest access: what would have happened without us.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) return g_previous.sa_sigaction(sig, info, ucontext);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler) {
    return g_previous.sa_handler(sig);
  }
  signal(SIGSEGV, SIG_DFL);   // the instruction faults again, now fatally (a core dump where enabled)
}

}  // namespace mimic::tcg
