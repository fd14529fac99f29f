/*
 * Chapter 08 tests: Bayesian linear regression against cases worked by hand, against ridge
 * regression solved independently by GSL (SVD-based Tikhonov, gsl_multifit_linear_solve),
 * against the Gaussian marginal likelihood N(t; 0, I/beta + Phi Phi^T/alpha) evaluated with
 * GSL's Cholesky, and against invariants (sequential = batch, covariance inverts precision).
 * Nothing here is compared with numbers produced by the reference solution.
 *
 * The data of the statistical tests are the chapter's: t = -0.3 + 0.5 x + N(0, 0.2^2), x uniform
 * on [-1, 1], alpha = 2, beta = 25 = 1/0.2^2, basis phi(x) = (1, x).
 */
#include "mlphys_test.h"
#include "bayes_regression.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_multifit.h>
#include <stdlib.h>

MLPHYS_SUITE(bayes_regression, 10);

#define ALPHA 2.0
#define BETA 25.0
static const double W_TRUE[2] = {-0.3, 0.5};

/* ---- helpers --------------------------------------------------------------------------- */

/* N points of the chapter's line: Phi rows (1, x_n), t_n = -0.3 + 0.5 x_n + N(0, 0.2^2). */
static void line_data(gsl_rng *rng, gsl_matrix *Phi, gsl_vector *t)
{
    for (size_t n = 0; n < Phi->size1; n++) {
        double x = -1 + 2 * gsl_rng_uniform(rng);
        gsl_matrix_set(Phi, n, 0, 1.0), gsl_matrix_set(Phi, n, 1, x);
        gsl_vector_set(t, n, W_TRUE[0] + W_TRUE[1] * x + gsl_ran_gaussian(rng, 0.2));
    }
}

/* N points of a cubic with M = 4 polynomial features phi_j(x) = x^j. */
static void cubic_data(gsl_rng *rng, gsl_matrix *Phi, gsl_vector *t)
{
    for (size_t n = 0; n < Phi->size1; n++) {
        double x = -1 + 2 * gsl_rng_uniform(rng), p = 1;
        for (size_t j = 0; j < Phi->size2; j++, p *= x)
            gsl_matrix_set(Phi, n, j, p);
        gsl_vector_set(t, n, sin(3 * x) + gsl_ran_gaussian(rng, 0.2));
    }
}

/* Ridge regression, min |t - Phi w|^2 + lambda |w|^2, by GSL's SVD-based Tikhonov solver
 * (which minimises |y - X c|^2 + mu^2 |c|^2, so mu = sqrt(lambda)). */
static gsl_vector *gsl_ridge(const gsl_matrix *Phi, const gsl_vector *t, double lambda)
{
    const size_t N = Phi->size1, M = Phi->size2;
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(N, M);
    gsl_vector *c = gsl_vector_alloc(M);
    double rnorm, snorm;
    gsl_multifit_linear_svd(Phi, w);
    gsl_multifit_linear_solve(sqrt(lambda), Phi, t, c, &rnorm, &snorm, w);
    gsl_multifit_linear_free(w);
    return c;
}

/* ln N(t; 0, C) with C = I/beta + Phi Phi^T/alpha (N x N), the marginal likelihood of t once
 * w ~ N(0, I/alpha) is integrated out, by Cholesky: ln p = -1/2 t^T C^{-1} t - sum ln L_ii
 * - N/2 ln 2 pi.  A route through N x N matrices, independent of the M x M posterior. */
static double gaussian_marginal_loglik(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta)
{
    const size_t N = Phi->size1;
    gsl_matrix *C = gsl_matrix_alloc(N, N);
    gsl_vector *y = gsl_vector_alloc(N);
    gsl_matrix_set_identity(C);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0 / alpha, Phi, Phi, 1.0 / beta, C);
    gsl_linalg_cholesky_decomp1(C);
    gsl_linalg_cholesky_solve(C, t, y);
    double q, logdet = 0;
    gsl_blas_ddot(t, y, &q);
    for (size_t i = 0; i < N; i++)
        logdet += log(gsl_matrix_get(C, i, i));
    gsl_matrix_free(C), gsl_vector_free(y);
    return -0.5 * q - logdet - 0.5 * (double)N * log(2 * M_PI);
}

/* max |(S A - I)_ij| with A = alpha I + beta Phi^T Phi */
static double inverse_error(const gsl_matrix *S, const gsl_matrix *Phi, double alpha, double beta)
{
    const size_t M = S->size1;
    gsl_matrix *A = gsl_matrix_alloc(M, M), *P = gsl_matrix_alloc(M, M);
    gsl_matrix_set_identity(A);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, beta, Phi, Phi, alpha, A);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, S, A, 0.0, P);
    double e = 0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++) {
            double d = fabs(gsl_matrix_get(P, i, j) - (i == j));
            if (!isfinite(d)) /* a NaN must not be hidden by a later finite entry (fmax drops NaN) */
                e = INFINITY;
            else if (d > e)
                e = d;
        }
    gsl_matrix_free(A), gsl_matrix_free(P);
    return e;
}

