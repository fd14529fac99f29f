/*
 * divergences.h: the contract of chapter 15 (divergences, optimal transport and variational
 * inference).  The stub (chapters/15-divergences/divergences.c) and the reference solution
 * implement exactly this header.
 *
 * Shapes: n categories for a discrete distribution p = (p_1 .. p_n); n and m samples for
 * empirical distributions; B noise draws eps_1 .. eps_B per reparameterised gradient; K components
 * of a Gaussian mixture.  Gaussians are given by their mean m and standard deviation s (not the
 * variance).  Divergences are in nats (natural logarithms).  The caller allocates every output.
 * Every function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when sizes disagree or are zero,
 * GSL_EINVAL for a bad argument (a negative probability, s <= 0, a NULL callback, ...), and
 * GSL_EUNIMPL while it is still a stub.  On an error no output is written.
 */
#ifndef MLPHYS_DIVERGENCES_H
#define MLPHYS_DIVERGENCES_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* ---- Discrete distributions ------------------------------------------------------------
 * p and q (n) are probability vectors: every entry finite and >= 0, sum 1 within 1e-9
 * (else GSL_EINVAL); n >= 1 and p->size == q->size (else GSL_EBADLEN). */

/* Total variation  TV(p, q) = (1/2) sum_i |p_i - q_i|,  in [0, 1]. */
int div_tv(const gsl_vector *p, const gsl_vector *q, double *tv);

/* Kullback-Leibler  KL(p || q) = sum_i p_i log(p_i / q_i),  with 0 log(0 / q) = 0 and
 * p_i log(p_i / 0) = +infinity: *kl = GSL_POSINF (and GSL_SUCCESS) when q misses p's support. */
int div_kl(const gsl_vector *p, const gsl_vector *q, double *kl);

/* Jensen-Shannon  JS(p, q) = KL(p || M) / 2 + KL(q || M) / 2,  M = (p + q) / 2,  in [0, log 2]. */
int div_js(const gsl_vector *p, const gsl_vector *q, double *js);

/* ---- Two Gaussians N(m1, s1^2) and N(m2, s2^2) -----------------------------------------
 * GSL_EINVAL unless s1, s2 > 0 and all four numbers are finite. */

/* KL(N(m1, s1^2) || N(m2, s2^2)) in closed form. */
int div_gauss_kl(double m1, double s1, double m2, double s2, double *kl);

/* TV between the two Gaussians in closed form: the densities cross at most twice, and TV is
 * P1(A) - P2(A) on the set A where the first density is the larger one. */
int div_gauss_tv(double m1, double s1, double m2, double s2, double *tv);

/* JS between the two Gaussians (no closed form): a quadrature accurate to 1e-10 absolute. */
int div_gauss_js(double m1, double s1, double m2, double s2, double *js);

/* ---- Optimal transport in one dimension --------------------------------------------------
 * The p-Wasserstein distance between the empirical distributions of x (n samples, weight 1/n
 * each) and y (m samples, weight 1/m each), p >= 1:
 *   W_p = ( integral_0^1 |F^{-1}(u) - G^{-1}(u)|^p du )^{1/p},
 * the sorted (quantile) coupling.  n and m may differ.  x and y are not modified.
 * GSL_EBADLEN if either is empty, GSL_EINVAL if p < 1 or not finite, or a sample is not finite,
 * GSL_ENOMEM if a work copy cannot be allocated. */
int div_wasserstein_1d(const gsl_vector *x, const gsl_vector *y, double p, double *w);

/* ---- Monte Carlo KL --------------------------------------------------------------------- */

/* A log-density log p(x) and a sampler x ~ p; params is passed through untouched. */
typedef double (*div_logpdf)(double x, void *params);
typedef double (*div_sampler)(gsl_rng *rng, void *params);

