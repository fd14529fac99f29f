/* Leaks, then tries to hide it: deletes every valgrind log it can find and writes a clean
 * "ERROR SUMMARY: 0 errors" and "definitely lost: 0 bytes" into valgrind's log pipe.  Valgrind's
 * log reaches the engine on a pipe; added lines can only add findings.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL memcheck=definitely
 * linked: refused */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static void hostile_hide(void)
{
    volatile char *leak = malloc(4096);
    leak[0] = 1;
    DIR *d = opendir(".");
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, "vg.", 3) == 0)
            unlink(e->d_name);
    if (d)
        closedir(d);
    char line[128];
    int n = snprintf(line, sizeof line, "==%d== ERROR SUMMARY: 0 errors from 0 contexts\n==%d==    definitely lost: 0 bytes in 0 blocks\n",
                     (int)getpid(), (int)getpid());
    struct stat st; /* valgrind's log pipe is descriptor 4 (Criterion's own sockets are left alone) */
    if (fstat(4, &st) == 0 && S_ISFIFO(st.st_mode))
        (void)!write(4, line, (size_t)n);
}
#define HOSTILE_BODY { hostile_hide(); }
