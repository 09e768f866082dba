/* Events (src/core/event.c): the errno classification table and eof rules, errno
 * names, the token-bucket rate limiter, repeat collapsing, and the
 * accounting identity under concurrent use. */
#include <criterion/criterion.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "event.h"

/* ---- classification ------------------------------------------------------------- */

static enum sockshield_event expected_for(int err)
{
    if (err == EPIPE)
        return SOCKSHIELD_EV_EPIPE;
    if (err == ECONNRESET)
        return SOCKSHIELD_EV_RESET;
    if (err == ECONNREFUSED)
        return SOCKSHIELD_EV_REFUSED;
    if (err == EAGAIN || err == EWOULDBLOCK)
        return SOCKSHIELD_EV_EAGAIN;
    if (err == ETIMEDOUT)
        return SOCKSHIELD_EV_TIMEOUT;
    if (err == EHOSTUNREACH || err == ENETUNREACH)
        return SOCKSHIELD_EV_UNREACH;
    return SOCKSHIELD_EV_NONE;
}

static const enum sockshield_dir all_dirs[] = {
    SOCKSHIELD_DIR_OTHER, SOCKSHIELD_DIR_IN,      SOCKSHIELD_DIR_OUT,
    SOCKSHIELD_DIR_ACCEPT, SOCKSHIELD_DIR_CONNECT,
};
#define NDIRS (sizeof all_dirs / sizeof all_dirs[0])

Test(event, classify_failures_by_errno_for_every_errno)
{
    int err;
    size_t d;

    for (err = -1; err < 4096; err++)
        for (d = 0; d < NDIRS; d++) {
            cr_assert_eq(sockshield_event_classify(all_dirs[d], -1, err, true, 100),
                         expected_for(err), "errno %d dir %d", err, (int)all_dirs[d]);
            cr_assert_eq(sockshield_event_classify(all_dirs[d], -1, err, false, 0),
                         expected_for(err), "errno %d dir %d", err, (int)all_dirs[d]);
        }
}

Test(event, classify_named_cases)
{
    const enum sockshield_dir in = SOCKSHIELD_DIR_IN, out = SOCKSHIELD_DIR_OUT;

    cr_assert_eq(sockshield_event_classify(out, -1, EPIPE, true, 10), SOCKSHIELD_EV_EPIPE);
    cr_assert_eq(sockshield_event_classify(in, -1, ECONNRESET, true, 10), SOCKSHIELD_EV_RESET);
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, ECONNREFUSED, true, 0),
                 SOCKSHIELD_EV_REFUSED);
    cr_assert_eq(sockshield_event_classify(in, -1, EAGAIN, true, 10), SOCKSHIELD_EV_EAGAIN);
    cr_assert_eq(sockshield_event_classify(in, -1, EWOULDBLOCK, true, 10), SOCKSHIELD_EV_EAGAIN);
    cr_assert_eq(sockshield_event_classify(in, -1, ETIMEDOUT, true, 10), SOCKSHIELD_EV_TIMEOUT);
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, EHOSTUNREACH, true, 0),
                 SOCKSHIELD_EV_UNREACH);
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, ENETUNREACH, true, 0),
                 SOCKSHIELD_EV_UNREACH);
    /* not events here */
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_CONNECT, -1, EINPROGRESS, true, 0),
                 SOCKSHIELD_EV_NONE);
    cr_assert_eq(sockshield_event_classify(in, -1, EINTR, true, 10), SOCKSHIELD_EV_NONE);
    cr_assert_eq(sockshield_event_classify(in, -1, EBADF, true, 10), SOCKSHIELD_EV_NONE);
    cr_assert_eq(sockshield_event_classify(in, -1, 0, true, 10), SOCKSHIELD_EV_NONE);
}

