/* Signals done right: the one-shot signal() upgrade, SIGPIPE caught
 * through every entry point and handler kind, reaping for fork servers
 * with every wait call still answered, and the signal state children
 * start with.  Each behaviour is shown against a bare run, or against the
 * setting switched off. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Runs a helper with a hang bound of `seconds`; env entries are
 * "NAME=VALUE". */
static void run_for(struct ss_run *r, bool preload, const char *const env[],
                    const char *const argv[], int seconds)
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    ss_run(r, argv, &e, -1, seconds);
    ss_env_free(&e);
}

static void run(struct ss_run *r, bool preload, const char *const env[], const char *const argv[])
{
    run_for(r, preload, env, argv, 30);
}

/* r's stdout with every line containing `drop` removed (malloc'ed). */
static char *without_lines(const char *out, const char *drop)
{
    char *res = calloc(1, strlen(out) + 1);
    const char *p = out;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!memmem(p, len, drop, strlen(drop)))
            strncat(res, p, len);
        p += len;
    }
    return res;
}

/* ---- the one-shot upgrade --------------------------------------------------- */

Test(signals, strict_c99_helper_imports___sysv_signal)
{
    const char *argv[] = { "/usr/bin/env", "nm", "-D", "--undefined-only",
                           ss_helper("sysvsig"), NULL };
    struct ss_run r;
    run(&r, false, NULL, argv);
    cr_assert(ss_exited(&r, 0), "nm: %s", ss_describe(&r));
    cr_expect(strstr(r.out, " __sysv_signal@"), "signal() did not become __sysv_signal: %s",
              r.out);
    cr_expect(!strstr(r.out, " signal@") && !strstr(r.out, " bsd_signal@"),
              "BSD signal imported: %s", r.out);
    ss_run_free(&r);
}

Test(signals, oneshot_signal_survives_a_second_raise_only_when_upgraded)
{
    const char *argv[] = { ss_helper("sysvsig"), "twice", NULL };
    const char *off[] = { "SOCKSHIELD_SIGNAL=off", NULL };
    struct ss_run bare, shielded, control;
    run(&bare, false, NULL, argv);
    run(&shielded, true, NULL, argv);
    run(&control, true, off, argv);
    cr_expect(ss_signaled(&bare, SIGUSR1) && strstr(bare.out, "handled=1"), "bare: %s",
              ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(shielded.out, "handled=1 depth=1\nhandled=2 depth=1\n"), "shielded: %s",
              ss_describe(&shielded));
    cr_expect(ss_signaled(&control, SIGUSR1) && strstr(control.out, "handled=1"),
              "SOCKSHIELD_SIGNAL=off: %s", ss_describe(&control));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    ss_run_free(&control);
}

Test(signals, oneshot_signal_delivered_again_inside_its_handler_waits_for_it)
{
    const char *argv[] = { ss_helper("sysvsig"), "nested", NULL };
    const char *off[] = { "SOCKSHIELD_SIGNAL=off", NULL };
    struct ss_run bare, shielded, control;
    run(&bare, false, NULL, argv);
    run(&shielded, true, NULL, argv);
    run(&control, true, off, argv);
    cr_expect(ss_signaled(&bare, SIGUSR1), "bare: %s", ss_describe(&bare));
    /* blocked while the handler runs: handled after it returned, not nested */
    cr_expect(ss_exited(&shielded, 0) && strstr(shielded.out, "handled=2 depth=1"),
              "shielded: %s", ss_describe(&shielded));
    cr_expect(ss_signaled(&control, SIGUSR1), "SOCKSHIELD_SIGNAL=off: %s",
              ss_describe(&control));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    ss_run_free(&control);
}

