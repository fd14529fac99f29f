/*
 * Chapter 20 experiment: PCA and k-means on the handwritten digits, EM on a 2-D mixture.
 * Uses whichever clustering.c was built (yours with `make run CH=20-clustering`, the reference
 * with IMPL=solutions).  Usage: run OUTDIR.  Writes into OUTDIR:
 *   pca.dat        the 1797 digits projected on their first two principal components, and the label
 *   variance.dat   component number, explained-variance ratio, cumulative ratio (all 64)
 *   centroids.dat  the 10 k-means centroids as 8x8 images (gnuplot matrix blocks, one per centroid)
 *   centroids.txt  per centroid: the digit most of its points carry, and that fraction
 *   kmeans.dat     inertia of every Lloyd iteration on the digits
 *   gmm_points.dat a synthetic 2-D mixture of three Gaussians: x, y, true component, fitted label
 *   gmm_ellipse.dat the 1- and 2-sigma ellipses of the true and the fitted components
 *   gmm_loglik.dat log-likelihood per sample after every EM step
 *   tilt_points.dat, tilt_ellipse.dat  two tilted Gaussians, and the ellipses of the truth, of EM
 *                  with diagonal covariances and of EM with full covariances
 * Seeds: gsl_rng_mt19937 with seed 2020 for k-means++ on the digits, 2021 and 2022 for the mixtures.
 */
#include "clustering.h"
#include "mlphys_data.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define K 10

