/*
 * Chapter 07 tests: losses as negative log-likelihoods.  The references are independent of the
 * reference solution: GSL's normal density (gsl_ran_gaussian_pdf), cases worked by hand
 * (including the exact values at logits of +-1e3), central finite differences, GSL's SVD-based
 * ridge solver (gsl_multifit_linear_solve), GSL's statistics, and the accuracy of the trained
 * classifier, counted here from its weights.
 */
#include "losses.h"
#include "mlphys_data.h"
#include "mlphys_test.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

MLPHYS_SUITE(losses, 10);

/* ---- helpers --------------------------------------------------------------------------- */

static gsl_vector *vec(size_t n, const double *a)
{
    gsl_vector *v = gsl_vector_alloc(n);
    memcpy(v->data, a, n * sizeof *a);
    return v;
}

static gsl_vector *random_vector(size_t n, double sd)
{
    gsl_vector *v = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, gsl_ran_gaussian(mlphys_rng(), sd));
    return v;
}

static gsl_matrix *random_matrix(size_t r, size_t c, double sd)
{
    gsl_matrix *m = gsl_matrix_alloc(r, c);
    mlphys_fill_gaussian(m, mlphys_rng(), sd);
    return m;
}

/* N x K one-hot targets for random labels, written to label[] too. */
static gsl_matrix *random_onehot(size_t N, size_t K, int *label)
{
    gsl_matrix *Y = gsl_matrix_calloc(N, K);
    for (size_t n = 0; n < N; n++) {
        size_t c = gsl_rng_uniform_int(mlphys_rng(), K);
        gsl_matrix_set(Y, n, c, 1.0);
        if (label)
            label[n] = (int)c;
    }
    return Y;
}

/* Softmax the direct way, exp(z_k) / sum_j exp(z_j): fine as long as |z| stays far from 700. */
static void naive_softmax(const gsl_matrix *Z, gsl_matrix *P)
{
    for (size_t n = 0; n < Z->size1; n++) {
        double s = 0;
        for (size_t k = 0; k < Z->size2; k++)
            s += exp(gsl_matrix_get(Z, n, k));
        for (size_t k = 0; k < Z->size2; k++)
            gsl_matrix_set(P, n, k, exp(gsl_matrix_get(Z, n, k)) / s);
    }
}

static double xent_of(const gsl_matrix *Z, const gsl_matrix *Y)
{
    double loss;
    mlphys_require_implemented(losses_softmax_xent(Z, Y, &loss, NULL), "losses_softmax_xent", 5);
    return loss;
}

/* ---- mean squared error and the Gaussian likelihood ------------------------------------ */

Test(losses, mse_of_a_hand_worked_case, .description = "mse((1, 2, 3), (1, 0, 5)) = (0 + 4 + 4) / 3 = 8/3")
{
    gsl_vector *y = vec(3, (double[]){1, 2, 3}), *f = vec(3, (double[]){1, 0, 5});
    double mse;
    mlphys_require_implemented(losses_mse(y, f, &mse), "losses_mse", 1);
    /* three exact squares and one division: correctly rounded up to an ulp or two */
    mlphys_assert_close(mse, 8.0 / 3.0, 0, 1e-15, "mse of (1,2,3) vs (1,0,5): divide the sum of squares by n");
    gsl_vector_free(y), gsl_vector_free(f);
}

Test(losses, gaussian_nll_matches_the_normal_density, .description = "the Gaussian NLL equals -sum log N(y_i; f_i, sigma^2) from GSL's density")
{
    const size_t n = 40;
    gsl_vector *y = random_vector(n, 2.0), *f = random_vector(n, 2.0);
    const double sigmas[] = {0.3, 1.0, 4.0};
    for (int s = 0; s < 3; s++) {
        double nll, want = 0;
        for (size_t i = 0; i < n; i++)
            want -= log(gsl_ran_gaussian_pdf(gsl_vector_get(y, i) - gsl_vector_get(f, i), sigmas[s]));
        mlphys_require_implemented(losses_gaussian_nll(y, f, sigmas[s], &nll), "losses_gaussian_nll", 2);
        /* a sum of 40 terms of similar size, each correct to a few ulp: 1e-12 relative */
        mlphys_assert_close(nll, want, 1e-12, 1e-12,
                            "NLL at sigma = %g (each term is (y-f)^2 / (2 sigma^2) + log(2 pi sigma^2) / 2)",
                            sigmas[s]);
    }
    gsl_vector_free(y), gsl_vector_free(f);
}

Test(losses, mse_is_the_gaussian_nll_up_to_factor_and_constant, .description = "NLL = n/(2 sigma^2) MSE + (n/2) log(2 pi sigma^2), so both have the same minimiser")
{
    const size_t n = 25;
    gsl_vector *y = random_vector(n, 1.0), *f = random_vector(n, 1.0), *g = random_vector(n, 1.0);
    double mf, mg;
    mlphys_require_implemented(losses_mse(y, f, &mf), "losses_mse", 1);
    mlphys_require_implemented(losses_mse(y, g, &mg), "losses_mse", 1);
    const double sigmas[] = {0.1, 1.0, 7.0};
    for (int s = 0; s < 3; s++) {
        double sg = sigmas[s], nf, ng;
        mlphys_require_implemented(losses_gaussian_nll(y, f, sg, &nf), "losses_gaussian_nll", 2);
        mlphys_require_implemented(losses_gaussian_nll(y, g, sg, &ng), "losses_gaussian_nll", 2);
        double c = 0.5 * (double)n * log(2 * 3.14159265358979323846 * sg * sg);
        /* both sides are the same handful of sums in different order: 1e-12 relative */
        mlphys_assert_close(nf, (double)n / (2 * sg * sg) * mf + c, 1e-12, 1e-12,
                            "NLL vs n/(2 sigma^2) MSE + const at sigma = %g", sg);
        /* the constant cancels in a difference: that is why it never matters for fitting */
        mlphys_assert_close(nf - ng, (double)n / (2 * sg * sg) * (mf - mg), 1e-10, 1e-10,
                            "NLL(f) - NLL(g) vs n/(2 sigma^2) (MSE(f) - MSE(g)) at sigma = %g", sg);
    }
    gsl_vector_free(y), gsl_vector_free(f), gsl_vector_free(g);
}

Test(losses, regression_losses_reject_bad_arguments, .description = "mismatched sizes give GSL_EBADLEN, sigma <= 0 or NaN gives GSL_EINVAL")
{
    gsl_vector *y = gsl_vector_calloc(4), *f = gsl_vector_calloc(3), *g = gsl_vector_calloc(4);
    double out = 0;
    mlphys_require_status(losses_mse(y, f, &out), GSL_EBADLEN, "losses_mse", "y has 4 entries, f has 3");
    mlphys_require_status(losses_gaussian_nll(y, f, 1.0, &out), GSL_EBADLEN, "losses_gaussian_nll",
                          "y has 4 entries, f has 3");
    mlphys_require_status(losses_gaussian_nll(y, g, 0.0, &out), GSL_EINVAL, "losses_gaussian_nll",
                          "sigma = 0 is not a noise level");
    mlphys_require_status(losses_gaussian_nll(y, g, -1.0, &out), GSL_EINVAL, "losses_gaussian_nll",
                          "sigma must be positive");
    mlphys_require_status(losses_gaussian_nll(y, g, NAN, &out), GSL_EINVAL, "losses_gaussian_nll",
                          "sigma = NaN (test sigma > 0 with !(sigma > 0), which is true for NaN)");
    gsl_vector_free(y), gsl_vector_free(f), gsl_vector_free(g);
}

/* ---- log-sum-exp and softmax -------------------------------------------------------------- */

static double lse_of(size_t n, const double *z)
{
    gsl_vector_const_view v = gsl_vector_const_view_array(z, n);
    double l;
    mlphys_require_implemented(losses_logsumexp(&v.vector, &l), "losses_logsumexp", 3);
    return l;
}

