/*
 * Chapter 20 reference solution: PCA, k-means with k-means++ seeding, a diagonal Gaussian
 * mixture fitted by EM, and the adjusted Rand index.  Contract: chapters/20-clustering/clustering.h.
 */
#include "clustering.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- PCA -------------------------------------------------------------------------------- */

int pca_fit(const gsl_matrix *X, gsl_vector *mean, gsl_matrix *V, gsl_vector *var, double *total)
{
    if (!X || !mean || !V || !var)
        return GSL_EINVAL;
    const size_t n = X->size1, d = X->size2, q = V->size2;
    if (n < 2 || d == 0 || mean->size != d || V->size1 != d || q == 0 || q > d || var->size != q)
        return GSL_EBADLEN;

    /* 1. column means, 2. centred copy, 3. S = Xc^T Xc / (n - 1) (one BLAS call),
     * 4. eigenpairs of the symmetric S, sorted descending, 5. the sign convention. */
    gsl_matrix *Xc = gsl_matrix_alloc(n, d), *S = gsl_matrix_alloc(d, d), *E = gsl_matrix_alloc(d, d);
    gsl_vector *lam = gsl_vector_alloc(d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    if (!Xc || !S || !E || !lam || !ws) {
        gsl_matrix_free(Xc), gsl_matrix_free(S), gsl_matrix_free(E), gsl_vector_free(lam);
        gsl_eigen_symmv_free(ws);
        return GSL_ENOMEM;
    }
    for (size_t a = 0; a < d; a++) {
        double m = 0;
        for (size_t i = 0; i < n; i++)
            m += gsl_matrix_get(X, i, a);
        m /= (double)n;
        gsl_vector_set(mean, a, m);
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(Xc, i, a, gsl_matrix_get(X, i, a) - m);
    }
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)(n - 1), Xc, 0.0, S);
    double tr = 0;
    for (size_t a = 0; a < d; a++)
        tr += gsl_matrix_get(S, a, a);
    int st = gsl_eigen_symmv(S, lam, E, ws); /* reads the lower triangle only */
    if (st == GSL_SUCCESS)
        st = gsl_eigen_symmv_sort(lam, E, GSL_EIGEN_SORT_VAL_DESC);
    if (st == GSL_SUCCESS) {
        for (size_t c = 0; c < q; c++) {
            size_t amax = 0;
            for (size_t a = 1; a < d; a++)
                if (fabs(gsl_matrix_get(E, a, c)) > fabs(gsl_matrix_get(E, amax, c)))
                    amax = a;
            double s = gsl_matrix_get(E, amax, c) < 0 ? -1.0 : 1.0;
            for (size_t a = 0; a < d; a++)
                gsl_matrix_set(V, a, c, s * gsl_matrix_get(E, a, c));
            gsl_vector_set(var, c, gsl_vector_get(lam, c));
        }
        if (total)
            *total = tr;
    }
    gsl_matrix_free(Xc), gsl_matrix_free(S), gsl_matrix_free(E), gsl_vector_free(lam);
    gsl_eigen_symmv_free(ws);
    return st;
}

int pca_project(const gsl_matrix *X, const gsl_vector *mean, const gsl_matrix *V, gsl_matrix *Z)
{
    if (!X || !mean || !V || !Z)
        return GSL_EINVAL;
    const size_t n = X->size1, d = X->size2, q = V->size2;
    if (mean->size != d || V->size1 != d || Z->size1 != n || Z->size2 != q)
        return GSL_EBADLEN;
    gsl_vector *xc = gsl_vector_alloc(d);
    if (!xc)
        return GSL_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        for (size_t a = 0; a < d; a++)
            gsl_vector_set(xc, a, gsl_matrix_get(X, i, a) - gsl_vector_get(mean, a));
        gsl_vector_view zi = gsl_matrix_row(Z, i);
        gsl_blas_dgemv(CblasTrans, 1.0, V, xc, 0.0, &zi.vector); /* z_i = V^T (x_i - m) */
    }
    gsl_vector_free(xc);
    return GSL_SUCCESS;
}

/* ---- k-means ------------------------------------------------------------------------------ */

