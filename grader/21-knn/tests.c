/*
 * Chapter 21 tests: distances, brute-force and k-d tree neighbours, the vote, leave-one-out and
 * the confusion matrix, checked against hand-worked cases, the definition (every distance
 * summed directly and sorted, in knn_test.h), structural invariants, a fact recorded by the data
 * provider (1-NN leave-one-out on the digits: 1776 right) and the Cover-Hart bound with a Bayes
 * error known in closed form.  Nothing is compared with numbers produced by the reference
 * solution.
 */
#include "knn_test.h"
#include "knn.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_math.h>

MLPHYS_SUITE(knn, 10);

/* ---- TODO(1): distances ------------------------------------------------------------------ */

Test(knn, sqdist_hand_worked, .description = "Q = [(0,0), (1,2)], X = [(3,4), (1,2), (-1,0)]: D = [[25, 5, 1], [8, 0, 8]]")
{
    double q[] = {0, 0, 1, 2}, x[] = {3, 4, 1, 2, -1, 0}, w[] = {25, 5, 1, 8, 0, 8};
    gsl_matrix_view Q = gsl_matrix_view_array(q, 2, 2), X = gsl_matrix_view_array(x, 3, 2);
    gsl_matrix_view W = gsl_matrix_view_array(w, 2, 3);
    gsl_matrix *D = gsl_matrix_alloc(2, 3);
    gsl_matrix_set_all(D, NAN);
    mlphys_require_implemented(knn_sqdist(&Q.matrix, &X.matrix, D), "knn_sqdist", 1);
    /* small integers: the expansion is exact */
    mlphys_assert_matrix_close(D, &W.matrix, 0, 0, "D",
                               "D_ij = |q_i|^2 - 2 q_i.x_j + |x_j|^2: is it -2 Q X^T (not -2 X Q^T), with both norms added?");
    gsl_matrix_free(D);
}

Test(knn, sqdist_works_on_submatrix_views, .description = "Q, X and D given as submatrix views (row stride tda > size2): the same distances as a direct sum")
{
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *Qb = gsl_matrix_alloc(9, 11), *Xb = gsl_matrix_alloc(14, 13), *Db = gsl_matrix_alloc(10, 20);
    t_fill_uniform(Qb, rng, -1, 1), t_fill_uniform(Xb, rng, -1, 1);
    gsl_matrix_set_all(Db, -7.0);
    gsl_matrix_view Q = gsl_matrix_submatrix(Qb, 1, 2, 7, 5), X = gsl_matrix_submatrix(Xb, 2, 3, 12, 5);
    gsl_matrix_view D = gsl_matrix_submatrix(Db, 1, 4, 7, 12);
    mlphys_require_implemented(knn_sqdist(&Q.matrix, &X.matrix, &D.matrix), "knn_sqdist", 1);
    for (size_t i = 0; i < Db->size1; i++)
        for (size_t j = 0; j < Db->size2; j++) {
            int inside = i >= 1 && i < 8 && j >= 4 && j < 16;
            double got = gsl_matrix_get(Db, i, j);
            if (!inside) {
                cr_assert(got == -7.0, "D's parent matrix entry (%zu, %zu) outside the view was changed to %g: "
                          "row i of a view starts at data + i * tda", i, j, got);
                continue;
            }
            /* O(1) numbers, d = 5: rounding of the expansion is below 1e-14 */
            mlphys_assert_close(got, t_sqdist(&Q.matrix, i - 1, &X.matrix, j - 4), 1e-13, 1e-13,
                                "D(%zu, %zu) through views. Rows are tda apart, not size2", i - 1, j - 4);
        }
    gsl_matrix_free(Qb), gsl_matrix_free(Xb), gsl_matrix_free(Db);
}

Test(knn, sqdist_never_negative_under_cancellation, .description = "pairs of nearly equal points 10^6 from the origin: no distance below 0, all within the rounding bound of the direct sum")
{
    /* x = c + u, q = x + 1e-7 v with c = 10^6 (1, ..., 1), d = 16.  Each of |q|^2, |x|^2 and
     * 2 q.x is about 1.6e13, so the expansion carries a rounding error of a few ulp of 1.6e13,
     * ~ d eps 1.6e13 = 0.05, while the true distance is ~1e-13: the computed value is rounding
     * noise of either sign, and over 400 pairs some come out negative unless they are clamped.
     * The bound allowed is 8 d eps (|q|^2 + |x|^2), the textbook worst case for the three dot
     * products and two additions. */
    const size_t n = 400, d = 16;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, d), *Q = gsl_matrix_alloc(n, d), *D = gsl_matrix_alloc(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++) {
            double x = 1e6 + gsl_rng_uniform(rng);
            gsl_matrix_set(X, i, a, x), gsl_matrix_set(Q, i, a, x + 1e-7 * gsl_rng_uniform(rng));
        }
    gsl_matrix_set_all(D, NAN);
    mlphys_require_implemented(knn_sqdist(Q, X, D), "knn_sqdist", 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double got = gsl_matrix_get(D, i, j), want = t_sqdist(Q, i, X, j);
            cr_assert(got >= 0, "D(%zu, %zu) = %g < 0: |q|^2 - 2 q.x + |x|^2 cancels catastrophically for "
                      "nearby points far from the origin; clamp negative results to 0", i, j, got);
            double bound = 8.0 * d * DBL_EPSILON * 2.0 * 16e12;
            mlphys_assert_close(got, want, bound, 0, "D(%zu, %zu) against the direct sum", i, j);
        }
    gsl_matrix_free(X), gsl_matrix_free(Q), gsl_matrix_free(D);
}

