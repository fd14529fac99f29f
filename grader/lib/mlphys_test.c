/* The support library of every suite: fixtures, tolerance checks, and the report hook. */
#define _GNU_SOURCE
#include "mlphys_test.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_linalg.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

static gsl_rng *test_rng;

const char *mlphys_impl_file(void)
{
    const char *f = getenv("MLPHYS_IMPL_FILE");
    return (f && *f) ? f : "your chapter file";
}

unsigned long mlphys_seed(void)
{
    const char *s = getenv("MLPHYS_SEED");
    if (!s || !*s)
        return 42;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    return *end ? 42 : v;
}

gsl_rng *mlphys_rng(void)
{
    if (!test_rng) {
        test_rng = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(test_rng, mlphys_seed());
    }
    return test_rng;
}

const char *mlphys_data_path(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("MLPHYS_DATA_DIR");
    snprintf(buf, sizeof buf, "%s/%s", (dir && *dir) ? dir : "data", name);
    return buf;
}

/* GSL's errors become feedback: instead of aborting (GSL's default) or staying silent, each
 * error is written to stderr as one line the engine recognises and adds to the test's message
 * ("GSL error: matrix sizes are different (blas.c:1234)"), and the call returns its error code
 * to the student's code as usual. */
static int gsl_errors_reported;

static void record_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    if (gsl_errors_reported++ >= 5)
        return;
    const char *base = strrchr(file ? file : "", '/');
    fprintf(stderr, "GSL error: %s (%s:%d, %s)\n", reason ? reason : "?", base ? base + 1 : (file ? file : "?"),
            line, gsl_strerror(gsl_errno));
    fflush(stderr);
}

void mlphys_test_begin(void)
{
    /* Under valgrind, tag this worker's log so that the engine can attribute its findings to
     * the test when a whole chapter runs in one runner (a no-op outside valgrind). */
    VALGRIND_PRINTF("MLPHYS_TEST %s/%s\n", criterion_current_suite->name, criterion_current_test->name);
    gsl_errors_reported = 0;
    gsl_set_error_handler(record_gsl_error);
    setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Runs in the worker after the test body, also after a failed assertion. */
void mlphys_test_end(void)
{
    if (test_rng) {
        gsl_rng_free(test_rng);
        test_rng = NULL;
    }
}

bool mlphys_close(double got, double want, double atol, double rtol)
{
    if (!isfinite(got) || !isfinite(want))
        return false; /* NaN and Inf are never close to anything (|1 - inf| <= inf would be) */
    return fabs(got - want) <= atol + rtol * fabs(want);
}

static bool close_report(const double *g, const double *w, size_t n, size_t stride_g,
                         size_t stride_w, size_t ncols, double atol, double rtol, char *msg,
                         size_t len)
{
    size_t worst = 0;
    double worst_excess = -1.0;
    bool ok = true;
    for (size_t k = 0; k < n; k++) {
        size_t i = ncols ? k / ncols : k, j = ncols ? k % ncols : 0;
        double gv = ncols ? g[i * stride_g + j] : g[k * stride_g];
        double wv = ncols ? w[i * stride_w + j] : w[k * stride_w];
        double tol = atol + rtol * fabs(wv);
        /* NaN or Inf anywhere (got, want or the tolerance) is infinitely wrong, and the first
         * such entry stays the worst: a later finite entry never hides it */
        double excess = (isfinite(gv) && isfinite(wv) && isfinite(tol)) ? fabs(gv - wv) / (tol > 0 ? tol : 1e-300)
                                                                        : INFINITY;
        if (!(excess <= 1.0))
            ok = false;
        if (excess > worst_excess) {
            worst_excess = excess;
            worst = k;
        }
    }
    if (!ok && msg) {
        size_t i = ncols ? worst / ncols : worst, j = ncols ? worst % ncols : 0;
        double gv = ncols ? g[i * stride_g + j] : g[worst * stride_g];
        double wv = ncols ? w[i * stride_w + j] : w[worst * stride_w];
        char where[64];
        if (ncols)
            snprintf(where, sizeof where, "[%zu][%zu]", i, j);
        else
            snprintf(where, sizeof where, "[%zu]", i);
        snprintf(msg, len, "worst at %s: got %.10g, want %.10g (|diff| = %.3g, allowed %.3g)",
                 where, gv, wv, fabs(gv - wv), atol + rtol * fabs(wv));
    }
    return ok;
}

bool mlphys_vector_close_msg(const gsl_vector *got, const gsl_vector *want, double atol,
                             double rtol, char *msg, size_t len)
{
    if (got->size != want->size) {
        snprintf(msg, len, "length %zu, expected %zu", got->size, want->size);
        return false;
    }
    return close_report(got->data, want->data, got->size, got->stride, want->stride, 0, atol,
                        rtol, msg, len);
}

bool mlphys_matrix_close_msg(const gsl_matrix *got, const gsl_matrix *want, double atol,
                             double rtol, char *msg, size_t len)
{
    if (got->size1 != want->size1 || got->size2 != want->size2) {
        snprintf(msg, len, "shape %zux%zu, expected %zux%zu", got->size1, got->size2,
                 want->size1, want->size2);
        return false;
    }
    return close_report(got->data, want->data, got->size1 * got->size2, got->tda, want->tda,
                        got->size2, atol, rtol, msg, len);
}

bool mlphys_vector_finite_msg(const gsl_vector *v, char *msg, size_t len)
{
    for (size_t i = 0; i < v->size; i++) {
        double x = gsl_vector_get(v, i);
        if (!isfinite(x)) {
            snprintf(msg, len, "entry [%zu] is %g", i, x);
            return false;
        }
    }
    return true;
}

bool mlphys_matrix_finite_msg(const gsl_matrix *m, char *msg, size_t len)
{
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++) {
            double x = gsl_matrix_get(m, i, j);
            if (!isfinite(x)) {
                snprintf(msg, len, "entry [%zu][%zu] is %g", i, j, x);
                return false;
            }
        }
    return true;
}