/* |x - c|^2 with four partial sums: independent chains that the compiler can vectorise and the
 * CPU can overlap (one running sum waits ~4 cycles per addition). */
static double sqdist(const double *x, const double *c, size_t d)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t a = 0;
    for (; a + 4 <= d; a += 4) {
        double t0 = x[a] - c[a], t1 = x[a + 1] - c[a + 1], t2 = x[a + 2] - c[a + 2], t3 = x[a + 3] - c[a + 3];
        s0 += t0 * t0, s1 += t1 * t1, s2 += t2 * t2, s3 += t3 * t3;
    }
    for (; a < d; a++) {
        double t = x[a] - c[a];
        s0 += t * t;
    }
    return (s0 + s1) + (s2 + s3);
}

/* Row i of a matrix as a contiguous pointer (rows are contiguous in a gsl_matrix). */
static const double *row(const gsl_matrix *M, size_t i)
{
    return M->data + i * M->tda;
}

int kmeans_init_pp(const gsl_matrix *X, gsl_rng *rng, gsl_matrix *C)
{
    if (!X || !rng || !C)
        return GSL_EINVAL;
    const size_t n = X->size1, d = X->size2, k = C->size1;
    if (k == 0 || k > n)
        return GSL_EINVAL;
    if (C->size2 != d)
        return GSL_EBADLEN;
    double *D2 = malloc(n * sizeof *D2);
    if (!D2)
        return GSL_ENOMEM;
    size_t pick = gsl_rng_uniform_int(rng, n);
    for (size_t j = 0;; j++) {
        /* 1. copy the chosen row; 2. update each point's squared distance to its nearest centre */
        memcpy(C->data + j * C->tda, row(X, pick), d * sizeof(double));
        if (j + 1 == k)
            break;
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            double t = sqdist(row(X, i), row(C, j), d);
            D2[i] = (j == 0 || t < D2[i]) ? t : D2[i];
            sum += D2[i];
        }
        /* 3. draw the next centre with probability D^2 / sum D^2 (inverse CDF) */
        if (sum > 0) {
            double u = gsl_rng_uniform(rng) * sum, acc = 0;
            pick = n; /* a point with D = 0 can never be drawn: skip it */
            size_t last = 0;
            for (size_t i = 0; i < n; i++) {
                if (D2[i] <= 0)
                    continue;
                last = i;
                acc += D2[i];
                if (u < acc) {
                    pick = i;
                    break;
                }
            }
            if (pick == n)
                pick = last; /* u within rounding of sum */
        } else {
            pick = gsl_rng_uniform_int(rng, n);
        }
    }
    free(D2);
    return GSL_SUCCESS;
}

/* s += x over d entries (restrict: no aliasing, so the loop vectorises). */
static void add_to(double *restrict s, const double *restrict x, size_t d)
{
    for (size_t a = 0; a < d; a++)
        s[a] += x[a];
}

/* Scratch space of one Lloyd step, allocated once per kmeans_lloyd call. */
#define BLOCK 64
typedef struct {
    double *dist;  /* (n) squared distance of each point to its centre */
    double *cn;    /* (k) |c_j|^2 */
    double *G;     /* (BLOCK, k) a block of X C^T */
    double *sum;   /* (k, d) sum of the points of each cluster */
    size_t *count; /* (k) points per cluster */
} kmeans_ws;

static void ws_free(kmeans_ws *w)
{
    free(w->dist), free(w->cn), free(w->G), free(w->sum), free(w->count);
}

static int ws_alloc(kmeans_ws *w, size_t n, size_t d, size_t k)
{
    w->dist = malloc(n * sizeof *w->dist), w->cn = malloc(k * sizeof *w->cn);
    w->G = malloc(BLOCK * k * sizeof *w->G), w->sum = malloc(k * d * sizeof *w->sum);
    w->count = malloc(k * sizeof *w->count);
    if (!w->dist || !w->cn || !w->G || !w->sum || !w->count) {
        ws_free(w);
        return GSL_ENOMEM;
    }
    return GSL_SUCCESS;
}

