/*
 * Chapter 04, reference solution: Gaussian maximum likelihood by stable least squares.
 *
 * Everything rests on one Householder QR (Golub & Van Loan, 4th ed., Alg. 5.2.1; the storage
 * of LAPACK's dgeqrf).  Ordinary least squares is QR plus a back substitution; GLS whitens
 * with a Cholesky factor of S and calls OLS; the minimum-norm solution is QR of X^T plus a
 * forward substitution; ridge is OLS on the stacked system [X; sqrt(lambda) I].
 * Only the normal equations form X^T X, on purpose, to show what that costs.
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

/* ---- data ------------------------------------------------------------------------------ */

void ls_data_free(ls_data *d)
{
    if (!d)
        return;
    gsl_matrix_free(d->X);
    gsl_vector_free(d->y);
    free(d);
}

int ls_data_read(const char *path, const char *target, ls_data **out, char *err, size_t errlen)
{
    *out = NULL;
    mlphys_table *t = NULL;
    gsl_matrix *M = NULL;
    int st = mlphys_table_read(path, 1, &t, err, errlen);
    if (st)
        return st;
    int ty = mlphys_table_column(t, target);
    if (ty < 0) {
        snprintf(err, errlen, "%s:1: no column named '%s' in the header", path, target);
        mlphys_table_free(t);
        return GSL_EINVAL;
    }
    st = mlphys_table_to_matrix(t, &M, err, errlen);
    mlphys_table_free(t);
    if (st)
        return st;

    const size_t n = M->size1, c = M->size2;
    ls_data *d = calloc(1, sizeof *d);
    if (d) {
        d->X = gsl_matrix_alloc(n, c); /* intercept + (c - 1) other columns */
        d->y = gsl_vector_alloc(n);
    }
    if (!d || !d->X || !d->y) {
        snprintf(err, errlen, "%s: out of memory", path);
        ls_data_free(d), gsl_matrix_free(M);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        gsl_matrix_set(d->X, i, 0, 1.0);
        for (size_t j = 0, k = 1; j < c; j++) {
            if (j == (size_t)ty)
                gsl_vector_set(d->y, i, gsl_matrix_get(M, i, j));
            else
                gsl_matrix_set(d->X, i, k++, gsl_matrix_get(M, i, j));
        }
    }
    gsl_matrix_free(M);
    *out = d;
    return GSL_SUCCESS;
}

/* ---- Householder QR -------------------------------------------------------------------- */

int ls_qr_decomp(gsl_matrix *A, gsl_vector *tau)
{
    const size_t n = A->size1, p = A->size2;
    if (n < p || tau->size != p)
        return GSL_EBADLEN;
    double *w = malloc((p ? p : 1) * sizeof *w);
    if (!w)
        return GSL_ENOMEM;
    for (size_t j = 0; j < p; j++) {
        /* 1. The reflection that maps x = A[j:n, j] to (beta, 0, ..., 0), |beta| = |x|, with
         *    beta of the opposite sign to x_0 so that x_0 - beta never cancels. */
        double alpha = gsl_matrix_get(A, j, j), xnorm = 0.0, scale = 0.0, ssq = 1.0;
        for (size_t i = j + 1; i < n; i++) { /* scaled sum of squares: no overflow */
            double a = fabs(gsl_matrix_get(A, i, j));
            if (a == 0.0)
                continue;
            if (scale < a) {
                ssq = 1.0 + ssq * (scale / a) * (scale / a);
                scale = a;
            } else {
                ssq += (a / scale) * (a / scale);
            }
        }
        xnorm = scale * sqrt(ssq);
        if (xnorm == 0.0) {
            gsl_vector_set(tau, j, 0.0);
            continue;
        }
        double beta = -copysign(hypot(alpha, xnorm), alpha);
        double t = (beta - alpha) / beta, inv = 1.0 / (alpha - beta);
        gsl_vector_set(tau, j, t);
        for (size_t i = j + 1; i < n; i++)
            gsl_matrix_set(A, i, j, gsl_matrix_get(A, i, j) * inv);
        gsl_matrix_set(A, j, j, beta);

        /* 2. Apply H = I - t v v^T to the trailing columns, row by row (row-major storage):
         *    w = v^T A[j:n, j+1:p], then A -= t v w. */
        const size_t m = p - j - 1;
        if (m == 0)
            continue;
        const double *rj = gsl_matrix_const_ptr(A, j, j + 1);
        memcpy(w, rj, m * sizeof *w);
        for (size_t i = j + 1; i < n; i++) {
            const double vi = gsl_matrix_get(A, i, j), *ri = gsl_matrix_const_ptr(A, i, j + 1);
            for (size_t k = 0; k < m; k++)
                w[k] += vi * ri[k];
        }
        double *rjw = gsl_matrix_ptr(A, j, j + 1);
        for (size_t k = 0; k < m; k++)
            rjw[k] -= t * w[k];
        for (size_t i = j + 1; i < n; i++) {
            const double tv = t * gsl_matrix_get(A, i, j);
            double *ri = gsl_matrix_ptr(A, i, j + 1);
            for (size_t k = 0; k < m; k++)
                ri[k] -= tv * w[k];
        }
    }
    free(w);
    return GSL_SUCCESS;
}

