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
#include <string.h>

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

/* ---- submatrix views with sentinels ------------------------------------------------------
 * Every matrix argument is also tested as a gsl_matrix_submatrix of a larger "parent" matrix:
 * its row stride tda is then larger than its width size2, so code that steps from row i to
 * row i + 1 by size2 instead of tda reads or writes the wrong entries.  The parent has PAD
 * rows and columns on every side of the view (PAD = 9 is more than any register tile, so a
 * tile written past the view's edge stays inside the parent's memory).  Around an input the
 * padding is NaN, so any entry read from outside the view poisons the result; around an output
 * it is -0.0, and the test compares bits: adding anything to -0.0, even +0.0 from a
 * zero-padded edge tile, gives +0.0 in IEEE arithmetic, so every write outside the view shows. */
enum { PAD = 9 };

typedef struct {
    gsl_matrix *parent, *snap; /* the parent, and a copy of it taken by padded_snapshot() */
    gsl_matrix_view view;      /* rows x cols at (PAD, PAD), tda = cols + 2 PAD */
} padded;

static padded padded_alloc(size_t rows, size_t cols, double outside)
{
    padded p;
    p.parent = gsl_matrix_alloc(rows + 2 * PAD, cols + 2 * PAD);
    p.snap = gsl_matrix_alloc(rows + 2 * PAD, cols + 2 * PAD);
    gsl_matrix_set_all(p.parent, outside);
    p.view = gsl_matrix_submatrix(p.parent, PAD, PAD, rows, cols);
    return p;
}

/* A view holding a copy of m, inside a parent padded with `outside`. */
static padded padded_copy(const gsl_matrix *m, double outside)
{
    padded p = padded_alloc(m->size1, m->size2, outside);
    gsl_matrix_memcpy(&p.view.matrix, m);
    return p;
}

static void padded_snapshot(padded *p) { gsl_matrix_memcpy(p->snap, p->parent); }

static void padded_free(padded *p) { gsl_matrix_free(p->parent), gsl_matrix_free(p->snap); }

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every entry of the parent outside the view (or, with whole = true, every entry at all: for a
 * const input) has the bits it had at padded_snapshot(). */
static void assert_padded_intact(const padded *p, bool whole, const char *name, const char *fn)
{
    const size_t r1 = PAD + p->view.matrix.size1, c1 = PAD + p->view.matrix.size2;
    for (size_t i = 0; i < p->parent->size1; i++)
        for (size_t j = 0; j < p->parent->size2; j++) {
            const bool inside = i >= PAD && i < r1 && j >= PAD && j < c1;
            double now = gsl_matrix_get(p->parent, i, j), was = gsl_matrix_get(p->snap, i, j);
            if ((whole || !inside) && !same_bits(now, was)) {
                if (inside)
                    cr_assert_fail("%s changed %s: entry (%zu, %zu) was %.17g, is now %.17g. %s is an "
                                   "input (const): work on a copy", fn, name, i - PAD, j - PAD, was, now, name);
                cr_assert_fail("%s wrote outside the submatrix view %s (%zu x %zu, row stride tda = %zu): the "
                               "entry at row %ld, column %ld relative to the view's corner was %g, is now %g. Row i "
                               "starts at data + i * tda (not i * size2), and an edge tile must be clipped to "
                               "the matrix", fn, name, p->view.matrix.size1, p->view.matrix.size2,
                               p->view.matrix.tda, (long)i - PAD, (long)j - PAD, was, now);
            }
        }
}

/* ---- TODO(1): the naive product ---------------------------------------------------------- */

Test(numerics, naive_hand_worked_2x2, .description = "[[1,2],[3,4]] [[5,6],[7,8]] = [[19,22],[43,50]]")
{
    double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4] = {NAN, NAN, NAN, NAN}, want[] = {19, 22, 43, 50};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), B = gsl_matrix_view_array(b, 2, 2);
    gsl_matrix_view C = gsl_matrix_view_array(c, 2, 2);
    /* C starts as NaN: the product must overwrite it, not add to it */
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
        uint64_t flops = 12345; /* garbage that must be overwritten */
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
        gsl_matrix_set_all(C, NAN); /* garbage that must be overwritten */
        mlphys_require_implemented(numerics_matmul_naive(A, B, C, NULL), "numerics_matmul_naive", 1);
        assert_products_agree(C, want, A, B, "naive product vs gsl_blas_dgemm",
                              "Is it C_ij = sum_k A_ik B_kj with A->tda and B->tda as row strides?");
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(want);
    }
}

