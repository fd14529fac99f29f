/* Writes through a NULL pointer at the top of svd_jacobi.
 * inject: svd_jacobi
 * expect: crashed=12 passed=10 score=15 */
#define HOSTILE_BODY { *(volatile int *)0 = 1; }
