/* _exit(0): no atexit handlers run either.
 * inject: svd_jacobi
 * expect: called_exit=12 passed=10 score=15 */
#include <unistd.h>
#define HOSTILE_BODY { _exit(0); }
