/*
 * Chapter 04 tests: least squares against NIST's certified Longley coefficients, GSL's own
 * solvers (QR, SVD, multifit), hand-worked cases, invariants (orthogonality, exact
 * interpolation), the GLS values of the statsmodels Longley example, and exact random-matrix formulas for the risk
 * of the minimum-norm estimator.  Nothing here is compared with numbers produced by the
 * reference solution.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlphys_test.h"
#include "least_squares.h"
#include "mlphys_data.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multifit.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MLPHYS_SUITE(least_squares, 10);

/* ---- helpers --------------------------------------------------------------------------- */

/* Outputs are allocated filled with NaN: a function that leaves an entry unwritten (an early
 * return, a loop that stops one short) then fails visibly instead of passing on whatever
 * malloc happened to return. */
static gsl_vector *nan_vector(size_t n)
{
    gsl_vector *v = gsl_vector_alloc(n);
    gsl_vector_set_all(v, NAN);
    return v;
}

static gsl_matrix *nan_matrix(size_t n, size_t p)
{
    gsl_matrix *m = gsl_matrix_alloc(n, p);
    gsl_matrix_set_all(m, NAN);
    return m;
}

/* ---- submatrix views with sentinels ------------------------------------------------------
 * Every matrix argument is also tested as a gsl_matrix_submatrix of a larger "parent" matrix:
 * its row stride tda is then larger than its width size2, so code that steps from row i to
 * row i + 1 by size2 instead of tda reads or writes the wrong entries.  The parent has PAD
 * rows and columns on every side of the view.  Around an input the padding is NaN, so any
 * entry read from outside the view poisons the result; around an output it is -0.0, and the
 * test compares bits (any arithmetic write, even adding +0.0, turns -0.0 into +0.0). */
enum { PAD = 3 };

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
    gsl_matrix_memcpy(p.snap, p.parent);
    return p;
}

/* A view holding a copy of m, inside a parent padded with `outside`; snapshot taken. */
static padded padded_copy(const gsl_matrix *m, double outside)
{
    padded p = padded_alloc(m->size1, m->size2, outside);
    gsl_matrix_memcpy(&p.view.matrix, m);
    gsl_matrix_memcpy(p.snap, p.parent);
    return p;
}

static void padded_free(padded *p) { gsl_matrix_free(p->parent), gsl_matrix_free(p->snap); }

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every entry of the parent outside the view (whole = true: every entry, for a const input)
 * still has the bits it had when the view was made. */
static void assert_padded_intact(const padded *p, bool whole, const char *name, const char *fn)
{
    const size_t r1 = PAD + p->view.matrix.size1, c1 = PAD + p->view.matrix.size2;
    for (size_t i = 0; i < p->parent->size1; i++)
        for (size_t j = 0; j < p->parent->size2; j++) {
            const bool inside = i >= PAD && i < r1 && j >= PAD && j < c1;
            double now = gsl_matrix_get(p->parent, i, j), was = gsl_matrix_get(p->snap, i, j);
            if ((whole || !inside) && !same_bits(now, was)) {
                if (inside)
                    cr_assert_fail("%s changed its input %s: entry (%zu, %zu) was %.17g, is now %.17g. %s is "
                                   "const: work on a copy", fn, name, i - PAD, j - PAD, was, now, name);
                cr_assert_fail("%s wrote outside the submatrix view %s (%zu x %zu, row stride tda = %zu): the "
                               "entry at row %ld, column %ld relative to the view's corner was %g, is now %g. "
                               "Row i starts at data + i * tda, not i * size2: use gsl_matrix_get/ptr",
                               fn, name, p->view.matrix.size1, p->view.matrix.size2, p->view.matrix.tda,
                               (long)i - PAD, (long)j - PAD, was, now);
            }
        }
}

/* y unchanged, bit for bit (a const input). */
static void assert_vector_unchanged(const gsl_vector *v, const gsl_vector *keep, const char *name, const char *fn)
{
    for (size_t i = 0; i < v->size; i++)
        cr_assert(same_bits(gsl_vector_get(v, i), gsl_vector_get(keep, i)),
                  "%s changed its input %s: entry %zu was %.17g, is now %.17g (it is const: work on a copy)",
                  fn, name, i, gsl_vector_get(keep, i), gsl_vector_get(v, i));
}

/* NIST StRD "Longley", certified values (data/README.md): intercept, then the six columns of
 * data/longley.csv in file order. */
static const double NIST_BETA[7] = {-3482258.63459582, 15.0618722713733, -0.358191792925910E-01,
                                    -2.02022980381683, -1.03322686717359, -0.511041056535807E-01,
                                    1829.15146461355};
static const char *const NAMES[7] = {"intercept", "gnp_deflator", "gnp", "unemployed",
                                     "armed_forces", "population", "year"};

/* Longley read with the support library, not with ls_data_read: the solver tests must not
 * depend on TODO(1).  X = [1, the six regressors], y = employed (the last column). */
static ls_data *longley(void)
{
    gsl_matrix *M = NULL;
    char err[512] = "";
    int st = mlphys_read_matrix(mlphys_data_path("longley.csv"), 1, &M, err, sizeof err);
    cr_assert(st == GSL_SUCCESS && M && M->size1 == 16 && M->size2 == 7,
              "the test could not read data/longley.csv: %s", err);
    ls_data *d = malloc(sizeof *d);
    d->X = nan_matrix(16, 7), d->y = nan_vector(16);
    for (size_t i = 0; i < 16; i++) {
        gsl_matrix_set(d->X, i, 0, 1.0);
        for (size_t j = 0; j < 6; j++)
            gsl_matrix_set(d->X, i, j + 1, gsl_matrix_get(M, i, j));
        gsl_vector_set(d->y, i, gsl_matrix_get(M, i, 6));
    }
    gsl_matrix_free(M);
    return d;
}

static void longley_free(ls_data *d)
{
    gsl_matrix_free(d->X), gsl_vector_free(d->y), free(d);
}

/* Worst relative error of beta against the certified Longley coefficients; *worst = index. */
static double nist_error(const gsl_vector *beta, size_t *worst)
{
    double e = 0.0;
    *worst = 0;
    for (size_t j = 0; j < 7; j++) {
        double r = fabs(gsl_vector_get(beta, j) - NIST_BETA[j]) / fabs(NIST_BETA[j]);
        if (!isfinite(r)) { /* NaN or Inf: the worst possible, and no later entry may hide it */
            *worst = j;
            return INFINITY;
        }
        if (r > e) {
            e = r;
            *worst = j;
        }
    }
    return e;
}

static gsl_matrix *gaussian_matrix(size_t n, size_t p)
{
    gsl_matrix *X = nan_matrix(n, p);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    return X;
}

static gsl_vector *gaussian_vector(size_t n)
{
    gsl_vector *v = nan_vector(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, gsl_ran_gaussian(mlphys_rng(), 1.0));
    return v;
}

