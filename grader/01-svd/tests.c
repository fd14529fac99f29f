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
#include <string.h>

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

/* ---- NaN-safe measures ----------------------------------------------------------------------
 * A NaN compares false with everything, so a running maximum written as
 * `if (!(e <= worst)) worst = e` lets a later finite entry replace it.  These helpers stop at the
 * first non-finite entry and the tests fail with a message that says so. */

/* Fails the test if m has a NaN or Inf entry: `what` names the matrix, `hint` the likely cause. */
static void require_finite_matrix(const gsl_matrix *m, const char *what, const char *hint)
{
    char msg[256];
    if (!mlphys_matrix_finite_msg(m, msg, sizeof msg))
        cr_assert_fail("%s: %s, but every entry must be finite (NaN/Inf where a number is required). %s",
                       what, msg, hint);
}

static void require_finite_vector(const gsl_vector *v, const char *what, const char *hint)
{
    char msg[256];
    if (!mlphys_vector_finite_msg(v, msg, sizeof msg))
        cr_assert_fail("%s: %s, but every entry must be finite (NaN/Inf where a number is required). %s",
                       what, msg, hint);
}

/* max_ij |(Q^T Q - I)_ij|; INFINITY if any entry of Q is not finite. */
static double orth_error(const gsl_matrix *Q)
{
    char msg[8];
    if (!mlphys_matrix_finite_msg(Q, msg, sizeof msg))
        return INFINITY;
    double worst = 0.0;
    for (size_t a = 0; a < Q->size2; a++)
        for (size_t b = a; b < Q->size2; b++) {
            double dot = 0.0;
            for (size_t i = 0; i < Q->size1; i++)
                dot += gsl_matrix_get(Q, i, a) * gsl_matrix_get(Q, i, b);
            worst = fmax(worst, fabs(dot - (a == b ? 1.0 : 0.0)));
        }
    return worst;
}

/* || U diag(s) V^T - A ||_max / max(1, ||A||_max); INFINITY if anything is not finite. */
static double reconstruction_error(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V,
                                   const gsl_matrix *A)
{
    char msg[8];
    if (!mlphys_matrix_finite_msg(U, msg, sizeof msg) || !mlphys_vector_finite_msg(s, msg, sizeof msg) ||
        !mlphys_matrix_finite_msg(V, msg, sizeof msg))
        return INFINITY;
    gsl_matrix *US = gsl_matrix_alloc(U->size1, U->size2), *R = gsl_matrix_alloc(A->size1, A->size2);
    gsl_matrix_memcpy(US, U);
    for (size_t j = 0; j < s->size; j++) {
        gsl_vector_view c = gsl_matrix_column(US, j);
        gsl_vector_scale(&c.vector, gsl_vector_get(s, j));
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, V, 0.0, R);
    double scale = 1.0, worst = 0.0;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            scale = fmax(scale, fabs(gsl_matrix_get(A, i, j)));
            worst = fmax(worst, fabs(gsl_matrix_get(R, i, j) - gsl_matrix_get(A, i, j)));
        }
    gsl_matrix_free(US), gsl_matrix_free(R);
    return isfinite(worst) ? worst / scale : INFINITY;
}

/* ---- strided views -------------------------------------------------------------------------
 * A gsl_matrix view into a larger matrix has tda (the row stride) > size2: code that indexes
 * data[i * size2 + j] instead of using gsl_matrix_get (or data[i * tda + j]) reads and writes
 * the wrong entries.  A "frame" is a parent matrix filled with a sentinel; the view sits at
 * offset (1, 2), so that any write outside it shows. */
