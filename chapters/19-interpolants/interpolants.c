/*
 * Chapter 19: stochastic interpolants, or how to build a transport map by regression
 *
 * Join a sample x0 ~ N(0, 1) and an independent sample x1 of the target by a straight line,
 *     x_t = (1 - t) x0 + t x1,        t in [0, 1].
 * The density rho(t, x) of x_t moves with the velocity
 *     b(t, x) = E[ x1 - x0 | x_t = x ]        (d rho/dt + d(b rho)/dx = 0),
 * so integrating dX/dt = b(t, X) from X(0) = x0 carries N(0, 1) onto the target.  In one
 * dimension that map is monotone, hence equal to the quantile map F^-1(Phi(x0)).
 * Target: a Gaussian mixture sum_k w_k N(mu_k, s_k^2).  Shapes: N points in a gsl_vector.
 *
 * You write, in this order:
 *   TODO(1) interp_density()          rho(t, x), a mixture of Gaussians for every t
 *   TODO(2) interp_velocity()         the exact b(t, x) in closed form
 *   TODO(3) interp_euler()            dX/dt = b by Euler
 *   TODO(4) interp_rk4()              ... and by classical Runge-Kutta
 *   TODO(5) interp_regression_loss()  the square loss against x1 - x0, and backprop
 *   TODO(6) interp_net_velocity()     a trained network as a velocity callback
 *   TODO(7) interp_train()            the training loop (Adam, cosine learning rate)
 * The network itself (forward, backward, Adam) is provided: chapters/common/mlp.h.
 *
 * Check:           make test CH=19-interpolants
 * See your figure: make plot CH=19-interpolants
 * The contract of every function is in interpolants.h; the math is in README.md.
 */
#include "interpolants.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>

/* rho(t, x) = sum_k w_k N(x; t mu_k, v_k),  v_k = (1-t)^2 + t^2 s_k^2.   x, rho (N). */
int interp_density(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *rho)
{
    (void)m, (void)t, (void)x, (void)rho;
    /* TODO(1): check the mixture (K in 1..INTERP_MAX_MODES, w_k > 0, s_k > 0), 0 <= t <= 1
     *          and the sizes; then sum the K Gaussians at every x.
     *          Hint: README section "The density of the interpolant". */
    return GSL_EUNIMPL;
}

/* b(t, x) = E[x1 - x0 | x_t = x].   x, b (N). */
int interp_velocity(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *b)
{
    (void)m, (void)t, (void)x, (void)b;
    /* TODO(2): 1. per component: v_k = (1-t)^2 + t^2 s_k^2, slope c_k = (t s_k^2 - (1-t)) / v_k.
     *          2. per point: log r_k = log w_k - log(v_k)/2 - (x - t mu_k)^2 / (2 v_k),
     *             normalised by log-sum-exp.
     *          3. b = sum_k r_k [mu_k + c_k (x - t mu_k)].
     *          Hint: README section "The velocity is a conditional mean". */
    return GSL_EUNIMPL;
}

/* Euler for dX/dt = b(t, X) from t0 to t1 in n_steps steps.   x (N) in and out. */
int interp_euler(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
                 gsl_vector *x)
{
    (void)b, (void)ctx, (void)t0, (void)t1, (void)n_steps, (void)x;
    /* TODO(3): h = (t1 - t0) / n_steps; x <- x + h b(t0 + n h, x) for n = 0 ... n_steps - 1.
     *          One work vector for b (gsl_blas_daxpy does the update); pass on b's errors.
     *          Hint: README section "Integrating the flow". */
    return GSL_EUNIMPL;
}

/* Classical RK4 for dX/dt = b(t, X) from t0 to t1 in n_steps steps.   x (N) in and out. */
int interp_rk4(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
               gsl_vector *x)
{
    (void)b, (void)ctx, (void)t0, (void)t1, (void)n_steps, (void)x;
    /* TODO(4): k1 = b(t, x), k2 = b(t + h/2, x + h k1/2), k3 = b(t + h/2, x + h k2/2),
     *          k4 = b(t + h, x + h k3);  x <- x + h (k1 + 2 k2 + 2 k3 + k4) / 6.
     *          Evaluate the last stage of the last step at exactly t1: t0 + n_steps h can round
     *          to just outside [0, 1] (0.9 + 7 (-0.9 / 7) = -1.1e-16 in double precision).
     *          Hint: README section "Integrating the flow". */
    return GSL_EUNIMPL;
}

/* loss = 1/B sum_i (b_theta(x_t,i, t_i) - (x1_i - x0_i))^2 and its gradient in net->grads. */
int interp_regression_loss(mlp *net, mlp_workspace *ws, const gsl_vector *x0,
                           const gsl_vector *x1, const gsl_vector *t, double *loss)
{
    (void)net, (void)ws, (void)x0, (void)x1, (void)t, (void)loss;
    /* TODO(5): 1. check shapes (net 2 -> 1, B <= ws->capacity) and 0 <= t_i <= 1.
     *          2. input row i = ((1 - t_i) x0_i + t_i x1_i, t_i), a (B, 2) matrix.
     *          3. mlp_forward -> (B, 1); the loss; dloss/db_i = 2 (b_i - (x1_i - x0_i)) / B.
     *          4. mlp_backward(net, ws, dY, NULL).
     *          Hint: README section "Learning the velocity". */
    return GSL_EUNIMPL;
}

/* b = b_theta(x, t); ctx is an interp_net. */
int interp_net_velocity(double t, const gsl_vector *x, gsl_vector *b, void *ctx)
{
    (void)t, (void)x, (void)b, (void)ctx;
    /* TODO(6): in chunks of at most ws->capacity points: input rows (x_i, t), mlp_forward,
     *          copy the outputs into b.  Hint: README section "Learning the velocity". */
    return GSL_EUNIMPL;
}

/* n_steps Adam steps on fresh batches of B = ws->capacity triples (x0, x1, t). */
int interp_train(mlp *net, mlp_workspace *ws, const interp_mixture *m, size_t n_steps,
                 double lr, gsl_rng *rng, gsl_vector *losses)
{
    (void)net, (void)ws, (void)m, (void)n_steps, (void)lr, (void)rng, (void)losses;
    /* TODO(7): each step: x0 (mlp_sample_normal on a (B, 1) view of a vector), x1
     *          (interp_mixture_sample), t (mlp_sample_uniform on [0, 1)), in that order;
     *          the loss and gradients (TODO 5); mlp_adam_step with lr (1 + cos(pi n / n_steps)) / 2.
     *          Hint: README section "Learning the velocity". */
    return GSL_EUNIMPL;
}

/* Going further: add a latent noise term, x_t = (1-t) x0 + t x1 + sqrt(2 t (1-t)) z, and the
 * same regression gives a family of SDEs with the same marginals (Albergo, Boffi &
 * Vanden-Eijnden 2023); in d > 1 the map is no longer the monotone rearrangement, but the
 * flow still transports the densities. */
