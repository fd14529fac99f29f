/*
 * transformers.h: the contract of chapter 12 (attention, layer norm, positions and muP).
 * The stub (chapters/12-transformers/transformers.c) and the reference solution implement
 * exactly this header.
 *
 * A sequence of n tokens is a matrix with one row per token.  Shapes: n queries, m keys,
 * d_k the query/key size, d_v the value size, d the model width, h heads.  The caller
 * allocates every output.  Every function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when
 * shapes disagree, GSL_EINVAL for a bad argument, and GSL_EUNIMPL while it is still a stub.
 * On an error the outputs are left untouched.
 */
#ifndef MLPHYS_TRANSFORMER_H
#define MLPHYS_TRANSFORMER_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* Scaled dot-product attention:
 *   S = Q K^T / sqrt(d_k),   A_ij = exp(S_ij) / sum_j' exp(S_ij')  (row softmax),   O = A V.
 * With causal != 0, query i may only attend to keys j <= i: S_ij = -infinity for j > i, so
 * A_ij = 0 exactly there (this needs n = m).  The softmax must not overflow for large scores.
 *   Q (n, d_k), K (m, d_k), V (m, d_v)  in
 *   A (n, m) out, or NULL: the attention weights      O (n, d_v) out
 * GSL_EBADLEN if the shapes disagree (or causal and n != m). */
int tf_attention(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V, int causal,
                 gsl_matrix *A, gsl_matrix *O);

/* Multi-head self-attention on X (n, d) with h heads of size d_k = d / h:
 *   Q = X Wq,  K = X Wk,  V = X Wv                      (all n x d)
 *   head r uses columns r d_k .. (r + 1) d_k - 1 of Q, K, V:
 *     O_r = tf_attention(Q_r, K_r, V_r, causal)        (n x d_k, scale 1/sqrt(d_k))
 *   C = [O_0 | O_1 | ... | O_{h-1}]  (n x d, head r in the same columns),   Y = C Wo.
 *   X (n, d), Wq, Wk, Wv, Wo (d, d) in        Y (n, d) out
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL if h = 0 or h does not divide d. */
int tf_multihead(const gsl_matrix *X, const gsl_matrix *Wq, const gsl_matrix *Wk,
                 const gsl_matrix *Wv, const gsl_matrix *Wo, size_t h, int causal, gsl_matrix *Y);

/* Layer norm of every row x (d entries) of X:
 *   mu = (1/d) sum_j x_j,   var = (1/d) sum_j (x_j - mu)^2   (the 1/d, biased, variance)
 *   y_j = gamma_j (x_j - mu) / sqrt(var + eps) + beta_j
 *   X (n, d) in     gamma, beta (d) in     eps >= 0 in     Y (n, d) out (may be X itself)
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL if eps < 0 (or not finite). */
int tf_layernorm(const gsl_matrix *X, const gsl_vector *gamma, const gsl_vector *beta,
                 double eps, gsl_matrix *Y);

/* Sinusoidal positions (Vaswani et al. 2017), for positions p = 0..n-1 and d even:
 *   PE[p][2i] = sin(p w_i),   PE[p][2i + 1] = cos(p w_i),   w_i = 10000^(-2i/d),  i < d/2.
 *   PE (n, d) out
 * GSL_EINVAL if d is odd or zero. */
int tf_positions(gsl_matrix *PE);

/* The backward pass of tf_attention: given dO = dL/dO,
 *   dV = A^T dO,   dA = dO V^T,   dS_ij = A_ij (dA_ij - sum_j' A_ij' dA_ij'),
 *   dQ = dS K / sqrt(d_k),   dK = dS^T Q / sqrt(d_k).
 * (A is recomputed from Q, K as in tf_attention, with the same causal mask.)
 *   Q, K, V, causal in: as for tf_attention      dO (n, d_v) in
 *   dQ (n, d_k), dK (m, d_k), dV (m, d_v) out
 * GSL_EBADLEN if the shapes disagree (or causal and n != m). */
int tf_attention_backward(const gsl_matrix *Q, const gsl_matrix *K, const gsl_matrix *V,
                          int causal, const gsl_matrix *dO, gsl_matrix *dQ, gsl_matrix *dK,
                          gsl_matrix *dV);

/* Parameterisations of a two-layer network (Yang & Hu 2021, SGD):
 *                         W1 init sd     W2 init sd     W1 learning rate   W2 learning rate
 *   TF_SP  (standard)     1/sqrt(d)      1/sqrt(n)      eta                eta
 *   TF_MUP (maximal update) 1/sqrt(d)    1/n            eta n              eta / n          */
typedef enum { TF_SP = 0, TF_MUP = 1 } tf_param;

/* The coordinate check: one SGD step on a two-layer tanh network of width n,
 *   h = tanh(W1 x)  (W1: n x d),   f = W2 . h  (W2: n entries, f a number),
 * with the loss L = f itself (dL/df = 1, so the step is gradient descent on the output):
 *   1. draw W1 (row-major, gsl_ran_gaussian(rng, sd1)), then W2 (gsl_ran_gaussian(rng, sd2));
 *   2. f0 = f(W1, W2); the gradients dL/dW2_i = h_i, dL/dW1_ij = W2_i (1 - h_i^2) x_j;
 *   3. W1 <- W1 - lr1 dL/dW1,  W2 <- W2 - lr2 dL/dW2 (rates from the table above);
 *   4. *df = f(new W1, new W2) - f0, the change of the output pre-activation.
 *   x (d) in      n: width      param: TF_SP or TF_MUP     eta > 0    rng     df out
 * GSL_EINVAL if n = 0, eta <= 0 (or not finite) or param is unknown; GSL_EBADLEN if d = 0. */
int tf_coord_check(const gsl_vector *x, size_t n, tf_param param, double eta, gsl_rng *rng,
                   double *df);

#endif
