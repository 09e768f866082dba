/* Pipelines end as bare (SOCKSHIELD_PIPELINE=end), and a SIGPIPE sent on
 * purpose takes the default the program asked for.
 *
 * Real producers from Debian (bash, dash, perl, find, coreutils' yes) run
 * into `head`, bare and shielded: both ways the producer dies of SIGPIPE
 * (status 141) at its first write after head left, so `set -o pipefail`
 * and `PIPESTATUS` see the same thing.  The shielded run also says so in
 * one event line, action=ended.  What stays shielded is checked next to
 * it: sockets on fd 1 and 2, pipes on fd 3, programs that chose SIG_IGN or
 * a handler, and everything under SOCKSHIELD_PIPELINE=shield. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "programs.h"

#define TIMEOUT 30.0

static void run(struct ss_run *r, bool preload, const char *const argv[],
                const char *const extra_env[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; extra_env && extra_env[i]; i++)
        ss_env_set(&e, "%s", extra_env[i]);
    ss_run(r, argv, &e, -1, TIMEOUT);
    ss_env_free(&e);
}

/* "PRODUCER | head -c1": bash reports the producer's status and what
 * reached head; stderr keeps what the producer said. */
static void pipeline(struct ss_run *r, bool preload, const char *producer,
                     const char *const extra_env[])
{
    char script[1024];
    snprintf(script, sizeof script,
             "set -o pipefail; %s | head -c1 >/dev/null; echo \"status=${PIPESTATUS[0]}\"",
             producer);
    const char *argv[] = { ss_need_program("bash", "bash"), "-c", script, NULL };
    run(r, preload, argv, extra_env);
}

static const char *const ended[] = { "event=epipe", "call=write", "fd=1", "sock=pipe",
                                     "errno=EPIPE", "action=ended", NULL };

/* Bare and shielded alike: status 141, nothing said by the producer; the
 * shielded run adds exactly one event line. */
static void expect_ends_as_bare(const char *producer, const char *prog)
{
    struct ss_run bare, shielded;
    pipeline(&bare, false, producer, NULL);
    pipeline(&shielded, true, producer, NULL);
    cr_expect_str_eq(bare.out, "status=141\n", "bare %s: %s", producer, ss_describe(&bare));
    cr_expect_str_eq(shielded.out, "status=141\n", "shielded %s: %s", producer,
                     ss_describe(&shielded));
    cr_expect_eq(ss_shield_lines(bare.err), 0, "bare %s: %s", producer, ss_describe(&bare));
    char want_prog[64];
    snprintf(want_prog, sizeof want_prog, "prog=%s", prog);
    const char *want[] = { want_prog, ended[0], ended[1], ended[2], ended[3], ended[4], ended[5],
                           NULL };
    cr_expect_eq(ss_event_count(shielded.err, want), 1, "shielded %s: %s", producer,
                 ss_describe(&shielded));
    /* Nothing but our one line: no "Broken pipe", no "write error". */
    cr_expect_eq(ss_shield_lines(shielded.err), 1, "shielded %s: %s", producer,
                 ss_describe(&shielded));
    cr_expect(!strstr(shielded.err, "roken pipe") && !strstr(shielded.err, "write error"),
              "shielded %s: %s", producer, ss_describe(&shielded));
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

Test(pipeline, yes_into_head_ends_as_bare)
{
    ss_need_program("yes", "coreutils");
    expect_ends_as_bare("yes", "yes");
}

Test(pipeline, bash_echo_loop_into_head_ends_as_bare)
{
    /* echo is a builtin: stdio's writes, which the library never sees */
    expect_ends_as_bare("bash -c 'while :; do echo y; done'", "bash");
}

Test(pipeline, dash_echo_loop_into_head_ends_as_bare)
{
    char producer[256];
    snprintf(producer, sizeof producer, "%s -c 'while :; do echo y; done'",
             ss_need_program("dash", "dash"));
    expect_ends_as_bare(producer, "dash");
}

Test(pipeline, perl_print_loop_and_one_big_print_end_as_bare)
{
    ss_need_program("perl", "perl-base");
    expect_ends_as_bare("perl -e 'while (1) { print \"y\\n\" }'", "perl");
    expect_ends_as_bare("perl -e 'print \"x\" x 1e7'", "perl");
}

/* find /usr | head -1: bare, find dies at its first write after head left;
 * shielded too, instead of walking the whole tree.  The watchdog is the
 * harness's timeout (a walk that never ends fails the test); that find
 * was ended by that first failed write, not by finishing, is what status
 * 141 and the single event line say, with no timing threshold. */
Test(pipeline, find_into_head_ends_at_its_first_failed_write)
{
    ss_need_program("find", "findutils");
    expect_ends_as_bare("find /usr", "find");
}

/* Every entry point that writes into a pipe: the kernel raises SIGPIPE for
 * each, the library decides in one place. */
Test(pipeline, every_write_entry_into_a_broken_stdout_or_stderr_ends_as_bare)
{
    static const char *entries[] = { "write", "writev", "fwrite", "sendfile",
                                     "splice", "vmsplice", "fifo" };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        for (int fd = 1; fd <= 2; fd++) {
            char fds[4];
            snprintf(fds, sizeof fds, "%d", fd);
            const char *argv[] = { ss_helper("stdpipe"), "write", entries[i], fds, NULL };
            struct ss_run bare, shielded, shield_mode;
            const char *shield_env[] = { "SOCKSHIELD_PIPELINE=shield", NULL };
            run(&bare, false, argv, NULL);
            run(&shielded, true, argv, NULL);
            run(&shield_mode, true, argv, shield_env);
            cr_expect(ss_signaled(&bare, SIGPIPE), "bare %s fd %d: %s", entries[i], fd,
                      ss_describe(&bare));
            cr_expect(ss_signaled(&shielded, SIGPIPE), "shielded %s fd %d: %s", entries[i], fd,
                      ss_describe(&shielded));
            /* the line goes to stderr: for fd 2 that is the broken pipe itself */
            if (fd == 1) {
                const char *want[] = { "prog=stdpipe", ended[0], ended[1], "fd=1", ended[3],
                                       ended[5], NULL };
                cr_expect_eq(ss_event_count(shielded.err, want), 1, "shielded %s: %s",
                             entries[i], ss_describe(&shielded));
            }
            cr_expect(ss_exited(&shield_mode, 0), "PIPELINE=shield %s fd %d: %s", entries[i],
                      fd, ss_describe(&shield_mode));
            const char *where = fd == 2 ? shield_mode.out : shield_mode.err;
            cr_expect(strstr(where, "errno=EPIPE\n"), "PIPELINE=shield %s fd %d: %s", entries[i],
                      fd, ss_describe(&shield_mode));
            ss_run_free(&bare);
            ss_run_free(&shielded);
            ss_run_free(&shield_mode);
        }
    }
}

