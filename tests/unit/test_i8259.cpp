#include "hw/intc/i8259.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "hw/core/ioport.h"
#include "util/log.h"

using mimic::hw::I8259Pair;
using mimic::hw::IoSpace;
using mimic::hw::IrqLine;

namespace {

constexpr uint32_t kM0 = 0x20, kM1 = 0x21, kS0 = 0xa0, kS1 = 0xa1, kElcr1 = 0x4d0, kElcr2 = 0x4d1;

struct IrqProbe {
  bool level = false;
  int rises = 0, falls = 0;
  static void handler(void* opaque, int, bool level) {
    auto* p = static_cast<IrqProbe*>(opaque);
    if (level && !p->level) p->rises++;
    if (!level && p->level) p->falls++;
    p->level = level;
  }
};

class Pic : public ::testing::Test {
 protected:
  Pic() : pic(IrqLine(&IrqProbe::handler, &cpu, 2)) {
    io.add("pic1", I8259Pair::kMasterBase, I8259Pair::kChipPorts, pic.master());
    io.add("pic2", I8259Pair::kSlaveBase, I8259Pair::kChipPorts, pic.slave());
    io.add("elcr", I8259Pair::kElcrBase, I8259Pair::kElcrPorts, pic.elcr());
  }
  void out(uint32_t port, uint8_t v) { io.write(port, v, 1); }
  uint8_t in(uint32_t port) { return static_cast<uint8_t>(io.read(port, 1)); }

  // arch/mips/kernel/i8259.c init_8259A(0) with I8259A_IRQ_BASE 0, then
  // everything masked but the cascade.
  void linuxInit(bool auto_eoi = false) {
    out(kM1, 0xff);
    out(kS1, 0xff);
    out(kM0, 0x11);  // ICW1: edge, cascade, ICW4 needed
    out(kM1, 0x00);  // ICW2: vectors 0-7
    out(kM1, 0x04);  // ICW3: slave on IR2
    out(kM1, auto_eoi ? 0x03 : 0x01);  // ICW4: 8086 mode (+AEOI)
    out(kS0, 0x11);
    out(kS1, 0x08);  // vectors 8-15
    out(kS1, 0x02);  // cascade identity
    out(kS1, 0x01);
    out(kM1, 0xfb);  // cached_master_mask
    out(kS1, 0xff);  // cached_slave_mask
  }
  // Linux's mask_and_ack_8259A for an unmasked irq, leaving it unmasked.
  void linuxAck(int irq) {
    if (irq & 8) {
      in(kS1);
      out(kS1, pic.imr(1));
      out(kS0, static_cast<uint8_t>(0x60 + (irq & 7)));
      out(kM0, 0x62);
    } else {
      in(kM1);
      out(kM1, pic.imr(0));
      out(kM0, static_cast<uint8_t>(0x60 + irq));
    }
  }
  // Linux's i8259_irq(): poll the master, then the slave; -1 if spurious.
  int linuxPoll() {
    out(kM0, 0x0c);
    int irq = in(kM0) & 7;
    if (irq == 2) {
      out(kS0, 0x0c);
      irq = (in(kS0) & 7) + 8;
    }
    if (irq == 7) {
      out(kM0, 0x0b);
      if (~in(kM0) & 0x80) irq = -1;
      out(kM0, 0x0a);
    }
    return irq;
  }
  void unmask(int irq) {
    if (irq & 8) {
      out(kS1, static_cast<uint8_t>(pic.imr(1) & ~(1u << (irq & 7))));
    } else {
      out(kM1, static_cast<uint8_t>(pic.imr(0) & ~(1u << irq)));
    }
  }

