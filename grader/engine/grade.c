/*
 * mlphys-grade: the grading engine.  It owns the truth about scores; student code never does.
 *
 * For every chapter it compiles the student's file (a compile error makes the chapter "not
 * gradable", the others still grade), links it with the chapter's Criterion suite, then runs
 * every test named in the chapter's rubric as its own runner process (--filter suite/test):
 * in its own process group, under resource limits and a wall-clock deadline, with stdout and
 * stderr captured and capped.  A grader-owned report hook writes each runner's result as JSON;
 * the suite's .fini writes a completion marker.  A test scores its points only if Criterion
 * says it passed AND the marker is there (exit(0) inside a test otherwise looks like a pass).
 *
 * Output: a table on the terminal, build/grade/report.json (documented in grader/README.md)
 * and build/grade/results.json in Gradescope's schema.  See `mlphys-grade --help`.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/file.h>
#include <pwd.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#define OUTPUT_CAP (16 * 1024)      /* bytes of a test's stdout/stderr kept for the report */
#define COMPILE_LINES 12            /* lines of a compiler error shown */
#define MAX_JOBS 64

/* ---- small utilities ------------------------------------------------------------------- */

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mlphys-grade: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        die("out of memory");
    return d;
}

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        die("out of memory");
    va_end(ap);
    return s;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory");
    return p;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int mkdir_p(const char *path)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return (mkdir(buf, 0755) && errno != EEXIST) ? -1 : 0;
}

static char *read_file(const char *path, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = xcalloc(cap + 1, 1);
    size_t n = fread(buf, 1, cap, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Make captured output safe for JSON and terminals: valid UTF-8 is jansson's job, so replace
 * every byte that is not printable ASCII, newline or tab. */
static void sanitize(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (!(isprint(*p) || *p == '\n' || *p == '\t'))
            *p = '?';
}

/* The first `lines` lines of s (a new string). */
static char *first_lines(const char *s, int lines)
{
    const char *p = s;
    for (int i = 0; i < lines && p && *p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    size_t n = p ? (size_t)(p - s) : strlen(s);
    char *out = xcalloc(n + 1, 1);
    memcpy(out, s, n);
    return out;
}

static const char *signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV, a segmentation fault: an out-of-bounds index or a NULL pointer?";
    case SIGBUS: return "SIGBUS, a bus error: a misaligned or invalid memory access";
    case SIGABRT: return "SIGABRT: abort() or a failed assert() was called (GSL's default error handler aborts too)";
    case SIGFPE: return "SIGFPE, an arithmetic exception: an integer division by zero?";
    case SIGILL: return "SIGILL, an illegal instruction: a corrupted stack?";
    case SIGKILL: return "SIGKILL: killed, usually for exceeding the memory or process limit";
    case SIGXCPU: return "SIGXCPU: the CPU time limit was exceeded";
    case SIGXFSZ: return "SIGXFSZ: it wrote more than the file size limit allows";
    case SIGPIPE: return "SIGPIPE: it wrote to a closed pipe";
    case SIGTERM: return "SIGTERM: it was terminated";
    default: return strsignal(sig);
    }
}

/* ---- Criterion's leftovers --------------------------------------------------------------
 * Criterion 2.4.1 names its IPC files after process ids: the runner binds
 * /tmp/criterion_PID.sock and boxfort maps /dev/shm/bxfi_PID (PID of the worker) and
 * /dev/shm/bxf_arena_PID.  A runner killed by a timeout or by student code leaves them behind;
 * when the PID comes round again (pid_max is often 32768) and the file belongs to another
 * sandbox user, /tmp and /dev/shm being sticky, the new runner cannot replace it and aborts
 * ("Address already in use", "Could not spawn test instance: File exists").  The engine
 * removes every such file whose process is gone, at start and after each job. */
static void sweep_dir(const char *dir, const char *prefix, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t lp = strlen(prefix), ls = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n <= lp + ls || strncmp(e->d_name, prefix, lp) != 0 || strcmp(e->d_name + n - ls, suffix) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + lp, &end, 10);
        if (end != e->d_name + n - ls || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive (or not ours to ask about): in use */
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static void sweep_criterion_leftovers(void)
{
    sweep_dir("/tmp", "criterion_", ".sock");
    sweep_dir("/dev/shm", "bxfi_", "");
    sweep_dir("/dev/shm", "bxf_arena_", "");
}

/* ---- the rubric ------------------------------------------------------------------------ */

enum status { ST_PENDING, ST_PASSED, ST_FAILED, ST_CRASHED, ST_TIMEOUT, ST_EXIT, ST_MISSING };
static const char *status_name[] = {"pending", "passed", "failed", "crashed", "timed out",
                                    "called exit", "missing"};

struct test {
    char *id;          /* suite/name */
    double points;
    char *visibility;  /* visible, hidden, after_due_date, after_published */
    /* results */
    enum status status;
    char *description;
    char *message;
    char *out, *err;   /* captured, capped */
    int signal, exit_code;
    double seconds;
    int runs;              /* how many seeds it has been run under */
    unsigned long failed_seed;
    bool is_memcheck;      /* the rubric's "@memcheck P": points for a valgrind-clean chapter */
    /* memcheck */
    int mc_errors;
    long mc_definite;
    char *mc_summary;
};

struct chapter {
    char *slug, *name;  /* 01-svd, svd */
    char *src;          /* the student's file */
    char *work;         /* scratch folder */
    char *bin;          /* the linked test binary */
    bool gradable;
    char *compile_output; /* first lines of the compiler's complaint, or warnings */
    int warnings;
    struct test *tests;
    size_t ntests;
    double hidden_points_elsewhere; /* "# withheld N P" in a release rubric */
    int hidden_tests_elsewhere;
    char **extra;       /* tests in the binary but not in the rubric (strict mode) */
    size_t nextra;
    char **problems;    /* rubric problems (strict mode) */
    size_t nproblems;
};

static bool is_withheld(const struct test *t)
{
    return strcmp(t->visibility, "visible") != 0;
}

static void add_problem(struct chapter *c, char *msg)
{
    c->problems = realloc(c->problems, (c->nproblems + 1) * sizeof *c->problems);
    if (!c->problems)
        die("out of memory");
    c->problems[c->nproblems++] = msg;
}

static int read_rubric(struct chapter *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    size_t cap = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            continue;
        if (*p == '#') {
            int n;
            double pts;
            if (sscanf(p, "# withheld %d %lf", &n, &pts) == 2) {
                c->hidden_tests_elsewhere += n;
                c->hidden_points_elsewhere += pts;
            }
            continue;
        }
        char id[512], vis[64];
        double pts;
        int k = sscanf(p, "%511s %lf %63s", id, &pts, vis);
        bool mc = strcmp(id, "@memcheck") == 0;
        if (k < 2 || (!mc && !strchr(id, '/')) || pts < 0) {
            add_problem(c, xasprintf("%s:%zu: expected 'suite/test points [visibility]'", path, lineno));
            continue;
        }
        if (k < 3)
            strcpy(vis, "visible");
        if (strcmp(vis, "visible") && strcmp(vis, "hidden") && strcmp(vis, "after_due_date") &&
            strcmp(vis, "after_published"))
            add_problem(c, xasprintf("%s:%zu: visibility '%s' is not one of visible, hidden, "
                                     "after_due_date, after_published", path, lineno, vis));
        for (size_t i = 0; i < c->ntests; i++)
            if (strcmp(c->tests[i].id, id) == 0)
                add_problem(c, xasprintf("%s:%zu: %s is listed twice", path, lineno, id));
        if (c->ntests == cap) {
            cap = cap ? 2 * cap : 32;
            c->tests = realloc(c->tests, cap * sizeof *c->tests);
            if (!c->tests)
                die("out of memory");
        }
        struct test *t = &c->tests[c->ntests++];
        memset(t, 0, sizeof *t);
        t->id = xstrdup(id);
        t->points = pts;
        t->visibility = xstrdup(vis);
        t->is_memcheck = mc;
    }
    fclose(f);
    return 0;
}

/* ---- running a command with limits ----------------------------------------------------- */

struct opts {
    const char *impl;
    const char *out;
    const char *build;
    const char *root;
    int jobs;
    bool verbose, strict, memcheck, withhold, quiet;
    const char *expect; /* NULL, "full" or "zero" */
    double test_seconds;   /* wall-clock limit per test */
    double mc_seconds;     /* the same under valgrind */
    double compile_seconds;
    unsigned long seed;
    int nseeds;            /* --seeds N: run every test under seeds 1..N as well */
    rlim_t mem_bytes;
    bool same_user;        /* --same-user: never drop privileges */
    const char *only;      /* --tests SUBSTRING: grade only the tests whose id contains it */
    const char *rubric;    /* --rubric FILE: instead of grader/NN-slug/rubric (one chapter) */
};
static struct opts O;

/* ---- unprivileged users ----------------------------------------------------------------
 * As root (CI, Gradescope) every job slot runs student code as its own system user
 * mlphys-runN: RLIMIT_NPROC then really limits processes (root ignores it), the code cannot
 * write the grader's files, and after each job every process of that user is killed, also
 * those that left the process group with setsid().  Without root, process groups only. */
#define SANDBOX_NPROC 64
static void kill_user(int slot);
static uid_t slot_uid[MAX_JOBS + 1];
static gid_t slot_gid[MAX_JOBS + 1];
static bool sandboxed;

static void setup_users(int nslots)
{
    if (geteuid() != 0 || O.same_user)
        return;
    /* Users are claimed exclusively (flock on /tmp/mlphys-runN.lock, held until this process
     * exits): two engines on one machine never share a user, so neither its process limit nor
     * the kill-everything-of-this-user after each job can reach the other's tests. */
    int got = 0;
    for (int n = 0; n < 256 && got < nslots; n++) {
        char name[32], lock[64];
        snprintf(name, sizeof name, "mlphys-run%d", n);
        snprintf(lock, sizeof lock, "/tmp/mlphys-run%d.lock", n);
        int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);
            continue; /* another engine has it; the fd stays open (and locked) otherwise */
        }
        struct passwd *pw = getpwnam(name);
        if (!pw) {
            char *cmd = xasprintf("useradd --system --no-create-home --home-dir /nonexistent "
                                  "--shell /usr/sbin/nologin %s >/dev/null 2>&1", name);
            int rc = system(cmd);
            free(cmd);
            pw = getpwnam(name);
            if (rc != 0 || !pw) {
                fprintf(stderr, "mlphys-grade: cannot create user %s; student code runs as root, "
                        "with process groups as the only containment\n", name);
                return;
            }
        }
        slot_uid[got] = pw->pw_uid;
        slot_gid[got] = pw->pw_gid;
        got++;
        /* stale processes of a crashed earlier engine must not count against our limit */
        sandboxed = true;
        kill_user(got - 1);
        sandboxed = false;
    }
    sandboxed = got == nslots;
    if (!sandboxed)
        fprintf(stderr, "mlphys-grade: could not claim %d sandbox users; student code runs as "
                "root, with process groups as the only containment\n", nslots);
}

