/*
 * Chapter 14 reference solution: Metropolis on the 2-D Ising model, exact enumeration, Gibbs
 * sampling of a bivariate normal, autocorrelation times and effective sample sizes.
 * See chapters/14-mcmc/mcmc.h for the contract.
 */
#include "mcmc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

/* Sum of the four periodic neighbours of site k = r L + c. */
static int neighbour_sum(const signed char *s, size_t L, size_t k)
{
    const size_t r = k / L, c = k % L;
    const size_t up = (r == 0 ? L - 1 : r - 1) * L, down = (r == L - 1 ? 0 : r + 1) * L;
    const size_t left = c == 0 ? L - 1 : c - 1, right = c == L - 1 ? 0 : c + 1;
    return s[up + c] + s[down + c] + s[r * L + left] + s[r * L + right];
}

static int bad_beta(double beta)
{
    return !(beta >= 0) || !isfinite(beta);
}

int ising_energy(const signed char *s, size_t L, double *E)
{
    if (!s || !E || L < 2)
        return GSL_EINVAL;
    long sum = 0;
    for (size_t r = 0; r < L; r++) {
        const size_t down = (r == L - 1 ? 0 : r + 1) * L;
        for (size_t c = 0; c < L; c++) {
            const size_t right = c == L - 1 ? 0 : c + 1;
            /* each site owns two bonds: to its right and below, so every bond counts once */
            sum += s[r * L + c] * (s[r * L + right] + s[down + c]);
        }
    }
    *E = -(double)sum;
    return GSL_SUCCESS;
}

int ising_flip_acceptance(const signed char *s, size_t L, size_t k, double beta, double *a)
{
    if (!s || !a || L < 2 || k >= L * L || bad_beta(beta))
        return GSL_EINVAL;
    const double dE = 2.0 * s[k] * neighbour_sum(s, L, k);
    *a = dE <= 0 ? 1.0 : exp(-beta * dE);
    return GSL_SUCCESS;
}

int ising_metropolis_sweep(signed char *s, size_t L, double beta, gsl_rng *rng, size_t *accepted)
{
    if (!s || !rng || L < 2 || bad_beta(beta))
        return GSL_EINVAL;
    /* dE = 2 s_k h_k takes only the values -8, -4, 0, 4, 8: tabulate the two uphill weights
     * once instead of calling exp() N times. */
    const double w4 = exp(-4.0 * beta), w8 = exp(-8.0 * beta);
    size_t acc = 0;
    for (size_t r = 0; r < L; r++) {
        const signed char *up = s + (r == 0 ? L - 1 : r - 1) * L, *down = s + (r == L - 1 ? 0 : r + 1) * L;
        signed char *row = s + r * L;
        for (size_t c = 0; c < L; c++) {
            const size_t left = c == 0 ? L - 1 : c - 1, right = c == L - 1 ? 0 : c + 1;
            const int x = row[c] * (up[c] + down[c] + row[left] + row[right]); /* dE = 2x */
            if (x <= 0 || gsl_rng_uniform(rng) < (x == 2 ? w4 : w8)) {
                row[c] = (signed char)-row[c];
                acc++;
            }
        }
    }
    if (accepted)
        *accepted = acc;
    return GSL_SUCCESS;
}

int ising_exact(size_t L, double beta, double *e, double *abs_m, double *c)
{
    if (!e || !abs_m || !c || L < 2 || L > 5 || bad_beta(beta))
        return GSL_EINVAL;
    const size_t N = L * L;
    /* Count the density of states n(E, |M|) by walking through all 2^N configurations in Gray
     * code order, where consecutive ones differ by one spin: E and M then change by the local
     * dE and by 2 per step.  E runs over -2N..2N in steps of 4, |M| over 0..N. */
    const size_t nE = N + 1, nM = N + 1;
    double count[26 * 26] = {0};
    signed char s[25];
    for (size_t k = 0; k < N; k++)
        s[k] = 1;
    long E = -2 * (long)N, M = (long)N;
    count[0 * nM + N] = 1;
    for (unsigned long g = 1; g < (1ul << N); g++) {
        size_t k = 0; /* the bit that changes between Gray codes g - 1 and g: the lowest set bit of g */
        while (!((g >> k) & 1ul))
            k++;
        E += 2 * s[k] * neighbour_sum(s, L, k);
        M -= 2 * s[k];
        s[k] = (signed char)-s[k];
        count[(size_t)((E + 2 * (long)N) / 4) * nM + (size_t)labs(M)] += 1;
    }
    /* Weights relative to the ground state, exp(-beta (E - E_min)) <= 1: no overflow.  Moments
     * of eps = E - E_min keep the variance free of cancellation at low temperature. */
    double Z = 0, s1 = 0, s2 = 0, sm = 0;
    for (size_t i = 0; i < nE; i++) {
        const double eps = 4.0 * (double)i, w = exp(-beta * eps);
        for (size_t m = 0; m < nM; m++) {
            const double n = count[i * nM + m] * w;
            Z += n, s1 += n * eps, s2 += n * eps * eps, sm += n * (double)m;
        }
    }
    s1 /= Z, s2 /= Z, sm /= Z;
    *e = (s1 - 2.0 * (double)N) / (double)N;
    *abs_m = sm / (double)N;
    *c = beta * beta * (s2 - s1 * s1) / (double)N;
    return GSL_SUCCESS;
}

