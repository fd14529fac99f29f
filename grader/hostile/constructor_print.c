/* A constructor that prints: harmless, and captured.
 * inject: none
 * expect: passed=ALL score=FULL
 * linked: refused */
#include <stdio.h>
#define HOSTILE_BODY
__attribute__((constructor)) static void hostile_ctor(void) { puts("hello from a constructor"); }
