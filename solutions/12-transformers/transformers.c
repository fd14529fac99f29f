/*
 * Chapter 12 reference solution: attention, multi-head attention, layer norm, sinusoidal
 * positions, the attention backward pass and the muP coordinate check.
 */
#include "transformers.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

static int attn_shapes(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal)
{
    if (Q->size2 != K->size2 || K->size1 != V->size1)
        return GSL_EBADLEN;
    if (causal && Q->size1 != K->size1)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

/* P (n x m) <- row softmax of Q K^T / sqrt(d_k), masked when causal. */
static void attn_weights(const gsl_matrix *Q, const gsl_matrix *K, int causal, gsl_matrix *P)
{
    const size_t n = Q->size1, m = K->size1;
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0 / sqrt((double)Q->size2), Q, K, 0.0, P);
    for (size_t i = 0; i < n; i++) {
        size_t last = causal ? i + 1 : m;
        double mx = -INFINITY;
        for (size_t j = 0; j < last; j++)
            mx = fmax(mx, gsl_matrix_get(P, i, j));
        double z = 0;
        for (size_t j = 0; j < last; j++) {
            double e = exp(gsl_matrix_get(P, i, j) - mx);
            gsl_matrix_set(P, i, j, e);
            z += e;
        }
        for (size_t j = 0; j < last; j++)
            gsl_matrix_set(P, i, j, gsl_matrix_get(P, i, j) / z);
        for (size_t j = last; j < m; j++)
            gsl_matrix_set(P, i, j, 0.0);
    }
}

int tf_attention(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal,
                 gsl_matrix *A, gsl_matrix *O)
{
    int st = attn_shapes(Q, K, V, causal);
    if (st)
        return st;
    if (O->size1 != Q->size1 || O->size2 != V->size2)
        return GSL_EBADLEN;
    if (A && (A->size1 != Q->size1 || A->size2 != K->size1))
        return GSL_EBADLEN;
    gsl_matrix *P = gsl_matrix_alloc(Q->size1, K->size1);
    attn_weights(Q, K, causal, P);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, P, V, 0.0, O);
    if (A)
        gsl_matrix_memcpy(A, P);
    gsl_matrix_free(P);
    return GSL_SUCCESS;
}

int tf_multihead(const gsl_matrix *X, const gsl_matrix *Wq, const gsl_matrix *Wk,
                 const gsl_matrix *Wv, const gsl_matrix *Wo, size_t h, int causal, gsl_matrix *Y)
{
    const size_t n = X->size1, d = X->size2;
    const gsl_matrix *W[4] = {Wq, Wk, Wv, Wo};
    for (int k = 0; k < 4; k++)
        if (W[k]->size1 != d || W[k]->size2 != d)
            return GSL_EBADLEN;
    if (Y->size1 != n || Y->size2 != d)
        return GSL_EBADLEN;
    if (h == 0 || d % h != 0)
        return GSL_EINVAL;
    const size_t dk = d / h;
    gsl_matrix *Q = gsl_matrix_alloc(n, d), *K = gsl_matrix_alloc(n, d), *V = gsl_matrix_alloc(n, d),
               *C = gsl_matrix_alloc(n, d);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, Wq, 0.0, Q);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, Wk, 0.0, K);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, Wv, 0.0, V);
    for (size_t r = 0; r < h; r++) {
        gsl_matrix_view q = gsl_matrix_submatrix(Q, 0, r * dk, n, dk);
        gsl_matrix_view k = gsl_matrix_submatrix(K, 0, r * dk, n, dk);
        gsl_matrix_view v = gsl_matrix_submatrix(V, 0, r * dk, n, dk);
        gsl_matrix_view c = gsl_matrix_submatrix(C, 0, r * dk, n, dk);
        tf_attention(&q.matrix, &k.matrix, &v.matrix, causal, NULL, &c.matrix);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, C, Wo, 0.0, Y);
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(C);
    return GSL_SUCCESS;
}

int tf_layernorm(const gsl_matrix *X, const gsl_vector *gamma, const gsl_vector *beta,
                 double eps, gsl_matrix *Y)
{
    const size_t n = X->size1, d = X->size2;
    if (gamma->size != d || beta->size != d || Y->size1 != n || Y->size2 != d)
        return GSL_EBADLEN;
    if (!(eps >= 0) || !isfinite(eps))
        return GSL_EINVAL;
    for (size_t i = 0; i < n; i++) {
        double mu = 0, var = 0;
        for (size_t j = 0; j < d; j++)
            mu += gsl_matrix_get(X, i, j);
        mu /= (double)d;
        for (size_t j = 0; j < d; j++) {
            double c = gsl_matrix_get(X, i, j) - mu;
            var += c * c;
        }
        var /= (double)d;
        double s = 1.0 / sqrt(var + eps);
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(Y, i, j, gsl_vector_get(gamma, j) * (gsl_matrix_get(X, i, j) - mu) * s +
                                        gsl_vector_get(beta, j));
    }
    return GSL_SUCCESS;
}

