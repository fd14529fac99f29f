/*
 * Chapter 16: normalizing flows (reference solution).
 *
 * A flow z = g(x) = layer K-1 o ... o layer 0 (x) maps data to a standard normal latent, and
 *     log p(x) = log N(g(x); 0, I) + sum_k log |det J_k|.
 * Each layer is an affine coupling (RealNVP): with a binary mask b and (s, t) = net(b * x),
 *     y = b * x + (1 - b) * (x * exp(s) + t),     log |det dy/dx| = sum_j (1 - b_j) s_j.
 * Shapes: N points as rows of (N, D) matrices, N <= the workspace's capacity.
 */
#include "flows.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <string.h>

/* [1] Box-Muller: (u1, u2) uniform on (0, 1] x [0, 1) -> two independent N(0, 1). */
int flows_box_muller(gsl_rng *rng, gsl_vector *z)
{
    if (!rng || !z)
        return GSL_EINVAL;
    for (size_t i = 0; i < z->size; i += 2) {
        double u1 = gsl_rng_uniform_pos(rng), u2 = gsl_rng_uniform(rng);
        double r = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
        gsl_vector_set(z, i, r * cos(th));
        if (i + 1 < z->size)
            gsl_vector_set(z, i + 1, r * sin(th));
    }
    return GSL_SUCCESS;
}

