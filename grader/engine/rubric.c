/* rubric.c: grader/NN-slug/rubric, the only place where points live.
 *
 *   suite/test  POINTS  [visible|hidden|after_due_date|after_published]
 *   @memcheck   POINTS  [visibility]      points for a valgrind-clean chapter
 *   @deny       GLOB    reason in words    a library routine the exercise asks you to write
 *   # withheld N P                         (a release rubric) N hidden tests worth P elsewhere
 */
#define _GNU_SOURCE
#include "rubric.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const status_name[] = {"pending", "passed", "failed", "crashed", "timed out",
                                   "called exit", "missing"};

bool is_withheld(const struct test *t)
{
    return strcmp(t->visibility, "visible") != 0;
}

void add_problem(struct chapter *c, char *msg)
{
    c->problems = xrealloc(c->problems, (c->nproblems + 1) * sizeof *c->problems);
    c->problems[c->nproblems++] = msg;
}

static bool valid_glob(const char *g)
{
    if (!*g)
        return false;
    for (const char *p = g; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '*' || *p == '?' || *p == '.'))
            return false;
    return true;
}

int read_rubric(struct chapter *c, const char *path)
{
    char *text = read_file_safe(path, 1 << 20);
    if (!text)
        return -1;
    size_t cap = 0, lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
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
        if (strncmp(p, "@deny", 5) == 0 && isspace((unsigned char)p[5])) {
            char glob[256];
            int used = 0;
            if (sscanf(p + 5, " %255s%n", glob, &used) != 1 || !valid_glob(glob)) {
                add_problem(c, xasprintf("%s:%zu: expected '@deny SYMBOL-GLOB reason'", path, lineno));
                continue;
            }
            char *reason = p + 5 + used;
            while (isspace((unsigned char)*reason))
                reason++;
            c->denies = xrealloc(c->denies, (c->ndenies + 1) * sizeof *c->denies);
            c->denies[c->ndenies].pattern = xstrdup(glob);
            c->denies[c->ndenies].reason = xstrdup(*reason ? reason : "the exercise is to write it yourself");
            c->ndenies++;
            continue;
        }
        char id[512], vis[64];
        double pts;
        int k = sscanf(p, "%511s %lf %63s", id, &pts, vis);
        bool mc = k >= 1 && strcmp(id, "@memcheck") == 0;
        if (k < 2 || (!mc && !strchr(id, '/')) || !(pts >= 0)) {
            add_problem(c, xasprintf("%s:%zu: expected 'suite/test points [visibility]'", path, lineno));
            continue;
        }
        if (k < 3)
            strcpy(vis, "visible");
        if (strcmp(vis, "visible") && strcmp(vis, "hidden") && strcmp(vis, "after_due_date") &&
            strcmp(vis, "after_published"))
            add_problem(c, xasprintf("%s:%zu: visibility '%s' is not one of visible, hidden, "
                                     "after_due_date, after_published", path, lineno, vis));
        bool dup = false;
        for (size_t i = 0; i < c->ntests; i++)
            if (strcmp(c->tests[i].id, id) == 0)
                dup = true;
        if (dup) {
            add_problem(c, xasprintf("%s:%zu: %s is listed twice", path, lineno, id));
            continue;
        }
        if (c->ntests == cap) {
            cap = cap ? 2 * cap : 32;
            c->tests = xrealloc(c->tests, cap * sizeof *c->tests);
        }
        struct test *t = &c->tests[c->ntests++];
        memset(t, 0, sizeof *t);
        t->id = xstrdup(id);
        t->points = pts;
        t->visibility = xstrdup(vis);
        t->is_memcheck = mc;
    }
    free(text);
    return 0;
}
