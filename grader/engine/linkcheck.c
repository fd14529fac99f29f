/* linkcheck.c: the allow-list.  A student's compiled object may
 *   - define as global only the functions its chapter's header declares (helpers are static);
 *   - reference only: the C maths library, GSL and CBLAS (less a few stream and error-handler
 *     routines, and whatever the chapter's rubric denies with @deny), the shared chapters/common
 *     API, and a small set of libc memory, string and printing functions;
 *   - have no constructor, destructor or initialiser sections, and no raw system-call or
 *     valgrind client-request instructions.
 * So a file cannot replace Criterion's internals or the test library at link time (a global
 * of another name is refused), cannot take over main() (#undef main is refused as "main"),
 * cannot run code before the tests (no .init_array), and cannot open, signal, fork, exec or
 * read the environment by name.  It does not stop code that computes the address of a libc
 * function from an allowed one: the sandbox layers (sandbox.c) are there for that.
 */
#define _GNU_SOURCE
#include "linkcheck.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The libc functions graded code may call.  Everything else in libc (files, processes,
 * signals, environment, time, sockets, dynamic loading, memory protection) is refused. */
static const char *const libc_allowed[] = {
    "malloc", "calloc", "realloc", "free", "aligned_alloc", "posix_memalign",
    "memcpy", "memmove", "memset", "memcmp", "memchr",
    "strlen", "strnlen", "strcmp", "strncmp", "strchr", "strrchr", "strstr", "strcpy",
    "strncpy", "strcat", "strncat", "strdup", "strndup", "strspn", "strcspn",
    "strtod", "strtof", "strtol", "strtoll", "strtoul", "strtoull", "atof", "atoi", "atol",
    "__isoc23_strtol", "__isoc23_strtoll", "__isoc23_strtoul", "__isoc23_strtoull",
    "qsort", "bsearch", "abs", "labs", "llabs", "div", "ldiv",
    "printf", "fprintf", "vprintf", "vfprintf", "puts", "putchar", "fputs", "fputc", "putc",
    "fwrite", "fflush", "snprintf", "sprintf", "vsnprintf", "vsprintf",
    "sscanf", "__isoc99_sscanf", "__isoc23_sscanf",
    "stdout", "stderr",
    "__assert_fail", "__stack_chk_fail", "__errno_location",
    "__ctype_b_loc", "__ctype_tolower_loc", "__ctype_toupper_loc", "tolower", "toupper",
    "__printf_chk", "__fprintf_chk", "__vfprintf_chk", "__vprintf_chk", "__snprintf_chk",
    "__sprintf_chk", "__vsnprintf_chk", "__vsprintf_chk", "__memcpy_chk", "__memmove_chk",
    "__memset_chk", "__strcpy_chk", "__strncpy_chk", "__strcat_chk", "__strncat_chk",
    "_GLOBAL_OFFSET_TABLE_",
    /* libgcc helpers the compiler calls by itself */
    "__muldc3", "__divdc3", "__mulsc3", "__divsc3", "__powidf2", "__powisf2",
    "__divti3", "__udivti3", "__modti3", "__umodti3", "__popcountdi2",
    NULL};

/* Library prefixes allowed wholesale, and the exceptions within them. */
static const char *const prefix_allowed[] = {"gsl_*", "cblas_*", "mlp_*", "mlphys_table_*",
                                             "mlphys_read_matrix", "_ZGV*", NULL};
static const char *const always_denied[] = {
    "gsl_set_stream*", "gsl_stream_printf", "gsl_*_fread", "gsl_*_fscanf", "gsl_*_fwrite",
    "gsl_rng_env_setup", "gsl_ieee_env_setup", NULL};

/* ---- running a tool and capturing its output ------------------------------------------ */
static char *capture(char *const argv[], int *status)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(p[1], 1);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0)
            dup2(devnull, 0), dup2(devnull, 2);
        setenv("LC_ALL", "C", 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    char *buf = NULL;
    size_t len = 0;
    char tmp[65536];
    for (;;) {
        ssize_t k = read(p[0], tmp, sizeof tmp);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (len < (64u << 20))
            append(&buf, &len, tmp, (size_t)k);
    }
    close(p[0]);
    int ws = 0;
    waitpid(pid, &ws, 0);
    *status = ws;
    if (!buf)
        buf = xstrdup("");
    return buf;
}

