/*
 * knn.h: the contract of chapter 21 (nearest neighbours).
 * The stub (chapters/21-knn/knn.c) and the reference solution implement exactly this header.
 *
 * Shapes: X (n, d) holds n training points as rows, Q (m, d) holds m queries as rows, d is the
 * dimension; labels are class numbers 0 .. nclass - 1.  Distances are squared Euclidean,
 * |q - x|^2 (the square root never changes who is nearest).  The caller allocates every
 * output.  Every function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when sizes disagree,
 * GSL_EINVAL for a bad argument (k = 0, a label out of range), GSL_ENOMEM when an allocation
 * fails, and GSL_EUNIMPL while it is still a stub.
 *
 * THE ORDER OF NEIGHBOURS (the tie rule used everywhere in this chapter): neighbours are sorted
 * by squared distance, ascending, and points at exactly the same distance by their row index in
 * X, ascending.  So "the k nearest" is always one well-defined list, even with ties and
 * duplicate points.
 */
#ifndef MLPHYS_KNN_H
#define MLPHYS_KNN_H

#include <gsl/gsl_matrix.h>
#include <stddef.h>

/* Squared distances between every query and every training point, by the expansion
 *     D_ij = |q_i|^2 - 2 q_i . x_j + |x_j|^2,
 * with the products q_i . x_j as one matrix product D = -2 Q X^T (gsl_blas_dgemm is allowed),
 * and every entry that comes out negative through cancellation set to 0.
 *   Q (m, d) in, X (n, d) in, D (m, n) out.
 * GSL_EBADLEN if Q and X differ in d or D is not m x n. */
int knn_sqdist(const gsl_matrix *Q, const gsl_matrix *X, gsl_matrix *D);

/* Brute-force k nearest neighbours of every query, in the order defined above.
 *   X (n, d) in, Q (m, d) in.
 *   exclude_self: 0 for ordinary queries; nonzero for leave-one-out, where Q must be X itself
 *                 (m = n) and query i may not return its own row i (other rows at distance 0,
 *                 duplicates of point i, are ordinary neighbours).
 *   idx  (m * k) out: idx[i * k + r] = row of X of the (r+1)-th nearest neighbour of query i
 *   dist (m * k) out: the matching squared distances (computed by the expansion, >= 0);
 *                     may be NULL.
 * Works through the queries and the training points in blocks, so that memory stays
 * O(block^2) and never O(m n).
 * GSL_EINVAL if k = 0 or k exceeds the available points (n, or n - 1 with exclude_self);
 * GSL_EBADLEN if the dimensions differ or exclude_self is set with m != n. */
int knn_brute(const gsl_matrix *X, const gsl_matrix *Q, size_t k, int exclude_self, size_t *idx,
              double *dist);

/* ---- The k-d tree ---------------------------------------------------------------------------
 * Every node owns a contiguous range pos = lo .. hi - 1 of the permuted points.  A leaf owns at
 * most leaf_size of them.  An internal node splits its range at a coordinate `dim` and a value
 * `split`: every point of its left child has x[dim] <= split and every point of its right child
 * has x[dim] >= split; the left child owns lo .. mid - 1, the right one mid .. hi - 1, and both
 * are non-empty. */
typedef struct knn_node {
    size_t lo, hi;       /* the node owns positions lo .. hi - 1 of perm (and rows of pts) */
    size_t dim;          /* internal node: the splitting coordinate (0 .. d - 1) */
    double split;        /* internal node: the splitting value */
    size_t left, right;  /* internal node: indices of the children in nodes[]; a leaf has
                            left = right = 0 (node 0 is the root, never anybody's child) */
} knn_node;

typedef struct knn_kdtree {
    size_t n, d, leaf_size;
    size_t *perm;    /* (n): the row of X stored at position p (a permutation of 0 .. n - 1) */
    double *pts;     /* (n * d): row-major copy of the points in perm order: pts[p * d + a] =
                        X[perm[p]][a], so that a leaf's points are contiguous in memory */
    size_t nnodes;   /* number of nodes used */
    size_t capacity; /* number of nodes allocated */
    knn_node *nodes; /* nodes[0] is the root */
} knn_kdtree;

/* Build a k-d tree over the rows of X (copied: X may be freed afterwards).
 *   leaf_size >= 1: split every node that owns more than leaf_size points.
 *   *out: a new tree, to be freed with knn_kdtree_free.
 * Split at the median of the coordinate of largest spread, so the depth is O(log n).
 * GSL_EINVAL if leaf_size = 0, GSL_EBADLEN if X has no rows or no columns, GSL_ENOMEM.
 * On any error *out is NULL and nothing is leaked. */
int knn_kdtree_build(const gsl_matrix *X, size_t leaf_size, knn_kdtree **out);

/* Free a tree and everything it owns; NULL is a no-op.  (Given: not an exercise.) */
void knn_kdtree_free(knn_kdtree *t);

/* The k nearest points of the tree to one query q (d), exactly what knn_brute returns for it
 * (same points, same tie order; distances computed directly as sum_a (q_a - x_a)^2).
 *   idx (k) out: rows of X;  dist (k) out: squared distances, may be NULL.
 * GSL_EINVAL if k = 0 or k > n, GSL_EBADLEN if q->size != d. */
int knn_kdtree_query(const knn_kdtree *t, const gsl_vector *q, size_t k, size_t *idx, double *dist);

/* ---- Classification -------------------------------------------------------------------- */

/* Majority vote among k neighbour labels given in neighbour order (nearest first).
 *   nlab (k) in: labels 0 .. nclass - 1;  *winner out: the class with the most votes.
 * Tie rule: among the classes with the most votes, the one whose nearest member comes first in
 * nlab (so k = 2 with two different labels answers like k = 1).
 * GSL_EINVAL if k = 0, nclass = 0 or a label >= nclass. */
int knn_vote(const size_t *nlab, size_t k, size_t nclass, size_t *winner);

/* Leave-one-out predictions for every k = 1 .. kmax at once: each point i is classified by
 * its kmax nearest other points (knn_brute with exclude_self) and the majority vote of the
 * first k of them.
 *   X (n, d) in, labels (n) in.
 *   pred (n * kmax) out: pred[i * kmax + (k - 1)] = the class predicted for point i with k
 *                        neighbours.
 * GSL_EINVAL if kmax = 0 or kmax > n - 1 or a label >= nclass, GSL_EBADLEN if X has no rows. */
int knn_loo(const gsl_matrix *X, const size_t *labels, size_t nclass, size_t kmax, size_t *pred);

/* Confusion matrix: C[t * nclass + p] = number of points of true class t predicted as p.
 *   truth (n) in, pred (n) in, C (nclass * nclass) out.
 * Row t sums to the number of points of class t; the trace is the number of correct ones.
 * GSL_EINVAL if nclass = 0 or any label >= nclass. */
int knn_confusion(const size_t *truth, const size_t *pred, size_t n, size_t nclass, size_t *C);

#endif
