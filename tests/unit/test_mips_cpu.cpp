// MIPS programs through the whole engine (decoder, translator, passes,
// backend, softmmu, exceptions), on the interpreter and the x86-64 backend.
#include <gtest/gtest.h>

#include <cstdlib>

#include <random>

#include "frontends/mips/cp0_bits.h"
#include "frontends/mips/decoder.h"
#include "mips_test_machine.h"
#include "tcg/passes.h"
#include "tcg/softmmu.h"

namespace mimic::mips::test {
namespace {

struct Params {
  bool big_endian;
  tcg::BackendKind backend;
};

class MipsCpuTest : public ::testing::TestWithParam<Params> {
 protected:
  static void SetUpTestSuite() { setenv("MIMIC_VERIFY_IR", "1", 1); }
  Machine m{GetParam().big_endian, GetParam().backend};
  std::vector<uint32_t> withStop(std::vector<uint32_t> p) {
    for (uint32_t w : Machine::stopSeq()) p.push_back(w);
    return p;
  }
  // `before`, then: call fn (a function returning 1: jr ra; addiu v0, zero,
  // 1) and keep its result in s0, overwrite its delay slot to return 2,
  // call it again and keep that in s1.
  static std::vector<uint32_t> callPatchCall(uint32_t fn, std::vector<uint32_t> before) {
    for (uint32_t w : {jal(fn), kNop, addu(16, 2, 0),
                       lui(8, 0x8000), ori(8, 8, uint16_t(fn + 4)),
                       lui(9, 0x2402), ori(9, 9, 0x0002),   // addiu v0, zero, 2
                       sw(9, 8, 0),
                       jal(fn), kNop, addu(17, 2, 0)})
      before.push_back(w);
    return before;
  }
};

TEST_P(MipsCpuTest, LoopSumsAndChainsBlocks) {
  // t0 = 0; for (t1 = 1000; t1 != 0; t1--) t0 += t1;
  m.run(withStop({
      addiu(8, 0, 0),
      addiu(9, 0, 1000),
      addu(8, 8, 9),        // loop:
      addiu(9, 9, -1),
      bne(9, 0, -3),
      kNop,
  }));
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.st().gpr[8], 500500u);
  EXPECT_EQ(m.st().gpr[9], 0u);
}

TEST_P(MipsCpuTest, LoadsAndStoresInGuestByteOrder) {
  m.run(withStop({
      lui(8, 0x8010),
      lui(9, 0x1234), ori(9, 9, 0x5678),
      sw(9, 8, 0),
      I(32, 8, 10, 0),      // lb t2, 0(t0)
      I(37, 8, 11, 2),      // lhu t3, 2(t0)
      lw(12, 8, 0),
  }));
  EXPECT_EQ(m.read32(0x80100000), 0x12345678u);
  EXPECT_EQ(m.st().gpr[12], 0x12345678u);
  EXPECT_EQ(m.st().gpr[10], GetParam().big_endian ? 0x12u : 0x78u);
  EXPECT_EQ(m.st().gpr[11], GetParam().big_endian ? 0x5678u : 0x1234u);
}

TEST_P(MipsCpuTest, OverflowInDelaySlotIsPrecise) {
  // t0 = 0x7fffffff; beq zero, zero, +2; add t1, t0, t0 (overflows in the slot)
  const uint32_t branch_pc = kCodeBase + 12;
  m.run(withStop({
      lui(8, 0x7fff), ori(8, 8, 0xffff),
      addiu(9, 0, 77),
      beq(0, 0, 4),
      add(9, 8, 8),
  }));
  EXPECT_EQ(m.stopCode(), 0xe0u) << "the exception handler ran";
  EXPECT_EQ(m.st().cp0_epc, branch_pc);
  EXPECT_TRUE(m.st().cp0_cause & CA_BD);
  EXPECT_EQ((m.st().cp0_cause & CA_EXC_MASK) >> CA_EXC_SHIFT, uint32_t(EXC_OV));
  EXPECT_EQ(m.st().gpr[9], 77u) << "destination unchanged";
}

TEST_P(MipsCpuTest, UnalignedLoadReportsBadVAddr) {
  m.run(withStop({lui(8, 0x8010), addiu(8, 8, 2), addiu(10, 0, 1), lw(9, 8, 0)}));
  EXPECT_EQ(m.stopCode(), 0xe0u);
  EXPECT_EQ(m.st().cp0_epc, kCodeBase + 12);
  EXPECT_EQ(m.st().cp0_badvaddr, 0x80100002u);
  EXPECT_EQ((m.st().cp0_cause & CA_EXC_MASK) >> CA_EXC_SHIFT, uint32_t(EXC_ADEL));
  EXPECT_EQ(m.st().gpr[10], 1u) << "earlier instructions of the block completed";
}

// Kernel-mode loads from kseg0 read RAM straight through the direct window
// (tcg::Cpu::directWindow) up to its last byte; one word past RAM is a bus
// error, as through the TLB.
TEST_P(MipsCpuTest, Kseg0LoadsReachTheLastByteOfRamAndFaultPastIt) {
  m.write32(0x80fffffc, 0x11223344);
  m.run(withStop({
      lui(8, 0x8100),
      lw(9, 8, -4),           // the last word of the 16 MiB of RAM
      I(36, 8, 10, -1),       // lbu t2, -1(t0): its last byte
      I(37, 8, 11, -2),       // lhu t3, -2(t0)
      addiu(12, 0, 1),
      lw(13, 8, 0),           // just past RAM
      addiu(12, 0, 2),
  }));
  const bool be = GetParam().big_endian;
  EXPECT_EQ(m.st().gpr[9], 0x11223344u);
  EXPECT_EQ(m.st().gpr[10], be ? 0x44u : 0x11u);
  EXPECT_EQ(m.st().gpr[11], be ? 0x3344u : 0x1122u);
  EXPECT_EQ(m.stopCode(), 0xe0u) << "the exception handler ran";
  EXPECT_EQ((m.st().cp0_cause & CA_EXC_MASK) >> CA_EXC_SHIFT, uint32_t(EXC_DBE));
  EXPECT_EQ(m.st().cp0_epc, kCodeBase + 20);
  EXPECT_EQ(m.st().gpr[12], 1u) << "the load past RAM did not complete";
}

// Block lookups translate the PC through the softmmu TLB
// (tcg::codePhysAddr): after a run, the code page's entry holds its fetch
// tag and physical page, which a region's page guards compare against;
// a later lookup is served from it.
TEST_P(MipsCpuTest, BlockLookupsKeepTheCodePageInTheTlb) {
  m.run(withStop({addiu(8, 0, 7)}));
  tcg::CpuCommon& c = m.cpu().common();
  const uint64_t vpage = kCodeBase & tcg::kPageMask;
  const size_t idx = (vpage >> tcg::kPageBits) & (tcg::kTlbEntries - 1);
  int mode = -1;   // the MMU mode the code ran in
  for (unsigned k = 0; k < tcg::kMaxMmuModes && mode < 0; k++)
    if ((c.tlb_modes_filled & (1u << k)) && c.tlb[k][idx].addr_code == vpage) mode = int(k);
  ASSERT_GE(mode, 0) << "no mode's entry holds the code page";
  EXPECT_EQ(c.tlb_extra[mode][idx].paddr_page, vpage & 0x1fffffffu);   // kseg0: physical = virtual - 0x80000000
  EXPECT_EQ(tcg::codePhysAddr(&c, kCodeBase + 0x10, mode), (kCodeBase & 0x1fffffffu) + 0x10);
}

TEST_P(MipsCpuTest, BranchLikelyAnnulsDelaySlotWhenNotTaken) {
  m.run(withStop({
      addiu(8, 0, 1),
      addiu(9, 0, 0),
      beql(8, 0, 4),        // not taken: the slot is skipped
      addiu(9, 0, 99),
      addiu(10, 0, 5),
  }));
  EXPECT_EQ(m.st().gpr[9], 0u);
  EXPECT_EQ(m.st().gpr[10], 5u);
}

TEST_P(MipsCpuTest, JalAndJrReturn) {
  const uint32_t fn = kCodeBase + 0x100;
  m.place(fn, {jr(31), addiu(2, 0, 42)});
  m.run(withStop({jal(fn), kNop, addiu(3, 2, 1)}));
  EXPECT_EQ(m.st().gpr[2], 42u);
  EXPECT_EQ(m.st().gpr[3], 43u);
  EXPECT_EQ(m.st().gpr[31], kCodeBase + 8);
}

TEST_P(MipsCpuTest, SelfModifyingCodeIsRetranslated) {
  // Run a function returning 1, overwrite its body to return 2, run again.
  const uint32_t fn = kCodeBase + 0x200;
  m.place(fn, {jr(31), addiu(2, 0, 1)});
  m.run(withStop(callPatchCall(fn, {})));
  EXPECT_EQ(m.st().gpr[16], 1u);
  EXPECT_EQ(m.st().gpr[17], 2u);
}

TEST_P(MipsCpuTest, StoresBesideCodeKeepItsTranslation) {
  // A loop storing its counter into a word of its own page, after the
  // code (a program's variables after its text): the loop's blocks stay
  // (a store invalidates only where it reaches translated bytes), and the
  // stores land. Then a store into the code page's code does retranslate.
  const uint32_t var = kCodeBase + 0x800;   // same 4 KiB page as the code
  m.run(withStop({
      lui(8, 0x8000), ori(8, 8, uint16_t(var)),
      addiu(9, 0, 500),
      sw(9, 8, 0),          // loop: *var = t1
      addiu(9, 9, -1),
      bne(9, 0, -3),
      kNop,
  }));
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.read32(var), 1u);
  EXPECT_EQ(m.cpu().engine().stats().invalidations, 0u);
}

