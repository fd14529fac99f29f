/*
 * Chapter 07, reference solution: where loss functions come from.
 *
 * Every loss here is a negative log-likelihood (or log-posterior): Gaussian noise gives the
 * mean squared error, a categorical likelihood gives softmax cross-entropy, a Gaussian prior
 * adds the ridge penalty.  The one numerical idea is log-sum-exp: subtract the largest logit
 * before exponentiating, so that nothing overflows and no probability is rounded to log(0).
 */
#include "losses.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TWO_PI 6.283185307179586476925 /* M_PI is not in strict C11 */

int losses_mse(const gsl_vector *y, const gsl_vector *f, double *mse)
{
    if (y->size != f->size)
        return GSL_EBADLEN;
    double s = 0.0;
    for (size_t i = 0; i < y->size; i++) {
        double r = gsl_vector_get(y, i) - gsl_vector_get(f, i);
        s += r * r;
    }
    *mse = s / (double)y->size;
    return GSL_SUCCESS;
}

int losses_gaussian_nll(const gsl_vector *y, const gsl_vector *f, double sigma, double *nll)
{
    if (y->size != f->size)
        return GSL_EBADLEN;
    if (!(sigma > 0) || !isfinite(sigma))
        return GSL_EINVAL;
    double s = 0.0;
    for (size_t i = 0; i < y->size; i++) {
        double r = gsl_vector_get(y, i) - gsl_vector_get(f, i);
        s += r * r;
    }
    *nll = s / (2.0 * sigma * sigma) + 0.5 * (double)y->size * log(TWO_PI * sigma * sigma);
    return GSL_SUCCESS;
}

/* The two pieces of log-sum-exp of n numbers with stride: the maximum m and
 * s = sum_k exp(z_k - m) in [1, n], so that logsumexp(z) = m + log(s).  Keeping them apart lets
 * log p_k = (z_k - m) - log(s) avoid rounding m + log(s) to an ulp of a large m. */
static double lse_parts(const double *z, size_t n, size_t stride, double *s)
{
    double m = z[0];
    for (size_t k = 1; k < n; k++)
        if (z[k * stride] > m)
            m = z[k * stride];
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        sum += exp(z[k * stride] - m);
    *s = sum; /* >= 1: the largest term is exp(0) */
    return m;
}

int losses_logsumexp(const gsl_vector *z, double *lse)
{
    double s, m = lse_parts(z->data, z->size, z->stride, &s);
    *lse = m + log(s);
    return GSL_SUCCESS;
}

int losses_softmax(const gsl_matrix *Z, gsl_matrix *P)
{
    if (Z->size1 != P->size1 || Z->size2 != P->size2)
        return GSL_EBADLEN;
    const size_t K = Z->size2;
    for (size_t n = 0; n < Z->size1; n++) {
        const double *z = Z->data + n * Z->tda;
        double s, m = lse_parts(z, K, 1, &s);
        double *p = P->data + n * P->tda;
        for (size_t k = 0; k < K; k++)
            p[k] = exp(z[k] - m) / s; /* safe when P == Z: z[k] is read before p[k] is written */
    }
    return GSL_SUCCESS;
}

/* Is every row of Y a probability vector? */
static int rows_are_distributions(const gsl_matrix *Y)
{
    for (size_t n = 0; n < Y->size1; n++) {
        double s = 0.0;
        for (size_t k = 0; k < Y->size2; k++) {
            double y = gsl_matrix_get(Y, n, k);
            if (!(y >= 0.0) || !isfinite(y))
                return 0;
            s += y;
        }
        if (fabs(s - 1.0) > LOSSES_ROW_SUM_TOL)
            return 0;
    }
    return 1;
}

