/*
 * Chapter 09 experiment: signal propagation through deep random networks, and a 64-128-10 MLP
 * trained on the digits with three optimisers and five kinds of input preprocessing.
 * Uses whichever training.c was built (yours with `make run CH=09-training`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes into OUTDIR:
 *   signal.dat    q_l vs layer l = 1..30 (width 512) for ReLU and tanh with He, Glorot and LeCun
 *                 initialisation, geometric mean over 5 networks, beside the mean-field map
 *   train.dat     training loss, test loss and test accuracy per epoch for SGD, momentum and Adam
 *   prep.dat      test accuracy per epoch with Adam for raw, standardised, PCA- and ZCA-whitened
 *                 pixels (mean over 3 seeds)
 * Seeds: gsl_rng_mt19937 with 900 + experiment number, so every run is reproducible.
 */
#include "training.h"
#include "mlphys_data.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CH "09-training"
#define NPIX 64
#define NCLASS 10
#define HIDDEN 128
#define BATCH 32

struct digits { gsl_matrix *X; int *label; size_t n; };

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
        fprintf(stderr, "run: data/07-digits-split.csv has %zu rows for %zu digits\n", split->rows, all->size1);
        return 1;
    }
    size_t sizes[2] = {0, 0};
    for (size_t r = 0; r < split->rows; r++)
        sizes[strcmp(mlphys_table_cell(split, r, 1), "train") != 0]++;
    struct digits *d[2] = {tr, te};
    for (int s = 0; s < 2; s++) {
        d[s]->n = sizes[s];
        d[s]->X = gsl_matrix_alloc(sizes[s], NPIX);
        d[s]->label = malloc(sizes[s] * sizeof(int));
        sizes[s] = 0;
    }
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        size_t i = sizes[s]++;
        for (size_t j = 0; j < NPIX; j++)
            gsl_matrix_set(d[s]->X, i, j, gsl_matrix_get(all, r, j));
        d[s]->label[i] = (int)gsl_matrix_get(all, r, NPIX);
    }
    gsl_matrix_free(all);
    mlphys_table_free(split);
    return 0;
}

/* Preprocessing of train and test pixels (statistics from the training set only). */
enum { PREP_RAW, PREP_STD, PREP_PCA, PREP_ZCA, PREP_ZCA_REG, NPREP };
static const char *const prep_name[NPREP] = {"pixels / 16", "standardised", "PCA, eps = 0.1",
                                             "ZCA, eps = 0.1", "ZCA, eps = 10"};

static int preprocess(int how, const struct digits *tr, const struct digits *te, gsl_matrix *Xtr, gsl_matrix *Xte)
{
    if (how == PREP_RAW || how == PREP_STD) {
        for (size_t j = 0; j < NPIX; j++) {
            double m = 0, v = 0;
            for (size_t i = 0; i < tr->n; i++)
                m += gsl_matrix_get(tr->X, i, j) / (double)tr->n;
            for (size_t i = 0; i < tr->n; i++)
                v += gsl_pow_2(gsl_matrix_get(tr->X, i, j) - m) / (double)tr->n;
            double s = how == PREP_RAW ? 1.0 / 16 : (v > 0 ? 1 / sqrt(v) : 0);
            if (how == PREP_RAW)
                m = 0;
            for (size_t i = 0; i < tr->n; i++)
                gsl_matrix_set(Xtr, i, j, (gsl_matrix_get(tr->X, i, j) - m) * s);
            for (size_t i = 0; i < te->n; i++)
                gsl_matrix_set(Xte, i, j, (gsl_matrix_get(te->X, i, j) - m) * s);
        }
        return GSL_SUCCESS;
    }
    gsl_vector *mu = gsl_vector_alloc(NPIX);
    gsl_matrix *W = gsl_matrix_alloc(NPIX, NPIX);
    int st = whiten_fit(tr->X, how == PREP_PCA ? WHITEN_PCA : WHITEN_ZCA, how == PREP_ZCA_REG ? 10.0 : 0.1, mu, W);
    if (!st)
        st = whiten_apply(W, mu, tr->X, Xtr);
    if (!st)
        st = whiten_apply(W, mu, te->X, Xte);
    gsl_vector_free(mu), gsl_matrix_free(W);
    return st;
}

/* Train a 64-128-10 ReLU net (He) for `epochs`; per epoch, write the mean training loss, test
 * loss and test accuracy into out[3 * e + 0..2] (out may be NULL).  Returns a GSL status. */
