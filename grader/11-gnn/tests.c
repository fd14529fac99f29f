/*
 * Chapter 11 tests: graphs as matrices, the GCN layer, oversmoothing, semi-supervised node
 * classification and spectral clustering on Zachary's karate club.  References are independent
 * of any solution: hand-worked small graphs, closed forms (the path graph's Laplacian spectrum,
 * A_hat's top eigenpair), GSL's symmetric eigensolver, central finite differences, permutation
 * symmetry, and the factions recorded by Zachary (1977).
 */
#include "karate.h"
#include "gnn.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_math.h>

MLPHYS_SUITE(gnn, 10);

/* ---- TODO(1): graphs as matrices --------------------------------------------------------- */

Test(gnn, adjacency_hand_worked_triangle_with_tail, .description = "edges {0,1}, {1,2}, {2,0}, {2,3} on 4 nodes give the symmetric 0/1 matrix worked by hand")
{
    double e[] = {0, 1, 1, 2, 2, 0, 2, 3};
    double want[] = {0, 1, 1, 0,
                     1, 0, 1, 0,
                     1, 1, 0, 1,
                     0, 0, 1, 0};
    gsl_matrix_view E = gsl_matrix_view_array(e, 4, 2), W = gsl_matrix_view_array(want, 4, 4);
    gsl_matrix *A = nan_matrix(4, 4); /* every entry must be written, the zeros too */
    mlphys_require_implemented(gnn_adjacency(&E.matrix, A), "gnn_adjacency", 1);
    /* 0 and 1 are exact */
    mlphys_assert_matrix_close(A, &W.matrix, 0, 0, "adjacency of the triangle 0-1-2 with tail 2-3",
                               "an undirected edge {i, j} sets A_ij and A_ji; every other entry is 0.");
    gsl_matrix_free(A);
}

Test(gnn, adjacency_of_the_karate_club, .description = "78 edges: A symmetric, 156 ones, degree 16 for the instructor (node 0) and 17 for the officer (node 33), as in Zachary (1977)")
{
    gsl_matrix *E = karate_edges(), *A = nan_matrix(KARATE_N, KARATE_N);
    mlphys_require_implemented(gnn_adjacency(E, A), "gnn_adjacency", 1);
    double sum = 0;
    for (size_t i = 0; i < KARATE_N; i++)
        for (size_t j = 0; j < KARATE_N; j++) {
            double a = gsl_matrix_get(A, i, j);
            cr_assert(a == 0.0 || a == 1.0, "A[%zu][%zu] = %g: entries are 0 or 1", i, j, a);
            cr_assert(a == gsl_matrix_get(A, j, i), "A[%zu][%zu] != A[%zu][%zu]: the graph is undirected", i, j, j, i);
            sum += a;
        }
    cr_assert(sum == 2.0 * KARATE_E, "sum of A = %g, want 156 (each of the 78 edges counts twice)", sum);
    /* Zachary's Table / Fig. 1: member 1 (the instructor) has 16 ties, member 34 (the officer) 17 */
    double d0 = 0, d33 = 0;
    for (size_t j = 0; j < KARATE_N; j++)
        d0 += gsl_matrix_get(A, 0, j), d33 += gsl_matrix_get(A, 33, j);
    cr_assert(d0 == 16 && d33 == 17, "degrees of nodes 0 and 33 are %g and %g, want 16 and 17", d0, d33);
    gsl_matrix_free(E), gsl_matrix_free(A);
}

