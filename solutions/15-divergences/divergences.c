/*
 * Chapter 15 reference solution: divergences between distributions, 1-D optimal transport, and
 * variational fits of a Gaussian by forward and reverse KL.  Contract: chapters/15-divergences/
 * divergences.h.
 */
#include "divergences.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdlib.h>

/* ---- discrete ------------------------------------------------------------------------------ */

static int check_prob(const gsl_vector *v)
{
    double s = 0;
    for (size_t i = 0; i < v->size; i++) {
        double a = gsl_vector_get(v, i);
        if (!(a >= 0) || !isfinite(a))
            return GSL_EINVAL;
        s += a;
    }
    return fabs(s - 1.0) <= 1e-9 ? GSL_SUCCESS : GSL_EINVAL;
}

static int check_pair(const gsl_vector *p, const gsl_vector *q)
{
    if (!p || !q)
        return GSL_EINVAL;
    if (p->size == 0 || p->size != q->size)
        return GSL_EBADLEN;
    int st = check_prob(p);
    return st ? st : check_prob(q);
}

int div_tv(const gsl_vector *p, const gsl_vector *q, double *tv)
{
    int st = check_pair(p, q);
    if (st)
        return st;
    double s = 0;
    for (size_t i = 0; i < p->size; i++)
        s += fabs(gsl_vector_get(p, i) - gsl_vector_get(q, i));
    *tv = 0.5 * s;
    return GSL_SUCCESS;
}

/* a log(a / b) with the conventions 0 log(0 / b) = 0 and a log(a / 0) = +inf for a > 0. */
static double plogpq(double a, double b)
{
    if (a == 0)
        return 0.0;
    if (b == 0)
        return GSL_POSINF;
    return a * log(a / b);
}

int div_kl(const gsl_vector *p, const gsl_vector *q, double *kl)
{
    int st = check_pair(p, q);
    if (st)
        return st;
    double s = 0;
    for (size_t i = 0; i < p->size; i++)
        s += plogpq(gsl_vector_get(p, i), gsl_vector_get(q, i));
    *kl = s;
    return GSL_SUCCESS;
}

int div_js(const gsl_vector *p, const gsl_vector *q, double *js)
{
    int st = check_pair(p, q);
    if (st)
        return st;
    double s = 0;
    for (size_t i = 0; i < p->size; i++) {
        double a = gsl_vector_get(p, i), b = gsl_vector_get(q, i), m = 0.5 * (a + b);
        s += 0.5 * plogpq(a, m) + 0.5 * plogpq(b, m); /* m > 0 wherever a or b is: never infinite */
    }
    *js = s;
    return GSL_SUCCESS;
}

/* ---- two Gaussians ------------------------------------------------------------------------- */

static int check_gauss(double m1, double s1, double m2, double s2)
{
    if (!isfinite(m1) || !isfinite(m2) || !isfinite(s1) || !isfinite(s2) || !(s1 > 0) || !(s2 > 0))
        return GSL_EINVAL;
    return GSL_SUCCESS;
}

int div_gauss_kl(double m1, double s1, double m2, double s2, double *kl)
{
    int st = check_gauss(m1, s1, m2, s2);
    if (st)
        return st;
    double r = s1 / s2, d = (m1 - m2) / s2;
    *kl = -log(r) + 0.5 * (r * r + d * d - 1.0);
    return GSL_SUCCESS;
}

/* Upper tail P(Z > z) of N(0, 1), accurate far out (erfc, not 1 - erf) and exact at +-inf. */
static double upper_tail(double z)
{
    return 0.5 * erfc(z / M_SQRT2);
}

/* P(a < X <= b) for X ~ N(m, s^2); a may be -inf and b +inf. */
static double gauss_mass(double m, double s, double a, double b)
{
    return upper_tail((a - m) / s) - upper_tail((b - m) / s);
}

