/*
 * Chapter 06 tests: Bayes' rule against a case worked by hand (odds form), the samplers
 * against their exact CDFs (round trip F(x_k) = u_k, and a Kolmogorov-Smirnov test), the
 * empirical characteristic function against closed forms: e^{-t^2/2} (Gaussian), e^{-|t|}
 * (Cauchy, and the mean of Cauchy draws), [sin(a)/a]^m (sum of m uniforms).
 * Nothing here is compared with numbers produced by the reference solution.
 *
 * How the statistical tolerances were set.  For one t and a symmetric law, sqrt(n) (phi_n(t) -
 * phi(t)) is close to a complex Gaussian with independent parts of variance
 * Var cos(tX) = (1 + phi(2t))/2 - phi(t)^2 and Var sin(tX) = (1 - phi(2t))/2, both <= v with
 * v = 1/2 when phi >= 0 (Gaussian, Cauchy) and v = 0.61 for one uniform (min sin(a)/a = -0.217).
 * So  P(|phi_n(t) - phi(t)| > r) <= exp(-n r^2 / (2 v)),  and a union bound over a grid of T
 * points gives P(max_t ... > r) <= T exp(-n r^2 / (2 v)).  Every "max over t" tolerance below
 * makes that bound < 1e-7 (stricter than 5 sigma, 5.7e-7).
 * Measured over MLPHYS_SEED = 1..300 with the reference solution (mean, sd, max of the max):
 *     N(0,1), n = 1e5, 51 t in [0, 5]:              0.0044, 0.0013, 0.0098  (tolerance 0.015)
 *     means of 10 Cauchy, 2e4 means, 51 t in [0, 5]: 0.0125, 0.0026, 0.0231  (here 3e4 means)
 *     sums of m = 1..16 uniforms, 2e4 sums, 41 t:    0.0092, 0.0030, 0.0220  (tolerance 0.035)
 *     sum of 16 uniforms vs exp(-t^2/2), 2e4 sums:   0.0108, 0.0036, 0.0268  (here 4e4 sums)
 *     sqrt(n) D_n (KS), n = 1e4, exponential/Cauchy: max 2.02 / 1.69          (tolerance 2.75)
 */
#include "mlphys_test.h"
#include "probability.h"

#include <gsl/gsl_math.h>
#include <gsl/gsl_sort_vector.h>

MLPHYS_SUITE(probability, 10);

/* ---- helpers --------------------------------------------------------------------------- */

/* Outputs are allocated filled with NaN, so an entry left unwritten (an early return, a loop
 * one short) fails visibly instead of passing on whatever malloc returned. */
static gsl_vector *nan_vector(size_t n)
{
    gsl_vector *v = gsl_vector_alloc(n);
    gsl_vector_set_all(v, NAN);
    return v;
}

static gsl_vector *vec(size_t n, const double *a)
{
    gsl_vector *v = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, a[i]);
    return v;
}

/* t_j = tmax j / (T - 1), j = 0..T-1 */
static gsl_vector *t_grid(size_t T, double tmax)
{
    gsl_vector *t = gsl_vector_alloc(T);
    for (size_t j = 0; j < T; j++)
        gsl_vector_set(t, j, tmax * (double)j / (double)(T - 1));
    return t;
}

/* max_j |phi_n(t_j) - phi(t_j)| for a real characteristic function phi (a symmetric law);
 * the imaginary part is compared with 0.  Stores the worst t in *tworst. */
static double cf_max_deviation(const gsl_vector *x, const gsl_vector *t, double (*phi)(double, double),
                               double param, double *tworst)
{
    gsl_vector *re = nan_vector(t->size), *im = nan_vector(t->size);
    mlphys_require_implemented(prob_empirical_cf(x, t, re, im), "prob_empirical_cf", 4);
    double worst = 0;
    *tworst = 0;
    for (size_t j = 0; j < t->size; j++) {
        double tj = gsl_vector_get(t, j), r = gsl_vector_get(re, j), i = gsl_vector_get(im, j);
        if (!isfinite(r) || !isfinite(i)) /* checked first: no later finite entry may hide it */
            cr_assert_fail("phi_n(t) at t = %g (index %zu) is %g + %g i, not a finite number: every re[j] and "
                           "im[j] must be written, and the samples must be finite", tj, j, r, i);
        double d = hypot(r - phi(tj, param), i);
        if (d > worst) {
            worst = d;
            *tworst = tj;
        }
    }
    gsl_vector_free(re), gsl_vector_free(im);
    return worst;
}

