/* runner.h: running the tests of every chapter, and judging each one. */
#ifndef MLPHYS_RUNNER_H
#define MLPHYS_RUNNER_H
#include "engine.h"
#include <stdint.h>

struct work { struct chapter *ch; size_t ti; unsigned long seed; bool mc, for_points, diag; };

/* Phase 1: every test under every seed (under --memcheck: each chapter in one valgrind
 * runner).  Phase 2, for chapters whose rubric has @memcheck points: every test that passed,
 * again under valgrind. */
void run_all(struct chapter *chs, size_t nch);
/* --strict: the binary's tests against the rubric (problems go to c->problems). */
void compare_with_binary(struct chapter *c);
#endif
