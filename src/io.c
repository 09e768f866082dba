/* The slow path of every wrapped I/O call, and the calls with bookkeeping
 * of their own (accept, connect, the socket options, the close family). */
#include "io.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "arch.h"
#include "fdinfo.h"
#include "log.h"
#include "restart.h"
#include "real.h"
#include "rawio.h"
#include "wrap.h"

uint8_t sockshield_fd_timeo[SOCKSHIELD_TIMEO_FDS];
uint8_t sockshield_timeo_any;

int64_t sockshield_io_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The socket's own timeout for this direction, in ns; 0 when none (or not
 * a socket).  Output calls and connect use SO_SNDTIMEO, as the
 * kernel does (sock_sndtimeo in its send paths and inet_stream_connect),
 * whatever a man page says. */
static int64_t socket_timeout(int fd, enum sockshield_dir dir)
{
    struct timeval tv;
    socklen_t len = sizeof tv;
    int opt = dir == SOCKSHIELD_DIR_OUT || dir == SOCKSHIELD_DIR_CONNECT ? SO_SNDTIMEO : SO_RCVTIMEO;
    if (syscall(SYS_getsockopt, fd, SOL_SOCKET, opt, &tv, &len) != 0)
        return 0;
    /* The kernel keeps timeouts of up to ~2^63 jiffies; past a century
     * nobody waits for expiry, and the product below would overflow. */
    if (tv.tv_sec / (365 * 86400) > 100)
        return 0;
    return (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;
}

/* Waits until fd is ready for the call or the deadline passes.
 * Returns 1 ready, 0 expired, -1 interrupted by a signal the policy says
 * must reach the program. */
static int wait_ready(struct sockshield_io *io)
{
    short events = io->dir == SOCKSHIELD_DIR_OUT || io->dir == SOCKSHIELD_DIR_CONNECT ? POLLOUT : POLLIN;
    for (;;) {
        int64_t left = io->deadline_ns - sockshield_io_now();
        if (left <= 0)
            return 0;
        struct pollfd p = { io->fd, events, 0 };
        int64_t ms = (left + 999999) / 1000000;
        /* libc poll: a cancellation point, as the call it stands for. */
        int n = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms);
        if (n > 0)
            return 1;
        if (n == 0)
            continue; /* rounding: check the clock again */
        if (errno != EINTR)
            return 1; /* let the call itself report the problem */
        if (!sockshield_restart_resume(&sockshield_cfg, sockshield_tls.sigs))
            return -1;
        sockshield_tls.sigs = 0;
    }
}

/* EINTR: resume or not.  On false, *err is what the program gets. */
static bool resume(struct sockshield_io *io, int *err)
{
    if (!sockshield_restart_resume(&sockshield_cfg, sockshield_tls.sigs))
        return false;
    if (sockshield_tls.sigs != 0)
        io->unrecorded = 0;
    else if (++io->unrecorded > SOCKSHIELD_UNRECORDED_MAX)
        return false; /* no signal behind it: it may never end (io.h) */
    sockshield_tls.sigs = 0;
    if (io->dir != SOCKSHIELD_DIR_OTHER && io->deadline_ns == 0) {
        int64_t t = socket_timeout(io->fd, io->dir);
        if (t > 0) {
            /* fds past the learning table only start counting now */
            if (!io->start_ns)
                io->start_ns = sockshield_io_now();
            io->deadline_ns = io->start_ns + t;
        } else {
            io->deadline_ns = -1;
        }
    }
    if (io->deadline_ns > 0) {
        int r = wait_ready(io);
        if (r == 0) {
            /* What the kernel's own expiry would have said. */
            *err = io->dir == SOCKSHIELD_DIR_CONNECT ? EINPROGRESS : EAGAIN;
            return false;
        }
        if (r < 0)
            return false;
    }
    sockshield_tls.depth++;
    sockshield_log_event(SOCKSHIELD_EV_EINTR, io->id, io->fd, EINTR, NULL, 0);
    sockshield_tls.depth--;
    return true;
}

