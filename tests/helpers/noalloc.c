/* Counts the heap allocations made while a million wrapped calls run.
 *
 * The executable defines malloc and friends, so every allocation in the
 * process, the preloaded library's included, comes through here (the
 * executable comes first in the lookup order).  The loops below allocate
 * nothing themselves; whatever is counted between the two marks was
 * allocated by a wrapper or the logging path.
 *
 * Workloads, 1,000,000 calls in all: writes to /dev/null, send+recv on a
 * socket pair, recv on an empty non-blocking socket (an EAGAIN event each,
 * logged and rate-limited), a write into a closed pipe (EPIPE events).
 * Prints "allocations=N calls=M" and exits 0 when N is 0.
 * `noalloc control` allocates once inside the measured part, to show the
 * counter counts. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static volatile long allocations;

void *malloc(size_t n) { allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { allocations++; return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { allocations++; return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { allocations++; return __libc_memalign(a, n); }
int posix_memalign(void **p, size_t a, size_t n)
{
    allocations++;
    *p = __libc_memalign(a, n);
    return *p ? 0 : ENOMEM;
}
void free(void *p) { __libc_free(p); }

int main(int argc, char **argv)
{
    int null = open("/dev/null", O_WRONLY);
    int sv[2], nb[2], pp[2];
    char buf[16] = { 0 };
    if (null < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, nb) || pipe(pp))
        return 2;
    close(pp[0]);
    long calls = 0;
    long before = allocations;
    for (int i = 0; i < 400000; i++, calls++)
        if (write(null, buf, 1) != 1)
            return 3;
    for (int i = 0; i < 150000; i++, calls += 2)
        if (send(sv[0], buf, sizeof buf, 0) != sizeof buf || recv(sv[1], buf, sizeof buf, 0) != sizeof buf)
            return 3;
    for (int i = 0; i < 250000; i++, calls++)
        if (recv(nb[0], buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            return 3;
    for (int i = 0; i < 50000; i++, calls++)
        if (write(pp[1], buf, 1) != -1 || errno != EPIPE)
            return 3;
    if (argc > 1 && !strcmp(argv[1], "control"))
        free(strdup("counted"));
    long during = allocations - before;
    printf("allocations=%ld calls=%ld\n", during, calls);
    return during == 0 ? 0 : 1;
}