/* Write the ellipse {mu + s (sd_x cos t, sd_y sin t)} of an axis-aligned Gaussian. */
static void ellipse(FILE *f, double mx, double my, double vx, double vy, double s, int which)
{
    for (int t = 0; t <= 100; t++) {
        double a = 2 * M_PI * t / 100.0;
        fprintf(f, "%g %g %d\n", mx + s * sqrt(vx) * cos(a), my + s * sqrt(vy) * sin(a), which);
    }
    fprintf(f, "\n\n");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const size_t n = all->size1, d = 64;
    gsl_matrix_view Xv = gsl_matrix_submatrix(all, 0, 0, n, d);
    const gsl_matrix *X = &Xv.matrix;
    size_t *y = malloc(n * sizeof *y), *lab = calloc(n, sizeof *lab);
    for (size_t i = 0; i < n; i++)
        y[i] = (size_t)gsl_matrix_get(all, i, d);
    int st;
    FILE *f;

    /* 1. PCA of the raw pixels (no scaling, as in the chapter's tests) */
    gsl_vector *mean = gsl_vector_alloc(d), *var = gsl_vector_alloc(d);
    gsl_matrix *V = gsl_matrix_alloc(d, d), *Z = gsl_matrix_alloc(n, d);
    double total;
    if ((st = pca_fit(X, mean, V, var, &total)))
        return mlphys_run_fail("20-clustering", "pca_fit", st);
    if ((st = pca_project(X, mean, V, Z)))
        return mlphys_run_fail("20-clustering", "pca_project", st);
    double cum = 0;
    size_t q90 = 0;
    if (!(f = mlphys_open_out(out, "variance.dat")))
        return 1;
    fprintf(f, "# component  ratio  cumulative\n");
    for (size_t c = 0; c < d; c++) {
        cum += gsl_vector_get(var, c) / total;
        if (!q90 && cum >= 0.9)
            q90 = c + 1;
        fprintf(f, "%zu %.6f %.6f\n", c + 1, gsl_vector_get(var, c) / total, cum);
    }
    fclose(f);
    printf("PCA of the digits: explained variance %.4f, %.4f, %.4f; %zu components for 90%%\n",
           gsl_vector_get(var, 0) / total, gsl_vector_get(var, 1) / total, gsl_vector_get(var, 2) / total, q90);
    if (!(f = mlphys_open_out(out, "pca.dat")))
        return 1;
    fprintf(f, "# PC1 PC2 digit\n");
    double cen[10][3] = {{0}};
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%.5f %.5f %zu\n", gsl_matrix_get(Z, i, 0), gsl_matrix_get(Z, i, 1), y[i]);
        cen[y[i]][0] += gsl_matrix_get(Z, i, 0), cen[y[i]][1] += gsl_matrix_get(Z, i, 1), cen[y[i]][2] += 1;
    }
    fclose(f);
    if (!(f = mlphys_open_out(out, "pca_centres.dat")))
        return 1;
    fprintf(f, "# mean PC1, mean PC2 of each digit, digit\n");
    for (int c = 0; c < 10; c++)
        fprintf(f, "%.4f %.4f %d\n", cen[c][0] / cen[c][2], cen[c][1] / cen[c][2], c);
    fclose(f);

    /* 2. k-means++ and Lloyd on the digits, every iteration's inertia recorded */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2020);
    gsl_matrix *C = gsl_matrix_alloc(K, d);
    if ((st = kmeans_init_pp(X, rng, C)))
        return mlphys_run_fail("20-clustering", "kmeans_init_pp", st);
    if (!(f = mlphys_open_out(out, "kmeans.dat")))
        return 1;
    fprintf(f, "# iteration inertia\n");
    double J = 0, Jprev = INFINITY;
    size_t it;
    int increased = 0;
    for (it = 1; it <= 300; it++) {
        size_t changed = 0;
        size_t *old = malloc(n * sizeof *old);
        for (size_t i = 0; i < n; i++)
            old[i] = lab[i];
        if ((st = kmeans_step(X, C, lab, &J)))
            return mlphys_run_fail("20-clustering", "kmeans_step", st);
        for (size_t i = 0; i < n; i++)
            changed += old[i] != lab[i];
        free(old);
        fprintf(f, "%zu %.6f\n", it, J);
        increased |= J > Jprev * (1 + 1e-12);
        Jprev = J;
        if (it > 1 && changed == 0)
            break;
    }
    fclose(f);
    double ari;
    if ((st = cluster_ari(lab, y, n, &ari)))
        return mlphys_run_fail("20-clustering", "cluster_ari", st);
    printf("k-means on the digits (k = %d, k-means++ seed 2020): %zu Lloyd steps, inertia %.6g%s, ARI %.4f\n",
           K, it, J, increased ? " (INCREASED at some step: a bug)" : "", ari);
    if (!(f = mlphys_open_out(out, "kmeans_summary.txt")))
        return 1;
    fprintf(f, "%zu Lloyd steps, ARI with the true digits %.3f", it, ari);
    fclose(f);
    if (!(f = mlphys_open_out(out, "centroids.dat")))
        return 1;
    FILE *g = mlphys_open_out(out, "centroids.txt");
    if (!g)
        return 1;
    for (size_t j = 0; j < K; j++) {
        for (size_t r = 0; r < 8; r++) {
            for (size_t c = 0; c < 8; c++)
                fprintf(f, "%.4f ", gsl_matrix_get(C, j, 8 * r + c));
            fprintf(f, "\n");
        }
        fprintf(f, "\n\n");
        size_t cnt[10] = {0}, tot = 0, best = 0;
        for (size_t i = 0; i < n; i++)
            if (lab[i] == j)
                cnt[y[i]]++, tot++;
        for (size_t c = 1; c < 10; c++)
            best = cnt[c] > cnt[best] ? c : best;
        fprintf(g, "%zu %zu %.3f %zu\n", j, best, tot ? (double)cnt[best] / (double)tot : 0.0, tot);
    }
    fclose(f), fclose(g);

    /* 3. EM on a 2-D mixture of three axis-aligned Gaussians, started from k-means */
    const size_t m = 1500, k = 3;
    const double tw[3] = {0.5, 0.3, 0.2}, tmx[3] = {0, 4, -1}, tmy[3] = {0, 1, 4};
    const double tvx[3] = {1.0, 0.3, 2.5}, tvy[3] = {0.4, 1.5, 0.3};
    gsl_rng_set(rng, 2021);
    gsl_matrix *P = gsl_matrix_alloc(m, 2);
    size_t *truth = malloc(m * sizeof *truth), *fit = malloc(m * sizeof *fit);
    for (size_t i = 0; i < m; i++) {
        double u = gsl_rng_uniform(rng);
        size_t j = u < tw[0] ? 0 : u < tw[0] + tw[1] ? 1 : 2;
        truth[i] = j;
        gsl_matrix_set(P, i, 0, tmx[j] + gsl_ran_gaussian(rng, sqrt(tvx[j])));
        gsl_matrix_set(P, i, 1, tmy[j] + gsl_ran_gaussian(rng, sqrt(tvy[j])));
    }
    gsl_matrix *mu = gsl_matrix_alloc(k, 2), *gv = gsl_matrix_alloc(k, 2), *R = gsl_matrix_alloc(m, k);
    gsl_vector *w = gsl_vector_alloc(k);
    double Jg;
    if ((st = kmeans_init_pp(P, rng, mu)))
        return mlphys_run_fail("20-clustering", "kmeans_init_pp", st);
    st = kmeans_lloyd(P, mu, fit, 100, &Jg, NULL);
    if (st && st != GSL_EMAXITER)
        return mlphys_run_fail("20-clustering", "kmeans_lloyd", st);
    gsl_vector_set_all(w, 1.0 / k), gsl_matrix_set_all(gv, 1.0);
    double L;
    if (!(f = mlphys_open_out(out, "gmm_loglik.dat")))
        return 1;
    fprintf(f, "# EM step, log-likelihood per sample\n");
    size_t steps = 0;
    for (size_t s = 0; s <= 200; s++) {
        if ((st = gmm_e_step(P, w, mu, gv, R, &L)))
            return mlphys_run_fail("20-clustering", "gmm_e_step", st);
        fprintf(f, "%zu %.8f\n", s, L / (double)m);
        if (s == 200)
            break;
        if ((st = gmm_m_step(P, R, 1e-6, w, mu, gv)))
            return mlphys_run_fail("20-clustering", "gmm_m_step", st);
        steps = s + 1;
    }
    fclose(f);
    /* the same fit through gmm_em, from the state after 200 steps: it should stop at once */
    size_t more = 0;
    double L2;
    st = gmm_em(P, w, mu, gv, 1e-6, 50, 1e-10, &L2, &more);
    if (st && st != GSL_EMAXITER)
        return mlphys_run_fail("20-clustering", "gmm_em", st);
    if ((st = gmm_e_step(P, w, mu, gv, R, &L)))
        return mlphys_run_fail("20-clustering", "gmm_e_step", st);
    for (size_t i = 0; i < m; i++) {
        size_t b = 0;
        for (size_t j = 1; j < k; j++)
            b = gsl_matrix_get(R, i, j) > gsl_matrix_get(R, i, b) ? j : b;
        fit[i] = b;
    }
    double ari_gmm;
    if ((st = cluster_ari(fit, truth, m, &ari_gmm)))
        return mlphys_run_fail("20-clustering", "cluster_ari", st);
    printf("EM on a 2-D mixture of 3 Gaussians (n = %zu): log-likelihood per sample %.4f after %zu steps "
           "(+%zu by gmm_em), ARI of the fitted labels %.4f\n", m, L / (double)m, steps, more, ari_gmm);
    for (size_t j = 0; j < k; j++)
        printf("  component %zu: w %.3f  mean (%.3f, %.3f)  var (%.3f, %.3f)\n", j, gsl_vector_get(w, j),
               gsl_matrix_get(mu, j, 0), gsl_matrix_get(mu, j, 1), gsl_matrix_get(gv, j, 0), gsl_matrix_get(gv, j, 1));
    if (!(f = mlphys_open_out(out, "gmm_points.dat")))
        return 1;
    fprintf(f, "# x y true_component fitted_label\n");
    for (size_t i = 0; i < m; i++)
        fprintf(f, "%.5f %.5f %zu %zu\n", gsl_matrix_get(P, i, 0), gsl_matrix_get(P, i, 1), truth[i], fit[i]);
    fclose(f);
    if (!(f = mlphys_open_out(out, "gmm_ellipse.dat")))
        return 1;
    fprintf(f, "# blocks: true 1 sd, true 2 sd (x3 components), then fitted 1 sd, 2 sd (x3)\n");
    for (size_t j = 0; j < k; j++)
        for (int s = 1; s <= 2; s++)
            ellipse(f, tmx[j], tmy[j], tvx[j], tvy[j], s, 0);
    for (size_t j = 0; j < k; j++)
        for (int s = 1; s <= 2; s++)
            ellipse(f, gsl_matrix_get(mu, j, 0), gsl_matrix_get(mu, j, 1), gsl_matrix_get(gv, j, 0),
                    gsl_matrix_get(gv, j, 1), s, 1);
    fclose(f);

    /* 4. a tilted mixture: diagonal EM (gmm_em) against full covariances, from the same k-means start */
    {
        const size_t m2 = 1200, k2 = 2;
        const double qw[2] = {0.55, 0.45}, qm[2][2] = {{0, 0}, {5, 0.5}};
        const double qc[2][3] = {{3.0, 2.4, 2.5}, {1.0, -0.8, 1.5}}; /* sxx, sxy, syy */
        gsl_rng_set(rng, 2022);
        gsl_matrix *T = gsl_matrix_alloc(m2, 2), *mu2 = gsl_matrix_alloc(k2, 2), *mud = gsl_matrix_alloc(k2, 2);
        gsl_matrix *vd = gsl_matrix_alloc(k2, 2), *cov = gsl_matrix_alloc(2 * k2, 2), *R2 = gsl_matrix_alloc(m2, k2);
        gsl_vector *w2 = gsl_vector_alloc(k2), *wd = gsl_vector_alloc(k2);
        size_t *tl = malloc(m2 * sizeof *tl), *kl = malloc(m2 * sizeof *kl);
        for (size_t i = 0; i < m2; i++) {
            size_t j = gsl_rng_uniform(rng) < qw[0] ? 0 : 1;
            double sx = sqrt(qc[j][0]), sy = sqrt(qc[j][2]), zx, zy;
            gsl_ran_bivariate_gaussian(rng, sx, sy, qc[j][1] / (sx * sy), &zx, &zy);
            gsl_matrix_set(T, i, 0, qm[j][0] + zx), gsl_matrix_set(T, i, 1, qm[j][1] + zy);
            tl[i] = j;
        }
        double Jt, Ld, Lf = 0;
        if ((st = kmeans_init_pp(T, rng, mu2)))
            return mlphys_run_fail("20-clustering", "kmeans_init_pp", st);
        st = kmeans_lloyd(T, mu2, kl, 100, &Jt, NULL);
        if (st && st != GSL_EMAXITER)
            return mlphys_run_fail("20-clustering", "kmeans_lloyd", st);
        gsl_matrix_memcpy(mud, mu2);
        gsl_vector_set_all(wd, 0.5), gsl_vector_set_all(w2, 0.5), gsl_matrix_set_all(vd, 1.0);
        st = gmm_em(T, wd, mud, vd, 1e-6, 500, 1e-8, &Ld, NULL);
        if (st && st != GSL_EMAXITER)
            return mlphys_run_fail("20-clustering", "gmm_em", st);
        for (size_t j = 0; j < k2; j++)
            gsl_matrix_set(cov, 2 * j, 0, 1), gsl_matrix_set(cov, 2 * j, 1, 0), gsl_matrix_set(cov, 2 * j + 1, 0, 0),
                gsl_matrix_set(cov, 2 * j + 1, 1, 1);
        for (int s = 0; s < 300; s++) {
            if ((st = gmm_full_e_step(T, w2, mu2, cov, R2, &Lf)))
                return mlphys_run_fail("20-clustering", "gmm_full_e_step", st);
            if ((st = gmm_full_m_step(T, R2, 1e-6, w2, mu2, cov)))
                return mlphys_run_fail("20-clustering", "gmm_full_m_step", st);
        }
        if ((st = gmm_full_e_step(T, w2, mu2, cov, R2, &Lf)))
            return mlphys_run_fail("20-clustering", "gmm_full_e_step", st);
        printf("tilted mixture (n = %zu): log-likelihood per sample, diagonal EM %.4f, full covariances %.4f\n", m2,
               Ld / (double)m2, Lf / (double)m2);
        if (!(f = mlphys_open_out(out, "tilt_points.dat")))
            return 1;
        fprintf(f, "# x y true_component\n");
        for (size_t i = 0; i < m2; i++)
            fprintf(f, "%.5f %.5f %zu\n", gsl_matrix_get(T, i, 0), gsl_matrix_get(T, i, 1), tl[i]);
        fclose(f);
        if (!(f = mlphys_open_out(out, "tilt_ellipse.dat")))
            return 1;
        fprintf(f, "# blocks: true (2 components x 1, 2 sd), diagonal EM (same), full covariances (same)\n");
        for (int which = 0; which < 3; which++)
            for (size_t j = 0; j < k2; j++) {
                double mx, my, sxx, sxy, syy;
                if (which == 0)
                    mx = qm[j][0], my = qm[j][1], sxx = qc[j][0], sxy = qc[j][1], syy = qc[j][2];
                else if (which == 1)
                    mx = gsl_matrix_get(mud, j, 0), my = gsl_matrix_get(mud, j, 1), sxx = gsl_matrix_get(vd, j, 0), sxy = 0,
                    syy = gsl_matrix_get(vd, j, 1);
                else
                    mx = gsl_matrix_get(mu2, j, 0), my = gsl_matrix_get(mu2, j, 1), sxx = gsl_matrix_get(cov, 2 * j, 0),
                    sxy = gsl_matrix_get(cov, 2 * j, 1), syy = gsl_matrix_get(cov, 2 * j + 1, 1);
                /* x = mu + s L (cos t, sin t) with the Cholesky factor L of the covariance */
                double l11 = sqrt(sxx), l21 = sxy / l11, l22 = sqrt(syy - l21 * l21);
                for (int s = 1; s <= 2; s++) {
                    for (int t = 0; t <= 100; t++) {
                        double a = 2 * M_PI * t / 100.0, c = cos(a), sn = sin(a);
                        fprintf(f, "%g %g\n", mx + s * l11 * c, my + s * (l21 * c + l22 * sn));
                    }
                    fprintf(f, "\n\n");
                }
            }
        fclose(f);
        gsl_matrix_free(T), gsl_matrix_free(mu2), gsl_matrix_free(mud), gsl_matrix_free(vd), gsl_matrix_free(cov);
        gsl_matrix_free(R2), gsl_vector_free(w2), gsl_vector_free(wd), free(tl), free(kl);
    }

    gsl_matrix_free(all), gsl_matrix_free(V), gsl_matrix_free(Z), gsl_matrix_free(C);
    gsl_matrix_free(P), gsl_matrix_free(mu), gsl_matrix_free(gv), gsl_matrix_free(R);
    gsl_vector_free(mean), gsl_vector_free(var), gsl_vector_free(w);
    gsl_rng_free(rng);
    free(y), free(lab), free(truth), free(fit);
    return 0;
}