/* Shapes common to the coupling functions: net D -> 2D, mask (D), A and B (N, D), v (N). */
static int coupling_shapes(const mlp *net, const mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *A, const gsl_matrix *B, const gsl_vector *v)
{
    if (!net || !ws || !mask || !A || !B || !v)
        return GSL_EINVAL;
    const size_t D = A->size2, N = A->size1;
    if (D == 0 || N == 0 || N > ws->capacity || mask->size != D || net->sizes[0] != D ||
        net->sizes[net->n_layers] != 2 * D || B->size1 != N || B->size2 != D || v->size != N)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

/* (s, t) = net(b * A) into ST (N, 2D), a fresh matrix the caller frees. */
static int conditioner(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                       const gsl_matrix *A, gsl_matrix **ST)
{
    const size_t N = A->size1, D = A->size2;
    gsl_matrix *in = gsl_matrix_alloc(N, D);
    *ST = gsl_matrix_alloc(N, 2 * D);
    if (!in || !*ST) {
        if (in)
            gsl_matrix_free(in);
        if (*ST)
            gsl_matrix_free(*ST), *ST = NULL;
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++)
            gsl_matrix_set(in, i, j, gsl_vector_get(mask, j) * gsl_matrix_get(A, i, j));
    int st = mlp_forward(net, ws, in, *ST);
    gsl_matrix_free(in);
    if (st)
        gsl_matrix_free(*ST), *ST = NULL;
    return st;
}

/* [2] y = b x + (1 - b)(x e^s + t);  log |det| = sum over the transformed coordinates of s. */
int flows_coupling_forward(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *X, gsl_matrix *Y, gsl_vector *logdet)
{
    int st = coupling_shapes(net, ws, mask, X, Y, logdet);
    if (st)
        return st;
    const size_t N = X->size1, D = X->size2;
    gsl_matrix *ST;
    if ((st = conditioner(net, ws, mask, X, &ST)))
        return st;
    for (size_t i = 0; i < N; i++) {
        double ld = 0;
        for (size_t j = 0; j < D; j++) {
            double x = gsl_matrix_get(X, i, j);
            if (gsl_vector_get(mask, j) != 0.0) {
                gsl_matrix_set(Y, i, j, x); /* kept: copied exactly */
            } else {
                double s = gsl_matrix_get(ST, i, j), t = gsl_matrix_get(ST, i, D + j);
                gsl_matrix_set(Y, i, j, x * exp(s) + t);
                ld += s;
            }
        }
        gsl_vector_set(logdet, i, ld);
    }
    gsl_matrix_free(ST);
    return GSL_SUCCESS;
}

/* [3] x = b y + (1 - b)(y - t) e^{-s}, with (s, t) = net(b y) = net(b x). */
int flows_coupling_inverse(const mlp *net, mlp_workspace *ws, const gsl_vector *mask,
                           const gsl_matrix *Y, gsl_matrix *X, gsl_vector *logdet)
{
    int st = coupling_shapes(net, ws, mask, Y, X, logdet);
    if (st)
        return st;
    const size_t N = Y->size1, D = Y->size2;
    gsl_matrix *ST;
    if ((st = conditioner(net, ws, mask, Y, &ST)))
        return st;
    for (size_t i = 0; i < N; i++) {
        double ld = 0;
        for (size_t j = 0; j < D; j++) {
            double y = gsl_matrix_get(Y, i, j);
            if (gsl_vector_get(mask, j) != 0.0) {
                gsl_matrix_set(X, i, j, y);
            } else {
                double s = gsl_matrix_get(ST, i, j), t = gsl_matrix_get(ST, i, D + j);
                gsl_matrix_set(X, i, j, (y - t) * exp(-s));
                ld -= s;
            }
        }
        gsl_vector_set(logdet, i, ld);
    }
    gsl_matrix_free(ST);
    return GSL_SUCCESS;
}

static int flow_shapes(const flows_flow *flow, const gsl_matrix *A)
{
    if (!flow || !A)
        return GSL_EINVAL;
    if (A->size1 == 0 || A->size1 > flow->capacity || A->size2 != flow->D)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

/* [4] log p(x) = log N(g(x); 0, I) + sum_k logdet_k, keeping every layer's input in flow->h. */
int flows_log_prob(flows_flow *flow, const gsl_matrix *X, gsl_matrix *Z, gsl_vector *logp)
{
    int st = flow_shapes(flow, X);
    if (st)
        return st;
    if (!logp)
        return GSL_EINVAL;
    const size_t N = X->size1, D = flow->D;
    if (logp->size != N || (Z && (Z->size1 != N || Z->size2 != D)))
        return GSL_EBADLEN;
    gsl_matrix_view h0 = gsl_matrix_submatrix(flow->h[0], 0, 0, N, D);
    gsl_matrix_memcpy(&h0.matrix, X);
    gsl_vector_view ld = gsl_vector_subvector(flow->logdet, 0, N);
    gsl_vector_set_zero(logp);
    for (size_t k = 0; k < flow->K; k++) {
        gsl_matrix_view in = gsl_matrix_submatrix(flow->h[k], 0, 0, N, D);
        gsl_matrix_view out = gsl_matrix_submatrix(flow->h[k + 1], 0, 0, N, D);
        if ((st = flows_coupling_forward(flow->net[k], flow->ws[k], flow->mask[k], &in.matrix,
                                         &out.matrix, &ld.vector)))
            return st;
        gsl_vector_add(logp, &ld.vector);
    }
    const double c = 0.5 * (double)D * log(2.0 * M_PI);
    for (size_t i = 0; i < N; i++) {
        double r2 = 0;
        for (size_t j = 0; j < D; j++)
            r2 += gsl_pow_2(gsl_matrix_get(flow->h[flow->K], i, j));
        gsl_vector_set(logp, i, gsl_vector_get(logp, i) - 0.5 * r2 - c);
    }
    if (Z) {
        gsl_matrix_view zk = gsl_matrix_submatrix(flow->h[flow->K], 0, 0, N, D);
        gsl_matrix_memcpy(Z, &zk.matrix);
    }
    return GSL_SUCCESS;
}

/* [5] x = g^{-1}(z): the inverse layers, last first. */
int flows_inverse(flows_flow *flow, const gsl_matrix *Z, gsl_matrix *X)
{
    int st = flow_shapes(flow, Z);
    if (st)
        return st;
    if (!X)
        return GSL_EINVAL;
    const size_t N = Z->size1, D = flow->D;
    if (X->size1 != N || X->size2 != D)
        return GSL_EBADLEN;
    gsl_matrix_view a = gsl_matrix_submatrix(flow->g[0], 0, 0, N, D);
    gsl_matrix_view b = gsl_matrix_submatrix(flow->g[1], 0, 0, N, D);
    gsl_vector_view ld = gsl_vector_subvector(flow->logdet, 0, N);
    gsl_matrix_memcpy(&a.matrix, Z);
    for (size_t k = flow->K; k-- > 0;) {
        if ((st = flows_coupling_inverse(flow->net[k], flow->ws[k], flow->mask[k], &a.matrix,
                                         &b.matrix, &ld.vector)))
            return st;
        gsl_matrix_memcpy(&a.matrix, &b.matrix);
    }
    gsl_matrix_memcpy(X, &a.matrix);
    return GSL_SUCCESS;
}

/* [6] With y_j = x_j e^{s_j} + t_j on the transformed coordinates (b_j = 0):
 *     dL/ds_j = dY_j x_j e^{s_j} + dlogdet,   dL/dt_j = dY_j,   dL/dx_j = dY_j e^{s_j};
 * kept coordinates pass dY_j straight through and also feed the network:
 *     dL/dx_j += b_j (d/d input of net)_j. */
int flows_coupling_backward(mlp *net, const mlp_workspace *ws, const gsl_vector *mask,
                            const gsl_matrix *X, const gsl_matrix *dY, const gsl_vector *dlogdet,
                            gsl_matrix *dX)
{
    int st = coupling_shapes(net, ws, mask, X, dY, dlogdet);
    if (st)
        return st;
    const size_t N = X->size1, D = X->size2, L = net->n_layers;
    if (!dX)
        return GSL_EINVAL;
    if (dX->size1 != N || dX->size2 != D || ws->rows != N)
        return GSL_EBADLEN;
    const double *out = ws->a[L]; /* (N, 2D) row-major: s then t */
    gsl_matrix *dST = gsl_matrix_alloc(N, 2 * D), *din = gsl_matrix_alloc(N, D);
    if (!dST || !din) {
        if (dST)
            gsl_matrix_free(dST);
        if (din)
            gsl_matrix_free(din);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < D; j++) {
            double b = gsl_vector_get(mask, j), dy = gsl_matrix_get(dY, i, j);
            if (b != 0.0) {
                gsl_matrix_set(dST, i, j, 0.0), gsl_matrix_set(dST, i, D + j, 0.0);
            } else {
                double es = exp(out[i * 2 * D + j]), x = gsl_matrix_get(X, i, j);
                gsl_matrix_set(dST, i, j, dy * x * es + gsl_vector_get(dlogdet, i));
                gsl_matrix_set(dST, i, D + j, dy);
            }
        }
    if ((st = mlp_backward(net, ws, dST, din)) == GSL_SUCCESS)
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < D; j++) {
                double b = gsl_vector_get(mask, j), dy = gsl_matrix_get(dY, i, j);
                double direct = b != 0.0 ? dy : dy * exp(out[i * 2 * D + j]);
                gsl_matrix_set(dX, i, j, direct + b * gsl_matrix_get(din, i, j));
            }
    gsl_matrix_free(dST), gsl_matrix_free(din);
    return st;
}

/* [7] nll = -mean log p; dnll/dz = z / N, dnll/dlogdet_k = -1 / N, then the layers backwards. */
int flows_nll_grad(flows_flow *flow, const gsl_matrix *X, double *nll)
{
    int st = flow_shapes(flow, X);
    if (st)
        return st;
    if (!nll)
        return GSL_EINVAL;
    const size_t N = X->size1, D = flow->D;
    gsl_vector *logp = gsl_vector_alloc(N);
    if (!logp)
        return GSL_ENOMEM;
    if ((st = flows_log_prob(flow, X, NULL, logp))) {
        gsl_vector_free(logp);
        return st;
    }
    double sum = 0;
    for (size_t i = 0; i < N; i++)
        sum += gsl_vector_get(logp, i);
    gsl_vector_free(logp);
    *nll = -sum / (double)N;
    gsl_matrix_view g = gsl_matrix_submatrix(flow->g[0], 0, 0, N, D);
    gsl_matrix_view gin = gsl_matrix_submatrix(flow->g[1], 0, 0, N, D);
    gsl_matrix_view zK = gsl_matrix_submatrix(flow->h[flow->K], 0, 0, N, D);
    gsl_vector_view dld = gsl_vector_subvector(flow->logdet, 0, N);
    gsl_matrix_memcpy(&g.matrix, &zK.matrix);
    gsl_matrix_scale(&g.matrix, 1.0 / (double)N);
    gsl_vector_set_all(&dld.vector, -1.0 / (double)N);
    for (size_t k = flow->K; k-- > 0;) {
        gsl_matrix_view in = gsl_matrix_submatrix(flow->h[k], 0, 0, N, D);
        if ((st = flows_coupling_backward(flow->net[k], flow->ws[k], flow->mask[k], &in.matrix,
                                          &g.matrix, &dld.vector, &gin.matrix)))
            return st;
        gsl_matrix_memcpy(&g.matrix, &gin.matrix);
    }
    return GSL_SUCCESS;
}

/* [8] Minibatch maximum likelihood with Adam and a cosine learning-rate decay. */
int flows_train(flows_flow *flow, const gsl_matrix *data, size_t n_steps, double lr, gsl_rng *rng,
                gsl_vector *losses)
{
    if (!flow || !data || !rng)
        return GSL_EINVAL;
    if (!(lr > 0) || !isfinite(lr) || n_steps == 0)
        return GSL_EINVAL;
    if (data->size1 == 0 || data->size2 != flow->D || (losses && losses->size != n_steps))
        return GSL_EBADLEN;
    gsl_matrix *batch = gsl_matrix_alloc(flow->capacity, flow->D);
    if (!batch)
        return GSL_ENOMEM;
    int st = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps && !st; n++) {
        double nll;
        if ((st = mlp_sample_rows(rng, data, batch)) || (st = flows_nll_grad(flow, batch, &nll)))
            break;
        if (losses)
            gsl_vector_set(losses, n, nll);
        double rate = lr * 0.5 * (1.0 + cos(M_PI * (double)n / (double)n_steps));
        for (size_t k = 0; k < flow->K && !st; k++)
            st = mlp_adam_step(flow->net[k], rate);
    }
    gsl_matrix_free(batch);
    return st;
}