/* Feed the rows of Phi one at a time to blr_update, starting from the prior. */
static void sequential(const gsl_matrix *Phi, const gsl_vector *t, double alpha, double beta, gsl_vector *m,
                       gsl_matrix *S)
{
    mlphys_require_implemented(blr_prior(alpha, m, S), "blr_prior", 1);
    for (size_t n = 0; n < Phi->size1; n++) {
        gsl_vector_const_view row = gsl_matrix_const_row(Phi, n);
        mlphys_require_implemented(blr_update(&row.vector, gsl_vector_get(t, n), beta, m, S), "blr_update", 3);
    }
}

/* ---- prior and batch posterior --------------------------------------------------------- */

Test(bayes_regression, prior_is_isotropic_gaussian, .description = "blr_prior(alpha = 2) gives m = 0 and S = I/2")
{
    gsl_vector *m = gsl_vector_alloc(3);
    gsl_matrix *S = gsl_matrix_alloc(3, 3), *want = gsl_matrix_alloc(3, 3);
    gsl_vector_set_all(m, 7), gsl_matrix_set_all(S, 7);
    mlphys_require_implemented(blr_prior(2.0, m, S), "blr_prior", 1);
    gsl_matrix_set_identity(want), gsl_matrix_scale(want, 0.5);
    for (size_t i = 0; i < 3; i++)
        cr_expect(gsl_vector_get(m, i) == 0, "m[%zu] = %g: the prior mean is 0", i, gsl_vector_get(m, i));
    mlphys_assert_matrix_close(S, want, 0, 0, "prior covariance", "S = I/alpha: alpha is a precision, not a variance");
    gsl_matrix *R = gsl_matrix_alloc(3, 4);
    gsl_matrix_set_all(R, 7);
    mlphys_require_status(blr_prior(2.0, m, R), GSL_EBADLEN, "blr_prior", "S is 3 x 4, not M x M");
    mlphys_require_status(blr_prior(NAN, m, S), GSL_EINVAL, "blr_prior", "alpha = NaN (write the check as !(alpha > 0))");
    cr_expect(gsl_matrix_get(R, 0, 0) == 7 && gsl_matrix_get(S, 0, 0) == 0.5, "S was written although the input was rejected");
    gsl_vector_free(m), gsl_matrix_free(S), gsl_matrix_free(want), gsl_matrix_free(R);
}

Test(bayes_regression, no_data_posterior_is_the_prior,
     .description = "with N = 0 (Phi = t = NULL) the posterior is the prior, and the predictive variance is 1/beta + |phi|^2/alpha")
{
    gsl_vector *m = gsl_vector_alloc(2), *phi = gsl_vector_alloc(2);
    gsl_matrix *S = gsl_matrix_alloc(2, 2), *want = gsl_matrix_alloc(2, 2);
    gsl_vector_set_all(m, 7), gsl_matrix_set_all(S, 7);
    mlphys_require_implemented(blr_posterior(NULL, NULL, ALPHA, BETA, m, S), "blr_posterior", 2);
    gsl_matrix_set_identity(want), gsl_matrix_scale(want, 1.0 / ALPHA);
    mlphys_assert_close(gsl_vector_get(m, 0), 0, 0, 0, "m[0] with no data");
    mlphys_assert_close(gsl_vector_get(m, 1), 0, 0, 0, "m[1] with no data");
    mlphys_assert_matrix_close(S, want, 1e-16, 0, "S with no data", "with no data S_N = (alpha I)^{-1}");
    /* phi = (1, 0.5): var = 1/25 + 1.25/2 = 0.665 (round-off only) */
    gsl_vector_set(phi, 0, 1), gsl_vector_set(phi, 1, 0.5);
    double mean = 9, var = 9;
    mlphys_require_implemented(blr_predict(phi, m, S, BETA, &mean, &var), "blr_predict", 4);
    mlphys_assert_close(mean, 0, 1e-16, 0, "prior predictive mean at x = 0.5");
    mlphys_assert_close(var, 0.04 + 0.625, 1e-15, 1e-14, "prior predictive variance at x = 0.5 (1/beta + phi^T phi/alpha)");
    gsl_vector_free(m), gsl_vector_free(phi), gsl_matrix_free(S), gsl_matrix_free(want);
}

