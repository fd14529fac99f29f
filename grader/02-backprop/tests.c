/*
 * Chapter 02 tests: a two-layer network worked by hand; the gradient checker against functions
 * whose central differences are known in closed form; backpropagation against central
 * differences of the loss written out here from its definition; gradient descent against its
 * own definition and the descent property.  Nothing is compared with numbers produced by the
 * reference solution.
 */
#include "backprop.h"
#include "mlphys_test.h"

#define PI 3.14159265358979323846 /* M_PI is not in C11 */

#include <float.h>
#include <gsl/gsl_blas.h>
#include <string.h>

MLPHYS_SUITE(backprop, 10);

/* ---- helpers: the network written out from its definition, independent of any solution --- */

/* theta = [a | W row-major | b]; X (P, d); y (P).  L = (1/P) sum_mu (yhat_mu - y_mu)^2. */
typedef struct {
    size_t N, d;
    const gsl_matrix *X;
    const gsl_vector *y;
} net_data;

static double definition_yhat(const gsl_vector *theta, size_t N, size_t d, const gsl_matrix *X,
                              size_t mu)
{
    double s = 0.0;
    for (size_t i = 0; i < N; i++) {
        double z = gsl_vector_get(theta, N + N * d + i);
        for (size_t k = 0; k < d; k++)
            z += gsl_vector_get(theta, N + i * d + k) * gsl_matrix_get(X, mu, k);
        s += gsl_vector_get(theta, i) * tanh(z);
    }
    return s / (double)N;
}

static double definition_loss(const gsl_vector *theta, void *params)
{
    const net_data *c = params;
    double s = 0.0;
    for (size_t mu = 0; mu < c->X->size1; mu++) {
        double r = definition_yhat(theta, c->N, c->d, c->X, mu) - gsl_vector_get(c->y, mu);
        s += r * r;
    }
    return s / (double)c->X->size1;
}

/* The test's own central differences of definition_loss (not the student's checker). */
static void definition_gradient(const gsl_vector *theta, net_data *c, double h, gsl_vector *g)
{
    gsl_vector *x = gsl_vector_alloc(theta->size);
    gsl_vector_memcpy(x, theta);
    for (size_t k = 0; k < x->size; k++) {
        double xk = gsl_vector_get(x, k);
        gsl_vector_set(x, k, xk + h);
        double fp = definition_loss(x, c);
        gsl_vector_set(x, k, xk - h);
        double fm = definition_loss(x, c);
        gsl_vector_set(x, k, xk);
        gsl_vector_set(g, k, (fp - fm) / (2 * h));
    }
    gsl_vector_free(x);
}

/* |u - v| / max(|u|, |v|) over entries [off, off + n); INFINITY if u has a NaN or Inf there
 * (fmax drops a NaN, so it must not reach the norms). */
static double block_rel_error(const gsl_vector *u, const gsl_vector *v, size_t off, size_t n)
{
    double d = 0, nu = 0, nv = 0;
    for (size_t k = off; k < off + n; k++) {
        if (!isfinite(gsl_vector_get(u, k)))
            return INFINITY;
        d = hypot(d, gsl_vector_get(u, k) - gsl_vector_get(v, k));
        nu = hypot(nu, gsl_vector_get(u, k));
        nv = hypot(nv, gsl_vector_get(v, k));
    }
    return fmax(nu, nv) > 0 ? d / fmax(nu, nv) : 0.0;
}

/* NaN/Inf where a finite value is required fails with a message that says so (a NaN compares
 * false with everything, so a later check could otherwise pass it by). */
static void require_finite(const gsl_vector *v, const char *what, const char *hint)
{
    char msg[256];
    if (!mlphys_vector_finite_msg(v, msg, sizeof msg))
        cr_assert_fail("%s: %s, but every entry must be finite (NaN/Inf where a number is required). %s",
                       what, msg, hint);
}

/* A vector view with stride 2 into a block filled with a sentinel, itself pre-filled with fill:
 * code that writes v->data[k] instead of gsl_vector_set(v, k, .) hits the sentinels. */
#define SENTINEL 777.0
typedef struct { gsl_vector *parent; gsl_vector_view view; } strided;
static strided strided_alloc(size_t n, double fill)
{
    strided s = { gsl_vector_alloc(2 * n + 1), { { 0 } } };
    gsl_vector_set_all(s.parent, SENTINEL);
    s.view = gsl_vector_subvector_with_stride(s.parent, 1, 2, n);
    gsl_vector_set_all(&s.view.vector, fill);
    return s;
}
static void require_gaps_intact(const strided *s, const char *what)
{
    for (size_t i = 0; i < s->parent->size; i += 2)
        if (gsl_vector_get(s->parent, i) != SENTINEL)
            cr_assert_fail("%s is a vector with stride 2, and the memory between its entries (parent[%zu]) "
                           "changed: use gsl_vector_get/set, not ->data[k]", what, i);
}

static void fill_gaussian_vector(gsl_vector *v, gsl_rng *rng, double sigma)
{
    for (size_t k = 0; k < v->size; k++)
        gsl_vector_set(v, k, gsl_ran_gaussian(rng, sigma));
}

/* A random net (every parameter N(0,1)) and random data X, y ~ N(0,1). */
typedef struct {
    backprop_net *net;
    gsl_matrix *X;
    gsl_vector *y;
    net_data c;
} problem;

