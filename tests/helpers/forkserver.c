/* A classic fork server that never waits for its children: it accepts N
 * connections on 127.0.0.1 (port chosen by the kernel), forks a child per
 * connection that answers one line and exits, and closes its copy.  A
 * client thread makes the N connections one after the other and reads
 * each answer to the end.  When every child has ended, the server counts
 * its zombies in /proc.
 *
 *   forkserver N
 *
 * Prints "served=N zombies=Z alive=A".  Exit 0, or 1 on a setup error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kids.h"

static struct sockaddr_in addr;
static int connections;
static int answers;

static void *client(void *arg)
{
    (void)arg;
    for (int i = 0; i < connections; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
            perror("client connect");
            exit(1);
        }
        char buf[64];
        ssize_t n, total = 0;
        while ((n = read(s, buf, sizeof buf)) > 0)
            total += n;
        if (total > 0)
            answers++;
        close(s);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    connections = argc > 1 ? atoi(argv[1]) : 100;
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&addr, &len) != 0) {
        perror("listen");
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, client, NULL) != 0)
        return 1;
    int served = 0;
    while (served < connections) {
        int c = accept(ls, NULL, NULL);
        if (c < 0) {
            if (errno == EINTR)
                continue;
            perror("accept");
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            static const char hello[] = "hello from the child\n";
            if (write(c, hello, sizeof hello - 1) < 0)
                _exit(3);
            _exit(0);
        }
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        close(c);
        served++;
    }
    pthread_join(t, NULL);
    int alive;
    int zombies = kids_settle(20, &alive);
    printf("served=%d answered=%d zombies=%d alive=%d\n", served, answers, zombies, alive);
    return 0;
}
