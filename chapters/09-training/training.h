/*
 * training.h: the contract of chapter 09 (training a multi-layer perceptron from scratch).
 * The stub (chapters/09-training/training.c) and the reference solution implement exactly this
 * header.
 *
 * Shapes: B examples in a batch (rows), d input features, K classes, L affine layers of widths
 * n_0 = d, n_1, ..., n_L = K.  Matrices are gsl_matrix (row-major, one example per row).
 * Labels are ints 0..K-1.  The caller allocates every output.  Every int function returns a
 * GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument,
 * GSL_ENOMEM when memory runs out, and GSL_EUNIMPL while it is still a stub.  On an error no
 * output is changed.
 */
#ifndef MLPHYS_TRAINING_H
#define MLPHYS_TRAINING_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* ---- 1. Whitening ---------------------------------------------------------------------------
 * Centre the data, mu = (1/b) sum_i x_i, and take the covariance with 1/b (not 1/(b-1)):
 *     C = (1/b) (X - 1 mu^T)^T (X - 1 mu^T) = U diag(lambda) U^T.
 * A whitening matrix W (d, d) maps a centred row x to z = W (x - mu) with Cov z = I:
 *     PCA:  W = diag(s) U^T            (rows: principal axes, by decreasing lambda)
 *     ZCA:  W = U diag(s) U^T          (symmetric: the whitening closest to the identity)
 * with s_k = 1 / sqrt(lambda_k + eps).  A direction with lambda_k <= WHITEN_ZERO_TOL * lambda_max
 * counts as zero variance: its lambda_k is taken as 0, and if then lambda_k + eps = 0 its
 * s_k is 0 (the direction is dropped, never divided by zero). */
#define WHITEN_ZERO_TOL 1e-12

typedef enum { WHITEN_PCA, WHITEN_ZCA } whiten_kind;

/* Fit mu and W to the rows of X.
 *   X (b, d) in, mu (d) out, W (d, d) out.
 * GSL_EBADLEN if shapes disagree or b < 2, GSL_EINVAL if eps < 0 or not finite, or kind unknown. */
int whiten_fit(const gsl_matrix *X, whiten_kind kind, double eps, gsl_vector *mu, gsl_matrix *W);

/* Z = (X - 1 mu^T) W^T, row by row z_i = W (x_i - mu).
 *   X (b, d) in, Z (b, d) out (Z may not be X).   GSL_EBADLEN if shapes disagree. */
int whiten_apply(const gsl_matrix *W, const gsl_vector *mu, const gsl_matrix *X, gsl_matrix *Z);

/* ---- 2. Initialisation and signal propagation ----------------------------------------------
 * A layer z = W a + b with W (fan_out, fan_in) gets W_ij ~ N(0, var) with
 *     He (Kaiming):     var = 2 / fan_in              (for ReLU)
 *     Glorot (Xavier):  var = 2 / (fan_in + fan_out)   (the Gaussian version)
 *     LeCun:            var = 1 / fan_in              (for tanh) */
typedef enum { INIT_HE, INIT_GLOROT, INIT_LECUN } init_kind;
typedef enum { ACT_RELU, ACT_TANH } act_kind;

/* The variance above.  GSL_EINVAL if fan_in or fan_out is 0 or kind unknown. */
int init_variance(init_kind kind, size_t fan_in, size_t fan_out, double *var);

/* Fill W (fan_out = W->size1, fan_in = W->size2) with independent N(0, var) entries from rng. */
int init_weights(gsl_matrix *W, init_kind kind, gsl_rng *rng);

/* Push a batch through `depth` = q->size fresh random layers of width `width`, weights by
 * init_weights(kind), biases b_j ~ N(0, sigma_b^2), activation phi:
 *     z_1 = X0 W_1^T + 1 b_1^T,     z_{l+1} = phi(z_l) W_{l+1}^T + 1 b_{l+1}^T
 * (W_1 is width x n_0, the others width x width), and record the second moment of the
 * pre-activations,  q_l = (1 / (B width)) sum_{i,j} (z_l)_ij^2,  at q[l - 1], l = 1..depth.
 *   X0 (B, n_0) in, q (depth) out.
 * GSL_EINVAL if width = 0, sigma_b < 0 or a kind is unknown, GSL_EBADLEN if q or X0 is empty. */
int signal_propagate(act_kind act, init_kind kind, double sigma_b, size_t width,
                     const gsl_matrix *X0, gsl_rng *rng, gsl_vector *q);

/* ---- 3. A multi-layer perceptron ------------------------------------------------------------
 * Layer l = 0..L-1 maps a_l (B, n_l) to z_{l+1} = a_l W_l^T + 1 b_l^T, W_l (n_{l+1}, n_l)
 * row-major, b_l (n_{l+1}).  Hidden layers apply phi: a_{l+1} = phi(z_{l+1}) for l + 1 < L;
 * the last layer is linear and its output z_L (B, K) are the logits.
 *
 * Every parameter lives in one block, params (P doubles), laid out W_0, b_0, W_1, b_1, ...;
 * W[l] and b[l] point into it.  grads has the same layout (dW[l], db[l]).  The activations of
 * the last forward pass stay in the net for the backward pass: a[0] (a copy of the input),
 * a[l] = phi(z[l]) for 0 < l < L, and z[l] for 1 <= l <= L (z[L] = the logits), each with
 * room for `capacity` rows, stored row-major with n_l columns.  net_alloc and net_free are
 * given; you write the rest. */
