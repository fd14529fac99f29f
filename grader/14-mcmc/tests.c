/*
 * Chapter 14 tests: the Ising model, Metropolis, exact enumeration, Gibbs sampling and
 * autocorrelation times, checked against hand-worked cases, exact results (the 2x2 partition
 * function, Kaufman's partition function of any finite torus, Onsager-Yang's magnetisation, the
 * Boltzmann vector of a 3x3 lattice built here), and processes whose autocorrelation is known
 * in closed form (AR(1), with tau = (1 + phi) / (1 - phi)).  Nothing is compared with numbers
 * produced by the reference solution.  Sharp statistical tests stay away from T_c = 2.269.
 */
#include "mlphys_test.h"
#include "mcmc.h"
#include "mcmc_testlib.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_vector.h>
#include <string.h>

MLPHYS_SUITE(mcmc, 10);

/* ---- TODO(1): the energy ------------------------------------------------------------------ */

Test(mcmc, energy_hand_worked, .description = "E of all-up, checkerboard and one hand-drawn 3x3 lattice, and the two 2x2 classes")
{
    signed char s[16];
    double E = NAN;
    /* All up: every one of the 2N bonds is satisfied, E = -2N. */
    memset(s, 1, sizeof s);
    mlphys_require_implemented(ising_energy(s, 4, &E), "ising_energy", 1);
    mlphys_assert_close(E, -32.0, 0, 0, "all up on 4x4: 2N = 32 bonds, each -1. Count each bond once "
                        "(right and down neighbours only)");
    /* Checkerboard: every bond broken, E = +2N. */
    for (size_t k = 0; k < 16; k++)
        s[k] = ((k / 4 + k % 4) % 2) ? -1 : 1;
    E = NAN;
    mlphys_require_implemented(ising_energy(s, 4, &E), "ising_energy", 1);
    mlphys_assert_close(E, 32.0, 0, 0, "checkerboard on 4x4: all 32 bonds broken");
    /* 3x3, rows (+ + -), (+ - -), (+ + +).  Broken bonds, wrapping around: row 0 (+ + -): 2;
     * row 1 (+ - -): 2; row 2: 0; column 0 (+ + +): 0; column 1 (+ - +): 2; column 2 (- - +): 2.
     * 8 of 18 bonds broken, so E = -(18 - 8) + 8 = -2. */
    signed char t[9] = {1, 1, -1, 1, -1, -1, 1, 1, 1};
    E = NAN;
    mlphys_require_implemented(ising_energy(t, 3, &E), "ising_energy", 1);
    mlphys_assert_close(E, -2.0, 0, 0, "3x3 rows (+ + -), (+ - -), (+ + +): 8 of 18 bonds broken. Do the "
                        "neighbours wrap around (periodic)?");
    /* 2x2: spins 0 and 3 flipped (a diagonal pair): all 8 bonds broken, E = +8 (the 2x2 torus
     * counts the two bonds between each neighbouring pair separately). */
    signed char u[4] = {-1, 1, 1, -1};
    E = NAN;
    mlphys_require_implemented(ising_energy(u, 2, &E), "ising_energy", 1);
    mlphys_assert_close(E, 8.0, 0, 0, "2x2 with a diagonal pair flipped: the 8 bonds of the 2x2 torus are "
                        "all broken (on L = 2, right and left neighbour coincide: count both bonds)");
}

Test(mcmc, energy_matches_bond_count_and_symmetries, .description = "random lattices: E equals the bond sum, and is invariant under a global flip, a translation and a transpose")
{
    gsl_rng *rng = mlphys_rng();
    const size_t sizes[] = {2, 3, 5, 8};
    for (size_t q = 0; q < 4; q++) {
        const size_t L = sizes[q], N = L * L;
        signed char s[64], f[64], tr[64], tp[64];
        for (int rep = 0; rep < 20; rep++) {
            for (size_t k = 0; k < N; k++)
                s[k] = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
            for (size_t r = 0; r < L; r++)
                for (size_t c = 0; c < L; c++) {
                    f[r * L + c] = (signed char)-s[r * L + c];
                    tr[r * L + (c + 1) % L] = s[r * L + c]; /* shifted one column right */
                    tp[c * L + r] = s[r * L + c];
                }
            double E = NAN, Ef = NAN, Et = NAN, Ep = NAN, want = t_energy(s, L);
            mlphys_require_implemented(ising_energy(s, L, &E), "ising_energy", 1);
            mlphys_require_implemented(ising_energy(f, L, &Ef), "ising_energy", 1);
            mlphys_require_implemented(ising_energy(tr, L, &Et), "ising_energy", 1);
            mlphys_require_implemented(ising_energy(tp, L, &Ep), "ising_energy", 1);
            mlphys_assert_close(E, want, 0, 0, "E of random %zux%zu lattice %d (the bond sum)", L, L, rep);
            mlphys_assert_close(Ef, E, 0, 0, "E after flipping every spin (%zux%zu): E(-s) = E(s)", L, L);
            mlphys_assert_close(Et, E, 0, 0, "E after a translation (%zux%zu): missing periodic bonds?", L, L);
            mlphys_assert_close(Ep, E, 0, 0, "E after a transpose (%zux%zu): rows and columns must be treated "
                                "alike", L, L);
        }
    }
}

Test(mcmc, energy_rejects_bad_arguments, .description = "L < 2 or NULL pointers give GSL_EINVAL")
{
    signed char s[4] = {1, 1, 1, 1};
    double E = 123.0;
    mlphys_require_status(ising_energy(s, 1, &E), GSL_EINVAL, "ising_energy", "L = 1 is not a lattice");
    mlphys_require_status(ising_energy(NULL, 2, &E), GSL_EINVAL, "ising_energy", "s is NULL");
    mlphys_require_status(ising_energy(s, 2, NULL), GSL_EINVAL, "ising_energy", "E is NULL");
    cr_assert(E == 123.0, "E was written (%g) although the call failed: check the arguments first", E);
}

/* ---- TODO(2): the acceptance probability and the transition kernel ------------------------- */

