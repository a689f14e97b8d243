/* guest-cflags: -mhard-float */
/*
 * fpu: double-precision floating point (hard-float: the compiler emits
 * add.d/mul.d/div.d/sqrt.d/c.cond.d/bc1x/cvt directly; crt0 sets Status.CU1).
 *
 * Three parts:
 *   - a five-body gravitational simulation (sqrt.d and div.d every pair),
 *   - a 48x48 matrix multiply repeated with a small perturbation,
 *   - a series with a divide per term plus int<->double conversions.
 * Results are printed as raw IEEE bit patterns, so both emulators must round
 * every operation identically to agree.
 */
#include "runtime.h"

static volatile uint32_t nbody_steps = 350000;
static volatile uint32_t matmul_reps = 50;
static volatile uint32_t series_terms = 4000000;

static inline double fsqrt(double x)
{
    double r;
    __asm__("sqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}

static uint64_t bits(double d)
{
    union { double d; uint64_t u; } v = { .d = d };
    return v.u;
}

/* ---- n-body -------------------------------------------------------------- */

#define NBODIES 5

struct body {
    double x, y, z, vx, vy, vz, mass;
};

/* a made-up, roughly planetary system (units: AU, AU/day scaled, solar mass) */
static struct body bodies[NBODIES] = {
    { 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 39.47841760435743 },
    { 4.9, -1.2, -0.1, 0.6, 2.8, -0.02, 0.037 },
    { 8.3, 4.1, -0.4, -1.0, 1.8, 0.008, 0.011 },
    { 12.9, -15.1, -0.2, 1.1, 0.87, -0.01, 0.0017 },
    { 15.4, -25.9, 0.18, 0.98, 0.59, -0.035, 0.002 },
};

static double energy(void)
{
    double e = 0.0;
    for (int i = 0; i < NBODIES; i++) {
        struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < NBODIES; j++) {
            struct body *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= b->mass * c->mass / fsqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static NOINLINE void advance(double dt, uint32_t steps)
{
    for (uint32_t s = 0; s < steps; s++) {
        for (int i = 0; i < NBODIES; i++) {
            struct body *b = &bodies[i];
            for (int j = i + 1; j < NBODIES; j++) {
                struct body *c = &bodies[j];
                double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * fsqrt(d2));
                b->vx -= dx * c->mass * mag;
                b->vy -= dy * c->mass * mag;
                b->vz -= dz * c->mass * mag;
                c->vx += dx * b->mass * mag;
                c->vy += dy * b->mass * mag;
                c->vz += dz * b->mass * mag;
            }
        }
        for (int i = 0; i < NBODIES; i++) {
            struct body *b = &bodies[i];
            b->x += dt * b->vx;
            b->y += dt * b->vy;
            b->z += dt * b->vz;
        }
    }
}

/* ---- matrix multiply ------------------------------------------------------- */

#define MDIM 48

static double ma[MDIM][MDIM], mb[MDIM][MDIM], mc[MDIM][MDIM];

static NOINLINE void matmul(void)
{
    for (int i = 0; i < MDIM; i++)
        for (int j = 0; j < MDIM; j++) {
            double s = 0.0;
            for (int k = 0; k < MDIM; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
}

/* ---- series ---------------------------------------------------------------- */

static NOINLINE double series(uint32_t terms)
{
    /* sum of (-1)^k / (2k + 1) (-> pi/4) and of 1/k^2 (-> pi^2/6), with an
       int -> double conversion per term and a double -> int one now and then */
    double leibniz = 0.0, basel = 0.0;
    int32_t chk = 0;
    for (uint32_t k = 0; k < terms; k++) {
        double dk = (double)(int32_t)k;
        double t = 1.0 / (2.0 * dk + 1.0);
        leibniz += (k & 1) ? -t : t;
        basel += 1.0 / ((dk + 1.0) * (dk + 1.0));
        if ((k & 255) == 0)
            chk += (int32_t)(leibniz * 1e6) ^ (int32_t)(basel * 1e6);
    }
    return leibniz * 4.0 + basel + (double)chk;
}

int main(void)
{
    double e0 = energy();
    advance(0.001, nbody_steps);
    double e1 = energy();
    printf("nbody: %u steps, energy %016llx -> %016llx (x1000000: %d -> %d)\n",
           (unsigned)nbody_steps, (unsigned long long)bits(e0),
           (unsigned long long)bits(e1), (int)(e0 * 1e6), (int)(e1 * 1e6));

    for (int i = 0; i < MDIM; i++)
        for (int j = 0; j < MDIM; j++) {
            ma[i][j] = (double)((i * 7 + j * 3) % 17) / 8.0 - 1.0;
            mb[i][j] = (double)((i * 5 + j * 11) % 13) / 6.0 - 1.0;
        }
    uint32_t reps = matmul_reps;
    double trace = 0.0;
    for (uint32_t r = 0; r < reps; r++) {
        matmul();
        for (int i = 0; i < MDIM; i++) {
            trace += mc[i][i];
            /* feed the result back, scaled to stay bounded */
            for (int j = 0; j < MDIM; j++)
                ma[i][j] = mc[i][j] * (1.0 / 64.0) + ma[i][j] * 0.5;
        }
    }
    printf("matmul: %u x %dx%d, trace %016llx\n", (unsigned)reps, MDIM, MDIM,
           (unsigned long long)bits(trace));

    double s = series(series_terms);
    printf("series: %u terms, %016llx\n", (unsigned)series_terms,
           (unsigned long long)bits(s));

    uint64_t h = bits(e1) ^ bits(trace) ^ bits(s);
    printf("fpu: checksum %08x\n", (unsigned)(h ^ (h >> 32)));
    return 0;
}
