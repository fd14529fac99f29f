/*
 * clustering.h: the contract of chapter 20 (unsupervised learning: PCA, k-means, Gaussian
 * mixtures, the adjusted Rand index).  The stub (chapters/20-clustering/clustering.c) and the
 * reference solution implement exactly this header.
 *
 * Shapes: n samples (rows), d features (columns), q principal components, k clusters or
 * mixture components.  A data set is an (n, d) gsl_matrix with one sample per row; labels are
 * arrays of n size_t in 0..k-1.  The caller allocates every output.  Every function returns a
 * GSL status: GSL_SUCCESS, GSL_EBADLEN when sizes disagree, GSL_EINVAL for a bad argument
 * (NULL pointer, k = 0 or k > n, negative tolerance), GSL_EMAXITER when an iteration did not
 * converge (its outputs are still the last iterate), and GSL_EUNIMPL while it is still a stub.
 * Randomness comes only from the gsl_rng passed in.
 */
#ifndef MLPHYS_CLUSTERING_H
#define MLPHYS_CLUSTERING_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include <stddef.h>

/* ---- Principal component analysis ------------------------------------------------------ */

/* PCA of the rows of X: the sample covariance S = (X - 1 m^T)^T (X - 1 m^T) / (n - 1) and its
 * q leading eigenpairs.
 *   X     (n, d)  in: the data, n >= 2
 *   mean  (d)     out: m, the column means
 *   V     (d, q)  out: the q leading eigenvectors of S as orthonormal columns (1 <= q <= d),
 *                 each signed so that its entry of largest absolute value is positive
 *   var   (q)     out: the matching eigenvalues of S (variances along each column), descending
 *   total         out (may be NULL): trace S, the total variance, so that var[i] / total is the
 *                 explained-variance ratio of component i
 * GSL_EBADLEN if the shapes disagree or n < 2. */
int pca_fit(const gsl_matrix *X, gsl_vector *mean, gsl_matrix *V, gsl_vector *var, double *total);

/* Scores of the rows of X in the principal basis: Z = (X - 1 m^T) V.
 *   X (n, d) in,  mean (d) in,  V (d, q) in,  Z (n, q) out.   GSL_EBADLEN if shapes disagree. */
int pca_project(const gsl_matrix *X, const gsl_vector *mean, const gsl_matrix *V, gsl_matrix *Z);

/* ---- k-means ------------------------------------------------------------------------------- */

/* k-means++ seeding (Arthur and Vassilvitskii, 2007): k = C->size1 rows of X as centres.
 *   1. the first centre is a row drawn uniformly: i = gsl_rng_uniform_int(rng, n);
 *   2. each next centre is row i with probability D(x_i)^2 / sum_l D(x_l)^2, D(x) the distance
 *      from x to the nearest centre chosen so far (one gsl_rng_uniform(rng) per centre);
 *      if every D is 0 (fewer distinct rows than k), a row is drawn uniformly instead.
 *   X (n, d) in,  C (k, d) out.   GSL_EINVAL if k = 0 or k > n, GSL_EBADLEN if C->size2 != d. */
int kmeans_init_pp(const gsl_matrix *X, gsl_rng *rng, gsl_matrix *C);

/* One Lloyd iteration.
 *   1. assignment: labels[i] = argmin_j |x_i - c_j|^2 (the lowest j on a tie);
 *      *inertia = sum_i |x_i - c_{labels[i]}|^2 for this assignment and the centres as given;
 *   2. empty clusters: for j = 0..k-1 in order, if no point is labelled j, the point that is
 *      farthest from its own centre (lowest index on a tie), among clusters that keep at least
 *      one other point, is relabelled j (its distance then counts as 0);
 *   3. update: every centre becomes the mean of the points labelled with it.
 * Neither step can increase the inertia (README, "Lloyd's algorithm is coordinate descent").
 *   X (n, d) in,  C (k, d) in: the centres; out: the updated centres,  labels (n) out.
 * GSL_EINVAL if k = 0 or k > n or a pointer is NULL, GSL_EBADLEN if C->size2 != d. */
int kmeans_step(const gsl_matrix *X, gsl_matrix *C, size_t *labels, double *inertia);

/* Lloyd's algorithm from the given centres: kmeans_step until no label changes (then the
 * centres are the means of their points and the assignment is nearest-centre), at most
 * max_iter steps.
 *   C (k, d)  in: initial centres; out: final centres
 *   labels    out: nearest-centre labels of the final centres
 *   inertia   out: sum_i |x_i - c_{labels[i]}|^2 for the final centres and labels
 *   n_iter    out (may be NULL): the number of kmeans_step calls
 * GSL_EMAXITER if the labels still changed in step max_iter (outputs are the last iterate). */
