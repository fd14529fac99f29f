/*
 * Chapter 05 tests: matrix products against hand-worked cases, exact integer arithmetic, GSL's
 * dgemm and the rigorous rounding bound |fl(AB) - AB| <= gamma_K |A||B| (Higham, Accuracy and
 * Stability of Numerical Algorithms, 2nd ed, sec. 3.5); condition numbers against matrices
 * built with known singular values and the literature values for the Hilbert matrix; the solve
 * against the forward-error rule of thumb relerr <= C kappa eps.
 * Nothing here is compared with numbers produced by the reference solution.
 */
#include "mlphys_test.h"
#include "numerics.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

MLPHYS_SUITE(numerics, 10);

/* ---- helpers --------------------------------------------------------------------------- */

/* A matrix of small integers in [-4, 4]: every product and every partial sum of a dot product
 * of length <= 500 is an integer below 2^53, so any summation order gives the exact answer. */
static void fill_integers(gsl_matrix *m, gsl_rng *rng)
{
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++)
            gsl_matrix_set(m, i, j, (double)gsl_rng_uniform_int(rng, 9) - 4.0);
}

static gsl_matrix *gaussian(size_t M, size_t N)
{
    gsl_matrix *m = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(m, mlphys_rng(), 1.0);
    return m;
}

/* Rounding error of a product of length K in any summation order (Higham, Thm 3.5 / eq. 3.13):
 * |fl(AB) - AB| <= gamma_K |A||B| entrywise, gamma_K = K u / (1 - K u), u = eps / 2.  Two
 * computations of the same product therefore differ by at most 2 gamma_K |A||B|.  We allow
 * 4 gamma_K |A||B|: a factor 2 of headroom for the rounding in forming |A||B| itself. */
static void assert_products_agree(const gsl_matrix *got, const gsl_matrix *want, const gsl_matrix *A,
                                  const gsl_matrix *B, const char *what, const char *hint)
{
    const size_t M = A->size1, K = A->size2, N = B->size2;
    gsl_matrix *absA = gsl_matrix_alloc(M, K), *absB = gsl_matrix_alloc(K, N), *bound = gsl_matrix_alloc(M, N);
    for (size_t i = 0; i < M; i++)
        for (size_t k = 0; k < K; k++)
            gsl_matrix_set(absA, i, k, fabs(gsl_matrix_get(A, i, k)));
    for (size_t k = 0; k < K; k++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(absB, k, j, fabs(gsl_matrix_get(B, k, j)));
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, absA, absB, 0.0, bound);
    const double u = DBL_EPSILON / 2, gamma = (double)K * u / (1 - (double)K * u);
    size_t bi = 0, bj = 0;
    double worst = -1, worst_diff = 0, cmax = 0, dmax = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double g = gsl_matrix_get(got, i, j), w = gsl_matrix_get(want, i, j);
            double d = fabs(g - w), tol = 4 * gamma * gsl_matrix_get(bound, i, j);
            double excess = isfinite(g) ? d - tol : INFINITY;
            cmax = fmax(cmax, fabs(w)), dmax = fmax(dmax, d);
            if (excess > worst)
                worst = excess, worst_diff = d, bi = i, bj = j;
        }
    double wi = gsl_matrix_get(want, bi, bj), gi = gsl_matrix_get(got, bi, bj);
    double allowed = 4 * gamma * gsl_matrix_get(bound, bi, bj);
    gsl_matrix_free(absA), gsl_matrix_free(absB), gsl_matrix_free(bound);
    cr_assert(worst <= 0, "%s (%zux%zu times %zux%zu): C[%zu][%zu] = %.17g, want %.17g (|diff| = %.3g, "
              "allowed %.3g = 4 gamma_K (|A||B|)_ij; max |diff| / max |C| = %.3g). %s",
              what, M, K, K, N, bi, bj, gi, wi, worst_diff, allowed, dmax / fmax(cmax, 1e-300), hint);
}

/* C = A B by GSL (the reference CBLAS in tests): an independent implementation. */
static gsl_matrix *gsl_product(const gsl_matrix *A, const gsl_matrix *B)
{
    gsl_matrix *C = gsl_matrix_alloc(A->size1, B->size2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, B, 0.0, C);
    return C;
}

