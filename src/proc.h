/* Process lifecycle: what happens around exec, wait and popen. */
#ifndef SOCKSHIELD_PROC_H
#define SOCKSHIELD_PROC_H

#include "log.h"
#include "state.h"

/* An exec, the call given (the real function): the reaper's sweep point
 * and the exit summary before the image is replaced (the destructor will
 * not run), the summary armed again when the exec fails.  The exec
 * family's wrappers (wrap_exec.c) and the execl family below use it. */
#define SOCKSHIELD_PROC_EXEC(call)                                           \
    __extension__({                                                          \
        sockshield_proc_sweep_point();                                       \
        sockshield_log_summary();                                            \
        int r_ = (call);                                                     \
        sockshield_log_summary_rearm();                                      \
        r_;                                                                  \
    })

/* The variadic execl family, collected into an argv array. */
enum sockshield_execl { SOCKSHIELD_EXECL, SOCKSHIELD_EXECLE, SOCKSHIELD_EXECLP };
int sockshield_proc_execl(enum sockshield_execl kind, const char *path, const char *arg0, va_list ap);

/* The wait family, popen/pclose and system (SOCKSHIELD_REAP): a child the
 * reaper collected is still reported, once, to the wait that asks for it. */
pid_t sockshield_proc_wait4(enum sockshield_call id, pid_t pid, int *status, int options,
                       struct rusage *ru);
int sockshield_proc_waitid(idtype_t type, id_t id, siginfo_t *info, int options);
FILE *sockshield_proc_popen(const char *cmd, const char *mode);
int sockshield_proc_pclose(FILE *f);
/* glibc's fclose of a popen stream is its pclose: ours are closed alike. */
int sockshield_proc_fclose(FILE *f);
int sockshield_proc_system(const char *cmd);

/* The reaper's body, run with every signal blocked: collects every exited
 * child and records it.  Async-signal-safe, lock-free. */
void sockshield_proc_reap(void);
/* The same from ordinary code (signals blocked around it). */
void sockshield_proc_sweep(void);
/* SOCKSHIELD_REAP has no signal handler: the reaper runs at sweep points,
 * the wrapped accept, fork (an atfork handler), exec and the end of a
 * blocking wait.  A point costs one waitid(WNOHANG | WNOWAIT) when no
 * child has ended, nothing with REAP off; errno is kept. */
void sockshield_proc_sweep_now(void);
static inline void sockshield_proc_sweep_point(void)
{
    if (SOCKSHIELD_UNLIKELY(sockshield_cfg.reap))
        sockshield_proc_sweep_now();
}
/* True while SOCKSHIELD_REAP is on and the program leaves SIGCHLD at its
 * default in the kernel (no handler, no SIG_IGN): the reaper may sweep. */
bool sockshield_proc_reaper_active(void);
/* In a fork child: the parent's waiters and reapers are not ours. */
void sockshield_proc_after_fork(void);

#endif
