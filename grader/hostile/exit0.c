/* exit(0) in the middle of a test: Criterion alone would report it as passed.
 * inject: svd_jacobi
 * expect: called_exit=12 passed=10 score=15 */
#include <stdlib.h>
#define HOSTILE_BODY { exit(0); }
