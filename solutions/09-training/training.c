/*
 * Chapter 09 reference solution: whitening, initialisation and signal propagation, a
 * multi-layer perceptron with backprop, SGD / momentum / Adam, and mini-batch training.
 * See chapters/09-training/training.h for the contract.
 *
 * Speed: every product of a batch with a weight matrix is one cblas_dgemm on the contiguous
 * row-major arrays (OpenBLAS in the benchmark, GSL's reference CBLAS in the tests); the
 * element-wise work is fused into single passes over contiguous memory.
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

int whiten_fit(const gsl_matrix *X, whiten_kind kind, double eps, gsl_vector *mu, gsl_matrix *W)
{
    if ((kind != WHITEN_PCA && kind != WHITEN_ZCA) || !(eps >= 0) || !isfinite(eps))
        return GSL_EINVAL;
    const size_t b = X->size1, d = X->size2;
    if (b < 2 || d == 0 || mu->size != d || W->size1 != d || W->size2 != d)
        return GSL_EBADLEN;
    gsl_matrix *Xc = gsl_matrix_alloc(b, d), *C = gsl_matrix_alloc(d, d), *U = gsl_matrix_alloc(d, d);
    gsl_vector *lam = gsl_vector_alloc(d), *m = gsl_vector_calloc(d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    int st = GSL_ENOMEM;
    if (!Xc || !C || !U || !lam || !m || !ws)
        goto done;
    /* 1. the mean, then the centred copy */
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < d; j++)
            m->data[j] += gsl_matrix_get(X, i, j);
    gsl_vector_scale(m, 1.0 / (double)b);
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(Xc, i, j, gsl_matrix_get(X, i, j) - m->data[j]);
    /* 2. C = Xc^T Xc / b (one symmetric rank-b update), mirrored to the full matrix */
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)b, Xc, 0.0, C);
    for (size_t i = 0; i < d; i++)
        for (size_t j = i + 1; j < d; j++)
            gsl_matrix_set(C, i, j, gsl_matrix_get(C, j, i));
    /* 3. C = U diag(lambda) U^T, lambda decreasing */
    if ((st = gsl_eigen_symmv(C, lam, U, ws)))
        goto done;
    gsl_eigen_symmv_sort(lam, U, GSL_EIGEN_SORT_VAL_DESC);
    const double lmax = fmax(gsl_vector_get(lam, 0), 0.0);
    for (size_t k = 0; k < d; k++) {
        double l = gsl_vector_get(lam, k);
        if (l <= WHITEN_ZERO_TOL * lmax)
            l = 0; /* zero variance up to round-off: no signal to rescale */
        gsl_vector_set(lam, k, l + eps > 0 ? 1.0 / sqrt(l + eps) : 0.0);
    }
    /* 4. PCA: W = diag(s) U^T.  ZCA: rotate back, W = U diag(s) U^T. */
    for (size_t k = 0; k < d; k++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(C, k, j, gsl_vector_get(lam, k) * gsl_matrix_get(U, j, k));
    if (kind == WHITEN_PCA)
        gsl_matrix_memcpy(W, C);
    else
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, U, C, 0.0, W);
    gsl_vector_memcpy(mu, m);
    st = GSL_SUCCESS;
done:
    gsl_matrix_free(Xc), gsl_matrix_free(C), gsl_matrix_free(U);
    gsl_vector_free(lam), gsl_vector_free(m);
    if (ws)
        gsl_eigen_symmv_free(ws);
    return st;
}

int whiten_apply(const gsl_matrix *W, const gsl_vector *mu, const gsl_matrix *X, gsl_matrix *Z)
{
    const size_t d = mu->size;
    if (d == 0 || W->size1 != d || W->size2 != d || X->size2 != d || Z->size1 != X->size1 ||
        Z->size2 != d)
        return GSL_EBADLEN;
    gsl_matrix *Xc = gsl_matrix_alloc(X->size1, d);
    if (!Xc)
        return GSL_ENOMEM;
    for (size_t i = 0; i < X->size1; i++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(Xc, i, j, gsl_matrix_get(X, i, j) - gsl_vector_get(mu, j));
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, Xc, W, 0.0, Z);
    gsl_matrix_free(Xc);
    return GSL_SUCCESS;
}

/* ---- 2. Initialisation and signal propagation ---------------------------------------------- */

