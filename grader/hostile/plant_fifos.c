/* Plants FIFOs and symlinks where the engine writes its reports and takes its locks (the old
 * engine blocked forever opening a FIFO, and created its sandbox user through a planted lock
 * symlink).  Reports are written through rename() in a folder no sandbox user can write, and
 * locks live in a root-only folder: the engine finishes with valid reports.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL
 * fallback: passed=ALL score=FULL
 * linked: refused */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
static void hostile_fifos(void)
{
    static int done;
    if (done++)
        return;
    const char *fifos[] = {"../../../report.json", "../../../results.json", "../../report.json",
                           "/tmp/mlphys-run0.lock", "/tmp/mlphys-sb0.lock", "/run/mlphys/sb0.lock",
                           "report.json", "done"};
    for (size_t i = 0; i < sizeof fifos / sizeof *fifos; i++)
        mkfifo(fifos[i], 0666);
    symlink("/etc/passwd", "/tmp/mlphys-run1.lock");
    symlink("/etc/passwd", "../../../report.json.tmp");
}
#define HOSTILE_BODY { hostile_fifos(); }
