/*
 * Chapter 09: training a multi-layer perceptron from scratch
 *
 * Data X (b, d), one example per row.  A network of L affine layers z_{l+1} = a_l W_l^T + b_l
 * with widths n_0 = d, ..., n_L = K classes, phi = ReLU or tanh between layers, softmax
 * cross-entropy on the logits z_L, trained by mini-batch SGD, momentum or Adam.
 *
 * You write, in this order:
 *   TODO(1)  whiten_fit()          mean, covariance, eigendecomposition, PCA / ZCA whitening matrix
 *   TODO(2)  whiten_apply()        z_i = W (x_i - mu)
 *   TODO(3)  init_variance(), init_weights()     He, Glorot, LeCun
 *   TODO(4)  signal_propagate()    q_l through a deep random network (the mean-field experiment)
 *   TODO(5)  net_init(), net_forward()
 *   TODO(6)  softmax_xent()        loss and dLoss/dlogits, with log-sum-exp
 *   TODO(7)  net_backward()        backprop through L layers
 *   TODO(8)  opt_step()            SGD, momentum, Adam, weight decay
 *   TODO(9)  net_train_epoch()     one pass over the data in mini-batches
 *   TODO(10) net_evaluate()        mean loss and accuracy
 * net_alloc/net_free and opt_alloc/opt_free are given: read them to see the memory layout.
 *
 * Check:           make test CH=09-training
 * See your figure: make plot CH=09-training       (writes build/figures/chapters/09-training/)
 * The contract of every function is in training.h; the math is in README.md.
 */
#include "training.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- 1. Whitening -------------------------------------------------------------------------- */

/* mu = column means of X (b, d); C = (1/b) Xc^T Xc = U diag(lambda) U^T;
 * PCA: W = diag(s) U^T (rows by decreasing lambda), ZCA: W = U diag(s) U^T, s = 1/sqrt(lambda + eps),
 * lambda <= WHITEN_ZERO_TOL lambda_max taken as 0, and s = 0 when lambda + eps = 0. */
int whiten_fit(const gsl_matrix *X, whiten_kind kind, double eps, gsl_vector *mu, gsl_matrix *W)
{
    (void)X, (void)kind, (void)eps, (void)mu, (void)W;
    /* TODO(1): 1. check the arguments (eps >= 0 and finite, b >= 2, square W of size d).
     *          2. the column means, then the centred copy Xc.
     *          3. C = Xc^T Xc / b (gsl_blas_dsyrk or dgemm), then gsl_eigen_symmv and
     *             gsl_eigen_symmv_sort(..., GSL_EIGEN_SORT_VAL_DESC).
     *          4. s_k from lambda_k: never divide by zero on a blank pixel.
     *          5. build W; for ZCA rotate back with U.
     *          Hint: README section "Whitening". */
    return GSL_EUNIMPL;
}

/* Z (b, d) = (X - 1 mu^T) W^T. */
int whiten_apply(const gsl_matrix *W, const gsl_vector *mu, const gsl_matrix *X, gsl_matrix *Z)
{
    (void)W, (void)mu, (void)X, (void)Z;
    /* TODO(2): subtract mu from every row, then one matrix product.  Row i of Z is W (x_i - mu):
     *          which of W and W^T multiplies the row-major data from the right? */
    return GSL_EUNIMPL;
}

/* ---- 2. Initialisation and signal propagation ---------------------------------------------- */

/* He 2/fan_in, Glorot 2/(fan_in + fan_out), LeCun 1/fan_in. */
int init_variance(init_kind kind, size_t fan_in, size_t fan_out, double *var)
{
    (void)kind, (void)fan_in, (void)fan_out, (void)var;
    /* TODO(3): a switch on kind; GSL_EINVAL for a zero fan or an unknown kind. */
    return GSL_EUNIMPL;
}

/* W (fan_out, fan_in): independent N(0, var) entries. */
int init_weights(gsl_matrix *W, init_kind kind, gsl_rng *rng)
{
    (void)W, (void)kind, (void)rng;
    /* TODO(3): fan_in is the number of COLUMNS (W multiplies a vector of length fan_in).
     *          gsl_ran_gaussian_ziggurat(rng, sd) takes a standard deviation, not a variance. */
    return GSL_EUNIMPL;
}

