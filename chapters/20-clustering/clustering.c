/*
 * Chapter 20: unsupervised learning (PCA, k-means, Gaussian mixtures, the adjusted Rand index)
 *
 * No labels this time: find the structure of a cloud of n points in d dimensions.  PCA finds the
 * directions of largest variance, k-means cuts the cloud into k groups around centres, a
 * Gaussian mixture does the same softly and with shapes, and the adjusted Rand index scores a
 * partition against another (the true digit labels, say) beyond what chance would give.
 * Shapes: n samples (rows of X), d features, q components, k clusters.
 *
 * You write, in this order:
 *   TODO(1) pca_fit()          mean, covariance, its leading eigenpairs (GSL's eigensolver is allowed)
 *   TODO(2) pca_project()      scores Z = (X - mean) V
 *   TODO(3) kmeans_init_pp()   k-means++ seeding: D^2 sampling
 *   TODO(4) kmeans_step()      one Lloyd iteration: assign, rescue empty clusters, average
 *   TODO(5) kmeans_lloyd()     iterate until no label changes
 *   TODO(6) gmm_e_step()       responsibilities and log-likelihood, with log-sum-exp
 *   TODO(7) gmm_m_step()       weights, means and variances from the responsibilities
 *   TODO(8) gmm_em()           alternate them until the log-likelihood stops growing
 *   TODO(9) cluster_ari()      the adjusted Rand index from the contingency table
 *   TODO(10) gmm_full_e_step() the E step with full covariances (Cholesky, log det)
 *   TODO(11) gmm_full_m_step() the M step with full covariances (weighted outer products)
 *
 * Check:           make test CH=20-clustering
 * Stuck?           chapters/20-clustering/hints.md: three hints per TODO
 * See your figure: make plot CH=20-clustering     (writes build/figures/chapters/20-clustering/)
 * The contract of every function is in clustering.h; the math is in README.md.
 */
#include "clustering.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* PCA of the rows of X (n >= 2).
 *   mean (d) out: column means.   V (d, q) out: leading eigenvectors of the sample covariance
 *   S = Xc^T Xc / (n - 1) (Xc: X with the means subtracted), entry of largest |.| positive.
 *   var (q) out: their eigenvalues, descending.   total out (may be NULL): trace S.
 * GSL_EINVAL for a NULL pointer, GSL_EBADLEN if shapes disagree or n < 2. */
int pca_fit(const gsl_matrix *X, gsl_vector *mean, gsl_matrix *V, gsl_vector *var, double *total)
{
    (void)X, (void)mean, (void)V, (void)var, (void)total;
    /* TODO(1): 1. check shapes; 2. column means; 3. centre a copy of X (never write into X);
     *          4. S = Xc^T Xc / (n - 1): gsl_blas_dsyrk or gsl_blas_dgemm;
     *          5. gsl_eigen_symmv + gsl_eigen_symmv_sort(..., GSL_EIGEN_SORT_VAL_DESC);
     *          6. copy the first q eigenvectors into V with the sign convention; 7. trace S.
     *          You wrote an SVD in chapter 01; here GSL's eigensolver (or its SVD of Xc) is
     *          allowed.  Hint: README section "PCA: the directions of largest variance". */
    return GSL_EUNIMPL;
}

/* Scores Z (n, q) = (X - 1 mean^T) V.   GSL_EBADLEN if shapes disagree. */
int pca_project(const gsl_matrix *X, const gsl_vector *mean, const gsl_matrix *V, gsl_matrix *Z)
{
    (void)X, (void)mean, (void)V, (void)Z;
    /* TODO(2): subtract the mean from each row, then multiply by V (a loop, gsl_blas_dgemv per
     *          row, or one gsl_blas_dgemm on a centred copy).  Hint: README section "PCA". */
    return GSL_EUNIMPL;
}

