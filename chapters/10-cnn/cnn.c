/*
 * Chapter 10: convolutional networks
 *
 * A convolution layer slides C_out small kernels over a C_in-channel image; every output pixel
 * is the same weighted sum of the pixels around it:
 *     Y[b, o, i, j] = b_o + sum_{c, p, q} K[o, c, p, q] Xpad[b, c, s i + p - pad, s j + q - pad].
 * Max-pooling keeps the largest value of every k x k window.  Together with a ReLU and a dense
 * layer they make a small CNN that you train on the 8x8 digits.
 * Shapes (cnn.h): an image batch is a gsl_matrix (B, C*H*W), pixel (c, i, j) of image b at
 * column (c*H + i)*W + j; kernels are K (C_out, C_in*kh*kw), tap (c, p, q) at (c*kh + p)*kw + q.
 *
 * You write, in this order:
 *   TODO(1)  cnn_out_size()          floor((n + 2 pad - k) / stride) + 1
 *   TODO(2)  cnn_conv2d_forward()    the convolution (zero or circular padding, stride)
 *   TODO(3)  cnn_conv2d_backward()   dX, dK, db: check them with the finite-difference tests!
 *   TODO(4)  cnn_maxpool_forward()   window maxima and where they came from (arg-max)
 *   TODO(5)  cnn_maxpool_backward()  route each gradient to its arg-max
 *   TODO(6)  cnn_softmax_xent()      mean cross-entropy and its gradient (log-sum-exp)
 *   TODO(7)  cnn_forward()           conv -> ReLU -> pool -> dense
 *   TODO(8)  cnn_loss_grad()         forward, loss, and the backward pass in reverse order
 *   TODO(9)  cnn_step()              SGD, momentum and Adam
 *   TODO(10) cnn_train_epoch()       one shuffled pass over the training set in mini-batches
 * cnn_alloc, cnn_free, cnn_workspace_alloc, cnn_workspace_free and cnn_init are given.
 *
 * Check:           make test CH=10-cnn
 * See your figure: make plot CH=10-cnn        (writes build/figures/chapters/10-cnn/)
 * The contract of every function is in cnn.h; the math is in README.md.
 */
#include "cnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* n_out = floor((n + 2 pad - k) / stride) + 1.
 * GSL_EINVAL if n, k or stride is 0, k > n + 2 pad, or out is NULL. */
int cnn_out_size(size_t n, size_t k, size_t stride, size_t pad, size_t *out)
{
    (void)n, (void)k, (void)stride, (void)pad, (void)out;
    /* TODO(1): check the arguments, then one line.  Unsigned arithmetic: test k > n + 2 pad
     *          BEFORE you subtract, or n + 2 pad - k wraps around to a huge number.
     *          Hint: README section "Sizes and parameters". */
    return GSL_EUNIMPL;
}

/* The forward pass of a convolution layer:
 *     Y[b, o, i, j] = b_o + sum_{c, p, q} K[o, c, p, q] Xpad[b, c, s i + p - pad, s j + q - pad]
 *   X (B, c_in h w)   K (c_out, c_in kh kw)   b (c_out)   Y (B, c_out h_out w_out) out */
int cnn_conv2d_forward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                       const gsl_vector *b, gsl_matrix *Y)
{
    (void)g, (void)X, (void)K, (void)b, (void)Y;
    /* TODO(2): 1. validate g (cnn_out_size gives h_out, w_out) and every shape.
     *          2. for every image, filter o and output pixel (i, j): start from b_o and add
     *             K[o,c,p,q] times the input pixel (y, x) = (s i + p - pad, s j + q - pad);
     *             beyond the border that pixel is 0 (CNN_PAD_ZERO) or X at
     *             (y mod h, x mod w) (CNN_PAD_CIRCULAR; careful: -1 % 5 is -1 in C).
     *          3. no kernel flip: this is what every deep-learning library calls convolution.
     *          Fast version (optional): gather all receptive fields into a matrix (im2col) and
     *          multiply once with gsl_blas_dgemm.  Hint: README section "Convolution". */
    return GSL_EUNIMPL;
}

/* The backward pass: OVERWRITE dX = dL/dX, dK = dL/dK, db = dL/db (any may be NULL). */
int cnn_conv2d_backward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                        const gsl_matrix *dY, gsl_matrix *dX, gsl_matrix *dK, gsl_vector *db)
{
    (void)g, (void)X, (void)K, (void)dY, (void)dX, (void)dK, (void)db;
    /* TODO(3): run the loops of the forward pass again.  Where the forward pass did
     *              Y[b,o,i,j] += K[o,c,p,q] * X[b,c,y,x],
     *          the backward pass does
     *              dK[o,c,p,q] += dY[b,o,i,j] * X[b,c,y,x]    and
     *              dX[b,c,y,x] += dY[b,o,i,j] * K[o,c,p,q]     (skip padding pixels),
     *          and db[o] += dY[b,o,i,j].  Zero the outputs first: they are overwritten.
     *          Hint: README section "The backward pass is a convolution with the flipped kernel". */
    return GSL_EUNIMPL;
}

