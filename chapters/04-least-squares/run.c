/*
 * Chapter 04 experiment: Longley by QR, by the normal equations and by GLS, with error bars; the digits the
 * normal equations lose as the condition number grows; and the double-descent curve of the
 * minimum-norm estimator.  Uses whichever least_squares.c was built (yours with
 * `make run CH=04-least-squares`, the reference with IMPL=solutions).
 * Usage: run OUTDIR.  Writes OUTDIR/digits.dat and OUTDIR/double_descent.dat.
 * Seeds: gsl_rng_mt19937 seeded with 2024 + k for the k-th condition number and 4000 + p for
 * the double-descent point with p features, so every run is reproducible.
 */
#include "least_squares.h"
#include "mlphys_run.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* NIST StRD certified Longley coefficients (data/README.md). */
static const double NIST_BETA[7] = {-3482258.63459582, 15.0618722713733, -0.358191792925910E-01,
                                    -2.02022980381683, -1.03322686717359, -0.511041056535807E-01,
                                    1829.15146461355};

static double worst_rel(const gsl_vector *b, const double *want)
{
    double e = 0;
    for (size_t j = 0; j < b->size; j++)
        e = fmax(e, fabs(gsl_vector_get(b, j) - want[j]) / fabs(want[j]));
    return e;
}

