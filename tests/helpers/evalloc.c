/* The event path allocates nothing: this program replaces malloc and its
 * family (glibc supports replacing them, "Replacing malloc" in its manual:
 * every library in the process then allocates here, sockshield included),
 * counts every call, and provokes events of each kind between two
 * readings of the count.
 *
 *   evalloc
 *
 * Prints "control=N" (allocations by a strdup, the proof that counting
 * works) and "allocations=N" (during the events), exit 0; 3 when a call
 * did not fail as it should. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- a bump allocator, never freeing ---------------------------------- */

static unsigned long calls;
static char *arena, *top, *end;

static void *take(size_t n, size_t align)
{
    __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (!arena) {
        size_t size = (size_t)256 << 20; /* reserved, touched on use */
        arena = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
        if (arena == MAP_FAILED)
            abort();
        top = arena;
        end = arena + size;
    }
    if (align < 16)
        align = 16;
    /* a size header just before the block, for realloc */
    uintptr_t p = ((uintptr_t)top + sizeof(size_t) + align - 1) & ~(uintptr_t)(align - 1);
    if ((char *)p + n > end)
        return NULL;
    ((size_t *)p)[-1] = n;
    top = (char *)p + n;
    return (void *)p;
}

void *malloc(size_t n) { return take(n, 16); }
void free(void *p) { (void)p; }
void *calloc(size_t a, size_t b)
{
    if (b && a > SIZE_MAX / b)
        return NULL;
    return take(a * b, 16); /* fresh mmap'ed memory is zero */
}
void *realloc(void *p, size_t n)
{
    void *q = take(n, 16);
    if (p && q) {
        size_t old = ((size_t *)p)[-1];
        memcpy(q, p, old < n ? old : n);
    }
    return q;
}
void *memalign(size_t align, size_t n) { return take(n, align); }
void *aligned_alloc(size_t align, size_t n) { return take(n, align); }
void *valloc(size_t n) { return take(n, 4096); }
void *pvalloc(size_t n) { return take((n + 4095) & ~(size_t)4095, 4096); }
int posix_memalign(void **out, size_t align, size_t n)
{
    *out = take(n, align);
    return *out ? 0 : ENOMEM;
}
size_t malloc_usable_size(void *p) { return p ? ((size_t *)p)[-1] : 0; }

/* ---- events ------------------------------------------------------------- */

static unsigned long now(void)
{
    return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

int main(void)
{
    char buf[16];
    int sv[2], p[2];
    setvbuf(stdout, NULL, _IONBF, 0);
    unsigned long before = now();
    char *s = strdup("control");
    printf("control=%lu\n", now() - before);
    (void)s;

    /* everything the events need is set up first */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0 || pipe(p) != 0)
        return 3;
    close(p[0]);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int b = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(b, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(b, (struct sockaddr *)&a, &len))
        return 3;
    int c[3];
    for (int i = 0; i < 3; i++)
        c[i] = socket(AF_INET, SOCK_STREAM, 0);

    before = now();
    for (int i = 0; i < 100; i++)
        if (recv(sv[0], buf, sizeof buf, 0) != -1 || errno != EAGAIN)
            return 3;
    for (int i = 0; i < 3; i++) {
        if (write(p[1], "x", 1) != -1 || errno != EPIPE)
            return 3;
        if (connect(c[i], (struct sockaddr *)&a, sizeof a) != -1 || errno != ECONNREFUSED)
            return 3;
    }
    close(sv[1]);
    for (int i = 0; i < 3; i++)
        if (recv(sv[0], buf, sizeof buf, 0) != 0) /* eof */
            return 3;
    unsigned long during = now() - before;
    printf("allocations=%lu\n", during);
    return 0;
}
