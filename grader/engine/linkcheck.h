/* linkcheck.h: the allow-list on a student's compiled object (see linkcheck.c). */
#ifndef MLPHYS_LINKCHECK_H
#define MLPHYS_LINKCHECK_H
#include "engine.h"

/* The functions a chapter's header declares (through the compiler's -aux-info), as a new
 * array of new strings; the count, 0 if the header could not be read. */
size_t linkcheck_header_functions(const char *header, const char *cc, char *const cflags[],
                                  char ***names);

/* NULL when the object keeps every rule; otherwise a new string, one line per refusal
 * ("refused: ... "), at most six lines, each saying what and why. */
char *linkcheck_object(const char *obj, const char *cc, char *const *header_fns, size_t nheader,
                       const struct deny *denies, size_t ndenies);
#endif
