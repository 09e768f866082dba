/* The engine behind every wrapped I/O call: resume on EINTR under the
 * policy of design.md §4, turn errors into events.
 *
 * The fast path adds a few instructions to the real call: save and clear
 * the thread's signal record, one byte load to learn whether the fd has a
 * socket timeout, and a test of the result.  Everything else happens in
 * sockshield_io_again(), reached only when the call returned 0 or -1. */
#ifndef SOCKSHIELD_IO_H
#define SOCKSHIELD_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "event.h"
#include "shield.h"

/* Per-fd bits learned from setsockopt: the fd has SO_RCVTIMEO/SO_SNDTIMEO,
 * so its blocking calls read the clock at entry to keep the total wait
 * within the program's timeout.  fds past the table are checked lazily. */
#define SOCKSHIELD_TIMEO_FDS 65536
#define SOCKSHIELD_TIMEO_IN  1
#define SOCKSHIELD_TIMEO_OUT 2
extern SOCKSHIELD_HIDDEN uint8_t sockshield_fd_timeo[SOCKSHIELD_TIMEO_FDS];
/* Set once any fd got a timeout: until then the table is not even looked at. */
extern SOCKSHIELD_HIDDEN uint8_t sockshield_timeo_any;

struct sockshield_io {
    int64_t start_ns;      /* CLOCK_MONOTONIC at entry, 0 when not taken */
    int64_t deadline_ns;   /* 0 until known */
    enum sockshield_call id;
    enum sockshield_dir dir;
    int fd;
    size_t requested;      /* bytes asked for, for eof */
    unsigned resumed;
};

/* CLOCK_MONOTONIC in ns. */
int64_t sockshield_io_now(void);

/* A handler that runs inside a wrapped call and makes wrapped calls itself
 * clears the record too; the trampoline puts back what it found, so the
 * enclosing call still sees its signals (sigpolicy.c). */
static inline void sockshield_io_enter(struct sockshield_io *io, enum sockshield_call id, int fd,
                                       enum sockshield_dir dir, size_t requested)
{
    sockshield_tls.sigs = 0;
    io->id = id;
    io->fd = fd;
    io->dir = dir;
    io->requested = requested;
    io->start_ns = 0;
    io->deadline_ns = 0;
    io->resumed = 0;
    if (SOCKSHIELD_UNLIKELY(sockshield_timeo_any) && (unsigned)fd < SOCKSHIELD_TIMEO_FDS &&
        sockshield_fd_timeo[fd])
        io->start_ns = sockshield_io_now();
}

/* The call returned `result` (0 or -1, errno set).  Logs what it means and
 * returns true when the call should be made again (EINTR to resume).
 * errno is preserved whenever it returns false. */
bool sockshield_io_again(struct sockshield_io *io, ssize_t result);
/* The same for calls that name a destination (sendto; sendmsg and sendmmsg
 * through their msghdr): an event's peer is that address on a datagram
 * socket.  The arguments are looked at only when an event is logged, and
 * only after the kernel accepted them (never on EFAULT). */
bool sockshield_io_again_to(struct sockshield_io *io, ssize_t result, const struct sockaddr *to,
                            socklen_t len);
bool sockshield_io_again_msg(struct sockshield_io *io, ssize_t result, const struct msghdr *msg);

/* Pins a wrapper's arguments to its stack frame: "+m" tells the compiler
 * the values may have changed in memory, so the real call and any resume
 * load them from there.  Without it every argument lives in a callee-saved
 * register across the real call, a push, a pop and a move each; with it, a
 * store and a load (the benchmark counts the instructions). */
#define SOCKSHIELD_PIN_1(a) "+m"(a)
#define SOCKSHIELD_PIN_2(a, b) "+m"(a), "+m"(b)
#define SOCKSHIELD_PIN_3(a, b, c) "+m"(a), "+m"(b), "+m"(c)
#define SOCKSHIELD_PIN_4(a, b, c, d) SOCKSHIELD_PIN_3(a, b, c), "+m"(d)
#define SOCKSHIELD_PIN_5(a, b, c, d, e) SOCKSHIELD_PIN_4(a, b, c, d), "+m"(e)
#define SOCKSHIELD_PIN_6(a, b, c, d, e, f) SOCKSHIELD_PIN_5(a, b, c, d, e), "+m"(f)
#define SOCKSHIELD_PIN_7(a, b, c, d, e, f, g) SOCKSHIELD_PIN_6(a, b, c, d, e, f), "+m"(g)
#define SOCKSHIELD_NARGS(...) SOCKSHIELD_NARGS_(__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0)
#define SOCKSHIELD_NARGS_(a, b, c, d, e, f, g, n, ...) n
#define SOCKSHIELD_CAT(a, b) SOCKSHIELD_CAT_(a, b)
#define SOCKSHIELD_CAT_(a, b) a##b
#define SOCKSHIELD_PIN(...) SOCKSHIELD_CAT(SOCKSHIELD_PIN_, SOCKSHIELD_NARGS(__VA_ARGS__))(__VA_ARGS__)

