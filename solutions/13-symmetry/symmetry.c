/*
 * Chapter 13, reference solution: the group D4 on 8 x 8 images, group averaging, a C4 lifting
 * convolution with invariant pooling, and Deep Sets.
 */
#include "symmetry.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

static int bad_order(int order)
{
    return order != 4 && order != 8;
}

int sym_d4_perm(int g, size_t perm[SYM_NPIX])
{
    if (g < 0 || g >= SYM_ORDER)
        return GSL_EINVAL;
    int k = g % 4, m = g / 4;
    for (int i = 0; i < SYM_SIDE; i++)
        for (int j = 0; j < SYM_SIDE; j++) {
            /* (R^k S^m x)(i, j): undo the turns first, one R at a time: (R x)(i, j) = x(j, 7 - i) */
            int a = i, b = j;
            for (int t = 0; t < k; t++) {
                int na = b, nb = SYM_SIDE - 1 - a;
                a = na, b = nb;
            }
            if (m)
                b = SYM_SIDE - 1 - b;
            perm[SYM_SIDE * i + j] = (size_t)(SYM_SIDE * a + b);
        }
    return GSL_SUCCESS;
}

int sym_act(int g, const gsl_vector *x, gsl_vector *y)
{
    if (x->size != SYM_NPIX || y->size != SYM_NPIX)
        return GSL_EBADLEN;
    size_t perm[SYM_NPIX];
    int st = sym_d4_perm(g, perm);
    if (st)
        return st;
    for (size_t p = 0; p < SYM_NPIX; p++)
        gsl_vector_set(y, p, gsl_vector_get(x, perm[p]));
    return GSL_SUCCESS;
}

int sym_project(int order, const gsl_vector *x, gsl_vector *y)
{
    if (x->size != SYM_NPIX || y->size != SYM_NPIX)
        return GSL_EBADLEN;
    if (bad_order(order))
        return GSL_EINVAL;
    double acc[SYM_NPIX] = {0};
    size_t perm[SYM_NPIX];
    for (int g = 0; g < order; g++) {
        sym_d4_perm(g, perm);
        for (size_t p = 0; p < SYM_NPIX; p++)
            acc[p] += gsl_vector_get(x, perm[p]);
    }
    for (size_t p = 0; p < SYM_NPIX; p++)
        gsl_vector_set(y, p, acc[p] / order);
    return GSL_SUCCESS;
}

/* the inverse of g: rotations invert to R^{-k}, reflections are their own inverses */
static int inverse(int g)
{
    return g < 4 ? (4 - g) % 4 : g;
}

int sym_average(sym_function f, void *params, int order, int equivariant, const gsl_vector *x,
                gsl_vector *y)
{
    if (x->size != SYM_NPIX || (equivariant == 1 && y->size != SYM_NPIX))
        return GSL_EBADLEN;
    if (bad_order(order) || f == NULL || (equivariant != 0 && equivariant != 1))
        return GSL_EINVAL;
    size_t n = y->size;
    gsl_vector *gx = gsl_vector_alloc(SYM_NPIX), *fx = gsl_vector_alloc(n), *back = gsl_vector_alloc(n);
    gsl_vector *acc = gsl_vector_calloc(n);
    int st = GSL_SUCCESS;
    for (int g = 0; g < order && st == GSL_SUCCESS; g++) {
        sym_act(g, x, gx);
        st = f(gx, fx, params);
        if (st)
            break;
        if (equivariant) {
            sym_act(inverse(g), fx, back);
            gsl_vector_add(acc, back);
        } else
            gsl_vector_add(acc, fx);
    }
    if (st == GSL_SUCCESS) {
        gsl_vector_scale(acc, 1.0 / order);
        gsl_vector_memcpy(y, acc);
    }
    gsl_vector_free(gx), gsl_vector_free(fx), gsl_vector_free(back), gsl_vector_free(acc);
    return st;
}

