/* svd_thin writes into its const input A.  The test of wide matrices checks that A is left
 * untouched; for tall A the damage happens before the copy and is also caught there.
 * inject: svd_thin
 * expect: failed>=1 score<FULL
 * linked: same */
#define HOSTILE_BODY { ((gsl_matrix *)A)->data[0] += 1.0; }
