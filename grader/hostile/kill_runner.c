/* Kills the Criterion runner (its parent): no report at all for that test.
 * inject: svd_jacobi
 * expect: crashed=12 passed=10 score=15 */
#include <signal.h>
#include <unistd.h>
#define HOSTILE_BODY { kill(getppid(), SIGKILL); }
