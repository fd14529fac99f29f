/*
 * sde.h: the contract of chapter 17 (stochastic differential equations).
 * The stub (chapters/17-sde/sde.c) and the reference solution implement exactly this header.
 *
 * One scalar SDE  dX = f(X, t) dt + g(X, t) dW  on the grid t_n = t0 + n dt, n = 0..N.
 * Shapes: N steps, so a path has N + 1 values (X_0 .. X_N) and N increments (dW_0 .. dW_{N-1});
 * M walkers in an ensemble.  Time is in the units of the SDE's own parameters (theta in 1/time,
 * sigma in x/sqrt(time)).  The caller allocates every output.  Every function returns a GSL
 * status: GSL_SUCCESS, GSL_EBADLEN when sizes disagree, GSL_EINVAL for a bad argument, and
 * GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_SDE_H
#define MLPHYS_SDE_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* A drift f(x, t) or a diffusion coefficient g(x, t); params is passed through untouched. */
typedef double (*sde_fn)(double x, double t, void *params);

/* One Brownian path on a grid of step dt.
 *   dW (N)      out: independent increments dW_n = W(t_{n+1}) - W(t_n) ~ N(0, dt)
 *   W  (N + 1)  out: W_0 = 0, W_{n+1} = W_n + dW_n
 * Draws dW_0, dW_1, ... in order from rng.  GSL_EINVAL if dt <= 0 or not finite, GSL_EBADLEN if
 * W->size != dW->size + 1 or dW is empty. */
int sde_brownian(gsl_rng *rng, double dt, gsl_vector *dW, gsl_vector *W);

/* Euler-Maruyama for dX = f(X, t) dt + g(X, t) dW, driven by the given increments:
 *   X_0 = x0,   X_{n+1} = X_n + f(X_n, t_n) dt + g(X_n, t_n) dW_n,   t_n = t0 + n dt.
 *   dW (N)      in: the Brownian increments (so that several schemes can share one path)
 *   X  (N + 1)  out: the path
 * f and g are always evaluated at the left end of the step (Ito).  GSL_EINVAL if f or g is NULL
 * or dt <= 0, GSL_EBADLEN if X->size != dW->size + 1. */
int sde_euler_maruyama(sde_fn f, sde_fn g, void *params, double x0, double t0, double dt,
                       const gsl_vector *dW, gsl_vector *X);

/* Geometric Brownian motion dX = lambda X dt + mu X dW, solved exactly on a given path:
 *   X(t_n) = x0 exp((lambda - mu^2 / 2) t_n + mu W_n),   t_n = n dt   (W_0 = 0 at t = 0).
 *   W  (N + 1)  in: the Brownian path          X (N + 1)  out: the exact solution on it
 * GSL_EINVAL if dt <= 0, GSL_EBADLEN if the sizes differ. */
int sde_gbm_exact(double lambda, double mu, double x0, double dt, const gsl_vector *W, gsl_vector *X);

/* Ornstein-Uhlenbeck dX = -theta X dt + sigma dW for an ensemble of M independent walkers,
 * all started at x0, advanced nsteps steps of size h by Euler-Maruyama:
 *   X_{n+1} = (1 - theta h) X_n + sigma sqrt(h) Z_n,   Z_n ~ N(0, 1) independent.
 *   X (M)  out: the walkers at time t = nsteps h  (nsteps = 0 leaves them at x0)
 * GSL_EINVAL if theta <= 0, sigma < 0, h <= 0 (or any is not finite), GSL_EBADLEN if M = 0. */
int sde_ou_em(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
              gsl_vector *X);

/* The same ensemble advanced with the exact OU update (no discretisation error for any h):
 *   X_{n+1} = e^{-theta h} X_n + sigma sqrt((1 - e^{-2 theta h}) / (2 theta)) Z_n.
 * Same arguments and errors as sde_ou_em (theta <= 0 is GSL_EINVAL: theta = 0 would be 0 / 0). */
int sde_ou_exact(double theta, double sigma, double x0, double h, size_t nsteps, gsl_rng *rng,
                 gsl_vector *X);

#endif