Test(knn, sqdist_rejects_bad_shapes, .description = "different dimensions or a D of the wrong shape give GSL_EBADLEN")
{
    gsl_matrix *Q = gsl_matrix_calloc(3, 2), *X = gsl_matrix_calloc(4, 2), *X3 = gsl_matrix_calloc(4, 3);
    gsl_matrix *D = gsl_matrix_calloc(3, 4), *Dt = gsl_matrix_calloc(4, 3);
    mlphys_require_status(knn_sqdist(Q, X3, D), GSL_EBADLEN, "knn_sqdist", "Q has d = 2, X has d = 3");
    mlphys_require_status(knn_sqdist(Q, X, Dt), GSL_EBADLEN, "knn_sqdist", "D must be m x n = 3 x 4, not 4 x 3");
    gsl_matrix_free(Q), gsl_matrix_free(X), gsl_matrix_free(X3), gsl_matrix_free(D), gsl_matrix_free(Dt);
}

/* ---- TODO(2): brute force ---------------------------------------------------------------- */

Test(knn, brute_hand_worked_with_ties, .description = "1-D points 0, 1, 3, 4, 4 and the query 2: distances^2 4, 1, 1, 4, 4, so the order is rows 1, 2, 0, 3, 4")
{
    double x[] = {0, 1, 3, 4, 4}, q[] = {2, 4.5};
    gsl_matrix_view X = gsl_matrix_view_array(x, 5, 1), Q = gsl_matrix_view_array(q, 2, 1);
    size_t idx[10], want[10] = {1, 2, 0, 3, 4, /* query 4.5: 0.25, 0.25, 2.25, 12.25, 20.25 */ 3, 4, 2, 1, 0};
    double dist[10], wd[10] = {1, 1, 4, 4, 4, 0.25, 0.25, 2.25, 12.25, 20.25};
    for (int r = 0; r < 10; r++)
        idx[r] = T_GARBAGE, dist[r] = NAN;
    mlphys_require_implemented(knn_brute(&X.matrix, &Q.matrix, 5, 0, idx, dist), "knn_brute", 2);
    t_assert_same_neighbours("brute force, k = 5", 0, 5, idx, dist, want, wd, 0,
                             "order by distance, and equal distances by row index (lowest first)");
    t_assert_same_neighbours("brute force, k = 5", 1, 5, idx + 5, dist + 5, want + 5, wd + 5, 0,
                             "order by distance, and equal distances by row index (lowest first)");
    /* k = 2: the first two of the same lists; dist = NULL is allowed */
    size_t i2[4] = {T_GARBAGE, T_GARBAGE, T_GARBAGE, T_GARBAGE}, w2[4] = {1, 2, 3, 4};
    mlphys_require_implemented(knn_brute(&X.matrix, &Q.matrix, 2, 0, i2, NULL), "knn_brute", 2);
    for (int r = 0; r < 4; r++)
        cr_assert(i2[r] == w2[r], "k = 2, dist = NULL: idx[%d] = %zu, want %zu (row-major m x k)", r, i2[r], w2[r]);
}

/* The student's brute force against the definition on one data set. */
static void check_brute(const gsl_matrix *X, const gsl_matrix *Q, size_t k, int self, double dtol)
{
    const size_t m = Q->size1;
    size_t *idx = malloc(m * k * sizeof *idx), *wi = malloc(k * sizeof *wi);
    double *dist = malloc(m * k * sizeof *dist), *wd = malloc(k * sizeof *wd);
    for (size_t s = 0; s < m * k; s++)
        idx[s] = T_GARBAGE, dist[s] = NAN;
    mlphys_require_implemented(knn_brute(X, Q, k, self, idx, dist), "knn_brute", 2);
    char what[128];
    snprintf(what, sizeof what, "brute force, n = %zu, m = %zu, d = %zu, k = %zu%s", X->size1, m, X->size2, k,
             self ? ", leave-one-out" : "");
    for (size_t i = 0; i < m; i++) {
        t_knn_sorted(X, Q, i, k, self ? i : SIZE_MAX, wi, wd);
        t_assert_same_neighbours(what, i, k, idx + i * k, dist + i * k, wi, wd, dtol,
                                 "every training row must be offered once (check the last, partial block), "
                                 "and equal distances go by row index");
    }
    free(idx), free(wi), free(dist), free(wd);
}

