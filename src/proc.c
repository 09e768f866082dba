/* Process lifecycle: exec, and with SOCKSHIELD_REAP the reaper's records
 * and the wait family, popen/pclose and system() that read them.
 *
 * The reaper collects every exited child while the program leaves SIGCHLD
 * at its default, so a fork server leaves no zombies.  It is no signal
 * handler (a SIGCHLD handler would make sleep, poll, select fail with EINTR
 * or return early, where SIGCHLD at its default interrupts nothing): it
 * runs at sweep points (proc.h), so zombies last until the program next
 * enters one.
 * A program may still wait for a child the reaper took: each collected
 * child is recorded (pid, process group, siginfo, rusage) in a small
 * lock-free table, and the wrapped wait calls report a matching record,
 * once, before and instead of the real call's ECHILD.  Two mechanisms close
 * the races with a wait that is blocked in the kernel:
 *   - a wait for one pid claims it: the reaper still collects the child, but
 *     its record is never overwritten while claimed;
 *   - a wait for any child (-1, a process group) or a spawn whose pid is not
 *     known yet holds the reaper back: it collects nothing while a hold is
 *     on, so the kernel wait gets the child itself.  The last hold to end
 *     runs the reaper once for what exited meanwhile.
 * The reaper counts itself in `reaping`; claims and holds are published
 * first and then wait for `reaping` to drain (sequentially consistent on
 * both sides), so a reaper either sees them or has finished recording
 * before the wait looks at the table. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "arch.h"
#include "log.h"
#include "rawio.h"
#include "real.h"

extern char **environ;

/* glibc's execl* call its internal execve, so they are collected here into
 * an argument array and exec'd the way execve and execvp are (execlp
 * searches PATH, execle takes the environment after the NULL). */
int sockshield_proc_execl(enum sockshield_execl kind, const char *path, const char *arg0, va_list ap)
{
    va_list count;
    va_copy(count, ap);
    size_t n = 1;
    if (arg0)
        while (va_arg(count, const char *))
            n++;
    va_end(count);
    if (n > 65536) {
        errno = E2BIG;
        return -1;
    }
    const char *argv[n + 1];
    argv[0] = arg0;
    for (size_t i = 1; arg0 && i < n; i++)
        argv[i] = va_arg(ap, const char *);
    if (arg0)
        (void)va_arg(ap, const char *); /* the terminating NULL */
    argv[n] = NULL;
    if (!arg0)
        argv[0] = NULL;
    char *const *av = (char *const *)argv;
    switch (kind) {
    case SOCKSHIELD_EXECLE:
        return SOCKSHIELD_PROC_EXEC(real_execve(path, av, va_arg(ap, char *const *)));
    case SOCKSHIELD_EXECLP:
        return SOCKSHIELD_PROC_EXEC(real_execvp(path, av));
    case SOCKSHIELD_EXECL:
    default:
        return SOCKSHIELD_PROC_EXEC(real_execve(path, av, environ));
    }
}

/* ---- the reaper's records ------------------------------------------------ */

#define RECORDS 128 /* unclaimed records beyond this are overwritten, oldest first */
#define CLAIMS 64   /* concurrent waits for one pid plus open popen streams */

enum { REC_FREE = 0, REC_BUSY, REC_FULL };

struct exit_record {
    int state;
    pid_t owner; /* the process that reaped it: records survive fork, owners do not */
    pid_t pid, pgid;
    uid_t uid;
    int code, value; /* siginfo si_code and si_status */
    uint64_t seq;
    struct rusage ru;
};

static struct exit_record records[RECORDS];
static unsigned record_cursor;
static uint64_t record_seq;
static uint64_t claims[CLAIMS];
static int reaping; /* reapers running now */
static int holders; /* waits and spawns that hold the reaper back */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static uint64_t claim_key(pid_t owner, pid_t pid)
{
    return (uint64_t)(uint32_t)owner << 32 | (uint32_t)pid;
}

static bool claimed(pid_t owner, pid_t pid)
{
    uint64_t key = claim_key(owner, pid);
    for (int i = 0; i < CLAIMS; i++)
        if (__atomic_load_n(&claims[i], __ATOMIC_SEQ_CST) == key)
            return true;
    return false;
}

