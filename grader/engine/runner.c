/* runner.c: every rubric test as its own Criterion runner, and the verdict on it.
 *
 * The runner's result reaches the engine on a pipe (descriptor 3), written by the grader-owned
 * report hook in the runner; the test library marks that descriptor close-on-exec and the
 * runner non-dumpable before any worker starts, so the worker that runs student code holds no
 * way to write it (and none to read the runner's memory or descriptors through /proc).  No file
 * in a folder that student code can write is ever read, and no secret is handed to the test.
 *
 * Whether a test body finished is Criterion's own knowledge: a worker that ends in the middle
 * of the test body (exit, _exit) is reported by the runner with an elapsed time of exactly
 * zero, and one that finished with the time between its start and end messages.
 */
#define _GNU_SOURCE
#include "runner.h"

#include "memcheck.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct job {
    struct spawned sp;
    struct chapter *ch;
    struct test *t; /* NULL: the whole chapter in one valgrind runner */
    char *dir;
    char *buf_out, *buf_err, *buf_rep, *buf_vg;
    size_t n_out, n_err, n_rep, n_vg;
    bool trunc_out, trunc_err;
    double start, deadline;
    bool killed_for_time;
    int wstatus;
    unsigned long seed;
    int slot;
    bool mc, for_points, diag;
    char *vg_fifo;  /* valgrind's log: a root-owned FIFO in the root-owned work folder */
    int vg_keep;    /* the engine's own write end, so that the read end never sees EOF */
};

static void drain(int fd, char **buf, size_t *n, bool *trunc, size_t cap)
{
    if (fd < 0)
        return;
    char tmp[65536];
    for (;;) {
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k <= 0)
            return;
        size_t room = *n < cap ? cap - *n : 0;
        size_t take = (size_t)k < room ? (size_t)k : room;
        if (take)
            append(buf, n, tmp, take);
        if ((size_t)k > take && trunc)
            *trunc = true;
    }
}

static void drain_all(struct job *j)
{
    drain(j->sp.fd_out, &j->buf_out, &j->n_out, &j->trunc_out, OUTPUT_CAP);
    drain(j->sp.fd_err, &j->buf_err, &j->n_err, &j->trunc_err, OUTPUT_CAP);
    drain(j->sp.fd_rep, &j->buf_rep, &j->n_rep, NULL, REPORT_CAP);
    drain(j->sp.fd_vg, &j->buf_vg, &j->n_vg, NULL, REPORT_CAP);
}