/* Max-pooling: Y = the maximum of every k x k window moved by stride, argmax = its column in X
 * (or NULL).  Ties: the first maximum in scan order wins. */
int cnn_maxpool_forward(const cnn_pool *p, const gsl_matrix *X, gsl_matrix *Y, size_t *argmax)
{
    (void)p, (void)X, (void)Y, (void)argmax;
    /* TODO(4): for every window start from its first pixel (not from 0: maps can be negative)
     *          and replace the best only when a value is strictly larger.
     *          Hint: README section "Pooling". */
    return GSL_EUNIMPL;
}

/* dX = 0 except at every window's arg-max, where it collects that window's dY. */
int cnn_maxpool_backward(const cnn_pool *p, const size_t *argmax, const gsl_matrix *dY, gsl_matrix *dX)
{
    (void)p, (void)argmax, (void)dY, (void)dX;
    /* TODO(5): check argmax (NULL, or an entry >= c h w: GSL_EINVAL), zero dX, then
     *          dX[b, argmax[...]] += dY[b, ...].  Why += and not = ?  (overlapping windows)
     *          Hint: README section "Pooling". */
    return GSL_EUNIMPL;
}

/* loss = (1/B) sum_n [logsumexp(Z_n.) - Z_{n, label_n}],  dZ = (softmax(Z) - onehot) / B. */
int cnn_softmax_xent(const gsl_matrix *Z, const int *label, double *loss, gsl_matrix *dZ)
{
    (void)Z, (void)label, (void)loss, (void)dZ;
    /* TODO(6): subtract each row's maximum before exp() (log-sum-exp), so that logits of 1e3
     *          do not overflow.  Hint: README section "The network". */
    return GSL_EUNIMPL;
}

/* Given: the network, its workspace and its initialisation.  Nothing to write here. */
cnn *cnn_alloc(size_t c_in, size_t h, size_t w, size_t F, size_t k, size_t pool, size_t n_classes)
{
    if (c_in == 0 || h == 0 || w == 0 || F == 0 || k == 0 || k % 2 == 0 || pool == 0 || pool > h ||
        pool > w || n_classes == 0)
        return NULL;
    cnn *net = calloc(1, sizeof *net);
    if (!net)
        return NULL;
    net->conv = (cnn_conv){c_in, h, w, F, k, k, 1, (k - 1) / 2, CNN_PAD_ZERO};
    net->pool = (cnn_pool){F, h, w, pool, pool};
    const size_t hp = (h - pool) / pool + 1, wp = (w - pool) / pool + 1, R = c_in * k * k;
    net->n_feat = F * hp * wp;
    net->n_classes = n_classes;
    net->n_params = F * (R + 1) + n_classes * (net->n_feat + 1);
    const size_t P = net->n_params;
    net->params = calloc(4 * P, sizeof(double));
    if (!net->params) {
        free(net);
        return NULL;
    }
    net->grads = net->params + P, net->opt_m = net->params + 2 * P, net->opt_v = net->params + 3 * P;
    double *base[2] = {net->params, net->grads};
    for (int s = 0; s < 2; s++) {
        double *at = base[s];
        gsl_matrix_view Kv = gsl_matrix_view_array(at, F, R);
        gsl_vector_view bKv = gsl_vector_view_array(at + F * R, F);
        gsl_matrix_view Wv = gsl_matrix_view_array(at + F * (R + 1), n_classes, net->n_feat);
        gsl_vector_view bWv = gsl_vector_view_array(at + F * (R + 1) + n_classes * net->n_feat, n_classes);
        if (s == 0)
            net->K = Kv, net->bK = bKv, net->W = Wv, net->bW = bWv;
        else
            net->dK = Kv, net->dbK = bKv, net->dW = Wv, net->dbW = bWv;
    }
    return net;
}

void cnn_free(cnn *net)
{
    if (!net)
        return;
    free(net->params);
    free(net);
}

cnn_workspace *cnn_workspace_alloc(const cnn *net, size_t capacity)
{
    if (!net || capacity == 0)
        return NULL;
    cnn_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    const size_t FA = net->conv.c_out * net->conv.h * net->conv.w;
    const size_t D = net->conv.c_in * net->conv.h * net->conv.w;
    ws->capacity = capacity;
    ws->A = gsl_matrix_alloc(capacity, FA), ws->dA = gsl_matrix_alloc(capacity, FA);
    ws->P = gsl_matrix_alloc(capacity, net->n_feat), ws->dP = gsl_matrix_alloc(capacity, net->n_feat);
    ws->Z = gsl_matrix_alloc(capacity, net->n_classes), ws->dZ = gsl_matrix_alloc(capacity, net->n_classes);
    ws->Xb = gsl_matrix_alloc(capacity, D);
    ws->argmax = malloc(capacity * net->n_feat * sizeof *ws->argmax);
    ws->yb = malloc(capacity * sizeof *ws->yb);
    if (!ws->A || !ws->dA || !ws->P || !ws->dP || !ws->Z || !ws->dZ || !ws->Xb || !ws->argmax || !ws->yb) {
        cnn_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void cnn_workspace_free(cnn_workspace *ws)
{
    if (!ws)
        return;
    gsl_matrix *m[] = {ws->A, ws->dA, ws->P, ws->dP, ws->Z, ws->dZ, ws->Xb};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i])
            gsl_matrix_free(m[i]);
    free(ws->argmax), free(ws->yb), free(ws);
}

