/*
 * dhrystone_like: a mix of "typical" systems-code operations (this is an
 * original program in the spirit of Dhrystone, not its source).
 *
 * Every iteration: struct assignments, a string copy and compare with our
 * own byte loops, calls with several arguments and pointer out-parameters,
 * a switch on an enum, one- and two-dimensional array updates, character
 * classification and a short linked-list walk.  Mostly small functions
 * (kept out of line) and short blocks: call/return and load/store mix.
 */
#include "runtime.h"

static volatile uint32_t iterations = 4800000;

enum colour { RED, GREEN, BLUE, YELLOW, BLACK };

struct record {
    struct record *next;
    enum colour colour;
    int32_t count;
    int32_t weight;
    char tag[20];
};

static struct record pool[4];
static struct record templ = { 0, GREEN, 7, 40, "TEMPLATE RECORD" };

static int32_t table1[64];
static int32_t table2[64][64];
static char last_char = 'A';
static int32_t global_total;
static char buf_a[40], buf_b[40];

static const char *const phrases[2] = {
    "THE QUICK BROWN FOX, 1ST STRING",
    "THE QUICK BROWN FOX, 2ND STRING",
};

static NOINLINE void str_copy(char *dst, const char *src)
{
    while ((*dst++ = *src++) != 0)
        ;
}

static NOINLINE int str_compare(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static NOINLINE int classify(char c)
{
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= '0' && c <= '9')
        return 2;
    if (c == ' ' || c == ',')
        return 3;
    return 0;
}

static NOINLINE enum colour next_colour(enum colour c, int32_t n)
{
    switch (c) {
    case RED:    return n > 10 ? GREEN : BLUE;
    case GREEN:  return (n & 3) ? YELLOW : RED;
    case BLUE:   return BLACK;
    case YELLOW: return n < 0 ? RED : BLUE;
    default:     return (n & 1) ? RED : GREEN;
    }
}

static NOINLINE void update_tables(int32_t *t1, int32_t (*t2)[64], int32_t i,
                                   int32_t v, int32_t *out)
{
    int32_t j = i & 63;
    t1[j] = v;
    t1[(j + 1) & 63] = t1[j] + j;
    t2[j][(j + 7) & 63] = t1[(j + 1) & 63];
    t2[(j + 3) & 63][j] += 1;
    *out = t2[j][(j + 7) & 63] - t1[j];
}

static NOINLINE int32_t arith(int32_t a, int32_t b, int32_t c, int32_t d,
                              int32_t e)
{
    int32_t r = a * 3 + b - c;
    r = r * d / (e | 1);
    return r + (a ^ e);
}

static NOINLINE void touch(struct record *r, int32_t k)
{
    struct record copy = *r;            /* struct copy onto the stack */
    copy.count += k;
    copy.colour = next_colour(copy.colour, copy.count);
    copy.tag[k & 7] = (char)('A' + (k & 15));
    *r = copy;                          /* and back */
}

int main(void)
{
    for (int i = 0; i < 4; i++) {
        pool[i] = templ;
        pool[i].next = &pool[(i + 1) & 3];
        pool[i].weight = i * 11;
    }

    uint32_t n = iterations;
    int32_t equal = 0, kinds = 0, out = 0;
    struct record *cur = &pool[0];
    for (uint32_t it = 0; it < n; it++) {
        int32_t i = (int32_t)it;

        /* strings */
        str_copy(buf_a, phrases[it & 1]);
        str_copy(buf_b, phrases[(it >> 1) & 1]);
        if (str_compare(buf_a, buf_b) == 0)
            equal++;
        kinds += classify(buf_a[i % 31]) + classify(last_char);
        last_char = buf_b[(i + 5) % 31];

        /* records */
        struct record tmp = templ;
        tmp.count = i;
        tmp.colour = next_colour(cur->colour, i);
        touch(cur, i);
        cur->weight += tmp.count & 15;
        if (tmp.colour == BLACK)
            cur->next->count++;
        cur = cur->next;

        /* arithmetic and arrays */
        int32_t v = arith(i, cur->count, cur->weight, 3, i >> 2);
        update_tables(table1, table2, i, v, &out);
        global_total += out + (int32_t)tmp.colour;

        /* walk the list */
        struct record *p = cur;
        int32_t w = 0;
        for (int k = 0; k < 4; k++) {
            w += p->weight ^ p->count;
            p = p->next;
        }
        global_total ^= w;
    }

    uint32_t h = (uint32_t)global_total;
    for (int i = 0; i < 64; i++)
        h = h * 31u + (uint32_t)table1[i] + (uint32_t)table2[i][(i * 5) & 63];
    for (int i = 0; i < 4; i++)
        h = h * 31u + (uint32_t)pool[i].count + (uint32_t)pool[i].colour +
            (uint32_t)pool[i].tag[i];
    printf("dhrystone_like: %u iterations, %d equal, %d kinds, checksum %08x\n",
           (unsigned)n, (int)equal, (int)kinds, (unsigned)h);
    return 0;
}
