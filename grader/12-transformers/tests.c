/*
 * Chapter 12 tests: scaled dot-product attention, multi-head attention, layer norm, sinusoidal
 * positions, the attention backward pass and the muP coordinate check.  References are
 * independent of any solution: hand-worked cases, loop-based reference attention (tf_ref.h),
 * invariants (softmax rows, exact causal zeros, permutation equivariance, the rotation property
 * of the positions), closed forms, central finite differences, and the width exponents of
 * Yang & Hu (2021).
 */
#include "tf_ref.h"
#include "transformers.h"

MLPHYS_SUITE(transformers, 10);

/* ---- TODO(1): scaled dot-product attention ----------------------------------------------- */

Test(transformers, attention_hand_worked, .description = "Q = (2 ln 3, 0, 0, 0; 0), K = (e_1; 0), d_k = 4: scores ln 3 and 0 give weights (3/4, 1/4) and (1/2, 1/2); causal gives (1, 0)")
{
    const double l3 = log(3.0);
    double q[] = {2 * l3, 0, 0, 0, 0, 0, 0, 0}, k[] = {1, 0, 0, 0, 0, 0, 0, 0}, v[] = {1, 2, 3, 4};
    gsl_matrix_view Q = gsl_matrix_view_array(q, 2, 4), K = gsl_matrix_view_array(k, 2, 4),
                    V = gsl_matrix_view_array(v, 2, 2);
    gsl_matrix *A = nan_matrix(2, 2), *O = nan_matrix(2, 2);
    mlphys_require_implemented(tf_attention(&Q.matrix, &K.matrix, &V.matrix, 0, A, O), "tf_attention", 1);
    double wa[] = {0.75, 0.25, 0.5, 0.5}, wo[] = {1.5, 2.5, 2, 3};
    gsl_matrix_view WA = gsl_matrix_view_array(wa, 2, 2), WO = gsl_matrix_view_array(wo, 2, 2);
    /* one exp, a sum and a division per weight: a few ulps */
    mlphys_assert_matrix_close(A, &WA.matrix, 1e-15, 1e-15, "attention weights, no mask",
                               "score S_00 = q_0.k_0 / sqrt(d_k) = 2 ln 3 / 2 = ln 3: divide by sqrt(d_k) = 2, not by "
                               "d_k; normalise every row of exp(S) to sum 1.");
    mlphys_assert_matrix_close(O, &WO.matrix, 1e-15, 1e-15, "output O = A V, no mask", "O = A V, not A^T V or V A.");
    double ca[] = {1, 0, 0.5, 0.5}, co[] = {1, 2, 2, 3};
    gsl_matrix_view CA = gsl_matrix_view_array(ca, 2, 2), CO = gsl_matrix_view_array(co, 2, 2);
    gsl_matrix_set_all(A, NAN), gsl_matrix_set_all(O, NAN);
    mlphys_require_implemented(tf_attention(&Q.matrix, &K.matrix, &V.matrix, 1, A, O), "tf_attention", 1);
    mlphys_assert_matrix_close(A, &CA.matrix, 1e-15, 1e-15, "causal attention weights",
                               "with the mask, query 0 sees only key 0 (weight 1) and query 1 sees keys 0 and 1; "
                               "mask j > i, not j >= i or j < i.");
    mlphys_assert_matrix_close(O, &CO.matrix, 1e-15, 1e-15, "causal output O = A V", "O = A V with the masked A.");
    gsl_matrix_free(A), gsl_matrix_free(O);
}

Test(transformers, attention_rows_are_a_softmax_and_the_mask_gives_exact_zeros, .description = "random Q, K, V: rows of A are >= 0 and sum to 1, causal A is exactly 0 above the diagonal, and A, O match a loop-based reference (rectangular and causal)")
{
    gsl_rng *r = mlphys_rng();
    gsl_matrix *Q = gauss_matrix(4, 5, r, 1.0), *K = gauss_matrix(7, 5, r, 1.0), *V = gauss_matrix(7, 3, r, 1.0);
    gsl_matrix *A = nan_matrix(4, 7), *O = nan_matrix(4, 3), *RA = gsl_matrix_alloc(4, 7), *RO = gsl_matrix_alloc(4, 3);
    mlphys_require_implemented(tf_attention(Q, K, V, 0, A, O), "tf_attention", 1);
    for (size_t i = 0; i < 4; i++) {
        double s = 0;
        for (size_t j = 0; j < 7; j++) {
            cr_assert(gsl_matrix_get(A, i, j) >= 0, "A[%zu][%zu] = %g < 0: softmax weights are positive", i, j,
                      gsl_matrix_get(A, i, j));
            s += gsl_matrix_get(A, i, j);
        }
        /* 7 terms of size <= 1: rounding ~ 7 eps */
        mlphys_assert_close(s, 1.0, 1e-14, 0, "sum of row %zu of A (a softmax over the keys, each row to 1: "
                            "normalise along the row, not the column)", i);
    }
    ref_attention(Q, K, V, 0, RA, RO);
    /* the same arithmetic in another order: a few ulps on O(1) numbers */
    mlphys_assert_matrix_close(A, RA, 1e-13, 1e-13, "A for 4 queries, 7 keys", "A = softmax(Q K^T / sqrt(d_k)) row by row.");
    mlphys_assert_matrix_close(O, RO, 1e-13, 1e-13, "O for 4 queries, 7 keys", "O = A V.");
    gsl_matrix *Qc = gauss_matrix(6, 5, r, 1.0), *Kc = gauss_matrix(6, 5, r, 1.0), *Vc = gauss_matrix(6, 2, r, 1.0);
    gsl_matrix *Ac = nan_matrix(6, 6), *Oc = nan_matrix(6, 2), *RAc = gsl_matrix_alloc(6, 6), *ROc = gsl_matrix_alloc(6, 2);
    mlphys_require_implemented(tf_attention(Qc, Kc, Vc, 1, Ac, Oc), "tf_attention", 1);
    for (size_t i = 0; i < 6; i++) {
        double s = 0;
        for (size_t j = 0; j < 6; j++) {
            double a = gsl_matrix_get(Ac, i, j);
            if (j > i)
                cr_assert(a == 0.0, "causal A[%zu][%zu] = %g: a query may not see later keys, the weight must be "
                          "exactly 0 (set the masked scores to -INFINITY, or skip them)", i, j, a);
            else
                cr_assert(a > 0, "causal A[%zu][%zu] = %g: keys j <= i stay visible (the diagonal too)", i, j, a);
            s += a;
        }
        mlphys_assert_close(s, 1.0, 1e-14, 0, "sum of causal row %zu (normalise over the visible keys only)", i);
    }
    ref_attention(Qc, Kc, Vc, 1, RAc, ROc);
    mlphys_assert_matrix_close(Ac, RAc, 1e-13, 1e-13, "causal A (6 x 6)", "softmax over keys 0..i of row i.");
    mlphys_assert_matrix_close(Oc, ROc, 1e-13, 1e-13, "causal O", "O = A V with the masked A.");
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(A), gsl_matrix_free(O);
    gsl_matrix_free(RA), gsl_matrix_free(RO), gsl_matrix_free(Qc), gsl_matrix_free(Kc), gsl_matrix_free(Vc);
    gsl_matrix_free(Ac), gsl_matrix_free(Oc), gsl_matrix_free(RAc), gsl_matrix_free(ROc);
}