Test(knn, brute_matches_the_definition, .description = "random problems, sizes that are not multiples of any block, k from 1 to n: the k smallest distances, ties by row")
{
    gsl_rng *rng = mlphys_rng();
    /* integer grid: ties and duplicates everywhere, all distances exact, so exact comparison */
    gsl_matrix *X = gsl_matrix_alloc(601, 3), *Q = gsl_matrix_alloc(131, 3);
    t_fill_grid(X, rng, 6), t_fill_grid(Q, rng, 6);
    check_brute(X, Q, 1, 0, 0);
    check_brute(X, Q, 9, 0, 0);
    gsl_matrix_free(X), gsl_matrix_free(Q);
    /* continuous data in d = 7, values O(1): the expansion differs from the direct sum by < 1e-13 */
    X = gsl_matrix_alloc(300, 7), Q = gsl_matrix_alloc(70, 7);
    t_fill_uniform(X, rng, -1, 1), t_fill_uniform(Q, rng, -1, 1);
    check_brute(X, Q, 4, 0, 1e-13);
    check_brute(X, Q, 300, 0, 1e-13); /* k = n: every row, fully sorted */
    gsl_matrix_free(X), gsl_matrix_free(Q);
}

Test(knn, brute_leave_one_out_skips_only_itself, .description = "exclude_self: query i never returns row i, but does return an exact duplicate of it at distance 0")
{
    gsl_rng *rng = mlphys_rng();
    /* 200 points on a 4 x 4 grid in 2-D: every point has many exact duplicates */
    gsl_matrix *X = gsl_matrix_alloc(200, 2);
    t_fill_grid(X, rng, 4);
    check_brute(X, X, 1, 1, 0);
    check_brute(X, X, 12, 1, 0);
    check_brute(X, X, 199, 1, 0); /* k = n - 1: everyone else */
    gsl_matrix_free(X);
}

Test(knn, brute_distances_never_negative_under_cancellation, .description = "queries that nearly coincide with training points 10^6 from the origin: every returned distance is >= 0 and within the rounding bound")
{
    /* As in sqdist_never_negative_under_cancellation: the expansion's rounding error, up to
     * 8 d eps (|q|^2 + |x|^2) = 0.06 here, swamps true distances of ~1e-13, so the computed
     * nearest distances are noise of either sign unless clamped.  Which of the near-coincident
     * points comes first is then decided by noise, so only the distances are checked. */
    const size_t n = 300, d = 16, k = 3;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, d), *Q = gsl_matrix_alloc(n, d);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++) {
            double x = 1e6 + gsl_rng_uniform(rng);
            gsl_matrix_set(X, i, a, x), gsl_matrix_set(Q, i, a, x + 1e-7 * gsl_rng_uniform(rng));
        }
    size_t *idx = malloc(n * k * sizeof *idx);
    double *dist = malloc(n * k * sizeof *dist), bound = 8.0 * d * DBL_EPSILON * 2.0 * 16e12;
    for (size_t s = 0; s < n * k; s++)
        idx[s] = T_GARBAGE, dist[s] = NAN;
    mlphys_require_implemented(knn_brute(X, Q, k, 0, idx, dist), "knn_brute", 2);
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < k; r++) {
            size_t j = idx[i * k + r];
            cr_assert(j < n, "query %zu, neighbour %zu: row %zu is not a row of X", i, r, j);
            cr_assert(dist[i * k + r] >= 0, "query %zu, neighbour %zu: distance^2 %g < 0: clamp the expansion "
                      "at 0, in knn_brute too", i, r, dist[i * k + r]);
            mlphys_assert_close(dist[i * k + r], t_sqdist(Q, i, X, j), bound, 0,
                                "query %zu, neighbour %zu (row %zu) against the direct sum", i, r, j);
            if (r == 0) /* row i is ~1e-7 away, every other row ~ d / 6 = 2.7 away in d^2 */
                cr_assert(j == i, "query %zu: nearest row %zu, want %zu (its near-copy)", i, j, i);
        }
    free(idx), free(dist);
    gsl_matrix_free(X), gsl_matrix_free(Q);
}

Test(knn, brute_rejects_bad_arguments, .description = "k = 0 or k > n (n - 1 when leaving one out) gives GSL_EINVAL; mismatched d or m != n with exclude_self GSL_EBADLEN")
{
    gsl_matrix *X = gsl_matrix_calloc(5, 2), *Q = gsl_matrix_calloc(3, 2), *Q3 = gsl_matrix_calloc(3, 3);
    size_t idx[32];
    double dist[32];
    mlphys_require_status(knn_brute(X, Q, 0, 0, idx, dist), GSL_EINVAL, "knn_brute", "k = 0");
    mlphys_require_status(knn_brute(X, Q, 6, 0, idx, dist), GSL_EINVAL, "knn_brute", "k = 6 > n = 5");
    mlphys_require_status(knn_brute(X, X, 5, 1, idx, dist), GSL_EINVAL, "knn_brute",
                          "k = 5 > n - 1 = 4 points are left when each query leaves itself out");
    mlphys_require_status(knn_brute(X, Q3, 1, 0, idx, dist), GSL_EBADLEN, "knn_brute", "Q has d = 3, X has d = 2");
    mlphys_require_status(knn_brute(X, Q, 1, 1, idx, dist), GSL_EBADLEN, "knn_brute",
                          "exclude_self needs Q = X (m = n)");
    gsl_matrix_free(X), gsl_matrix_free(Q), gsl_matrix_free(Q3);
}

