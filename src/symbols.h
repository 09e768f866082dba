/* The one table of wrapped symbols.
 *
 * Each line is SOCKSHIELD_<KIND>(family, return type, name, (parameters),
 * (arguments)).  KIND says how the library reaches the real function:
 *
 *   CALL  the real libc function is bound once at load into real_<name>; the
 *         wrapper calls it through that pointer.  Until the binding is done
 *         (another library's constructor calling in first) the pointer holds
 *         a bootstrap that makes the raw system call (real.c).
 *   OWN   implemented by sockshield itself, no real pointer: the signal()
 *         family (glibc implements it with internal calls that bypass an
 *         interposed sigaction) and the variadic
 *         execl* (collected into an argument array, then execve/execvpe).
 *
 * Everything else comes from this table: the real pointers and their binding
 * (real.c), the export declarations (state.h), the SOCKSHIELD_CALL_<name>
 * call ids used by events and the summary, and `sockshield --list-calls`
 * (extracted by the Makefile; keep one entry per line).
 *
 * The fortify entry points forward to the real _chk function, so the
 * buffer check stays glibc's.  Types spell glibc's transparent-union socket
 * address arguments (__SOCKADDR_ARG) so the declarations match <sys/socket.h>
 * under _GNU_SOURCE. */
#ifndef SOCKSHIELD_SYMBOLS_H
#define SOCKSHIELD_SYMBOLS_H

#include <sys/types.h>

/* Rows that exist in one C library only.  glibc alone has the internal
 * aliases (__write, __close, ...), the fortify entry points, the LFS64
 * names (musl's headers turn pread64 into pread) and a few calls (close_range,
 * preadv2, execveat, sysv_signal); elsewhere those rows are simply absent. */
#if defined(__GLIBC__)
#define SOCKSHIELD_GLIBC 1
#define SOCKSHIELD_GLIBC_ONLY(...) __VA_ARGS__
#define SOCKSHIELD_LFS64(...) __VA_ARGS__
#define SOCKSHIELD_MMSG_FLAGS int
#else
#define SOCKSHIELD_GLIBC 0
#define SOCKSHIELD_GLIBC_ONLY(...)
#define SOCKSHIELD_LFS64(...)
#define SOCKSHIELD_MMSG_FLAGS unsigned int
#endif

/* glibc 2.34 and later on 32-bit targets: a program built with
 * -D_TIME_BITS=64 (the default of some distributions' armhf) calls these
 * entry points instead of sendmsg, getsockopt, wait4, ...  Their time
 * arguments are 64-bit: recvmmsg's timeout is a struct sockshield_ts64,
 * the rusage of wait3/wait4 is only passed through. */
#if defined(__GLIBC__) && defined(__TIMESIZE) && __TIMESIZE == 32 && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define SOCKSHIELD_TIME64 1
#define SOCKSHIELD_TIME64_ONLY(...) __VA_ARGS__
struct sockshield_ts64 {
    long long tv_sec;
    long tv_nsec; /* little-endian: the padding follows */
    long pad_;
};
#else
#define SOCKSHIELD_TIME64 0
#define SOCKSHIELD_TIME64_ONLY(...)
#endif

/* The library keeps the ABI's own off_t and time_t: built with 64-bit ones
 * on a 32-bit target, glibc's headers would rename our pread to pread64
 * (and so on), and both names would be the 64-bit function. */
#if !defined(__LP64__) && ((defined(_FILE_OFFSET_BITS) && _FILE_OFFSET_BITS == 64) || \
                           (defined(_TIME_BITS) && _TIME_BITS == 64))
#error "build the library without -D_FILE_OFFSET_BITS=64 and -D_TIME_BITS=64 (it wraps both ABIs)"
#endif

