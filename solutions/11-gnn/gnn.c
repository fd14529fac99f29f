/*
 * Chapter 11: graph neural networks (reference solution).
 *
 * A graph is a matrix: the adjacency A (N x N).  A graph-convolution layer mixes every node's
 * features with its neighbours' through the normalised adjacency
 *     A_hat = D~^{-1/2} (A + I) D~^{-1/2},   d~_i = 1 + sum_j A_ij,
 * then applies the same weights W to every node:  H' = s(A_hat H W).
 * Shapes: N nodes, F features in, F' out, Hd hidden, C classes, T labelled nodes.
 */
#include "gnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

static int valid_act(gnn_activation act)
{
    return act == GNN_IDENTITY || act == GNN_TANH || act == GNN_RELU;
}

/* A symmetric, non-negative, zero diagonal, square. */
static int check_graph(const gsl_matrix *A)
{
    if (A->size1 != A->size2)
        return GSL_EBADLEN;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            double a = gsl_matrix_get(A, i, j);
            if (!(a >= 0) || a != gsl_matrix_get(A, j, i) || (i == j && a != 0))
                return GSL_EINVAL;
        }
    return GSL_SUCCESS;
}

/* ---- TODO(1): graphs as matrices ------------------------------------------------------------ */

int gnn_adjacency(const gsl_matrix *edges, gsl_matrix *A)
{
    if (A->size1 != A->size2 || edges->size2 != 2)
        return GSL_EBADLEN;
    const size_t N = A->size1, E = edges->size1;
    /* validate everything before writing A (a failed call leaves A untouched) */
    gsl_matrix *tmp = gsl_matrix_calloc(N, N);
    if (!tmp)
        return GSL_ENOMEM;
    for (size_t e = 0; e < E; e++) {
        double a = gsl_matrix_get(edges, e, 0), b = gsl_matrix_get(edges, e, 1);
        if (!(a >= 0 && b >= 0 && a < (double)N && b < (double)N) || a != floor(a) || b != floor(b) || a == b) {
            gsl_matrix_free(tmp);
            return GSL_EINVAL;
        }
        size_t i = (size_t)a, j = (size_t)b;
        if (gsl_matrix_get(tmp, i, j) != 0) { /* a duplicate, in either orientation */
            gsl_matrix_free(tmp);
            return GSL_EINVAL;
        }
        gsl_matrix_set(tmp, i, j, 1.0);
        gsl_matrix_set(tmp, j, i, 1.0);
    }
    gsl_matrix_memcpy(A, tmp);
    gsl_matrix_free(tmp);
    return GSL_SUCCESS;
}

/* ---- TODO(2): the normalised adjacency ------------------------------------------------------ */

int gnn_normalize(const gsl_matrix *A, gsl_matrix *A_hat)
{
    if (A->size1 != A->size2 || A_hat->size1 != A->size1 || A_hat->size2 != A->size2)
        return GSL_EBADLEN;
    int st = check_graph(A);
    if (st)
        return st;
    const size_t N = A->size1;
    double *r = malloc(N * sizeof *r); /* r_i = 1 / sqrt(d~_i) */
    if (!r)
        return GSL_ENOMEM;
    for (size_t i = 0; i < N; i++) {
        double d = 1.0; /* the self-loop */
        for (size_t j = 0; j < N; j++)
            d += gsl_matrix_get(A, i, j);
        r[i] = 1.0 / sqrt(d);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(A_hat, i, j, (gsl_matrix_get(A, i, j) + (i == j)) * r[i] * r[j]);
    free(r);
    return GSL_SUCCESS;
}

/* ---- TODO(3): the layer, forward ------------------------------------------------------------ */

static double act_f(gnn_activation act, double z)
{
    switch (act) {
    case GNN_TANH: return tanh(z);
    case GNN_RELU: return z > 0 ? z : 0.0;
    default: return z;
    }
}

static double act_df(gnn_activation act, double z)
{
    switch (act) {
    case GNN_TANH: {
        double t = tanh(z);
        return 1.0 - t * t;
    }
    case GNN_RELU: return z > 0 ? 1.0 : 0.0;
    default: return 1.0;
    }
}

int gnn_layer_forward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                      gnn_activation act, gsl_matrix *Z, gsl_matrix *H_out)
{
    const size_t N = H->size1, F = H->size2, Fo = W->size2;
    if (A_hat->size1 != N || A_hat->size2 != N || W->size1 != F || Z->size1 != N || Z->size2 != Fo ||
        H_out->size1 != N || H_out->size2 != Fo)
        return GSL_EBADLEN;
    if (!valid_act(act))
        return GSL_EINVAL;
    /* (A_hat H) W: aggregate first, then transform (N^2 F + N F F' flops) */
    gsl_matrix *AH = gsl_matrix_alloc(N, F);
    if (!AH)
        return GSL_ENOMEM;
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A_hat, H, 0.0, AH);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, AH, W, 0.0, Z);
    gsl_matrix_free(AH);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < Fo; j++)
            gsl_matrix_set(H_out, i, j, act_f(act, gsl_matrix_get(Z, i, j)));
    return GSL_SUCCESS;
}

