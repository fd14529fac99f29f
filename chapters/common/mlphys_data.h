/*
 * mlphys_data.h: reading the suite's data sets (CSV, optionally gzip-compressed).
 *
 *     mlphys_table *t; char err[512];
 *     if (mlphys_table_read("data/longley.csv", 1, &t, err, sizeof err) != GSL_SUCCESS) {
 *         fprintf(stderr, "%s\n", err);   // e.g. "data/longley.csv:5: 6 fields, expected 7"
 *         ...
 *     }
 *
 * Errors never exit: every function returns a GSL status and writes a one-line reason that
 * names the file, the line and what is wrong.  Fields follow RFC 4180 (parsed by libcsv);
 * a file ending in .gz is decompressed on the fly (zlib reads plain files as they are).
 */
#ifndef MLPHYS_DATA_H
#define MLPHYS_DATA_H

#include <gsl/gsl_matrix.h>
#include <stddef.h>

typedef struct mlphys_table {
    size_t rows, cols;
    char **header; /* cols names, or NULL when the file has no header line */
    char **cells;  /* rows * cols strings, row-major */
    char *source;  /* the path it was read from, for messages */
    size_t first_data_line; /* 1-based line number of row 0 (2 with a header) */
} mlphys_table;

/* Read a whole CSV file.  Every row must have as many fields as the first.
 * Returns GSL_SUCCESS; GSL_EFAILED when the file cannot be opened or read; GSL_EBADLEN for a
 * ragged row; GSL_EINVAL for an empty file or a malformed quote.  On error *out is NULL. */
int mlphys_table_read(const char *path, int has_header, mlphys_table **out, char *err,
                      size_t errlen);
void mlphys_table_free(mlphys_table *t); /* NULL is a no-op */

/* Column index by header name, or -1. */
int mlphys_table_column(const mlphys_table *t, const char *name);
const char *mlphys_table_cell(const mlphys_table *t, size_t row, size_t col);

/* Every cell as a double: a new rows x cols matrix.  GSL_EINVAL names the first cell that is
 * not a finite number ("data/x.csv:12, column 'gnp': 'abc' is not a number"). */
int mlphys_table_to_matrix(const mlphys_table *t, gsl_matrix **out, char *err, size_t errlen);

/* Both steps at once, for an all-numeric file. */
int mlphys_read_matrix(const char *path, int has_header, gsl_matrix **out, char *err,
                       size_t errlen);

#endif
