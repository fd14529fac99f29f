/* Tries to replace the other chapter's test binary (graded in the same run) with a script
 * that claims full marks, and to plant a file in its work folder.  Test binaries are root's,
 * and the other chapter's folder is not even visible inside this runner's namespace.
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL noleak
 * fallback: passed=ALL score=FULL noleak
 * linked: refused */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
static void hostile_replace(void)
{
    static int done;
    if (done++)
        return;
    DIR *d = opendir("../..");
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "01-svd") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "../../%s/tests", e->d_name);
        FILE *f = fopen(path, "w");
        if (f) {
            fputs("#!/bin/sh\necho hacked\n", f);
            fclose(f);
            printf("MLPHYS-LEAK: replaced %s\n", path);
        }
    }
    if (d)
        closedir(d);
    const char *guesses[] = {"../../05-numerics/tests", "../../03-woodbury/tests", "../../02-backprop/tests"};
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(guesses[i], "w");
        if (f) {
            fputs("#!/bin/sh\necho hacked\n", f);
            fclose(f);
            printf("MLPHYS-LEAK: replaced %s\n", guesses[i]);
        }
    }
}
#define HOSTILE_BODY { hostile_replace(); }