Test(losses, logsumexp_of_hand_worked_cases, .description = "log(e^0 + e^0) = log 2, and log(3 e^1000) = 1000 + log 3 without overflow")
{
    /* Each value is a few roundings (exp, log, one add) away from the exact one: 1e-14 relative. */
    mlphys_assert_close(lse_of(1, (double[]){-3.5}), -3.5, 0, 1e-14, "logsumexp of one number is that number");
    mlphys_assert_close(lse_of(2, (double[]){0, 0}), log(2.0), 0, 1e-14, "logsumexp(0, 0)");
    mlphys_assert_close(lse_of(3, (double[]){1, 2, 3}), log(exp(1.0) + exp(2.0) + exp(3.0)), 0, 1e-14,
                        "logsumexp(1, 2, 3)");
    mlphys_assert_close(lse_of(3, (double[]){1000, 1000, 1000}), 1000 + log(3.0), 0, 1e-14,
                        "logsumexp(1000, 1000, 1000): exp(1000) overflows; subtract the max first");
    mlphys_assert_close(lse_of(3, (double[]){-1000, -1000, -1000}), -1000 + log(3.0), 0, 1e-14,
                        "logsumexp(-1000, -1000, -1000): exp(-1000) underflows to 0 and log(0) = -inf; "
                        "subtract the max first");
    mlphys_assert_close(lse_of(2, (double[]){1000, -1000}), 1000.0, 0, 1e-14,
                        "logsumexp(1000, -1000) = 1000 + log(1 + e^-2000)");
    /* a strided view: z = (1, 2, 3) is every 3rd entry; the entries in between (50) must not be
     * read, or the maximum and the sum come out near 50 */
    double zs[] = {1, 50, 50, 2, 50, 50, 3};
    gsl_vector_const_view v = gsl_vector_const_view_array_with_stride(zs, 3, 3);
    double l = NAN;
    mlphys_require_implemented(losses_logsumexp(&v.vector, &l), "losses_logsumexp", 3);
    mlphys_assert_close(l, log(exp(1.0) + exp(2.0) + exp(3.0)), 0, 1e-14,
                        "logsumexp of z = (1, 2, 3) given as a view with stride 3: z_k is z->data[k * z->stride]");
}

Test(losses, softmax_rows_sum_to_one, .description = "every row of softmax(Z) is a probability vector and equals exp(z) / sum exp(z)")
{
    const size_t N = 20, K = 7;
    gsl_matrix *Z = random_matrix(N, K, 30.0), *P = gsl_matrix_alloc(N, K), *Pn = gsl_matrix_alloc(N, K);
    gsl_matrix_set_all(P, NAN); /* garbage: every entry must be written */
    for (size_t k = 0; k < K; k++) /* one row far beyond exp's range */
        gsl_matrix_set(Z, 0, k, k % 2 ? 1000.0 : -1000.0 + (double)k);
    mlphys_require_implemented(losses_softmax(Z, P), "losses_softmax", 4);
    for (size_t n = 0; n < N; n++) {
        double s = 0;
        for (size_t k = 0; k < K; k++) {
            double p = gsl_matrix_get(P, n, k);
            cr_assert(isfinite(p) && p >= 0 && p <= 1, "P[%zu][%zu] = %g is not a probability (logits up to "
                      "+-1e3: subtract the row maximum before exp)", n, k, p);
            s += p;
        }
        /* K = 7 terms rounded once each: the sum is 1 to a few ulp, except that in row 0 the
         * shift l = 1000 + log 3 is itself rounded to an ulp of 1000 (1.1e-13) when P is formed
         * as exp(z - l): 1e-12 covers both ways of writing it */
        mlphys_assert_close(s, 1.0, 1e-12, 0, "sum of row %zu of softmax(Z)", n);
    }
    /* rows 1.. are moderate (|z| ~ 100 at most), where the textbook formula is accurate */
    gsl_matrix_view Zr = gsl_matrix_submatrix(Z, 1, 0, N - 1, K), Pr = gsl_matrix_submatrix(P, 1, 0, N - 1, K);
    gsl_matrix_view Pnr = gsl_matrix_submatrix(Pn, 1, 0, N - 1, K);
    naive_softmax(&Zr.matrix, &Pnr.matrix);
    /* relative error of exp(z - l) is ~|z| eps ~ 1e-14 for |z| ~ 100; 1e-12 plus a tiny atol
     * for probabilities that underflow differently */
    mlphys_assert_matrix_close(&Pr.matrix, &Pnr.matrix, 1e-300, 1e-12, "softmax vs exp(z)/sum exp(z)",
                               "P_nk = exp(Z_nk - logsumexp(Z_n.)), row by row.");
    /* the exact values of row 0: three logits at 1000 share the mass, the rest are e^-1994 or
     * less, 0 in double; 1e-12 relative as for the sum above */
    for (size_t k = 0; k < K; k++)
        mlphys_assert_close(gsl_matrix_get(P, 0, k), k % 2 ? 1.0 / 3.0 : 0.0, 1e-300, 1e-12,
                            "P[0][%zu] for logits (-1000, 1000, -998, 1000, -996, 1000, -994)", k);
    gsl_matrix_free(Z), gsl_matrix_free(P), gsl_matrix_free(Pn);
}

Test(losses, softmax_works_in_place, .description = "losses_softmax(Z, Z) overwrites the logits with the probabilities")
{
    double z[] = {0, log(3.0), 2, 2};
    gsl_matrix_view Z = gsl_matrix_view_array(z, 2, 2);
    mlphys_require_implemented(losses_softmax(&Z.matrix, &Z.matrix), "losses_softmax", 4);
    const double want[] = {0.25, 0.75, 0.5, 0.5}; /* 1/(1+3), 3/(1+3); equal logits */
    /* a few roundings in exp and log: 1e-14 relative */
    for (int i = 0; i < 4; i++)
        mlphys_assert_close(z[i], want[i], 0, 1e-14, "softmax in place, entry %d (compute the row's "
                            "logsumexp before overwriting it)", i);
}

/* ---- cross-entropy ------------------------------------------------------------------------ */

Test(losses, xent_of_a_hand_worked_case, .description = "logits (0, log 3), label 0: p = (1/4, 3/4), loss = log 4, gradient (-3/4, 3/4)")
{
    double z[] = {0, log(3.0)}, y[] = {1, 0}, d[2];
    gsl_matrix_view Z = gsl_matrix_view_array(z, 1, 2), Y = gsl_matrix_view_array(y, 1, 2);
    gsl_matrix_view dZ = gsl_matrix_view_array(d, 1, 2);
    double loss;
    mlphys_require_implemented(losses_softmax_xent(&Z.matrix, &Y.matrix, &loss, &dZ.matrix),
                               "losses_softmax_xent", 5);
    /* a few roundings in exp and log: 1e-14 relative */
    mlphys_assert_close(loss, log(4.0), 0, 1e-14, "cross-entropy -log p_0 with p_0 = 1/4");
    mlphys_assert_close(d[0], -0.75, 0, 1e-14, "dL/dz_0 = p_0 - 1");
    mlphys_assert_close(d[1], 0.75, 0, 1e-14, "dL/dz_1 = p_1 - 0");
}

Test(losses, xent_gradient_is_p_minus_y_over_n, .description = "dZ = (softmax(Z) - Y) / N for one-hot and for soft targets")
{
    const size_t N = 6, K = 5;
    gsl_matrix *Z = random_matrix(N, K, 3.0), *Y = random_onehot(N, K, NULL);
    gsl_matrix *dZ = gsl_matrix_alloc(N, K), *want = gsl_matrix_alloc(N, K);
    /* make rows 3.. soft: a random distribution */
    for (size_t n = 3; n < N; n++) {
        double s = 0;
        for (size_t k = 0; k < K; k++) {
            gsl_matrix_set(Y, n, k, gsl_rng_uniform_pos(mlphys_rng()));
            s += gsl_matrix_get(Y, n, k);
        }
        for (size_t k = 0; k < K; k++)
            gsl_matrix_set(Y, n, k, gsl_matrix_get(Y, n, k) / s);
    }
    double loss = NAN;
    gsl_matrix *Z0 = gsl_matrix_alloc(N, K), *Y0 = gsl_matrix_alloc(N, K);
    gsl_matrix_memcpy(Z0, Z), gsl_matrix_memcpy(Y0, Y), gsl_matrix_set_all(dZ, NAN);
    mlphys_require_implemented(losses_softmax_xent(Z, Y, &loss, dZ), "losses_softmax_xent", 5);
    /* Z and Y are const inputs: not even a shift by the row maximum may be left behind */
    mlphys_assert_matrix_close(Z, Z0, 0, 0, "the logits Z after losses_softmax_xent", "Z is a const input: subtract the "
                               "row maximum in a local variable, never in Z itself.");
    mlphys_assert_matrix_close(Y, Y0, 0, 0, "the targets Y after losses_softmax_xent", "Y is a const input.");
    gsl_matrix_free(Z0), gsl_matrix_free(Y0);
    naive_softmax(Z, want);
    gsl_matrix_sub(want, Y);
    gsl_matrix_scale(want, 1.0 / (double)N);
    /* |z| <~ 15: both ways are accurate to ~1e-15; 1e-13 leaves room */
    mlphys_assert_matrix_close(dZ, want, 1e-13, 1e-12, "dZ vs (P - Y) / N",
                               "the loss is a mean over N rows, so the gradient carries 1/N.");
    /* and the loss itself, -(1/N) sum Y log P with the naive P (safe at these sizes) */
    naive_softmax(Z, want);
    double wl = 0;
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++)
            wl -= gsl_matrix_get(Y, n, k) * log(gsl_matrix_get(want, n, k)) / (double)N;
    mlphys_assert_close(loss, wl, 1e-13, 1e-12, "cross-entropy -(1/N) sum_nk Y_nk log P_nk");
    gsl_matrix_free(Z), gsl_matrix_free(Y), gsl_matrix_free(dZ), gsl_matrix_free(want);
}