/* ---- TODO(4): the layer, backward ----------------------------------------------------------- */

int gnn_layer_backward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                       gnn_activation act, const gsl_matrix *Z, const gsl_matrix *dH_out,
                       gsl_matrix *dW, gsl_matrix *dH)
{
    const size_t N = H->size1, F = H->size2, Fo = W->size2;
    if (A_hat->size1 != N || A_hat->size2 != N || W->size1 != F || Z->size1 != N || Z->size2 != Fo ||
        dH_out->size1 != N || dH_out->size2 != Fo || dW->size1 != F || dW->size2 != Fo ||
        (dH && (dH->size1 != N || dH->size2 != F)))
        return GSL_EBADLEN;
    if (!valid_act(act))
        return GSL_EINVAL;
    gsl_matrix *G = gsl_matrix_alloc(N, Fo), *AH = gsl_matrix_alloc(N, F);
    gsl_matrix *AG = dH ? gsl_matrix_alloc(N, Fo) : NULL;
    if (!G || !AH || (dH && !AG)) {
        gsl_matrix_free(G), gsl_matrix_free(AH), gsl_matrix_free(AG);
        return GSL_ENOMEM;
    }
    /* 1. through the non-linearity: G = dH_out * s'(Z) */
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < Fo; j++)
            gsl_matrix_set(G, i, j, gsl_matrix_get(dH_out, i, j) * act_df(act, gsl_matrix_get(Z, i, j)));
    /* 2. Z = (A_hat H) W, so dW = (A_hat H)^T G */
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A_hat, H, 0.0, AH);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, AH, G, 0.0, dW);
    /* 3. Z = A_hat (H W), so dH = A_hat^T G W^T */
    if (dH) {
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A_hat, G, 0.0, AG);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, AG, W, 0.0, dH);
    }
    gsl_matrix_free(G), gsl_matrix_free(AH), gsl_matrix_free(AG);
    return GSL_SUCCESS;
}

/* ---- TODO(5): oversmoothing ----------------------------------------------------------------- */

int gnn_spread(const gsl_matrix *A, const gsl_matrix *X, gsl_vector *s)
{
    const size_t N = A->size1, F = X->size2;
    if (A->size2 != N || X->size1 != N)
        return GSL_EBADLEN;
    int st = check_graph(A);
    if (st)
        return st;
    gsl_matrix *Ah = gsl_matrix_alloc(N, N), *Hk = gsl_matrix_alloc(N, F), *T = gsl_matrix_alloc(N, F);
    gsl_vector *u = gsl_vector_alloc(N), *c = gsl_vector_alloc(F);
    if (!Ah || !Hk || !T || !u || !c) {
        st = GSL_ENOMEM;
        goto done;
    }
    if ((st = gnn_normalize(A, Ah)))
        goto done;
    /* u_i proportional to sqrt(d~_i) = 1 / sqrt(A_hat_ii) for a graph without self-loops in A */
    double norm2 = 0;
    for (size_t i = 0; i < N; i++) {
        double d = 1.0;
        for (size_t j = 0; j < N; j++)
            d += gsl_matrix_get(A, i, j);
        gsl_vector_set(u, i, sqrt(d));
        norm2 += d;
    }
    gsl_vector_scale(u, 1.0 / sqrt(norm2));
    gsl_matrix_memcpy(Hk, X);
    for (size_t k = 0; k < s->size; k++) {
        if (k > 0) { /* H_k = A_hat H_{k-1} */
            gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, Ah, Hk, 0.0, T);
            gsl_matrix_memcpy(Hk, T);
        }
        /* the part of H_k orthogonal to u: H_k - u (u^T H_k) */
        gsl_blas_dgemv(CblasTrans, 1.0, Hk, u, 0.0, c);
        double ss = 0;
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < F; j++) {
                double r = gsl_matrix_get(Hk, i, j) - gsl_vector_get(u, i) * gsl_vector_get(c, j);
                ss += r * r;
            }
        gsl_vector_set(s, k, sqrt(ss));
    }
done:
    gsl_matrix_free(Ah), gsl_matrix_free(Hk), gsl_matrix_free(T);
    gsl_vector_free(u), gsl_vector_free(c);
    return st;
}

/* ---- TODO(6): the two-layer GCN, forward and backward --------------------------------------- */

