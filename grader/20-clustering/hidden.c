/*
 * Chapter 20, hidden tests: graded by the instructor, left out of the student release.
 */
#include "clustering_test.h"
#include "clustering.h"

#include <gsl/gsl_linalg.h>

/* The suite is declared in tests.c; these tests join it. */

Test(clustering, pca_matches_the_svd_of_centred_data, .description = "PCA variances are s^2 / (n - 1) for the singular values s of the centred data (GSL's SVD), and V spans the same directions")
{
    const size_t n = 120, d = 5;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, d), *A = gsl_matrix_alloc(n, d), *W = gsl_matrix_alloc(d, d);
    gsl_matrix *V = gsl_matrix_alloc(d, d);
    gsl_vector *s = gsl_vector_alloc(d), *work = gsl_vector_alloc(d), *m = gsl_vector_alloc(d), *var = gsl_vector_alloc(d);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(X, i, a, gsl_ran_gaussian(rng, 1.0 + a) + 0.3 * gsl_ran_gaussian(rng, 1.0) * (double)a + 10.0);
    mlphys_require_implemented(pca_fit(X, m, V, var, NULL), "pca_fit", 1);
    for (size_t a = 0; a < d; a++) {
        double mm = 0;
        for (size_t i = 0; i < n; i++)
            mm += gsl_matrix_get(X, i, a) / (double)n;
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(A, i, a, gsl_matrix_get(X, i, a) - mm);
    }
    gsl_linalg_SV_decomp(A, W, s, work);
    for (size_t c = 0; c < d; c++) {
        double want = gsl_vector_get(s, c) * gsl_vector_get(s, c) / (double)(n - 1);
        /* both backward stable: ~1e-14 relative to the largest; 1e-9 leaves room for any method */
        mlphys_assert_close(gsl_vector_get(var, c), want, 1e-9 * gsl_vector_get(s, 0) * gsl_vector_get(s, 0) / (n - 1), 0,
                            "var[%zu] vs s_%zu^2 / (n - 1) from the SVD of the centred data (divide by n - 1, not n)", c, c);
        /* |v_c . w_c| = 1: the same direction up to sign (the spectrum is well separated here) */
        double dot = 0;
        for (size_t a = 0; a < d; a++)
            dot += gsl_matrix_get(V, a, c) * gsl_matrix_get(W, a, c);
        mlphys_assert_close(fabs(dot), 1.0, 1e-8, 0, "|V[:, %zu] . (right singular vector %zu)|", c, c);
    }
    gsl_matrix_free(X), gsl_matrix_free(A), gsl_matrix_free(W), gsl_matrix_free(V);
    gsl_vector_free(s), gsl_vector_free(work), gsl_vector_free(m), gsl_vector_free(var);
}

Test(clustering, gmm_with_one_component_is_the_sample_mle, .description = "k = 1: one EM step lands on the sample mean and the biased (1/n) sample variance, and then stays there")
{
    const size_t n = 500;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, 2), *mu = gsl_matrix_alloc(1, 2), *var = gsl_matrix_alloc(1, 2);
    gsl_vector *w = gsl_vector_alloc(1);
    for (size_t i = 0; i < n; i++)
        gsl_matrix_set(X, i, 0, 3 + gsl_ran_gaussian(rng, 2.0)), gsl_matrix_set(X, i, 1, -1 + gsl_ran_gaussian(rng, 0.5));
    gsl_vector_set(w, 0, 1.0), gsl_matrix_set_all(mu, 0.0), gsl_matrix_set_all(var, 1.0);
    double L;
    size_t it = 0;
    mlphys_require_implemented(gmm_em(X, w, mu, var, 0.0, 50, 1e-12, &L, &it), "gmm_em", 8);
    for (size_t a = 0; a < 2; a++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += gsl_matrix_get(X, i, a) / (double)n;
        for (size_t i = 0; i < n; i++)
            v += (gsl_matrix_get(X, i, a) - m) * (gsl_matrix_get(X, i, a) - m) / (double)n;
        mlphys_assert_close(gsl_matrix_get(mu, 0, a), m, 1e-12, 1e-12, "mean, coordinate %zu", a);
        mlphys_assert_close(gsl_matrix_get(var, 0, a), v, 1e-12, 1e-10, "variance, coordinate %zu (maximum likelihood "
                            "divides by N_j, not N_j - 1)", a);
    }
    mlphys_assert_close(gsl_vector_get(w, 0), 1.0, 1e-14, 0, "the only weight");
    cr_assert(it == 2, "k = 1 converges after one M step (the second changes nothing); gmm_em took %zu", it);
    gsl_matrix_free(X), gsl_matrix_free(mu), gsl_matrix_free(var), gsl_vector_free(w);
}
