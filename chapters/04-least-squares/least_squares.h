/*
 * least_squares.h: the contract of chapter 04 (Gaussian maximum likelihood: least squares done
 * stably, generalised least squares, and the minimum-norm solution beyond p = n).
 * The stub (chapters/04-least-squares/least_squares.c) and the reference solution implement
 * exactly this header.
 *
 * Shapes: n observations (rows of X), p parameters (columns of X).  Matrices are gsl_matrix
 * (row-major), vectors gsl_vector.  The caller allocates every output (except ls_data_read,
 * which allocates and is paired with ls_data_free).  Every function returns a GSL status:
 * GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument, GSL_EDOM when
 * a matrix is singular (or not positive definite), GSL_EUNIMPL while it is still a stub.
 * Inputs declared const are never modified.
 */
#ifndef MLPHYS_LEAST_SQUARES_H
#define MLPHYS_LEAST_SQUARES_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* A regression data set: design matrix and response. */
typedef struct ls_data {
    gsl_matrix *X; /* (n, p): column 0 is the intercept (all ones), then the other columns */
    gsl_vector *y; /* (n): the response column */
} ls_data;

/* Read a CSV file with a header line (chapters/common/mlphys_data.h) into a regression problem:
 * y is the column named `target`; X is a column of ones followed by every other column, in file
 * order.  For data/longley.csv with target "employed": X is 16 x 7, y has 16 entries.
 * On error *out is NULL and err holds one line naming the file (and the line, when the problem
 * is in a line): GSL_EFAILED if the file cannot be read, GSL_EBADLEN for a ragged row,
 * GSL_EINVAL for a cell that is not a number, an empty file, or no column named `target`. */
int ls_data_read(const char *path, const char *target, ls_data **out, char *err, size_t errlen);
void ls_data_free(ls_data *d); /* NULL is a no-op */

/* Householder QR, in place, in the storage of LAPACK's dgeqrf and GSL's gsl_linalg_QR_decomp:
 *   A    (n, p), n >= p   in: the matrix; out: R on and above the diagonal, and below the
 *                         diagonal of column j the entries v_j[j+1 .. n-1] of the j-th
 *                         Householder vector (v_j[j] = 1 is implied, v_j[0 .. j-1] = 0)
 *   tau  (p)              out: the scalars of the reflections H_j = I - tau_j v_j v_j^T
 * so that A = Q R with Q = H_0 H_1 ... H_{p-1}.  A column that is already zero below the
 * diagonal gets tau_j = 0 (H_j = I).  Returns GSL_EBADLEN if n < p or tau->size != p. */
int ls_qr_decomp(gsl_matrix *A, gsl_vector *tau);

/* Ordinary least squares, beta = argmin |y - X beta|^2, by Householder QR (ls_qr_decomp):
 *   X (n, p), n >= p, full column rank   y (n)   beta (p) out
 * Returns GSL_EBADLEN for mismatched shapes or n < p, GSL_EDOM if R has a zero on its
 * diagonal (X is rank deficient). */
int ls_lstsq_qr(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta);

/* The same problem through the normal equations (X^T X) beta = X^T y, with a Cholesky solve.
 * Shapes as ls_lstsq_qr.  Returns GSL_EDOM if X^T X is not numerically positive definite.
 * It squares the condition number: README section "Why not the normal equations?". */
int ls_lstsq_normal(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta);

/* Generalised least squares, the maximum-likelihood estimate for y ~ N(X beta, S):
 *   beta = (X^T S^-1 X)^-1 X^T S^-1 y,
 * computed by whitening: S = L L^T (Cholesky), then ordinary least squares by QR on
 * L^-1 X and L^-1 y.  Never forms S^-1.
 *   X (n, p), n >= p   y (n)   S (n, n) symmetric positive definite   beta (p) out
 * Returns GSL_EBADLEN for mismatched shapes, GSL_EDOM if S is not positive definite. */
int ls_gls(const gsl_matrix *X, const gsl_vector *y, const gsl_matrix *S, gsl_vector *beta);

/* The covariance of the GLS estimate, the inverse of the Fisher information X^T S^-1 X:
 *   cov = (X^T S^-1 X)^-1 = (R^T R)^-1 = R^-1 R^-T,
 * where R is the triangular factor of the whitened design matrix L^-1 X (S = L L^T).  The
 * square roots of its diagonal are the standard errors ("error bars") of beta.
 *   X (n, p), n >= p   S (n, n) symmetric positive definite   cov (p, p) out, symmetric
 * Returns GSL_EBADLEN for mismatched shapes, GSL_EDOM if S is not positive definite or X is
 * rank deficient (a zero on the diagonal of R). */
int ls_gls_cov(const gsl_matrix *X, const gsl_matrix *S, gsl_matrix *cov);

/* The minimum-norm solution of an underdetermined system X beta = y (p >= n, X of full row
 * rank n): among all exact solutions, the one with the smallest |beta|, beta = X^+ y =
 * X^T (X X^T)^-1 y.  Computed by QR of X^T (never by forming X X^T).
 *   X (n, p), n <= p   y (n)   beta (p) out
 * Returns GSL_EBADLEN for mismatched shapes or n > p, GSL_EDOM if X has rank < n. */
int ls_minnorm(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta);

/* Ridge regression, beta = argmin |y - X beta|^2 + lambda |beta|^2 = (X^T X + lambda I)^-1 X^T y,
 * for any shape (n < p allowed), computed stably as ordinary least squares on the stacked
 * system [X; sqrt(lambda) I] beta = [y; 0].
 *   X (n, p)   y (n)   lambda > 0   beta (p) out
 * Returns GSL_EBADLEN for mismatched shapes, GSL_EINVAL if lambda is not finite and > 0. */
int ls_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *beta);

#endif
