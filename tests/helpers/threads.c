/* Many threads making failing calls on broken connections under a signal
 * storm, with the signal handler making failing calls of its own; every
 * failure is counted here, so a test can hold the library's exit summary
 * to exactly these numbers.
 *
 *   threads NTHREADS CALLS
 *
 * NTHREADS (even) workers each make CALLS wrapped calls, in rounds of
 *   send  on a TCP socket whose peer reset it (EPIPE; ECONNRESET on the
 *         first send after a reset, should the recv below not have taken it)
 *   recv  on an empty non-blocking socket (EAGAIN)
 *   write a 256-byte message to its partner worker, over an AF_UNIX stream
 *   read  the partner's message (blocking: this is where the storm hits)
 * and every 256 rounds a new reset: connect to its own listener, accept,
 * SO_LINGER {1, 0}, close the accepted side (RST), recv (ECONNRESET).
 * A timer sends SIGUSR1 to the process every 100 us (10 kHz), its handler
 * installed with sigaction and flags 0 (no SA_RESTART); the main thread
 * blocks it, so it interrupts the workers.  The handler itself sends on a
 * reset socket, recvs on an empty one and writes into a pipe without
 * reader: each signal is three more failing calls, made while the
 * interrupted thread may be inside the library.
 *
 * Prints  count event=KIND call=CALL n=N      one line per pair, all callers
 *         handler event=KIND call=CALL n=N    the handler's share of them
 *         threads=N calls=N rounds=N resets=N signals=N seconds=S
 *         bytes=N intact=yes|no
 * Exit    0 all well; 2 usage or setup; 3 a call failed unexpectedly;
 *         4 EINTR reached the program; 5 a message arrived damaged;
 *         6 (only when nothing else failed) an unexplained EOF;
 *         killed by SIGKILL: watchdog (60 s + 60 s per million calls). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hutil.h"

#define MSG 256
#define RESET_EVERY 256

enum kind { K_EPIPE, K_RESET, K_EAGAIN, K_KINDS };
enum call { C_SEND, C_RECV, C_WRITE, C_READ, C_CONNECT, C_ACCEPT, C_CALLS };
static const char *const kind_names[K_KINDS] = { "epipe", "reset", "eagain" };
static const char *const call_names[C_CALLS] = { "send", "recv", "write", "read", "connect", "accept" };

struct worker {
    pthread_t t;
    int id;
    int pair;                 /* its end of the socketpair shared with the partner */
    int listener;
    int reset_fd;             /* a TCP socket whose peer reset it */
    int empty_fd;             /* non-blocking, never receives anything */
    unsigned long rounds;
    unsigned long calls, resets, bytes;
    unsigned long counts[K_KINDS][C_CALLS];
    int failure;              /* exit status, 0 while all is well */
    char what[160];
};

static unsigned long handler_counts[K_KINDS][C_CALLS]; /* atomic adds */
static unsigned long delivered;
static int h_reset, h_empty, h_pipe;

static int kind_of(int err)
{
    switch (err) {
    case EPIPE: return K_EPIPE;
    case ECONNRESET: return K_RESET;
    case EAGAIN: return K_EAGAIN;
    default: return -1;
    }
}

static void on_usr1(int sig)
{
    (void)sig;
    int saved = errno;
    char c = 'h';
    __atomic_add_fetch(&delivered, 1, __ATOMIC_RELAXED);
    ssize_t r[3];
    r[0] = send(h_reset, &c, 1, 0);
    int e0 = errno;
    r[1] = recv(h_empty, &c, 1, 0);
    int e1 = errno;
    r[2] = write(h_pipe, &c, 1);
    int e2 = errno;
    const int err[3] = { e0, e1, e2 };
    const enum call calls[3] = { C_SEND, C_RECV, C_WRITE };
    for (int i = 0; i < 3; i++) {
        int k = r[i] < 0 ? kind_of(err[i]) : -1;
        if (k >= 0)
            __atomic_add_fetch(&handler_counts[k][calls[i]], 1, __ATOMIC_RELAXED);
        else /* a handler cannot report well: make the totals disagree */
            __atomic_add_fetch(&handler_counts[K_EAGAIN][C_READ], 1000000, __ATOMIC_RELAXED);
    }
    errno = saved;
}

