/*
 * symmetry.h: the contract of chapter 13 (symmetry: groups, invariance, equivariance, Deep Sets).
 * The stub (chapters/13-symmetry/symmetry.c) and the reference solution implement exactly this
 * header.
 *
 * Images are the 8 x 8 digits, stored as a gsl_vector of 64 pixels in row-major order: pixel
 * (i, j) (row i from the top, column j from the left, both 0..7) is entry p = 8 i + j.
 *
 * The group D4 (the symmetries of the square) has 8 elements, numbered g = 0..7 with
 *     k = g % 4 (quarter turns),  m = g / 4 (0 or 1 reflections),   T_g = R^k S^m,
 * where, on images,
 *     R  (rotation by 90 degrees counter-clockwise):  (R x)(i, j) = x(j, 7 - i)
 *     S  (mirror left <-> right):                     (S x)(i, j) = x(i, 7 - j)
 * so T_g first mirrors (if m = 1) and then turns k times.  The rotations g = 0..3 are the
 * subgroup C4; an `order` argument is 4 for C4 or 8 for D4 (anything else is GSL_EINVAL).
 *
 * Every function returns a GSL status: GSL_SUCCESS, GSL_EBADLEN when shapes disagree,
 * GSL_EINVAL for a bad argument, and GSL_EUNIMPL while it is still a stub.  The caller allocates
 * every output; on an error the outputs are left untouched.  Outputs never alias inputs.
 */
#ifndef MLPHYS_SYMMETRY_H
#define MLPHYS_SYMMETRY_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

#define SYM_SIDE 8   /* images are SYM_SIDE x SYM_SIDE */
#define SYM_NPIX 64  /* pixels per image */
#define SYM_ORDER 8  /* elements of D4 */

/* The index map of group element g:  (T_g x)[p] = x[perm[p]]  for p = 0..63.
 *   g in: 0..7     perm (64) out: a permutation of 0..63
 * GSL_EINVAL if g is not in 0..7. */
int sym_d4_perm(int g, size_t perm[SYM_NPIX]);

/* The action on one image: y = T_g x.
 *   g in: 0..7     x (64) in     y (64) out
 * GSL_EBADLEN if x or y has not 64 entries; GSL_EINVAL for a bad g. */
int sym_act(int g, const gsl_vector *x, gsl_vector *y);

/* Projection onto the invariant images: the average over the group of the transformed image,
 *   y = (1/|G|) sum_{g in G} T_g x,      G = C4 (order 4) or D4 (order 8).
 * GSL_EBADLEN if x or y has not 64 entries; GSL_EINVAL for a bad order. */
int sym_project(int order, const gsl_vector *x, gsl_vector *y);

/* A function f: R^64 -> R^n given as a callback: it writes f(x) into fx (n entries, fixed by
 * the caller) and returns a GSL status. */
typedef int (*sym_function)(const gsl_vector *x, gsl_vector *fx, void *params);

/* Group averaging (symmetrisation) of f, in one of two flavours:
 *   equivariant = 0:  y = (1/|G|) sum_g f(T_g x)             an invariant function, any n
 *   equivariant = 1:  y = (1/|G|) sum_g T_g^{-1} f(T_g x)    an equivariant map, n = 64
 *   f, params in: the callback, called |G| times with fx of y->size entries
 *   order in: 4 or 8     x (64) in     y (n) out
 * GSL_EBADLEN if x has not 64 entries, or y has not 64 while equivariant = 1; GSL_EINVAL for a
 * bad order, a NULL f, or equivariant not 0 or 1.  If a call of f fails, return its status and
 * leave y untouched. */
int sym_average(sym_function f, void *params, int order, int equivariant, const gsl_vector *x,
                gsl_vector *y);

/* The C4 lifting convolution: correlate the image with the filter turned by 0, 1, 2, 3 quarter
 * turns, with zero padding ("same" size):
 *   y[k][8i + j] = sum_{a, b = 0..2} (R^k w)(a, b) x(i + a - 1, j + b - 1),   x = 0 outside,
 *   (R w)(a, b) = w(b, 2 - a)  (the filter turned the same way as the images).
 *   w (3, 3) in     x (64) in     y (4, 64) out: row k is the response to the k-turned filter
 * GSL_EBADLEN for any other shape. */
int sym_lift_conv(const gsl_matrix *w, const gsl_vector *x, gsl_matrix *y);

/* Rotation-invariant features: for each filter f (row f of W, the 3 x 3 filter row-major),
 *   feat[f] = (1/64) sum_p max_k relu(y_f[k][p]),    y_f = sym_lift_conv(filter f, x),
 * i.e. lifting convolution, ReLU, max over the four orientations (invariant pooling over the
 * group), then the mean over pixels.
 *   W (F, 9) in     x (64) in     feat (F) out
 * GSL_EBADLEN if W has not 9 columns, x not 64 entries or feat not F entries. */
int sym_invariant_features(const gsl_matrix *W, const gsl_vector *x, gsl_vector *feat);

/* Deep Sets (Zaheer et al. 2017): a function of a set of n points in R^d,
 *   h_i = tanh(W1 x_i + b1)     (phi, applied to every point: row i of X)
 *   s   = sum_i h_i              (sum pooling)
 *   y   = W2 s + b2              (rho)
 *   X (n, d), W1 (H, d), b1 (H), W2 (m, H), b2 (m) in     y (m) out
 * GSL_EBADLEN if the shapes disagree; GSL_EINVAL if n = 0. */
int sym_deepsets(const gsl_matrix *X, const gsl_matrix *W1, const gsl_vector *b1,
                 const gsl_matrix *W2, const gsl_vector *b2, gsl_vector *y);

/* Random augmentation: row r of Y is T_{g[r]} applied to row r of X, with
 * g[r] = gsl_rng_uniform_int(rng, order) drawn in row order (one draw per row, nothing else).
 *   order in: 4 or 8     X (N, 64) in     rng in/out     Y (N, 64) out     g (N) out
 * GSL_EBADLEN if X has not 64 columns or Y has not the shape of X; GSL_EINVAL for a bad order. */
int sym_random_transform(int order, const gsl_matrix *X, gsl_rng *rng, gsl_matrix *Y, int *g);

#endif
