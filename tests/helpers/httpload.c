/* HTTP clients that abort mid-response, and one that does not, for a real
 * server on a loopback port.
 *
 *   httpload abort PORT PATH CONNS BYTES
 *       opens CONNS connections at once, sends "GET PATH" on each, reads
 *       BYTES bytes of each response (the status line must say 200), then
 *       resets every connection (SO_LINGER {1, 0}) while the server is still
 *       sending; prints "client=PORT" with the local port of each.
 *   httpload get PORT PATH
 *       one ordinary request, read to the end; prints the status line and
 *       "body=N" (the body's length) and the body's first line.
 *
 * Run bare (never preloaded): the server is what is observed.  Exit: 0 done;
 * 1 the server misbehaved (refused, closed early, not 200); 2 usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 64

static int dial(unsigned port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "httpload: connect 127.0.0.1:%u: %s\n", port, strerror(errno));
        exit(1);
    }
    return s;
}

static void request(int s, const char *path)
{
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
    if (n < 0 || (size_t)n >= sizeof req || send(s, req, (size_t)n, MSG_NOSIGNAL) != n) {
        fprintf(stderr, "httpload: send: %s\n", strerror(errno));
        exit(1);
    }
}

/* Reads exactly want bytes (fewer only at EOF); returns how many. */
static size_t read_some(int s, char *buf, size_t want)
{
    size_t got = 0;
    while (got < want) {
        ssize_t k = recv(s, buf + got, want - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    return got;
}

static int do_abort(unsigned port, const char *path, int conns, size_t bytes)
{
    int s[MAX_CONNS];
    char *buf = malloc(bytes + 1);
    if (!buf)
        return 1;
    for (int i = 0; i < conns; i++) {
        s[i] = dial(port);
        request(s[i], path);
    }
    for (int i = 0; i < conns; i++) {
        size_t got = read_some(s[i], buf, bytes);
        buf[got] = '\0';
        if (got < bytes || strncmp(buf, "HTTP/1.", 7) != 0 || strncmp(buf + 8, " 200", 4) != 0) {
            fprintf(stderr, "httpload: connection %d: %zu bytes: %.40s\n", i, got, buf);
            return 1;
        }
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        getsockname(s[i], (struct sockaddr *)&a, &al);
        printf("client=%u\n", ntohs(a.sin_port));
    }
    fflush(stdout);
    /* All at once, while the server is blocked sending the rest. */
    for (int i = 0; i < conns; i++) {
        struct linger lg = { 1, 0 };
        setsockopt(s[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(s[i]);
    }
    free(buf);
    return 0;
}

static int do_get(unsigned port, const char *path)
{
    int s = dial(port);
    request(s, path);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        if (!buf)
            return 1;
        ssize_t k = recv(s, buf + len, cap - len, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            fprintf(stderr, "httpload: recv: %s\n", strerror(errno));
            return 1;
        }
        if (k == 0)
            break;
        len += (size_t)k;
    }
    buf[len] = '\0';
    close(s);
    char *eol = strstr(buf, "\r\n");
    char *body = strstr(buf, "\r\n\r\n");
    if (!eol || !body) {
        fprintf(stderr, "httpload: no HTTP response: %.80s\n", buf);
        return 1;
    }
    body += 4;
    size_t blen = len - (size_t)(body - buf);
    printf("%.*s\nbody=%zu\nfirst=%.*s\n", (int)(eol - buf), buf, blen, (int)strcspn(body, "\r\n"),
           body);
    return strncmp(buf + 8, " 200", 4) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    alarm(60); /* a lifeline: a stuck server must not hang the suite */
    signal(SIGPIPE, SIG_IGN);
    if (argc == 6 && strcmp(argv[1], "abort") == 0) {
        int conns = atoi(argv[4]);
        long bytes = atol(argv[5]);
        if (conns < 1 || conns > MAX_CONNS || bytes < 16)
            return 2;
        return do_abort((unsigned)atoi(argv[2]), argv[3], conns, (size_t)bytes);
    }
    if (argc == 4 && strcmp(argv[1], "get") == 0)
        return do_get((unsigned)atoi(argv[2]), argv[3]);
    fprintf(stderr, "usage: httpload abort PORT PATH CONNS BYTES | get PORT PATH\n");
    return 2;
}
