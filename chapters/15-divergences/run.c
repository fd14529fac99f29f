/*
 * Chapter 15 experiment: divergences side by side, and a Gaussian fitted to a bimodal target by
 * forward and by reverse KL.  Uses whichever divergences.c was built (yours with
 * `make run CH=15-divergences`, the reference with IMPL=solutions).  Usage: run OUTDIR.
 * Writes into OUTDIR:
 *   tv_kl.dat       TV and KL for 400 random Gaussian pairs and 400 random discrete pairs
 *   fits.dat        the target pi(x) and the forward- and reverse-KL Gaussian fits on a grid
 *   landscape.dat   the reverse KL over (mu, log sigma), for contours
 *   paths.dat       SGD paths on that landscape from six starts
 *   w2.dat          the W_2 error of samples against the Gaussian closed form vs n
 * Seeds: gsl_rng_mt19937 with seed 1500 + experiment number, so every run is reproducible.
 */
#include "divergences.h"
#include "mlphys_run.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

#define CH "15-divergences"

/* The target of the variational fits: the same mixture as the tests. */
static const double MW[2] = {0.4, 0.6}, MM[2] = {-3.0, 3.0}, MS[2] = {0.6, 1.0};
static const div_mixture MIX = {2, MW, MM, MS};

static double mix_draw(gsl_rng *rng)
{
    size_t k = gsl_rng_uniform(rng) < MW[0] ? 0 : 1;
    return MM[k] + gsl_ran_gaussian(rng, MS[k]);
}