/* One Lloyd step (contract of kmeans_step), arguments already checked.
 * 1. Assignment: distances as |x|^2 - 2 x.c + |c|^2 with the x.c of a block of 64 rows from one
 *    dgemm (|x|^2 is the same for every centre and drops out of the argmin); the winner's distance
 *    is then recomputed directly so that no cancellation reaches the inertia.  The same pass adds
 *    every point to its cluster's sum, so the update needs no second pass over X. */
static void step(const gsl_matrix *X, gsl_matrix *C, size_t *labels, double *inertia, kmeans_ws *w)
{
    const size_t n = X->size1, d = X->size2, k = C->size1;
    for (size_t j = 0; j < k; j++)
        w->cn[j] = cblas_ddot((int)d, row(C, j), 1, row(C, j), 1), w->count[j] = 0;
    memset(w->sum, 0, k * d * sizeof *w->sum);
    double J = 0;
    for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
        size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)k, (int)d, 1.0,
                    row(X, i0), (int)X->tda, C->data, (int)C->tda, 0.0, w->G, (int)k);
        for (size_t r = 0; r < m; r++) {
            const double *g = w->G + r * k, *x = row(X, i0 + r);
            size_t best = 0;
            double bd = w->cn[0] - 2 * g[0];
            for (size_t j = 1; j < k; j++) {
                double t = w->cn[j] - 2 * g[j];
                if (t < bd) /* strict: a tie keeps the lower index */
                    bd = t, best = j;
            }
            labels[i0 + r] = best;
            J += w->dist[i0 + r] = sqdist(x, row(C, best), d);
            w->count[best]++;
            add_to(w->sum + best * d, x, d);
        }
    }
    *inertia = J;
    /* 2. an empty cluster takes the worst-served point of a cluster that can spare one */
    for (size_t j = 0; j < k; j++) {
        if (w->count[j] > 0)
            continue;
        size_t far = n;
        for (size_t i = 0; i < n; i++)
            if (w->count[labels[i]] > 1 && (far == n || w->dist[i] > w->dist[far]))
                far = i;
        const double *x = row(X, far);
        double *from = w->sum + labels[far] * d, *to = w->sum + j * d;
        for (size_t a = 0; a < d; a++)
            from[a] -= x[a], to[a] += x[a];
        w->count[labels[far]]--, w->count[j]++;
        labels[far] = j, w->dist[far] = 0;
    }
    /* 3. update: every centre becomes the mean of its points */
    for (size_t j = 0; j < k; j++) {
        double *c = C->data + j * C->tda;
        const double *s = w->sum + j * d;
        for (size_t a = 0; a < d; a++)
            c[a] = s[a] / (double)w->count[j];
    }
}

