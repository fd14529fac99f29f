/*
 * Chapter 07 experiment: softmax regression on the digits, and the ridge path of Longley.
 * Uses whichever losses.c was built (yours with `make run CH=07-losses`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes OUTDIR/training.dat, ridge.dat, ridge_ols.dat.
 * Nothing here is random: the train/test split is the fixed file data/07-digits-split.csv
 * (made once by data/07-make-split.sh), training starts from W = 0, b = 0.
 */
#include "losses.h"
#include "mlphys_run.h"
#include "mlphys_data.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Softmax regression: full-batch gradient descent from zero with this step size. */
#define LR 1.0
#define STEPS 300
#define NCLASS 10
#define NPIX 64

/* The digits split into X (pixels), Y (one-hot) and labels, for "train" or "test". */
struct digits { gsl_matrix *X, *Y; int *label; size_t n; };

static int load_digits(struct digits *tr, struct digits *te)
{
    char err[512];
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS ||
        mlphys_table_read("data/07-digits-split.csv", 1, &split, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "run: %s (run from the repository root)\n", err);
        gsl_matrix_free(all);
        return 1;
    }
    if (split->rows != all->size1 || all->size2 != NPIX + 1) {
        fprintf(stderr, "run: data/07-digits-split.csv has %zu rows for %zu digits\n", split->rows,
                all->size1);
        return 1;
    }
    size_t ntr = 0;
    for (size_t r = 0; r < split->rows; r++)
        ntr += strcmp(mlphys_table_cell(split, r, 1), "train") == 0;
    struct digits *d[2] = {tr, te};
    size_t sizes[2] = {ntr, all->size1 - ntr};
    for (int s = 0; s < 2; s++) {
        d[s]->n = sizes[s];
        d[s]->X = gsl_matrix_alloc(sizes[s], NPIX);
        d[s]->Y = gsl_matrix_calloc(sizes[s], NCLASS);
        d[s]->label = malloc(sizes[s] * sizeof(int));
        sizes[s] = 0;
    }
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        size_t i = sizes[s]++;
        for (size_t j = 0; j < NPIX; j++)
            gsl_matrix_set(d[s]->X, i, j, gsl_matrix_get(all, r, j));
        int c = (int)gsl_matrix_get(all, r, NPIX);
        d[s]->label[i] = c;
        gsl_matrix_set(d[s]->Y, i, (size_t)c, 1.0);
    }
    gsl_matrix_free(all);
    mlphys_table_free(split);
    return 0;
}

static void digits_free(struct digits *d)
{
    gsl_matrix_free(d->X), gsl_matrix_free(d->Y), free(d->label);
}