Test(mcmc, acceptance_hand_worked, .description = "min(1, exp(-beta dE)) for seven sites of two hand-drawn 3x3 lattices, neighbours across every edge included")
{
    /* rows (+ + -), (+ - -), (+ + +) as above, beta = 0.3:
     *   k = 6 (row 2, col 0, +): neighbours up s3 = +, down s0 = +, left s8 = +, right s7 = +:
     *          dE = 2 * 1 * 4 = 8, a = e^{-2.4}
     *   k = 4 (centre, -): neighbours s1 = +, s7 = +, s3 = +, s5 = -: dE = 2 * (-1) * 2 = -4, a = 1
     *   k = 0 (+): up s6 = +, down s3 = +, left s2 = -, right s1 = +: dE = 2 * 2 = 4, a = e^{-1.2}
     *   k = 8 (+): up s5 = -, down s2 = -, left s7 = +, right s6 = +: dE = 0, a = 1
     *   k = 2 (-): up s8 = +, down s5 = -, left s1 = +, right s0 = +: dE = 2 * (-1) * 2 = -4, a = 1 */
    signed char s[9] = {1, 1, -1, 1, -1, -1, 1, 1, 1}, copy[9];
    memcpy(copy, s, sizeof s);
    const size_t sites[] = {6, 4, 0, 8, 2};
    const double want[] = {exp(-2.4), 1.0, exp(-1.2), 1.0, 1.0};
    for (int i = 0; i < 5; i++) {
        double a = NAN;
        mlphys_require_implemented(ising_flip_acceptance(s, 3, sites[i], 0.3, &a), "ising_flip_acceptance", 2);
        /* one exp of an exact argument: 1e-15 relative */
        mlphys_assert_close(a, want[i], 1e-15, 1e-14, "acceptance of site %zu on the hand-drawn 3x3 at beta = 0.3 "
                            "(dE = 2 s_k * neighbour sum; min(1, .) caps downhill moves at 1)", sites[i]);
    }
    cr_assert(memcmp(s, copy, sizeof s) == 0, "ising_flip_acceptance modified the configuration");
    /* All up except s6 (row 2, column 0), beta = 0.3.  Site 0 sees s6 across the top edge:
     * neighbours up s6 = -, down s3 = +, left s2 = +, right s1 = +: dE = 2 * 2 = 4, a = e^{-1.2}.
     * Site 6 sees s0 across the bottom edge: all four neighbours +, s6 = -: dE = -8, a = 1. */
    signed char w[9] = {1, 1, 1, 1, 1, 1, -1, 1, 1};
    const size_t wsites[] = {0, 6};
    const double wwant[] = {exp(-1.2), 1.0};
    for (int i = 0; i < 2; i++) {
        double a = NAN;
        mlphys_require_implemented(ising_flip_acceptance(w, 3, wsites[i], 0.3, &a), "ising_flip_acceptance", 2);
        mlphys_assert_close(a, wwant[i], 1e-15, 1e-14, "acceptance of site %zu of the 3x3 lattice with only s6 down "
                            "(beta = 0.3): the row above row 0 is row L - 1, the row below row L - 1 is row 0",
                            wsites[i]);
    }
}

/* The random-site Metropolis kernel on the 2^9 configurations of a 3x3 torus, built from the
 * student's acceptance: P(s -> s^k) = a(s, k) / 9 for each single-spin flip s^k of s, and the
 * rest stays on the diagonal.  Index: configuration g as in t_config. */
#define NS 512
static double kernel_flip[NS][9];

static void build_kernel(double beta)
{
    signed char s[9];
    for (unsigned long g = 0; g < NS; g++) {
        t_config(g, 9, s);
        for (size_t k = 0; k < 9; k++) {
            double a = NAN;
            mlphys_require_implemented(ising_flip_acceptance(s, 3, k, beta, &a), "ising_flip_acceptance", 2);
            cr_assert(a >= 0 && a <= 1, "acceptance %g of site %zu in configuration %lu at beta = %g is not a "
                      "probability: forgot the min(1, .)?", a, k, g, beta);
            kernel_flip[g][k] = a / 9.0;
        }
    }
}

static void boltzmann_3x3(double beta, double *pi)
{
    signed char s[9];
    double Z = 0;
    for (unsigned long g = 0; g < NS; g++) {
        t_config(g, 9, s);
        pi[g] = exp(-beta * (t_energy(s, 3) + 18.0)); /* relative to the ground state */
        Z += pi[g];
    }
    for (unsigned long g = 0; g < NS; g++)
        pi[g] /= Z;
}

Test(mcmc, kernel_obeys_detailed_balance_3x3, .description = "on all 512 states of a 3x3 torus, pi(s) P(s -> s') = pi(s') P(s' -> s) with pi = Boltzmann, at T = 1.5, 2, 3")
{
    static double pi[NS];
    const double betas[] = {1 / 1.5, 0.5, 1 / 3.0};
    for (int b = 0; b < 3; b++) {
        build_kernel(betas[b]);
        boltzmann_3x3(betas[b], pi);
        for (unsigned long g = 0; g < NS; g++)
            for (size_t k = 0; k < 9; k++) {
                unsigned long h = g ^ (1ul << k); /* s with spin k flipped */
                double flow = pi[g] * kernel_flip[g][k], back = pi[h] * kernel_flip[h][k];
                /* products of exps of exact arguments: 1e-13 relative */
                if (!mlphys_close(flow, back, 1e-300, 1e-12))
                    cr_assert_fail("detailed balance broken at T = %g between configurations %lu and %lu (spin %zu): "
                                   "pi P forward %.6e, backward %.6e. Is dE = E(after) - E(before) = 2 s_k h_k, "
                                   "with all four neighbours, and the acceptance exp(-beta dE)?",
                                   1 / betas[b], g, h, k, flow, back);
            }
    }
}

Test(mcmc, kernel_stationary_distribution_is_boltzmann_3x3, .description = "the 512x512 kernel leaves Boltzmann invariant (pi P = pi at T = 2 and 3) and carries the all-down state to it (power iteration at T = 3)")
{
    static double pi[NS], p[NS], q[NS];
    const double betas[] = {0.5, 1 / 3.0};
    for (int b = 0; b < 2; b++) {
        build_kernel(betas[b]);
        boltzmann_3x3(betas[b], pi);
        /* 1. pi P = pi: (pi P)(s) = pi(s) (1 - sum_k P(s, s^k)) + sum_k pi(s^k) P(s^k, s). */
        for (unsigned long g = 0; g < NS; g++) {
            double out = 0, in = 0;
            for (size_t k = 0; k < 9; k++)
                out += kernel_flip[g][k], in += pi[g ^ (1ul << k)] * kernel_flip[g ^ (1ul << k)][k];
            double piP = pi[g] * (1 - out) + in;
            if (!mlphys_close(piP, pi[g], 1e-300, 1e-12))
                cr_assert_fail("(pi P)(%lu) = %.10e but pi(%lu) = %.10e at T = %g: the Boltzmann distribution is not "
                               "stationary. Check dE and the acceptance rule", g, piP, g, pi[g], 1 / betas[b]);
        }
    }
    /* 2. From the all-down state, p_t = p_0 P^t converges to pi (the kernel of T = 3 is the one
     * built last): the chain is irreducible and aperiodic, so pi is its unique limit.  Measured
     * while writing the test: the total-variation distance falls by a factor 1e6 per 1000 steps
     * at T = 3 (|lambda_2| = 0.986), to 1e-12 after 2000 steps; we ask for 1e-8.  (At T = 2 the
     * same start takes 10000 steps: the chain must tunnel from all down to all up.) */
    memset(p, 0, sizeof p);
    p[0] = 1.0;
    for (int t = 0; t < 2000; t++) {
        for (unsigned long g = 0; g < NS; g++) {
            double out = 0, in = 0;
            for (size_t k = 0; k < 9; k++)
                out += kernel_flip[g][k], in += p[g ^ (1ul << k)] * kernel_flip[g ^ (1ul << k)][k];
            q[g] = p[g] * (1 - out) + in;
        }
        memcpy(p, q, sizeof p);
    }
    double tv = 0;
    for (unsigned long g = 0; g < NS; g++)
        tv += 0.5 * fabs(p[g] - pi[g]);
    cr_assert(tv < 1e-8, "after 2000 steps from the all-down state the chain's distribution is %.3e away (total "
              "variation) from Boltzmann at T = 3: its stationary law is not e^{-beta E} / Z", tv);
}

