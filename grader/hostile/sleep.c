/* Sleeps far beyond any timeout.
 * inject: svd_jacobi
 * expect: timed_out=12 passed=10 score=15 */
#include <unistd.h>
#define HOSTILE_BODY { sleep(1000); }