  IrqProbe cpu;
  I8259Pair pic;
  IoSpace io;
};

TEST_F(Pic, ResetState) {
  for (int c = 0; c < 2; c++) {
    EXPECT_EQ(pic.irr(c), 0);
    EXPECT_EQ(pic.isr(c), 0);
    EXPECT_EQ(pic.imr(c), 0);
    EXPECT_FALSE(pic.initializing(c));
  }
  EXPECT_EQ(in(kM0), 0);  // IRR
  EXPECT_EQ(in(kM1), 0);  // IMR
  EXPECT_EQ(in(kElcr1), 0);
  EXPECT_EQ(in(kElcr2), 0);
  EXPECT_FALSE(cpu.level);
  EXPECT_FALSE(pic.intOutput());
}

TEST_F(Pic, LinuxInitSequence) {
  linuxInit();
  EXPECT_FALSE(pic.initializing(0));
  EXPECT_FALSE(pic.initializing(1));
  EXPECT_EQ(pic.vectorBase(0), 0x00);
  EXPECT_EQ(pic.vectorBase(1), 0x08);
  EXPECT_EQ(in(kM1), 0xfb);
  EXPECT_EQ(in(kS1), 0xff);
  EXPECT_FALSE(cpu.level);

  // A timer tick (IRQ 0, pulsed as QEMU devices do), seen through i8259_irq.
  unmask(0);
  pic.setIrq(0, true);
  pic.setIrq(0, false);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(linuxPoll(), 0);
  EXPECT_FALSE(cpu.level);
  EXPECT_EQ(pic.isr(0), 0x01);
  linuxAck(0);
  EXPECT_EQ(pic.isr(0), 0x00);
  EXPECT_FALSE(cpu.level);

  // The same through the acknowledge cycle (GT-64120 PCI IACK).
  pic.setIrq(0, true);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 0x00);
  EXPECT_FALSE(cpu.level);
  out(kM0, 0x20);  // non-specific EOI
  EXPECT_EQ(pic.isr(0), 0);
  pic.setIrq(0, false);

  // The in-service check of i8259A_irq_real: OCW3 0x0b reads ISR.
  out(kM0, 0x0b);
  EXPECT_EQ(in(kM0), 0x00);
  out(kM0, 0x0a);
}

TEST_F(Pic, LinuxAutoEoiInit) {
  linuxInit(true);
  unmask(3);
  pic.setIrq(3, true);
  EXPECT_EQ(pic.acknowledge(), 3);
  EXPECT_EQ(pic.isr(0), 0);  // AEOI: nothing stays in service
  EXPECT_FALSE(cpu.level);
}

TEST_F(Pic, FreeBsdAtpicInit) {
  // sys/x86/isa/atpic.c i8259_init(): master, then slave.
  out(kM0, 0x11);
  out(kM1, 0x20);
  out(kM1, 0x04);
  out(kM1, 0x01);
  out(kM1, 0xfb);
  out(kM0, 0x0a);  // OCW3: read IRR
  out(kM0, 0xc2);  // OCW2: set priority, IR2 lowest: order 3-7, 0-2
  out(kS0, 0x11);
  out(kS1, 0x28);
  out(kS1, 0x02);
  out(kS1, 0x01);
  out(kS1, 0xff);
  out(kS0, 0x0a);
  EXPECT_EQ(pic.vectorBase(0), 0x20);
  EXPECT_EQ(pic.vectorBase(1), 0x28);
  // IR3 now beats IR0.
  out(kM1, 0x00);
  pic.setIrq(0, true);
  pic.setIrq(3, true);
  EXPECT_EQ(in(kM0), 0x09);  // IRR
  EXPECT_EQ(pic.acknowledge(), 0x23);
  // IR0 waits while IR3 is in service (IR0 is lower now).
  EXPECT_FALSE(cpu.level);
  out(kM0, 0x63);  // specific EOI IR3
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 0x20);
}

