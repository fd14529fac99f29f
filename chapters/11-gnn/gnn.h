/*
 * gnn.h: the contract of chapter 11 (graph neural networks).
 * The stub (chapters/11-gnn/gnn.c) and the reference solution implement exactly this header.
 *
 * A graph with N nodes is its adjacency matrix A (N x N, A_ij = A_ji = weight of edge i-j, zero
 * diagonal).  Node features are the rows of a matrix: H (N x F), one F-vector per node.
 * Shapes: N nodes, E edges, F input features, F' output features of a layer, Hd hidden
 * features, C classes, T labelled nodes.  The caller allocates every output.  Every function
 * returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree, GSL_EINVAL for a bad
 * argument, GSL_EMAXITER when an iteration does not converge, and GSL_EUNIMPL while it is still
 * a stub.  On an error the outputs are left untouched.
 */
#ifndef MLPHYS_GNN_H
#define MLPHYS_GNN_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* The non-linearity of a layer and its derivative:
 *   GNN_IDENTITY  s(z) = z        s'(z) = 1
 *   GNN_TANH      s(z) = tanh z   s'(z) = 1 - tanh^2 z
 *   GNN_RELU      s(z) = max(z,0) s'(z) = 1 if z > 0, else 0 */
typedef enum { GNN_IDENTITY = 0, GNN_TANH = 1, GNN_RELU = 2 } gnn_activation;

/* The adjacency matrix of an undirected, unweighted graph from its edge list.
 *   edges (E, 2)  in: one edge per row, the two node indices as doubles (0-based, as
 *                 mlphys_read_matrix returns them from data/karate-edges.csv)
 *   A     (N, N)  out: A_ij = A_ji = 1 for every edge {i, j}, 0 elsewhere
 * GSL_EBADLEN if A is not square or edges has not 2 columns; GSL_EINVAL if an index is not an
 * integer in 0..N-1, an edge is a self-loop (i = j), or an edge appears twice (in either order). */
int gnn_adjacency(const gsl_matrix *edges, gsl_matrix *A);

/* The normalised adjacency with self-loops (Kipf & Welling 2017):
 *   A_hat = D~^{-1/2} (A + I) D~^{-1/2},   d~_i = 1 + sum_j A_ij,
 * that is A_hat_ij = (A_ij + delta_ij) / sqrt(d~_i d~_j).
 *   A (N, N) in: symmetric, non-negative, zero diagonal (weights allowed)    A_hat (N, N) out
 * GSL_EBADLEN if the shapes differ or are not square; GSL_EINVAL if A is not symmetric, has a
 * negative entry or a non-zero diagonal entry. */
int gnn_normalize(const gsl_matrix *A, gsl_matrix *A_hat);

/* One graph-convolution layer, forward:
 *   Z = A_hat H W,    H_out = s(Z)   (element-wise)
 *   A_hat (N, N)  in: any propagation matrix (it need not be symmetric)
 *   H     (N, F)  in: node features         W (F, F') in: weights, shared by all nodes
 *   Z     (N, F') out: pre-activations (the backward pass needs them)
 *   H_out (N, F') out: the new node features
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL for an unknown activation. */
int gnn_layer_forward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                      gnn_activation act, gsl_matrix *Z, gsl_matrix *H_out);

/* The same layer, backward: given G_out = dL/dH_out, with G = G_out * s'(Z) element-wise,
 *   dW = (A_hat H)^T G          (F, F')
 *   dH = A_hat^T G W^T          (N, F)     skipped when dH is NULL
 *   Z (N, F') in: from the forward pass     dH_out (N, F') in: dL/dH_out
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL for an unknown activation. */
int gnn_layer_backward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                       gnn_activation act, const gsl_matrix *Z, const gsl_matrix *dH_out,
                       gsl_matrix *dW, gsl_matrix *dH);