Test(gnn, adjacency_rejects_bad_edges, .description = "self-loops, repeated edges, indices out of range or not integers give GSL_EINVAL and leave A untouched; wrong shapes GSL_EBADLEN")
{
    gsl_matrix *A = gsl_matrix_alloc(4, 4), *Abad = gsl_matrix_alloc(4, 3), *E3 = gsl_matrix_calloc(2, 3);
    double loop[] = {0, 1, 2, 2}, dup[] = {0, 1, 1, 0}, far[] = {0, 1, 1, 4}, neg[] = {-1, 1, 0, 2},
           frac[] = {0, 1, 1, 2.5}, good[] = {0, 1, 1, 2};
    struct { double *e; const char *why; } bad[] = {
        {loop, "edge {2, 2} is a self-loop"},   {dup, "{1, 0} repeats the edge {0, 1}"},
        {far, "node 4 does not exist in a 4-node graph"}, {neg, "node -1 does not exist"},
        {frac, "2.5 is not a node index"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gsl_matrix_view E = gsl_matrix_view_array(bad[k].e, 2, 2);
        gsl_matrix_set_all(A, 7.0);
        mlphys_require_status(gnn_adjacency(&E.matrix, A), GSL_EINVAL, "gnn_adjacency", bad[k].why);
        for (size_t i = 0; i < 16; i++)
            cr_assert(A->data[i] == 7.0, "gnn_adjacency changed A although it returned an error (%s): "
                      "validate all edges before writing", bad[k].why);
    }
    gsl_matrix_view G = gsl_matrix_view_array(good, 2, 2);
    mlphys_require_status(gnn_adjacency(&G.matrix, Abad), GSL_EBADLEN, "gnn_adjacency", "A is 4 x 3, not square");
    mlphys_require_status(gnn_adjacency(E3, A), GSL_EBADLEN, "gnn_adjacency", "edges need 2 columns");
    gsl_matrix_free(A), gsl_matrix_free(Abad), gsl_matrix_free(E3);
}

/* ---- TODO(2): the normalised adjacency -------------------------------------------------- */

Test(gnn, normalize_hand_worked_path_of_three, .description = "path 0-1-2: d~ = (2, 3, 2), A_hat = [[1/2, 1/sqrt6, 0], [1/sqrt6, 1/3, 1/sqrt6], [0, 1/sqrt6, 1/2]]")
{
    double a[] = {0, 1, 0, 1, 0, 1, 0, 1, 0};
    const double r6 = 1.0 / sqrt(6.0);
    double want[] = {0.5, r6, 0, r6, 1.0 / 3.0, r6, 0, r6, 0.5};
    gsl_matrix_view A = gsl_matrix_view_array(a, 3, 3), W = gsl_matrix_view_array(want, 3, 3);
    gsl_matrix *Ah = nan_matrix(3, 3);
    mlphys_require_implemented(gnn_normalize(&A.matrix, Ah), "gnn_normalize", 2);
    /* one division and one square root per entry: 1e-15 */
    mlphys_assert_matrix_close(Ah, &W.matrix, 1e-15, 1e-15, "A_hat of the path 0-1-2",
                               "the degrees include the self-loop (d~ = d + 1), the diagonal is 1/d~_i, and "
                               "entry ij is divided by sqrt(d~_i d~_j), not by d~_i alone.");
    gsl_matrix_free(Ah);
}

Test(gnn, normalized_adjacency_has_top_eigenvalue_one_with_eigenvector_sqrt_degree, .description = "karate: by gsl_eigen_symmv, A_hat's largest eigenvalue is 1 with eigenvector proportional to sqrt(d_i + 1), and no eigenvalue is below -1")
{
    gsl_matrix *A = karate_adjacency(), *Ah = nan_matrix(KARATE_N, KARATE_N), *V = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_vector *ev = gsl_vector_alloc(KARATE_N);
    mlphys_require_implemented(gnn_normalize(A, Ah), "gnn_normalize", 2);
    for (size_t i = 0; i < KARATE_N; i++)
        for (size_t j = 0; j < i; j++)
            cr_assert(gsl_matrix_get(Ah, i, j) == gsl_matrix_get(Ah, j, i),
                      "A_hat[%zu][%zu] != A_hat[%zu][%zu]: the symmetric normalisation gives a symmetric matrix", i, j, j, i);
    ref_eigen(Ah, ev, V);
    /* a symmetric eigensolver is backward stable: eigenvalues of an O(1) matrix to ~N eps */
    mlphys_assert_close(gsl_vector_get(ev, 0), 1.0, 1e-12, 0,
                        "top eigenvalue of A_hat (D~^{-1/2} (A+I) D~^{-1/2} sqrt(d~) = sqrt(d~) exactly)");
    cr_assert(gsl_vector_get(ev, KARATE_N - 1) >= -1.0 - 1e-12, "smallest eigenvalue %.6f < -1: A_hat's spectrum "
              "lies in [-1, 1]", gsl_vector_get(ev, KARATE_N - 1));
    /* overlap of the top eigenvector with sqrt(d~) / ||sqrt(d~)||; the gap to lambda_2 = 0.896 is
     * 0.1, so the eigenvector is accurate to ~1e-14 and |cos| = 1 to 1e-12 */
    double dot = 0, n2 = 0;
    for (size_t i = 0; i < KARATE_N; i++) {
        double d = 1;
        for (size_t j = 0; j < KARATE_N; j++)
            d += gsl_matrix_get(A, i, j);
        dot += gsl_matrix_get(V, i, 0) * sqrt(d), n2 += d;
    }
    mlphys_assert_close(fabs(dot) / sqrt(n2), 1.0, 1e-12, 0, "|cos| between A_hat's top eigenvector and sqrt(d_i + 1)");
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(V), gsl_vector_free(ev);
}

Test(gnn, normalized_adjacency_second_eigenvalue_is_0_896, .description = "karate: A_hat's second eigenvalue (by gsl_eigen_symmv) is 0.896142, the rate of oversmoothing")
{
    gsl_matrix *A = karate_adjacency(), *Ah = nan_matrix(KARATE_N, KARATE_N), *V = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_vector *ev = gsl_vector_alloc(KARATE_N);
    mlphys_require_implemented(gnn_normalize(A, Ah), "gnn_normalize", 2);
    ref_eigen(Ah, ev, V);
    /* 0.896142049888 from GSL on the test's own A_hat; the gap to lambda_3 = 0.774 makes it
     * well conditioned, so 1e-10 leaves room only for round-off */
    mlphys_assert_close(gsl_vector_get(ev, 1), KARATE_LAMBDA2, 1e-10, 0,
                        "second eigenvalue of A_hat for the karate club; without the self-loops (D^{-1/2} A D^{-1/2}) "
                        "it would be 0.868");
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(V), gsl_vector_free(ev);
}

Test(gnn, normalize_is_permutation_equivariant, .description = "relabelling the nodes relabels A_hat: normalize(P A P^T) = P normalize(A) P^T")
{
    gsl_matrix *A = karate_adjacency(), *Ah = nan_matrix(KARATE_N, KARATE_N), *Ahp = nan_matrix(KARATE_N, KARATE_N);
    gsl_permutation *p = random_permutation(KARATE_N, mlphys_rng());
    gsl_matrix *Ap = permute_both(p, A);
    mlphys_require_implemented(gnn_normalize(A, Ah), "gnn_normalize", 2);
    mlphys_require_implemented(gnn_normalize(Ap, Ahp), "gnn_normalize", 2);
    gsl_matrix *want = permute_both(p, Ah);
    /* the same operations on the same numbers in another order of summation: 1e-15 */
    mlphys_assert_matrix_close(Ahp, want, 1e-15, 1e-14, "A_hat of the relabelled graph",
                               "a node's normalisation must depend on its own degree, not on its position.");
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(Ahp), gsl_matrix_free(Ap), gsl_matrix_free(want);
    gsl_permutation_free(p);
}

Test(gnn, normalize_rejects_bad_graphs, .description = "an asymmetric matrix, a negative weight or a self-loop give GSL_EINVAL; mismatched shapes GSL_EBADLEN")
{
    double asym[] = {0, 1, 0, 0}, negw[] = {0, -1, -1, 0}, loop[] = {1, 1, 1, 0}, ok[] = {0, 2, 2, 0};
    gsl_matrix_view A1 = gsl_matrix_view_array(asym, 2, 2), A2 = gsl_matrix_view_array(negw, 2, 2),
                    A3 = gsl_matrix_view_array(loop, 2, 2), A4 = gsl_matrix_view_array(ok, 2, 2);
    gsl_matrix *Ah = gsl_matrix_alloc(2, 2), *Ah3 = gsl_matrix_alloc(3, 3);
    mlphys_require_status(gnn_normalize(&A1.matrix, Ah), GSL_EINVAL, "gnn_normalize", "A = [[0, 1], [0, 0]] is not symmetric");
    mlphys_require_status(gnn_normalize(&A2.matrix, Ah), GSL_EINVAL, "gnn_normalize", "a negative edge weight");
    mlphys_require_status(gnn_normalize(&A3.matrix, Ah), GSL_EINVAL, "gnn_normalize", "A_00 = 1: self-loops are added by the normalisation itself");
    mlphys_require_status(gnn_normalize(&A4.matrix, Ah3), GSL_EBADLEN, "gnn_normalize", "A is 2 x 2, A_hat 3 x 3");
    gsl_matrix_free(Ah), gsl_matrix_free(Ah3);
}

/* ---- TODO(3): the layer, forward -------------------------------------------------------- */

/* A lazy random walk on the path 0-1-2: not symmetric, so A_hat and A_hat^T differ.
 * By hand: M H = [[2, 0.5], [1.75, 1], [1.5, 1.5]],  Z = (M H) W = [[3, -1.75], [3.75, -1.25], [4.5, -0.75]]. */
static double hw_M[] = {0.5, 0.5, 0, 0.25, 0.5, 0.25, 0, 0.5, 0.5};
static double hw_H[] = {1, 2, 3, -1, 0, 4};
static double hw_W[] = {1, -1, 2, 0.5};
static double hw_Z[] = {3, -1.75, 3.75, -1.25, 4.5, -0.75};

Test(gnn, layer_forward_hand_worked, .description = "Z = A_hat H W and H_out = s(Z) for identity, tanh and ReLU on a 3-node example worked by hand")
{
    gsl_matrix_view M = gsl_matrix_view_array(hw_M, 3, 3), H = gsl_matrix_view_array(hw_H, 3, 2),
                    W = gsl_matrix_view_array(hw_W, 2, 2), Zw = gsl_matrix_view_array(hw_Z, 3, 2);
    const char *names[] = {"identity", "tanh", "ReLU"};
    gnn_activation acts[] = {GNN_IDENTITY, GNN_TANH, GNN_RELU};
    for (int a = 0; a < 3; a++) {
        gsl_matrix *Z = nan_matrix(3, 2), *Ho = nan_matrix(3, 2), *want = gsl_matrix_alloc(3, 2);
        mlphys_require_implemented(gnn_layer_forward(&M.matrix, &H.matrix, &W.matrix, acts[a], Z, Ho),
                                   "gnn_layer_forward", 3);
        /* products of short binary fractions: exact, allow 1e-15 */
        mlphys_assert_matrix_close(Z, &Zw.matrix, 1e-15, 1e-15, "Z = A_hat H W",
                                   "aggregate over the rows of A_hat (neighbours) first; A_hat here is not symmetric, "
                                   "so A_hat^T H would be wrong.");
        for (size_t i = 0; i < 6; i++) {
            double z = hw_Z[i];
            want->data[i] = a == 0 ? z : a == 1 ? tanh(z) : (z > 0 ? z : 0);
        }
        char what[64];
        snprintf(what, sizeof what, "H_out = %s(Z)", names[a]);
        mlphys_assert_matrix_close(Ho, want, 1e-15, 1e-15, what, "apply the activation to every entry of Z.");
        gsl_matrix_free(Z), gsl_matrix_free(Ho), gsl_matrix_free(want);
    }
}

Test(gnn, layer_is_permutation_equivariant, .description = "karate, random H and W: relabelling the nodes relabels the output, layer(P A_hat P^T, P H) = P layer(A_hat, H), to 1e-12")
{
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A);
    gsl_matrix *H = gsl_matrix_alloc(KARATE_N, 5), *W = gsl_matrix_alloc(5, 3);
    mlphys_fill_gaussian(H, rng, 1.0), mlphys_fill_gaussian(W, rng, 1.0);
    gsl_permutation *p = random_permutation(KARATE_N, rng);
    gsl_matrix *Ahp = permute_both(p, Ah), *Hp = permute_rows(p, H);
    gnn_activation acts[] = {GNN_TANH, GNN_RELU};
    for (int a = 0; a < 2; a++) {
        gsl_matrix *Z = nan_matrix(KARATE_N, 3), *Ho = nan_matrix(KARATE_N, 3);
        gsl_matrix *Zp = nan_matrix(KARATE_N, 3), *Hop = nan_matrix(KARATE_N, 3);
        mlphys_require_implemented(gnn_layer_forward(Ah, H, W, acts[a], Z, Ho), "gnn_layer_forward", 3);
        mlphys_require_implemented(gnn_layer_forward(Ahp, Hp, W, acts[a], Zp, Hop), "gnn_layer_forward", 3);
        gsl_matrix *want = permute_rows(p, Ho);
        /* the same sums in another order: O(N eps) = 1e-14 for O(1) entries; the brief asks 1e-12 */
        mlphys_assert_matrix_close(Hop, want, 1e-12, 0, "layer output on the relabelled graph vs relabelled output",
                                   "a GCN layer treats every node alike: no node index may enter the computation.");
        gsl_matrix_free(Z), gsl_matrix_free(Ho), gsl_matrix_free(Zp), gsl_matrix_free(Hop), gsl_matrix_free(want);
    }
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(H), gsl_matrix_free(W);
    gsl_matrix_free(Ahp), gsl_matrix_free(Hp), gsl_permutation_free(p);
}

