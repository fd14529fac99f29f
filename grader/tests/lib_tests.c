/* Self-tests of the test library's tolerance helpers (grader/lib): a NaN or Inf in any
 * position, got or want, must fail the check and be named, never hidden by a finite entry. */
#include "mlphys_test.h"

static const double bad[] = {NAN, INFINITY, -INFINITY};

Test(lib, close_rejects_non_finite)
{
    for (size_t b = 0; b < 3; b++) {
        cr_expect(!mlphys_close(bad[b], 1.0, 1e-12, 1e-12), "got %g passed", bad[b]);
        cr_expect(!mlphys_close(1.0, bad[b], 1e-12, 1e-12), "want %g passed", bad[b]);
    }
    cr_expect(mlphys_close(1.0, 1.0 + 1e-13, 1e-12, 0), "a close pair failed");
}

Test(lib, vector_close_fails_on_non_finite_in_every_position)
{
    const size_t n = 5;
    gsl_vector *g = gsl_vector_alloc(n), *w = gsl_vector_alloc(n);
    for (size_t b = 0; b < 3; b++)
        for (size_t pos = 0; pos < n; pos++)
            for (int in_want = 0; in_want < 2; in_want++) {
                for (size_t i = 0; i < n; i++)
                    gsl_vector_set(g, i, (double)i), gsl_vector_set(w, i, (double)i);
                gsl_vector_set(in_want ? w : g, pos, bad[b]);
                char msg[256] = "";
                bool ok = mlphys_vector_close_msg(g, w, 1e-12, 1e-12, msg, sizeof msg);
                cr_expect(!ok, "%g at [%zu] of %s passed", bad[b], pos, in_want ? "want" : "got");
                char where[32];
                snprintf(where, sizeof where, "[%zu]", pos);
                cr_expect(strstr(msg, where) != NULL, "the message '%s' does not name %s", msg, where);
            }
    gsl_vector_free(g), gsl_vector_free(w);
}

Test(lib, matrix_close_fails_on_non_finite_in_every_position)
{
    const size_t m = 3, n = 4;
    gsl_matrix *g = gsl_matrix_alloc(m, n), *w = gsl_matrix_alloc(m, n);
    for (size_t b = 0; b < 3; b++)
        for (size_t pos = 0; pos < m * n; pos++) {
            gsl_matrix_set_all(g, 0.5), gsl_matrix_set_all(w, 0.5);
            gsl_matrix_set(g, pos / n, pos % n, bad[b]);
            char msg[256] = "";
            cr_expect(!mlphys_matrix_close_msg(g, w, 1e-12, 1e-12, msg, sizeof msg), "%g at %zu passed", bad[b], pos);
            char where[32];
            snprintf(where, sizeof where, "[%zu][%zu]", pos / n, pos % n);
            cr_expect(strstr(msg, where) != NULL, "the message '%s' does not name %s", msg, where);
        }
    gsl_matrix_free(g), gsl_matrix_free(w);
}

Test(lib, worst_error_helpers_never_hide_nan)
{
    const size_t n = 4;
    gsl_matrix *Q = gsl_matrix_alloc(n, n), *B = gsl_matrix_alloc(n, n);
    for (size_t b = 0; b < 3; b++)
        for (size_t pos = 0; pos < n * n; pos++) {
            gsl_matrix_set_identity(Q);
            gsl_matrix_set(Q, pos / n, pos % n, bad[b]);
            cr_expect(!(mlphys_orthonormality_error(Q) <= 1e-3), "orthonormality error hid %g at %zu", bad[b], pos);
            gsl_matrix_set_identity(B);
            cr_expect(!(mlphys_matrix_rel_error(Q, B) <= 1e-3), "relative error hid %g at %zu (in A)", bad[b], pos);
            cr_expect(!(mlphys_matrix_rel_error(B, Q) <= 1e-3), "relative error hid %g at %zu (in B)", bad[b], pos);
        }
    gsl_matrix_set_identity(Q);
    cr_expect(mlphys_orthonormality_error(Q) == 0.0, "the identity is not orthonormal");
    gsl_matrix_free(Q), gsl_matrix_free(B);
}
