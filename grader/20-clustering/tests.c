/*
 * Chapter 20 tests: PCA, k-means++ and Lloyd, a diagonal Gaussian mixture by EM, and the
 * adjusted Rand index.  Checked against cases worked by hand, invariants (orthonormality, the
 * eigen-equation, monotone inertia and log-likelihood, fixed points), GSL's symmetric
 * eigensolver run on the tests' own covariance, published values for the digits (scikit-learn
 * 1.2.1's PCA: explained-variance ratios 0.1489, 0.1362, 21 components for 90%), the
 * Arthur-Vassilvitskii bound, and exact expectations (D^2 sampling, ARI under permutation).
 * Nothing is compared with numbers produced by the reference solution.
 */
#include "clustering_test.h"
#include "clustering.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_sort_vector.h>

MLPHYS_SUITE(clustering, 10);

/* ==== TODO(1), TODO(2): PCA ================================================================ */

/* Four points at +-3 along u1 and +-1 along u2 = u1 rotated by 90 degrees, u1 at 30 degrees,
 * around m = (2, -1).  Sample covariance (n - 1 = 3): 18/3 = 6 along u1, 2/3 along u2, nothing
 * across; trace 20/3. */
static gsl_matrix *rotated_square(double *u1, double *u2)
{
    const double c = cos(M_PI / 6), s = sin(M_PI / 6), ab[4][2] = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}};
    u1[0] = c, u1[1] = s, u2[0] = -s, u2[1] = c;
    gsl_matrix *X = gsl_matrix_alloc(4, 2);
    for (size_t i = 0; i < 4; i++) {
        gsl_matrix_set(X, i, 0, 2.0 + ab[i][0] * u1[0] + ab[i][1] * u2[0]);
        gsl_matrix_set(X, i, 1, -1.0 + ab[i][0] * u1[1] + ab[i][1] * u2[1]);
    }
    return X;
}

Test(clustering, pca_hand_worked_rotated_square, .description = "four points at +-3 u1, +-1 u2 around (2, -1), u1 at 30 degrees: variances 6 and 2/3 along u1 and u2, total 20/3")
{
    double u1[2], u2[2];
    gsl_matrix *X = rotated_square(u1, u2), *V = gsl_matrix_alloc(2, 2);
    gsl_vector *m = gsl_vector_alloc(2), *var = gsl_vector_alloc(2);
    gsl_matrix_set_all(V, NAN), gsl_vector_set_all(m, NAN), gsl_vector_set_all(var, NAN);
    double total = NAN;
    mlphys_require_implemented(pca_fit(X, m, V, var, &total), "pca_fit", 1);
    /* exact inputs up to cos/sin rounding: 1e-12 covers the eigensolver's ~1e-15 relative error */
    mlphys_assert_close(gsl_vector_get(m, 0), 2.0, 1e-12, 0, "mean[0]");
    mlphys_assert_close(gsl_vector_get(m, 1), -1.0, 1e-12, 0, "mean[1]");
    mlphys_assert_close(gsl_vector_get(var, 0), 6.0, 1e-12, 1e-12,
                        "var[0], the largest variance: sum of squared deviations / (n - 1) = 18 / 3 (did you divide by n?)");
    mlphys_assert_close(gsl_vector_get(var, 1), 2.0 / 3.0, 1e-12, 1e-12, "var[1] = 2 / 3 (sorted descending?)");
    mlphys_assert_close(total, 20.0 / 3.0, 1e-12, 1e-12, "total variance = trace of the covariance");
    /* the sign convention fixes the eigenvectors completely: u1 = (0.866, 0.5), u2 = (-0.5, 0.866) */
    for (size_t a = 0; a < 2; a++) {
        mlphys_assert_close(gsl_matrix_get(V, a, 0), u1[a], 1e-12, 0,
                            "V[%zu][0], first principal direction as a COLUMN of V, largest entry positive", a);
        mlphys_assert_close(gsl_matrix_get(V, a, 1), u2[a], 1e-12, 0,
                            "V[%zu][1], second principal direction, its largest |entry| (0.866) positive", a);
    }
    gsl_matrix_free(X), gsl_matrix_free(V), gsl_vector_free(m), gsl_vector_free(var);
}

/* The tests' own covariance (plain loops, two passes) and its eigenvalues by GSL, descending. */
static void own_covariance(const gsl_matrix *X, gsl_matrix *S, gsl_vector *lam)
{
    const size_t n = X->size1, d = X->size2;
    double *m = calloc(d, sizeof *m);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            m[a] += gsl_matrix_get(X, i, a) / (double)n;
    gsl_matrix_set_zero(S);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b <= a; b++)
                S->data[a * S->tda + b] += (gsl_matrix_get(X, i, a) - m[a]) * (gsl_matrix_get(X, i, b) - m[b]) / (double)(n - 1);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < a; b++)
            gsl_matrix_set(S, b, a, gsl_matrix_get(S, a, b));
    if (lam) {
        gsl_matrix *T = gsl_matrix_alloc(d, d);
        gsl_matrix_memcpy(T, S);
        gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(d);
        gsl_eigen_symm(T, lam, ws);
        gsl_sort_vector(lam), gsl_vector_reverse(lam);
        gsl_eigen_symm_free(ws), gsl_matrix_free(T);
    }
    free(m);
}

Test(clustering, pca_digits_explained_variance, .description = "digits: explained-variance ratios 0.1489 and 0.1362, 21 components reach 90%, all 64 variances equal GSL's eigenvalues of the covariance")
{
    size_t *y;
    gsl_matrix *X = t_digits(&y), *V = gsl_matrix_alloc(64, 64), *S = gsl_matrix_alloc(64, 64);
    gsl_vector *m = gsl_vector_alloc(64), *var = gsl_vector_alloc(64), *lam = gsl_vector_alloc(64);
    gsl_vector_set_all(var, NAN);
    double total = NAN;
    mlphys_require_implemented(pca_fit(X, m, V, var, &total), "pca_fit", 1);
    /* Published to four decimals (scikit-learn's PCA on the same 1797 x 64 raw pixels): the
     * rounding allows 5e-5, plus 1e-5 so that a value on the rounding edge is not a failure. */
    mlphys_assert_close(gsl_vector_get(var, 0) / total, 0.1489, 6e-5, 0,
                        "explained-variance ratio of PC1 = var[0] / total (centre the pixels; total = trace S)");
    mlphys_assert_close(gsl_vector_get(var, 1) / total, 0.1362, 6e-5, 0, "explained-variance ratio of PC2");
    double cum = 0;
    size_t q90 = 0;
    for (size_t c = 0; c < 64 && !q90; c++)
        if ((cum += gsl_vector_get(var, c) / total) >= 0.9)
            q90 = c + 1;
    cr_assert(q90 == 21, "%zu components reach 90%% of the variance, want 21 (are var sorted descending and total the trace?)", q90);
    /* Independent: GSL's eigenvalues of the tests' own covariance.  Both are backward stable, so
     * they agree to ~1e-13 of the largest eigenvalue (179); 1e-9 of it leaves room for any
     * stable method (an SVD of the centred data included). */
    own_covariance(X, S, lam);
    mlphys_assert_vector_close(var, lam, 1e-9 * gsl_vector_get(lam, 0), 0, "variances var[c]",
                               "they must be the eigenvalues of S = Xc^T Xc / (n - 1), descending");
    gsl_matrix_free(X), gsl_matrix_free(V), gsl_matrix_free(S);
    gsl_vector_free(m), gsl_vector_free(var), gsl_vector_free(lam), free(y);
}

Test(clustering, pca_components_are_orthonormal_eigenvectors, .description = "random anisotropic data, q = 3 of d = 6: V^T V = I, S v = lambda v, descending, sign convention, mean and trace right, X untouched")
{
    const size_t n = 200, d = 6, q = 3;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, d), *X0 = gsl_matrix_alloc(n, d), *S = gsl_matrix_alloc(d, d);
    /* scales 5, 4, ..., 0 plus a mixing so that the eigenvectors are not the axes */
    for (size_t i = 0; i < n; i++) {
        double z[6];
        for (size_t a = 0; a < d; a++)
            z[a] = gsl_ran_gaussian(rng, (double)(d - a)) + (double)a;
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(X, i, a, z[a] + 0.5 * z[(a + 1) % d]);
    }
    gsl_matrix_memcpy(X0, X);
    gsl_matrix *V = gsl_matrix_alloc(d, q);
    gsl_vector *m = gsl_vector_alloc(d), *var = gsl_vector_alloc(q), *lam = gsl_vector_alloc(d);
    gsl_matrix_set_all(V, NAN), gsl_vector_set_all(var, NAN);
    double total = NAN;
    mlphys_require_implemented(pca_fit(X, m, V, var, &total), "pca_fit", 1);
    cr_assert(gsl_matrix_equal(X, X0), "pca_fit changed its input X: centre a copy");
    own_covariance(X, S, lam);
    double tr = 0;
    for (size_t a = 0; a < d; a++) {
        double ma = 0;
        for (size_t i = 0; i < n; i++)
            ma += gsl_matrix_get(X, i, a) / (double)n;
        mlphys_assert_close(gsl_vector_get(m, a), ma, 1e-12, 1e-12, "mean[%zu]", a);
        tr += gsl_matrix_get(S, a, a);
    }
    mlphys_assert_close(total, tr, 0, 1e-12, "total variance (the trace of S, all d directions, not only q)");
    /* orthonormal columns to ~d eps; residual of S v = lambda v to ~d eps lambda_max */
    double oe = mlphys_orthonormality_error(V);
    cr_assert(oe < 1e-12, "max |V^T V - I| = %.3g: the columns of V must be orthonormal eigenvectors", oe);
    for (size_t c = 0; c < q; c++) {
        double l = gsl_vector_get(var, c), worst = 0, big = 0;
        size_t amax = 0;
        for (size_t a = 0; a < d; a++) {
            double sv = 0;
            for (size_t b = 0; b < d; b++)
                sv += gsl_matrix_get(S, a, b) * gsl_matrix_get(V, b, c);
            worst = fmax(worst, fabs(sv - l * gsl_matrix_get(V, a, c)));
            if (fabs(gsl_matrix_get(V, a, c)) > big)
                big = fabs(gsl_matrix_get(V, a, c)), amax = a;
        }
        cr_assert(worst <= 1e-10 * gsl_vector_get(lam, 0), "column %zu: max |S v - var v| = %.3g: V[:, %zu] is not an "
                  "eigenvector of the covariance with eigenvalue var[%zu] (rows vs columns?)", c, worst, c, c);
        mlphys_assert_close(l, gsl_vector_get(lam, c), 1e-10 * gsl_vector_get(lam, 0), 0,
                            "var[%zu] against GSL's %zu-th largest eigenvalue (sorted descending?)", c, c);
        cr_assert(gsl_matrix_get(V, amax, c) > 0, "column %zu: its entry of largest |.| (row %zu) is %g; the sign "
                  "convention makes it positive", c, amax, gsl_matrix_get(V, amax, c));
    }
    gsl_matrix_free(X), gsl_matrix_free(X0), gsl_matrix_free(S), gsl_matrix_free(V);
    gsl_vector_free(m), gsl_vector_free(var), gsl_vector_free(lam);
}

