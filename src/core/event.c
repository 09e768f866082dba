/* Events: errno classification, the rate limiter and repeat collapsing
 * (event.h).
 *
 * Called from every wrapped call that fails, possibly in a signal handler
 * that interrupted the same code on the same thread: the shared state is
 * caller-owned and changed only with GCC __atomic builtins (lock-free on
 * every 64-bit target, and on i386 through cmpxchg8b), never under a lock,
 * and no clock is read here. */
#include "event.h"

#include <errno.h>
#include <stddef.h>

static const char *const event_names[SOCKSHIELD_EV_COUNT] = {
    [SOCKSHIELD_EV_EPIPE] = "epipe",
    [SOCKSHIELD_EV_RESET] = "reset",
    [SOCKSHIELD_EV_REFUSED] = "refused",
    [SOCKSHIELD_EV_EAGAIN] = "eagain",
    [SOCKSHIELD_EV_EOF] = "eof",
    [SOCKSHIELD_EV_EINTR] = "eintr",
    [SOCKSHIELD_EV_TIMEOUT] = "timeout",
    [SOCKSHIELD_EV_UNREACH] = "unreach",
};

const char *sockshield_event_name(enum sockshield_event ev)
{
    if ((unsigned)ev >= SOCKSHIELD_EV_COUNT)
        return NULL;
    return event_names[ev];
}

/* ---- classification ----------------------------------------------------- */

enum sockshield_event sockshield_event_classify(enum sockshield_dir dir, ssize_t result, int err,
                                                bool stream, size_t requested)
{
    if (result < 0) {
        switch (err) {
        case EPIPE:
            return SOCKSHIELD_EV_EPIPE;
        case ECONNRESET:
            return SOCKSHIELD_EV_RESET;
        case ECONNREFUSED:
            return SOCKSHIELD_EV_REFUSED;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return SOCKSHIELD_EV_EAGAIN;
        case ETIMEDOUT:
            return SOCKSHIELD_EV_TIMEOUT;
        case EHOSTUNREACH:
        case ENETUNREACH:
            return SOCKSHIELD_EV_UNREACH;
        default:
            return SOCKSHIELD_EV_NONE;
        }
    }
    /* recv(2): "When a stream socket peer has performed an orderly shutdown,
     * the return value will be 0"; a zero-length request returns 0 too. */
    if (result == 0 && dir == SOCKSHIELD_DIR_IN && stream && requested > 0)
        return SOCKSHIELD_EV_EOF;
    return SOCKSHIELD_EV_NONE;
}

/* ---- errno names -----------------------------------------------------------
 *
 * Our own table rather than strerrorname_np (glibc 2.32+ only): every errno
 * Linux defines (errno(3), asm-generic/errno*.h), by the platform's own
 * constants so the values are right on every architecture.  Searched
 * linearly: only the event path, after a failed call, looks here.  Where two
 * names share a value the first one listed wins (EAGAIN over EWOULDBLOCK,
 * EOPNOTSUPP over ENOTSUP, EDEADLK over EDEADLOCK: what the socket and file
 * calls are documented to return). */

#define NAME(e) { e, #e }
static const struct {
    int err;
    const char *name;
} errno_names[] = {
    /* Sockets and pipes first: the usual answers come early. */
    NAME(EPIPE), NAME(ECONNRESET), NAME(ECONNREFUSED), NAME(EAGAIN),
    NAME(ETIMEDOUT), NAME(EHOSTUNREACH), NAME(ENETUNREACH), NAME(EINTR),
    NAME(ENETDOWN), NAME(ENETRESET), NAME(ECONNABORTED), NAME(ENOTCONN),
    NAME(EISCONN), NAME(EINPROGRESS), NAME(EALREADY), NAME(ESHUTDOWN),
    NAME(ETOOMANYREFS), NAME(EHOSTDOWN), NAME(ENOPROTOOPT), NAME(EPROTONOSUPPORT),
    NAME(ESOCKTNOSUPPORT), NAME(EPFNOSUPPORT), NAME(EAFNOSUPPORT), NAME(EPROTOTYPE),
    NAME(ENOTSOCK), NAME(EOPNOTSUPP), NAME(EDESTADDRREQ), NAME(EMSGSIZE),
    NAME(EADDRINUSE), NAME(EADDRNOTAVAIL), NAME(ENOBUFS), NAME(EPROTO),
    /* POSIX, in Linux's numeric order. */
    NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EIO), NAME(ENXIO),
    NAME(E2BIG), NAME(ENOEXEC), NAME(EBADF), NAME(ECHILD), NAME(ENOMEM),
    NAME(EACCES), NAME(EFAULT), NAME(EBUSY), NAME(EEXIST), NAME(EXDEV),
    NAME(ENODEV), NAME(ENOTDIR), NAME(EISDIR), NAME(EINVAL), NAME(ENFILE),
    NAME(EMFILE), NAME(ENOTTY), NAME(ETXTBSY), NAME(EFBIG), NAME(ENOSPC),
    NAME(ESPIPE), NAME(EROFS), NAME(EMLINK), NAME(EDOM), NAME(ERANGE),
    NAME(EDEADLK), NAME(ENAMETOOLONG), NAME(ENOLCK), NAME(ENOSYS),
    NAME(ENOTEMPTY), NAME(ELOOP), NAME(ENOMSG), NAME(EIDRM), NAME(ENOLINK),
    NAME(EMULTIHOP), NAME(EBADMSG), NAME(EOVERFLOW), NAME(EILSEQ), NAME(EDQUOT),
    NAME(ESTALE), NAME(ECANCELED), NAME(EOWNERDEAD), NAME(ENOTRECOVERABLE),