/* q_l = mean of z_l^2 over batch and units, l = 1..depth, through fresh random layers. */
int signal_propagate(act_kind act, init_kind kind, double sigma_b, size_t width,
                     const gsl_matrix *X0, gsl_rng *rng, gsl_vector *q)
{
    (void)act, (void)kind, (void)sigma_b, (void)width, (void)X0, (void)rng, (void)q;
    /* TODO(4): for l = 1..depth: draw W_l (width x n_in) with init_weights and b_l ~ N(0, sigma_b^2),
     *          z = a W_l^T + b_l, record q_l = mean z^2, then a = phi(z) for the next layer
     *          (a starts as X0).  Record z BEFORE the activation.
     *          Hint: README section "Signal propagation and the mean-field map". */
    return GSL_EUNIMPL;
}

/* ---- 3. The multi-layer perceptron (allocation given) -------------------------------------- */

net *net_alloc(size_t L, const size_t *sizes, act_kind act, size_t capacity)
{
    if (L == 0 || !sizes || capacity == 0 || (act != ACT_RELU && act != ACT_TANH))
        return NULL;
    size_t P = 0, acts = 0, nmax = 0;
    for (size_t l = 0; l <= L; l++) {
        if (sizes[l] == 0)
            return NULL;
        nmax = sizes[l] > nmax ? sizes[l] : nmax;
        if (l < L)
            P += sizes[l + 1] * (sizes[l] + 1);
        acts += (l == 0 || l == L ? 1 : 2) * sizes[l]; /* a[0]; a[l], z[l] inside; z[L] */
    }
    net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->L = L, n->act = act, n->P = P, n->capacity = capacity;
    n->sizes = malloc((L + 1) * sizeof *n->sizes);
    n->params = calloc(2 * P, sizeof *n->params); /* params, then grads: one block */
    n->W = malloc(4 * L * sizeof *n->W);
    n->a = calloc(2 * (L + 1), sizeof *n->a);
    n->scratch = malloc((acts + 2 * nmax) * capacity * sizeof *n->scratch);
    if (!n->sizes || !n->params || !n->W || !n->a || !n->scratch) {
        net_free(n);
        return NULL;
    }
    memcpy(n->sizes, sizes, (L + 1) * sizeof *sizes);
    n->grads = n->params + P;
    n->b = n->W + L, n->dW = n->W + 2 * L, n->db = n->W + 3 * L;
    n->z = n->a + L + 1;
    size_t off = 0;
    for (size_t l = 0; l < L; l++) {
        n->W[l] = n->params + off, n->dW[l] = n->grads + off;
        off += sizes[l + 1] * sizes[l];
        n->b[l] = n->params + off, n->db[l] = n->grads + off;
        off += sizes[l + 1];
    }
    double *p = n->scratch + 2 * nmax * capacity; /* the first 2 nmax capacity: backward scratch */
    for (size_t l = 0; l <= L; l++) {
        if (l < L)
            n->a[l] = p, p += capacity * sizes[l];
        if (l > 0)
            n->z[l] = p, p += capacity * sizes[l];
    }
    return n;
}

void net_free(net *n)
{
    if (!n)
        return;
    free(n->sizes), free(n->params), free(n->W), free(n->a), free(n->scratch);
    free(n);
}

/* W_l by init_weights (fan_in = n_l, fan_out = n_{l+1}), layer by layer; biases 0. */
int net_init(net *n, init_kind kind, gsl_rng *rng)
{
    (void)n, (void)kind, (void)rng;
    /* TODO(5): gsl_matrix_view_array(n->W[l], n_{l+1}, n_l) makes a gsl_matrix of a layer. */
    return GSL_EUNIMPL;
}

/* Copy X into a[0]; for each layer z_{l+1} = a_l W_l^T + 1 b_l^T, a_{l+1} = phi(z_{l+1}) except
 * after the last layer; n->rows = B; logits z[L] copied into Y if Y != NULL. */