/* A = P[:, :K] diag(sigma) Q[:, :K]^T, M x N with K = min(M, N) known singular values. */
static gsl_matrix *with_singular_values(size_t M, size_t N, const gsl_vector *sigma, gsl_rng *rng)
{
    const size_t K = sigma->size;
    gsl_matrix *P = mlphys_random_orthonormal(M, M, rng), *Q = mlphys_random_orthonormal(N, N, rng), *A = gsl_matrix_alloc(M, N);
    for (size_t j = 0; j < K; j++) {
        gsl_vector_view c = gsl_matrix_column(P, j);
        gsl_vector_scale(&c.vector, gsl_vector_get(sigma, j));
    }
    gsl_matrix_view Pk = gsl_matrix_submatrix(P, 0, 0, M, K), Qk = gsl_matrix_submatrix(Q, 0, 0, N, K);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Pk.matrix, &Qk.matrix, 0.0, A);
    gsl_matrix_free(P), gsl_matrix_free(Q);
    return A;
}

/* kappa_2 from GSL's own SVD (Golub-Kahan-Reinsch), independent of the student's cond2. */
static double gsl_kappa(const gsl_matrix *A)
{
    const size_t n = A->size2;
    gsl_matrix *U = gsl_matrix_alloc(A->size1, n), *V = gsl_matrix_alloc(n, n);
    gsl_vector *s = gsl_vector_alloc(n), *w = gsl_vector_alloc(n);
    gsl_matrix_memcpy(U, A);
    gsl_linalg_SV_decomp(U, V, s, w);
    double k = gsl_vector_get(s, 0) / gsl_vector_get(s, n - 1);
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(s), gsl_vector_free(w);
    return k;
}

/* The Hilbert matrix, built here (not by the student's code) for the cond2 and solve tests. */
static gsl_matrix *hilbert(size_t n)
{
    gsl_matrix *H = gsl_matrix_alloc(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(H, i, j, 1.0 / (double)(i + j + 1));
    return H;
}

static double student_cond2(const gsl_matrix *A)
{
    double kappa = NAN;
    mlphys_require_implemented(numerics_cond2(A, &kappa), "numerics_cond2", 4);
    return kappa;
}

/* ---- TODO(1): the naive product ---------------------------------------------------------- */

Test(numerics, naive_hand_worked_2x2, .description = "[[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]]")
{
    double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4] = {0}, want[] = {19, 22, 43, 50};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2);
    gsl_matrix_view C = gsl_matrix_view_array(c, 2, 2);
    mlphys_require_implemented(numerics_matmul_naive(&A.matrix, &B.matrix, &C.matrix, NULL),
                               "numerics_matmul_naive", 1);
    /* small integers: the products are exact, so the answer must be exact */
    for (size_t i = 0; i < 4; i++)
        mlphys_assert_close(c[i], want[i], 0, 0, "C[%zu][%zu] of the 2x2 product (C_ij = sum_k A_ik B_kj: "
                            "row i of A times column j of B)", i / 2, i % 2);
}

Test(numerics, naive_counts_two_m_n_k_flops, .description = "the flop count of an (M x K) times (K x N) product is exactly 2 M N K")
{
    const size_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {3, 1, 4}, {20, 30, 10}, {1, 64, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const size_t M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        gsl_matrix *A = gaussian(M, K), *B = gaussian(K, N), *C = gsl_matrix_alloc(M, N);
        uint64_t flops = 0;
        mlphys_require_implemented(numerics_matmul_naive(A, B, C, &flops), "numerics_matmul_naive", 1);
        const uint64_t want = 2 * (uint64_t)M * N * K;
        cr_expect(flops == want, "flops for (%zu x %zu) times (%zu x %zu): got %llu, want 2 M N K = %llu. "
                  "Each of the M N entries is a dot product of length K: K multiplies and K adds "
                  "(counting K - 1 adds gives M N (2K - 1)).", M, K, K, N, (unsigned long long)flops,
                  (unsigned long long)want);
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C);
    }
}

Test(numerics, naive_matches_gsl_dgemm, .description = "the naive product agrees with gsl_blas_dgemm to round-off")
{
    const size_t shapes[][3] = {{7, 13, 5}, {40, 30, 20}, {1, 50, 9}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        gsl_matrix *A = gaussian(shapes[s][0], shapes[s][1]), *B = gaussian(shapes[s][1], shapes[s][2]);
        gsl_matrix *C = gsl_matrix_alloc(shapes[s][0], shapes[s][2]), *want = gsl_product(A, B);
        mlphys_require_implemented(numerics_matmul_naive(A, B, C, NULL), "numerics_matmul_naive", 1);
        assert_products_agree(C, want, A, B, "naive product vs gsl_blas_dgemm",
                              "Is it C_ij = sum_k A_ik B_kj with A->tda and B->tda as row strides?");
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(want);
    }
}

