/* A constructor that exits: it runs in the runner, before any test.  Costs this chapter only.
 * inject: none
 * expect: missing=ALL score=0
 * linked: refused */
#include <stdlib.h>
#define HOSTILE_BODY
__attribute__((constructor)) static void hostile_ctor(void) { exit(0); }
