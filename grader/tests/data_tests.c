/*
 * Tests of chapters/common/mlphys_data: every malformed file is reported with its name, its
 * line and the reason, as a GSL status, and never crashes.  Files are written to a fresh
 * temporary folder by each test.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlphys_data.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];
static void make_dir(void)
{
    strcpy(dir, "/tmp/mlphys-data-XXXXXX");
    cr_assert(mkdtemp(dir) != NULL);
}
static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    (void)!system(cmd);
}
TestSuite(data, .init = make_dir, .fini = remove_dir, .timeout = 10);

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fputs(text, f);
    fclose(f);
    return path;
}

Test(data, reads_a_numeric_file_with_header)
{
    const char *p = write_file("ok.csv", "a,b,c\n1,2,3\n4.5,-6e2,7\n");
    mlphys_table *t;
    char err[512];
    cr_assert_eq(mlphys_table_read(p, 1, &t, err, sizeof err), GSL_SUCCESS, "%s", err);
    cr_assert_eq(t->rows, 2);
    cr_assert_eq(t->cols, 3);
    cr_assert_eq(mlphys_table_column(t, "b"), 1);
    cr_assert_eq(mlphys_table_column(t, "zzz"), -1);
    gsl_matrix *m;
    cr_assert_eq(mlphys_table_to_matrix(t, &m, err, sizeof err), GSL_SUCCESS, "%s", err);
    cr_assert(gsl_matrix_get(m, 1, 1) == -600.0);
    gsl_matrix_free(m);
    mlphys_table_free(t);
    mlphys_table_free(NULL);
}

Test(data, quoted_fields_and_crlf)
{
    const char *p = write_file("q.csv", "node,club\r\n0,\"Mr. Hi, the teacher\"\r\n1,Officer\r\n");
    mlphys_table *t;
    char err[512];
    cr_assert_eq(mlphys_table_read(p, 1, &t, err, sizeof err), GSL_SUCCESS, "%s", err);
    cr_assert_str_eq(mlphys_table_cell(t, 0, 1), "Mr. Hi, the teacher");
    cr_assert_str_eq(mlphys_table_cell(t, 1, 1), "Officer");
    mlphys_table_free(t);
}

Test(data, missing_file_names_the_file)
{
    mlphys_table *t = (mlphys_table *)1;
    char err[512];
    cr_assert_eq(mlphys_table_read("/nonexistent/x.csv", 1, &t, err, sizeof err), GSL_EFAILED);
    cr_assert_null(t);
    cr_assert(strstr(err, "/nonexistent/x.csv") && strstr(err, "cannot open"), "message: %s", err);
}

Test(data, ragged_row_names_file_and_line)
{
    const char *p = write_file("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
    mlphys_table *t;
    char err[512];
    cr_assert_eq(mlphys_table_read(p, 1, &t, err, sizeof err), GSL_EBADLEN);
    char want[300];
    snprintf(want, sizeof want, "%s:3: 2 fields, expected 3", p);
    cr_assert(strstr(err, want), "message '%s' should contain '%s'", err, want);
}

Test(data, non_number_names_line_and_column)
{
    const char *p = write_file("nan.csv", "gnp,year\n1,1947\n2,abc\n");
    gsl_matrix *m;
    char err[512];
    cr_assert_eq(mlphys_read_matrix(p, 1, &m, err, sizeof err), GSL_EINVAL);
    cr_assert_null(m);
    char want[300];
    snprintf(want, sizeof want, "%s:3, column 'year': 'abc' is not a number", p);
    cr_assert(strstr(err, want), "message '%s' should contain '%s'", err, want);
}

Test(data, empty_file_and_header_only)
{
    mlphys_table *t;
    char err[512];
    cr_assert_eq(mlphys_table_read(write_file("empty.csv", ""), 1, &t, err, sizeof err), GSL_EINVAL);
    cr_assert(strstr(err, "no data rows"), "%s", err);
    cr_assert_eq(mlphys_table_read(write_file("hdr.csv", "a,b\n"), 1, &t, err, sizeof err), GSL_EINVAL);
}

Test(data, unterminated_quote_is_an_error)
{
    mlphys_table *t;
    char err[512];
    const char *p = write_file("quote.csv", "a,b\n1,\"open\n");
    int st = mlphys_table_read(p, 1, &t, err, sizeof err);
    cr_assert_neq(st, GSL_SUCCESS, "an unterminated quote must not be accepted");
    cr_assert(strstr(err, p), "message names the file: %s", err);
}

Test(data, reads_gzip_transparently)
{
    char path[256];
    snprintf(path, sizeof path, "%s/z.csv.gz", dir);
    gzFile gz = gzopen(path, "wb");
    gzputs(gz, "1,2\n3,4\n");
    gzclose(gz);
    gsl_matrix *m;
    char err[512];
    cr_assert_eq(mlphys_read_matrix(path, 0, &m, err, sizeof err), GSL_SUCCESS, "%s", err);
    cr_assert(gsl_matrix_get(m, 1, 0) == 3.0 && m->size1 == 2 && m->size2 == 2);
    gsl_matrix_free(m);
}

Test(data, truncated_gzip_is_an_error_not_a_crash)
{
    char path[256];
    snprintf(path, sizeof path, "%s/bad.csv.gz", dir);
    gzFile gz = gzopen(path, "wb");
    for (int i = 0; i < 2000; i++)
        gzprintf(gz, "%d,%d\n", i, i);
    gzclose(gz);
    if (truncate(path, 200) != 0)
        cr_assert_fail("truncate");
    gsl_matrix *m = NULL;
    char err[512];
    int st = mlphys_read_matrix(path, 0, &m, err, sizeof err);
    cr_assert_neq(st, GSL_SUCCESS, "a truncated gzip must be reported");
    cr_assert(strstr(err, path), "message names the file: %s", err);
}

Test(data, the_shipped_data_sets_have_their_documented_shapes)
{
    struct { const char *file; int header; size_t rows, cols; } sets[] = {
        {"data/digits.csv.gz", 0, 1797, 65}, {"data/longley.csv", 1, 16, 7},
        {"data/karate-edges.csv", 1, 78, 2}, {"data/karate-clubs.csv", 1, 34, 2}};
    for (size_t i = 0; i < 4; i++) {
        mlphys_table *t;
        char err[512];
        cr_assert_eq(mlphys_table_read(sets[i].file, sets[i].header, &t, err, sizeof err), GSL_SUCCESS, "%s", err);
        cr_expect_eq(t->rows, sets[i].rows, "%s: %zu rows", sets[i].file, t->rows);
        cr_expect_eq(t->cols, sets[i].cols, "%s: %zu columns", sets[i].file, t->cols);
        mlphys_table_free(t);
    }
}
