/*
 * Chapter 04, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "least_squares.h"

#include <gsl/gsl_blas.h>

/* The suite is declared in tests.c; these tests join it. */

Test(least_squares, longley_residual_standard_deviation_is_certified,
     .description = "the residual standard deviation of your Longley fit is NIST's 304.854073561965")
{
    ls_data *d = NULL;
    char err[512] = "";
    mlphys_require_implemented(ls_data_read(mlphys_data_path("longley.csv"), "employed", &d, err, sizeof err),
                               "ls_data_read", 1);
    cr_assert(d && d->X->size1 == 16 && d->X->size2 == 7, "Longley should load as 16 x 7 (%s)", err);
    gsl_vector *beta = gsl_vector_alloc(7), *r = gsl_vector_alloc(16);
    gsl_vector_set_all(beta, NAN); /* garbage that must be overwritten */
    mlphys_require_implemented(ls_lstsq_qr(d->X, d->y, beta), "ls_lstsq_qr", 3);
    gsl_vector_memcpy(r, d->y);
    gsl_blas_dgemv(CblasNoTrans, -1.0, d->X, beta, 1.0, r);
    double sd = gsl_blas_dnrm2(r) / sqrt(16.0 - 7.0);
    /* The residual is well conditioned (it moves only to second order with beta's error):
     * measured 1e-15 relative with QR; 1e-10 relative is what NIST asks of good software. */
    mlphys_assert_close(sd, 304.854073561965, 0, 1e-10,
                        "residual standard deviation sqrt(RSS / (n - p)) of the Longley fit");
    ls_data_free(d), gsl_vector_free(beta), gsl_vector_free(r);
}
