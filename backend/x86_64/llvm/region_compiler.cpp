// The hot tier's compiler thread: regions queued by the CPU thread are
// lowered, optimized and compiled here while the guest keeps running on
// baseline code; finished jobs wait in a list the CPU thread takes at its
// next visit to the execution loop (a kick makes that visit happen soon).
//
// The thread owns its Jit outright. A flush is queued like a job, so code
// compiled for jobs queued before it is freed after them: the engine
// discards those jobs by their generation.
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>

#include "backend/x86_64/llvm/llvm_backend.h"
#include "backend/x86_64/llvm/llvm_jit.h"
#include "backend/x86_64/llvm/llvm_lower.h"

namespace mimic::llvmjit {

namespace {

// Jobs waiting at once; beyond it the engine drops new ones (their blocks
// get hot again later). Bounds the IR held and the lag behind the guest.
constexpr size_t kMaxQueuedJobs = 16;

// What the compiler thread uses, shared with it: at shutdown a thread in
// the middle of a compile is left to finish on its own (see the compiler's
// destructor) rather than waited for, so this outlives the compiler object.
struct WorkerState {
  explicit WorkerState(tcg::Cpu& c) : cpu(&c), target(c.targetInfo()), windows(c.directWindows()) {}
  tcg::Cpu* cpu;                 // null once abandoned (under mu): no more kicks
  const tcg::TargetInfo target;
  const std::array<tcg::Cpu::DirectWindow, tcg::kMaxMmuModes> windows;   // read on the CPU thread, at start
  Jit jit;
  std::mutex mu;
  std::condition_variable cv;
  struct Item {
    std::unique_ptr<tcg::RegionJob> job;   // null: flush
  };
  std::deque<Item> queue;
  std::vector<std::unique_ptr<tcg::RegionJob>> finished;
  bool stop = false;
  bool busy = false;             // compiling a job now

  void compile(tcg::RegionJob& job) {
    const uint64_t bytes0 = jit.codeBytes(), opt0 = jit.optNs(), codegen0 = jit.codegenNs();
    static const bool no_memo = std::getenv("MIMIC_NO_TLB_MEMO") != nullptr;
    LowerOptions opts{target, job.icount, no_memo};
    opts.windows = windows;
    opts.fastmem_states = job.fastmem_states;
    opts.fastmem_base = job.fastmem_base;
    opts.fastmem_mmu_idx = job.fastmem_mmu_idx;
    std::vector<bool> entries;
    job.fn = jit.compile(job.members[0].pc, [&](llvm::Module& m, const std::string& n) {
      return lowerRegion(m, n, job.members, opts, &entries, &job.copies);
    });
    job.entries.assign(entries.begin(), entries.end());
    job.code_bytes = jit.codeBytes() - bytes0;
    job.opt_ns = jit.optNs() - opt0;
    job.codegen_ns = jit.codegenNs() - codegen0;
    job.compile_ns = job.opt_ns + job.codegen_ns;   // CPU time; lowering to LLVM IR is small beside it
  }

  static void work(std::shared_ptr<WorkerState> self) {
    // Below the CPU thread: on a busy host the guest keeps its core and
    // compilation takes what is left.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
    pthread_setname_np(pthread_self(), "mimic-llvm");   // top -H, perf; the benchmarks leave it out
    WorkerState& w = *self;
    for (;;) {
      WorkerState::Item item;
      {
        std::unique_lock<std::mutex> lk(w.mu);
        w.cv.wait(lk, [&] { return w.stop || !w.queue.empty(); });
        if (w.stop) return;
        item = std::move(w.queue.front());
        w.queue.pop_front();
        w.busy = true;
      }
      if (!item.job) {
        w.jit.flush();
      } else {
        w.compile(*item.job);
      }
      std::lock_guard<std::mutex> lk(w.mu);
      w.busy = false;
      if (!item.job) continue;
      w.finished.push_back(std::move(item.job));
      if (w.cpu) w.cpu->kick();   // the CPU thread installs it at its next loop visit
    }
  }
};

class LlvmRegionCompiler : public tcg::RegionCompiler {
 public:
  LlvmRegionCompiler(tcg::Cpu& cpu, bool synchronous)
      : state_(std::make_shared<WorkerState>(cpu)), sync_(synchronous) {
    if (!sync_) worker_ = std::thread(WorkerState::work, state_);
  }
  // A compile in progress is not waited for: nobody will run its region,
  // and LLVM cannot be interrupted (a 32-block region takes up to half a
  // second, which every short run paid at exit). The thread finishes alone
  // with its share of the state; the process then ends by _exit
  // (tcg::regionCompilerAbandoned).
  ~LlvmRegionCompiler() override {
    if (!worker_.joinable()) return;
    bool busy;
    {
      std::lock_guard<std::mutex> lk(state_->mu);
      state_->stop = true;
      state_->cpu = nullptr;
      busy = state_->busy;
    }
    state_->cv.notify_one();
    if (busy) {
      tcg::noteRegionCompilerAbandoned();
      worker_.detach();
    } else {
      worker_.join();
    }
  }

  bool submit(std::unique_ptr<tcg::RegionJob> job) override {
    WorkerState& w = *state_;
    if (sync_) {
      w.compile(*job);
      w.finished.push_back(std::move(job));
      return true;
    }
    {
      std::lock_guard<std::mutex> lk(w.mu);
      if (w.queue.size() >= kMaxQueuedJobs) return false;
      w.queue.push_back(WorkerState::Item{std::move(job)});
    }
    w.cv.notify_one();
    return true;
  }

  std::vector<std::unique_ptr<tcg::RegionJob>> takeFinished() override {
    std::lock_guard<std::mutex> lk(state_->mu);
    std::vector<std::unique_ptr<tcg::RegionJob>> out;
    out.swap(state_->finished);
    return out;
  }

  void flush() override {
    if (sync_) {
      state_->jit.flush();
      return;
    }
    {
      std::lock_guard<std::mutex> lk(state_->mu);
      state_->queue.push_back(WorkerState::Item{nullptr});   // a flush marker
    }
    state_->cv.notify_one();
  }

  bool synchronous() const override { return sync_; }

 private:
  std::shared_ptr<WorkerState> state_;
  const bool sync_;
  std::thread worker_;   // last: started once everything above exists
};

}  // namespace

std::unique_ptr<tcg::RegionCompiler> makeRegionCompiler(tcg::Cpu& cpu, bool synchronous) {
  return std::make_unique<LlvmRegionCompiler>(cpu, synchronous);
}

}  // namespace mimic::llvmjit
