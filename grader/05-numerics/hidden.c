/*
 * Chapter 05, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "numerics.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sf_gamma.h>

/* The suite is declared in tests.c; these tests join it. */

/* Largest eigenvalue of a symmetric matrix (copied: gsl_eigen_symm destroys its input). */
static double top_eigenvalue(const gsl_matrix *S)
{
    const size_t n = S->size1;
    gsl_matrix *W = gsl_matrix_alloc(n, n);
    gsl_vector *ev = gsl_vector_alloc(n);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(n);
    gsl_matrix_memcpy(W, S);
    gsl_eigen_symm(W, ev, w);
    double top = gsl_vector_max(ev);
    gsl_matrix_free(W), gsl_vector_free(ev), gsl_eigen_symm_free(w);
    return top;
}

Test(numerics, cond2_matches_the_exact_inverse_at_n9, .description = "kappa_2(H_9) = lambda_max(H) lambda_max(H^-1), with H^-1 from its closed form in integers")
{
    /* H is symmetric positive definite, so kappa_2 = lambda_max(H) / lambda_min(H), and
     * 1 / lambda_min(H) = lambda_max(H^-1).  H^-1 has integer entries (1-based i, j):
     *   (-1)^(i+j) (i+j-1) C(n+i-1, n-j) C(n+j-1, n-i) C(i+j-2, i-1)^2   (Choi, Amer. Math.
     * Monthly 90, 1983), exact in double at n = 9.  Both top eigenvalues are well conditioned, so
     * this kappa is right to ~1e-15, while any SVD of H itself carries ~kappa eps = 1e-4 in s_min
     * (GSL's reaches 3e-6): 1e-4 relative is the a-priori limit of the student's route. */
    const unsigned n = 9;
    gsl_matrix *H = gsl_matrix_alloc(n, n), *Hinv = gsl_matrix_alloc(n, n);
    for (unsigned i = 1; i <= n; i++)
        for (unsigned j = 1; j <= n; j++) {
            gsl_matrix_set(H, i - 1, j - 1, 1.0 / (double)(i + j - 1));
            double c = gsl_sf_choose(i + j - 2, i - 1);
            double v = (double)(i + j - 1) * gsl_sf_choose(n + i - 1, n - j) * gsl_sf_choose(n + j - 1, n - i) * c * c;
            gsl_matrix_set(Hinv, i - 1, j - 1, (i + j) % 2 ? -v : v);
        }
    const double want = top_eigenvalue(H) * top_eigenvalue(Hinv); /* 4.93155e11 */
    double k = NAN;
    mlphys_require_implemented(numerics_cond2(H, &k), "numerics_cond2", 4);
    mlphys_assert_close(k, want, 0, 1e-4, "kappa_2 of the 9x9 Hilbert matrix (exact value from H^-1)");
    gsl_matrix_free(H), gsl_matrix_free(Hinv);
}
