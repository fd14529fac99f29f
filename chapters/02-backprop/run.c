/*
 * Chapter 02 experiment: how accurate is a gradient check, and what does gradient descent do
 * with a two-layer tanh network?  Uses whichever backprop.c was built (yours with
 * `make run CH=02-backprop`, the reference with IMPL=solutions).
 * Usage: run OUTDIR.  Writes OUTDIR/gradcheck.dat, gradcheck_opt.dat, fit.dat, train.dat, loss.dat.
 * Seeds: gsl_rng_mt19937, seed 2 for the gradient-check network and data, seed 1 for the
 * initial parameters of the sine fit, so every run is reproducible.
 */
#include "backprop.h"
#include "mlphys_run.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.14159265358979323846

/* The loss as a function of theta.  The checker is handed net->theta itself, so moving x
 * moves the network's parameters in place: the one-block layout of backprop_net at work. */
typedef struct {
    backprop_net *net;
    const gsl_matrix *X;
    const gsl_vector *y;
} problem;

static double loss_of_theta(const gsl_vector *theta, void *params)
{
    problem *p = params;
    double L;
    (void)theta;
    return backprop_loss(p->net, p->X, p->y, &L) == GSL_SUCCESS ? L : NAN;
}

static double rel_distance(const gsl_vector *u, const gsl_vector *v)
{
    double d = 0, nu = gsl_blas_dnrm2(u), nv = gsl_blas_dnrm2(v);
    for (size_t k = 0; k < u->size; k++)
        d = hypot(d, gsl_vector_get(u, k) - gsl_vector_get(v, k));
    return d / fmax(nu, nv);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;

    /* 1. Gradient check against the step h: N = 10 units, d = 2, P = 16 Gaussian points. */
    const size_t N = 10, d = 2, P = 16;
    backprop_net *net = backprop_net_alloc(N, d), *dnet = backprop_net_alloc(N, d);
    gsl_matrix *X = gsl_matrix_alloc(P, d);
    gsl_vector *y = gsl_vector_alloc(P);
    gsl_rng_set(rng, 2);
    for (size_t k = 0; k < net->theta->size; k++)
        gsl_vector_set(net->theta, k, gsl_ran_gaussian(rng, 1.0));
    for (size_t mu = 0; mu < P; mu++) {
        for (size_t k = 0; k < d; k++)
            gsl_matrix_set(X, mu, k, gsl_ran_gaussian(rng, 1.0));
        gsl_vector_set(y, mu, gsl_ran_gaussian(rng, 1.0));
    }
    problem pb = { net, X, y };
    double L0;
    if ((st = backprop_backward(net, X, y, dnet, &L0)))
        return mlphys_run_fail("02-backprop", "backprop_backward", st);
    const size_t n = net->theta->size;
    gsl_vector *num = gsl_vector_alloc(n), *fwd = gsl_vector_alloc(n), *third = gsl_vector_alloc(n);
    gsl_vector *second = gsl_vector_alloc(n);
    const double gnorm = gsl_blas_dnrm2(dnet->theta);

    /* Theory for the truncation error: g_k(h) - g_k = h^2/6 d^3L/dtheta_k^3 + O(h^4).  The
     * third (and second) derivatives along each axis come from wider stencils at s = 1e-2,
     * where their own errors are ~s^2 ~ 1e-4 relative: plenty for a theory line. */
    const double s = 1e-2;
    for (size_t k = 0; k < n; k++) {
        double *t = gsl_vector_ptr(net->theta, k), t0 = *t, f[5];
        for (int j = -2; j <= 2; j++) {
            *t = t0 + j * s;
            f[j + 2] = loss_of_theta(net->theta, &pb);
        }
        *t = t0;
        gsl_vector_set(third, k, (f[4] - 2 * f[3] + 2 * f[1] - f[0]) / (2 * s * s * s));
        gsl_vector_set(second, k, (f[3] - 2 * f[2] + f[1]) / (s * s));
    }
    const double c3 = gsl_blas_dnrm2(third) / 6 / gnorm;  /* central: E = c3 h^2 */
    const double c2 = gsl_blas_dnrm2(second) / 2 / gnorm; /* forward: E = c2 h   */
    /* Theory for round-off: model each computed L as rounded once, an error uniform in
     * +-eps|L|/2 (rms eps|L|/sqrt(12)).  A difference of two such values has rms eps|L|/sqrt(6);
     * divided by 2h, and summed in quadrature over the n components:
     *     E_round = sqrt(n) eps |L| / (2 sqrt(6) h |g|).
     * (Many roundings feed into L, so the measured floor sits a little above this.) */
    const double cr = DBL_EPSILON * fabs(L0) * sqrt((double)n) / (2 * sqrt(6.0)) / gnorm;

    FILE *f = mlphys_open_out(out, "gradcheck.dat");
    if (!f)
        return 1;
    fprintf(f, "# h  relerr_central  relerr_forward  theory_truncation_central(c3 h^2)  "
               "theory_roundoff(eps|L|sqrt(n)/(2 sqrt(6) h|g|))  theory_truncation_forward(c2 h)\n");
    fprintf(f, "# N = %zu, d = %zu, P = %zu, n = %zu parameters, L = %.6f, |g| = %.6f\n", N, d, P, n, L0, gnorm);
    double best_h = 0, best_e = INFINITY, e_1e5 = NAN, bestf_h = 0, bestf_e = INFINITY;
    for (int j = 0; j <= 44; j++) {
        const double h = pow(10.0, -12.0 + 0.25 * j);
        double e;
        if ((st = backprop_gradcheck(loss_of_theta, &pb, net->theta, h, dnet->theta, num, &e)))
            return mlphys_run_fail("02-backprop", "backprop_gradcheck", st);
        /* the forward difference [L(theta + h e_k) - L(theta)] / h, for contrast */
        for (size_t k = 0; k < n; k++) {
            double *t = gsl_vector_ptr(net->theta, k), t0 = *t;
            *t = t0 + h;
            double fp = loss_of_theta(net->theta, &pb);
            *t = t0;
            gsl_vector_set(fwd, k, (fp - L0) / h);
        }
        double ef = rel_distance(dnet->theta, fwd);
        fprintf(f, "%.6e %.6e %.6e %.6e %.6e %.6e\n", h, e, ef, c3 * h * h, cr / h, c2 * h);
        if (e < best_e)
            best_e = e, best_h = h;
        if (ef < bestf_e)
            bestf_e = ef, bestf_h = h;
        if (j == 28)
            e_1e5 = e;
    }
    fclose(f);
    /* minimising c3 h^2 + cr / h gives h* = (cr / (2 c3))^(1/3) */
    const double hstar = cbrt(cr / (2 * c3));
    if (!(f = mlphys_open_out(out, "gradcheck_opt.dat")))
        return 1;
    fprintf(f, "# theory h*  theory E(h*)  measured best h  measured best E\n%.6e %.6e %.6e %.6e\n", hstar,
            c3 * hstar * hstar + cr / hstar, best_h, best_e);
    fclose(f);
    printf("gradient check (n = %zu parameters): relative error %.2e at h = 1e-5; best %.2e at h = %.0e "
           "(theory h* = %.1e, eps^(1/3) = %.1e); forward differences at best %.2e at h = %.0e\n",
           n, e_1e5, best_e, best_h, hstar, cbrt(DBL_EPSILON), bestf_e, bestf_h);

    /* 2. Fit sin(x) on [-pi, pi] with N = 30 units by plain gradient descent. */
    const size_t Nf = 30, Pf = 40, T = 20000;
    const double eta = 5.0;
    backprop_net *fit = backprop_net_alloc(Nf, 1);
    gsl_matrix *Xf = gsl_matrix_alloc(Pf, 1);
    gsl_vector *yf = gsl_vector_alloc(Pf), *loss = gsl_vector_alloc(T + 1);
    gsl_rng_set(rng, 1);
    for (size_t k = 0; k < fit->theta->size; k++)
        gsl_vector_set(fit->theta, k, gsl_ran_gaussian(rng, 1.0));
    for (size_t mu = 0; mu < Pf; mu++) {
        double x = -PI + 2 * PI * (double)mu / (double)(Pf - 1);
        gsl_matrix_set(Xf, mu, 0, x);
        gsl_vector_set(yf, mu, sin(x));
    }
    const size_t G = 241; /* the plotting grid, wider than the data to show extrapolation */
    gsl_matrix *Xg = gsl_matrix_alloc(G, 1);
    gsl_vector *y_init = gsl_vector_alloc(G), *y_final = gsl_vector_alloc(G);
    for (size_t j = 0; j < G; j++)
        gsl_matrix_set(Xg, j, 0, -6.0 + 12.0 * (double)j / (double)(G - 1));
    if ((st = backprop_forward(fit, Xg, y_init)))
        return mlphys_run_fail("02-backprop", "backprop_forward", st);
    if ((st = backprop_descend(fit, Xf, yf, eta, loss)))
        return mlphys_run_fail("02-backprop", "backprop_descend", st);
    if ((st = backprop_forward(fit, Xg, y_final)))
        return mlphys_run_fail("02-backprop", "backprop_forward", st);

    if (!(f = mlphys_open_out(out, "fit.dat")))
        return 1;
    fprintf(f, "# x  sin(x)  yhat_initial  yhat_after_%zu_steps   (N = %zu, eta = %g)\n", T, Nf, eta);
    double sup_in = 0;
    for (size_t j = 0; j < G; j++) {
        double x = gsl_matrix_get(Xg, j, 0), yh = gsl_vector_get(y_final, j);
        fprintf(f, "%.6f %.8f %.8f %.8f\n", x, sin(x), gsl_vector_get(y_init, j), yh);
        if (fabs(x) <= PI)
            sup_in = fmax(sup_in, fabs(yh - sin(x)));
    }
    fclose(f);
    if (!(f = mlphys_open_out(out, "train.dat")))
        return 1;
    fprintf(f, "# x  y = sin(x): the %zu training points\n", Pf);
    for (size_t mu = 0; mu < Pf; mu++)
        fprintf(f, "%.8f %.8f\n", gsl_matrix_get(Xf, mu, 0), gsl_vector_get(yf, mu));
    fclose(f);
    if (!(f = mlphys_open_out(out, "loss.dat")))
        return 1;
    fprintf(f, "# step t  loss L(t)   (every step up to 100, then ~60 per decade)\n");
    size_t rises = 0;
    for (size_t t = 0; t <= T; t++) {
        if (t < T && gsl_vector_get(loss, t + 1) > gsl_vector_get(loss, t))
            rises++;
        if (t <= 100 || t == T || floor(60 * log10((double)t)) != floor(60 * log10((double)t + 1)))
            fprintf(f, "%zu %.10e\n", t, gsl_vector_get(loss, t));
    }
    fclose(f);
    printf("sine fit (N = %zu, %zu points, eta = %g): loss %.3e -> %.3e after %zu steps, %zu steps raised "
           "the loss; max |yhat - sin| on [-pi, pi] = %.3f\n", Nf, Pf, eta, gsl_vector_get(loss, 0),
           gsl_vector_get(loss, T), T, rises, sup_in);
    printf("wrote %s/gradcheck.dat, gradcheck_opt.dat, fit.dat, train.dat, loss.dat\n", out);

    backprop_net_free(net), backprop_net_free(dnet), backprop_net_free(fit);
    gsl_matrix_free(X), gsl_matrix_free(Xf), gsl_matrix_free(Xg);
    gsl_vector_free(y), gsl_vector_free(num), gsl_vector_free(fwd), gsl_vector_free(third);
    gsl_vector_free(second), gsl_vector_free(yf), gsl_vector_free(loss), gsl_vector_free(y_init);
    gsl_vector_free(y_final);
    gsl_rng_free(rng);
    return 0;
}