Test(numerics, naive_rejects_bad_shapes_and_aliasing, .description = "mismatched shapes give GSL_EBADLEN, C == A gives GSL_EINVAL")
{
    gsl_matrix *A = gsl_matrix_calloc(3, 4), *B = gsl_matrix_calloc(5, 2), *B2 = gsl_matrix_calloc(4, 2);
    gsl_matrix *C = gsl_matrix_calloc(3, 2), *Cbad = gsl_matrix_calloc(2, 3), *S = gsl_matrix_calloc(3, 3);
    mlphys_require_status(numerics_matmul_naive(A, B, C, NULL), GSL_EBADLEN, "numerics_matmul_naive",
                          "A is 3x4 and B is 5x2: the inner dimensions disagree");
    mlphys_require_status(numerics_matmul_naive(A, B2, Cbad, NULL), GSL_EBADLEN, "numerics_matmul_naive",
                          "C must be 3x2 for a 3x4 times 4x2 product");
    mlphys_require_status(numerics_matmul_naive(S, S, S, NULL), GSL_EINVAL, "numerics_matmul_naive",
                          "C is the same matrix as A and B: writing C would destroy the input");
    gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(B2), gsl_matrix_free(C);
    gsl_matrix_free(Cbad), gsl_matrix_free(S);
}

/* ---- TODO(2): the blocked product -------------------------------------------------------- */

Test(numerics, blocked_equals_naive_on_awkward_sizes, .description = "blocked and naive agree to round-off at 1x1, 7x13 times 13x5 and 67x67 (not multiples of a tile)")
{
    const size_t shapes[][3] = {{1, 1, 1}, {7, 13, 5}, {67, 67, 67}, {65, 1, 3}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const size_t M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        gsl_matrix *A = gaussian(M, K), *B = gaussian(K, N);
        gsl_matrix *Cb = gsl_matrix_alloc(M, N), *Cn = gsl_matrix_alloc(M, N);
        mlphys_require_implemented(numerics_matmul_blocked(A, B, Cb), "numerics_matmul_blocked", 2);
        mlphys_require_implemented(numerics_matmul_naive(A, B, Cn, NULL), "numerics_matmul_naive", 1);
        assert_products_agree(Cb, Cn, A, B, "blocked vs your naive product",
                              "Check the last, partial tile in each direction: min(T, size - start).");
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(Cb), gsl_matrix_free(Cn);
    }
}

Test(numerics, blocked_matches_gsl_dgemm, .description = "the blocked product agrees with gsl_blas_dgemm to round-off on sizes that cross tile boundaries")
{
    const size_t shapes[][3] = {{67, 67, 67}, {100, 37, 129}, {130, 70, 3}, {50, 300, 40}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        gsl_matrix *A = gaussian(shapes[s][0], shapes[s][1]), *B = gaussian(shapes[s][1], shapes[s][2]);
        gsl_matrix *C = gsl_matrix_alloc(shapes[s][0], shapes[s][2]), *want = gsl_product(A, B);
        mlphys_require_implemented(numerics_matmul_blocked(A, B, C), "numerics_matmul_blocked", 2);
        assert_products_agree(C, want, A, B, "blocked product vs gsl_blas_dgemm",
                              "Every (i, k, j) term must be added exactly once: check the tile bounds.");
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(want);
    }
}

Test(numerics, blocked_is_exact_on_integer_matrices, .description = "with small integer entries every summation order is exact, so blocked must equal GSL exactly")
{
    const size_t shapes[][3] = {{67, 67, 67}, {129, 65, 131}, {3, 257, 2}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const size_t M = shapes[s][0], K = shapes[s][1], N = shapes[s][2];
        gsl_matrix *A = gsl_matrix_alloc(M, K), *B = gsl_matrix_alloc(K, N), *C = gsl_matrix_alloc(M, N);
        fill_integers(A, mlphys_rng()), fill_integers(B, mlphys_rng());
        gsl_matrix *want = gsl_product(A, B);
        mlphys_require_implemented(numerics_matmul_blocked(A, B, C), "numerics_matmul_blocked", 2);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double g = gsl_matrix_get(C, i, j), w = gsl_matrix_get(want, i, j);
                /* exact comparison on purpose: integers below 2^53 are represented exactly */
                cr_assert(g == w, "(%zu x %zu) times (%zu x %zu) with integer entries: C[%zu][%zu] = %.17g, "
                          "want exactly %.17g (off by %g: a term counted twice or missed at a tile edge?)",
                          M, K, K, N, i, j, g, w, g - w);
            }
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(want);
    }
}

