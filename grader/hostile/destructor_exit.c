/* A destructor that exits with status 3 when the process ends, after every test body has
 * returned and its completion marker is written: the answers were right, so the tests pass
 * (Criterion ignores a worker's exit status once the test has ended); in the runner it runs
 * after the report is written.
 * inject: none
 * expect: passed=ALL score=FULL
 * linked: refused */
#include <unistd.h>
#define HOSTILE_BODY
__attribute__((destructor)) static void hostile_dtor(void) { _exit(3); }
