/*
 * Chapter 01: the singular value decomposition, and a signal hidden in noise
 *
 * For A (M x N, M >= N) we want A = U S V^T with U^T U = V^T V = I and
 * s_0 >= s_1 >= ... >= s_{N-1} >= 0.   Shapes: M rows, N columns, K = min(M, N).
 *
 * You write, in this order:
 *   TODO(1) svd_jacobi()            one-sided Jacobi, the workhorse
 *   TODO(2) svd_thin()              any shape, by calling svd_jacobi (transpose if wide)
 *   TODO(3) svd_via_eigen()         the README's derivation through A^T A, to compare
 *   TODO(4) svd_low_rank()          the best rank-k approximation (Eckart-Young)
 *   TODO(5) spiked_wigner_sample()  A = lambda x x^T + W, for the BBP experiment
 *
 * Check:           make test CH=01-svd
 * See your figure: make plot CH=01-svd       (writes build/figures/chapters/01-svd/)
 * The contract of every function is in svd.h; the math is in README.md.
 */
#include "svd.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

/* One-sided Jacobi.
 *   A  (M, N)  in: the matrix; out: U (column j divided by s_j)
 *   V  (N, N)  out: right singular vectors as columns
 *   s  (N)     out: singular values, descending
 * Returns GSL_SUCCESS, GSL_EBADLEN if shapes disagree (or M < N), GSL_EMAXITER if
 * SVD_JACOBI_MAX_SWEEPS sweeps do not orthogonalise the columns. */
int svd_jacobi(gsl_matrix *A, gsl_matrix *V, gsl_vector *s)
{
    (void)A, (void)V, (void)s;
    /* TODO(1): 1. check the shapes; set V = I.
     *          2. sweep over column pairs (i < j): alpha = |a_i|^2, beta = |a_j|^2,
     *             gamma = a_i . a_j; skip the pair if |gamma| <= tol sqrt(alpha beta);
     *             otherwise rotate columns i, j of A *and* of V by the angle that makes
     *             them orthogonal.  Stop after a sweep that rotates nothing.
     *          3. s_j = |a_j|, u_j = a_j / s_j; sort descending, permuting U and V too.
     *          Hint: README section "One-sided Jacobi". */
    return GSL_EUNIMPL;
}

/* The thin SVD of any matrix: A (M, N) untouched, U (M, K), s (K), V (N, K). */
int svd_thin(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V)
{
    (void)A, (void)U, (void)s, (void)V;
    /* TODO(2): if M >= N, copy A into U and call svd_jacobi(U, V, s).  If M < N, decompose
     *          A^T instead: which of its factors is U, and which is V?
     *          Hint: README section "Wide matrices". */
    return GSL_EUNIMPL;
}

/* The route of the README's derivation: A^T A = V diag(s^2) V^T, then u_j = A v_j / s_j.
 *   A (M, N) untouched, U (M, N), s (N), V (N, N); M >= N. */
int svd_via_eigen(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V)
{
    (void)A, (void)U, (void)s, (void)V;
    /* TODO(3): form C = A^T A (gsl_blas_dgemm), diagonalise it with gsl_eigen_symmv, sort
     *          descending (gsl_eigen_symmv_sort), s_j = sqrt(max(eigenvalue, 0)), and
     *          U = A V with column j divided by s_j (a zero column when s_j = 0).
     *          Hint: README section "Why not A^T A?". */
    return GSL_EUNIMPL;
}

/* A_k = sum over the k largest j of s_j u_j v_j^T.
 *   U (M, K), s (K), V (N, K), Ak (M, N) out.  GSL_EINVAL if k > K. */
int svd_low_rank(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V, size_t k,
                 gsl_matrix *Ak)
{
    (void)U, (void)s, (void)V, (void)k, (void)Ak;
    /* TODO(4): check the shapes and k, then add up the k outer products (or one dgemm of
     *          U_k S_k with V_k^T).  Hint: README section "Eckart-Young". */
    return GSL_EUNIMPL;
}

/* One draw of A = lambda x x^T + W, n = x->size.
 *   x (n) out: uniform on the unit sphere.   A (n, n) out: symmetric.
 * W_ij = W_ji ~ N(0, 1/n) off the diagonal, W_ii ~ N(0, 2/n).  Draw x first, then W. */
int spiked_wigner_sample(double lambda, gsl_rng *rng, gsl_vector *x, gsl_matrix *A)
{
    (void)lambda, (void)rng, (void)x, (void)A;
    /* TODO(5): check the shapes and lambda; x = g / |g| with g a standard Gaussian vector
     *          (gsl_ran_gaussian); then fill the upper triangle of W, mirror it, and add
     *          lambda x_i x_j.  Hint: README section "The spiked Wigner model". */
    return GSL_EUNIMPL;
}

/* Going further: one-sided Jacobi is embarrassingly parallel within a sweep if you pick the
 * pairs in a round-robin order (Brent & Luk, 1985), and it computes tiny singular values to
 * high *relative* accuracy for graded matrices, which Golub-Kahan does not. */
