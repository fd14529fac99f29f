/* Prints 8 MB to stdout and 8 MB to stderr in every call, then computes the right answer.
 * Printing is not wrong: every test passes, and the report stays small.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL
 * linked: same */
#include <stdio.h>
#define HOSTILE_BODY { for (int i = 0; i < 100000; i++) { printf("%079d\n", i); fprintf(stderr, "%079d\n", i); } }