static int train(const gsl_matrix *Xtr, const int *ytr, const gsl_matrix *Xte, const int *yte, opt_kind kind,
                 double lr, int epochs, unsigned long seed, double *out)
{
    size_t sizes[3] = {NPIX, HIDDEN, NCLASS};
    net *n = net_alloc(2, sizes, ACT_RELU, 512);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    size_t *order = malloc(Xtr->size1 * sizeof *order);
    opt *o = n ? opt_alloc(kind, n->P, lr) : NULL;
    int st = !n || !o || !order ? GSL_ENOMEM : net_init(n, INIT_HE, rng);
    for (size_t i = 0; i < Xtr->size1; i++)
        order[i] = i;
    for (int e = 0; e < epochs && !st; e++) {
        double ltr, lte, acc;
        gsl_ran_shuffle(rng, order, Xtr->size1, sizeof *order);
        if ((st = net_train_epoch(n, o, Xtr, ytr, order, BATCH, &ltr)))
            break;
        if ((st = net_evaluate(n, Xte, yte, &lte, &acc)))
            break;
        if (out)
            out[3 * e] = ltr, out[3 * e + 1] = lte, out[3 * e + 2] = acc;
    }
    free(order), opt_free(o), net_free(n), gsl_rng_free(rng);
    return st;
}

/* E[tanh(sqrt(q) z)^2] for z ~ N(0, 1), by quadrature. */
static double tanh2(double z, void *p)
{
    double t = tanh(sqrt(*(double *)p) * z);
    return t * t * exp(-0.5 * z * z) / sqrt(2 * M_PI);
}
static double tanh_moment(double q, gsl_integration_workspace *w)
{
    gsl_function F = {tanh2, &q};
    double r, err;
    gsl_integration_qagi(&F, 1e-13, 1e-10, 200, w, &r, &err);
    return r;
}

