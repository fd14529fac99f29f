/*
 * Chapter 16: normalizing flows, or how to learn a density you can both sample and evaluate
 *
 * A flow is an invertible map z = g(x) from data to a standard normal latent.  By the change of
 * variables,  log p(x) = log N(g(x); 0, I) + log |det dg/dx|.   Here g is a stack of K affine
 * coupling layers (RealNVP); layer k, with a 0/1 mask b (1 = keep) and (s, t) = net_k(b * x):
 *     y = b * x + (1 - b) * (x * exp(s) + t),      log |det dy/dx| = sum_{j: b_j = 0} s_j.
 * Shapes: N points as the rows of (N, D) matrices, N <= the workspace's capacity; D = 2 for the
 * two moons.  The networks (forward, backward, Adam) are provided: chapters/common/mlp.h.
 *
 * You write, in this order:
 *   TODO(1) flows_box_muller()         two uniforms -> two independent normals
 *   TODO(2) flows_coupling_forward()   one coupling layer and its log-determinant
 *   TODO(3) flows_coupling_inverse()   the same layer, inverted
 *   TODO(4) flows_log_prob()           the change of variables through the whole stack
 *   TODO(5) flows_inverse()            generation: the stack inverted, last layer first
 *   TODO(6) flows_coupling_backward()  backpropagation through one coupling layer
 *   TODO(7) flows_nll_grad()           the negative log-likelihood and its gradient
 *   TODO(8) flows_train()              maximum likelihood with Adam
 *
 * Check:           make test CH=16-flows
 * Stuck?           chapters/16-flows/hints.md: three hints per TODO
 * See your figure: make plot CH=16-flows       (writes build/figures/chapters/16-flows/)
 * The contract of every function is in flows.h; the math is in README.md.
 */
#include "flows.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <string.h>

/* Box-Muller.  For pair m: u1 = gsl_rng_uniform_pos(rng), then u2 = gsl_rng_uniform(rng),
 *   z[2m] = sqrt(-2 log u1) cos(2 pi u2),   z[2m + 1] = sqrt(-2 log u1) sin(2 pi u2);
 * an odd length keeps the cosine of one more pair.   GSL_EINVAL if rng or z is NULL. */
int flows_box_muller(gsl_rng *rng, gsl_vector *z)
{
    (void)rng, (void)z;
    /* TODO(1): one loop over pairs, two uniforms per pair, in the order above.  Why
     *          gsl_rng_uniform_pos and not gsl_rng_uniform for u1?  (What is log 0?)
     *          Hint: README section "Box-Muller, the simplest flow". */
    return GSL_EUNIMPL;
}

/* One affine coupling layer, data towards latent.
 *   (s, t) = net(b * X): feed the MASKED input (N, D) to mlp_forward, get (N, 2D): s | t
 *   Y = b * X + (1 - b) * (X * exp(s) + t),   logdet_i = sum_j (1 - b_j) s_ij.
 * GSL_EBADLEN if shapes disagree (N > ws->capacity, net not D -> 2D, mask not D, ...). */
int flows_coupling_forward(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *X, gsl_matrix *Y, gsl_vector *logdet)
{
    (void)net, (void)ws, (void)mask, (void)X, (void)Y, (void)logdet;
    /* TODO(2): 1. check every shape;  2. build b * X in a scratch matrix and run the network;
     *          3. row by row: copy the kept coordinates exactly, transform the others, and add
     *             up s over the TRANSFORMED coordinates only: that is the log-determinant.
     *          Hint: README sections "Coupling layers" and "Why a triangular Jacobian". */
    return GSL_EUNIMPL;
}

/* The inverse layer, latent towards data:  (s, t) = net(b * Y),
 *   X = b * Y + (1 - b) * (Y - t) * exp(-s),   logdet_i = -sum_j (1 - b_j) s_ij. */
int flows_coupling_inverse(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *Y, gsl_matrix *X, gsl_vector *logdet)
{
    (void)net, (void)ws, (void)mask, (void)Y, (void)X, (void)logdet;
    /* TODO(3): the same steps as TODO(2).  The network never needs inverting: it only ever
     *          sees the kept coordinates, which the layer does not change.
     *          Hint: README section "Coupling layers". */
    return GSL_EUNIMPL;
}

