// difftest-gen-mips: random MIPS32r2 program generator for differential
// testing of mimic against QEMU (see run_difftest.py and KNOWN_DIVERGENCES.md).
//
//   difftest-gen-mips --seed S --count N --endian el|be --fr 0|1 --out FILE.S
//                     [--first K] [--len MIN:MAX] [--only NAME,NAME...]
//   difftest-gen-mips --coverage [--fr 0|1]
//
// The instruction set comes from frontends/mips/insns.inc: every table entry
// is classified (by name, falling back on its kind and field letters) into a
// generation rule, or excluded with a reason (--coverage prints the list).
// The output is one self-contained assembler program of N sequences; each
// sequence loads a random machine state, runs straight-line generated code
// (emitted as .word, branch targets computed here) and dumps the state on
// the console.  FILE.seqs, written next to FILE.S, lists every sequence's
// body address and instruction words for the driver's reports.

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <bit>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness_mips.h"
#include "rng.h"

namespace difftest {
namespace {

// ---------------------------------------------------------------------------
// The decode table

struct TableRow {
  const char* name;
  const char* pattern;
  const char* kind;
};

const TableRow kRows[] = {
#define MIPS_INSN(name, pattern, kind) {#name, pattern, #kind},
#include "frontends/mips/insns.inc"
#undef MIPS_INSN
};

struct Entry {
  std::string name, kind;
  uint32_t fixMask = 0, fixVal = 0;
  uint32_t field[128] = {};  // bit mask of each field letter
  std::string letters;       // the field letters present, in first-seen order
  bool parsed = true;
  bool has(char c) const { return field[static_cast<unsigned char>(c)] != 0; }
};

Entry parseRow(const TableRow& r) {
  Entry e;
  e.name = r.name;
  e.kind = r.kind;
  int bit = 31;
  for (const char* p = r.pattern; *p; ++p) {
    const char c = *p;
    if (c == ' ') continue;
    if (bit < 0) {
      e.parsed = false;
      break;
    }
    const uint32_t m = 1u << bit;
    if (c == '0') {
      e.fixMask |= m;
    } else if (c == '1') {
      e.fixMask |= m;
      e.fixVal |= m;
    } else if (c != '-') {
      if (!e.has(c)) e.letters += c;
      e.field[static_cast<unsigned char>(c)] |= m;
    }
    --bit;
  }
  if (bit != -1) e.parsed = false;
  return e;
}

// Deposit the low bits of v into the set bits of mask, least significant first.
uint32_t deposit(uint32_t v, uint32_t mask, const std::string& what) {
  uint32_t r = 0;
  for (int i = 0; i < 32; i++) {
    if (mask & (1u << i)) {
      if (v & 1) r |= 1u << i;
      v >>= 1;
    }
  }
  if (v != 0) {
    std::fprintf(stderr, "difftest-gen-mips: internal error: value too wide for %s\n", what.c_str());
    std::exit(2);
  }
  return r;
}

// ---------------------------------------------------------------------------
// Generation rules

enum class G {
  Excluded,
  Alu3, AluShift, AluImm, Lui, Alu2, Clz, Ext, Ins,
  MfHiLo, MtHiLo, MulDiv2, Mul, Div,
  TrapReg, TrapImm, System, Sync, Pref, Prefx,
  Branch2, Branch1, BranchLink, Jump, JumpReg,
  Load, Store, LoadLR, StoreLR, LL, SC,
  FpLoad, FpStore, FpLoadX, FpStoreX,
  Mfc1, Mtc1, Mfhc1, Mthc1, Cfc1, Ctc1, Movci,
  Bc1, FpArith, FpCmp, FpMadd,
  Mfc0, DiEi, Rdpgpr, Rdhwr, Cache, Synci, Unusable,
};

struct GroupInfo {
  G g;
  const char* label;
  double weight;    // shared by all entries of the group
  bool fpu;         // scaled by the sequence's FPU flavour
  bool single;      // one non-CTI word: may fill a delay slot
};

const GroupInfo kGroups[] = {
    {G::Alu3, "alu rd,rs,rt", 20, false, true},
    {G::AluShift, "shift rd,rt,sa", 6, false, true},
    {G::AluImm, "alu rt,rs,imm", 12, false, true},
    {G::Lui, "lui", 2, false, true},
    {G::Alu2, "alu rd,rt", 3, false, true},
    {G::Clz, "clz/clo (rt=rd)", 2, false, true},
    {G::Ext, "ext", 2, false, true},
    {G::Ins, "ins", 2, false, true},
    {G::MfHiLo, "mfhi/mflo", 3, false, true},
    {G::MtHiLo, "mthi/mtlo (after mfhi/mflo)", 2, false, false},
    {G::MulDiv2, "mult/madd/msub", 5, false, true},
    {G::Mul, "mul (then mthi+mtlo)", 1.5, false, false},
    {G::Div, "div (guarded rt!=0)", 2.5, false, false},
    {G::TrapReg, "trap rs,rt", 1.5, false, true},
    {G::TrapImm, "trap rs,imm", 1.5, false, true},
    {G::System, "syscall/break", 0.6, false, true},
    {G::Sync, "sync", 0.3, false, true},
    {G::Pref, "pref", 0.4, false, true},
    {G::Prefx, "prefx (indexed)", 0.2, true, false},
    {G::Branch2, "beq/bne", 5, false, false},
    {G::Branch1, "bxxz", 4, false, false},
    {G::BranchLink, "bxxzal", 1.5, false, false},
    {G::Jump, "j/jal", 1.2, false, false},
    {G::JumpReg, "jr/jalr (lui/addiu target)", 1.2, false, false},
    {G::Load, "load", 8, false, true},
    {G::Store, "store", 6, false, true},
    {G::LoadLR, "lwl/lwr", 3, false, true},
    {G::StoreLR, "swl/swr", 3, false, true},
    {G::LL, "ll (alone)", 0.5, false, true},
    {G::SC, "ll..sc pair", 1.2, false, false},
    {G::FpLoad, "fp load", 3, true, true},
    {G::FpStore, "fp store", 2.5, true, true},
    {G::FpLoadX, "fp indexed load", 1, true, false},
    {G::FpStoreX, "fp indexed store", 1, true, false},
    {G::Mfc1, "mfc1", 1.5, true, true},
    {G::Mtc1, "mtc1", 1.5, true, true},
    {G::Mfhc1, "mfhc1", 0.6, true, true},
    {G::Mthc1, "mthc1", 0.6, true, true},
    {G::Cfc1, "cfc1", 0.6, true, true},
    {G::Ctc1, "ctc1 (masked value)", 0.8, true, false},
    {G::Movci, "movf/movt", 0.8, true, true},
    {G::Bc1, "bc1f/bc1t[l]", 2, true, false},
    {G::FpArith, "fp arithmetic", 20, true, true},
    {G::FpCmp, "c.cond.fmt", 3, true, true},
    {G::FpMadd, "madd/msub.fmt", 3, true, true},
    {G::Mfc0, "mfc0 (deterministic regs)", 0.3, false, true},
    {G::DiEi, "di/ei (+ehb)", 0.2, false, false},
    {G::Rdpgpr, "rdpgpr (no shadow sets: a move)", 0.2, false, true},
    {G::Rdhwr, "rdhwr", 0.3, false, true},
    {G::Cache, "cache (hit/index writeback ops)", 0.2, false, true},
    {G::Synci, "synci", 0.2, false, true},
    {G::Unusable, "cop2 (CpU)", 0.3, false, true},
};

const GroupInfo& groupInfo(G g) {
  for (const auto& gi : kGroups)
    if (gi.g == g) return gi;
  static const GroupInfo none{G::Excluded, "excluded", 0, false, false};
  return none;
}

enum Fmt : int { kS = 16, kD = 17, kW = 20, kL = 21, kPS = 22 };

const char* fmtName(int f) {
  switch (f) {
    case kS: return "s";
    case kD: return "d";
    case kW: return "w";
    case kL: return "l";
    case kPS: return "ps";
    default: return "rsv";
  }
}

// Architecturally defined source formats and the result format of an FPU
// arithmetic entry (-1: same as the source).
struct FpRule {
  std::vector<int> src;
  int dst = -1;
  bool known = false;
};

FpRule fpRule(const std::string& n) {
  static const std::set<std::string> same = {"FADD", "FSUB", "FMUL", "FDIV", "FSQRT", "FABS", "FMOV", "FNEG",
                                             "MOVCF_F", "MOVZ_F", "MOVN_F", "RECIP", "RSQRT"};
  static const std::set<std::string> toL = {"ROUND_L", "TRUNC_L", "CEIL_L", "FLOOR_L", "CVT_L"};
  static const std::set<std::string> toW = {"ROUND_W", "TRUNC_W", "CEIL_W", "FLOOR_W", "CVT_W"};
  FpRule r;
  r.known = true;
  if (same.count(n)) {
    r.src = {kS, kD};
  } else if (toL.count(n)) {
    r.src = {kS, kD};
    r.dst = kL;
  } else if (toW.count(n)) {
    r.src = {kS, kD};
    r.dst = kW;
  } else if (n == "CVT_S") {
    r.src = {kD, kW, kL};
    r.dst = kS;
  } else if (n == "CVT_D") {
    r.src = {kS, kW, kL};
    r.dst = kD;
  } else {
    r.known = false;
  }
  return r;
}

// Source formats usable in this program variant: FR=0 drops the 64-bit
// integer format L (UNPREDICTABLE with 32-bit FPRs in MIPS32r2) and the
// D forms of RECIP/RSQRT (64-bit FPU mode only).
std::vector<int> usableFmts(const std::string& n, const FpRule& r, bool fr1) {
  std::vector<int> out;
  for (int f : r.src) {
    const int d = r.dst < 0 ? f : r.dst;
    if (!fr1 && (f == kL || d == kL)) continue;
    if (!fr1 && f == kD && (n == "RECIP" || n == "RSQRT")) continue;
    out.push_back(f);
  }
  return out;
}

// Reserved format codes for an entry: they must raise Reserved Instruction.
std::vector<int> reservedFmts(const FpRule& r) {
  std::vector<int> out;
  for (int f = 16; f < 32; f++) {
    bool defined = false;
    for (int s : r.src) defined |= s == f;
    if (!defined && f != kL) out.push_back(f);  // L is defined for some ops: skip
  }
  return out;
}

struct Rule {
  G g = G::Excluded;
  std::string why;      // reason when excluded
  int size = 0;         // access size of loads/stores
  std::string note;
};

Rule classify(const Entry& e, bool fr1) {
  Rule r;
  const std::string& n = e.name;
  auto in = [&n](std::initializer_list<const char*> names) {
    for (const char* x : names)
      if (n == x) return true;
    return false;
  };
  auto excl = [&r](const std::string& why) {
    r.g = G::Excluded;
    r.why = why;
    return r;
  };
  if (!e.parsed) return excl("pattern does not have 32 bits");

  if (in({"ADDU", "SUBU", "AND", "OR", "XOR", "NOR", "SLT", "SLTU", "MOVZ", "MOVN", "SLLV", "SRLV", "ROTRV",
          "SRAV", "ADD", "SUB"}))
    r.g = G::Alu3;
  else if (in({"SLL", "SRL", "ROTR", "SRA"})) r.g = G::AluShift;
  else if (in({"ADDI", "ADDIU", "SLTI", "SLTIU", "ANDI", "ORI", "XORI"})) r.g = G::AluImm;
  else if (n == "LUI") r.g = G::Lui;
  else if (in({"WSBH", "SEB", "SEH"})) r.g = G::Alu2;
  else if (in({"CLZ", "CLO"})) r.g = G::Clz;
  else if (n == "EXT") r.g = G::Ext;
  else if (n == "INS") r.g = G::Ins;
  else if (in({"MFHI", "MFLO"})) r.g = G::MfHiLo;
  else if (in({"MTHI", "MTLO"})) r.g = G::MtHiLo;
  else if (in({"MULT", "MULTU", "MADD", "MADDU", "MSUB", "MSUBU"})) r.g = G::MulDiv2;
  else if (n == "MUL") r.g = G::Mul;
  else if (in({"DIV", "DIVU"})) r.g = G::Div;
  else if (in({"TGE", "TGEU", "TLT", "TLTU", "TEQ", "TNE"})) r.g = G::TrapReg;
  else if (in({"TGEI", "TGEIU", "TLTI", "TLTIU", "TEQI", "TNEI"})) r.g = G::TrapImm;
  else if (in({"SYSCALL", "BREAK"})) r.g = G::System;
  else if (n == "SYNC") r.g = G::Sync;
  else if (n == "PREF") r.g = G::Pref;
  else if (n == "PREFX") r.g = G::Prefx;
  else if (in({"BEQ", "BNE", "BEQL", "BNEL"})) r.g = G::Branch2;
  else if (in({"BLEZ", "BGTZ", "BLTZ", "BGEZ", "BLEZL", "BGTZL", "BLTZL", "BGEZL"})) r.g = G::Branch1;
  else if (in({"BLTZAL", "BGEZAL", "BLTZALL", "BGEZALL"})) r.g = G::BranchLink;
  else if (in({"J", "JAL"})) r.g = G::Jump;
  else if (in({"JR", "JALR"})) r.g = G::JumpReg;
  else if (in({"LB", "LBU"})) { r.g = G::Load; r.size = 1; }
  else if (in({"LH", "LHU"})) { r.g = G::Load; r.size = 2; }
  else if (n == "LW") { r.g = G::Load; r.size = 4; }
  else if (n == "SB") { r.g = G::Store; r.size = 1; }
  else if (n == "SH") { r.g = G::Store; r.size = 2; }
  else if (n == "SW") { r.g = G::Store; r.size = 4; }
  else if (in({"LWL", "LWR"})) r.g = G::LoadLR;
  else if (in({"SWL", "SWR"})) r.g = G::StoreLR;
  else if (n == "LL") { r.g = G::LL; r.size = 4; }
  else if (n == "SC") { r.g = G::SC; r.size = 4; }
  else if (n == "LWC1") { r.g = G::FpLoad; r.size = 4; }
  else if (n == "LDC1") { r.g = G::FpLoad; r.size = 8; }
  else if (n == "SWC1") { r.g = G::FpStore; r.size = 4; }
  else if (n == "SDC1") { r.g = G::FpStore; r.size = 8; }
  else if (n == "LWXC1") { r.g = G::FpLoadX; r.size = 4; }
  else if (n == "LDXC1") { r.g = G::FpLoadX; r.size = 8; }
  else if (n == "SWXC1") { r.g = G::FpStoreX; r.size = 4; }
  else if (n == "SDXC1") { r.g = G::FpStoreX; r.size = 8; }
  else if (in({"LUXC1", "SUXC1"})) {
    if (!fr1) return excl("FR=0: UNPREDICTABLE in MIPS32r2 (64-bit FPU mode only; QEMU raises RI)");
    r.g = n == "LUXC1" ? G::FpLoadX : G::FpStoreX;
    r.size = 0;  // address is rounded down to 8: any offset
  }
  else if (n == "MFC1") r.g = G::Mfc1;
  else if (n == "MTC1") r.g = G::Mtc1;
  else if (n == "MFHC1") r.g = G::Mfhc1;
  else if (n == "MTHC1") r.g = G::Mthc1;
  else if (n == "CFC1") r.g = G::Cfc1;
  else if (n == "CTC1") r.g = G::Ctc1;
  else if (n == "MOVCI") r.g = G::Movci;
  else if (n == "BC1") r.g = G::Bc1;
  else if (n == "FCMP") r.g = G::FpCmp;
  else if (in({"MADD_F", "MSUB_F", "NMADD_F", "NMSUB_F"})) r.g = G::FpMadd;
  else if (e.kind == "FpuArith" && fpRule(n).known) {
    const FpRule fr = fpRule(n);
    if (usableFmts(n, fr, fr1).empty())
      return excl("FR=0: the L format is UNPREDICTABLE with 32-bit FPRs (QEMU raises RI); FR=1 variant only");
    r.g = G::FpArith;
  }
  else if (n == "MFC0") r.g = G::Mfc0;
  else if (n == "MTC0") return excl("CP0 write: changes machine state the dump cannot see (and Count/Compare/Random are time-dependent)");
  else if (in({"DI", "EI"})) r.g = G::DiEi;
  else if (n == "RDPGPR")
    return excl("QEMU 7.2 reads the shadow GPR from env memory, not TCG's cached copy of the register: "
                "it sees a value from before earlier writes in the same translation block");
  else if (n == "WRPGPR")
    return excl("QEMU 7.2 writes the shadow GPR through env memory behind TCG's cached copy of the register: "
                "later reads in the same translation block see the old value");
  else if (n == "RDHWR") r.g = G::Rdhwr;
  else if (n == "CACHE") r.g = G::Cache;
  else if (n == "SYNCI") r.g = G::Synci;
  else if (in({"TLBR", "TLBWI", "TLBWR", "TLBP"}))
    return excl("TLB state is not dumped; TLBWR uses the time-dependent Random register");
  else if (n == "ERET") return excl("control transfer to EPC outside the sequence");
  else if (n == "DERET") return excl("UNPREDICTABLE outside Debug Mode");
  else if (n == "WAIT") return excl("waits for an interrupt that never comes (IM=0)");
  else if (n == "SDBBP") return excl("debug exception: EJTAG vector in the boot ROM, not our handler");
  else if (e.kind == "Unusable") r.g = G::Unusable;
  else {
    // Unknown name: fall back on the kind and the fields for plain ALU shapes.
    if (e.kind == "Alu" || e.kind == "AluTrap") {
      if (e.has('d') && e.has('s') && e.has('t') && !e.has('a') && !e.has('i')) r.g = G::Alu3;
      else if (e.has('d') && e.has('t') && e.has('a') && !e.has('s')) r.g = G::AluShift;
      else if (e.has('t') && e.has('s') && e.has('i') && !e.has('d')) r.g = G::AluImm;
      else if (e.has('d') && e.has('t') && !e.has('s') && !e.has('a') && !e.has('i')) r.g = G::Alu2;
      else return excl("unknown to the generator (add a rule in gen_mips.cpp)");
      r.note = "generic rule from kind " + e.kind;
    } else {
      return excl("unknown to the generator (kind " + e.kind + "; add a rule in gen_mips.cpp)");
    }
  }

  // The fields each rule fills must be the ones in the table.
  auto need = [&](const char* letters) {
    for (const char* p = letters; *p; ++p)
      if (!e.has(*p)) return false;
    for (char c : e.letters)
      if (!std::strchr(letters, c)) return false;
    return true;
  };
  bool shapeOk = true;
  switch (r.g) {
    case G::Alu3: shapeOk = need("std"); break;
    case G::AluShift: shapeOk = need("tda"); break;
    case G::TrapImm: shapeOk = need("si"); break;
    case G::AluImm: case G::Load: case G::Store: case G::LoadLR: case G::StoreLR:
    case G::LL: case G::SC: shapeOk = need("sti"); break;
    case G::Lui: shapeOk = need("ti"); break;
    case G::Alu2: shapeOk = need("td"); break;
    case G::Clz: shapeOk = need("std"); break;
    case G::Ext: case G::Ins: shapeOk = need("stda"); break;
    case G::MfHiLo: shapeOk = need("d"); break;
    case G::MtHiLo: shapeOk = need("s"); break;
    case G::MulDiv2: case G::Div: shapeOk = need("st"); break;
    case G::Mul: shapeOk = need("std"); break;
    case G::TrapReg: shapeOk = need("stc"); break;
    case G::System: shapeOk = need("c"); break;
    case G::Sync: shapeOk = need("e"); break;
    case G::Pref: case G::Cache: shapeOk = need("sei"); break;
    case G::Prefx: shapeOk = need("ste"); break;
    case G::Branch2: shapeOk = need("sti"); break;
    case G::Branch1: case G::BranchLink: shapeOk = need("si"); break;
    case G::Jump: shapeOk = need("j"); break;
    case G::JumpReg: shapeOk = n == "JALR" ? need("sde") : need("se"); break;
    case G::FpLoad: case G::FpStore: shapeOk = need("sTi"); break;
    case G::FpLoadX: shapeOk = need("stD"); break;
    case G::FpStoreX: shapeOk = need("stS"); break;
    case G::Mfc1: case G::Mtc1: case G::Mfhc1: case G::Mthc1: case G::Cfc1: case G::Ctc1: shapeOk = need("tS"); break;
    case G::Movci: shapeOk = need("sCnd"); break;
    case G::Bc1: shapeOk = need("Cni"); break;
    case G::FpArith: {
      shapeOk = e.has('S') && e.has('D') && e.has('x');
      for (char c : e.letters) shapeOk &= std::strchr("STDtCnx", c) != nullptr;
      shapeOk &= e.field['x'] == (0xfu << 21);
      break;
    }
    case G::FpCmp: shapeOk = need("TSCx") && e.field['x'] == ((0xfu << 21) | 0xfu); break;
    case G::FpMadd: shapeOk = need("RTSDx") && e.field['x'] == 0x7u; break;
    case G::Mfc0: shapeOk = need("tde"); break;
    case G::DiEi: shapeOk = need("t"); break;
    case G::Rdhwr: case G::Rdpgpr: shapeOk = need("td"); break;
    case G::Synci: shapeOk = need("si"); break;
    case G::Unusable: shapeOk = true; break;
    default: break;
  }
  if (!shapeOk) return excl("field letters differ from what the " + std::string(groupInfo(r.g).label) + " rule fills (update gen_mips.cpp)");
  return r;
}

// ---------------------------------------------------------------------------
// Options

struct Options {
  uint64_t seed = 1;
  int count = 500;
  bool be = false;
  bool fr1 = false;
  int first = 0;
  int minLen = 6, maxLen = 40;
  std::string out;
  std::vector<std::string> only;
  bool coverage = false;
};

[[noreturn]] void usage(const char* msg) {
  if (msg) std::fprintf(stderr, "difftest-gen-mips: %s\n", msg);
  std::fprintf(stderr,
               "usage: difftest-gen-mips --seed S --count N --endian el|be --fr 0|1 --out FILE.S\n"
               "                         [--first K] [--len MIN:MAX] [--only NAME,...]\n"
               "       difftest-gen-mips --coverage [--fr 0|1]\n");
  std::exit(2);
}

// ---------------------------------------------------------------------------
// Sequences

struct Item {
  enum Ref : uint8_t { kNone, kBranch, kJump, kIndirect, kAddrHi, kAddrLo, kGuard };
  uint32_t word = 0;
  std::string text;
  bool cti = false;       // has a delay slot (the next item)
  bool noTarget = false;  // inside a pattern: no branch may land here
  Ref ref = kNone;
  int target = -1;        // resolved target item index (== size: the epilogue)
  int rel = 0;            // kAddrHi/kAddrLo: offset of the jr; kGuard: target offset
};

struct State {
  uint32_t gpr[32] = {};
  uint32_t hi = 0, lo = 0, fcsr = 0;
  uint32_t fprLo[32] = {}, fprHi[32] = {};
  uint32_t mem[kScratchWords] = {};
};

struct Sequence {
  int number = 0;
  uint32_t addr = 0;      // prologue address
  uint32_t body = 0;      // body address
  std::vector<Item> items;
  State init;
};

const int kWritable[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                         15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 30, 31};
constexpr int kGp = 28;

class Generator {
 public:
  Generator(const Options& o) : opt_(o), rng_(o.seed ^ (o.be ? 0x5be5be5bull : 0) ^ (o.fr1 ? 0xf1f1f100ull : 0)) {
    for (const auto& row : kRows) {
      entries_.push_back(parseRow(row));
      rules_.push_back(classify(entries_.back(), o.fr1));
    }
    for (size_t i = 0; i < entries_.size(); i++) {
      if (entries_[i].name == "SLL") sllEntry_ = static_cast<int>(i);
      nameIndex_[entries_[i].name] = static_cast<int>(i);
    }
    std::map<G, int> groupCount;
    for (size_t i = 0; i < entries_.size(); i++) {
      if (!opt_.only.empty() && rules_[i].g != G::Excluded) {
        bool listed = false;
        for (const auto& n : opt_.only) listed |= n == entries_[i].name;
        if (!listed) {
          rules_[i].g = G::Excluded;
          rules_[i].why = "not in --only";
        }
      }
      if (rules_[i].g != G::Excluded) groupCount[rules_[i].g]++;
    }
    weight_.resize(entries_.size());
    for (size_t i = 0; i < entries_.size(); i++) {
      const G g = rules_[i].g;
      weight_[i] = g == G::Excluded ? 0.0 : groupInfo(g).weight / groupCount[g];
    }
  }

