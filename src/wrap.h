/* Generates the wrappers of the read/recv and write/send families, one
 * line each in wrap_*.c:
 *
 *   SOCKSHIELD_WRAP_IN(ret, name, (params), fd, requested, (args))
 *   SOCKSHIELD_WRAP_OUT(ret, name, (params), fd, (args))
 *
 * Each line defines the exported function and, beside it, a cold function
 * for everything but the common case.  The split is for speed: the
 * exported function stores its arguments in a small struct on its stack
 * (for a resume), clears the thread's signal record, makes the real call
 * and returns its result; only a result of 0 or -1, or an fd with a socket
 * timeout, goes to the cold function, by a tail call.  Nothing of the call
 * lives in callee-saved registers, so there is no save and restore around
 * the real call: that frame, not the instruction count, was most of the
 * cost on a fast system call (doc/performance.md).
 * read, write, recv, send, readv, writev, pread and pread64 go further
 * (SOCKSHIELD_WRAP_*_SYS): with one thread they make the system call
 * themselves, as glibc would.
 *
 * In `requested`, the arguments are a_->name (bytes asked for, for eof).
 * `make expand` prints src/wrap_write.c with all of this expanded
 * (EXPAND=wrap_read for another file). */
#ifndef SOCKSHIELD_WRAP_H
#define SOCKSHIELD_WRAP_H

#include <errno.h>
#include <sys/syscall.h>

#include "direct.h"
#include "io.h"
#include "log.h"
#include "real.h"

#define SOCKSHIELD_NARGS(...) SOCKSHIELD_NARGS_(__VA_ARGS__, 7, 6, 5, 4, 3, 2, 1, 0)
#define SOCKSHIELD_NARGS_(a, b, c, d, e, f, g, n, ...) n
#define SOCKSHIELD_CAT(a, b) SOCKSHIELD_CAT_(a, b)
#define SOCKSHIELD_CAT_(a, b) a##b

/* Parameter lists as struct fields, and arguments read back from it. */
#define SOCKSHIELD_FIELDS_1(a) a;
#define SOCKSHIELD_FIELDS_2(a, b) a; b;
#define SOCKSHIELD_FIELDS_3(a, b, c) a; b; c;
#define SOCKSHIELD_FIELDS_4(a, b, c, d) a; b; c; d;
#define SOCKSHIELD_FIELDS_5(a, b, c, d, e) a; b; c; d; e;
#define SOCKSHIELD_FIELDS_6(a, b, c, d, e, f) a; b; c; d; e; f;
#define SOCKSHIELD_FIELDS_7(a, b, c, d, e, f, g) a; b; c; d; e; f; g;
#define SOCKSHIELD_FIELDS(...) SOCKSHIELD_CAT(SOCKSHIELD_FIELDS_, SOCKSHIELD_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define SOCKSHIELD_FROM_1(a) a_->a
#define SOCKSHIELD_FROM_2(a, b) a_->a, a_->b
#define SOCKSHIELD_FROM_3(a, b, c) a_->a, a_->b, a_->c
#define SOCKSHIELD_FROM_4(a, b, c, d) SOCKSHIELD_FROM_3(a, b, c), a_->d
#define SOCKSHIELD_FROM_5(a, b, c, d, e) SOCKSHIELD_FROM_4(a, b, c, d), a_->e
#define SOCKSHIELD_FROM_6(a, b, c, d, e, f) SOCKSHIELD_FROM_5(a, b, c, d, e), a_->f
#define SOCKSHIELD_FROM_7(a, b, c, d, e, f, g) SOCKSHIELD_FROM_6(a, b, c, d, e, f), a_->g
#define SOCKSHIELD_FROM(...) SOCKSHIELD_CAT(SOCKSHIELD_FROM_, SOCKSHIELD_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define SOCKSHIELD_LIST(...) __VA_ARGS__
#define SOCKSHIELD_PARAMS_K(...) __VA_ARGS__, long k_

/* The cold function of a wrapper: the slow path, entered with the call's
 * result (0 or -1), or with call_first for an fd with a socket timeout.
 * AGAIN is the slow-path step, evaluated with io_, r_ and a_ in scope. */
