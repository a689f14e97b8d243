// A MIPS32 CPU (4Kc, 24Kf): state, reset, interrupt inputs, and the
// frontend hooks the execution engine calls.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "frontends/mips/cpu_state.h"
#include "tcg/cpu.h"

namespace mimic::mips {

class Mmu;

struct CpuModel {
  const char* name;
  uint32_t prid;
  uint32_t config0, config1, config2, config3, config7;
  bool has_fpu;
  uint32_t fcr0;            // FIR
  unsigned tlb_entries;
  uint32_t status_rw_mask;  // writable Status bits
};

const CpuModel* findCpuModel(std::string_view name);   // case-insensitive; nullptr if unknown
std::vector<std::string> cpuModelNames();

class MipsCpu : public tcg::Cpu {
 public:
  MipsCpu(const CpuModel& model, bool big_endian, hw::AddressSpace& as);
  ~MipsCpu() override;

  // Cold reset as the architecture defines it: PC = 0xbfc00000, Status BEV|ERL.
  void reset();
  MipsState& state() { return st_; }
  const CpuModel& model() const { return model_; }
  bool bigEndian() const override { return big_endian_; }

  // Hardware interrupt inputs 0..5 (Cause.IP2..IP7), level-triggered.
  // CPU thread only (devices run on it); call kick() from other threads.
  void setHwIrq(int n, bool level);

  // tcg::Cpu
  tcg::CpuCommon& common() override { return st_.common; }
  void* env() override { return &st_; }
  const tcg::TargetInfo& targetInfo() const override;
  uint64_t pc() const override { return st_.pc; }
  void setPc(uint64_t pc) override { st_.pc = uint32_t(pc); }
  uint32_t tbFlags() const override { return st_.hflags; }
  void translate(tcg::Block& b, uint64_t pc, uint32_t flags) override;
  bool mmuTranslate(uint64_t vaddr, tcg::AccessType type, int mmu_idx, bool raise,
                    tcg::TranslationResult& out) override;
  bool deliverInterrupts() override;
  void busError(uint64_t vaddr, tcg::AccessType type) override;
  [[noreturn]] void unalignedAccess(uint64_t vaddr, tcg::AccessType type) override;
  std::string disassemble(uint64_t pc, uint32_t insn_word) const override;
  std::string dumpState() const override;
  void restartInstruction(uint64_t pc_info) override;
  std::string gdbTargetXml() const override;
  int gdbRegisterCount() const override;
  bool gdbReadRegister(int n, std::string& out) const override;
  bool gdbWriteRegister(int n, const uint8_t* data, size_t len) override;

  // Recomputes hflags from Status (after any write to Status).
  void updateHflags();
  int mmuIndex(uint32_t flags) const override;
  bool fixedMapping(uint64_t vaddr, uint32_t flags) const override;
  DirectWindow directWindow(int mmu_idx) const override;
  FastmemSpec fastmemSpec() const override;
  bool idle() override;

  // CP0 timer and interrupt state (used by the CP0 helpers).
  uint32_t readCount() const;
  uint32_t countAt(int64_t now_ns) const;
  void writeCount(uint32_t v);
  void writeCompare(uint32_t v);
  // Delivers a Compare match whose time has passed but whose timer callback
  // has not run yet (so a guest polling Count sees Cause.TI at once).
  void checkCompare(int64_t now_ns);
  void updateCauseIp();
  bool interruptPending() const;
  void halt() { halted_ = true; }
  Mmu& mmu() { return *mmu_; }

 private:
  void rearmCompareTimer();
  void onCompareTimer();

  MipsState st_{};
  const CpuModel& model_;
  bool big_endian_;
  std::unique_ptr<Mmu> mmu_;
  uint32_t hw_irqs_ = 0;
  bool halted_ = false;
  int timer_id_ = -1;
  int64_t compare_deadline_ns_ = INT64_MAX;
};

}  // namespace mimic::mips
