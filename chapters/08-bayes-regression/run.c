/*
 * Chapter 08 experiment: learning a straight line one point at a time (Bishop, PRML Fig. 3.7).
 * Uses whichever bayes_regression.c was built (yours with `make run CH=08-bayes-regression`,
 * the reference with IMPL=solutions).  Usage: run OUTDIR.
 * Data: t = -0.3 + 0.5 x + N(0, 0.2^2), x uniform on [-1, 1]; alpha = 2, beta = 25; basis (1, x).
 * Writes OUTDIR/data.dat (the 20 points), like.dat and post.dat (densities on a (w0, w1) grid,
 * one gnuplot index per row), lines.dat (6 posterior samples per row, as segments in data
 * space), predictive.dat (predictive mean and sd against x after 0, 1, 2, 20 points).
 * Seed: gsl_rng_mt19937 with seed 808 (data), 809 (posterior samples).
 */
#include "bayes_regression.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NPTS 20
#define NROWS 4
#define GRID 121
static const size_t row_n[NROWS] = {0, 1, 2, NPTS};
static const double alpha = 2.0, beta = 25.0, w_true[2] = {-0.3, 0.5};

/* the 2-d Gaussian density N(w; m, S) */
static double gauss2(double w0, double w1, const gsl_vector *m, const gsl_matrix *S)
{
    double a = gsl_matrix_get(S, 0, 0), b = gsl_matrix_get(S, 0, 1), d = gsl_matrix_get(S, 1, 1);
    double det = a * d - b * b, u = w0 - gsl_vector_get(m, 0), v = w1 - gsl_vector_get(m, 1);
    double q = (d * u * u - 2 * b * u * v + a * v * v) / det;
    return exp(-0.5 * q) / (2 * M_PI * sqrt(det));
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

    /* 1. the data */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 808);
    gsl_matrix *Phi = gsl_matrix_alloc(NPTS, 2);
    gsl_vector *t = gsl_vector_alloc(NPTS);
    for (size_t n = 0; n < NPTS; n++) {
        double x = -1 + 2 * gsl_rng_uniform(rng);
        gsl_matrix_set(Phi, n, 0, 1.0), gsl_matrix_set(Phi, n, 1, x);
        gsl_vector_set(t, n, w_true[0] + w_true[1] * x + gsl_ran_gaussian(rng, 0.2));
    }
    if (!(f = mlphys_open_out(out, "data.dat")))
        return 1;
    fprintf(f, "# x t   (t = -0.3 + 0.5 x + N(0, 0.2^2), seed 808)\n");
    for (size_t n = 0; n < NPTS; n++)
        fprintf(f, "%.6f %.6f\n", gsl_matrix_get(Phi, n, 1), gsl_vector_get(t, n));
    fclose(f);

    /* 2. sequential learning: snapshots of (m, S) after 0, 1, 2, 20 points */
    gsl_vector *m[NROWS], *mb = gsl_vector_alloc(2), *mc = gsl_vector_alloc(2);
    gsl_matrix *S[NROWS], *Sb = gsl_matrix_alloc(2, 2), *Sc = gsl_matrix_alloc(2, 2);
    if ((st = blr_prior(alpha, mc, Sc)))
        return mlphys_run_fail("08-bayes-regression", "blr_prior", st);
    for (size_t r = 0, n = 0; r < NROWS; r++) {
        for (; n < row_n[r]; n++) {
            gsl_vector_const_view phi = gsl_matrix_const_row(Phi, n);
            if ((st = blr_update(&phi.vector, gsl_vector_get(t, n), beta, mc, Sc)))
                return mlphys_run_fail("08-bayes-regression", "blr_update", st);
        }
        m[r] = gsl_vector_alloc(2), S[r] = gsl_matrix_alloc(2, 2);
        gsl_vector_memcpy(m[r], mc), gsl_matrix_memcpy(S[r], Sc);
    }
    if ((st = blr_posterior(Phi, t, alpha, beta, mb, Sb)))
        return mlphys_run_fail("08-bayes-regression", "blr_posterior", st);
    double diff = 0;
    for (size_t i = 0; i < 2; i++) {
        diff = fmax(diff, fabs(gsl_vector_get(mb, i) - gsl_vector_get(m[3], i)));
        for (size_t j = 0; j < 2; j++)
            diff = fmax(diff, fabs(gsl_matrix_get(Sb, i, j) - gsl_matrix_get(S[3], i, j)));
    }
    printf("after %d points: m_N = (%.4f, %.4f) +- (%.4f, %.4f), truth (-0.3, 0.5): z = (%.2f, %.2f); "
           "sequential vs batch differ by %.1e\n", NPTS, gsl_vector_get(mb, 0), gsl_vector_get(mb, 1),
           sqrt(gsl_matrix_get(Sb, 0, 0)), sqrt(gsl_matrix_get(Sb, 1, 1)),
           (gsl_vector_get(mb, 0) - w_true[0]) / sqrt(gsl_matrix_get(Sb, 0, 0)),
           (gsl_vector_get(mb, 1) - w_true[1]) / sqrt(gsl_matrix_get(Sb, 1, 1)), diff);
    double logev;
    if ((st = blr_log_evidence(Phi, t, alpha, beta, &logev)))
        return mlphys_run_fail("08-bayes-regression", "blr_log_evidence", st);
    printf("log evidence of the %d points: %.3f (per point %.3f)\n", NPTS, logev, logev / NPTS);

    /* 3. likelihood of the latest point and posterior density on a (w0, w1) grid */
    FILE *fl = mlphys_open_out(out, "like.dat"), *fp = mlphys_open_out(out, "post.dat");
    if (!fl || !fp)
        return 1;
    fprintf(fl, "# w0 w1 p(t_n | x_n, w) (unnormalised, max 1); index r-1 = row r (after 1, 2, 20 points)\n");
    fprintf(fp, "# w0 w1 N(w; m_N, S_N); index r = row r (after 0, 1, 2, 20 points)\n");
    for (size_t r = 0; r < NROWS; r++) {
        for (size_t i = 0; i < GRID; i++) {
            double w0 = -1 + 2.0 * (double)i / (GRID - 1);
            for (size_t j = 0; j < GRID; j++) {
                double w1 = -1 + 2.0 * (double)j / (GRID - 1);
                fprintf(fp, "%.4f %.4f %.5g\n", w0, w1, gauss2(w0, w1, m[r], S[r]));
                if (r > 0) {
                    size_t n = row_n[r] - 1;
                    double res = gsl_vector_get(t, n) - w0 - w1 * gsl_matrix_get(Phi, n, 1);
                    fprintf(fl, "%.4f %.4f %.5g\n", w0, w1, exp(-0.5 * beta * res * res));
                }
            }
            fprintf(fp, "\n");
            if (r > 0)
                fprintf(fl, "\n");
        }
        fprintf(fp, "\n");
        if (r > 0)
            fprintf(fl, "\n");
    }
    fclose(fl), fclose(fp);

    /* 4. six lines y = w0 + w1 x with w ~ N(m_N, S_N) per row: w = m + L z, S = L L^T */
    gsl_rng_set(rng, 809);
    if (!(f = mlphys_open_out(out, "lines.dat")))
        return 1;
    fprintf(f, "# x y of 6 sampled lines per row (segments from x = -1 to 1); index r = row r\n");
    gsl_matrix *L = gsl_matrix_alloc(2, 2);
    for (size_t r = 0; r < NROWS; r++) {
        gsl_matrix_memcpy(L, S[r]);
        gsl_linalg_cholesky_decomp1(L);
        for (int k = 0; k < 6; k++) {
            double z0 = gsl_ran_gaussian(rng, 1), z1 = gsl_ran_gaussian(rng, 1);
            double w0 = gsl_vector_get(m[r], 0) + gsl_matrix_get(L, 0, 0) * z0;
            double w1 = gsl_vector_get(m[r], 1) + gsl_matrix_get(L, 1, 0) * z0 + gsl_matrix_get(L, 1, 1) * z1;
            fprintf(f, "-1 %.5f\n1 %.5f\n\n", w0 - w1, w0 + w1);
        }
        fprintf(f, "\n");
    }
    fclose(f);

    /* 5. predictive mean and standard deviation against x */
    if (!(f = mlphys_open_out(out, "predictive.dat")))
        return 1;
    fprintf(f, "# x  mean sd after 0, 1, 2, 20 points   (1/sqrt(beta) = 0.2 is the noise floor)\n");
    gsl_vector *phi = gsl_vector_alloc(2);
    double sd_half[NROWS];
    for (int i = 0; i <= 100; i++) {
        double x = -1 + 0.02 * i;
        gsl_vector_set(phi, 0, 1), gsl_vector_set(phi, 1, x);
        fprintf(f, "%.3f", x);
        for (size_t r = 0; r < NROWS; r++) {
            double mu, var;
            if ((st = blr_predict(phi, m[r], S[r], beta, &mu, &var)))
                return mlphys_run_fail("08-bayes-regression", "blr_predict", st);
            fprintf(f, " %.5f %.5f", mu, sqrt(var));
            if (i == 75)
                sd_half[r] = sqrt(var);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    printf("predictive sd at x = 0.5 after 0, 1, 2, 20 points: %.3f %.3f %.3f %.3f (noise floor 0.200)\n",
           sd_half[0], sd_half[1], sd_half[2], sd_half[3]);
    printf("wrote %s/data.dat, like.dat, post.dat, lines.dat, predictive.dat\n", out);

    for (size_t r = 0; r < NROWS; r++)
        gsl_vector_free(m[r]), gsl_matrix_free(S[r]);
    gsl_vector_free(mb), gsl_vector_free(mc), gsl_matrix_free(Sb), gsl_matrix_free(Sc), gsl_matrix_free(L);
    gsl_matrix_free(Phi), gsl_vector_free(t), gsl_vector_free(phi), gsl_rng_free(rng);
    return 0;
}
