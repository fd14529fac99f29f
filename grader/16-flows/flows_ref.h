/*
 * flows_ref.h: the test suite's own, independent pieces for chapter 16 (shared by tests.c and
 * hidden.c; never compiled into student code): a coupling layer written from its formula, the
 * stack composed from it, finite-difference Jacobians, the exact two-moons density by
 * quadrature, and the flows the tests use.
 */
#ifndef MLPHYS_FLOWS_REF_H
#define MLPHYS_FLOWS_REF_H

#include "flows.h"
#include "mlphys_test.h"

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <string.h>

/* A flow for the tests: D, K layers of width H (one hidden layer), `cap` rows; the last layer
 * scaled by `gain`, then every parameter nudged by N(0, 0.1^2), so that biases and t are
 * non-zero too.  Scales s of order `gain` make every coupling clearly non-trivial. */
static inline flows_flow *ref_flow(size_t D, size_t K, size_t H, size_t cap, double gain)
{
    flows_flow *f = flows_flow_alloc(D, K, H, 1, cap);
    cr_assert(f != NULL, "flows_flow_alloc failed (out of memory?)");
    flows_flow_init(f, mlphys_rng(), gain);
    for (size_t k = 0; k < K; k++)
        for (size_t p = 0; p < f->net[k]->n_params; p++)
            f->net[k]->params[p] += gsl_ran_gaussian(mlphys_rng(), 0.1);
    return f;
}

/* One coupling layer at one point x (D), written here from the formula with the shared
 * network: y = b x + (1 - b)(x e^s + t), (s, t) = net(b x); returns log |det| = sum over the
 * transformed coordinates of s.  If inverse, x is y and the inverse map is applied. */
static inline double ref_coupling(const mlp *net, const double *mask, size_t D, const double *x,
                                  double *y, int inverse)
{
    gsl_matrix *in = gsl_matrix_alloc(1, D), *out = gsl_matrix_alloc(1, 2 * D);
    mlp_workspace *ws = mlp_workspace_alloc(net, 1);
    for (size_t j = 0; j < D; j++)
        gsl_matrix_set(in, 0, j, mask[j] * x[j]);
    mlp_forward(net, ws, in, out);
    double ld = 0;
    for (size_t j = 0; j < D; j++) {
        double s = gsl_matrix_get(out, 0, j), t = gsl_matrix_get(out, 0, D + j);
        if (mask[j] != 0.0)
            y[j] = x[j];
        else if (!inverse)
            y[j] = x[j] * exp(s) + t, ld += s;
        else
            y[j] = (x[j] - t) * exp(-s), ld -= s;
    }
    gsl_matrix_free(in), gsl_matrix_free(out), mlp_workspace_free(ws);
    return ld;
}

/* log p(x) of the whole stack at one point, composed here; z (D) out. */
static inline double ref_log_prob(const flows_flow *f, const double *x, double *z)
{
    double a[16], b[16], ld = 0;
    memcpy(a, x, f->D * sizeof(double));
    for (size_t k = 0; k < f->K; k++) {
        ld += ref_coupling(f->net[k], f->mask[k]->data, f->D, a, b, 0);
        memcpy(a, b, f->D * sizeof(double));
    }
    double r2 = 0;
    for (size_t j = 0; j < f->D; j++)
        r2 += a[j] * a[j];
    if (z)
        memcpy(z, a, f->D * sizeof(double));
    return -0.5 * r2 - 0.5 * (double)f->D * log(2 * M_PI) + ld;
}

/* Mean negative log-likelihood of the rows of X under the stack, composed here. */
static inline double ref_nll(const flows_flow *f, const gsl_matrix *X)
{
    double s = 0, x[16];
    for (size_t i = 0; i < X->size1; i++) {
        for (size_t j = 0; j < f->D; j++)
            x[j] = gsl_matrix_get(X, i, j);
        s -= ref_log_prob(f, x, NULL);
    }
    return s / (double)X->size1;
}

/* log |det J| of a map R^D -> R^D at x by LU of a finite-difference Jacobian.  Each derivative
 * is the fourth-order central difference (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / (12 h)
 * with h = 1e-3: truncation h^4 |f^(5)| / 30 ~ 1e-13 and round-off ~ 1e-16 / h = 1e-13 for
 * the O(1) smooth maps here, so log |det| is good to ~1e-11. */
typedef void (*ref_map)(const double *x, double *y, void *ctx);
static inline double ref_fd_logdet(ref_map map, void *ctx, size_t D, const double *x)
{
    const double h = 1e-3, w[4] = {-1, 8, -8, 1}, off[4] = {2, 1, -1, -2};
    gsl_matrix *J = gsl_matrix_calloc(D, D);
    gsl_permutation *p = gsl_permutation_alloc(D);
    double xp[16], y[16];
    for (size_t c = 0; c < D; c++)
        for (int q = 0; q < 4; q++) {
            memcpy(xp, x, D * sizeof(double));
            xp[c] += off[q] * h;
            map(xp, y, ctx);
            for (size_t r = 0; r < D; r++)
                *gsl_matrix_ptr(J, r, c) += w[q] * y[r] / (12 * h);
        }
    int sgn;
    gsl_linalg_LU_decomp(J, p, &sgn);
    double ld = gsl_linalg_LU_lndet(J);
    gsl_matrix_free(J), gsl_permutation_free(p);
    return ld;
}

/* The exact density of flows_two_moons,
 *     p(x) = 1/(2 pi) sum_m int_0^pi N(x; c_m(theta), s^2 I) dtheta,
 * by composite Simpson in theta with 400 intervals.  The integrand is a Gaussian bump of width
 * s/R = 0.1 rad sampled every pi/400 = 0.0079 rad; halving the step changes log p by < 1e-6
 * for points drawn from the moons (checked when the suite was written), far below the
 * tolerances it is used with (tenths of a nat). */
static inline double ref_moons_log_density(double x, double y)
{
    const double s = FLOWS_MOONS_NOISE, R = FLOWS_MOONS_RADIUS;
    const int M = 400;
    const double h = M_PI / M;
    double tot = 0;
    for (int m = 0; m < 2; m++) {
        double sg = m ? -1.0 : 1.0, acc = 0;
        for (int k = 0; k <= M; k++) {
            double th = k * h, cx = sg * (-1 + R * cos(th)), cy = sg * (-0.5 + R * sin(th));
            double wk = (k == 0 || k == M) ? 1 : (k % 2 ? 4 : 2);
            acc += wk * exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (2 * s * s));
        }
        tot += acc * h / 3;
    }
    return log(tot / (2 * M_PI) / (2 * M_PI * s * s));
}

#endif
