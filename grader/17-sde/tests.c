/*
 * Chapter 17 tests: Brownian paths, Euler-Maruyama, geometric Brownian motion and the
 * Ornstein-Uhlenbeck process, checked against hand-worked steps, exact closed forms (Ito's
 * lemma, the moments of the EM recursion, the OU transition density) and distribution-free
 * bounds (Dvoretzky-Kiefer-Wolfowitz).  Nothing is compared with numbers produced by the
 * reference solution.
 */
#include "mlphys_test.h"
#include "sde.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_vector.h>
#include <gsl/gsl_statistics_double.h>

MLPHYS_SUITE(sde, 10);

/* ---- helpers --------------------------------------------------------------------------- */

/* Every entry finite, else fail the test naming the first bad one: a NaN would otherwise vanish
 * from a KS distance (fmax ignores NaN) or a sort (NaN compares false with everything). */
static void require_finite(const gsl_vector *x, const char *what)
{
    for (size_t i = 0; i < x->size; i++)
        if (!isfinite(gsl_vector_get(x, i)))
            cr_assert_fail("%s: entry %zu is %g, not a finite number", what, i, gsl_vector_get(x, i));
}

/* Kolmogorov-Smirnov distance sup_x |F_M(x) - Phi((x - mean) / sd)| of a sample (sorted here). */
static double ks_distance_gaussian(gsl_vector *x, double mean, double sd)
{
    require_finite(x, "a sample of the KS test");
    gsl_sort_vector(x);
    const double M = (double)x->size;
    double d = 0;
    for (size_t i = 0; i < x->size; i++) {
        double F = gsl_cdf_ugaussian_P((gsl_vector_get(x, i) - mean) / sd);
        double lo = F - (double)i / M, hi = (double)(i + 1) / M - F;
        d = fmax(d, fmax(lo, hi));
    }
    return d;
}

/* sup_x |Phi((x - m1) / s1) - Phi((x - m2) / s2)|: the KS distance between two Gaussians,
 * on a fine grid (4001 points over +-8 sd of the wider one; the grid error is < 1e-4). */
static double ks_between_gaussians(double m1, double s1, double m2, double s2)
{
    double s = fmax(s1, s2), d = 0;
    for (int k = -2000; k <= 2000; k++) {
        double x = m1 + 8.0 * s * k / 2000.0;
        d = fmax(d, fabs(gsl_cdf_ugaussian_P((x - m1) / s1) - gsl_cdf_ugaussian_P((x - m2) / s2)));
    }
    return d;
}

/* The DKW inequality (Massart 1990): P(sqrt(M) D_M > c) <= 2 exp(-2 c^2) for any M and any
 * continuous law.  c = 2.90 makes that 1.1e-7 per comparison, so a test that makes up to 5
 * comparisons fails a correct solution with probability < 1e-6, whatever the seed. */
#define DKW_C 2.90

/* Number of walkers in the ensemble tests: M = 20000 puts the DKW band at 2.90 / sqrt(M) =
 * 0.0205, and the relative standard error of a Gaussian sample variance at sqrt(2 / M) = 0.010. */
#define OU_M 20000

/* ---- TODO(1): Brownian motion ------------------------------------------------------------- */

Test(sde, brownian_path_starts_at_zero_and_sums_its_increments, .description = "W_0 = 0 and W_{n+1} - W_n = dW_n")
{
    const size_t N = 1000;
    gsl_vector *dW = gsl_vector_alloc(N), *W = gsl_vector_alloc(N + 1);
    gsl_vector_set_all(W, 99.0), gsl_vector_set_all(dW, NAN); /* garbage: every entry must be written */
    mlphys_require_implemented(sde_brownian(mlphys_rng(), 0.01, dW, W), "sde_brownian", 1);
    require_finite(dW, "dW (every increment must be written)");
    cr_assert(gsl_vector_get(W, 0) == 0.0, "W_0 = %g: a Brownian path starts at W_0 = 0", gsl_vector_get(W, 0));
    for (size_t n = 0; n < N; n++) {
        double step = gsl_vector_get(W, n + 1) - gsl_vector_get(W, n);
        /* |W| stays O(1) here, so a running sum is exact to ~N eps ~ 1e-13 */
        if (!mlphys_close(step, gsl_vector_get(dW, n), 1e-12, 0))
            cr_assert_fail("W_%zu - W_%zu = %.15g but dW_%zu = %.15g: W must be the running sum of the "
                           "increments", n + 1, n, step, n, gsl_vector_get(dW, n));
    }
    gsl_vector_free(dW), gsl_vector_free(W);
}

/* Sum of (dW_n)^2 over one path of N steps on [0, T]: mean T, sd sqrt(2 N) dt = sqrt(2 T dt)
 * exactly (a scaled chi-square with N degrees of freedom). */
static void check_quadratic_variation(double T, size_t N)
{
    const double dt = T / (double)N, sd = sqrt(2.0 * T * dt);
    gsl_vector *dW = gsl_vector_alloc(N), *W = gsl_vector_alloc(N + 1);
    mlphys_require_implemented(sde_brownian(mlphys_rng(), dt, dW, W), "sde_brownian", 1);
    double qv = 0;
    for (size_t n = 0; n < N; n++)
        qv += gsl_vector_get(dW, n) * gsl_vector_get(dW, n);
    /* 5 sigma: chi-square with N >= 4000 degrees of freedom is Gaussian to the tails we need. */
    mlphys_assert_close(qv, T, 5.0 * sd, 0,
                        "sum (dW_n)^2 over [0, %g] with dt = %g (sd %.4f). Each increment has variance dt, "
                        "so its standard deviation is sqrt(dt), not dt", T, dt, sd);
    gsl_vector_free(dW), gsl_vector_free(W);
}

