#include "hw/mips/malta.h"
#include "net/slirp_backend.h"
#include "hw/core/run_control.h"
#include "tcg/exec.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "frontends/mips/mips_cpu.h"
#include "frontends/mips/mmu.h"
#include "roms/mips/bootstub.h"
#include "util/log.h"

namespace mimic::hw::mips {

using ::mimic::mips::CpuModel;
using ::mimic::mips::cpuModelNames;
using ::mimic::mips::findCpuModel;
using ::mimic::mips::MipsCpu;

namespace {

constexpr uint64_t kMiB = 1ull << 20;

// Forwards accesses to another handler with a constant added to the offset:
// one device behind several regions, or a handler that wants physical
// addresses.
class OffsetMmio : public MmioHandler {
 public:
  OffsetMmio(MmioHandler* target, uint64_t add) : target_(target), add_(add) {}
  uint64_t read(uint64_t offset, unsigned size) override { return target_->read(offset + add_, size); }
  void write(uint64_t offset, uint64_t value, unsigned size) override { target_->write(offset + add_, value, size); }

 private:
  MmioHandler* target_;
  uint64_t add_;
};

// Malta's kseg0/kseg1 -> physical mapping for the loader (QEMU masks every
// address this way).
uint64_t kernelToPhys(uint64_t addr) { return addr & 0x1fffffff; }

// The kseg0 address of a physical one, sign-extended as QEMU prints it.
uint64_t physToKseg0(uint64_t paddr) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(paddr | 0x80000000))));
}

// Guest RAM low in the host's address space where that is free (from 1
// GiB up): a kseg0 window load's host address is then the offset in the
// window plus a 32-bit displacement, which the load's addressing mode
// carries (the baseline JIT's, the RAM's address, while below 2 GiB;
// LLVM's, that less 0x80000000, while below 4 GiB), instead of a 64-bit
// constant loaded into a register first. Anywhere else if that is taken.
// The RAM is a memfd (fd set, -1 if the host has none), so that user-mode
// pages can be mapped again where generated code finds them without a TLB
// probe (tcg/fastmem.h).
void* mapGuestRam(uint64_t bytes, int& fd) {
  constexpr int kProt = PROT_READ | PROT_WRITE;
  fd = memfd_create("mimic-guest-ram", MFD_CLOEXEC);
  if (fd >= 0 && ftruncate(fd, off_t(bytes)) != 0) {
    close(fd);
    fd = -1;
  }
  const int flags = fd >= 0 ? MAP_SHARED | MAP_NORESERVE : MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  for (uint64_t at = 1ull << 30; at + bytes <= 1ull << 32; at += 1ull << 28) {
    void* want = reinterpret_cast<void*>(at);
    void* mem = mmap(want, bytes, kProt, flags | MAP_FIXED_NOREPLACE, fd, 0);
    if (mem == want) return mem;
    if (mem != MAP_FAILED) munmap(mem, bytes);   // a kernel without MAP_FIXED_NOREPLACE put it elsewhere
  }
  return mmap(nullptr, bytes, kProt, flags, fd, 0);
}

void defaultWarn(const std::string& msg) { std::fprintf(stderr, "mimic: warning: %s\n", msg.c_str()); }

}  // namespace

// ---------------------------------------------------------------------------
// The board

MaltaBoard::~MaltaBoard() {
  chardevs_.clear();  // stops input threads before the devices go away
  // The bus lets go of its devices before they are destroyed; the card
  // detaches from its backend before the backend (and its thread) ends.
  pci_bus_.reset();
  pcnet_.reset();
  net_backend_.reset();
  if (ram_) munmap(ram_, ram_size_);
  if (ram_fd_ >= 0) close(ram_fd_);
}

std::unique_ptr<MaltaBoard> MaltaBoard::create(const MachineOptions& opts, std::function<void()> on_quit,
                                               std::string& err) {
  std::unique_ptr<MaltaBoard> b(new MaltaBoard);
  if (!b->build(opts, std::move(on_quit), err)) return nullptr;
  return b;
}

