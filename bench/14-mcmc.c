/*
 * Chapter 14 benchmark: Metropolis spin-flip attempts per second on the 2-D Ising model, three
 * ways in one run, single-threaded, on the same 64 x 64 torus at T = 2.5:
 *   naive       the textbook loop: a random site per proposal (gsl_rng_uniform_int), neighbours
 *               by %, exp() and a uniform for every proposal;
 *   reference   ising_metropolis_sweep of the reference solution: typewriter order, branches
 *               instead of %, the two uphill weights tabulated, a uniform only for uphill moves;
 *   multi-spin  64 replicas bit-packed into one uint64_t per site (bit r = the spin of replica r):
 *               the number of anti-aligned neighbours is counted with bitwise adders, and one
 *               word operation updates the same site in 64 lattices.  The replicas share one
 *               uniform per site, so each replica is an exact Metropolis chain but the replicas
 *               are correlated with each other: 64 of them are worth less than 64 independent
 *               runs.  The rate counts 64 attempts per word update.
 * Every method is first checked against Kaufman's exact energy of the 64 x 64 torus.
 *
 * Built by `make bench CH=14-mcmc` (-O2 -march=native, linked with the reference solution).
 * Timings are the best of several repeats of CPU time (clock()), because the machine is shared.
 */
#include "mcmc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define L 64
#define N (L * L)
static const double T = 2.5;

/* ---- naive ------------------------------------------------------------------------------- */
static void naive_sweep(signed char *s, double beta, gsl_rng *rng)
{
    for (size_t n = 0; n < N; n++) {
        size_t k = gsl_rng_uniform_int(rng, N), r = k / L, c = k % L;
        int h = s[((r + L - 1) % L) * L + c] + s[((r + 1) % L) * L + c] + s[r * L + (c + L - 1) % L] +
                s[r * L + (c + 1) % L];
        double dE = 2.0 * s[k] * h;
        if (gsl_rng_uniform(rng) < exp(-beta * dE))
            s[k] = (signed char)-s[k];
    }
}

/* ---- multi-spin coding: 64 replicas per word ----------------------------------------------- */
static void msc_sweep(uint64_t *w, double beta, gsl_rng *rng)
{
    const double w4 = exp(-4 * beta), w8 = exp(-8 * beta);
    for (size_t r = 0; r < L; r++) {
        const uint64_t *up = w + (r == 0 ? L - 1 : r - 1) * L, *down = w + (r == L - 1 ? 0 : r + 1) * L;
        uint64_t *row = w + r * L;
        for (size_t c = 0; c < L; c++) {
            const size_t left = c == 0 ? L - 1 : c - 1, right = c == L - 1 ? 0 : c + 1;
            const uint64_t s = row[c];
            /* a_i = 1 where neighbour i is anti-aligned; dE = 8 - 4 (number of anti-aligned) */
            const uint64_t a1 = s ^ up[c], a2 = s ^ down[c], a3 = s ^ row[left], a4 = s ^ row[right];
            const uint64_t ge2 = (a1 & a2) | (a3 & a4) | ((a1 ^ a2) & (a3 ^ a4)); /* dE <= 0 */
            const uint64_t any = a1 | a2 | a3 | a4;
            const double u = gsl_rng_uniform(rng);
            const uint64_t r4 = u < w4 ? ~(uint64_t)0 : 0, r8 = u < w8 ? ~(uint64_t)0 : 0;
            row[c] = s ^ (ge2 | (any & ~ge2 & r4) | (~any & r8));
        }
    }
}

/* Energy per spin of replica b of a multi-spin lattice. */
static double msc_energy(const uint64_t *w, int b)
{
    long E = 0;
    for (size_t r = 0; r < L; r++)
        for (size_t c = 0; c < L; c++) {
            int s = (int)((w[r * L + c] >> b) & 1) * 2 - 1;
            int rt = (int)((w[r * L + (c + 1) % L] >> b) & 1) * 2 - 1, dn = (int)((w[((r + 1) % L) * L + c] >> b) & 1) * 2 - 1;
            E -= s * (rt + dn);
        }
    return (double)E / N;
}

