// The fixed part of every difftest program: crt0, the exception handler, the
// per-sequence state loader and the state dumper, as GNU assembler text.
//
// Program layout (see difftest.ld):
//   .seqtext at 0x80100000  the generated sequences, back to back; each is
//                           prologue (3 words) + body + epilogue (5 words)
//   .text                   this harness
//   .data                   one state table per sequence (TBL_* layout)
//   .bss                    scratch area, register save areas, stack
//
// Console protocol (one block per sequence, all numbers lower-case hex):
//   S <seq>                                 sequence header (8 digits)
//   X <exc> <bd> <ce> <epc-body> <badvaddr> [<fcsr>]   one per exception
//             (ce only for CpU, badvaddr only for codes 1..5, else 0; fcsr for FPE)
//   R <r0> ... <r31>                        30 GPRs: all but k0/k1
//   H <hi> <lo> <fcsr>
//   F <f0> ... <f31>                        FR=0: 8 digits; FR=1: 16 digits
//   M <checksum> [<word-index> <value>]...  scratch checksum + changed words
// and at the very end "E <count>" before the Malta reset.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace difftest {

// Byte offsets in a sequence's state table (.data).
constexpr int TBL_SEQ = 0;      // word 0: sequence number (slot of $0)
constexpr int TBL_GPR = 0;      // GPR r at TBL_GPR + 4*r, r = 1..31
constexpr int TBL_HI = 128;
constexpr int TBL_LO = 132;
constexpr int TBL_FCSR = 136;
constexpr int TBL_FPR = 140;    // FPR n: low word at +8n, high word at +8n+4
constexpr int TBL_MEM = 396;    // initial scratch contents
constexpr int kScratchWords = 64;
constexpr int TBL_SIZE = TBL_MEM + 4 * kScratchWords;

// Scratch area: 256 bytes; $gp points to its middle, so every load/store
// offset in [-128, 127] stays inside.
constexpr int kScratchBytes = 4 * kScratchWords;
constexpr int kGpBias = 128;

constexpr uint32_t kSeqTextBase = 0x80100000u;  // must match difftest.ld
constexpr int kPrologueWords = 3;
constexpr int kEpilogueWords = 5;

// Status at every sequence start: CU1 | CU0, kernel mode, BEV = ERL = EXL =
// IE = 0, IM = 0 (no interrupt can be taken), FR per program variant.
constexpr uint32_t statusValue(bool fr1) { return 0x30000000u | (fr1 ? 0x04000000u : 0u); }

// mfhc1/mthc1 as data: gas warns about odd registers even with fp=64.
inline std::string cop1Move(unsigned op, unsigned rt, unsigned fs) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ".word\t0x%08x", 0x44000000u | (op << 21) | (rt << 16) | (fs << 11));
  return buf;
}

