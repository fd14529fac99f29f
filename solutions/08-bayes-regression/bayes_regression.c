/*
 * Chapter 08, reference solution: Bayesian linear regression (Bishop, PRML section 3.3-3.5).
 * See chapters/08-bayes-regression/bayes_regression.h for the contract, README.md for the math.
 */
#include "bayes_regression.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <math.h>

static int good_precision(double a) { return a > 0 && isfinite(a); }

/* S <- (S + S^T)/2: removes the round-off asymmetry of a rank-one downdate */
static void symmetrise(gsl_matrix *S)
{
    for (size_t i = 0; i < S->size1; i++)
        for (size_t j = 0; j < i; j++) {
            double v = 0.5 * (gsl_matrix_get(S, i, j) + gsl_matrix_get(S, j, i));
            gsl_matrix_set(S, i, j, v), gsl_matrix_set(S, j, i, v);
        }
}

int blr_prior(double alpha, gsl_vector *m, gsl_matrix *S)
{
    if (S->size1 != m->size || S->size2 != m->size)
        return GSL_EBADLEN;
    if (!good_precision(alpha))
        return GSL_EINVAL;
    gsl_vector_set_zero(m);
    gsl_matrix_set_identity(S);
    gsl_matrix_scale(S, 1.0 / alpha);
    return GSL_SUCCESS;
}

/* A = alpha I + beta Phi^T Phi, Cholesky-factorised in place (lower triangle = L). */
static int precision_cholesky(const gsl_matrix *Phi, double alpha, double beta, gsl_matrix *A)
{
    gsl_matrix_set_identity(A);
    gsl_blas_dsyrk(CblasLower, CblasTrans, beta, Phi, alpha, A);
    return gsl_linalg_cholesky_decomp1(A);
}

int blr_posterior(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                  gsl_vector *m, gsl_matrix *S)
{
    const size_t M = m->size;
    if ((Phi == NULL) != (t == NULL) || !good_precision(alpha) || !good_precision(beta))
        return GSL_EINVAL;
    if (S->size1 != M || S->size2 != M || (Phi && (Phi->size2 != M || Phi->size1 != t->size)))
        return GSL_EBADLEN;
    if (!Phi)
        return blr_prior(alpha, m, S);
    gsl_matrix *L = gsl_matrix_alloc(M, M);
    gsl_vector *b = gsl_vector_alloc(M);
    if (!L || !b) {
        gsl_matrix_free(L), gsl_vector_free(b);
        return GSL_ENOMEM;
    }
    /* 1. A = L L^T; 2. m solves A m = beta Phi^T t; 3. S = A^{-1} from the same factor */
    int st = precision_cholesky(Phi, alpha, beta, L);
    if (st == GSL_SUCCESS) {
        gsl_blas_dgemv(CblasTrans, beta, Phi, t, 0.0, b);
        gsl_linalg_cholesky_solve(L, b, m);
        gsl_matrix_memcpy(S, L);
        gsl_linalg_cholesky_invert(S);
    }
    gsl_matrix_free(L), gsl_vector_free(b);
    return st;
}

int blr_update(const gsl_vector *phi, double t_new, double beta, gsl_vector *m, gsl_matrix *S)
{
    const size_t M = m->size;
    if (phi->size != M || S->size1 != M || S->size2 != M)
        return GSL_EBADLEN;
    if (!good_precision(beta) || !isfinite(t_new))
        return GSL_EINVAL;
    gsl_vector *Sphi = gsl_vector_alloc(M);
    if (!Sphi)
        return GSL_ENOMEM;
    /* Sherman-Morrison on S^{-1} + beta phi phi^T, written as a Kalman gain:
     *   s = S phi,  v = 1/beta + phi^T S phi (the predictive variance),  k = s / v,
     *   m <- m + k (t - phi^T m),  S <- S - s s^T / v. */
    double v, pred;
    gsl_blas_dsymv(CblasLower, 1.0, S, phi, 0.0, Sphi);
    gsl_blas_ddot(phi, Sphi, &v);
    gsl_blas_ddot(phi, m, &pred);
    v += 1.0 / beta;
    gsl_blas_daxpy((t_new - pred) / v, Sphi, m);
    gsl_blas_dger(-1.0 / v, Sphi, Sphi, S);
    symmetrise(S);
    gsl_vector_free(Sphi);
    return GSL_SUCCESS;
}

int blr_predict(const gsl_vector *phi, const gsl_vector *m, const gsl_matrix *S, double beta,
                double *mean, double *var)
{
    const size_t M = m->size;
    if (phi->size != M || S->size1 != M || S->size2 != M)
        return GSL_EBADLEN;
    if (!good_precision(beta))
        return GSL_EINVAL;
    gsl_vector *Sphi = gsl_vector_alloc(M);
    if (!Sphi)
        return GSL_ENOMEM;
    double q, mu;
    gsl_blas_dgemv(CblasNoTrans, 1.0, S, phi, 0.0, Sphi);
    gsl_blas_ddot(phi, Sphi, &q);
    gsl_blas_ddot(phi, m, &mu);
    gsl_vector_free(Sphi);
    *mean = mu;
    *var = 1.0 / beta + q;
    return GSL_SUCCESS;
}

int blr_log_evidence(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta,
                     double *logev)
{
    const size_t N = Phi->size1, M = Phi->size2;
    if (t->size != N)
        return GSL_EBADLEN;
    if (!good_precision(alpha) || !good_precision(beta))
        return GSL_EINVAL;
    gsl_matrix *L = gsl_matrix_alloc(M, M);
    gsl_vector *m = gsl_vector_alloc(M), *r = gsl_vector_alloc(N);
    if (!L || !m || !r) {
        gsl_matrix_free(L), gsl_vector_free(m), gsl_vector_free(r);
        return GSL_ENOMEM;
    }
    int st = precision_cholesky(Phi, alpha, beta, L);
    if (st == GSL_SUCCESS) {
        /* m_N from the factor; residual r = t - Phi m_N */
        gsl_blas_dgemv(CblasTrans, beta, Phi, t, 0.0, m);
        gsl_linalg_cholesky_svx(L, m);
        gsl_vector_memcpy(r, t);
        gsl_blas_dgemv(CblasNoTrans, -1.0, Phi, m, 1.0, r);
        double rr = gsl_blas_dnrm2(r), mm = gsl_blas_dnrm2(m), logdetA = 0;
        for (size_t i = 0; i < M; i++)
            logdetA += 2.0 * log(gsl_matrix_get(L, i, i));
        double E = 0.5 * beta * rr * rr + 0.5 * alpha * mm * mm;
        *logev = 0.5 * (double)M * log(alpha) + 0.5 * (double)N * log(beta) - E - 0.5 * logdetA -
                 0.5 * (double)N * log(2.0 * M_PI);
    }
    gsl_matrix_free(L), gsl_vector_free(m), gsl_vector_free(r);
    return st;
}