TEST_P(MipsCpuTest, StoreIntoCodeBesideDataRetranslates) {
  // Data stores to the page first (no invalidation), then a store over the
  // function's body: the new body runs.
  const uint32_t fn = kCodeBase + 0x200;
  const uint32_t var = kCodeBase + 0x800;
  m.place(fn, {jr(31), addiu(2, 0, 1)});
  m.run(withStop(callPatchCall(fn, {
      lui(10, 0x8000), ori(10, 10, uint16_t(var)),
      jal(fn), kNop,
      sw(2, 10, 0),
      sw(2, 10, 4),
  })));
  EXPECT_EQ(m.st().gpr[16], 1u);
  EXPECT_EQ(m.st().gpr[17], 2u);
  EXPECT_EQ(m.read32(var), 1u);
  EXPECT_EQ(m.read32(var + 4), 1u);
  EXPECT_GT(m.cpu().engine().stats().invalidations, 0u);
}

TEST_P(MipsCpuTest, RewrittenCodeTakesItsOldPlace) {
  // A function whose returned value is rewritten before every call (a
  // guest's own JIT, self-modifying code): each new translation goes into
  // the invalidated one's place, so the code buffer does not fill.
  const uint32_t fn = kCodeBase + 0x400;
  m.place(fn, {jr(31), addiu(2, 0, 1)});
  constexpr uint16_t kRewrites = 3000;
  m.cpu().engine().setBackend(GetParam().backend, 64 * 1024);   // 3000 fresh translations would not fit
  const uint64_t flushes = m.cpu().engine().stats().flushes;
  m.run(withStop({
      addiu(16, 0, 0),
      addiu(8, 0, int16_t(kRewrites)),
      lui(24, 0x8000), ori(24, 24, uint16_t(fn + 4)),
      jal(fn), kNop,                        // loop:
      addu(16, 16, 2),
      lui(25, 0x2402), R(25, 8, 25, 0, 0x25),   // t9 = addiu v0, zero, t0
      sw(25, 24, 0),
      addiu(8, 8, -1),
      bne(8, 0, -8),
      kNop,
  }));
  EXPECT_EQ(m.stopCode(), 5u);
  // 1, then kRewrites, kRewrites - 1, ..., 2.
  EXPECT_EQ(m.st().gpr[16], 1u + uint32_t(kRewrites) * (kRewrites + 1) / 2 - 1);
  const tcg::ExecStats& s = m.cpu().engine().stats();
  EXPECT_GE(s.invalidations, uint64_t(kRewrites));
  EXPECT_GE(s.recycled, uint64_t(kRewrites) - 10);
  EXPECT_EQ(s.flushes, flushes);
}

