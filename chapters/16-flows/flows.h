/*
 * flows.h: the contract of chapter 16 (normalizing flows).
 * The stub (chapters/16-flows/flows.c) and the reference solution implement exactly this header.
 *
 * A flow is an invertible map z = g(x) from data x in R^D to a latent z whose law is the
 * standard normal N(0, I).  By the change of variables,
 *     log p(x) = log N(g(x); 0, I) + log |det dg/dx|.
 * Here g = g_{K-1} o ... o g_1 o g_0 is a stack of K affine coupling layers (RealNVP, Dinh,
 * Sohl-Dickstein & Bengio, ICLR 2017).  Layer k has a binary mask b (D): b_j = 1 keeps
 * coordinate j, b_j = 0 transforms it,
 *     y = b * x + (1 - b) * (x * exp(s) + t),     (s, t) = net_k(b * x),
 *     log |det dy/dx| = sum_j (1 - b_j) s_j        (only the TRANSFORMED coordinates),
 * with * element by element and net_k a small MLP (chapters/common/mlp.h) with D inputs and 2D
 * outputs: columns 0..D-1 are s, columns D..2D-1 are t.
 * Shapes: N points as the rows of an (N, D) gsl_matrix (N <= the workspace's capacity);
 * B = a training batch.  The caller allocates every output.  Every function returns a GSL
 * status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument,
 * GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_FLOWS_H
#define MLPHYS_FLOWS_H

#include "mlp.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>

#define FLOWS_MAX_LAYERS 16

/* A stack of K coupling layers in D dimensions, with the scratch its functions may use.
 * Built by flows_flow_alloc (below, provided); every array is sized for `capacity` rows. */
typedef struct flows_flow {
    size_t D, K, capacity;
    mlp *net[FLOWS_MAX_LAYERS];           /* net[k]: D -> hidden -> ... -> 2D, tanh */
    mlp_workspace *ws[FLOWS_MAX_LAYERS];  /* ws[k]: the last forward pass of net[k] */
    gsl_vector *mask[FLOWS_MAX_LAYERS];   /* mask[k] (D): 1 keeps coordinate j in layer k */
    gsl_matrix *h[FLOWS_MAX_LAYERS + 1];  /* scratch (capacity, D): h[0] the input of the stack,
                                           * h[k + 1] the output of layer k */
    gsl_matrix *g[2];                     /* scratch (capacity, D): gradients, for the backward pass */
    gsl_vector *logdet;                   /* scratch (capacity) */
} flows_flow;

/* Free a flow (NULL is a no-op). */
static inline void flows_flow_free(flows_flow *f)
{
    if (!f)
        return;
    for (size_t k = 0; k < FLOWS_MAX_LAYERS; k++) {
        mlp_free(f->net[k]), mlp_workspace_free(f->ws[k]);
        if (f->mask[k])
            gsl_vector_free(f->mask[k]);
    }
    for (size_t k = 0; k <= FLOWS_MAX_LAYERS; k++)
        if (f->h[k])
            gsl_matrix_free(f->h[k]);
    for (size_t k = 0; k < 2; k++)
        if (f->g[k])
            gsl_matrix_free(f->g[k]);
    if (f->logdet)
        gsl_vector_free(f->logdet);
    free(f);
}

/* K coupling layers in D >= 2 dimensions, each net D -> hidden (x depth) -> 2D with tanh, for
 * batches of up to `capacity` rows.  The masks alternate: layer k keeps the coordinates j with
 * j + k even (in the plane: layer 0 keeps x_0 and moves x_1, layer 1 the other way round).
 * Parameters start at zero; call flows_flow_init.  NULL on a bad argument or no memory. */
