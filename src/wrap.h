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
 * the real call: the benchmark (make bench) showed that frame, not the
 * instruction count, was most of the cost on a fast system call.
 *
 * In `requested`, the arguments are a_->name (bytes asked for, for eof). */
#ifndef SOCKSHIELD_WRAP_H
#define SOCKSHIELD_WRAP_H

#include "io.h"
#include "real.h"

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

/* AGAIN is the slow-path step, evaluated with io_, r_ and a_ in scope. */
#define SOCKSHIELD_WRAP(RET, NAME, PARAMS, FD, DIR, REQ, ARGS, AGAIN)                        \
    struct sockshield_args_##NAME { SOCKSHIELD_FIELDS PARAMS };                            \
    __attribute__((noinline, cold)) static RET                                             \
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
    }                                                                                      \
    RET NAME PARAMS                                                                        \
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