/* ---- TODO(3): building the tree ------------------------------------------------------------ */

Test(knn, kdtree_build_is_a_valid_tree, .description = "every structural promise of knn.h: permutation, copied points, contiguous halves, x[dim] <= split on the left and >= on the right, small leaves, depth about log2(n)")
{
    gsl_rng *rng = mlphys_rng();
    const size_t ns[] = {1, 2, 7, 100, 1000}, leaves[] = {1, 3, 16};
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 3; b++)
            for (int grid = 0; grid < 2; grid++) {
                gsl_matrix *X = gsl_matrix_alloc(ns[a], 3);
                if (grid)
                    t_fill_grid(X, rng, 3); /* many duplicates: splits must still halve the range */
                else
                    t_fill_uniform(X, rng, -5, 5);
                knn_kdtree *t = NULL;
                mlphys_require_implemented(knn_kdtree_build(X, leaves[b], &t), "knn_kdtree_build", 3);
                size_t depth = t_check_tree(t, X, leaves[b]);
                /* median splits halve every range, so ceil(log2 n) levels suffice (0 for n = 1) */
                size_t maxdepth = (size_t)ceil(log2((double)ns[a]) - 1e-9);
                cr_assert(depth <= maxdepth, "n = %zu, leaf_size = %zu: depth %zu > ceil(log2 n) = %zu: "
                          "split at the median position mid = lo + (hi - lo) / 2", ns[a], leaves[b], depth, maxdepth);
                knn_kdtree_free(t);
                gsl_matrix_free(X);
            }
}

Test(knn, kdtree_build_splits_the_widest_coordinate, .description = "the root splits the coordinate of largest spread at the median; X may be freed after the build")
{
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(101, 4);
    t_fill_uniform(X, rng, -1, 1);
    for (size_t i = 0; i < 101; i++)
        gsl_matrix_set(X, i, 2, 10.0 * (double)i - 300.0); /* spread 1000 in coordinate 2, < 2 elsewhere */
    gsl_matrix *Xc = gsl_matrix_alloc(101, 4);
    gsl_matrix_memcpy(Xc, X);
    knn_kdtree *t = NULL;
    mlphys_require_implemented(knn_kdtree_build(X, 4, &t), "knn_kdtree_build", 3);
    gsl_matrix_set_all(X, NAN); /* the tree must own a copy */
    t_check_tree(t, Xc, 4);
    cr_assert(t->nodes[0].dim == 2, "the root splits coordinate %zu; coordinate 2 has by far the largest "
              "spread (max - min)", t->nodes[0].dim);
    /* 101 points: mid = 50, and the median of 10 i - 300 is 200 */
    cr_assert(t->nodes[0].split == 200.0, "the root's split value is %g, want the median 200", t->nodes[0].split);
    knn_kdtree_free(t);
    gsl_matrix_free(X), gsl_matrix_free(Xc);
}

Test(knn, kdtree_build_rejects_bad_arguments, .description = "leaf_size = 0 gives GSL_EINVAL, an empty X GSL_EBADLEN; *out is NULL after an error")
{
    gsl_matrix *X = gsl_matrix_calloc(5, 2);
    knn_kdtree *t = (knn_kdtree *)&t; /* garbage: must become NULL */
    mlphys_require_status(knn_kdtree_build(X, 0, &t), GSL_EINVAL, "knn_kdtree_build", "leaf_size = 0");
    cr_assert(t == NULL, "after an error *out must be NULL");
    gsl_matrix_view E = gsl_matrix_submatrix(X, 0, 0, 5, 0);
    t = (knn_kdtree *)&t;
    mlphys_require_status(knn_kdtree_build(&E.matrix, 2, &t), GSL_EBADLEN, "knn_kdtree_build", "d = 0");
    cr_assert(t == NULL, "after an error *out must be NULL");
    knn_kdtree_free(NULL); /* a no-op */
    gsl_matrix_free(X);
}

/* ---- TODO(4): searching the tree ----------------------------------------------------------- */