static inline flows_flow *flows_flow_alloc(size_t D, size_t K, size_t hidden, size_t depth,
                                           size_t capacity)
{
    if (D < 2 || K == 0 || K > FLOWS_MAX_LAYERS || hidden == 0 || depth == 0 || depth > 8 ||
        capacity == 0)
        return NULL;
    flows_flow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->D = D, f->K = K, f->capacity = capacity;
    size_t sizes[10];
    sizes[0] = D;
    for (size_t l = 1; l <= depth; l++)
        sizes[l] = hidden;
    sizes[depth + 1] = 2 * D;
    int ok = 1;
    for (size_t k = 0; k < K && ok; k++) {
        f->net[k] = mlp_alloc(depth + 1, sizes, MLP_TANH);
        f->ws[k] = f->net[k] ? mlp_workspace_alloc(f->net[k], capacity) : NULL;
        f->mask[k] = gsl_vector_alloc(D);
        ok = f->net[k] && f->ws[k] && f->mask[k];
        for (size_t j = 0; ok && j < D; j++)
            gsl_vector_set(f->mask[k], j, (j + k) % 2 == 0 ? 1.0 : 0.0);
    }
    for (size_t k = 0; k <= K && ok; k++)
        ok = (f->h[k] = gsl_matrix_alloc(capacity, D)) != NULL;
    for (size_t k = 0; k < 2 && ok; k++)
        ok = (f->g[k] = gsl_matrix_alloc(capacity, D)) != NULL;
    if (ok)
        ok = (f->logdet = gsl_vector_alloc(capacity)) != NULL;
    if (!ok) {
        flows_flow_free(f);
        return NULL;
    }
    return f;
}

/* Initialise every net (mlp_init), then multiply its last layer's weights by `last_gain` and
 * zero its biases.  last_gain = 0 starts every coupling at the identity (s = t = 0), the usual
 * choice for training (Kingma & Dhariwal, Glow, 2018); a gain near 1 gives a random flow. */
static inline int flows_flow_init(flows_flow *f, gsl_rng *rng, double last_gain)
{
    if (!f || !rng || !isfinite(last_gain))
        return GSL_EINVAL;
    for (size_t k = 0; k < f->K; k++) {
        mlp *n = f->net[k];
        int st = mlp_init(n, rng);
        if (st)
            return st;
        size_t L = n->n_layers - 1;
        for (size_t i = 0; i < n->sizes[L + 1] * n->sizes[L]; i++)
            n->W[L][i] *= last_gain;
    }
    return GSL_SUCCESS;
}

/* ---- The data: two moons ------------------------------------------------------------------ */

/* Two interleaved half circles of radius R = 2 with Gaussian noise of sd 0.2, centred on the
 * origin (scikit-learn's make_moons shifted by (-0.5, -0.25) and scaled by 2):
 *     moon 0: (-1, -0.5) + R (cos theta,  sin theta),   moon 1: (1, 0.5) - R (cos theta, sin theta),
 * theta uniform on [0, pi), each moon with probability 1/2.  The exact density is
 *     p(x) = 1/(2 pi) sum_m int_0^pi N(x; c_m(theta), 0.2^2 I) dtheta.
 * Draws, for every row, the moon (gsl_rng_uniform_int), theta (gsl_rng_uniform), then the
 * two noise components (gsl_ran_gaussian).  labels (N) out: the moon of each row, or NULL. */
#define FLOWS_MOONS_RADIUS 2.0
#define FLOWS_MOONS_NOISE 0.2
static inline int flows_two_moons(gsl_rng *rng, gsl_matrix *X, size_t *labels)
{
    if (!rng || !X)
        return GSL_EINVAL;
    if (X->size2 != 2)
        return GSL_EBADLEN;
    for (size_t i = 0; i < X->size1; i++) {
        size_t m = gsl_rng_uniform_int(rng, 2);
        double th = M_PI * gsl_rng_uniform(rng), sg = m ? -1.0 : 1.0;
        double cx = sg * (-1.0 + FLOWS_MOONS_RADIUS * cos(th));
        double cy = sg * (-0.5 + FLOWS_MOONS_RADIUS * sin(th));
        gsl_matrix_set(X, i, 0, cx + gsl_ran_gaussian(rng, FLOWS_MOONS_NOISE));
        gsl_matrix_set(X, i, 1, cy + gsl_ran_gaussian(rng, FLOWS_MOONS_NOISE));
        if (labels)
            labels[i] = m;
    }
    return GSL_SUCCESS;
}

/* ---- What you write, in the order [1] ... [8] of the stub -------------------------------- */

/* [1] Box-Muller: N(0, 1) draws from uniforms.  For pair m = 0, 1, ... draw
 *     u1 = gsl_rng_uniform_pos(rng)  (in (0, 1): log u1 is finite),  then u2 = gsl_rng_uniform(rng),
 *     z[2m] = sqrt(-2 log u1) cos(2 pi u2),   z[2m + 1] = sqrt(-2 log u1) sin(2 pi u2).
 * If z->size is odd, the last entry is the cosine of one more pair (its sine is dropped).
 * z (n) out, n >= 1.  GSL_EINVAL if rng or z is NULL. */
