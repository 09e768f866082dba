/* The restart policy on the calls the library makes directly: read, write,
 * recv and send in a process with one thread (src/wrap.h).  This helper
 * never starts a thread (its peer is a child process, its watchdog a
 * timer) and says so.
 *
 *   direct CALL HOW
 *
 * CALL  read, write   on a pipe
 *       recv, send    on an AF_UNIX stream socketpair
 *       (write and send find their pipe or socket full)
 * HOW   alarm   alarm(1) just before the call, nobody else acts: SIGALRM
 *               is a timeout, so the call must end with EINTR after 1 s,
 *               shielded as bare
 *       stale   SIGALRM is handled before the call, outside it; then the
 *               child sends SIGUSR1 once the call blocks and makes the call
 *               possible 100 ms later.  Only SIGUSR1 interrupted the call:
 *               shielded it is resumed and completes; bare it fails with
 *               EINTR.  A record of signals that kept SIGALRM from before
 *               the call would wrongly return the EINTR.
 *
 * Both handlers are installed with sigaction and flags 0 (no SA_RESTART).
 *
 * Prints  threads=1 result=N errno=NAME elapsed=S handled=N
 * Exit    0 it ran; 2 usage or setup; 3 the call never blocked; killed by
 *         SIGKILL: watchdog. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/single_threaded.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutil.h"

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
    (void)sig;
    handled++;
}

/* Fills fd (non-blocking for the filling) until the kernel takes no more. */
static void fill(int fd)
{
    static char junk[65536];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (syscall(SYS_write, fd, junk, sizeof junk) > 0)
        ;
    fcntl(fd, F_SETFL, fl);
}

/* Empties fd with raw reads until it would block. */
static void drain(int fd)
{
    static char junk[65536];
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (syscall(SYS_read, fd, junk, sizeof junk) > 0)
        ;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *what = argv[1], *how = argv[2];
    bool out = !strcmp(what, "write") || !strcmp(what, "send");
    bool sock = !strcmp(what, "recv") || !strcmp(what, "send");
    if (!out && !sock && strcmp(what, "read"))
        return 2;
    bool stale = !strcmp(how, "stale");
    if (!stale && strcmp(how, "alarm"))
        return 2;

    int fds[2];
    if (sock ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds))
        return 2;
    /* the end the call uses, and the end the child works on */
    int mine = out ? fds[1] : fds[0], theirs = out ? fds[0] : fds[1];
    if (out)
        fill(mine);
    hu_handle(SIGALRM, on_signal, 0);
    hu_handle(SIGUSR1, on_signal, 0);
    hu_watchdog(20);

    pid_t me = getpid(), child = -1;
    if (stale) {
        /* handled at once, before kill() returns: outside any wrapped call */
        kill(me, SIGALRM);
        child = fork();
        if (child < 0)
            return 2;
        if (child == 0) {
            long nr = !out ? (sock ? SYS_recvfrom : SYS_read) : (sock ? SYS_sendto : SYS_write);
            hu_wait_blocked_fd(me, me, nr, -1, mine);
            kill(me, SIGUSR1);
            struct timespec ts = { 0, 100 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            if (out)
                drain(theirs);
            else if (syscall(SYS_write, theirs, "data", 4) != 4)
                _exit(2);
            _exit(0);
        }
    }
    printf("threads=%d ", __libc_single_threaded ? 1 : 0);
    fflush(stdout);

    char buf[8] = "data";
    double t0 = hu_now();
    if (!stale)
        alarm(1);
    ssize_t r;
    if (!strcmp(what, "read"))
        r = read(mine, buf, 4);
    else if (!strcmp(what, "recv"))
        r = recv(mine, buf, 4, 0);
    else if (!strcmp(what, "write"))
        r = write(mine, buf, 4);
    else
        r = send(mine, buf, 4, 0);
    int err = errno;
    double elapsed = hu_now() - t0;
    alarm(0);
    if (child > 0)
        waitpid(child, NULL, 0);
    char line[128];
    int len = snprintf(line, sizeof line, "result=%zd errno=%s elapsed=%.3f handled=%d\n", r,
                       r < 0 ? hu_errname(err) : "0", elapsed, (int)handled);
    return syscall(SYS_write, 1, line, (size_t)len) == len ? 0 : 2;
}