/* The slot index, or -1 when every slot is taken. */
static int claim(pid_t pid)
{
    uint64_t key = claim_key(sockshield_getpid(), pid);
    for (int i = 0; i < CLAIMS; i++) {
        uint64_t zero = 0;
        if (__atomic_compare_exchange_n(&claims[i], &zero, key, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED))
            return i;
    }
    return -1;
}

static void unclaim(int slot)
{
    if (slot >= 0)
        __atomic_store_n(&claims[slot], 0, __ATOMIC_SEQ_CST);
}

/* Stores one collected child; async-signal-safe.  Takes a free record, or
 * overwrites the oldest one nobody claims; drops it when all are busy. */
static void record(pid_t owner, const siginfo_t *si, pid_t pgid, const struct rusage *ru)
{
    for (unsigned tries = 0; tries < 2 * RECORDS; tries++) {
        unsigned i = __atomic_fetch_add(&record_cursor, 1, __ATOMIC_RELAXED) % RECORDS;
        struct exit_record *r = &records[i];
        int st = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
        if (st == REC_BUSY ||
            !__atomic_compare_exchange_n(&r->state, &st, REC_BUSY, false, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED))
            continue;
        if (st == REC_FULL && LOAD(r->owner) == owner && claimed(owner, LOAD(r->pid))) {
            __atomic_store_n(&r->state, REC_FULL, __ATOMIC_RELEASE);
            continue;
        }
        STORE(r->owner, owner);
        STORE(r->pid, si->si_pid);
        STORE(r->pgid, pgid);
        r->uid = si->si_uid;
        r->code = si->si_code;
        r->value = si->si_status;
        r->ru = *ru;
        STORE(r->seq, __atomic_add_fetch(&record_seq, 1, __ATOMIC_RELAXED));
        __atomic_store_n(&r->state, REC_FULL, __ATOMIC_RELEASE);
        return;
    }
}

/* Which records a wait may report. */
enum match { M_NONE, M_HOLD, M_ANY, M_PID, M_PGID };
struct query {
    enum match m; /* M_HOLD: none, but a blocking wait holds the reaper back */
    pid_t id;
};

static bool matches(const struct exit_record *r, pid_t me, const struct query *q)
{
    if (LOAD(r->owner) != me)
        return false;
    switch (q->m) {
    case M_ANY: return true;
    case M_PID: return LOAD(r->pid) == q->id;
    case M_PGID: return LOAD(r->pgid) == q->id;
    default: return false;
    }
}

/* The oldest matching record, copied to *out and (unless peek) removed. */
static bool take(const struct query *q, bool peek, struct exit_record *out)
{
    if (q->m == M_NONE || q->m == M_HOLD || __atomic_load_n(&record_seq, __ATOMIC_ACQUIRE) == 0)
        return false;
    pid_t me = sockshield_getpid();
    for (int attempt = 0; attempt < 64; attempt++) {
        struct exit_record *best = NULL;
        uint64_t best_seq = 0;
        for (int i = 0; i < RECORDS; i++) {
            struct exit_record *r = &records[i];
            if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != REC_FULL || !matches(r, me, q))
                continue;
            uint64_t seq = LOAD(r->seq);
            if (!best || seq < best_seq)
                best = r, best_seq = seq;
        }
        if (!best)
            return false;
        int st = REC_FULL;
        if (!__atomic_compare_exchange_n(&best->state, &st, REC_BUSY, false, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED))
            continue;
        if (LOAD(best->seq) != best_seq || !matches(best, me, q)) {
            __atomic_store_n(&best->state, REC_FULL, __ATOMIC_RELEASE);
            continue;
        }
        *out = *best;
        __atomic_store_n(&best->state, peek ? REC_FULL : REC_FREE, __ATOMIC_RELEASE);
        return true;
    }
    return false;
}

/* ---- the reaper ------------------------------------------------------------ */

