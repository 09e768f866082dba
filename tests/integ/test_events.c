/* Each event provoked for real by tests/helpers/evprobe, and its line
 * checked field by field against what the helper learned from the kernel
 * while the connection still existed: pid, tid, prog, event, call, fd,
 * sock, local, peer, errno, and nothing else.  Every case runs twice: text
 * lines through the strict logfmt parser, JSON lines through Python's json
 * with the same values. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"

static void both_formats(const char *const env[], const char *const argv[])
{
    static const char *const formats[] = { "text", "json" };
    for (int i = 0; i < 2; i++) {
        struct ev_run run;
        ev_probe(&run, formats[i], env, argv);
        ev_check(&run, formats[i]);
        ev_run_free(&run);
    }
}

#define ARGV(...) ((const char *const[]){ ss_helper("evprobe"), __VA_ARGS__, NULL })

Test(events, tcp_reset_is_seen_by_recv_and_the_next_send_is_epipe)
{
    both_formats(NULL, ARGV("tcp-reset", "4"));
}

Test(events, tcp_reset_over_ipv6_loopback)
{
    both_formats(NULL, ARGV("tcp-reset", "6"));
}

Test(events, unix_reset_names_the_socket_path_even_an_awkward_one)
{
    /* a space, quotes, a backslash and an equals sign: quoted in text,
     * escaped in JSON, the same bytes after parsing */
    char path[4096];
    snprintf(path, sizeof path, "%s/ev \"sock\"=\\%d", ss_tmpdir(), (int)getpid());
    both_formats(NULL, ARGV("unix-reset", path));
}

Test(events, unix_reset_names_an_abstract_socket)
{
    char name[128];
    snprintf(name, sizeof name, "@sockshield-test-%d-%ld", (int)getpid(), random());
    both_formats(NULL, ARGV("unix-reset", name));
}

Test(events, refused_by_a_blocking_connect_and_its_alias)
{
    both_formats(NULL, ARGV("refused-block"));
}

Test(events, refused_nonblocking_connect_read_back_with_so_error)
{
    both_formats(NULL, ARGV("refused-nb", "sockopt"));
}

Test(events, refused_nonblocking_connect_met_by_the_next_write)
{
    both_formats(NULL, ARGV("refused-nb", "write"));
}

Test(events, refused_nonblocking_connect_met_by_connecting_again)
{
    both_formats(NULL, ARGV("refused-nb", "connect"));
}

Test(events, refused_on_a_connected_udp_socket_after_icmp_port_unreachable)
{
    both_formats(NULL, ARGV("udp-refused"));
}

Test(events, sendto_destination_is_the_peer_of_a_udp_socket)
{
    both_formats(NULL, ARGV("sendto-udp"));
}

Test(events, sendto_and_sendmsg_destination_is_the_peer_of_a_unix_datagram)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dgram-%d", ss_tmpdir(), (int)getpid());
    both_formats(NULL, ARGV("sendto-unix", path));
    both_formats(NULL, ARGV("sendto-unix", path, "sendmsg"));
}

Test(events, eagain_on_an_empty_nonblocking_socket)
{
    both_formats(NULL, ARGV("eagain"));
}

Test(events, tid_is_the_thread_that_met_the_event)
{
    both_formats(NULL, ARGV("eagain", "thread"));
}

