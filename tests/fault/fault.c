/* A test-only preload, loaded after (below) libsockshield.so, that makes
 * chosen calls fail so rare paths run deterministically.
 *
 *   SOCKSHIELD_FAULT="read:EINTR:3,connect:EINTR:1"
 *
 * means: the first three read() calls reaching this library fail with EINTR
 * (without calling the real read), and the first connect() too.  Counts are
 * per process and atomic.  Every name below forwards to the next definition
 * (libc) once its faults are used up.  Not installed; never for production. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define FAULT_SYMBOLS(X)                                                                     \
    X(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))                                \
    X(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))                         \
    X(ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))                      \
    X(ssize_t, send, (int fd, const void *b, size_t n, int f), (fd, b, n, f))                \
    X(ssize_t, readv, (int fd, const struct iovec *v, int c), (fd, v, c))                    \
    X(ssize_t, writev, (int fd, const struct iovec *v, int c), (fd, v, c))                   \
    X(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))                       \
    X(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))                 \
    X(int, accept, (int fd, __SOCKADDR_ARG a, socklen_t *l), (fd, a, l))                     \
    X(int, accept4, (int fd, __SOCKADDR_ARG a, socklen_t *l, int f), (fd, a, l, f))          \
    X(int, connect, (int fd, __CONST_SOCKADDR_ARG a, socklen_t l), (fd, a, l))               \
    X(int, close, (int fd), (fd))

enum {
#define FAULT_ID(ret, name, params, args) ID_##name,
    FAULT_SYMBOLS(FAULT_ID) ID_COUNT
};

static const char *const names[ID_COUNT] = {
#define FAULT_NAME(ret, name, params, args) #name,
    FAULT_SYMBOLS(FAULT_NAME)
};

static int remaining[ID_COUNT];
static int fault_errno[ID_COUNT];

static int errno_of(const char *s, size_t n)
{
    static const struct { const char *name; int value; } table[] = {
        { "EINTR", EINTR }, { "EAGAIN", EAGAIN }, { "EPIPE", EPIPE },
        { "ECONNRESET", ECONNRESET }, { "ECONNREFUSED", ECONNREFUSED },
        { "ETIMEDOUT", ETIMEDOUT }, { "EHOSTUNREACH", EHOSTUNREACH },
        { "ENETUNREACH", ENETUNREACH }, { "EIO", EIO },
    };
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strlen(table[i].name) == n && !memcmp(table[i].name, s, n))
            return table[i].value;
    return 0;
}

__attribute__((constructor)) static void parse(void)
{
    const char *spec = getenv("SOCKSHIELD_FAULT");
    while (spec && *spec) {
        size_t len = strcspn(spec, ",");
        const char *c1 = memchr(spec, ':', len);
        const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - spec)) : NULL;
        if (c2) {
            for (int i = 0; i < ID_COUNT; i++) {
                if (strlen(names[i]) == (size_t)(c1 - spec) && !memcmp(names[i], spec, (size_t)(c1 - spec))) {
                    fault_errno[i] = errno_of(c1 + 1, (size_t)(c2 - c1 - 1));
                    remaining[i] = atoi(c2 + 1);
                }
            }
        }
        spec += len;
        if (*spec)
            spec++;
    }
}

static int take(int id)
{
    int n = __atomic_load_n(&remaining[id], __ATOMIC_RELAXED);
    while (n > 0) {
        if (__atomic_compare_exchange_n(&remaining[id], &n, n - 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            return fault_errno[id];
    }
    return 0;
}

#define FAULT_DEF(ret, name, params, args)                                \
    ret name params                                                       \
    {                                                                     \
        static ret(*next) params;                                         \
        int e = take(ID_##name);                                          \
        if (e) {                                                          \
            errno = e;                                                    \
            return -1;                                                    \
        }                                                                 \
        if (!next)                                                        \
            next = (ret(*) params)dlsym(RTLD_NEXT, #name);                \
        return next args;                                                 \
    }
FAULT_SYMBOLS(FAULT_DEF)
