/*
 * Chapter 06, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "probability.h"

/* The suite is declared in tests.c; these tests join it. */

Test(probability, exponential_mean_and_variance,
     .description = "10^5 exponential samples with rate 0.5 have mean 2 and variance 4 within 5-6 standard errors")
{
    /* Standard errors from the exact moments of Exp(rate): mean 1/rate = 2 with
     * SE = 2/sqrt(n) = 0.0063; variance 1/rate^2 = 4 with SE = sqrt((mu_4 - sigma^4)/n) =
     * sqrt((144 - 16)/1e5) = 0.036.  Tolerances 0.032 (5 SE) and 0.22 (6 SE: the sample
     * variance of a skewed law has a longer right tail than a Gaussian). */
    const size_t n = 100000;
    gsl_vector *x = gsl_vector_alloc(n);
    gsl_vector_set_all(x, NAN); /* garbage that must be overwritten */
    mlphys_require_implemented(prob_sample_exponential(0.5, mlphys_rng(), x), "prob_sample_exponential", 2);
    double s = 0, s2 = 0;
    for (size_t k = 0; k < n; k++)
        s += gsl_vector_get(x, k);
    double mean = s / (double)n;
    for (size_t k = 0; k < n; k++)
        s2 += (gsl_vector_get(x, k) - mean) * (gsl_vector_get(x, k) - mean);
    mlphys_assert_close(mean, 2.0, 0.032, 0, "sample mean of Exp(rate 0.5) (1/rate = 2; did you multiply by the rate?)");
    mlphys_assert_close(s2 / (double)(n - 1), 4.0, 0.22, 0, "sample variance of Exp(rate 0.5)");
    gsl_vector_free(x);
}
