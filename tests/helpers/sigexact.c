/* Signal details a shielded program must see exactly as bare.
 *
 *   sigexact ucontext   a handler installed without SA_SIGINFO (by
 *                       sigaction and by signal()) reads the third argument
 *                       the kernel passes, the ucontext; prints
 *                       "sigaction uc=ok|bad" and "signal uc=ok|bad"
 *   sigexact borrow     a SIGINT handler is installed; while system() runs
 *                       (glibc sets SIGINT to SIG_IGN inside it) a second
 *                       thread reads SIGINT's disposition in a loop; prints
 *                       "reads_handler=N reads_ign=N reads_other=N
 *                       final=on_int|... handled=N"
 *   sigexact seccomp [threaded]
 *                       a seccomp filter fails every read of one pipe with
 *                       EINTR, no signal behind it; prints "result=N
 *                       errno=NAME" for one read of that pipe ("threaded":
 *                       with a second thread alive, so the library calls
 *                       glibc rather than the system call itself)
 *
 * Exit 0 it ran; 2 usage or setup; 9 the watchdog (hutil.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "hutil.h"

/* ---- ucontext --------------------------------------------------------------- */

static volatile sig_atomic_t uc_ok, uc_ran;

/* Declared with three parameters, installed as a plain sa_handler: the
 * kernel calls every handler with (sig, info, ucontext) on x86_64 and
 * aarch64.  The context's saved mask is the one main() set: SIGUSR2
 * blocked, SIGUSR1 not. */
static void on_three(int sig, siginfo_t *info, void *ctx)
{
    (void)info;
    ucontext_t *uc = ctx;
    uc_ran = 1;
    uc_ok = sig == SIGUSR1 && uc && sigismember(&uc->uc_sigmask, SIGUSR2) == 1 &&
            sigismember(&uc->uc_sigmask, SIGUSR1) == 0;
}

typedef void (*plain_fn)(int);

static int ucontext_case(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);

    struct sigaction a;
    memset(&a, 0, sizeof a);
    sigemptyset(&a.sa_mask);
    a.sa_handler = (plain_fn)(void (*)(void))on_three;
    if (sigaction(SIGUSR1, &a, NULL) != 0)
        return 2;
    uc_ok = uc_ran = 0;
    raise(SIGUSR1);
    printf("sigaction uc=%s\n", uc_ran && uc_ok ? "ok" : "bad");

    if (signal(SIGUSR1, (plain_fn)(void (*)(void))on_three) == SIG_ERR)
        return 2;
    uc_ok = uc_ran = 0;
    raise(SIGUSR1);
    printf("signal uc=%s\n", uc_ran && uc_ok ? "ok" : "bad");
    return 0;
}

/* ---- a disposition libc borrows ------------------------------------------- */

static volatile sig_atomic_t handled;
static void on_int(int sig)
{
    (void)sig;
    handled++;
}

static volatile int stop;
static long reads_handler, reads_ign, reads_other;

static void *reader(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        struct sigaction o;
        if (sigaction(SIGINT, NULL, &o) != 0)
            continue;
        if (o.sa_handler == on_int)
            reads_handler++;
        else if (o.sa_handler == SIG_IGN)
            reads_ign++;
        else
            reads_other++;
    }
    return NULL;
}

static int borrow_case(void)
{
    hu_handle(SIGINT, on_int, SA_RESTART);
    pthread_t t;
    hu_thread(&t, reader, NULL);
    int rc = system("sleep 0.3");
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    struct sigaction o;
    sigaction(SIGINT, NULL, &o);
    const char *final = o.sa_handler == on_int ? "on_int"
                      : o.sa_handler == SIG_IGN ? "IGN"
                      : o.sa_handler == SIG_DFL ? "DFL" : "other";
    raise(SIGINT);
    printf("system=%d reads_handler=%ld reads_ign=%ld reads_other=%ld final=%s handled=%d\n", rc,
           reads_handler, reads_ign, reads_other, final, (int)handled);
    return 0;
}

/* ---- EINTR from seccomp ------------------------------------------------------ */

#define FAKE_FD 77

#if defined(__x86_64__)
#define FILTER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FILTER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define FILTER_ARCH AUDIT_ARCH_I386
#elif defined(__arm__)
#define FILTER_ARCH AUDIT_ARCH_ARM
#endif

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

#ifdef FILTER_ARCH
/* Installs a filter that fails system call nr with err, for any arguments
 * when fd is -1, else only when its first argument is fd.  1 when
 * installed, 0 when this machine refuses filters (printed as a skip). */
static int refuse_call(long nr, long fd, int err)
{
    struct sock_filter any[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FILTER_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)fd, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    if (fd < 0) /* skip the argument test: straight to the refusal */
        any[4].jt = 2;
    struct sock_fprog prog = { .len = sizeof any / sizeof any[0], .filter = any };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        if (errno == EINVAL) {
            /* No filter mode here: a kernel without CONFIG_SECCOMP_FILTER,
             * or qemu-user (CI's aarch64 leg), which refuses PR_SET_SECCOMP
             * so that a filter meant for the program cannot stop the
             * emulator's own system calls. */
            printf("skip: seccomp filters are refused here (prctl PR_SET_SECCOMP: EINVAL)\n");
            return 0;
        }
        fprintf(stderr, "sigexact: seccomp: %s\n", strerror(errno));
        exit(2);
    }
    return 1;
}
#endif

static int seccomp_case(int threaded)
{
#ifndef FILTER_ARCH
    (void)threaded;
    printf("skip: no seccomp architecture value for this target in sigexact.c\n");
    return 0;
#else
    int p[2];
    if (pipe(p) != 0 || dup2(p[0], FAKE_FD) != FAKE_FD)
        return 2;
    if (threaded) {
        pthread_t t;
        hu_thread(&t, idle, NULL);
    }
    /* read(FAKE_FD, ...) fails with EINTR; everything else is allowed. */
    if (!refuse_call(SYS_read, FAKE_FD, EINTR))
        return 0;
    char c;
    long r = read(FAKE_FD, &c, 1);
    int err = errno;
    printf("result=%ld errno=%s\n", r, r < 0 ? hu_errname(err) : "0");
    return 0;
#endif
}

/* statx refused with EPERM, as by a container's seccomp profile older than
 * the call, then an EAGAIN: the library's stderr sink must still know its
 * fd 2 (it falls back to fstat) and write the event. */
static int statx_refused_case(void)
{
#if !defined(FILTER_ARCH) || !defined(SYS_statx)
    printf("skip: no seccomp architecture value or no statx for this target in sigexact.c\n");
    return 0;
#else
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        return 2;
    if (!refuse_call(SYS_statx, -1, EPERM))
        return 0;
    char c;
    long r = recv(sv[0], &c, 1, 0);
    int err = errno;
    printf("recv=%ld errno=%s\n", r, r < 0 ? hu_errname(err) : "0");
    return 0;
#endif
}

int main(int argc, char **argv)
{
    hu_watchdog(20);
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "ucontext"))
        return ucontext_case();
    if (argc >= 2 && !strcmp(argv[1], "borrow"))
        return borrow_case();
    if (argc >= 2 && !strcmp(argv[1], "seccomp"))
        return seccomp_case(argc >= 3 && !strcmp(argv[2], "threaded"));
    if (argc >= 2 && !strcmp(argv[1], "statx-refused"))
        return statx_refused_case();
    fprintf(stderr, "usage: sigexact ucontext|borrow|seccomp [threaded]|statx-refused\n");
    return 2;
}
