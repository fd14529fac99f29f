/*
 * Chapter 18, reference solution: score-based generative modelling with the VP SDE.
 *
 * Song, Sohl-Dickstein, Kingma, Kumar, Ermon & Poole, "Score-Based Generative Modeling
 * through Stochastic Differential Equations", ICLR 2021: the VP SDE (eq. 11), its reverse
 * (eq. 6, Anderson 1982), the probability-flow ODE (eq. 13) and denoising score matching
 * (eq. 7, Vincent 2011).  The mixture's score is exact because Gaussians stay Gaussian under
 * the linear forward SDE.
 */
#include "diffusion.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>

int diffusion_vp_marginal(double t, double *alpha, double *sigma)
{
    if (!(t >= 0) || !isfinite(t) || !alpha || !sigma)
        return GSL_EINVAL;
    /* int_0^t beta = beta_min t + (beta_max - beta_min) t^2 / 2 */
    const double B = DIFFUSION_BETA_MIN * t + 0.5 * (DIFFUSION_BETA_MAX - DIFFUSION_BETA_MIN) * t * t;
    *alpha = exp(-0.5 * B);
    *sigma = sqrt(-expm1(-B)); /* 1 - alpha^2 without cancellation at small t */
    return GSL_SUCCESS;
}

static int mixture_ok(const diffusion_mixture *m)
{
    if (!m || m->K == 0 || m->K > DIFFUSION_MAX_MODES)
        return 0;
    for (size_t k = 0; k < m->K; k++)
        if (!(m->weight[k] > 0) || !(m->sd[k] > 0))
            return 0;
    return 1;
}

int diffusion_mixture_score(const diffusion_mixture *m, double t, const gsl_matrix *X,
                            gsl_matrix *S)
{
    double alpha, sigma;
    if (!mixture_ok(m) || !X || !S || diffusion_vp_marginal(t, &alpha, &sigma) != GSL_SUCCESS)
        return GSL_EINVAL;
    if (X->size2 != DIFFUSION_DIM || S->size2 != DIFFUSION_DIM || S->size1 != X->size1)
        return GSL_EBADLEN;
    const size_t K = m->K;
    double v[DIFFUSION_MAX_MODES], logc[DIFFUSION_MAX_MODES], logr[DIFFUSION_MAX_MODES];
    for (size_t k = 0; k < K; k++) {
        v[k] = alpha * alpha * m->sd[k] * m->sd[k] + sigma * sigma;
        logc[k] = log(m->weight[k]) - 0.5 * DIFFUSION_DIM * log(v[k]);
    }
    for (size_t i = 0; i < X->size1; i++) {
        const double x0 = gsl_matrix_get(X, i, 0), x1 = gsl_matrix_get(X, i, 1);
        /* 1. log responsibilities, shifted by their maximum (log-sum-exp) */
        double top = -INFINITY;
        for (size_t k = 0; k < K; k++) {
            double d0 = x0 - alpha * m->mean[k][0], d1 = x1 - alpha * m->mean[k][1];
            logr[k] = logc[k] - 0.5 * (d0 * d0 + d1 * d1) / v[k];
            top = logr[k] > top ? logr[k] : top;
        }
        /* 2. score = sum_k r_k (alpha mu_k - x) / v_k */
        double z = 0, s0 = 0, s1 = 0;
        for (size_t k = 0; k < K; k++) {
            double r = exp(logr[k] - top);
            z += r;
            s0 += r * (alpha * m->mean[k][0] - x0) / v[k];
            s1 += r * (alpha * m->mean[k][1] - x1) / v[k];
        }
        gsl_matrix_set(S, i, 0, s0 / z);
        gsl_matrix_set(S, i, 1, s1 / z);
    }
    return GSL_SUCCESS;
}

static int sampler_args_ok(diffusion_score_fn score, double t_start, double t_end, size_t n_steps,
                           const gsl_matrix *X)
{
    return score && X && isfinite(t_start) && t_end >= 0 && t_end < t_start && n_steps >= 1;
}