Test(sde, quadratic_variation_tends_to_t, .description = "sum of (dW)^2 over [0, T] is T within 5 sd = 5 sqrt(2 T dt)")
{
    check_quadratic_variation(1.0, 10000);
    check_quadratic_variation(2.5, 4000);
}

Test(sde, increments_are_independent_gaussians_with_variance_dt, .description = "dW / sqrt(dt) passes a KS test against N(0, 1); neighbouring increments are uncorrelated; Var W_T = T")
{
    const size_t P = 20000, N = 8;
    const double dt = 0.25, T = N * dt;
    gsl_vector *dW = gsl_vector_alloc(N), *W = gsl_vector_alloc(N + 1), *z = gsl_vector_alloc(P * N);
    gsl_vector *WT = gsl_vector_alloc(P);
    double lag1 = 0;
    for (size_t p = 0; p < P; p++) {
        mlphys_require_implemented(sde_brownian(mlphys_rng(), dt, dW, W), "sde_brownian", 1);
        for (size_t n = 0; n < N; n++) {
            gsl_vector_set(z, p * N + n, gsl_vector_get(dW, n) / sqrt(dt));
            if (n > 0)
                lag1 += gsl_vector_get(dW, n) * gsl_vector_get(dW, n - 1) / dt;
        }
        gsl_vector_set(WT, p, gsl_vector_get(W, N));
    }
    lag1 /= (double)(P * (N - 1));
    /* The lag-1 correlation of independent N(0, 1) pairs has sd 1 / sqrt(140000) = 0.0027. */
    cr_expect(fabs(lag1) <= 5.0 / sqrt((double)(P * (N - 1))),
              "mean of dW_n dW_{n-1} / dt = %.4f, should be 0 within 0.0134 (5 sd): increments must be "
              "independent (a fresh Gaussian for every step)", lag1);
    /* E W_T^2 = T; the relative sd of the mean of P squared Gaussians is sqrt(2 / P) = 0.01. */
    double m2 = 0;
    for (size_t p = 0; p < P; p++)
        m2 += gsl_vector_get(WT, p) * gsl_vector_get(WT, p) / (double)P;
    mlphys_assert_close(m2, T, 5.0 * T * sqrt(2.0 / P), 0,
                        "mean W_T^2 over %zu paths of %zu steps (Var W_T = T = %g). Do separate calls give "
                        "fresh paths?", P, N, T);
    double D = ks_distance_gaussian(z, 0.0, 1.0), band = DKW_C / sqrt((double)(P * N));
    cr_expect(D <= band, "KS distance of dW / sqrt(dt) to N(0, 1) = %.4f > %.4f (DKW band, fails < 1e-7 of the "
              "time): increments must be Gaussian with variance dt", D, band);
    gsl_vector_free(dW), gsl_vector_free(W), gsl_vector_free(z), gsl_vector_free(WT);
}

Test(sde, brownian_rejects_bad_arguments, .description = "dt <= 0 or NaN gives GSL_EINVAL; W of the wrong length or no increments give GSL_EBADLEN; nothing is written")
{
    gsl_vector *dW = gsl_vector_alloc(5), *W = gsl_vector_alloc(6), *Wbad = gsl_vector_alloc(5);
    gsl_vector empty = {0, 1, NULL, NULL, 0}, *W1 = gsl_vector_alloc(1); /* N = 0: no path to draw */
    gsl_vector_set_all(dW, 7.0), gsl_vector_set_all(W, 7.0), gsl_vector_set_all(Wbad, 7.0);
    mlphys_require_status(sde_brownian(mlphys_rng(), 0.0, dW, W), GSL_EINVAL, "sde_brownian", "dt = 0 is not a step");
    mlphys_require_status(sde_brownian(mlphys_rng(), -0.1, dW, W), GSL_EINVAL, "sde_brownian", "dt < 0");
    mlphys_require_status(sde_brownian(mlphys_rng(), NAN, dW, W), GSL_EINVAL, "sde_brownian", "dt is NaN");
    mlphys_require_status(sde_brownian(mlphys_rng(), 0.1, dW, Wbad), GSL_EBADLEN, "sde_brownian",
                          "W needs N + 1 = 6 entries for N = 5 increments");
    mlphys_require_status(sde_brownian(mlphys_rng(), 0.1, &empty, W1), GSL_EBADLEN, "sde_brownian",
                          "dW is empty (N = 0)");
    for (size_t n = 0; n < 6; n++)
        cr_assert(gsl_vector_get(W, n) == 7.0 && (n == 5 || (gsl_vector_get(dW, n) == 7.0 && gsl_vector_get(Wbad, n) == 7.0)),
                  "entry %zu of dW or W was changed by a call that returned an error: check first, then write", n);
    gsl_vector_free(dW), gsl_vector_free(W), gsl_vector_free(Wbad), gsl_vector_free(W1);
}

