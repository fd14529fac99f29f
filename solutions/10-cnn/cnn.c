/*
 * Chapter 10: convolutional networks (reference solution).
 *
 * Convolution by im2col: for every image, gather the receptive field of every output position
 * into a column, col (C_in kh kw, H_out W_out), through an index table that maps each entry
 * to a pixel of the image or to the padding; then one matrix product K col gives all C_out maps
 * at once.  The backward pass runs the same products transposed: dK = dY col^T, and
 * dcol = K^T dY scattered back through the same table (col2im) gives dX.
 */
#include "cnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cnn_out_size(size_t n, size_t k, size_t stride, size_t pad, size_t *out)
{
    if (!out || n == 0 || k == 0 || stride == 0 || k > n + 2 * pad)
        return GSL_EINVAL;
    *out = (n + 2 * pad - k) / stride + 1;
    return GSL_SUCCESS;
}

/* ---- convolution ----------------------------------------------------------------------------- */

/* Validate a convolution geometry; writes the output size. */
static int conv_geometry(const cnn_conv *g, size_t *ho, size_t *wo)
{
    if (!g || g->c_in == 0 || g->c_out == 0 || g->h == 0 || g->w == 0 || g->kh == 0 || g->kw == 0 ||
        g->stride == 0 || (g->padding != CNN_PAD_ZERO && g->padding != CNN_PAD_CIRCULAR))
        return GSL_EINVAL;
    if (cnn_out_size(g->h, g->kh, g->stride, g->pad, ho) || cnn_out_size(g->w, g->kw, g->stride, g->pad, wo))
        return GSL_EINVAL;
    return GSL_SUCCESS;
}

/* Index table of im2col: idx[r * HoWo + m] is the input column (c H + i') W + j' read by tap
 * r = (c kh + p) kw + q at output position m = i Wo + j, or D = C_in H W for a zero-padding
 * pixel: the image is copied into a buffer of D + 1 entries whose last one is 0, so that the
 * gather needs no branch. */
static size_t *conv_index(const cnn_conv *g, size_t ho, size_t wo)
{
    const size_t R = g->c_in * g->kh * g->kw, M = ho * wo;
    size_t *idx = malloc(R * M * sizeof *idx);
    if (!idx)
        return NULL;
    const long H = (long)g->h, W = (long)g->w;
    const size_t D = g->c_in * g->h * g->w;
    for (size_t c = 0; c < g->c_in; c++)
        for (size_t p = 0; p < g->kh; p++)
            for (size_t q = 0; q < g->kw; q++) {
                size_t *row = idx + ((c * g->kh + p) * g->kw + q) * M;
                for (size_t i = 0; i < ho; i++)
                    for (size_t j = 0; j < wo; j++) {
                        long y = (long)(g->stride * i + p) - (long)g->pad;
                        long x = (long)(g->stride * j + q) - (long)g->pad;
                        if (g->padding == CNN_PAD_CIRCULAR) {
                            y = ((y % H) + H) % H;
                            x = ((x % W) + W) % W;
                        } else if (y < 0 || y >= H || x < 0 || x >= W) {
                            row[i * wo + j] = D;
                            continue;
                        }
                        row[i * wo + j] = (size_t)(((long)c * H + y) * W + x);
                    }
            }
    return idx;
}

/* col[r] = xz[idx[r]], where xz holds the image and a trailing 0. */
static void im2col(const size_t *idx, size_t n, const double *x, size_t D, double *xz, double *col)
{
    memcpy(xz, x, D * sizeof *xz);
    xz[D] = 0.0;
    for (size_t r = 0; r < n; r++)
        col[r] = xz[idx[r]];
}

