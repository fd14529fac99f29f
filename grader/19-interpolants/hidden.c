/*
 * Chapter 19, hidden tests: graded by the instructor, left out of the student release.
 */
#include "interpolants.h"
#include "mlphys_test.h"
#include "quantile.h"

#include <gsl/gsl_cdf.h>

/* The suite is declared in tests.c; these tests join it. */

Test(interpolants, three_mode_target_is_reached_by_rk4, .description = "for a three-mode target (weights 0.2, 0.5, 0.3), RK4 with 200 steps reproduces the quantile map to 1e-6")
{
    /* Modes at -3, 0, 2.5 with sds 0.6, 0.4, 0.8: the narrowest sd (0.4) sets the stiffness
     * near t = 1.  Measured with the reference: 200 steps give 3.3e-9 on [-3, 3] (100 steps 5.2e-8). */
    interp_mixture m = {3, {0.2, 0.5, 0.3}, {-3.0, 0.0, 2.5}, {0.6, 0.4, 0.8}};
    gsl_vector *x = gsl_vector_alloc(31);
    for (size_t i = 0; i < 31; i++)
        gsl_vector_set(x, i, -3 + 0.2 * (double)i);
    mlphys_require_implemented(interp_rk4(interp_velocity_fn_exact, &m, 0.0, 1.0, 200, x), "interp_rk4", 4);
    for (size_t i = 0; i < 31; i++) {
        double x0 = -3 + 0.2 * (double)i;
        mlphys_assert_close(gsl_vector_get(x, i), quantile_map(&m, x0), 1e-6, 0,
                            "X(1) from x0 = %.1f for a three-mode target (does your velocity loop over all K "
                            "components?)", x0);
    }
    gsl_vector_free(x);
}
