/* The SIGPIPE shield, provoked for real: a write into a pipe whose reader
 * is gone and a send on a socket whose peer closed.  Bare, each helper dies
 * of SIGPIPE; under the preload it gets EPIPE and lives. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void run_helper(struct ss_run *r, bool preload, const char *const extra_env[],
                       const char *const argv[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; extra_env && extra_env[i]; i++)
        ss_env_set(&e, "%s", extra_env[i]);
    ss_run(r, argv, &e, -1, 20);
    ss_env_free(&e);
}

static void expect_shielded(const char *mode, const char *entry)
{
    const char *argv[] = { ss_helper("pipewriter"), mode, entry, NULL };
    struct ss_run bare, shielded;
    run_helper(&bare, false, NULL, argv);
    run_helper(&shielded, true, NULL, argv);
    cr_expect(ss_signaled(&bare, SIGPIPE), "bare %s %s: %s", mode, entry ? entry : "",
              ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0), "shielded %s %s: %s", mode, entry ? entry : "",
              ss_describe(&shielded));
    cr_expect(strstr(shielded.out, "errno=Broken pipe"), "%s", ss_describe(&shielded));
    /* positive control: the library was loaded and saw the event */
    cr_expect(strstr(shielded.err, "event=epipe"), "no event line: %s", ss_describe(&shielded));
    if (entry) {
        char want[128];
        snprintf(want, sizeof want, "entry=%s previous=DFL readback=DFL", entry);
        cr_expect(strstr(bare.out, want), "bare read-back: %s", ss_describe(&bare));
        cr_expect(strstr(shielded.out, want), "shielded read-back: %s", ss_describe(&shielded));
    }
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

Test(sigpipe, pipe_write_dies_bare_and_gets_epipe_shielded)
{
    expect_shielded("pipe", NULL);
}

Test(sigpipe, socket_send_dies_bare_and_gets_epipe_shielded)
{
    expect_shielded("socket", NULL);
}

Test(sigpipe, every_signal_entry_point_asking_for_default_keeps_the_shield)
{
    static const char *entries[] = { "signal", "bsd_signal", "ssignal", "sysv_signal",
                                     "__sysv_signal", "sigset", "sigaction", "__sigaction" };
    for (unsigned i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        expect_shielded("pipe", entries[i]);
        expect_shielded("socket", entries[i]);
    }
}

