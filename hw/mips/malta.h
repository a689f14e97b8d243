// The MIPS Malta board (QEMU's "malta" machine) for bare-metal programs and
// kernels loaded with -kernel.
//
// Physical memory map (as QEMU 7.2 builds it):
//   0x00000000  RAM, up to 256 MiB (the low window below the I/O hole)
//   0x00002000  boot environment: argv/envp tables and strings (0x1040 bytes)
//   0x10000000  ┐ decoded by the GT-64120 (hw/mips/gt64120.h): its register
//   ...         │ block (0x14000000, moved to 0x1be00000 by the boot code),
//   0x18000000  │ the PCI0 I/O window with the ISA ports (COM1 0x3f8, COM2
//   ...         ┘ 0x2f8), PCI memory; anything unclaimed reads as 0
//   0x1e000000  boot flash (4 MiB, read-only here), holds the boot code too
//   0x1f000000  FPGA registers (LEDs, ASCII display, SOFTRES, I2C)
//   0x1f000900  CBUS UART (16550, registers 8 bytes apart) -> CPU IP4
//   0x1fc00000  boot ROM copy (4 MiB) with the boot code at the reset vector
//               and the board revision word (0x420) at 0x1fc00010
//   0x80000000  all of RAM again
// Everything else is unassigned: accesses fail (the CPU raises a bus error).
//
// -serial: the first goes to COM1, the second to COM2, the third to the
// CBUS UART. COM1/COM2 interrupts need the PIIX4's i8259, not modelled yet:
// their lines are not connected.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hw/char/chardev.h"
#include "hw/char/serial16550.h"
#include "hw/core/ioport.h"
#include "hw/intc/i8259.h"
#include "hw/timer/clock.h"
#include "hw/timer/i8254.h"
#include "hw/timer/mc146818.h"
#include "hw/core/loader_elf.h"
#include "hw/core/machine.h"
#include "hw/core/memory.h"
#include "hw/mips/gt64120.h"
#include "hw/mips/malta_fpga.h"
#include "hw/acpi/piix4_pm.h"
#include "hw/ide/piix4_ide.h"
#include "hw/input/i8042.h"
#include "hw/net/pcnet.h"
#include "net/net_backend.h"
#include "hw/isa/piix4.h"
#include "hw/pci/pci_bus.h"

namespace mimic::hw::mips {

class MaltaBoard {
 public:
  static constexpr uint64_t kDefaultRamSize = 128ull << 20;
  static constexpr uint64_t kMaxRamSize = 256ull << 20;  // the low RAM window
  static constexpr uint64_t kMinRamSize = 1ull << 20;
  static constexpr uint64_t kRamHighBase = 0x80000000;
  static constexpr uint64_t kFlashBase = 0x1e000000;
  static constexpr uint64_t kFlashSize = 0x400000;
  static constexpr uint64_t kBootRomBase = 0x1fc00000;
  static constexpr uint64_t kBootRomSize = 0x400000;
  static constexpr uint32_t kBoardRevision = 0x420;  // Malta with a CoreLV card
  // The boot environment: 16 32-bit pointers, then 16 strings of 256 bytes.
  static constexpr uint64_t kEnvPaddr = 0x2000;
  static constexpr uint32_t kEnvEntries = 16;
  static constexpr uint32_t kEnvEntrySize = 256;
  static constexpr uint64_t kEnvSize = kEnvEntries * (4 + kEnvEntrySize);
  static constexpr uint64_t kInitrdAlign = 64 * 1024;
  static constexpr uint64_t kInitrdGap = 128 * 1024;  // room the kernel wants after the initrd
  static constexpr int kCbusUartIrq = 2;  // CPU hardware interrupt 2 = Cause.IP4
  static constexpr int kI8259Irq = 0;     // the PIIX4's 8259 INT: CPU hardware interrupt 0 = Cause.IP2
  // PCI: the PIIX4 in slot 10 (functions 0 ISA bridge, 1 IDE, 3 power
  // management), the PCnet in slot 11, the GT-64120 itself as device 0.
  static constexpr int kPiix4Slot = 10;
  static constexpr int kPcnetSlot = 11;

  // Builds the board for `opts` (RAM, devices, boot code, kernel, initrd,
  // environment). On error returns nullptr and sets err to one line.
  // `on_quit` is what Ctrl-A x on a stdio serial does.
  static std::unique_ptr<MaltaBoard> create(const MachineOptions& opts, std::function<void()> on_quit,
                                            std::string& err);
  ~MaltaBoard();

  AddressSpace& addressSpace() { return as_; }
  bool bigEndian() const { return big_endian_; }
  uint64_t ramSize() const { return ram_size_; }
  uint64_t ramLowSize() const { return ram_low_size_; }
  const ElfImage& kernel() const { return kernel_; }
  uint64_t initrdStart() const { return initrd_start_; }  // physical; 0 if none
  uint64_t initrdSize() const { return initrd_size_; }