static void report(struct sockshield_io *io, ssize_t result, int err, const struct sockaddr *to,
                   socklen_t to_len)
{
    bool stream = false;
    if (result == 0) {
        if (io->dir != SOCKSHIELD_DIR_IN || io->requested == 0 ||
            !(sockshield_cfg.events & SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_EOF)))
            return;
        stream = sockshield_fdinfo_is_stream_socket(io->fd);
    }
    enum sockshield_event ev = sockshield_event_classify(io->dir, result, err, stream, io->requested);
    if (ev != SOCKSHIELD_EV_NONE)
        sockshield_log_event(ev, io->id, io->fd, err, to, to_len);
}

/* The depth count is raised only around logging, never across the wait in
 * resume(): a handler that siglongjmps out of that wait (or a cancellation
 * there) would otherwise leave it raised and silence the thread's log. */
static bool slow_path(struct sockshield_io *io, ssize_t result, const struct sockaddr *to,
                      socklen_t to_len)
{
    int err = errno;
    bool again = false;
    if (result < 0 && err == EINTR) {
        again = resume(io, &err);
    } else {
        sockshield_tls.depth++;
        report(io, result, err, to, to_len);
        sockshield_tls.depth--;
    }
    errno = err;
    return again;
}

bool sockshield_io_again(struct sockshield_io *io, ssize_t result)
{
    return slow_path(io, result, NULL, 0);
}

bool sockshield_io_again_to(struct sockshield_io *io, ssize_t result, const struct sockaddr *to,
                            socklen_t len)
{
    return slow_path(io, result, to, len);
}

bool sockshield_io_again_msg(struct sockshield_io *io, ssize_t result, const struct msghdr *msg)
{
    /* The kernel copies the msghdr and its name before any error that is
     * an event (EBADF, ENOTSOCK, EFAULT come first and are none), so they
     * are readable exactly when there is something to log. */
    const struct sockaddr *to = NULL;
    socklen_t len = 0;
    int err = errno;
    if (result < 0 && msg &&
        sockshield_event_classify(SOCKSHIELD_DIR_OUT, -1, err, false, 0) != SOCKSHIELD_EV_NONE) {
        to = msg->msg_name;
        len = to ? msg->msg_namelen : 0;
    }
    errno = err;
    return slow_path(io, result, to, len);
}

/* ---- accept ---------------------------------------------------------- */

SOCKSHIELD_WRAPPED_AS(int, wrapped_accept, accept, (int fd, __SOCKADDR_ARG a, socklen_t *l), fd,
                      SOCKSHIELD_DIR_ACCEPT, 0, (fd, a, l))
SOCKSHIELD_WRAPPED_AS(int, wrapped_accept4, accept4, (int fd, __SOCKADDR_ARG a, socklen_t *l, int f),
                      fd, SOCKSHIELD_DIR_ACCEPT, 0, (fd, a, l, f))

int sockshield_io_accept(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool four)
{
    /* Without a buffer from the program the kernel fills ours.  With one,
     * its size is not ours to read (the kernel may answer EFAULT for it),
     * so the new fd's peer is asked of the kernel instead (fdinfo). */
    struct sockaddr_storage own;
    socklen_t own_len = sizeof own;
    struct sockaddr *a = addr ? addr : (struct sockaddr *)&own;
    socklen_t *l = addr ? len : &own_len;
    __SOCKADDR_ARG arg = SOCKSHIELD_SOCKADDR_INIT(a);
    int r = four ? wrapped_accept4(fd, arg, l, flags) : wrapped_accept(fd, arg, l);
    if (r >= 0) {
        int saved = errno;
        if (addr)
            sockshield_fdinfo_remember(r, NULL, 0);
        else
            sockshield_fdinfo_remember(r, a, own_len);
        errno = saved;
    }
    return r;
}

/* ---- connect ----------------------------------------------------------- */

static bool inet_stream(int fd)
{
    int type, domain;
    return sockshield_fdinfo_socket_type(fd, &type, &domain) && type == SOCK_STREAM &&
           (domain == AF_INET || domain == AF_INET6);
}

static bool connected(int fd)
{
    struct sockaddr_storage peer;
    socklen_t l = sizeof peer;
    return syscall(SYS_getpeername, fd, &peer, &l) == 0;
}

