#include "hw/mips/gt64120.h"

#include "util/log.h"

namespace mimic::hw::mips {

namespace {

// Register offsets (GT-64120 datasheet; the subset QEMU's Malta uses).
enum : uint32_t {
  // CPU configuration
  GT_CPU = 0x000, GT_MULTI = 0x120,
  // CPU address decode
  GT_SCS10LD = 0x008, GT_SCS10HD = 0x010, GT_SCS32LD = 0x018, GT_SCS32HD = 0x020,
  GT_CS20LD = 0x028, GT_CS20HD = 0x030, GT_CS3BOOTLD = 0x038, GT_CS3BOOTHD = 0x040,
  GT_PCI0IOLD = 0x048, GT_PCI0IOHD = 0x050, GT_PCI0M0LD = 0x058, GT_PCI0M0HD = 0x060,
  GT_ISD = 0x068,
  GT_PCI0M1LD = 0x080, GT_PCI0M1HD = 0x088, GT_PCI1IOLD = 0x090, GT_PCI1IOHD = 0x098,
  GT_PCI1M0LD = 0x0a0, GT_PCI1M0HD = 0x0a8, GT_PCI1M1LD = 0x0b0, GT_PCI1M1HD = 0x0b8,
  GT_SCS10AR = 0x0d0, GT_SCS32AR = 0x0d8, GT_CS20R = 0x0e0, GT_CS3BOOTR = 0x0e8,
  GT_PCI0IOREMAP = 0x0f0, GT_PCI0M0REMAP = 0x0f8, GT_PCI0M1REMAP = 0x100,
  GT_PCI1IOREMAP = 0x108, GT_PCI1M0REMAP = 0x110, GT_PCI1M1REMAP = 0x118,
  // CPU error report
  GT_CPUERR_ADDRLO = 0x070, GT_CPUERR_ADDRHI = 0x078, GT_CPUERR_DATALO = 0x128,
  GT_CPUERR_DATAHI = 0x130, GT_CPUERR_PARITY = 0x138,
  // CPU sync barrier
  GT_PCI0SYNC = 0x0c0, GT_PCI1SYNC = 0x0c8,
  // SDRAM and device address decode
  GT_SCS0LD = 0x400, GT_SCS0HD = 0x404, GT_SCS1LD = 0x408, GT_SCS1HD = 0x40c,
  GT_SCS2LD = 0x410, GT_SCS2HD = 0x414, GT_SCS3LD = 0x418, GT_SCS3HD = 0x41c,
  GT_CS0LD = 0x420, GT_CS0HD = 0x424, GT_CS1LD = 0x428, GT_CS1HD = 0x42c,
  GT_CS2LD = 0x430, GT_CS2HD = 0x434, GT_CS3LD = 0x438, GT_CS3HD = 0x43c,
  GT_BOOTLD = 0x440, GT_BOOTHD = 0x444, GT_ADERR = 0x470,
  // SDRAM configuration and parameters
  GT_SDRAM_CFG = 0x448, GT_SDRAM_OPMODE = 0x474, GT_SDRAM_BM = 0x478, GT_SDRAM_ADDRDECODE = 0x47c,
  GT_SDRAM_B0 = 0x44c, GT_SDRAM_B1 = 0x450, GT_SDRAM_B2 = 0x454, GT_SDRAM_B3 = 0x458,
  // Device parameters
  GT_DEV_B0 = 0x45c, GT_DEV_B1 = 0x460, GT_DEV_B2 = 0x464, GT_DEV_B3 = 0x468, GT_DEV_BOOT = 0x46c,
  // ECC
  GT_ECC_ERRDATALO = 0x480, GT_ECC_ERRDATAHI = 0x484, GT_ECC_MEM = 0x488, GT_ECC_CALC = 0x48c,
  GT_ECC_ERRADDR = 0x490,
  // DMA (0x800..0x87f) and timers
  GT_DMA_FIRST = 0x800, GT_DMA_LAST = 0x87c,
  GT_TC0 = 0x850, GT_TC1 = 0x854, GT_TC2 = 0x858, GT_TC3 = 0x85c, GT_TC_CONTROL = 0x864,
  // PCI internal
  GT_PCI0_CMD = 0xc00, GT_PCI0_TOR = 0xc04, GT_PCI0_BS_SCS10 = 0xc08, GT_PCI0_BS_SCS32 = 0xc0c,
  GT_PCI0_BS_CS20 = 0xc10, GT_PCI0_BS_CS3BT = 0xc14, GT_PCI1_IACK = 0xc30, GT_PCI0_IACK = 0xc34,
  GT_PCI0_BARE = 0xc3c, GT_PCI0_PREFMBR = 0xc40, GT_PCI0_SCS10_BAR = 0xc48, GT_PCI0_SCS32_BAR = 0xc4c,
  GT_PCI0_CS20_BAR = 0xc50, GT_PCI0_CS3BT_BAR = 0xc54, GT_PCI0_SSCS10_BAR = 0xc58,
  GT_PCI0_SSCS32_BAR = 0xc5c, GT_PCI0_SCS3BT_BAR = 0xc64,
  GT_PCI1_CMD = 0xc80, GT_PCI1_TOR = 0xc84, GT_PCI1_BS_SCS10 = 0xc88, GT_PCI1_BS_SCS32 = 0xc8c,
  GT_PCI1_BS_CS20 = 0xc90, GT_PCI1_BS_CS3BT = 0xc94, GT_PCI1_BARE = 0xcbc, GT_PCI1_PREFMBR = 0xcc0,
  GT_PCI1_SCS10_BAR = 0xcc8, GT_PCI1_SCS32_BAR = 0xccc, GT_PCI1_CS20_BAR = 0xcd0,
  GT_PCI1_CS3BT_BAR = 0xcd4, GT_PCI1_SSCS10_BAR = 0xcd8, GT_PCI1_SSCS32_BAR = 0xcdc,
  GT_PCI1_SCS3BT_BAR = 0xce4, GT_PCI1_CFGADDR = 0xcf0, GT_PCI1_CFGDATA = 0xcf4,
  GT_PCI0_CFGADDR = 0xcf8, GT_PCI0_CFGDATA = 0xcfc,
  // Interrupts
  GT_INTRCAUSE = 0xc18, GT_INTRMASK = 0xc1c, GT_PCI0_ICMASK = 0xc24, GT_PCI0_SERR0MASK = 0xc28,
  GT_CPU_INTSEL = 0xc70, GT_PCI0_INTSEL = 0xc74, GT_HINTRCAUSE = 0xc98, GT_HINTRMASK = 0xc9c,
  GT_PCI0_HICMASK = 0xca4, GT_PCI1_SERR1MASK = 0xca8,
};

constexpr uint32_t kCpuEndianness = 1u << 12;  // GT_CPU: CPU interface is little-endian

constexpr uint32_t idx(uint32_t offset) { return offset >> 2; }

uint32_t bswap32(uint32_t v) { return __builtin_bswap32(v); }

uint64_t bswapN(uint64_t v, unsigned size) {
  switch (size) {
    case 2: return __builtin_bswap16(static_cast<uint16_t>(v));
    case 4: return __builtin_bswap32(static_cast<uint32_t>(v));
    case 8: return __builtin_bswap64(v);
    default: return v;
  }
}

// Registers the CPU may read back as stored.
bool plainReadable(uint32_t off) {
  switch (off) {
    case GT_CPU: case GT_MULTI:
    case GT_SCS10LD: case GT_SCS10HD: case GT_SCS32LD: case GT_SCS32HD:
    case GT_CS20LD: case GT_CS20HD: case GT_CS3BOOTLD: case GT_CS3BOOTHD:
    case GT_SCS10AR: case GT_SCS32AR: case GT_CS20R: case GT_CS3BOOTR:
    case GT_PCI0IOLD: case GT_PCI0M0LD: case GT_PCI0M1LD: case GT_PCI1IOLD: case GT_PCI1M0LD:
    case GT_PCI1M1LD: case GT_PCI0IOHD: case GT_PCI0M0HD: case GT_PCI0M1HD: case GT_PCI1IOHD:
    case GT_PCI1M0HD: case GT_PCI1M1HD:
    case GT_PCI0IOREMAP: case GT_PCI0M0REMAP: case GT_PCI0M1REMAP: case GT_PCI1IOREMAP:
    case GT_PCI1M0REMAP: case GT_PCI1M1REMAP: case GT_ISD:
    case GT_CPUERR_ADDRLO: case GT_CPUERR_ADDRHI: case GT_CPUERR_DATALO: case GT_CPUERR_DATAHI:
    case GT_CPUERR_PARITY:
    case GT_ECC_ERRDATALO: case GT_ECC_ERRDATAHI: case GT_ECC_MEM: case GT_ECC_CALC: case GT_ECC_ERRADDR:
    case GT_SCS0LD: case GT_SCS0HD: case GT_SCS1LD: case GT_SCS1HD: case GT_SCS2LD: case GT_SCS2HD:
    case GT_SCS3LD: case GT_SCS3HD: case GT_CS0LD: case GT_CS0HD: case GT_CS1LD: case GT_CS1HD:
    case GT_CS2LD: case GT_CS2HD: case GT_CS3LD: case GT_CS3HD: case GT_BOOTLD: case GT_BOOTHD:
    case GT_ADERR:
    case GT_SDRAM_CFG: case GT_SDRAM_OPMODE: case GT_SDRAM_BM: case GT_SDRAM_ADDRDECODE:
    case GT_SDRAM_B0: case GT_SDRAM_B1: case GT_SDRAM_B2: case GT_SDRAM_B3:
    case GT_DEV_B0: case GT_DEV_B1: case GT_DEV_B2: case GT_DEV_B3: case GT_DEV_BOOT:
    case GT_TC0: case GT_TC1: case GT_TC2: case GT_TC3: case GT_TC_CONTROL:
    case GT_PCI0_CMD: case GT_PCI0_TOR: case GT_PCI0_BS_SCS10: case GT_PCI0_BS_SCS32:
    case GT_PCI0_BS_CS20: case GT_PCI0_BS_CS3BT: case GT_PCI1_IACK: case GT_PCI0_BARE:
    case GT_PCI0_PREFMBR: case GT_PCI0_SCS10_BAR: case GT_PCI0_SCS32_BAR: case GT_PCI0_CS20_BAR:
    case GT_PCI0_CS3BT_BAR: case GT_PCI0_SSCS10_BAR: case GT_PCI0_SSCS32_BAR: case GT_PCI0_SCS3BT_BAR:
    case GT_PCI1_CMD: case GT_PCI1_TOR: case GT_PCI1_BS_SCS10: case GT_PCI1_BS_SCS32:
    case GT_PCI1_BS_CS20: case GT_PCI1_BS_CS3BT: case GT_PCI1_BARE: case GT_PCI1_PREFMBR:
    case GT_PCI1_SCS10_BAR: case GT_PCI1_SCS32_BAR: case GT_PCI1_CS20_BAR: case GT_PCI1_CS3BT_BAR:
    case GT_PCI1_SSCS10_BAR: case GT_PCI1_SSCS32_BAR: case GT_PCI1_SCS3BT_BAR:
    case GT_PCI1_CFGADDR: case GT_PCI1_CFGDATA: case GT_PCI0_CFGADDR:
    case GT_INTRCAUSE: case GT_INTRMASK: case GT_PCI0_ICMASK: case GT_PCI0_SERR0MASK:
    case GT_HINTRCAUSE: case GT_CPU_INTSEL: case GT_PCI0_INTSEL: case GT_HINTRMASK:
    case GT_PCI0_HICMASK: case GT_PCI1_SERR1MASK:
      return true;
    default:
      return off >= GT_DMA_FIRST && off <= GT_DMA_LAST;
  }
}

}  // namespace

// The GT-64120 as PCI device 0: a host bridge whose BARs show where the
// CPU-side decoders put SDRAM, devices and the register block. The values
// are the reset decodes (as QEMU reports them) and read-only here.
class Gt64120HostFunction : public pci::PciDevice {
 public:
  Gt64120HostFunction()
      : PciDevice("gt64120-pci", pci::PciIds{.vendor = 0x11ab, .device = 0x4620, .revision = 0x10,
                                            .class_code = 0x060000, .interrupt_pin = 1}) {
    set16(pci::kCfgCommand, 0);
    set32(pci::kCfgBar0 + 0, 0x00000008);   // SCS[1:0]: SDRAM, prefetchable
    set32(pci::kCfgBar0 + 4, 0x01000008);   // SCS[3:2]
    set32(pci::kCfgBar0 + 8, 0x1c000000);   // CS[2:0]
    set32(pci::kCfgBar0 + 12, 0x1f000000);  // CS3 and boot CS
    set32(pci::kCfgBar0 + 16, 0x14000000);  // internal registers, memory
    set32(pci::kCfgBar0 + 20, 0x14000001);  // internal registers, I/O
  }
};

Gt64120::Gt64120(bool cpu_big_endian, IoSpace& io, IoSpace& pci_mem)
    : cpu_big_endian_(cpu_big_endian), io_(io), pci_mem_(pci_mem),
      host_fn_(std::make_unique<Gt64120HostFunction>()) {
  reset();
}

Gt64120::~Gt64120() = default;

pci::PciDevice& Gt64120::hostFunction() { return *host_fn_; }

// MByteSwap (GT_PCI0_CMD bit 0) clear: configuration data of the other
// devices crosses the bridge byte-swapped.
bool Gt64120::configDataSwapped() const {
  return !(regs_[idx(GT_PCI0_CMD)] & 1) && (regs_[idx(GT_PCI0_CFGADDR)] & 0x00fff800);
}

// A configuration cycle as GT_PCI0_CFGADDR describes it: enable bit 31, bus
// 23:16, device/function 15:8, register 7:2. Only bus 0 exists; cycles for
// other buses, or with the enable bit clear, end in a master abort.
uint32_t Gt64120::configDataRead() {
  uint32_t addr = regs_[idx(GT_PCI0_CFGADDR)];
  uint32_t v = 0xffffffff;
  bool answered = false;
  if ((addr & 0x80000000) && ((addr >> 16) & 0xff) == 0 && bus_)
    answered = bus_->configRead(int((addr >> 8) & 0xff), addr & 0xfc, 4, v);
  if (!answered) {
    v = 0xffffffff;
    regs_[idx(GT_INTRCAUSE)] |= kMasterAbort0 | 1;
  }
  return configDataSwapped() ? bswap32(v) : v;
}

void Gt64120::configDataWrite(uint32_t v) {
  uint32_t addr = regs_[idx(GT_PCI0_CFGADDR)];
  if (configDataSwapped()) v = bswap32(v);
  bool answered = false;
  if ((addr & 0x80000000) && ((addr >> 16) & 0xff) == 0 && bus_)
    answered = bus_->configWrite(int((addr >> 8) & 0xff), addr & 0xfc, v, 4);
  if (!answered) regs_[idx(GT_INTRCAUSE)] |= kMasterAbort0 | 1;
}

bool Gt64120::swapped() const { return !(regs_[idx(GT_CPU)] & kCpuEndianness); }

void Gt64120::reset() {
  for (uint32_t& r : regs_) r = 0;
  struct Init {
    uint32_t off, value;
  };
  // Power-on values of the Malta's GT-64120 (as QEMU sets them).
  static constexpr Init kInit[] = {
      {GT_MULTI, 0x00000003},
      {GT_SCS10LD, 0x00000000}, {GT_SCS10HD, 0x00000007}, {GT_SCS32LD, 0x00000008},
      {GT_SCS32HD, 0x0000000f}, {GT_CS20LD, 0x000000e0}, {GT_CS20HD, 0x00000070},
      {GT_CS3BOOTLD, 0x000000f8}, {GT_CS3BOOTHD, 0x0000007f},
      {GT_PCI0IOLD, 0x00000080}, {GT_PCI0IOHD, 0x0000000f}, {GT_PCI0M0LD, 0x00000090},
      {GT_PCI0M0HD, 0x0000001f}, {GT_ISD, 0x000000a0}, {GT_PCI0M1LD, 0x00000790},
      {GT_PCI0M1HD, 0x0000001f}, {GT_PCI1IOLD, 0x00000100}, {GT_PCI1IOHD, 0x0000000f},
      {GT_PCI1M0LD, 0x00000110}, {GT_PCI1M0HD, 0x0000001f}, {GT_PCI1M1LD, 0x00000120},
      {GT_PCI1M1HD, 0x0000002f},
      {GT_SCS10AR, 0x00000000}, {GT_SCS32AR, 0x00000008}, {GT_CS20R, 0x000000e0},
      {GT_CS3BOOTR, 0x000000f8},
      {GT_PCI0IOREMAP, 0x00000080}, {GT_PCI0M0REMAP, 0x00000090}, {GT_PCI0M1REMAP, 0x00000790},
      {GT_PCI1IOREMAP, 0x00000100}, {GT_PCI1M0REMAP, 0x00000110}, {GT_PCI1M1REMAP, 0x00000120},
      {GT_CPUERR_DATALO, 0xffffffff}, {GT_CPUERR_DATAHI, 0xffffffff}, {GT_CPUERR_PARITY, 0x000000ff},
      {GT_SCS0LD, 0x00000000}, {GT_SCS0HD, 0x00000007}, {GT_SCS1LD, 0x00000008},
      {GT_SCS1HD, 0x0000000f}, {GT_SCS2LD, 0x00000010}, {GT_SCS2HD, 0x00000017},
      {GT_SCS3LD, 0x00000018}, {GT_SCS3HD, 0x0000001f}, {GT_CS0LD, 0x000000c0},
      {GT_CS0HD, 0x000000c7}, {GT_CS1LD, 0x000000c8}, {GT_CS1HD, 0x000000cf},
      {GT_CS2LD, 0x000000d0}, {GT_CS2HD, 0x000000df}, {GT_CS3LD, 0x000000f0},
      {GT_CS3HD, 0x000000fb}, {GT_BOOTLD, 0x000000fc}, {GT_BOOTHD, 0x000000ff},
      {GT_ADERR, 0xffffffff},
      {GT_SDRAM_CFG, 0x00000200}, {GT_SDRAM_BM, 0x00000007}, {GT_SDRAM_ADDRDECODE, 0x00000002},
      {GT_SDRAM_B0, 0x00000005}, {GT_SDRAM_B1, 0x00000005}, {GT_SDRAM_B2, 0x00000005},
      {GT_SDRAM_B3, 0x00000005},
      {GT_DEV_B0, 0x386fffff}, {GT_DEV_B1, 0x386fffff}, {GT_DEV_B2, 0x386fffff},
      {GT_DEV_B3, 0x386fffff}, {GT_DEV_BOOT, 0x146fffff},
      {GT_TC0, 0xffffffff}, {GT_TC1, 0x00ffffff}, {GT_TC2, 0x00ffffff}, {GT_TC3, 0x00ffffff},
      {GT_PCI0_TOR, 0x0000070f}, {GT_PCI0_BS_SCS10, 0x00fff000}, {GT_PCI0_BS_SCS32, 0x00fff000},
      {GT_PCI0_BS_CS20, 0x01fff000}, {GT_PCI0_BS_CS3BT, 0x00fff000}, {GT_PCI0_BARE, 0x0000000f},
      {GT_PCI0_PREFMBR, 0x00000040}, {GT_PCI0_SCS32_BAR, 0x01000000}, {GT_PCI0_CS20_BAR, 0x1c000000},
      {GT_PCI0_CS3BT_BAR, 0x1f000000}, {GT_PCI0_SSCS32_BAR, 0x01000000},
      {GT_PCI0_SCS3BT_BAR, 0x1f000000},
      {GT_PCI1_TOR, 0x0000070f}, {GT_PCI1_BS_SCS10, 0x00fff000}, {GT_PCI1_BS_SCS32, 0x00fff000},
      {GT_PCI1_BS_CS20, 0x01fff000}, {GT_PCI1_BS_CS3BT, 0x00fff000}, {GT_PCI1_BARE, 0x0000000f},
      {GT_PCI1_PREFMBR, 0x00000040}, {GT_PCI1_SCS32_BAR, 0x01000000}, {GT_PCI1_CS20_BAR, 0x1c000000},
      {GT_PCI1_CS3BT_BAR, 0x1f000000}, {GT_PCI1_SSCS32_BAR, 0x01000000},
      {GT_PCI1_SCS3BT_BAR, 0x1f000000},
  };
  for (const Init& i : kInit) regs_[idx(i.off)] = i.value;
  // A little-endian CPU: the CPU interface and the PCI master/slave byte
  // swapping are set up for it.
  bool le = !cpu_big_endian_;
  regs_[idx(GT_CPU)] = le ? kCpuEndianness : 0;
  regs_[idx(GT_PCI0_CMD)] = le ? 0x00010001 : 0;
  regs_[idx(GT_PCI1_CMD)] = le ? 0x00010001 : 0;
  isd_ = {};
  pci0_io_ = pci0_m0_ = pci0_m1_ = {};
  updateIsd();
  updatePciWindows();
}

void Gt64120::updateIsd() {
  // GT_ISD bits 14:0 give address bits 35:21. The board's flash and boot
  // ROM areas cannot be covered: the window moves past them.
  uint64_t start = (static_cast<uint64_t>(regs_[idx(GT_ISD)]) << 21) & 0xfffe00000ull;
  uint64_t end = start + kRegsSize;
  if (end >= 0x1e000000 && end < 0x1f100000) end = 0x1e000000;
  if (start >= 0x1e000000 && start < 0x1f100000) start = 0x1f100000;
  if (end >= 0x1fc00000 && end < 0x1fd00000) end = 0x1fc00000;
  if (start >= 0x1fc00000 && start < 0x1fd00000) start = 0x1fd00000;
  isd_ = {start, kRegsSize};
}

void Gt64120::updatePciWindows() {
  auto update = [&](uint32_t ld_off, uint32_t hd_off, Window& w) {
    uint32_t ld = regs_[idx(ld_off)], hd = regs_[idx(hd_off)];
    // A window whose low decode lies above its high decode keeps its old mapping.
    if ((ld & 0x7f) > hd) return;
    w.start = static_cast<uint64_t>(ld) << 21;
    w.length = static_cast<uint64_t>((hd + 1) - (ld & 0x7f)) << 21;
  };
  update(GT_PCI0IOLD, GT_PCI0IOHD, pci0_io_);
  update(GT_PCI0M0LD, GT_PCI0M0HD, pci0_m0_);
  update(GT_PCI0M1LD, GT_PCI0M1HD, pci0_m1_);
}

// One 32-bit register as the CPU reads it.
uint32_t Gt64120::readWord(uint32_t index) {
  uint32_t off = index << 2;
  uint32_t v;
  switch (off) {
    case GT_PCI0SYNC:
    case GT_PCI1SYNC:
      // Reading these flushes the (unmodelled) PCI FIFOs; the value is junk.
      v = 0xc000ffee;
      break;
    case GT_PCI0_IACK:
      if (iack_) {
        v = iack_();
      } else {
        log::logf(log::kUnimp, "gt64120: PCI interrupt acknowledge with no interrupt controller: reads 0\n");
        v = 0;
      }
      break;
    case GT_PCI0_CFGDATA:
      v = configDataRead();
      break;
    default:
      v = regs_[index];
      if (!plainReadable(off))
        log::logf(log::kGuestErrors, "gt64120: illegal register read reg:{:#05x} value:{:#010x}\n", off, v);
      break;
  }
  return swapped() ? bswap32(v) : v;
}

void Gt64120::writeWord(uint32_t index, uint32_t val, unsigned size) {
  uint32_t off = index << 2;
  if (swapped()) val = bswap32(val);
  uint32_t& r = regs_[index];
  auto unimp = [&](const char* what) {
    log::logf(log::kUnimp, "gt64120: unimplemented {} register write reg:{:#05x} size:{} value:{:#010x}\n",
              what, off, size, val);
  };
  switch (off) {
    case GT_CPU:
      r = val;
      return;
    case GT_MULTI:
      return;  // read-only: a single GT-64120 on the CPU bus
    // Writing a window's low decode also sets its remap register; only the
    // PCI0 windows are decoded on this board.
    case GT_PCI0IOLD: case GT_PCI0M0LD: case GT_PCI0M1LD:
    case GT_PCI1IOLD: case GT_PCI1M0LD: case GT_PCI1M1LD: {
      r = val & 0x7fff;
      const uint32_t remap = off == GT_PCI0IOLD ? GT_PCI0IOREMAP : off == GT_PCI0M0LD ? GT_PCI0M0REMAP
                           : off == GT_PCI0M1LD ? GT_PCI0M1REMAP : off == GT_PCI1IOLD ? GT_PCI1IOREMAP
                           : off == GT_PCI1M0LD ? GT_PCI1M0REMAP : GT_PCI1M1REMAP;
      regs_[idx(remap)] = val & 0x7ff;
      if (off == GT_PCI0IOLD || off == GT_PCI0M0LD || off == GT_PCI0M1LD) updatePciWindows();
      return;
    }
    case GT_PCI0IOHD:
    case GT_PCI0M0HD:
    case GT_PCI0M1HD:
      r = val & 0x7f;
      updatePciWindows();
      return;
    case GT_PCI1IOHD:
    case GT_PCI1M0HD:
    case GT_PCI1M1HD:
      r = val & 0x7f;
      return;
    case GT_ISD:
      r = val & 0x7fff;
      updateIsd();
      return;
    case GT_PCI0IOREMAP:
    case GT_PCI0M0REMAP:
    case GT_PCI0M1REMAP:
    case GT_PCI1IOREMAP:
    case GT_PCI1M0REMAP:
    case GT_PCI1M1REMAP:
      r = val & 0x7ff;
      return;
    case GT_CPUERR_ADDRLO:
    case GT_CPUERR_ADDRHI:
    case GT_CPUERR_DATALO:
    case GT_CPUERR_DATAHI:
    case GT_CPUERR_PARITY:
    case GT_PCI0SYNC:
    case GT_PCI1SYNC:
    case GT_ECC_ERRDATALO:
    case GT_ECC_ERRDATAHI:
    case GT_ECC_MEM:
    case GT_ECC_CALC:
    case GT_ECC_ERRADDR:
      log::logf(log::kGuestErrors, "gt64120: read-only register write reg:{:#05x} size:{} value:{:#010x}\n",
                off, size, val);
      return;
    case GT_SCS0LD: case GT_SCS0HD: case GT_SCS1LD: case GT_SCS1HD: case GT_SCS2LD: case GT_SCS2HD:
    case GT_SCS3LD: case GT_SCS3HD: case GT_CS0LD: case GT_CS0HD: case GT_CS1LD: case GT_CS1HD:
    case GT_CS2LD: case GT_CS2HD: case GT_CS3LD: case GT_CS3HD: case GT_BOOTLD: case GT_BOOTHD:
    case GT_ADERR:
    case GT_SDRAM_CFG: case GT_SDRAM_OPMODE: case GT_SDRAM_BM: case GT_SDRAM_ADDRDECODE:
    case GT_SDRAM_B0: case GT_SDRAM_B1: case GT_SDRAM_B2: case GT_SDRAM_B3:
      // SDRAM decode and timing: accepted and kept, nothing to emulate.
      r = val;
      return;
    case GT_DEV_B0: case GT_DEV_B1: case GT_DEV_B2: case GT_DEV_B3: case GT_DEV_BOOT:
      unimp("device");
      return;
    case GT_TC0: case GT_TC1: case GT_TC2: case GT_TC3: case GT_TC_CONTROL:
      unimp("timer");
      return;
    case GT_PCI0_CMD:
    case GT_PCI1_CMD:
      r = val & 0x0401fc0f;
      return;
    case GT_PCI0_TOR: case GT_PCI0_BS_SCS10: case GT_PCI0_BS_SCS32: case GT_PCI0_BS_CS20:
    case GT_PCI0_BS_CS3BT: case GT_PCI1_IACK: case GT_PCI0_IACK: case GT_PCI0_BARE:
    case GT_PCI0_PREFMBR: case GT_PCI0_SCS10_BAR: case GT_PCI0_SCS32_BAR: case GT_PCI0_CS20_BAR:
    case GT_PCI0_CS3BT_BAR: case GT_PCI0_SSCS10_BAR: case GT_PCI0_SSCS32_BAR: case GT_PCI0_SCS3BT_BAR:
    case GT_PCI1_TOR: case GT_PCI1_BS_SCS10: case GT_PCI1_BS_SCS32: case GT_PCI1_BS_CS20:
    case GT_PCI1_BS_CS3BT: case GT_PCI1_BARE: case GT_PCI1_PREFMBR: case GT_PCI1_SCS10_BAR:
    case GT_PCI1_SCS32_BAR: case GT_PCI1_CS20_BAR: case GT_PCI1_CS3BT_BAR: case GT_PCI1_SSCS10_BAR:
    case GT_PCI1_SSCS32_BAR: case GT_PCI1_SCS3BT_BAR: case GT_PCI1_CFGADDR: case GT_PCI1_CFGDATA:
      unimp("PCI");
      return;
    case GT_PCI0_CFGADDR:
      r = val & 0x80fffffc;
      return;
    case GT_PCI0_CFGDATA:
      configDataWrite(val);
      return;
    case GT_INTRCAUSE:
      // Writing 0 clears a cause bit; bit 0 summarises the others.
      r &= val & 0xfffffffe;
      r |= (r & 0xfffffffe) ? 1 : 0;
      return;
    case GT_INTRMASK:
      r = val & 0x3c3ffffe;
      return;
    case GT_PCI0_ICMASK:
      r = val & 0x03fffffe;
      return;
    case GT_PCI0_SERR0MASK:
      r = val & 0x3f;
      return;
    case GT_HINTRCAUSE:
    case GT_CPU_INTSEL:
    case GT_PCI0_INTSEL:
    case GT_HINTRMASK:
    case GT_PCI0_HICMASK:
    case GT_PCI1_SERR1MASK:
      return;  // reserved with only PCI_0 configured
    default:
      if (off >= GT_DMA_FIRST && off <= GT_DMA_LAST) {
        unimp("DMA");
        return;
      }
      log::logf(log::kGuestErrors, "gt64120: illegal register write reg:{:#05x} size:{} value:{:#010x}\n", off,
                size, val);
      return;
  }
}

uint64_t Gt64120::readReg(uint32_t offset, unsigned size) {
  offset &= kRegsSize - 1;
  uint32_t index = offset >> 2;
  if (size == 8) {
    uint64_t w0 = readWord(index), w1 = readWord((index + 1) % (kRegsSize / 4));
    return cpu_big_endian_ ? (w0 << 32) | w1 : w0 | (w1 << 32);
  }
  uint32_t v = readWord(index);
  if (size >= 4) return v;
  // A narrower access reads the whole register and keeps the lane QEMU's
  // memory core keeps: the low bits (little-endian) or the high bits (big).
  uint32_t mask = (1u << (8 * size)) - 1;
  return cpu_big_endian_ ? (v >> (8 * (4 - size))) & mask : v & mask;
}

void Gt64120::writeReg(uint32_t offset, uint64_t value, unsigned size) {
  offset &= kRegsSize - 1;
  uint32_t index = offset >> 2;
  if (size == 8) {
    uint32_t hi = static_cast<uint32_t>(value >> 32), lo = static_cast<uint32_t>(value);
    writeWord(index, cpu_big_endian_ ? hi : lo, 4);
    writeWord((index + 1) % (kRegsSize / 4), cpu_big_endian_ ? lo : hi, 4);
    return;
  }
  if (size < 4) {
    log::logf(log::kGuestErrors, "gt64120: {}-byte write to register {:#05x}: the whole register is written\n",
              size, offset & ~3u);
    uint32_t mask = (1u << (8 * size)) - 1;
    uint32_t v = static_cast<uint32_t>(value) & mask;
    writeWord(index, cpu_big_endian_ ? v << (8 * (4 - size)) : v, size);
    return;
  }
  writeWord(index, static_cast<uint32_t>(value), size);
}

uint64_t Gt64120::ioRead(uint64_t port, unsigned size) {
  uint64_t v = port >= IoSpace::kSize ? 0 : io_.read(static_cast<uint32_t>(port), size);
  return cpu_big_endian_ ? bswapN(v, size) : v;
}

void Gt64120::ioWrite(uint64_t port, uint64_t value, unsigned size) {
  if (port >= IoSpace::kSize) return;
  io_.write(static_cast<uint32_t>(port), cpu_big_endian_ ? bswapN(value, size) : value, size);
}

uint64_t Gt64120::read(uint64_t paddr, unsigned size) {
  if (isd_.contains(paddr)) return readReg(static_cast<uint32_t>(paddr - isd_.start), size);
  if (pci0_io_.contains(paddr)) return ioRead(paddr - pci0_io_.start, size);
  if (pci0_m0_.contains(paddr) || pci0_m1_.contains(paddr)) {
    uint64_t v = pci_mem_.read(static_cast<uint32_t>(paddr), size);
    return cpu_big_endian_ ? bswapN(v, size) : v;
  }
  log::logf(log::kGuestErrors, "gt64120: read of size {} at unassigned address {:#x}: reads 0\n", size, paddr);
  return 0;
}

void Gt64120::write(uint64_t paddr, uint64_t value, unsigned size) {
  if (isd_.contains(paddr)) return writeReg(static_cast<uint32_t>(paddr - isd_.start), value, size);
  if (pci0_io_.contains(paddr)) return ioWrite(paddr - pci0_io_.start, value, size);
  if (pci0_m0_.contains(paddr) || pci0_m1_.contains(paddr)) {
    pci_mem_.write(static_cast<uint32_t>(paddr), cpu_big_endian_ ? bswapN(value, size) : value, size);
    return;
  }
  log::logf(log::kGuestErrors, "gt64120: write of size {} value {:#x} at unassigned address {:#x}: ignored\n",
            size, value, paddr);
}

}  // namespace mimic::hw::mips