int cnn_conv2d_forward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                       const gsl_vector *b, gsl_matrix *Y)
{
    size_t ho, wo;
    if (!X || !K || !b || !Y || conv_geometry(g, &ho, &wo))
        return GSL_EINVAL;
    const size_t R = g->c_in * g->kh * g->kw, M = ho * wo, B = X->size1, D = g->c_in * g->h * g->w;
    if (X->size2 != D || K->size1 != g->c_out || K->size2 != R || b->size != g->c_out ||
        Y->size1 != B || Y->size2 != g->c_out * M)
        return GSL_EBADLEN;
    size_t *idx = conv_index(g, ho, wo);
    double *col = malloc((R * M + D + 1) * sizeof *col), *xz = col + R * M;
    if (!idx || !col) {
        free(idx), free(col);
        return GSL_ENOMEM;
    }
    for (size_t n = 0; n < B; n++) {
        double *y = Y->data + n * Y->tda;
        im2col(idx, R * M, X->data + n * X->tda, D, xz, col);
        for (size_t o = 0; o < g->c_out; o++) {
            const double bo = gsl_vector_get(b, o);
            for (size_t m = 0; m < M; m++)
                y[o * M + m] = bo;
        }
        /* Y_n (C_out, M) += K (C_out, R) col (R, M) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)g->c_out, (int)M, (int)R, 1.0,
                    K->data, (int)K->tda, col, (int)M, 1.0, y, (int)M);
    }
    free(idx), free(col);
    return GSL_SUCCESS;
}

int cnn_conv2d_backward(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K,
                        const gsl_matrix *dY, gsl_matrix *dX, gsl_matrix *dK, gsl_vector *db)
{
    size_t ho, wo;
    if (!X || !K || !dY || conv_geometry(g, &ho, &wo))
        return GSL_EINVAL;
    const size_t R = g->c_in * g->kh * g->kw, M = ho * wo, B = X->size1, D = g->c_in * g->h * g->w;
    if (X->size2 != D || K->size1 != g->c_out || K->size2 != R || dY->size1 != B ||
        dY->size2 != g->c_out * M || (dX && (dX->size1 != B || dX->size2 != D)) ||
        (dK && (dK->size1 != g->c_out || dK->size2 != R)) || (db && db->size != g->c_out))
        return GSL_EBADLEN;
    size_t *idx = conv_index(g, ho, wo);
    double *col = malloc((R * M + D + 1) * sizeof *col), *xz = col + R * M;
    if (!idx || !col) {
        free(idx), free(col);
        return GSL_ENOMEM;
    }
    if (dK)
        gsl_matrix_set_zero(dK);
    if (db)
        gsl_vector_set_zero(db);
    for (size_t n = 0; n < B; n++) {
        const double *dy = dY->data + n * dY->tda;
        if (db)
            for (size_t o = 0; o < g->c_out; o++) {
                double s = 0;
                for (size_t m = 0; m < M; m++)
                    s += dy[o * M + m];
                db->data[o * db->stride] += s;
            }
        if (dK) {
            /* dK (C_out, R) += dY_n (C_out, M) col^T (M, R) */
            im2col(idx, R * M, X->data + n * X->tda, D, xz, col);
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)g->c_out, (int)R, (int)M, 1.0, dy,
                        (int)M, col, (int)M, 1.0, dK->data, (int)dK->tda);
        }
        if (dX) {
            /* dcol (R, M) = K^T (R, C_out) dY_n (C_out, M), then scatter-add (col2im) */
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)R, (int)M, (int)g->c_out, 1.0,
                        K->data, (int)K->tda, dy, (int)M, 0.0, col, (int)M);
            memset(xz, 0, (D + 1) * sizeof *xz);
            for (size_t r = 0; r < R * M; r++)
                xz[idx[r]] += col[r]; /* the padding's share lands in xz[D], discarded */
            memcpy(dX->data + n * dX->tda, xz, D * sizeof *xz);
        }
    }
    free(idx), free(col);
    return GSL_SUCCESS;
}

/* ---- max-pooling ----------------------------------------------------------------------------- */

static int pool_geometry(const cnn_pool *p, size_t *ho, size_t *wo)
{
    if (!p || p->c == 0 || p->h == 0 || p->w == 0 || p->k == 0 || p->stride == 0)
        return GSL_EINVAL;
    if (cnn_out_size(p->h, p->k, p->stride, 0, ho) || cnn_out_size(p->w, p->k, p->stride, 0, wo))
        return GSL_EINVAL;
    return GSL_SUCCESS;
}

