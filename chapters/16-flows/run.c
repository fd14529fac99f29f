/*
 * Chapter 16 experiment: Box-Muller, then a RealNVP flow trained by maximum likelihood on the
 * two moons, its density, its samples, and the film of a Gaussian cloud pushed through the
 * inverse layers into two moons.  Uses whichever flows.c was built (yours with
 * `make run CH=16-flows`, the reference with IMPL=solutions).  Usage: run OUTDIR.  Writes:
 *   box_muller.dat  histogram of 1e6 Box-Muller draws and the N(0, 1) density
 *   data.dat        the 2000 training points (x, y, moon)
 *   density.dat     log p on a 161 x 121 grid: the flow's and the exact density's
 *   samples.dat     2000 flow samples (Box-Muller latent pushed through flows_inverse)
 *   layers.dat      the same latent after each inverse layer (K + 1 blocks), coloured by angle
 *   loss.dat        batch nll per step (raw and a 50-step running mean)
 *   summary.dat     held-out nll of the flow, the exact density and a Gaussian fit
 * Seeds: gsl_rng_mt19937 with seed 16 (data), 1616 (initialisation and training), 2016 (samples).
 */
#include "flows.h"
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define K_LAYERS 8
#define HIDDEN 32
#define DEPTH 2
#define BATCH 128
#define STEPS 3000
#define LR 5e-3
#define NTRAIN 2000
#define NTEST 2000

/* The exact density of the moons (see flows.h), by Simpson's rule in theta (400 intervals). */
static double moons_log_density(double x, double y)
{
    const double s = FLOWS_MOONS_NOISE, R = FLOWS_MOONS_RADIUS, h = M_PI / 400;
    double tot = 0;
    for (int m = 0; m < 2; m++) {
        double sg = m ? -1.0 : 1.0, acc = 0;
        for (int k = 0; k <= 400; k++) {
            double cx = sg * (-1 + R * cos(k * h)), cy = sg * (-0.5 + R * sin(k * h));
            acc += (k == 0 || k == 400 ? 1 : (k % 2 ? 4 : 2)) *
                   exp(-(gsl_pow_2(x - cx) + gsl_pow_2(y - cy)) / (2 * s * s));
        }
        tot += acc * h / 3;
    }
    return log(tot / (2 * M_PI) / (2 * M_PI * s * s));
}