Test(gnn, layer_rejects_bad_shapes, .description = "forward and backward return GSL_EBADLEN for shapes that disagree and GSL_EINVAL for an unknown activation")
{
    gsl_matrix *Ah = gsl_matrix_calloc(3, 3), *H = gsl_matrix_calloc(3, 2), *W = gsl_matrix_calloc(2, 4);
    gsl_matrix *Wbad = gsl_matrix_calloc(3, 4), *Z = gsl_matrix_alloc(3, 4), *Ho = gsl_matrix_alloc(3, 4);
    gsl_matrix *Zbad = gsl_matrix_alloc(3, 3), *dW = gsl_matrix_alloc(2, 4), *dH = gsl_matrix_alloc(3, 2);
    gsl_matrix *dHbad = gsl_matrix_alloc(2, 2);
    mlphys_require_status(gnn_layer_forward(Ah, H, Wbad, GNN_TANH, Z, Ho), GSL_EBADLEN, "gnn_layer_forward",
                          "W must have as many rows as H has columns");
    mlphys_require_status(gnn_layer_forward(Ah, H, W, GNN_TANH, Zbad, Ho), GSL_EBADLEN, "gnn_layer_forward",
                          "Z must be N x F'");
    mlphys_require_status(gnn_layer_forward(Ah, H, W, (gnn_activation)7, Z, Ho), GSL_EINVAL, "gnn_layer_forward",
                          "activation 7 does not exist");
    gsl_matrix_set_zero(Z);
    mlphys_require_status(gnn_layer_backward(Ah, H, W, GNN_TANH, Z, Ho, dW, dHbad), GSL_EBADLEN,
                          "gnn_layer_backward", "dH must have the shape of H");
    mlphys_require_status(gnn_layer_backward(Ah, H, W, GNN_TANH, Z, Zbad, dW, dH), GSL_EBADLEN,
                          "gnn_layer_backward", "dH_out must have the shape of H_out");
    gsl_matrix_free(Ah), gsl_matrix_free(H), gsl_matrix_free(W), gsl_matrix_free(Wbad), gsl_matrix_free(Z);
    gsl_matrix_free(Ho), gsl_matrix_free(Zbad), gsl_matrix_free(dW), gsl_matrix_free(dH), gsl_matrix_free(dHbad);
}

/* ---- TODO(4): the layer, backward ------------------------------------------------------- */

/* phi(H, W) = sum_ij G_ij s(A_hat H W)_ij, computed with the test's own loops: its gradient is
 * exactly what gnn_layer_backward returns for dH_out = G. */
static double layer_phi(const gsl_matrix *M, const gsl_matrix *H, const gsl_matrix *W, gnn_activation act,
                        const gsl_matrix *G)
{
    gsl_matrix *MH = gsl_matrix_alloc(M->size1, H->size2), *Z = gsl_matrix_alloc(M->size1, W->size2);
    ref_matmul(M, 0, H, 0, MH), ref_matmul(MH, 0, W, 0, Z);
    double phi = 0;
    for (size_t i = 0; i < Z->size1 * Z->size2; i++) {
        double z = Z->data[i];
        phi += G->data[i] * (act == GNN_IDENTITY ? z : act == GNN_TANH ? tanh(z) : (z > 0 ? z : 0));
    }
    gsl_matrix_free(MH), gsl_matrix_free(Z);
    return phi;
}

static double min_abs_preactivation(const gsl_matrix *M, const gsl_matrix *H, const gsl_matrix *W)
{
    gsl_matrix *MH = gsl_matrix_alloc(M->size1, H->size2), *Z = gsl_matrix_alloc(M->size1, W->size2);
    ref_matmul(M, 0, H, 0, MH), ref_matmul(MH, 0, W, 0, Z);
    double m = INFINITY;
    for (size_t i = 0; i < Z->size1 * Z->size2; i++)
        m = fmin(m, fabs(Z->data[i]));
    gsl_matrix_free(MH), gsl_matrix_free(Z);
    return m;
}

/* Central differences of phi with respect to every entry of X (H or W), step h = 1e-6 on O(1)
 * inputs: truncation h^2 |phi'''| / 6 ~ 1e-12, round-off eps |phi| / h ~ 1e-9 (|phi| <~ 10).
 * Tolerance 1e-7 + 1e-6 relative: 100 times the expected error, far below any real mistake
 * (a missing s' or transpose changes entries by O(1)). */