Test(clustering, pca_project_is_centred_coordinates, .description = "pca_project gives Z = (X - mean) V for a given mean and V (3 x 2, not orthogonal), and the rotated square lands on (+-3, 0), (0, +-1)")
{
    /* 1. a given mean and V, nothing to do with PCA: Z by hand */
    const double x[2][3] = {{1, 2, 3}, {-1, 0, 4}}, mv[3] = {1, 1, 1}, v[3][2] = {{1, 2}, {0, -1}, {3, 0.5}};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(&x[0][0], 2, 3), Vv = gsl_matrix_const_view_array(&v[0][0], 3, 2);
    gsl_vector_const_view mview = gsl_vector_const_view_array(mv, 3);
    gsl_matrix *Z = gsl_matrix_alloc(2, 2);
    gsl_matrix_set_all(Z, NAN);
    mlphys_require_implemented(pca_project(&Xv.matrix, &mview.vector, &Vv.matrix, Z), "pca_project", 2);
    /* rows x - m: (0, 1, 2) and (-2, -1, 3); times V: (6, 0), (7, -1.5) */
    const double want[2][2] = {{6, 0}, {7, -1.5}};
    for (size_t i = 0; i < 2; i++)
        for (size_t c = 0; c < 2; c++)
            mlphys_assert_close(gsl_matrix_get(Z, i, c), want[i][c], 1e-14, 0,
                                "Z[%zu][%zu] = sum_a (x_ia - m_a) V_ac (subtract the mean, multiply by V, not V^T)", i, c);
    /* 2. with the PCA of the rotated square, scores are the coordinates along u1 and u2 */
    double u1[2], u2[2];
    gsl_matrix *X = rotated_square(u1, u2), *V = gsl_matrix_alloc(2, 2), *Z4 = gsl_matrix_alloc(4, 2);
    gsl_vector *m = gsl_vector_alloc(2), *var = gsl_vector_alloc(2);
    mlphys_require_implemented(pca_fit(X, m, V, var, NULL), "pca_fit (with total = NULL)", 1);
    gsl_matrix_set_all(Z4, NAN);
    mlphys_require_implemented(pca_project(X, m, V, Z4), "pca_project", 2);
    const double w4[4][2] = {{3, 0}, {-3, 0}, {0, 1}, {0, -1}};
    for (size_t i = 0; i < 4; i++)
        for (size_t c = 0; c < 2; c++)
            mlphys_assert_close(gsl_matrix_get(Z4, i, c), w4[i][c], 1e-12, 0, "score Z[%zu][%zu] of the rotated square", i, c);
    gsl_matrix_free(Z), gsl_matrix_free(X), gsl_matrix_free(V), gsl_matrix_free(Z4);
    gsl_vector_free(m), gsl_vector_free(var);
}

Test(clustering, pca_rejects_bad_shapes, .description = "n < 2, q > d, V or var or mean of the wrong size, Z of the wrong size: GSL_EBADLEN")
{
    gsl_matrix *X = gsl_matrix_calloc(5, 3), *X1 = gsl_matrix_calloc(1, 3), *V = gsl_matrix_alloc(3, 2);
    gsl_matrix *Vbig = gsl_matrix_alloc(3, 4), *Vrows = gsl_matrix_alloc(2, 2), *Z = gsl_matrix_alloc(5, 3);
    gsl_vector *m = gsl_vector_alloc(3), *m2 = gsl_vector_alloc(2), *var = gsl_vector_alloc(2), *var3 = gsl_vector_alloc(3);
    gsl_vector *var4 = gsl_vector_alloc(4);
    mlphys_require_status(pca_fit(X1, m, V, var, NULL), GSL_EBADLEN, "pca_fit", "one sample has no covariance (n - 1 = 0)");
    mlphys_require_status(pca_fit(X, m, Vbig, var4, NULL), GSL_EBADLEN, "pca_fit", "q = 4 components of d = 3");
    mlphys_require_status(pca_fit(X, m, Vrows, var, NULL), GSL_EBADLEN, "pca_fit", "V needs d = 3 rows");
    mlphys_require_status(pca_fit(X, m, V, var3, NULL), GSL_EBADLEN, "pca_fit", "var needs q = 2 entries");
    mlphys_require_status(pca_fit(X, m2, V, var, NULL), GSL_EBADLEN, "pca_fit", "mean needs d = 3 entries");
    mlphys_require_status(pca_project(X, m, V, Z), GSL_EBADLEN, "pca_project", "Z needs q = 2 columns");
    mlphys_require_status(pca_project(X, m2, V, Z), GSL_EBADLEN, "pca_project", "mean needs d = 3 entries");
    gsl_matrix_free(X), gsl_matrix_free(X1), gsl_matrix_free(V), gsl_matrix_free(Vbig), gsl_matrix_free(Vrows);
    gsl_matrix_free(Z), gsl_vector_free(m), gsl_vector_free(m2), gsl_vector_free(var), gsl_vector_free(var3);
    gsl_vector_free(var4);
}

/* ==== TODO(3): k-means++ =================================================================== */

Test(clustering, kmeans_pp_draws_d2_weighted_centres, .description = "points 0, 1, 3, 10 on a line, k = 2: the pair (first, second) has probability (1/4) d^2 / sum d^2 (chi-square over 20000 seedings)")
{
    const double pts[4] = {0, 1, 3, 10};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(pts, 4, 1);
    gsl_matrix *C = gsl_matrix_alloc(2, 1);
    double P[4][4], cnt[4][4] = {{0}};
    for (size_t i = 0; i < 4; i++) {
        double s = 0;
        for (size_t j = 0; j < 4; j++)
            s += (pts[i] - pts[j]) * (pts[i] - pts[j]);
        for (size_t j = 0; j < 4; j++)
            P[i][j] = 0.25 * (pts[i] - pts[j]) * (pts[i] - pts[j]) / s;
    }
    const size_t N = 20000;
    gsl_rng *rng = mlphys_rng();
    for (size_t r = 0; r < N; r++) {
        gsl_matrix_set_all(C, NAN);
        mlphys_require_implemented(kmeans_init_pp(&Xv.matrix, rng, C), "kmeans_init_pp", 3);
        int i = -1, j = -1;
        for (int p = 0; p < 4; p++) {
            if (gsl_matrix_get(C, 0, 0) == pts[p])
                i = p;
            if (gsl_matrix_get(C, 1, 0) == pts[p])
                j = p;
        }
        cr_assert(i >= 0 && j >= 0, "seeding %zu chose centres %g and %g: every centre must be a copy of a data row",
                  r, gsl_matrix_get(C, 0, 0), gsl_matrix_get(C, 1, 0));
        cr_assert(i != j, "seeding %zu chose the point %g twice: a chosen point has D = 0 and can never be drawn again",
                  r, pts[i]);
        cnt[i][j]++;
    }
    /* Pearson's chi-square over the 12 possible pairs (11 degrees of freedom; every expected
     * count >= 20000 * 0.25 * 1/110 = 45, so the chi-square law holds); a correct seeding
     * exceeds the 1 - 1e-7 quantile (about 49) with probability 1e-7. */
    double chi2 = 0, worst = 0;
    int wi = 0, wj = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            if (i == j)
                continue;
            double e = N * P[i][j], t = (cnt[i][j] - e) * (cnt[i][j] - e) / e;
            chi2 += t;
            if (t > worst)
                worst = t, wi = i, wj = j;
        }
    double crit = gsl_cdf_chisq_Qinv(1e-7, 11);
    cr_assert(chi2 <= crit, "chi-square = %.1f > %.1f over the 12 pairs; worst pair (%g, %g): %g draws, expected %.0f. "
              "The first centre is uniform, the next has probability D^2 / sum D^2 (squared distance, to the "
              "NEAREST centre so far)", chi2, crit, pts[wi], pts[wj], cnt[wi][wj], N * P[wi][wj]);
    gsl_matrix_free(C);
}

