/* Signal details that must stay exactly as bare: the arguments a handler
 * gets, a disposition glibc borrows for a while, and EINTR that no signal
 * caused.  Each case runs bare and shielded and expects the same. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "programs.h"

static void run(struct ss_run *r, bool preload, const char *const env[], const char *const argv[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    ss_run(r, argv, &e, -1, 30);
    ss_env_free(&e);
    cr_assert(ss_exited(r, 0), "%s %s (%s): %s", argv[0], argv[1], preload ? "shielded" : "bare",
              ss_describe(r));
}

/* A handler installed without SA_SIGINFO still gets the kernel's three
 * arguments: the ucontext it reads holds the interrupted mask. */
Test(sigexact, a_handler_without_siginfo_gets_the_kernels_ucontext, .timeout = 60)
{
#ifdef __aarch64__
    /* The arm64 kernel sets the second and third argument registers only
     * for an SA_SIGINFO handler: bare, a plain handler finds whatever the
     * interrupted code left there, so there is nothing to keep. */
    cr_skip_test("on aarch64 the kernel passes info and ucontext only to SA_SIGINFO handlers: "
                 "a plain handler's third argument is undefined bare");
#endif
    const char *argv[] = { ss_helper("sigexact"), "ucontext", NULL };
    for (int preload = 0; preload < 2; preload++) {
        struct ss_run r;
        run(&r, preload, NULL, argv);
        cr_expect(strstr(r.out, "sigaction uc=ok") && strstr(r.out, "signal uc=ok"), "%s: %s",
                  preload ? "shielded" : "bare", ss_describe(&r));
        ss_run_free(&r);
    }
}

/* glibc's system() sets SIGINT to SIG_IGN with its internal sigaction
 * while the shell runs.  A read-back in that window shows SIG_IGN, as bare,
 * never an address of the library; afterwards the program's handler is
 * both reported and run. */
Test(sigexact, a_handler_survives_the_ignore_system_sets_for_a_while, .timeout = 60)
{
    const char *argv[] = { ss_helper("sigexact"), "borrow", NULL };
    const char *reap[] = { "SOCKSHIELD_REAP=on", NULL };
    for (int mode = 0; mode < 3; mode++) {
        struct ss_run r;
        run(&r, mode > 0, mode == 2 ? reap : NULL, argv);
        const char *what = mode == 0 ? "bare" : mode == 1 ? "shielded" : "shielded, REAP=on";
        /* the window was seen, or the case proves nothing */
        cr_expect(!strstr(r.out, "reads_ign=0 "), "%s: window not seen: %s", what, ss_describe(&r));
        cr_expect(strstr(r.out, "system=0 ") && strstr(r.out, "reads_other=0 ") &&
                      strstr(r.out, "final=on_int handled=1"),
                  "%s: %s", what, ss_describe(&r));
        ss_run_free(&r);
    }
}

/* A helper that printed "skip: why" cannot run its case here: the test
 * skips with that reason (copied first: it outlives the run's buffers). */
static void skip_if_helper_says(struct ss_run *r)
{
    if (!strstr(r->out, "skip:"))
        return;
    char why[512];
    snprintf(why, sizeof why, "%s", r->out);
    why[strcspn(why, "\n")] = '\0';
    ss_run_free(r);
    cr_skip_test("%s", why);
}

/* A seccomp filter fails read() with EINTR for ever, no signal behind it.
 * Bare the program gets EINTR; shielded it is resumed a bounded number of
 * times (eight: each is an eintr event), then gets EINTR too, whether the
 * library makes the system call itself (one thread) or calls glibc. */
