/* sandbox.c: where student code runs.
 *
 * As root (CI, Gradescope, an instructor's batch), every process that runs student code
 * (the compiler too: an .incbin reads files at compile time) is started like this:
 *   1. its own process group, killed as a whole;
 *   2. private namespaces, when the kernel allows them: a mount namespace with a fresh tmpfs on
 *      /tmp, /var/tmp and /dev/shm (Criterion's PID-named files cannot collide between
 *      runners, and nothing survives the job), with the project, the submission, the output
 *      folder and every --hide folder covered by empty tmpfs, and only the chapter's own work
 *      folder (read-write) and data/ (read-only) shown again; a network namespace with no
 *      interface up (no network); an IPC namespace;
 *   3. resource limits: address space, file size, CPU time, no core, processes;
 *   4. an unprivileged system user mlphys-sbN claimed for this job slot (a flock under a
 *      root-only folder), so the process limit applies, the grader's files cannot be written,
 *      and every process of that user is killed after the job;
 *   5. a clean environment: nothing of the engine's is inherited.
 * Without root: process groups and limits only, and the report says so.
 */
#define _GNU_SOURCE
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#define SANDBOX_NPROC 64

static uid_t slot_uid[MAX_JOBS + 1];
static gid_t slot_gid[MAX_JOBS + 1];
static bool users_ok;
static bool ns_ok;
static char ns_why[256] = "not tried";
static const char *hidden[32];
static int nhidden;

bool sandbox_users(void) { return users_ok; }
bool sandbox_namespaces(void) { return ns_ok; }
const char *sandbox_namespaces_why(void) { return ns_why; }

/* A root-owned folder for the locks, which no other user can plant anything in. */
static const char *lock_dir(void)
{
    /* only folders that no other user can create first (never /tmp) */
    static const char *const candidates[] = {"/run/mlphys", "/var/lock/mlphys", "/var/lib/mlphys"};
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        const char *d = candidates[i];
        mkdir(d, 0700);
        struct stat st;
        if (lstat(d, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && (st.st_mode & 077) == 0)
            return d;
    }
    return NULL;
}

/* Kill every process of the slot's user (from a child that becomes that user). */
void sandbox_kill_user(int slot)
{
    if (!users_ok)
        return;
    pid_t k = fork();
    if (k == 0) {
        if (setgroups(0, NULL) || setgid(slot_gid[slot]) || setuid(slot_uid[slot]))
            _exit(1);
        kill(-1, SIGKILL); /* everything this user may signal: its own processes, not us */
        _exit(0);
    }
    if (k > 0)
        waitpid(k, NULL, 0);
}

static bool system_dir(const char *p)
{
    static const char *const sys[] = {"/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc",
                                      "/proc", "/dev", "/sys", "/run", "/var", "/tmp", NULL};
    for (size_t i = 0; sys[i]; i++)
        if (strcmp(p, sys[i]) == 0)
            return true;
    return false;
}

