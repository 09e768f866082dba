/* pthread cancellation through the wrappers.
 *
 *   cancelread          a thread blocks in read() on an empty pipe; main
 *                       cancels it.  read stays a cancellation point.
 *                       Exit 0: cancelled; 1: still blocked after 5 s.
 *   cancelread self CALL
 *                       the only thread cancels itself (deferred), then
 *                       makes CALL (read, write, recv or send) on an fd
 *                       that is ready: glibc acts on the cancellation
 *                       there and the call never returns.  A single-
 *                       threaded process is where the wrappers make these
 *                       four calls directly (wrap.h): they must notice
 *                       the pending cancellation exactly as glibc does.
 *                       Prints "returned N" (with a raw write, itself no
 *                       cancellation point) only if the call came back. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/single_threaded.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile int started;

static void *reader(void *arg)
{
    (void)arg;
    char c;
    started = 1;
    ssize_t n = read(fds[0], &c, 1);
    printf("read returned %zd\n", n);
    return NULL;
}

static int self_cancel(const char *call)
{
    int sv[2];
    char buf[8] = "x";
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[1], buf, 1) != 1)
        return 2;
    printf("cancelling %s\n", call);
    fflush(stdout);
    pthread_cancel(pthread_self());
    /* Naming glibc's flag gives this program a copy of it (a copy
     * relocation) that pthread_cancel leaves set: the library must read
     * glibc's own. */
    char seen[32];
    int k = snprintf(seen, sizeof seen, "copy=%d\n", __libc_single_threaded);
    syscall(SYS_write, 1, seen, (size_t)k);
    ssize_t n;
    if (!strcmp(call, "read"))
        n = read(sv[0], buf, 1);
    else if (!strcmp(call, "write"))
        n = write(sv[0], buf, 1);
    else if (!strcmp(call, "recv"))
        n = recv(sv[0], buf, 1, 0);
    else if (!strcmp(call, "send"))
        n = send(sv[0], buf, 1, 0);
    else
        return 2;
    char line[64];
    int len = snprintf(line, sizeof line, "returned %zd\n", n);
    syscall(SYS_write, 1, line, (size_t)len);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "self"))
        return self_cancel(argv[2]);
    if (pipe(fds))
        return 2;
    pthread_t t;
    pthread_create(&t, NULL, reader, NULL);
    while (!started)
        usleep(1000);
    usleep(50000); /* let it block in read */
    pthread_cancel(t);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    void *res;
    if (pthread_timedjoin_np(t, &res, &ts) != 0) {
        printf("still blocked\n");
        return 1;
    }
    printf(res == PTHREAD_CANCELED ? "cancelled\n" : "returned\n");
    return res == PTHREAD_CANCELED ? 0 : 1;
}