Test(clustering, kmeans_pp_within_arthur_vassilvitskii_bound, .description = "10 well-separated blobs: mean seeding inertia over 200 seedings <= 8 (ln k + 2) x the optimal inertia; also with k = n every point is a centre")
{
    const size_t n = 500, d = 10, k = 10, R = 200;
    gsl_rng *rng = mlphys_rng();
    size_t *truth = malloc(n * sizeof *truth);
    gsl_matrix *X = t_blobs(n, d, k, 100.0, rng, truth), *M = gsl_matrix_calloc(k, d), *C = gsl_matrix_alloc(k, d);
    /* The optimum: blobs 141 sd apart, so the optimal partition is the blobs themselves (moving
     * any point to another blob costs ~1e4 against ~10 saved), and OPT is the within-blob scatter. */
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            M->data[truth[i] * M->tda + a] += gsl_matrix_get(X, i, a) / (double)(n / k);
    double opt = t_inertia_labels(X, M, truth), ratio = 0, ratio2 = 0;
    for (size_t r = 0; r < R; r++) {
        gsl_matrix_set_all(C, NAN);
        mlphys_require_implemented(kmeans_init_pp(X, rng, C), "kmeans_init_pp", 3);
        double q = t_inertia_nearest(X, C) / opt;
        cr_assert(isfinite(q), "seeding %zu left a centre that is not finite", r);
        ratio += q / (double)R, ratio2 += q * q / (double)R;
    }
    /* Arthur and Vassilvitskii (2007), Theorem 3.1: E[phi] <= 8 (ln k + 2) OPT = 34.4 OPT for any
     * data.  Here a correct seeding averages 3 to 9 over data seeds 1..10 (2 when every blob gets
     * one centre: a random point of a blob costs twice its scatter; a rare double pick, leaving a
     * blob without a centre, costs ~200 OPT), with a standard error below 2.6 over 200 seedings:
     * the bound is > 9 standard errors away.  Uniform seeding misses ~3.5 of 10 blobs and
     * averages ~700. */
    double bound = 8 * (log((double)k) + 2), se = sqrt(fmax(ratio2 - ratio * ratio, 0) / (double)R);
    cr_assert(ratio <= bound, "mean seeding inertia / optimum = %.2f (se %.2f) over %zu seedings > 8 (ln %zu + 2) = %.1f: "
              "draw each new centre with probability proportional to the SQUARED distance to its nearest centre",
              ratio, se, R, k, bound);
    /* k = n: every row must be chosen exactly once (all others have D > 0 until chosen) */
    const size_t n2 = 7;
    gsl_matrix_view X7 = gsl_matrix_submatrix(X, 0, 0, n2, d);
    gsl_matrix *C7 = gsl_matrix_alloc(n2, d);
    gsl_matrix_set_all(C7, NAN);
    mlphys_require_implemented(kmeans_init_pp(&X7.matrix, rng, C7), "kmeans_init_pp", 3);
    double miss = t_inertia_nearest(&X7.matrix, C7);
    cr_assert(miss == 0.0, "k = n = 7: sum of squared distances to the nearest centre is %g, want 0 (every point "
              "chosen once, each a copy of a row)", miss);
    gsl_matrix_free(X), gsl_matrix_free(M), gsl_matrix_free(C), gsl_matrix_free(C7), free(truth);
}

Test(clustering, kmeans_pp_handles_duplicates_and_bad_arguments, .description = "k = 3 with only 2 distinct rows succeeds with data rows; k = 0 or k > n is GSL_EINVAL, C of the wrong width GSL_EBADLEN")
{
    const double pts[5][2] = {{1, 1}, {1, 1}, {4, 5}, {4, 5}, {1, 1}};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(&pts[0][0], 5, 2);
    gsl_matrix *C = gsl_matrix_alloc(3, 2), *C6 = gsl_matrix_alloc(6, 2), *Cw = gsl_matrix_alloc(3, 3);
    gsl_rng *rng = mlphys_rng();
    for (int r = 0; r < 50; r++) {
        gsl_matrix_set_all(C, NAN);
        mlphys_require_implemented(kmeans_init_pp(&Xv.matrix, rng, C), "kmeans_init_pp", 3);
        for (size_t j = 0; j < 3; j++) {
            double x = gsl_matrix_get(C, j, 0), y = gsl_matrix_get(C, j, 1);
            cr_assert((x == 1 && y == 1) || (x == 4 && y == 5), "centre %zu = (%g, %g) is not a data row. When every "
                      "D is 0 (fewer distinct rows than k), draw a row uniformly", j, x, y);
        }
        double miss = t_inertia_nearest(&Xv.matrix, C);
        cr_assert(miss == 0, "both distinct rows must be centres after 3 picks (D^2 sampling never repeats a "
                  "point while another has D > 0); inertia %g", miss);
    }
    gsl_matrix empty = {0, 2, 2, NULL, NULL, 0};
    mlphys_require_status(kmeans_init_pp(&Xv.matrix, rng, &empty), GSL_EINVAL, "kmeans_init_pp", "k = 0 centres");
    mlphys_require_status(kmeans_init_pp(&Xv.matrix, rng, C6), GSL_EINVAL, "kmeans_init_pp", "k = 6 > n = 5");
    mlphys_require_status(kmeans_init_pp(&Xv.matrix, rng, Cw), GSL_EBADLEN, "kmeans_init_pp", "C has 3 columns, X 2");
    gsl_matrix_free(C), gsl_matrix_free(C6), gsl_matrix_free(Cw);
}

/* ==== TODO(4), TODO(5): Lloyd ================================================================ */

Test(clustering, kmeans_step_hand_worked, .description = "points 0, 2, 4, 10, 12 from centres 1, 3: inertias 133, 215/9, 10; the tie at 2 goes to the lower index; X and C are views with tda > size2")
{
    /* X is column 0 of a 5 x 2 array and C column 0 of a 2 x 3 matrix: rows are tda apart, not
     * size2 (the other columns hold a sentinel that must neither be read nor written) */
    const double pts[5] = {0, 2, 4, 10, 12}, arr[5][2] = {{0, -99}, {2, -99}, {4, -99}, {10, -99}, {12, -99}};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array_with_tda(&arr[0][0], 5, 1, 2);
    gsl_matrix *Cfull = gsl_matrix_alloc(2, 3);
    gsl_matrix_set_all(Cfull, -77.0);
    gsl_matrix_view Cv = gsl_matrix_submatrix(Cfull, 0, 0, 2, 1);
    gsl_matrix *C = &Cv.matrix;
    gsl_matrix_set(C, 0, 0, 1), gsl_matrix_set(C, 1, 0, 3);
    size_t lab[5];
    /* step 1: 2 is at distance 1 from both centres and joins centre 0: labels 0 0 1 1 1,
     *         inertia 1 + 1 + 1 + 49 + 81 = 133, new centres 1 and 26/3.
     * step 2: labels 0 0 0 1 1, inertia 1 + 1 + 9 + 16/9 + 100/9 = 215/9, centres 2 and 11.
     * step 3: same labels, inertia 4 + 0 + 4 + 1 + 1 = 10. */
    const size_t wl[3][5] = {{0, 0, 1, 1, 1}, {0, 0, 0, 1, 1}, {0, 0, 0, 1, 1}};
    const double wJ[3] = {133, 215.0 / 9, 10}, wc[3][2] = {{1, 26.0 / 3}, {2, 11}, {2, 11}};
    for (int s = 0; s < 3; s++) {
        double J = NAN;
        for (int i = 0; i < 5; i++)
            lab[i] = 99;
        mlphys_require_implemented(kmeans_step(&Xv.matrix, C, lab, &J), "kmeans_step", 4);
        for (int i = 0; i < 5; i++)
            cr_assert(lab[i] == wl[s][i], "step %d: label of point %g is %zu, want %zu (nearest centre; on a tie the "
                      "lower index)", s + 1, pts[i], lab[i], wl[s][i]);
        mlphys_assert_close(J, wJ[s], 1e-12, 1e-13, "step %d: inertia of the assignment to the centres BEFORE the update", s + 1);
        for (size_t j = 0; j < 2; j++)
            mlphys_assert_close(gsl_matrix_get(C, j, 0), wc[s][j], 1e-12, 1e-13, "step %d: updated centre %zu (mean of its "
                                "points; row j of a matrix starts at data + j * tda, not j * size2)", s + 1, j);
        for (size_t j = 0; j < 2; j++)
            cr_assert(gsl_matrix_get(Cfull, j, 1) == -77.0 && gsl_matrix_get(Cfull, j, 2) == -77.0, "step %d: an entry "
                      "outside the view C was written (row j starts at data + j * tda)", s + 1);
    }
    gsl_matrix_free(Cfull);
}