Test(losses, xent_gradient_matches_finite_differences, .description = "dZ agrees with central differences of your loss")
{
    const size_t N = 4, K = 6;
    gsl_matrix *Z = random_matrix(N, K, 2.0), *Y = random_onehot(N, K, NULL), *dZ = gsl_matrix_alloc(N, K);
    double loss;
    mlphys_require_implemented(losses_softmax_xent(Z, Y, &loss, dZ), "losses_softmax_xent", 5);
    const double h = 1e-5;
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++) {
            double z0 = gsl_matrix_get(Z, n, k);
            gsl_matrix_set(Z, n, k, z0 + h);
            double lp = xent_of(Z, Y);
            gsl_matrix_set(Z, n, k, z0 - h);
            double lm = xent_of(Z, Y);
            gsl_matrix_set(Z, n, k, z0);
            /* truncation h^2 |L'''| / 6 <~ 1e-11 (|L'''| <= 1/N here), round-off eps |L| / h ~ 1e-10 */
            mlphys_assert_close(gsl_matrix_get(dZ, n, k), (lp - lm) / (2 * h), 1e-8, 0,
                                "dZ[%zu][%zu] vs central difference", n, k);
        }
    gsl_matrix_free(Z), gsl_matrix_free(Y), gsl_matrix_free(dZ);
}

/* One row: logits z, one-hot label c; check loss and gradient against exact values. */
static void check_extreme(size_t K, const double *z, size_t c, double want_loss, const double *want_grad,
                          const char *what)
{
    double y[8] = {0}, d[8];
    y[c] = 1.0;
    gsl_matrix_const_view Z = gsl_matrix_const_view_array(z, 1, K), Y = gsl_matrix_const_view_array(y, 1, K);
    gsl_matrix_view dZ = gsl_matrix_view_array(d, 1, K);
    double loss;
    mlphys_require_implemented(losses_softmax_xent(&Z.matrix, &Y.matrix, &loss, &dZ.matrix),
                               "losses_softmax_xent", 5);
    cr_assert(isfinite(loss), "loss for %s is %g: exp(1000) overflows and log(0) = -inf; compute "
              "log p_k as z_k - logsumexp(z)", what, loss);
    /* The exact values differ from these by e^-1000 or less.  Computing log p as z - l with
     * l = logsumexp(z) ~ 1000 rounds l to an ulp of 1000 (1.1e-13): 1e-12 absolute allows
     * that (and is still 1e-12 away from the 0 that a correct loss gives for label 0). */
    mlphys_assert_close(loss, want_loss, 1e-12, 1e-15, "loss for %s", what);
    for (size_t k = 0; k < K; k++)
        mlphys_assert_close(d[k], want_grad[k], 1e-12, 0, "dZ[%zu] for %s (p - y)", k, what);
}

Test(losses, xent_survives_logits_of_1e3, .description = "logits of +-1000 give finite loss and gradient with the exact values")
{
    const double e = exp(1.0), t = 1.0 / 3.0;
    check_extreme(2, (double[]){1000, -1000}, 0, 0.0, (double[]){0, 0},
                  "z = (1000, -1000), label 0 (loss log(1 + e^-2000) = 0 in double)");
    check_extreme(2, (double[]){1000, -1000}, 1, 2000.0, (double[]){1, -1},
                  "z = (1000, -1000), label 1 (loss 2000 + log(1 + e^-2000) = 2000)");
    check_extreme(3, (double[]){1000, 1000, 1000}, 2, log(3.0), (double[]){t, t, -2 * t},
                  "z = (1000, 1000, 1000), label 2");
    check_extreme(3, (double[]){-1000, -1000, -1000}, 0, log(3.0), (double[]){-2 * t, t, t},
                  "z = (-1000, -1000, -1000), label 0");
    check_extreme(2, (double[]){1000, 999}, 1, log1p(e), (double[]){e / (1 + e), 1 / (1 + e) - 1},
                  "z = (1000, 999), label 1 (loss log(1 + e))");
}

Test(losses, xent_rejects_bad_targets, .description = "a row of Y that is not a probability vector gives GSL_EINVAL, a shape mismatch GSL_EBADLEN, and dZ is left alone")
{
    double z[] = {1, 2, 3}, ybad[] = {0.5, 0.4, 0}, yneg[] = {1.5, -0.5, 0}, y[] = {0, 1, 0}, d[3] = {7, 7, 7};
    gsl_matrix_view Z = gsl_matrix_view_array(z, 1, 3), Yb = gsl_matrix_view_array(ybad, 1, 3);
    gsl_matrix_view Yn = gsl_matrix_view_array(yneg, 1, 3), Y = gsl_matrix_view_array(y, 1, 3);
    gsl_matrix_view dZ = gsl_matrix_view_array(d, 1, 3), dZs = gsl_matrix_view_array(d, 1, 2);
    gsl_matrix_view Ys = gsl_matrix_view_array(y, 1, 2);
    double loss = 0;
    mlphys_require_status(losses_softmax_xent(&Z.matrix, &Yb.matrix, &loss, &dZ.matrix), GSL_EINVAL,
                          "losses_softmax_xent", "the row (0.5, 0.4, 0) sums to 0.9; the gradient p - y "
                          "needs sum_k y_k = 1");
    mlphys_require_status(losses_softmax_xent(&Z.matrix, &Yn.matrix, &loss, &dZ.matrix), GSL_EINVAL,
                          "losses_softmax_xent", "the row (1.5, -0.5, 0) has a negative probability");
    mlphys_require_status(losses_softmax_xent(&Z.matrix, &Ys.matrix, &loss, &dZ.matrix), GSL_EBADLEN,
                          "losses_softmax_xent", "Y is 1x2, Z is 1x3");
    mlphys_require_status(losses_softmax_xent(&Z.matrix, &Y.matrix, &loss, &dZs.matrix), GSL_EBADLEN,
                          "losses_softmax_xent", "dZ is 1x2, Z is 1x3");
    for (int k = 0; k < 3; k++)
        cr_assert(d[k] == 7.0, "dZ[%d] was changed by a call that failed: check everything before writing", k);
}

/* ---- ridge regression as MAP ------------------------------------------------------------ */

/* Our own U(w) and its gradient, from GSL's normal density. */
static double nlp_reference(const gsl_matrix *X, const gsl_vector *y, const gsl_vector *w, double sigma,
                            double tau, gsl_vector *grad)
{
    gsl_vector *r = gsl_vector_alloc(X->size1);
    gsl_vector_memcpy(r, y);
    gsl_blas_dgemv(CblasNoTrans, 1.0, X, w, -1.0, r); /* r = X w - y */
    double U = 0;
    for (size_t i = 0; i < r->size; i++)
        U -= log(gsl_ran_gaussian_pdf(gsl_vector_get(r, i), sigma));
    for (size_t j = 0; j < w->size; j++)
        U -= log(gsl_ran_gaussian_pdf(gsl_vector_get(w, j), tau));
    if (grad) {
        gsl_vector_memcpy(grad, w);
        gsl_blas_dgemv(CblasTrans, 1.0 / (sigma * sigma), X, r, 1.0 / (tau * tau), grad);
    }
    gsl_vector_free(r);
    return U;
}

Test(losses, neg_log_posterior_matches_gaussian_densities, .description = "U(w) = -sum log N(y_i; x_i.w, sigma^2) - sum log N(w_j; 0, tau^2), from GSL's density")
{
    const size_t N = 30, D = 4;
    gsl_matrix *X = random_matrix(N, D, 1.0);
    gsl_vector *y = random_vector(N, 2.0), *w = random_vector(D, 1.0);
    const double st[][2] = {{0.5, 2.0}, {1.0, 1.0}, {3.0, 0.2}};
    for (int c = 0; c < 3; c++) {
        double U;
        mlphys_require_implemented(losses_neg_log_posterior(X, y, w, st[c][0], st[c][1], &U, NULL),
                                   "losses_neg_log_posterior", 6);
        double want = nlp_reference(X, y, w, st[c][0], st[c][1], NULL);
        /* a sum of 34 terms each good to a few ulp: 1e-12 relative */
        mlphys_assert_close(U, want, 1e-12, 1e-12, "U(w) at sigma = %g, tau = %g (did you keep both "
                            "normalisations, N/2 log(2 pi sigma^2) and D/2 log(2 pi tau^2)?)", st[c][0], st[c][1]);
    }
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w);
}