Test(transformers, scaled_scores_have_unit_variance, .description = "unit-variance q, k with d_k = 16: Var(q.k) = d_k, so the scaled score differences ln(A_01/A_00) have variance 2 (20000 draws, 5 sigma)")
{
    /* q, k_0, k_1 with iid N(0,1) entries, d_k = 16.  q.k is a sum of 16 products of unit
     * variance: Var(q.k) = d_k.  With the 1/sqrt(d_k) scale the scores have variance 1, and
     * D = S_01 - S_00 = ln(A_01 / A_00) = q.(k_1 - k_0) / 4 has E[D^2] = 2.  Fresh q, k in
     * every draw keep the draws independent.  Var(D^2) = E D^4 - 4 = (12 + 1.5) - 4 = 9.5
     * (fourth cumulant of D: 16 * (36 - 12) / 4^4 = 1.5), so the mean of D^2 over 20000 draws
     * has sd sqrt(9.5 / 20000) = 0.022: tolerance 0.11 = 5 sd.  A scale 1/d_k gives 0.125,
     * no scale 32, 1/sqrt(d_v) (d_v = 3) 10.7. */
    const size_t dk = 16, N = 20000;
    gsl_rng *r = mlphys_rng();
    gsl_matrix *Q = gsl_matrix_alloc(1, dk), *K = gsl_matrix_alloc(2, dk), *V = gsl_matrix_alloc(2, 3),
               *A = gsl_matrix_alloc(1, 2), *O = gsl_matrix_alloc(1, 3);
    gsl_matrix_set_all(V, 1.0);
    double m2 = 0;
    for (size_t s = 0; s < N; s++) {
        mlphys_fill_gaussian(Q, r, 1.0), mlphys_fill_gaussian(K, r, 1.0);
        gsl_matrix_set_all(A, NAN);
        mlphys_require_implemented(tf_attention(Q, K, V, 0, A, O), "tf_attention", 1);
        double D = log(gsl_matrix_get(A, 0, 1) / gsl_matrix_get(A, 0, 0));
        cr_assert(isfinite(D), "draw %zu: A = (%g, %g), not two positive weights", s, gsl_matrix_get(A, 0, 0),
                  gsl_matrix_get(A, 0, 1));
        m2 += D * D / N;
    }
    mlphys_assert_close(m2, 2.0, 0.11, 0, "mean of (S_01 - S_00)^2 over %zu draws (2 when every score has variance "
                        "Var(q.k) / d_k = 1: scale by 1/sqrt(d_k), d_k the columns of Q and K)", N);
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(A), gsl_matrix_free(O);
}

