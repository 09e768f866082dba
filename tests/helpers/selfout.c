/* The library's own output must stay invisible to the program: it never
 * blocks it, never raises a signal it can see, never lands in its files.
 * Each mode makes eagain events (recv on an empty non-blocking socket);
 * bare there is nothing to log, so bare and shielded must look the same.
 * Reports go to stdout.
 *
 *   selfout flood N
 *       N events; prints fd 2's file status flags before and after, then
 *       "done".  The test gives it a stderr pipe that nobody reads.
 *   selfout sigpipe pipe|socket dfl|handler|blocked
 *       stderr becomes a pipe whose reader goes (or a socket whose peer
 *       closes), SIGPIPE at its default (the test sets SOCKSHIELD_SIGPIPE=
 *       off: the program's own default then kills), handled by the program,
 *       or blocked; one event while the reader is still there, one after
 *       it left (run it with SOCKSHIELD_LOG_RATE=0); prints
 *       "handler-ran=N pending=yes|no".
 *   selfout closed-at-start DIR | daemon DIR | redirect DIR
 *       closed-at-start: fd 2 closed, then exec itself (the library loads
 *       with no fd 2); then, as daemon does after load: close fd 2 if open,
 *       open DIR/own.txt (fd 2), one event, and print whether the file got
 *       a line of ours: "own-file-lines=N".  redirect: open DIR/own.txt and
 *       dup2 it onto fd 2 (a redirect made on purpose): the lines follow.
 *
 *   selfout eof
 *       one event into stderr (a pipe the test reads), then fd 2 is
 *       closed and the helper lives on for 5 s: the reader must see EOF
 *       while it still runs, as bare (a daemon closing its stdio).
 *
 *   selfout replant LOGPATH VICTIM
 *       one event (into the file sink at LOGPATH), then LOGPATH becomes a
 *       symlink to VICTIM and every fd above 2 is closed; two more events.
 *
 * Exit: 0 done; 2 usage; 4 setup failed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what)
{
    printf("setup-failed=%s errno=%d\n", what, errno);
    exit(4);
}

static int empty_socket(void)
{
    static int sv[2] = { -1, -1 };
    if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        die("socketpair");
    return sv[0];
}

static void events(int n)
{
    char b[4];
    int fd = empty_socket();
    for (int i = 0; i < n; i++)
        if (recv(fd, b, sizeof b, 0) != -1 || errno != EAGAIN)
            die("recv");
}

static volatile sig_atomic_t handler_ran;
static void on_pipe(int sig)
{
    (void)sig;
    handler_ran++;
}

static int count_ours(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("reopen own file");
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, "sockshield:") != NULL;
    fclose(f);
    return n;
}

static int own_file(const char *dir, char *path, size_t cap)
{
    snprintf(path, cap, "%s/own.%ld.txt", dir, (long)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        die("open own file");
    return fd;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "flood")) {
        printf("flags-before=%#x\n", fcntl(2, F_GETFL));
        events(atoi(argv[2]));
        printf("flags-after=%#x\n", fcntl(2, F_GETFL));
        printf("done\n");
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "sigpipe")) {
        int sv[2];
        if (!strcmp(argv[2], "socket") ? socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0
                                       : pipe(sv) != 0)
            die("pipe");
        int w = !strcmp(argv[2], "socket") ? 0 : 1;
        if (dup2(sv[w], 2) < 0)
            die("dup2");
        close(sv[w]);
        if (!strcmp(argv[3], "handler")) {
            if (signal(SIGPIPE, on_pipe) == SIG_ERR)
                die("signal");
        } else if (!strcmp(argv[3], "blocked")) {
            sigset_t s;
            sigemptyset(&s);
            sigaddset(&s, SIGPIPE);
            sigprocmask(SIG_BLOCK, &s, NULL);
        } else if (strcmp(argv[3], "dfl") != 0) {
            return 2;
        }
        /* one line while the reader is there, one after it left */
        events(1);
        close(sv[1 - w]);
        events(1);
        sigset_t p;
        sigpending(&p);
        printf("handler-ran=%d pending=%s\n", (int)handler_ran,
               sigismember(&p, SIGPIPE) ? "yes" : "no");
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "eof")) {
        events(1);
        close(2);
        sleep(5);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "closed-at-start")) {
        close(2);
        execl(argv[0], argv[0], "daemon", argv[2], (char *)NULL);
        die("exec");
    }
    if (argc >= 3 && (!strcmp(argv[1], "daemon") || !strcmp(argv[1], "redirect"))) {
        char path[4200];
        int fd;
        if (!strcmp(argv[1], "daemon")) {
            close(2);
            fd = own_file(argv[2], path, sizeof path);
            if (fd != 2)
                die("own file not on fd 2");
        } else {
            fd = own_file(argv[2], path, sizeof path);
            if (dup2(fd, 2) != 2)
                die("dup2");
        }
        events(3);
        printf("own-file-lines=%d\n", count_ours(path));
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[1], "replant")) {
        /* one line into the log file, then the name becomes a symlink to
         * VICTIM and the library's fd is closed under it (every fd above
         * 2): the reopen must refuse the link, once and aloud */
        events(1);
        if ((unlink(argv[2]) != 0 && errno != ENOENT) || symlink(argv[3], argv[2]) != 0)
            die("replant");
        for (int fd = 3; fd < 65536; fd++)
            close(fd);
        /* two fds, two events: two refused reopens, one warning */
        for (int i = 0; i < 2; i++) {
            int sv[2];
            char b[4];
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
                die("socketpair");
            if (recv(sv[0], b, sizeof b, 0) != -1 || errno != EAGAIN)
                die("recv");
        }
        printf("replanted\n");
        return 0;
    }
    return 2;
}