Test(clustering, kmeans_step_relocates_empty_cluster, .description = "points 1, 2, 3, 11 with centres 2, 51, 14: cluster 1 is empty and takes point 1 (farthest in a cluster that can spare one)")
{
    const double pts[4] = {1, 2, 3, 11};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(pts, 4, 1);
    gsl_matrix *C = gsl_matrix_alloc(3, 1);
    gsl_matrix_set(C, 0, 0, 2), gsl_matrix_set(C, 1, 0, 51), gsl_matrix_set(C, 2, 0, 14);
    size_t lab[4] = {9, 9, 9, 9};
    double J = NAN;
    /* assignment: 1, 2, 3 -> centre 0 (distances 1, 0, 1); 11 -> centre 2 (distance 9); inertia 11.
     * Centre 1 is empty.  Point 11 is farthest (9) but alone in its cluster; of the others, 1 and 3
     * tie at 1 and the lower index (point 1) moves.  Labels 1 0 0 2, centres 2.5, 1, 11. */
    mlphys_require_implemented(kmeans_step(&Xv.matrix, C, lab, &J), "kmeans_step", 4);
    mlphys_assert_close(J, 11.0, 1e-12, 0, "inertia of the nearest-centre assignment, before the rescue and the update");
    const size_t wl[4] = {1, 0, 0, 2};
    for (int i = 0; i < 4; i++)
        cr_assert(lab[i] == wl[i], "label of point %g is %zu, want %zu: an empty cluster takes the point farthest from "
                  "its centre among clusters that keep at least one point (lowest index on a tie)", pts[i], lab[i], wl[i]);
    const double wc[3] = {2.5, 1, 11};
    for (size_t j = 0; j < 3; j++)
        mlphys_assert_close(gsl_matrix_get(C, j, 0), wc[j], 1e-14, 0, "centre %zu after the step (never NaN: no "
                            "cluster may stay empty)", j);
    gsl_matrix_free(C);
}

Test(clustering, lloyd_never_increases_inertia, .description = "blobs in 3-D from a bad start (one centre far away): at every step the reported inertia is the nearest-centre inertia, and the update and the next assignment never increase it")
{
    const size_t n = 300, d = 3, k = 6;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = t_blobs(n, d, 4, 4.0, rng, NULL), *C = gsl_matrix_alloc(k, d), *Cold = gsl_matrix_alloc(k, d);
    size_t *lab = malloc(n * sizeof *lab), *cnt = malloc(k * sizeof *cnt);
    for (size_t j = 0; j < k; j++) {
        size_t i = gsl_rng_uniform_int(rng, n);
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(C, j, a, j == k - 1 ? 1e3 : gsl_matrix_get(X, i, a)); /* centre 5 gets no point */
    }
    double after_update = INFINITY;
    for (int s = 0; s < 40; s++) {
        gsl_matrix_memcpy(Cold, C);
        double J = NAN;
        mlphys_require_implemented(kmeans_step(X, C, lab, &J), "kmeans_step", 4);
        /* sums of 300 terms of size ~10: rounding ~1e-13 relative; distances from a matrix
         * product (|x|^2 - 2 x.c + |c|^2) may pick a centre within ~1e-12 of the nearest */
        double want = t_inertia_nearest(X, Cold);
        mlphys_assert_close(J, want, 0, 1e-10, "step %d: reported inertia vs sum of squared distances to the nearest "
                            "centre as given (compute it before you move the centres)", s + 1);
        cr_assert(J <= after_update * (1 + 1e-10), "step %d: the assignment raised the inertia from %.10g to %.10g: "
                  "each point must go to its nearest centre", s + 1, after_update, J);
        for (size_t j = 0; j < k; j++)
            cnt[j] = 0;
        for (size_t i = 0; i < n; i++) {
            cr_assert(lab[i] < k, "step %d: label %zu of point %zu is not a cluster", s + 1, lab[i], i);
            cnt[lab[i]]++;
        }
        for (size_t j = 0; j < k; j++) {
            cr_assert(cnt[j] > 0, "step %d: cluster %zu has no point after the step (relocate empty clusters)", s + 1, j);
            for (size_t a = 0; a < d; a++) {
                double m = 0;
                for (size_t i = 0; i < n; i++)
                    if (lab[i] == j)
                        m += gsl_matrix_get(X, i, a) / (double)cnt[j];
                mlphys_assert_close(gsl_matrix_get(C, j, a), m, 1e-10, 1e-12, "step %d: centre %zu, coordinate %zu is "
                                    "not the mean of the points labelled %zu", s + 1, j, a, j);
            }
        }
        after_update = t_inertia_labels(X, C, lab);
        cr_assert(after_update <= J * (1 + 1e-10), "step %d: the inertia went up from %.10g to %.10g in the rescue + "
                  "update: moving a centre to the mean of its points can only lower it", s + 1, J, after_update);
    }
    gsl_matrix_free(X), gsl_matrix_free(C), gsl_matrix_free(Cold), free(lab), free(cnt);
}

Test(clustering, lloyd_converges_to_a_fixed_point, .description = "kmeans_lloyd returns nearest-centre labels, centres that are the means of their points, the matching inertia; GSL_EMAXITER when max_iter = 1")
{
    const size_t n = 400, d = 4, k = 5;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = t_blobs(n, d, 5, 3.0, rng, NULL), *C = gsl_matrix_alloc(k, d), *C0 = gsl_matrix_alloc(k, d);
    for (size_t j = 0; j < k; j++)
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(C0, j, a, gsl_matrix_get(X, j * 7, a));
    gsl_matrix_memcpy(C, C0);
    size_t *lab = malloc(n * sizeof *lab), it = 999;
    for (size_t i = 0; i < n; i++)
        lab[i] = 99;
    double J = NAN;
    mlphys_require_implemented(kmeans_lloyd(X, C, lab, 500, &J, &it), "kmeans_lloyd", 5);
    cr_assert(it >= 2 && it < 500, "n_iter = %zu: convergence is only known after a second step reproduces the labels", it);
    size_t cnt[5] = {0};
    for (size_t i = 0; i < n; i++) {
        cr_assert(lab[i] < k, "label %zu of point %zu is not a cluster", lab[i], i);
        double dl = t_sqdist(X, i, C, lab[i]), dn = t_nearest(X, i, C, NULL);
        cr_assert(dl <= dn * (1 + 1e-10) + 1e-12, "point %zu: labelled %zu at squared distance %g, but a centre at %g is "
                  "nearer: not converged (stop only when a step changes no label)", i, lab[i], dl, dn);
        cnt[lab[i]]++;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t a = 0; a < d; a++) {
            double m = 0;
            for (size_t i = 0; i < n; i++)
                if (lab[i] == j)
                    m += gsl_matrix_get(X, i, a) / (double)cnt[j];
            mlphys_assert_close(gsl_matrix_get(C, j, a), m, 1e-10, 1e-12, "final centre %zu, coordinate %zu: not the mean "
                                "of its points", j, a);
        }
    mlphys_assert_close(J, t_inertia_labels(X, C, lab), 0, 1e-10, "final inertia (of the final centres and labels)");
    /* one step cannot know that it has converged */
    gsl_matrix_memcpy(C, C0);
    mlphys_require_status(kmeans_lloyd(X, C, lab, 1, &J, NULL), GSL_EMAXITER, "kmeans_lloyd",
                          "max_iter = 1: a single step cannot tell that the labels stopped changing (n_iter may be NULL)");
    gsl_matrix_free(X), gsl_matrix_free(C), gsl_matrix_free(C0), free(lab);
}

Test(clustering, kmeans_digits_ari_in_range, .description = "k-means++ and Lloyd on the 1797 digits, k = 10, best inertia of 10 restarts: adjusted Rand index with the true digits in [0.40, 0.70]")
{
    size_t *y;
    gsl_matrix *X = t_digits(&y), *C = gsl_matrix_alloc(10, 64);
    const size_t n = X->size1;
    size_t *lab = malloc(n * sizeof *lab), *best = malloc(n * sizeof *best);
    gsl_rng *rng = mlphys_rng();
    double Jbest = INFINITY;
    for (int r = 0; r < 10; r++) {
        mlphys_require_implemented(kmeans_init_pp(X, rng, C), "kmeans_init_pp", 3);
        double J;
        int st = kmeans_lloyd(X, C, lab, 300, &J, NULL);
        mlphys_require_implemented(st, "kmeans_lloyd (300 steps are 4x more than the digits ever need)", 5);
        J = t_inertia_labels(X, C, lab); /* the tests' own inertia decides */
        if (J < Jbest) {
            Jbest = J;
            memcpy(best, lab, n * sizeof *lab);
        }
    }
    /* The range of the curriculum (scikit-learn's k-means on the raw digits gives ~0.67).  Over
     * 300 seeds, best-of-10 runs lie in [0.57, 0.68], mean 0.663, sd 0.013; a single run ranges
     * from 0.42 to 0.74, which is why the test keeps the best inertia of 10. */
    double ari = t_ari(best, y, n, 10);
    cr_assert(ari >= 0.40 && ari <= 0.70, "ARI of k-means (best inertia %.6g of 10 restarts) with the digit labels = %.4f, "
              "outside [0.40, 0.70]: is the seeding k-means++ and does Lloyd converge?", Jbest, ari);
    gsl_matrix_free(X), gsl_matrix_free(C), free(lab), free(best), free(y);
}