typedef struct net {
    size_t L;            /* number of affine layers */
    size_t *sizes;       /* L + 1 widths n_0 .. n_L */
    act_kind act;        /* on hidden layers */
    size_t P;            /* sum_l n_{l+1} (n_l + 1) */
    size_t capacity;     /* the largest batch a forward pass takes */
    size_t rows;         /* the batch of the last forward pass (0 before any) */
    double *params, *grads;
    double **W, **b, **dW, **db;  /* L pointers each, into params and grads */
    double **a, **z;              /* L + 1 pointers each; z[0] and a[L] are NULL */
    double *scratch;              /* one block: two backward buffers of capacity * max_l n_l
                                     doubles, then the arrays a[l] and z[l] point into it */
} net;

/* A net with L layers of widths sizes[0..L] (all >= 1, L >= 1) taking batches of up to
 * `capacity` rows; parameters and gradients start at zero.  NULL on a bad argument or no memory. */
net *net_alloc(size_t L, const size_t *sizes, act_kind act, size_t capacity);
void net_free(net *n); /* NULL is a no-op */

/* W_l by init_weights(kind) (fan_in = n_l, fan_out = n_{l+1}), layer by layer l = 0, 1, ...;
 * biases 0. */
int net_init(net *n, init_kind kind, gsl_rng *rng);

/* Forward pass: X (B, n_0), 1 <= B <= capacity; keeps a and z in the net (n->rows = B) and,
 * if Y is not NULL, copies the logits into Y (B, K). */
int net_forward(net *n, const gsl_matrix *X, gsl_matrix *Y);

/* Mean softmax cross-entropy of the logits Z (B, K) against labels y (B entries, 0..K-1),
 *     loss = -(1/B) sum_i log softmax(Z_i)_{y_i},
 * computed with log-sum-exp (finite for any finite logits), and, if dZ is not NULL, its
 * gradient dZ = (softmax(Z) - onehot(y)) / B  (B, K).  GSL_EINVAL for a label outside 0..K-1. */
int softmax_xent(const gsl_matrix *Z, const int *y, double *loss, gsl_matrix *dZ);

/* Backward pass of the last net_forward: given dY = dLoss/dlogits (rows, K), OVERWRITES
 * n->grads with dLoss/dparams.  GSL_EINVAL if no forward pass was made, GSL_EBADLEN if dY is
 * not (n->rows, K). */
int net_backward(net *n, const gsl_matrix *dY);

/* ---- 4. Optimisers --------------------------------------------------------------------------
 * One step on a parameter vector theta (P) with gradient g (P); weight decay enters as an L2
 * term, g <- g + weight_decay theta, before the update (as torch.optim.SGD and Adam do):
 *     SGD:       theta <- theta - lr g
 *     momentum:  v <- momentum v + g,   theta <- theta - lr v            (v starts at 0)
 *     Adam:      t <- t + 1,  m <- beta1 m + (1 - beta1) g,  v <- beta2 v + (1 - beta2) g^2,
 *                theta <- theta - lr mhat / (sqrt(vhat) + eps),
 *                mhat = m / (1 - beta1^t),  vhat = v / (1 - beta2^t)    (m, v start at 0)
 * (Kingma & Ba, ICLR 2015, Algorithm 1). */
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM } opt_kind;

typedef struct opt {
    opt_kind kind;
    size_t P;
    double lr, momentum, beta1, beta2, eps, weight_decay;
    unsigned long t;      /* steps taken */
    double *m, *v;        /* P each: momentum buffer (m) and Adam's moments (m, v); zero at start */
} opt;

/* An optimiser for P parameters with the defaults momentum = 0.9, beta1 = 0.9, beta2 = 0.999,
 * eps = 1e-8, weight_decay = 0 (change the fields afterwards).  NULL on P = 0 or no memory. */
opt *opt_alloc(opt_kind kind, size_t P, double lr);
void opt_free(opt *o); /* NULL is a no-op */

/* One step in place: theta (o->P) updated, g (o->P) read only.  GSL_EINVAL if a pointer is
 * NULL or lr <= 0. */
int opt_step(opt *o, double *theta, const double *g);

/* ---- 5. Training ---------------------------------------------------------------------------- */

/* One epoch of mini-batch training: visit the rows of X in the given order (order is a
 * permutation of 0..N-1, or NULL for 0, 1, ..., N-1) in consecutive batches of `batch` rows
 * (the last one may be smaller); for each: forward, softmax_xent, backward, opt_step on
 * n->params with n->grads.  *mean_loss (may be NULL) gets the mean over the N examples of the
 * loss before each step.
 *   X (N, n_0), y (N).   GSL_EINVAL if batch = 0 or batch > capacity, or o->P != n->P. */
int net_train_epoch(net *n, opt *o, const gsl_matrix *X, const int *y, const size_t *order,
                    size_t batch, double *mean_loss);

/* Mean cross-entropy and accuracy (fraction of rows whose largest logit is at y_i; ties go to
 * the first) of the net on X (N, n_0), y (N), in chunks of at most capacity rows.  Either
 * output may be NULL. */
int net_evaluate(net *n, const gsl_matrix *X, const int *y, double *loss, double *accuracy);

#endif
