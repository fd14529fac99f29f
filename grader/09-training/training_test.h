/*
 * Private helpers of the chapter 09 tests: independent re-implementations (a naive forward pass,
 * cross-entropy, covariance, GSL eigenvalues) and the digits loader.  Nothing here calls the
 * student's code except through the net struct's given layout (W[l], b[l], sizes, act).
 * All functions are static inline, so a file that includes this and uses only some of them
 * compiles without warnings.
 */
#ifndef TRAINING_TEST_H
#define TRAINING_TEST_H

#include "mlphys_data.h"
#include "mlphys_test.h"
#include "training.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_sort_vector.h>
#include <stdlib.h>
#include <string.h>

/* b rows of d correlated features: x = 3 + g A with g ~ N(0, I) and A = diag(s) Q, the s_k spread
 * geometrically so that the covariance has condition number ~cond.  Caller frees. */
static inline gsl_matrix *correlated_data(size_t b, size_t d, double cond, gsl_rng *rng)
{
    gsl_matrix *G = gsl_matrix_alloc(b, d), *A = mlphys_random_orthonormal(d, d, rng);
    gsl_matrix *X = gsl_matrix_alloc(b, d);
    mlphys_fill_gaussian(G, rng, 1.0);
    for (size_t k = 0; k < d; k++) {
        double s = pow(cond, -0.5 * (double)k / (double)(d - 1));
        gsl_vector_view r = gsl_matrix_row(A, k);
        gsl_vector_scale(&r.vector, s);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, G, A, 0.0, X);
    gsl_matrix_add_constant(X, 3.0);
    gsl_matrix_free(G), gsl_matrix_free(A);
    return X;
}

/* Column means m (d) and covariance C = (1/b) sum (x - m)(x - m)^T (d, d), two-pass. */
static inline void covariance(const gsl_matrix *X, gsl_vector *m, gsl_matrix *C)
{
    const size_t b = X->size1, d = X->size2;
    gsl_vector_set_zero(m);
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < d; j++)
            m->data[j * m->stride] += gsl_matrix_get(X, i, j) / (double)b;
    gsl_matrix_set_zero(C);
    for (size_t i = 0; i < b; i++)
        for (size_t j = 0; j < d; j++) {
            double xj = gsl_matrix_get(X, i, j) - gsl_vector_get(m, j);
            for (size_t k = 0; k < d; k++)
                C->data[j * C->tda + k] += xj * (gsl_matrix_get(X, i, k) - gsl_vector_get(m, k)) / (double)b;
        }
}

/* Eigenvalues of a symmetric matrix, descending (GSL, eigenvalues only). */
static inline void sym_eigenvalues_desc(const gsl_matrix *S, gsl_vector *lam)
{
    const size_t d = S->size1;
    gsl_matrix *A = gsl_matrix_alloc(d, d);
    gsl_matrix_memcpy(A, S);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(d);
    gsl_eigen_symm(A, lam, w);
    gsl_eigen_symm_free(w);
    gsl_sort_vector(lam);
    gsl_vector_reverse(lam);
    gsl_matrix_free(A);
}

/* ||W - I||_F */
static inline double dist_to_identity(const gsl_matrix *W)
{
    double s = 0;
    for (size_t i = 0; i < W->size1; i++)
        for (size_t j = 0; j < W->size2; j++) {
            double e = gsl_matrix_get(W, i, j) - (i == j);
            s += e * e;
        }
    return sqrt(s);
}

/* The network written as plain loops: Y = logits of X.  If zmin, the smallest |z| over all hidden
 * pre-activations. */
static inline void naive_forward_z(const net *n, const gsl_matrix *X, gsl_matrix *Y, double *zmin)
{
    size_t wmax = 0;
    for (size_t l = 0; l <= n->L; l++)
        wmax = n->sizes[l] > wmax ? n->sizes[l] : wmax;
    double *a = malloc(wmax * sizeof *a), *z = malloc(wmax * sizeof *z);
    double mn = INFINITY;
    for (size_t i = 0; i < X->size1; i++) {
        for (size_t j = 0; j < n->sizes[0]; j++)
            a[j] = gsl_matrix_get(X, i, j);
        for (size_t l = 0; l < n->L; l++) {
            const size_t nin = n->sizes[l], nout = n->sizes[l + 1];
            for (size_t k = 0; k < nout; k++) {
                double s = n->b[l][k];
                for (size_t j = 0; j < nin; j++)
                    s += n->W[l][k * nin + j] * a[j];
                z[k] = s;
            }
            if (l + 1 < n->L)
                for (size_t k = 0; k < nout; k++) {
                    mn = fmin(mn, fabs(z[k]));
                    a[k] = n->act == ACT_RELU ? (z[k] > 0 ? z[k] : 0.0) : tanh(z[k]);
                }
        }
        if (Y)
            for (size_t k = 0; k < n->sizes[n->L]; k++)
                gsl_matrix_set(Y, i, k, z[k]);
    }
    if (zmin)
        *zmin = mn;
    free(a), free(z);
}

static inline void naive_forward(const net *n, const gsl_matrix *X, gsl_matrix *Y)
{
    naive_forward_z(n, X, Y, NULL);
}

static inline double min_abs_preactivation(const net *n, const gsl_matrix *X)
{
    double m;
    naive_forward_z(n, X, NULL, &m);
    return m;
}

