/* The musl smoke suite (.ci/musl): plain C, no Criterion (it has no musl
 * build).  Built with musl-gcc, run against the musl build of the library:
 *
 *   smoke LIB FIRSTLIB      runs every case bare and shielded, prints one
 *                           line per check and "N passed, N failed"
 *   smoke -c CASE           one case (what the driver runs in children)
 *
 * Each case is run twice, bare and with LIB preloaded, and both outcomes
 * are asserted: the difference is the library's. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
    (void)sig;
}

/* A handler without SA_RESTART: bare, a blocking call fails with EINTR. */
static void handle(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(sig, &sa, NULL);
}

/* ---- the cases (run in a child, their stdout is checked) ---------------- */

/* A write into a pipe whose reader is gone: bare, SIGPIPE kills. */
static int case_sigpipe(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 2;
    close(p[0]);
    ssize_t w = write(p[1], "x", 1);
    printf("write=%zd errno=%s\n", w, w < 0 && errno == EPIPE ? "EPIPE" : "other");
    return 0;
}

/* A signal (no SA_RESTART) interrupts a read; the data comes later. */
static int interrupted_read(int sig)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    handle(sig);
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        usleep(200000);
        kill(parent, sig);
        usleep(200000);
        if (write(sv[1], "data", 4) != 4)
            _exit(1);
        _exit(0);
    }
    char b[8];
    ssize_t r = read(sv[0], b, sizeof b);
    printf("read=%zd errno=%s\n", r, r < 0 && errno == EINTR ? "EINTR" : "none");
    waitpid(child, NULL, 0);
    return 0;
}

static int case_eintr(void)
{
    return interrupted_read(SIGUSR1);
}

/* musl's SIGRTMIN is 35 (glibc's 34): SOCKSHIELD_NORESTART=RTMIN must name
 * the signal this C library calls SIGRTMIN, read at run time. */
static int case_rtmin(void)
{
    return interrupted_read(SIGRTMIN);
}

/* alarm() around a blocking recv is meant to interrupt it: still EINTR. */
static int case_alarm(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    handle(SIGALRM);
    alarm(1);
    char b[8];
    double t0 = now();
    ssize_t r = recv(sv[0], b, sizeof b, 0);
    printf("recv=%zd errno=%s late=%d\n", r, r < 0 && errno == EINTR ? "EINTR" : "other",
           now() - t0 > 3.0);
    return 0;
}

/* A TCP peer that resets: the event line names sock=tcp and the peer. */
static int case_reset(void)
{
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
    close(s); /* RST */
    usleep(100000);
    char b[8];
    ssize_t r = recv(c, b, sizeof b, 0);
    printf("recv=%zd errno=%s port=%d\n", r, r < 0 && errno == ECONNRESET ? "ECONNRESET" : "other",
           ntohs(a.sin_port));
    return 0;
}

/* SO_RCVTIMEO of 1 s on a socket that stays silent, under a 1 kHz storm
 * of SIGUSR1 (no SA_RESTART): bare, the first signal ends the recv. */
static int case_timeo(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    struct timeval tv = { 1, 0 };
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    handle(SIGUSR1);
    timer_t t;
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) != 0 || timer_settime(t, 0, &its, NULL) != 0)
        return 2;
    char b[8];
    double t0 = now();
    ssize_t r = recv(sv[0], b, sizeof b, 0);
    double el = now() - t0;
    int err = errno;
    timer_delete(t);
    printf("recv=%zd errno=%s in_time=%d\n", r,
           r < 0 && (err == EAGAIN || err == EWOULDBLOCK) ? "EAGAIN" : r < 0 && err == EINTR ? "EINTR" : "other",
           el > 0.9 && el < 2.5);
    return 0;
}

/* The early case has no code here: FIRSTLIB's constructor writes into a
 * broken pipe before the library's constructor ran (tests/musl/first.c). */
static int case_early(void)
{
    printf("main reached\n");
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
} cases[] = {
    { "sigpipe", case_sigpipe }, { "eintr", case_eintr }, { "alarm", case_alarm },
    { "reset", case_reset },     { "timeo", case_timeo }, { "early", case_early },
    { "rtmin", case_rtmin },
};

/* ---- the driver ------------------------------------------------------------ */

struct out {
    int status;
    char text[4096];
};

/* extra: one more variable for the shielded run (NULL: none). */
static void run_with(const char *self, const char *name, const char *preload, const char *extra,
                     struct out *o)
{
    int p[2];
    if (pipe(p) != 0)
        exit(2);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        close(p[0]);
        close(p[1]);
        signal(SIGPIPE, SIG_DFL);
        char pre[4200];
        snprintf(pre, sizeof pre, "LD_PRELOAD=%s", preload ? preload : "");
        char *env[] = { pre, "SOCKSHIELD_EVENTS=all", "PATH=/usr/bin:/bin", (char *)extra, NULL };
        char *argv[] = { (char *)self, "-c", (char *)name, NULL };
        execve(self, argv, preload ? env : env + 1);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(p[0], o->text + n, sizeof o->text - 1 - n)) > 0)
        n += (size_t)r;
    o->text[n] = '\0';
    close(p[0]);
    waitpid(pid, &o->status, 0);
}

