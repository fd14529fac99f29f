/*
 * Chapter 18: score-based generative modelling, or how to run diffusion backwards
 *
 * Forward (noising) process, the VP SDE of Song et al. (2021), in the plane (D = 2):
 *     dx = -1/2 beta(t) x dt + sqrt(beta(t)) dW,     beta(t) = 0.1 + 19.9 t,   t in [0, 1]
 *     x(t) | x(0)  ~  N( alpha(t) x(0), sigma(t)^2 I ),   alpha = exp(-1/2 int_0^t beta),
 *                                                         sigma^2 = 1 - alpha^2.
 * Reverse (generating) process, run from t = 1 down to 0 with the score s = grad_x log p_t:
 *     dx = [-1/2 beta x - beta s(x, t)] dt + sqrt(beta) dW      (reverse SDE)
 *     dx/dt = -1/2 beta (x + s(x, t))                           (probability-flow ODE)
 * Shapes: N points as rows of an (N, 2) gsl_matrix; B = a training batch.
 *
 * You write, in this order:
 *   TODO(1) diffusion_vp_marginal()    alpha(t), sigma(t) in closed form
 *   TODO(2) diffusion_mixture_score()  the exact score of the noised Gaussian mixture
 *   TODO(3) diffusion_sample_sde()     Euler-Maruyama for the reverse SDE
 *   TODO(4) diffusion_sample_ode()     Euler for the probability-flow ODE
 *   TODO(5) diffusion_dsm_loss()       denoising score matching: loss and backprop
 *   TODO(6) diffusion_net_score()      a trained network as a score callback
 *   TODO(7) diffusion_train()          the training loop (Adam, cosine learning rate)
 * The network itself (forward, backward, Adam) is provided: chapters/common/mlp.h.
 *
 * Check:           make test CH=18-diffusion
 * See your figure: make plot CH=18-diffusion
 * The contract of every function is in diffusion.h; the math is in README.md.
 */
#include "diffusion.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

/* alpha(t) and sigma(t) of the VP SDE.  GSL_EINVAL for t < 0 or t not finite. */
int diffusion_vp_marginal(double t, double *alpha, double *sigma)
{
    (void)t, (void)alpha, (void)sigma;
    /* TODO(1): integrate beta(s) = 0.1 + 19.9 s from 0 to t by hand (a quadratic in t), then
     *          alpha = exp(-B / 2) and sigma = sqrt(1 - alpha^2).  At tiny t, 1 - exp(-B)
     *          cancels: -expm1(-B) does not.  Hint: README section "The forward process". */
    return GSL_EUNIMPL;
}

/* The exact score of p_t = sum_k w_k N(alpha mu_k, v_k I), v_k = alpha^2 s_k^2 + sigma^2.
 *   X (N, 2) in, S (N, 2) out. */
int diffusion_mixture_score(const diffusion_mixture *m, double t, const gsl_matrix *X,
                            gsl_matrix *S)
{
    (void)m, (void)t, (void)X, (void)S;
    /* TODO(2): 1. check the mixture, t and the shapes; alpha, sigma from TODO(1).
     *          2. for each row x: log r_k = log w_k - log v_k - |x - alpha mu_k|^2 / (2 v_k)
     *             (D = 2), subtract the largest before exponentiating (log-sum-exp), and
     *             normalise: r_k are the posterior probabilities of the components.
     *          3. score = sum_k r_k (alpha mu_k - x) / v_k.
     *          Hint: README section "The exact score of a noised mixture". */
    return GSL_EUNIMPL;
}

/* Euler-Maruyama for the reverse SDE, from t_start down to t_end in n_steps steps.
 *   X (N, 2) in: points at t_start; out: points at t_end. */
int diffusion_sample_sde(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_rng *rng, gsl_matrix *X)
{
    (void)score, (void)ctx, (void)t_start, (void)t_end, (void)n_steps, (void)rng, (void)X;
    /* TODO(3): h = (t_start - t_end) / n_steps; for n = 0 ... n_steps - 1 at t = t_start - n h:
     *          S = score(t, X); then every coordinate
     *              x <- x + h beta(t) (x / 2 + s) + sqrt(beta(t) h) z,   z = gsl_ran_gaussian(rng, 1).
     *          Allocate S once, free it on every path; pass on the score's error status.
     *          Hint: README section "Running the film backwards". */
    return GSL_EUNIMPL;
}

/* Euler for the probability-flow ODE, from t_start down to t_end in n_steps steps. */
int diffusion_sample_ode(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_matrix *X)
{
    (void)score, (void)ctx, (void)t_start, (void)t_end, (void)n_steps, (void)X;
    /* TODO(4): the same loop without noise: x <- x + h beta(t) (x + s) / 2.
     *          Hint: README section "The probability-flow ODE". */
    return GSL_EUNIMPL;
}

/* Denoising score matching on one batch: loss = 1/B sum_i |eps_theta(x_t,i, t_i) - z_i|^2.
 *   x0 (B, 2), t (B), z (B, 2) in; loss out; net->grads out. */
int diffusion_dsm_loss(mlp *net, mlp_workspace *ws, const gsl_matrix *x0, const gsl_vector *t,
                       const gsl_matrix *z, double *loss)
{
    (void)net, (void)ws, (void)x0, (void)t, (void)z, (void)loss;
    /* TODO(5): 1. check shapes (net 3 -> 2, B <= ws->capacity) and t_i > 0.
     *          2. input row i = (alpha_i x0_i + sigma_i z_i, t_i), a (B, 3) matrix.
     *          3. mlp_forward -> eps (B, 2); loss = 1/B sum |eps - z|^2.
     *          4. dloss/deps = 2 (eps - z) / B, then mlp_backward(net, ws, dY, NULL).
     *          Hint: README section "Learning the score". */
    return GSL_EUNIMPL;
}

/* S = -eps_theta(X, t) / sigma(t); ctx is a diffusion_net. */
int diffusion_net_score(double t, const gsl_matrix *X, gsl_matrix *S, void *ctx)
{
    (void)t, (void)X, (void)S, (void)ctx;
    /* TODO(6): process X in chunks of at most ws->capacity rows: build the (n, 3) input
     *          (x_1, x_2, t), mlp_forward into the matching rows of S (gsl_matrix_submatrix),
     *          and scale by -1 / sigma(t).  Hint: README section "Learning the score". */
    return GSL_EUNIMPL;
}

/* n_steps Adam steps on fresh batches of B = ws->capacity points. */
int diffusion_train(mlp *net, mlp_workspace *ws, const diffusion_mixture *m, size_t n_steps,
                    double lr, gsl_rng *rng, gsl_vector *losses)
{
    (void)net, (void)ws, (void)m, (void)n_steps, (void)lr, (void)rng, (void)losses;
    /* TODO(7): for each step: x0 (diffusion_mixture_sample), t (mlp_sample_uniform on
     *          [DIFFUSION_T_MIN, 1)), z (mlp_sample_normal), in that order; the loss and
     *          gradients (TODO 5); mlp_adam_step with lr (1 + cos(pi n / n_steps)) / 2.
     *          Hint: README section "Training". */
    return GSL_EUNIMPL;
}

/* Going further: predict the noise with a U-Net instead of an MLP and you have DDPM (Ho et al.
 * 2020); replace Euler by a predictor-corrector (Langevin) step, or by Heun on the ODE, and
 * far fewer steps do (Karras et al. 2022, "Elucidating the design space"). */