static double phi_gauss(double t, double unused) { (void)unused; return exp(-0.5 * t * t); }
static double phi_cauchy(double t, double gamma) { return exp(-gamma * fabs(t)); }
/* sum of m uniforms on [0,1), centred and scaled to unit variance: each centred uniform has
 * CF sin(s/2)/(s/2), and z = sum / sqrt(m/12) gives s = t sqrt(12/m), so a = t sqrt(3/m). */
static double phi_usum(double t, double m)
{
    double a = t * sqrt(3.0 / m);
    return a == 0 ? 1.0 : pow(sin(a) / a, m);
}

/* Kolmogorov-Smirnov: sqrt(n) sup_x |F_n(x) - F(x)| (sorts x in place). */
static double ks_statistic(gsl_vector *x, double (*F)(double, double, double), double a, double b)
{
    const size_t n = x->size;
    gsl_sort_vector(x);
    double D = 0;
    for (size_t i = 0; i < n; i++) {
        double f = F(gsl_vector_get(x, i), a, b);
        if (!isfinite(f)) /* a NaN sample: checked before fmax, which would ignore it */
            return INFINITY;
        double up = (double)(i + 1) / (double)n - f, down = f - (double)i / (double)n;
        D = fmax(D, fmax(up, down));
    }
    return sqrt((double)n) * D;
}

/* P(sqrt(n) D_n > 2.75) = 2 sum_k (-1)^{k-1} exp(-2 k^2 2.75^2) = 5.4e-7 (Kolmogorov's limit
 * law): the 5-sigma (two-sided 5.7e-7) point.  A wrong rate or width by 10% gives ~4-5 at
 * n = 1e4, far above it. */
#define KS_5SIGMA 2.75

static double cdf_exponential(double x, double rate, double unused)
{
    (void)unused;
    return x <= 0 ? 0.0 : -expm1(-rate * x);
}
static double cdf_cauchy(double x, double x0, double gamma) { return 0.5 + atan((x - x0) / gamma) / M_PI; }

/* ---- Bayes ----------------------------------------------------------------------------- */

/* The diagnostic test: prevalence 1%, sensitivity P(+|ill) = 0.9, false positives
 * P(+|healthy) = 0.09.  By hand: P(+) = 0.01*0.9 + 0.99*0.09 = 0.0981 and
 * P(ill|+) = 0.009/0.0981 = 0.0917 (in odds: 1/99 times the likelihood ratio 10 = 10/99,
 * so P = 10/109).  All tolerances are round-off: a handful of flops on numbers of order 1. */
Test(probability, bayes_diagnostic_test_by_hand,
     .description = "1% prevalence, 90% sensitivity, 9% false positives: P(ill | +) = 10/109 = 0.0917")
{
    double p[] = {0.01, 0.99}, l[] = {0.9, 0.09};
    gsl_vector *prior = vec(2, p), *like = vec(2, l), *post = nan_vector(2);
    double ev = -1;
    mlphys_require_implemented(prob_bayes_update(prior, like, post, &ev), "prob_bayes_update", 1);
    mlphys_assert_close(ev, 0.0981, 1e-15, 1e-13, "evidence P(+) = 0.01*0.9 + 0.99*0.09 (did you forget the false positives of the healthy 99%%?)");
    mlphys_assert_close(gsl_vector_get(post, 0), 10.0 / 109.0, 1e-15, 1e-13,
                        "P(ill | +) (0.9 would be P(+ | ill): did you forget to divide by P(+) or to weight by the prior?)");
    mlphys_assert_close(gsl_vector_get(post, 1), 99.0 / 109.0, 1e-15, 1e-13, "P(healthy | +)");
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(post);
}

Test(probability, bayes_negative_result_by_hand,
     .description = "after a negative test P(ill | -) = 0.001/0.9019 = 0.00110877")
{
    /* P(-|ill) = 0.1, P(-|healthy) = 0.91: P(-) = 0.001 + 0.9009 = 0.9019 */
    double p[] = {0.01, 0.99}, l[] = {0.1, 0.91};
    gsl_vector *prior = vec(2, p), *like = vec(2, l), *post = nan_vector(2);
    double ev = -1;
    mlphys_require_implemented(prob_bayes_update(prior, like, post, &ev), "prob_bayes_update", 1);
    mlphys_assert_close(ev, 0.9019, 1e-15, 1e-13, "evidence P(-)");
    mlphys_assert_close(gsl_vector_get(post, 0), 0.001 / 0.9019, 1e-17, 1e-12, "P(ill | -)");
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(post);
}