/* ---- the header's functions ------------------------------------------------------------ */
size_t linkcheck_header_functions(const char *header, const char *cc, char *const cflags[],
                                  char ***names)
{
    char tmpl[] = "/tmp/mlphys-aux-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return 0;
    close(fd);
    char *argv[300];
    size_t a = 0;
    argv[a++] = (char *)cc;
    for (size_t i = 0; cflags && cflags[i] && a < 280; i++)
        argv[a++] = cflags[i];
    char *aux = xasprintf("-aux-info=%s", tmpl);
    char *fixed[] = {"-fsyntax-only", "-w", "-aux-info", tmpl, "-x", "c", (char *)header, NULL};
    free(aux);
    for (size_t i = 0; fixed[i]; i++)
        argv[a++] = fixed[i];
    argv[a] = NULL;
    int st;
    free(capture(argv, &st));
    char *text = read_file_safe(tmpl, 4 << 20);
    unlink(tmpl);
    size_t n = 0;
    *names = NULL;
    if (!text || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(text);
        return 0;
    }
    char *want = xasprintf("/* %s:", header);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, want, strlen(want)) != 0)
            continue;
        char *paren = strstr(line, " (");
        if (!paren)
            continue;
        char *end = paren, *start = paren;
        while (start > line && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
            start--;
        if (start == end)
            continue;
        *names = xrealloc(*names, (n + 1) * sizeof **names);
        (*names)[n++] = strndup(start, (size_t)(end - start));
    }
    free(want);
    free(text);
    return n;
}

/* ---- libm's exported names ---------------------------------------------------------------- */
static char **libm_names;
static size_t libm_n;

static void load_libm(const char *cc)
{
    if (libm_names)
        return;
    libm_names = xcalloc(1, sizeof *libm_names);
    char *argv_path[] = {(char *)cc, "-print-file-name=libm.so.6", NULL};
    int st;
    char *path = capture(argv_path, &st);
    path[strcspn(path, "\n")] = '\0';
    char *argv_nm[] = {"nm", "-D", "--defined-only", "--format=posix", path, NULL};
    char *text = capture(argv_nm, &st);
    free(path);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[256];
        if (sscanf(line, "%255s", name) != 1)
            continue;
        char *at = strchr(name, '@');
        if (at)
            *at = '\0';
        libm_names = xrealloc(libm_names, (libm_n + 1) * sizeof *libm_names);
        libm_names[libm_n++] = xstrdup(name);
    }
    free(text);
}

static bool in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static bool matches_any(const char *const *globs, const char *s)
{
    for (size_t i = 0; globs[i]; i++)
        if (fnmatch(globs[i], s, 0) == 0)
            return true;
    return false;
}

static const char *why_libc(const char *s)
{
    static const struct { const char *name, *why; } known[] = {
        {"fopen", "file access"}, {"open", "file access"}, {"openat", "file access"},
        {"fopen64", "file access"}, {"open64", "file access"}, {"freopen", "file access"},
        {"fread", "file access"}, {"fgets", "file access"}, {"unlink", "file access"},
        {"remove", "file access"}, {"rename", "file access"}, {"opendir", "file access"},
        {"mkfifo", "file access"}, {"symlink", "file access"}, {"write", "file access"},
        {"read", "file access"}, {"close", "file access"},
        {"exit", "ending the test program"}, {"_exit", "ending the test program"},
        {"_Exit", "ending the test program"}, {"abort", "ending the test program"},
        {"quick_exit", "ending the test program"}, {"atexit", "ending the test program"},
        {"kill", "signals"}, {"raise", "signals"}, {"signal", "signals"},
        {"sigaction", "signals"}, {"getppid", "processes"}, {"getpid", "processes"},
        {"fork", "processes"}, {"vfork", "processes"}, {"system", "processes"},
        {"popen", "processes"}, {"execve", "processes"}, {"execv", "processes"},
        {"execvp", "processes"}, {"execl", "processes"}, {"execlp", "processes"},
        {"setsid", "processes"}, {"clone", "processes"}, {"pthread_create", "threads"},
        {"getenv", "the environment"}, {"secure_getenv", "the environment"},
        {"setenv", "the environment"}, {"putenv", "the environment"},
        {"environ", "the environment"}, {"__environ", "the environment"},
        {"syscall", "raw system calls"}, {"ptrace", "debugging other processes"},
        {"mprotect", "memory protection"}, {"mmap", "memory mapping"},
        {"dlopen", "dynamic loading"}, {"dlsym", "dynamic loading"},
        {"socket", "the network"}, {"connect", "the network"},
        {"time", "the clock"}, {"clock", "the clock"}, {"clock_gettime", "the clock"},
        {"gettimeofday", "the clock"}, {"sleep", "sleeping"}, {"usleep", "sleeping"},
        {"nanosleep", "sleeping"}, {"rand", "randomness outside gsl_rng"},
        {"srand", "randomness outside gsl_rng"}, {"random", "randomness outside gsl_rng"},
        {"setjmp", "jumps out of the test"}, {"longjmp", "jumps out of the test"},
        {"_setjmp", "jumps out of the test"}, {"__longjmp_chk", "jumps out of the test"},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(known[i].name, s) == 0)
            return known[i].why;
    if (strncmp(s, "criterion_", 10) == 0 || strncmp(s, "cr_", 3) == 0 ||
        strncmp(s, "bxf", 3) == 0 || strncmp(s, "mlphys_", 7) == 0)
        return "the test framework's internals";
    return NULL;
}

