/*
 * Chapter 01 tests: the SVD against GSL's Golub-Kahan SVD and against matrices whose singular
 * values are known by construction; the spiked Wigner model against random-matrix theory.
 * Nothing here is compared with numbers produced by the reference solution.
 */
#include "mlphys_test.h"
#include "svd.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>

MLPHYS_SUITE(svd, 5); /* the slowest test takes 0.2 s */

/* ---- helpers --------------------------------------------------------------------------- */

/* Singular values from GSL (Golub-Kahan-Reinsch), an independent algorithm.  M >= N. */
static gsl_vector *gsl_singular_values(const gsl_matrix *A)
{
    gsl_matrix *U = gsl_matrix_alloc(A->size1, A->size2), *V = gsl_matrix_alloc(A->size2, A->size2);
    gsl_vector *s = gsl_vector_alloc(A->size2), *work = gsl_vector_alloc(A->size2);
    gsl_matrix_memcpy(U, A);
    gsl_linalg_SV_decomp(U, V, s, work);
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(work);
    return s;
}

/* A = P diag(sigma) Q^T with known singular values sigma (descending), M >= N. */
static gsl_matrix *with_singular_values(size_t M, const gsl_vector *sigma, gsl_rng *rng)
{
    size_t N = sigma->size;
    gsl_matrix *P = mlphys_random_orthonormal(M, N, rng), *Q = mlphys_random_orthonormal(N, N, rng);
    for (size_t j = 0; j < N; j++) {
        gsl_vector_view c = gsl_matrix_column(P, j);
        gsl_vector_scale(&c.vector, gsl_vector_get(sigma, j));
    }
    gsl_matrix *A = gsl_matrix_alloc(M, N);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, P, Q, 0.0, A);
    gsl_matrix_free(P), gsl_matrix_free(Q);
    return A;
}

/* || U diag(s) V^T - A || relative to max |A|. */
static double reconstruction_error(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V,
                                   const gsl_matrix *A)
{
    gsl_matrix *US = gsl_matrix_alloc(U->size1, U->size2), *R = gsl_matrix_alloc(A->size1, A->size2);
    gsl_matrix_memcpy(US, U);
    for (size_t j = 0; j < s->size; j++) {
        gsl_vector_view c = gsl_matrix_column(US, j);
        gsl_vector_scale(&c.vector, gsl_vector_get(s, j));
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, V, 0.0, R);
    double e = mlphys_matrix_rel_error(R, A);
    gsl_matrix_free(US), gsl_matrix_free(R);
    return e;
}

/* Run svd_jacobi on a copy of A: returns U (in a copy), V, s. */
struct svd_out { gsl_matrix *U, *V; gsl_vector *s; };
static struct svd_out jacobi_of(const gsl_matrix *A)
{
    struct svd_out o = { gsl_matrix_alloc(A->size1, A->size2), gsl_matrix_alloc(A->size2, A->size2),
                         gsl_vector_alloc(A->size2) };
    gsl_matrix_memcpy(o.U, A);
    mlphys_require_implemented(svd_jacobi(o.U, o.V, o.s), "svd_jacobi", 1);
    return o;
}
static void svd_out_free(struct svd_out o)
{
    gsl_matrix_free(o.U), gsl_matrix_free(o.V), gsl_vector_free(o.s);
}

/* Round-off of an orthogonal factorisation of an N-column matrix grows like N eps; 1e-12
 * leaves a margin of ~100x over what GSL's own SVD reaches at these sizes (measured 1e-14). */
#define ORTH_TOL 1e-12

/* ---- the SVD --------------------------------------------------------------------------- */

Test(svd, hand_worked_2x2, .description = "A = [[3, 0], [4, 5]] has singular values 3*sqrt(5) and sqrt(5)")
{
    /* A^T A = [[25, 20], [20, 25]]: eigenvalues 45 and 5, so s = sqrt(45), sqrt(5). */
    double a[] = {3, 0, 4, 5};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2);
    struct svd_out o = jacobi_of(&A.matrix);
    mlphys_assert_close(gsl_vector_get(o.s, 0), 3 * sqrt(5.0), 1e-14, 1e-14, "s[0] of [[3,0],[4,5]]");
    mlphys_assert_close(gsl_vector_get(o.s, 1), sqrt(5.0), 1e-14, 1e-14, "s[1] of [[3,0],[4,5]]");
    svd_out_free(o);
}