  void printCoverage() const {
    std::printf("# difftest-gen-mips coverage of frontends/mips/insns.inc (FR=%d variant)\n", opt_.fr1 ? 1 : 0);
    std::printf("%-9s %-16s %-8s %s\n", "name", "kind", "weight%", "rule / reason excluded");
    double total = 0;
    for (double w : weight_) total += w;
    int gen = 0, exc = 0;
    for (size_t i = 0; i < entries_.size(); i++) {
      const Rule& r = rules_[i];
      if (r.g == G::Excluded) {
        std::printf("%-9s %-16s %-8s EXCLUDED: %s\n", entries_[i].name.c_str(), entries_[i].kind.c_str(), "-",
                    r.why.c_str());
        exc++;
      } else {
        std::printf("%-9s %-16s %-8.3f %s%s%s\n", entries_[i].name.c_str(), entries_[i].kind.c_str(),
                    100.0 * weight_[i] / total, groupInfo(r.g).label, r.note.empty() ? "" : "; ",
                    r.note.c_str());
        gen++;
      }
    }
    std::printf("# %d entries generated, %d excluded\n", gen, exc);
  }

  int writeProgram() {
    std::ostringstream seqtext, data, side;
    const std::string variant = std::string(opt_.be ? "be" : "el") + " fr" + (opt_.fr1 ? "1" : "0");
    side << "# difftest-gen-mips side file\n";
    side << "program " << variant << " seed " << opt_.seed << " count " << opt_.count << " first " << opt_.first
         << "\n";
    seqtext << "\t.section\t.seqtext,\"ax\",@progbits\n\t.set\tnoreorder\n\t.set\tnoat\n\t.set\tnomacro\n";
    seqtext << "\t.globl\tdt_seq_first\ndt_seq_first:\n";
    data << "\t.data\n\t.balign\t16\n";
    uint32_t addr = kSeqTextBase;
    for (int k = 0; k < opt_.count; k++) {
      Sequence s;
      s.number = opt_.first + k;
      s.addr = addr;
      s.body = addr + 4 * kPrologueWords;
      generateSequence(s);
      emitSequence(s, seqtext, data, side);
      addr = s.body + 4 * static_cast<uint32_t>(s.items.size() + kEpilogueWords);
    }
    seqtext << "\tj\tdt_finish\n\tnop\n";

    std::ofstream out(opt_.out);
    if (!out) {
      std::fprintf(stderr, "difftest-gen-mips: cannot write %s\n", opt_.out.c_str());
      return 1;
    }
    std::ostringstream banner;
    banner << "D mips-difftest " << variant << " seed=" << opt_.seed << " count=" << opt_.count
           << " first=" << opt_.first;
    out << "/* Generated by difftest-gen-mips --seed " << opt_.seed << " --count " << opt_.count << " --endian "
        << (opt_.be ? "be" : "el") << " --fr " << (opt_.fr1 ? 1 : 0) << " --first " << opt_.first
        << ". Do not edit. */\n";
    out << (opt_.fr1 ? "\t.module\tfp=64\n" : "\t.module\tfp=32\n");
    out << "\t.module\toddspreg\n";
    out << "\t.set\tmips32r2\n";
    out << seqtext.str();
    out << harnessAsm(opt_.fr1, banner.str());
    out << data.str();
    std::string sideName = opt_.out;
    if (sideName.size() > 2 && sideName.compare(sideName.size() - 2, 2, ".S") == 0)
      sideName.resize(sideName.size() - 2);
    sideName += ".seqs";
    std::ofstream so(sideName);
    so << side.str();
    return out && so ? 0 : 1;
  }