static void fail(struct worker *w, int code, const char *call, ssize_t r, int err)
{
    if (w->failure)
        return;
    w->failure = code;
    snprintf(w->what, sizeof w->what, "worker %d: %s returned %zd errno=%s after %lu calls",
             w->id, call, r, r < 0 ? hu_errname(err) : "0", w->calls);
}

/* A failed call: counted by its event kind, or a failure. */
static void count(struct worker *w, enum call c, const char *name, ssize_t r, int err)
{
    w->calls++;
    if (r >= 0)
        return;
    int k = kind_of(err);
    if (k < 0) {
        fail(w, err == EINTR ? 4 : 3, name, r, err);
        return;
    }
    w->counts[k][c]++;
}

static int listener(void)
{
    struct sockaddr_storage a;
    socklen_t l;
    return hu_listener(AF_INET, &a, &l);
}

/* A connected TCP socket whose peer reset it, its calls counted in w;
 * -1 on failure. */
static int fresh_reset(struct worker *w, int l)
{
    struct sockaddr_storage a;
    socklen_t al = sizeof a;
    if (getsockname(l, (struct sockaddr *)&a, &al) != 0)
        return -1;
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c < 0)
        return -1;
    int r = connect(c, (struct sockaddr *)&a, al);
    count(w, C_CONNECT, "connect", r, errno);
    if (r != 0) {
        close(c);
        return -1;
    }
    int s = accept(l, NULL, NULL);
    count(w, C_ACCEPT, "accept", s, errno);
    if (s < 0) {
        close(c);
        return -1;
    }
    struct linger lg = { 1, 0 };
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(s);
    /* the RST is there before close returns on loopback; wait to be sure */
    struct pollfd p = { c, POLLIN, 0 };
    while (poll(&p, 1, 5000) < 0 && errno == EINTR)
        ;
    char b;
    ssize_t n = recv(c, &b, 1, 0);
    count(w, C_RECV, "recv", n, errno);
    return c;
}

static int empty_socket(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0)
        return -1;
    return sv[0]; /* sv[1] stays open and silent */
}

