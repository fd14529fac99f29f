/*
 * Chapter 11: graph neural networks, on Zachary's karate club
 *
 * A graph with N nodes is its adjacency matrix A (N x N).  A graph-convolution (GCN) layer
 * mixes every node's features with its neighbours' through the normalised adjacency
 *     A_hat = D~^{-1/2} (A + I) D~^{-1/2},   d~_i = 1 + sum_j A_ij,
 * then applies the same weights W to every node:  H' = s(A_hat H W).
 * Shapes: N nodes, E edges, F features in, F' out, Hd hidden, C classes, T labelled nodes.
 *
 * You write, in this order:
 *   TODO(1) gnn_adjacency()       the adjacency matrix from an edge list
 *   TODO(2) gnn_normalize()       A_hat, the normalised adjacency with self-loops
 *   TODO(3) gnn_layer_forward()   Z = A_hat H W, H_out = s(Z)
 *   TODO(4) gnn_layer_backward()  dW = (A_hat H)^T G, dH = A_hat^T G W^T, G = dH_out * s'(Z)
 *   TODO(5) gnn_spread()          oversmoothing: distance from the smoothed state after k hops
 *   TODO(6) gnn_gcn_loss()        a two-layer GCN, cross-entropy on labelled nodes, gradients
 *   TODO(7) gnn_gcn_train()       Glorot initialisation and gradient descent
 *   TODO(8) gnn_fiedler()         the Fiedler vector of L = D - A by power iteration
 *
 * Check:           make test CH=11-gnn
 * See your figure: make plot CH=11-gnn       (writes build/figures/chapters/11-gnn/)
 * The contract of every function is in gnn.h; the math is in README.md.
 */
#include "gnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

/* The adjacency matrix of an undirected graph.
 *   edges (E, 2) in: node pairs as doubles     A (N, N) out: A_ij = A_ji = 1 per edge, else 0
 * GSL_EBADLEN if A is not square or edges has not 2 columns; GSL_EINVAL for an index that is
 * not an integer in 0..N-1, a self-loop, or a repeated edge.  Touch A only on success. */
int gnn_adjacency(const gsl_matrix *edges, gsl_matrix *A)
{
    (void)edges, (void)A;
    /* TODO(1): 1. check the shapes.
     *          2. validate every edge first (a failed call must leave A untouched: build
     *             the matrix in a scratch copy, or check everything in a first pass).
     *          3. an undirected edge {i, j} sets both A_ij and A_ji.
     *          Hint: README section "Graphs as matrices". */
    return GSL_EUNIMPL;
}

/* A_hat_ij = (A_ij + delta_ij) / sqrt(d~_i d~_j),  d~_i = 1 + sum_j A_ij.
 * GSL_EBADLEN for shapes; GSL_EINVAL if A is not symmetric, has a negative entry or a
 * non-zero diagonal entry. */
int gnn_normalize(const gsl_matrix *A, gsl_matrix *A_hat)
{
    (void)A, (void)A_hat;
    /* TODO(2): the degrees count the self-loop (d~ = d + 1); the normalisation is symmetric,
     *          one factor 1/sqrt(d~) for the row and one for the column.
     *          Hint: README section "Message passing as a matrix product". */
    return GSL_EUNIMPL;
}

/* Z = A_hat H W (N, F'),  H_out = s(Z).
 * GSL_EBADLEN for shapes; GSL_EINVAL for an unknown activation. */
int gnn_layer_forward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                      gnn_activation act, gsl_matrix *Z, gsl_matrix *H_out)
{
    (void)A_hat, (void)H, (void)W, (void)act, (void)Z, (void)H_out;
    /* TODO(3): two matrix products (gsl_blas_dgemm is allowed and fast), then the activation
     *          element by element.  Which order, (A_hat H) W or A_hat (H W), is cheaper?
     *          Hint: README section "The GCN layer". */
    return GSL_EUNIMPL;
}

/* G = dH_out * s'(Z);  dW = (A_hat H)^T G;  dH = A_hat^T G W^T (only when dH != NULL).
 * GSL_EBADLEN for shapes; GSL_EINVAL for an unknown activation. */
int gnn_layer_backward(const gsl_matrix *A_hat, const gsl_matrix *H, const gsl_matrix *W,
                       gnn_activation act, const gsl_matrix *Z, const gsl_matrix *dH_out,
                       gsl_matrix *dW, gsl_matrix *dH)
{
    (void)A_hat, (void)H, (void)W, (void)act, (void)Z, (void)dH_out, (void)dW, (void)dH;
    /* TODO(4): 1. G = dH_out times s'(Z), element by element (tanh: 1 - tanh^2 z).
     *          2. dW = (A_hat H)^T G: recompute A_hat H, then a transposed product.
     *          3. dH = A_hat^T G W^T: mind the transpose of A_hat (it need not be symmetric).
     *          Hint: README section "The backward pass". */
    return GSL_EUNIMPL;
}

