/*
 * Chapter 14 experiment: the 2-D Ising model by Metropolis, against the exact solutions.
 * Uses whichever mcmc.c was built (yours with `make run CH=14-mcmc`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes into OUTDIR:
 *   ising_T.dat    per lattice size L = 8, 16, 32 (one block each) and temperature T:
 *                  <|m|>, <e>, c with error bars from your mcmc_ess, and tau_int of |m| and e
 *   theory_T.dat   Onsager-Yang M(T), Onsager's energy and specific heat of the infinite
 *                  lattice, and Kaufman's exact e and c of the 8x8, 16x16 and 32x32 tori
 *   autocorr.dat   rho(t) of |m| on 32x32 at T = 2.0, 2.27 (T_c) and 3.0
 *   gibbs.dat      rho(t) of x for Gibbs on the bivariate normal, rho = 0.5, 0.9, 0.99, and rho^{2t}
 * Seeds: gsl_rng_mt19937 with seed 1400 + experiment number, so every run is reproducible.
 *
 * Theory (run.c is not graded, so it may use anything in GSL):
 *   Onsager (Phys. Rev. 65, 117 (1944)), with K = 1/T, k = 2 sinh 2K / cosh^2 2K,
 *   k' = 2 tanh^2 2K - 1 and the complete elliptic integrals K1(k), E1(k) (gsl_sf_ellint_Kcomp,
 *   gsl_sf_ellint_Ecomp, modulus k):
 *     u = -coth 2K [1 + (2/pi) k' K1(k)],
 *     c = (4/pi) (K coth 2K)^2 {K1(k) - E1(k) - (1 - tanh^2 2K) [pi/2 + k' K1(k)]}
 *   (c = du/dT; main() checks it against a numerical derivative of u and prints the difference);
 *   Yang (Phys. Rev. 85, 808 (1952)): M = (1 - sinh(2K)^-4)^(1/8) below T_c = 2/ln(1 + sqrt 2);
 *   Kaufman (Phys. Rev. 76, 1232 (1949)): log Z of the finite torus, differentiated numerically.
 */
#include "mcmc.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_ellint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CH "14-mcmc"
static const double TC = 2.269185314213022; /* 2 / ln(1 + sqrt 2) */

static double onsager_m(double T)
{
    return T >= TC ? 0.0 : pow(1.0 - pow(sinh(2.0 / T), -4.0), 0.125);
}

/* Onsager's energy (what = 0) or specific heat (what = 1) per spin of the infinite lattice. */
static double onsager(double T, int what)
{
    const double K = 1.0 / T, t2 = tanh(2 * K) * tanh(2 * K), cth = 1.0 / tanh(2 * K);
    const double k = 2 * sinh(2 * K) / (cosh(2 * K) * cosh(2 * K)), kp = 2 * t2 - 1;
    const double K1 = gsl_sf_ellint_Kcomp(k, GSL_PREC_DOUBLE), E1 = gsl_sf_ellint_Ecomp(k, GSL_PREC_DOUBLE);
    if (what == 0)
        return -cth * (1 + 2 / M_PI * kp * K1);
    return 4 / M_PI * (K * cth) * (K * cth) * (K1 - E1 - (1 - t2) * (M_PI / 2 + kp * K1));
}

/* Kaufman's log Z of the L x L torus at K = 1/T (Ferdinand and Fisher's form), summed in
 * logarithms with signs. */
static double kaufman_lnZ(size_t L, double K)
{
    const double a = cosh(2 * K) / tanh(2 * K);
    double lg[4] = {0, 0, 0, 0};
    int sg[4] = {1, 1, 1, 1};
    for (size_t l = 0; l < 2 * L; l++) {
        double g = l == 0 ? 2 * K + log(tanh(K)) : acosh(a - cos(M_PI * (double)l / (double)L));
        double h = 0.5 * (double)L * g, ah = fabs(h);
        int ic = (l & 1) ? 0 : 2, is = ic + 1;
        lg[ic] += ah + log1p(exp(-2 * ah));
        lg[is] += ah + log(-expm1(-2 * ah));
        if (h < 0)
            sg[is] = -sg[is];
    }
    double mx = fmax(fmax(lg[0], lg[1]), fmax(lg[2], lg[3])), S = 0;
    for (int i = 0; i < 4; i++)
        S += sg[i] * exp(lg[i] - mx);
    return log(0.5) + 0.5 * (double)(L * L) * log(2 * sinh(2 * K)) + mx + log(S);
}