Test(sde, brownian_writes_through_strided_views, .description = "dW and W may be strided views (every 2nd or 3rd entry of a longer array): the entries in between stay untouched")
{
    /* dW is every 2nd entry of a 2N array, W every 3rd of a 3(N + 1) array; the gaps hold a
     * sentinel that a correct implementation never reads or writes. */
    const size_t N = 50;
    double a[2 * 50], b[3 * 51];
    for (size_t i = 0; i < 2 * N; i++)
        a[i] = -7.0;
    for (size_t i = 0; i < 3 * (N + 1); i++)
        b[i] = -7.0;
    gsl_vector_view dW = gsl_vector_view_array_with_stride(a, 2, N), W = gsl_vector_view_array_with_stride(b, 3, N + 1);
    mlphys_require_implemented(sde_brownian(mlphys_rng(), 0.04, &dW.vector, &W.vector), "sde_brownian", 1);
    for (size_t i = 0; i < 2 * N; i += 2)
        cr_assert(a[i + 1] == -7.0, "array entry %zu between two strided dW entries was written (use gsl_vector_set, or "
                  "data[n * stride])", i + 1);
    for (size_t i = 0; i < 3 * (N + 1); i += 3)
        cr_assert(b[i + 1] == -7.0 && b[i + 2] == -7.0, "array entries %zu, %zu between two strided W entries were "
                  "written (use gsl_vector_set, or data[n * stride])", i + 1, i + 2);
    cr_assert(b[0] == 0.0, "W_0 = %g through a strided view, want 0", b[0]);
    double w = 0;
    for (size_t n = 0; n < N; n++) {
        w += a[2 * n]; /* |W| = O(1): the running sum is exact to ~1e-15 */
        cr_assert(isfinite(a[2 * n]) && fabs(a[2 * n]) < 10 * sqrt(0.04), "dW_%zu = %g through a strided view is not a "
                  "N(0, 0.04) draw (|dW| < 10 sd)", n, a[2 * n]);
        mlphys_assert_close(b[3 * (n + 1)], w, 1e-12, 0, "W_%zu through a strided view (running sum of the dW)", n + 1);
    }
}

/* ---- TODO(2): Euler-Maruyama ------------------------------------------------------------- */

static double drift_hand(double x, double t, void *p)
{
    (void)p;
    return -x + t;
}
static double diffusion_hand(double x, double t, void *p)
{
    (void)t, (void)p;
    return x;
}

Test(sde, euler_maruyama_hand_worked_three_steps, .description = "dX = (t - X) dt + X dW from X = 1 at t = 0.5, dt = 0.1, dW = (0.2, -0.1, 0.3)")
{
    /* By hand, X_{n+1} = X_n + (t_n - X_n) dt + X_n dW_n with t_n = 0.5 + 0.1 n:
     *   X_1 = 1    + (0.5 - 1)    0.1 + 1    * 0.2    = 1.15
     *   X_2 = 1.15 + (0.6 - 1.15) 0.1 + 1.15 * (-0.1) = 0.98
     *   X_3 = 0.98 + (0.7 - 0.98) 0.1 + 0.98 * 0.3    = 1.246 */
    double dw[] = {0.2, -0.1, 0.3}, want[] = {1.0, 1.15, 0.98, 1.246};
    gsl_vector_view dW = gsl_vector_view_array(dw, 3), Xw = gsl_vector_view_array(want, 4);
    gsl_vector *X = gsl_vector_alloc(4);
    gsl_vector_set_all(X, NAN); /* garbage: X_0 .. X_3 must all be written */
    mlphys_require_implemented(sde_euler_maruyama(drift_hand, diffusion_hand, NULL, 1.0, 0.5, 0.1, &dW.vector, X),
                               "sde_euler_maruyama", 2);
    /* a few roundings of O(1) numbers: 1e-14 */
    mlphys_assert_vector_close(X, &Xw.vector, 1e-14, 1e-14, "EM path X_0..X_3",
                               "X_0 = x0; evaluate f and g at the old point (X_n, t_n) with t_n = t0 + n dt.");
    cr_assert(dw[0] == 0.2 && dw[1] == -0.1 && dw[2] == 0.3, "the increments dW were changed to (%g, %g, %g): dW is "
              "const input, shared by several schemes; do not use it as scratch space", dw[0], dw[1], dw[2]);
    /* the same through strided views: dW every 2nd, X every 3rd entry of a longer array */
    double dws[6] = {0.2, -9, -0.1, -9, 0.3, -9}, xs[12];
    for (int i = 0; i < 12; i++)
        xs[i] = i % 3 ? -9.0 : NAN;
    gsl_vector_view dWs = gsl_vector_view_array_with_stride(dws, 2, 3), Xs = gsl_vector_view_array_with_stride(xs, 3, 4);
    mlphys_require_implemented(sde_euler_maruyama(drift_hand, diffusion_hand, NULL, 1.0, 0.5, 0.1, &dWs.vector, &Xs.vector),
                               "sde_euler_maruyama", 2);
    mlphys_assert_vector_close(&Xs.vector, &Xw.vector, 1e-14, 1e-14, "EM path through strided views (dW stride 2, X stride 3)",
                               "read dW_n with gsl_vector_get and write X_n with gsl_vector_set (or data[n * stride]).");
    for (int i = 0; i < 12; i++)
        cr_assert(i % 3 == 0 || xs[i] == -9.0, "array entry %d between two strided X entries was written", i);
    gsl_vector_free(X);
}

static double drift_linear(double x, double t, void *p)
{
    (void)t;
    return ((const double *)p)[0] * x;
}
static double diffusion_linear(double x, double t, void *p)
{
    (void)t;
    return ((const double *)p)[1] * x;
}