#ifdef ENOTBLK
    NAME(ENOTBLK),
#endif
#ifdef ENODATA
    NAME(ENODATA), NAME(ENOSR), NAME(ENOSTR), NAME(ETIME),
#endif
#ifdef EUSERS
    NAME(EUSERS), NAME(EREMOTE),
#endif
#ifdef __linux__
    /* Linux only (errno(3)). */
    NAME(ECHRNG), NAME(EL2NSYNC), NAME(EL3HLT), NAME(EL3RST), NAME(ELNRNG),
    NAME(EUNATCH), NAME(ENOCSI), NAME(EL2HLT), NAME(EBADE), NAME(EBADR),
    NAME(EXFULL), NAME(ENOANO), NAME(EBADRQC), NAME(EBADSLT), NAME(EBFONT),
    NAME(ENONET), NAME(ENOPKG), NAME(EADV), NAME(ESRMNT), NAME(ECOMM),
    NAME(EDOTDOT), NAME(ENOTUNIQ), NAME(EBADFD), NAME(EREMCHG), NAME(ELIBACC),
    NAME(ELIBBAD), NAME(ELIBSCN), NAME(ELIBMAX), NAME(ELIBEXEC), NAME(ERESTART),
    NAME(ESTRPIPE), NAME(EUCLEAN), NAME(ENOTNAM), NAME(ENAVAIL), NAME(EISNAM),
    NAME(EREMOTEIO), NAME(ENOMEDIUM), NAME(EMEDIUMTYPE), NAME(ENOKEY),
    NAME(EKEYEXPIRED), NAME(EKEYREVOKED), NAME(EKEYREJECTED),
#endif
#ifdef ERFKILL
    NAME(ERFKILL),
#endif
#ifdef EHWPOISON
    NAME(EHWPOISON),
#endif
    /* Aliases, found only where they have values of their own. */
    NAME(EWOULDBLOCK), NAME(ENOTSUP),
#ifdef EDEADLOCK
    NAME(EDEADLOCK),
#endif
};
#undef NAME