TEST_F(Pic, FreeBsdMaltaPollLoop) {
  // sys/mips/malta/gt_pci.c: init with special mask mode, then polling.
  out(kM0, 0x11);
  out(kM1, 0x00);
  out(kM1, 0x04);
  out(kM1, 0x01);
  out(kM1, 0xfb);
  out(kM0, 0x68);  // OCW3: set special mask mode
  out(kM0, 0x0a);
  out(kS0, 0x11);
  out(kS1, 0x08);
  out(kS1, 0x02);
  out(kS1, 0x01);
  out(kS1, 0xbf);  // IRQ 14 unmasked
  out(kS0, 0x68);
  out(kS0, 0x0a);
  out(kElcr1, 0x00);
  out(kElcr2, 0x00);

  auto intr = [&](std::vector<int>& seen) {
    for (;;) {
      out(kM0, 0x0c);
      int irq = in(kM0);
      if (!(irq & 0x80)) return;
      irq &= 7;
      if (irq == 2) {
        out(kS0, 0x0c);
        int irq2 = in(kS0);
        irq = (irq2 & 0x80) ? (irq2 & 7) + 8 : 2;
      }
      seen.push_back(irq);
      if (irq > 7) {
        out(kS0, static_cast<uint8_t>(0x60 | (irq & 7)));
        irq = 2;
      }
      out(kM0, static_cast<uint8_t>(0x60 | irq));
    }
  };
  std::vector<int> seen;
  intr(seen);
  EXPECT_TRUE(seen.empty());
  pic.setIrq(14, true);
  pic.setIrq(14, false);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.irr(0), 0x04);  // IRQ 14 shows as IR2 on the master
  intr(seen);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], 14);
  EXPECT_FALSE(cpu.level);
  EXPECT_EQ(pic.isr(0), 0);
  EXPECT_EQ(pic.isr(1), 0);
}

TEST_F(Pic, Masking) {
  linuxInit();
  pic.setIrq(5, true);
  EXPECT_FALSE(cpu.level);  // masked
  EXPECT_EQ(in(kM0), 0x20);  // but requested
  EXPECT_EQ(pic.acknowledge(), 7);  // nothing deliverable: spurious
  EXPECT_EQ(pic.isr(0), 0);
  unmask(5);
  EXPECT_TRUE(cpu.level);
  out(kM1, 0xff);
  EXPECT_FALSE(cpu.level);
  out(kM1, 0xdb);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 5);
}

TEST_F(Pic, EdgeTriggeredLatchesUntilAcknowledged) {
  linuxInit();
  unmask(4);
  pic.setIrq(4, true);
  EXPECT_EQ(cpu.rises, 1);
  pic.setIrq(4, true);  // no new edge
  pic.setIrq(4, false);
  EXPECT_TRUE(cpu.level);  // latched
  EXPECT_EQ(pic.acknowledge(), 4);
  EXPECT_EQ(pic.irr(0), 0);
  linuxAck(4);
  EXPECT_FALSE(cpu.level);
  // A line held high does not request again.
  pic.setIrq(4, true);
  EXPECT_EQ(pic.acknowledge(), 4);
  linuxAck(4);
  EXPECT_FALSE(cpu.level);
  pic.setIrq(4, true);
  EXPECT_FALSE(cpu.level);
  pic.setIrq(4, false);
  pic.setIrq(4, true);
  EXPECT_TRUE(cpu.level);
}

TEST_F(Pic, LevelTriggeredThroughElcr) {
  linuxInit();
  out(kElcr1, 0x20);  // IRQ 5 level
  unmask(5);
  pic.setIrq(5, true);
  EXPECT_TRUE(cpu.level);
  pic.setIrq(5, false);  // the request goes away with the line
  EXPECT_FALSE(cpu.level);
  EXPECT_EQ(pic.irr(0), 0);
  pic.setIrq(5, true);
  EXPECT_EQ(pic.acknowledge(), 5);
  EXPECT_EQ(pic.irr(0), 0x20);  // still requested: the line is high
  EXPECT_FALSE(cpu.level);      // but in service
  linuxAck(5);
  EXPECT_TRUE(cpu.level);  // the device has not been serviced yet
  pic.setIrq(5, false);
  EXPECT_FALSE(cpu.level);

  // On the slave (IRQ 10) the slave's IRR follows the line; the master's IR2
  // input stays edge triggered (it cannot be level in the ELCR).
  out(kElcr2, 0x04);
  unmask(10);
  pic.setIrq(10, true);
  EXPECT_EQ(pic.acknowledge(), 10);
  EXPECT_EQ(pic.irr(1), 0x04);
  linuxAck(10);
  EXPECT_TRUE(cpu.level);  // still requested
  EXPECT_EQ(pic.acknowledge(), 10);
  pic.setIrq(10, false);  // serviced by the handler
  EXPECT_EQ(pic.irr(1), 0x00);
  linuxAck(10);
  EXPECT_FALSE(cpu.level);
}