Test(signals, upgraded_handler_reads_back_as_set_while_the_kernel_keeps_it)
{
    const char *argv[] = { ss_helper("sysvsig"), "view", NULL };
    const char *off[] = { "SOCKSHIELD_SIGNAL=off", NULL };
    struct ss_run bare, shielded, control;
    run(&bare, false, NULL, argv);
    run(&shielded, true, NULL, argv);
    run(&control, true, off, argv);
    cr_assert(ss_exited(&bare, 0) && ss_exited(&shielded, 0) && ss_exited(&control, 0),
              "%s / %s", ss_describe(&bare), ss_describe(&shielded));
    static const char installed[] =
        "installed view: handler=on_usr1 resethand=1 nodefer=1 restart=0 self-masked=0\n";
    cr_expect(strstr(bare.out, installed), "bare: %s", bare.out);
    cr_expect(strstr(shielded.out, installed), "shielded: %s", shielded.out);
    /* the kernel: one-shot bare, persistent and self-blocked shielded, and
     * never SA_RESTART (SysV semantics: the restart policy decides) */
    cr_expect(strstr(bare.out, "installed kernel: resethand=1 nodefer=1 restart=0 self-masked=0"),
              "bare: %s", bare.out);
    cr_expect(strstr(shielded.out,
                     "installed kernel: resethand=0 nodefer=0 restart=0 self-masked=1"),
              "shielded: %s", shielded.out);
    /* after one delivery: reset bare, still the program's handler shielded */
    cr_expect(strstr(bare.out, "delivered view: handler=DFL"), "bare: %s", bare.out);
    cr_expect(strstr(shielded.out, "delivered view: handler=on_usr1 resethand=1 nodefer=1"),
              "shielded: %s", shielded.out);
    cr_expect_str_eq(control.out, bare.out);
    ss_run_free(&bare);
    ss_run_free(&shielded);
    ss_run_free(&control);
}

Test(signals, classic_reinstalling_handler_and_sigset_work_bare_and_shielded)
{
    const char *reinstall[] = { ss_helper("sysvsig"), "reinstall", NULL };
    const char *sigset_argv[] = { ss_helper("sysvsig"), "sigset", NULL };
    for (int preload = 0; preload < 2; preload++) {
        struct ss_run a, b;
        run(&a, preload, NULL, reinstall);
        run(&b, preload, NULL, sigset_argv);
        cr_expect(ss_exited(&a, 0) && strstr(a.out, "handled=4 depth=1"), "reinstall %d: %s",
                  preload, ss_describe(&a));
        /* glibc's sigset is persistent and blocks the signal in its handler */
        cr_expect(ss_exited(&b, 0) && strstr(b.out, "handled=3 depth=1"), "sigset %d: %s",
                  preload, ss_describe(&b));
        ss_run_free(&a);
        ss_run_free(&b);
    }
}

/* ---- SIGPIPE through every entry point ---------------------------------------- */

static void expect_default_entry(const char *entry, const char *previous)
{
    for (int m = 0; m < 2; m++) {
        const char *mode = m ? "socket" : "pipe";
        const char *argv[] = { ss_helper("pipewriter"), mode, entry, NULL };
        struct ss_run bare, shielded;
        run(&bare, false, NULL, argv);
        run(&shielded, true, NULL, argv);
        char want[128];
        snprintf(want, sizeof want, "entry=%s previous=%s readback=DFL\n", entry, previous);
        cr_expect(ss_signaled(&bare, SIGPIPE), "bare %s %s: %s", mode, entry,
                  ss_describe(&bare));
        cr_expect(strstr(bare.out, want), "bare %s %s: %s", mode, entry, ss_describe(&bare));
        cr_expect(ss_exited(&shielded, 0), "shielded %s %s: %s", mode, entry,
                  ss_describe(&shielded));
        cr_expect(strstr(shielded.out, want), "shielded %s: %s", entry, ss_describe(&shielded));
        cr_expect(strstr(shielded.out, "pipe-blocked=0 pipe-pending=0"), "shielded %s: %s",
                  entry, ss_describe(&shielded));
        ss_run_free(&bare);
        ss_run_free(&shielded);
    }
}

