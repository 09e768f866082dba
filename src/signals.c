/* The program's view of its signal dispositions, and what the kernel really
 * holds.  libsockshield(7) (SIGPIPE, SIGNAL HANDLERS, REAPING) states the
 * rules; the reasons are given with each below.
 *
 * Per signal a slot records what the program asked for.  The kernel holds:
 *   - for a real handler: the trampoline (SA_SIGINFO added), which records
 *     the signal in the thread's mask for the restart policy, then calls the
 *     program's handler exactly as asked;
 *   - for SIG_DFL of SIGPIPE (catch/ignore): our substitute, so the
 *     program's request for the default keeps the shield (SOCKSHIELD_REAP
 *     needs none: proc.c reaps at sweep points, no handler);
 *   - otherwise exactly the program's request.
 * Read-back reports the slot's view while the kernel still holds what we
 * installed; while someone else's change holds in the kernel (a raw
 * rt_sigaction, glibc internals) it reports the kernel, never one of our
 * own functions, and keeps the slot for when ours is back.
 *
 * Async-signal-safe: writers take a spinlock with every signal blocked (so
 * a handler on the same thread can never wait for it), the trampoline reads
 * the handler with one atomic load.
 *
 * The table belongs to one process.  A fork child gets its own copy (the
 * atfork handler makes it the owner); a vfork child, or anything else that
 * shares our memory under another pid, must not write it: there every
 * request goes to the kernel only (a vfork child that sets SIGPIPE to
 * its default before exec must not rewrite the parent's table:
 * tests/integ/test_signals.c). */
#include "signals.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "bind.h"
#include "log.h"
#include "proc.h"
#include "rawio.h"
#include "direct.h"
#include "real.h"
#include "state.h"

#define NSLOTS 65

enum slot_kind { KIND_PASS = 0, KIND_TRAMP, KIND_SUBST };

struct slot {
    sighandler_t handler; /* the program's handler (atomic) */
    int flags;            /* flags the kernel really has, but SA_SIGINFO as the program asked */
    int kind;
    sighandler_t installed;  /* what the kernel holds while kind != PASS */
    struct sigaction view;   /* what read-back reports then */
    int runtime;             /* the handler is a runtime's (atomic): see in_runtime */
};

/* Handlers are stored in the sa_handler form; casting through a generic
 * function pointer type says the conversion is deliberate. */
typedef void (*any_fn)(void);
typedef void (*info_fn)(int, siginfo_t *, void *);
#define AS_HANDLER(f) ((sighandler_t)(any_fn)(f))
#define AS_INFO(f) ((info_fn)(any_fn)(f))

static struct slot slots[NSLOTS];
/* Signals set before libc's initialiser ran (init.c, too early): their
 * handlers are put behind the trampoline by sockshield_signals_setup. */
static uint64_t adopt_at_setup;
static int slot_lock;
static uint64_t interrupt_set; /* siginterrupt(sig, 1) was called */
static pid_t table_owner;      /* the process whose table this is */

/* True in a process that shares our memory without owning the table: a
 * vfork child (the parent's table, the child's own kernel dispositions).
 * One getpid system call: signal-setting calls are rare. */
static bool foreign(void)
{
    pid_t owner = __atomic_load_n(&table_owner, __ATOMIC_RELAXED);
    return owner != 0 && owner != sockshield_getpid();
}

static void lock(sigset_t *saved)
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, saved);
    while (__atomic_exchange_n(&slot_lock, 1, __ATOMIC_ACQUIRE))
        sockshield_cpu_relax();
}