Test(bayes_regression, one_point_by_hand,
     .description = "one point phi = (1, 0.5), t = 0.2, alpha = 2, beta = 25: S = [[8.25, -12.5], [-12.5, 27]]/66.5, m = (10, 5)/66.5")
{
    /* A = 2 I + 25 phi phi^T = [[27, 12.5], [12.5, 8.25]], det A = 222.75 - 156.25 = 66.5;
     * S = A^{-1} = [[8.25, -12.5], [-12.5, 27]] / 66.5;
     * m = 25 * 0.2 * S phi = 5 (8.25 - 6.25, -12.5 + 13.5)/66.5 = (10, 5)/66.5.
     * Tolerances: round-off of a 2 x 2 solve with condition number ~ 40. */
    double phia[] = {1, 0.5}, sw[] = {8.25 / 66.5, -12.5 / 66.5, -12.5 / 66.5, 27 / 66.5}, mw[] = {10 / 66.5, 5 / 66.5};
    gsl_matrix_view Phi = gsl_matrix_view_array(phia, 1, 2), Sw = gsl_matrix_view_array(sw, 2, 2);
    gsl_vector_view mwv = gsl_vector_view_array(mw, 2);
    gsl_vector *t = gsl_vector_alloc(1), *m = gsl_vector_alloc(2);
    gsl_matrix *S = gsl_matrix_alloc(2, 2);
    gsl_vector_set(t, 0, 0.2);
    gsl_vector_set_all(m, NAN), gsl_matrix_set_all(S, NAN); /* garbage: every entry must be written */
    mlphys_require_implemented(blr_posterior(&Phi.matrix, t, ALPHA, BETA, m, S), "blr_posterior", 2);
    cr_expect(phia[0] == 1 && phia[1] == 0.5 && gsl_vector_get(t, 0) == 0.2, "Phi or t was changed: they are const inputs");
    mlphys_assert_matrix_close(S, &Sw.matrix, 1e-14, 1e-13, "S_N after one point",
                               "S_N = (alpha I + beta Phi^T Phi)^{-1}: is beta multiplying Phi^T Phi, and alpha the identity?");
    mlphys_assert_vector_close(m, &mwv.vector, 1e-14, 1e-13, "m_N after one point",
                               "m_N = beta S_N Phi^T t: did you forget the factor beta?");
    gsl_vector_free(t), gsl_vector_free(m), gsl_matrix_free(S);
}

Test(bayes_regression, posterior_mean_is_ridge_regression,
     .description = "m_N equals ridge regression with lambda = alpha/beta, solved by GSL's Tikhonov SVD (line N = 20, cubic N = 30)")
{
    /* m_N = (alpha/beta I + Phi^T Phi)^{-1} Phi^T t is the ridge solution.  Both routes are
     * backward stable on matrices with condition number < 1e3: 1e-10 relative is ~1e4 eps. */
    gsl_rng *rng = mlphys_rng();
    for (int c = 0; c < 2; c++) {
        size_t N = c ? 30 : 20, M = c ? 4 : 2;
        double alpha = c ? 0.5 : ALPHA;
        gsl_matrix *Phi = gsl_matrix_alloc(N, M), *S = gsl_matrix_alloc(M, M);
        gsl_vector *t = gsl_vector_alloc(N), *m = gsl_vector_alloc(M);
        if (c)
            cubic_data(rng, Phi, t);
        else
            line_data(rng, Phi, t);
        gsl_matrix *Phi0 = gsl_matrix_alloc(N, M);
        gsl_vector *t0 = gsl_vector_alloc(N);
        gsl_matrix_memcpy(Phi0, Phi), gsl_vector_memcpy(t0, t);
        gsl_vector_set_all(m, NAN), gsl_matrix_set_all(S, NAN); /* garbage: every entry must be written */
        mlphys_require_implemented(blr_posterior(Phi, t, alpha, BETA, m, S), "blr_posterior", 2);
        mlphys_assert_matrix_close(Phi, Phi0, 0, 0, "Phi after blr_posterior", "Phi is a const input.");
        mlphys_assert_vector_close(t, t0, 0, 0, "t after blr_posterior", "t is a const input.");
        gsl_matrix_free(Phi0), gsl_vector_free(t0);
        gsl_vector *ridge = gsl_ridge(Phi, t, alpha / BETA);
        mlphys_assert_vector_close(m, ridge, 1e-12, 1e-10, c ? "m_N vs ridge, cubic, M = 4" : "m_N vs ridge, line, M = 2",
                                   "the posterior mean is the ridge solution with lambda = alpha/beta");
        cr_expect(inverse_error(S, Phi, alpha, BETA) < 1e-12, "S_N (alpha I + beta Phi^T Phi) differs from I by %.3g: "
                  "S_N must be the inverse of the posterior precision", inverse_error(S, Phi, alpha, BETA));
        gsl_matrix_free(Phi), gsl_matrix_free(S), gsl_vector_free(t), gsl_vector_free(m), gsl_vector_free(ridge);
    }
}

