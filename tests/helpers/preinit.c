/* A program that calls sigaction() from its .preinit_array, before any
 * library has run its initialiser, libc's included: what every program
 * built with -fsanitize=address does (ASan starts there and installs its
 * SIGSEGV handler).  The library must still read its configuration, and
 * keep the handler installed that early.
 *
 *   preinit
 *
 * Then sends on a socket whose peer is gone (EPIPE: an event, and SIGPIPE
 * bare) and raises SIGUSR1.
 * Prints  send=N errno=NAME usr1=N handler=early|other
 * Exit    0 it ran; 2 setup. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
}

static void early(int argc, char **argv, char **envp)
{
    struct sigaction sa;

    (void)argc, (void)argv, (void)envp;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
}

__attribute__((section(".preinit_array"), used)) static void (*const preinit)(int, char **,
                                                                               char **) = early;

int main(void)
{
    int sv[2];
    struct sigaction now;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return 2;
    close(sv[1]);
    ssize_t n = send(sv[0], "x", 1, 0);
    int err = errno;
    raise(SIGUSR1);
    if (sigaction(SIGUSR1, NULL, &now) != 0)
        return 2;
    printf("send=%zd errno=%s usr1=%d handler=%s\n", n, n < 0 ? strerrorname_np(err) : "0",
           (int)usr1, now.sa_handler == on_usr1 ? "early" : "other");
    return 0;
}
