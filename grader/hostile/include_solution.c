/* The whole file is one line that includes the reference solution by its absolute path.
 * The compiler runs as the sandbox user in a namespace where the project is not there.
 * inject: whole
 * expect: not_gradable=ALL score=0
 * fallback: not_gradable=ALL score=0
 * linked: same */
#include "@ROOT@/solutions/01-svd/svd.c"
