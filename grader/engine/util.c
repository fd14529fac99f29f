/* util.c: allocation, time, safe file handling and text clean-up for the engine. */
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("mlphys-grade: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        die("out of memory");
    return d;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    if (vasprintf(&s, fmt, ap) < 0)
        die("out of memory");
    va_end(ap);
    return s;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die("out of memory");
    return p;
}

void *xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        die("out of memory");
    return q;
}

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return (mkdir(buf, mode) && errno != EEXIST) ? -1 : 0;
}

char *read_file_safe(const char *path, size_t cap)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    char *buf = xcalloc(cap + 1, 1);
    size_t n = 0;
    while (n < cap) {
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    buf[n] = '\0';
    close(fd);
    return buf;
}

int write_file_atomic(const char *path, const char *text)
{
    char *tmp = xasprintf("%s.tmp-XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC); /* O_EXCL: a fresh file, never a planted one */
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t k = write(fd, text + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    fchmod(fd, geteuid() == 0 ? 0600 : 0644); /* as root: other users read no report */
    int rc = (done == n && close(fd) == 0 && rename(tmp, path) == 0) ? 0 : -1;
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

int copy_file_safe(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0)
        return -1;
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        errno = EINVAL;
        return -1;
    }
    unlink(dst);
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t k = read(in, buf, sizeof buf);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            rc = -1;
        if (k <= 0)
            break;
        if (write(out, buf, (size_t)k) != k) {
            rc = -1;
            break;
        }
    }
    fchmod(out, mode);
    close(in);
    if (close(out) != 0)
        rc = -1;
    return rc;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && p[0] < 0xC2) || (n == 4 && p[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

void sanitize_utf8(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t n = utf8_len(p);
        if (n == 1) {
            if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F)
                *p = '?';
            p++;
        } else if (n > 1) {
            p += n;
        } else {
            *p++ = '?';
        }
    }
}

char *first_lines(const char *s, int lines)
{
    const char *p = s;
    for (int i = 0; i < lines && p && *p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    size_t n = p ? (size_t)(p - s) : strlen(s);
    char *out = xcalloc(n + 1, 1);
    memcpy(out, s, n);
    return out;
}

void append(char **buf, size_t *len, const char *data, size_t n)
{
    *buf = xrealloc(*buf, *len + n + 1);
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
}

const char *signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV, a segmentation fault: an out-of-bounds index or a NULL pointer?";
    case SIGBUS: return "SIGBUS, a bus error: a misaligned or invalid memory access";
    case SIGABRT: return "SIGABRT: abort() or a failed assert() was called";
    case SIGFPE: return "SIGFPE, an arithmetic exception: an integer division by zero?";
    case SIGILL: return "SIGILL, an illegal instruction: a corrupted stack?";
    case SIGKILL: return "SIGKILL: killed, usually for exceeding the memory or process limit";
    case SIGXCPU: return "SIGXCPU: the CPU time limit was exceeded";
    case SIGXFSZ: return "SIGXFSZ: it wrote more than the file size limit allows";
    case SIGPIPE: return "SIGPIPE: it wrote to a closed pipe";
    case SIGTERM: return "SIGTERM: it was terminated";
    case SIGSYS: return "SIGSYS: a forbidden system call";
    default: return strsignal(sig);
    }
}
