/* Resuming interrupted calls (libsockshield(7), RESTART), provoked for real:
 * a signal that arrives while the helper is blocked in the call (the
 * helpers wait until the thread sleeps in that system call), a 10 kHz
 * timer storm, a child that exits, and EINTRs injected by the fault preload
 * below the library.  Each behaviour is compared with a control: the same
 * helper bare, with SOCKSHIELD_RESTART=off, or with a signal that the
 * policy resumes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum mode {
    BARE,         /* no preload at all */
    SHIELD,       /* libsockshield.so */
    SHIELD_FAULT, /* libsockshield.so, then the fault preload below it */
    FAULT_ONLY,   /* the fault preload alone */
};

/* Runs a helper; env is a NULL-terminated list of NAME=VALUE. */
static void run(struct ss_run *r, enum mode mode, const char *const env[], const char *const argv[])
{
    struct ss_env e;
    ss_env_init(&e, false);
    switch (mode) {
    case BARE: break;
    case SHIELD: ss_env_set(&e, "LD_PRELOAD=%s", ss_lib()); break;
    case SHIELD_FAULT: ss_env_set(&e, "LD_PRELOAD=%s:%s", ss_lib(), ss_fault_lib()); break;
    case FAULT_ONLY: ss_env_set(&e, "LD_PRELOAD=%s", ss_fault_lib()); break;
    }
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    ss_run(r, argv, &e, -1, 60);
    ss_env_free(&e);
    cr_assert(ss_exited(r, 0), "%s %s: %s", argv[0], argv[1] ? argv[1] : "", ss_describe(r));
}

/* The text after "key" up to the next space or newline, in a static buffer. */
static const char *field(const char *out, const char *key)
{
    static char value[128];
    const char *p = strstr(out, key);
    if (!p)
        return "";
    p += strlen(key);
    size_t n = strcspn(p, " \n");
    if (n >= sizeof value)
        n = sizeof value - 1;
    memcpy(value, p, n);
    value[n] = '\0';
    return value;
}

static double number(const char *out, const char *key)
{
    return atof(field(out, key));
}

static bool interrupted(const struct ss_run *r)
{
    return !strcmp(field(r->out, "result="), "-1") && !strcmp(field(r->out, "errno="), "EINTR");
}

static bool completed(const struct ss_run *r)
{
    return strcmp(field(r->out, "result="), "-1") && !strcmp(field(r->out, "errno="), "0");
}

/* interrupt CALL HOW in the given mode. */
static void interrupt(struct ss_run *r, enum mode mode, const char *const env[], const char *call,
                      const char *how)
{
    const char *argv[] = { ss_helper("interrupt"), call, how, NULL };
    run(r, mode, env, argv);
}

/* ---- 1. every entry point ------------------------------------------------ */

static const char *const entries[] = {
    "read", "readv", "pread64", "recv", "recvfrom", "recvmsg", "recvmmsg", "write", "writev", "send",
    "sendto", "sendmsg", "sendmmsg", "accept", "accept4", "connect-tcp", "connect-unix",
};

/* One EINTR injected below the library into each entry point: resumed, the
 * program gets the real result (a data round trip over what accept and
 * connect returned); with SOCKSHIELD_RESTART=off it gets the EINTR. */