Test(transformers, attention_rejects_bad_shapes, .description = "mismatched Q/K columns, K/V rows, O or A shape, or a causal mask with n != m give GSL_EBADLEN and leave O untouched")
{
    gsl_matrix *Q = gsl_matrix_calloc(3, 4), *K = gsl_matrix_calloc(5, 4), *V = gsl_matrix_calloc(5, 2),
               *O = gsl_matrix_alloc(3, 2), *A = gsl_matrix_alloc(3, 5), *K3 = gsl_matrix_calloc(5, 3),
               *V4 = gsl_matrix_calloc(4, 2), *O33 = gsl_matrix_alloc(3, 3), *A34 = gsl_matrix_alloc(3, 4);
    struct { const gsl_matrix *K, *V; gsl_matrix *A, *O; int causal; const char *why; } bad[] = {
        {K3, V, A, O, 0, "K has 3 columns, Q has 4"},          {K, V4, A, O, 0, "V has 4 rows, K has 5"},
        {K, V, A, O33, 0, "O is 3 x 3, want 3 x 2"},           {K, V, A34, O, 0, "A is 3 x 4, want 3 x 5"},
        {K, V, A, O, 1, "causal attention needs as many queries as keys (3 vs 5)"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        gsl_matrix_set_all(bad[b].O, 7.0);
        mlphys_require_status(tf_attention(Q, bad[b].K, bad[b].V, bad[b].causal, bad[b].A, bad[b].O), GSL_EBADLEN,
                              "tf_attention", bad[b].why);
        for (size_t i = 0; i < bad[b].O->size1 * bad[b].O->size2; i++)
            cr_assert(bad[b].O->data[i] == 7.0, "tf_attention wrote O although it returned an error (%s)", bad[b].why);
    }
    mlphys_require_status(tf_attention(Q, K, V, 0, NULL, O), GSL_SUCCESS, "tf_attention", "A = NULL is allowed");
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(O), gsl_matrix_free(A);
    gsl_matrix_free(K3), gsl_matrix_free(V4), gsl_matrix_free(O33), gsl_matrix_free(A34);
}

/* ---- TODO(2): multi-head attention --------------------------------------------------------- */

Test(transformers, multihead_one_head_with_identity_weights_is_attention, .description = "h = 1, Wq = Wk = Wv = Wo = I: Y = softmax(X X^T / sqrt(d)) X")
{
    gsl_rng *r = mlphys_rng();
    gsl_matrix *X = gauss_matrix(5, 4, r, 1.0), *I = gsl_matrix_alloc(4, 4), *Y = nan_matrix(5, 4), *R = gsl_matrix_alloc(5, 4);
    gsl_matrix_set_identity(I);
    mlphys_require_implemented(tf_multihead(X, I, I, I, I, 1, 0, Y), "tf_multihead", 2);
    ref_attention(X, X, X, 0, NULL, R);
    /* a few products of O(1) numbers in another order */
    mlphys_assert_matrix_close(Y, R, 1e-13, 1e-13, "one head, identity projections",
                               "with one head the module is plain attention on (X Wq, X Wk, X Wv), times Wo.");
    gsl_matrix_free(X), gsl_matrix_free(I), gsl_matrix_free(Y), gsl_matrix_free(R);
}

Test(transformers, multihead_matches_a_per_head_reference, .description = "d = 6 with h = 2 and h = 3 heads, causal and not: Y matches a loop-based reference that attends on each column block with scale 1/sqrt(d/h)")
{
    gsl_rng *r = mlphys_rng();
    const size_t n = 5, d = 6;
    gsl_matrix *X = gauss_matrix(n, d, r, 1.0), *Wq = gauss_matrix(d, d, r, 0.6), *Wk = gauss_matrix(d, d, r, 0.6),
               *Wv = gauss_matrix(d, d, r, 0.6), *Wo = gauss_matrix(d, d, r, 0.6);
    gsl_matrix *Y = gsl_matrix_alloc(n, d), *R = gsl_matrix_alloc(n, d);
    size_t hs[] = {2, 3};
    for (size_t a = 0; a < 2; a++)
        for (int causal = 0; causal <= 1; causal++) {
            gsl_matrix_set_all(Y, NAN);
            mlphys_require_implemented(tf_multihead(X, Wq, Wk, Wv, Wo, hs[a], causal, Y), "tf_multihead", 2);
            ref_multihead(X, Wq, Wk, Wv, Wo, hs[a], causal, R);
            char what[96];
            snprintf(what, sizeof what, "multi-head output, h = %zu, causal = %d", hs[a], causal);
            /* sums of a few dozen O(1) products in another order: 1e-12 */
            mlphys_assert_matrix_close(Y, R, 1e-12, 1e-12, what,
                                       "head r uses columns r d/h .. (r+1) d/h - 1 of Q, K and V, scales by 1/sqrt(d/h) "
                                       "(its own size, not d), writes its output into the same columns of C; Y = C Wo.");
        }
    gsl_matrix_free(X), gsl_matrix_free(Wq), gsl_matrix_free(Wk), gsl_matrix_free(Wv), gsl_matrix_free(Wo);
    gsl_matrix_free(Y), gsl_matrix_free(R);
}

/* Y for rows of X permuted by perm. */
static void permute_rows(const gsl_matrix *X, const size_t *perm, gsl_matrix *PX)
{
    for (size_t i = 0; i < X->size1; i++)
        for (size_t j = 0; j < X->size2; j++)
            gsl_matrix_set(PX, i, j, gsl_matrix_get(X, perm[i], j));
}

Test(transformers, self_attention_is_permutation_equivariant, .description = "without positions and without mask, permuting the tokens permutes the output rows: MHA(P X) = P MHA(X) to 1e-12")
{
    gsl_rng *r = mlphys_rng();
    const size_t n = 7, d = 6;
    gsl_matrix *X = gauss_matrix(n, d, r, 1.0), *Wq = gauss_matrix(d, d, r, 0.6), *Wk = gauss_matrix(d, d, r, 0.6),
               *Wv = gauss_matrix(d, d, r, 0.6), *Wo = gauss_matrix(d, d, r, 0.6);
    gsl_matrix *Y = nan_matrix(n, d), *PX = gsl_matrix_alloc(n, d), *YP = nan_matrix(n, d), *PY = gsl_matrix_alloc(n, d);
    size_t perm[] = {3, 0, 6, 1, 5, 2, 4};
    permute_rows(X, perm, PX);
    mlphys_require_implemented(tf_multihead(X, Wq, Wk, Wv, Wo, 2, 0, Y), "tf_multihead", 2);
    mlphys_require_implemented(tf_multihead(PX, Wq, Wk, Wv, Wo, 2, 0, YP), "tf_multihead", 2);
    permute_rows(Y, perm, PY);
    /* exact in exact arithmetic; the sums run in a different order: 1e-12 */
    mlphys_assert_matrix_close(YP, PY, 1e-12, 1e-12, "MHA(P X) vs P MHA(X)",
                               "every token must be treated alike: no dependence on the row index (a mask, a "
                               "position, a row offset) without a causal flag.");
    gsl_matrix_free(X), gsl_matrix_free(Wq), gsl_matrix_free(Wk), gsl_matrix_free(Wv), gsl_matrix_free(Wo);
    gsl_matrix_free(Y), gsl_matrix_free(PX), gsl_matrix_free(YP), gsl_matrix_free(PY);
}

Test(transformers, multihead_rejects_bad_arguments, .description = "h = 0 or h not dividing d gives GSL_EINVAL, a weight or Y of the wrong shape GSL_EBADLEN; Y untouched")
{
    gsl_matrix *X = gsl_matrix_calloc(3, 6), *W = gsl_matrix_calloc(6, 6), *W5 = gsl_matrix_calloc(6, 5),
               *Y = gsl_matrix_alloc(3, 6), *Y5 = gsl_matrix_alloc(3, 5);
    gsl_matrix_set_all(Y, 7.0);
    mlphys_require_status(tf_multihead(X, W, W, W, W, 0, 0, Y), GSL_EINVAL, "tf_multihead", "h = 0 heads");
    mlphys_require_status(tf_multihead(X, W, W, W, W, 4, 0, Y), GSL_EINVAL, "tf_multihead", "4 heads do not divide d = 6");
    mlphys_require_status(tf_multihead(X, W, W, W5, W, 2, 0, Y), GSL_EBADLEN, "tf_multihead", "Wv is 6 x 5, want 6 x 6");
    mlphys_require_status(tf_multihead(X, W, W, W, W5, 2, 0, Y), GSL_EBADLEN, "tf_multihead", "Wo is 6 x 5, want 6 x 6");
    for (size_t i = 0; i < 18; i++)
        cr_assert(Y->data[i] == 7.0, "tf_multihead wrote Y although it returned an error");
    mlphys_require_status(tf_multihead(X, W, W, W, W, 2, 0, Y5), GSL_EBADLEN, "tf_multihead", "Y is 3 x 5, want 3 x 6");
    gsl_matrix_free(X), gsl_matrix_free(W), gsl_matrix_free(W5), gsl_matrix_free(Y), gsl_matrix_free(Y5);
}

/* ---- TODO(3): layer norm ------------------------------------------------------------------ */

Test(transformers, layernorm_hand_worked, .description = "x = (1, 2, 3, 4): mean 5/2, variance 5/4 (divide by d), y = gamma (x - 5/2) / sqrt(5/4 + eps) + beta")
{
    double x[] = {1, 2, 3, 4}, g[] = {1, 2, 0.5, 1}, b[] = {0, 1, 0, -1};
    gsl_matrix_view X = gsl_matrix_view_array(x, 1, 4);
    gsl_vector_view G = gsl_vector_view_array(g, 4), B = gsl_vector_view_array(b, 4);
    gsl_matrix *Y = nan_matrix(1, 4);
    const double eps = 1e-5, s = 1.0 / sqrt(1.25 + eps);
    double want[] = {-1.5 * s, 2 * -0.5 * s + 1, 0.5 * 0.5 * s, 1.5 * s - 1};
    gsl_matrix_view W = gsl_matrix_view_array(want, 1, 4);
    mlphys_require_implemented(tf_layernorm(&X.matrix, &G.vector, &B.vector, eps, Y), "tf_layernorm", 3);
    /* a handful of operations on O(1) numbers */
    mlphys_assert_matrix_close(Y, &W.matrix, 1e-15, 1e-14, "layer norm of (1, 2, 3, 4)",
                               "variance = (1/d) sum (x - mean)^2 = 5/4 (not 1/(d-1): 5/3); eps goes inside the "
                               "square root; gamma multiplies and beta adds per column.");
    gsl_matrix_free(Y);
}

Test(transformers, layernorm_rows_have_mean_zero_and_variance_one, .description = "gamma = 1, beta = 0, eps = 0: every output row has mean 0 and (1/d) variance 1, whatever the row's offset and scale; in place (Y = X) too")
{
    gsl_rng *r = mlphys_rng();
    const size_t n = 6, d = 10;
    gsl_matrix *X = gauss_matrix(n, d, r, 1.0), *Y = nan_matrix(n, d);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) /* rows with offsets up to 100 and scales up to 30 */
            gsl_matrix_set(X, i, j, 20.0 * i + (1.0 + 5.0 * i) * gsl_matrix_get(X, i, j));
    gsl_vector *one = gsl_vector_alloc(d), *zero = gsl_vector_calloc(d);
    gsl_vector_set_all(one, 1.0);
    for (int inplace = 0; inplace <= 1; inplace++) {
        gsl_matrix *out = inplace ? X : Y;
        mlphys_require_implemented(tf_layernorm(X, one, zero, 0.0, out), "tf_layernorm", 3);
        for (size_t i = 0; i < n; i++) {
            double mu = 0, v = 0;
            for (size_t j = 0; j < d; j++)
                mu += gsl_matrix_get(out, i, j) / d;
            for (size_t j = 0; j < d; j++)
                { double c = gsl_matrix_get(out, i, j) - mu; v += c * c / d; }
            /* cancellation of an offset 100 against entries ~30: ~1e-14 relative */
            mlphys_assert_close(mu, 0.0, 1e-12, 0, "mean of output row %zu%s", i, inplace ? " (in place)" : "");
            mlphys_assert_close(v, 1.0, 1e-12, 0, "variance of output row %zu%s (with 1/(d-1) in the variance it "
                                "would be (d-1)/d = 0.9; in place: compute the row's statistics before overwriting it)",
                                i, inplace ? " (in place)" : "");
        }
    }
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_vector_free(one), gsl_vector_free(zero);
}

