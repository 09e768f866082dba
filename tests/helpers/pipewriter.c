/* Writes into a pipe whose reader is gone, or sends on a socket whose peer
 * closed, after optionally asking for SIGPIPE's default through one entry
 * point of the signal family.  Bare, the write kills it (SIGPIPE); shielded
 * it sees EPIPE and exits 0, printing what it read back.
 *
 *   pipewriter pipe|socket [signal|bsd_signal|ssignal|sysv_signal|__sysv_signal|
 *                           sigset|sigaction|__sigaction]
 *
 * Exit: 0 got EPIPE; 2 usage; 3 the write did something else. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef void (*handler_fn)(int);
extern handler_fn bsd_signal(int, handler_fn);
extern handler_fn ssignal(int, handler_fn);
extern handler_fn sysv_signal(int, handler_fn);
extern handler_fn __sysv_signal(int, handler_fn);
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

static const char *name_of(handler_fn h)
{
    return h == SIG_DFL ? "DFL" : h == SIG_IGN ? "IGN" : h == SIG_ERR ? "ERR" : "handler";
}

/* Asks for SIG_DFL through `entry`; prints what that entry returned and
 * what sigaction reads back now. */
static int ask_default(const char *entry)
{
    handler_fn prev = SIG_ERR;
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = SIG_DFL;
    if (!strcmp(entry, "signal"))
        prev = signal(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "bsd_signal"))
        prev = bsd_signal(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "ssignal"))
        prev = ssignal(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "sysv_signal"))
        prev = sysv_signal(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "__sysv_signal"))
        prev = __sysv_signal(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "sigset"))
        prev = sigset(SIGPIPE, SIG_DFL);
    else if (!strcmp(entry, "sigaction"))
        prev = sigaction(SIGPIPE, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
    else if (!strcmp(entry, "__sigaction"))
        prev = __sigaction(SIGPIPE, &act, &old) == 0 ? old.sa_handler : SIG_ERR;
    else
        return -1;
    struct sigaction now;
    sigaction(SIGPIPE, NULL, &now);
    printf("entry=%s previous=%s readback=%s\n", entry, name_of(prev), name_of(now.sa_handler));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int fds[2];
    int is_socket = !strcmp(argv[1], "socket");
    if (is_socket ? socketpair(AF_UNIX, SOCK_STREAM, 0, fds) : pipe(fds))
        return 2;
    /* pipe: close the reader fds[0]; socket: close the peer fds[1] */
    close(is_socket ? fds[1] : fds[0]);
    int w = is_socket ? fds[0] : fds[1];
    if (argc > 2 && ask_default(argv[2]) < 0)
        return 2;
    ssize_t n = is_socket ? send(w, "x", 1, 0) : write(w, "x", 1);
    int err = errno;
    printf("result=%zd errno=%s\n", n, n < 0 ? strerror(err) : "0");
    return n < 0 && err == EPIPE ? 0 : 3;
}
