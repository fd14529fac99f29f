/*
 * Chapter 03 experiment: what a rank-1 update saves, what it can lose, and RLS on a stream.
 * Uses whichever woodbury.c was built (yours with `make run CH=03-woodbury`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes OUTDIR/timing.dat, timing_fit.gp, accuracy.dat,
 * rls.dat.  Seeds: gsl_rng_mt19937 seeded 303 (timing), 304 (accuracy), 305 (RLS).
 *
 * Timings are CPU time (clock()), the best of 5 blocks of repeats lasting >= 20 ms each, so that
 * they mean something on a shared machine; they are printed and plotted, never graded.
 */
#include "woodbury.h"
#include "mlphys_run.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void fill_gaussian(gsl_matrix *M, gsl_rng *rng, double sigma)
{
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            gsl_matrix_set(M, i, j, gsl_ran_gaussian(rng, sigma));
}

/* inv = A^{-1} by GSL's LU; LU is scratch of the same size. */
static void lu_inverse(const gsl_matrix *A, gsl_matrix *LU, gsl_permutation *perm, gsl_matrix *inv)
{
    int sign;
    gsl_matrix_memcpy(LU, A);
    gsl_linalg_LU_decomp(LU, perm, &sign);
    gsl_linalg_LU_invert(LU, perm, inv);
}

static double cpu_seconds(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

/* Least-squares line through (log n, log t) for the points with n >= nmin: t = c n^slope. */
static void fit_power(const double *n, const double *t, int m, double nmin, double *slope, double *c)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
    for (int i = 0; i < m; i++)
        if (n[i] >= nmin) {
            double x = log(n[i]), y = log(t[i]);
            sx += x, sy += y, sxx += x * x, sxy += x * y, k++;
        }
    *slope = (k * sxy - sx * sy) / (k * sxx - sx * sx);
    *c = exp((sy - *slope * sx) / k);
}

