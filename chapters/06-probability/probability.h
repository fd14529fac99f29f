/*
 * probability.h: the contract of chapter 06 (Bayes' rule, sampling, characteristic functions).
 * The stub (chapters/06-probability/probability.c) and the reference solution implement
 * exactly this header.
 *
 * Shapes: K hypotheses, n samples, T values of the frequency t.  Vectors are gsl_vector.
 * The caller allocates every output.  Every function returns a GSL status: GSL_SUCCESS,
 * GSL_EBADLEN when sizes disagree, GSL_EINVAL for a bad argument, GSL_EUNIMPL while it is
 * still a stub.  On an error the outputs are left untouched.
 */
#ifndef MLPHYS_PROBABILITY_H
#define MLPHYS_PROBABILITY_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

/* How far the prior may be from summing to 1 before it is rejected. */
#define PROB_NORM_TOL 1e-9

/* Bayes' rule over K mutually exclusive hypotheses H_k after observing data D:
 *   P(H_k | D) = P(D | H_k) P(H_k) / P(D),   P(D) = sum_k P(D | H_k) P(H_k).
 *   prior       (K)  in: P(H_k), entries >= 0, summing to 1 (within PROB_NORM_TOL)
 *   likelihood  (K)  in: P(D | H_k), entries >= 0 (they need not sum to anything)
 *   posterior   (K)  out: P(H_k | D); may be the same vector as prior (in-place update)
 *   evidence         out: P(D) (may be NULL if not wanted)
 * Returns GSL_EBADLEN if the sizes differ or K = 0; GSL_EINVAL for a negative or non-finite
 * entry, a prior that does not sum to 1, or P(D) = 0 (data impossible under every H_k). */
int prob_bayes_update(const gsl_vector *prior, const gsl_vector *likelihood,
                      gsl_vector *posterior, double *evidence);

/* Inverse-CDF sampling of the exponential density p(x) = rate exp(-rate x), x >= 0:
 *   x_k = F^{-1}(u_k) with F(x) = 1 - exp(-rate x) and u_k = gsl_rng_uniform_pos(rng),
 *   one uniform per sample, drawn in the order k = 0, 1, ..., n-1.
 *   x (n) out.  rate in 1/(units of x).  Returns GSL_EINVAL if rate <= 0 or not finite. */
int prob_sample_exponential(double rate, gsl_rng *rng, gsl_vector *x);

/* Inverse-CDF sampling of the Cauchy (Lorentzian) density
 *   p(x) = (1/pi) gamma / ((x - x0)^2 + gamma^2),   F(x) = 1/2 + atan((x - x0)/gamma) / pi,
 *   x_k = F^{-1}(u_k), u_k = gsl_rng_uniform_pos(rng), drawn in the order k = 0, ..., n-1.
 *   x (n) out.  x0 is the centre (median), gamma > 0 the half width at half maximum.
 * Returns GSL_EINVAL if gamma <= 0 or either parameter is not finite. */
int prob_sample_cauchy(double x0, double gamma, gsl_rng *rng, gsl_vector *x);

/* The empirical characteristic function of the samples x:
 *   phi_n(t) = (1/n) sum_k exp(i t x_k),  re = Re phi_n(t_j) = (1/n) sum_k cos(t_j x_k),
 *                                         im = Im phi_n(t_j) = (1/n) sum_k sin(t_j x_k).
 *   x (n) in, n >= 1     t (T) in     re (T) out     im (T) out
 * Returns GSL_EBADLEN if re or im do not have the size of t, GSL_EINVAL if n = 0. */
int prob_empirical_cf(const gsl_vector *x, const gsl_vector *t, gsl_vector *re, gsl_vector *im);

/* Standardised sums of m uniforms, for the central limit theorem:
 *   z_k = (S_k - m/2) / sqrt(m/12),   S_k = u_{k,1} + ... + u_{k,m},  u = gsl_rng_uniform(rng),
 *   drawn in the order z_0's m uniforms, then z_1's, ...  (so E z = 0 and Var z = 1 exactly).
 *   z (n) out.  Returns GSL_EINVAL if m = 0. */
int prob_uniform_sums(size_t m, gsl_rng *rng, gsl_vector *z);

#endif