static int kmeans_args(const gsl_matrix *X, const gsl_matrix *C, const size_t *labels, const double *inertia)
{
    if (!X || !C || !labels || !inertia)
        return GSL_EINVAL;
    if (C->size1 == 0 || C->size1 > X->size1)
        return GSL_EINVAL;
    if (C->size2 != X->size2)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

int kmeans_step(const gsl_matrix *X, gsl_matrix *C, size_t *labels, double *inertia)
{
    int st = kmeans_args(X, C, labels, inertia);
    if (st)
        return st;
    kmeans_ws w;
    if ((st = ws_alloc(&w, X->size1, X->size2, C->size1)))
        return st;
    step(X, C, labels, inertia, &w);
    ws_free(&w);
    return GSL_SUCCESS;
}

int kmeans_lloyd(const gsl_matrix *X, gsl_matrix *C, size_t *labels, size_t max_iter,
                 double *inertia, size_t *n_iter)
{
    int st = kmeans_args(X, C, labels, inertia);
    if (st)
        return st;
    const size_t n = X->size1;
    kmeans_ws w;
    size_t *prev = malloc(n * sizeof *prev);
    if (!prev || ws_alloc(&w, n, X->size2, C->size1)) {
        free(prev);
        return GSL_ENOMEM;
    }
    st = GSL_EMAXITER;
    size_t it = 0;
    while (it < max_iter) {
        memcpy(prev, labels, n * sizeof *prev);
        step(X, C, labels, inertia, &w);
        it++;
        /* same labels twice: the update reproduced the same centres, a fixed point */
        if (it > 1 && memcmp(prev, labels, n * sizeof *prev) == 0) {
            st = GSL_SUCCESS;
            break;
        }
    }
    free(prev), ws_free(&w);
    if (n_iter)
        *n_iter = it;
    return st;
}

/* ---- Gaussian mixture --------------------------------------------------------------------- */

static int gmm_shapes(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
                      const gsl_matrix *var)
{
    const size_t d = X->size2, k = w->size;
    if (k == 0 || X->size1 == 0 || mu->size1 != k || mu->size2 != d || var->size1 != k || var->size2 != d)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

int gmm_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
               const gsl_matrix *var, gsl_matrix *R, double *loglik)
{
    if (!X || !w || !mu || !var || !R || !loglik)
        return GSL_EINVAL;
    int st = gmm_shapes(X, w, mu, var);
    if (st)
        return st;
    const size_t n = X->size1, d = X->size2, k = w->size;
    if (R->size1 != n || R->size2 != k)
        return GSL_EBADLEN;
    for (size_t j = 0; j < k; j++) {
        if (!(gsl_vector_get(w, j) >= 0))
            return GSL_EDOM;
        for (size_t a = 0; a < d; a++)
            if (!(gsl_matrix_get(var, j, a) > 0))
                return GSL_EDOM;
    }
    /* log w_j - (1/2) sum_a log(2 pi var_ja): the part of log N that does not depend on x */
    double *cst = malloc(k * sizeof *cst), *lp = malloc(k * sizeof *lp);
    if (!cst || !lp) {
        free(cst), free(lp);
        return GSL_ENOMEM;
    }
    for (size_t j = 0; j < k; j++) {
        double s = log(gsl_vector_get(w, j));
        for (size_t a = 0; a < d; a++)
            s -= 0.5 * log(2 * M_PI * gsl_matrix_get(var, j, a));
        cst[j] = s;
    }
    double L = 0;
    for (size_t i = 0; i < n; i++) {
        const double *x = row(X, i);
        double mx = -INFINITY;
        for (size_t j = 0; j < k; j++) {
            const double *m = row(mu, j), *v = row(var, j);
            double q = 0;
            for (size_t a = 0; a < d; a++) {
                double t = x[a] - m[a];
                q += t * t / v[a];
            }
            lp[j] = cst[j] - 0.5 * q;
            mx = lp[j] > mx ? lp[j] : mx;
        }
        /* log-sum-exp: log sum_j e^{lp_j} = mx + log sum_j e^{lp_j - mx}, every exponent <= 0 */
        double s = 0;
        for (size_t j = 0; j < k; j++)
            s += exp(lp[j] - mx);
        for (size_t j = 0; j < k; j++) /* e^{lp_j - mx} / s, not e^{lp_j - lse}: mx + log s may round */
            gsl_matrix_set(R, i, j, exp(lp[j] - mx) / s);
        L += mx + log(s);
    }
    free(cst), free(lp);
    *loglik = L;
    return GSL_SUCCESS;
}

int gmm_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
               gsl_matrix *mu, gsl_matrix *var)
{
    if (!X || !R || !w || !mu || !var)
        return GSL_EINVAL;
    if (!(reg >= 0))
        return GSL_EINVAL;
    int st = gmm_shapes(X, w, mu, var);
    if (st)
        return st;
    const size_t n = X->size1, d = X->size2, k = w->size;
    if (R->size1 != n || R->size2 != k)
        return GSL_EBADLEN;
    for (size_t j = 0; j < k; j++) {
        double N = 0;
        for (size_t i = 0; i < n; i++)
            N += gsl_matrix_get(R, i, j);
        gsl_vector_set(w, j, N / (double)n);
        if (!(N > 0))
            continue; /* a dead component keeps its mean and variance */
        for (size_t a = 0; a < d; a++) {
            double m = 0;
            for (size_t i = 0; i < n; i++)
                m += gsl_matrix_get(R, i, j) * gsl_matrix_get(X, i, a);
            m /= N;
            double v = 0; /* two passes: the spread about the new mean, no cancellation */
            for (size_t i = 0; i < n; i++) {
                double t = gsl_matrix_get(X, i, a) - m;
                v += gsl_matrix_get(R, i, j) * t * t;
            }
            gsl_matrix_set(mu, j, a, m);
            gsl_matrix_set(var, j, a, v / N + reg);
        }
    }
    return GSL_SUCCESS;
}