Test(clustering, kmeans_rejects_bad_arguments, .description = "kmeans_step and kmeans_lloyd: k = 0, k > n or NULL outputs give GSL_EINVAL, C of the wrong width GSL_EBADLEN; nothing is written")
{
    const double pts[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(&pts[0][0], 3, 2);
    gsl_matrix *C4 = gsl_matrix_calloc(4, 2), *Cw = gsl_matrix_calloc(2, 3), *C = gsl_matrix_calloc(2, 2);
    size_t lab[3] = {7, 7, 7};
    double J = 5;
    mlphys_require_status(kmeans_step(&Xv.matrix, C4, lab, &J), GSL_EINVAL, "kmeans_step", "k = 4 > n = 3");
    mlphys_require_status(kmeans_step(&Xv.matrix, Cw, lab, &J), GSL_EBADLEN, "kmeans_step", "C has 3 columns, X 2");
    mlphys_require_status(kmeans_step(&Xv.matrix, C, NULL, &J), GSL_EINVAL, "kmeans_step", "labels = NULL");
    mlphys_require_status(kmeans_step(&Xv.matrix, C, lab, NULL), GSL_EINVAL, "kmeans_step", "inertia = NULL");
    mlphys_require_status(kmeans_lloyd(&Xv.matrix, C4, lab, 10, &J, NULL), GSL_EINVAL, "kmeans_lloyd", "k = 4 > n = 3");
    mlphys_require_status(kmeans_lloyd(&Xv.matrix, Cw, lab, 10, &J, NULL), GSL_EBADLEN, "kmeans_lloyd", "C has 3 columns");
    cr_assert(lab[0] == 7 && lab[1] == 7 && lab[2] == 7 && J == 5, "labels or inertia were written by a call that "
              "returned an error: check first, then write");
    for (size_t j = 0; j < 4; j++)
        cr_assert(gsl_matrix_get(C4, j, 0) == 0 && gsl_matrix_get(C4, j, 1) == 0, "C was changed by a call that failed");
    gsl_matrix_free(C4), gsl_matrix_free(Cw), gsl_matrix_free(C);
}

/* ==== TODO(6), TODO(7), TODO(8): Gaussian mixture by EM ====================================== */

Test(clustering, gmm_e_step_hand_worked, .description = "two components in 2-D (w 0.25/0.75): responsibilities and log-likelihood against products of gsl_ran_gaussian_pdf")
{
    const double x[3][2] = {{1, 0}, {-2, 3}, {4, 1}}, wv[2] = {0.25, 0.75};
    const double m[2][2] = {{0, 0}, {2, 1}}, v[2][2] = {{1, 4}, {0.5, 2}};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(&x[0][0], 3, 2), MU = gsl_matrix_const_view_array(&m[0][0], 2, 2);
    gsl_matrix_const_view VA = gsl_matrix_const_view_array(&v[0][0], 2, 2);
    gsl_vector_const_view W = gsl_vector_const_view_array(wv, 2);
    gsl_matrix *R = gsl_matrix_alloc(3, 2);
    gsl_matrix_set_all(R, NAN);
    double L = NAN, Lwant = 0;
    mlphys_require_implemented(gmm_e_step(&X.matrix, &W.vector, &MU.matrix, &VA.matrix, R, &L), "gmm_e_step", 6);
    for (size_t i = 0; i < 3; i++) {
        double p[2];
        for (size_t j = 0; j < 2; j++)
            p[j] = wv[j] * gsl_ran_gaussian_pdf(x[i][0] - m[j][0], sqrt(v[j][0])) *
                   gsl_ran_gaussian_pdf(x[i][1] - m[j][1], sqrt(v[j][1]));
        for (size_t j = 0; j < 2; j++)
            mlphys_assert_close(gsl_matrix_get(R, i, j), p[j] / (p[0] + p[1]), 1e-13, 1e-12,
                                "R[%zu][%zu] = w_j N(x_i; mu_j, var_j) / p(x_i) (var is a variance, not a standard "
                                "deviation; multiply the densities of the d coordinates)", i, j);
        Lwant += log(p[0] + p[1]);
    }
    mlphys_assert_close(L, Lwant, 1e-12, 1e-12, "log-likelihood sum_i log p(x_i)");
    gsl_matrix_free(R);
}

Test(clustering, gmm_e_step_is_stable_far_from_all_components, .description = "a point 10^4 sd away from both components: responsibilities finite and right, log-likelihood about -5e7 (log-sum-exp)")
{
    /* components at 0 and 0.001 with unit variance, weights 0.4, 0.6, x = 10^4:
     * l_j = log w_j - log(2 pi) / 2 - (x - mu_j)^2 / 2 ~ -5e7, so e^{l_j} underflows to 0.
     * l_1 - l_0 = log 1.5 + 0.001 x - 5e-7 = log 1.5 + 10 - 5e-7, so R_0 = 1 / (1 + e^{l_1 - l_0}). */
    const double x[2] = {1e4, -3}, wv[2] = {0.4, 0.6}, m[2] = {0, 0.001}, v[2] = {1, 1};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, 2, 1), MU = gsl_matrix_const_view_array(m, 2, 1);
    gsl_matrix_const_view VA = gsl_matrix_const_view_array(v, 2, 1);
    gsl_vector_const_view W = gsl_vector_const_view_array(wv, 2);
    gsl_matrix *R = gsl_matrix_alloc(2, 2);
    gsl_matrix_set_all(R, NAN);
    double L = NAN;
    mlphys_require_implemented(gmm_e_step(&X.matrix, &W.vector, &MU.matrix, &VA.matrix, R, &L), "gmm_e_step", 6);
    double dl = log(1.5) + 0.001 * 1e4 - 0.5e-6, r0 = 1 / (1 + exp(dl));
    /* Each l_j ~ -5e7 carries a rounding error of a few ulps (7.5e-9 each), and so does any sum
     * formed with it (max l + log sum e^...): up to ~3e-8 in an exponent, hence 1e-7 relative */
    mlphys_assert_close(gsl_matrix_get(R, 0, 0), r0, 1e-12, 1e-7, "R[0][0] for x = 1e4: compute in logs and subtract "
                        "the largest log term before exponentiating (log-sum-exp)");
    mlphys_assert_close(gsl_matrix_get(R, 0, 1), 1 - r0, 1e-12, 1e-7, "R[0][1] for x = 1e4");
    /* log p(x) = l_0 + log(1 + e^{l_1 - l_0}); |L| ~ 5e7, so 1e-12 relative is ~5e-5 absolute */
    double l0 = log(0.4) - 0.5 * log(2 * M_PI) - 0.5 * 1e8;
    double l0b = log(0.4) - 0.5 * log(2 * M_PI) - 4.5, l1b = log(0.6) - 0.5 * log(2 * M_PI) - 0.5 * 3.001 * 3.001;
    double want = l0 + log1p(exp(dl)) + l1b + log1p(exp(l0b - l1b));
    mlphys_assert_close(L, want, 1e-6, 1e-12, "log-likelihood with a point 1e4 sd away (must be finite, about -5e7)");
    gsl_matrix_free(R);
}

Test(clustering, gmm_m_step_hand_worked, .description = "hard responsibilities give group weights, means and (biased) variances plus reg; soft ones the weighted formulas; an unused component keeps its parameters")
{
    /* hard: {1, 3} and {10, 14, 18}: w = 0.4, 0.6; means 2, 14; variances 1, 32/3 (divide by N_j,
     * not N_j - 1), plus reg = 0.5.  Component 2 gets no responsibility. */
    const double x[5] = {1, 10, 3, 14, 18};
    const double r[5][3] = {{1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {0, 1, 0}, {0, 1, 0}};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, 5, 1), R = gsl_matrix_const_view_array(&r[0][0], 5, 3);
    gsl_vector *w = gsl_vector_alloc(3);
    gsl_matrix *mu = gsl_matrix_alloc(3, 1), *var = gsl_matrix_alloc(3, 1);
    gsl_vector_set_all(w, NAN), gsl_matrix_set_all(mu, NAN), gsl_matrix_set_all(var, NAN);
    gsl_matrix_set(mu, 2, 0, 7.0), gsl_matrix_set(var, 2, 0, 3.0);
    mlphys_require_implemented(gmm_m_step(&X.matrix, &R.matrix, 0.5, w, mu, var), "gmm_m_step", 7);
    const double ww[3] = {0.4, 0.6, 0}, wm[3] = {2, 14, 7}, wv[3] = {1.5, 32.0 / 3 + 0.5, 3};
    for (size_t j = 0; j < 3; j++) {
        mlphys_assert_close(gsl_vector_get(w, j), ww[j], 1e-15, 0, "weight %zu = N_j / n", j);
        mlphys_assert_close(gsl_matrix_get(mu, j, 0), wm[j], 1e-13, 0, "mean %zu (component 2 has N_j = 0 and keeps 7)", j);
        mlphys_assert_close(gsl_matrix_get(var, j, 0), wv[j], 1e-13, 0, "variance %zu: sum_i R_ij (x_i - mu_j)^2 / N_j + reg "
                            "(component 2 keeps 3)", j);
    }
    /* soft: x = 0, 4 with R = [[0.5, 0.5], [0.25, 0.75]]: N = 0.75, 1.25; means 4/3, 2.4;
     * variances (0.5 (16/9) + 0.25 (64/9)) / 0.75 = 32/9 and (0.5 5.76 + 0.75 2.56) / 1.25 = 3.84 */
    const double xs[2] = {0, 4}, rs[2][2] = {{0.5, 0.5}, {0.25, 0.75}};
    gsl_matrix_const_view Xs = gsl_matrix_const_view_array(xs, 2, 1), Rs = gsl_matrix_const_view_array(&rs[0][0], 2, 2);
    gsl_vector *w2 = gsl_vector_alloc(2);
    gsl_matrix *mu2 = gsl_matrix_alloc(2, 1), *var2 = gsl_matrix_alloc(2, 1);
    mlphys_require_implemented(gmm_m_step(&Xs.matrix, &Rs.matrix, 0.0, w2, mu2, var2), "gmm_m_step", 7);
    const double sw[2] = {0.375, 0.625}, sm[2] = {4.0 / 3, 2.4}, sv[2] = {32.0 / 9, 3.84};
    for (size_t j = 0; j < 2; j++) {
        mlphys_assert_close(gsl_vector_get(w2, j), sw[j], 1e-15, 0, "soft case: weight %zu", j);
        mlphys_assert_close(gsl_matrix_get(mu2, j, 0), sm[j], 1e-14, 0, "soft case: mean %zu = sum_i R_ij x_i / N_j", j);
        mlphys_assert_close(gsl_matrix_get(var2, j, 0), sv[j], 1e-14, 0, "soft case: variance %zu about the NEW mean", j);
    }
    gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(var);
    gsl_vector_free(w2), gsl_matrix_free(mu2), gsl_matrix_free(var2);
}