static problem random_problem(size_t N, size_t d, size_t P, gsl_rng *rng)
{
    problem p = { backprop_net_alloc(N, d), gsl_matrix_alloc(P, d), gsl_vector_alloc(P), { N, d, NULL, NULL } };
    cr_assert(p.net, "backprop_net_alloc(%zu, %zu) returned NULL (it is given: did you change it?)", N, d);
    fill_gaussian_vector(p.net->theta, rng, 1.0);
    mlphys_fill_gaussian(p.X, rng, 1.0);
    fill_gaussian_vector(p.y, rng, 1.0);
    p.c.X = p.X, p.c.y = p.y;
    return p;
}

/* The 1-D regression of the README: y = sin(x) on P points evenly spaced in [-pi, pi]. */
static problem sine_problem(size_t N, size_t P, gsl_rng *rng)
{
    problem p = random_problem(N, 1, P, rng);
    for (size_t mu = 0; mu < P; mu++) {
        double x = -PI + 2 * PI * (double)mu / (double)(P - 1);
        gsl_matrix_set(p.X, mu, 0, x);
        gsl_vector_set(p.y, mu, sin(x));
    }
    return p;
}

static void problem_free(problem p)
{
    backprop_net_free(p.net), gsl_matrix_free(p.X), gsl_vector_free(p.y);
}

/* ---- the hand-worked case ------------------------------------------------------------------
 * N = 2 units, d = 1, P = 2 samples x = (2, -2), y = (1, 0).
 *   unit 1: w_1 = ln(2)/2, b_1 = 0       z = +-ln 2  ->  tanh = +-3/5  (tanh(ln 2) = 3/5),
 *                                                       1 - tanh^2 = 16/25
 *   unit 2: w_2 = 0,       b_2 = ln(3)/2 z = ln(3)/2 ->  tanh = 1/2    (tanh(ln(3)/2) = 1/2),
 *                                                       1 - tanh^2 = 3/4
 *   a = (2, 4).
 * Forward:  yhat(2)  = (2 * 3/5 + 4 * 1/2) / 2 = 8/5,   yhat(-2) = (-6/5 + 2) / 2 = 2/5.
 *           residuals r = yhat - y = (3/5, 2/5);  L = (9/25 + 4/25) / 2 = 13/50 = 0.26.
 * Backward: dyhat = 2 r / P = (3/5, 2/5).
 *   da_1 = (1/2)(3/5 * 3/5 + 2/5 * (-3/5)) = 3/50 = 0.06
 *   da_2 = (1/2)(3/5 * 1/2 + 2/5 * 1/2)    = 1/4  = 0.25
 *   dz_{mu 1} = dyhat_mu (a_1/N)(16/25) = dyhat_mu * 16/25 = (48/125, 32/125)
 *   dz_{mu 2} = dyhat_mu (a_2/N)(3/4)   = dyhat_mu * 3/2   = (9/10, 6/10)
 *   db_1 = 80/125 = 0.64     dw_1 = 2 * 48/125 - 2 * 32/125 = 32/125 = 0.256
 *   db_2 = 3/2    = 1.5      dw_2 = 2 * 9/10 - 2 * 6/10     = 3/5    = 0.6
 * theta = [a_1, a_2 | w_1, w_2 | b_1, b_2]. */
static const double hand_theta[6] = { 2, 4, 0.34657359027997264 /* ln(2)/2 */, 0, 0, 0.5493061443340549 /* ln(3)/2 */ };
static double hand_x[2] = { 2, -2 }, hand_y[2] = { 1, 0 };
static const double hand_grad[6] = { 0.06, 0.25, 0.256, 0.6, 0.64, 1.5 };
static const char *hand_name[6] = { "da_1", "da_2", "dw_1", "dw_2", "db_1", "db_2" };

static backprop_net *hand_net(void)
{
    backprop_net *net = backprop_net_alloc(2, 1);
    cr_assert(net, "backprop_net_alloc(2, 1) returned NULL (it is given: did you change it?)");
    memcpy(net->theta->data, hand_theta, sizeof hand_theta);
    return net;
}

/* The hand-worked values are exact rationals; the only error is rounding in tanh and the sums
 * (a few ulp), and ln(2)/2, ln(3)/2 are correctly rounded.  1e-14 relative is ~50 ulp. */
#define HAND_TOL 1e-14

Test(backprop, forward_matches_hand_worked_case, .description = "two tanh units on two points give yhat = (8/5, 2/5), worked by hand")
{
    backprop_net *net = hand_net();
    gsl_matrix_view X = gsl_matrix_view_array(hand_x, 2, 1);
    gsl_vector *yhat = gsl_vector_alloc(2);
    mlphys_require_implemented(backprop_forward(net, &X.matrix, yhat), "backprop_forward", 1);
    mlphys_assert_close(gsl_vector_get(yhat, 0), 1.6, 0, HAND_TOL,
                        "yhat at x = 2 (want (2*3/5 + 4*1/2)/2; did you divide by N = 2?)");
    mlphys_assert_close(gsl_vector_get(yhat, 1), 0.4, 0, HAND_TOL,
                        "yhat at x = -2 (want (-2*3/5 + 4*1/2)/2; is the bias added inside tanh?)");
    gsl_vector_free(yhat), backprop_net_free(net);
}

