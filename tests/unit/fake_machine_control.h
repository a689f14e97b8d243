// A MachineControl for monitor tests: 1 MiB of RAM at physical 0, seen
// virtually through MIPS kseg0 (0x80000000) and kseg1 (0xa0000000), a run
// state, and events delivered to listeners at once on the calling thread.
#pragma once

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "hw/core/machine_control.h"

namespace mimic::testing {

class FakeMachineControl : public hw::MachineControl {
 public:
  static constexpr uint64_t kRamSize = 1 << 20;

  FakeMachineControl() : ram(kRamSize, 0) {}

  void pause() override {
    ++pauses;
    if (setState("paused")) emit({hw::MachineEvent::Kind::Stop, "pause"});
  }
  void resume() override {
    ++resumes;
    if (setState("running")) emit({hw::MachineEvent::Kind::Resume});
  }
  bool running() const override {
    std::lock_guard<std::mutex> l(mu_);
    return status_ == "running";
  }
  std::string status() const override {
    std::lock_guard<std::mutex> l(mu_);
    return status_;
  }
  void reset() override {
    ++resets;
    emit({hw::MachineEvent::Kind::Reset, "host-qmp-system-reset", false});
  }
  void powerdown() override {
    ++powerdowns;
    emit({hw::MachineEvent::Kind::Powerdown});
  }
  void quit() override {
    ++quits;
    emit({hw::MachineEvent::Kind::Shutdown, "host-qmp-quit", false});
  }
  int addListener(std::function<void(const hw::MachineEvent&)> fn) override {
    std::lock_guard<std::mutex> l(mu_);
    listeners_[next_id_] = std::move(fn);
    return next_id_++;
  }
  void removeListener(int id) override {
    std::lock_guard<std::mutex> l(mu_);
    listeners_.erase(id);
  }
  bool readMemory(uint64_t addr, bool physical, void* buf, size_t len) override {
    ++reads;
    uint64_t pa;
    if (!translate(addr, physical, len, pa)) return false;
    std::lock_guard<std::mutex> l(mu_);
    std::memcpy(buf, ram.data() + pa, len);
    return true;
  }
  bool writeMemory(uint64_t addr, bool physical, const void* buf, size_t len) override {
    uint64_t pa;
    if (!translate(addr, physical, len, pa)) return false;
    std::lock_guard<std::mutex> l(mu_);
    std::memcpy(ram.data() + pa, buf, len);
    return true;
  }
  std::string info(const std::string& what) override {
    auto it = infos.find(what);
    return it == infos.end() ? "" : it->second;
  }
  bool bigEndian() const override { return big_endian; }

  // Test helpers.
  void setStatus(const std::string& s) {
    std::lock_guard<std::mutex> l(mu_);
    status_ = s;
  }
  void emit(const hw::MachineEvent& ev) {
    std::map<int, std::function<void(const hw::MachineEvent&)>> copy;
    {
      std::lock_guard<std::mutex> l(mu_);
      copy = listeners_;
    }
    for (auto& [id, fn] : copy) fn(ev);
  }
  size_t listenerCount() {
    std::lock_guard<std::mutex> l(mu_);
    return listeners_.size();
  }
  void poke(uint64_t pa, const std::vector<uint8_t>& bytes) { std::memcpy(ram.data() + pa, bytes.data(), bytes.size()); }

  std::vector<uint8_t> ram;
  std::map<std::string, std::string> infos = {{"registers", "pc=0x80100000 HI=0x00000000 LO=0x00000000\nGPR00: r0 00000000\n"},
                                              {"mtree", "address-space: memory\n  0000000000000000-000000000fffffff (prio 0, ram): ram\n"},
                                              {"qtree", "bus: main-system-bus\n"},
                                              {"jit", "mimic: jit: baseline: 3 blocks translated in 0.000 s\n"}};
  bool big_endian = false;
  std::atomic<int> pauses{0}, resumes{0}, resets{0}, powerdowns{0}, quits{0}, reads{0};

 private:
  bool setState(const std::string& s) {
    std::lock_guard<std::mutex> l(mu_);
    bool changed = status_ != s;
    status_ = s;
    return changed;
  }
  static bool translate(uint64_t addr, bool physical, size_t len, uint64_t& pa) {
    if (physical) {
      pa = addr;
    } else if (addr >= 0x80000000 && addr < 0xa0000000) {
      pa = addr - 0x80000000;
    } else if (addr >= 0xa0000000 && addr < 0xc0000000) {
      pa = addr - 0xa0000000;
    } else {
      return false;
    }
    return pa < kRamSize && len <= kRamSize - pa;
  }

  mutable std::mutex mu_;
  std::string status_ = "running";
  std::map<int, std::function<void(const hw::MachineEvent&)>> listeners_;
  int next_id_ = 1;
};

}  // namespace mimic::testing