Test(signals, sigpipe_siginterrupt_and_sighold_keep_the_shield_and_read_back_default)
{
    expect_default_entry("siginterrupt", "DFL");
    /* sigset(SIG_HOLD) then sigset(SIG_DFL): returns SIG_HOLD and unblocks */
    expect_default_entry("sighold", "HOLD");
}

Test(signals, sigpipe_sigignore_reads_back_ignore)
{
    const char *argv[] = { ss_helper("pipewriter"), "pipe", "sigignore", NULL };
    for (int preload = 0; preload < 2; preload++) {
        struct ss_run r;
        run(&r, preload, NULL, argv);
        cr_expect(ss_exited(&r, 0), "%d: %s", preload, ss_describe(&r));
        cr_expect(strstr(r.out, "entry=sigignore previous=DFL readback=IGN"), "%d: %s", preload,
                  ss_describe(&r));
        ss_run_free(&r);
    }
}

Test(signals, sigpipe_program_handler_runs_behind_the_trampoline)
{
    static const char *entries[] = { "signal", "bsd_signal", "ssignal", "sysv_signal",
                                     "__sysv_signal", "sigset", "sigaction", "__sigaction",
                                     "sigaction-oneshot" };
    for (unsigned i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        const char *argv[] = { ss_helper("pipewriter"), "pipe", "handler", entries[i], "1", NULL };
        struct ss_run bare, shielded;
        run(&bare, false, NULL, argv);
        run(&shielded, true, NULL, argv);
        cr_expect(ss_exited(&bare, 0) && strstr(bare.out, "kernel=program ") &&
                      strstr(bare.out, "handler-calls=1 "),
                  "bare %s: %s", entries[i], ss_describe(&bare));
        /* the kernel holds the trampoline, which called the program's handler */
        cr_expect(ss_exited(&shielded, 0) && strstr(shielded.out, "kernel=other ") &&
                      strstr(shielded.out, "handler-calls=1 "),
                  "shielded %s: %s", entries[i], ss_describe(&shielded));
        cr_expect(strstr(shielded.out, "pipe-blocked=0 pipe-pending=0"), "%s: %s", entries[i],
                  ss_describe(&shielded));
        ss_run_free(&bare);
        ss_run_free(&shielded);
    }
}

/* A one-shot SIGPIPE handler: after it fired the program sees SIG_DFL, and
 * the shield (not the fatal default) is what stands in the kernel. */
Test(signals, sigpipe_oneshot_handler_falls_back_to_the_shield_not_to_death)
{
    const char *oneshot[] = { ss_helper("pipewriter"), "pipe", "handler", "sigaction-oneshot",
                              "3", NULL };
    const char *sysv[] = { ss_helper("pipewriter"), "pipe", "handler", "sysv_signal", "3", NULL };
    const char *off[] = { "SOCKSHIELD_SIGNAL=off", NULL };
    struct ss_run bare, shielded, sysv_bare, sysv_off, sysv_upgraded;
    run(&bare, false, NULL, oneshot);
    run(&shielded, true, NULL, oneshot);
    run(&sysv_bare, false, NULL, sysv);
    run(&sysv_off, true, off, sysv);
    run(&sysv_upgraded, true, NULL, sysv);
    cr_expect(ss_signaled(&bare, SIGPIPE), "bare: %s", ss_describe(&bare));
    cr_expect(ss_signaled(&sysv_bare, SIGPIPE), "bare sysv: %s", ss_describe(&sysv_bare));
    /* the reset is the trampoline's, straight to the shield: the kernel
     * never holds SIGPIPE's fatal default, not even between delivery and
     * the handler (another thread's SIGPIPE would kill there) */
    cr_expect(strstr(bare.out, "kernel-resethand=1"), "bare: %s", ss_describe(&bare));
    cr_expect(strstr(shielded.out, "kernel-resethand=0"), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(sysv_off.out, "kernel-resethand=0"), "sysv off: %s", ss_describe(&sysv_off));
    cr_expect(ss_exited(&shielded, 0) && strstr(shielded.out, "handler-calls=1 readback=DFL") &&
                  ss_count(shielded.out, "errno=Broken pipe") == 3,
              "shielded: %s", ss_describe(&shielded));
    cr_expect(ss_exited(&sysv_off, 0) && strstr(sysv_off.out, "handler-calls=1 readback=DFL"),
              "sysv, SOCKSHIELD_SIGNAL=off: %s", ss_describe(&sysv_off));
    cr_expect(ss_exited(&sysv_upgraded, 0) &&
                  strstr(sysv_upgraded.out, "handler-calls=3 readback=handler"),
              "sysv upgraded: %s", ss_describe(&sysv_upgraded));
    ss_run_free(&bare);
    ss_run_free(&shielded);
    ss_run_free(&sysv_bare);
    ss_run_free(&sysv_off);
    ss_run_free(&sysv_upgraded);
}