static void check_values_against_gsl(size_t M, size_t N)
{
    gsl_matrix *A = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    gsl_vector *want = gsl_singular_values(A);
    struct svd_out o = jacobi_of(A);
    /* Both methods are backward stable: singular values agree to a few eps times s_max.
     * 1e-12 relative (plus 1e-12 absolute for the smallest) is ~100x the observed spread. */
    mlphys_assert_vector_close(o.s, want, 1e-12 * gsl_vector_get(want, 0), 1e-12,
                               "singular values vs gsl_linalg_SV_decomp",
                               "Are the values sorted descending? Is s_j the norm of column j after the sweeps?");
    gsl_matrix_free(A), gsl_vector_free(want), svd_out_free(o);
}

Test(svd, values_match_gsl_square, .description = "singular values of a random 40x40 matrix agree with GSL's SVD")
{
    check_values_against_gsl(40, 40);
}

Test(svd, values_match_gsl_tall, .description = "singular values of a random 80x25 matrix agree with GSL's SVD")
{
    check_values_against_gsl(80, 25);
}

Test(svd, values_are_sorted_and_nonnegative, .description = "s_0 >= s_1 >= ... >= 0, all finite")
{
    gsl_matrix *A = gsl_matrix_alloc(30, 12);
    mlphys_fill_gaussian(A, mlphys_rng(), 3.0);
    struct svd_out o = jacobi_of(A);
    char msg[256];
    if (!mlphys_vector_finite_msg(o.s, msg, sizeof msg))
        cr_assert_fail("s is not finite: %s (Inf >= Inf would look sorted)", msg);
    for (size_t j = 0; j < o.s->size; j++) {
        cr_expect(gsl_vector_get(o.s, j) >= 0, "s[%zu] = %g is negative: a singular value is a norm",
                  j, gsl_vector_get(o.s, j));
        if (j > 0)
            cr_expect(gsl_vector_get(o.s, j - 1) >= gsl_vector_get(o.s, j),
                      "s[%zu] = %g < s[%zu] = %g: sort descending, and permute the columns of U and V with them",
                      j - 1, gsl_vector_get(o.s, j - 1), j, gsl_vector_get(o.s, j));
    }
    gsl_matrix_free(A), svd_out_free(o);
}

Test(svd, u_and_v_are_orthonormal, .description = "U^T U = I and V^T V = I")
{
    gsl_matrix *A = gsl_matrix_alloc(50, 30);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    struct svd_out o = jacobi_of(A);
    double eu = mlphys_orthonormality_error(o.U), ev = mlphys_orthonormality_error(o.V);
    cr_expect(eu <= ORTH_TOL, "max |U^T U - I| = %.3g > %.0e: normalise each column by its s_j", eu, ORTH_TOL);
    cr_expect(ev <= ORTH_TOL, "max |V^T V - I| = %.3g > %.0e: apply every rotation to V as well as to A",
              ev, ORTH_TOL);
    gsl_matrix_free(A), svd_out_free(o);
}

Test(svd, reconstruction_recovers_a, .description = "U diag(s) V^T reproduces A")
{
    gsl_matrix *A = gsl_matrix_alloc(45, 45);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    struct svd_out o = jacobi_of(A);
    double e = reconstruction_error(o.U, o.s, o.V, A);
    /* Backward stability: the error is a modest multiple of eps relative to max |A|. */
    cr_assert(e <= 1e-12, "max |U S V^T - A| / max|A| = %.3g > 1e-12. V holds the right singular vectors "
              "as columns (not V^T); did you permute U, s and V with the same order?", e);
    gsl_matrix_free(A), svd_out_free(o);
}