Test(restart, every_entry_point_resumes_an_injected_eintr, .timeout = 120)
{
    for (unsigned i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        char fault[64];
        snprintf(fault, sizeof fault, "SOCKSHIELD_FAULT=%.*s:EINTR:1",
                 (int)strcspn(entries[i], "-"), entries[i]);
        const char *argv[] = { ss_helper("entries"), entries[i], NULL };
        const char *on[] = { fault, "SOCKSHIELD_EVENTS=eintr", NULL };
        const char *off[] = { fault, "SOCKSHIELD_RESTART=off", NULL };
        struct ss_run r;
        run(&r, SHIELD_FAULT, on, argv);
        cr_expect(completed(&r), "%s resumed: %s", entries[i], ss_describe(&r));
        /* the EINTR did happen, and the library is what resumed it */
        cr_expect(strstr(r.err, "event=eintr"), "%s: no eintr event: %s", entries[i], ss_describe(&r));
        if (strstr(entries[i], "accept") || strstr(entries[i], "connect"))
            cr_expect(strstr(r.out, "roundtrip=ok"), "%s: %s", entries[i], ss_describe(&r));
        ss_run_free(&r);
        run(&r, SHIELD_FAULT, off, argv);
        cr_expect(interrupted(&r), "%s with restart off: %s", entries[i], ss_describe(&r));
        ss_run_free(&r);
    }
    /* the fortify entry points, reached through a fortified build */
    static const char *const chk[][2] = { { "read", "__read_chk" }, { "recv", "__recv_chk" } };
    for (unsigned i = 0; i < 2; i++) {
        char fault[64];
        snprintf(fault, sizeof fault, "SOCKSHIELD_FAULT=%s:EINTR:1", chk[i][1]);
        const char *argv[] = { ss_helper("interrupt_fortify"), chk[i][0], "none", NULL };
        const char *on[] = { fault, "SOCKSHIELD_EVENTS=eintr", NULL };
        const char *off[] = { fault, "SOCKSHIELD_RESTART=off", NULL };
        struct ss_run r;
        run(&r, SHIELD_FAULT, on, argv);
        cr_expect(strstr(r.out, "data=data") && strstr(r.err, "event=eintr"), "%s: %s", chk[i][1],
                  ss_describe(&r));
        ss_run_free(&r);
        run(&r, SHIELD_FAULT, off, argv);
        cr_expect(interrupted(&r), "%s with restart off: %s", chk[i][1], ss_describe(&r));
        ss_run_free(&r);
    }
}

/* ---- 2. a naive program under a signal storm ------------------------------- */

static unsigned long long count_of(const char *out, const char *side, const char *key)
{
    const char *p = strstr(out, side);
    return p ? strtoull(field(p, key), NULL, 0) : 0;
}

Test(restart, a_10khz_storm_breaks_a_naive_transfer_bare_and_not_shielded, .timeout = 180)
{
    const char *argv[] = { ss_helper("storm"), "64", NULL };
    struct ss_run bare, shielded, off;
    struct ss_env e;
    /* bare: some read or write fails with EINTR, and the exit status says so */
    ss_env_init(&e, false);
    ss_run(&bare, argv, &e, -1, 120);
    ss_env_free(&e);
    cr_expect(ss_exited(&bare, 4), "bare should fail with EINTR (4): %s", ss_describe(&bare));
    cr_expect(strstr(bare.out, "errno=EINTR"), "%s", ss_describe(&bare));

    /* shielded: every byte arrives, both ends were hit and resumed */
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_EVENTS=eintr");
    ss_run(&shielded, argv, &e, -1, 120);
    ss_env_free(&e);
    cr_assert(ss_exited(&shielded, 0), "%s", ss_describe(&shielded));
    const char *w = strstr(shielded.out, "writer:"), *rd = strstr(shielded.out, "reader:");
    cr_assert(w && rd, "%s", ss_describe(&shielded));
    char wsum[32], rsum[32];
    snprintf(wsum, sizeof wsum, "%s", field(w, "sum="));
    snprintf(rsum, sizeof rsum, "%s", field(rd, "sum="));
    cr_expect(strlen(wsum) == 16 && !strcmp(wsum, rsum), "checksums differ: %s", ss_describe(&shielded));
    cr_expect_eq(count_of(shielded.out, "writer:", "bytes="), 64ULL << 20);
    cr_expect_eq(count_of(shielded.out, "reader:", "bytes="), 64ULL << 20);
    cr_expect_geq(count_of(shielded.out, "writer:", "signals="), 200, "%s", shielded.out);
    cr_expect_geq(count_of(shielded.out, "reader:", "signals="), 200, "%s", shielded.out);
    cr_expect(strstr(shielded.err, "event=eintr call=read"), "the reader was never resumed: %.2000s",
              shielded.err);
    cr_expect(strstr(shielded.err, "event=eintr call=write"), "the writer was never resumed: %.2000s",
              shielded.err);

    /* negative control: the library loaded, restarting off */
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_RESTART=off");
    ss_run(&off, argv, &e, -1, 120);
    ss_env_free(&e);
    cr_expect(ss_exited(&off, 4), "restart off: %s", ss_describe(&off));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    ss_run_free(&off);
}