int div_gauss_tv(double m1, double s1, double m2, double s2, double *tv)
{
    int st = check_gauss(m1, s1, m2, s2);
    if (st)
        return st;
    /* log p1 = log p2  <=>  a x^2 + b x + c = 0 with */
    double a = 0.5 / (s2 * s2) - 0.5 / (s1 * s1);
    double b = m1 / (s1 * s1) - m2 / (s2 * s2);
    double c = 0.5 * m2 * m2 / (s2 * s2) - 0.5 * m1 * m1 / (s1 * s1) + log(s2 / s1);
    double lo, hi; /* the first density is larger on (lo, hi) when s1 < s2, else outside */
    if (s1 == s2) {
        if (m1 == m2) {
            *tv = 0.0;
            return GSL_SUCCESS;
        }
        double x0 = 0.5 * (m1 + m2); /* one crossing: p1 wins on the side of m1 */
        double mass = gauss_mass(m1, s1, m1 < m2 ? GSL_NEGINF : x0, m1 < m2 ? x0 : GSL_POSINF) -
                      gauss_mass(m2, s2, m1 < m2 ? GSL_NEGINF : x0, m1 < m2 ? x0 : GSL_POSINF);
        *tv = mass;
        return GSL_SUCCESS;
    }
    /* Two real roots always (two Gaussians of different widths cross twice); the stable
     * quadratic formula avoids cancellation when one root runs off to infinity (s1 ~ s2). */
    double D = b * b - 4 * a * c;
    double qq = -0.5 * (b + (b >= 0 ? 1.0 : -1.0) * sqrt(fmax(D, 0.0)));
    double r1 = qq / a, r2 = c / qq;
    lo = fmin(r1, r2), hi = fmax(r1, r2);
    double inside = gauss_mass(m1, s1, lo, hi) - gauss_mass(m2, s2, lo, hi); /* P1(I) - P2(I) */
    *tv = s1 < s2 ? inside : -inside; /* on the complement the difference flips sign */
    return GSL_SUCCESS;
}

static double logsumexp2(double a, double b)
{
    double m = fmax(a, b);
    return m + log(exp(a - m) + exp(b - m));
}

int div_gauss_js(double m1, double s1, double m2, double s2, double *js)
{
    int st = check_gauss(m1, s1, m2, s2);
    if (st)
        return st;
    /* JS = integral of (1/2) p1 log(p1 / M) + (1/2) p2 log(p2 / M), M = (p1 + p2) / 2, by the
     * trapezoid rule, which converges faster than any power for smooth integrands that vanish
     * at both ends: step min(s) / 16 over 12 standard deviations beyond either mean. */
    double lo = fmin(m1 - 12 * s1, m2 - 12 * s2), hi = fmax(m1 + 12 * s1, m2 + 12 * s2);
    double h0 = fmin(s1, s2) / 16.0;
    size_t n = (size_t)ceil((hi - lo) / h0);
    double h = (hi - lo) / (double)n, sum = 0;
    const double c = -0.5 * log(2 * M_PI);
    for (size_t i = 0; i <= n; i++) {
        double x = lo + (double)i * h;
        double z1 = (x - m1) / s1, z2 = (x - m2) / s2;
        double l1 = c - log(s1) - 0.5 * z1 * z1, l2 = c - log(s2) - 0.5 * z2 * z2;
        double lm = logsumexp2(l1, l2) - M_LN2;
        double f = 0.5 * exp(l1) * (l1 - lm) + 0.5 * exp(l2) * (l2 - lm);
        sum += (i == 0 || i == n) ? 0.5 * f : f;
    }
    *js = sum * h;
    return GSL_SUCCESS;
}

/* ---- 1-D optimal transport ----------------------------------------------------------------- */

static double *sorted_copy(const gsl_vector *v)
{
    double *a = malloc(v->size * sizeof *a);
    if (!a)
        return NULL;
    for (size_t i = 0; i < v->size; i++)
        a[i] = gsl_vector_get(v, i);
    gsl_sort(a, 1, v->size);
    return a;
}

