/*
 * Chapter 17 reference solution: Brownian paths, Euler-Maruyama, geometric Brownian motion
 * and the Ornstein-Uhlenbeck process.  See chapters/17-sde/sde.h for the contract.
 */
#include "sde.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

int sde_brownian(gsl_rng *rng, double dt, gsl_vector *dW, gsl_vector *W)
{
    if (!rng || !(dt > 0) || !isfinite(dt))
        return GSL_EINVAL;
    if (dW->size == 0 || W->size != dW->size + 1)
        return GSL_EBADLEN;
    const double sd = sqrt(dt); /* W(t + dt) - W(t) ~ N(0, dt): the step scales like sqrt(dt) */
    double w = 0.0;
    gsl_vector_set(W, 0, 0.0);
    for (size_t n = 0; n < dW->size; n++) {
        double d = gsl_ran_gaussian_ziggurat(rng, sd);
        gsl_vector_set(dW, n, d);
        w += d;
        gsl_vector_set(W, n + 1, w);
    }
    return GSL_SUCCESS;
}

int sde_euler_maruyama(sde_fn f, sde_fn g, void *params, double x0, double t0, double dt,
                       const gsl_vector *dW, gsl_vector *X)
{
    if (!f || !g || !(dt > 0) || !isfinite(dt))
        return GSL_EINVAL;
    if (X->size != dW->size + 1)
        return GSL_EBADLEN;
    double x = x0;
    gsl_vector_set(X, 0, x);
    for (size_t n = 0; n < dW->size; n++) {
        double t = t0 + (double)n * dt; /* t_n from n, not by accumulating dt (no drift in t) */
        x += f(x, t, params) * dt + g(x, t, params) * gsl_vector_get(dW, n); /* Ito: left end */
        gsl_vector_set(X, n + 1, x);
    }
    return GSL_SUCCESS;
}

int sde_gbm_exact(double lambda, double mu, double x0, double dt, const gsl_vector *W, gsl_vector *X)
{
    if (!(dt > 0) || !isfinite(dt))
        return GSL_EINVAL;
    if (X->size != W->size)
        return GSL_EBADLEN;
    /* Ito's lemma on log X: d(log X) = (lambda - mu^2/2) dt + mu dW. */
    const double drift = lambda - 0.5 * mu * mu;
    for (size_t n = 0; n < W->size; n++)
        gsl_vector_set(X, n, x0 * exp(drift * (double)n * dt + mu * gsl_vector_get(W, n)));
    return GSL_SUCCESS;
}

static int ou_check(double theta, double sigma, double x0, double h, gsl_rng *rng, const gsl_vector *X)
{
    if (!rng || !(theta > 0) || !(sigma >= 0) || !(h > 0) || !isfinite(theta) || !isfinite(sigma) ||
        !isfinite(h) || !isfinite(x0))
        return GSL_EINVAL;
    if (X->size == 0)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

/* Both OU schemes are the linear recursion X <- a X + b Z; only a and b differ. */
static void ou_iterate(double a, double b, double x0, size_t nsteps, gsl_rng *rng, gsl_vector *X)
{
    gsl_vector_set_all(X, x0);
    double *x = X->data;
    const size_t M = X->size, s = X->stride;
    for (size_t n = 0; n < nsteps; n++)
        for (size_t i = 0; i < M; i++)
            x[i * s] = a * x[i * s] + b * gsl_ran_gaussian_ziggurat(rng, 1.0);
}

int sde_ou_em(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
              gsl_vector *X)
{
    int st = ou_check(theta, sigma, x0, h, rng, X);
    if (st)
        return st;
    ou_iterate(1.0 - theta * h, sigma * sqrt(h), x0, nsteps, rng, X);
    return GSL_SUCCESS;
}

int sde_ou_exact(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
                 gsl_vector *X)
{
    int st = ou_check(theta, sigma, x0, h, rng, X);
    if (st)
        return st;
    /* -expm1(-2 theta h) keeps full precision when theta h is tiny. */
    ou_iterate(exp(-theta * h), sigma * sqrt(-expm1(-2.0 * theta * h) / (2.0 * theta)), x0, nsteps,
               rng, X);
    return GSL_SUCCESS;
}
