/* Spins forever.
 * inject: svd_jacobi
 * expect: timed_out=N passed=REST score=PROBE
 * linked: same */
#define HOSTILE_BODY { for (volatile unsigned long i = 0;; i++) ; }