Test(losses, neg_log_posterior_gradient_matches_finite_differences, .description = "the gradient of U agrees with central differences of your U")
{
    const size_t N = 15, D = 5;
    const double sigma = 0.8, tau = 1.5;
    gsl_matrix *X = random_matrix(N, D, 1.0);
    gsl_vector *y = random_vector(N, 1.0), *w = random_vector(D, 1.0), *g = gsl_vector_alloc(D);
    double U;
    gsl_vector_set_all(g, NAN); /* garbage: the gradient must be overwritten, not accumulated into */
    mlphys_require_implemented(losses_neg_log_posterior(X, y, w, sigma, tau, &U, g), "losses_neg_log_posterior", 6);
    const double h = 1e-4;
    for (size_t j = 0; j < D; j++) {
        double w0 = gsl_vector_get(w, j), up, um;
        gsl_vector_set(w, j, w0 + h);
        mlphys_require_implemented(losses_neg_log_posterior(X, y, w, sigma, tau, &up, NULL), "losses_neg_log_posterior", 6);
        gsl_vector_set(w, j, w0 - h);
        mlphys_require_implemented(losses_neg_log_posterior(X, y, w, sigma, tau, &um, NULL), "losses_neg_log_posterior", 6);
        gsl_vector_set(w, j, w0);
        /* U is quadratic: central differences are exact but for round-off eps |U| / h ~ 1e-10 */
        mlphys_assert_close(gsl_vector_get(g, j), (up - um) / (2 * h), 1e-7, 1e-9,
                            "dU/dw_%zu vs central difference (X^T (X w - y) / sigma^2 + w / tau^2)", j);
    }
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(g);
}

Test(losses, ridge_of_hand_worked_cases, .description = "X = I gives w = y / (1 + lambda); one feature gives w = x.y / (x.x + lambda)")
{
    gsl_matrix *I = gsl_matrix_alloc(3, 3);
    gsl_matrix_set_identity(I);
    gsl_vector *y = vec(3, (double[]){1, 2, 3}), *w = gsl_vector_alloc(3);
    gsl_vector_set_all(w, NAN);
    mlphys_require_implemented(losses_ridge(I, y, 0.5, w), "losses_ridge", 7);
    for (size_t j = 0; j < 3; j++) /* one Cholesky of a diagonal matrix: a few ulp */
        mlphys_assert_close(gsl_vector_get(w, j), gsl_vector_get(y, j) / 1.5, 0, 1e-14,
                            "w[%zu] for X = I, lambda = 0.5: (X^T X + lambda I) w = X^T y", j);
    double x[] = {1, 2, 3}, y1[] = {1, 1, 1};
    gsl_matrix_view X1 = gsl_matrix_view_array(x, 3, 1);
    gsl_vector_view yv = gsl_vector_view_array(y1, 3);
    gsl_vector *w1 = gsl_vector_alloc(1);
    mlphys_require_implemented(losses_ridge(&X1.matrix, &yv.vector, 2.0, w1), "losses_ridge", 7);
    mlphys_assert_close(gsl_vector_get(w1, 0), 6.0 / 16.0, 0, 1e-14, "w for x = (1,2,3), y = (1,1,1), "
                        "lambda = 2: x.y / (x.x + lambda) = 6/16");
    gsl_matrix_free(I), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(w1);
}

Test(losses, ridge_is_the_map_estimate, .description = "with lambda = sigma^2 / tau^2, the gradient of the negative log posterior vanishes at the ridge solution")
{
    const size_t N = 40, D = 6;
    gsl_matrix *X = random_matrix(N, D, 1.0);
    gsl_vector *y = random_vector(N, 1.0), *w = gsl_vector_alloc(D), *g = gsl_vector_alloc(D);
    gsl_vector *Xty = gsl_vector_alloc(D);
    const double st[][2] = {{0.5, 2.0}, {1.0, 0.1}, {2.0, 1.0}};
    for (int c = 0; c < 3; c++) {
        double sigma = st[c][0], tau = st[c][1], lambda = sigma * sigma / (tau * tau);
        mlphys_require_implemented(losses_ridge(X, y, lambda, w), "losses_ridge", 7);
        double U0 = nlp_reference(X, y, w, sigma, tau, g);
        gsl_blas_dgemv(CblasTrans, 1.0 / (sigma * sigma), X, y, 0.0, Xty);
        /* the gradient is a difference of terms of size |X^T y| / sigma^2; a backward-stable
         * solve leaves a residual of ~kappa eps of that scale (kappa ~ 5 here): 1e-10 relative */
        double scale = gsl_blas_dnrm2(Xty);
        for (size_t j = 0; j < D; j++)
            mlphys_assert_close(gsl_vector_get(g, j), 0.0, 1e-10 * scale, 0,
                                "dU/dw_%zu at your ridge solution (sigma = %g, tau = %g, lambda = %g): "
                                "solve (X^T X + lambda I) w = X^T y", j, sigma, tau, lambda);
        /* and it is a minimum: U grows in every coordinate direction */
        for (size_t j = 0; j < D; j++) {
            double w0 = gsl_vector_get(w, j);
            gsl_vector_set(w, j, w0 + 1e-3);
            double Up = nlp_reference(X, y, w, sigma, tau, NULL);
            gsl_vector_set(w, j, w0 - 1e-3);
            double Um = nlp_reference(X, y, w, sigma, tau, NULL);
            gsl_vector_set(w, j, w0);
            cr_expect(Up > U0 && Um > U0, "U(w +- 1e-3 e_%zu) is not above U(w): not the MAP", j);
        }
    }
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(g), gsl_vector_free(Xty);
}

Test(losses, ridge_matches_gsl, .description = "the ridge solution agrees with GSL's SVD-based gsl_multifit_linear_solve for several lambda")
{
    const size_t N = 50, D = 8;
    gsl_matrix *X = random_matrix(N, D, 1.0);
    gsl_vector *y = random_vector(N, 1.0), *w = gsl_vector_alloc(D), *c = gsl_vector_alloc(D);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(N, D);
    gsl_multifit_linear_svd(X, ws);
    const double lambdas[] = {0.0, 0.1, 3.0, 100.0};
    for (int l = 0; l < 4; l++) {
        double rnorm, snorm;
        /* GSL minimises |y - X c|^2 + mu^2 |c|^2: its parameter is mu = sqrt(lambda) */
        gsl_multifit_linear_solve(sqrt(lambdas[l]), X, y, c, &rnorm, &snorm, ws);
        mlphys_require_implemented(losses_ridge(X, y, lambdas[l], w), "losses_ridge", 7);
        /* normal equations square kappa (~3 here): both solutions are good to ~1e-15 */
        mlphys_assert_vector_close(w, c, 1e-12, 1e-10, "ridge weights vs GSL",
                                   "lambda is added to the diagonal of X^T X, not to X.");
    }
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(c);
}

Test(losses, ridge_handles_singular_designs, .description = "a zero column: lambda > 0 gives it weight 0, lambda = 0 returns GSL_EDOM; bad lambda or shapes are rejected")
{
    gsl_matrix *X = random_matrix(10, 3, 1.0);
    gsl_vector *y = random_vector(10, 1.0), *w = gsl_vector_alloc(3), *w2 = gsl_vector_alloc(2);
    for (size_t i = 0; i < 10; i++)
        gsl_matrix_set(X, i, 1, 0.0);
    mlphys_require_implemented(losses_ridge(X, y, 0.5, w), "losses_ridge", 7);
    /* the normal equation of w_1 reads (0 + lambda) w_1 = 0 exactly */
    mlphys_assert_close(gsl_vector_get(w, 1), 0.0, 1e-15, 0, "weight of an all-zero feature at lambda = 0.5 "
                        "(the prior pulls it to 0)");
    mlphys_require_status(losses_ridge(X, y, 0.0, w), GSL_EDOM, "losses_ridge",
                          "X^T X is singular (a zero column) and lambda = 0: report GSL_EDOM");
    mlphys_require_status(losses_ridge(X, y, -1.0, w), GSL_EINVAL, "losses_ridge", "lambda < 0 is no prior");
    mlphys_require_status(losses_ridge(X, y, 1.0, w2), GSL_EBADLEN, "losses_ridge", "w must have D = 3 entries");
    gsl_matrix_free(X), gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(w2);
}

