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

/* Runs a helper; env entries are "NAME=VALUE". */
static void run(struct ss_run *r, bool preload, const char *const env[], const char *const argv[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; env && env[i]; i++)
        ss_env_set(&e, "%s", env[i]);
    ss_run(r, argv, &e, -1, 30);
    ss_env_free(&e);
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
