/*
 * Chapter 15: how far apart are two distributions?  Divergences, optimal transport and
 * variational inference
 *
 * Discrete p, q (n categories):  TV = (1/2) sum |p_i - q_i|,  KL(p||q) = sum p_i log(p_i / q_i),
 * JS = KL(p||M)/2 + KL(q||M)/2 with M = (p + q)/2.  Two Gaussians N(m1, s1^2), N(m2, s2^2): the
 * same three in closed form (TV, KL) or by quadrature (JS).  Samples x (n), y (m): the 1-D
 * Wasserstein distance W_p by sorting.  Then fit q = N(mu, sigma^2) to a bimodal mixture pi by
 * forward KL(pi||q) (mass covering) and by reverse KL(q||pi) (mode seeking), the latter with the
 * reparameterisation gradient.  Divergences in nats.
 *
 * You write, in this order:
 *   TODO(1)  div_tv()                   total variation of two probability vectors
 *   TODO(2)  div_kl()                   KL divergence, with 0 log 0 = 0 and +inf off the support
 *   TODO(3)  div_js()                   Jensen-Shannon divergence
 *   TODO(4)  div_gauss_kl()             KL between two Gaussians, closed form
 *   TODO(5)  div_gauss_tv()             TV between two Gaussians, closed form (crossing points)
 *   TODO(6)  div_gauss_js()             JS between two Gaussians by the trapezoid rule
 *   TODO(7)  div_wasserstein_1d()       W_p between two samples: the sorted (quantile) coupling
 *   TODO(8)  div_kl_monte_carlo()       KL(p||q) as an average of log p - log q over x ~ p
 *   TODO(9)  div_mixture_logpdf()       log pi(x) and its derivative, with log-sum-exp
 *   TODO(10) div_fit_forward_kl()       gradient descent on forward KL: lands on moment matching
 *   TODO(11) div_reverse_kl_estimate()  reverse KL and its reparameterisation gradient
 *   TODO(12) div_fit_reverse_kl()       stochastic gradient descent on reverse KL
 *
 * Check:           make test CH=15-divergences
 * See your figure: make plot CH=15-divergences   (writes build/figures/chapters/15-divergences/)
 * The contract of every function is in divergences.h; the math is in README.md.
 */
#include "divergences.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

/* TV(p, q) = (1/2) sum_i |p_i - q_i|.   p, q (n) probability vectors (entries >= 0 and finite,
 * sum 1 within 1e-9, else GSL_EINVAL; empty or different sizes: GSL_EBADLEN). */
int div_tv(const gsl_vector *p, const gsl_vector *q, double *tv)
{
    (void)p, (void)q, (void)tv;
    /* TODO(1): 1. check the sizes, then that both are probability vectors (write a small static
     *             helper: you need the same checks in TODO(2) and TODO(3)).
     *          2. one loop; mind the factor 1/2, which makes TV lie in [0, 1].
     *          Hint: README section "Total variation". */
    return GSL_EUNIMPL;
}

/* KL(p || q) = sum_i p_i log(p_i / q_i);  0 log(0 / q) = 0;  p_i > 0 = q_i gives +infinity. */
int div_kl(const gsl_vector *p, const gsl_vector *q, double *kl)
{
    (void)p, (void)q, (void)kl;
    /* TODO(2): the same checks; then the sum.  A term with p_i = 0 is 0 whatever q_i is (do not
     *          evaluate 0 * log 0 = NaN); a term with p_i > 0 and q_i = 0 makes the whole sum
     *          GSL_POSINF, which is a valid answer (return GSL_SUCCESS).
     *          Hint: README section "Kullback-Leibler divergence". */
    return GSL_EUNIMPL;
}

/* JS(p, q) = KL(p || M) / 2 + KL(q || M) / 2,  M = (p + q) / 2. */
int div_js(const gsl_vector *p, const gsl_vector *q, double *js)
{
    (void)p, (void)q, (void)js;
    /* TODO(3): the same checks; one loop computing M_i on the fly.  Where p_i > 0, M_i > 0 too,
     *          so JS is always finite, and at most log 2.
     *          Hint: README section "Jensen-Shannon". */
    return GSL_EUNIMPL;
}

