/* Leaks a buffer in every call: right answers, but make memcheck reports a definite leak.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL memcheck=definitely
 * linked: same */
#include <stdlib.h>
#define HOSTILE_BODY { volatile char *leak = malloc(4096); leak[0] = 1; }
