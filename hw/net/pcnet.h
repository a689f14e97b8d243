// The AMD PCnet-PCI II (Am79C970A) Ethernet controller the Malta board
// carries in PCI slot 11 (INTA#), as QEMU's "pcnet" device models it, for
// Linux's pcnet32 and the BSDs' le/pcn drivers.
//
// PCI: vendor 0x1022, device 0x2000, revision 0x10, class 0x020000,
// INTA#. BAR0: 32 bytes of I/O, BAR1: the same 32 bytes memory-mapped.
//
// Registers (offsets in either BAR):
//   0x00-0x0f  address PROM: the MAC, 0, 0, 0, 0x11, 0, 0, checksum, 'W', 'W'
//              (any access size; writable while BCR2.APROMWE is set)
//   16-bit I/O (WIO, after reset): RDP 0x10, RAP 0x12, RESET 0x14, BDP 0x16,
//              16-bit accesses.
//   32-bit I/O (DWIO, entered by a 32-bit write to RDP; left only by
//              H_RESET): RDP 0x10, RAP 0x14, RESET 0x18, BDP 0x1c, 32-bit
//              accesses (the upper 16 bits are ignored / read 0).
//   Reading RESET is a software reset (S_RESET: CSR0 = STOP).
//   Other accesses read all ones and are ignored.
//
// CSRs through RAP/RDP: CSR0 control/status (INIT, STRT, STOP, TDMD, INEA;
// IDON, TINT, RINT, MERR, MISS, CERR, BABL write-one-to-clear; INTR and ERR
// computed), CSR1/2 (16/17) init block address, CSR3 interrupt masks and
// DXSUFLO, CSR4 (APAD_XMT, DPOLL, TXSTRT, UINTCMD...), CSR5, CSR6 ring
// length codes, CSR8-11 logical address filter, CSR12-14 physical address,
// CSR15 mode (DRX, DTX, LOOP, DXMTFCS, INTL, DRCVPA, DRCVBC, PROM), CSR58
// (= BCR20), CSR72/74 ring counters, CSR76/78 ring lengths (as QEMU: the
// lengths themselves, not their two's complement), CSR88/89 chip id
// 0x02621003, CSR112 missed frame count. Rings and registers other than
// CSR0, 3, 4, 5 are writable only while stopped or suspended, as in QEMU.
// BCRs through RAP/BDP: BCR2 (ASEL, APROMWE), BCR4-7 LED/link status (link
// always up), BCR9 full duplex, BCR18 (DWIO read-only), BCR19, BCR20
// software style, BCR22; others read 0 beyond BCR31.
//
// Software styles (BCR20/CSR58 SWSTYLE): 0 = LANCE, 16-bit: 24-bit
// addresses (bits 31-24 from CSR2[15:8]), 24-byte init block, 8-byte
// descriptors; 1 = ILACC and 2 = PCnet-PCI: 32-bit, 28-byte init block,
// 16-byte descriptors; 3 = PCnet-PCI with the address and status/count
// words of each descriptor swapped. Descriptors and the init block are
// little-endian in guest RAM (through PCI DMA), whatever the CPU.
//
// Transmit: from the current descriptor, a frame is the chain STP ... ENP
// of descriptors the card owns; it is handed to the backend (or, with
// CSR15.LOOP, received by the card itself), the descriptors are given back
// (OWN cleared) and TINT raised. A chain that runs into a descriptor the
// card does not own is a buffer error (BUFF, UFLO; TXON cleared unless
// DXSUFLO). The ring is polled on TDMD and every ~2 ms of virtual time
// while running (no TDMD needed), unless CSR4.DPOLL.
//
// Receive: frames matching the filter (PROM, own address unless DRCVPA,
// broadcast unless DRCVBC, multicast whose CRC hash hits the logical
// address filter) are padded to 60 bytes, get their 4-byte FCS appended,
// and are written across as many owned descriptors as they need (STP on
// the first, ENP, MCNT and the PAM/LAFM/BAM match bits on the last; BUFF,
// OFLO and ERR when the descriptors run out); RINT is raised. While the
// current receive descriptor is not the card's, canReceive() is false and
// frames wait in the backend; the card pumps the backend again when the
// guest touches CSRs and on its poll timer. A frame arriving without a
// descriptor (not through pump()) counts as missed (MISS, CSR112).
//
// INTA# = CSR0.INTR && CSR0.INEA. Bad ring addresses (DMA outside RAM, bus
// mastering off) set MERR and are logged as guest errors.
//
// Threads: everything on the CPU thread (see net/net_backend.h for how
// received frames get there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "hw/core/memory.h"
#include "hw/pci/pci_device.h"
#include "hw/timer/clock.h"
#include "net/net_backend.h"