/* ---- reaping ------------------------------------------------------------------- */

static const char *const reap_on[] = { "SOCKSHIELD_REAP=on", NULL };

/* run() for the helpers that fork hundreds of children: natively each
 * takes under a second, under qemu-user (CI's aarch64 leg, where every
 * fork copies the emulator) 7 to 25 s on a loaded machine.  The timeout
 * only bounds a hang. */
static void run_many_forks(struct ss_run *r, bool preload, const char *const env[],
                           const char *const argv[])
{
    run_for(r, preload, env, argv, 100);
}

Test(signals, fork_server_leaves_no_zombies_only_with_reap, .timeout = 320)
{
    const char *argv[] = { ss_helper("forkserver"), "500", NULL };
    struct ss_run bare, off, on;
    run_many_forks(&bare, false, NULL, argv);
    run_many_forks(&off, true, NULL, argv);
    run_many_forks(&on, true, reap_on, argv);
    cr_expect(ss_exited(&bare, 0) && strstr(bare.out, "served=500 answered=500 zombies=500 "),
              "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&off, 0) && strstr(off.out, "served=500 answered=500 zombies=500 "),
              "SOCKSHIELD_REAP=off: %s", ss_describe(&off));
    /* No signal handler: the reaper sweeps at accept and fork, so only the
     * children that ended after the last fork remain (libsockshield(7), REAPING: a few
     * for a server that serves one connection at a time). */
    const char *z = strstr(on.out, "served=500 answered=500 zombies=");
    cr_expect(ss_exited(&on, 0) && z && atoi(z + strlen("served=500 answered=500 zombies=")) <= 3 &&
                  strstr(on.out, " alive=0"),
              "SOCKSHIELD_REAP=on: %s", ss_describe(&on));
    ss_run_free(&bare);
    ss_run_free(&off);
    ss_run_free(&on);
}

/* Bare, SIGCHLD at its default is discarded and interrupts nothing; the
 * reaper must not change that (a SIGCHLD handler would: sleep, poll,
 * select, epoll_wait and sigtimedwait ignore SA_RESTART). */
Test(signals, reap_mode_never_interrupts_sleep_poll_or_select, .timeout = 60)
{
    const char *argv[] = { ss_helper("reapwait"), "sleepers", NULL };
    static const char want[] = "sleep=0 slept=full nanosleep=0 poll=0 select=0 epoll_wait=0 "
                               "sigtimedwait=EAGAIN\n";
    struct ss_run bare, on;
    run(&bare, false, NULL, argv);
    run(&on, true, reap_on, argv);
    cr_expect(ss_exited(&bare, 0) && !strcmp(bare.out, want), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&on, 0) && !strcmp(on.out, want), "REAP=on: %s", ss_describe(&on));
    ss_run_free(&bare);
    ss_run_free(&on);
}

/* Every wait call reports a child the reaper took exactly as the kernel
 * reports a zombie, and only once. */