int cnn_init(cnn *net, gsl_rng *rng)
{
    if (!net || !rng)
        return GSL_EINVAL;
    const double sK = sqrt(2.0 / (double)net->K.matrix.size2), sW = sqrt(2.0 / (double)net->n_feat);
    memset(net->params, 0, 4 * net->n_params * sizeof(double));
    for (size_t i = 0; i < net->K.matrix.size1 * net->K.matrix.size2; i++)
        net->K.matrix.data[i] = gsl_ran_gaussian(rng, sK);
    for (size_t i = 0; i < net->W.matrix.size1 * net->W.matrix.size2; i++)
        net->W.matrix.data[i] = gsl_ran_gaussian(rng, sW);
    net->opt_t = 0;
    return GSL_SUCCESS;
}

/* Logits Z (B, n_classes) of X (B, c_in h w); keeps A, P, argmax, Z in ws (first B rows). */
int cnn_forward(const cnn *net, cnn_workspace *ws, const gsl_matrix *X, gsl_matrix *Z)
{
    (void)net, (void)ws, (void)X, (void)Z;
    /* TODO(7): with views of the first B rows of ws->A, ws->P, ws->Z
     *          (gsl_matrix_submatrix(ws->A, 0, 0, B, ws->A->size2)):
     *            A = relu(conv(X; net->K, net->bK))     your cnn_conv2d_forward, then max(a, 0)
     *            P = maxpool(A), keeping ws->argmax     your cnn_maxpool_forward
     *            Z = P W^T + bW                          gsl_blas_dgemm(CblasNoTrans, CblasTrans, ...)
     *          copy Z into the caller's Z; set ws->rows = B.  Hint: README section "The network". */
    return GSL_EUNIMPL;
}

/* Forward, mean cross-entropy, backward: OVERWRITES net->grads; *loss if loss != NULL. */
int cnn_loss_grad(cnn *net, cnn_workspace *ws, const gsl_matrix *X, const int *label, double *loss)
{
    (void)net, (void)ws, (void)X, (void)label, (void)loss;
    /* TODO(8): cnn_forward, cnn_softmax_xent (dZ into ws->dZ), then backwards:
     *            dW = dZ^T P,  dbW = column sums of dZ,  dP = dZ W       (the dense layer)
     *            dA = maxpool_backward(dP)                               (to the arg-max)
     *            dA = 0 where A = 0                                      (the ReLU)
     *            dK, dbK = conv2d_backward(X, dA) with dX = NULL         (the first layer)
     *          The gradient views net->dK, net->dbK, net->dW, net->dbW point into net->grads.
     *          Hint: README section "The network". */
    return GSL_EUNIMPL;
}

/* One optimiser step on every parameter from net->grads (formulas in cnn.h). */
int cnn_step(cnn *net, const cnn_optim *opt)
{
    (void)net, (void)opt;
    /* TODO(9): validate the hyper-parameters for the chosen method, then one loop over
     *          i < net->n_params:
     *            SGD:       theta -= lr g
     *            momentum:  v = mu v + g;  theta -= lr v                     (v in net->opt_m)
     *            Adam:      t += 1 (once per step, not per parameter!);
     *                       m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
     *                       theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
     *          Hint: README section "Optimisers". */
    return GSL_EUNIMPL;
}

/* One epoch: shuffle 0..N-1 with gsl_ran_shuffle, then for every batch of `batch` rows
 * (the last may be smaller) cnn_loss_grad and cnn_step.  *mean_loss = the sample average. */
int cnn_train_epoch(cnn *net, cnn_workspace *ws, const cnn_optim *opt, const gsl_matrix *X,
                    const int *label, size_t batch, gsl_rng *rng, double *mean_loss)
{
    (void)net, (void)ws, (void)opt, (void)X, (void)label, (void)batch, (void)rng, (void)mean_loss;
    /* TODO(10): copy the rows of each batch into ws->Xb and their labels into ws->yb, and train
     *           on the view of its first nb rows.  The mean loss weighs each batch by its size
     *           nb, so that every sample counts once.  Hint: README section "Optimisers". */
    return GSL_EUNIMPL;
}