 private:
  // ---- random values
  uint32_t gprValue() {
    switch (rng_.below(16)) {
      case 0: return 0;
      case 1: return 1;
      case 2: return 0xffffffffu;
      case 3: return rng_.pick({0x7fffffffu, 0x80000000u, 0x80000001u, 0x7ffffffeu});
      case 4: return static_cast<uint32_t>(rng_.range(0, 40));
      case 5: return static_cast<uint32_t>(-rng_.range(1, 40));
      case 6: return rng_.pick({0x7fffu, 0x8000u, 0xffffu, 0xffff8000u, 0x00010000u, 0xffff0000u, 0x0000ff00u,
                                0x80u, 0xffu, 0xffffff80u});
      case 7: return 1u << rng_.below(32);
      case 8: return ~(1u << rng_.below(32));
      case 9: return rng_.u32() & 0xffffu;
      case 10: return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(rng_.u32())));
      default: return rng_.u32();
    }
  }

  uint32_t singleValue() {
    switch (rng_.below(13)) {
      case 0: return rng_.pick({0x00000000u, 0x80000000u});
      case 1: return rng_.pick({0x3f800000u, 0xbf800000u, 0x40000000u, 0x3f000000u, 0x40490fdbu, 0xc0400000u,
                                0x3eaaaaabu});
      case 2: return rng_.pick({0x7f800000u, 0xff800000u});
      // NaNs (legacy encoding: fraction MSB set = signalling)
      case 3: return rng_.pick({0x7fbfffffu, 0xffbfffffu, 0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x7fffffffu,
                                0x7f812345u});
      case 4: return rng_.u32() & 0x807fffffu;  // denormal
      case 5: return rng_.pick({0x00800000u, 0x80800000u, 0x7f7fffffu, 0xff7fffffu, 0x00000001u, 0x007fffffu,
                                0x00800001u, 0x0c000000u, 0x72000000u});
      case 6: return rng_.pick({0x4f000000u, 0xcf000000u, 0x4effffffu, 0xceffffffu, 0x5f000000u, 0xdf000000u,
                                0x5effffffu, 0x4f800000u, 0x3f400000u, 0x3fc00000u, 0x40200000u, 0xbfc00000u});
      case 7: {
        const float f = static_cast<float>(rng_.range(-40, 40)) + 0.25f * static_cast<float>(rng_.range(0, 3));
        return std::bit_cast<uint32_t>(f);
      }
      case 8:
      case 9:
        return (rng_.u32() & 0x80000000u) | (static_cast<uint32_t>(127 + rng_.range(-10, 10)) << 23) |
               (rng_.u32() & 0x7fffffu);
      case 10: return gprValue();
      case 11:  // extreme exponents: over/underflow in arithmetic
        return (rng_.u32() & 0x80000000u) |
               (static_cast<uint32_t>(rng_.chance(1, 2) ? rng_.range(1, 12) : rng_.range(240, 254)) << 23) |
               (rng_.u32() & 0x7fffffu);
      default: return rng_.u32();
    }
  }