/* log p(x) through the stack:  h_0 = X,  h_{k+1} = layer k (h_k),  z = h_K,
 *   logp_i = -|z_i|^2 / 2 - (D/2) log(2 pi) + sum_k logdet_k,i.
 * Keep h_k in flow->h[k] (the first N rows) and each layer's pass in flow->ws[k].
 * Z (N, D) out, or NULL;  logp (N) out. */
int flows_log_prob(flows_flow *flow, const gsl_matrix *X, gsl_matrix *Z, gsl_vector *logp)
{
    (void)flow, (void)X, (void)Z, (void)logp;
    /* TODO(4): gsl_matrix_submatrix(flow->h[k], 0, 0, N, D) gives an N-row view of the scratch;
     *          layer k uses flow->net[k], flow->ws[k] and flow->mask[k].
     *          Hint: README section "The change of variables". */
    return GSL_EUNIMPL;
}

/* Generation: X = g^{-1}(Z), inverse layers K-1, ..., 0.   Z (N, D) in (unchanged), X out. */
int flows_inverse(flows_flow *flow, const gsl_matrix *Z, gsl_matrix *X)
{
    (void)flow, (void)Z, (void)X;
    /* TODO(5): ping-pong between two scratch matrices (flow->g[0], flow->g[1]) so that no
     *          layer reads and writes the same matrix.  Hint: README section "Sampling". */
    return GSL_EUNIMPL;
}

/* Backward through one layer after its forward pass on X:  dY (N, D), dlogdet (N) in;
 * net->grads (overwritten by mlp_backward) and dX (N, D) out.  The network's output (s, t)
 * of that pass is ws->a[net->n_layers], row-major (N, 2D). */
int flows_coupling_backward(mlp *net, const mlp_workspace *ws, const gsl_vector *mask,
                            const gsl_matrix *X, const gsl_matrix *dY, const gsl_vector *dlogdet,
                            gsl_matrix *dX)
{
    (void)net, (void)ws, (void)mask, (void)X, (void)dY, (void)dlogdet, (void)dX;
    /* TODO(6): 1. the gradient with respect to the network's output (N, 2D):
     *             transformed j:  dL/ds_j = dY_j x_j e^{s_j} + dlogdet,   dL/dt_j = dY_j;
     *             kept j:         0 for both (the layer does not use them);
     *          2. mlp_backward(net, ws, dST, din) gives the parameter gradients and din;
     *          3. dX_j = dY_j e^{s_j} (transformed)  or  dY_j + din_j (kept).
     *          Hint: README section "Training: backpropagation through the flow". */
    return GSL_EUNIMPL;
}

/* nll = -1/N sum_i logp_i, and every flow->net[k]->grads = d nll / d params. */
int flows_nll_grad(flows_flow *flow, const gsl_matrix *X, double *nll)
{
    (void)flow, (void)X, (void)nll;
    /* TODO(7): forward with flows_log_prob (it keeps what the backward pass needs), then
     *          start from dnll/dz = z / N and dnll/dlogdet_k = -1/N, and call TODO(6) for the
     *          layers K-1, ..., 0: the dX of layer k is the dY of layer k - 1.
     *          Hint: README section "Training: backpropagation through the flow". */
    return GSL_EUNIMPL;
}

/* n_steps of: batch (flow->capacity rows) by mlp_sample_rows, flows_nll_grad, and one
 * mlp_adam_step per net at lr (1 + cos(pi n / n_steps)) / 2.  losses (n_steps) out or NULL. */
int flows_train(flows_flow *flow, const gsl_matrix *data, size_t n_steps, double lr, gsl_rng *rng,
                gsl_vector *losses)
{
    (void)flow, (void)data, (void)n_steps, (void)lr, (void)rng, (void)losses;
    /* TODO(8): check lr > 0, n_steps > 0 and the shapes, then the loop above.
     *          Hint: README section "Maximum likelihood is forward KL". */
    return GSL_EUNIMPL;
}
