/*
 * karate.h: private helpers of the chapter 11 suite (tests.c and hidden.c).  Everything here is
 * written independently of any student or reference code: the karate club is read from data/,
 * its adjacency and A_hat are built by plain loops, spectra come from GSL's gsl_eigen_symmv.
 */
#ifndef GNN_KARATE_H
#define GNN_KARATE_H

#include "mlphys_data.h"
#include "mlphys_test.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_permutation.h>
#include <string.h>

#define KARATE_N 34
#define KARATE_E 78

/* The second eigenvalue of A_hat for the karate club, 0.896142049888 by gsl_eigen_symmv
 * (GSL 2.7.1) on the matrix built below; the curriculum quotes 0.896. */
#define KARATE_LAMBDA2 0.896142049888

/* The edge list (78 x 2) of data/karate-edges.csv. */
static inline gsl_matrix *karate_edges(void)
{
    gsl_matrix *E = NULL;
    char err[512];
    if (mlphys_read_matrix(mlphys_data_path("karate-edges.csv"), 1, &E, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the karate club: %s", err);
    cr_assert(E->size1 == KARATE_E && E->size2 == 2, "data/karate-edges.csv: %zu x %zu, expected 78 x 2",
              E->size1, E->size2);
    return E;
}

/* club[i] = 0 for "Mr. Hi", 1 for "Officer" (data/karate-clubs.csv). */
static inline void karate_clubs(int club[KARATE_N])
{
    mlphys_table *t = NULL;
    char err[512];
    if (mlphys_table_read(mlphys_data_path("karate-clubs.csv"), 1, &t, err, sizeof err) != GSL_SUCCESS)
        cr_assert_fail("cannot read the karate clubs: %s", err);
    cr_assert(t->rows == KARATE_N, "data/karate-clubs.csv has %zu rows, expected 34", t->rows);
    for (size_t i = 0; i < KARATE_N; i++)
        club[i] = strcmp(mlphys_table_cell(t, i, 1), "Officer") == 0;
    mlphys_table_free(t);
}

/* The test's own adjacency matrix of the karate club (N x N, 0/1). */
static inline gsl_matrix *karate_adjacency(void)
{
    gsl_matrix *E = karate_edges(), *A = gsl_matrix_calloc(KARATE_N, KARATE_N);
    for (size_t e = 0; e < E->size1; e++) {
        size_t i = (size_t)gsl_matrix_get(E, e, 0), j = (size_t)gsl_matrix_get(E, e, 1);
        gsl_matrix_set(A, i, j, 1.0), gsl_matrix_set(A, j, i, 1.0);
    }
    gsl_matrix_free(E);
    return A;
}

/* The test's own A_hat_ij = (A_ij + delta_ij) / sqrt((1 + d_i)(1 + d_j)). */
static inline gsl_matrix *ref_normalize(const gsl_matrix *A)
{
    const size_t N = A->size1;
    gsl_matrix *Ah = gsl_matrix_alloc(N, N);
    gsl_vector *dt = gsl_vector_alloc(N);
    for (size_t i = 0; i < N; i++) {
        double d = 1;
        for (size_t j = 0; j < N; j++)
            d += gsl_matrix_get(A, i, j);
        gsl_vector_set(dt, i, d);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            gsl_matrix_set(Ah, i, j, (gsl_matrix_get(A, i, j) + (i == j)) /
                                         sqrt(gsl_vector_get(dt, i) * gsl_vector_get(dt, j)));
    gsl_vector_free(dt);
    return Ah;
}

/* Eigenvalues (descending) and eigenvectors (columns) of a symmetric matrix, by GSL. */
static inline void ref_eigen(const gsl_matrix *S, gsl_vector *eval, gsl_matrix *evec)
{
    const size_t N = S->size1;
    gsl_matrix *T = gsl_matrix_alloc(N, N);
    gsl_matrix_memcpy(T, S);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(N);
    gsl_eigen_symmv(T, eval, evec, w);
    gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
    gsl_eigen_symmv_free(w);
    gsl_matrix_free(T);
}

/* C = op(A) op(B) by plain triple loops (no BLAS), for reference values. */
static inline void ref_matmul(const gsl_matrix *A, int transA, const gsl_matrix *B, int transB, gsl_matrix *C)
{
    const size_t K = transA ? A->size1 : A->size2;
    for (size_t i = 0; i < C->size1; i++)
        for (size_t j = 0; j < C->size2; j++) {
            double s = 0;
            for (size_t k = 0; k < K; k++)
                s += (transA ? gsl_matrix_get(A, k, i) : gsl_matrix_get(A, i, k)) *
                     (transB ? gsl_matrix_get(B, j, k) : gsl_matrix_get(B, k, j));
            gsl_matrix_set(C, i, j, s);
        }
}

/* A uniformly random permutation of 0..N-1 from rng. */
static inline gsl_permutation *random_permutation(size_t N, gsl_rng *rng)
{
    gsl_permutation *p = gsl_permutation_alloc(N);
    gsl_permutation_init(p);
    gsl_ran_shuffle(rng, p->data, N, sizeof(size_t));
    return p;
}

/* (P M)_{i,:} = M_{p[i],:}: row i of the result is row p[i] of M (nodes relabelled). */
static inline gsl_matrix *permute_rows(const gsl_permutation *p, const gsl_matrix *M)
{
    gsl_matrix *R = gsl_matrix_alloc(M->size1, M->size2);
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            gsl_matrix_set(R, i, j, gsl_matrix_get(M, gsl_permutation_get(p, i), j));
    return R;
}

/* (P M P^T)_{ij} = M_{p[i], p[j]}. */
static inline gsl_matrix *permute_both(const gsl_permutation *p, const gsl_matrix *M)
{
    gsl_matrix *R = gsl_matrix_alloc(M->size1, M->size2);
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            gsl_matrix_set(R, i, j, gsl_matrix_get(M, gsl_permutation_get(p, i), gsl_permutation_get(p, j)));
    return R;
}

/* A matrix full of NaN, so that an output left unwritten is caught. */
static inline gsl_matrix *nan_matrix(size_t n1, size_t n2)
{
    gsl_matrix *M = gsl_matrix_alloc(n1, n2);
    gsl_matrix_set_all(M, NAN);
    return M;
}

#endif
