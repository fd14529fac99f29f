/* Branches on uninitialised memory.  The answer is still right (every test passes), but
 * make memcheck must point at this file and line.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL memcheck=uninitialised
 * linked: same */
#include <stdlib.h>
#include <stdio.h>
#define HOSTILE_BODY { double *u = malloc(sizeof *u); if (*u == 12345.0) puts("!"); free(u); }