Test(event, classify_eof_rules)
{
    size_t d;

    /* a stream read of a non-empty request that returns 0: the peer closed */
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_IN, 0, 0, true, 1), SOCKSHIELD_EV_EOF);
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_IN, 0, 0, true, 65536),
                 SOCKSHIELD_EV_EOF);
    /* errno is stale after a success and means nothing */
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_IN, 0, EPIPE, true, 1),
                 SOCKSHIELD_EV_EOF);
    /* an empty request returns 0 without anything having closed */
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_IN, 0, 0, true, 0), SOCKSHIELD_EV_NONE);
    /* a datagram of length 0 is a datagram */
    cr_assert_eq(sockshield_event_classify(SOCKSHIELD_DIR_IN, 0, 0, false, 100),
                 SOCKSHIELD_EV_NONE);
    /* only reads */
    for (d = 0; d < NDIRS; d++)
        if (all_dirs[d] != SOCKSHIELD_DIR_IN)
            cr_assert_eq(sockshield_event_classify(all_dirs[d], 0, 0, true, 100),
                         SOCKSHIELD_EV_NONE, "dir %d", (int)all_dirs[d]);
    /* successes are never events, whatever errno holds */
    for (d = 0; d < NDIRS; d++) {
        cr_assert_eq(sockshield_event_classify(all_dirs[d], 1, EPIPE, true, 100),
                     SOCKSHIELD_EV_NONE);
        cr_assert_eq(sockshield_event_classify(all_dirs[d], 100, ECONNRESET, true, 100),
                     SOCKSHIELD_EV_NONE);
    }
}

/* ---- errno names ------------------------------------------------------------------ */

#define N(e) { e, #e }
static const struct {
    int err;
    const char *name;
} required[] = {
    N(EPIPE), N(ECONNRESET), N(ECONNREFUSED), N(EAGAIN), N(ETIMEDOUT), N(EHOSTUNREACH),
    N(ENETUNREACH), N(ENETDOWN), N(ECONNABORTED), N(ENOTCONN), N(EISCONN), N(EINPROGRESS),
    N(EALREADY), N(EINTR), N(EBADF), N(EINVAL), N(EFAULT), N(ENOBUFS), N(ENOMEM),
    N(EMSGSIZE), N(EACCES), N(EPERM), N(EADDRINUSE), N(EADDRNOTAVAIL), N(EAFNOSUPPORT),
    N(EPROTOTYPE), N(ENOTSOCK), N(EOPNOTSUPP), N(EIO), N(ENOSPC), N(EDQUOT), N(EFBIG),
    N(EISDIR), N(ENOENT), N(ENXIO), N(EROFS), N(EMFILE), N(ENFILE), N(ESHUTDOWN),
    N(ETOOMANYREFS), N(EHOSTDOWN), N(ENOPROTOOPT), N(EPROTONOSUPPORT), N(ESOCKTNOSUPPORT),
    N(EDESTADDRREQ), N(ENODEV), N(ESPIPE), N(ECHILD), N(ENOSYS), N(ENOTDIR), N(ELOOP),
    N(ENAMETOOLONG), N(EXDEV), N(ECANCELED), N(ENETRESET), N(EPROTO), N(EPFNOSUPPORT),
    N(EEXIST), N(EBUSY), N(ENOTTY), N(ETXTBSY), N(EMLINK), N(EDEADLK), N(EOVERFLOW),
    N(EILSEQ), N(ESTALE), N(ENOTEMPTY), N(ERANGE), N(E2BIG), N(ESRCH), N(ENOLCK),
    N(EBADFD), N(EREMOTEIO), N(ENOTUNIQ), N(ERESTART), N(ENOMEDIUM), N(EHWPOISON),
};
#undef N

Test(event, errno_names_cover_socket_pipe_and_file_errors)
{
    size_t i;

    for (i = 0; i < sizeof required / sizeof required[0]; i++) {
        const char *got = sockshield_errno_name(required[i].err);

        cr_assert_not_null(got, "%s has no name", required[i].name);
        cr_assert_str_eq(got, required[i].name);
    }
}

Test(event, errno_aliases_get_the_documented_name)
{
    cr_assert_str_eq(sockshield_errno_name(EWOULDBLOCK), "EAGAIN");
    cr_assert_str_eq(sockshield_errno_name(ENOTSUP), "EOPNOTSUPP");
    cr_assert_str_eq(sockshield_errno_name(EDEADLOCK), "EDEADLK");
}

