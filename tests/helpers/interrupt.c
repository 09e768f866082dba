/* One blocking call, interrupted by one signal, then completed.
 *
 *   interrupt CALL HOW
 *
 * CALL  recv          recv on an AF_UNIX stream socketpair
 *       read          read on a pipe
 *       accept        accept on a TCP listener
 *       connect-tcp   connect to a TCP listener whose accept queue is full
 *       connect-unix  connect to an AF_UNIX listener whose backlog is full
 * HOW   none          no signal; the call is completed at once (for fault
 *                     injection with SOCKSHIELD_FAULT)
 *       alarm         alarm(1) just before the call (SIGALRM)
 *       kill:SIG      another process sends SIG with kill() once the call blocks
 *       tkill:SIG     a thread sends SIG with pthread_kill() once the call blocks
 *       tqueue:SIG    a thread sends SIG with pthread_sigqueue() once the call blocks
 *       child-exit    a child process exits once the call blocks (SIGCHLD)
 *
 * The handler is installed with sigaction and flags 0 (no SA_RESTART); it
 * reports to a pipe with write().  A completer thread waits for that
 * report, then makes the call complete (writes the data, connects, accepts
 * the queued client).  A call that was resumed therefore completes, with a
 * data round trip over accepted and connected sockets; one that was not
 * returns -1/EINTR.
 *
 * Built twice: plain, and with -O2 -D_FORTIFY_SOURCE=2, where the reads
 * below (length not known at compile time) become __read_chk/__recv_chk.
 *
 * Prints  result=N errno=NAME elapsed=S handled=N [data=...] [roundtrip=ok|failed]
 * Exit    0 it ran; 2 usage or setup; 3, 9 something hung (hutil.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutil.h"

enum call { C_RECV, C_READ, C_ACCEPT, C_CONNECT };

static enum call call;
static int family;
static int ack[2];
static volatile sig_atomic_t handled;
static bool waits_for_signal;

static int rd, wr;        /* recv/read: the fd read from, the fd the data goes in */
static int listener = -1, filler = -1;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static volatile int peer_ok;

/* Not known at compile time, so fortified reads cannot be proven safe. */
static volatile size_t want = 4;

static void on_signal(int sig)
{
    (void)sig;
    handled++;
    char c = 's';
    if (write(ack[1], &c, 1) != 1)
        _exit(2);
}

static bool exchange(int fd, const char *send, const char *expect)
{
    char buf[64];
    if (write(fd, send, 4) != 4)
        return false;
    ssize_t n = read(fd, buf, want);
    return n == 4 && !memcmp(buf, expect, 4);
}

static void *completer(void *arg)
{
    (void)arg;
    if (waits_for_signal) {
        struct pollfd p = { ack[0], POLLIN, 0 };
        if (poll(&p, 1, 15000) != 1) {
            fprintf(stderr, "completer: no signal was handled\n");
            _exit(3);
        }
    }
    switch (call) {
    case C_RECV:
    case C_READ:
        if (write(wr, "data", 4) != 4)
            _exit(2);
        break;
    case C_ACCEPT: {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&addr, addr_len) != 0)
            _exit(2);
        char buf[4];
        if (write(c, "ping", 4) == 4 && read(c, buf, 4) == 4 && !memcmp(buf, "pong", 4))
            peer_ok = 1;
        break;
    }
    case C_CONNECT: {
        /* make room: the queued client goes, then ours comes in */
        if (filler >= 0) {
            int f = accept(listener, NULL, NULL);
            if (f < 0)
                _exit(2);
            close(f);
        }
        int a = accept(listener, NULL, NULL);
        char buf[4];
        if (a >= 0 && read(a, buf, 4) == 4 && !memcmp(buf, "ping", 4) && write(a, "pong", 4) == 4)
            peer_ok = 1;
        break;
    }
    }
    return NULL;
}

static pthread_t main_thread;
static long nr, nr2; /* the system call the main thread blocks in */
static int blocked_fd; /* and its first argument */

static void *tkiller(void *arg)
{
    hu_wait_blocked_fd(getpid(), getpid(), nr, nr2, blocked_fd);
    pthread_kill(main_thread, *(int *)arg);
    return NULL;
}