Test(transformers, layernorm_rejects_bad_arguments, .description = "gamma, beta or Y of the wrong size give GSL_EBADLEN, eps < 0 GSL_EINVAL; Y untouched")
{
    gsl_matrix *X = gsl_matrix_calloc(2, 3), *Y = gsl_matrix_alloc(2, 3), *Y4 = gsl_matrix_alloc(2, 4);
    gsl_vector *g = gsl_vector_calloc(3), *g4 = gsl_vector_calloc(4);
    gsl_matrix_set_all(Y, 7.0);
    mlphys_require_status(tf_layernorm(X, g4, g, 0.0, Y), GSL_EBADLEN, "tf_layernorm", "gamma has 4 entries, d = 3");
    mlphys_require_status(tf_layernorm(X, g, g4, 0.0, Y), GSL_EBADLEN, "tf_layernorm", "beta has 4 entries, d = 3");
    mlphys_require_status(tf_layernorm(X, g, g, -1e-5, Y), GSL_EINVAL, "tf_layernorm", "eps = -1e-5 < 0");
    for (size_t i = 0; i < 6; i++)
        cr_assert(Y->data[i] == 7.0, "tf_layernorm wrote Y although it returned an error");
    mlphys_require_status(tf_layernorm(X, g, g, 0.0, Y4), GSL_EBADLEN, "tf_layernorm", "Y is 2 x 4, X is 2 x 3");
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(Y4), gsl_vector_free(g), gsl_vector_free(g4);
}