Test(event, errno_unknown_is_null)
{
    cr_assert_null(sockshield_errno_name(0));
    cr_assert_null(sockshield_errno_name(-1));
    cr_assert_null(sockshield_errno_name(-EPIPE));
    cr_assert_null(sockshield_errno_name(4095));
    cr_assert_null(sockshield_errno_name(100000));
}

/* Every errno Linux has between 1 and 133 has a name, each name is an
 * E-word, and where glibc has strerrorname_np we agree with it. */
Test(event, errno_names_complete_and_consistent)
{
    int err;

    for (err = 1; err <= 133; err++) {
        const char *got = sockshield_errno_name(err);

        if (err == 41 || err == 58) /* no errno has these numbers on x86 Linux */
            continue;
        cr_assert_not_null(got, "errno %d has no name", err);
        cr_assert_eq(got[0], 'E');
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
        {
            const char *libc = strerrorname_np(err);

            if (libc)
                cr_assert_str_eq(got, libc, "errno %d", err);
        }
#endif
    }
}

/* ---- rate limiting ------------------------------------------------------------------- */

/* Capacity at rate 20: 20 + 20/4 + 1. */
#define RATE 20
#define CAPACITY 26

Test(event, rate_burst_allows_exactly_capacity)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup = 12345, reported = 0;
    unsigned allowed = 0, i;

    for (i = 0; i < 1000; i++) {
        sup = 12345;
        if (sockshield_rate_allow(&r, RATE, 5000, &sup)) {
            allowed++;
            reported += sup;
            cr_assert_eq(sup, 0, "nothing suppressed yet at the %u-th", i);
        }
    }
    cr_assert_eq(allowed, CAPACITY);
    cr_assert_eq(reported, 0, "the lines of the burst report no suppression");
    cr_assert_eq(r.suppressed, 1000 - CAPACITY);

    /* one token is back after 50 ms: that line reports the rest */
    cr_assert(!sockshield_rate_allow(&r, RATE, 5049, &sup));
    cr_assert(sockshield_rate_allow(&r, RATE, 5050, &sup));
    cr_assert_eq(sup, 1000 - CAPACITY + 1);
    cr_assert_eq(r.suppressed, 0);
    cr_assert(!sockshield_rate_allow(&r, RATE, 5050, &sup));
    cr_assert_eq(r.suppressed, 1);
}

Test(event, rate_fresh_state_is_full_at_any_time)
{
    static const uint64_t times[] = { 0, 1, 999, 1ull << 32, (1ull << 32) - 1, UINT64_MAX };
    size_t k;

    for (k = 0; k < sizeof times / sizeof times[0]; k++) {
        struct sockshield_rate r = { 0, 0 };
        uint64_t sup;
        unsigned allowed = 0, i;

        for (i = 0; i < 100; i++)
            allowed += sockshield_rate_allow(&r, RATE, times[k], &sup);
        cr_assert_eq(allowed, CAPACITY, "at t=%llu", (unsigned long long)times[k]);
    }
}

static unsigned drain(struct sockshield_rate *r, unsigned rate, uint64_t now)
{
    uint64_t sup;
    unsigned allowed = 0;

    while (sockshield_rate_allow(r, rate, now, &sup))
        allowed++;
    return allowed;
}

Test(event, rate_refills_over_time_up_to_capacity)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup, t;
    unsigned allowed;

    cr_assert_eq(drain(&r, RATE, 0), CAPACITY);
    /* one second: exactly `rate` lines */
    cr_assert_eq(drain(&r, RATE, 1000), RATE);
    /* half a second: half */
    cr_assert_eq(drain(&r, RATE, 1500), RATE / 2);
    /* a long pause fills the bucket, no more */
    cr_assert_eq(drain(&r, RATE, 60000), CAPACITY);
    /* a steady 20/s stream is never refused */
    for (t = 60050; t < 70000; t += 50)
        cr_assert(sockshield_rate_allow(&r, RATE, t, &sup), "refused at %llu",
                  (unsigned long long)t);
    /* a 40/s stream gets 20/s through (plus nothing saved) */
    allowed = 0;
    for (t = 70000; t < 80000; t += 25)
        allowed += sockshield_rate_allow(&r, RATE, t, &sup);
    cr_assert_geq(allowed, 200);
    cr_assert_leq(allowed, 201);
}