Test(backprop, forward_matches_definition_on_random_net, .description = "yhat of a random net (d = 3, N = 7, P = 11) equals (1/N) sum_i a_i tanh(w_i.x + b_i)")
{
    problem p = random_problem(7, 3, 11, mlphys_rng());
    gsl_vector *yhat = gsl_vector_alloc(11), *want = gsl_vector_alloc(11);
    mlphys_require_implemented(backprop_forward(p.net, p.X, yhat), "backprop_forward", 1);
    for (size_t mu = 0; mu < 11; mu++)
        gsl_vector_set(want, mu, definition_yhat(p.net->theta, 7, 3, p.X, mu));
    /* Same sums in a possibly different order: |yhat| <= max|a| ~ 3, round-off ~ N eps. */
    mlphys_assert_vector_close(yhat, want, 1e-13, 1e-13, "yhat vs the definition",
                               "Row i of W is w_i (W is N x d), theta = [a | W | b]; z = w_i . x_mu + b_i.");
    gsl_vector_free(yhat), gsl_vector_free(want), problem_free(p);
}

Test(backprop, forward_is_a_mean_over_units, .description = "copying every unit (N = 5 -> 10) leaves yhat unchanged: the 1/N makes yhat a mean")
{
    problem p = random_problem(5, 2, 9, mlphys_rng());
    backprop_net *twice = backprop_net_alloc(10, 2);
    for (size_t i = 0; i < 10; i++) {
        gsl_vector_set(&twice->a.vector, i, gsl_vector_get(&p.net->a.vector, i % 5));
        gsl_vector_set(&twice->b.vector, i, gsl_vector_get(&p.net->b.vector, i % 5));
        for (size_t k = 0; k < 2; k++)
            gsl_matrix_set(&twice->W.matrix, i, k, gsl_matrix_get(&p.net->W.matrix, i % 5, k));
    }
    gsl_vector *y5 = gsl_vector_alloc(9), *y10 = gsl_vector_alloc(9);
    mlphys_require_implemented(backprop_forward(p.net, p.X, y5), "backprop_forward", 1);
    mlphys_require_implemented(backprop_forward(twice, p.X, y10), "backprop_forward", 1);
    /* Identical terms, summed twice and divided by 2N: equal up to a few ulp. */
    mlphys_assert_vector_close(y10, y5, 1e-14, 1e-13, "yhat of the doubled net vs the original",
                               "yhat = (1/N) sum_i ...: divide by N, not by a fixed number.");
    gsl_vector_free(y5), gsl_vector_free(y10), backprop_net_free(twice), problem_free(p);
}

Test(backprop, loss_matches_hand_worked_case, .description = "the hand-worked case has L = ((3/5)^2 + (2/5)^2) / 2 = 0.26")
{
    backprop_net *net = hand_net();
    gsl_matrix_view X = gsl_matrix_view_array(hand_x, 2, 1);
    gsl_vector_view y = gsl_vector_view_array(hand_y, 2);
    double L = NAN;
    mlphys_require_implemented(backprop_loss(net, &X.matrix, &y.vector, &L), "backprop_loss", 2);
    mlphys_assert_close(L, 0.26, 0, HAND_TOL,
                        "L = (1/P) sum (yhat - y)^2 (0.52 means you forgot the 1/P; 0.13 a stray 1/2)");
    backprop_net_free(net);
}

/* ---- the gradient checker ---------------------------------------------------------------- */

static double sum_of_sines(const gsl_vector *x, void *params)
{
    (void)params;
    double s = 0;
    for (size_t k = 0; k < x->size; k++)
        s += sin(gsl_vector_get(x, k));
    return s;
}

Test(backprop, numerical_gradient_of_sines_is_the_exact_central_difference, .description = "for f = sum_k sin x_k, central differences give exactly cos(x_k) sin(h)/h")
{
    /* [sin(x + h) - sin(x - h)] / 2h = cos(x) sin(h) / h, an identity.  At h = 1e-2 this is
     * cos(x)(1 - 1.7e-5): a forward difference would be off by ~h/2 = 5e-3, a missing factor 2
     * by 100%.  What remains is round-off, ~ eps |f| / h ~ 1e-13 for 8 terms. */
    const size_t n = 8;
    const double h = 1e-2;
    gsl_vector *x = gsl_vector_alloc(n), *g = gsl_vector_alloc(n), *want = gsl_vector_alloc(n);
    for (size_t k = 0; k < n; k++) {
        gsl_vector_set(x, k, gsl_ran_flat(mlphys_rng(), -3, 3));
        gsl_vector_set(want, k, cos(gsl_vector_get(x, k)) * sin(h) / h);
    }
    gsl_vector_set_all(g, NAN); /* every g_k must be written */
    mlphys_require_implemented(backprop_numerical_gradient(sum_of_sines, NULL, x, h, g),
                               "backprop_numerical_gradient", 3);
    mlphys_assert_vector_close(g, want, 1e-11, 0, "central differences of sum sin x_k at h = 1e-2",
                               "g_k = [f(x + h e_k) - f(x - h e_k)] / (2h): both sides, and divide by 2h.");
    gsl_vector_free(x), gsl_vector_free(g), gsl_vector_free(want);
}

static double half_quadratic_form(const gsl_vector *x, void *params)
{
    const gsl_matrix *A = params;
    double s = 0;
    for (size_t i = 0; i < x->size; i++)
        for (size_t j = 0; j < x->size; j++)
            s += gsl_vector_get(x, i) * gsl_matrix_get(A, i, j) * gsl_vector_get(x, j);
    return s / 2;
}

