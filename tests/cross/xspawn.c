/* For tests/cross/lib-expansion: one program built for two machines.
 *
 *   xspawn-<arch> [CHILD [ARGS...]]
 *
 * Runs CHILD (fork + execv) if given, waits for it and prints
 * "child=exited:N" or "child=signaled:N"; then writes one byte into a pipe
 * whose reader it closed (fd 3 or above, which the library always shields:
 * README, SOCKSHIELD_PIPELINE) and prints "write=EPIPE".  Bare the write
 * kills it with SIGPIPE; shielded it returns EPIPE and the program exits 0.
 * Exit 0 the write got EPIPE; 2 setup; 3 the write did something else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc > 1) {
        pid_t pid = fork();
        if (pid < 0)
            return 2;
        if (pid == 0) {
            execv(argv[1], argv + 1);
            _exit(127);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid)
            return 2;
        if (WIFSIGNALED(st))
            printf("child=signaled:%d\n", WTERMSIG(st));
        else
            printf("child=exited:%d\n", WEXITSTATUS(st));
    }
    int p[2];
    if (pipe(p) != 0 || close(p[0]) != 0)
        return 2;
    ssize_t n = write(p[1], "x", 1);
    if (n < 0 && errno == EPIPE) {
        printf("write=EPIPE\n");
        return 0;
    }
    printf("write=%zd %s\n", n, n < 0 ? strerror(errno) : "");
    return 3;
}