/* S_ij = rho^|i - j|: the covariance of a stationary AR(1) process with unit variance. */
static gsl_matrix *ar1_covariance(size_t n, double rho)
{
    gsl_matrix *S = nan_matrix(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(S, i, j, pow(rho, (double)(i > j ? i - j : j - i)));
    return S;
}

/* Thin SVD of any X (n, p) with GSL (Golub-Kahan), and the spectral filter
 * beta = V diag(f(s)) U^T y with f(s) = s / (s^2 + lambda) (lambda = 0: the pseudo-inverse). */
static gsl_vector *svd_filter_solution(const gsl_matrix *X, const gsl_vector *y, double lambda,
                                       double *smin)
{
    const size_t n = X->size1, p = X->size2, k = n < p ? n : p;
    /* GSL's SVD needs a tall matrix: decompose X (n >= p) or X^T (n < p) = A = U S V^T. */
    gsl_matrix *A = nan_matrix(n >= p ? n : p, k), *V = nan_matrix(k, k);
    gsl_vector *s = nan_vector(k), *work = nan_vector(k), *c = nan_vector(k);
    gsl_vector *beta = nan_vector(p);
    if (n >= p)
        gsl_matrix_memcpy(A, X);
    else
        gsl_matrix_transpose_memcpy(A, X);
    gsl_linalg_SV_decomp(A, V, s, work);
    /* X = Ul S Vr^T with (Ul, Vr) = (A, V) if tall, (V, A) if wide. */
    const gsl_matrix *Ul = n >= p ? A : V, *Vr = n >= p ? V : A;
    gsl_blas_dgemv(CblasTrans, 1.0, Ul, y, 0.0, c);
    for (size_t j = 0; j < k; j++) {
        double sj = gsl_vector_get(s, j);
        gsl_vector_set(c, j, gsl_vector_get(c, j) * sj / (sj * sj + lambda));
    }
    gsl_blas_dgemv(CblasNoTrans, 1.0, Vr, c, 0.0, beta);
    if (smin)
        *smin = gsl_vector_get(s, k - 1);
    gsl_matrix_free(A), gsl_matrix_free(V), gsl_vector_free(s), gsl_vector_free(work), gsl_vector_free(c);
    return beta;
}

/* |a - b| / |b| in the Euclidean norm. */
static double rel_dist(const gsl_vector *a, const gsl_vector *b)
{
    double d = 0.0;
    for (size_t i = 0; i < a->size; i++) {
        double t = gsl_vector_get(a, i) - gsl_vector_get(b, i);
        d += t * t;
    }
    return sqrt(d) / gsl_blas_dnrm2(b);
}

/* ---- TODO(1): reading the data --------------------------------------------------------- */

Test(least_squares, longley_loads_as_intercept_plus_six_columns,
     .description = "data/longley.csv becomes X (16 x 7: ones, then the six regressors) and y = employed")
{
    ls_data *d = NULL;
    char err[512] = "";
    mlphys_require_implemented(ls_data_read(mlphys_data_path("longley.csv"), "employed", &d, err, sizeof err),
                               "ls_data_read", 1);
    cr_assert(d && d->X && d->y, "ls_data_read returned GSL_SUCCESS but no data (%s)", err);
    cr_assert(d->X->size1 == 16 && d->X->size2 == 7 && d->y->size == 16,
              "Longley should give X 16 x 7 and y 16, got X %zu x %zu and y %zu", d->X->size1,
              d->X->size2, d->y->size);
    for (size_t i = 0; i < 16; i++)
        cr_assert(gsl_matrix_get(d->X, i, 0) == 1.0, "X[%zu][0] = %g: column 0 must be the intercept (ones)",
                  i, gsl_matrix_get(d->X, i, 0));
    /* The first and last rows of the file, read by eye. */
    const double row0[7] = {1, 83, 234289, 2356, 1590, 107608, 1947};
    const double row15[7] = {1, 116.9, 554894, 4007, 2827, 130081, 1962};
    for (size_t j = 0; j < 7; j++) {
        mlphys_assert_close(gsl_matrix_get(d->X, 0, j), row0[j], 0, 1e-15,
                            "X[0][%zu] (%s, first data line)", j, NAMES[j]);
        mlphys_assert_close(gsl_matrix_get(d->X, 15, j), row15[j], 0, 1e-15,
                            "X[15][%zu] (%s, last data line)", j, NAMES[j]);
    }
    mlphys_assert_close(gsl_vector_get(d->y, 0), 60323, 0, 1e-15, "y[0] (employed is the last column)");
    mlphys_assert_close(gsl_vector_get(d->y, 15), 70551, 0, 1e-15, "y[15]");
    ls_data_free(d);
    ls_data_free(NULL); /* must be a no-op */
}

/* Write text to a fresh file in /tmp; the name goes into path. */
static void write_temp(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/mlphys04_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "the test could not create a temporary file in /tmp");
    size_t n = strlen(text);
    cr_assert(write(fd, text, n) == (ssize_t)n, "the test could not write %s", path);
    close(fd);
}

static void expect_error(const char *text, int want, int line, const char *what)
{
    char path[64], err[512] = "", where[96];
    write_temp(path, sizeof path, text);
    static ls_data sentinel;
    ls_data *d = &sentinel; /* a non-NULL value that must be overwritten with NULL */
    int st = ls_data_read(path, "y", &d, err, sizeof err);
    unlink(path);
    if (st == GSL_EUNIMPL)
        mlphys_require_implemented(st, "ls_data_read", 1);
    cr_assert(st == want, "%s: ls_data_read returned %d (%s), want %d (%s). Return the status of "
              "mlphys_table_read / mlphys_table_to_matrix as it is", what, st, gsl_strerror(st), want,
              gsl_strerror(want));
    cr_assert(d == NULL, "%s: *out must be NULL after an error", what);
    snprintf(where, sizeof where, "%s:%d", path, line);
    cr_assert(strstr(err, where) != NULL, "%s: the message \"%s\" should name the file and line as \"%s\"",
              what, err, where);
}

Test(least_squares, malformed_files_report_file_and_line,
     .description = "a cell that is not a number, a short row, or a missing file give an error naming file and line")
{
    expect_error("x1,x2,y\n1,2,3\n4,5,6\n7,oops,9\n", GSL_EINVAL, 4, "a non-number on line 4");
    expect_error("x1,x2,y\n1,2,3\n4,5\n7,8,9\n", GSL_EBADLEN, 3, "a row with 2 fields on line 3");
}

Test(least_squares, missing_file_and_unknown_column_are_errors,
     .description = "a missing file gives GSL_EFAILED naming it; an unknown target column gives GSL_EINVAL")
{
    char err[512] = "";
    ls_data *d = NULL;
    const char *path = "/tmp/mlphys04_this_file_does_not_exist.csv";
    int st = ls_data_read(path, "employed", &d, err, sizeof err);
    if (st == GSL_EUNIMPL)
        mlphys_require_implemented(st, "ls_data_read", 1);
    mlphys_require_status(st, GSL_EFAILED, "ls_data_read", "a file that cannot be opened");
    cr_assert(d == NULL && strstr(err, path), "the message \"%s\" should name the missing file", err);
    st = ls_data_read(mlphys_data_path("longley.csv"), "unemployment", &d, err, sizeof err);
    mlphys_require_status(st, GSL_EINVAL, "ls_data_read", "there is no column 'unemployment' in longley.csv");
    cr_assert(d == NULL && strstr(err, "longley.csv") && strstr(err, "unemployment"),
              "the message \"%s\" should name the file and the missing column", err);
}

Test(least_squares, target_column_can_be_anywhere,
     .description = "with target \"gnp\" (column 2 of 7) y is the gnp column and X = [1, the six other columns in file order]")
{
    ls_data *d = NULL;
    char err[512] = "";
    mlphys_require_implemented(ls_data_read(mlphys_data_path("longley.csv"), "gnp", &d, err, sizeof err),
                               "ls_data_read", 1);
    cr_assert(d && d->X && d->y && d->X->size1 == 16 && d->X->size2 == 7 && d->y->size == 16,
              "Longley with target gnp should give X 16 x 7 and y 16 (%s)", err);
    /* The first data line, read by eye: 83, 234289, 2356, 1590, 107608, 1947, 60323. */
    const double x0[7] = {1, 83, 2356, 1590, 107608, 1947, 60323};
    for (size_t j = 0; j < 7; j++)
        mlphys_assert_close(gsl_matrix_get(d->X, 0, j), x0[j], 0, 1e-15,
                            "X[0][%zu] with target gnp: X is the intercept, then every column except gnp, in "
                            "file order (employed, the last column, becomes an ordinary regressor)", j);
    mlphys_assert_close(gsl_vector_get(d->y, 0), 234289, 0, 1e-15,
                        "y[0] with target gnp (look the target up by name: it is not always the last column)");
    mlphys_assert_close(gsl_vector_get(d->y, 15), 554894, 0, 1e-15, "y[15] with target gnp");
    ls_data_free(d);

    /* A target in the first column of a small file. */
    char path[64];
    write_temp(path, sizeof path, "y,a,b\n1,2,3\n4,5,6\n");
    d = NULL;
    int st = ls_data_read(path, "y", &d, err, sizeof err);
    unlink(path);
    mlphys_require_implemented(st, "ls_data_read", 1);
    cr_assert(d && d->X->size1 == 2 && d->X->size2 == 3 && d->y->size == 2,
              "\"y,a,b\" with two rows should give X 2 x 3 and y 2");
    const double X[2][3] = {{1, 2, 3}, {1, 5, 6}}, y[2] = {1, 4};
    for (size_t i = 0; i < 2; i++) {
        mlphys_assert_close(gsl_vector_get(d->y, i), y[i], 0, 0, "y[%zu] when the target is the first column", i);
        for (size_t j = 0; j < 3; j++)
            mlphys_assert_close(gsl_matrix_get(d->X, i, j), X[i][j], 0, 0,
                                "X[%zu][%zu] when the target is the first column", i, j);
    }
    ls_data_free(d);
}

/* ---- TODO(2): Householder QR ------------------------------------------------------------- */