static void *tqueuer(void *arg)
{
    hu_wait_blocked_fd(getpid(), getpid(), nr, nr2, blocked_fd);
    pthread_sigqueue(main_thread, *(int *)arg, (union sigval){ .sival_int = 1 });
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: interrupt recv|read|accept|connect-tcp|connect-unix "
                        "none|alarm|kill:SIG|tkill:SIG|tqueue:SIG|child-exit\n");
        return 2;
    }
    const char *c = argv[1], *how = argv[2];
    if (!strcmp(c, "recv"))
        call = C_RECV;
    else if (!strcmp(c, "read"))
        call = C_READ;
    else if (!strcmp(c, "accept"))
        call = C_ACCEPT;
    else if (!strcmp(c, "connect-tcp") || !strcmp(c, "connect-unix"))
        call = C_CONNECT, family = !strcmp(c, "connect-tcp") ? AF_INET : AF_UNIX;
    else
        return 2;

    int sig = 0;
    bool by_kill = false, by_tkill = false, by_tqueue = false, by_exit = false, by_alarm = false;
    if (!strcmp(how, "alarm"))
        sig = SIGALRM, by_alarm = true;
    else if (!strcmp(how, "child-exit"))
        sig = SIGCHLD, by_exit = true;
    else if (!strncmp(how, "kill:", 5))
        sig = hu_signum(how + 5), by_kill = true;
    else if (!strncmp(how, "tkill:", 6))
        sig = hu_signum(how + 6), by_tkill = true;
    else if (!strncmp(how, "tqueue:", 7))
        sig = hu_signum(how + 7), by_tqueue = true;
    else if (strcmp(how, "none"))
        return 2;
    if ((by_kill || by_tkill || by_tqueue) && !sig)
        return 2;
    waits_for_signal = sig != 0;

    if (pipe2(ack, O_CLOEXEC) != 0)
        return 2;
    int fds[2];
    switch (call) {
    case C_RECV:
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return 2;
        rd = fds[0], wr = fds[1];
        break;
    case C_READ:
        if (pipe2(fds, O_CLOEXEC) != 0)
            return 2;
        rd = fds[0], wr = fds[1];
        break;
    case C_ACCEPT:
        listener = hu_listener(AF_INET, &addr, &addr_len);
        break;
    case C_CONNECT:
        listener = waits_for_signal ? hu_full_listener(family, &addr, &addr_len, &filler)
                                    : hu_listener(family, &addr, &addr_len);
        rd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (rd < 0)
            return 2;
        break;
    }
    if (sig)
        hu_handle(sig, on_signal, 0);

    nr = call == C_RECV ? SYS_recvfrom : call == C_READ ? SYS_read
       : call == C_ACCEPT ? HU_SYS_ACCEPT : SYS_connect;
    nr2 = call == C_ACCEPT ? SYS_accept4 : -1;
    blocked_fd = call == C_ACCEPT ? listener : rd;
    fflush(stdout);
    if (by_kill || by_exit) {
        pid_t parent = getpid();
        pid_t child = fork();
        if (child < 0)
            return 2;
        if (child == 0) {
            hu_wait_blocked_fd(parent, parent, nr, nr2, blocked_fd);
            if (by_kill)
                kill(parent, sig);
            _exit(0); /* by_exit: this is the SIGCHLD */
        }
    }
    main_thread = pthread_self();
    hu_watchdog(20);
    pthread_t done, killer;
    hu_thread(&done, completer, NULL);
    if (by_tkill)
        hu_thread(&killer, tkiller, &sig);
    if (by_tqueue)
        hu_thread(&killer, tqueuer, &sig);
    if (by_alarm)
        alarm(1);

    char buf[64];
    double t0 = hu_now();
    long r;
    switch (call) {
    case C_RECV: r = recv(rd, buf, want, 0); break;
    case C_READ: r = read(rd, buf, want); break;
    case C_ACCEPT: r = accept(listener, NULL, NULL); break;
    default: r = connect(rd, (struct sockaddr *)&addr, addr_len); break;
    }
    int err = errno;
    double elapsed = hu_now() - t0;
    printf("result=%ld errno=%s elapsed=%.3f handled=%d", r, r < 0 ? hu_errname(err) : "0",
           elapsed, (int)handled);
    if ((call == C_RECV || call == C_READ) && r > 0)
        printf(" data=%.*s", (int)r, buf);
    if ((call == C_ACCEPT || call == C_CONNECT) && r >= 0) {
        bool ok = call == C_ACCEPT ? exchange((int)r, "pong", "ping") : exchange(rd, "ping", "pong");
        pthread_join(done, NULL);
        printf(" roundtrip=%s", ok && peer_ok ? "ok" : "failed");
    }
    printf("\n");
    return 0;
}