/* Oversmoothing: how far the features are from the fully smoothed state after k propagations
 * without weights or non-linearity, for k = 0..K (K = s->size - 1):
 *   s_k = || (I - u u^T) A_hat^k X ||_F,    u_i = sqrt(d~_i) / sqrt(sum_j d~_j),
 * where A_hat = gnn_normalize(A) and u is its top eigenvector (eigenvalue 1).
 *   A (N, N) in: as for gnn_normalize     X (N, F) in: initial features     s (K + 1) out
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL as gnn_normalize. */
int gnn_spread(const gsl_matrix *A, const gsl_matrix *X, gsl_vector *s);

/* A two-layer GCN for node classification, forward and backward:
 *   H1 = tanh(A_hat X W0),   O = A_hat H1 W1,   P_ic = exp(O_ic) / sum_c' exp(O_ic'),
 *   loss = -(1/T) sum_{t < T} log P[train[t], y[t]]    (cross-entropy on the labelled nodes only)
 *   A_hat (N, N), X (N, F), W0 (F, Hd), W1 (Hd, C)  in
 *   train (T), y (T)  in: the labelled nodes and their classes (0..C-1)
 *   H1 (N, Hd), P (N, C)  out: the hidden features (the embedding) and the class probabilities
 *   loss  out
 *   dW0 (F, Hd), dW1 (Hd, C)  out: dloss/dW0 and dloss/dW1; both NULL skips the backward pass
 * GSL_EBADLEN if the shapes disagree or only one of dW0, dW1 is NULL; GSL_EINVAL if T = 0 or
 * a train index or a class is out of range. */
int gnn_gcn_loss(const gsl_matrix *A_hat, const gsl_matrix *X, const gsl_matrix *W0,
                 const gsl_matrix *W1, const size_t *train, const size_t *y, size_t T,
                 gsl_matrix *H1, gsl_matrix *P, double *loss, gsl_matrix *dW0, gsl_matrix *dW1);

/* Semi-supervised training of that GCN.
 *   1. Glorot initialisation: every entry of W0, then of W1 (row-major order), is drawn as
 *      gsl_ran_flat(rng, -r, r) with r = sqrt(6 / (fan_in + fan_out)), (fan_in, fan_out) the
 *      matrix's (rows, columns).
 *   2. steps steps of full-batch gradient descent, W <- W - lr dloss/dW (both matrices).
 *   losses (steps) out, or NULL: losses[t] = the loss before step t.
 * W0 and W1 are in/out only as storage: their initial contents are ignored.
 * GSL_EBADLEN and GSL_EINVAL as gnn_gcn_loss, also GSL_EINVAL if lr <= 0 (or not finite) and
 * GSL_EBADLEN if losses is not NULL and has not `steps` entries. */
int gnn_gcn_train(const gsl_matrix *A_hat, const gsl_matrix *X, const size_t *train,
                  const size_t *y, size_t T, size_t steps, double lr, gsl_rng *rng,
                  gsl_matrix *W0, gsl_matrix *W1, gsl_vector *losses);

/* The Fiedler vector of a connected graph: the eigenvector of the graph Laplacian L = D - A
 * (D = diag of the degrees d_i = sum_j A_ij) for its second-smallest eigenvalue lambda_2 (the
 * algebraic connectivity), by power iteration on M = c I - L, c = 2 max_i d_i, with the
 * constant vector (L's null vector) projected out at every step.
 *   A (N, N) in: as for gnn_normalize       rng: draws the starting vector (N Gaussians)
 *   f (N) out: the Fiedler vector, ||f|| = 1, sum_i f_i = 0, sign chosen so that f_0 >= 0
 *   lambda2 out: its eigenvalue, the Rayleigh quotient f^T L f
 * Stops when ||L f - lambda2 f|| <= 1e-10 c; GSL_EMAXITER after 10^6 iterations.
 * GSL_EBADLEN if shapes disagree or N < 2; GSL_EINVAL as gnn_normalize. */
int gnn_fiedler(const gsl_matrix *A, gsl_rng *rng, gsl_vector *f, double *lambda2);

#endif