Test(least_squares, qr_of_a_3_4_column_by_hand,
     .description = "the reflection of (3, 4) gives |R_00| = 5 and maps (3, 4) onto (R_00, 0)")
{
    double a[] = {3, 4};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 1);
    gsl_vector *tau = nan_vector(1);
    mlphys_require_implemented(ls_qr_decomp(&A.matrix, tau), "ls_qr_decomp", 2);
    double r = a[0], v1 = a[1], t = gsl_vector_get(tau, 0);
    mlphys_assert_close(fabs(r), 5.0, 0, 1e-15, "|R_00| of the column (3, 4) (the norm is preserved)");
    /* H = I - t v v^T with v = (1, v1) must send (3, 4) to (r, 0). */
    double h0 = 3 - t * (3 + v1 * 4), h1 = 4 - t * v1 * (3 + v1 * 4);
    mlphys_assert_close(h0, r, 1e-14, 0, "component 0 of H (3, 4) with H = I - tau v v^T, v = (1, A[1][0]) "
                        "(tau = %g, v1 = %g)", t, v1);
    mlphys_assert_close(h1, 0.0, 1e-14, 0, "component 1 of H (3, 4): the reflection must zero it (tau = %g, "
                        "v1 = %g; is v normalised so that v_0 = 1?)", t, v1);
    /* LAPACK's choice, R_00 = -sign(x_0) |x| = -5, avoids cancellation in x_0 - R_00. */
    cr_expect(r < 0, "R_00 = %g: choose R_00 = -sign(x_0) |x| so that x_0 - R_00 does not cancel", r);

    /* A column that is already zero below the diagonal needs no reflection. */
    double b[] = {2, 0, 0};
    gsl_matrix_view B = gsl_matrix_view_array(b, 3, 1);
    mlphys_require_implemented(ls_qr_decomp(&B.matrix, tau), "ls_qr_decomp", 2);
    cr_expect(gsl_vector_get(tau, 0) == 0.0 && b[0] == 2.0,
              "the column (2, 0, 0) is already triangular: want tau = 0 and R_00 = 2, got tau = %g, R_00 = %g",
              gsl_vector_get(tau, 0), b[0]);
    gsl_vector_free(tau);
}

Test(least_squares, qr_unpacks_to_orthogonal_q_and_triangular_r,
     .description = "GSL's gsl_linalg_QR_unpack turns your compact QR into Q^T Q = I and Q R = X")
{
    const size_t n = 14, p = 6;
    gsl_matrix *X = gaussian_matrix(n, p), *A = nan_matrix(n, p);
    gsl_matrix *Q = nan_matrix(n, n), *R = nan_matrix(n, p), *QR = nan_matrix(n, p);
    gsl_vector *tau = nan_vector(p);
    gsl_matrix_memcpy(A, X);
    mlphys_require_implemented(ls_qr_decomp(A, tau), "ls_qr_decomp", 2);
    gsl_linalg_QR_unpack(A, tau, Q, R);
    /* Householder QR is backward stable: errors are a few eps times |X|; 1e-13 is ~100x the
     * round-off of GSL's own QR at this size. */
    double eq = mlphys_orthonormality_error(Q);
    cr_expect(eq <= 1e-13, "max |Q^T Q - I| = %.3g: is tau_j = 2 / (v_j^T v_j) with v_j[j] = 1?", eq);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Q, R, 0.0, QR);
    mlphys_assert_matrix_close(QR, X, 1e-13, 1e-13, "Q R vs X (Q, R unpacked from your A and tau by GSL)",
                               "Store v_j below the diagonal scaled so that v_j[j] = 1, and R on and above it.");
    gsl_matrix_free(X), gsl_matrix_free(A), gsl_matrix_free(Q), gsl_matrix_free(R), gsl_matrix_free(QR);
    gsl_vector_free(tau);
}

Test(least_squares, qr_r_matches_gsl_up_to_row_signs,
     .description = "your R equals the R of gsl_linalg_QR_decomp, row by row up to a sign")
{
    const size_t n = 20, p = 8;
    gsl_matrix *X = gaussian_matrix(n, p), *A = nan_matrix(n, p), *G = nan_matrix(n, p);
    gsl_vector *tau = nan_vector(p), *tg = nan_vector(p);
    gsl_matrix_memcpy(A, X), gsl_matrix_memcpy(G, X);
    mlphys_require_implemented(ls_qr_decomp(A, tau), "ls_qr_decomp", 2);
    gsl_linalg_QR_decomp(G, tg);
    /* R is unique up to the sign of each row for full-rank X; round-off ~ eps kappa |X|. */
    for (size_t i = 0; i < p; i++) {
        double sg = (gsl_matrix_get(A, i, i) >= 0) == (gsl_matrix_get(G, i, i) >= 0) ? 1.0 : -1.0;
        for (size_t j = i; j < p; j++)
            mlphys_assert_close(sg * gsl_matrix_get(A, i, j), gsl_matrix_get(G, i, j), 1e-12, 1e-12,
                                "R[%zu][%zu] (GSL's R, with row %zu's sign matched)", i, j, i);
    }
    gsl_matrix_free(X), gsl_matrix_free(A), gsl_matrix_free(G), gsl_vector_free(tau), gsl_vector_free(tg);
}

Test(least_squares, qr_respects_row_stride,
     .description = "ls_qr_decomp on a 12 x 5 submatrix view (tda > 5): Q R = X, and nothing around the view changes")
{
    const size_t n = 12, p = 5;
    gsl_matrix *X = gaussian_matrix(n, p), *Q = gsl_matrix_alloc(n, n), *R = gsl_matrix_alloc(n, p);
    gsl_matrix *QR = gsl_matrix_alloc(n, p), *Af = gsl_matrix_alloc(n, p);
    gsl_vector *tau = nan_vector(p);
    padded A = padded_copy(X, -0.0);
    mlphys_require_implemented(ls_qr_decomp(&A.view.matrix, tau), "ls_qr_decomp", 2);
    assert_padded_intact(&A, false, "A", "ls_qr_decomp");
    gsl_matrix_memcpy(Af, &A.view.matrix);
    gsl_linalg_QR_unpack(Af, tau, Q, R);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Q, R, 0.0, QR);
    /* the same 1e-13 as for a plain matrix (backward stable, ~100x GSL's own round-off) */
    mlphys_assert_matrix_close(QR, X, 1e-13, 1e-13, "Q R vs X for a submatrix view",
                               "Step between rows with tda (gsl_matrix_get/ptr do), not with size2.");
    gsl_matrix_free(X), gsl_matrix_free(Q), gsl_matrix_free(R), gsl_matrix_free(QR), gsl_matrix_free(Af);
    gsl_vector_free(tau), padded_free(&A);
}

Test(least_squares, qr_rejects_wide_matrices, .description = "ls_qr_decomp returns GSL_EBADLEN when n < p or tau has the wrong length")
{
    gsl_matrix *A = gsl_matrix_calloc(3, 5), *B = gsl_matrix_calloc(5, 3);
    gsl_vector *t5 = nan_vector(5), *t4 = nan_vector(4);
    mlphys_require_status(ls_qr_decomp(A, t5), GSL_EBADLEN, "ls_qr_decomp", "A is 3 x 5: QR needs n >= p");
    mlphys_require_status(ls_qr_decomp(B, t4), GSL_EBADLEN, "ls_qr_decomp", "tau must have p = 3 entries");
    gsl_matrix_free(A), gsl_matrix_free(B), gsl_vector_free(t5), gsl_vector_free(t4);
}

/* ---- TODO(3): ordinary least squares ------------------------------------------------------ */

Test(least_squares, qr_solution_matches_nist_longley,
     .description = "least squares by QR reproduces every NIST certified Longley coefficient to 1e-9 relative")
{
    ls_data *d = longley();
    gsl_vector *beta = nan_vector(7);
    mlphys_require_implemented(ls_lstsq_qr(d->X, d->y, beta), "ls_lstsq_qr", 3);
    /* The course's bar.  A backward-stable solver reaches ~eps * kappa_scaled = 1e-16 * 4e4
     * (measured: 2e-13 worst, for the gnp_deflator coefficient), so 1e-9 has a wide margin. */
    for (size_t j = 0; j < 7; j++)
        mlphys_assert_close(gsl_vector_get(beta, j), NIST_BETA[j], 0, 1e-9,
                            "beta[%zu] (%s) vs the NIST certified value", j, NAMES[j]);
    longley_free(d), gsl_vector_free(beta);
}

