/* Shared by every chapter's run.c; see mlphys_run.h. */
#include "mlphys_run.h"

#include <gsl/gsl_errno.h>

FILE *mlphys_open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "run: cannot write %s\n", path);
    return f;
}

int mlphys_run_fail(const char *chapter, const char *what, int status)
{
    fprintf(stderr, "run: %s returned %d (%s)", what, status, gsl_strerror(status));
    if (status == GSL_EUNIMPL)
        fprintf(stderr, ": implement it first (make test CH=%s)", chapter);
    fputc('\n', stderr);
    return 1;
}
