/*
 * Chapter 13 experiment: the orbit of a digit under D4, equivariance layer by layer, and what an
 * invariant model buys on turned digits.  Uses whichever symmetry.c was built (yours with
 * `make run CH=13-symmetry`, the reference with IMPL=solutions).  Usage: run OUTDIR.
 * Writes into OUTDIR:
 *   orbit.dat        one test digit under the 8 elements of D4 (index 0..7) and its C4 and D4
 *                    averages (index 8, 9), each an 8 x 8 matrix (pixel / 16)
 *   equivariance.dat relative equivariance error per layer of a plain CNN and of a C4 network,
 *                    for the turns and for the mirrors
 *   accuracy.dat     nearest-centroid accuracy on upright and on randomly turned test digits
 * Seeds: gsl_rng_mt19937 with seed 1300 (filters) and 1301 (the turns of the test set).
 */
#include "symmetry.h"
#include "mlphys_data.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CH "13-symmetry"
#define LAYERS 3  /* conv + ReLU, conv + ReLU, global mean */
#define NEQ 200   /* test digits for the equivariance errors */

/* One layer on a single-channel 8 x 8 map z (in place): the plain layer correlates with the filter
 * itself (orientation 0 of the lifting convolution); the C4 layer takes all four orientations and
 * pools them with a max, which gives again an ordinary image that turns with the input. */
static int layer(const gsl_matrix *w, int equivariant, gsl_vector *z, gsl_matrix *y)
{
    int st = sym_lift_conv(w, z, y);
    if (st)
        return st;
    for (size_t p = 0; p < SYM_NPIX; p++) {
        double m = fmax(gsl_matrix_get(y, 0, p), 0.0);
        if (equivariant)
            for (size_t k = 1; k < 4; k++)
                m = fmax(m, gsl_matrix_get(y, k, p));
        gsl_vector_set(z, p, m);
    }
    return GSL_SUCCESS;
}

/* The activations of both layers and the global mean (stored in z[2][0]). */
static int network(gsl_matrix *const w[2], int equivariant, const gsl_vector *x, gsl_vector *z[LAYERS], gsl_matrix *y)
{
    int st;
    gsl_vector_memcpy(z[0], x);
    if ((st = layer(w[0], equivariant, z[0], y)))
        return st;
    gsl_vector_memcpy(z[1], z[0]);
    if ((st = layer(w[1], equivariant, z[1], y)))
        return st;
    double s = 0;
    for (size_t p = 0; p < SYM_NPIX; p++)
        s += gsl_vector_get(z[1], p);
    gsl_vector_set_zero(z[2]);
    gsl_vector_set(z[2], 0, s / SYM_NPIX);
    return GSL_SUCCESS;
}

static double norm_diff(const gsl_vector *a, const gsl_vector *b, double *na)
{
    double d = 0, n = 0;
    for (size_t p = 0; p < a->size; p++) {
        double u = gsl_vector_get(a, p) - gsl_vector_get(b, p);
        d += u * u, n += gsl_vector_get(b, p) * gsl_vector_get(b, p);
    }
    *na = sqrt(n);
    return sqrt(d);
}

/* Nearest centroid: class means of the training rows, accuracy on the test rows. */
static double nearest_centroid(const gsl_matrix *Xtr, const int *ytr, const gsl_matrix *Xte, const int *yte)
{
    size_t D = Xtr->size2;
    double *mu = calloc(10 * D, sizeof *mu), cnt[10] = {0};
    for (size_t r = 0; r < Xtr->size1; r++) {
        cnt[ytr[r]] += 1;
        for (size_t a = 0; a < D; a++)
            mu[ytr[r] * D + a] += gsl_matrix_get(Xtr, r, a);
    }
    for (size_t q = 0; q < 10 * D; q++)
        mu[q] /= cnt[q / D];
    size_t right = 0;
    for (size_t r = 0; r < Xte->size1; r++) {
        int best = 0;
        double bd = INFINITY;
        for (int c = 0; c < 10; c++) {
            double s = 0;
            for (size_t a = 0; a < D; a++) {
                double u = gsl_matrix_get(Xte, r, a) - mu[c * D + a];
                s += u * u;
            }
            if (s < bd)
                bd = s, best = c;
        }
        right += best == yte[r];
    }
    free(mu);
    return (double)right / Xte->size1;
}