#define SOCKSHIELD_SYMBOLS(CALL, OWN)                                                                            \
    CALL(write,   ssize_t, write,       (int fd, const void *buf, size_t n), (fd, buf, n))                        \
    SOCKSHIELD_GLIBC_ONLY(CALL(write,   ssize_t, __write,     (int fd, const void *buf, size_t n), (fd, buf, n))) \
    CALL(write,   ssize_t, writev,      (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))               \
    CALL(write,   ssize_t, pwrite,      (int fd, const void *buf, size_t n, off_t off), (fd, buf, n, off))        \
    SOCKSHIELD_LFS64(CALL(write,   ssize_t, pwrite64,    (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(write,   ssize_t, __pwrite64,  (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))) \
    CALL(write,   ssize_t, pwritev,     (int fd, const struct iovec *iov, int cnt, off_t off), (fd, iov, cnt, off)) \
    SOCKSHIELD_LFS64(CALL(write,   ssize_t, pwritev64,   (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(write,   ssize_t, pwritev2,    (int fd, const struct iovec *iov, int cnt, off_t off, int fl), (fd, iov, cnt, off, fl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(write,   ssize_t, pwritev64v2, (int fd, const struct iovec *iov, int cnt, off64_t off, int fl), (fd, iov, cnt, off, fl))) \
    CALL(send,    ssize_t, send,        (int fd, const void *buf, size_t n, int fl), (fd, buf, n, fl))            \
    SOCKSHIELD_GLIBC_ONLY(CALL(send,    ssize_t, __send,      (int fd, const void *buf, size_t n, int fl), (fd, buf, n, fl))) \
    CALL(send,    ssize_t, sendto,      (int fd, const void *buf, size_t n, int fl, __CONST_SOCKADDR_ARG to, socklen_t tl), (fd, buf, n, fl, to, tl)) \
    CALL(send,    ssize_t, sendmsg,     (int fd, const struct msghdr *msg, int fl), (fd, msg, fl))                \
    CALL(send,    int,     sendmmsg,    (int fd, struct mmsghdr *v, unsigned int vl, SOCKSHIELD_MMSG_FLAGS fl), (fd, v, vl, fl))    \
    SOCKSHIELD_TIME64_ONLY(CALL(send, ssize_t, __sendmsg64, (int fd, const struct msghdr *msg, int fl), (fd, msg, fl))) \
    SOCKSHIELD_TIME64_ONLY(CALL(send, int, __sendmmsg64, (int fd, struct mmsghdr *v, unsigned int vl, int fl), (fd, v, vl, fl))) \
    CALL(send,    ssize_t, sendfile,    (int out, int in, off_t *off, size_t n), (out, in, off, n))               \
    SOCKSHIELD_LFS64(CALL(send,    ssize_t, sendfile64,  (int out, int in, off64_t *off, size_t n), (out, in, off, n))) \
    CALL(read,    ssize_t, read,        (int fd, void *buf, size_t n), (fd, buf, n))                              \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, __read,      (int fd, void *buf, size_t n), (fd, buf, n)))       \
    CALL(read,    ssize_t, readv,       (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))               \
    CALL(read,    ssize_t, pread,       (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off))              \
    SOCKSHIELD_LFS64(CALL(read,    ssize_t, pread64,     (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, __pread64,   (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))) \
    CALL(read,    ssize_t, preadv,      (int fd, const struct iovec *iov, int cnt, off_t off), (fd, iov, cnt, off)) \
    SOCKSHIELD_LFS64(CALL(read,    ssize_t, preadv64,    (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, preadv2,     (int fd, const struct iovec *iov, int cnt, off_t off, int fl), (fd, iov, cnt, off, fl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, preadv64v2,  (int fd, const struct iovec *iov, int cnt, off64_t off, int fl), (fd, iov, cnt, off, fl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, __read_chk,  (int fd, void *buf, size_t n, size_t bl), (fd, buf, n, bl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, __pread_chk, (int fd, void *buf, size_t n, off_t off, size_t bl), (fd, buf, n, off, bl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(read,    ssize_t, __pread64_chk, (int fd, void *buf, size_t n, off64_t off, size_t bl), (fd, buf, n, off, bl))) \
    CALL(recv,    ssize_t, recv,        (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl))                  \
    CALL(recv,    ssize_t, recvfrom,    (int fd, void *buf, size_t n, int fl, __SOCKADDR_ARG from, socklen_t *fl2), (fd, buf, n, fl, from, fl2)) \
    CALL(recv,    ssize_t, recvmsg,     (int fd, struct msghdr *msg, int fl), (fd, msg, fl))                      \
    CALL(recv,    int,     recvmmsg,    (int fd, struct mmsghdr *v, unsigned int vl, SOCKSHIELD_MMSG_FLAGS fl, struct timespec *t), (fd, v, vl, fl, t)) \
    SOCKSHIELD_TIME64_ONLY(CALL(recv, ssize_t, __recvmsg64, (int fd, struct msghdr *msg, int fl), (fd, msg, fl))) \
    SOCKSHIELD_TIME64_ONLY(CALL(recv, int, __recvmmsg64, (int fd, struct mmsghdr *v, unsigned int vl, int fl, struct sockshield_ts64 *t), (fd, v, vl, fl, t))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(recv,    ssize_t, __recv_chk,  (int fd, void *buf, size_t n, size_t bl, int fl), (fd, buf, n, bl, fl))) \
    SOCKSHIELD_GLIBC_ONLY(CALL(recv,    ssize_t, __recvfrom_chk, (int fd, void *buf, size_t n, size_t bl, int fl, __SOCKADDR_ARG from, socklen_t *fl2), (fd, buf, n, bl, fl, from, fl2))) \
    CALL(accept,  int,     accept,      (int fd, __SOCKADDR_ARG a, socklen_t *al), (fd, a, al))                   \
    CALL(accept,  int,     accept4,     (int fd, __SOCKADDR_ARG a, socklen_t *al, int fl), (fd, a, al, fl))       \
    CALL(connect, int,     connect,     (int fd, __CONST_SOCKADDR_ARG a, socklen_t al), (fd, a, al))              \
    SOCKSHIELD_GLIBC_ONLY(CALL(connect, int,     __connect,   (int fd, __CONST_SOCKADDR_ARG a, socklen_t al), (fd, a, al))) \
    CALL(socket,  int,     getsockopt,  (int fd, int lv, int nm, void *v, socklen_t *vl), (fd, lv, nm, v, vl))    \
    CALL(socket,  int,     setsockopt,  (int fd, int lv, int nm, const void *v, socklen_t vl), (fd, lv, nm, v, vl)) \
    SOCKSHIELD_TIME64_ONLY(CALL(socket, int, __getsockopt64, (int fd, int lv, int nm, void *v, socklen_t *vl), (fd, lv, nm, v, vl))) \
    SOCKSHIELD_TIME64_ONLY(CALL(socket, int, __setsockopt64, (int fd, int lv, int nm, const void *v, socklen_t vl), (fd, lv, nm, v, vl))) \
    CALL(fd,      int,     close,       (int fd), (fd))                                                           \
    SOCKSHIELD_GLIBC_ONLY(CALL(fd,      int,     __close,     (int fd), (fd)))                                    \
    CALL(fd,      int,     dup2,        (int fd, int fd2), (fd, fd2))                                             \
    CALL(fd,      int,     dup3,        (int fd, int fd2, int fl), (fd, fd2, fl))                                 \
    SOCKSHIELD_GLIBC_ONLY(CALL(fd,      int,     close_range, (unsigned int lo, unsigned int hi, int fl), (lo, hi, fl))) \
    CALL(signal,  int,     sigaction,   (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old)) \
    SOCKSHIELD_GLIBC_ONLY(OWN(signal,   int,     __sigaction, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old))) \
    OWN(signal,   sighandler_t, signal, (int sig, sighandler_t h), (sig, h))                                      \
    OWN(signal,   sighandler_t, bsd_signal, (int sig, sighandler_t h), (sig, h))                                  \
    SOCKSHIELD_GLIBC_ONLY(OWN(signal,   sighandler_t, ssignal, (int sig, sighandler_t h), (sig, h)))              \
    SOCKSHIELD_GLIBC_ONLY(OWN(signal,   sighandler_t, sysv_signal, (int sig, sighandler_t h), (sig, h)))          \
    SOCKSHIELD_GLIBC_ONLY(OWN(signal,   sighandler_t, __sysv_signal, (int sig, sighandler_t h), (sig, h)))        \
    OWN(signal,   sighandler_t, sigset, (int sig, sighandler_t h), (sig, h))                                      \
    OWN(signal,   int,     sigignore,   (int sig), (sig))                                                         \
    OWN(signal,   int,     siginterrupt, (int sig, int flag), (sig, flag))                                        \
    CALL(exec,    int,     execve,      (const char *p, char *const av[], char *const ev[]), (p, av, ev))         \
    CALL(exec,    int,     execv,       (const char *p, char *const av[]), (p, av))                               \
    CALL(exec,    int,     execvp,      (const char *f, char *const av[]), (f, av))                               \
    CALL(exec,    int,     execvpe,     (const char *f, char *const av[], char *const ev[]), (f, av, ev))         \
    CALL(exec,    int,     fexecve,     (int fd, char *const av[], char *const ev[]), (fd, av, ev))               \
    SOCKSHIELD_GLIBC_ONLY(CALL(exec,    int,     execveat,    (int dfd, const char *p, char *const av[], char *const ev[], int fl), (dfd, p, av, ev, fl))) \
    OWN(exec,     int,     execl,       (const char *p, const char *a0, ...), (p, a0))                            \
    OWN(exec,     int,     execle,      (const char *p, const char *a0, ...), (p, a0))                            \
    OWN(exec,     int,     execlp,      (const char *f, const char *a0, ...), (f, a0))                            \
    CALL(wait,    pid_t,   wait,        (int *st), (st))                                                          \
    CALL(wait,    pid_t,   waitpid,     (pid_t pid, int *st, int opt), (pid, st, opt))                            \
    CALL(wait,    pid_t,   wait3,       (int *st, int opt, struct rusage *ru), (st, opt, ru))                     \
    CALL(wait,    pid_t,   wait4,       (pid_t pid, int *st, int opt, struct rusage *ru), (pid, st, opt, ru))     \
    SOCKSHIELD_TIME64_ONLY(CALL(wait, pid_t, __wait3_time64, (int *st, int opt, void *ru), (st, opt, ru)))        \
    SOCKSHIELD_TIME64_ONLY(CALL(wait, pid_t, __wait4_time64, (pid_t pid, int *st, int opt, void *ru), (pid, st, opt, ru))) \
    CALL(wait,    int,     waitid,      (idtype_t t, id_t id, siginfo_t *in, int opt), (t, id, in, opt))          \
    CALL(wait,    FILE *,  popen,       (const char *cmd, const char *mode), (cmd, mode))                         \
    CALL(wait,    int,     pclose,      (FILE *f), (f))                                                           \
    CALL(wait,    int,     fclose,      (FILE *f), (f))                                                           \
    CALL(wait,    int,     system,      (const char *cmd), (cmd))

#endif