/* ---- the check ------------------------------------------------------------------------- */
static void refuse(char **msg, size_t *len, int *count, const char *fmt, const char *a,
                   const char *b)
{
    if (++*count > 6)
        return;
    char *line = *count == 6 ? xstrdup("(and more)") : xasprintf(fmt, a, b);
    if (*len)
        append(msg, len, "\n", 1);
    append(msg, len, line, strlen(line));
    free(line);
}

char *linkcheck_object(const char *obj, const char *cc, char *const *header_fns, size_t nheader,
                       const struct deny *denies, size_t ndenies)
{
    load_libm(cc);
    char *msg = NULL;
    size_t len = 0;
    int count = 0, st;

    /* 1. symbols */
    char *argv_nm[] = {"nm", "--format=posix", "--no-sort", (char *)obj, NULL};
    char *text = capture(argv_nm, &st);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        free(text);
        return xstrdup("refused: the compiled file could not be inspected (not an object file?)");
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[512], type[8];
        if (sscanf(line, "%511s %7s", name, type) != 2 || strlen(type) != 1)
            continue;
        char t = type[0];
        if (t == 'U' || t == 'w' || t == 'v') { /* a reference */
            bool ok = in_list(libc_allowed, name) || matches_any(prefix_allowed, name);
            if (!ok)
                for (size_t i = 0; i < libm_n && !ok; i++)
                    ok = strcmp(libm_names[i], name) == 0;
            if (ok && matches_any(always_denied, name))
                ok = false;
            const struct deny *d = NULL;
            for (size_t i = 0; i < ndenies && ok; i++)
                if (fnmatch(denies[i].pattern, name, 0) == 0)
                    d = &denies[i], ok = false;
            if (d)
                refuse(&msg, &len, &count, "refused: your file calls %s(), which this chapter does "
                       "not allow: %s", name, d->reason);
            else if (!ok) {
                const char *why = why_libc(name);
                if (why)
                    refuse(&msg, &len, &count, "refused: your file uses %s() (%s), which graded "
                           "code may not: the tests hand your functions everything they need",
                           name, why);
                else
                    refuse(&msg, &len, &count, "refused: your file uses %s%s, which is not on the "
                           "list of allowed calls (the C maths library, GSL, chapters/common, "
                           "and libc's memory, string and printing functions)", name, "()");
            }
        } else if (isupper((unsigned char)t) && t != 'N') { /* a global definition */
            bool ok = false;
            for (size_t i = 0; i < nheader && !ok; i++)
                ok = strcmp(header_fns[i], name) == 0;
            if (!ok) {
                if (strcmp(name, "main") == 0 || strcmp(name, "mlphys_student_main") == 0)
                    refuse(&msg, &len, &count, "refused: your file defines main()%s%s: remove it "
                           "(the tests call your functions; try things out in run.c instead)", "", "");
                else
                    refuse(&msg, &len, &count, "refused: your file defines the global name %s, "
                           "which its header does not declare: make helper functions and "
                           "variables static%s", name, "");
            }
        }
    }
    free(text);

    /* 2. sections that run code before or after the tests */
    char *argv_re[] = {"readelf", "-S", "-W", (char *)obj, NULL};
    text = capture(argv_re, &st);
    save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *br = strchr(line, ']');
        if (!br || !strchr(line, '['))
            continue;
        char name[256] = "", type[64] = "";
        if (sscanf(br + 1, "%255s %63s", name, type) != 2)
            continue;
        static const char *const bad_names[] = {".init_array*", ".fini_array*", ".preinit_array*",
                                                ".ctors*", ".dtors*", ".init", ".fini", NULL};
        if (matches_any(bad_names, name) || strstr(type, "INIT_ARRAY") || strstr(type, "FINI_ARRAY"))
            refuse(&msg, &len, &count, "refused: your file has a constructor or destructor "
                   "(section %s%s): code may run only when the tests call your functions", name, "");
    }
    free(text);

    /* 3. instructions: raw system calls, valgrind client requests */
    char *argv_od[] = {"objdump", "-d", "--no-show-raw-insn", (char *)obj, NULL};
    text = capture(argv_od, &st);
    save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        char *ins = tab + 1;
        while (*ins == ' ')
            ins++;
        if (strncmp(ins, "syscall", 7) == 0 || strncmp(ins, "sysenter", 8) == 0 ||
            strncmp(ins, "int    $0x80", 12) == 0 || strncmp(ins, "svc", 3) == 0)
            refuse(&msg, &len, &count, "refused: your file makes a raw system call (%s%s): "
                   "graded code may not", "inline assembly", "");
        else if (strstr(ins, "xchg   %rbx,%rbx"))
            refuse(&msg, &len, &count, "refused: your file talks to valgrind directly (%s%s)",
                   "a client request", "");
    }
    free(text);
    return msg;
}
