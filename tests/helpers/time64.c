/* Built with -D_TIME_BITS=64 -D_FILE_OFFSET_BITS=64 (Makefile.am): on a
 * 32-bit glibc target its recvmsg, setsockopt and waitpid are glibc's time64
 * entry points (__recvmsg64, __setsockopt64, __wait4_time64); elsewhere
 * the usual ones.  tests/integ/test_time64.c runs it bare and shielded.
 *
 *   time64 reset   recvmsg on a TCP socket its peer resets
 *   time64 timeo   SO_RCVTIMEO of 1 s, a 1 kHz SIGUSR1 storm, recvmsg
 *
 * Prints "time64=1" when the time64 entry points are in use, then the
 * call's result. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "hutil.h"

static void on_signal(int sig)
{
    (void)sig;
}

static ssize_t one_recvmsg(int fd)
{
    char b[8];
    struct iovec v = { b, sizeof b };
    struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
    return recvmsg(fd, &m, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    hu_watchdog(20);
    setvbuf(stdout, NULL, _IONBF, 0);
#if defined(__USE_TIME_BITS64) && defined(__TIMESIZE) && __TIMESIZE == 32
    printf("time64=1\n");
#else
    printf("time64=0\n");
#endif
    if (strcmp(argv[1], "reset") == 0) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t al = sizeof a;
        if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) != 0 || listen(l, 1) != 0 ||
            getsockname(l, (struct sockaddr *)&a, &al) != 0)
            return 2;
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, sizeof a) != 0)
            return 2;
        int s = accept(l, NULL, NULL);
        struct linger lg = { 1, 0 };
        setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(s);
        usleep(100000);
        ssize_t r = one_recvmsg(c);
        printf("recvmsg=%zd errno=%s port=%d\n", r, r < 0 && errno == ECONNRESET ? "ECONNRESET" : "other",
               ntohs(a.sin_port));
        return 0;
    }
    if (strcmp(argv[1], "timeo") == 0) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            return 2;
        struct timeval tv = { 1, 0 };
        if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
            return 2;
        hu_handle(SIGUSR1, on_signal, 0);
        hu_storm(SIGUSR1, 1000000);
        double t0 = hu_now();
        ssize_t r = one_recvmsg(sv[0]);
        int err = errno;
        double el = hu_now() - t0;
        hu_storm_stop();
        printf("recvmsg=%zd errno=%s in_time=%d\n", r,
               r < 0 && (err == EAGAIN || err == EWOULDBLOCK) ? "EAGAIN"
               : r < 0 && err == EINTR                       ? "EINTR"
                                                             : "other",
               el > 0.9 && el < 2.5);
        return 0;
    }
    return 2;
}