TEST_F(Pic, LevelTriggeredThroughLtim) {
  out(kM0, 0x19);  // ICW1 with LTIM
  out(kM1, 0x00);
  out(kM1, 0x04);
  out(kM1, 0x01);
  out(kM1, 0x00);
  pic.setIrq(1, true);  // IRQ 1 cannot be level in the ELCR, but LTIM applies to all
  EXPECT_TRUE(cpu.level);
  pic.setIrq(1, false);
  EXPECT_FALSE(cpu.level);
  EXPECT_EQ(pic.irr(0), 0);
}

TEST_F(Pic, NonSpecificAndSpecificEoi) {
  linuxInit();
  out(kM1, 0x00);
  pic.setIrq(3, true);
  EXPECT_EQ(pic.acknowledge(), 3);
  pic.setIrq(1, true);  // higher priority nests
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 1);
  pic.setIrq(5, true);  // lower priority waits
  EXPECT_FALSE(cpu.level);
  EXPECT_EQ(pic.isr(0), 0x0a);
  out(kM0, 0x20);  // non-specific EOI: the highest in service (IR1)
  EXPECT_EQ(pic.isr(0), 0x08);
  EXPECT_FALSE(cpu.level);
  out(kM0, 0x63);  // specific EOI IR3
  EXPECT_EQ(pic.isr(0), 0x00);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 5);
  out(kM0, 0x62);  // specific EOI of a level not in service: harmless
  EXPECT_EQ(pic.isr(0), 0x20);
  out(kM0, 0x40);  // OCW2 no-op
  EXPECT_EQ(pic.isr(0), 0x20);
  out(kM0, 0x20);
  out(kM0, 0x20);  // nothing in service: harmless
  EXPECT_EQ(pic.isr(0), 0x00);
}

TEST_F(Pic, CascadeThroughTheSlave) {
  linuxInit();
  unmask(12);
  pic.setIrq(12, true);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.irr(1), 0x10);
  EXPECT_EQ(pic.irr(0), 0x04);  // shows as IR2 on the master
  EXPECT_EQ(pic.acknowledge(), 12);
  EXPECT_EQ(pic.isr(1), 0x10);
  EXPECT_EQ(pic.isr(0), 0x04);
  EXPECT_FALSE(cpu.level);
  // A second slave request of lower priority waits for the slave's EOI.
  unmask(13);
  pic.setIrq(13, true);
  EXPECT_FALSE(cpu.level);
  linuxAck(12);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 13);
  linuxAck(13);
  EXPECT_FALSE(cpu.level);
  // Slave requests rank at IR2's place among the master's.
  unmask(1);
  unmask(3);
  pic.setIrq(3, true);
  pic.setIrq(9, false);
  unmask(9);
  pic.setIrq(9, true);
  pic.setIrq(1, true);
  EXPECT_EQ(pic.acknowledge(), 1);
  linuxAck(1);
  EXPECT_EQ(pic.acknowledge(), 9);
  linuxAck(9);
  EXPECT_EQ(pic.acknowledge(), 3);
  linuxAck(3);
  EXPECT_FALSE(cpu.level);
}

