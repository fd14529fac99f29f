/*
 * Chapter 21, reference solution: brute-force and k-d tree nearest neighbours, the majority
 * vote, leave-one-out and the confusion matrix.  Contract and tie rule: chapters/21-knn/knn.h.
 */
#include "knn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Block sizes of the brute-force search: a QB x XB tile of distances (128 KiB) stays in the L2
 * cache while it is scanned, and the training block (XB rows of d doubles) is reused by QB
 * queries. */
#define QB 64
#define XB 256

/* |row i of A|^2 for every row. */
static void row_norms(const gsl_matrix *A, double *out)
{
    for (size_t i = 0; i < A->size1; i++) {
        const double *a = A->data + i * A->tda;
        double s = 0;
        for (size_t c = 0; c < A->size2; c++)
            s += a[c] * a[c];
        out[i] = s;
    }
}

int knn_sqdist(const gsl_matrix *Q, const gsl_matrix *X, gsl_matrix *D)
{
    if (Q->size2 != X->size2 || D->size1 != Q->size1 || D->size2 != X->size1)
        return GSL_EBADLEN;
    const size_t m = Q->size1, n = X->size1;
    double *qn = malloc(m * sizeof *qn), *xn = malloc(n * sizeof *xn);
    if (!qn || !xn) {
        free(qn), free(xn);
        return GSL_ENOMEM;
    }
    row_norms(Q, qn), row_norms(X, xn);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, -2.0, Q, X, 0.0, D); /* D = -2 Q X^T */
    for (size_t i = 0; i < m; i++) {
        double *r = D->data + i * D->tda;
        for (size_t j = 0; j < n; j++) {
            double v = r[j] + qn[i] + xn[j];
            r[j] = v > 0 ? v : 0; /* cancellation can leave -1e-12 where the truth is 0 */
        }
    }
    free(qn), free(xn);
    return GSL_SUCCESS;
}

/* Insert (dv, j) into the sorted list (bd, bi) of length k, known to beat its last entry.
 * Candidates of one query arrive in increasing j, so an equal distance goes after the others. */
static inline void insert_sorted(double *bd, size_t *bi, size_t k, double dv, size_t j)
{
    size_t r = k - 1;
    while (r > 0 && bd[r - 1] > dv) {
        bd[r] = bd[r - 1], bi[r] = bi[r - 1];
        r--;
    }
    bd[r] = dv, bi[r] = j;
}

int knn_brute(const gsl_matrix *X, const gsl_matrix *Q, size_t k, int exclude_self, size_t *idx,
              double *dist)
{
    const size_t n = X->size1, m = Q->size1;
    if (Q->size2 != X->size2 || (exclude_self && m != n))
        return GSL_EBADLEN;
    if (k == 0 || k > (exclude_self ? n - 1 : n) || n == 0)
        return GSL_EINVAL;
    double *xn = malloc(n * sizeof *xn), *qn = malloc(m * sizeof *qn);
    double *bd = malloc(QB * k * sizeof *bd);
    size_t *bi = malloc(QB * k * sizeof *bi);
    gsl_matrix *T = gsl_matrix_alloc(QB, XB);
    if (!xn || !qn || !bd || !bi || !T) {
        free(xn), free(qn), free(bd), free(bi);
        if (T)
            gsl_matrix_free(T);
        return GSL_ENOMEM;
    }
    row_norms(X, xn), row_norms(Q, qn);
    for (size_t q0 = 0; q0 < m; q0 += QB) {
        const size_t mq = m - q0 < QB ? m - q0 : QB;
        for (size_t s = 0; s < mq * k; s++)
            bd[s] = INFINITY, bi[s] = 0;
        gsl_matrix_const_view Qb = gsl_matrix_const_submatrix(Q, q0, 0, mq, Q->size2);
        for (size_t x0 = 0; x0 < n; x0 += XB) {
            const size_t nx = n - x0 < XB ? n - x0 : XB;
            gsl_matrix_const_view Xb = gsl_matrix_const_submatrix(X, x0, 0, nx, X->size2);
            gsl_matrix_view Tb = gsl_matrix_submatrix(T, 0, 0, mq, nx);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, -2.0, &Qb.matrix, &Xb.matrix, 0.0, &Tb.matrix);
            for (size_t i = 0; i < mq; i++) {
                const double *t = T->data + i * T->tda, qi = qn[q0 + i];
                double *d = bd + i * k;
                size_t *b = bi + i * k;
                double worst = d[k - 1];
                for (size_t j = 0; j < nx; j++) {
                    double v = t[j] + qi + xn[x0 + j];
                    v = v > 0 ? v : 0;
                    if (v < worst && !(exclude_self && x0 + j == q0 + i)) {
                        insert_sorted(d, b, k, v, x0 + j);
                        worst = d[k - 1];
                    }
                }
            }
        }
        memcpy(idx + q0 * k, bi, mq * k * sizeof *bi);
        if (dist)
            memcpy(dist + q0 * k, bd, mq * k * sizeof *bd);
    }
    free(xn), free(qn), free(bd), free(bi);
    gsl_matrix_free(T);
    return GSL_SUCCESS;
}

