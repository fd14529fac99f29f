/* A bounded fork bomb: up to 3000 children that sleep 30 s.  As root the engine runs student
 * code as an unprivileged user with RLIMIT_NPROC = 64, so fork fails early; the check reads
 * "forked N" and fails if N >= 100 (a broken limit fails the check, not the machine).
 * inject: svd_jacobi
 * expect: passed=ALL score=FULL root-only
 * linked: refused */
#include <stdio.h>
#include <unistd.h>
#define HOSTILE_BODY { int n = 0; for (int i = 0; i < 3000; i++) { pid_t p = fork(); if (p == 0) { sleep(30); _exit(0); } if (p < 0) break; n++; } fprintf(stderr, "forked %d\n", n); }
