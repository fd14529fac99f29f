/*
 * woodbury.h: the contract of chapter 03 (rank-k updates of an inverse, and recursive least
 * squares).  The stub (chapters/03-woodbury/woodbury.c) and the reference solution implement
 * exactly this header.
 *
 * Shapes: n = size of the square matrix A, k = rank of the update (k << n in practice),
 * p = number of parameters of a linear model.  Matrices are gsl_matrix (row-major), vectors
 * gsl_vector.  The caller allocates every output.  Every function returns a GSL status:
 * GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument, GSL_ESING when
 * the updated matrix is singular, GSL_EUNIMPL while it is still a stub.  On any error the
 * outputs are left untouched.
 */
#ifndef MLPHYS_WOODBURY_H
#define MLPHYS_WOODBURY_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* An update is declared singular (GSL_ESING) when the denominator 1 + v^T A^{-1} u of
 * Sherman-Morrison, or a pivot of the k x k capacitance matrix I + C V A^{-1} U of Woodbury,
 * is at most WOODBURY_SING_TOL * (1 + max |entry of v^T A^{-1} u, resp. C V A^{-1} U|).
 * Below that, the updated matrix has a condition number beyond ~1e10 relative to A's and
 * the new inverse would be mostly round-off (or Inf). */
#define WOODBURY_SING_TOL 1e-10

/* Sherman-Morrison: overwrite Ainv = A^{-1} with (A + u v^T)^{-1}, in O(n^2) operations:
 *     (A + u v^T)^{-1} = A^{-1} - A^{-1} u v^T A^{-1} / (1 + v^T A^{-1} u).
 *   Ainv (n, n)  in: A^{-1}; out: (A + u v^T)^{-1}
 *   u    (n)     v (n)
 * Returns GSL_EBADLEN if Ainv is not square or u, v do not have length n; GSL_ESING (Ainv
 * untouched) if 1 + v^T A^{-1} u vanishes (see WOODBURY_SING_TOL). */
int sherman_morrison_update(gsl_matrix *Ainv, const gsl_vector *u, const gsl_vector *v);

/* Woodbury: overwrite Ainv = A^{-1} with (A + U C V)^{-1}, in O(n^2 k) operations:
 *     (A + U C V)^{-1} = A^{-1} - A^{-1} U (I_k + C V A^{-1} U)^{-1} C V A^{-1}.
 *   Ainv (n, n)  in: A^{-1}; out: (A + U C V)^{-1}
 *   U    (n, k)  C (k, k), or NULL for the identity   V (k, n)
 * (This form needs no C^{-1}, so C may itself be singular.)  Returns GSL_EBADLEN if the shapes
 * disagree, GSL_ESING (Ainv untouched) if the capacitance matrix I_k + C V A^{-1} U is
 * singular (see WOODBURY_SING_TOL). */
int woodbury_update(gsl_matrix *Ainv, const gsl_matrix *U, const gsl_matrix *C, const gsl_matrix *V);

/* The push-through identity, the cheap side of it:
 *     (I_n + U V)^{-1} U = U (I_k + V U)^{-1}
 *   U (n, k)   V (k, n)   W (n, k) out: U (I_k + V U)^{-1}, which equals (I_n + U V)^{-1} U
 * Costs one k x k inverse instead of an n x n one.  Returns GSL_EBADLEN if the shapes
 * disagree, GSL_ESING (W untouched) if I_k + V U is singular (same rule as woodbury_update,
 * with the pivots of I_k + V U measured against 1 + max |(V U)_ij|). */
int woodbury_push_through(const gsl_matrix *U, const gsl_matrix *V, gsl_matrix *W);

/* Recursive least squares with exponential forgetting.  After N observations (x_i, y_i) the
 * state holds the minimiser of the weighted squared error
 *     E(beta) = sum_{i=1}^{N} lambda^{N-i} (y_i - x_i^T beta)^2,
 * and P = (sum_i lambda^{N-i} x_i x_i^T)^{-1}, the inverse (weighted) Gram matrix.  With
 * lambda = 1 that is ordinary least squares on all the data seen so far.  Every new row
 * updates beta and P in O(p^2) operations, with no p x p inverse. */
typedef struct {
    size_t p;         /* number of parameters */
    double lambda;    /* forgetting factor, 0 < lambda <= 1 (1: remember everything) */
    size_t n_obs;     /* observations absorbed so far (rows of rls_init plus rls_update calls) */
    gsl_vector *beta; /* (p) current estimate */
    gsl_matrix *P;    /* (p, p) current inverse Gram matrix, kept exactly symmetric */
    gsl_vector *work; /* (p) scratch for rls_update */
} rls_state;

/* Allocate a state for p parameters with forgetting factor lambda.  beta = 0, P = 0 and
 * n_obs = 0 until rls_init.  Returns NULL if p = 0, lambda is not in (0, 1], or out of
 * memory.  rls_free(NULL) does nothing. */
rls_state *rls_alloc(size_t p, double lambda);
void rls_free(rls_state *s);

/* Start the recursion from a first batch (m0 >= p rows, full column rank), solved directly:
 *     G = sum_i w_i x_i x_i^T,  P = G^{-1},  beta = P sum_i w_i y_i x_i,  w_i = lambda^{m0-1-i}
 * (rows i = 0 .. m0-1 of X0; the last row has weight 1, as it is the most recent).
 *   X0 (m0, p)   y0 (m0)
 * Sets n_obs = m0.  Returns GSL_EBADLEN if X0 does not have p columns or y0 has not m0
 * entries, GSL_EINVAL if m0 < p, GSL_ESING if G is not positive definite (rank-deficient X0);
 * the state is untouched on error. */
int rls_init(rls_state *s, const gsl_matrix *X0, const gsl_vector *y0);

/* Absorb one observation y = x^T beta + noise, with the Sherman-Morrison step:
 *     g = P x / (lambda + x^T P x)        (the gain)
 *     beta <- beta + g (y - x^T beta)     (correct by the prediction error)
 *     P    <- (P - g x^T P) / lambda
 *   x (p)   y the measured value.  n_obs increases by one.
 * P must come out exactly symmetric (P_ij == P_ji bit for bit): update one triangle and mirror
 * it.  (With the outer-product form and lambda < 1, an antisymmetric round-off part would grow
 * like lambda^(-N); README "When updates lose digits".)
 * Returns GSL_EBADLEN if x has not p entries, GSL_EINVAL if the state was never initialised
 * (n_obs == 0) or y or x is not finite, GSL_ESING if lambda + x^T P x is not positive (P has
 * lost its positive definiteness to round-off); the state is untouched on error. */
int rls_update(rls_state *s, const gsl_vector *x, double y);

#endif