/* ---- TODO(4): sinusoidal positions --------------------------------------------------------- */

Test(transformers, positions_match_the_closed_form, .description = "d = 4: PE[0] = (0, 1, 0, 1), PE[1] = (sin 1, cos 1, sin 0.01, cos 0.01); d = 16, 50 positions against sin/cos(p 10000^(-2i/d))")
{
    gsl_matrix *P = nan_matrix(2, 4);
    mlphys_require_implemented(tf_positions(P), "tf_positions", 4);
    /* w_0 = 1, w_1 = 10000^(-2/4) = 1/100 */
    double want[] = {0, 1, 0, 1, sin(1.0), cos(1.0), sin(0.01), cos(0.01)};
    gsl_matrix_view W = gsl_matrix_view_array(want, 2, 4);
    mlphys_assert_matrix_close(P, &W.matrix, 1e-15, 0, "PE for d = 4, p = 0, 1",
                               "even columns sin, odd columns cos; pair i has frequency 10000^(-2i/d), so pair 1 "
                               "of d = 4 has 1/100.");
    gsl_matrix *P16 = nan_matrix(50, 16), *R = gsl_matrix_alloc(50, 16);
    mlphys_require_implemented(tf_positions(P16), "tf_positions", 4);
    for (size_t p = 0; p < 50; p++)
        for (size_t i = 0; i < 8; i++) {
            double w = exp(-(2.0 * i / 16.0) * log(10000.0));
            gsl_matrix_set(R, p, 2 * i, sin(p * w)), gsl_matrix_set(R, p, 2 * i + 1, cos(p * w));
        }
    /* w by exp/log vs pow differs by an ulp; p w <= 49: sin/cos to 49 * 2 eps ~ 2e-14 */
    mlphys_assert_matrix_close(P16, R, 1e-13, 0, "PE for d = 16, p < 50",
                               "w_i = 10000^(-2i/d) with i the pair index (column 2i and 2i+1), not the column index.");
    gsl_matrix_free(P), gsl_matrix_free(P16), gsl_matrix_free(R);
}

Test(transformers, positions_shift_is_a_rotation_per_frequency_pair, .description = "for every pair i: (PE[p+k][2i], PE[p+k][2i+1]) = R(k w_i) (PE[p][2i], PE[p][2i+1]), R a 2-D rotation, for all p, k < 40 (d = 12)")
{
    const size_t n = 80, d = 12;
    gsl_matrix *P = nan_matrix(n, d);
    mlphys_require_implemented(tf_positions(P), "tf_positions", 4);
    for (size_t i = 0; i < d / 2; i++) {
        double w = pow(10000.0, -2.0 * i / d);
        for (size_t k = 0; k < 40; k++) {
            double c = cos(k * w), s = sin(k * w);
            for (size_t p = 0; p < 40; p++) {
                double a = gsl_matrix_get(P, p, 2 * i), b = gsl_matrix_get(P, p, 2 * i + 1);
                /* sin(x + y) = sin x cos y + cos x sin y,  cos(x + y) = cos x cos y - sin x sin y;
                 * arguments <= 80: sin/cos accurate to ~80 eps = 2e-14 each */
                mlphys_assert_close(gsl_matrix_get(P, p + k, 2 * i), a * c + b * s, 1e-13, 0,
                                    "PE[%zu][%zu] vs the rotation of PE[%zu] by k w_%zu (k = %zu)", p + k, 2 * i, p, i, k);
                mlphys_assert_close(gsl_matrix_get(P, p + k, 2 * i + 1), b * c - a * s, 1e-13, 0,
                                    "PE[%zu][%zu] vs the rotation of PE[%zu] by k w_%zu (k = %zu)", p + k, 2 * i + 1, p, i, k);
            }
        }
    }
    gsl_matrix_free(P);
}