Test(numerics, blocked_overwrites_c, .description = "the blocked product ignores whatever C held before (it is not C += A B)")
{
    gsl_matrix *A = gaussian(9, 70), *B = gaussian(70, 11), *C = gsl_matrix_alloc(9, 11);
    gsl_matrix_set_all(C, NAN);
    gsl_matrix *want = gsl_product(A, B);
    mlphys_require_implemented(numerics_matmul_blocked(A, B, C), "numerics_matmul_blocked", 2);
    assert_products_agree(C, want, A, B, "blocked product into a C filled with NaN",
                          "Set C = 0 before accumulating the tiles into it.");
    gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(want);
}

Test(numerics, blocked_respects_row_stride, .description = "the blocked product works on submatrix views, whose row stride tda exceeds their width")
{
    gsl_matrix *PA = gaussian(80, 90), *PB = gaussian(75, 100), *PC = gsl_matrix_alloc(70, 90);
    gsl_matrix_set_all(PC, 7.0);
    gsl_matrix_view A = gsl_matrix_submatrix(PA, 3, 5, 66, 70);  /* tda 90  */
    gsl_matrix_view B = gsl_matrix_submatrix(PB, 2, 1, 70, 69);  /* tda 100 */
    gsl_matrix_view C = gsl_matrix_submatrix(PC, 1, 2, 66, 69);  /* tda 90  */
    gsl_matrix *want = gsl_product(&A.matrix, &B.matrix);
    mlphys_require_implemented(numerics_matmul_blocked(&A.matrix, &B.matrix, &C.matrix), "numerics_matmul_blocked", 2);
    assert_products_agree(&C.matrix, want, &A.matrix, &B.matrix, "blocked product of submatrix views",
                          "Row i of a gsl_matrix starts at data + i * tda, not data + i * size2.");
    for (size_t i = 0; i < PC->size1; i++)
        for (size_t j = 0; j < PC->size2; j++)
            if (i < 1 || i >= 67 || j < 2 || j >= 71)
                cr_assert(gsl_matrix_get(PC, i, j) == 7.0, "entry (%zu, %zu) of the matrix around the view C "
                          "changed: write only the M x N entries of C, at data + i * tda + j", i, j);
    gsl_matrix_free(PA), gsl_matrix_free(PB), gsl_matrix_free(PC), gsl_matrix_free(want);
}

Test(numerics, blocked_rejects_bad_shapes, .description = "the blocked product returns GSL_EBADLEN for mismatched shapes")
{
    gsl_matrix *A = gsl_matrix_calloc(3, 4), *B = gsl_matrix_calloc(5, 2), *C = gsl_matrix_calloc(3, 2);
    mlphys_require_status(numerics_matmul_blocked(A, B, C), GSL_EBADLEN, "numerics_matmul_blocked",
                          "A is 3x4 and B is 5x2: the inner dimensions disagree");
    gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C);
}

/* ---- TODO(3): the Hilbert matrix ---------------------------------------------------------- */

Test(numerics, hilbert_entries, .description = "H_ij = 1/(i+j+1): H_00 = 1, H_01 = 1/2, ..., H_44 = 1/9, and H is symmetric")
{
    gsl_matrix *H = gsl_matrix_alloc(5, 5);
    gsl_matrix_set_all(H, NAN);
    mlphys_require_implemented(numerics_hilbert(H), "numerics_hilbert", 3);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++)
            /* one division, correctly rounded: allow one ulp */
            mlphys_assert_close(gsl_matrix_get(H, i, j), 1.0 / (double)(i + j + 1), 0, DBL_EPSILON,
                                "H[%zu][%zu] (0-based, so H_00 = 1; write 1.0 / (i + j + 1), not 1 / (i + j + 1))",
                                i, j);
    gsl_matrix *one = gsl_matrix_alloc(1, 1);
    mlphys_require_implemented(numerics_hilbert(one), "numerics_hilbert", 3);
    mlphys_assert_close(gsl_matrix_get(one, 0, 0), 1.0, 0, 0, "the 1x1 Hilbert matrix");
    gsl_matrix_free(H), gsl_matrix_free(one);
}