/* s_k = || (I - u u^T) A_hat^k X ||_F for k = 0..s->size-1,  u_i = sqrt(d~_i / sum_j d~_j).
 * GSL_EBADLEN for shapes; GSL_EINVAL as gnn_normalize. */
int gnn_spread(const gsl_matrix *A, const gsl_matrix *X, gsl_vector *s)
{
    (void)A, (void)X, (void)s;
    /* TODO(5): build A_hat with your gnn_normalize, then propagate H_k = A_hat H_{k-1} from
     *          H_0 = X, and at every k subtract from each column of H_k its projection on u.
     *          Hint: README section "Oversmoothing". */
    return GSL_EUNIMPL;
}

/* H1 = tanh(A_hat X W0), O = A_hat H1 W1, P = softmax of the rows of O,
 * loss = -(1/T) sum_t log P[train[t], y[t]];  dW0, dW1 = its gradients (both NULL: skip). */
int gnn_gcn_loss(const gsl_matrix *A_hat, const gsl_matrix *X, const gsl_matrix *W0,
                 const gsl_matrix *W1, const size_t *train, const size_t *y, size_t T,
                 gsl_matrix *H1, gsl_matrix *P, double *loss, gsl_matrix *dW0, gsl_matrix *dW1)
{
    (void)A_hat, (void)X, (void)W0, (void)W1, (void)train, (void)y, (void)T;
    (void)H1, (void)P, (void)loss, (void)dW0, (void)dW1;
    /* TODO(6): 1. check shapes and indices.
     *          2. forward: your gnn_layer_forward twice (GNN_TANH, then GNN_IDENTITY), then a
     *             softmax with the row maximum subtracted first.
     *          3. the gradient of the loss with respect to the logits O is (P - onehot)/T on the
     *             labelled rows and zero on all the others; then your gnn_layer_backward twice.
     *          Hint: README section "Semi-supervised node classification". */
    return GSL_EUNIMPL;
}

/* Glorot-uniform W0 then W1 from rng (row-major, r = sqrt(6 / (rows + cols))), then `steps`
 * steps of W <- W - lr dloss/dW; losses[t] = the loss before step t (losses may be NULL). */
int gnn_gcn_train(const gsl_matrix *A_hat, const gsl_matrix *X, const size_t *train,
                  const size_t *y, size_t T, size_t steps, double lr, gsl_rng *rng,
                  gsl_matrix *W0, gsl_matrix *W1, gsl_vector *losses)
{
    (void)A_hat, (void)X, (void)train, (void)y, (void)T, (void)steps, (void)lr, (void)rng;
    (void)W0, (void)W1, (void)losses;
    /* TODO(7): draw W0 entirely, then W1, with gsl_ran_flat(rng, -r, r) in row-major order (the
     *          tests reproduce your initialisation from the same seed); then the loop, calling
     *          your gnn_gcn_loss for the gradients.
     *          Hint: README section "Training". */
    return GSL_EUNIMPL;
}

/* The Fiedler vector f of L = D - A (||f|| = 1, sum f = 0, f_0 >= 0) and lambda2 = f^T L f, by
 * power iteration on c I - L (c = 2 max d) with the constant vector projected out each step;
 * start from N Gaussians drawn from rng; stop when ||L f - lambda2 f|| <= 1e-10 c. */
int gnn_fiedler(const gsl_matrix *A, gsl_rng *rng, gsl_vector *f, double *lambda2)
{
    (void)A, (void)rng, (void)f, (void)lambda2;
    /* TODO(8): 1. degrees d_i and c = 2 max d_i.
     *          2. x = Gaussian start, minus its mean, normalised.
     *          3. repeat: y = c x - L x;  lambda = c - x^T y;  stop if the residual of
     *             L x = lambda x is small; else x = y minus its mean, normalised.
     *          4. flip the sign so that f_0 >= 0.
     *          Hint: README section "Spectral clustering: the Fiedler vector". */
    return GSL_EUNIMPL;
}

/* Going further: a graph attention layer (Velickovic et al., ICLR 2018) replaces the fixed
 * weights A_hat_ij by learned ones, alpha_ij = softmax_j over the neighbours of
 * LeakyReLU(a^T [W h_i, W h_j]).  It is still permutation equivariant: check it with the same
 * test as the GCN layer. */
