/* recvmmsg's own timeout across an interruption.  recvmmsg(vlen 2,
 * timeout 500 ms) on an AF_UNIX datagram socket; a thread sends SIGUSR1
 * (handler with flags 0, or SA_RESTART with "restart") at 0.6 s, after the
 * timeout has passed; one datagram arrives at 0.7 s, the second at 1.5 s.
 * The uninterrupted call would return 1 at 0.7 s (the timeout is looked at
 * after each datagram, recvmmsg(2)); a call restarted with the whole
 * timeout again waits for the second datagram.
 *
 *   mmsgtimeo once|naive [restart]
 *
 * naive  calls again on EINTR with the same timeout
 *
 * Prints  result=N errno=NAME elapsed=S handled=N
 * Exit    0 it ran; 2 usage or setup; 3, 9 something hung. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hutil.h"

static int sv[2], ack[2];
static double t0;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
    if (write(ack[1], "s", 1) != 1)
        _exit(2);
}

static void sleep_until(double t)
{
    for (double left; (left = t - hu_now()) > 0;) {
        struct timespec ts = { (time_t)left, (long)((left - (time_t)left) * 1e9) };
        nanosleep(&ts, NULL);
    }
}

static void *sender(void *arg)
{
    (void)arg;
    hu_wait_blocked_fd(getpid(), getpid(), SYS_recvmmsg, -1, sv[0]);
    sleep_until(t0 + 0.6);
    kill(getpid(), SIGUSR1);
    struct pollfd p = { ack[0], POLLIN, 0 };
    if (poll(&p, 1, 10000) != 1)
        _exit(3);
    sleep_until(t0 + 0.7);
    if (send(sv[1], "a", 1, 0) != 1)
        _exit(2);
    sleep_until(t0 + 1.5);
    if (send(sv[1], "b", 1, 0) != 1)
        _exit(2);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    bool naive = !strcmp(argv[1], "naive");
    bool restart = argc > 2 && !strcmp(argv[2], "restart");
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe(ack) != 0)
        return 2;
    hu_handle(SIGUSR1, on_usr1, restart ? SA_RESTART : 0);
    hu_watchdog(20);
    char b[2][8];
    struct iovec v[2] = { { b[0], 8 }, { b[1], 8 } };
    struct mmsghdr m[2];
    memset(m, 0, sizeof m);
    for (int i = 0; i < 2; i++) {
        m[i].msg_hdr.msg_iov = &v[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    t0 = hu_now();
    pthread_t t;
    hu_thread(&t, sender, NULL);
    struct timespec timeout = { 0, 500000000 };
    int r, err;
    do {
        r = recvmmsg(sv[0], m, 2, 0, &timeout);
        err = errno;
    } while (naive && r < 0 && err == EINTR);
    printf("result=%d errno=%s elapsed=%.3f handled=%d\n", r, r < 0 ? hu_errname(err) : "0",
           hu_now() - t0, (int)handled);
    return 0;
}