Test(least_squares, qr_solution_matches_gsl_and_residual_is_orthogonal,
     .description = "on a random 40 x 9 problem, beta agrees with gsl_linalg_QR_lssolve and X^T (y - X beta) = 0")
{
    const size_t n = 40, p = 9;
    gsl_matrix *X = gaussian_matrix(n, p), *G = nan_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *beta = nan_vector(p), *want = nan_vector(p);
    gsl_vector *tau = nan_vector(p), *res = nan_vector(n), *g = nan_vector(p);
    gsl_matrix *Xk = nan_matrix(n, p);
    gsl_vector *yk = nan_vector(n);
    gsl_matrix_memcpy(Xk, X), gsl_vector_memcpy(yk, y);
    mlphys_require_implemented(ls_lstsq_qr(X, y, beta), "ls_lstsq_qr", 3);
    cr_assert(mlphys_matrix_rel_error(X, Xk) == 0.0 && rel_dist(y, yk) == 0.0,
              "ls_lstsq_qr must not modify X or y (work on copies)");
    gsl_matrix_memcpy(G, X);
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_lssolve(G, tau, y, want, res);
    /* kappa of a 40 x 9 Gaussian matrix is ~3: both solutions agree to a few eps. */
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "beta vs gsl_linalg_QR_lssolve",
                               "Apply Q^T to y with the same reflections, then back-substitute R beta = (Q^T y)[0:p].");
    /* The least-squares residual is orthogonal to every column (the normal equations hold). */
    gsl_vector_memcpy(res, y);
    gsl_blas_dgemv(CblasNoTrans, -1.0, X, beta, 1.0, res);
    gsl_blas_dgemv(CblasTrans, 1.0, X, res, 0.0, g);
    double worst = gsl_vector_max(g) > -gsl_vector_min(g) ? gsl_vector_max(g) : -gsl_vector_min(g);
    cr_expect(worst <= 1e-12 * sqrt((double)n) * gsl_blas_dnrm2(y),
              "max |X^T (y - X beta)| = %.3g: the residual must be orthogonal to the columns of X", worst);
    gsl_matrix_free(X), gsl_matrix_free(G), gsl_matrix_free(Xk), gsl_vector_free(y), gsl_vector_free(yk);
    gsl_vector_free(beta), gsl_vector_free(want), gsl_vector_free(tau), gsl_vector_free(res), gsl_vector_free(g);
}

/* beta = argmin |y - X beta|^2 by GSL's own QR (gsl_linalg_QR_lssolve), for n >= p. */
static gsl_vector *gsl_lstsq(const gsl_matrix *X, const gsl_vector *y)
{
    const size_t n = X->size1, p = X->size2;
    gsl_matrix *G = gsl_matrix_alloc(n, p);
    gsl_vector *tau = gsl_vector_alloc(p), *res = gsl_vector_alloc(n), *beta = gsl_vector_alloc(p);
    gsl_matrix_memcpy(G, X);
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_lssolve(G, tau, y, beta, res);
    gsl_matrix_free(G), gsl_vector_free(tau), gsl_vector_free(res);
    return beta;
}

Test(least_squares, qr_solution_respects_row_stride,
     .description = "ls_lstsq_qr with X a 25 x 6 submatrix view (tda > 6, NaN around it) gives GSL's solution and leaves X and y alone")
{
    const size_t n = 25, p = 6;
    gsl_matrix *X0 = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *yk = gsl_vector_alloc(n), *beta = nan_vector(p), *want = gsl_lstsq(X0, y);
    gsl_vector_memcpy(yk, y);
    padded X = padded_copy(X0, NAN);
    mlphys_require_implemented(ls_lstsq_qr(&X.view.matrix, y, beta), "ls_lstsq_qr", 3);
    assert_padded_intact(&X, true, "X", "ls_lstsq_qr");
    assert_vector_unchanged(y, yk, "y", "ls_lstsq_qr");
    /* kappa of a 25 x 6 Gaussian matrix is ~3: round-off of a few eps; 1e-12 as for plain X */
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "beta for a submatrix view X vs gsl_linalg_QR_lssolve",
                               "Copy X with gsl_matrix_memcpy (it follows tda), never with one flat memcpy.");
    gsl_matrix_free(X0), gsl_vector_free(y), gsl_vector_free(yk), gsl_vector_free(beta), gsl_vector_free(want);
    padded_free(&X);
}

Test(least_squares, lstsq_rejects_bad_shapes_and_rank_deficiency,
     .description = "mismatched shapes give GSL_EBADLEN; a zero column (rank deficient X) gives GSL_EDOM")
{
    gsl_matrix *X = nan_matrix(6, 3), *W = nan_matrix(3, 6);
    gsl_vector *y6 = nan_vector(6), *y5 = nan_vector(5), *b3 = nan_vector(3);
    gsl_vector *b6 = nan_vector(6), *y3 = nan_vector(3);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    gsl_vector_set_all(y6, 1.0), gsl_vector_set_all(y5, 1.0), gsl_vector_set_all(y3, 1.0);
    mlphys_require_status(ls_lstsq_qr(X, y5, b3), GSL_EBADLEN, "ls_lstsq_qr", "y has 5 entries but X has 6 rows");
    mlphys_require_status(ls_lstsq_qr(X, y6, b6), GSL_EBADLEN, "ls_lstsq_qr", "beta has 6 entries but X has 3 columns");
    mlphys_require_status(ls_lstsq_qr(W, y3, b6), GSL_EBADLEN, "ls_lstsq_qr", "X is 3 x 6: underdetermined, use ls_minnorm");
    for (size_t i = 0; i < 6; i++)
        gsl_matrix_set(X, i, 1, 0.0);
    mlphys_require_status(ls_lstsq_qr(X, y6, b3), GSL_EDOM, "ls_lstsq_qr",
                          "column 1 of X is zero, so R_11 = 0: check the diagonal before dividing");
    gsl_matrix_free(X), gsl_matrix_free(W), gsl_vector_free(y6), gsl_vector_free(y5), gsl_vector_free(b3);
    gsl_vector_free(b6), gsl_vector_free(y3);
}

/* ---- TODO(4): the normal equations --------------------------------------------------------- */

Test(least_squares, normal_equations_agree_when_well_conditioned,
     .description = "on a well-conditioned random problem the normal equations give GSL's least-squares solution")
{
    const size_t n = 50, p = 10;
    gsl_matrix *X = gaussian_matrix(n, p), *G = nan_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *beta = nan_vector(p), *want = nan_vector(p);
    gsl_vector *tau = nan_vector(p), *res = nan_vector(n);
    mlphys_require_implemented(ls_lstsq_normal(X, y, beta), "ls_lstsq_normal", 4);
    gsl_matrix_memcpy(G, X);
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_lssolve(G, tau, y, want, res);
    /* kappa(X) ~ 2.6 here, so kappa^2 eps ~ 1e-15: squaring costs nothing yet. */
    mlphys_assert_vector_close(beta, want, 1e-11, 1e-11, "normal-equations beta vs gsl_linalg_QR_lssolve",
                               "Form X^T X and X^T y, Cholesky-factor X^T X, then solve.");
    gsl_matrix_free(X), gsl_matrix_free(G), gsl_vector_free(y), gsl_vector_free(beta), gsl_vector_free(want);
    gsl_vector_free(tau), gsl_vector_free(res);
}

Test(least_squares, normal_equations_respect_row_stride,
     .description = "ls_lstsq_normal with X a 30 x 5 submatrix view gives GSL's least-squares solution and leaves X alone")
{
    const size_t n = 30, p = 5;
    gsl_matrix *X0 = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *beta = nan_vector(p), *want = gsl_lstsq(X0, y);
    padded X = padded_copy(X0, NAN);
    mlphys_require_implemented(ls_lstsq_normal(&X.view.matrix, y, beta), "ls_lstsq_normal", 4);
    assert_padded_intact(&X, true, "X", "ls_lstsq_normal");
    /* kappa(X) ~ 2.5, kappa^2 eps ~ 1e-15: as in the test above, 1e-11 */
    mlphys_assert_vector_close(beta, want, 1e-11, 1e-11, "normal-equations beta for a submatrix view X",
                               "gsl_blas_dgemm and gsl_blas_dgemv follow tda; a hand-written X^T X must too.");
    gsl_matrix_free(X0), gsl_vector_free(y), gsl_vector_free(beta), gsl_vector_free(want), padded_free(&X);
}