/* Collects every exited child unless a hold is on.  Raw system calls only:
 * our own wait wrappers are not for us, and this runs in a signal handler.
 * A peek (WNOWAIT) first, for the process group, which a zombie still has. */
static void reap_all(void)
{
    pid_t me = sockshield_getpid();
    for (int n = 0; n < 1 << 20 && __atomic_load_n(&holders, __ATOMIC_SEQ_CST) == 0; n++) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT, NULL) != 0 ||
            si.si_pid == 0)
            return;
        pid_t pid = si.si_pid;
        pid_t pgid = (pid_t)syscall(SYS_getpgid, pid);
        struct rusage ru;
        memset(&si, 0, sizeof si);
        memset(&ru, 0, sizeof ru);
        if (syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG, &ru) != 0 || si.si_pid != pid)
            continue; /* somebody else's wait took it first */
        record(me, &si, pgid, &ru);
    }
}

void sockshield_proc_reap(void)
{
    __atomic_add_fetch(&reaping, 1, __ATOMIC_SEQ_CST);
    reap_all();
    __atomic_sub_fetch(&reaping, 1, __ATOMIC_SEQ_CST);
}

void sockshield_proc_sweep(void)
{
    int saved = errno;
    sigset_t all, mask;
    sigfillset(&all);
    /* nothing may nest inside the reaper on this thread: a handler's wait
     * would wait for it forever */
    pthread_sigmask(SIG_SETMASK, &all, &mask);
    sockshield_proc_reap();
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    errno = saved;
}

void sockshield_proc_sweep_now(void)
{
    if (__atomic_load_n(&holders, __ATOMIC_SEQ_CST) != 0)
        return;
    int saved = errno;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT, NULL) == 0 &&
        si.si_pid != 0 && sockshield_proc_reaper_active())
        sockshield_proc_sweep();
    errno = saved;
}

/* Asks the kernel, not the table: a SIGCHLD handler or SIG_IGN installed
 * behind our back (raw rt_sigaction) must stop our sweeps at once. */
bool sockshield_proc_reaper_active(void)
{
    struct sigaction k;
    return sockshield_cfg.reap && real_sigaction(SIGCHLD, NULL, &k) == 0 &&
           k.sa_handler == SIG_DFL;
}

/* Reapers on other threads finish in a few system calls.  The wait is
 * bounded all the same: in a child of _Fork() or a raw fork (no atfork
 * handler) the count copied from a reaper running at that instant never
 * drains; giving up costs at most a missed record (ECHILD), never a hang. */
static void wait_reapers(void)
{
    struct timespec start, now;
    for (unsigned spins = 0; __atomic_load_n(&reaping, __ATOMIC_SEQ_CST) != 0; spins++) {
        if (spins < 100) {
            sockshield_cpu_relax();
            continue;
        }
        if (spins == 100)
            clock_gettime(CLOCK_MONOTONIC, &start);
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 2)
            return;
    }
}

static void hold_begin(void)
{
    __atomic_add_fetch(&holders, 1, __ATOMIC_SEQ_CST);
    wait_reapers();
}

static void hold_end(void)
{
    if (__atomic_sub_fetch(&holders, 1, __ATOMIC_SEQ_CST) == 0 && sockshield_proc_reaper_active())
        sockshield_proc_sweep();
}

/* A claim or a hold, released when the wait returns or is cancelled. */
struct guard {
    int claim;
    bool held;
};

static void guard_release(void *arg)
{
    struct guard *g = arg;
    unclaim(g->claim);
    g->claim = -1;
    if (g->held) {
        g->held = false;
        hold_end();
    }
}

/* ---- the wait family -------------------------------------------------------- */

struct waitcall {
    enum sockshield_call id; /* wait, waitpid, wait3, wait4 or waitid */
    bool nocancel;           /* pclose waits without being a cancellation point, as glibc's */
    pid_t pid;
    int *status;
    int options;
    struct rusage *ru;
    idtype_t type;
    id_t wid;
    siginfo_t *info;
};