/* logp of any number of rows, in chunks of the flow's capacity. */
static int log_prob_all(flows_flow *f, const gsl_matrix *X, gsl_vector *lp)
{
    for (size_t s = 0; s < X->size1; s += f->capacity) {
        size_t rows = GSL_MIN(f->capacity, X->size1 - s);
        gsl_matrix_const_view V = gsl_matrix_const_submatrix(X, s, 0, rows, 2);
        gsl_vector_view l = gsl_vector_subvector(lp, s, rows);
        int st = flows_log_prob(f, &V.matrix, NULL, &l.vector);
        if (st)
            return st;
    }
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
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int st;
    FILE *fp;

    /* 1. Box-Muller: moments and a histogram. */
    const size_t NB = 1000000;
    gsl_vector *z = gsl_vector_alloc(NB);
    gsl_rng_set(rng, 16);
    if ((st = flows_box_muller(rng, z)))
        return mlphys_run_fail("16-flows", "flows_box_muller", st);
    double m2 = 0, m4 = 0, hist[80] = {0};
    for (size_t i = 0; i < NB; i++) {
        double v = gsl_vector_get(z, i);
        m2 += v * v / (double)NB, m4 += v * v * v * v / (double)NB;
        int b = (int)floor((v + 4.0) / 0.1);
        if (b >= 0 && b < 80)
            hist[b] += 1;
    }
    printf("Box-Muller, 1e6 draws: E z^2 = %.4f (1), E z^4 = %.4f (3 +- 0.049 at 5 sigma)\n", m2, m4);
    if (!(fp = mlphys_open_out(out, "box_muller.dat")))
        return 1;
    fprintf(fp, "# x  histogram density of 1e6 Box-Muller draws  N(0,1) pdf\n");
    for (int b = 0; b < 80; b++) {
        double x = -4.0 + 0.1 * (b + 0.5);
        fprintf(fp, "%.3f %.6f %.6f\n", x, hist[b] / (NB * 0.1), exp(-x * x / 2) / sqrt(2 * M_PI));
    }
    fclose(fp);
    gsl_vector_free(z);

    /* 2. Data: training and held-out moons. */
    gsl_matrix *tr = gsl_matrix_alloc(NTRAIN, 2), *te = gsl_matrix_alloc(NTEST, 2);
    size_t *lab = malloc(NTRAIN * sizeof *lab);
    flows_two_moons(rng, tr, lab);
    flows_two_moons(rng, te, NULL);
    if (!(fp = mlphys_open_out(out, "data.dat")))
        return 1;
    fprintf(fp, "# x y moon\n");
    for (size_t i = 0; i < NTRAIN; i++)
        fprintf(fp, "%.5f %.5f %zu\n", gsl_matrix_get(tr, i, 0), gsl_matrix_get(tr, i, 1), lab[i]);
    fclose(fp);
    free(lab);

    /* 3. Train by maximum likelihood. */
    flows_flow *f = flows_flow_alloc(2, K_LAYERS, HIDDEN, DEPTH, BATCH);
    gsl_rng_set(rng, 1616);
    flows_flow_init(f, rng, 0.0);
    gsl_vector *loss = gsl_vector_alloc(STEPS);
    if ((st = flows_train(f, tr, STEPS, LR, rng, loss)))
        return mlphys_run_fail("16-flows", "flows_train", st);

    /* 4. Held-out nll: flow, exact density (the entropy), Gaussian fit. */
    gsl_vector *lp = gsl_vector_alloc(NTEST);
    if ((st = log_prob_all(f, te, lp)))
        return mlphys_run_fail("16-flows", "flows_log_prob", st);
    double nf = 0, ne = 0, ng = 0, mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < NTRAIN; i++)
        mx += gsl_matrix_get(tr, i, 0) / NTRAIN, my += gsl_matrix_get(tr, i, 1) / NTRAIN;
    for (size_t i = 0; i < NTRAIN; i++) {
        double a = gsl_matrix_get(tr, i, 0) - mx, b = gsl_matrix_get(tr, i, 1) - my;
        sxx += a * a / NTRAIN, syy += b * b / NTRAIN, sxy += a * b / NTRAIN;
    }
    const double det = sxx * syy - sxy * sxy;
    for (size_t i = 0; i < NTEST; i++) {
        double x = gsl_matrix_get(te, i, 0), y = gsl_matrix_get(te, i, 1), a = x - mx, b = y - my;
        nf -= gsl_vector_get(lp, i) / NTEST;
        ne -= moons_log_density(x, y) / NTEST;
        ng += (0.5 * (syy * a * a - 2 * sxy * a * b + sxx * b * b) / det + log(2 * M_PI) + 0.5 * log(det)) / NTEST;
    }
    printf("held-out nll (nats): flow %.4f, exact density %.4f (the entropy), Gaussian fit %.4f\n", nf, ne, ng);
    printf("  KL(data || flow) ~ %.3f nats; the flow recovers %.0f%% of the gap between the Gaussian and the truth\n",
           nf - ne, 100 * (ng - nf) / (ng - ne));
    if (!(fp = mlphys_open_out(out, "summary.dat")))
        return 1;
    fprintf(fp, "# held-out nll: flow exact gaussian\n%.6f %.6f %.6f\n", nf, ne, ng);
    fclose(fp);

    if (!(fp = mlphys_open_out(out, "loss.dat")))
        return 1;
    fprintf(fp, "# step  batch nll  running mean over 50 steps  exact entropy  Gaussian fit\n");
    double run = 0;
    for (size_t n = 0; n < STEPS; n++) {
        run += gsl_vector_get(loss, n) - (n >= 50 ? gsl_vector_get(loss, n - 50) : 0);
        fprintf(fp, "%zu %.5f %.5f %.5f %.5f\n", n, gsl_vector_get(loss, n), run / (double)GSL_MIN(n + 1, 50), ne, ng);
    }
    fclose(fp);

    /* 5. Density on a grid (flow and exact), and its integral. */
    const size_t NX = 161, NY = 121;
    const double x0 = -4, x1 = 4, y0 = -3, y1 = 3, hx = (x1 - x0) / (NX - 1), hy = (y1 - y0) / (NY - 1);
    gsl_matrix *G = gsl_matrix_alloc(NX * NY, 2);
    gsl_vector *gl = gsl_vector_alloc(NX * NY);
    for (size_t i = 0; i < NX; i++)
        for (size_t j = 0; j < NY; j++)
            gsl_matrix_set(G, i * NY + j, 0, x0 + hx * i), gsl_matrix_set(G, i * NY + j, 1, y0 + hy * j);
    if ((st = log_prob_all(f, G, gl)))
        return mlphys_run_fail("16-flows", "flows_log_prob", st);
    if (!(fp = mlphys_open_out(out, "density.dat")))
        return 1;
    fprintf(fp, "# x y  p_flow(x, y)  p_exact(x, y)\n");
    double I = 0;
    for (size_t i = 0; i < NX; i++) {
        for (size_t j = 0; j < NY; j++) {
            double p = exp(gsl_vector_get(gl, i * NY + j));
            I += p * hx * hy;
            fprintf(fp, "%.4f %.4f %.6f %.6f\n", gsl_matrix_get(G, i * NY + j, 0), gsl_matrix_get(G, i * NY + j, 1), p,
                    exp(moons_log_density(gsl_matrix_get(G, i * NY + j, 0), gsl_matrix_get(G, i * NY + j, 1))));
        }
        fprintf(fp, "\n");
    }
    fclose(fp);
    printf("integral of the learned density over [-4, 4] x [-3, 3]: %.4f (the rest lies outside the box)\n", I);

    /* 6. Samples, and the film through the inverse layers. */
    const size_t NS = 2000;
    gsl_rng_set(rng, 2016);
    gsl_vector *zz = gsl_vector_alloc(2 * NS);
    if ((st = flows_box_muller(rng, zz)))
        return mlphys_run_fail("16-flows", "flows_box_muller", st);
    gsl_matrix_view Z = gsl_matrix_view_vector(zz, NS, 2);
    gsl_matrix *S = gsl_matrix_alloc(NS, 2), *A = gsl_matrix_alloc(NS, 2), *Bm = gsl_matrix_alloc(NS, 2);
    gsl_vector *ld = gsl_vector_alloc(BATCH);
    for (size_t s = 0; s < NS; s += BATCH) {
        size_t rows = GSL_MIN(BATCH, NS - s);
        gsl_matrix_view zi = gsl_matrix_submatrix(&Z.matrix, s, 0, rows, 2), xi = gsl_matrix_submatrix(S, s, 0, rows, 2);
        if ((st = flows_inverse(f, &zi.matrix, &xi.matrix)))
            return mlphys_run_fail("16-flows", "flows_inverse", st);
    }
    if (!(fp = mlphys_open_out(out, "samples.dat")))
        return 1;
    fprintf(fp, "# x y: flow samples\n");
    for (size_t i = 0; i < NS; i++)
        fprintf(fp, "%.5f %.5f\n", gsl_matrix_get(S, i, 0), gsl_matrix_get(S, i, 1));
    fclose(fp);

    if (!(fp = mlphys_open_out(out, "layers.dat")))
        return 1;
    gsl_matrix_memcpy(A, &Z.matrix);
    for (size_t stage = 0; stage <= K_LAYERS; stage++) {
        fprintf(fp, "# stage %zu: after %zu inverse layers; colour = angle of z\n", stage, stage);
        for (size_t i = 0; i < NS; i++)
            fprintf(fp, "%.5f %.5f %.4f\n", gsl_matrix_get(A, i, 0), gsl_matrix_get(A, i, 1),
                    atan2(gsl_matrix_get(&Z.matrix, i, 1), gsl_matrix_get(&Z.matrix, i, 0)));
        fprintf(fp, "\n\n");
        if (stage == K_LAYERS)
            break;
        size_t k = K_LAYERS - 1 - stage;
        for (size_t s = 0; s < NS; s += BATCH) {
            size_t rows = GSL_MIN(BATCH, NS - s);
            gsl_matrix_view ai = gsl_matrix_submatrix(A, s, 0, rows, 2), bi = gsl_matrix_submatrix(Bm, s, 0, rows, 2);
            gsl_vector_view l = gsl_vector_subvector(ld, 0, rows);
            if ((st = flows_coupling_inverse(f->net[k], f->ws[k], f->mask[k], &ai.matrix, &bi.matrix, &l.vector)))
                return mlphys_run_fail("16-flows", "flows_coupling_inverse", st);
        }
        gsl_matrix_memcpy(A, Bm);
    }
    fclose(fp);
    printf("wrote box_muller.dat data.dat density.dat samples.dat layers.dat loss.dat summary.dat to %s\n", out);

    gsl_matrix_free(tr), gsl_matrix_free(te), gsl_matrix_free(G), gsl_matrix_free(S), gsl_matrix_free(A);
    gsl_matrix_free(Bm), gsl_vector_free(loss), gsl_vector_free(lp), gsl_vector_free(gl), gsl_vector_free(zz);
    gsl_vector_free(ld), flows_flow_free(f), gsl_rng_free(rng);
    return 0;
}