static void unlock(const sigset_t *saved)
{
    __atomic_store_n(&slot_lock, 0, __ATOMIC_RELEASE);
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* The signals a program may set: glibc rejects 32 and 33 (its own). */
static bool settable(int sig)
{
    return sig >= 1 && sig < NSLOTS && sig != 32 && sig != 33;
}

static bool is_function(sighandler_t h)
{
    return h != SIG_DFL && h != SIG_IGN && h != SIG_ERR;
}

/* SOCKSHIELD_RUNTIMES=auto.  CPython (PEP 475), Perl (deferred signals)
 * and Ruby install a C handler that only notes the signal; the runtime runs
 * the program's handler when the interrupted call returns EINTR, and then
 * retries the call itself.  Resuming such a call inside the library would
 * hold every handler of the program back until the call completes, so an
 * interruption by a runtime's handler reaches the runtime as EINTR, as
 * bare.  A handler is a runtime's when its address lies in the object
 * (executable or library) that exports the runtime's marker symbol.  The
 * objects are looked up once at setup: a runtime loaded later with dlopen
 * is not recognised. */
#define RUNTIME_MAX 4
static uintptr_t runtime_lo[RUNTIME_MAX], runtime_hi[RUNTIME_MAX];
static int runtime_count;

static void find_runtimes(void)
{
    static const char *const markers[] = {
        "PyErr_CheckSignals", /* CPython: libpython, or the python executable */
        "Perl_csighandler",   /* Perl: libperl */
        "ruby_signal_name",   /* Ruby: libruby */
    };
    static const uint32_t hashes[] = {
        SOCKSHIELD_GNU_HASH("PyErr_CheckSignals"),
        SOCKSHIELD_GNU_HASH("Perl_csighandler"),
        SOCKSHIELD_GNU_HASH("ruby_signal_name"),
    };
    enum { N = sizeof markers / sizeof markers[0] };
    uintptr_t lo[N], hi[N];
    sockshield_bind_defining_objects(markers, hashes, N, lo, hi);
    for (unsigned i = 0; i < N && runtime_count < RUNTIME_MAX; i++) {
        if (hi[i]) {
            runtime_lo[runtime_count] = lo[i];
            runtime_hi[runtime_count] = hi[i];
            runtime_count++;
        }
    }
}

static bool in_runtime(sighandler_t h)
{
    uintptr_t a = (uintptr_t)(any_fn)h;
    for (int i = 0; i < runtime_count; i++)
        if (a >= runtime_lo[i] && a < runtime_hi[i])
            return true;
    return false;
}

/* fd 1 or 2 when it is a pipe or FIFO whose reader has gone (poll(2) gives
 * POLLERR on the write end of a pipe without readers, fs/pipe.c), else -1. */
static int broken_std_pipe(void)
{
    for (int fd = 1; fd <= 2; fd++) {
        struct sockshield_fdid id;
        if (sockshield_rawio_fdid(fd, &id) != 0 || !S_ISFIFO(id.mode))
            continue;
        struct pollfd p = { fd, 0, 0 };
        struct timespec zero = { 0, 0 };
        if (syscall(SYS_ppoll, &p, 1, &zero, NULL, 0) == 1 && (p.revents & POLLERR))
            return fd;
    }
    return -1;
}

/* SIG_DFL, no flags, an empty mask: what a fresh process reports. */
static struct sigaction default_action(void)
{
    struct sigaction a;
    memset(&a, 0, sizeof a);
    sigemptyset(&a.sa_mask);
    a.sa_handler = SIG_DFL;
    return a;
}

/* Ends the process by SIGPIPE's default action, as bare: the disposition
 * back to SIG_DFL, the signal sent to this thread and unblocked (a handler
 * runs with its own signal blocked). */
static void end_by_sigpipe(void)
{
    struct sigaction dfl = default_action();
    real_sigaction(SIGPIPE, &dfl, NULL);
    syscall(SYS_tgkill, sockshield_getpid(), (pid_t)syscall(SYS_gettid), SIGPIPE);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
}

/* SIGPIPE while the program's own disposition is SIG_DFL (the design's
 * recipe: a handler with SA_RESTART, which exec resets to SIG_DFL).
 *  - The kernel's SIGPIPE for a write (si_code SI_USER with our own pid,
 *    kernel/signal.c send_sig with priv 0) is caught: the write returns
 *    EPIPE and nothing dies.  kill(getpid(), SIGPIPE) looks exactly the
 *    same and is caught too.
 *  - Unless SOCKSHIELD_PIPELINE=end and fd 1 or 2 is a pipe whose reader
 *    has gone: then this is how a pipeline stops its producer, and the
 *    process ends as bare, after the event is logged.  The signal does not
 *    say which fd the write went to, and stdio's writes are not ours to
 *    see (glibc's stdio calls its internal write, not the exported one),
 *    so the standard streams' state is the rule, whatever call raised it.
 *  - A SIGPIPE sent on purpose (raise, pthread_kill and tgkill: SI_TKILL;
 *    sigqueue: SI_QUEUE; kill from another process) takes the default
 *    action the program asked for. */
static void sigpipe_catcher(int sig, siginfo_t *info, void *uc)
{
    (void)sig;
    (void)uc;
    int e = errno;
    bool kernel = info && (info->si_code == SI_KERNEL ||
                           (info->si_code == SI_USER &&
                            info->si_pid == sockshield_getpid()));
    if (!kernel) {
        end_by_sigpipe();
    } else if (sockshield_cfg.pipeline_end) {
        int fd = broken_std_pipe();
        if (fd >= 0) {
            sockshield_log_ended(fd);
            end_by_sigpipe();
        }
    }
    errno = e;
}

/* What stands in the kernel when the program asks for SIG_DFL; SIG_DFL
 * itself when nothing does. */
static sighandler_t substitute(int sig)
{
    if (sig == SIGPIPE) {
        switch (sockshield_cfg.sigpipe) {
        case SOCKSHIELD_SIGPIPE_CATCH: return AS_HANDLER(sigpipe_catcher);
        case SOCKSHIELD_SIGPIPE_IGNORE: return SIG_IGN;
        case SOCKSHIELD_SIGPIPE_OFF: break;
        }
    }
    return SIG_DFL;
}

/* The kernel action standing in for the program's SIG_DFL request `req`
 * (only its flags and mask matter); false when nothing stands in.  Returns
 * in *changed the flag bits we set differently from the request, and in
 * *mask_changed whether the mask differs. */
static bool substitute_action(int sig, const struct sigaction *req, struct sigaction *k,
                              int *changed, bool *mask_changed)
{
    sighandler_t sub = substitute(sig);
    if (sub == SIG_DFL)
        return false;
    *k = *req;
    k->sa_handler = sub;
    *changed = 0;
    *mask_changed = false;
    if (sub != SIG_IGN) {
        int add = SA_RESTART, drop = SA_RESETHAND | SA_SIGINFO;
        k->sa_flags = (req->sa_flags | add) & ~drop;
        *changed = add | drop;
        if (sub == AS_HANDLER(sigpipe_catcher))
            k->sa_flags |= SA_SIGINFO; /* it reads who sent the signal */
    }
    return true;
}

static void oneshot_fired(int sig);

static void trampoline(int sig, siginfo_t *info, void *uc)
{
    uint64_t bit = SOCKSHIELD_SIGBIT(sig);
    /* Aimed at the thread: pthread_kill, tgkill, raise (SI_TKILL), and
     * pthread_sigqueue, which arrives as SI_QUEUE from our own pid; a
     * sigqueue to our own pid looks the same and is taken alike (the
     * kernel would interrupt the call for either). */
    if (info && (info->si_code == SI_TKILL ||
                 (info->si_code == SI_QUEUE && info->si_pid == sockshield_getpid())))
        bit |= SOCKSHIELD_TKILL_BIT;
    /* A runtime's handler: the runtime wants its EINTR (in_runtime). */
    if (__atomic_load_n(&slots[sig].runtime, __ATOMIC_RELAXED))
        bit |= SOCKSHIELD_TKILL_BIT;
    sockshield_tls.sigs |= bit;
    /* The record of the direct calls, when they may be made (wrap.h). */
    bool direct = SOCKSHIELD_DIRECT_OK();
    if (direct)
        sockshield_sigs_alone |= bit;

    struct slot *s = &slots[sig];
    sighandler_t h = __atomic_load_n(&s->handler, __ATOMIC_ACQUIRE);
    int flags = __atomic_load_n(&s->flags, __ATOMIC_RELAXED);
    if (flags & SA_RESETHAND)
        oneshot_fired(sig);
    /* The program replaced its handler while this signal was on its way
     * (or the table is damaged: never call ourselves). */
    if (!is_function(h) || h == AS_HANDLER(trampoline))
        return;
    /* Wrapped calls the handler makes clear the record for themselves; the
     * call this signal interrupted must still find its signals after. */
    uint64_t keep = sockshield_tls.sigs, keep_alone = sockshield_sigs_alone;
    /* Without SA_SIGINFO too, the handler gets the three arguments the
     * kernel passes there (sig, info, ucontext; x86_64 passes them to
     * every handler, arm64 only to SA_SIGINFO ones, and ours is one):
     * crash handlers and runtimes read the context. */
    AS_INFO(h)(sig, info, uc);
    sockshield_tls.sigs |= keep;
    /* A handler that started a thread ends the direct calls for good. */
    if (direct && SOCKSHIELD_DIRECT_OK())
        sockshield_sigs_alone |= keep_alone;
}

/* Installs the program's request `req` for sig; lock held.
 * upgrade: the one-shot System V request becomes persistent, the signal
 * blocked while its handler runs (no SA_RESETHAND, no SA_NODEFER).
 * A one-shot handler of a signal whose default we stand in for (SIGPIPE,
 * SIGCHLD) is reset by the trampoline instead of the kernel, straight to
 * the stand-in: the kernel's reset to SIG_DFL would leave a window in which
 * a second SIGPIPE kills.
 * The view keeps the program's own bits for everything we changed and the
 * kernel's canonical form (SA_RESTORER, unknown bits cleared) for the rest. */
static int install_locked(int sig, const struct sigaction *req, bool upgrade)
{
    struct slot *s = &slots[sig];
    struct sigaction k = *req;
    sighandler_t h = req->sa_handler;
    int kind = KIND_PASS, changed = 0, slot_extra = 0;
    bool self_added = false, mask_changed = false;

    if (is_function(h)) {
        int add = SA_SIGINFO, drop = 0;
        kind = KIND_TRAMP;
        k.sa_sigaction = trampoline;
        if (upgrade) {
            drop = SA_RESETHAND | SA_NODEFER;
            self_added = !sigismember(&req->sa_mask, sig);
            sigaddset(&k.sa_mask, sig);
        } else if ((req->sa_flags & SA_RESETHAND) && substitute(sig) != SIG_DFL) {
            drop = SA_RESETHAND;
            slot_extra = SA_RESETHAND;
        }
        k.sa_flags = (req->sa_flags | add) & ~drop;
        changed = add | drop;
    } else if (h == SIG_DFL && substitute_action(sig, req, &k, &changed, &mask_changed)) {
        kind = KIND_SUBST;
    }

    if (kind == KIND_TRAMP) {
        /* install: slot first, then the kernel */
        __atomic_store_n(&s->runtime, sockshield_cfg.runtimes && in_runtime(h), __ATOMIC_RELAXED);
        __atomic_store_n(&s->flags,
                         (k.sa_flags & ~SA_SIGINFO) | (req->sa_flags & SA_SIGINFO) | slot_extra,
                         __ATOMIC_RELAXED);
        __atomic_store_n(&s->handler, h, __ATOMIC_RELEASE);
    }
    if (real_sigaction(sig, &k, NULL) != 0)
        return -1;
    /* remove: the kernel first, then the slot */
    if (kind != KIND_TRAMP) {
        __atomic_store_n(&s->flags, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&s->handler, h, __ATOMIC_RELEASE);
    }
    s->kind = kind;
    __atomic_store_n(&s->installed, k.sa_handler, __ATOMIC_RELEASE);
    if (kind != KIND_PASS) {
        struct sigaction rb;
        real_sigaction(sig, NULL, &rb);
        s->view = rb;
        s->view.sa_handler = h;
        s->view.sa_flags = (rb.sa_flags & ~changed) | (req->sa_flags & changed);
        if (self_added)
            sigdelset(&s->view.sa_mask, sig);
        if (mask_changed) {
            /* what the kernel would have kept of the request */
            s->view.sa_mask = req->sa_mask;
            sigdelset(&s->view.sa_mask, SIGKILL);
            sigdelset(&s->view.sa_mask, SIGSTOP);
        }
    }
    return 0;
}

/* The program's view of sig; lock held. */
static int view_locked(int sig, struct sigaction *out)
{
    struct sigaction k;
    if (real_sigaction(sig, NULL, &k) != 0)
        return -1;
    struct slot *s = &slots[sig];
    if (s->kind != KIND_PASS && k.sa_handler == s->installed) {
        *out = s->view;
        return 0;
    }
    /* Changed behind our back (glibc's system() sets SIGINT and SIGQUIT to
     * SIG_IGN with its internal sigaction while the shell runs, then puts
     * back what it found; a raw rt_sigaction): the kernel is reported, and
     * the slot is kept, so that what we installed, once back, is the
     * program's again.  One of our own functions is never reported. */
    *out = k;
    if (k.sa_handler == AS_HANDLER(trampoline)) {
        sighandler_t h = __atomic_load_n(&s->handler, __ATOMIC_ACQUIRE);
        if (is_function(h) && h != AS_HANDLER(trampoline)) {
            out->sa_handler = h;
            if (!(__atomic_load_n(&s->flags, __ATOMIC_RELAXED) & SA_SIGINFO))
                out->sa_flags &= ~SA_SIGINFO;
        } else {
            out->sa_handler = SIG_DFL; /* the trampoline returns at once */
            out->sa_flags &= ~SA_SIGINFO;
        }
    } else if (k.sa_handler == AS_HANDLER(sigpipe_catcher)) {
        out->sa_handler = SIG_DFL;
    }
    return 0;
}

/* A SA_RESETHAND handler just fired.  Either the kernel reset the
 * disposition to SIG_DFL before calling us, or (SIGPIPE, SIGCHLD) it still
 * holds the trampoline and the reset is ours to do.  The program now sees
 * SIG_DFL with its flags; if SIG_DFL has a stand-in, it goes in. */
static void oneshot_fired(int sig)
{
    int e = errno;
    struct sigaction req = default_action(), k;
    int changed;
    bool mask_changed;
    bool sub = substitute_action(sig, &req, &k, &changed, &mask_changed);
    if (foreign()) {
        /* a vfork child: its own kernel table only */
        if (sub)
            real_sigaction(sig, &k, NULL);
        errno = e;
        return;
    }
    sigset_t saved;
    lock(&saved);
    struct slot *s = &slots[sig];
    if (s->kind == KIND_TRAMP && s->installed == AS_HANDLER(trampoline)) {
        if (sub && real_sigaction(sig, &k, NULL) == 0) {
            s->kind = KIND_SUBST;
            __atomic_store_n(&s->installed, k.sa_handler, __ATOMIC_RELEASE);
        } else {
            /* nothing stands in: the kernel did the reset */
            __atomic_store_n(&s->installed, SIG_DFL, __ATOMIC_RELEASE);
        }
        __atomic_store_n(&s->flags, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&s->handler, SIG_DFL, __ATOMIC_RELEASE);
        s->view.sa_handler = SIG_DFL;
    }
    unlock(&saved);
    errno = e;
}

/* In a foreign process (vfork child): the request goes to the kernel with
 * SIG_DFL's stand-ins, handlers installed directly (the trampoline would
 * read the parent's table); the read-back is the parent's view while the
 * kernel still holds what the parent installed, else the kernel's. */
static int action_foreign(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction req, k, prev;
    if (act)
        req = *act;
    if (real_sigaction(sig, NULL, &prev) != 0)
        return -1;
    struct slot *s = &slots[sig];
    if (s->kind != KIND_PASS && prev.sa_handler == __atomic_load_n(&s->installed, __ATOMIC_ACQUIRE))
        prev = s->view;
    if (act) {
        int changed;
        bool mask_changed;
        if (!(req.sa_handler == SIG_DFL && substitute_action(sig, &req, &k, &changed, &mask_changed)))
            k = req;
        if (real_sigaction(sig, &k, NULL) != 0)
            return -1;
    }
    if (old)
        *old = prev;
    return 0;
}

static int action(int sig, const struct sigaction *act, struct sigaction *old, bool upgrade)
{
    sockshield_ensure_init();
    if (SOCKSHIELD_UNLIKELY(sockshield_too_early)) {
        /* Before libc's initialiser: passed through, adopted at setup. */
        if (act && sig >= 1 && sig < NSLOTS)
            __atomic_or_fetch(&adopt_at_setup, SOCKSHIELD_SIGBIT(sig), __ATOMIC_RELAXED);
        return real_sigaction(sig, act, old);
    }
    if (!settable(sig) || (act && (sig == SIGKILL || sig == SIGSTOP)))
        return real_sigaction(sig, act, old); /* glibc says EINVAL */

    if (foreign())
        return action_foreign(sig, act, old);
    struct sigaction req, prev;
    if (act)
        req = *act; /* act and old may be the same struct */
    sigset_t saved;
    int e = errno;
    lock(&saved);
    int rc = view_locked(sig, &prev);
    if (rc == 0 && act)
        rc = install_locked(sig, &req, upgrade);
    if (rc != 0)
        e = errno;
    unlock(&saved);
    errno = e;
    if (rc == 0 && old)
        *old = prev;
    return rc;
}

int sockshield_signals_action(int sig, const struct sigaction *act, struct sigaction *old)
{
    return action(sig, act, old, false);
}

sighandler_t sockshield_signals_signal(enum sockshield_signals_style style, int sig, sighandler_t h)
{
    if (h == SIG_ERR || sig < 1 || sig >= NSLOTS) {
        errno = EINVAL;
        return SIG_ERR;
    }
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    sigemptyset(&act.sa_mask);
    act.sa_handler = h;
    bool upgrade = false;
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);

    switch (style) {
    case SOCKSHIELD_SIG_BSD:
        /* sysdeps/posix/signal.c: SA_RESTART unless siginterrupt(sig, 1),
         * the signal blocked in its handler. */
        sigaddset(&act.sa_mask, sig);
        if (!(__atomic_load_n(&interrupt_set, __ATOMIC_RELAXED) & SOCKSHIELD_SIGBIT(sig)))
            act.sa_flags = SA_RESTART;
        break;
    case SOCKSHIELD_SIG_SYSV:
        /* sysdeps/posix/sysv_signal.c: one-shot, not blocked, not restarted.
         * Upgraded: persistent and blocked in its handler, still without
         * SA_RESTART, so SIGALRM keeps interrupting and our policy decides. */
        act.sa_flags = (int)(SA_RESETHAND | SA_NODEFER | SA_INTERRUPT);
        sockshield_ensure_init();
        upgrade = sockshield_cfg.signal_persistent;
        break;
    case SOCKSHIELD_SIG_SET:
        /* sysdeps/posix/sigset.c */
        if (h == SIG_HOLD) {
            sigset_t was;
            if (pthread_sigmask(SIG_BLOCK, &one, &was) != 0)
                return SIG_ERR;
            if (sigismember(&was, sig))
                return SIG_HOLD;
            if (action(sig, NULL, &old, false) < 0)
                return SIG_ERR;
            return old.sa_handler;
        }
        break;
    }
    if (action(sig, &act, &old, upgrade) < 0)
        return SIG_ERR;
    if (style == SOCKSHIELD_SIG_SET) {
        sigset_t was;
        if (pthread_sigmask(SIG_UNBLOCK, &one, &was) != 0)
            return SIG_ERR;
        if (sigismember(&was, sig))
            return SIG_HOLD;
    }
    return old.sa_handler;
}

