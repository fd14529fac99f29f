/*
 * Chapter 06: Bayes' rule, inverse-CDF sampling, and characteristic functions
 *
 * Bayes:      P(H_k | D) = P(D | H_k) P(H_k) / P(D),   P(D) = sum_k P(D | H_k) P(H_k).
 * Sampling:   if u ~ Uniform(0, 1) and F is a CDF, then x = F^{-1}(u) has CDF F.
 * CF:         phi(t) = E[exp(i t X)];  from n samples  phi_n(t) = (1/n) sum_k exp(i t x_k).
 * Shapes: K hypotheses, n samples, T frequencies t.
 *
 * You write, in this order:
 *   TODO(1) prob_bayes_update()        posterior and evidence over K hypotheses
 *   TODO(2) prob_sample_exponential()  x = F^{-1}(u) for F(x) = 1 - exp(-rate x)
 *   TODO(3) prob_sample_cauchy()       x = F^{-1}(u) for F(x) = 1/2 + atan((x - x0)/gamma)/pi
 *   TODO(4) prob_empirical_cf()        Re and Im of phi_n(t) on a grid of t
 *   TODO(5) prob_uniform_sums()        standardised sums of m uniforms (the CLT)
 *
 * Check:           make test CH=06-probability
 * See your figure: make plot CH=06-probability
 * The contract of every function is in probability.h; the math is in README.md.
 */
#include "probability.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h> /* M_PI: plain -std=c11 does not define it */
#include <math.h>

/* Bayes' rule over K hypotheses.
 *   prior (K) in, sums to 1   likelihood (K) in   posterior (K) out (may alias prior)
 *   evidence out: P(D), or NULL
 * Returns GSL_EBADLEN (sizes, K = 0) or GSL_EINVAL (negative entries, prior not normalised,
 * P(D) = 0). */
int prob_bayes_update(const gsl_vector *prior, const gsl_vector *likelihood,
                      gsl_vector *posterior, double *evidence)
{
    (void)prior, (void)likelihood, (void)posterior, (void)evidence;
    /* TODO(1): 1. check the sizes, then every entry (>= 0 and finite) and |sum prior - 1| <=
     *             PROB_NORM_TOL; compute P(D) = sum_k P(D|H_k) P(H_k) and reject P(D) = 0.
     *          2. only then write posterior_k = P(D|H_k) P(H_k) / P(D) and *evidence.
     *          Careful: posterior may be the same vector as prior.
     *          Hint: README section "Bayes' rule and the diagnostic test". */
    return GSL_EUNIMPL;
}

/* Exponential samples by inverting the CDF.
 *   x (n) out; u_k = gsl_rng_uniform_pos(rng), one per sample, in order. */
int prob_sample_exponential(double rate, gsl_rng *rng, gsl_vector *x)
{
    (void)rate, (void)rng, (void)x;
    /* TODO(2): solve u = 1 - exp(-rate x) for x.  Use x = F^{-1}(u), not F^{-1}(1 - u): both
     *          have the right distribution, but the tests check F(x_k) = u_k.  log1p(-u)
     *          computes log(1 - u) accurately when u is small.
     *          Hint: README section "Sampling by inverting the CDF". */
    return GSL_EUNIMPL;
}

/* Cauchy (Lorentzian) samples by inverting the CDF.
 *   x (n) out; u_k = gsl_rng_uniform_pos(rng), one per sample, in order. */
int prob_sample_cauchy(double x0, double gamma, gsl_rng *rng, gsl_vector *x)
{
    (void)x0, (void)gamma, (void)rng, (void)x;
    /* TODO(3): solve u = 1/2 + atan((x - x0)/gamma)/pi for x (a tangent appears).
     *          Hint: README section "Sampling by inverting the CDF". */
    return GSL_EUNIMPL;
}

/* The empirical characteristic function on a grid of t.
 *   x (n) in, n >= 1   t (T) in   re (T) out   im (T) out */
int prob_empirical_cf(const gsl_vector *x, const gsl_vector *t, gsl_vector *re, gsl_vector *im)
{
    (void)x, (void)t, (void)re, (void)im;
    /* TODO(4): check the sizes; for each t_j average cos(t_j x_k) and sin(t_j x_k) over k.
     *          Hint: README section "The characteristic function". */
    return GSL_EUNIMPL;
}

/* z_k = (u_1 + ... + u_m - m/2) / sqrt(m/12), u = gsl_rng_uniform(rng), z_0's m draws first.
 *   z (n) out. */
int prob_uniform_sums(size_t m, gsl_rng *rng, gsl_vector *z)
{
    (void)m, (void)rng, (void)z;
    /* TODO(5): why m/2 and m/12?  Work out the mean and variance of one uniform on [0, 1).
     *          Hint: README section "The central limit theorem in Fourier space". */
    return GSL_EUNIMPL;
}

/* Going further: the Cauchy quantile tan(pi (u - 1/2)) is the position where a ray leaving
 * a point at height gamma at a uniformly random angle hits the x axis.  GSL samples the
 * Gaussian without a closed-form F^{-1}, by the Box-Muller trick or Marsaglia's ziggurat
 * (see gsl/randist/gauss.c); try timing gsl_ran_gaussian_ziggurat against inverting Phi with
 * gsl_cdf_ugaussian_Pinv. */