/* In a child, before exec: become the slot's user. */
static void drop_to(int slot)
{
    if (!sandboxed)
        return;
    if (setgroups(0, NULL) || setgid(slot_gid[slot]) || setuid(slot_uid[slot])) {
        fprintf(stderr, "cannot drop privileges: %s\n", strerror(errno));
        _exit(125);
    }
}

/* Kill every process of the slot's user (from a child that becomes that user). */
static void kill_user(int slot)
{
    if (!sandboxed)
        return;
    pid_t k = fork();
    if (k == 0) {
        if (setgroups(0, NULL) || setgid(slot_gid[slot]) || setuid(slot_uid[slot]))
            _exit(1);
        kill(-1, SIGKILL); /* everything this user may signal: its own processes, not us */
        _exit(0);
    }
    if (k > 0)
        waitpid(k, NULL, 0);
}

static void give_to(const char *path, int slot)
{
    if (sandboxed && chown(path, slot_uid[slot], slot_gid[slot]) != 0)
        die("chown %s: %s", path, strerror(errno));
}

struct job {
    pid_t pid;
    struct chapter *ch;
    struct test *t;
    char *dir;
    int fd_out, fd_err;
    char *buf_out, *buf_err;
    size_t n_out, n_err;
    bool trunc_out, trunc_err;
    double start, deadline;
    bool killed_for_time;
    int wstatus;
    unsigned long seed;
    int slot;
    char *token;
    bool mc;               /* under valgrind */
    bool for_points;       /* a memcheck run for the chapter's @memcheck points */
};

static void set_limits(double wall)
{
    struct rlimit r;
    r.rlim_cur = r.rlim_max = O.mem_bytes; /* address space: a 10 GB malloc fails cleanly */
    setrlimit(RLIMIT_AS, &r);
    r.rlim_cur = r.rlim_max = 64UL << 20; /* 64 MiB per file written */
    setrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = r.rlim_max = (rlim_t)(wall + 10);
    setrlimit(RLIMIT_CPU, &r);
    r.rlim_cur = r.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &r);
    /* Processes: counted per user, so only meaningful for a slot's own user (root ignores it,
     * and on a student's laptop it would count their desktop's processes too). */
    if (sandboxed) {
        r.rlim_cur = r.rlim_max = SANDBOX_NPROC;
        setrlimit(RLIMIT_NPROC, &r);
    }
}

