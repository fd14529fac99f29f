/*
 * Chapter 08, hidden tests: graded by the instructor, left out of the student release.
 */
#include "mlphys_test.h"
#include "bayes_regression.h"

#include <gsl/gsl_randist.h>

/* The suite is declared in tests.c; these tests join it. */

Test(bayes_regression, evidence_finds_the_noise_level,
     .description = "maximising your log evidence over beta on 200 line points recovers the true noise precision 25 within a factor 1.65")
{
    /* The evidence-optimal beta estimates 1/sigma^2 with relative sd ~ sqrt(2/N) = 0.1 at
     * N = 200.  Measured argmax over 2000 seeds: [18.95, 34.55], i.e. within a factor 1.38.
     * A factor 1.65 = e^0.5 is 5 sd.  Grid: beta = 25 * 2^(k/20), k = -40..40. */
    const size_t N = 200;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *Phi = gsl_matrix_alloc(N, 2);
    gsl_vector *t = gsl_vector_alloc(N);
    for (size_t n = 0; n < N; n++) {
        double x = -1 + 2 * gsl_rng_uniform(rng);
        gsl_matrix_set(Phi, n, 0, 1.0), gsl_matrix_set(Phi, n, 1, x);
        gsl_vector_set(t, n, -0.3 + 0.5 * x + gsl_ran_gaussian(rng, 0.2));
    }
    double best = -INFINITY, beta_best = 0;
    for (int k = -40; k <= 40; k++) {
        double beta = 25.0 * pow(2.0, k / 20.0), le;
        mlphys_require_implemented(blr_log_evidence(Phi, t, 2.0, beta, &le), "blr_log_evidence", 5);
        if (le > best)
            best = le, beta_best = beta;
    }
    cr_expect(beta_best > 25.0 / 1.65 && beta_best < 25.0 * 1.65,
              "your log evidence peaks at beta = %.3g; the data have noise precision 1/0.2^2 = 25. "
              "Check the N/2 ln beta and beta/2 |t - Phi m|^2 terms", beta_best);
    gsl_matrix_free(Phi), gsl_vector_free(t);
}
