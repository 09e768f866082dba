/* A naive program under a signal storm: a writer process sends 64 MiB
 * through an AF_UNIX stream socketpair to a reader process, each with its
 * own timer raising SIGUSR1 every 100 us (10 kHz), the handler installed
 * with sigaction and flags 0 (no SA_RESTART).  Short counts are handled;
 * any -1 is fatal.  Bare, some call fails with EINTR; shielded, every byte
 * arrives.  Each side pauses for 2 ms once per MiB (half a MiB apart), so
 * both the reader and the writer regularly block while the storm goes on.
 *
 *   storm [MiB [INTERVAL_US]]
 *
 * INTERVAL_US: the timers' period instead of 100 us (valgrind, which runs
 * a program some 50 times slower, cannot make progress at 10 kHz).
 *
 * Prints  reader: bytes=N sum=HEX signals=N       (or reader: failed ...)
 *         writer: bytes=N sum=HEX signals=N       (or writer: failed ...)
 * Exit    0 all arrived; the errno number of the first -1 (4 = EINTR;
 *         the reader's failure wins over the writer's EPIPE it causes);
 *         100 early end of data; 2 setup; killed by SIGKILL: watchdog. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutil.h"

#define CHUNK 65536
#define WRITE_SIZE 4096

static volatile sig_atomic_t signals;
static long interval_ns = 100000;

static void on_usr1(int sig)
{
    (void)sig;
    signals++;
}

/* FNV-1a over the byte stream: chunk boundaries do not matter. */
static uint64_t fnv(uint64_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void spin(double seconds)
{
    for (double end = hu_now() + seconds; hu_now() < end;)
        ;
}

static void start_storm(void)
{
    hu_handle(SIGUSR1, on_usr1, 0);
    hu_watchdog(90);
    hu_storm(SIGUSR1, interval_ns);
}

static int reader(int fd, uint64_t total)
{
    static unsigned char buf[CHUNK];
    uint64_t got = 0, sum = 0xcbf29ce484222325ULL;
    start_storm();
    while (got < total) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) {
            int err = errno;
            hu_storm_stop();
            printf("reader: failed read=-1 errno=%s after bytes=%llu signals=%d\n",
                   hu_errname(err), (unsigned long long)got, (int)signals);
            return err;
        }
        if (n == 0) {
            hu_storm_stop();
            printf("reader: failed early eof after bytes=%llu\n", (unsigned long long)got);
            return 100;
        }
        sum = fnv(sum, buf, (size_t)n);
        /* now and then a slow consumer, so the writer blocks on a full
         * buffer too (busy: a sleep would be interrupted as well) */
        if ((got >> 20) != ((got + (uint64_t)n) >> 20))
            spin(0.002);
        got += (uint64_t)n;
    }
    hu_storm_stop();
    printf("reader: bytes=%llu sum=%016llx signals=%d\n", (unsigned long long)got,
           (unsigned long long)sum, (int)signals);
    return 0;
}

static int writer(int fd, uint64_t total)
{
    static uint64_t words[CHUNK / 8];
    uint64_t sent = 0, sum = 0xcbf29ce484222325ULL, x = 0x9e3779b97f4a7c15ULL;
    start_storm();
    while (sent < total) {
        for (size_t i = 0; i < CHUNK / 8; i++) { /* xorshift64 */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            words[i] = x;
        }
        const unsigned char *p = (const unsigned char *)words;
        size_t left = CHUNK;
        /* and a slow producer, half a MiB later, so the reader blocks */
        if (((sent + (1 << 19)) >> 20) != ((sent + (1 << 19) + CHUNK) >> 20))
            spin(0.002);
        sum = fnv(sum, p, left);
        while (left > 0) {
            /* small writes: a blocked one has usually sent nothing yet, so
             * a signal makes it fail with EINTR rather than return short */
            ssize_t n = write(fd, p, left < WRITE_SIZE ? left : WRITE_SIZE);
            if (n < 0) {
                int err = errno;
                hu_storm_stop();
                printf("writer: failed write=-1 errno=%s after bytes=%llu signals=%d\n",
                       hu_errname(err), (unsigned long long)sent, (int)signals);
                return err;
            }
            p += n;
            left -= (size_t)n;
            sent += (uint64_t)n;
        }
    }
    hu_storm_stop();
    printf("writer: bytes=%llu sum=%016llx signals=%d\n", (unsigned long long)sent,
           (unsigned long long)sum, (int)signals);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t total = (uint64_t)(argc > 1 ? atoi(argv[1]) : 64) << 20;
    if (argc > 2 && atol(argv[2]) > 0 && atol(argv[2]) < 1000000)
        interval_ns = atol(argv[2]) * 1000;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return 2;
    /* The reader's death must show as the writer's EPIPE, not kill it. */
    signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        return 2;
    if (child == 0) {
        close(sv[1]);
        int rc = reader(sv[0], total);
        fflush(stdout);
        _exit(rc);
    }
    close(sv[0]);
    int wrc = writer(sv[1], total);
    fflush(stdout);
    close(sv[1]);
    int st;
    while (waitpid(child, &st, 0) < 0 && errno == EINTR)
        ;
    int rrc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (rrc != 0 && rrc != 100)
        return rrc;
    return wrc ? wrc : rrc;
}
