/* The fleet route, end to end without a journal: programs started the way a
 * service manager would start them (the launcher, configured only through
 * the environment: SOCKSHIELD_LOG=syslog:PATH SOCKSHIELD_LOG_FORMAT=json)
 * send their events to a local "syslog daemon", which here is a datagram
 * socket the test binds in its own directory.  Each datagram must be a
 * syslog message, <PRI>sockshield[PID]: {json}, whose JSON a strict parser
 * (python3's json module) accepts and which carries the event, the program
 * and the peer; what the central pipeline would index.  Bare, the collector
 * hears nothing. */
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "programs.h"

#define TIMEOUT 60.0

/* Both programs of the fleet are curl, which hangs before main with the
 * ASan runtime preloaded, sockshield or not (test_event_clients.c says
 * why): the bare run times out too.  The normal build runs it; skipped
 * before the collector and the peers start. */
static void curl_skip_under_sanitizers(void)
{
    if (ss_sanitizers())
        cr_skip_test("curl hangs with the ASan runtime preloaded (libp11-kit, newlocale)");
}

TestSuite(fleet, .init = curl_skip_under_sanitizers, .fini = ss_tmpdir_remove);

/* The collector: a datagram socket at PATH, as syslogd's /dev/log is. */
static int collector(const char *path)
{
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert(s >= 0);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    cr_assert(strlen(path) < sizeof a.sun_path, "socket path too long: %s", path);
    strcpy(a.sun_path, path);
    unlink(path);
    cr_assert(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind %s: %s", path,
              strerror(errno));
    /* Room for every datagram of the test, so none is dropped. */
    int big = 1 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    return s;
}

struct datagrams {
    char *d[64];
    int n;
};

/* Everything queued on the collector (the senders have exited). */
static void drain(int s, struct datagrams *dg)
{
    dg->n = 0;
    for (;;) {
        char buf[8192];
        ssize_t k = recv(s, buf, sizeof buf - 1, MSG_DONTWAIT);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            break;
        cr_assert(dg->n < 64, "too many datagrams");
        buf[k] = '\0';
        dg->d[dg->n++] = strndup(buf, (size_t)k);
    }
}

static void free_datagrams(struct datagrams *dg)
{
    for (int i = 0; i < dg->n; i++)
        free(dg->d[i]);
    dg->n = 0;
}

/* Runs `sockshield -- curl URL` (bare: curl alone) with the syslog settings
 * in the environment, as a systemd unit's Environment= lines would. */
static void shielded_curl(struct ss_run *r, bool shielded, const char *log_socket,
                          const char *url)
{
    ss_need_program("curl", "curl");
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "SOCKSHIELD_LOG=syslog:%s", log_socket);
    ss_env_set(&e, "SOCKSHIELD_LOG_FORMAT=json");
    ss_env_set(&e, "SOCKSHIELD_SUMMARY=on");
    const char *via[] = { ss_launcher(), "--", "curl", "-q", "-sS", "--max-time", "30", url,
                          NULL };
    const char *alone[] = { ss_need_program("curl", "curl"), "-q", "-sS", "--max-time", "30",
                            url, NULL };
    ss_run(r, shielded ? via : alone, &e, -1, TIMEOUT);
    ss_env_free(&e);
}

/* Splits "<PRI>sockshield[PID]: {json}\n" (the newline is optional);
 * false when the frame is not that. */
static bool split_frame(const char *d, int *pri, long *pid, const char **json, size_t *json_len)
{
    int used = 0;
    if (sscanf(d, "<%d>sockshield[%ld]: %n", pri, pid, &used) != 2 || used == 0)
        return false;
    *json = d + used;
    *json_len = strlen(*json);
    if (*json_len && (*json)[*json_len - 1] == '\n')
        (*json_len)--;
    return *json_len >= 2 && (*json)[0] == '{' && (*json)[*json_len - 1] == '}' &&
           !memchr(*json, '\n', *json_len);
}

/* python3's json module, strictly (no NaN, no duplicate keys, an object),
 * turns each line of PATH into "k=v k=v ..." of the fields a pipeline
 * indexes; exit 1 on the first line it rejects. */
static const char check_json[] =
    "import json, sys\n"
    "def strict(pairs):\n"
    "    keys = [k for k, _ in pairs]\n"
    "    if len(keys) != len(set(keys)):\n"
    "        raise ValueError('duplicate key')\n"
    "    return dict(pairs)\n"
    "def no_constants(c):\n"
    "    raise ValueError('not JSON: ' + c)\n"
    "for n, line in enumerate(open(sys.argv[1], encoding='utf-8'), 1):\n"
    "    try:\n"
    "        o = json.loads(line, object_pairs_hook=strict, parse_constant=no_constants)\n"
    "        assert isinstance(o, dict), 'not an object'\n"
    "    except Exception as e:\n"
    "        sys.exit('line %d: %s: %r' % (n, e, line))\n"
    "    if 'summary' in o:\n"
    "        s = o['summary']\n"
    "        print('summary pid=%d prog=%s events=%d' % (o['pid'], o['prog'], s['events']))\n"
    "    else:\n"
    "        print('event pid=%d prog=%s event=%s call=%s peer=%s errno=%s' % (\n"
    "            o['pid'], o['prog'], o['event'], o['call'], o.get('peer'), o.get('errno')))\n";