/* Three axis-aligned Gaussians in 2-D (the mixture of the chapter's figure, a little more apart). */
#define MIX_K 3
static const double mix_w[MIX_K] = {0.5, 0.3, 0.2}, mix_m[MIX_K][2] = {{0, 0}, {6, 1}, {-1, 6}};
static const double mix_v[MIX_K][2] = {{1.0, 0.4}, {0.3, 1.5}, {2.5, 0.3}};

static gsl_matrix *mixture_sample(size_t n, gsl_rng *rng)
{
    gsl_matrix *X = gsl_matrix_alloc(n, 2);
    for (size_t i = 0; i < n; i++) {
        double u = gsl_rng_uniform(rng);
        size_t j = u < mix_w[0] ? 0 : u < mix_w[0] + mix_w[1] ? 1 : 2;
        for (size_t a = 0; a < 2; a++)
            gsl_matrix_set(X, i, a, mix_m[j][a] + gsl_ran_gaussian(rng, sqrt(mix_v[j][a])));
    }
    return X;
}

/* A poor but fair start: equal weights, unit variances, means shifted by (1.5, -1.5). */
static void mixture_start(gsl_vector *w, gsl_matrix *mu, gsl_matrix *var)
{
    for (size_t j = 0; j < MIX_K; j++) {
        gsl_vector_set(w, j, 1.0 / MIX_K);
        for (size_t a = 0; a < 2; a++) {
            gsl_matrix_set(mu, j, a, mix_m[j][a] + (a ? -1.5 : 1.5));
            gsl_matrix_set(var, j, a, 1.0);
        }
    }
}

Test(clustering, em_never_decreases_the_log_likelihood, .description = "30 E/M steps on a 2-D mixture from a poor start: the log-likelihood (recomputed by the test) never decreases and matches the E step's; gmm_em's result is a converged maximum")
{
    const size_t n = 1000;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = mixture_sample(n, rng), *R = gsl_matrix_alloc(n, MIX_K);
    gsl_vector *w = gsl_vector_alloc(MIX_K);
    gsl_matrix *mu = gsl_matrix_alloc(MIX_K, 2), *var = gsl_matrix_alloc(MIX_K, 2);
    mixture_start(w, mu, var);
    double prev = -INFINITY;
    for (int s = 0; s < 30; s++) {
        double L = NAN;
        mlphys_require_implemented(gmm_e_step(X, w, mu, var, R, &L), "gmm_e_step", 6);
        double own = t_gmm_loglik(X, w, mu, var);
        /* |L| ~ 3e3, sums of 1000 terms: 1e-10 relative is far above rounding */
        mlphys_assert_close(L, own, 0, 1e-10, "E step %d: log-likelihood vs the tests' own sum of log p(x_i)", s);
        cr_assert(own >= prev - 1e-9 * fabs(prev), "EM step %d lowered the log-likelihood from %.10g to %.10g: the M step "
                  "must maximise the expected log-likelihood for these responsibilities (variances about the new means, "
                  "divided by N_j)", s, prev, own);
        prev = own;
        mlphys_require_implemented(gmm_m_step(X, R, 0.0, w, mu, var), "gmm_m_step", 7);
    }
    /* gmm_em from the same poor start: converged, loglik reported for the returned parameters,
     * and at least as high as after 30 steps by hand (it continues until the gain is < 1e-8 / sample) */
    mixture_start(w, mu, var);
    double L = NAN;
    size_t it = 0;
    mlphys_require_implemented(gmm_em(X, w, mu, var, 0.0, 1000, 1e-8, &L, &it), "gmm_em", 8);
    mlphys_assert_close(L, t_gmm_loglik(X, w, mu, var), 0, 1e-10, "gmm_em's log-likelihood must be that of the "
                        "parameters it returns");
    cr_assert(L >= prev - 1e-6 * fabs(prev), "gmm_em stopped at %.10g, below %.10g reached by 30 plain steps", L, prev);
    cr_assert(it >= 2 && it < 1000, "gmm_em took %zu M steps", it);
    /* from the same start, one step and tol = 0 cannot have converged */
    mixture_start(w, mu, var);
    mlphys_require_status(gmm_em(X, w, mu, var, 0.0, 1, 0.0, &L, NULL), GSL_EMAXITER, "gmm_em",
                          "max_iter = 1, tol = 0 from a poor start: the log-likelihood still grows (n_iter may be NULL)");
    mlphys_assert_close(L, t_gmm_loglik(X, w, mu, var), 0, 1e-10, "after one EM step (GSL_EMAXITER) the log-likelihood "
                        "must still be that of the returned parameters, not of the previous ones");
    gsl_matrix_free(X), gsl_matrix_free(R), gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(var);
}

Test(clustering, em_recovers_a_synthetic_mixture, .description = "n = 4000 from three 2-D Gaussians: EM's weights, means and variances within 5 standard errors of the truth")
{
    const size_t n = 4000;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = mixture_sample(n, rng);
    gsl_vector *w = gsl_vector_alloc(MIX_K);
    gsl_matrix *mu = gsl_matrix_alloc(MIX_K, 2), *var = gsl_matrix_alloc(MIX_K, 2);
    mixture_start(w, mu, var);
    double L;
    mlphys_require_implemented(gmm_em(X, w, mu, var, 0.0, 500, 1e-10, &L, NULL), "gmm_em", 8);
    /* Standard errors of the maximum-likelihood estimates when the components barely overlap
     * (the closest pair is 6 sd apart: the misclassified mass is < 1e-8): weight sqrt(w (1 - w) / n),
     * mean sqrt(v / (n w)), variance v sqrt(2 / (n w)).  5 of them: a correct EM fails < 1e-6. */
    for (size_t j = 0; j < MIX_K; j++) {
        double nw = n * mix_w[j];
        mlphys_assert_close(gsl_vector_get(w, j), mix_w[j], 5 * sqrt(mix_w[j] * (1 - mix_w[j]) / n), 0,
                            "weight of component %zu", j);
        for (size_t a = 0; a < 2; a++) {
            mlphys_assert_close(gsl_matrix_get(mu, j, a), mix_m[j][a], 5 * sqrt(mix_v[j][a] / nw), 0,
                                "mean of component %zu, coordinate %zu", j, a);
            mlphys_assert_close(gsl_matrix_get(var, j, a), mix_v[j][a], 5 * mix_v[j][a] * sqrt(2 / nw), 0,
                                "variance of component %zu, coordinate %zu (a variance, not a standard deviation)", j, a);
        }
    }
    gsl_matrix_free(X), gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(var);
}

Test(clustering, gmm_rejects_bad_arguments, .description = "a variance <= 0 or a negative weight is GSL_EDOM; mismatched shapes GSL_EBADLEN; reg < 0 or tol < 0 GSL_EINVAL")
{
    const double x[4] = {0, 1, 2, 3};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, 4, 1);
    gsl_vector *w = gsl_vector_alloc(2);
    gsl_matrix *mu = gsl_matrix_calloc(2, 1), *var = gsl_matrix_alloc(2, 1), *R = gsl_matrix_alloc(4, 2);
    gsl_matrix *Rbad = gsl_matrix_alloc(4, 3), *mubad = gsl_matrix_calloc(2, 2);
    gsl_vector_set_all(w, 0.5), gsl_matrix_set_all(var, 1.0), gsl_matrix_set_all(R, 0.5);
    double L;
    gsl_matrix_set(var, 1, 0, 0.0);
    mlphys_require_status(gmm_e_step(&X.matrix, w, mu, var, R, &L), GSL_EDOM, "gmm_e_step", "a variance is 0");
    gsl_matrix_set(var, 1, 0, 1.0), gsl_vector_set(w, 0, -0.5);
    mlphys_require_status(gmm_e_step(&X.matrix, w, mu, var, R, &L), GSL_EDOM, "gmm_e_step", "a weight is negative");
    gsl_vector_set(w, 0, 0.5);
    mlphys_require_status(gmm_e_step(&X.matrix, w, mu, var, Rbad, &L), GSL_EBADLEN, "gmm_e_step", "R has 3 columns for k = 2");
    mlphys_require_status(gmm_e_step(&X.matrix, w, mubad, var, R, &L), GSL_EBADLEN, "gmm_e_step", "mu has 2 columns, X 1");
    mlphys_require_status(gmm_m_step(&X.matrix, Rbad, 0.0, w, mu, var), GSL_EBADLEN, "gmm_m_step", "R has 3 columns");
    mlphys_require_status(gmm_m_step(&X.matrix, R, -1.0, w, mu, var), GSL_EINVAL, "gmm_m_step", "reg < 0");
    mlphys_require_status(gmm_em(&X.matrix, w, mu, var, 0.0, 10, -1.0, &L, NULL), GSL_EINVAL, "gmm_em", "tol < 0");
    mlphys_require_status(gmm_em(&X.matrix, w, mu, var, -1.0, 10, 0.0, &L, NULL), GSL_EINVAL, "gmm_em", "reg < 0");
    gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(var), gsl_matrix_free(R), gsl_matrix_free(Rbad);
    gsl_matrix_free(mubad);
}

