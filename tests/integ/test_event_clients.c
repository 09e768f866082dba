/* A real client, unmodified: curl under the preload, against a local
 * server that answers with an RST (tests/helpers/rstserver) and against a
 * closed local port.  Its lines are checked field by field; its JSON lines
 * through Python's json. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"

/* With the ASan runtime preloaded, curl hangs before main, sockshield or
 * not (LD_PRELOAD=libasan.so curl ... alone does): libp11-kit's
 * constructor calls newlocale(), whose first malloc starts the runtime,
 * whose start calls dlerror(), which takes and drops glibc's locale lock
 * while newlocale() holds it; curl's setlocale() then waits forever.  The
 * normal build runs these tests.  Skipped before any server starts. */
static void skip_under_sanitizers(void)
{
    if (ss_sanitizers())
        cr_skip_test("curl hangs with the ASan runtime preloaded (libp11-kit, newlocale)");
}

TestSuite(clients, .init = skip_under_sanitizers);

static const char *curl_path(void)
{
    static const char *const where[] = { "/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl" };
    for (unsigned i = 0; i < sizeof where / sizeof where[0]; i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

/* rstserver in the background (bare); its port. */
static pid_t start_server(const char *family, unsigned *port)
{
    int out[2];
    cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    const char *const argv[] = { ss_helper("rstserver"), family, NULL };
    char *const env[] = { "LANG=C", NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    cr_assert_eq(rc, 0);
    char buf[64] = "";
    struct pollfd p = { out[0], POLLIN, 0 };
    ssize_t n = poll(&p, 1, 30000) == 1 ? read(out[0], buf, sizeof buf - 1) : -1;
    close(out[0]);
    if (n <= 0) {
        int st;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
            cr_skip_test("no IPv6 loopback here");
        cr_assert_fail("rstserver said nothing (status %#x)", st);
    }
    buf[n] = '\0';
    cr_assert_eq(sscanf(buf, "port=%u", port), 1, "%s", buf);
    return pid;
}

/* curl under the preload, through a shell that tells its pid first (exec
 * keeps it).  Returns curl's exit status; the log text in run. */
static int run_curl(struct ev_run *run, const char *format, const char *url, long *pid)
{
    const char *curl = curl_path();
    if (!curl)
        cr_assert_fail("curl not found: install the Debian package curl (tools/install-deps does)");
    char script[4096];
    snprintf(script, sizeof script, "echo pid=$$; exec %s -sS --max-time 20 -o /dev/null '%s'",
             curl, url);
    const char *const argv[] = { "/bin/sh", "-c", script, NULL };
    ev_probe(run, format, NULL, argv);
    cr_assert(WIFEXITED(run->r.status), "%s", ss_describe(&run->r));
    cr_assert_eq(sscanf(run->r.out, "pid=%ld", pid), 1, "%s", ss_describe(&run->r));
    return WEXITSTATUS(run->r.status);
}

/* The one line of `event` in a text log, every field checked. */
static void check_text(const struct ev_run *run, long pid, const char *event, const char *calls,
                       const char *err, const char *peer, const char *local_prefix)
{
    struct ev_log log;
    ev_log_parse(&log, run->log);
    int hit = -1, hits = 0;
    for (int i = 0; i < log.n; i++)
        if (!strcmp(ev_get(&log.l[i], "event"), event)) {
            hit = i;
            hits++;
        }
    cr_assert_eq(hits, 1, "%d %s lines in:\n%s", hits, event, run->log);
    const struct ev_line *l = &log.l[hit];
    cr_expect_eq(l->n, 10, "fields: %s", run->log); /* pid..errno: nothing missing or extra */
    cr_expect(ev_stamp_ok(l->stamp, run->t0, run->t1), "%s", l->stamp);
    cr_expect_eq(atol(ev_get(l, "pid")), pid, "%s", run->log);
    cr_expect_eq(atol(ev_get(l, "tid")), pid, "%s", run->log);
    cr_expect_str_eq(ev_get(l, "prog"), "curl");
    char call[64];
    snprintf(call, sizeof call, ",%s,", ev_get(l, "call"));
    cr_expect(strstr(calls, call), "call=%s", ev_get(l, "call"));
    cr_expect_geq(atoi(ev_get(l, "fd")), 0);
    cr_expect_str_eq(ev_get(l, "sock"), "tcp");
    cr_expect_str_eq(ev_get(l, "peer"), peer);
    const char *local = ev_get(l, "local");
    cr_expect(local && !strncmp(local, local_prefix, strlen(local_prefix)) &&
                  atoi(local + strlen(local_prefix)) > 0,
              "local=%s", local ? local : "(none)");
    cr_expect_str_eq(ev_get(l, "errno"), err);
    ev_log_free(&log);
}

static const char json_py[] =
    "import json, re, sys\n"
    "path, pid, event, calls, err, peer, local = sys.argv[1:]\n"
    "recs = [json.loads(l.decode('utf-8', 'strict')) for l in open(path, 'rb')]\n"
    "hits = [o for o in recs if o.get('event') == event]\n"
    "assert len(hits) == 1, recs\n"
    "o = hits[0]\n"
    "assert list(o) == ['time', 'pid', 'tid', 'prog', 'event', 'call', 'fd', 'sock', 'local',\n"
    "                   'peer', 'errno'], o\n"
    "assert re.fullmatch(r'\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z', o['time']), o\n"
    "assert o['pid'] == int(pid) and o['tid'] == int(pid), o\n"
    "assert o['prog'] == 'curl' and o['sock'] == 'tcp', o\n"
    "assert o['call'] in calls.split(','), o\n"
    "assert type(o['fd']) is int and o['fd'] >= 0, o\n"
    "assert o['errno'] == err and o['peer'] == peer, o\n"
    "assert o['local'].startswith(local) and int(o['local'][len(local):]) > 0, o\n";

static void check_json(const struct ev_run *run, long pid, const char *event, const char *calls,
                       const char *err, const char *peer, const char *local_prefix)
{
    char pids[32];
    snprintf(pids, sizeof pids, "%ld", pid);
    /* calls is ",a,b,": the script wants "a,b" */
    char list[128];
    snprintf(list, sizeof list, "%.*s", (int)strlen(calls) - 2, calls + 1);
    const char *const args[] = { run->logpath, pids, event, list, err, peer, local_prefix, NULL };
    char *out;
    int rc = ev_python(json_py, args, &out);
    cr_expect_eq(rc, 0, "%s", out);
    free(out);
}

static void curl_reset(const char *family)
{
    static const char *const formats[] = { "text", "json" };
    bool six = !strcmp(family, "6");
    for (int i = 0; i < 2; i++) {
        unsigned port;
        pid_t server = start_server(family, &port);
        char url[128], peer[64];
        snprintf(url, sizeof url, six ? "http://[::1]:%u/" : "http://127.0.0.1:%u/", port);
        snprintf(peer, sizeof peer, six ? "[::1]:%u" : "127.0.0.1:%u", port);
        struct ev_run run;
        long pid;
        int rc = run_curl(&run, formats[i], url, &pid);
        int st;
        cr_assert_eq(waitpid(server, &st, 0), server);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "rstserver: status %#x", st);
        /* curl: (56) Recv failure: Connection reset by peer */
        cr_expect_eq(rc, 56, "%s", ss_describe(&run.r));
        if (i == 0)
            check_text(&run, pid, "reset", ",recv,read,", "ECONNRESET", peer,
                       six ? "[::1]:" : "127.0.0.1:");
        else
            check_json(&run, pid, "reset", ",recv,read,", "ECONNRESET", peer,
                       six ? "[::1]:" : "127.0.0.1:");
        ev_run_free(&run);
    }
}

Test(clients, curl_reset_by_the_server_logs_reset_with_the_server_as_peer)
{
    curl_reset("4");
}

Test(clients, curl_reset_by_the_server_over_ipv6)
{
    curl_reset("6");
}

Test(clients, curl_to_a_closed_port_logs_refused)
{
    /* bound, never listening: the port is ours and answers SYN with RST */
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
    char url[128], peer[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", ntohs(a.sin_port));
    snprintf(peer, sizeof peer, "127.0.0.1:%u", ntohs(a.sin_port));
    static const char *const formats[] = { "text", "json" };
    for (int i = 0; i < 2; i++) {
        struct ev_run run;
        long pid;
        int rc = run_curl(&run, formats[i], url, &pid);
        /* curl: (7) Failed to connect; curl reads the outcome of its
         * non-blocking connect with getsockopt(SO_ERROR) */
        cr_expect_eq(rc, 7, "%s", ss_describe(&run.r));
        if (i == 0)
            check_text(&run, pid, "refused", ",getsockopt,connect,", "ECONNREFUSED", peer,
                       "127.0.0.1:");
        else
            check_json(&run, pid, "refused", ",getsockopt,connect,", "ECONNREFUSED", peer,
                       "127.0.0.1:");
        ev_run_free(&run);
    }
    close(s);
}
