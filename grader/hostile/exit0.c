/* exit(0) in the middle of a test: Criterion alone would report it as passed.
 * inject: svd_jacobi
 * expect: called_exit=N passed=REST score=PROBE
 * linked: refused */
#include <stdlib.h>
#define HOSTILE_BODY { exit(0); }