Test(sde, euler_maruyama_one_step_is_exact, .description = "one EM step of GBM from x0 is exactly x0 (1 + lambda dt + mu dW) for several dt and dW, and a time-dependent drift is taken at t0")
{
    /* One step: X_1 = x0 + lambda x0 dt + mu x0 dW_0, nothing else (f and g at (x0, t0)).  Beside
     * the order fits, this pins down the step itself: a scheme with the right order but a wrong
     * constant, or g evaluated anywhere but at X_0, fails here.  A handful of roundings: 1e-14. */
    const double cases[][4] = {{2.0, 1.0, 0.1, 0.3}, {-1.0, 0.5, 0.01, -0.25}, {0.3, 2.0, 0.5, 1.7}};
    gsl_vector *dW = gsl_vector_alloc(1), *X = gsl_vector_alloc(2);
    for (int c = 0; c < 3; c++) {
        double lambda = cases[c][0], mu = cases[c][1], dt = cases[c][2], dw = cases[c][3], x0 = 1.5, par[2] = {lambda, mu};
        gsl_vector_set(dW, 0, dw), gsl_vector_set_all(X, NAN);
        mlphys_require_implemented(sde_euler_maruyama(drift_linear, diffusion_linear, par, x0, 0.7, dt, dW, X),
                                   "sde_euler_maruyama", 2);
        mlphys_assert_close(gsl_vector_get(X, 0), x0, 0, 0, "X_0 (must be x0 exactly)");
        mlphys_assert_close(gsl_vector_get(X, 1), x0 * (1 + lambda * dt + mu * dw), 1e-14, 1e-14,
                            "one EM step of dX = %g X dt + %g X dW at dt = %g, dW = %g: X_1 = x0 (1 + lambda dt + mu dW); "
                            "the given dW is already the increment (do not scale it by sqrt(dt))", lambda, mu, dt, dw);
    }
    /* a time-dependent drift: dX = (t - X) dt + X dW from x0 = 1.5 at t0 = 0.7, dt = 0.2, dW = -0.4:
     * X_1 = 1.5 + (0.7 - 1.5) 0.2 + 1.5 (-0.4) = 1.5 - 0.16 - 0.6 = 0.74 (f at t0, not t0 + dt) */
    gsl_vector_set(dW, 0, -0.4), gsl_vector_set_all(X, NAN);
    mlphys_require_implemented(sde_euler_maruyama(drift_hand, diffusion_hand, NULL, 1.5, 0.7, 0.2, dW, X),
                               "sde_euler_maruyama", 2);
    mlphys_assert_close(gsl_vector_get(X, 1), 0.74, 1e-14, 1e-14,
                        "one EM step of dX = (t - X) dt + X dW from X = 1.5 at t0 = 0.7: the drift is evaluated at "
                        "t_0 = t0 (the left end), not at 0 or t0 + dt");
    gsl_vector_free(dW), gsl_vector_free(X);
}

Test(sde, euler_maruyama_without_noise_is_euler, .description = "with g = 0, dX = lambda X dt gives X_N = x0 (1 + lambda dt)^N")
{
    const size_t N = 100;
    double par[2] = {-1.5, 0.0}; /* lambda, mu: the callbacks read them through params */
    gsl_vector *dW = gsl_vector_alloc(N), *X = gsl_vector_alloc(N + 1);
    gsl_vector_set_all(dW, 0.3); /* ignored, since g = 0 */
    mlphys_require_implemented(sde_euler_maruyama(drift_linear, diffusion_linear, par, 2.0, 0.0, 0.01, dW, X),
                               "sde_euler_maruyama", 2);
    for (size_t n = 0; n <= N; n += 25)
        mlphys_assert_close(gsl_vector_get(X, n), 2.0 * pow(1.0 - 0.015, (double)n), 0, 1e-12,
                            "X_%zu of Euler's method for dX = -1.5 X dt, dt = 0.01 (closed form 2 (1 - 0.015)^n); "
                            "pass params through to f and g unchanged", n);
    gsl_vector_free(dW), gsl_vector_free(X);
}

Test(sde, euler_maruyama_rejects_bad_arguments, .description = "NULL callbacks or dt <= 0 give GSL_EINVAL; X of the wrong length GSL_EBADLEN")
{
    double par[2] = {1, 1};
    gsl_vector *dW = gsl_vector_calloc(4), *X = gsl_vector_alloc(5), *Xbad = gsl_vector_alloc(4);
    gsl_vector_set_all(X, 7.0), gsl_vector_set_all(Xbad, 7.0);
    mlphys_require_status(sde_euler_maruyama(NULL, diffusion_linear, par, 1, 0, 0.1, dW, X), GSL_EINVAL,
                          "sde_euler_maruyama", "f = NULL");
    mlphys_require_status(sde_euler_maruyama(drift_linear, NULL, par, 1, 0, 0.1, dW, X), GSL_EINVAL,
                          "sde_euler_maruyama", "g = NULL");
    mlphys_require_status(sde_euler_maruyama(drift_linear, diffusion_linear, par, 1, 0, 0.0, dW, X), GSL_EINVAL,
                          "sde_euler_maruyama", "dt = 0");
    mlphys_require_status(sde_euler_maruyama(drift_linear, diffusion_linear, par, 1, 0, 0.1, dW, Xbad), GSL_EBADLEN,
                          "sde_euler_maruyama", "X needs N + 1 = 5 entries for N = 4 increments");
    for (size_t n = 0; n < 5; n++)
        cr_assert(gsl_vector_get(X, n) == 7.0 && (n == 4 || gsl_vector_get(Xbad, n) == 7.0),
                  "X[%zu] was changed by a call that returned an error: check first, then write", n);
    gsl_vector_free(dW), gsl_vector_free(X), gsl_vector_free(Xbad);
}

/* ---- Convergence orders on GBM: lambda = 2, mu = 1, X0 = 1, T = 1 (Higham, SIAM Review 43, 525 (2001)) */

#define GBM_LAMBDA 2.0
#define GBM_MU 1.0
#define GBM_LEVELS 6 /* at most: the strong test uses dt = 2^-9 .. 2^-4, the weak one 2^-7 .. 2^-4 */

