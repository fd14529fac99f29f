/* Writes through a NULL pointer at the top of svd_jacobi.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: same */
#define HOSTILE_BODY { *(volatile int *)0 = 1; }