static void check_fd(gsl_matrix *M, gsl_matrix *H, gsl_matrix *W, gnn_activation act, gsl_matrix *G,
                     gsl_matrix *X, const gsl_matrix *dX, const char *name, const char *act_name)
{
    const double h = 1e-6;
    gsl_matrix *fd = gsl_matrix_alloc(X->size1, X->size2);
    for (size_t i = 0; i < X->size1 * X->size2; i++) {
        double x = X->data[i];
        X->data[i] = x + h;
        double fp = layer_phi(M, H, W, act, G);
        X->data[i] = x - h;
        double fm = layer_phi(M, H, W, act, G);
        X->data[i] = x;
        fd->data[i] = (fp - fm) / (2 * h);
    }
    char what[128];
    snprintf(what, sizeof what, "%s of a %s layer vs central differences", name, act_name);
    mlphys_assert_matrix_close(dX, fd, 1e-7, 1e-6, what,
                               "G = dH_out * s'(Z) element-wise; dW = (A_hat H)^T G; dH = A_hat^T G W^T "
                               "(A_hat here is not symmetric: the transpose matters).");
    gsl_matrix_free(fd);
}

Test(gnn, layer_backward_matches_central_differences, .description = "dW and dH of identity, tanh and ReLU layers with a non-symmetric A_hat (7 nodes) agree with central differences; dH = NULL still gives dW")
{
    const size_t N = 7, F = 4, Fo = 3;
    gsl_rng *rng = mlphys_rng();
    const char *names[] = {"identity", "tanh", "ReLU"};
    gnn_activation acts[] = {GNN_IDENTITY, GNN_TANH, GNN_RELU};
    gsl_matrix *M = gsl_matrix_alloc(N, N), *H = gsl_matrix_alloc(N, F), *W = gsl_matrix_alloc(F, Fo);
    gsl_matrix *G = gsl_matrix_alloc(N, Fo);
    for (int a = 0; a < 3; a++) {
        /* a random non-negative, non-symmetric propagation matrix; for ReLU redraw until no
         * pre-activation is within 1e-3 of the kink (the step h = 1e-6 then never crosses it) */
        do {
            for (size_t i = 0; i < N * N; i++)
                M->data[i] = gsl_rng_uniform(rng) / (double)N * 2.0;
            mlphys_fill_gaussian(H, rng, 1.0), mlphys_fill_gaussian(W, rng, 0.7);
        } while (acts[a] == GNN_RELU && min_abs_preactivation(M, H, W) < 1e-3);
        mlphys_fill_gaussian(G, rng, 1.0);
        gsl_matrix *Z = nan_matrix(N, Fo), *Ho = nan_matrix(N, Fo), *dW = nan_matrix(F, Fo), *dH = nan_matrix(N, F);
        gsl_matrix *dW2 = nan_matrix(F, Fo);
        mlphys_require_implemented(gnn_layer_forward(M, H, W, acts[a], Z, Ho), "gnn_layer_forward", 3);
        mlphys_require_implemented(gnn_layer_backward(M, H, W, acts[a], Z, G, dW, dH), "gnn_layer_backward", 4);
        check_fd(M, H, W, acts[a], G, W, dW, "dW", names[a]);
        check_fd(M, H, W, acts[a], G, H, dH, "dH", names[a]);
        mlphys_require_implemented(gnn_layer_backward(M, H, W, acts[a], Z, G, dW2, NULL), "gnn_layer_backward", 4);
        mlphys_assert_matrix_close(dW2, dW, 1e-15, 1e-14, "dW computed with dH = NULL",
                                   "dH = NULL only skips dH; dW must still be written.");
        gsl_matrix_free(Z), gsl_matrix_free(Ho), gsl_matrix_free(dW), gsl_matrix_free(dH), gsl_matrix_free(dW2);
    }
    gsl_matrix_free(M), gsl_matrix_free(H), gsl_matrix_free(W), gsl_matrix_free(G);
}

/* ---- TODO(5): oversmoothing ------------------------------------------------------------- */

/* s_k^2 = sum_{i >= 2} lambda_i^{2k} ||v_i^T X||^2 in A_hat's eigenbasis (GSL, on the test's own
 * A_hat): A_hat^k = sum_i lambda_i^k v_i v_i^T and (I - u u^T) removes exactly the i = 1 term. */
static void spectral_spread(const gsl_matrix *X, size_t K, double *want)
{
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *V = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix *VX = gsl_matrix_alloc(KARATE_N, X->size2);
    gsl_vector *ev = gsl_vector_alloc(KARATE_N);
    ref_eigen(Ah, ev, V);
    ref_matmul(V, 1, X, 0, VX); /* row i = v_i^T X */
    for (size_t k = 0; k <= K; k++) {
        double s2 = 0;
        for (size_t i = 1; i < KARATE_N; i++) {
            double c2 = 0;
            for (size_t j = 0; j < X->size2; j++)
                c2 += gsl_matrix_get(VX, i, j) * gsl_matrix_get(VX, i, j);
            s2 += pow(gsl_vector_get(ev, i), 2.0 * (double)k) * c2;
        }
        want[k] = sqrt(s2);
    }
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(V), gsl_matrix_free(VX), gsl_vector_free(ev);
}

Test(gnn, spread_with_one_hot_features_is_the_spectral_sum, .description = "karate, X = I: s_k^2 = sum_{i>=2} lambda_i^{2k} (eigenvalues of A_hat by gsl_eigen_symmv), k = 0..40; s_0^2 = N - 1")
{
    const size_t K = 40;
    gsl_matrix *A = karate_adjacency(), *X = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix_set_identity(X);
    gsl_vector *s = gsl_vector_alloc(K + 1);
    gsl_vector_set_all(s, NAN);
    double want[41];
    mlphys_require_implemented(gnn_spread(A, X, s), "gnn_spread", 5);
    spectral_spread(X, K, want);
    mlphys_assert_close(gsl_vector_get(s, 0), sqrt(33.0), 1e-13, 0,
                        "s_0 = ||I - u u^T||_F = sqrt(N - 1): is k = 0 (no propagation) the first entry?");
    for (size_t k = 0; k <= K; k++)
        /* 40 products by A_hat (norm 1) lose ~40 N eps relative: 1e-11 */
        mlphys_assert_close(gsl_vector_get(s, k), want[k], 1e-14, 1e-11,
                            "s_%zu for X = I, (sum_{i>=2} lambda_i^{2k})^{1/2}; did you project out u with "
                            "u_i proportional to sqrt(d_i + 1), normalised?", k);
    gsl_matrix_free(A), gsl_matrix_free(X), gsl_vector_free(s);
}

