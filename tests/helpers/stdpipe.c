/* Pipelines and deliberate SIGPIPEs (SOCKSHIELD_PIPELINE, deliberate
 * SIGPIPE in the man page).
 *
 *   stdpipe write ENTRY [FD]
 *       makes FD (default 1) the write end of a pipe whose reader is gone,
 *       or with ENTRY fifo a FIFO's, then writes once through ENTRY:
 *       write, writev, fwrite (stdio: glibc's internal write), sendfile,
 *       splice, vmsplice, fifo (write on a FIFO).  Bare, the write kills
 *       it (SIGPIPE); shielded it ends the same way when FD is 1 or 2 under
 *       SOCKSHIELD_PIPELINE=end, else gets EPIPE.  Prints "errno=NAME".
 *   stdpipe socket FD
 *       FD a socket whose peer closed: send-free write on it.
 *   stdpipe ignored | handler
 *       stdout a pipe whose reader is gone, SIGPIPE set to SIG_IGN or to a
 *       handler of its own first: EPIPE bare and shielded ("handler-ran=N").
 *   stdpipe send HOW
 *       SIGPIPE sent on purpose while at its default: HOW is raise,
 *       pthread_kill, tgkill, sigqueue, kill-self (kill(getpid())) or
 *       kill-other (from a child process).  Prints "survived" if it did.
 *   stdpipe view CHILD [ARGS]
 *       prints SIGPIPE's disposition as the program reads it back
 *       ("view=DFL|IGN|handler", on stdout), then runs CHILD and waits for it.
 *
 * The reporting stream is stderr (or stdout when FD is 2).
 * Exit: 0 survived as described; 2 usage; 3 setup failed. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int report_fd = 2;

static void say(const char *what, const char *value)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s=%s\n", what, value);
    if (write(report_fd, line, (size_t)n) < 0)
        _exit(3);
}

static void fail(const char *what)
{
    say("setup-failed", what);
    _exit(3);
}

static const char *errno_name(int e)
{
    return e == EPIPE ? "EPIPE" : e == 0 ? "none" : strerrorname_np(e);
}

/* FD becomes the write end of a pipe (or FIFO) with no reader. */
static void broken_pipe_on(int fd, int fifo)
{
    int p[2];
    if (fifo) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/stdpipe.%ld", (long)getpid());
        unlink(path);
        if (mkfifo(path, 0600) != 0)
            fail("mkfifo");
        p[0] = open(path, O_RDONLY | O_NONBLOCK);
        p[1] = open(path, O_WRONLY);
        unlink(path);
        if (p[0] < 0 || p[1] < 0)
            fail("open fifo");
    } else if (pipe(p) != 0) {
        fail("pipe");
    }
    /* away from fd first, so closing them never closes fd */
    for (int i = 0; i < 2; i++) {
        int high = fcntl(p[i], F_DUPFD, 10);
        close(p[i]);
        p[i] = high;
    }
    if (p[0] < 0 || p[1] < 0 || dup2(p[1], fd) < 0)
        fail("dup2");
    close(p[1]);
    close(p[0]);
}

static int write_by(const char *entry, int fd)
{
    static const char data[] = "y\n";
    errno = 0;
    if (!strcmp(entry, "write") || !strcmp(entry, "fifo"))
        return (int)write(fd, data, 2);
    if (!strcmp(entry, "writev")) {
        struct iovec v[2] = { { (void *)data, 1 }, { (void *)(data + 1), 1 } };
        return (int)writev(fd, v, 2);
    }
    if (!strcmp(entry, "fwrite")) {
        FILE *f = fd == 1 ? stdout : fd == 2 ? stderr : fdopen(fd, "w");
        if (!f)
            fail("fdopen");
        fwrite(data, 1, 2, f);
        return fflush(f) == 0 && !ferror(f) ? 2 : -1;
    }
    if (!strcmp(entry, "sendfile")) {
        int in = open("/proc/self/exe", O_RDONLY);
        if (in < 0)
            fail("open exe");
        return (int)sendfile(fd, in, NULL, 2);
    }
    if (!strcmp(entry, "splice") || !strcmp(entry, "vmsplice")) {
        if (!strcmp(entry, "vmsplice")) {
            struct iovec v = { (void *)data, 2 };
            return (int)vmsplice(fd, &v, 1, 0);
        }
        int q[2];
        if (pipe(q) != 0 || write(q[1], data, 2) != 2)
            fail("inner pipe");
        return (int)splice(q[0], NULL, fd, NULL, 2, 0);
    }
    exit(2);
}