Test(least_squares, normal_equations_lose_digits_on_longley,
     .description = "on Longley the normal equations are at least 1000x less accurate than QR, but still roughly right")
{
    ls_data *d = longley();
    gsl_vector *bq = nan_vector(7), *bn = nan_vector(7);
    mlphys_require_implemented(ls_lstsq_normal(d->X, d->y, bn), "ls_lstsq_normal", 4);
    mlphys_require_implemented(ls_lstsq_qr(d->X, d->y, bq), "ls_lstsq_qr", 3);
    size_t jq, jn;
    double eq = nist_error(bq, &jq), en = nist_error(bn, &jn);
    cr_assert(isfinite(eq) && isfinite(en), "Longley: beta[%zu] is NaN or Inf (%s solver): every coefficient "
              "must be written", isfinite(eq) ? jn : jq, isfinite(eq) ? "normal-equations" : "QR");
    /* Both methods are insensitive to column scaling, so what counts is the condition number
     * of X with unit-norm columns, kappa_s = 4.3e4 (4.86e9 unscaled).  QR errs like
     * eps kappa_s (measured 2e-13), the normal equations like eps kappa_s^2 ~ 2e-7 (measured
     * 6e-8): 5.5 digits lost.  We ask for 3 digits (1000x), floored at 1e-14 for QR. */
    cr_expect(en >= 1e3 * fmax(eq, 1e-14),
              "normal equations: worst relative error %.3g (%s) is not 1000x that of QR, %.3g (%s). Did you "
              "really form X^T X? Its condition number is kappa^2, which costs digits", en, NAMES[jn], eq, NAMES[jq]);
    /* ... but eps kappa_s^2 ~ 2e-7 is still far from garbage: 1e-4 is 500x the prediction. */
    cr_expect(en <= 1e-4, "normal equations: worst relative error %.3g (%s) vs NIST is worse than even "
              "kappa_s^2 eps ~ 2e-7 predicts: check X^T y and the Cholesky solve", en, NAMES[jn]);
    longley_free(d), gsl_vector_free(bq), gsl_vector_free(bn);
}

/* ---- TODO(5): generalised least squares --------------------------------------------------- */

Test(least_squares, gls_ar1_matches_the_statsmodels_example,
     .description = "Longley GLS with AR(1) errors, rho = -0.3634295, gives (-3.798e6, -12.766, -0.0380, -2.187, -1.152, -0.0681, 1993.95)")
{
    ls_data *d = longley();
    gsl_matrix *S = ar1_covariance(16, -0.3634295);
    gsl_vector *beta = nan_vector(7);
    mlphys_require_implemented(ls_gls(d->X, d->y, S, beta), "ls_gls", 5);
    /* The values carry 4 to 6 significant digits: each must agree to half a unit in its last
     * printed digit (what rounding the true value to those digits allows). */
    const double want[7] = {-3.798e6, -12.766, -0.0380, -2.187, -1.152, -0.0681, 1993.95};
    const double half_unit[7] = {0.0005e6, 0.0005, 0.00005, 0.0005, 0.0005, 0.00005, 0.005};
    for (size_t j = 0; j < 7; j++)
        mlphys_assert_close(gsl_vector_get(beta, j), want[j], half_unit[j], 0,
                            "GLS beta[%zu] (%s), AR(1) rho = -0.3634295; whiten with L^-1 where S = L L^T "
                            "(not L^T, not S^-1/2 of the diagonal only)", j, NAMES[j]);
    longley_free(d), gsl_matrix_free(S), gsl_vector_free(beta);
}

Test(least_squares, gls_matches_gsl_multifit_on_whitened_data,
     .description = "Longley GLS equals gsl_multifit_linear run on the Cholesky-whitened data")
{
    ls_data *d = longley();
    gsl_matrix *S = ar1_covariance(16, -0.3634295), *L = nan_matrix(16, 16), *Xw = nan_matrix(16, 7);
    gsl_matrix *cov = nan_matrix(7, 7);
    gsl_vector *yw = nan_vector(16), *want = nan_vector(7), *beta = nan_vector(7);
    mlphys_require_implemented(ls_gls(d->X, d->y, S, beta), "ls_gls", 5);
    /* Independently: S = L L^T (GSL Cholesky), X_w = L^-1 X, y_w = L^-1 y, then GSL's SVD-based
     * least squares (with column balancing) on (X_w, y_w). */
    gsl_matrix_memcpy(L, S), gsl_matrix_memcpy(Xw, d->X), gsl_vector_memcpy(yw, d->y);
    gsl_linalg_cholesky_decomp1(L);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L, Xw);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, L, yw);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(16, 7);
    double chisq;
    gsl_multifit_linear(Xw, yw, want, cov, &chisq, w);
    /* Two backward-stable solvers on a problem with kappa_s ~ 1e4: measured agreement 1e-12
     * relative; 1e-9 leaves a 1000x margin and still catches any modelling slip. */
    mlphys_assert_vector_close(beta, want, 0, 1e-9, "GLS beta vs gsl_multifit_linear on whitened data",
                               "Whiten both X and y by solving L z = (.) with the lower Cholesky factor L.");
    gsl_multifit_linear_free(w);
    longley_free(d), gsl_matrix_free(S), gsl_matrix_free(L), gsl_matrix_free(Xw), gsl_matrix_free(cov);
    gsl_vector_free(yw), gsl_vector_free(want), gsl_vector_free(beta);
}

Test(least_squares, gls_with_identity_covariance_is_ols,
     .description = "GLS with S = I reproduces the NIST certified OLS coefficients of Longley")
{
    ls_data *d = longley();
    gsl_matrix *S = nan_matrix(16, 16);
    gsl_vector *beta = nan_vector(7);
    gsl_matrix_set_identity(S);
    mlphys_require_implemented(ls_gls(d->X, d->y, S, beta), "ls_gls", 5);
    /* With S = I whitening does nothing: the same 1e-9 bar as OLS (measured 2e-13). */
    for (size_t j = 0; j < 7; j++)
        mlphys_assert_close(gsl_vector_get(beta, j), NIST_BETA[j], 0, 1e-9,
                            "GLS with S = I, beta[%zu] (%s) vs NIST", j, NAMES[j]);
    longley_free(d), gsl_matrix_free(S), gsl_vector_free(beta);
}

Test(least_squares, gls_with_diagonal_covariance_is_weighted_least_squares,
     .description = "with S = diag(sigma_i^2), GLS equals gsl_multifit_wlinear with weights 1/sigma_i^2")
{
    const size_t n = 30, p = 5;
    gsl_matrix *X = gaussian_matrix(n, p), *S = gsl_matrix_calloc(n, n), *cov = nan_matrix(p, p);
    gsl_vector *y = gaussian_vector(n), *wts = nan_vector(n), *beta = nan_vector(p);
    gsl_vector *want = nan_vector(p);
    for (size_t i = 0; i < n; i++) {
        double sd = 0.1 + 2.0 * gsl_rng_uniform(mlphys_rng()); /* noise levels from 0.1 to 2.1 */
        gsl_matrix_set(S, i, i, sd * sd);
        gsl_vector_set(wts, i, 1.0 / (sd * sd));
    }
    mlphys_require_implemented(ls_gls(X, y, S, beta), "ls_gls", 5);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    double chisq;
    gsl_multifit_wlinear(X, wts, y, want, cov, &chisq, w);
    /* Weighted X has kappa ~ 10 at most: measured agreement 1.3e-15 over 200 seeds; 1e-11 is generous. */
    mlphys_assert_vector_close(beta, want, 1e-11, 1e-11, "GLS with diagonal S vs gsl_multifit_wlinear",
                               "Row i of the whitened problem is row i divided by sigma_i (not sigma_i^2).");
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X), gsl_matrix_free(S), gsl_matrix_free(cov), gsl_vector_free(y), gsl_vector_free(wts);
    gsl_vector_free(beta), gsl_vector_free(want);
}

/* The GLS estimate computed independently: GSL's Cholesky S = L L^T, X_w = L^-1 X and y_w =
 * L^-1 y by GSL's triangular solves, then GSL's QR least squares. */
static gsl_vector *gls_by_gsl(const gsl_matrix *X, const gsl_vector *y, const gsl_matrix *S)
{
    const size_t n = X->size1, p = X->size2;
    gsl_matrix *L = gsl_matrix_alloc(n, n), *Xw = gsl_matrix_alloc(n, p);
    gsl_vector *yw = gsl_vector_alloc(n);
    gsl_matrix_memcpy(L, S), gsl_matrix_memcpy(Xw, X), gsl_vector_memcpy(yw, y);
    gsl_linalg_cholesky_decomp1(L);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L, Xw);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, L, yw);
    gsl_vector *beta = gsl_lstsq(Xw, yw);
    gsl_matrix_free(L), gsl_matrix_free(Xw), gsl_vector_free(yw);
    return beta;
}

