/* A syntax error: the chapter is "not gradable", with the compiler's first lines.
 * inject: svd_jacobi
 * expect: not_gradable=ALL score=0
 * linked: same */
#define HOSTILE_BODY this is not C;
