// The MIPS32 CPU as the GDB remote protocol sees it: gdb's traditional MIPS
// register numbers (0-31 GPRs, 32 status, 33 lo, 34 hi, 35 badvaddr,
// 36 cause, 37 pc, 38-69 f0-f31, 70 fcsr, 71 fir), all 32 bits in the
// guest's byte order, and a target description with the features gdb's
// MIPS support validates (org.gnu.gdb.mips.cpu, .cp0, .fpu) carrying those
// numbers explicitly. FPU registers are the low 32 bits of each FPR, as
// QEMU reports them for MIPS32.
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/mips_cpu.h"

namespace mimic::mips {

namespace {

constexpr int kRegStatus = 32, kRegLo = 33, kRegHi = 34, kRegBadVAddr = 35, kRegCause = 36, kRegPc = 37;
constexpr int kRegF0 = 38, kRegFcsr = 70, kRegFir = 71, kRegCount = 72;

}  // namespace

std::string MipsCpu::gdbTargetXml() const {
  std::string x =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
      "<architecture>mips</architecture>\n<feature name=\"org.gnu.gdb.mips.cpu\">\n";
  for (int i = 0; i < 32; i++) x += fmt::format("  <reg name=\"r{}\" bitsize=\"32\" regnum=\"{}\"/>\n", i, i);
  x += fmt::format(
      "  <reg name=\"lo\" bitsize=\"32\" regnum=\"{}\"/>\n  <reg name=\"hi\" bitsize=\"32\" regnum=\"{}\"/>\n"
      "  <reg name=\"pc\" bitsize=\"32\" regnum=\"{}\" type=\"code_ptr\"/>\n</feature>\n",
      kRegLo, kRegHi, kRegPc);
  x += fmt::format(
      "<feature name=\"org.gnu.gdb.mips.cp0\">\n  <reg name=\"status\" bitsize=\"32\" regnum=\"{}\"/>\n"
      "  <reg name=\"badvaddr\" bitsize=\"32\" regnum=\"{}\"/>\n  <reg name=\"cause\" bitsize=\"32\" regnum=\"{}\"/>\n"
      "</feature>\n",
      kRegStatus, kRegBadVAddr, kRegCause);
  x += "<feature name=\"org.gnu.gdb.mips.fpu\">\n";
  for (int i = 0; i < 32; i++)
    x += fmt::format("  <reg name=\"f{}\" bitsize=\"32\" type=\"ieee_single\" regnum=\"{}\"/>\n", i, kRegF0 + i);
  x += fmt::format(
      "  <reg name=\"fcsr\" bitsize=\"32\" group=\"float\" regnum=\"{}\"/>\n"
      "  <reg name=\"fir\" bitsize=\"32\" group=\"float\" regnum=\"{}\"/>\n</feature>\n</target>\n",
      kRegFcsr, kRegFir);
  return x;
}

int MipsCpu::gdbRegisterCount() const { return kRegCount; }

bool MipsCpu::gdbReadRegister(int n, std::string& out) const {
  uint32_t v;
  if (n >= 0 && n < 32) v = st_.gpr[n];
  else if (n == kRegStatus) v = st_.cp0_status;
  else if (n == kRegLo) v = st_.lo;
  else if (n == kRegHi) v = st_.hi;
  else if (n == kRegBadVAddr) v = st_.cp0_badvaddr;
  else if (n == kRegCause) v = st_.cp0_cause;
  else if (n == kRegPc) v = st_.pc;
  else if (n >= kRegF0 && n < kRegF0 + 32) v = uint32_t(st_.fpr[n - kRegF0]);
  else if (n == kRegFcsr) v = st_.fcr31;
  else if (n == kRegFir) v = st_.fir;
  else return false;
  if (big_endian_) v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
  return true;
}

bool MipsCpu::gdbWriteRegister(int n, const uint8_t* data, size_t len) {
  if (len != 4 || n < 0 || n >= kRegCount) return false;
  uint32_t v;
  std::memcpy(&v, data, 4);
  if (big_endian_) v = __builtin_bswap32(v);
  if (n == 0) return true;   // $zero stays zero
  if (n < 32) st_.gpr[n] = v;
  else if (n == kRegStatus) {
    st_.cp0_status = v;
    updateHflags();
    updateCauseIp();
  } else if (n == kRegLo) st_.lo = v;
  else if (n == kRegHi) st_.hi = v;
  else if (n == kRegBadVAddr) st_.cp0_badvaddr = v;
  else if (n == kRegCause) {
    // Only the software-writable bits, as mtc0 would.
    st_.cp0_cause = (st_.cp0_cause & ~CA_WRITABLE) | (v & CA_WRITABLE);
    updateCauseIp();
  } else if (n == kRegPc) st_.pc = v;
  else if (n >= kRegF0 && n < kRegF0 + 32) {
    uint64_t& f = st_.fpr[n - kRegF0];
    f = (f & ~0xffffffffull) | v;
  } else if (n == kRegFcsr) st_.fcr31 = v;
  // fir (FCR0) is read-only
  return true;
}

void MipsCpu::restartInstruction(uint64_t pc_info) {
  // For an instruction in a delay slot pc_info already names its branch.
  st_.pc = uint32_t(pc_info);
}

}  // namespace mimic::mips
