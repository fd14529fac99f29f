/*
 * Chapter 13: symmetry.  The group D4 of the square acting on 8 x 8 digits, group averaging,
 * a rotation-equivariant (lifting) convolution with invariant pooling, and Deep Sets.
 *
 * Images are gsl_vectors of 64 pixels, pixel (i, j) at p = 8 i + j.  Group element g = 0..7 is
 * T_g = R^k S^m with k = g % 4, m = g / 4, where (R x)(i, j) = x(j, 7 - i) turns the image a
 * quarter turn counter-clockwise and (S x)(i, j) = x(i, 7 - j) mirrors it left-right.
 *
 * You write, in this order:
 *   TODO(1) sym_d4_perm(), sym_act()   the index map of every group element; y = T_g x
 *   TODO(2) sym_project(), sym_average()   group averaging: of an image, of a function (callback)
 *   TODO(3) sym_lift_conv()            correlation with the filter turned 0, 1, 2, 3 times
 *   TODO(4) sym_invariant_features()   ReLU, max over orientations, mean over pixels
 *   TODO(5) sym_deepsets()             phi on every point, sum, rho
 *   TODO(6) sym_random_transform()     turn (or mirror) every row of a data set at random
 *
 * Check:           make test CH=13-symmetry
 * Stuck?           make hint CH=13-symmetry
 * See your figure: make plot CH=13-symmetry       (writes build/figures/chapters/13-symmetry/)
 * The contract of every function is in symmetry.h; the math is in README.md.
 */
#include "symmetry.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>

/* perm[p] = the pixel that T_g moves to p:  (T_g x)[p] = x[perm[p]].  GSL_EINVAL for g outside
 * 0..7 (perm untouched). */
int sym_d4_perm(int g, size_t perm[SYM_NPIX])
{
    (void)g, (void)perm;
    /* TODO(1): for every pixel (i, j), undo the k quarter turns one at a time with
     * (R x)(i, j) = x(j, 7 - i), then the mirror (if m = 1) with (S x)(i, j) = x(i, 7 - j);
     * the pixel you land on is perm[8 i + j]. */
    return GSL_EUNIMPL;
}

/* y = T_g x.  GSL_EBADLEN unless both have 64 entries; GSL_EINVAL for a bad g. */
int sym_act(int g, const gsl_vector *x, gsl_vector *y)
{
    (void)g, (void)x, (void)y;
    /* TODO(1): y[p] = x[perm[p]] with sym_d4_perm; read and write with gsl_vector_get / _set. */
    return GSL_EUNIMPL;
}

/* y = (1/|G|) sum_{g in G} T_g x, G = C4 (order 4) or D4 (order 8). */
int sym_project(int order, const gsl_vector *x, gsl_vector *y)
{
    (void)order, (void)x, (void)y;
    /* TODO(2): check the sizes and the order, sum T_g x over g = 0..order-1, divide by order. */
    return GSL_EUNIMPL;
}

/* Group averaging of a callback f: the invariant flavour (equivariant = 0)
 *   y = (1/|G|) sum_g f(T_g x),
 * or the equivariant one (equivariant = 1, 64 outputs)  y = (1/|G|) sum_g T_g^{-1} f(T_g x).
 * Pass on the first failing status of f and leave y untouched. */
int sym_average(sym_function f, void *params, int order, int equivariant, const gsl_vector *x,
                gsl_vector *y)
{
    (void)f, (void)params, (void)order, (void)equivariant, (void)x, (void)y;
    /* TODO(2): accumulate into a scratch vector, copy into y only at the end.  The inverse of
     * R^k is R^{4-k}; every mirror is its own inverse. */
    return GSL_EUNIMPL;
}

/* y[k][8i + j] = sum_{a,b} (R^k w)(a, b) x(i + a - 1, j + b - 1), zero outside the image,
 * (R w)(a, b) = w(b, 2 - a).  w (3, 3), x (64), y (4, 64). */
int sym_lift_conv(const gsl_matrix *w, const gsl_vector *x, gsl_matrix *y)
{
    (void)w, (void)x, (void)y;
    /* TODO(3): copy w into a 3 x 3 array; for k = 0..3 correlate, then turn the array once. */
    return GSL_EUNIMPL;
}

/* feat[f] = (1/64) sum_p max_k relu(y_f[k][p]), y_f the lifting convolution with row f of W
 * (a 3 x 3 filter, row-major).  W (F, 9), x (64), feat (F). */
int sym_invariant_features(const gsl_matrix *W, const gsl_vector *x, gsl_vector *feat)
{
    (void)W, (void)x, (void)feat;
    /* TODO(4): one sym_lift_conv per filter, then pool over the group, then over the pixels. */
    return GSL_EUNIMPL;
}

/* Deep Sets: h_i = tanh(W1 x_i + b1), s = sum_i h_i, y = W2 s + b2. */
int sym_deepsets(const gsl_matrix *X, const gsl_matrix *W1, const gsl_vector *b1,
                 const gsl_matrix *W2, const gsl_vector *b2, gsl_vector *y)
{
    (void)X, (void)W1, (void)b1, (void)W2, (void)b2, (void)y;
    /* TODO(5): check every shape, then phi per point, the sum, and rho. */
    return GSL_EUNIMPL;
}

/* Row r of Y = T_{g[r]} (row r of X), g[r] = gsl_rng_uniform_int(rng, order) in row order. */
int sym_random_transform(int order, const gsl_matrix *X, gsl_rng *rng, gsl_matrix *Y, int *g)
{
    (void)order, (void)X, (void)rng, (void)Y, (void)g;
    /* TODO(6): validate first (no draws on an error), then one draw and one sym_act per row. */
    return GSL_EUNIMPL;
}