Test(gnn, spread_decays_like_lambda2_to_the_k, .description = "karate, random features: s_k matches the spectral formula, and s_{k+1}/s_k -> lambda_2 = 0.896142 (oversmoothing) by k = 60")
{
    const size_t K = 61, F = 4;
    gsl_matrix *A = karate_adjacency(), *X = gsl_matrix_alloc(KARATE_N, F);
    mlphys_fill_gaussian(X, mlphys_rng(), 1.0);
    gsl_vector *s = gsl_vector_alloc(K + 1);
    gsl_vector_set_all(s, NAN);
    double want[62];
    mlphys_require_implemented(gnn_spread(A, X, s), "gnn_spread", 5);
    spectral_spread(X, K, want);
    for (size_t k = 0; k <= K; k += 5)
        mlphys_assert_close(gsl_vector_get(s, k), want[k], 1e-14, 1e-10, "s_%zu for random X", k);
    /* s_{k+1}^2 / s_k^2 = lambda_2^2 (1 + O((lambda_3 / lambda_2)^{2k} c_3^2 / c_2^2)) with
     * (0.774 / 0.896)^120 = 2e-8; c_2^2 = ||v_2^T X||^2 is chi-square with 4 degrees of freedom,
     * below 1e-3 of its mean with probability < 1e-7, so the ratio is within 1e-4 of lambda_2 */
    double ratio = gsl_vector_get(s, 61) / gsl_vector_get(s, 60);
    mlphys_assert_close(ratio, KARATE_LAMBDA2, 1e-4, 0,
                        "s_61 / s_60: after many propagations only the slowest mode, lambda_2 = 0.896, is left");
    gsl_matrix_free(A), gsl_matrix_free(X), gsl_vector_free(s);
}

/* ---- TODO(6): the two-layer GCN --------------------------------------------------------- */

Test(gnn, gcn_loss_hand_worked_zero_weights, .description = "W0 = 0: H1 = 0, every class has probability 1/C and the loss is log C (C = 3)")
{
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix_set_identity(X);
    gsl_matrix *W0 = gsl_matrix_calloc(KARATE_N, 4), *W1 = gsl_matrix_alloc(4, 3);
    mlphys_fill_gaussian(W1, mlphys_rng(), 1.0);
    gsl_matrix *H1 = nan_matrix(KARATE_N, 4), *P = nan_matrix(KARATE_N, 3);
    gsl_matrix *dW0 = nan_matrix(KARATE_N, 4), *dW1 = nan_matrix(4, 3);
    size_t train[] = {0, 33, 5}, y[] = {0, 2, 1};
    double loss = NAN;
    mlphys_require_implemented(gnn_gcn_loss(Ah, X, W0, W1, train, y, 3, H1, P, &loss, dW0, dW1), "gnn_gcn_loss", 6);
    mlphys_assert_close(loss, log(3.0), 1e-15, 1e-15, "loss at W0 = 0 (uniform prediction over 3 classes)");
    for (size_t i = 0; i < KARATE_N; i++)
        for (size_t c = 0; c < 3; c++)
            mlphys_assert_close(gsl_matrix_get(P, i, c), 1.0 / 3.0, 1e-15, 1e-15, "P[%zu][%zu]", i, c);
    for (size_t i = 0; i < KARATE_N * 4; i++)
        cr_assert(H1->data[i] == 0.0, "H1 = tanh(A_hat X 0) must be 0, entry %zu is %g", i, H1->data[i]);
    /* H1 = 0, so dloss/dW1 = (A_hat H1)^T G = 0 exactly */
    for (size_t i = 0; i < 12; i++)
        cr_assert(dW1->data[i] == 0.0, "dW1 entry %zu = %g: with H1 = 0 it is exactly 0", i, dW1->data[i]);
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1);
    gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(dW0), gsl_matrix_free(dW1);
}

/* The test's own forward pass of the two-layer GCN (plain loops), for central differences. */
static double ref_gcn_loss(const gsl_matrix *Ah, const gsl_matrix *X, const gsl_matrix *W0, const gsl_matrix *W1,
                           const size_t *train, const size_t *y, size_t T)
{
    const size_t N = X->size1, Hd = W0->size2, C = W1->size2;
    gsl_matrix *AX = gsl_matrix_alloc(N, X->size2), *H1 = gsl_matrix_alloc(N, Hd), *AH = gsl_matrix_alloc(N, Hd);
    gsl_matrix *O = gsl_matrix_alloc(N, C);
    ref_matmul(Ah, 0, X, 0, AX), ref_matmul(AX, 0, W0, 0, H1);
    for (size_t i = 0; i < N * Hd; i++)
        H1->data[i] = tanh(H1->data[i]);
    ref_matmul(Ah, 0, H1, 0, AH), ref_matmul(AH, 0, W1, 0, O);
    double L = 0;
    for (size_t t = 0; t < T; t++) {
        double m = -INFINITY, z = 0;
        for (size_t c = 0; c < C; c++)
            m = fmax(m, gsl_matrix_get(O, train[t], c));
        for (size_t c = 0; c < C; c++)
            z += exp(gsl_matrix_get(O, train[t], c) - m);
        L -= (gsl_matrix_get(O, train[t], y[t]) - m - log(z)) / (double)T;
    }
    gsl_matrix_free(AX), gsl_matrix_free(H1), gsl_matrix_free(AH), gsl_matrix_free(O);
    return L;
}

Test(gnn, gcn_gradients_match_central_differences, .description = "karate, random features and weights, 3 classes, 3 labelled nodes: the loss equals the test's own forward pass, dW0 and dW1 equal central differences")
{
    const size_t F = 5, Hd = 3, C = 3, T = 3;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, F);
    gsl_matrix *W0 = gsl_matrix_alloc(F, Hd), *W1 = gsl_matrix_alloc(Hd, C);
    mlphys_fill_gaussian(X, rng, 1.0), mlphys_fill_gaussian(W0, rng, 1.0), mlphys_fill_gaussian(W1, rng, 1.0);
    gsl_matrix *H1 = nan_matrix(KARATE_N, Hd), *P = nan_matrix(KARATE_N, C), *dW0 = nan_matrix(F, Hd), *dW1 = nan_matrix(Hd, C);
    size_t train[] = {0, 33, 16}, y[] = {0, 1, 2};
    double loss = NAN;
    mlphys_require_implemented(gnn_gcn_loss(Ah, X, W0, W1, train, y, T, H1, P, &loss, dW0, dW1), "gnn_gcn_loss", 6);
    /* same arithmetic in another order: 1e-13 relative */
    mlphys_assert_close(loss, ref_gcn_loss(Ah, X, W0, W1, train, y, T), 1e-14, 1e-12,
                        "loss = -(1/T) sum_t log P[train[t]][y[t]] (mean over the labelled nodes only)");
    /* central differences, h = 1e-5 on O(1) weights: truncation ~1e-10, round-off ~1e-11 */
    const double h = 1e-5;
    gsl_matrix *Ws[2] = {W0, W1}, *dWs[2] = {dW0, dW1};
    const char *names[2] = {"dW0", "dW1"};
    for (int m = 0; m < 2; m++) {
        gsl_matrix *fd = gsl_matrix_alloc(Ws[m]->size1, Ws[m]->size2);
        for (size_t i = 0; i < fd->size1 * fd->size2; i++) {
            double w = Ws[m]->data[i];
            Ws[m]->data[i] = w + h;
            double lp = ref_gcn_loss(Ah, X, W0, W1, train, y, T);
            Ws[m]->data[i] = w - h;
            double lm = ref_gcn_loss(Ah, X, W0, W1, train, y, T);
            Ws[m]->data[i] = w;
            fd->data[i] = (lp - lm) / (2 * h);
        }
        char what[64];
        snprintf(what, sizeof what, "%s of the GCN loss vs central differences", names[m]);
        /* 1e-8 absolute + 1e-6 relative: 100 times the finite-difference error */
        mlphys_assert_matrix_close(dWs[m], fd, 1e-8, 1e-6, what,
                                   "the logit gradient is (P - onehot(y)) / T on labelled rows and 0 elsewhere; "
                                   "backpropagate through the identity layer, then the tanh layer.");
        gsl_matrix_free(fd);
    }
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1);
    gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(dW0), gsl_matrix_free(dW1);
}