int cnn_maxpool_forward(const cnn_pool *p, const gsl_matrix *X, gsl_matrix *Y, size_t *argmax)
{
    size_t ho, wo;
    if (!X || !Y || pool_geometry(p, &ho, &wo))
        return GSL_EINVAL;
    const size_t B = X->size1, D = p->c * p->h * p->w, E = p->c * ho * wo;
    if (X->size2 != D || Y->size1 != B || Y->size2 != E)
        return GSL_EBADLEN;
    /* locals: the compiler need not reload the geometry after every store into argmax */
    const size_t C = p->c, H = p->h, W = p->w, k = p->k, s = p->stride;
    for (size_t n = 0; n < B; n++) {
        const double *x = X->data + n * X->tda;
        double *y = Y->data + n * Y->tda;
        size_t *arg = argmax ? argmax + n * E : NULL;
        for (size_t c = 0; c < C; c++)
            for (size_t i = 0; i < ho; i++)
                for (size_t j = 0; j < wo; j++) {
                    const size_t first = (c * H + s * i) * W + s * j;
                    size_t best = first;
                    double vbest = x[first];
                    for (size_t a = 0; a < k; a++)
                        for (size_t e = 0; e < k; e++) {
                            const size_t at = first + a * W + e;
                            const int gt = x[at] > vbest; /* strict: the first maximum wins ties */
                            vbest = gt ? x[at] : vbest;
                            best = gt ? at : best;
                        }
                    const size_t out = (c * ho + i) * wo + j;
                    y[out] = vbest;
                    if (arg)
                        arg[out] = best;
                }
    }
    return GSL_SUCCESS;
}

int cnn_maxpool_backward(const cnn_pool *p, const size_t *argmax, const gsl_matrix *dY, gsl_matrix *dX)
{
    size_t ho, wo;
    if (!argmax || !dY || !dX || pool_geometry(p, &ho, &wo))
        return GSL_EINVAL;
    const size_t B = dY->size1, D = p->c * p->h * p->w, E = p->c * ho * wo;
    if (dY->size2 != E || dX->size1 != B || dX->size2 != D)
        return GSL_EBADLEN;
    for (size_t r = 0; r < B * E; r++)
        if (argmax[r] >= D)
            return GSL_EINVAL;
    for (size_t n = 0; n < B; n++) {
        const double *dy = dY->data + n * dY->tda;
        double *dx = dX->data + n * dX->tda;
        memset(dx, 0, D * sizeof *dx);
        for (size_t r = 0; r < E; r++)
            dx[argmax[n * E + r]] += dy[r];
    }
    return GSL_SUCCESS;
}

/* ---- softmax cross-entropy ------------------------------------------------------------------- */

int cnn_softmax_xent(const gsl_matrix *Z, const int *label, double *loss, gsl_matrix *dZ)
{
    if (!Z || !label || !loss)
        return GSL_EINVAL;
    const size_t B = Z->size1, K = Z->size2;
    if (B == 0 || K == 0 || (dZ && (dZ->size1 != B || dZ->size2 != K)))
        return GSL_EBADLEN;
    for (size_t n = 0; n < B; n++)
        if (label[n] < 0 || (size_t)label[n] >= K)
            return GSL_EINVAL;
    double total = 0;
    for (size_t n = 0; n < B; n++) {
        const double *z = Z->data + n * Z->tda;
        double zmax = z[0];
        for (size_t k = 1; k < K; k++)
            zmax = fmax(zmax, z[k]);
        double s = 0;
        for (size_t k = 0; k < K; k++)
            s += exp(z[k] - zmax);
        const double lse = zmax + log(s);
        total += lse - z[label[n]];
        if (dZ) {
            double *dz = dZ->data + n * dZ->tda;
            for (size_t k = 0; k < K; k++)
                dz[k] = (exp(z[k] - lse) - ((size_t)label[n] == k)) / (double)B;
        }
    }
    *loss = total / (double)B;
    return GSL_SUCCESS;
}

