/* The real functions.  Each pointer starts at a bootstrap that makes the raw
 * system call, so a wrapper called before the binding (another library's
 * constructor, an allocator initialising itself) works without dlsym and
 * without allocating (dlsym may allocate, and an allocator's own
 * initialisation can land here).  sockshield_real_bind()
 * replaces them with the next definitions in the lookup order, once. */
#include "real.h"

#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "bind.h"
#include "direct.h"
#if SOCKSHIELD_DIRECT_SYSCALLS
#include <gnu/libc-version.h>
#endif

#define RAW(name, ret, params, ...) \
    static ret boot_##name params { return (ret)syscall(__VA_ARGS__); }
/* Calls that can raise SIGPIPE set everything up first: before our
 * constructor has run SIGPIPE is still at its default, and a library
 * constructor writing into a closed pipe would kill the program.  Only
 * these bootstraps pay for it; once bound, the real function is called.
 * Re-entered from inside the setup (init_here), sockshield_init returns at
 * once and the raw system call is made. */
#define RAW_OUT(name, ret, params, args, ...)                     \
    static ret boot_##name params                                 \
    {                                                             \
        sockshield_ensure_init();                                      \
        if (__atomic_load_n(&real_##name, __ATOMIC_ACQUIRE) != boot_##name) \
            return real_##name args;                              \
        return (ret)syscall(__VA_ARGS__);                         \
    }
/* The same with a call whose arguments differ by architecture (arch.h). */
#define ARCH(name, ret, params, call) \
    static ret boot_##name params { return (ret)(call); }
#define ARCH_OUT(name, ret, params, args, call)                   \
    static ret boot_##name params                                 \
    {                                                             \
        sockshield_ensure_init();                                      \
        if (__atomic_load_n(&real_##name, __ATOMIC_ACQUIRE) != boot_##name) \
            return real_##name args;                              \
        return (ret)(call);                                       \
    }
#define SA(a) SOCKSHIELD_SOCKADDR(a)

RAW_OUT(write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n), SYS_write, fd, b, n)
SOCKSHIELD_GLIBC_ONLY(RAW_OUT(__write, ssize_t, (int fd, const void *b, size_t n), (fd, b, n), SYS_write, fd, b, n))
RAW_OUT(writev, ssize_t, (int fd, const struct iovec *v, int c), (fd, v, c), SYS_writev, fd, v, c)
ARCH(pwrite, ssize_t, (int fd, const void *b, size_t n, off_t o), sockshield_raw_pwrite64(fd, b, n, o))
SOCKSHIELD_LFS64(ARCH(pwrite64, ssize_t, (int fd, const void *b, size_t n, off64_t o), sockshield_raw_pwrite64(fd, b, n, o)))
SOCKSHIELD_GLIBC_ONLY(ARCH(__pwrite64, ssize_t, (int fd, const void *b, size_t n, off64_t o), sockshield_raw_pwrite64(fd, b, n, o)))
ARCH(pwritev, ssize_t, (int fd, const struct iovec *v, int c, off_t o), sockshield_raw_pwritev64(fd, v, c, o))
SOCKSHIELD_LFS64(ARCH(pwritev64, ssize_t, (int fd, const struct iovec *v, int c, off64_t o), sockshield_raw_pwritev64(fd, v, c, o)))
SOCKSHIELD_GLIBC_ONLY(ARCH_OUT(pwritev2, ssize_t, (int fd, const struct iovec *v, int c, off_t o, int f), (fd, v, c, o, f), sockshield_raw_pwritev64v2(fd, v, c, o, f)))
SOCKSHIELD_GLIBC_ONLY(ARCH_OUT(pwritev64v2, ssize_t, (int fd, const struct iovec *v, int c, off64_t o, int f), (fd, v, c, o, f), sockshield_raw_pwritev64v2(fd, v, c, o, f)))
RAW_OUT(send, ssize_t, (int fd, const void *b, size_t n, int f), (fd, b, n, f), SYS_sendto, fd, b, n, f, NULL, 0)
SOCKSHIELD_GLIBC_ONLY(RAW_OUT(__send, ssize_t, (int fd, const void *b, size_t n, int f), (fd, b, n, f), SYS_sendto, fd, b, n, f, NULL, 0))
RAW_OUT(sendto, ssize_t, (int fd, const void *b, size_t n, int f, __CONST_SOCKADDR_ARG a, socklen_t l), (fd, b, n, f, a, l), SYS_sendto, fd, b, n, f, SA(a), l)
RAW_OUT(sendmsg, ssize_t, (int fd, const struct msghdr *m, int f), (fd, m, f), SYS_sendmsg, fd, m, f)
RAW_OUT(sendmmsg, int, (int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS f), (fd, v, n, f), SYS_sendmmsg, fd, v, n, f)
RAW_OUT(sendfile, ssize_t, (int o, int i, off_t *off, size_t n), (o, i, off, n), SYS_sendfile, o, i, off, n)
SOCKSHIELD_LFS64(ARCH_OUT(sendfile64, ssize_t, (int o, int i, off64_t *off, size_t n), (o, i, off, n), sockshield_raw_sendfile64(o, i, off, n)))
RAW(read, ssize_t, (int fd, void *b, size_t n), SYS_read, fd, b, n)
SOCKSHIELD_GLIBC_ONLY(RAW(__read, ssize_t, (int fd, void *b, size_t n), SYS_read, fd, b, n))
RAW(readv, ssize_t, (int fd, const struct iovec *v, int c), SYS_readv, fd, v, c)
ARCH(pread, ssize_t, (int fd, void *b, size_t n, off_t o), sockshield_raw_pread64(fd, b, n, o))
SOCKSHIELD_LFS64(ARCH(pread64, ssize_t, (int fd, void *b, size_t n, off64_t o), sockshield_raw_pread64(fd, b, n, o)))
SOCKSHIELD_GLIBC_ONLY(ARCH(__pread64, ssize_t, (int fd, void *b, size_t n, off64_t o), sockshield_raw_pread64(fd, b, n, o)))
ARCH(preadv, ssize_t, (int fd, const struct iovec *v, int c, off_t o), sockshield_raw_preadv64(fd, v, c, o))
SOCKSHIELD_LFS64(ARCH(preadv64, ssize_t, (int fd, const struct iovec *v, int c, off64_t o), sockshield_raw_preadv64(fd, v, c, o)))
SOCKSHIELD_GLIBC_ONLY(ARCH(preadv2, ssize_t, (int fd, const struct iovec *v, int c, off_t o, int f), sockshield_raw_preadv64v2(fd, v, c, o, f)))
SOCKSHIELD_GLIBC_ONLY(ARCH(preadv64v2, ssize_t, (int fd, const struct iovec *v, int c, off64_t o, int f), sockshield_raw_preadv64v2(fd, v, c, o, f)))
RAW(recv, ssize_t, (int fd, void *b, size_t n, int f), SYS_recvfrom, fd, b, n, f, NULL, NULL)
RAW(recvfrom, ssize_t, (int fd, void *b, size_t n, int f, __SOCKADDR_ARG a, socklen_t *l), SYS_recvfrom, fd, b, n, f, SA(a), l)
RAW(recvmsg, ssize_t, (int fd, struct msghdr *m, int f), SYS_recvmsg, fd, m, f)
RAW(recvmmsg, int, (int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS f, struct timespec *t), SYS_recvmmsg, fd, v, n, f, t)
ARCH(accept, int, (int fd, __SOCKADDR_ARG a, socklen_t *l), sockshield_raw_accept4(fd, SA(a), l, 0))
ARCH(accept4, int, (int fd, __SOCKADDR_ARG a, socklen_t *l, int f), sockshield_raw_accept4(fd, SA(a), l, f))
RAW(connect, int, (int fd, __CONST_SOCKADDR_ARG a, socklen_t l), SYS_connect, fd, SA(a), l)
SOCKSHIELD_GLIBC_ONLY(RAW(__connect, int, (int fd, __CONST_SOCKADDR_ARG a, socklen_t l), SYS_connect, fd, SA(a), l))
RAW(getsockopt, int, (int fd, int lv, int nm, void *v, socklen_t *l), SYS_getsockopt, fd, lv, nm, v, l)
RAW(setsockopt, int, (int fd, int lv, int nm, const void *v, socklen_t l), SYS_setsockopt, fd, lv, nm, v, l)
RAW(close, int, (int fd), SYS_close, fd)
SOCKSHIELD_GLIBC_ONLY(RAW(__close, int, (int fd), SYS_close, fd))
ARCH(dup2, int, (int fd, int fd2), sockshield_raw_dup2(fd, fd2))
RAW(dup3, int, (int fd, int fd2, int f), SYS_dup3, fd, fd2, f)
SOCKSHIELD_GLIBC_ONLY(RAW(close_range, int, (unsigned int lo, unsigned int hi, int f), SYS_close_range, lo, hi, f))

/* No system call does what these do (PATH search, popen's stream): bind
 * first.  Only another library's constructor can get here that early. */
#define LAZY(name, ret, params, args)                      \
    static ret boot_##name params                          \
    {                                                      \
        sockshield_ensure_init();                               \
        if (real_##name == boot_##name)                    \
            sockshield_fatal("cannot bind the real ", #name, ""); \
        return real_##name args;                           \
    }

/* The time64 entry points of 32-bit glibc (symbols.h). */
#if SOCKSHIELD_TIME64
RAW_OUT(__sendmsg64, ssize_t, (int fd, const struct msghdr *m, int f), (fd, m, f), SYS_sendmsg, fd, m, f)
RAW_OUT(__sendmmsg64, int, (int fd, struct mmsghdr *v, unsigned int n, int f), (fd, v, n, f), SYS_sendmmsg, fd, v, n, f)
RAW(__recvmsg64, ssize_t, (int fd, struct msghdr *m, int f), SYS_recvmsg, fd, m, f)
RAW(__recvmmsg64, int, (int fd, struct mmsghdr *v, unsigned int n, int f, struct sockshield_ts64 *t), SYS_recvmmsg_time64, fd, v, n, f, t)
RAW(__getsockopt64, int, (int fd, int lv, int nm, void *v, socklen_t *l), SYS_getsockopt, fd, lv, nm, v, l)
RAW(__setsockopt64, int, (int fd, int lv, int nm, const void *v, socklen_t l), SYS_setsockopt, fd, lv, nm, v, l)
#endif

LAZY(execve, int, (const char *p, char *const av[], char *const ev[]), (p, av, ev))
LAZY(execv, int, (const char *p, char *const av[]), (p, av))
LAZY(execvp, int, (const char *f, char *const av[]), (f, av))
LAZY(execvpe, int, (const char *f, char *const av[], char *const ev[]), (f, av, ev))
LAZY(fexecve, int, (int fd, char *const av[], char *const ev[]), (fd, av, ev))
SOCKSHIELD_GLIBC_ONLY(LAZY(execveat, int, (int d, const char *p, char *const av[], char *const ev[], int f), (d, p, av, ev, f)))
LAZY(wait, pid_t, (int *st), (st))
LAZY(waitpid, pid_t, (pid_t pid, int *st, int opt), (pid, st, opt))
LAZY(wait3, pid_t, (int *st, int opt, struct rusage *ru), (st, opt, ru))
LAZY(wait4, pid_t, (pid_t pid, int *st, int opt, struct rusage *ru), (pid, st, opt, ru))
LAZY(waitid, int, (idtype_t t, id_t id, siginfo_t *in, int opt), (t, id, in, opt))
LAZY(popen, FILE *, (const char *c, const char *m), (c, m))
LAZY(pclose, int, (FILE *f), (f))
LAZY(fclose, int, (FILE *f), (f))
LAZY(system, int, (const char *c), (c))
#if SOCKSHIELD_TIME64
LAZY(__wait3_time64, pid_t, (int *st, int opt, void *ru), (st, opt, ru))
LAZY(__wait4_time64, pid_t, (pid_t pid, int *st, int opt, void *ru), (pid, st, opt, ru))
#endif

/* The fortify entry points keep glibc's check before the raw read. */
#if SOCKSHIELD_GLIBC
static ssize_t boot___read_chk(int fd, void *b, size_t n, size_t bl)
{
    if (n > bl)
        abort();
    return boot_read(fd, b, n);
}
static ssize_t boot___pread_chk(int fd, void *b, size_t n, off_t o, size_t bl)
{
    if (n > bl)
        abort();
    return boot_pread(fd, b, n, o);
}
static ssize_t boot___pread64_chk(int fd, void *b, size_t n, off64_t o, size_t bl)
{
    if (n > bl)
        abort();
    return boot_pread64(fd, b, n, o);
}
static ssize_t boot___recv_chk(int fd, void *b, size_t n, size_t bl, int f)
{
    if (n > bl)
        abort();
    return boot_recv(fd, b, n, f);
}
static ssize_t boot___recvfrom_chk(int fd, void *b, size_t n, size_t bl, int f,
                                   __SOCKADDR_ARG a, socklen_t *l)
{
    if (n > bl)
        abort();
    return boot_recvfrom(fd, b, n, f, a, l);
}
#endif

/* sigaction cannot be a raw rt_sigaction (x86_64 needs glibc's restorer). */
LAZY(sigaction, int, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old))

#define SOCKSHIELD_REAL_DEF(family, ret, name, params, args) ret(*real_##name) params = boot_##name;
SOCKSHIELD_SYMBOLS(SOCKSHIELD_REAL_DEF, SOCKSHIELD_NO_REAL)

/* The CALL names in table order, then the one datum the direct path needs;
 * the real pointers and our own wrappers, in the same order. */
enum {
#define SOCKSHIELD_BIND_ID(family, ret, name, params, args) BIND_##name,
    SOCKSHIELD_SYMBOLS(SOCKSHIELD_BIND_ID, SOCKSHIELD_NO_REAL)
#undef SOCKSHIELD_BIND_ID
    BIND_FLAG,
    BIND_COUNT
};
static const char *const bind_names[BIND_COUNT] = {
#define SOCKSHIELD_BIND_NAME(family, ret, name, params, args) #name,
    SOCKSHIELD_SYMBOLS(SOCKSHIELD_BIND_NAME, SOCKSHIELD_NO_REAL)
#undef SOCKSHIELD_BIND_NAME
    "__libc_single_threaded",
};
static const uint32_t bind_hashes[BIND_COUNT] = {
#define SOCKSHIELD_BIND_HASH(family, ret, name, params, args) SOCKSHIELD_GNU_HASH(#name),
    SOCKSHIELD_SYMBOLS(SOCKSHIELD_BIND_HASH, SOCKSHIELD_NO_REAL)
#undef SOCKSHIELD_BIND_HASH
    SOCKSHIELD_GNU_HASH("__libc_single_threaded"),
};
#define SOCKSHIELD_BIND_LEN(family, ret, name, params, args) \
    _Static_assert(sizeof #name <= SOCKSHIELD_GNU_HASH_MAX + 1, "a name too long for SOCKSHIELD_GNU_HASH");
SOCKSHIELD_SYMBOLS(SOCKSHIELD_BIND_LEN, SOCKSHIELD_NO_REAL)
#undef SOCKSHIELD_BIND_LEN
/* What the last binding found, and in which object (bind.h). */
static void *bound[BIND_COUNT], *bound_in[BIND_COUNT];

static void bind_one(void **slot, unsigned i)
{
    void *p = bound[i];
    if (p)
        __atomic_store_n(slot, p, __ATOMIC_RELEASE);
}

#if SOCKSHIELD_DIRECT_SYSCALLS
static const char no_direct;
const char *sockshield_direct = &no_direct;

/* The object of a bound pointer: known from the binding pass, or looked up. */
static const void *found_in(unsigned i, const void *p)
{
    return bound_in[i] && bound[i] == p ? bound_in[i] : sockshield_bind_object_of(p);
}

/* The wrappers of read, write, recv, send, readv, writev, pread and pread64
 * make their system call themselves while the process has one thread
 * (wrap.h), under conditions checked here once: the glibc is one whose own
 * wrappers take that branch on __libc_single_threaded (2.36 and later:
 * all eight test it, and pthread_cancel of the calling thread clears it;
 * checked by disassembly), and all eight real functions are in the object
 * that defines it, glibc, so no library between us and glibc (a test's fault
 * injector, libfaketime, socket_wrapper) is skipped.  The flag read is
 * glibc's own copy, found after us in the lookup order (bound with the
 * real functions): a program that
 * names __libc_single_threaded gets a copy of it in its own image (a copy
 * relocation), which comes first and which pthread_cancel does not clear. */
void sockshield_real_choose_direct(void)
{
    int major = 0, minor = 0;
    const char *v = gnu_get_libc_version();
    while (*v >= '0' && *v <= '9')
        major = major * 10 + (*v++ - '0');
    if (*v++ != '.')
        return;
    while (*v >= '0' && *v <= '9')
        minor = minor * 10 + (*v++ - '0');
    if (major < 2 || (major == 2 && minor < 36))
        return;
    const char *flag = bound[BIND_FLAG];
    const void *libc = flag ? found_in(BIND_FLAG, flag) : NULL;
    if (!libc || found_in(BIND_read, (void *)real_read) != libc ||
        found_in(BIND_write, (void *)real_write) != libc ||
        found_in(BIND_recv, (void *)real_recv) != libc || found_in(BIND_send, (void *)real_send) != libc ||
        found_in(BIND_readv, (void *)real_readv) != libc ||
        found_in(BIND_writev, (void *)real_writev) != libc ||
        found_in(BIND_pread, (void *)real_pread) != libc ||
        found_in(BIND_pread64, (void *)real_pread64) != libc)
        return;
    __atomic_store_n(&sockshield_direct, flag, __ATOMIC_RELEASE);
}

void sockshield_direct_off(void)
{
    __atomic_store_n(&sockshield_direct, &no_direct, __ATOMIC_RELEASE);
}
#else
void sockshield_real_choose_direct(void)
{
}
#endif

/* The families of the calls that can raise SIGPIPE, whose bootstraps set
 * the library up (RAW_OUT, ARCH_OUT above).  Of their positioned writes,
 * pwrite, pwrite64 and pwritev cannot (ESPIPE on a pipe or a socket) and
 * keep a plain raw bootstrap; pwritev2 and pwritev64v2 with offset -1
 * write at the current position, a pipe's too, and set up like write. */
static bool sets_up(const char *family)
{
    return strcmp(family, "write") == 0 || strcmp(family, "send") == 0;
}

static void bind_all(bool early)
{
    int self;
    sockshield_bind_next(bind_names, bind_hashes, BIND_COUNT, bound, bound_in, &self);
    if (self >= 0)
        sockshield_fatal("the real '", bind_names[self],
                         "' resolves to sockshield's own wrapper; refusing to recurse");
#define SOCKSHIELD_BIND(family, ret, name, params, args) \
    if (!early || !sets_up(#family))                     \
        bind_one((void **)&real_##name, BIND_##name);
    SOCKSHIELD_SYMBOLS(SOCKSHIELD_BIND, SOCKSHIELD_NO_REAL)
#undef SOCKSHIELD_BIND
}

void sockshield_real_bind(void)
{
    bind_all(false);
}

void sockshield_real_bind_early(void)
{
    bind_all(true);
}