Test(gnn, gcn_probabilities_are_a_softmax_and_permutation_equivariant, .description = "rows of P sum to 1; relabelling the nodes (and the labelled indices) permutes H1 and P and leaves the loss unchanged")
{
    const size_t F = 6, Hd = 4, C = 2, T = 2;
    gsl_rng *rng = mlphys_rng();
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, F);
    gsl_matrix *W0 = gsl_matrix_alloc(F, Hd), *W1 = gsl_matrix_alloc(Hd, C);
    mlphys_fill_gaussian(X, rng, 1.0), mlphys_fill_gaussian(W0, rng, 1.0), mlphys_fill_gaussian(W1, rng, 2.0);
    gsl_permutation *p = random_permutation(KARATE_N, rng), *pinv = gsl_permutation_alloc(KARATE_N);
    gsl_permutation_inverse(pinv, p);
    gsl_matrix *Ahp = permute_both(p, Ah), *Xp = permute_rows(p, X);
    gsl_matrix *H1 = nan_matrix(KARATE_N, Hd), *P = nan_matrix(KARATE_N, C);
    gsl_matrix *H1p = nan_matrix(KARATE_N, Hd), *Pp = nan_matrix(KARATE_N, C);
    size_t train[] = {0, 33}, y[] = {0, 1};
    /* node i of the original graph is node pinv[i] of the relabelled one */
    size_t trainp[] = {gsl_permutation_get(pinv, 0), gsl_permutation_get(pinv, 33)};
    double loss = NAN, lossp = NAN;
    mlphys_require_implemented(gnn_gcn_loss(Ah, X, W0, W1, train, y, T, H1, P, &loss, NULL, NULL), "gnn_gcn_loss", 6);
    mlphys_require_implemented(gnn_gcn_loss(Ahp, Xp, W0, W1, trainp, y, T, H1p, Pp, &lossp, NULL, NULL), "gnn_gcn_loss", 6);
    for (size_t i = 0; i < KARATE_N; i++) {
        double r = 0;
        for (size_t c = 0; c < C; c++) {
            double q = gsl_matrix_get(P, i, c);
            cr_assert(q >= 0 && q <= 1, "P[%zu][%zu] = %g is not a probability", i, c, q);
            r += q;
        }
        mlphys_assert_close(r, 1.0, 1e-14, 0, "sum of row %zu of P: a softmax over the classes of each node", i);
    }
    gsl_matrix *H1w = permute_rows(p, H1), *Pw = permute_rows(p, P);
    /* same sums in another order: 1e-12, as for one layer */
    mlphys_assert_matrix_close(H1p, H1w, 1e-12, 0, "H1 on the relabelled graph", "every node must be treated alike.");
    mlphys_assert_matrix_close(Pp, Pw, 1e-12, 0, "P on the relabelled graph", "every node must be treated alike.");
    mlphys_assert_close(lossp, loss, 1e-12, 1e-12, "loss on the relabelled graph (the same labelled members)");
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1);
    gsl_matrix_free(Ahp), gsl_matrix_free(Xp), gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(H1p);
    gsl_matrix_free(Pp), gsl_matrix_free(H1w), gsl_matrix_free(Pw);
    gsl_permutation_free(p), gsl_permutation_free(pinv);
}

Test(gnn, gcn_loss_rejects_bad_arguments, .description = "no labelled node, an index or a class out of range give GSL_EINVAL; mismatched shapes or a single NULL gradient GSL_EBADLEN")
{
    gsl_matrix *Ah = gsl_matrix_calloc(4, 4), *X = gsl_matrix_calloc(4, 3), *W0 = gsl_matrix_calloc(3, 2);
    gsl_matrix *W1 = gsl_matrix_calloc(2, 2), *W1bad = gsl_matrix_calloc(3, 2), *H1 = gsl_matrix_alloc(4, 2);
    gsl_matrix *P = gsl_matrix_alloc(4, 2), *dW0 = gsl_matrix_alloc(3, 2), *dW1 = gsl_matrix_alloc(2, 2);
    size_t train[] = {0, 3}, y[] = {0, 1}, far[] = {0, 4}, ybad[] = {0, 2};
    double loss;
    mlphys_require_status(gnn_gcn_loss(Ah, X, W0, W1, train, y, 0, H1, P, &loss, dW0, dW1), GSL_EINVAL,
                          "gnn_gcn_loss", "T = 0: no labelled node, the mean loss is undefined");
    mlphys_require_status(gnn_gcn_loss(Ah, X, W0, W1, far, y, 2, H1, P, &loss, dW0, dW1), GSL_EINVAL,
                          "gnn_gcn_loss", "node 4 does not exist in a 4-node graph");
    mlphys_require_status(gnn_gcn_loss(Ah, X, W0, W1, train, ybad, 2, H1, P, &loss, dW0, dW1), GSL_EINVAL,
                          "gnn_gcn_loss", "class 2 with C = 2 classes");
    mlphys_require_status(gnn_gcn_loss(Ah, X, W0, W1bad, train, y, 2, H1, P, &loss, dW0, dW1), GSL_EBADLEN,
                          "gnn_gcn_loss", "W1 must have Hd = 2 rows");
    mlphys_require_status(gnn_gcn_loss(Ah, X, W0, W1, train, y, 2, H1, P, &loss, dW0, NULL), GSL_EBADLEN,
                          "gnn_gcn_loss", "dW0 given but dW1 NULL");
    gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1), gsl_matrix_free(W1bad);
    gsl_matrix_free(H1), gsl_matrix_free(P), gsl_matrix_free(dW0), gsl_matrix_free(dW1);
}

/* ---- TODO(7): semi-supervised training -------------------------------------------------- */

Test(gnn, gcn_train_initialises_glorot_uniform_from_the_rng, .description = "steps = 0: W0 then W1 are drawn row by row as gsl_ran_flat(rng, -r, r), r = sqrt(6 / (rows + cols))")
{
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix_set_identity(X);
    gsl_matrix *W0 = nan_matrix(KARATE_N, 4), *W1 = nan_matrix(4, 2);
    size_t train[] = {0, 33}, y[] = {0, 1};
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r1, mlphys_seed()), gsl_rng_set(r2, mlphys_seed());
    mlphys_require_implemented(gnn_gcn_train(Ah, X, train, y, 2, 0, 0.5, r1, W0, W1, NULL), "gnn_gcn_train", 7);
    gsl_matrix *Ws[2] = {W0, W1};
    for (int m = 0; m < 2; m++) {
        double r = sqrt(6.0 / (double)(Ws[m]->size1 + Ws[m]->size2));
        for (size_t i = 0; i < Ws[m]->size1; i++)
            for (size_t j = 0; j < Ws[m]->size2; j++) {
                double want = gsl_ran_flat(r2, -r, r);
                /* the same draw from the same generator: identical bits */
                mlphys_assert_close(gsl_matrix_get(Ws[m], i, j), want, 0, 0,
                                    "W%d[%zu][%zu]: draw W0 first, then W1, each row by row with "
                                    "gsl_ran_flat(rng, -r, r), r = sqrt(6 / (rows + cols)) = %.4f", m, i, j, r);
            }
    }
    gsl_rng_free(r1), gsl_rng_free(r2);
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1);
}

