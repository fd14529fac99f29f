/* sandbox.h: users, namespaces, limits and spawning for code that may be hostile. */
#ifndef MLPHYS_SANDBOX_H
#define MLPHYS_SANDBOX_H
#include "engine.h"

/* Claims nslots sandbox users (as root) and probes the namespaces. */
void sandbox_setup(int nslots, bool want_users, bool want_ns);
bool sandbox_users(void);
bool sandbox_namespaces(void);
const char *sandbox_namespaces_why(void); /* in words, for the report */
/* A folder that sandboxed processes must not see (the project, the submission, ...). */
void sandbox_hide(const char *path);
void sandbox_give(const char *path, int slot);  /* chown to the slot's user */
void sandbox_kill_user(int slot);
void sandbox_sweep(void); /* Criterion's PID-named leftovers, when /tmp is shared */

struct spawn_req {
    char *const *argv;
    char *const *env;       /* the whole environment (sandbox_env) */
    const char *cwd;
    double wall;            /* seconds: also sets the CPU limit */
    rlim_t mem;
    int slot;
    bool sandbox;           /* namespaces and the slot's user, where available */
    const char *expose_rw;  /* shown again inside the namespace, read-write */
    const char *expose_ro;  /* ... read-only */
    int report_fd;          /* 0, or the descriptor number of a pipe for the report (3) */
    int vglog_fd;           /* 0, or the descriptor number of a pipe for valgrind's log (4) */
};
struct spawned {
    pid_t pid;
    int fd_out, fd_err, fd_rep, fd_vg; /* read ends, non-blocking; -1 when not asked for */
};
void sandbox_spawn(const struct spawn_req *r, struct spawned *s);
/* A clean environment: PATH, HOME, LANG, TMPDIR and the extra "K=V" strings. */
char **sandbox_env(const char *const extra[]);
void sandbox_free_env(char **env);
#endif