/* KL(N(m1, s1^2) || N(m2, s2^2)), closed form.  GSL_EINVAL unless s1, s2 > 0, all finite. */
int div_gauss_kl(double m1, double s1, double m2, double s2, double *kl)
{
    (void)m1, (void)s1, (void)m2, (void)s2, (void)kl;
    /* TODO(4): KL = log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2.
     *          Hint: README section "Two Gaussians". */
    return GSL_EUNIMPL;
}

/* TV between N(m1, s1^2) and N(m2, s2^2), closed form.  Same argument checks. */
int div_gauss_tv(double m1, double s1, double m2, double s2, double *tv)
{
    (void)m1, (void)s1, (void)m2, (void)s2, (void)tv;
    /* TODO(5): 1. log p1(x) = log p2(x) is a quadratic a x^2 + b x + c = 0 (linear when
     *             s1 = s2): find the crossing points.
     *          2. TV = P1(A) - P2(A), A = {x : p1(x) > p2(x)}: an interval between the roots
     *             when s1 < s2, its complement when s1 > s2, a half-line when s1 = s2.
     *          3. Gaussian masses from the upper tail Q(z) = erfc(z / sqrt 2) / 2 (libm), which
     *             is exact at +-infinity; the stable quadratic formula keeps the far root
     *             accurate when s1 and s2 are close.
     *          Hint: README section "Two Gaussians". */
    return GSL_EUNIMPL;
}

/* JS between N(m1, s1^2) and N(m2, s2^2), accurate to 1e-10.  Same argument checks. */
int div_gauss_js(double m1, double s1, double m2, double s2, double *js)
{
    (void)m1, (void)s1, (void)m2, (void)s2, (void)js;
    /* TODO(6): integrate f(x) = (1/2) p1 log(p1 / M) + (1/2) p2 log(p2 / M), M = (p1 + p2) / 2,
     *          with the trapezoid rule: step min(s1, s2) / 16 on [lo, hi], lo = min(m_i - 12 s_i),
     *          hi = max(m_i + 12 s_i).  Work with log-densities and log-sum-exp for log M.
     *          Hint: README section "Two Gaussians". */
    return GSL_EUNIMPL;
}

/* W_p between the empirical distributions of x (n) and y (m), p >= 1, by the sorted coupling.
 * x and y are not modified (sort copies).  GSL_EBADLEN if either is empty, GSL_EINVAL for p < 1
 * or a non-finite number, GSL_ENOMEM if a copy cannot be allocated. */
int div_wasserstein_1d(const gsl_vector *x, const gsl_vector *y, double p, double *w)
{
    (void)x, (void)y, (void)p, (void)w;
    /* TODO(7): 1. copy x and y into malloc'ed arrays and sort them (gsl_sort or qsort).
     *          2. W_p^p = integral_0^1 |F^{-1}(u) - G^{-1}(u)|^p du: the quantile function of
     *             x is its i-th smallest value on ((i-1)/n, i/n].  Walk the merged breakpoints
     *             i/n and j/m, adding (length of the piece) * |a_i - b_j|^p.
     *          3. return the p-th root; free the copies.
     *          Hint: README section "Optimal transport on a line". */
    return GSL_EUNIMPL;
}

/* KL(p||q) by Monte Carlo over n draws x_i = sample(rng, pp): *kl = mean of
 * r_i = logp(x_i, pp) - logq(x_i, pq), *se = sd(r) / sqrt(n) (n - 1 in the sd).
 * GSL_EINVAL for a NULL callback or rng, GSL_EBADLEN if n < 2. */
int div_kl_monte_carlo(div_logpdf logp, void *pp, div_sampler sample, div_logpdf logq, void *pq,
                       size_t n, gsl_rng *rng, double *kl, double *se)
{
    (void)logp, (void)pp, (void)sample, (void)logq, (void)pq, (void)n, (void)rng, (void)kl, (void)se;
    /* TODO(8): one loop; keep a running mean and variance (Welford) or the two sums.
     *          Hint: README section "KL by Monte Carlo". */
    return GSL_EUNIMPL;
}

/* log pi(x) and d/dx log pi(x) for pi = sum_k w_k N(mu_k, sigma_k^2).
 * GSL_EBADLEN if K = 0; GSL_EINVAL for a NULL mixture, a negative weight, weights that do not sum
 * to 1 within 1e-9, or sigma_k <= 0. */
