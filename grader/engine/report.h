/* report.h: the terminal table, report.json and Gradescope's results.json. */
#ifndef MLPHYS_REPORT_H
#define MLPHYS_REPORT_H
#include "engine.h"
void print_terminal(struct chapter *chs, size_t nch, double elapsed);
void write_reports(struct chapter *chs, size_t nch, double elapsed);
#endif