Test(signals, reap_mode_every_wait_call_still_gets_the_status, .timeout = 120)
{
    static const char *modes[] = { "wait", "waitpid", "waitpid-any", "waitpid-group",
                                   "waitpid-pgid", "wait3", "wait4", "waitid", "waitid-group",
                                   "nohang", "peek", "killed" };
    for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *argv[] = { ss_helper("reapwait"), modes[i], NULL };
        struct ss_run bare, off, on;
        run(&bare, false, NULL, argv);
        run(&off, true, NULL, argv);
        run(&on, true, reap_on, argv);
        cr_assert(ss_exited(&bare, 0) && ss_exited(&off, 0) && ss_exited(&on, 0),
                  "%s: %s / %s", modes[i], ss_describe(&bare), ss_describe(&on));
        cr_expect(strstr(bare.out, "reaped-early=no\n"), "bare %s: %s", modes[i], bare.out);
        cr_expect(strstr(off.out, "reaped-early=no\n"), "REAP=off %s: %s", modes[i], off.out);
        /* the reaper took the child before the program asked for it */
        cr_expect(strstr(on.out, "reaped-early=yes\n"), "REAP=on %s: %s", modes[i], on.out);
        cr_expect(strstr(bare.out, "round=1 ") && strstr(bare.out, "errno=ECHILD"),
                  "bare %s: %s", modes[i], bare.out);
        char *b = without_lines(bare.out, "reaped-early="),
             *s = without_lines(on.out, "reaped-early=");
        cr_expect_str_eq(s, b, "%s: REAP=on differs from bare", modes[i]);
        free(b);
        free(s);
        ss_run_free(&bare);
        ss_run_free(&off);
        ss_run_free(&on);
    }
}

Test(signals, reap_mode_waits_blocked_in_the_kernel_race_the_reaper_safely, .timeout = 220)
{
    const char *modes[] = { "blocking", "blocking-threads" };
    for (int i = 0; i < 2; i++) {
        const char *argv[] = { ss_helper("reapwait"), modes[i], NULL };
        struct ss_run r;
        run_many_forks(&r, true, reap_on, argv);
        cr_expect(ss_exited(&r, 0) &&
                      strstr(r.out, "blocking by-pid=200/200 by-any=200/200 leftover=none"),
                  "%s: %s", modes[i], ss_describe(&r));
        ss_run_free(&r);
    }
}

/* pclose, and fclose, which is glibc's pclose for a popen stream: the
 * shell is waited for and its status returned, nothing left for wait(-1). */
Test(signals, reap_mode_pclose_returns_the_child_status, .timeout = 60)
{
    static const char *const modes[] = { "popen", "popen-fclose" };
    for (int m = 0; m < 2; m++) {
        const char *argv[] = { ss_helper("reapwait"), modes[m], NULL };
        const char *call = m ? "fclose" : "pclose";
        struct ss_run bare, on;
        run(&bare, false, NULL, argv);
        run(&on, true, reap_on, argv);
        static const char *const labels[] = { "read", "write", "killed", "cloexec",
                                              "flush-failed" };
        static const char *const results[] = { "exited:3", "exited:4", "signaled:15",
                                               "exited:5", "-1" };
        for (int i = 0; i < 5; i++) {
            char want[96];
            snprintf(want, sizeof want, "%s %s=%s\n%s left=ECHILD\n", labels[i], call,
                     results[i], labels[i]);
            cr_expect(strstr(bare.out, want), "bare %s: %s", want, ss_describe(&bare));
            cr_expect(strstr(on.out, want), "REAP=on %s: %s", want, ss_describe(&on));
        }
        cr_expect(ss_count(bare.out, "reaped-early=no") == 5, "bare: %s", bare.out);
        cr_expect(ss_count(on.out, "reaped-early=yes") == 5, "REAP=on: %s", on.out);
        ss_run_free(&bare);
        ss_run_free(&on);
    }
}

