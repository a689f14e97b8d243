// The IDE controller of the Intel 82371AB PIIX4: PCI function 1 of the
// PIIX4 (devfn 0x51 on Malta), two ATA channels in compatibility mode plus
// the bus-master IDE engine.
//
// PCI: vendor 8086h, device 7111h, revision 00h (as QEMU), class 010180h (IDE,
// bus-master capable, both channels fixed in compatibility mode, so no
// INTx pin). BAR4 (offset 20h) is the 16-byte bus-master register block
// in I/O space; BARs 0-3 are not implemented (compatibility mode). The
// command register decodes I/O (bit 0) and bus mastering (bit 2) only.
//
// Compatibility mode: the primary channel answers at ISA ports 1F0h-1F7h
// (command block; 1F0h is the 16/32-bit data port) and 3F6h (alternate
// status / device control) and interrupts on ISA IRQ 14; the secondary at
// 170h-177h, 376h and IRQ 15. A channel's ports decode while its IDETIM
// register (config 40h primary, 42h secondary) has bit 15 (IDE decode
// enable) set; the power-on value here is 8000h for both, decode enabled
// as boot firmware leaves it (the real part resets to 0).
//
// Device-specific configuration registers (writable bits as on the PIIX4,
// otherwise only stored): 40h/42h IDETIM, 44h SIDETIM, 48h UDMACTL (bits
// 3:0), 4Ah UDMATIM (bits 1:0, 5:4, 9:8, 13:12).
//
// Bus master (per channel at BAR4 + 0 primary, + 8 secondary):
//   +0 BMIC   bit 0 start/stop, bit 3 direction (1 = into memory)
//   +2 BMIS   bit 0 active (RO), bit 1 error and bit 2 interrupt (write 1
//             to clear), bits 5/6 drive 0/1 DMA capable (R/W), bit 7
//             simplex (0)
//   +4 BMIDTP physical address of the PRD table (dword aligned)
// PRD entries are 8 little-endian bytes: a physical address (bit 0
// ignored), then a byte count in bits 15:1 (0 = 64 KiB) with end-of-table
// in bit 31. Setting start (0 to 1) restarts the table walk and sets
// active; the data phase of a DMA command then runs at once (on the BMIC
// write, or on the command write if start was already set). Active clears
// when the last entry (EOT) is used up, when the table ends before the
// transfer (no interrupt then, as on real hardware and QEMU), on a bus
// error (which also sets the error bit and aborts the command) and when
// start is cleared; a table longer than the transfer leaves it set. The
// interrupt bit sets on each rising edge of the channel's INTRQ, whatever
// the command.
//
// Drives: attach() before the guest runs. Each disk is flushed on FLUSH
// CACHE and when the controller is destroyed.
//
// Threads: CPU thread only.
#pragma once

#include <cstdint>
#include <memory>

#include "hw/block/block_backend.h"
#include "hw/core/ioport.h"
#include "hw/core/memory.h"
#include "hw/ide/ata_disk.h"
#include "hw/pci/pci_device.h"

namespace mimic::hw::ide {

class Piix4Ide : public pci::PciDevice {
 public:
  static constexpr int kDevfn = 0x51;    // slot 10, function 1
  static constexpr uint16_t kVendorId = 0x8086;
  static constexpr uint16_t kDeviceId = 0x7111;
  // Drive indexes: 0 primary master, 1 primary slave, 2 secondary master,
  // 3 secondary slave (QEMU's -drive index=).
  static constexpr int kMaxDrives = 4;

  // Configuration registers.
  static constexpr unsigned kCfgIdetim = 0x40;    // + 2 * channel
  static constexpr unsigned kCfgSidetim = 0x44;
  static constexpr unsigned kCfgUdmactl = 0x48;
  static constexpr unsigned kCfgUdmatim = 0x4a;
  static constexpr uint16_t kIdetimDecode = 0x8000;

