/* Sleeps far beyond any timeout.
 * inject: svd_jacobi
 * expect: timed_out=N passed=REST score=PROBE
 * linked: refused */
#include <unistd.h>
#define HOSTILE_BODY { sleep(1000); }
