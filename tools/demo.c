/* The README's demo: a naive client against a peer that resets.
 *
 * The peer (a forked child) listens on a loopback port, accepts, reads the
 * first message and resets the connection (SO_LINGER {1, 0} then close).
 * The client keeps sending, like many programs that never think about a
 * broken connection: bare, the first send after the reset raises SIGPIPE
 * and the process dies silently with status 141; under sockshield the send
 * returns EPIPE, the client says so and exits 1, and the events are logged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int peer(int listener)
{
    int c = accept(listener, NULL, NULL);
    if (c < 0)
        return 1;
    char buf[64];
    if (read(c, buf, sizeof buf) <= 0)
        return 1;
    struct linger lg = { 1, 0 }; /* close with an RST, not a FIN */
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);
    return 0;
}

int main(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &al)) {
        perror("demo: listen");
        return 2;
    }
    pid_t pid = fork();
    if (pid == 0)
        _exit(peer(l));
    close(l);

    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (struct sockaddr *)&a, sizeof a)) {
        perror("demo: connect");
        return 2;
    }
    printf("client: connected to 127.0.0.1:%d, sending\n", ntohs(a.sin_port));
    fflush(stdout);
    send(s, "hello\n", 6, 0);
    waitpid(pid, NULL, 0); /* the peer has read and reset by now */
    /* Naive: the result of each send is looked at only at the end. */
    int failed = 0;
    for (int i = 0; i < 3; i++) {
        if (send(s, "more\n", 5, 0) < 0) {
            printf("client: send failed: %s\n", strerror(errno));
            failed = 1;
        }
    }
    if (failed) {
        printf("client: still alive, exiting 1\n");
        return 1;
    }
    printf("client: all sent\n");
    return 0;
}
