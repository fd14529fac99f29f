/*
 * Chapter 05, reference solution: cost and conditioning.
 *
 * C = A B with A (M, K), B (K, N), C (M, N); the Hilbert matrix; kappa_2 from the SVD; and the
 * solve experiment b = A x_true, A x = b by LU.  Contract: chapters/05-numerics/numerics.h.
 */
#include "numerics.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Shapes of C = A B agree, and C is a separate block of memory from A and B. */
static int check_product(const gsl_matrix *A, const gsl_matrix *B, const gsl_matrix *C)
{
    if (A->size2 != B->size1 || C->size1 != A->size1 || C->size2 != B->size2)
        return GSL_EBADLEN;
    if (C->data == A->data || C->data == B->data)
        return GSL_EINVAL;
    return GSL_SUCCESS;
}

int numerics_matmul_naive(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C,
                          uint64_t *flops)
{
    int st = check_product(A, B, C);
    if (st)
        return st;
    const size_t M = A->size1, K = A->size2, N = B->size2;
    uint64_t count = 0;
    /* i-j-k: entry (i, j) is the dot product of row i of A with column j of B.  The column of
     * B is read with stride tda, one cache line per term once B no longer fits in cache. */
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < K; k++)
                sum += A->data[i * A->tda + k] * B->data[k * B->tda + j];
            C->data[i * C->tda + j] = sum;
            count += 2 * (uint64_t)K; /* K multiplies and K adds */
        }
    if (flops)
        *flops = count;
    return GSL_SUCCESS;
}

/* ---- The blocked product --------------------------------------------------------------------
 * The loop nest of Goto and van de Geijn (ACM TOMS 34, 2008; the BLIS papers), in portable C:
 *   for jc in steps of NC:          a slab of NC columns of B and C
 *     for pc in steps of KC:        pack B[pc:pc+KC, jc:jc+NC] into panels of NR columns
 *       for ic in steps of MC:      pack A[ic:ic+MC, pc:pc+KC] into panels of MR rows
 *         for each MR x NR tile of C in the block: the micro-kernel, a rank-KC update
 * The packed panels are contiguous and read in order, so the innermost loops stream through
 * memory; an MC x KC block of A (here 96 x 256 doubles = 192 KiB) stays in L2 while it is
 * reused for every column panel of B, and one KC x NR panel of B (at most 16 KiB) stays in L1
 * while it is reused for every row panel of A.  Edges are packed with zeros, so the micro-kernel
 * always runs on a full MR x NR tile and only the valid part is written back. */
enum { MR = 8, KC = 256, MC = 96, NC = 2048 };

/* NR, the width of the register tile, is the number of doubles in one vector register of the
 * machine the file is compiled for, so that each row of the tile is exactly one register and
 * the 8 x NR accumulators take 8 registers (of 16 or 32), leaving room for a row of B and the
 * broadcast entries of A.  A tile wider than a register (8 x 8 with AVX2: 16 registers) spills
 * to the stack and runs at less than half the speed (measured: 36 % of OpenBLAS, not 77 %).
 * The compiler says which instructions it may use through these predefined macros
 * (-march=native sets them for the build machine). */
#if defined(__AVX512F__)
enum { NR = 8 }; /* 512-bit registers: 8 doubles */
#elif defined(__AVX__)
enum { NR = 4 }; /* AVX, AVX2: 256-bit registers, 4 doubles */
#else
enum { NR = 2 }; /* SSE2, the x86-64 baseline (and the fallback elsewhere): 2 doubles */
#endif

/* A[ic:ic+mc, pc:pc+kc] -> ap, panel by panel: ap[panel][p][i] = A[ic + panel*MR + i][pc + p]. */
static void pack_a(const gsl_matrix *A, size_t ic, size_t pc, size_t mc, size_t kc,
                   double *restrict ap)
{
    for (size_t ir = 0; ir < mc; ir += MR)
        for (size_t p = 0; p < kc; p++)
            for (size_t i = 0; i < MR; i++)
                *ap++ = ir + i < mc ? A->data[(ic + ir + i) * A->tda + pc + p] : 0.0;
}

/* B[pc:pc+kc, jc:jc+nc] -> bp: bp[panel][p][j] = B[pc + p][jc + panel*NR + j]. */
static void pack_b(const gsl_matrix *B, size_t pc, size_t jc, size_t kc, size_t nc,
                   double *restrict bp)
{
    for (size_t jr = 0; jr < nc; jr += NR)
        for (size_t p = 0; p < kc; p++) {
            const double *row = B->data + (pc + p) * B->tda + jc + jr;
            size_t w = nc - jr < NR ? nc - jr : NR;
            for (size_t j = 0; j < w; j++)
                *bp++ = row[j];
            for (size_t j = w; j < NR; j++)
                *bp++ = 0.0;
        }
}

/* acc (MR x NR) = sum_p a[p][:] b[p][:]^T over kc steps: an outer product per step.  One
 * accumulator array per row of the tile, each exactly one vector register wide (NR above), so
 * that the compiler keeps all of them in registers for the whole sweep over p; the j loop has
 * a fixed length and unit stride, so it becomes one vector multiply-add per row at -O2. */
