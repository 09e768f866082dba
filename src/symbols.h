/* The one table of wrapped symbols.
 *
 * Each line is SOCKSHIELD_<KIND>(family, return type, name, (parameters),
 * (arguments)).  KIND says how the library reaches the real function:
 *
 *   CALL  the real libc function is bound once at load into real_<name>; the
 *         wrapper calls it through that pointer.  Until the binding is done
 *         (another library's constructor calling in first) the pointer holds
 *         a bootstrap that makes the raw system call (real.c).
 *   SIG   the signal() family: glibc implements these with internal calls
 *         that bypass an interposed sigaction (interposition notes §1.3), so
 *         sockshield implements their semantics itself and needs no pointer.
 *
 * Everything else comes from this table: the real pointers and their binding
 * (real.c), the export declarations (shield.h), the SOCKSHIELD_CALL_<name>
 * call ids used by events and the summary, and `sockshield --list-calls`
 * (extracted by the Makefile; keep one entry per line).
 *
 * The fortify entry points forward to the real _chk function, so the
 * buffer check stays glibc's.  Types spell glibc's transparent-union socket
 * address arguments (__SOCKADDR_ARG) so the declarations match <sys/socket.h>
 * under _GNU_SOURCE. */

/* clang-format off */
#define SOCKSHIELD_SYMBOLS(CALL, SIG)                                                                            \
    CALL(write,   ssize_t, write,       (int fd, const void *buf, size_t n), (fd, buf, n))                       \
    CALL(write,   ssize_t, __write,     (int fd, const void *buf, size_t n), (fd, buf, n))                       \
    CALL(write,   ssize_t, writev,      (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))              \
    CALL(write,   ssize_t, pwrite,      (int fd, const void *buf, size_t n, off_t off), (fd, buf, n, off))       \
    CALL(write,   ssize_t, pwrite64,    (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))     \
    CALL(write,   ssize_t, __pwrite64,  (int fd, const void *buf, size_t n, off64_t off), (fd, buf, n, off))     \
    CALL(write,   ssize_t, pwritev,     (int fd, const struct iovec *iov, int cnt, off_t off), (fd, iov, cnt, off)) \
    CALL(write,   ssize_t, pwritev64,   (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off)) \
    CALL(write,   ssize_t, pwritev2,    (int fd, const struct iovec *iov, int cnt, off_t off, int fl), (fd, iov, cnt, off, fl)) \
    CALL(write,   ssize_t, pwritev64v2, (int fd, const struct iovec *iov, int cnt, off64_t off, int fl), (fd, iov, cnt, off, fl)) \
    CALL(send,    ssize_t, send,        (int fd, const void *buf, size_t n, int fl), (fd, buf, n, fl))           \
    CALL(send,    ssize_t, __send,      (int fd, const void *buf, size_t n, int fl), (fd, buf, n, fl))           \
    CALL(send,    ssize_t, sendto,      (int fd, const void *buf, size_t n, int fl, __CONST_SOCKADDR_ARG to, socklen_t tl), (fd, buf, n, fl, to, tl)) \
    CALL(send,    ssize_t, sendmsg,     (int fd, const struct msghdr *msg, int fl), (fd, msg, fl))               \
    CALL(send,    int,     sendmmsg,    (int fd, struct mmsghdr *v, unsigned int vl, int fl), (fd, v, vl, fl))   \
    CALL(send,    ssize_t, sendfile,    (int out, int in, off_t *off, size_t n), (out, in, off, n))              \
    CALL(send,    ssize_t, sendfile64,  (int out, int in, off64_t *off, size_t n), (out, in, off, n))            \
    CALL(read,    ssize_t, read,        (int fd, void *buf, size_t n), (fd, buf, n))                             \
    CALL(read,    ssize_t, __read,      (int fd, void *buf, size_t n), (fd, buf, n))                             \
    CALL(read,    ssize_t, readv,       (int fd, const struct iovec *iov, int cnt), (fd, iov, cnt))              \
    CALL(read,    ssize_t, pread,       (int fd, void *buf, size_t n, off_t off), (fd, buf, n, off))             \
    CALL(read,    ssize_t, pread64,     (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))           \
    CALL(read,    ssize_t, __pread64,   (int fd, void *buf, size_t n, off64_t off), (fd, buf, n, off))           \
    CALL(read,    ssize_t, preadv,      (int fd, const struct iovec *iov, int cnt, off_t off), (fd, iov, cnt, off)) \
    CALL(read,    ssize_t, preadv64,    (int fd, const struct iovec *iov, int cnt, off64_t off), (fd, iov, cnt, off)) \
    CALL(read,    ssize_t, preadv2,     (int fd, const struct iovec *iov, int cnt, off_t off, int fl), (fd, iov, cnt, off, fl)) \
    CALL(read,    ssize_t, preadv64v2,  (int fd, const struct iovec *iov, int cnt, off64_t off, int fl), (fd, iov, cnt, off, fl)) \
    CALL(read,    ssize_t, __read_chk,  (int fd, void *buf, size_t n, size_t bl), (fd, buf, n, bl))             \
    CALL(read,    ssize_t, __pread_chk, (int fd, void *buf, size_t n, off_t off, size_t bl), (fd, buf, n, off, bl)) \
    CALL(read,    ssize_t, __pread64_chk, (int fd, void *buf, size_t n, off64_t off, size_t bl), (fd, buf, n, off, bl)) \
    CALL(recv,    ssize_t, recv,        (int fd, void *buf, size_t n, int fl), (fd, buf, n, fl))                 \
    CALL(recv,    ssize_t, recvfrom,    (int fd, void *buf, size_t n, int fl, __SOCKADDR_ARG from, socklen_t *fl2), (fd, buf, n, fl, from, fl2)) \
    CALL(recv,    ssize_t, recvmsg,     (int fd, struct msghdr *msg, int fl), (fd, msg, fl))                     \
    CALL(recv,    int,     recvmmsg,    (int fd, struct mmsghdr *v, unsigned int vl, int fl, struct timespec *t), (fd, v, vl, fl, t)) \
    CALL(recv,    ssize_t, __recv_chk,  (int fd, void *buf, size_t n, size_t bl, int fl), (fd, buf, n, bl, fl))  \
    CALL(recv,    ssize_t, __recvfrom_chk, (int fd, void *buf, size_t n, size_t bl, int fl, __SOCKADDR_ARG from, socklen_t *fl2), (fd, buf, n, bl, fl, from, fl2)) \
    CALL(accept,  int,     accept,      (int fd, __SOCKADDR_ARG a, socklen_t *al), (fd, a, al))                  \
    CALL(accept,  int,     accept4,     (int fd, __SOCKADDR_ARG a, socklen_t *al, int fl), (fd, a, al, fl))      \
    CALL(connect, int,     connect,     (int fd, __CONST_SOCKADDR_ARG a, socklen_t al), (fd, a, al))             \
    CALL(connect, int,     __connect,   (int fd, __CONST_SOCKADDR_ARG a, socklen_t al), (fd, a, al))             \
    CALL(socket,  int,     getsockopt,  (int fd, int lv, int nm, void *v, socklen_t *vl), (fd, lv, nm, v, vl))   \
    CALL(socket,  int,     setsockopt,  (int fd, int lv, int nm, const void *v, socklen_t vl), (fd, lv, nm, v, vl)) \
    CALL(fd,      int,     close,       (int fd), (fd))                                                          \
    CALL(fd,      int,     __close,     (int fd), (fd))                                                          \
    CALL(fd,      int,     dup2,        (int fd, int fd2), (fd, fd2))                                            \
    CALL(fd,      int,     dup3,        (int fd, int fd2, int fl), (fd, fd2, fl))                                \
    CALL(fd,      int,     close_range, (unsigned int lo, unsigned int hi, int fl), (lo, hi, fl))                \
    CALL(signal,  int,     sigaction,   (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old)) \
    SIG(signal,   int,     __sigaction, (int sig, const struct sigaction *act, struct sigaction *old), (sig, act, old)) \
    SIG(signal,   sighandler_t, signal, (int sig, sighandler_t h), (sig, h))                                     \
    SIG(signal,   sighandler_t, bsd_signal, (int sig, sighandler_t h), (sig, h))                                 \
    SIG(signal,   sighandler_t, ssignal, (int sig, sighandler_t h), (sig, h))                                    \
    SIG(signal,   sighandler_t, sysv_signal, (int sig, sighandler_t h), (sig, h))                                \
    SIG(signal,   sighandler_t, __sysv_signal, (int sig, sighandler_t h), (sig, h))                              \
    SIG(signal,   sighandler_t, sigset, (int sig, sighandler_t h), (sig, h))                                     \
    SIG(signal,   int,     sigignore,   (int sig), (sig))                                                        \
    SIG(signal,   int,     siginterrupt, (int sig, int flag), (sig, flag))
/* clang-format on */