int init_variance(init_kind kind, size_t fan_in, size_t fan_out, double *var)
{
    if (fan_in == 0 || fan_out == 0 || !var)
        return GSL_EINVAL;
    switch (kind) {
    case INIT_HE:
        *var = 2.0 / (double)fan_in;
        return GSL_SUCCESS;
    case INIT_GLOROT:
        *var = 2.0 / (double)(fan_in + fan_out);
        return GSL_SUCCESS;
    case INIT_LECUN:
        *var = 1.0 / (double)fan_in;
        return GSL_SUCCESS;
    }
    return GSL_EINVAL;
}

int init_weights(gsl_matrix *W, init_kind kind, gsl_rng *rng)
{
    double var;
    if (!rng)
        return GSL_EINVAL;
    int st = init_variance(kind, W->size2, W->size1, &var);
    if (st)
        return st;
    const double sd = sqrt(var);
    for (size_t i = 0; i < W->size1; i++) {
        double *row = W->data + i * W->tda;
        for (size_t j = 0; j < W->size2; j++)
            row[j] = gsl_ran_gaussian_ziggurat(rng, sd);
    }
    return GSL_SUCCESS;
}

static void activate(act_kind act, const double *z, double *a, size_t n)
{
    if (act == ACT_RELU)
        for (size_t i = 0; i < n; i++)
            a[i] = z[i] > 0 ? z[i] : 0.0;
    else
        for (size_t i = 0; i < n; i++)
            a[i] = tanh(z[i]);
}

int signal_propagate(act_kind act, init_kind kind, double sigma_b, size_t width,
                     const gsl_matrix *X0, gsl_rng *rng, gsl_vector *q)
{
    double var;
    if (!rng || width == 0 || !(sigma_b >= 0) || !isfinite(sigma_b) ||
        (act != ACT_RELU && act != ACT_TANH) || init_variance(kind, 1, 1, &var))
        return GSL_EINVAL;
    const size_t B = X0->size1, n0 = X0->size2, depth = q->size;
    if (B == 0 || n0 == 0 || depth == 0)
        return GSL_EBADLEN;
    const size_t nmax = n0 > width ? n0 : width;
    double *Wb = malloc(width * nmax * sizeof *Wb), *bias = malloc(width * sizeof *bias);
    double *a = malloc(B * nmax * sizeof *a), *z = malloc(B * width * sizeof *z);
    if (!Wb || !bias || !a || !z) {
        free(Wb), free(bias), free(a), free(z);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < B; i++)
        memcpy(a + i * n0, X0->data + i * X0->tda, n0 * sizeof *a);
    size_t nin = n0;
    for (size_t l = 0; l < depth; l++) {
        gsl_matrix_view Wv = gsl_matrix_view_array(Wb, width, nin);
        init_weights(&Wv.matrix, kind, rng);
        for (size_t j = 0; j < width; j++)
            bias[j] = sigma_b > 0 ? gsl_ran_gaussian_ziggurat(rng, sigma_b) : 0.0;
        for (size_t i = 0; i < B; i++)
            memcpy(z + i * width, bias, width * sizeof *z);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)width, (int)nin, 1.0, a,
                    (int)nin, Wb, (int)nin, 1.0, z, (int)width);
        double s = 0;
        for (size_t i = 0; i < B * width; i++)
            s += z[i] * z[i];
        gsl_vector_set(q, l, s / (double)(B * width));
        activate(act, z, a, B * width);
        nin = width;
    }
    free(Wb), free(bias), free(a), free(z);
    return GSL_SUCCESS;
}

/* ---- 3. The multi-layer perceptron --------------------------------------------------------- */

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

int net_init(net *n, init_kind kind, gsl_rng *rng)
{
    double var;
    if (!n || !rng || init_variance(kind, 1, 1, &var))
        return GSL_EINVAL;
    for (size_t l = 0; l < n->L; l++) {
        gsl_matrix_view W = gsl_matrix_view_array(n->W[l], n->sizes[l + 1], n->sizes[l]);
        init_weights(&W.matrix, kind, rng);
        memset(n->b[l], 0, n->sizes[l + 1] * sizeof(double));
    }
    n->rows = 0;
    return GSL_SUCCESS;
}

/* The forward pass on the B rows already in a[0]. */
static void forward_rows(net *n, size_t B)
{
    for (size_t l = 0; l < n->L; l++) {
        const size_t nin = n->sizes[l], nout = n->sizes[l + 1];
        double *z = n->z[l + 1];
        for (size_t i = 0; i < B; i++)
            memcpy(z + i * nout, n->b[l], nout * sizeof *z);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)nout, (int)nin, 1.0,
                    n->a[l], (int)nin, n->W[l], (int)nin, 1.0, z, (int)nout);
        if (l + 1 < n->L)
            activate(n->act, z, n->a[l + 1], B * nout);
    }
    n->rows = B;
}

