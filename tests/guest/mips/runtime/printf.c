/* Minimal printf for the bare-metal runtime (see runtime.h for the subset). */
#include "runtime.h"

/* 64-bit unsigned division by a small constant without libgcc: classic
   shift-and-subtract long division. */
static uint64_t udivmod64(uint64_t n, uint32_t d, uint32_t *rem)
{
    uint64_t q = 0;
    uint64_t r = 0;
    for (int i = 63; i >= 0; i--) {
        r = (r << 1) | ((n >> i) & 1);
        if (r >= d) {
            r -= d;
            q |= (uint64_t)1 << i;
        }
    }
    *rem = (uint32_t)r;
    return q;
}

/* Converts v to text in buf (reversed), returns the digit count. */
static int utoa_rev(char *buf, uint64_t v, unsigned base, int upper, int is64)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        uint32_t r;
        if (base == 16) {
            r = (uint32_t)v & 15;
            v >>= 4;
        } else if (is64) {
            v = udivmod64(v, base, &r);
        } else {
            uint32_t v32 = (uint32_t)v;
            r = v32 % base;
            v = v32 / base;
        }
        buf[n++] = digits[r];
    } while (v);
    return n;
}

static int emit_padded(const char *s, int len, int width, int left, char pad,
                       char sign)
{
    int count = 0;
    int total = len + (sign ? 1 : 0);
    if (sign && pad == '0') {
        uart_putc(sign);
        count++;
        sign = 0;
    }
    if (!left)
        for (; total < width; total++, count++)
            uart_putc(pad);
    if (sign) {
        uart_putc(sign);
        count++;
    }
    uart_write(s, len);
    count += len;
    if (left)
        for (; total < width; total++, count++)
            uart_putc(' ');
    return count;
}

int vprintf(const char *fmt, va_list ap)
{
    int count = 0;
    while (*fmt) {
        char c = *fmt++;
        if (c != '%') {
            uart_putc(c);
            count++;
            continue;
        }
        int left = 0;
        int plus = 0;
        char pad = ' ';
        int width = 0;
        int lng = 0;
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '+')
                plus = 1;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        if (*fmt == '*') {
            width = va_arg(ap, int);
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        if (left)
            pad = ' ';
        char conv = *fmt ? *fmt++ : 0;
        char buf[24];
        char tmp[24];
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v = lng >= 2 ? va_arg(ap, int64_t) : va_arg(ap, int);
            char sign = 0;
            uint64_t u = (uint64_t)v;
            if (v < 0) {
                sign = '-';
                u = -u;
            } else if (plus) {
                sign = '+';
            }
            int n = utoa_rev(tmp, u, 10, 0, lng >= 2);
            for (int i = 0; i < n; i++)
                buf[i] = tmp[n - 1 - i];
            count += emit_padded(buf, n, width, left, pad, sign);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'p': {
            uint64_t u;
            if (conv == 'p')
                u = (uint32_t)va_arg(ap, void *);
            else if (lng >= 2)
                u = va_arg(ap, uint64_t);
            else
                u = va_arg(ap, unsigned);
            unsigned base = conv == 'u' ? 10 : 16;
            int n = utoa_rev(tmp, u, base, conv == 'X', lng >= 2);
            int off = 0;
            if (conv == 'p') {
                buf[0] = '0';
                buf[1] = 'x';
                off = 2;
            }
            for (int i = 0; i < n; i++)
                buf[off + i] = tmp[n - 1 - i];
            count += emit_padded(buf, n + off, width, left, pad, 0);
            break;
        }
        case 'c':
            buf[0] = (char)va_arg(ap, int);
            count += emit_padded(buf, 1, width, left, ' ', 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            count += emit_padded(s, (int)strlen(s), width, left, ' ', 0);
            break;
        }
        case '%':
            uart_putc('%');
            count++;
            break;
        case 0:
            break;
        default:
            uart_putc('%');
            uart_putc(conv);
            count += 2;
            break;
        }
    }
    return count;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    uart_puts(s);
    uart_putc('\n');
    return 1;
}

int putchar(int c)
{
    uart_putc((char)c);
    return c;
}