/* Least-squares slope of log y against log x. */
static double loglog_slope(const double *x, const double *y, int n)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++)
        mx += log(x[i]) / n, my += log(y[i]) / n;
    for (int i = 0; i < n; i++)
        sxx += (log(x[i]) - mx) * (log(x[i]) - mx), sxy += (log(x[i]) - mx) * (log(y[i]) - my);
    return sxy / sxx;
}

/* For P Brownian paths (drawn here, not by the student's sde_brownian), run the student's EM on
 * the grids dt = 2^-k .. 2^-(k-L+1) (L levels, fine grid 2^k steps), all driven by the same path
 * (coarse increments are sums of fine ones), and compare X_N with the exact
 * X(1) = exp(lambda - mu^2/2 + mu W_1) on that path.  Out, per level l (dt = 2^(l-k)):
 * mean |X_N - X(1)|, mean (X_N - X(1)) and its standard error. */
static void gbm_errors(size_t P, int L, int k, double *dt, double *strong, double *weak, double *weak_se)
{
    const size_t NFINE = (size_t)1 << k;
    double par[2] = {GBM_LAMBDA, GBM_MU}, sum2[GBM_LEVELS] = {0};
    gsl_vector *fine = gsl_vector_alloc(NFINE), *dW[GBM_LEVELS], *X[GBM_LEVELS];
    for (int l = 0; l < L; l++) {
        size_t N = NFINE >> l;
        dW[l] = gsl_vector_alloc(N), X[l] = gsl_vector_alloc(N + 1);
        dt[l] = 1.0 / (double)N, strong[l] = weak[l] = 0;
    }
    gsl_rng *rng = mlphys_rng();
    for (size_t p = 0; p < P; p++) {
        double W1 = 0;
        for (size_t n = 0; n < NFINE; n++) {
            double d = gsl_ran_gaussian_ziggurat(rng, sqrt(dt[0]));
            gsl_vector_set(fine, n, d), W1 += d;
        }
        double exact = exp(GBM_LAMBDA - 0.5 * GBM_MU * GBM_MU + GBM_MU * W1);
        for (int l = 0; l < L; l++) {
            size_t R = (size_t)1 << l;
            gsl_vector_set_zero(dW[l]);
            for (size_t n = 0; n < NFINE; n++)
                dW[l]->data[n / R] += fine->data[n];
            mlphys_require_implemented(sde_euler_maruyama(drift_linear, diffusion_linear, par, 1.0, 0.0, dt[l],
                                                          dW[l], X[l]), "sde_euler_maruyama", 2);
            double e = gsl_vector_get(X[l], X[l]->size - 1) - exact;
            if (!isfinite(e))
                cr_assert_fail("EM on GBM returned a non-finite X_N at dt = %g", dt[l]);
            strong[l] += fabs(e), weak[l] += e, sum2[l] += e * e;
        }
    }
    for (int l = 0; l < L; l++) {
        strong[l] /= (double)P, weak[l] /= (double)P;
        weak_se[l] = sqrt((sum2[l] / (double)P - weak[l] * weak[l]) / (double)(P - 1));
        gsl_vector_free(dW[l]), gsl_vector_free(X[l]);
    }
    gsl_vector_free(fine);
}

Test(sde, euler_maruyama_strong_order_is_one_half, .description = "on GBM the log-log slope of E|X_N - X(T)| vs dt (dt = 2^-9..2^-4) lies in [0.4, 0.65]")
{
    /* Measured over 300 seeds with 2000 paths: slope 0.531 +- 0.013 (min 0.492, max 0.562).  The
     * window [0.4, 0.65] is the curriculum's; it sits > 9 sd from the mean on either side, and it
     * excludes order 1 (a scheme that is secretly using the exact solution) and order 0. */
    double dt[GBM_LEVELS], strong[GBM_LEVELS], weak[GBM_LEVELS], se[GBM_LEVELS];
    gbm_errors(2000, 6, 9, dt, strong, weak, se);
    double s = loglog_slope(dt, strong, 6);
    cr_assert(s >= 0.4 && s <= 0.65,
              "strong-order slope = %.3f, want 1/2 (window [0.4, 0.65]); E|X_N - X(T)| = %.3g at dt = 2^-9 and %.3g "
              "at dt = 2^-4.  Is f evaluated at the left point (Ito), and dW the given increment?",
              s, strong[0], strong[5]);
}

Test(sde, euler_maruyama_weak_order_is_one, .description = "on GBM, E X_N - e^{lambda T} equals the exact (1 + lambda dt)^N - e^{lambda T} and scales like dt^1")
{
    /* E X_N = (1 + lambda dt)^N exactly for EM on GBM (take the expectation of one step), and
     * E X(T) = e^{lambda T}.  We estimate E X_N - E X(T) by the mean of X_N - X(T) over the same
     * paths (a control variate: unbiased, and its sd is 3x (dt = 2^-4) to 20x (dt = 2^-9) smaller
     * than that of mean X_N alone).
     * The weak error is small next to the noise at fine steps, so this test uses dt = 2^-7 .. 2^-4
     * (the fine grids would cost 4x the time for a noisier slope).  Measured over 500 seeds with
     * 10000 paths: max |z| = |estimate - exact| / se over the 2000 (seed, dt) pairs is 3.62, so
     * 6 se holds; the log-log slope of |E X_N - E X(T)| is 0.947 +- 0.030 (min 0.867, max 1.038;
     * the closed form itself has slope 0.944 over this range, its asymptotic 1 being reached only
     * as dt -> 0), so the window [0.75, 1.20] is 6.6 sd below and 8.4 sd above the mean.  It
     * rejects order 1/2 and order 2. */
    double dt[GBM_LEVELS], strong[GBM_LEVELS], weak[GBM_LEVELS], se[GBM_LEVELS], aw[GBM_LEVELS];
    gbm_errors(10000, 4, 7, dt, strong, weak, se);
    for (int l = 0; l < 4; l++) {
        double exact = pow(1.0 + GBM_LAMBDA * dt[l], 1.0 / dt[l]) - exp(GBM_LAMBDA);
        cr_expect(fabs(weak[l] - exact) <= 6.0 * se[l],
                  "mean(X_N - X(T)) at dt = %g is %.4f, but EM on GBM has E X_N - e^lambda = (1 + lambda dt)^N - "
                  "e^lambda = %.4f exactly (allowed 6 se = %.4f)", dt[l], weak[l], exact, 6.0 * se[l]);
        aw[l] = fabs(weak[l]);
    }
    double s = loglog_slope(dt, aw, 4);
    cr_expect(s >= 0.75 && s <= 1.20, "weak-order slope = %.3f, want about 1 (window [0.75, 1.20])", s);
}