  uint64_t doubleValue() {
    switch (rng_.below(14)) {
      case 0: return rng_.pick({0x0ull, 0x8000000000000000ull});
      case 1: return rng_.pick({0x3ff0000000000000ull, 0xbff0000000000000ull, 0x4000000000000000ull,
                                0x3fe0000000000000ull, 0x400921fb54442d18ull, 0x3fd5555555555555ull});
      case 2: return rng_.pick({0x7ff0000000000000ull, 0xfff0000000000000ull});
      case 3: return rng_.pick({0x7ff7ffffffffffffull, 0xfff7ffffffffffffull, 0x7ff8000000000000ull,
                                0x7ff0000000000001ull, 0xfff8000000000123ull, 0x7fffffffffffffffull});
      case 4: return rng_.next64() & 0x800fffffffffffffull;
      case 5: return rng_.pick({0x0010000000000000ull, 0x8010000000000000ull, 0x7fefffffffffffffull,
                                0x0000000000000001ull, 0x000fffffffffffffull, 0x47efffffe0000000ull,
                                0x47efffffffffffffull, 0x3810000000000000ull, 0x36a0000000000000ull});
      case 6: return rng_.pick({0x41e0000000000000ull, 0xc1e0000000000000ull, 0x41dfffffffc00000ull,
                                0x41dfffffffe00000ull, 0xc1e0000000100000ull, 0x43e0000000000000ull,
                                0xc3e0000000000000ull, 0x43dfffffffffffffull, 0x3fe8000000000000ull,
                                0x3ff8000000000000ull, 0x4004000000000000ull, 0xbff8000000000000ull});
      case 7: {
        const double d = static_cast<double>(rng_.range(-40, 40)) + 0.25 * static_cast<double>(rng_.range(0, 3));
        return std::bit_cast<uint64_t>(d);
      }
      case 8:
      case 9:
        return (rng_.next64() & 0x8000000000000000ull) |
               (static_cast<uint64_t>(1023 + rng_.range(-10, 10)) << 52) | (rng_.next64() & 0xfffffffffffffull);
      case 10: {  // 64-bit integers (L format)
        const uint64_t v = rng_.pick({0x0ull, 0x1ull, 0xffffffffffffffffull, 0x7fffffffffffffffull,
                                      0x8000000000000000ull, 0x0000000080000000ull, 0x0020000000000001ull});
        return rng_.chance(1, 2) ? v : static_cast<uint64_t>(static_cast<int64_t>(rng_.range(-100000, 100000)));
      }
      case 11:  // near the single-precision range limits: cvt.s.d over/underflow
        return (rng_.next64() & 0x8000000000000000ull) |
               (static_cast<uint64_t>(rng_.chance(1, 2) ? rng_.range(1023 - 160, 1023 - 120)
                                                        : rng_.range(1023 + 120, 1023 + 135))
                << 52) |
               (rng_.next64() & 0xfffffffffffffull);
      case 12:  // over/underflow in double arithmetic
        return (rng_.next64() & 0x8000000000000000ull) |
               (static_cast<uint64_t>(rng_.chance(1, 2) ? rng_.range(1, 30) : rng_.range(2020, 2046)) << 52) |
               (rng_.next64() & 0xfffffffffffffull);
      default: return rng_.next64();
    }
  }

  uint32_t fcsrValue(bool mayTrap) {
    uint32_t v = rng_.below(4);                         // RM
    v |= (rng_.u32() & 0x1fu) << 2;                     // Flags
    if (rng_.chance(1, 5)) v |= (rng_.u32() & 0x1fu) << 7;  // Enables (mostly clear)
    if (rng_.chance(1, 10)) v |= 1u << 24;              // FS
    const uint32_t fcc = rng_.u32() & 0xffu;
    v |= (fcc & 1u) << 23;
    v |= (fcc >> 1) << 25;
    if (mayTrap && rng_.chance(1, 4)) v |= (rng_.u32() & 0x3fu) << 12;  // Cause
    return v;
  }

  // ---- register choice
  int srcReg() {
    const uint32_t r = rng_.below(100);
    if (r < 75) return rng_.pick(pool_);
    if (r < 83) return 0;
    if (r < 87) return kGp;
    return kWritable[rng_.below(std::size(kWritable))];
  }
  int dstReg() {
    const uint32_t r = rng_.below(100);
    if (r < 85) return rng_.pick(pool_);
    if (r < 90) return 0;
    return kWritable[rng_.below(std::size(kWritable))];
  }
  int dstRegNonZero() {
    int r;
    do r = dstReg();
    while (r == 0);
    return r;
  }
  // FPR of a 32-bit format ('S': S, W) or a 64-bit one ('D': D, L; even in FR=0).
  int fpr(char cls) {
    if (opt_.fr1) return rng_.chance(4, 5) ? rng_.pick(fpool_) : static_cast<int>(rng_.below(32));
    if (cls == 'D') return rng_.chance(4, 5) ? rng_.pick(fpool_) : static_cast<int>(2 * rng_.below(16));
    return rng_.chance(4, 5) ? rng_.pick(fpool_) + static_cast<int>(rng_.below(2)) : static_cast<int>(rng_.below(32));
  }
  static char fmtClass(int fmt) { return (fmt == kS || fmt == kW) ? 'S' : 'D'; }