Test(backprop, numerical_gradient_of_quadratic_form, .description = "for f = x^T A x / 2 (A not symmetric) the checker returns (A + A^T) x / 2, into a strided g")
{
    /* Central differences are exact for polynomials of degree 2: only round-off remains,
     * ~ 36 eps |A||x|^2 / h ~ 1e-11 at h = 1e-3; 1e-9 absolute + relative is 100x that. */
    const size_t n = 6;
    gsl_matrix *A = gsl_matrix_alloc(n, n);
    gsl_vector *x = gsl_vector_alloc(n), *want = gsl_vector_alloc(n);
    strided gs = strided_alloc(n, NAN); /* g: stride 2, pre-filled with NaN */
    gsl_vector *g = &gs.view.vector;
    mlphys_fill_gaussian(A, mlphys_rng(), 1.0);
    fill_gaussian_vector(x, mlphys_rng(), 1.0);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < n; j++)
            s += (gsl_matrix_get(A, i, j) + gsl_matrix_get(A, j, i)) * gsl_vector_get(x, j) / 2;
        gsl_vector_set(want, i, s);
    }
    mlphys_require_implemented(backprop_numerical_gradient(half_quadratic_form, A, x, 1e-3, g),
                               "backprop_numerical_gradient", 3);
    require_gaps_intact(&gs, "g");
    require_finite(g, "g for x^T A x / 2", "Write every g_k (g was pre-filled with NaN).");
    mlphys_assert_vector_close(g, want, 1e-9, 1e-9, "central differences of x^T A x / 2 (g with stride 2)",
                               "Pass params through to f unchanged; perturb one entry at a time; write g with gsl_vector_set.");
    gsl_matrix_free(A), gsl_vector_free(x), gsl_vector_free(gs.parent), gsl_vector_free(want);
}

/* A callback that watches how it is called. */
typedef struct {
    gsl_vector *x0;
    double h;
    int *plus, *minus; /* how often x0 + h e_k and x0 - h e_k were seen */
    int bad_calls;     /* calls where x was not x0 +- h e_k for exactly one k */
} spy;

static double spy_fn(const gsl_vector *x, void *params)
{
    spy *s = params;
    size_t changed = 0, which = 0;
    for (size_t k = 0; k < x->size; k++)
        if (gsl_vector_get(x, k) != gsl_vector_get(s->x0, k))
            changed++, which = k;
    if (changed != 1) {
        s->bad_calls++;
        return 0;
    }
    double step = gsl_vector_get(x, which) - gsl_vector_get(s->x0, which);
    /* x0_k + h is rounded to the nearest double: allow a few ulp of x0_k */
    double slack = 4 * DBL_EPSILON * fmax(1.0, fabs(gsl_vector_get(s->x0, which)));
    if (fabs(step - s->h) <= slack)
        s->plus[which]++;
    else if (fabs(step + s->h) <= slack)
        s->minus[which]++;
    else
        s->bad_calls++;
    return gsl_vector_get(x, which);
}

Test(backprop, numerical_gradient_probes_both_sides_and_restores_x, .description = "the checker calls f at x + h e_k and x - h e_k for every k, and gives x back bit for bit")
{
    /* x_k + h - 2h + h misses x_k in ~35% of coordinates at h = 1e-3 (measured on 1e5 random
     * x in [0.1, 3]); with 40 coordinates that sloppy restore escapes with probability 3e-8. */
    enum { n = 40 };
    const double h = 1e-3;
    int plus[n] = { 0 }, minus[n] = { 0 };
    gsl_vector *x = gsl_vector_alloc(n), *g = gsl_vector_alloc(n), *x0 = gsl_vector_alloc(n);
    for (size_t k = 0; k < n; k++)
        gsl_vector_set(x, k, gsl_ran_flat(mlphys_rng(), 0.1, 3));
    gsl_vector_memcpy(x0, x);
    spy s = { x0, h, plus, minus, 0 };
    mlphys_require_implemented(backprop_numerical_gradient(spy_fn, &s, x, h, g),
                               "backprop_numerical_gradient", 3);
    for (size_t k = 0; k < n; k++) {
        cr_expect(plus[k] >= 1 && minus[k] >= 1,
                  "coordinate %zu: f was called %d times at x + h e_k and %d times at x - h e_k; "
                  "central differences need both (a forward difference uses f(x), and is only O(h))",
                  k, plus[k], minus[k]);
        cr_expect(gsl_vector_get(x, k) == gsl_vector_get(x0, k),
                  "x[%zu] = %.17g after the call, but was %.17g: save x_k and write it back "
                  "(x_k + h - h is not always x_k in floating point)",
                  k, gsl_vector_get(x, k), gsl_vector_get(x0, k));
    }
    cr_expect(s.bad_calls == 0, "%d calls of f saw an x that was not x0 +- h e_k for a single k: "
              "restore x_k before moving on to x_{k+1}", s.bad_calls);
    /* f = x_which, so g must be the identity rows: g_k = ((x_k + h) - (x_k - h)) / 2h ~ 1 */
    for (size_t k = 0; k < n; k++)
        mlphys_assert_close(gsl_vector_get(g, k), 1.0, 1e-10, 0, "g[%zu] for f = x_k", k);
    gsl_vector_free(x), gsl_vector_free(g), gsl_vector_free(x0);
}

static double constant_fn(const gsl_vector *x, void *params)
{
    (void)x, (void)params;
    return 3.0;
}