Test(probability, bayes_second_positive_in_place,
     .description = "two positive tests in a row (posterior updated in place): P(ill | ++) = 100/199")
{
    /* Odds multiply by the likelihood ratio 0.9/0.09 = 10 per positive test: 1/99 -> 100/99. */
    double p[] = {0.01, 0.99}, l[] = {0.9, 0.09};
    gsl_vector *belief = vec(2, p), *like = vec(2, l);
    double ev1 = -1, ev2 = -1;
    mlphys_require_implemented(prob_bayes_update(belief, like, belief, &ev1), "prob_bayes_update", 1);
    mlphys_require_implemented(prob_bayes_update(belief, like, belief, &ev2), "prob_bayes_update", 1);
    mlphys_assert_close(gsl_vector_get(belief, 0), 100.0 / 199.0, 1e-15, 1e-12,
                        "P(ill | two positives) with posterior == prior (read every prior entry before you overwrite it)");
    /* P(++) = P(+) P(second + | first +) = 0.0981 * (0.9*10/109 + 0.09*99/109) */
    mlphys_assert_close(ev1 * ev2, 0.01 * 0.81 + 0.99 * 0.0081, 1e-16, 1e-12, "P(+ +) as the product of the two evidences");
    gsl_vector_free(belief), gsl_vector_free(like);
}

Test(probability, bayes_evidence_may_be_null,
     .description = "evidence = NULL (not wanted) still gives the posterior 10/109, 99/109")
{
    double p[] = {0.01, 0.99}, l[] = {0.9, 0.09};
    gsl_vector *prior = vec(2, p), *like = vec(2, l), *post = nan_vector(2);
    mlphys_require_implemented(prob_bayes_update(prior, like, post, NULL), "prob_bayes_update", 1);
    /* round-off: a handful of flops on numbers of order 1 */
    mlphys_assert_close(gsl_vector_get(post, 0), 10.0 / 109.0, 1e-15, 1e-13, "P(ill | +) with evidence = NULL");
    mlphys_assert_close(gsl_vector_get(post, 1), 99.0 / 109.0, 1e-15, 1e-13, "P(healthy | +) with evidence = NULL");
    cr_assert(gsl_vector_get(prior, 0) == 0.01 && gsl_vector_get(prior, 1) == 0.99 && gsl_vector_get(like, 0) == 0.9
              && gsl_vector_get(like, 1) == 0.09, "prob_bayes_update changed prior or likelihood (both are const)");
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(post);
}

Test(probability, bayes_many_hypotheses_invariants,
     .description = "K = 7 random hypotheses: posterior sums to 1 and posterior ratios are likelihood-ratio times prior-ratio")
{
    const size_t K = 7;
    gsl_rng *rng = mlphys_rng();
    gsl_vector *prior = nan_vector(K), *like = nan_vector(K), *post = nan_vector(K);
    double s = 0;
    for (size_t k = 0; k < K; k++) {
        gsl_vector_set(prior, k, 0.05 + gsl_rng_uniform(rng));
        gsl_vector_set(like, k, 0.01 + gsl_rng_uniform(rng));
        s += gsl_vector_get(prior, k);
    }
    gsl_vector_scale(prior, 1.0 / s);
    double ev = -1, sum = 0, want_ev = 0;
    mlphys_require_implemented(prob_bayes_update(prior, like, post, &ev), "prob_bayes_update", 1);
    for (size_t k = 0; k < K; k++) {
        sum += gsl_vector_get(post, k);
        want_ev += gsl_vector_get(prior, k) * gsl_vector_get(like, k);
    }
    mlphys_assert_close(sum, 1.0, 1e-14, 0, "sum of the posterior over K = 7 hypotheses");
    mlphys_assert_close(ev, want_ev, 1e-15, 1e-13, "evidence = sum_k likelihood_k prior_k");
    for (size_t k = 1; k < K; k++) {
        double got = gsl_vector_get(post, k) / gsl_vector_get(post, 0);
        double want = gsl_vector_get(like, k) * gsl_vector_get(prior, k) / (gsl_vector_get(like, 0) * gsl_vector_get(prior, 0));
        mlphys_assert_close(got, want, 0, 1e-13, "posterior ratio P(H_%zu|D)/P(H_0|D)", k);
    }
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(post);
}