static void micro_kernel(size_t kc, const double *restrict a, const double *restrict b,
                         double acc[MR][NR])
{
    double c0[NR] = {0}, c1[NR] = {0}, c2[NR] = {0}, c3[NR] = {0};
    double c4[NR] = {0}, c5[NR] = {0}, c6[NR] = {0}, c7[NR] = {0};
    for (size_t p = 0; p < kc; p++, a += MR, b += NR) {
        const double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
        const double a4 = a[4], a5 = a[5], a6 = a[6], a7 = a[7];
        for (size_t j = 0; j < NR; j++) {
            const double bj = b[j];
            c0[j] += a0 * bj, c1[j] += a1 * bj, c2[j] += a2 * bj, c3[j] += a3 * bj;
            c4[j] += a4 * bj, c5[j] += a5 * bj, c6[j] += a6 * bj, c7[j] += a7 * bj;
        }
    }
    memcpy(acc[0], c0, sizeof c0), memcpy(acc[1], c1, sizeof c1);
    memcpy(acc[2], c2, sizeof c2), memcpy(acc[3], c3, sizeof c3);
    memcpy(acc[4], c4, sizeof c4), memcpy(acc[5], c5, sizeof c5);
    memcpy(acc[6], c6, sizeof c6), memcpy(acc[7], c7, sizeof c7);
}

int numerics_matmul_blocked(const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C)
{
    int st = check_product(A, B, C);
    if (st)
        return st;
    const size_t M = A->size1, K = A->size2, N = B->size2;
    const size_t mcap = (M < MC ? M : MC) + MR, ncap = (N < NC ? N : NC) + NR;
    const size_t kcap = K < KC ? K : KC;
    double *ap = malloc(mcap * kcap * sizeof *ap), *bp = malloc(ncap * kcap * sizeof *bp);
    if (!ap || !bp) {
        free(ap), free(bp);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < M; i++) /* C is overwritten: its old contents may be anything */
        memset(C->data + i * C->tda, 0, N * sizeof(double));

    double acc[MR][NR];
    for (size_t jc = 0; jc < N; jc += NC) {
        const size_t nc = N - jc < NC ? N - jc : NC;
        for (size_t pc = 0; pc < K; pc += KC) {
            const size_t kc = K - pc < KC ? K - pc : KC;
            pack_b(B, pc, jc, kc, nc, bp);
            for (size_t ic = 0; ic < M; ic += MC) {
                const size_t mc = M - ic < MC ? M - ic : MC;
                pack_a(A, ic, pc, mc, kc, ap);
                for (size_t jr = 0; jr < nc; jr += NR)
                    for (size_t ir = 0; ir < mc; ir += MR) {
                        micro_kernel(kc, ap + ir * kc, bp + jr * kc, acc);
                        const size_t mr = mc - ir < MR ? mc - ir : MR;
                        const size_t nr = nc - jr < NR ? nc - jr : NR;
                        for (size_t i = 0; i < mr; i++) {
                            double *c = C->data + (ic + ir + i) * C->tda + jc + jr;
                            for (size_t j = 0; j < nr; j++)
                                c[j] += acc[i][j];
                        }
                    }
            }
        }
    }
    free(ap), free(bp);
    return GSL_SUCCESS;
}

/* ---- Conditioning ---------------------------------------------------------------------------- */

int numerics_hilbert(gsl_matrix *H)
{
    if (H->size1 != H->size2)
        return GSL_EBADLEN;
    for (size_t i = 0; i < H->size1; i++)
        for (size_t j = 0; j < H->size2; j++)
            gsl_matrix_set(H, i, j, 1.0 / (double)(i + j + 1));
    return GSL_SUCCESS;
}

int numerics_cond2(const gsl_matrix *A, double *kappa)
{
    /* GSL's SVD wants M >= N; A and A^T have the same singular values. */
    const int wide = A->size1 < A->size2;
    const size_t M = wide ? A->size2 : A->size1, N = wide ? A->size1 : A->size2;
    gsl_matrix *U = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *s = gsl_vector_alloc(N), *work = gsl_vector_alloc(N);
    int st = GSL_ENOMEM;
    if (U && V && s && work) {
        if (wide)
            gsl_matrix_transpose_memcpy(U, A);
        else
            gsl_matrix_memcpy(U, A);
        st = gsl_linalg_SV_decomp(U, V, s, work); /* s sorted descending, s >= 0 */
        if (!st) {
            const double smax = gsl_vector_get(s, 0), smin = gsl_vector_get(s, N - 1);
            *kappa = smin > 0 ? smax / smin : INFINITY;
        }
    }
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(s), gsl_vector_free(work);
    return st;
}

int numerics_solve_relerr(const gsl_matrix *A, const gsl_vector *x_true, double *relerr)
{
    const size_t n = A->size1;
    if (A->size2 != n || x_true->size != n)
        return GSL_EBADLEN;
    const double xnorm = gsl_blas_dnrm2(x_true);
    if (!(xnorm > 0))
        return GSL_EINVAL;
    gsl_matrix *LU = gsl_matrix_alloc(n, n);
    gsl_vector *b = gsl_vector_alloc(n), *x = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    int st = GSL_ENOMEM, sign;
    if (LU && b && x && perm) {
        gsl_blas_dgemv(CblasNoTrans, 1.0, A, x_true, 0.0, b); /* b carries its own rounding */
        gsl_matrix_memcpy(LU, A);
        st = gsl_linalg_LU_decomp(LU, perm, &sign);
        if (!st)
            for (size_t i = 0; i < n; i++)
                if (gsl_matrix_get(LU, i, i) == 0.0)
                    st = GSL_EDOM;
        if (!st)
            st = gsl_linalg_LU_solve(LU, perm, b, x);
        if (!st) {
            gsl_vector_sub(x, x_true);
            *relerr = gsl_blas_dnrm2(x) / xnorm;
        }
    }
    gsl_matrix_free(LU), gsl_vector_free(b), gsl_vector_free(x), gsl_permutation_free(perm);
    return st;
}