static void start_job(struct job *j, struct chapter *c, struct test *t, size_t index,
                      unsigned long seed, int slot, bool mc)
{
    memset(j, 0, sizeof *j);
    j->mc = mc;
    j->ch = c;
    j->t = t;
    j->seed = seed;
    j->slot = slot;
    j->dir = t ? xasprintf("%s/t%03zu-s%lu%s", c->work, index, seed, mc ? "-vg" : "")
               : xasprintf("%s/all-s%lu-vg", c->work, seed);
    char *rm = xasprintf("rm -rf -- '%s'", j->dir);
    if (system(rm) != 0) { /* a stale folder of an earlier run: never reused */
    }
    free(rm);
    mkdir_p(j->dir, 0700);
    sandbox_give(j->dir, slot);
    j->start = now();
    double wall = mc ? O.mc_seconds : O.test_seconds;
    if (!t)
        wall = O.mc_seconds * 3; /* the whole chapter in one runner */
    j->deadline = j->start + wall;
    char *extra[8];
    int e = 0;
    extra[e++] = xstrdup("MLPHYS_REPORT_FD=3");
    extra[e++] = xasprintf("MLPHYS_IMPL_FILE=%s", c->src);
    extra[e++] = xasprintf("MLPHYS_DATA_DIR=%s/data", O.root);
    extra[e++] = xasprintf("MLPHYS_SEED=%lu", seed);
    if (mc)
        extra[e++] = xstrdup("MLPHYS_TIMEOUT_SCALE=40");
    extra[e] = NULL;
    char **env = sandbox_env((const char *const *)extra);
    for (int i = 0; i < e; i++)
        free(extra[i]);
    const struct test *only = t;
    size_t selected = 0;
    for (size_t k = 0; !t && k < c->ntests; k++)
        if (!c->tests[k].is_memcheck)
            selected++, only = &c->tests[k];
    char *filter = (t || selected == 1) ? xasprintf("--filter=%s", only->id) : xstrdup("--filter=*/*");
    char *argv_plain[] = {c->bin, filter, "-j1", "--color=never", "-S", NULL};
    /* Valgrind's log goes to a FIFO that root owns in the root-owned work folder: every traced
     * process (runner and workers: Criterion closes inherited descriptors in its workers)
     * opens it by name; student code may open it too, but can only add lines, never remove
     * the FIFO or the lines valgrind writes. */
    int vg_read = -1;
    char *vglog = NULL;
    j->vg_keep = -1;
    if (mc) {
        j->vg_fifo = xasprintf("%s/vg-%zu-s%lu.fifo", c->work, t ? index : 999999, seed);
        unlink(j->vg_fifo);
        if (mkfifo(j->vg_fifo, 0600) != 0 || chmod(j->vg_fifo, 0622) != 0)
            die("mkfifo %s: %s", j->vg_fifo, strerror(errno));
        vg_read = open(j->vg_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        j->vg_keep = open(j->vg_fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (vg_read < 0 || j->vg_keep < 0)
            die("open %s: %s", j->vg_fifo, strerror(errno));
        vglog = xasprintf("--log-file=%s", j->vg_fifo);
    }
    char *argv_vg[] = {"valgrind", "--tool=memcheck", "--trace-children=yes", "--vgdb=no",
                       "--leak-check=full", "--errors-for-leak-kinds=definite",
                       "--track-origins=yes", "--num-callers=20", vglog, c->bin, filter,
                       "-j1", "--color=never", "-S", NULL};
    char *data = xasprintf("%s/data", O.root);
    struct spawn_req r = {.argv = mc ? argv_vg : argv_plain, .env = env, .cwd = j->dir,
                          .wall = wall, .mem = O.mem_bytes, .slot = slot, .sandbox = true,
                          .expose_rw = c->work, .expose_ro = data, .report_fd = 3};
    sandbox_spawn(&r, &j->sp);
    j->sp.fd_vg = vg_read;
    free(vglog);
    free(data);
    free(filter);
    sandbox_free_env(env);
}

static void add_gsl_errors(struct test *t);

static char *messages_text(json_t *msgs)
{
    size_t n = json_array_size(msgs), i;
    json_t *m;
    char *out = xstrdup("");
    json_array_foreach(msgs, i, m) {
        if (i >= 5) {
            char *o = xasprintf("%s\n(and %zu more failed checks)", out, n - 5);
            free(out);
            return o;
        }
        const char *file = json_string_value(json_object_get(m, "file"));
        const char *msg = json_string_value(json_object_get(m, "message"));
        int line = (int)json_integer_value(json_object_get(m, "line"));
        char *o = xasprintf("%s%s%s:%d: %s", out, *out ? "\n" : "", file ? file : "?", line,
                            (msg && *msg) ? msg : "assertion failed");
        free(out);
        out = o;
    }
    return out;
}

static char *capped(char *buf, bool trunc)
{
    char *s = buf ? xstrdup(buf) : xstrdup("");
    sanitize_utf8(s);
    if (trunc) {
        char *t = xasprintf("%s\n[... output cut at %d KiB]", s, OUTPUT_CAP / 1024);
        free(s);
        s = t;
    }
    return s;
}

/* The verdict on test t from the runner's report (on the pipe) and its wait status. */
static void judge(struct job *j, struct test *t, json_t *root)
{
    t->seconds = now() - j->start;
    t->out = capped(j->buf_out, j->trunc_out);
    t->err = capped(j->buf_err, j->trunc_err);
    json_t *entry = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(root, "tests"), i, e) {
        const char *suite = json_string_value(json_object_get(e, "suite"));
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *st = json_string_value(json_object_get(e, "status"));
        if (!suite || !name || !st)
            continue;
        char *id = xasprintf("%s/%s", suite, name);
        bool match = strcmp(id, t->id) == 0;
        free(id);
        if (match && strcmp(st, "skipped") != 0) {
            entry = e;
            break;
        }
    }
    int ws = j->wstatus;
    if (entry) {
        const char *d = json_string_value(json_object_get(entry, "description"));
        if (d)
            t->description = xstrdup(d);
    }
    const char *st = entry ? json_string_value(json_object_get(entry, "status")) : NULL;
    double elapsed = entry ? json_number_value(json_object_get(entry, "elapsed")) : 0;
    if (j->killed_for_time) {
        t->status = ST_TIMEOUT;
        t->message = xasprintf("did not finish within %.0f s, so the grader stopped it: an endless "
                               "loop, a sleep, or far too slow?", j->mc ? O.mc_seconds : O.test_seconds);
    } else if (!entry) {
        if (WIFSIGNALED(ws)) {
            t->status = ST_CRASHED;
            t->signal = WTERMSIG(ws);
            t->message = xasprintf("the test program itself was killed by %s, before it could "
                                   "report (did your code kill its parent process?)",
                                   signal_words(WTERMSIG(ws)));
        } else if (root) {
            t->status = ST_MISSING;
            t->message = xstrdup("the test program has no such test: the rubric and the tests "
                                 "disagree (an instructor's bug, not yours)");
        } else {
            t->status = ST_MISSING;
            t->exit_code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
            t->message = xasprintf("the test program ended (exit status %d) without a report: "
                                   "did your code end it, or break its output?", t->exit_code);
        }
    } else if (json_is_true(json_object_get(entry, "timed_out"))) {
        t->status = ST_TIMEOUT;
        t->message = xstrdup("exceeded the test's time limit: an endless loop, a sleep, or far "
                             "too slow?");
    } else if (json_is_true(json_object_get(entry, "crashed")) ||
               json_integer_value(json_object_get(entry, "signal")) != 0) {
        t->status = ST_CRASHED;
        t->signal = (int)json_integer_value(json_object_get(entry, "signal"));
        t->message = xasprintf("your code crashed with %s", signal_words(t->signal));
    } else if (!(elapsed > 0)) {
        /* Criterion reports a worker that ended during the test body with elapsed time 0 */
        t->status = ST_EXIT;
        t->exit_code = (int)json_integer_value(json_object_get(entry, "exit_code"));
        t->message = xasprintf("your code called exit() or _exit() (status %d) in the middle of "
                               "the test: a library function must return an error code instead",
                               t->exit_code);
    } else if (st && strcmp(st, "passed") == 0) {
        t->status = ST_PASSED;
    } else {
        t->status = ST_FAILED;
        t->message = messages_text(json_object_get(entry, "messages"));
        if (!*t->message) {
            free(t->message);
            t->message = xstrdup("failed without a message");
        }
    }
    add_gsl_errors(t);
}

/* What GSL said during a test that did not pass (the test library writes "GSL error: ..."
 * lines to stderr): added to the message, since it usually names the real mistake (a shape
 * mismatch in a call to gsl_blas_dgemm, a singular matrix, ...). */
static void add_gsl_errors(struct test *t)
{
    if (t->status == ST_PASSED || !t->err)
        return;
    const char *p = strstr(t->err, "GSL error: ");
    if (!p || (p != t->err && p[-1] != '\n'))
        return;
    size_t n = strcspn(p, "\n");
    int more = 0;
    for (const char *q = p + n; (q = strstr(q, "\nGSL error: ")); q++)
        more++;
    char *m = xasprintf("%s\n%.*s%s: a GSL routine your code called reported it (wrong shapes, or a "
                        "singular matrix?)", t->message ? t->message : "", (int)n, p,
                        more ? xasprintf(" (and %d more)", more) : "");
    free(t->message);
    t->message = m;
}

static void free_result(struct test *r)
{
    free(r->description), free(r->message), free(r->out), free(r->err), free(r->mc_summary);
    r->description = r->message = r->out = r->err = r->mc_summary = NULL;
}

static const char *student_base(const struct chapter *c)
{
    const char *b = strrchr(c->src, '/');
    return b ? b + 1 : c->src;
}

/* A test's result is its first run's, unless a later seed fails: then that failure, with the
 * seed named.  Passing means passing under every seed. */
static void record(struct job *j, struct test *t, struct test *r)
{
    bool first = t->runs++ == 0;
    if (first || (t->status == ST_PASSED && r->status != ST_PASSED)) {
        free_result(t);
        t->status = r->status, t->signal = r->signal, t->exit_code = r->exit_code;
        t->description = r->description, t->out = r->out, t->err = r->err;
        t->mc_errors = r->mc_errors, t->mc_definite = r->mc_definite, t->mc_summary = r->mc_summary;
        t->message = r->message;
        if (!first || O.nseeds) {
            t->failed_seed = j->seed;
            if (r->message && r->status != ST_PASSED) {
                t->message = xasprintf("[seed %lu] %s", j->seed, r->message);
                free(r->message);
            }
        }
        t->seconds = r->seconds;
    } else {
        if (r->description && !t->description)
            t->description = r->description, r->description = NULL;
        free_result(r);
    }
}

static struct test *memcheck_entry(struct chapter *c)
{
    for (size_t k = 0; k < c->ntests; k++)
        if (c->tests[k].is_memcheck)
            return &c->tests[k];
    return NULL;
}

static void finish_job(struct job *j)
{
    json_t *root = j->buf_rep ? json_loads(j->buf_rep, 0, NULL) : NULL;
    if (root && !json_is_array(json_object_get(root, "tests"))) {
        json_decref(root);
        root = NULL;
    }
    struct vglog vg = {0};
    if (j->mc)
        vglog_parse(&vg, j->buf_vg ? j->buf_vg : "", student_base(j->ch));
    if (!j->t) { /* a whole chapter in one valgrind runner: each test from the shared report */
        for (size_t k = 0; k < j->ch->ntests; k++) {
            struct test *t = &j->ch->tests[k];
            if (t->is_memcheck)
                continue;
            struct test r = {.id = t->id};
            char *save_out = j->buf_out, *save_err = j->buf_err;
            if (k > 0) /* the output belongs to the whole run: show it once */
                j->buf_out = j->buf_err = NULL;
            judge(j, &r, root);
            j->buf_out = save_out, j->buf_err = save_err;
            vglog_summary_known(&vg, t->id, j->ch, &r.mc_errors, &r.mc_definite, &r.mc_summary);
            record(j, t, &r);
        }
    } else if (j->diag) {
        /* a crash, run again under valgrind: where in the student's file it happened */
        struct vgproc *first = NULL;
        for (size_t i = 0; i < vg.n && !first; i++)
            if (*vg.procs[i].kind)
                first = &vg.procs[i];
        if (first) {
            int sig = j->t->signal;
            for (size_t k = 0; k < j->ch->ntests; k++) {
                struct test *u = &j->ch->tests[k];
                if (u->status != ST_CRASHED || u->signal != sig)
                    continue;
                char *m = xasprintf("%s\nvalgrind, running %s again: %s %s; `make memcheck CH=%s` shows the rest",
                                    u->message ? u->message : "", j->t->id, first->kind,
                                    *first->where ? first->where : "(not in your file: see make memcheck)", j->ch->slug);
                free(u->message);
                u->message = m;
            }
        }
    } else {
        struct test *t = j->t, r = {.id = t->id, .visibility = t->visibility, .points = t->points};
        judge(j, &r, root);
        if (j->mc) /* one test in this runner: every process of it counts */
            vglog_summary(&vg, NULL, &r.mc_errors, &r.mc_definite, &r.mc_summary);
        if (j->for_points) {
            struct test *m = memcheck_entry(j->ch);
            m->runs++;
            const char *why = r.mc_summary ? r.mc_summary : r.status != ST_PASSED ? status_name[r.status] : NULL;
            if (why) {
                char *old = m->message;
                m->status = ST_FAILED;
                m->message = xasprintf("%s%s%s under valgrind: %s", old ? old : "", old ? "\n" : "", t->id,
                                       r.status != ST_PASSED && !r.mc_summary ? "did not pass (too slow, or a crash?)" : why);
                free(old);
            }
            free_result(&r);
        } else
            record(j, t, &r);
    }
    vglog_free(&vg);
    json_decref(root);
    if (j->vg_keep >= 0)
        close(j->vg_keep);
    if (j->vg_fifo)
        unlink(j->vg_fifo);
    free(j->vg_fifo);
    free(j->buf_out), free(j->buf_err), free(j->buf_rep), free(j->buf_vg), free(j->dir);
}

static void run_queue(struct work *q, size_t total)
{
    struct job jobs[MAX_JOBS];
    bool busy[MAX_JOBS] = {false};
    size_t next = 0, running = 0, done = 0;
    bool tty = isatty(2) && !O.quiet;
    for (;;) {
        for (int s = 0; s < O.jobs && next < total; s++) {
            if (busy[s])
                continue;
            struct work *w = &q[next++];
            start_job(&jobs[s], w->ch, w->ti == SIZE_MAX ? NULL : &w->ch->tests[w->ti], w->ti, w->seed, s, w->mc);
            jobs[s].for_points = w->for_points;
            jobs[s].diag = w->diag;
            busy[s] = true;
            running++;
        }
        if (running == 0)
            break;
        struct pollfd p[4 * MAX_JOBS];
        int np = 0;
        for (int s = 0; s < O.jobs; s++)
            if (busy[s]) {
                int fds[4] = {jobs[s].sp.fd_out, jobs[s].sp.fd_err, jobs[s].sp.fd_rep, jobs[s].sp.fd_vg};
                for (int k = 0; k < 4; k++)
                    if (fds[k] >= 0)
                        p[np++] = (struct pollfd){fds[k], POLLIN, 0};
            }
        poll(p, (nfds_t)np, 20);
        for (int s = 0; s < O.jobs; s++) {
            if (!busy[s])
                continue;
            struct job *j = &jobs[s];
            drain_all(j);
            if (waitpid(j->sp.pid, &j->wstatus, WNOHANG) == j->sp.pid) {
                /* the runner is gone: kill whatever it left behind, in its group or not */
                kill(-j->sp.pid, SIGKILL);
                sandbox_kill_user(j->slot);
                sandbox_sweep();
                drain_all(j);
                int fds[4] = {j->sp.fd_out, j->sp.fd_err, j->sp.fd_rep, j->sp.fd_vg};
                for (int k = 0; k < 4; k++)
                    if (fds[k] >= 0)
                        close(fds[k]);
                finish_job(j);
                busy[s] = false;
                running--;
                done++;
                if (tty)
                    fprintf(stderr, "\r  grading: %zu/%zu test runs", done, total);
            } else if (now() > j->deadline && !j->killed_for_time) {
                kill(-j->sp.pid, SIGKILL);
                sandbox_kill_user(j->slot);
                j->killed_for_time = true;
            }
        }
    }
    if (tty && total)
        fprintf(stderr, "\r%*s\r", 50, "");
}

void run_all(struct chapter *chs, size_t nch)
{
    int nseeds = O.nseeds > 0 ? O.nseeds + 1 : 1;
    size_t cap = 0, n = 0;
    for (size_t c = 0; c < nch; c++)
        cap += chs[c].ntests * (size_t)(nseeds + 1);
    struct work *q = xcalloc(cap + nch * (size_t)nseeds, sizeof *q);
    for (size_t c = 0; c < nch; c++)
        for (int si = 0; si < nseeds && chs[c].gradable; si++) {
            unsigned long seed = si == 0 ? O.seed : (unsigned long)si;
            if (O.memcheck) { /* one valgrind runner per chapter: valgrind's start-up dominates */
                q[n++] = (struct work){&chs[c], SIZE_MAX, seed, true, false, false};
                continue;
            }
            for (size_t ti = 0; ti < chs[c].ntests; ti++)
                if (!chs[c].tests[ti].is_memcheck)
                    q[n++] = (struct work){&chs[c], ti, seed, false, false, false};
        }
    run_queue(q, n);
    n = 0;
    /* the first crash of each chapter, again under valgrind, to name the line */
    for (size_t c = 0; c < nch && !O.memcheck && !O.no_diagnose; c++)
        for (size_t ti = 0; ti < chs[c].ntests && chs[c].gradable; ti++)
            if (chs[c].tests[ti].status == ST_CRASHED && chs[c].tests[ti].signal != 0) {
                q[n++] = (struct work){&chs[c], ti, O.seed, true, false, true};
                break;
            }
    run_queue(q, n);
    n = 0;
    for (size_t c = 0; c < nch; c++) {
        struct test *m = memcheck_entry(&chs[c]);
        if (!m || !chs[c].gradable)
            continue;
        for (size_t ti = 0; ti < chs[c].ntests; ti++) {
            struct test *t = &chs[c].tests[ti];
            if (t->is_memcheck || t->status != ST_PASSED)
                continue;
            if (O.memcheck) { /* already ran under valgrind: judge from those runs */
                m->runs++;
                if (t->mc_summary) {
                    char *old = m->message;
                    m->status = ST_FAILED;
                    m->message = xasprintf("%s%s%s: %s", old ? old : "", old ? "\n" : "", t->id, t->mc_summary);
                    free(old);
                }
            } else
                q[n++] = (struct work){&chs[c], ti, O.seed, true, true, false};
        }
    }
    run_queue(q, n);
    for (size_t c = 0; c < nch; c++) {
        struct test *m = memcheck_entry(&chs[c]);
        if (!m || !chs[c].gradable)
            continue;
        if (m->runs == 0) {
            m->status = ST_FAILED;
            m->message = xstrdup("no test passed, so there is nothing to check for memory errors yet");
        } else if (m->status == ST_PENDING) {
            m->status = ST_PASSED;
            m->description = xasprintf("valgrind found no invalid access, no uninitialised use and "
                                       "no definite leak in the %d tests that passed", m->runs);
        }
    }
    free(q);
}

/* Strict mode: list the tests the binary really has (a filter that matches nothing still makes
 * the report hook list every test, as skipped) and compare with the rubric. */
void compare_with_binary(struct chapter *c)
{
    struct test probe = {.id = xstrdup("mlphys-none/none"), .visibility = xstrdup("visible")};
    struct job j;
    start_job(&j, c, &probe, 999, O.seed, 0, false);
    double deadline = now() + 30;
    while (waitpid(j.sp.pid, &j.wstatus, WNOHANG) != j.sp.pid) {
        drain_all(&j);
        if (now() > deadline)
            kill(-j.sp.pid, SIGKILL);
        usleep(10000);
    }
    drain_all(&j);
    kill(-j.sp.pid, SIGKILL);
    sandbox_kill_user(0);
    close(j.sp.fd_out), close(j.sp.fd_err), close(j.sp.fd_rep);
    json_t *root = j.buf_rep ? json_loads(j.buf_rep, 0, NULL) : NULL;
    free(j.buf_out), free(j.buf_err), free(j.buf_rep), free(j.dir);
    free(probe.id), free(probe.visibility);
    if (!root) {
        add_problem(c, xstrdup("could not list the tests of the binary"));
        return;
    }
    size_t i;
    json_t *e;
    json_t *seen = json_object();
    json_array_foreach(json_object_get(root, "tests"), i, e) {
        char *id = xasprintf("%s/%s", json_string_value(json_object_get(e, "suite")),
                             json_string_value(json_object_get(e, "name")));
        if (json_object_get(seen, id))
            add_problem(c, xasprintf("test %s appears twice (parameterized tests are not "
                                     "supported by the rubric)", id));
        json_object_set_new(seen, id, json_true());
        bool found = false;
        for (size_t k = 0; k < c->ntests; k++)
            found |= strcmp(c->tests[k].id, id) == 0;
        if (!found)
            add_problem(c, xasprintf("test %s has no line in grader/%s/rubric (no points)", id, c->slug));
        if (!json_string_value(json_object_get(e, "description")))
            add_problem(c, xasprintf("test %s has no .description", id));
        free(id);
    }
    for (size_t k = 0; k < c->ntests; k++)
        if (!c->tests[k].is_memcheck && !json_object_get(seen, c->tests[k].id))
            add_problem(c, xasprintf("grader/%s/rubric names %s, which is not a test", c->slug,
                                     c->tests[k].id));
    json_decref(seen);
    json_decref(root);
}
