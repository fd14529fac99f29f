/*
 * Chapter 02, reference solution: backpropagation through a two-layer tanh network, a
 * central-difference gradient checker, and plain gradient descent.
 *
 * Matrix form of everything below (P samples, d inputs, N units; 1 = a column of P ones):
 *     Z = X W^T + 1 b^T   (P, N)        H = tanh(Z)        yhat = H a / N
 *     L = |yhat - y|^2 / P
 *     dyhat = 2 (yhat - y) / P   (P)
 *     da = H^T dyhat / N         (N)     dZ = (dyhat a^T / N) .* (1 - H .* H)   (P, N)
 *     dW = dZ^T X                (N, d)  db = dZ^T 1                            (N)
 * Two BLAS-3 products per pass; the P x N workspace is allocated per call.
 */
#include "backprop.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

backprop_net *backprop_net_alloc(size_t N, size_t d)
{
    if (N == 0 || d == 0)
        return NULL;
    backprop_net *net = malloc(sizeof *net);
    if (!net)
        return NULL;
    net->N = N, net->d = d;
    net->theta = gsl_vector_calloc(N * (d + 2));
    if (!net->theta) {
        free(net);
        return NULL;
    }
    net->a = gsl_vector_subvector(net->theta, 0, N);
    net->W = gsl_matrix_view_array(net->theta->data + N, N, d);
    net->b = gsl_vector_subvector(net->theta, N + N * d, N);
    return net;
}

void backprop_net_free(backprop_net *net)
{
    if (!net)
        return;
    gsl_vector_free(net->theta);
    free(net);
}

/* H = tanh(X W^T + 1 b^T), shapes already checked. */
static void hidden(const backprop_net *net, const gsl_matrix *X, gsl_matrix *H)
{
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, X, &net->W.matrix, 0.0, H);
    const gsl_vector *b = &net->b.vector;
    for (size_t mu = 0; mu < H->size1; mu++) {
        double *row = gsl_matrix_ptr(H, mu, 0);
        for (size_t i = 0; i < H->size2; i++)
            row[i] = tanh(row[i] + gsl_vector_get(b, i));
    }
}

int backprop_forward(const backprop_net *net, const gsl_matrix *X, gsl_vector *yhat)
{
    if (!net || !X || !yhat)
        return GSL_EINVAL;
    if (X->size2 != net->d || yhat->size != X->size1)
        return GSL_EBADLEN;
    gsl_matrix *H = gsl_matrix_alloc(X->size1, net->N);
    if (!H)
        return GSL_ENOMEM;
    hidden(net, X, H);
    gsl_blas_dgemv(CblasNoTrans, 1.0 / (double)net->N, H, &net->a.vector, 0.0, yhat);
    gsl_matrix_free(H);
    return GSL_SUCCESS;
}

int backprop_loss(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y, double *loss)
{
    if (!net || !X || !y || !loss)
        return GSL_EINVAL;
    if (X->size2 != net->d || y->size != X->size1)
        return GSL_EBADLEN;
    gsl_vector *yhat = gsl_vector_alloc(X->size1);
    if (!yhat)
        return GSL_ENOMEM;
    int st = backprop_forward(net, X, yhat);
    if (st == GSL_SUCCESS) {
        double s = 0.0;
        for (size_t mu = 0; mu < y->size; mu++) {
            double r = gsl_vector_get(yhat, mu) - gsl_vector_get(y, mu);
            s += r * r;
        }
        *loss = s / (double)y->size;
    }
    gsl_vector_free(yhat);
    return st;
}

int backprop_numerical_gradient(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                                gsl_vector *g)
{
    if (!f || !x || !g || !isfinite(h) || h <= 0)
        return GSL_EINVAL;
    if (g->size != x->size)
        return GSL_EBADLEN;
    for (size_t k = 0; k < x->size; k++) {
        const double xk = gsl_vector_get(x, k);
        gsl_vector_set(x, k, xk + h);
        const double fp = f(x, params);
        gsl_vector_set(x, k, xk - h);
        const double fm = f(x, params);
        gsl_vector_set(x, k, xk); /* restore the saved value: exact, unlike x_k += h */
        gsl_vector_set(g, k, (fp - fm) / (2.0 * h));
    }
    return GSL_SUCCESS;
}

