/* Spins forever.
 * inject: svd_jacobi
 * expect: timed_out=12 passed=10 score=15 */
#define HOSTILE_BODY { for (volatile unsigned long i = 0;; i++) ; }
