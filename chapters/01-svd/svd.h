/*
 * svd.h: the contract of chapter 01 (the singular value decomposition, and a signal in noise).
 * The stub (chapters/01-svd/svd.c) and the reference solution implement exactly this header.
 *
 * Shapes: M rows, N columns, K = min(M, N).  Matrices are gsl_matrix (row-major), vectors
 * gsl_vector.  The caller allocates every output.  Every function returns a GSL status:
 * GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument,
 * GSL_EMAXITER when an iteration does not converge, GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_SVD_H
#define MLPHYS_SVD_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

/* Sweeps of one-sided Jacobi before giving up with GSL_EMAXITER. */
#define SVD_JACOBI_MAX_SWEEPS 60

/* One-sided Jacobi SVD of a tall or square matrix, A = U S V^T.
 *   A  (M, N), M >= N   in: the matrix; out: U, orthonormal columns u_j = A v_j / s_j
 *                       (a column whose s_j is exactly 0 is left as the zero vector)
 *   V  (N, N)           out: right singular vectors as columns (not V^T)
 *   s  (N)              out: singular values, s_0 >= s_1 >= ... >= 0
 * Returns GSL_EBADLEN if M < N or the shapes of V, s disagree with A. */
int svd_jacobi(gsl_matrix *A, gsl_matrix *V, gsl_vector *s);

/* The thin SVD of any matrix, A = U S V^T, leaving A untouched.
 *   A (M, N)   U (M, K)   s (K)   V (N, K),   K = min(M, N)
 * For M < N it decomposes A^T instead and swaps the roles of U and V. */
int svd_thin(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V);

/* The SVD the way the README derives it: eigenvectors of A^T A give V and s_j^2; then
 * u_j = A v_j / s_j (s_j = sqrt(max(mu_j, 0)); a zero column of U where s_j = 0).  Same shapes as svd_jacobi, M >= N, A untouched:
 *   A (M, N)   U (M, N)   s (N)   V (N, N)
 * Squaring A squares its condition number: see the README section "Why not A^T A?". */
int svd_via_eigen(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V);

/* The best rank-k approximation (Eckart-Young): A_k = sum_{j<k} s_j u_j v_j^T.
 *   U (M, K)   s (K)   V (N, K)   k <= K   Ak (M, N) out
 * Returns GSL_EINVAL if k > K, GSL_EBADLEN if the shapes disagree. */
int svd_low_rank(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V, size_t k,
                 gsl_matrix *Ak);

/* One draw of the spiked Wigner model, A = lambda x x^T + W  (n = size of x).
 *   x  (n)     out: the hidden signal, uniform on the unit sphere (|x| = 1)
 *   A  (n, n)  out: symmetric; W_ij = W_ji ~ N(0, 1/n) for i != j, W_ii ~ N(0, 2/n)
 * Draws x first, then W, from rng.  Returns GSL_EBADLEN if A is not n x n, GSL_EINVAL if
 * lambda is negative or not finite. */
int spiked_wigner_sample(double lambda, gsl_rng *rng, gsl_vector *x, gsl_matrix *A);

#endif