/* ---- TODO(3): the exact GBM solution ------------------------------------------------------ */

Test(sde, gbm_exact_follows_ito_formula, .description = "X_n = x0 exp((lambda - mu^2/2) n dt + mu W_n) on a given path, also through strided views")
{
    /* mu = 0.7, not 1: with mu = 1, mu, mu^2 and "no mu" would all give the same numbers.
     * lambda - mu^2/2 = 2 - 0.245 = 1.755, computed here by hand. */
    double w[] = {0.0, 0.3, -0.2, 0.5, 1.1};
    const double lambda = 2.0, mu = 0.7, x0 = 1.5, dt = 0.25;
    gsl_vector_view W = gsl_vector_view_array(w, 5);
    gsl_vector *X = gsl_vector_alloc(5), *want = gsl_vector_alloc(5);
    for (size_t n = 0; n < 5; n++)
        gsl_vector_set(want, n, x0 * exp(1.755 * 0.25 * (double)n + 0.7 * w[n]));
    gsl_vector_set_all(X, NAN); /* garbage: every X_n must be written */
    mlphys_require_implemented(sde_gbm_exact(lambda, mu, x0, dt, &W.vector, X), "sde_gbm_exact", 3);
    /* exp of an argument ~ 2, a few roundings: 1e-13 relative */
    mlphys_assert_vector_close(X, want, 0, 1e-13, "exact GBM with lambda = 2, mu = 0.7 on W = (0, 0.3, -0.2, 0.5, 1.1)",
                               "Ito's lemma gives d(log X) = (lambda - mu^2/2) dt + mu dW: did you drop the "
                               "-mu^2/2 (that is the Stratonovich answer), forget the mu in front of W_n, or use t_n = (n+1) dt?");
    /* the same through strided views: W every 2nd, X every 3rd entry */
    double ws[10], xs[15];
    for (int i = 0; i < 10; i++)
        ws[i] = i % 2 ? -9.0 : w[i / 2];
    for (int i = 0; i < 15; i++)
        xs[i] = i % 3 ? -9.0 : NAN;
    gsl_vector_view Ws = gsl_vector_view_array_with_stride(ws, 2, 5), Xs = gsl_vector_view_array_with_stride(xs, 3, 5);
    mlphys_require_implemented(sde_gbm_exact(lambda, mu, x0, dt, &Ws.vector, &Xs.vector), "sde_gbm_exact", 3);
    mlphys_assert_vector_close(&Xs.vector, want, 0, 1e-13, "exact GBM through strided views (W stride 2, X stride 3)",
                               "read W_n with gsl_vector_get and write X_n with gsl_vector_set.");
    for (int i = 0; i < 15; i++)
        cr_assert(i % 3 == 0 || xs[i] == -9.0, "array entry %d between two strided X entries was written", i);
    gsl_vector_free(X), gsl_vector_free(want);
}

Test(sde, gbm_exact_mean_grows_like_exp_lambda_t, .description = "averaged over 20000 paths, E X(T) = x0 e^{lambda T} (the Ito correction at work)")
{
    /* lambda = 0.5, mu = 0.8, T = 1: sd X(T) = e^{0.5} sqrt(e^{0.64} - 1) = 1.558, so the standard
     * error of the mean of 20000 is 0.0110; the lognormal's skew (3.7) is 0.026 after averaging,
     * so 5 se is a 5-sigma bound.  Dropping -mu^2/2 would multiply the mean by e^{0.32} = 1.38. */
    const size_t P = 20000;
    const double lambda = 0.5, mu = 0.8, T = 1.0;
    gsl_vector *W = gsl_vector_alloc(2), *X = gsl_vector_alloc(2);
    double mean = 0;
    gsl_rng *rng = mlphys_rng();
    for (size_t p = 0; p < P; p++) {
        gsl_vector_set(W, 0, 0.0), gsl_vector_set(W, 1, gsl_ran_gaussian_ziggurat(rng, sqrt(T)));
        mlphys_require_implemented(sde_gbm_exact(lambda, mu, 1.0, T, W, X), "sde_gbm_exact", 3);
        mean += gsl_vector_get(X, 1) / (double)P;
    }
    double se = exp(lambda * T) * sqrt(expm1(mu * mu * T) / (double)P);
    mlphys_assert_close(mean, exp(lambda * T), 5.0 * se, 0,
                        "mean of X(T) over %zu paths (E X(T) = x0 e^{lambda T} = 1.6487)", P);
    gsl_vector_free(W), gsl_vector_free(X);
}

/* ---- TODO(4): Ornstein-Uhlenbeck by Euler-Maruyama --------------------------------------- */

/* sigma = 0 turns both OU updates into deterministic recursions, X_n = x0 a^n, which can be
 * checked exactly: one step, several steps and nsteps = 0, on an ensemble that is a strided view
 * (every 3rd entry of a longer array, the gaps holding a sentinel) prefilled with NaN. */
