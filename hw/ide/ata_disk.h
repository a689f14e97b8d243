// ATA hard disks on a parallel IDE channel.
//
// AtaDisk is one drive: its task-file registers, the command state machine
// (PIO data-in/data-out blocks, DMA requests, non-data commands) and the
// IDENTIFY DEVICE data, over a BlockBackend. AtaChannel is the cable: a
// master and a slave that both latch every task-file and device-control
// write, the device-select bit deciding which one answers reads, takes
// commands and drives INTRQ and DMARQ. A controller (the PIIX4) maps the
// channel's command block (8 ports, data port 16/32-bit) and control block
// (alternate status / device control) and runs DMA through a DmaPort.
//
// Behaviour follows ATA/ATAPI-6 as Linux's libata and FreeBSD's ata(4)
// expect it, and QEMU's IDE disk where the standard leaves room:
//  - Commands complete synchronously: a PIO block is ready (DRQ, INTRQ) as
//    soon as the command register is written; a DMA command waits (DRQ set)
//    until the bus master is started, then moves all its data at once.
//  - Every command-block write reaches both devices; reads come from the
//    selected one. When device 1 is absent device 0 answers for it with
//    status and error 0 and the other registers as written (what libata's
//    and FreeBSD's probes expect); when no device is on the cable every
//    register reads 0x7f (the floating bus with DD7 pulled down), data
//    reads all ones.
//  - INTRQ is the selected device's pending interrupt gated by nIEN; reading
//    the status register or writing a command clears it, the alternate
//    status does not.
//  - SRST in device control: while set both devices report BSY; when it
//    clears they complete the reset with the ATA signature (sector count
//    and LBA low 1, LBA mid/high 0), error 01h (diagnostics passed), status
//    DRDY|DSC, device 0 selected, no interrupt. Multiple count and write
//    cache setting are kept (software settings preservation).
//  - IDENTIFY DEVICE: model "MIMIC HARDDISK", LBA28 and LBA48 capacity,
//    PIO 0-4, multiword DMA 0-2 and UDMA 0-5 supported with the mode
//    selected by SET FEATURES reported in words 62/63/88 as QEMU does
//    (UDMA 5 selected from power-on), write cache and FLUSH CACHE (EXT).
//  - Errors: unknown commands, addresses past the end (or bad CHS), a write
//    to a read-only image and bad SET FEATURES/SET MULTIPLE arguments abort
//    (ERR, error ABRT); a failed host read reports UNC.
//
// Threads: CPU thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/block/block_backend.h"
#include "hw/core/memory.h"

namespace mimic::hw::ide {

// Status register.
enum : uint8_t {
  kStatusErr = 0x01, kStatusDrq = 0x08, kStatusDsc = 0x10, kStatusDf = 0x20, kStatusDrdy = 0x40,
  kStatusBsy = 0x80,
};
// Error register.
enum : uint8_t { kErrorAbrt = 0x04, kErrorIdnf = 0x10, kErrorUnc = 0x40 };
// Device control register.
enum : uint8_t { kCtlNien = 0x02, kCtlSrst = 0x04, kCtlHob = 0x80 };
// Device/head register.
enum : uint8_t { kDevLba = 0x40, kDevSelect = 0x10 };

// The bus-master side of a DMA data phase, implemented by the controller.
class DmaPort {
 public:
  virtual ~DmaPort() = default;
  // Moves `len` bytes between `buf` and guest memory along the controller's
  // scatter/gather list, into memory when `to_memory`. Returns the bytes
  // moved: fewer than `len` when the list ended or the bus failed (the
  // controller records which).
  virtual size_t dmaTransfer(uint8_t* buf, size_t len, bool to_memory) = 0;
  // True when the last short transfer was a bus error (the device then
  // aborts the command) rather than the end of the list (the device stops
  // without an interrupt, as on real hardware and QEMU).
  virtual bool dmaBusError() const = 0;
};

// The task-file registers as one device latched them. Writes to features,
// sector count and LBA registers push the previous value into the "HOB"
// copy used by 48-bit commands.
struct TaskFile {
  uint8_t feature = 0, nsect = 0, lbal = 0, lbam = 0, lbah = 0;
  uint8_t hob_feature = 0, hob_nsect = 0, hob_lbal = 0, hob_lbam = 0, hob_lbah = 0;
  uint8_t device = 0;
  uint8_t status = 0;
  uint8_t error = 0;

