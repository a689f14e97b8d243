/*
 * The Malta board as an operating system's early code meets it, FreeBSD's
 * MALTA kernel in particular (no FreeBSD image exists in Debian's registry,
 * so this program does what its sources do):
 *   - the YAMON-style boot arguments: argc/argv/envp/memsize in a0-a3 and
 *     the environment strings (memsize, ememsize, modetty0, ethaddr...);
 *   - YAMON's service table at 0x9fc00500: syscon_read (0x554), called
 *     before any output, and print (0x534);
 *   - the GT-64120 registers where the firmware moved them (0x1be00000) and
 *     its PCI windows (I/O at 0x18000000);
 *   - PCI configuration reads through the GT-64120, empty slots found by
 *     the master-abort bit of its interrupt cause register;
 *   - the i8259 pair as FreeBSD programs it: poll command (OCW3 with P),
 *     specific EOI, special mask mode; with the i8254 as interrupt source.
 * Output compared byte for byte with QEMU's.
 */
#include "runtime.h"

#define KSEG1(pa) ((volatile uint32_t *)(0xa0000000u + (pa)))
#define GT_BASE 0x1be00000u
#define GT_REG(off) (*KSEG1(GT_BASE + (off)))
#define GT_PCI0_CFGADDR 0xcf8
#define GT_PCI0_CFGDATA 0xcfc
#define GT_INTRCAUSE 0xc18
#define GT_MASABORT0 (1u << 18)
#define GT_TARABORT0 (1u << 19)

#define ISA_IO 0xb8000000u
static inline void outb(unsigned port, uint8_t v) { *(volatile uint8_t *)(ISA_IO + port) = v; }
static inline uint8_t inb(unsigned port) { return *(volatile uint8_t *)(ISA_IO + port); }

/* The GT-64120 keeps its registers little-endian. */
static uint32_t gt_value(uint32_t raw) {
#ifdef __MIPSEB__
  return __builtin_bswap32(raw);
#else
  return raw;
#endif
}

typedef int (*syscon_read_fn)(int id, void *buf, int size);
typedef void (*print_fn)(int port, const char *s);
#define YAMON_FUNC(off) (*(volatile uint32_t *)(0x9fc00000u + (off)))
#define SYSCON_BOARD_CPU_CLOCK_FREQ_ID 34

static void yamon(void) {
  /* FreeBSD asks for the CPU clock first; a zero return with the buffer
     untouched (or any non-zero return) makes it assume 100 MHz. */
  uint32_t freq = 0;
  syscon_read_fn syscon_read = (syscon_read_fn)YAMON_FUNC(0x554);
  int ret = syscon_read(SYSCON_BOARD_CPU_CLOCK_FREQ_ID, &freq, sizeof freq);
  printf("yamon: syscon_read(cpu clock) returned %d, freq %u\n", ret, freq);
  print_fn print = (print_fn)YAMON_FUNC(0x534);
  print(0, "yamon: hello through the print service\n");
}

static void boot_arguments(void) {
  uint32_t argc = boot_args[0];
  const uint32_t *argv = (const uint32_t *)boot_args[1];
  const uint32_t *envp = (const uint32_t *)boot_args[2];
  printf("argc %u, memsize %u MiB\n", argc, boot_args[3] >> 20);
  for (uint32_t i = 1; i < argc && i < 8; i++)   /* argv[0] names the kernel file */
    printf("argv[%u] = \"%s\"\n", i, (const char *)argv[i]);
  for (int i = 0; envp[i] && i < 64; i += 2) {
    const char *name = (const char *)envp[i];
    const char *value = envp[i + 1] ? (const char *)envp[i + 1] : "(null)";
    /* rngseed is new at every boot: only its form is compared. */
    if (name[0] == 'r' && name[1] == 'n' && name[2] == 'g') {
      int n = 0;
      while (value[n]) n++;
      printf("env %s=(%d characters)\n", name, n);
    } else {
      printf("env %s=%s\n", name, value);
    }
  }
}