TEST_P(MipsCpuTest, BlockRewritingItselfRunsOnThenRetranslates) {
  // A block stores over one of its own later instructions: the running
  // translation goes on with the old one (MIPS needs a SYNCI for the new
  // one to be seen), is invalidated, and its place is reused once the loop
  // is back between blocks; the next run of the block sees the new
  // instruction. fn: v0 = 7, then rewrite "addiu v1, zero, 1" (below) to
  // "addiu v1, zero, 2", then run it.
  const uint32_t fn = kCodeBase + 0x400;
  m.place(fn, {lui(8, 0x8000), ori(8, 8, uint16_t(fn + 28)),
               lui(9, 0x2403), ori(9, 9, 2),      // addiu v1, zero, 2
               sw(9, 8, 0),
               addiu(2, 0, 7),
               kNop,
               addiu(3, 0, 1),                     // fn + 28
               jr(31), kNop});
  m.run(withStop({jal(fn), kNop, addu(16, 3, 0), jal(fn), kNop, addu(17, 3, 0)}));
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.st().gpr[2], 7u);
  EXPECT_EQ(m.st().gpr[16], 1u);   // the translation that made the store
  EXPECT_EQ(m.st().gpr[17], 2u);
  EXPECT_GT(m.cpu().engine().stats().invalidations, 0u);
  EXPECT_GT(m.cpu().engine().stats().recycled, 0u);
}