/* A wrapped call: REAL ARGS is the real call, made again on each resume;
 * AGAIN (the slow path) is evaluated only when it returned 0 or -1.
 * The fast path clears the thread's signal record and, only for fds with a
 * socket timeout, reads the clock; the state of the slow path is built only
 * when the call returned 0 or -1. */
#define SOCKSHIELD_IO_WITH(ID, FD, DIR, REQ, REAL, ARGS, AGAIN)                           \
    __extension__({                                                                       \
        int64_t start_ = 0;                                                               \
        __typeof__(REAL ARGS) r_;                                                         \
        sockshield_tls.sigs = 0;                                                          \
        if (SOCKSHIELD_UNLIKELY(sockshield_timeo_any) &&                                  \
            (unsigned)(FD) < SOCKSHIELD_TIMEO_FDS && sockshield_fd_timeo[(FD)])           \
            start_ = sockshield_io_now();                                                 \
        __asm__ volatile("" : SOCKSHIELD_PIN ARGS, "+m"(start_));                         \
        r_ = REAL ARGS;                                                                   \
        if (SOCKSHIELD_UNLIKELY(r_ <= 0)) {                                               \
            struct sockshield_io io_ = { .start_ns = start_, .id = (ID), .fd = (FD),      \
                                         .dir = (DIR), .requested = (REQ) };              \
            while ((AGAIN) && (r_ = REAL ARGS) <= 0)                                      \
                ;                                                                         \
        }                                                                                 \
        r_;                                                                               \
    })
#define SOCKSHIELD_IO_ID(ID, FD, DIR, REQ, REAL, ARGS) \
    SOCKSHIELD_IO_WITH(ID, FD, DIR, REQ, REAL, ARGS, sockshield_io_again(&io_, r_))

#define SOCKSHIELD_IO(name, fd, dir, requested, args) \
    SOCKSHIELD_IO_ID(SOCKSHIELD_CALL_##name, fd, dir, requested, real_##name, args)
/* The wrappers of the read/recv and write/send families. */
#define SOCKSHIELD_IN(name, fd, n, args) SOCKSHIELD_IO(name, fd, SOCKSHIELD_DIR_IN, n, args)
#define SOCKSHIELD_OUT(name, fd, args) SOCKSHIELD_IO(name, fd, SOCKSHIELD_DIR_OUT, 0, args)
#define SOCKSHIELD_OUT_TO(name, fd, to, len, args)                                      \
    SOCKSHIELD_IO_WITH(SOCKSHIELD_CALL_##name, fd, SOCKSHIELD_DIR_OUT, 0, real_##name, args, \
                       sockshield_io_again_to(&io_, r_, (to), (len)))
#define SOCKSHIELD_OUT_MSG(name, fd, msg, args)                                          \
    SOCKSHIELD_IO_WITH(SOCKSHIELD_CALL_##name, fd, SOCKSHIELD_DIR_OUT, 0, real_##name, args, \
                       sockshield_io_again_msg(&io_, r_, (msg)))

/* Calls with their own bookkeeping (io.c). */
int sockshield_accept(enum sockshield_call id, int fd, struct sockaddr *addr, socklen_t *len,
                      int flags, bool four);
int sockshield_connect(enum sockshield_call id, int fd, const struct sockaddr *addr,
                       socklen_t len);
/* recvmmsg with a timeout (t != NULL): resumed with what is left of it. */
int sockshield_recvmmsg(int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *t);
int sockshield_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int sockshield_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int sockshield_close(enum sockshield_call id, int fd);
int sockshield_dup(enum sockshield_call id, int fd, int fd2, int flags);
int sockshield_close_range(unsigned lo, unsigned hi, int flags);

#endif