Test(svd, rank_deficient_has_zero_values, .description = "a 20x10 matrix of rank 3 has exactly 3 nonzero singular values")
{
    double sig[10] = {5, 2, 0.5, 0, 0, 0, 0, 0, 0, 0};
    gsl_vector_view sigma = gsl_vector_view_array(sig, 10);
    gsl_matrix *A = with_singular_values(20, &sigma.vector, mlphys_rng());
    struct svd_out o = jacobi_of(A);
    for (size_t j = 0; j < 3; j++)
        mlphys_assert_close(gsl_vector_get(o.s, j), sig[j], 1e-13, 1e-12, "s[%zu] of a rank-3 matrix", j);
    for (size_t j = 3; j < 10; j++)
        cr_expect(gsl_vector_get(o.s, j) <= 1e-13 * sig[0],
                  "s[%zu] = %.3g should be ~0 (rank 3): do not divide by a zero column norm", j,
                  gsl_vector_get(o.s, j));
    double e = reconstruction_error(o.U, o.s, o.V, A);
    cr_expect(e <= 1e-12, "U S V^T misses A by %.3g relative for a rank-deficient A", e);
    gsl_matrix_free(A), svd_out_free(o);
}

Test(svd, one_by_one, .description = "the SVD of [[-2]] is s = 2 with u v = -1")
{
    double a[] = {-2};
    gsl_matrix_view A = gsl_matrix_view_array(a, 1, 1);
    struct svd_out o = jacobi_of(&A.matrix);
    mlphys_assert_close(gsl_vector_get(o.s, 0), 2.0, 0, 1e-15, "s[0] of [[-2]]");
    mlphys_assert_close(gsl_matrix_get(o.U, 0, 0) * gsl_matrix_get(o.V, 0, 0), -1.0, 0, 1e-15,
                        "u*v of [[-2]] (the sign lives in U or V, never in s)");
    svd_out_free(o);
}

Test(svd, wrong_shapes_return_ebadlen, .description = "mismatched shapes return GSL_EBADLEN and change nothing")
{
    gsl_matrix *A = gsl_matrix_alloc(5, 4), *Vbad = gsl_matrix_alloc(3, 3), *V = gsl_matrix_alloc(4, 4);
    gsl_matrix *wide = gsl_matrix_alloc(3, 4);
    gsl_vector *s = gsl_vector_alloc(4), *sbad = gsl_vector_alloc(5);
    gsl_matrix_set_all(A, 1.0);
    mlphys_require_status(svd_jacobi(A, Vbad, s), GSL_EBADLEN, "svd_jacobi", "V must be N x N");
    mlphys_require_status(svd_jacobi(A, V, sbad), GSL_EBADLEN, "svd_jacobi", "s must have N entries");
    mlphys_require_status(svd_jacobi(wide, V, s), GSL_EBADLEN, "svd_jacobi", "svd_jacobi needs M >= N");
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 4; j++)
            cr_assert(gsl_matrix_get(A, i, j) == 1.0, "A[%zu][%zu] changed although the call failed", i, j);
    gsl_matrix_free(A), gsl_matrix_free(Vbad), gsl_matrix_free(V), gsl_matrix_free(wide);
    gsl_vector_free(s), gsl_vector_free(sbad);
}

Test(svd, thin_handles_wide_matrices, .description = "svd_thin decomposes a wide 12x30 matrix")
{
    const size_t M = 12, N = 30;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *At = gsl_matrix_alloc(N, M), *keep = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    gsl_matrix_memcpy(keep, A);
    gsl_matrix_transpose_memcpy(At, A); /* A and A^T share singular values */
    gsl_vector *want = gsl_singular_values(At);
    gsl_matrix *U = gsl_matrix_alloc(M, M), *V = gsl_matrix_alloc(N, M);
    gsl_vector *s = gsl_vector_alloc(M);
    mlphys_require_implemented(svd_thin(A, U, s, V), "svd_thin", 2);
    mlphys_assert_vector_close(s, want, 1e-12 * gsl_vector_get(want, 0), 1e-12,
                               "singular values of a wide matrix", "Decompose A^T, then swap U and V.");
    cr_expect(mlphys_orthonormality_error(U) <= ORTH_TOL, "U (12x12) is not orthogonal");
    cr_expect(mlphys_orthonormality_error(V) <= ORTH_TOL, "V (30x12) does not have orthonormal columns");
    double e = reconstruction_error(U, s, V, keep);
    cr_expect(e <= 1e-12, "U S V^T misses the wide A by %.3g: for M < N, U comes from V of A^T", e);
    cr_expect(mlphys_matrix_rel_error(A, keep) == 0.0, "svd_thin must leave A untouched");
    gsl_matrix_free(A), gsl_matrix_free(At), gsl_matrix_free(keep), gsl_matrix_free(U), gsl_matrix_free(V);
    gsl_vector_free(want), gsl_vector_free(s);
}

