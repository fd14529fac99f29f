/* build.h: compiling (sandboxed), checking and linking a chapter's file. */
#ifndef MLPHYS_BUILD_H
#define MLPHYS_BUILD_H
#include "engine.h"
#include "sandbox.h"
/* Sets c->gradable, or c->compile_output (and c->refused) saying why not. */
void build_chapter(struct chapter *c);
/* Runs a command to completion with its output (capped, cleaned): the wait status, or -1
 * when stopped for time. */
int run_to_end(const struct spawn_req *r, char **out);
#endif
