/*
 * tf_ref.h: private helpers of the chapter 12 suite (tests.c and hidden.c).  Everything here is
 * written independently of any student or reference code, with plain loops: a reference
 * attention (softmax by the textbook formula, the mask by skipping keys), matrix products, and
 * the two-layer network of the coordinate check.
 */
#ifndef TF_REF_H
#define TF_REF_H

#include "mlphys_test.h"

#include <gsl/gsl_randist.h>
#include <string.h>

static inline gsl_matrix *nan_matrix(size_t n1, size_t n2)
{
    gsl_matrix *M = gsl_matrix_alloc(n1, n2);
    gsl_matrix_set_all(M, NAN);
    return M;
}

static inline gsl_matrix *gauss_matrix(size_t n1, size_t n2, gsl_rng *r, double sd)
{
    gsl_matrix *M = gsl_matrix_alloc(n1, n2);
    mlphys_fill_gaussian(M, r, sd);
    return M;
}

/* C = op(A) op(B) by loops; op = transpose when the flag is set. */
static inline void ref_matmul(const gsl_matrix *A, int tA, const gsl_matrix *B, int tB, gsl_matrix *C)
{
    size_t n = tA ? A->size2 : A->size1, k = tA ? A->size1 : A->size2, m = tB ? B->size1 : B->size2;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double s = 0;
            for (size_t l = 0; l < k; l++)
                s += (tA ? gsl_matrix_get(A, l, i) : gsl_matrix_get(A, i, l)) *
                     (tB ? gsl_matrix_get(B, j, l) : gsl_matrix_get(B, l, j));
            gsl_matrix_set(C, i, j, s);
        }
}

/* Reference attention by loops: A_ij = exp(s_ij - max) / sum over allowed j; O = A V. */
static inline void ref_attention(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal,
                                 gsl_matrix *A, gsl_matrix *O)
{
    size_t n = Q->size1, m = K->size1, dk = Q->size2, dv = V->size2;
    double *s = malloc(m * sizeof *s);
    for (size_t i = 0; i < n; i++) {
        size_t last = causal ? i + 1 : m;
        double mx = -INFINITY, z = 0;
        for (size_t j = 0; j < last; j++) {
            double t = 0;
            for (size_t a = 0; a < dk; a++)
                t += gsl_matrix_get(Q, i, a) * gsl_matrix_get(K, j, a);
            s[j] = t / sqrt((double)dk);
            mx = fmax(mx, s[j]);
        }
        for (size_t j = 0; j < last; j++)
            z += (s[j] = exp(s[j] - mx));
        for (size_t j = 0; j < m; j++)
            s[j] = j < last ? s[j] / z : 0.0;
        if (A)
            for (size_t j = 0; j < m; j++)
                gsl_matrix_set(A, i, j, s[j]);
        for (size_t c = 0; c < dv; c++) {
            double o = 0;
            for (size_t j = 0; j < m; j++)
                o += s[j] * gsl_matrix_get(V, j, c);
            gsl_matrix_set(O, i, c, o);
        }
    }
    free(s);
}

/* Reference multi-head self-attention: per head, copy the column block, attend, copy back. */
static inline void ref_multihead(const gsl_matrix *X, const gsl_matrix *Wq, const gsl_matrix *Wk,
                                 const gsl_matrix *Wv, const gsl_matrix *Wo, size_t h, int causal, gsl_matrix *Y)
{
    size_t n = X->size1, d = X->size2, dk = d / h;
    gsl_matrix *Q = gsl_matrix_alloc(n, d), *K = gsl_matrix_alloc(n, d), *V = gsl_matrix_alloc(n, d),
               *C = gsl_matrix_alloc(n, d), *q = gsl_matrix_alloc(n, dk), *k = gsl_matrix_alloc(n, dk),
               *v = gsl_matrix_alloc(n, dk), *o = gsl_matrix_alloc(n, dk);
    ref_matmul(X, 0, Wq, 0, Q), ref_matmul(X, 0, Wk, 0, K), ref_matmul(X, 0, Wv, 0, V);
    for (size_t r = 0; r < h; r++) {
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < dk; a++) {
                gsl_matrix_set(q, i, a, gsl_matrix_get(Q, i, r * dk + a));
                gsl_matrix_set(k, i, a, gsl_matrix_get(K, i, r * dk + a));
                gsl_matrix_set(v, i, a, gsl_matrix_get(V, i, r * dk + a));
            }
        ref_attention(q, k, v, causal, NULL, o);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < dk; a++)
                gsl_matrix_set(C, i, r * dk + a, gsl_matrix_get(o, i, a));
    }
    ref_matmul(C, 0, Wo, 0, Y);
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(C);
    gsl_matrix_free(q), gsl_matrix_free(k), gsl_matrix_free(v), gsl_matrix_free(o);
}

/* The coordinate-check network's output f = sum_i W2_i tanh(sum_j W1_ij x_j). */
static inline double ref_net(const gsl_matrix *W1, const gsl_vector *W2, const gsl_vector *x)
{
    double f = 0;
    for (size_t i = 0; i < W1->size1; i++) {
        double z = 0;
        for (size_t j = 0; j < x->size; j++)
            z += gsl_matrix_get(W1, i, j) * gsl_vector_get(x, j);
        f += gsl_vector_get(W2, i) * tanh(z);
    }
    return f;
}

/* Least-squares slope of y against x. */
static inline double ref_slope(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < n; i++)
        mx += x[i] / n, my += y[i] / n;
    for (size_t i = 0; i < n; i++)
        sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
    return sxy / sxx;
}

#endif
