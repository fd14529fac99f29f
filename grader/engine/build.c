/* build.c: from the student's file to a test binary.
 *
 *   1. The file is copied by the engine (root): a symbolic link, or a path that leaves the
 *      submission through a linked folder, is refused.
 *   2. It is compiled as the sandbox user, inside the private namespaces (sandbox.c), in a
 *      scratch folder that holds only the file and the headers it may include: the project,
 *      solutions, hidden tests, rubrics and other submissions are not there to #include or
 *      .incbin.  The compiler runs in the C locale, so its quotes are plain ASCII.
 *   3. The object is taken over by root and checked against the allow-list (linkcheck.c).
 *   4. Root links it with the chapter's suite into a binary that only root can write.
 */
#define _GNU_SOURCE
#include "build.h"

#include "linkcheck.h"
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t split_words(const char *s, char **argv, size_t argc, size_t max)
{
    char *copy = xstrdup(s), *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w && argc < max - 1; w = strtok_r(NULL, " \t\n", &save))
        argv[argc++] = w;
    argv[argc] = NULL;
    return argc;
}

static int count_warnings(const char *s)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "warning:")); p++)
        n++;
    return n;
}

/* Runs a command to completion: its wait status, or -1 when it was stopped for time. */
int run_to_end(const struct spawn_req *r, char **out)
{
    struct spawned s;
    sandbox_spawn(r, &s);
    char *buf = NULL;
    size_t n = 0;
    double deadline = now() + r->wall;
    int ws = 0;
    bool killed = false;
    for (;;) {
        struct pollfd p[2] = {{s.fd_out, POLLIN, 0}, {s.fd_err, POLLIN, 0}};
        poll(p, 2, 50);
        for (int i = 0; i < 2; i++) {
            char tmp[65536];
            ssize_t k;
            while ((k = read(i ? s.fd_err : s.fd_out, tmp, sizeof tmp)) > 0)
                if (n < (1u << 20))
                    append(&buf, &n, tmp, (size_t)k);
        }
        if (waitpid(s.pid, &ws, WNOHANG) == s.pid)
            break;
        if (now() > deadline && !killed) {
            kill(-s.pid, SIGKILL);
            killed = true;
        }
    }
    kill(-s.pid, SIGKILL);
    if (r->sandbox)
        sandbox_kill_user(r->slot);
    char tmp[65536];
    ssize_t k;
    while ((k = read(s.fd_out, tmp, sizeof tmp)) > 0)
        if (n < (1u << 20))
            append(&buf, &n, tmp, (size_t)k);
    while ((k = read(s.fd_err, tmp, sizeof tmp)) > 0)
        if (n < (1u << 20))
            append(&buf, &n, tmp, (size_t)k);
    close(s.fd_out);
    close(s.fd_err);
    if (!buf)
        buf = xstrdup("");
    sanitize_utf8(buf);
    *out = buf;
    return killed ? -1 : ws;
}

/* The student's file, checked: a regular file at exactly impl/NN-slug/NAME.c, with no symbolic
 * link on the way below the submission's root.  NULL, or why not in words. */
static char *check_source(const struct chapter *c)
{
    struct stat st;
    if (lstat(c->src_abs, &st) != 0)
        return xasprintf("no file %s: the chapter's file is missing from the submission", c->src);
    if (S_ISLNK(st.st_mode))
        return xasprintf("%s is a symbolic link: submit the file itself", c->src);
    if (!S_ISREG(st.st_mode))
        return xasprintf("%s is not a regular file", c->src);
    if (st.st_size > (4 << 20))
        return xasprintf("%s is larger than 4 MiB", c->src);
    char real[PATH_MAX];
    if (!realpath(c->src_abs, real) || strcmp(real, c->src_abs) != 0)
        return xasprintf("%s is reached through a symbolic link to a folder: submit the file "
                         "itself", c->src);
    return NULL;
}

static void copy_headers(const char *from_dir, const char *to_dir)
{
    DIR *d = opendir(from_dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".h") != 0)
            continue;
        char *a = xasprintf("%s/%s", from_dir, e->d_name), *b = xasprintf("%s/%s", to_dir, e->d_name);
        if (copy_file_safe(a, b, 0644) != 0)
            die("cannot copy %s: %s", a, strerror(errno));
        free(a), free(b);
    }
    if (d)
        closedir(d);
}

static char *build_path(const char *rel)
{
    return O.build[0] == '/' ? xasprintf("%s/%s", O.build, rel) : xasprintf("%s/%s/%s", O.root, O.build, rel);
}