Test(mcmc, acceptance_rejects_bad_arguments, .description = "L < 2, k >= N, beta < 0 or NaN, NULL pointers give GSL_EINVAL")
{
    signed char s[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    double a = 123.0;
    mlphys_require_status(ising_flip_acceptance(s, 3, 9, 0.5, &a), GSL_EINVAL, "ising_flip_acceptance",
                          "k = 9 is outside a 3x3 lattice (k < N = 9)");
    mlphys_require_status(ising_flip_acceptance(s, 1, 0, 0.5, &a), GSL_EINVAL, "ising_flip_acceptance", "L = 1");
    mlphys_require_status(ising_flip_acceptance(s, 3, 0, -0.5, &a), GSL_EINVAL, "ising_flip_acceptance",
                          "beta < 0 (negative temperature)");
    mlphys_require_status(ising_flip_acceptance(s, 3, 0, NAN, &a), GSL_EINVAL, "ising_flip_acceptance", "beta NaN");
    mlphys_require_status(ising_flip_acceptance(NULL, 3, 0, 0.5, &a), GSL_EINVAL, "ising_flip_acceptance", "s NULL");
    mlphys_require_status(ising_flip_acceptance(s, 3, 0, 0.5, NULL), GSL_EINVAL, "ising_flip_acceptance", "a NULL");
    cr_assert(a == 123.0, "a was written (%g) although the call failed", a);
}

/* ---- TODO(3): the Metropolis sweep -------------------------------------------------------- */

Test(mcmc, sweep_at_infinite_temperature_flips_every_spin, .description = "beta = 0: every proposal is accepted, so one typewriter sweep flips every spin once")
{
    const size_t L = 6, N = 36;
    signed char s[36], orig[36];
    gsl_rng *rng = mlphys_rng();
    for (size_t k = 0; k < N; k++)
        orig[k] = s[k] = gsl_rng_uniform(rng) < 0.5 ? -1 : 1;
    size_t acc = 999;
    mlphys_require_implemented(ising_metropolis_sweep(s, L, 0.0, rng, &acc), "ising_metropolis_sweep", 3);
    cr_assert(acc == N, "accepted %zu flips at beta = 0, want all N = %zu: exp(-0 * dE) = 1", acc, N);
    for (size_t k = 0; k < N; k++)
        cr_assert(s[k] == -orig[k], "spin %zu was not flipped exactly once in a sweep at beta = 0 (visit every "
                  "site once, in order k = 0 .. N-1)", k);
    /* accepted may be NULL */
    mlphys_require_implemented(ising_metropolis_sweep(s, L, 0.0, rng, NULL), "ising_metropolis_sweep", 3);
}

Test(mcmc, sweep_ground_state_is_frozen_at_low_temperature, .description = "beta = 5 from all up on 8x8: 100 sweeps accept nothing (every flip costs dE = 8)")
{
    /* The probability of any accepted flip in 100 * 64 attempts is 6400 e^{-40} = 3e-14. */
    const size_t L = 8, N = 64;
    signed char s[64];
    memset(s, 1, sizeof s);
    gsl_rng *rng = mlphys_rng();
    size_t total = 0;
    for (int t = 0; t < 100; t++) {
        size_t acc = 999;
        mlphys_require_implemented(ising_metropolis_sweep(s, L, 5.0, rng, &acc), "ising_metropolis_sweep", 3);
        total += acc;
    }
    cr_assert(total == 0, "%zu flips accepted out of the ground state at T = 0.2: an uphill move (dE = 8) must be "
              "accepted with probability exp(-beta dE) = 4e-18, not exp(+beta dE) or 1", total);
    cr_assert(t_magnetisation(s, N) == (long)N, "the ground state changed although nothing was accepted");
}

/* Metropolis on 4x4 at T = 2 against the exact enumeration (checked three ways: the curriculum's
 * -1.755380 and 0.918943, an independent Python enumeration giving -1.7553802888 and
 * 0.9189432674, and Kaufman's formula for the energy, which agrees to 4e-10).
 * Statistics, with n = 2e5 measured sweeps after 1000 burn-in sweeps from all up:
 *   sd of e per sweep   sqrt(c T^2 / N) = sqrt(0.60553 * 4 / 16) = 0.389 (exact),
 *   sd of |m| per sweep sqrt(<m^2> - <|m|>^2) = sqrt(0.868922 - 0.844457) = 0.156 (exact),
 *   tau_int (typewriter Metropolis, measured over 100 seeds): 2.3 for e, 2.45 for |m|,
 * so the standard errors are 0.389 sqrt(2.3 / 2e5) = 0.00132 and 0.156 sqrt(2.45 / 2e5) = 0.00055;
 * over 100 seeds the spread of the estimates was 0.00116 and 0.00047 (consistent).
 * Tolerances: 0.0066 and 0.003, at least 5 standard errors. */
Test(mcmc, metropolis_4x4_matches_exact_enumeration, .description = "4x4 at T = 2, 2e5 sweeps: <e> = -1.755380 within 0.0066, <|m|> = 0.918943 within 0.003 (5 standard errors from tau_int)")
{
    const size_t L = 4, N = 16, burn = 1000, n = 200000;
    const double beta = 0.5;
    signed char s[16];
    memset(s, 1, sizeof s);
    gsl_rng *rng = mlphys_rng();
    for (size_t t = 0; t < burn; t++)
        mlphys_require_implemented(ising_metropolis_sweep(s, L, beta, rng, NULL), "ising_metropolis_sweep", 3);
    double se = 0, sm = 0;
    for (size_t t = 0; t < n; t++) {
        mlphys_require_implemented(ising_metropolis_sweep(s, L, beta, rng, NULL), "ising_metropolis_sweep", 3);
        se += t_energy(s, L);
        sm += labs(t_magnetisation(s, N));
    }
    se /= (double)(n * N), sm /= (double)(n * N);
    mlphys_assert_close(se, -1.7553802888, 0.0066, 0,
                        "<E>/N of Metropolis on 4x4 at T = 2 vs exact enumeration. A wrong acceptance rule samples "
                        "another temperature");
    mlphys_assert_close(sm, 0.9189432674, 0.003, 0, "<|M|>/N of Metropolis on 4x4 at T = 2 vs exact enumeration");
}

/* The same lattice in the disordered phase, T = 3.5, where neighbours often disagree and a
 * mistake in any one of the four neighbours shows at once.  Exact (independent Python
 * enumeration; the energy also from Kaufman's formula): <e> = -0.7761500504, <|m|> = 0.4884371838.
 * sd per sweep: e 0.536 (= sqrt(c T^2 / N), c = 0.375756), |m| 0.2895; tau_int measured over 60
 * seeds: 2.08 (e) and 1.65 (|m|); standard errors for 1e5 sweeps 0.00244 and 0.00117 (the spread
 * over the 60 seeds: 0.00238 and 0.00111).  Tolerances 0.0125 and 0.006: 5.1 standard errors. */
Test(mcmc, metropolis_4x4_disordered_phase_matches_enumeration, .description = "4x4 at T = 3.5, 1e5 sweeps: <e> = -0.776150 within 0.0125, <|m|> = 0.488437 within 0.006")
{
    const size_t L = 4, N = 16, burn = 1000, n = 100000;
    const double beta = 1 / 3.5;
    signed char s[16];
    memset(s, 1, sizeof s);
    gsl_rng *rng = mlphys_rng();
    for (size_t t = 0; t < burn; t++)
        mlphys_require_implemented(ising_metropolis_sweep(s, L, beta, rng, NULL), "ising_metropolis_sweep", 3);
    double se = 0, sm = 0;
    for (size_t t = 0; t < n; t++) {
        mlphys_require_implemented(ising_metropolis_sweep(s, L, beta, rng, NULL), "ising_metropolis_sweep", 3);
        se += t_energy(s, L);
        sm += labs(t_magnetisation(s, N));
    }
    se /= (double)(n * N), sm /= (double)(n * N);
    mlphys_assert_close(se, -0.7761500504, 0.0125, 0, "<E>/N of Metropolis on 4x4 at T = 3.5 vs exact enumeration. "
                        "Does every site see all four neighbours, across both edges?");
    mlphys_assert_close(sm, 0.4884371838, 0.006, 0, "<|M|>/N of Metropolis on 4x4 at T = 3.5 vs exact enumeration");
}

/* 32x32 at T = 2 (T / T_c = 0.88, well inside the ordered phase).  Theory:
 *   Onsager-Yang M = (1 - sinh(1)^-4)^(1/8) = 0.911319 for the infinite lattice;
 *   Kaufman's exact energy of the 32x32 torus: e = -1.745565 (t_kaufman_energy).
 * Finite size: the correlation length at T = 2 is about 2-4 lattice spacings, so corrections to
 * <|m|> fall like exp(-L / xi) and are negligible at L = 32; measured, the mean over 200 seeds x
 * 5000 sweeps was 0.911321 +- 0.00006, i.e. |bias| < 2e-4.  (The energy needs no such argument:
 * Kaufman's value is exact for this very lattice.)
 * Statistics for 5000 sweeps after 500 burn-in from all up: tau_int of |m| = 5 (measured, 4.5 to
 * 6 over seeds), sd 0.027 per sweep, standard error 0.027 sqrt(5 / 5000) = 0.00085 (the spread
 * over 200 seeds was 0.00085); for e, tau = 3.3, sd 0.053, standard error 0.0013 (spread 0.0013).
 * Tolerances: |m| 0.005 = 5.9 se (5 se plus the finite-size allowance); e 0.0066 = 5 se.
 * About 5 million spin flips: 0.1 s for the reference. */
Test(mcmc, metropolis_32x32_matches_onsager, .description = "32x32 at T = 2, 5000 sweeps: <|m|> = Onsager's 0.911319 within 0.005, <e> = Kaufman's exact -1.745565 within 0.0066")
{
    const size_t L = 32, N = L * L, burn = 500, n = 5000;
    const double T = 2.0;
    signed char *s = malloc(N);
    memset(s, 1, N);
    gsl_rng *rng = mlphys_rng();
    for (size_t t = 0; t < burn; t++)
        mlphys_require_implemented(ising_metropolis_sweep(s, L, 1 / T, rng, NULL), "ising_metropolis_sweep", 3);
    double se = 0, sm = 0;
    for (size_t t = 0; t < n; t++) {
        mlphys_require_implemented(ising_metropolis_sweep(s, L, 1 / T, rng, NULL), "ising_metropolis_sweep", 3);
        se += t_energy(s, L);
        sm += labs(t_magnetisation(s, N));
    }
    free(s);
    se /= (double)(n * N), sm /= (double)(n * N);
    mlphys_assert_close(sm, t_onsager_m(T), 0.005, 0, "<|M|>/N on 32x32 at T = 2 vs Onsager-Yang (1 - sinh(2/T)^-4)^(1/8)");
    mlphys_assert_close(se, t_kaufman_energy(L, T), 0.0066, 0, "<E>/N on 32x32 at T = 2 vs Kaufman's exact energy");
}

Test(mcmc, sweep_rejects_bad_arguments, .description = "L < 2, beta < 0 or infinite, NULL s or rng give GSL_EINVAL and leave s alone")
{
    signed char s[4] = {1, -1, 1, 1};
    gsl_rng *rng = mlphys_rng();
    mlphys_require_status(ising_metropolis_sweep(s, 1, 0.5, rng, NULL), GSL_EINVAL, "ising_metropolis_sweep", "L = 1");
    mlphys_require_status(ising_metropolis_sweep(s, 2, -1.0, rng, NULL), GSL_EINVAL, "ising_metropolis_sweep", "beta < 0");
    mlphys_require_status(ising_metropolis_sweep(s, 2, INFINITY, rng, NULL), GSL_EINVAL, "ising_metropolis_sweep",
                          "beta = inf");
    mlphys_require_status(ising_metropolis_sweep(s, 2, 0.5, NULL, NULL), GSL_EINVAL, "ising_metropolis_sweep", "rng NULL");
    mlphys_require_status(ising_metropolis_sweep(NULL, 2, 0.5, rng, NULL), GSL_EINVAL, "ising_metropolis_sweep", "s NULL");
    cr_assert(s[0] == 1 && s[1] == -1 && s[2] == 1 && s[3] == 1, "s was modified although the call failed");
}

/* ---- TODO(4): exact enumeration ----------------------------------------------------------- */

Test(mcmc, exact_2x2_closed_form, .description = "2x2: Z = 2 e^{8 beta} + 12 + 2 e^{-8 beta}; <e>, <|m|>, c in closed form at beta = 0.25, 0.5")
{
    /* 2x2 torus (8 bonds): all aligned, 2 states, E = -8, |M| = 4; one spin flipped, 8 states,
     * E = 0, |M| = 2; two flipped: 4 adjacent pairs with E = 0 and 2 diagonal pairs with E = +8,
     * |M| = 0.  So with x = e^{8 beta}: Z = 2x + 12 + 2/x, <E> = (-16x + 16/x) / Z,
     * <E^2> = (128x + 128/x) / Z, <|M|> = (8x + 16) / Z. */
    const double betas[] = {0.25, 0.5};
    for (int b = 0; b < 2; b++) {
        double beta = betas[b], x = exp(8 * beta), Z = 2 * x + 12 + 2 / x;
        double E = (-16 * x + 16 / x) / Z, E2 = (128 * x + 128 / x) / Z, aM = (8 * x + 16) / Z;
        double e = NAN, m = NAN, c = NAN;
        mlphys_require_implemented(ising_exact(2, beta, &e, &m, &c), "ising_exact", 4);
        /* sums of 16 terms: 1e-13 */
        mlphys_assert_close(e, E / 4, 1e-13, 1e-13, "<E>/N of the 2x2 torus at beta = %g", beta);
        mlphys_assert_close(m, aM / 4, 1e-13, 1e-13, "<|M|>/N of the 2x2 torus at beta = %g (absolute value of M "
                            "inside the average)", beta);
        mlphys_assert_close(c, beta * beta * (E2 - E * E) / 4, 1e-12, 1e-12, "c = beta^2 Var(E) / N of the 2x2 torus at "
                            "beta = %g", beta);
    }
}

Test(mcmc, exact_4x4_matches_known_values, .description = "4x4 at T = 2: <e> = -1.755380, <|m|> = 0.918943, c = 0.605533 (independent enumeration)")
{
    double e = NAN, m = NAN, c = NAN;
    mlphys_require_implemented(ising_exact(4, 0.5, &e, &m, &c), "ising_exact", 4);
    /* Values from an independent brute-force enumeration in Python while writing the test (the
     * energy confirmed by Kaufman's formula to 4e-10); sums of 65536 terms: 1e-9. */
    mlphys_assert_close(e, -1.7553802888, 1e-9, 0, "<E>/N of the 4x4 torus at T = 2");
    mlphys_assert_close(m, 0.9189432674, 1e-9, 0, "<|M|>/N of the 4x4 torus at T = 2");
    mlphys_assert_close(c, 0.6055326572, 1e-9, 0, "c = beta^2 (<E^2> - <E>^2) / N of the 4x4 torus at T = 2");
}

Test(mcmc, exact_matches_kaufman_partition_function, .description = "3x3 and 4x4 at T = 1.5, 2.5, 4: <e> and c agree with Kaufman's exact partition function")
{
    const size_t Ls[] = {3, 4};
    const double Ts[] = {1.5, 2.5, 4.0};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++) {
            double e = NAN, m = NAN, c = NAN;
            mlphys_require_implemented(ising_exact(Ls[i], 1 / Ts[j], &e, &m, &c), "ising_exact", 4);
            /* Finite differences of log Z: 1e-8 for e, 1e-5 for c (see mcmc_testlib.h). */
            mlphys_assert_close(e, t_kaufman_energy(Ls[i], Ts[j]), 1e-7, 0, "<E>/N of %zux%zu at T = %g vs Kaufman",
                                Ls[i], Ls[i], Ts[j]);
            mlphys_assert_close(c, t_kaufman_c(Ls[i], Ts[j]), 1e-5, 0, "specific heat of %zux%zu at T = %g vs Kaufman "
                                "(beta^2 Var E / N)", Ls[i], Ls[i], Ts[j]);
        }
}