/* ---- k-d tree ------------------------------------------------------------------------------ */

/* Reorder perm[lo .. hi-1] so that position nth holds the element that would be there after
 * sorting by coordinate dim, everything before it is <= and everything after it >= (Hoare's
 * selection, "FIND", CACM 4, 321 (1961)). */
static void select_nth(size_t *perm, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t nth, const gsl_matrix *X,
                       size_t dim)
{
#define KEY(p) (X->data[perm[p] * X->tda + dim])
    while (hi > lo) {
        const double pivot = KEY(lo + (hi - lo) / 2);
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (KEY(i) < pivot)
                i++;
            while (KEY(j) > pivot)
                j--;
            if (i <= j) {
                size_t t = perm[i];
                perm[i] = perm[j], perm[j] = t;
                i++, j--;
            }
        }
        if (nth <= j)
            hi = j;
        else if (nth >= i)
            lo = i;
        else
            break;
    }
#undef KEY
}

void knn_kdtree_free(knn_kdtree *t)
{
    if (!t)
        return;
    free(t->perm), free(t->pts), free(t->nodes), free(t);
}

static size_t build_node(knn_kdtree *t, const gsl_matrix *X, size_t lo, size_t hi)
{
    const size_t me = t->nnodes++;
    knn_node *nd = &t->nodes[me];
    nd->lo = lo, nd->hi = hi, nd->left = nd->right = 0, nd->dim = 0, nd->split = 0;
    if (hi - lo <= t->leaf_size)
        return me;
    /* 1. the coordinate of largest spread */
    size_t best = 0;
    double spread = -1;
    for (size_t a = 0; a < t->d; a++) {
        double mn = INFINITY, mx = -INFINITY;
        for (size_t p = lo; p < hi; p++) {
            double v = X->data[t->perm[p] * X->tda + a];
            mn = v < mn ? v : mn, mx = v > mx ? v : mx;
        }
        if (mx - mn > spread)
            spread = mx - mn, best = a;
    }
    /* 2. split at the median position, so both halves are non-empty and the depth is log2 n */
    const size_t mid = lo + (hi - lo) / 2;
    select_nth(t->perm, (ptrdiff_t)lo, (ptrdiff_t)hi - 1, (ptrdiff_t)mid, X, best);
    const double split = X->data[t->perm[mid] * X->tda + best];
    size_t l = build_node(t, X, lo, mid);
    size_t r = build_node(t, X, mid, hi);
    nd = &t->nodes[me];
    nd->dim = best, nd->split = split, nd->left = l, nd->right = r;
    return me;
}

int knn_kdtree_build(const gsl_matrix *X, size_t leaf_size, knn_kdtree **out)
{
    *out = NULL;
    if (leaf_size == 0)
        return GSL_EINVAL;
    if (X->size1 == 0 || X->size2 == 0)
        return GSL_EBADLEN;
    const size_t n = X->size1, d = X->size2;
    knn_kdtree *t = calloc(1, sizeof *t);
    if (!t)
        return GSL_ENOMEM;
    t->n = n, t->d = d, t->leaf_size = leaf_size;
    t->capacity = 2 * n; /* a binary tree with at most n leaves has at most 2n - 1 nodes */
    t->perm = malloc(n * sizeof *t->perm);
    t->pts = malloc(n * d * sizeof *t->pts);
    t->nodes = malloc(t->capacity * sizeof *t->nodes);
    if (!t->perm || !t->pts || !t->nodes) {
        knn_kdtree_free(t);
        return GSL_ENOMEM;
    }
    for (size_t p = 0; p < n; p++)
        t->perm[p] = p;
    build_node(t, X, 0, n);
    for (size_t p = 0; p < n; p++)
        memcpy(t->pts + p * d, X->data + t->perm[p] * X->tda, d * sizeof(double));
    *out = t;
    return GSL_SUCCESS;
}

typedef struct {
    const knn_kdtree *t;
    const double *q;
    size_t k;
    double *bd; /* k best squared distances, ascending */
    size_t *bi; /* their rows, ties by row */
    double *off; /* per coordinate: offset of q from the current cell (Arya and Mount 1993) */
} search;

/* Does (dv, j) come before (bd[r], bi[r]) in the chapter's order? */
static inline int before(double dv, size_t j, double d, size_t i)
{
    return dv < d || (dv == d && j < i);
}