Test(bayes_regression, posterior_rejects_bad_input,
     .description = "shape mismatches give GSL_EBADLEN; alpha or beta <= 0, or only one of Phi, t NULL, give GSL_EINVAL")
{
    gsl_matrix *Phi = gsl_matrix_alloc(5, 2), *S = gsl_matrix_alloc(2, 2), *S3 = gsl_matrix_alloc(3, 3);
    gsl_vector *t = gsl_vector_alloc(5), *t4 = gsl_vector_alloc(4), *m = gsl_vector_alloc(2);
    gsl_matrix_set_all(Phi, 1), gsl_vector_set_all(t, 1), gsl_vector_set_all(t4, 1);
    gsl_vector_set_all(m, 7), gsl_matrix_set_all(S, 7);
    mlphys_require_status(blr_posterior(Phi, t4, ALPHA, BETA, m, S), GSL_EBADLEN, "blr_posterior", "t has 4 entries, Phi 5 rows");
    mlphys_require_status(blr_posterior(Phi, t, ALPHA, BETA, m, S3), GSL_EBADLEN, "blr_posterior", "S is 3 x 3 for M = 2");
    mlphys_require_status(blr_posterior(Phi, t, 0.0, BETA, m, S), GSL_EINVAL, "blr_posterior", "alpha = 0");
    mlphys_require_status(blr_posterior(Phi, t, ALPHA, -1.0, m, S), GSL_EINVAL, "blr_posterior", "beta = -1");
    mlphys_require_status(blr_posterior(Phi, NULL, ALPHA, BETA, m, S), GSL_EINVAL, "blr_posterior", "Phi given but t = NULL");
    mlphys_require_status(blr_posterior(Phi, t, NAN, BETA, m, S), GSL_EINVAL, "blr_posterior", "alpha = NaN");
    mlphys_require_status(blr_posterior(Phi, t, ALPHA, INFINITY, m, S), GSL_EINVAL, "blr_posterior", "beta = inf");
    mlphys_require_status(blr_prior(-2.0, m, S), GSL_EINVAL, "blr_prior", "alpha = -2");
    mlphys_require_status(blr_prior(ALPHA, m, S3), GSL_EBADLEN, "blr_prior", "S is 3 x 3 for M = 2");
    cr_expect(gsl_vector_get(m, 0) == 7 && gsl_matrix_get(S, 1, 0) == 7, "m or S was written although the input was rejected");
    gsl_matrix_free(Phi), gsl_matrix_free(S), gsl_matrix_free(S3), gsl_vector_free(t), gsl_vector_free(t4), gsl_vector_free(m);
}

/* ---- sequential updates ----------------------------------------------------------------- */

Test(bayes_regression, one_update_by_hand,
     .description = "one sequential update from the prior gives the same hand-worked S and m as the batch formula")
{
    double phia[] = {1, 0.5}, sw[] = {8.25 / 66.5, -12.5 / 66.5, -12.5 / 66.5, 27 / 66.5}, mw[] = {10 / 66.5, 5 / 66.5};
    gsl_vector_view phi = gsl_vector_view_array(phia, 2), mwv = gsl_vector_view_array(mw, 2);
    gsl_matrix_view Sw = gsl_matrix_view_array(sw, 2, 2);
    gsl_vector *m = gsl_vector_alloc(2);
    gsl_matrix *S = gsl_matrix_alloc(2, 2);
    mlphys_require_implemented(blr_prior(ALPHA, m, S), "blr_prior", 1);
    mlphys_require_implemented(blr_update(&phi.vector, 0.2, BETA, m, S), "blr_update", 3);
    cr_expect(phia[0] == 1 && phia[1] == 0.5, "phi was changed to (%g, %g): it is a const input", phia[0], phia[1]);
    mlphys_assert_matrix_close(S, &Sw.matrix, 1e-14, 1e-13, "S after one update",
                               "Sherman-Morrison: S' = S - beta S phi phi^T S / (1 + beta phi^T S phi)");
    mlphys_assert_vector_close(m, &mwv.vector, 1e-14, 1e-13, "m after one update",
                               "m' = m + S phi (t - phi^T m) / (1/beta + phi^T S phi); did you use the old or the new S?");
    gsl_vector_free(m), gsl_matrix_free(S);
}

Test(bayes_regression, sequential_equals_batch,
     .description = "20 line points (and 30 cubic points) fed one at a time give the batch posterior to 1e-12")
{
    /* Exact algebra (the product rule); round-off of 20-30 rank-one updates on well-conditioned
     * 2 x 2 and 4 x 4 matrices: measured max difference 7e-16 over 2000 seeds (line). */
    gsl_rng *rng = mlphys_rng();
    for (int c = 0; c < 2; c++) {
        size_t N = c ? 30 : 20, M = c ? 4 : 2;
        double alpha = c ? 0.5 : ALPHA;
        gsl_matrix *Phi = gsl_matrix_alloc(N, M), *S = gsl_matrix_alloc(M, M), *Sb = gsl_matrix_alloc(M, M);
        gsl_vector *t = gsl_vector_alloc(N), *m = gsl_vector_alloc(M), *mb = gsl_vector_alloc(M);
        if (c)
            cubic_data(rng, Phi, t);
        else
            line_data(rng, Phi, t);
        sequential(Phi, t, alpha, BETA, m, S);
        mlphys_require_implemented(blr_posterior(Phi, t, alpha, BETA, mb, Sb), "blr_posterior", 2);
        mlphys_assert_vector_close(m, mb, 1e-12, 0, c ? "sequential vs batch m, cubic" : "sequential vs batch m, line",
                                   "each step's posterior is the next step's prior: update m with the OLD S phi");
        mlphys_assert_matrix_close(S, Sb, 1e-12, 0, c ? "sequential vs batch S, cubic" : "sequential vs batch S, line",
                                   "S' = S - (S phi)(S phi)^T / (1/beta + phi^T S phi)");
        gsl_matrix_free(Phi), gsl_matrix_free(S), gsl_matrix_free(Sb);
        gsl_vector_free(t), gsl_vector_free(m), gsl_vector_free(mb);
    }
}

