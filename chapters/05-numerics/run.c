/*
 * Chapter 05 experiment: how the cost of C = A B grows with n, and how many digits a solve
 * loses as the condition number grows.
 * Uses whichever numerics.c was built (yours with `make run CH=05-numerics`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes OUTDIR/timing.dat, hilbert.dat, random.dat.
 * Timings are CPU time (clock()), best of 3 batches of repeats, because the machine may be shared.
 * Seeds: gsl_rng_mt19937 with seed 505 (timing matrices) and 2024 + draw index (random
 * matrices of prescribed condition number), so every run uses the same matrices.
 */
#include "numerics.h"
#include "mlphys_run.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { NAIVE, BLOCKED, GSL };

/* CPU time in seconds of one product: the best of 3 batches, each batch repeating the product
 * until it has run for >= 20 ms, so that small sizes are not lost in the clock's resolution. */
static int time_product(int how, const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C, double *best)
{
    *best = INFINITY;
    for (int batch = 0; batch < 3; batch++) {
        long reps = 0;
        clock_t t0 = clock();
        double t;
        do {
            int st = how == NAIVE     ? numerics_matmul_naive(A, B, C, NULL)
                     : how == BLOCKED ? numerics_matmul_blocked(A, B, C)
                                      : gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, B, 0.0, C);
            if (st)
                return st;
            reps++;
            t = (double)(clock() - t0) / CLOCKS_PER_SEC;
        } while (t < 0.02);
        *best = fmin(*best, t / (double)reps);
    }
    return GSL_SUCCESS;
}

/* Least-squares slope of log t against log n over the rows with n >= nmin and t known. */
static double loglog_slope(size_t rows, const double *n, const double *t, double nmin)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (size_t i = 0; i < rows; i++)
        if (n[i] >= nmin && isfinite(t[i])) {
            double x = log(n[i]), y = log(t[i]);
            sx += x, sy += y, sxx += x * x, sxy += x * y, m++;
        }
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

/* A = P diag(sigma) Q^T with P, Q random orthogonal (Q of a Gaussian QR), sigma_j geometric
 * from 1 down to 1/kappa: a random n x n matrix of condition number kappa. */