static long call_real(const struct waitcall *w)
{
    switch (w->id) {
    case SOCKSHIELD_CALL_wait: return real_wait(w->status);
    case SOCKSHIELD_CALL_waitpid: return real_waitpid(w->pid, w->status, w->options);
    case SOCKSHIELD_CALL_wait3: return real_wait3(w->status, w->options, w->ru);
    case SOCKSHIELD_CALL_waitid: return real_waitid(w->type, w->wid, w->info, w->options);
#if SOCKSHIELD_TIME64
    case SOCKSHIELD_CALL___wait3_time64: return real___wait3_time64(w->status, w->options, w->ru);
    case SOCKSHIELD_CALL___wait4_time64:
        return real___wait4_time64(w->pid, w->status, w->options, w->ru);
#endif
    default:
        if (w->nocancel)
            return syscall(SYS_wait4, w->pid, w->status, w->options, w->ru);
        return real_wait4(w->pid, w->status, w->options, w->ru);
    }
}

/* The call reported no child: ECHILD, or nothing yet under WNOHANG. */
static bool reported_none(const struct waitcall *w, long rc)
{
    if (rc < 0)
        return errno == ECHILD;
    if (w->id == SOCKSHIELD_CALL_waitid)
        return w->info->si_pid == 0;
    return rc == 0;
}

/* Fills the call's results from a record exactly as the kernel would. */
static long deliver(const struct waitcall *w, const struct exit_record *r)
{
    if (w->id == SOCKSHIELD_CALL_waitid) {
        w->info->si_signo = SIGCHLD;
        w->info->si_errno = 0;
        w->info->si_code = r->code;
        w->info->si_pid = r->pid;
        w->info->si_uid = r->uid;
        w->info->si_status = r->value;
        return 0;
    }
    if (w->status) {
        if (r->code == CLD_EXITED)
            *w->status = (r->value & 0xff) << 8;
        else
            *w->status = (r->value & 0x7f) | (r->code == CLD_DUMPED ? 0x80 : 0);
    }
    if (w->ru)
        *w->ru = r->ru;
    return r->pid;
}

static long do_wait(const struct waitcall *w, struct query q, bool peek)
{
    int saved = errno;
    struct exit_record r;
    if (q.m == M_NONE)
        return call_real(w);
    if (take(&q, peek, &r)) {
        errno = saved;
        return deliver(w, &r);
    }
    if (w->options & WNOHANG) {
        long rc = call_real(w);
        if (reported_none(w, rc)) {
            int e = errno;
            wait_reapers();
            if (take(&q, peek, &r)) {
                errno = saved;
                return deliver(w, &r);
            }
            errno = e;
        }
        return rc;
    }
    struct guard g = { -1, false };
    if (q.m == M_PID)
        g.claim = claim(q.id);
    if (g.claim < 0) {
        g.held = true;
        hold_begin();
    } else {
        wait_reapers();
    }
    long rc;
    pthread_cleanup_push(guard_release, &g);
    if (take(&q, peek, &r)) {
        rc = deliver(w, &r);
        errno = saved;
    } else {
        rc = call_real(w);
        if (rc < 0 && errno == ECHILD) {
            wait_reapers();
            if (take(&q, peek, &r)) {
                rc = deliver(w, &r);
                errno = saved;
            } else {
                errno = ECHILD;
            }
        }
    }
    pthread_cleanup_pop(0);
    int e = errno;
    guard_release(&g);
    errno = e;
    return rc;
}

static struct query query_pid(pid_t pid)
{
    if (pid > 0)
        return (struct query){ M_PID, pid };
    if (pid == -1)
        return (struct query){ M_ANY, 0 };
    if (pid == 0)
        return (struct query){ M_PGID, getpgrp() };
    if (pid == INT_MIN)
        return (struct query){ M_NONE, 0 };
    return (struct query){ M_PGID, -pid };
}

#define WAIT_KNOWN (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
#define WAITID_KNOWN (WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WCLONE | __WALL)

/* The reaper collects the ordinary children (exit signal SIGCHLD): a wait
 * for clone children only, or with options the kernel rejects, never
 * matches a record. */
static bool ordinary_children(int options)
{
    return !(options & __WCLONE) || (options & __WALL);
}