/* S = 0.5 rho^|i-j| + diag(0.2 .. 1.7): AR(1)-correlated noise plus independent noise of
 * unequal size; kappa(S) < 20. */
static gsl_matrix *test_covariance(size_t n, double rho)
{
    gsl_matrix *S = ar1_covariance(n, rho);
    gsl_matrix_scale(S, 0.5);
    for (size_t i = 0; i < n; i++)
        gsl_matrix_set(S, i, i, gsl_matrix_get(S, i, i) + 0.2 + 1.5 * (double)i / (double)n);
    return S;
}

Test(least_squares, gls_respects_row_stride,
     .description = "ls_gls with X (20 x 4) and S (20 x 20) submatrix views equals GSL's whitened solution and leaves X, S, y alone")
{
    const size_t n = 20, p = 4;
    gsl_matrix *X0 = gaussian_matrix(n, p), *S0 = test_covariance(n, 0.6);
    gsl_vector *y = gaussian_vector(n), *yk = gsl_vector_alloc(n), *beta = nan_vector(p);
    gsl_vector *want = gls_by_gsl(X0, y, S0);
    gsl_vector_memcpy(yk, y);
    padded X = padded_copy(X0, NAN), S = padded_copy(S0, NAN);
    mlphys_require_implemented(ls_gls(&X.view.matrix, y, &S.view.matrix, beta), "ls_gls", 5);
    assert_padded_intact(&X, true, "X", "ls_gls"), assert_padded_intact(&S, true, "S", "ls_gls");
    assert_vector_unchanged(y, yk, "y", "ls_gls");
    /* kappa(L^-1 X) < 20: two backward-stable solvers agree to ~1e-15; 1e-11 leaves room */
    mlphys_assert_vector_close(beta, want, 1e-11, 1e-11, "GLS beta for submatrix views X and S",
                               "Copy S and X with gsl_matrix_memcpy (it follows tda) before factoring and whitening.");
    gsl_matrix_free(X0), gsl_matrix_free(S0), gsl_vector_free(y), gsl_vector_free(yk), gsl_vector_free(beta);
    gsl_vector_free(want), padded_free(&X), padded_free(&S);
}

Test(least_squares, gls_rejects_bad_shapes_and_indefinite_covariance,
     .description = "S of the wrong size gives GSL_EBADLEN, an S that is not positive definite GSL_EDOM")
{
    gsl_matrix *X = nan_matrix(4, 2), *S3 = nan_matrix(3, 3), *S = nan_matrix(4, 4);
    gsl_vector *y = nan_vector(4), *beta = nan_vector(2);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    gsl_vector_set_all(y, 1.0);
    gsl_matrix_set_identity(S3);
    mlphys_require_status(ls_gls(X, y, S3, beta), GSL_EBADLEN, "ls_gls", "S must be n x n = 4 x 4");
    gsl_matrix_set_identity(S);
    gsl_matrix_set(S, 2, 2, -1.0); /* a negative variance */
    mlphys_require_status(ls_gls(X, y, S, beta), GSL_EDOM, "ls_gls",
                          "S = diag(1, 1, -1, 1) is not a covariance: pass on the Cholesky failure");
    gsl_matrix_free(X), gsl_matrix_free(S3), gsl_matrix_free(S), gsl_vector_free(y), gsl_vector_free(beta);
}

/* ---- TODO(8): the covariance of the estimate ------------------------------------------------ */

/* NIST's certified standard deviations of the Longley OLS coefficients (the same certificate),
 * and the certified residual standard deviation s. */
static const double NIST_SE[7] = {890420.383607373, 84.9149257747669, 0.334910077722432E-01,
                                  0.488399681651699, 0.214274163161675, 0.226073200069370,
                                  455.478499142212};
#define NIST_RESIDUAL_SD 304.854073561965

Test(least_squares, gls_cov_gives_nist_standard_errors,
     .description = "with S = s^2 I (s = 304.854073561965, certified) the square roots of diag cov are NIST's certified standard errors of the Longley fit")
{
    ls_data *d = longley();
    gsl_matrix *S = gsl_matrix_calloc(16, 16), *cov = nan_matrix(7, 7);
    for (size_t i = 0; i < 16; i++)
        gsl_matrix_set(S, i, i, NIST_RESIDUAL_SD * NIST_RESIDUAL_SD);
    mlphys_require_implemented(ls_gls_cov(d->X, S, cov), "ls_gls_cov", 8);
    /* OLS with noise variance s^2: cov = s^2 (X^T X)^-1.  R^-1 R^-T is as blind to column
     * scaling as QR itself, so its error is ~eps kappa_s = 1e-11 relative (kappa_s = 4.3e4, the
     * condition number with unit-norm columns); measured 4.7e-13 at worst.  1e-9, the bar the
     * coefficients meet, leaves a factor 100 over the prediction. */
    for (size_t j = 0; j < 7; j++) {
        double v = gsl_matrix_get(cov, j, j);
        cr_assert(v > 0, "cov[%zu][%zu] = %g: a variance must be positive (is cov = R^-1 R^-T?)", j, j, v);
        mlphys_assert_close(sqrt(v), NIST_SE[j], 0, 1e-9, "standard error of beta[%zu] (%s), sqrt(cov[%zu][%zu]), "
                            "vs NIST's certified value", j, NAMES[j], j, j);
    }
    longley_free(d), gsl_matrix_free(S), gsl_matrix_free(cov);
}

Test(least_squares, gls_cov_is_the_inverse_fisher_information,
     .description = "for correlated noise, cov (X^T S^-1 X) = I and cov is symmetric; X, S and cov are submatrix views")
{
    const size_t n = 20, p = 4;
    gsl_matrix *X0 = gaussian_matrix(n, p), *S0 = test_covariance(n, -0.5);
    padded X = padded_copy(X0, NAN), S = padded_copy(S0, NAN), C = padded_alloc(p, p, -0.0);
    gsl_matrix_set_all(&C.view.matrix, NAN); /* garbage that must be overwritten */
    gsl_matrix_memcpy(C.snap, C.parent);
    mlphys_require_implemented(ls_gls_cov(&X.view.matrix, &S.view.matrix, &C.view.matrix), "ls_gls_cov", 8);
    assert_padded_intact(&X, true, "X", "ls_gls_cov"), assert_padded_intact(&S, true, "S", "ls_gls_cov");
    assert_padded_intact(&C, false, "cov", "ls_gls_cov");
    /* The Fisher information F = X^T S^-1 X, built here with GSL: S^-1 from GSL's Cholesky
     * inverse, then two products. */
    gsl_matrix *Si = gsl_matrix_alloc(n, n), *T = gsl_matrix_alloc(n, p), *F = gsl_matrix_alloc(p, p);
    gsl_matrix *I = gsl_matrix_alloc(p, p), *E = gsl_matrix_alloc(p, p);
    gsl_matrix_memcpy(Si, S0);
    gsl_linalg_cholesky_decomp1(Si);
    gsl_linalg_cholesky_invert(Si);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Si, X0, 0.0, T);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X0, T, 0.0, F);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &C.view.matrix, F, 0.0, E);
    gsl_matrix_set_identity(I);
    /* kappa(F) < 400 here (kappa(X)^2 kappa(S)): the product is I to ~1e-13; allowed 1e-10 */
    mlphys_assert_matrix_close(E, I, 1e-10, 0, "cov (X^T S^-1 X) vs the identity",
                               "cov must be (X^T S^-1 X)^-1 = R^-1 R^-T for the R of the whitened L^-1 X "
                               "(not R^-T R^-1, and not without whitening).");
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            mlphys_assert_close(gsl_matrix_get(&C.view.matrix, i, j), gsl_matrix_get(&C.view.matrix, j, i), 1e-14, 1e-12,
                                "cov[%zu][%zu] vs cov[%zu][%zu]: a covariance is symmetric", i, j, j, i);
    gsl_matrix_free(X0), gsl_matrix_free(S0), gsl_matrix_free(Si), gsl_matrix_free(T), gsl_matrix_free(F);
    gsl_matrix_free(I), gsl_matrix_free(E), padded_free(&X), padded_free(&S), padded_free(&C);
}