void MaltaBoard::put32(uint8_t* p, uint32_t v) const {
  for (int i = 0; i < 4; i++) p[big_endian_ ? i : 3 - i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

void MaltaBoard::cpuIrqThunk(void* opaque, int n, bool level) {
  auto* b = static_cast<MaltaBoard*>(opaque);
  if (b->cpu_irq_) b->cpu_irq_(n, level);
}

bool MaltaBoard::build(const MachineOptions& opts, std::function<void()> on_quit, std::string& err) {
  auto warn = opts.warn ? opts.warn : defaultWarn;

  // -M malta,key=value
  std::optional<bool> force_be;
  for (const auto& [key, value] : opts.props) {
    if (key == "endianness") {
      if (value == "big") {
        force_be = true;
      } else if (value == "little") {
        force_be = false;
      } else {
        err = fmt::format("-M malta,endianness={}: must be 'big' or 'little'", value);
        return false;
      }
    } else {
      err = fmt::format("-M malta: unknown property '{}' (known: endianness)", key);
      return false;
    }
  }

  // RAM: QEMU rounds -m up to 8 KiB.
  ram_size_ = opts.ram_size ? (opts.ram_size + 0x1fff) & ~uint64_t{0x1fff} : kDefaultRamSize;
  if (ram_size_ > kMaxRamSize) {
    err = fmt::format("-m {} MiB: the Malta low RAM window holds at most 256 MiB", ram_size_ / kMiB);
    return false;
  }
  if (ram_size_ < kMinRamSize) {
    err = fmt::format("-m {} KiB: the Malta machine needs at least 1 MiB of RAM", ram_size_ / 1024);
    return false;
  }
  ram_low_size_ = std::min(ram_size_, kMaxRamSize);

  if (!opts.dtb.empty()) warn("-dtb is ignored on the Malta machine (it has no device tree)");

  // The kernel decides the byte order (unless forced).
  if (opts.kernel.empty()) {
    err = "no -kernel given: the Malta machine needs a program to run (an ELF file)";
    return false;
  }
  std::vector<uint8_t>& elf = kernel_file_;
  std::string why;
  if (!readFile(opts.kernel, elf, why)) {
    err = fmt::format("could not load kernel '{}': {}", opts.kernel, why);
    return false;
  }
  force_be_ = force_be;
  opts_ = opts;
  ElfLoadOptions lo;
  lo.force_big_endian = force_be;
  lo.to_phys = kernelToPhys;
  lo.ram_base = 0;
  lo.ram_size = ram_low_size_;
  if (!loadElf(elf.data(), elf.size(), nullptr, lo, kernel_, why)) {
    if (force_be && why.find("was forced") != std::string::npos) why += " (-M malta,endianness=...)";
    err = fmt::format("could not load kernel '{}': {}", opts.kernel, why);
    return false;
  }
  if (!(kernel_.entry & 0x80000000)) {
    err = fmt::format(
        "could not load kernel '{}': entry point {:#x} is not in kseg0/kseg1 "
        "(kernels linked for user mode under KVM are not supported)",
        opts.kernel, kernel_.entry);
    return false;
  }
  for (const ElfSegment& s : kernel_.segments) {
    if (s.paddr < kEnvPaddr + kEnvSize && kEnvPaddr < s.paddr + s.memsz) {
      err = fmt::format(
          "could not load kernel '{}': a segment (physical {:#x}-{:#x}) overlaps the boot environment "
          "at {:#x}-{:#x}",
          opts.kernel, s.paddr, s.paddr + s.memsz - 1, kEnvPaddr, kEnvPaddr + kEnvSize - 1);
      return false;
    }
  }
  big_endian_ = kernel_.big_endian;

  // Memory.
  void* mem = mapGuestRam(ram_size_, ram_fd_);
  if (mem == MAP_FAILED) {
    err = fmt::format("cannot allocate {} MiB of guest RAM: {}", ram_size_ / kMiB, std::strerror(errno));
    return false;
  }
  ram_ = static_cast<uint8_t*>(mem);
  flash_.assign(kFlashSize, 0);
  bootrom_.assign(kBootRomSize, 0);
  as_.addRam("malta.ram-low", 0, ram_low_size_, ram_, false, ram_fd_, 0);
  as_.addRam("malta.ram", kRamHighBase, ram_size_, ram_, false, ram_fd_, 0);
  as_.addRam("malta.flash", kFlashBase, kFlashSize, flash_.data(), /*readonly=*/true);
  as_.addRam("malta.bootrom", kBootRomBase, kBootRomSize, bootrom_.data(), /*readonly=*/true);

  if (!loadElf(elf.data(), elf.size(), &as_, lo, kernel_, why)) {
    err = fmt::format("could not load kernel '{}': {}", opts.kernel, why);
    return false;
  }

  if (!opts.initrd.empty()) {
    std::vector<uint8_t>& rd = initrd_file_;
    if (!readFile(opts.initrd, rd, why)) {
      err = fmt::format("could not load initial ram disk '{}': {}", opts.initrd, why);
      return false;
    }
    if (!rd.empty()) {
      // As high in low RAM as possible, leaving the kernel 128 KiB above it.
      uint64_t need = rd.size() + kInitrdGap;
      uint64_t start = need > ram_low_size_ ? 0 : (ram_low_size_ - need + kInitrdAlign - 1) & ~(kInitrdAlign - 1);
      if (need > ram_low_size_ || kernel_.high >= start || start + rd.size() > ram_low_size_) {
        err = fmt::format("memory too small for initial ram disk '{}'", opts.initrd);
        return false;
      }
      as_.copyTo(start, rd.data(), rd.size());
      initrd_start_ = start;
      initrd_size_ = rd.size();
    }
  }

  if (!writeBootCode(err)) return false;
  writeEnvironment(opts);

  if (!setupSerials(opts, std::move(on_quit), err)) return false;
  if (!openDisks(opts, err) || !openNetwork(opts, err)) return false;
  mapDevices();
  mapPci();
  firmwareSetup();

  if (uint64_t left = fpga_->spdUnrepresentedMiB())
    warn(fmt::format("SPD cannot represent final {}MB of SDRAM", left));
  return true;
}

bool MaltaBoard::writeBootCode(std::string& err) {
  const uint8_t* stub = big_endian_ ? roms::kMaltaBootstubEb : roms::kMaltaBootstubEl;
  size_t size = big_endian_ ? roms::kMaltaBootstubEbSize : roms::kMaltaBootstubElSize;
  if (size > kBootRomSize || size < roms::kBootstubRamSizeOffset + 4) {
    err = fmt::format("internal error: the Malta boot stub has a bad size ({} bytes)", size);
    return false;
  }
  for (std::vector<uint8_t>* rom : {&flash_, &bootrom_}) {
    std::memcpy(rom->data(), stub, size);
    put32(rom->data() + roms::kBootstubEntryOffset, static_cast<uint32_t>(kernel_.entry));
    put32(rom->data() + roms::kBootstubRamSizeOffset, static_cast<uint32_t>(ram_low_size_));
  }
  // The board revision lives in the copy at the reset vector only.
  put32(bootrom_.data() + roms::kBootstubRevisionOffset, kBoardRevision);
  return true;
}

// The YAMON-style environment the boot code points a1/a2 at: argv[0] is the
// kernel's path, argv[1] the command line, then name/value pairs. Each
// string is cut to 255 bytes. Pointers are kseg0 addresses.
void MaltaBoard::writeEnvironment(const MachineOptions& opts) {
  std::vector<uint8_t> buf(kEnvSize, 0);
  unsigned index = 0;
  auto set = [&](const std::string& s) {
    if (index >= kEnvEntries) return;
    uint32_t table = kEnvEntries * 4 + index * kEnvEntrySize;
    put32(buf.data() + index * 4, static_cast<uint32_t>(physToKseg0(kEnvPaddr + table)));
    size_t n = std::min<size_t>(s.size(), kEnvEntrySize - 1);
    std::memcpy(buf.data() + table, s.data(), n);
    index++;
  };
  set(opts.kernel);
  if (initrd_size_) {
    set(fmt::format("rd_start={:#x} rd_size={} {}", physToKseg0(initrd_start_), initrd_size_, opts.append));
  } else {
    set(opts.append);
  }
  set("memsize");
  set(fmt::format("{}", ram_low_size_));
  set("ememsize");
  set(fmt::format("{}", ram_size_));
  set("modetty0");
  set("38400n8r");
  // A fresh seed for the kernel's random number generator on each boot; a
  // fixed one under -icount, whose point is that runs repeat exactly.
  std::random_device rd;
  std::mt19937 fixed(20261206);
  std::string seed;
  for (int i = 0; i < 32; i++) seed += fmt::format("{:02x}", (opts.icount_shift >= 0 ? fixed() : rd()) & 0xff);
  set("rngseed");
  set(seed);
  // Entry `index` stays a null pointer: the end of the table.
  as_.copyTo(kEnvPaddr, buf.data(), buf.size());
}

bool MaltaBoard::setupSerials(const MachineOptions& opts, std::function<void()> on_quit, std::string& err) {
  std::vector<std::string> specs = opts.serial;
  if (specs.size() > 4) {
    err = fmt::format("too many -serial options ({}): at most 4", specs.size());
    return false;
  }
  if (specs.empty()) {
    if (opts.nographic) {
      specs.push_back("mon:stdio");
    } else if (opts.display == "none") {
      specs.push_back("null");
    } else {
      specs.push_back("stdio");  // no graphical console yet: show the first serial port here
    }
  }
  int stdio_users = 0;
  for (const std::string& s : specs) stdio_users += (s == "stdio" || s == "mon:stdio");
  if (stdio_users > 1) {
    err = "-serial stdio: stdio can back only one serial port";
    return false;
  }
  while (specs.size() < 3) specs.push_back("null");
  ChardevContext ctx;
  ctx.nographic = opts.nographic;
  ctx.on_quit = on_quit;
  for (const std::string& s : specs) {
    ctx.label = fmt::format("serial{}", chardevs_.size());
    std::unique_ptr<Chardev> c = createChardev(s, ctx, err);
    if (!c) return false;
    chardevs_.push_back(std::move(c));
  }
  return true;
}

void MaltaBoard::attachTimers(tcg::TimerQueue& timers) {
  clock_ = std::make_unique<TimerQueueClock>(timers);
  // The PIT raises IRQ 0 at once (channel 0 starts in mode 3), so the 8259
  // and the CPU's interrupt input must be connected first.
  rtc_ = std::make_unique<Mc146818>(*clock_, pic_->irqLine(8), opts_.rtc_start);
  pit_ = std::make_unique<I8254>(*clock_, pic_->irqLine(0));
  io_.add("rtc", Mc146818::kPortBase, Mc146818::kPortCount, rtc_.get());
  io_.add("pit", I8254::kPortBase, I8254::kPortCount, pit_.get());
  io_.add("port61", I8254::kSpeakerPort, 1, &pit_->speakerPort());
  // The PIIX4's power management function keeps time too (its PM timer).
  piix4_pm_ = std::make_unique<pci::Piix4Pm>(io_, *clock_, [this] {
    if (shutdown_request_) shutdown_request_();
  });
  pci_bus_->attach(pci::devfn(kPiix4Slot, 3), piix4_pm_.get());
  if (nic_mac_) {
    pcnet_ = std::make_unique<Pcnet>(*clock_, net_backend_.get(), *nic_mac_);
    pci_bus_->attach(pci::devfn(kPcnetSlot, 0), pcnet_.get());
  }
}

void MaltaBoard::detachTimers() {
  if (clock_) clock_->detach();
}

void MaltaBoard::mapDevices() {
  // The PIIX4's cascaded 8259s: their INT is the CPU's IP2, and the ISA
  // devices' lines go through them (COM1 on IRQ 4, COM2 on IRQ 3).
  pic_ = std::make_unique<I8259Pair>(IrqLine(&cpuIrqThunk, this, kI8259Irq));
  io_.add("pic-master", I8259Pair::kMasterBase, I8259Pair::kChipPorts, pic_->master());
  io_.add("pic-slave", I8259Pair::kSlaveBase, I8259Pair::kChipPorts, pic_->slave());
  io_.add("piix4-elcr", I8259Pair::kElcrBase, I8259Pair::kElcrPorts, pic_->elcr());
  kbc_ = std::make_unique<I8042>(pic_->irqLine(I8042::kKbdIrq), pic_->irqLine(I8042::kAuxIrq), [this] {
    if (reset_request_) reset_request_();
  });
  io_.add("i8042-data", I8042::kDataPort, 1, kbc_->dataPort());
  io_.add("i8042-cmd", I8042::kCommandPort, 1, kbc_->commandPort());
  com1_ = std::make_unique<Serial16550>("com1", chardevs_[0].get(), pic_->irqLine(4));
  com2_ = std::make_unique<Serial16550>("com2", chardevs_[1].get(), pic_->irqLine(3));
  cbus_ = std::make_unique<Serial16550>("cbus-uart", chardevs_[2].get(), IrqLine(&cpuIrqThunk, this, kCbusUartIrq),
                                        /*regshift=*/3);
  io_.add("com1", 0x3f8, 8, com1_.get());
  io_.add("com2", 0x2f8, 8, com2_.get());

  fpga_ = std::make_unique<MaltaFpga>(big_endian_, ram_size_, [this] {
    if (reset_request_) reset_request_();
  });
  as_.addMmio("malta.fpga", MaltaFpga::kBase, MaltaFpga::kUartOffset, fpga_.get(), 1, 4);
  as_.addMmio("malta.cbus-uart", MaltaFpga::kBase + MaltaFpga::kUartOffset, cbus_->windowSize(), cbus_.get(), 1, 8);
  adapters_.push_back(std::make_unique<OffsetMmio>(fpga_.get(), MaltaFpga::kHighOffset));
  as_.addMmio("malta.fpga-high", MaltaFpga::kBase + MaltaFpga::kHighOffset,
              MaltaFpga::kSize - MaltaFpga::kHighOffset, adapters_.back().get(), 1, 4);

  // The GT-64120 answers for every other address below 512 MiB.
  gt_ = std::make_unique<Gt64120>(big_endian_, io_, pci_mem_);
  // Linux on Malta takes the vector from the GT-64120's PCI interrupt
  // acknowledge cycle, which the 8259 pair answers.
  gt_->setInterruptAcknowledge([this] { return uint32_t(pic_->acknowledge()); });
  std::vector<std::pair<uint64_t, uint64_t>> gaps;
  uint64_t at = 0;
  for (const Region& r : as_.regions()) {
    if (r.base >= Gt64120::kDecodeLimit) break;
    if (r.base > at) gaps.emplace_back(at, r.base - at);
    at = std::max(at, r.base + r.size);
  }
  if (at < Gt64120::kDecodeLimit) gaps.emplace_back(at, Gt64120::kDecodeLimit - at);
  for (auto [base, size] : gaps) {
    adapters_.push_back(std::make_unique<OffsetMmio>(gt_.get(), base));
    as_.addMmio("gt64120", base, size, adapters_.back().get(), 1, 8);
  }
}

// PCI on Malta: the GT-64120 is device 0; the PIIX4 (slot 10) routes the
// four PCI interrupt lines PIRQA#..D# to 8259 inputs as its configuration
// registers 0x60-0x63 say (Linux programs 10, 10, 11, 11; FreeBSD the same).
bool MaltaBoard::openDisks(const MachineOptions& opts, std::string& err) {
  for (const block::DriveSpec& d : opts.drives) {
    if (d.interface != "ide") {
      err = fmt::format("disk '{}': the Malta board has IDE disks only (if=ide)", d.path);
      return false;
    }
    std::unique_ptr<block::BlockBackend> b = block::BlockBackend::open(d.path, d.read_only, err);
    if (!b) return false;
    disks_.push_back(std::move(b));
    disk_indexes_.push_back(d.index);
  }
  return true;
}

// Malta has one network card (the on-board PCnet in slot 11).
bool MaltaBoard::openNetwork(const MachineOptions& opts, std::string& err) {
  const net::NetConfig& cfg = opts.net;
  for (const std::string& w : cfg.warnings) (opts.warn ? opts.warn : defaultWarn)(w);
  if (cfg.nics.empty()) return true;
  if (cfg.nics.size() > 1) {
    err = fmt::format("{} network cards requested: the Malta board has one (its PCnet in slot 11)",
                      cfg.nics.size());
    return false;
  }
  const net::NicSpec& nic = cfg.nics[0];
  if (!nic.addr.empty() && nic.addr != "0b" && nic.addr != "0x0b" && nic.addr != "11" && nic.addr != "0b.0") {
    err = fmt::format("{}: addr={}: the Malta board's network card is in slot 11 (0b)", nic.origin, nic.addr);
    return false;
  }
  nic_mac_ = nic.mac.value_or(net::defaultMac(0));
  if (nic.netdev.empty()) return true;   // a card with no backend: sends go nowhere
  for (const net::NetdevSpec& spec : cfg.netdevs) {
    if (spec.id != nic.netdev) continue;
    net_backend_ = net::createNetBackend(spec, err);
    return net_backend_ != nullptr;
  }
  err = fmt::format("{}: no -netdev with id={}", nic.origin, nic.netdev);
  return false;
}

// What YAMON leaves programmed before it starts a kernel, which Linux and
// FreeBSD only read: PCI interrupts A, B -> IRQ 10 and C, D -> IRQ 11
// (QEMU's PIIX4 has these as reset values).
void MaltaBoard::firmwareSetup() {
  pci_bus_->configWrite(pci::devfn(kPiix4Slot, 0), 0x60, 0x0b0b0a0a, 4);
}

void MaltaBoard::mapPci() {
  pci_bus_ = std::make_unique<pci::PciBus>(io_, pci_mem_, as_);
  gt_->setPciBus(pci_bus_.get());
  pci_bus_->attach(pci::devfn(0, 0), &gt_->hostFunction());
  piix4_ = std::make_unique<pci::Piix4Isa>([this](int irq, bool level) { pic_->irqLine(irq).set(level); },
                                           [this] {
                                             if (reset_request_) reset_request_();
                                           });
  pci_bus_->attach(pci::devfn(kPiix4Slot, 0), piix4_.get());
  io_.add("piix4-reset-control", pci::Piix4Isa::kResetControlPort, 1, piix4_->resetControl());
  pci_bus_->setIrqRouter([this](int devfn, int pin, bool level) { pciIrq(devfn, pin, level); });

  // PIIX4 IDE: compatibility mode, ISA IRQ 14 and 15.
  ide_ = std::make_unique<ide::Piix4Ide>(pic_->irqLine(14), pic_->irqLine(15));
  for (size_t i = 0; i < disks_.size(); i++) ide_->attach(disk_indexes_[i], std::move(disks_[i]));
  disks_.clear();
  pci_bus_->attach(ide::Piix4Ide::kDevfn, ide_.get());
  ide_->mapLegacyPorts(io_);
}

// The board's wiring of slots' INTA#..INTD# to PIRQ lines (Malta user's
// manual; QEMU's table): the PIIX4's own USB function to PIRQD#, the PCnet
// to PIRQB#, the audio slot to PIRQC#, and the four PCI slots (18-21)
// rotated.
void MaltaBoard::pciIrq(int devfn, int pin, bool level) {
  int slot = pci::slotOf(devfn), pirq;
  switch (slot) {
    case 10: pirq = 3; break;
    case 11: pirq = 1; break;
    case 12: pirq = 2; break;
    case 18: case 19: case 20: case 21: pirq = (slot - 18 + pin) & 3; break;
    default: pirq = pin & 3; break;
  }
  int& count = pirq_count_[pirq];
  count += level ? 1 : -1;
  if (count < 0) count = 0;
  piix4_->setPirq(pirq, count > 0);
}

void MaltaBoard::reset() {
  // Memory first: the guest's RAM is not cleared (as on a warm reset), but
  // the images and the environment are there again.
  ElfLoadOptions lo;
  lo.force_big_endian = force_be_;
  lo.to_phys = kernelToPhys;
  lo.ram_base = 0;
  lo.ram_size = ram_low_size_;
  std::string why;
  loadElf(kernel_file_.data(), kernel_file_.size(), &as_, lo, kernel_, why);
  if (initrd_size_) as_.copyTo(initrd_start_, initrd_file_.data(), initrd_file_.size());
  std::string err;
  writeBootCode(err);
  writeEnvironment(opts_);

  pic_->reset();
  kbc_->reset();
  com1_->reset();
  com2_->reset();
  cbus_->reset();
  if (pit_) pit_->reset();
  fpga_->reset();
  gt_->reset();
  pirq_count_ = {};
  pci_bus_->reset();
  firmwareSetup();
}

void MaltaBoard::startInput(std::function<void()> kick) {
  for (auto& c : chardevs_) c->startInput(kick);
  if (net_backend_) net_backend_->start(kick);
}

void MaltaBoard::pumpEvents() {
  for (auto& c : chardevs_) c->pump();
  if (net_backend_) net_backend_->pump();
}

// ---------------------------------------------------------------------------
// The machine

namespace {

class Malta : public Machine {
 public:
  ~Malta() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      live_cpu_ = nullptr;  // input threads and signals no longer reach the CPU
    }
    if (board_) board_->detachTimers();   // the CPU owns the timer queue
    ctl_.reset();
    cpu_.reset();
    board_.reset();
  }

  bool init(const MachineOptions& opts, std::string& err) {
    no_reboot_ = opts.no_reboot;
    no_shutdown_ = opts.no_shutdown;
    warn_ = opts.warn ? opts.warn : defaultWarn;

    std::string cpu_name = opts.cpu.empty() ? "24Kf" : opts.cpu;
    const CpuModel* model = findCpuModel(cpu_name);
    if (!model) {
      std::string names;
      for (const std::string& n : cpuModelNames()) names += (names.empty() ? "" : ", ") + n;
      err = fmt::format("unknown CPU model '{}' for the Malta machine (supported: {})", cpu_name, names);
      return false;
    }

    board_ = MaltaBoard::create(opts, [this] { requestQuit(0); }, err);
    if (!board_) return false;

    cpu_ = std::make_unique<MipsCpu>(*model, board_->bigEndian(), board_->addressSpace());
    if (opts.icount_shift >= 0) cpu_->engine().timers().setIcount(opts.icount_shift, opts.icount_sleep);
    cpu_->reset();
    // With -kernel, QEMU's Malta starts the CPU with Status.ERL clear.
    cpu_->state().cp0_status &= ~(1u << 2);
    cpu_->updateHflags();

    board_->setCpuIrq([this](int n, bool level) { cpu_->setHwIrq(n, level); });
    board_->attachTimers(cpu_->engine().timers());
    board_->setResetRequest([this] { cpu_->requestStop(tcg::StopReason::Reset); });
    board_->setShutdownRequest([this] { cpu_->requestStop(tcg::StopReason::Shutdown); });
    // Bus-master DMA into RAM replaces code the CPU may have translated.
    board_->pciBus().setDmaWriteHook([this](uint64_t paddr, uint64_t len) {
      for (uint64_t p = paddr & tcg::kPageMask; p < paddr + len; p += tcg::kPageSize)
        cpu_->engine().invalidatePhysPage(p);
    });
    ctl_ = std::make_unique<RunControl>(
        *cpu_,
        RunControl::Hooks{[this] { resetMachine(); }, [this](const std::string& what) { return infoReport(what); },
                          [this](int code) { requestQuit(code); }},
        opts.start_paused);
    cpu_->setEventPump([this] {
      board_->pumpEvents();
      ctl_->runPosted();
    });
    cpu_->engine().setFastmemWanted(opts.fastmem);
    cpu_->engine().setBackend(opts.tier == "interp" ? tcg::BackendKind::Interpreter
                              : opts.tier == "llvm" ? tcg::BackendKind::Llvm
                              : opts.tier == "auto" ? tcg::BackendKind::Auto
                                                    : tcg::BackendKind::X86_64,
                              size_t(opts.tb_size_mib) << 20);
    std::lock_guard<std::mutex> lock(mu_);
    live_cpu_ = cpu_.get();
    return true;
  }

  int run() override {
    board_->startInput([this] {
      std::lock_guard<std::mutex> lock(mu_);
      if (live_cpu_) live_cpu_->kick();
    });
    const int code = runLoop();
    ctl_->close();
    return code;
  }

  MachineControl& control() override { return *ctl_; }

  void requestQuit(int exit_code) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!quit_) quit_code_ = exit_code;
      quit_ = true;
      if (live_cpu_) live_cpu_->requestStop(tcg::StopReason::Stopped);
      cv_.notify_all();
    }
    if (ctl_) ctl_->wake();
  }

 private:
  // Runs the CPU, stopping where the run control (monitor, debugger) says,
  // until the guest or the user ends the run.
  int runLoop() {
    for (;;) {
      ctl_->waitWhilePaused([this] { return quit_.load(); });
      if (quit_) return quit_code_;
      tcg::StopReason why = cpu_->run();
      if (quit_) return quit_code_;
      switch (why) {
        case tcg::StopReason::Paused:
        case tcg::StopReason::Debug:
          ctl_->cpuStopped(why);
          continue;
        case tcg::StopReason::Reset:
          ctl_->guestReset();
          if (no_reboot_) {
            ctl_->guestShutdown();
            return 0;
          }
          resetMachine();
          continue;
        case tcg::StopReason::Shutdown:
          ctl_->guestShutdown();
          if (no_shutdown_) {
            warn_("the guest shut down; -no-shutdown: waiting (Ctrl-A x, a signal or the monitor's quit ends mimic)");
            ctl_->shutdownStay();
            continue;
          }
          return 0;
        case tcg::StopReason::Stopped:
          return quit_code_;
      }
    }
  }

  // The monitor's "info tlb", "info mtree" and "info qtree".
  std::string infoReport(const std::string& what) {
    if (what == "tlb") return cpu_->mmu().dump();
    if (what == "mtree") {
      std::string out = "address-space: memory\n";
      for (const Region& r : board_->addressSpace().regions())
        out += fmt::format("  {:016x}-{:016x} ({}): {}\n", r.base, r.base + r.size - 1,
                           r.isRam() ? (r.readonly ? "rom" : "ram") : "i/o", r.name);
      out += "address-space: I/O (PCI I/O window at 0x18000000)\n";
      out += board_->io().describe(0);
      return out;
    }
    if (what == "qtree") {
      std::string out = "bus: main-system-bus\n  dev: gt64120, the system controller and PCI host bridge\n"
                        "    bus: pci.0\n";
      for (int devfn = 0; devfn < 256; devfn++) {
        uint32_t id = 0, cls = 0;
        if (!board_->pciBus().configRead(devfn, 0, 4, id) || id == 0xffffffffu) continue;
        board_->pciBus().configRead(devfn, 8, 4, cls);
        const pci::PciDevice* d = board_->pciBus().device(devfn);
        out += fmt::format("      dev: {}, addr {:02x}.{}, pci id {:04x}:{:04x} (class {:04x})\n",
                           d ? d->name() : std::string("?"), devfn >> 3, devfn & 7, id & 0xffff, id >> 16, cls >> 16);
      }
      out += "        bus: isa.0 (PIIX4 ports)\n";
      out += board_->io().describe(0);
      return out;
    }
    return {};
  }

  // The guest rebooted: the board and the CPU start again as at power-on,
  // with translations dropped (RAM holds the images again).
  void resetMachine() {
    board_->reset();
    cpu_->reset();
    cpu_->state().cp0_status &= ~(1u << 2);
    cpu_->updateHflags();
    cpu_->engine().flushAll();
  }

  std::unique_ptr<MaltaBoard> board_;
  std::unique_ptr<MipsCpu> cpu_;  // destroyed before the board it uses
  std::unique_ptr<RunControl> ctl_;
  std::mutex mu_;
  std::condition_variable cv_;
  MipsCpu* live_cpu_ = nullptr;
  std::atomic<bool> quit_{false};
  std::atomic<int> quit_code_{0};
  bool no_reboot_ = false, no_shutdown_ = false;
  std::function<void(const std::string&)> warn_;
};

}  // namespace

std::unique_ptr<Machine> createMalta(const MachineOptions& opts, std::string& err) {
  auto m = std::make_unique<Malta>();
  if (!m->init(opts, err)) return nullptr;
  return m;
}

}  // namespace mimic::hw::mips