Test(event, rate_refill_has_milli_token_precision)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup, t;
    unsigned allowed = 0;

    /* rate 3: a line every 333.3 ms, with calls every millisecond */
    cr_assert_eq(drain(&r, 3, 10000), 3 + 0 + 1);
    for (t = 10001; t <= 13000; t++)
        allowed += sockshield_rate_allow(&r, 3, t, &sup);
    cr_assert_eq(allowed, 9);
    /* rate 1: capacity 1 + 0 + 1 */
    {
        struct sockshield_rate r1 = { 0, 0 };

        cr_assert_eq(drain(&r1, 1, 0), 2);
        cr_assert_eq(drain(&r1, 1, 999), 0);
        cr_assert_eq(drain(&r1, 1, 1000), 1);
    }
}

Test(event, rate_clock_steps_back_refill_nothing)
{
    struct sockshield_rate r = { 0, 0 };

    cr_assert_eq(drain(&r, RATE, 100000), CAPACITY);
    /* a thread that read the clock a little earlier arrives later */
    cr_assert_eq(drain(&r, RATE, 99990), 0);
    cr_assert_eq(drain(&r, RATE, 90000), 0);
    /* and does not move the refill time back: 50 ms later, one token */
    cr_assert_eq(drain(&r, RATE, 100050), 1);
}

Test(event, rate_survives_the_32_bit_ms_wrap)
{
    struct sockshield_rate r = { 0, 0 };
    const uint64_t t0 = (1ull << 32) - 10;

    cr_assert_eq(drain(&r, RATE, t0), CAPACITY);
    /* across the wrap, 50 ms: one token */
    cr_assert_eq(drain(&r, RATE, t0 + 50), 1);
    /* 30 days of quiet (more than 2^31 ms): a full bucket */
    cr_assert_eq(drain(&r, RATE, t0 + 50 + 30ull * 86400 * 1000), CAPACITY);
    /* exactly 2^32 ms of quiet looks like no time at all: nothing refills,
     * the refusal is counted, and the next 50 ms bring a token as usual */
    cr_assert_eq(drain(&r, RATE, t0 + 50 + 30ull * 86400 * 1000 + (1ull << 32)), 0);
    cr_assert_eq(drain(&r, RATE, t0 + 100 + 30ull * 86400 * 1000 + (1ull << 32)), 1);
}

Test(event, rate_zero_is_unlimited)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup;
    unsigned i;

    for (i = 0; i < 100000; i++) {
        sup = 99;
        cr_assert(sockshield_rate_allow(&r, 0, 7, &sup));
        cr_assert_eq(sup, 0);
    }
    /* what collapse moved into suppressed is still reported */
    r.suppressed = 3;
    cr_assert(sockshield_rate_allow(&r, 0, 7, &sup));
    cr_assert_eq(sup, 3);
    cr_assert_eq(r.suppressed, 0);
}

Test(event, rate_huge_rates_do_not_overflow)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup;
    unsigned i, allowed = 0;

    /* 1e6/s (the largest SOCKSHIELD_LOG_RATE): capacity 1250001 */
    for (i = 0; i < 1300000; i++)
        allowed += sockshield_rate_allow(&r, 1000000, 42, &sup);
    cr_assert_eq(allowed, 1250001);
    cr_assert_eq(drain(&r, 1000000, 43), 1000);
    /* absurd rates clamp but still allow */
    cr_assert(sockshield_rate_allow(&r, UINT32_MAX, 10000, &sup));
    cr_assert(sockshield_rate_allow(&r, UINT32_MAX, 1ull << 40, &sup));
}

Test(event, rate_null_suppressed_leaves_the_count_pending)
{
    struct sockshield_rate r = { 0, 0 };
    uint64_t sup;

    drain(&r, RATE, 0);
    cr_assert_eq(r.suppressed, 1);
    cr_assert(sockshield_rate_allow(&r, RATE, 1000, NULL));
    cr_assert_eq(r.suppressed, 1);
    cr_assert(sockshield_rate_allow(&r, RATE, 1000, &sup));
    cr_assert_eq(sup, 1);
}

/* ---- concurrency ----------------------------------------------------------------------- */

#define THREADS 4
#define CALLS 100000