/* 1. CPU time of one rank-1 update vs one fresh LU inverse, for n = 32 .. 512. */
static int timing(const char *out, gsl_rng *rng)
{
    enum { M = 9, BLOCKS = 5 };
    const double min_cpu = 0.02, nmin_fit = 128;
    double ns[M], tu[M], ti[M];
    FILE *f = mlphys_open_out(out, "timing.dat");
    if (!f)
        return 1;
    fprintf(f, "# n  cpu_s_rank1_update  cpu_s_lu_inverse   (CPU time per operation)\n");
    for (int m = 0; m < M; m++) {
        /* odd sizes: a power-of-two row stride (256, 512) makes the LU's column accesses fight
         * over the same cache sets and costs 2x in time (measured), which is not what we study */
        const size_t n = (size_t)lround(32.0 * pow(2.0, m / 2.0)) | 1;
        gsl_matrix *A = gsl_matrix_alloc(n, n), *LU = gsl_matrix_alloc(n, n), *Ainv = gsl_matrix_alloc(n, n);
        gsl_permutation *perm = gsl_permutation_alloc(n);
        gsl_vector *u = gsl_vector_alloc(n), *v = gsl_vector_alloc(n), *mu = gsl_vector_alloc(n);
        /* A = 3 I + G / sqrt(n): eigenvalues in the disc |z - 3| <= 1, kappa ~ 2. */
        fill_gaussian(A, rng, 1.0 / sqrt((double)n));
        gsl_matrix_add_diagonal(A, 3.0);
        for (size_t i = 0; i < n; i++)
            gsl_vector_set(u, i, gsl_ran_gaussian(rng, 0.3 / sqrt((double)n))),
            gsl_vector_set(v, i, gsl_ran_gaussian(rng, 0.3 / sqrt((double)n)));
        gsl_vector_memcpy(mu, u);
        gsl_vector_scale(mu, -1.0);
        lu_inverse(A, LU, perm, Ainv);

        /* Updates in pairs, + u v^T then - u v^T, so that A^{-1} returns to where it was.  Each
         * time is the best of BLOCKS blocks of >= min_cpu seconds: the minimum is the time with
         * the least interference from other processes on the machine. */
        tu[m] = ti[m] = INFINITY;
        for (int b = 0; b < BLOCKS; b++) {
            long reps = 0;
            double t0 = cpu_seconds(), t;
            do {
                int st;
                if ((st = sherman_morrison_update(Ainv, u, v)) || (st = sherman_morrison_update(Ainv, mu, v))) {
                    fclose(f);
                    return mlphys_run_fail("03-woodbury", "sherman_morrison_update", st);
                }
                reps += 2;
            } while ((t = cpu_seconds() - t0) < min_cpu);
            tu[m] = fmin(tu[m], t / (double)reps);
            reps = 0, t0 = cpu_seconds();
            do {
                lu_inverse(A, LU, perm, Ainv);
                reps++;
            } while ((t = cpu_seconds() - t0) < min_cpu);
            ti[m] = fmin(ti[m], t / (double)reps);
        }
        ns[m] = (double)n;
        fprintf(f, "%zu %.6e %.6e\n", n, tu[m], ti[m]);
        gsl_matrix_free(A), gsl_matrix_free(LU), gsl_matrix_free(Ainv), gsl_permutation_free(perm);
        gsl_vector_free(u), gsl_vector_free(v), gsl_vector_free(mu);
    }
    fclose(f);
    double s1, c1, s2, c2;
    fit_power(ns, tu, M, nmin_fit, &s1, &c1);
    fit_power(ns, ti, M, nmin_fit, &s2, &c2);
    if (!(f = mlphys_open_out(out, "timing_fit.gp")))
        return 1;
    fprintf(f, "# power-law fits t = c n^s over n >= %.0f, written by run.c\n", nmin_fit);
    fprintf(f, "s_upd = %.4f\nc_upd = %.6e\ns_inv = %.4f\nc_inv = %.6e\nnmin_fit = %.0f\nnmax = %.0f\n", s1, c1, s2,
            c2, nmin_fit, ns[M - 1]);
    fclose(f);
    printf("timing (CPU, n = %.0f..%.0f): rank-1 update ~ n^%.2f, LU re-inversion ~ n^%.2f (fit over n >= %.0f; "
           "theory 2 and 3)\n", ns[0], ns[M - 1], s1, s2, nmin_fit);
    printf("        at n = %.0f: update %.3g ms, re-inversion %.3g ms, ratio %.0f\n", ns[M - 1], 1e3 * tu[M - 1],
           1e3 * ti[M - 1], ti[M - 1] / tu[M - 1]);
    return 0;
}

/* max_ij |got - want| / max_ij |want| */
static double rel_error(const gsl_matrix *got, const gsl_matrix *want)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < want->size1; i++)
        for (size_t j = 0; j < want->size2; j++) {
            num = fmax(num, fabs(gsl_matrix_get(got, i, j) - gsl_matrix_get(want, i, j)));
            den = fmax(den, fabs(gsl_matrix_get(want, i, j)));
        }
    return num / den;
}

/* 2. Accuracy: A = Q diag(s) Q^T has s in [1, 10] except s_min = 1/kappa along q; the update
 *    (1 - 1/kappa) q q^T lifts s_min to 1, so A + u v^T has condition number 10 whatever kappa
 *    is, while kappa(A) = 10 kappa.  The update starts from the LU inverse of A and inherits
 *    its error, ~ eps kappa(A); the direct LU inverse of B stays at ~ eps kappa(B). */