Test(sigexact, eintr_without_a_signal_is_returned_after_a_bounded_number_of_resumes,
     .timeout = 60)
{
    const char *events[] = { "SOCKSHIELD_EVENTS=eintr", "SOCKSHIELD_LOG_RATE=0", NULL };
    for (int threaded = 0; threaded < 2; threaded++) {
        const char *argv[] = { ss_helper("sigexact"), "seccomp", threaded ? "threaded" : NULL,
                               NULL };
        for (int preload = 0; preload < 2; preload++) {
            struct ss_run r;
            run(&r, preload, events, argv);
            skip_if_helper_says(&r);
            cr_expect(strstr(r.out, "result=-1 errno=EINTR"), "%s%s: %s",
                      preload ? "shielded" : "bare", threaded ? ", threaded" : "",
                      ss_describe(&r));
            if (preload)
                cr_expect_eq(ss_count(r.err, "event=eintr"), 8, "%s", ss_describe(&r));
            ss_run_free(&r);
        }
    }
}

/* A container's seccomp profile older than statx fails it with EPERM.
 * The library learns its fds' identity by statx (src/rawio.c) and must
 * fall back to fstat there: bare the program's EAGAIN is silent, shielded
 * its event still reaches stderr. */
Test(sigexact, statx_refused_by_a_filter_still_logs_to_stderr, .timeout = 30)
{
    const char *argv[] = { ss_helper("sigexact"), "statx-refused", NULL };
    for (int preload = 0; preload < 2; preload++) {
        struct ss_run r;
        run(&r, preload, NULL, argv);
        skip_if_helper_says(&r);
        cr_expect(ss_exited(&r, 0) && strstr(r.out, "recv=-1 errno=EAGAIN"), "%s: %s",
                  preload ? "shielded" : "bare", ss_describe(&r));
        cr_expect_eq(ss_count(r.err, "event=eagain call=recv"), preload ? 1 : 0, "%s: %s",
                     preload ? "shielded" : "bare", ss_describe(&r));
        ss_run_free(&r);
    }
}

/* CPython (PEP 475) and Perl (deferred signals) run a program's signal
 * handler when the interrupted call returns EINTR, then retry the call
 * themselves.  A Python and a Perl program blocked in accept, recv or read
 * run their SIGUSR1 handler at once shielded as bare (SOCKSHIELD_RUNTIMES=
 * auto, the default); with SOCKSHIELD_RUNTIMES=off the call is resumed and
 * the handler waits until the call completes two seconds later.  C
 * programs keep the restart (test_restart). */
static double latency(const char *interp, const char *script, const char *call, int mode)
{
    char path[4096];
    const char *src = getenv("SOCKSHIELD_TEST_SRCDIR");
    snprintf(path, sizeof path, "%s/tests/helpers/%s", src ? src : ".", script);
    const char *argv[] = { interp, path, call, NULL };
    const char *off[] = { "SOCKSHIELD_RUNTIMES=off", NULL };
    struct ss_run r;
    run(&r, mode > 0, mode == 2 ? off : NULL, argv);
    const char *l = strstr(r.out, "handled=1 latency=");
    cr_assert(l, "%s %s %s: %s", interp, script, call, ss_describe(&r));
    double v = atof(l + strlen("handled=1 latency="));
    cr_log_info("%s %s %s %s: latency %.3f s", interp, script, call,
                mode == 0 ? "bare" : mode == 1 ? "shielded" : "RUNTIMES=off", v);
    ss_run_free(&r);
    return v;
}

static void runtime_on_time(const char *interp, const char *script)
{
    static const char *const calls[] = { "accept", "recv", "read" };
    for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        /* the handler runs within milliseconds; the failure is seconds */
        double bare = latency(interp, script, calls[i], 0);
        cr_expect(bare < 1.0, "%s bare %s: %.3f s", script, calls[i], bare);
        double on = latency(interp, script, calls[i], 1);
        cr_expect(on < 1.0, "%s shielded %s: %.3f s", script, calls[i], on);
        double off = latency(interp, script, calls[i], 2);
        cr_expect(off >= 1.5, "%s RUNTIMES=off %s: %.3f s", script, calls[i], off);
    }
}

Test(sigexact, python_handlers_run_while_blocked_as_bare, .timeout = 120)
{
    runtime_on_time(ss_need_program("python3", "python3"), "rtsignal.py");
}

Test(sigexact, perl_handlers_run_while_blocked_as_bare, .timeout = 120)
{
    runtime_on_time(ss_need_program("perl", "perl"), "rtsignal.pl");
}
