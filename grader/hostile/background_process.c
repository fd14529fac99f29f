/* Leaves a process running, detached from the process group with setsid().
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL
 * linked: refused */
#include <unistd.h>
#define HOSTILE_BODY { if (fork() == 0) { setsid(); sleep(300); _exit(0); } }