Test(mcmc, exact_limits_and_no_overflow, .description = "beta = 0: e = 0, <|m|> = 8 C(16,8) / 2^16 / 8, c = 0; beta = 50: e = -2, |m| = 1, c = 0 with no overflow")
{
    double e = NAN, m = NAN, c = NAN;
    /* Infinite temperature on 4x4: every configuration equally likely.  M = 2B - 16 with
     * B ~ Binomial(16, 1/2); E|B - 8| = 8 C(16, 8) / 2^16 = 1.5710, so <|M|>/N = 2 * 1.5710 / 16. */
    mlphys_require_implemented(ising_exact(4, 0.0, &e, &m, &c), "ising_exact", 4);
    mlphys_assert_close(e, 0.0, 1e-13, 0, "<E>/N at beta = 0 (all states equally likely)");
    mlphys_assert_close(m, 2.0 * 8.0 * 12870.0 / 65536.0 / 16.0, 1e-13, 0, "<|M|>/N at beta = 0");
    mlphys_assert_close(c, 0.0, 1e-13, 0, "c at beta = 0 (beta^2 = 0)");
    /* T = 0.02 on 4x4: exp(-beta E_min) = e^{1600} overflows a double; factoring out the
     * ground state leaves weights e^{-200} and smaller for excited states. */
    e = m = c = NAN;
    mlphys_require_implemented(ising_exact(4, 50.0, &e, &m, &c), "ising_exact", 4);
    cr_assert(isfinite(e) && isfinite(m) && isfinite(c), "at beta = 50 got e = %g, |m| = %g, c = %g: exp(-beta E) "
              "overflows for E = -32. Factor out exp(-beta E_min), E_min = -2N", e, m, c);
    mlphys_assert_close(e, -2.0, 1e-12, 0, "<E>/N in the ground state (T = 0.02)");
    mlphys_assert_close(m, 1.0, 1e-12, 0, "<|M|>/N in the ground state (T = 0.02)");
    mlphys_assert_close(c, 0.0, 1e-12, 0, "c in the ground state (T = 0.02)");
}

