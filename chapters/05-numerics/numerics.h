/*
 * numerics.h: the contract of chapter 05 (cost and conditioning: matrix multiplication three
 * ways, the Hilbert matrix, condition numbers, and what they do to a linear solve).
 * The stub (chapters/05-numerics/numerics.c) and the reference solution implement exactly this
 * header.
 *
 * Shapes: C = A B with A (M, K), B (K, N), C (M, N).  Matrices are gsl_matrix (row-major, row
 * stride tda, which may exceed the number of columns for a submatrix view), vectors gsl_vector.
 * The caller allocates every output.  Every function returns a GSL status: GSL_SUCCESS,
 * GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument, GSL_EDOM for a matrix that is
 * exactly singular, GSL_ENOMEM if a work buffer cannot be allocated, GSL_EUNIMPL while it is
 * still a stub.
 */
#ifndef MLPHYS_NUMERICS_H
#define MLPHYS_NUMERICS_H

#include <stdint.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

/* The textbook triple loop, C = A B, one dot product per entry of C.
 *   A (M, K)   B (K, N)   C (M, N) out, overwritten (its old contents are ignored)
 *   flops      out, may be NULL: the number of floating-point operations performed, counted
 *              as the loop runs (one multiply and one add per term of every dot product)
 * C must not share memory with A or B (GSL_EINVAL).  GSL_EBADLEN if the shapes disagree. */
int numerics_matmul_naive(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C,
                          uint64_t *flops);

/* The same product, computed tile by tile so that the working set stays in cache.  Same
 * contract as numerics_matmul_naive (without the flop count).  Any M, K, N >= 1 must work,
 * in particular sizes that are not a multiple of the tile size. */
int numerics_matmul_blocked(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C);

/* The n x n Hilbert matrix, H_ij = 1 / (i + j + 1) with 0-based i, j.
 *   H (n, n) out.   GSL_EBADLEN if H is not square. */
int numerics_hilbert(gsl_matrix *H);

/* The 2-norm condition number kappa_2(A) = s_max / s_min from the singular values of A.
 *   A (M, N), any shape, untouched;  kappa out: +INFINITY when s_min is exactly 0.
 * GSL_ENOMEM if a work matrix cannot be allocated. */
int numerics_cond2(const gsl_matrix *A, double *kappa);

/* The solve experiment: b = A x_true, then solve A x = b by LU with partial pivoting
 * (gsl_linalg_LU_decomp, gsl_linalg_LU_solve) and report how far x lands from x_true.
 *   A (n, n) untouched   x_true (n) untouched
 *   relerr out: ||x - x_true||_2 / ||x_true||_2
 * GSL_EBADLEN if A is not square or x_true has the wrong length, GSL_EINVAL if x_true = 0,
 * GSL_EDOM if LU meets an exactly zero pivot. */
int numerics_solve_relerr(const gsl_matrix *A, const gsl_vector *x_true, double *relerr);

#endif