Test(pipeline, shield_mode_keeps_yes_alive_with_broken_pipe_reported)
{
    ss_need_program("yes", "coreutils");
    struct ss_run r;
    const char *env[] = { "SOCKSHIELD_PIPELINE=shield", NULL };
    pipeline(&r, true, "yes", env);
    cr_expect_str_eq(r.out, "status=1\n", "%s", ss_describe(&r));
    cr_expect(strstr(r.err, "yes: standard output: Broken pipe"), "%s", ss_describe(&r));
    const char *noend[] = { "action=ended", NULL };
    cr_expect_eq(ss_event_count(r.err, noend), 0, "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* What stays shielded: bare each of these dies (or, with SIG_IGN or a
 * handler, gets EPIPE); shielded each gets EPIPE and lives. */
static void expect_stays_shielded(const char *const argv[], const char *report_in_out,
                                  bool bare_dies)
{
    struct ss_run bare, shielded;
    run(&bare, false, argv, NULL);
    run(&shielded, true, argv, NULL);
    if (bare_dies)
        cr_expect(ss_signaled(&bare, SIGPIPE), "bare %s %s: %s", argv[1], argv[2],
                  ss_describe(&bare));
    else
        cr_expect(ss_exited(&bare, 0), "bare %s: %s", argv[1], ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0), "shielded %s %s: %s", argv[1], argv[2] ? argv[2] : "",
              ss_describe(&shielded));
    const char *where = report_in_out ? shielded.out : shielded.err;
    cr_expect(strstr(where, "errno=EPIPE\n"), "shielded %s: %s", argv[1], ss_describe(&shielded));
    const char *noend[] = { "action=ended", NULL };
    cr_expect_eq(ss_event_count(shielded.err, noend), 0, "%s", ss_describe(&shielded));
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

Test(pipeline, sockets_on_fd_1_and_2_and_pipes_on_fd_3_stay_shielded)
{
    const char *sock1[] = { ss_helper("stdpipe"), "socket", "1", NULL };
    const char *sock2[] = { ss_helper("stdpipe"), "socket", "2", NULL };
    const char *pipe3[] = { ss_helper("stdpipe"), "write", "write", "3", NULL };
    expect_stays_shielded(sock1, NULL, true);
    expect_stays_shielded(sock2, "out", true);
    expect_stays_shielded(pipe3, NULL, true);
}

Test(pipeline, a_program_that_ignores_or_handles_sigpipe_gets_epipe_as_bare)
{
    const char *ign[] = { ss_helper("stdpipe"), "ignored", NULL };
    const char *hdl[] = { ss_helper("stdpipe"), "handler", NULL };
    expect_stays_shielded(ign, NULL, false);
    expect_stays_shielded(hdl, NULL, false);
    struct ss_run r;
    run(&r, true, hdl, NULL);
    cr_expect(strstr(r.err, "handler-ran=yes"), "%s", ss_describe(&r));
    ss_run_free(&r);
}

/* ---- the launcher under an inherited ignore ----------------------------------- */

/* systemd starts services with SIGPIPE ignored.  Bare, the program reads
 * back SIG_IGN and its children inherit the ignore; through the launcher
 * the same (the launcher's marker is set only when its own trap changed
 * the disposition), with the library in the program or without
 * (--inherit=off leaves the child unshielded). */
Test(launcher, an_ignore_inherited_from_the_parent_stays_the_programs_own)
{
    const char *env_prog = ss_need_program("env", "coreutils");
    /* ss_helper's result lives until its next call */
    char *child = strdup(ss_helper("sigstate"));
    const char *bare[] = { env_prog, "--ignore-signal=PIPE", ss_helper("stdpipe"), "view",
                           child, NULL };
    const char *lau[] = { env_prog, "--ignore-signal=PIPE", ss_launcher(), "--inherit=off", "--",
                          ss_helper("stdpipe"), "view", child, NULL };
    const char *lau_dfl[] = { ss_launcher(), "--inherit=off", "--", ss_helper("stdpipe"), "view",
                              child, NULL };
    struct ss_run b, l, d;
    run(&b, false, bare, NULL);
    run(&l, false, lau, NULL);
    run(&d, false, lau_dfl, NULL);
    cr_expect(ss_exited(&b, 0) && strstr(b.out, "view=IGN\n") && strstr(b.out, "PIPE=ignored"),
              "bare: %s", ss_describe(&b));
    cr_expect(ss_exited(&l, 0), "launcher: %s", ss_describe(&l));
    cr_expect(strstr(l.out, "view=IGN\n"), "launcher: %s", ss_describe(&l));
    cr_expect(strstr(l.out, "PIPE=ignored"), "launcher's child: %s", ss_describe(&l));
    /* and from a parent at the default, the default as before */
    cr_expect(strstr(d.out, "view=DFL\n") && strstr(d.out, "PIPE=default"), "launcher: %s",
              ss_describe(&d));
    ss_run_free(&b);
    ss_run_free(&l);
    ss_run_free(&d);
    free(child);
}

/* ---- deliberate SIGPIPE ------------------------------------------------------ */

Test(deliberate, sigpipe_sent_on_purpose_kills_at_the_default_as_bare)
{
    static const char *hows[] = { "raise", "pthread_kill", "tgkill", "sigqueue", "kill-other" };
    for (size_t i = 0; i < sizeof hows / sizeof hows[0]; i++) {
        const char *argv[] = { ss_helper("stdpipe"), "send", hows[i], NULL };
        struct ss_run bare, shielded;
        run(&bare, false, argv, NULL);
        run(&shielded, true, argv, NULL);
        cr_expect(ss_signaled(&bare, SIGPIPE), "bare %s: %s", hows[i], ss_describe(&bare));
        cr_expect(ss_signaled(&shielded, SIGPIPE), "shielded %s: %s", hows[i],
                  ss_describe(&shielded));
        cr_expect_eq(ss_shield_lines(shielded.err), 0, "%s: %s", hows[i], ss_describe(&shielded));
        ss_run_free(&bare);
        ss_run_free(&shielded);
    }
}

/* The documented exception: kill(getpid(), SIGPIPE) arrives exactly as the
 * kernel's SIGPIPE for a write (SI_USER from our own pid), so it is caught. */
Test(deliberate, kill_of_the_own_pid_cannot_be_told_from_the_kernels_and_is_caught)
{
    const char *argv[] = { ss_helper("stdpipe"), "send", "kill-self", NULL };
    struct ss_run bare, shielded;
    run(&bare, false, argv, NULL);
    run(&shielded, true, argv, NULL);
    cr_expect(ss_signaled(&bare, SIGPIPE), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "survived=kill-self"), "%s", ss_describe(&shielded));
    ss_run_free(&bare);
    ss_run_free(&shielded);
}