TEST_F(Pic, SpecialFullyNestedMode) {
  linuxInit();
  out(kM0, 0x11);
  out(kM1, 0x00);
  out(kM1, 0x04);
  out(kM1, 0x11);  // ICW4: SFNM, 8086
  out(kM1, 0x00);
  out(kS1, 0x00);
  pic.setIrq(10, true);
  EXPECT_EQ(pic.acknowledge(), 10);
  pic.setIrq(8, true);  // higher priority on the slave while IR2 is in service
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 8);
  // Without SFNM the master holds it off.
  I8259Pair plain;
  plain.slave()->write(0, 0x11, 1);
  plain.slave()->write(1, 0x08, 1);
  plain.slave()->write(1, 0x02, 1);
  plain.slave()->write(1, 0x01, 1);
  plain.setIrq(10, true);
  EXPECT_EQ(plain.acknowledge(), 10);
  plain.setIrq(8, true);
  EXPECT_FALSE(plain.intOutput());
}

TEST_F(Pic, PollCommand) {
  linuxInit();
  out(kM0, 0x0c);
  EXPECT_EQ(in(kM0), 0x00);  // nothing pending
  EXPECT_EQ(in(kM0), 0x00);  // and the poll is over: IRR again
  out(kM1, 0x00);
  out(kS1, 0x00);
  pic.setIrq(6, true);
  pic.setIrq(4, true);
  out(kM0, 0x0c);
  EXPECT_EQ(in(kM1), 0x84);  // the next read of either port
  EXPECT_EQ(pic.isr(0), 0x10);
  EXPECT_EQ(pic.irr(0), 0x40);
  out(kM0, 0x20);
  out(kM0, 0x0e);  // poll with a read-register command: poll wins
  EXPECT_EQ(in(kM0), 0x86);
  out(kM0, 0x20);
  EXPECT_EQ(in(kM1), 0x00);  // IMR once the poll is done
  // Through the cascade.
  pic.setIrq(15, true);
  out(kM0, 0x0c);
  EXPECT_EQ(in(kM0), 0x82);
  out(kS0, 0x0c);
  EXPECT_EQ(in(kS0), 0x87);
  EXPECT_EQ(pic.isr(1), 0x80);
  out(kS0, 0x0c);
  EXPECT_EQ(in(kS0), 0x00);  // nothing left on the slave
}

TEST_F(Pic, SpecialMaskMode) {
  linuxInit();
  out(kM1, 0x00);
  pic.setIrq(3, true);
  EXPECT_EQ(pic.acknowledge(), 3);
  pic.setIrq(5, true);
  EXPECT_FALSE(cpu.level);  // IR3 in service holds off IR5
  out(kM1, 0x08);           // mask IR3
  EXPECT_FALSE(cpu.level);  // not enough without special mask mode
  out(kM0, 0x68);           // set SMM
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 5);
  EXPECT_EQ(pic.isr(0), 0x28);
  out(kM0, 0x65);
  out(kM0, 0x48);  // reset SMM
  pic.setIrq(5, false);
  pic.setIrq(5, true);
  EXPECT_FALSE(cpu.level);
  out(kM0, 0x08);  // OCW3 without ESMM leaves the mode alone
  EXPECT_FALSE(cpu.level);
  out(kM0, 0x63);
  EXPECT_TRUE(cpu.level);
}

TEST_F(Pic, AutoEoiWithRotation) {
  linuxInit(true);
  out(kM1, 0x00);
  out(kM0, 0x80);  // rotate in AEOI mode: set
  pic.setIrq(0, true);
  pic.setIrq(1, true);
  EXPECT_EQ(pic.acknowledge(), 0);
  EXPECT_EQ(pic.isr(0), 0);
  pic.setIrq(0, false);
  pic.setIrq(0, true);  // IR0 again, but it is now the lowest
  EXPECT_EQ(pic.acknowledge(), 1);
  EXPECT_EQ(pic.acknowledge(), 0);
  out(kM0, 0x00);  // rotate in AEOI mode: clear
  out(kM0, 0xc7);  // back to IR0 highest
  pic.setIrq(0, false);
  pic.setIrq(1, false);
  pic.setIrq(1, true);
  pic.setIrq(0, true);
  EXPECT_EQ(pic.acknowledge(), 0);
  pic.setIrq(0, false);
  pic.setIrq(0, true);
  EXPECT_EQ(pic.acknowledge(), 0);  // no rotation any more
  EXPECT_EQ(pic.acknowledge(), 1);
  EXPECT_FALSE(cpu.level);
}

