/*
 * cnn.h: the contract of chapter 10 (convolutional networks).
 * The stub (chapters/10-cnn/cnn.c) and the reference solution implement exactly this header.
 *
 * Tensors.  A batch of B images with C channels of H x W pixels is a gsl_matrix (B, C*H*W):
 * one row per image; in a row, channel after channel, each channel row after row:
 *     X[b, c, i, j] = gsl_matrix_get(X, b, (c * H + i) * W + j).
 * Rows may be views into a larger matrix: step from row to row with tda, never with size2.
 * Kernels.  C_out filters of kh x kw taps over C_in channels are a gsl_matrix (C_out, C_in*kh*kw),
 *     K[o, c, p, q] = gsl_matrix_get(K, o, (c * kh + p) * kw + q),   and a bias b (C_out).
 * "Convolution" means what every deep-learning library computes, the cross-correlation
 *     Y[b, o, i, j] = b_o + sum_{c, p, q} K[o, c, p, q] Xpad[b, c, s i + p - pad, s j + q - pad]
 * (no kernel flip), where Xpad is X surrounded by `pad` rows and columns of zeros
 * (CNN_PAD_ZERO), or X continued periodically, Xpad[., ., i, j] = X[., ., i mod H, j mod W]
 * (CNN_PAD_CIRCULAR).  Output size along an axis: n_out = floor((n + 2 pad - k) / s) + 1.
 *
 * The caller allocates every output.  Every int function returns a GSL status: GSL_SUCCESS,
 * GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad argument (a zero size, a kernel larger
 * than the padded input, a label out of range, a NULL pointer where one is needed), GSL_ENOMEM,
 * and GSL_EUNIMPL while it is still a stub.  On an error no output is changed.
 */
#ifndef MLPHYS_CNN_H
#define MLPHYS_CNN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* ---- Geometry ---------------------------------------------------------------------------- */

typedef enum { CNN_PAD_ZERO = 0, CNN_PAD_CIRCULAR = 1 } cnn_padding;

/* A 2-D convolution layer: C_in x H x W images to C_out x H_out x W_out feature maps. */
typedef struct cnn_conv {
    size_t c_in, h, w;    /* input channels, height, width */
    size_t c_out, kh, kw; /* filters, kernel height, kernel width */
    size_t stride, pad;   /* the same along both axes */
    cnn_padding padding;  /* what lies beyond the border */
} cnn_conv;

/* Max-pooling: C x H x W maps to C x H_out x W_out, the maximum over k x k windows moved by
 * `stride` (no padding: n_out = floor((n - k) / stride) + 1).  Windows overlap when stride < k. */
typedef struct cnn_pool {
    size_t c, h, w;     /* channels, height, width of the input */
    size_t k, stride;   /* window size, step */
} cnn_pool;

/* The output size of a convolution or pooling along one axis:
 *     *out = floor((n + 2 pad - k) / stride) + 1.
 * GSL_EINVAL if n, k or stride is 0, if k > n + 2 pad (the kernel does not fit), or out is NULL. */
int cnn_out_size(size_t n, size_t k, size_t stride, size_t pad, size_t *out);

/* ---- Convolution --------------------------------------------------------------------------- */

/* The forward pass of a convolution layer (the formula at the top of this file).
 *   X (B, c_in h w)  in      K (c_out, c_in kh kw)  in      b (c_out)  in
 *   Y (B, c_out h_out w_out)  out
 * GSL_EINVAL for a bad geometry (a zero size, stride 0, a kernel that does not fit: checked
 * first) or a NULL argument, GSL_EBADLEN if a shape disagrees with g. */
int cnn_conv2d_forward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                       const gsl_vector *b, gsl_matrix *Y);

/* The backward pass: given dY = dL/dY for the Y of the forward pass, OVERWRITE
 *   dX (B, c_in h w)         = dL/dX   (a convolution of dY with the flipped kernel)
 *   dK (c_out, c_in kh kw)   = dL/dK   (a correlation of dY with X)
 *   db (c_out)               = dL/db   (dY summed over the batch and the positions)
 * Any of dX, dK, db may be NULL (not wanted: the first layer needs no dX).
 * Errors as cnn_conv2d_forward. */