Test(probability, bayes_rejects_bad_input,
     .description = "wrong sizes give GSL_EBADLEN; negative entries, an unnormalised prior or impossible data give GSL_EINVAL; outputs untouched")
{
    double p[] = {0.3, 0.7}, l[] = {0.5, 0.5}, neg[] = {-0.1, 1.1}, half[] = {0.3, 0.2}, zero[] = {0, 0};
    gsl_vector *prior = vec(2, p), *like = vec(2, l), *post = nan_vector(2), *three = nan_vector(3);
    gsl_vector *bad_prior = vec(2, neg), *unnorm = vec(2, half), *impossible = vec(2, zero);
    gsl_vector_set_all(post, 42);
    double ev = 42;
    mlphys_require_status(prob_bayes_update(prior, three, post, &ev), GSL_EBADLEN, "prob_bayes_update",
                          "likelihood has 3 entries for 2 hypotheses");
    mlphys_require_status(prob_bayes_update(prior, like, three, &ev), GSL_EBADLEN, "prob_bayes_update",
                          "posterior has 3 entries for 2 hypotheses");
    mlphys_require_status(prob_bayes_update(bad_prior, like, post, &ev), GSL_EINVAL, "prob_bayes_update",
                          "a prior of -0.1 is not a probability");
    mlphys_require_status(prob_bayes_update(unnorm, like, post, &ev), GSL_EINVAL, "prob_bayes_update",
                          "a prior summing to 0.5 is not normalised");
    mlphys_require_status(prob_bayes_update(prior, impossible, post, &ev), GSL_EINVAL, "prob_bayes_update",
                          "P(D) = 0: the data are impossible under every hypothesis");
    double nanl[] = {0.5, NAN}, infl[] = {INFINITY, 0.5};
    gsl_vector *nan_like = vec(2, nanl), *inf_like = vec(2, infl);
    mlphys_require_status(prob_bayes_update(prior, nan_like, post, &ev), GSL_EINVAL, "prob_bayes_update",
                          "a likelihood of NaN is not a probability (test !(l >= 0), which is true for NaN, not l < 0)");
    mlphys_require_status(prob_bayes_update(prior, inf_like, post, &ev), GSL_EINVAL, "prob_bayes_update",
                          "a likelihood of +Inf is not finite");
    gsl_vector_free(nan_like), gsl_vector_free(inf_like);
    cr_expect(gsl_vector_get(post, 0) == 42 && gsl_vector_get(post, 1) == 42 && ev == 42,
              "posterior or evidence was written although the input was rejected: check everything first");
    gsl_vector_free(prior), gsl_vector_free(like), gsl_vector_free(post), gsl_vector_free(three);
    gsl_vector_free(bad_prior), gsl_vector_free(unnorm), gsl_vector_free(impossible);
}

/* ---- inverse-CDF sampling -------------------------------------------------------------- */

/* Round trip: with a clone of the generator the test replays the same uniforms u_k and checks
 * F(x_k) = u_k with the exact CDF.  Tolerance 1e-12 absolute: log1p/expm1 and tan/atan round
 * trips are good to ~1e-16 in u; even -log(1 - u) stays within ~1e-16 absolute. */
static void check_round_trip(gsl_vector *x, gsl_rng *replay, double (*F)(double, double, double),
                             double a, double b, const char *name, const char *hint)
{
    for (size_t k = 0; k < x->size; k++) {
        double u = gsl_rng_uniform_pos(replay), got = F(gsl_vector_get(x, k), a, b);
        if (!mlphys_close(got, u, 1e-12, 0))
            cr_assert_fail("%s: F(x[%zu]) = %.15g but u[%zu] = %.15g (x[%zu] = %.10g). %s", name, k, got, k, u, k,
                           gsl_vector_get(x, k), hint);
    }
}

Test(probability, exponential_inverts_the_cdf,
     .description = "exponential samples satisfy F(x_k) = u_k for the uniforms u_k the generator gave")
{
    const size_t n = 2000;
    gsl_rng *rng = mlphys_rng(), *replay = gsl_rng_clone(rng);
    gsl_vector *x = nan_vector(n);
    mlphys_require_implemented(prob_sample_exponential(2.5, rng, x), "prob_sample_exponential", 2);
    check_round_trip(x, replay, cdf_exponential, 2.5, 0, "exponential, rate 2.5",
                     "Is F(x) = 1 - u instead?  Then you used -log(u), i.e. F^{-1}(1 - u). Is it rate or 1/rate? "
                     "One gsl_rng_uniform_pos per sample, in order.");
    gsl_vector_free(x), gsl_rng_free(replay);
}