Test(transformers, positions_break_permutation_equivariance, .description = "adding PE to the tokens makes self-attention see the order: MHA(P(X) + PE) differs from P MHA(X + PE) by more than 1e-3")
{
    gsl_rng *r = mlphys_rng();
    const size_t n = 6, d = 6;
    gsl_matrix *X = gauss_matrix(n, d, r, 1.0), *W = gsl_matrix_alloc(d, d), *PE = nan_matrix(n, d);
    gsl_matrix_set_identity(W);
    mlphys_require_implemented(tf_positions(PE), "tf_positions", 4);
    gsl_matrix *XP = gsl_matrix_alloc(n, d), *PX = gsl_matrix_alloc(n, d), *Y = gsl_matrix_alloc(n, d),
               *YP = gsl_matrix_alloc(n, d), *PY = gsl_matrix_alloc(n, d);
    size_t perm[] = {5, 4, 3, 2, 1, 0};
    gsl_matrix_memcpy(XP, X), gsl_matrix_add(XP, PE);
    permute_rows(X, perm, PX), gsl_matrix_add(PX, PE);
    mlphys_require_implemented(tf_multihead(XP, W, W, W, W, 1, 0, Y), "tf_multihead", 2);
    mlphys_require_implemented(tf_multihead(PX, W, W, W, W, 1, 0, YP), "tf_multihead", 2);
    permute_rows(Y, perm, PY);
    double diff = 0;
    for (size_t i = 0; i < n * d; i++)
        diff = fmax(diff, fabs(YP->data[i] - PY->data[i]));
    /* PE rows differ by O(1) between positions (column 0 is sin p), so reversing the order
     * changes the inputs by O(1) and the outputs by O(0.1) or more; 1e-3 is far below */
    cr_assert(diff > 1e-3, "max |MHA(PX + PE) - P MHA(X + PE)| = %g: with positions the order must matter (is PE "
              "constant over p?)", diff);
    gsl_matrix_free(X), gsl_matrix_free(W), gsl_matrix_free(PE), gsl_matrix_free(XP), gsl_matrix_free(PX);
    gsl_matrix_free(Y), gsl_matrix_free(YP), gsl_matrix_free(PY);
}

Test(transformers, positions_reject_odd_width, .description = "d odd or 0 gives GSL_EINVAL and leaves PE untouched")
{
    gsl_matrix *P = gsl_matrix_alloc(3, 5);
    gsl_matrix_set_all(P, 7.0);
    mlphys_require_status(tf_positions(P), GSL_EINVAL, "tf_positions", "d = 5 is odd: sin/cos come in pairs");
    for (size_t i = 0; i < 15; i++)
        cr_assert(P->data[i] == 7.0, "tf_positions wrote PE although it returned an error");
    gsl_matrix_free(P);
}

/* ---- TODO(5): attention, backward -------------------------------------------------------- */

/* L = sum G .* O with O from the reference attention. */
static double ref_loss(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal, const gsl_matrix *G)
{
    gsl_matrix *O = gsl_matrix_alloc(Q->size1, V->size2);
    ref_attention(Q, K, V, causal, NULL, O);
    double L = 0;
    for (size_t i = 0; i < O->size1 * O->size2; i++)
        L += O->data[i] * G->data[i];
    gsl_matrix_free(O);
    return L;
}

static void check_grad(gsl_matrix *Q, gsl_matrix *K, gsl_matrix *V, int causal, const gsl_matrix *G,
                       gsl_matrix *which, const gsl_matrix *got, const char *name)
{
    const double h = 1e-5;
    for (size_t i = 0; i < which->size1; i++)
        for (size_t j = 0; j < which->size2; j++) {
            double x = gsl_matrix_get(which, i, j);
            gsl_matrix_set(which, i, j, x + h);
            double Lp = ref_loss(Q, K, V, causal, G);
            gsl_matrix_set(which, i, j, x - h);
            double Lm = ref_loss(Q, K, V, causal, G);
            gsl_matrix_set(which, i, j, x);
            /* central differences: truncation h^2 L''' / 6 ~ 1e-10, rounding eps L / h ~ 1e-11 */
            mlphys_assert_close(gsl_matrix_get(got, i, j), (Lp - Lm) / (2 * h), 1e-7, 1e-6,
                                "%s[%zu][%zu] (causal = %d) vs central differences", name, i, j, causal);
        }
}

Test(transformers, attention_backward_matches_central_differences, .description = "dQ, dK, dV of L = sum(G * O) against central differences of a reference attention, for 3 queries x 5 keys and a causal 4 x 4")
{
    gsl_rng *r = mlphys_rng();
    for (int causal = 0; causal <= 1; causal++) {
        size_t n = causal ? 4 : 3, m = causal ? 4 : 5, dk = 3, dv = 2;
        gsl_matrix *Q = gauss_matrix(n, dk, r, 1.0), *K = gauss_matrix(m, dk, r, 1.0), *V = gauss_matrix(m, dv, r, 1.0),
                   *G = gauss_matrix(n, dv, r, 1.0);
        gsl_matrix *dQ = nan_matrix(n, dk), *dK = nan_matrix(m, dk), *dV = nan_matrix(m, dv);
        mlphys_require_implemented(tf_attention_backward(Q, K, V, causal, G, dQ, dK, dV), "tf_attention_backward", 5);
        check_grad(Q, K, V, causal, G, V, dV, "dV (= A^T dO)");
        check_grad(Q, K, V, causal, G, Q, dQ, "dQ (= dS K / sqrt(d_k); dS = A * (dA - rowsum(A * dA)))");
        check_grad(Q, K, V, causal, G, K, dK, "dK (= dS^T Q / sqrt(d_k))");
        gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(G);
        gsl_matrix_free(dQ), gsl_matrix_free(dK), gsl_matrix_free(dV);
    }
}