pid_t sockshield_proc_wait4(enum sockshield_call id, pid_t pid, int *status, int options,
                       struct rusage *ru)
{
    struct waitcall w = { .id = id, .pid = pid, .status = status, .options = options, .ru = ru };
    sockshield_ensure_init();
    if (!sockshield_cfg.reap)
        return (pid_t)call_real(&w);
    struct query q = { M_NONE, 0 };
    if (!(options & ~WAIT_KNOWN) && ordinary_children(options))
        q = query_pid(pid);
    return (pid_t)do_wait(&w, q, false);
}

int sockshield_proc_waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
    siginfo_t local;
    struct waitcall w = { .id = SOCKSHIELD_CALL_waitid, .type = type, .wid = id, .info = info,
                          .options = options };
    sockshield_ensure_init();
    if (!sockshield_cfg.reap)
        return (int)call_real(&w);
    if (!info) {
        /* the kernel accepts NULL; ours tells "nothing yet" from a child */
        memset(&local, 0, sizeof local);
        w.info = &local;
    }
    struct query q = { M_NONE, 0 };
    if (!(options & ~WAITID_KNOWN) && (options & WEXITED) && ordinary_children(options)) {
        switch (type) {
        case P_ALL: q.m = M_ANY; break;
        case P_PID:
            if (id > 0 && id <= INT_MAX)
                q = (struct query){ M_PID, (pid_t)id };
            break;
        case P_PGID:
            if (id <= INT_MAX)
                q = (struct query){ M_PGID, id == 0 ? getpgrp() : (pid_t)id };
            break;
        case P_PIDFD: q.m = M_HOLD; break; /* a pidfd does not tell its pid once reaped */
        default: break;
        }
    }
    return (int)do_wait(&w, q, options & WNOWAIT);
}

/* ---- popen, pclose, system ----------------------------------------------------- */

/* With SOCKSHIELD_REAP, popen is ours, on posix_spawn as glibc's (libio/
 * iopopen.c), so that pclose knows the pid and waits through the records:
 * glibc's pclose waits with an internal waitpid we cannot see, and would
 * get ECHILD for a child the reaper took.  The child's pid stays claimed
 * from popen to pclose. */
struct popen_child {
    struct popen_child *next;
    FILE *stream;
    int fd;
    bool writer;
    pid_t pid;
    int claim;
};

static struct popen_child *popen_list;
static int popen_open; /* entries in popen_list: fclose looks only when there are */
static pthread_mutex_t popen_lock = PTHREAD_MUTEX_INITIALIZER;

FILE *sockshield_proc_popen(const char *cmd, const char *mode)
{
    sockshield_ensure_init();
    if (!sockshield_cfg.reap)
        return real_popen(cmd, mode);

    bool reader = false, writer = false, cloexec = false;
    for (const char *m = mode; *m; m++) {
        switch (*m) {
        case 'r': reader = true; break;
        case 'w': writer = true; break;
        case 'e': cloexec = true; break;
        default: errno = EINVAL; return NULL;
        }
    }
    if (reader == writer) {
        errno = EINVAL;
        return NULL;
    }
    struct popen_child *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) {
        free(c);
        return NULL;
    }
    int parent = reader ? fds[0] : fds[1], child = reader ? fds[1] : fds[0];
    int target = reader ? 1 : 0;
    FILE *f = NULL;
    if (child == target) {
        /* dup2 onto itself would keep close-on-exec */
        int moved = fcntl(child, F_DUPFD_CLOEXEC, 0);
        if (moved < 0)
            goto fail;
        real_close(child);
        child = moved;
    }
    f = fdopen(parent, reader ? "r" : "w");
    if (!f)
        goto fail;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    int rc = posix_spawn_file_actions_adddup2(&fa, child, target);
    pid_t pid = 0;
    pthread_mutex_lock(&popen_lock);
    /* POSIX: streams of earlier popen calls are closed in the new child */
    for (struct popen_child *p = popen_list; p && rc == 0; p = p->next)
        if (p->fd != target)
            rc = posix_spawn_file_actions_addclose(&fa, p->fd);
    if (rc == 0) {
        char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
        hold_begin();
        rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
        if (rc == 0) {
            c->stream = f;
            c->fd = parent;
            c->writer = writer;
            c->pid = pid;
            c->claim = claim(pid);
            c->next = popen_list;
            popen_list = c;
            __atomic_add_fetch(&popen_open, 1, __ATOMIC_RELEASE);
        }
        hold_end();
    }
    pthread_mutex_unlock(&popen_lock);
    posix_spawn_file_actions_destroy(&fa);
    real_close(child);
    if (rc != 0) {
        real_fclose(f);
        free(c);
        errno = ENOMEM; /* as glibc's popen */
        return NULL;
    }
    if (!cloexec)
        fcntl(parent, F_SETFD, 0);
    return f;

