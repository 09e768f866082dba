/* Provokes each event for real and states, as "expect key=value ..." lines
 * on stdout, the log line it should give: pid, tid, program name, fd,
 * socket kind, the addresses as the kernel gave them while it still knew
 * them, the errno name.  "result ..." lines show what the calls returned,
 * so a test also sees that return values and errno pass through.
 *
 *   evprobe tcp-reset 4|6        RST seen by recv (client and accepted side), then epipe
 *   evprobe unix-reset ADDR      the same on AF_UNIX (ADDR a path, or @name: abstract)
 *   evprobe refused-block        blocking connect to a closed port
 *   evprobe refused-nb HOW       non-blocking connect; the outcome read by HOW:
 *                                sockopt (getsockopt SO_ERROR), write, connect
 *   evprobe udp-refused          connected UDP socket, closed port: send, then recv
 *   evprobe sendto-udp           unconnected UDP (IP_RECVERR): sendto names the peer
 *   evprobe sendto-unix PATH [sendmsg]  datagram to a dead unix socket
 *   evprobe eagain [thread]      recv on an empty non-blocking TCP socket
 *   evprobe eof                  orderly close seen by recv and read (and a pipe: none)
 *   evprobe handler              an epipe raised inside a signal handler
 *   evprobe burst N [MS]         N eagain events on one fd (a pause of MS ms halfway)
 *   evprobe spread N             N eagain events, each on another fd
 *   evprobe alternate N          N eagain events alternating between two
 *                                connected TCP sockets, then two on a new
 *                                connection on the first one's fd number
 *   evprobe exec-after PROG ARGS one eagain event, then exec PROG
 *   evprobe steps                one eagain event per byte read from stdin
 *   evprobe flood NPROC N        one eagain event, then NPROC forked children
 *                                with N eagain events each
 *   evprobe squat LOGPATH DIR closefrom|close
 *                                closes every fd above 2, puts its own files on
 *                                the freed numbers, keeps making events
 *   evprobe summary              a known mix of events, aliases included
 *   evprobe storm N              events from main and from a signal handler
 *                                interrupting it, N each at least
 *   evprobe quiet                no events: "out" on stdout, "err" on stderr, exit 3
 *
 * Exit: 0 done, 2 usage, 3 a call did something unexpected, 4 setup
 * failed, 77 no IPv6 here. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags);
extern int __connect(int fd, const struct sockaddr *addr, socklen_t len);

/* ---- output ----------------------------------------------------------- */

static void die(int code, const char *what)
{
    fprintf(stderr, "evprobe: %s: %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
    exit(code);
}

/* A logfmt value: bare when it can be, else quoted with escapes. */
static void put_value(FILE *f, const char *v, size_t n)
{
    bool bare = n > 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x21 || c > 0x7e || c == '"' || c == '=' || c == '\\')
            bare = false;
    }
    if (bare) {
        fwrite(v, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c > 0x7e)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

struct endpoints {
    char local[256], peer[256]; /* "" when the kernel did not say */
};

/* The addresses in the log's notation, built here with inet_ntop. */
static void addr_text(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    const size_t off = offsetof(struct sockaddr_un, sun_path);
    out[0] = '\0';
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, "[%s]:%u", ip, ntohs(in6->sin6_port));
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const void *)sa;
        if (len <= off) {
            snprintf(out, cap, "unnamed");
        } else if (un->sun_path[0] == '\0') {
            size_t n = len - off, i;
            for (i = 0; i < n && i + 1 < cap; i++)
                out[i] = un->sun_path[i] ? un->sun_path[i] : '@';
            out[i] = '\0';
        } else {
            snprintf(out, cap, "%.*s", (int)(len - off), un->sun_path);
        }
    }
}

static void snap(int fd, struct endpoints *ep)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof ss;
    ep->local[0] = ep->peer[0] = '\0';
    if (getsockname(fd, (struct sockaddr *)&ss, &l) == 0)
        addr_text((struct sockaddr *)&ss, l, ep->local, sizeof ep->local);
    l = sizeof ss;
    if (getpeername(fd, (struct sockaddr *)&ss, &l) == 0)
        addr_text((struct sockaddr *)&ss, l, ep->peer, sizeof ep->peer);
}

