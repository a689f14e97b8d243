/* Polled 16550 output on Malta COM1 (see uart.h). */
#include "uart.h"

static inline unsigned char uart_read_reg(unsigned reg)
{
    return *(volatile unsigned char *)(UART_BASE + reg);
}

static inline void uart_write_reg(unsigned reg, unsigned char val)
{
    *(volatile unsigned char *)(UART_BASE + reg) = val;
}

void uart_putc(char c)
{
    /* Wait until the transmitter can take another byte (LSR bit 5). */
    while (!(uart_read_reg(UART_LSR) & UART_LSR_THRE))
        ;
    uart_write_reg(UART_THR, (unsigned char)c);
}

void uart_write(const char *s, unsigned len)
{
    for (unsigned i = 0; i < len; i++)
        uart_putc(s[i]);
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}