TEST_P(MipsCpuTest, DispatchThroughALoadedAddressIsTold) {
  // The hot tier takes a switch's cases into the region of the block that
  // jumps through a table (TranslationBlock::dispatches), not for a return.
  auto translated = [&](uint32_t at, std::vector<uint32_t> code) {
    m.place(at, code);
    tcg::Block b;
    m.cpu().translate(b, at, m.cpu().tbFlags());
    tcg::optimize(b);
    return b;
  };
  EXPECT_TRUE(tcg::dispatchesThroughLoad(translated(kCodeBase, {lw(2, 2, 0), jr(2), kNop})));
  EXPECT_TRUE(tcg::dispatchesThroughLoad(translated(kCodeBase + 0x100, {lw(25, 4, 8), addu(3, 3, 3), jr(25), kNop})));
  EXPECT_FALSE(tcg::dispatchesThroughLoad(translated(kCodeBase + 0x200, {lw(2, 2, 0), jr(31), kNop})));
  EXPECT_FALSE(tcg::dispatchesThroughLoad(translated(kCodeBase + 0x300, {addu(2, 2, 3), jr(2), kNop})));
}

TEST_P(MipsCpuTest, SyscallSetsCauseAndEret) {
  // Handler at 0x80000180 here: skip the syscall (EPC += 4) and eret.
  m.place(kHandler, {mfc0(26, 14), addiu(26, 26, 4), mtc0(26, 14), kEret});
  m.run(withStop({addiu(8, 0, 3), 0x0000000c /* syscall */, addiu(8, 8, 4)}));
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.st().gpr[8], 7u);
  EXPECT_EQ((m.st().cp0_cause & CA_EXC_MASK) >> CA_EXC_SHIFT, uint32_t(EXC_SYS));
}

// Regression: di/ei/mtc0 in a delay slot end the block after the branch
// (the new mode must be seen), and the branch still goes where it should.
// Linux does "beqz v0, 1f; di". The block used to end without any exit.
TEST_P(MipsCpuTest, ModeChangeInDelaySlot) {
  const uint32_t di_t0 = 0x41686000u;   // di t0
  const uint32_t ei_t1 = 0x41696020u;   // ei t1
  m.run(withStop({
      addiu(2, 0, 0),
      beq(2, 0, 3),          // taken
      di_t0,                 // slot: t0 = Status, IE cleared
      addiu(3, 0, 99),       // skipped
      bne(2, 0, 2),          // not taken
      ei_t1,                 // slot
      addiu(4, 0, 7),
  }));
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.st().gpr[3], 0u);
  EXPECT_EQ(m.st().gpr[4], 7u);
  EXPECT_EQ(m.st().gpr[8] & 1, 0u);
  EXPECT_EQ(m.st().gpr[9] & 1, 0u) << "ei returns the Status di left";
  EXPECT_EQ(m.st().cp0_status & 1, 1u);
}

