/* fork() from a multi-threaded program while the other threads are inside
 * the library: two threads make failing calls whose events are logged
 * (SOCKSHIELD_LOG_RATE=0 makes each one a line written), and one keeps
 * changing SIGUSR2's handler and asking SIGPIPE's default (the signal
 * table's lock).  Each child, single-threaded in a copy of all that:
 *   sends on a socket whose peer reset it       (epipe event, no death)
 *   writes into a pipe without reader            (epipe event, no death)
 *   installs a SIGUSR1 handler with sigaction, reads it back, raises it
 *   asks SIGPIPE's default with signal(), reads it back, writes again
 *                                                (epipe event, no death)
 * then exit()s, so its own summary is written.
 *
 *   forks N
 *
 * Prints  parent pid=P
 *         child pid=P            one line per child, before it is waited for
 *         forks=N seconds=S parent-events=N
 * Exit    0 every child exited 0; 2 setup; 3 a child failed (its status
 *         printed); 5 a child did not finish within 10 s (hung: its
 *         threads' system calls printed, then it is killed).  The
 *         watchdog kills the helper itself with SIGKILL. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hutil.h"

static int reset_fd, empty_fd, dead_pipe;
static volatile int stop;
static unsigned long parent_events;

static void nap_us(long us)
{
    struct timespec ts = { 0, us * 1000 };
    nanosleep(&ts, NULL);
}

/* In and out of the event path, with a pause now and then so the log
 * grows by megabytes, not gigabytes. */
static void *eventer(void *arg)
{
    (void)arg;
    char b = 'e';
    for (unsigned long i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
        if (send(reset_fd, &b, 1, 0) < 0)
            __atomic_add_fetch(&parent_events, 1, __ATOMIC_RELAXED);
        if (recv(empty_fd, &b, 1, 0) < 0)
            __atomic_add_fetch(&parent_events, 1, __ATOMIC_RELAXED);
        if (i % 8 == 7)
            nap_us(300);
    }
    return NULL;
}

static void on_usr(int sig)
{
    (void)sig;
}

static void *changer(void *arg)
{
    (void)arg;
    struct sigaction on, dfl;
    memset(&on, 0, sizeof on);
    memset(&dfl, 0, sizeof dfl);
    on.sa_handler = on_usr;
    dfl.sa_handler = SIG_DFL;
    while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
        sigaction(SIGUSR2, &on, NULL);
        signal(SIGPIPE, SIG_DFL);
        sigaction(SIGUSR2, &dfl, NULL);
    }
    return NULL;
}

static volatile sig_atomic_t usr1_seen;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_seen++;
}

static int child(void)
{
    char b = 'c';
    if (send(reset_fd, &b, 1, 0) != -1 || errno != EPIPE)
        return 10;
    if (write(dead_pipe, &b, 1) != -1 || errno != EPIPE)
        return 11;
    struct sigaction sa, back;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGUSR1, NULL, &back) != 0 ||
        back.sa_handler != on_usr1)
        return 12;
    raise(SIGUSR1);
    if (usr1_seen != 1)
        return 13;
    if (signal(SIGPIPE, SIG_DFL) == SIG_ERR || sigaction(SIGPIPE, NULL, &back) != 0 ||
        back.sa_handler != SIG_DFL)
        return 14;
    if (write(dead_pipe, &b, 1) != -1 || errno != EPIPE)
        return 15;
    return 0;
}

/* What each thread of a hung child is doing. */
static void show_hung(pid_t pid)
{
    char path[320], buf[256];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/syscall", (int)pid, e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        buf[n > 0 ? n : 0] = '\0';
        fprintf(stderr, "forks: hung child %d thread %s syscall %s", (int)pid, e->d_name, buf);
    }
    if (d)
        closedir(d);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int n = atoi(argv[1]);
    hu_watchdog(60 + n * 0.05);

    struct sockaddr_storage a;
    socklen_t al;
    int l = hu_listener(AF_INET, &a, &al);
    reset_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (reset_fd < 0 || connect(reset_fd, (struct sockaddr *)&a, al) != 0)
        return 2;
    int s = accept(l, NULL, NULL);
    struct linger lg = { 1, 0 };
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        return 2;
    close(s);
    char b;
    recv(reset_fd, &b, 1, 0); /* takes the ECONNRESET: every send is EPIPE now */
    int sv[2], pfd[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0 ||
        pipe2(pfd, O_CLOEXEC) != 0)
        return 2;
    empty_fd = sv[0];
    close(pfd[0]);
    dead_pipe = pfd[1];

    pthread_t t[3];
    printf("parent pid=%d\n", (int)getpid());
    hu_thread(&t[0], eventer, NULL);
    hu_thread(&t[1], eventer, NULL);
    hu_thread(&t[2], changer, NULL);

    double t0 = hu_now();
    int status = 0;
    for (int i = 0; i < n && !status; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            status = 2;
            break;
        }
        if (pid == 0)
            exit(child());
        printf("child pid=%d\n", (int)pid);
        int st;
        double end = hu_now() + 10;
        pid_t w;
        while ((w = waitpid(pid, &st, WNOHANG)) == 0 && hu_now() < end)
            nap_us(200);
        if (w == 0) {
            show_hung(pid);
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            status = 5;
        } else if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "forks: child %d: status %#x\n", (int)pid, st);
            status = 3;
        }
    }
    double seconds = hu_now() - t0;
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("forks=%d seconds=%.3f parent-events=%lu\n", n, seconds,
           __atomic_load_n(&parent_events, __ATOMIC_RELAXED));
    return status;
}
