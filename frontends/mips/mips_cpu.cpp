#include "frontends/mips/mips_cpu.h"

#include <algorithm>
#include <cctype>

#include <capstone/capstone.h>
#include <fmt/format.h>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/exceptions.h"
#include "frontends/mips/mmu.h"
#include "frontends/mips/translate.h"
#include "hw/core/memory.h"
#include "tcg/exec.h"
#include "tcg/softmmu.h"
#include "util/log.h"

namespace mimic::mips {

namespace {
// Values as QEMU's target/mips/cpu-defs.c.inc defines these models (facts,
// so that guests see the same configuration on both emulators), with one
// deliberate difference: our 24Kf advertises UserLocal (Config3.ULRI, bit
// 13), as later 24K core releases do. Without it every thread-pointer read
// in Linux user space (glibc's rdhwr $29, ~400,000 a second while Debian's
// installer starts) is a Reserved Instruction exception the kernel
// emulates; with it, Linux puts the thread pointer in UserLocal and user
// code reads it directly. See docs/ARCHITECTURE.md.
constexpr CpuModel kModels[] = {
    {"24Kf", 0x00019300, 0x80000482, 0x9e190c8f, 0x80000000, 0x00002000, 0, true, 0x00739300, 16, 0x3678ff1f},
    {"4Kc", 0x00018000, 0x80000082, 0x9e190c8a, 0x80000000, 0, 0, false, 0, 16, 0x1278ff17},
};
constexpr uint32_t kConfig0BigEndian = 1u << 15;
}  // namespace

const CpuModel* findCpuModel(std::string_view name) {
  for (const CpuModel& m : kModels) {
    std::string_view n = m.name;
    if (n.size() == name.size() &&
        std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return &m;
  }
  return nullptr;
}

std::vector<std::string> cpuModelNames() {
  std::vector<std::string> v;
  for (const CpuModel& m : kModels) v.emplace_back(m.name);
  return v;
}

MipsCpu::MipsCpu(const CpuModel& model, bool big_endian, hw::AddressSpace& as)
    : tcg::Cpu(as), model_(model), big_endian_(big_endian), mmu_(std::make_unique<Mmu>(*this)) {
  st_.common.cpu = this;
  timer_id_ = engine().timers().add([this] { onCompareTimer(); });
  reset();
}

MipsCpu::~MipsCpu() { shutdownEngine(); }

const tcg::TargetInfo& MipsCpu::targetInfo() const {
  static const tcg::TargetInfo ti{uint32_t(offsetof(MipsState, common)), kOffPc, false};
  return ti;
}

void MipsCpu::reset() {
  tcg::CpuCommon saved = st_.common;
  st_ = MipsState{};
  st_.common = saved;
  st_.pc = 0xbfc00000;
  st_.cp0_status = ST_BEV | ST_ERL;
  st_.cp0_prid = model_.prid;
  st_.cp0_config[0] = model_.config0 | (big_endian_ ? kConfig0BigEndian : 0);
  st_.cp0_config[1] = model_.config1;
  st_.cp0_config[2] = model_.config2;
  st_.cp0_config[3] = model_.config3;
  st_.cp0_config[7] = model_.config7;
  st_.cp0_ebase = 0x80000000;
  st_.cp0_random = model_.tlb_entries - 1;
  st_.cp0_intctl = 7u << 29;   // IPTI: the timer interrupt is on IP7 (Malta)
  st_.cp0_errorepc = 0;
  for (int i = 0; i < 7; i++) st_.cp0_watchhi[i] = kWatchHiM;   // pairs 0..6 say another follows
  st_.fir = model_.fcr0;
  st_.lladdr_v = 1;            // no ll yet: matches no aligned address
  hw_irqs_ = 0;
  halted_ = false;
  mmu_->reset();
  tcg::tlbFlushAll(&st_.common);
  engine().flushJumpCache();
  st_.count_offset = 0;
  rearmCompareTimer();
  updateHflags();
}

void MipsCpu::updateHflags() {
  const uint32_t s = st_.cp0_status;
  uint32_t ksu = (s & (ST_EXL | ST_ERL)) ? 0 : ((s & ST_KSU_MASK) >> ST_KSU_SHIFT);
  if (ksu == 3) ksu = 2;   // reserved encoding: treat as user
  uint32_t f = ksu;
  if (ksu == 0 || (s & ST_CU0)) f |= HF_CP0;
  if (model_.has_fpu && (s & ST_CU1)) f |= HF_CP1;
  if (s & ST_FR) f |= HF_FR;
  if (big_endian_) f |= HF_BE;
  if (s & ST_ERL) f |= HF_ERL;
  st_.hflags = f;
}

int MipsCpu::mmuIndex(uint32_t flags) const {
  if (flags & HF_ERL) return MMU_ERL;
  return int(flags & HF_KSU_MASK);
}

bool MipsCpu::fixedMapping(uint64_t vaddr, uint32_t flags) const {
  // kseg0/kseg1 are unmapped windows onto physical memory, reachable in
  // kernel mode only.
  return (flags & HF_KSU_MASK) == 0 && vaddr >= 0x80000000u && vaddr < 0xc0000000u;
}

tcg::Cpu::DirectWindow MipsCpu::directWindow(int mmu_idx) const {
  // kseg0 (0x80000000, 512 MiB, unmapped) onto the RAM at physical 0, in
  // kernel mode (KSU 0, or ERL).
  if (mmu_idx != 0 && mmu_idx != MMU_ERL) return {};
  const hw::Region* r = const_cast<MipsCpu*>(this)->addressSpace().find(0);
  if (!r || !r->isRam() || r->readonly || r->base != 0) return {};
  return {0x80000000u, std::min<uint64_t>(r->size, 0x20000000u), r->host};
}

tcg::Cpu::FastmemSpec MipsCpu::fastmemSpec() const {
  // User mode reaches kuseg only, always through the TLB (ERL, which
  // unmaps kuseg, is a mode of its own).
  return {MMU_USER, 0x80000000u};
}

void MipsCpu::translate(tcg::Block& b, uint64_t pc, uint32_t flags) { translateBlock(*this, b, uint32_t(pc), flags); }

bool MipsCpu::mmuTranslate(uint64_t vaddr, tcg::AccessType type, int mmu_idx, bool raise,
                           tcg::TranslationResult& out) {
  return mmu_->translate(uint32_t(vaddr), type, mmu_idx, raise, out);
}

// ---- interrupts and the Count/Compare timer

uint32_t MipsCpu::readCount() const { return countAt(engine_->timers().nowNs()); }

uint32_t MipsCpu::countAt(int64_t now_ns) const {
  if (st_.cp0_cause & CA_DC) return uint32_t(st_.count_offset);
  return uint32_t(now_ns / (1'000'000'000 / kCountHz) + st_.count_offset);
}

void MipsCpu::writeCount(uint32_t v) {
  if (st_.cp0_cause & CA_DC) {
    st_.count_offset = v;
  } else {
    const int64_t ticks = engine_->timers().nowNs() / (1'000'000'000 / kCountHz);
    st_.count_offset = int64_t(v) - ticks;
  }
  rearmCompareTimer();
}

void MipsCpu::writeCompare(uint32_t v) {
  st_.cp0_compare = v;
  st_.cp0_cause &= ~CA_TI;
  updateCauseIp();
  rearmCompareTimer();
}

void MipsCpu::rearmCompareTimer() {
  tcg::TimerQueue& tq = engine().timers();
  if (st_.cp0_cause & CA_DC) {
    tq.disarm(timer_id_);
    compare_deadline_ns_ = INT64_MAX;
    return;
  }
  // The deadline is the start of the tick at which Count reads Compare.
  constexpr int64_t kTickNs = 1'000'000'000 / kCountHz;
  const int64_t ticks = tq.nowNs() / kTickNs;
  uint32_t delta = st_.cp0_compare - uint32_t(ticks + st_.count_offset);
  if (delta == 0) delta = 0xffffffffu;
  compare_deadline_ns_ = (ticks + int64_t(delta)) * kTickNs;
  tq.arm(timer_id_, compare_deadline_ns_);
}

void MipsCpu::checkCompare(int64_t now_ns) {
  if (!(st_.cp0_cause & CA_DC) && now_ns >= compare_deadline_ns_) onCompareTimer();
}

void MipsCpu::onCompareTimer() {
  st_.cp0_cause |= CA_TI;
  updateCauseIp();
  rearmCompareTimer();
}

void MipsCpu::updateCauseIp() {
  // IP2..IP7 follow the hardware lines; the timer is ORed into IP7.
  uint32_t hw = hw_irqs_ | ((st_.cp0_cause & CA_TI) ? (1u << 5) : 0);
  st_.cp0_cause = (st_.cp0_cause & ~(0x3fu << 10)) | (hw << 10);
  if (interruptPending()) kick();
}

void MipsCpu::setHwIrq(int n, bool level) {
  if (n < 0 || n > 5) return;
  if (level) hw_irqs_ |= 1u << n;
  else hw_irqs_ &= ~(1u << n);
  updateCauseIp();
}

bool MipsCpu::interruptPending() const {
  return (st_.cp0_cause & st_.cp0_status & CA_IP_MASK) != 0;
}

bool MipsCpu::deliverInterrupts() {
  const uint32_t s = st_.cp0_status;
  if (!(s & ST_IE) || (s & (ST_EXL | ST_ERL)) || !interruptPending()) return false;
  takeException(*this, EXC_INT, st_.pc, false, false);
  return true;
}

bool MipsCpu::idle() {
  if (!halted_) return false;
  if (interruptPending()) {
    halted_ = false;
    return false;
  }
  return true;
}

void MipsCpu::busError(uint64_t vaddr, tcg::AccessType type) {
  log::logf(log::kGuestErrors, "mips: bus error at {:#x} ({})\n", vaddr,
            type == tcg::AccessType::Write ? "store" : type == tcg::AccessType::Read ? "load" : "fetch");
  raiseException(&st_, type == tcg::AccessType::Fetch ? EXC_IBE : EXC_DBE);
}

void MipsCpu::unalignedAccess(uint64_t vaddr, tcg::AccessType type) {
  st_.cp0_badvaddr = uint32_t(vaddr);
  raiseException(&st_, type == tcg::AccessType::Write ? EXC_ADES : EXC_ADEL);
}

std::string MipsCpu::disassemble(uint64_t pc, uint32_t word) const {
  csh h;
  cs_mode mode = cs_mode(CS_MODE_MIPS32 | (big_endian_ ? CS_MODE_BIG_ENDIAN : CS_MODE_LITTLE_ENDIAN));
  if (cs_open(CS_ARCH_MIPS, mode, &h) != CS_ERR_OK) return "?";
  uint8_t bytes[4];
  for (int i = 0; i < 4; i++) bytes[i] = uint8_t(word >> (big_endian_ ? 8 * (3 - i) : 8 * i));
  cs_insn* insn = nullptr;
  size_t n = cs_disasm(h, bytes, 4, pc, 1, &insn);
  std::string s = n ? fmt::format("{} {}", insn[0].mnemonic, insn[0].op_str) : fmt::format(".word {:#010x}", word);
  if (n) cs_free(insn, n);
  cs_close(&h);
  return s;
}

std::string MipsCpu::dumpState() const {
  static const char* names[32] = {"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2",
                                  "t3",   "t4", "t5", "t6", "t7", "s0", "s1", "s2", "s3", "s4", "s5",
                                  "s6",   "s7", "t8", "t9", "k0", "k1", "gp", "sp", "s8", "ra"};
  std::string s = fmt::format("pc={:08x} HI={:08x} LO={:08x}\n", st_.pc, st_.hi, st_.lo);
  for (int r = 0; r < 32; r++) s += fmt::format("{:>4}={:08x}{}", names[r], st_.gpr[r], (r % 8 == 7) ? "\n" : " ");
  s += fmt::format("Status={:08x} Cause={:08x} EPC={:08x} BadVAddr={:08x}\n", st_.cp0_status, st_.cp0_cause,
                   st_.cp0_epc, st_.cp0_badvaddr);
  return s;
}

}  // namespace mimic::mips
