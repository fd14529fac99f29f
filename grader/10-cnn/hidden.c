/*
 * Chapter 10, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "cnn.h"
#include "cnn_ref.h"

/* The suite is declared in tests.c; these tests join it. */

Test(cnn, layers_respect_the_row_stride_of_matrix_views, .description = "convolution forward and backward and max-pooling on submatrix views whose rows are tda > size2 apart")
{
    cnn_conv g = {2, 5, 4, 3, 3, 3, 1, 1, CNN_PAD_ZERO};
    const size_t B = 3, D = 40, M = 60;
    gsl_rng *rng = mlphys_rng();
    /* every matrix lives in a wider parent; the extra columns hold a sentinel that must survive */
    gsl_matrix *Xp = gsl_matrix_alloc(B, D + 7), *Yp = gsl_matrix_alloc(B, M + 5), *dYp = gsl_matrix_alloc(B, M + 3);
    gsl_matrix *dXp = gsl_matrix_alloc(B, D + 2), *K = gsl_matrix_alloc(3, 18);
    ref_fill(Xp, rng), ref_fill(dYp, rng), ref_fill(K, rng);
    gsl_matrix_set_all(Yp, -77.0), gsl_matrix_set_all(dXp, -77.0);
    gsl_vector *b = gsl_vector_calloc(3);
    gsl_vector_set(b, 1, 0.25);
    gsl_matrix_view X = gsl_matrix_submatrix(Xp, 0, 0, B, D), Y = gsl_matrix_submatrix(Yp, 0, 0, B, M);
    gsl_matrix_view dY = gsl_matrix_submatrix(dYp, 0, 0, B, M), dX = gsl_matrix_submatrix(dXp, 0, 0, B, D);
    mlphys_require_implemented(cnn_conv2d_forward(&g, &X.matrix, K, b, &Y.matrix), "cnn_conv2d_forward", 2);
    gsl_matrix *want = ref_conv(&g, &X.matrix, K, b);
    mlphys_assert_matrix_close(&Y.matrix, want, 1e-12, 1e-12, "Y on views", "row n of a matrix starts at data + n * tda, not n * size2");
    mlphys_require_implemented(cnn_conv2d_backward(&g, &X.matrix, K, &dY.matrix, &dX.matrix, NULL, NULL), "cnn_conv2d_backward", 3);
    gsl_matrix *T = ref_toeplitz(&g, K), *wantdX = gsl_matrix_alloc(B, D);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &dY.matrix, T, 0.0, wantdX);
    mlphys_assert_matrix_close(&dX.matrix, wantdX, 1e-12, 1e-12, "dX on views", "row n of a matrix starts at data + n * tda");
    for (size_t n = 0; n < B; n++) {
        cr_assert(gsl_matrix_get(Yp, n, M) == -77.0 && gsl_matrix_get(dXp, n, D) == -77.0,
                  "row %zu: a column beyond the view was overwritten (size2 used as the row stride?)", n);
    }
    cnn_pool p = {2, 5, 4, 2, 2};
    gsl_matrix *Pp = gsl_matrix_alloc(B, 8 + 4);
    gsl_matrix_view P = gsl_matrix_submatrix(Pp, 0, 0, B, 8);
    mlphys_require_implemented(cnn_maxpool_forward(&p, &X.matrix, &P.matrix, NULL), "cnn_maxpool_forward", 4);
    gsl_matrix *wantP = ref_maxpool(&p, &X.matrix);
    mlphys_assert_matrix_close(&P.matrix, wantP, 0, 0, "max-pool on views (argmax NULL is allowed)", "use tda for the row stride");
    gsl_matrix_free(Xp), gsl_matrix_free(Yp), gsl_matrix_free(dYp), gsl_matrix_free(dXp), gsl_matrix_free(K);
    gsl_matrix_free(want), gsl_matrix_free(T), gsl_matrix_free(wantdX), gsl_matrix_free(Pp), gsl_matrix_free(wantP);
    gsl_vector_free(b);
}

Test(cnn, conv_with_large_padding_and_stride_3_matches_toeplitz, .description = "stride 3 with padding as wide as the kernel (outputs made of padding only are the bias), and circular padding wider than the image")
{
    const cnn_conv gs[] = {{2, 7, 8, 2, 3, 3, 3, 3, CNN_PAD_ZERO}, {1, 3, 2, 2, 3, 3, 1, 4, CNN_PAD_CIRCULAR}};
    for (size_t t = 0; t < 2; t++) {
        const cnn_conv *g = &gs[t];
        const size_t M = g->c_out * ref_out(g->h, g->kh, g->stride, g->pad) * ref_out(g->w, g->kw, g->stride, g->pad);
        gsl_matrix *X = gsl_matrix_alloc(2, g->c_in * g->h * g->w), *K = gsl_matrix_alloc(g->c_out, g->c_in * 9);
        gsl_vector *b = gsl_vector_alloc(g->c_out);
        ref_fill(X, mlphys_rng()), ref_fill(K, mlphys_rng());
        gsl_vector_set(b, 0, 1.5), gsl_vector_set(b, 1, -0.5);
        gsl_matrix *Y = gsl_matrix_alloc(2, M), *want = ref_conv(g, X, K, b);
        gsl_matrix_set_all(Y, NAN);
        mlphys_require_implemented(cnn_conv2d_forward(g, X, K, b, Y), "cnn_conv2d_forward", 2);
        mlphys_assert_matrix_close(Y, want, 1e-12, 1e-12, t == 0 ? "stride 3, pad 3" : "circular, pad 4 on a 3x2 image",
                                   "pixels beyond the border: zero, or (i mod H, j mod W) however far out");
        gsl_matrix_free(X), gsl_matrix_free(K), gsl_vector_free(b), gsl_matrix_free(Y), gsl_matrix_free(want);
    }
}
