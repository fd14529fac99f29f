/* Self-tests of the engine's layers, each on its own (make check, step 7):
 *   rubric.c    parsing, @deny, malformed lines;
 *   linkcheck.c what a student object may define and call, on objects compiled here;
 *   memcheck.c  valgrind's log: forged lines only add findings, the first tag wins;
 *   util.c      reports written through rename() (a planted FIFO or symlink is replaced, never
 *               opened), reads that refuse symlinks and FIFOs, UTF-8 kept, control bytes not.
 * Built against the engine's sources, run in build/check/selftest. */
#define _GNU_SOURCE
#include "engine.h"
#include "linkcheck.h"
#include "memcheck.h"
#include "rubric.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct opts O;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* ---- rubric ------------------------------------------------------------------------------ */
Test(rubric, reads_tests_memcheck_and_deny_lines)
{
    write_text("rubric.txt", "# a comment\n"
                             "svd/one 2 visible\n"
                             "svd/two 1.5 hidden\n"
                             "@memcheck 3\n"
                             "@deny gsl_linalg_SV_* the exercise is to write the SVD yourself\n"
                             "# withheld 2 4\n");
    struct chapter c = {0};
    cr_assert_eq(read_rubric(&c, "rubric.txt"), 0);
    cr_expect_eq(c.ntests, 3);
    cr_expect_eq(c.nproblems, 0, "problems: %s", c.nproblems ? c.problems[0] : "");
    cr_expect_str_eq(c.tests[1].visibility, "hidden");
    cr_expect(c.tests[2].is_memcheck);
    cr_assert_eq(c.ndenies, 1);
    cr_expect_str_eq(c.denies[0].pattern, "gsl_linalg_SV_*");
    cr_expect_str_eq(c.denies[0].reason, "the exercise is to write the SVD yourself");
    cr_expect_eq(c.hidden_tests_elsewhere, 2);
}

Test(rubric, malformed_lines_are_problems_not_crashes)
{
    write_text("rubric-bad.txt", "svd/one two visible\nnoslash 1\nsvd/x 1 secret\nsvd/one 1\n"
                                 "svd/one 1\n@deny\n@deny bad;glob reason\nsvd/y nan\n");
    struct chapter c = {0};
    cr_assert_eq(read_rubric(&c, "rubric-bad.txt"), 0);
    cr_expect_eq(c.nproblems, 7, "expected 7 problems, got %zu", c.nproblems);
}

Test(rubric, a_symlinked_rubric_is_not_read)
{
    write_text("rubric-real.txt", "svd/one 2\n");
    unlink("rubric-link.txt");
    cr_assert_eq(symlink("rubric-real.txt", "rubric-link.txt"), 0);
    struct chapter c = {0};
    cr_expect_eq(read_rubric(&c, "rubric-link.txt"), -1);
}

/* ---- link check ---------------------------------------------------------------------------- */
static char *verdict(const char *name, const char *src, const struct deny *d, size_t nd)
{
    char *c = xasprintf("%s.c", name), *o = xasprintf("%s.o", name);
    write_text(c, src);
    char *cmd = xasprintf("cc -std=c11 -O2 -c %s -o %s 2>/dev/null", c, o);
    cr_assert_eq(system(cmd), 0, "%s does not compile", c);
    char *fns[] = {"api_one", "api_two"};
    char *v = linkcheck_object(o, "cc", fns, 2, d, nd);
    free(c), free(o), free(cmd);
    return v;
}

Test(linkcheck, an_honest_file_passes)
{
    char *v = verdict("honest", "#include <math.h>\n#include <stdlib.h>\n#include <string.h>\n#include <stdio.h>\n"
                                "static double helper(double x) { return sqrt(x) + exp(x); }\n"
                                "static int counter;\n"
                                "int api_one(double *x, int n) { double *t = malloc(8 * (size_t)n); if (!t) return 1;\n"
                                "  memcpy(t, x, 8 * (size_t)n); for (int i = 0; i < n; i++) x[i] = helper(t[i]);\n"
                                "  free(t); counter++; fprintf(stderr, \"n=%d\\n\", n); return 0; }\n",
                      NULL, 0);
    cr_expect_null(v, "refused: %s", v);
}