static int project_rows(const gsl_matrix *X, gsl_matrix *P)
{
    for (size_t r = 0; r < X->size1; r++) {
        gsl_vector_const_view x = gsl_matrix_const_row(X, r);
        gsl_vector_view p = gsl_matrix_row(P, r);
        int st = sym_project(4, &x.vector, &p.vector);
        if (st)
            return st;
    }
    return GSL_SUCCESS;
}

static int feature_rows(const gsl_matrix *W, const gsl_matrix *X, gsl_matrix *F)
{
    for (size_t r = 0; r < X->size1; r++) {
        gsl_vector_const_view x = gsl_matrix_const_row(X, r);
        gsl_vector_view f = gsl_matrix_row(F, r);
        int st = sym_invariant_features(W, &x.vector, &f.vector);
        if (st)
            return st;
    }
    return GSL_SUCCESS;
}

/* standardise the columns of F with the mean and sd of Ftr (F may be Ftr itself, last) */
static void standardise(const gsl_matrix *Ftr, gsl_matrix *F, double *mu, double *sd, int fit)
{
    size_t n = Ftr->size1, D = Ftr->size2;
    if (fit)
        for (size_t a = 0; a < D; a++) {
            double s = 0, s2 = 0;
            for (size_t r = 0; r < n; r++)
                s += gsl_matrix_get(Ftr, r, a), s2 += gsl_matrix_get(Ftr, r, a) * gsl_matrix_get(Ftr, r, a);
            mu[a] = s / n, sd[a] = sqrt(fmax(s2 / n - mu[a] * mu[a], 1e-300));
        }
    for (size_t r = 0; r < F->size1; r++)
        for (size_t a = 0; a < D; a++)
            gsl_matrix_set(F, r, a, (gsl_matrix_get(F, r, a) - mu[a]) / sd[a]);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const char *out = argv[1];
    char err[512];
    int st;
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS ||
        mlphys_table_read("data/07-digits-split.csv", 1, &split, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    size_t ntr = 0, N = all->size1;
    for (size_t r = 0; r < N; r++)
        ntr += strcmp(mlphys_table_cell(split, r, 1), "train") == 0;
    gsl_matrix *Xtr = gsl_matrix_alloc(ntr, 64), *Xte = gsl_matrix_alloc(N - ntr, 64);
    int *ytr = malloc(ntr * sizeof *ytr), *yte = malloc((N - ntr) * sizeof *yte);
    for (size_t r = 0, a = 0, b = 0; r < N; r++) {
        int tr = strcmp(mlphys_table_cell(split, r, 1), "train") == 0;
        gsl_vector_view src = gsl_matrix_subrow(all, r, 0, 64);
        gsl_matrix_set_row(tr ? Xtr : Xte, tr ? a : b, &src.vector);
        if (tr)
            ytr[a++] = (int)gsl_matrix_get(all, r, 64);
        else
            yte[b++] = (int)gsl_matrix_get(all, r, 64);
    }
    gsl_matrix_free(all), mlphys_table_free(split);
    size_t nte = N - ntr;

    /* 1. The orbit of one test digit (the first 2 of the test set) and its group averages. */
    size_t pick = 0;
    while (yte[pick] != 2)
        pick++;
    gsl_vector_view x0 = gsl_matrix_row(Xte, pick);
    gsl_vector *img = gsl_vector_alloc(64);
    FILE *f = mlphys_open_out(out, "orbit.dat");
    if (!f)
        return 1;
    fprintf(f, "# test digit %zu (label %d): T_g x for g = 0..7 (index g), P_C4 x (index 8), P_D4 x (index 9); pixel / 16\n",
            pick, yte[pick]);
    for (int g = 0; g < 10; g++) {
        st = g < 8 ? sym_act(g, &x0.vector, img) : sym_project(g == 8 ? 4 : 8, &x0.vector, img);
        if (st)
            return mlphys_run_fail(CH, g < 8 ? "sym_act" : "sym_project", st);
        for (size_t i = 0; i < 8; i++)
            for (size_t j = 0; j < 8; j++)
                fprintf(f, "%.6g%c", gsl_vector_get(img, 8 * i + j) / 16, j == 7 ? '\n' : ' ');
        fprintf(f, "\n\n");
    }
    fclose(f);
    printf("orbit of test digit %zu (a %d) under D4 written\n", pick, yte[pick]);

    /* 2. Equivariance error per layer: e_l = sum ||z_l(T_g x) - T_g z_l(x)|| / sum ||z_l(x)||,
     * over NEQ test digits and the turns g = 1..3 (and, separately, the mirrors g = 4..7). */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1300);
    gsl_matrix *w[2] = {gsl_matrix_alloc(3, 3), gsl_matrix_alloc(3, 3)}, *y = gsl_matrix_alloc(4, 64);
    for (int l = 0; l < 2; l++)
        for (size_t a = 0; a < 9; a++)
            w[l]->data[(a / 3) * w[l]->tda + a % 3] = gsl_ran_gaussian(rng, 1.0 / 3.0);
    gsl_vector *z[LAYERS], *zg[LAYERS], *gz = gsl_vector_alloc(64), *gx = gsl_vector_alloc(64);
    for (int l = 0; l < LAYERS; l++)
        z[l] = gsl_vector_alloc(64), zg[l] = gsl_vector_alloc(64);
    double err_num[3][LAYERS] = {{0}}, err_den[3][LAYERS] = {{0}};
    for (size_t t = 0; t < NEQ; t++) {
        gsl_vector_view x = gsl_matrix_row(Xte, t);
        for (int net = 0; net < 2; net++) {
            if ((st = network(w, net, &x.vector, z, y)))
                return mlphys_run_fail(CH, "sym_lift_conv", st);
            for (int g = 1; g < 8; g++) {
                int row = net == 0 ? 0 : (g < 4 ? 1 : 2);
                if (net == 0 && g >= 4)
                    continue;
                if ((st = sym_act(g, &x.vector, gx)))
                    return mlphys_run_fail(CH, "sym_act", st);
                network(w, net, gx, zg, y);
                for (int l = 0; l < LAYERS; l++) {
                    double nz;
                    if (l < LAYERS - 1)
                        sym_act(g, z[l], gz);
                    else
                        gsl_vector_memcpy(gz, z[l]); /* the pooled output should not move at all */
                    err_num[row][l] += norm_diff(zg[l], gz, &nz);
                    err_den[row][l] += nz;
                }
            }
        }
    }
    if (!(f = mlphys_open_out(out, "equivariance.dat")))
        return 1;
    fprintf(f, "# relative equivariance error sum||z(Tx) - T z(x)|| / sum||z(x)|| over %d test digits\n"
               "# (layer 3 is the global mean: invariance error |z(Tx) - z(x)| / |z(x)|)\n"
               "# layer  plain-CNN-turns  C4-net-turns  C4-net-mirrors\n", NEQ);
    printf("equivariance error per layer (relative):   plain CNN, turns | C4 net, turns | C4 net, mirrors\n");
    for (int l = 0; l < LAYERS; l++) {
        double e[3];
        for (int r = 0; r < 3; r++)
            e[r] = err_num[r][l] / err_den[r][l];
        fprintf(f, "%d %.6e %.6e %.6e\n", l + 1, e[0], e[1], e[2]);
        printf("  layer %d %s  %.3e | %.3e | %.3e\n", l + 1, l < 2 ? "(conv+ReLU)" : "(mean pool)", e[0], e[1], e[2]);
    }
    fclose(f);

    /* 3. Nearest centroid on upright training digits, tested on upright and on turned digits. */
    gsl_rng_set(rng, 1301);
    gsl_matrix *Xrot = gsl_matrix_alloc(nte, 64);
    int *g = malloc(nte * sizeof *g);
    if ((st = sym_random_transform(4, Xte, rng, Xrot, g)))
        return mlphys_run_fail(CH, "sym_random_transform", st);
    gsl_matrix *Ptr = gsl_matrix_alloc(ntr, 64), *Pte = gsl_matrix_alloc(nte, 64), *Prot = gsl_matrix_alloc(nte, 64);
    if ((st = project_rows(Xtr, Ptr)) || (st = project_rows(Xte, Pte)) || (st = project_rows(Xrot, Prot)))
        return mlphys_run_fail(CH, "sym_project", st);
    /* invariant features: 16 random filters, standardised with the training statistics */
    const size_t F = 16;
    gsl_matrix *W = gsl_matrix_alloc(F, 9), *Ftr = gsl_matrix_alloc(ntr, F), *Fte = gsl_matrix_alloc(nte, F),
               *Frot = gsl_matrix_alloc(nte, F);
    gsl_rng_set(rng, 1302);
    for (size_t a = 0; a < F * 9; a++)
        W->data[a] = gsl_ran_gaussian(rng, 1.0);
    if ((st = feature_rows(W, Xtr, Ftr)) || (st = feature_rows(W, Xte, Fte)) || (st = feature_rows(W, Xrot, Frot)))
        return mlphys_run_fail(CH, "sym_invariant_features", st);
    double mu[16], sd[16];
    standardise(Ftr, Fte, mu, sd, 1), standardise(Ftr, Frot, mu, sd, 0), standardise(Ftr, Ftr, mu, sd, 0);
    double acc[3][2] = {{nearest_centroid(Xtr, ytr, Xte, yte), nearest_centroid(Xtr, ytr, Xrot, yte)},
                        {nearest_centroid(Ptr, ytr, Pte, yte), nearest_centroid(Ptr, ytr, Prot, yte)},
                        {nearest_centroid(Ftr, ytr, Fte, yte), nearest_centroid(Ftr, ytr, Frot, yte)}};
    /* the pixel model on the test set turned as a whole by R^k, k = 0..3 (no randomness) */
    double turn_acc[4];
    gsl_matrix *Xk = gsl_matrix_alloc(nte, 64);
    for (int k = 0; k < 4; k++) {
        for (size_t r = 0; r < nte; r++) {
            gsl_vector_view a = gsl_matrix_row(Xte, r), b = gsl_matrix_row(Xk, r);
            if ((st = sym_act(k, &a.vector, &b.vector)))
                return mlphys_run_fail(CH, "sym_act", st);
        }
        turn_acc[k] = nearest_centroid(Xtr, ytr, Xk, yte);
    }
    gsl_matrix_free(Xk);
    printf("pixel nearest centroid, test set turned by R^0..R^3: %.3f %.3f %.3f %.3f (mean %.3f)\n", turn_acc[0],
           turn_acc[1], turn_acc[2], turn_acc[3], (turn_acc[0] + turn_acc[1] + turn_acc[2] + turn_acc[3]) / 4);
    static const char *model[3] = {"pixels", "C4-averaged-pixels", "invariant-features"};
    if (!(f = mlphys_open_out(out, "accuracy.dat")))
        return 1;
    fprintf(f, "# nearest centroid trained on %zu upright digits, tested on %zu upright and randomly turned (C4) digits\n"
               "# model  upright  turned  binomial-se-upright  binomial-se-turned\n", ntr, nte);
    printf("nearest centroid on %zu test digits:          upright   turned\n", nte);
    for (int m = 0; m < 3; m++) {
        fprintf(f, "%s %.6f %.6f %.6f %.6f\n", model[m], acc[m][0], acc[m][1], sqrt(acc[m][0] * (1 - acc[m][0]) / nte),
                sqrt(acc[m][1] * (1 - acc[m][1]) / nte));
        printf("  %-40s %.3f    %.3f\n", model[m], acc[m][0], acc[m][1]);
    }
    fclose(f);

    /* 4. Deep Sets against a flattened linear read-out under 1000 permutations of 10 points. */
    const size_t n = 10, d = 3, H = 16;
    gsl_matrix *X = gsl_matrix_alloc(n, d), *Xp = gsl_matrix_alloc(n, d), *W1 = gsl_matrix_alloc(H, d), *W2 = gsl_matrix_alloc(1, H);
    gsl_vector *b1 = gsl_vector_calloc(H), *b2 = gsl_vector_calloc(1), *o = gsl_vector_alloc(1), *op = gsl_vector_alloc(1);
    for (size_t a = 0; a < n * d; a++)
        X->data[a] = gsl_ran_gaussian(rng, 1.0);
    for (size_t a = 0; a < H * d; a++)
        W1->data[a] = gsl_ran_gaussian(rng, 1.0);
    for (size_t a = 0; a < H; a++)
        W2->data[a] = gsl_ran_gaussian(rng, 1.0);
    double c[30], base0 = 0, dmax = 0, bmin = INFINITY, bsum = 0;
    for (size_t a = 0; a < n * d; a++)
        c[a] = gsl_ran_gaussian(rng, 1.0), base0 += c[a] * X->data[a];
    if ((st = sym_deepsets(X, W1, b1, W2, b2, o)))
        return mlphys_run_fail(CH, "sym_deepsets", st);
    size_t perm[10];
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (int t = 0; t < 1000; t++) {
        gsl_ran_shuffle(rng, perm, n, sizeof perm[0]);
        double base = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++) {
                gsl_matrix_set(Xp, i, a, gsl_matrix_get(X, perm[i], a));
                base += c[i * d + a] * gsl_matrix_get(X, perm[i], a);
            }
        sym_deepsets(Xp, W1, b1, W2, b2, op);
        dmax = fmax(dmax, fabs(op->data[0] - o->data[0]));
        bmin = fmin(bmin, fabs(base - base0)), bsum += fabs(base - base0) / 1000;
    }
    printf("Deep Sets under 1000 permutations of 10 points: max |change| = %.2e (output %.3f);\n"
           "  flattened linear baseline: mean |change| = %.3f, smallest %.2e\n", dmax, o->data[0], bsum, bmin);

    gsl_rng_free(rng), gsl_vector_free(img), gsl_matrix_free(w[0]), gsl_matrix_free(w[1]), gsl_matrix_free(y);
    for (int l = 0; l < LAYERS; l++)
        gsl_vector_free(z[l]), gsl_vector_free(zg[l]);
    gsl_vector_free(gz), gsl_vector_free(gx), gsl_matrix_free(Xrot), free(g), gsl_matrix_free(Ptr), gsl_matrix_free(Pte);
    gsl_matrix_free(Prot), gsl_matrix_free(W), gsl_matrix_free(Ftr), gsl_matrix_free(Fte), gsl_matrix_free(Frot);
    gsl_matrix_free(X), gsl_matrix_free(Xp), gsl_matrix_free(W1), gsl_matrix_free(W2), gsl_vector_free(b1);
    gsl_vector_free(b2), gsl_vector_free(o), gsl_vector_free(op), gsl_matrix_free(Xtr), gsl_matrix_free(Xte);
    free(ytr), free(yte);
    return 0;
}
