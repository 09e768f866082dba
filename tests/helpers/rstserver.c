/* A server that answers every request with a reset: listens on a loopback
 * port the kernel picks (printed as "port=N"), accepts one connection, reads
 * the request up to its blank line, then closes with SO_LINGER {1, 0}, which
 * sends an RST instead of a FIN.  Gives up after 30 seconds of nothing.
 *
 *   rstserver [4|6]
 *
 * Exit: 0 reset sent, 4 setup failed, 5 nobody came, 77 no IPv6 here. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int wait_in(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, 30000) == 1;
}

int main(int argc, char **argv)
{
    int six = argc > 1 && !strcmp(argv[1], "6");
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (six) {
        struct sockaddr_in6 *a = (void *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (void *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int l = socket(ss.ss_family, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&ss, len) != 0)
        return six ? 77 : 4;
    if (listen(l, 4) != 0 || getsockname(l, (struct sockaddr *)&ss, &len) != 0)
        return 4;
    printf("port=%u\n", ntohs(six ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                  : ((struct sockaddr_in *)&ss)->sin_port));
    fflush(stdout);
    if (!wait_in(l))
        return 5;
    int c = accept(l, NULL, NULL);
    if (c < 0)
        return 4;
    char req[8192];
    size_t got = 0;
    while (got < sizeof req - 1 && wait_in(c)) {
        ssize_t n = read(c, req + got, sizeof req - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    struct linger lg = { 1, 0 };
    if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        return 4;
    close(c);
    return 0;
}