int diffusion_sample_sde(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_rng *rng, gsl_matrix *X)
{
    if (!sampler_args_ok(score, t_start, t_end, n_steps, X) || !rng)
        return GSL_EINVAL;
    if (X->size2 != DIFFUSION_DIM)
        return GSL_EBADLEN;
    gsl_matrix *S = gsl_matrix_alloc(X->size1, DIFFUSION_DIM);
    if (!S)
        return GSL_ENOMEM;
    const double h = (t_start - t_end) / (double)n_steps;
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps && status == GSL_SUCCESS; n++) {
        const double t = t_start - (double)n * h, beta = diffusion_beta(t);
        if ((status = score(t, X, S, ctx)) != GSL_SUCCESS)
            break;
        /* x <- x + h [beta/2 x + beta s] + sqrt(beta h) z   (one step back in time) */
        const double noise = sqrt(beta * h);
        for (size_t i = 0; i < X->size1; i++)
            for (size_t j = 0; j < DIFFUSION_DIM; j++) {
                double x = gsl_matrix_get(X, i, j), s = gsl_matrix_get(S, i, j);
                gsl_matrix_set(X, i, j, x + h * beta * (0.5 * x + s) + noise * gsl_ran_gaussian(rng, 1.0));
            }
    }
    gsl_matrix_free(S);
    return status;
}

int diffusion_sample_ode(diffusion_score_fn score, void *ctx, double t_start, double t_end,
                         size_t n_steps, gsl_matrix *X)
{
    if (!sampler_args_ok(score, t_start, t_end, n_steps, X))
        return GSL_EINVAL;
    if (X->size2 != DIFFUSION_DIM)
        return GSL_EBADLEN;
    gsl_matrix *S = gsl_matrix_alloc(X->size1, DIFFUSION_DIM);
    if (!S)
        return GSL_ENOMEM;
    const double h = (t_start - t_end) / (double)n_steps;
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps; n++) {
        const double t = t_start - (double)n * h, beta = diffusion_beta(t);
        if ((status = score(t, X, S, ctx)) != GSL_SUCCESS)
            break;
        /* x(t - h) = x(t) - h dx/dt = x + h beta/2 (x + s) */
        for (size_t i = 0; i < X->size1; i++)
            for (size_t j = 0; j < DIFFUSION_DIM; j++) {
                double x = gsl_matrix_get(X, i, j), s = gsl_matrix_get(S, i, j);
                gsl_matrix_set(X, i, j, x + 0.5 * h * beta * (x + s));
            }
    }
    gsl_matrix_free(S);
    return status;
}

static int net_shape_ok(const mlp *net)
{
    return net->sizes[0] == DIFFUSION_DIM + 1 && net->sizes[net->n_layers] == DIFFUSION_DIM;
}

int diffusion_dsm_loss(mlp *net, mlp_workspace *ws, const gsl_matrix *x0, const gsl_vector *t,
                       const gsl_matrix *z, double *loss)
{
    if (!net || !ws || !x0 || !t || !z || !loss)
        return GSL_EINVAL;
    const size_t B = x0->size1;
    if (!net_shape_ok(net) || x0->size2 != DIFFUSION_DIM || t->size != B || z->size1 != B ||
        z->size2 != DIFFUSION_DIM || B == 0 || B > ws->capacity)
        return GSL_EBADLEN;
    for (size_t i = 0; i < B; i++)
        if (!(gsl_vector_get(t, i) > 0))
            return GSL_EINVAL;
    gsl_matrix *in = gsl_matrix_alloc(B, DIFFUSION_DIM + 1), *eps = gsl_matrix_alloc(B, DIFFUSION_DIM);
    if (!in || !eps) {
        gsl_matrix_free(in), gsl_matrix_free(eps);
        return GSL_ENOMEM;
    }
    /* 1. perturb the data: x_t = alpha x0 + sigma z, input row (x_t, t) */
    for (size_t i = 0; i < B; i++) {
        double ti = gsl_vector_get(t, i), alpha, sigma;
        diffusion_vp_marginal(ti, &alpha, &sigma);
        for (size_t j = 0; j < DIFFUSION_DIM; j++)
            gsl_matrix_set(in, i, j, alpha * gsl_matrix_get(x0, i, j) + sigma * gsl_matrix_get(z, i, j));
        gsl_matrix_set(in, i, DIFFUSION_DIM, ti);
    }
    /* 2. forward, the loss, and dloss/deps = 2 (eps - z) / B, stored in place of eps */
    int status = mlp_forward(net, ws, in, eps);
    double L = 0;
    for (size_t i = 0; i < B && status == GSL_SUCCESS; i++)
        for (size_t j = 0; j < DIFFUSION_DIM; j++) {
            double r = gsl_matrix_get(eps, i, j) - gsl_matrix_get(z, i, j);
            L += r * r;
            gsl_matrix_set(eps, i, j, 2.0 * r / (double)B);
        }
    /* 3. backward through the network */
    if (status == GSL_SUCCESS)
        status = mlp_backward(net, ws, eps, NULL);
    *loss = L / (double)B;
    gsl_matrix_free(in), gsl_matrix_free(eps);
    return status;
}

