/* memcheck.h: parsing valgrind's log (received on a pipe) into findings per process. */
#ifndef MLPHYS_MEMCHECK_H
#define MLPHYS_MEMCHECK_H
#include "engine.h"

struct vgproc {
    long pid;
    char *tag;       /* "suite/test", the first MLPHYS_TEST tag this process printed */
    int errors;      /* summed ERROR SUMMARY counts */
    long definite;   /* bytes definitely lost */
    char kind[256];  /* the first error's headline */
    char where[512]; /* "in fn (file.c:LINE)": the first frame in the student's file */
};
struct vglog {
    struct vgproc *procs;
    size_t n;
};
void vglog_parse(struct vglog *v, const char *text, const char *student_base);
void vglog_free(struct vglog *v);
/* Findings of the processes tagged `tag` (every process when tag is NULL); *summary is a new
 * string in words, or NULL when clean. */
void vglog_summary(const struct vglog *v, const char *tag, int *errors, long *definite, char **summary);
/* The same for a whole-chapter run: processes with no tag, or one naming no test of c, count
 * for every test (a forged tag cannot hide a finding). */
void vglog_summary_known(const struct vglog *v, const char *tag, const struct chapter *c, int *errors,
                         long *definite, char **summary);
#endif
