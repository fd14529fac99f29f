/*
 * Chapter 07: where loss functions come from
 *
 * A loss is a negative log-likelihood.  Gaussian noise y_i ~ N(f_i, sigma^2) gives
 *     -log p(y | f) = sum_i (y_i - f_i)^2 / (2 sigma^2) + (n/2) log(2 pi sigma^2),
 * the mean squared error up to a factor and a constant.  A categorical likelihood with
 * p = softmax(z) gives the cross-entropy -sum_k y_k log p_k = logsumexp(z) - y.z, whose gradient
 * is p - y.  A Gaussian prior w ~ N(0, tau^2 I) adds |w|^2 / (2 tau^2): ridge regression with
 * lambda = sigma^2 / tau^2 is the maximum of the posterior (MAP).
 *
 * Shapes: N samples (rows), D features, K classes; n = length of a vector.
 *   X (N, D) inputs, one sample per row      y (N) regression targets      w (D) weights
 *   Z (N, K) logits    P (N, K) softmax     Y (N, K) targets, rows are probability vectors
 *   W (D, K), b (K)    the softmax-regression classifier, Z = X W + 1 b^T
 *
 * You write, in this order:
 *   TODO(1)  losses_mse()                mean squared error
 *   TODO(2)  losses_gaussian_nll()       the Gaussian negative log-likelihood
 *   TODO(3)  losses_logsumexp()          log sum exp, without overflow
 *   TODO(4)  losses_softmax()            row-wise softmax, through log-sum-exp
 *   TODO(5)  losses_softmax_xent()       cross-entropy and its gradient (P - Y) / N
 *   TODO(6)  losses_neg_log_posterior()  -log likelihood - log prior, and its gradient
 *   TODO(7)  losses_ridge()              the MAP estimate in closed form
 *   TODO(8)  losses_standardize()        centre and scale with the training statistics
 *   TODO(9)  softreg_logits()            Z = X W + 1 b^T
 *   TODO(10) softreg_loss_grad()         loss, dW = X^T dZ, db = column sums of dZ
 *   TODO(11) softreg_fit()               full-batch gradient descent
 *
 * Check:           make test CH=07-losses
 * Stuck?           chapters/07-losses/hints.md: three hints per TODO
 * See your figure: make plot CH=07-losses     (writes build/figures/chapters/07-losses/)
 * The contract of every function is in losses.h; the math is in README.md.
 */
#include "losses.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>

/* M_PI is not part of strict C11; use this for 2 pi. */
#define TWO_PI 6.283185307179586476925

/* mse = (1/n) sum_i (y_i - f_i)^2.   y (n), f (n). */
int losses_mse(const gsl_vector *y, const gsl_vector *f, double *mse)
{
    (void)y, (void)f, (void)mse;
    /* TODO(1): check that y and f have the same size (GSL_EBADLEN), then average the squared
     *          residuals.  Hint: README section "Mean squared error is a Gaussian likelihood". */
    return GSL_EUNIMPL;
}

/* nll = sum_i [ (y_i - f_i)^2 / (2 sigma^2) + (1/2) log(2 pi sigma^2) ].   y (n), f (n). */
int losses_gaussian_nll(const gsl_vector *y, const gsl_vector *f, double sigma, double *nll)
{
    (void)y, (void)f, (void)sigma, (void)nll;
    /* TODO(2): check sizes (GSL_EBADLEN) and sigma > 0, finite (GSL_EINVAL); then the sum.
     *          Every term is -log of the normal density N(y_i; f_i, sigma^2).
     *          Hint: README section "Mean squared error is a Gaussian likelihood". */
    return GSL_EUNIMPL;
}

/* lse = log sum_k exp(z_k).   z (K). */
int losses_logsumexp(const gsl_vector *z, double *lse)
{
    (void)z, (void)lse;
    /* TODO(3): 1. m = max_k z_k.  2. lse = m + log sum_k exp(z_k - m).
     *          Every exponent is <= 0 and one of them is exactly 0, so the sum is in [1, K]:
     *          no overflow and no log(0).  Hint: README section "Log-sum-exp". */
    return GSL_EUNIMPL;
}

/* P_nk = exp(Z_nk - logsumexp(Z_n.)).   Z (N, K), P (N, K) out, P may be Z itself. */
int losses_softmax(const gsl_matrix *Z, gsl_matrix *P)
{
    (void)Z, (void)P;
    /* TODO(4): check shapes (GSL_EBADLEN); for each row n compute l = logsumexp of the row,
     *          then P_nk = exp(Z_nk - l).  (gsl_matrix_const_row gives a row as a vector.)
     *          If P == Z, compute l before overwriting the row.  Hint: README "Log-sum-exp". */
    return GSL_EUNIMPL;
}

/* loss = -(1/N) sum_n sum_k Y_nk (Z_nk - logsumexp(Z_n.)),   dZ = (P - Y) / N.
 *   Z (N, K), Y (N, K), dZ (N, K) out or NULL. */
int losses_softmax_xent(const gsl_matrix *Z, const gsl_matrix *Y, double *loss, gsl_matrix *dZ)
{
    (void)Z, (void)Y, (void)loss, (void)dZ;
    /* TODO(5): 1. check shapes (GSL_EBADLEN), and that every row of Y has entries >= 0
     *             summing to 1 within LOSSES_ROW_SUM_TOL (GSL_EINVAL) before writing anything.
     *          2. per row: l = logsumexp(z); add -sum_k y_k (z_k - l).  Never take log(p_k):
     *             p_k can round to 0 while z_k - l is a perfectly finite number.
     *          3. if dZ is not NULL: dZ_nk = (exp(z_k - l) - y_k) / N.
     *          Hint: README section "Cross-entropy is a categorical likelihood". */
    return GSL_EUNIMPL;
}

