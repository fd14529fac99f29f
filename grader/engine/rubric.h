/* rubric.h: reading a chapter's rubric (points, visibility, @memcheck, @deny). */
#ifndef MLPHYS_RUBRIC_H
#define MLPHYS_RUBRIC_H
#include "engine.h"
/* Appends the rubric's tests and @deny rules to c; problems go to c->problems.  -1 if the
 * file cannot be read (missing, a symlink, not a regular file). */
int read_rubric(struct chapter *c, const char *path);
#endif
