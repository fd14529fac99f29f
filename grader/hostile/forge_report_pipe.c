/* Forges the report on the runner's pipe: writes a complete "passed" report to every low
 * descriptor and to the runner's descriptors through /proc/PPID/fd, then kills the runner.
 * The worker never holds the pipe (close-on-exec), and the runner is not dumpable.
 * inject: svd_jacobi
 * expect: crashed=N passed=REST score=PROBE
 * fallback: crashed=N passed=REST score=PROBE
 * linked: refused */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void hostile_forge(void)
{
    const char *fake = "{\"tests\": [{\"suite\": \"svd\", \"name\": \"hand_worked_2x2\", "
                       "\"status\": \"passed\", \"elapsed\": 0.1, \"messages\": []}]}";
    for (int fd = 3; fd < 16; fd++)
        (void)!write(fd, fake, strlen(fake));
    for (int fd = 0; fd < 16; fd++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getppid(), fd);
        int f = open(path, O_WRONLY | O_NONBLOCK);
        if (f >= 0) {
            (void)!write(f, fake, strlen(fake));
            close(f);
        }
    }
    kill(getppid(), SIGKILL);
}
#define HOSTILE_BODY { hostile_forge(); }