static double kaufman_e(size_t L, double T)
{
    const double K = 1 / T, h = 1e-4;
    return -(kaufman_lnZ(L, K + h) - kaufman_lnZ(L, K - h)) / (2 * h) / (double)(L * L);
}

static double kaufman_c(size_t L, double T)
{
    const double K = 1 / T, h = 1e-3;
    return K * K * (kaufman_lnZ(L, K + h) - 2 * kaufman_lnZ(L, K) + kaufman_lnZ(L, K - h)) / (h * h) / (double)(L * L);
}

/* One Metropolis run: burn-in, then n sweeps recording e and |m| per spin after each. */
static int simulate(size_t L, double T, size_t burn, gsl_rng *rng, signed char *s, gsl_vector *e, gsl_vector *am,
                    double *acc_rate)
{
    const size_t N = L * L;
    int st;
    size_t acc, tot = 0;
    for (size_t k = 0; k < N; k++)
        s[k] = 1;
    for (size_t t = 0; t < burn; t++)
        if ((st = ising_metropolis_sweep(s, L, 1 / T, rng, NULL)))
            return mlphys_run_fail(CH, "ising_metropolis_sweep", st);
    for (size_t t = 0; t < e->size; t++) {
        if ((st = ising_metropolis_sweep(s, L, 1 / T, rng, &acc)))
            return mlphys_run_fail(CH, "ising_metropolis_sweep", st);
        tot += acc;
        double E;
        if ((st = ising_energy(s, L, &E)))
            return mlphys_run_fail(CH, "ising_energy", st);
        long M = 0;
        for (size_t k = 0; k < N; k++)
            M += s[k];
        gsl_vector_set(e, t, E / (double)N);
        gsl_vector_set(am, t, fabs((double)M) / (double)N);
    }
    *acc_rate = (double)tot / ((double)e->size * (double)N);
    return 0;
}

/* mean, error and tau of a chain; a frozen chain (all samples equal) gets error 0 and tau 1,
 * a chain too short for its tau gets NaN error bars (and a note on stdout). */
