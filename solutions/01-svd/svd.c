/*
 * Chapter 01, reference solution: the singular value decomposition, and a signal in noise.
 *
 * One-sided Jacobi (Hestenes 1958; see Demmel & Veselic, SIAM J. Matrix Anal. Appl. 13, 1204
 * (1992) for its accuracy): rotate pairs of columns of A until all are mutually orthogonal.
 * The columns are then U S and the accumulated rotations are V.  The work is done on the
 * transpose (columns of A become contiguous rows), which is what makes it fast in C.
 */
#include "svd.h"

#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

static void rotate(double *a, double *b, size_t n, double c, double s)
{
    for (size_t k = 0; k < n; k++) {
        double x = a[k], y = b[k];
        a[k] = c * x - s * y;
        b[k] = s * x + c * y;
    }
}

int svd_jacobi(gsl_matrix *A, gsl_matrix *V, gsl_vector *s)
{
    const size_t M = A->size1, N = A->size2;
    if (M < N || N == 0 || V->size1 != N || V->size2 != N || s->size != N)
        return GSL_EBADLEN;

    /* Work on transposes: row j of At is column j of A, row j of Vt is column j of V. */
    double *At = malloc(N * M * sizeof *At), *Vt = calloc(N * N, sizeof *Vt);
    size_t *order = malloc(N * sizeof *order);
    double *norm = malloc(N * sizeof *norm);
    if (!At || !Vt || !order || !norm) {
        free(At), free(Vt), free(order), free(norm);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++)
            At[j * M + i] = gsl_matrix_get(A, i, j);
    for (size_t j = 0; j < N; j++)
        Vt[j * N + j] = 1.0;

    /* 1. Sweep over all pairs (i, j); rotate when the columns are not yet orthogonal to
     *    working precision.  2. Stop after a sweep with no rotation. */
    const double tol = 10.0 * (double)M * DBL_EPSILON;
    int converged = 0;
    for (int sweep = 0; sweep < SVD_JACOBI_MAX_SWEEPS && !converged; sweep++) {
        converged = 1;
        for (size_t i = 0; i + 1 < N; i++)
            for (size_t j = i + 1; j < N; j++) {
                double *ai = At + i * M, *aj = At + j * M;
                double alpha = dot(ai, ai, M), beta = dot(aj, aj, M), gamma = dot(ai, aj, M);
                if (alpha == 0.0 || beta == 0.0 || fabs(gamma) <= tol * sqrt(alpha * beta))
                    continue;
                converged = 0;
                /* The rotation that zeroes the off-diagonal of [[alpha, gamma], [gamma, beta]]
                 * (Golub & Van Loan, 4th ed., Alg. 8.5.2), with the smaller angle. */
                double zeta = (beta - alpha) / (2.0 * gamma);
                double t = copysign(1.0, zeta) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
                double c = 1.0 / sqrt(1.0 + t * t), sn = c * t;
                rotate(ai, aj, M, c, sn);
                rotate(Vt + i * N, Vt + j * N, N, c, sn);
            }
    }

    /* 3. Singular values are the column norms; sort them descending. */
    for (size_t j = 0; j < N; j++) {
        norm[j] = sqrt(dot(At + j * M, At + j * M, M));
        order[j] = j;
    }
    for (size_t a = 1; a < N; a++) /* insertion sort: N is small next to the sweeps */
        for (size_t b = a; b > 0 && norm[order[b - 1]] < norm[order[b]]; b--) {
            size_t tmp = order[b];
            order[b] = order[b - 1];
            order[b - 1] = tmp;
        }
    for (size_t j = 0; j < N; j++) {
        size_t src = order[j];
        double sj = norm[src];
        gsl_vector_set(s, j, sj);
        for (size_t i = 0; i < M; i++)
            gsl_matrix_set(A, i, j, sj > 0.0 ? At[src * M + i] / sj : 0.0);
        for (size_t i = 0; i < N; i++)
            gsl_matrix_set(V, i, j, Vt[src * N + i]);
    }
    free(At), free(Vt), free(order), free(norm);
    return converged ? GSL_SUCCESS : GSL_EMAXITER;
}

