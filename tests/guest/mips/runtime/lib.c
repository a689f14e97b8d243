/* Freestanding string/memory helpers and program termination. */
#include "runtime.h"

void *memcpy(void *dst, const void *src, unsigned n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, unsigned n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, unsigned n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, unsigned n)
{
    const unsigned char *x = a, *y = b;
    for (unsigned i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

unsigned strlen(const char *s)
{
    unsigned n = 0;
    while (s[n])
        n++;
    return n;
}

#define MALTA_SOFTRES   0xbf000500u     /* FPGA software reset register */
#define MALTA_GORESET   0x42u

void exit(int code)
{
    if (code)
        printf("exit code %d\n", code);
    *(volatile uint32_t *)MALTA_SOFTRES = MALTA_GORESET;
    for (;;)
        ;
}

void done(void)
{
    uart_puts("DONE\n");
    exit(0);
}
