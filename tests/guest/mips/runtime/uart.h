/*
 * Polled 16550 UART driver for the Malta board's COM1.
 *
 * On Malta, COM1 is the PIIX4 super-I/O UART at ISA I/O port 0x3f8.  The
 * GT-64120 system controller maps PCI/ISA I/O space at physical 0x18000000,
 * so the port is reached through kseg1 (uncached) at 0xb80003f8.
 */
#ifndef MIMIC_GUEST_UART_H
#define MIMIC_GUEST_UART_H

#define UART_BASE      0xb80003f8u
#define UART_THR       0      /* transmit holding register (write) */
#define UART_LSR       5      /* line status register */
#define UART_LSR_THRE  0x20   /* transmit holding register empty */

void uart_putc(char c);
void uart_puts(const char *s);          /* no newline appended */
void uart_write(const char *s, unsigned len);

#endif