int sym_lift_conv(const gsl_matrix *w, const gsl_vector *x, gsl_matrix *y)
{
    if (w->size1 != 3 || w->size2 != 3 || x->size != SYM_NPIX || y->size1 != 4 || y->size2 != SYM_NPIX)
        return GSL_EBADLEN;
    double f[3][3], t[3][3];
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
            f[a][b] = gsl_matrix_get(w, a, b);
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < SYM_SIDE; i++)
            for (int j = 0; j < SYM_SIDE; j++) {
                double s = 0;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) {
                        int u = i + a - 1, v = j + b - 1;
                        if (u >= 0 && u < SYM_SIDE && v >= 0 && v < SYM_SIDE)
                            s += f[a][b] * gsl_vector_get(x, SYM_SIDE * u + v);
                    }
                gsl_matrix_set(y, k, SYM_SIDE * i + j, s);
            }
        /* turn the filter once more: (R w)(a, b) = w(b, 2 - a) */
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                t[a][b] = f[b][2 - a];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                f[a][b] = t[a][b];
    }
    return GSL_SUCCESS;
}

int sym_invariant_features(const gsl_matrix *W, const gsl_vector *x, gsl_vector *feat)
{
    if (W->size2 != 9 || x->size != SYM_NPIX || feat->size != W->size1)
        return GSL_EBADLEN;
    gsl_matrix *y = gsl_matrix_alloc(4, SYM_NPIX);
    for (size_t f = 0; f < W->size1; f++) {
        gsl_matrix_const_view w = gsl_matrix_const_view_array(gsl_matrix_const_ptr(W, f, 0), 3, 3);
        sym_lift_conv(&w.matrix, x, y);
        double s = 0;
        for (size_t p = 0; p < SYM_NPIX; p++) {
            double m = 0; /* relu then max: the max of the four relus, at least 0 */
            for (size_t k = 0; k < 4; k++)
                m = fmax(m, gsl_matrix_get(y, k, p));
            s += m;
        }
        gsl_vector_set(feat, f, s / SYM_NPIX);
    }
    gsl_matrix_free(y);
    return GSL_SUCCESS;
}

int sym_deepsets(const gsl_matrix *X, const gsl_matrix *W1, const gsl_vector *b1,
                 const gsl_matrix *W2, const gsl_vector *b2, gsl_vector *y)
{
    size_t n = X->size1, d = X->size2, H = W1->size1, m = W2->size1;
    if (W1->size2 != d || b1->size != H || W2->size2 != H || b2->size != m || y->size != m)
        return GSL_EBADLEN;
    if (n == 0)
        return GSL_EINVAL;
    double *s = calloc(H, sizeof *s);
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < H; h++) {
            double z = gsl_vector_get(b1, h);
            for (size_t a = 0; a < d; a++)
                z += gsl_matrix_get(W1, h, a) * gsl_matrix_get(X, i, a);
            s[h] += tanh(z);
        }
    for (size_t c = 0; c < m; c++) {
        double z = gsl_vector_get(b2, c);
        for (size_t h = 0; h < H; h++)
            z += gsl_matrix_get(W2, c, h) * s[h];
        gsl_vector_set(y, c, z);
    }
    free(s);
    return GSL_SUCCESS;
}

int sym_random_transform(int order, const gsl_matrix *X, gsl_rng *rng, gsl_matrix *Y, int *g)
{
    if (X->size2 != SYM_NPIX || Y->size1 != X->size1 || Y->size2 != X->size2)
        return GSL_EBADLEN;
    if (bad_order(order))
        return GSL_EINVAL;
    for (size_t r = 0; r < X->size1; r++) {
        int e = (int)gsl_rng_uniform_int(rng, (unsigned long)order);
        gsl_vector_const_view x = gsl_matrix_const_row(X, r);
        gsl_vector_view yr = gsl_matrix_row(Y, r);
        sym_act(e, &x.vector, &yr.vector);
        g[r] = e;
    }
    return GSL_SUCCESS;
}