Test(numerics, hilbert_rejects_non_square, .description = "numerics_hilbert returns GSL_EBADLEN for a 3x4 matrix")
{
    gsl_matrix *H = gsl_matrix_alloc(3, 4);
    mlphys_require_status(numerics_hilbert(H), GSL_EBADLEN, "numerics_hilbert", "the Hilbert matrix is square");
    gsl_matrix_free(H);
}

/* ---- TODO(4): condition numbers ----------------------------------------------------------- */

Test(numerics, cond2_hand_worked, .description = "kappa(I) = 1, kappa(diag(1, 10, 100)) = 100, kappa([[3,0],[4,5]]) = 3")
{
    double d[] = {1, 0, 0, 0, 10, 0, 0, 0, 100}, t[] = {3, 0, 4, 5};
    gsl_matrix_view D = gsl_matrix_view_array(d, 3, 3), T = gsl_matrix_view_array(t, 2, 2);
    gsl_matrix *I = gsl_matrix_alloc(4, 4);
    gsl_matrix_set_identity(I);
    /* a backward-stable SVD gets each value to a few eps times s_max: 1e-13 relative is safe */
    mlphys_assert_close(student_cond2(I), 1.0, 0, 1e-13, "kappa of the 4x4 identity");
    mlphys_assert_close(student_cond2(&D.matrix), 100.0, 0, 1e-13,
                        "kappa of diag(1, 10, 100) (s_max / s_min, not s_min / s_max)");
    /* T^T T = [[25, 20], [20, 25]] has eigenvalues 45 and 5: s = 3 sqrt(5), sqrt(5), kappa = 3 */
    mlphys_assert_close(student_cond2(&T.matrix), 3.0, 0, 1e-13,
                        "kappa of [[3,0],[4,5]] (singular values 3 sqrt 5 and sqrt 5, not eigenvalues 3 and 5)");
    gsl_matrix_free(I);
}

Test(numerics, cond2_of_a_matrix_with_known_singular_values, .description = "A = P diag(1 .. 1e-6) Q^T with random orthogonal P, Q has kappa = 1e6")
{
    const size_t n = 25;
    gsl_vector *sigma = gsl_vector_alloc(n);
    for (size_t j = 0; j < n; j++)
        gsl_vector_set(sigma, j, pow(10.0, -6.0 * (double)j / (double)(n - 1)));
    gsl_matrix *A = with_singular_values(n, n, sigma, mlphys_rng());
    /* s_min carries an absolute error ~ n eps s_max from forming A and from the SVD, i.e. a
     * relative error ~ n eps kappa ~ 6e-9; 1e-7 is 16x that. */
    mlphys_assert_close(student_cond2(A), 1e6, 0, 1e-7, "kappa of a 25x25 matrix built with singular values "
                        "from 1 to 1e-6 (kappa is invariant under rotations P, Q)");
    gsl_matrix_free(A), gsl_vector_free(sigma);
}

Test(numerics, cond2_of_a_wide_matrix, .description = "kappa of a 5x9 matrix with singular values 4, 2, 1, 0.5, 0.25 is 16, and A is untouched")
{
    double sig[] = {4, 2, 1, 0.5, 0.25};
    gsl_vector_view sigma = gsl_vector_view_array(sig, 5);
    gsl_matrix *A = with_singular_values(5, 9, &sigma.vector, mlphys_rng()), *keep = gsl_matrix_alloc(5, 9);
    gsl_matrix_memcpy(keep, A);
    /* kappa = 16 is tiny: the SVD gets it to a few eps; 1e-12 is ~100x that */
    mlphys_assert_close(student_cond2(A), 16.0, 0, 1e-12, "kappa of a wide 5x9 matrix (gsl_linalg_SV_decomp "
                        "needs M >= N: decompose A^T, which has the same singular values)");
    cr_expect(mlphys_matrix_rel_error(A, keep) == 0.0, "numerics_cond2 changed A: decompose a copy");
    gsl_matrix_free(A), gsl_matrix_free(keep);
}

