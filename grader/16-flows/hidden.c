/*
 * Chapter 16, hidden tests: graded by the instructor, left out of the student release.
 */
#include "flows_ref.h"

/* The suite is declared in tests.c; these tests join it. */

struct hid_ctx { flows_flow *f; const gsl_vector *mask; };

static void hid_layer(const double *x, double *y, void *ctx)
{
    struct hid_ctx *c = ctx;
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, 1, c->f->D);
    gsl_matrix_view Y = gsl_matrix_view_array(y, 1, c->f->D);
    gsl_vector *ld = gsl_vector_alloc(1);
    flows_coupling_forward(c->f->net[0], c->f->ws[0], c->mask, &X.matrix, &Y.matrix, ld);
    gsl_vector_free(ld);
}

Test(flows, coupling_with_an_uneven_mask_in_five_dimensions, .description = "D = 5, mask (1, 1, 0, 1, 0): logdet against a finite-difference Jacobian (1e-8) and the inverse round trip (1e-12)")
{
    /* Three kept and two transformed coordinates: a logdet summed over the kept ones (d = 3
     * terms) or over all D differs from the right one (D - d = 2 terms) by O(1).  Tolerances
     * as in the visible tests (see ref_fd_logdet). */
    const size_t N = 8, D = 5;
    const double mask[5] = {1, 1, 0, 1, 0};
    flows_flow *f = ref_flow(D, 1, 10, N, 1.0);
    gsl_vector_const_view mv = gsl_vector_const_view_array(mask, D);
    gsl_matrix *X = gsl_matrix_alloc(N, D), *Y = gsl_matrix_alloc(N, D), *X2 = gsl_matrix_alloc(N, D);
    gsl_vector *ld = gsl_vector_alloc(N), *ldi = gsl_vector_alloc(N);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    mlphys_require_implemented(flows_coupling_forward(f->net[0], f->ws[0], &mv.vector, X, Y, ld), "flows_coupling_forward", 2);
    mlphys_require_implemented(flows_coupling_inverse(f->net[0], f->ws[0], &mv.vector, Y, X2, ldi), "flows_coupling_inverse", 3);
    mlphys_assert_matrix_close(X2, X, 1e-12, 0, "inverse(forward(X)) in D = 5", "mask (1, 1, 0, 1, 0)");
    struct hid_ctx c = {f, &mv.vector};
    for (size_t i = 0; i < N; i++) {
        double want = ref_fd_logdet(hid_layer, &c, D, gsl_matrix_const_ptr(X, i, 0));
        mlphys_assert_close(gsl_vector_get(ld, i), want, 1e-8, 0, "D = 5, point %zu: logdet vs the finite-difference "
                            "Jacobian (sum s over the D - d = 2 transformed coordinates)", i);
    }
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(X2), gsl_vector_free(ld), gsl_vector_free(ldi);
    flows_flow_free(f);
}