int svd_thin(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V)
{
    const size_t M = A->size1, N = A->size2, K = M < N ? M : N;
    if (K == 0 || U->size1 != M || U->size2 != K || s->size != K || V->size1 != N ||
        V->size2 != K)
        return GSL_EBADLEN;
    if (M >= N) {
        gsl_matrix_memcpy(U, A);
        return svd_jacobi(U, V, s);
    }
    /* Wide: A^T = B S W^T with B (N, M), so A = W S B^T: U = W and V = B. */
    gsl_matrix_transpose_memcpy(V, A);
    return svd_jacobi(V, U, s);
}

int svd_via_eigen(const gsl_matrix *A, gsl_matrix *U, gsl_vector *s, gsl_matrix *V)
{
    const size_t M = A->size1, N = A->size2;
    if (M < N || N == 0 || U->size1 != M || U->size2 != N || s->size != N || V->size1 != N ||
        V->size2 != N)
        return GSL_EBADLEN;
    gsl_matrix *C = gsl_matrix_alloc(N, N);
    gsl_vector *lam = gsl_vector_alloc(N);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(N);
    int status = GSL_ENOMEM;
    if (C && lam && w) {
        /* 1. C = A^T A (its condition number is kappa(A)^2).  2. C = V diag(s^2) V^T. */
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, A, A, 0.0, C);
        status = gsl_eigen_symmv(C, lam, V, w);
    }
    if (status == GSL_SUCCESS) {
        gsl_eigen_symmv_sort(lam, V, GSL_EIGEN_SORT_VAL_DESC);
        /* 3. s_j = sqrt(lambda_j) (round-off can make a tiny lambda negative);
         * 4. u_j = A v_j / s_j. */
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, V, 0.0, U);
        for (size_t j = 0; j < N; j++) {
            double sj = sqrt(fmax(gsl_vector_get(lam, j), 0.0));
            gsl_vector_set(s, j, sj);
            gsl_vector_view u = gsl_matrix_column(U, j);
            if (sj > 0.0)
                gsl_vector_scale(&u.vector, 1.0 / sj);
            else
                gsl_vector_set_zero(&u.vector);
        }
    }
    gsl_matrix_free(C);
    gsl_vector_free(lam);
    gsl_eigen_symmv_free(w);
    return status;
}

int svd_low_rank(const gsl_matrix *U, const gsl_vector *s, const gsl_matrix *V, size_t k,
                 gsl_matrix *Ak)
{
    const size_t M = U->size1, K = U->size2, N = V->size1;
    if (s->size != K || V->size2 != K || Ak->size1 != M || Ak->size2 != N)
        return GSL_EBADLEN;
    if (k > K)
        return GSL_EINVAL;
    gsl_matrix_set_zero(Ak);
    if (k == 0)
        return GSL_SUCCESS;
    /* A_k = (U_k S_k) V_k^T, one dgemm. */
    gsl_matrix *US = gsl_matrix_alloc(M, k);
    if (!US)
        return GSL_ENOMEM;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(US, i, j, gsl_matrix_get(U, i, j) * gsl_vector_get(s, j));
    gsl_matrix_const_view Vk = gsl_matrix_const_submatrix(V, 0, 0, N, k);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, &Vk.matrix, 0.0, Ak);
    gsl_matrix_free(US);
    return GSL_SUCCESS;
}

int spiked_wigner_sample(double lambda, gsl_rng *rng, gsl_vector *x, gsl_matrix *A)
{
    const size_t n = x->size;
    if (n == 0 || A->size1 != n || A->size2 != n)
        return GSL_EBADLEN;
    if (!isfinite(lambda) || lambda < 0.0)
        return GSL_EINVAL;
    /* 1. x uniform on the sphere: a standard Gaussian vector, normalised. */
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(x, i, gsl_ran_gaussian(rng, 1.0));
    gsl_vector_scale(x, 1.0 / gsl_blas_dnrm2(x));
    /* 2. W = (G + G^T) / sqrt(2n): off-diagonal variance 1/n, diagonal 2/n. */
    const double off = 1.0 / sqrt((double)n), diag = sqrt(2.0 / (double)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i; j < n; j++) {
            double w = gsl_ran_gaussian(rng, i == j ? diag : off);
            double v = w + lambda * gsl_vector_get(x, i) * gsl_vector_get(x, j);
            gsl_matrix_set(A, i, j, v);
            gsl_matrix_set(A, j, i, v);
        }
    return GSL_SUCCESS;
}
