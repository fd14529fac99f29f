/*
 * Chapter 14: Markov chain Monte Carlo, from the Ising model to error bars
 *
 * Sample p(s) = exp(-beta E(s)) / Z of the 2-D Ising model, E = - sum_<ij> s_i s_j on an
 * L x L periodic lattice (J = 1, k_B = 1, beta = 1/T), without ever computing Z: a Markov chain
 * whose moves obey detailed balance, p(s) P(s -> s') = p(s') P(s' -> s), has p as its
 * stationary law.  Then: how many independent samples is a correlated chain worth?
 * Shapes: N = L * L spins, s[r * L + c] = +1 or -1 (row-major); a chain x has n samples.
 *
 * You write, in this order:
 *   TODO(1) ising_energy()            E(s), every bond counted once
 *   TODO(2) ising_flip_acceptance()   min(1, exp(-beta dE)) for flipping one spin
 *   TODO(3) ising_metropolis_sweep()  N single-spin Metropolis updates
 *   TODO(4) ising_exact()             <e>, <|m|>, c by summing over all 2^N configurations
 *   TODO(5) gibbs_bivariate_normal()  alternate x | y and y | x
 *   TODO(6) mcmc_autocorr()           the normalised autocorrelation rho(t)
 *   TODO(7) mcmc_tau_int()            tau = 1 + 2 sum rho(t) with Sokal's automatic window
 *   TODO(8) mcmc_ess()                effective sample size n / tau and the error bar of the mean
 *
 * Check:           make test CH=14-mcmc
 * See your figure: make plot CH=14-mcmc       (writes build/figures/chapters/14-mcmc/)
 * Stuck?           make hint CH=14-mcmc
 * The contract of every function is in mcmc.h; the math is in README.md.
 */
#include "mcmc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>

/* E(s) = - sum over bonds of s_i s_j; each site owns the bond to its right and the one below.
 *   s (N) in,  E out.   GSL_EINVAL if L < 2 or a pointer is NULL. */
int ising_energy(const signed char *s, size_t L, double *E)
{
    (void)s, (void)L, (void)E;
    /* TODO(1): 1. check the arguments.
     *          2. loop over rows r and columns c; the right neighbour is column (c + 1) mod L,
     *             the one below is row (r + 1) mod L.
     *          3. add s_k (s_right + s_below) over all sites k and put a minus sign in front.
     *          All up gives E = -2N.  Hint: README section "The Ising model". */
    return GSL_EUNIMPL;
}

/* a = min(1, exp(-beta dE)) with dE = 2 s_k (sum of the four neighbours of k); s unchanged.
 * GSL_EINVAL if L < 2, k >= N, beta < 0 or not finite, or a pointer is NULL. */
int ising_flip_acceptance(const signed char *s, size_t L, size_t k, double beta, double *a)
{
    (void)s, (void)L, (void)k, (void)beta, (void)a;
    /* TODO(2): site k sits at row k / L, column k % L; its neighbours wrap around (row -1 is
     *          row L - 1).  Careful with size_t: 0 - 1 is a huge number, not -1.
     *          Why the factor 2 in dE?  Hint: README section "Metropolis". */
    return GSL_EUNIMPL;
}

/* One sweep: sites k = 0 .. N-1 in order; flip s_k with probability min(1, exp(-beta dE)).
 * accepted (may be NULL): how many flips were accepted.
 * GSL_EINVAL if L < 2, beta < 0 or not finite, s or rng NULL. */
int ising_metropolis_sweep(signed char *s, size_t L, double beta, gsl_rng *rng, size_t *accepted)
{
    (void)s, (void)L, (void)beta, (void)rng, (void)accepted;
    /* TODO(3): for every site: compute dE (as in TODO(2)); if dE <= 0 flip; otherwise draw
     *          u = gsl_rng_uniform(rng) and flip if u < exp(-beta dE).  dE takes only the
     *          values -8, -4, 0, 4, 8: computing exp(-4 beta) and exp(-8 beta) once per sweep
     *          makes the sweep several times faster.
     *          Hint: README section "Metropolis". */
    return GSL_EUNIMPL;
}