#define SENTINEL 777.0
struct frame { gsl_matrix *parent; gsl_matrix_view view; };
static struct frame frame_alloc(size_t m, size_t n, double fill)
{
    struct frame f;
    f.parent = gsl_matrix_alloc(m + 3, n + 5);
    gsl_matrix_set_all(f.parent, SENTINEL);
    f.view = gsl_matrix_submatrix(f.parent, 1, 2, m, n);
    gsl_matrix_set_all(&f.view.matrix, fill);
    return f;
}
/* Every parent entry outside the view must still be the sentinel. */
static void require_frame_intact(const struct frame *f, const char *what)
{
    size_t m = f->view.matrix.size1, n = f->view.matrix.size2;
    for (size_t i = 0; i < f->parent->size1; i++)
        for (size_t j = 0; j < f->parent->size2; j++) {
            bool inside = i >= 1 && i < 1 + m && j >= 2 && j < 2 + n;
            if (!inside && gsl_matrix_get(f->parent, i, j) != SENTINEL)
                cr_assert_fail("%s is a %zux%zu view into a larger matrix (tda = %zu), and the entry at "
                               "parent[%zu][%zu], outside the view, changed from %g to %g: index with "
                               "gsl_matrix_get/set (or data[i * tda + j]), not data[i * size2 + j]",
                               what, m, n, f->view.matrix.tda, i, j, SENTINEL, gsl_matrix_get(f->parent, i, j));
        }
}
/* A vector with stride 2 inside a sentinel-filled block, pre-filled with `fill`. */
struct vframe { gsl_vector *parent; gsl_vector_view view; };
static struct vframe vframe_alloc(size_t n, double fill)
{
    struct vframe f;
    f.parent = gsl_vector_alloc(2 * n + 1);
    gsl_vector_set_all(f.parent, SENTINEL);
    f.view = gsl_vector_subvector_with_stride(f.parent, 1, 2, n);
    gsl_vector_set_all(&f.view.vector, fill);
    return f;
}
static void require_vframe_intact(const struct vframe *f, const char *what)
{
    for (size_t i = 0; i < f->parent->size; i++)
        if (i % 2 == 0 && gsl_vector_get(f->parent, i) != SENTINEL)
            cr_assert_fail("%s is a vector view with stride 2, and the entry between two of its elements "
                           "(parent[%zu]) changed: index with gsl_vector_get/set, not data[i]", what, i);
}
/* Bit-for-bit equality of two matrices of the same shape: for inputs that must not change. */
static bool same_matrix(const gsl_matrix *a, const gsl_matrix *b, size_t *bi, size_t *bj)
{
    for (size_t i = 0; i < a->size1; i++)
        for (size_t j = 0; j < a->size2; j++)
            if (memcmp(gsl_matrix_const_ptr(a, i, j), gsl_matrix_const_ptr(b, i, j), sizeof(double))) {
                *bi = i, *bj = j;
                return false;
            }
    return true;
}
static void require_unchanged(const gsl_matrix *now, const gsl_matrix *before, const char *what)
{
    size_t i, j;
    if (!same_matrix(now, before, &i, &j))
        cr_assert_fail("%s is a const input and must not change, but entry [%zu][%zu] went from %.17g to %.17g",
                       what, i, j, gsl_matrix_get(before, i, j), gsl_matrix_get(now, i, j));
}

