/* The workloads of the overhead benchmark (bench/run, `make bench`).
 *
 *   ssbench write N       N writes of 1 byte to /dev/null
 *   ssbench sendrecv N    N sends and recvs of 16 bytes on a socket pair
 *   ssbench eagain N      N recvs on an empty non-blocking socket (EAGAIN)
 *   ssbench accept N      N accept+connect+close rounds on loopback TCP
 *   ssbench rss N         N writes, then the resident set size
 *   ssbench spawn N       N times: posix_spawn this program with "nop" and
 *                         wait; the children get LD_PRELOAD=$SSBENCH_CHILD_PRELOAD
 *                         when set (start-up cost, exec to exit)
 *   ssbench nop           start and exit
 *
 * Prints "ns_per_op=<float>" (and "rss_kib=<n>" for rss).  The timed loop
 * is all there is between the two clock reads: no allocation, no stdio. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The timed loops count the thread's CPU time, user and system: on a
 * virtual machine, time the hypervisor gives to others (steal) is not
 * ours and would only add noise to a ratio of a few percent.  SSBENCH_WALL
 * selects the wall clock instead. */
static clockid_t bench_clock = CLOCK_THREAD_CPUTIME_ID;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(bench_clock, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long rss_kib(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strstr(buf, "VmRSS:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

static int fail(const char *what)
{
    fprintf(stderr, "ssbench: %s: %s\n", what, strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ssbench write|sendrecv|eagain|accept|rss N | nop\n");
        return 2;
    }
    const char *w = argv[1];
    /* Spawn measures exec to exit, mostly in other processes: wall time. */
    if (getenv("SSBENCH_WALL") || !strcmp(w, "spawn") || !strcmp(w, "accept"))
        bench_clock = CLOCK_MONOTONIC;
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(w, "nop"))
        return 0;
    double t0 = 0, t1 = 0;

    if (!strcmp(w, "write") || !strcmp(w, "rss")) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0)
            return fail("open /dev/null");
        t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (write(fd, "x", 1) != 1)
                return fail("write");
        t1 = now_ns();
        if (!strcmp(w, "rss")) {
            printf("rss_kib=%ld\n", rss_kib());
            return 0;
        }
    } else if (!strcmp(w, "sendrecv")) {
        int sv[2];
        char buf[16] = { 0 };
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
            return fail("socketpair");
        t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (send(sv[0], buf, sizeof buf, 0) != sizeof buf ||
                recv(sv[1], buf, sizeof buf, 0) != sizeof buf)
                return fail("send/recv");
        t1 = now_ns();
    } else if (!strcmp(w, "eagain")) {
        int sv[2];
        char buf[16];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
            return fail("socketpair");
        t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (recv(sv[1], buf, sizeof buf, 0) != -1 || errno != EAGAIN)
                return fail("recv");
        t1 = now_ns();
    } else if (!strcmp(w, "accept")) {
        int l = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t al = sizeof a;
        if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 64) ||
            getsockname(l, (struct sockaddr *)&a, &al))
            return fail("listen");
        t0 = now_ns();
        for (long i = 0; i < n; i++) {
            int c = socket(AF_INET, SOCK_STREAM, 0);
            if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a))
                return fail("connect");
            int s = accept(l, NULL, NULL);
            if (s < 0)
                return fail("accept");
            /* The server closes first, so TIME_WAIT stays on its side and
             * ports are not exhausted by a long run. */
            close(s);
            close(c);
        }
        t1 = now_ns();
    } else if (!strcmp(w, "spawn")) {
        const char *pre = getenv("SSBENCH_CHILD_PRELOAD");
        char env_pre[4096];
        char *envp[2] = { NULL, NULL };
        if (pre && *pre) {
            snprintf(env_pre, sizeof env_pre, "LD_PRELOAD=%s", pre);
            envp[0] = env_pre;
        }
        char *av[] = { argv[0], "nop", NULL };
        t0 = now_ns();
        for (long i = 0; i < n; i++) {
            pid_t pid;
            int st;
            if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, av, envp) != 0)
                return fail("posix_spawn");
            if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return fail("child");
        }
        t1 = now_ns();
    } else {
        fprintf(stderr, "ssbench: unknown workload '%s'\n", w);
        return 2;
    }
    printf("ns_per_op=%.2f\n", n ? (t1 - t0) / n : 0.0);
    return 0;
}
