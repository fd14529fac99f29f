/* Unbounded recursion with a large frame.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: same */
static int hostile_recurse(int n)
{
    volatile char frame[4096];
    frame[0] = (char)n;
    return hostile_recurse(n + 1) + frame[0];
}
#define HOSTILE_BODY { (void)hostile_recurse(0); }