/* An interrupted connect goes on in the kernel (connect(2)).  TCP: wait
 * for writability and read SO_ERROR, never connect twice.  AF_UNIX keeps no
 * pending attempt (unix_stream_connect starts over): connect again,
 * EISCONN meaning done.
 * A TCP socket that is writable without error yet not connected had no
 * attempt pending at all (the EINTR came from below us, not from the
 * kernel's wait): that one is started again like AF_UNIX. */
static int finish_connect(struct sockshield_io *io, int (*again)(int, __CONST_SOCKADDR_ARG, socklen_t),
                          const struct sockaddr *addr, socklen_t len)
{
    bool tcp = inet_stream(io->fd);
    __CONST_SOCKADDR_ARG arg = SOCKSHIELD_SOCKADDR_INIT(addr);
    for (;;) {
        int err = EINTR;
        if (!resume(io, &err)) {
            /* The kernel's own expiry: EINPROGRESS on TCP, EAGAIN on
             * AF_UNIX (net/unix/af_unix.c, unix_stream_connect). */
            errno = err == EINPROGRESS && !tcp ? EAGAIN : err;
            return -1;
        }
        if (tcp) {
            struct pollfd p = { io->fd, POLLOUT, 0 };
            int n = poll(&p, 1, -1);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return -1;
            }
            int soerr = 0;
            socklen_t l = sizeof soerr;
            if (syscall(SYS_getsockopt, io->fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0)
                return -1;
            if (soerr != 0) {
                errno = soerr;
                return -1;
            }
            if (connected(io->fd))
                return 0;
        }
        int r = again(io->fd, arg, len);
        if (r == 0 || (r < 0 && errno == EISCONN))
            return 0;
        if (errno != EINTR && errno != EALREADY)
            return -1;
    }
}

int sockshield_io_connect(enum sockshield_call id, int fd, const struct sockaddr *addr, socklen_t len)
{
    int (*real)(int, __CONST_SOCKADDR_ARG, socklen_t) = real_connect;
#if SOCKSHIELD_GLIBC
    if (id == SOCKSHIELD_CALL___connect)
        real = real___connect;
#endif
    __CONST_SOCKADDR_ARG arg = SOCKSHIELD_SOCKADDR_INIT(addr);
    struct sockshield_io io;
    sockshield_io_enter(&io, id, fd, SOCKSHIELD_DIR_CONNECT, 0);
    int r = real(fd, arg, len);
    if (r == 0 || errno == EINPROGRESS || errno == EINTR ||
        sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, errno, false, 0) !=
            SOCKSHIELD_EV_NONE) {
        /* Remember where it goes (a failed attempt too: its event names
         * this target, not an earlier one): after a reset the kernel no
         * longer says. */
        int saved = errno;
        sockshield_fdinfo_remember(fd, addr, len);
        errno = saved;
    }
    if (r < 0 && errno == EINTR)
        r = finish_connect(&io, real, addr, len);
    if (r < 0) {
        /* The target is named even when the kernel forgot it already. */
        int err = errno;
        enum sockshield_event ev =
            sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, err, false, 0);
        if (ev != SOCKSHIELD_EV_NONE) {
            sockshield_tls.depth++;
            sockshield_log_event(ev, id, fd, err, addr, len);
            sockshield_tls.depth--;
        }
        errno = err;
    }
    return r;
}

/* ---- recvmmsg with a timeout ------------------------------------------------ */

/* The kernel measures recvmmsg's timeout from the start of the call and
 * leaves *t untouched on EINTR (verified), so a plain resume would start
 * the whole timeout again.  Each resume passes what is left of it instead;
 * nothing left means {0, 0}: return after the next datagram, which is what
 * the uninterrupted call would have done (recvmmsg(2) BUGS: the timeout is
 * only looked at after each datagram).  On success the caller's *t gets
 * what the kernel says is left, as without us. */