static int summarise(const gsl_vector *x, double *mean, double *err, double *tau)
{
    double ess;
    size_t M;
    int st = mcmc_ess(x, 5.0, &ess, mean, err);
    if (st == GSL_EDOM) {
        *mean = gsl_vector_get(x, 0), *err = 0, *tau = 1;
        return 0;
    }
    if (st == GSL_EMAXITER) {
        double m = 0;
        for (size_t i = 0; i < x->size; i++)
            m += gsl_vector_get(x, i) / (double)x->size;
        *mean = m, *err = NAN, *tau = NAN;
        return 0;
    }
    if (st)
        return mlphys_run_fail(CH, "mcmc_ess", st);
    if ((st = mcmc_tau_int(x, 5.0, tau, &M)))
        return mlphys_run_fail(CH, "mcmc_tau_int", st);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;
    FILE *f;

    /* 0. The 4x4 lattice at T = 2: exact enumeration against a Metropolis run. */
    {
        double e, m, c;
        if ((st = ising_exact(4, 0.5, &e, &m, &c)))
            return mlphys_run_fail(CH, "ising_exact", st);
        signed char s4[16];
        gsl_vector *ev = gsl_vector_alloc(200000), *mv = gsl_vector_alloc(200000);
        double acc, me, ee, te, mm, em, tm;
        gsl_rng_set(rng, 1400);
        if (simulate(4, 2.0, 1000, rng, s4, ev, mv, &acc) || summarise(ev, &me, &ee, &te) || summarise(mv, &mm, &em, &tm))
            return 1;
        printf("4x4 at T = 2, exact enumeration: <e> = %.6f, <|m|> = %.6f, c = %.6f\n", e, m, c);
        printf("  Metropolis, 2e5 sweeps:        <e> = %.6f +- %.6f (tau %.2f), <|m|> = %.6f +- %.6f (tau %.2f)\n",
               me, ee, te, mm, em, tm);
        gsl_vector_free(ev), gsl_vector_free(mv);
    }

    /* 1. |m|, e and c against T for three sizes. */
    const size_t Ls[] = {8, 16, 32}, nsw[] = {40000, 20000, 10000}, burn = 2000;
    const double Ts[] = {1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.1, 2.15, 2.2, 2.25, 2.3, 2.35, 2.4, 2.5,
                         2.6, 2.7, 2.8, 3.0, 3.2, 3.5};
    const size_t nT = sizeof Ts / sizeof *Ts;
    signed char *s = malloc(32 * 32);
    if (!s || !(f = mlphys_open_out(out, "ising_T.dat")))
        return 1;
    fprintf(f, "# Metropolis on the L x L torus, one block per L; burn-in %zu sweeps from all up (seed 1401)\n"
               "# T  L  sweeps  <|m|>  err  <e>  err  c  err  tau(|m|)  tau(e)  acceptance\n", burn);
    gsl_rng_set(rng, 1401);
    double tau_c32 = 0, tau_2_32 = 0, m2_32 = 0, m2_err = 0;
    for (int l = 0; l < 3; l++) {
        const size_t L = Ls[l], n = nsw[l];
        gsl_vector *ev = gsl_vector_alloc(n), *mv = gsl_vector_alloc(n), *u = gsl_vector_alloc(n);
        for (size_t i = 0; i < nT; i++) {
            double acc, me, ee, te, mm, em, tm, ce, cerr, tu;
            if (simulate(L, Ts[i], burn, rng, s, ev, mv, &acc) || summarise(ev, &me, &ee, &te) ||
                summarise(mv, &mm, &em, &tm))
                return 1;
            /* c = beta^2 N Var(e): the error bar from the chain of squared deviations */
            for (size_t t = 0; t < n; t++)
                gsl_vector_set(u, t, (gsl_vector_get(ev, t) - me) * (gsl_vector_get(ev, t) - me));
            if (summarise(u, &ce, &cerr, &tu))
                return 1;
            const double scale = (double)(L * L) / (Ts[i] * Ts[i]);
            fprintf(f, "%.3f %zu %zu %.6f %.6f %.6f %.6f %.6f %.6f %.3f %.3f %.4f\n", Ts[i], L, n, mm, em, me, ee,
                    ce * scale, cerr * scale, tm, te, acc);
            if (L == 32 && Ts[i] == 2.25)
                tau_c32 = tm;
            if (L == 32 && Ts[i] == 2.0)
                tau_2_32 = tm, m2_32 = mm, m2_err = em;
        }
        fprintf(f, "\n\n");
        gsl_vector_free(ev), gsl_vector_free(mv), gsl_vector_free(u);
    }
    fclose(f);
    printf("32x32 at T = 2: <|m|> = %.5f +- %.5f (Onsager-Yang %.6f)\n", m2_32, m2_err, onsager_m(2.0));
    printf("critical slowing down on 32x32: tau_int(|m|) = %.1f sweeps at T = 2.0, %.1f at T = 2.25\n", tau_2_32,
           tau_c32);

    /* Theory curves on a fine grid (the elliptic integrals diverge at T_c itself: skip it). */
    if (!(f = mlphys_open_out(out, "theory_T.dat")))
        return 1;
    fprintf(f, "# T  M_onsager  u_inf  c_inf  e_L8  c_L8  e_L16  c_L16  e_L32  c_L32   (Onsager, Yang, Kaufman)\n");
    for (int i = 0; i <= 400; i++) {
        double T = 1.4 + 2.2 * i / 400.0;
        if (fabs(T - TC) < 1e-4)
            continue;
        fprintf(f, "%.5f %.6f %.6f %.6f", T, onsager_m(T), onsager(T, 0), onsager(T, 1));
        for (int l = 0; l < 3; l++)
            fprintf(f, " %.6f %.6f", kaufman_e(Ls[l], T), kaufman_c(Ls[l], T));
        fprintf(f, "\n");
    }
    fclose(f);
    double worst = 0;
    for (double T = 1.5; T < 3.5; T += 0.01)
        if (fabs(T - TC) > 0.02)
            worst = fmax(worst, fabs(onsager(T, 1) - (onsager(T + 1e-5, 0) - onsager(T - 1e-5, 0)) / 2e-5));
    printf("Onsager's c(T) formula vs the numerical derivative du/dT: max difference %.1e\n", worst);
    printf("specific heat at T = 2.3: Onsager (infinite) %.3f, Kaufman 32x32 %.3f, 8x8 %.3f\n", onsager(2.3, 1),
           kaufman_c(32, 2.3), kaufman_c(8, 2.3));

    /* 2. Autocorrelation of |m| on 32x32 at three temperatures. */
    const double Ta[] = {2.0, TC, 3.0};
    const size_t na = 40000, K = 301;
    gsl_vector *ev = gsl_vector_alloc(na), *mv = gsl_vector_alloc(na), *rho[3];
    gsl_rng_set(rng, 1402);
    for (int i = 0; i < 3; i++) {
        double acc;
        rho[i] = gsl_vector_alloc(K);
        if (simulate(32, Ta[i], burn, rng, s, ev, mv, &acc))
            return 1;
        if ((st = mcmc_autocorr(mv, rho[i])))
            return mlphys_run_fail(CH, "mcmc_autocorr", st);
        double tau;
        size_t M;
        st = mcmc_tau_int(mv, 5.0, &tau, &M);
        if (st && st != GSL_EMAXITER)
            return mlphys_run_fail(CH, "mcmc_tau_int", st);
        printf("32x32, T = %.3f: tau_int(|m|) = %.1f sweeps (window %zu), ESS %.0f of %zu\n", Ta[i], st ? NAN : tau,
               st ? 0 : M, st ? NAN : (double)na / tau, na);
    }
    if (!(f = mlphys_open_out(out, "autocorr.dat")))
        return 1;
    fprintf(f, "# rho(t) of |m| on 32x32, %zu sweeps each (seed 1402)\n# t  T = 2.0  T = T_c  T = 3.0\n", na);
    for (size_t t = 0; t < K; t++)
        fprintf(f, "%zu %.6f %.6f %.6f\n", t, gsl_vector_get(rho[0], t), gsl_vector_get(rho[1], t),
                gsl_vector_get(rho[2], t));
    fclose(f);
    gsl_vector_free(ev), gsl_vector_free(mv);
    for (int i = 0; i < 3; i++)
        gsl_vector_free(rho[i]);

    /* 3. Gibbs on the bivariate normal: x is an AR(1) chain with coefficient rho^2. */
    const double rg[] = {0.5, 0.9, 0.99};
    const size_t ng = 200000, Kg = 201;
    gsl_matrix *xy = gsl_matrix_alloc(ng, 2);
    gsl_vector *rgib[3];
    gsl_rng_set(rng, 1403);
    for (int i = 0; i < 3; i++) {
        rgib[i] = gsl_vector_alloc(Kg);
        if ((st = gibbs_bivariate_normal(rg[i], 0.0, rng, xy)))
            return mlphys_run_fail(CH, "gibbs_bivariate_normal", st);
        gsl_vector_view x = gsl_matrix_column(xy, 0);
        if ((st = mcmc_autocorr(&x.vector, rgib[i])))
            return mlphys_run_fail(CH, "mcmc_autocorr", st);
        double tau;
        size_t M;
        if ((st = mcmc_tau_int(&x.vector, 5.0, &tau, &M)))
            return mlphys_run_fail(CH, "mcmc_tau_int", st);
        printf("Gibbs, rho = %.2f: tau_int(x) = %.2f (theory (1 + rho^2)/(1 - rho^2) = %.2f)\n", rg[i], tau,
               (1 + rg[i] * rg[i]) / (1 - rg[i] * rg[i]));
    }
    if (!(f = mlphys_open_out(out, "gibbs.dat")))
        return 1;
    fprintf(f, "# Gibbs on the bivariate normal, %zu steps (seed 1403): rho(t) of x and theory rho^{2t}\n"
               "# t  rho=0.5  theory  rho=0.9  theory  rho=0.99  theory\n", ng);
    for (size_t t = 0; t < Kg; t++) {
        fprintf(f, "%zu", t);
        for (int i = 0; i < 3; i++)
            fprintf(f, " %.6f %.6f", gsl_vector_get(rgib[i], t), pow(rg[i] * rg[i], (double)t));
        fprintf(f, "\n");
    }
    fclose(f);
    gsl_matrix_free(xy);
    for (int i = 0; i < 3; i++)
        gsl_vector_free(rgib[i]);

    printf("wrote %s/ising_T.dat, theory_T.dat, autocorr.dat, gibbs.dat\n", out);
    free(s);
    gsl_rng_free(rng);
    return 0;
}