/* The student's tree query against the definition for every row of Q. */
static void check_tree(const gsl_matrix *X, const gsl_matrix *Q, size_t leaf, size_t k, double dtol)
{
    knn_kdtree *t = NULL;
    mlphys_require_implemented(knn_kdtree_build(X, leaf, &t), "knn_kdtree_build", 3);
    size_t *idx = malloc(k * sizeof *idx), *wi = malloc(k * sizeof *wi);
    double *dist = malloc(k * sizeof *dist), *wd = malloc(k * sizeof *wd);
    char what[128];
    snprintf(what, sizeof what, "k-d tree, n = %zu, d = %zu, leaf_size = %zu, k = %zu", X->size1, X->size2, leaf, k);
    for (size_t i = 0; i < Q->size1; i++) {
        for (size_t r = 0; r < k; r++)
            idx[r] = T_GARBAGE, dist[r] = NAN;
        gsl_vector_const_view q = gsl_matrix_const_row(Q, i);
        mlphys_require_implemented(knn_kdtree_query(t, &q.vector, k, idx, dist), "knn_kdtree_query", 4);
        t_knn_sorted(X, Q, i, k, SIZE_MAX, wi, wd);
        t_assert_same_neighbours(what, i, k, idx, dist, wi, wd, dtol,
                                 "visit the far child whenever (q[dim] - split)^2 <= the k-th best distance "
                                 "(<=, not <: a tie with a lower row may be there), and order ties by row");
    }
    knn_kdtree_free(t);
    free(idx), free(wi), free(dist), free(wd);
}

Test(knn, kdtree_query_hand_worked, .description = "five 2-D points, leaf_size 1: the 3 nearest to (1, 1) are (1, 2), (2, 1) (a tie, lower row first) and (0, 0)")
{
    /* rows: 0 (5,5), 1 (2,1), 2 (0,0), 3 (1,2), 4 (4,0); from (1,1): 32, 1, 2, 1, 10.
     * Ties (1 and 3 at distance 1) go by row: 1, 3, then 2. */
    double x[] = {5, 5, 2, 1, 0, 0, 1, 2, 4, 0};
    gsl_matrix_view X = gsl_matrix_view_array(x, 5, 2);
    knn_kdtree *t = NULL;
    mlphys_require_implemented(knn_kdtree_build(&X.matrix, 1, &t), "knn_kdtree_build", 3);
    double qq[] = {1, 1}, dist[3] = {NAN, NAN, NAN}, wd[3] = {1, 1, 2};
    size_t idx[3] = {T_GARBAGE, T_GARBAGE, T_GARBAGE}, wi[3] = {1, 3, 2};
    gsl_vector_view q = gsl_vector_view_array(qq, 2);
    mlphys_require_implemented(knn_kdtree_query(t, &q.vector, 3, idx, dist), "knn_kdtree_query", 4);
    t_assert_same_neighbours("k-d tree, 3 nearest to (1, 1)", 0, 3, idx, dist, wi, wd, 0,
                             "return rows of X (perm[p]), not positions p in the tree; ties by row");
    knn_kdtree_free(t);
}

Test(knn, kdtree_query_equals_brute_force_in_2_to_16_dims, .description = "random points and queries (Gaussian, and uniform in a box), d = 2, 3, 5, 8, 12, 16, several k and leaf sizes: exactly the definition's neighbours")
{
    gsl_rng *rng = mlphys_rng();
    const size_t dims[] = {2, 3, 5, 8, 12, 16}, ks[] = {1, 4, 10}, leaves[] = {1, 8, 8, 20, 16, 32};
    for (size_t a = 0; a < 6; a++) {
        gsl_matrix *X = gsl_matrix_alloc(800, dims[a]), *Q = gsl_matrix_alloc(40, dims[a]);
        if (a % 2)
            mlphys_fill_gaussian(X, rng, 1.0), mlphys_fill_gaussian(Q, rng, 1.5); /* queries also outside */
        else
            t_fill_uniform(X, rng, 0, 1), t_fill_uniform(Q, rng, -0.2, 1.2);
        /* the tree sums squares directly; the definition too, in the same order: equal to 1e-14 */
        check_tree(X, Q, leaves[a], ks[a % 3], 1e-14);
        gsl_matrix_free(X), gsl_matrix_free(Q);
    }
}

Test(knn, kdtree_query_ties_and_duplicates, .description = "integer grid points (many exact ties and duplicates), queries on and between grid points, leaf sizes 1 and 5, k up to 25: ties ordered by row")
{
    gsl_rng *rng = mlphys_rng();
    for (size_t d = 2; d <= 4; d++) {
        gsl_matrix *X = gsl_matrix_alloc(500, d), *Q = gsl_matrix_alloc(60, d);
        t_fill_grid(X, rng, 5);
        t_fill_grid(Q, rng, 6);
        for (size_t i = 0; i < 20; i++) /* a third of the queries half-way between grid points */
            for (size_t a = 0; a < d; a++)
                gsl_matrix_set(Q, i, a, gsl_matrix_get(Q, i, a) - 0.5);
        check_tree(X, Q, 1, 7, 0);
        check_tree(X, Q, 5, 25, 0);
        gsl_matrix_free(X), gsl_matrix_free(Q);
    }
}

