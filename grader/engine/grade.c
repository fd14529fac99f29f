/*
 * mlphys-grade: the grading engine.  It owns the truth about scores; student code never does.
 *
 * For every chapter: read the rubric (rubric.c); compile the student's file as an unprivileged
 * user in private namespaces, check the object against the allow-list and link it with the
 * chapter's Criterion suite (build.c, linkcheck.c, sandbox.c); run every rubric test as its own
 * runner, judged from the report the runner sends on a pipe (runner.c), under valgrind when
 * asked (memcheck.c); then report (report.c).  See grader/README.md and `mlphys-grade --help`.
 */
#define _GNU_SOURCE
#include "engine.h"

#include "build.h"
#include "report.h"
#include "rubric.h"
#include "runner.h"
#include "sandbox.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct opts O;

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
         "  --tests S1,S2     grade only the tests whose id (suite/test) contains one of them\n"
         "  --same-user       as root, do not run student code as the mlphys-runN users\n"
         "  --hide DIR        a folder student code must not see (repeatable; the project, the\n"
         "                    submission and the output folder are always hidden)\n"
         "  --no-link-check   skip the allow-list (the hostile catalogue tests each layer alone)\n"
         "  --no-namespaces   skip the private namespaces (the same)\n"
         "  --no-diagnose     do not re-run a chapter's first crashed test under valgrind to\n"
         "                    name the line (done by default)\n"
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
        else if (!strcmp(a, "--no-link-check")) O.no_link_check = true;
        else if (!strcmp(a, "--no-namespaces")) O.no_namespaces = true;
        else if (!strcmp(a, "--no-diagnose")) O.no_diagnose = true;
        else if (!strcmp(a, "--hide")) { NEEDV(); if (O.nhide < 16) O.hide[O.nhide++] = v; }
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
    O.impl_abs = xstrdup(implabs);
    char *outabs = O.out[0] == '/' ? xstrdup(O.out) : xasprintf("%s/%s", O.root, O.out);
    O.out = outabs;
    if (mkdir_p(O.out, 0755) != 0)
        die("cannot create %s: %s", O.out, strerror(errno));
    struct stat ost;
    if (lstat(O.out, &ost) != 0 || !S_ISDIR(ost.st_mode))
        die("--out %s is not a folder", O.out);
    if (geteuid() == 0 && (ost.st_uid != 0 || (ost.st_mode & 022)) &&
        (chown(O.out, 0, 0) != 0 || chmod(O.out, ost.st_mode & ~022 & 07777) != 0))
        die("cannot make %s root's own: %s", O.out, strerror(errno));
    /* a fresh start: nothing of an earlier run is read, or left beside this one's reports */
    char *work = xasprintf("%s/work", O.out);
    char *rm = xasprintf("rm -rf -- '%s' '%s/report.json' '%s/results.json'", work, O.out, O.out);
    if (strchr(O.out, '\'') || system(rm) != 0)
        die("cannot clean %s", O.out);
    free(rm);
    if (mkdir_p(work, 0711) != 0 || chmod(work, 0711) != 0)
        die("cannot create %s: %s", work, strerror(errno));

    bool root = geteuid() == 0;
    sandbox_setup(O.jobs, root && !O.same_user, root && !O.same_user && !O.no_namespaces);
    sandbox_hide(O.root);
    sandbox_hide(O.impl_abs);
    sandbox_hide(O.out);
    for (int i = 0; i < O.nhide; i++)
        sandbox_hide(O.hide[i]);
    static const char *const private_dirs[] = {"/root", "/home", "/autograder", NULL};
    for (size_t i = 0; private_dirs[i]; i++)
        sandbox_hide(private_dirs[i]);
    sandbox_sweep();
    if (root) {
        /* Defence in depth, and the only defence where namespaces are refused: instructor
         * folders are not for other users (owner and group keep their access). */
        static const char *const private_sub[] = {"solutions", "grader", NULL};
        for (size_t i = 0; private_sub[i]; i++) {
            char *p = xasprintf("%s/%s", O.root, private_sub[i]);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 007))
                chmod(p, st.st_mode & ~007 & 07777);
            free(p);
        }
    }
    struct chapter *chs = xcalloc(nch, sizeof *chs);
    double t0 = now();
    bool problems = false;
    for (size_t c = 0; c < nch; c++) {
        struct chapter *ch = &chs[c];
        ch->slug = xstrdup(chapters[c]);
        const char *dash = strchr(ch->slug, '-');
        if (!dash || strchr(ch->slug, '/') || strstr(ch->slug, "..") || strchr(ch->slug, '\''))
            die("%s is not a chapter name like 01-svd", ch->slug);
        ch->name = xstrdup(dash + 1);
        for (char *p = ch->name; *p; p++)
            if (*p == '-')
                *p = '_';
        ch->src_abs = xasprintf("%s/%s/%s.c", implabs, ch->slug, ch->name);
        /* show a path relative to the project when it is inside it */
        size_t rl = strlen(O.root);
        ch->src = (strncmp(ch->src_abs, O.root, rl) == 0 && ch->src_abs[rl] == '/') ? xstrdup(ch->src_abs + rl + 1)
                                                                                  : xstrdup(ch->src_abs);
        ch->work = xasprintf("%s/%s", work, ch->slug);
        ch->bin = xasprintf("%s/tests", ch->work);
        if (mkdir_p(ch->work, 0711) != 0 || chmod(ch->work, 0711) != 0)
            die("cannot create %s: %s", ch->work, strerror(errno));
        if (O.rubric && nch != 1)
            die("--rubric goes with exactly one chapter");
        char *rubric = O.rubric ? xstrdup(O.rubric) : xasprintf("%s/grader/%s/rubric", O.root, ch->slug);
        if (read_rubric(ch, rubric) != 0)
            die("no rubric %s", rubric);
        free(rubric);
        if (O.only) { /* a comma-separated list of substrings */
            size_t kept = 0;
            for (size_t k = 0; k < ch->ntests; k++) {
                bool keep = ch->tests[k].is_memcheck;
                char *list = xstrdup(O.only), *save = NULL;
                for (char *w = strtok_r(list, ",", &save); w && !keep; w = strtok_r(NULL, ",", &save))
                    keep = strstr(ch->tests[k].id, w) != NULL;
                free(list);
                if (keep)
                    ch->tests[kept++] = ch->tests[k];
            }
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
