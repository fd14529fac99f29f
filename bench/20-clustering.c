/*
 * Chapter 20 benchmark: k-means (Lloyd's algorithm to convergence) of the reference solution,
 * single-threaded, on two data sets, from k-means++ starts that bench/20-clustering.py hands to
 * scikit-learn's KMeans unchanged, so both run the same iterations from the same centres.
 *
 * Built by `make bench CH=20-clustering`: linked with the reference solution and with GSL on
 * OpenBLAS (-lopenblas), compiled -O2 -march=native, run with OPENBLAS_NUM_THREADS=1 by
 * bench/20-clustering.sh.  Usage: 20-clustering [DIR]; with DIR it also writes the data and the
 * starting centres there (DIR/<set>.csv, DIR/<set>_init<r>.csv) for the Python side.
 * Data sets: the 1797 digits (d = 64, k = 10) and 20000 points from 20 overlapping Gaussian
 * blobs in d = 32 (k = 20, seed 20).  Starts: kmeans_init_pp with seeds 1..R.  Times are CPU
 * time (clock()) of kmeans_lloyd alone; the median over the R starts is printed, as a line
 *     RESULT c <set> ms=<median ms to convergence> iters=<median steps> inertia=<mean final inertia>
 */
#include "clustering.h"
#include "mlphys_data.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define R 7

static void write_csv(const char *dir, const char *name, const gsl_matrix *M)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench: cannot write %s\n", path);
        exit(1);
    }
    for (size_t i = 0; i < M->size1; i++)
        for (size_t a = 0; a < M->size2; a++)
            fprintf(f, "%.17g%c", gsl_matrix_get(M, i, a), a + 1 == M->size2 ? '\n' : ',');
    fclose(f);
}

static void run(const char *set, const gsl_matrix *X, size_t k, const char *dir)
{
    const size_t n = X->size1, d = X->size2;
    gsl_matrix *C0 = gsl_matrix_alloc(k, d), *C = gsl_matrix_alloc(k, d);
    size_t *lab = malloc(n * sizeof *lab);
    double ms[R], its[R], inertia = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    char name[256];
    if (dir) {
        snprintf(name, sizeof name, "%s.csv", set);
        write_csv(dir, name, X);
    }
    for (int r = 0; r < R; r++) {
        gsl_rng_set(rng, (unsigned long)r + 1);
        if (kmeans_init_pp(X, rng, C0)) {
            fprintf(stderr, "bench: kmeans_init_pp failed\n");
            exit(1);
        }
        if (dir) {
            snprintf(name, sizeof name, "%s_init%d.csv", set, r);
            write_csv(dir, name, C0);
        }
        /* best of 3 timings of the same fit (the machine is shared; CPU time still jitters) */
        double best = INFINITY, J = 0;
        size_t it = 0;
        for (int rep = 0; rep < 3; rep++) {
            gsl_matrix_memcpy(C, C0);
            clock_t t0 = clock();
            int st = kmeans_lloyd(X, C, lab, 300, &J, &it);
            double t = 1e3 * (double)(clock() - t0) / CLOCKS_PER_SEC;
            if (st) {
                fprintf(stderr, "bench: kmeans_lloyd returned %d\n", st);
                exit(1);
            }
            best = t < best ? t : best;
        }
        ms[r] = best, its[r] = (double)it, inertia += J / R;
        printf("  c %-7s start %d: %8.3f ms, %3zu steps, inertia %.8g\n", set, r + 1, best, it, J);
    }
    gsl_sort(ms, 1, R), gsl_sort(its, 1, R);
    printf("RESULT c %s ms=%.4f iters=%g inertia=%.10g n=%zu d=%zu k=%zu\n", set, ms[R / 2], its[R / 2], inertia, n, d, k);
    fflush(stdout);
    gsl_matrix_free(C0), gsl_matrix_free(C), free(lab), gsl_rng_free(rng);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *dir = argc > 1 ? argv[1] : NULL;
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    gsl_matrix *X = gsl_matrix_alloc(all->size1, 64);
    for (size_t i = 0; i < all->size1; i++)
        for (size_t a = 0; a < 64; a++)
            gsl_matrix_set(X, i, a, gsl_matrix_get(all, i, a));
    printf("k-means (Lloyd to convergence from the same k-means++ starts), C reference, one thread\n");
    run("digits", X, 10, dir);

    /* 20 blobs in 32-D: centres N(0, 3^2 I), unit-variance points, so neighbours overlap */
    const size_t n = 20000, d = 32, k = 20;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 20);
    gsl_matrix *M = gsl_matrix_alloc(k, d), *Y = gsl_matrix_alloc(n, d);
    for (size_t j = 0; j < k; j++)
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(M, j, a, gsl_ran_gaussian(rng, 3.0));
    for (size_t i = 0; i < n; i++) {
        size_t j = gsl_rng_uniform_int(rng, k);
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(Y, i, a, gsl_matrix_get(M, j, a) + gsl_ran_gaussian(rng, 1.0));
    }
    run("blobs", Y, k, dir);
    gsl_matrix_free(all), gsl_matrix_free(X), gsl_matrix_free(M), gsl_matrix_free(Y), gsl_rng_free(rng);
    return 0;
}