Test(probability, exponential_passes_ks_test,
     .description = "10^4 exponential samples (rate 2) pass a Kolmogorov-Smirnov test at 5 sigma")
{
    const size_t n = 10000;
    gsl_vector *x = nan_vector(n);
    mlphys_require_implemented(prob_sample_exponential(2.0, mlphys_rng(), x), "prob_sample_exponential", 2);
    double K = ks_statistic(x, cdf_exponential, 2.0, 0);
    cr_expect(K < KS_5SIGMA, "sqrt(n) D_n = %.3f for the exponential with rate 2 (5-sigma limit %.2f): "
              "the samples do not follow F(x) = 1 - exp(-2x). Did you divide by the rate?", K, KS_5SIGMA);
    gsl_vector_free(x);
}

Test(probability, cauchy_inverts_the_cdf,
     .description = "Cauchy samples (x0 = 1, gamma = 0.5) satisfy F(x_k) = u_k")
{
    const size_t n = 2000;
    gsl_rng *rng = mlphys_rng(), *replay = gsl_rng_clone(rng);
    gsl_vector *x = nan_vector(n);
    mlphys_require_implemented(prob_sample_cauchy(1.0, 0.5, rng, x), "prob_sample_cauchy", 3);
    check_round_trip(x, replay, cdf_cauchy, 1.0, 0.5, "Cauchy, x0 = 1, gamma = 0.5",
                     "F^{-1}(u) = x0 + gamma tan(pi (u - 1/2)); tan(pi u) has the right law but is not F^{-1}(u).");
    gsl_vector_free(x), gsl_rng_free(replay);
}

Test(probability, cauchy_passes_ks_test,
     .description = "10^4 Cauchy samples (x0 = 1, gamma = 0.5) pass a Kolmogorov-Smirnov test at 5 sigma")
{
    const size_t n = 10000;
    gsl_vector *x = nan_vector(n);
    mlphys_require_implemented(prob_sample_cauchy(1.0, 0.5, mlphys_rng(), x), "prob_sample_cauchy", 3);
    double K = ks_statistic(x, cdf_cauchy, 1.0, 0.5);
    cr_expect(K < KS_5SIGMA, "sqrt(n) D_n = %.3f for Cauchy(x0 = 1, gamma = 0.5) (5-sigma limit %.2f): "
              "check the centre x0 and the width gamma", K, KS_5SIGMA);
    gsl_vector_free(x);
}

Test(probability, samplers_reject_bad_parameters,
     .description = "rate <= 0, gamma <= 0, NaN parameters and m = 0 give GSL_EINVAL")
{
    gsl_vector *x = nan_vector(4);
    gsl_rng *rng = mlphys_rng();
    gsl_vector_set_all(x, 42);
    mlphys_require_status(prob_sample_exponential(0.0, rng, x), GSL_EINVAL, "prob_sample_exponential", "rate 0");
    mlphys_require_status(prob_sample_exponential(-1.0, rng, x), GSL_EINVAL, "prob_sample_exponential", "rate -1");
    mlphys_require_status(prob_sample_exponential(NAN, rng, x), GSL_EINVAL, "prob_sample_exponential", "rate NaN");
    mlphys_require_status(prob_sample_cauchy(0.0, 0.0, rng, x), GSL_EINVAL, "prob_sample_cauchy", "gamma 0");
    mlphys_require_status(prob_sample_cauchy(0.0, -2.0, rng, x), GSL_EINVAL, "prob_sample_cauchy", "gamma -2");
    mlphys_require_status(prob_sample_cauchy(NAN, 1.0, rng, x), GSL_EINVAL, "prob_sample_cauchy", "x0 NaN");
    mlphys_require_status(prob_sample_exponential(INFINITY, rng, x), GSL_EINVAL, "prob_sample_exponential", "rate +Inf");
    mlphys_require_status(prob_sample_cauchy(0.0, INFINITY, rng, x), GSL_EINVAL, "prob_sample_cauchy", "gamma +Inf");
    mlphys_require_status(prob_uniform_sums(0, rng, x), GSL_EINVAL, "prob_uniform_sums", "a sum of m = 0 uniforms has no variance to standardise by");
    for (size_t i = 0; i < 4; i++)
        cr_expect(gsl_vector_get(x, i) == 42, "x[%zu] was written although the parameters were rejected", i);
    gsl_vector_free(x);
}