Test(least_squares, gls_cov_with_diagonal_noise_matches_gsl_wlinear,
     .description = "with S = diag(sigma_i^2) the covariance equals gsl_multifit_wlinear's (X^T W X)^-1, W = diag(1/sigma_i^2)")
{
    const size_t n = 30, p = 5;
    gsl_matrix *X = gaussian_matrix(n, p), *S = gsl_matrix_calloc(n, n), *cov = nan_matrix(p, p);
    gsl_matrix *want = gsl_matrix_alloc(p, p);
    gsl_vector *y = gaussian_vector(n), *wts = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    for (size_t i = 0; i < n; i++) {
        double sd = 0.1 + 2.0 * gsl_rng_uniform(mlphys_rng()); /* noise levels from 0.1 to 2.1 */
        gsl_matrix_set(S, i, i, sd * sd);
        gsl_vector_set(wts, i, 1.0 / (sd * sd));
    }
    mlphys_require_implemented(ls_gls_cov(X, S, cov), "ls_gls_cov", 8);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    double chisq;
    gsl_multifit_wlinear(X, wts, y, c, want, &chisq, w); /* cov = (X^T W X)^-1, not rescaled */
    /* the weighted X has kappa < 30: both computations agree to ~1e-15; 1e-11 is generous */
    mlphys_assert_matrix_close(cov, want, 1e-11, 1e-11, "cov with diagonal S vs gsl_multifit_wlinear",
                               "Row i of the whitened X is row i divided by sigma_i.");
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X), gsl_matrix_free(S), gsl_matrix_free(cov), gsl_matrix_free(want);
    gsl_vector_free(y), gsl_vector_free(wts), gsl_vector_free(c);
}

Test(least_squares, gls_cov_rejects_bad_input,
     .description = "wrong shapes give GSL_EBADLEN; an S that is not positive definite or a rank-deficient X give GSL_EDOM; cov untouched")
{
    gsl_matrix *X = gsl_matrix_alloc(6, 3), *W = gsl_matrix_calloc(3, 6), *S = gsl_matrix_alloc(6, 6);
    gsl_matrix *S3 = gsl_matrix_alloc(3, 3), *cov = gsl_matrix_alloc(3, 3), *cov4 = gsl_matrix_alloc(4, 4);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    gsl_matrix_set_identity(S), gsl_matrix_set_identity(S3);
    gsl_matrix_set_all(cov, 42.0);
    mlphys_require_status(ls_gls_cov(X, S3, cov), GSL_EBADLEN, "ls_gls_cov", "S must be n x n = 6 x 6");
    mlphys_require_status(ls_gls_cov(X, S, cov4), GSL_EBADLEN, "ls_gls_cov", "cov must be p x p = 3 x 3");
    mlphys_require_status(ls_gls_cov(W, S3, cov), GSL_EBADLEN, "ls_gls_cov", "X is 3 x 6: n < p has no GLS covariance");
    gsl_matrix_set(S, 4, 4, -1.0); /* a negative variance */
    mlphys_require_status(ls_gls_cov(X, S, cov), GSL_EDOM, "ls_gls_cov", "S = diag(1, 1, 1, 1, -1, 1) is not a covariance");
    gsl_matrix_set(S, 4, 4, 1.0);
    for (size_t i = 0; i < 6; i++)
        gsl_matrix_set(X, i, 2, 0.0);
    mlphys_require_status(ls_gls_cov(X, S, cov), GSL_EDOM, "ls_gls_cov",
                          "column 2 of X is zero: R_22 = 0 and X^T S^-1 X is singular (check R's diagonal)");
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            cr_expect(gsl_matrix_get(cov, i, j) == 42.0, "cov[%zu][%zu] was written although every call was "
                      "rejected: check everything before writing the output", i, j);
    gsl_matrix_free(X), gsl_matrix_free(W), gsl_matrix_free(S), gsl_matrix_free(S3), gsl_matrix_free(cov);
    gsl_matrix_free(cov4);
}

/* ---- TODO(6): the minimum-norm solution --------------------------------------------------- */

Test(least_squares, minnorm_by_hand, .description = "X = [[1, 1, 0], [0, 0, 1]], y = (2, 3): the shortest solution is (1, 1, 3)")
{
    double x[] = {1, 1, 0, 0, 0, 1}, yy[] = {2, 3}, want[] = {1, 1, 3};
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 3);
    gsl_vector_view y = gsl_vector_view_array(yy, 2), w = gsl_vector_view_array(want, 3);
    gsl_vector *beta = nan_vector(3);
    mlphys_require_implemented(ls_minnorm(&X.matrix, &y.vector, beta), "ls_minnorm", 6);
    /* beta_0 + beta_1 = 2 is met by (2, 0) too; the shortest splits it evenly. */
    mlphys_assert_vector_close(beta, &w.vector, 1e-14, 1e-14, "min-norm beta",
                               "The shortest solution lies in the row space of X: set the last p - n "
                               "components of Q^T beta to zero.");
    gsl_vector_free(beta);
}

Test(least_squares, minnorm_interpolates_and_equals_the_pseudo_inverse,
     .description = "for a random 15 x 40 X, X beta = y exactly and beta = X^+ y from GSL's SVD")
{
    const size_t n = 15, p = 40;
    gsl_matrix *X = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *beta = nan_vector(p), *fit = nan_vector(n);
    mlphys_require_implemented(ls_minnorm(X, y, beta), "ls_minnorm", 6);
    gsl_blas_dgemv(CblasNoTrans, 1.0, X, beta, 0.0, fit);
    /* kappa(X) ~ 4 for 15 x 40 Gaussian: round-off ~1e-15; 1e-12 leaves 1000x. */
    mlphys_assert_vector_close(fit, y, 1e-12, 1e-12, "X beta vs y (with p > n the fit is exact)",
                               "Solve R^T z = y by forward substitution, then beta = Q [z; 0].");
    gsl_vector *want = svd_filter_solution(X, y, 0.0, NULL);
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "min-norm beta vs V S^-1 U^T y (GSL's SVD)",
                               "An exact solution that is not the shortest has a null-space component.");
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(beta), gsl_vector_free(fit), gsl_vector_free(want);
}

Test(least_squares, minnorm_respects_row_stride,
     .description = "ls_minnorm with X a 6 x 15 submatrix view gives the pseudo-inverse solution and leaves X and y alone")
{
    const size_t n = 6, p = 15;
    gsl_matrix *X0 = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *yk = gsl_vector_alloc(n), *beta = nan_vector(p);
    gsl_vector *want = svd_filter_solution(X0, y, 0.0, NULL);
    gsl_vector_memcpy(yk, y);
    padded X = padded_copy(X0, NAN);
    mlphys_require_implemented(ls_minnorm(&X.view.matrix, y, beta), "ls_minnorm", 6);
    assert_padded_intact(&X, true, "X", "ls_minnorm");
    assert_vector_unchanged(y, yk, "y", "ls_minnorm");
    /* kappa ~ 4 for a 6 x 15 Gaussian matrix: as in the test above, 1e-12 */
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "min-norm beta for a submatrix view X vs GSL's SVD",
                               "gsl_matrix_transpose_memcpy follows tda; a hand-written transpose must use it too.");
    gsl_matrix_free(X0), gsl_vector_free(y), gsl_vector_free(yk), gsl_vector_free(beta), gsl_vector_free(want);
    padded_free(&X);
}

Test(least_squares, minnorm_rejects_tall_matrices, .description = "ls_minnorm returns GSL_EBADLEN for n > p or mismatched vectors")
{
    gsl_matrix *T = gsl_matrix_calloc(5, 3), *W = gsl_matrix_calloc(3, 5);
    gsl_vector *y5 = gsl_vector_calloc(5), *y3 = gsl_vector_calloc(3), *b3 = gsl_vector_calloc(3);
    gsl_vector *b4 = gsl_vector_calloc(4);
    mlphys_require_status(ls_minnorm(T, y5, b3), GSL_EBADLEN, "ls_minnorm", "X is 5 x 3 (n > p): use ls_lstsq_qr");
    mlphys_require_status(ls_minnorm(W, y3, b4), GSL_EBADLEN, "ls_minnorm", "beta must have p = 5 entries");
    gsl_matrix_free(T), gsl_matrix_free(W), gsl_vector_free(y5), gsl_vector_free(y3), gsl_vector_free(b3);
    gsl_vector_free(b4);
}

/* ---- TODO(7): ridge ------------------------------------------------------------------------ */

static void check_ridge_against_svd(size_t n, size_t p, double lambda)
{
    gsl_matrix *X = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *beta = nan_vector(p);
    mlphys_require_implemented(ls_ridge(X, y, lambda, beta), "ls_ridge", 7);
    gsl_vector *want = svd_filter_solution(X, y, lambda, NULL);
    /* Well conditioned for lambda = 0.5 (kappa of [X; sqrt(lambda) I] < 20): 1e-12 is ~100x. */
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "ridge beta vs V diag(s / (s^2 + lambda)) U^T y",
                               "Stack [X; sqrt(lambda) I] and [y; 0], then least squares by QR.");
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(beta), gsl_vector_free(want);
}

