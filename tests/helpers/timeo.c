/* A blocking call on a socket with a 500 ms timeout (SO_RCVTIMEO for recv,
 * SO_SNDTIMEO for connect), optionally under a 10 kHz SIGUSR1 storm
 * (handler with flags 0).
 *
 *   timeo recv|connect-tcp|connect-unix libc|raw storm|quiet once|naive
 *
 * libc   the timeout is set with setsockopt(), which the library sees
 * raw    with syscall(SYS_setsockopt), which it does not
 * once   one call, whatever it returns
 * naive  the classic restart loop: call again on EINTR (given up after 3 s,
 *        since under a storm it never ends)
 * connect goes to a listener whose backlog is full, so it waits.
 *
 * Prints  result=N errno=NAME elapsed=S signals=N calls=N
 * Exit    0 it ran; 2 usage or setup; killed by SIGKILL: watchdog. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "hutil.h"

static volatile sig_atomic_t signals;

static void on_usr1(int sig)
{
    (void)sig;
    signals++;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    const char *what = argv[1];
    bool raw = !strcmp(argv[2], "raw"), storm = !strcmp(argv[3], "storm");
    bool naive = !strcmp(argv[4], "naive");
    bool is_recv = !strcmp(what, "recv");
    int fd, sv[2], filler;
    struct sockaddr_storage addr;
    socklen_t len = 0;
    if (is_recv) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return 2;
        fd = sv[0]; /* sv[1] stays silent */
    } else if (!strcmp(what, "connect-tcp") || !strcmp(what, "connect-unix")) {
        int family = !strcmp(what, "connect-tcp") ? AF_INET : AF_UNIX;
        hu_full_listener(family, &addr, &len, &filler);
        fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return 2;
    } else {
        return 2;
    }
    struct timeval tv = { 0, 500000 };
    int opt = is_recv ? SO_RCVTIMEO : SO_SNDTIMEO;
    int rc = raw ? (int)syscall(SYS_setsockopt, fd, SOL_SOCKET, opt, &tv, sizeof tv)
                 : setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
    if (rc != 0)
        return 2;

    hu_handle(SIGUSR1, on_usr1, 0);
    hu_watchdog(20);
    if (storm)
        hu_storm(SIGUSR1, 100000);
    char buf[16];
    long r, calls = 0;
    int err;
    double t0 = hu_now();
    do {
        calls++;
        r = is_recv ? recv(fd, buf, sizeof buf, 0) : connect(fd, (struct sockaddr *)&addr, len);
        err = errno;
    } while (naive && r < 0 && err == EINTR && hu_now() - t0 < 3.0);
    double elapsed = hu_now() - t0;
    if (storm)
        hu_storm_stop();
    printf("result=%ld errno=%s elapsed=%.3f signals=%d calls=%ld\n", r,
           r < 0 ? hu_errname(err) : "0", elapsed, (int)signals, calls);
    return 0;
}