Test(mcmc, exact_rejects_bad_arguments, .description = "L < 2, L > 5, beta < 0 or NaN, NULL outputs give GSL_EINVAL")
{
    double e = 7, m = 7, c = 7;
    mlphys_require_status(ising_exact(1, 0.5, &e, &m, &c), GSL_EINVAL, "ising_exact", "L = 1");
    mlphys_require_status(ising_exact(6, 0.5, &e, &m, &c), GSL_EINVAL, "ising_exact", "L = 6 has 2^36 states: refuse");
    mlphys_require_status(ising_exact(3, -0.5, &e, &m, &c), GSL_EINVAL, "ising_exact", "beta < 0");
    mlphys_require_status(ising_exact(3, NAN, &e, &m, &c), GSL_EINVAL, "ising_exact", "beta NaN");
    mlphys_require_status(ising_exact(3, 0.5, NULL, &m, &c), GSL_EINVAL, "ising_exact", "e NULL");
    cr_assert(e == 7 && m == 7 && c == 7, "outputs written although the call failed");
}

/* ---- TODO(5): Gibbs sampling -------------------------------------------------------------- */

/* Kolmogorov-Smirnov distance of a sample (sorted here) to N(0, 1). */
static double ks_to_normal(gsl_vector *z)
{
    gsl_sort_vector(z);
    const double n = (double)z->size;
    double d = 0;
    for (size_t i = 0; i < z->size; i++) {
        double F = gsl_cdf_ugaussian_P(gsl_vector_get(z, i));
        d = fmax(d, fmax(F - (double)i / n, (double)(i + 1) / n - F));
    }
    return d;
}