/* Fraction of rows whose largest logit is the true class. */
static double accuracy(const gsl_matrix *Z, const int *label)
{
    size_t right = 0;
    for (size_t n = 0; n < Z->size1; n++) {
        gsl_vector_const_view z = gsl_matrix_const_row(Z, n);
        right += (int)gsl_vector_max_index(&z.vector) == label[n];
    }
    return (double)right / (double)Z->size1;
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

    /* 1. Why log-sum-exp: logits (1000, -1000) with label 1 (the second class; labels count from 0). */
    double z2[2] = {1000, -1000}, y2[2] = {0, 1}, loss2;
    gsl_matrix_view Z2 = gsl_matrix_view_array(z2, 1, 2), Y2 = gsl_matrix_view_array(y2, 1, 2);
    if ((st = losses_softmax_xent(&Z2.matrix, &Y2.matrix, &loss2, NULL)))
        return mlphys_run_fail("07-losses", "losses_softmax_xent", st);
    double naive = -log(exp(-1000.0) / (exp(1000.0) + exp(-1000.0)));
    printf("logits (1000, -1000), label 1: naive -log(softmax) = %g, yours = %.6g (exact 2000)\n",
           naive, loss2);

    /* 2. Softmax regression on the digits, pixels standardised with the training statistics. */
    struct digits tr, te;
    if (load_digits(&tr, &te))
        return 1;
    gsl_vector *mean = gsl_vector_alloc(NPIX), *scale = gsl_vector_alloc(NPIX);
    if ((st = losses_standardize(tr.X, te.X, mean, scale)))
        return mlphys_run_fail("07-losses", "losses_standardize", st);
    gsl_matrix *W = gsl_matrix_calloc(NPIX, NCLASS), *Ztr = gsl_matrix_alloc(tr.n, NCLASS);
    gsl_matrix *Zte = gsl_matrix_alloc(te.n, NCLASS);
    gsl_vector *b = gsl_vector_calloc(NCLASS), *h = gsl_vector_alloc(1);
    FILE *f = mlphys_open_out(out, "training.dat");
    if (!f)
        return 1;
    fprintf(f, "# step train_xent test_xent train_acc test_acc   (%zu train, %zu test, lr = %g)\n", tr.n,
            te.n, LR);
    double ltr = 0, lte = 0, atr = 0, ate = 0;
    for (size_t t = 0; t <= STEPS; t++) {
        if ((st = softreg_loss_grad(tr.X, tr.Y, W, b, &ltr, NULL, NULL)))
            return mlphys_run_fail("07-losses", "softreg_loss_grad", st);
        if ((st = softreg_loss_grad(te.X, te.Y, W, b, &lte, NULL, NULL)))
            return mlphys_run_fail("07-losses", "softreg_loss_grad", st);
        if ((st = softreg_logits(tr.X, W, b, Ztr)) || (st = softreg_logits(te.X, W, b, Zte)))
            return mlphys_run_fail("07-losses", "softreg_logits", st);
        atr = accuracy(Ztr, tr.label), ate = accuracy(Zte, te.label);
        fprintf(f, "%zu %.6f %.6f %.5f %.5f\n", t, ltr, lte, atr, ate);
        if (t == STEPS)
            break;
        if ((st = softreg_fit(tr.X, tr.Y, W, b, LR, 1, h)))
            return mlphys_run_fail("07-losses", "softreg_fit", st);
    }
    fclose(f);
    printf("softmax regression, %d full-batch steps at lr = %g: train cross-entropy %.4f, test %.4f; "
           "accuracy train %.4f, test %.4f (%zu test digits)\n", STEPS, LR, ltr, lte, atr, ate, te.n);

    /* 3. The ridge path of Longley's data, columns standardised, employment centred and scaled,
     *    so the coefficients are unitless.  At lambda -> 0 it must reach NIST's certified
     *    least-squares fit, converted to these units: beta_j sd_j / sd_y. */
    char err[512];
    gsl_matrix *L = NULL;
    if (mlphys_read_matrix("data/longley.csv", 1, &L, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "run: %s\n", err);
        return 1;
    }
    const size_t n = L->size1, p = L->size2 - 1;
    gsl_matrix_view Xl = gsl_matrix_submatrix(L, 0, 0, n, p);
    gsl_matrix_view Yl = gsl_matrix_submatrix(L, 0, p, n, 1);
    gsl_vector *lm = gsl_vector_alloc(p), *ls = gsl_vector_alloc(p), *ym = gsl_vector_alloc(1);
    gsl_vector *ys = gsl_vector_alloc(1), *w = gsl_vector_alloc(p);
    if ((st = losses_standardize(&Xl.matrix, NULL, lm, ls)) ||
        (st = losses_standardize(&Yl.matrix, NULL, ym, ys)))
        return mlphys_run_fail("07-losses", "losses_standardize", st);
    gsl_vector_view yl = gsl_matrix_column(L, p);
    const double nist[6] = {15.0618722713733, -0.358191792925910E-01, -2.02022980381683,
                            -1.03322686717359, -0.511041056535807E-01, 1829.15146461355};
    if (!(f = mlphys_open_out(out, "ridge_ols.dat")))
        return 1;
    fprintf(f, "# j  NIST certified least-squares coefficient in standardised units   (X^T y)_j, the "
               "large-lambda limit w_j ~ (X^T y)_j / lambda\n");
    gsl_vector *Xty = gsl_vector_alloc(p);
    gsl_blas_dgemv(CblasTrans, 1.0, &Xl.matrix, &yl.vector, 0.0, Xty);
    for (size_t j = 0; j < p; j++)
        fprintf(f, "%zu %.10g %.10g\n", j + 1, nist[j] * gsl_vector_get(ls, j) / gsl_vector_get(ys, 0),
                gsl_vector_get(Xty, j));
    gsl_vector_free(Xty);
    fclose(f);
    if (!(f = mlphys_open_out(out, "ridge.dat")))
        return 1;
    fprintf(f, "# lambda  w_1..w_%zu (standardised Longley, n = %zu)\n", p, n);
    double worst = 0;
    if ((st = losses_ridge(&Xl.matrix, &yl.vector, 0.0, w)))
        return mlphys_run_fail("07-losses", "losses_ridge", st);
    for (size_t j = 0; j < p; j++) {
        double want = nist[j] * gsl_vector_get(ls, j) / gsl_vector_get(ys, 0);
        worst = fmax(worst, fabs(gsl_vector_get(w, j) - want) / fabs(want));
    }
    for (int k = 0; k <= 90; k++) {
        double lambda = pow(10.0, -6.0 + 0.1 * k);
        if ((st = losses_ridge(&Xl.matrix, &yl.vector, lambda, w)))
            return mlphys_run_fail("07-losses", "losses_ridge", st);
        fprintf(f, "%.6e", lambda);
        for (size_t j = 0; j < p; j++)
            fprintf(f, " %.8f", gsl_vector_get(w, j));
        fprintf(f, "\n");
    }
    fclose(f);
    printf("ridge path of standardised Longley, lambda = 1e-6 .. 1e3: at lambda = 0 your ridge is "
           "within %.1e (relative) of NIST's certified fit; at lambda = 1e3 |w| = %.3f\n", worst,
           gsl_blas_dnrm2(w));
    printf("wrote %s/training.dat, ridge.dat, ridge_ols.dat\n", out);

    digits_free(&tr), digits_free(&te);
    gsl_vector_free(mean), gsl_vector_free(scale), gsl_matrix_free(W), gsl_matrix_free(Ztr);
    gsl_matrix_free(Zte), gsl_vector_free(b), gsl_vector_free(h), gsl_matrix_free(L);
    gsl_vector_free(lm), gsl_vector_free(ls), gsl_vector_free(ym), gsl_vector_free(ys);
    gsl_vector_free(w);
    return 0;
}
