/* A handler that siglongjmps out of a call the library is resuming.
 * recv on a socket with a 5 s SO_RCVTIMEO; SIGUSR1 (handler with flags 0)
 * interrupts it, the library resumes it and waits for the rest of the
 * timeout; a second SIGUSR1 arrives during that wait, and with "jump" the
 * handler siglongjmps out.  Then a send on a socket whose peer is gone must
 * still be logged (event=epipe on stderr): the library must not be left
 * believing it is still inside its own code.
 *
 *   jumpout jump|nojump
 *
 * Prints  jumped=0|1 send=N errno=NAME
 * Exit    0 it ran; 2 setup; 3, 9 something hung. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "hutil.h"

static int sv[2], ack[2];
static bool jump;
static sigjmp_buf env;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    int n = ++handled;
    if (write(ack[1], "s", 1) != 1)
        _exit(2);
    if (jump && n == 2)
        siglongjmp(env, 1);
}

static void await_ack(void)
{
    struct pollfd p = { ack[0], POLLIN, 0 };
    char c;
    if (poll(&p, 1, 10000) != 1 || read(ack[0], &c, 1) != 1)
        _exit(3);
}

static void *signaller(void *arg)
{
    (void)arg;
    hu_wait_blocked_fd(getpid(), getpid(), SYS_recvfrom, -1, sv[0]);
    kill(getpid(), SIGUSR1);
    await_ack();
    /* resumed: now it waits in the library's poll for the rest of 5 s */
    hu_wait_blocked(getpid(), getpid(), SYS_ppoll, HU_SYS_POLL);
    kill(getpid(), SIGUSR1);
    await_ack();
    if (!jump && write(sv[1], "data", 4) != 4)
        _exit(2);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    jump = !strcmp(argv[1], "jump");
    struct timeval tv = { 5, 0 };
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe(ack) != 0 ||
        setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        return 2;
    hu_handle(SIGUSR1, on_usr1, 0);
    hu_watchdog(20);
    pthread_t t;
    hu_thread(&t, signaller, NULL);
    int jumped = 0;
    char buf[8];
    if (sigsetjmp(env, 1) == 0)
        (void)!recv(sv[0], buf, sizeof buf, 0);
    else
        jumped = 1;
    int gone[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gone) != 0)
        return 2;
    close(gone[1]);
    ssize_t n = send(gone[0], "x", 1, 0);
    int err = errno;
    printf("jumped=%d send=%zd errno=%s\n", jumped, n, n < 0 ? hu_errname(err) : "0");
    return 0;
}
