/*
 * Chapter 14 test helpers, shared by tests.c and hidden.c.  They are the tests' own code, written
 * independently of the reference solution and deliberately in a different way (modulo
 * arithmetic instead of branches, bit loops instead of Gray codes, the Kaufman formula instead
 * of enumeration), so that a shared mistake cannot hide.
 */
#ifndef MLPHYS_MCMC_TESTLIB_H
#define MLPHYS_MCMC_TESTLIB_H

#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>

/* Onsager's critical temperature 2 / ln(1 + sqrt 2) = 2.269185 and the Onsager-Yang spontaneous
 * magnetisation M(T) = (1 - sinh(2/T)^-4)^(1/8) below it (C. N. Yang, Phys. Rev. 85, 808 (1952)). */
static inline double t_onsager_m(double T)
{
    double s = sinh(2.0 / T);
    return pow(1.0 - pow(s, -4.0), 0.125);
}

/* Energy of configuration s (L x L, periodic) by the definition, with modulo arithmetic. */
static inline double t_energy(const signed char *s, size_t L)
{
    long E = 0;
    for (size_t r = 0; r < L; r++)
        for (size_t c = 0; c < L; c++)
            E -= s[r * L + c] * (s[r * L + (c + 1) % L] + s[((r + 1) % L) * L + c]);
    return (double)E;
}

static inline long t_magnetisation(const signed char *s, size_t N)
{
    long M = 0;
    for (size_t k = 0; k < N; k++)
        M += s[k];
    return M;
}

/* Configuration number g of N spins: spin k is +1 if bit k of g is set, else -1. */
static inline void t_config(unsigned long g, size_t N, signed char *s)
{
    for (size_t k = 0; k < N; k++)
        s[k] = ((g >> k) & 1ul) ? 1 : -1;
}

/* log Z of the L_r x L_c periodic Ising model at coupling K = beta J, exact for any finite
 * lattice: B. Kaufman, Phys. Rev. 76, 1232 (1949), in the form of A. E. Ferdinand and
 * M. E. Fisher, Phys. Rev. 185, 832 (1969), eqs. (2.1)-(2.4):
 *   Z = 1/2 (2 sinh 2K)^{mn/2} (Z1 + Z2 + Z3 + Z4),  m rows, n columns,
 *   Z1 = prod_{r=0}^{n-1} 2 cosh(m g_{2r+1} / 2),  Z2 = same with sinh,
 *   Z3 = prod_{r=0}^{n-1} 2 cosh(m g_{2r} / 2),    Z4 = same with sinh,
 *   cosh g_l = cosh 2K coth 2K - cos(pi l / n)  (g_l > 0),  g_0 = 2K + ln tanh K (negative below T_c).
 * Checked against brute-force enumeration of 3x3 and 4x4 to 1e-9 while writing these tests.
 * Summed in logarithms with signs, so it neither overflows nor underflows for L up to hundreds. */
static inline double t_kaufman_lnZ(size_t m, size_t n, double K)
{
    const double a = cosh(2 * K) / tanh(2 * K);
    double lg[4] = {0, 0, 0, 0};
    int sg[4] = {1, 1, 1, 1};
    for (size_t r = 0; r < n; r++) {
        for (int odd = 0; odd < 2; odd++) {
            size_t l = 2 * r + (size_t)odd;
            double g = l == 0 ? 2 * K + log(tanh(K)) : acosh(a - cos(M_PI * (double)l / (double)n));
            double h = 0.5 * (double)m * g;
            int ic = odd ? 0 : 2, is = odd ? 1 : 3; /* Z1, Z2 from odd l; Z3, Z4 from even l */
            /* log(2 cosh h) and log(2 |sinh h|) without overflow for large |h| */
            double ah = fabs(h);
            lg[ic] += ah + log1p(exp(-2 * ah));
            lg[is] += ah + log(-expm1(-2 * ah));
            if (h < 0)
                sg[is] = -sg[is];
        }
    }
    double mx = fmax(fmax(lg[0], lg[1]), fmax(lg[2], lg[3])), S = 0;
    for (int i = 0; i < 4; i++)
        S += sg[i] * exp(lg[i] - mx);
    return log(0.5) + 0.5 * (double)(m * n) * log(2 * sinh(2 * K)) + mx + log(S);
}

/* Energy per spin <E>/N = -d lnZ / dK / N of the L x L lattice at temperature T (J = 1), by a
 * centred difference with h = 1e-4: the truncation error is h^2/6 |d^3 lnZ/dK^3| / N, below
 * 1e-8 here, and the rounding error eps |lnZ| / (h N) is below 1e-11. */
static inline double t_kaufman_energy(size_t L, double T)
{
    const double K = 1.0 / T, h = 1e-4;
    return -(t_kaufman_lnZ(L, L, K + h) - t_kaufman_lnZ(L, L, K - h)) / (2 * h) / (double)(L * L);
}

/* Specific heat per spin c = K^2 d^2 lnZ / dK^2 / N, by the second difference with h = 1e-3:
 * truncation h^2/12 |lnZ''''| / N ~ 1e-6 and rounding 4 eps |lnZ| / (h^2 N) ~ 1e-9. */
static inline double t_kaufman_c(size_t L, double T)
{
    const double K = 1.0 / T, h = 1e-3;
    const double d2 = t_kaufman_lnZ(L, L, K + h) - 2 * t_kaufman_lnZ(L, L, K) + t_kaufman_lnZ(L, L, K - h);
    return K * K * d2 / (h * h) / (double)(L * L);
}

/* x_0 ~ N(0, 1/(1 - phi^2)) (the stationary law), x_{i+1} = phi x_i + z_i, z_i ~ N(0, 1), plus mu.
 * Its autocorrelation is phi^t and its integrated time (1 + phi) / (1 - phi). */
static inline void t_ar1(gsl_rng *rng, double phi, double mu, gsl_vector *x)
{
    double v = gsl_ran_gaussian_ziggurat(rng, 1.0 / sqrt(1.0 - phi * phi));
    for (size_t i = 0; i < x->size; i++) {
        gsl_vector_set(x, i, mu + v);
        v = phi * v + gsl_ran_gaussian_ziggurat(rng, 1.0);
    }
}

/* The tests' own autocovariance C(t) = 1/(n - t) sum (x_i - xbar)(x_{i+t} - xbar). */
static inline double t_autocov(const gsl_vector *x, size_t t)
{
    const size_t n = x->size;
    double xbar = 0, s = 0;
    for (size_t i = 0; i < n; i++)
        xbar += x->data[i * x->stride];
    xbar /= (double)n;
    for (size_t i = 0; i < n - t; i++)
        s += (x->data[i * x->stride] - xbar) * (x->data[(i + t) * x->stride] - xbar);
    return s / (double)(n - t);
}

#endif
