/* report.c: what the engine says.  A table on the terminal (lost points grouped by reason),
 * report.json in the engine's own format (grader/README.md) and Gradescope's results.json.
 * Files are written through a fresh temporary file and rename(), into the output folder that
 * only the engine writes: a symlink or FIFO planted at a report's name is replaced, never
 * followed. */
#define _GNU_SOURCE
#include "report.h"

#include "sandbox.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

double score_of(const struct chapter *c, bool include_withheld, double *max)
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

void print_terminal(struct chapter *chs, size_t nch, double elapsed)
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
        /* an untouched chapter: one line, not one per function */
        if (!O.verbose) {
            int todo = 0, nyet = 0, lost = 0;
            for (size_t i = 0; i < ch->ntests; i++) {
                struct test *t = &ch->tests[i];
                if (t->status == ST_PASSED || (!show_withheld && is_withheld(t)) || t->is_memcheck)
                    continue;
                lost++;
                if (!t->message || !strstr(t->message, "not implemented yet"))
                    continue;
                nyet++;
                const char *m = strstr(t->message, "start at TODO(");
                int k = m ? atoi(m + 14) : 0;
                if (k > 0 && (todo == 0 || k < todo))
                    todo = k;
            }
            if (lost > 0 && nyet == lost) {
                printf("\n%s: not started yet (%d tests say \"not implemented yet\"): start at TODO(%d) in %s"
                       "  (make hint CH=%s for a nudge)\n", ch->slug, nyet, todo ? todo : 1, ch->src, ch->slug);
                for (size_t i = 0; i < ch->ntests; i++)
                    shown[i] = true;
            }
        }
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
            if (n > 1 && t->message) /* the diagnosis lines, which the grouping key leaves out */
                for (const char *q = strchr(t->message, '\n'); q; q = strchr(q + 1, '\n'))
                    if (strncmp(q + 1, "valgrind, ", 10) == 0 || strncmp(q + 1, "GSL error: ", 11) == 0)
                        printf("      %.*s\n", (int)strcspn(q + 1, "\n"), q + 1);
            free(r);
        }
        free(shown);
        if (O.memcheck && ch->gradable) {
            int clean = 0, dirty = 0;
            for (size_t i = 0; i < ch->ntests; i++) {
                struct test *t = &ch->tests[i];
                if (t->is_memcheck || t->runs == 0 || (!show_withheld && is_withheld(t)))
                    continue;
                if (t->mc_summary) {
                    if (!dirty++)
                        printf("\n%s: memcheck (valgrind)\n", ch->slug);
                    printf("  - %s: %s\n", t->id, t->mc_summary);
                } else
                    clean++;
            }
            if (!dirty)
                printf("\n%s: memcheck clean: 0 errors, 0 bytes definitely lost in %d test%s\n", ch->slug,
                       clean, clean == 1 ? "" : "s");
            else
                printf("  (%d other test%s clean)\n", clean, clean == 1 ? "" : "s");
        }
    }
    printf("\n  %.1f s; report: %s/report.json, Gradescope: %s/results.json\n", elapsed, O.out,
           O.out);
    if (geteuid() == 0 && !O.same_user && (!sandbox_users() || !sandbox_namespaces()))
        printf("  note: isolation is partial (sandbox users: %s; namespaces: %s)\n",
               sandbox_users() ? "yes" : "no", sandbox_namespaces_why());
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

void write_reports(struct chapter *chs, size_t nch, double elapsed)
{
    mkdir_p(O.out, 0755);
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
                                "file", ch->src, "status", ch->gradable ? "graded" : ch->refused ? "refused" : "not gradable",
                                "score", s, "max_score", max, "compile_output", ch->compile_output,
                                "warnings", ch->warnings, "tests", tests));
    }
    json_t *iso = json_pack("{s:b, s:b, s:s, s:b}", "sandbox_users", sandbox_users(),
                            "namespaces", sandbox_namespaces(), "namespaces_detail",
                            sandbox_namespaces_why(), "link_check", !O.no_link_check);
    json_t *report = json_pack("{s:s, s:s, s:I, s:b, s:f, s:f, s:f, s:o, s:o}", "schema", "mlphys-report/1",
                               "impl", O.impl, "seed", (json_int_t)O.seed, "memcheck", O.memcheck,
                               "score", total, "max_score", total_max, "elapsed_seconds", elapsed,
                               "isolation", iso, "chapters", chapters);
    char *path = xasprintf("%s/report.json", O.out);
    char *text = json_dumps(report, JSON_INDENT(2));
    if (!text || write_file_atomic(path, text) != 0)
        die("cannot write %s", path);
    free(text);
    free(path);
    json_decref(report);
    json_t *gs = json_pack("{s:f, s:f, s:f, s:s, s:s, s:o}", "score", total, "max_score", total_max,
                           "execution_time", elapsed, "output",
                           "Graded by mlphys-grade. Each test's feedback is below.", "visibility",
                           "visible", "tests", gs_tests);
    path = xasprintf("%s/results.json", O.out);
    text = json_dumps(gs, JSON_INDENT(2));
    if (!text || write_file_atomic(path, text) != 0)
        die("cannot write %s", path);
    free(text);
    free(path);
    json_decref(gs);
}

