/* Plants Criterion's PID-named IPC files for the next 300 PIDs (/dev/shm/bxfi_PID,
 * /dev/shm/bxf_arena_PID, /tmp/criterion_PID.sock) and leaves files in /var/tmp, /tmp and
 * /dev/shm: other runners (the healthy chapter beside it, other students in a batch) must not
 * notice, and nothing may survive the job.  Then it answers correctly.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL noleftovers
 * linked: refused */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static void hostile_plant(void)
{
    static int done;
    if (done++)
        return;
    int me = (int)getpid();
    for (int k = 1; k <= 300; k++) {
        char path[64];
        snprintf(path, sizeof path, "/dev/shm/bxfi_%d", me + k);
        int fd = open(path, O_CREAT | O_WRONLY, 0600);
        if (fd >= 0)
            close(fd);
        snprintf(path, sizeof path, "/dev/shm/bxf_arena_%d", me + k);
        fd = open(path, O_CREAT | O_WRONLY, 0600);
        if (fd >= 0)
            close(fd);
        snprintf(path, sizeof path, "/tmp/criterion_%d.sock", me + k);
        fd = open(path, O_CREAT | O_WRONLY, 0600);
        if (fd >= 0)
            close(fd);
    }
    const char *left[] = {"/var/tmp/mlphys-planted", "/tmp/mlphys-planted", "/dev/shm/mlphys-planted"};
    for (size_t i = 0; i < 3; i++) {
        int fd = open(left[i], O_CREAT | O_WRONLY, 0644);
        if (fd >= 0)
            close(fd);
    }
}
#define HOSTILE_BODY { hostile_plant(); }
