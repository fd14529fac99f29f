/* Writes a report claiming every test passed, and a Gradescope results.json with full marks
 * wherever it can guess, then kills the runner so that nothing overwrites the forgery.
 * The forged report lacks the run's token: the engine rejects it.
 * inject: svd_jacobi
 * expect: missing=12 passed=10 score=15 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static void hostile_forge(void)
{
    static int done;
    if (done++)
        return; /* forge once per process, then carry on as if nothing happened */
    const char *fake = "{\"token\": \"-\", \"tests\": []}";
    const char *paths[] = {getenv("MLPHYS_REPORT"), "build/grade/results.json", "results.json",
                           "/autograder/results/results.json", "build/grade/report.json"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        FILE *f = paths[i] ? fopen(paths[i], "w") : NULL;
        if (f) {
            fputs(i == 0 ? fake : "{\"score\": 1000, \"tests\": []}", f);
            fclose(f);
        }
    }
    kill(getppid(), SIGKILL);
}
#define HOSTILE_BODY { hostile_forge(); }
