/*
 * Chapter 05: cost and conditioning
 *
 * How long does C = A B take, and how many digits of x survive solving A x = b?
 *   cost:          C = A B with A (M x K), B (K x N) costs 2 M N K flops, however you order the
 *                  loops; the order decides how often the data has to come from main memory.
 *   conditioning:  kappa_2(A) = s_max / s_min.  Solving A x = b in double precision loses
 *                  about log10(kappa) of the ~16 digits: ||x - x_true|| / ||x_true|| ~ kappa eps.
 * Shapes: M, K, N as above; n for square matrices.  gsl_matrix is row-major: entry (i, j) is
 * data[i * tda + j], and tda may be larger than the number of columns (a submatrix view).
 *
 * You write, in this order:
 *   TODO(1) numerics_matmul_naive()    the triple loop, counting its flops
 *   TODO(2) numerics_matmul_blocked()  the same product tile by tile, cache-friendly
 *   TODO(3) numerics_hilbert()         H_ij = 1 / (i + j + 1), the classic ill-conditioned matrix
 *   TODO(4) numerics_cond2()           kappa_2 = s_max / s_min from the singular values
 *   TODO(5) numerics_solve_relerr()    b = A x_true, solve A x = b, how far is x from x_true?
 *
 * Check:           make test CH=05-numerics
 * See your figure: make plot CH=05-numerics     (writes build/figures/chapters/05-numerics/)
 * The contract of every function is in numerics.h; the math is in README.md.
 */
#include "numerics.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* C = A B by the textbook loops.
 *   A (M, K)   B (K, N)   C (M, N) out, overwritten   flops out (NULL allowed)
 * GSL_EBADLEN if the shapes disagree, GSL_EINVAL if C shares its data with A or B. */
int numerics_matmul_naive(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C,
                          uint64_t *flops)
{
    (void)A, (void)B, (void)C, (void)flops;
    /* TODO(1): 1. check the shapes (A->size2 == B->size1, C is A->size1 x B->size2) and that
     *             C->data differs from A->data and B->data.
     *          2. for each i, j: C_ij = sum_k A_ik B_kj.  Add to a counter as you go: each
     *             term is one multiply and one add.  Store the count in *flops if flops != NULL.
     *          Hint: README section "Counting flops". */
    return GSL_EUNIMPL;
}

/* C = A B again, tile by tile.  Same contract as numerics_matmul_naive. */
int numerics_matmul_blocked(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C)
{
    (void)A, (void)B, (void)C;
    /* TODO(2): 1. check the shapes as in TODO(1); set C = 0.
     *          2. loop over tiles of T x T (T = 64 is a good start): for each tile (ii, kk, jj),
     *             for i in the tile, k in the tile: a = A_ik, then for j in the tile
     *             C_ij += a * B_kj.  The innermost loop walks along rows of B and C: unit stride.
     *          3. the last tile in each direction is smaller: min(T, size - start).
     *          Then make it fast (README section "Making it fast"): restrict pointers, copy
     *          tiles into contiguous buffers, a small block of C kept in local variables.
     *          Hint: README section "Blocking". */
    return GSL_EUNIMPL;
}

/* H (n, n) out: H_ij = 1 / (i + j + 1), 0-based.  GSL_EBADLEN if H is not square. */
int numerics_hilbert(gsl_matrix *H)
{
    (void)H;
    /* TODO(3): fill H.  Write 1.0 / (double)(i + j + 1): an integer division would give 0.
     *          Hint: README section "The Hilbert matrix". */
    return GSL_EUNIMPL;
}

/* kappa_2(A) = s_max / s_min; A (M, N) of any shape, untouched.  +INFINITY if s_min = 0. */
int numerics_cond2(const gsl_matrix *A, double *kappa)
{
    (void)A, (void)kappa;
    /* TODO(4): copy A (transposed if it is wide: gsl_linalg_SV_decomp needs M >= N, and A and
     *          A^T have the same singular values) and call gsl_linalg_SV_decomp; it returns s
     *          sorted descending.  kappa = s_0 / s_{N-1}, or INFINITY if s_{N-1} == 0.
     *          Free every work matrix.  Hint: README section "Condition numbers". */
    return GSL_EUNIMPL;
}

/* b = A x_true, x = A^{-1} b by LU with partial pivoting, relerr = |x - x_true| / |x_true|.
 *   A (n, n), x_true (n) untouched.  GSL_EBADLEN on shapes, GSL_EINVAL if x_true = 0,
 *   GSL_EDOM if a pivot of the LU factorisation is exactly zero. */
int numerics_solve_relerr(const gsl_matrix *A, const gsl_vector *x_true, double *relerr)
{
    (void)A, (void)x_true, (void)relerr;
    /* TODO(5): 1. check shapes and x_true != 0 (gsl_blas_dnrm2).
     *          2. b = A x_true (gsl_blas_dgemv); LU = copy of A; gsl_linalg_LU_decomp.
     *          3. if a diagonal entry of LU is exactly 0, return GSL_EDOM; else
     *             gsl_linalg_LU_solve, and relerr = |x - x_true|_2 / |x_true|_2.
     *          Hint: README section "Condition numbers". */
    return GSL_EUNIMPL;
}

/* Going further: Strassen's algorithm multiplies 2 x 2 block matrices with 7 products instead
 * of 8, for O(n^2.81) flops; it is faster than a tuned dgemm only for very large n, and its
 * rounding errors are normwise rather than entrywise (Higham, Accuracy and Stability of
 * Numerical Algorithms, 2nd ed, sec. 23.2). */
