/* A destructor that prints: harmless.
 * inject: none
 * expect: passed=ALL score=FULL
 * linked: refused */
#include <stdio.h>
#define HOSTILE_BODY
__attribute__((destructor)) static void hostile_dtor(void) { fputs("bye from a destructor\n", stderr); }
