/*
 * mlp.c: the shared multi-layer perceptron (see mlp.h).  Forward and backward mirror each
 * other layer by layer; the matrix products go through CBLAS (gsl_blas_dgemm on views of the
 * parameter block), so linking OpenBLAS instead of gslcblas speeds them up with no change.
 */
#include "mlp.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

mlp *mlp_alloc(size_t n_layers, const size_t *sizes, mlp_activation act)
{
    if (n_layers == 0 || !sizes || (act != MLP_TANH && act != MLP_RELU && act != MLP_SILU))
        return NULL;
    size_t P = 0;
    for (size_t l = 0; l < n_layers; l++) {
        if (sizes[l] == 0 || sizes[l + 1] == 0)
            return NULL;
        P += sizes[l + 1] * (sizes[l] + 1);
    }
    mlp *net = calloc(1, sizeof *net);
    if (!net)
        return NULL;
    net->n_layers = n_layers;
    net->act = act;
    net->n_params = P;
    net->sizes = malloc((n_layers + 1) * sizeof *net->sizes);
    net->params = calloc(4 * P, sizeof *net->params);
    net->W = malloc(4 * n_layers * sizeof *net->W); /* one table, four quarters */
    if (!net->sizes || !net->params || !net->W) {
        mlp_free(net);
        return NULL;
    }
    memcpy(net->sizes, sizes, (n_layers + 1) * sizeof *sizes);
    net->grads = net->params + P;
    net->adam_m = net->params + 2 * P;
    net->adam_v = net->params + 3 * P;
    net->b = net->W + n_layers;
    net->dW = net->W + 2 * n_layers;
    net->db = net->W + 3 * n_layers;
    size_t off = 0;
    for (size_t l = 0; l < n_layers; l++) {
        net->W[l] = net->params + off, net->dW[l] = net->grads + off;
        off += sizes[l + 1] * sizes[l];
        net->b[l] = net->params + off, net->db[l] = net->grads + off;
        off += sizes[l + 1];
    }
    return net;
}

void mlp_free(mlp *net)
{
    if (!net)
        return;
    free(net->sizes), free(net->params), free(net->W), free(net);
}

mlp_workspace *mlp_workspace_alloc(const mlp *net, size_t capacity)
{
    if (!net || capacity == 0)
        return NULL;
    const size_t L = net->n_layers;
    size_t total = 0, widest = 0;
    for (size_t l = 0; l <= L; l++) {
        total += net->sizes[l] * (l > 0 && l < L ? 2 : 1); /* a[l], and z[l] if hidden */
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    }
    mlp_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->capacity = capacity, ws->n_layers = L;
    ws->a = calloc(2 * (L + 1), sizeof *ws->a);
    double *block = malloc((total + 2 * widest) * capacity * sizeof *block);
    if (!ws->a || !block) {
        free(ws->a), free(block), free(ws);
        return NULL;
    }
    ws->z = ws->a + L + 1;
    for (size_t l = 0; l <= L; l++) {
        ws->a[l] = block, block += net->sizes[l] * capacity;
        if (l > 0 && l < L)
            ws->z[l] = block, block += net->sizes[l] * capacity;
    }
    ws->g0 = block, ws->g1 = block + widest * capacity;
    return ws;
}

void mlp_workspace_free(mlp_workspace *ws)
{
    if (!ws)
        return;
    free(ws->a[0]); /* the start of the activation block */
    free(ws->a), free(ws);
}

int mlp_init(mlp *net, gsl_rng *rng)
{
    if (!net || !rng)
        return GSL_EINVAL;
    const double gain = net->act == MLP_TANH ? 1.0 : 2.0;
    for (size_t l = 0; l < net->n_layers; l++) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        const double sd = sqrt(gain / (double)in);
        for (size_t i = 0; i < out * in; i++)
            net->W[l][i] = gsl_ran_gaussian(rng, sd);
        memset(net->b[l], 0, out * sizeof(double));
    }
    memset(net->grads, 0, 3 * net->n_params * sizeof(double)); /* grads and both moments */
    net->adam_t = 0;
    return GSL_SUCCESS;
}

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

static double activate(mlp_activation act, double z)
{
    switch (act) {
    case MLP_TANH: return tanh(z);
    case MLP_RELU: return z > 0 ? z : 0;
    default:       return z * sigmoid(z);
    }
}