/* Apply the reflection H_j stored in column j of QR (with tau_j) to b, in place. */
static void householder_apply(const gsl_matrix *QR, const gsl_vector *tau, size_t j, gsl_vector *b)
{
    const double t = gsl_vector_get(tau, j);
    if (t == 0.0)
        return;
    double s = gsl_vector_get(b, j);
    for (size_t i = j + 1; i < QR->size1; i++)
        s += gsl_matrix_get(QR, i, j) * gsl_vector_get(b, i);
    s *= t;
    gsl_vector_set(b, j, gsl_vector_get(b, j) - s);
    for (size_t i = j + 1; i < QR->size1; i++)
        gsl_vector_set(b, i, gsl_vector_get(b, i) - s * gsl_matrix_get(QR, i, j));
}

/* ---- ordinary least squares ------------------------------------------------------------- */

/* QR is a factored (n, p) matrix; b (n) is overwritten by Q^T b and beta (p) solves R beta =
 * (Q^T b)[0:p] by back substitution. */
static int qr_lstsq(const gsl_matrix *QR, const gsl_vector *tau, gsl_vector *b, gsl_vector *beta)
{
    const size_t p = QR->size2;
    for (size_t j = 0; j < p; j++)
        householder_apply(QR, tau, j, b); /* Q^T = H_{p-1} ... H_0 */
    for (size_t jj = p; jj-- > 0;) {
        double r = gsl_matrix_get(QR, jj, jj), s = gsl_vector_get(b, jj);
        if (r == 0.0)
            return GSL_EDOM;
        for (size_t k = jj + 1; k < p; k++)
            s -= gsl_matrix_get(QR, jj, k) * gsl_vector_get(beta, k);
        gsl_vector_set(beta, jj, s / r);
    }
    return GSL_SUCCESS;
}

int ls_lstsq_qr(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    const size_t n = X->size1, p = X->size2;
    if (n < p || p == 0 || y->size != n || beta->size != p)
        return GSL_EBADLEN;
    gsl_matrix *A = gsl_matrix_alloc(n, p);
    gsl_vector *tau = gsl_vector_alloc(p), *b = gsl_vector_alloc(n);
    int st = GSL_ENOMEM;
    if (A && tau && b) {
        gsl_matrix_memcpy(A, X);
        gsl_vector_memcpy(b, y);
        st = ls_qr_decomp(A, tau);
        if (!st)
            st = qr_lstsq(A, tau, b, beta);
    }
    gsl_matrix_free(A), gsl_vector_free(tau), gsl_vector_free(b);
    return st;
}

int ls_lstsq_normal(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    const size_t n = X->size1, p = X->size2;
    if (n < p || p == 0 || y->size != n || beta->size != p)
        return GSL_EBADLEN;
    gsl_matrix *G = gsl_matrix_alloc(p, p);
    gsl_vector *b = gsl_vector_alloc(p);
    int st = GSL_ENOMEM;
    if (G && b) {
        /* G = X^T X (kappa(G) = kappa(X)^2), b = X^T y, then G = L L^T and two triangular solves. */
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, X, 0.0, G);
        gsl_blas_dgemv(CblasTrans, 1.0, X, y, 0.0, b);
        st = gsl_linalg_cholesky_decomp1(G);
        if (!st)
            st = gsl_linalg_cholesky_solve(G, b, beta);
    }
    gsl_matrix_free(G), gsl_vector_free(b);
    return st;
}

/* ---- generalised least squares ---------------------------------------------------------- */

int ls_gls(const gsl_matrix *X, const gsl_vector *y, const gsl_matrix *S, gsl_vector *beta)
{
    const size_t n = X->size1, p = X->size2;
    if (n < p || p == 0 || y->size != n || beta->size != p || S->size1 != n || S->size2 != n)
        return GSL_EBADLEN;
    gsl_matrix *L = gsl_matrix_alloc(n, n), *Xw = gsl_matrix_alloc(n, p);
    gsl_vector *yw = gsl_vector_alloc(n);
    int st = GSL_ENOMEM;
    if (L && Xw && yw) {
        /* 1. S = L L^T.  2. Whiten: L^-1 (y - X beta) has identity covariance, so the GLS
         *    likelihood is the OLS likelihood of (L^-1 X, L^-1 y).  3. OLS by QR. */
        gsl_matrix_memcpy(L, S);
        st = gsl_linalg_cholesky_decomp1(L);
        if (!st) {
            gsl_matrix_memcpy(Xw, X);
            gsl_vector_memcpy(yw, y);
            gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L, Xw);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, L, yw);
            st = ls_lstsq_qr(Xw, yw, beta);
        }
    }
    gsl_matrix_free(L), gsl_matrix_free(Xw), gsl_vector_free(yw);
    return st;
}