Test(gnn, gcn_train_takes_gradient_descent_steps, .description = "one step moves W by -lr times the gradient at the initialisation; the recorded losses are those before each step and decrease")
{
    const size_t Hd = 3;
    const double lr = 0.3;
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix_set_identity(X);
    gsl_matrix *W0i = nan_matrix(KARATE_N, Hd), *W1i = nan_matrix(Hd, 2), *W0 = nan_matrix(KARATE_N, Hd), *W1 = nan_matrix(Hd, 2);
    gsl_matrix *H1 = gsl_matrix_alloc(KARATE_N, Hd), *P = gsl_matrix_alloc(KARATE_N, 2);
    gsl_vector *losses = gsl_vector_alloc(1), *losses5 = gsl_vector_alloc(5);
    gsl_vector_set_all(losses, NAN), gsl_vector_set_all(losses5, NAN);
    size_t train[] = {0, 33}, y[] = {0, 1};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, mlphys_seed());
    mlphys_require_implemented(gnn_gcn_train(Ah, X, train, y, 2, 0, lr, r, W0i, W1i, NULL), "gnn_gcn_train", 7);
    gsl_rng_set(r, mlphys_seed());
    mlphys_require_implemented(gnn_gcn_train(Ah, X, train, y, 2, 1, lr, r, W0, W1, losses), "gnn_gcn_train", 7);
    /* the initial loss by the test's own forward pass */
    mlphys_assert_close(gsl_vector_get(losses, 0), ref_gcn_loss(Ah, X, W0i, W1i, train, y, 2), 1e-14, 1e-12,
                        "losses[0]: the loss at the initial weights, before the first step");
    /* the step, with the gradient by central differences of the test's own loss (h = 1e-5:
     * error ~1e-10, times lr; 1e-8 absolute is ample) */
    const double h = 1e-5;
    gsl_matrix *Wi[2] = {W0i, W1i}, *Wt[2] = {W0, W1};
    for (int m = 0; m < 2; m++)
        for (size_t i = 0; i < Wi[m]->size1 * Wi[m]->size2; i++) {
            double w = Wi[m]->data[i];
            Wi[m]->data[i] = w + h;
            double lp = ref_gcn_loss(Ah, X, W0i, W1i, train, y, 2);
            Wi[m]->data[i] = w - h;
            double lm = ref_gcn_loss(Ah, X, W0i, W1i, train, y, 2);
            Wi[m]->data[i] = w;
            mlphys_assert_close(Wt[m]->data[i], w - lr * (lp - lm) / (2 * h), 1e-8, 0,
                                "W%d entry %zu after one step: W - lr dloss/dW (descent: minus)", m, i);
        }
    gsl_rng_set(r, mlphys_seed());
    mlphys_require_implemented(gnn_gcn_train(Ah, X, train, y, 2, 5, lr, r, W0, W1, losses5), "gnn_gcn_train", 7);
    for (size_t t = 1; t < 5; t++)
        cr_assert(gsl_vector_get(losses5, t) < gsl_vector_get(losses5, t - 1),
                  "losses[%zu] = %.6f >= losses[%zu] = %.6f: small gradient-descent steps must lower the loss", t,
                  gsl_vector_get(losses5, t), t - 1, gsl_vector_get(losses5, t - 1));
    gsl_rng_free(r), gsl_vector_free(losses), gsl_vector_free(losses5);
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0i), gsl_matrix_free(W1i);
    gsl_matrix_free(W0), gsl_matrix_free(W1), gsl_matrix_free(H1), gsl_matrix_free(P);
}

/* Misclassified members of a prediction against Zachary's recorded clubs. */
static int count_wrong(const gsl_matrix *P, const int club[KARATE_N], char *list, size_t len)
{
    int wrong = 0;
    list[0] = 0;
    for (size_t i = 0; i < KARATE_N; i++) {
        int pred = gsl_matrix_get(P, i, 1) > gsl_matrix_get(P, i, 0);
        if (pred != club[i]) {
            wrong++;
            size_t n = strlen(list);
            snprintf(list + n, len - n, " %zu", i);
        }
    }
    return wrong;
}

Test(gnn, gcn_recovers_the_club_split_from_two_labels, .description = "karate, one-hot features, Hd = 2, labels only for nodes 0 (Mr. Hi) and 33 (Officer), 200 steps at lr = 0.5: at most 2 of 34 members misclassified")
{
    int club[KARATE_N];
    karate_clubs(club);
    gsl_matrix *A = karate_adjacency(), *Ah = ref_normalize(A), *X = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_matrix_set_identity(X);
    gsl_matrix *W0 = nan_matrix(KARATE_N, 2), *W1 = nan_matrix(2, 2), *H1 = nan_matrix(KARATE_N, 2), *P = nan_matrix(KARATE_N, 2);
    gsl_vector *losses = gsl_vector_alloc(200);
    size_t train[] = {0, 33}, y[] = {0, 1};
    double loss = NAN;
    mlphys_require_implemented(gnn_gcn_train(Ah, X, train, y, 2, 200, 0.5, mlphys_rng(), W0, W1, losses),
                               "gnn_gcn_train", 7);
    mlphys_require_implemented(gnn_gcn_loss(Ah, X, W0, W1, train, y, 2, H1, P, &loss, NULL, NULL), "gnn_gcn_loss", 6);
    /* measured with GSL 2.7.1 over seeds 1..10000: the final loss is at most 0.012 (start
     * ~0.69); the bound 0.05 is 4 times that */
    cr_assert(loss < 0.05, "loss after 200 steps = %.4f (start %.4f), want < 0.05: is the step W - lr grad?",
              loss, gsl_vector_get(losses, 0));
    char list[256];
    int wrong = count_wrong(P, club, list, sizeof list);
    /* Zachary's member 9 (node 8) sides structurally with the officer but joined Mr. Hi's club:
     * no method that sees only the graph gets it right.  Over seeds 1..10000 the trained GCN
     * misclassifies node 8 alone (85%) or with node 2 (15%), never more; 2 is the bound. */
    cr_assert(wrong <= 2, "%d members misclassified (nodes%s), want at most 2 (node 8 and perhaps node 2): "
              "is the label of node 33 'Officer' = class 1, and do you propagate with A_hat?", wrong, list);
    cr_assert(gsl_matrix_get(P, 0, 0) > 0.9 && gsl_matrix_get(P, 33, 1) > 0.9,
              "the labelled members themselves: P(Mr. Hi | node 0) = %.3f, P(Officer | node 33) = %.3f, want > 0.9",
              gsl_matrix_get(P, 0, 0), gsl_matrix_get(P, 33, 1));
    gsl_matrix_free(A), gsl_matrix_free(Ah), gsl_matrix_free(X), gsl_matrix_free(W0), gsl_matrix_free(W1);
    gsl_matrix_free(H1), gsl_matrix_free(P), gsl_vector_free(losses);
}

