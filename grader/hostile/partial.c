/* Not a hostile case: a partial submission (svd_low_rank left as a stub), used by the
 * Gradescope and batch tests.  It loses exactly the two svd_low_rank tests (3 points).
 * inject: svd_low_rank
 * expect: failed=N passed=REST score=PROBE
 * linked: same */
#define HOSTILE_BODY { (void)U, (void)s, (void)V, (void)k, (void)Ak; return GSL_EUNIMPL; }
