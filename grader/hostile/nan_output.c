/* Returns success with NaN singular values.
 * inject: svd_jacobi
 * expect: failed=N passed=REST score=PROBE
 * linked: same */
#include <math.h>
#define HOSTILE_BODY { gsl_vector_set_all(s, NAN); return GSL_SUCCESS; }
