/*
 * bayes_regression.h: the contract of chapter 08 (Bayesian linear regression).
 * The stub (chapters/08-bayes-regression/bayes_regression.c) and the reference solution
 * implement exactly this header.
 *
 * Model: targets t_n = w^T phi(x_n) + noise, noise ~ N(0, 1/beta); prior w ~ N(0, I/alpha).
 * Shapes: N data points, M basis functions.  Phi (N, M) is the design matrix, row n is
 * phi(x_n)^T; t (N) the targets; m (M) and S (M, M) the posterior mean and covariance.
 * alpha is the prior precision (1/variance of each weight), beta the noise precision
 * (1/variance of t around the line), both > 0.
 * The caller allocates every output.  Every function returns a GSL status: GSL_SUCCESS,
 * GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument, GSL_EUNIMPL while it is
 * still a stub.  On an error the outputs are left untouched.
 */
#ifndef MLPHYS_BAYES_REGRESSION_H
#define MLPHYS_BAYES_REGRESSION_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* The batch posterior p(w | t) = N(w; m_N, S_N):
 *   S_N = (alpha I + beta Phi^T Phi)^{-1},   m_N = beta S_N Phi^T t.
 *   Phi (N, M) in     t (N) in     m (M) out     S (M, M) out, symmetric
 * Phi and t may both be NULL: no data (N = 0), and the posterior is the prior, m = 0, S = I/alpha.
 * Returns GSL_EBADLEN if the shapes disagree, GSL_EINVAL if alpha or beta is not > 0 and
 * finite or only one of Phi, t is NULL. */
int blr_posterior(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                  gsl_vector *m, gsl_matrix *S);

/* Set (m, S) to the prior: m = 0, S = I / alpha.  m (M) out, S (M, M) out.
 * Returns GSL_EBADLEN if S is not M x M, GSL_EINVAL if alpha is not > 0 and finite. */
int blr_prior(double alpha, gsl_vector *m, gsl_matrix *S);

/* One sequential step: the posterior after one more data point (phi, t_new), starting from
 * the current posterior N(m, S), which plays the role of the prior.
 *   phi (M) in: phi(x_new)     m (M) in/out     S (M, M) in/out, symmetric
 * Afterwards S^{-1} = S_old^{-1} + beta phi phi^T and m = S (S_old^{-1} m_old + beta t_new phi).
 * Returns GSL_EBADLEN, GSL_EINVAL (beta not > 0 and finite), GSL_ENOMEM. */
int blr_update(const gsl_vector *phi, double t_new, double beta, gsl_vector *m, gsl_matrix *S);

/* The predictive distribution of a new target at phi = phi(x):
 *   p(t | x, data) = N(t; mean, var),   mean = m^T phi,   var = 1/beta + phi^T S phi.
 *   phi (M) in   m (M) in   S (M, M) in   mean, var out
 * Returns GSL_EBADLEN, GSL_EINVAL (beta not > 0 and finite), GSL_ENOMEM. */
int blr_predict(const gsl_vector *phi, const gsl_vector *m, const gsl_matrix *S, double beta,
                double *mean, double *var);

/* The log evidence (log marginal likelihood) ln p(t | alpha, beta) of the data, Bishop (3.86):
 *   ln p = M/2 ln alpha + N/2 ln beta - E(m_N) - 1/2 ln det A - N/2 ln(2 pi),
 *   A = alpha I + beta Phi^T Phi = S_N^{-1},  E(m) = beta/2 |t - Phi m|^2 + alpha/2 |m|^2.
 *   Phi (N, M) in, t (N) in, N >= 1.   logev out
 * Returns GSL_EBADLEN, GSL_EINVAL (alpha, beta not > 0 and finite), GSL_ENOMEM. */
int blr_log_evidence(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                     double *logev);

#endif