Test(backprop, gradcheck_reports_the_relative_error, .description = "backprop_gradcheck returns |analytic - numeric| / max(|analytic|, |numeric|), and 0 for two zero gradients")
{
    const size_t n = 6;
    const double h = 1e-2;
    gsl_vector *x = gsl_vector_alloc(n), *an = gsl_vector_alloc(n), *num = gsl_vector_alloc(n);
    gsl_vector *exact = gsl_vector_alloc(n);
    for (size_t k = 0; k < n; k++) {
        gsl_vector_set(x, k, gsl_ran_flat(mlphys_rng(), -3, 3));
        gsl_vector_set(exact, k, cos(gsl_vector_get(x, k)) * sin(h) / h); /* see the sine test */
        gsl_vector_set(an, k, cos(gsl_vector_get(x, k)));
    }
    *gsl_vector_ptr(an, 2) += 0.05; /* a deliberate mistake in one component */
    double d = 0, na = 0, ne = 0, err = NAN;
    for (size_t k = 0; k < n; k++) {
        d = hypot(d, gsl_vector_get(an, k) - gsl_vector_get(exact, k));
        na = hypot(na, gsl_vector_get(an, k)), ne = hypot(ne, gsl_vector_get(exact, k));
    }
    double want = d / fmax(na, ne);
    gsl_vector_set_all(num, NAN); /* gradcheck must write every entry of numeric */
    mlphys_require_implemented(backprop_gradcheck(sum_of_sines, NULL, x, h, an, num, &err),
                               "backprop_gradcheck", 4);
    /* numeric differs from `exact` by round-off ~1e-13, which moves want by less than 1e-11 */
    mlphys_assert_close(err, want, 1e-10, 1e-9,
                        "relative error with one component off by 0.05 (Euclidean norms, divided by the larger norm)");
    mlphys_assert_vector_close(num, exact, 1e-11, 0, "the numeric gradient that gradcheck returns",
                               "gradcheck must fill `numeric` with the central differences.");
    gsl_vector_set_zero(an);
    mlphys_require_implemented(backprop_gradcheck(constant_fn, NULL, x, h, an, num, &err),
                               "backprop_gradcheck", 4);
    cr_assert(isfinite(err), "for a constant f and a zero analytic gradient rel_err is %g: 0/0 is NaN, "
              "treat two zero gradients as agreeing (rel_err = 0)", err);
    cr_expect(err == 0.0, "for a constant f and a zero analytic gradient rel_err must be 0, got %g "
              "(0/0: treat two zero gradients as agreeing)", err);
    gsl_vector_free(x), gsl_vector_free(an), gsl_vector_free(num), gsl_vector_free(exact);
}

/* ---- backpropagation --------------------------------------------------------------------- */

Test(backprop, backward_matches_hand_worked_case, .description = "the hand-worked gradients da = (0.06, 0.25), dw = (0.256, 0.6), db = (0.64, 1.5)")
{
    backprop_net *net = hand_net(), *dnet = backprop_net_alloc(2, 1);
    gsl_matrix_view X = gsl_matrix_view_array(hand_x, 2, 1);
    gsl_vector_view y = gsl_vector_view_array(hand_y, 2);
    double L = NAN;
    mlphys_require_implemented(backprop_backward(net, &X.matrix, &y.vector, dnet, &L), "backprop_backward", 5);
    for (size_t k = 0; k < 6; k++)
        mlphys_assert_close(gsl_vector_get(dnet->theta, k), hand_grad[k], 0, HAND_TOL,
                            "%s (theta = [a | W | b]; tanh' = 1 - tanh^2; dyhat = 2 (yhat - y) / P; "
                            "the 1/N of the output reaches every gradient)", hand_name[k]);
    mlphys_assert_close(L, 0.26, 0, HAND_TOL, "the loss that backprop_backward returns");
    backprop_net_free(net), backprop_net_free(dnet);
}

/* h = 1e-5 is near the optimum eps^(1/3) ~ 6e-6: truncation ~ h^2 |L'''| / 6 and round-off
 * ~ eps |L| / h are both ~1e-11.  Measured over 2000 seeds (d = 3, N = 8, P = 10): the worst
 * relative error of the correct gradient is 1.1e-9 in total and 3.2e-9 in any one block, so
 * the chapter's threshold 1e-7 has a 30x margin, while any real mistake gives O(1). */
#define FD_H 1e-5
#define GRAD_TOL 1e-7

Test(backprop, backward_matches_central_differences, .description = "on a random net (d = 3, N = 8, P = 10) da, dW and db agree with central differences (h = 1e-5) to 1e-7 relative")
{
    const size_t N = 8, d = 3, P = 10;
    problem p = random_problem(N, d, P, mlphys_rng());
    backprop_net *dnet = backprop_net_alloc(N, d);
    gsl_vector_set_all(dnet->theta, 7.0); /* backward must overwrite, not add to, dnet */
    gsl_vector *fd = gsl_vector_alloc(p.net->theta->size);
    mlphys_require_implemented(backprop_backward(p.net, p.X, p.y, dnet, NULL), "backprop_backward", 5);
    require_finite(dnet->theta, "dnet (da | dW | db)", "Overwrite every entry of dnet.");
    definition_gradient(p.net->theta, &p.c, FD_H, fd);
    const char *block[3] = { "da", "dW", "db" };
    const char *hint[3] = { "da_i = (1/N) sum_mu dyhat_mu tanh(z_mu i)",
                            "dw_i = sum_mu dz_mu i x_mu: row i of dW, and is x_mu the right row of X?",
                            "db_i = sum_mu dz_mu i with dz = dyhat (a_i/N)(1 - tanh^2)" };
    size_t off[3] = { 0, N, N + N * d }, len[3] = { N, N * d, N };
    for (int b = 0; b < 3; b++) {
        double e = block_rel_error(dnet->theta, fd, off[b], len[b]);
        cr_expect(e < GRAD_TOL, "%s: relative error %.3g vs central differences (want < %.0e). %s. "
                  "(If it is ~1: did you overwrite dnet, not accumulate into it?)", block[b], e, GRAD_TOL, hint[b]);
    }
    double e = block_rel_error(dnet->theta, fd, 0, fd->size);
    cr_expect(e < GRAD_TOL, "whole gradient: relative error %.3g vs central differences", e);
    gsl_vector_free(fd), backprop_net_free(dnet), problem_free(p);
}

