/*
 * Chapter 03, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "woodbury.h"

#include <gsl/gsl_multifit.h>

/* The suite is declared in tests.c; these tests join it. */

Test(woodbury, rls_long_stream_stays_accurate, .description = "after 20000 observations of a quadratic sensor calibration, RLS still equals batch least squares")
{
    /* A sensor calibration y = b0 + b1 T + b2 T^2 with T uniform in [-1, 1] (a Vandermonde-like
     * design, kappa(X^T X) ~ 30) and 0.01 noise, streamed 20000 times.  P shrinks like 1/N, so
     * the rank-1 corrections become tiny and round-off does not accumulate: measured error
     * ~1e-14 relative; 1e-9 leaves room for any correct ordering of the operations. */
    const size_t N = 20000, p = 3, m0 = 3;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(N, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *y = gsl_vector_alloc(N), *beta = gsl_vector_alloc(p);
    for (size_t i = 0; i < N; i++) {
        double T = gsl_ran_flat(rng, -1.0, 1.0);
        gsl_matrix_set(X, i, 0, 1.0), gsl_matrix_set(X, i, 1, T), gsl_matrix_set(X, i, 2, T * T);
        gsl_vector_set(y, i, 0.3 - 1.2 * T + 0.5 * T * T + gsl_ran_gaussian(rng, 0.01));
    }
    double chisq;
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(N, p);
    gsl_multifit_linear(X, y, beta, cov, &chisq, ws);
    gsl_multifit_linear_free(ws);
    rls_state *s = rls_alloc(p, 1.0);
    gsl_matrix_const_view X0 = gsl_matrix_const_submatrix(X, 0, 0, m0, p);
    gsl_vector_const_view y0 = gsl_vector_const_subvector(y, 0, m0);
    mlphys_require_implemented(rls_init(s, &X0.matrix, &y0.vector), "rls_init", 4);
    for (size_t i = m0; i < N; i++) {
        gsl_vector_const_view row = gsl_matrix_const_row(X, i);
        mlphys_require_implemented(rls_update(s, &row.vector, gsl_vector_get(y, i)), "rls_update", 5);
    }
    mlphys_assert_vector_close(s->beta, beta, 1e-9, 1e-9, "RLS beta after 20000 observations vs gsl_multifit_linear",
                               "Keep P symmetric: update it with the outer product (P x)(P x)^T.");
    rls_free(s);
    gsl_matrix_free(X), gsl_matrix_free(cov), gsl_vector_free(y), gsl_vector_free(beta);
}
