/*
 * diffusion.h: the contract of chapter 18 (score-based generative modelling).
 * The stub (chapters/18-diffusion/diffusion.c) and the reference solution implement exactly
 * this header.
 *
 * The variance-preserving (VP) SDE of Song et al. (ICLR 2021), in D = 2 dimensions:
 *     dx = -1/2 beta(t) x dt + sqrt(beta(t)) dW,    beta(t) = 0.1 + 19.9 t,   t in [0, 1],
 * whose marginal given x(0) = x0 is N(alpha(t) x0, sigma(t)^2 I).  The data are an isotropic
 * Gaussian mixture in the plane.  Shapes: N points (rows), D = 2 coordinates (columns);
 * B = a training batch.  The caller allocates every output.  Every function returns a GSL
 * status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument,
 * GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_DIFFUSION_H
#define MLPHYS_DIFFUSION_H

#include "mlp.h"

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#define DIFFUSION_DIM 2
#define DIFFUSION_BETA_MIN 0.1
#define DIFFUSION_BETA_MAX 20.0
/* Training draws t uniformly on [DIFFUSION_T_MIN, 1]: at t = 0 the noise, and the score's
 * scale 1/sigma, would be singular (Song et al. use 1e-5 for images, 1e-3 is plenty here). */
#define DIFFUSION_T_MIN 1e-3

/* The noise schedule beta(t) = beta_min + (beta_max - beta_min) t  (per unit time). */
static inline double diffusion_beta(double t)
{
    return DIFFUSION_BETA_MIN + (DIFFUSION_BETA_MAX - DIFFUSION_BETA_MIN) * t;
}

/* An isotropic Gaussian mixture sum_k w_k N(mu_k, s_k^2 I) in the plane (sum_k w_k = 1). */
#define DIFFUSION_MAX_MODES 8
typedef struct diffusion_mixture {
    size_t K;
    double weight[DIFFUSION_MAX_MODES];
    double mean[DIFFUSION_MAX_MODES][DIFFUSION_DIM];
    double sd[DIFFUSION_MAX_MODES];
} diffusion_mixture;

/* The chapter's data: four equal modes at (+-2, +-2) with standard deviation 0.5. */
static inline diffusion_mixture diffusion_four_modes(void)
{
    diffusion_mixture m = {4, {0.25, 0.25, 0.25, 0.25},
                           {{2, 2}, {-2, 2}, {-2, -2}, {2, -2}}, {0.5, 0.5, 0.5, 0.5}};
    return m;
}

/* N = X->size1 exact draws from the mixture (X (N, 2) out; labels (N) out, or NULL). */
static inline int diffusion_mixture_sample(const diffusion_mixture *m, gsl_rng *rng,
                                           gsl_matrix *X, size_t *labels)
{
    if (!m || m->K == 0 || m->K > DIFFUSION_MAX_MODES)
        return GSL_EINVAL;
    gsl_vector_const_view w = gsl_vector_const_view_array(m->weight, m->K);
    gsl_vector_const_view s = gsl_vector_const_view_array(m->sd, m->K);
    gsl_matrix_const_view mu = gsl_matrix_const_view_array(&m->mean[0][0], m->K, DIFFUSION_DIM);
    return mlp_sample_mixture(rng, &w.vector, &mu.matrix, &s.vector, X, labels);
}

/* A score: S = grad_x log p_t(X), row by row.  X (N, 2) in, S (N, 2) out, t in [0, 1]. */
typedef int (*diffusion_score_fn)(double t, const gsl_matrix *X, gsl_matrix *S, void *ctx);

/* ---- What you write, in the order [1] ... [7] of the stub ---------------------------- */

/* [1] The VP marginal: x(t) | x(0) ~ N(alpha x(0), sigma^2 I) with
 *     alpha(t) = exp(-1/2 int_0^t beta(s) ds),   sigma(t)^2 = 1 - alpha(t)^2.
 * Returns GSL_EINVAL if t < 0 or t is not finite. */
int diffusion_vp_marginal(double t, double *alpha, double *sigma);