int cnn_conv2d_backward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                        const gsl_matrix *dY, gsl_matrix *dX, gsl_matrix *dK, gsl_vector *db);

/* ---- Max-pooling --------------------------------------------------------------------------- */

/* Y[b, c, i, j] = max over the window rows s i .. s i + k - 1, columns s j .. s j + k - 1.
 * (As for the convolution, a bad geometry is GSL_EINVAL, checked before the shapes.)
 *   X (B, c h w)  in     Y (B, c h_out w_out)  out
 *   argmax (B c h_out w_out)  out, or NULL: argmax[b * (c h_out w_out) + (c h_out + i) w_out + j]
 *       is the column of X (within row b) that holds the maximum of that window.
 * Ties: the FIRST maximum in scan order (the window's rows top to bottom, each left to right)
 * wins, so a window of equal values reports its top-left pixel.
 * GSL_EINVAL for a bad geometry, GSL_EBADLEN if a shape disagrees. */
int cnn_maxpool_forward(const cnn_pool *p, const gsl_matrix *X, gsl_matrix *Y, size_t *argmax);

/* The backward pass: OVERWRITE dX with dL/dX, which is zero except at the arg-max of every
 * window, where it collects dL/dY of that window (summed, if overlapping windows share it):
 *   argmax (B c h_out w_out)  in (from cnn_maxpool_forward)     dY (B, c h_out w_out)  in
 *   dX (B, c h w)  out
 * GSL_EINVAL if argmax is NULL or an entry is not a column of dX, GSL_EBADLEN for shapes. */
int cnn_maxpool_backward(const cnn_pool *p, const size_t *argmax, const gsl_matrix *dY,
                         gsl_matrix *dX);

/* ---- Softmax cross-entropy ------------------------------------------------------------------- */

/* Mean cross-entropy of softmax(Z) against integer labels, and its gradient:
 *     loss = (1/B) sum_n [ logsumexp(Z_n.) - Z_{n, label_n} ],    dZ = (softmax(Z) - onehot) / B.
 * Finite for any finite logits (no overflow at 1e3).
 *   Z (B, K)  in     label (B)  in: each in 0 .. K-1     loss  out     dZ (B, K)  out or NULL
 * GSL_EINVAL if loss or label is NULL or a label is out of range, GSL_EBADLEN for shapes. */
int cnn_softmax_xent(const gsl_matrix *Z, const int *label, double *loss, gsl_matrix *dZ);

/* ---- The network ----------------------------------------------------------------------------- */

/* conv (k x k, stride 1, pad (k-1)/2, zero padding: the maps keep the image size)
 *   -> ReLU -> max-pool (window = stride = pool) -> flatten -> dense -> logits (softmax in the loss)
 *     A = relu(conv(X; K, bK))            (B, F h w)
 *     P = maxpool(A)                      (B, n_feat),  n_feat = F h_p w_p
 *     Z = P W^T + 1 bW^T                  (B, n_classes)
 * Parameters live in one block (llm.c style), laid out [ K | bK | W | bW ], with views: */
typedef struct cnn {
    cnn_conv conv;          /* c_in x h x w -> F x h x w */
    cnn_pool pool;          /* F x h x w -> F x h_p x w_p */
    size_t n_feat;          /* F h_p w_p: inputs of the dense layer */
    size_t n_classes;       /* outputs */
    size_t n_params;        /* F (c_in k^2 + 1) + n_classes (n_feat + 1) */
    double *params, *grads; /* n_params each */
    double *opt_m, *opt_v;  /* optimiser state, n_params each: velocity / Adam's moments */
    unsigned long opt_t;    /* optimiser steps taken since cnn_init */
    gsl_matrix_view K, W;   /* K (F, c_in k^2), W (n_classes, n_feat): views into params */
    gsl_vector_view bK, bW; /* (F), (n_classes) */
    gsl_matrix_view dK, dW; /* the same views into grads */
    gsl_vector_view dbK, dbW;
} cnn;