int div_mixture_logpdf(const div_mixture *mix, double x, double *logp, double *score)
{
    (void)mix, (void)x, (void)logp, (void)score;
    /* TODO(9): 1. l_k = log w_k - log sigma_k - z_k^2 / 2 with z_k = (x - mu_k) / sigma_k
     *             (skip w_k = 0); then log pi = max_k l_k + log sum_k exp(l_k - max) - log(2 pi)/2.
     *          2. the score is sum_k r_k (-z_k / sigma_k) with responsibilities
     *             r_k = exp(l_k - max) / sum_j exp(l_j - max).
     *          You will call this from TODO(11): a static helper without the checks is handy.
     *          Hint: README section "The target: a Gaussian mixture". */
    return GSL_EUNIMPL;
}

/* Forward-KL fit of N(mu, sigma^2) to the samples x (n): `iters` steps of gradient descent with
 * step lr on L(mu, rho) = rho + (1/n) sum (x_i - mu)^2 / (2 e^{2 rho}), rho = log sigma.
 * mu, sigma in: start, out: fit.  GSL_EBADLEN if n = 0, GSL_EINVAL if lr <= 0 or sigma <= 0,
 * GSL_ERUNAWAY if the iterates stop being finite. */
int div_fit_forward_kl(const gsl_vector *x, double lr, size_t iters, double *mu, double *sigma)
{
    (void)x, (void)lr, (void)iters, (void)mu, (void)sigma;
    /* TODO(10): dL/dmu = -(xbar - mu) / sigma^2,  dL/drho = 1 - (1/n) sum (x_i - mu)^2 / sigma^2.
     *           Both only need the sample mean and variance: compute them once, outside the loop.
     *           Hint: README section "Forward KL: mass covering". */
    return GSL_EUNIMPL;
}

/* Reparameterised reverse KL and gradient at (mu, rho = log sigma) for the given eps (B):
 *   x_b = mu + e^rho eps_b,  kl = -(rho + log(2 pi e)/2) - (1/B) sum log pi(x_b),
 *   dmu = -(1/B) sum score(x_b),  dlog_sigma = -1 - (1/B) sum score(x_b) e^rho eps_b. */
int div_reverse_kl_estimate(const div_mixture *mix, double mu, double log_sigma,
                            const gsl_vector *eps, double *kl, double *dmu, double *dlog_sigma)
{
    (void)mix, (void)mu, (void)log_sigma, (void)eps, (void)kl, (void)dmu, (void)dlog_sigma;
    /* TODO(11): check the mixture and eps; one loop over b calling your log-density of TODO(9).
     *           The -1 in dlog_sigma is the derivative of the entropy term -rho.
     *           Hint: README section "Reverse KL and the reparameterisation trick". */
    return GSL_EUNIMPL;
}

/* SGD on reverse KL: iters steps, each with `batch` fresh eps = gsl_ran_gaussian(rng, 1.0) and
 * (mu, rho) -= lr * gradient.  Output: the average of the iterates after steps
 * iters/2 + 1 .. iters, sigma = exp(average rho).  GSL_EBADLEN if batch = 0 or iters < 2. */
int div_fit_reverse_kl(const div_mixture *mix, double lr, size_t iters, size_t batch, gsl_rng *rng,
                       double *mu, double *sigma)
{
    (void)mix, (void)lr, (void)iters, (void)batch, (void)rng, (void)mu, (void)sigma;
    /* TODO(12): allocate eps once (gsl_vector_alloc(batch)); loop t = 1 .. iters: fill eps, call
     *           div_reverse_kl_estimate, step, and from t > iters/2 on add (mu, rho) to running
     *           sums.  Free eps on every return path.
     *           Hint: README section "Reverse KL and the reparameterisation trick". */
    return GSL_EUNIMPL;
}

/* Going further: the "sticking the landing" estimator (Roeder, Wu and Duvenaud, NeurIPS 2017)
 * uses log q(x_b) at the sampled points instead of the exact entropy and drops the score term
 * of q: its gradient variance vanishes when q equals the target.  Try it and compare the jitter
 * of the SGD iterates. */
