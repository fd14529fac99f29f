/* Asks for 10 GB and uses it without checking for NULL: the address-space limit makes malloc
 * fail, and the write through NULL crashes.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: same */
#include <stdlib.h>
#include <string.h>
/* The volatile pointer keeps the compiler from eliding the allocation. */
#define HOSTILE_BODY { size_t n = (size_t)10 << 30; char *volatile p = malloc(n); memset(p, 1, n); free(p); }