static void kv(FILE *f, const char *k, const char *v)
{
    fprintf(f, " %s=", k);
    put_value(f, v, strlen(v));
}

/* One expectation: every field of the line. sock NULL, local/peer "" and
 * err NULL are left out, as the log leaves them out. */
static void expect(const char *event, const char *call, int fd, const char *sock,
                   const struct endpoints *ep, const char *err)
{
    fputs("expect", stdout);
    fprintf(stdout, " pid=%d tid=%d", (int)getpid(), (int)gettid());
    kv(stdout, "prog", program_invocation_short_name);
    kv(stdout, "event", event);
    kv(stdout, "call", call);
    fprintf(stdout, " fd=%d", fd);
    if (sock)
        kv(stdout, "sock", sock);
    if (ep && ep->local[0])
        kv(stdout, "local", ep->local);
    if (ep && ep->peer[0])
        kv(stdout, "peer", ep->peer);
    if (err)
        kv(stdout, "errno", err);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Checks a failed call: -1 and the errno wanted, printed either way. */
static void result(const char *call, long ret, int err, long want_ret, int want_err)
{
    printf("result call=%s ret=%ld errno=%s\n", call, ret, ret < 0 ? strerrorname_np(err) : "0");
    fflush(stdout);
    if (ret != want_ret || (want_ret < 0 && err != want_err)) {
        fprintf(stderr, "evprobe: %s returned %ld (%s), wanted %ld (%s)\n", call, ret,
                strerrorname_np(err), want_ret, strerrorname_np(want_err));
        exit(3);
    }
}

/* ---- sockets ---------------------------------------------------------- */

static socklen_t loopback(int family, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *in6 = (void *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_loopback;
        return sizeof *in6;
    }
    struct sockaddr_in *in = (void *)ss;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *in;
}

/* A socket bound to the loopback address on a port the kernel picks;
 * *ss receives the address. */
static int bound(int family, int type, struct sockaddr_storage *ss, socklen_t *len)
{
    *len = loopback(family, ss);
    int fd = socket(family, type, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)ss, *len) != 0) {
        if (family == AF_INET6)
            exit(77);
        die(4, "bind");
    }
    if (getsockname(fd, (struct sockaddr *)ss, len) != 0)
        die(4, "getsockname");
    return fd;
}

static int listener(int family, struct sockaddr_storage *ss, socklen_t *len)
{
    int fd = bound(family, SOCK_STREAM, ss, len);
    if (listen(fd, 8) != 0)
        die(4, "listen");
    return fd;
}

static int connected(int family, const struct sockaddr_storage *to, socklen_t len)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)to, len) != 0)
        die(4, "connect");
    return fd;
}

static void linger_close(int fd)
{
    struct linger lg = { 1, 0 };
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        die(4, "SO_LINGER");
    close(fd);
}

static void nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* An empty non-blocking stream whose recv always says EAGAIN. */
static int empty_socket(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
        die(4, "socketpair");
    return sv[0];
}

/* ---- modes ------------------------------------------------------------ */

static int tcp_reset(int family)
{
    struct sockaddr_storage la;
    socklen_t ll;
    int l = listener(family, &la, &ll);
    char buf[64];
    struct endpoints ep;

    /* The client is reset: recv meets the RST, the next send EPIPE. */
    int c = connected(family, &la, ll);
    int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (s < 0)
        die(4, "accept4");
    snap(c, &ep);
    linger_close(s);
    long r = recv(c, buf, sizeof buf, 0);
    result("recv", r, errno, -1, ECONNRESET);
    expect("reset", "recv", c, "tcp", &ep, "ECONNRESET");
    r = send(c, "x", 1, 0);
    result("send", r, errno, -1, EPIPE);
    expect("epipe", "send", c, "tcp", &ep, "EPIPE");

    /* The accepted side is reset.  Its address buffer is too short for the
     * address (the kernel truncates): the log still has all of it. */
    int c2 = connected(family, &la, ll);
    struct sockaddr_storage pa;
    socklen_t pl = 4;
    int s2 = accept(l, (struct sockaddr *)&pa, &pl);
    if (s2 < 0)
        die(4, "accept");
    snap(s2, &ep);
    linger_close(c2);
    r = recv(s2, buf, sizeof buf, 0);
    result("recv", r, errno, -1, ECONNRESET);
    expect("reset", "recv", s2, "tcp", &ep, "ECONNRESET");
    return 0;
}

