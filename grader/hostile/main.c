/* A main() of the student's own: must not replace the test runner.
 * inject: none
 * expect: passed=ALL score=FULL
 * linked: refused */
#define HOSTILE_BODY
#include <stdio.h>
int main(void)
{
    puts("this main must never run inside the grader");
    return 1;
}