Test(transformers, attention_backward_rejects_bad_shapes, .description = "dO, dQ, dK or dV of the wrong shape, or causal with n != m, give GSL_EBADLEN; outputs untouched")
{
    gsl_matrix *Q = gsl_matrix_calloc(3, 2), *K = gsl_matrix_calloc(4, 2), *V = gsl_matrix_calloc(4, 5),
               *dO = gsl_matrix_calloc(3, 5), *dQ = gsl_matrix_alloc(3, 2), *dK = gsl_matrix_alloc(4, 2),
               *dV = gsl_matrix_alloc(4, 5), *bad = gsl_matrix_alloc(2, 2);
    gsl_matrix_set_all(dQ, 7), gsl_matrix_set_all(dK, 7), gsl_matrix_set_all(dV, 7);
    mlphys_require_status(tf_attention_backward(Q, K, V, 0, bad, dQ, dK, dV), GSL_EBADLEN, "tf_attention_backward", "dO is 2 x 2, want 3 x 5");
    mlphys_require_status(tf_attention_backward(Q, K, V, 0, dO, bad, dK, dV), GSL_EBADLEN, "tf_attention_backward", "dQ is 2 x 2, want 3 x 2");
    mlphys_require_status(tf_attention_backward(Q, K, V, 0, dO, dQ, bad, dV), GSL_EBADLEN, "tf_attention_backward", "dK is 2 x 2, want 4 x 2");
    mlphys_require_status(tf_attention_backward(Q, K, V, 0, dO, dQ, dK, bad), GSL_EBADLEN, "tf_attention_backward", "dV is 2 x 2, want 4 x 5");
    mlphys_require_status(tf_attention_backward(Q, K, V, 1, dO, dQ, dK, dV), GSL_EBADLEN, "tf_attention_backward", "causal with 3 queries and 4 keys");
    for (size_t i = 0; i < 6; i++)
        cr_assert(dQ->data[i] == 7 && dK->data[i] == 7 && dV->data[i] == 7, "outputs written although an error was returned");
    gsl_matrix_free(Q), gsl_matrix_free(K), gsl_matrix_free(V), gsl_matrix_free(dO), gsl_matrix_free(dQ);
    gsl_matrix_free(dK), gsl_matrix_free(dV), gsl_matrix_free(bad);
}

/* ---- TODO(6): the muP coordinate check ---------------------------------------------------- */

/* The test's own one-step change: draw the weights from a clone of the rng, take the gradient
 * of f by central differences of ref_net, update with the rates of the table, and re-evaluate. */
static double ref_step(const gsl_vector *x, size_t n, tf_param param, double eta, gsl_rng *rng)
{
    const size_t d = x->size;
    const double sd1 = 1 / sqrt((double)d), sd2 = param == TF_SP ? 1 / sqrt((double)n) : 1.0 / n;
    const double lr1 = param == TF_SP ? eta : eta * n, lr2 = param == TF_SP ? eta : eta / n, e = 1e-6;
    gsl_matrix *W1 = gsl_matrix_alloc(n, d), *g1 = gsl_matrix_alloc(n, d);
    gsl_vector *W2 = gsl_vector_alloc(n), *g2 = gsl_vector_alloc(n);
    for (size_t i = 0; i < n * d; i++)
        W1->data[i] = gsl_ran_gaussian(rng, sd1);
    for (size_t i = 0; i < n; i++)
        W2->data[i] = gsl_ran_gaussian(rng, sd2);
    double f0 = ref_net(W1, W2, x);
    for (size_t i = 0; i < n * d; i++) {
        double w = W1->data[i], p, m;
        W1->data[i] = w + e, p = ref_net(W1, W2, x), W1->data[i] = w - e, m = ref_net(W1, W2, x), W1->data[i] = w;
        g1->data[i] = (p - m) / (2 * e);
    }
    for (size_t i = 0; i < n; i++) {
        double w = W2->data[i], p, m;
        W2->data[i] = w + e, p = ref_net(W1, W2, x), W2->data[i] = w - e, m = ref_net(W1, W2, x), W2->data[i] = w;
        g2->data[i] = (p - m) / (2 * e);
    }
    for (size_t i = 0; i < n * d; i++)
        W1->data[i] -= lr1 * g1->data[i];
    for (size_t i = 0; i < n; i++)
        W2->data[i] -= lr2 * g2->data[i];
    double f1 = ref_net(W1, W2, x);
    gsl_matrix_free(W1), gsl_matrix_free(g1), gsl_vector_free(W2), gsl_vector_free(g2);
    return f1 - f0;
}

Test(transformers, coord_check_one_step_matches_finite_differences, .description = "width 5, d = 3, SP and muP: the change of f equals the test's own step (same draws from a cloned rng, gradients by central differences, rates from the table)")
{
    gsl_rng *r = mlphys_rng();
    double xv[] = {0.7, -1.2, 0.4};
    gsl_vector_view x = gsl_vector_view_array(xv, 3);
    const char *names[] = {"SP", "muP"};
    for (int p = 0; p <= 1; p++) {
        gsl_rng *c = gsl_rng_clone(r);
        double df = NAN;
        mlphys_require_implemented(tf_coord_check(&x.vector, 5, (tf_param)p, 0.3, r, &df), "tf_coord_check", 6);
        double want = ref_step(&x.vector, 5, (tf_param)p, 0.3, c);
        /* the gradient by central differences with e = 1e-6: error ~ e^2 f''' + eps/e ~ 1e-10,
         * times learning rates <= 1.5 and O(1) sensitivities: 1e-8 is ample, and every
         * mistake in the draws, the gradient or a rate changes df by O(0.01) or more */
        mlphys_assert_close(df, want, 1e-8, 1e-7, "%s: change of f after one step (draw W1 row by row, then W2; sd and "
                            "learning rates per the table in transformers.h; gradients with the OLD weights)", names[p]);
        gsl_rng_free(c);
    }
}