  void write(unsigned reg, uint8_t v);          // reg 1..6 of the command block
  uint8_t read(unsigned reg, bool hob) const;   // reg 1..6 (1 = error, or the HOB features)
  void setSignature();                          // ATA device signature after reset/diagnostics
};

class AtaChannel;

class AtaDisk {
 public:
  static constexpr unsigned kSectorSize = 512;
  static constexpr unsigned kMaxMultiple = 16;        // sectors per DRQ block in READ/WRITE MULTIPLE
  static constexpr unsigned kDmaChunkSectors = 256;   // host I/O granularity for DMA
  static constexpr const char* kModel = "MIMIC HARDDISK";
  static constexpr const char* kFirmware = "1.0";

  // `serial` (up to 20 characters) appears in IDENTIFY DEVICE.
  AtaDisk(std::unique_ptr<block::BlockBackend> backend, std::string serial);
  // Flushes the image.
  ~AtaDisk();
  AtaDisk(const AtaDisk&) = delete;
  AtaDisk& operator=(const AtaDisk&) = delete;

  uint64_t sectors() const { return sectors_; }
  block::BlockBackend& backend() { return *backend_; }
  bool writeCacheEnabled() const { return write_cache_; }
  unsigned multipleCount() const { return multiple_; }
  const TaskFile& taskFile() const { return tf_; }
  bool intrq() const { return intrq_; }
  bool dmaPending() const { return dma_pending_; }
  bool dmaToMemory() const { return dma_to_memory_; }

  // The 256 words IDENTIFY DEVICE returns now.
  void identify(uint16_t words[256]) const;

  bool flush();

 private:
  friend class AtaChannel;
  enum class Pio { kNone, kIdentify, kRead, kWrite };

  void hardReset();                 // power-on: settings to defaults
  void softResetAssert();
  void softResetComplete();
  void diagnose();                  // EXECUTE DEVICE DIAGNOSTIC
  void execute(uint8_t cmd);
  uint16_t readData();
  void writeData(uint16_t v);
  void runDma(DmaPort& port);

  void setIntrq(bool level);
  void complete();                  // DRDY|DSC, interrupt
  void abort(const char* why);      // DRDY|ERR, ABRT, interrupt
  // An I/O error: `error` in the error register, the task file pointing
  // at `lba` (left alone when ~0).
  void failIo(uint8_t error, uint64_t lba);
  void endTransfer();
  bool decodeAddress(bool lba48, uint64_t& lba, uint32_t& count);
  void setPosition(uint64_t lba, bool lba48);
  void startRead(bool lba48, unsigned block);
  void startWrite(bool lba48, unsigned block);
  void startDma(bool lba48, bool to_memory);
  void loadReadBlock();
  void prepareWriteBlock();
  void blockDone();
  void setFeatures();
  bool finishWrites();

  std::unique_ptr<block::BlockBackend> backend_;
  std::string serial_;
  uint64_t sectors_;
  AtaChannel* channel_ = nullptr;
  TaskFile tf_;
  bool intrq_ = false;

  // Settings.
  unsigned multiple_ = kMaxMultiple;
  bool write_cache_ = true;
  uint8_t xfer_mode_ = 0x45;        // SET FEATURES 03h value: UDMA 5, as QEMU reports at power-on
  unsigned cyls_, heads_, spt_;     // default CHS translation
  unsigned cur_heads_, cur_spt_;    // after INITIALIZE DEVICE PARAMETERS

