/* Starts CHILD (tests/helpers/sigstate, which prints its own SIGPIPE and
 * SIGCHLD state) the way METHOD says, waits for it and prints its line:
 *
 *   spawnkids METHOD CHILD [own]
 *     METHOD: execve (fork + execve), posix_spawn, vfork (vfork + execve),
 *             vfork-reset (the vfork child asks for SIGPIPE's and SIGUSR1's
 *             default first, as programs do before exec), system, popen
 *     own:    the parent first installs its own SIGUSR1 and SIGPIPE
 *             handlers; afterwards it raises SIGUSR1 and writes into a
 *             broken pipe, and reports whether its handlers still ran and
 *             what it reads back (a vfork child shares its memory)
 *
 * Output: "METHOD: <child's line>", "status=exited:N", and with own
 * "parent: usr1=N pipe=N usr1-readback=... pipe-readback=...".  The vfork
 * methods end with "vfork-memory=shared", or "copied" where vfork gives
 * the child a copy (qemu-user runs it as fork): there the child cannot
 * touch the parent's memory, whatever the library does. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t usr1_calls, pipe_calls, vfork_child_ran;
static void on_usr1(int sig) { (void)sig; usr1_calls++; }
static void on_pipe(int sig) { (void)sig; pipe_calls++; }

static const char *name_of(int sig)
{
    struct sigaction now;
    sigaction(sig, NULL, &now);
    return now.sa_handler == SIG_DFL ? "DFL" : now.sa_handler == SIG_IGN ? "IGN" :
           now.sa_handler == on_usr1 || now.sa_handler == on_pipe ? "handler" : "other";
}

static void print_status(int st)
{
    if (WIFEXITED(st))
        printf("status=exited:%d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("status=signaled:%d\n", WTERMSIG(st));
    else
        printf("status=%#x\n", st);
}

static int wait_child(pid_t pid)
{
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (r != pid) {
        printf("waitpid: %s\n", strerror(errno));
        return -1;
    }
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const char *method = argv[1], *child = argv[2];
    bool own = argc > 3 && !strcmp(argv[3], "own");
    char *const cargv[] = { (char *)child, NULL };
    if (own) {
        struct sigaction a;
        memset(&a, 0, sizeof a);
        a.sa_handler = on_usr1;
        sigaction(SIGUSR1, &a, NULL);
        a.sa_handler = on_pipe;
        sigaction(SIGPIPE, &a, NULL);
    }
    printf("%s: ", method);
    fflush(stdout);
    int st = -1;
    pid_t pid;
    const char *vfork_memory = NULL;
    if (!strcmp(method, "execve")) {
        pid = fork();
        if (pid == 0) {
            execve(child, cargv, environ);
            _exit(127);
        }
        st = wait_child(pid);
    } else if (!strcmp(method, "posix_spawn")) {
        int rc = posix_spawn(&pid, child, NULL, NULL, cargv, environ);
        if (rc != 0) {
            printf("posix_spawn: %s\n", strerror(rc));
            return 1;
        }
        st = wait_child(pid);
    } else if (!strcmp(method, "vfork") || !strcmp(method, "vfork-reset")) {
        volatile bool reset = !strcmp(method, "vfork-reset"); /* kept across vfork (-Wclobbered, armhf) */
        pid = vfork();
        if (pid == 0) {
            vfork_child_ran = 1;
            if (reset) {
                signal(SIGPIPE, SIG_DFL);
                signal(SIGUSR1, SIG_DFL);
            }
            execve(child, cargv, environ);
            _exit(127);
        }
        st = wait_child(pid);
        vfork_memory = vfork_child_ran ? "shared" : "copied";
    } else if (!strcmp(method, "system")) {
        st = system(child);
    } else if (!strcmp(method, "popen")) {
        FILE *f = popen(child, "r");
        if (!f) {
            printf("popen: %s\n", strerror(errno));
            return 1;
        }
        char line[256];
        while (fgets(line, sizeof line, f))
            fputs(line, stdout);
        st = pclose(f);
    } else {
        return 2;
    }
    print_status(st);
    if (own) {
        raise(SIGUSR1);
        int fds[2];
        if (pipe(fds) == 0) {
            close(fds[0]);
            if (write(fds[1], "x", 1) < 0 && errno != EPIPE)
                printf("write: %s\n", strerror(errno));
            close(fds[1]);
        }
        printf("parent: usr1=%d pipe=%d usr1-readback=%s pipe-readback=%s\n", (int)usr1_calls,
               (int)pipe_calls, name_of(SIGUSR1), name_of(SIGPIPE));
    }
    if (vfork_memory)
        printf("vfork-memory=%s\n", vfork_memory);
    return 0;
}
