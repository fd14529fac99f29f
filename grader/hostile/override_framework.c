/* Replaces Criterion's internal function that sends an assertion's result to the runner: with
 * it a no-op, no failure is ever reported and an untouched stub would "pass" every test.  No
 * runtime layer can see a link-time override; the allow-list refuses any global name that the
 * chapter's header does not declare.  The rest of the file is the stub's behaviour: wrong.
 * inject: svd_jacobi
 * expect: skip (only the link check can stop a link-time override)
 * linked: refused */
struct criterion_assert_stats;
void criterion_send_assert(struct criterion_assert_stats *stats);
void criterion_send_assert(struct criterion_assert_stats *stats) { (void)stats; }
#define HOSTILE_BODY { return GSL_EUNIMPL; }