void sandbox_hide(const char *path)
{
    char real[4096];
    if (!path || !realpath(path, real) || system_dir(real) || nhidden >= 32)
        return;
    for (int i = 0; i < nhidden; i++)
        if (strcmp(hidden[i], real) == 0)
            return;
    hidden[nhidden++] = xstrdup(real);
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* In a child, as root: private namespaces.  0, or -1 with errno. */
static int enter_namespaces(const char *expose_rw, const char *expose_ro, bool quiet)
{
    if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC) != 0)
        return -1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return -1;
    int fd_rw = expose_rw ? open(expose_rw, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    int fd_ro = expose_ro ? open(expose_ro, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    static const char *const fresh[] = {"/tmp", "/var/tmp", "/dev/shm"};
    for (size_t i = 0; i < 3; i++) {
        struct stat st;
        if (stat(fresh[i], &st) == 0 &&
            mount("tmpfs", fresh[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=1g") != 0)
            return -1;
    }
    /* cover: outer folders first, inner ones are covered with them */
    for (int i = 0; i < nhidden; i++) {
        bool inner = false;
        for (int k = 0; k < nhidden; k++)
            if (k != i && strlen(hidden[k]) < strlen(hidden[i]) && under(hidden[i], hidden[k]))
                inner = true;
        if (inner)
            continue;
        if (mount("tmpfs", hidden[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m") != 0 &&
            errno != ENOENT)
            return -1;
    }
    char self[64];
    if (fd_rw >= 0) {
        mkdir_p(expose_rw, 0755);
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd_rw);
        if (mount(self, expose_rw, NULL, MS_BIND | MS_REC, NULL) != 0)
            return -1;
    }
    if (fd_ro >= 0) {
        mkdir_p(expose_ro, 0755);
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd_ro);
        if (mount(self, expose_ro, NULL, MS_BIND | MS_REC, NULL) != 0 ||
            mount(NULL, expose_ro, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, NULL) != 0)
            return -1;
    }
    (void)quiet;
    return 0;
}

void sandbox_setup(int nslots, bool want_users, bool want_ns)
{
    users_ok = false;
    ns_ok = false;
    if (geteuid() != 0) {
        snprintf(ns_why, sizeof ns_why, "not root");
        return;
    }
    if (want_ns) {
        /* try once, in a throw-away child */
        pid_t p = fork();
        if (p == 0)
            _exit(enter_namespaces(NULL, NULL, true) == 0 ? 0 : (errno & 0x7f) + 1);
        int ws = 0;
        waitpid(p, &ws, 0);
        ns_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
        if (!ns_ok)
            snprintf(ns_why, sizeof ns_why, "refused by the kernel or container (%s)",
                     WIFEXITED(ws) ? strerror(WEXITSTATUS(ws) - 1) : "crashed");
        else
            snprintf(ns_why, sizeof ns_why, "private /tmp, /var/tmp, /dev/shm; no network; "
                     "instructor files hidden");
    } else
        snprintf(ns_why, sizeof ns_why, "switched off (--no-namespaces or --same-user)");
    if (!want_users)
        return;
    const char *locks = lock_dir();
    if (!locks)
        die("no root-only folder for the sandbox locks (/run/mlphys, /var/lock/mlphys, "
            "/var/lib/mlphys): refusing to run student code as root");
    int got = 0;
    for (int n = 0; n < 256 && got < nslots; n++) {
        char name[32], lock[128];
        snprintf(name, sizeof name, "mlphys-sb%d", n);
        snprintf(lock, sizeof lock, "%s/run%d.lock", locks, n);
        int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);
            continue; /* another engine has it; ours stays open (and locked) until we exit */
        }
        struct passwd *pw = getpwnam(name);
        if (!pw) {
            char *cmd = xasprintf("useradd --system --no-create-home --home-dir /nonexistent "
                                  "--shell /usr/sbin/nologin %s >/dev/null 2>&1", name);
            int rc = system(cmd);
            free(cmd);
            pw = getpwnam(name);
            if (rc != 0 || !pw) {
                fprintf(stderr, "mlphys-grade: cannot create user %s; student code runs as root, "
                        "with process groups as the only containment\n", name);
                return;
            }
        }
        slot_uid[got] = pw->pw_uid;
        slot_gid[got] = pw->pw_gid;
        got++;
        users_ok = true; /* stale processes of a crashed earlier engine must not count */
        sandbox_kill_user(got - 1);
        users_ok = false;
    }
    users_ok = got == nslots;
    if (!users_ok)
        fprintf(stderr, "mlphys-grade: could not claim %d sandbox users; student code runs as "
                "root, with process groups as the only containment\n", nslots);
}

void sandbox_give(const char *path, int slot)
{
    if (users_ok && chown(path, slot_uid[slot], slot_gid[slot]) != 0)
        die("chown %s: %s", path, strerror(errno));
}

static void set_limits(double wall, rlim_t mem)
{
    struct rlimit r;
    r.rlim_cur = r.rlim_max = mem; /* address space: a 10 GB malloc fails cleanly */
    setrlimit(RLIMIT_AS, &r);
    r.rlim_cur = r.rlim_max = 64UL << 20; /* 64 MiB per file written */
    setrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = r.rlim_max = (rlim_t)(wall + 10);
    setrlimit(RLIMIT_CPU, &r);
    r.rlim_cur = r.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &r);
    /* Processes are counted per user: only meaningful for a slot's own user (root ignores
     * it, and on a student's laptop it would count their desktop's processes too). */
    if (users_ok) {
        r.rlim_cur = r.rlim_max = SANDBOX_NPROC;
        setrlimit(RLIMIT_NPROC, &r);
    }
}

/* Criterion's leftovers, for the fallback without private /tmp and /dev/shm: Criterion 2.4.1
 * names its IPC files after process ids (/tmp/criterion_PID.sock, /dev/shm/bxfi_PID,
 * /dev/shm/bxf_arena_PID); a killed runner leaves them, and when the PID comes round again
 * under another user the new runner aborts.  Remove those whose process is gone. */
static void sweep_dir(const char *dir, const char *prefix, const char *suffix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t lp = strlen(prefix), ls = strlen(suffix);
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n <= lp + ls || strncmp(e->d_name, prefix, lp) != 0 || strcmp(e->d_name + n - ls, suffix) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + lp, &end, 10);
        if (end != e->d_name + n - ls || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

void sandbox_sweep(void)
{
    if (ns_ok)
        return;
    sweep_dir("/tmp", "criterion_", ".sock");
    sweep_dir("/dev/shm", "bxfi_", "");
    sweep_dir("/dev/shm", "bxf_arena_", "");
}

static void move_fd(int from, int to)
{
    if (from == to) {
        fcntl(to, F_SETFD, 0);
        return;
    }
    dup2(from, to); /* the copy does not have FD_CLOEXEC */
}

void sandbox_spawn(const struct spawn_req *r, struct spawned *s)
{
    int po[2], pe[2], pr[2] = {-1, -1}, pv[2] = {-1, -1};
    if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || (r->report_fd && pipe2(pr, O_CLOEXEC)) ||
        (r->vglog_fd && pipe2(pv, O_CLOEXEC)))
        die("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        int devnull = open("/dev/null", O_RDONLY);
        /* descriptors 0..4: stdin from /dev/null, stdout, stderr, the report, valgrind's log */
        int hi_o = fcntl(po[1], F_DUPFD_CLOEXEC, 10), hi_e = fcntl(pe[1], F_DUPFD_CLOEXEC, 10);
        int hi_r = pr[1] >= 0 ? fcntl(pr[1], F_DUPFD_CLOEXEC, 10) : -1;
        int hi_v = pv[1] >= 0 ? fcntl(pv[1], F_DUPFD_CLOEXEC, 10) : -1;
        if (devnull >= 0)
            move_fd(devnull, 0);
        move_fd(hi_o, 1);
        move_fd(hi_e, 2);
        if (hi_r >= 0)
            move_fd(hi_r, r->report_fd);
        if (hi_v >= 0)
            move_fd(hi_v, r->vglog_fd);
        /* close everything else the engine holds (other jobs' pipes, lock files) */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != r->report_fd && fd != r->vglog_fd)
                close(fd);
        if (r->sandbox && ns_ok && enter_namespaces(r->expose_rw, r->expose_ro, false) != 0) {
            fprintf(stderr, "mlphys-grade: cannot enter the private namespaces: %s\n", strerror(errno));
            _exit(125);
        }
        if (r->cwd && chdir(r->cwd) != 0) {
            fprintf(stderr, "mlphys-grade: cannot enter %s: %s\n", r->cwd, strerror(errno));
            _exit(126);
        }
        set_limits(r->wall, r->mem);
        if (r->sandbox && users_ok) {
            if (setgroups(0, NULL) || setgid(slot_gid[r->slot]) || setuid(slot_uid[r->slot])) {
                fprintf(stderr, "cannot drop privileges: %s\n", strerror(errno));
                _exit(125);
            }
        }
        execvpe(r->argv[0], r->argv, r->env);
        fprintf(stderr, "cannot run %s: %s\n", r->argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so there is no race */
    close(po[1]);
    close(pe[1]);
    if (pr[1] >= 0)
        close(pr[1]);
    if (pv[1] >= 0)
        close(pv[1]);
    s->pid = pid;
    s->fd_out = po[0];
    s->fd_err = pe[0];
    s->fd_rep = pr[0];
    s->fd_vg = pv[0];
    for (int i = 0; i < 4; i++) {
        int fd = i == 0 ? s->fd_out : i == 1 ? s->fd_err : i == 2 ? s->fd_rep : s->fd_vg;
        if (fd >= 0)
            fcntl(fd, F_SETFL, O_NONBLOCK);
    }
}

char **sandbox_env(const char *const extra[])
{
    static const char *const base[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent",
                                       "LANG=C.UTF-8", "TMPDIR=/tmp", NULL};
    size_t n = 0;
    for (size_t i = 0; base[i]; i++)
        n++;
    for (size_t i = 0; extra && extra[i]; i++)
        n++;
    char **env = xcalloc(n + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; extra && extra[i]; i++)
        env[k++] = xstrdup(extra[i]);
    for (size_t i = 0; base[i]; i++) {
        size_t eq = (size_t)(strchr(base[i], '=') - base[i]);
        bool overridden = false;
        for (size_t j = 0; extra && extra[j]; j++)
            overridden |= strncmp(extra[j], base[i], eq + 1) == 0;
        if (!overridden)
            env[k++] = xstrdup(base[i]);
    }
    env[k] = NULL;
    return env;
}

void sandbox_free_env(char **env)
{
    for (size_t i = 0; env && env[i]; i++)
        free(env[i]);
    free(env);
}
