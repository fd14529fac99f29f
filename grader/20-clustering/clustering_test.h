/*
 * Chapter 20 test helpers, shared by tests.c and hidden.c.  Everything here is written from the
 * definitions (nearest centre, inertia, Gaussian density, contingency table), independently of
 * any solution; static inline so that a file that does not use one does not warn.
 */
#ifndef MLPHYS_CLUSTERING_TEST_H
#define MLPHYS_CLUSTERING_TEST_H

#include "mlphys_test.h"
#include "mlphys_data.h"

#include <gsl/gsl_math.h>

#include <stdlib.h>
#include <string.h>

/* Squared Euclidean distance between row i of X and row j of C. */
static inline double t_sqdist(const gsl_matrix *X, size_t i, const gsl_matrix *C, size_t j)
{
    double s = 0;
    for (size_t a = 0; a < X->size2; a++) {
        double t = gsl_matrix_get(X, i, a) - gsl_matrix_get(C, j, a);
        s += t * t;
    }
    return s;
}

/* Squared distance from row i of X to its nearest row of C. */
static inline double t_nearest(const gsl_matrix *X, size_t i, const gsl_matrix *C, size_t *which)
{
    double best = INFINITY;
    for (size_t j = 0; j < C->size1; j++) {
        double t = t_sqdist(X, i, C, j);
        if (t < best) {
            best = t;
            if (which)
                *which = j;
        }
    }
    return best;
}

/* sum_i min_j |x_i - c_j|^2: the inertia of the best assignment to the centres C. */
static inline double t_inertia_nearest(const gsl_matrix *X, const gsl_matrix *C)
{
    double s = 0;
    for (size_t i = 0; i < X->size1; i++)
        s += t_nearest(X, i, C, NULL);
    return s;
}

/* sum_i |x_i - c_{labels[i]}|^2: the inertia of a given assignment; INFINITY for a label >= k. */
static inline double t_inertia_labels(const gsl_matrix *X, const gsl_matrix *C, const size_t *labels)
{
    double s = 0;
    for (size_t i = 0; i < X->size1; i++) {
        if (labels[i] >= C->size1)
            return INFINITY;
        s += t_sqdist(X, i, C, labels[i]);
    }
    return s;
}

/* Adjusted Rand index straight from the contingency table (Hubert and Arabie 1985), for labels
 * < kmax; the tests' own copy, so that a k-means test does not depend on the student's ARI. */
static inline double t_ari(const size_t *a, const size_t *b, size_t n, size_t kmax)
{
    double *T = calloc(kmax * kmax, sizeof *T), *ra = calloc(kmax, sizeof *ra), *cb = calloc(kmax, sizeof *cb);
    for (size_t i = 0; i < n; i++)
        T[a[i] * kmax + b[i]]++, ra[a[i]]++, cb[b[i]]++;
    double sij = 0, sa = 0, sb = 0;
    for (size_t i = 0; i < kmax * kmax; i++)
        sij += T[i] * (T[i] - 1) / 2;
    for (size_t i = 0; i < kmax; i++)
        sa += ra[i] * (ra[i] - 1) / 2, sb += cb[i] * (cb[i] - 1) / 2;
    free(T), free(ra), free(cb);
    double e = sa * sb / ((double)n * (double)(n - 1) / 2), top = (sa + sb) / 2;
    return (sij - e) / (top - e);
}

/* log p(x_i) of a diagonal Gaussian mixture, by the tests' own log-sum-exp. */
static inline double t_gmm_logp(const gsl_matrix *X, size_t i, const gsl_vector *w, const gsl_matrix *mu,
                                const gsl_matrix *var)
{
    const size_t k = w->size, d = X->size2;
    double l[16], mx = -INFINITY;
    for (size_t j = 0; j < k && j < 16; j++) {
        double s = log(gsl_vector_get(w, j));
        for (size_t a = 0; a < d; a++) {
            double v = gsl_matrix_get(var, j, a), t = gsl_matrix_get(X, i, a) - gsl_matrix_get(mu, j, a);
            s += -0.5 * log(2 * M_PI * v) - 0.5 * t * t / v;
        }
        l[j] = s;
        mx = fmax(mx, s);
    }
    double z = 0;
    for (size_t j = 0; j < k && j < 16; j++)
        z += exp(l[j] - mx);
    return mx + log(z);
}

static inline double t_gmm_loglik(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
                                  const gsl_matrix *var)
{
    double L = 0;
    for (size_t i = 0; i < X->size1; i++)
        L += t_gmm_logp(X, i, w, mu, var);
    return L;
}

/* n points from k isotropic Gaussian blobs (sd 1) in d dimensions: blob j is centred at
 * sep * (j / d + 1) on axis j mod d (so for k <= d the centres are sep e_j, sep sqrt 2 apart).
 * Point i belongs to blob i mod k (truth[i], may be NULL). */
static inline gsl_matrix *t_blobs(size_t n, size_t d, size_t k, double sep, gsl_rng *rng, size_t *truth)
{
    gsl_matrix *X = gsl_matrix_alloc(n, d);
    for (size_t i = 0; i < n; i++) {
        size_t j = i % k;
        if (truth)
            truth[i] = j;
        for (size_t a = 0; a < d; a++)
            gsl_matrix_set(X, i, a, gsl_ran_gaussian(rng, 1.0) + (a == j % d ? sep * (double)(j / d + 1) : 0.0));
    }
    return X;
}

/* The digits: X (1797, 64) raw pixels 0..16 and the labels; fails the test if the file is missing. */
static inline gsl_matrix *t_digits(size_t **labels)
{
    char err[512];
    gsl_matrix *all;
    if (mlphys_read_matrix(mlphys_data_path("digits.csv.gz"), 0, &all, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the digits: %s", err);
    gsl_matrix *X = gsl_matrix_alloc(all->size1, 64);
    *labels = malloc(all->size1 * sizeof **labels);
    for (size_t i = 0; i < all->size1; i++) {
        for (size_t a = 0; a < 64; a++)
            gsl_matrix_set(X, i, a, gsl_matrix_get(all, i, a));
        (*labels)[i] = (size_t)gsl_matrix_get(all, i, 64);
    }
    gsl_matrix_free(all);
    return X;
}

#endif