static socklen_t unix_addr(const char *name, struct sockaddr_un *un)
{
    memset(un, 0, sizeof *un);
    un->sun_family = AF_UNIX;
    size_t n = strlen(name);
    if (n >= sizeof un->sun_path)
        exit(2);
    memcpy(un->sun_path, name, n);
    if (name[0] == '@') {
        un->sun_path[0] = '\0'; /* abstract: exactly the name's bytes */
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    }
    return (socklen_t)sizeof *un;
}

static int unix_reset(const char *name)
{
    struct sockaddr_un un;
    socklen_t ul = unix_addr(name, &un);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&un, ul) != 0 || listen(l, 8) != 0)
        die(4, "unix listener");
    char buf[64];
    struct endpoints ep;

    /* A unix socket closed with unread data resets its peer. */
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&un, ul) != 0)
        die(4, "unix connect");
    int s = accept4(l, NULL, NULL, 0);
    if (s < 0)
        die(4, "accept4");
    snap(c, &ep);
    if (send(c, "unread", 6, 0) != 6)
        die(4, "send");
    close(s);
    long r = recv(c, buf, sizeof buf, 0);
    result("recv", r, errno, -1, ECONNRESET);
    expect("reset", "recv", c, "unix-stream", &ep, "ECONNRESET");
    r = send(c, "x", 1, 0);
    result("send", r, errno, -1, EPIPE);
    expect("epipe", "send", c, "unix-stream", &ep, "EPIPE");

    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c2 < 0 || connect(c2, (struct sockaddr *)&un, ul) != 0)
        die(4, "unix connect");
    struct sockaddr_un pa;
    socklen_t pl = 1; /* too short for anything: the log does not care */
    int s2 = accept(l, (struct sockaddr *)&pa, &pl);
    if (s2 < 0)
        die(4, "accept");
    snap(s2, &ep);
    if (send(s2, "unread", 6, 0) != 6)
        die(4, "send");
    close(c2);
    r = recv(s2, buf, sizeof buf, 0);
    result("recv", r, errno, -1, ECONNRESET);
    expect("reset", "recv", s2, "unix-stream", &ep, "ECONNRESET");
    if (name[0] != '@')
        unlink(name);
    return 0;
}

/* A port nobody listens on and nobody can take meanwhile: bound, never
 * listening, so a SYN to it is answered with an RST. */
static int closed_port(struct sockaddr_storage *ss, socklen_t *len)
{
    return bound(AF_INET, SOCK_STREAM, ss, len);
}

static int refused_block(void)
{
    struct sockaddr_storage to;
    socklen_t tl;
    closed_port(&to, &tl);
    struct endpoints ep;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    long r = connect(c, (struct sockaddr *)&to, tl);
    int err = errno;
    result("connect", r, err, -1, ECONNREFUSED);
    snap(c, &ep); /* local: what the kernel says after the attempt */
    addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
    expect("refused", "connect", c, "tcp", &ep, "ECONNREFUSED");

    /* __connect, the alias, is the same call in the log */
    c = socket(AF_INET, SOCK_STREAM, 0);
    r = __connect(c, (struct sockaddr *)&to, tl);
    err = errno;
    result("__connect", r, err, -1, ECONNREFUSED);
    snap(c, &ep);
    addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
    expect("refused", "connect", c, "tcp", &ep, "ECONNREFUSED");
    return 0;
}