/* C = A B on submatrix views: A, B inside NaN padding, C inside -0.0 padding and NaN itself. */
static void check_product_on_views(int blocked, size_t M, size_t K, size_t N)
{
    const char *fn = blocked ? "numerics_matmul_blocked" : "numerics_matmul_naive";
    gsl_matrix *A0 = gaussian(M, K), *B0 = gaussian(K, N), *want = gsl_product(A0, B0);
    padded A = padded_copy(A0, NAN), B = padded_copy(B0, NAN), C = padded_alloc(M, N, -0.0);
    gsl_matrix_set_all(&C.view.matrix, NAN); /* garbage that must be overwritten */
    padded_snapshot(&A), padded_snapshot(&B), padded_snapshot(&C);
    int st = blocked ? numerics_matmul_blocked(&A.view.matrix, &B.view.matrix, &C.view.matrix)
                     : numerics_matmul_naive(&A.view.matrix, &B.view.matrix, &C.view.matrix, NULL);
    mlphys_require_implemented(st, fn, blocked ? 2 : 1);
    assert_padded_intact(&A, true, "A", fn), assert_padded_intact(&B, true, "B", fn);
    assert_padded_intact(&C, false, "C", fn);
    assert_products_agree(&C.view.matrix, want, A0, B0,
                          blocked ? "blocked product of submatrix views" : "naive product of submatrix views",
                          "Row i of a gsl_matrix starts at data + i * tda, not data + i * size2 (a view's tda "
                          "is its parent's width).");
    gsl_matrix_free(A0), gsl_matrix_free(B0), gsl_matrix_free(want);
    padded_free(&A), padded_free(&B), padded_free(&C);
}

