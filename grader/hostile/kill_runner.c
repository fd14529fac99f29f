/* Kills the Criterion runner (its parent): no report at all for that test.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: refused */
#include <signal.h>
#include <unistd.h>
#define HOSTILE_BODY { kill(getppid(), SIGKILL); }