/* ---- the empirical characteristic function ---------------------------------------------- */

Test(probability, cf_by_hand,
     .description = "x = {0, 1, 2}: phi(0) = 1, phi(pi/2) = i/3, phi(pi) = 1/3")
{
    /* (1/3)(e^0 + e^{i pi/2} + e^{i pi}) = (1 + i - 1)/3;  (1/3)(1 - 1 + 1) = 1/3 */
    double xa[] = {0, 1, 2}, ta[] = {0, M_PI / 2, M_PI};
    double want_re[] = {1, 0, 1.0 / 3}, want_im[] = {0, 1.0 / 3, 0};
    gsl_vector *x = vec(3, xa), *t = vec(3, ta), *re = nan_vector(3), *im = nan_vector(3);
    gsl_vector *wr = vec(3, want_re), *wi = vec(3, want_im);
    mlphys_require_implemented(prob_empirical_cf(x, t, re, im), "prob_empirical_cf", 4);
    /* round-off of cos/sin of arguments up to 2 pi: 1e-15; 1e-14 leaves room */
    mlphys_assert_vector_close(re, wr, 1e-14, 0, "Re phi_n(t) for x = {0,1,2}, t = {0, pi/2, pi}",
                               "Re is the average of cos(t x_k): did you divide by n?");
    mlphys_assert_vector_close(im, wi, 1e-14, 0, "Im phi_n(t) for x = {0,1,2}, t = {0, pi/2, pi}",
                               "Im is the average of sin(t x_k) (with a plus sign: phi(t) = E exp(+i t X))");
    gsl_vector_free(x), gsl_vector_free(t), gsl_vector_free(re), gsl_vector_free(im);
    gsl_vector_free(wr), gsl_vector_free(wi);
}

Test(probability, cf_symmetries,
     .description = "phi(-t) = conj(phi(t)), |phi(t)| <= 1, and shifting the data by a multiplies phi by exp(i t a)")
{
    const size_t n = 500, T = 9;
    gsl_rng *rng = mlphys_rng();
    gsl_vector *x = nan_vector(n), *xs = nan_vector(n), *t = nan_vector(T), *mt = nan_vector(T);
    gsl_vector *re = nan_vector(T), *im = nan_vector(T), *re2 = nan_vector(T), *im2 = nan_vector(T);
    const double a = 0.7;
    for (size_t k = 0; k < n; k++) {
        double v = gsl_ran_gaussian(rng, 1.0) + gsl_rng_uniform(rng); /* any asymmetric data */
        gsl_vector_set(x, k, v), gsl_vector_set(xs, k, v + a);
    }
    for (size_t j = 0; j < T; j++)
        gsl_vector_set(t, j, -3.0 + 0.75 * (double)j), gsl_vector_set(mt, j, 3.0 - 0.75 * (double)j);
    mlphys_require_implemented(prob_empirical_cf(x, t, re, im), "prob_empirical_cf", 4);
    mlphys_require_implemented(prob_empirical_cf(x, mt, re2, im2), "prob_empirical_cf", 4);
    /* cos is even and sin odd: exact up to round-off in t x (|t x| < 20, so ~1e-14) */
    for (size_t j = 0; j < T; j++) {
        mlphys_assert_close(gsl_vector_get(re2, j), gsl_vector_get(re, j), 1e-13, 0, "Re phi(-t) vs Re phi(t) at t = %g", gsl_vector_get(t, j));
        mlphys_assert_close(gsl_vector_get(im2, j), -gsl_vector_get(im, j), 1e-13, 0, "Im phi(-t) vs -Im phi(t) at t = %g", gsl_vector_get(t, j));
        double mod = hypot(gsl_vector_get(re, j), gsl_vector_get(im, j));
        cr_expect(mod <= 1 + 1e-14, "|phi_n(%g)| = %.17g > 1: an average of unit complex numbers cannot exceed 1 (divide by n)",
                  gsl_vector_get(t, j), mod);
    }
    mlphys_require_implemented(prob_empirical_cf(xs, t, re2, im2), "prob_empirical_cf", 4);
    for (size_t j = 0; j < T; j++) {
        double tj = gsl_vector_get(t, j), c = cos(tj * a), s = sin(tj * a);
        double wr = c * gsl_vector_get(re, j) - s * gsl_vector_get(im, j);
        double wi = s * gsl_vector_get(re, j) + c * gsl_vector_get(im, j);
        mlphys_assert_close(gsl_vector_get(re2, j), wr, 1e-13, 0, "Re phi of x + 0.7 at t = %g (should be Re[e^{i t a} phi(t)])", tj);
        mlphys_assert_close(gsl_vector_get(im2, j), wi, 1e-13, 0, "Im phi of x + 0.7 at t = %g (should be Im[e^{i t a} phi(t)])", tj);
    }
    gsl_vector_free(x), gsl_vector_free(xs), gsl_vector_free(t), gsl_vector_free(mt);
    gsl_vector_free(re), gsl_vector_free(im), gsl_vector_free(re2), gsl_vector_free(im2);
}

