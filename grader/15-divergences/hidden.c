/*
 * Chapter 15, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "divergences.h"

#include <gsl/gsl_cdf.h>
#include <string.h>

/* The suite is declared in tests.c; these tests join it. */

/* Heap's algorithm: the minimum over all n! one-to-one couplings of (1/n) sum |x_i - y_perm(i)|^p. */
static double brute_force_wp(const double *x, const double *y, size_t n, double p)
{
    size_t perm[8], c[8] = {0};
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    double best = INFINITY;
    size_t i = 0;
    for (;;) {
        double cost = 0;
        for (size_t k = 0; k < n; k++)
            cost += pow(fabs(x[k] - y[perm[k]]), p) / (double)n;
        best = fmin(best, cost);
        while (i < n && c[i] >= i)
            c[i] = 0, i++;
        if (i >= n)
            break;
        size_t j = (i % 2) ? c[i] : 0, t = perm[j];
        perm[j] = perm[i], perm[i] = t;
        c[i]++, i = 0;
    }
    return pow(best, 1.0 / p);
}

Test(div, sorting_is_the_optimal_coupling, .description = "for 6 + 6 random points, W_p (p = 1, 1.5, 3) equals the minimum over all 720 one-to-one couplings (an infimum, not a supremum)")
{
    gsl_rng *rng = mlphys_rng();
    const double ps[3] = {1.0, 1.5, 3.0};
    for (int trial = 0; trial < 4; trial++) {
        double x[6], y[6];
        for (int i = 0; i < 6; i++)
            x[i] = gsl_ran_gaussian(rng, 1.0), y[i] = 0.5 + gsl_ran_exponential(rng, 1.0);
        gsl_vector_view X = gsl_vector_view_array(x, 6), Y = gsl_vector_view_array(y, 6);
        for (int k = 0; k < 3; k++) {
            double w = NAN;
            mlphys_require_implemented(div_wasserstein_1d(&X.vector, &Y.vector, ps[k], &w), "div_wasserstein_1d", 7);
            /* 720 sums of 6 terms: rounding ~1e-15 */
            mlphys_assert_close(w, brute_force_wp(x, y, 6, ps[k]), 1e-12, 1e-12,
                                "trial %d, p = %g: W_p vs the cheapest of all 720 couplings", trial, ps[k]);
        }
    }
}

Test(div, gauss_tv_symmetric_invariant_and_far_apart, .description = "Gaussian TV is symmetric, invariant under a common shift and scale, and 1 - 2 Phi(-d/2) for far-apart equal widths")
{
    double a = NAN, b = NAN, c = NAN;
    mlphys_require_implemented(div_gauss_tv(0.3, 0.4, -1.1, 1.7, &a), "div_gauss_tv", 5);
    mlphys_require_implemented(div_gauss_tv(-1.1, 1.7, 0.3, 0.4, &b), "div_gauss_tv", 5);
    /* x -> 10 + 3 x maps the pair to (10.9, 1.2) and (6.7, 5.1): TV is invariant */
    mlphys_require_implemented(div_gauss_tv(10.9, 1.2, 6.7, 5.1, &c), "div_gauss_tv", 5);
    mlphys_assert_close(b, a, 1e-13, 1e-12, "TV(q, p) vs TV(p, q)");
    mlphys_assert_close(c, a, 1e-13, 1e-12, "TV after the affine map x -> 10 + 3x of both Gaussians");
    double far = NAN;
    mlphys_require_implemented(div_gauss_tv(0, 1, 12, 1, &far), "div_gauss_tv", 5);
    /* 1 - 2 Phi(-6) = 1 - 1.97e-9: the tail must be computed as a tail (erfc), not as 1 - (1 - ...) */
    mlphys_assert_close(1 - far, 2 * gsl_cdf_ugaussian_Q(6.0), 1e-16, 1e-6, "1 - TV for N(0,1) vs N(12,1)");
}