int gibbs_bivariate_normal(double rho, double y0, gsl_rng *rng, gsl_matrix *xy)
{
    if (!rng || !(fabs(rho) < 1))
        return GSL_EINVAL;
    if (xy->size1 == 0 || xy->size2 != 2)
        return GSL_EBADLEN;
    const double sd = sqrt(1.0 - rho * rho); /* conditional sd: a standard deviation, not a variance */
    double x, y = y0;
    for (size_t t = 0; t < xy->size1; t++) {
        x = rho * y + gsl_ran_gaussian_ziggurat(rng, sd);
        y = rho * x + gsl_ran_gaussian_ziggurat(rng, sd); /* conditioned on the *new* x */
        gsl_matrix_set(xy, t, 0, x);
        gsl_matrix_set(xy, t, 1, y);
    }
    return GSL_SUCCESS;
}

static double chain_mean(const gsl_vector *x)
{
    double m = 0;
    for (size_t i = 0; i < x->size; i++)
        m += x->data[i * x->stride];
    return m / (double)x->size;
}

/* C(t) = 1/(n - t) sum_i (x_i - xbar)(x_{i+t} - xbar); the raw pointer and stride keep this
 * inner loop, which does all the work of the window search, free of function calls. */
static double autocov(const gsl_vector *x, double xbar, size_t t)
{
    const size_t n = x->size, st = x->stride;
    const double *d = x->data;
    double s = 0;
    for (size_t i = 0; i + t < n; i++)
        s += (d[i * st] - xbar) * (d[(i + t) * st] - xbar);
    return s / (double)(n - t);
}

int mcmc_autocorr(const gsl_vector *x, gsl_vector *rho)
{
    if (rho->size == 0 || rho->size > x->size)
        return GSL_EBADLEN;
    const double xbar = chain_mean(x), c0 = autocov(x, xbar, 0);
    if (!(c0 > 0))
        return GSL_EDOM;
    for (size_t t = 0; t < rho->size; t++)
        gsl_vector_set(rho, t, autocov(x, xbar, t) / c0);
    return GSL_SUCCESS;
}

/* Sokal's window; also returns C(0) for mcmc_ess. */
static int tau_window(const gsl_vector *x, double c, double *tau, size_t *window, double *c0_out)
{
    if (!(c > 0) || !isfinite(c))
        return GSL_EINVAL;
    if (x->size < 4)
        return GSL_EBADLEN;
    const size_t n = x->size;
    const double xbar = chain_mean(x), c0 = autocov(x, xbar, 0);
    if (!(c0 > 0))
        return GSL_EDOM;
    double t_M = 1.0;
    for (size_t M = 1; M < n / 2; M++) {
        t_M += 2.0 * autocov(x, xbar, M) / c0;
        if ((double)M >= c * t_M) {
            *tau = t_M, *window = M, *c0_out = c0;
            return GSL_SUCCESS;
        }
    }
    return GSL_EMAXITER;
}

int mcmc_tau_int(const gsl_vector *x, double c, double *tau, size_t *window)
{
    if (!tau || !window)
        return GSL_EINVAL;
    double c0;
    return tau_window(x, c, tau, window, &c0);
}

int mcmc_ess(const gsl_vector *x, double c, double *ess, double *mean, double *err)
{
    if (!ess || !mean || !err)
        return GSL_EINVAL;
    double tau, c0;
    size_t M;
    int st = tau_window(x, c, &tau, &M, &c0);
    if (st)
        return st;
    *ess = (double)x->size / tau;
    *mean = chain_mean(x);
    *err = sqrt(c0 * tau / (double)x->size);
    return GSL_SUCCESS;
}