static int accuracy(const char *out, gsl_rng *rng)
{
    const size_t n = 100;
    gsl_matrix *G = gsl_matrix_alloc(n, n), *Q = gsl_matrix_alloc(n, n), *R = gsl_matrix_alloc(n, n);
    gsl_matrix *QS = gsl_matrix_alloc(n, n), *A = gsl_matrix_alloc(n, n), *LU = gsl_matrix_alloc(n, n);
    gsl_matrix *Ainv = gsl_matrix_alloc(n, n), *Binv = gsl_matrix_alloc(n, n), *Bex = gsl_matrix_alloc(n, n);
    gsl_vector *tau = gsl_vector_alloc(n), *u = gsl_vector_alloc(n);
    gsl_permutation *perm = gsl_permutation_alloc(n);
    fill_gaussian(G, rng, 1.0);
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_unpack(G, tau, Q, R);
    FILE *f = mlphys_open_out(out, "accuracy.dat");
    if (!f)
        return 1;
    fprintf(f, "# kappa(A)  relerr_update  relerr_direct_LU_inverse_of_B   (n = %zu, B = A + u u^T, kappa(B) = 10)\n", n);
    double err_at_1e8 = 0, err_at_1 = 0;
    for (int e = 0; e <= 28; e++) {
        double kappa = pow(10.0, 0.5 * e);
        gsl_matrix_memcpy(QS, Q);
        for (size_t j = 0; j < n; j++) {
            double s = j + 1 < n ? pow(10.0, (double)j / (double)(n - 2)) : 1.0 / kappa;
            gsl_vector_view c = gsl_matrix_column(QS, j);
            gsl_vector_scale(&c.vector, s);
        }
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, QS, Q, 0.0, A);
        gsl_vector_const_view q = gsl_matrix_const_column(Q, n - 1);
        gsl_vector_memcpy(u, &q.vector);
        gsl_vector_scale(u, sqrt(1.0 - 1.0 / kappa));
        lu_inverse(A, LU, perm, Ainv);
        int st = sherman_morrison_update(Ainv, u, u);
        if (st) {
            fclose(f);
            return mlphys_run_fail("03-woodbury", "sherman_morrison_update", st);
        }
        gsl_blas_dger(1.0, u, u, A); /* B = A + u u^T, inverted from scratch */
        lu_inverse(A, LU, perm, Binv);
        /* the exact inverse of B, Q diag(1/s') Q^T with s' = s and s'_min = 1 */
        gsl_matrix_memcpy(QS, Q);
        for (size_t j = 0; j + 1 < n; j++) {
            gsl_vector_view c = gsl_matrix_column(QS, j);
            gsl_vector_scale(&c.vector, pow(10.0, -(double)j / (double)(n - 2)));
        }
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, QS, Q, 0.0, Bex);
        /* shown at 1e-17 at the least, for the log axis */
        double err = fmax(rel_error(Ainv, Bex), 1e-17), res = fmax(rel_error(Binv, Bex), 1e-17);
        fprintf(f, "%.6e %.6e %.6e\n", 10.0 * kappa, err, res); /* kappa(A) = 10 / (1/kappa) */
        if (e == 0)
            err_at_1 = err;
        if (e == 14)
            err_at_1e8 = err;
    }
    fclose(f);
    printf("accuracy (n = %zu, kappa(A + u u^T) = 10): updated inverse off by %.1e at kappa(A) = 10, %.1e at "
           "kappa(A) = 1e8 (eps kappa = %.1e)\n", n, err_at_1, err_at_1e8, 2.2e-16 * 1e8);
    gsl_matrix_free(G), gsl_matrix_free(Q), gsl_matrix_free(R), gsl_matrix_free(QS), gsl_matrix_free(A);
    gsl_matrix_free(LU), gsl_matrix_free(Ainv), gsl_matrix_free(Binv), gsl_matrix_free(Bex), gsl_vector_free(tau), gsl_vector_free(u);
    gsl_permutation_free(perm);
    return 0;
}

