/*
 * The independent reference of chapter 19's tests: the quantile map F^-1(Phi(x0)) of a Gaussian
 * mixture, by bisection on its CDF.  Shared by tests.c and hidden.c.
 */
#ifndef MLPHYS_19_QUANTILE_H
#define MLPHYS_19_QUANTILE_H

#include "interpolants.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* The quantile map F^-1(Phi(x0)) by bisection on the mixture CDF; the upper tail works with
 * complementary CDFs (gsl_cdf_*_Q) so that it keeps its relative precision. */
static inline double quantile_map(const interp_mixture *m, double x0)
{
    const int upper = x0 > 0;
    const double p = upper ? gsl_cdf_ugaussian_Q(x0) : gsl_cdf_ugaussian_P(x0);
    double lo = -40, hi = 40;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * (1 + fabs(lo)); it++) {
        double mid = 0.5 * (lo + hi), F = 0;
        for (size_t k = 0; k < m->K; k++)
            F += m->weight[k] * (upper ? gsl_cdf_gaussian_Q(mid - m->mean[k], m->sd[k])
                                       : gsl_cdf_gaussian_P(mid - m->mean[k], m->sd[k]));
        if (upper ? F > p : F < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

#endif