Test(bayes_regression, update_rejects_bad_input,
     .description = "blr_update: phi of the wrong size gives GSL_EBADLEN, beta <= 0 gives GSL_EINVAL, m and S untouched")
{
    gsl_vector *phi3 = gsl_vector_alloc(3), *phi = gsl_vector_alloc(2), *m = gsl_vector_alloc(2);
    gsl_matrix *S = gsl_matrix_alloc(2, 2);
    gsl_vector_set_all(phi3, 1), gsl_vector_set_all(phi, 1), gsl_vector_set_all(m, 7), gsl_matrix_set_identity(S);
    mlphys_require_status(blr_update(phi3, 0.1, BETA, m, S), GSL_EBADLEN, "blr_update", "phi has 3 entries for M = 2");
    mlphys_require_status(blr_update(phi, 0.1, 0.0, m, S), GSL_EINVAL, "blr_update", "beta = 0");
    mlphys_require_status(blr_update(phi, 0.1, NAN, m, S), GSL_EINVAL, "blr_update", "beta = NaN");
    mlphys_require_status(blr_update(phi, NAN, BETA, m, S), GSL_EINVAL, "blr_update",
                          "t_new = NaN (one bad measurement would poison m and S for good)");
    gsl_matrix *S3 = gsl_matrix_alloc(3, 3);
    mlphys_require_status(blr_update(phi, 0.1, BETA, m, S3), GSL_EBADLEN, "blr_update", "S is 3 x 3 for M = 2");
    gsl_matrix_free(S3);
    cr_expect(gsl_vector_get(m, 0) == 7 && gsl_matrix_get(S, 0, 0) == 1 && gsl_matrix_get(S, 0, 1) == 0,
              "m or S was changed although the input was rejected");
    gsl_vector_free(phi3), gsl_vector_free(phi), gsl_vector_free(m), gsl_matrix_free(S);
}

/* ---- the predictive distribution -------------------------------------------------------- */

Test(bayes_regression, predictive_by_hand,
     .description = "m = (0.3, -0.2), S = [[2, 1], [1, 3]], phi = (1, 2), beta = 25: mean = -0.1, var = 18.04")
{
    /* mean = 0.3 - 0.4 = -0.1; phi^T S phi = 2 + 2*2*1 + 4*3 = 18; var = 18 + 1/25 */
    double ma[] = {0.3, -0.2}, sa[] = {2, 1, 1, 3}, pa[] = {1, 2};
    gsl_vector_view m = gsl_vector_view_array(ma, 2), phi = gsl_vector_view_array(pa, 2);
    gsl_matrix_view S = gsl_matrix_view_array(sa, 2, 2);
    double mean = 9, var = 9;
    mlphys_require_implemented(blr_predict(&phi.vector, &m.vector, &S.matrix, BETA, &mean, &var), "blr_predict", 4);
    mlphys_assert_close(mean, -0.1, 1e-15, 1e-14, "predictive mean m^T phi");
    mlphys_assert_close(var, 18.04, 1e-15, 1e-14, "predictive variance (noise 1/beta plus parameter uncertainty phi^T S phi)");
    mlphys_require_status(blr_predict(&phi.vector, &m.vector, &S.matrix, -1.0, &mean, &var), GSL_EINVAL, "blr_predict", "beta = -1");
    gsl_vector_view phi1 = gsl_vector_view_array(pa, 1);
    mlphys_require_status(blr_predict(&phi1.vector, &m.vector, &S.matrix, BETA, &mean, &var), GSL_EBADLEN, "blr_predict",
                          "phi has 1 entry for M = 2");
    cr_expect(ma[0] == 0.3 && ma[1] == -0.2 && sa[0] == 2 && sa[1] == 1 && sa[2] == 1 && sa[3] == 3 && pa[0] == 1 && pa[1] == 2,
              "m, S or phi was changed by blr_predict: they are const inputs");
}

Test(bayes_regression, predictive_variance_shrinks_to_noise_floor,
     .description = "as N grows the predictive variance at x = 0.5 never increases, stays above 1/beta, and approaches it like (1 + 3x^2)/(beta N)")
{
    /* Nested data sets: adding a point subtracts a positive semi-definite term from S, so the
     * variance cannot grow (tolerance: round-off, 1e-15).  For large N, Phi^T Phi ~ N diag(1, 1/3)
     * and phi^T S_N phi ~ (1 + 3 x^2)/(beta N) = 1.75/(beta N) at x = 0.5.  At N = 2000 the ratio
     * N beta (var - 1/beta) / 1.75 measured over 2000 seeds lies in [0.925, 1.077] (sd ~0.025,
     * from the fluctuations of Phi^T Phi / N); the tolerance 0.2 is 8 sd. */
    const size_t N = 2000;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *Phi = gsl_matrix_alloc(N, 2), *S = gsl_matrix_alloc(2, 2);
    gsl_vector *t = gsl_vector_alloc(N), *m = gsl_vector_alloc(2), *phi = gsl_vector_alloc(2);
    line_data(rng, Phi, t);
    gsl_vector_set(phi, 0, 1), gsl_vector_set(phi, 1, 0.5);
    double prev = INFINITY, mean, var = 0;
    const size_t sizes[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        gsl_matrix_const_view P = gsl_matrix_const_submatrix(Phi, 0, 0, sizes[i], 2);
        gsl_vector_const_view tv = gsl_vector_const_subvector(t, 0, sizes[i]);
        mlphys_require_implemented(blr_posterior(&P.matrix, &tv.vector, ALPHA, BETA, m, S), "blr_posterior", 2);
        mlphys_require_implemented(blr_predict(phi, m, S, BETA, &mean, &var), "blr_predict", 4);
        cr_expect(var <= prev * (1 + 1e-15), "predictive variance grew from %.6g to %.6g when N went to %zu: "
                  "more data can only reduce the parameter uncertainty", prev, var, sizes[i]);
        cr_expect(var >= 1.0 / BETA, "predictive variance %.6g < 1/beta = 0.04 at N = %zu: did you forget the noise term 1/beta?",
                  var, sizes[i]);
        prev = var;
    }
    double ratio = (double)N * BETA * (var - 1.0 / BETA) / 1.75;
    mlphys_assert_close(ratio, 1.0, 0.2, 0, "N beta (var - 1/beta) / (1 + 3 x^2) at N = 2000, x = 0.5");
    gsl_matrix_free(Phi), gsl_matrix_free(S), gsl_vector_free(t), gsl_vector_free(m), gsl_vector_free(phi);
}