  // ---- immediates
  uint32_t immArith() {
    switch (rng_.below(10)) {
      case 0: return 0;
      case 1: return 1;
      case 2: return 0xffff;
      case 3: return static_cast<uint32_t>(rng_.range(2, 16));
      case 4: return static_cast<uint32_t>(-rng_.range(2, 16)) & 0xffff;
      case 5: return rng_.pick({0x7fffu, 0x8000u, 0x7ffeu, 0x8001u});
      default: return rng_.u32() & 0xffff;
    }
  }
  uint32_t immLogic() {
    switch (rng_.below(8)) {
      case 0: return 0;
      case 1: return 0xffff;
      case 2: return rng_.pick({0x8000u, 0x7fffu, 0x00ffu, 0xff00u, 0x0f0fu, 0x0001u});
      default: return rng_.u32() & 0xffff;
    }
  }
  uint32_t shamt() {
    switch (rng_.below(6)) {
      case 0: return 0;
      case 1: return 31;
      case 2: return rng_.pick({1u, 16u, 8u, 24u});
      default: return rng_.below(32);
    }
  }
  // Offset from $gp of a size-byte access inside the scratch area; aligned
  // unless the unaligned draw hits.
  int32_t memOffset(int size, int unalignedPct) {
    if (size <= 1 || rng_.chance(static_cast<uint32_t>(unalignedPct), 100)) return rng_.range(-kGpBias, kGpBias - (size > 0 ? size : 1));
    return -kGpBias + size * static_cast<int32_t>(rng_.below(static_cast<uint32_t>(kScratchBytes / size)));
  }

  // ---- encoding
  struct F {
    char c;
    uint32_t v;
  };
  Item enc(int ei, std::initializer_list<F> fields, uint32_t xbits = 0) {
    return encList(ei, std::vector<F>(fields), xbits);
  }
  Item encList(int ei, const std::vector<F>& fields, uint32_t xbits) {
    const Entry& e = entries_[ei];
    uint32_t w = e.fixVal;
    std::string text = e.name;
    std::string provided;
    for (const F& f : fields) {
      const uint32_t mask = e.field[static_cast<unsigned char>(f.c)];
      if (!mask) {
        std::fprintf(stderr, "difftest-gen-mips: internal error: %s has no field '%c'\n", e.name.c_str(), f.c);
        std::exit(2);
      }
      w |= deposit(f.v, mask, e.name + " field " + f.c);
      provided += f.c;
      char buf[32];
      switch (f.c) {
        case 's': case 't': case 'd': std::snprintf(buf, sizeof buf, " %c=$%u", f.c, f.v); break;
        case 'S': case 'T': case 'D': case 'R': std::snprintf(buf, sizeof buf, " %c=$f%u", f.c, f.v); break;
        case 'i': std::snprintf(buf, sizeof buf, " i=%d", static_cast<int16_t>(f.v)); break;
        default: std::snprintf(buf, sizeof buf, " %c=%#x", f.c, f.v); break;
      }
      text += buf;
    }
    if (e.has('x')) {
      if (xbits & ~e.field['x']) {
        std::fprintf(stderr, "difftest-gen-mips: internal error: %s x bits\n", e.name.c_str());
        std::exit(2);
      }
      w |= xbits;
      provided += 'x';
    }
    for (char c : e.letters) {
      if (!std::strchr(provided.c_str(), c) && c != 'i' && c != 'j') {
        std::fprintf(stderr, "difftest-gen-mips: internal error: %s field '%c' not set\n", e.name.c_str(), c);
        std::exit(2);
      }
    }
    if ((w & e.fixMask) != e.fixVal) {
      std::fprintf(stderr, "difftest-gen-mips: internal error: %s fixed bits clobbered\n", e.name.c_str());
      std::exit(2);
    }
    Item it;
    it.word = w;
    it.text = text;
    return it;
  }
  Item encName(const char* name, std::initializer_list<F> fields) {
    auto it = nameIndex_.find(name);
    if (it == nameIndex_.end()) {
      std::fprintf(stderr, "difftest-gen-mips: the table has no %s (needed for patterns)\n", name);
      std::exit(2);
    }
    return enc(it->second, fields);
  }
  Item nop() { return enc(sllEntry_, {{'t', 0}, {'d', 0}, {'a', 0}}); }
  Item ehb() {
    Item it = enc(sllEntry_, {{'t', 0}, {'d', 0}, {'a', 3}});
    it.text = "EHB";
    return it;
  }
  // lui/addiu pair loading an address resolved later from the jr at +rel.
  Item addrHi(int r) {
    Item it = encName("LUI", {{'t', static_cast<uint32_t>(r)}, {'i', 0}});
    it.ref = Item::kAddrHi;
    it.rel = 2;
    return it;
  }
  Item addrLo(int r) {
    Item it = encName("ADDIU", {{'s', static_cast<uint32_t>(r)}, {'t', static_cast<uint32_t>(r)}, {'i', 0}});
    it.ref = Item::kAddrLo;
    it.rel = 1;
    return it;
  }

  // A load/store at $gp+off, sometimes through another base register set
  // just before ("addiu rB, $gp, d").
  void memAccess(int ei, char dataField, uint32_t dataReg, int32_t off, bool single, std::vector<Item>& out) {
    if (!single && rng_.chance(1, 4)) {
      const int rb = dstRegNonZero();
      const int32_t d = rng_.range(-300, 300);
      out.push_back(encName("ADDIU", {{'s', kGp}, {'t', static_cast<uint32_t>(rb)}, {'i', static_cast<uint32_t>(d) & 0xffff}}));
      out.push_back(enc(ei, {{'s', static_cast<uint32_t>(rb)}, {dataField, dataReg}, {'i', static_cast<uint32_t>(off - d) & 0xffff}}));
      return;
    }
    out.push_back(enc(ei, {{'s', kGp}, {dataField, dataReg}, {'i', static_cast<uint32_t>(off) & 0xffff}}));
  }

  // An indexed FPU access (base+index): "addiu rI, ..." then the access.
  void indexed(int ei, std::initializer_list<F> other, int32_t off, std::vector<Item>& out) {
    const int ri = dstRegNonZero();
    const uint32_t form = rng_.below(3);
    uint32_t base, index;
    if (form == 2) {
      out.push_back(encName("ADDIU", {{'s', kGp}, {'t', static_cast<uint32_t>(ri)}, {'i', static_cast<uint32_t>(off) & 0xffff}}));
      base = static_cast<uint32_t>(ri);
      index = 0;
    } else {
      out.push_back(encName("ADDIU", {{'s', 0}, {'t', static_cast<uint32_t>(ri)}, {'i', static_cast<uint32_t>(off) & 0xffff}}));
      base = form == 0 ? kGp : static_cast<uint32_t>(ri);
      index = form == 0 ? static_cast<uint32_t>(ri) : kGp;
    }
    std::vector<F> f(other);
    f.push_back({'s', base});
    f.push_back({'t', index});
    out.push_back(encList(ei, f, 0));
  }

  // One single-word ALU instruction (for the inside of ll..sc).
  bool aluSingle(std::vector<Item>& out) {
    std::vector<double> w(entries_.size(), 0.0);
    bool any = false;
    for (size_t i = 0; i < entries_.size(); i++) {
      const G g = rules_[i].g;
      if (g == G::Alu3 || g == G::AluShift || g == G::AluImm || g == G::Lui || g == G::Alu2 || g == G::Clz ||
          g == G::Ext || g == G::Ins) {
        w[i] = weight_[i];
        any = true;
      }
    }
    if (!any) return false;
    return gen(static_cast<int>(rng_.weighted(w)), true, out);
  }