/* Start argv in its own process group with stdout/stderr on pipes. */
static pid_t spawn(char *const argv[], char *const envp_extra[], const char *dir, double wall,
                   int slot, int *fd_out, int *fd_err)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        if (dir && chdir(dir) != 0)
            _exit(126);
        for (char *const *e = envp_extra; e && *e; e++)
            putenv(*e);
        /* Criterion's runner binds /tmp/criterion_PID.sock (hard-coded): a stale one from a
         * killed runner of another user, with our recycled PID, would make it abort. */
        char sock[64];
        snprintf(sock, sizeof sock, "/tmp/criterion_%llu.sock", (unsigned long long)getpid());
        unlink(sock);
        set_limits(wall);
        drop_to(slot);
        execvp(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so there is no race */
    close(po[1]);
    close(pe[1]);
    fcntl(po[0], F_SETFL, O_NONBLOCK);
    fcntl(pe[0], F_SETFL, O_NONBLOCK);
    *fd_out = po[0];
    *fd_err = pe[0];
    return pid;
}

/* Read what is available; keep up to the cap, count and discard the rest. */
static void drain(int fd, char **buf, size_t *n, bool *trunc)
{
    char tmp[65536];
    for (;;) {
        ssize_t k = read(fd, tmp, sizeof tmp);
        if (k <= 0)
            return;
        if (!*buf)
            *buf = xcalloc(OUTPUT_CAP + 1, 1);
        size_t room = OUTPUT_CAP - *n;
        size_t take = (size_t)k < room ? (size_t)k : room;
        memcpy(*buf + *n, tmp, take);
        *n += take;
        if ((size_t)k > take)
            *trunc = true;
    }
}

/* Run a command to completion (used for the compiler): returns its wait status, or -1 when it
 * was stopped for time.  Output (stdout and stderr) goes to *out. */
static int run_simple(char *const argv[], double wall, char **out)
{
    int fo, fe;
    pid_t pid = spawn(argv, NULL, NULL, wall, 0, &fo, &fe);
    char *buf = NULL;
    size_t n = 0;
    bool trunc = false;
    double deadline = now() + wall;
    int ws = 0;
    bool killed = false;
    for (;;) {
        struct pollfd p[2] = {{fo, POLLIN, 0}, {fe, POLLIN, 0}};
        poll(p, 2, 50);
        drain(fo, &buf, &n, &trunc);
        drain(fe, &buf, &n, &trunc);
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid)
            break;
        if (now() > deadline && !killed) {
            kill(-pid, SIGKILL);
            killed = true;
        }
    }
    kill(-pid, SIGKILL);
    kill_user(0);
    drain(fo, &buf, &n, &trunc);
    drain(fe, &buf, &n, &trunc);
    close(fo);
    close(fe);
    if (!buf)
        buf = xcalloc(1, 1);
    sanitize(buf);
    *out = buf;
    return killed ? -1 : ws;
}

/* ---- building a chapter ---------------------------------------------------------------- */

static char **split_words(const char *s, char **argv, size_t *argc, size_t max)
{
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w && *argc < max - 1;
         w = strtok_r(NULL, " \t\n", &save))
        argv[(*argc)++] = w;
    argv[*argc] = NULL;
    return argv;
}

static int count_warnings(const char *s)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "warning:")); p++)
        n++;
    return n;
}

static void build_chapter(struct chapter *c)
{
    const char *cc = getenv("MLPHYS_CC"), *cflags = getenv("MLPHYS_CFLAGS"),
               *ldlibs = getenv("MLPHYS_LDLIBS");
    if (!cc || !cflags || !ldlibs)
        die("MLPHYS_CC, MLPHYS_CFLAGS and MLPHYS_LDLIBS must be set (run me through make)");
    if (access(c->src, R_OK) != 0) {
        c->compile_output = xasprintf("no file %s: the chapter's file is missing from the "
                                      "submission", c->src);
        return;
    }
    /* keep exactly what was graded, beside the report */
    char *keep = xasprintf("%s/%s.c", c->work, c->name);
    char *cp = xasprintf("cp -- '%s' '%s'", c->src, keep);
    if (strchr(c->src, '\'') || system(cp) != 0)
        fprintf(stderr, "mlphys-grade: could not keep a copy of %s\n", c->src);
    free(cp);
    free(keep);
    char *obj = xasprintf("%s/student.o", c->work);
    char *inc_ch = xasprintf("-I%s/chapters/%s", O.root, c->slug);
    char *inc_common = xasprintf("-I%s/chapters/common", O.root);
    char *argv[256];
    size_t argc = 0;
    split_words(cc, argv, &argc, 256);
    split_words(cflags, argv, &argc, 256);
    char *fixed[] = {"-Dmain=mlphys_student_main", inc_ch, inc_common, "-c", c->src, "-o", obj};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed && argc < 255; i++)
        argv[argc++] = fixed[i];
    argv[argc] = NULL;
    char *out;
    int ws = run_simple(argv, O.compile_seconds, &out);
    c->warnings = count_warnings(out);
    if (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char *head = first_lines(out, COMPILE_LINES);
        c->compile_output = ws == -1 ? xasprintf("the compiler did not finish within %.0f s",
                                                 O.compile_seconds)
                                     : xasprintf("%s does not compile:\n%s", c->src, head);
        free(head);
        free(out);
        return;
    }
    if (c->warnings)
        c->compile_output = first_lines(out, COMPILE_LINES);
    free(out);

    /* link: suite + student + support libraries */
    argc = 0;
    split_words(cc, argv, &argc, 256);
    char *suite = xasprintf("%s/%s/grader/%s/suite.o", O.root, O.build, c->slug);
    char *tlib = xasprintf("%s/%s/lib/libmlphys_test.a", O.root, O.build);
    char *clib = xasprintf("%s/%s/lib/libmlphys_common.a", O.root, O.build);
    char *link[] = {"-o", c->bin, suite, obj, tlib, clib};
    for (size_t i = 0; i < sizeof link / sizeof *link; i++)
        argv[argc++] = link[i];
    split_words(ldlibs, argv, &argc, 256);
    ws = run_simple(argv, O.compile_seconds, &out);
    if (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char *head = first_lines(out, COMPILE_LINES);
        c->compile_output = xasprintf("%s compiles but does not link (a missing function, or "
                                      "one defined twice?):\n%s", c->src, head);
        free(head);
        free(out);
        return;
    }
    free(out);
    c->gradable = true;
}

/* ---- running tests --------------------------------------------------------------------- */