/* Exact <E>/N, <|M|>/N and beta^2 Var(E)/N over all 2^N configurations, 2 <= L <= 5.
 * GSL_EINVAL if L is out of range, beta < 0 or not finite, or a pointer is NULL. */
int ising_exact(size_t L, double beta, double *e, double *abs_m, double *c)
{
    (void)L, (void)beta, (void)e, (void)abs_m, (void)c;
    /* TODO(4): 1. configuration number g = 0 .. 2^N - 1: spin k is up if bit k of g is set.
     *          2. for each, E (your ising_energy) and M; weight w = exp(-beta (E - E_min))
     *             with E_min = -2N, so that no weight exceeds 1 (no overflow at low T).
     *          3. accumulate Z = sum w, sum w E, sum w E^2, sum w |M|, then divide by Z.
     *          Hint: README section "Exact enumeration". */
    return GSL_EUNIMPL;
}

/* Gibbs for the bivariate normal (unit variances, correlation rho): starting from y = y0,
 * step t draws x ~ N(rho y, 1 - rho^2), then y ~ N(rho x, 1 - rho^2); row t of xy = (x, y).
 * GSL_EINVAL if |rho| >= 1 or rng is NULL, GSL_EBADLEN if xy is not (n, 2) with n >= 1. */
int gibbs_bivariate_normal(double rho, double y0, gsl_rng *rng, gsl_matrix *xy)
{
    (void)rho, (void)y0, (void)rng, (void)xy;
    /* TODO(5): the conditional of a bivariate normal is a normal: what are its mean and its
     *          standard deviation?  gsl_ran_gaussian(rng, sd) takes a standard deviation.
     *          Hint: README section "Gibbs sampling". */
    return GSL_EUNIMPL;
}

/* rho(t) = C(t) / C(0), C(t) = 1/(n - t) sum_{i=0}^{n-1-t} (x_i - xbar)(x_{i+t} - xbar),
 * for t = 0 .. K - 1 (K = rho->size).  GSL_EBADLEN if K = 0 or K > n, GSL_EDOM if C(0) = 0. */
int mcmc_autocorr(const gsl_vector *x, gsl_vector *rho)
{
    (void)x, (void)rho;
    /* TODO(6): subtract the mean of the whole chain; divide lag t by the n - t pairs it has.
     *          Hint: README section "Autocorrelation". */
    return GSL_EUNIMPL;
}

/* tau(M) = 1 + 2 sum_{t=1}^{M} rho(t); the window is the smallest M >= 1 with M >= c tau(M).
 * GSL_EINVAL if c <= 0 or a pointer is NULL, GSL_EBADLEN if n < 4, GSL_EDOM if C(0) = 0,
 * GSL_EMAXITER if no M < n / 2 qualifies. */
int mcmc_tau_int(const gsl_vector *x, double c, double *tau, size_t *window)
{
    (void)x, (void)c, (void)tau, (void)window;
    /* TODO(7): grow M one lag at a time, adding 2 rho(M) to a running tau, and stop at the
     *          first M with M >= c tau.  You need rho(t) only up to the window, so compute the
     *          lags as you go instead of all n of them.
     *          Hint: README section "The integrated autocorrelation time". */
    return GSL_EUNIMPL;
}

/* ess = n / tau, mean = xbar, err = sqrt(C(0) tau / n), tau from mcmc_tau_int(x, c, ...).
 * Same errors as mcmc_tau_int. */
int mcmc_ess(const gsl_vector *x, double c, double *ess, double *mean, double *err)
{
    (void)x, (void)c, (void)ess, (void)mean, (void)err;
    /* TODO(8): call your mcmc_tau_int, pass on its error if it fails, then three formulas.
     *          Hint: README section "Effective sample size". */
    return GSL_EUNIMPL;
}

/* Going further: Wolff's cluster algorithm (Phys. Rev. Lett. 62, 361 (1989)) flips whole
 * clusters grown with bond probability 1 - exp(-2 beta) and has almost no critical slowing
 * down: write ising_wolff_step() and compare its tau with Metropolis near T_c = 2.269. */