/* U(w) = -log N(y; X w, sigma^2 I) - log N(w; 0, tau^2 I),
 * grad = X^T (X w - y) / sigma^2 + w / tau^2.   X (N, D), y (N), w (D), grad (D) or NULL. */
int losses_neg_log_posterior(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
                             double sigma, double tau, double *U, gsl_vector *grad)
{
    (void)X, (void)y, (void)w, (void)sigma, (void)tau, (void)U, (void)grad;
    /* TODO(6): check shapes (GSL_EBADLEN) and sigma, tau > 0 (GSL_EINVAL).  Form the residual
     *          r = X w - y (gsl_blas_dgemv), then U from |r|^2 and |w|^2 with both
     *          normalisation constants, and grad = X^T r / sigma^2 + w / tau^2.
     *          Hint: README section "Ridge regression is a MAP estimate". */
    return GSL_EUNIMPL;
}

/* w = (X^T X + lambda I)^(-1) X^T y.   X (N, D), y (N), w (D) out. */
int losses_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *w)
{
    (void)X, (void)y, (void)lambda, (void)w;
    /* TODO(7): check shapes (GSL_EBADLEN) and lambda >= 0, finite (GSL_EINVAL).
     *          1. A = X^T X + lambda I (D x D; gsl_blas_dsyrk or dgemm), rhs = X^T y.
     *          2. A is symmetric positive definite: gsl_linalg_cholesky_decomp1, then
     *             gsl_linalg_cholesky_solve.  If the decomposition fails, return GSL_EDOM.
     *          Free what you allocate.  Hint: README section "Ridge regression is a MAP estimate". */
    return GSL_EUNIMPL;
}

/* Centre and scale each column with the training mean and (1/N) standard deviation.
 *   Xtrain (N, D) in/out, Xtest (M, D) in/out or NULL, mean (D) out, scale (D) out. */
int losses_standardize(gsl_matrix *Xtrain, gsl_matrix *Xtest, gsl_vector *mean, gsl_vector *scale)
{
    (void)Xtrain, (void)Xtest, (void)mean, (void)scale;
    /* TODO(8): check shapes (GSL_EBADLEN).  For each column j: mean_j, sd_j from Xtrain only;
     *          scale_j = sd_j, or 1 if sd_j <= 1e-12 (the corner pixels of the digits are
     *          always 0); then X_nj <- (X_nj - mean_j) / scale_j in Xtrain and in Xtest.
     *          Hint: README section "Softmax regression on the digits". */
    return GSL_EUNIMPL;
}

/* Z = X W + 1 b^T.   X (N, D), W (D, K), b (K), Z (N, K) out. */
int softreg_logits(const gsl_matrix *X, const gsl_matrix *W, const gsl_vector *b, gsl_matrix *Z)
{
    (void)X, (void)W, (void)b, (void)Z;
    /* TODO(9): check shapes (GSL_EBADLEN); copy b into every row of Z, then
     *          gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, W, 1.0, Z). */
    return GSL_EUNIMPL;
}

/* Mean cross-entropy of softmax(X W + 1 b^T) against Y; dW = X^T dZ, db = column sums of dZ.
 *   X (N, D), Y (N, K), W (D, K), b (K), dW (D, K) and db (K) out, or both NULL. */
int softreg_loss_grad(const gsl_matrix *X, const gsl_matrix *Y, const gsl_matrix *W,
                      const gsl_vector *b, double *loss, gsl_matrix *dW, gsl_vector *db)
{
    (void)X, (void)Y, (void)W, (void)b, (void)loss, (void)dW, (void)db;
    /* TODO(10): check shapes (GSL_EBADLEN, also when only one of dW, db is NULL).
     *           1. Z = logits (an N x K scratch matrix).  2. loss and dZ from
     *           losses_softmax_xent.  3. the chain rule through Z = X W + 1 b^T:
     *           dW = X^T dZ, db_k = sum_n dZ_nk.  Free the scratch matrix.
     *           Hint: README section "Softmax regression on the digits". */
    return GSL_EUNIMPL;
}

/* `steps` full-batch gradient-descent steps from the W, b given.  history (steps) or NULL. */
int softreg_fit(const gsl_matrix *X, const gsl_matrix *Y, gsl_matrix *W, gsl_vector *b, double lr,
                size_t steps, gsl_vector *history)
{
    (void)X, (void)Y, (void)W, (void)b, (void)lr, (void)steps, (void)history;
    /* TODO(11): check shapes (GSL_EBADLEN; history must have `steps` entries) and lr > 0
     *           (GSL_EINVAL).  Then repeat: loss, dW, db = softreg_loss_grad(...);
     *           history[t] = loss; W -= lr dW; b -= lr db. */
    return GSL_EUNIMPL;
}

/* Going further: L-BFGS (gsl_multimin_fdfminimizer_vector_bfgs2) reaches the same minimum in a
 * few dozen steps; label smoothing replaces the one-hot Y by (1 - e) Y + e / K, which the
 * cross-entropy here already accepts; and the log-sum-exp trick is the same one that keeps
 * partition functions finite in statistical mechanics: F = -kT log Z. */