Test(numerics, cond2_of_a_singular_matrix_is_infinite, .description = "diag(1, 2, 0) has s_min = 0 exactly, so kappa = +infinity")
{
    double d[] = {1, 0, 0, 0, 2, 0, 0, 0, 0};
    gsl_matrix_view D = gsl_matrix_view_array(d, 3, 3);
    double k = student_cond2(&D.matrix);
    cr_assert(isinf(k) && k > 0, "kappa of diag(1, 2, 0) = %g, want +inf (s_min is exactly 0)", k);
}

Test(numerics, cond2_hilbert_literature_values, .description = "kappa_2 of the Hilbert matrix is 1.53e10 at n = 8 and 1.60e13 at n = 10")
{
    /* Literature values, to the digits given (+-0.5 in the last digit); 80-digit arithmetic gives
     * 1.52576e10 and 1.60263e13.  In double precision s_min carries a relative error up to
     * ~kappa eps (3e-6 at n = 8, 4e-3 at n = 10); GSL's SVD reaches 1e-6 and 1e-4, inside the
     * 3e-3 that the last digit allows. */
    gsl_matrix *H8 = hilbert(8), *H10 = hilbert(10);
    mlphys_assert_close(student_cond2(H8), 1.53e10, 0.005e10, 0, "kappa_2 of the 8x8 Hilbert matrix");
    mlphys_assert_close(student_cond2(H10), 1.60e13, 0.005e13, 0, "kappa_2 of the 10x10 Hilbert matrix");
    gsl_matrix_free(H8), gsl_matrix_free(H10);
}

Test(numerics, cond2_hilbert_12_is_numerically_singular, .description = "at n = 12 (true kappa 1.71e16) double precision cannot resolve s_min: kappa comes out >= 1e15")
{
    /* The true kappa_2(H_12) is 1.7132e16 (80-digit arithmetic); the often-quoted 1.75e16 is
     * itself a double-precision estimate (GSL's SVD gives 1.78e16, its Jacobi SVD 1.84e16).
     * s_min = 1.05e-16 is below eps s_max = 4e-16, so no double-precision SVD can resolve it:
     * we only ask that kappa eps >= 0.2, i.e. that H_12 is flagged as numerically singular. */
    gsl_matrix *H = hilbert(12);
    double k = student_cond2(H);
    cr_assert(k >= 1e15, "kappa_2 of the 12x12 Hilbert matrix = %g, want >= 1e15 (true 1.71e16). "
              "Is kappa = s_max / s_min with s sorted descending?", k);
    gsl_matrix_free(H);
}

/* ---- TODO(5): losing digits in a solve --------------------------------------------------- */

/* The forward-error rule of thumb relerr <= C kappa eps (Higham, sec. 7.2: the backward error
 * of LU with partial pivoting is a small multiple of eps, times kappa).  C = 10: measured
 * max relerr / (kappa eps) was 0.82 over 3000 Gaussian 20x20 draws, 0.25 over 1000 draws of
 * 30x30 matrices with kappa = 1e4 .. 1e12, and 0.13 for Hilbert n = 2 .. 12. */
#define SOLVE_C 10.0

Test(numerics, solve_is_exact_for_the_identity_and_powers_of_two, .description = "with A = I or a diagonal of powers of two, every step is exact: relerr = 0")
{
    gsl_matrix *I = gsl_matrix_alloc(6, 6), *D = gsl_matrix_calloc(6, 6);
    gsl_vector *x = gsl_vector_alloc(6);
    gsl_matrix_set_identity(I);
    for (size_t i = 0; i < 6; i++)
        gsl_matrix_set(D, i, i, ldexp(1.0, (int)i * 3 - 8)), gsl_vector_set(x, i, 1.0 + 0.25 * (double)i);
    double r = NAN;
    mlphys_require_implemented(numerics_solve_relerr(I, x, &r), "numerics_solve_relerr", 5);
    /* exact arithmetic throughout: relerr must be 0 (or within 1 eps if you rescale) */
    mlphys_assert_close(r, 0.0, DBL_EPSILON, 0, "relerr for A = I");
    r = NAN;
    mlphys_require_implemented(numerics_solve_relerr(D, x, &r), "numerics_solve_relerr", 5);
    mlphys_assert_close(r, 0.0, DBL_EPSILON, 0, "relerr for A = diag(2^-8, 2^-5, ..., 2^7)");
    gsl_matrix_free(I), gsl_matrix_free(D), gsl_vector_free(x);
}

