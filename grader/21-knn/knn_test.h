/*
 * Chapter 21 test helpers, shared by tests.c and hidden.c.  Everything here is written from the
 * definitions (a distance is a sum of squared differences; the k nearest are the first k after
 * sorting by distance, then by row), independently of any solution; static inline so that a
 * file that does not use one does not warn.
 */
#ifndef MLPHYS_KNN_TEST_H
#define MLPHYS_KNN_TEST_H

#include "mlphys_test.h"
#include "mlphys_data.h"
#include "knn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A value no correct output holds: outputs are pre-filled with it, so an entry that is never
 * written shows up. */
#define T_GARBAGE ((size_t)0xDEADBEEF)

/* |row i of A - row j of B|^2, summed directly (no expansion, no cancellation). */
static inline double t_sqdist(const gsl_matrix *A, size_t i, const gsl_matrix *B, size_t j)
{
    double s = 0;
    for (size_t a = 0; a < A->size2; a++) {
        double u = gsl_matrix_get(A, i, a) - gsl_matrix_get(B, j, a);
        s += u * u;
    }
    return s;
}

typedef struct { double d; size_t j; } t_pair;

static inline int t_pair_cmp(const void *a, const void *b)
{
    const t_pair *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return (p->j > q->j) - (p->j < q->j);
}

/* The k nearest rows of X to row i of Q by definition: sort all (direct distance, row) pairs.
 * skip = a row to leave out, or SIZE_MAX.  want_idx (k), want_d (k) out. */
static inline void t_knn_sorted(const gsl_matrix *X, const gsl_matrix *Q, size_t i, size_t k, size_t skip,
                                size_t *want_idx, double *want_d)
{
    t_pair *p = malloc(X->size1 * sizeof *p);
    size_t c = 0;
    for (size_t j = 0; j < X->size1; j++)
        if (j != skip)
            p[c].d = t_sqdist(Q, i, X, j), p[c].j = j, c++;
    qsort(p, c, sizeof *p, t_pair_cmp);
    for (size_t r = 0; r < k; r++)
        want_idx[r] = p[r].j, want_d[r] = p[r].d;
    free(p);
}

/* Random points with integer coordinates in 0 .. L - 1: on such a small grid many distances
 * are exactly equal and many points coincide, and every distance (small integers) is computed
 * exactly by any formula, so the tie rule is testable bit for bit. */
static inline void t_fill_grid(gsl_matrix *A, gsl_rng *rng, unsigned long L)
{
    for (size_t i = 0; i < A->size1; i++)
        for (size_t a = 0; a < A->size2; a++)
            gsl_matrix_set(A, i, a, (double)gsl_rng_uniform_int(rng, L));
}

static inline void t_fill_uniform(gsl_matrix *A, gsl_rng *rng, double lo, double hi)
{
    for (size_t i = 0; i < A->size1; i++)
        for (size_t a = 0; a < A->size2; a++)
            gsl_matrix_set(A, i, a, lo + (hi - lo) * gsl_rng_uniform(rng));
}