/* ---- TODO(8): spectral clustering --------------------------------------------------------- */

Test(gnn, fiedler_of_a_path_is_a_cosine, .description = "path of 8 nodes: lambda_2 = 2 - 2 cos(pi/8) and f_i proportional to cos(pi (i + 1/2) / 8), f_0 > 0")
{
    const size_t N = 8;
    gsl_matrix *A = gsl_matrix_calloc(N, N);
    for (size_t i = 0; i + 1 < N; i++)
        gsl_matrix_set(A, i, i + 1, 1), gsl_matrix_set(A, i + 1, i, 1);
    gsl_vector *f = gsl_vector_alloc(N), *want = gsl_vector_alloc(N);
    gsl_vector_set_all(f, NAN);
    double lam = NAN;
    mlphys_require_implemented(gnn_fiedler(A, mlphys_rng(), f, &lam), "gnn_fiedler", 8);
    /* the path's Laplacian is the discrete second derivative with Neumann ends: eigenvectors
     * cos(pi k (i + 1/2) / N), eigenvalues 2 - 2 cos(pi k / N) (Strang, "The discrete cosine
     * transform", SIAM Review 41, 135 (1999)).  The stopping rule ||L f - lambda f|| <= 4e-10 and
     * the gap lambda_3 - lambda_2 = 0.43 bound the errors by ~1e-9 */
    mlphys_assert_close(lam, 2 - 2 * cos(M_PI / N), 1e-9, 0, "lambda_2 of the path of 8 (the Rayleigh quotient f^T L f)");
    double n2 = 0;
    for (size_t i = 0; i < N; i++)
        n2 += pow(cos(M_PI * (i + 0.5) / N), 2);
    for (size_t i = 0; i < N; i++)
        gsl_vector_set(want, i, cos(M_PI * (i + 0.5) / N) / sqrt(n2));
    mlphys_assert_vector_close(f, want, 1e-8, 0, "Fiedler vector of the path",
                               "normalise to ||f|| = 1, project out the constant vector every step, and make f_0 >= 0.");
    gsl_matrix_free(A), gsl_vector_free(f), gsl_vector_free(want);
}

Test(gnn, fiedler_of_the_karate_club_matches_gsl, .description = "karate: lambda_2 of L = D - A and its eigenvector agree with gsl_eigen_symmv")
{
    gsl_matrix *A = karate_adjacency(), *L = gsl_matrix_alloc(KARATE_N, KARATE_N), *V = gsl_matrix_alloc(KARATE_N, KARATE_N);
    gsl_vector *ev = gsl_vector_alloc(KARATE_N), *f = gsl_vector_alloc(KARATE_N), *v2 = gsl_vector_alloc(KARATE_N);
    gsl_vector_set_all(f, NAN);
    for (size_t i = 0; i < KARATE_N; i++) {
        double d = 0;
        for (size_t j = 0; j < KARATE_N; j++)
            d += gsl_matrix_get(A, i, j), gsl_matrix_set(L, i, j, -gsl_matrix_get(A, i, j));
        gsl_matrix_set(L, i, i, d);
    }
    ref_eigen(L, ev, V); /* descending: lambda_2 is the second from the end */
    double lam2 = gsl_vector_get(ev, KARATE_N - 2), lam = NAN;
    gsl_matrix_get_col(v2, V, KARATE_N - 2);
    if (gsl_vector_get(v2, 0) < 0)
        gsl_vector_scale(v2, -1);
    mlphys_require_implemented(gnn_fiedler(A, mlphys_rng(), f, &lam), "gnn_fiedler", 8);
    /* residual <= 1e-10 c = 3.4e-9, gap lambda_3 - lambda_2 = 0.44: the eigenvector error is
     * below 1e-8 and the Rayleigh quotient's below 1e-15 (it is quadratic in that error) */
    mlphys_assert_close(lam, lam2, 1e-10, 0, "lambda_2 of the karate Laplacian (GSL: %.10f)", lam2);
    mlphys_assert_vector_close(f, v2, 2e-8, 0, "Fiedler vector of the karate club vs gsl_eigen_symmv",
                               "L = D - A with the plain degrees (no self-loops); shift by c = 2 max d so that "
                               "lambda_2 becomes the largest eigenvalue once the constant vector is removed.");
    gsl_matrix_free(A), gsl_matrix_free(L), gsl_matrix_free(V);
    gsl_vector_free(ev), gsl_vector_free(f), gsl_vector_free(v2);
}

Test(gnn, spectral_split_misclassifies_two_members, .description = "karate: the sign of the Fiedler vector splits the club with exactly two members on the wrong side, nodes 2 and 8")
{
    int club[KARATE_N];
    karate_clubs(club);
    gsl_matrix *A = karate_adjacency();
    gsl_vector *f = gsl_vector_alloc(KARATE_N);
    double lam;
    mlphys_require_implemented(gnn_fiedler(A, mlphys_rng(), f, &lam), "gnn_fiedler", 8);
    /* f_0 >= 0 puts Mr. Hi (club 0) on the positive side.  The sign pattern was computed with
     * gsl_eigen_symmv: nodes 2 (f = -0.023) and 8 (f = -0.052) fall on the officer's side; the
     * smallest |f_i| is 0.014, far above the 1e-8 accuracy of f. */
    int wrong = 0;
    char list[256] = "";
    for (size_t i = 0; i < KARATE_N; i++)
        if ((gsl_vector_get(f, i) < 0) != club[i]) {
            wrong++;
            size_t n = strlen(list);
            snprintf(list + n, sizeof list - n, " %zu", i);
        }
    cr_assert(wrong == 2 && gsl_vector_get(f, 2) < 0 && gsl_vector_get(f, 8) < 0,
              "the spectral split has %d members on the wrong side (nodes%s), want exactly 2 (nodes 2 and 8)",
              wrong, list);
    gsl_matrix_free(A), gsl_vector_free(f);
}

Test(gnn, fiedler_rejects_bad_arguments, .description = "shapes that disagree or a single node give GSL_EBADLEN; a non-symmetric matrix GSL_EINVAL")
{
    gsl_matrix *A = gsl_matrix_calloc(3, 3), *A1 = gsl_matrix_calloc(1, 1);
    gsl_vector *f = gsl_vector_alloc(4), *f1 = gsl_vector_alloc(1), *f3 = gsl_vector_alloc(3);
    double lam;
    mlphys_require_status(gnn_fiedler(A, mlphys_rng(), f, &lam), GSL_EBADLEN, "gnn_fiedler", "f has 4 entries for 3 nodes");
    mlphys_require_status(gnn_fiedler(A1, mlphys_rng(), f1, &lam), GSL_EBADLEN, "gnn_fiedler", "a single node has no lambda_2");
    gsl_matrix_set(A, 0, 1, 1);
    mlphys_require_status(gnn_fiedler(A, mlphys_rng(), f3, &lam), GSL_EINVAL, "gnn_fiedler", "A is not symmetric");
    gsl_matrix_free(A), gsl_matrix_free(A1), gsl_vector_free(f), gsl_vector_free(f1), gsl_vector_free(f3);
}
