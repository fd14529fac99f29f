/*
 * Chapter 13 test helpers, shared by tests.c and hidden.c.  Everything here is written from the
 * definitions, independently of any solution: the eight D4 index maps are spelled out as closed
 * forms worked by hand (one line each), the convolution is the textbook sum with the filter
 * turned by its own closed form.  static inline so that a file that does not use one does not warn.
 */
#ifndef MLPHYS_SYMMETRY_TEST_H
#define MLPHYS_SYMMETRY_TEST_H

#include "mlphys_test.h"
#include "mlphys_data.h"
#include "symmetry.h"

#include <stdlib.h>
#include <string.h>

#define T_GARBAGE ((size_t)0xDEADBEEF)

/* Where pixel (i, j) of T_g x comes from, worked by hand from (R x)(i, j) = x(j, 7 - i) and
 * (S x)(i, j) = x(i, 7 - j), T_g = R^k S^m:
 *   e: (i, j)          R: (j, 7-i)       R^2: (7-i, 7-j)     R^3: (7-j, i)
 *   S: (i, 7-j)        RS: (j, i)        R^2 S: (7-i, j)     R^3 S: (7-j, 7-i)        */
static inline size_t t_src(int g, size_t i, size_t j)
{
    switch (g) {
    case 0: return 8 * i + j;
    case 1: return 8 * j + 7 - i;
    case 2: return 8 * (7 - i) + 7 - j;
    case 3: return 8 * (7 - j) + i;
    case 4: return 8 * i + 7 - j;
    case 5: return 8 * j + i;
    case 6: return 8 * (7 - i) + j;
    default: return 8 * (7 - j) + 7 - i;
    }
}

static inline void t_act(int g, const gsl_vector *x, gsl_vector *y)
{
    for (size_t i = 0; i < 8; i++)
        for (size_t j = 0; j < 8; j++)
            gsl_vector_set(y, 8 * i + j, gsl_vector_get(x, t_src(g, i, j)));
}

/* The abstract product in D4: R^k1 S^m1 R^k2 S^m2 = R^{k1 + (-1)^m1 k2} S^{m1 + m2}, from
 * S R = R^{-1} S. */
static inline int t_mul(int a, int b)
{
    int k1 = a % 4, m1 = a / 4, k2 = b % 4, m2 = b / 4;
    int k = ((k1 + (m1 ? -k2 : k2)) % 4 + 4) % 4;
    return k + 4 * (m1 ^ m2);
}

static inline int t_inv(int g)
{
    return g < 4 ? (4 - g) % 4 : g;
}

static inline gsl_vector *t_nan_vector(size_t n)
{
    gsl_vector *v = gsl_vector_alloc(n);
    gsl_vector_set_all(v, NAN);
    return v;
}

static inline gsl_matrix *t_nan_matrix(size_t r, size_t c)
{
    gsl_matrix *m = gsl_matrix_alloc(r, c);
    gsl_matrix_set_all(m, NAN);
    return m;
}

static inline gsl_vector *t_random_vector(size_t n, gsl_rng *rng)
{
    gsl_vector *v = gsl_vector_alloc(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, gsl_ran_gaussian(rng, 1.0));
    return v;
}

static inline double t_maxdiff(const gsl_vector *a, const gsl_vector *b)
{
    double m = 0;
    for (size_t i = 0; i < a->size; i++) {
        double d = fabs(gsl_vector_get(a, i) - gsl_vector_get(b, i));
        if (!(d <= m))
            m = d; /* NaN propagates */
    }
    return m;
}

/* (R^k w)(a, b) by closed form: R: w(b, 2-a), R^2: w(2-a, 2-b), R^3: w(2-b, a). */
static inline double t_wrot(const gsl_matrix *w, int k, int a, int b)
{
    switch (k) {
    case 0: return gsl_matrix_get(w, a, b);
    case 1: return gsl_matrix_get(w, b, 2 - a);
    case 2: return gsl_matrix_get(w, 2 - a, 2 - b);
    default: return gsl_matrix_get(w, 2 - b, a);
    }
}

