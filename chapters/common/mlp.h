/*
 * mlp.h: a small multi-layer perceptron with hand-written backprop and Adam, shared by the
 * generative-modelling chapters (18-diffusion, 19-interpolants, and later ones).  This is
 * provided, reference-quality code: the chapters use it, they do not ask you to write it.
 *
 *     size_t sizes[] = {3, 64, 64, 2};                 // input 3, two hidden layers, output 2
 *     mlp *net = mlp_alloc(3, sizes, MLP_TANH);        // 3 affine maps
 *     mlp_workspace *ws = mlp_workspace_alloc(net, 128);
 *     mlp_init(net, rng);
 *     for (step...) {
 *         mlp_forward(net, ws, X, Y);                  // X (B, 3) -> Y (B, 2), B <= 128
 *         ... dY = d loss / d Y  (B, 2) ...
 *         mlp_backward(net, ws, dY, NULL);             // writes net->dW, net->db
 *         mlp_adam_step(net, 1e-3);
 *     }
 *     mlp_workspace_free(ws), mlp_free(net);
 *
 * Shapes: B = batch (rows), L = number of affine maps, n_l = sizes[l] (n_0 inputs, n_L
 * outputs).  Layer l maps a_l (B, n_l) to z_{l+1} = a_l W_l^T + b_l with W_l (n_{l+1}, n_l)
 * row-major; hidden layers apply the activation, a_{l+1} = f(z_{l+1}); the last is linear.
 * Every matrix is a gsl_matrix with one row per example.  Functions return GSL status codes:
 * GSL_EBADLEN for shapes that disagree, GSL_EINVAL for bad arguments, GSL_ENOMEM.
 */
#ifndef MLPHYS_MLP_H
#define MLPHYS_MLP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

typedef enum { MLP_TANH, MLP_RELU, MLP_SILU } mlp_activation;

/* Adam (Kingma & Ba 2015, Algorithm 1) with its standard constants. */
#define MLP_ADAM_BETA1 0.9
#define MLP_ADAM_BETA2 0.999
#define MLP_ADAM_EPS 1e-8

typedef struct mlp {
    size_t n_layers;        /* L affine maps */
    size_t *sizes;          /* L + 1 widths n_0 ... n_L */
    mlp_activation act;     /* on the hidden layers; the output layer is linear */
    size_t n_params;        /* P = sum_l n_{l+1} (n_l + 1) */
    /* One block of 4P doubles, in this order (llm.c style): the parameters, their gradients,
     * and Adam's two moment estimates, each laid out W_0, b_0, W_1, b_1, ... */
    double *params, *grads, *adam_m, *adam_v;
    double **W, **b;        /* pointer tables into params: W[l] (n_{l+1} x n_l), b[l] (n_{l+1}) */
    double **dW, **db;      /* the same into grads */
    unsigned long adam_t;   /* Adam steps taken */
} mlp;

/* Activations of the last forward pass, kept for the backward pass. */
typedef struct mlp_workspace {
    size_t capacity;        /* the largest batch it holds */
    size_t rows;            /* the batch of the last forward pass (0 before any) */
    size_t n_layers;
    double **a;             /* a[0..L]: a[0] the input, a[l] = f(z[l]) for 0 < l < L, a[L] = output */
    double **z;             /* z[1..L-1]: hidden pre-activations (z[0] unused, NULL) */
    double *g0, *g1;        /* backward scratch, capacity x max width each */
} mlp_workspace;

/* A network with n_layers affine maps and widths sizes[0..n_layers] (all >= 1).  Parameters
 * start at zero (call mlp_init).  Returns NULL on a bad argument or when memory runs out. */
mlp *mlp_alloc(size_t n_layers, const size_t *sizes, mlp_activation act);
void mlp_free(mlp *net); /* NULL is a no-op */

mlp_workspace *mlp_workspace_alloc(const mlp *net, size_t capacity);
void mlp_workspace_free(mlp_workspace *ws); /* NULL is a no-op */

/* Gaussian initialisation W_ij ~ N(0, g / n_l) with g = 1 for tanh (LeCun/Xavier) and 2 for
 * ReLU and SiLU (He), biases 0; Adam's moments and step count are reset. */
int mlp_init(mlp *net, gsl_rng *rng);

/* Y = net(X).  X (B, n_0), Y (B, n_L), 1 <= B <= ws->capacity.  Keeps the activations in ws. */
int mlp_forward(const mlp *net, mlp_workspace *ws, const gsl_matrix *X, gsl_matrix *Y);

/* The backward pass of the last mlp_forward: given dY = dLoss/dY (B, n_L), OVERWRITES
 * net->grads with dLoss/dparams and, if dX is not NULL, writes dX = dLoss/dX (B, n_0). */
int mlp_backward(mlp *net, const mlp_workspace *ws, const gsl_matrix *dY, gsl_matrix *dX);

/* One Adam step on every parameter with learning rate lr > 0, from net->grads. */
int mlp_adam_step(mlp *net, double lr);

/* ---- Sampling helpers ------------------------------------------------------------------- */

/* Every entry of X an independent N(0, 1). */
int mlp_sample_normal(gsl_rng *rng, gsl_matrix *X);

/* Every entry of t independent and uniform on [lo, hi), lo < hi. */
int mlp_sample_uniform(gsl_rng *rng, double lo, double hi, gsl_vector *t);

/* N = X->size1 draws from the isotropic Gaussian mixture sum_k w_k N(mu_k, s_k^2 I) in D
 * dimensions.  weights (K) need not be normalised (>= 0, positive sum); means (K, D);
 * sds (K) > 0; X (N, D) out; labels (N) out, the component of each draw, or NULL. */
int mlp_sample_mixture(gsl_rng *rng, const gsl_vector *weights, const gsl_matrix *means,
                       const gsl_vector *sds, gsl_matrix *X, size_t *labels);

/* A minibatch: each row of dst a uniformly chosen row of src (with replacement). */
int mlp_sample_rows(gsl_rng *rng, const gsl_matrix *src, gsl_matrix *dst);

#endif