static void gt64120(void) {
  static const struct { unsigned off; const char *name; } regs[] = {
      {0x068, "ISD"}, {0x048, "PCI0IOLD"}, {0x050, "PCI0IOHD"}, {0x058, "PCI0M0LD"},
      {0x060, "PCI0M0HD"}, {0x080, "PCI0M1LD"}, {0x088, "PCI0M1HD"},
  };
  for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
    printf("gt %-8s %08x\n", regs[i].name, gt_value(GT_REG(regs[i].off)));
}

/* FreeBSD's gt_pci_conf_read: clear the cause bits, read, treat an abort
   as "no device". */
static uint32_t conf_read(int dev, int func, int reg, uint32_t *cause) {
  GT_REG(GT_INTRCAUSE) = 0;
  GT_REG(GT_PCI0_CFGADDR) = gt_value(0x80000000u | (dev << 11) | (func << 8) | reg);
  uint32_t data = GT_REG(GT_PCI0_CFGDATA);
  *cause = gt_value(GT_REG(GT_INTRCAUSE)) & (GT_MASABORT0 | GT_TARABORT0);
  return data;
}

static void pci_scan(void) {
  int empty = 0, aborted = 0;
  for (int dev = 0; dev < 32; dev++) {
    for (int func = 0; func < (dev == 10 ? 4 : 1); func++) {
      /* Not modelled by mimic (tests/linux/KNOWN_DIVERGENCES.md): the
         PIIX4's USB function and QEMU's default Cirrus VGA in slot 18. */
      if ((dev == 10 && func == 2) || dev == 18) continue;
      uint32_t cause;
      uint32_t id = conf_read(dev, func, 0, &cause);
      if (id == 0xffffffffu) {
        empty++;
        aborted += cause != 0;
        continue;
      }
      uint32_t cls = conf_read(dev, func, 8, &cause);
      uint32_t irq = conf_read(dev, func, 0x3c, &cause);
      printf("pci %02x.%d: id %08x class %08x intr %08x\n", dev, func, gt_value(id), gt_value(cls),
             gt_value(irq));
    }
  }
  printf("pci: %d empty slots read all ones, %d of them flagged master abort\n", empty, aborted);
}

/* The 8259 pair programmed like FreeBSD's icu: vectors 0 and 8, cascade
   on IRQ 2, 8086 mode, everything masked but the timer. */
static void i8259(void) {
  outb(0x20, 0x11); outb(0x21, 0x00); outb(0x21, 0x04); outb(0x21, 0x01);
  outb(0xa0, 0x11); outb(0xa1, 0x08); outb(0xa1, 0x02); outb(0xa1, 0x01);
  outb(0x21, 0xfe);
  outb(0xa1, 0xff);
  outb(0x20, 0x68);   /* OCW3: special mask mode on */

  /* i8254 channel 0, mode 2, about 1 ms. */
  outb(0x43, 0x34);
  outb(0x40, 1193 & 0xff);
  outb(0x40, 1193 >> 8);

  uint8_t poll = 0;
  for (int i = 0; i < 2000000 && !(poll & 0x80); i++) {
    outb(0x20, 0x0c);   /* OCW3: poll */
    poll = inb(0x20);
  }
  printf("8259 poll: %02x (%s)\n", poll, (poll & 0x80) ? "interrupt" : "none");
  outb(0x20, 0x0b);    /* OCW3: read ISR */
  printf("8259 ISR after poll: %02x\n", inb(0x20));
  outb(0x20, 0x60 | (poll & 7));   /* specific EOI */
  printf("8259 ISR after specific EOI: %02x\n", inb(0x20));
  outb(0x21, 0xff);    /* mask the timer again */
  outb(0x20, 0x0c);
  printf("8259 poll with everything masked: %02x\n", inb(0x20) & 0x80);
  printf("8259 masks: %02x %02x\n", inb(0x21), inb(0xa1));
  outb(0x20, 0x48);    /* special mask mode off */
  outb(0x43, 0x30);    /* stop the timer: mode 0, count 0 */
}

int main(void) {
  yamon();
  puts("board test");
  boot_arguments();
  gt64120();
  pci_scan();
  i8259();
  return 0;
}