Test(events, eof_on_stream_sockets_when_asked_for_and_errno_untouched)
{
    const char *const env[] = { "SOCKSHIELD_EVENTS=eof", NULL };
    both_formats(env, ARGV("eof"));

    /* not asked for (the default set): no line at all */
    struct ev_run run;
    ev_probe(&run, "text", NULL, ARGV("eof"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_assert_str_empty(run.log);
    ev_run_free(&run);
}

Test(events, only_the_events_asked_for_are_logged)
{
    const char *const env[] = { "SOCKSHIELD_EVENTS=epipe", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("tcp-reset", "4"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    struct ev_log log;
    ev_log_parse(&log, run.log);
    cr_assert_eq(log.n, 1, "%s", run.log);
    cr_assert_str_eq(ev_get(&log.l[0], "event"), "epipe");
    ev_log_free(&log);
    ev_run_free(&run);
}

Test(events, an_event_inside_a_signal_handler_is_logged)
{
    both_formats(NULL, ARGV("handler"));
}

Test(events, the_default_sink_is_stderr)
{
    const char *const env[] = { "SOCKSHIELD_LOG=stderr", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("tcp-reset", "4"));
    ev_check(&run, "text");
    ev_run_free(&run);

    /* and with nothing set at all */
    struct ss_env e;
    ss_env_init(&e, true);
    struct ss_run r;
    ss_run(&r, ARGV("eagain"), &e, -1, 60);
    ss_env_free(&e);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_assert_eq(ss_count(r.err, " event=eagain call=recv "), 1, "%s", ss_describe(&r));
    ss_run_free(&r);
}

Test(events, program_names_are_escaped)
{
    /* The name the program runs under (argv[0]'s last part) with a space,
     * quotes, an equals sign, a backslash, a tab and UTF-8. */
    char link[4096];
    snprintf(link, sizeof link, "%s/we ird \"q\"=\\\t\xc3\xa9-%d", ss_tmpdir(), (int)getpid());
    cr_assert_eq(symlink(ss_helper("evprobe"), link), 0);
    const char *const argv[] = { link, "eagain", NULL };
    both_formats(NULL, argv);
    unlink(link);
}

Test(events, errno_and_return_values_pass_through)
{
    /* evprobe exits 3 when a call returns anything but what it would bare;
     * here the same runs bare give the same results line for line. */
    static const char *const modes[][2] = {
        { "tcp-reset", "4" }, { "refused-block", NULL }, { "refused-nb", "write" },
        { "eagain", NULL },   { "eof", NULL },
    };
    for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *const argv[] = { ss_helper("evprobe"), modes[i][0], modes[i][1], NULL };
        struct ss_env e;
        struct ss_run bare, shielded;
        ss_env_init(&e, false);
        ss_run(&bare, argv, &e, -1, 60);
        ss_env_free(&e);
        ss_env_init(&e, true);
        ss_env_set(&e, "SOCKSHIELD_EVENTS=all");
        ss_env_set(&e, "SOCKSHIELD_LOG=none");
        ss_run(&shielded, argv, &e, -1, 60);
        ss_env_free(&e);
        cr_assert(ss_exited(&shielded, 0), "%s: %s", modes[i][0], ss_describe(&shielded));
        /* bare, a send after a reset kills with SIGPIPE: compare up to it */
        char *a = strstr(bare.out, "result"), *b = strstr(shielded.out, "result");
        cr_assert(a && b, "%s", ss_describe(&bare));
        for (; a && b; a = strstr(a + 1, "result"), b = strstr(b + 1, "result")) {
            size_t n = strcspn(a, "\n");
            cr_assert(n == strcspn(b, "\n") && !strncmp(a, b, n), "%s: bare [%.*s] shielded [%.*s]",
                      modes[i][0], (int)n, a, (int)strcspn(b, "\n"), b);
        }
        ss_run_free(&bare);
        ss_run_free(&shielded);
    }
}

Test(events, the_event_path_never_allocates)
{
    /* evalloc brings its own malloc family, so every allocation in the
     * process is counted, sockshield's included (not with the ASan
     * runtime, whose interceptors bypass it: test_noalloc.c) */
    if (ss_sanitizers())
        cr_skip_test("allocation counting needs glibc's allocator (sanitizer build)");
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=%s", ev_tmp_path("alloc-")) >= 0);
    char *syslogenv;
    char *sock = strdup(ev_tmp_path("alloc-syslog-"));
    cr_assert(asprintf(&syslogenv, "SOCKSHIELD_LOG=syslog:%s", sock) >= 0);
    int rx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    strcpy(un.sun_path, sock);
    cr_assert_eq(bind(rx, (struct sockaddr *)&un, sizeof un), 0);
    char *journalenv;
    char *jsock = strdup(ev_tmp_path("alloc-journal-"));
    cr_assert(asprintf(&journalenv, "SOCKSHIELD_LOG=journal:%s", jsock) >= 0);
    int jrx = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    strcpy(un.sun_path, jsock);
    cr_assert_eq(bind(jrx, (struct sockaddr *)&un, sizeof un), 0);
    const char *const sinks[] = { logenv, syslogenv, journalenv, "SOCKSHIELD_LOG=stderr" };
    static const char *const formats[] = { "text", "json" };
    for (unsigned s = 0; s < 4; s++) {
        for (unsigned f = 0; f < 2; f++) {
            struct ss_env e;
            ss_env_init(&e, true);
            ss_env_set(&e, "%s", sinks[s]);
            ss_env_set(&e, "SOCKSHIELD_LOG_FORMAT=%s", formats[f]);
            ss_env_set(&e, "SOCKSHIELD_EVENTS=all");
            ss_env_set(&e, "SOCKSHIELD_LOG_RATE=0");
            struct ss_run r;
            ss_run(&r, (const char *const[]){ ss_helper("evalloc"), NULL }, &e, -1, 60);
            ss_env_free(&e);
            cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
            cr_expect(strstr(r.out, "control=1\n"), "the counting does not work: %s", r.out);
            cr_expect(strstr(r.out, "allocations=0\n"), "%s %s: %s", sinks[s], formats[f],
                      r.out);
            ss_run_free(&r);
        }
    }
    close(rx);
    unlink(sock);
    free(sock);
    close(jrx);
    unlink(jsock);
    free(jsock);
    free(journalenv);
    free(logenv);
    free(syslogenv);
}