/* f'(z), given z and a = f(z). */
static double activate_deriv(mlp_activation act, double z, double a)
{
    switch (act) {
    case MLP_TANH: return 1.0 - a * a;
    case MLP_RELU: return z > 0 ? 1.0 : 0.0;
    default: {
        double s = sigmoid(z);
        return s * (1.0 + z * (1.0 - s));
    }
    }
}

/* A rows x cols view of a raw row-major array. */
static gsl_matrix_view view(double *p, size_t rows, size_t cols)
{
    return gsl_matrix_view_array(p, rows, cols);
}

static void copy_rows(double *dst, const gsl_matrix *src)
{
    for (size_t i = 0; i < src->size1; i++)
        memcpy(dst + i * src->size2, src->data + i * src->tda, src->size2 * sizeof(double));
}

int mlp_forward(const mlp *net, mlp_workspace *ws, const gsl_matrix *X, gsl_matrix *Y)
{
    if (!net || !ws || !X || !Y)
        return GSL_EINVAL;
    const size_t L = net->n_layers, B = X->size1;
    if (ws->n_layers != L || B == 0 || B > ws->capacity || X->size2 != net->sizes[0] ||
        Y->size1 != B || Y->size2 != net->sizes[L])
        return GSL_EBADLEN;
    ws->rows = B;
    copy_rows(ws->a[0], X);
    for (size_t l = 0; l < L; l++) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        const int hidden = l + 1 < L;
        double *z = hidden ? ws->z[l + 1] : ws->a[L];
        /* 1. z_{l+1} = a_l W_l^T + b_l */
        gsl_matrix_view A = view(ws->a[l], B, in), Z = view(z, B, out);
        gsl_matrix_view W = view(net->W[l], out, in);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &A.matrix, &W.matrix, 0.0, &Z.matrix);
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < out; j++)
                z[i * out + j] += net->b[l][j];
        /* 2. a_{l+1} = f(z_{l+1}) on hidden layers */
        if (hidden)
            for (size_t i = 0; i < B * out; i++)
                ws->a[l + 1][i] = activate(net->act, z[i]);
    }
    for (size_t i = 0; i < B; i++)
        memcpy(Y->data + i * Y->tda, ws->a[L] + i * net->sizes[L], net->sizes[L] * sizeof(double));
    return GSL_SUCCESS;
}

int mlp_backward(mlp *net, const mlp_workspace *ws, const gsl_matrix *dY, gsl_matrix *dX)
{
    if (!net || !ws || !dY)
        return GSL_EINVAL;
    const size_t L = net->n_layers, B = ws->rows;
    if (B == 0)
        return GSL_EINVAL; /* no forward pass to differentiate */
    if (ws->n_layers != L || dY->size1 != B || dY->size2 != net->sizes[L] ||
        (dX && (dX->size1 != B || dX->size2 != net->sizes[0])))
        return GSL_EBADLEN;
    /* g = dLoss/dz_{l+1}, starting at the linear output layer: g = dY. */
    double *g = ws->g0, *gin = ws->g1;
    copy_rows(g, dY);
    for (size_t l = L; l-- > 0;) {
        const size_t in = net->sizes[l], out = net->sizes[l + 1];
        gsl_matrix_view G = view(g, B, out), A = view(ws->a[l], B, in);
        gsl_matrix_view W = view(net->W[l], out, in), dW = view(net->dW[l], out, in);
        /* 2'. dW_l = g^T a_l,  db_l = sum over the batch of g  (mirror of step 1) */
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, &G.matrix, &A.matrix, 0.0, &dW.matrix);
        for (size_t j = 0; j < out; j++)
            net->db[l][j] = 0.0;
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < out; j++)
                net->db[l][j] += g[i * out + j];
        if (l == 0 && !dX)
            break;
        /* 1'. dLoss/da_l = g W_l, then through the activation: dLoss/dz_l = f'(z_l) dLoss/da_l */
        gsl_matrix_view Gin = view(gin, B, in);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &G.matrix, &W.matrix, 0.0, &Gin.matrix);
        if (l > 0)
            for (size_t i = 0; i < B * in; i++)
                gin[i] *= activate_deriv(net->act, ws->z[l][i], ws->a[l][i]);
        double *tmp = g;
        g = gin, gin = tmp;
    }
    if (dX)
        for (size_t i = 0; i < B; i++)
            memcpy(dX->data + i * dX->tda, g + i * net->sizes[0], net->sizes[0] * sizeof(double));
    return GSL_SUCCESS;
}

