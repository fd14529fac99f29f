/*
 * engine.h: what the layers of mlphys-grade share.
 *
 * The engine is split along its layers, each a small file with its own header:
 *   util.c       allocation, time, safe file reading and writing, text clean-up
 *   rubric.c     the rubric: tests, points, visibility, @memcheck points, @deny rules
 *   linkcheck.c  the allow-list: what a student's object may define and call
 *   sandbox.c    unprivileged users, private namespaces, resource limits, spawning
 *   build.c      compiling the student's file (as the sandbox user) and linking the tests
 *   runner.c     running every test as its own Criterion runner, and judging its result
 *   memcheck.c   reading valgrind's log (received on a pipe, never from a file)
 *   report.c     the terminal table, report.json and Gradescope's results.json
 *   grade.c      options and the order of the steps (main)
 */
#ifndef MLPHYS_ENGINE_H
#define MLPHYS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#define OUTPUT_CAP (16 * 1024) /* bytes of a test's stdout/stderr kept for the report */
#define REPORT_CAP (8 << 20)   /* bytes of a runner's report (and a valgrind log) read */
#define COMPILE_LINES 12       /* lines of a compiler error shown */
#define MAX_JOBS 64

enum status { ST_PENDING, ST_PASSED, ST_FAILED, ST_CRASHED, ST_TIMEOUT, ST_EXIT, ST_MISSING };
extern const char *const status_name[];

struct test {
    char *id;         /* suite/name */
    double points;
    char *visibility; /* visible, hidden, after_due_date, after_published */
    bool is_memcheck; /* the rubric's "@memcheck P": points for a valgrind-clean chapter */
    /* results */
    enum status status;
    char *description, *message;
    char *out, *err; /* captured, capped */
    int signal, exit_code;
    double seconds;
    int runs; /* how many seeds it has been run under */
    unsigned long failed_seed;
    int mc_errors;
    long mc_definite;
    char *mc_summary;
};

struct deny {
    char *pattern; /* a shell glob over symbol names */
    char *reason;
};

struct chapter {
    char *slug, *name;  /* 01-svd, svd */
    char *src;          /* the student's file, as shown in messages */
    char *src_abs;      /* ... and its absolute path */
    char *work;         /* scratch folder, root-owned */
    char *bin;          /* the linked test binary, root-owned */
    bool gradable;
    bool refused;       /* not gradable because the link check refused it */
    char *compile_output; /* first lines of the compiler's complaint, or warnings */
    int warnings;
    struct test *tests;
    size_t ntests;
    struct deny *denies;
    size_t ndenies;
    double hidden_points_elsewhere; /* "# withheld N P" in a release rubric */
    int hidden_tests_elsewhere;
    char **problems; /* rubric problems (strict mode) */
    size_t nproblems;
};

struct opts {
    const char *impl, *out, *build, *root, *impl_abs;
    int jobs;
    bool verbose, strict, memcheck, withhold, quiet;
    const char *expect; /* NULL, "full", "zero" or "stub" */
    double test_seconds, mc_seconds, compile_seconds;
    unsigned long seed;
    int nseeds;
    rlim_t mem_bytes;
    bool same_user;     /* --same-user: never drop privileges */
    bool no_link_check; /* --no-link-check: the catalogue tests the other layers alone */
    bool no_namespaces; /* --no-namespaces: the same, for the fallback without namespaces */
    bool no_diagnose;   /* --no-diagnose: no valgrind re-run of a crashed test */
    const char *only;   /* --tests SUBSTRING */
    const char *rubric; /* --rubric FILE */
    const char *hide[16]; /* --hide DIR: more folders student code must not see */
    int nhide;
};
extern struct opts O;

/* ---- util.c ---------------------------------------------------------------------------- */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
double now(void);
int mkdir_p(const char *path, mode_t mode);
/* Reads a regular file, refusing symbolic links and anything else (FIFO, device): NULL then. */
char *read_file_safe(const char *path, size_t cap);
/* Writes text to dir/name through a fresh temporary file and rename(): a symlink, FIFO or
 * stale file planted at the name is replaced, never followed or opened.  0 on success. */
int write_file_atomic(const char *path, const char *text);
/* Copies a regular file (no symlink followed at the last component) to dst, mode 0644. */
int copy_file_safe(const char *src, const char *dst, mode_t mode);
/* Makes captured output safe for JSON and terminals: valid UTF-8 is kept (a compiler's
 * typographic quotes survive), every invalid byte and control character but \n and \t
 * becomes '?'. */
void sanitize_utf8(char *s);
char *first_lines(const char *s, int lines);
const char *signal_words(int sig);
void append(char **buf, size_t *len, const char *data, size_t n); /* grows *buf */

/* ---- rubric.c -------------------------------------------------------------------------- */
int read_rubric(struct chapter *c, const char *path);
void add_problem(struct chapter *c, char *msg);
bool is_withheld(const struct test *t);

/* ---- grade.c: orchestration helpers the reporting layer uses ---------------------------- */
double score_of(const struct chapter *c, bool include_withheld, double *max);

#endif
