/* Events: classification, flood control.  Pure code over caller-owned state
 * (atomics, no locks, no clock reads: callers pass the time), unit tested
 * in tests/unit/test_event.c, safe in signal handlers. */
#ifndef SOCKSHIELD_EVENT_H
#define SOCKSHIELD_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Event kinds, one bit each in a set (SOCKSHIELD_EVENTS; libsockshield(7),
 * EVENTS). */
enum sockshield_event {
    SOCKSHIELD_EV_EPIPE = 0,
    SOCKSHIELD_EV_RESET,
    SOCKSHIELD_EV_REFUSED,
    SOCKSHIELD_EV_EAGAIN,
    SOCKSHIELD_EV_EOF,
    SOCKSHIELD_EV_EINTR,
    SOCKSHIELD_EV_TIMEOUT,
    SOCKSHIELD_EV_UNREACH,
    SOCKSHIELD_EV_COUNT,
    SOCKSHIELD_EV_NONE = -1,
};

#define SOCKSHIELD_EV_BIT(e) (1u << (e))
#define SOCKSHIELD_EV_ALL    ((1u << SOCKSHIELD_EV_COUNT) - 1)
#define SOCKSHIELD_EV_DEFAULT                                           \
    (SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_EPIPE) | SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_RESET) | \
     SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_REFUSED) | SOCKSHIELD_EV_BIT(SOCKSHIELD_EV_EAGAIN))

/* An event's name, as in the log and in SOCKSHIELD_EVENTS; NULL past the
 * last. */
const char *sockshield_event_name(enum sockshield_event ev);

/* What a wrapped call does with its fd. */
enum sockshield_dir {
    SOCKSHIELD_DIR_OTHER = 0,
    SOCKSHIELD_DIR_IN,       /* read, recv families: 0 on a stream socket is eof */
    SOCKSHIELD_DIR_OUT,      /* write, send families */
    SOCKSHIELD_DIR_ACCEPT,
    SOCKSHIELD_DIR_CONNECT,
};

/* The one place errno becomes an event (libsockshield(7), EVENTS):
 *   result -1: EPIPE epipe, ECONNRESET reset, ECONNREFUSED refused,
 *   EAGAIN/EWOULDBLOCK eagain, ETIMEDOUT timeout, EHOSTUNREACH/ENETUNREACH
 *   unreach, EINPROGRESS and everything else none (EINTR is reported by the
 *   restart code as eintr when it resumes a call, not here);
 *   result 0 with dir IN and a stream socket (stream == true) and a non-empty
 *   request (requested > 0): eof; anything else: none. */
enum sockshield_event sockshield_event_classify(enum sockshield_dir dir, ssize_t result, int err,
                                                bool stream, size_t requested);

/* errno name ("ECONNRESET"), NULL when unknown. */
const char *sockshield_errno_name(int err);

/* Token bucket per event kind: `rate` lines per second, burst capacity
 * rate + rate/4 + 1 lines, refilled continuously (milli-token precision).
 * rate 0 means unlimited (always allowed).  All state in one 64-bit word
 * updated by compare-and-swap, so concurrent threads and signal handlers are
 * safe.  When a line is refused, the kind's suppressed count grows. */
struct sockshield_rate {
    uint64_t state;       /* packed: last refill time (ms) and milli-tokens */
    uint64_t suppressed;  /* refused since the last allowed line */
};
/* true: print; then *suppressed receives (and the state clears) the number
 * refused since the previous allowed line. */
bool sockshield_rate_allow(struct sockshield_rate *r, unsigned rate, uint64_t now_ms,
                           uint64_t *suppressed);

/* Identical repeats collapse: for one event kind, an event with the same key
 * (call, fd, errno; see _key) as the last printed one, less than 1000 ms
 * after it, is counted instead of printed.  When the same key comes again
 * later it prints and *repeat receives the count collapsed into it.  When a
 * different key comes, it prints with *repeat 0, and the count still pending
 * for the old key is added to `r->suppressed` of the rate state passed in, so
 * nothing is lost from the accounting:  lines + sum(repeat) + sum(suppressed)
 * + what is pending at exit == events. */
struct sockshield_collapse {
    uint64_t key;
    uint64_t pending;
    uint64_t last_ms;
};
/* Distinct for every call < 2^15, errno < 2^16, fd and connection: `conn`
 * is the fd's connection generation (fdinfo), so the events of a new
 * connection on a reused fd number are not repeats of the last one's.
 * Never 0, the key of a zeroed struct, so the first event always prints.
 * Inline: it is on the path of every event, logged or not. */
static inline uint64_t sockshield_collapse_key(unsigned call, int fd, int err, unsigned conn)
{
    return (uint64_t)1 << 63 | (uint64_t)(call & 0x7fff) << 48 | (uint64_t)(uint16_t)err << 32 |
           ((uint32_t)fd ^ (uint32_t)conn << 16);
}
bool sockshield_collapse_check(struct sockshield_collapse *c, struct sockshield_rate *r,
                               uint64_t key, uint64_t now_ms, uint64_t *repeat);
/* The common case of collapse_check for a process with one thread: true
 * when the event is a repeat inside the window and was counted, with a plain
 * add instead of a locked one; false when collapse_check must decide.  Only
 * for callers no other thread can race and whose signal handlers cannot get
 * here while they are inside (the logger refuses nested events). */
bool sockshield_collapse_alone(struct sockshield_collapse *c, uint64_t key, uint64_t now_ms);

/* Both in the order the logger needs them: collapse, then the rate limit.
 * true: print, with *repeat and *suppressed for the line.  When the rate
 * refuses a line that collapse let through, the repeats it would have
 * carried go into r->suppressed, so the identity above still holds. */
bool sockshield_event_admit(struct sockshield_collapse *c, struct sockshield_rate *r,
                            unsigned rate, uint64_t key, uint64_t now_ms, uint64_t *repeat,
                            uint64_t *suppressed);

#endif