/* ==== TODO(10), TODO(11): Gaussian mixture with full covariances ============================= */

/* Sigma = [[sx^2, rho sx sy], [rho sx sy, sy^2]] written into block j of a stacked (k 2, 2) cov */
static void set_cov2(gsl_matrix *cov, size_t j, double sxx, double sxy, double syy)
{
    gsl_matrix_set(cov, 2 * j, 0, sxx), gsl_matrix_set(cov, 2 * j, 1, sxy);
    gsl_matrix_set(cov, 2 * j + 1, 0, sxy), gsl_matrix_set(cov, 2 * j + 1, 1, syy);
}

/* log p(x_i) of a 2-D full-covariance mixture from gsl_ran_bivariate_gaussian_pdf */
static double bivariate_logp(const gsl_matrix *X, size_t i, const gsl_vector *w, const gsl_matrix *mu,
                             const gsl_matrix *cov)
{
    double p = 0;
    for (size_t j = 0; j < w->size; j++) {
        double sxx = gsl_matrix_get(cov, 2 * j, 0), syy = gsl_matrix_get(cov, 2 * j + 1, 1);
        double sxy = gsl_matrix_get(cov, 2 * j, 1), sx = sqrt(sxx), sy = sqrt(syy);
        p += gsl_vector_get(w, j) * gsl_ran_bivariate_gaussian_pdf(gsl_matrix_get(X, i, 0) - gsl_matrix_get(mu, j, 0),
                                                                   gsl_matrix_get(X, i, 1) - gsl_matrix_get(mu, j, 1),
                                                                   sx, sy, sxy / (sx * sy));
    }
    return log(p);
}

Test(clustering, gmm_full_e_step_hand_worked, .description = "two correlated 2-D Gaussians: responsibilities and log-likelihood against gsl_ran_bivariate_gaussian_pdf")
{
    const double x[4][2] = {{1, 0}, {0.5, 1.5}, {-1, -1}, {3, 1}}, wv[2] = {0.3, 0.7}, m[2][2] = {{0, 0}, {1, 2}};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(&x[0][0], 4, 2), MU = gsl_matrix_const_view_array(&m[0][0], 2, 2);
    gsl_vector_const_view W = gsl_vector_const_view_array(wv, 2);
    gsl_matrix *cov = gsl_matrix_alloc(4, 2), *R = gsl_matrix_alloc(4, 2);
    set_cov2(cov, 0, 2.0, 0.6, 1.0), set_cov2(cov, 1, 1.0, -0.3, 0.5);
    gsl_matrix_set_all(R, NAN);
    double L = NAN, Lwant = 0;
    mlphys_require_implemented(gmm_full_e_step(&X.matrix, &W.vector, &MU.matrix, cov, R, &L), "gmm_full_e_step", 10);
    for (size_t i = 0; i < 4; i++) {
        double p[2];
        for (size_t j = 0; j < 2; j++) {
            double sxx = gsl_matrix_get(cov, 2 * j, 0), syy = gsl_matrix_get(cov, 2 * j + 1, 1), sxy = gsl_matrix_get(cov, 2 * j, 1);
            p[j] = wv[j] * gsl_ran_bivariate_gaussian_pdf(x[i][0] - m[j][0], x[i][1] - m[j][1], sqrt(sxx), sqrt(syy),
                                                          sxy / sqrt(sxx * syy));
        }
        for (size_t j = 0; j < 2; j++)
            mlphys_assert_close(gsl_matrix_get(R, i, j), p[j] / (p[0] + p[1]), 1e-13, 1e-12, "R[%zu][%zu]: the quadratic form "
                                "uses Sigma^{-1} (solve L y = x - mu), and log det Sigma = 2 sum log L_aa", i, j);
        Lwant += log(p[0] + p[1]);
    }
    mlphys_assert_close(L, Lwant, 1e-12, 1e-12, "log-likelihood with full covariances");
    gsl_matrix_free(cov), gsl_matrix_free(R);
}

Test(clustering, gmm_full_m_step_hand_worked, .description = "hard responsibilities: weighted covariances with off-diagonal terms, divided by N_j, reg on the diagonal only, both triangles; an unused component keeps its covariance")
{
    /* group A = (0,0), (1,1), (2,2), (3,1): mean (1.5, 1), covariance [[1.25, 0.5], [0.5, 0.5]];
     * group B = (5,5), (7,5): mean (6, 5), covariance [[1, 0], [0, 0]]; reg = 0.25 on the diagonal.
     * Component 2 has no point and keeps [[3, 1], [1, 2]]. */
    const double x[6][2] = {{0, 0}, {5, 5}, {1, 1}, {2, 2}, {7, 5}, {3, 1}};
    const double r[6][3] = {{1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0}};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(&x[0][0], 6, 2), R = gsl_matrix_const_view_array(&r[0][0], 6, 3);
    gsl_vector *w = gsl_vector_alloc(3);
    gsl_matrix *mu = gsl_matrix_alloc(3, 2), *cov = gsl_matrix_alloc(6, 2);
    gsl_vector_set_all(w, NAN), gsl_matrix_set_all(mu, NAN), gsl_matrix_set_all(cov, NAN);
    gsl_matrix_set(mu, 2, 0, 9), gsl_matrix_set(mu, 2, 1, 9), set_cov2(cov, 2, 3, 1, 2);
    mlphys_require_implemented(gmm_full_m_step(&X.matrix, &R.matrix, 0.25, w, mu, cov), "gmm_full_m_step", 11);
    const double ww[3] = {4.0 / 6, 2.0 / 6, 0}, wm[3][2] = {{1.5, 1}, {6, 5}, {9, 9}};
    const double wc[3][2][2] = {{{1.5, 0.5}, {0.5, 0.75}}, {{1.25, 0}, {0, 0.25}}, {{3, 1}, {1, 2}}};
    for (size_t j = 0; j < 3; j++) {
        mlphys_assert_close(gsl_vector_get(w, j), ww[j], 1e-15, 0, "weight %zu", j);
        for (size_t a = 0; a < 2; a++) {
            mlphys_assert_close(gsl_matrix_get(mu, j, a), wm[j][a], 1e-14, 0, "mean %zu, coordinate %zu", j, a);
            for (size_t b = 0; b < 2; b++)
                mlphys_assert_close(gsl_matrix_get(cov, 2 * j + a, b), wc[j][a][b], 1e-14, 0, "Sigma_%zu[%zu][%zu] (row %zu of "
                                    "the stacked cov): sum_i R_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg I, both triangles",
                                    j, a, b, 2 * j + a);
        }
    }
    gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(cov);
}

Test(clustering, gmm_full_em_fits_a_tilted_mixture, .description = "n = 3000 from two correlated 2-D Gaussians: 60 full-covariance E/M steps never lower the log-likelihood and recover weights, means and covariances within 5 standard errors")
{
    const size_t n = 3000;
    const double tw[2] = {0.6, 0.4}, tm[2][2] = {{0, 0}, {8, 2}}, tc[2][3] = {{2.0, 1.2, 1.0}, {1.0, -0.6, 1.5}};
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *X = gsl_matrix_alloc(n, 2), *R = gsl_matrix_alloc(n, 2), *mu = gsl_matrix_alloc(2, 2), *cov = gsl_matrix_alloc(4, 2);
    gsl_vector *w = gsl_vector_alloc(2);
    for (size_t i = 0; i < n; i++) {
        size_t j = gsl_rng_uniform(rng) < tw[0] ? 0 : 1;
        double sx = sqrt(tc[j][0]), sy = sqrt(tc[j][2]), zx, zy;
        gsl_ran_bivariate_gaussian(rng, sx, sy, tc[j][1] / (sx * sy), &zx, &zy);
        gsl_matrix_set(X, i, 0, tm[j][0] + zx), gsl_matrix_set(X, i, 1, tm[j][1] + zy);
    }
    for (size_t j = 0; j < 2; j++) {
        gsl_vector_set(w, j, 0.5), set_cov2(cov, j, 1, 0, 1);
        gsl_matrix_set(mu, j, 0, tm[j][0] + 1.0), gsl_matrix_set(mu, j, 1, tm[j][1] - 1.0);
    }
    double prev = -INFINITY;
    for (int s = 0; s < 60; s++) {
        double L = NAN, own = 0;
        mlphys_require_implemented(gmm_full_e_step(X, w, mu, cov, R, &L), "gmm_full_e_step", 10);
        for (size_t i = 0; i < n; i++)
            own += bivariate_logp(X, i, w, mu, cov);
        mlphys_assert_close(L, own, 0, 1e-10, "E step %d: log-likelihood vs the tests' own (bivariate Gaussian pdf)", s);
        cr_assert(own >= prev - 1e-9 * fabs(prev), "EM step %d lowered the log-likelihood from %.10g to %.10g", s, prev, own);
        prev = own;
        mlphys_require_implemented(gmm_full_m_step(X, R, 0.0, w, mu, cov), "gmm_full_m_step", 11);
    }
    /* Means 8 sd apart: the estimates are the sample moments of each component to < 1e-8.
     * Standard errors: weight sqrt(w (1 - w) / n); mean sqrt(S_aa / N); covariance entry
     * sqrt((S_aa S_bb + S_ab^2) / N) (Gaussian sample covariance), N = n w.  5 of each. */
    for (size_t j = 0; j < 2; j++) {
        double N = n * tw[j], S[2][2] = {{tc[j][0], tc[j][1]}, {tc[j][1], tc[j][2]}};
        mlphys_assert_close(gsl_vector_get(w, j), tw[j], 5 * sqrt(tw[j] * (1 - tw[j]) / n), 0, "weight %zu", j);
        for (size_t a = 0; a < 2; a++) {
            mlphys_assert_close(gsl_matrix_get(mu, j, a), tm[j][a], 5 * sqrt(S[a][a] / N), 0, "mean %zu[%zu]", j, a);
            for (size_t b = 0; b < 2; b++)
                mlphys_assert_close(gsl_matrix_get(cov, 2 * j + a, b), S[a][b], 5 * sqrt((S[a][a] * S[b][b] + S[a][b] * S[a][b]) / N),
                                    0, "Sigma_%zu[%zu][%zu] (the correlation must be recovered: off-diagonal terms)", j, a, b);
        }
    }
    gsl_matrix_free(X), gsl_matrix_free(R), gsl_matrix_free(mu), gsl_matrix_free(cov), gsl_vector_free(w);
}

