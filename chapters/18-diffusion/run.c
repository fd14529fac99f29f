/*
 * Chapter 18 experiment: noise four Gaussian blobs into one, run the film backwards with the
 * exact score, measure the samplers' step-size error, then learn the score with a small
 * network and generate from it.  Uses whichever diffusion.c was built (yours with
 * `make run CH=18-diffusion`, the reference with IMPL=solutions).
 * Usage: run OUTDIR.  Writes OUTDIR/forward.dat, reverse.dat, orders.dat, loss.dat,
 * learned.dat, field.dat.  Seeds: gsl_rng_mt19937 seeded with 18, 1818 (training), 2024.
 */
#include "diffusion.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void write_block(FILE *f, double t, const gsl_matrix *X, size_t n)
{
    fprintf(f, "# t = %.3f\n", t);
    for (size_t i = 0; i < n && i < X->size1; i++)
        fprintf(f, "%.5f %.5f\n", gsl_matrix_get(X, i, 0), gsl_matrix_get(X, i, 1));
    fprintf(f, "\n\n");
}

/* Fractions per quadrant and the within-mode sd (modes at (+-2, +-2)). */
static void mode_stats(const gsl_matrix *X, double frac[4], double *sd)
{
    double c[4] = {0}, ss = 0;
    for (size_t i = 0; i < X->size1; i++) {
        double x = gsl_matrix_get(X, i, 0), y = gsl_matrix_get(X, i, 1);
        c[x >= 0 ? (y >= 0 ? 0 : 3) : (y >= 0 ? 1 : 2)] += 1;
        ss += gsl_pow_2(fabs(x) - 2) + gsl_pow_2(fabs(y) - 2);
    }
    for (int q = 0; q < 4; q++)
        frac[q] = c[q] / (double)X->size1;
    *sd = sqrt(ss / (2.0 * (double)X->size1));
}

/* Sliced W2 over 64 equally spaced directions (equal-size sets). */
static double sliced_w2(const gsl_matrix *A, const gsl_matrix *B)
{
    const size_t n = A->size1;
    const int L = 64;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), tot = 0;
    for (int l = 0; l < L; l++) {
        double c = cos(M_PI * l / L), s = sin(M_PI * l / L), m = 0;
        for (size_t i = 0; i < n; i++) {
            a[i] = c * gsl_matrix_get(A, i, 0) + s * gsl_matrix_get(A, i, 1);
            b[i] = c * gsl_matrix_get(B, i, 0) + s * gsl_matrix_get(B, i, 1);
        }
        gsl_sort(a, 1, n), gsl_sort(b, 1, n);
        for (size_t i = 0; i < n; i++)
            m += gsl_pow_2(a[i] - b[i]);
        tot += m / (double)n;
    }
    free(a), free(b);
    return sqrt(tot / L);
}