/* k-means++: k = C->size1 rows of X.  First i = gsl_rng_uniform_int(rng, n); then each next
 * centre is row i with probability D_i^2 / sum_l D_l^2 (D_i: distance to the nearest centre so
 * far), drawn with one gsl_rng_uniform(rng); if all D are 0, uniformly again.
 * GSL_EINVAL if k = 0 or k > n, GSL_EBADLEN if C->size2 != d. */
int kmeans_init_pp(const gsl_matrix *X, gsl_rng *rng, gsl_matrix *C)
{
    (void)X, (void)rng, (void)C;
    /* TODO(3): keep D2[i], the squared distance of x_i to its nearest centre so far, and
     *          update it with each new centre (O(n d) per centre, not O(n d k)).  Draw
     *          u = gsl_rng_uniform(rng) * sum D2 and walk the cumulative sum until it exceeds u.
     *          Hint: README section "k-means++". */
    return GSL_EUNIMPL;
}

/* One Lloyd iteration: 1. labels[i] = nearest centre (lowest index on ties), *inertia = sum of
 * squared distances for that assignment and the centres as given; 2. an empty cluster j (in
 * order j = 0..k-1) takes the point farthest from its centre among clusters with >= 2 points;
 * 3. each centre becomes the mean of its points.
 * GSL_EINVAL if k = 0, k > n or a pointer is NULL, GSL_EBADLEN if C->size2 != d. */
int kmeans_step(const gsl_matrix *X, gsl_matrix *C, size_t *labels, double *inertia)
{
    (void)X, (void)C, (void)labels, (void)inertia;
    /* TODO(4): the three steps above.  Keep each point's distance from step 1: step 2 needs it.
     *          Hint: README section "Lloyd's algorithm is coordinate descent". */
    return GSL_EUNIMPL;
}

/* Lloyd's algorithm from the given centres: kmeans_step until the labels no longer change, at
 * most max_iter steps.  *n_iter (may be NULL) = number of steps.  GSL_EMAXITER if the labels
 * still changed in the last allowed step. */
int kmeans_lloyd(const gsl_matrix *X, gsl_matrix *C, size_t *labels, size_t max_iter,
                 double *inertia, size_t *n_iter)
{
    (void)X, (void)C, (void)labels, (void)max_iter, (void)inertia, (void)n_iter;
    /* TODO(5): keep a copy of the previous labels; stop when a step reproduces them (the
     *          first step has nothing to compare with).  Hint: README section "Lloyd's algorithm". */
    return GSL_EUNIMPL;
}

/* E step: R_ij = w_j N(x_i; mu_j, diag var_j) / p(x_i) and *loglik = sum_i log p(x_i).
 * GSL_EBADLEN if shapes disagree, GSL_EDOM if a variance is <= 0 or a weight < 0. */
int gmm_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
               const gsl_matrix *var, gsl_matrix *R, double *loglik)
{
    (void)X, (void)w, (void)mu, (void)var, (void)R, (void)loglik;
    /* TODO(6): for each point, l_j = log w_j - (1/2) sum_a [log(2 pi var_ja) + (x_a - mu_ja)^2 / var_ja];
     *          then log p = max_j l_j + log sum_j exp(l_j - max_j l_j) and R_ij = exp(l_j - log p).
     *          Never exponentiate l_j itself: it can be -1e5.  Hint: README section "Log-sum-exp". */
    return GSL_EUNIMPL;
}

/* M step: N_j = sum_i R_ij, w_j = N_j / n, mu_j = sum_i R_ij x_i / N_j,
 * var_ja = sum_i R_ij (x_ia - mu_ja)^2 / N_j + reg; a component with N_j = 0 keeps mu and var.
 * GSL_EBADLEN if shapes disagree, GSL_EINVAL if reg < 0. */