// Without shadow register sets rdpgpr/wrpgpr are moves, and they see
// writes made earlier in the same block (QEMU 7.2 does not: see
// tests/difftest/KNOWN_DIVERGENCES.md).
TEST_P(MipsCpuTest, RdpgprWrpgprAreMovesWithinABlock) {
  const uint32_t rdpgpr_t8_t9 = 0x41590000u | (24u << 11);   // rdpgpr t8, t9
  const uint32_t wrpgpr_t7_t8 = 0x41d80000u | (15u << 11);   // wrpgpr t7, t8
  m.run(withStop({addiu(25, 0, 1234), rdpgpr_t8_t9, wrpgpr_t7_t8, addiu(14, 15, 1)}));
  EXPECT_EQ(m.st().gpr[24], 1234u);
  EXPECT_EQ(m.st().gpr[15], 1234u);
  EXPECT_EQ(m.st().gpr[14], 1235u);
}

INSTANTIATE_TEST_SUITE_P(
    All, MipsCpuTest,
    ::testing::Values(Params{false, tcg::BackendKind::X86_64}, Params{true, tcg::BackendKind::X86_64},
                      Params{false, tcg::BackendKind::Interpreter}, Params{true, tcg::BackendKind::Interpreter}),
    [](const auto& info) {
      return std::string(info.param.big_endian ? "be_" : "el_") +
             (info.param.backend == tcg::BackendKind::X86_64 ? "x86" : "interp");
    });

// A retired block made a spare: its code space and hot counter stay for
// the next translation put there; nothing else does, and it is not valid
// meanwhile (the sampler's queue may still name it).
TEST(TranslationBlockReuse, ResetKeepsCodeSpaceOnly) {
  tcg::TranslationBlock tb;
  uint8_t code[64];
  uint32_t counter = 7;
  tb.pc = 0x80001000;
  tb.code = code;
  tb.code_size = 40;
  tb.code_capacity = 64;
  tb.hot_counter = &counter;
  tb.samples = 3;
  tb.was_hot = true;
  tb.jmp_dest[0] = &tb;
  tb.incoming.push_back({&tb, 1});
  tb.resetForReuse();
  EXPECT_FALSE(tb.valid);
  EXPECT_EQ(tb.code, code);
  EXPECT_EQ(tb.code_capacity, 64u);
  EXPECT_EQ(tb.hot_counter, &counter);
  EXPECT_EQ(tb.pc, 0u);
  EXPECT_EQ(tb.code_size, 0u);
  EXPECT_EQ(tb.samples, 0u);
  EXPECT_FALSE(tb.was_hot);
  EXPECT_EQ(tb.jmp_dest[0], nullptr);
  EXPECT_TRUE(tb.incoming.empty());
}

// A code buffer too small for the program's blocks: the engine flushes it
// whenever it fills and translates again; results do not change.
TEST(MipsCodeBuffer, FlushesWhenFullAndKeepsRunning) {
  Machine m(false);
  m.cpu().engine().setBackend(tcg::BackendKind::X86_64, 64 * 1024);
  // 4000 small functions, each adding its index to s0, called in turn.
  constexpr uint32_t kFuncs = 4000, kBase = 0x80200000;
  for (uint32_t f = 0; f < kFuncs; f++) m.place(kBase + 16 * f, {addiu(16, 16, int16_t(f & 0x7fff)), jr(31), kNop, kNop});
  std::vector<uint32_t> prog = {addiu(16, 0, 0), lui(8, kBase >> 16), addiu(9, 0, int16_t(kFuncs)),
                                R(8, 0, 31, 0, 9) /* jalr t0 */, kNop, addiu(8, 8, 16), addiu(9, 9, -1),
                                bne(9, 0, -5), kNop};
  for (uint32_t s : Machine::stopSeq()) prog.push_back(s);
  // Run the loop twice so blocks are translated again after flushes.
  m.run(prog);
  const uint32_t once = m.st().gpr[16];
  EXPECT_EQ(once, kFuncs * (kFuncs - 1) / 2);
  EXPECT_GT(m.cpu().engine().stats().flushes, 2u);
  m.run(prog);
  EXPECT_EQ(m.st().gpr[16], once);
}