Test(losses, posterior_softmax_and_standardize_reject_bad_arguments, .description = "losses_softmax, losses_neg_log_posterior and losses_standardize: wrong shapes give GSL_EBADLEN, bad sigma or tau GSL_EINVAL, and nothing is written")
{
    gsl_matrix *X = random_matrix(6, 3, 1.0), *Z = random_matrix(2, 3, 1.0), *P = gsl_matrix_alloc(2, 4);
    gsl_matrix *T = gsl_matrix_alloc(2, 4), *X0 = gsl_matrix_alloc(6, 3);
    gsl_vector *y = random_vector(6, 1.0), *w = random_vector(3, 1.0), *w2 = gsl_vector_alloc(2);
    gsl_vector *g = gsl_vector_alloc(3), *g2 = gsl_vector_alloc(2), *m = gsl_vector_alloc(3), *sc = gsl_vector_alloc(3);
    gsl_vector *m2 = gsl_vector_alloc(2);
    gsl_matrix_set_all(P, 7), gsl_matrix_set_all(T, 7), gsl_vector_set_all(g, 7), gsl_vector_set_all(g2, 7);
    gsl_vector_set_all(m, 7), gsl_vector_set_all(sc, 7), gsl_vector_set_all(m2, 7), gsl_matrix_memcpy(X0, X);
    double U = 7;
    mlphys_require_status(losses_softmax(Z, P), GSL_EBADLEN, "losses_softmax", "P is 2 x 4, Z is 2 x 3");
    mlphys_require_status(losses_neg_log_posterior(X, y, w2, 1, 1, &U, NULL), GSL_EBADLEN, "losses_neg_log_posterior",
                          "w has 2 entries, X has D = 3 columns");
    mlphys_require_status(losses_neg_log_posterior(X, y, w, 1, 1, &U, g2), GSL_EBADLEN, "losses_neg_log_posterior",
                          "grad has 2 entries for D = 3");
    mlphys_require_status(losses_neg_log_posterior(X, y, w, 0.0, 1, &U, g), GSL_EINVAL, "losses_neg_log_posterior", "sigma = 0");
    mlphys_require_status(losses_neg_log_posterior(X, y, w, 1, NAN, &U, g), GSL_EINVAL, "losses_neg_log_posterior", "tau = NaN");
    mlphys_require_status(losses_standardize(X, T, m, sc), GSL_EBADLEN, "losses_standardize",
                          "Xtest has 4 columns, Xtrain 3");
    mlphys_require_status(losses_standardize(X, NULL, m2, sc), GSL_EBADLEN, "losses_standardize", "mean has 2 entries for D = 3");
    cr_assert(U == 7, "U was written by a call that returned an error");
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 4; j++)
            cr_assert(gsl_matrix_get(P, i, j) == 7 && gsl_matrix_get(T, i, j) == 7, "P or Xtest entry (%zu, %zu) was "
                      "written by a call that returned an error: check every shape before writing", i, j);
    for (size_t j = 0; j < 3; j++)
        cr_assert(gsl_vector_get(g, j) == 7 && gsl_vector_get(m, j) == 7 && gsl_vector_get(sc, j) == 7,
                  "grad, mean or scale entry %zu was written by a call that returned an error", j);
    mlphys_assert_matrix_close(X, X0, 0, 0, "Xtrain after rejected calls", "check every shape before standardising anything.");
    gsl_matrix_free(X), gsl_matrix_free(Z), gsl_matrix_free(P), gsl_matrix_free(T), gsl_matrix_free(X0);
    gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(w2), gsl_vector_free(g), gsl_vector_free(g2);
    gsl_vector_free(m), gsl_vector_free(sc), gsl_vector_free(m2);
}

/* ---- standardisation ---------------------------------------------------------------------- */

Test(losses, standardize_a_hand_worked_case, .description = "Xtrain = [[1,5],[3,5]], Xtest = [[2,7]]: mean (2,5), scale (1,1), Xtest becomes [[0,2]]")
{
    double a[] = {1, 5, 3, 5}, t[] = {2, 7};
    gsl_matrix_view A = gsl_matrix_view_array(a, 2, 2), T = gsl_matrix_view_array(t, 1, 2);
    gsl_vector *m = gsl_vector_alloc(2), *s = gsl_vector_alloc(2);
    mlphys_require_implemented(losses_standardize(&A.matrix, &T.matrix, m, s), "losses_standardize", 8);
    /* every number here is small and exact in binary: exact results expected */
    const double wa[] = {-1, 0, 1, 0}, wt[] = {0, 2}, wm[] = {2, 5}, ws[] = {1, 1};
    for (int i = 0; i < 4; i++)
        mlphys_assert_close(a[i], wa[i], 1e-15, 0, "Xtrain entry %d (the sd is the 1/N one: sqrt(((1-2)^2 "
                            "+ (3-2)^2) / 2) = 1)", i);
    for (int i = 0; i < 2; i++) {
        mlphys_assert_close(t[i], wt[i], 1e-15, 0, "Xtest entry %d (use the training mean and scale; a "
                            "constant column has scale 1)", i);
        mlphys_assert_close(gsl_vector_get(m, i), wm[i], 1e-15, 0, "mean[%d]", i);
        mlphys_assert_close(gsl_vector_get(s, i), ws[i], 1e-15, 0, "scale[%d] (1 for a constant column)", i);
    }
    gsl_vector_free(m), gsl_vector_free(s);
}

Test(losses, standardized_columns_have_zero_mean_and_unit_sd, .description = "training columns end with mean 0 and sd 1 (GSL statistics), the test set with the training transform")
{
    const size_t N = 60, M = 9, D = 5;
    gsl_matrix *A = random_matrix(N, D, 1.0), *T = random_matrix(M, D, 1.0), *T0 = gsl_matrix_alloc(M, D);
    gsl_vector *m = gsl_vector_alloc(D), *s = gsl_vector_alloc(D), *m0 = gsl_vector_alloc(D), *s0 = gsl_vector_alloc(D);
    for (size_t j = 0; j < D; j++) /* very different offsets and scales per column */
        for (size_t n = 0; n < N; n++)
            gsl_matrix_set(A, n, j, 100.0 * (double)j + pow(10.0, (double)j - 2) * gsl_matrix_get(A, n, j));
    for (size_t n = 0; n < N; n++)
        gsl_matrix_set(A, n, 2, 16.0); /* a constant column, like a blank corner pixel */
    for (size_t j = 0; j < D; j++) {
        gsl_vector_view c = gsl_matrix_column(A, j);
        double mu = gsl_stats_mean(c.vector.data, c.vector.stride, N);
        double sd = gsl_stats_sd_with_fixed_mean(c.vector.data, c.vector.stride, N, mu); /* 1/N */
        gsl_vector_set(m0, j, mu), gsl_vector_set(s0, j, sd > 1e-12 ? sd : 1.0);
    }
    gsl_matrix_memcpy(T0, T);
    mlphys_require_implemented(losses_standardize(A, T, m, s), "losses_standardize", 8);
    mlphys_assert_vector_close(m, m0, 1e-12, 1e-12, "mean vs gsl_stats_mean", "average each column over rows");
    mlphys_assert_vector_close(s, s0, 1e-12, 1e-12, "scale vs the 1/N standard deviation",
                               "divide by N (not N - 1); a constant column has scale 1.");
    for (size_t j = 0; j < D; j++) {
        gsl_vector_view c = gsl_matrix_column(A, j);
        double mu = gsl_stats_mean(c.vector.data, c.vector.stride, N);
        double sd = gsl_stats_sd_with_fixed_mean(c.vector.data, c.vector.stride, N, 0.0);
        /* offsets up to 400 are removed: cancellation leaves ~400 eps / sd_j ~ 1e-11 at worst */
        mlphys_assert_close(mu, 0.0, 1e-10, 0, "mean of standardised training column %zu", j);
        mlphys_assert_close(sd, j == 2 ? 0.0 : 1.0, 1e-10, 0, "sd of standardised training column %zu%s", j,
                            j == 2 ? " (constant: centred only, so all zeros)" : "");
        for (size_t i = 0; i < M; i++)
            mlphys_assert_close(gsl_matrix_get(T, i, j),
                                (gsl_matrix_get(T0, i, j) - gsl_vector_get(m0, j)) / gsl_vector_get(s0, j),
                                1e-10, 1e-12, "Xtest[%zu][%zu]: transform it with the training mean and scale", i, j);
    }
    gsl_matrix_free(A), gsl_matrix_free(T), gsl_matrix_free(T0);
    gsl_vector_free(m), gsl_vector_free(s), gsl_vector_free(m0), gsl_vector_free(s0);
}

/* ---- softmax regression ------------------------------------------------------------------- */

Test(losses, logits_of_a_hand_worked_case, .description = "Z = X W + 1 b^T for a 2x2 input and 3 classes")
{
    double x[] = {1, 2, 3, 4}, wv[] = {1, 0, -1, 0, 1, 2}, bv[] = {10, 20, 30}, z[6];
    gsl_matrix_view X = gsl_matrix_view_array(x, 2, 2), W = gsl_matrix_view_array(wv, 2, 3);
    gsl_vector_view b = gsl_vector_view_array(bv, 3);
    gsl_matrix_view Z = gsl_matrix_view_array(z, 2, 3);
    mlphys_require_implemented(softreg_logits(&X.matrix, &W.matrix, &b.vector, &Z.matrix), "softreg_logits", 9);
    /* row 1: (1, 2) W = (1, 2, 3); row 2: (3, 4) W = (3, 4, 5); plus b */
    const double want[] = {11, 22, 33, 13, 24, 35};
    for (int i = 0; i < 6; i++)
        mlphys_assert_close(z[i], want[i], 0, 1e-15, "Z[%d][%d] (W is D x K: Z = X W, then add b to every row)",
                            i / 3, i % 3);
}

