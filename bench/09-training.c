/*
 * Chapter 09 benchmark: training the 64-128-10 ReLU MLP of the chapter on the digits with the
 * reference solution, timed per epoch and to 0.97 test accuracy.  bench/09-training.sh runs the
 * same network, data, optimiser and batch size in PyTorch and scikit-learn and prints the ratios.
 *
 * Built by `make bench CH=09-training`: linked with the reference solution and with GSL on
 * OpenBLAS (-lopenblas), compiled -O2 -march=native, run with OPENBLAS_NUM_THREADS=1.
 * Setup (identical in bench/09-training.py): the fixed split data/07-digits-split.csv (1350 train,
 * 447 test), pixels standardised with the training mean and standard deviation, He-normal
 * weights and zero biases, Adam (lr 1e-3, betas 0.9, 0.999, eps 1e-8, no weight decay),
 * mini-batches of 32 from a fresh shuffle every epoch, 30 epochs, 5 repeats with seeds 1..5.
 * Times are CPU time of the training steps alone (clock()); the test evaluation after each epoch
 * is not counted, in any of the three.
 * Output: human-readable lines, then one machine-readable line
 *     RESULT c epoch_ms=<median ms per epoch> to97_s=<median s to 0.97> epochs97=<median epochs> acc=<mean final>
 */
#include "training.h"
#include "mlphys_data.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EPOCHS 30
#define REPEATS 5

static double median(double *x, size_t n)
{
    gsl_sort(x, 1, n);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

int main(void)
{
    gsl_set_error_handler_off();
    char err[512];
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix("data/digits.csv.gz", 0, &all, err, sizeof err) ||
        mlphys_table_read("data/07-digits-split.csv", 1, &split, err, sizeof err)) {
        fprintf(stderr, "bench: %s (run from the repository root)\n", err);
        return 1;
    }
    size_t n[2] = {0, 0};
    for (size_t r = 0; r < split->rows; r++)
        n[strcmp(mlphys_table_cell(split, r, 1), "train") != 0]++;
    gsl_matrix *X[2] = {gsl_matrix_alloc(n[0], 64), gsl_matrix_alloc(n[1], 64)};
    int *y[2] = {malloc(n[0] * sizeof(int)), malloc(n[1] * sizeof(int))};
    n[0] = n[1] = 0;
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        for (size_t j = 0; j < 64; j++)
            gsl_matrix_set(X[s], n[s], j, gsl_matrix_get(all, r, j));
        y[s][n[s]++] = (int)gsl_matrix_get(all, r, 64);
    }
    for (size_t j = 0; j < 64; j++) { /* standardise with the training statistics (population sd) */
        double m = 0, v = 0;
        for (size_t i = 0; i < n[0]; i++)
            m += gsl_matrix_get(X[0], i, j) / (double)n[0];
        for (size_t i = 0; i < n[0]; i++)
            v += gsl_pow_2(gsl_matrix_get(X[0], i, j) - m) / (double)n[0];
        double s = v > 0 ? 1 / sqrt(v) : 0;
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < n[k]; i++)
                gsl_matrix_set(X[k], i, j, (gsl_matrix_get(X[k], i, j) - m) * s);
    }

    size_t sizes[3] = {64, 128, 10};
    double epoch_ms[REPEATS * EPOCHS], to97[REPEATS], ep97[REPEATS], acc_sum = 0;
    size_t *order = malloc(n[0] * sizeof *order);
    for (int rep = 0; rep < REPEATS; rep++) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(rng, (unsigned long)rep + 1);
        net *nt = net_alloc(2, sizes, ACT_RELU, 512);
        opt *o = opt_alloc(OPT_ADAM, nt->P, 1e-3);
        net_init(nt, INIT_HE, rng);
        for (size_t i = 0; i < n[0]; i++)
            order[i] = i;
        double spent = 0, acc = 0;
        to97[rep] = NAN, ep97[rep] = NAN;
        for (int e = 0; e < EPOCHS; e++) {
            gsl_ran_shuffle(rng, order, n[0], sizeof *order);
            clock_t t0 = clock();
            if (net_train_epoch(nt, o, X[0], y[0], order, 32, NULL)) {
                fprintf(stderr, "bench: net_train_epoch failed\n");
                return 1;
            }
            double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
            spent += t;
            epoch_ms[rep * EPOCHS + e] = 1e3 * t;
            net_evaluate(nt, X[1], y[1], NULL, &acc);
            if (acc >= 0.97 && isnan(to97[rep]))
                to97[rep] = spent, ep97[rep] = e + 1;
        }
        acc_sum += acc;
        printf("  C run %d: %.2f ms/epoch, 0.97 after %g epochs (%.3f s), final test accuracy %.4f\n", rep + 1,
               1e3 * spent / EPOCHS, ep97[rep], to97[rep], acc);
        opt_free(o), net_free(nt), gsl_rng_free(rng);
    }
    double ms = median(epoch_ms, REPEATS * EPOCHS);
    double s97 = median(to97, REPEATS), e97 = median(ep97, REPEATS); /* NaN (never) sorts as GSL does */
    printf("RESULT c epoch_ms=%.4f to97_s=%.5f epochs97=%g acc=%.4f\n", ms, s97, e97, acc_sum / REPEATS);
    free(order), free(y[0]), free(y[1]), gsl_matrix_free(X[0]), gsl_matrix_free(X[1]);
    gsl_matrix_free(all), mlphys_table_free(split);
    return 0;
}