  // ---- one table entry -> one or more items (false: not possible here)
  bool gen(int ei, bool single, std::vector<Item>& out) {
    const Entry& e = entries_[ei];
    const Rule& r = rules_[ei];
    const std::string& n = e.name;
    auto U = [](int v) { return static_cast<uint32_t>(v); };
    switch (r.g) {
      case G::Excluded: return false;
      case G::Alu3: {
        const int s = srcReg();
        const int t = rng_.chance(1, 6) ? s : srcReg();
        out.push_back(enc(ei, {{'s', U(s)}, {'t', U(t)}, {'d', U(dstReg())}}));
        return true;
      }
      case G::AluShift:
        out.push_back(enc(ei, {{'t', U(srcReg())}, {'d', U(dstReg())}, {'a', shamt()}}));
        return true;
      case G::AluImm: {
        const bool logic = n == "ANDI" || n == "ORI" || n == "XORI";
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(dstReg())}, {'i', logic ? immLogic() : immArith()}}));
        return true;
      }
      case G::Lui:
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'i', immLogic()}}));
        return true;
      case G::Alu2:
        out.push_back(enc(ei, {{'t', U(srcReg())}, {'d', U(dstReg())}}));
        return true;
      case G::Clz: {  // rt and rd must name the same register
        const int d = dstReg();
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(d)}, {'d', U(d)}}));
        return true;
      }
      case G::Ext: {  // pos + size <= 32
        const uint32_t pos = rng_.chance(1, 4) ? rng_.pick({0u, 31u, 16u}) : rng_.below(32);
        const uint32_t maxSize = 32 - pos;
        const uint32_t size = rng_.chance(1, 3) ? rng_.pick({1u, maxSize}) : 1 + rng_.below(maxSize);
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(dstReg())}, {'d', size - 1}, {'a', pos}}));
        return true;
      }
      case G::Ins: {  // msb >= lsb
        const uint32_t pos = rng_.chance(1, 4) ? rng_.pick({0u, 31u, 16u}) : rng_.below(32);
        const uint32_t maxSize = 32 - pos;
        const uint32_t size = rng_.chance(1, 3) ? rng_.pick({1u, maxSize}) : 1 + rng_.below(maxSize);
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(dstReg())}, {'d', pos + size - 1}, {'a', pos}}));
        return true;
      }
      case G::MfHiLo:
        out.push_back(enc(ei, {{'d', U(dstReg())}}));
        return true;
      case G::MtHiLo: {
        // A mult/div result must be read by mfhi/mflo before mthi/mtlo,
        // otherwise the other half is UNPREDICTABLE.
        if (single) return false;
        out.push_back(encName(rng_.chance(1, 2) ? "MFHI" : "MFLO", {{'d', U(dstReg())}}));
        out.push_back(enc(ei, {{'s', U(srcReg())}}));
        return true;
      }
      case G::MulDiv2: {
        const int s = srcReg();
        out.push_back(enc(ei, {{'s', U(s)}, {'t', U(rng_.chance(1, 8) ? s : srcReg())}}));
        return true;
      }
      case G::Mul: {
        // MUL leaves HI/LO UNPREDICTABLE: rewrite both right after it.
        if (single) return false;
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(srcReg())}, {'d', U(dstReg())}}));
        out.push_back(encName("MTHI", {{'s', U(srcReg())}}));
        out.push_back(encName("MTLO", {{'s', U(srcReg())}}));
        return true;
      }
      case G::Div: {
        // Division by zero leaves HI/LO UNPREDICTABLE: skip it when rt == 0.
        if (single) return false;
        int t;
        do t = srcReg();
        while (t == 0);
        Item g = encName("BEQ", {{'s', U(t)}, {'t', 0}, {'i', 0}});
        g.cti = true;
        g.ref = Item::kGuard;
        g.rel = 3;
        out.push_back(g);
        out.push_back(nop());
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'t', U(t)}}));
        return true;
      }
      case G::TrapReg: {
        const int s = srcReg();
        const uint32_t code = rng_.chance(1, 2) ? 0 : rng_.below(1024);
        out.push_back(enc(ei, {{'s', U(s)}, {'t', U(rng_.chance(1, 4) ? s : srcReg())}, {'c', code}}));
        return true;
      }
      case G::TrapImm:
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'i', immArith()}}));
        return true;
      case G::System: {
        const uint32_t code = rng_.chance(1, 2) ? 0 : (rng_.u32() & 0xfffffu);
        out.push_back(enc(ei, {{'c', code}}));
        return true;
      }
      case G::Sync:
        out.push_back(enc(ei, {{'e', 0}}));
        return true;
      case G::Pref:
        out.push_back(enc(ei, {{'s', kGp}, {'e', rng_.pick({0u, 1u, 4u, 5u, 6u, 7u})},
                               {'i', U(memOffset(1, 0)) & 0xffff}}));
        return true;
      case G::Prefx:
        if (single) return false;
        indexed(ei, {{'e', rng_.pick({0u, 1u, 4u, 5u, 6u, 7u})}}, memOffset(1, 0), out);
        return true;
      case G::Branch2: {
        const int s = srcReg();
        Item it = enc(ei, {{'s', U(s)}, {'t', U(rng_.chance(1, 4) ? s : srcReg())}, {'i', 0}});
        it.cti = true;
        it.ref = Item::kBranch;
        out.push_back(it);
        return true;
      }
      case G::Branch1: {
        Item it = enc(ei, {{'s', U(srcReg())}, {'i', 0}});
        it.cti = true;
        it.ref = Item::kBranch;
        out.push_back(it);
        return true;
      }
      case G::BranchLink: {  // rs = 31 is UNPREDICTABLE (not restartable)
        int s;
        do s = srcReg();
        while (s == 31);
        Item it = enc(ei, {{'s', U(s)}, {'i', 0}});
        it.cti = true;
        it.ref = Item::kBranch;
        out.push_back(it);
        return true;
      }
      case G::Jump: {
        Item it = enc(ei, {{'j', 0}});
        it.cti = true;
        it.ref = Item::kJump;
        out.push_back(it);
        return true;
      }
      case G::JumpReg: {
        if (single) return false;
        const int rx = dstRegNonZero();
        out.push_back(addrHi(rx));
        out.push_back(addrLo(rx));
        const uint32_t hint = rng_.chance(1, 4) ? 16 : 0;
        Item it;
        if (n == "JALR") {
          int d;
          do d = dstReg();
          while (d == rx);  // rs == rd is UNPREDICTABLE
          it = enc(ei, {{'s', U(rx)}, {'d', U(d)}, {'e', hint}});
        } else {
          it = enc(ei, {{'s', U(rx)}, {'e', hint}});
        }
        it.cti = true;
        it.ref = Item::kIndirect;
        out.push_back(it);
        return true;
      }
      case G::Load:
        memAccess(ei, 't', U(dstReg()), memOffset(r.size, 6), single, out);
        return true;
      case G::Store:
        memAccess(ei, 't', U(srcReg()), memOffset(r.size, 6), single, out);
        return true;
      case G::LoadLR:
        memAccess(ei, 't', U(dstReg()), memOffset(1, 0), single, out);
        return true;
      case G::StoreLR:
        memAccess(ei, 't', U(srcReg()), memOffset(1, 0), single, out);
        return true;
      case G::LL:
        out.push_back(enc(ei, {{'s', kGp}, {'t', U(dstReg())}, {'i', U(memOffset(4, 3)) & 0xffff}}));
        return true;
      case G::SC: {
        // ll; up to 3 ALU instructions; sc to the same address.  Any other
        // memory access in between, or a different address, is UNPREDICTABLE.
        if (single) return false;
        const uint32_t off = U(memOffset(4, 0)) & 0xffff;
        const int rt = dstReg();
        out.push_back(encName("LL", {{'s', kGp}, {'t', U(rt)}, {'i', off}}));
        const int k = static_cast<int>(rng_.below(4));
        for (int i = 0; i < k; i++)
          if (!aluSingle(out)) break;
        // SC writes its rt (the success flag): a destination register.
        out.push_back(enc(ei, {{'s', kGp}, {'t', U(rng_.chance(1, 2) ? rt : dstReg())}, {'i', off}}));
        return true;
      }
      case G::FpLoad:
      case G::FpStore:
        out.push_back(enc(ei, {{'s', kGp}, {'T', U(fpr(r.size == 8 ? 'D' : 'S'))},
                               {'i', U(memOffset(r.size, 5)) & 0xffff}}));
        return true;
      case G::FpLoadX:
        if (single) return false;
        indexed(ei, {{'D', U(fpr(r.size == 4 ? 'S' : 'D'))}}, memOffset(r.size, r.size ? 5 : 100), out);
        return true;
      case G::FpStoreX:
        if (single) return false;
        indexed(ei, {{'S', U(fpr(r.size == 4 ? 'S' : 'D'))}}, memOffset(r.size, r.size ? 5 : 100), out);
        return true;
      case G::Mfc1:
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'S', U(fpr('S'))}}));
        return true;
      case G::Mtc1:
        out.push_back(enc(ei, {{'t', U(srcReg())}, {'S', U(fpr('S'))}}));
        return true;
      case G::Mfhc1:  // FR=0: fs must be even
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'S', U(fpr('D'))}}));
        return true;
      case G::Mthc1:
        out.push_back(enc(ei, {{'t', U(srcReg())}, {'S', U(fpr('D'))}}));
        return true;
      case G::Cfc1:  // FIR, FCCR, FEXR, FENR, FCSR only
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'S', rng_.pick({0u, 25u, 26u, 28u, 31u, 31u})}}));
        return true;
      case G::Ctc1: {
        // Reserved ("must be written as zero") bits of the control registers
        // are kept zero, and FCSR bits 22:18 (implementation/zero) too.
        if (single) return false;
        const uint32_t fs = rng_.pick({31u, 31u, 31u, 25u, 26u, 28u});
        const int rx = dstRegNonZero();
        if (fs == 25 || fs == 28) {
          out.push_back(encName("ANDI", {{'s', U(srcReg())}, {'t', U(rx)}, {'i', fs == 25 ? 0xffu : 0xf87u}}));
        } else {
          const uint32_t v = fs == 26 ? (rng_.u32() & 0x0003f07cu) : (fcsrValue(true) & ~0x007c0000u);
          out.push_back(encName("LUI", {{'t', U(rx)}, {'i', v >> 16}}));
          out.push_back(encName("ORI", {{'s', U(rx)}, {'t', U(rx)}, {'i', v & 0xffff}}));
        }
        out.push_back(enc(ei, {{'t', U(rx)}, {'S', fs}}));
        return true;
      }
      case G::Movci:
        out.push_back(enc(ei, {{'s', U(srcReg())}, {'C', rng_.below(8)}, {'n', rng_.below(2)}, {'d', U(dstReg())}}));
        return true;
      case G::Bc1: {
        Item it = enc(ei, {{'C', rng_.below(8)}, {'n', rng_.below(4)}, {'i', 0}});
        it.cti = true;
        it.ref = Item::kBranch;
        out.push_back(it);
        return true;
      }
      case G::FpArith: {
        const FpRule fr = fpRule(n);
        std::vector<int> fmts = usableFmts(n, fr, opt_.fr1);
        int fmt, dfmt;
        if (rng_.chance(1, 40)) {  // reserved format: Reserved Instruction
          fmt = rng_.pick(reservedFmts(fr));
          dfmt = kD;
        } else {
          fmt = rng_.pick(fmts);
          dfmt = fr.dst < 0 ? fmt : fr.dst;
        }
        const char sc = fmtClass(fmt), dc = fmtClass(dfmt);
        std::vector<F> f;
        for (char c : e.letters) {
          switch (c) {
            case 'S': case 'T': f.push_back({c, U(fpr(sc))}); break;
            case 'D': f.push_back({c, U(fpr(dc))}); break;
            case 't': f.push_back({c, U(srcReg())}); break;
            case 'C': f.push_back({c, rng_.below(8)}); break;
            case 'n': f.push_back({c, rng_.below(2)}); break;
            default: break;
          }
        }
        Item it = encList(ei, f, U(fmt & 0xf) << 21);
        it.text += std::string(" fmt=") + fmtName(fmt);
        out.push_back(it);
        return true;
      }
      case G::FpCmp: {
        const int fmt = rng_.chance(1, 40) ? rng_.pick(reservedFmts(FpRule{{kS, kD}, -1, true})) : (rng_.chance(1, 2) ? kS : kD);
        const char cls = fmtClass(fmt);
        const uint32_t cond = rng_.below(16);
        Item it = enc(ei, {{'T', U(fpr(cls))}, {'S', U(fpr(cls))}, {'C', rng_.below(8)}},
                      (U(fmt & 0xf) << 21) | cond);
        it.text += std::string(" fmt=") + fmtName(fmt) + " cond=" + std::to_string(cond);
        out.push_back(it);
        return true;
      }
      case G::FpMadd: {
        uint32_t fmt3 = rng_.below(2);  // S or D
        if (rng_.chance(1, 40)) fmt3 = 2 + rng_.below(6);  // reserved (6 = PS, not on the 24Kf)
        const char cls = fmt3 == 0 ? 'S' : 'D';
        Item it = enc(ei, {{'R', U(fpr(cls))}, {'T', U(fpr(cls))}, {'S', U(fpr(cls))}, {'D', U(fpr(cls))}}, fmt3);
        it.text += std::string(" fmt=") + (fmt3 == 0 ? "s" : fmt3 == 1 ? "d" : "rsv");
        out.push_back(it);
        return true;
      }
      case G::Mfc0: {
        // Registers whose value only depends on this sequence: Status,
        // IntCtl, SRSCtl, PRId, EBase, Config0-2, EPC (the harness clears it,
        // the handler sets it), HWREna and Wired (never written, defined
        // reset value).  Never Count, Random, Compare, Cause (timer IP bits)
        // or BadVAddr (carries over from earlier sequences), and not Config3:
        // mimic's 24Kf advertises UserLocal, QEMU's does not (the guest
        // program cp0.c checks Config3 against a known-divergence rule).
        static const std::pair<uint32_t, uint32_t> regs[] = {
            {12, 0}, {12, 1}, {12, 2}, {15, 0}, {15, 1}, {16, 0}, {16, 1},
            {16, 2}, {14, 0}, {7, 0},  {6, 0}};
        const auto& rs = regs[rng_.below(std::size(regs))];
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'d', rs.first}, {'e', rs.second}}));
        return true;
      }
      case G::DiEi:
        if (single) return false;
        out.push_back(enc(ei, {{'t', U(dstReg())}}));
        out.push_back(ehb());
        return true;
      case G::Rdpgpr:
        out.push_back(enc(ei, {{'t', U(srcReg())}, {'d', U(dstReg())}}));
        return true;
      case G::Rdhwr: {
        // CPUNum, SYNCI_Step, CCRes; sometimes a reserved one (RI).  Not 2
        // (Count), not 29 (UserLocal: QEMU reads it in kernel mode even
        // without Config3.ULRI), not 30/31 (implementation dependent).
        const uint32_t hw = rng_.chance(1, 6) ? 4 + rng_.below(25) : rng_.pick({0u, 1u, 3u});
        out.push_back(enc(ei, {{'t', U(dstReg())}, {'d', hw}}));
        return true;
      }
      case G::Cache:
        // Index Invalidate I, Index Writeback Invalidate D, Hit Invalidate I,
        // Hit Writeback Invalidate D, Hit Writeback D: no data loss.
        out.push_back(enc(ei, {{'s', kGp}, {'e', rng_.pick({0x00u, 0x01u, 0x10u, 0x15u, 0x19u})},
                               {'i', U(memOffset(1, 0)) & 0xffff}}));
        return true;
      case G::Synci:
        out.push_back(enc(ei, {{'s', kGp}, {'i', U(memOffset(1, 0)) & 0xffff}}));
        return true;
      case G::Unusable: {
        std::vector<F> f;
        for (char c : e.letters) {
          switch (c) {
            case 's': f.push_back({c, kGp}); break;
            case 't': f.push_back({c, rng_.below(32)}); break;
            case 'i': f.push_back({c, U(memOffset(4, 0)) & 0xffff}); break;
            case 'x': break;
            default: return false;
          }
        }
        out.push_back(encList(ei, f, rng_.u32() & e.field['x']));
        return true;
      }
    }
    return false;
  }

  int pickEntry(bool single) {
    std::vector<double> w(entries_.size());
    bool any = false;
    for (size_t i = 0; i < entries_.size(); i++) {
      const G g = rules_[i].g;
      if (g == G::Excluded) continue;
      const GroupInfo& gi = groupInfo(g);
      if (single && !gi.single) continue;
      w[i] = weight_[i] * (gi.fpu ? fpuScale_ : intScale_);
      any |= w[i] > 0;
    }
    if (!any) return -1;
    return static_cast<int>(rng_.weighted(w));
  }

  void initState(Sequence& s) {
    State& st = s.init;
    // A small pool of registers so that values interact.
    pool_.clear();
    std::vector<int> cand(std::begin(kWritable), std::end(kWritable));
    const int np = rng_.range(5, 8);
    while (static_cast<int>(pool_.size()) < np) {
      const int r = cand[rng_.below(static_cast<uint32_t>(cand.size()))];
      bool dup = false;
      for (int p : pool_) dup |= p == r;
      if (!dup) pool_.push_back(r);
    }
    if (rng_.chance(1, 3)) pool_[0] = 31;
    fpool_.clear();
    const int nf = opt_.fr1 ? rng_.range(4, 7) : rng_.range(3, 5);
    while (static_cast<int>(fpool_.size()) < nf) {
      const int r = opt_.fr1 ? static_cast<int>(rng_.below(32)) : static_cast<int>(2 * rng_.below(16));
      bool dup = false;
      for (int p : fpool_) dup |= p == r;
      if (!dup) fpool_.push_back(r);
    }
    // Flavour: integer only, mixed, or FPU heavy.
    switch (rng_.below(3)) {
      case 0: fpuScale_ = 0.05; intScale_ = 1.0; break;
      case 1: fpuScale_ = 1.0; intScale_ = 1.0; break;
      default: fpuScale_ = 3.0; intScale_ = 0.6; break;
    }

    st.gpr[0] = static_cast<uint32_t>(s.number);  // table word 0: sequence number
    for (int r : kWritable) st.gpr[r] = gprValue();
    for (int r : pool_)
      if (rng_.chance(1, 6)) st.gpr[r] = st.gpr[rng_.pick(pool_)];
    st.hi = gprValue();
    st.lo = gprValue();
    st.fcsr = fcsrValue(false);
    for (int n = 0; n < 32; n += 2) {
      if (!opt_.fr1) {
        if (rng_.chance(9, 20)) {
          const uint64_t d = doubleValue();
          st.fprLo[n] = static_cast<uint32_t>(d);
          st.fprLo[n + 1] = static_cast<uint32_t>(d >> 32);
        } else {
          st.fprLo[n] = singleValue();
          st.fprLo[n + 1] = singleValue();
        }
      } else {
        for (int m = n; m < n + 2; m++) {
          const uint32_t k = rng_.below(20);
          if (k < 9) {
            const uint64_t d = doubleValue();
            st.fprLo[m] = static_cast<uint32_t>(d);
            st.fprHi[m] = static_cast<uint32_t>(d >> 32);
          } else if (k < 16) {
            st.fprLo[m] = singleValue();
            st.fprHi[m] = rng_.pick({0u, 0xffffffffu, rng_.u32(), singleValue()});
          } else {
            st.fprLo[m] = rng_.u32();
            st.fprHi[m] = rng_.u32();
          }
        }
      }
    }
    for (int i = 0; i < kScratchWords; i++) {
      const uint32_t k = rng_.below(10);
      if (k < 5) st.mem[i] = rng_.u32();
      else if (k < 7) st.mem[i] = gprValue();
      else if (k < 9 || (i & 1)) st.mem[i] = singleValue();
      else {  // a double at an 8-aligned address, in memory order
        const uint64_t d = doubleValue();
        st.mem[i] = opt_.be ? static_cast<uint32_t>(d >> 32) : static_cast<uint32_t>(d);
        st.mem[i + 1] = opt_.be ? static_cast<uint32_t>(d) : static_cast<uint32_t>(d >> 32);
        i++;
      }
    }
  }

  int chooseTarget(const std::vector<Item>& items, int i) {
    const int n = static_cast<int>(items.size());
    if (rng_.chance(1, 12) && i + 1 < n && !items[i + 1].noTarget) return i + 1;  // own delay slot
    std::vector<int> c;
    for (int j = i + 2; j <= n; j++)
      if (j == n || !items[j].noTarget) c.push_back(j);
    if (rng_.chance(7, 10)) return c[rng_.below(static_cast<uint32_t>(std::min<size_t>(c.size(), 4)))];
    return c[rng_.below(static_cast<uint32_t>(c.size()))];
  }

  void generateSequence(Sequence& s) {
    initState(s);
    std::vector<Item>& items = s.items;
    const int len = rng_.range(opt_.minLen, opt_.maxLen);
    int guard = 0;
    while (static_cast<int>(items.size()) < len && guard++ < 10000) {
      const int ei = pickEntry(false);
      if (ei < 0) break;
      std::vector<Item> pat;
      if (!gen(ei, false, pat) || pat.empty()) continue;
      for (size_t k = 1; k < pat.size(); k++) pat[k].noTarget = true;
      const bool needSlot = pat.back().cti;
      for (auto& it : pat) items.push_back(std::move(it));
      if (needSlot) {
        std::vector<Item> slot;
        for (int tries = 0; tries < 100 && slot.empty(); tries++) {
          const int se = pickEntry(true);
          if (se < 0) break;
          if (!gen(se, true, slot)) slot.clear();
          if (slot.size() > 1 || (!slot.empty() && slot[0].cti)) slot.clear();
        }
        if (slot.empty()) slot.push_back(nop());
        items.push_back(std::move(slot[0]));
      }
    }
    // Resolve control-flow targets (forward only, inside the sequence).
    const int n = static_cast<int>(items.size());
    for (int i = 0; i < n; i++) {
      Item& it = items[i];
      if (it.ref == Item::kBranch || it.ref == Item::kJump || it.ref == Item::kIndirect)
        it.target = chooseTarget(items, i);
      else if (it.ref == Item::kGuard)
        it.target = i + it.rel;
    }
    auto addrOf = [&s](int idx) { return s.body + 4u * static_cast<uint32_t>(idx); };
    for (int i = 0; i < n; i++) {
      Item& it = items[i];
      char buf[64];
      switch (it.ref) {
        case Item::kBranch:
        case Item::kGuard: {
          const int off = it.target - (i + 1);
          it.word |= static_cast<uint32_t>(off) & 0xffff;
          std::snprintf(buf, sizeof buf, " -> +%d", it.target * 4);
          it.text += buf;
          break;
        }
        case Item::kJump:
          it.word |= (addrOf(it.target) >> 2) & 0x3ffffffu;
          std::snprintf(buf, sizeof buf, " -> +%d", it.target * 4);
          it.text += buf;
          break;
        case Item::kIndirect:
          std::snprintf(buf, sizeof buf, " -> +%d", it.target * 4);
          it.text += buf;
          break;
        case Item::kAddrHi:
        case Item::kAddrLo: {
          const uint32_t a = addrOf(items[i + it.rel].target);
          const uint32_t v = it.ref == Item::kAddrHi ? ((a + 0x8000u) >> 16) & 0xffff : a & 0xffff;
          it.word |= v;
          const int r = static_cast<int>((it.word >> 16) & 31);
          if (it.ref == Item::kAddrHi)
            std::snprintf(buf, sizeof buf, "LUI t=$%d i=%#x (address of +%d)", r, v, items[i + it.rel].target * 4);
          else
            std::snprintf(buf, sizeof buf, "ADDIU s=$%d t=$%d i=%#x (address of +%d)", r, r, v,
                          items[i + it.rel].target * 4);
          it.text = buf;
          break;
        }
        default: break;
      }
    }
  }

  void emitSequence(const Sequence& s, std::ostringstream& text, std::ostringstream& data, std::ostringstream& side) {
    const int k = s.number;
    char buf[160];
    text << "# ---- sequence " << k << "\n";
    text << "seq_" << k << ":\n";
    text << "\tlui\t$k0, %hi(tbl_" << k << ")\n\tjal\tdt_seq_init\n\taddiu\t$k0, $k0, %lo(tbl_" << k << ")\n";
    text << "body_" << k << ":\n";
    std::snprintf(buf, sizeof buf, "seq %d body %08x n %zu\n", k, s.body, s.items.size());
    side << buf;
    for (size_t i = 0; i < s.items.size(); i++) {
      const Item& it = s.items[i];
      std::snprintf(buf, sizeof buf, "\t.word\t0x%08x\t# +%zu %s\n", it.word, 4 * i, it.text.c_str());
      text << buf;
      std::snprintf(buf, sizeof buf, "i %zu %08x %s\n", 4 * i, it.word, it.text.c_str());
      side << buf;
    }
    text << "end_" << k << ":\n";
    text << "\tlui\t$k0, %hi(dt_regsave)\n\taddiu\t$k0, $k0, %lo(dt_regsave)\n\tsw\t$ra, 124($k0)\n"
            "\tjal\tdt_dump\n\tnop\n";

    const State& st = s.init;
    std::vector<uint32_t> tbl(TBL_SIZE / 4, 0);
    for (int r = 0; r < 32; r++) tbl[(TBL_GPR + 4 * r) / 4] = st.gpr[r];
    tbl[TBL_HI / 4] = st.hi;
    tbl[TBL_LO / 4] = st.lo;
    tbl[TBL_FCSR / 4] = st.fcsr;
    for (int n = 0; n < 32; n++) {
      tbl[(TBL_FPR + 8 * n) / 4] = st.fprLo[n];
      tbl[(TBL_FPR + 8 * n + 4) / 4] = st.fprHi[n];
    }
    for (int i = 0; i < kScratchWords; i++) tbl[TBL_MEM / 4 + i] = st.mem[i];
    data << "tbl_" << k << ":";
    for (size_t i = 0; i < tbl.size(); i++) {
      std::snprintf(buf, sizeof buf, "%s0x%08x", i % 8 == 0 ? "\n\t.word\t" : ", ", tbl[i]);
      data << buf;
    }
    data << "\n";
  }

  Options opt_;
  Rng rng_;
  std::vector<Entry> entries_;
  std::vector<Rule> rules_;
  std::vector<double> weight_;
  std::map<std::string, int> nameIndex_;
  int sllEntry_ = -1;
  std::vector<int> pool_, fpool_;
  double fpuScale_ = 1.0, intScale_ = 1.0;
};

}  // namespace
}  // namespace difftest

