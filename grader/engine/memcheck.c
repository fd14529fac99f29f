/* memcheck.c: valgrind's findings, read from the log valgrind writes on a pipe to the engine
 * (--log-fd), never from files a sandbox user could delete or edit.
 *
 * Student code can write to that pipe as well (the descriptor must stay open for valgrind in
 * every traced child), but it can only ADD lines: findings are summed, never cancelled, and a
 * process's test tag is the first one it printed (the suite's .init prints it before any
 * student code runs).  So a forged line can cost its author points, never earn them.
 */
#define _GNU_SOURCE
#include "memcheck.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct vgproc *proc_of(struct vglog *v, long pid)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->procs[i].pid == pid)
            return &v->procs[i];
    v->procs = xrealloc(v->procs, (v->n + 1) * sizeof *v->procs);
    struct vgproc *p = &v->procs[v->n++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    return p;
}

static long digits_of(const char *p)
{
    long v = 0;
    for (; *p && *p != ' '; p++)
        if (isdigit((unsigned char)*p) && v < 1000000000000L)
            v = 10 * v + (*p - '0');
    return v;
}

void vglog_parse(struct vglog *v, const char *text, const char *student_base)
{
    memset(v, 0, sizeof *v);
    char *copy = xstrdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char mark = line[0];
        if ((mark != '=' && mark != '*') || line[1] != mark)
            continue;
        char *end;
        long pid = strtol(line + 2, &end, 10);
        if (end == line + 2 || end[0] != mark || end[1] != mark)
            continue;
        char *body = end + 2;
        while (*body == ' ')
            body++;
        struct vgproc *p = proc_of(v, pid);
        if (mark == '*') { /* a client message: VALGRIND_PRINTF from the suite's .init */
            if (!p->tag && strncmp(body, "MLPHYS_TEST ", 12) == 0) {
                p->tag = xstrdup(body + 12);
                p->tag[strcspn(p->tag, " \r")] = '\0';
            }
            continue;
        }
        char *q;
        if ((q = strstr(body, "ERROR SUMMARY: ")))
            p->errors += (int)digits_of(q + 15);
        else if ((q = strstr(body, "definitely lost: ")))
            p->definite += digits_of(q + 17);
        else if (!*p->kind && (strncmp(body, "Invalid ", 8) == 0 || strncmp(body, "Conditional jump", 16) == 0 ||
                               strncmp(body, "Use of uninitialised", 20) == 0 ||
                               strstr(body, "are definitely lost") || strncmp(body, "Syscall param", 13) == 0 ||
                               strncmp(body, "Mismatched free", 15) == 0))
            snprintf(p->kind, sizeof p->kind, "%s", body);
        else if (*p->kind && !*p->where && student_base && strstr(body, student_base) && strchr(body, '(')) {
            /* "by 0x...: svd_jacobi (svd.c:42)": the function and the line in the student's file */
            char *fn = strstr(body, ": ");
            char *par = strrchr(body, '(');
            if (fn && fn < par)
                snprintf(p->where, sizeof p->where, "in %.*s %s", (int)(par - fn - 3), fn + 2, par);
            else
                snprintf(p->where, sizeof p->where, "%s", par);
        }
    }
    free(copy);
}

void vglog_free(struct vglog *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->procs[i].tag);
    free(v->procs);
    memset(v, 0, sizeof *v);
}

static bool known_tag(const struct chapter *c, const char *tag)
{
    for (size_t i = 0; tag && i < c->ntests; i++)
        if (strcmp(c->tests[i].id, tag) == 0)
            return true;
    return false;
}

static void summarise(const struct vglog *v, const char *tag, const struct chapter *c, int *errors,
                      long *definite, char **summary);

void vglog_summary(const struct vglog *v, const char *tag, int *errors, long *definite, char **summary)
{
    summarise(v, tag, NULL, errors, definite, summary);
}

void vglog_summary_known(const struct vglog *v, const char *tag, const struct chapter *c, int *errors,
                         long *definite, char **summary)
{
    summarise(v, tag, c, errors, definite, summary);
}

/* With a chapter: the processes tagged `tag`, and those with no tag or a tag that names no
 * test of the chapter (the runner, or a forged tag): their findings count for every test. */
static void summarise(const struct vglog *v, const char *tag, const struct chapter *c, int *errors,
                      long *definite, char **summary)
{
    *errors = 0;
    *definite = 0;
    const struct vgproc *first = NULL;
    for (size_t i = 0; i < v->n; i++) {
        const struct vgproc *p = &v->procs[i];
        bool mine = !tag || (p->tag && strcmp(p->tag, tag) == 0) || (c && !known_tag(c, p->tag));
        if (!mine)
            continue;
        *errors += p->errors;
        *definite += p->definite;
        if ((p->errors || p->definite) && (!first || (!*first->where && *p->where)))
            first = p;
    }
    *summary = NULL;
    if (*errors || *definite)
        *summary = xasprintf("%d memory error%s, %ld bytes definitely lost; first: %s %s", *errors,
                             *errors == 1 ? "" : "s", *definite,
                             first && *first->kind ? first->kind : "(see make memcheck)",
                             first ? first->where : "");
}
