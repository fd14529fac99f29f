/*
 * mcmc.h: the contract of chapter 14 (Markov chain Monte Carlo).
 * The stub (chapters/14-mcmc/mcmc.c) and the reference solution implement exactly this header.
 *
 * The 2-D Ising model on an L x L square lattice with periodic boundaries, coupling J = 1, no
 * field, k_B = 1 (so temperature T and energy share one unit, J):
 *     E(s) = - sum over nearest-neighbour bonds <ij> of s_i s_j,   s_i = +1 or -1,
 *     p(s) = exp(-beta E(s)) / Z,   beta = 1 / T.
 * A configuration is an array s of N = L * L signed chars, row-major: the spin at row r,
 * column c is s[r * L + c].  Its four neighbours are at rows r +- 1 and columns c +- 1, taken
 * modulo L.  Every bond is counted once: each site owns the bond to its right and the bond
 * below it, so a lattice has 2N bonds (for L = 2 the right and left neighbours coincide and
 * the two bonds between them are both counted).
 *
 * The second half is about chains in general: a chain is a gsl_vector x of n samples
 * x_0 .. x_{n-1} of one observable, in the order the chain produced them.
 *
 * Every function returns a GSL status: GSL_SUCCESS, GSL_EINVAL for a bad argument,
 * GSL_EBADLEN when sizes disagree, and GSL_EUNIMPL while it is still a stub.  On an error
 * nothing is written.  The caller allocates every output.
 */
#ifndef MLPHYS_MCMC_H
#define MLPHYS_MCMC_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* Total energy E(s) = - sum_<ij> s_i s_j of a configuration (2N bonds, see above).
 *   s (N = L*L)  in: spins +1 / -1        E  out: the energy, an integer between -2N and 2N
 * GSL_EINVAL if L < 2 or s or E is NULL. */
int ising_energy(const signed char *s, size_t L, double *E);

/* The Metropolis acceptance probability of flipping the spin at index k (0 <= k < N):
 *     dE = E(s with s_k flipped) - E(s) = 2 s_k (sum of its four neighbours),
 *     a  = min(1, exp(-beta dE)).
 * s is not modified.  GSL_EINVAL if L < 2, k >= N, beta < 0 or not finite, or a pointer is NULL. */
int ising_flip_acceptance(const signed char *s, size_t L, size_t k, double beta, double *a);

/* One Metropolis sweep: N single-spin updates, visiting the sites in typewriter order
 * k = 0, 1, ..., N - 1.  At each site propose to flip s_k and accept with probability
 * min(1, exp(-beta dE)) (draw u = gsl_rng_uniform(rng) when dE > 0 and flip if u < exp(-beta dE)).
 *   s         in/out: the configuration, updated in place
 *   accepted  out (may be NULL): the number of accepted flips in this sweep, 0..N
 * GSL_EINVAL if L < 2, beta < 0 or not finite, or s or rng is NULL. */
int ising_metropolis_sweep(signed char *s, size_t L, double beta, gsl_rng *rng, size_t *accepted);

/* Exact averages by summing over all 2^N configurations (2 <= L <= 5, so N <= 25):
 *     e     = <E> / N                                  energy per spin
 *     abs_m = <|M|> / N,  M = sum_i s_i                absolute magnetisation per spin
 *     c     = beta^2 (<E^2> - <E>^2) / N               specific heat per spin
 * with <f> = sum_s f(s) exp(-beta E(s)) / Z.  Must not overflow for any beta >= 0 (factor out
 * the ground-state weight).  GSL_EINVAL if L < 2 or L > 5, beta < 0 or not finite, or a pointer
 * is NULL. */
int ising_exact(size_t L, double beta, double *e, double *abs_m, double *c);

/* Gibbs sampling of the bivariate normal with unit variances and correlation rho (|rho| < 1):
 *     x | y ~ N(rho y, 1 - rho^2),   y | x ~ N(rho x, 1 - rho^2).
 * The chain starts at y = y0.  One step draws a new x given the current y, then a new y given
 * that new x; row t of xy holds (x, y) after step t + 1, for t = 0 .. n - 1.
 *   xy (n, 2)  out: the chain
 * GSL_EINVAL if |rho| >= 1 or not finite, or rng is NULL; GSL_EBADLEN if xy does not have two
 * columns or has no rows. */
int gibbs_bivariate_normal(double rho, double y0, gsl_rng *rng, gsl_matrix *xy);

/* Normalised autocorrelation function of a chain, for lags t = 0 .. K - 1:
 *     C(t)   = 1/(n - t) sum_{i=0}^{n-1-t} (x_i - xbar)(x_{i+t} - xbar),   xbar = mean of all n,
 *     rho(t) = C(t) / C(0)   (so rho(0) = 1).
 *   x (n) in;  rho (K) out, 1 <= K <= n.
 * GSL_EBADLEN if K = 0 or K > n; GSL_EDOM if C(0) = 0 (a constant chain has no correlation). */
int mcmc_autocorr(const gsl_vector *x, gsl_vector *rho);

/* Integrated autocorrelation time with Sokal's automatic window:
 *     tau(M) = 1 + 2 sum_{t=1}^{M} rho(t),
 * and the window is the smallest M >= 1 with M >= c tau(M).  Then tau = tau(M).
 * With this normalisation Var(xbar) = C(0) tau / n for a long chain, and tau = 1 for
 * independent samples.  (Sokal's own tau_int is half of this.)
 *   x (n) in;  c > 0 (5 is a good choice);  tau, window out.
 * GSL_EINVAL if c <= 0 or not finite or a pointer is NULL; GSL_EBADLEN if n < 4;
 * GSL_EDOM if C(0) = 0; GSL_EMAXITER if no window M < n / 2 qualifies (the chain is too short
 * compared with its autocorrelation time), and then nothing is written. */
int mcmc_tau_int(const gsl_vector *x, double c, double *tau, size_t *window);

/* The effective sample size and the error bar of the chain's mean:
 *     mean = xbar,   ess = n / tau,   err = sqrt(C(0) / ess) = sqrt(C(0) tau / n),
 * with tau from mcmc_tau_int(x, c, ...) and C(0) as in mcmc_autocorr.
 * Same errors as mcmc_tau_int. */
int mcmc_ess(const gsl_vector *x, double c, double *ess, double *mean, double *err);

#endif