Test(signals, reap_mode_program_installing_its_own_sigchld_handler_reaps_itself)
{
    const char *argv[] = { ss_helper("reapwait"), "handler", NULL };
    struct ss_run bare, on;
    run(&bare, false, NULL, argv);
    run(&on, true, reap_on, argv);
    static const char want[] = "handler-called=yes reaped=3 status-sum=6 zombies=0";
    cr_expect(strstr(bare.out, "reaped-early=no") && strstr(bare.out, want), "bare: %s",
              ss_describe(&bare));
    /* the first child, taken by our reaper, is handed to the program's own
     * waitpid(-1, WNOHANG) in its handler */
    cr_expect(strstr(on.out, "reaped-early=yes") && strstr(on.out, want), "REAP=on: %s",
              ss_describe(&on));
    ss_run_free(&bare);
    ss_run_free(&on);
}

Test(signals, reap_mode_system_in_a_threaded_program_gets_the_status, .timeout = 60)
{
    const char *argv[] = { ss_helper("reapwait"), "system-threads", NULL };
    struct ss_run bare, on;
    run(&bare, false, NULL, argv);
    run(&on, true, reap_on, argv);
    cr_expect(strstr(bare.out, "system=30/30"), "bare: %s", ss_describe(&bare));
    cr_expect(strstr(on.out, "system=30/30"), "REAP=on: %s", ss_describe(&on));
    ss_run_free(&bare);
    ss_run_free(&on);
}

Test(signals, reap_mode_cancelled_wait_and_fork_during_a_wait_keep_reaping, .timeout = 60)
{
    const char *cancel[] = { ss_helper("reapwait"), "cancel", NULL };
    const char *forked[] = { ss_helper("reapwait"), "fork-in-wait", NULL };
    struct ss_run bare_c, on_c, bare_f, on_f;
    run(&bare_c, false, NULL, cancel);
    run(&on_c, true, reap_on, cancel);
    run(&bare_f, false, NULL, forked);
    run(&on_f, true, reap_on, forked);
    cr_expect(strstr(bare_c.out, "after-cancel zombies=21"), "bare: %s", ss_describe(&bare_c));
    cr_expect(strstr(on_c.out, "after-cancel zombies=0"), "REAP=on: %s", ss_describe(&on_c));
    cr_expect(strstr(bare_f.out, "fork-child zombies=5"), "bare: %s", ss_describe(&bare_f));
    cr_expect(strstr(on_f.out, "fork-child zombies=0"), "REAP=on: %s", ss_describe(&on_f));
    ss_run_free(&bare_c);
    ss_run_free(&on_c);
    ss_run_free(&bare_f);
    ss_run_free(&on_f);
}

Test(signals, reap_mode_collects_zombies_inherited_across_exec)
{
    const char *bare_argv[] = { ss_helper("reapwait"), "exec-zombie", "", NULL };
    char lib[8192]; /* the whole LD_PRELOAD the helper sets: the ASan runtime first */
    snprintf(lib, sizeof lib, "%s%s", ss_preload_prefix(), ss_lib());
    const char *on_argv[] = { ss_helper("reapwait"), "exec-zombie", lib, NULL };
    struct ss_run bare, on;
    run(&bare, false, NULL, bare_argv);
    run(&on, false, NULL, on_argv);
    cr_expect(strstr(bare.out, "inherited zombies=1 collected=1 status-sum=9"), "bare: %s",
              ss_describe(&bare));
    cr_expect(strstr(on.out, "inherited zombies=0 collected=1 status-sum=9"), "REAP=on: %s",
              ss_describe(&on));
    ss_run_free(&bare);
    ss_run_free(&on);
}