Test(least_squares, ridge_matches_the_svd_formula,
     .description = "ridge equals V diag(s / (s^2 + lambda)) U^T y from GSL's SVD, for n > p and n < p")
{
    check_ridge_against_svd(30, 8, 0.5);
    check_ridge_against_svd(12, 25, 0.5);
}

Test(least_squares, ridge_tends_to_minnorm_as_lambda_vanishes,
     .description = "for p > n, |beta_ridge(lambda) - beta_minnorm| shrinks like lambda / s_min^2")
{
    const size_t n = 15, p = 35;
    gsl_matrix *X = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *br = nan_vector(p), *bm = nan_vector(p);
    double smin;
    gsl_vector *pinv = svd_filter_solution(X, y, 0.0, &smin);
    mlphys_require_implemented(ls_minnorm(X, y, bm), "ls_minnorm", 6);
    cr_assert(rel_dist(bm, pinv) <= 1e-10, "ls_minnorm is not the pseudo-inverse solution (off by %.3g)",
              rel_dist(bm, pinv));
    for (int e = 1; e <= 4; e++) {
        double lambda = pow(10.0, -2.0 * e);
        mlphys_require_implemented(ls_ridge(X, y, lambda, br), "ls_ridge", 7);
        /* Component by component, s/(s^2+lambda) - 1/s = -lambda/(s (s^2+lambda)): the relative
         * gap is at most lambda / s_min^2.  Round-off of the stacked QR is ~eps s_max / sqrt(lambda)
         * < 1e-10 at lambda = 1e-8 (measured against the SVD formula over 200 seeds: at most
         * 4e-13; the gap itself reached 0.92 of lambda / s_min^2): allowed 1e-9 on top. */
        double gap = rel_dist(br, bm), bound = lambda / (smin * smin) + 1e-9;
        cr_expect(gap <= bound, "lambda = %.0e: |beta_ridge - beta_minnorm| / |beta_minnorm| = %.3g > %.3g "
                  "(lambda / s_min^2 + 1e-9, s_min = %.3f)", lambda, gap, bound, smin);
    }
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(br), gsl_vector_free(bm), gsl_vector_free(pinv);
}

Test(least_squares, ridge_respects_row_stride,
     .description = "ls_ridge with X a 9 x 14 submatrix view matches the SVD formula and leaves X and y alone")
{
    const size_t n = 9, p = 14;
    const double lambda = 0.5;
    gsl_matrix *X0 = gaussian_matrix(n, p);
    gsl_vector *y = gaussian_vector(n), *yk = gsl_vector_alloc(n), *beta = nan_vector(p);
    gsl_vector *want = svd_filter_solution(X0, y, lambda, NULL);
    gsl_vector_memcpy(yk, y);
    padded X = padded_copy(X0, NAN);
    mlphys_require_implemented(ls_ridge(&X.view.matrix, y, lambda, beta), "ls_ridge", 7);
    assert_padded_intact(&X, true, "X", "ls_ridge");
    assert_vector_unchanged(y, yk, "y", "ls_ridge");
    /* kappa of [X; sqrt(lambda) I] < 20: as in the test above, 1e-12 */
    mlphys_assert_vector_close(beta, want, 1e-12, 1e-12, "ridge beta for a submatrix view X",
                               "Copy X into the top of the stacked matrix with gsl_matrix_memcpy on a submatrix view.");
    gsl_matrix_free(X0), gsl_vector_free(y), gsl_vector_free(yk), gsl_vector_free(beta), gsl_vector_free(want);
    padded_free(&X);
}

Test(least_squares, ridge_rejects_bad_lambda_and_shapes,
     .description = "lambda <= 0, NaN or Inf gives GSL_EINVAL, mismatched shapes GSL_EBADLEN")
{
    gsl_matrix *X = nan_matrix(5, 3);
    gsl_vector *y = nan_vector(5), *b = nan_vector(3), *b4 = nan_vector(4);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    gsl_vector_set_all(y, 1.0);
    mlphys_require_status(ls_ridge(X, y, 0.0, b), GSL_EINVAL, "ls_ridge", "lambda = 0 is not ridge (use ls_lstsq_qr)");
    mlphys_require_status(ls_ridge(X, y, -1.0, b), GSL_EINVAL, "ls_ridge", "lambda must be > 0");
    mlphys_require_status(ls_ridge(X, y, NAN, b), GSL_EINVAL, "ls_ridge", "lambda = NaN");
    mlphys_require_status(ls_ridge(X, y, INFINITY, b), GSL_EINVAL, "ls_ridge", "lambda = +Inf");
    mlphys_require_status(ls_ridge(X, y, 1.0, b4), GSL_EBADLEN, "ls_ridge", "beta must have p = 3 entries");
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(b), gsl_vector_free(b4);
}

/* ---- double descent: the risk of the min-norm estimator ------------------------------------ */

/* Mean of |beta_hat - beta|^2 over R draws of y = X beta + sigma eps, X (n, p) with N(0, 1)
 * entries and |beta| = 1 uniform on the sphere.  beta_hat: ls_lstsq_qr for p < n, ls_minnorm
 * for p > n.  For isotropic features this is the excess test risk E (x^T (beta_hat - beta))^2. */
static double minnorm_risk(size_t n, size_t p, double sigma, int R)
{
    gsl_matrix *X = nan_matrix(n, p);
    gsl_vector *y = nan_vector(n), *b = nan_vector(p), *bh = nan_vector(p);
    double acc = 0.0;
    for (int r = 0; r < R; r++) {
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(b, j, gsl_ran_gaussian(mlphys_rng(), 1.0));
        gsl_vector_scale(b, 1.0 / gsl_blas_dnrm2(b));
        mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
        gsl_blas_dgemv(CblasNoTrans, 1.0, X, b, 0.0, y);
        for (size_t i = 0; i < n; i++)
            gsl_vector_set(y, i, gsl_vector_get(y, i) + gsl_ran_gaussian(mlphys_rng(), sigma));
        if (p < n)
            mlphys_require_implemented(ls_lstsq_qr(X, y, bh), "ls_lstsq_qr", 3);
        else
            mlphys_require_implemented(ls_minnorm(X, y, bh), "ls_minnorm", 6);
        gsl_vector_sub(bh, b);
        double e = gsl_blas_dnrm2(bh);
        acc += e * e;
    }
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(b), gsl_vector_free(bh);
    return acc / R;
}

/* Spreads of the R = 400 mean, measured over 300 seeds: sd 0.0037 (p = 10) and 0.0066
 * (p = 60), largest deviation from theory 2.6 and 3.7 sd, no visible bias (means 0.1318 vs
 * 0.1316 and 0.7581 vs 0.7586).  The tolerances below, 0.023 and 0.040, are 6 sd. */
#define RISK_N 30
#define RISK_R 400
#define RISK_SIGMA 0.5

Test(least_squares, risk_below_interpolation_matches_theory,
     .description = "p = 10 < n = 30: mean |beta_hat - beta|^2 = sigma^2 p / (n - p - 1)")
{
    const size_t p = 10;
    double risk = minnorm_risk(RISK_N, p, RISK_SIGMA, RISK_R);
    double theory = RISK_SIGMA * RISK_SIGMA * p / (RISK_N - p - 1.0); /* E tr (X^T X)^-1 = p/(n-p-1) */
    mlphys_assert_close(risk, theory, 0.023, 0, "excess risk at p/n = 1/3, %d draws (theory sigma^2 p/(n-p-1))",
                        RISK_R);
}

Test(least_squares, risk_above_interpolation_matches_theory,
     .description = "p = 60 > n = 30: mean |beta_hat - beta|^2 = r^2 (1 - n/p) + sigma^2 n / (p - n - 1)")
{
    const size_t p = 60;
    double risk = minnorm_risk(RISK_N, p, RISK_SIGMA, RISK_R);
    /* Bias: the part of beta outside the n-dimensional row space, r^2 (1 - n/p); variance:
     * sigma^2 E tr (X X^T)^-1 = sigma^2 n / (p - n - 1). */
    double theory = 1.0 * (1.0 - (double)RISK_N / p) + RISK_SIGMA * RISK_SIGMA * RISK_N / (p - RISK_N - 1.0);
    mlphys_assert_close(risk, theory, 0.040, 0, "excess risk at p/n = 2, %d draws (theory r^2(1 - n/p) + "
                        "sigma^2 n/(p-n-1)); a min-norm solution that is not minimal adds risk", RISK_R);
}
