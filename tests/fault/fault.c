/* A test-only preload, loaded after (below) libsockshield.so, that makes
 * chosen calls fail so rare paths run deterministically.
 *
 *   SOCKSHIELD_FAULT="read:EINTR:3,connect:EINTR:1"
 *
 * means: the first three read() calls reaching this library fail with EINTR
 * (without calling the real read), and the first connect() too.  Counts are
 * per process and atomic.  Every name below forwards to the next definition
 * (libc) once its faults are used up.  Not installed; never for production.
 *
 * close is the exception: Linux releases the descriptor before anything in
 * close can fail (close(2)), so an injected close error closes for real
 * first, then reports the error.
 *
 *   SOCKSHIELD_FAULT_COUNT="connect,close"
 *
 * prints, at exit, how many times each named function was reached
 * ("fault: connect=2"), on stderr: how a test sees that a call was made
 * once and not retried. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The fortify entry points are declared only under _FORTIFY_SOURCE. */
extern ssize_t __read_chk(int fd, void *b, size_t n, size_t bl);
extern ssize_t __recv_chk(int fd, void *b, size_t n, size_t bl, int f);

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
    X(ssize_t, pread64, (int fd, void *b, size_t n, off64_t o), (fd, b, n, o))               \
    X(ssize_t, recvfrom, (int fd, void *b, size_t n, int f, __SOCKADDR_ARG a, socklen_t *l), \
      (fd, b, n, f, a, l))                                                                   \
    X(ssize_t, sendto, (int fd, const void *b, size_t n, int f, __CONST_SOCKADDR_ARG a,      \
                        socklen_t l), (fd, b, n, f, a, l))                                   \
    X(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned int n, int f, struct timespec *t), \
      (fd, v, n, f, t))                                                                      \
    X(int, sendmmsg, (int fd, struct mmsghdr *v, unsigned int n, int f), (fd, v, n, f))      \
    X(ssize_t, __read_chk, (int fd, void *b, size_t n, size_t bl), (fd, b, n, bl))           \
    X(ssize_t, __recv_chk, (int fd, void *b, size_t n, size_t bl, int f), (fd, b, n, bl, f))

/* close has a definition of its own, at the end. */
#define FAULT_ALL(X) FAULT_SYMBOLS(X) X(int, close, (int fd), (fd))

enum {
#define FAULT_ID(ret, name, params, args) ID_##name,
    FAULT_ALL(FAULT_ID) ID_COUNT
};

static const char *const names[ID_COUNT] = {
#define FAULT_NAME(ret, name, params, args) #name,
    FAULT_ALL(FAULT_NAME)
};

static int remaining[ID_COUNT];
static int fault_errno[ID_COUNT];
static int reached[ID_COUNT];
static int counted[ID_COUNT];

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
    const char *count = getenv("SOCKSHIELD_FAULT_COUNT");
    while (count && *count) {
        size_t len = strcspn(count, ",");
        for (int i = 0; i < ID_COUNT; i++)
            if (strlen(names[i]) == len && !memcmp(names[i], count, len))
                counted[i] = 1;
        count += len;
        if (*count)
            count++;
    }
}

/* Raw writes: write() from here would go through the libraries above. */
__attribute__((destructor)) static void report(void)
{
    for (int i = 0; i < ID_COUNT; i++) {
        if (!counted[i])
            continue;
        char line[96];
        int n = snprintf(line, sizeof line, "fault: %s=%d\n", names[i],
                         __atomic_load_n(&reached[i], __ATOMIC_RELAXED));
        if (n > 0)
            syscall(SYS_write, 2, line, (size_t)n);
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
        __atomic_add_fetch(&reached[ID_##name], 1, __ATOMIC_RELAXED);     \
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

int close(int fd)
{
    static int (*next)(int);
    __atomic_add_fetch(&reached[ID_close], 1, __ATOMIC_RELAXED);
    int e = take(ID_close);
    if (e) {
        syscall(SYS_close, fd);
        errno = e;
        return -1;
    }
    if (!next)
        next = (int (*)(int))dlsym(RTLD_NEXT, "close");
    return next(fd);
}