int gmm_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
               gsl_matrix *mu, gsl_matrix *var)
{
    (void)X, (void)R, (void)reg, (void)w, (void)mu, (void)var;
    /* TODO(7): weighted counts, weighted means, then weighted variances about the *new* means.
     *          Hint: README section "EM is coordinate ascent". */
    return GSL_EUNIMPL;
}

/* EM: E, M, E, M, ... until (loglik_new - loglik_old) / n < tol, at most max_iter M steps.
 * *loglik is that of the returned parameters; *n_iter (may be NULL) the number of M steps.
 * GSL_EMAXITER if not converged, GSL_EINVAL if tol < 0 or reg < 0. */
int gmm_em(const gsl_matrix *X, gsl_vector *w, gsl_matrix *mu, gsl_matrix *var, double reg,
           size_t max_iter, double tol, double *loglik, size_t *n_iter)
{
    (void)X, (void)w, (void)mu, (void)var, (void)reg, (void)max_iter, (void)tol, (void)loglik, (void)n_iter;
    /* TODO(8): allocate R (n, k), call your E step once, then loop: M step, E step, compare the
     *          log-likelihoods.  Free R on every path.  Hint: README section "EM". */
    return GSL_EUNIMPL;
}

/* Adjusted Rand index of labelings a, b of n >= 2 items (labels < n):
 *   ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E),
 *   E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2);  1 when the denominator is 0.
 * GSL_EINVAL if n < 2, a pointer is NULL or a label is >= n. */
int cluster_ari(const size_t *a, const size_t *b, size_t n, double *ari)
{
    (void)a, (void)b, (void)n, (void)ari;
    /* TODO(9): build the contingency table n_ij (calloc, (max a + 1) x (max b + 1)), its row and
     *          column sums, then the formula.  Use double for the pair counts C(m, 2) = m (m - 1) / 2.
     *          Hint: README section "The adjusted Rand index". */
    return GSL_EUNIMPL;
}

/* E step with full covariances: R_ij and *loglik as in gmm_e_step, with
 * log N(x; mu, Sigma) = -(1/2) [d log(2 pi) + log det Sigma + (x - mu)^T Sigma^{-1} (x - mu)].
 * cov (k d, d): rows j d .. j d + d - 1 hold Sigma_j.  GSL_EDOM if a Sigma_j is not positive
 * definite or a weight < 0, GSL_EBADLEN if shapes disagree. */
int gmm_full_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
                    const gsl_matrix *cov, gsl_matrix *R, double *loglik)
{
    (void)X, (void)w, (void)mu, (void)cov, (void)R, (void)loglik;
    /* TODO(10): per component, copy Sigma_j and factor it with gsl_linalg_cholesky_decomp1
     *           (it returns GSL_EDOM when Sigma_j is not positive definite); log det Sigma_j =
     *           2 sum_a log L_aa; per point, solve L y = x - mu_j (gsl_blas_dtrsv, lower) so that
     *           the quadratic form is |y|^2.  Then log-sum-exp as in TODO(6).
     *           Hint: README section "Full covariances". */
    return GSL_EUNIMPL;
}

/* M step with full covariances: w_j, mu_j as in gmm_m_step and
 * Sigma_j = sum_i R_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg I (both triangles).
 * N_j = 0 keeps mu_j and Sigma_j.  GSL_EBADLEN if shapes disagree, GSL_EINVAL if reg < 0. */
int gmm_full_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
                    gsl_matrix *mu, gsl_matrix *cov)
{
    (void)X, (void)R, (void)reg, (void)w, (void)mu, (void)cov;
    /* TODO(11): like TODO(7), with the weighted outer products of the deviations in place of the
     *           squared deviations; reg goes on the diagonal only.
     *           Hint: README section "Full covariances". */
    return GSL_EUNIMPL;
}

/* Going further: choose k by the Bayesian information criterion BIC = -2 log L + p log n, with p
 * the number of parameters (Schwarz, Ann. Stat. 6, 461 (1978)), for diagonal and full mixtures. */