int kmeans_lloyd(const gsl_matrix *X, gsl_matrix *C, size_t *labels, size_t max_iter,
                 double *inertia, size_t *n_iter);

/* ---- Gaussian mixture with diagonal covariances, fitted by EM ----------------------------- */

/* E step: responsibilities and the log-likelihood of the mixture
 *   p(x) = sum_j w_j prod_a N(x_a; mu_ja, var_ja).
 *   X (n, d) in,  w (k) in: weights (> 0, sum 1),  mu (k, d) in: means,
 *   var (k, d) in: variances (> 0),  R (n, k) out: R_ij = p(j | x_i), every row sums to 1,
 *   loglik out: sum_i log p(x_i).
 * Computed in logs with log-sum-exp, so that points far from every component stay finite.
 * GSL_EBADLEN if shapes disagree, GSL_EDOM if a variance is not positive or a weight negative. */
int gmm_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
               const gsl_matrix *var, gsl_matrix *R, double *loglik);

/* M step: the parameters that maximise the expected complete-data log-likelihood
 *   N_j = sum_i R_ij,  w_j = N_j / n,  mu_j = sum_i R_ij x_i / N_j,
 *   var_ja = sum_i R_ij (x_ia - mu_ja)^2 / N_j + reg.
 * A component with N_j = 0 keeps its mean and variance (and gets weight 0).
 *   X (n, d) in,  R (n, k) in,  w (k), mu (k, d), var (k, d) out,  reg >= 0 in.
 * GSL_EBADLEN if shapes disagree, GSL_EINVAL if reg < 0. */
int gmm_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
               gsl_matrix *mu, gsl_matrix *var);

/* EM from the given parameters: E step, M step, ... until the log-likelihood per sample grows
 * by less than tol, at most max_iter M steps.
 *   w, mu, var  in: the initial mixture; out: the fitted one
 *   loglik      out: sum_i log p(x_i) of the returned parameters
 *   n_iter      out (may be NULL): the number of M steps taken
 * GSL_EMAXITER if it did not converge, GSL_EINVAL if tol < 0 or reg < 0. */
int gmm_em(const gsl_matrix *X, gsl_vector *w, gsl_matrix *mu, gsl_matrix *var, double reg,
           size_t max_iter, double tol, double *loglik, size_t *n_iter);

/* ---- Comparing two partitions --------------------------------------------------------------- */

/* Adjusted Rand index (Hubert and Arabie, 1985) of two labelings a, b of the same n >= 2 items
 * (labels are any size_t values < n; their names do not matter):
 *   ARI = (sum_ij C(n_ij, 2) - E) / ((sum_i C(a_i, 2) + sum_j C(b_j, 2)) / 2 - E),
 *   E = sum_i C(a_i, 2) sum_j C(b_j, 2) / C(n, 2),
 * with n_ij the contingency table and a_i, b_j its row and column sums.  When the denominator
 * is 0 (both labelings put everything in one cluster, or both in singletons) the ARI is 1.
 * GSL_EINVAL if n < 2, a pointer is NULL, or a label is >= n. */
int cluster_ari(const size_t *a, const size_t *b, size_t n, double *ari);

/* ---- Gaussian mixture with full covariances ------------------------------------------------ */

/* The k covariance matrices are stacked: cov is (k d, d), and rows j d .. j d + d - 1 hold the
 * symmetric positive-definite Sigma_j (both triangles). */

/* E step of a mixture with full covariances, p(x) = sum_j w_j N(x; mu_j, Sigma_j):
 *   log N = -(1/2) [d log(2 pi) + log det Sigma_j + (x - mu_j)^T Sigma_j^{-1} (x - mu_j)],
 * from a Cholesky factor Sigma_j = L_j L_j^T, with log-sum-exp as in gmm_e_step.
 *   X (n, d), w (k), mu (k, d), cov (k d, d) in;  R (n, k), loglik out.
 * GSL_EBADLEN if shapes disagree, GSL_EDOM if a Sigma_j is not positive definite or a weight < 0. */
int gmm_full_e_step(const gsl_matrix *X, const gsl_vector *w, const gsl_matrix *mu,
                    const gsl_matrix *cov, gsl_matrix *R, double *loglik);

/* M step with full covariances: w_j and mu_j as in gmm_m_step, and
 *   Sigma_j = sum_i R_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg I   (both triangles written).
 * A component with N_j = 0 keeps its mean and covariance.
 * GSL_EBADLEN if shapes disagree, GSL_EINVAL if reg < 0. */
int gmm_full_m_step(const gsl_matrix *X, const gsl_matrix *R, double reg, gsl_vector *w,
                    gsl_matrix *mu, gsl_matrix *cov);

#endif