void mlphys_fill_gaussian(gsl_matrix *m, gsl_rng *rng, double sigma)
{
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++)
            gsl_matrix_set(m, i, j, gsl_ran_gaussian(rng, sigma));
}

gsl_matrix *mlphys_random_orthonormal(size_t M, size_t N, gsl_rng *rng)
{
    gsl_matrix *G = gsl_matrix_alloc(M, N), *Q = gsl_matrix_alloc(M, M), *R = gsl_matrix_alloc(M, N);
    gsl_vector *tau = gsl_vector_alloc(N);
    mlphys_fill_gaussian(G, rng, 1.0);
    gsl_linalg_QR_decomp(G, tau);
    gsl_linalg_QR_unpack(G, tau, Q, R);
    gsl_matrix *out = gsl_matrix_alloc(M, N);
    gsl_matrix_const_view Qn = gsl_matrix_const_submatrix(Q, 0, 0, M, N);
    gsl_matrix_memcpy(out, &Qn.matrix);
    gsl_matrix_free(G), gsl_matrix_free(Q), gsl_matrix_free(R), gsl_vector_free(tau);
    return out;
}

double mlphys_orthonormality_error(const gsl_matrix *Q)
{
    double worst = 0.0;
    for (size_t a = 0; a < Q->size2; a++)
        for (size_t b = a; b < Q->size2; b++) {
            gsl_vector_const_view qa = gsl_matrix_const_column(Q, a);
            gsl_vector_const_view qb = gsl_matrix_const_column(Q, b);
            double dot = 0.0;
            for (size_t i = 0; i < Q->size1; i++)
                dot += gsl_vector_get(&qa.vector, i) * gsl_vector_get(&qb.vector, i);
            double e = fabs(dot - (a == b ? 1.0 : 0.0));
            if (!isfinite(e))
                return INFINITY; /* NaN or Inf: never hidden by a later finite entry */
            if (e > worst)
                worst = e;
        }
    return worst;
}