int div_wasserstein_1d(const gsl_vector *x, const gsl_vector *y, double p, double *w)
{
    if (!x || !y || !(p >= 1) || !isfinite(p))
        return GSL_EINVAL;
    if (x->size == 0 || y->size == 0)
        return GSL_EBADLEN;
    for (size_t i = 0; i < x->size; i++)
        if (!isfinite(gsl_vector_get(x, i)))
            return GSL_EINVAL;
    for (size_t j = 0; j < y->size; j++)
        if (!isfinite(gsl_vector_get(y, j)))
            return GSL_EINVAL;
    double *a = sorted_copy(x), *b = sorted_copy(y);
    if (!a || !b) {
        free(a), free(b);
        return GSL_ENOMEM;
    }
    /* Walk the merged quantile grid: x's quantile function is a[i] on ((i)/n, (i+1)/n], y's is
     * b[j] on (j/m, (j+1)/m]; on each piece of overlap the sorted coupling pairs a[i] with b[j].
     * Integer arithmetic on the breakpoints (i+1) m vs (j+1) n keeps equal sizes exact. */
    const size_t n = x->size, m = y->size;
    size_t i = 0, j = 0;
    double u = 0, cost = 0;
    while (i < n && j < m) {
        size_t ei = (i + 1) * m, ej = (j + 1) * n; /* next breakpoints, in units of 1/(n m) */
        size_t e = ei < ej ? ei : ej;
        double unext = (double)e / ((double)n * (double)m);
        cost += (unext - u) * pow(fabs(a[i] - b[j]), p);
        u = unext;
        if (ei == e)
            i++;
        if (ej == e)
            j++;
    }
    free(a), free(b);
    *w = pow(cost, 1.0 / p);
    return GSL_SUCCESS;
}

/* ---- Monte Carlo KL ------------------------------------------------------------------------ */

int div_kl_monte_carlo(div_logpdf logp, void *pp, div_sampler sample, div_logpdf logq, void *pq,
                       size_t n, gsl_rng *rng, double *kl, double *se)
{
    if (!logp || !sample || !logq || !rng)
        return GSL_EINVAL;
    if (n < 2)
        return GSL_EBADLEN;
    /* Welford's running mean and variance: one pass, no cancellation. */
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        double x = sample(rng, pp);
        double r = logp(x, pp) - logq(x, pq);
        double d = r - mean;
        mean += d / (double)(i + 1);
        m2 += d * (r - mean);
    }
    *kl = mean;
    *se = sqrt(m2 / (double)(n - 1) / (double)n);
    return GSL_SUCCESS;
}

/* ---- variational inference ------------------------------------------------------------------ */

static int check_mixture(const div_mixture *mix)
{
    if (!mix)
        return GSL_EINVAL;
    if (mix->K == 0)
        return GSL_EBADLEN;
    if (!mix->w || !mix->mu || !mix->sigma)
        return GSL_EINVAL;
    double s = 0;
    for (size_t k = 0; k < mix->K; k++) {
        if (!(mix->w[k] >= 0) || !isfinite(mix->w[k]) || !(mix->sigma[k] > 0) || !isfinite(mix->sigma[k]) ||
            !isfinite(mix->mu[k]))
            return GSL_EINVAL;
        s += mix->w[k];
    }
    return fabs(s - 1.0) <= 1e-9 ? GSL_SUCCESS : GSL_EINVAL;
}

/* log pi(x) and d/dx log pi(x) for a checked mixture: log-sum-exp over the components, and the
 * score as the responsibility-weighted average of the component scores -(x - mu_k) / sigma_k^2. */
static void mixture_eval(const div_mixture *mix, double x, double *logp, double *score)
{
    double lmax = GSL_NEGINF;
    for (size_t k = 0; k < mix->K; k++) {
        if (mix->w[k] == 0)
            continue;
        double z = (x - mix->mu[k]) / mix->sigma[k];
        double l = log(mix->w[k]) - log(mix->sigma[k]) - 0.5 * z * z;
        lmax = fmax(lmax, l);
    }
    double s = 0, sc = 0;
    for (size_t k = 0; k < mix->K; k++) {
        if (mix->w[k] == 0)
            continue;
        double z = (x - mix->mu[k]) / mix->sigma[k];
        double e = exp(log(mix->w[k]) - log(mix->sigma[k]) - 0.5 * z * z - lmax);
        s += e;
        sc += e * (-z / mix->sigma[k]);
    }
    *logp = lmax + log(s) - 0.5 * log(2 * M_PI);
    *score = sc / s;
}

int div_mixture_logpdf(const div_mixture *mix, double x, double *logp, double *score)
{
    int st = check_mixture(mix);
    if (st)
        return st;
    mixture_eval(mix, x, logp, score);
    return GSL_SUCCESS;
}