Test(numerics, solve_error_is_below_c_kappa_eps_for_random_matrices, .description = "for ten random 20x20 Gaussian matrices, relerr <= 10 kappa eps")
{
    const size_t n = 20;
    for (int draw = 0; draw < 10; draw++) {
        gsl_matrix *A = gaussian(n, n), *X = gaussian(n, 1);
        gsl_vector_view x = gsl_matrix_column(X, 0);
        double r = NAN, k = gsl_kappa(A);
        mlphys_require_implemented(numerics_solve_relerr(A, &x.vector, &r), "numerics_solve_relerr", 5);
        cr_assert(r >= 0 && r <= SOLVE_C * k * DBL_EPSILON,
                  "draw %d: relerr = %.3g, want <= 10 kappa eps = %.3g (kappa = %.3g). Is relerr = "
                  "|x - x_true|_2 / |x_true|_2 with b = A x_true, and did LU use partial pivoting?",
                  draw, r, SOLVE_C * k * DBL_EPSILON, k);
        gsl_matrix_free(A), gsl_matrix_free(X);
    }
}

Test(numerics, solve_hilbert_loses_log10_kappa_digits, .description = "solving H x = H 1 at n = 4..11 keeps relerr <= 10 kappa eps, and really loses digits (forward error, not residual)")
{
    for (size_t n = 4; n <= 11; n++) {
        gsl_matrix *H = hilbert(n);
        gsl_vector *ones = gsl_vector_alloc(n);
        gsl_vector_set_all(ones, 1.0);
        double r = NAN, k = gsl_kappa(H);
        mlphys_require_implemented(numerics_solve_relerr(H, ones, &r), "numerics_solve_relerr", 5);
        cr_assert(r >= 0 && r <= SOLVE_C * k * DBL_EPSILON, "Hilbert n = %zu: relerr = %.3g, want <= 10 kappa eps "
                  "= %.3g", n, r, SOLVE_C * k * DBL_EPSILON);
        /* At n = 10, kappa eps = 3.6e-3 and LU measures 1.7e-4: some 12 digits are gone.  The
         * residual |H x - b| / |b| would be ~1e-16; 1e-8 is far from both. */
        if (n == 10)
            cr_assert(r >= 1e-8, "Hilbert n = 10: relerr = %.3g is too small to be |x - x_true| / |x_true| "
                      "(kappa = 1.6e13 costs ~12 digits). Did you return the residual |A x - b| / |b|?", r);
        gsl_matrix_free(H), gsl_vector_free(ones);
    }
}

Test(numerics, solve_rejects_bad_input, .description = "GSL_EBADLEN for shapes, GSL_EINVAL for x_true = 0, GSL_EDOM for an exactly singular matrix")
{
    gsl_matrix *R = gsl_matrix_calloc(3, 4), *A = gsl_matrix_alloc(3, 3);
    gsl_vector *x3 = gsl_vector_alloc(3), *x4 = gsl_vector_alloc(4), *z = gsl_vector_calloc(3);
    gsl_matrix_set_identity(A), gsl_vector_set_all(x3, 1.0), gsl_vector_set_all(x4, 1.0);
    double r, s[] = {1, 2, 2, 4}; /* rank 1: LU with pivoting meets the pivot 1 - 0.5 * 2 = 0 exactly */
    gsl_matrix_view S = gsl_matrix_view_array(s, 2, 2);
    gsl_vector_view x2 = gsl_vector_subvector(x3, 0, 2);
    mlphys_require_status(numerics_solve_relerr(R, x4, &r), GSL_EBADLEN, "numerics_solve_relerr", "A must be square");
    mlphys_require_status(numerics_solve_relerr(A, x4, &r), GSL_EBADLEN, "numerics_solve_relerr",
                          "x_true must have n entries");
    mlphys_require_status(numerics_solve_relerr(A, z, &r), GSL_EINVAL, "numerics_solve_relerr",
                          "x_true = 0 has no relative error");
    mlphys_require_status(numerics_solve_relerr(&S.matrix, &x2.vector, &r), GSL_EDOM, "numerics_solve_relerr",
                          "[[1,2],[2,4]] is singular: an exactly zero pivot");
    gsl_matrix_free(R), gsl_matrix_free(A), gsl_vector_free(x3), gsl_vector_free(x4), gsl_vector_free(z);
}