/* The lifting convolution by definition (zero padding). */
static inline void t_lift(const gsl_matrix *w, const gsl_vector *x, gsl_matrix *y)
{
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++) {
                double s = 0;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) {
                        int u = i + a - 1, v = j + b - 1;
                        if (u >= 0 && u < 8 && v >= 0 && v < 8)
                            s += t_wrot(w, k, a, b) * gsl_vector_get(x, 8 * u + v);
                    }
                gsl_matrix_set(y, k, 8 * i + j, s);
            }
}

/* The digits with the fixed train/test split of data/07-digits-split.csv: pixels 0..16. */
typedef struct {
    gsl_matrix *Xtr, *Xte;
    int *ytr, *yte;
} t_digits;

static inline t_digits t_load_digits(void)
{
    char err[512];
    gsl_matrix *all = NULL;
    mlphys_table *split = NULL;
    if (mlphys_read_matrix(mlphys_data_path("digits.csv.gz"), 0, &all, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the digits: %s", err);
    if (mlphys_table_read(mlphys_data_path("07-digits-split.csv"), 1, &split, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the split: %s", err);
    cr_assert(split->rows == all->size1 && all->size2 == 65, "the split has %zu rows for %zu digits", split->rows,
              all->size1);
    size_t ntr = 0;
    for (size_t r = 0; r < split->rows; r++)
        ntr += strcmp(mlphys_table_cell(split, r, 1), "train") == 0;
    t_digits d = {gsl_matrix_alloc(ntr, 64), gsl_matrix_alloc(all->size1 - ntr, 64), malloc(ntr * sizeof(int)),
                  malloc((all->size1 - ntr) * sizeof(int))};
    size_t a = 0, b = 0;
    for (size_t r = 0; r < split->rows; r++) {
        int tr = strcmp(mlphys_table_cell(split, r, 1), "train") == 0;
        gsl_vector_const_view src = gsl_matrix_const_subrow(all, r, 0, 64);
        gsl_matrix_set_row(tr ? d.Xtr : d.Xte, tr ? a : b, &src.vector);
        if (tr)
            d.ytr[a++] = (int)gsl_matrix_get(all, r, 64);
        else
            d.yte[b++] = (int)gsl_matrix_get(all, r, 64);
    }
    gsl_matrix_free(all), mlphys_table_free(split);
    return d;
}

static inline void t_free_digits(t_digits *d)
{
    gsl_matrix_free(d->Xtr), gsl_matrix_free(d->Xte), free(d->ytr), free(d->yte);
}

/* Nearest-centroid classifier: class means of the training rows, accuracy on the test rows. */
static inline double t_nearest_centroid(const gsl_matrix *Xtr, const int *ytr, const gsl_matrix *Xte, const int *yte)
{
    size_t D = Xtr->size2;
    double *mu = calloc(10 * D, sizeof *mu), cnt[10] = {0};
    for (size_t r = 0; r < Xtr->size1; r++) {
        cnt[ytr[r]] += 1;
        for (size_t a = 0; a < D; a++)
            mu[ytr[r] * D + a] += gsl_matrix_get(Xtr, r, a);
    }
    for (int c = 0; c < 10; c++)
        for (size_t a = 0; a < D; a++)
            mu[c * D + a] /= cnt[c];
    size_t right = 0;
    for (size_t r = 0; r < Xte->size1; r++) {
        int best = 0;
        double bd = INFINITY;
        for (int c = 0; c < 10; c++) {
            double s = 0;
            for (size_t a = 0; a < D; a++) {
                double u = gsl_matrix_get(Xte, r, a) - mu[c * D + a];
                s += u * u;
            }
            if (s < bd)
                bd = s, best = c;
        }
        right += best == yte[r];
    }
    free(mu);
    return (double)right / Xte->size1;
}

#endif