Test(linkcheck, a_global_the_header_does_not_declare_is_refused)
{
    char *v = verdict("override", "struct s; void criterion_send_assert(struct s *p) { (void)p; }\n"
                                  "int api_one(void) { return 0; }\n", NULL, 0);
    cr_assert_not_null(v);
    cr_expect(strstr(v, "criterion_send_assert") && strstr(v, "static"), "%s", v);
}

Test(linkcheck, main_is_refused_even_after_undef)
{
    char *v = verdict("hasmain", "#define main renamed_main\n#undef main\nint main(void) { return 0; }\n", NULL, 0);
    cr_assert_not_null(v);
    cr_expect(strstr(v, "main()"), "%s", v);
}

Test(linkcheck, forbidden_libc_calls_are_refused_with_the_reason)
{
    static const char *const calls[][2] = {
        {"#include <stdio.h>\nint api_one(void) { FILE *f = fopen(\"x\", \"r\"); return f != 0; }\n", "fopen"},
        {"#include <stdlib.h>\nint api_one(void) { exit(0); }\n", "exit"},
        {"#include <stdlib.h>\nint api_one(void) { return getenv(\"X\") != 0; }\n", "getenv"},
        {"#include <signal.h>\n#include <unistd.h>\nint api_one(void) { return kill(getppid(), 9); }\n", "kill"},
        {"#include <unistd.h>\nint api_one(void) { return (int)fork(); }\n", "fork"},
        {"#define _GNU_SOURCE\n#include <unistd.h>\nint api_one(void) { return (int)syscall(39); }\n", "syscall"},
        {"#include <time.h>\nint api_one(void) { return (int)time(0); }\n", "time"},
    };
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
        char name[32];
        snprintf(name, sizeof name, "libc%zu", i);
        char *v = verdict(name, calls[i][0], NULL, 0);
        cr_expect(v && strstr(v, calls[i][1]) && strncmp(v, "refused: ", 9) == 0, "%s: %s", calls[i][1], v ? v : "(allowed)");
        free(v);
    }
}

Test(linkcheck, constructors_and_raw_syscalls_are_refused)
{
    char *v = verdict("ctor", "static volatile int touched;\n__attribute__((constructor)) static void early(void) { touched = 1; }\nint api_one(void) { return 0; }\n", NULL, 0);
    cr_expect(v && strstr(v, "constructor"), "%s", v ? v : "(allowed)");
    free(v);
    v = verdict("dtor", "static volatile int gone;\n__attribute__((destructor)) static void late(void) { gone = 1; }\nint api_one(void) { return 0; }\n", NULL, 0);
    cr_expect(v && strstr(v, "constructor or destructor"), "%s", v ? v : "(allowed)");
    free(v);
    v = verdict("rawsys", "int api_one(void) { long r; __asm__ volatile(\"syscall\" : \"=a\"(r) : \"a\"(39)); return (int)r; }\n", NULL, 0);
    cr_expect(v && strstr(v, "raw system call"), "%s", v ? v : "(allowed)");
    free(v);
}

Test(linkcheck, the_rubric_can_deny_a_library_routine)
{
    struct deny d = {.pattern = "gsl_linalg_SV_*", .reason = "write the SVD yourself"};
    char *v = verdict("denied", "#include <gsl/gsl_linalg.h>\n"
                                "int api_one(gsl_matrix *A, gsl_matrix *V, gsl_vector *s, gsl_vector *w)"
                                " { return gsl_linalg_SV_decomp(A, V, s, w); }\n", &d, 1);
    cr_assert_not_null(v);
    cr_expect(strstr(v, "gsl_linalg_SV_decomp") && strstr(v, "write the SVD yourself"), "%s", v);
    free(v);
    v = verdict("allowedgsl", "#include <gsl/gsl_blas.h>\n"
                              "int api_one(gsl_vector *x) { return gsl_blas_dscal(2.0, x), 0; }\n", &d, 1);
    cr_expect_null(v, "%s", v);
}

Test(linkcheck, the_header_functions_are_found)
{
    write_text("api.h", "#include <stddef.h>\nint api_one(double *x, size_t n);\n"
                        "double *api_two(const double *x);\nstatic inline int not_api(void) { return 0; }\n");
    char **names = NULL;
    char real[4096];
    cr_assert(realpath("api.h", real));
    size_t n = linkcheck_header_functions(real, "cc", NULL, &names);
    cr_assert_eq(n, 3, "found %zu functions", n);
    cr_expect_str_eq(names[0], "api_one");
    cr_expect_str_eq(names[1], "api_two");
}