static void fill(unsigned char *m, uint32_t from, uint32_t seq)
{
    memcpy(m, &from, 4);
    memcpy(m + 4, &seq, 4);
    uint32_t x = from * 2654435761u ^ seq * 40503u ^ 0x9e3779b9u;
    for (int i = 8; i < MSG; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        m[i] = (unsigned char)x;
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    unsigned char out[MSG], want[MSG], in[MSG];
    char b = 'w';
    uint32_t partner = (uint32_t)(w->id ^ 1);
    for (uint32_t seq = 0; seq < w->rounds && !w->failure; seq++) {
        if (seq % RESET_EVERY == RESET_EVERY - 1) {
            int c = fresh_reset(w, w->listener);
            if (c < 0) {
                fail(w, 3, "reset setup", -1, errno);
                break;
            }
            close(w->reset_fd);
            w->reset_fd = c;
            w->resets++;
        }
        ssize_t n = send(w->reset_fd, &b, 1, 0);
        count(w, C_SEND, "send", n, errno);
        n = recv(w->empty_fd, &b, 1, 0);
        count(w, C_RECV, "recv", n, errno);
        fill(out, (uint32_t)w->id, seq);
        n = write(w->pair, out, MSG);
        count(w, C_WRITE, "write", n, errno);
        if (n >= 0 && n != MSG)
            fail(w, 3, "write (short)", n, 0);
        size_t got = 0;
        while (got < MSG && !w->failure) {
            n = read(w->pair, in + got, MSG - got);
            count(w, C_READ, "read", n, errno);
            if (n == 0) /* the partner gave up: its failure is the one to report */
                fail(w, 6, "read (eof: the partner failed)", n, 0);
            if (n > 0)
                got += (size_t)n;
        }
        if (w->failure)
            break;
        fill(want, partner, seq);
        if (memcmp(in, want, MSG) != 0) {
            fail(w, 5, "read (damaged message)", MSG, 0);
            break;
        }
        w->bytes += MSG;
    }
    /* The partner may wait for a message this worker will not send: end
     * its wait with an EOF. */
    if (w->failure)
        shutdown(w->pair, SHUT_RDWR);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int nthreads = atoi(argv[1]);
    long calls = atol(argv[2]);
    if (nthreads < 2 || nthreads % 2 || nthreads > 256 || calls < 4)
        return 2;
    /* Calls per round: send, recv, write, and one read or more. */
    unsigned long rounds = (unsigned long)calls / 4;

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    hu_watchdog(60 + 60 * (double)calls * nthreads / 1e6);

    /* The setup's own resets count too (the summary sees them). */
    static struct worker setup = { .id = -1 };
    int hl = listener();
    h_reset = fresh_reset(&setup, hl);
    h_empty = empty_socket();
    int pfd[2];
    if (h_reset < 0 || h_empty < 0 || pipe2(pfd, O_CLOEXEC) != 0)
        return 2;
    close(pfd[0]);
    h_pipe = pfd[1];

    struct worker *ws = calloc((size_t)nthreads, sizeof *ws);
    if (!ws)
        return 2;
    for (int i = 0; i < nthreads; i += 2) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return 2;
        ws[i].pair = sv[0];
        ws[i + 1].pair = sv[1];
    }
    for (int i = 0; i < nthreads; i++) {
        ws[i].id = i;
        ws[i].rounds = rounds;
        ws[i].listener = listener();
        ws[i].reset_fd = fresh_reset(&setup, ws[i].listener);
        ws[i].empty_fd = empty_socket();
        if (ws[i].reset_fd < 0 || ws[i].empty_fd < 0)
            return 2;
    }

    hu_handle(SIGUSR1, on_usr1, 0);
    double t0 = hu_now();
    hu_storm(SIGUSR1, 100000);
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&ws[i].t, NULL, work, &ws[i]) != 0)
            return 2;
    for (int i = 0; i < nthreads; i++)
        pthread_join(ws[i].t, NULL);
    hu_storm_stop();
    double seconds = hu_now() - t0;
    /* a signal still on its way may run the handler once more */
    struct timespec settle = { 0, 20000000 };
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    nanosleep(&settle, NULL);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);

    int status = setup.failure;
    if (status)
        fprintf(stderr, "threads: setup: %s\n", setup.what);
    unsigned long total_calls = 0, resets = 0, bytes = 0;
    for (int i = 0; i < nthreads; i++) {
        total_calls += ws[i].calls;
        resets += ws[i].resets;
        bytes += ws[i].bytes;
        if (ws[i].failure && (!status || status == 6)) {
            status = ws[i].failure;
            fprintf(stderr, "threads: %s\n", ws[i].what);
        }
    }
    for (int k = 0; k < K_KINDS; k++) {
        for (int c = 0; c < C_CALLS; c++) {
            unsigned long h = __atomic_load_n(&handler_counts[k][c], __ATOMIC_RELAXED);
            unsigned long n = h + setup.counts[k][c];
            for (int i = 0; i < nthreads; i++)
                n += ws[i].counts[k][c];
            if (n)
                printf("count event=%s call=%s n=%lu\n", kind_names[k], call_names[c], n);
            if (h)
                printf("handler event=%s call=%s n=%lu\n", kind_names[k], call_names[c], h);
        }
    }
    unsigned long sigs = __atomic_load_n(&delivered, __ATOMIC_RELAXED);
    printf("threads=%d calls=%lu rounds=%lu resets=%lu signals=%lu seconds=%.3f\n", nthreads,
           total_calls, rounds, resets, sigs, seconds);
    printf("bytes=%lu intact=%s\n", bytes,
           bytes == (unsigned long)nthreads * rounds * MSG ? "yes" : "no");
    return status;
}