int net_forward(net *n, const gsl_matrix *X, gsl_matrix *Y)
{
    if (!n)
        return GSL_EINVAL;
    const size_t B = X->size1, d = n->sizes[0], K = n->sizes[n->L];
    if (B == 0 || B > n->capacity || X->size2 != d || (Y && (Y->size1 != B || Y->size2 != K)))
        return GSL_EBADLEN;
    for (size_t i = 0; i < B; i++)
        memcpy(n->a[0] + i * d, X->data + i * X->tda, d * sizeof(double));
    forward_rows(n, B);
    if (Y)
        for (size_t i = 0; i < B; i++)
            memcpy(Y->data + i * Y->tda, n->z[n->L] + i * K, K * sizeof(double));
    return GSL_SUCCESS;
}

/* Loss of one row of logits z (K) at label y, and, if dz, (softmax(z) - e_y) * scale. */
static double xent_row(const double *z, size_t K, int y, double *dz, double scale)
{
    double zmax = z[0];
    for (size_t k = 1; k < K; k++)
        zmax = z[k] > zmax ? z[k] : zmax;
    double s = 0;
    for (size_t k = 0; k < K; k++)
        s += exp(z[k] - zmax);
    const double lse = zmax + log(s);
    if (dz) {
        for (size_t k = 0; k < K; k++)
            dz[k] = exp(z[k] - lse) * scale;
        dz[y] -= scale;
    }
    return lse - z[y];
}

int softmax_xent(const gsl_matrix *Z, const int *y, double *loss, gsl_matrix *dZ)
{
    const size_t B = Z->size1, K = Z->size2;
    if (!y || !loss)
        return GSL_EINVAL;
    if (B == 0 || (dZ && (dZ->size1 != B || dZ->size2 != K)))
        return GSL_EBADLEN;
    for (size_t i = 0; i < B; i++)
        if (y[i] < 0 || (size_t)y[i] >= K)
            return GSL_EINVAL;
    double s = 0;
    for (size_t i = 0; i < B; i++)
        s += xent_row(Z->data + i * Z->tda, K, y[i], dZ ? dZ->data + i * dZ->tda : NULL, 1.0 / (double)B);
    *loss = s / (double)B;
    return GSL_SUCCESS;
}

/* Backward pass from the gradient of the logits, delta (B, n_L), stored in the first half of
 * the scratch block.  Overwrites the gradients. */
static void backward_rows(net *n, size_t B, double *delta)
{
    size_t nmax = 0;
    for (size_t l = 0; l <= n->L; l++)
        nmax = n->sizes[l] > nmax ? n->sizes[l] : nmax;
    /* two buffers of capacity x nmax at the start of scratch; delta is the first */
    double *other = n->scratch + nmax * n->capacity;
    for (size_t l = n->L; l-- > 0;) {
        const size_t nin = n->sizes[l], nout = n->sizes[l + 1];
        /* dW_l = delta^T a_l,  db_l = sum over rows of delta */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)nout, (int)nin, (int)B, 1.0, delta,
                    (int)nout, n->a[l], (int)nin, 0.0, n->dW[l], (int)nin);
        double *db = n->db[l];
        memset(db, 0, nout * sizeof *db);
        for (size_t i = 0; i < B; i++)
            for (size_t j = 0; j < nout; j++)
                db[j] += delta[i * nout + j];
        if (l == 0)
            break;
        /* delta_l = (delta_{l+1} W_l) * phi'(z_l) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)nin, (int)nout, 1.0, delta,
                    (int)nout, n->W[l], (int)nin, 0.0, other, (int)nin);
        const double *z = n->z[l], *a = n->a[l];
        if (n->act == ACT_RELU)
            for (size_t i = 0; i < B * nin; i++)
                other[i] = z[i] > 0 ? other[i] : 0.0;
        else
            for (size_t i = 0; i < B * nin; i++)
                other[i] *= 1.0 - a[i] * a[i];
        double *t = delta;
        delta = other, other = t;
    }
}

int net_backward(net *n, const gsl_matrix *dY)
{
    if (!n || n->rows == 0)
        return GSL_EINVAL;
    const size_t B = n->rows, K = n->sizes[n->L];
    if (dY->size1 != B || dY->size2 != K)
        return GSL_EBADLEN;
    for (size_t i = 0; i < B; i++)
        memcpy(n->scratch + i * K, dY->data + i * dY->tda, K * sizeof(double));
    backward_rows(n, B, n->scratch);
    return GSL_SUCCESS;
}

/* ---- 4. Optimisers ------------------------------------------------------------------------- */

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