Test(signals, reap_mode_sigaction_read_back_is_identical_to_bare)
{
    const char *argv[] = { ss_helper("sigview"), NULL };
    struct ss_run bare, on;
    run(&bare, false, NULL, argv);
    run(&on, true, reap_on, argv);
    cr_assert(ss_exited(&bare, 0) && ss_exited(&on, 0), "%s", ss_describe(&on));
    cr_expect(strstr(bare.out, "k0-f0 sig=17 handler=DFL"), "%s", bare.out);
    cr_expect_str_eq(on.out, bare.out);
    ss_run_free(&bare);
    ss_run_free(&on);
}

/* ---- children -------------------------------------------------------------------- */

static const char *const methods[] = { "execve", "posix_spawn", "vfork", "vfork-reset", "system",
                                       "popen" };

static void expect_children(bool preload, const char *const env[], const char *state,
                            const char *label)
{
    char child[4096];
    snprintf(child, sizeof child, "%s", ss_helper("sigstate")); /* ss_helper's buffer is reused */
    for (unsigned i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        const char *argv[] = { ss_helper("spawnkids"), methods[i], child, NULL };
        struct ss_run r;
        run(&r, preload, env, argv);
        char want[160];
        snprintf(want, sizeof want, "%s: %s blocked=none\nstatus=exited:0\n", methods[i], state);
        cr_expect(ss_exited(&r, 0) && strstr(r.out, want), "%s, %s: %s", label, methods[i],
                  ss_describe(&r));
        ss_run_free(&r);
    }
}

Test(signals, children_start_with_default_sigpipe_and_sigchld_unless_shielded, .timeout = 120)
{
    const char *off[] = { "SOCKSHIELD_INHERIT=off", "SOCKSHIELD_REAP=on", NULL };
    const char *inherit[] = { "SOCKSHIELD_REAP=on", NULL };
    const char *ignore[] = { "SOCKSHIELD_INHERIT=off", "SOCKSHIELD_REAP=on",
                             "SOCKSHIELD_SIGPIPE=ignore", NULL };
    expect_children(false, NULL, "PIPE=default CHLD=default", "bare");
    /* the parent catches both; exec resets handlers */
    expect_children(true, off, "PIPE=default CHLD=default", "INHERIT=off REAP=on");
    /* the children load the library again; the reaper is no handler */
    expect_children(true, inherit, "PIPE=caught CHLD=default", "INHERIT=on REAP=on");
    /* SIG_IGN survives exec, as documented */
    expect_children(true, ignore, "PIPE=ignored CHLD=default", "SIGPIPE=ignore INHERIT=off");
}

/* A vfork child shares the parent's memory: its signal() calls before exec
 * must not rewrite the parent's table. */
Test(signals, vfork_child_resetting_signals_leaves_the_parent_handlers_alone)
{
    char child[4096];
    snprintf(child, sizeof child, "%s", ss_helper("sigstate")); /* ss_helper's buffer is reused */
    const char *argv[] = { ss_helper("spawnkids"), "vfork-reset", child, "own", NULL };
    const char *off[] = { "SOCKSHIELD_INHERIT=off", NULL };
    static const char parent[] =
        "parent: usr1=1 pipe=1 usr1-readback=handler pipe-readback=handler";
    struct ss_run bare, shielded;
    run(&bare, false, NULL, argv);
    if (strstr(bare.out, "vfork-memory=copied")) {
        ss_run_free(&bare);
        cr_skip_test("vfork gives the child a copy of the memory here (qemu-user runs it as "
                     "fork): a child cannot rewrite the parent's table");
    }
    cr_expect(strstr(bare.out, "vfork-memory=shared"), "bare: %s", ss_describe(&bare));
    run(&shielded, true, off, argv);
    cr_expect(ss_exited(&bare, 0) && strstr(bare.out, parent), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0) && strstr(shielded.out, parent), "shielded: %s",
              ss_describe(&shielded));
    cr_expect(strstr(shielded.out, "vfork-reset: PIPE=default CHLD=default blocked=none"),
              "shielded: %s", ss_describe(&shielded));
    ss_run_free(&bare);
    ss_run_free(&shielded);
}
