/* A program that waits for its children in every way there is, run with
 * SOCKSHIELD_REAP=on to show that a child the reaper took is still
 * reported, exactly as the kernel would have reported it, and only once.
 *
 *   reapwait MODE
 *
 * One-child modes: a child ends (exit 7, or killed by SIGTERM), the helper
 * waits until it has ended and says whether it is still a zombie
 * ("reaped-early=no") or already gone ("reaped-early=yes": the reaper took
 * it), then waits for it with one call and prints what the call returned,
 * then repeats the call to show it is not reported twice:
 *   wait waitpid waitpid-any waitpid-group waitpid-pgid wait3 wait4 waitid
 *   waitid-group nohang peek killed
 * Other modes:
 *   blocking       200 children, each waited for at once by pid (racing
 *                  the reaper in the kernel), then 200 more by wait(-1)
 *   blocking-threads  the same with a second thread that takes SIGCHLD
 *   popen          popen+pclose: exit status, written-to, killed, and a
 *                  status of 0 whose final flush failed
 *   popen-fclose   the same, closed with fclose (glibc's pclose)
 *   handler        one child ends under our reaper, then the program
 *                  installs its own SIGCHLD handler that reaps with
 *                  waitpid(-1, WNOHANG); two more children end
 *   system-threads system() 30 times while another thread takes SIGCHLD
 *   cancel         a thread blocked in waitpid(-1) is cancelled; the
 *                  reaper must work afterwards
 *   fork-in-wait   fork while another thread is blocked in a wait; the
 *                  fork child's own reaping must work
 *   sleepers       a child ends while the program sleeps in sleep(1),
 *                  nanosleep, poll, select, epoll_wait and sigtimedwait
 *                  (300 ms each); prints what each returned
 *   exec-zombie LIB  leave a zombie child, then exec "reapwait inherited"
 *                  with LD_PRELOAD=LIB SOCKSHIELD_REAP=on added (LIB empty:
 *                  nothing added), which counts the zombies it inherited
 *                  across the exec, then waits for them
 *
 * The reaper runs at sweep points (the wrapped accept, fork, exec, waits):
 * where the helper asks whether a child was reaped, it passes one first (a
 * failed exec, kids.h).
 *
 * Exit 0 when it could run the mode; what happened is in the output. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kids.h"

static const char *describe(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof buf, "exited:%d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof buf, "signaled:%d%s", WTERMSIG(st), WCOREDUMP(st) ? "+core" : "");
    else
        snprintf(buf, sizeof buf, "raw:%#x", st);
    return buf;
}

static const char *errname(int e)
{
    return e == ECHILD ? "ECHILD" : e == EINTR ? "EINTR" : e == EINVAL ? "EINVAL"
         : e == EAGAIN ? "EAGAIN" : strerror(e);
}

/* Spends `ms` of CPU time, so the child's rusage is not zero. */
static void burn(long ms)
{
    struct timespec t;
    do
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    while (t.tv_sec * 1000 + t.tv_nsec / 1000000 < ms);
}

static pid_t child_in(int code, bool killed, bool cpu, bool own_group)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group)
            setpgid(0, 0);
        if (cpu)
            burn(30);
        if (killed)
            raise(SIGTERM);
        _exit(code);
    }
    if (pid > 0 && own_group)
        setpgid(pid, pid); /* fails harmlessly when the child did it first */
    return pid;
}

static pid_t child(int code, bool killed, bool cpu)
{
    return child_in(code, killed, cpu, false);
}

static void report_early(pid_t pid)
{
    char st = kids_wait_end(pid, 10);
    if (st == 'Z') {
        kids_sweep_point();
        st = kids_wait_end(pid, 10);
    }
    printf("reaped-early=%s\n", st == 0 ? "yes" : st == 'Z' ? "no" : "still-running");
}

static const char *rusage_of(const struct rusage *ru)
{
    long ms = ru->ru_utime.tv_sec * 1000 + ru->ru_utime.tv_usec / 1000 +
              ru->ru_stime.tv_sec * 1000 + ru->ru_stime.tv_usec / 1000;
    return ms >= 10 ? "cpu" : "zero";
}