/* Mean cross-entropy of logits Z against labels y, and dZ = (p - onehot) / B if dZ != NULL. */
static inline double naive_xent(const gsl_matrix *Z, const int *y, gsl_matrix *dZ)
{
    const size_t B = Z->size1, K = Z->size2;
    double total = 0;
    for (size_t i = 0; i < B; i++) {
        double zmax = -INFINITY, s = 0;
        for (size_t k = 0; k < K; k++)
            zmax = fmax(zmax, gsl_matrix_get(Z, i, k));
        for (size_t k = 0; k < K; k++)
            s += exp(gsl_matrix_get(Z, i, k) - zmax);
        double lse = zmax + log(s);
        total += lse - gsl_matrix_get(Z, i, (size_t)y[i]);
        if (dZ)
            for (size_t k = 0; k < K; k++)
                gsl_matrix_set(dZ, i, k, (exp(gsl_matrix_get(Z, i, k) - lse) - ((int)k == y[i])) / (double)B);
    }
    return total / (double)B;
}

/* The loss of the net's current parameters on (X, y), all in our own code. */
static inline double naive_loss(const net *n, const gsl_matrix *X, const int *y)
{
    gsl_matrix *Z = gsl_matrix_alloc(X->size1, n->sizes[n->L]);
    naive_forward(n, X, Z);
    double l = naive_xent(Z, y, NULL);
    gsl_matrix_free(Z);
    return l;
}

/* "W_1[2][3]" or "b_0[4]" for a flat parameter index. */
static inline const char *param_name(const net *n, size_t idx)
{
    static char buf[64];
    size_t off = 0;
    for (size_t l = 0; l < n->L; l++) {
        const size_t nin = n->sizes[l], nout = n->sizes[l + 1];
        if (idx < off + nout * nin) {
            snprintf(buf, sizeof buf, "W_%zu[%zu][%zu]", l, (idx - off) / nin, (idx - off) % nin);
            return buf;
        }
        off += nout * nin;
        if (idx < off + nout) {
            snprintf(buf, sizeof buf, "b_%zu[%zu]", l, idx - off);
            return buf;
        }
        off += nout;
    }
    return "beyond P";
}

/* ---- the digits, with the fixed split data/07-digits-split.csv -------------------------------- */
struct digits {
    gsl_matrix *X;
    int *label;
    size_t n;
};

static inline void load_digits(struct digits *tr, struct digits *te)
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
    size_t sizes[2] = {0, 0};
    for (size_t r = 0; r < split->rows; r++)
        sizes[strcmp(mlphys_table_cell(split, r, 1), "train") != 0]++;
    cr_assert(sizes[0] == 1350 && sizes[1] == 447, "split sizes %zu / %zu, expected 1350 / 447", sizes[0], sizes[1]);
    struct digits *d[2] = {tr, te};
    for (int s = 0; s < 2; s++) {
        d[s]->n = sizes[s];
        d[s]->X = gsl_matrix_alloc(sizes[s], 64);
        d[s]->label = malloc(sizes[s] * sizeof(int));
        sizes[s] = 0;
    }
    for (size_t r = 0; r < all->size1; r++) {
        int s = strcmp(mlphys_table_cell(split, r, 1), "train") != 0;
        size_t i = sizes[s]++;
        for (size_t j = 0; j < 64; j++)
            gsl_matrix_set(d[s]->X, i, j, gsl_matrix_get(all, r, j));
        d[s]->label[i] = (int)gsl_matrix_get(all, r, 64);
    }
    gsl_matrix_free(all);
    mlphys_table_free(split);
}

static inline void digits_free(struct digits *d)
{
    gsl_matrix_free(d->X), free(d->label);
}

/* Each pixel to zero mean and unit variance with the training statistics (constant pixels to 0). */
static inline void standardise(struct digits *tr, struct digits *te)
{
    for (size_t j = 0; j < 64; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < tr->n; i++)
            m += gsl_matrix_get(tr->X, i, j) / (double)tr->n;
        for (size_t i = 0; i < tr->n; i++)
            v += gsl_pow_2(gsl_matrix_get(tr->X, i, j) - m) / (double)tr->n;
        double s = v > 0 ? 1 / sqrt(v) : 0;
        for (size_t i = 0; i < tr->n; i++)
            gsl_matrix_set(tr->X, i, j, (gsl_matrix_get(tr->X, i, j) - m) * s);
        for (size_t i = 0; i < te->n; i++)
            gsl_matrix_set(te->X, i, j, (gsl_matrix_get(te->X, i, j) - m) * s);
    }
}

/* Rows of d whose largest logit (net_forward, in chunks of the net's capacity) is the label. */
static inline size_t count_right(net *n, const struct digits *d)
{
    const size_t K = n->sizes[n->L];
    size_t right = 0;
    gsl_matrix *Y = gsl_matrix_alloc(n->capacity, K);
    for (size_t s = 0; s < d->n; s += n->capacity) {
        size_t B = d->n - s < n->capacity ? d->n - s : n->capacity;
        gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(d->X, s, 0, B, d->X->size2);
        gsl_matrix_view Yb = gsl_matrix_submatrix(Y, 0, 0, B, K);
        mlphys_require_implemented(net_forward(n, &Xb.matrix, &Yb.matrix), "net_forward", 5);
        for (size_t i = 0; i < B; i++) {
            gsl_vector_view r = gsl_matrix_row(&Yb.matrix, i);
            right += (int)gsl_vector_max_index(&r.vector) == d->label[s + i];
        }
    }
    gsl_matrix_free(Y);
    return right;
}

/* Shared with hidden.c (defined in tests.c). */
double training_test_tanh_moment(double q);
double training_test_tanh_log_gm(init_kind kind, double sigma_b, size_t W, gsl_rng *rng, double *worst);

#endif
