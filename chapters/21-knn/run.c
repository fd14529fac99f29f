/*
 * Chapter 21 experiment: nearest-neighbour classification of the digits, the Cover-Hart bound,
 * and why distances stop discriminating in high dimension.  Uses whichever knn.c was built
 * (yours with `make run CH=21-knn`, the reference with IMPL=solutions).
 * Usage: run OUTDIR.  Writes into OUTDIR:
 *   accuracy.dat     leave-one-out accuracy on the 1797 digits for k = 1 .. 25
 *   confusion.dat    the 10 x 10 confusion matrix of 1-NN leave-one-out (rows: true digit)
 *   cover_hart.dat   1-NN test error on two Gaussian classes vs the Bayes error R*, with the
 *                    bounds R* and 2R*(1 - R*) and the asymptotic error E[2 eta (1 - eta)]
 *   contrast.dat     spread of squared distances between uniform random points vs dimension
 * Seeds: gsl_rng_mt19937 with seed 2101 (Cover-Hart) and 2102 (contrast).
 */
#include "knn.h"
#include "mlphys_data.h"
#include "mlphys_run.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define KMAX 25

/* Integrand of the asymptotic 1-NN error for classes N(-mu, 1), N(mu, 1) with equal priors:
 * p(x) 2 eta(x) (1 - eta(x)), eta = 1 / (1 + exp(-2 mu x)). */