// Two return addresses in one page whose blocks hash to the same jump
// cache slot, returned to in turn: the returns' inline probes find both
// (the slot's pair holds the two), so the cache misses a few times in all,
// not twice per round (as with one block a slot, when every return looked
// its block up in the hash table, and a region's exits to two such blocks
// went through the execution loop every time).
TEST(MipsJumpCache, BlocksSharingASlotBothStay) {
  Machine m(false);
  constexpr uint32_t kRounds = 20000;
  const uint32_t loop = kCodeBase + 4, ret1 = kCodeBase + 12, fn = kCodeBase + 0x800;
  uint32_t ret2 = ret1 + 0x40;
  while (tcg::ExecEngine::jcIndex(ret2) != tcg::ExecEngine::jcIndex(ret1)) ret2 += 4;
  ASSERT_LT(ret2 + 16, fn);
  m.place(fn, {jr(31), kNop});
  // kCodeBase: s0 = kRounds; loop: call fn, returning to ret1, which
  // branches to a second call of fn returning to ret2; count down.
  m.place(kCodeBase, {addiu(16, 0, int16_t(kRounds)), jal(fn), kNop,
                      beq(0, 0, int16_t((ret2 - 8 - (ret1 + 4)) / 4)), kNop});
  std::vector<uint32_t> tail = {jal(fn), kNop,   // at ret2 - 8, returns to ret2
                                addiu(16, 16, -1), bne(16, 0, int16_t((int64_t(loop) - (ret2 + 8)) / 4)), kNop};
  for (uint32_t w : Machine::stopSeq()) tail.push_back(w);
  m.place(ret2 - 8, tail);
  m.st().pc = kCodeBase;
  m.cpu().run();
  EXPECT_EQ(m.stopCode(), 5u);
  EXPECT_EQ(m.st().gpr[16], 0u);
  EXPECT_LT(m.cpu().engine().stats().jump_cache_misses, uint64_t(kRounds / 10));
}

// Random words must never crash or assert the host: each runs as the first
// instruction of a program whose exception vector stops the machine.
// Words the decode table does not know raise Reserved Instruction.
TEST(MipsDecoderFuzz, RandomWordsAreSafeAndUndefinedRaiseRI) {
  std::mt19937 rng(12345);
  Machine m(false);
  // Wherever a random branch or jump lands, a BREAK takes it to the handler.
  for (uint32_t a = 0x80000000; a < 0x81000000; a += 4) m.write32(a, 0x0000000d);
  unsigned undefined = 0, spins = 0;
  for (int n = 0; n < 20000; n++) {
    uint32_t w = rng();
    const Mnemonic mn = decode(w);
    // Excluded because they cannot end: waiting for an interrupt that never
    // comes, a branch to itself, moving the exception vectors onto BREAKs.
    if (mn == Mnemonic::WAIT) continue;
    if (insnPattern(mn).kind == InsnKind::Branch && (w & 0xffff) == 0xffff) continue;
    if (mn == Mnemonic::MTC0 && ((w >> 11) & 31) == 15) continue;
    m.st().cp0_status = 0x20000000;   // kernel, BEV = 0, FPU on
    m.st().cp0_ebase = 0x80000000;
    m.st().cp0_cause = 0;
    m.st().cp0_epc = m.st().cp0_errorepc = m.st().cp0_depc = kHandler;   // an eret lands on the stop sequence
    m.cpu().updateHflags();
    for (int r = 1; r < 32; r++) m.st().gpr[r] = 0x80100000u;
    m.st().gpr[26] = 0xbf000000u;   // k0/k1 as the stop sequence sets them, in case a branch skips it
    m.st().gpr[27] = 0xe0;
    std::vector<uint32_t> prog = {w, kNop, kNop};
    for (uint32_t s : Machine::stopSeq()) prog.push_back(s);
    m.place(kHandler, Machine::stopSeq(0xe0));
    m.place(kCodeBase, prog);
    m.st().pc = kCodeBase;
    m.cpu().engine().flushAll();
    // A guest can legitimately spin (a random branch into the stop loop
    // past its setup); that is bounded and counted, never a host problem.
    if (!m.runFor(200)) {
      spins++;
      continue;
    }
    if (mn == Mnemonic::Invalid) {
      undefined++;
      ASSERT_EQ(m.stopCode(), 0xe0u) << std::hex << w;
      ASSERT_EQ((m.st().cp0_cause & CA_EXC_MASK) >> CA_EXC_SHIFT, uint32_t(EXC_RI)) << std::hex << w;
    }
  }
  EXPECT_GT(undefined, 1000u);
  EXPECT_LT(spins, 20u);
}

}  // namespace
}  // namespace mimic::mips::test
