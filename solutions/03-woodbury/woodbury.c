/*
 * Chapter 03, reference solution: rank-k updates of an inverse, and recursive least squares.
 *
 * Sherman & Morrison, Ann. Math. Stat. 21, 124 (1950); Woodbury, Memo. Rep. 42, Statistical
 * Research Group, Princeton (1950); the push-through identity and RLS as in Golub & Van Loan,
 * Matrix Computations, 4th ed., sec. 2.1.4 and 6.5; Haykin, Adaptive Filter Theory, ch. 10.
 * Every product goes through BLAS (gsl_blas_*): the point of the chapter is the operation
 * count, O(n^2 k) for an update against O(n^3) for a fresh inverse, not the inner loops.
 */
#include "woodbury.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <math.h>
#include <stdlib.h>

/* max_ij |M_ij| */
static double max_abs(const gsl_matrix *M)
{
    double lo, hi;
    gsl_matrix_minmax(M, &lo, &hi);
    return fmax(fabs(lo), fabs(hi));
}

int sherman_morrison_update(gsl_matrix *Ainv, const gsl_vector *u, const gsl_vector *v)
{
    const size_t n = Ainv->size1;
    if (Ainv->size2 != n || u->size != n || v->size != n)
        return GSL_EBADLEN;
    gsl_vector *a = gsl_vector_alloc(n), *b = gsl_vector_alloc(n);
    if (!a || !b) {
        gsl_vector_free(a), gsl_vector_free(b);
        return GSL_ENOMEM;
    }
    /* 1. a = A^{-1} u and b = A^{-T} v: two matrix-vector products, 4 n^2 flops. */
    gsl_blas_dgemv(CblasNoTrans, 1.0, Ainv, u, 0.0, a);
    gsl_blas_dgemv(CblasTrans, 1.0, Ainv, v, 0.0, b);
    /* 2. The denominator; `!(x > t)` also rejects NaN. */
    double q;
    gsl_blas_ddot(v, a, &q);
    const double d = 1.0 + q;
    int status = GSL_SUCCESS;
    if (!(fabs(d) > WOODBURY_SING_TOL * (1.0 + fabs(q))))
        status = GSL_ESING;
    else /* 3. A^{-1} <- A^{-1} - a b^T / d: one rank-1 update, 2 n^2 flops. */
        gsl_blas_dger(-1.0 / d, a, b, Ainv);
    gsl_vector_free(a), gsl_vector_free(b);
    return status;
}

/* LU-factorise the k x k matrix T in place and invert it into Tinv, one column at a time
 * (T x = e_j, O(k^3) in all), unless a pivot is at most WOODBURY_SING_TOL * scale. */
static int invert_small(gsl_matrix *T, double scale, gsl_matrix *Tinv)
{
    const size_t k = T->size1;
    gsl_permutation *perm = gsl_permutation_alloc(k);
    gsl_vector *e = gsl_vector_alloc(k);
    if (!perm || !e) {
        gsl_permutation_free(perm), gsl_vector_free(e);
        return GSL_ENOMEM;
    }
    int sign, status = gsl_linalg_LU_decomp(T, perm, &sign);
    for (size_t i = 0; i < k && !status; i++)
        if (!(fabs(gsl_matrix_get(T, i, i)) > WOODBURY_SING_TOL * scale))
            status = GSL_ESING;
    for (size_t j = 0; j < k && !status; j++) {
        gsl_vector_view col = gsl_matrix_column(Tinv, j);
        gsl_vector_set_basis(e, j);
        status = gsl_linalg_LU_solve(T, perm, e, &col.vector);
    }
    gsl_permutation_free(perm), gsl_vector_free(e);
    return status;
}

int woodbury_update(gsl_matrix *Ainv, const gsl_matrix *U, const gsl_matrix *C, const gsl_matrix *V)
{
    const size_t n = Ainv->size1, k = U->size2;
    if (Ainv->size2 != n || U->size1 != n || V->size1 != k || V->size2 != n ||
        (C && (C->size1 != k || C->size2 != k)))
        return GSL_EBADLEN;
    gsl_matrix *AU = gsl_matrix_alloc(n, k), *VA = gsl_matrix_alloc(k, n);
    gsl_matrix *S = gsl_matrix_alloc(k, k), *T = gsl_matrix_alloc(k, k), *Tinv = gsl_matrix_alloc(k, k);
    gsl_matrix *CVA = C ? gsl_matrix_alloc(k, n) : NULL, *Z = gsl_matrix_alloc(k, n);
    int status = GSL_ENOMEM;
    if (!AU || !VA || !S || !T || !Tinv || (C && !CVA) || !Z)
        goto done;
    /* 1. A^{-1} U (n x k) and V A^{-1} (k x n): 4 n^2 k flops, the whole cost for k << n. */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Ainv, U, 0.0, AU);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V, Ainv, 0.0, VA);
    /* 2. The capacitance matrix T = I_k + C V A^{-1} U, and the right factor C V A^{-1}. */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, VA, U, 0.0, S);
    if (C) {
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, C, S, 0.0, T);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, C, VA, 0.0, CVA);
    } else {
        gsl_matrix_memcpy(T, S);
    }
    const double scale = 1.0 + max_abs(T);
    gsl_matrix_add_diagonal(T, 1.0);
    /* 3. Z = T^{-1} C V A^{-1} (a k x k inverse), then A^{-1} <- A^{-1} - (A^{-1} U) Z. */
    if ((status = invert_small(T, scale, Tinv)))
        goto done;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Tinv, C ? CVA : VA, 0.0, Z);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, AU, Z, 1.0, Ainv);
