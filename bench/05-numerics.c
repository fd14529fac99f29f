/*
 * Chapter 05 benchmark: GFLOP/s of the naive triple loop, the blocked product, and OpenBLAS's
 * dgemm (through gsl_blas_dgemm) in one run, single-threaded, on the same square matrices.
 *
 * Built by `make bench CH=05-numerics`: linked with the reference solution and with GSL on
 * OpenBLAS (-lopenblas), compiled -O2 -march=native, run with OPENBLAS_NUM_THREADS=1.
 * Each timing is the best of several repeats of CPU time (clock()), because the machine is
 * shared and wall time is noisy; the work per size is about 2n^3 flops.  The whole run takes
 * well under a minute.  Every product is checked against OpenBLAS before it is timed.
 */
#include "numerics.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { NAIVE, BLOCKED, BLAS };
static const char *const names[] = {"naive", "blocked", "OpenBLAS"};

static int multiply(int how, const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C)
{
    switch (how) {
    case NAIVE:
        return numerics_matmul_naive(A, B, C, NULL);
    case BLOCKED:
        return numerics_matmul_blocked(A, B, C);
    default:
        return gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, B, 0.0, C);
    }
}

/* Best CPU time of a few repeats, repeating until about 0.3 s of CPU time has been spent
 * (so that small sizes are timed over many calls), at most `maxrep` timed calls. */
static double best_seconds(int how, const gsl_matrix *A, const gsl_matrix *B, gsl_matrix *C,
                           int maxrep)
{
    double best = INFINITY, spent = 0;
    for (int r = 0; r < maxrep && (r < 2 || spent < 0.3); r++) {
        clock_t t0 = clock();
        if (multiply(how, A, B, C)) {
            fprintf(stderr, "bench: %s failed\n", names[how]);
            exit(1);
        }
        double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
        spent += t;
        best = t < best ? t : best;
    }
    return best;
}

int main(void)
{
    gsl_set_error_handler_off();
    const size_t sizes[] = {128, 256, 512, 1024};
    const size_t naive_max = 512; /* the naive loop at n = 1024 would take ~10 s by itself */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);

    printf("C = A B, square n x n, double precision, one thread, best CPU time of repeats\n");
    /* The same macros choose the width of the solution's register tile (8 x NR). */
#if defined(__AVX512F__)
    printf("compiled for AVX-512: the blocked kernel uses 8 x 8 register tiles\n");
#elif defined(__AVX__)
    printf("compiled for AVX/AVX2: the blocked kernel uses 8 x 4 register tiles\n");
#else
    printf("compiled for SSE2: the blocked kernel uses 8 x 2 register tiles\n");
#endif
    printf("%6s %14s %14s %14s %18s\n", "n", "naive GFLOP/s", "blocked GFLOP/s", "OpenBLAS GFLOP/s",
           "blocked/OpenBLAS");
    double last_ratio = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        const size_t n = sizes[s];
        gsl_matrix *A = gsl_matrix_alloc(n, n), *B = gsl_matrix_alloc(n, n);
        gsl_matrix *C = gsl_matrix_alloc(n, n), *R = gsl_matrix_alloc(n, n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                gsl_matrix_set(A, i, j, gsl_ran_gaussian(rng, 1.0));
                gsl_matrix_set(B, i, j, gsl_ran_gaussian(rng, 1.0));
            }
        /* correctness first: each kernel against OpenBLAS, max |diff| / max |C| */
        multiply(BLAS, A, B, R);
        double rmax = fmax(gsl_matrix_max(R), -gsl_matrix_min(R));
        for (int how = NAIVE; how <= BLOCKED; how++) {
            if (how == NAIVE && n > naive_max)
                continue;
            multiply(how, A, B, C);
            gsl_matrix_sub(C, R);
            double d = fmax(gsl_matrix_max(C), -gsl_matrix_min(C)) / rmax;
            if (!(d < 1e-12)) {
                fprintf(stderr, "bench: %s differs from OpenBLAS by %.3g (relative) at n = %zu\n",
                        names[how], d, n);
                return 1;
            }
        }
        const double flops = 2.0 * (double)n * (double)n * (double)n;
        double gf[3];
        for (int how = NAIVE; how <= BLAS; how++)
            gf[how] = how == NAIVE && n > naive_max
                          ? NAN
                          : flops / best_seconds(how, A, B, C, how == NAIVE ? 3 : 20) / 1e9;
        last_ratio = gf[BLOCKED] / gf[BLAS];
        if (isnan(gf[NAIVE]))
            printf("%6zu %14s %15.2f %16.2f %18.3f\n", n, "(skipped)", gf[BLOCKED], gf[BLAS], last_ratio);
        else
            printf("%6zu %14.2f %15.2f %16.2f %18.3f\n", n, gf[NAIVE], gf[BLOCKED], gf[BLAS], last_ratio);
        fflush(stdout);
        gsl_matrix_free(A), gsl_matrix_free(B), gsl_matrix_free(C), gsl_matrix_free(R);
    }
    printf("blocked reaches %.0f%% of single-threaded OpenBLAS at n = %zu\n", 100 * last_ratio,
           sizes[sizeof sizes / sizeof *sizes - 1]);
    gsl_rng_free(rng);
    return 0;
}