Test(losses, zero_weights_give_loss_log_k, .description = "at W = 0, b = 0 the loss is log K, db = 1/K - class frequencies, dW = X^T (1/K - Y) / N")
{
    const size_t N = 30, D = 4, K = 5;
    gsl_matrix *X = random_matrix(N, D, 1.0), *Y = random_onehot(N, K, NULL);
    gsl_matrix *W = gsl_matrix_calloc(D, K), *dW = gsl_matrix_alloc(D, K), *R = gsl_matrix_alloc(N, K);
    gsl_matrix *want = gsl_matrix_alloc(D, K);
    gsl_vector *b = gsl_vector_calloc(K), *db = gsl_vector_alloc(K), *wb = gsl_vector_alloc(K);
    double loss = NAN;
    gsl_matrix_set_all(dW, NAN), gsl_vector_set_all(db, NAN); /* garbage: must be overwritten, not accumulated into */
    mlphys_require_implemented(softreg_loss_grad(X, Y, W, b, &loss, dW, db), "softreg_loss_grad", 10);
    mlphys_assert_close(loss, log((double)K), 0, 1e-14, "loss at zero weights: every class has p = 1/K");
    gsl_matrix_set_all(R, 1.0 / (double)K);
    gsl_matrix_sub(R, Y);
    gsl_matrix_scale(R, 1.0 / (double)N);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, R, 0.0, want);
    for (size_t k = 0; k < K; k++) {
        double freq = 0;
        for (size_t n = 0; n < N; n++)
            freq += gsl_matrix_get(Y, n, k) / (double)N;
        gsl_vector_set(wb, k, 1.0 / (double)K - freq);
    }
    /* sums of 30 terms of size 1/N: 1e-14 absolute */
    mlphys_assert_vector_close(db, wb, 1e-14, 0, "db at zero weights", "db_k = sum_n dZ_nk = 1/K - fraction of class k.");
    mlphys_assert_matrix_close(dW, want, 1e-14, 0, "dW at zero weights", "dW = X^T dZ (D x K), with dZ = (P - Y) / N.");
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(W), gsl_matrix_free(dW), gsl_matrix_free(R);
    gsl_matrix_free(want), gsl_vector_free(b), gsl_vector_free(db), gsl_vector_free(wb);
}

Test(losses, softreg_gradient_matches_finite_differences, .description = "dW and db agree with central differences of your loss")
{
    const size_t N = 8, D = 4, K = 3;
    gsl_matrix *X = random_matrix(N, D, 1.0), *Y = random_onehot(N, K, NULL), *W = random_matrix(D, K, 1.0);
    gsl_matrix *dW = gsl_matrix_alloc(D, K);
    gsl_vector *b = random_vector(K, 1.0), *db = gsl_vector_alloc(K);
    double loss, lp, lm;
    gsl_matrix_set_all(dW, NAN), gsl_vector_set_all(db, NAN); /* garbage: must be overwritten */
    mlphys_require_implemented(softreg_loss_grad(X, Y, W, b, &loss, dW, db), "softreg_loss_grad", 10);
    const double h = 1e-5;
    /* truncation h^2 |L'''| ~ 1e-10 (|x| <~ 3), round-off eps |L| / h ~ 1e-10: 1e-8 absolute */
    for (size_t j = 0; j < D * K + K; j++) {
        double *p = j < D * K ? gsl_matrix_ptr(W, j / K, j % K) : gsl_vector_ptr(b, j - D * K), p0 = *p;
        *p = p0 + h;
        mlphys_require_implemented(softreg_loss_grad(X, Y, W, b, &lp, NULL, NULL), "softreg_loss_grad", 10);
        *p = p0 - h;
        mlphys_require_implemented(softreg_loss_grad(X, Y, W, b, &lm, NULL, NULL), "softreg_loss_grad", 10);
        *p = p0;
        if (j < D * K)
            mlphys_assert_close(gsl_matrix_get(dW, j / K, j % K), (lp - lm) / (2 * h), 1e-8, 0,
                                "dW[%zu][%zu] vs central difference (dW = X^T dZ)", j / K, j % K);
        else
            mlphys_assert_close(gsl_vector_get(db, j - D * K), (lp - lm) / (2 * h), 1e-8, 0,
                                "db[%zu] vs central difference (db = column sums of dZ)", j - D * K);
    }
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(W), gsl_matrix_free(dW);
    gsl_vector_free(b), gsl_vector_free(db);
}

Test(losses, fit_takes_gradient_steps_downhill, .description = "from zero: the first step is W = -lr X^T (1/K - Y) / N, history starts at log K and never increases")
{
    const size_t N = 40, D = 3, K = 4, T = 30;
    gsl_matrix *X = random_matrix(N, D, 1.0), *Y = random_onehot(N, K, NULL), *W = gsl_matrix_calloc(D, K);
    gsl_matrix *R = gsl_matrix_alloc(N, K), *want = gsl_matrix_alloc(D, K);
    gsl_vector *b = gsl_vector_calloc(K), *h1 = gsl_vector_alloc(1), *h = gsl_vector_alloc(T);
    /* The Hessian of the mean cross-entropy in (W, b) is at most (1/2) max_n |(x_n, 1)|^2 (the
     * softmax Hessian diag(p) - p p^T has eigenvalues <= 1/2), so lr = 1 / that bound is below
     * 2 / L: gradient descent on a convex L-smooth function then never goes uphill. */
    double L = 0;
    for (size_t n = 0; n < N; n++) {
        gsl_vector_view x = gsl_matrix_row(X, n);
        double r = gsl_blas_dnrm2(&x.vector);
        L = fmax(L, 0.5 * (r * r + 1));
    }
    const double lr = 1.0 / L;
    mlphys_require_implemented(softreg_fit(X, Y, W, b, lr, 1, h1), "softreg_fit", 11);
    gsl_matrix_set_all(R, 1.0 / (double)K);
    gsl_matrix_sub(R, Y);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, -lr / (double)N, X, R, 0.0, want);
    mlphys_assert_close(gsl_vector_get(h1, 0), log((double)K), 0, 1e-14, "history[0] from zero weights (log K)");
    /* sums of N terms of size lr / N: 1e-14 absolute */
    mlphys_assert_matrix_close(W, want, 1e-14, 0, "W after one step from zero", "W <- W - lr dW.");
    for (size_t k = 0; k < K; k++) {
        double freq = 0;
        for (size_t n = 0; n < N; n++)
            freq += gsl_matrix_get(Y, n, k) / (double)N;
        mlphys_assert_close(gsl_vector_get(b, k), -lr * (1.0 / (double)K - freq), 1e-14, 0,
                            "b[%zu] after one step from zero (b <- b - lr db)", k);
    }
    /* the loss at the (W, b) of the first step, by the textbook softmax (|z| <~ 5 here) */
    gsl_matrix *Z1 = gsl_matrix_alloc(N, K), *P1 = gsl_matrix_alloc(N, K);
    for (size_t n = 0; n < N; n++) {
        gsl_vector_view z = gsl_matrix_row(Z1, n);
        gsl_vector_memcpy(&z.vector, b);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, W, 1.0, Z1);
    naive_softmax(Z1, P1);
    double loss1 = 0;
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++)
            loss1 -= gsl_matrix_get(Y, n, k) * log(gsl_matrix_get(P1, n, k)) / (double)N;
    gsl_matrix_free(Z1), gsl_matrix_free(P1);
    gsl_vector_set_all(h, NAN);
    mlphys_require_implemented(softreg_fit(X, Y, W, b, lr, T, h), "softreg_fit", 11);
    /* a sum of N terms of size ~1: 1e-13 */
    mlphys_assert_close(gsl_vector_get(h, 0), loss1, 1e-13, 1e-13,
                        "history[0] of a second call to fit, which must continue from the W, b of the first call "
                        "(the loss there), not restart from zero (log K = %.6f)", log((double)K));
    for (size_t t = 1; t < T; t++)
        cr_expect(gsl_vector_get(h, t) <= gsl_vector_get(h, t - 1) + 1e-15,
                  "history[%zu] = %.12g > history[%zu] = %.12g at a safe step size: is the update "
                  "W - lr dW (minus), and history[t] the loss before step t?", t, gsl_vector_get(h, t), t - 1,
                  gsl_vector_get(h, t - 1));
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(W), gsl_matrix_free(R), gsl_matrix_free(want);
    gsl_vector_free(b), gsl_vector_free(h1), gsl_vector_free(h);
}