int losses_softmax_xent(const gsl_matrix *Z, const gsl_matrix *Y, double *loss, gsl_matrix *dZ)
{
    const size_t N = Z->size1, K = Z->size2;
    if (Y->size1 != N || Y->size2 != K || (dZ && (dZ->size1 != N || dZ->size2 != K)))
        return GSL_EBADLEN;
    if (!rows_are_distributions(Y))
        return GSL_EINVAL;
    double total = 0.0;
    for (size_t n = 0; n < N; n++) {
        const double *z = Z->data + n * Z->tda, *y = Y->data + n * Y->tda;
        double s, m = lse_parts(z, K, 1, &s), logs = log(s);
        /* -sum_k y_k log p_k with log p_k = (z_k - m) - log s; never log of a rounded p_k */
        for (size_t k = 0; k < K; k++)
            if (y[k] != 0.0)
                total -= y[k] * ((z[k] - m) - logs);
        if (dZ) {
            double *d = dZ->data + n * dZ->tda;
            for (size_t k = 0; k < K; k++)
                d[k] = (exp(z[k] - m) / s - y[k]) / (double)N;
        }
    }
    *loss = total / (double)N;
    return GSL_SUCCESS;
}

int losses_neg_log_posterior(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w,
                             double sigma, double tau, double *U, gsl_vector *grad)
{
    const size_t N = X->size1, D = X->size2;
    if (y->size != N || w->size != D || (grad && grad->size != D))
        return GSL_EBADLEN;
    if (!(sigma > 0) || !isfinite(sigma) || !(tau > 0) || !isfinite(tau))
        return GSL_EINVAL;
    gsl_vector *r = gsl_vector_alloc(N);
    if (!r)
        return GSL_ENOMEM;
    gsl_vector_memcpy(r, y);
    gsl_blas_dgemv(CblasNoTrans, 1.0, X, w, -1.0, r); /* r = X w - y */
    double rr, ww;
    gsl_blas_ddot(r, r, &rr);
    gsl_blas_ddot(w, w, &ww);
    double s2 = sigma * sigma, t2 = tau * tau;
    *U = rr / (2 * s2) + 0.5 * (double)N * log(TWO_PI * s2) + ww / (2 * t2) +
         0.5 * (double)D * log(TWO_PI * t2);
    if (grad) {
        gsl_vector_memcpy(grad, w);
        gsl_blas_dgemv(CblasTrans, 1.0 / s2, X, r, 1.0 / t2, grad);
    }
    gsl_vector_free(r);
    return GSL_SUCCESS;
}

int losses_ridge(const gsl_matrix *X, const gsl_vector *y, double lambda, gsl_vector *w)
{
    const size_t N = X->size1, D = X->size2;
    if (y->size != N || w->size != D)
        return GSL_EBADLEN;
    if (!(lambda >= 0) || !isfinite(lambda))
        return GSL_EINVAL;
    /* Normal equations A w = X^T y with A = X^T X + lambda I, symmetric positive definite for
     * lambda > 0, solved by Cholesky.  (For ill-conditioned X at tiny lambda, the SVD route
     * w = sum_j s_j / (s_j^2 + lambda) (u_j . y) v_j is more accurate; see the README.) */
    gsl_matrix *A = gsl_matrix_alloc(D, D);
    gsl_vector *rhs = gsl_vector_alloc(D);
    if (!A || !rhs) {
        gsl_matrix_free(A), gsl_vector_free(rhs);
        return GSL_ENOMEM;
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, X, 0.0, A);
    for (size_t j = 0; j < D; j++)
        *gsl_matrix_ptr(A, j, j) += lambda;
    gsl_blas_dgemv(CblasTrans, 1.0, X, y, 0.0, rhs);
    int st = gsl_linalg_cholesky_decomp1(A);
    if (st == GSL_SUCCESS)
        st = gsl_linalg_cholesky_solve(A, rhs, w);
    else
        st = GSL_EDOM;
    gsl_matrix_free(A), gsl_vector_free(rhs);
    return st;
}