Test(svd, thin_rejects_wrong_shapes, .description = "svd_thin returns GSL_EBADLEN when U, s or V do not have K = min(M, N) columns")
{
    gsl_matrix *A = gsl_matrix_alloc(6, 4), *U = gsl_matrix_alloc(6, 6), *V = gsl_matrix_alloc(4, 4);
    gsl_vector *s = gsl_vector_alloc(4);
    gsl_matrix_set_all(A, 1.0);
    mlphys_require_status(svd_thin(A, U, s, V), GSL_EBADLEN, "svd_thin", "U must be M x K = 6 x 4");
    gsl_matrix_free(A), gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(s);
}

Test(svd, jacobi_keeps_small_singular_values, .description = "with condition number 1e6, Jacobi still gets s_min to 1e-8 relative")
{
    /* Known singular values from 1 down to 1e-6.  A backward-stable SVD gets s_min to about
     * eps * kappa = 2e-10 relative; the A^T A route loses it to eps * kappa^2 = 2e-4. */
    const size_t N = 20;
    gsl_vector *sigma = gsl_vector_alloc(N);
    for (size_t j = 0; j < N; j++)
        gsl_vector_set(sigma, j, pow(10.0, -6.0 * (double)j / (double)(N - 1)));
    gsl_matrix *A = with_singular_values(30, sigma, mlphys_rng());
    struct svd_out o = jacobi_of(A);
    mlphys_assert_close(gsl_vector_get(o.s, N - 1), 1e-6, 0, 1e-8,
                        "smallest singular value (kappa = 1e6); forming A^T A would square kappa");
    gsl_matrix_free(A), gsl_vector_free(sigma), svd_out_free(o);
}

Test(svd, eigen_route_matches_gsl, .description = "svd_via_eigen (eigenvectors of A^T A) is right on a well-conditioned matrix")
{
    const size_t M = 40, N = 15;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *U = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *s = gsl_vector_alloc(N);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    gsl_vector *want = gsl_singular_values(A);
    mlphys_require_implemented(svd_via_eigen(A, U, s, V), "svd_via_eigen", 3);
    /* kappa of a 40x15 Gaussian matrix is ~5, so squaring costs little: 1e-10 is generous. */
    mlphys_assert_vector_close(s, want, 1e-10 * gsl_vector_get(want, 0), 1e-10, "singular values via A^T A",
                               "s_j = sqrt(eigenvalue_j), eigenvalues sorted descending.");
    cr_expect(reconstruction_error(U, s, V, A) <= 1e-10, "U S V^T misses A: is u_j = A v_j / s_j?");
    cr_expect(mlphys_orthonormality_error(U) <= 1e-10, "U^T U != I: is u_j = A v_j / s_j?");
    gsl_matrix_free(A), gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(s), gsl_vector_free(want);
}

/* ---- Eckart-Young ----------------------------------------------------------------------- */

Test(svd, eckart_young_error, .description = "the rank-k truncation misses A by sqrt(sum of the discarded s^2) in Frobenius norm")
{
    const size_t M = 30, N = 20;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *U = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_matrix *Ak = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    gsl_vector *s = gsl_singular_values(A); /* GSL's values and vectors: only svd_low_rank is tested */
    gsl_vector *work = gsl_vector_alloc(N);
    gsl_matrix_memcpy(U, A);
    gsl_linalg_SV_decomp(U, V, s, work);
    for (size_t k = 0; k <= N; k += 4) {
        mlphys_require_implemented(svd_low_rank(U, s, V, k, Ak), "svd_low_rank", 4);
        double tail = 0.0, err = 0.0;
        for (size_t j = k; j < N; j++)
            tail += gsl_vector_get(s, j) * gsl_vector_get(s, j);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double d = gsl_matrix_get(A, i, j) - gsl_matrix_get(Ak, i, j);
                err += d * d;
            }
        mlphys_assert_close(sqrt(err), sqrt(tail), 1e-12, 1e-10,
                            "||A - A_k||_F at k = %zu (Eckart-Young: sqrt(sum_{j>=k} s_j^2)); keep the k largest", k);
    }
    gsl_matrix_free(A), gsl_matrix_free(U), gsl_matrix_free(V), gsl_matrix_free(Ak);
    gsl_vector_free(s), gsl_vector_free(work);
}

