/*
 * Chapter 08: Bayesian linear regression
 *
 * Model:      t_n = w^T phi(x_n) + eps_n,   eps_n ~ N(0, 1/beta),   prior w ~ N(0, I/alpha).
 * Posterior:  p(w | t) = N(w; m_N, S_N),   S_N = (alpha I + beta Phi^T Phi)^{-1},
 *                                          m_N = beta S_N Phi^T t.
 * Predictive: p(t | x) = N(t; m_N^T phi, 1/beta + phi^T S_N phi).
 * Shapes: N data points, M basis functions; Phi (N, M) has rows phi(x_n)^T; t (N); m (M);
 * S (M, M).  alpha = prior precision, beta = noise precision (1/sigma^2).
 *
 * You write, in this order:
 *   TODO(1) blr_prior()         m = 0, S = I/alpha
 *   TODO(2) blr_posterior()     the batch posterior, by Cholesky of alpha I + beta Phi^T Phi
 *   TODO(3) blr_update()        one more data point: a rank-one update of (m, S)
 *   TODO(4) blr_predict()       predictive mean and variance at one x
 *   TODO(5) blr_log_evidence()  ln p(t | alpha, beta)
 *
 * Check:           make test CH=08-bayes-regression
 * Stuck?           chapters/08-bayes-regression/hints.md: three hints per TODO
 * See your figure: make plot CH=08-bayes-regression
 * The contract of every function is in bayes_regression.h; the math is in README.md.
 */
#include "bayes_regression.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h> /* M_PI: plain -std=c11 does not define it */
#include <math.h>

/* The prior: m (M) out = 0, S (M, M) out = I/alpha. */
int blr_prior(double alpha, gsl_vector *m, gsl_matrix *S)
{
    (void)alpha, (void)m, (void)S;
    /* TODO(1): check that S is M x M and alpha > 0 (and finite), then fill m and S.
     *          Hint: README section "Prior, likelihood, posterior". */
    return GSL_EUNIMPL;
}

/* The batch posterior.  Phi (N, M) in, t (N) in (both NULL: no data), m (M) out, S (M, M) out. */
int blr_posterior(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                  gsl_vector *m, gsl_matrix *S)
{
    (void)Phi, (void)t, (void)alpha, (void)beta, (void)m, (void)S;
    /* TODO(2): 1. check arguments and shapes; with Phi = t = NULL return the prior.
     *          2. A = alpha I + beta Phi^T Phi (gsl_blas_dsyrk fills one triangle, which is
     *             all gsl_linalg_cholesky_decomp1 reads), factorise A = L L^T.
     *          3. m solves A m = beta Phi^T t (gsl_linalg_cholesky_solve); S = A^{-1}
     *             (gsl_linalg_cholesky_invert).  Free what you allocated.
     *          Hint: README section "Prior, likelihood, posterior". */
    return GSL_EUNIMPL;
}

/* One sequential step with the point (phi, t_new).  phi (M) in, m (M) in/out, S (M, M) in/out. */
int blr_update(const gsl_vector *phi, double t_new, double beta, gsl_vector *m, gsl_matrix *S)
{
    (void)phi, (void)t_new, (void)beta, (void)m, (void)S;
    /* TODO(3): with s = S phi and v = 1/beta + phi^T s (the predictive variance of t_new):
     *            m <- m + s (t_new - phi^T m) / v,     S <- S - s s^T / v.
     *          Compute s before you change S.  No matrix inverse is needed.
     *          Hint: README section "One point at a time". */
    return GSL_EUNIMPL;
}

/* The predictive mean m^T phi and variance 1/beta + phi^T S phi.  phi (M), m (M), S (M, M). */
int blr_predict(const gsl_vector *phi, const gsl_vector *m, const gsl_matrix *S, double beta,
                double *mean, double *var)
{
    (void)phi, (void)m, (void)S, (void)beta, (void)mean, (void)var;
    /* TODO(4): two dot products and one matrix-vector product (gsl_blas_dgemv).
     *          Hint: README section "Predictions with error bars". */
    return GSL_EUNIMPL;
}

/* ln p(t | alpha, beta).  Phi (N, M) in, t (N) in, logev out. */
int blr_log_evidence(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                     double *logev)
{
    (void)Phi, (void)t, (void)alpha, (void)beta, (void)logev;
    /* TODO(5): factorise A = alpha I + beta Phi^T Phi = L L^T as in TODO(2); then
     *            ln det A = 2 sum_i ln L_ii,   E = beta/2 |t - Phi m_N|^2 + alpha/2 |m_N|^2,
     *            ln p = M/2 ln alpha + N/2 ln beta - E - 1/2 ln det A - N/2 ln(2 pi).
     *          Hint: README section "The evidence". */
    return GSL_EUNIMPL;
}

/* Going further: with the evidence you can fit alpha and beta themselves (type-II maximum
 * likelihood): Bishop's fixed-point iteration gamma = sum_i lambda_i/(alpha + lambda_i),
 * alpha = gamma / |m_N|^2, 1/beta = |t - Phi m_N|^2 / (N - gamma), where lambda_i are the
 * eigenvalues of beta Phi^T Phi.  gamma counts the "well-determined" parameters. */
