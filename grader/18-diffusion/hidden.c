/*
 * Chapter 18, hidden tests: graded by the instructor, left out of the student release.
 */
#include "diffusion.h"
#include "mlphys_test.h"

/* The suite is declared in tests.c; these tests join it. */

Test(diffusion, sde_handles_unequal_weights, .description = "reverse SDE with the exact score of a mixture with weights 0.1, 0.2, 0.3, 0.4 reproduces the weights")
{
    /* 6000 samples: the binomial scatter of a fraction w is sqrt(w (1 - w) / 6000) <= 0.0065,
     * and Euler-Maruyama at 300 steps moves the fractions by < 0.003 (equal-weight runs over 40
     * seeds); 0.035 is > 5 sigma.  A score that ignores the weights gives 0.25 each. */
    diffusion_mixture m = {4, {0.1, 0.2, 0.3, 0.4}, {{2, 2}, {-2, 2}, {-2, -2}, {2, -2}}, {0.5, 0.5, 0.5, 0.5}};
    gsl_matrix *X = gsl_matrix_alloc(6000, 2);
    mlp_sample_normal(mlphys_rng(), X);
    mlphys_require_implemented(diffusion_sample_sde(diffusion_mixture_score_fn, &m, 1.0, 0.0, 300, mlphys_rng(), X),
                               "diffusion_sample_sde", 3);
    double c[4] = {0};
    for (size_t i = 0; i < X->size1; i++) {
        double x = gsl_matrix_get(X, i, 0), y = gsl_matrix_get(X, i, 1);
        c[x >= 0 ? (y >= 0 ? 0 : 3) : (y >= 0 ? 1 : 2)] += 1.0 / (double)X->size1;
    }
    for (int q = 0; q < 4; q++)
        mlphys_assert_close(c[q], m.weight[q], 0.035, 0, "fraction of samples in mode %d (weight %.1f): the "
                            "log-responsibilities need log w_k", q, m.weight[q]);
    gsl_matrix_free(X);
}