int gmm_em(const gsl_matrix *X, gsl_vector *w, gsl_matrix *mu, gsl_matrix *var, double reg,
           size_t max_iter, double tol, double *loglik, size_t *n_iter)
{
    if (!X || !w || !mu || !var || !loglik)
        return GSL_EINVAL;
    if (!(tol >= 0) || !(reg >= 0))
        return GSL_EINVAL;
    int st = gmm_shapes(X, w, mu, var);
    if (st)
        return st;
    const size_t n = X->size1;
    gsl_matrix *R = gsl_matrix_alloc(n, w->size);
    if (!R)
        return GSL_ENOMEM;
    double L, Lprev;
    st = gmm_e_step(X, w, mu, var, R, &L);
    size_t it = 0;
    int result = GSL_EMAXITER;
    while (st == GSL_SUCCESS && it < max_iter) {
        Lprev = L;
        st = gmm_m_step(X, R, reg, w, mu, var);
        if (st == GSL_SUCCESS)
            st = gmm_e_step(X, w, mu, var, R, &L); /* R for the next M step, L for the new parameters */
        it++;
        if (st == GSL_SUCCESS && (L - Lprev) / (double)n < tol) {
            result = GSL_SUCCESS;
            break;
        }
    }
    gsl_matrix_free(R);
    if (n_iter)
        *n_iter = it;
    if (st)
        return st;
    *loglik = L;
    return result;
}

/* ---- Gaussian mixture with full covariances ------------------------------------------------ */

/* Shapes of a full-covariance mixture: cov is (k d, d), block j (rows j d .. j d + d - 1) is Sigma_j. */
static int full_shapes(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu, const gsl_matrix *cov)
{
    const size_t d = X->size2, k = w->size;
    if (k == 0 || X->size1 == 0 || mu->size1 != k || mu->size2 != d || cov->size1 != k * d || cov->size2 != d)
        return GSL_EBADLEN;
    return GSL_SUCCESS;
}

int gmm_full_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
                    const gsl_matrix *cov, gsl_matrix *R, double *loglik)
{
    if (!X || !w || !mu || !cov || !R || !loglik)
        return GSL_EINVAL;
    int st = full_shapes(X, w, mu, cov);
    if (st)
        return st;
    const size_t n = X->size1, d = X->size2, k = w->size;
    if (R->size1 != n || R->size2 != k)
        return GSL_EBADLEN;
    for (size_t j = 0; j < k; j++)
        if (!(gsl_vector_get(w, j) >= 0))
            return GSL_EDOM;
    /* 1. a Cholesky factor Sigma_j = L_j L_j^T per component: log det Sigma_j = 2 sum_a log L_aa */
    gsl_matrix *L = gsl_matrix_alloc(k * d, d);
    gsl_vector *y = gsl_vector_alloc(d);
    double *cst = malloc(k * sizeof *cst), *lp = malloc(k * sizeof *lp);
    if (!L || !y || !cst || !lp) {
        gsl_matrix_free(L), gsl_vector_free(y), free(cst), free(lp);
        return GSL_ENOMEM;
    }
    gsl_matrix_memcpy(L, cov);
    for (size_t j = 0; j < k && !st; j++) {
        gsl_matrix_view Lj = gsl_matrix_submatrix(L, j * d, 0, d, d);
        st = gsl_linalg_cholesky_decomp1(&Lj.matrix); /* GSL_EDOM if not positive definite */
        double s = log(gsl_vector_get(w, j)) - 0.5 * (double)d * log(2 * M_PI);
        for (size_t a = 0; a < d && !st; a++)
            s -= log(gsl_matrix_get(&Lj.matrix, a, a));
        cst[j] = s;
    }
    double Ltot = 0;
    for (size_t i = 0; i < n && !st; i++) {
        double mx = -INFINITY;
        for (size_t j = 0; j < k; j++) {
            /* 2. (x - mu)^T Sigma^{-1} (x - mu) = |y|^2 with L y = x - mu (one triangular solve) */
            for (size_t a = 0; a < d; a++)
                gsl_vector_set(y, a, gsl_matrix_get(X, i, a) - gsl_matrix_get(mu, j, a));
            gsl_matrix_const_view Lj = gsl_matrix_const_submatrix(L, j * d, 0, d, d);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Lj.matrix, y);
            double q;
            gsl_blas_ddot(y, y, &q);
            lp[j] = cst[j] - 0.5 * q;
            mx = lp[j] > mx ? lp[j] : mx;
        }
        /* 3. log-sum-exp, as in the diagonal case */
        double s = 0;
        for (size_t j = 0; j < k; j++)
            s += exp(lp[j] - mx);
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(R, i, j, exp(lp[j] - mx) / s);
        Ltot += mx + log(s);
    }
    gsl_matrix_free(L), gsl_vector_free(y), free(cst), free(lp);
    if (st)
        return GSL_EDOM;
    *loglik = Ltot;
    return GSL_SUCCESS;
}

