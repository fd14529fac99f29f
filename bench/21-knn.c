/*
 * Chapter 21 benchmark, the C side: queries per second of the reference brute force
 * (knn_brute: blocked dgemm on OpenBLAS plus an insertion list) and k-d tree
 * (knn_kdtree_query), and the time of the full 1797-point 1-NN leave-one-out (knn_loo), on the
 * digits; then the crossover: brute force against the tree on uniform random points in
 * d = 2 .. 32.  bench/21-knn.py does the same with scikit-learn, and bench/21-knn.sh runs both
 * and prints the ratios.
 *
 * Built by `make bench CH=21-knn` (-O2 -march=native, GSL on OpenBLAS), run with one thread.
 * Times are the best CPU time (clock()) of repeats, each repeat at least 0.2 s of work.
 * Sizes (the same in the Python side): digits, every one of the 1797 digits queried against
 * all 1797 (itself included), k = 5; leave-one-out 1-NN; crossover: n = 20000 uniform points
 * in [0,1]^d, m = 2000 uniform queries, k = 5.  The tree has leaf_size 16 (each leaf holds
 * 8..16 points; scikit-learn's leaf_size = 8 gives leaves of 8..16 as well).
 * Prints lines for the driver:
 *   RESULT c brute_qps=<digits brute queries/s> kd_qps=<digits tree queries/s> loo_s=<s> loo_right=<count>
 *   CROSS c d=<d> brute_qps=<queries/s> kd_qps=<queries/s>
 */
#include "knn.h"
#include "mlphys_data.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define K 5
#define LEAF 16

static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

static void die(const char *what, int st)
{
    fprintf(stderr, "bench: %s failed: %s\n", what, gsl_strerror(st));
    exit(1);
}

/* best CPU seconds of one brute-force pass over Q */
static double time_brute(const gsl_matrix *X, const gsl_matrix *Q, size_t *idx)
{
    double best = 1e30, spent = 0;
    for (int r = 0; r < 20 && (r < 1 || spent < 0.6); r++) {
        double t0 = cpu();
        int st = knn_brute(X, Q, K, 0, idx, NULL);
        if (st)
            die("knn_brute", st);
        double t = cpu() - t0;
        spent += t, best = t < best ? t : best;
    }
    return best;
}

/* best CPU seconds of querying every row of Q in the tree (the build is not timed); checks
 * every answer against the brute-force one */
static double time_tree(const gsl_matrix *X, const gsl_matrix *Q, const size_t *want)
{
    knn_kdtree *t;
    int st = knn_kdtree_build(X, LEAF, &t);
    if (st)
        die("knn_kdtree_build", st);
    size_t idx[K];
    double best = 1e30, spent = 0;
    for (int r = 0; r < 20 && (r < 1 || spent < 0.6); r++) {
        double t0 = cpu();
        for (size_t i = 0; i < Q->size1; i++) {
            gsl_vector_const_view q = gsl_matrix_const_row(Q, i);
            if ((st = knn_kdtree_query(t, &q.vector, K, idx, NULL)))
                die("knn_kdtree_query", st);
            if (r == 0 && memcmp(idx, want + i * K, sizeof idx)) {
                fprintf(stderr, "bench: tree and brute force disagree at query %zu\n", i);
                exit(1);
            }
        }
        double tt = cpu() - t0;
        spent += tt, best = tt < best ? tt : best;
    }
    knn_kdtree_free(t);
    return best;
}

int main(void)
{
    gsl_set_error_handler_off();
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err)) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    const size_t n = all->size1;
    gsl_matrix *X = gsl_matrix_alloc(n, 64);
    size_t *lab = malloc(n * sizeof *lab), *idx = malloc(n * K * sizeof *idx), *pred = malloc(n * sizeof *pred);
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < 64; a++)
            gsl_matrix_set(X, i, a, gsl_matrix_get(all, i, a));
        lab[i] = (size_t)gsl_matrix_get(all, i, 64);
    }
    double tb = time_brute(X, X, idx), tk = time_tree(X, X, idx);
    double tl = 1e30, spent = 0;
    for (int r = 0; r < 20 && (r < 1 || spent < 0.6); r++) {
        double t0 = cpu();
        int st = knn_loo(X, lab, 10, 1, pred);
        if (st)
            die("knn_loo", st);
        double t = cpu() - t0;
        spent += t, tl = t < tl ? t : tl;
    }
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += pred[i] == lab[i];
    printf("  c: digits (1797 x 64), k = %d: brute force %.0f queries/s, k-d tree %.0f queries/s; "
           "1-NN leave-one-out %.4f s (%zu right)\n", K, n / tb, n / tk, tl, right);
    printf("RESULT c brute_qps=%.1f kd_qps=%.1f loo_s=%.6f loo_right=%zu\n", n / tb, n / tk, tl, right);

    /* crossover on uniform random points */
    const size_t N = 20000, M = 2000, dims[] = {2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 21);
    size_t *ci = malloc(M * K * sizeof *ci);
    for (size_t a = 0; a < sizeof dims / sizeof *dims; a++) {
        const size_t d = dims[a];
        gsl_matrix *P = gsl_matrix_alloc(N, d), *Q = gsl_matrix_alloc(M, d);
        for (size_t i = 0; i < N * d; i++)
            P->data[i] = gsl_rng_uniform(rng);
        for (size_t i = 0; i < M * d; i++)
            Q->data[i] = gsl_rng_uniform(rng);
        double b = time_brute(P, Q, ci), k = time_tree(P, Q, ci);
        printf("  c: uniform, n = %zu, d = %2zu: brute force %9.0f queries/s, k-d tree %9.0f queries/s\n", N, d,
               M / b, M / k);
        printf("CROSS c d=%zu brute_qps=%.1f kd_qps=%.1f\n", d, M / b, M / k);
        fflush(stdout);
        gsl_matrix_free(P), gsl_matrix_free(Q);
    }
    gsl_rng_free(rng);
    gsl_matrix_free(X), gsl_matrix_free(all);
    free(lab), free(idx), free(pred), free(ci);
    return 0;
}