static double asym_integrand(double x, void *p)
{
    double mu = *(double *)p, eta = 1.0 / (1.0 + exp(-2.0 * mu * x));
    double px = 0.5 * (gsl_ran_gaussian_pdf(x - mu, 1.0) + gsl_ran_gaussian_pdf(x + mu, 1.0));
    return px * 2.0 * eta * (1.0 - eta);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    int st;
    FILE *f;

    /* 1. Leave-one-out on the digits for every k at once. */
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const size_t n = all->size1;
    gsl_matrix_view X = gsl_matrix_submatrix(all, 0, 0, n, 64);
    size_t *lab = malloc(n * sizeof *lab), *pred = malloc(n * KMAX * sizeof *pred), *p1 = malloc(n * sizeof *p1);
    for (size_t i = 0; i < n; i++)
        lab[i] = (size_t)gsl_matrix_get(all, i, 64);
    if ((st = knn_loo(&X.matrix, lab, 10, KMAX, pred)))
        return mlphys_run_fail("21-knn", "knn_loo", st);
    if (!(f = mlphys_open_out(out, "accuracy.dat")))
        return 1;
    fprintf(f, "# leave-one-out on %zu digits (raw pixels, Euclidean), ties to the nearest class\n"
               "# k  correct  accuracy  binomial se\n", n);
    size_t bestk = 1, bestc = 0;
    for (size_t k = 1; k <= KMAX; k++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            c += pred[i * KMAX + k - 1] == lab[i];
        double a = (double)c / n;
        fprintf(f, "%zu %zu %.6f %.6f\n", k, c, a, sqrt(a * (1 - a) / n));
        if (c > bestc)
            bestc = c, bestk = k;
        if (k == 1)
            printf("digits, leave-one-out: 1-NN %zu of %zu right (%.2f%%)\n", c, n, 100.0 * a);
    }
    fclose(f);
    size_t ck = 0;
    for (size_t i = 0; i < n; i++)
        ck += pred[i * KMAX + KMAX - 1] == lab[i];
    printf("  best k = %zu: %zu right (%.2f%%); k = %d: %zu right\n", bestk, bestc, 100.0 * bestc / n, KMAX, ck);

    /* 2. The confusion matrix of 1-NN. */
    size_t C[100];
    for (size_t i = 0; i < n; i++)
        p1[i] = pred[i * KMAX];
    if ((st = knn_confusion(lab, p1, n, 10, C)))
        return mlphys_run_fail("21-knn", "knn_confusion", st);
    if (!(f = mlphys_open_out(out, "confusion.dat")))
        return 1;
    fprintf(f, "# 1-NN leave-one-out on the digits: row = true digit, column = predicted digit\n");
    size_t worst = 0, wt = 0, wp = 0;
    for (size_t t = 0; t < 10; t++) {
        for (size_t p = 0; p < 10; p++) {
            fprintf(f, "%zu%c", C[t * 10 + p], p == 9 ? '\n' : ' ');
            if (t != p && C[t * 10 + p] > worst)
                worst = C[t * 10 + p], wt = t, wp = p;
        }
    }
    fclose(f);
    printf("  most frequent confusion: %zu true %zus predicted as %zu\n", worst, wt, wp);

    /* 3. Cover-Hart: 1-NN error against the Bayes error on two Gaussian classes in 2-D. */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2101);
    const size_t ntr = 2000, nte = 10000;
    gsl_matrix *Xt = gsl_matrix_alloc(ntr, 2), *Qt = gsl_matrix_alloc(nte, 2);
    size_t *lx = malloc(ntr * sizeof *lx), *lq = malloc(nte * sizeof *lq), *idx = malloc(nte * sizeof *idx);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(200);
    if (!(f = mlphys_open_out(out, "cover_hart.dat")))
        return 1;
    fprintf(f, "# two classes N(+-mu e1, I) in 2-D, equal priors; %zu training, %zu test points (seed 2101)\n"
               "# R*  mu  1-NN test error  se  lower bound R*  upper bound 2R*(1-R*)  asymptotic E[2 eta(1-eta)]\n",
            ntr, nte);
    for (int s = 1; s <= 16; s++) {
        double Rs = 0.025 * s, mu = -gsl_cdf_ugaussian_Pinv(Rs);
        for (size_t i = 0; i < ntr + nte; i++) {
            size_t c = gsl_rng_uniform_int(rng, 2), r = i < ntr ? i : i - ntr;
            gsl_matrix *A = i < ntr ? Xt : Qt;
            (i < ntr ? lx : lq)[r] = c;
            gsl_matrix_set(A, r, 0, (2.0 * c - 1.0) * mu + gsl_ran_gaussian_ziggurat(rng, 1.0));
            gsl_matrix_set(A, r, 1, gsl_ran_gaussian_ziggurat(rng, 1.0));
        }
        if ((st = knn_brute(Xt, Qt, 1, 0, idx, NULL)))
            return mlphys_run_fail("21-knn", "knn_brute", st);
        size_t wrong = 0;
        for (size_t i = 0; i < nte; i++)
            wrong += lx[idx[i]] != lq[i];
        double R = (double)wrong / nte, asym, aerr;
        gsl_function F = {asym_integrand, &mu};
        gsl_integration_qagi(&F, 1e-12, 1e-10, 200, ws, &asym, &aerr);
        fprintf(f, "%.4f %.5f %.5f %.5f %.5f %.5f %.5f\n", Rs, mu, R, sqrt(R * (1 - R) / nte), Rs, 2 * Rs * (1 - Rs), asym);
        if (s == 4)
            printf("Cover-Hart, R* = 0.1: 1-NN test error %.4f (asymptotic %.4f, bounds [0.1, 0.18])\n", R, asym);
    }
    fclose(f);
    gsl_integration_workspace_free(ws);

    /* 4. Distance concentration: sd / mean of |q - x|^2 for uniform points in [0, 1]^d. */
    gsl_rng_set(rng, 2102);
    if (!(f = mlphys_open_out(out, "contrast.dat")))
        return 1;
    fprintf(f, "# 1000 uniform points and 100 uniform queries in [0,1]^d (seed 2102)\n"
               "# d  sd/mean of |q-x|^2  theory sqrt(7/(5d))  mean over queries of (max - min)/min of |q-x|^2\n");
    const size_t dims[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256};
    for (size_t a = 0; a < sizeof dims / sizeof *dims; a++) {
        const size_t d = dims[a], np = 1000, nq = 100;
        gsl_matrix *P = gsl_matrix_alloc(np, d), *Qd = gsl_matrix_alloc(nq, d), *D = gsl_matrix_alloc(nq, np);
        for (size_t i = 0; i < np; i++)
            for (size_t c = 0; c < d; c++)
                gsl_matrix_set(P, i, c, gsl_rng_uniform(rng));
        for (size_t i = 0; i < nq; i++)
            for (size_t c = 0; c < d; c++)
                gsl_matrix_set(Qd, i, c, gsl_rng_uniform(rng));
        if ((st = knn_sqdist(Qd, P, D)))
            return mlphys_run_fail("21-knn", "knn_sqdist", st);
        double s1 = 0, s2 = 0, ratio = 0;
        for (size_t i = 0; i < nq; i++) {
            double mn = INFINITY, mx = 0;
            for (size_t j = 0; j < np; j++) {
                double v = gsl_matrix_get(D, i, j);
                s1 += v, s2 += v * v, mn = fmin(mn, v), mx = fmax(mx, v);
            }
            ratio += (mx - mn) / mn / nq;
        }
        double mean = s1 / (np * nq), sd = sqrt(s2 / (np * nq) - mean * mean);
        fprintf(f, "%zu %.6f %.6f %.6f\n", d, sd / mean, sqrt(1.4 / d), ratio);
        if (d == 2 || d == 256)
            printf("distances in d = %zu: sd/mean of |q-x|^2 = %.3f (theory %.3f), (max - min)/min = %.2f\n", d,
                   sd / mean, sqrt(1.4 / d), ratio);
        gsl_matrix_free(P), gsl_matrix_free(Qd), gsl_matrix_free(D);
    }
    fclose(f);
    printf("wrote %s/accuracy.dat, confusion.dat, cover_hart.dat, contrast.dat\n", out);

    gsl_matrix_free(Xt), gsl_matrix_free(Qt), gsl_matrix_free(all);
    free(lx), free(lq), free(idx), free(lab), free(pred), free(p1);
    gsl_rng_free(rng);
    return 0;
}