/* The covariance of the estimate, (X^T S^-1 X)^-1, from the same whitening and one QR:
 * X_w = L^-1 X = Q [R; 0] gives X^T S^-1 X = X_w^T X_w = R^T R, so cov = R^-1 R^-T. */
int ls_gls_cov(const gsl_matrix *X, const gsl_matrix *S, gsl_matrix *cov)
{
    const size_t n = X->size1, p = X->size2;
    if (n < p || p == 0 || S->size1 != n || S->size2 != n || cov->size1 != p || cov->size2 != p)
        return GSL_EBADLEN;
    gsl_matrix *L = gsl_matrix_alloc(n, n), *Xw = gsl_matrix_alloc(n, p), *W = gsl_matrix_alloc(p, p);
    gsl_vector *tau = gsl_vector_alloc(p);
    int st = GSL_ENOMEM;
    if (L && Xw && W && tau) {
        gsl_matrix_memcpy(L, S);
        st = gsl_linalg_cholesky_decomp1(L);
        if (!st) {
            gsl_matrix_memcpy(Xw, X);
            gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L, Xw);
            st = ls_qr_decomp(Xw, tau);
        }
        for (size_t j = 0; !st && j < p; j++)
            if (gsl_matrix_get(Xw, j, j) == 0.0)
                st = GSL_EDOM;
        if (!st) {
            /* W = R^-1 (upper triangular), then cov = W W^T, symmetric to the last bit. */
            gsl_matrix_const_view R = gsl_matrix_const_submatrix(Xw, 0, 0, p, p);
            gsl_matrix_set_identity(W);
            gsl_blas_dtrsm(CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, 1.0, &R.matrix, W);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, W, W, 0.0, cov);
        }
    }
    gsl_matrix_free(L), gsl_matrix_free(Xw), gsl_matrix_free(W), gsl_vector_free(tau);
    return st;
}

/* ---- the minimum-norm solution and ridge ------------------------------------------------ */

int ls_minnorm(const gsl_matrix *X, const gsl_vector *y, gsl_vector *beta)
{
    const size_t n = X->size1, p = X->size2;
    if (n > p || n == 0 || y->size != n || beta->size != p)
        return GSL_EBADLEN;
    gsl_matrix *A = gsl_matrix_alloc(p, n);
    gsl_vector *tau = gsl_vector_alloc(n);
    int st = GSL_ENOMEM;
    if (A && tau) {
        /* 1. X^T = Q [R; 0], so X = [R^T 0] Q^T.  With z = Q^T beta the constraint reads
         *    R^T z[0:n] = y and |beta| = |z|: the shortest beta has z[n:p] = 0. */
        gsl_matrix_transpose_memcpy(A, X);
        st = ls_qr_decomp(A, tau);
        /* 2. Forward substitution for R^T z = y (R^T is lower triangular). */
        for (size_t i = 0; !st && i < n; i++) {
            double r = gsl_matrix_get(A, i, i), s = gsl_vector_get(y, i);
            if (r == 0.0) {
                st = GSL_EDOM;
                break;
            }
            for (size_t k = 0; k < i; k++)
                s -= gsl_matrix_get(A, k, i) * gsl_vector_get(beta, k);
            gsl_vector_set(beta, i, s / r);
        }
        /* 3. beta = Q [z; 0] = H_0 H_1 ... H_{n-1} [z; 0]. */
        if (!st) {
            for (size_t i = n; i < p; i++)
                gsl_vector_set(beta, i, 0.0);
            for (size_t j = n; j-- > 0;)
                householder_apply(A, tau, j, beta);
        }
    }
    gsl_matrix_free(A), gsl_vector_free(tau);
    return st;
}

int ls_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *beta)
{
    const size_t n = X->size1, p = X->size2;
    if (!(isfinite(lambda) && lambda > 0.0))
        return GSL_EINVAL;
    if (p == 0 || y->size != n || beta->size != p)
        return GSL_EBADLEN;
    /* |y - X b|^2 + lambda |b|^2 = |[y; 0] - [X; sqrt(lambda) I] b|^2: OLS on n + p rows, and
     * the stacked matrix has full column rank for any lambda > 0. */
    gsl_matrix *A = gsl_matrix_calloc(n + p, p);
    gsl_vector *b = gsl_vector_calloc(n + p);
    int st = GSL_ENOMEM;
    if (A && b) {
        gsl_matrix_view top = gsl_matrix_submatrix(A, 0, 0, n, p);
        gsl_vector_view yb = gsl_vector_subvector(b, 0, n);
        gsl_matrix_memcpy(&top.matrix, X);
        gsl_vector_memcpy(&yb.vector, y);
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(A, n + j, j, sqrt(lambda));
        st = ls_lstsq_qr(A, b, beta);
    }
    gsl_matrix_free(A), gsl_vector_free(b);
    return st;
}
