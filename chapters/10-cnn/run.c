/*
 * Chapter 10 experiment: a small CNN on the 8x8 digits, against a plain MLP on the same split.
 * Uses whichever cnn.c was built (yours with `make run CH=10-cnn`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes into OUTDIR:
 *   training.dat  epoch, CNN training loss and test accuracy, MLP training loss and test accuracy
 *   filters.dat   the 16 learned 3x3 kernels, one gnuplot block (index) each
 *   maps.dat      one test digit (index 0), its 16 feature maps after the ReLU (index 1..16)
 *                 and after the 2x2 max-pool (index 17..32)
 *   shift.dat     test accuracy of both networks when every test image is shifted sideways
 * Data: data/digits.csv.gz with the fixed split data/07-digits-split.csv (1350 train, 447 test),
 * pixels divided by 16.  Seeds: gsl_rng_mt19937 seeded 1010 (CNN) and 1011 (MLP).
 * The MLP is the shared one of chapters/common (mlp.h), 64-128-10 with ReLU, trained with the
 * same optimiser (Adam), batch size and schedule, so that only the architecture differs.
 */
#include "cnn.h"
#include "mlp.h"
#include "mlphys_data.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPOCHS 20       /* at lr = 0.01 */
#define DECAY_EPOCHS 5  /* then at lr = 0.001 */
#define BATCH 32
#define FILTERS 16

struct digits { gsl_matrix *X; int *label; size_t n; };

static int load_digits(struct digits *tr, struct digits *te)
{
    char err[512];
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS ||
        mlphys_table_read("data/07-digits-split.csv", 1, &split, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "run: %s\n", err);
        gsl_matrix_free(all);
        return 1;
    }
    size_t sizes[2] = {0, 0};
    for (size_t r = 0; r < split->rows; r++)
        sizes[strcmp(mlphys_table_cell(split, r, 1), "train") != 0]++;
    struct digits *d[2] = {tr, te};
    for (int s = 0; s < 2; s++) {
        d[s]->X = gsl_matrix_alloc(sizes[s], 64);
        d[s]->label = malloc(sizes[s] * sizeof(int));
        d[s]->n = sizes[s];
        sizes[s] = 0;
    }
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        size_t i = sizes[s]++;
        for (size_t j = 0; j < 64; j++)
            gsl_matrix_set(d[s]->X, i, j, gsl_matrix_get(all, r, j) / 16.0);
        d[s]->label[i] = (int)gsl_matrix_get(all, r, 64);
    }
    gsl_matrix_free(all);
    mlphys_table_free(split);
    return 0;
}

static double accuracy(const gsl_matrix *Z, const int *label)
{
    size_t right = 0;
    for (size_t n = 0; n < Z->size1; n++) {
        gsl_vector_const_view z = gsl_matrix_const_row(Z, n);
        right += (int)gsl_vector_max_index(&z.vector) == label[n];
    }
    return (double)right / (double)Z->size1;
}

/* Every image shifted sideways by s pixels (to the right for s > 0), zeros shifted in. */
static void shift_images(const gsl_matrix *X, long s, gsl_matrix *Xs)
{
    gsl_matrix_set_zero(Xs);
    for (size_t n = 0; n < X->size1; n++)
        for (long i = 0; i < 8; i++)
            for (long j = 0; j < 8; j++)
                if (j - s >= 0 && j - s < 8)
                    gsl_matrix_set(Xs, n, (size_t)(i * 8 + j), gsl_matrix_get(X, n, (size_t)(i * 8 + j - s)));
}