Test(clustering, gmm_full_rejects_bad_arguments, .description = "a covariance that is not positive definite gives GSL_EDOM; cov not (k d, d) GSL_EBADLEN; reg < 0 GSL_EINVAL")
{
    const double x[3][2] = {{0, 0}, {1, 0}, {0, 1}};
    gsl_matrix_const_view X = gsl_matrix_const_view_array(&x[0][0], 3, 2);
    gsl_vector *w = gsl_vector_alloc(2);
    gsl_matrix *mu = gsl_matrix_calloc(2, 2), *cov = gsl_matrix_alloc(4, 2), *bad = gsl_matrix_calloc(3, 2), *R = gsl_matrix_alloc(3, 2);
    gsl_vector_set_all(w, 0.5), set_cov2(cov, 0, 1, 0, 1), set_cov2(cov, 1, 1, 2, 1); /* eigenvalues 3 and -1 */
    gsl_matrix_set_all(R, 0.5);
    double L = 5;
    mlphys_require_status(gmm_full_e_step(&X.matrix, w, mu, cov, R, &L), GSL_EDOM, "gmm_full_e_step",
                          "Sigma_1 = [[1, 2], [2, 1]] is not positive definite (the Cholesky factorisation fails)");
    cr_assert(L == 5, "loglik was written by a call that failed");
    set_cov2(cov, 1, 1, 0, 1);
    mlphys_require_status(gmm_full_e_step(&X.matrix, w, mu, bad, R, &L), GSL_EBADLEN, "gmm_full_e_step", "cov must be (k d, d) = (4, 2)");
    mlphys_require_status(gmm_full_m_step(&X.matrix, R, 0.0, w, mu, bad), GSL_EBADLEN, "gmm_full_m_step", "cov must be (4, 2)");
    mlphys_require_status(gmm_full_m_step(&X.matrix, R, -1.0, w, mu, cov), GSL_EINVAL, "gmm_full_m_step", "reg < 0");
    gsl_vector_free(w), gsl_matrix_free(mu), gsl_matrix_free(cov), gsl_matrix_free(bad), gsl_matrix_free(R);
}

/* ==== TODO(9): the adjusted Rand index ======================================================= */

Test(clustering, ari_hand_worked_contingency_tables, .description = "ARI of (000111, 001122) = 8/33 and of (0011, 0101) = -1/2, from the contingency-table formula by hand")
{
    /* (1) rows {3, 3}, columns {2, 2, 2}, cells 2 1 0 / 0 1 2: sum C(n_ij, 2) = 2, sum C(a, 2) = 6,
     *     sum C(b, 2) = 3, C(6, 2) = 15, E = 18/15 = 1.2: ARI = (2 - 1.2) / (4.5 - 1.2) = 8/33.
     * (2) a perfect disagreement: cells all 1, E = 2 * 2 / 6 = 2/3, ARI = (0 - 2/3) / (2 - 2/3) = -1/2. */
    const size_t a1[6] = {0, 0, 0, 1, 1, 1}, b1[6] = {0, 0, 1, 1, 2, 2}, a2[4] = {0, 0, 1, 1}, b2[4] = {0, 1, 0, 1};
    double r = NAN;
    mlphys_require_implemented(cluster_ari(a1, b1, 6, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 8.0 / 33.0, 1e-15, 0, "ARI(000111, 001122): (sum C(n_ij,2) - E) / (mean of the margins' sums - E), "
                        "E = sum C(a_i,2) sum C(b_j,2) / C(n,2)");
    mlphys_require_implemented(cluster_ari(b1, a1, 6, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 8.0 / 33.0, 1e-15, 0, "ARI is symmetric: ARI(001122, 000111)");
    mlphys_require_implemented(cluster_ari(a2, b2, 4, &r), "cluster_ari", 9);
    mlphys_assert_close(r, -0.5, 1e-15, 0, "ARI(0011, 0101) is negative: worse than chance (do not clamp at 0)");
}

Test(clustering, ari_is_one_for_equal_partitions_whatever_the_names, .description = "ARI of a labeling with itself, and with any renaming of its labels (including large, non-contiguous names), is exactly 1")
{
    const size_t n = 50;
    size_t a[50], b[50];
    const size_t names[5] = {7, 3, 49, 0, 12};
    gsl_rng *rng = mlphys_rng();
    for (size_t i = 0; i < n; i++)
        a[i] = gsl_rng_uniform_int(rng, 5), b[i] = names[a[i]];
    double r = NAN;
    mlphys_require_implemented(cluster_ari(a, a, n, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 1.0, 1e-14, 0, "ARI of a labeling with itself");
    mlphys_require_implemented(cluster_ari(a, b, n, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 1.0, 1e-14, 0, "ARI of a labeling with a renaming of it (0->7, 1->3, 2->49, 3->0, 4->12): "
                        "only the partition counts, not the names (size the table by the largest label + 1)");
    /* degenerate partitions: all in one cluster on both sides, all singletons on both: 1 by convention;
     * one cluster against singletons: 0 (no pair agrees beyond chance) */
    size_t one[6] = {0}, single[6] = {0, 1, 2, 3, 4, 5};
    mlphys_require_implemented(cluster_ari(one, one, 6, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 1.0, 0, 0, "both labelings put all 6 items in one cluster (denominator 0): ARI = 1");
    mlphys_require_implemented(cluster_ari(single, single, 6, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 1.0, 0, 0, "both labelings are all singletons (denominator 0): ARI = 1");
    mlphys_require_implemented(cluster_ari(one, single, 6, &r), "cluster_ari", 9);
    mlphys_assert_close(r, 0.0, 1e-15, 0, "one cluster against singletons: ARI = 0");
}

Test(clustering, ari_of_random_labelings_averages_zero, .description = "2000 random permutations of a labeling (n = 60, 4 vs 5 groups): mean ARI is 0 within 5 standard errors; the raw Rand index would not be")
{
    /* Hubert and Arabie's expectation E is exact under random permutations with the margins
     * fixed, so E[ARI] = 0 exactly.  The standard error is estimated from the 2000 values
     * themselves (sd ~ 0.02, se ~ 5e-4); 5 se. */
    const size_t n = 60, R = 2000;
    size_t a[60], b[60];
    gsl_rng *rng = mlphys_rng();
    for (size_t i = 0; i < n; i++)
        a[i] = i % 4, b[i] = i % 5;
    double s = 0, s2 = 0;
    for (size_t r = 0; r < R; r++) {
        gsl_ran_shuffle(rng, b, n, sizeof *b);
        double v = NAN;
        mlphys_require_implemented(cluster_ari(a, b, n, &v), "cluster_ari", 9);
        cr_assert(isfinite(v) && v >= -1 && v <= 1, "ARI = %g for a random labeling", v);
        s += v, s2 += v * v;
    }
    double mean = s / R, se = sqrt((s2 / R - mean * mean) / (R - 1));
    cr_assert(fabs(mean) <= 5 * se + 1e-12, "mean ARI over %zu random labelings = %.5f, want 0 within 5 se = %.5f: subtract "
              "the expected index E = sum C(a_i,2) sum C(b_j,2) / C(n,2), with C(n,2) = n (n - 1) / 2", R, mean, 5 * se);
}

Test(clustering, ari_rejects_bad_arguments, .description = "n < 2, NULL pointers, or a label >= n give GSL_EINVAL and leave the output alone")
{
    const size_t a[3] = {0, 1, 2}, b[3] = {0, 0, 3};
    double r = 42;
    mlphys_require_status(cluster_ari(a, a, 1, &r), GSL_EINVAL, "cluster_ari", "n = 1: no pairs");
    mlphys_require_status(cluster_ari(NULL, a, 3, &r), GSL_EINVAL, "cluster_ari", "a = NULL");
    mlphys_require_status(cluster_ari(a, a, 3, NULL), GSL_EINVAL, "cluster_ari", "ari = NULL");
    mlphys_require_status(cluster_ari(a, b, 3, &r), GSL_EINVAL, "cluster_ari", "label 3 >= n = 3 (it would index past the table)");
    cr_assert(r == 42, "the output was written by a call that failed");
}