static struct sockshield_rate shared_rate;
static struct sockshield_collapse shared_collapse;
static uint64_t shared_clock;

struct worker {
    int id;
    bool use_admit;
    uint64_t allowed, reported, repeats;
};

static void *rate_worker(void *arg)
{
    struct worker *w = arg;
    int i;

    for (i = 0; i < CALLS; i++) {
        /* a clock all threads advance: about 2 ms per 100 calls */
        uint64_t now = __atomic_add_fetch(&shared_clock, 1, __ATOMIC_RELAXED) / 50;
        uint64_t sup = 0, rep = 0;

        if (w->use_admit) {
            uint64_t key = sockshield_collapse_key(1, i % 3 == 0 ? w->id : 0, EAGAIN, 0);

            if (sockshield_event_admit(&shared_collapse, &shared_rate, RATE, key, now, &rep,
                                       &sup)) {
                w->allowed++;
                w->reported += sup;
                w->repeats += rep;
            }
        } else if (sockshield_rate_allow(&shared_rate, RATE, now, &sup)) {
            w->allowed++;
            w->reported += sup;
        }
    }
    return NULL;
}

static void run_workers(bool use_admit, struct worker *w)
{
    pthread_t th[THREADS];
    int i;

    memset(&shared_rate, 0, sizeof shared_rate);
    memset(&shared_collapse, 0, sizeof shared_collapse);
    shared_clock = 0;
    for (i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i + 1;
        w[i].use_admit = use_admit;
        cr_assert_eq(pthread_create(&th[i], NULL, rate_worker, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++)
        cr_assert_eq(pthread_join(th[i], NULL), 0);
}

Test(event, rate_concurrent_accounting_is_exact)
{
    struct worker w[THREADS];
    uint64_t allowed = 0, reported = 0, end_ms;
    int i;

    run_workers(false, w);
    for (i = 0; i < THREADS; i++) {
        allowed += w[i].allowed;
        reported += w[i].reported;
    }
    cr_assert_eq(allowed + reported + shared_rate.suppressed, (uint64_t)THREADS * CALLS,
                 "allowed %llu + reported %llu + pending %llu",
                 (unsigned long long)allowed, (unsigned long long)reported,
                 (unsigned long long)shared_rate.suppressed);
    /* and the limit held: capacity plus what the elapsed time refilled */
    end_ms = (uint64_t)THREADS * CALLS / 50;
    cr_assert_leq(allowed, CAPACITY + end_ms * RATE / 1000 + 1);
    cr_assert_geq(allowed, end_ms * RATE / 1000);
}

Test(event, admit_concurrent_accounting_is_exact)
{
    struct worker w[THREADS];
    uint64_t lines = 0, reported = 0, repeats = 0;
    int i;

    run_workers(true, w);
    for (i = 0; i < THREADS; i++) {
        lines += w[i].allowed;
        reported += w[i].reported;
        repeats += w[i].repeats;
    }
    cr_assert_eq(lines + repeats + reported + shared_rate.suppressed + shared_collapse.pending,
                 (uint64_t)THREADS * CALLS);
}

/* ---- collapsing ------------------------------------------------------------------------- */

Test(event, a_new_connection_on_the_same_fd_is_not_a_repeat)
{
    cr_expect_neq(sockshield_collapse_key(3, 5, ECONNRESET, 1), sockshield_collapse_key(3, 5, ECONNRESET, 2));
    cr_expect_neq(sockshield_collapse_key(3, 5, ECONNRESET, 1), sockshield_collapse_key(3, 6, ECONNRESET, 1));
    cr_expect_eq(sockshield_collapse_key(3, 5, ECONNRESET, 7), sockshield_collapse_key(3, 5, ECONNRESET, 7));
}

Test(event, collapse_keys_are_distinct_and_never_zero)
{
    static const int fds[] = { -1, 0, 1, 2, 1023, 65536, 2147483647 };
    static const int errs[] = { 0, EPIPE, EAGAIN, ECONNRESET, 4095 };
    uint64_t keys[3 * 7 * 5];
    size_t n = 0, i, j, a, b;
    unsigned c;

    for (c = 0; c < 3; c++)
        for (a = 0; a < 7; a++)
            for (b = 0; b < 5; b++) {
                keys[n] = sockshield_collapse_key(c * 40, fds[a], errs[b], 0);
                cr_assert_neq(keys[n], 0);
                n++;
            }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            cr_assert_neq(keys[i], keys[j], "keys %zu and %zu collide", i, j);
}

Test(event, collapse_repeats_within_a_second)
{
    struct sockshield_collapse c = { 0, 0, 0 };
    struct sockshield_rate r = { 0, 0 };
    const uint64_t k = sockshield_collapse_key(3, 5, ECONNRESET, 0);
    uint64_t rep = 77, t;

    /* the first one prints, at any time, even t = 0 */
    cr_assert(sockshield_collapse_check(&c, &r, k, 0, &rep));
    cr_assert_eq(rep, 0);
    /* the same key for the rest of the second collapses */
    for (t = 0; t < 1000; t += 10)
        cr_assert(!sockshield_collapse_check(&c, &r, k, t, &rep), "printed at %llu",
                  (unsigned long long)t);
    cr_assert_eq(c.pending, 100);
    /* a second after the last print: it prints and carries the count */
    cr_assert(sockshield_collapse_check(&c, &r, k, 1000, &rep));
    cr_assert_eq(rep, 100);
    cr_assert_eq(c.pending, 0);
    /* the window restarts at that print */
    cr_assert(!sockshield_collapse_check(&c, &r, k, 1999, &rep));
    cr_assert(sockshield_collapse_check(&c, &r, k, 2000, &rep));
    cr_assert_eq(rep, 1);
    /* a quiet key prints with no repeat */
    cr_assert(sockshield_collapse_check(&c, &r, k, 9000, &rep));
    cr_assert_eq(rep, 0);
    cr_assert_eq(r.suppressed, 0);
}

Test(event, collapse_different_key_prints_and_moves_pending)
{
    struct sockshield_collapse c = { 0, 0, 0 };
    struct sockshield_rate r = { 0, 0 };
    const uint64_t k1 = sockshield_collapse_key(3, 5, ECONNRESET, 0);
    const uint64_t k2 = sockshield_collapse_key(3, 6, ECONNRESET, 0);
    uint64_t rep = 0;
    int i;

    cr_assert(sockshield_collapse_check(&c, &r, k1, 100, &rep));
    for (i = 0; i < 7; i++)
        cr_assert(!sockshield_collapse_check(&c, &r, k1, 200, &rep));
    cr_assert_eq(c.pending, 7);
    /* another fd, inside the window: prints at once, with no repeat */
    rep = 99;
    cr_assert(sockshield_collapse_check(&c, &r, k2, 300, &rep));
    cr_assert_eq(rep, 0);
    cr_assert_eq(c.pending, 0);
    cr_assert_eq(r.suppressed, 7);
    /* back to the first: a different key again, prints */
    cr_assert(sockshield_collapse_check(&c, &r, k1, 301, &rep));
    cr_assert_eq(rep, 0);
}

/* The single-thread shortcut decides exactly as the full check: the same
 * events collapse, with the same pending counts, and it leaves everything
 * else (a new key, the end of a window) to the full check.  Two loggers
 * fed the same pseudo-random stream of keys and times, one with the
 * shortcut in front, must print the same lines with the same repeats. */
Test(event, collapse_alone_agrees_with_collapse_check)
{
    struct sockshield_collapse c1 = { 0, 0, 0 }, c2 = { 0, 0, 0 };
    struct sockshield_rate r1 = { 0, 0 }, r2 = { 0, 0 };
    uint64_t now = 0, x = 12345, shortcuts = 0;
    int fd = 0;

    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        now += (x >> 33) % 7 == 0 ? (x >> 40) % 1500 : (x >> 40) % 3;
        if ((x >> 24) % 50 == 0)
            fd = (int)((x >> 30) % 3);
        uint64_t k = sockshield_collapse_key(1, fd, EAGAIN, 0);
        uint64_t rep1 = 0, rep2 = 0;
        bool p1 = sockshield_collapse_check(&c1, &r1, k, now, &rep1);
        bool p2;
        if (sockshield_collapse_alone(&c2, k, now)) {
            p2 = false;
            shortcuts++;
        } else {
            p2 = sockshield_collapse_check(&c2, &r2, k, now, &rep2);
        }
        cr_assert_eq(p1, p2, "event %d: printed %d vs %d", i, p1, p2);
        cr_assert_eq(rep1, rep2, "event %d", i);
        cr_assert_eq(c1.pending, c2.pending, "event %d", i);
        cr_assert_eq(r1.suppressed, r2.suppressed, "event %d", i);
    }
    /* the shortcut did take most of them (a repeat is the common case) */
    cr_assert_gt(shortcuts, 100000, "%llu", (unsigned long long)shortcuts);
}

/* A scripted mix of keys and times through collapse and the rate limiter:
 * lines + sum(repeat) + sum(suppressed) + pending == events, at every step. */
Test(event, accounting_identity_holds)
{
    struct sockshield_collapse c = { 0, 0, 0 };
    struct sockshield_rate r = { 0, 0 };
    uint64_t events = 0, lines = 0, repeats = 0, suppressed = 0, now = 1000;
    unsigned long long seed = 7;
    int i;

    for (i = 0; i < 200000; i++) {
        uint64_t rep = 0, sup = 0, key;

        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        /* long runs of one key (collapse), and bursts of distinct keys
         * (each passes collapse, most meet the rate limit) */
        if (i % 1000 < 20)
            key = sockshield_collapse_key(1, i % 1000 + 10, EPIPE, 0);
        else
            key = sockshield_collapse_key(0, i / 3000 % 3, EPIPE, 0);
        now += seed >> 40 & 7; /* 0..7 ms apart */
        events++;
        if (sockshield_event_admit(&c, &r, 5, key, now, &rep, &sup)) {
            lines++;
            repeats += rep;
            suppressed += sup;
        }
        cr_assert_eq(lines + repeats + suppressed + r.suppressed + c.pending, events,
                     "step %d", i);
    }
    /* both mechanisms took part */
    cr_assert_gt(repeats, 0);
    cr_assert_gt(suppressed, 0);
    cr_assert_lt(lines, events / 10);
}

Test(event, admit_refused_line_keeps_its_repeats)
{
    struct sockshield_collapse c = { 0, 0, 0 };
    struct sockshield_rate r = { 0, 0 };
    const uint64_t k = sockshield_collapse_key(0, 1, EPIPE, 0);
    uint64_t rep, sup;
    int i;

    /* rate 1: capacity 2 */
    cr_assert(sockshield_event_admit(&c, &r, 1, k, 0, &rep, &sup));
    for (i = 0; i < 5; i++)
        cr_assert(!sockshield_event_admit(&c, &r, 1, k, 10, &rep, &sup));
    /* another key drains the bucket */
    cr_assert(sockshield_event_admit(&c, &r, 1, sockshield_collapse_key(0, 2, EPIPE, 0), 20, &rep,
                                     &sup));
    cr_assert_eq(sup, 5);   /* k's collapsed events, moved at the key change */
    cr_assert(!sockshield_event_admit(&c, &r, 1, k, 30, &rep, &sup));
    cr_assert_eq(r.suppressed, 1);      /* k printed from collapse, refused by rate */
    for (i = 0; i < 4; i++)
        cr_assert(!sockshield_event_admit(&c, &r, 1, k, 40, &rep, &sup));
    cr_assert_eq(c.pending, 4);
    /* someone else takes the token that came back */
    cr_assert(sockshield_rate_allow(&r, 1, 1035, &sup));
    cr_assert_eq(sup, 1);
    /* k, a second after its last print: collapse lets it through with
     * repeat 4, the rate refuses it, so 4 + 1 go to suppressed */
    cr_assert(!sockshield_event_admit(&c, &r, 1, k, 1040, &rep, &sup));
    cr_assert_eq(r.suppressed, 4 + 1);
    cr_assert_eq(c.pending, 0);
    /* the next allowed line reports them */
    cr_assert(sockshield_event_admit(&c, &r, 1, sockshield_collapse_key(0, 3, EPIPE, 0), 3000, &rep,
                                     &sup));
    cr_assert_eq(sup, 5);
    cr_assert_eq(rep, 0);
}