double mlphys_matrix_rel_error(const gsl_matrix *A, const gsl_matrix *B)
{
    double scale = 1.0, worst = 0.0;
    for (size_t i = 0; i < B->size1; i++)
        for (size_t j = 0; j < B->size2; j++) {
            double b = fabs(gsl_matrix_get(B, i, j));
            if (!isfinite(b))
                return INFINITY;
            scale = fmax(scale, b);
        }
    if (A->size1 != B->size1 || A->size2 != B->size2)
        return INFINITY;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            double e = fabs(gsl_matrix_get(A, i, j) - gsl_matrix_get(B, i, j));
            if (!isfinite(e))
                return INFINITY; /* NaN or Inf: never hidden by a later finite entry */
            if (e > worst)
                worst = e;
        }
    return worst / scale;
}

/* Under valgrind every test runs 20-50x slower: the engine sets MLPHYS_TIMEOUT_SCALE and this
 * hook, which runs in the runner before any worker starts, stretches every timeout. */
static int report_fd = -1;

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    /* The report goes to the engine on a pipe.  It runs in the runner, before any worker
     * exists: the descriptor is made close-on-exec (workers are exec'd, so the code under test
     * never holds it) and the runner non-dumpable (no worker can reach it through
     * /proc/PID/fd or ptrace). */
    const char *fd = getenv("MLPHYS_REPORT_FD");
    if (fd && *fd) {
        report_fd = atoi(fd);
        if (report_fd < 3 || fcntl(report_fd, F_SETFD, FD_CLOEXEC) != 0)
            report_fd = -1;
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    const char *s = getenv("MLPHYS_TIMEOUT_SCALE");
    double k = s ? strtod(s, NULL) : 0.0;
    if (!(k > 1.0 && k < 1000.0))
        return;
    FOREACH_SET(struct criterion_suite_set *ss, set->suites) {
        if (ss->suite.data && ss->suite.data->timeout > 0)
            ss->suite.data->timeout *= k;
        FOREACH_SET(struct criterion_test *t, ss->tests) {
            if (t->data && t->data->timeout > 0)
                t->data->timeout *= k;
        }
    }
}

/* ---- The report: written by grader-owned code in the runner, after all tests ------------
 * Criterion's own --json reporter does not escape messages; this one uses jansson. */
static const char *status_word(const struct criterion_test_stats *ts)
{
    switch (ts->test_status) {
    case CR_STATUS_PASSED: return "passed";
    case CR_STATUS_SKIPPED: return "skipped";
    default: return "failed";
    }
}

ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
    if (report_fd < 0)
        return;
    json_t *tests = json_array();
    for (struct criterion_suite_stats *ss = gs->suites; ss; ss = ss->next)
        for (struct criterion_test_stats *ts = ss->tests; ts; ts = ts->next) {
            json_t *msgs = json_array();
            for (struct criterion_assert_stats *a = ts->asserts; a; a = a->next)
                if (!a->passed)
                    json_array_append_new(msgs, json_pack("{s:s?, s:i, s:s?}", "file", a->file,
                                                          "line", (int)a->line, "message",
                                                          a->message));
            const char *desc = ts->test->data ? ts->test->data->description : NULL;
            json_array_append_new(
                tests, json_pack("{s:s, s:s, s:s?, s:s, s:b, s:i, s:i, s:b, s:f, s:o}", "suite",
                                 ts->test->category, "name", ts->test->name, "description",
                                 desc, "status", status_word(ts), "crashed", ts->crashed,
                                 "signal", ts->signal, "exit_code", ts->exit_code, "timed_out",
                                 ts->timed_out, "elapsed", (double)ts->elapsed_time, "messages",
                                 msgs));
        }
    json_t *root = json_pack("{s:o}", "tests", tests);
    json_dumpfd(root, report_fd, JSON_INDENT(1));
    close(report_fd);
    report_fd = -1;
    json_decref(root);
}