static int refused_nb(const char *how)
{
    struct sockaddr_storage to;
    socklen_t tl;
    closed_port(&to, &tl);
    struct endpoints ep;
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    long r = connect(c, (struct sockaddr *)&to, tl);
    result("connect", r, errno, -1, EINPROGRESS);
    struct pollfd p = { c, POLLOUT, 0 };
    if (poll(&p, 1, 20000) != 1)
        die(4, "poll");
    if (!strcmp(how, "sockopt")) {
        int soerr = -1;
        socklen_t l = sizeof soerr;
        errno = EOWNERDEAD; /* a success leaves errno alone */
        r = getsockopt(c, SOL_SOCKET, SO_ERROR, &soerr, &l);
        printf("result call=getsockopt ret=%ld so_error=%s errno-after=%s\n", r,
               strerrorname_np(soerr), strerrorname_np(errno));
        if (r != 0 || soerr != ECONNREFUSED || errno != EOWNERDEAD)
            exit(3);
        snap(c, &ep);
        addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
        expect("refused", "getsockopt", c, "tcp", &ep, "ECONNREFUSED");
    } else if (!strcmp(how, "write")) {
        r = write(c, "x", 1);
        result("write", r, errno, -1, ECONNREFUSED);
        snap(c, &ep);
        addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
        expect("refused", "write", c, "tcp", &ep, "ECONNREFUSED");
    } else if (!strcmp(how, "connect")) {
        r = connect(c, (struct sockaddr *)&to, tl);
        result("connect", r, errno, -1, ECONNREFUSED);
        snap(c, &ep);
        addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
        expect("refused", "connect", c, "tcp", &ep, "ECONNREFUSED");
    } else {
        return 2;
    }
    return 0;
}

/* An ICMP port unreachable can be dropped under load (global ICMP rate
 * limit): send again until the error is there, boundedly. */
static void await_error(int fd, const void *to, socklen_t tl)
{
    for (int i = 0; i < 20; i++) {
        if (to ? sendto(fd, "x", 1, 0, to, tl) != 1 : send(fd, "x", 1, 0) != 1)
            die(4, "send (the error came early)");
        struct pollfd p = { fd, 0, 0 }; /* POLLERR is always reported */
        if (poll(&p, 1, 1000) == 1 && (p.revents & POLLERR))
            return;
    }
    die(4, "no ICMP error");
}

static int udp_port_closed(struct sockaddr_storage *ss, socklen_t *len)
{
    /* Bound then closed: free for the few microseconds the test needs. */
    int fd = bound(AF_INET, SOCK_DGRAM, ss, len);
    close(fd);
    return 0;
}

static int udp_refused(void)
{
    struct sockaddr_storage to;
    socklen_t tl;
    udp_port_closed(&to, &tl);
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&to, tl) != 0)
        die(4, "udp connect");
    struct endpoints ep;
    snap(c, &ep);
    await_error(c, NULL, 0);
    char buf[16];
    long r = recv(c, buf, sizeof buf, 0);
    result("recv", r, errno, -1, ECONNREFUSED);
    expect("refused", "recv", c, "udp", &ep, "ECONNREFUSED");
    return 0;
}

static int sendto_udp(void)
{
    struct sockaddr_storage to, me;
    socklen_t tl, ml;
    udp_port_closed(&to, &tl);
    int c = bound(AF_INET, SOCK_DGRAM, &me, &ml);
    int on = 1;
    if (setsockopt(c, IPPROTO_IP, IP_RECVERR, &on, sizeof on) != 0)
        die(4, "IP_RECVERR");
    await_error(c, &to, tl);
    struct endpoints ep;
    snap(c, &ep);
    addr_text((struct sockaddr *)&to, tl, ep.peer, sizeof ep.peer);
    long r = sendto(c, "x", 1, 0, (struct sockaddr *)&to, tl);
    result("sendto", r, errno, -1, ECONNREFUSED);
    expect("refused", "sendto", c, "udp", &ep, "ECONNREFUSED");
    return 0;
}

static int sendto_unix(const char *path, bool msg)
{
    struct sockaddr_un un;
    socklen_t ul = unix_addr(path, &un);
    int dead = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (dead < 0 || bind(dead, (struct sockaddr *)&un, ul) != 0)
        die(4, "bind");
    close(dead); /* the name stays, nobody receives */
    int c = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct endpoints ep;
    snap(c, &ep);
    addr_text((struct sockaddr *)&un, ul, ep.peer, sizeof ep.peer);
    long r;
    if (msg) {
        struct iovec iov = { "x", 1 };
        struct msghdr m = { .msg_name = &un, .msg_namelen = ul, .msg_iov = &iov, .msg_iovlen = 1 };
        r = sendmsg(c, &m, 0);
        result("sendmsg", r, errno, -1, ECONNREFUSED);
    } else {
        r = sendto(c, "x", 1, 0, (struct sockaddr *)&un, ul);
        result("sendto", r, errno, -1, ECONNREFUSED);
    }
    expect("refused", msg ? "sendmsg" : "sendto", c, "unix-dgram", &ep, "ECONNREFUSED");
    if (path[0] != '@')
        unlink(path);
    return 0;
}

