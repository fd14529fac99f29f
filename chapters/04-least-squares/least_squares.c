/*
 * Chapter 04: Gaussian maximum likelihood, or least squares done right
 *
 * For y = X beta + eps with eps ~ N(0, S), the log-likelihood is
 *     log p(y | beta) = -1/2 (y - X beta)^T S^-1 (y - X beta) + const,
 * and its maximiser is the generalised least-squares estimate
 *     beta = (X^T S^-1 X)^-1 X^T S^-1 y        (S = I: ordinary least squares).
 * Never compute it like that: factor instead.  Shapes: n observations (rows of X),
 * p parameters (columns of X); X (n, p), y (n), beta (p), S (n, n).
 *
 * You write, in this order:
 *   TODO(1) ls_data_read()     a CSV file -> (X with an intercept column, y)
 *   TODO(2) ls_qr_decomp()     Householder QR, in place (the workhorse)
 *   TODO(3) ls_lstsq_qr()      least squares: Q^T y, then back substitution with R
 *   TODO(4) ls_lstsq_normal()  the normal equations (X^T X) beta = X^T y, to see what goes wrong
 *   TODO(5) ls_gls()           GLS by whitening with a Cholesky factor of S
 *   TODO(6) ls_minnorm()       p > n: the shortest exact solution, by QR of X^T
 *   TODO(7) ls_ridge()         (X^T X + lambda I) beta = X^T y, by QR of [X; sqrt(lambda) I]
 *   TODO(8) ls_gls_cov()       the error bars: cov(beta) = (X^T S^-1 X)^-1 = R^-1 R^-T
 *
 * Check:           make test CH=04-least-squares
 * See your figure: make plot CH=04-least-squares   (writes build/figures/chapters/04-least-squares/)
 * The contract of every function is in least_squares.h; the math is in README.md.
 */
#include "least_squares.h"

#include "mlphys_data.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Given (not a TODO): the pair of ls_data_read.  Frees X, y and the struct; NULL is a no-op. */
void ls_data_free(ls_data *d)
{
    if (!d)
        return;
    gsl_matrix_free(d->X);
    gsl_vector_free(d->y);
    free(d);
}

/* Read a CSV file with a header line into a regression problem.
 *   path, target  in: the file, and the name of the column that becomes y
 *   *out          out: a new ls_data (X (n, p) = [1, other columns in file order], y (n)),
 *                 or NULL on error; err gets one line naming the file (and line). */
int ls_data_read(const char *path, const char *target, ls_data **out, char *err, size_t errlen)
{
    (void)path, (void)target, (void)out, (void)err, (void)errlen;
    /* TODO(1): 1. mlphys_table_read(path, 1, &t, err, errlen): on failure return its status
     *             (its message already names file and line).
     *          2. find the target with mlphys_table_column; if it is missing, write
     *             "path:1: no column named '...'" into err and return GSL_EINVAL.
     *          3. mlphys_table_to_matrix (it names a bad cell's line), then allocate the
     *             ls_data and fill X = [1, other columns] and y.  Free every temporary,
     *             also on the error paths.  Hint: README section "The data". */
    return GSL_EUNIMPL;
}

/* Householder QR in place, LAPACK storage.
 *   A (n, p), n >= p  in: the matrix; out: R on/above the diagonal, v_j[j+1:] below it
 *   tau (p)           out: H_j = I - tau_j v_j v_j^T, v_j[j] = 1 implied */
int ls_qr_decomp(gsl_matrix *A, gsl_vector *tau)
{
    (void)A, (void)tau;
    /* TODO(2): check shapes.  For j = 0 .. p-1, with x = A[j:n, j]:
     *          1. alpha = x_0, xnorm = |x[1:]|.  If xnorm == 0: tau_j = 0, next column.
     *          2. beta = -sign(alpha) sqrt(alpha^2 + xnorm^2)   (no cancellation in alpha - beta)
     *             tau_j = (beta - alpha) / beta,  v = x / (alpha - beta) so that v_0 = 1.
     *          3. store beta in A[j][j] and v[1:] in A[j+1:n, j].
     *          4. apply H_j to the columns k > j:  a_k -= tau_j v (v^T a_k).
     *          Hint: README section "Householder reflections". */
    return GSL_EUNIMPL;
}