#define SOCKSHIELD_SLOW(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN)                       \
    struct sockshield_args_##NAME { SOCKSHIELD_FIELDS PARAMS };                            \
    __attribute__((noinline)) static RET                                                   \
    sockshield_slow_##NAME(struct sockshield_args_##NAME *a_, RET r_, bool call_first)     \
    {                                                                                      \
        struct sockshield_io io_ = { .start_ns = 0, .id = SOCKSHIELD_CALL_##NAME,          \
                                     .fd = a_->FD, .dir = (DIR), .requested = (REQ) }; \
        if (call_first) {                                                                  \
            io_.start_ns = sockshield_io_now();                                            \
            if ((r_ = real_##NAME(SOCKSHIELD_FROM ARGS)) > 0)                              \
                return r_;                                                                 \
        }                                                                                  \
        while ((AGAIN) && (r_ = real_##NAME(SOCKSHIELD_FROM ARGS)) <= 0)                   \
            ;                                                                              \
        return r_;                                                                         \
    }

/* The function that calls glibc: clears the signal record, makes the real
 * call, returns its result; 0, -1 and timeout fds go to the cold function. */
#define SOCKSHIELD_CALLING(RET, FN, NAME, PARAMS, FD, ARGS)                                 \
    RET FN PARAMS                                                                          \
    {                                                                                      \
        struct sockshield_args_##NAME a_ = { SOCKSHIELD_LIST ARGS };                       \
        __asm__ volatile("" : "+m"(a_));                                                   \
        sockshield_tls.sigs = 0;                                                           \
        if (SOCKSHIELD_UNLIKELY(sockshield_timeo_any) &&                                   \
            (unsigned)(FD) < SOCKSHIELD_TIMEO_FDS && sockshield_fd_timeo[(FD)])            \
            return sockshield_slow_##NAME(&a_, 0, true);                                   \
        RET r_ = real_##NAME ARGS;                                                         \
        if (SOCKSHIELD_UNLIKELY(r_ <= 0))                                                  \
            return sockshield_slow_##NAME(&a_, r_, false);                                 \
        return r_;                                                                         \
    }

#define SOCKSHIELD_WRAP(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN)                        \
    SOCKSHIELD_SLOW(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN)                          \
    SOCKSHIELD_CALLING(RET, NAME, NAME, PARAMS, FD, ARGS)

/* The same machinery as a static function FN, for a wrapper with more to do
 * around the call (accept remembers the peer, recvmmsg with a timeout has
 * its own loop): FN(args) is the wrapped call of the real NAME. */
#define SOCKSHIELD_WRAPPED_AS(RET, FN, NAME, PARAMS, FD, DIR, REQ, ARGS)                     \
    SOCKSHIELD_SLOW(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, sockshield_io_again(&io_, r_))  \
    static inline SOCKSHIELD_CALLING(RET, FN, NAME, PARAMS, FD, ARGS)

/* A wrapper with a direct path (SYSCALL: syscall3 or syscall4, and its
 * arguments).  With one thread and no socket timeout learned, it clears
 * the record, makes the system call and returns; 0 and errors go to the
 * cold function by a sibling call with the arguments still in registers,
 * so this path has no frame at all.  An EAGAIN goes from there straight to
 * the logger (log.h), without the slow path's frames.  Otherwise it tail-calls the calling
 * function. */
#define SOCKSHIELD_WRAP_SYS(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN, SYSCALL)           \
    SOCKSHIELD_SLOW(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN)                          \
    __attribute__((noinline)) static SOCKSHIELD_CALLING(RET, sockshield_call_##NAME, NAME, \
                                                        PARAMS, FD, ARGS)                  \
    __attribute__((noinline)) static RET sockshield_direct_##NAME(SOCKSHIELD_PARAMS_K PARAMS) \
    {                                                                                      \
        if (k_ == -EAGAIN)                                                                 \
            return (RET)sockshield_log_again_direct(SOCKSHIELD_CALL_##NAME, (FD));         \
        struct sockshield_args_##NAME a_ = { SOCKSHIELD_LIST ARGS };                       \
        sockshield_tls.sigs = sockshield_sigs_alone;                                       \
        return sockshield_slow_##NAME(&a_, (RET)sockshield_syscall_result(k_), false);     \
    }                                                                                      \
    RET NAME PARAMS                                                                        \
    {                                                                                      \
        if (SOCKSHIELD_DIRECT_OK()) {                                                      \
            sockshield_sigs_alone = 0;                                                     \
            long k_ = SYSCALL;                                                             \
            if (SOCKSHIELD_LIKELY(k_ > 0))                                                 \
                return (RET)k_;                                                            \
            return sockshield_direct_##NAME(SOCKSHIELD_LIST ARGS, k_);                     \
        }                                                                                  \
        return sockshield_call_##NAME ARGS;                                                \
    }

/* The eight with a direct path: (syscall number, its arguments). */
#define SOCKSHIELD_WRAP_IN_SYS(ret, name, params, fd, requested, args, syscall)            \
    SOCKSHIELD_WRAP_SYS(ret, name, params, fd, SOCKSHIELD_DIR_IN, requested, args,         \
                        sockshield_io_again(&io_, r_), syscall)
#define SOCKSHIELD_WRAP_OUT_SYS(ret, name, params, fd, args, syscall)                       \
    SOCKSHIELD_WRAP_SYS(ret, name, params, fd, SOCKSHIELD_DIR_OUT, 0, args,                \
                        sockshield_io_again(&io_, r_), syscall)
#define SOCKSHIELD_WRAP_IN(ret, name, params, fd, requested, args)                          \
    SOCKSHIELD_WRAP(ret, name, params, fd, SOCKSHIELD_DIR_IN, requested, args,             \
                    sockshield_io_again(&io_, r_))
#define SOCKSHIELD_WRAP_OUT(ret, name, params, fd, args)                                    \
    SOCKSHIELD_WRAP(ret, name, params, fd, SOCKSHIELD_DIR_OUT, 0, args,                    \
                    sockshield_io_again(&io_, r_))
/* sendto: the destination is the peer of an event on a datagram socket. */
#define SOCKSHIELD_WRAP_OUT_TO(ret, name, params, fd, to, len, args)                        \
    SOCKSHIELD_WRAP(ret, name, params, fd, SOCKSHIELD_DIR_OUT, 0, args,                    \
                    sockshield_io_again_to(&io_, r_, (to), (len)))
/* sendmsg, sendmmsg: the destination is in the msghdr. */
#define SOCKSHIELD_WRAP_OUT_MSG(ret, name, params, fd, msg, args)                           \
    SOCKSHIELD_WRAP(ret, name, params, fd, SOCKSHIELD_DIR_OUT, 0, args,                    \
                    sockshield_io_again_msg(&io_, r_, (msg)))

#endif