/* Exact score of Gaussian data N(0, sd^2 I), for the step-size study. */
static int gauss_score(double t, const gsl_matrix *X, gsl_matrix *S, void *ctx)
{
    double a, s, sd = *(const double *)ctx;
    int st = diffusion_vp_marginal(t, &a, &s);
    if (st)
        return st;
    gsl_matrix_memcpy(S, X);
    gsl_matrix_scale(S, -1.0 / (a * a * sd * sd + s * s));
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
    diffusion_mixture m = diffusion_four_modes();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;
    FILE *f;

    /* 1. The forward process: x_t = alpha x0 + sigma z at a few times. */
    const size_t N = 2000;
    const double times[] = {0.0, 0.1, 0.25, 0.5, 1.0};
    gsl_matrix *X0 = gsl_matrix_alloc(N, 2), *Z = gsl_matrix_alloc(N, 2), *X = gsl_matrix_alloc(N, 2);
    gsl_rng_set(rng, 18);
    if ((st = diffusion_mixture_sample(&m, rng, X0, NULL)) || (st = mlp_sample_normal(rng, Z)))
        return mlphys_run_fail("18-diffusion", "sampling the data", st);
    if (!(f = mlphys_open_out(out, "forward.dat")))
        return 1;
    for (int k = 0; k < 5; k++) {
        double a, s;
        if ((st = diffusion_vp_marginal(times[k], &a, &s)))
            return mlphys_run_fail("18-diffusion", "diffusion_vp_marginal", st);
        for (size_t i = 0; i < 2 * N; i++)
            X->data[i] = a * X0->data[i] + s * Z->data[i];
        write_block(f, times[k], X, N);
    }
    fclose(f);

    /* 2. The reverse SDE with the exact score, 1000 steps of 0.001, snapshots on the way down. */
    if ((st = mlp_sample_normal(rng, X)))
        return mlphys_run_fail("18-diffusion", "mlp_sample_normal", st);
    if (!(f = mlphys_open_out(out, "reverse.dat")))
        return 1;
    write_block(f, 1.0, X, N);
    for (int k = 4; k > 0; k--) {
        size_t steps = (size_t)lround(1000 * (times[k] - times[k - 1]));
        if ((st = diffusion_sample_sde(diffusion_mixture_score_fn, &m, times[k], times[k - 1], steps, rng, X)))
            return mlphys_run_fail("18-diffusion", "diffusion_sample_sde", st);
        write_block(f, times[k - 1], X, N);
    }
    fclose(f);
    double frac[4], sd;
    mode_stats(X, frac, &sd);
    gsl_matrix *T = gsl_matrix_alloc(N, 2);
    diffusion_mixture_sample(&m, rng, T, NULL);
    printf("exact score, reverse SDE (1000 steps, %zu samples): mode fractions %.3f %.3f %.3f %.3f, "
           "within-mode sd %.3f (data: 0.25, 0.5), sliced W2 to exact draws %.3f\n",
           N, frac[0], frac[1], frac[2], frac[3], sd, sliced_w2(X, T));

    /* 3. Step-size study on Gaussian data N(0, 4 I): the SDE's sd error (weak, 100000 points)
     *    and the ODE's error (deterministic, one point), against the exact sd 2. */
    const double gsd = 2.0;
    const size_t NG = 100000;
    gsl_matrix *G = gsl_matrix_alloc(NG, 2);
    double one[2] = {1.0, 0.0};
    gsl_matrix_view P = gsl_matrix_view_array(one, 1, 2);
    double a1, s1;
    diffusion_vp_marginal(1.0, &a1, &s1);
    const double flow = gsd / sqrt(a1 * a1 * gsd * gsd + s1 * s1); /* the exact ODE map */
    if (!(f = mlphys_open_out(out, "orders.dat")))
        return 1;
    fprintf(f, "# steps  sde_sd_error  its_stat_error  sde_theory  ode_error  ode_theory   (Gaussian data, "
               "sd 2; %zu coordinates)\n", 2 * NG);
    printf("Gaussian data (sd 2): steps, SDE sd error, ODE error:");
    for (size_t n = 10; n <= 160; n *= 2) {
        /* theory: Euler-Maruyama and Euler are linear maps here, var <- m^2 var + beta h and
         * x <- m' x with m = 1 + h beta (1/2 - 1/v), m' = 1 + h beta (1 - 1/v) / 2 */
        double var = 1.0, mult = 1.0, h = 1.0 / (double)n;
        for (size_t i = 0; i < n; i++) {
            double t = 1.0 - (double)i * h, a, s, beta = diffusion_beta(t);
            diffusion_vp_marginal(t, &a, &s);
            double v = a * a * gsd * gsd + s * s, mm = 1 + h * beta * (0.5 - 1 / v);
            var = mm * mm * var + beta * h;
            mult *= 1 + 0.5 * h * beta * (1 - 1 / v);
        }
        gsl_rng_set(rng, 2024 + n);
        mlp_sample_normal(rng, G);
        if ((st = diffusion_sample_sde(gauss_score, (void *)&gsd, 1.0, 0.0, n, rng, G)))
            return mlphys_run_fail("18-diffusion", "diffusion_sample_sde", st);
        double q = 0;
        for (size_t i = 0; i < NG * 2; i++)
            q += G->data[i] * G->data[i];
        double sde_sd = sqrt(q / (2.0 * NG));
        one[0] = 1.0, one[1] = 0.0;
        if ((st = diffusion_sample_ode(gauss_score, (void *)&gsd, 1.0, 0.0, n, &P.matrix)))
            return mlphys_run_fail("18-diffusion", "diffusion_sample_ode", st);
        fprintf(f, "%zu %.6f %.6f %.6f %.6e %.6e\n", n, sde_sd - gsd, gsd / sqrt(4.0 * NG), sqrt(var) - gsd,
                fabs(one[0] - flow), fabs(mult - flow));
        printf(" (%zu, %.4f, %.4f)", n, sde_sd - gsd, fabs(one[0] - flow));
    }
    printf("\n");
    fclose(f);

    /* 4. Learn the score: a 3-48-48-2 SiLU network, denoising score matching. */
    size_t sizes[] = {3, 48, 48, 2};
    const size_t steps = 4000, chunk = 500;
    mlp *net = mlp_alloc(3, sizes, MLP_SILU);
    mlp_workspace *ws = mlp_workspace_alloc(net, 128), *big = mlp_workspace_alloc(net, 500);
    gsl_vector *losses = gsl_vector_alloc(steps);
    gsl_rng_set(rng, 1818);
    mlp_init(net, rng);
    if (!(f = mlphys_open_out(out, "loss.dat")))
        return 1;
    fprintf(f, "# step  mean batch loss over the last %zu steps\n", chunk / 5);
    /* The cosine schedule spans all steps, so train in one call and print the curve after. */
    clock_t c0 = clock();
    if ((st = diffusion_train(net, ws, &m, steps, 1e-2, rng, losses)))
        return mlphys_run_fail("18-diffusion", "diffusion_train", st);
    for (size_t n = 0; n < steps; n++) {
        if ((n + 1) % (chunk / 5) == 0) {
            double s = 0;
            for (size_t k = n + 1 - chunk / 5; k <= n; k++)
                s += gsl_vector_get(losses, k);
            fprintf(f, "%zu %.5f\n", n + 1, s / (double)(chunk / 5));
            if ((n + 1) % chunk == 0)
                printf("training: step %4zu  loss %.4f\n", n + 1, s / (double)(chunk / 5));
        }
    }
    fclose(f);
    printf("training: %zu steps of batch 128 in %.1f s CPU\n", steps, (double)(clock() - c0) / CLOCKS_PER_SEC);

    /* The loss floor: the DSM loss of the exact score, eps = -sigma s_exact (Monte Carlo). */
    const size_t NF = 100000;
    gsl_matrix *F0 = gsl_matrix_alloc(NF, 2), *FZ = gsl_matrix_alloc(NF, 2), *FS = gsl_matrix_alloc(1, 2);
    gsl_vector *FT = gsl_vector_alloc(NF);
    diffusion_mixture_sample(&m, rng, F0, NULL), mlp_sample_normal(rng, FZ);
    mlp_sample_uniform(rng, DIFFUSION_T_MIN, 1.0, FT);
    double floor_loss = 0;
    for (size_t i = 0; i < NF; i++) {
        double t = gsl_vector_get(FT, i), a, s, xt[2];
        diffusion_vp_marginal(t, &a, &s);
        for (int j = 0; j < 2; j++)
            xt[j] = a * gsl_matrix_get(F0, i, j) + s * gsl_matrix_get(FZ, i, j);
        gsl_matrix_view XT = gsl_matrix_view_array(xt, 1, 2);
        if ((st = diffusion_mixture_score(&m, t, &XT.matrix, FS)))
            return mlphys_run_fail("18-diffusion", "diffusion_mixture_score", st);
        for (int j = 0; j < 2; j++)
            floor_loss += gsl_pow_2(-s * gsl_matrix_get(FS, 0, j) - gsl_matrix_get(FZ, i, j)) / (double)NF;
    }
    gsl_matrix_free(F0), gsl_matrix_free(FZ), gsl_matrix_free(FS), gsl_vector_free(FT);
    printf("training: loss of the exact score (the floor) %.4f\n", floor_loss);
    if (!(f = mlphys_open_out(out, "floor.dat")))
        return 1;
    fprintf(f, "# DSM loss of the exact score, %zu Monte Carlo samples\n%.5f\n", NF, floor_loss);
    fclose(f);

    diffusion_net dn = {net, big};
    mlp_sample_normal(rng, X);
    if ((st = diffusion_sample_sde(diffusion_net_score, &dn, 1.0, DIFFUSION_T_MIN, 200, rng, X)))
        return mlphys_run_fail("18-diffusion", "diffusion_sample_sde (network score)", st);
    mode_stats(X, frac, &sd);
    printf("learned score, reverse SDE (200 steps): mode fractions %.3f %.3f %.3f %.3f, within-mode sd %.3f, "
           "sliced W2 %.3f (two exact sets of 2000: 0.13 +- 0.05)\n",
           frac[0], frac[1], frac[2], frac[3], sd, sliced_w2(X, T));
    if (!(f = mlphys_open_out(out, "learned.dat")))
        return 1;
    write_block(f, 0.0, X, N);
    fclose(f);

    /* 5. The score fields on a grid at t = 0.1 and 0.4: exact and learned. */
    const int grid = 17;
    gsl_matrix *Q = gsl_matrix_alloc(grid * grid, 2), *SE = gsl_matrix_alloc(grid * grid, 2);
    gsl_matrix *SL = gsl_matrix_alloc(grid * grid, 2);
    for (int i = 0; i < grid; i++)
        for (int j = 0; j < grid; j++)
            gsl_matrix_set(Q, i * grid + j, 0, -4 + 8.0 * i / (grid - 1)),
                gsl_matrix_set(Q, i * grid + j, 1, -4 + 8.0 * j / (grid - 1));
    if (!(f = mlphys_open_out(out, "field.dat")))
        return 1;
    const double tf[] = {0.1, 0.4};
    double worst = 0;
    for (int k = 0; k < 2; k++) {
        if ((st = diffusion_mixture_score(&m, tf[k], Q, SE)))
            return mlphys_run_fail("18-diffusion", "diffusion_mixture_score", st);
        if ((st = diffusion_net_score(tf[k], Q, SL, &dn)))
            return mlphys_run_fail("18-diffusion", "diffusion_net_score", st);
        fprintf(f, "# t = %.2f: x y  exact_sx exact_sy  learned_sx learned_sy\n", tf[k]);
        double num = 0, den = 0;
        for (int i = 0; i < grid * grid; i++) {
            fprintf(f, "%.4f %.4f %.5f %.5f %.5f %.5f\n", gsl_matrix_get(Q, i, 0), gsl_matrix_get(Q, i, 1),
                    gsl_matrix_get(SE, i, 0), gsl_matrix_get(SE, i, 1), gsl_matrix_get(SL, i, 0),
                    gsl_matrix_get(SL, i, 1));
            for (int j = 0; j < 2; j++)
                num += gsl_pow_2(gsl_matrix_get(SL, i, j) - gsl_matrix_get(SE, i, j)),
                    den += gsl_pow_2(gsl_matrix_get(SE, i, j));
        }
        fprintf(f, "\n\n");
        worst = GSL_MAX(worst, sqrt(num / den));
    }
    fclose(f);
    printf("score field on [-4, 4]^2 at t = 0.1 and 0.4: learned vs exact, relative L2 error <= %.3f\n", worst);
    printf("wrote %s/forward.dat, reverse.dat, orders.dat, loss.dat, floor.dat, learned.dat, field.dat\n", out);

    gsl_matrix_free(X0), gsl_matrix_free(Z), gsl_matrix_free(X), gsl_matrix_free(T), gsl_matrix_free(G);
    gsl_matrix_free(Q), gsl_matrix_free(SE), gsl_matrix_free(SL), gsl_vector_free(losses);
    mlp_workspace_free(ws), mlp_workspace_free(big), mlp_free(net), gsl_rng_free(rng);
    return 0;
}