Test(knn, kdtree_query_rejects_bad_arguments, .description = "k = 0 or k > n gives GSL_EINVAL; a query of the wrong dimension GSL_EBADLEN")
{
    double x[] = {0, 0, 1, 1, 2, 2};
    gsl_matrix_view X = gsl_matrix_view_array(x, 3, 2);
    knn_kdtree *t = NULL;
    mlphys_require_implemented(knn_kdtree_build(&X.matrix, 1, &t), "knn_kdtree_build", 3);
    gsl_vector *q = gsl_vector_calloc(2), *q3 = gsl_vector_calloc(3);
    size_t idx[4];
    double dist[4];
    mlphys_require_status(knn_kdtree_query(t, q, 0, idx, dist), GSL_EINVAL, "knn_kdtree_query", "k = 0");
    mlphys_require_status(knn_kdtree_query(t, q, 4, idx, dist), GSL_EINVAL, "knn_kdtree_query", "k = 4 > n = 3");
    mlphys_require_status(knn_kdtree_query(t, q3, 1, idx, dist), GSL_EBADLEN, "knn_kdtree_query",
                          "the query has 3 coordinates, the tree 2");
    /* k = n is allowed: every point, in order; dist may be NULL */
    mlphys_require_implemented(knn_kdtree_query(t, q, 3, idx, NULL), "knn_kdtree_query", 4);
    cr_assert(idx[0] == 0 && idx[1] == 1 && idx[2] == 2, "k = n = 3 from (0, 0): got rows %zu %zu %zu, want 0 1 2",
              idx[0], idx[1], idx[2]);
    gsl_vector_free(q), gsl_vector_free(q3);
    knn_kdtree_free(t);
}

/* ---- TODO(5): the vote ---------------------------------------------------------------------- */

Test(knn, vote_hand_worked_with_ties, .description = "majority of labels in neighbour order; a tie goes to the class whose nearest member comes first")
{
    struct { size_t lab[6], k, want; const char *why; } c[] = {
        {{7}, 1, 7, "k = 1: the nearest label"},
        {{2, 5, 5}, 3, 5, "two votes beat one, even if the nearest is a 2"},
        {{3, 1, 1, 3}, 4, 3, "2 : 2 tie between 3 and 1; 3 has the nearest member"},
        {{1, 3, 3, 1}, 4, 1, "2 : 2 tie between 1 and 3; 1 has the nearest member"},
        {{4, 0, 9, 0, 4, 9}, 6, 4, "three-way 2 : 2 : 2 tie; 4 comes first"},
        {{9, 0, 0, 9, 9, 0}, 5, 9, "the first 5 labels give 9 three votes, 0 two (k, not the array length)"},
        {{0, 6}, 2, 0, "k = 2 with two different labels answers like k = 1"},
    };
    for (size_t s = 0; s < sizeof c / sizeof *c; s++) {
        size_t w = T_GARBAGE;
        mlphys_require_implemented(knn_vote(c[s].lab, c[s].k, 10, &w), "knn_vote", 5);
        cr_assert(w == c[s].want, "case %zu: winner %zu, want %zu: %s", s, w, c[s].want, c[s].why);
    }
}

Test(knn, vote_rejects_bad_labels, .description = "k = 0, nclass = 0 or a label >= nclass gives GSL_EINVAL and leaves the winner untouched")
{
    size_t lab[3] = {0, 1, 3}, w = T_GARBAGE;
    mlphys_require_status(knn_vote(lab, 3, 3, &w), GSL_EINVAL, "knn_vote", "label 3 with nclass = 3");
    mlphys_require_status(knn_vote(lab, 0, 3, &w), GSL_EINVAL, "knn_vote", "k = 0");
    mlphys_require_status(knn_vote(lab, 2, 0, &w), GSL_EINVAL, "knn_vote", "nclass = 0");
    cr_assert(w == T_GARBAGE, "the winner was written (%zu) although the call failed", w);
}

/* ---- TODO(6): leave-one-out ------------------------------------------------------------------ */

