/* Computes the right answer, then overwrites every singular value but the last with NaN.
 * A "worst error" loop of the form if (!(e <= worst)) worst = e lets the last finite entry
 * replace a NaN; the test library's helpers must not, and every check of s must fail.
 * inject: svd_jacobi
 * expect: failed>=2 score<FULL
 * linked: same */
#include <math.h>
static int hostile_depth;
#define HOSTILE_BODY                                                   \
    {                                                                  \
        if (!hostile_depth) {                                          \
            hostile_depth = 1;                                         \
            int hostile_st = svd_jacobi(A, V, s);                      \
            hostile_depth = 0;                                         \
            for (size_t hostile_i = 0; hostile_i + 1 < s->size; hostile_i++) \
                gsl_vector_set(s, hostile_i, NAN);                     \
            return hostile_st;                                         \
        }                                                              \
    }
