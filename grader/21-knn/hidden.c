/*
 * Chapter 21, hidden tests: graded by the instructor, left out of the student release.
 */
#include "knn_test.h"
#include "knn.h"

/* The suite is declared in tests.c; these tests join it. */

Test(knn, kdtree_on_the_digits_equals_brute_force, .description = "a k-d tree over 1500 digits (64-D integer pixels, many tied distances), 150 of the other 297 as queries, k = 5: exactly the definition's neighbours")
{
    size_t *lab;
    gsl_matrix *A = t_digits(&lab);
    gsl_matrix_const_view X = gsl_matrix_const_submatrix(A, 0, 0, 1500, 64);
    gsl_matrix_const_view Q = gsl_matrix_const_submatrix(A, 1500, 0, 150, 64);
    knn_kdtree *t = NULL;
    mlphys_require_implemented(knn_kdtree_build(&X.matrix, 10, &t), "knn_kdtree_build", 3);
    size_t idx[5], wi[5];
    double dist[5], wd[5];
    for (size_t i = 0; i < Q.matrix.size1; i++) {
        gsl_vector_const_view q = gsl_matrix_const_row(&Q.matrix, i);
        mlphys_require_implemented(knn_kdtree_query(t, &q.vector, 5, idx, dist), "knn_kdtree_query", 4);
        t_knn_sorted(&X.matrix, &Q.matrix, i, 5, SIZE_MAX, wi, wd);
        /* integer pixels: every distance is an exact integer */
        t_assert_same_neighbours("k-d tree on the digits", i, 5, idx, dist, wi, wd, 0,
                                 "ties by row; visit the far child when its bound equals the k-th distance");
    }
    knn_kdtree_free(t);
    gsl_matrix_free(A);
    free(lab);
}

Test(knn, confusion_of_digits_loo_has_the_class_counts, .description = "3-NN leave-one-out on the first 500 digits through knn_confusion: rows sum to the class counts of the file, the trace to the number of right predictions")
{
    size_t *lab;
    gsl_matrix *A = t_digits(&lab);
    const size_t n = 500, kmax = 3;
    gsl_matrix_const_view X = gsl_matrix_const_submatrix(A, 0, 0, n, 64);
    size_t *pred = malloc(n * kmax * sizeof *pred), *p3 = malloc(n * sizeof *p3), C[100], count[10] = {0}, right = 0;
    for (size_t i = 0; i < n; i++)
        count[lab[i]]++;
    mlphys_require_implemented(knn_loo(&X.matrix, lab, 10, kmax, pred), "knn_loo", 6);
    for (size_t i = 0; i < n; i++) {
        p3[i] = pred[i * kmax + 2];
        cr_assert(p3[i] < 10, "point %zu: predicted class %zu is not a digit", i, p3[i]);
        right += p3[i] == lab[i];
    }
    mlphys_require_implemented(knn_confusion(lab, p3, n, 10, C), "knn_confusion", 7);
    size_t tr = 0;
    for (size_t a = 0; a < 10; a++) {
        size_t rs = 0;
        for (size_t b = 0; b < 10; b++)
            rs += C[a * 10 + b];
        cr_assert(rs == count[a], "row %zu of the confusion matrix sums to %zu, class %zu has %zu digits", a, rs, a, count[a]);
        tr += C[a * 11];
    }
    cr_assert(tr == right, "trace %zu, but %zu of the predictions are right", tr, right);
    /* A loose sanity floor, 90%: 1-NN gets 98.8% of all 1797 right (the provider's count), and
     * a working 3-NN on a third of the data stays far above 90%; a broken search does not. */
    cr_assert(right >= 450, "3-NN leave-one-out on 500 digits: only %zu right", right);
    free(pred), free(p3), free(lab);
    gsl_matrix_free(A);
}