/* Mean |df| over S draws at widths 64..4096, and the slope of its log against log(width). */
static double coord_slope(tf_param p, double *ratio)
{
    gsl_rng *r = mlphys_rng();
    double xv[] = {1, -1, 1, -1};
    gsl_vector_view x = gsl_vector_view_array(xv, 4);
    enum { NW = 7, S = 16 }; /* 16 draws per width: the mean |df| fluctuates by ~1%, slope sd < 0.007 */
    double lw[NW], ly[NW];
    for (size_t k = 0; k < NW; k++) {
        size_t n = (size_t)64 << k;
        double m = 0;
        for (size_t s = 0; s < S; s++) {
            double df = NAN;
            mlphys_require_implemented(tf_coord_check(&x.vector, n, p, 0.1, r, &df), "tf_coord_check", 6);
            cr_assert(isfinite(df), "width %zu: df = %g", n, df);
            m += fabs(df) / S;
        }
        lw[k] = log((double)n), ly[k] = log(m);
    }
    *ratio = exp(ly[NW - 1] - ly[0]);
    return ref_slope(lw, ly, NW);
}

Test(transformers, coord_check_standard_parameterisation_blows_up_like_width, .description = "SP, eta = 0.1: the slope of log|df| against log(width) over widths 64..4096 is 1 +- 0.1 (Yang & Hu 2021): the output update grows like the width")
{
    /* In SP the W2 update alone changes f by -eta |h|^2 ~ -eta n E[tanh^2]: exponent 1; the
     * W1 path adds an O(eta) term, which pulls the fitted slope to ~0.985 at these widths.  Over
     * seeds 1..200 (16 draws per width) the slope was 0.9847 +- 0.0039 (range 0.974..0.995):
     * the band 0.9..1.1 is > 20 sd from the mean on either side, and the wrong exponents (0 with the
     * output rate eta/n of muP, measured 0.006) are far outside. */
    double ratio, s = coord_slope(TF_SP, &ratio);
    mlphys_assert_close(s, 1.0, 0.1, 0, "SP slope of log|df| vs log width (|df| grew by %.1fx from 64 to 4096, want "
                        "~64x): in SP both layers use eta and W2 starts with sd 1/sqrt(n)", ratio);
}

Test(transformers, coord_check_mup_keeps_the_update_width_independent, .description = "muP, eta = 0.1: the slope of log|df| against log(width) over widths 64..4096 is 0 +- 0.1 (Yang & Hu 2021)")
{
    /* In muP the W2 update gives -(eta/n) |h|^2 = O(eta) and the W1 path -eta n sum W2_i^2
     * tanh'^2 |x|^2 = O(eta): exponent 0.  Over seeds 1..200 (16 draws per width) the fitted
     * slope was 0.0001 +- 0.0068 (range -0.018..0.017): +-0.1 is 14 sd.  SP rates give +1, and
     * the SP init of W2 (sd 1/sqrt n) with muP rates +0.57 (measured; the hidden units move by
     * eta sqrt(n) and saturate).  A missing factor n in W1's rate leaves the slope near 0 (the
     * W2 term dominates): coord_check_one_step_matches_finite_differences catches that one. */
    double ratio, s = coord_slope(TF_MUP, &ratio);
    mlphys_assert_close(s, 0.0, 0.1, 0, "muP slope of log|df| vs log width (|df| changed by %.2fx from 64 to 4096, "
                        "want ~1x): W2 starts with sd 1/n and learns at eta/n, W1 learns at eta n", ratio);
}

Test(transformers, coord_check_rejects_bad_arguments, .description = "n = 0, eta <= 0, NaN eta or an unknown parameterisation give GSL_EINVAL, an empty x GSL_EBADLEN; df untouched")
{
    gsl_rng *r = mlphys_rng();
    double xv[] = {1, 2};
    gsl_vector_view x = gsl_vector_view_array(xv, 2), x0 = gsl_vector_view_array(xv, 1);
    double df = 7.0;
    mlphys_require_status(tf_coord_check(&x.vector, 0, TF_SP, 0.1, r, &df), GSL_EINVAL, "tf_coord_check", "width n = 0");
    mlphys_require_status(tf_coord_check(&x.vector, 8, TF_SP, 0.0, r, &df), GSL_EINVAL, "tf_coord_check", "eta = 0");
    mlphys_require_status(tf_coord_check(&x.vector, 8, TF_MUP, -0.1, r, &df), GSL_EINVAL, "tf_coord_check", "eta < 0");
    mlphys_require_status(tf_coord_check(&x.vector, 8, TF_MUP, NAN, r, &df), GSL_EINVAL, "tf_coord_check", "eta is NaN");
    mlphys_require_status(tf_coord_check(&x.vector, 8, (tf_param)2, 0.1, r, &df), GSL_EINVAL, "tf_coord_check", "param 2 is neither TF_SP nor TF_MUP");
    x0.vector.size = 0;
    mlphys_require_status(tf_coord_check(&x0.vector, 8, TF_SP, 0.1, r, &df), GSL_EBADLEN, "tf_coord_check", "x has no entries");
    cr_assert(df == 7.0, "df = %g: an error must leave df untouched", df);
}