int net_forward(net *n, const gsl_matrix *X, gsl_matrix *Y)
{
    (void)n, (void)X, (void)Y;
    /* TODO(5): check 1 <= B <= capacity and the widths.  One cblas_dgemm per layer does
     *          z = a W^T on the raw row-major arrays (CblasRowMajor, CblasNoTrans, CblasTrans),
     *          after the rows of z are set to the bias.  A triple loop is fine too, just slower.
     *          Hint: README section "Backpropagation through L layers". */
    return GSL_EUNIMPL;
}

/* loss = -(1/B) sum_i log softmax(Z_i)_{y_i};  dZ = (softmax(Z) - onehot(y)) / B. */
int softmax_xent(const gsl_matrix *Z, const int *y, double *loss, gsl_matrix *dZ)
{
    (void)Z, (void)y, (void)loss, (void)dZ;
    /* TODO(6): per row, log-sum-exp with the row maximum subtracted; check the labels first. */
    return GSL_EUNIMPL;
}

/* From delta_L = dY: dW_l = delta_{l+1}^T a_l, db_l = column sums of delta_{l+1},
 * delta_l = (delta_{l+1} W_l) * phi'(z_l).  Overwrites n->grads. */
int net_backward(net *n, const gsl_matrix *dY)
{
    (void)n, (void)dY;
    /* TODO(7): walk the layers from l = L-1 down to 0 with the two scratch buffers at the start
     *          of n->scratch (capacity * max width each).  phi'(z) is (z > 0) for ReLU and
     *          1 - tanh(z)^2 = 1 - a^2 for tanh.
     *          Hint: README section "Backpropagation through L layers". */
    return GSL_EUNIMPL;
}

/* ---- 4. Optimisers (allocation given) ------------------------------------------------------ */

opt *opt_alloc(opt_kind kind, size_t P, double lr)
{
    if (P == 0 || (kind != OPT_SGD && kind != OPT_MOMENTUM && kind != OPT_ADAM))
        return NULL;
    opt *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->m = calloc(2 * P, sizeof *o->m);
    if (!o->m) {
        free(o);
        return NULL;
    }
    o->v = o->m + P;
    o->kind = kind, o->P = P, o->lr = lr;
    o->momentum = 0.9, o->beta1 = 0.9, o->beta2 = 0.999, o->eps = 1e-8, o->weight_decay = 0;
    return o;
}

void opt_free(opt *o)
{
    if (!o)
        return;
    free(o->m);
    free(o);
}

/* One step of SGD, momentum or Adam on theta (P) with gradient g (P), weight decay first. */
int opt_step(opt *o, double *theta, const double *g)
{
    (void)o, (void)theta, (void)g;
    /* TODO(8): g_i + weight_decay theta_i, then the update of o->kind; Adam increments o->t
     *          first and uses it in the bias corrections 1 - beta^t.
     *          Hint: README section "Optimisers". */
    return GSL_EUNIMPL;
}

/* ---- 5. Training --------------------------------------------------------------------------- */

/* One epoch: batches of rows order[start .. start + batch); forward, loss, backward, step. */
int net_train_epoch(net *n, opt *o, const gsl_matrix *X, const int *y, const size_t *order,
                    size_t batch, double *mean_loss)
{
    (void)n, (void)o, (void)X, (void)y, (void)order, (void)batch, (void)mean_loss;
    /* TODO(9): gather each batch's rows (and labels) into a contiguous matrix, then call your
     *          net_forward, softmax_xent, net_backward and opt_step(o, n->params, n->grads).
     *          Weight each batch's loss by its size in the mean. */
    return GSL_EUNIMPL;
}

/* Mean loss and accuracy over X, in chunks of n->capacity rows. */
int net_evaluate(net *n, const gsl_matrix *X, const int *y, double *loss, double *accuracy)
{
    (void)n, (void)X, (void)y, (void)loss, (void)accuracy;
    /* TODO(10): forward each chunk (a gsl_matrix_const_submatrix of X), then argmax and
     *           cross-entropy row by row. */
    return GSL_EUNIMPL;
}

/* Going further: batch normalisation (Ioffe & Szegedy 2015) whitens the pre-activations of every
 * layer, per mini-batch, which makes the initialisation far less critical; AdamW (Loshchilov &
 * Hutter 2019) decouples the weight decay from Adam's rescaling. */
