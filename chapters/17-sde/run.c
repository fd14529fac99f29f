/*
 * Chapter 17 experiment: how fast Euler-Maruyama converges, and what Ornstein-Uhlenbeck looks like.
 * Uses whichever sde.c was built (yours with `make run CH=17-sde`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes into OUTDIR:
 *   order.dat       strong and weak error of EM on GBM vs dt (lambda = 2, mu = 1, X0 = 1, T = 1)
 *   paths.dat       one Brownian path, exact GBM on it, and EM at dt = 2^-8 and 2^-4
 *   ou_density.dat  histograms of EM-OU walkers at t = 0.1, 0.5, 1.5, 5 and the exact density
 *   ou_variance.dat stationary variance of EM-OU and of the exact update vs the step h
 * Seeds: gsl_rng_mt19937 with seed 1700 + experiment number (1, 3, 4), so every run is reproducible;
 * the single path of experiment 2 uses seed 1712, picked because its X(1) = 4.9 is close to the
 * median e^{1.5} = 4.5 of X(1) (a typical path, not a lucky one).
 */
#include "sde.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* GBM coefficients; params points to {lambda, mu}. */
static double gbm_f(double x, double t, void *p)
{
    (void)t;
    return ((const double *)p)[0] * x;
}
static double gbm_g(double x, double t, void *p)
{
    (void)t;
    return ((const double *)p)[1] * x;
}

static double loglog_slope(const double *x, const double *y, int n)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++)
        mx += log(x[i]) / n, my += log(y[i]) / n;
    for (int i = 0; i < n; i++)
        sxx += (log(x[i]) - mx) * (log(x[i]) - mx), sxy += (log(x[i]) - mx) * (log(y[i]) - my);
    return sxy / sxx;
}

/* Sum consecutive groups of R fine increments into coarse ones; then W is their running sum. */
static void coarsen(const gsl_vector *fine, size_t R, gsl_vector *coarse)
{
    gsl_vector_set_zero(coarse);
    for (size_t n = 0; n < fine->size; n++)
        coarse->data[(n / R) * coarse->stride] += gsl_vector_get(fine, n);
}

