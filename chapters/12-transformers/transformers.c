/*
 * Chapter 12: transformers, attention and muP
 *
 * A sequence of n tokens is a matrix with one row per token.  Attention lets every token (a
 * query) read a weighted average of the others (the values), with weights from a softmax over
 * the scaled dot products of its query with their keys:
 *     O = softmax(Q K^T / sqrt(d_k)) V.
 * Shapes: n queries, m keys, d_k query/key size, d_v value size, d model width, h heads.
 *
 * You write, in this order:
 *   TODO(1) tf_attention()            scaled dot-product attention, optional causal mask
 *   TODO(2) tf_multihead()            h heads of size d/h, concatenated, times Wo
 *   TODO(3) tf_layernorm()            every row to mean 0, variance 1, then gamma, beta
 *   TODO(4) tf_positions()            sinusoidal position encodings
 *   TODO(5) tf_attention_backward()   the chain rule through softmax and two products
 *   TODO(6) tf_coord_check()          one SGD step, standard vs maximal-update parameterisation
 *
 * Check:           make test CH=12-transformers
 * See your figure: make plot CH=12-transformers   (writes build/figures/chapters/12-transformers/)
 * The contract of every function is in transformers.h; the math is in README.md.
 */
#include "transformers.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

/* O = softmax(Q K^T / sqrt(d_k)) V, row by row; A receives the weights (unless NULL).
 * causal: A_ij = 0 for j > i (needs n = m).  GSL_EBADLEN for shapes. */
int tf_attention(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal,
                 gsl_matrix *A, gsl_matrix *O)
{
    (void)Q, (void)K, (void)V, (void)causal, (void)A, (void)O;
    /* TODO(1): 1. check the shapes (Q, K same columns; K, V same rows; O is n x d_v; A, if not
     *             NULL, is n x m; causal needs n = m).
     *          2. S = Q K^T / sqrt(d_k) into a scratch n x m matrix
     *             (gsl_blas_dgemm(CblasNoTrans, CblasTrans, ...)).
     *          3. softmax of every row over the allowed keys (j <= i when causal): subtract the
     *             row maximum before exp; set the masked weights to exactly 0.
     *          4. O = A V.
     *          Hint: README section "Scaled dot-product attention". */
    return GSL_EUNIMPL;
}

/* Y = [head_0 | ... | head_{h-1}] Wo, head_r = attention on columns r d/h .. (r+1) d/h - 1 of
 * X Wq, X Wk, X Wv.  GSL_EBADLEN for shapes, GSL_EINVAL if h = 0 or h does not divide d. */
int tf_multihead(const gsl_matrix *X, const gsl_matrix *Wq, const gsl_matrix *Wk,
                 const gsl_matrix *Wv, const gsl_matrix *Wo, size_t h, int causal, gsl_matrix *Y)
{
    (void)X, (void)Wq, (void)Wk, (void)Wv, (void)Wo, (void)h, (void)causal, (void)Y;
    /* TODO(2): project once (Q = X Wq, ...), then for every head take a column block with
     *          gsl_matrix_submatrix and call your tf_attention on it, writing into the same
     *          column block of a scratch C; finally Y = C Wo.  The scale inside every head is
     *          1/sqrt(d/h), the head's own size.
     *          Hint: README section "Many heads". */
    return GSL_EUNIMPL;
}

/* Per row: y = gamma (x - mean) / sqrt(var + eps) + beta, var with 1/d.
 * GSL_EBADLEN for shapes; GSL_EINVAL if eps < 0.  Y may be X. */
int tf_layernorm(const gsl_matrix *X, const gsl_vector *gamma, const gsl_vector *beta,
                 double eps, gsl_matrix *Y)
{
    (void)X, (void)gamma, (void)beta, (void)eps, (void)Y;
    /* TODO(3): compute the row's mean and variance (divide by d, not d - 1) before writing
     *          anything into that row of Y (Y may be the same matrix as X).
     *          Hint: README section "Layer norm". */
    return GSL_EUNIMPL;
}

/* PE[p][2i] = sin(p w_i), PE[p][2i+1] = cos(p w_i), w_i = 10000^(-2i/d).
 * GSL_EINVAL if d is odd or 0. */
int tf_positions(gsl_matrix *PE)
{
    (void)PE;
    /* TODO(4): one frequency per pair of columns; the exponent is 2i/d with i the pair index.
     *          Hint: README section "Where am I? Positions". */
    return GSL_EUNIMPL;
}

/* dV = A^T dO, dA = dO V^T, dS = A * (dA - rowsum(A * dA)), dQ = dS K / sqrt(d_k),
 * dK = dS^T Q / sqrt(d_k).  GSL_EBADLEN for shapes. */
int tf_attention_backward(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V,
                          int causal, const gsl_matrix *dO, gsl_matrix *dQ, gsl_matrix *dK,
                          gsl_matrix *dV)
{
    (void)Q, (void)K, (void)V, (void)causal, (void)dO, (void)dQ, (void)dK, (void)dV;
    /* TODO(5): recompute the weights A as in the forward pass (same mask), then apply the
     *          four formulas.  The softmax Jacobian acts row by row.
     *          Hint: README section "Attention, backward". */
    return GSL_EUNIMPL;
}

/* One SGD step on L = f, f = W2 . tanh(W1 x); *df = f_after - f_before.  Init sd and learning
 * rates from the table in transformers.h.  GSL_EINVAL for n = 0, eta <= 0, unknown param;
 * GSL_EBADLEN for d = 0. */
int tf_coord_check(const gsl_vector *x, size_t n, tf_param param, double eta, gsl_rng *rng,
                   double *df)
{
    (void)x, (void)n, (void)param, (void)eta, (void)rng, (void)df;
    /* TODO(6): 1. draw W1 (n x d, row by row), then W2 (n), with gsl_ran_gaussian;
     *          2. forward: h = tanh(W1 x), f0 = W2 . h;
     *          3. gradients of L = f: dW2 = h, dW1_ij = W2_i (1 - h_i^2) x_j (use the OLD W2);
     *          4. update both layers with their own learning rates; 5. forward again.
     *          Hint: README section "muP: the maximal-update parameterisation". */
    return GSL_EUNIMPL;
}