static void check_ou_without_noise(int (*scheme)(double, double, double, double, size_t, gsl_rng *, gsl_vector *),
                                   const char *name, int todo, double (*a_of)(double, double), const char *law)
{
    const double theta = 1.3, h = 0.2, x0 = -2.5;
    const size_t M = 4, steps[] = {0, 1, 3, 10};
    double buf[3 * 4];
    gsl_vector_view X = gsl_vector_view_array_with_stride(buf, 3, M);
    for (int k = 0; k < 4; k++) {
        for (size_t i = 0; i < 3 * M; i++)
            buf[i] = i % 3 ? -9.0 : NAN;
        mlphys_require_implemented(scheme(theta, 0.0, x0, h, steps[k], mlphys_rng(), &X.vector), name, todo);
        /* (a^n computed by pow, the scheme multiplies n times): n roundings, 1e-14 relative */
        double want = x0 * pow(a_of(theta, h), (double)steps[k]);
        for (size_t i = 0; i < M; i++)
            mlphys_assert_close(gsl_vector_get(&X.vector, i), want, 1e-300, 1e-14,
                                "%s with sigma = 0, theta h = %g, walker %zu after %zu steps from x0 = %g: %s "
                                "(nsteps = 0 leaves x0; every walker starts at x0)", name, theta * h, i, steps[k], x0, law);
        for (size_t i = 0; i < 3 * M; i++)
            cr_assert(i % 3 == 0 || buf[i] == -9.0, "%s: array entry %zu between two walkers of a strided view was "
                      "written (address walker i as data[i * stride], or use gsl_vector_get/set)", name, i);
    }
}

static double a_em(double theta, double h) { return 1.0 - theta * h; }
static double a_exact(double theta, double h) { return exp(-theta * h); }

Test(sde, ou_em_without_noise_is_the_deterministic_recursion, .description = "with sigma = 0, EM-OU walkers (a strided view) are exactly x0 (1 - theta h)^n after n = 0, 1, 3, 10 steps")
{
    check_ou_without_noise(sde_ou_em, "sde_ou_em", 4, a_em, "X_n = x0 (1 - theta h)^n");
}

Test(sde, ou_em_stationary_variance_is_the_discrete_closed_form, .description = "EM on OU settles at variance sigma^2 / (theta (2 - theta h)), not sigma^2 / (2 theta)")
{
    /* X <- a X + sigma sqrt(h) Z with a = 1 - theta h has the fixed point v = a^2 v + sigma^2 h,
     * v = sigma^2 / (theta (2 - theta h)).  theta = sigma = 1: h = 0.5 gives 2/3 (a = 0.5) and
     * h = 1.5 gives 2 (a = -0.5, walkers flip sign each step); 60 steps make a^120 < 1e-36.
     * The stationary law is Gaussian with mean 0, so mean X^2 over M walkers has relative sd
     * sqrt(2 / M) = 0.010: 5 sd = 5%, while the continuous-time 1/2 is 25% or 75% away. */
    const double h[] = {0.5, 1.5};
    gsl_vector *X = gsl_vector_alloc(OU_M);
    for (int k = 0; k < 2; k++) {
        mlphys_require_implemented(sde_ou_em(1.0, 1.0, 0.0, h[k], 60, mlphys_rng(), X), "sde_ou_em", 4);
        double want = 1.0 / (2.0 - h[k]), m2 = 0, m1 = 0;
        for (size_t i = 0; i < OU_M; i++)
            m1 += gsl_vector_get(X, i) / OU_M, m2 += gsl_vector_get(X, i) * gsl_vector_get(X, i) / OU_M;
        mlphys_assert_close(m2, want, 5.0 * want * sqrt(2.0 / OU_M), 0,
                            "stationary E X^2 of EM-OU at theta h = %g (closed form 1 / (2 - theta h)); "
                            "is the noise sigma sqrt(h) Z, and the factor (1 - theta h)?", h[k]);
        mlphys_assert_close(m1, 0.0, 5.0 * sqrt(want / OU_M), 0, "stationary mean of EM-OU at theta h = %g", h[k]);
    }
    gsl_vector_free(X);
}

/* KS test of an ensemble at time t = nsteps h against N(mean, var), with an allowance `bias`
 * for a known, computed distance between the sampled law and that Gaussian. */
static void check_ou_density(gsl_vector *X, double mean, double var, double bias, const char *scheme, double t,
                             double h)
{
    double D = ks_distance_gaussian(X, mean, sqrt(var)), band = DKW_C / sqrt((double)X->size) + bias;
    cr_expect(D <= band,
              "%s at t = %g (h = %g): KS distance of the histogram to the exact transition density N(%.4f, %.4f) "
              "is %.4f > %.4f (DKW band + discretisation allowance %.4f)", scheme, t, h, mean, var, D, band, bias);
}

