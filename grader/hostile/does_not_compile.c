/* A syntax error: the chapter is "not gradable", with the compiler's first lines.
 * inject: svd_jacobi
 * expect: not_gradable=22 score=0 */
#define HOSTILE_BODY this is not C;