Test(mcmc, gibbs_conditionals_are_exact, .description = "the residuals x_t - rho y_{t-1} and y_t - rho x_t are N(0, 1 - rho^2): KS test, rho = 0.8 and -0.5")
{
    /* Each draw of the Gibbs step is x_t = rho y_{t-1} + sqrt(1 - rho^2) z (y_{-1} = y0) and
     * y_t = rho x_t + sqrt(1 - rho^2) z', with fresh z, z' ~ N(0, 1).  So the 2n standardised
     * residuals are i.i.d. N(0, 1) whatever the chain does.  DKW (Massart 1990):
     * P(sqrt(2n) D > 2.9) <= 2 e^{-2 * 2.9^2} = 1.1e-7. */
    const size_t n = 10000;
    const double rhos[] = {0.8, -0.5};
    gsl_matrix *xy = gsl_matrix_alloc(n, 2);
    gsl_vector *z = gsl_vector_alloc(2 * n);
    for (int r = 0; r < 2; r++) {
        const double rho = rhos[r], sd = sqrt(1 - rho * rho), y0 = 2.5;
        gsl_matrix_set_all(xy, NAN);
        mlphys_require_implemented(gibbs_bivariate_normal(rho, y0, mlphys_rng(), xy), "gibbs_bivariate_normal", 5);
        double yprev = y0;
        for (size_t t = 0; t < n; t++) {
            double x = gsl_matrix_get(xy, t, 0), y = gsl_matrix_get(xy, t, 1);
            cr_assert(isfinite(x) && isfinite(y), "row %zu of the chain is not finite (%g, %g): fill every row", t, x, y);
            gsl_vector_set(z, 2 * t, (x - rho * yprev) / sd);
            gsl_vector_set(z, 2 * t + 1, (y - rho * x) / sd);
            yprev = y;
        }
        double D = ks_to_normal(z), band = 2.9 / sqrt(2.0 * n);
        cr_assert(D <= band, "rho = %g: the residuals x_t - rho y_{t-1} and y_t - rho x_t, divided by sqrt(1 - rho^2), "
                  "are not N(0, 1) (KS distance %.4f > %.4f). Draw x given the current y, then y given the NEW x, "
                  "each with standard deviation sqrt(1 - rho^2) (not the variance), starting from y0", rho, D, band);
    }
    gsl_matrix_free(xy), gsl_vector_free(z);
}

Test(mcmc, gibbs_samples_the_bivariate_normal, .description = "rho = 0.8, 2e5 steps: means 0, variances 1 and correlation 0.8 within 5 standard errors")
{
    /* Started in the stationary law (y0 ~ N(0, 1)), the x chain is an AR(1) with phi = rho^2 =
     * 0.64, tau = (1 + phi)/(1 - phi) = 4.56.  Standard errors with n = 2e5: mean sqrt(tau / n) =
     * 0.0048; variance sqrt(2 (1 + phi^2) / ((1 - phi^2) n)) = 0.0049; E[xy] similar in size
     * (its terms have variance 1 + rho^2 and the same correlation time or shorter), about 0.006.
     * Tolerances 0.025, 0.025, 0.03: 5 standard errors. */
    const size_t n = 200000;
    const double rho = 0.8;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *xy = gsl_matrix_alloc(n, 2);
    mlphys_require_implemented(gibbs_bivariate_normal(rho, gsl_ran_gaussian(rng, 1.0), rng, xy), "gibbs_bivariate_normal", 5);
    double mx = 0, my = 0, vx = 0, vy = 0, cxy = 0;
    for (size_t t = 0; t < n; t++) {
        double x = gsl_matrix_get(xy, t, 0), y = gsl_matrix_get(xy, t, 1);
        mx += x, my += y, vx += x * x, vy += y * y, cxy += x * y;
    }
    mx /= n, my /= n, vx /= n, vy /= n, cxy /= n;
    mlphys_assert_close(mx, 0.0, 0.025, 0, "mean of x");
    mlphys_assert_close(my, 0.0, 0.025, 0, "mean of y");
    mlphys_assert_close(vx, 1.0, 0.025, 0, "E x^2 (unit variance): conditional sd is sqrt(1 - rho^2)");
    mlphys_assert_close(vy, 1.0, 0.025, 0, "E y^2 (unit variance)");
    mlphys_assert_close(cxy, rho, 0.03, 0, "E xy = rho: is the conditional mean rho times the other coordinate?");
    gsl_matrix_free(xy);
}

/* Var(xbar_n) for a stationary AR(1) with unit marginal variance and coefficient phi:
 * (1/n^2) sum_{i,j} phi^|i-j| = (1/n) [(1 + phi)/(1 - phi) - 2 phi (1 - phi^n) / (n (1 - phi)^2)]. */
static double ar1_var_of_mean(double phi, size_t n)
{
    double N = (double)n;
    return ((1 + phi) / (1 - phi) - 2 * phi * (1 - pow(phi, N)) / (N * (1 - phi) * (1 - phi))) / N;
}

Test(mcmc, gibbs_tau_of_the_mean_is_1_plus_rho2_over_1_minus_rho2, .description = "4000 chains of 200 steps: n Var(mean of x) matches tau = (1 + rho^2)/(1 - rho^2) (rho = 0.9: 9.53)")
{
    /* x_{t+1} = rho y_t + ... = rho^2 x_t + noise: an AR(1) with phi = rho^2, so
     * Var(xbar) follows ar1_var_of_mean exactly when the chain starts stationary (y0 ~ N(0, 1)).
     * The chain means are exactly Gaussian, so their sample variance over P = 4000 chains has
     * relative sd sqrt(2 / (P - 1)) = 0.0224; tolerance 5 sd = 11.2%.  A wrong chain (conditional
     * variance 1 - rho, or y drawn from the old x) misses by a factor of about 2. */
    const size_t P = 4000, n = 200;
    const double rho = 0.9;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *xy = gsl_matrix_alloc(n, 2);
    double s1 = 0, s2 = 0;
    for (size_t p = 0; p < P; p++) {
        mlphys_require_implemented(gibbs_bivariate_normal(rho, gsl_ran_gaussian(rng, 1.0), rng, xy),
                                   "gibbs_bivariate_normal", 5);
        double m = 0;
        for (size_t t = 0; t < n; t++)
            m += gsl_matrix_get(xy, t, 0);
        m /= (double)n;
        s1 += m, s2 += m * m;
    }
    /* the true mean 0 is known: E m^2 is the variance */
    double var = s2 / P, want = ar1_var_of_mean(rho * rho, n);
    mlphys_assert_close(var * n, want * n, 0, 5 * sqrt(2.0 / (P - 1)),
                        "n Var(mean of x) over %zu Gibbs chains of %zu steps at rho = 0.9 (tau = (1 + rho^2)/(1 - rho^2) "
                        "= 9.53, minus the finite-n correction)", P, n);
    gsl_matrix_free(xy);
}

Test(mcmc, gibbs_rejects_bad_arguments, .description = "|rho| >= 1 or NaN give GSL_EINVAL; xy with three columns or no rows GSL_EBADLEN")
{
    gsl_matrix *xy = gsl_matrix_alloc(5, 2), *bad = gsl_matrix_alloc(5, 3);
    gsl_matrix_set_all(xy, 7.0);
    mlphys_require_status(gibbs_bivariate_normal(1.0, 0.0, mlphys_rng(), xy), GSL_EINVAL, "gibbs_bivariate_normal",
                          "rho = 1 is a degenerate normal (conditional variance 0)");
    mlphys_require_status(gibbs_bivariate_normal(-1.5, 0.0, mlphys_rng(), xy), GSL_EINVAL, "gibbs_bivariate_normal",
                          "rho = -1.5 is not a correlation");
    mlphys_require_status(gibbs_bivariate_normal(NAN, 0.0, mlphys_rng(), xy), GSL_EINVAL, "gibbs_bivariate_normal", "rho NaN");
    mlphys_require_status(gibbs_bivariate_normal(0.5, 0.0, NULL, xy), GSL_EINVAL, "gibbs_bivariate_normal", "rng NULL");
    mlphys_require_status(gibbs_bivariate_normal(0.5, 0.0, mlphys_rng(), bad), GSL_EBADLEN, "gibbs_bivariate_normal",
                          "xy must have exactly two columns (x, y)");
    cr_assert(gsl_matrix_get(xy, 0, 0) == 7.0, "xy was written although the call failed");
    gsl_matrix_free(xy), gsl_matrix_free(bad);
}

