/*
 * Chapter 03: rank-k updates of an inverse, and recursive least squares
 *
 * You already hold A^{-1} (n x n).  A changes by a low-rank term, A + U C V with U (n x k),
 * C (k x k), V (k x n).  Re-inverting costs O(n^3); the Woodbury identity
 *     (A + U C V)^{-1} = A^{-1} - A^{-1} U (I_k + C V A^{-1} U)^{-1} C V A^{-1}
 * costs O(n^2 k).  For k = 1 (C = 1, U = u, V = v^T) it is Sherman-Morrison:
 *     (A + u v^T)^{-1} = A^{-1} - A^{-1} u v^T A^{-1} / (1 + v^T A^{-1} u).
 * Recursive least squares applies Sherman-Morrison to the Gram matrix X^T X each time a new
 * row (a new measurement) arrives.
 * Shapes: n = size of A, k = rank of the update, p = parameters of the linear model.
 *
 * You write, in this order:
 *   TODO(1) sherman_morrison_update()  the rank-1 update, in place, O(n^2)
 *   TODO(2) woodbury_update()          the rank-k update, in place, O(n^2 k)
 *   TODO(3) woodbury_push_through()    (I + U V)^{-1} U = U (I + V U)^{-1}, the cheap side
 *   TODO(4) rls_init()                 least squares on a first batch, the direct way
 *   TODO(5) rls_update()               one more observation, by Sherman-Morrison
 * rls_alloc() and rls_free() are written for you, at the bottom.
 *
 * Check:           make test CH=03-woodbury
 * See your figure: make plot CH=03-woodbury
 * The contract of every function is in woodbury.h; the math is in README.md.
 */
#include "woodbury.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <math.h>
#include <stdlib.h>

/* Sherman-Morrison, in place.
 *   Ainv (n, n)  in: A^{-1}; out: (A + u v^T)^{-1}
 *   u (n), v (n)
 * Returns GSL_EBADLEN for a shape mismatch, GSL_ESING (Ainv untouched) when
 * |1 + v^T A^{-1} u| <= WOODBURY_SING_TOL * (1 + |v^T A^{-1} u|). */
int sherman_morrison_update(gsl_matrix *Ainv, const gsl_vector *u, const gsl_vector *v)
{
    (void)Ainv, (void)u, (void)v;
    /* TODO(1): 1. check the shapes.
     *          2. a = A^{-1} u and b = A^{-T} v (gsl_blas_dgemv, NoTrans and Trans).
     *          3. d = 1 + v . a; return GSL_ESING if it is (nearly) zero, before touching Ainv.
     *          4. Ainv <- Ainv - a b^T / d  (gsl_blas_dger).  Four n^2 products, no n^3.
     *          Hint: README section "Sherman-Morrison". */
    return GSL_EUNIMPL;
}

/* Woodbury, in place.
 *   Ainv (n, n)  in: A^{-1}; out: (A + U C V)^{-1}
 *   U (n, k)   C (k, k) or NULL for I_k   V (k, n)
 * Returns GSL_EBADLEN for a shape mismatch, GSL_ESING (Ainv untouched) when the capacitance
 * matrix T = I_k + C V A^{-1} U has an LU pivot <= WOODBURY_SING_TOL * (1 + max|C V A^{-1} U|). */
int woodbury_update(gsl_matrix *Ainv, const gsl_matrix *U, const gsl_matrix *C, const gsl_matrix *V)
{
    (void)Ainv, (void)U, (void)C, (void)V;
    /* TODO(2): 1. check the shapes (C may be NULL).
     *          2. AU = A^{-1} U (n x k) and VA = V A^{-1} (k x n) with gsl_blas_dgemm.
     *          3. T = I_k + C (VA U), and the right factor C VA.
     *          4. LU-factorise T (gsl_linalg_LU_decomp), check its pivots T_ii, then invert
     *             it column by column, T t_j = e_j (gsl_linalg_LU_solve): a k x k problem.
     *             (gsl_linalg_LU_invert is not allowed in this chapter: see README.)
     *          5. Ainv <- Ainv - AU (T^{-1} C VA).
     *          Hint: README section "Woodbury". */
    return GSL_EUNIMPL;
}

/* The push-through identity, evaluated on its cheap side.
 *   U (n, k)   V (k, n)   W (n, k) out: U (I_k + V U)^{-1}  (= (I_n + U V)^{-1} U)
 * Returns GSL_EBADLEN for a shape mismatch, GSL_ESING (W untouched) when I_k + V U has an LU
 * pivot <= WOODBURY_SING_TOL * (1 + max|V U|). */
int woodbury_push_through(const gsl_matrix *U, const gsl_matrix *V, gsl_matrix *W)
{
    (void)U, (void)V, (void)W;
    /* TODO(3): T = I_k + V U (k x k), invert it as in TODO(2), W = U T^{-1}.
     *          Hint: README section "Pushing through". */
    return GSL_EUNIMPL;
}

/* Least squares on the first m0 >= p rows, weights w_i = lambda^(m0-1-i).
 *   X0 (m0, p)   y0 (m0)
 * Sets s->P = G^{-1} with G = sum_i w_i x_i x_i^T, s->beta = G^{-1} sum_i w_i y_i x_i,
 * s->n_obs = m0.  GSL_EBADLEN / GSL_EINVAL (m0 < p) / GSL_ESING (G not positive definite). */
int rls_init(rls_state *s, const gsl_matrix *X0, const gsl_vector *y0)
{
    (void)s, (void)X0, (void)y0;
    /* TODO(4): 1. check the shapes and m0 >= p.
     *          2. scale row i of a copy of X0 and y_i by sqrt(w_i); then G = Xw^T Xw and
     *             r = Xw^T yw.
     *          3. gsl_linalg_cholesky_decomp1(G) (non-zero: return GSL_ESING), then
     *             gsl_linalg_cholesky_solve for beta and gsl_linalg_cholesky_invert for P.
     *          Leave the state untouched on every error.
     *          Hint: README section "Recursive least squares". */
    return GSL_EUNIMPL;
}

/* One new observation (x, y).
 *   x (p)   y scalar.   Updates s->beta, s->P, s->n_obs.
 * GSL_EBADLEN / GSL_EINVAL (not initialised, or x, y not finite) / GSL_ESING. */
int rls_update(rls_state *s, const gsl_vector *x, double y)
{
    (void)s, (void)x, (void)y;
    /* TODO(5): with Px = P x (use s->work) and d = lambda + x^T P x:
     *          beta <- beta + Px (y - x^T beta) / d,   P <- (P - Px Px^T / d) / lambda,
     *          n_obs <- n_obs + 1.   O(p^2), no inverse.
     *          Keep P exactly symmetric: update one triangle (gsl_blas_dsyr) and mirror it.
     *          Hint: README sections "Recursive least squares", "When updates lose digits". */
    return GSL_EUNIMPL;
}

/* ---- given: allocation ------------------------------------------------------------------ */

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

/* Going further: RLS propagates P, whose condition number is that of X^T X, the square of X's.
 * Square-root (QR-based) RLS propagates a triangular factor of P instead and keeps the digits
 * that the Gram matrix throws away; it is what a Kalman filter on a long mission runs. */
