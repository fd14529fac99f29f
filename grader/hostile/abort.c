/* Calls abort(), like a failed assert() or GSL's default error handler.
 * inject: svd_jacobi
 * expect: crashed=12 passed=10 score=15 */
#include <stdlib.h>
#define HOSTILE_BODY { abort(); }
