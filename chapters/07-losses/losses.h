/*
 * losses.h: the contract of chapter 07 (where loss functions come from).
 * The stub (chapters/07-losses/losses.c) and the reference solution implement exactly this
 * header.
 *
 * Shapes: N samples (rows), D features, K classes.  Matrices are gsl_matrix (row-major, one
 * sample per row), vectors gsl_vector.  The caller allocates every output.  Every function
 * returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad
 * argument, GSL_EUNIMPL while it is still a stub.  On an error no output is changed.
 *
 * Targets Y (N, K) are rows of class probabilities: a one-hot row for a hard label.
 */
#ifndef MLPHYS_LOSSES_H
#define MLPHYS_LOSSES_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* A row of Y counts as a probability vector when its entries are >= 0 and they sum to 1
 * within this tolerance. */
#define LOSSES_ROW_SUM_TOL 1e-9

/* ---- Regression: the Gaussian likelihood ------------------------------------------------ */

/* Mean squared error, mse = (1/n) sum_i (y_i - f_i)^2.
 *   y (n) targets, f (n) predictions.   GSL_EBADLEN if the sizes differ. */
int losses_mse(const gsl_vector *y, const gsl_vector *f, double *mse);

/* Negative log-likelihood of y under y_i ~ N(f_i, sigma^2), independent:
 *   nll = sum_i [ (y_i - f_i)^2 / (2 sigma^2) + (1/2) log(2 pi sigma^2) ].
 * GSL_EBADLEN if the sizes differ, GSL_EINVAL unless sigma > 0 and finite. */
int losses_gaussian_nll(const gsl_vector *y, const gsl_vector *f, double sigma, double *nll);

/* ---- Classification: the categorical likelihood ----------------------------------------- */

/* log sum_k exp(z_k), finite for any finite z (no overflow at z_k = 1e3, no -inf at -1e3).
 *   z (K) logits. */
int losses_logsumexp(const gsl_vector *z, double *lse);

/* Row-wise softmax, P_nk = exp(Z_nk) / sum_j exp(Z_nj), overflow-free.
 *   Z (N, K) logits, P (N, K) out (may be the same matrix as Z). */
int losses_softmax(const gsl_matrix *Z, gsl_matrix *P);

/* Mean softmax cross-entropy and its gradient with respect to the logits:
 *   loss = -(1/N) sum_n sum_k Y_nk log P_nk,   dZ = (P - Y) / N,
 * with log P_nk = Z_nk - logsumexp(Z_n.), so that no log(0) ever happens.
 *   Z (N, K) logits, Y (N, K) targets (rows are probability vectors), dZ (N, K) out or NULL.
 * GSL_EBADLEN if shapes differ, GSL_EINVAL if a row of Y is not a probability vector. */
int losses_softmax_xent(const gsl_matrix *Z, const gsl_matrix *Y, double *loss, gsl_matrix *dZ);

/* ---- Ridge regression as a MAP estimate -------------------------------------------------- */

/* Negative log posterior (up to the evidence) of the linear model y = X w + noise with
 * noise ~ N(0, sigma^2) and prior w_j ~ N(0, tau^2), all normalisations included:
 *   U(w) = sum_i [ (y_i - x_i.w)^2 / (2 sigma^2) + (1/2) log(2 pi sigma^2) ]
 *        + sum_j [ w_j^2 / (2 tau^2) + (1/2) log(2 pi tau^2) ],
 *   grad = X^T (X w - y) / sigma^2 + w / tau^2.
 *   X (N, D), y (N), w (D), grad (D) out or NULL.
 * GSL_EBADLEN if shapes differ, GSL_EINVAL unless sigma, tau > 0 and finite. */
int losses_neg_log_posterior(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
                             double sigma, double tau, double *U, gsl_vector *grad);

/* Ridge regression in closed form, the minimiser of |y - X w|^2 + lambda |w|^2:
 *   w = (X^T X + lambda I)^(-1) X^T y.   The MAP estimate above has lambda = sigma^2 / tau^2.
 *   X (N, D), y (N), w (D) out.
 * GSL_EBADLEN if shapes differ, GSL_EINVAL unless lambda >= 0 and finite, GSL_EDOM if
 * X^T X + lambda I is singular (lambda = 0 and X rank-deficient). */
int losses_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *w);

/* ---- Softmax (multinomial logistic) regression -------------------------------------------- */

/* Standardise the columns with the statistics of the training set:
 *   mean_j = (1/N) sum_n Xtrain_nj,  sd_j = sqrt((1/N) sum_n (Xtrain_nj - mean_j)^2),
 *   scale_j = sd_j, or 1 when sd_j <= 1e-12 (a constant column is only centred),
 *   X_nj <- (X_nj - mean_j) / scale_j   for Xtrain and, with the same numbers, for Xtest.
 *   Xtrain (N, D) in/out, Xtest (M, D) in/out or NULL, mean (D) out, scale (D) out. */
int losses_standardize(gsl_matrix *Xtrain, gsl_matrix *Xtest, gsl_vector *mean, gsl_vector *scale);

/* Logits of the linear classifier, Z = X W + 1 b^T.
 *   X (N, D), W (D, K), b (K), Z (N, K) out. */
int softreg_logits(const gsl_matrix *X, const gsl_matrix *W, const gsl_vector *b, gsl_matrix *Z);

/* Mean cross-entropy of softmax(X W + 1 b^T) against Y and its gradient:
 *   dZ = (P - Y) / N,   dW = X^T dZ,   db_k = sum_n dZ_nk.
 *   X (N, D), Y (N, K), W (D, K), b (K), dW (D, K) out, db (K) out (both NULL for the loss only).
 * GSL_EBADLEN if shapes differ (or only one of dW, db is NULL), GSL_EINVAL for a bad Y. */
int softreg_loss_grad(const gsl_matrix *X, const gsl_matrix *Y, const gsl_matrix *W,
                      const gsl_vector *b, double *loss, gsl_matrix *dW, gsl_vector *db);

/* Full-batch gradient descent, `steps` times: W <- W - lr dW, b <- b - lr db, starting from the
 * W, b passed in.  history (steps) out or NULL: history[t] = the loss before step t.
 * GSL_EINVAL unless lr > 0 and finite; GSL_EBADLEN if shapes differ. */
int softreg_fit(const gsl_matrix *X, const gsl_matrix *Y, gsl_matrix *W, gsl_vector *b, double lr,
                size_t steps, gsl_vector *history);

#endif
