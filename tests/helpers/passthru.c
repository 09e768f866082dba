/* Results that must reach the program exactly as the kernel gave them.
 *
 *   passthru pipe-write|socket-send|close
 *
 * pipe-write   write(1 MiB) into a pipe nobody reads; once it blocks (the
 *              pipe is full), SIGUSR1 (handler with flags 0) arrives: the
 *              kernel returns the short count, which must not be completed
 * socket-send  the same with send(8 MiB) on an AF_UNIX stream socket
 * positioned   pread, pread64 at offsets, readv, writev and their errors,
 *              with one thread (the calls the wrappers may make
 *              themselves, wrap.h): prints what each returned and read
 * close        close() of a fresh fd, for the fault preload
 *              (SOCKSHIELD_FAULT=close:EINTR:1): -1/EINTR, and the fd is
 *              gone all the same (F_GETFD says EBADF)
 *
 * Prints  result=N errno=NAME [capacity=N] [after=NAME]
 * Exit    0 it ran; 2 usage or setup; 3, 9 something hung. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hutil.h"

static long blocked_in;
static int blocked_fd;

static void on_usr1(int sig)
{
    (void)sig;
}

static void *signaller(void *arg)
{
    (void)arg;
    hu_wait_blocked_fd(getpid(), getpid(), blocked_in, -1, blocked_fd);
    kill(getpid(), SIGUSR1);
    return NULL;
}

static int positioned(void)
{
    char path[] = "/tmp/ss-passthru-XXXXXX";
    int f = mkstemp(path), p[2];
    if (f < 0 || pipe(p) != 0)
        return 2;
    unlink(path);
    if (write(f, "abcdefghijklmnop", 16) != 16)
        return 2;
    char a[8] = { 0 }, b[8] = { 0 }, c[8] = { 0 }, d[8] = { 0 };
    ssize_t r1 = pread(f, a, 4, 3);
    ssize_t r2 = pread64(f, b, 5, 10);
    ssize_t r3 = pread(f, c, 4, -1);
    int e3 = errno;
    ssize_t r4 = pread(p[0], c, 4, 0);
    int e4 = errno;
    struct iovec out[2] = { { "hello ", 6 }, { "world", 5 } };
    ssize_t r5 = writev(p[1], out, 2);
    struct iovec in[2] = { { c, 5 }, { d, 6 } };
    ssize_t r6 = readv(p[0], in, 2);
    volatile int bad = -1; /* out of the compiler's sight */
    ssize_t r7 = writev(p[1], out, bad);
    int e7 = errno;
    printf("pread=%zd:%s pread64=%zd:%s neg=%zd:%s pipe=%zd:%s writev=%zd readv=%zd:%s|%s "
           "badcount=%zd:%s\n",
           r1, a, r2, b, r3, hu_errname(e3), r4, hu_errname(e4), r5, r6, c, d, r7, hu_errname(e7));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *mode = argv[1];
    if (!strcmp(mode, "close")) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 2;
        int r = close(fd);
        int err = errno;
        int after = fcntl(fd, F_GETFD) < 0 ? errno : 0;
        printf("result=%d errno=%s after=%s\n", r, r < 0 ? hu_errname(err) : "0",
               after ? hu_errname(after) : "open");
        return 0;
    }
    if (!strcmp(mode, "positioned"))
        return positioned();
    bool pipe_mode = !strcmp(mode, "pipe-write");
    if (!pipe_mode && strcmp(mode, "socket-send"))
        return 2;
    int fds[2];
    if (pipe_mode ? pipe2(fds, O_CLOEXEC) : socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
        return 2;
    size_t size = pipe_mode ? 1 << 20 : 8 << 20;
    char *buf = calloc(1, size);
    if (!buf)
        return 2;
    hu_handle(SIGUSR1, on_usr1, 0);
    hu_watchdog(20);
    blocked_in = pipe_mode ? SYS_write : SYS_sendto;
    blocked_fd = pipe_mode ? fds[1] : fds[0];
    pthread_t t;
    hu_thread(&t, signaller, NULL);
    int w = pipe_mode ? fds[1] : fds[0];
    ssize_t r = pipe_mode ? write(w, buf, size) : send(w, buf, size, 0);
    int err = errno;
    printf("result=%zd errno=%s of=%zu", r, r < 0 ? hu_errname(err) : "0", size);
    if (pipe_mode)
        printf(" capacity=%d", fcntl(w, F_GETPIPE_SZ));
    printf("\n");
    return 0;
}