/* The digits: X (1797, 64) raw pixels 0..16 and the labels; fails the test if the file is missing. */
static inline gsl_matrix *t_digits(size_t **labels)
{
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix(mlphys_data_path("digits.csv.gz"), 0, &all, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the digits: %s", err);
    gsl_matrix *X = gsl_matrix_alloc(all->size1, 64);
    *labels = malloc(all->size1 * sizeof **labels);
    for (size_t i = 0; i < all->size1; i++) {
        for (size_t a = 0; a < 64; a++)
            gsl_matrix_set(X, i, a, gsl_matrix_get(all, i, a));
        (*labels)[i] = (size_t)gsl_matrix_get(all, i, 64);
    }
    gsl_matrix_free(all);
    return X;
}

/* Compare a student's neighbour list for query i with the definition; the message names the
 * query, the rank, both rows and both distances.  got_d may be NULL (then only rows). */
static inline void t_assert_same_neighbours(const char *what, size_t i, size_t k, const size_t *got_idx,
                                            const double *got_d, const size_t *want_idx, const double *want_d,
                                            double dtol, const char *hint)
{
    for (size_t r = 0; r < k; r++) {
        if (got_idx[r] != want_idx[r])
            cr_assert_fail("%s: query %zu, neighbour %zu: got row %zu, want row %zu (distance^2 %.10g; the "
                           "k-th distance is %.10g). %s", what, i, r, got_idx[r], want_idx[r], want_d[r],
                           want_d[k - 1], hint);
        if (got_d && !mlphys_close(got_d[r], want_d[r], dtol, dtol))
            cr_assert_fail("%s: query %zu, neighbour %zu (row %zu): distance^2 %.15g, want %.15g", what, i, r,
                           want_idx[r], got_d[r], want_d[r]);
    }
}

/* Check every structural promise of knn.h for a tree built over X: perm is a permutation, pts
 * is X in perm order, nodes own contiguous ranges that children split in two non-empty halves,
 * every left point has x[dim] <= split and every right point >= split, leaves own at most
 * leaf_size points, and every position is owned by exactly one leaf.  Returns the depth. */
static inline size_t t_check_tree(const knn_kdtree *t, const gsl_matrix *X, size_t leaf_size)
{
    const size_t n = X->size1, d = X->size2;
    cr_assert(t != NULL, "knn_kdtree_build returned GSL_SUCCESS but *out is NULL");
    cr_assert(t->n == n && t->d == d && t->leaf_size == leaf_size,
              "tree header: n = %zu, d = %zu, leaf_size = %zu, want %zu, %zu, %zu", t->n, t->d,
              t->leaf_size, n, d, leaf_size);
    cr_assert(t->nnodes >= 1 && t->nnodes <= t->capacity, "nnodes = %zu, capacity = %zu", t->nnodes, t->capacity);
    char *seen = calloc(n, 1);
    for (size_t p = 0; p < n; p++) {
        cr_assert(t->perm[p] < n && !seen[t->perm[p]],
                  "perm[%zu] = %zu: perm must be a permutation of 0 .. n - 1", p, t->perm[p]);
        seen[t->perm[p]] = 1;
        for (size_t a = 0; a < d; a++)
            cr_assert(t->pts[p * d + a] == gsl_matrix_get(X, t->perm[p], a),
                      "pts[%zu * d + %zu] = %g but X[perm[%zu] = %zu][%zu] = %g: pts must be X in perm order",
                      p, a, t->pts[p * d + a], p, t->perm[p], a, gsl_matrix_get(X, t->perm[p], a));
    }
    memset(seen, 0, n);
    /* walk from the root with an explicit stack of (node, depth) */
    size_t *stack = malloc(2 * (t->nnodes + 1) * sizeof *stack), top = 0, depth = 0, visited = 0;
    const knn_node *root = &t->nodes[0];
    cr_assert(root->lo == 0 && root->hi == n, "the root owns %zu .. %zu, want 0 .. %zu", root->lo, root->hi, n);
    stack[top++] = 0, stack[top++] = 0;
    while (top) {
        size_t dep = stack[--top], id = stack[--top];
        const knn_node *nd = &t->nodes[id];
        cr_assert(++visited <= t->nnodes, "the children links form a cycle or share nodes");
        depth = dep > depth ? dep : depth;
        cr_assert(nd->lo < nd->hi && nd->hi <= n, "node %zu owns %zu .. %zu: an empty or out-of-range node",
                  id, nd->lo, nd->hi);
        if (nd->left == 0 && nd->right == 0) {
            cr_assert(nd->hi - nd->lo <= leaf_size, "leaf %zu owns %zu points > leaf_size = %zu: split it",
                      id, nd->hi - nd->lo, leaf_size);
            for (size_t p = nd->lo; p < nd->hi; p++) {
                cr_assert(!seen[p], "position %zu is owned by two leaves", p);
                seen[p] = 1;
            }
            continue;
        }
        cr_assert(nd->left > 0 && nd->right > 0 && nd->left < t->nnodes && nd->right < t->nnodes,
                  "node %zu has children %zu and %zu (nnodes = %zu)", id, nd->left, nd->right, t->nnodes);
        cr_assert(nd->dim < d, "node %zu splits coordinate %zu >= d = %zu", id, nd->dim, d);
        const knn_node *L = &t->nodes[nd->left], *R = &t->nodes[nd->right];
        cr_assert(L->lo == nd->lo && L->hi == R->lo && R->hi == nd->hi && L->hi > L->lo && R->hi > R->lo,
                  "node %zu (%zu .. %zu) has children owning %zu .. %zu and %zu .. %zu: they must split "
                  "its range into two contiguous non-empty halves", id, nd->lo, nd->hi, L->lo, L->hi, R->lo, R->hi);
        for (size_t p = L->lo; p < L->hi; p++)
            cr_assert(t->pts[p * d + nd->dim] <= nd->split,
                      "node %zu splits coordinate %zu at %g, but position %zu in its left child has %g > split",
                      id, nd->dim, nd->split, p, t->pts[p * d + nd->dim]);
        for (size_t p = R->lo; p < R->hi; p++)
            cr_assert(t->pts[p * d + nd->dim] >= nd->split,
                      "node %zu splits coordinate %zu at %g, but position %zu in its right child has %g < split",
                      id, nd->dim, nd->split, p, t->pts[p * d + nd->dim]);
        stack[top++] = nd->left, stack[top++] = dep + 1;
        stack[top++] = nd->right, stack[top++] = dep + 1;
    }
    for (size_t p = 0; p < n; p++)
        cr_assert(seen[p], "position %zu belongs to no leaf", p);
    free(stack), free(seen);
    return depth;
}

#endif