static int check_gcn(const gsl_matrix *A_hat, const gsl_matrix *X, const gsl_matrix *W0, const gsl_matrix *W1,
                     const size_t *train, const size_t *y, size_t T)
{
    const size_t N = X->size1;
    if (A_hat->size1 != N || A_hat->size2 != N || W0->size1 != X->size2 || W1->size1 != W0->size2)
        return GSL_EBADLEN;
    if (T == 0 || !train || !y)
        return GSL_EINVAL;
    for (size_t t = 0; t < T; t++)
        if (train[t] >= N || y[t] >= W1->size2)
            return GSL_EINVAL;
    return GSL_SUCCESS;
}

int gnn_gcn_loss(const gsl_matrix *A_hat, const gsl_matrix *X, const gsl_matrix *W0,
                 const gsl_matrix *W1, const size_t *train, const size_t *y, size_t T,
                 gsl_matrix *H1, gsl_matrix *P, double *loss, gsl_matrix *dW0, gsl_matrix *dW1)
{
    const size_t N = X->size1, Hd = W0->size2, C = W1->size2;
    if (A_hat->size1 != N || A_hat->size2 != N || W0->size1 != X->size2 || W1->size1 != Hd ||
        H1->size1 != N || H1->size2 != Hd || P->size1 != N || P->size2 != C || (!dW0) != (!dW1) ||
        (dW0 && (dW0->size1 != W0->size1 || dW0->size2 != Hd || dW1->size1 != Hd || dW1->size2 != C)))
        return GSL_EBADLEN;
    int st = check_gcn(A_hat, X, W0, W1, train, y, T);
    if (st)
        return st;
    gsl_matrix *Z0 = gsl_matrix_alloc(N, Hd), *Z1 = gsl_matrix_alloc(N, C), *O = gsl_matrix_alloc(N, C);
    gsl_matrix *G = gsl_matrix_calloc(N, C), *dH1 = gsl_matrix_alloc(N, Hd);
    if (!Z0 || !Z1 || !O || !G || !dH1) {
        st = GSL_ENOMEM;
        goto done;
    }
    /* forward: two layers, then a numerically stable softmax */
    if ((st = gnn_layer_forward(A_hat, X, W0, GNN_TANH, Z0, H1)) ||
        (st = gnn_layer_forward(A_hat, H1, W1, GNN_IDENTITY, Z1, O)))
        goto done;
    for (size_t i = 0; i < N; i++) {
        double m = gsl_matrix_get(O, i, 0), z = 0;
        for (size_t c = 1; c < C; c++)
            m = fmax(m, gsl_matrix_get(O, i, c));
        for (size_t c = 0; c < C; c++)
            z += exp(gsl_matrix_get(O, i, c) - m);
        for (size_t c = 0; c < C; c++)
            gsl_matrix_set(P, i, c, exp(gsl_matrix_get(O, i, c) - m) / z);
    }
    /* cross-entropy over the labelled nodes; its gradient with respect to the logits of a
     * labelled node i is (p_i - onehot(y)) / T, and zero on every unlabelled node */
    double L = 0;
    for (size_t t = 0; t < T; t++) {
        size_t i = train[t];
        double m = gsl_matrix_get(O, i, 0), z = 0;
        for (size_t c = 1; c < C; c++)
            m = fmax(m, gsl_matrix_get(O, i, c));
        for (size_t c = 0; c < C; c++)
            z += exp(gsl_matrix_get(O, i, c) - m);
        L += -(gsl_matrix_get(O, i, y[t]) - m - log(z)) / (double)T; /* log-sum-exp */
        for (size_t c = 0; c < C; c++)
            *gsl_matrix_ptr(G, i, c) += (gsl_matrix_get(P, i, c) - (c == y[t])) / (double)T;
    }
    *loss = L;
    if (dW0) { /* backward through layer 2, then layer 1 */
        if ((st = gnn_layer_backward(A_hat, H1, W1, GNN_IDENTITY, Z1, G, dW1, dH1)) ||
            (st = gnn_layer_backward(A_hat, X, W0, GNN_TANH, Z0, dH1, dW0, NULL)))
            goto done;
    }
done:
    gsl_matrix_free(Z0), gsl_matrix_free(Z1), gsl_matrix_free(O), gsl_matrix_free(G), gsl_matrix_free(dH1);
    return st;
}

/* ---- TODO(7): semi-supervised training ------------------------------------------------------ */

static void glorot(gsl_matrix *W, gsl_rng *rng)
{
    double r = sqrt(6.0 / (double)(W->size1 + W->size2));
    for (size_t i = 0; i < W->size1; i++)
        for (size_t j = 0; j < W->size2; j++)
            gsl_matrix_set(W, i, j, gsl_ran_flat(rng, -r, r));
}

