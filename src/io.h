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

#include "event.h"
#include "shield.h"

/* Per-fd bits learned from setsockopt: the fd has SO_RCVTIMEO/SO_SNDTIMEO,
 * so its blocking calls read the clock at entry to keep the total wait
 * within the program's timeout.  fds past the table are checked lazily. */
#define SOCKSHIELD_TIMEO_FDS 65536
#define SOCKSHIELD_TIMEO_IN  1
#define SOCKSHIELD_TIMEO_OUT 2
extern uint8_t sockshield_fd_timeo[SOCKSHIELD_TIMEO_FDS];

struct sockshield_io {
    uint64_t saved_sigs;   /* the enclosing call's record (nested handlers) */
    int64_t start_ns;      /* CLOCK_MONOTONIC at entry, 0 when not taken */
    int64_t deadline_ns;   /* 0 until known */
    enum sockshield_call id;
    enum sockshield_dir dir;
    int fd;
    size_t requested;      /* bytes asked for, for eof */
    unsigned resumed;
};

void sockshield_io_clock(struct sockshield_io *io);

static inline void sockshield_io_enter(struct sockshield_io *io, enum sockshield_call id, int fd,
                                       enum sockshield_dir dir, size_t requested)
{
    io->saved_sigs = sockshield_tls.sigs;
    sockshield_tls.sigs = 0;
    io->id = id;
    io->fd = fd;
    io->dir = dir;
    io->requested = requested;
    io->start_ns = 0;
    io->deadline_ns = 0;
    io->resumed = 0;
    if (SOCKSHIELD_UNLIKELY((unsigned)fd < SOCKSHIELD_TIMEO_FDS && sockshield_fd_timeo[fd]))
        sockshield_io_clock(io);
}

static inline void sockshield_io_leave(struct sockshield_io *io)
{
    sockshield_tls.sigs |= io->saved_sigs;
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

/* A wrapped call: `call` is the real call, re-evaluated on each resume;
 * `again` (the slow path) is evaluated only when it returned 0 or -1. */
#define SOCKSHIELD_IO_WITH(id, fd, dir, requested, call, again)                \
    __extension__({                                                            \
        struct sockshield_io io_;                                              \
        __typeof__(call) r_;                                                   \
        sockshield_io_enter(&io_, (id), (fd), (dir), (requested));             \
        while (SOCKSHIELD_UNLIKELY((r_ = (call)) <= 0) && (again))             \
            ;                                                                  \
        sockshield_io_leave(&io_);                                             \
        r_;                                                                    \
    })
#define SOCKSHIELD_IO_ID(id, fd, dir, requested, call) \
    SOCKSHIELD_IO_WITH(id, fd, dir, requested, call, sockshield_io_again(&io_, r_))

#define SOCKSHIELD_IO(id, fd, dir, requested, call) \
    SOCKSHIELD_IO_ID(SOCKSHIELD_CALL_##id, fd, dir, requested, call)
#define SOCKSHIELD_IN(id, fd, n, call) SOCKSHIELD_IO(id, fd, SOCKSHIELD_DIR_IN, n, call)
#define SOCKSHIELD_OUT(id, fd, call) SOCKSHIELD_IO(id, fd, SOCKSHIELD_DIR_OUT, 0, call)
#define SOCKSHIELD_OUT_TO(id, fd, to, len, call)                                    \
    SOCKSHIELD_IO_WITH(SOCKSHIELD_CALL_##id, fd, SOCKSHIELD_DIR_OUT, 0, call,       \
                       sockshield_io_again_to(&io_, r_, (to), (len)))
#define SOCKSHIELD_OUT_MSG(id, fd, msg, call)                                       \
    SOCKSHIELD_IO_WITH(SOCKSHIELD_CALL_##id, fd, SOCKSHIELD_DIR_OUT, 0, call,       \
                       sockshield_io_again_msg(&io_, r_, (msg)))

/* Calls with their own bookkeeping (io.c). */
int sockshield_accept(enum sockshield_call id, int fd, struct sockaddr *addr, socklen_t *len,
                      int flags, bool four);
int sockshield_connect(enum sockshield_call id, int fd, const struct sockaddr *addr,
                       socklen_t len);
int sockshield_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int sockshield_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int sockshield_close(enum sockshield_call id, int fd);
int sockshield_dup(enum sockshield_call id, int fd, int fd2, int flags);
int sockshield_close_range(unsigned lo, unsigned hi, int flags);

#endif
