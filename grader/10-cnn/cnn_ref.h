/*
 * cnn_ref.h: the suite's own, deliberately naive reference for chapter 10, written from the
 * definitions in cnn.h and independent of any solution: a convolution is built as its explicit
 * (Toeplitz) matrix, pooling and the network are plain loops.  Private to grader/10-cnn/.
 */
#ifndef MLPHYS_CNN_REF_H
#define MLPHYS_CNN_REF_H

#include "cnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Output size by counting positions: the largest n_out with s (n_out - 1) + k <= n + 2 pad. */
static inline size_t ref_out(size_t n, size_t k, size_t s, size_t pad)
{
    size_t m = 0;
    while (s * m + k <= n + 2 * pad)
        m++;
    return m;
}

/* The matrix T (c_out ho wo, c_in h w) of a convolution: Y_n = T X_n + bias, tap by tap. */
static inline gsl_matrix *ref_toeplitz(const cnn_conv *g, const gsl_matrix *K)
{
    const size_t ho = ref_out(g->h, g->kh, g->stride, g->pad), wo = ref_out(g->w, g->kw, g->stride, g->pad);
    gsl_matrix *T = gsl_matrix_calloc(g->c_out * ho * wo, g->c_in * g->h * g->w);
    for (size_t o = 0; o < g->c_out; o++)
        for (size_t i = 0; i < ho; i++)
            for (size_t j = 0; j < wo; j++)
                for (size_t c = 0; c < g->c_in; c++)
                    for (size_t p = 0; p < g->kh; p++)
                        for (size_t q = 0; q < g->kw; q++) {
                            long y = (long)(g->stride * i + p) - (long)g->pad;
                            long x = (long)(g->stride * j + q) - (long)g->pad;
                            if (g->padding == CNN_PAD_CIRCULAR) {
                                while (y < 0) y += (long)g->h;
                                while (x < 0) x += (long)g->w;
                                y %= (long)g->h, x %= (long)g->w;
                            } else if (y < 0 || x < 0 || y >= (long)g->h || x >= (long)g->w) {
                                continue; /* a zero of the padding contributes nothing */
                            }
                            size_t row = (o * ho + i) * wo + j, col = (c * g->h + (size_t)y) * g->w + (size_t)x;
                            double *t = gsl_matrix_ptr(T, row, col);
                            *t += gsl_matrix_get(K, o, (c * g->kh + p) * g->kw + q); /* += : wrapped taps may coincide */
                        }
    return T;
}

/* Y = X T^T + 1 b_expanded^T: the reference forward pass (Y allocated here). */
static inline gsl_matrix *ref_conv(const cnn_conv *g, const gsl_matrix *X, const gsl_matrix *K, const gsl_vector *b)
{
    gsl_matrix *T = ref_toeplitz(g, K);
    const size_t M = T->size1 / g->c_out;
    gsl_matrix *Y = gsl_matrix_alloc(X->size1, T->size1);
    for (size_t n = 0; n < X->size1; n++)
        for (size_t r = 0; r < T->size1; r++)
            gsl_matrix_set(Y, n, r, gsl_vector_get(b, r / M));
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, X, T, 1.0, Y);
    gsl_matrix_free(T);
    return Y;
}

/* Max-pooling by plain loops (values only). */
static inline gsl_matrix *ref_maxpool(const cnn_pool *p, const gsl_matrix *X)
{
    const size_t ho = ref_out(p->h, p->k, p->stride, 0), wo = ref_out(p->w, p->k, p->stride, 0);
    gsl_matrix *Y = gsl_matrix_alloc(X->size1, p->c * ho * wo);
    for (size_t n = 0; n < X->size1; n++)
        for (size_t c = 0; c < p->c; c++)
            for (size_t i = 0; i < ho; i++)
                for (size_t j = 0; j < wo; j++) {
                    double m = -INFINITY;
                    for (size_t a = 0; a < p->k; a++)
                        for (size_t e = 0; e < p->k; e++)
                            m = fmax(m, gsl_matrix_get(X, n, (c * p->h + p->stride * i + a) * p->w + p->stride * j + e));
                    gsl_matrix_set(Y, n, (c * ho + i) * wo + j, m);
                }
    return Y;
}

/* Mean cross-entropy of softmax(Z) against labels, straight from the definition (log-sum-exp). */
static inline double ref_xent(const gsl_matrix *Z, const int *label)
{
    double L = 0;
    for (size_t n = 0; n < Z->size1; n++) {
        double m = -INFINITY, s = 0;
        for (size_t k = 0; k < Z->size2; k++)
            m = fmax(m, gsl_matrix_get(Z, n, k));
        for (size_t k = 0; k < Z->size2; k++)
            s += exp(gsl_matrix_get(Z, n, k) - m);
        L += m + log(s) - gsl_matrix_get(Z, n, (size_t)label[n]);
    }
    return L / (double)Z->size1;
}

/* The network's logits from its parameters, layer by layer with the reference pieces.  If
 * margin is not NULL it receives the smallest distance of the network from a kink: min over
 * pre-activations of |z|, and over windows of the gap between the largest and the second
 * largest ReLU output (windows whose maximum is 0 are skipped: all their gradients are 0). */
static inline gsl_matrix *ref_net_logits(const cnn *net, const gsl_matrix *X, double *margin)
{
    gsl_matrix *A = ref_conv(&net->conv, X, &net->K.matrix, &net->bK.vector);
    double mg = INFINITY;
    for (size_t i = 0; i < A->size1 * A->size2; i++) {
        double *a = A->data + i; /* A is freshly allocated: contiguous */
        mg = fmin(mg, fabs(*a));
        *a = *a > 0 ? *a : 0.0;
    }
    const cnn_pool *p = &net->pool;
    const size_t ho = ref_out(p->h, p->k, p->stride, 0), wo = ref_out(p->w, p->k, p->stride, 0);
    for (size_t n = 0; n < A->size1; n++)
        for (size_t c = 0; c < p->c; c++)
            for (size_t i = 0; i < ho; i++)
                for (size_t j = 0; j < wo; j++) {
                    double m1 = -INFINITY, m2 = -INFINITY;
                    for (size_t a = 0; a < p->k; a++)
                        for (size_t e = 0; e < p->k; e++) {
                            double v = gsl_matrix_get(A, n, (c * p->h + p->stride * i + a) * p->w + p->stride * j + e);
                            if (v > m1)
                                m2 = m1, m1 = v;
                            else if (v > m2)
                                m2 = v;
                        }
                    if (m1 > 0)
                        mg = fmin(mg, m1 - m2);
                }
    gsl_matrix *P = ref_maxpool(p, A);
    gsl_matrix *Z = gsl_matrix_alloc(X->size1, net->n_classes);
    for (size_t n = 0; n < X->size1; n++)
        for (size_t k = 0; k < net->n_classes; k++)
            gsl_matrix_set(Z, n, k, gsl_vector_get(&net->bW.vector, k));
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, P, &net->W.matrix, 1.0, Z);
    gsl_matrix_free(A), gsl_matrix_free(P);
    if (margin)
        *margin = mg;
    return Z;
}

static inline void ref_fill(gsl_matrix *m, gsl_rng *rng)
{
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++)
            gsl_matrix_set(m, i, j, gsl_ran_gaussian(rng, 1.0));
}

/* <A, B> = sum_ij A_ij B_ij */
static inline double ref_dot(const gsl_matrix *A, const gsl_matrix *B)
{
    double s = 0;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            s += gsl_matrix_get(A, i, j) * gsl_matrix_get(B, i, j);
    return s;
}

#endif