/* One child, one call, then the same call again. */
static int one_child(const char *mode)
{
    bool killed = !strcmp(mode, "killed");
    bool cpu = !strcmp(mode, "wait3") || !strcmp(mode, "wait4");
    /* these two wait for a process group: the child leads its own */
    bool own_group = !strcmp(mode, "waitpid-pgid") || !strcmp(mode, "waitid-group");
    pid_t pid = child_in(7, killed, cpu, own_group);
    if (pid < 0)
        return 1;
    report_early(pid);
    for (int round = 0; round < 2; round++) {
        int st = 0;
        pid_t r = -2;
        struct rusage ru;
        siginfo_t si;
        memset(&ru, 0, sizeof ru);
        memset(&si, 0, sizeof si);
        errno = 0;
        if (!strcmp(mode, "wait"))
            r = wait(&st);
        else if (!strcmp(mode, "waitpid") || killed)
            r = waitpid(pid, &st, 0);
        else if (!strcmp(mode, "waitpid-any"))
            r = waitpid(-1, &st, 0);
        else if (!strcmp(mode, "waitpid-group"))
            r = waitpid(0, &st, 0);
        else if (!strcmp(mode, "waitpid-pgid"))
            r = waitpid(-pid, &st, 0);
        else if (!strcmp(mode, "wait3"))
            r = wait3(&st, 0, &ru);
        else if (!strcmp(mode, "wait4"))
            r = wait4(pid, &st, 0, &ru);
        else if (!strcmp(mode, "nohang"))
            r = waitpid(pid, &st, WNOHANG);
        else if (!strcmp(mode, "waitid") || !strcmp(mode, "waitid-group") ||
                 !strcmp(mode, "peek")) {
            int opts = WEXITED | (!strcmp(mode, "peek") && round == 0 ? WNOWAIT : 0);
            int rc = !strcmp(mode, "waitid-group") ? waitid(P_PGID, (id_t)pid, &si, opts)
                                                   : waitid(P_PID, (id_t)pid, &si, opts);
            if (rc == 0) {
                printf("round=%d call=%s rc=0 pid=%s signo=%s code=%s status=%d uid=%s\n", round,
                       mode, si.si_pid == pid ? "match" : "other",
                       si.si_signo == SIGCHLD ? "SIGCHLD" : "other",
                       si.si_code == CLD_EXITED ? "CLD_EXITED" :
                       si.si_code == CLD_KILLED ? "CLD_KILLED" : "other",
                       si.si_status, si.si_uid == getuid() ? "match" : "other");
                if (!strcmp(mode, "peek") && round == 0) {
                    /* the peek left it: a real wait gets it now */
                    r = waitpid(pid, &st, 0);
                    printf("after-peek waitpid=%s status=%s\n", r == pid ? "match" : "other",
                           describe(st));
                }
            } else {
                printf("round=%d call=%s rc=-1 errno=%s\n", round, mode, errname(errno));
            }
            continue;
        } else {
            return 2;
        }
        if (r == pid)
            printf("round=%d call=%s pid=match status=%s%s%s\n", round, mode, describe(st),
                   cpu ? " rusage=" : "", cpu ? rusage_of(&ru) : "");
        else if (r < 0)
            printf("round=%d call=%s rc=-1 errno=%s\n", round, mode, errname(errno));
        else
            printf("round=%d call=%s rc=%d\n", round, mode, (int)r);
    }
    return 0;
}

/* Children waited for the moment they are started: the reaper races the
 * wait in the kernel. */
static volatile int stop_thread;
/* Sleeps with every signal open, SIGCHLD included, until stop_taker.
 * SIGUSR2 stays blocked outside sigsuspend, so a stop that comes between
 * the test of stop_thread and the sleep stays pending and ends it (with
 * pause() it was lost, and the join hung). */
static void *sigchld_taker(void *arg)
{
    (void)arg;
    sigset_t none, usr2;
    sigemptyset(&none);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pthread_sigmask(SIG_SETMASK, &usr2, NULL);
    while (!stop_thread)
        sigsuspend(&none);
    return NULL;
}
static void on_usr2(int sig) { (void)sig; }

static pthread_t start_taker(void)
{
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_usr2;
    sigaction(SIGUSR2, &a, NULL);
    pthread_t t;
    pthread_create(&t, NULL, sigchld_taker, NULL);
    return t;
}

static void stop_taker(pthread_t t)
{
    stop_thread = 1;
    pthread_kill(t, SIGUSR2);
    pthread_join(t, NULL);
}