static volatile sig_atomic_t handler_ran;
static void on_pipe(int sig)
{
    (void)sig;
    handler_ran++;
}

static void *idle(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

/* Half a second for a signal on its way from another process. */
static void linger(void)
{
    struct timespec t = { 0, 10 * 1000 * 1000 };
    for (int i = 0; i < 50; i++)
        nanosleep(&t, NULL);
}

static int send_on_purpose(const char *how)
{
    if (signal(SIGPIPE, SIG_DFL) == SIG_ERR)
        fail("signal");
    if (!strcmp(how, "raise")) {
        raise(SIGPIPE);
    } else if (!strcmp(how, "pthread_kill")) {
        pthread_kill(pthread_self(), SIGPIPE);
    } else if (!strcmp(how, "tgkill")) {
        syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGPIPE);
    } else if (!strcmp(how, "sigqueue")) {
        union sigval v = { .sival_int = 7 };
        sigqueue(getpid(), SIGPIPE, v);
    } else if (!strcmp(how, "kill-self")) {
        kill(getpid(), SIGPIPE);
    } else if (!strcmp(how, "kill-other")) {
        /* a second thread, so the process-wide signal could go elsewhere */
        pthread_t t;
        pthread_create(&t, NULL, idle, NULL);
        pid_t parent = getpid(), c = fork();
        if (c == 0) {
            kill(parent, SIGPIPE);
            _exit(0);
        }
        if (c < 0)
            fail("fork");
        waitpid(c, NULL, 0);
    } else {
        exit(2);
    }
    linger();
    say("survived", how);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    if (!strcmp(argv[1], "write") && argc >= 3) {
        int fd = argc >= 4 ? atoi(argv[3]) : 1;
        if (fd == 2)
            report_fd = 1;
        broken_pipe_on(fd, !strcmp(argv[2], "fifo"));
        int r = write_by(argv[2], fd);
        say("errno", r < 0 ? errno_name(errno) : "none");
        return 0;
    }
    if (!strcmp(argv[1], "socket") && argc >= 3) {
        int fd = atoi(argv[2]), sv[2];
        if (fd == 2)
            report_fd = 1;
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 || dup2(sv[0], fd) < 0)
            fail("socketpair");
        close(sv[0]);
        close(sv[1]);
        int r = (int)write(fd, "y\n", 2);
        say("errno", r < 0 ? errno_name(errno) : "none");
        return 0;
    }
    if (!strcmp(argv[1], "ignored") || !strcmp(argv[1], "handler")) {
        if (signal(SIGPIPE, !strcmp(argv[1], "ignored") ? SIG_IGN : on_pipe) == SIG_ERR)
            fail("signal");
        broken_pipe_on(1, 0);
        int r = (int)write(1, "y\n", 2);
        say("errno", r < 0 ? errno_name(errno) : "none");
        say("handler-ran", handler_ran ? "yes" : "no");
        return 0;
    }
    if (!strcmp(argv[1], "send") && argc >= 3)
        return send_on_purpose(argv[2]);
    if (!strcmp(argv[1], "view") && argc >= 3) {
        struct sigaction old;
        report_fd = 1;
        if (sigaction(SIGPIPE, NULL, &old) != 0)
            fail("sigaction");
        say("view", old.sa_handler == SIG_DFL   ? "DFL"
                    : old.sa_handler == SIG_IGN ? "IGN"
                                                : "handler");
        pid_t c = fork();
        if (c == 0) {
            execv(argv[2], argv + 2);
            _exit(127);
        }
        int st;
        if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail("child");
        return 0;
    }
    return 2;
}
