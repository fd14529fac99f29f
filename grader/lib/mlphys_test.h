/*
 * mlphys_test.h: the support library every chapter's Criterion suite links against.
 *
 * A suite file (grader/NN-slug/tests.c) starts with
 *
 *     #include "mlphys_test.h"
 *     #include "svd.h"
 *     MLPHYS_SUITE(svd, 10);          // suite name, per-test timeout in seconds
 *
 * and every Test() in it belongs to that suite.  MLPHYS_SUITE installs the hooks the grading
 * engine relies on: the GSL error handler is turned off, the seeded RNG is created, and a
 * completion marker is written when a test body returns normally (a test whose student code
 * calls exit() or _exit() never writes it, and the engine scores it as "called exit").
 *
 * Messages should teach: say which quantity, which index, got vs want, and the likely mistake.
 */
#ifndef MLPHYS_TEST_H
#define MLPHYS_TEST_H

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

void mlphys_test_begin(void);
void mlphys_test_end(void);

#define MLPHYS_SUITE(name, seconds) \
    TestSuite(name, .init = mlphys_test_begin, .fini = mlphys_test_end, .timeout = (seconds))

/* The student's source file as the engine compiled it ("chapters/01-svd/svd.c"), for messages.
 * Set by the engine through MLPHYS_IMPL_FILE; "your chapter file" when unknown. */
const char *mlphys_impl_file(void);

/* The seed of this run: MLPHYS_SEED from the environment, else 42.  make check grades the
 * solutions under many seeds, so statistical tolerances must hold for any seed. */
unsigned long mlphys_seed(void);

/* A gsl_rng_mt19937 seeded with mlphys_seed(), created fresh for every test and freed after it. */
gsl_rng *mlphys_rng(void);

/* Path of a data file in the suite's data/ folder (MLPHYS_DATA_DIR overrides).  Returns a
 * pointer to a static buffer, valid until the next call. */
const char *mlphys_data_path(const char *name);

/* ---- Status checks ---------------------------------------------------------------------
 * Call the student's function, then check its status first: a stub returns GSL_EUNIMPL and
 * the test stops at once with "not implemented yet: start at TODO(n) in <file>". */
#define mlphys_require_implemented(status, fn_name, todo)                                     \
    do {                                                                                      \
        int mlphys_st_ = (status);                                                            \
        if (mlphys_st_ == GSL_EUNIMPL)                                                        \
            cr_assert_fail("not implemented yet: start at TODO(%d) in %s (%s returned GSL_EUNIMPL)", \
                     (int)(todo), mlphys_impl_file(), (fn_name));                             \
        if (mlphys_st_ != GSL_SUCCESS)                                                        \
            cr_assert_fail("%s returned %d (%s), expected GSL_SUCCESS", (fn_name), mlphys_st_,      \
                     gsl_strerror(mlphys_st_));                                               \
    } while (0)

/* The function must return exactly `want` (e.g. GSL_EBADLEN for mismatched shapes). */
#define mlphys_require_status(status, want, fn_name, why)                                     \
    do {                                                                                      \
        int mlphys_st_ = (status), mlphys_want_ = (want);                                     \
        if (mlphys_st_ == GSL_EUNIMPL && mlphys_want_ != GSL_EUNIMPL)                         \
            cr_assert_fail("not implemented yet: %s still returns GSL_EUNIMPL (see %s)", (fn_name), \
                     mlphys_impl_file());                                                     \
        cr_assert(mlphys_st_ == mlphys_want_, "%s returned %d (%s), expected %d (%s): %s",     \
                  (fn_name), mlphys_st_, gsl_strerror(mlphys_st_), mlphys_want_,              \
                  gsl_strerror(mlphys_want_), (why));                                         \
    } while (0)

/* ---- Tolerances ------------------------------------------------------------------------
 * |got - want| <= atol + rtol * |want|.  NaN or Inf in `got` or `want` never passes. */
bool mlphys_close(double got, double want, double atol, double rtol);

#define mlphys_assert_close(got, want, atol, rtol, ...)                                       \
    do {                                                                                      \
        double mlphys_g_ = (got), mlphys_w_ = (want);                                         \
        double mlphys_tol_ = (atol) + (rtol) * fabs(mlphys_w_);                               \
        if (!mlphys_close(mlphys_g_, mlphys_w_, (atol), (rtol))) {                            \
            char mlphys_what_[512];                                                           \
            snprintf(mlphys_what_, sizeof mlphys_what_, __VA_ARGS__);                         \
            cr_assert_fail("%s: got %.10g, want %.10g (|diff| = %.3g, allowed %.3g)", mlphys_what_,   \
                    mlphys_g_, mlphys_w_, fabs(mlphys_g_ - mlphys_w_), mlphys_tol_);          \
        }                                                                                     \
    } while (0)

/* Element-wise comparison; on failure the message names the worst index (the first NaN or
 * Inf, if any), both values, the tolerance, and `hint` (the likely mistake).  Returns true when
 * all elements are close; NaN or Inf anywhere is never close. */
bool mlphys_vector_close_msg(const gsl_vector *got, const gsl_vector *want, double atol,
                             double rtol, char *msg, size_t len);
bool mlphys_matrix_close_msg(const gsl_matrix *got, const gsl_matrix *want, double atol,
                             double rtol, char *msg, size_t len);

#define mlphys_assert_vector_close(got, want, atol, rtol, what, hint)                          \
    do {                                                                                      \
        char mlphys_m_[768];                                                                  \
        if (!mlphys_vector_close_msg((got), (want), (atol), (rtol), mlphys_m_, sizeof mlphys_m_)) \
            cr_assert_fail("%s: %s. %s", (what), mlphys_m_, (hint));                                 \
    } while (0)

#define mlphys_assert_matrix_close(got, want, atol, rtol, what, hint)                          \
    do {                                                                                      \
        char mlphys_m_[768];                                                                  \
        if (!mlphys_matrix_close_msg((got), (want), (atol), (rtol), mlphys_m_, sizeof mlphys_m_)) \
            cr_assert_fail("%s: %s. %s", (what), mlphys_m_, (hint));                                 \
    } while (0)

/* All entries finite (no NaN, no Inf); on failure names the first bad index. */
bool mlphys_vector_finite_msg(const gsl_vector *v, char *msg, size_t len);
bool mlphys_matrix_finite_msg(const gsl_matrix *m, char *msg, size_t len);

/* ---- Small linear-algebra helpers for tests (independent of any chapter) ---------------- */

/* Fill m with independent N(0, sigma^2) entries from rng. */
void mlphys_fill_gaussian(gsl_matrix *m, gsl_rng *rng, double sigma);

/* A random M x N matrix (M >= N) with orthonormal columns: the first N columns of Q in the QR
 * of an M x N Gaussian matrix (an n x n orthogonal matrix when M = N).  Caller frees. */
gsl_matrix *mlphys_random_orthonormal(size_t M, size_t N, gsl_rng *rng);

/* max_ij |(Q^T Q - I)_ij| for a matrix with orthonormal columns (Q is M x N, M >= N);
 * INFINITY when any entry is NaN or Inf. */
double mlphys_orthonormality_error(const gsl_matrix *Q);

/* max_ij |A_ij - B_ij| / max(1, max_ij |B_ij|), a scale-aware distance; INFINITY when any
 * entry is NaN or Inf, or the shapes differ. */
double mlphys_matrix_rel_error(const gsl_matrix *A, const gsl_matrix *B);

#endif
