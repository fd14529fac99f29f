/*
 * backprop.h: the contract of chapter 02 (matrix calculus: backpropagation through a two-layer
 * network, checked by finite differences).  The stub (chapters/02-backprop/backprop.c) and the
 * reference solution implement exactly this header.
 *
 * The network (one hidden layer of N units, one output), with sigma = tanh:
 *     z_{mu i}  = w_i . x_mu + b_i                     pre-activation of unit i on sample mu
 *     yhat_mu   = (1/N) sum_i a_i tanh(z_{mu i})       the prediction (a mean over the units)
 *     L         = (1/P) sum_mu (yhat_mu - y_mu)^2       the loss: mean squared error
 *
 * Shapes: P samples, d input dimensions, N hidden units.
 *     X (P, d): row mu is x_mu      y, yhat (P)      a, b (N)      W (N, d): row i is w_i
 * Matrices are gsl_matrix (row-major), vectors gsl_vector.  The caller allocates every output.
 * Every int function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree,
 * GSL_EINVAL for a bad argument, GSL_ENOMEM if a workspace cannot be allocated, and
 * GSL_EUNIMPL while it is still a stub.
 */
#ifndef MLPHYS_BACKPROP_H
#define MLPHYS_BACKPROP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* A two-layer network.  All N (d + 2) parameters live in one block, theta, so that a gradient
 * checker or an optimiser can treat them as a single vector; a, W and b are views into it:
 *     theta = [ a_0 .. a_{N-1} | w_0 (d entries) .. w_{N-1} (d entries) | b_0 .. b_{N-1} ]
 * A gradient is stored in a second backprop_net of the same shape (dnet: da, dW, db). */
typedef struct {
    size_t N, d;        /* hidden units, input dimension */
    gsl_vector *theta;  /* (N (d + 2))  every parameter, in the order above */
    gsl_vector_view a;  /* (N)          output weights a_i */
    gsl_matrix_view W;  /* (N, d)       input weights, row i is w_i */
    gsl_vector_view b;  /* (N)          biases b_i */
} backprop_net;

/* A network with all parameters zero.  Returns NULL if N or d is 0 or memory runs out. */
backprop_net *backprop_net_alloc(size_t N, size_t d);
/* Frees everything; backprop_net_free(NULL) does nothing. */
void backprop_net_free(backprop_net *net);

/* The forward pass: yhat_mu = (1/N) sum_i a_i tanh(w_i . x_mu + b_i) for every row of X.
 *   X (P, d)  in     yhat (P)  out
 * Returns GSL_EBADLEN if X does not have d columns or yhat does not have P entries. */
int backprop_forward(const backprop_net *net, const gsl_matrix *X, gsl_vector *yhat);

/* The loss L = (1/P) sum_mu (yhat_mu - y_mu)^2.
 *   X (P, d)  y (P)  in     *loss  out
 * Returns GSL_EBADLEN if the shapes disagree, GSL_EINVAL if loss is NULL. */
int backprop_loss(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y,
                  double *loss);

/* A scalar function of a vector, the way GSL's minimisers take one: f(x, params). */
typedef double (*backprop_scalar_fn)(const gsl_vector *x, void *params);

/* The central-difference gradient of f at x:
 *     g_k = [ f(x + h e_k) - f(x - h e_k) ] / (2 h),      k = 0 .. n-1  (n = x->size)
 * x is changed one entry at a time while f is called, and is restored exactly (bit for bit)
 * before the function returns.
 *   x (n)  in (restored)     g (n)  out
 * Returns GSL_EBADLEN if g->size != n, GSL_EINVAL if f is NULL or h is not finite and > 0. */
int backprop_numerical_gradient(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                                gsl_vector *g);

/* A gradient check: the central-difference gradient of f at x (into numeric) and its distance
 * from an analytic gradient,
 *     rel_err = |analytic - numeric| / max(|analytic|, |numeric|)      (Euclidean norms),
 * with rel_err = 0 when both are the zero vector.
 *   x (n)  in (restored)     analytic (n)  in     numeric (n)  out     *rel_err  out
 * Returns GSL_EBADLEN if the sizes differ, GSL_EINVAL as backprop_numerical_gradient or if
 * rel_err is NULL. */
int backprop_gradcheck(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                       const gsl_vector *analytic, gsl_vector *numeric, double *rel_err);

/* Backpropagation: the gradient of L with respect to every parameter.
 *   X (P, d)  y (P)  in
 *   dnet      out: dnet->a = dL/da, dnet->W = dL/dW (row i is dL/dw_i), dnet->b = dL/db
 *             (overwritten, not accumulated); the same N and d as net
 *   loss      out: L at these parameters, or NULL if not wanted
 * Returns GSL_EBADLEN if the shapes disagree (including dnet's N or d). */
int backprop_backward(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y,
                      backprop_net *dnet, double *loss);

/* Plain gradient descent with a fixed step: theta <- theta - eta grad L(theta), T times.
 *   X (P, d)  y (P)  in
 *   loss (T + 1)  out: loss[t] = L after t steps, t = 0 .. T, so T = loss->size - 1 steps
 *   net           in: the starting point; out: the parameters after T steps
 * Returns GSL_EINVAL if eta is not finite and > 0, GSL_EBADLEN if the shapes disagree. */
int backprop_descend(backprop_net *net, const gsl_matrix *X, const gsl_vector *y, double eta,
                     gsl_vector *loss);

#endif