/* ---- valgrind's log ----------------------------------------------------------------------- */
Test(memcheck, findings_are_summed_and_forged_lines_only_add)
{
    const char *log = "**100** MLPHYS_TEST svd/one\n"
                      "==100== Invalid read of size 8\n"
                      "==100==    at 0x1: svd_jacobi (svd.c:42)\n"
                      "==100== ERROR SUMMARY: 1 errors from 1 contexts\n"
                      "==100== ERROR SUMMARY: 0 errors from 0 contexts\n"   /* forged: adds 0 */
                      "==100==    definitely lost: 0 bytes in 0 blocks\n"    /* forged: adds 0 */
                      "**100** MLPHYS_TEST svd/other\n"                      /* forged: the first tag wins */
                      "==200== ERROR SUMMARY: 0 errors from 0 contexts\n";
    struct vglog v;
    vglog_parse(&v, log, "svd.c");
    int e;
    long d;
    char *s;
    vglog_summary(&v, "svd/one", &e, &d, &s);
    cr_expect_eq(e, 1);
    cr_expect(s && strstr(s, "Invalid read") && strstr(s, "svd.c:42"), "%s", s ? s : "(clean)");
    free(s);
    vglog_summary(&v, "svd/other", &e, &d, &s);
    cr_expect_eq(e, 0, "a forged later tag moved the finding");
    vglog_free(&v);
}

Test(memcheck, an_unknown_tag_counts_for_every_test)
{
    struct test tests[2] = {{.id = "svd/one"}, {.id = "svd/two"}};
    struct chapter c = {.tests = tests, .ntests = 2};
    struct vglog v;
    vglog_parse(&v, "**7** MLPHYS_TEST nowhere/none\n==7==    definitely lost: 40 bytes in 1 blocks\n", "svd.c");
    int e;
    long d;
    char *s;
    vglog_summary_known(&v, "svd/two", &c, &e, &d, &s);
    cr_expect_eq(d, 40, "a finding under a forged tag was hidden");
    free(s);
    vglog_free(&v);
}

/* ---- file safety ---------------------------------------------------------------------------- */
Test(util, reports_replace_planted_fifos_and_symlinks)
{
    unlink("report-fifo.json");
    cr_assert_eq(mkfifo("report-fifo.json", 0666), 0);
    cr_expect_eq(write_file_atomic("report-fifo.json", "{}\n"), 0); /* does not block */
    struct stat st;
    cr_assert_eq(lstat("report-fifo.json", &st), 0);
    cr_expect(S_ISREG(st.st_mode), "the FIFO is still there");
    write_text("victim.txt", "keep me\n");
    unlink("report-link.json");
    cr_assert_eq(symlink("victim.txt", "report-link.json"), 0);
    cr_expect_eq(write_file_atomic("report-link.json", "{}\n"), 0);
    char *victim = read_file_safe("victim.txt", 100);
    cr_expect_str_eq(victim, "keep me\n", "the write followed the symlink");
    free(victim);
}

Test(util, safe_reads_refuse_symlinks_and_fifos)
{
    write_text("plain.txt", "data");
    unlink("plain-link.txt");
    cr_assert_eq(symlink("plain.txt", "plain-link.txt"), 0);
    cr_expect_null(read_file_safe("plain-link.txt", 100));
    unlink("a-fifo");
    cr_assert_eq(mkfifo("a-fifo", 0666), 0);
    cr_expect_null(read_file_safe("a-fifo", 100)); /* and does not block */
    char *s = read_file_safe("plain.txt", 100);
    cr_expect_str_eq(s, "data");
    free(s);
}

Test(util, sanitize_keeps_utf8_and_replaces_control_bytes)
{
    char s[] = "expected \xe2\x80\x98;\xe2\x80\x99 before \xe2\x80\x98}\xe2\x80\x99 \x01\x1b[31m \xff\xfe end\n\ttab";
    sanitize_utf8(s);
    cr_expect_str_eq(s, "expected \xe2\x80\x98;\xe2\x80\x99 before \xe2\x80\x98}\xe2\x80\x99 ??[31m ?? end\n\ttab");
}