int sockshield_signals_ignore(int sig)
{
    struct sigaction act;
    memset(&act, 0, sizeof act);
    sigemptyset(&act.sa_mask);
    act.sa_handler = SIG_IGN;
    return action(sig, &act, NULL, false);
}

int sockshield_signals_interrupt(int sig, int flag)
{
    if (sig < 1 || sig >= NSLOTS) {
        errno = EINVAL;
        return -1;
    }
    struct sigaction act;
    if (action(sig, NULL, &act, false) < 0)
        return -1;
    if (foreign()) {
        /* the parent's siginterrupt memory is not ours to change */
        if (flag)
            act.sa_flags &= ~SA_RESTART;
        else
            act.sa_flags |= SA_RESTART;
    } else if (flag) {
        __atomic_or_fetch(&interrupt_set, SOCKSHIELD_SIGBIT(sig), __ATOMIC_RELAXED);
        act.sa_flags &= ~SA_RESTART;
    } else {
        __atomic_and_fetch(&interrupt_set, ~SOCKSHIELD_SIGBIT(sig), __ATOMIC_RELAXED);
        act.sa_flags |= SA_RESTART;
    }
    return action(sig, &act, NULL, false) < 0 ? -1 : 0;
}

/* A fork child owns its copy of the table.  A lock held by another thread
 * of the parent at fork time has no holder here. */
