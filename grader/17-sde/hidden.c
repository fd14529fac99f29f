/*
 * Chapter 17, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "sde.h"

/* The suite is declared in tests.c; these tests join it. */

Test(sde, ou_em_mean_and_variance_follow_the_recursion, .description = "after 3 coarse EM steps the OU ensemble has mean x0 a^3 and variance sigma^2 h (1 - a^6) / (1 - a^2)")
{
    /* theta = 2, sigma = 0.3, x0 = 5, h = 0.3: a = 1 - theta h = 0.4.  Far from stationarity, the
     * moments of the linear recursion are mean 5 * 0.064 = 0.32 and variance
     * 0.027 * (1 - 0.4^6) / 0.84 = 0.032011 (continuous time would give mean 0.0825, variance
     * 0.0225).  With M = 20000: se(mean) = sqrt(v / M) = 0.00127, relative se of the Gaussian
     * sample variance sqrt(2 / M) = 0.010; both bounds are 5 se. */
    const size_t M = 20000;
    const double a = 0.4, v = 0.09 * 0.3 * (1 - pow(a, 6)) / (1 - a * a), m = 5.0 * a * a * a;
    gsl_vector *X = gsl_vector_alloc(M);
    mlphys_require_implemented(sde_ou_em(2.0, 0.3, 5.0, 0.3, 3, mlphys_rng(), X), "sde_ou_em", 4);
    double m1 = 0, m2 = 0;
    for (size_t i = 0; i < M; i++)
        m1 += gsl_vector_get(X, i) / (double)M;
    for (size_t i = 0; i < M; i++)
        m2 += (gsl_vector_get(X, i) - m) * (gsl_vector_get(X, i) - m) / (double)M;
    mlphys_assert_close(m1, m, 5.0 * sqrt(v / M), 0, "mean of EM-OU after 3 steps (x0 (1 - theta h)^3)");
    mlphys_assert_close(m2, v, 5.0 * v * sqrt(2.0 / M), 0, "variance of EM-OU after 3 steps");
    gsl_vector_free(X);
}