Test(numerics, naive_respects_row_stride,
     .description = "the naive product works on submatrix views (tda > size2), leaves A and B alone and writes nothing outside C")
{
    check_product_on_views(0, 13, 11, 9);
    check_product_on_views(0, 1, 7, 5);
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

Test(numerics, blocked_respects_row_stride, .description = "the blocked product works on submatrix views, whose row stride tda exceeds their width, and never writes past the edge of C")
{
    /* 100 x 300 times 300 x 69: more rows than one MC block, a K longer than one KC panel, and
     * partial register tiles at the bottom and right edges (100 and 69 are not multiples of 8,
     * 69 not of 2 or 4).  Then a 1 x 1 product, a single partial tile. */
    check_product_on_views(1, 100, 300, 69);
    check_product_on_views(1, 66, 70, 69);
    check_product_on_views(1, 1, 1, 1);
}

Test(numerics, blocked_rejects_bad_shapes, .description = "the blocked product returns GSL_EBADLEN for mismatched shapes and GSL_EINVAL when C is A")
{
    gsl_matrix *A = gsl_matrix_calloc(3, 4), *B = gsl_matrix_calloc(5, 2), *C = gsl_matrix_calloc(3, 2);
    gsl_matrix *B2 = gsl_matrix_calloc(4, 2), *Cbad = gsl_matrix_calloc(2, 3), *S = gsl_matrix_calloc(3, 3);
    mlphys_require_status(numerics_matmul_blocked(A, B, C), GSL_EBADLEN, "numerics_matmul_blocked",
                          "A is 3x4 and B is 5x2: the inner dimensions disagree");
    mlphys_require_status(numerics_matmul_blocked(A, B2, Cbad), GSL_EBADLEN, "numerics_matmul_blocked",
                          "C must be 3x2 for a 3x4 times 4x2 product");
    mlphys_require_status(numerics_matmul_blocked(S, S, S), GSL_EINVAL, "numerics_matmul_blocked",
                          "C is the same matrix as A and B: writing C would destroy the input");
    gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C);
    gsl_matrix_free(B2), gsl_matrix_free(Cbad), gsl_matrix_free(S);
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

Test(numerics, hilbert_respects_row_stride, .description = "numerics_hilbert fills a 6x6 submatrix view (tda > 6) and nothing around it")
{
    padded H = padded_alloc(6, 6, -0.0);
    gsl_matrix_set_all(&H.view.matrix, NAN);
    padded_snapshot(&H);
    mlphys_require_implemented(numerics_hilbert(&H.view.matrix), "numerics_hilbert", 3);
    assert_padded_intact(&H, false, "H", "numerics_hilbert");
    for (size_t i = 0; i < 6; i++)
        for (size_t j = 0; j < 6; j++) /* one correctly rounded division: one ulp */
            mlphys_assert_close(gsl_matrix_get(&H.view.matrix, i, j), 1.0 / (double)(i + j + 1), 0, DBL_EPSILON,
                                "H[%zu][%zu] of a submatrix view (row i starts at data + i * tda)", i, j);
    padded_free(&H);
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

Test(numerics, cond2_respects_row_stride, .description = "kappa of 5x9 and 9x5 submatrix views (tda > size2) with singular values 4 .. 0.25 is 16, and the views are untouched")
{
    double sig[] = {4, 2, 1, 0.5, 0.25};
    gsl_vector_view sigma = gsl_vector_view_array(sig, 5);
    for (int wide = 0; wide <= 1; wide++) {
        gsl_matrix *A0 = wide ? with_singular_values(5, 9, &sigma.vector, mlphys_rng())
                              : with_singular_values(9, 5, &sigma.vector, mlphys_rng());
        padded A = padded_copy(A0, NAN); /* an entry read from outside the view makes kappa NaN */
        padded_snapshot(&A);
        double k = student_cond2(&A.view.matrix);
        assert_padded_intact(&A, true, "A", "numerics_cond2");
        /* kappa = 16: the SVD gets it to a few eps; 1e-12 is ~100x that */
        mlphys_assert_close(k, 16.0, 0, 1e-12, "kappa of a %s submatrix view (copy it with gsl_matrix_memcpy or "
                            "gsl_matrix_transpose_memcpy, which follow tda; a flat memcpy of M N doubles does not)",
                            wide ? "wide 5x9" : "tall 9x5");
        gsl_matrix_free(A0), padded_free(&A);
    }
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

Test(numerics, solve_error_of_a_rounded_right_hand_side_by_hand,
     .description = "A = [[1, 1], [1, 1 + 2^-52]], x_true = (1, 1/4): b rounds to (5/4, 5/4), x = (5/4, 0), relerr = |(1/4, -1/4)| / |(1, 1/4)| = 0.3430")
{
    /* Worked by hand, every step exact except one rounding.  (1 + 2^-52)/4 = 1/4 + 2^-54 is a
     * double, but b_1 = 1 + 1/4 + 2^-54 is not: it rounds to 5/4, the same as b_0, in any order of
     * summation and with or without a fused multiply-add.  LU (with or without the row swap,
     * the pivots tie) gives u_11 = +-2^-52 exactly, the second component of the forward
     * substitution is exactly 0, so x = (5/4, 0).  x - x_true = (1/4, -1/4):
     *   relerr = sqrt(2)/4 / sqrt(17/16) = sqrt(2/17) = 0.342997...
     * The max-norm would give 0.25, dividing by |x| instead of |x_true| 0.2828: a relative
     * tolerance of 1e-13 (a few roundings in two norms and a division) separates them. */
    double a[] = {1, 1, 1, 1 + DBL_EPSILON}, xt[] = {1, 0.25};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2);
    gsl_vector_view x = gsl_vector_view_array(xt, 2);
    double r = NAN;
    mlphys_require_implemented(numerics_solve_relerr(&A.matrix, &x.vector, &r), "numerics_solve_relerr", 5);
    mlphys_assert_close(r, sqrt(2.0 / 17.0), 0, 1e-13,
                        "relerr for A = [[1, 1], [1, 1 + 2^-52]], x_true = (1, 0.25) (want |x - x_true|_2 / "
                        "|x_true|_2 = sqrt(2/17): the 2-norm, not the max-norm (0.25), and divided by the true "
                        "x, not the computed one (0.2828))");
    cr_assert(a[0] == 1 && a[1] == 1 && a[2] == 1 && a[3] == 1 + DBL_EPSILON && xt[0] == 1 && xt[1] == 0.25,
              "numerics_solve_relerr changed its inputs: LU-factor a copy of A and leave x_true alone");
}

Test(numerics, solve_respects_row_stride_and_leaves_inputs_alone,
     .description = "a 20x20 submatrix view A and a strided x_true: relerr <= 10 kappa eps, and neither input changes")
{
    const size_t n = 20;
    gsl_matrix *A0 = gaussian(n, n), *X = gsl_matrix_alloc(n, 3);
    gsl_matrix_set_all(X, NAN); /* x_true is column 1 of X: stride 3, NaN on both sides */
    gsl_vector_view x = gsl_matrix_column(X, 1);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(&x.vector, i, gsl_ran_gaussian(mlphys_rng(), 1.0));
    gsl_matrix *Xkeep = gsl_matrix_alloc(n, 3);
    gsl_matrix_memcpy(Xkeep, X);
    padded A = padded_copy(A0, NAN);
    padded_snapshot(&A);
    double r = NAN, k = gsl_kappa(A0);
    mlphys_require_implemented(numerics_solve_relerr(&A.view.matrix, &x.vector, &r), "numerics_solve_relerr", 5);
    assert_padded_intact(&A, true, "A", "numerics_solve_relerr");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 3; j++)
            cr_assert(same_bits(gsl_matrix_get(X, i, j), gsl_matrix_get(Xkeep, i, j)),
                      "numerics_solve_relerr changed entry %zu of the memory around or in x_true (a vector "
                      "with stride 3): x_true is const; use gsl_vector_get or the stride", i);
    /* the same bound as for the random matrices below (SOLVE_C = 10, measured <= 0.82) */
    cr_assert(r >= 0 && r <= 10 * k * DBL_EPSILON,
              "relerr = %.3g for a 20x20 submatrix view, want <= 10 kappa eps = %.3g: copy A with "
              "gsl_matrix_memcpy (it follows tda) and read x_true with its stride", r, 10 * k * DBL_EPSILON);
    gsl_matrix_free(A0), gsl_matrix_free(X), gsl_matrix_free(Xkeep), padded_free(&A);
}

Test(numerics, solve_rejects_bad_input, .description = "GSL_EBADLEN for shapes, GSL_EINVAL for x_true = 0, GSL_EDOM for an exactly singular matrix")
{
    gsl_matrix *R = gsl_matrix_calloc(3, 4), *A = gsl_matrix_alloc(3, 3);
    gsl_vector *x3 = gsl_vector_alloc(3), *x4 = gsl_vector_alloc(4), *z = gsl_vector_calloc(3);
    gsl_matrix_set_identity(A), gsl_vector_set_all(x3, 1.0), gsl_vector_set_all(x4, 1.0);
    double r = 42, s[] = {1, 2, 2, 4}; /* rank 1: LU with pivoting meets the pivot 1 - 0.5 * 2 = 0 exactly */
    gsl_matrix_view S = gsl_matrix_view_array(s, 2, 2);
    gsl_vector_view x2 = gsl_vector_subvector(x3, 0, 2);
    mlphys_require_status(numerics_solve_relerr(R, x4, &r), GSL_EBADLEN, "numerics_solve_relerr", "A must be square");
    mlphys_require_status(numerics_solve_relerr(A, x4, &r), GSL_EBADLEN, "numerics_solve_relerr",
                          "x_true must have n entries");
    mlphys_require_status(numerics_solve_relerr(A, z, &r), GSL_EINVAL, "numerics_solve_relerr",
                          "x_true = 0 has no relative error");
    mlphys_require_status(numerics_solve_relerr(&S.matrix, &x2.vector, &r), GSL_EDOM, "numerics_solve_relerr",
                          "[[1,2],[2,4]] is singular: an exactly zero pivot");
    cr_expect(r == 42, "relerr was written (%g) although every call was rejected", r);
    gsl_matrix_free(R), gsl_matrix_free(A), gsl_vector_free(x3), gsl_vector_free(x4), gsl_vector_free(z);
}