namespace mimic::hw {

class Pcnet : public pci::PciDevice, public net::NetFrontend {
 public:
  static constexpr uint16_t kVendorAmd = 0x1022;
  static constexpr uint16_t kDeviceLance = 0x2000;
  static constexpr uint32_t kRegSize = 32;          // both BARs
  static constexpr uint32_t kChipId = 0x02621003;   // CSR89:CSR88, Am79C970A
  // Poll period: 65536 cycles of the 33 MHz PCI clock.
  static constexpr int64_t kPollNs = 65536LL * 1000000000LL / 33000000LL;

  // `backend` (not owned, may be null: frames sent are dropped) is
  // attached to this card. `mac` goes into the address PROM.
  Pcnet(Clock& clock, net::NetBackend* backend, const net::MacAddr& mac);
  ~Pcnet() override;

  // H_RESET (PCI reset): configuration space, BCRs, APROM, then S_RESET.
  void reset() override;

  // NetFrontend (CPU thread).
  bool canReceive() override;
  void receive(const uint8_t* frame, size_t len) override;

  // For tests and debugging.
  uint16_t csr(unsigned i) const { return i < kNumCsr ? csr_[i] : 0; }
  uint16_t bcr(unsigned i) const { return i < kNumBcr ? bcr_[i] : 0; }
  bool dwordIo() const { return bcr_[18] & 0x0080; }
  const net::MacAddr& mac() const { return mac_; }

 private:
  static constexpr unsigned kNumCsr = 128;
  static constexpr unsigned kNumBcr = 32;
  static constexpr size_t kMaxFrame = 4096;   // transmit buffer, longest received frame + FCS

  class Regs : public MmioHandler {
   public:
    explicit Regs(Pcnet& p) : p_(p) {}
    uint64_t read(uint64_t offset, unsigned size) override { return p_.regRead(offset, size); }
    void write(uint64_t offset, uint64_t value, unsigned size) override { p_.regWrite(offset, value, size); }

   private:
    Pcnet& p_;
  };

  // A descriptor in the 32-bit form (style 0 is converted on load/store).
  struct Desc {
    uint32_t addr = 0;     // buffer address (24-bit in style 0, extended from CSR2)
    uint16_t length = 0;   // BCNT, two's complement, bits 15-12 ones
    uint16_t status = 0;   // OWN ERR ... STP ENP in bits 15-8; BPE PAM LAFM BAM below
    uint32_t misc = 0;     // receive: MCNT, RPC, RCC; transmit: error bits, TRC
  };

  uint64_t regRead(uint64_t offset, unsigned size);
  void regWrite(uint64_t offset, uint64_t value, unsigned size);
  uint16_t csrRead(unsigned n);
  void csrWrite(unsigned n, uint16_t v);
  uint16_t bcrRead(unsigned n);
  void bcrWrite(unsigned n, uint16_t v);

  void hardReset();   // the chip's part of H_RESET
  void softReset();
  void buildAprom();
  void init();
  void start();
  void stop();
  void updateIrq();
  void schedulePoll();
  void onPollTimer();
  void afterAccess();

  bool ssize32() const { return bcr_[20] & 0x0100; }
  unsigned swStyle() const { return bcr_[20] & 0xff; }
  unsigned descSize() const { return swStyle() ? 16 : 8; }
  uint32_t physAddr(uint32_t a) const;
  bool stopped() const { return csr_[0] & 0x0004; }
  bool suspended() const { return csr_[5] & 0x0001; }
  bool running() const { return !stopped() && !suspended(); }

  bool loadDesc(uint32_t addr, Desc& d, bool rx);
  bool storeDesc(uint32_t addr, const Desc& d, bool rx);
  uint32_t rxDescAddr(unsigned index) const { return rdra_ + index * descSize(); }
  uint32_t txDescAddr(unsigned index) const { return tdra_ + index * descSize(); }
  unsigned ringIndex(unsigned counter_csr, unsigned length_csr) const;
  void ringAdvance(unsigned counter_csr, unsigned length_csr, unsigned n);
  void memError(const char* what, uint32_t addr);

  void pollTransmit();
  bool transmitOne();   // false: nothing (more) to send now
  void deliver(const uint8_t* frame, size_t len);
  bool acceptFrame(const uint8_t* frame, bool& pam, bool& lafm, bool& bam) const;
  void receiveFrame(const uint8_t* frame, size_t len, bool loopback);

  Clock& clock_;
  net::NetBackend* backend_;
  net::MacAddr mac_;
  Regs regs_{*this};
  int poll_timer_;
  bool poll_armed_ = false;

  uint8_t aprom_[16] = {};
  uint16_t csr_[kNumCsr] = {};
  uint16_t bcr_[kNumBcr] = {};
  uint32_t rap_ = 0;
  uint32_t rdra_ = 0, tdra_ = 0;     // ring base addresses (0: no ring, as in QEMU)
  bool in_transmit_ = false;
  std::vector<uint8_t> tx_buf_;
  std::vector<uint8_t> rx_buf_;
};

}  // namespace mimic::hw
