/*
 * Chapter 19, reference solution: stochastic interpolants in one dimension.
 *
 * M. S. Albergo & E. Vanden-Eijnden, "Building Normalizing Flows with Stochastic
 * Interpolants", ICLR 2023; M. S. Albergo, N. M. Boffi & E. Vanden-Eijnden, "Stochastic
 * Interpolants: A Unifying Framework for Flows and Diffusions" (2023).  With independent
 * Gaussian-mixture endpoints every conditional expectation is a Gaussian regression, so the
 * velocity is exact.
 */
#include "interpolants.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>

static int mixture_ok(const interp_mixture *m)
{
    if (!m || m->K == 0 || m->K > INTERP_MAX_MODES)
        return 0;
    for (size_t k = 0; k < m->K; k++)
        if (!(m->weight[k] > 0) || !(m->sd[k] > 0) || !isfinite(m->mean[k]))
            return 0;
    return 1;
}

static int time_ok(double t)
{
    return t >= 0 && t <= 1;
}

int interp_density(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *rho)
{
    if (!mixture_ok(m) || !time_ok(t) || !x || !rho)
        return GSL_EINVAL;
    if (rho->size != x->size)
        return GSL_EBADLEN;
    for (size_t i = 0; i < x->size; i++) {
        double xi = gsl_vector_get(x, i), p = 0;
        for (size_t k = 0; k < m->K; k++) {
            double v = (1 - t) * (1 - t) + t * t * m->sd[k] * m->sd[k], d = xi - t * m->mean[k];
            p += m->weight[k] * exp(-0.5 * d * d / v) / sqrt(2 * M_PI * v);
        }
        gsl_vector_set(rho, i, p);
    }
    return GSL_SUCCESS;
}

int interp_velocity(const interp_mixture *m, double t, const gsl_vector *x, gsl_vector *b)
{
    if (!mixture_ok(m) || !time_ok(t) || !x || !b)
        return GSL_EINVAL;
    if (b->size != x->size)
        return GSL_EBADLEN;
    const size_t K = m->K;
    double v[INTERP_MAX_MODES], c[INTERP_MAX_MODES], logc[INTERP_MAX_MODES], logr[INTERP_MAX_MODES];
    for (size_t k = 0; k < K; k++) {
        /* given component k, (x1 - x0, x_t) is a Gaussian pair: regression slope c_k */
        v[k] = (1 - t) * (1 - t) + t * t * m->sd[k] * m->sd[k];
        c[k] = (t * m->sd[k] * m->sd[k] - (1 - t)) / v[k];
        logc[k] = log(m->weight[k]) - 0.5 * log(v[k]);
    }
    for (size_t i = 0; i < x->size; i++) {
        const double xi = gsl_vector_get(x, i);
        double top = -INFINITY, z = 0, s = 0;
        for (size_t k = 0; k < K; k++) {
            double d = xi - t * m->mean[k];
            logr[k] = logc[k] - 0.5 * d * d / v[k];
            top = GSL_MAX(top, logr[k]);
        }
        for (size_t k = 0; k < K; k++) {
            double r = exp(logr[k] - top);
            z += r;
            s += r * (m->mean[k] + c[k] * (xi - t * m->mean[k]));
        }
        gsl_vector_set(b, i, s / z);
    }
    return GSL_SUCCESS;
}

static int ode_args_ok(interp_velocity_fn b, double t0, double t1, size_t n_steps, const gsl_vector *x)
{
    return b && x && isfinite(t0) && isfinite(t1) && n_steps >= 1;
}

int interp_euler(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
                 gsl_vector *x)
{
    if (!ode_args_ok(b, t0, t1, n_steps, x))
        return GSL_EINVAL;
    gsl_vector *k1 = gsl_vector_alloc(x->size);
    if (!k1)
        return GSL_ENOMEM;
    const double h = (t1 - t0) / (double)n_steps;
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps; n++) {
        if ((status = b(t0 + (double)n * h, x, k1, ctx)) != GSL_SUCCESS)
            break;
        gsl_blas_daxpy(h, k1, x); /* x <- x + h b(t_n, x) */
    }
    gsl_vector_free(k1);
    return status;
}

int interp_rk4(interp_velocity_fn b, void *ctx, double t0, double t1, size_t n_steps,
               gsl_vector *x)
{
    if (!ode_args_ok(b, t0, t1, n_steps, x))
        return GSL_EINVAL;
    const size_t N = x->size;
    gsl_vector *k = gsl_vector_alloc(N), *y = gsl_vector_alloc(N), *acc = gsl_vector_alloc(N);
    if (!k || !y || !acc) {
        gsl_vector_free(k), gsl_vector_free(y), gsl_vector_free(acc);
        return GSL_ENOMEM;
    }
    const double h = (t1 - t0) / (double)n_steps;
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps && status == GSL_SUCCESS; n++) {
        /* the last step ends at exactly t1: t0 + n_steps h can round to just outside [0, 1] */
        const double t = t0 + (double)n * h, tn = n + 1 == n_steps ? t1 : t0 + (double)(n + 1) * h;
        /* k1 = b(t, x); k2 = b(t + h/2, x + h/2 k1); k3 = b(t + h/2, x + h/2 k2);
         * k4 = b(t + h, x + h k3);  x <- x + h (k1 + 2 k2 + 2 k3 + k4) / 6 */
        const double stage_t[4] = {t, 0.5 * (t + tn), 0.5 * (t + tn), tn};
        const double stage_a[4] = {0.0, 0.5 * h, 0.5 * h, h}, weight[4] = {1, 2, 2, 1};
        gsl_vector_set_zero(acc);
        gsl_vector_set_zero(k);
        for (int s = 0; s < 4; s++) {
            gsl_vector_memcpy(y, x);
            gsl_blas_daxpy(stage_a[s], k, y);
            if ((status = b(stage_t[s], y, k, ctx)) != GSL_SUCCESS)
                break;
            gsl_blas_daxpy(weight[s], k, acc);
        }
        if (status == GSL_SUCCESS)
            gsl_blas_daxpy(h / 6.0, acc, x);
    }
    gsl_vector_free(k), gsl_vector_free(y), gsl_vector_free(acc);
    return status;
}