static void search_node(search *s, size_t node, double rd)
{
    const knn_node *nd = &s->t->nodes[node];
    const size_t d = s->t->d, k = s->k;
    if (nd->left == 0) { /* a leaf: scan its contiguous points */
        for (size_t p = nd->lo; p < nd->hi; p++) {
            const double *x = s->t->pts + p * d;
            const double worst = s->bd[k - 1];
            double dv = 0;
            for (size_t a = 0; a < d; a++) {
                double u = s->q[a] - x[a];
                dv += u * u;
            }
            const size_t j = s->t->perm[p];
            if (dv > worst || !before(dv, j, worst, s->bi[k - 1]))
                continue;
            size_t r = k - 1;
            while (r > 0 && before(dv, j, s->bd[r - 1], s->bi[r - 1])) {
                s->bd[r] = s->bd[r - 1], s->bi[r] = s->bi[r - 1];
                r--;
            }
            s->bd[r] = dv, s->bi[r] = j;
        }
        return;
    }
    const double diff = s->q[nd->dim] - nd->split;
    const size_t near = diff <= 0 ? nd->left : nd->right, far = diff <= 0 ? nd->right : nd->left;
    search_node(s, near, rd);
    /* The far cell is at least |diff| away along dim: replace the old offset by it.  Equal
     * distances must still be visited, since a lower row may hide there (the tie rule). */
    const double old = s->off[nd->dim], rdf = rd - old * old + diff * diff;
    if (rdf <= s->bd[k - 1]) {
        s->off[nd->dim] = diff;
        search_node(s, far, rdf);
        s->off[nd->dim] = old;
    }
}

int knn_kdtree_query(const knn_kdtree *t, const gsl_vector *q, size_t k, size_t *idx, double *dist)
{
    if (q->size != t->d)
        return GSL_EBADLEN;
    if (k == 0 || k > t->n)
        return GSL_EINVAL;
    const size_t d = t->d;
    double *buf = malloc((2 * d + k) * sizeof *buf);
    size_t *bi = malloc(k * sizeof *bi);
    if (!buf || !bi) {
        free(buf), free(bi);
        return GSL_ENOMEM;
    }
    double *qq = buf, *off = buf + d, *bd = buf + 2 * d;
    for (size_t a = 0; a < d; a++)
        qq[a] = gsl_vector_get(q, a), off[a] = 0;
    for (size_t r = 0; r < k; r++)
        bd[r] = INFINITY, bi[r] = (size_t)-1;
    search s = {t, qq, k, bd, bi, off};
    search_node(&s, 0, 0.0);
    memcpy(idx, bi, k * sizeof *bi);
    if (dist)
        memcpy(dist, bd, k * sizeof *bd);
    free(buf), free(bi);
    return GSL_SUCCESS;
}

/* ---- classification ------------------------------------------------------------------------ */

int knn_vote(const size_t *nlab, size_t k, size_t nclass, size_t *winner)
{
    if (k == 0 || nclass == 0)
        return GSL_EINVAL;
    for (size_t r = 0; r < k; r++)
        if (nlab[r] >= nclass)
            return GSL_EINVAL;
    /* O(k^2) and no memory: the first position whose class has the most votes wins, and the
     * first position of a class is its nearest member, which is the tie rule. */
    size_t best = 0, bestc = 0;
    for (size_t r = 0; r < k; r++) {
        size_t c = 0;
        for (size_t s = 0; s < k; s++)
            c += nlab[s] == nlab[r];
        if (c > bestc)
            bestc = c, best = r;
    }
    *winner = nlab[best];
    return GSL_SUCCESS;
}

int knn_loo(const gsl_matrix *X, const size_t *labels, size_t nclass, size_t kmax, size_t *pred)
{
    const size_t n = X->size1;
    if (n == 0)
        return GSL_EBADLEN;
    if (kmax == 0 || kmax > n - 1 || nclass == 0)
        return GSL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= nclass)
            return GSL_EINVAL;
    size_t *idx = malloc(n * kmax * sizeof *idx), *nlab = malloc(kmax * sizeof *nlab);
    if (!idx || !nlab) {
        free(idx), free(nlab);
        return GSL_ENOMEM;
    }
    int st = knn_brute(X, X, kmax, 1, idx, NULL);
    for (size_t i = 0; i < n && st == GSL_SUCCESS; i++) {
        for (size_t r = 0; r < kmax; r++)
            nlab[r] = labels[idx[i * kmax + r]];
        for (size_t k = 1; k <= kmax && st == GSL_SUCCESS; k++)
            st = knn_vote(nlab, k, nclass, &pred[i * kmax + k - 1]);
    }
    free(idx), free(nlab);
    return st;
}

int knn_confusion(const size_t *truth, const size_t *pred, size_t n, size_t nclass, size_t *C)
{
    if (nclass == 0)
        return GSL_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (truth[i] >= nclass || pred[i] >= nclass)
            return GSL_EINVAL;
    memset(C, 0, nclass * nclass * sizeof *C);
    for (size_t i = 0; i < n; i++)
        C[truth[i] * nclass + pred[i]]++;
    return GSL_SUCCESS;
}
