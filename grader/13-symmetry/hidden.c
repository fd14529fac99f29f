/*
 * Chapter 13, hidden tests: graded by the instructor, left out of the student release.
 */
#include "symmetry_test.h"

/* The suite is declared in tests.c; these tests join it. */

Test(symmetry, act_and_lift_conv_respect_strides, .description = "x as a column of a matrix (stride 5) and w as a 3 x 3 block of a 5 x 5 matrix (tda 5): results equal those of contiguous copies")
{
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *big = gsl_matrix_alloc(64, 5), *W5 = gsl_matrix_alloc(5, 5), *w = gsl_matrix_alloc(3, 3);
    mlphys_fill_gaussian(big, rng, 1.0), mlphys_fill_gaussian(W5, rng, 1.0);
    gsl_vector_view xs = gsl_matrix_column(big, 2);
    gsl_matrix_view ws = gsl_matrix_submatrix(W5, 1, 1, 3, 3);
    gsl_vector *x = gsl_vector_alloc(64), *y = gsl_vector_alloc(64), *want = gsl_vector_alloc(64);
    gsl_vector_memcpy(x, &xs.vector), gsl_matrix_memcpy(w, &ws.matrix);
    gsl_matrix *ybig = gsl_matrix_alloc(4, 70), *yw = gsl_matrix_alloc(4, 64);
    gsl_matrix_view yv = gsl_matrix_submatrix(ybig, 0, 3, 4, 64);
    for (int g = 0; g < 8; g++) {
        mlphys_require_implemented(sym_act(g, &xs.vector, y), "sym_act", 1);
        t_act(g, x, want);
        mlphys_assert_vector_close(y, want, 0, 0, "T_g x with x of stride 5", "read x with gsl_vector_get (x->stride), not x->data[p]");
    }
    mlphys_require_implemented(sym_lift_conv(&ws.matrix, &xs.vector, &yv.matrix), "sym_lift_conv", 3);
    t_lift(w, x, yw);
    mlphys_assert_matrix_close(&yv.matrix, yw, 1e-13, 1e-13, "lifting convolution of strided views",
                               "use gsl_matrix_get / gsl_vector_get: a view's rows are tda apart, not size2");
    gsl_matrix_free(big), gsl_matrix_free(W5), gsl_matrix_free(w), gsl_matrix_free(ybig), gsl_matrix_free(yw);
    gsl_vector_free(x), gsl_vector_free(y), gsl_vector_free(want);
}

Test(symmetry, project_fixes_a_pinwheel_under_C4_but_not_D4, .description = "a pinwheel (C4-invariant, not mirror-symmetric) is its own C4 projection but not its own D4 projection; the D4 projection of it is mirror-symmetric")
{
    /* light (0,1) and its three turns: (6,0), (7,6), (1,7) - a chiral pattern */
    gsl_vector *x = gsl_vector_calloc(64), *y = gsl_vector_alloc(64), *sy = gsl_vector_alloc(64);
    size_t lit[] = {1, 48, 62, 15};
    for (size_t l = 0; l < 4; l++)
        gsl_vector_set(x, lit[l], 1.0);
    mlphys_require_implemented(sym_project(4, x, y), "sym_project", 2);
    /* sums of four 0/1 values divided by 4: exact */
    mlphys_assert_vector_close(y, x, 0, 0, "C4 projection of a C4-invariant pinwheel", "a C4-invariant image is its own C4 average");
    mlphys_require_implemented(sym_project(8, x, y), "sym_project", 2);
    cr_assert(fabs(gsl_vector_get(y, 1) - 0.5) == 0 && fabs(gsl_vector_get(y, 6) - 0.5) == 0,
              "D4 projection of the pinwheel: pixel (0,1) = %g and its mirror (0,6) = %g, want 0.5 each (average over all 8 "
              "elements, the 4 mirrors included)", gsl_vector_get(y, 1), gsl_vector_get(y, 6));
    t_act(4, y, sy);
    mlphys_assert_vector_close(sy, y, 0, 0, "mirror of the D4 projection", "the D4 average is mirror-symmetric");
    gsl_vector_free(x), gsl_vector_free(y), gsl_vector_free(sy);
}
