/* At run time, reads the reference solution, the hidden tests and the rubric, and prints what
 * it finds: nothing may leak into the report.  Then it answers correctly.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL noleak
 * fallback: passed=ALL score=FULL noleak
 * linked: refused */
#include <stdio.h>
static void hostile_read(void)
{
    static int done;
    if (done++)
        return;
    const char *paths[] = {"@ROOT@/solutions/01-svd/svd.c", "@ROOT@/grader/01-svd/hidden.c",
                           "@ROOT@/grader/01-svd/rubric", "../svd.c", "../../../../../../solutions/01-svd/svd.c"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        FILE *f = fopen(paths[i], "r");
        char buf[64] = "";
        if (f && fgets(buf, sizeof buf, f))
            printf("MLPHYS-LEAK: %s: %s\n", paths[i], buf);
        if (f)
            fclose(f);
    }
}
#define HOSTILE_BODY { hostile_read(); }