int main(int argc, char** argv) {
  using difftest::Options;
  Options o;
  bool haveSeed = false, haveEndian = false;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) difftest::usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--seed") {
      o.seed = std::strtoull(val().c_str(), nullptr, 0);
      haveSeed = true;
    } else if (a == "--count") {
      o.count = std::atoi(val().c_str());
    } else if (a == "--endian") {
      const std::string v = val();
      if (v != "el" && v != "be") difftest::usage("--endian must be el or be");
      o.be = v == "be";
      haveEndian = true;
    } else if (a == "--fr") {
      const std::string v = val();
      if (v != "0" && v != "1") difftest::usage("--fr must be 0 or 1");
      o.fr1 = v == "1";
    } else if (a == "--out") {
      o.out = val();
    } else if (a == "--first") {
      o.first = std::atoi(val().c_str());
    } else if (a == "--len") {
      const std::string v = val();
      if (std::sscanf(v.c_str(), "%d:%d", &o.minLen, &o.maxLen) != 2 || o.minLen < 1 || o.maxLen < o.minLen ||
          o.maxLen > 2000)
        difftest::usage("--len wants MIN:MAX");
    } else if (a == "--only") {
      std::stringstream ss(val());
      std::string n;
      while (std::getline(ss, n, ','))
        if (!n.empty()) o.only.push_back(n);
    } else if (a == "--coverage") {
      o.coverage = true;
    } else if (a == "-h" || a == "--help") {
      difftest::usage(nullptr);
    } else {
      difftest::usage(("unknown argument " + a).c_str());
    }
  }
  difftest::Generator g(o);
  if (o.coverage) {
    g.printCoverage();
    return 0;
  }
  if (!haveSeed || !haveEndian || o.out.empty() || o.count < 1) difftest::usage("--seed, --endian, --out and --count >= 1 are required");
  return g.writeProgram();
}
