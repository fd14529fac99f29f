/*
 * Chapter 12, hidden tests: graded by the instructor, left out of the student release.
 */
#include "tf_ref.h"
#include "transformers.h"

/* The suite is declared in tests.c; these tests join it. */

Test(transformers, attention_survives_large_scores, .description = "scores of a few thousand (Q = 1000 q): the weights stay finite, sum to 1, and equal the loop reference's stable softmax (max subtracted)")
{
    gsl_rng *r = mlphys_rng();
    gsl_matrix *Q = gauss_matrix(3, 4, r, 1000.0), *K = gauss_matrix(5, 4, r, 1.0), *V = gauss_matrix(5, 2, r, 1.0);
    gsl_matrix *A = nan_matrix(3, 5), *O = nan_matrix(3, 2), *RA = gsl_matrix_alloc(3, 5), *RO = gsl_matrix_alloc(3, 2);
    mlphys_require_implemented(tf_attention(Q, K, V, 0, A, O), "tf_attention", 1);
    char msg[256];
    cr_assert(mlphys_matrix_finite_msg(A, msg, sizeof msg), "A with scores ~1000: %s; exp(1000) overflows, subtract "
              "the row maximum before exp", msg);
    ref_attention(Q, K, V, 0, RA, RO);
    /* the weights are (nearly) one-hot; scores ~1e3 known to ~1e-13 relative, so a weight
     * exp(s - max) has relative error ~1e-10 at worst */
    mlphys_assert_matrix_close(A, RA, 1e-9, 1e-9, "A with scores ~1000", "stable softmax: exp(S_ij - max_j S_ij).");
    mlphys_assert_matrix_close(O, RO, 1e-9, 1e-9, "O with scores ~1000", "O = A V.");
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(A), gsl_matrix_free(O);
    gsl_matrix_free(RA), gsl_matrix_free(RO);
}

Test(transformers, key_gradients_sum_to_zero, .description = "shifting every key by the same vector c adds q_i.c/sqrt(d_k) to a whole row of scores and leaves the softmax unchanged, so sum_j dK_j = 0 (to 1e-13)")
{
    gsl_rng *r = mlphys_rng();
    gsl_matrix *Q = gauss_matrix(4, 3, r, 1.0), *K = gauss_matrix(6, 3, r, 1.0), *V = gauss_matrix(6, 2, r, 1.0),
               *G = gauss_matrix(4, 2, r, 1.0), *dQ = nan_matrix(4, 3), *dK = nan_matrix(6, 3), *dV = nan_matrix(6, 2);
    mlphys_require_implemented(tf_attention_backward(Q, K, V, 0, G, dQ, dK, dV), "tf_attention_backward", 5);
    for (size_t a = 0; a < 3; a++) {
        double s = 0;
        for (size_t j = 0; j < 6; j++)
            s += gsl_matrix_get(dK, j, a);
        /* exact identity; sums of O(1) terms */
        mlphys_assert_close(s, 0.0, 1e-13, 0, "sum over keys of dK[.][%zu] (the rows of dS sum to zero: "
                            "dS = A * (dA - rowsum(A * dA)))", a);
    }
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(G);
    gsl_matrix_free(dQ), gsl_matrix_free(dK), gsl_matrix_free(dV);
}