done:
    gsl_matrix_free(AU), gsl_matrix_free(VA), gsl_matrix_free(S), gsl_matrix_free(T);
    gsl_matrix_free(Tinv), gsl_matrix_free(CVA), gsl_matrix_free(Z);
    return status;
}

int woodbury_push_through(const gsl_matrix *U, const gsl_matrix *V, gsl_matrix *W)
{
    const size_t n = U->size1, k = U->size2;
    if (V->size1 != k || V->size2 != n || W->size1 != n || W->size2 != k)
        return GSL_EBADLEN;
    gsl_matrix *T = gsl_matrix_alloc(k, k), *Tinv = gsl_matrix_alloc(k, k);
    int status = GSL_ENOMEM;
    if (T && Tinv) {
        /* T = I_k + V U, then W = U T^{-1}: 2 n k^2 + O(k^3) flops instead of O(n^3). */
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, V, U, 0.0, T);
        const double scale = 1.0 + max_abs(T);
        gsl_matrix_add_diagonal(T, 1.0);
        if (!(status = invert_small(T, scale, Tinv)))
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, U, Tinv, 0.0, W);
    }
    gsl_matrix_free(T), gsl_matrix_free(Tinv);
    return status;
}

rls_state *rls_alloc(size_t p, double lambda)
{
    if (p == 0 || !(lambda > 0.0 && lambda <= 1.0))
        return NULL;
    rls_state *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->p = p, s->lambda = lambda, s->n_obs = 0;
    s->beta = gsl_vector_calloc(p), s->P = gsl_matrix_calloc(p, p), s->work = gsl_vector_calloc(p);
    if (!s->beta || !s->P || !s->work) {
        rls_free(s);
        return NULL;
    }
    return s;
}

void rls_free(rls_state *s)
{
    if (!s)
        return;
    gsl_vector_free(s->beta), gsl_matrix_free(s->P), gsl_vector_free(s->work);
    free(s);
}

int rls_init(rls_state *s, const gsl_matrix *X0, const gsl_vector *y0)
{
    const size_t m0 = X0->size1, p = s->p;
    if (X0->size2 != p || y0->size != m0)
        return GSL_EBADLEN;
    if (m0 < p)
        return GSL_EINVAL;
    gsl_matrix *Xw = gsl_matrix_alloc(m0, p), *G = gsl_matrix_alloc(p, p);
    gsl_vector *yw = gsl_vector_alloc(m0), *rhs = gsl_vector_alloc(p);
    int status = GSL_ENOMEM;
    if (!Xw || !G || !yw || !rhs)
        goto done;
    /* 1. Scale row i and y_i by sqrt(w_i), w_i = lambda^(m0-1-i): then G = Xw^T Xw. */
    gsl_matrix_memcpy(Xw, X0);
    gsl_vector_memcpy(yw, y0);
    double sw = 1.0;
    for (size_t i = m0; i-- > 0; sw *= sqrt(s->lambda)) {
        gsl_vector_view row = gsl_matrix_row(Xw, i);
        gsl_vector_scale(&row.vector, sw);
        gsl_vector_set(yw, i, sw * gsl_vector_get(yw, i));
    }
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, Xw, Xw, 0.0, G);
    gsl_blas_dgemv(CblasTrans, 1.0, Xw, yw, 0.0, rhs);
    /* 2. Cholesky G = L L^T (fails unless G is positive definite), beta = G^{-1} X^T W y and
     *    P = G^{-1}, both from the factor. */
    if (gsl_linalg_cholesky_decomp1(G)) {
        status = GSL_ESING;
        goto done;
    }
    gsl_linalg_cholesky_solve(G, rhs, s->beta);
    gsl_linalg_cholesky_invert(G);
    gsl_matrix_memcpy(s->P, G);
    s->n_obs = m0;
    status = GSL_SUCCESS;
done:
    gsl_matrix_free(Xw), gsl_matrix_free(G), gsl_vector_free(yw), gsl_vector_free(rhs);
    return status;
}

int rls_update(rls_state *s, const gsl_vector *x, double y)
{
    const size_t p = s->p;
    if (x->size != p)
        return GSL_EBADLEN;
    if (s->n_obs == 0 || !isfinite(y))
        return GSL_EINVAL;
    for (size_t j = 0; j < p; j++)
        if (!isfinite(gsl_vector_get(x, j)))
            return GSL_EINVAL;
    /* 1. Px = P x and the innovation variance d = lambda + x^T P x (> 0 for P positive definite). */
    gsl_vector *Px = s->work;
    double xPx, pred;
    gsl_blas_dsymv(CblasUpper, 1.0, s->P, x, 0.0, Px);
    gsl_blas_ddot(x, Px, &xPx);
    const double d = s->lambda + xPx;
    if (!(d > 0.0))
        return GSL_ESING;
    /* 2. beta += g e with gain g = Px / d and prediction error e = y - x^T beta. */
    gsl_blas_ddot(x, s->beta, &pred);
    gsl_blas_daxpy((y - pred) / d, Px, s->beta);
    /* 3. Sherman-Morrison on G <- lambda G + x x^T:  P <- (P - Px Px^T / d) / lambda, on the
     *    upper triangle (dsyr), then mirrored.  P must stay exactly symmetric: in this
     *    outer-product form the correction is symmetric, so an antisymmetric round-off part
     *    would only be divided by lambda at every step and grow like lambda^(-N) (README
     *    "When updates lose digits"). */
    gsl_blas_dsyr(CblasUpper, -1.0 / d, Px, s->P);
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++) {
            double pij = gsl_matrix_get(s->P, i, j) / s->lambda;
            gsl_matrix_set(s->P, i, j, pij), gsl_matrix_set(s->P, j, i, pij);
        }
    s->n_obs++;
    return GSL_SUCCESS;
}
