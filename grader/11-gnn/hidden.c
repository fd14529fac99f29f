/*
 * Chapter 11, hidden tests: graded by the instructor, left out of the student release.
 */
#include "karate.h"
#include "gnn.h"

/* The suite is declared in tests.c; these tests join it. */

Test(gnn, gcn_loss_survives_large_logits, .description = "W1 = +-4000: the logits reach thousands, yet P, the loss and the gradients stay finite (log-sum-exp)")
{
    /* Path 0-1-2 (A_hat by hand as in the visible test), X = I, W0 = 2 I (3 x 3 -> Hd = 3),
     * W1 with entries +-4000: logits of a few thousand, far beyond exp's overflow at 709.  The
     * loss of node 0 with label 1 is then a difference of logits (thousands), computed stably by
     * log-sum-exp; a naive exp(O) gives Inf/Inf = NaN. */
    const double r6 = 1.0 / sqrt(6.0);
    double ah[] = {0.5, r6, 0, r6, 1.0 / 3.0, r6, 0, r6, 0.5};
    double w1[] = {4000, -4000, -4000, 4000, 4000, -4000};
    gsl_matrix_view Ah = gsl_matrix_view_array(ah, 3, 3), W1 = gsl_matrix_view_array(w1, 3, 2);
    gsl_matrix *X = gsl_matrix_alloc(3, 3), *W0 = gsl_matrix_alloc(3, 3);
    gsl_matrix_set_identity(X), gsl_matrix_set_identity(W0), gsl_matrix_scale(W0, 2.0);
    gsl_matrix *H1 = nan_matrix(3, 3), *P = nan_matrix(3, 2), *dW0 = nan_matrix(3, 3), *dW1 = nan_matrix(3, 2);
    size_t train[] = {0, 2}, y[] = {1, 0};
    double loss = NAN;
    mlphys_require_implemented(gnn_gcn_loss(&Ah.matrix, X, W0, &W1.matrix, train, y, 2, H1, P, &loss, dW0, dW1),
                               "gnn_gcn_loss", 6);
    char msg[256];
    cr_assert(isfinite(loss) && loss > 100, "loss = %g with logits of a few thousand: want a large finite number; subtract "
              "the row maximum before exponentiating (log-sum-exp)", loss);
    cr_assert(mlphys_matrix_finite_msg(P, msg, sizeof msg), "P: %s (softmax overflow?)", msg);
    cr_assert(mlphys_matrix_finite_msg(dW0, msg, sizeof msg), "dW0: %s", msg);
    cr_assert(mlphys_matrix_finite_msg(dW1, msg, sizeof msg), "dW1: %s", msg);
    /* the test's own loss: logits O = A_hat tanh(A_hat 2) W1, stable log-sum-exp per node */
    gsl_matrix *AX = gsl_matrix_alloc(3, 3), *AH = gsl_matrix_alloc(3, 3), *O = gsl_matrix_alloc(3, 2), *T = gsl_matrix_alloc(3, 3);
    ref_matmul(&Ah.matrix, 0, X, 0, AX), ref_matmul(AX, 0, W0, 0, T);
    for (size_t i = 0; i < 9; i++)
        T->data[i] = tanh(T->data[i]);
    ref_matmul(&Ah.matrix, 0, T, 0, AH), ref_matmul(AH, 0, &W1.matrix, 0, O);
    double want = 0;
    for (size_t t = 0; t < 2; t++) {
        double a = gsl_matrix_get(O, train[t], 0), b = gsl_matrix_get(O, train[t], 1), m = fmax(a, b);
        want += (m + log(exp(a - m) + exp(b - m)) - gsl_matrix_get(O, train[t], y[t])) / 2.0;
    }
    mlphys_assert_close(loss, want, 1e-9, 1e-12, "loss with logits of a few thousand");
    gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(dW0);
    gsl_matrix_free(dW1), gsl_matrix_free(AX), gsl_matrix_free(AH), gsl_matrix_free(O), gsl_matrix_free(T);
}

Test(gnn, normalize_uses_weighted_degrees, .description = "a weighted triangle: d~_i = 1 + the sum of the weights (not the number of neighbours)")
{
    /* weights w01 = 2, w02 = 0.5, w12 = 1: d~ = (3.5, 4, 2.5); A_hat_ij = (A_ij + delta_ij) / sqrt(d~_i d~_j) */
    double a[] = {0, 2, 0.5, 2, 0, 1, 0.5, 1, 0}, dt[] = {3.5, 4, 2.5};
    gsl_matrix_view A = gsl_matrix_view_array(a, 3, 3);
    gsl_matrix *Ah = nan_matrix(3, 3), *want = gsl_matrix_alloc(3, 3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            gsl_matrix_set(want, i, j, (a[3 * i + j] + (i == j)) / sqrt(dt[i] * dt[j]));
    mlphys_require_implemented(gnn_normalize(&A.matrix, Ah), "gnn_normalize", 2);
    mlphys_assert_matrix_close(Ah, want, 1e-15, 1e-15, "A_hat of a weighted triangle",
                               "the degree is the sum of the row's weights, plus 1 for the self-loop.");
    gsl_matrix_free(Ah), gsl_matrix_free(want);
}
