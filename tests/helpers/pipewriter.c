/* Writes into a pipe whose reader is gone, or sends on a socket whose peer
 * closed, after optionally asking for SIGPIPE's default through one entry
 * point of the signal family.  Bare, the write kills it (SIGPIPE); shielded
 * it sees EPIPE and exits 0, printing what it read back.
 *
 *   pipewriter pipe|socket [signal|bsd_signal|ssignal|sysv_signal|__sysv_signal|
 *                           sigset|sigaction|__sigaction|siginterrupt|sighold|
 *                           sigignore]
 *       siginterrupt: siginterrupt(SIGPIPE, 1) on the default (it re-sets
 *       the default without SA_RESTART); sighold: sigset(SIG_HOLD), then
 *       sigset(SIG_DFL), which unblocks; sigignore asks for SIG_IGN.
 *   pipewriter pipe|socket handler ENTRY [N]
 *       installs its own SIGPIPE handler through ENTRY (one of the above
 *       that takes a handler, or sigaction-oneshot: SA_RESETHAND) and
 *       writes N times (default 1); prints how often the handler ran and
 *       whether the kernel holds the program's function or something else
 *       (the trampoline), and whether it holds SA_RESETHAND.
 *
 * Always ends with "pipe-blocked=B pipe-pending=P" from the kernel's view
 * (/proc/self/status): nothing may leave SIGPIPE blocked or pending.
 * Exit: 0 every write got EPIPE; 2 usage; 3 a write did something else. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef void (*handler_fn)(int);
extern handler_fn bsd_signal(int, handler_fn);
extern handler_fn ssignal(int, handler_fn);
extern handler_fn sysv_signal(int, handler_fn);
extern handler_fn __sysv_signal(int, handler_fn);
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static volatile sig_atomic_t handler_calls;
static void on_pipe(int sig)
{
    (void)sig;
    handler_calls++;
}

static const char *name_of(handler_fn h)
{
    return h == SIG_DFL ? "DFL" : h == SIG_IGN ? "IGN" : h == SIG_ERR ? "ERR" :
           h == SIG_HOLD ? "HOLD" : "handler";
}

/* Installs h for SIGPIPE through `entry`; returns what the entry returned
 * (SIG_ERR for an unknown entry). */
static handler_fn install(const char *entry, handler_fn h)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = h;
    if (!strcmp(entry, "signal"))
        return signal(SIGPIPE, h);
    if (!strcmp(entry, "bsd_signal"))
        return bsd_signal(SIGPIPE, h);
    if (!strcmp(entry, "ssignal"))
        return ssignal(SIGPIPE, h);
    if (!strcmp(entry, "sysv_signal"))
        return sysv_signal(SIGPIPE, h);
    if (!strcmp(entry, "__sysv_signal"))
        return __sysv_signal(SIGPIPE, h);
    if (!strcmp(entry, "sigset"))
        return sigset(SIGPIPE, h);
    if (!strcmp(entry, "sigaction"))
        return sigaction(SIGPIPE, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
    if (!strcmp(entry, "__sigaction"))
        return __sigaction(SIGPIPE, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
    if (!strcmp(entry, "sigaction-oneshot")) {
        act.sa_flags = SA_RESETHAND;
        return sigaction(SIGPIPE, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
    }
    return SIG_ERR;
}

/* SIGPIPE's bit in a /proc/self/status mask line. */
static int status_bit(const char *status, const char *name)
{
    const char *p = strstr(status, name);
    return p && (strtoull(p + strlen(name), NULL, 16) >> (SIGPIPE - 1) & 1);
}

static void report_mask(void)
{
    char buf[8192];
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    printf("pipe-blocked=%d pipe-pending=%d\n", status_bit(buf, "SigBlk:"),
           status_bit(buf, "SigPnd:") | status_bit(buf, "ShdPnd:"));
}

/* Asks for SIG_DFL through `entry` (SIG_IGN for sigignore); prints what
 * that entry returned and what sigaction reads back now. */
static int ask_default(const char *entry)
{
    handler_fn prev = SIG_ERR;
    struct sigaction before;
    sigaction(SIGPIPE, NULL, &before);
    if (!strcmp(entry, "sigignore")) {
        prev = sigignore(SIGPIPE) == 0 ? before.sa_handler : SIG_ERR;
    } else if (!strcmp(entry, "siginterrupt")) {
        prev = siginterrupt(SIGPIPE, 1) == 0 ? before.sa_handler : SIG_ERR;
    } else if (!strcmp(entry, "sighold")) {
        if (sigset(SIGPIPE, SIG_HOLD) == SIG_ERR)
            return -1;
        prev = sigset(SIGPIPE, SIG_DFL);
    } else {
        prev = install(entry, SIG_DFL);
        if (prev == SIG_ERR)
            return -1;
    }
    struct sigaction now;
    sigaction(SIGPIPE, NULL, &now);
    printf("entry=%s previous=%s readback=%s\n", entry, name_of(prev), name_of(now.sa_handler));
    fflush(stdout);
    return 0;
}

/* The kernel's own record of SIGPIPE's handler, bypassing every layer:
 * "program" or "other", and whether the kernel will reset it to the
 * (fatal) default on delivery. */
static const char *kernel_holds(void)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        unsigned long mask[8 / sizeof(unsigned long)]; /* the kernel's 64-bit set */
    } k;
    memset(&k, 0, sizeof k);
    if (syscall(SYS_rt_sigaction, SIGPIPE, NULL, &k, sizeof k.mask) != 0)
        return "unreadable";
    static char buf[64];
    snprintf(buf, sizeof buf, "%s kernel-resethand=%d",
             k.handler == (void *)on_pipe ? "program" : "other", !!(k.flags & SA_RESETHAND));
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int fds[2];
    int is_socket = !strcmp(argv[1], "socket");
    if (is_socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds))
        return 2;
    /* pipe: close the reader fds[0]; socket: close the peer fds[1] */
    close(is_socket ? fds[1] : fds[0]);
    int w = is_socket ? fds[0] : fds[1];
    int writes = 1;
    bool own_handler = argc > 3 && !strcmp(argv[2], "handler");
    if (own_handler) {
        if (install(argv[3], on_pipe) == SIG_ERR)
            return 2;
        writes = argc > 4 ? atoi(argv[4]) : 1;
        printf("kernel=%s\n", kernel_holds());
        fflush(stdout);
    } else if (argc > 2 && ask_default(argv[2]) < 0) {
        return 2;
    }
    int status = 0;
    for (int i = 0; i < writes; i++) {
        ssize_t n = is_socket ? send(w, "x", 1, 0) : write(w, "x", 1);
        int err = errno;
        printf("result=%zd errno=%s\n", n, n < 0 ? strerror(err) : "0");
        fflush(stdout);
        if (!(n < 0 && err == EPIPE))
            status = 3;
    }
    if (own_handler) {
        struct sigaction now;
        sigaction(SIGPIPE, NULL, &now);
        printf("handler-calls=%d readback=%s\n", (int)handler_calls, name_of(now.sa_handler));
    }
    report_mask();
    return status;
}
