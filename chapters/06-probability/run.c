/*
 * Chapter 06 experiment: the diagnostic test, characteristic functions, and the CLT.
 * Uses whichever probability.c was built (yours with `make run CH=06-probability`, the
 * reference with IMPL=solutions).  Usage: run OUTDIR.
 * Writes OUTDIR/bayes.dat, cf.dat, clt.dat.
 * Seeds: gsl_rng_mt19937 with seed 606 (characteristic functions) and 607 (CLT).
 */
#include "probability.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* x[k] = mean of m consecutive entries of draws */
static void block_means(const gsl_vector *draws, size_t m, gsl_vector *x)
{
    for (size_t k = 0; k < x->size; k++) {
        double s = 0;
        for (size_t j = 0; j < m; j++)
            s += gsl_vector_get(draws, k * m + j);
        gsl_vector_set(x, k, s / (double)m);
    }
}

static double max_dev(const gsl_vector *re, const gsl_vector *im, const gsl_vector *t, double (*phi)(double))
{
    double d = 0;
    for (size_t j = 0; j < t->size; j++)
        d = fmax(d, hypot(gsl_vector_get(re, j) - phi(gsl_vector_get(t, j)), gsl_vector_get(im, j)));
    return d;
}
static double phi_gauss(double t) { return exp(-0.5 * t * t); }
static double phi_gauss_mean10(double t) { return exp(-0.05 * t * t); }
static double phi_cauchy(double t) { return exp(-fabs(t)); }

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

    /* 1. Bayes: P(ill | k positive tests) against the prevalence, sensitivity 0.9, false
     *    positives 0.09 (likelihood ratio 10 per positive test). */
    gsl_vector *prior = gsl_vector_alloc(2), *like = gsl_vector_alloc(2);
    gsl_vector_set(like, 0, 0.9), gsl_vector_set(like, 1, 0.09);
    if (!(f = mlphys_open_out(out, "bayes.dat")))
        return 1;
    fprintf(f, "# prevalence  P(ill|+)  P(ill|++)  P(ill|+++)   (sensitivity 0.9, false positives 0.09)\n");
    for (int i = 0; i <= 80; i++) {
        double prev = pow(10.0, -4.0 + 4.0 * i / 80.0);
        gsl_vector_set(prior, 0, prev), gsl_vector_set(prior, 1, 1 - prev);
        fprintf(f, "%.6e", prev);
        for (int k = 0; k < 3; k++) {
            if ((st = prob_bayes_update(prior, like, prior, NULL)))
                return mlphys_run_fail("06-probability", "prob_bayes_update", st);
            fprintf(f, " %.6e", gsl_vector_get(prior, 0));
        }
        fprintf(f, "\n");
    }
    fclose(f);
    double ev;
    gsl_vector_set(prior, 0, 0.01), gsl_vector_set(prior, 1, 0.99);
    if ((st = prob_bayes_update(prior, like, prior, &ev)))
        return mlphys_run_fail("06-probability", "prob_bayes_update", st);
    printf("diagnostic test (prevalence 1%%, sensitivity 90%%, 9%% false positives): P(+) = %.4f, "
           "P(ill | +) = %.4f (by hand 10/109 = 0.0917)\n", ev, gsl_vector_get(prior, 0));
    if ((st = prob_bayes_update(prior, like, prior, NULL)))
        return mlphys_run_fail("06-probability", "prob_bayes_update", st);
    printf("  after a second positive test: P(ill | ++) = %.4f (by hand 100/199 = 0.5025)\n",
           gsl_vector_get(prior, 0));

    /* 2. Characteristic functions: N(0,1) and Cauchy samples, and means of 10 of each. */
    const size_t n = 100000, m = 10, T = 101;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 606);
    gsl_vector *g = gsl_vector_alloc(n), *c = gsl_vector_alloc(n), *cd = gsl_vector_alloc(n * m);
    gsl_vector *gd = gsl_vector_alloc(n * m), *cm = gsl_vector_alloc(n), *gm = gsl_vector_alloc(n);
    for (size_t k = 0; k < n; k++)
        gsl_vector_set(g, k, gsl_ran_gaussian(rng, 1.0));
    for (size_t k = 0; k < n * m; k++)
        gsl_vector_set(gd, k, gsl_ran_gaussian(rng, 1.0));
    if ((st = prob_sample_cauchy(0.0, 1.0, rng, c)) || (st = prob_sample_cauchy(0.0, 1.0, rng, cd)))
        return mlphys_run_fail("06-probability", "prob_sample_cauchy", st);
    block_means(cd, m, cm);
    block_means(gd, m, gm);
    gsl_vector *t = gsl_vector_alloc(T), *re[4], *im[4];
    for (size_t j = 0; j < T; j++)
        gsl_vector_set(t, j, 5.0 * (double)j / (double)(T - 1));
    const gsl_vector *samples[4] = {g, c, cm, gm};
    for (int q = 0; q < 4; q++) {
        re[q] = gsl_vector_alloc(T), im[q] = gsl_vector_alloc(T);
        if ((st = prob_empirical_cf(samples[q], t, re[q], im[q])))
            return mlphys_run_fail("06-probability", "prob_empirical_cf", st);
    }
    if (!(f = mlphys_open_out(out, "cf.dat")))
        return 1;
    fprintf(f, "# t  Re,Im phi_n: gauss  cauchy  cauchy-mean-of-10  gauss-mean-of-10   (n = %zu each)\n", n);
    for (size_t j = 0; j < T; j++) {
        fprintf(f, "%.4f", gsl_vector_get(t, j));
        for (int q = 0; q < 4; q++)
            fprintf(f, " %.6f %.6f", gsl_vector_get(re[q], j), gsl_vector_get(im[q], j));
        fprintf(f, "\n");
    }
    fclose(f);
    printf("empirical CF, n = %zu, t in [0, 5]: max |phi_n - phi| = %.4f (N(0,1)), %.4f (Cauchy), "
           "%.4f (mean of 10 Cauchy vs exp(-|t|)), %.4f (mean of 10 Gaussians vs exp(-t^2/20))\n", n,
           max_dev(re[0], im[0], t, phi_gauss), max_dev(re[1], im[1], t, phi_cauchy),
           max_dev(re[2], im[2], t, phi_cauchy), max_dev(re[3], im[3], t, phi_gauss_mean10));

    /* 3. The CLT: histograms of standardised sums of m = 1, 2, 4, 16 uniforms. */
    const size_t ms[4] = {1, 2, 4, 16}, nb = 64;
    const double lo = -4, hi = 4, w = (hi - lo) / (double)nb;
    double hist[4][64] = {{0}}, ks[4];
    gsl_rng_set(rng, 607);
    for (int q = 0; q < 4; q++) {
        if ((st = prob_uniform_sums(ms[q], rng, g)))
            return mlphys_run_fail("06-probability", "prob_uniform_sums", st);
        for (size_t k = 0; k < n; k++) {
            double z = gsl_vector_get(g, k);
            if (z >= lo && z < hi)
                hist[q][(size_t)((z - lo) / w)] += 1.0 / ((double)n * w);
        }
        /* largest gap between the histogram and the normal density at the bin centres */
        ks[q] = 0;
        for (size_t b = 0; b < nb; b++) {
            double x = lo + (b + 0.5) * w;
            ks[q] = fmax(ks[q], fabs(hist[q][b] - exp(-0.5 * x * x) / sqrt(2 * M_PI)));
        }
    }
    if (!(f = mlphys_open_out(out, "clt.dat")))
        return 1;
    fprintf(f, "# z (bin centre)  density of (sum of m uniforms - m/2)/sqrt(m/12) for m = 1 2 4 16  (n = %zu, bin %.3f)\n", n, w);
    for (size_t b = 0; b < nb; b++)
        fprintf(f, "%.4f %.5f %.5f %.5f %.5f\n", lo + (b + 0.5) * w, hist[0][b], hist[1][b], hist[2][b], hist[3][b]);
    fclose(f);
    printf("CLT, n = %zu sums: largest |histogram - normal density| = %.3f, %.3f, %.3f, %.3f for m = 1, 2, 4, 16 "
           "(bin noise ~ %.3f)\n", n, ks[0], ks[1], ks[2], ks[3], sqrt(0.4 / ((double)n * w)));
    printf("wrote %s/bayes.dat, cf.dat, clt.dat\n", out);

    for (int q = 0; q < 4; q++)
        gsl_vector_free(re[q]), gsl_vector_free(im[q]);
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(g), gsl_vector_free(c);
    gsl_vector_free(cd), gsl_vector_free(gd), gsl_vector_free(cm), gsl_vector_free(gm), gsl_vector_free(t);
    gsl_rng_free(rng);
    return 0;
}