/* A fresh random token per test run: the report and the completion marker must carry it. */
static char *new_token(void)
{
    unsigned char b[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, b, sizeof b) != (ssize_t)sizeof b)
        die("cannot read /dev/urandom");
    close(fd);
    char *t = xcalloc(2 * sizeof b + 1, 1);
    for (size_t i = 0; i < sizeof b; i++)
        sprintf(t + 2 * i, "%02x", b[i]);
    return t;
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
    mkdir_p(j->dir);
    give_to(j->dir, slot);
    j->start = now();
    double wall = mc ? O.mc_seconds : O.test_seconds;
    if (!t)
        wall = O.mc_seconds * 3; /* the whole chapter in one runner */
    j->deadline = j->start + wall;
    char *token = new_token();
    j->token = xstrdup(token);
    char *env[16];
    int e = 0;
    env[e++] = xasprintf("MLPHYS_REPORT=%s/report.json", j->dir);
    env[e++] = xasprintf("MLPHYS_DONE=%s/done", j->dir);
    env[e++] = xasprintf("MLPHYS_TOKEN=%s", token);
    env[e++] = xasprintf("MLPHYS_IMPL_FILE=%s", c->src);
    env[e++] = xasprintf("MLPHYS_DATA_DIR=%s/data", O.root);
    env[e++] = xasprintf("MLPHYS_SEED=%lu", seed);
    if (mc)
        env[e++] = xstrdup("MLPHYS_TIMEOUT_SCALE=40");
    env[e] = NULL;
    /* a whole-chapter run takes every test, or the only one selected (--tests) */
    const struct test *only = t;
    size_t selected = 0;
    for (size_t k = 0; !t && k < c->ntests; k++)
        if (!c->tests[k].is_memcheck)
            selected++, only = &c->tests[k];
    char *filter = (t || selected == 1) ? xasprintf("--filter=%s", only->id) : xstrdup("--filter=*/*");
    char *vglog = xasprintf("--log-file=%s/vg.%%p.log", j->dir);
    char *argv_plain[] = {c->bin, filter, "-j1", "--color=never", "-S", NULL};
    char *argv_vg[] = {"valgrind", "--tool=memcheck", "--trace-children=yes",
                       "--leak-check=full", "--errors-for-leak-kinds=definite",
                       "--track-origins=yes", "--num-callers=20", vglog, c->bin, filter,
                       "-j1", "--color=never", "-S", NULL};
    j->pid = spawn(mc ? argv_vg : argv_plain, env, O.root, wall, slot, &j->fd_out, &j->fd_err);
    free(token);
}

/* The suite's .fini marker "TOKEN suite/test": present only if the test body returned. */
static bool completed(const struct job *j, const char *token)
{
    char *path = xasprintf("%s/done", j->dir);
    char *s = read_file(path, 1 << 20);
    free(path);
    if (!s)
        return false;
    char *want = xasprintf("%s %s\n", token, j->t->id);
    bool ok = strstr(s, want) != NULL;
    free(want);
    free(s);
    return ok;
}

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

/* Parse valgrind's logs of one test: errors and definite leaks, with the first frame that
 * points into the student's file. */
static void read_memcheck(struct job *j, const char *tag)
{
    struct test *t = j->t;
    const char *base = strrchr(j->ch->src, '/');
    base = base ? base + 1 : j->ch->src;
    char where[512] = "";
    char kind[256] = "";
    DIR *dir = opendir(j->dir);
    for (struct dirent *e; dir && (e = readdir(dir));) {
        if (strncmp(e->d_name, "vg.", 3) != 0)
            continue;
        char *path = xasprintf("%s/%s", j->dir, e->d_name);
        char *s = read_file(path, 4 << 20);
        free(path);
        if (!s)
            continue;
        if (tag) { /* a whole-chapter run: only the log of the worker that ran this test */
            char *want = xasprintf("MLPHYS_TEST %s\n", tag);
            bool mine = strstr(s, want) != NULL;
            free(want);
            if (!mine) {
                free(s);
                continue;
            }
        }
        char *p;
        if ((p = strstr(s, "ERROR SUMMARY: ")))
            t->mc_errors += atoi(p + 15);
        if ((p = strstr(s, "definitely lost: "))) {
            char num[64] = "";
            size_t k = 0;
            for (p += 17; *p && *p != ' ' && k < sizeof num - 1; p++)
                if (isdigit((unsigned char)*p))
                    num[k++] = *p;
            t->mc_definite += atol(num);
        }
        /* first error headline and the first frame in the student's file */
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
            char *body = strstr(line, "== ");
            if (!body)
                continue;
            body += 3;
            if (!*kind && (strstr(body, "Invalid ") == body || strstr(body, "Conditional jump") == body ||
                           strstr(body, "Use of uninitialised") == body ||
                           strstr(body, "are definitely lost") ||
                           strstr(body, "Syscall param") == body || strstr(body, "Mismatched free") == body))
                snprintf(kind, sizeof kind, "%s", body);
            if (*kind && !*where && strstr(body, base) && strchr(body, '(')) {
                char *q = strrchr(body, '(');
                snprintf(where, sizeof where, "%s", q);
            }
        }
        free(s);
    }
    if (dir)
        closedir(dir);
    if (t->mc_errors || t->mc_definite)
        t->mc_summary = xasprintf("%d memory error%s, %ld bytes definitely lost; first: %s %s",
                                  t->mc_errors, t->mc_errors == 1 ? "" : "s", t->mc_definite,
                                  *kind ? kind : "(see the valgrind log)", where);
}