/* What a forward pass keeps for the backward pass, for batches of up to `capacity` rows. */
typedef struct cnn_workspace {
    size_t capacity;  /* the largest batch */
    size_t rows;      /* the batch of the last cnn_forward (0 before any) */
    gsl_matrix *A;    /* (capacity, F h w)     conv maps after the ReLU */
    gsl_matrix *P;    /* (capacity, n_feat)    pooled features */
    size_t *argmax;   /* (capacity n_feat)     where each pooled value came from */
    gsl_matrix *Z;    /* (capacity, n_classes) logits */
    gsl_matrix *dZ, *dP, *dA; /* backward scratch, shapes of Z, P, A */
    gsl_matrix *Xb;   /* (capacity, c_in h w)  a mini-batch gathered by cnn_train_epoch */
    int *yb;          /* (capacity)            its labels */
} cnn_workspace;

/* Given (nothing to write): a network for c_in x h x w images with F filters of k x k (k odd),
 * max-pooling by `pool`, and n_classes outputs; parameters zero until cnn_init.  NULL on a bad
 * argument (a zero size, k even, pool larger than the image) or when memory runs out. */
cnn *cnn_alloc(size_t c_in, size_t h, size_t w, size_t F, size_t k, size_t pool, size_t n_classes);
void cnn_free(cnn *net); /* NULL is a no-op */
cnn_workspace *cnn_workspace_alloc(const cnn *net, size_t capacity);
void cnn_workspace_free(cnn_workspace *ws); /* NULL is a no-op */

/* Given: He initialisation, K ~ N(0, 2 / (c_in k^2)) and W ~ N(0, 2 / n_feat) (ReLU inputs),
 * biases 0; the optimiser state and step count are reset. */
int cnn_init(cnn *net, gsl_rng *rng);

/* The forward pass: logits Z (B, n_classes) of the images X (B, c_in h w), 1 <= B <= capacity.
 * Keeps A, P, argmax and Z in ws (first B rows) for cnn_loss_grad. */
int cnn_forward(const cnn *net, cnn_workspace *ws, const gsl_matrix *X, gsl_matrix *Z);

/* Forward, mean softmax cross-entropy, and backward: OVERWRITES net->grads with dloss/dparams.
 *   X (B, c_in h w)  label (B)  in     loss  out (may be NULL) */
int cnn_loss_grad(cnn *net, cnn_workspace *ws, const gsl_matrix *X, const int *label,
                  double *loss);

/* ---- Optimisers ---------------------------------------------------------------------------- */

typedef enum { CNN_SGD = 0, CNN_MOMENTUM = 1, CNN_ADAM = 2 } cnn_method;

typedef struct cnn_optim {
    cnn_method method;
    double lr;                /* learning rate eta > 0 */
    double momentum;          /* mu in [0, 1) for CNN_MOMENTUM */
    double beta1, beta2, eps; /* Adam: in [0, 1), [0, 1), > 0 (0.9, 0.999, 1e-8) */
} cnn_optim;

/* One step with the gradient in net->grads (g), on every parameter theta:
 *   CNN_SGD:       theta <- theta - lr g
 *   CNN_MOMENTUM:  v <- mu v + g,  theta <- theta - lr v              (v in net->opt_m)
 *   CNN_ADAM:      t <- t + 1,  m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *                  theta <- theta - lr [m / (1 - b1^t)] / (sqrt(v / (1 - b2^t)) + eps)
 *                  (m in net->opt_m, v in net->opt_v, t in net->opt_t)
 * GSL_EINVAL for an unknown method or a hyper-parameter out of its range. */
int cnn_step(cnn *net, const cnn_optim *opt);

/* One epoch of mini-batch training: shuffle the N rows of X (gsl_ran_shuffle on 0..N-1 with
 * rng), cut the shuffled order into batches of `batch` rows (the last one smaller when batch
 * does not divide N), and for each: cnn_loss_grad then cnn_step.
 *   X (N, c_in h w)  label (N)  in     mean_loss  out (may be NULL): the average over the N
 *   samples of their loss at the moment their batch was evaluated (each batch weighs its size).
 * GSL_EINVAL if batch is 0 or larger than ws->capacity. */
int cnn_train_epoch(cnn *net, cnn_workspace *ws, const cnn_optim *opt, const gsl_matrix *X,
                    const int *label, size_t batch, gsl_rng *rng, double *mean_loss);

#endif
