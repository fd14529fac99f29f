/*
 * mlphys_run.h: the two chores every chapter's run.c shares.
 */
#ifndef MLPHYS_RUN_H
#define MLPHYS_RUN_H

#include <stdio.h>

/* Open OUTDIR/name for writing; on failure says which path and returns NULL. */
FILE *mlphys_open_out(const char *dir, const char *name);

/* Report that a student function returned `status` and return 1 (run.c's exit status).  A stub's
 * GSL_EUNIMPL gets the hint "implement it first (make test CH=chapter)". */
int mlphys_run_fail(const char *chapter, const char *what, int status);

#endif