/* ---- TODO(6): autocorrelation ------------------------------------------------------------- */

Test(mcmc, autocorr_hand_worked, .description = "x = (1, 2, 3, 4): rho = (1, 1/3, -0.6, -1.8) with 1/(n - t) normalisation")
{
    /* xbar = 2.5, deviations (-1.5, -0.5, 0.5, 1.5).  C(0) = 5/4, C(1) = (0.75 - 0.25 + 0.75)/3 = 5/12,
     * C(2) = (-0.75 - 0.75)/2 = -0.75, C(3) = -2.25/1. */
    double xs[] = {1, 2, 3, 4}, want[] = {1, 1.0 / 3.0, -0.6, -1.8};
    gsl_vector_view x = gsl_vector_view_array(xs, 4), w = gsl_vector_view_array(want, 4);
    gsl_vector *rho = gsl_vector_alloc(4);
    gsl_vector_set_all(rho, NAN);
    mlphys_require_implemented(mcmc_autocorr(&x.vector, rho), "mcmc_autocorr", 6);
    mlphys_assert_vector_close(rho, &w.vector, 1e-15, 1e-14, "rho(t) of (1, 2, 3, 4)",
                               "subtract the mean of all n points, and divide C(t) by the n - t pairs at lag t");
    cr_assert(xs[0] == 1 && xs[3] == 4, "mcmc_autocorr modified its input");
    gsl_vector_free(rho);
}

Test(mcmc, autocorr_of_ar1_decays_like_phi_to_the_t, .description = "AR(1) with phi = 0.8, n = 1e5, mean 3: rho(t) = 0.8^t within 0.035 for t = 0..15")
{
    /* Bartlett's formula for AR(1): Var rho_hat(t) <= (1 + phi^2) / ((1 - phi^2) n) = 4.6e-5, sd
     * 0.0067; tolerance 0.035 > 5 sd.  The mean 3 checks that the mean is subtracted. */
    const size_t n = 100000, K = 16;
    gsl_vector *x = gsl_vector_alloc(n), *rho = gsl_vector_alloc(K);
    t_ar1(mlphys_rng(), 0.8, 3.0, x);
    mlphys_require_implemented(mcmc_autocorr(x, rho), "mcmc_autocorr", 6);
    for (size_t t = 0; t < K; t++)
        mlphys_assert_close(gsl_vector_get(rho, t), pow(0.8, (double)t), 0.035, 0, "rho(%zu) of AR(1), phi = 0.8", t);
    gsl_vector_free(x), gsl_vector_free(rho);
}

Test(mcmc, autocorr_rejects_bad_sizes_and_constant_chains, .description = "K = 0 or K > n give GSL_EBADLEN; a constant chain GSL_EDOM")
{
    gsl_vector *x = gsl_vector_alloc(5), *r6 = gsl_vector_alloc(6), *r3 = gsl_vector_alloc(3);
    gsl_vector_set_all(x, 2.0);
    gsl_vector_set_all(r3, 7.0);
    mlphys_require_status(mcmc_autocorr(x, r6), GSL_EBADLEN, "mcmc_autocorr", "6 lags of a chain of 5");
    mlphys_require_status(mcmc_autocorr(x, r3), GSL_EDOM, "mcmc_autocorr", "a constant chain has C(0) = 0");
    cr_assert(gsl_vector_get(r3, 0) == 7.0, "rho was written although the call failed");
    gsl_vector_free(x), gsl_vector_free(r6), gsl_vector_free(r3);
}

/* ---- TODO(7): the integrated autocorrelation time ----------------------------------------- */

Test(mcmc, tau_window_hand_worked, .description = "x_i = i, n = 40, c = 0.5: the window is M = 4 with tau(4) = 7.924; with c = 5 no window exists (GSL_EMAXITER)")
{
    /* A straight line is as correlated as a chain can be.  From C(t) of the ramp (computed here):
     * tau(1) = 2.897, tau(2) = 4.687, tau(3) = 6.365, tau(4) = 7.924; M >= 0.5 tau(M) first holds
     * at M = 4.  With c = 5, tau(M) stays above M / 5 for every M < 20: no window. */
    const size_t n = 40;
    gsl_vector *x = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(x, i, (double)i);
    double want = 1, c0 = t_autocov(x, 0);
    for (size_t t = 1; t <= 4; t++)
        want += 2 * t_autocov(x, t) / c0;
    double tau = NAN;
    size_t M = 999;
    mlphys_require_implemented(mcmc_tau_int(x, 0.5, &tau, &M), "mcmc_tau_int", 7);
    cr_assert(M == 4, "window M = %zu for the ramp with c = 0.5, want 4 (the smallest M >= 1 with M >= c tau(M), "
              "tau(M) = 1 + 2 sum_{t=1}^{M} rho(t))", M);
    mlphys_assert_close(tau, want, 1e-12, 1e-12, "tau(4) of the ramp (1 + 2 sum_{t=1}^{4} rho(t))");
    tau = -1, M = 999;
    mlphys_require_status(mcmc_tau_int(x, 5.0, &tau, &M), GSL_EMAXITER, "mcmc_tau_int",
                          "no M < n/2 = 20 satisfies M >= 5 tau(M) for a straight line");
    cr_assert(tau == -1 && M == 999, "tau or window written although no window was found");
    gsl_vector_free(x);
}

Test(mcmc, tau_window_is_the_smallest_m_with_m_ge_c_tau, .description = "AR(1), phi = 0.7, c = 3 and 5: the window M is the first M with M >= c tau(M), and tau = tau(M)")
{
    const size_t n = 20000;
    gsl_vector *x = gsl_vector_alloc(n);
    t_ar1(mlphys_rng(), 0.7, 0.0, x);
    const double cs[] = {3.0, 5.0};
    const double c0 = t_autocov(x, 0);
    for (int i = 0; i < 2; i++) {
        double tau = NAN;
        size_t M = 0;
        mlphys_require_implemented(mcmc_tau_int(x, cs[i], &tau, &M), "mcmc_tau_int", 7);
        double t_M = 1;
        size_t first = 0;
        for (size_t m = 1; m < n / 2 && !first; m++) {
            t_M += 2 * t_autocov(x, m) / c0;
            if ((double)m >= cs[i] * t_M)
                first = m;
        }
        cr_assert(M == first, "c = %g: window %zu, want %zu, the smallest M with M >= c tau(M). Stop at the first "
                  "M that qualifies", cs[i], M, first);
        /* the same sum of a few dozen terms: 1e-10 */
        mlphys_assert_close(tau, t_M, 1e-10, 1e-10, "c = %g: tau at the window, 1 + 2 sum_{t=1}^{M} rho(t)", cs[i]);
    }
    gsl_vector_free(x);
}

