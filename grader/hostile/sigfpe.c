/* Integer division by zero: SIGFPE on x86.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: same */
static volatile int hostile_zero = 0, hostile_seven = 7; /* volatile: no constant folding */
#define HOSTILE_BODY { volatile int q = hostile_seven / hostile_zero; (void)q; }
