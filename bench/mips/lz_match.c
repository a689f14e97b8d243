/*
 * lz_match: the inner work of gzip -9, bare metal.
 *
 * An LZ77 match finder in the style of deflate's (this is an original
 * program, not gzip's source): a 32 KiB sliding window, a hash of the next
 * three bytes, hash chains through a 16-bit "prev" array, a long chain
 * walk per position (gzip -9 walks up to 4096 links, cut to a quarter once
 * a good match is found), and lazy evaluation (a match is kept only if the
 * next position does not find a longer one).  The input is text-like:
 * words drawn from a small vocabulary, so matches are frequent and chains
 * are long.
 *
 * Per compressed byte the time goes to the chain walk: a byte compare at
 * best_len (usually unequal), a halfword load from prev[], a compare and a
 * counter, with loads at scattered places in a 64 KiB window and a 64 KiB
 * table.  That loop, and the hash-insert/literal path around it, is what
 * gzip spends its time on in the booted Linux benchmark.
 */
#include "runtime.h"

static volatile uint32_t passes = 40;

#define WSIZE 32768u
#define WMASK (WSIZE - 1)
#define HBITS 15
#define HSIZE (1u << HBITS)
#define HMASK (HSIZE - 1)
#define MIN_MATCH 3
#define MAX_MATCH 258
#define MAX_DIST (WSIZE - MAX_MATCH - MIN_MATCH - 1)
#define INPUT_SIZE (96u * 1024u)

#define MAX_CHAIN 4096
#define GOOD_LENGTH 32
#define NICE_LENGTH 258
#define MAX_LAZY 258

static uint8_t input[INPUT_SIZE + MAX_MATCH];
static uint16_t prev[WSIZE];
static uint16_t head[HSIZE];

/* Tokens are not stored, only summarized: enough to catch any difference. */
struct summary {
    uint32_t literals, matches, match_bytes, hash;
};

static const char *const words[] = {
    "the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ",
    "emulator ", "block ", "region ", "guest ", "host ", "register ", "page ",
    "cache ", "translation ", "interrupt ", "timer ", "device ", "kernel ",
    "memory ", "load ", "store ", "branch ", "delay ", "slot ", "exception ",
    "and ", "of ", "to ", "in ", "a ", "is ", "that ", "for ", "it ", "with ",
    "as ", "was ", "on ", "be ", "at ", "by ", "this ", "had ", "not ", "are ",
    "but ", "from ", "or ", "have ", "an ", "they ", "which ", "one ", "you ",
    "were ", "her ", "all ", "she ", "there ", "would ", "their ",
};

