/* exit(1) in the middle of a test.
 * inject: svd_jacobi
 * expect: called_exit=N passed=REST score=PROBE
 * linked: refused */
#include <stdlib.h>
#define HOSTILE_BODY { exit(1); }
