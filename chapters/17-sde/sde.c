/*
 * Chapter 17: stochastic differential equations
 *
 * One scalar SDE  dX = f(X, t) dt + g(X, t) dW  on the grid t_n = t0 + n dt, n = 0..N, driven by
 * Brownian increments dW_n ~ N(0, dt).  Euler-Maruyama replaces dt by a step and dW by an
 * increment:  X_{n+1} = X_n + f(X_n, t_n) dt + g(X_n, t_n) dW_n.
 * Shapes: N steps, so a path has N + 1 values and N increments; M walkers in an ensemble.
 *
 * You write, in this order:
 *   TODO(1) sde_brownian()         a Brownian path: increments N(0, dt), W = their running sum
 *   TODO(2) sde_euler_maruyama()   the scheme above for any f, g (callbacks)
 *   TODO(3) sde_gbm_exact()        geometric Brownian motion solved exactly by Ito's lemma
 *   TODO(4) sde_ou_em()            an Ornstein-Uhlenbeck ensemble by Euler-Maruyama
 *   TODO(5) sde_ou_exact()         the same ensemble with the exact OU update
 *
 * Check:           make test CH=17-sde
 * Stuck?           chapters/17-sde/hints.md: three hints per TODO
 * See your figure: make plot CH=17-sde       (writes build/figures/chapters/17-sde/)
 * The contract of every function is in sde.h; the math is in README.md.
 */
#include "sde.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

/* A Brownian path.
 *   dW (N)      out: dW_n ~ N(0, dt), independent, drawn in order n = 0, 1, ... from rng
 *   W  (N + 1)  out: W_0 = 0, W_{n+1} = W_n + dW_n
 * GSL_EINVAL if dt <= 0 (or not finite), GSL_EBADLEN if W->size != dW->size + 1 or N = 0. */
int sde_brownian(gsl_rng *rng, double dt, gsl_vector *dW, gsl_vector *W)
{
    (void)rng, (void)dt, (void)dW, (void)W;
    /* TODO(1): 1. check dt and the sizes.
     *          2. each increment is Gaussian with *variance* dt: which standard deviation
     *             does gsl_ran_gaussian(rng, sd) need?
     *          3. W is the running sum of the increments, starting from W_0 = 0.
     *          Hint: README section "Brownian motion". */
    return GSL_EUNIMPL;
}

/* Euler-Maruyama on given increments.
 *   dW (N) in,  X (N + 1) out:  X_0 = x0,  X_{n+1} = X_n + f(X_n, t_n) dt + g(X_n, t_n) dW_n
 * with t_n = t0 + n dt and f(x, t, params), g(x, t, params).
 * GSL_EINVAL if f or g is NULL or dt <= 0, GSL_EBADLEN if X->size != dW->size + 1. */
int sde_euler_maruyama(sde_fn f, sde_fn g, void *params, double x0, double t0, double dt,
                       const gsl_vector *dW, gsl_vector *X)
{
    (void)f, (void)g, (void)params, (void)x0, (void)t0, (void)dt, (void)dW, (void)X;
    /* TODO(2): check the arguments, then one loop over n.  Evaluate f and g at the *old*
     *          point (X_n, t_n) before you overwrite anything: that choice is what makes the
     *          scheme Ito (the midpoint would give Stratonovich, another SDE).
     *          Hint: README section "Euler-Maruyama". */
    return GSL_EUNIMPL;
}

/* GBM dX = lambda X dt + mu X dW, exactly:  X_n = x0 exp((lambda - mu^2/2) n dt + mu W_n).
 *   W (N + 1) in,  X (N + 1) out.   GSL_EINVAL if dt <= 0, GSL_EBADLEN if sizes differ. */
int sde_gbm_exact(double lambda, double mu, double x0, double dt, const gsl_vector *W, gsl_vector *X)
{
    (void)lambda, (void)mu, (void)x0, (void)dt, (void)W, (void)X;
    /* TODO(3): apply the formula at every grid point.  Where does the -mu^2/2 come from?
     *          Hint: README section "Ito's lemma and geometric Brownian motion". */
    return GSL_EUNIMPL;
}

/* Ornstein-Uhlenbeck dX = -theta X dt + sigma dW by Euler-Maruyama, for M = X->size walkers
 * all started at x0, nsteps steps of size h:
 *   X_{n+1} = (1 - theta h) X_n + sigma sqrt(h) Z_n,   Z_n ~ N(0, 1).
 * GSL_EINVAL if theta <= 0, sigma < 0 or h <= 0 (or not finite), GSL_EBADLEN if M = 0. */
int sde_ou_em(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
              gsl_vector *X)
{
    (void)theta, (void)sigma, (void)x0, (void)h, (void)nsteps, (void)rng, (void)X;
    /* TODO(4): check the arguments; set every walker to x0; then nsteps times, move every
     *          walker by one EM step with a fresh Gaussian each.  (You may call your
     *          sde_euler_maruyama, but a direct loop over the walkers is simpler and faster.)
     *          gsl_ran_gaussian_ziggurat(rng, 1.0) is a fast N(0, 1).
     *          Hint: README section "The Ornstein-Uhlenbeck process". */
    return GSL_EUNIMPL;
}

/* The same ensemble with the exact update
 *   X_{n+1} = e^{-theta h} X_n + sigma sqrt((1 - e^{-2 theta h}) / (2 theta)) Z_n.
 * Same arguments and errors as sde_ou_em (theta <= 0 is GSL_EINVAL: theta = 0 would be 0 / 0). */
int sde_ou_exact(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
                 gsl_vector *X)
{
    (void)theta, (void)sigma, (void)x0, (void)h, (void)nsteps, (void)rng, (void)X;
    /* TODO(5): like TODO(4) with a different factor and noise amplitude.  For tiny theta h,
     *          -expm1(-2 theta h) computes 1 - e^{-2 theta h} without cancellation.
     *          Hint: README section "The exact OU update". */
    return GSL_EUNIMPL;
}

/* Going further: Milstein's scheme adds (1/2) g g' (dW^2 - dt) to each step and reaches strong
 * order 1 (Kloeden & Platen, "Numerical Solution of Stochastic Differential Equations", 1992,
 * section 10.3).  Try it on GBM, where g g' = mu^2 X, and watch the slope in the figure move. */