int mlp_adam_step(mlp *net, double lr)
{
    if (!net || !(lr > 0) || !isfinite(lr))
        return GSL_EINVAL;
    net->adam_t++;
    const double b1 = MLP_ADAM_BETA1, b2 = MLP_ADAM_BETA2;
    const double c1 = 1.0 - pow(b1, (double)net->adam_t), c2 = 1.0 - pow(b2, (double)net->adam_t);
    for (size_t i = 0; i < net->n_params; i++) {
        const double g = net->grads[i];
        net->adam_m[i] = b1 * net->adam_m[i] + (1 - b1) * g;
        net->adam_v[i] = b2 * net->adam_v[i] + (1 - b2) * g * g;
        net->params[i] -= lr * (net->adam_m[i] / c1) / (sqrt(net->adam_v[i] / c2) + MLP_ADAM_EPS);
    }
    return GSL_SUCCESS;
}

/* ---- Sampling helpers ------------------------------------------------------------------- */

int mlp_sample_normal(gsl_rng *rng, gsl_matrix *X)
{
    if (!rng || !X)
        return GSL_EINVAL;
    for (size_t i = 0; i < X->size1; i++)
        for (size_t j = 0; j < X->size2; j++)
            gsl_matrix_set(X, i, j, gsl_ran_gaussian_ziggurat(rng, 1.0));
    return GSL_SUCCESS;
}

int mlp_sample_uniform(gsl_rng *rng, double lo, double hi, gsl_vector *t)
{
    if (!rng || !t || !(lo < hi) || !isfinite(lo) || !isfinite(hi))
        return GSL_EINVAL;
    for (size_t i = 0; i < t->size; i++)
        gsl_vector_set(t, i, lo + (hi - lo) * gsl_rng_uniform(rng));
    return GSL_SUCCESS;
}

int mlp_sample_mixture(gsl_rng *rng, const gsl_vector *weights, const gsl_matrix *means,
                       const gsl_vector *sds, gsl_matrix *X, size_t *labels)
{
    if (!rng || !weights || !means || !sds || !X)
        return GSL_EINVAL;
    const size_t K = weights->size, D = means->size2;
    if (K == 0 || means->size1 != K || sds->size != K || X->size2 != D)
        return GSL_EBADLEN;
    double total = 0;
    for (size_t k = 0; k < K; k++) {
        double w = gsl_vector_get(weights, k), s = gsl_vector_get(sds, k);
        if (!(w >= 0) || !isfinite(w) || !(s > 0) || !isfinite(s))
            return GSL_EINVAL;
        total += w;
    }
    if (!(total > 0))
        return GSL_EINVAL;
    for (size_t i = 0; i < X->size1; i++) {
        /* 1. the component, by inverting the cumulative weights (u < total, so a component
         *    of weight 0 is never chosen); 2. the Gaussian draw around its mean */
        double u = gsl_rng_uniform(rng) * total, c = 0;
        size_t k = 0;
        while (k + 1 < K && u >= (c += gsl_vector_get(weights, k)))
            k++;
        for (size_t j = 0; j < D; j++)
            gsl_matrix_set(X, i, j, gsl_matrix_get(means, k, j) +
                                    gsl_ran_gaussian_ziggurat(rng, gsl_vector_get(sds, k)));
        if (labels)
            labels[i] = k;
    }
    return GSL_SUCCESS;
}

int mlp_sample_rows(gsl_rng *rng, const gsl_matrix *src, gsl_matrix *dst)
{
    if (!rng || !src || !dst)
        return GSL_EINVAL;
    if (src->size1 == 0 || src->size2 != dst->size2)
        return GSL_EBADLEN;
    for (size_t i = 0; i < dst->size1; i++) {
        size_t r = gsl_rng_uniform_int(rng, src->size1);
        for (size_t j = 0; j < src->size2; j++)
            gsl_matrix_set(dst, i, j, gsl_matrix_get(src, r, j));
    }
    return GSL_SUCCESS;
}