/* ---- exact energy of the 64 x 64 torus (Kaufman 1949, as in the chapter's run.c) ----------- */
static double kaufman_lnZ(size_t m, double K)
{
    const double a = cosh(2 * K) / tanh(2 * K);
    double lg[4] = {0, 0, 0, 0};
    int sg[4] = {1, 1, 1, 1};
    for (size_t l = 0; l < 2 * m; l++) {
        double g = l == 0 ? 2 * K + log(tanh(K)) : acosh(a - cos(M_PI * (double)l / (double)m));
        double h = 0.5 * (double)m * g, ah = fabs(h);
        int ic = (l & 1) ? 0 : 2, is = ic + 1;
        lg[ic] += ah + log1p(exp(-2 * ah));
        lg[is] += ah + log(-expm1(-2 * ah));
        if (h < 0)
            sg[is] = -sg[is];
    }
    double mx = fmax(fmax(lg[0], lg[1]), fmax(lg[2], lg[3])), S = 0;
    for (int i = 0; i < 4; i++)
        S += sg[i] * exp(lg[i] - mx);
    return log(0.5) + 0.5 * (double)(m * m) * log(2 * sinh(2 * K)) + mx + log(S);
}

enum { NAIVE, REFERENCE, MSC };
static const char *const names[] = {"naive", "reference", "multi-spin (64 replicas)"};

static void sweep(int how, signed char *s, uint64_t *w, gsl_rng *rng)
{
    if (how == NAIVE)
        naive_sweep(s, 1 / T, rng);
    else if (how == REFERENCE) {
        if (ising_metropolis_sweep(s, L, 1 / T, rng, NULL)) {
            fprintf(stderr, "bench: ising_metropolis_sweep failed\n");
            exit(1);
        }
    } else
        msc_sweep(w, 1 / T, rng);
}

static double energy_of(int how, const signed char *s, const uint64_t *w)
{
    if (how != MSC) {
        double E;
        ising_energy(s, L, &E);
        return E / N;
    }
    double e = 0;
    for (int b = 0; b < 64; b++)
        e += msc_energy(w, b) / 64;
    return e;
}

int main(void)
{
    gsl_set_error_handler_off();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 14);
    signed char *s = malloc(N);
    uint64_t *w = malloc(N * sizeof *w);
    const double K = 1 / T, h = 1e-4;
    const double exact = -(kaufman_lnZ(L, K + h) - kaufman_lnZ(L, K - h)) / (2 * h) / N;
    printf("Metropolis on the %d x %d Ising torus at T = %.1f, one thread; exact <e> = %.5f (Kaufman)\n", L, L, T, exact);
    printf("%-26s %10s %16s %12s\n", "method", "<e>", "attempts/s (M)", "vs naive");
    double rate[3];
    for (int how = NAIVE; how <= MSC; how++) {
        memset(s, 1, N);
        for (size_t k = 0; k < N; k++)
            w[k] = ~(uint64_t)0;
        /* correctness: 2000 sweeps of burn-in, then the mean energy over 3000 sweeps (tau of e
         * is about 10 sweeps here, sd per sweep 0.02: the statistical error is below 0.002) */
        for (int t = 0; t < 2000; t++)
            sweep(how, s, w, rng);
        double e = 0;
        for (int t = 0; t < 3000; t++) {
            sweep(how, s, w, rng);
            e += energy_of(how, s, w) / 3000;
        }
        if (fabs(e - exact) > 0.01) {
            fprintf(stderr, "bench: %s gives <e> = %.5f, exact %.5f: wrong sampler\n", names[how], e, exact);
            return 1;
        }
        /* timing: best of 5 repeats of enough sweeps to take about 0.2 s each */
        const int sweeps = how == NAIVE ? 300 : how == REFERENCE ? 1000 : 200;
        double best = INFINITY;
        for (int rep = 0; rep < 5; rep++) {
            clock_t t0 = clock();
            for (int t = 0; t < sweeps; t++)
                sweep(how, s, w, rng);
            double sec = (double)(clock() - t0) / CLOCKS_PER_SEC;
            best = sec < best ? sec : best;
        }
        rate[how] = (double)sweeps * N * (how == MSC ? 64 : 1) / best;
        printf("%-26s %10.5f %16.1f %11.1fx\n", names[how], e, rate[how] / 1e6, rate[how] / rate[NAIVE]);
    }
    printf("reference / naive = %.1f, multi-spin / reference = %.1f\n", rate[REFERENCE] / rate[NAIVE],
           rate[MSC] / rate[REFERENCE]);
    free(s), free(w);
    gsl_rng_free(rng);
    return 0;
}
