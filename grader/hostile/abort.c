/* Calls abort(), like a failed assert() or GSL's default error handler.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: refused */
#include <stdlib.h>
#define HOSTILE_BODY { abort(); }
