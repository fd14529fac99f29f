/* _exit(0): no atexit handlers run either.
 * inject: svd_jacobi
 * expect: called_exit=N passed=REST score=PROBE
 * linked: refused */
#include <unistd.h>
#define HOSTILE_BODY { _exit(0); }