Test(probability, cf_rejects_bad_shapes,
     .description = "re/im not the size of t give GSL_EBADLEN; no samples gives GSL_EINVAL")
{
    gsl_vector *x = nan_vector(5), *t = nan_vector(3), *re = nan_vector(3), *im = nan_vector(4);
    gsl_vector_set_all(x, 1), gsl_vector_set_all(t, 1);
    mlphys_require_status(prob_empirical_cf(x, t, re, im), GSL_EBADLEN, "prob_empirical_cf", "im has 4 entries for 3 values of t");
    mlphys_require_status(prob_empirical_cf(x, t, im, re), GSL_EBADLEN, "prob_empirical_cf", "re has 4 entries for 3 values of t");
    /* GSL cannot allocate or view a vector of length 0, so the test builds one by hand */
    gsl_vector empty = {0, 1, NULL, NULL, 0};
    gsl_vector *re3 = nan_vector(3);
    mlphys_require_status(prob_empirical_cf(&empty, t, re, re3), GSL_EINVAL, "prob_empirical_cf", "n = 0 samples: the average is undefined");
    gsl_vector_free(x), gsl_vector_free(t), gsl_vector_free(re), gsl_vector_free(im), gsl_vector_free(re3);
}

Test(probability, cf_of_gaussian_samples,
     .description = "N(0,1), n = 1e5: max over t in [0, 5] of |phi_n(t) - exp(-t^2/2)| < 0.015")
{
    /* Samples from GSL's Gaussian sampler (independent of the student's code).  Union bound:
     * 11 exp(-1e5 * 0.015^2) = 2e-9.  Measured mean 0.0044, max 0.0098 over 300 seeds (on a
     * finer grid of 51 t).  11 values of t keep the test fast under valgrind. */
    const size_t n = 100000;
    gsl_rng *rng = mlphys_rng();
    gsl_vector *x = nan_vector(n), *t = t_grid(11, 5.0);
    for (size_t k = 0; k < n; k++)
        gsl_vector_set(x, k, gsl_ran_gaussian(rng, 1.0));
    double tw, d = cf_max_deviation(x, t, phi_gauss, 0, &tw);
    cr_expect(d < 0.015, "max_t |phi_n(t) - exp(-t^2/2)| = %.4g at t = %g (allowed 0.015, typical 0.004): "
              "is Re the mean of cos(t x) and Im the mean of sin(t x)?", d, tw);
    gsl_vector_free(x), gsl_vector_free(t);
}

Test(probability, mean_of_cauchy_draws_is_cauchy,
     .description = "the mean of 10 standard Cauchy draws is again standard Cauchy: its CF is exp(-|t|)")
{
    /* phi_mean(t) = phi(t/m)^m = exp(-|t|): no narrowing with m, unlike the CLT.  4e4 means
     * of m = 10 draws on 11 t; union bound 11 exp(-3e4 * 0.025^2) = 8e-8.  Measured with 2e4
     * means (51 t): mean 0.0125, max 0.023 over 300 seeds; with 3e4 means it is 0.82 of that.
     * If the means were narrowing like 1/sqrt(m), the CF at t = 1 would be ~0.73 not 0.37. */
    const size_t N = 30000, m = 10;
    gsl_vector *draws = nan_vector(m), *mean = nan_vector(N), *t = t_grid(11, 5.0);
    gsl_rng *rng = mlphys_rng();
    for (size_t k = 0; k < N; k++) {
        mlphys_require_implemented(prob_sample_cauchy(0.0, 1.0, rng, draws), "prob_sample_cauchy", 3);
        double s = 0;
        for (size_t j = 0; j < m; j++)
            s += gsl_vector_get(draws, j);
        gsl_vector_set(mean, k, s / (double)m);
    }
    double tw, d = cf_max_deviation(mean, t, phi_cauchy, 1.0, &tw);
    cr_expect(d < 0.025, "means of 10 Cauchy draws: max_t |phi_n(t) - exp(-|t|)| = %.4g at t = %g (allowed 0.025): "
              "check your Cauchy sampler's width (gamma = 1) and the empirical CF", d, tw);
    gsl_vector_free(draws), gsl_vector_free(mean), gsl_vector_free(t);
}