  // The command in progress.
  Pio pio_ = Pio::kNone;
  std::vector<uint8_t> buf_;
  size_t pos_ = 0, end_ = 0;
  uint64_t xfer_lba_ = 0;
  uint32_t xfer_left_ = 0;          // sectors not yet transferred, the current block included
  unsigned xfer_block_ = 1;         // sectors per DRQ block
  unsigned xfer_cur_ = 0;           // sectors in the current block
  bool xfer_lba48_ = false;
  uint8_t last_cmd_ = 0;            // for log messages
  bool dma_pending_ = false;
  bool dma_to_memory_ = false;
};

class AtaChannel {
 public:
  explicit AtaChannel(std::string name);
  ~AtaChannel();
  AtaChannel(const AtaChannel&) = delete;
  AtaChannel& operator=(const AtaChannel&) = delete;

  const std::string& name() const { return name_; }
  // Puts `disk` on the cable as device `unit` (0 master, 1 slave); a taken
  // unit is a wiring error (std::logic_error).
  void attach(int unit, std::unique_ptr<AtaDisk> disk);
  AtaDisk* disk(int unit) const { return unit == 0 || unit == 1 ? units_[unit].disk.get() : nullptr; }
  bool empty() const { return !units_[0].disk && !units_[1].disk; }

  // INTRQ changes (level), and "the selected device asserted DMARQ" (a DMA
  // command is waiting for the bus master).
  void setIrqHandler(std::function<void(bool)> f) { irq_handler_ = std::move(f); }
  void setDmaRequestHandler(std::function<void()> f) { dma_handler_ = std::move(f); }

  // Hardware reset (RESET-): both devices to their power-on state.
  void reset();

  // Command block, `reg` 0..7. Register 0 (data) takes 1-, 2- and 4-byte
  // accesses (a byte access still moves a 16-bit word; 4 bytes move two
  // words, the first in the low half); the others are 8-bit.
  uint32_t readCommand(unsigned reg, unsigned size);
  void writeCommand(unsigned reg, uint32_t value, unsigned size);
  // Control block: alternate status (read), device control (write).
  uint8_t readAltStatus();
  void writeDeviceControl(uint8_t value);

  uint8_t deviceControl() const { return ctl_; }
  int selected() const { return selected_; }
  bool irqLevel() const { return irq_out_; }

  // DMARQ of the selected device, its direction, and the data phase itself.
  bool dmaRequested() const;
  bool dmaToMemory() const;
  void runDma(DmaPort& port);

  // Flushes every disk; false if any flush failed.
  bool flush();

  // The command block (8 ports, max access 4) and control block (1 port)
  // as I/O handlers, for a controller to map.
  MmioHandler& commandPorts() { return command_ports_; }
  MmioHandler& controlPort() { return control_port_; }

 private:
  friend class AtaDisk;
  struct Unit {
    std::unique_ptr<AtaDisk> disk;
    TaskFile shadow;    // what an absent device 1's registers read back as (device 0 answers)
  };
  class CommandPorts : public MmioHandler {
   public:
    explicit CommandPorts(AtaChannel& c) : c_(c) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    AtaChannel& c_;
  };
  class ControlPort : public MmioHandler {
   public:
    explicit ControlPort(AtaChannel& c) : c_(c) {}
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, uint64_t value, unsigned size) override;

   private:
    AtaChannel& c_;
  };

  TaskFile& regsOf(int unit) { return units_[unit].disk ? units_[unit].disk->tf_ : units_[unit].shadow; }
  uint8_t readRegister(unsigned reg);
  void writeRegister(unsigned reg, uint8_t value);
  uint16_t readData16();
  void writeData16(uint16_t v);
  void updateIrq();
  void requestDma();

  std::string name_;
  Unit units_[2];
  int selected_ = 0;
  uint8_t ctl_ = 0;
  bool irq_out_ = false;
  std::function<void(bool)> irq_handler_;
  std::function<void()> dma_handler_;
  CommandPorts command_ports_{*this};
  ControlPort control_port_{*this};
};

}  // namespace mimic::hw::ide