int flows_box_muller(gsl_rng *rng, gsl_vector *z);

/* [2] One affine coupling layer, forward (data towards latent):
 *     (s, t) = net(b * X) row by row,   Y = b * X + (1 - b) * (X * exp(s) + t),
 *     logdet_i = sum_j (1 - b_j) s_ij  = log |det dY_i / dX_i|.
 *   net   D inputs, 2D outputs (s then t)     ws  capacity >= N; keeps this forward pass
 *   mask (D) of 0 and 1;   X (N, D) in;   Y (N, D) out (not the same matrix as X);
 *   logdet (N) out.
 * GSL_EBADLEN if the shapes disagree (including N > ws->capacity or N = 0). */
int flows_coupling_forward(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *X, gsl_matrix *Y, gsl_vector *logdet);

/* [3] The same layer inverted (latent towards data): b * Y = b * X, so (s, t) = net(b * Y), and
 *     X = b * Y + (1 - b) * (Y - t) * exp(-s),     logdet_i = log |det dX_i / dY_i| = -sum_j (1 - b_j) s_ij.
 * Same shapes and errors as [2], with the roles of X and Y exchanged. */
int flows_coupling_inverse(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *Y, gsl_matrix *X, gsl_vector *logdet);

/* [4] The change of variables through the stack: z = g(X) = layer K-1 o ... o layer 0 (X), and
 *     logp_i = log N(z_i; 0, I) + sum_k logdet_k,i,    log N(z; 0, I) = -|z|^2 / 2 - (D/2) log(2 pi).
 * Keeps every layer's input in flow->h (h[0] = X, h[k + 1] = output of layer k) and every net's
 * forward pass in flow->ws, for the backward pass [7].
 *   X (N, D) in, N <= flow->capacity;   Z (N, D) out: the latent points, or NULL;   logp (N) out. */
int flows_log_prob(flows_flow *flow, const gsl_matrix *X, gsl_matrix *Z, gsl_vector *logp);

/* [5] Generation: X = g^{-1}(Z), the inverse layers in reverse order K-1, ..., 0.
 *   Z (N, D) in, N <= flow->capacity;   X (N, D) out. */
int flows_inverse(flows_flow *flow, const gsl_matrix *Z, gsl_matrix *X);

/* [6] Backpropagation through one coupling layer, after flows_coupling_forward(net, ws, mask, X,
 * ...) on this X.  Given a loss L and its gradients dY = dL/dY (N, D) and dlogdet = dL/dlogdet
 * (N), OVERWRITES net->grads with dL/dparams (by mlp_backward) and writes dX = dL/dX (N, D),
 * which counts both the direct path and the path through the network.
 * The network's output (s, t) of that forward pass is ws->a[net->n_layers] (N rows of 2D).
 * GSL_EBADLEN if the shapes disagree or N is not the batch of ws's last forward pass. */
int flows_coupling_backward(mlp *net, const mlp_workspace *ws, const gsl_vector *mask,
                            const gsl_matrix *X, const gsl_matrix *dY, const gsl_vector *dlogdet,
                            gsl_matrix *dX);

/* [7] The mean negative log-likelihood of a batch, nll = -1/N sum_i logp_i, and its gradient:
 * after the call every flow->net[k]->grads holds d nll / d params of that net.
 *   X (N, D) in, N <= flow->capacity;   nll out. */
int flows_nll_grad(flows_flow *flow, const gsl_matrix *X, double *nll);

/* [8] Maximum-likelihood training: n_steps Adam steps.  Step n = 0 ... n_steps - 1 draws a batch of
 * B = flow->capacity rows of data (mlp_sample_rows, with replacement), computes flows_nll_grad,
 * and takes one mlp_adam_step on every net with the cosine-decayed rate
 * lr (1 + cos(pi n / n_steps)) / 2.
 *   data (M, D) in;   losses (n_steps) out: the batch nll of every step, or NULL.
 * GSL_EINVAL for lr <= 0 or n_steps = 0, GSL_EBADLEN for shapes. */
int flows_train(flows_flow *flow, const gsl_matrix *data, size_t n_steps, double lr, gsl_rng *rng,
                gsl_vector *losses);

#endif