/* Ordinary least squares by QR.  X (n, p) n >= p, y (n), beta (p) out.  X, y untouched. */
int ls_lstsq_qr(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    (void)X, (void)y, (void)beta;
    /* TODO(3): 1. copy X and y; ls_qr_decomp the copy of X.
     *          2. b = Q^T y: apply H_0, then H_1, ..., H_{p-1}:  b -= tau_j v_j (v_j^T b).
     *          3. back-substitute R beta = b[0:p], from the last row up; GSL_EDOM if an
     *             R_jj is zero.  |y - X beta| = |b[p:n]| (why?).  Hint: README section
     *             "Least squares by QR". */
    return GSL_EUNIMPL;
}

/* The normal equations.  Same shapes as ls_lstsq_qr. */
int ls_lstsq_normal(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    (void)X, (void)y, (void)beta;
    /* TODO(4): G = X^T X (gsl_blas_dgemm with CblasTrans), b = X^T y (gsl_blas_dgemv), then
     *          gsl_linalg_cholesky_decomp1(G) and gsl_linalg_cholesky_solve(G, b, beta).
     *          Hint: README section "Why not the normal equations?". */
    return GSL_EUNIMPL;
}

/* Generalised least squares.  X (n, p), y (n), S (n, n) SPD, beta (p) out. */
int ls_gls(const gsl_matrix *X, const gsl_vector *y, const gsl_matrix *S, gsl_vector *beta)
{
    (void)X, (void)y, (void)S, (void)beta;
    /* TODO(5): 1. L = copy of S; gsl_linalg_cholesky_decomp1(L) (returns GSL_EDOM if S is
     *             not positive definite), so S = L L^T.
     *          2. X_w = L^-1 X and y_w = L^-1 y by forward substitution (gsl_blas_dtrsm,
     *             gsl_blas_dtrsv with CblasLower), never by forming S^-1.
     *          3. ls_lstsq_qr(X_w, y_w, beta).  Hint: README section "GLS is whitening". */
    return GSL_EUNIMPL;
}

/* The minimum-norm solution.  X (n, p) with n <= p, y (n), beta (p) out. */
int ls_minnorm(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    (void)X, (void)y, (void)beta;
    /* TODO(6): 1. A = X^T (p, n); ls_qr_decomp(A), so X = [R^T 0] Q^T.
     *          2. forward-substitute R^T z = y (R^T is lower triangular).
     *          3. beta = Q [z; 0]: put z in beta[0:n], zeros after, then apply H_{n-1}, ...,
     *             H_0 (the reverse order of step 2 in TODO(3)).
     *          Hint: README section "More parameters than data". */
    return GSL_EUNIMPL;
}

/* Ridge.  X (n, p) any shape, y (n), lambda > 0, beta (p) out. */
int ls_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *beta)
{
    (void)X, (void)y, (void)lambda, (void)beta;
    /* TODO(7): check lambda (finite, > 0) and the shapes; build the (n + p, p) matrix
     *          [X; sqrt(lambda) I] and the vector [y; 0]; call ls_lstsq_qr.
     *          Hint: README section "Ridge, and the limit lambda -> 0". */
    return GSL_EUNIMPL;
}

/* The covariance of the GLS estimate.  X (n, p) n >= p, S (n, n) SPD, cov (p, p) out. */
int ls_gls_cov(const gsl_matrix *X, const gsl_matrix *S, gsl_matrix *cov)
{
    (void)X, (void)S, (void)cov;
    /* TODO(8): 1. whiten as in TODO(5): S = L L^T, X_w = L^-1 X.
     *          2. ls_qr_decomp(X_w): X_w^T X_w = R^T R (Q drops out), so
     *             cov = (X^T S^-1 X)^-1 = (R^T R)^-1 = R^-1 R^-T.  GSL_EDOM if an R_jj is 0.
     *          3. W = R^-1: set W = I, then gsl_blas_dtrsm with CblasUpper on the top p x p
     *             block of X_w (it reads only the upper triangle, R).  cov = W W^T.
     *          Hint: README section "Error bars: the covariance of the estimate". */
    return GSL_EUNIMPL;
}

/* Going further: with column pivoting (LAPACK dgeqp3) QR also reveals the numerical rank,
 * and the same Householder vectors applied blockwise (the compact WY form, Schreiber & Van
 * Loan 1989) turn this loop into matrix-matrix products, which is how LAPACK gets to BLAS-3
 * speed. */