/* Q (n, k) with orthonormal columns: the Q of a Gaussian matrix's QR (GSL's, not yours). */
static void random_orthonormal(gsl_matrix *Q, gsl_rng *rng)
{
    const size_t n = Q->size1, k = Q->size2;
    gsl_matrix *G = gsl_matrix_alloc(n, k), *Qf = gsl_matrix_alloc(n, n), *R = gsl_matrix_alloc(n, k);
    gsl_vector *tau = gsl_vector_alloc(k);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(G, i, j, gsl_ran_gaussian(rng, 1.0));
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_unpack(G, tau, Qf, R);
    gsl_matrix_const_view sub = gsl_matrix_const_submatrix(Qf, 0, 0, n, k);
    gsl_matrix_memcpy(Q, &sub.matrix);
    gsl_matrix_free(G), gsl_matrix_free(Qf), gsl_matrix_free(R), gsl_vector_free(tau);
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
    int st;

    /* 1. Longley: QR, normal equations, GLS with AR(1) errors. */
    ls_data *d = NULL;
    if ((st = ls_data_read("data/longley.csv", "employed", &d, err, sizeof err))) {
        if (st == GSL_EUNIMPL)
            return mlphys_run_fail("04-least-squares", "ls_data_read", st);
        fprintf(stderr, "run: %s\n", err);
        return 1;
    }
    gsl_vector *bq = gsl_vector_alloc(7), *bn = gsl_vector_alloc(7), *bg = gsl_vector_alloc(7);
    gsl_matrix *S = gsl_matrix_alloc(16, 16);
    if ((st = ls_lstsq_qr(d->X, d->y, bq)))
        return mlphys_run_fail("04-least-squares", "ls_lstsq_qr", st);
    if ((st = ls_lstsq_normal(d->X, d->y, bn)))
        return mlphys_run_fail("04-least-squares", "ls_lstsq_normal", st);
    const double rho = -0.3634295;
    for (size_t i = 0; i < 16; i++)
        for (size_t j = 0; j < 16; j++)
            gsl_matrix_set(S, i, j, pow(rho, fabs((double)i - (double)j)));
    if ((st = ls_gls(d->X, d->y, S, bg)))
        return mlphys_run_fail("04-least-squares", "ls_gls", st);
    /* Error bars.  OLS: cov = s^2 (X^T X)^-1 with s^2 = RSS / (n - p) (NIST's certified
     * standard deviations).  GLS: S = s_w^2 R(rho), cov = (X^T S^-1 X)^-1, where s_w^2 is the
     * same estimate for the whitened residuals, |L^-1 (y - X beta)|^2 / (n - p), S = L L^T. */
    gsl_matrix *cq = gsl_matrix_alloc(7, 7), *cg = gsl_matrix_alloc(7, 7), *Sc = gsl_matrix_alloc(16, 16);
    gsl_vector *res = gsl_vector_alloc(16);
    gsl_vector_memcpy(res, d->y);
    gsl_blas_dgemv(CblasNoTrans, -1.0, d->X, bq, 1.0, res);
    const double s2_ols = gsl_blas_dnrm2(res) * gsl_blas_dnrm2(res) / (16.0 - 7.0);
    gsl_matrix_set_identity(Sc);
    gsl_matrix_scale(Sc, s2_ols);
    int have_cov = (st = ls_gls_cov(d->X, Sc, cq)) == GSL_SUCCESS; /* TODO(8) may still be a stub */
    if (st && st != GSL_EUNIMPL)
        return mlphys_run_fail("04-least-squares", "ls_gls_cov", st);
    gsl_vector_memcpy(res, d->y);
    gsl_blas_dgemv(CblasNoTrans, -1.0, d->X, bg, 1.0, res);
    gsl_matrix_memcpy(Sc, S);
    gsl_linalg_cholesky_decomp1(Sc);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, Sc, res); /* whitened residuals */
    const double s2_gls = gsl_blas_dnrm2(res) * gsl_blas_dnrm2(res) / (16.0 - 7.0);
    gsl_matrix_memcpy(Sc, S);
    gsl_matrix_scale(Sc, s2_gls);
    if (have_cov && (st = ls_gls_cov(d->X, Sc, cg)))
        return mlphys_run_fail("04-least-squares", "ls_gls_cov", st);
    double eq = worst_rel(bq, NIST_BETA), en = worst_rel(bn, NIST_BETA);
    printf("Longley vs NIST: worst relative error %.2e by QR, %.2e by the normal equations "
           "(%.1f digits lost)\n", eq, en, log10(en / fmax(eq, 1e-17)));
    printf("Longley GLS, AR(1) rho = %.7f: beta =", rho);
    for (size_t j = 0; j < 7; j++)
        printf(" %.6g", gsl_vector_get(bg, j));
    printf("\n");
    static const char *const names[7] = {"intercept", "gnp_deflator", "gnp", "unemployed",
                                         "armed_forces", "population", "year"};
    if (have_cov)
        printf("error bars (beta +- one standard deviation), OLS with s = %.6g and GLS with s_w = %.6g:\n",
               sqrt(s2_ols), sqrt(s2_gls));
    else
        printf("error bars: ls_gls_cov is not written yet (TODO(8)), so none are shown\n");
    for (size_t j = 0; have_cov && j < 7; j++)
        printf("  %-13s OLS %13.6g +- %-11.4g GLS %13.6g +- %.4g\n", names[j], gsl_vector_get(bq, j),
               sqrt(gsl_matrix_get(cq, j, j)), gsl_vector_get(bg, j), sqrt(gsl_matrix_get(cg, j, j)));

    /* 2. Digits lost: X = U diag(s) V^T with s from 1 down to 1/kappa, y = X beta exactly.
     *    QR errs like eps kappa, the normal equations like eps kappa^2 (until Cholesky fails). */
    const size_t n = 30, p = 8, draws = 8;
    gsl_matrix *U = gsl_matrix_alloc(n, p), *V = gsl_matrix_alloc(p, p), *X = gsl_matrix_alloc(n, p);
    gsl_vector *beta = gsl_vector_alloc(p), *y = gsl_vector_alloc(n), *b1 = gsl_vector_alloc(p),
               *b2 = gsl_vector_alloc(p);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    FILE *f = mlphys_open_out(out, "digits.dat");
    if (!f)
        return 1;
    fprintf(f, "# kappa  relerr_qr  relerr_normal   (geometric mean of %zu draws, X %zu x %zu; "
               "'?' = Cholesky of X^T X failed)\n", draws, n, p);
    for (int k = 0; k <= 20; k++) {
        double kappa = pow(10.0, 0.5 * k), lq = 0, ln = 0;
        int normal_ok = 1;
        gsl_rng_set(rng, 2024 + (unsigned long)k);
        for (size_t r = 0; r < draws; r++) {
            random_orthonormal(U, rng);
            random_orthonormal(V, rng);
            for (size_t j = 0; j < p; j++) {
                gsl_vector_view c = gsl_matrix_column(U, j);
                gsl_vector_scale(&c.vector, pow(kappa, -(double)j / (double)(p - 1)));
                gsl_vector_set(beta, j, gsl_ran_gaussian(rng, 1.0));
            }
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, U, V, 0.0, X);
            gsl_blas_dgemv(CblasNoTrans, 1.0, X, beta, 0.0, y);
            if ((st = ls_lstsq_qr(X, y, b1)))
                return mlphys_run_fail("04-least-squares", "ls_lstsq_qr", st);
            st = ls_lstsq_normal(X, y, b2);
            if (st == GSL_EDOM) { /* X^T X is not numerically positive definite any more */
                normal_ok = 0;
            } else if (st) {
                return mlphys_run_fail("04-least-squares", "ls_lstsq_normal", st);
            }
            double nb = gsl_blas_dnrm2(beta);
            gsl_vector_sub(b1, beta), gsl_vector_sub(b2, beta);
            /* an error below 1e-17 is shown at 1e-17 so that the log axis can show it */
            lq += log10(fmax(gsl_blas_dnrm2(b1) / nb, 1e-17)) / (double)draws;
            ln += log10(fmax(gsl_blas_dnrm2(b2) / nb, 1e-17)) / (double)draws;
        }
        if (normal_ok)
            fprintf(f, "%.4e %.4e %.4e\n", kappa, pow(10.0, lq), pow(10.0, ln));
        else
            fprintf(f, "%.4e %.4e ?\n", kappa, pow(10.0, lq));
    }
    /* Longley's condition number with unit-norm columns (both solvers are blind to column
     * scaling), from GSL's SVD. */
    gsl_matrix *Ls = gsl_matrix_alloc(16, 7), *Lv = gsl_matrix_alloc(7, 7);
    gsl_vector *ls = gsl_vector_alloc(7), *lw = gsl_vector_alloc(7);
    gsl_matrix_memcpy(Ls, d->X);
    for (size_t j = 0; j < 7; j++) {
        gsl_vector_view c = gsl_matrix_column(Ls, j);
        gsl_vector_scale(&c.vector, 1.0 / gsl_blas_dnrm2(&c.vector));
    }
    gsl_linalg_SV_decomp(Ls, Lv, ls, lw);
    double kappa_s = gsl_vector_get(ls, 0) / gsl_vector_get(ls, 6);
    fclose(f);
    if (!(f = mlphys_open_out(out, "digits_longley.dat")))
        return 1;
    fprintf(f, "# Longley: kappa of X with unit-norm columns, worst relative error vs NIST by QR and by "
               "the normal equations\n%.4e %.4e %.4e\n", kappa_s, fmax(eq, 1e-17), en);
    fclose(f);
    printf("conditioning: Longley's X has kappa = 4.86e9 raw, %.3g with unit-norm columns; "
           "eps kappa_s = %.1e, eps kappa_s^2 = %.1e\n", kappa_s, 2.2e-16 * kappa_s,
           2.2e-16 * kappa_s * kappa_s);

    /* 3. Double descent: n = 40 data, p = 4 .. 160 isotropic Gaussian features, |beta| = r,
     *    noise sigma; excess risk |beta_hat - beta|^2 averaged over R draws. */
    const size_t N = 40, R = 200, PMAX = 160;
    const double sigma = 0.5, r2 = 1.0;
    if (!(f = mlphys_open_out(out, "double_descent.dat")))
        return 1;
    fprintf(f, "# p  p/n  risk_mean  risk_stderr  theory   (n = %zu, sigma = %.2f, r^2 = %.1f, %zu draws; "
               "theory '?' where it is infinite)\n", N, sigma, r2, R);
    double worst_z = 0;
    size_t worst_p = 0;
    for (size_t P = 4; P <= PMAX; P += (P < 30 || P >= 52) ? 4 : 2) {
        gsl_matrix *A = gsl_matrix_alloc(N, P);
        gsl_vector *yy = gsl_vector_alloc(N), *bt = gsl_vector_alloc(P), *bh = gsl_vector_alloc(P);
        gsl_rng_set(rng, 4000 + (unsigned long)P);
        double m1 = 0, m2 = 0;
        for (size_t t = 0; t < R; t++) {
            for (size_t j = 0; j < P; j++)
                gsl_vector_set(bt, j, gsl_ran_gaussian(rng, 1.0));
            gsl_vector_scale(bt, sqrt(r2) / gsl_blas_dnrm2(bt));
            for (size_t i = 0; i < N; i++)
                for (size_t j = 0; j < P; j++)
                    gsl_matrix_set(A, i, j, gsl_ran_gaussian(rng, 1.0));
            gsl_blas_dgemv(CblasNoTrans, 1.0, A, bt, 0.0, yy);
            for (size_t i = 0; i < N; i++)
                gsl_vector_set(yy, i, gsl_vector_get(yy, i) + gsl_ran_gaussian(rng, sigma));
            st = P < N ? ls_lstsq_qr(A, yy, bh) : ls_minnorm(A, yy, bh);
            if (st)
                return mlphys_run_fail("04-least-squares", P < N ? "ls_lstsq_qr" : "ls_minnorm", st);
            gsl_vector_sub(bh, bt);
            double e2 = gsl_blas_dnrm2(bh);
            e2 *= e2;
            m1 += e2, m2 += e2 * e2;
        }
        double mean = m1 / (double)R, se = sqrt(fmax(m2 / (double)R - mean * mean, 0) / (double)(R - 1));
        double th = NAN;
        if (P + 1 < N)
            th = sigma * sigma * (double)P / ((double)N - (double)P - 1.0);
        else if (P > N + 1)
            th = r2 * (1.0 - (double)N / (double)P) + sigma * sigma * (double)N / ((double)P - (double)N - 1.0);
        if (isnan(th))
            fprintf(f, "%zu %.4f %.6e %.6e ?\n", P, (double)P / (double)N, mean, se);
        else
            fprintf(f, "%zu %.4f %.6e %.6e %.6e\n", P, (double)P / (double)N, mean, se, th);
        /* Compare with theory away from the peak, where the mean has a finite variance. */
        if (!isnan(th) && (P + 6 <= N || P >= N + 6) && fabs(mean - th) / se > worst_z)
            worst_z = fabs(mean - th) / se, worst_p = P;
        gsl_matrix_free(A), gsl_vector_free(yy), gsl_vector_free(bt), gsl_vector_free(bh);
    }
    fclose(f);
    printf("double descent, n = %zu, %zu draws per p: away from the peak (|p - n| >= 6) the mean risk "
           "is within %.1f standard errors of theory (worst at p = %zu)\n", N, R, worst_z, worst_p);
    printf("wrote %s/digits.dat, digits_longley.dat, double_descent.dat\n", out);

    ls_data_free(d);
    gsl_vector_free(bq), gsl_vector_free(bn), gsl_vector_free(bg), gsl_matrix_free(S);
    gsl_matrix_free(cq), gsl_matrix_free(cg), gsl_matrix_free(Sc), gsl_vector_free(res);
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_matrix_free(X), gsl_vector_free(beta);
    gsl_vector_free(y), gsl_vector_free(b1), gsl_vector_free(b2), gsl_rng_free(rng);
    gsl_matrix_free(Ls), gsl_matrix_free(Lv), gsl_vector_free(ls), gsl_vector_free(lw);
    return 0;
}