/* KL(p || q) = E_{x~p}[log p(x) - log q(x)] estimated from n draws x_1 .. x_n = sample(rng, pp)
 * (drawn in order):  *kl = mean of r_i = logp(x_i, pp) - logq(x_i, pq),  *se = the standard
 * error of that mean, sd(r) / sqrt(n) with the n - 1 sample standard deviation.
 * GSL_EINVAL if a callback or rng is NULL, GSL_EBADLEN if n < 2. */
int div_kl_monte_carlo(div_logpdf logp, void *pp, div_sampler sample, div_logpdf logq, void *pq,
                       size_t n, gsl_rng *rng, double *kl, double *se);

/* ---- Variational inference on a Gaussian mixture ----------------------------------------- */

/* The target  pi(x) = sum_k w_k N(x; mu_k, sigma_k^2),  K components (arrays of length K). */
typedef struct {
    size_t K;
    const double *w;     /* weights, >= 0, sum 1 within 1e-9 */
    const double *mu;    /* means */
    const double *sigma; /* standard deviations, > 0 */
} div_mixture;

/* log pi(x) and the score d/dx log pi(x), stably (log-sum-exp: finite even where every
 * component's density underflows, e.g. 40 standard deviations out).
 * GSL_EBADLEN if K = 0, GSL_EINVAL if mix is NULL or a weight or sigma is invalid. */
int div_mixture_logpdf(const div_mixture *mix, double x, double *logp, double *score);

/* The forward-KL fit of q = N(mu, sigma^2) to samples x_1 .. x_n of the target:
 * minimise  L(mu, rho) = rho + (1/n) sum_i (x_i - mu)^2 / (2 e^{2 rho})   (rho = log sigma),
 * which is KL(pi || q) estimated on the samples up to a constant, by `iters` steps of plain
 * gradient descent with step lr on (mu, rho).
 *   mu, sigma  in: the starting point (sigma > 0);  out: the fit
 * GSL_EBADLEN if x is empty, GSL_EINVAL if lr <= 0 or the start is invalid, GSL_ERUNAWAY if an
 * iterate mu is not finite or |rho| > 300 (sigma would over- or underflow: lr too large). */
int div_fit_forward_kl(const gsl_vector *x, double lr, size_t iters, double *mu, double *sigma);

/* The reparameterised estimate of the reverse KL and its gradient, for q = N(mu, e^{2 rho}):
 *   x_b = mu + e^rho eps_b,
 *   kl        = -H(q) - (1/B) sum_b log pi(x_b),     H(q) = rho + (1/2) log(2 pi e),
 *   dmu       = -(1/B) sum_b score(x_b),
 *   dlog_sigma = -1 - (1/B) sum_b score(x_b) e^rho eps_b.
 * eps (B) in: the standard-normal draws (given, so the estimate is a smooth function of mu, rho).
 * GSL_EBADLEN if B = 0 or K = 0, GSL_EINVAL for an invalid mixture or non-finite mu, rho. */
int div_reverse_kl_estimate(const div_mixture *mix, double mu, double log_sigma,
                            const gsl_vector *eps, double *kl, double *dmu, double *dlog_sigma);

/* The reverse-KL fit of q = N(mu, sigma^2) to the mixture by stochastic gradient descent:
 * `iters` steps; each draws `batch` fresh eps ~ N(0, 1) from rng (gsl_ran_gaussian), evaluates
 * div_reverse_kl_estimate and moves (mu, rho) by -lr times the gradient.  The output is the
 * Polyak average of the iterates (mu, rho) after steps iters/2 + 1 .. iters (integer division),
 * with sigma = exp(average rho).
 *   mu, sigma  in: the starting point (sigma > 0);  out: the fit
 * GSL_EBADLEN if batch = 0 or iters < 2 or K = 0, GSL_EINVAL for an invalid mixture, lr <= 0 or
 * an invalid start, GSL_ERUNAWAY if an iterate mu is not finite or |rho| > 300, GSL_ENOMEM on
 * allocation failure. */
int div_fit_reverse_kl(const div_mixture *mix, double lr, size_t iters, size_t batch, gsl_rng *rng,
                       double *mu, double *sigma);

#endif