Test(losses, softreg_rejects_bad_arguments, .description = "wrong shapes give GSL_EBADLEN, lr <= 0 gives GSL_EINVAL")
{
    gsl_matrix *X = gsl_matrix_calloc(5, 3), *Y = random_onehot(5, 2, NULL), *W = gsl_matrix_calloc(3, 2);
    gsl_matrix *Wbad = gsl_matrix_calloc(2, 2), *Z = gsl_matrix_alloc(5, 2), *dW = gsl_matrix_alloc(3, 2);
    gsl_vector *b = gsl_vector_calloc(2), *h = gsl_vector_alloc(4);
    double loss;
    mlphys_require_status(softreg_logits(X, Wbad, b, Z), GSL_EBADLEN, "softreg_logits", "W must be D x K = 3 x 2");
    mlphys_require_status(softreg_loss_grad(X, Y, W, b, &loss, dW, NULL), GSL_EBADLEN, "softreg_loss_grad",
                          "dW given but db NULL");
    mlphys_require_status(softreg_fit(X, Y, W, b, 0.0, 4, h), GSL_EINVAL, "softreg_fit", "lr = 0");
    mlphys_require_status(softreg_fit(X, Y, W, b, 0.1, 3, h), GSL_EBADLEN, "softreg_fit",
                          "history has 4 entries for 3 steps");
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(W), gsl_matrix_free(Wbad), gsl_matrix_free(Z);
    gsl_matrix_free(dW), gsl_vector_free(b), gsl_vector_free(h);
}

/* ---- strided views ----------------------------------------------------------------------------
 * A gsl_matrix may be a view into a larger matrix: row n starts at data + n * tda, and tda can be
 * larger than size2.  Each argument below is an r x c submatrix at column 1 of an r x (c + 3)
 * parent whose other entries hold a sentinel; inputs are checked to be unchanged, outputs to
 * leave the padding alone, and the values against independent references. */

#define PAD 3
#define SENTINEL -123.25

/* A parent of r x (c + PAD) full of SENTINEL, with src (or NaN if src is NULL) copied at column 1. */
static gsl_matrix *padded(size_t r, size_t c, const gsl_matrix *src, gsl_matrix_view *view)
{
    gsl_matrix *parent = gsl_matrix_alloc(r, c + PAD);
    gsl_matrix_set_all(parent, SENTINEL);
    *view = gsl_matrix_submatrix(parent, 0, 1, r, c);
    if (src)
        gsl_matrix_memcpy(&view->matrix, src);
    else
        gsl_matrix_set_all(&view->matrix, NAN);
    return parent;
}

/* The padding of a parent made by padded() still holds the sentinel. */
static void check_padding(const gsl_matrix *parent, size_t c, const char *what)
{
    for (size_t i = 0; i < parent->size1; i++)
        for (size_t j = 0; j < parent->size2; j++)
            if ((j == 0 || j > c) && gsl_matrix_get(parent, i, j) != SENTINEL)
                cr_assert_fail("%s: entry (%zu, %zu) of the parent matrix, outside the view, was changed to %g. Row n of "
                               "a view starts at data + n * tda (tda = %zu here, size2 = %zu): use gsl_matrix_get/set or "
                               "tda, never size2", what, i, j, gsl_matrix_get(parent, i, j), parent->size2, c);
}

Test(losses, softmax_and_xent_accept_strided_views, .description = "softmax and cross-entropy on submatrix views (tda > size2): right values, inputs unchanged, padding untouched")
{
    const size_t N = 5, K = 4;
    gsl_matrix *Z = random_matrix(N, K, 3.0), *Y = random_onehot(N, K, NULL), *P = gsl_matrix_alloc(N, K);
    gsl_matrix_view Zv, Yv, Pv, dZv;
    gsl_matrix *Zp = padded(N, K, Z, &Zv), *Yp = padded(N, K, Y, &Yv), *Pp = padded(N, K, NULL, &Pv);
    gsl_matrix *dZp = padded(N, K, NULL, &dZv);
    naive_softmax(Z, P); /* |z| <~ 15: the textbook formula is accurate to ~1e-15 here */
    mlphys_require_implemented(losses_softmax(&Zv.matrix, &Pv.matrix), "losses_softmax", 4);
    mlphys_assert_matrix_close(&Pv.matrix, P, 1e-15, 1e-13, "softmax of a submatrix view", "row n of a view starts at "
                               "data + n * tda.");
    check_padding(Pp, K, "losses_softmax output P");
    check_padding(Zp, K, "losses_softmax input Z");
    mlphys_assert_matrix_close(&Zv.matrix, Z, 0, 0, "the logits after losses_softmax(Z, P) with P != Z", "Z is const.");
    double loss = NAN, want = 0;
    mlphys_require_implemented(losses_softmax_xent(&Zv.matrix, &Yv.matrix, &loss, &dZv.matrix), "losses_softmax_xent", 5);
    for (size_t n = 0; n < N; n++)
        for (size_t k = 0; k < K; k++)
            want -= gsl_matrix_get(Y, n, k) * log(gsl_matrix_get(P, n, k)) / (double)N;
    mlphys_assert_close(loss, want, 1e-13, 1e-12, "cross-entropy of submatrix views Z, Y");
    gsl_matrix_sub(P, Y), gsl_matrix_scale(P, 1.0 / (double)N);
    mlphys_assert_matrix_close(&dZv.matrix, P, 1e-13, 1e-12, "dZ written into a submatrix view", "dZ = (P - Y) / N, "
                               "row n at dZ->data + n * dZ->tda.");
    check_padding(dZp, K, "losses_softmax_xent output dZ");
    check_padding(Zp, K, "losses_softmax_xent input Z"), check_padding(Yp, K, "losses_softmax_xent input Y");
    mlphys_assert_matrix_close(&Zv.matrix, Z, 0, 0, "Z after losses_softmax_xent", "Z is const.");
    gsl_matrix_free(Z), gsl_matrix_free(Y), gsl_matrix_free(P);
    gsl_matrix_free(Zp), gsl_matrix_free(Yp), gsl_matrix_free(Pp), gsl_matrix_free(dZp);
}