int diffusion_net_score(double t, const gsl_matrix *X, gsl_matrix *S, void *ctx)
{
    const diffusion_net *dn = ctx;
    double alpha, sigma;
    if (!dn || !dn->net || !dn->ws || !X || !S || !(t > 0) ||
        diffusion_vp_marginal(t, &alpha, &sigma) != GSL_SUCCESS)
        return GSL_EINVAL;
    if (!net_shape_ok(dn->net) || X->size2 != DIFFUSION_DIM || S->size2 != DIFFUSION_DIM ||
        S->size1 != X->size1)
        return GSL_EBADLEN;
    const size_t C = dn->ws->capacity;
    gsl_matrix *in = gsl_matrix_alloc(C, DIFFUSION_DIM + 1);
    if (!in)
        return GSL_ENOMEM;
    int status = GSL_SUCCESS;
    for (size_t r0 = 0; r0 < X->size1 && status == GSL_SUCCESS; r0 += C) {
        const size_t n = X->size1 - r0 < C ? X->size1 - r0 : C;
        gsl_matrix_view I = gsl_matrix_submatrix(in, 0, 0, n, DIFFUSION_DIM + 1);
        gsl_matrix_view Sv = gsl_matrix_submatrix(S, r0, 0, n, DIFFUSION_DIM);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < DIFFUSION_DIM; j++)
                gsl_matrix_set(&I.matrix, i, j, gsl_matrix_get(X, r0 + i, j));
            gsl_matrix_set(&I.matrix, i, DIFFUSION_DIM, t);
        }
        if ((status = mlp_forward(dn->net, dn->ws, &I.matrix, &Sv.matrix)) == GSL_SUCCESS)
            gsl_matrix_scale(&Sv.matrix, -1.0 / sigma); /* s = -eps / sigma */
    }
    gsl_matrix_free(in);
    return status;
}

int diffusion_train(mlp *net, mlp_workspace *ws, const diffusion_mixture *m, size_t n_steps,
                    double lr, gsl_rng *rng, gsl_vector *losses)
{
    if (!net || !ws || !mixture_ok(m) || !rng || !(lr > 0))
        return GSL_EINVAL;
    if (!net_shape_ok(net) || (losses && losses->size != n_steps))
        return GSL_EBADLEN;
    const size_t B = ws->capacity;
    gsl_matrix *x0 = gsl_matrix_alloc(B, DIFFUSION_DIM), *z = gsl_matrix_alloc(B, DIFFUSION_DIM);
    gsl_vector *t = gsl_vector_alloc(B);
    if (!x0 || !z || !t) {
        gsl_matrix_free(x0), gsl_matrix_free(z), gsl_vector_free(t);
        return GSL_ENOMEM;
    }
    /* cosine decay of the learning rate (Loshchilov & Hutter 2017): large steps early, and
     * small ones at the end, which average out the noise of the last batches */
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps && status == GSL_SUCCESS; n++) {
        double L;
        if ((status = diffusion_mixture_sample(m, rng, x0, NULL)) ||
            (status = mlp_sample_uniform(rng, DIFFUSION_T_MIN, 1.0, t)) ||
            (status = mlp_sample_normal(rng, z)) ||
            (status = diffusion_dsm_loss(net, ws, x0, t, z, &L)) ||
            (status = mlp_adam_step(net, lr * 0.5 * (1.0 + cos(M_PI * (double)n / (double)n_steps)))))
            break;
        if (losses)
            gsl_vector_set(losses, n, L);
    }
    gsl_matrix_free(x0), gsl_matrix_free(z), gsl_vector_free(t);
    return status;
}