static int tcp_pair(int *client, int *server)
{
    struct sockaddr_storage la;
    socklen_t ll;
    int l = listener(AF_INET, &la, &ll);
    *client = connected(AF_INET, &la, ll);
    *server = accept(l, NULL, NULL);
    if (*server < 0)
        die(4, "accept");
    close(l);
    return 0;
}

static void *eagain_once(void *arg)
{
    (void)arg;
    int c, s;
    tcp_pair(&c, &s);
    nonblock(c);
    struct endpoints ep;
    snap(c, &ep);
    char buf[16];
    long r = recv(c, buf, sizeof buf, 0);
    result("recv", r, errno, -1, EAGAIN);
    expect("eagain", "recv", c, "tcp", &ep, "EAGAIN");
    return NULL;
}

static int eagain(bool thread)
{
    if (!thread) {
        eagain_once(NULL);
        return 0;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, eagain_once, NULL) != 0)
        die(4, "pthread_create");
    pthread_join(t, NULL);
    return 0;
}

static int eof(void)
{
    int c, s;
    tcp_pair(&c, &s);
    struct endpoints ep;
    snap(c, &ep);
    close(s); /* FIN, not RST */
    char buf[16];
    errno = EOWNERDEAD;
    long r = recv(c, buf, sizeof buf, 0);
    printf("result call=recv ret=%ld errno-after=%s\n", r, strerrorname_np(errno));
    if (r != 0 || errno != EOWNERDEAD)
        exit(3);
    expect("eof", "recv", c, "tcp", &ep, NULL);
    r = read(c, buf, sizeof buf);
    if (r != 0)
        exit(3);
    expect("eof", "read", c, "tcp", &ep, NULL);
    /* not an eof: an empty request, and a pipe's end */
    if (recv(c, buf, 0, 0) != 0)
        exit(3);
    int p[2];
    if (pipe(p) != 0)
        die(4, "pipe");
    close(p[1]);
    if (read(p[0], buf, sizeof buf) != 0)
        exit(3);
    return 0;
}

static int broken_pipe_fd = -1;

static void on_usr1(int sig)
{
    (void)sig;
    int saved = errno;
    if (write(broken_pipe_fd, "x", 1) != -1 || errno != EPIPE)
        _exit(3);
    errno = saved;
}