Test(sigpipe, mode_off_brings_the_death_back)
{
    const char *argv[] = { ss_helper("pipewriter"), "pipe", NULL };
    const char *env[] = { "SOCKSHIELD_SIGPIPE=off", NULL };
    struct ss_run r;
    run_helper(&r, true, env, argv);
    cr_expect(ss_signaled(&r, SIGPIPE), "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(sigpipe, mode_ignore_survives_too)
{
    const char *argv[] = { ss_helper("pipewriter"), "socket", "signal", NULL };
    const char *env[] = { "SOCKSHIELD_SIGPIPE=ignore", NULL };
    struct ss_run r;
    run_helper(&r, true, env, argv);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect(strstr(r.out, "readback=DFL"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* A shielded shell runs a child that reports SIGPIPE's state. */
static char *child_state(bool preload, const char *const env[], bool launcher,
                         const char *const launcher_opts[])
{
    char script[4200];
    snprintf(script, sizeof script, "%s; :", ss_helper("sigstate"));
    const char *argv[16];
    int n = 0;
    if (launcher) {
        argv[n++] = ss_launcher();
        for (int i = 0; launcher_opts && launcher_opts[i]; i++)
            argv[n++] = launcher_opts[i];
        argv[n++] = "--";
    }
    argv[n++] = "/bin/sh";
    argv[n++] = "-c";
    argv[n++] = script;
    argv[n] = NULL;
    struct ss_run r;
    run_helper(&r, preload, env, argv);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    char *out = strdup(r.out);
    ss_run_free(&r);
    return out;
}

Test(sigpipe, inherit_off_children_start_with_the_default)
{
    const char *off[] = { "SOCKSHIELD_INHERIT=off", NULL };
    char *s = child_state(true, off, false, NULL);
    cr_expect(strstr(s, "PIPE=default"), "INHERIT=off: %s", s);
    free(s);
    s = child_state(true, NULL, false, NULL);
    cr_expect(strstr(s, "PIPE=caught"), "INHERIT=on: %s", s);
    free(s);
    s = child_state(false, NULL, false, NULL);
    cr_expect(strstr(s, "PIPE=default"), "bare: %s", s);
    free(s);
}

Test(sigpipe, inherit_off_through_the_launcher_too)
{
    const char *no_inherit[] = { "--inherit=off", NULL };
    char *s = child_state(false, NULL, true, no_inherit);
    cr_expect(strstr(s, "PIPE=default"), "launcher --inherit=off: %s", s);
    free(s);
    s = child_state(false, NULL, true, NULL);
    cr_expect(strstr(s, "PIPE=caught"), "launcher: %s", s);
    free(s);
}

Test(sigpipe, ignore_mode_is_inherited_by_every_child)
{
    const char *env[] = { "SOCKSHIELD_SIGPIPE=ignore", "SOCKSHIELD_INHERIT=off", NULL };
    char *s = child_state(true, env, false, NULL);
    cr_expect(strstr(s, "PIPE=ignored"), "%s", s);
    free(s);
}

/* yes | head -n1: bare, yes dies of SIGPIPE (141), and so it does shielded
 * (a pipeline ends as bare), by LD_PRELOAD and through the launcher; with
 * --pipeline=shield (SOCKSHIELD_PIPELINE=shield) it gets EPIPE, says so
 * and exits 1. */
Test(sigpipe, yes_into_head_ends_as_bare_and_survives_under_pipeline_shield)
{
    static const char script[] = "{ yes; echo \"yes-status=$?\" >&2; } | head -n1";
    const char *sh[] = { "/bin/sh", "-c", script, NULL };
    const char *shield[] = { "SOCKSHIELD_PIPELINE=shield", NULL };
    struct ss_run bare, pre, lau, pre_sh, lau_sh;
    run_helper(&bare, false, NULL, sh);
    run_helper(&pre, true, NULL, sh);
    run_helper(&pre_sh, true, shield, sh);
    const char *via[] = { ss_launcher(), "--", "/bin/sh", "-c", script, NULL };
    const char *via_sh[] = { ss_launcher(), "--pipeline=shield", "--", "/bin/sh", "-c", script,
                             NULL };
    run_helper(&lau, false, NULL, via);
    run_helper(&lau_sh, false, NULL, via_sh);
    cr_expect(strstr(bare.err, "yes-status=141"), "bare: %s", ss_describe(&bare));
    cr_expect(strstr(pre.err, "yes-status=141\n"), "preload: %s", ss_describe(&pre));
    cr_expect(strstr(lau.err, "yes-status=141\n"), "launcher: %s", ss_describe(&lau));
    cr_expect(strstr(pre_sh.err, "yes-status=1\n"), "preload shield: %s", ss_describe(&pre_sh));
    cr_expect(strstr(pre_sh.err, "Broken pipe"), "preload shield: %s", ss_describe(&pre_sh));
    cr_expect(strstr(lau_sh.err, "yes-status=1\n"), "launcher shield: %s", ss_describe(&lau_sh));
    cr_expect_str_eq(pre.out, "y\n");
    cr_expect_str_eq(pre_sh.out, "y\n");
    ss_run_free(&bare);
    ss_run_free(&pre);
    ss_run_free(&lau);
    ss_run_free(&pre_sh);
    ss_run_free(&lau_sh);
}

Test(sigpipe, sigaction_read_back_is_identical_bare_and_shielded)
{
    const char *argv[] = { ss_helper("sigview"), NULL };
    struct ss_run bare, shielded;
    run_helper(&bare, false, NULL, argv);
    run_helper(&shielded, true, NULL, argv);
    cr_assert(ss_exited(&bare, 0), "%s", ss_describe(&bare));
    cr_assert(ss_exited(&shielded, 0), "%s", ss_describe(&shielded));
    cr_assert(bare.out_len > 10000, "too little output: %s", ss_describe(&bare));
    cr_expect(strstr(bare.out, "hits=1"), "%s", ss_describe(&bare));
    cr_expect_str_eq(shielded.out, bare.out);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* The only thread cancels itself, then calls read, write, recv or send on
 * a ready fd: bare, glibc acts on the cancellation there (the thread, and
 * so the process, ends with status 0 before the call returns).  Shielded,
 * these four are made directly while the process has one thread; the
 * pending cancellation must stop them all the same. */
Test(sigpipe, a_pending_self_cancellation_stops_the_four_direct_calls)
{
    static const char *calls[] = { "read", "write", "recv", "send" };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        for (int shield = 0; shield <= 1; shield++) {
            const char *argv[] = { ss_helper("cancelread"), "self", calls[i], NULL };
            struct ss_run r;
            run_helper(&r, shield, NULL, argv);
            cr_expect(ss_exited(&r, 0), "%s %s: %s", calls[i], shield ? "shielded" : "bare",
                      ss_describe(&r));
            cr_expect(strstr(r.out, "cancelling"), "%s: %s", calls[i], ss_describe(&r));
            cr_expect(!strstr(r.out, "returned"), "%s %s came back: %s", calls[i],
                      shield ? "shielded" : "bare", ss_describe(&r));
            ss_run_free(&r);
        }
    }
}

Test(sigpipe, pthread_cancel_still_cancels_a_thread_blocked_in_read)
{
    const char *argv[] = { ss_helper("cancelread"), NULL };
    struct ss_run r;
    run_helper(&r, true, NULL, argv);
    cr_expect(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect(strstr(r.out, "cancelled"), "%s", ss_describe(&r));
    ss_run_free(&r);
}
