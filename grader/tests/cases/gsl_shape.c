/* Not hostile: the most common GSL mistake, a product with transposed shapes.  GSL reports it
 * and returns an error; the test library turns the report into feedback.
 * inject: svd_jacobi
 */
#include <gsl/gsl_blas.h>
#define HOSTILE_BODY                                                                   \
    {                                                                                  \
        gsl_matrix *ga = gsl_matrix_calloc(2, 3), *gb = gsl_matrix_calloc(2, 3),       \
                   *gc = gsl_matrix_calloc(2, 2);                                      \
        int gst = gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, ga, gb, 0.0, gc);    \
        gsl_matrix_free(ga), gsl_matrix_free(gb), gsl_matrix_free(gc);                 \
        if (gst)                                                                       \
            return gst;                                                                \
    }