int gmm_full_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
                    gsl_matrix *mu, gsl_matrix *cov)
{
    if (!X || !R || !w || !mu || !cov)
        return GSL_EINVAL;
    if (!(reg >= 0))
        return GSL_EINVAL;
    int st = full_shapes(X, w, mu, cov);
    if (st)
        return st;
    const size_t n = X->size1, d = X->size2, k = w->size;
    if (R->size1 != n || R->size2 != k)
        return GSL_EBADLEN;
    double *m = malloc(d * sizeof *m);
    if (!m)
        return GSL_ENOMEM;
    for (size_t j = 0; j < k; j++) {
        double N = 0;
        for (size_t i = 0; i < n; i++)
            N += gsl_matrix_get(R, i, j);
        gsl_vector_set(w, j, N / (double)n);
        if (!(N > 0))
            continue; /* a dead component keeps its mean and covariance */
        for (size_t a = 0; a < d; a++) {
            m[a] = 0;
            for (size_t i = 0; i < n; i++)
                m[a] += gsl_matrix_get(R, i, j) * gsl_matrix_get(X, i, a);
            m[a] /= N;
            gsl_matrix_set(mu, j, a, m[a]);
        }
        /* Sigma_j = sum_i R_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg I, both triangles */
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b <= a; b++) {
                double s = 0;
                for (size_t i = 0; i < n; i++)
                    s += gsl_matrix_get(R, i, j) * (gsl_matrix_get(X, i, a) - m[a]) * (gsl_matrix_get(X, i, b) - m[b]);
                s /= N;
                gsl_matrix_set(cov, j * d + a, b, s + (a == b ? reg : 0.0));
                gsl_matrix_set(cov, j * d + b, a, s + (a == b ? reg : 0.0));
            }
    }
    free(m);
    return GSL_SUCCESS;
}

/* ---- Adjusted Rand index ------------------------------------------------------------------- */

static double choose2(double m)
{
    return 0.5 * m * (m - 1);
}

int cluster_ari(const size_t *a, const size_t *b, size_t n, double *ari)
{
    if (!a || !b || !ari || n < 2)
        return GSL_EINVAL;
    size_t ka = 0, kb = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i] >= n || b[i] >= n)
            return GSL_EINVAL;
        ka = a[i] + 1 > ka ? a[i] + 1 : ka;
        kb = b[i] + 1 > kb ? b[i] + 1 : kb;
    }
    /* the contingency table n_ij and its margins */
    double *T = calloc(ka * kb, sizeof *T), *ra = calloc(ka, sizeof *ra), *cb = calloc(kb, sizeof *cb);
    if (!T || !ra || !cb) {
        free(T), free(ra), free(cb);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        T[a[i] * kb + b[i]] += 1, ra[a[i]] += 1, cb[b[i]] += 1;
    double sij = 0, sa = 0, sb = 0;
    for (size_t i = 0; i < ka * kb; i++)
        sij += choose2(T[i]);
    for (size_t i = 0; i < ka; i++)
        sa += choose2(ra[i]);
    for (size_t j = 0; j < kb; j++)
        sb += choose2(cb[j]);
    free(T), free(ra), free(cb);
    double expected = sa * sb / choose2((double)n), top = 0.5 * (sa + sb);
    *ari = (top == expected) ? 1.0 : (sij - expected) / (top - expected);
    return GSL_SUCCESS;
}