Test(sde, ou_em_histogram_matches_the_transition_density, .description = "EM-OU walkers from x0 = 2 at t = 0.1, 0.5, 2 pass a KS test against the exact Gaussian transition density")
{
    /* theta = 1, sigma = 0.8, h = 0.01.  Exact law at t: mean x0 e^{-theta t}, variance
     * sigma^2 (1 - e^{-2 theta t}) / (2 theta).  EM samples exactly N(x0 a^n, sigma^2 h (1 - a^{2n}) /
     * (1 - a^2)), a = 1 - theta h; the KS distance between the two Gaussians (0.0022, 0.0031, 0.0022) is added
     * to the DKW band (0.0205), so the test fails a correct solution with probability < 4e-7. */
    const double theta = 1.0, sigma = 0.8, x0 = 2.0, h = 0.01, a = 1.0 - theta * h;
    const size_t steps[] = {10, 50, 200};
    gsl_vector *X = gsl_vector_alloc(OU_M);
    for (int k = 0; k < 3; k++) {
        double t = steps[k] * h, n = (double)steps[k];
        mlphys_require_implemented(sde_ou_em(theta, sigma, x0, h, steps[k], mlphys_rng(), X), "sde_ou_em", 4);
        double m = x0 * exp(-theta * t), v = sigma * sigma * -expm1(-2 * theta * t) / (2 * theta);
        double mh = x0 * pow(a, n), vh = sigma * sigma * h * (1 - pow(a, 2 * n)) / (1 - a * a);
        check_ou_density(X, m, v, ks_between_gaussians(mh, sqrt(vh), m, sqrt(v)), "EM", t, h);
    }
    gsl_vector_free(X);
}

Test(sde, ou_em_rejects_bad_arguments, .description = "theta <= 0, sigma < 0 or h <= 0 give GSL_EINVAL; an empty ensemble GSL_EBADLEN")
{
    gsl_vector *X = gsl_vector_alloc(3);
    gsl_vector empty = {0, 1, NULL, NULL, 0}; /* a valid gsl_vector of length 0 */
    mlphys_require_status(sde_ou_em(0.0, 1, 0, 0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_em", "theta = 0");
    mlphys_require_status(sde_ou_em(1, -1, 0, 0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_em", "sigma < 0");
    mlphys_require_status(sde_ou_em(1, 1, 0, 0.0, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_em", "h = 0");
    mlphys_require_status(sde_ou_em(1, 1, 0, 0.1, 5, mlphys_rng(), &empty), GSL_EBADLEN, "sde_ou_em",
                          "an ensemble of M = 0 walkers");
    gsl_vector_free(X);
}

/* ---- TODO(5): the exact OU update -------------------------------------------------------- */

Test(sde, ou_exact_without_noise_decays_like_exp, .description = "with sigma = 0, the exact update (a strided view) gives exactly x0 e^{-theta h n} after n = 0, 1, 3, 10 steps")
{
    check_ou_without_noise(sde_ou_exact, "sde_ou_exact", 5, a_exact, "X_n = x0 e^{-theta h n}");
}

Test(sde, ou_exact_is_exact_for_coarse_steps, .description = "with steps as large as h = 0.5 and h = 1, the exact update still samples the transition density")
{
    /* theta = 1, sigma = 1, x0 = 2: t = 1 in 2 steps and t = 3 in 3 steps.  No discretisation
     * allowance: only the DKW band (0.0205, fails < 1.1e-7 each).  EM with these steps would be off by a
     * KS distance of 0.146 and 0.114 (computed from its Gaussian law), 7x and 5.5x the band. */
    const double theta = 1.0, sigma = 1.0, x0 = 2.0, h[] = {0.5, 1.0};
    const size_t steps[] = {2, 3};
    gsl_vector *X = gsl_vector_alloc(OU_M);
    for (int k = 0; k < 2; k++) {
        double t = steps[k] * h[k];
        mlphys_require_implemented(sde_ou_exact(theta, sigma, x0, h[k], steps[k], mlphys_rng(), X), "sde_ou_exact", 5);
        check_ou_density(X, x0 * exp(-theta * t), sigma * sigma * -expm1(-2 * theta * t) / (2 * theta), 0.0,
                         "exact update", t, h[k]);
    }
    gsl_vector_free(X);
}

Test(sde, ou_exact_stationary_variance_is_sigma2_over_2theta, .description = "the exact update settles at sigma^2 / (2 theta) whatever the step")
{
    /* theta = 2, sigma = 0.5: sigma^2 / (2 theta) = 0.0625.  h = 0.8 (a = e^{-1.6} = 0.2), 20 steps
     * from x0 = 3 leave 3 a^20 ~ 3e-14 of the start.  Relative sd of mean X^2: sqrt(2 / M) = 0.01. */
    gsl_vector *X = gsl_vector_alloc(OU_M);
    mlphys_require_implemented(sde_ou_exact(2.0, 0.5, 3.0, 0.8, 20, mlphys_rng(), X), "sde_ou_exact", 5);
    double m2 = 0;
    for (size_t i = 0; i < OU_M; i++)
        m2 += gsl_vector_get(X, i) * gsl_vector_get(X, i) / OU_M;
    mlphys_assert_close(m2, 0.0625, 5.0 * 0.0625 * sqrt(2.0 / OU_M), 0,
                        "stationary E X^2 of the exact OU update (sigma^2 / (2 theta) = 0.0625): the noise "
                        "amplitude is sigma sqrt((1 - e^{-2 theta h}) / (2 theta))");
    gsl_vector_free(X);
}

Test(sde, ou_exact_rejects_bad_arguments, .description = "theta <= 0 (0 included), sigma < 0 or h <= 0 give GSL_EINVAL")
{
    gsl_vector *X = gsl_vector_alloc(3);
    mlphys_require_status(sde_ou_exact(0.0, 1, 0, 0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_exact",
                          "theta = 0 (no restoring force: the exact update would divide 0 by 0)");
    mlphys_require_status(sde_ou_exact(-1.0, 1, 0, 0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_exact", "theta < 0");
    mlphys_require_status(sde_ou_exact(1, -1, 0, 0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_exact", "sigma < 0");
    mlphys_require_status(sde_ou_exact(1, 1, 0, -0.1, 5, mlphys_rng(), X), GSL_EINVAL, "sde_ou_exact", "h < 0");
    gsl_vector_free(X);
}