/* ---- coverage --------------------------------------------------------------------------- */

Test(bayes_regression, truth_within_five_posterior_sd_at_twenty_points,
     .description = "after 20 points each true weight (-0.3, 0.5) lies within 5 posterior standard deviations of m_N")
{
    /* z_i = (m_i - w_i) / sqrt(S_ii) is N(0, 1) up to the small shrinkage of the prior: measured
     * over 2000 seeds mean -0.005, rms 0.993, max |z| 3.44 in 4000 values.  A 3-sd bound would
     * fail 0.27% of the seeds per weight; 5 sd fails with probability 6e-7 (5 sigma). */
    gsl_matrix *Phi = gsl_matrix_alloc(20, 2), *S = gsl_matrix_alloc(2, 2);
    gsl_vector *t = gsl_vector_alloc(20), *m = gsl_vector_alloc(2);
    line_data(mlphys_rng(), Phi, t);
    mlphys_require_implemented(blr_posterior(Phi, t, ALPHA, BETA, m, S), "blr_posterior", 2);
    for (size_t i = 0; i < 2; i++) {
        double sd = sqrt(gsl_matrix_get(S, i, i)), z = (gsl_vector_get(m, i) - W_TRUE[i]) / sd;
        cr_expect(fabs(z) < 5, "w%zu: m_N = %.4f, posterior sd %.4f, truth %.2f: %.1f sd away (allowed 5). "
                  "Is S_N the covariance (not the precision)?", i, gsl_vector_get(m, i), sd, W_TRUE[i], z);
        /* and the posterior is informative: sd well below the prior's 1/sqrt(2) (data precision
         * ~ beta N E[x^2] >= 25 * 20 / 3 = 167 for w1, so sd ~ 0.08; 0.2 allows any draw) */
        cr_expect(sd < 0.2, "posterior sd of w%zu after 20 points is %.3f: it should be ~0.05-0.08", i, sd);
    }
    gsl_matrix_free(Phi), gsl_matrix_free(S), gsl_vector_free(t), gsl_vector_free(m);
}

/* ---- the evidence ----------------------------------------------------------------------- */

Test(bayes_regression, log_evidence_by_hand,
     .description = "one point, M = 1, phi = 2, t = 1, alpha = 2, beta = 25: t ~ N(0, 1/25 + 4/2), ln p = -1/2 ln(2 pi 2.04) - 1/4.08")
{
    double pa[] = {2};
    gsl_matrix_view Phi = gsl_matrix_view_array(pa, 1, 1);
    gsl_vector *t = gsl_vector_alloc(1);
    gsl_vector_set(t, 0, 1.0);
    double le = 0;
    mlphys_require_implemented(blr_log_evidence(&Phi.matrix, t, ALPHA, BETA, &le), "blr_log_evidence", 5);
    cr_expect(pa[0] == 2 && gsl_vector_get(t, 0) == 1.0, "Phi or t was changed: they are const inputs");
    mlphys_assert_close(le, -0.5 * log(2 * M_PI * 2.04) - 1 / 4.08, 1e-14, 1e-13,
                        "ln p(t) for one point (check the signs of the four terms and the factors 1/2)");
    gsl_vector_free(t);
}

Test(bayes_regression, log_evidence_is_gaussian_marginal,
     .description = "the log evidence equals ln N(t; 0, I/beta + Phi Phi^T/alpha) from GSL's Cholesky (line N = 20, cubic N = 30)")
{
    /* Two different exact formulas (M x M through the posterior, N x N through the marginal
     * covariance); both well conditioned, so they agree to ~1e-13 relative; 1e-10 is safe. */
    gsl_rng *rng = mlphys_rng();
    for (int c = 0; c < 2; c++) {
        size_t N = c ? 30 : 20, M = c ? 4 : 2;
        double alpha = c ? 0.5 : ALPHA;
        gsl_matrix *Phi = gsl_matrix_alloc(N, M);
        gsl_vector *t = gsl_vector_alloc(N);
        if (c)
            cubic_data(rng, Phi, t);
        else
            line_data(rng, Phi, t);
        double le = 0;
        mlphys_require_implemented(blr_log_evidence(Phi, t, alpha, BETA, &le), "blr_log_evidence", 5);
        mlphys_assert_close(le, gaussian_marginal_loglik(Phi, t, alpha, BETA), 1e-10, 1e-10,
                            "%s: log evidence vs ln N(t; 0, I/beta + Phi Phi^T / alpha)", c ? "cubic, M = 4" : "line, M = 2");
        gsl_matrix_free(Phi), gsl_vector_free(t);
    }
}