Test(losses, regression_and_classifier_accept_strided_views, .description = "neg_log_posterior, ridge, standardize, logits, loss_grad and fit on submatrix views (tda > size2)")
{
    const size_t N = 12, D = 3, K = 4, M = 5;
    gsl_matrix *X = random_matrix(N, D, 1.0), *Y = random_onehot(N, K, NULL), *W = random_matrix(D, K, 0.5);
    gsl_vector *y = random_vector(N, 1.0), *w = random_vector(D, 1.0), *g = gsl_vector_alloc(D), *g0 = gsl_vector_alloc(D);
    gsl_matrix_view Xv, Yv, Wv, Zv, dWv, Tv;
    gsl_matrix *Xp = padded(N, D, X, &Xv), *Yp = padded(N, K, Y, &Yv), *Wp = padded(D, K, W, &Wv);
    /* 1. U(w) and its gradient with a strided X, against GSL's densities (nlp_reference) */
    double U = NAN, U0 = nlp_reference(X, y, w, 0.7, 1.3, g0);
    gsl_vector_set_all(g, NAN);
    mlphys_require_implemented(losses_neg_log_posterior(&Xv.matrix, y, w, 0.7, 1.3, &U, g), "losses_neg_log_posterior", 6);
    mlphys_assert_close(U, U0, 1e-12, 1e-12, "U(w) with X a submatrix view");
    mlphys_assert_vector_close(g, g0, 1e-12, 1e-12, "grad U with X a submatrix view", "X^T (X w - y) / sigma^2 + w / tau^2");
    check_padding(Xp, D, "losses_neg_log_posterior input X");
    /* 2. ridge with a strided X, against GSL's SVD-based Tikhonov solver on a contiguous copy */
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(N, D);
    gsl_vector *c = gsl_vector_alloc(D);
    double rnorm, snorm;
    gsl_multifit_linear_svd(X, ws);
    gsl_multifit_linear_solve(sqrt(0.3), X, y, c, &rnorm, &snorm, ws);
    gsl_vector_set_all(w, NAN);
    mlphys_require_implemented(losses_ridge(&Xv.matrix, y, 0.3, w), "losses_ridge", 7);
    mlphys_assert_vector_close(w, c, 1e-12, 1e-10, "ridge weights with X a submatrix view (lambda = 0.3)",
                               "X^T X and X^T y over rows at data + n * tda.");
    check_padding(Xp, D, "losses_ridge input X");
    /* 3. logits Z = X W + 1 b^T with X, W, Z strided, against our own dgemm */
    gsl_vector *b = random_vector(K, 1.0);
    gsl_matrix *Z = gsl_matrix_alloc(N, K), *Zp = padded(N, K, NULL, &Zv);
    for (size_t n = 0; n < N; n++) {
        gsl_vector_view z = gsl_matrix_row(Z, n);
        gsl_vector_memcpy(&z.vector, b);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, X, W, 1.0, Z);
    mlphys_require_implemented(softreg_logits(&Xv.matrix, &Wv.matrix, b, &Zv.matrix), "softreg_logits", 9);
    mlphys_assert_matrix_close(&Zv.matrix, Z, 1e-14, 1e-14, "logits with X, W, Z submatrix views", "Z = X W + 1 b^T.");
    check_padding(Zp, K, "softreg_logits output Z");
    /* 4. loss and gradient with X, Y, W, dW strided: dW = X^T (P - Y) / N from the naive softmax */
    gsl_matrix *dW = gsl_matrix_alloc(D, K), *dWp = padded(D, K, NULL, &dWv), *P = gsl_matrix_alloc(N, K);
    gsl_vector *db = gsl_vector_alloc(K);
    gsl_vector_set_all(db, NAN);
    naive_softmax(Z, P), gsl_matrix_sub(P, Y), gsl_matrix_scale(P, 1.0 / (double)N);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, X, P, 0.0, dW);
    double loss = NAN;
    mlphys_require_implemented(softreg_loss_grad(&Xv.matrix, &Yv.matrix, &Wv.matrix, b, &loss, &dWv.matrix, db),
                               "softreg_loss_grad", 10);
    mlphys_assert_matrix_close(&dWv.matrix, dW, 1e-14, 1e-12, "dW written into a submatrix view", "dW = X^T dZ.");
    check_padding(dWp, K, "softreg_loss_grad output dW");
    check_padding(Xp, D, "softreg_loss_grad input X"), check_padding(Yp, K, "softreg_loss_grad input Y");
    check_padding(Wp, K, "softreg_loss_grad input W");
    mlphys_assert_matrix_close(&Wv.matrix, W, 0, 0, "W after softreg_loss_grad", "W is const there.");
    /* 5. one step of fit from W = 0, b = 0 with X, Y, W strided: W = -lr X^T (1/K - Y) / N */
    gsl_matrix_set_zero(&Wv.matrix), gsl_vector_set_zero(b);
    mlphys_require_implemented(softreg_fit(&Xv.matrix, &Yv.matrix, &Wv.matrix, b, 0.5, 1, NULL), "softreg_fit", 11);
    gsl_matrix_set_all(P, 1.0 / (double)K), gsl_matrix_sub(P, Y);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, -0.5 / (double)N, X, P, 0.0, dW);
    mlphys_assert_matrix_close(&Wv.matrix, dW, 1e-14, 1e-12, "W after one step from zero, W a submatrix view",
                               "W <- W - lr dW, row n of W at data + n * tda.");
    check_padding(Wp, K, "softreg_fit in/out W");
    /* 6. standardize Xtrain (strided) and Xtest (strided) against GSL's statistics */
    gsl_matrix *T = random_matrix(M, D, 2.0), *Tp = padded(M, D, T, &Tv);
    gsl_vector *mean = gsl_vector_alloc(D), *scale = gsl_vector_alloc(D);
    mlphys_require_implemented(losses_standardize(&Xv.matrix, &Tv.matrix, mean, scale), "losses_standardize", 8);
    for (size_t j = 0; j < D; j++) {
        gsl_vector_view col = gsl_matrix_column(X, j);
        double mu = gsl_stats_mean(col.vector.data, col.vector.stride, N);
        double sd = gsl_stats_sd_with_fixed_mean(col.vector.data, col.vector.stride, N, mu);
        mlphys_assert_close(gsl_vector_get(mean, j), mu, 1e-14, 1e-12, "mean[%zu] of a strided Xtrain", j);
        mlphys_assert_close(gsl_vector_get(scale, j), sd, 1e-14, 1e-12, "scale[%zu] of a strided Xtrain", j);
        for (size_t n = 0; n < N; n++)
            mlphys_assert_close(gsl_matrix_get(&Xv.matrix, n, j), (gsl_matrix_get(X, n, j) - mu) / sd, 1e-13, 1e-12,
                                "standardised Xtrain[%zu][%zu] in a submatrix view", n, j);
        for (size_t n = 0; n < M; n++)
            mlphys_assert_close(gsl_matrix_get(&Tv.matrix, n, j), (gsl_matrix_get(T, n, j) - mu) / sd, 1e-13, 1e-12,
                                "standardised Xtest[%zu][%zu] in a submatrix view", n, j);
    }
    check_padding(Xp, D, "losses_standardize Xtrain"), check_padding(Tp, D, "losses_standardize Xtest");
    gsl_multifit_linear_free(ws);
    gsl_matrix_free(X), gsl_matrix_free(Y), gsl_matrix_free(W), gsl_matrix_free(Z), gsl_matrix_free(dW), gsl_matrix_free(P);
    gsl_matrix_free(T), gsl_matrix_free(Xp), gsl_matrix_free(Yp), gsl_matrix_free(Wp), gsl_matrix_free(Zp);
    gsl_matrix_free(dWp), gsl_matrix_free(Tp);
    gsl_vector_free(y), gsl_vector_free(w), gsl_vector_free(g), gsl_vector_free(g0), gsl_vector_free(c);
    gsl_vector_free(b), gsl_vector_free(db), gsl_vector_free(mean), gsl_vector_free(scale);
}

/* ---- the digits ------------------------------------------------------------------------------ */

/* The fixed split data/07-digits-split.csv (made once by data/07-make-split.sh). */
struct digits { gsl_matrix *X, *Y; int *label; };

static void load_digits(struct digits *tr, struct digits *te)
{
    char err[512];
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix(mlphys_data_path("digits.csv.gz"), 0, &all, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the digits: %s", err);
    if (mlphys_table_read(mlphys_data_path("07-digits-split.csv"), 1, &split, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the split: %s", err);
    cr_assert(split->rows == all->size1 && all->size2 == 65, "the split has %zu rows for %zu digits",
              split->rows, all->size1);
    size_t sizes[2] = {0, 0};
    for (size_t r = 0; r < split->rows; r++)
        sizes[strcmp(mlphys_table_cell(split, r, 1), "train") != 0]++;
    struct digits *d[2] = {tr, te};
    for (int s = 0; s < 2; s++) {
        d[s]->X = gsl_matrix_alloc(sizes[s], 64);
        d[s]->Y = gsl_matrix_calloc(sizes[s], 10);
        d[s]->label = malloc(sizes[s] * sizeof(int));
        sizes[s] = 0;
    }
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        size_t i = sizes[s]++;
        for (size_t j = 0; j < 64; j++)
            gsl_matrix_set(d[s]->X, i, j, gsl_matrix_get(all, r, j));
        d[s]->label[i] = (int)gsl_matrix_get(all, r, 64);
        gsl_matrix_set(d[s]->Y, i, (size_t)d[s]->label[i], 1.0);
    }
    gsl_matrix_free(all);
    mlphys_table_free(split);
}

static void digits_free(struct digits *d)
{
    gsl_matrix_free(d->X), gsl_matrix_free(d->Y), free(d->label);
}

/* The step size and number of steps of the digits test.  Measured with the reference
 * solution on this split, test accuracy after t full-batch steps from zero:
 *   lr = 0.5: 0.937 (t = 10), 0.955 (20), 0.975 (100)
 *   lr = 1:   0.940 (5), 0.955 (10), 0.971 (20), 0.975 (40)
 *   lr = 2:   0.955 (5), 0.971 (10), 0.975 (20); the training loss still falls at every step.
 * Each step costs 1 ms of CPU natively but 70 ms under valgrind (the suite is memchecked too),
 * so the test takes few, large steps: lr = 2, 10 steps, 0.971 with a margin of 14 digits. */
#define DIGITS_LR 2.0
#define DIGITS_STEPS 10

Test(losses, softmax_regression_reaches_94_percent_on_the_digits, .description = "standardise, then 10 full-batch steps from zero at lr = 2: test accuracy >= 0.94 on the fixed split")
{
    struct digits tr, te;
    load_digits(&tr, &te);
    gsl_vector *m = gsl_vector_alloc(64), *s = gsl_vector_alloc(64), *b = gsl_vector_calloc(10);
    gsl_matrix *W = gsl_matrix_calloc(64, 10), *Z = gsl_matrix_alloc(te.X->size1, 10);
    mlphys_require_implemented(losses_standardize(tr.X, te.X, m, s), "losses_standardize", 8);
    mlphys_require_implemented(softreg_fit(tr.X, tr.Y, W, b, DIGITS_LR, DIGITS_STEPS, NULL), "softreg_fit", 11);
    /* our own logits and argmax */
    for (size_t n = 0; n < Z->size1; n++) {
        gsl_vector_view z = gsl_matrix_row(Z, n);
        gsl_vector_memcpy(&z.vector, b);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, te.X, W, 1.0, Z);
    size_t right = 0;
    for (size_t n = 0; n < Z->size1; n++) {
        gsl_vector_view z = gsl_matrix_row(Z, n);
        right += (int)gsl_vector_max_index(&z.vector) == te.label[n];
    }
    double acc = (double)right / (double)Z->size1;
    /* The curriculum's bar; a linear classifier on standardised pixels gets ~0.97 */
    cr_assert(acc >= 0.94, "test accuracy %.4f (%zu of %zu) < 0.94 after %d steps at lr = %g. Standardise "
              "both sets with the training mean and scale; is the update W - lr dW?", acc, right, Z->size1,
              DIGITS_STEPS, DIGITS_LR);
    digits_free(&tr), digits_free(&te);
    gsl_vector_free(m), gsl_vector_free(s), gsl_vector_free(b), gsl_matrix_free(W), gsl_matrix_free(Z);
}