fail:
    real_close(child);
    real_close(parent);
    free(c);
    errno = ENOMEM;
    return NULL;
}

/* The entry of one of our popen streams, taken out of the list; NULL
 * when f is not one. */
static struct popen_child *popen_take(FILE *f)
{
    struct popen_child *c = NULL;
    pthread_mutex_lock(&popen_lock);
    for (struct popen_child **pp = &popen_list; *pp; pp = &(*pp)->next) {
        if ((*pp)->stream == f) {
            c = *pp;
            *pp = c->next;
            __atomic_sub_fetch(&popen_open, 1, __ATOMIC_RELEASE);
            break;
        }
    }
    pthread_mutex_unlock(&popen_lock);
    return c;
}

static int popen_close(struct popen_child *c, FILE *f);

int sockshield_proc_pclose(FILE *f)
{
    struct popen_child *c = popen_take(f);
    return c ? popen_close(c, f) : real_pclose(f);
}

int sockshield_proc_fclose(FILE *f)
{
    struct popen_child *c;
    if (SOCKSHIELD_LIKELY(!__atomic_load_n(&popen_open, __ATOMIC_ACQUIRE)) || !(c = popen_take(f)))
        return real_fclose(f);
    return popen_close(c, f);
}

/* glibc's pclose (and fclose of a popen stream): the stream is closed, the
 * child waited for (EINTR retried); the result is the wait status, or -1
 * when the wait failed or when the status is 0 but flushing the stream
 * failed. */
static int popen_close(struct popen_child *c, FILE *f)
{
    int flushed = c->writer ? fflush(f) : 0;
    real_fclose(f);
    int status = -1;
    struct waitcall w = { .id = SOCKSHIELD_CALL_wait4, .nocancel = true, .pid = c->pid,
                          .status = &status, .options = 0 };
    long got;
    do
        got = do_wait(&w, query_pid(c->pid), false);
    while (got < 0 && errno == EINTR);
    unclaim(c->claim);
    free(c);
    if (got < 0)
        return -1;
    return status != 0 ? status : flushed == EOF ? -1 : 0;
}

/* glibc's system() waits for its shell with an internal waitpid, SIGCHLD
 * blocked in the calling thread only: the reaper, on another thread, could
 * take the shell first.  It is held back while system() runs. */
int sockshield_proc_system(const char *cmd)
{
    sockshield_ensure_init();
    if (!sockshield_cfg.reap || !cmd)
        return real_system(cmd);
    struct guard g = { -1, true };
    int rc;
    hold_begin();
    pthread_cleanup_push(guard_release, &g);
    rc = real_system(cmd);
    pthread_cleanup_pop(0);
    int e = errno;
    guard_release(&g);
    errno = e;
    return rc;
}

/* In a fork child the parent's reapers, holds and claims do not exist (a
 * thread of the parent may have been in the middle of one); popen streams
 * inherited from the parent are not our children, as with glibc. */
void sockshield_proc_after_fork(void)
{
    __atomic_store_n(&reaping, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&holders, 0, __ATOMIC_SEQ_CST);
    for (int i = 0; i < CLAIMS; i++)
        __atomic_store_n(&claims[i], 0, __ATOMIC_SEQ_CST);
    pthread_mutex_init(&popen_lock, NULL);
    for (struct popen_child *p = popen_list; p; p = p->next)
        p->claim = -1;
}