  // Legacy ports of channel 0 (primary) and 1 (secondary).
  static constexpr uint32_t kCommandBase[2] = {0x1f0, 0x170};
  static constexpr uint32_t kControlPort[2] = {0x3f6, 0x376};
  static constexpr int kIsaIrq[2] = {14, 15};

  // Bus-master register bits.
  enum : uint8_t { kBmicStart = 0x01, kBmicToMemory = 0x08 };
  enum : uint8_t {
    kBmisActive = 0x01, kBmisError = 0x02, kBmisInterrupt = 0x04, kBmisDrive0Dma = 0x20, kBmisDrive1Dma = 0x40,
  };

  // `primary_irq` and `secondary_irq` are ISA IRQ 14 and 15 of the board's
  // interrupt controller.
  Piix4Ide(IrqLine primary_irq, IrqLine secondary_irq);
  // Flushes the disks (their images are closed with them).
  ~Piix4Ide() override;

  // Attaches a hard disk on `image` at `index` (0..3, see above). A bad or
  // taken index is a wiring error (std::logic_error).
  void attach(int index, std::unique_ptr<block::BlockBackend> image);
  AtaDisk* disk(int index) const;
  AtaChannel& channel(int i) { return channels_[i]; }

  // Registers the channels' legacy ports in the ISA I/O space (the PIIX4's
  // own; on Malta the PCI I/O space). Call once while building the board;
  // the ports then follow the IDETIM decode bits. The space must outlive
  // guest accesses to the ports (the controller does not unregister them
  // when destroyed).
  void mapLegacyPorts(IoSpace& isa);
  bool legacyDecoded(int channel) const { return legacy_mapped_[channel]; }

  // Flushes every disk; false if any flush failed.
  bool flush();

  // Power-on reset: configuration space, bus masters and both channels.
  void reset() override;

  uint8_t busMasterCommand(int ch) const { return bm_[ch].cmd; }
  uint8_t busMasterStatus(int ch) const { return bm_[ch].status; }
  uint32_t busMasterPrdTable(int ch) const { return bm_[ch].prd; }

 protected:
  void configWritten(unsigned offset, unsigned size) override;

 private:
  // One channel's bus-master engine: its registers and the PRD table walk.
  class BusMaster : public DmaPort {
   public:
    explicit BusMaster(Piix4Ide& ide) : ide_(ide) {}
    size_t dmaTransfer(uint8_t* buf, size_t len, bool to_memory) override;
    bool dmaBusError() const override { return bus_error_; }
    void restart();
    void clear();

    uint8_t cmd = 0;
    uint8_t status = 0;
    uint32_t prd = 0;
    // Table walk.
    uint32_t next_entry = 0;   // address of the next PRD entry
    uint32_t addr = 0;         // where the current entry continues
    uint32_t left = 0;         // bytes left in the current entry
    bool eot = false;          // the current entry is the last
    unsigned entries = 0;      // entries fetched since start
    bool bus_error_ = false;
    bool list_end = false;     // the table ended before the transfer did

   private:
    Piix4Ide& ide_;
  };
  // BAR4: both channels' bus-master registers.
  class BusMasterRegs : public MmioHandler {
   public:
    explicit BusMasterRegs(Piix4Ide& ide) : ide_(ide) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    Piix4Ide& ide_;
  };

  uint8_t readBusMasterByte(unsigned offset) const;
  // Returns the channel whose start bit went from 0 to 1, or -1.
  int writeBusMasterByte(unsigned offset, uint8_t v);
  void runDma(int ch);
  void channelIrq(int ch, bool level);
  void updateLegacyDecode();

  IrqLine irq_[2];
  bool irq_level_[2] = {false, false};
  AtaChannel channels_[2];
  BusMaster bm_[2]{BusMaster(*this), BusMaster(*this)};
  BusMasterRegs bm_regs_{*this};
  IoSpace* isa_ = nullptr;
  bool legacy_mapped_[2] = {false, false};
};

}  // namespace mimic::hw::ide