inline std::string harnessAsm(bool fr1, const std::string& banner) {
  std::string s;
  auto L = [&s](const std::string& line) { s += line; s += '\n'; };
  auto I = [&s](const std::string& line) { s += "\t"; s += line; s += '\n'; };
  const std::string st = std::to_string(statusValue(fr1));

  L("\t.text");
  L("\t.set\tnoreorder");
  L("\t.set\tnoat");
  L("\t.set\tmacro");
  L("\t.globl\t_start");
  L("\t.type\t_start, @function");
  // ---- crt0
  L("_start:");
  // EBase = 0x80000000 (the reset value; set while BEV is still 1).
  I("li\t$t0, 0x80000000");
  I("mtc0\t$t0, $15, 1");
  I("ehb");
  I("li\t$t0, " + st);
  I("mtc0\t$t0, $12");
  I("mtc0\t$zero, $13");
  I("ehb");
  I("la\t$sp, dt_stack_top");
  I("la\t$gp, dt_scratch + " + std::to_string(kGpBias));
  // Exception trampolines at the TLB refill (0x000), general (0x180) and
  // interrupt (0x200) vectors; only 0x180 is expected.
  for (const char* vec : {"0x80000000", "0x80000180", "0x80000200"}) {
    I(std::string("li\t$t1, ") + vec);
    I("la\t$t0, dt_tramp");
    for (int w = 0; w < 4; w++) {
      I("lw\t$t2, " + std::to_string(4 * w) + "($t0)");
      I("sw\t$t2, " + std::to_string(4 * w) + "($t1)");
    }
    I("synci\t0($t1)");
  }
  I("sync");
  I("la\t$a0, dt_banner");
  I("jal\tdt_puts");
  I("nop");
  I("la\t$t0, dt_seq_first");
  I("jr.hb\t$t0");
  I("nop");

  L("dt_tramp:");
  I("lui\t$k0, %hi(dt_exc)");
  I("addiu\t$k0, $k0, %lo(dt_exc)");
  I("jr\t$k0");
  I("nop");

  // ---- console: dt_putc(a0); dt_puthex(a0 value, v1 digits) prints a space
  // and v1 digits, dt_puthex_ns the same without the space; dt_puts(a0).
  // They clobber a0 (puts), a1, v0, v1, t8, t9.
  L("dt_putc:");
  I("lui\t$t9, 0xb800");
  L("1:");
  I("lbu\t$t8, 0x3fd($t9)");
  I("andi\t$t8, $t8, 0x20");
  I("beqz\t$t8, 1b");
  I("nop");
  I("jr\t$ra");
  I("sb\t$a0, 0x3f8($t9)");

  L("dt_puts:");
  I("lui\t$t9, 0xb800");
  L("1:");
  I("lbu\t$a1, 0($a0)");
  I("beqz\t$a1, 3f");
  I("addiu\t$a0, $a0, 1");
  L("2:");
  I("lbu\t$t8, 0x3fd($t9)");
  I("andi\t$t8, $t8, 0x20");
  I("beqz\t$t8, 2b");
  I("nop");
  I("b\t1b");
  I("sb\t$a1, 0x3f8($t9)");
  L("3:");
  I("jr\t$ra");
  I("nop");

  L("dt_puthex:");
  I("lui\t$t9, 0xb800");
  L("1:");
  I("lbu\t$t8, 0x3fd($t9)");
  I("andi\t$t8, $t8, 0x20");
  I("beqz\t$t8, 1b");
  I("li\t$a1, 32");
  I("sb\t$a1, 0x3f8($t9)");
  L("dt_puthex_ns:");
  I("lui\t$t9, 0xb800");
  I("sll\t$v0, $v1, 2");
  L("2:");
  I("addiu\t$v0, $v0, -4");
  I("srlv\t$a1, $a0, $v0");
  I("andi\t$a1, $a1, 15");
  I("sltiu\t$t8, $a1, 10");
  I("bnez\t$t8, 3f");
  I("addiu\t$a1, $a1, 48");
  I("addiu\t$a1, $a1, 39");
  L("3:");
  I("lbu\t$t8, 0x3fd($t9)");
  I("andi\t$t8, $t8, 0x20");
  I("beqz\t$t8, 3b");
  I("nop");
  I("bnez\t$v0, 2b");
  I("sb\t$a1, 0x3f8($t9)");
  I("jr\t$ra");
  I("nop");

  // ---- exception handler: print one X line, resume at EPC+4 (BD=0) or
  // EPC+8 (BD=1: the branch and its delay slot are both skipped).
  L("dt_exc:");
  I("lui\t$k0, %hi(dt_excsave)");
  I("addiu\t$k0, $k0, %lo(dt_excsave)");
  const char* saved[] = {"$a0", "$a1", "$v0", "$v1", "$t8", "$t9", "$ra"};
  for (int i = 0; i < 7; i++) I(std::string("sw\t") + saved[i] + ", " + std::to_string(4 * i) + "($k0)");
  I("lui\t$k1, %hi(dt_exc_count)");
  I("lw\t$a0, %lo(dt_exc_count)($k1)");
  I("addiu\t$a0, $a0, 1");
  I("sw\t$a0, %lo(dt_exc_count)($k1)");
  I("sltiu\t$a0, $a0, 1000");
  I("beqz\t$a0, dt_runaway");
  I("nop");
  I("jal\tdt_putc");
  I("li\t$a0, 88");  // 'X'
  I("mfc0\t$a0, $13");
  I("srl\t$a0, $a0, 2");
  I("andi\t$a0, $a0, 31");
  I("jal\tdt_puthex");
  I("li\t$v1, 2");
  I("mfc0\t$a0, $13");
  I("srl\t$a0, $a0, 31");
  I("jal\tdt_puthex");
  I("li\t$v1, 1");
  I("mfc0\t$a0, $13");
  I("srl\t$a0, $a0, 28");
  I("andi\t$a0, $a0, 3");
  // Cause.CE is UNPREDICTABLE except for Coprocessor Unusable: print 0.
  I("mfc0\t$v0, $13");
  I("srl\t$v0, $v0, 2");
  I("andi\t$v0, $v0, 31");
  I("xori\t$v0, $v0, 11");
  I("movn\t$a0, $zero, $v0");
  I("jal\tdt_puthex");
  I("li\t$v1, 1");
  I("mfc0\t$a0, $14");
  I("lui\t$k1, %hi(dt_cur_body)");
  I("lw\t$k1, %lo(dt_cur_body)($k1)");
  I("subu\t$a0, $a0, $k1");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  // BadVAddr only for the exceptions that set it (TLB, address error); it
  // would otherwise carry state over from an earlier sequence.
  I("mfc0\t$a0, $8");
  I("mfc0\t$v0, $13");
  I("srl\t$v0, $v0, 2");
  I("andi\t$v0, $v0, 31");
  I("addiu\t$v0, $v0, -1");
  I("sltiu\t$v0, $v0, 5");
  I("movz\t$a0, $zero, $v0");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  I("mfc0\t$a0, $13");
  I("srl\t$a0, $a0, 2");
  I("andi\t$a0, $a0, 31");
  I("xori\t$a0, $a0, 15");  // FPE: also print FCSR (Cause bits)
  I("bnez\t$a0, 1f");
  I("nop");
  I("cfc1\t$a0, $31");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  L("1:");
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  I("mfc0\t$k1, $13");
  I("mfc0\t$k0, $14");
  I("bgez\t$k1, 2f");
  I("addiu\t$k0, $k0, 4");
  I("addiu\t$k0, $k0, 4");
  L("2:");
  I("mtc0\t$k0, $14");
  I("lui\t$k1, %hi(dt_excsave)");
  I("addiu\t$k1, $k1, %lo(dt_excsave)");
  for (int i = 0; i < 7; i++) I(std::string("lw\t") + saved[i] + ", " + std::to_string(4 * i) + "($k1)");
  I("ehb");
  I("eret");

  L("dt_runaway:");
  I("la\t$a0, dt_runaway_msg");
  I("jal\tdt_puts");
  I("nop");
  I("b\tdt_reset");
  I("nop");

  // ---- per-sequence state loader: k0 = state table, ra = body address.
  L("\t.globl\tdt_seq_init");
  L("dt_seq_init:");
  I("move\t$k1, $ra");
  I("lui\t$t0, %hi(dt_cur_body)");
  I("sw\t$k1, %lo(dt_cur_body)($t0)");
  I("lui\t$t0, %hi(dt_cur_tbl)");
  I("sw\t$k0, %lo(dt_cur_tbl)($t0)");
  I("lui\t$t0, %hi(dt_exc_count)");
  I("sw\t$zero, %lo(dt_exc_count)($t0)");
  I("lui\t$t0, %hi(dt_seq_count)");
  I("lw\t$t1, %lo(dt_seq_count)($t0)");
  I("addiu\t$t1, $t1, 1");
  I("sw\t$t1, %lo(dt_seq_count)($t0)");
  I("li\t$t0, " + st);
  I("mtc0\t$t0, $12");
  I("mtc0\t$zero, $14");
  I("ehb");
  // Clear the LL bit: SC always clears it (and an eret would too).
  I("la\t$t0, dt_llcell");
  I("ll\t$t1, 0($t0)");
  I("sc\t$t1, 0($t0)");
  I("jal\tdt_putc");
  I("li\t$a0, 83");  // 'S'
  I("lw\t$a0, " + std::to_string(TBL_SEQ) + "($k0)");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  I("la\t$t0, dt_scratch");
  I("addiu\t$t1, $k0, " + std::to_string(TBL_MEM));
  I("addiu\t$t2, $t0, " + std::to_string(kScratchBytes));
  L("1:");
  I("lw\t$t3, 0($t1)");
  I("addiu\t$t1, $t1, 4");
  I("sw\t$t3, 0($t0)");
  I("addiu\t$t0, $t0, 4");
  I("bne\t$t0, $t2, 1b");
  I("nop");
  I("ctc1\t$zero, $31");
  for (int n = 0; n < 32; n++) {
    const std::string off = std::to_string(TBL_FPR + 8 * n);
    I("lwc1\t$f" + std::to_string(n) + ", " + off + "($k0)");
    if (fr1) {
      I("lw\t$t0, " + std::to_string(TBL_FPR + 8 * n + 4) + "($k0)");
      I(cop1Move(0x07, 8, n) + "\t# mthc1 $t0, $f" + std::to_string(n));
    }
  }
  I("lw\t$t0, " + std::to_string(TBL_HI) + "($k0)");
  I("mthi\t$t0");
  I("lw\t$t0, " + std::to_string(TBL_LO) + "($k0)");
  I("mtlo\t$t0");
  I("lw\t$t0, " + std::to_string(TBL_FCSR) + "($k0)");
  I("ctc1\t$t0, $31");
  for (int r = 1; r < 32; r++) {
    if (r >= 26 && r <= 29) continue;  // k0, k1, gp, sp
    I("lw\t$" + std::to_string(r) + ", " + std::to_string(TBL_GPR + 4 * r) + "($k0)");
  }
  I("jr\t$k1");
  I("nop");

  // ---- state dumper: k0 = dt_regsave, dt_regsave[31] = the sequence's ra.
  L("\t.globl\tdt_dump");
  L("dt_dump:");
  for (int r = 0; r < 31; r++) {
    if (r == 26 || r == 27) continue;
    I("sw\t$" + std::to_string(r) + ", " + std::to_string(4 * r) + "($k0)");
  }
  I("sw\t$ra, 128($k0)");
  I("mfhi\t$t0");
  I("sw\t$t0, 132($k0)");
  I("mflo\t$t0");
  I("sw\t$t0, 136($k0)");
  I("cfc1\t$t0, $31");
  I("sw\t$t0, 140($k0)");
  for (int n = 0; n < 32; n++) {
    I("mfc1\t$t0, $f" + std::to_string(n));
    I("sw\t$t0, " + std::to_string(144 + 8 * n) + "($k0)");
    if (fr1) {
      I(cop1Move(0x03, 8, n) + "\t# mfhc1 $t0, $f" + std::to_string(n));
      I("sw\t$t0, " + std::to_string(148 + 8 * n) + "($k0)");
    }
  }
  // Harness invariant: the sequence must not have written $gp or $sp (a
  // generator bug, or an emulator bug): say so and repair them.
  I("la\t$t0, dt_scratch + " + std::to_string(kGpBias));
  I("beq\t$t0, $gp, 1f");
  I("nop");
  I("move\t$gp, $t0");
  I("la\t$a0, dt_gp_msg");
  I("jal\tdt_puts");
  I("nop");
  L("1:");
  I("la\t$t0, dt_stack_top");
  I("beq\t$t0, $sp, 1f");
  I("nop");
  I("move\t$sp, $t0");
  I("la\t$a0, dt_sp_msg");
  I("jal\tdt_puts");
  I("nop");
  L("1:");
  // R line
  I("jal\tdt_putc");
  I("li\t$a0, 82");  // 'R'
  for (int r = 0; r < 32; r++) {
    if (r == 26 || r == 27) continue;
    I("lw\t$a0, " + std::to_string(4 * r) + "($k0)");
    I("jal\tdt_puthex");
    I("li\t$v1, 8");
  }
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  // H line
  I("jal\tdt_putc");
  I("li\t$a0, 72");  // 'H'
  for (int off : {132, 136, 140}) {
    I("lw\t$a0, " + std::to_string(off) + "($k0)");
    I("jal\tdt_puthex");
    I("li\t$v1, 8");
  }
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  // F line
  I("jal\tdt_putc");
  I("li\t$a0, 70");  // 'F'
  for (int n = 0; n < 32; n++) {
    if (fr1) {
      I("lw\t$a0, " + std::to_string(148 + 8 * n) + "($k0)");
      I("jal\tdt_puthex");
      I("li\t$v1, 8");
      I("lw\t$a0, " + std::to_string(144 + 8 * n) + "($k0)");
      I("jal\tdt_puthex_ns");
      I("li\t$v1, 8");
    } else {
      I("lw\t$a0, " + std::to_string(144 + 8 * n) + "($k0)");
      I("jal\tdt_puthex");
      I("li\t$v1, 8");
    }
  }
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  // M line: checksum of the scratch area, then the words that changed.
  I("jal\tdt_putc");
  I("li\t$a0, 77");  // 'M'
  I("la\t$t4, dt_scratch");
  I("addiu\t$t5, $t4, " + std::to_string(kScratchBytes));
  I("li\t$a0, 0x2545f491");
  L("1:");
  I("lw\t$t0, 0($t4)");
  I("addiu\t$t4, $t4, 4");
  I("xor\t$a0, $a0, $t0");
  I("sll\t$t1, $a0, 7");
  I("srl\t$t2, $a0, 25");
  I("or\t$a0, $t1, $t2");
  I("sll\t$t1, $a0, 3");
  I("bne\t$t4, $t5, 1b");
  I("addu\t$a0, $a0, $t1");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  I("la\t$t4, dt_scratch");
  I("lui\t$t6, %hi(dt_cur_tbl)");
  I("lw\t$t6, %lo(dt_cur_tbl)($t6)");
  I("addiu\t$t6, $t6, " + std::to_string(TBL_MEM));
  I("move\t$t7, $zero");
  L("2:");
  I("lw\t$t0, 0($t4)");
  I("lw\t$t1, 0($t6)");
  I("beq\t$t0, $t1, 3f");
  I("nop");
  I("move\t$a0, $t7");
  I("jal\tdt_puthex");
  I("li\t$v1, 2");
  I("lw\t$a0, 0($t4)");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  L("3:");
  I("addiu\t$t7, $t7, 1");
  I("addiu\t$t4, $t4, 4");
  I("sltiu\t$t0, $t7, " + std::to_string(kScratchWords));
  I("bnez\t$t0, 2b");
  I("addiu\t$t6, $t6, 4");
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  I("lw\t$ra, 128($k0)");
  I("jr\t$ra");
  I("nop");

  // ---- end of program
  L("\t.globl\tdt_finish");
  L("dt_finish:");
  I("jal\tdt_putc");
  I("li\t$a0, 69");  // 'E'
  I("lui\t$a0, %hi(dt_seq_count)");
  I("lw\t$a0, %lo(dt_seq_count)($a0)");
  I("jal\tdt_puthex");
  I("li\t$v1, 8");
  I("jal\tdt_putc");
  I("li\t$a0, 10");
  L("dt_reset:");
  I("li\t$t0, 0xbf000500");
  I("li\t$t1, 0x42");
  I("sw\t$t1, 0($t0)");
  L("1:");
  I("b\t1b");
  I("nop");

  // ---- data
  L("\t.section\t.rodata");
  L("dt_banner:");
  I(".asciz\t\"" + banner + "\\n\"");
  L("dt_gp_msg:");
  I(".asciz\t\"! $gp was written\\n\"");
  L("dt_sp_msg:");
  I(".asciz\t\"! $sp was written\\n\"");
  L("dt_runaway_msg:");
  I(".asciz\t\"!runaway: too many exceptions\\n\"");
  L("\t.bss");
  L("\t.balign\t16");
  L("dt_scratch:");
  I(".space\t" + std::to_string(kScratchBytes));
  L("dt_regsave:");
  I(".space\t" + std::to_string(144 + 8 * 32));
  L("dt_excsave:");
  I(".space\t32");
  L("dt_cur_body:");
  I(".space\t4");
  L("dt_cur_tbl:");
  I(".space\t4");
  L("dt_exc_count:");
  I(".space\t4");
  L("dt_seq_count:");
  I(".space\t4");
  L("dt_llcell:");
  I(".space\t4");
  L("\t.balign\t16");
  I(".space\t4096");
  L("dt_stack_top:");
  return s;
}

}  // namespace difftest