/* The loss through the student's own code, as a function of theta: we hand the checker
 * net->theta itself, so perturbing x perturbs the network in place. */
static double student_loss(const gsl_vector *theta, void *params)
{
    problem *p = params;
    double L;
    (void)theta; /* theta is p->net->theta */
    return backprop_loss(p->net, p->X, p->y, &L) == GSL_SUCCESS ? L : NAN;
}

Test(backprop, your_gradcheck_confirms_your_backward, .description = "your checker on your loss agrees with your backward pass to 1e-7 at h = 1e-5")
{
    const size_t N = 6, d = 2, P = 12;
    problem p = random_problem(N, d, P, mlphys_rng());
    backprop_net *dnet = backprop_net_alloc(N, d);
    gsl_vector *num = gsl_vector_alloc(p.net->theta->size);
    double err = NAN, L;
    mlphys_require_implemented(backprop_loss(p.net, p.X, p.y, &L), "backprop_loss", 2);
    mlphys_require_implemented(backprop_backward(p.net, p.X, p.y, dnet, NULL), "backprop_backward", 5);
    mlphys_require_implemented(backprop_gradcheck(student_loss, &p, p.net->theta, FD_H, dnet->theta, num, &err),
                               "backprop_gradcheck", 4);
    /* same margin as backward_matches_central_differences */
    cr_expect(err < GRAD_TOL, "backprop_gradcheck reports %.3g (want < %.0e): your loss and your "
              "backward pass disagree", err, GRAD_TOL);
    gsl_vector_free(num), backprop_net_free(dnet), problem_free(p);
}

/* ---- gradient descent -------------------------------------------------------------------- */

Test(backprop, descend_one_step_moves_against_the_gradient, .description = "one step of descent gives theta - eta grad L, and records L before and after")
{
    const size_t N = 5, d = 2, P = 8;
    const double eta = 0.3;
    problem p = random_problem(N, d, P, mlphys_rng());
    gsl_vector *theta0 = gsl_vector_alloc(p.net->theta->size), *fd = gsl_vector_alloc(p.net->theta->size);
    gsl_vector *loss = gsl_vector_alloc(2);
    gsl_vector_set_all(loss, NAN); /* loss[0] and loss[1] must both be written */
    gsl_vector_memcpy(theta0, p.net->theta);
    definition_gradient(theta0, &p.c, FD_H, fd);
    mlphys_require_implemented(backprop_descend(p.net, p.X, p.y, eta, loss), "backprop_descend", 6);
    require_finite(loss, "loss after one step", "loss has T + 1 = 2 entries: L before the step and L after it.");
    gsl_vector *want = gsl_vector_alloc(fd->size);
    gsl_vector_memcpy(want, theta0);
    gsl_blas_daxpy(-eta, fd, want);
    /* fd is good to ~1e-9 relative (see GRAD_TOL); |grad| ~ 1, so 1e-8 absolute covers it */
    mlphys_assert_vector_close(p.net->theta, want, 1e-8, 0, "theta after one step",
                               "theta <- theta - eta dL/dtheta, every parameter, exactly once per step.");
    mlphys_assert_close(gsl_vector_get(loss, 0), definition_loss(theta0, &p.c), 0, 1e-13, "loss[0], before the step");
    mlphys_assert_close(gsl_vector_get(loss, 1), definition_loss(p.net->theta, &p.c), 0, 1e-13,
                        "loss[1], after the one step (loss has T + 1 entries)");
    gsl_vector_free(theta0), gsl_vector_free(fd), gsl_vector_free(loss), gsl_vector_free(want), problem_free(p);
}

Test(backprop, descend_lowers_the_loss_monotonically, .description = "fitting sin(x) with N = 20 units, a small step (eta = 0.5) lowers the loss at every one of 300 steps")
{
    /* Measured for this set-up (parameters N(0,1), 30 points on [-pi, pi]): over 3000 seeds
     * no step raised the loss at eta = 6, nor at eta = 0.5 (at eta = 8, 220 of 300 seeds had
     * a rise), so 0.5 is 12x inside the stable region; after 300 steps at eta = 0.5,
     * L_T / L_0 was at most 0.48 over the 3000 seeds. */
    const size_t N = 20, P = 30, T = 300;
    problem p = sine_problem(N, P, mlphys_rng());
    gsl_vector *loss = gsl_vector_alloc(T + 1);
    gsl_vector_set_all(loss, NAN);
    mlphys_require_implemented(backprop_descend(p.net, p.X, p.y, 0.5, loss), "backprop_descend", 6);
    require_finite(loss, "the loss history", "Record L before every step and after the last one (loss[T]).");
    for (size_t t = 0; t < T; t++) {
        double a = gsl_vector_get(loss, t), b = gsl_vector_get(loss, t + 1);
        /* a decrease per step is ~ eta |grad|^2 >> 1e-12 L: the slack only forgives round-off */
        cr_assert(isfinite(b) && b <= a * (1 + 1e-12), "the loss went up at step %zu: %.12g -> %.12g. "
                  "Step against the gradient (minus sign) with the gradient of the current theta.", t, a, b);
    }
    cr_expect(gsl_vector_get(loss, T) < 0.8 * gsl_vector_get(loss, 0),
              "after %zu steps the loss only fell from %.4g to %.4g (measured: at least a factor 2)", T,
              gsl_vector_get(loss, 0), gsl_vector_get(loss, T));
    gsl_vector_free(loss), problem_free(p);
}