/* ---- 3. interruptions that are meant ----------------------------------------- */

/* The same policy where the library makes the call itself: read, write,
 * recv and send in a process with one thread (wrap.h), which is what the
 * helper `direct` is.  alarm(1) before the call: EINTR after a second.  A
 * SIGALRM handled before the call, then a SIGUSR1 that interrupts it: the
 * call is resumed (bare: EINTR), because only the signals of this call
 * count. */
Test(restart, the_direct_calls_keep_the_policy, .timeout = 120)
{
    static const char *const calls[] = { "read", "write", "recv", "send" };
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        struct ss_run r;
        const char *alarm_argv[] = { ss_helper("direct"), calls[i], "alarm", NULL };
        run(&r, SHIELD, NULL, alarm_argv);
        double t = number(r.out, "elapsed=");
        cr_expect(strstr(r.out, "threads=1") && interrupted(&r) && t >= 0.8 && t < 3.0,
                  "%s alarm: %s", calls[i], ss_describe(&r));
        ss_run_free(&r);

        const char *stale_argv[] = { ss_helper("direct"), calls[i], "stale", NULL };
        run(&r, SHIELD, NULL, stale_argv);
        cr_expect(strstr(r.out, "threads=1") && completed(&r) && strstr(r.out, "handled=2"),
                  "%s stale: %s", calls[i], ss_describe(&r));
        ss_run_free(&r);
        run(&r, BARE, NULL, stale_argv);
        cr_expect(interrupted(&r), "%s stale, bare: %s", calls[i], ss_describe(&r));
        ss_run_free(&r);
    }
}

/* alarm(1) before a blocking recv on a silent socket: EINTR after about a
 * second, bare and shielded (SIGALRM is in the no-restart set).  Control:
 * the same recv interrupted by SIGUSR1 from another process is resumed. */