Test(mcmc, tau_of_ar1_is_1_plus_phi_over_1_minus_phi, .description = "AR(1) chains: tau = 1 (phi = 0), 3 (phi = 0.5), 19 (phi = 0.9) within 5 sd of Sokal's error formula")
{
    /* Sokal's variance of the windowed estimator: Var tau_hat ~ 2 (2M + 1) / n tau^2.  With c = 5
     * and n = 2e5: phi = 0   tau = 1,  M ~ 5,   rel sd 0.010  -> tolerance 0.06;
     *              phi = 0.5 tau = 3,  M ~ 15,  rel sd 0.018  -> tolerance 0.10 (relative);
     *              phi = 0.9 tau = 19, M ~ 95,  rel sd 0.044  -> tolerance 0.22 (relative).
     * The window's truncation bias 2 phi^{M+1} / (1 - phi) is below 1e-3 in each case.  The wrong
     * normalisation (Sokal's 1/2 + sum rho) would give 0.5, 1.5, 9.5. */
    const size_t n = 200000;
    const double phis[] = {0.0, 0.5, 0.9}, tol[] = {0.06, 0.10, 0.22};
    gsl_vector *x = gsl_vector_alloc(n);
    for (int i = 0; i < 3; i++) {
        t_ar1(mlphys_rng(), phis[i], -1.0, x);
        double tau = NAN, want = (1 + phis[i]) / (1 - phis[i]);
        size_t M = 0;
        mlphys_require_implemented(mcmc_tau_int(x, 5.0, &tau, &M), "mcmc_tau_int", 7);
        mlphys_assert_close(tau, want, 0, tol[i], "tau_int of AR(1) with phi = %g (window %zu): want (1 + phi)/(1 - phi)",
                            phis[i], M);
    }
    gsl_vector_free(x);
}

Test(mcmc, tau_rejects_bad_arguments, .description = "c <= 0, n < 4, NULL outputs give errors; a constant chain GSL_EDOM")
{
    gsl_vector *x = gsl_vector_alloc(10), *x3 = gsl_vector_alloc(3);
    for (size_t i = 0; i < 10; i++)
        gsl_vector_set(x, i, (double)(i % 3));
    gsl_vector_set_all(x3, 1.0);
    double tau = 7;
    size_t M = 7;
    mlphys_require_status(mcmc_tau_int(x, 0.0, &tau, &M), GSL_EINVAL, "mcmc_tau_int", "c = 0");
    mlphys_require_status(mcmc_tau_int(x, NAN, &tau, &M), GSL_EINVAL, "mcmc_tau_int", "c NaN");
    mlphys_require_status(mcmc_tau_int(x, 5.0, NULL, &M), GSL_EINVAL, "mcmc_tau_int", "tau NULL");
    mlphys_require_status(mcmc_tau_int(x3, 5.0, &tau, &M), GSL_EBADLEN, "mcmc_tau_int", "n = 3 < 4");
    gsl_vector_set_all(x, 4.0);
    mlphys_require_status(mcmc_tau_int(x, 5.0, &tau, &M), GSL_EDOM, "mcmc_tau_int", "constant chain: C(0) = 0");
    cr_assert(tau == 7 && M == 7, "outputs written although the call failed");
    gsl_vector_free(x), gsl_vector_free(x3);
}

/* ---- TODO(8): effective sample size and error bars ---------------------------------------- */

Test(mcmc, ess_is_n_over_tau_with_consistent_error_bar, .description = "AR(1), phi = 0.6, n = 1e5: ess = n (1 - phi)/(1 + phi) = 25000 within 12%; mean exact; err = sqrt(C(0) / ess)")
{
    /* ess = n / tau with tau = 4 here; tau's relative sd is sqrt(2 (2M + 1) / n) = 0.025 (M ~ 20),
     * so 12% is about 5 sd.  mean and err are then fixed by the definitions. */
    const size_t n = 100000;
    gsl_vector *x = gsl_vector_alloc(n);
    t_ar1(mlphys_rng(), 0.6, 2.0, x);
    double ess = NAN, mean = NAN, err = NAN, xbar = 0;
    mlphys_require_implemented(mcmc_ess(x, 5.0, &ess, &mean, &err), "mcmc_ess", 8);
    for (size_t i = 0; i < n; i++)
        xbar += gsl_vector_get(x, i) / (double)n;
    mlphys_assert_close(ess, n * 0.4 / 1.6, 0, 0.12, "effective sample size of AR(1), phi = 0.6 (n / tau, tau = 4)");
    mlphys_assert_close(mean, xbar, 1e-12, 1e-12, "mean of the chain");
    mlphys_assert_close(err, sqrt(t_autocov(x, 0) / ess), 1e-12, 1e-10, "err = sqrt(C(0) tau / n) = sqrt(C(0) / ess)");
    gsl_vector_free(x);
}

Test(mcmc, ess_error_bars_cover_the_true_mean, .description = "400 AR(1) chains (phi = 0.8, n = 2000): mean +- 2 err covers the true mean at least 85% of the time (95% in theory; 50% if tau is ignored)")
{
    /* An honest 2-sigma interval covers 95.4%.  The windowed tau of a chain of 2000 is slightly
     * biased low: measured with the reference over 50 seeds, coverage 94.7% with sd 1.1% (lowest
     * 91%), so 0.85 is 8.8 sd below the mean.  Ignoring the
     * correlation (err = sqrt(C(0)/n), tau = 9 here) gives 2 sigma / 3: coverage 50%. */
    const size_t P = 400, n = 2000;
    const double mu = 1.5;
    gsl_vector *x = gsl_vector_alloc(n);
    size_t covered = 0;
    for (size_t p = 0; p < P; p++) {
        t_ar1(mlphys_rng(), 0.8, mu, x);
        double ess = NAN, mean = NAN, err = NAN;
        mlphys_require_implemented(mcmc_ess(x, 5.0, &ess, &mean, &err), "mcmc_ess", 8);
        covered += fabs(mean - mu) <= 2 * err;
    }
    double frac = (double)covered / P;
    cr_assert(frac >= 0.85, "mean +- 2 err covered the true mean in %.1f%% of %zu chains, want about 95%%: the error "
              "bar of a correlated chain is sqrt(C(0) tau / n), not sqrt(C(0) / n)", 100 * frac, P);
    gsl_vector_free(x);
}

Test(mcmc, ess_rejects_bad_arguments, .description = "NULL outputs GSL_EINVAL; a too-short chain passes on GSL_EMAXITER")
{
    gsl_vector *x = gsl_vector_alloc(40);
    for (size_t i = 0; i < 40; i++)
        gsl_vector_set(x, i, (double)i);
    double ess = 7, mean = 7, err = 7;
    mlphys_require_status(mcmc_ess(x, 5.0, NULL, &mean, &err), GSL_EINVAL, "mcmc_ess", "ess NULL");
    mlphys_require_status(mcmc_ess(x, 5.0, &ess, &mean, &err), GSL_EMAXITER, "mcmc_ess",
                          "a straight line of 40 points has no window at c = 5: pass on mcmc_tau_int's error");
    cr_assert(ess == 7 && mean == 7 && err == 7, "outputs written although the call failed");
    gsl_vector_free(x);
}