TEST_F(Pic, PriorityRotation) {
  linuxInit();
  out(kM1, 0x00);
  // Rotate on non-specific EOI: the serviced level becomes the lowest.
  pic.setIrq(0, true);
  pic.setIrq(4, true);
  EXPECT_EQ(pic.acknowledge(), 0);
  out(kM0, 0xa0);
  pic.setIrq(0, false);
  pic.setIrq(0, true);
  EXPECT_EQ(pic.acknowledge(), 4);  // IR0 is lowest, IR1 highest now
  out(kM0, 0xa0);
  EXPECT_EQ(pic.acknowledge(), 0);  // IR5 highest now; IR0 still ranks above nothing else
  // IR5 being highest: IR0 in service does not hold off IR6.
  pic.setIrq(6, true);
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 6);
  out(kM0, 0x20);  // non-specific EOI ends the highest in service: IR6
  EXPECT_EQ(pic.isr(0), 0x01);
  // Rotate on specific EOI: IR0 ends and becomes the lowest.
  out(kM0, 0xe0);
  EXPECT_EQ(pic.isr(0), 0x00);
  pic.setIrq(0, false);
  pic.setIrq(0, true);
  pic.setIrq(7, true);
  EXPECT_EQ(pic.acknowledge(), 7);
  out(kM0, 0x20);
  // Set priority: IR3 lowest, so IR4 highest.
  out(kM0, 0xc3);
  pic.setIrq(3, false);
  pic.setIrq(3, true);
  pic.setIrq(4, false);
  pic.setIrq(4, true);
  EXPECT_EQ(pic.acknowledge(), 4);
  out(kM0, 0x20);
  EXPECT_EQ(pic.acknowledge(), 0);
  out(kM0, 0x20);
  EXPECT_EQ(pic.acknowledge(), 3);
  out(kM0, 0x20);
  EXPECT_FALSE(cpu.level);
}

TEST_F(Pic, SpuriousIrq7And15) {
  linuxInit();
  out(kElcr1, 0x20);  // IRQ 5 level
  unmask(5);
  pic.setIrq(5, true);
  EXPECT_TRUE(cpu.level);
  pic.setIrq(5, false);  // vanishes before the acknowledge
  EXPECT_EQ(pic.acknowledge(), 7);
  EXPECT_EQ(pic.isr(0), 0);  // a spurious IR7 sets no ISR bit
  out(kM0, 0x0c);
  EXPECT_EQ(in(kM0), 0x00);  // a poll finds nothing either
  // Linux's spurious check: IR7 not in service.
  out(kM0, 0x0b);
  EXPECT_EQ(in(kM0) & 0x80, 0);
  out(kM0, 0x0a);

  // On the slave: the master latched IR2, the slave's request went away.
  out(kElcr2, 0x02);  // IRQ 9 level
  unmask(9);
  pic.setIrq(9, true);
  pic.setIrq(9, false);
  EXPECT_TRUE(cpu.level);  // the master's IR2 edge is latched
  EXPECT_EQ(pic.acknowledge(), 15);
  EXPECT_EQ(pic.isr(1), 0);
  EXPECT_EQ(pic.isr(0), 0x04);  // the master did acknowledge IR2
  out(kM0, 0x62);
  EXPECT_FALSE(cpu.level);

  // A request masked between INT and INTA.
  unmask(6);
  pic.setIrq(6, true);
  out(kM1, 0xff);
  EXPECT_EQ(pic.acknowledge(), 7);
}