int opt_step(opt *o, double *theta, const double *g)
{
    if (!o || !theta || !g || !(o->lr > 0))
        return GSL_EINVAL;
    const size_t P = o->P;
    const double lr = o->lr, wd = o->weight_decay;
    double *m = o->m, *v = o->v;
    switch (o->kind) {
    case OPT_SGD:
        for (size_t i = 0; i < P; i++)
            theta[i] -= lr * (g[i] + wd * theta[i]);
        break;
    case OPT_MOMENTUM: {
        const double mu = o->momentum;
        for (size_t i = 0; i < P; i++) {
            m[i] = mu * m[i] + g[i] + wd * theta[i];
            theta[i] -= lr * m[i];
        }
        break;
    }
    case OPT_ADAM: {
        o->t++;
        const double b1 = o->beta1, b2 = o->beta2, eps = o->eps;
        const double c1 = 1.0 / (1.0 - pow(b1, (double)o->t)), c2 = 1.0 / (1.0 - pow(b2, (double)o->t));
        for (size_t i = 0; i < P; i++) {
            const double gi = g[i] + wd * theta[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            theta[i] -= lr * (m[i] * c1) / (sqrt(v[i] * c2) + eps);
        }
        break;
    }
    default:
        return GSL_EINVAL;
    }
    return GSL_SUCCESS;
}

/* ---- 5. Training --------------------------------------------------------------------------- */

static int check_labels(const int *y, size_t N, size_t K)
{
    for (size_t i = 0; i < N; i++)
        if (y[i] < 0 || (size_t)y[i] >= K)
            return GSL_EINVAL;
    return GSL_SUCCESS;
}

int net_train_epoch(net *n, opt *o, const gsl_matrix *X, const int *y, const size_t *order,
                    size_t batch, double *mean_loss)
{
    if (!n || !o || !y || batch == 0 || batch > n->capacity || o->P != n->P)
        return GSL_EINVAL;
    const size_t N = X->size1, d = n->sizes[0], K = n->sizes[n->L];
    if (N == 0 || X->size2 != d)
        return GSL_EBADLEN;
    if (check_labels(y, N, K))
        return GSL_EINVAL;
    if (order)
        for (size_t i = 0; i < N; i++)
            if (order[i] >= N)
                return GSL_EINVAL;
    double total = 0;
    for (size_t start = 0; start < N; start += batch) {
        const size_t B = N - start < batch ? N - start : batch;
        double *delta = n->scratch, *logits = n->z[n->L];
        for (size_t i = 0; i < B; i++) {
            size_t r = order ? order[start + i] : start + i;
            memcpy(n->a[0] + i * d, X->data + r * X->tda, d * sizeof(double));
        }
        forward_rows(n, B);
        for (size_t i = 0; i < B; i++) {
            size_t r = order ? order[start + i] : start + i;
            total += xent_row(logits + i * K, K, y[r], delta + i * K, 1.0 / (double)B);
        }
        backward_rows(n, B, delta);
        opt_step(o, n->params, n->grads);
    }
    if (mean_loss)
        *mean_loss = total / (double)N;
    return GSL_SUCCESS;
}

int net_evaluate(net *n, const gsl_matrix *X, const int *y, double *loss, double *accuracy)
{
    if (!n || !y)
        return GSL_EINVAL;
    const size_t N = X->size1, d = n->sizes[0], K = n->sizes[n->L];
    if (N == 0 || X->size2 != d)
        return GSL_EBADLEN;
    if (check_labels(y, N, K))
        return GSL_EINVAL;
    double total = 0;
    size_t right = 0;
    for (size_t start = 0; start < N; start += n->capacity) {
        const size_t B = N - start < n->capacity ? N - start : n->capacity;
        for (size_t i = 0; i < B; i++)
            memcpy(n->a[0] + i * d, X->data + (start + i) * X->tda, d * sizeof(double));
        forward_rows(n, B);
        for (size_t i = 0; i < B; i++) {
            const double *z = n->z[n->L] + i * K;
            size_t best = 0;
            for (size_t k = 1; k < K; k++)
                best = z[k] > z[best] ? k : best;
            right += (int)best == y[start + i];
            total += xent_row(z, K, y[start + i], NULL, 0);
        }
    }
    if (loss)
        *loss = total / (double)N;
    if (accuracy)
        *accuracy = (double)right / (double)N;
    return GSL_SUCCESS;
}