int div_fit_forward_kl(const gsl_vector *x, double lr, size_t iters, double *mu, double *sigma)
{
    if (!x || !mu || !sigma)
        return GSL_EINVAL;
    if (x->size == 0)
        return GSL_EBADLEN;
    if (!(lr > 0) || !isfinite(lr) || !isfinite(*mu) || !(*sigma > 0) || !isfinite(*sigma))
        return GSL_EINVAL;
    const size_t n = x->size;
    /* L depends on the data only through its mean and its second moment about mu; two sums
     * suffice, m2(mu) = var + (mean - mu)^2, computed once (centred, without cancellation). */
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += gsl_vector_get(x, i);
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = gsl_vector_get(x, i) - mean;
        var += d * d;
    }
    var /= (double)n;
    double m = *mu, rho = log(*sigma);
    for (size_t t = 0; t < iters; t++) {
        double s2 = exp(2 * rho), m2 = var + (mean - m) * (mean - m);
        double gm = -(mean - m) / s2;  /* dL/dmu  */
        double gr = 1.0 - m2 / s2;     /* dL/drho */
        m -= lr * gm, rho -= lr * gr;
        if (!isfinite(m) || !(fabs(rho) < 300)) /* sigma = e^rho must stay a normal number */
            return GSL_ERUNAWAY;
    }
    *mu = m, *sigma = exp(rho);
    return GSL_SUCCESS;
}

int div_reverse_kl_estimate(const div_mixture *mix, double mu, double log_sigma,
                            const gsl_vector *eps, double *kl, double *dmu, double *dlog_sigma)
{
    int st = check_mixture(mix);
    if (st)
        return st;
    if (!eps)
        return GSL_EINVAL;
    if (eps->size == 0)
        return GSL_EBADLEN;
    if (!isfinite(mu) || !isfinite(log_sigma))
        return GSL_EINVAL;
    const double sig = exp(log_sigma), B = (double)eps->size;
    double slog = 0, sscore = 0, sscore_eps = 0;
    for (size_t b = 0; b < eps->size; b++) {
        double e = gsl_vector_get(eps, b), lp, sc;
        mixture_eval(mix, mu + sig * e, &lp, &sc); /* the reparameterisation x = mu + sigma eps */
        slog += lp, sscore += sc, sscore_eps += sc * sig * e;
    }
    const double entropy = log_sigma + 0.5 * log(2 * M_PI * M_E);
    *kl = -entropy - slog / B;
    *dmu = -sscore / B;
    *dlog_sigma = -1.0 - sscore_eps / B;
    return GSL_SUCCESS;
}

int div_fit_reverse_kl(const div_mixture *mix, double lr, size_t iters, size_t batch, gsl_rng *rng,
                       double *mu, double *sigma)
{
    int st = check_mixture(mix);
    if (st)
        return st;
    if (!rng || !mu || !sigma)
        return GSL_EINVAL;
    if (batch == 0 || iters < 2)
        return GSL_EBADLEN;
    if (!(lr > 0) || !isfinite(lr) || !isfinite(*mu) || !(*sigma > 0) || !isfinite(*sigma))
        return GSL_EINVAL;
    gsl_vector *eps = gsl_vector_alloc(batch);
    if (!eps)
        return GSL_ENOMEM;
    double m = *mu, rho = log(*sigma), am = 0, ar = 0;
    const size_t half = iters / 2;
    for (size_t t = 1; t <= iters; t++) {
        for (size_t b = 0; b < batch; b++)
            gsl_vector_set(eps, b, gsl_ran_gaussian(rng, 1.0));
        double kl, gm, gr;
        div_reverse_kl_estimate(mix, m, rho, eps, &kl, &gm, &gr);
        m -= lr * gm, rho -= lr * gr;
        if (!isfinite(m) || !(fabs(rho) < 300)) { /* sigma = e^rho must stay a normal number */
            gsl_vector_free(eps);
            return GSL_ERUNAWAY;
        }
        if (t > half)
            am += m, ar += rho;
    }
    gsl_vector_free(eps);
    *mu = am / (double)(iters - half), *sigma = exp(ar / (double)(iters - half));
    return GSL_SUCCESS;
}