/* ---- the network (alloc, free, init are given in the stub too) ------------------------------- */

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

/* The first B rows of a workspace matrix. */
static gsl_matrix_view top(gsl_matrix *m, size_t B)
{
    return gsl_matrix_submatrix(m, 0, 0, B, m->size2);
}

int cnn_forward(const cnn *net, cnn_workspace *ws, const gsl_matrix *X, gsl_matrix *Z)
{
    if (!net || !ws || !X || !Z)
        return GSL_EINVAL;
    const size_t B = X->size1;
    if (B == 0 || B > ws->capacity || X->size2 != net->conv.c_in * net->conv.h * net->conv.w ||
        Z->size1 != B || Z->size2 != net->n_classes)
        return GSL_EBADLEN;
    gsl_matrix_view A = top(ws->A, B), P = top(ws->P, B), Zw = top(ws->Z, B);
    int st = cnn_conv2d_forward(&net->conv, X, &net->K.matrix, &net->bK.vector, &A.matrix);
    if (st)
        return st;
    for (size_t n = 0; n < B; n++) {
        double *a = gsl_matrix_ptr(&A.matrix, n, 0);
        for (size_t i = 0; i < A.matrix.size2; i++)
            a[i] = a[i] > 0 ? a[i] : 0.0;
    }
    if ((st = cnn_maxpool_forward(&net->pool, &A.matrix, &P.matrix, ws->argmax)))
        return st;
    /* Z = P W^T + 1 bW^T */
    for (size_t n = 0; n < B; n++)
        for (size_t k = 0; k < net->n_classes; k++)
            gsl_matrix_set(&Zw.matrix, n, k, gsl_vector_get(&net->bW.vector, k));
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &P.matrix, &net->W.matrix, 1.0, &Zw.matrix);
    if (Z->data != Zw.matrix.data)
        gsl_matrix_memcpy(Z, &Zw.matrix);
    ws->rows = B;
    return GSL_SUCCESS;
}

int cnn_loss_grad(cnn *net, cnn_workspace *ws, const gsl_matrix *X, const int *label, double *loss)
{
    if (!net || !ws || !X || !label)
        return GSL_EINVAL;
    const size_t B = X->size1;
    if (B == 0 || B > ws->capacity)
        return GSL_EBADLEN;
    gsl_matrix_view Z = top(ws->Z, B), dZ = top(ws->dZ, B), P = top(ws->P, B), dP = top(ws->dP, B);
    gsl_matrix_view dA = top(ws->dA, B);
    double L;
    int st = cnn_forward(net, ws, X, &Z.matrix);
    if (st || (st = cnn_softmax_xent(&Z.matrix, label, &L, &dZ.matrix)))
        return st;
    /* dense: dW = dZ^T P, dbW = column sums of dZ, dP = dZ W */
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &dZ.matrix, &P.matrix, 0.0, &net->dW.matrix);
    for (size_t k = 0; k < net->n_classes; k++) {
        double s = 0;
        for (size_t n = 0; n < B; n++)
            s += gsl_matrix_get(&dZ.matrix, n, k);
        gsl_vector_set(&net->dbW.vector, k, s);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &dZ.matrix, &net->W.matrix, 0.0, &dP.matrix);
    /* The ReLU passes the gradient where its output is positive.  Pooling routes every dP to
     * one pixel of A, the window's maximum, which is positive exactly when P is: so the ReLU's
     * mask can be applied to dP (n_feat entries) instead of dA (F h w entries). */
    for (size_t n = 0; n < B; n++) {
        const double *pp = gsl_matrix_const_ptr(&P.matrix, n, 0);
        double *dp = gsl_matrix_ptr(&dP.matrix, n, 0);
        for (size_t i = 0; i < net->n_feat; i++)
            dp[i] = pp[i] > 0 ? dp[i] : 0.0;
    }
    if ((st = cnn_maxpool_backward(&net->pool, ws->argmax, &dP.matrix, &dA.matrix)))
        return st;
    st = cnn_conv2d_backward(&net->conv, X, &net->K.matrix, &dA.matrix, NULL, &net->dK.matrix,
                             &net->dbK.vector);
    if (st)
        return st;
    if (loss)
        *loss = L;
    return GSL_SUCCESS;
}

