// A minimal machine for CPU-level MIPS tests: RAM at physical 0 and a test
// device whose write stops the CPU. Programs are placed in kseg0 and run
// until they write the device; exceptions go to a vector that does the same.
#pragma once

#include <cstring>
#include <memory>
#include <vector>

#include "frontends/mips/mips_cpu.h"
#include "hw/core/memory.h"
#include "tcg/exec.h"

namespace mimic::mips::test {

// Instruction encoders (just what the tests need).
inline uint32_t R(unsigned rs, unsigned rt, unsigned rd, unsigned sa, unsigned fn) {
  return (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | fn;
}
inline uint32_t I(unsigned op, unsigned rs, unsigned rt, uint32_t imm) {
  return (op << 26) | (rs << 21) | (rt << 16) | (imm & 0xffff);
}
inline uint32_t addiu(unsigned rt, unsigned rs, int16_t v) { return I(9, rs, rt, uint16_t(v)); }
inline uint32_t lui(unsigned rt, uint16_t v) { return I(15, 0, rt, v); }
inline uint32_t ori(unsigned rt, unsigned rs, uint16_t v) { return I(13, rs, rt, v); }
inline uint32_t addu(unsigned rd, unsigned rs, unsigned rt) { return R(rs, rt, rd, 0, 0x21); }
inline uint32_t add(unsigned rd, unsigned rs, unsigned rt) { return R(rs, rt, rd, 0, 0x20); }
inline uint32_t bne(unsigned rs, unsigned rt, int16_t off) { return I(5, rs, rt, uint16_t(off)); }
inline uint32_t beq(unsigned rs, unsigned rt, int16_t off) { return I(4, rs, rt, uint16_t(off)); }
inline uint32_t beql(unsigned rs, unsigned rt, int16_t off) { return I(20, rs, rt, uint16_t(off)); }
inline uint32_t lw(unsigned rt, unsigned base, int16_t off) { return I(35, base, rt, uint16_t(off)); }
inline uint32_t sw(unsigned rt, unsigned base, int16_t off) { return I(43, base, rt, uint16_t(off)); }
inline uint32_t jr(unsigned rs) { return R(rs, 0, 0, 0, 8); }
inline uint32_t jal(uint32_t target) { return (3u << 26) | ((target >> 2) & 0x03ffffff); }
inline uint32_t mfc0(unsigned rt, unsigned rd, unsigned sel = 0) { return (0x10u << 26) | (rt << 16) | (rd << 11) | sel; }
inline uint32_t mtc0(unsigned rt, unsigned rd, unsigned sel = 0) { return (0x10u << 26) | (4u << 21) | (rt << 16) | (rd << 11) | sel; }
constexpr uint32_t kNop = 0;
constexpr uint32_t kEret = 0x42000018;

constexpr uint32_t kStopDevice = 0x1f000000;   // physical; write anything to stop
constexpr uint32_t kCodeBase = 0x80001000;     // programs start here (kseg0)
constexpr uint32_t kHandler = 0x80000180;      // general exception vector (BEV = 0)

class TestDevice : public hw::MmioHandler {
 public:
  explicit TestDevice(tcg::Cpu*& cpu) : cpu_(cpu) {}
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t, uint64_t v, unsigned) override {
    last = uint32_t(v);
    cpu_->requestStop(tcg::StopReason::Shutdown);
  }
  uint32_t last = 0;

 private:
  tcg::Cpu*& cpu_;
};

class Machine {
 public:
  explicit Machine(bool big_endian = false, tcg::BackendKind kind = tcg::BackendKind::X86_64)
      : be_(big_endian), ram_(16 << 20), dev_(cpu_ptr_) {
    as_.addRam("ram", 0, ram_.size(), ram_.data());
    as_.addMmio("stop", kStopDevice, 0x1000, &dev_);
    cpu_ = std::make_unique<MipsCpu>(*findCpuModel("24Kf"), big_endian, as_);
    cpu_ptr_ = cpu_.get();
    cpu_->engine().setBackend(kind);
    // Clear BEV/ERL so exceptions use 0x80000180; FPU on.
    cpu_->state().cp0_status = 0x20000000;
    cpu_->updateHflags();
    // The exception handler stores 0xE0 to the stop device: registers and
    // CP0 stay for the test to inspect.
    place(kHandler, stopSeq(0xe0));
  }

  void place(uint32_t vaddr, const std::vector<uint32_t>& words) {
    for (size_t i = 0; i < words.size(); i++) write32(vaddr + 4 * uint32_t(i), words[i]);
  }
  void write32(uint32_t vaddr, uint32_t w) {
    uint8_t* p = ram_.data() + (vaddr & 0x1fffffff);
    for (int i = 0; i < 4; i++) p[i] = uint8_t(w >> (be_ ? 8 * (3 - i) : 8 * i));
  }
  uint32_t read32(uint32_t vaddr) const {
    const uint8_t* p = ram_.data() + (vaddr & 0x1fffffff);
    uint32_t w = 0;
    for (int i = 0; i < 4; i++) w |= uint32_t(p[i]) << (be_ ? 8 * (3 - i) : 8 * i);
    return w;
  }
  // Runs a program ending with a store to the stop device (see stopSeq()).
  void run(const std::vector<uint32_t>& program, uint32_t at = kCodeBase) {
    place(at, program);
    cpu_->state().pc = at;
    cpu_->run();
  }
  // The instructions that stop the machine with code `v`. The stop takes
  // effect at the next block boundary (as a device's request does on QEMU),
  // so the sequence then spins.
  static std::vector<uint32_t> stopSeq(uint16_t v = 0x5) {
    return {lui(26, (kStopDevice | 0xa0000000u) >> 16), ori(27, 0, v), sw(27, 26, 0), beq(0, 0, -1), kNop};
  }
  // Runs from the current PC for at most `ms` of host time; false on timeout.
  bool runFor(int ms) {
    tcg::TimerQueue& tq = cpu_->engine().timers();
    bool timed_out = false;
    if (watchdog_ < 0) watchdog_ = tq.add([this] { watchdog_fired_ = true; cpu_->requestStop(tcg::StopReason::Stopped); });
    watchdog_fired_ = false;
    tq.arm(watchdog_, tq.nowNs() + int64_t(ms) * 1000000);
    cpu_->run();
    timed_out = watchdog_fired_;
    tq.disarm(watchdog_);
    return !timed_out;
  }
  MipsState& st() { return cpu_->state(); }
  MipsCpu& cpu() { return *cpu_; }
  uint32_t stopCode() const { return dev_.last; }

 private:
  bool be_;
  hw::AddressSpace as_;
  std::vector<uint8_t> ram_;
  tcg::Cpu* cpu_ptr_ = nullptr;
  TestDevice dev_;
  std::unique_ptr<MipsCpu> cpu_;
  int watchdog_ = -1;
  bool watchdog_fired_ = false;
};

}  // namespace mimic::mips::test
