/* Defeats -Dmain=...: #undef main, then a main() that takes over the test program and prints
 * a Criterion-looking success.  The allow-list refuses a file that defines main.
 * inject: none
 * expect: skip (only the link check can stop a replaced main)
 * linked: refused */
#include <stdio.h>
#undef main
int main(void)
{
    puts("[====] Synthesis: Tested: 30 | Passing: 30 | Failing: 0 | Crashing: 0");
    return 0;
}
#define HOSTILE_BODY