/* 3. RLS on a stream: a thermistor-like calibration y = b0 + b1 T, with a drift of the offset
 *    b0 halfway through.  lambda = 1 averages over all history; lambda = 0.98 forgets on a
 *    scale of 1 / (1 - lambda) = 50 readings and follows the drift.  The error bar of b0 is
 *    sigma sqrt(P_00), the posterior standard deviation of the Kalman filter for a static state. */
static int rls_stream(const char *out, gsl_rng *rng)
{
    const size_t N = 1000, p = 2, m0 = 2;
    const double sigma = 0.2;
    rls_state *s1 = rls_alloc(p, 1.0), *s2 = rls_alloc(p, 0.98);
    gsl_matrix *X0 = gsl_matrix_alloc(m0, p);
    gsl_vector *y0 = gsl_vector_alloc(m0), *x = gsl_vector_alloc(p);
    FILE *f = mlphys_open_out(out, "rls.dat");
    if (!f || !s1 || !s2)
        return 1;
    fprintf(f, "# reading  true_b0  b0(lambda=1) sd  b0(lambda=0.98) sd   (sd = sigma sqrt(P_00), sigma = %.2f)\n", sigma);
    int st;
    double err_final = 0, err_static = 0;
    for (size_t i = 0; i < N; i++) {
        double T = gsl_ran_flat(rng, -1.0, 1.0), b0 = i < N / 2 ? 1.0 : 1.5, b1 = 2.0;
        double y = b0 + b1 * T + gsl_ran_gaussian(rng, sigma);
        if (i < m0) {
            gsl_matrix_set(X0, i, 0, 1.0), gsl_matrix_set(X0, i, 1, T), gsl_vector_set(y0, i, y);
            if (i + 1 == m0 && ((st = rls_init(s1, X0, y0)) || (st = rls_init(s2, X0, y0)))) {
                fclose(f);
                return mlphys_run_fail("03-woodbury", "rls_init", st);
            }
            continue;
        }
        gsl_vector_set(x, 0, 1.0), gsl_vector_set(x, 1, T);
        if ((st = rls_update(s1, x, y)) || (st = rls_update(s2, x, y))) {
            fclose(f);
            return mlphys_run_fail("03-woodbury", "rls_update", st);
        }
        fprintf(f, "%zu %.3f %.6f %.6f %.6f %.6f\n", i + 1, b0, gsl_vector_get(s1->beta, 0),
                sigma * sqrt(gsl_matrix_get(s1->P, 0, 0)), gsl_vector_get(s2->beta, 0),
                sigma * sqrt(gsl_matrix_get(s2->P, 0, 0)));
        if (i + 1 == N / 2)
            err_static = gsl_vector_get(s1->beta, 0) - 1.0;
    }
    err_final = gsl_vector_get(s2->beta, 0) - 1.5;
    fclose(f);
    printf("RLS stream (%zu readings, offset jumps 1 -> 1.5 at reading %zu): lambda = 1 gives b0 = %.3f at the end "
           "(stuck between), lambda = 0.98 gives %.3f (+- %.3f); before the jump lambda = 1 was off by %.4f "
           "(+- %.4f expected)\n", N, N / 2, gsl_vector_get(s1->beta, 0), 1.5 + err_final,
           sigma * sqrt(gsl_matrix_get(s2->P, 0, 0)), err_static, sigma / sqrt(N / 2.0));
    rls_free(s1), rls_free(s2), gsl_matrix_free(X0), gsl_vector_free(y0), gsl_vector_free(x);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc;
    gsl_rng_set(rng, 303);
    if ((rc = timing(argv[1], rng)))
        goto done;
    gsl_rng_set(rng, 304);
    if ((rc = accuracy(argv[1], rng)))
        goto done;
    gsl_rng_set(rng, 305);
    if ((rc = rls_stream(argv[1], rng)))
        goto done;
    printf("wrote %s/timing.dat, timing_fit.gp, accuracy.dat, rls.dat\n", argv[1]);
done:
    gsl_rng_free(rng);
    return rc;
}