TEST_F(Pic, Elcr) {
  out(kElcr1, 0xff);
  out(kElcr2, 0xff);
  EXPECT_EQ(in(kElcr1), 0xf8);  // IRQ 0, 1, 2 are edge only
  EXPECT_EQ(in(kElcr2), 0xde);  // IRQ 8, 13 are edge only
  EXPECT_EQ(io.read(kElcr1, 2), 0xdef8u);
  io.write(kElcr1, 0x0820, 2);
  EXPECT_EQ(pic.elcrValue(0), 0x20);
  EXPECT_EQ(pic.elcrValue(1), 0x08);
  // ICW1 does not change the ELCR; reset does.
  linuxInit();
  EXPECT_EQ(pic.elcrValue(0), 0x20);
  pic.reset();
  EXPECT_EQ(pic.elcrValue(0), 0x00);
  // A line made level while high requests at once.
  linuxInit();
  unmask(11);
  pic.setIrq(11, true);
  EXPECT_EQ(pic.acknowledge(), 11);
  linuxAck(11);
  EXPECT_FALSE(cpu.level);
  out(kElcr2, 0x08);
  EXPECT_TRUE(cpu.level);
}

TEST_F(Pic, IntOutputToggles) {
  linuxInit();
  EXPECT_EQ(cpu.rises, 0);
  unmask(1);
  pic.setIrq(1, true);
  EXPECT_EQ(cpu.rises, 1);
  pic.setIrq(1, false);
  EXPECT_EQ(cpu.falls, 0);
  EXPECT_EQ(pic.acknowledge(), 1);
  EXPECT_EQ(cpu.falls, 1);
  pic.setIrq(1, true);
  EXPECT_EQ(cpu.rises, 1);  // in service
  out(kM0, 0x20);
  EXPECT_EQ(cpu.rises, 2);
  out(kM1, 0xff);
  EXPECT_EQ(cpu.falls, 2);
  out(kM1, 0x00);
  EXPECT_EQ(cpu.rises, 3);
  out(kM0, 0x11);  // re-initialization drops everything
  EXPECT_EQ(cpu.falls, 3);
  EXPECT_FALSE(pic.intOutput());
  // setOutput drives a newly connected line to the current level.
  IrqProbe other;
  pic.setOutput(IrqLine(&IrqProbe::handler, &other, 0));
  EXPECT_FALSE(other.level);
}

TEST_F(Pic, InitializationResetsAndSequences) {
  linuxInit();
  unmask(3);
  pic.setIrq(3, true);
  EXPECT_EQ(pic.acknowledge(), 3);
  pic.setIrq(4, true);
  out(kM0, 0x13);  // ICW1: single, ICW4 needed
  EXPECT_TRUE(pic.initializing(0));
  EXPECT_EQ(pic.isr(0), 0);
  EXPECT_EQ(pic.irr(0), 0);   // edge detectors reset
  EXPECT_EQ(pic.imr(0), 0);   // IMR cleared
  out(kM1, 0x48);             // ICW2, no ICW3 in single mode
  EXPECT_TRUE(pic.initializing(0));
  out(kM1, 0x01);  // ICW4
  EXPECT_FALSE(pic.initializing(0));
  EXPECT_EQ(pic.vectorBase(0), 0x48);
  out(kM1, 0x00);
  EXPECT_EQ(in(kM1), 0x00);
  // Single mode: IR2 is the master's own request, no cascade.
  pic.setIrq(9, true);
  pic.setIrq(9, false);
  out(kS0, 0x11);
  out(kS1, 0x08);
  out(kS1, 0x02);
  out(kS1, 0x01);
  out(kS1, 0x00);
  pic.setIrq(9, true);
  EXPECT_EQ(pic.acknowledge(), 0x4a);
  // No ICW4: ICW1 then ICW2 (single) is the whole sequence.
  out(kM0, 0x12);
  out(kM1, 0x30);
  EXPECT_FALSE(pic.initializing(0));
  out(kM1, 0x55);  // IMR now
  EXPECT_EQ(pic.imr(0), 0x55);
  // Cascade without ICW4: ICW1, ICW2, ICW3.
  out(kM0, 0x10);
  out(kM1, 0x00);
  EXPECT_TRUE(pic.initializing(0));
  out(kM1, 0x04);
  EXPECT_FALSE(pic.initializing(0));
}