#define DEPTH 30
#define WIDTH 512
#define NETS 5

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *outdir = argv[1];
    struct digits tr, te;
    if (load_digits(&tr, &te))
        return 1;
    gsl_matrix *Xtr = gsl_matrix_alloc(tr.n, NPIX), *Xte = gsl_matrix_alloc(te.n, NPIX);
    int st;
    FILE *f;

    /* 1. Signal propagation: 16 standardised training digits through 30 random layers. */
    if ((st = preprocess(PREP_STD, &tr, &te, Xtr, Xte)))
        return mlphys_run_fail(CH, "preprocess", st);
    gsl_matrix_const_view X0 = gsl_matrix_const_submatrix(Xtr, 0, 0, 16, NPIX);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 901);
    gsl_integration_workspace *iw = gsl_integration_workspace_alloc(200);
    gsl_vector *q = gsl_vector_alloc(DEPTH);
    double sim[6][DEPTH], th[6][DEPTH];
    const init_kind inits[3] = {INIT_HE, INIT_GLOROT, INIT_LECUN};
    double x2 = 0; /* (1/B) sum |x|^2 of the inputs */
    for (size_t i = 0; i < 16; i++)
        for (size_t j = 0; j < NPIX; j++)
            x2 += gsl_pow_2(gsl_matrix_get(&X0.matrix, i, j)) / 16;
    for (int c = 0; c < 6; c++) {
        act_kind act = c < 3 ? ACT_RELU : ACT_TANH;
        init_kind kind = inits[c % 3];
        for (int l = 0; l < DEPTH; l++)
            sim[c][l] = 0;
        for (int r = 0; r < NETS; r++) {
            if ((st = signal_propagate(act, kind, 0.0, WIDTH, &X0.matrix, rng, q)))
                return mlphys_run_fail(CH, "signal_propagate", st);
            for (int l = 0; l < DEPTH; l++)
                sim[c][l] += log(gsl_vector_get(q, l)) / NETS;
        }
        double v1, v;
        if ((st = init_variance(kind, NPIX, WIDTH, &v1)) || (st = init_variance(kind, WIDTH, WIDTH, &v)))
            return mlphys_run_fail(CH, "init_variance", st);
        th[c][0] = v1 * x2;
        for (int l = 1; l < DEPTH; l++)
            th[c][l] = v * WIDTH * (act == ACT_RELU ? th[c][l - 1] / 2 : tanh_moment(th[c][l - 1], iw));
    }
    if (!(f = mlphys_open_out(outdir, "signal.dat")))
        return 1;
    fprintf(f, "# q_l = mean z_l^2, width %d, 16 standardised digits, sigma_b = 0, geometric mean over %d nets\n"
               "# l  ReLU: He Glorot LeCun  tanh: He Glorot LeCun  then the mean-field values in the same order\n",
            WIDTH, NETS);
    for (int l = 0; l < DEPTH; l++) {
        fprintf(f, "%d", l + 1);
        for (int c = 0; c < 6; c++)
            fprintf(f, " %.6e", exp(sim[c][l]));
        for (int c = 0; c < 6; c++)
            fprintf(f, " %.6e", th[c][l]);
        fprintf(f, "\n");
    }
    fclose(f);
    printf("signal propagation, width %d, depth %d (q_30 / q_1; mean field in brackets):\n", WIDTH, DEPTH);
    const char *iname[3] = {"He", "Glorot", "LeCun"};
    for (int c = 0; c < 6; c++)
        printf("  %-4s %-6s  %.3e  [%.3e]\n", c < 3 ? "ReLU" : "tanh", iname[c % 3],
               exp(sim[c][DEPTH - 1] - sim[c][0]), th[c][DEPTH - 1] / th[c][0]);

    /* 2. Three optimisers on standardised pixels, 40 epochs, the same initialisation (seed 902).
     *    SGD and momentum share lr 0.01: momentum 0.9 makes the effective step lr / (1 - 0.9) = 0.1. */
    enum { EPOCHS = 40 };
    const opt_kind kinds[3] = {OPT_SGD, OPT_MOMENTUM, OPT_ADAM};
    const double lrs[3] = {0.01, 0.01, 1e-3};
    const char *oname[3] = {"SGD", "momentum", "Adam"};
    double curves[3][3 * EPOCHS];
    for (int k = 0; k < 3; k++)
        if ((st = train(Xtr, tr.label, Xte, te.label, kinds[k], lrs[k], EPOCHS, 902, curves[k])))
            return mlphys_run_fail(CH, "training", st);
    if (!(f = mlphys_open_out(outdir, "train.dat")))
        return 1;
    fprintf(f, "# 64-128-10 ReLU MLP, He init, batch %d, standardised pixels, seed 902\n"
               "# epoch  then for SGD (lr 0.01), momentum (lr 0.01, 0.9), Adam (lr 1e-3): train loss, test loss, "
               "test accuracy\n", BATCH);
    for (int e = 0; e < EPOCHS; e++) {
        fprintf(f, "%d", e + 1);
        for (int k = 0; k < 3; k++)
            fprintf(f, " %.6f %.6f %.6f", curves[k][3 * e], curves[k][3 * e + 1], curves[k][3 * e + 2]);
        fprintf(f, "\n");
    }
    fclose(f);
    printf("training 64-128-10 on %zu digits, batch %d, %d epochs (test on %zu):\n", tr.n, BATCH, EPOCHS, te.n);
    for (int k = 0; k < 3; k++) {
        int first = -1;
        for (int e = 0; e < EPOCHS && first < 0; e++)
            if (curves[k][3 * e + 2] >= 0.97)
                first = e + 1;
        printf("  %-8s lr %-6g  final train loss %.4f, test loss %.4f, test accuracy %.4f; >= 0.97 from epoch %d\n",
               oname[k], lrs[k], curves[k][3 * EPOCHS - 3], curves[k][3 * EPOCHS - 2], curves[k][3 * EPOCHS - 1],
               first);
    }

    /* 3. Does whitening help?  Adam lr 1e-3 on five preprocessings, mean over 3 seeds (903..905). */
    enum { PEPOCHS = 25, SEEDS = 3 };
    double acc[NPREP][PEPOCHS], buf[3 * PEPOCHS];
    for (int p = 0; p < NPREP; p++) {
        if ((st = preprocess(p, &tr, &te, Xtr, Xte)))
            return mlphys_run_fail(CH, "whitening", st);
        for (int e = 0; e < PEPOCHS; e++)
            acc[p][e] = 0;
        for (int s = 0; s < SEEDS; s++) {
            if ((st = train(Xtr, tr.label, Xte, te.label, OPT_ADAM, 1e-3, PEPOCHS, 903 + s, buf)))
                return mlphys_run_fail(CH, "training", st);
            for (int e = 0; e < PEPOCHS; e++)
                acc[p][e] += buf[3 * e + 2] / SEEDS;
        }
    }
    if (!(f = mlphys_open_out(outdir, "prep.dat")))
        return 1;
    fprintf(f, "# test accuracy per epoch, Adam lr 1e-3, batch %d, mean over %d seeds\n# epoch", BATCH, SEEDS);
    for (int p = 0; p < NPREP; p++)
        fprintf(f, "  '%s'", prep_name[p]);
    fprintf(f, "\n");
    for (int e = 0; e < PEPOCHS; e++) {
        fprintf(f, "%d", e + 1);
        for (int p = 0; p < NPREP; p++)
            fprintf(f, " %.6f", acc[p][e]);
        fprintf(f, "\n");
    }
    fclose(f);
    printf("preprocessing (Adam lr 1e-3, mean test accuracy over %d seeds):\n", SEEDS);
    for (int p = 0; p < NPREP; p++) {
        int first = -1;
        for (int e = 0; e < PEPOCHS && first < 0; e++)
            if (acc[p][e] >= 0.97)
                first = e + 1;
        printf("  %-15s epoch 5: %.4f  epoch %d: %.4f  (>= 0.97 from epoch %d)\n", prep_name[p], acc[p][4], PEPOCHS,
               acc[p][PEPOCHS - 1], first);
    }

    gsl_vector_free(q), gsl_rng_free(rng), gsl_integration_workspace_free(iw);
    gsl_matrix_free(Xtr), gsl_matrix_free(Xte);
    gsl_matrix_free(tr.X), gsl_matrix_free(te.X), free(tr.label), free(te.label);
    return 0;
}
