/*
 * Chapter 01, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "svd.h"

#include <gsl/gsl_blas.h>

/* The suite is declared in tests.c; these tests join it. */

Test(svd, your_svd_finds_the_spike, .description = "the top right singular vector of your svd_thin recovers the spike at lambda = 3")
{
    /* One draw at n = 150: theory (v.x)^2 = 1 - 1/9 = 0.889 and s_0 = 3.333.  Measured spread
     * of one draw at n = 200 is 0.013 (overlap) and 0.091 (s_0); at n = 150 it is ~15% larger,
     * so 0.08 and 0.55 are more than 5 sigma. */
    const size_t n = 150;
    gsl_vector *x = gsl_vector_alloc(n), *s = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n), *U = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
    mlphys_require_implemented(spiked_wigner_sample(3.0, mlphys_rng(), x, A), "spiked_wigner_sample", 5);
    mlphys_require_implemented(svd_thin(A, U, s, V), "svd_thin", 2);
    gsl_vector_view v = gsl_matrix_column(V, 0);
    double d;
    gsl_blas_ddot(&v.vector, x, &d);
    mlphys_assert_close(d * d, 8.0 / 9.0, 0.08, 0, "(v_0 . x)^2 from your SVD at lambda = 3");
    mlphys_assert_close(gsl_vector_get(s, 0), 10.0 / 3.0, 0.55, 0, "s_0 from your SVD at lambda = 3");
    gsl_vector_free(x), gsl_vector_free(s), gsl_matrix_free(A), gsl_matrix_free(U), gsl_matrix_free(V);
}