const char *sockshield_errno_name(int err)
{
    size_t i;

    for (i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
        if (errno_names[i].err == err)
            return errno_names[i].name;
    return NULL;
}

/* ---- rate limiting -----------------------------------------------------------
 *
 * The state word: bit 63 set once used (a zeroed struct starts with a full
 * bucket, whatever the clock reads), bits 32..62 the milli-tokens, bits 0..31
 * the time of the last refill in ms, modulo 2^32.  Refilling adds `rate`
 * milli-tokens per ms (rate lines/s * 1000 milli-tokens / 1000 ms), exactly,
 * so nothing is lost to rounding however often it runs.  31 bits of
 * milli-tokens hold the capacity of rates up to 1.7 million lines/s
 * (config.c accepts up to 10^6); above that the capacity is clamped. */

#define RATE_USED      ((uint64_t)1 << 63)
#define RATE_TOK_SHIFT 32
#define RATE_TOK_MASK  ((uint64_t)0x7fffffff)
#define MILLI          1000u
/* A clock read by another thread just before ours may arrive just after
 * it: a step back this small is such a race and refills nothing.  A larger
 * one can only be the 32-bit ms counter wrapping over a quiet period of 24
 * days or more, after which the bucket is full anyway. */
#define RATE_BACKSTEP_MS 60000

static uint64_t rate_capacity(unsigned rate)
{
    uint64_t c = ((uint64_t)rate + rate / 4 + 1) * MILLI;

    return c > RATE_TOK_MASK ? RATE_TOK_MASK : c;
}

bool sockshield_rate_allow(struct sockshield_rate *r, unsigned rate, uint64_t now_ms,
                           uint64_t *suppressed)
{
    const uint64_t cap = rate_capacity(rate);
    const uint32_t now = (uint32_t)now_ms;
    uint64_t old, next, tokens;
    uint32_t last;
    bool allowed;

    if (rate == 0) {
        allowed = true;
        goto out;
    }
    old = __atomic_load_n(&r->state, __ATOMIC_RELAXED);
    do {
        if (!(old & RATE_USED)) {
            tokens = cap;
            last = now;
        } else {
            int32_t step = (int32_t)(now - (uint32_t)old);

            tokens = old >> RATE_TOK_SHIFT & RATE_TOK_MASK;
            last = (uint32_t)old;
            if (step >= 0) {
                /* step < 2^31, rate < 2^32: no overflow in 64 bits */
                tokens += (uint64_t)step * rate;
                last = now;
            } else if (step <= -RATE_BACKSTEP_MS) {
                tokens = cap;
                last = now;
            }
        }
        if (tokens > cap)
            tokens = cap;
        allowed = tokens >= MILLI;
        if (allowed)
            tokens -= MILLI;
        next = RATE_USED | tokens << RATE_TOK_SHIFT | last;
        if (next == old)
            break;
    } while (!__atomic_compare_exchange_n(&r->state, &old, next, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
out:
    if (!allowed) {
        __atomic_add_fetch(&r->suppressed, 1, __ATOMIC_RELAXED);
        return false;
    }
    /* Every refused event is counted by exactly one add and reported by
     * exactly one exchange (or still pending): the totals always add up. */
    if (suppressed)
        *suppressed = __atomic_exchange_n(&r->suppressed, 0, __ATOMIC_RELAXED);
    return true;
}

/* ---- collapsing repeats ------------------------------------------------------
 *
 * Three words cannot change together without a lock, so each is changed
 * atomically on its own and only the count has to be exact: every pending
 * event is added once and taken once (as a repeat, or into the rate's
 * suppressed count).  Racing threads may at worst print one more line or
 * collapse one more event than a serial order would have. */

#define COLLAPSE_WINDOW_MS 1000

bool sockshield_collapse_alone(struct sockshield_collapse *c, uint64_t key, uint64_t now_ms)
{
    if (__atomic_load_n(&c->key, __ATOMIC_RELAXED) != key ||
        now_ms >= __atomic_load_n(&c->last_ms, __ATOMIC_RELAXED) + COLLAPSE_WINDOW_MS)
        return false;
    __atomic_store_n(&c->pending, __atomic_load_n(&c->pending, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
    return true;
}

bool sockshield_collapse_check(struct sockshield_collapse *c, struct sockshield_rate *r,
                               uint64_t key, uint64_t now_ms, uint64_t *repeat)
{
    uint64_t old_key = __atomic_load_n(&c->key, __ATOMIC_ACQUIRE);

    for (;;) {
        uint64_t last = __atomic_load_n(&c->last_ms, __ATOMIC_ACQUIRE);
        uint64_t taken;

        if (old_key == key) {
            if (now_ms < last + COLLAPSE_WINDOW_MS) {
                __atomic_add_fetch(&c->pending, 1, __ATOMIC_RELAXED);
                return false;
            }
            /* Only the thread that moves the window prints for it. */
            if (!__atomic_compare_exchange_n(&c->last_ms, &last, now_ms, false,
                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                old_key = __atomic_load_n(&c->key, __ATOMIC_ACQUIRE);
                continue;
            }
            taken = __atomic_exchange_n(&c->pending, 0, __ATOMIC_RELAXED);
            if (repeat)
                *repeat = taken;
            else if (r)
                __atomic_add_fetch(&r->suppressed, taken, __ATOMIC_RELAXED);
            return true;
        }
        if (!__atomic_compare_exchange_n(&c->key, &old_key, key, false, __ATOMIC_ACQ_REL,
                                         __ATOMIC_ACQUIRE))
            continue;           /* old_key now holds the winner's key */
        __atomic_store_n(&c->last_ms, now_ms, __ATOMIC_RELEASE);
        /* The old key's collapsed events will never print as a repeat. */
        if (r) {
            taken = __atomic_exchange_n(&c->pending, 0, __ATOMIC_RELAXED);
            if (taken)
                __atomic_add_fetch(&r->suppressed, taken, __ATOMIC_RELAXED);
        }
        if (repeat)
            *repeat = 0;
        return true;
    }
}

bool sockshield_event_admit(struct sockshield_collapse *c, struct sockshield_rate *r,
                            unsigned rate, uint64_t key, uint64_t now_ms, uint64_t *repeat,
                            uint64_t *suppressed)
{
    uint64_t rep = 0, sup = 0;

    if (!sockshield_collapse_check(c, r, key, now_ms, &rep))
        return false;
    if (!sockshield_rate_allow(r, rate, now_ms, &sup)) {
        /* The line that would have carried them is not printed. */
        if (rep)
            __atomic_add_fetch(&r->suppressed, rep, __ATOMIC_RELAXED);
        return false;
    }
    if (repeat)
        *repeat = rep;
    if (suppressed)
        *suppressed = sup;
    return true;
}
