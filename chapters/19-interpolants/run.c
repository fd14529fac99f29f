/*
 * Chapter 19 experiment: the flow of the linear interpolant from N(0, 1) to a two-mode
 * mixture, its time-1 map against the quantile map, the integrators' orders, and a learned
 * velocity.  Uses whichever interpolants.c was built (yours with `make run CH=19-interpolants`,
 * the reference with IMPL=solutions).
 * Usage: run OUTDIR.  Writes OUTDIR/density.dat, traj.dat, orders.dat, loss.dat,
 * velocity.dat, pushforward.dat.  Seeds: gsl_rng_mt19937 seeded with 19 (training), 1919.
 */
#include "interpolants.h"
#include "mlphys_run.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* F^-1(Phi(x0)) by bisection on the mixture CDF (upper tail through complementary CDFs). */
static double quantile_map(const interp_mixture *m, double x0)
{
    const int upper = x0 > 0;
    const double p = upper ? gsl_cdf_ugaussian_Q(x0) : gsl_cdf_ugaussian_P(x0);
    double lo = -40, hi = 40;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * (1 + fabs(lo)); it++) {
        double mid = 0.5 * (lo + hi), F = 0;
        for (size_t k = 0; k < m->K; k++)
            F += m->weight[k] * (upper ? gsl_cdf_gaussian_Q(mid - m->mean[k], m->sd[k])
                                       : gsl_cdf_gaussian_P(mid - m->mean[k], m->sd[k]));
        if (upper ? F > p : F < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

typedef int (*integrator)(interp_velocity_fn, void *, double, double, size_t, gsl_vector *);

/* Trajectories of n_traj points started at the N(0, 1) quantiles, one block each. */
static int write_trajectories(FILE *f, integrator step, interp_velocity_fn b, void *ctx, size_t n_traj,
                              size_t n_steps, gsl_vector *x)
{
    for (size_t i = 0; i < n_traj; i++)
        gsl_vector_set(x, i, gsl_cdf_ugaussian_Pinv((i + 0.5) / (double)n_traj));
    double *path = malloc((n_steps + 1) * n_traj * sizeof *path);
    if (!path)
        return GSL_ENOMEM;
    for (size_t i = 0; i < n_traj; i++)
        path[i] = gsl_vector_get(x, i);
    for (size_t n = 0; n < n_steps; n++) {
        int st = step(b, ctx, (double)n / n_steps, (double)(n + 1) / n_steps, 1, x);
        if (st) {
            free(path);
            return st;
        }
        for (size_t i = 0; i < n_traj; i++)
            path[(n + 1) * n_traj + i] = gsl_vector_get(x, i);
    }
    for (size_t i = 0; i < n_traj; i++) {
        for (size_t n = 0; n <= n_steps; n++)
            fprintf(f, "%.4f %.6f\n", (double)n / n_steps, path[n * n_traj + i]);
        fprintf(f, "\n");
    }
    free(path);
    return GSL_SUCCESS;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    interp_mixture m = interp_default_mixture();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;
    FILE *f;

    /* 1. The density rho(t, x) on a grid, for the heat map. */
    const size_t NX = 241;
    gsl_vector *xs = gsl_vector_alloc(NX), *rho = gsl_vector_alloc(NX);
    for (size_t i = 0; i < NX; i++)
        gsl_vector_set(xs, i, -4.5 + 9.0 * (double)i / (double)(NX - 1));
    if (!(f = mlphys_open_out(out, "density.dat")))
        return 1;
    fprintf(f, "# t x rho(t, x)\n");
    for (int k = 0; k <= 100; k++) {
        double t = k / 100.0;
        if ((st = interp_density(&m, t, xs, rho)))
            return mlphys_run_fail("19-interpolants", "interp_density", st);
        for (size_t i = 0; i < NX; i++)
            fprintf(f, "%.3f %.4f %.6f\n", t, gsl_vector_get(xs, i), gsl_vector_get(rho, i));
        fprintf(f, "\n");
    }
    fclose(f);

    /* 2. Trajectories of the exact flow (RK4, 100 steps) from 30 N(0, 1) quantiles. */
    const size_t NT = 30;
    gsl_vector *x = gsl_vector_alloc(NT);
    if (!(f = mlphys_open_out(out, "traj.dat")))
        return 1;
    if ((st = write_trajectories(f, interp_rk4, interp_velocity_fn_exact, &m, NT, 100, x)))
        return mlphys_run_fail("19-interpolants", "interp_rk4", st);
    fclose(f);
    double worst = 0;
    for (size_t i = 0; i < NT; i++)
        worst = GSL_MAX(worst, fabs(gsl_vector_get(x, i) - quantile_map(&m, gsl_cdf_ugaussian_Pinv((i + 0.5) / NT))));
    printf("exact velocity, RK4 with 100 steps: time-1 map vs quantile map F^-1(Phi(x0)), max error %.2e "
           "over %zu starting points\n", worst, NT);

    /* 3. Orders: max error of the time-1 map over x0 in [-3, 3] against the step count. */
    const size_t NP = 41;
    gsl_vector *xp = gsl_vector_alloc(NP), *q = gsl_vector_alloc(NP);
    for (size_t i = 0; i < NP; i++)
        gsl_vector_set(q, i, quantile_map(&m, -3 + 6.0 * (double)i / (NP - 1)));
    if (!(f = mlphys_open_out(out, "orders.dat")))
        return 1;
    fprintf(f, "# steps  max_error_euler  max_error_rk4   (41 points x0 in [-3, 3])\n");
    double lnn[8], lne[8], lnr[8];
    int nr = 0;
    for (size_t n = 5, j = 0; n <= 640; n *= 2, j++) {
        double e[2] = {0, 0};
        for (int s = 0; s < 2; s++) {
            for (size_t i = 0; i < NP; i++)
                gsl_vector_set(xp, i, -3 + 6.0 * (double)i / (NP - 1));
            if ((st = (s ? interp_rk4 : interp_euler)(interp_velocity_fn_exact, &m, 0, 1, n, xp)))
                return mlphys_run_fail("19-interpolants", s ? "interp_rk4" : "interp_euler", st);
            for (size_t i = 0; i < NP; i++)
                e[s] = GSL_MAX(e[s], fabs(gsl_vector_get(xp, i) - gsl_vector_get(q, i)));
        }
        fprintf(f, "%zu %.6e %.6e\n", n, e[0], e[1]);
        lnn[j] = log((double)n), lne[j] = log(e[0]), lnr[j] = log(GSL_MAX(e[1], 1e-300));
        if (e[1] > 1e-12)
            nr = (int)j + 1;
    }
    fclose(f);
    double c0, c1e, c1r, a, b, c, d;
    gsl_fit_linear(lnn + 4, 1, lne + 4, 1, 4, &c0, &c1e, &a, &b, &c, &d); /* 80 ... 640 steps */
    gsl_fit_linear(lnn + 1, 1, lnr + 1, 1, (size_t)GSL_MIN(4, nr - 1), &c0, &c1r, &a, &b, &c, &d);
    printf("fitted orders: Euler %.3f (80-640 steps), RK4 %.3f (10-80 steps)\n", -c1e, -c1r);
    f = mlphys_open_out(out, "slopes.dat");
    if (!f)
        return 1;
    fprintf(f, "%.4f %.4f\n", -c1e, -c1r);
    fclose(f);

    /* 4. Learn the velocity: a 2-32-32-1 SiLU network, regression on x1 - x0. */
    size_t sizes[] = {2, 32, 32, 1};
    const size_t steps = 6000, avg = 100;
    mlp *net = mlp_alloc(3, sizes, MLP_SILU);
    mlp_workspace *ws = mlp_workspace_alloc(net, 128), *big = mlp_workspace_alloc(net, 512);
    gsl_vector *losses = gsl_vector_alloc(steps);
    gsl_rng_set(rng, 19);
    mlp_init(net, rng);
    clock_t c0t = clock();
    if ((st = interp_train(net, ws, &m, steps, 1e-2, rng, losses)))
        return mlphys_run_fail("19-interpolants", "interp_train", st);
    if (!(f = mlphys_open_out(out, "loss.dat")))
        return 1;
    fprintf(f, "# step  mean batch loss over the last %zu steps\n", avg);
    for (size_t n = avg - 1; n < steps; n += avg) {
        double s = 0;
        for (size_t k = n + 1 - avg; k <= n; k++)
            s += gsl_vector_get(losses, k) / (double)avg;
        fprintf(f, "%zu %.5f\n", n + 1, s);
        if ((n + 1) % 1000 == 0)
            printf("training: step %4zu  loss %.4f\n", n + 1, s);
    }
    fclose(f);
    printf("training: %zu steps of batch 128 in %.1f s CPU\n", steps, (double)(clock() - c0t) / CLOCKS_PER_SEC);
    interp_net dn = {net, big};

    /* the loss floor E (x1 - x0 - b)^2 and the L2 error E (b_theta - b)^2, on fresh samples */
    const size_t M = 20000;
    gsl_vector *x0 = gsl_vector_alloc(M), *x1 = gsl_vector_alloc(M), *one = gsl_vector_alloc(1);
    gsl_vector *be = gsl_vector_alloc(1), *bl = gsl_vector_alloc(1);
    gsl_rng_set(rng, 1919);
    interp_mixture_sample(&m, rng, x1, NULL);
    double floor_loss = 0, l2 = 0, bsq = 0;
    for (size_t i = 0; i < M; i++) {
        double t = gsl_rng_uniform(rng), z = gsl_ran_gaussian(rng, 1.0), target = gsl_vector_get(x1, i) - z;
        gsl_vector_set(one, 0, (1 - t) * z + t * gsl_vector_get(x1, i));
        if ((st = interp_velocity(&m, t, one, be)) || (st = interp_net_velocity(t, one, bl, &dn)))
            return mlphys_run_fail("19-interpolants", "interp_velocity / interp_net_velocity", st);
        floor_loss += gsl_pow_2(target - gsl_vector_get(be, 0)) / M;
        l2 += gsl_pow_2(gsl_vector_get(bl, 0) - gsl_vector_get(be, 0)) / M;
        bsq += gsl_pow_2(gsl_vector_get(be, 0)) / M;
    }
    /* The floor exactly: E (x1 - x0 - b)^2 = E x1^2 + 1 - E b^2 (b is the conditional mean of
     * x1 - x0), with E b^2 = int_0^1 int b^2 rho dx dt by quadrature: 64-point Gauss-Legendre in
     * t, the trapezoid rule on [-12, 12] in x (spectrally accurate for this smooth, Gaussian-tailed
     * integrand). */
    double Ex1sq = 0, Ebsq = 0;
    for (size_t k = 0; k < m.K; k++)
        Ex1sq += m.weight[k] * (m.mean[k] * m.mean[k] + m.sd[k] * m.sd[k]);
    {
        const size_t NQ = 2401;
        gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc(64);
        gsl_vector *xq = gsl_vector_alloc(NQ), *rq = gsl_vector_alloc(NQ), *bq = gsl_vector_alloc(NQ);
        const double dx = 24.0 / (double)(NQ - 1);
        for (size_t i = 0; i < NQ; i++)
            gsl_vector_set(xq, i, -12 + dx * (double)i);
        for (size_t j = 0; j < 64; j++) {
            double tj, wj, inner = 0;
            gsl_integration_glfixed_point(0, 1, j, &tj, &wj, gl);
            if ((st = interp_density(&m, tj, xq, rq)) || (st = interp_velocity(&m, tj, xq, bq)))
                return mlphys_run_fail("19-interpolants", "interp_density / interp_velocity", st);
            for (size_t i = 0; i < NQ; i++)
                inner += (i == 0 || i + 1 == NQ ? 0.5 : 1.0) * dx * gsl_pow_2(gsl_vector_get(bq, i)) * gsl_vector_get(rq, i);
            Ebsq += wj * inner;
        }
        gsl_integration_glfixed_table_free(gl);
        gsl_vector_free(xq), gsl_vector_free(rq), gsl_vector_free(bq);
    }
    printf("learned velocity: E (b_theta - b)^2 = %.4f (E b^2 = %.3f); the loss floor E (x1 - x0 - b)^2 = %.4f "
           "on %zu samples\n", l2, bsq, floor_loss, M);
    printf("loss floor by quadrature: E x1^2 + 1 - E b^2 = %.4f + 1 - %.5f = %.5f\n", Ex1sq, Ebsq, Ex1sq + 1 - Ebsq);
    if (!(f = mlphys_open_out(out, "floor.dat")))
        return 1;
    fprintf(f, "%.5f\n", Ex1sq + 1 - Ebsq);
    fclose(f);

    /* 5. Velocity profiles, exact and learned, at four times. */
    gsl_vector *bex = gsl_vector_alloc(NX), *bln = gsl_vector_alloc(NX);
    if (!(f = mlphys_open_out(out, "velocity.dat")))
        return 1;
    const double tv[] = {0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 4; k++) {
        if ((st = interp_velocity(&m, tv[k], xs, bex)) || (st = interp_net_velocity(tv[k], xs, bln, &dn)))
            return mlphys_run_fail("19-interpolants", "interp_velocity / interp_net_velocity", st);
        fprintf(f, "# t = %.2f: x  b_exact  b_learned\n", tv[k]);
        for (size_t i = 0; i < NX; i++)
            fprintf(f, "%.4f %.6f %.6f\n", gsl_vector_get(xs, i), gsl_vector_get(bex, i), gsl_vector_get(bln, i));
        fprintf(f, "\n\n");
    }
    fclose(f);

    /* 6. Push 10000 N(0, 1) samples through the learned flow (RK4, 40 steps: the network's
     *    velocity is smooth, and 40 steps keep the time-1 map's own error below 1e-4). */
    const size_t NS = 10000;
    gsl_vector *xsm = gsl_vector_alloc(NS);
    for (size_t i = 0; i < NS; i++)
        gsl_vector_set(xsm, i, gsl_ran_gaussian(rng, 1.0));
    if ((st = interp_rk4(interp_net_velocity, &dn, 0, 1, 40, xsm)))
        return mlphys_run_fail("19-interpolants", "interp_rk4 (learned velocity)", st);
    double below = 0;
    for (size_t i = 0; i < NS; i++)
        below += gsl_vector_get(xsm, i) < -0.5;
    double want_below = 0.3 * gsl_cdf_gaussian_P(1.5, 0.5) + 0.7 * gsl_cdf_gaussian_P(-2.0, 0.7);
    printf("learned flow: fraction of %zu samples below x = -0.5 is %.4f (target %.4f)\n", NS, below / NS, want_below);
    if (!(f = mlphys_open_out(out, "pushforward.dat")))
        return 1;
    for (size_t i = 0; i < NS; i++)
        fprintf(f, "%.5f\n", gsl_vector_get(xsm, i));
    fclose(f);
    printf("wrote %s/density.dat, traj.dat, orders.dat, slopes.dat, loss.dat, floor.dat, velocity.dat, "
           "pushforward.dat\n", out);

    gsl_vector_free(xs), gsl_vector_free(rho), gsl_vector_free(x), gsl_vector_free(xp), gsl_vector_free(q);
    gsl_vector_free(losses), gsl_vector_free(x0), gsl_vector_free(x1), gsl_vector_free(one);
    gsl_vector_free(be), gsl_vector_free(bl), gsl_vector_free(bex), gsl_vector_free(bln), gsl_vector_free(xsm);
    mlp_workspace_free(ws), mlp_workspace_free(big), mlp_free(net), gsl_rng_free(rng);
    return 0;
}
