/*
 * Chapter 06, reference solution: Bayes' rule, inverse-CDF sampling, characteristic functions.
 * See chapters/06-probability/probability.h for the contract and README.md for the math.
 */
#include "probability.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>

int prob_bayes_update(const gsl_vector *prior, const gsl_vector *likelihood,
                      gsl_vector *posterior, double *evidence)
{
    const size_t K = prior->size;
    if (K == 0 || likelihood->size != K || posterior->size != K)
        return GSL_EBADLEN;
    double norm = 0, pd = 0;
    for (size_t k = 0; k < K; k++) {
        double p = gsl_vector_get(prior, k), l = gsl_vector_get(likelihood, k);
        if (!(p >= 0) || !(l >= 0) || !isfinite(p) || !isfinite(l))
            return GSL_EINVAL;
        norm += p;
        pd += p * l;
    }
    if (fabs(norm - 1) > PROB_NORM_TOL || !(pd > 0))
        return GSL_EINVAL;
    /* posterior may alias prior: each entry is read once, before it is written */
    for (size_t k = 0; k < K; k++)
        gsl_vector_set(posterior, k, gsl_vector_get(prior, k) * gsl_vector_get(likelihood, k) / pd);
    if (evidence)
        *evidence = pd;
    return GSL_SUCCESS;
}

int prob_sample_exponential(double rate, gsl_rng *rng, gsl_vector *x)
{
    if (!(rate > 0) || !isfinite(rate))
        return GSL_EINVAL;
    /* F(x) = 1 - exp(-rate x) = u  =>  x = -log(1 - u) / rate; log1p keeps small u accurate */
    for (size_t k = 0; k < x->size; k++)
        gsl_vector_set(x, k, -log1p(-gsl_rng_uniform_pos(rng)) / rate);
    return GSL_SUCCESS;
}

int prob_sample_cauchy(double x0, double gamma, gsl_rng *rng, gsl_vector *x)
{
    if (!(gamma > 0) || !isfinite(gamma) || !isfinite(x0))
        return GSL_EINVAL;
    /* F(x) = 1/2 + atan((x - x0)/gamma)/pi = u  =>  x = x0 + gamma tan(pi (u - 1/2)) */
    for (size_t k = 0; k < x->size; k++)
        gsl_vector_set(x, k, x0 + gamma * tan(M_PI * (gsl_rng_uniform_pos(rng) - 0.5)));
    return GSL_SUCCESS;
}

int prob_empirical_cf(const gsl_vector *x, const gsl_vector *t, gsl_vector *re, gsl_vector *im)
{
    const size_t n = x->size, T = t->size;
    if (re->size != T || im->size != T)
        return GSL_EBADLEN;
    if (n == 0)
        return GSL_EINVAL;
    for (size_t j = 0; j < T; j++) {
        const double tj = gsl_vector_get(t, j);
        double c = 0, s = 0;
        for (size_t k = 0; k < n; k++) {
            const double a = tj * gsl_vector_get(x, k);
            c += cos(a);
            s += sin(a);
        }
        gsl_vector_set(re, j, c / (double)n);
        gsl_vector_set(im, j, s / (double)n);
    }
    return GSL_SUCCESS;
}

int prob_uniform_sums(size_t m, gsl_rng *rng, gsl_vector *z)
{
    if (m == 0)
        return GSL_EINVAL;
    /* each uniform has mean 1/2 and variance 1/12, so S has mean m/2 and variance m/12 */
    const double mean = 0.5 * (double)m, sd = sqrt((double)m / 12.0);
    for (size_t k = 0; k < z->size; k++) {
        double S = 0;
        for (size_t j = 0; j < m; j++)
            S += gsl_rng_uniform(rng);
        gsl_vector_set(z, k, (S - mean) / sd);
    }
    return GSL_SUCCESS;
}
