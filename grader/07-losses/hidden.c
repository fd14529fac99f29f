/*
 * Chapter 07, hidden tests: graded by the instructor, left out of the student release.
 */
#include "losses.h"
#include "mlphys_test.h"

#include <gsl/gsl_blas.h>

/* The suite is declared in tests.c; these tests join it. */

Test(losses, xent_is_unchanged_by_shifting_each_row, .description = "adding a constant to every logit of a row changes neither the loss nor the gradient")
{
    const size_t N = 5, K = 4;
    gsl_matrix *Z = gsl_matrix_alloc(N, K), *Zs = gsl_matrix_alloc(N, K), *Y = gsl_matrix_calloc(N, K);
    gsl_matrix *d = gsl_matrix_alloc(N, K), *ds = gsl_matrix_alloc(N, K);
    mlphys_fill_gaussian(Z, mlphys_rng(), 2.0);
    for (size_t n = 0; n < N; n++) {
        gsl_matrix_set(Y, n, gsl_rng_uniform_int(mlphys_rng(), K), 1.0);
        double c = 600.0 * (double)n - 1200.0; /* -1200 .. 1200: far outside exp's range */
        for (size_t k = 0; k < K; k++)
            gsl_matrix_set(Zs, n, k, gsl_matrix_get(Z, n, k) + c);
    }
    double l, ls;
    mlphys_require_implemented(losses_softmax_xent(Z, Y, &l, d), "losses_softmax_xent", 5);
    mlphys_require_implemented(losses_softmax_xent(Zs, Y, &ls, ds), "losses_softmax_xent", 5);
    /* shifting by c = 1200 rounds each logit by up to 1200 eps ~ 3e-13: allow 1e-11 */
    mlphys_assert_close(ls, l, 1e-11, 0, "loss after shifting rows by -1200..1200 (softmax only sees "
                        "differences of logits)");
    mlphys_assert_matrix_close(ds, d, 1e-11, 0, "gradient after shifting rows", "subtract the row max "
                               "before exp, and compute log p as z - logsumexp(z).");
    gsl_matrix_free(Z), gsl_matrix_free(Zs), gsl_matrix_free(Y), gsl_matrix_free(d), gsl_matrix_free(ds);
}

Test(losses, ridge_weights_shrink_as_lambda_grows, .description = "|w(lambda)| decreases monotonically along the ridge path and tends to |X^T y| / lambda")
{
    const size_t N = 20, D = 5;
    gsl_matrix *X = gsl_matrix_alloc(N, D);
    gsl_vector *y = gsl_vector_alloc(N), *w = gsl_vector_alloc(D), *Xty = gsl_vector_alloc(D);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    for (size_t i = 0; i < N; i++)
        gsl_vector_set(y, i, gsl_ran_gaussian(mlphys_rng(), 1.0));
    gsl_blas_dgemv(CblasTrans, 1.0, X, y, 0.0, Xty);
    /* |w|^2 = sum_j s_j^2 (u_j.y)^2 / (s_j^2 + lambda)^2: strictly decreasing in lambda */
    double prev = INFINITY;
    for (int k = 0; k <= 12; k++) {
        double lambda = pow(10.0, -3.0 + 0.5 * k);
        mlphys_require_implemented(losses_ridge(X, y, lambda, w), "losses_ridge", 7);
        double nw = gsl_blas_dnrm2(w);
        cr_assert(nw < prev, "|w| = %.10g at lambda = %g is not below %.10g at the previous lambda", nw, lambda, prev);
        prev = nw;
    }
    /* at lambda = 1e3 >> s_max^2 ~ 40: w = X^T y / lambda (1 - O(s^2 / lambda)), within ~5% */
    mlphys_assert_close(prev, gsl_blas_dnrm2(Xty) / 1e3, 0, 0.06, "|w| at lambda = 1e3 vs |X^T y| / lambda");
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(Xty);
}