static int blocking(bool threads)
{
    pthread_t t = 0;
    if (threads)
        t = start_taker();
    int by_pid = 0, by_any = 0, rounds = 200;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = child(i & 0x7f, false, false);
        int st = -1;
        if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f))
            by_pid++;
    }
    for (int i = 0; i < rounds; i++) {
        pid_t pid = child(i & 0x7f, false, false);
        int st = -1;
        if (wait(&st) == pid && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f))
            by_any++;
    }
    if (threads)
        stop_taker(t);
    int st;
    pid_t extra = waitpid(-1, &st, WNOHANG);
    printf("blocking by-pid=%d/%d by-any=%d/%d leftover=%s\n", by_pid, rounds, by_any, rounds,
           extra < 0 && errno == ECHILD ? "none" : "some");
    return 0;
}

static bool use_fclose; /* glibc's fclose of a popen stream is its pclose */

/* popen's shell ends before pclose is called.  A writer's line is flushed
 * at once unless `hold_back`: then pclose's own flush meets the closed pipe. */
static void popen_case(const char *label, const char *cmd, const char *mode, bool hold_back)
{
    FILE *f = popen(cmd, mode);
    if (!f) {
        printf("%s popen: %s\n", label, strerror(errno));
        return;
    }
    if (mode[0] == 'r') {
        char buf[256];
        while (fread(buf, 1, sizeof buf, f) > 0)
            ;
    } else {
        fputs("some input\n", f);
        if (!hold_back)
            fflush(f);
    }
    int alive;
    int zombies = kids_settle_swept(10, &alive);
    printf("%s reaped-early=%s\n", label, alive ? "still-running" : zombies ? "no" : "yes");
    /* through a pointer: gcc warns of fclose on popen's result, which is
     * exactly what this case checks */
    int (*volatile closer)(FILE *) = use_fclose ? fclose : pclose;
    int st = closer(f);
    printf("%s %s=%s\n", label, use_fclose ? "fclose" : "pclose", st == -1 ? "-1" : describe(st));
    /* the shell was waited for: nothing is left for wait(-1) */
    int any;
    pid_t left = waitpid(-1, &any, WNOHANG);
    printf("%s left=%s\n", label, left < 0 ? errname(errno) : left == 0 ? "running" : "a-child");
}

/* The program's own SIGCHLD handler, installed after the reaper ran. */
#define MAXREAPED 16
static volatile sig_atomic_t handler_calls, reaped_count;
static volatile int reaped_status[MAXREAPED];
static void on_chld(int sig)
{
    (void)sig;
    int saved = errno, st;
    handler_calls++;
    while (waitpid(-1, &st, WNOHANG) > 0)
        if (reaped_count < MAXREAPED)
            reaped_status[reaped_count++] = WEXITSTATUS(st);
    errno = saved;
}

static int handler_mode(void)
{
    pid_t first = child(1, false, false);
    report_early(first);
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_chld;
    a.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &a, NULL);
    child(2, false, false);
    child(3, false, false);
    for (int i = 0; i < 10000 && reaped_count < 3; i++)
        kids_pause_ms(1);
    int sum = 0;
    for (int i = 0; i < reaped_count; i++)
        sum += reaped_status[i];
    int alive, zombies = kids_settle(10, &alive);
    printf("handler-called=%s reaped=%d status-sum=%d zombies=%d\n",
           handler_calls > 0 ? "yes" : "no", (int)reaped_count, sum, zombies);
    return 0;
}

static int system_threads(void)
{
    pthread_t t = start_taker();
    int good = 0, rounds = 30;
    for (int i = 0; i < rounds; i++) {
        int st = system("exit 4");
        if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 4)
            good++;
    }
    stop_taker(t);
    printf("system=%d/%d\n", good, rounds);
    return 0;
}

/* A child that lives until its pipe's write end is closed. */
static pid_t long_child(int *write_end)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        char c;
        while (read(p[0], &c, 1) > 0)
            ;
        _exit(0);
    }
    close(p[0]);
    *write_end = p[1];
    return pid;
}

static void *wait_any(void *arg)
{
    pid_t *target = arg;
    int st;
    waitpid(*target, &st, 0);
    return NULL;
}