/* ---- views ------------------------------------------------------------------------------- */

Test(backprop, forward_and_backward_work_on_strided_views, .description = "X as a view with tda != d, y and yhat with stride 2: forward and backward are right, inputs untouched, nothing written outside")
{
    /* X (9 x 3) is a submatrix of a 12 x 8 block of sentinels; yhat and y have stride 2.  The
     * answers come from the definitions written out in this file, as in the tests above. */
    const size_t N = 4, d = 3, P = 9;
    gsl_rng *rng = mlphys_rng();
    problem p = random_problem(N, d, P, rng);
    gsl_matrix *big = gsl_matrix_alloc(P + 3, d + 5);
    gsl_matrix_set_all(big, SENTINEL);
    gsl_matrix_view Xv = gsl_matrix_submatrix(big, 1, 2, P, d);
    gsl_matrix_memcpy(&Xv.matrix, p.X);
    strided ys = strided_alloc(P, 0.0), yh = strided_alloc(P, NAN);
    gsl_vector_memcpy(&ys.view.vector, p.y);
    gsl_vector *theta0 = gsl_vector_alloc(p.net->theta->size), *want = gsl_vector_alloc(P);
    gsl_vector *fd = gsl_vector_alloc(p.net->theta->size);
    gsl_vector_memcpy(theta0, p.net->theta);
    for (size_t mu = 0; mu < P; mu++)
        gsl_vector_set(want, mu, definition_yhat(theta0, N, d, p.X, mu));
    mlphys_require_implemented(backprop_forward(p.net, &Xv.matrix, &yh.view.vector), "backprop_forward", 1);
    require_gaps_intact(&yh, "yhat");
    require_finite(&yh.view.vector, "yhat (stride 2)", "Write every yhat_mu with gsl_vector_set (yhat was pre-filled with NaN).");
    /* same tolerance as forward_matches_definition_on_random_net */
    mlphys_assert_vector_close(&yh.view.vector, want, 1e-13, 1e-13, "yhat with X a view (tda = 8, d = 3)",
                               "Row mu of X starts at X->data + mu * X->tda, not mu * d: use gsl_matrix_get or BLAS.");
    backprop_net *dnet = backprop_net_alloc(N, d);
    gsl_vector_set_all(dnet->theta, NAN);
    double L = NAN;
    mlphys_require_implemented(backprop_backward(p.net, &Xv.matrix, &ys.view.vector, dnet, &L), "backprop_backward", 5);
    require_finite(dnet->theta, "dnet with X a view", "Overwrite every entry of dnet (it was pre-filled with NaN).");
    definition_gradient(theta0, &p.c, FD_H, fd);
    double e = block_rel_error(dnet->theta, fd, 0, fd->size);
    cr_assert(e < GRAD_TOL, "gradient with X a view (tda = 8) and y with stride 2: relative error %.3g vs central "
              "differences (want < %.0e). Read X and y through gsl_matrix_get / gsl_vector_get or BLAS.", e, GRAD_TOL);
    mlphys_assert_close(L, definition_loss(theta0, &p.c), 0, 1e-13, "the loss from backprop_backward with strided data");
    for (size_t i = 0; i < big->size1; i++)
        for (size_t j = 0; j < big->size2; j++) {
            bool inside = i >= 1 && i < 1 + P && j >= 2 && j < 2 + d;
            double now = gsl_matrix_get(big, i, j), then = inside ? gsl_matrix_get(p.X, i - 1, j - 2) : SENTINEL;
            cr_assert(now == then, "X (a const input) or the memory around its view changed at parent[%zu][%zu]: "
                      "%.17g, was %.17g", i, j, now, then);
        }
    require_gaps_intact(&ys, "y");
    for (size_t k = 0; k < theta0->size; k++)
        cr_assert(gsl_vector_get(p.net->theta, k) == gsl_vector_get(theta0, k),
                  "theta[%zu] of the (const) net changed during forward/backward", k);
    gsl_matrix_free(big), gsl_vector_free(ys.parent), gsl_vector_free(yh.parent), gsl_vector_free(theta0);
    gsl_vector_free(want), gsl_vector_free(fd), backprop_net_free(dnet), problem_free(p);
}

/* ---- bad arguments ----------------------------------------------------------------------- */

Test(backprop, forward_and_loss_reject_bad_shapes, .description = "forward and loss return GSL_EBADLEN for mismatched shapes, GSL_EINVAL for a NULL loss")
{
    backprop_net *net = backprop_net_alloc(3, 2);
    gsl_matrix *X = gsl_matrix_calloc(4, 2), *Xbad = gsl_matrix_calloc(4, 3);
    gsl_vector *y = gsl_vector_calloc(4), *ybad = gsl_vector_calloc(5);
    double L;
    mlphys_require_status(backprop_forward(net, Xbad, y), GSL_EBADLEN, "backprop_forward", "X must have d = 2 columns");
    mlphys_require_status(backprop_forward(net, X, ybad), GSL_EBADLEN, "backprop_forward", "yhat must have P = 4 entries");
    mlphys_require_status(backprop_loss(net, X, ybad, &L), GSL_EBADLEN, "backprop_loss", "y must have P = 4 entries");
    mlphys_require_status(backprop_loss(net, Xbad, y, &L), GSL_EBADLEN, "backprop_loss", "X must have d = 2 columns");
    mlphys_require_status(backprop_loss(net, X, y, NULL), GSL_EINVAL, "backprop_loss", "loss is NULL");
    backprop_net_free(net), gsl_matrix_free(X), gsl_matrix_free(Xbad), gsl_vector_free(y), gsl_vector_free(ybad);
}