static void run(const char *self, const char *name, const char *preload, struct out *o)
{
    run_with(self, name, preload, NULL, o);
}

static int passed, failed;

static void check(const char *what, int ok, const struct out *o)
{
    if (ok)
        passed++;
    else
        failed++;
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        printf("  status=%#x output:\n%s\n", o->status, o->text);
}

static int exited0(const struct out *o)
{
    return WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "-c") == 0) {
        setvbuf(stdout, NULL, _IONBF, 0);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
            if (strcmp(argv[2], cases[i].name) == 0)
                return cases[i].fn();
        return 2;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: smoke LIB FIRSTLIB | smoke -c CASE\n");
        return 2;
    }
    const char *self = "/proc/self/exe";
    char exe[4096];
    ssize_t k = readlink(self, exe, sizeof exe - 1);
    if (k <= 0)
        return 2;
    exe[k] = '\0';
    const char *lib = argv[1];
    char early[8300];
    snprintf(early, sizeof early, "%s:%s", argv[2], lib);
    struct out bare, sh;

    run(exe, "sigpipe", NULL, &bare);
    run(exe, "sigpipe", lib, &sh);
    check("sigpipe: bare dies of SIGPIPE", WIFSIGNALED(bare.status) && WTERMSIG(bare.status) == SIGPIPE, &bare);
    check("sigpipe: shielded gets EPIPE and lives", exited0(&sh) && strstr(sh.text, "write=-1 errno=EPIPE"), &sh);
    check("sigpipe: shielded logs event=epipe", strstr(sh.text, "event=epipe") != NULL, &sh);

    run(exe, "eintr", NULL, &bare);
    run(exe, "eintr", lib, &sh);
    check("eintr: bare read fails with EINTR", exited0(&bare) && strstr(bare.text, "read=-1 errno=EINTR"), &bare);
    check("eintr: shielded read is resumed and gets the data", exited0(&sh) && strstr(sh.text, "read=4 "), &sh);

    run(exe, "alarm", NULL, &bare);
    run(exe, "alarm", lib, &sh);
    check("alarm: bare recv fails with EINTR", exited0(&bare) && strstr(bare.text, "recv=-1 errno=EINTR late=0"), &bare);
    check("alarm: shielded recv still fails with EINTR (a meant SIGALRM)",
          exited0(&sh) && strstr(sh.text, "recv=-1 errno=EINTR late=0"), &sh);

    run(exe, "reset", NULL, &bare);
    run(exe, "reset", lib, &sh);
    check("reset: bare recv gets ECONNRESET, logs nothing",
          exited0(&bare) && strstr(bare.text, "errno=ECONNRESET") && !strstr(bare.text, "sockshield:"), &bare);
    char want[64] = "";
    const char *port = strstr(sh.text, "port=");
    if (port)
        snprintf(want, sizeof want, "peer=127.0.0.1:%d", atoi(port + 5));
    check("reset: shielded logs event=reset sock=tcp and the peer",
          exited0(&sh) && strstr(sh.text, "errno=ECONNRESET") && strstr(sh.text, "event=reset") &&
              strstr(sh.text, "sock=tcp") && port && strstr(sh.text, want),
          &sh);

    run(exe, "timeo", NULL, &bare);
    run(exe, "timeo", lib, &sh);
    check("timeo: bare recv under a storm fails with EINTR", exited0(&bare) && strstr(bare.text, "errno=EINTR"), &bare);
    check("timeo: shielded recv times out after SO_RCVTIMEO (1 s) despite the storm",
          exited0(&sh) && strstr(sh.text, "recv=-1 errno=EAGAIN in_time=1"), &sh);

    run(exe, "early", argv[2], &bare);
    run(exe, "early", early, &sh);
    check("early: bare, the first constructor's write into a broken pipe kills",
          WIFSIGNALED(bare.status) && WTERMSIG(bare.status) == SIGPIPE && strstr(bare.text, "first: before"), &bare);
    check("early: shielded, it gets EPIPE before the library's constructor and main runs",
          exited0(&sh) && strstr(sh.text, "first: before") && strstr(sh.text, "write=-1 EPIPE") &&
              strstr(sh.text, "main reached"),
          &sh);

    struct out meant;
    run(exe, "rtmin", lib, &sh);
    run_with(exe, "rtmin", lib, "SOCKSHIELD_NORESTART=RTMIN", &meant);
    check("rtmin: shielded, a SIGRTMIN handler's interruption is resumed by default",
          exited0(&sh) && strstr(sh.text, "read=4 "), &sh);
    check("rtmin: with SOCKSHIELD_NORESTART=RTMIN it is this C library's SIGRTMIN that gets EINTR",
          exited0(&meant) && strstr(meant.text, "read=-1 errno=EINTR"), &meant);

    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
