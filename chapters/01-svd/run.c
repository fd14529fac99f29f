/*
 * Chapter 01 experiment: the BBP transition, the semicircle, and why not A^T A.
 * Uses whichever svd.c was built (yours with `make run CH=01-svd`, the reference with
 * IMPL=solutions).  Usage: run OUTDIR.  Writes OUTDIR/bbp.dat, spectrum.dat, accuracy.dat.
 * Seeds: gsl_rng_mt19937 with seed 2024 + draw index, so every run is reproducible.
 */
#include "svd.h"
#include "mlphys_run.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Eigenvalues of a symmetric A from its SVD: lambda_j = s_j * sign(u_j . v_j). */
static void signed_values(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V, gsl_vector *ev)
{
    for (size_t j = 0; j < s->size; j++) {
        gsl_vector_const_view u = gsl_matrix_const_column(U, j), v = gsl_matrix_const_column(V, j);
        double d;
        gsl_blas_ddot(&u.vector, &v.vector, &d);
        gsl_vector_set(ev, j, d >= 0 ? gsl_vector_get(s, j) : -gsl_vector_get(s, j));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    gsl_set_error_handler_off();
    const char *out = argv[1];
    int st;

    /* 1. BBP sweep: top singular value and overlap of the top singular vector with x. */
    const size_t n = 150;
    const int R = 4;
    gsl_vector *x = gsl_vector_alloc(n), *s = gsl_vector_alloc(n);
    gsl_matrix *A = gsl_matrix_alloc(n, n), *U = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    FILE *f = mlphys_open_out(out, "bbp.dat");
    if (!f)
        return 1;
    fprintf(f, "# lambda  top_mean top_sd  overlap_mean overlap_sd   (n = %zu, %d draws each)\n", n, R);
    double worst_gap = 0;
    for (int l = 0; l <= 16; l++) {
        double lambda = 0.25 * l, t1 = 0, t2 = 0, o1 = 0, o2 = 0;
        for (int r = 0; r < R; r++) {
            gsl_rng_set(rng, 2024 + (unsigned long)(l * R + r));
            if ((st = spiked_wigner_sample(lambda, rng, x, A)))
                return mlphys_run_fail("01-svd", "spiked_wigner_sample", st);
            if ((st = svd_thin(A, U, s, V)))
                return mlphys_run_fail("01-svd", "svd_thin", st);
            gsl_vector_view v = gsl_matrix_column(V, 0);
            double d, top = gsl_vector_get(s, 0);
            gsl_blas_ddot(&v.vector, x, &d);
            t1 += top, t2 += top * top, o1 += d * d, o2 += d * d * d * d;
        }
        double tm = t1 / R, om = o1 / R;
        fprintf(f, "%.2f %.5f %.5f %.5f %.5f\n", lambda, tm, sqrt(fmax(t2 / R - tm * tm, 0)), om,
                sqrt(fmax(o2 / R - om * om, 0)));
        if (lambda > 1.5) {
            double gap = fabs(om - (1 - 1 / (lambda * lambda)));
            worst_gap = gap > worst_gap ? gap : worst_gap;
        }
    }
    fclose(f);
    printf("BBP sweep, n = %zu, %d draws per lambda: above lambda = 1.5 the mean overlap is within "
           "%.3f of 1 - 1/lambda^2\n", n, R, worst_gap);

    /* 2. The spectrum of one larger draw with a spike (lambda = 3): the semicircle on [-2, 2]
     *    plus one outlier at lambda + 1/lambda. */
    const size_t m = 400;
    gsl_vector *x2 = gsl_vector_alloc(m), *s2 = gsl_vector_alloc(m), *ev2 = gsl_vector_alloc(m);
    gsl_matrix *A2 = gsl_matrix_alloc(m, m), *U2 = gsl_matrix_alloc(m, m), *V2 = gsl_matrix_alloc(m, m);
    gsl_rng_set(rng, 2024);
    if ((st = spiked_wigner_sample(3.0, rng, x2, A2)))
        return mlphys_run_fail("01-svd", "spiked_wigner_sample", st);
    if ((st = svd_thin(A2, U2, s2, V2)))
        return mlphys_run_fail("01-svd", "svd_thin", st);
    signed_values(U2, s2, V2, ev2);
    if (!(f = mlphys_open_out(out, "spectrum.dat")))
        return 1;
    fprintf(f, "# eigenvalues of one spiked Wigner draw, n = %zu, lambda = 3\n", m);
    double inside = 0;
    for (size_t j = 0; j < m; j++) {
        fprintf(f, "%.6f\n", gsl_vector_get(ev2, j));
        inside += fabs(gsl_vector_get(ev2, j)) <= 2.1;
    }
    fclose(f);
    printf("spectrum, n = %zu, lambda = 3: %.0f of %zu eigenvalues in [-2.1, 2.1]; the largest is %.3f "
           "(theory 3.333)\n", m, inside, m, gsl_vector_get(s2, 0));

    /* 3. Accuracy: known singular values from 1 to 1e-12, by Jacobi and through A^T A. */
    const size_t N = 25, M = 40;
    gsl_vector *sig = gsl_vector_alloc(N), *sj = gsl_vector_alloc(N), *se = gsl_vector_alloc(N);
    gsl_matrix *B = gsl_matrix_alloc(M, N), *W = gsl_matrix_alloc(M, N), *VJ = gsl_matrix_alloc(N, N);
    gsl_matrix *UE = gsl_matrix_alloc(M, N), *VE = gsl_matrix_alloc(N, N);
    gsl_matrix *G = gsl_matrix_alloc(M, M), *Q1 = gsl_matrix_alloc(M, M), *Q2 = gsl_matrix_alloc(N, N);
    gsl_matrix *R1 = gsl_matrix_alloc(M, M), *R2 = gsl_matrix_alloc(N, N), *H = gsl_matrix_alloc(N, N);
    gsl_vector *tau1 = gsl_vector_alloc(M), *tau2 = gsl_vector_alloc(N);
    gsl_rng_set(rng, 7);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++)
            gsl_matrix_set(G, i, j, gsl_ran_gaussian(rng, 1));
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(H, i, j, gsl_ran_gaussian(rng, 1));
    gsl_linalg_QR_decomp(G, tau1), gsl_linalg_QR_unpack(G, tau1, Q1, R1);
    gsl_linalg_QR_decomp(H, tau2), gsl_linalg_QR_unpack(H, tau2, Q2, R2);
    for (size_t j = 0; j < N; j++) {
        gsl_vector_set(sig, j, pow(10.0, -12.0 * (double)j / (double)(N - 1)));
        gsl_vector_view c = gsl_matrix_column(Q1, j);
        gsl_vector_scale(&c.vector, gsl_vector_get(sig, j));
    }
    gsl_matrix_view P = gsl_matrix_submatrix(Q1, 0, 0, M, N);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &P.matrix, Q2, 0.0, B);
    gsl_matrix_memcpy(W, B);
    if ((st = svd_jacobi(W, VJ, sj)))
        return mlphys_run_fail("01-svd", "svd_jacobi", st);
    if ((st = svd_via_eigen(B, UE, se, VE)))
        return mlphys_run_fail("01-svd", "svd_via_eigen", st);
    if (!(f = mlphys_open_out(out, "accuracy.dat")))
        return 1;
    fprintf(f, "# sigma_true  relerr_jacobi  relerr_eigen   (M = %zu, N = %zu)\n", M, N);
    for (size_t j = 0; j < N; j++) {
        double t = gsl_vector_get(sig, j);
        /* a relative error below 1e-17 is shown at 1e-17 so that the log axis can show it */
        fprintf(f, "%.6e %.6e %.6e\n", t, fmax(fabs(gsl_vector_get(sj, j) - t) / t, 1e-17),
                fmax(fabs(gsl_vector_get(se, j) - t) / t, 1e-17));
    }
    fclose(f);
    printf("accuracy at sigma = 1e-6: Jacobi %.1e relative, via A^T A %.1e relative\n",
           fabs(gsl_vector_get(sj, 12) - 1e-6) / 1e-6, fabs(gsl_vector_get(se, 12) - 1e-6) / 1e-6);
    printf("wrote %s/bbp.dat, spectrum.dat, accuracy.dat\n", out);

    gsl_vector_free(x), gsl_vector_free(s), gsl_matrix_free(A);
    gsl_matrix_free(U), gsl_matrix_free(V), gsl_vector_free(x2), gsl_vector_free(s2);
    gsl_vector_free(ev2), gsl_matrix_free(A2), gsl_matrix_free(U2), gsl_matrix_free(V2);
    gsl_vector_free(sig), gsl_vector_free(sj), gsl_vector_free(se), gsl_matrix_free(B);
    gsl_matrix_free(W), gsl_matrix_free(VJ), gsl_matrix_free(UE), gsl_matrix_free(VE);
    gsl_matrix_free(G), gsl_matrix_free(Q1), gsl_matrix_free(Q2), gsl_matrix_free(R1);
    gsl_matrix_free(R2), gsl_matrix_free(H), gsl_vector_free(tau1), gsl_vector_free(tau2);
    gsl_rng_free(rng);
    return 0;
}