int gnn_gcn_train(const gsl_matrix *A_hat, const gsl_matrix *X, const size_t *train,
                  const size_t *y, size_t T, size_t steps, double lr, gsl_rng *rng,
                  gsl_matrix *W0, gsl_matrix *W1, gsl_vector *losses)
{
    const size_t N = X->size1;
    int st = check_gcn(A_hat, X, W0, W1, train, y, T);
    if (st)
        return st;
    if (!(lr > 0) || !isfinite(lr) || !rng)
        return GSL_EINVAL;
    if (losses && losses->size != steps)
        return GSL_EBADLEN;
    gsl_matrix *H1 = gsl_matrix_alloc(N, W0->size2), *P = gsl_matrix_alloc(N, W1->size2);
    gsl_matrix *dW0 = gsl_matrix_alloc(W0->size1, W0->size2), *dW1 = gsl_matrix_alloc(W1->size1, W1->size2);
    if (!H1 || !P || !dW0 || !dW1) {
        st = GSL_ENOMEM;
        goto done;
    }
    glorot(W0, rng);
    glorot(W1, rng);
    for (size_t t = 0; t < steps; t++) {
        double loss;
        if ((st = gnn_gcn_loss(A_hat, X, W0, W1, train, y, T, H1, P, &loss, dW0, dW1)))
            goto done;
        if (losses)
            gsl_vector_set(losses, t, loss);
        gsl_matrix_scale(dW0, lr), gsl_matrix_sub(W0, dW0);
        gsl_matrix_scale(dW1, lr), gsl_matrix_sub(W1, dW1);
    }
done:
    gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(dW0), gsl_matrix_free(dW1);
    return st;
}

/* ---- TODO(8): the Fiedler vector by power iteration ----------------------------------------- */

/* y = M x = c x - L x = c x - d * x + A x */
static void apply_shifted(const gsl_matrix *A, const double *d, double c, const gsl_vector *x, gsl_vector *y)
{
    gsl_blas_dgemv(CblasNoTrans, 1.0, A, x, 0.0, y);
    for (size_t i = 0; i < x->size; i++)
        *gsl_vector_ptr(y, i) += (c - d[i]) * gsl_vector_get(x, i);
}

static void remove_mean_and_normalise(gsl_vector *x)
{
    double m = 0;
    for (size_t i = 0; i < x->size; i++)
        m += gsl_vector_get(x, i) / (double)x->size;
    gsl_vector_add_constant(x, -m);
    gsl_vector_scale(x, 1.0 / gsl_blas_dnrm2(x));
}

int gnn_fiedler(const gsl_matrix *A, gsl_rng *rng, gsl_vector *f, double *lambda2)
{
    const size_t N = A->size1;
    if (A->size2 != N || f->size != N || N < 2)
        return GSL_EBADLEN;
    int st = check_graph(A);
    if (st)
        return st;
    double *d = malloc(N * sizeof *d), c = 0;
    gsl_vector *x = gsl_vector_alloc(N), *y = gsl_vector_alloc(N);
    if (!d || !x || !y) {
        free(d), gsl_vector_free(x), gsl_vector_free(y);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < N; i++) {
        d[i] = 0;
        for (size_t j = 0; j < N; j++)
            d[i] += gsl_matrix_get(A, i, j);
        c = fmax(c, 2.0 * d[i]); /* Gershgorin: the spectrum of L lies in [0, 2 max d] */
    }
    for (size_t i = 0; i < N; i++)
        gsl_vector_set(x, i, gsl_ran_gaussian(rng, 1.0));
    remove_mean_and_normalise(x);
    st = GSL_EMAXITER;
    double lam = 0;
    for (long it = 0; it < 1000000; it++) {
        apply_shifted(A, d, c, x, y);             /* y = M x */
        double mu;
        gsl_blas_ddot(x, y, &mu);                  /* Rayleigh quotient of M */
        lam = c - mu;                              /* ... and of L */
        /* residual of L x = lam x is (c x - M x) - lam x = mu x - M x */
        double r2 = 0;
        for (size_t i = 0; i < N; i++) {
            double r = mu * gsl_vector_get(x, i) - gsl_vector_get(y, i);
            r2 += r * r;
        }
        if (sqrt(r2) <= 1e-10 * c) {
            st = GSL_SUCCESS;
            break;
        }
        gsl_vector_memcpy(x, y);
        remove_mean_and_normalise(x);              /* deflate the constant vector, renormalise */
    }
    if (st == GSL_SUCCESS) {
        if (gsl_vector_get(x, 0) < 0)
            gsl_vector_scale(x, -1.0);
        gsl_vector_memcpy(f, x);
        *lambda2 = lam;
    }
    free(d), gsl_vector_free(x), gsl_vector_free(y);
    return st;
}