Test(backprop, backward_rejects_bad_shapes, .description = "backward returns GSL_EBADLEN when dnet, X or y do not match the net")
{
    backprop_net *net = backprop_net_alloc(3, 2), *dN = backprop_net_alloc(4, 2), *dd = backprop_net_alloc(3, 1);
    backprop_net *dnet = backprop_net_alloc(3, 2);
    gsl_matrix *X = gsl_matrix_calloc(4, 2), *Xbad = gsl_matrix_calloc(4, 1);
    gsl_vector *y = gsl_vector_calloc(4), *ybad = gsl_vector_calloc(3);
    mlphys_require_status(backprop_backward(net, X, y, dN, NULL), GSL_EBADLEN, "backprop_backward", "dnet has N = 4, net N = 3");
    mlphys_require_status(backprop_backward(net, X, y, dd, NULL), GSL_EBADLEN, "backprop_backward", "dnet has d = 1, net d = 2");
    mlphys_require_status(backprop_backward(net, Xbad, y, dnet, NULL), GSL_EBADLEN, "backprop_backward", "X must have d = 2 columns");
    mlphys_require_status(backprop_backward(net, X, ybad, dnet, NULL), GSL_EBADLEN, "backprop_backward", "y must have P = 4 entries");
    backprop_net_free(net), backprop_net_free(dN), backprop_net_free(dd), backprop_net_free(dnet);
    gsl_matrix_free(X), gsl_matrix_free(Xbad), gsl_vector_free(y), gsl_vector_free(ybad);
}

Test(backprop, checker_rejects_bad_arguments, .description = "the checker returns GSL_EINVAL for h <= 0, h = NaN or Inf, or no function, GSL_EBADLEN for a wrong size")
{
    gsl_vector *x = gsl_vector_calloc(3), *g = gsl_vector_calloc(3), *gbad = gsl_vector_calloc(4);
    double err;
    mlphys_require_status(backprop_numerical_gradient(sum_of_sines, NULL, x, 1e-5, gbad), GSL_EBADLEN,
                          "backprop_numerical_gradient", "g must have as many entries as x");
    mlphys_require_status(backprop_numerical_gradient(sum_of_sines, NULL, x, 0.0, g), GSL_EINVAL,
                          "backprop_numerical_gradient", "h = 0 divides by zero");
    mlphys_require_status(backprop_numerical_gradient(sum_of_sines, NULL, x, -1e-5, g), GSL_EINVAL,
                          "backprop_numerical_gradient", "h must be positive");
    mlphys_require_status(backprop_numerical_gradient(sum_of_sines, NULL, x, NAN, g), GSL_EINVAL,
                          "backprop_numerical_gradient", "h = NaN (note: NaN <= 0 is false; use isfinite)");
    mlphys_require_status(backprop_numerical_gradient(sum_of_sines, NULL, x, INFINITY, g), GSL_EINVAL,
                          "backprop_numerical_gradient", "h = Inf");
    mlphys_require_status(backprop_numerical_gradient(NULL, NULL, x, 1e-5, g), GSL_EINVAL,
                          "backprop_numerical_gradient", "f is NULL");
    mlphys_require_status(backprop_gradcheck(sum_of_sines, NULL, x, 1e-5, gbad, g, &err), GSL_EBADLEN,
                          "backprop_gradcheck", "analytic must have as many entries as x");
    mlphys_require_status(backprop_gradcheck(sum_of_sines, NULL, x, 1e-5, g, gbad, &err), GSL_EBADLEN,
                          "backprop_gradcheck", "numeric must have as many entries as x");
    mlphys_require_status(backprop_gradcheck(sum_of_sines, NULL, x, 1e-5, g, g, NULL), GSL_EINVAL,
                          "backprop_gradcheck", "rel_err is NULL");
    gsl_vector_free(x), gsl_vector_free(g), gsl_vector_free(gbad);
}

Test(backprop, descend_rejects_bad_arguments, .description = "descent returns GSL_EINVAL for eta <= 0 or not finite, GSL_EBADLEN for mismatched data, and leaves theta alone")
{
    problem p = random_problem(3, 2, 4, mlphys_rng());
    gsl_vector *keep = gsl_vector_alloc(p.net->theta->size), *loss = gsl_vector_alloc(3);
    gsl_vector *ybad = gsl_vector_calloc(5);
    gsl_vector_memcpy(keep, p.net->theta);
    mlphys_require_status(backprop_descend(p.net, p.X, p.y, 0.0, loss), GSL_EINVAL, "backprop_descend", "eta = 0");
    mlphys_require_status(backprop_descend(p.net, p.X, p.y, -0.1, loss), GSL_EINVAL, "backprop_descend", "eta < 0 climbs the loss");
    mlphys_require_status(backprop_descend(p.net, p.X, p.y, NAN, loss), GSL_EINVAL, "backprop_descend", "eta = NaN");
    mlphys_require_status(backprop_descend(p.net, p.X, ybad, 0.1, loss), GSL_EBADLEN, "backprop_descend", "y must have P = 4 entries");
    for (size_t k = 0; k < keep->size; k++)
        cr_assert(gsl_vector_get(p.net->theta, k) == gsl_vector_get(keep, k),
                  "theta[%zu] changed although every call failed: check the arguments first", k);
    gsl_vector_free(keep), gsl_vector_free(loss), gsl_vector_free(ybad), problem_free(p);
}