int losses_standardize(gsl_matrix *Xtrain, gsl_matrix *Xtest, gsl_vector *mean, gsl_vector *scale)
{
    const size_t N = Xtrain->size1, D = Xtrain->size2;
    if (mean->size != D || scale->size != D || (Xtest && Xtest->size2 != D))
        return GSL_EBADLEN;
    for (size_t j = 0; j < D; j++) {
        double m = 0.0, v = 0.0;
        for (size_t n = 0; n < N; n++)
            m += gsl_matrix_get(Xtrain, n, j);
        m /= (double)N;
        for (size_t n = 0; n < N; n++) {
            double d = gsl_matrix_get(Xtrain, n, j) - m;
            v += d * d;
        }
        double sd = sqrt(v / (double)N);
        gsl_vector_set(mean, j, m);
        gsl_vector_set(scale, j, sd > 1e-12 ? sd : 1.0);
    }
    gsl_matrix *sets[2] = {Xtrain, Xtest};
    for (int s = 0; s < 2; s++)
        if (sets[s])
            for (size_t n = 0; n < sets[s]->size1; n++)
                for (size_t j = 0; j < D; j++) {
                    double *x = gsl_matrix_ptr(sets[s], n, j);
                    *x = (*x - gsl_vector_get(mean, j)) / gsl_vector_get(scale, j);
                }
    return GSL_SUCCESS;
}

int softreg_logits(const gsl_matrix *X, const gsl_matrix *W, const gsl_vector *b, gsl_matrix *Z)
{
    const size_t N = X->size1, D = X->size2, K = W->size2;
    if (W->size1 != D || b->size != K || Z->size1 != N || Z->size2 != K)
        return GSL_EBADLEN;
    for (size_t n = 0; n < N; n++) {
        gsl_vector_view z = gsl_matrix_row(Z, n);
        gsl_vector_memcpy(&z.vector, b);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, W, 1.0, Z);
    return GSL_SUCCESS;
}

int softreg_loss_grad(const gsl_matrix *X, const gsl_matrix *Y, const gsl_matrix *W,
                      const gsl_vector *b, double *loss, gsl_matrix *dW, gsl_vector *db)
{
    const size_t N = X->size1, D = X->size2, K = W->size2;
    if (W->size1 != D || b->size != K || Y->size1 != N || Y->size2 != K || (!dW) != (!db) ||
        (dW && (dW->size1 != D || dW->size2 != K || db->size != K)))
        return GSL_EBADLEN;
    gsl_matrix *Z = gsl_matrix_alloc(N, K);
    if (!Z)
        return GSL_ENOMEM;
    softreg_logits(X, W, b, Z);
    int st = losses_softmax_xent(Z, Y, loss, dW ? Z : NULL); /* dZ overwrites Z in place */
    if (st == GSL_SUCCESS && dW) {
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, Z, 0.0, dW);
        gsl_vector_set_zero(db);
        for (size_t n = 0; n < N; n++) {
            gsl_vector_const_view d = gsl_matrix_const_row(Z, n);
            gsl_vector_add(db, &d.vector);
        }
    }
    gsl_matrix_free(Z);
    return st;
}

int softreg_fit(const gsl_matrix *X, const gsl_matrix *Y, gsl_matrix *W, gsl_vector *b, double lr,
                size_t steps, gsl_vector *history)
{
    const size_t D = X->size2, K = W->size2;
    if (W->size1 != D || b->size != K || Y->size1 != X->size1 || Y->size2 != K ||
        (history && history->size != steps))
        return GSL_EBADLEN;
    if (!(lr > 0) || !isfinite(lr))
        return GSL_EINVAL;
    gsl_matrix *dW = gsl_matrix_alloc(D, K);
    gsl_vector *db = gsl_vector_alloc(K);
    if (!dW || !db) {
        gsl_matrix_free(dW), gsl_vector_free(db);
        return GSL_ENOMEM;
    }
    int st = GSL_SUCCESS;
    for (size_t t = 0; t < steps && st == GSL_SUCCESS; t++) {
        double loss;
        st = softreg_loss_grad(X, Y, W, b, &loss, dW, db);
        if (st != GSL_SUCCESS)
            break;
        if (history)
            gsl_vector_set(history, t, loss);
        gsl_matrix_scale(dW, -lr), gsl_matrix_add(W, dW);
        gsl_vector_scale(db, -lr), gsl_vector_add(b, db);
    }
    gsl_matrix_free(dW), gsl_vector_free(db);
    return st;
}
