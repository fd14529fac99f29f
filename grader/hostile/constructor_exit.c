/* A constructor that exits: it runs in the runner, before any test.  Costs this chapter only.
 * inject: none
 * expect: missing=22 score=0 */
#include <stdlib.h>
#define HOSTILE_BODY
__attribute__((constructor)) static void hostile_ctor(void) { exit(0); }