Test(fleet, json_events_reach_a_syslog_socket_as_framed_datagrams_a_strict_parser_accepts)
{
    const char *py = ss_need_program("python3", "python3");
    char log_socket[4200];
    snprintf(log_socket, sizeof log_socket, "%s/log", ss_tmpdir());
    int col = collector(log_socket);

    /* Two programs of the "fleet": one meets a refusal, one a reset. */
    unsigned short refusing, resetting;
    int hold = ss_refusing_port(&refusing);
    int listener = ss_listen_loopback(&resetting);
    char refused_url[64], reset_url[64];
    snprintf(refused_url, sizeof refused_url, "http://127.0.0.1:%u/", refusing);
    snprintf(reset_url, sizeof reset_url, "http://127.0.0.1:%u/", resetting);

    /* Bare first: the collector must hear nothing. */
    struct ss_run r;
    struct datagrams dg;
    shielded_curl(&r, false, log_socket, refused_url);
    cr_expect(ss_exited(&r, 7), "bare: %s", ss_describe(&r));
    ss_run_free(&r);
    drain(col, &dg);
    cr_expect_eq(dg.n, 0, "bare curl sent %d datagrams: %s", dg.n, dg.n ? dg.d[0] : "");
    free_datagrams(&dg);

    shielded_curl(&r, true, log_socket, refused_url);
    cr_expect(ss_exited(&r, 7), "refused: %s", ss_describe(&r));
    cr_expect_eq(ss_shield_lines(r.err), 0, "events went to stderr: %s", ss_describe(&r));
    ss_run_free(&r);
    pid_t peer = ss_peer_start(ss_reset_after_request, &listener, 60);
    shielded_curl(&r, true, log_socket, reset_url);
    cr_expect(ss_exited(&r, 56), "reset: %s", ss_describe(&r));
    ss_run_free(&r);
    int st = ss_peer_wait(peer, 20);
    cr_expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "resetting server: %#x", st);
    close(hold);
    close(listener);

    drain(col, &dg);
    close(col);
    cr_assert_geq(dg.n, 4, "expected two events and two summaries, got %d datagrams", dg.n);

    /* The frames, checked here; the JSON, by python. */
    char json_path[4300];
    snprintf(json_path, sizeof json_path, "%s/payloads.jsonl", ss_tmpdir());
    FILE *f = fopen(json_path, "w");
    cr_assert(f);
    for (int i = 0; i < dg.n; i++) {
        int pri = -1;
        long pid = -1;
        const char *json = NULL;
        size_t len = 0;
        cr_expect(split_frame(dg.d[i], &pri, &pid, &json, &len), "not a syslog frame: [%s]",
                  dg.d[i]);
        /* facility user (1) * 8 + severity warning (4) */
        cr_expect_eq(pri, 12, "priority %d in [%s]", pri, dg.d[i]);
        char want_pid[32];
        snprintf(want_pid, sizeof want_pid, "\"pid\":%ld,", pid);
        cr_expect(json && strstr(json, want_pid), "the tag's pid is not the JSON's: [%s]",
                  dg.d[i]);
        if (json)
            fprintf(f, "%.*s\n", (int)len, json);
    }
    fclose(f);

    const char *argv[] = { py, "-c", check_json, json_path, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    ss_run(&r, argv, &e, -1, TIMEOUT);
    ss_env_free(&e);
    cr_assert(ss_exited(&r, 0), "a strict JSON parser rejected a line: %s", ss_describe(&r));

    char peer_refused[64], peer_reset[64];
    snprintf(peer_refused, sizeof peer_refused, "peer=127.0.0.1:%u ", refusing);
    snprintf(peer_reset, sizeof peer_reset, "peer=127.0.0.1:%u ", resetting);
    bool saw_refused = false, saw_reset = false;
    int summaries = 0;
    for (char *l = r.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t n = strcspn(l, "\n");
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)n, l);
        if (strstr(line, "prog=curl event=refused call=connect") ||
            strstr(line, "prog=curl event=refused call=getsockopt"))
            saw_refused |= strstr(line, peer_refused) && strstr(line, "errno=ECONNREFUSED");
        if (strstr(line, "prog=curl event=reset call=recv"))
            saw_reset |= strstr(line, peer_reset) && strstr(line, "errno=ECONNRESET");
        summaries += strncmp(line, "summary ", 8) == 0 && strstr(line, "prog=curl") &&
                     !strstr(line, "events=0");
    }
    cr_expect(saw_refused, "no refused event from curl for %s: %s", peer_refused, r.out);
    cr_expect(saw_reset, "no reset event from curl for %s: %s", peer_reset, r.out);
    cr_expect_eq(summaries, 2, "exit summaries: %s", r.out);
    ss_run_free(&r);
    free_datagrams(&dg);
}