/* ---- the central limit theorem ---------------------------------------------------------- */

Test(probability, uniform_sums_are_standardised,
     .description = "z_k = (u_1 + ... + u_m - m/2)/sqrt(m/12) for the uniforms the generator gave")
{
    const size_t n = 50, m = 3;
    gsl_rng *rng = mlphys_rng(), *replay = gsl_rng_clone(rng);
    gsl_vector *z = nan_vector(n);
    mlphys_require_implemented(prob_uniform_sums(m, rng, z), "prob_uniform_sums", 5);
    for (size_t k = 0; k < n; k++) {
        double S = 0;
        for (size_t j = 0; j < m; j++)
            S += gsl_rng_uniform(replay);
        mlphys_assert_close(gsl_vector_get(z, k), (S - 1.5) / 0.5, 1e-13, 0,
                            "z[%zu] for m = 3 (mean m/2 = 1.5, sd sqrt(m/12) = 0.5; draw z_0's three uniforms first)", k);
    }
    gsl_vector_free(z), gsl_rng_free(replay);
}

Test(probability, uniform_sums_have_the_exact_cf,
     .description = "sums of m = 1, 2, 4, 16 uniforms: the empirical CF matches [sin(a)/a]^m, a = t sqrt(3/m)")
{
    /* 2e4 sums per m, 11 t in [0, 4]: union bound 11 exp(-2e4 * 0.035^2 / 1.22) = 2e-8.
     * Measured (41 t): mean 0.0092, sd 0.0030, max 0.022 over 300 seeds. */
    const size_t n = 20000, ms[] = {1, 2, 4, 16};
    gsl_vector *z = nan_vector(n), *t = t_grid(11, 4.0);
    for (size_t q = 0; q < 4; q++) {
        mlphys_require_implemented(prob_uniform_sums(ms[q], mlphys_rng(), z), "prob_uniform_sums", 5);
        double tw, d = cf_max_deviation(z, t, phi_usum, (double)ms[q], &tw);
        cr_expect(d < 0.035, "m = %zu: max_t |phi_n(t) - [sin(a)/a]^m| = %.4g at t = %g (allowed 0.035): "
                  "are the sums centred by m/2 and divided by sqrt(m/12)?", ms[q], d, tw);
    }
    gsl_vector_free(z), gsl_vector_free(t);
}

Test(probability, sixteen_uniforms_are_nearly_gaussian,
     .description = "CLT: the standardised sum of 16 uniforms has a CF within bias + noise of exp(-t^2/2)")
{
    /* Bias: log[sin(a)/a]^m = -t^2/2 - t^4/(20 m) - ..., so the exact CF differs from the
     * Gaussian by at most max_t t^4 e^{-t^2/2} / (20 m) = 16 e^{-2} / 320 = 0.0068 (t = 2) at
     * m = 16; the test computes the exact bias on its grid.  Noise: 4e4 sums on 11 t, union
     * bound 11 exp(-4e4 * 0.025^2) = 2e-10.  Measured (2e4 sums, 41 t): mean 0.0108, max 0.027. */
    const size_t n = 40000, m = 16;
    gsl_vector *z = nan_vector(n), *t = t_grid(11, 4.0);
    mlphys_require_implemented(prob_uniform_sums(m, mlphys_rng(), z), "prob_uniform_sums", 5);
    double bias = 0;
    for (size_t j = 0; j < t->size; j++) {
        double tj = gsl_vector_get(t, j);
        bias = fmax(bias, fabs(phi_usum(tj, (double)m) - phi_gauss(tj, 0)));
    }
    double tw, d = cf_max_deviation(z, t, phi_gauss, 0, &tw);
    cr_expect(d < bias + 0.025, "m = 16: max_t |phi_n(t) - exp(-t^2/2)| = %.4g at t = %g (allowed %.4f = bias %.4f + "
              "noise 0.025)", d, tw, bias + 0.025, bias);
    gsl_vector_free(z), gsl_vector_free(t);
}