static int cancel_mode(void)
{
    int w;
    pid_t lc = long_child(&w);
    pid_t any = -1;
    pthread_t t;
    pthread_create(&t, NULL, wait_any, &any);
    kids_pause_ms(50); /* let it block in the kernel (a cancel before is fine too) */
    pthread_cancel(t);
    pthread_join(t, NULL);
    close(w);
    kids_wait_end(lc, 10);
    for (int i = 0; i < 20; i++)
        child(0, false, false);
    int alive, zombies = kids_settle_swept(10, &alive);
    printf("after-cancel zombies=%d\n", zombies);
    return 0;
}

static int fork_in_wait(void)
{
    int w;
    pid_t lc = long_child(&w);
    setpgid(lc, lc);
    pid_t group = -lc;
    pthread_t t;
    pthread_create(&t, NULL, wait_any, &group);
    kids_pause_ms(50);
    fflush(stdout);
    pid_t x = fork();
    if (x == 0) {
        for (int i = 0; i < 5; i++)
            child(0, false, false);
        int alive, zombies = kids_settle_swept(10, &alive);
        printf("fork-child zombies=%d\n", zombies);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(x, &st, 0);
    close(w);
    pthread_join(t, NULL);
    return 0;
}

static int inherited(void)
{
    int alive, zombies = kids_settle(10, &alive);
    int collected = 0, st;
    int sum = 0;
    while (wait(&st) > 0) {
        collected++;
        sum += WEXITSTATUS(st);
    }
    printf("inherited zombies=%d collected=%d status-sum=%d\n", zombies, collected, sum);
    return 0;
}

static int exec_zombie(const char *self, const char *lib)
{
    pid_t pid = child(9, false, false);
    if (kids_wait_end(pid, 10) != 'Z')
        return 1;
    if (*lib) {
        setenv("LD_PRELOAD", lib, 1);
        setenv("SOCKSHIELD_REAP", "on", 1);
    }
    execl(self, self, "inherited", (char *)NULL);
    return 1;
}

/* A child that ends 100 ms from now, while the caller is blocked. */
static void ending_child(void)
{
    if (fork() == 0) {
        kids_pause_ms(100);
        _exit(0);
    }
}

static const char *outcome(int rc, int err)
{
    return rc == 0 ? "0" : rc > 0 ? "ready" : errname(err);
}

static int sleepers(void)
{
    ending_child();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned left = sleep(1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double slept = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("sleep=%u slept=%s", left, slept >= 0.95 ? "full" : "early");
    ending_child();
    struct timespec ts = { 0, 300000000 };
    int rc = nanosleep(&ts, NULL);
    printf(" nanosleep=%s", outcome(rc, errno));
    ending_child();
    rc = poll(NULL, 0, 300);
    printf(" poll=%s", outcome(rc, errno));
    ending_child();
    struct timeval tv = { 0, 300000 };
    rc = select(0, NULL, NULL, NULL, &tv);
    printf(" select=%s", outcome(rc, errno));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev;
    ending_child();
    rc = epoll_wait(ep, &ev, 1, 300);
    printf(" epoll_wait=%s", outcome(rc, errno));
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    ending_child();
    rc = sigtimedwait(&usr2, NULL, &ts);
    printf(" sigtimedwait=%s\n", outcome(rc, errno));
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "waitpid";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "blocking"))
        return blocking(false);
    if (!strcmp(mode, "blocking-threads"))
        return blocking(true);
    if (!strcmp(mode, "popen") || !strcmp(mode, "popen-fclose")) {
        use_fclose = !strcmp(mode, "popen-fclose");
        popen_case("read", "echo hi; exit 3", "r", false);
        popen_case("write", "read line; exit 4", "w", false);
        popen_case("killed", "kill -TERM $$", "r", false);
        popen_case("cloexec", "exit 5", "re", false);
        /* glibc: status 0 but the final flush failed gives -1 */
        signal(SIGPIPE, SIG_IGN);
        popen_case("flush-failed", "exit 0", "w", true);
        return 0;
    }
    if (!strcmp(mode, "handler"))
        return handler_mode();
    if (!strcmp(mode, "system-threads"))
        return system_threads();
    if (!strcmp(mode, "cancel"))
        return cancel_mode();
    if (!strcmp(mode, "fork-in-wait"))
        return fork_in_wait();
    if (!strcmp(mode, "sleepers"))
        return sleepers();
    if (!strcmp(mode, "inherited"))
        return inherited();
    if (!strcmp(mode, "exec-zombie"))
        return exec_zombie(argv[0], argc > 2 ? argv[2] : "");
    return one_child(mode);
}
