/*
 * Chapter 21: nearest neighbours
 *
 * Classify a point by the labels of the training points closest to it.  Distances are squared
 * Euclidean, computed for many pairs at once by the expansion
 *     |q - x|^2 = |q|^2 - 2 q.x + |x|^2,
 * whose middle term for all pairs is one matrix product.  Shapes: X (n, d) training points as
 * rows, Q (m, d) queries as rows, d the dimension, k the number of neighbours.
 * Neighbours are always ordered by distance, and equal distances by row index (knn.h).
 *
 * You write, in this order:
 *   TODO(1) knn_sqdist()        all squared distances by the expansion, cancellation guarded
 *   TODO(2) knn_brute()         the k nearest by brute force, in blocks, with the tie rule
 *   TODO(3) knn_kdtree_build()  a k-d tree: median splits on the widest coordinate
 *   TODO(4) knn_kdtree_query()  branch and bound in the tree: exactly the brute-force answer
 *   TODO(5) knn_vote()          the majority vote, ties to the nearest class
 *   TODO(6) knn_loo()           leave-one-out predictions for k = 1 .. kmax
 *   TODO(7) knn_confusion()     the confusion matrix
 *
 * You may call gsl_blas_dgemm (or cblas_dgemm): chapter 05 wrote the matrix product; here the
 * exercise is what to do around it.  GSL's "k smallest" sorting routines are off limits.
 *
 * Check:           make test CH=21-knn
 * Stuck?           make hint CH=21-knn      (chapters/21-knn/hints.md: three hints per TODO)
 * See your figure: make plot CH=21-knn      (writes build/figures/chapters/21-knn/)
 * The contract of every function is in knn.h; the math is in README.md.
 */
#include "knn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* All squared distances D_ij = |q_i|^2 - 2 q_i.x_j + |x_j|^2, negatives set to 0.
 *   Q (m, d) in,  X (n, d) in,  D (m, n) out.   GSL_EBADLEN if the shapes disagree. */
int knn_sqdist(const gsl_matrix *Q, const gsl_matrix *X, gsl_matrix *D)
{
    (void)Q, (void)X, (void)D;
    /* TODO(1): 1. check the shapes.
     *          2. the row norms |q_i|^2 and |x_j|^2 (a loop each).
     *          3. D = -2 Q X^T with one gsl_blas_dgemm (which of the two gets CblasTrans?).
     *          4. add the norms, and set every negative entry to 0: when q and x are close and
     *             far from the origin, the three big terms cancel and rounding can go below 0.
     *          Rows of a gsl_matrix are tda apart, not size2.
     *          Hint: README section "Distances by the matrix product". */
    return GSL_EUNIMPL;
}

/* The k nearest rows of X to every row of Q, ordered by (distance, row).
 *   idx (m * k) out, dist (m * k) out or NULL; exclude_self: query i skips row i (Q is X).
 * GSL_EINVAL if k = 0 or k > the available points, GSL_EBADLEN for mismatched shapes. */
int knn_brute(const gsl_matrix *X, const gsl_matrix *Q, size_t k, int exclude_self, size_t *idx,
              double *dist)
{
    (void)X, (void)Q, (void)k, (void)exclude_self, (void)idx, (void)dist;
    /* TODO(2): 1. check the arguments; compute |x_j|^2 and |q_i|^2 once.
     *          2. for a block of queries and a block of training rows (say 64 x 256), compute
     *             the tile of distances as in TODO(1) (gsl_matrix_const_submatrix gives the
     *             blocks, gsl_blas_dgemm the product), clamp, and offer every entry to the
     *             query's list of the k best so far, kept sorted (an insertion step).
     *          3. visit the training rows in increasing order: then a new candidate at an
     *             *equal* distance goes after the ones already there, which is the tie rule.
     *          4. with exclude_self skip j == i by index, not by distance 0.
     *          Hint: README section "Brute force in blocks". */
    return GSL_EUNIMPL;
}

/* Given: free a tree and everything it owns; NULL is a no-op. */
void knn_kdtree_free(knn_kdtree *t)
{
    if (!t)
        return;
    free(t->perm), free(t->pts), free(t->nodes), free(t);
}