int sockshield_io_recvmmsg(int fd, struct mmsghdr *v, unsigned int n, SOCKSHIELD_MMSG_FLAGS flags, struct timespec *t)
{
    struct sockshield_io io;
    sockshield_io_enter(&io, SOCKSHIELD_CALL_recvmmsg, fd, SOCKSHIELD_DIR_IN, 0);
    int64_t start = sockshield_io_now();
    struct timespec left, *arg = t;
    int r;
    while ((r = real_recvmmsg(fd, v, n, flags, arg)) <= 0 && sockshield_io_again(&io, r)) {
        /* The first call accepted *t, so it is valid; past 30 years
         * (and the int64 nanoseconds) it is resumed as it is. */
        if ((int64_t)t->tv_sec >= (int64_t)30 * 365 * 86400)
            continue;
        int64_t ns = (int64_t)t->tv_sec * 1000000000 + t->tv_nsec - (sockshield_io_now() - start);
        if (ns < 0)
            ns = 0;
        left.tv_sec = ns / 1000000000;
        left.tv_nsec = ns % 1000000000;
        arg = &left;
    }
    if (r > 0 && arg == &left)
        *t = left;
    return r;
}

#if SOCKSHIELD_TIME64
/* The same with glibc's 64-bit timespec (symbols.h). */
int sockshield_io_recvmmsg64(int fd, struct mmsghdr *v, unsigned int n, int flags, struct sockshield_ts64 *t)
{
    struct sockshield_io io;
    sockshield_io_enter(&io, SOCKSHIELD_CALL___recvmmsg64, fd, SOCKSHIELD_DIR_IN, 0);
    int64_t start = sockshield_io_now();
    struct sockshield_ts64 left = { 0, 0, 0 }, *arg = t;
    int r;
    while ((r = real___recvmmsg64(fd, v, n, flags, arg)) <= 0 && sockshield_io_again(&io, r)) {
        if (t->tv_sec >= (long long)30 * 365 * 86400)
            continue;
        int64_t ns = (int64_t)t->tv_sec * 1000000000 + t->tv_nsec - (sockshield_io_now() - start);
        if (ns < 0)
            ns = 0;
        left.tv_sec = ns / 1000000000;
        left.tv_nsec = (long)(ns % 1000000000);
        arg = &left;
    }
    if (r > 0 && arg == &left)
        *t = left;
    return r;
}
#endif

/* ---- socket options ------------------------------------------------------ */

/* A pending error read and cleared: how clients learn the outcome of a
 * non-blocking connect, and UDP programs an ICMP error.  Logged under the
 * call that told the program, like every other event. */
static int after_getsockopt(int r, enum sockshield_call id, int fd, int level, int name,
                            void *val, socklen_t *len)
{
    if (SOCKSHIELD_UNLIKELY(r == 0 && level == SOL_SOCKET && name == SO_ERROR) && val && len &&
        *len >= sizeof(int) && *(int *)val) {
        int soerr = *(int *)val;
        enum sockshield_event ev =
            sockshield_event_classify(SOCKSHIELD_DIR_OTHER, -1, soerr, false, 0);
        if (ev != SOCKSHIELD_EV_NONE) {
            sockshield_tls.depth++;
            sockshield_log_event(ev, id, fd, soerr, NULL, 0);
            sockshield_tls.depth--;
        }
    }
    return r;
}

int sockshield_io_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
    return after_getsockopt(real_getsockopt(fd, level, name, val, len), SOCKSHIELD_CALL_getsockopt,
                            fd, level, name, val, len);
}

/* Whether a socket timeout was set or cleared: the timeval of the ABI
 * (SO_RCVTIMEO), or the 64-bit one (SO_RCVTIMEO_NEW: programs built with
 * 64-bit time_t on 32-bit targets, and anyone who asks for it). */
static bool timeo_option(int name, const void *val, socklen_t len, uint8_t *bit, bool *set)
{
    if (!val)
        return false;
    if ((name == SO_RCVTIMEO || name == SO_SNDTIMEO) && len >= sizeof(struct timeval)) {
        const struct timeval *tv = val;
        *set = tv->tv_sec || tv->tv_usec;
        *bit = name == SO_RCVTIMEO ? SOCKSHIELD_TIMEO_IN : SOCKSHIELD_TIMEO_OUT;
        return true;
    }
#ifdef SO_RCVTIMEO_NEW
    if ((name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW) && len >= 2 * sizeof(int64_t)) {
        int64_t tv[2];
        memcpy(tv, val, sizeof tv);
        *set = tv[0] || tv[1];
        *bit = name == SO_RCVTIMEO_NEW ? SOCKSHIELD_TIMEO_IN : SOCKSHIELD_TIMEO_OUT;
        return true;
    }
#endif
    return false;
}

