#include "hutil.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

double hu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *hu_errname(int err)
{
    const char *s = strerrorname_np(err);
    return s ? s : "E?";
}

int hu_signum(const char *name)
{
    static const struct { const char *name; int sig; } table[] = {
        { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "INT", SIGINT }, { "ALRM", SIGALRM },
        { "TERM", SIGTERM }, { "HUP", SIGHUP },   { "CHLD", SIGCHLD },
    };
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i].name, name))
            return table[i].sig;
    return 0;
}

void hu_handle(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    if (sigaction(sig, &sa, NULL) != 0) {
        perror("sigaction");
        exit(2);
    }
}

void hu_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(rc));
        exit(2);
    }
}

/* A POSIX timer that kills the process: no thread, so a helper stays
 * single-threaded (where the library makes read, write, recv and send
 * directly, wrap.h) unless it starts threads of its own.  The test sees
 * "killed by signal 9". */
void hu_watchdog(double seconds)
{
    timer_t t;
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGKILL };
    struct itimerspec when = { .it_value = { (time_t)seconds,
                                             (long)((seconds - (time_t)seconds) * 1e9) } };
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 || timer_settime(t, 0, &when, NULL) != 0) {
        perror("helper: watchdog");
        exit(2);
    }
}

/* The first line of a small /proc file, NUL-terminated; -errno on failure. */
static int slurp(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, cap - 1);
    int err = errno;
    close(fd);
    if (n < 0)
        return -err;
    buf[n] = '\0';
    return (int)n;
}

static void naptime(void)
{
    struct timespec ts = { 0, 1000000 };
    nanosleep(&ts, NULL);
}

/* Whether /proc/<pid>/task/<tid>/syscall shows this program's own system
 * call numbers.  Under qemu-user (the aarch64 and i686 legs of CI) it shows
 * the host's, for the emulator's thread.  A thread reading its own file is
 * in read at that moment, so the number it finds there tells. */
static bool own_numbers(void)
{
    char buf[512];
    int n = slurp("/proc/thread-self/syscall", buf, sizeof buf);
    return n <= 0 || !isdigit((unsigned char)buf[0]) || strtol(buf, NULL, 10) == SYS_read;
}

/* Whether the system call that thread sleeps in (its /proc syscall line:
 * "nr arg1 ..." in hex, "running" or "-1 ..." outside a call) has fd as
 * its first argument; true when the file cannot be read (no ptrace access:
 * the state decides alone). */
static bool first_arg_is(const char *path, int fd)
{
    char buf[512];
    int n = slurp(path, buf, sizeof buf);
    if (n == -EACCES || n == -EPERM)
        return true;
    if (n <= 0 || !isdigit((unsigned char)buf[0]))
        return false;
    char *p = strchr(buf, ' ');
    return p && strtoul(p + 1, NULL, 16) == (unsigned long)fd;
}

void hu_wait_blocked_fd(pid_t pid, pid_t tid, long nr, long nr2, int fd)
{
    char path[96], buf[512];
    double end = hu_now() + 10;
    bool by_state = !own_numbers();
    while (hu_now() < end) {
        if (!by_state) {
            snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
            int n = slurp(path, buf, sizeof buf);
            if (n == -EACCES || n == -EPERM || n == -ENOENT) {
                by_state = true; /* no ptrace access to it: judge by its state */
            } else if (n > 0 && isdigit((unsigned char)buf[0])) {
                long v = strtol(buf, NULL, 10);
                if (v == nr || (nr2 != -1 && v == nr2))
                    return;
            }
        } else {
            snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
            if (slurp(path, buf, sizeof buf) > 0) {
                char *p = strrchr(buf, ')');
                snprintf(path, sizeof path, "/proc/%d/task/%d/syscall", (int)pid, (int)tid);
                if (p && p[1] == ' ' && p[2] == 'S' && (fd < 0 || first_arg_is(path, fd)))
                    return;
            }
        }
        naptime();
    }
    static const char msg[] = "helper: the thread never blocked in the call\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        _exit(3);
    _exit(3);
}

void hu_wait_blocked(pid_t pid, pid_t tid, long nr, long nr2)
{
    hu_wait_blocked_fd(pid, tid, nr, nr2, -1);
}

static timer_t storm_timer;

void hu_storm(int sig, long interval_ns)
{
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = sig;
    if (timer_create(CLOCK_MONOTONIC, &sev, &storm_timer) != 0) {
        perror("timer_create");
        exit(2);
    }
    struct itimerspec its = { { 0, interval_ns }, { 0, interval_ns } };
    if (timer_settime(storm_timer, 0, &its, NULL) != 0) {
        perror("timer_settime");
        exit(2);
    }
}

void hu_storm_stop(void)
{
    struct itimerspec off;
    memset(&off, 0, sizeof off);
    timer_settime(storm_timer, 0, &off, NULL);
}

int hu_listener(int family, struct sockaddr_storage *addr, socklen_t *len)
{
    int l = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0) {
        perror("socket");
        exit(2);
    }
    memset(addr, 0, sizeof *addr);
    socklen_t blen;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)addr;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        blen = sizeof *in;
    } else {
        /* only the family: the kernel picks a free abstract name (unix(7), autobind) */
        addr->ss_family = AF_UNIX;
        blen = sizeof(sa_family_t);
    }
    *len = sizeof *addr;
    if (bind(l, (struct sockaddr *)addr, blen) != 0 || listen(l, 8) != 0 ||
        getsockname(l, (struct sockaddr *)addr, len) != 0) {
        perror("listener");
        exit(2);
    }
    return l;
}

int hu_full_listener(int family, struct sockaddr_storage *addr, socklen_t *len, int *filler)
{
    int l = hu_listener(family, addr, len);
    /* Backlog 0 admits one queued connection; the next SYN is dropped
     * (TCP) or the next connector waits (AF_UNIX: queue length > backlog). */
    if (listen(l, 0) != 0) {
        perror("listen");
        exit(2);
    }
    *filler = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (*filler < 0 || connect(*filler, (struct sockaddr *)addr, *len) != 0) {
        perror("filler connect");
        exit(2);
    }
    /* The listener is readable once the filler sits in its accept queue:
     * from then on the queue is full. */
    struct pollfd p = { l, POLLIN, 0 };
    if (poll(&p, 1, 10000) != 1) {
        fprintf(stderr, "filler never queued\n");
        exit(2);
    }
    return l;
}