Test(bayes_regression, log_evidence_rejects_bad_input,
     .description = "blr_log_evidence: t of the wrong length gives GSL_EBADLEN, alpha <= 0 gives GSL_EINVAL")
{
    gsl_matrix *Phi = gsl_matrix_alloc(5, 2);
    gsl_vector *t = gsl_vector_alloc(4), *t5 = gsl_vector_alloc(5);
    gsl_matrix_set_all(Phi, 1), gsl_vector_set_all(t, 1), gsl_vector_set_all(t5, 1);
    double le = 7;
    mlphys_require_status(blr_log_evidence(Phi, t, ALPHA, BETA, &le), GSL_EBADLEN, "blr_log_evidence", "t has 4 entries, Phi 5 rows");
    mlphys_require_status(blr_log_evidence(Phi, t5, 0.0, BETA, &le), GSL_EINVAL, "blr_log_evidence", "alpha = 0");
    mlphys_require_status(blr_log_evidence(Phi, t5, ALPHA, NAN, &le), GSL_EINVAL, "blr_log_evidence", "beta = NaN");
    cr_expect(le == 7, "logev was written although the input was rejected");
    gsl_matrix_free(Phi), gsl_vector_free(t), gsl_vector_free(t5);
}

/* ---- strided views ----------------------------------------------------------------------
 * A gsl_matrix may be a view into a larger one (row n at data + n * tda, tda > size2), and a
 * gsl_vector a view with a stride.  Every matrix argument below is a submatrix at column 1 of a
 * parent with 3 extra columns, every vector argument every 2nd entry of an array; the gaps hold
 * a sentinel.  Values are checked against the same independent references as above. */

#define SENTINEL -123.25

static gsl_matrix *padded_matrix(size_t r, size_t c, const gsl_matrix *src, gsl_matrix_view *v)
{
    gsl_matrix *parent = gsl_matrix_alloc(r, c + 3);
    gsl_matrix_set_all(parent, SENTINEL);
    *v = gsl_matrix_submatrix(parent, 0, 1, r, c);
    if (src)
        gsl_matrix_memcpy(&v->matrix, src);
    else
        gsl_matrix_set_all(&v->matrix, NAN);
    return parent;
}

static double *padded_vector(size_t n, const gsl_vector *src, gsl_vector_view *v)
{
    double *a = malloc(2 * n * sizeof *a);
    for (size_t i = 0; i < 2 * n; i++)
        a[i] = SENTINEL;
    *v = gsl_vector_view_array_with_stride(a, 2, n);
    if (src)
        gsl_vector_memcpy(&v->vector, src);
    else
        gsl_vector_set_all(&v->vector, NAN);
    return a;
}

static void check_matrix_padding(const gsl_matrix *parent, size_t c, const char *what)
{
    for (size_t i = 0; i < parent->size1; i++)
        for (size_t j = 0; j < parent->size2; j++)
            if ((j == 0 || j > c) && gsl_matrix_get(parent, i, j) != SENTINEL)
                cr_assert_fail("%s: entry (%zu, %zu) of the parent matrix, outside the view, became %g. Row i of a view "
                               "starts at data + i * tda (tda = %zu, size2 = %zu): use gsl_matrix_get/set or BLAS",
                               what, i, j, gsl_matrix_get(parent, i, j), parent->size2, c);
}

static void check_vector_padding(const double *a, size_t n, const char *what)
{
    for (size_t i = 1; i < 2 * n; i += 2)
        if (a[i] != SENTINEL)
            cr_assert_fail("%s: array entry %zu between two entries of a strided vector became %g: entry k of a vector "
                           "is data[k * stride]; use gsl_vector_get/set or BLAS", what, i, a[i]);
}