/* [2] The exact score of the noised mixture p_t = sum_k w_k N(alpha mu_k, v_k I),
 * v_k = alpha^2 s_k^2 + sigma^2, at every row of X.   X (N, 2), S (N, 2) out.
 * Must not overflow or return NaN for points far from every mode (|x| ~ 1e3).
 * Returns GSL_EBADLEN if X or S is not N x 2, GSL_EINVAL for t < 0 or a bad mixture. */
int diffusion_mixture_score(const diffusion_mixture *m, double t, const gsl_matrix *X,
                            gsl_matrix *S);

/* The same, with the callback signature the samplers take (ctx = the mixture). */
static inline int diffusion_mixture_score_fn(double t, const gsl_matrix *X, gsl_matrix *S,
                                             void *ctx)
{
    return diffusion_mixture_score((const diffusion_mixture *)ctx, t, X, S);
}

/* [3] The reverse-time SDE  dx = [-1/2 beta x - beta score(x, t)] dt + sqrt(beta) dW
 * (t running backwards), integrated by Euler-Maruyama from t_start down to t_end in n_steps
 * equal steps h = (t_start - t_end) / n_steps, evaluating beta and the score at the start of
 * each step.   X (N, 2) in: the points at t_start; out: the points at t_end.
 * Noise from rng (gsl_ran_gaussian).  Returns GSL_EINVAL unless 0 <= t_end < t_start and
 * n_steps >= 1; passes on any error of the score. */
int diffusion_sample_sde(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_rng *rng, gsl_matrix *X);

/* [4] The probability-flow ODE  dx/dt = -1/2 beta(t) [x + score(x, t)], integrated by
 * Euler from t_start down to t_end in n_steps equal steps.  Same conventions as above. */
int diffusion_sample_ode(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_matrix *X);

/* [5] Denoising score matching on one batch, with the weighting lambda(t) = sigma(t)^2
 * (Song et al. 2021, eq. 7).  The network eps_theta(x, t) (input (x_1, x_2, t), output 2)
 * predicts the noise; its score is s_theta = -eps_theta / sigma(t).  For row i:
 *     x_t = alpha(t_i) x0_i + sigma(t_i) z_i,   loss = 1/B sum_i |eps_theta(x_t, t_i) - z_i|^2,
 * which equals 1/B sum_i sigma^2 |s_theta - (-z_i / sigma)|^2: -z/sigma is the score target.
 *   net   3 inputs, 2 outputs       ws  a workspace of capacity >= B
 *   x0 (B, 2) data, t (B) times in (0, 1], z (B, 2) standard normal noise
 *   loss  out: the batch loss; net->grads out: d loss / d params (by mlp_backward).
 * Returns GSL_EBADLEN if shapes disagree (or the net is not 3 -> 2), GSL_EINVAL for t <= 0. */
int diffusion_dsm_loss(mlp *net, mlp_workspace *ws, const gsl_matrix *x0, const gsl_vector *t,
                       const gsl_matrix *z, double *loss);

/* A trained network as a score: the context of diffusion_net_score. */
typedef struct diffusion_net {
    const mlp *net;       /* 3 -> 2, predicts the noise */
    mlp_workspace *ws;    /* any capacity: X is processed in chunks of ws->capacity rows */
} diffusion_net;

/* [6] The network's score, S = -eps_theta(X, t) / sigma(t), for any N.   ctx: a
 * diffusion_net.  Returns GSL_EINVAL for t <= 0, GSL_EBADLEN for shapes. */
int diffusion_net_score(double t, const gsl_matrix *X, gsl_matrix *S, void *ctx);

/* [7] Training: n_steps Adam steps on fresh batches of size B = ws->capacity: x0 from the
 * mixture, t uniform on [DIFFUSION_T_MIN, 1), z ~ N(0, I), drawn in that order from rng
 * (diffusion_mixture_sample, mlp_sample_uniform, mlp_sample_normal).  Step n = 0 ... n_steps-1
 * uses the cosine-decayed learning rate lr (1 + cos(pi n / n_steps)) / 2.
 * losses (n_steps) out: the batch loss of every step, or NULL. */
int diffusion_train(mlp *net, mlp_workspace *ws, const diffusion_mixture *m, size_t n_steps,
                    double lr, gsl_rng *rng, gsl_vector *losses);

#endif
