/*
 * Chapter 10 benchmark: training the chapter's CNN on the digits, time per epoch and time to
 * reach 0.97 test accuracy.  bench/10-cnn.sh runs this and bench/10-cnn.py (the same network in
 * PyTorch on one CPU thread) one after the other and prints the ratios.
 *
 * Built by `make bench CH=10-cnn`: linked with the reference solution and with GSL on OpenBLAS
 * (-lopenblas), compiled -O2 -march=native, run with OPENBLAS_NUM_THREADS=1.  Network: 16
 * filters 3x3 (pad 1) -> ReLU -> 2x2 max-pool -> dense 256 -> 10 (2,730 parameters), double
 * precision.  Training: Adam (lr 0.01, betas 0.9, 0.999, eps 1e-8), batch 32, a fresh shuffle
 * every epoch, pixels / 16, the fixed split data/07-digits-split.csv (1350 / 447).
 * Times are CPU time (clock()), because the machine may be shared: 5 seeds x 15 epochs; the
 * epoch time is the median over all epochs, the time to 0.97 is the training time (evaluation
 * excluded) until the first epoch whose test accuracy is >= 0.97, averaged over the seeds.
 * The last line is machine-readable for the driver:  RESULT epoch_ms=... t97_s=... acc=...
 */
#include "cnn.h"
#include "mlphys_data.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEEDS 5
#define EPOCHS 15

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    gsl_set_error_handler_off();
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    char err[512];
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) != GSL_SUCCESS ||
        mlphys_table_read("data/07-digits-split.csv", 1, &split, err, sizeof err) != GSL_SUCCESS) {
        fprintf(stderr, "bench: %s (run from the repository root)\n", err);
        return 1;
    }
    size_t ntr = 0, nte = 0;
    for (size_t r = 0; r < split->rows; r++)
        strcmp(mlphys_table_cell(split, r, 1), "train") ? nte++ : ntr++;
    gsl_matrix *Xtr = gsl_matrix_alloc(ntr, 64), *Xte = gsl_matrix_alloc(nte, 64), *Z = gsl_matrix_alloc(nte, 10);
    int *ytr = malloc(ntr * sizeof *ytr), *yte = malloc(nte * sizeof *yte);
    for (size_t r = 0, a = 0, b = 0; r < split->rows; r++) {
        int tr = !strcmp(mlphys_table_cell(split, r, 1), "train");
        size_t i = tr ? a++ : b++;
        for (size_t j = 0; j < 64; j++)
            gsl_matrix_set(tr ? Xtr : Xte, i, j, gsl_matrix_get(all, r, j) / 16.0);
        (tr ? ytr : yte)[i] = (int)gsl_matrix_get(all, r, 64);
    }
    cnn *net = cnn_alloc(1, 8, 8, 16, 3, 2, 10);
    cnn_workspace *ws = cnn_workspace_alloc(net, nte);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    const cnn_optim adam = {CNN_ADAM, 0.01, 0, 0.9, 0.999, 1e-8};
    double epoch_s[SEEDS * EPOCHS], t97 = 0, acc_sum = 0;
    int reached = 0;
    printf("C (reference solution, OpenBLAS, 1 thread): %zu parameters, Adam lr 0.01, batch 32, %d seeds x %d epochs\n",
           net->n_params, SEEDS, EPOCHS);
    for (int s = 0; s < SEEDS; s++) {
        gsl_rng_set(rng, 100 + (unsigned long)s);
        cnn_init(net, rng);
        double spent = 0, acc = 0;
        int hit = 0;
        for (int e = 0; e < EPOCHS; e++) {
            double loss;
            clock_t t0 = clock();
            int st = cnn_train_epoch(net, ws, &adam, Xtr, ytr, 32, rng, &loss);
            double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
            if (st) {
                fprintf(stderr, "bench: cnn_train_epoch: %s\n", gsl_strerror(st));
                return 1;
            }
            epoch_s[s * EPOCHS + e] = t;
            spent += t;
            cnn_forward(net, ws, Xte, Z);
            size_t right = 0;
            for (size_t n = 0; n < nte; n++) {
                gsl_vector_view z = gsl_matrix_row(Z, n);
                right += (int)gsl_vector_max_index(&z.vector) == yte[n];
            }
            acc = (double)right / (double)nte;
            if (!hit && acc >= 0.97) {
                hit = 1, reached++;
                t97 += spent;
                printf("  seed %d: 0.97 after epoch %d, %.3f s of training\n", s, e + 1, spent);
            }
        }
        if (!hit)
            printf("  seed %d: 0.97 not reached in %d epochs\n", s, EPOCHS);
        acc_sum += acc;
    }
    qsort(epoch_s, SEEDS * EPOCHS, sizeof *epoch_s, cmp_double);
    const double med = epoch_s[SEEDS * EPOCHS / 2];
    printf("  per epoch %.2f ms (median), to 0.97: %.3f s (mean of %d seeds), final test accuracy %.4f (mean)\n",
           1e3 * med, reached ? t97 / reached : NAN, reached, acc_sum / SEEDS);
    printf("RESULT epoch_ms=%.4f t97_s=%.5f acc=%.4f\n", 1e3 * med, reached ? t97 / reached : NAN, acc_sum / SEEDS);
    gsl_rng_free(rng), cnn_workspace_free(ws), cnn_free(net);
    gsl_matrix_free(Xtr), gsl_matrix_free(Xte), gsl_matrix_free(Z), gsl_matrix_free(all);
    mlphys_table_free(split), free(ytr), free(yte);
    return 0;
}