#define LEVELS 8 /* dt = 2^-10 .. 2^-3 */
#define NFINE 1024

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double par[2] = {2.0, 1.0}; /* lambda, mu */
    int st;
    FILE *f;

    /* 1. Strong and weak error of EM on GBM, all grids driven by the same fine paths. */
    const size_t P = 10000;
    gsl_vector *dWf = gsl_vector_alloc(NFINE), *Wf = gsl_vector_alloc(NFINE + 1);
    gsl_vector *dW[LEVELS], *X[LEVELS];
    double dt[LEVELS], es[LEVELS] = {0}, ew[LEVELS] = {0}, ew2[LEVELS] = {0};
    for (int l = 0; l < LEVELS; l++) {
        size_t N = NFINE >> l;
        dW[l] = gsl_vector_alloc(N), X[l] = gsl_vector_alloc(N + 1), dt[l] = 1.0 / (double)N;
    }
    gsl_rng_set(rng, 1701);
    for (size_t p = 0; p < P; p++) {
        if ((st = sde_brownian(rng, dt[0], dWf, Wf)))
            return mlphys_run_fail("17-sde", "sde_brownian", st);
        double exact = exp(par[0] - 0.5 * par[1] * par[1] + par[1] * gsl_vector_get(Wf, NFINE));
        for (int l = 0; l < LEVELS; l++) {
            coarsen(dWf, (size_t)1 << l, dW[l]);
            if ((st = sde_euler_maruyama(gbm_f, gbm_g, par, 1.0, 0.0, dt[l], dW[l], X[l])))
                return mlphys_run_fail("17-sde", "sde_euler_maruyama", st);
            double e = gsl_vector_get(X[l], X[l]->size - 1) - exact;
            es[l] += fabs(e) / P, ew[l] += e / P, ew2[l] += e * e / P;
        }
    }
    if (!(f = mlphys_open_out(out, "order.dat")))
        return 1;
    fprintf(f, "# EM on GBM, lambda = 2, mu = 1, X0 = 1, T = 1, %zu paths (seed 1701)\n"
               "# dt  E|X_N-X(T)|  se  |E X_N - e^lambda| (control variate)  se  exact |(1+lambda dt)^N - e^lambda|\n", P);
    double aw[LEVELS];
    for (int l = 0; l < LEVELS; l++) {
        aw[l] = fabs(ew[l]);
        fprintf(f, "%.6e %.6e %.3e %.6e %.3e %.6e\n", dt[l], es[l], sqrt((ew2[l] - es[l] * es[l]) / (P - 1)), aw[l],
                sqrt((ew2[l] - ew[l] * ew[l]) / (P - 1)), exp(par[0]) - pow(1 + par[0] * dt[l], 1 / dt[l]));
    }
    fclose(f);
    printf("EM on GBM (lambda = 2, mu = 1, %zu paths, dt = 2^-10..2^-3): strong slope %.3f (theory 1/2), "
           "weak slope %.3f (theory 1)\n", P, loglog_slope(dt, es, LEVELS), loglog_slope(dt, aw, LEVELS));
    printf("  at dt = 2^-10: E|X_N - X(T)| = %.3f, E X_N - e^2 = %.4f (closed form %.4f)\n", es[0], ew[0],
           pow(1 + par[0] * dt[0], 1 / dt[0]) - exp(par[0]));

    /* 2. One path: exact GBM and EM at two step sizes on the same Brownian motion. */
    const size_t N = 256;
    gsl_vector *dWp = gsl_vector_alloc(N), *Wp = gsl_vector_alloc(N + 1), *Xe = gsl_vector_alloc(N + 1);
    gsl_vector *Xf = gsl_vector_alloc(N + 1), *dWc = gsl_vector_alloc(16), *Xc = gsl_vector_alloc(17);
    gsl_rng_set(rng, 1712);
    if ((st = sde_brownian(rng, 1.0 / N, dWp, Wp)))
        return mlphys_run_fail("17-sde", "sde_brownian", st);
    if ((st = sde_gbm_exact(par[0], par[1], 1.0, 1.0 / N, Wp, Xe)))
        return mlphys_run_fail("17-sde", "sde_gbm_exact", st);
    if ((st = sde_euler_maruyama(gbm_f, gbm_g, par, 1.0, 0.0, 1.0 / N, dWp, Xf)))
        return mlphys_run_fail("17-sde", "sde_euler_maruyama", st);
    coarsen(dWp, N / 16, dWc);
    if ((st = sde_euler_maruyama(gbm_f, gbm_g, par, 1.0, 0.0, 1.0 / 16, dWc, Xc)))
        return mlphys_run_fail("17-sde", "sde_euler_maruyama", st);
    if (!(f = mlphys_open_out(out, "paths.dat")))
        return 1;
    fprintf(f, "# block 0: t  W  X_exact  X_EM(dt = 2^-8)      block 1: t  X_EM(dt = 2^-4)   (seed 1712)\n");
    for (size_t n = 0; n <= N; n++)
        fprintf(f, "%.6f %.6f %.6f %.6f\n", (double)n / N, gsl_vector_get(Wp, n), gsl_vector_get(Xe, n),
                gsl_vector_get(Xf, n));
    fprintf(f, "\n\n");
    for (size_t n = 0; n <= 16; n++)
        fprintf(f, "%.6f %.6f\n", n / 16.0, gsl_vector_get(Xc, n));
    fclose(f);
    printf("one path: X(1) exact %.3f, EM dt = 2^-8 %.3f, EM dt = 2^-4 %.3f\n", gsl_vector_get(Xe, N),
           gsl_vector_get(Xf, N), gsl_vector_get(Xc, 16));

    /* 3. OU histograms against the exact transition density (the solution of Fokker-Planck). */
    const double theta = 1.0, sigma = 1.0, x0 = 3.0, h = 0.01;
    const double times[] = {0.1, 0.5, 1.5, 5.0};
    const size_t M = 50000, B = 70;
    const double lo = -3.5, hi = 3.5 + 0.5, bw = (hi - lo) / B;
    gsl_vector *Xo = gsl_vector_alloc(M);
    size_t *count = calloc(B, sizeof *count);
    if (!(f = mlphys_open_out(out, "ou_density.dat")) || !count)
        return 1;
    fprintf(f, "# EM-OU theta = %g, sigma = %g, x0 = %g, h = %g, %zu walkers (seed 1703); one block per time\n"
               "# x  histogram density  exact density N(x0 e^{-theta t}, sigma^2 (1 - e^{-2 theta t}) / (2 theta))\n",
            theta, sigma, x0, h, M);
    gsl_rng_set(rng, 1703);
    printf("OU (theta = 1, sigma = 1, x0 = 3), EM with h = 0.01, %zu walkers:\n", M);
    for (int k = 0; k < 4; k++) {
        double t = times[k];
        if ((st = sde_ou_em(theta, sigma, x0, h, (size_t)lround(t / h), rng, Xo)))
            return mlphys_run_fail("17-sde", "sde_ou_em", st);
        double m = x0 * exp(-theta * t), v = sigma * sigma * -expm1(-2 * theta * t) / (2 * theta);
        double s1 = 0, s2 = 0;
        for (size_t b = 0; b < B; b++)
            count[b] = 0;
        for (size_t i = 0; i < M; i++) {
            double x = gsl_vector_get(Xo, i);
            s1 += x / M, s2 += x * x / M;
            if (x >= lo && x < hi)
                count[(size_t)((x - lo) / bw)]++;
        }
        fprintf(f, "# t = %g\n", t);
        for (size_t b = 0; b < B; b++) {
            double x = lo + (b + 0.5) * bw;
            fprintf(f, "%.4f %.6f %.6f\n", x, count[b] / (M * bw), exp(-(x - m) * (x - m) / (2 * v)) / sqrt(2 * M_PI * v));
        }
        fprintf(f, "\n\n");
        printf("  t = %-4g mean %.4f (exact %.4f)  variance %.4f (exact %.4f)\n", t, s1, m, s2 - s1 * s1, v);
    }
    fclose(f);
    free(count);

    /* 4. Stationary variance vs step h: EM settles at 1 / (2 - h), the exact update at 1/2. */
    const size_t Mv = 20000;
    gsl_vector *Xv = gsl_vector_alloc(Mv);
    if (!(f = mlphys_open_out(out, "ou_variance.dat")))
        return 1;
    fprintf(f, "# theta = sigma = 1, %zu walkers (seed 1704)\n# theta h  var_EM  se  var_exact_update  se\n", Mv);
    gsl_rng_set(rng, 1704);
    double var05 = 0;
    for (int k = 1; k <= 19; k++) {
        double hh = 0.1 * k, a = fabs(1 - hh), v[2];
        /* enough steps that |a|^(2n) < 1e-12 (the start x0 = 0 is then forgotten) */
        size_t steps = a < 1e-3 ? 5 : (size_t)ceil(-6 * log(10.0) / log(a)) + 5;
        for (int s = 0; s < 2; s++) {
            st = s == 0 ? sde_ou_em(1.0, 1.0, 0.0, hh, steps, rng, Xv) : sde_ou_exact(1.0, 1.0, 0.0, hh, steps, rng, Xv);
            if (st)
                return mlphys_run_fail("17-sde", s == 0 ? "sde_ou_em" : "sde_ou_exact", st);
            v[s] = 0;
            for (size_t i = 0; i < Mv; i++)
                v[s] += gsl_vector_get(Xv, i) * gsl_vector_get(Xv, i) / Mv;
        }
        fprintf(f, "%.2f %.6f %.6f %.6f %.6f\n", hh, v[0], v[0] * sqrt(2.0 / Mv), v[1], v[1] * sqrt(2.0 / Mv));
        if (k == 5)
            var05 = v[0];
    }
    fclose(f);
    printf("stationary variance at theta h = 0.5: EM %.4f (closed form 1/(2 - theta h) = %.4f; continuous 0.5)\n",
           var05, 1 / 1.5);
    printf("wrote %s/order.dat, paths.dat, ou_density.dat, ou_variance.dat\n", out);

    gsl_vector_free(dWf), gsl_vector_free(Wf);
    for (int l = 0; l < LEVELS; l++)
        gsl_vector_free(dW[l]), gsl_vector_free(X[l]);
    gsl_vector_free(dWp), gsl_vector_free(Wp), gsl_vector_free(Xe), gsl_vector_free(Xf);
    gsl_vector_free(dWc), gsl_vector_free(Xc), gsl_vector_free(Xo), gsl_vector_free(Xv);
    gsl_rng_free(rng);
    return 0;
}