void build_chapter(struct chapter *c)
{
    const char *cc = getenv("MLPHYS_CC"), *cflags = getenv("MLPHYS_CFLAGS"),
               *ldlibs = getenv("MLPHYS_LDLIBS");
    if (!cc || !cflags || !ldlibs)
        die("MLPHYS_CC, MLPHYS_CFLAGS and MLPHYS_LDLIBS must be set (run me through make)");
    char *why = check_source(c);
    if (why) {
        c->compile_output = why;
        return;
    }
    /* the work folder: root's; src/ and obj/ the compiling user's */
    char *src_dir = xasprintf("%s/src", c->work), *inc_dir = xasprintf("%s/src/include", c->work),
         *obj_dir = xasprintf("%s/obj", c->work);
    if (mkdir_p(inc_dir, 0711) || mkdir_p(obj_dir, 0700) || chmod(src_dir, 0711))
        die("cannot create %s: %s", c->work, strerror(errno));
    char *src_copy = xasprintf("%s/%s.c", src_dir, c->name);
    char *kept = xasprintf("%s/%s.c", c->work, c->name); /* exactly what was graded, for review */
    /* the compiling user's copy is its own (0600): no other sandbox user can read it */
    if (copy_file_safe(c->src_abs, kept, 0600) != 0 || copy_file_safe(kept, src_copy, 0600) != 0) {
        c->compile_output = xasprintf("%s could not be read: %s", c->src, strerror(errno));
        goto out;
    }
    char *ch_inc = xasprintf("%s/chapters/%s", O.root, c->slug), *common_inc = xasprintf("%s/chapters/common", O.root);
    copy_headers(ch_inc, inc_dir);
    copy_headers(common_inc, inc_dir);
    sandbox_give(obj_dir, 0);
    sandbox_give(src_copy, 0);

    char *argv[300];
    size_t argc = split_words(cc, argv, 0, 300);
    argc = split_words(cflags, argv, argc, 300);
    char *obj_rel = xstrdup("../obj/student.o"), *src_rel = xasprintf("%s.c", c->name);
    char *fixed[] = {"-Dmain=mlphys_student_main", "-Iinclude", "-c", src_rel, "-o", obj_rel};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed && argc < 299; i++)
        argv[argc++] = fixed[i];
    argv[argc] = NULL;
    const char *extra[] = {"LC_ALL=C", NULL};
    char **env = sandbox_env(extra);
    struct spawn_req r = {.argv = argv, .env = env, .cwd = src_dir, .wall = O.compile_seconds,
                          .mem = 4UL << 30, .slot = 0, .sandbox = true, .expose_rw = c->work};
    char *out;
    int ws = run_to_end(&r, &out);
    sandbox_free_env(env);
    unlink(src_copy); /* the kept copy beside the report is root's */
    c->warnings = count_warnings(out);
    if (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char *head = first_lines(out, COMPILE_LINES);
        c->compile_output = ws == -1 ? xasprintf("the compiler did not finish within %.0f s", O.compile_seconds)
                            : WIFSIGNALED(ws) ? xasprintf("the compiler was killed by %s", signal_words(WTERMSIG(ws)))
                                              : xasprintf("%s does not compile:\n%s", c->src, head);
        free(head);
        free(out);
        goto out_argv;
    }
    if (c->warnings)
        c->compile_output = first_lines(out, COMPILE_LINES);
    free(out);

    /* root takes the object over: the compiling user cannot change it after the check */
    char *obj_user = xasprintf("%s/student.o", obj_dir), *obj = xasprintf("%s/student.o", c->work);
    if (copy_file_safe(obj_user, obj, 0644) != 0) {
        c->compile_output = xasprintf("%s compiled, but left no object file", c->src);
        goto out_obj;
    }
    if (!O.no_link_check) {
        char *hdr = xasprintf("%s/chapters/%s/%s.h", O.root, c->slug, c->name);
        char *hflags[300];
        size_t hn = split_words(cflags, hflags, 0, 290);
        hflags[hn++] = xasprintf("-I%s", common_inc);
        hflags[hn] = NULL;
        char **fns = NULL;
        size_t nfns = linkcheck_header_functions(hdr, cc, hflags, &fns);
        if (nfns == 0)
            die("cannot read the functions of %s (an instructor's problem)", hdr);
        char *refusal = linkcheck_object(obj, cc, fns, nfns, c->denies, c->ndenies);
        for (size_t i = 0; i < nfns; i++)
            free(fns[i]);
        free(fns);
        free(hdr);
        if (refusal) {
            c->refused = true;
            free(c->compile_output);
            c->compile_output = xasprintf("%s compiles, but the grader refuses to link it:\n%s", c->src, refusal);
            free(refusal);
            goto out_obj;
        }
    }

    /* link, as root: suite + student + support libraries */
    argc = split_words(cc, argv, 0, 300);
    char *suite_rel = xasprintf("grader/%s/suite.o", c->slug);
    char *suite = build_path(suite_rel), *tlib = build_path("lib/libmlphys_test.a"),
         *clib = build_path("lib/libmlphys_common.a");
    char *link[] = {"-o", c->bin, suite, obj, tlib, clib};
    for (size_t i = 0; i < sizeof link / sizeof *link; i++)
        argv[argc++] = link[i];
    argc = split_words(ldlibs, argv, argc, 300);
    char **lenv = sandbox_env(extra);
    struct spawn_req lr = {.argv = argv, .env = lenv, .cwd = c->work, .wall = O.compile_seconds,
                           .mem = 4UL << 30, .slot = 0, .sandbox = false};
    ws = run_to_end(&lr, &out);
    sandbox_free_env(lenv);
    if (ws == -1 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        char *head = first_lines(out, COMPILE_LINES);
        c->compile_output = xasprintf("%s compiles but does not link (a missing function, or one "
                                      "defined twice?):\n%s", c->src, head);
        free(head);
    } else {
        chmod(c->bin, 0755);
        c->gradable = true;
    }
    free(out);
    free(suite_rel), free(suite), free(tlib), free(clib);
out_obj:
    free(obj_user), free(obj);
out_argv:
    free(obj_rel), free(src_rel), free(ch_inc), free(common_inc);
out:
    free(src_dir), free(inc_dir), free(obj_dir), free(src_copy), free(kept);
}