  // Wiring to the CPU: hardware interrupt inputs (n = 0..5 for IP2..IP7)
  // and the guest's reset request (FPGA SOFTRES).
  void setCpuIrq(std::function<void(int n, bool level)> f) { cpu_irq_ = std::move(f); }
  // Devices that keep time (the PIIX4's RTC and PIT) run on the CPU's
  // timer queue, which exists once the CPU does: the machine attaches it
  // after setCpuIrq().
  void attachTimers(tcg::TimerQueue& timers);
  // Before the timer queue given to attachTimers() is destroyed.
  void detachTimers();
  void setResetRequest(std::function<void()> f) { reset_request_ = std::move(f); }
  // The guest powered the board off (PIIX4 soft-off).
  void setShutdownRequest(std::function<void()> f) { shutdown_request_ = std::move(f); }

  // Machine reset (the guest's reboot): devices back to their power-on
  // state, and the kernel, initrd, boot code and environment loaded again
  // as at start. The CPU is the machine's to reset.
  void reset();

  // Starts the serial backends' input threads; `kick` wakes the CPU loop.
  void startInput(std::function<void()> kick);
  // CPU thread: delivers queued serial input to the UARTs.
  void pumpEvents();

  Serial16550& com1() { return *com1_; }
  Serial16550& com2() { return *com2_; }
  Serial16550& cbusUart() { return *cbus_; }
  MaltaFpga& fpga() { return *fpga_; }
  Gt64120& gt() { return *gt_; }
  IoSpace& io() { return io_; }
  IoSpace& pciMemory() { return pci_mem_; }
  pci::PciBus& pciBus() { return *pci_bus_; }
  pci::Piix4Isa& piix4() { return *piix4_; }
  pci::Piix4Pm* piix4Pm() { return piix4_pm_.get(); }   // exists after attachTimers()
  ide::Piix4Ide& ide() { return *ide_; }
  Pcnet* pcnet() { return pcnet_.get(); }                // with a network card, after attachTimers()
  I8042& kbc() { return *kbc_; }
  Chardev* serial(size_t i) { return i < chardevs_.size() ? chardevs_[i].get() : nullptr; }

 private:
  MaltaBoard() = default;
  bool build(const MachineOptions& opts, std::function<void()> on_quit, std::string& err);
  bool openDisks(const MachineOptions& opts, std::string& err);
  bool openNetwork(const MachineOptions& opts, std::string& err);
  void mapPci();
  void firmwareSetup();
  void pciIrq(int devfn, int pin, bool level);
  bool setupSerials(const MachineOptions& opts, std::function<void()> on_quit, std::string& err);
  void mapDevices();
  bool writeBootCode(std::string& err);
  void writeEnvironment(const MachineOptions& opts);
  void put32(uint8_t* p, uint32_t v) const;
  static void cpuIrqThunk(void* opaque, int n, bool level);

  bool big_endian_ = false;
  uint64_t ram_size_ = 0, ram_low_size_ = 0;
  uint8_t* ram_ = nullptr;
  int ram_fd_ = -1;   // the RAM's memfd (-1: anonymous memory)
  std::vector<uint8_t> flash_, bootrom_;
  ElfImage kernel_;
  std::optional<bool> force_be_;   // -M malta,endianness=
  std::string kernel_path_, initrd_path_;
  std::vector<uint8_t> kernel_file_, initrd_file_;   // kept for reloading at reset
  MachineOptions opts_;
  uint64_t initrd_start_ = 0, initrd_size_ = 0;

  AddressSpace as_;
  IoSpace io_;
  IoSpace pci_mem_{1ull << 32, 0xff, "pci-mem"};  // master aborts read all ones
  std::unique_ptr<pci::PciBus> pci_bus_;
  std::unique_ptr<pci::Piix4Isa> piix4_;
  std::unique_ptr<pci::Piix4Pm> piix4_pm_;
  std::unique_ptr<ide::Piix4Ide> ide_;
  std::vector<std::unique_ptr<block::BlockBackend>> disks_;   // until attached to ide_
  std::vector<int> disk_indexes_;
  std::unique_ptr<net::NetBackend> net_backend_;
  std::optional<net::MacAddr> nic_mac_;    // set: the board has its network card
  std::unique_ptr<Pcnet> pcnet_;
  std::array<int, 4> pirq_count_{};   // asserted INTx pins per PIRQ line
  std::vector<std::unique_ptr<Chardev>> chardevs_;
  std::unique_ptr<I8259Pair> pic_;   // before the devices that raise its lines
  std::unique_ptr<I8042> kbc_;
  std::unique_ptr<Serial16550> com1_, com2_, cbus_;
  std::unique_ptr<TimerQueueClock> clock_;
  std::unique_ptr<Mc146818> rtc_;
  std::unique_ptr<I8254> pit_;
  std::unique_ptr<MaltaFpga> fpga_;
  std::unique_ptr<Gt64120> gt_;
  std::vector<std::unique_ptr<MmioHandler>> adapters_;
  std::function<void(int, bool)> cpu_irq_;
  std::function<void()> reset_request_;
  std::function<void()> shutdown_request_;
};

// The "malta" machine: the board plus a MIPS32 CPU (24Kf by default).
std::unique_ptr<Machine> createMalta(const MachineOptions& opts, std::string& err);

}  // namespace mimic::hw::mips