static uint32_t rng;
static uint32_t next_random(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void make_input(uint32_t seed)
{
    rng = seed;
    uint32_t n = 0;
    while (n < INPUT_SIZE) {
        uint32_t r = next_random();
        if ((r & 63) == 0) {            /* now and then a number or a newline */
            input[n++] = (uint8_t)('0' + (r >> 6) % 10);
            if ((r & 0x1c0) == 0 && n < INPUT_SIZE)
                input[n++] = '\n';
            continue;
        }
        const char *w = words[(r >> 6) % ARRAY_SIZE(words)];
        while (*w && n < INPUT_SIZE)
            input[n++] = (uint8_t)*w++;
    }
    for (uint32_t i = 0; i < MAX_MATCH; i++)
        input[INPUT_SIZE + i] = 0;
}

static inline uint32_t hash3(const uint8_t *p)
{
    return ((uint32_t)p[0] << 10 ^ (uint32_t)p[1] << 5 ^ p[2]) & HMASK;
}

/* The link behind position cur: the previous position with the same hash
   (0: none). */
static inline uint32_t link(uint32_t cur)
{
    uint32_t n = (cur & ~0xffffu) | prev[cur & WMASK];
    if (n >= cur)
        n = n >= 0x10000 ? n - 0x10000 : 0;
    return n;
}

/* Positions are absolute offsets into input[]; prev[] and head[] hold them
   modulo 64 Ki (as gzip's 16-bit tables do), and a link is followed only
   while it stays inside the window behind the current position. */
static NOINLINE uint32_t longest_match(uint32_t pos, uint32_t cur, uint32_t prev_len,
                                       uint32_t *match_pos)
{
    uint32_t chain = MAX_CHAIN;
    uint32_t best = prev_len;
    const uint8_t *scan = input + pos;
    const uint32_t limit = pos > MAX_DIST ? pos - MAX_DIST : 0;
    uint32_t avail = INPUT_SIZE - pos;
    uint32_t nice = NICE_LENGTH < avail ? NICE_LENGTH : avail;
    if (best >= GOOD_LENGTH)
        chain >>= 2;
    uint8_t end1 = scan[best - 1], end = scan[best];
    do {
        const uint8_t *m = input + cur;
        /* Cheap rejects first: the bytes at the current best length. */
        if (m[best] != end || m[best - 1] != end1 || m[0] != scan[0] || m[1] != scan[1])
            continue;
        uint32_t len = 2;
        while (len < MAX_MATCH && m[len] == scan[len])
            len++;
        if (len > best) {
            *match_pos = cur;
            best = len;
            if (len >= nice)
                break;
            end1 = scan[best - 1];
            end = scan[best];
        }
    } while (--chain != 0 && (cur = link(cur)) > limit);
    return best;
}

static void insert(uint32_t pos, struct summary *s)
{
    (void)s;
    uint32_t h = hash3(input + pos);
    prev[pos & WMASK] = head[h];
    head[h] = (uint16_t)pos;
}

/* The candidate behind head[h]: the last position with this hash, as an
   absolute offset at or before pos (0 if none in the window). */
static inline uint32_t chain_start(uint32_t pos, uint32_t h)
{
    uint32_t c = (pos & ~0xffffu) | head[h];
    if (c >= pos)
        c -= 0x10000;
    return (int32_t)c < 0 ? 0 : c;
}

static void emit_literal(struct summary *s, uint8_t c)
{
    s->literals++;
    s->hash = (s->hash ^ c) * 16777619u;
}

static void emit_match(struct summary *s, uint32_t len, uint32_t dist)
{
    s->matches++;
    s->match_bytes += len;
    s->hash = (s->hash ^ (len << 16 | (dist & 0xffff))) * 16777619u;
}

static void compress(struct summary *s)
{
    for (uint32_t i = 0; i < HSIZE; i++)
        head[i] = 0;
    for (uint32_t i = 0; i < WSIZE; i++)
        prev[i] = 0;
    uint32_t pos = 1;                   /* position 0 is the "no match" mark */
    uint32_t prev_len = MIN_MATCH - 1, prev_match = 0;
    int have_literal = 0;
    emit_literal(s, input[0]);
    while (pos + MIN_MATCH <= INPUT_SIZE) {
        uint32_t h = hash3(input + pos);
        uint32_t cur = chain_start(pos, h);
        insert(pos, s);
        uint32_t len = MIN_MATCH - 1, match = 0;
        if (cur && pos - cur <= MAX_DIST && prev_len < MAX_LAZY) {
            len = longest_match(pos, cur, prev_len, &match);
            if (len == MIN_MATCH && pos - match > 4096)
                len = MIN_MATCH - 1;    /* a far short match is not worth it */
        }
        if (prev_len >= MIN_MATCH && len <= prev_len) {
            /* The previous position's match wins: emit it, insert the
               strings it covers. */
            emit_match(s, prev_len, pos - 1 - prev_match);
            uint32_t stop = pos - 1 + prev_len;
            for (pos++; pos < stop && pos + MIN_MATCH <= INPUT_SIZE; pos++)
                insert(pos, s);
            have_literal = 0;
            prev_len = MIN_MATCH - 1;
            continue;
        }
        if (have_literal)
            emit_literal(s, input[pos - 1]);
        have_literal = 1;
        prev_len = len;
        prev_match = match;
        pos++;
    }
    if (have_literal)
        emit_literal(s, input[pos - 1]);
    while (pos < INPUT_SIZE)
        emit_literal(s, input[pos++]);
}

int main(void)
{
    uint32_t n = passes;
    uint32_t all = 0;
    for (uint32_t p = 0; p < n; p++) {
        struct summary s = { 0, 0, 0, 2166136261u };
        make_input(0x1234567u + p);
        compress(&s);
        printf("pass %u: %u literals, %u matches of %u bytes, hash %08x\n", p, s.literals, s.matches,
               s.match_bytes, s.hash);
        all ^= s.hash;
    }
    printf("lz_match: %u passes, checksum %08x\n", n, all);
    return 0;
}