/* Build a k-d tree over the rows of X: every node with more than leaf_size points is split at
 * the median of its widest coordinate.  *out = the new tree, or NULL on error.
 * GSL_EINVAL if leaf_size = 0, GSL_EBADLEN if X is empty, GSL_ENOMEM. */
int knn_kdtree_build(const gsl_matrix *X, size_t leaf_size, knn_kdtree **out)
{
    (void)X, (void)leaf_size, (void)out;
    /* TODO(3): 1. allocate the tree (calloc), perm (n), pts (n * d) and nodes (2n is enough);
     *             perm starts as 0, 1, ..., n - 1.
     *          2. a recursive helper for the range lo .. hi - 1: append a node; if it has more
     *             than leaf_size points, find the coordinate with the largest max - min,
     *             reorder perm[lo .. hi - 1] so that position mid = lo + (hi - lo) / 2 holds
     *             the median along it (a quickselect, or qsort of the range), set split to
     *             that median value, and recurse on lo .. mid - 1 and mid .. hi - 1.
     *          3. copy the points into pts in perm order.
     *          On any failure free what you allocated (knn_kdtree_free copes with a partly
     *          filled, calloc'ed tree) and leave *out = NULL.
     *          Hint: README section "The k-d tree". */
    return GSL_EUNIMPL;
}

/* The k nearest points of the tree to q, in the chapter's order, same as knn_brute.
 * GSL_EINVAL if k = 0 or k > n, GSL_EBADLEN if q->size != d. */
int knn_kdtree_query(const knn_kdtree *t, const gsl_vector *q, size_t k, size_t *idx, double *dist)
{
    (void)t, (void)q, (void)k, (void)idx, (void)dist;
    /* TODO(4): keep the k best (distance, row) pairs sorted, starting at +infinity.  Descend
     *          recursively: in a leaf, offer every point (compare distances, then rows); at an
     *          internal node, first visit the child on q's side of the split, then the other
     *          child only if its cell can still hold a point that beats (or ties) the k-th
     *          best: its squared distance from q is at least (q[dim] - split)^2.
     *          Hint: README section "The k-d tree", "Searching". */
    return GSL_EUNIMPL;
}

/* The majority label among nlab[0 .. k-1] (nearest first); ties go to the class whose nearest
 * member comes first.  GSL_EINVAL if k = 0, nclass = 0 or a label >= nclass. */
int knn_vote(const size_t *nlab, size_t k, size_t nclass, size_t *winner)
{
    (void)nlab, (void)k, (void)nclass, (void)winner;
    /* TODO(5): count the votes; among the classes with the most, return the one that appears
     *          first in nlab.  Check every label before you write *winner.
     *          Hint: README section "The vote". */
    return GSL_EUNIMPL;
}

/* Leave-one-out predictions: pred[i * kmax + k - 1] = vote of the k nearest *other* points.
 * GSL_EINVAL if kmax = 0, kmax > n - 1 or a label >= nclass; GSL_EBADLEN if X has no rows. */
int knn_loo(const gsl_matrix *X, const size_t *labels, size_t nclass, size_t kmax, size_t *pred)
{
    (void)X, (void)labels, (void)nclass, (void)kmax, (void)pred;
    /* TODO(6): one knn_brute(X, X, kmax, 1, ...) gives every point's kmax nearest others;
     *          then for each point and each k = 1 .. kmax, vote among the first k.
     *          Hint: README section "Leave-one-out". */
    return GSL_EUNIMPL;
}

/* C[t * nclass + p] = number of points of true class t predicted as class p.
 * GSL_EINVAL if nclass = 0 or any label >= nclass (then C is untouched). */
int knn_confusion(const size_t *truth, const size_t *pred, size_t n, size_t nclass, size_t *C)
{
    (void)truth, (void)pred, (void)n, (void)nclass, (void)C;
    /* TODO(7): zero C, then one count per point.  Rows are the truth, columns the prediction.
     *          Hint: README section "The confusion matrix". */
    return GSL_EUNIMPL;
}

/* Going further: a ball tree (Omohundro 1989) bounds cells by spheres instead of boxes and
 * degrades more gracefully with the dimension; approximate search (HNSW, Malkov and Yashunin
 * 2018) gives up exactness for speed in hundreds of dimensions. */