static void after_fork_child(void)
{
    __atomic_store_n(&table_owner, sockshield_getpid(), __ATOMIC_RELAXED);
    __atomic_store_n(&slot_lock, 0, __ATOMIC_RELEASE);
    sockshield_proc_after_fork();
}

void sockshield_signals_setup(bool launcher_ignored)
{
    __atomic_store_n(&table_owner, sockshield_getpid(), __ATOMIC_RELAXED);
    /* fork is a sweep point of the reaper (proc.h) */
    pthread_atfork(sockshield_proc_sweep_point, NULL, after_fork_child);
    /* Only SIGPIPE and SIGCHLD can need a substitute at load.  Handlers
     * installed before our constructor ran went through our own wrappers
     * (the first sigaction initialises the library: init.c), so they are
     * behind the trampoline already, but for those set before libc's own
     * initialiser, which are adopted here; one installed with a raw
     * rt_sigaction is read back as the kernel holds it (view_locked), and
     * its EINTRs count as unrecorded (resumed a bounded number of times).  Not scanning
     * the other signals saves some sixty system calls at every start. */
    static const int at_load[] = { SIGPIPE, SIGCHLD };
    if (sockshield_cfg.runtimes)
        find_runtimes();
    sigset_t saved;
    lock(&saved);
    uint64_t adopt = __atomic_exchange_n(&adopt_at_setup, 0, __ATOMIC_RELAXED);
    for (int sig = 1; adopt && sig < NSLOTS; sig++) {
        struct sigaction k;
        if (!(adopt & SOCKSHIELD_SIGBIT(sig)) || !settable(sig) || sig == SIGKILL ||
            sig == SIGSTOP || real_sigaction(sig, NULL, &k) != 0 || !is_function(k.sa_handler) ||
            slots[sig].kind != KIND_PASS || k.sa_handler == AS_HANDLER(trampoline))
            continue;
        /* Reported exactly as it was installed. */
        struct sigaction was = k;
        if (install_locked(sig, &k, false) == 0)
            slots[sig].view = was;
    }
    for (unsigned i = 0; i < sizeof at_load / sizeof at_load[0]; i++) {
        int sig = at_load[i];
        struct sigaction k;
        if (real_sigaction(sig, NULL, &k) != 0)
            continue;
        bool program_default = k.sa_handler == SIG_DFL ||
                               (sig == SIGPIPE && k.sa_handler == SIG_IGN && launcher_ignored);
        if (!program_default || slots[sig].kind != KIND_PASS)
            continue;
        struct sigaction dfl = default_action();
        if (substitute(sig) != SIG_DFL) {
            /* The view is exactly what a fresh process reports. */
            if (install_locked(sig, &dfl, false) == 0)
                slots[sig].view = dfl;
        } else if (k.sa_handler == SIG_IGN) {
            /* SOCKSHIELD_SIGPIPE=off under the launcher: undo its ignore. */
            install_locked(sig, &dfl, false);
        }
    }
    unlock(&saved);
    /* Children that ended before an exec into this program: collect them
     * now. */
    if (sockshield_proc_reaper_active())
        sockshield_proc_sweep();
}