Test(bayes_regression, every_argument_may_be_a_strided_view,
     .description = "prior, posterior, update, predict and evidence on submatrix views (tda > size2) and strided vectors: right values, inputs unchanged, padding untouched")
{
    const size_t N = 20, M = 2;
    gsl_matrix *Phi = gsl_matrix_alloc(N, M);
    gsl_vector *t = gsl_vector_alloc(N);
    line_data(mlphys_rng(), Phi, t);
    gsl_matrix_view Phv, Sv;
    gsl_vector_view tv, mv, phv;
    gsl_matrix *Php = padded_matrix(N, M, Phi, &Phv), *Sp = padded_matrix(M, M, NULL, &Sv);
    double *tp = padded_vector(N, t, &tv), *mp = padded_vector(M, NULL, &mv);
    /* 1. prior into strided m and S */
    mlphys_require_implemented(blr_prior(ALPHA, &mv.vector, &Sv.matrix), "blr_prior", 1);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++)
            mlphys_assert_close(gsl_matrix_get(&Sv.matrix, i, j), i == j ? 1 / ALPHA : 0, 0, 0, "prior S[%zu][%zu] in a view", i, j);
    mlphys_assert_close(gsl_vector_get(&mv.vector, 0), 0, 0, 0, "prior m[0] in a strided vector");
    check_matrix_padding(Sp, M, "blr_prior output S"), check_vector_padding(mp, M, "blr_prior output m");
    /* 2. batch posterior from strided Phi, t into strided m, S, against GSL's ridge and S A = I */
    gsl_vector_set_all(&mv.vector, NAN), gsl_matrix_set_all(&Sv.matrix, NAN);
    mlphys_require_implemented(blr_posterior(&Phv.matrix, &tv.vector, ALPHA, BETA, &mv.vector, &Sv.matrix), "blr_posterior", 2);
    gsl_vector *ridge = gsl_ridge(Phi, t, ALPHA / BETA);
    mlphys_assert_vector_close(&mv.vector, ridge, 1e-12, 1e-10, "m_N from views vs GSL ridge",
                               "Phi^T t and Phi^T Phi over rows at data + n * tda.");
    double ie = inverse_error(&Sv.matrix, Phi, ALPHA, BETA);
    cr_assert(ie < 1e-12, "S_N from views: |S_N A - I| = %.3g (row i of a view is at data + i * tda)", ie);
    check_matrix_padding(Sp, M, "blr_posterior output S"), check_vector_padding(mp, M, "blr_posterior output m");
    check_matrix_padding(Php, M, "blr_posterior input Phi"), check_vector_padding(tp, N, "blr_posterior input t");
    mlphys_assert_matrix_close(&Phv.matrix, Phi, 0, 0, "Phi after blr_posterior", "Phi is const.");
    /* 3. sequential updates with strided phi (a row of the Phi view), m, S equal the batch result */
    gsl_matrix *Sb = gsl_matrix_alloc(M, M);
    gsl_vector *mb = gsl_vector_alloc(M);
    gsl_matrix_memcpy(Sb, &Sv.matrix), gsl_vector_memcpy(mb, &mv.vector);
    mlphys_require_implemented(blr_prior(ALPHA, &mv.vector, &Sv.matrix), "blr_prior", 1);
    for (size_t n = 0; n < N; n++) {
        gsl_vector_const_view row = gsl_matrix_const_row(&Phv.matrix, n);
        mlphys_require_implemented(blr_update(&row.vector, gsl_vector_get(&tv.vector, n), BETA, &mv.vector, &Sv.matrix),
                                   "blr_update", 3);
    }
    /* as in sequential_equals_batch: round-off of 20 rank-one updates, measured 7e-16 */
    mlphys_assert_vector_close(&mv.vector, mb, 1e-12, 0, "sequential m (strided) vs batch m", "entry k at data[k * stride].");
    mlphys_assert_matrix_close(&Sv.matrix, Sb, 1e-12, 0, "sequential S (a view) vs batch S", "row i at data + i * tda.");
    check_matrix_padding(Sp, M, "blr_update in/out S"), check_vector_padding(mp, M, "blr_update in/out m");
    check_matrix_padding(Php, M, "blr_update input phi (a row of Phi)");
    /* 4. predict with a strided phi and the view S: by hand for S = [[2, 1], [1, 3]], m = (0.3, -0.2) */
    double pa[] = {1, SENTINEL, 2, SENTINEL};
    phv = gsl_vector_view_array_with_stride(pa, 2, 2);
    gsl_matrix_set(&Sv.matrix, 0, 0, 2), gsl_matrix_set(&Sv.matrix, 0, 1, 1);
    gsl_matrix_set(&Sv.matrix, 1, 0, 1), gsl_matrix_set(&Sv.matrix, 1, 1, 3);
    gsl_vector_set(&mv.vector, 0, 0.3), gsl_vector_set(&mv.vector, 1, -0.2);
    double mean = NAN, var = NAN;
    mlphys_require_implemented(blr_predict(&phv.vector, &mv.vector, &Sv.matrix, BETA, &mean, &var), "blr_predict", 4);
    mlphys_assert_close(mean, -0.1, 1e-15, 1e-14, "predictive mean with strided phi, m");
    mlphys_assert_close(var, 18.04, 1e-15, 1e-14, "predictive variance with S a submatrix view (1/beta + phi^T S phi = 18.04)");
    check_vector_padding(pa, 2, "blr_predict input phi");
    /* 5. the evidence from strided Phi and t, against the N x N Gaussian marginal */
    double le = NAN;
    mlphys_require_implemented(blr_log_evidence(&Phv.matrix, &tv.vector, ALPHA, BETA, &le), "blr_log_evidence", 5);
    mlphys_assert_close(le, gaussian_marginal_loglik(Phi, t, ALPHA, BETA), 1e-10, 1e-10,
                        "log evidence from a Phi view and a strided t");
    check_matrix_padding(Php, M, "blr_log_evidence input Phi"), check_vector_padding(tp, N, "blr_log_evidence input t");
    gsl_matrix_free(Phi), gsl_matrix_free(Php), gsl_matrix_free(Sp), gsl_matrix_free(Sb);
    gsl_vector_free(t), gsl_vector_free(ridge), gsl_vector_free(mb);
    free(tp), free(mp);
}