static void judge(struct job *j, struct test *t)
{
    t->seconds = now() - j->start;
    t->out = j->buf_out ? j->buf_out : xstrdup("");
    t->err = j->buf_err ? j->buf_err : xstrdup("");
    sanitize(t->out);
    sanitize(t->err);
    if (j->trunc_out) {
        char *s = xasprintf("%s\n[... output cut at %d KiB]", t->out, OUTPUT_CAP / 1024);
        free(t->out);
        t->out = s;
    }
    if (j->trunc_err) {
        char *s = xasprintf("%s\n[... output cut at %d KiB]", t->err, OUTPUT_CAP / 1024);
        free(t->err);
        t->err = s;
    }
    char *token = xstrdup(j->token);
    char *rpath = xasprintf("%s/report.json", j->dir);
    json_error_t jerr;
    json_t *root = json_load_file(rpath, 0, &jerr);
    free(rpath);
    json_t *entry = NULL;
    if (root && token && json_is_string(json_object_get(root, "token")) &&
        strcmp(json_string_value(json_object_get(root, "token")), token) == 0) {
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
    }
    int ws = j->wstatus;
    if (entry) {
        const char *d = json_string_value(json_object_get(entry, "description"));
        if (d)
            t->description = xstrdup(d);
    }
    if (j->killed_for_time) {
        t->status = ST_TIMEOUT;
        t->message = xasprintf("did not finish within %.0f s, so the grader stopped it: an endless "
                               "loop, a sleep, or far too slow?", O.test_seconds);
    } else if (!entry) {
        if (root && (!token || !json_is_string(json_object_get(root, "token")) ||
                     strcmp(json_string_value(json_object_get(root, "token")), token) != 0)) {
            t->status = ST_MISSING;
            t->message = xstrdup("the test's report was overwritten by something other than the "
                                 "grader: no result can be trusted, so it scores zero");
        } else if (WIFSIGNALED(ws)) {
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
            t->message = xasprintf("the test program ended (exit status %d) before running the "
                                   "test: does your file call exit() at load time, for example "
                                   "in a constructor, or define main()?", t->exit_code);
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
    } else if (!token || !completed(j, token)) {
        t->status = ST_EXIT;
        t->exit_code = (int)json_integer_value(json_object_get(entry, "exit_code"));
        t->message = xasprintf("your code called exit() or _exit() (status %d) in the middle of "
                               "the test: a library function must return an error code instead",
                               t->exit_code);
    } else if (strcmp(json_string_value(json_object_get(entry, "status")), "passed") == 0) {
        t->status = ST_PASSED;
    } else {
        t->status = ST_FAILED;
        t->message = messages_text(json_object_get(entry, "messages"));
        if (!*t->message) {
            free(t->message);
            t->message = xstrdup("failed without a message");
        }
    }
    json_decref(root);
    free(token);
}

static void free_result(struct test *r)
{
    free(r->description), free(r->message), free(r->out), free(r->err), free(r->mc_summary);
}

/* A test's result is its first run's, unless a later seed fails: then that failure, with
 * the seed named.  Passing means passing under every seed. */
static void finish_job(struct job *j);

/* A whole chapter ran in one valgrind runner: judge every test from the shared report, and
 * read the findings of the worker log tagged with its name. */
static void finish_chapter_job(struct job *j)
{
    for (size_t k = 0; k < j->ch->ntests; k++) {
        struct test *t = &j->ch->tests[k];
        if (t->is_memcheck)
            continue;
        struct job jj = *j;
        jj.t = t;
        jj.mc = false; /* read_memcheck below, with the tag */
        jj.buf_out = k == 0 ? j->buf_out : NULL; /* the output belongs to the whole run */
        jj.buf_err = k == 0 ? j->buf_err : NULL;
        finish_job(&jj);
        struct test r = {.id = t->id};
        jj.t = &r;
        read_memcheck(&jj, t->id);
        t->mc_errors = r.mc_errors, t->mc_definite = r.mc_definite;
        free(t->mc_summary);
        t->mc_summary = r.mc_summary;
    }
}

static void finish_job(struct job *j)
{
    if (!j->t) {
        finish_chapter_job(j);
        return;
    }
    struct test *t = j->t, r = {.id = t->id, .visibility = t->visibility, .points = t->points};
    judge(j, &r);
    if (j->mc) {
        struct job jj = *j;
        jj.t = &r;
        read_memcheck(&jj, NULL);
    }
    if (j->for_points) {
        /* the chapter's @memcheck entry collects the findings */
        struct test *m = NULL;
        for (size_t k = 0; k < j->ch->ntests; k++)
            if (j->ch->tests[k].is_memcheck)
                m = &j->ch->tests[k];
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
        return;
    }
    bool first = t->runs++ == 0;
    if (first || (t->status == ST_PASSED && r.status != ST_PASSED)) {
        free_result(t);
        t->status = r.status, t->signal = r.signal, t->exit_code = r.exit_code;
        t->description = r.description, t->out = r.out, t->err = r.err;
        t->mc_errors = r.mc_errors, t->mc_definite = r.mc_definite, t->mc_summary = r.mc_summary;
        t->message = r.message;
        if (!first || O.nseeds) {
            t->failed_seed = j->seed;
            if (r.message && r.status != ST_PASSED) {
                t->message = xasprintf("[seed %lu] %s", j->seed, r.message);
                free(r.message);
            }
        }
        t->seconds = r.seconds;
    } else {
        if (r.description && !t->description)
            t->description = r.description, r.description = NULL;
        free_result(&r);
    }
}

struct work { struct chapter *ch; size_t ti; unsigned long seed; bool mc, for_points; };

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
            start_job(&jobs[s], w->ch, w->ti == SIZE_MAX ? NULL : &w->ch->tests[w->ti], w->ti, w->seed,
                      s, w->mc);
            jobs[s].for_points = w->for_points;
            busy[s] = true;
            running++;
        }
        if (running == 0)
            break;
        struct pollfd p[2 * MAX_JOBS];
        int np = 0;
        for (int s = 0; s < O.jobs; s++)
            if (busy[s]) {
                p[np++] = (struct pollfd){jobs[s].fd_out, POLLIN, 0};
                p[np++] = (struct pollfd){jobs[s].fd_err, POLLIN, 0};
            }
        poll(p, (nfds_t)np, 20);
        for (int s = 0; s < O.jobs; s++) {
            if (!busy[s])
                continue;
            struct job *j = &jobs[s];
            drain(j->fd_out, &j->buf_out, &j->n_out, &j->trunc_out);
            drain(j->fd_err, &j->buf_err, &j->n_err, &j->trunc_err);
            if (waitpid(j->pid, &j->wstatus, WNOHANG) == j->pid) {
                /* the runner is gone: kill whatever it left behind, in its group or not */
                kill(-j->pid, SIGKILL);
                kill_user(j->slot);
                sweep_criterion_leftovers();
                drain(j->fd_out, &j->buf_out, &j->n_out, &j->trunc_out);
                drain(j->fd_err, &j->buf_err, &j->n_err, &j->trunc_err);
                close(j->fd_out);
                close(j->fd_err);
                finish_job(j);
                busy[s] = false;
                running--;
                done++;
                if (tty)
                    fprintf(stderr, "\r  grading: %zu/%zu test runs", done, total);
            } else if (now() > j->deadline && !j->killed_for_time) {
                kill(-j->pid, SIGKILL);
                j->killed_for_time = true;
            }
        }
    }
    if (tty && total)
        fprintf(stderr, "\r%*s\r", 50, "");
}

static struct test *memcheck_entry(struct chapter *c)
{
    for (size_t k = 0; k < c->ntests; k++)
        if (c->tests[k].is_memcheck)
            return &c->tests[k];
    return NULL;
}

/* Phase 1: every test under every seed.  Phase 2, for chapters whose rubric has @memcheck
 * points (and when not already under valgrind): every test that passed, again under valgrind. */