static int handler(void)
{
    int p[2];
    if (pipe(p) != 0)
        die(4, "pipe");
    close(p[0]);
    broken_pipe_fd = p[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    expect("epipe", "write", p[1], "pipe", NULL, "EPIPE");
    return 0;
}

/* n events on one fd; with a pause in the middle (ms), the second half
 * comes after the collapse window of the first. */
static int burst(long n, long pause_ms)
{
    int fd = empty_socket();
    char buf[16];
    for (long i = 0; i < n; i++) {
        if (pause_ms && i == n / 2)
            poll(NULL, 0, (int)pause_ms);
        if (recv(fd, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
    }
    printf("events=%ld\n", n);
    return 0;
}

/* n events of one kind on n different fds: no two collapse. */
static int spread(long n)
{
    char buf[16];
    for (long i = 0; i < n; i++) {
        int fd = empty_socket();
        if (recv(fd, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
    }
    printf("events=%ld\n", n);
    return 0;
}

/* n events, no two in a row with the same key: on connections a and b in
 * turn, then, after a is closed, two on a new connection that the lowest
 * free number puts on a's fd ("reused=1"): a new connection, not a repeat. */
static int alternate(long n)
{
    struct sockaddr_storage la;
    socklen_t ll;
    int l = listener(AF_INET, &la, &ll);
    int fd[2] = { connected(AF_INET, &la, ll), connected(AF_INET, &la, ll) };
    char buf[16];
    nonblock(fd[0]);
    nonblock(fd[1]);
    for (long i = 0; i < n; i++)
        if (recv(fd[i % 2], buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
    close(fd[0]);
    int c = connected(AF_INET, &la, ll);
    nonblock(c);
    for (int i = 0; i < 2; i++)
        if (recv(c, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
    printf("events=%ld reused=%d\n", n + 2, c == fd[0]);
    close(l);
    return 0;
}

/* One event, then the image is replaced: its summary is written before. */
static int exec_after(char **argv)
{
    char buf[16];
    if (recv(empty_socket(), buf, sizeof buf, 0) != -1)
        exit(3);
    execv(argv[0], argv);
    die(4, "execv");
    return 4;
}

static int steps(void)
{
    int fd = empty_socket();
    char c, buf[16];
    while (read(0, &c, 1) == 1) {
        if (recv(fd, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
        if (write(1, "ok\n", 3) != 3)
            exit(3);
    }
    return 0;
}

static int flood(int nproc, long n)
{
    /* One event of the parent's own before the forks: the children's
     * counts start from zero all the same. */
    char one[16];
    if (recv(empty_socket(), one, sizeof one, 0) != -1)
        exit(3);
    for (int i = 0; i < nproc; i++) {
        pid_t pid = fork();
        if (pid < 0)
            die(4, "fork");
        if (pid == 0) {
            int fd = empty_socket();
            char buf[16];
            for (long k = 0; k < n; k++)
                if (recv(fd, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
                    _exit(3);
            exit(0); /* through the destructors: the child's summary */
        }
    }
    int bad = 0, st;
    while (wait(&st) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            bad++;
    printf("children=%d events=%ld bad=%d\n", nproc, nproc * n + 1, bad);
    return bad ? 3 : 0;
}

/* The numbers above 2 that are open now, but the one the listing uses. */
static int open_fds(int *out, int cap)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        die(4, "opendir");
    int n = 0, self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < cap) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && fd != self)
            out[n++] = fd;
    }
    closedir(d);
    return n;
}

static int squat(const char *logpath, const char *dir, const char *how)
{
    char buf[16], path[4096], link[4096];
    int fd = empty_socket();
    if (recv(fd, buf, sizeof buf, 0) != -1) /* an event: the log is open and used */
        exit(3);
    int fds[256];
    int n = open_fds(fds, 256);
    char *real = realpath(logpath, NULL);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fds[i]);
        ssize_t k = readlink(path, link, sizeof link - 1);
        link[k > 0 ? k : 0] = '\0';
        if (real && !strcmp(link, real))
            printf("logfd=%d cloexec=%d append=%d\n", fds[i],
                   !!(fcntl(fds[i], F_GETFD) & FD_CLOEXEC), !!(fcntl(fds[i], F_GETFL) & O_APPEND));
    }
    /* Everything above 2 goes: closefrom is glibc's own close_range, which
     * the library never sees; close goes through the wrapper. */
    if (!strcmp(how, "closefrom")) {
        closefrom(3);
    } else {
        for (int i = 0; i < n; i++)
            close(fds[i]);
    }
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/own-%d", dir, fds[i]);
        int own = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (own < 0)
            die(4, "open own");
        if (own != fds[i]) {
            if (dup2(own, fds[i]) != fds[i])
                die(4, "dup2");
            close(own);
        }
        if (write(fds[i], "own data\n", 9) != 9)
            die(4, "write own");
        printf("own fd=%d path=%s\n", fds[i], path);
    }
    fflush(stdout);
    fd = empty_socket();
    for (int i = 0; i < 3; i++)
        if (recv(fd, buf, sizeof buf, 0) != -1) /* three more events */
            exit(3);
    for (int i = 0; i < n; i++)
        if (write(fds[i], "own data 2\n", 11) != 11)
            die(4, "write own");
    printf("squatted=%d\n", n);
    return 0;
}

static int summary(void)
{
    char buf[16];
    int fd = empty_socket();
    for (int i = 0; i < 2; i++)
        recv(fd, buf, sizeof buf, 0);
    for (int i = 0; i < 3; i++)
        __recv_chk(fd, buf, sizeof buf, sizeof buf, 0); /* the fortified recv */
    for (int i = 0; i < 2; i++)
        read(fd, buf, sizeof buf);
    int p[2];
    if (pipe(p) != 0)
        die(4, "pipe");
    close(p[0]);
    write(p[1], "x", 1);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        die(4, "socketpair");
    close(sv[1]);
    send(sv[0], "x", 1, 0);
    struct sockaddr_storage to;
    socklen_t tl;
    closed_port(&to, &tl);
    connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&to, tl);
    __connect(socket(AF_INET, SOCK_STREAM, 0), (struct sockaddr *)&to, tl);
    printf("events=11\n");
    return 0;
}

/* ---- storm: events from a handler that interrupts the logging ---------- */

static int storm_fd = -1;
static volatile sig_atomic_t storm_hits;

static void on_storm(int sig)
{
    (void)sig;
    int saved = errno;
    char buf[4];
    if (recv(storm_fd, buf, sizeof buf, 0) == -1 && errno == EAGAIN)
        storm_hits++;
    errno = saved;
}

static void *storm_kicker(void *arg)
{
    long n = *(long *)arg;
    for (long i = 0; i < n; i++)
        kill(getpid(), SIGUSR2);
    return NULL;
}

static int storm(long n)
{
    storm_fd = empty_socket();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_storm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    /* only the main thread takes the signal, in the middle of its own
     * events and their logging */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t t;
    if (pthread_create(&t, NULL, storm_kicker, &n) != 0)
        die(4, "pthread_create");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    int fd = empty_socket();
    char buf[16];
    long mine;
    for (mine = 0; mine < n; mine++)
        if (recv(fd, buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            exit(3);
    /* Every kill() is done when the join returns, and a signal pending for
     * the process is handled on that return to user mode: the count is
     * final. */
    pthread_join(t, NULL);
    printf("events=%ld main=%ld handler=%ld\n", mine + (long)storm_hits, mine, (long)storm_hits);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2)
        return 2;
    const char *m = argv[1];
    if (!strcmp(m, "tcp-reset") && argc == 3)
        return tcp_reset(!strcmp(argv[2], "6") ? AF_INET6 : AF_INET);
    if (!strcmp(m, "unix-reset") && argc == 3)
        return unix_reset(argv[2]);
    if (!strcmp(m, "refused-block"))
        return refused_block();
    if (!strcmp(m, "refused-nb") && argc == 3)
        return refused_nb(argv[2]);
    if (!strcmp(m, "udp-refused"))
        return udp_refused();
    if (!strcmp(m, "sendto-udp"))
        return sendto_udp();
    if (!strcmp(m, "sendto-unix") && argc >= 3)
        return sendto_unix(argv[2], argc > 3 && !strcmp(argv[3], "sendmsg"));
    if (!strcmp(m, "eagain"))
        return eagain(argc > 2 && !strcmp(argv[2], "thread"));
    if (!strcmp(m, "eof"))
        return eof();
    if (!strcmp(m, "handler"))
        return handler();
    if (!strcmp(m, "burst") && argc >= 3)
        return burst(atol(argv[2]), argc > 3 ? atol(argv[3]) : 0);
    if (!strcmp(m, "spread") && argc == 3)
        return spread(atol(argv[2]));
    if (!strcmp(m, "alternate") && argc == 3)
        return alternate(atol(argv[2]));
    if (!strcmp(m, "exec-after") && argc >= 3)
        return exec_after(argv + 2);
    if (!strcmp(m, "steps"))
        return steps();
    if (!strcmp(m, "flood") && argc == 4)
        return flood(atoi(argv[2]), atol(argv[3]));
    if (!strcmp(m, "squat") && argc == 5)
        return squat(argv[2], argv[3], argv[4]);
    if (!strcmp(m, "summary"))
        return summary();
    if (!strcmp(m, "storm") && argc == 3)
        return storm(atol(argv[2]));
    if (!strcmp(m, "quiet")) {
        fputs("out\n", stdout);
        fputs("err\n", stderr);
        return 3;
    }
    return 2;
}
