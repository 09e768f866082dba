/* The library's own output at the lowest level: writes that never block
 * and never raise a signal the program can see, fd 2 as the stderr sink
 * knows it, and our fds moved away from the program's numbers.  A leaf:
 * system calls and libc, nothing of the rest of the library, so the
 * warnings of any layer (state.c) and the log's sinks (log.c) share it.
 * Everything here is async-signal-safe. */
#include "rawio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The stderr sink writes only into the fd 2 the process had when the
 * library loaded, or one the program itself put there with dup2 (io.c):
 * a daemon that closed its stdio gets its next file on fd 2, and our
 * lines must not land in it. */
static struct {
    int state; /* 0 not looked at yet, 1 known, -1 fd 2 was closed */
    struct sockshield_fdid id;
} err2;

/* The kernel's struct statx (include/uapi/linux/stat.h), the same on every
 * architecture; spelled here because not every C library's headers have
 * it. */
struct kernel_statx_time {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};
struct kernel_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad0;
    uint64_t ino, size, blocks, attributes_mask;
    struct kernel_statx_time atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
_Static_assert(sizeof(struct kernel_statx) == 256, "struct statx is 256 bytes");

int sockshield_rawio_fdid(int fd, struct sockshield_fdid *id)
{
#ifdef SYS_statx
    static int no_statx;
    if (!__atomic_load_n(&no_statx, __ATOMIC_RELAXED)) {
        struct kernel_statx x;
        /* AT_EMPTY_PATH (0x1000): fd itself; STATX_TYPE | STATX_INO */
        if (syscall(SYS_statx, fd, "", 0x1000, 0x1u | 0x100u, &x) == 0) {
            id->dev = (uint64_t)x.dev_major << 32 | x.dev_minor;
            id->ino = x.ino;
            id->mode = x.mode & S_IFMT;
            return 0;
        }
        /* ENOSYS: a kernel before 4.11; EPERM: a seccomp filter that
         * predates statx (statx on an fd has no other use for it) */
        if (errno != ENOSYS && errno != EPERM)
            return -1;
        __atomic_store_n(&no_statx, 1, __ATOMIC_RELAXED);
    }
#endif
    struct stat st;
    if (fstat(fd, &st) != 0)
        return -1;
    id->dev = (uint64_t)major(st.st_dev) << 32 | minor(st.st_dev);
    id->ino = (uint64_t)st.st_ino;
    id->mode = st.st_mode & S_IFMT;
    return 0;
}

/* true when all of it was written. */
bool sockshield_rawio_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        long w = syscall(SYS_write, fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false; /* EAGAIN on a full FIFO, ENOSPC...: drop, never block */
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* A write into a pipe or FIFO that raises no signal the program can see:
 * SIGPIPE blocked on this thread for the write, and the one the write
 * raised (EPIPE) consumed, unless one was pending already: standard
 * signals do not queue, so ours then merged into the program's own.
 * (The pattern of postgres' libpq, pq_block_sigpipe.) */
bool sockshield_rawio_quiet_write(int fd, const char *p, size_t n)
{
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &pipe_only, &old, _NSIG / 8) != 0)
        return false;
    bool was_pending = syscall(SYS_rt_sigpending, &pending, _NSIG / 8) != 0 ||
                       sigismember(&pending, SIGPIPE);
    bool ok = sockshield_rawio_write_all(fd, p, n);
    if (!ok && errno == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        syscall(SYS_rt_sigtimedwait, &pipe_only, NULL, &zero, _NSIG / 8);
    }
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, _NSIG / 8);
    return ok;
}

/* Our fds live high, away from the numbers programs use and reuse. */
int sockshield_rawio_move_high(int fd)
{
    struct rlimit rl;
    long floor = 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        floor = (long)rl.rlim_cur - (long)rl.rlim_cur / 4;
    if (floor < 10)
        floor = 10;
    long hi = syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, floor);
    if (hi < 0)
        return fd;
    syscall(SYS_close, fd);
    return (int)hi;
}

static void stderr_identity(void)
{
    if (sockshield_rawio_fdid(2, &err2.id) != 0) {
        __atomic_store_n(&err2.state, -1, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&err2.state, 1, __ATOMIC_RELEASE);
}

void sockshield_rawio_stderr_remember(void)
{
    stderr_identity();
}

/* A line into fd 2's pipe or FIFO through an open file description of our
 * own, non-blocking, so the program's (and its O_NONBLOCK flag) stays
 * untouched.  It is opened for this line only: a writer we kept would
 * hold the pipe open after the program closed its stderr, and the reader
 * (a shell's $(...), a supervisor) would wait for an EOF that never
 * comes.  Without /proc (or when the pipe's owner is another user now)
 * the line goes to fd 2 itself, only when poll says a PIPE_BUF-sized line
 * fits. */
static bool stderr_pipe_write(const char *rec, size_t len)
{
    struct sockshield_fdid id;
    long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/fd/2",
                      O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
        fd = sockshield_rawio_move_high((int)fd);
        if (fd >= 0 && (sockshield_rawio_fdid((int)fd, &id) != 0 || id.dev != err2.id.dev ||
                        id.ino != err2.id.ino)) {
            syscall(SYS_close, fd);
            return false; /* fd 2 changed under us: not the stderr we know */
        }
    } else if (errno == ENXIO) {
        return false; /* the reader has gone */
    }
    if (fd < 0) {
        struct pollfd p = { 2, POLLOUT, 0 };
        struct timespec zero = { 0, 0 };
        if (len > PIPE_BUF || syscall(SYS_ppoll, &p, 1, &zero, NULL, 0) != 1 ||
            (p.revents & (POLLOUT | POLLERR)) != POLLOUT)
            return false;
        return sockshield_rawio_quiet_write(2, rec, len);
    }
    bool ok = sockshield_rawio_quiet_write((int)fd, rec, len);
    syscall(SYS_close, fd);
    return ok;
}

/* A record to fd 2, never blocking, never signalling: a socket gets
 * send(MSG_DONTWAIT | MSG_NOSIGNAL), a pipe or FIFO stderr_pipe_write,
 * anything else (a file, a terminal) a plain write.  False drops the line
 * (counted in the summary's unlogged). */
bool sockshield_rawio_stderr(const char *rec, size_t len)
{
    int state = __atomic_load_n(&err2.state, __ATOMIC_ACQUIRE);
    if (state == 0) {
        stderr_identity();
        state = __atomic_load_n(&err2.state, __ATOMIC_ACQUIRE);
    }
    if (state < 0)
        return false;
    struct sockshield_fdid id;
    if (sockshield_rawio_fdid(2, &id) != 0 || id.dev != err2.id.dev || id.ino != err2.id.ino)
        return false;
    if (err2.id.mode == S_IFSOCK) {
        long w;
        do
            w = syscall(SYS_sendto, 2, rec, len, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0);
        while (w < 0 && errno == EINTR);
        return w == (long)len;
    }
    if (err2.id.mode != S_IFIFO)
        return sockshield_rawio_write_all(2, rec, len);
    return stderr_pipe_write(rec, len);
}