/* One epoch of the MLP with Adam, mini-batches of BATCH rows of a fresh shuffle. */
static int mlp_epoch(mlp *net, mlp_workspace *ws, const struct digits *tr, double lr, gsl_rng *rng,
                     size_t *perm, double *mean_loss)
{
    gsl_matrix *Xb = gsl_matrix_alloc(BATCH, 64), *Zb = gsl_matrix_alloc(BATCH, 10), *dZ = gsl_matrix_alloc(BATCH, 10);
    int yb[BATCH], st = GSL_SUCCESS;
    double total = 0;
    gsl_ran_shuffle(rng, perm, tr->n, sizeof *perm);
    for (size_t start = 0; start < tr->n && !st; start += BATCH) {
        size_t nb = tr->n - start < BATCH ? tr->n - start : BATCH;
        for (size_t r = 0; r < nb; r++) {
            memcpy(gsl_matrix_ptr(Xb, r, 0), gsl_matrix_const_ptr(tr->X, perm[start + r], 0), 64 * sizeof(double));
            yb[r] = tr->label[perm[start + r]];
        }
        gsl_matrix_view X = gsl_matrix_submatrix(Xb, 0, 0, nb, 64), Z = gsl_matrix_submatrix(Zb, 0, 0, nb, 10);
        gsl_matrix_view D = gsl_matrix_submatrix(dZ, 0, 0, nb, 10);
        double L;
        if ((st = mlp_forward(net, ws, &X.matrix, &Z.matrix)) || (st = cnn_softmax_xent(&Z.matrix, yb, &L, &D.matrix)) ||
            (st = mlp_backward(net, ws, &D.matrix, NULL)) || (st = mlp_adam_step(net, lr)))
            break;
        total += L * (double)nb;
    }
    *mean_loss = total / (double)tr->n;
    gsl_matrix_free(Xb), gsl_matrix_free(Zb), gsl_matrix_free(dZ);
    return st;
}