static int net_shape_ok(const mlp *net)
{
    return net->sizes[0] == 2 && net->sizes[net->n_layers] == 1;
}

int interp_regression_loss(mlp *net, mlp_workspace *ws, const gsl_vector *x0,
                           const gsl_vector *x1, const gsl_vector *t, double *loss)
{
    if (!net || !ws || !x0 || !x1 || !t || !loss)
        return GSL_EINVAL;
    const size_t B = x0->size;
    if (!net_shape_ok(net) || x1->size != B || t->size != B || B == 0 || B > ws->capacity)
        return GSL_EBADLEN;
    for (size_t i = 0; i < B; i++)
        if (!time_ok(gsl_vector_get(t, i)))
            return GSL_EINVAL;
    gsl_matrix *in = gsl_matrix_alloc(B, 2), *out = gsl_matrix_alloc(B, 1);
    if (!in || !out) {
        gsl_matrix_free(in), gsl_matrix_free(out);
        return GSL_ENOMEM;
    }
    /* 1. input rows (x_t, t) */
    for (size_t i = 0; i < B; i++) {
        double ti = gsl_vector_get(t, i);
        gsl_matrix_set(in, i, 0, (1 - ti) * gsl_vector_get(x0, i) + ti * gsl_vector_get(x1, i));
        gsl_matrix_set(in, i, 1, ti);
    }
    /* 2. forward, the loss, and dloss/db = 2 (b - (x1 - x0)) / B in place of the output */
    int status = mlp_forward(net, ws, in, out);
    double L = 0;
    for (size_t i = 0; i < B && status == GSL_SUCCESS; i++) {
        double r = gsl_matrix_get(out, i, 0) - (gsl_vector_get(x1, i) - gsl_vector_get(x0, i));
        L += r * r;
        gsl_matrix_set(out, i, 0, 2.0 * r / (double)B);
    }
    /* 3. backward */
    if (status == GSL_SUCCESS)
        status = mlp_backward(net, ws, out, NULL);
    *loss = L / (double)B;
    gsl_matrix_free(in), gsl_matrix_free(out);
    return status;
}

int interp_net_velocity(double t, const gsl_vector *x, gsl_vector *b, void *ctx)
{
    const interp_net *in_net = ctx;
    if (!in_net || !in_net->net || !in_net->ws || !x || !b || !isfinite(t))
        return GSL_EINVAL;
    if (!net_shape_ok(in_net->net) || b->size != x->size)
        return GSL_EBADLEN;
    const size_t C = in_net->ws->capacity;
    gsl_matrix *in = gsl_matrix_alloc(C, 2), *out = gsl_matrix_alloc(C, 1);
    if (!in || !out) {
        gsl_matrix_free(in), gsl_matrix_free(out);
        return GSL_ENOMEM;
    }
    int status = GSL_SUCCESS;
    for (size_t r0 = 0; r0 < x->size && status == GSL_SUCCESS; r0 += C) {
        const size_t n = GSL_MIN(x->size - r0, C);
        gsl_matrix_view I = gsl_matrix_submatrix(in, 0, 0, n, 2), O = gsl_matrix_submatrix(out, 0, 0, n, 1);
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(&I.matrix, i, 0, gsl_vector_get(x, r0 + i)), gsl_matrix_set(&I.matrix, i, 1, t);
        if ((status = mlp_forward(in_net->net, in_net->ws, &I.matrix, &O.matrix)) == GSL_SUCCESS)
            for (size_t i = 0; i < n; i++)
                gsl_vector_set(b, r0 + i, gsl_matrix_get(&O.matrix, i, 0));
    }
    gsl_matrix_free(in), gsl_matrix_free(out);
    return status;
}

int interp_train(mlp *net, mlp_workspace *ws, const interp_mixture *m, size_t n_steps,
                 double lr, gsl_rng *rng, gsl_vector *losses)
{
    if (!net || !ws || !mixture_ok(m) || !rng || !(lr > 0))
        return GSL_EINVAL;
    if (!net_shape_ok(net) || (losses && losses->size != n_steps))
        return GSL_EBADLEN;
    const size_t B = ws->capacity;
    gsl_vector *x0 = gsl_vector_alloc(B), *x1 = gsl_vector_alloc(B), *t = gsl_vector_alloc(B);
    if (!x0 || !x1 || !t) {
        gsl_vector_free(x0), gsl_vector_free(x1), gsl_vector_free(t);
        return GSL_ENOMEM;
    }
    gsl_matrix_view X0 = gsl_matrix_view_vector(x0, B, 1);
    int status = GSL_SUCCESS;
    for (size_t n = 0; n < n_steps && status == GSL_SUCCESS; n++) {
        double L;
        if ((status = mlp_sample_normal(rng, &X0.matrix)) ||
            (status = interp_mixture_sample(m, rng, x1, NULL)) ||
            (status = mlp_sample_uniform(rng, 0.0, 1.0, t)) ||
            (status = interp_regression_loss(net, ws, x0, x1, t, &L)) ||
            (status = mlp_adam_step(net, lr * 0.5 * (1.0 + cos(M_PI * (double)n / (double)n_steps)))))
            break;
        if (losses)
            gsl_vector_set(losses, n, L);
    }
    gsl_vector_free(x0), gsl_vector_free(x1), gsl_vector_free(t);
    return status;
}
