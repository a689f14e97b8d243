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

class LlvmRegionCompiler : public tcg::RegionCompiler {
 public:
  LlvmRegionCompiler(tcg::Cpu& cpu, bool synchronous) : cpu_(cpu), target_(cpu.targetInfo()), sync_(synchronous) {
    if (!sync_) worker_ = std::thread([this] { work(); });
  }
  ~LlvmRegionCompiler() override {
    stopWorker();
  }
  void stopWorker() {
    if (worker_.joinable()) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        stop_ = true;
      }
      cv_.notify_one();
      worker_.join();
    }
  }

  bool submit(std::unique_ptr<tcg::RegionJob> job) override {
    if (sync_) {
      compile(*job);
      finished_.push_back(std::move(job));
      return true;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (queue_.size() >= kMaxQueuedJobs) return false;
      queue_.push_back(Item{std::move(job)});
    }
    cv_.notify_one();
    return true;
  }

  std::vector<std::unique_ptr<tcg::RegionJob>> takeFinished() override {
    std::lock_guard<std::mutex> lk(mu_);
    std::vector<std::unique_ptr<tcg::RegionJob>> out;
    out.swap(finished_);
    return out;
  }

  void flush() override {
    if (sync_) {
      jit_.flush();
      return;
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      queue_.push_back(Item{nullptr});   // a flush marker
    }
    cv_.notify_one();
  }

  bool synchronous() const override { return sync_; }

 private:
  struct Item {
    std::unique_ptr<tcg::RegionJob> job;   // null: flush
  };

  void compile(tcg::RegionJob& job) {
    const uint64_t bytes0 = jit_.codeBytes(), opt0 = jit_.optNs(), codegen0 = jit_.codegenNs();
    static const bool no_memo = std::getenv("MIMIC_NO_TLB_MEMO") != nullptr;
    LowerOptions opts{target_, job.icount, no_memo};
    std::vector<bool> entries;
    job.fn = jit_.compile(job.members[0].pc, [&](llvm::Module& m, const std::string& n) {
      return lowerRegion(m, n, job.members, job.valid, opts, &entries);
    });
    job.entries.assign(entries.begin(), entries.end());
    job.code_bytes = jit_.codeBytes() - bytes0;
    job.opt_ns = jit_.optNs() - opt0;
    job.codegen_ns = jit_.codegenNs() - codegen0;
    job.compile_ns = job.opt_ns + job.codegen_ns;   // CPU time; lowering to LLVM IR is small beside it
  }

  void work() {
    // Below the CPU thread: on a busy host the guest keeps its core and
    // compilation takes what is left.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
    pthread_setname_np(pthread_self(), "mimic-llvm");   // top -H, perf; the benchmarks leave it out
    for (;;) {
      Item item;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!item.job) {
        jit_.flush();
        continue;
      }
      compile(*item.job);
      {
        std::lock_guard<std::mutex> lk(mu_);
        finished_.push_back(std::move(item.job));
      }
      cpu_.kick();   // the CPU thread installs it at its next loop visit
    }
  }

  tcg::Cpu& cpu_;
  const tcg::TargetInfo target_;
  const bool sync_;
  Jit jit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  std::vector<std::unique_ptr<tcg::RegionJob>> finished_;
  bool stop_ = false;
  std::thread worker_;   // last: started once everything above exists
};

}  // namespace

std::unique_ptr<tcg::RegionCompiler> makeRegionCompiler(tcg::Cpu& cpu, bool synchronous) {
  return std::make_unique<LlvmRegionCompiler>(cpu, synchronous);
}

}  // namespace mimic::llvmjit
