/*
 * Chapter 02: matrix calculus, or backpropagation checked by finite differences
 *
 * A two-layer network, with sigma = tanh and a data set of P samples:
 *     yhat(x) = (1/N) sum_i a_i tanh(w_i . x + b_i),    L = (1/P) sum_mu (yhat(x_mu) - y_mu)^2
 * Shapes: P samples, d input dimensions, N hidden units.
 *     X (P, d): row mu is x_mu    y, yhat (P)    a, b (N)    W (N, d): row i is w_i
 *     theta (N (d + 2)) = [ a | W row by row | b ]: every parameter in one block (backprop.h)
 * Gradients carry a d prefix and live in a second backprop_net: da, dW, db.
 *
 * You write, in this order:
 *   TODO(1) backprop_forward()              yhat for every row of X
 *   TODO(2) backprop_loss()                 the mean squared error
 *   TODO(3) backprop_numerical_gradient()   central differences of any f(x, params)
 *   TODO(4) backprop_gradcheck()            numeric gradient and its relative error
 *   TODO(5) backprop_backward()             the analytic gradient: check it with TODO(4)!
 *   TODO(6) backprop_descend()              plain gradient descent
 * backprop_net_alloc() and backprop_net_free() are given.
 *
 * Check:           make test CH=02-backprop
 * See your figure: make plot CH=02-backprop     (writes build/figures/chapters/02-backprop/)
 * The contract of every function is in backprop.h; the math is in README.md.
 */
#include "backprop.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

/* Given: one block for all parameters, and views a, W, b into it.  Nothing to write here. */
backprop_net *backprop_net_alloc(size_t N, size_t d)
{
    if (N == 0 || d == 0)
        return NULL;
    backprop_net *net = malloc(sizeof *net);
    if (!net)
        return NULL;
    net->N = N, net->d = d;
    net->theta = gsl_vector_calloc(N * (d + 2));
    if (!net->theta) {
        free(net);
        return NULL;
    }
    net->a = gsl_vector_subvector(net->theta, 0, N);
    net->W = gsl_matrix_view_array(net->theta->data + N, N, d);
    net->b = gsl_vector_subvector(net->theta, N + N * d, N);
    return net;
}

/* Given. */
void backprop_net_free(backprop_net *net)
{
    if (!net)
        return;
    gsl_vector_free(net->theta);
    free(net);
}

/* The forward pass.
 *   X (P, d) in     yhat (P) out:  yhat_mu = (1/N) sum_i a_i tanh(w_i . x_mu + b_i)
 * Returns GSL_EBADLEN if X->size2 != d or yhat->size != P. */
int backprop_forward(const backprop_net *net, const gsl_matrix *X, gsl_vector *yhat)
{
    (void)net, (void)X, (void)yhat;
    /* TODO(1): 1. check the shapes.
     *          2. for each sample mu and unit i: z = w_i . x_mu + b_i, then add a_i tanh(z).
     *          3. divide by N (the output is a mean over the units).
     *          Faster: Z = X W^T in one gsl_blas_dgemm, then yhat = tanh(Z + b) a / N.
     *          Use &net->W.matrix, &net->a.vector, &net->b.vector.
     *          Hint: README section "The network". */
    return GSL_EUNIMPL;
}

/* The loss L = (1/P) sum_mu (yhat_mu - y_mu)^2.
 *   X (P, d)  y (P) in     *loss out
 * Returns GSL_EBADLEN if the shapes disagree, GSL_EINVAL if loss is NULL. */
int backprop_loss(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y, double *loss)
{
    (void)net, (void)X, (void)y, (void)loss;
    /* TODO(2): check the arguments, allocate yhat (P), call backprop_forward, average the
     *          squared residuals, free yhat.  Hint: README section "The network". */
    return GSL_EUNIMPL;
}

/* Central differences: g_k = [f(x + h e_k) - f(x - h e_k)] / (2h).
 *   x (n) in, restored exactly     g (n) out
 * Returns GSL_EBADLEN if g->size != x->size, GSL_EINVAL if f is NULL or h is not > 0. */
int backprop_numerical_gradient(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                                gsl_vector *g)
{
    (void)f, (void)params, (void)x, (void)h, (void)g;
    /* TODO(3): for each k: save x_k; set x_k + h and call f; set x_k - h and call f; put the
     *          saved value back (x_k += h; x_k -= 2h; x_k += h does not give x_k back
     *          exactly!); then g_k = (f_plus - f_minus) / (2h).
     *          Hint: README section "Central differences". */
    return GSL_EUNIMPL;
}

/* Gradient check: numeric = central differences of f at x, and
 *   rel_err = |analytic - numeric| / max(|analytic|, |numeric|)   (Euclidean norms; 0 if both 0)
 * Returns GSL_EBADLEN if the sizes differ, GSL_EINVAL for a bad f, h or a NULL rel_err. */
int backprop_gradcheck(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                       const gsl_vector *analytic, gsl_vector *numeric, double *rel_err)
{
    (void)f, (void)params, (void)x, (void)h, (void)analytic, (void)numeric, (void)rel_err;
    /* TODO(4): call backprop_numerical_gradient, then the norms (gsl_blas_dnrm2).
     *          Hint: README section "How good is good enough?". */
    return GSL_EUNIMPL;
}

/* Backpropagation: dnet = dL/dtheta (overwritten), *loss = L unless loss is NULL.
 *   X (P, d)  y (P) in     dnet: same N and d as net
 * Returns GSL_EBADLEN if any shape disagrees. */
int backprop_backward(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y,
                      backprop_net *dnet, double *loss)
{
    (void)net, (void)X, (void)y, (void)dnet, (void)loss;
    /* TODO(5): backward mirrors forward, last line first:
     *          1. forward, keeping h_{mu i} = tanh(z_{mu i}) for every mu, i (a P x N matrix).
     *          2. dyhat_mu = 2 (yhat_mu - y_mu) / P.
     *          3. da_i = (1/N) sum_mu dyhat_mu h_{mu i}.
     *          4. dz_{mu i} = dyhat_mu (a_i / N) (1 - h_{mu i}^2)      (tanh' = 1 - tanh^2)
     *          5. dw_i = sum_mu dz_{mu i} x_mu,   db_i = sum_mu dz_{mu i}.
     *          Then check it: backprop_gradcheck on your loss should give < 1e-7 at h = 1e-5.
     *          Hint: README sections "Backward, by index" and "Backward, as matrices". */
    return GSL_EUNIMPL;
}

/* Gradient descent: T = loss->size - 1 steps of theta <- theta - eta grad L(theta),
 * loss[t] = L after t steps.  Returns GSL_EINVAL if eta is not finite and > 0. */
int backprop_descend(backprop_net *net, const gsl_matrix *X, const gsl_vector *y, double eta,
                     gsl_vector *loss)
{
    (void)net, (void)X, (void)y, (void)eta, (void)loss;
    /* TODO(6): check the arguments; allocate a gradient net with backprop_net_alloc; T times:
     *          backprop_backward (it gives you L too), record L, and update all parameters
     *          at once with gsl_blas_daxpy(-eta, grad->theta, net->theta).  Finally record
     *          the loss after the last step, and free the gradient net.
     *          Hint: README section "Gradient descent". */
    return GSL_EUNIMPL;
}

/* Going further: reverse mode costs a small constant times one forward pass, whatever the
 * number of parameters, while central differences cost 2 n forward passes: for the 10^11
 * parameters of a large language model that is the difference between possible and not.
 * Try adding a second hidden layer: its backward pass is one more copy of step 4. */
