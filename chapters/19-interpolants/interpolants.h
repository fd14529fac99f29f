/*
 * interpolants.h: the contract of chapter 19 (stochastic interpolants).
 * The stub (chapters/19-interpolants/interpolants.c) and the reference solution implement
 * exactly this header.
 *
 * The linear interpolant of Albergo & Vanden-Eijnden (ICLR 2023) in one dimension:
 *     x_t = (1 - t) x0 + t x1,    x0 ~ N(0, 1),  x1 ~ sum_k w_k N(mu_k, s_k^2),  independent,
 * has a density rho(t, x) transported by the velocity b(t, x) = E[x1 - x0 | x_t = x]:
 *     d rho / dt + d (b rho) / dx = 0,     so   dX/dt = b(t, X),  X(0) = x0   ends at X(1) ~ x1.
 * Shapes: N points in a gsl_vector; B = a training batch.  The caller allocates every output.
 * Every function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree,
 * GSL_EINVAL for a bad argument, GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_INTERPOLANTS_H
#define MLPHYS_INTERPOLANTS_H

#include "mlp.h"

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

/* A Gaussian mixture on the line, sum_k w_k N(mu_k, s_k^2) (sum_k w_k = 1). */
#define INTERP_MAX_MODES 8
typedef struct interp_mixture {
    size_t K;
    double weight[INTERP_MAX_MODES];
    double mean[INTERP_MAX_MODES];
    double sd[INTERP_MAX_MODES];
} interp_mixture;

/* The chapter's target: 0.3 N(-2, 0.5^2) + 0.7 N(1.5, 0.7^2). */
static inline interp_mixture interp_default_mixture(void)
{
    interp_mixture m = {2, {0.3, 0.7}, {-2.0, 1.5}, {0.5, 0.7}};
    return m;
}

/* N = x->size exact draws from the mixture (labels (N) out, or NULL). */
static inline int interp_mixture_sample(const interp_mixture *m, gsl_rng *rng, gsl_vector *x,
                                        size_t *labels)
{
    if (!m || !x || m->K == 0 || m->K > INTERP_MAX_MODES)
        return GSL_EINVAL;
    gsl_vector_const_view w = gsl_vector_const_view_array(m->weight, m->K);
    gsl_vector_const_view s = gsl_vector_const_view_array(m->sd, m->K);
    gsl_matrix_const_view mu = gsl_matrix_const_view_array(m->mean, m->K, 1);
    gsl_matrix_view X = gsl_matrix_view_vector(x, x->size, 1);
    return mlp_sample_mixture(rng, &w.vector, &mu.matrix, &s.vector, &X.matrix, labels);
}

/* A velocity field: b = b(t, x) elementwise.  x (N) in, b (N) out. */
typedef int (*interp_velocity_fn)(double t, const gsl_vector *x, gsl_vector *b, void *ctx);

/* ---- What you write, in the order [1] ... [7] of the stub ---------------------------- */

/* [1] The density of x_t: rho(t, x) = sum_k w_k N(x; t mu_k, (1-t)^2 + t^2 s_k^2).
 * x (N) in, rho (N) out.  GSL_EINVAL unless 0 <= t <= 1 and the mixture is valid. */
int interp_density(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *rho);

/* [2] The exact velocity b(t, x) = E[x1 - x0 | x_t = x], in closed form (README).
 * x (N) in, b (N) out; finite for any finite x.  GSL_EINVAL unless 0 <= t <= 1. */
int interp_velocity(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *b);

/* The same, with the callback signature the integrators take (ctx = the mixture). */
static inline int interp_velocity_fn_exact(double t, const gsl_vector *x, gsl_vector *b, void *ctx)
{
    return interp_velocity((const interp_mixture *)ctx, t, x, b);
}

/* [3] dX/dt = b(t, X) from t0 to t1 (either direction) in n_steps equal Euler steps:
 * x (N) in: X(t0); out: X(t1).  GSL_EINVAL if n_steps = 0 or t0, t1 are not finite;
 * passes on any error of the velocity. */
int interp_euler(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
                 gsl_vector *x);

/* [4] The same with the classical fourth-order Runge-Kutta method; the last stage of the
 * last step is evaluated at exactly t1 (so that round-off never leaves [0, 1]). */
int interp_rk4(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
               gsl_vector *x);

/* [5] Velocity regression on one batch: the network b_theta(x, t) (input (x, t), output 1)
 * is fitted to the target x1 - x0 at x_t = (1 - t) x0 + t x1:
 *     loss = 1/B sum_i (b_theta(x_t,i, t_i) - (x1_i - x0_i))^2,
 * whose minimiser over all functions is the exact b.
 *   net   2 inputs, 1 output        ws  a workspace of capacity >= B
 *   x0 (B), x1 (B), t (B) in [0, 1]   loss out;  net->grads out (by mlp_backward).
 * Returns GSL_EBADLEN if shapes disagree (or the net is not 2 -> 1), GSL_EINVAL for t
 * outside [0, 1]. */
int interp_regression_loss(mlp *net, mlp_workspace *ws, const gsl_vector *x0,
                           const gsl_vector *x1, const gsl_vector *t, double *loss);

/* A trained network as a velocity: the context of interp_net_velocity. */
typedef struct interp_net {
    const mlp *net;       /* 2 -> 1 */
    mlp_workspace *ws;    /* any capacity: x is processed in chunks of ws->capacity */
} interp_net;

/* [6] b = b_theta(x, t) for any N.  ctx: an interp_net.  GSL_EBADLEN for shapes. */
int interp_net_velocity(double t, const gsl_vector *x, gsl_vector *b, void *ctx);

/* [7] Training: n_steps Adam steps on fresh batches of size B = ws->capacity: x0 ~ N(0, 1)
 * (mlp_sample_normal), x1 from the mixture (interp_mixture_sample), t uniform on [0, 1)
 * (mlp_sample_uniform), drawn in that order from rng.  Step n uses the learning rate
 * lr (1 + cos(pi n / n_steps)) / 2.  losses (n_steps) out: each batch loss, or NULL. */
int interp_train(mlp *net, mlp_workspace *ws, const interp_mixture *m, size_t n_steps,
                 double lr, gsl_rng *rng, gsl_vector *losses);

#endif