Test(knn, loo_hand_worked_1d, .description = "1-D points 0, 1, 2, 10, 11, 13.5 with labels 0, 0, 1, 1, 1, 0: leave-one-out predictions for k = 1, 2, 3 worked by hand")
{
    /* Neighbours of each point without itself, nearest first (ties by row):
     *   0:  1 (d 1), 2 (4), 3 (100)                labels 0, 1, 1  -> k=1: 0, k=2: 0 (tie, nearest), k=3: 1
     *   1:  0 (1), 2 (1), 3 (81)                   labels 0, 1, 1  -> 0, 0, 1
     *   2:  1 (1), 0 (4), 3 (64)                   labels 0, 0, 1  -> 0, 0, 0
     *   3:  4 (1), 5 (12.25), 2 (64)               labels 1, 0, 1  -> 1, 1, 1
     *   4:  3 (1), 5 (6.25), 2 (81)                labels 1, 0, 1  -> 1, 1, 1
     *   5:  4 (6.25), 3 (12.25), 2 (132.25)        labels 1, 1, 1  -> 1, 1, 1 */
    double x[] = {0, 1, 2, 10, 11, 13.5};
    size_t lab[] = {0, 0, 1, 1, 1, 0}, pred[18];
    size_t want[18] = {0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    gsl_matrix_view X = gsl_matrix_view_array(x, 6, 1);
    for (int s = 0; s < 18; s++)
        pred[s] = T_GARBAGE;
    mlphys_require_implemented(knn_loo(&X.matrix, lab, 2, 3, pred), "knn_loo", 6);
    for (int s = 0; s < 18; s++)
        cr_assert(pred[s] == want[s], "point %d, k = %d: predicted %zu, want %zu (a point may not vote for "
                  "itself; pred[i * kmax + k - 1])", s / 3, s % 3 + 1, pred[s], want[s]);
}

Test(knn, loo_digits_1nn_is_1776_of_1797, .description = "1-NN leave-one-out on all 1797 digits (raw pixels, Euclidean): exactly 1776 right, as recorded by the data provider")
{
    size_t *lab;
    gsl_matrix *X = t_digits(&lab);
    const size_t n = X->size1;
    size_t *pred = malloc(n * sizeof *pred);
    for (size_t i = 0; i < n; i++)
        pred[i] = T_GARBAGE;
    mlphys_require_implemented(knn_loo(X, lab, 10, 1, pred), "knn_loo", 6);
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += pred[i] == lab[i];
    /* An exact count: pixels are integers, so every distance is an exact integer, and no point
     * has two nearest neighbours of different classes (checked when the fact was recorded). */
    cr_assert(right == 1776, "1-NN leave-one-out: %zu of %zu right, want exactly 1776 (%zu would mean every "
              "point found itself: is row i excluded?)", right, n, n);
    free(pred), free(lab);
    gsl_matrix_free(X);
}

Test(knn, loo_rejects_bad_arguments, .description = "kmax = 0, kmax > n - 1 or a label >= nclass gives GSL_EINVAL")
{
    double x[] = {0, 1, 2};
    size_t lab[] = {0, 1, 0}, bad[] = {0, 2, 0}, pred[9];
    gsl_matrix_view X = gsl_matrix_view_array(x, 3, 1);
    mlphys_require_status(knn_loo(&X.matrix, lab, 2, 0, pred), GSL_EINVAL, "knn_loo", "kmax = 0");
    mlphys_require_status(knn_loo(&X.matrix, lab, 2, 3, pred), GSL_EINVAL, "knn_loo", "kmax = 3 > n - 1 = 2");
    mlphys_require_status(knn_loo(&X.matrix, bad, 2, 1, pred), GSL_EINVAL, "knn_loo", "label 2 with nclass = 2");
}

/* ---- TODO(7): the confusion matrix --------------------------------------------------------- */

Test(knn, confusion_hand_worked, .description = "truth 0 0 1 2 2 2, predictions 0 1 1 2 0 2: C = [[1,1,0],[0,1,0],[1,0,2]]")
{
    size_t t[] = {0, 0, 1, 2, 2, 2}, p[] = {0, 1, 1, 2, 0, 2}, C[9], W[9] = {1, 1, 0, 0, 1, 0, 1, 0, 2};
    for (int s = 0; s < 9; s++)
        C[s] = T_GARBAGE;
    mlphys_require_implemented(knn_confusion(t, p, 6, 3, C), "knn_confusion", 7);
    for (int s = 0; s < 9; s++)
        cr_assert(C[s] == W[s], "C[%d][%d] = %zu, want %zu: rows are the true class, columns the prediction, "
                  "and C starts at 0", s / 3, s % 3, C[s], W[s]);
}

Test(knn, confusion_rows_sum_to_class_counts, .description = "5000 random labels in 7 classes: row t sums to the number of points of class t, column p to the predictions p, the trace to the number right")
{
    gsl_rng *rng = mlphys_rng();
    const size_t n = 5000, K = 7;
    size_t *t = malloc(n * sizeof *t), *p = malloc(n * sizeof *p), C[49], rows[7] = {0}, cols[7] = {0}, right = 0;
    for (size_t i = 0; i < n; i++) {
        t[i] = gsl_rng_uniform_int(rng, K);
        p[i] = gsl_rng_uniform(rng) < 0.6 ? t[i] : gsl_rng_uniform_int(rng, K);
        rows[t[i]]++, cols[p[i]]++, right += t[i] == p[i];
    }
    for (int s = 0; s < 49; s++)
        C[s] = T_GARBAGE;
    mlphys_require_implemented(knn_confusion(t, p, n, K, C), "knn_confusion", 7);
    size_t tr = 0;
    for (size_t a = 0; a < K; a++) {
        size_t rs = 0, cs = 0;
        for (size_t b = 0; b < K; b++)
            rs += C[a * K + b], cs += C[b * K + a];
        cr_assert(rs == rows[a], "row %zu sums to %zu, but class %zu has %zu points", a, rs, a, rows[a]);
        cr_assert(cs == cols[a], "column %zu sums to %zu, but %zu points were predicted as %zu", a, cs, cols[a], a);
        tr += C[a * K + a];
    }
    cr_assert(tr == right, "trace %zu, but %zu predictions are right", tr, right);
    free(t), free(p);
}

Test(knn, confusion_rejects_bad_labels, .description = "nclass = 0 or a label >= nclass gives GSL_EINVAL and leaves C untouched")
{
    size_t t[] = {0, 1, 2}, p[] = {0, 1, 3}, C[9];
    for (int s = 0; s < 9; s++)
        C[s] = T_GARBAGE;
    mlphys_require_status(knn_confusion(t, p, 3, 3, C), GSL_EINVAL, "knn_confusion", "prediction 3 with nclass = 3");
    mlphys_require_status(knn_confusion(p, t, 3, 3, C), GSL_EINVAL, "knn_confusion", "true label 3 with nclass = 3");
    mlphys_require_status(knn_confusion(t, t, 3, 0, C), GSL_EINVAL, "knn_confusion", "nclass = 0");
    for (int s = 0; s < 9; s++)
        cr_assert(C[s] == T_GARBAGE, "C[%d] was written although the call failed: check first, then count", s);
}

/* ---- Cover and Hart ------------------------------------------------------------------------------ */

Test(knn, one_nn_error_obeys_the_cover_hart_bounds, .description = "two Gaussian classes N(+-mu e_1, I) in 2-D with Bayes error R* = 0.1: the 1-NN test error lies in [R*, 2 R* (1 - R*)] within 5 standard deviations")
{
    /* Equal priors, class c in {0, 1} ~ N((2c - 1) mu e_1, I_2).  The Bayes rule is the sign of
     * x_1, so R* = Phi(-mu); mu = 1.28155 gives R* = 0.1 and the Cover-Hart interval
     * [0.1, 0.18].  The asymptotic 1-NN error E[2 eta (1 - eta)] is 0.1455 (quadrature of
     * eta = 1 / (1 + e^{-2 mu x_1}) over the mixture), in the middle of the interval.
     * n = 2000 training points, m = 20000 test points.  The test error fluctuates both with the
     * test sample (binomial, sd sqrt(0.1455 * 0.8545 / 20000) = 0.0025) and with the training
     * sample; over seeds 1..400 its sd was 0.0048, its mean 0.1459 (the finite-n excess over
     * 0.1455 is tiny) and its range [0.133, 0.166].  The interval widened by 5 sd = 0.024 is
     * [0.076, 0.204]; the mean sits 9.5 sd above its lower end and 7 sd below its upper end.  A
     * wrong neighbour search (a random or the farthest point: 0.5) lands far outside. */
    const size_t n = 2000, m = 20000, d = 2;
    const double Rstar = 0.1, mu = -gsl_cdf_ugaussian_Pinv(Rstar), sd = 0.0048;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, d), *Q = gsl_matrix_alloc(m, d);
    size_t *lx = malloc(n * sizeof *lx), *lq = malloc(m * sizeof *lq), *idx = malloc(m * sizeof *idx);
    for (size_t i = 0; i < n + m; i++) {
        size_t c = gsl_rng_uniform_int(rng, 2);
        gsl_matrix *A = i < n ? X : Q;
        size_t r = i < n ? i : i - n;
        (i < n ? lx : lq)[r] = c;
        gsl_matrix_set(A, r, 0, (2.0 * c - 1.0) * mu + gsl_ran_gaussian_ziggurat(rng, 1.0));
        gsl_matrix_set(A, r, 1, gsl_ran_gaussian_ziggurat(rng, 1.0));
    }
    for (size_t i = 0; i < m; i++)
        idx[i] = T_GARBAGE;
    mlphys_require_implemented(knn_brute(X, Q, 1, 0, idx, NULL), "knn_brute", 2);
    size_t wrong = 0;
    for (size_t i = 0; i < m; i++) {
        cr_assert(idx[i] < n, "query %zu: neighbour row %zu is not a training row", i, idx[i]);
        wrong += lx[idx[i]] != lq[i];
    }
    double R = (double)wrong / (double)m, lo = Rstar - 5 * sd, hi = 2 * Rstar * (1 - Rstar) + 5 * sd;
    cr_assert(R >= lo && R <= hi, "1-NN test error %.4f outside the Cover-Hart interval [R*, 2R*(1 - R*)] = "
              "[%.3f, %.3f] widened by 5 sd to [%.4f, %.4f] (expected about 0.147)", R, Rstar,
              2 * Rstar * (1 - Rstar), lo, hi);
    gsl_matrix_free(X), gsl_matrix_free(Q);
    free(lx), free(lq), free(idx);
}