static void run_all(struct chapter *chs, size_t nch)
{
    int nseeds = O.nseeds > 0 ? O.nseeds + 1 : 1;
    size_t cap = 0, n = 0;
    for (size_t c = 0; c < nch; c++)
        cap += chs[c].ntests * (size_t)(nseeds + 1);
    struct work *q = xcalloc(cap + nch, sizeof *q);
    for (size_t c = 0; c < nch; c++)
        for (int si = 0; si < nseeds && chs[c].gradable; si++) {
            if (O.memcheck) { /* one valgrind runner per chapter: valgrind's start-up dominates */
                q[n++] = (struct work){&chs[c], SIZE_MAX, si == 0 ? O.seed : (unsigned long)si, true, false};
                continue;
            }
            for (size_t ti = 0; ti < chs[c].ntests; ti++)
                if (!chs[c].tests[ti].is_memcheck)
                    q[n++] = (struct work){&chs[c], ti, si == 0 ? O.seed : (unsigned long)si, false, false};
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
                q[n++] = (struct work){&chs[c], ti, O.seed, true, true};
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

/* Strict mode: list the tests the binary really has (a filter that matches nothing still
 * makes the report hook list every test as skipped) and compare with the rubric. */
static void compare_with_binary(struct chapter *c)
{
    struct test probe = {.id = xstrdup("mlphys-none/none"), .visibility = xstrdup("visible")};
    struct job j;
    start_job(&j, c, &probe, 999, O.seed, 0, false);
    double deadline = now() + 30;
    while (waitpid(j.pid, &j.wstatus, WNOHANG) != j.pid) {
        drain(j.fd_out, &j.buf_out, &j.n_out, &j.trunc_out);
        drain(j.fd_err, &j.buf_err, &j.n_err, &j.trunc_err);
        if (now() > deadline)
            kill(-j.pid, SIGKILL);
        usleep(10000);
    }
    kill(-j.pid, SIGKILL);
    kill_user(0);
    close(j.fd_out);
    close(j.fd_err);
    char *rpath = xasprintf("%s/report.json", j.dir);
    json_t *root = json_load_file(rpath, 0, NULL);
    free(rpath);
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
            add_problem(c, xasprintf("test %s has no line in grader/%s/rubric (no points)", id,
                                     c->slug));
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

/* ---- reporting ------------------------------------------------------------------------- */

static double score_of(const struct chapter *c, bool include_withheld, double *max)
{
    double s = 0, m = 0;
    for (size_t i = 0; i < c->ntests; i++) {
        const struct test *t = &c->tests[i];
        if (!include_withheld && is_withheld(t))
            continue;
        m += t->points;
        if (c->gradable && t->status == ST_PASSED)
            s += t->points;
    }
    *max = m;
    return s;
}

/* The grouping key of a failure: the first line of its message without a leading
 * "file:line: ", so that tests failing for the same reason group together.  A new string. */
static char *reason_key(const char *message)
{
    char *line = first_lines(message ? message : "", 1);
    line[strcspn(line, "\n")] = '\0';
    char *colon = strstr(line, ": "), *first = strchr(line, ':');
    if (colon && first < colon && strspn(first + 1, "0123456789") > 0)
        memmove(line, colon + 2, strlen(colon + 2) + 1);
    return line;
}

static void print_indented(const char *text, const char *indent)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(stdout, "%s%.*s\n", indent, (int)n, p);
        if (!nl)
            break;
        p = nl + 1;
    }
}

static void print_terminal(struct chapter *chs, size_t nch, double elapsed)
{
    bool show_withheld = !O.withhold;
    double total = 0, total_max = 0;
    int withheld_tests = 0;
    double withheld_points = 0;
    printf("\n  %-24s %8s %8s   %s\n", "chapter", "points", "out of", "");
    printf("  %-24s %8s %8s\n", "------------------------", "------", "------");
    for (size_t c = 0; c < nch; c++) {
        struct chapter *ch = &chs[c];
        double max, s = score_of(ch, show_withheld, &max);
        total += s;
        total_max += max;
        int failed = 0, wh = ch->hidden_tests_elsewhere;
        double whp = ch->hidden_points_elsewhere;
        for (size_t i = 0; i < ch->ntests; i++) {
            if (!show_withheld && is_withheld(&ch->tests[i])) {
                wh++;
                whp += ch->tests[i].points;
            } else if (ch->tests[i].status != ST_PASSED)
                failed++;
        }
        withheld_tests += wh;
        withheld_points += whp;
        char note[256];
        if (!ch->gradable)
            snprintf(note, sizeof note, "not gradable");
        else if (failed == 0) {
            int shown_hidden = 0;
            for (size_t i = 0; i < ch->ntests; i++)
                shown_hidden += show_withheld && is_withheld(&ch->tests[i]);
            if (wh)
                snprintf(note, sizeof note, "all visible tests passed");
            else if (shown_hidden)
                snprintf(note, sizeof note, "all tests passed, %d hidden one%s included", shown_hidden,
                         shown_hidden == 1 ? "" : "s");
            else
                snprintf(note, sizeof note, "all tests passed");
        }
        else
            snprintf(note, sizeof note, "%d test%s lost points", failed, failed == 1 ? "" : "s");
        printf("  %-24s %8g %8g   %s\n", ch->slug, s, max, note);
    }
    printf("  %-24s %8s %8s\n", "", "------", "------");
    printf("  %-24s %8g %8g\n", "total", total, total_max);
    if (withheld_tests)
        printf("\n  %d hidden test%s (%g points) %s graded by your instructor; their results are "
               "not shown here.\n", withheld_tests, withheld_tests == 1 ? "" : "s", withheld_points,
               withheld_tests == 1 ? "is" : "are");

    /* Why points were lost: grouped by reason, unless verbose. */
    for (size_t c = 0; c < nch; c++) {
        struct chapter *ch = &chs[c];
        bool header = false;
        if (!ch->gradable) {
            printf("\n%s: not gradable\n", ch->slug);
            print_indented(ch->compile_output ? ch->compile_output : "?", "    ");
            continue;
        }
        if (O.verbose) {
            printf("\n%s (%s)\n", ch->slug, ch->src);
            if (ch->warnings)
                printf("  compiled with %d warning%s:\n", ch->warnings, ch->warnings == 1 ? "" : "s"),
                    print_indented(ch->compile_output, "    ");
        }
        bool *shown = xcalloc(ch->ntests, sizeof *shown);
        for (size_t i = 0; i < ch->ntests; i++) {
            struct test *t = &ch->tests[i];
            if (!show_withheld && is_withheld(t))
                continue;
            if (O.verbose) {
                printf("  %s %-52s %4g/%-3g %s%s\n", t->status == ST_PASSED ? "PASS" : "FAIL",
                       t->id, t->status == ST_PASSED ? t->points : 0, t->points,
                       is_withheld(t) ? "(hidden) " : "", t->description ? t->description : "");
                if (t->status != ST_PASSED) {
                    printf("       %s:\n", status_name[t->status]);
                    print_indented(t->message ? t->message : "", "         ");
                    if (t->out && *t->out) {
                        char *h = first_lines(t->out, 4);
                        printf("       it printed:\n");
                        print_indented(h, "         | ");
                        free(h);
                    }
                }
                if (t->mc_summary)
                    printf("       memcheck: %s\n", t->mc_summary);
                continue;
            }
            if (t->status == ST_PASSED || shown[i])
                continue;
            if (!header) {
                printf("\n%s: where points were lost\n", ch->slug);
                header = true;
            }
            /* group every test that failed for the same first line of reason */
            char *r = reason_key(t->message);
            int n = 0;
            double pts = 0;
            char names[1024] = "";
            for (size_t k = i; k < ch->ntests; k++) {
                struct test *u = &ch->tests[k];
                if (shown[k] || u->status == ST_PASSED || (!show_withheld && is_withheld(u)))
                    continue;
                char *ur = reason_key(u->message);
                if (u->status == t->status && strcmp(ur, r) == 0) {
                    shown[k] = true;
                    n++;
                    pts += u->points;
                    if (n <= 4) {
                        size_t len = strlen(names);
                        snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", u->id);
                    }
                }
                free(ur);
            }
            if (n > 4) {
                size_t len = strlen(names);
                snprintf(names + len, sizeof names - len, " and %d more", n - 4);
            }
            printf("  - %s (%d test%s, %g point%s: %s)\n", status_name[t->status], n,
                   n == 1 ? "" : "s", pts, pts == 1 ? "" : "s", names);
            print_indented(n > 1 ? r : (t->message ? t->message : ""), "      ");
            free(r);
        }
        free(shown);
    }
    printf("\n  %.1f s; report: %s/report.json, Gradescope: %s/results.json\n", elapsed, O.out,
           O.out);
    if (!O.verbose && total < total_max)
        printf("  For every test and its feedback: make test CH=NN-slug\n");
}

static json_t *test_json(const struct chapter *c, const struct test *t)
{
    return json_pack("{s:s, s:s?, s:f, s:f, s:s, s:s, s:s?, s:i, s:i, s:f, s:s?, s:s?, s:i, s:I, s:s?}",
                     "id", t->id, "description", t->description, "points", t->points, "score",
                     (c->gradable && t->status == ST_PASSED) ? t->points : 0.0, "visibility",
                     t->visibility, "status", c->gradable ? status_name[t->status] : "not gradable",
                     "message", t->message, "signal", t->signal, "exit_code", t->exit_code,
                     "seconds", t->seconds, "stdout", t->out, "stderr", t->err, "memcheck_errors",
                     t->mc_errors, "memcheck_definitely_lost", (json_int_t)t->mc_definite,
                     "memcheck", t->mc_summary);
}

static void write_reports(struct chapter *chs, size_t nch, double elapsed)
{
    mkdir_p(O.out);
    json_t *chapters = json_array(), *gs_tests = json_array();
    double total = 0, total_max = 0;
    for (size_t c = 0; c < nch; c++) {
        struct chapter *ch = &chs[c];
        double max, s = score_of(ch, true, &max);
        total += s;
        total_max += max;
        json_t *tests = json_array();
        for (size_t i = 0; i < ch->ntests; i++) {
            struct test *t = &ch->tests[i];
            json_array_append_new(tests, test_json(ch, t));
            /* Gradescope: one entry per test; feedback text in output */
            char *out;
            if (!ch->gradable)
                out = xasprintf("not gradable: %s", ch->compile_output ? ch->compile_output : "");
            else if (t->status == ST_PASSED)
                out = xasprintf("%s", t->description ? t->description : "");
            else
                out = xasprintf("%s%s%s: %s%s%s", t->description ? t->description : "",
                                t->description ? "\n" : "", status_name[t->status],
                                t->message ? t->message : "", t->out && *t->out ? "\nIt printed:\n" : "",
                                t->out && *t->out ? t->out : "");
            json_array_append_new(
                gs_tests, json_pack("{s:s, s:f, s:f, s:s, s:s, s:s, s:s}", "name",
                                    xasprintf("%s: %s", ch->slug, t->id), "score",
                                    (ch->gradable && t->status == ST_PASSED) ? t->points : 0.0,
                                    "max_score", t->points, "status",
                                    (ch->gradable && t->status == ST_PASSED) ? "passed" : "failed",
                                    "output", out, "visibility", t->visibility, "name_format", "text"));
            free(out);
        }
        json_array_append_new(
            chapters, json_pack("{s:s, s:s, s:s, s:f, s:f, s:s?, s:i, s:o}", "chapter", ch->slug,
                                "file", ch->src, "status", ch->gradable ? "graded" : "not gradable",
                                "score", s, "max_score", max, "compile_output", ch->compile_output,
                                "warnings", ch->warnings, "tests", tests));
    }
    json_t *report = json_pack("{s:s, s:s, s:I, s:b, s:f, s:f, s:f, s:o}", "schema", "mlphys-report/1",
                               "impl", O.impl, "seed", (json_int_t)O.seed, "memcheck", O.memcheck,
                               "score", total, "max_score", total_max, "elapsed_seconds", elapsed,
                               "chapters", chapters);
    char *path = xasprintf("%s/report.json", O.out);
    if (json_dump_file(report, path, JSON_INDENT(2)) != 0)
        die("cannot write %s", path);
    free(path);
    json_decref(report);
    json_t *gs = json_pack("{s:f, s:f, s:f, s:s, s:s, s:o}", "score", total, "max_score", total_max,
                           "execution_time", elapsed, "output",
                           "Graded by mlphys-grade. Each test's feedback is below.", "visibility",
                           "visible", "tests", gs_tests);
    path = xasprintf("%s/results.json", O.out);
    if (json_dump_file(gs, path, JSON_INDENT(2)) != 0)
        die("cannot write %s", path);
    free(path);
    json_decref(gs);
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(void)
{
    puts("usage: mlphys-grade [options] CHAPTER...\n"
         "  --impl DIR        tree with NN-slug/NAME.c files (chapters, solutions, a submission)\n"
         "  --out DIR         where report.json and results.json go (default build/grade)\n"
         "  --build DIR       the build folder with suites and libraries (default $MLPHYS_BUILD or build)\n"
         "  --jobs N          tests run in parallel (default 2)\n"
         "  --seed N          MLPHYS_SEED for the tests (default $MLPHYS_SEED or 42)\n"
         "  --seeds N         also run every test under seeds 1..N; a test passes only if it\n"
         "                    passes under every seed (make check uses 20)\n"
         "  --test-seconds S  wall-clock limit per test (default 30; 600 with --memcheck)\n"
         "  --verbose         every test with its description and feedback\n"
         "  --memcheck        run every test under valgrind and report memory errors and leaks\n"
         "  --withhold-hidden do not show results of tests whose visibility is not 'visible'\n"
         "  --strict          the rubric must match the tests exactly (make check)\n"
         "  --expect full|zero|stub  exit 1 unless every chapter scores full marks / zero /\n"
         "                    zero with a 'not implemented yet' message on every test\n"
         "  --quiet           no progress line\n"
         "  --rubric FILE     use FILE as the rubric (with one chapter only)\n"
         "  --tests SUBSTR    grade only the tests whose id (suite/test) contains SUBSTR\n"
         "  --same-user       as root, do not run student code as the mlphys-runN users\n"
         "Exit status: 0 when grading finished (whatever the score), 1 when --expect or --strict\n"
         "or a memcheck finding failed, 2 on a usage or environment error.");
}

int main(int argc, char **argv)
{
    O.impl = "chapters";
    O.out = "build/grade";
    O.build = getenv("MLPHYS_BUILD") ? getenv("MLPHYS_BUILD") : "build";
    O.jobs = 2;
    O.seed = getenv("MLPHYS_SEED") ? strtoul(getenv("MLPHYS_SEED"), NULL, 10) : 42;
    O.test_seconds = 0;
    O.compile_seconds = 120;
    O.mem_bytes = 4UL << 30;
    const char *chapters[256];
    size_t nch = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV() do { if (!v) die("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "--impl")) { NEEDV(); O.impl = v; }
        else if (!strcmp(a, "--out")) { NEEDV(); O.out = v; }
        else if (!strcmp(a, "--build")) { NEEDV(); O.build = v; }
        else if (!strcmp(a, "--jobs")) { NEEDV(); O.jobs = atoi(v); }
        else if (!strcmp(a, "--seed")) { NEEDV(); O.seed = strtoul(v, NULL, 10); }
        else if (!strcmp(a, "--seeds")) { NEEDV(); O.nseeds = atoi(v); }
        else if (!strcmp(a, "--test-seconds")) { NEEDV(); O.test_seconds = atof(v); }
        else if (!strcmp(a, "--expect")) { NEEDV(); O.expect = v; }
        else if (!strcmp(a, "--verbose")) O.verbose = true;
        else if (!strcmp(a, "--memcheck")) O.memcheck = true;
        else if (!strcmp(a, "--withhold-hidden")) O.withhold = true;
        else if (!strcmp(a, "--strict")) O.strict = true;
        else if (!strcmp(a, "--same-user")) O.same_user = true;
        else if (!strcmp(a, "--tests")) { NEEDV(); O.only = v; }
        else if (!strcmp(a, "--rubric")) { NEEDV(); O.rubric = v; }
        else if (!strcmp(a, "--quiet")) O.quiet = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(); return 0; }
        else if (a[0] == '-') die("unknown option %s (try --help)", a);
        else if (nch < 256) chapters[nch++] = a;
#undef NEEDV
    }
    if (O.jobs < 1) O.jobs = 1;
    if (O.jobs > MAX_JOBS) O.jobs = MAX_JOBS;
    if (O.test_seconds <= 0)
        O.test_seconds = O.memcheck ? 600 : 30;
    O.mc_seconds = O.test_seconds > 600 ? O.test_seconds : 600;
    if (O.expect && strcmp(O.expect, "full") && strcmp(O.expect, "zero") && strcmp(O.expect, "stub"))
        die("--expect takes full, zero or stub");
    if (O.memcheck)
        O.mem_bytes = RLIM_INFINITY; /* valgrind reserves large address ranges */
    if (nch == 0)
        die("no chapter given (try --help)");
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        die("getcwd: %s", strerror(errno));
    O.root = xstrdup(cwd);
    signal(SIGPIPE, SIG_IGN);

    /* The implementation tree, as an absolute path (a submission folder may be anywhere). */
    char implabs[PATH_MAX];
    if (!realpath(O.impl, implabs))
        die("--impl %s: %s", O.impl, strerror(errno));
    char *outabs = O.out[0] == '/' ? xstrdup(O.out) : xasprintf("%s/%s", O.root, O.out);
    O.out = outabs;
    char *work = xasprintf("%s/work", O.out);
    char *rm = xasprintf("rm -rf '%s'", work);
    if (system(rm) != 0)
        die("cannot clean %s", work);
    free(rm);

    setup_users(O.jobs);
    sweep_criterion_leftovers();
    struct chapter *chs = xcalloc(nch, sizeof *chs);
    double t0 = now();
    bool problems = false;
    for (size_t c = 0; c < nch; c++) {
        struct chapter *ch = &chs[c];
        ch->slug = xstrdup(chapters[c]);
        const char *dash = strchr(ch->slug, '-');
        if (!dash || strchr(ch->slug, '/') || strstr(ch->slug, ".."))
            die("%s is not a chapter name like 01-svd", ch->slug);
        ch->name = xstrdup(dash + 1);
        for (char *p = ch->name; *p; p++)
            if (*p == '-')
                *p = '_';
        char *rel = xasprintf("%s/%s/%s.c", implabs, ch->slug, ch->name);
        /* show a path relative to the project when it is inside it */
        size_t rl = strlen(O.root);
        ch->src = (strncmp(rel, O.root, rl) == 0 && rel[rl] == '/') ? xstrdup(rel + rl + 1) : xstrdup(rel);
        free(rel);
        ch->work = xasprintf("%s/%s", work, ch->slug);
        ch->bin = xasprintf("%s/tests", ch->work);
        mkdir_p(ch->work);
        give_to(ch->work, 0);
        if (O.rubric && nch != 1)
            die("--rubric goes with exactly one chapter");
        char *rubric = O.rubric ? xstrdup(O.rubric) : xasprintf("%s/grader/%s/rubric", O.root, ch->slug);
        if (read_rubric(ch, rubric) != 0)
            die("no rubric %s", rubric);
        free(rubric);
        if (O.only) {
            size_t kept = 0;
            for (size_t k = 0; k < ch->ntests; k++)
                if (strstr(ch->tests[k].id, O.only) || ch->tests[k].is_memcheck)
                    ch->tests[kept++] = ch->tests[k];
            ch->ntests = kept;
        }
        build_chapter(ch);
        if (O.strict && ch->gradable)
            compare_with_binary(ch);
        for (size_t k = 0; k < ch->nproblems; k++) {
            fprintf(stderr, "mlphys-grade: %s: %s\n", ch->slug, ch->problems[k]);
            problems = true;
        }
    }
    run_all(chs, nch);
    double elapsed = now() - t0;
    write_reports(chs, nch, elapsed);
    if (!O.quiet)
        print_terminal(chs, nch, elapsed);

    int rc = 0;
    if (O.strict && problems)
        rc = 1;
    for (size_t c = 0; c < nch && O.expect; c++) {
        double max, s = score_of(&chs[c], true, &max);
        bool ok = !strcmp(O.expect, "full") ? (chs[c].gradable && s == max) : (s == 0);
        if (!strcmp(O.expect, "stub")) {
            ok = ok && chs[c].gradable;
            for (size_t i = 0; i < chs[c].ntests; i++) {
                const char *m = chs[c].tests[i].message;
                if (!m || !strstr(m, "not implemented yet")) {
                    fprintf(stderr, "mlphys-grade: %s: the stub's failure of %s does not say "
                            "'not implemented yet': %s\n", chs[c].slug, chs[c].tests[i].id,
                            m ? m : "(no message)");
                    ok = false;
                }
            }
        }
        if (!ok) {
            fprintf(stderr, "mlphys-grade: expected %s marks for %s, got %g of %g\n", O.expect,
                    chs[c].slug, s, max);
            rc = 1;
        }
    }
    if (O.memcheck)
        for (size_t c = 0; c < nch; c++)
            for (size_t i = 0; i < chs[c].ntests; i++)
                if (chs[c].tests[i].mc_summary)
                    rc = 1;
    return rc;
}
