/* exit(1) in the middle of a test.
 * inject: svd_jacobi
 * expect: called_exit=12 passed=10 score=15 */
#include <stdlib.h>
#define HOSTILE_BODY { exit(1); }
