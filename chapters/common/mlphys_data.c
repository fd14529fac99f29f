/* CSV and gzip reading for the suite's data sets; see mlphys_data.h. */
#define _POSIX_C_SOURCE 200809L
#include "mlphys_data.h"

#include <csv.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct reader {
    char **fields; /* every field, in order */
    size_t nfields, cap;
    size_t row_len; /* fields in the current row */
    size_t cols;    /* fields in the first row */
    size_t rows;
    int bad;        /* a ragged row was seen */
    size_t bad_line, bad_count;
    int oom;
};

static void on_field(void *s, size_t len, void *data)
{
    struct reader *r = data;
    if (r->oom || r->bad)
        return;
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 1024;
        char **f = realloc(r->fields, cap * sizeof *f);
        if (!f) {
            r->oom = 1;
            return;
        }
        r->fields = f;
        r->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        r->oom = 1;
        return;
    }
    memcpy(copy, s, len);
    copy[len] = '\0';
    r->fields[r->nfields++] = copy;
    r->row_len++;
}

static void on_row(int c, void *data)
{
    (void)c;
    struct reader *r = data;
    if (r->oom || r->bad)
        return;
    if (r->rows == 0)
        r->cols = r->row_len;
    else if (r->row_len != r->cols) {
        r->bad = 1;
        r->bad_line = r->rows + 1;
        r->bad_count = r->row_len;
    }
    r->rows++;
    r->row_len = 0;
}

static void free_fields(struct reader *r)
{
    for (size_t i = 0; i < r->nfields; i++)
        free(r->fields[i]);
    free(r->fields);
}

int mlphys_table_read(const char *path, int has_header, mlphys_table **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno ? errno : ENOENT));
        return GSL_EFAILED;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_STRICT | CSV_STRICT_FINI) != 0) {
        gzclose(gz);
        snprintf(err, errlen, "%s: out of memory", path);
        return GSL_ENOMEM;
    }
    struct reader r = {0};
    char buf[65536];
    int n, status = GSL_SUCCESS;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) {
        if (csv_parse(&p, buf, (size_t)n, on_field, on_row, &r) != (size_t)n) {
            snprintf(err, errlen, "%s:%zu: %s", path, r.rows + 1, csv_strerror(csv_error(&p)));
            status = GSL_EINVAL;
            break;
        }
    }
    int zerr = Z_OK;
    const char *zmsg = gzerror(gz, &zerr);
    if (status == GSL_SUCCESS && (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END))) {
        /* a truncated .gz reads to its end and then reports "unexpected end of file" */
        snprintf(err, errlen, "%s: read error (%s)", path, zmsg);
        status = GSL_EFAILED;
    }
    if (status == GSL_SUCCESS && csv_fini(&p, on_field, on_row, &r) != 0) {
        snprintf(err, errlen, "%s:%zu: %s", path, r.rows + 1, csv_strerror(csv_error(&p)));
        status = GSL_EINVAL;
    }
    csv_free(&p);
    gzclose(gz);
    if (status == GSL_SUCCESS && r.oom) {
        snprintf(err, errlen, "%s: out of memory", path);
        status = GSL_ENOMEM;
    }
    if (status == GSL_SUCCESS && r.bad) {
        snprintf(err, errlen, "%s:%zu: %zu fields, expected %zu like the first line", path,
                 r.bad_line, r.bad_count, r.cols);
        status = GSL_EBADLEN;
    }
    size_t hdr = has_header ? 1 : 0;
    if (status == GSL_SUCCESS && (r.rows <= hdr || r.cols == 0)) {
        snprintf(err, errlen, "%s: no data rows", path);
        status = GSL_EINVAL;
    }
    if (status != GSL_SUCCESS) {
        free_fields(&r);
        return status;
    }
    mlphys_table *t = calloc(1, sizeof *t);
    char *src = strdup(path);
    if (!t || !src) {
        free(t);
        free(src);
        free_fields(&r);
        snprintf(err, errlen, "%s: out of memory", path);
        return GSL_ENOMEM;
    }
    t->cols = r.cols;
    t->rows = r.rows - hdr;
    t->header = has_header ? r.fields : NULL;
    t->cells = r.fields + hdr * r.cols;
    t->source = src;
    t->first_data_line = hdr + 1;
    *out = t;
    return GSL_SUCCESS;
}

void mlphys_table_free(mlphys_table *t)
{
    if (!t)
        return;
    char **all = t->header ? t->header : t->cells;
    size_t n = (t->rows + (t->header ? 1 : 0)) * t->cols;
    for (size_t i = 0; i < n; i++)
        free(all[i]);
    free(all);
    free(t->source);
    free(t);
}

int mlphys_table_column(const mlphys_table *t, const char *name)
{
    if (!t->header)
        return -1;
    for (size_t j = 0; j < t->cols; j++)
        if (strcmp(t->header[j], name) == 0)
            return (int)j;
    return -1;
}

const char *mlphys_table_cell(const mlphys_table *t, size_t row, size_t col)
{
    return (row < t->rows && col < t->cols) ? t->cells[row * t->cols + col] : NULL;
}

int mlphys_table_to_matrix(const mlphys_table *t, gsl_matrix **out, char *err, size_t errlen)
{
    *out = NULL;
    gsl_matrix *m = gsl_matrix_alloc(t->rows, t->cols);
    if (!m) {
        snprintf(err, errlen, "%s: out of memory", t->source);
        return GSL_ENOMEM;
    }
    for (size_t i = 0; i < t->rows; i++)
        for (size_t j = 0; j < t->cols; j++) {
            const char *s = t->cells[i * t->cols + j];
            char *end;
            errno = 0;
            double v = strtod(s, &end);
            while (*end == ' ' || *end == '\t' || *end == '\r')
                end++;
            if (end == s || *end || !isfinite(v) || errno == ERANGE) {
                char col[64];
                if (t->header)
                    snprintf(col, sizeof col, "'%.48s'", t->header[j]);
                else
                    snprintf(col, sizeof col, "%zu", j + 1);
                snprintf(err, errlen, "%s:%zu, column %s: '%.40s' is not a number", t->source,
                         t->first_data_line + i, col, s);
                gsl_matrix_free(m);
                return GSL_EINVAL;
            }
            gsl_matrix_set(m, i, j, v);
        }
    *out = m;
    return GSL_SUCCESS;
}

int mlphys_read_matrix(const char *path, int has_header, gsl_matrix **out, char *err,
                       size_t errlen)
{
    mlphys_table *t;
    int st = mlphys_table_read(path, has_header, &t, err, errlen);
    if (st != GSL_SUCCESS) {
        *out = NULL;
        return st;
    }
    st = mlphys_table_to_matrix(t, out, err, errlen);
    mlphys_table_free(t);
    return st;
}