static void random_prob(gsl_vector *p, gsl_rng *rng, double alpha)
{
    double s = 0;
    for (size_t i = 0; i < p->size; i++) {
        double g = gsl_ran_gamma(rng, alpha, 1.0) + 1e-300; /* Dirichlet(alpha) */
        gsl_vector_set(p, i, g);
        s += g;
    }
    gsl_vector_scale(p, 1.0 / s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;
    FILE *f;

    /* 1. TV against KL over many pairs: Pinsker's TV <= sqrt(KL/2) must hold for every one. */
    if (!(f = mlphys_open_out(out, "tv_kl.dat")))
        return 1;
    gsl_rng_set(rng, 1501);
    fprintf(f, "# KL(p||q)  TV(p,q)   index 0: Gaussian pairs, index 1: discrete pairs (6 categories)\n");
    double worst = 0; /* max of TV / sqrt(KL/2) */
    for (int kind = 0; kind < 2; kind++) {
        gsl_vector *p = gsl_vector_alloc(6), *q = gsl_vector_alloc(6);
        for (int t = 0; t < 400; t++) {
            double kl, tv;
            if (kind == 0) {
                double m1 = gsl_ran_flat(rng, -2, 2), m2 = gsl_ran_flat(rng, -2, 2);
                double s1 = exp(gsl_ran_flat(rng, -1, 1)), s2 = exp(gsl_ran_flat(rng, -1, 1));
                if ((st = div_gauss_kl(m1, s1, m2, s2, &kl)))
                    return mlphys_run_fail(CH, "div_gauss_kl", st);
                if ((st = div_gauss_tv(m1, s1, m2, s2, &tv)))
                    return mlphys_run_fail(CH, "div_gauss_tv", st);
            } else {
                double alpha = t % 2 ? 1.0 : 0.3; /* flat and spiky distributions */
                random_prob(p, rng, alpha), random_prob(q, rng, alpha);
                if ((st = div_kl(p, q, &kl)))
                    return mlphys_run_fail(CH, "div_kl", st);
                if ((st = div_tv(p, q, &tv)))
                    return mlphys_run_fail(CH, "div_tv", st);
            }
            if (kl > 0)
                worst = fmax(worst, tv / sqrt(kl / 2));
            fprintf(f, "%.8e %.8e\n", kl, tv);
        }
        fprintf(f, "\n\n");
        gsl_vector_free(p), gsl_vector_free(q);
    }
    fclose(f);
    double tv1, kl1, kl12, kl21, js;
    div_gauss_tv(0, 1, 1, 1, &tv1), div_gauss_kl(0, 1, 1, 1, &kl1);
    div_gauss_kl(0, 1, 0, 2, &kl12), div_gauss_kl(0, 2, 0, 1, &kl21);
    if ((st = div_gauss_js(0, 1, 1, 1, &js)))
        return mlphys_run_fail(CH, "div_gauss_js", st);
    printf("N(0,1) vs N(1,1): TV = %.6f (2 Phi(1/2) - 1 = %.6f) <= sqrt(KL/2) = %.6f; JS = %.6f <= log 2\n", tv1,
           2 * gsl_cdf_ugaussian_P(0.5) - 1, sqrt(kl1 / 2), js);
    printf("KL(N(0,1) || N(0,4)) = %.6f but KL(N(0,4) || N(0,1)) = %.6f: KL is not symmetric\n", kl12, kl21);
    printf("800 random pairs: max TV / sqrt(KL/2) = %.4f (Pinsker: <= 1)\n", worst);

    /* 2. The fits.  Forward KL from 20000 samples of the target; reverse KL by SGD from two starts. */
    gsl_rng_set(rng, 1502);
    const size_t n = 20000;
    gsl_vector *x = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(x, i, mix_draw(rng));
    double fm = 0, fs = 1;
    if ((st = div_fit_forward_kl(x, 0.5, 4000, &fm, &fs)))
        return mlphys_run_fail(CH, "div_fit_forward_kl", st);
    double mean = MW[0] * MM[0] + MW[1] * MM[1];
    double var = MW[0] * (MS[0] * MS[0] + MM[0] * MM[0]) + MW[1] * (MS[1] * MS[1] + MM[1] * MM[1]) - mean * mean;
    printf("forward KL (mass covering): N(%.4f, %.4f^2); moment matching gives N(%.4f, %.4f^2)\n", fm, fs, mean, sqrt(var));
    double rl_m = -1.5, rl_s = 0.5, rr_m = 1.0, rr_s = 1.0;
    if ((st = div_fit_reverse_kl(&MIX, 0.05, 2000, 16, rng, &rl_m, &rl_s)))
        return mlphys_run_fail(CH, "div_fit_reverse_kl", st);
    if ((st = div_fit_reverse_kl(&MIX, 0.05, 2000, 16, rng, &rr_m, &rr_s)))
        return mlphys_run_fail(CH, "div_fit_reverse_kl", st);
    printf("reverse KL (mode seeking): from (-1.5, 0.5) N(%.4f, %.4f^2), from (1, 1) N(%.4f, %.4f^2); modes N(-3, 0.6^2), "
           "N(3, 1)\n", rl_m, rl_s, rr_m, rr_s);
    /* Both divergences of each fit, by Monte Carlo on the fit's own samples and on the target's. */
    if (!(f = mlphys_open_out(out, "fits.dat")))
        return 1;
    fprintf(f, "# forward fit N(%.5f, %.5f^2); reverse fits N(%.5f, %.5f^2) and N(%.5f, %.5f^2)\n"
               "# x  pi(x)  q_forward  q_reverse_left  q_reverse_right\n", fm, fs, rl_m, rl_s, rr_m, rr_s);
    for (int i = 0; i <= 600; i++) {
        double xx = -8 + 17.0 * i / 600, lp, sc;
        if ((st = div_mixture_logpdf(&MIX, xx, &lp, &sc)))
            return mlphys_run_fail(CH, "div_mixture_logpdf", st);
        fprintf(f, "%.5f %.6e %.6e %.6e %.6e\n", xx, exp(lp), gsl_ran_gaussian_pdf(xx - fm, fs),
                gsl_ran_gaussian_pdf(xx - rl_m, rl_s), gsl_ran_gaussian_pdf(xx - rr_m, rr_s));
    }
    fclose(f);

    /* 3. The reverse-KL landscape, estimated with fixed quasi-random eps (normal quantiles), and
     *    plain SGD paths on it from six starts (the iterates, before any averaging). */
    const size_t B = 400;
    gsl_vector *eq = gsl_vector_alloc(B);
    for (size_t b = 0; b < B; b++)
        gsl_vector_set(eq, b, gsl_cdf_ugaussian_Pinv((b + 0.5) / (double)B));
    if (!(f = mlphys_open_out(out, "landscape.dat")))
        return 1;
    fprintf(f, "# mu  log10(sigma)  KL(q||pi) (estimated with %zu normal quantiles)\n", B);
    for (int i = 0; i <= 90; i++) {
        for (int j = 0; j <= 60; j++) {
            double mu = -6 + 12.0 * i / 90, l10 = -1 + 1.8 * j / 60, kl, a, b2;
            if ((st = div_reverse_kl_estimate(&MIX, mu, l10 * M_LN10, eq, &kl, &a, &b2)))
                return mlphys_run_fail(CH, "div_reverse_kl_estimate", st);
            fprintf(f, "%.4f %.4f %.6e\n", mu, l10, kl);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    if (!(f = mlphys_open_out(out, "paths.dat")))
        return 1;
    gsl_rng_set(rng, 1503);
    const double starts[6][2] = {{-1.5, 0.5}, {1.0, 1.0}, {-5, 2.5}, {5, 0.15}, {-0.8, 0.2}, {0.0, 3.0}};
    gsl_vector *eps = gsl_vector_alloc(16);
    fprintf(f, "# SGD on reverse KL, lr 0.05, batch 16: mu  log10(sigma), one block per start\n");
    for (int s = 0; s < 6; s++) {
        double mu = starts[s][0], rho = log(starts[s][1]);
        for (int t = 0; t <= 600; t++) {
            if (t % 5 == 0)
                fprintf(f, "%.5f %.5f\n", mu, rho / M_LN10);
            for (size_t b = 0; b < 16; b++)
                gsl_vector_set(eps, b, gsl_ran_gaussian(rng, 1.0));
            double kl, gm, gr;
            if ((st = div_reverse_kl_estimate(&MIX, mu, rho, eps, &kl, &gm, &gr)))
                return mlphys_run_fail(CH, "div_reverse_kl_estimate", st);
            mu -= 0.05 * gm, rho -= 0.05 * gr;
        }
        printf("  SGD from (mu, sigma) = (%g, %g) ends near (%.2f, %.2f)\n", starts[s][0], starts[s][1], mu, exp(rho));
        fprintf(f, "\n\n");
    }
    fclose(f);

    /* 4. W_2 of two Gaussian samples against the closed form sqrt(dm^2 + ds^2), vs sample size. */
    if (!(f = mlphys_open_out(out, "w2.dat")))
        return 1;
    gsl_rng_set(rng, 1504);
    fprintf(f, "# n  mean |W2_n - W2|  se   over 40 repetitions; N(0,1) vs N(1,2^2), W2 = sqrt(2)\n");
    for (size_t nn = 100; nn <= 100000; nn *= 10) {
        for (int half = 0; half < 2; half++) {
            size_t m = half ? 3 * nn : nn;
            if (m > 100000)
                break;
            gsl_vector *a = gsl_vector_alloc(m), *b = gsl_vector_alloc(m);
            double s1 = 0, s2 = 0;
            for (int r = 0; r < 40; r++) {
                for (size_t i = 0; i < m; i++)
                    gsl_vector_set(a, i, gsl_ran_gaussian(rng, 1.0)), gsl_vector_set(b, i, 1 + gsl_ran_gaussian(rng, 2.0));
                double w;
                if ((st = div_wasserstein_1d(a, b, 2.0, &w)))
                    return mlphys_run_fail(CH, "div_wasserstein_1d", st);
                double e = fabs(w - M_SQRT2);
                s1 += e / 40, s2 += e * e / 40;
            }
            fprintf(f, "%zu %.6e %.3e\n", m, s1, sqrt(fmax(s2 - s1 * s1, 0) / 39));
            if (m == 100000)
                printf("W_2 of 1e5 + 1e5 samples of N(0,1), N(1,4): mean error %.4f against sqrt(2)\n", s1);
            gsl_vector_free(a), gsl_vector_free(b);
        }
    }
    fclose(f);
    double w1;
    {
        double xa[] = {0, 1, 3}, ya[] = {5, 6, 8};
        gsl_vector_view X = gsl_vector_view_array(xa, 3), Y = gsl_vector_view_array(ya, 3);
        if ((st = div_wasserstein_1d(&X.vector, &Y.vector, 1.0, &w1)))
            return mlphys_run_fail(CH, "div_wasserstein_1d", st);
        printf("W_1([0,1,3], [5,6,8]) = %g\n", w1);
    }
    gsl_vector_free(x), gsl_vector_free(eq), gsl_vector_free(eps);
    gsl_rng_free(rng);
    return 0;
}