static int after_setsockopt(int r, int fd, int level, int name, const void *val, socklen_t len)
{
    uint8_t bit;
    bool set;
    if (r == 0 && level == SOL_SOCKET && (unsigned)fd < SOCKSHIELD_TIMEO_FDS &&
        timeo_option(name, val, len, &bit, &set)) {
        if (set) {
            __atomic_or_fetch(&sockshield_fd_timeo[fd], bit, __ATOMIC_RELAXED);
            /* The direct path does not look at the table: off first. */
            sockshield_direct_off();
            __atomic_store_n(&sockshield_timeo_any, 1, __ATOMIC_RELAXED);
        }
        else
            __atomic_and_fetch(&sockshield_fd_timeo[fd], (uint8_t)~bit, __ATOMIC_RELAXED);
    }
    return r;
}

int sockshield_io_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
    return after_setsockopt(real_setsockopt(fd, level, name, val, len), fd, level, name, val, len);
}

#if SOCKSHIELD_TIME64
int sockshield_io_getsockopt64(int fd, int level, int name, void *val, socklen_t *len)
{
    return after_getsockopt(real___getsockopt64(fd, level, name, val, len),
                            SOCKSHIELD_CALL___getsockopt64, fd, level, name, val, len);
}

int sockshield_io_setsockopt64(int fd, int level, int name, const void *val, socklen_t len)
{
    return after_setsockopt(real___setsockopt64(fd, level, name, val, len), fd, level, name, val,
                            len);
}
#endif

/* ---- the close family: forget, then let the program's call happen ------- */

/* Our log fd needs nothing here: the sink checks its device and inode
 * before every write and reopens when the number is no longer ours. */
static void forget(int fd)
{
    if ((unsigned)fd < SOCKSHIELD_TIMEO_FDS && sockshield_fd_timeo[fd])
        __atomic_store_n(&sockshield_fd_timeo[fd], 0, __ATOMIC_RELAXED);
    sockshield_fdinfo_forget(fd);
}

int sockshield_io_close(enum sockshield_call id, int fd)
{
    forget(fd);
    /* Never retried: the fd is gone even on EINTR (close(2)). */
#if SOCKSHIELD_GLIBC
    if (id == SOCKSHIELD_CALL___close)
        return real___close(fd);
#endif
    return real_close(fd);
}

int sockshield_io_dup(enum sockshield_call id, int fd, int fd2, int flags)
{
    int r = id == SOCKSHIELD_CALL_dup3 ? real_dup3(fd, fd2, flags) : real_dup2(fd, fd2);
    if (r >= 0 && fd != fd2) {
        int saved = errno;
        forget(fd2);
        sockshield_fdinfo_copy(fd, fd2);
        if ((unsigned)fd < SOCKSHIELD_TIMEO_FDS && (unsigned)fd2 < SOCKSHIELD_TIMEO_FDS)
            sockshield_fd_timeo[fd2] = sockshield_fd_timeo[fd];
        if (fd2 == 2)
            sockshield_rawio_stderr_remember(); /* a redirect the program made */
        errno = saved;
    }
    return r;
}

#if SOCKSHIELD_GLIBC
int sockshield_io_close_range(unsigned lo, unsigned hi, int flags)
{
    int r = real_close_range(lo, hi, flags);
    if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC)) {
        if (lo < SOCKSHIELD_TIMEO_FDS) {
            unsigned top = hi < SOCKSHIELD_TIMEO_FDS - 1 ? hi : SOCKSHIELD_TIMEO_FDS - 1;
            memset(&sockshield_fd_timeo[lo], 0, top - lo + 1);
        }
        sockshield_fdinfo_forget_range(lo, hi);
    }
    return r;
}
#endif
