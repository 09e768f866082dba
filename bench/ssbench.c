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
 *   ssbench ab WORK N     write, sendrecv or eagain, in one process: blocks of
 *                         N/200 operations alternate between glibc's own
 *                         functions (found in libc.so.6 itself) and the names
 *                         as the program binds them (our wrappers when we are
 *                         preloaded); prints the median of the 100 block pair
 *                         ratios as ratio=, with the quartiles
 *
 * With SSBENCH_THREADS=1 an idle second thread is started first, so the
 * process is multi-threaded (the wrappers then call glibc rather than make
 * the system call themselves).
 *
 * Prints "ns_per_op=<float>" (and "rss_kib=<n>" for rss).  The timed loop
 * is all there is between the two clock reads: no allocation, no stdio. */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
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

static void *idle(void *arg)
{
    for (;;)
        pause();
    return arg;
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);

struct calls {
    write_fn write;
    send_fn send;
    recv_fn recv;
};

/* One block of a workload through the given functions, in thread CPU ns. */
static double ab_block(const char *w, const struct calls *c, long n, const int *fd)
{
    char buf[16] = { 0 };
    double t0 = now_ns();
    if (!strcmp(w, "write")) {
        for (long i = 0; i < n; i++)
            c->write(fd[0], "x", 1);
    } else if (!strcmp(w, "sendrecv")) {
        for (long i = 0; i < n; i++) {
            c->send(fd[0], buf, sizeof buf, 0);
            c->recv(fd[1], buf, sizeof buf, 0);
        }
    } else {
        for (long i = 0; i < n; i++)
            c->recv(fd[2], buf, sizeof buf, 0);
    }
    return now_ns() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* In-process A/B: what one call through the preloaded name costs next to
 * one through glibc's own function, with every difference between two
 * processes (placement in memory, the machine's mood) out of the ratio.
 * Both sides are calls through a pointer. */
static int ab(const char *w, long n)
{
    enum { PAIRS = 100 };
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    if (!libc || (strcmp(w, "write") && strcmp(w, "sendrecv") && strcmp(w, "eagain")))
        return fail("ab: libc.so.6 or workload");
    struct calls bare = { (write_fn)dlsym(libc, "write"), (send_fn)dlsym(libc, "send"),
                          (recv_fn)dlsym(libc, "recv") };
    struct calls bound = { (write_fn)dlsym(RTLD_DEFAULT, "write"), (send_fn)dlsym(RTLD_DEFAULT, "send"),
                           (recv_fn)dlsym(RTLD_DEFAULT, "recv") };
    int fd[3], sv[2], ev[2];
    if ((fd[0] = open("/dev/null", O_WRONLY)) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, ev))
        return fail("ab: setup");
    if (strcmp(w, "write"))
        fd[0] = sv[0];
    fd[1] = sv[1];
    fd[2] = ev[1];
    long per = n / (2 * PAIRS) > 0 ? n / (2 * PAIRS) : 1;
    static double r[PAIRS];
    for (int p = 0; p < PAIRS; p++) {
        /* A B, then B A */
        double a, b;
        if (p % 2 == 0) {
            a = ab_block(w, &bare, per, fd);
            b = ab_block(w, &bound, per, fd);
        } else {
            b = ab_block(w, &bound, per, fd);
            a = ab_block(w, &bare, per, fd);
        }
        r[p] = b / a;
    }
    qsort(r, PAIRS, sizeof r[0], cmp_double);
    printf("ratio=%.4f q1=%.4f q3=%.4f same=%d\n", (r[PAIRS / 2 - 1] + r[PAIRS / 2]) / 2,
           r[PAIRS / 4], r[3 * PAIRS / 4], bare.write == bound.write);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: ssbench write|sendrecv|eagain|accept|rss|spawn N | ab write|sendrecv|eagain N | nop\n");
        return 2;
    }
    const char *w = argv[1];
    /* Spawn measures exec to exit, mostly in other processes: wall time. */
    if (getenv("SSBENCH_WALL") || !strcmp(w, "spawn") || !strcmp(w, "accept"))
        bench_clock = CLOCK_MONOTONIC;
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(w, "nop"))
        return 0;
    if (getenv("SSBENCH_THREADS")) {
        pthread_t t;
        if (pthread_create(&t, NULL, idle, NULL))
            return fail("pthread_create");
    }
    if (!strcmp(w, "ab"))
        return argc > 3 ? ab(argv[2], atol(argv[3])) : 2;
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