/* Run svd_jacobi on a copy of A, with V and s pre-filled with NaN (every entry must be written). */
struct svd_out { gsl_matrix *U, *V; gsl_vector *s; };
static struct svd_out jacobi_of(const gsl_matrix *A)
{
    struct svd_out o = { gsl_matrix_alloc(A->size1, A->size2), gsl_matrix_alloc(A->size2, A->size2),
                         gsl_vector_alloc(A->size2) };
    gsl_matrix_memcpy(o.U, A);
    gsl_matrix_set_all(o.V, NAN);
    gsl_vector_set_all(o.s, NAN);
    mlphys_require_implemented(svd_jacobi(o.U, o.V, o.s), "svd_jacobi", 1);
    require_finite_vector(o.s, "s from svd_jacobi", "Write every s_j (s was pre-filled with NaN).");
    require_finite_matrix(o.V, "V from svd_jacobi", "Start V as the identity and write all of it (V was pre-filled with NaN).");
    require_finite_matrix(o.U, "U (A after svd_jacobi)", "A column with s_j = 0 must be left as zeros, not divided by s_j.");
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
    double eu = orth_error(o.U), ev = orth_error(o.V);
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

Test(svd, zero_column_gives_a_zero_u_column, .description = "a 7x4 matrix with an exactly zero column: s_min = 0, the matching column of U is zero (not NaN), U S V^T = A")
{
    /* Column 2 is exactly zero, so its norm is exactly 0 and every rotation with it is skipped
     * (gamma = 0): s_3 = 0 and u_3 must be the zero vector, as svd.h promises.  The other three
     * columns are a hand-picked full-rank block: values are checked against GSL. */
    double a[7 * 4] = { 1, 2, 0, -1,   0, 1, 0, 3,   2, -1, 0, 0,   1, 1, 0, 1,
                        -2, 0, 0, 2,   0, 3, 0, -1,  1, -1, 0, 1 };
    gsl_matrix_view A = gsl_matrix_view_array(a, 7, 4);
    struct svd_out o = jacobi_of(&A.matrix); /* fails at once on a NaN in U, s or V */
    gsl_vector *want = gsl_singular_values(&A.matrix);
    mlphys_assert_vector_close(o.s, want, 1e-13 * gsl_vector_get(want, 0), 1e-12, "singular values with a zero column",
                               "A zero column contributes a singular value 0, sorted last.");
    cr_assert(gsl_vector_get(o.s, 3) <= 1e-15 * gsl_vector_get(o.s, 0), "s[3] = %g for a matrix with a zero column "
              "(want 0)", gsl_vector_get(o.s, 3));
    for (size_t i = 0; i < 7; i++)
        if (gsl_vector_get(o.s, 3) == 0.0)
            cr_assert(gsl_matrix_get(o.U, i, 3) == 0.0, "U[%zu][3] = %g, but s_3 = 0: the column of U for a zero "
                      "singular value is left as the zero vector (svd.h)", i, gsl_matrix_get(o.U, i, 3));
    double e = reconstruction_error(o.U, o.s, o.V, &A.matrix);
    cr_assert(e <= 1e-13, "U S V^T misses A by %.3g (relative) for a matrix with a zero column", e);
    cr_assert(orth_error(o.V) <= ORTH_TOL, "V^T V != I (error %.3g) for a matrix with a zero column", orth_error(o.V));
    gsl_vector_free(want), svd_out_free(o);
}

Test(svd, jacobi_works_on_strided_views, .description = "svd_jacobi on views into larger matrices (tda != size2) and a strided s gives the right SVD and writes nothing outside them")
{
    const size_t M = 9, N = 6;
    struct frame fa = frame_alloc(M, N, 0.0), fv = frame_alloc(N, N, NAN);
    struct vframe fs = vframe_alloc(N, NAN);
    gsl_matrix *A = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    gsl_matrix_memcpy(&fa.view.matrix, A);
    gsl_vector *want = gsl_singular_values(A);
    mlphys_require_implemented(svd_jacobi(&fa.view.matrix, &fv.view.matrix, &fs.view.vector), "svd_jacobi", 1);
    require_frame_intact(&fa, "A");
    require_frame_intact(&fv, "V");
    require_vframe_intact(&fs, "s");
    /* same tolerance as values_match_gsl_square */
    mlphys_assert_vector_close(&fs.view.vector, want, 1e-12 * gsl_vector_get(want, 0), 1e-12,
                               "singular values of a 9x6 view (tda = 11)",
                               "Read A with gsl_matrix_get (row stride tda, not size2).");
    double e = reconstruction_error(&fa.view.matrix, &fs.view.vector, &fv.view.matrix, A);
    cr_assert(e <= 1e-12, "U S V^T misses A by %.3g when A, V are views with tda != size2", e);
    gsl_matrix_free(fa.parent), gsl_matrix_free(fv.parent), gsl_vector_free(fs.parent);
    gsl_matrix_free(A), gsl_vector_free(want);
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

/* svd_thin on an M x N matrix given as a const view (tda != size2); U, s, V are views pre-filled
 * with NaN.  Checks values (GSL on A or A^T), orthonormality, reconstruction, A untouched (bit
 * for bit), and no write outside any view. */
static void check_thin(size_t M, size_t N)
{
    const size_t K = M < N ? M : N;
    gsl_matrix *A0 = gsl_matrix_alloc(M, N), *T = gsl_matrix_alloc(M > N ? M : N, K);
    mlphys_fill_gaussian(A0, mlphys_rng(), 1.0);
    if (M >= N)
        gsl_matrix_memcpy(T, A0);
    else
        gsl_matrix_transpose_memcpy(T, A0); /* A and A^T share singular values */
    gsl_vector *want = gsl_singular_values(T);
    struct frame fa = frame_alloc(M, N, 0.0), fu = frame_alloc(M, K, NAN), fv = frame_alloc(N, K, NAN);
    struct vframe fs = vframe_alloc(K, NAN);
    gsl_matrix_memcpy(&fa.view.matrix, A0);
    mlphys_require_implemented(svd_thin(&fa.view.matrix, &fu.view.matrix, &fs.view.vector, &fv.view.matrix), "svd_thin", 2);
    require_unchanged(&fa.view.matrix, A0, M >= N ? "A (tall: copy it into U, then decompose U)" : "A (wide)");
    require_frame_intact(&fa, "A"), require_frame_intact(&fu, "U"), require_frame_intact(&fv, "V");
    require_vframe_intact(&fs, "s");
    require_finite_matrix(&fu.view.matrix, "U from svd_thin", "Write every entry of U (pre-filled with NaN).");
    require_finite_matrix(&fv.view.matrix, "V from svd_thin", "Write every entry of V (pre-filled with NaN).");
    char what[64];
    snprintf(what, sizeof what, "singular values of a %s %zux%zu matrix", M >= N ? "tall" : "wide", M, N);
    mlphys_assert_vector_close(&fs.view.vector, want, 1e-12 * gsl_vector_get(want, 0), 1e-12, what,
                               M >= N ? "Copy A into U and call svd_jacobi(U, V, s)." : "Decompose A^T, then swap U and V.");
    double eu = orth_error(&fu.view.matrix), ev = orth_error(&fv.view.matrix);
    cr_assert(eu <= ORTH_TOL, "U (%zux%zu) does not have orthonormal columns: max |U^T U - I| = %.3g", M, K, eu);
    cr_assert(ev <= ORTH_TOL, "V (%zux%zu) does not have orthonormal columns: max |V^T V - I| = %.3g", N, K, ev);
    double r = reconstruction_error(&fu.view.matrix, &fs.view.vector, &fv.view.matrix, A0);
    cr_assert(r <= 1e-12, "U S V^T misses the %zux%zu A by %.3g%s", M, N, r,
              M >= N ? "" : ": for M < N, U comes from V of A^T");
    gsl_matrix_free(A0), gsl_matrix_free(T), gsl_vector_free(want);
    gsl_matrix_free(fa.parent), gsl_matrix_free(fu.parent), gsl_matrix_free(fv.parent), gsl_vector_free(fs.parent);
}

Test(svd, thin_handles_tall_matrices, .description = "svd_thin on a tall 20x7 view: values, U^T U = V^T V = I, U S V^T = A, and A untouched")
{
    check_thin(20, 7);
}

Test(svd, thin_handles_wide_matrices, .description = "svd_thin on a wide 12x30 view: values, U^T U = V^T V = I, U S V^T = A, and A untouched")
{
    check_thin(12, 30);
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

Test(svd, eigen_route_matches_gsl, .description = "svd_via_eigen (eigenvectors of A^T A) is right on a well-conditioned 40x15 view, and leaves A untouched")
{
    const size_t M = 40, N = 15;
    gsl_matrix *A0 = gsl_matrix_alloc(M, N);
    mlphys_fill_gaussian(A0, mlphys_rng(), 1.0);
    gsl_vector *want = gsl_singular_values(A0);
    struct frame fa = frame_alloc(M, N, 0.0), fu = frame_alloc(M, N, NAN), fv = frame_alloc(N, N, NAN);
    struct vframe fs = vframe_alloc(N, NAN);
    gsl_matrix_memcpy(&fa.view.matrix, A0);
    mlphys_require_implemented(svd_via_eigen(&fa.view.matrix, &fu.view.matrix, &fs.view.vector, &fv.view.matrix),
                               "svd_via_eigen", 3);
    require_unchanged(&fa.view.matrix, A0, "A");
    require_frame_intact(&fa, "A"), require_frame_intact(&fu, "U"), require_frame_intact(&fv, "V");
    require_vframe_intact(&fs, "s");
    /* kappa of a 40x15 Gaussian matrix is ~5, so squaring costs little: 1e-10 is generous. */
    mlphys_assert_vector_close(&fs.view.vector, want, 1e-10 * gsl_vector_get(want, 0), 1e-10, "singular values via A^T A",
                               "s_j = sqrt(eigenvalue_j), eigenvalues sorted descending.");
    double r = reconstruction_error(&fu.view.matrix, &fs.view.vector, &fv.view.matrix, A0);
    cr_assert(r <= 1e-10, "U S V^T misses A by %.3g: is u_j = A v_j / s_j?", r);
    double eu = orth_error(&fu.view.matrix);
    cr_assert(eu <= 1e-10, "max |U^T U - I| = %.3g: is u_j = A v_j / s_j?", eu);
    gsl_matrix_free(A0), gsl_vector_free(want);
    gsl_matrix_free(fa.parent), gsl_matrix_free(fu.parent), gsl_matrix_free(fv.parent), gsl_vector_free(fs.parent);
}

Test(svd, eigen_route_survives_rank_deficiency, .description = "svd_via_eigen on a rank-1 30x20 matrix: s finite and >= 0 (clamp before sqrt), s_0 exact, U has no NaN")
{
    /* A = a b^T with a_i = 1 + i mod 3, b_j = j - 9.5: rank 1, s_0 = |a| |b| and 19 zero singular
     * values.  The eigenvalues of A^T A are then 0 up to round-off, about half of them slightly
     * negative (for this fixed matrix GSL's symmv returns 19 values below 3.4e-11 in size, next
     * to mu_0 = 93100, and 10 of them are < 0):
     * sqrt of a negative number is NaN, and dividing A v_j by s_j = 0 is Inf or NaN. */
    const size_t M = 30, N = 20;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *U = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *s = gsl_vector_alloc(N);
    double na = 0, nb = 0;
    for (size_t i = 0; i < M; i++)
        na += pow(1.0 + (double)(i % 3), 2);
    for (size_t j = 0; j < N; j++)
        nb += pow((double)j - 9.5, 2);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(A, i, j, (1.0 + (double)(i % 3)) * ((double)j - 9.5));
    gsl_matrix_set_all(U, NAN), gsl_matrix_set_all(V, NAN), gsl_vector_set_all(s, NAN);
    mlphys_require_implemented(svd_via_eigen(A, U, s, V), "svd_via_eigen", 3);
    require_finite_vector(s, "s of a rank-1 matrix via A^T A",
                          "Round-off makes some eigenvalues of A^T A slightly negative: s_j = sqrt(max(mu_j, 0)).");
    require_finite_matrix(U, "U of a rank-1 matrix via A^T A",
                          "Where s_j = 0, u_j = A v_j / s_j is 0/0: leave that column of U zero.");
    /* s_0 = |a||b| ~ 5e2: both A^T A and its eigensolver are accurate to ~eps s_0^2 there */
    mlphys_assert_close(gsl_vector_get(s, 0), sqrt(na * nb), 0, 1e-12, "s_0 = |a| |b| of the rank-1 A = a b^T");
    for (size_t j = 1; j < N; j++) {
        double sj = gsl_vector_get(s, j);
        /* the zero singular values come out as sqrt(|mu_j|) <~ sqrt(eps) s_0 ~ 1.5e-8 s_0
         * (measured: 6e-6 / 305 = 2e-8 s_0); 1e-6 s_0 leaves a margin of 50 */
        cr_assert(sj >= 0 && sj <= 1e-6 * gsl_vector_get(s, 0), "s[%zu] = %g for a rank-1 matrix: want 0 "
                  "(up to sqrt(eps) s_0 through A^T A), and never negative", j, sj);
    }
    gsl_matrix_free(A), gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(s);
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
        gsl_matrix_set_all(Ak, NAN); /* every entry must be written, also for k = 0 */
        mlphys_require_implemented(svd_low_rank(U, s, V, k, Ak), "svd_low_rank", 4);
        require_finite_matrix(Ak, "A_k", "Write every entry of A_k (it was pre-filled with NaN); for k = 0 it is zero.");
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

Test(svd, low_rank_of_rank_zero_is_the_zero_matrix, .description = "svd_low_rank with k = 0 writes the zero matrix into an A_k pre-filled with NaN")
{
    /* The empty sum: A_0 = 0 exactly, whatever Ak held before (here NaN). */
    gsl_matrix *U = gsl_matrix_alloc(5, 3), *V = gsl_matrix_alloc(4, 3), *Ak = gsl_matrix_alloc(5, 4);
    gsl_vector *s = gsl_vector_alloc(3);
    gsl_matrix_set_all(U, 0.5), gsl_matrix_set_all(V, 0.5), gsl_vector_set_all(s, 2.0);
    gsl_matrix_set_all(Ak, NAN);
    mlphys_require_implemented(svd_low_rank(U, s, V, 0, Ak), "svd_low_rank", 4);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 4; j++)
            cr_assert(gsl_matrix_get(Ak, i, j) == 0.0, "A_0[%zu][%zu] = %g: the rank-0 approximation is the zero "
                      "matrix; set A_k to zero before (or instead of) returning early for k = 0", i, j,
                      gsl_matrix_get(Ak, i, j));
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_matrix_free(Ak), gsl_vector_free(s);
}

Test(svd, low_rank_works_on_strided_views, .description = "svd_low_rank with U, V, A_k as views (tda != size2) and a strided s: A_3 = sum of 3 outer products, inputs untouched")
{
    /* U (7x4), V (5x4) arbitrary (orthonormality is not needed for the sum itself), s (4): the
     * test adds up s_j u_j v_j^T itself.  Sums of 3 products of O(1) numbers: ~1e-15. */
    const size_t M = 7, N = 5, K = 4, k = 3;
    struct frame fu = frame_alloc(M, K, 0.0), fv = frame_alloc(N, K, 0.0), fk = frame_alloc(M, N, NAN);
    struct vframe fs = vframe_alloc(K, 0.0);
    gsl_matrix *want = gsl_matrix_calloc(M, N), *U0 = gsl_matrix_alloc(M, K), *V0 = gsl_matrix_alloc(N, K);
    mlphys_fill_gaussian(&fu.view.matrix, mlphys_rng(), 1.0);
    mlphys_fill_gaussian(&fv.view.matrix, mlphys_rng(), 1.0);
    for (size_t j = 0; j < K; j++)
        gsl_vector_set(&fs.view.vector, j, 4.0 - (double)j);
    gsl_matrix_memcpy(U0, &fu.view.matrix), gsl_matrix_memcpy(V0, &fv.view.matrix);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            for (size_t r = 0; r < k; r++)
                *gsl_matrix_ptr(want, i, j) += gsl_vector_get(&fs.view.vector, r) * gsl_matrix_get(U0, i, r) *
                                               gsl_matrix_get(V0, j, r);
    mlphys_require_implemented(svd_low_rank(&fu.view.matrix, &fs.view.vector, &fv.view.matrix, k, &fk.view.matrix),
                               "svd_low_rank", 4);
    require_frame_intact(&fu, "U"), require_frame_intact(&fv, "V"), require_frame_intact(&fk, "A_k");
    require_vframe_intact(&fs, "s");
    require_unchanged(&fu.view.matrix, U0, "U"), require_unchanged(&fv.view.matrix, V0, "V");
    mlphys_assert_matrix_close(&fk.view.matrix, want, 1e-13, 1e-13, "A_3 = sum_{j<3} s_j u_j v_j^T on views",
                               "Read U and V with gsl_matrix_get (stride tda), keep the first k columns, weight by s_j.");
    gsl_matrix_free(fu.parent), gsl_matrix_free(fv.parent), gsl_matrix_free(fk.parent), gsl_vector_free(fs.parent);
    gsl_matrix_free(want), gsl_matrix_free(U0), gsl_matrix_free(V0);
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
    gsl_vector_set_all(x, NAN), gsl_matrix_set_all(A, NAN); /* every entry must be written */
    mlphys_require_implemented(spiked_wigner_sample(2.0, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
    require_finite_vector(x, "x", "Write every x_i (x was pre-filled with NaN).");
    require_finite_matrix(A, "A", "Write every A_ij, both triangles and the diagonal (A was pre-filled with NaN).");
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

Test(svd, spiked_lambda_zero_is_pure_noise, .description = "lambda = 0 is allowed: A = W, symmetric, with Wigner variance")
{
    /* lambda = 0 is the null model of the BBP experiment (and the left end of its sweep).
     * Variance check as in noise_has_wigner_variance: relative standard error
     * sqrt(2 / 19900) = 0.010 at n = 200, tolerance 0.06 is 6 sigma. */
    const size_t n = 200;
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    gsl_vector_set_all(x, NAN), gsl_matrix_set_all(A, NAN);
    mlphys_require_implemented(spiked_wigner_sample(0.0, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
    require_finite_matrix(A, "A at lambda = 0", "lambda = 0 is valid: only lambda < 0 or a non-finite lambda is GSL_EINVAL.");
    require_finite_vector(x, "x at lambda = 0", "Draw x even when lambda = 0.");
    mlphys_assert_close(gsl_blas_dnrm2(x), 1.0, 0, 1e-14, "|x| at lambda = 0");
    double off = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            cr_assert(gsl_matrix_get(A, i, j) == gsl_matrix_get(A, j, i), "A[%zu][%zu] != A[%zu][%zu] at lambda = 0",
                      i, j, j, i);
            off += gsl_matrix_get(A, i, j) * gsl_matrix_get(A, i, j);
        }
    mlphys_assert_close(n * off / (n * (n - 1) / 2.0), 1.0, 0.06, 0, "n * mean(A_ij^2) off the diagonal at lambda = 0");
    gsl_vector_free(x), gsl_matrix_free(A);
}

Test(svd, spiked_sample_fills_strided_views, .description = "spiked_wigner_sample into a view A (tda != n) and a strided x: symmetric, |x| = 1, nothing written outside")
{
    const size_t n = 40;
    struct frame fa = frame_alloc(n, n, NAN);
    struct vframe fx = vframe_alloc(n, NAN);
    mlphys_require_implemented(spiked_wigner_sample(1.5, mlphys_rng(), &fx.view.vector, &fa.view.matrix),
                               "spiked_wigner_sample", 5);
    require_frame_intact(&fa, "A");
    require_vframe_intact(&fx, "x");
    require_finite_matrix(&fa.view.matrix, "A (a view)", "Write A with gsl_matrix_set: row i starts at data + i * tda.");
    require_finite_vector(&fx.view.vector, "x (stride 2)", "Write x with gsl_vector_set.");
    mlphys_assert_close(gsl_blas_dnrm2(&fx.view.vector), 1.0, 0, 1e-14, "|x| for a strided x");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            cr_assert(gsl_matrix_get(&fa.view.matrix, i, j) == gsl_matrix_get(&fa.view.matrix, j, i),
                      "A[%zu][%zu] != A[%zu][%zu] in a view with tda = %zu", i, j, j, i, fa.view.matrix.tda);
    gsl_matrix_free(fa.parent), gsl_vector_free(fx.parent);
}

Test(svd, spiked_rejects_bad_arguments, .description = "negative or NaN lambda gives GSL_EINVAL, a non-square A GSL_EBADLEN")
{
    gsl_vector *x = gsl_vector_alloc(5);
    gsl_matrix *A = gsl_matrix_alloc(5, 5), *B = gsl_matrix_alloc(5, 4);
    mlphys_require_status(spiked_wigner_sample(-1.0, mlphys_rng(), x, A), GSL_EINVAL, "spiked_wigner_sample",
                          "lambda must be >= 0");
    mlphys_require_status(spiked_wigner_sample(NAN, mlphys_rng(), x, A), GSL_EINVAL, "spiked_wigner_sample",
                          "lambda = NaN (NaN < 0 is false: test with isfinite)");
    mlphys_require_status(spiked_wigner_sample(1.0, mlphys_rng(), x, B), GSL_EBADLEN, "spiked_wigner_sample",
                          "A must be n x n");
    gsl_vector_free(x), gsl_matrix_free(A), gsl_matrix_free(B);
}
