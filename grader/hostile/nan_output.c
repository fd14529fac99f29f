/* Returns success with NaN singular values.
 * inject: svd_jacobi
 * expect: failed=12 passed=10 score=15 */
#include <math.h>
#define HOSTILE_BODY { gsl_vector_set_all(s, NAN); return GSL_SUCCESS; }