/* ---- optimisers ------------------------------------------------------------------------------ */

int cnn_step(cnn *net, const cnn_optim *opt)
{
    if (!net || !opt || !(opt->lr > 0) || !isfinite(opt->lr))
        return GSL_EINVAL;
    const size_t P = net->n_params;
    double *th = net->params, *g = net->grads, *m = net->opt_m, *v = net->opt_v;
    switch (opt->method) {
    case CNN_SGD:
        for (size_t i = 0; i < P; i++)
            th[i] -= opt->lr * g[i];
        break;
    case CNN_MOMENTUM:
        if (!(opt->momentum >= 0 && opt->momentum < 1))
            return GSL_EINVAL;
        for (size_t i = 0; i < P; i++) {
            m[i] = opt->momentum * m[i] + g[i];
            th[i] -= opt->lr * m[i];
        }
        break;
    case CNN_ADAM: {
        if (!(opt->beta1 >= 0 && opt->beta1 < 1 && opt->beta2 >= 0 && opt->beta2 < 1 && opt->eps > 0))
            return GSL_EINVAL;
        net->opt_t++;
        const double c1 = 1.0 - pow(opt->beta1, (double)net->opt_t);
        const double c2 = 1.0 - pow(opt->beta2, (double)net->opt_t);
        for (size_t i = 0; i < P; i++) {
            m[i] = opt->beta1 * m[i] + (1.0 - opt->beta1) * g[i];
            v[i] = opt->beta2 * v[i] + (1.0 - opt->beta2) * g[i] * g[i];
            th[i] -= opt->lr * (m[i] / c1) / (sqrt(v[i] / c2) + opt->eps);
        }
        break;
    }
    default:
        return GSL_EINVAL;
    }
    return GSL_SUCCESS;
}

int cnn_train_epoch(cnn *net, cnn_workspace *ws, const cnn_optim *opt, const gsl_matrix *X,
                    const int *label, size_t batch, gsl_rng *rng, double *mean_loss)
{
    if (!net || !ws || !opt || !X || !label || !rng || batch == 0 || batch > ws->capacity)
        return GSL_EINVAL;
    const size_t N = X->size1, D = X->size2;
    if (N == 0 || D != ws->Xb->size2)
        return GSL_EBADLEN;
    for (size_t n = 0; n < N; n++)
        if (label[n] < 0 || (size_t)label[n] >= net->n_classes)
            return GSL_EINVAL;
    size_t *perm = malloc(N * sizeof *perm);
    if (!perm)
        return GSL_ENOMEM;
    for (size_t n = 0; n < N; n++)
        perm[n] = n;
    gsl_ran_shuffle(rng, perm, N, sizeof *perm);
    double total = 0;
    int st = GSL_SUCCESS;
    for (size_t start = 0; start < N && !st; start += batch) {
        const size_t nb = N - start < batch ? N - start : batch;
        for (size_t r = 0; r < nb; r++) {
            memcpy(gsl_matrix_ptr(ws->Xb, r, 0), gsl_matrix_const_ptr(X, perm[start + r], 0), D * sizeof(double));
            ws->yb[r] = label[perm[start + r]];
        }
        gsl_matrix_view Xb = top(ws->Xb, nb);
        double L;
        if ((st = cnn_loss_grad(net, ws, &Xb.matrix, ws->yb, &L)) || (st = cnn_step(net, opt)))
            break;
        total += L * (double)nb;
    }
    free(perm);
    if (!st && mean_loss)
        *mean_loss = total / (double)N;
    return st;
}