int tf_positions(gsl_matrix *PE)
{
    const size_t n = PE->size1, d = PE->size2;
    if (d == 0 || d % 2 != 0)
        return GSL_EINVAL;
    for (size_t i = 0; i < d / 2; i++) {
        double w = pow(10000.0, -2.0 * (double)i / (double)d);
        for (size_t p = 0; p < n; p++) {
            gsl_matrix_set(PE, p, 2 * i, sin((double)p * w));
            gsl_matrix_set(PE, p, 2 * i + 1, cos((double)p * w));
        }
    }
    return GSL_SUCCESS;
}

int tf_attention_backward(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V,
                          int causal, const gsl_matrix *dO, gsl_matrix *dQ, gsl_matrix *dK,
                          gsl_matrix *dV)
{
    int st = attn_shapes(Q, K, V, causal);
    if (st)
        return st;
    const size_t n = Q->size1, m = K->size1, dk = Q->size2, dv = V->size2;
    if (dO->size1 != n || dO->size2 != dv || dQ->size1 != n || dQ->size2 != dk ||
        dK->size1 != m || dK->size2 != dk || dV->size1 != m || dV->size2 != dv)
        return GSL_EBADLEN;
    gsl_matrix *P = gsl_matrix_alloc(n, m), *dA = gsl_matrix_alloc(n, m);
    attn_weights(Q, K, causal, P);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, dO, V, 0.0, dA);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < m; j++)
            s += gsl_matrix_get(P, i, j) * gsl_matrix_get(dA, i, j);
        for (size_t j = 0; j < m; j++)
            gsl_matrix_set(dA, i, j, gsl_matrix_get(P, i, j) * (gsl_matrix_get(dA, i, j) - s));
    }
    const double c = 1.0 / sqrt((double)dk);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, P, dO, 0.0, dV);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, c, dA, K, 0.0, dQ);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, c, dA, Q, 0.0, dK);
    gsl_matrix_free(P), gsl_matrix_free(dA);
    return GSL_SUCCESS;
}

/* f = W2 . tanh(W1 x); h receives tanh(W1 x). */
static double net_forward(const gsl_matrix *W1, const gsl_vector *W2, const gsl_vector *x, gsl_vector *h)
{
    gsl_blas_dgemv(CblasNoTrans, 1.0, W1, x, 0.0, h);
    double f = 0;
    for (size_t i = 0; i < h->size; i++) {
        double t = tanh(gsl_vector_get(h, i));
        gsl_vector_set(h, i, t);
        f += gsl_vector_get(W2, i) * t;
    }
    return f;
}

int tf_coord_check(const gsl_vector *x, size_t n, tf_param param, double eta, gsl_rng *rng,
                   double *df)
{
    const size_t d = x->size;
    if (d == 0)
        return GSL_EBADLEN;
    if (n == 0 || !(eta > 0) || !isfinite(eta) || (param != TF_SP && param != TF_MUP))
        return GSL_EINVAL;
    const double N = (double)n;
    const double sd1 = 1.0 / sqrt((double)d);
    const double sd2 = param == TF_SP ? 1.0 / sqrt(N) : 1.0 / N;
    const double lr1 = param == TF_SP ? eta : eta * N;
    const double lr2 = param == TF_SP ? eta : eta / N;
    gsl_matrix *W1 = gsl_matrix_alloc(n, d);
    gsl_vector *W2 = gsl_vector_alloc(n), *h = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(W1, i, j, gsl_ran_gaussian(rng, sd1));
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(W2, i, gsl_ran_gaussian(rng, sd2));
    double f0 = net_forward(W1, W2, x, h);
    for (size_t i = 0; i < n; i++) {
        double hi = gsl_vector_get(h, i), w2 = gsl_vector_get(W2, i);
        double g = w2 * (1.0 - hi * hi);
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(W1, i, j, gsl_matrix_get(W1, i, j) - lr1 * g * gsl_vector_get(x, j));
        gsl_vector_set(W2, i, w2 - lr2 * hi);
    }
    double f1 = net_forward(W1, W2, x, h);
    *df = f1 - f0;
    gsl_matrix_free(W1), gsl_vector_free(W2), gsl_vector_free(h);
    return GSL_SUCCESS;
}