static void random_with_kappa(gsl_matrix *A, double kappa, gsl_rng *rng)
{
    const size_t n = A->size1;
    gsl_matrix *P = gsl_matrix_alloc(n, n), *Q = gsl_matrix_alloc(n, n), *G = gsl_matrix_alloc(n, n);
    gsl_matrix *R = gsl_matrix_alloc(n, n);
    gsl_vector *tau = gsl_vector_alloc(n);
    gsl_matrix *which[2] = {P, Q};
    for (int w = 0; w < 2; w++) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                gsl_matrix_set(G, i, j, gsl_ran_gaussian(rng, 1.0));
        gsl_linalg_QR_decomp(G, tau);
        gsl_linalg_QR_unpack(G, tau, which[w], R);
    }
    for (size_t j = 0; j < n; j++) {
        gsl_vector_view c = gsl_matrix_column(P, j);
        gsl_vector_scale(&c.vector, pow(kappa, -(double)j / (double)(n - 1)));
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, P, Q, 0.0, A);
    gsl_matrix_free(P), gsl_matrix_free(Q), gsl_matrix_free(G), gsl_matrix_free(R), gsl_vector_free(tau);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    const double eps = DBL_EPSILON;
    int st;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    /* 1. Time against n: naive, blocked, and GSL's own dgemm (its reference CBLAS here; see
     *    `make bench` for OpenBLAS).  The naive loop stops at 512 to keep the run short. */
    const size_t sizes[] = {24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768};
    const size_t rows = sizeof sizes / sizeof *sizes, naive_max = 512;
    double nn[sizeof sizes / sizeof *sizes], tt[3][sizeof sizes / sizeof *sizes];
    FILE *f = mlphys_open_out(out, "timing.dat");
    if (!f)
        return 1;
    fprintf(f, "# n  t_naive_s  t_blocked_s  t_gsl_s   (CPU seconds per product, best of 3 batches; NaN = not run)\n");
    gsl_rng_set(rng, 505);
    for (size_t s = 0; s < rows; s++) {
        const size_t n = sizes[s];
        gsl_matrix *A = gsl_matrix_alloc(n, n), *B = gsl_matrix_alloc(n, n), *C = gsl_matrix_alloc(n, n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                gsl_matrix_set(A, i, j, gsl_ran_gaussian(rng, 1.0)), gsl_matrix_set(B, i, j, gsl_ran_gaussian(rng, 1.0));
        nn[s] = (double)n;
        for (int how = NAIVE; how <= GSL; how++) {
            tt[how][s] = NAN;
            if (how == NAIVE && n > naive_max)
                continue;
            if ((st = time_product(how, A, B, C, &tt[how][s])))
                return mlphys_run_fail("05-numerics", how == NAIVE ? "numerics_matmul_naive" : "numerics_matmul_blocked", st);
        }
        fprintf(f, "%zu %.6e %.6e %.6e\n", n, tt[NAIVE][s], tt[BLOCKED][s], tt[GSL][s]);
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C);
    }
    fclose(f);
    const size_t i512 = 9; /* sizes[9] = 512 */
    const double fl512 = 2.0 * 512 * 512 * 512;
    printf("time of C = A B, slope of log t vs log n for n >= 64: naive %.2f, blocked %.2f, GSL %.2f "
           "(flop count: 3)\n", loglog_slope(rows, nn, tt[NAIVE], 64), loglog_slope(rows, nn, tt[BLOCKED], 64),
           loglog_slope(rows, nn, tt[GSL], 64));
    printf("at n = 512: naive %.2f GFLOP/s, blocked %.2f GFLOP/s, GSL (reference CBLAS) %.2f GFLOP/s\n",
           fl512 / tt[NAIVE][i512] / 1e9, fl512 / tt[BLOCKED][i512] / 1e9, fl512 / tt[GSL][i512] / 1e9);

    /* 2. Hilbert matrices: kappa_2 and the error of solving H x = H 1. */
    if (!(f = mlphys_open_out(out, "hilbert.dat")))
        return 1;
    fprintf(f, "# n  kappa2  relerr   (solve H x = H * ones by LU)\n");
    double kap[14] = {0};
    for (size_t n = 2; n <= 13; n++) {
        gsl_matrix *H = gsl_matrix_alloc(n, n);
        gsl_vector *ones = gsl_vector_alloc(n);
        gsl_vector_set_all(ones, 1.0);
        double r;
        if ((st = numerics_hilbert(H)))
            return mlphys_run_fail("05-numerics", "numerics_hilbert", st);
        if ((st = numerics_cond2(H, &kap[n])))
            return mlphys_run_fail("05-numerics", "numerics_cond2", st);
        if ((st = numerics_solve_relerr(H, ones, &r)))
            return mlphys_run_fail("05-numerics", "numerics_solve_relerr", st);
        fprintf(f, "%zu %.6e %.6e\n", n, kap[n], r);
        gsl_matrix_free(H), gsl_vector_free(ones);
    }
    fclose(f);
    printf("kappa_2(Hilbert): n = 8: %.4g (literature 1.53e10), n = 10: %.4g (1.60e13), n = 12: %.4g "
           "(exact 1.713e16: s_min is below eps s_max, double precision cannot resolve it)\n",
           kap[8], kap[10], kap[12]);

    /* 3. Random 40 x 40 matrices with prescribed kappa = 10^0 .. 10^16, 3 draws each. */
    if (!(f = mlphys_open_out(out, "random.dat")))
        return 1;
    fprintf(f, "# kappa_prescribed  kappa2_computed  relerr   (n = 40, x_true Gaussian)\n");
    const size_t n = 40;
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    gsl_vector *x = gsl_vector_alloc(n);
    double worst = 0;
    for (int e = 0; e <= 32; e++)
        for (int d = 0; d < 3; d++) {
            const double kappa = pow(10.0, 0.5 * e);
            double k, r;
            gsl_rng_set(rng, 2024 + (unsigned long)(3 * e + d));
            random_with_kappa(A, kappa, rng);
            for (size_t i = 0; i < n; i++)
                gsl_vector_set(x, i, gsl_ran_gaussian(rng, 1.0));
            if ((st = numerics_cond2(A, &k)))
                return mlphys_run_fail("05-numerics", "numerics_cond2", st);
            if ((st = numerics_solve_relerr(A, x, &r)))
                return mlphys_run_fail("05-numerics", "numerics_solve_relerr", st);
            fprintf(f, "%.6e %.6e %.6e\n", kappa, k, r);
            if (kappa < 1e14)
                worst = fmax(worst, r / (kappa * eps));
        }
    fclose(f);
    printf("random 40x40, kappa = 1 .. 1e14: max relerr / (kappa eps) = %.2f (rule of thumb: lose "
           "log10(kappa) digits)\n", worst);
    printf("wrote %s/timing.dat, hilbert.dat, random.dat\n", out);
    gsl_matrix_free(A), gsl_vector_free(x), gsl_rng_free(rng);
    return 0;
}