Test(svd, low_rank_rejects_k_above_rank, .description = "svd_low_rank returns GSL_EINVAL for k > K")
{
    gsl_matrix *U = gsl_matrix_calloc(4, 3), *V = gsl_matrix_calloc(3, 3), *Ak = gsl_matrix_calloc(4, 3);
    gsl_vector *s = gsl_vector_calloc(3);
    mlphys_require_status(svd_low_rank(U, s, V, 4, Ak), GSL_EINVAL, "svd_low_rank", "k = 4 > K = 3");
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_matrix_free(Ak), gsl_vector_free(s);
}

/* ---- The spiked Wigner model and the BBP transition -------------------------------------- */

Test(svd, spiked_sample_is_symmetric_with_unit_spike, .description = "A is symmetric and |x| = 1")
{
    const size_t n = 300;
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    mlphys_require_implemented(spiked_wigner_sample(2.0, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
    mlphys_assert_close(gsl_blas_dnrm2(x), 1.0, 0, 1e-14, "|x|: normalise the Gaussian vector");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (!mlphys_close(gsl_matrix_get(A, i, j), gsl_matrix_get(A, j, i), 1e-15, 1e-15))
                cr_assert_fail("A[%zu][%zu] = %.17g but A[%zu][%zu] = %.17g: W must be symmetric (sample "
                               "the upper triangle and mirror it)", i, j, gsl_matrix_get(A, i, j), j, i,
                               gsl_matrix_get(A, j, i));
    gsl_vector_free(x), gsl_matrix_free(A);
}

Test(svd, noise_has_wigner_variance, .description = "W = A - lambda x x^T has variance 1/n off the diagonal and 2/n on it")
{
    const size_t n = 400;
    const double lambda = 1.7;
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    mlphys_require_implemented(spiked_wigner_sample(lambda, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
    double off = 0, diag = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double w = gsl_matrix_get(A, i, j) - lambda * gsl_vector_get(x, i) * gsl_vector_get(x, j);
            if (i == j)
                diag += w * w;
            else
                off += w * w;
        }
    double n_off = n * (n - 1) / 2.0;
    /* n * mean(w^2) estimates 1 (off) and 2 (diag); their relative standard errors are
     * sqrt(2 / 79800) = 0.005 and sqrt(2 / 400) = 0.071: tolerances are 6 and 5.7 sigma. */
    mlphys_assert_close(n * off / n_off, 1.0, 0.03, 0, "n * mean(W_ij^2) off the diagonal (should be 1: "
                        "W_ij ~ N(0, 1/n))");
    mlphys_assert_close(n * diag / n, 2.0, 0.8, 0, "n * mean(W_ii^2) on the diagonal (should be 2: "
                        "W_ii ~ N(0, 2/n))");
    gsl_vector_free(x), gsl_matrix_free(A);
}

/* Average of the top eigenvalue and of the squared overlap (v_top . x)^2 over R draws, with
 * GSL's symmetric eigensolver (independent of the student's SVD). */
static void bbp_average(double lambda, size_t n, int R, double *top, double *overlap)
{
    gsl_vector *x = gsl_vector_alloc(n), *ev = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n), *Z = gsl_matrix_alloc(n, n);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(n);
    *top = *overlap = 0;
    for (int r = 0; r < R; r++) {
        mlphys_require_implemented(spiked_wigner_sample(lambda, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
        char msg[256];
        if (!mlphys_matrix_finite_msg(A, msg, sizeof msg))
            cr_assert_fail("A is not finite: %s", msg);
        gsl_eigen_symmv(A, ev, Z, w);
        gsl_eigen_symmv_sort(ev, Z, GSL_EIGEN_SORT_VAL_DESC);
        gsl_vector_view v = gsl_matrix_column(Z, 0);
        double d;
        gsl_blas_ddot(&v.vector, x, &d);
        *top += gsl_vector_get(ev, 0) / R;
        *overlap += d * d / R;
    }
    gsl_vector_free(x), gsl_vector_free(ev), gsl_matrix_free(A), gsl_matrix_free(Z);
    gsl_eigen_symmv_free(w);
}

/* Tolerances below: measured over 800 seeds at n = 100 (one draw each, GSL's eigensolver),
 * the spread of one draw is sd(top) = 0.058, 0.121, 0.132 and sd(overlap) = 0.043, 0.047,
 * 0.018 at lambda = 0.5, 2, 3, with means 1.948, 2.496, 3.329 and 0.034, 0.749, 0.889.
 * Averaging R = 32 draws divides the spreads by 5.7; every tolerance is >= 5.4 standard
 * errors beyond the finite-size bias (the edge sits at 2 - 1.2 n^(-2/3) = 1.94 at n = 100).
 * n = 100 keeps each test under 10 s even under valgrind. */
#define BBP_N 100
#define BBP_R 32

Test(svd, below_transition_top_eigenvalue_sticks_to_the_edge, .description = "lambda = 0.5 < 1: top eigenvalue ~2, overlap ~0")
{
    double top, ov;
    bbp_average(0.5, BBP_N, BBP_R, &top, &ov);
    mlphys_assert_close(top, 2.0, 0.12, 0, "mean top eigenvalue at lambda = 0.5 (the semicircle edge is 2 "
                        "when W_ij ~ N(0, 1/n))");
    cr_expect(ov <= 0.08, "mean overlap (v.x)^2 = %.3f at lambda = 0.5 should be ~0: below the BBP transition "
              "the top eigenvector does not see the spike", ov);
}

Test(svd, above_transition_top_eigenvalue, .description = "lambda = 2 and 3: top eigenvalue lambda + 1/lambda")
{
    double top, ov;
    bbp_average(2.0, BBP_N, BBP_R, &top, &ov);
    mlphys_assert_close(top, 2.5, 0.12, 0, "mean top eigenvalue at lambda = 2 (theory lambda + 1/lambda = 2.5)");
    bbp_average(3.0, BBP_N, BBP_R, &top, &ov);
    mlphys_assert_close(top, 3.0 + 1.0 / 3.0, 0.13, 0, "mean top eigenvalue at lambda = 3 (theory 3.333)");
}

Test(svd, above_transition_overlap, .description = "lambda = 2 and 3: squared overlap 1 - 1/lambda^2")
{
    double top, ov;
    bbp_average(2.0, BBP_N, BBP_R, &top, &ov);
    mlphys_assert_close(ov, 0.75, 0.045, 0, "mean (v.x)^2 at lambda = 2 (theory 1 - 1/lambda^2 = 0.75)");
    bbp_average(3.0, BBP_N, BBP_R, &top, &ov);
    mlphys_assert_close(ov, 1.0 - 1.0 / 9.0, 0.02, 0, "mean (v.x)^2 at lambda = 3 (theory 0.889)");
}

Test(svd, spiked_rejects_bad_arguments, .description = "negative lambda gives GSL_EINVAL, a non-square A GSL_EBADLEN")
{
    gsl_vector *x = gsl_vector_alloc(5);
    gsl_matrix *A = gsl_matrix_alloc(5, 5), *B = gsl_matrix_alloc(5, 4);
    mlphys_require_status(spiked_wigner_sample(-1.0, mlphys_rng(), x, A), GSL_EINVAL, "spiked_wigner_sample",
                          "lambda must be >= 0");
    mlphys_require_status(spiked_wigner_sample(1.0, mlphys_rng(), x, B), GSL_EBADLEN, "spiked_wigner_sample",
                          "A must be n x n");
    gsl_vector_free(x), gsl_matrix_free(A), gsl_matrix_free(B);
}