int backprop_gradcheck(backprop_scalar_fn f, void *params, gsl_vector *x, double h,
                       const gsl_vector *analytic, gsl_vector *numeric, double *rel_err)
{
    if (!analytic || !numeric || !rel_err)
        return GSL_EINVAL;
    if (!x || analytic->size != x->size)
        return x ? GSL_EBADLEN : GSL_EINVAL;
    int st = backprop_numerical_gradient(f, params, x, h, numeric);
    if (st)
        return st;
    double diff = 0.0, na = gsl_blas_dnrm2(analytic), nn = gsl_blas_dnrm2(numeric);
    for (size_t k = 0; k < x->size; k++)
        diff = hypot(diff, gsl_vector_get(analytic, k) - gsl_vector_get(numeric, k));
    double scale = fmax(na, nn);
    *rel_err = scale > 0 ? diff / scale : 0.0;
    return GSL_SUCCESS;
}

int backprop_backward(const backprop_net *net, const gsl_matrix *X, const gsl_vector *y,
                      backprop_net *dnet, double *loss)
{
    if (!net || !X || !y || !dnet)
        return GSL_EINVAL;
    const size_t P = X->size1, N = net->N;
    if (X->size2 != net->d || y->size != P || dnet->N != N || dnet->d != net->d)
        return GSL_EBADLEN;
    gsl_matrix *H = gsl_matrix_alloc(P, N);
    gsl_vector *dy = gsl_vector_alloc(P);
    if (!H || !dy) {
        gsl_matrix_free(H), gsl_vector_free(dy);
        return GSL_ENOMEM;
    }
    /* forward: H, yhat (kept in dy) */
    hidden(net, X, H);
    gsl_blas_dgemv(CblasNoTrans, 1.0 / (double)N, H, &net->a.vector, 0.0, dy);
    /* dyhat = 2 (yhat - y) / P, and the loss on the way */
    double s = 0.0;
    for (size_t mu = 0; mu < P; mu++) {
        double r = gsl_vector_get(dy, mu) - gsl_vector_get(y, mu);
        s += r * r;
        gsl_vector_set(dy, mu, 2.0 * r / (double)P);
    }
    if (loss)
        *loss = s / (double)P;
    /* da = H^T dyhat / N */
    gsl_blas_dgemv(CblasTrans, 1.0 / (double)N, H, dy, 0.0, &dnet->a.vector);
    /* dZ = (dyhat a^T / N) .* (1 - H .* H), overwriting H; db = column sums of dZ */
    gsl_vector *db = &dnet->b.vector;
    gsl_vector_set_zero(db);
    const gsl_vector *a = &net->a.vector;
    for (size_t mu = 0; mu < P; mu++) {
        double *row = gsl_matrix_ptr(H, mu, 0), c = gsl_vector_get(dy, mu) / (double)N;
        for (size_t i = 0; i < N; i++) {
            row[i] = c * gsl_vector_get(a, i) * (1.0 - row[i] * row[i]);
            *gsl_vector_ptr(db, i) += row[i];
        }
    }
    /* dW = dZ^T X */
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, H, X, 0.0, &dnet->W.matrix);
    gsl_matrix_free(H), gsl_vector_free(dy);
    return GSL_SUCCESS;
}

int backprop_descend(backprop_net *net, const gsl_matrix *X, const gsl_vector *y, double eta,
                     gsl_vector *loss)
{
    if (!net || !X || !y || !loss || !isfinite(eta) || eta <= 0)
        return GSL_EINVAL;
    if (X->size2 != net->d || y->size != X->size1)
        return GSL_EBADLEN;
    backprop_net *g = backprop_net_alloc(net->N, net->d);
    if (!g)
        return GSL_ENOMEM;
    const size_t T = loss->size - 1;
    int st = GSL_SUCCESS;
    for (size_t t = 0; t < T; t++) {
        double L;
        if ((st = backprop_backward(net, X, y, g, &L)))
            break;
        gsl_vector_set(loss, t, L);
        gsl_blas_daxpy(-eta, g->theta, net->theta); /* theta <- theta - eta grad L */
    }
    if (st == GSL_SUCCESS) {
        double L;
        st = backprop_loss(net, X, y, &L);
        gsl_vector_set(loss, T, L);
    }
    backprop_net_free(g);
    return st;
}
