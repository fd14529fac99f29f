/*
 * Chapter 09, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "training.h"

#include <string.h>

#include "training_test.h"

/* The suite is declared in tests.c; these tests join it. */

Test(training, tanh_he_signal_with_small_bias_follows_the_map, .description = "tanh, He (sigma_w^2 = 2), sigma_b = 0.1, width 256: q_l follows the mean-field map to its nonzero fixed point, geometric mean within 10%")
{
    /* Measured over 200 seeds (B = 4, width 256): log of the geometric mean -0.005 +- 0.017, the
     * bound 0.1 is 5.6 sd; largest single-layer deviation 0.24 (bound 0.6). */
    double worst, lg = training_test_tanh_log_gm(INIT_HE, 0.1, 256, mlphys_rng(), &worst);
    cr_assert(fabs(lg) <= 0.1, "geometric mean of q_l / mean-field q_l = %.4g, want 1 within 10%%", exp(lg));
    cr_assert(worst <= 0.6, "one layer's q_l is off by a factor %.3g from the mean-field map", exp(worst));
}

Test(training, weight_decay_enters_momentum_and_adam, .description = "weight decay 0.1 in momentum (two steps) and Adam (one step) on hand-worked numbers: g <- g + wd theta before the update")
{
    /* momentum, lr 0.1, theta = 2, g = 1 twice: g1 = 1.2, v1 = 1.2, theta1 = 1.88;
     * g2 = 1 + 0.188 = 1.188, v2 = 1.08 + 1.188 = 2.268, theta2 = 1.88 - 0.2268 = 1.6532 */
    opt *o = opt_alloc(OPT_MOMENTUM, 1, 0.1);
    o->weight_decay = 0.1;
    double th = 2, g = 1;
    mlphys_require_implemented(opt_step(o, &th, &g), "opt_step", 8);
    mlphys_require_implemented(opt_step(o, &th, &g), "opt_step", 8);
    mlphys_assert_close(th, 1.6532, 1e-14, 0, "momentum with weight decay 0.1 after two steps");
    opt_free(o);
    /* Adam, lr 0.01, theta = 2, g = -0.1: g + 0.1 * 2 = 0.1 > 0, so the first step is -0.01
     * (the sign of the decayed gradient, not of g) */
    o = opt_alloc(OPT_ADAM, 1, 0.01);
    o->weight_decay = 0.1;
    th = 2, g = -0.1;
    mlphys_require_implemented(opt_step(o, &th, &g), "opt_step", 8);
    mlphys_assert_close(th, 2 - 0.01 * 0.1 / (0.1 + 1e-8), 1e-14, 0, "Adam with weight decay 0.1, first step");
    opt_free(o);
}
