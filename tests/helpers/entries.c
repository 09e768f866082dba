/* One call of one entry point, in a state where the real call succeeds at
 * once, so under the fault preload (SOCKSHIELD_FAULT=<name>:EINTR:1) the
 * only thing between the program and the real result is an EINTR that the
 * library resumes, or not.
 *
 *   entries NAME
 *
 * NAME: read readv pread64 recv recvfrom recvmsg recvmmsg write writev send
 *       sendto sendmsg sendmmsg accept accept4 connect-tcp connect-unix
 * (the fortify entry points are exercised by interrupt_fortify).
 *
 * Everything around the call is done with raw system calls, so no other
 * call reaches the fault preload and uses the fault up.
 *
 * Prints  NAME result=N errno=NAME [roundtrip=ok|failed]
 * Exit    0 it ran; 2 usage or setup. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hutil.h"

#define RAW_WRITE(fd, s) syscall(SYS_write, (fd), (s), strlen(s))

static void must(long ok, const char *what)
{
    if (!ok) {
        perror(what);
        exit(2);
    }
}

/* A connected client of the listener at a, made with raw system calls. */
static int raw_client(int family, const struct sockaddr_storage *a, socklen_t len)
{
    int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    must(c >= 0 && syscall(SYS_connect, c, a, len) == 0, "raw connect");
    return c;
}

/* Data both ways between fd and the accepted peer, with raw calls. */
static bool roundtrip(int fd, int peer)
{
    char buf[8];
    return peer >= 0 && syscall(SYS_write, fd, "ping", 4) == 4 && syscall(SYS_read, peer, buf, 4) == 4 &&
           !memcmp(buf, "ping", 4) && syscall(SYS_write, peer, "pong", 4) == 4 &&
           syscall(SYS_read, fd, buf, 4) == 4 && !memcmp(buf, "pong", 4);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *name = argv[1];
    hu_watchdog(20);
    char buf[64];
    struct iovec iov = { buf, sizeof buf };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    struct mmsghdr mm;
    memset(&mm, 0, sizeof mm);
    mm.msg_hdr = msg;
    int p[2], sv[2], dg[2];
    must(pipe(p) == 0, "pipe");
    must(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    must(socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) == 0, "socketpair");
    /* data waiting to be read */
    RAW_WRITE(p[1], "hello");
    RAW_WRITE(sv[1], "hello");
    RAW_WRITE(dg[1], "hello");
    int file = (int)syscall(SYS_memfd_create, "entries", 0);
    must(file >= 0 && syscall(SYS_pwrite64, file, "hello", 5, 0) == 5, "memfd");
    static const char out[] = "world";
    struct iovec oiov = { (void *)out, 5 };
    struct msghdr omsg;
    memset(&omsg, 0, sizeof omsg);
    omsg.msg_iov = &oiov;
    omsg.msg_iovlen = 1;
    struct mmsghdr omm;
    memset(&omm, 0, sizeof omm);
    omm.msg_hdr = omsg;

    long r;
    int extra = -1; /* connect/accept: the socket to check with a round trip */
    int peer = -1;
    struct sockaddr_storage a;
    socklen_t alen;
    errno = 0;
    if (!strcmp(name, "read"))
        r = read(p[0], buf, sizeof buf);
    else if (!strcmp(name, "readv"))
        r = readv(p[0], &iov, 1);
    else if (!strcmp(name, "pread64"))
        r = pread64(file, buf, sizeof buf, 0);
    else if (!strcmp(name, "recv"))
        r = recv(sv[0], buf, sizeof buf, 0);
    else if (!strcmp(name, "recvfrom"))
        r = recvfrom(dg[0], buf, sizeof buf, 0, NULL, NULL);
    else if (!strcmp(name, "recvmsg"))
        r = recvmsg(sv[0], &msg, 0);
    else if (!strcmp(name, "recvmmsg"))
        r = recvmmsg(dg[0], &mm, 1, 0, NULL);
    else if (!strcmp(name, "write"))
        r = write(p[1], out, 5);
    else if (!strcmp(name, "writev"))
        r = writev(p[1], &oiov, 1);
    else if (!strcmp(name, "send"))
        r = send(sv[0], out, 5, 0);
    else if (!strcmp(name, "sendto"))
        r = sendto(dg[0], out, 5, 0, NULL, 0);
    else if (!strcmp(name, "sendmsg"))
        r = sendmsg(sv[0], &omsg, 0);
    else if (!strcmp(name, "sendmmsg"))
        r = sendmmsg(dg[0], &omm, 1, 0);
    else if (!strcmp(name, "accept") || !strcmp(name, "accept4")) {
        int l = hu_listener(AF_INET, &a, &alen);
        peer = raw_client(AF_INET, &a, alen);
        r = !strcmp(name, "accept") ? accept(l, NULL, NULL) : accept4(l, NULL, NULL, SOCK_CLOEXEC);
        extra = (int)r;
    } else if (!strcmp(name, "connect-tcp") || !strcmp(name, "connect-unix")) {
        int family = !strcmp(name, "connect-tcp") ? AF_INET : AF_UNIX;
        int l = hu_listener(family, &a, &alen);
        int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        must(c >= 0, "socket");
        r = connect(c, (struct sockaddr *)&a, alen);
        if (r == 0) {
            extra = c;
            /* a connect that "succeeded" without connecting leaves nothing
             * to accept: do not wait for it for ever */
            struct pollfd pl = { l, POLLIN, 0 };
            if (poll(&pl, 1, 5000) == 1)
                peer = (int)syscall(SYS_accept4, l, NULL, NULL, 0);
        }
    } else {
        return 2;
    }
    int err = errno;
    printf("%s result=%ld errno=%s", name, r, r < 0 ? hu_errname(err) : "0");
    if (extra >= 0)
        printf(" roundtrip=%s", roundtrip(extra, peer) ? "ok" : "failed");
    printf("\n");
    return 0;
}