TEST_F(Pic, WideAndStrayAccesses) {
  linuxInit();
  out(kM0, 0x0a);
  // A 2-byte read of the master's window: IRR, then IMR.
  EXPECT_EQ(pic.master()->read(0, 2), 0xfb00u);
  EXPECT_EQ(pic.master()->read(2, 1), 0xffu);  // outside the window
  EXPECT_EQ(pic.master()->read(1, 4), 0xffffffu << 8 | 0xfbu);
  pic.master()->write(5, 0x11, 1);  // ignored
  EXPECT_FALSE(pic.initializing(0));
  pic.master()->write(0, 0x0040, 2);  // OCW2 no-op, then IMR 0x00
  EXPECT_EQ(pic.imr(0), 0x00);
  EXPECT_EQ(pic.master()->read(0, 0), 0u);
  EXPECT_EQ(pic.elcr()->read(~0ull, 8), ~0ull);
  pic.elcr()->write(~0ull, 0xffff, 2);  // does not wrap around to offset 0
  EXPECT_EQ(pic.elcrValue(0), 0);
  pic.master()->read(0, 16);
  pic.setIrq(2, true);  // the cascade input is not a device line
  pic.setIrq(-1, true);
  pic.setIrq(16, true);
  EXPECT_FALSE(cpu.level);
  EXPECT_THROW(pic.irqLine(2), std::out_of_range);
  EXPECT_THROW(pic.irqLine(16), std::out_of_range);
  IrqLine l = pic.irqLine(14);
  out(kS1, 0x00);
  l.raise();
  EXPECT_TRUE(cpu.level);
  EXPECT_EQ(pic.acknowledge(), 14);
}

TEST(PicFuzz, RandomRegisterWritesNeverCrash) {
  uint32_t saved = mimic::log::g_mask;
  mimic::log::g_mask = 0;  // keep the output quiet
  IrqProbe cpu;
  I8259Pair pic(IrqLine(&IrqProbe::handler, &cpu, 2));
  IoSpace io;
  io.add("pic1", 0x20, 2, pic.master());
  io.add("pic2", 0xa0, 2, pic.slave());
  io.add("elcr", 0x4d0, 2, pic.elcr());
  std::mt19937 rng(8259);
  const uint32_t ports[] = {kM0, kM1, kS0, kS1, kElcr1, kElcr2};
  const unsigned sizes[] = {1, 1, 1, 1, 2, 4};
  for (int i = 0; i < 100000; i++) {
    uint32_t port = ports[rng() % 6];
    unsigned size = sizes[rng() % 6];
    uint32_t v = rng();
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2:
        io.write(port, v, size);
        break;
      case 3:
        io.read(port, size);
        break;
      case 4:
        pic.setIrq(static_cast<int>(v % 17) - 1, (v >> 8) & 1);
        break;
      case 5: {
        uint8_t vec = pic.acknowledge();
        (void)vec;
        break;
      }
      case 6:
        pic.master()->read(v % 4, sizes[(v >> 4) % 6]);
        break;
      default:
        pic.slave()->write((v >> 3) % 3, v >> 8, 1);
        break;
    }
    ASSERT_EQ(cpu.level, pic.intOutput());
    ASSERT_EQ(pic.elcrValue(0) & 0x07, 0);
    ASSERT_EQ(pic.elcrValue(1) & 0x21, 0);
  }
  mimic::log::g_mask = saved;
}

}  // namespace