Test(restart, alarm_still_times_out_a_blocking_recv, .timeout = 60)
{
    struct ss_run r;
    interrupt(&r, SHIELD, NULL, "recv", "alarm");
    cr_expect(interrupted(&r), "%s", ss_describe(&r));
    double t = number(r.out, "elapsed=");
    cr_expect(t >= 0.8 && t < 3.0, "elapsed %.3f s: %s", t, ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "recv", "alarm");
    cr_expect(interrupted(&r), "bare: %s", ss_describe(&r));
    ss_run_free(&r);

    interrupt(&r, SHIELD, NULL, "recv", "kill:USR1");
    cr_expect(completed(&r) && strstr(r.out, "data=data") && strstr(r.out, "handled=1"),
              "SIGUSR1 should be resumed: %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "recv", "kill:USR1");
    cr_expect(interrupted(&r), "bare SIGUSR1: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* A SIGINT handler (sigaction, no SA_RESTART) still interrupts a blocking
 * read; SIGUSR1 sent the same way is resumed. */
Test(restart, sigint_still_interrupts_a_blocking_read, .timeout = 60)
{
    struct ss_run r;
    interrupt(&r, SHIELD, NULL, "read", "kill:INT");
    cr_expect(interrupted(&r) && strstr(r.out, "handled=1"), "%s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, SHIELD, NULL, "read", "kill:USR1");
    cr_expect(completed(&r) && strstr(r.out, "data=data"), "SIGUSR1: %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "read", "kill:USR1");
    cr_expect(interrupted(&r), "bare SIGUSR1: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* pthread_kill(SIGUSR1) still wakes a thread blocked in accept (SI_TKILL);
 * the same signal sent to the process with kill() is resumed, and the
 * connection that arrives later is accepted and usable. */
Test(restart, pthread_kill_still_wakes_a_thread_blocked_in_accept, .timeout = 60)
{
    struct ss_run r;
    interrupt(&r, SHIELD, NULL, "accept", "tkill:USR1");
    cr_expect(interrupted(&r) && strstr(r.out, "handled=1"), "%s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, SHIELD, NULL, "accept", "kill:USR1");
    cr_expect(completed(&r) && strstr(r.out, "roundtrip=ok"), "kill(): %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "accept", "kill:USR1");
    cr_expect(interrupted(&r), "bare kill(): %s", ss_describe(&r));
    ss_run_free(&r);
}

/* pthread_sigqueue aims its signal at the thread as pthread_kill does
 * (si_code SI_QUEUE, our own pid): it wakes the thread with EINTR, as bare;
 * sigqueue to another process's pid keeps the restart (kill:USR1 above). */
Test(restart, pthread_sigqueue_wakes_a_thread_like_pthread_kill, .timeout = 60)
{
    static const char *const calls[] = { "read", "recv", "accept" };
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        struct ss_run r;
        interrupt(&r, BARE, NULL, calls[i], "tqueue:USR1");
        cr_expect(interrupted(&r) && strstr(r.out, "handled=1"), "bare %s: %s", calls[i],
                  ss_describe(&r));
        ss_run_free(&r);
        interrupt(&r, SHIELD, NULL, calls[i], "tqueue:USR1");
        cr_expect(interrupted(&r) && strstr(r.out, "handled=1"), "shielded %s: %s", calls[i],
                  ss_describe(&r));
        ss_run_free(&r);
    }
}

/* The documented behaviour change: a program that relies on SIGUSR1 making
 * its blocking calls fail gets that back by naming it in
 * SOCKSHIELD_NORESTART (or with SOCKSHIELD_RESTART=off). */
Test(restart, norestart_gives_usr1_its_eintr_back, .timeout = 60)
{
    const char *usr1[] = { "SOCKSHIELD_NORESTART=ALRM,INT,TERM,HUP,QUIT,USR1", NULL };
    const char *off[] = { "SOCKSHIELD_RESTART=off", NULL };
    struct ss_run r;
    interrupt(&r, SHIELD, usr1, "recv", "kill:USR1");
    cr_expect(interrupted(&r), "NORESTART with USR1: %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, SHIELD, off, "recv", "kill:USR1");
    cr_expect(interrupted(&r), "RESTART=off: %s", ss_describe(&r));
    ss_run_free(&r);
    /* and the reverse: with an empty set even SIGALRM is resumed (the
     * completer sends data after the handler ran) */
    const char *none[] = { "SOCKSHIELD_NORESTART=none", NULL };
    interrupt(&r, SHIELD, none, "recv", "alarm");
    cr_expect(completed(&r) && strstr(r.out, "data=data"), "NORESTART=none: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- 4. interruptions that are resumed ------------------------------------------ */

/* A real child exiting (SIGCHLD, handler without SA_RESTART) interrupts
 * accept: resumed, then the client's connection is accepted and usable. */
Test(restart, accept_interrupted_by_a_child_exiting_is_resumed, .timeout = 60)
{
    struct ss_run r;
    interrupt(&r, SHIELD, NULL, "accept", "child-exit");
    cr_expect(completed(&r) && strstr(r.out, "handled=1") && strstr(r.out, "roundtrip=ok"), "%s",
              ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "accept", "child-exit");
    cr_expect(interrupted(&r), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* connect to a TCP listener whose accept queue is full (the SYN is dropped
 * and retransmitted after a second), interrupted: resumed by waiting for
 * the handshake, never by a second connect (the fault preload, with no
 * faults, counts the calls: the queued client's and ours). */
Test(restart, connect_interrupted_on_tcp_is_finished_not_repeated, .timeout = 60)
{
    const char *count[] = { "SOCKSHIELD_FAULT_COUNT=connect", NULL };
    struct ss_run r;
    interrupt(&r, SHIELD_FAULT, count, "connect-tcp", "kill:USR1");
    cr_expect(completed(&r) && strstr(r.out, "handled=1") && strstr(r.out, "roundtrip=ok"), "%s",
              ss_describe(&r));
    cr_expect(strstr(r.err, "fault: connect=2"), "connect repeated: %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "connect-tcp", "kill:USR1");
    cr_expect(interrupted(&r), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* AF_UNIX keeps no pending attempt after EINTR: connect is called again
 * and waits until the listener makes room. */
Test(restart, connect_interrupted_on_unix_connects, .timeout = 60)
{
    struct ss_run r;
    interrupt(&r, SHIELD, NULL, "connect-unix", "kill:USR1");
    cr_expect(completed(&r) && strstr(r.out, "handled=1") && strstr(r.out, "roundtrip=ok"), "%s",
              ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, SHIELD, NULL, "connect-unix", "child-exit");
    cr_expect(completed(&r) && strstr(r.out, "roundtrip=ok"), "SIGCHLD: %s", ss_describe(&r));
    ss_run_free(&r);
    interrupt(&r, BARE, NULL, "connect-unix", "kill:USR1");
    cr_expect(interrupted(&r), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- 5. socket timeouts under a storm -------------------------------------------- */

static void timeo(struct ss_run *r, enum mode mode, const char *const env[], const char *what,
                  const char *setopt, const char *storm, const char *loop)
{
    const char *argv[] = { ss_helper("timeo"), what, setopt, storm, loop, NULL };
    run(r, mode, env, argv);
}

static void expect_about_half_a_second(const struct ss_run *r, const char *err, const char *what)
{
    double t = number(r->out, "elapsed=");
    cr_expect(!strcmp(field(r->out, "errno="), err), "%s: want %s: %s", what, err, ss_describe(r));
    cr_expect(t >= 0.45 && t < 1.5, "%s: elapsed %.3f s: %s", what, t, ss_describe(r));
}

/* A 500 ms SO_RCVTIMEO under a 10 kHz SIGUSR1 storm: one recv returns
 * EAGAIN after about 500 ms, not later.
 *
 * The control is what a naive restart does: bare, the helper's own loop
 * calls recv again on each EINTR, the kernel starts the 500 ms again each
 * time, and after 3 s it has still not timed out.  A library without the
 * deadline would be exactly that loop.  (Hiding the timeout from the library
 * with a raw setsockopt is no control: on the first EINTR the library reads
 * SO_RCVTIMEO itself, so that case must time out too, and is checked.) */
Test(restart, so_rcvtimeo_expires_on_time_under_a_storm, .timeout = 60)
{
    struct ss_run r;
    timeo(&r, SHIELD, NULL, "recv", "libc", "storm", "once");
    expect_about_half_a_second(&r, "EAGAIN", "shielded");
    cr_expect_geq(number(r.out, "signals="), 100, "no storm: %s", ss_describe(&r));
    ss_run_free(&r);

    timeo(&r, SHIELD, NULL, "recv", "raw", "storm", "once");
    expect_about_half_a_second(&r, "EAGAIN", "shielded, timeout set behind the library's back");
    ss_run_free(&r);

    timeo(&r, BARE, NULL, "recv", "libc", "storm", "naive");
    cr_expect(interrupted(&r) && number(r.out, "elapsed=") >= 2.9 && number(r.out, "calls=") > 100,
              "a naive restart should never time out: %s", ss_describe(&r));
    ss_run_free(&r);

    /* what the kernel's own expiry says, for comparison */
    timeo(&r, BARE, NULL, "recv", "libc", "quiet", "once");
    expect_about_half_a_second(&r, "EAGAIN", "bare, no storm");
    ss_run_free(&r);
}

/* SO_SNDTIMEO bounds connect the same way, and expiry gives the error the
 * kernel's own expiry gives: EINPROGRESS on TCP, EAGAIN on AF_UNIX. */
Test(restart, connect_timeout_expires_on_time_with_the_kernels_error, .timeout = 60)
{
    static const char *const cases[][2] = { { "connect-tcp", "EINPROGRESS" },
                                            { "connect-unix", "EAGAIN" } };
    for (unsigned i = 0; i < 2; i++) {
        struct ss_run r;
        timeo(&r, BARE, NULL, cases[i][0], "libc", "quiet", "once");
        expect_about_half_a_second(&r, cases[i][1], "bare, no storm");
        ss_run_free(&r);
        timeo(&r, SHIELD, NULL, cases[i][0], "libc", "storm", "once");
        expect_about_half_a_second(&r, cases[i][1], "shielded, storm");
        ss_run_free(&r);
    }
}

/* recvmmsg's own timeout counts from the first call: interrupted after it
 * passed, the resumed call returns with the first datagram (0.7 s), as the
 * uninterrupted call would have.  Control: restarting with the whole
 * timeout again (the helper's naive loop, bare) waits for the second
 * datagram (1.5 s). */
Test(restart, recvmmsg_timeout_counts_from_the_first_call, .timeout = 60)
{
    const char *once[] = { ss_helper("mmsgtimeo"), "once", NULL };
    const char *naive[] = { ss_helper("mmsgtimeo"), "naive", NULL };
    struct ss_run r;
    run(&r, SHIELD, NULL, once);
    cr_expect(!strcmp(field(r.out, "result="), "1") && number(r.out, "elapsed=") < 1.3, "%s",
              ss_describe(&r));
    ss_run_free(&r);
    run(&r, BARE, NULL, naive);
    cr_expect(!strcmp(field(r.out, "result="), "2") && number(r.out, "elapsed=") >= 1.4, "%s",
              ss_describe(&r));
    ss_run_free(&r);
    run(&r, BARE, NULL, once);
    cr_expect(interrupted(&r), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- 6. fortified programs ------------------------------------------------------- */

/* interrupt_fortify is built with -O2 -D_FORTIFY_SOURCE=2 and its reads go
 * to __read_chk and __recv_chk (checked in its imports); they are resumed
 * like read and recv. */
Test(restart, fortified_reads_are_resumed, .timeout = 60)
{
    const char *nm[] = { "/bin/sh", "-c", "nm -D --undefined-only \"$0\"",
                         ss_helper("interrupt_fortify"), NULL };
    struct ss_run r;
    run(&r, BARE, NULL, nm);
    cr_assert(strstr(r.out, "__read_chk") && strstr(r.out, "__recv_chk"),
              "the helper is not fortified (CFLAGS without optimisation?): %s", r.out);
    ss_run_free(&r);

    for (int i = 0; i < 2; i++) {
        const char *call = i ? "recv" : "read";
        const char *argv[] = { ss_helper("interrupt_fortify"), call, "kill:USR1", NULL };
        run(&r, SHIELD, NULL, argv);
        cr_expect(completed(&r) && strstr(r.out, "data=data") && strstr(r.out, "handled=1"), "%s: %s",
                  call, ss_describe(&r));
        ss_run_free(&r);
        run(&r, BARE, NULL, argv);
        cr_expect(interrupted(&r), "bare %s: %s", call, ss_describe(&r));
        ss_run_free(&r);
    }
}

/* ---- 8. what must pass through untouched ------------------------------------------- */

/* A write of 1 MiB into a pipe nobody reads, interrupted once the pipe is
 * full: the kernel returns the short count (the pipe's capacity), and so
 * does the shielded call; it is not completed (which would block for
 * ever).  The same for send on an AF_UNIX socket. */
Test(restart, short_counts_pass_through, .timeout = 60)
{
    const char *pipe_argv[] = { ss_helper("passthru"), "pipe-write", NULL };
    struct ss_run bare, shielded;
    run(&bare, BARE, NULL, pipe_argv);
    run(&shielded, SHIELD, NULL, pipe_argv);
    long cap = atol(field(shielded.out, "capacity="));
    cr_expect(cap > 0 && atol(field(shielded.out, "result=")) == cap, "%s", ss_describe(&shielded));
    cr_expect_str_eq(shielded.out, bare.out);
    ss_run_free(&bare);
    ss_run_free(&shielded);

    const char *sock_argv[] = { ss_helper("passthru"), "socket-send", NULL };
    run(&shielded, SHIELD, NULL, sock_argv);
    long n = atol(field(shielded.out, "result="));
    cr_expect(n > 0 && n < atol(field(shielded.out, "of=")), "%s", ss_describe(&shielded));
    ss_run_free(&shielded);
}

/* With one thread the wrappers of pread, pread64, readv and writev may
 * make the system call themselves (wrap.h): offsets, vectors, results
 * and errors are the kernel's, as bare. */
Test(restart, positioned_and_vector_calls_pass_through, .timeout = 60)
{
    const char *argv[] = { ss_helper("passthru"), "positioned", NULL };
    struct ss_run bare, shielded;
    run(&bare, BARE, NULL, argv);
    run(&shielded, SHIELD, NULL, argv);
    cr_expect_str_eq(shielded.out,
                     "pread=4:defg pread64=5:klmno neg=-1:EINVAL pipe=-1:ESPIPE writev=11 "
                     "readv=11:hello| world badcount=-1:EINVAL\n",
                     "%s", ss_describe(&shielded));
    cr_expect_str_eq(shielded.out, bare.out);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* close is never retried: an EINTR from close means the fd is gone
 * (close(2)), so it reaches the program once, as bare. */
Test(restart, close_is_never_retried, .timeout = 60)
{
    const char *argv[] = { ss_helper("passthru"), "close", NULL };
    const char *env[] = { "SOCKSHIELD_FAULT=close:EINTR:1", "SOCKSHIELD_FAULT_COUNT=close", NULL };
    struct ss_run r;
    run(&r, SHIELD_FAULT, env, argv);
    cr_expect(strstr(r.out, "result=-1 errno=EINTR after=EBADF"), "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "fault: close=1"), "close retried: %s", ss_describe(&r));
    ss_run_free(&r);
    run(&r, FAULT_ONLY, env, argv);
    cr_expect(strstr(r.out, "result=-1 errno=EINTR after=EBADF"), "without the library: %s",
              ss_describe(&r));
    ss_run_free(&r);
}

/* ---- the resume path must leave no state behind ------------------------------------ */

/* A handler that siglongjmps out of the library's wait inside a resumed
 * call: afterwards the thread's events are still logged. */
Test(restart, a_handler_jumping_out_of_a_resumed_call_leaves_logging_on, .timeout = 60)
{
    const char *jump[] = { ss_helper("jumpout"), "jump", NULL };
    const char *stay[] = { ss_helper("jumpout"), "nojump", NULL };
    struct ss_run r;
    run(&r, SHIELD, NULL, jump);
    cr_expect(strstr(r.out, "jumped=1 send=-1 errno=EPIPE"), "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "event=epipe"), "the epipe event was not logged: %s", ss_describe(&r));
    ss_run_free(&r);
    run(&r, SHIELD, NULL, stay);
    cr_expect(strstr(r.out, "jumped=0") && strstr(r.err, "event=epipe"), "%s", ss_describe(&r));
    ss_run_free(&r);
}
