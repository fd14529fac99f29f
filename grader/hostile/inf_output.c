/* Returns success with infinite singular values.
 * inject: svd_jacobi
 * expect: failed=N passed=REST score=PROBE
 * linked: same */
#include <math.h>
#define HOSTILE_BODY { gsl_vector_set_all(s, INFINITY); gsl_matrix_set_all(V, INFINITY); return GSL_SUCCESS; }