static double now(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    struct digits tr, te;
    if (load_digits(&tr, &te))
        return 1;
    int st;
    FILE *f;

    /* 1. Train both networks side by side. */
    cnn *net = cnn_alloc(1, 8, 8, FILTERS, 3, 2, 10);
    cnn_workspace *ws = cnn_workspace_alloc(net, te.n);
    size_t sizes[] = {64, 128, 10};
    mlp *mnet = mlp_alloc(2, sizes, MLP_RELU);
    mlp_workspace *mws = mlp_workspace_alloc(mnet, te.n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937), *mrng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 1010), gsl_rng_set(mrng, 1011);
    cnn_init(net, rng);
    mlp_init(mnet, mrng);
    size_t *perm = malloc(tr.n * sizeof *perm);
    for (size_t n = 0; n < tr.n; n++)
        perm[n] = n;
    gsl_matrix *Z = gsl_matrix_alloc(te.n, 10);
    cnn_optim adam = {CNN_ADAM, 0.01, 0, 0.9, 0.999, 1e-8};
    if (!(f = mlphys_open_out(out, "training.dat")))
        return 1;
    fprintf(f, "# epoch  cnn_train_loss  cnn_test_acc  mlp_train_loss  mlp_test_acc   (Adam, batch %d, lr 0.01 then 0.001)\n", BATCH);
    double acc = 0, macc = 0, t_cnn = 0, t_mlp = 0;
    int reach = -1, mreach = -1;
    for (int e = 0; e < EPOCHS + DECAY_EPOCHS; e++) {
        double lr = e < EPOCHS ? 0.01 : 0.001, L, ML, t0 = now();
        adam.lr = lr;
        if ((st = cnn_train_epoch(net, ws, &adam, tr.X, tr.label, BATCH, rng, &L)))
            return mlphys_run_fail("10-cnn", "cnn_train_epoch", st);
        t_cnn += now() - t0;
        if ((st = cnn_forward(net, ws, te.X, Z)))
            return mlphys_run_fail("10-cnn", "cnn_forward", st);
        acc = accuracy(Z, te.label);
        t0 = now();
        if ((st = mlp_epoch(mnet, mws, &tr, lr, mrng, perm, &ML)))
            return mlphys_run_fail("10-cnn", "the MLP baseline (cnn_softmax_xent)", st);
        t_mlp += now() - t0;
        mlp_forward(mnet, mws, te.X, Z);
        macc = accuracy(Z, te.label);
        if (reach < 0 && acc >= 0.97)
            reach = e + 1;
        if (mreach < 0 && macc >= 0.97)
            mreach = e + 1;
        fprintf(f, "%d %.6f %.6f %.6f %.6f\n", e + 1, L, acc, ML, macc);
    }
    fclose(f);
    printf("CNN  conv 3x3x%d + ReLU + 2x2 max-pool + dense: %5zu parameters, test accuracy %.4f "
           "(0.97 first reached after epoch %d), %.1f ms per epoch\n", FILTERS, net->n_params, acc, reach,
           1e3 * t_cnn / (EPOCHS + DECAY_EPOCHS));
    printf("MLP  64-128-10 ReLU (chapters/common/mlp):        %5zu parameters, test accuracy %.4f "
           "(0.97 first reached after epoch %d), %.1f ms per epoch\n", mnet->n_params, macc, mreach,
           1e3 * t_mlp / (EPOCHS + DECAY_EPOCHS));
    printf("     both: Adam, batch %d, %d epochs at lr %g then %d at lr/10\n", BATCH, EPOCHS, 0.01, DECAY_EPOCHS);

    /* 2. The learned filters. */
    if (!(f = mlphys_open_out(out, "filters.dat")))
        return 1;
    fprintf(f, "# the %d learned 3x3 kernels, one block each (rows of the kernel)\n", FILTERS);
    for (size_t o = 0; o < FILTERS; o++) {
        for (size_t p = 0; p < 3; p++) {
            for (size_t q = 0; q < 3; q++)
                fprintf(f, "%.6f ", gsl_matrix_get(&net->K.matrix, o, p * 3 + q));
            fprintf(f, "\n");
        }
        fprintf(f, "\n\n");
    }
    fclose(f);

    /* 3. The feature maps of one test digit (the first 3 of the test set). */
    size_t pick = 0;
    while (pick < te.n && te.label[pick] != 3)
        pick++;
    gsl_matrix_view x1 = gsl_matrix_submatrix(te.X, pick, 0, 1, 64);
    gsl_matrix_view z1 = gsl_matrix_submatrix(Z, 0, 0, 1, 10);
    if ((st = cnn_forward(net, ws, &x1.matrix, &z1.matrix)))
        return mlphys_run_fail("10-cnn", "cnn_forward", st);
    if (!(f = mlphys_open_out(out, "maps.dat")))
        return 1;
    fprintf(f, "# test digit %zu (label %d): the image, its %d maps after the ReLU (8x8), after pooling (4x4)\n", pick,
            te.label[pick], FILTERS);
    for (size_t i = 0; i < 8; i++) {
        for (size_t j = 0; j < 8; j++)
            fprintf(f, "%.4f ", gsl_matrix_get(&x1.matrix, 0, i * 8 + j));
        fprintf(f, "\n");
    }
    fprintf(f, "\n\n");
    for (int stage = 0; stage < 2; stage++)
        for (size_t o = 0; o < FILTERS; o++) {
            size_t n = stage ? 4 : 8;
            const gsl_matrix *M = stage ? ws->P : ws->A;
            for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < n; j++)
                    fprintf(f, "%.4f ", gsl_matrix_get(M, 0, (o * n + i) * n + j));
                fprintf(f, "\n");
            }
            fprintf(f, "\n\n");
        }
    fclose(f);

    /* 4. Shifted test images: convolution is shift-equivariant and pooling absorbs small shifts,
     *    a dense layer on raw pixels has neither. */
    if (!(f = mlphys_open_out(out, "shift.dat")))
        return 1;
    fprintf(f, "# shift (pixels, + = right)  cnn_test_acc  mlp_test_acc\n");
    gsl_matrix *Xs = gsl_matrix_alloc(te.n, 64);
    printf("shifted test images, accuracy CNN / MLP:");
    for (long s = -2; s <= 2; s++) {
        shift_images(te.X, s, Xs);
        cnn_forward(net, ws, Xs, Z);
        double a = accuracy(Z, te.label);
        mlp_forward(mnet, mws, Xs, Z);
        double m = accuracy(Z, te.label);
        fprintf(f, "%ld %.6f %.6f\n", s, a, m);
        printf("  %+ld px: %.3f / %.3f", s, a, m);
    }
    printf("\n");
    fclose(f);

    gsl_matrix_free(Xs), gsl_matrix_free(Z), free(perm);
    gsl_rng_free(rng), gsl_rng_free(mrng);
    mlp_workspace_free(mws), mlp_free(mnet), cnn_workspace_free(ws), cnn_free(net);
    gsl_matrix_free(tr.X), gsl_matrix_free(te.X), free(tr.label), free(te.label);
    return 0;
}
