/* SOCKSHIELD_LOG=journal: each event one datagram in journald's native
 * protocol (src/journal.c).  First against a socket the test binds
 * (journal:PATH), where every byte is seen: the fields of real events, a
 * program name with a newline in the length form, a receiver that never
 * reads.  Then against a real systemd-journald: the test starts its own
 * where none runs (and stops it), has an unmodified curl reset by a peer
 * under the launcher, and reads the entry back with journalctl. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "evlog.h"
#include "harness.h"
#include "journalparse.h"
#include "programs.h"

TestSuite(journal, .fini = ss_tmpdir_remove);

#define ARGV(...) ((const char *const[]){ ss_helper("evprobe"), __VA_ARGS__, NULL })

static int bound_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    cr_assert_lt(strlen(path), sizeof un.sun_path);
    strcpy(un.sun_path, path);
    cr_assert_eq(bind(fd, (struct sockaddr *)&un, sizeof un), 0, "bind %s: %s", path,
                 strerror(errno));
    return fd;
}

/* One datagram, waiting at most `ms`; its length, -1 when none came. */
static ssize_t datagram(int fd, char *buf, size_t cap, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    if (poll(&p, 1, ms) != 1)
        return -1;
    return recv(fd, buf, cap, MSG_DONTWAIT);
}

static struct jparsed parsed;
static char buf[65536];

/* Every event the helper stated is one datagram with exactly its fields. */
Test(journal, each_event_is_one_datagram_with_the_fields_of_its_line)
{
    char *path = strdup(ev_tmp_path("journal-"));
    int rx = bound_unix(path);
    char *logenv;
    cr_assert(asprintf(&logenv, "SOCKSHIELD_LOG=journal:%s", path) >= 0);
    const char *const env[] = { logenv, "SOCKSHIELD_LOG_RATE=0", "SOCKSHIELD_SUMMARY=on", NULL };
    struct ev_run run;
    ev_probe(&run, "text", env, ARGV("tcp-reset", "4"));
    cr_assert(ss_exited(&run.r, 0), "%s", ss_describe(&run.r));
    cr_expect_str_empty(run.r.err, "nothing on stderr");
    cr_assert_gt(run.expect.n, 0);
    const char *const keys[][2] = {
        { "pid", "SYSLOG_PID" },       { "tid", "SOCKSHIELD_TID" },
        { "prog", "SOCKSHIELD_PROG" }, { "event", "SOCKSHIELD_EVENT" },
        { "call", "SOCKSHIELD_CALL" }, { "fd", "SOCKSHIELD_FD" },
        { "sock", "SOCKSHIELD_SOCK" }, { "local", "SOCKSHIELD_LOCAL" },
        { "peer", "SOCKSHIELD_PEER" }, { "errno", "SOCKSHIELD_ERRNO" },
    };
    int events = 0, summaries = 0;
    bool matched[64] = { false };
    ssize_t n;
    while ((n = datagram(rx, buf, sizeof buf, 0)) >= 0) {
        jparse(buf, (size_t)n, &parsed);
        jexpect(&parsed, "SYSLOG_IDENTIFIER", "sockshield");
        const struct jfield *msg = jget(&parsed, "MESSAGE");
        cr_assert_not_null(msg);
        if (jget(&parsed, "SOCKSHIELD_SUMMARY")) {
            summaries++;
            jexpect(&parsed, "PRIORITY", "6");
            char want[32];
            snprintf(want, sizeof want, "%d", run.expect.n);
            jexpect(&parsed, "SOCKSHIELD_EVENTS", want);
            jexpect(&parsed, "SOCKSHIELD_UNLOGGED", "0");
            cr_expect_not_null(strstr(msg->val, " summary pid="), "%s", msg->val);
            continue;
        }
        events++;
        jexpect(&parsed, "PRIORITY", "4");
        /* MESSAGE is the text line without "sockshield: " and the newline */
        char line[8300];
        snprintf(line, sizeof line, "sockshield: %s", msg->val);
        struct ev_line l;
        cr_assert(ev_parse(line, strlen(line), true, &l), "MESSAGE=[%s]", msg->val);
        cr_expect(ev_stamp_ok(l.stamp, run.t0, run.t1), "%s", l.stamp);
        /* which expectation: the same event, call and fd */
        int k = -1;
        for (int i = 0; i < run.expect.n && i < 64; i++) {
            const struct ev_line *w = &run.expect.l[i];
            if (!matched[i] && !strcmp(ev_get(w, "event"), ev_get(&l, "event")) &&
                !strcmp(ev_get(w, "call"), ev_get(&l, "call")) &&
                !strcmp(ev_get(w, "fd"), ev_get(&l, "fd")))
                k = i;
        }
        cr_assert_geq(k, 0, "no expectation for [%s]", msg->val);
        matched[k] = true;
        const struct ev_line *w = &run.expect.l[k];
        int fields = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            const char *v = ev_get(w, keys[i][0]);
            if (v) {
                jexpect(&parsed, keys[i][1], v);
                fields++;
            } else {
                cr_expect_null(jget(&parsed, keys[i][1]), "%s: %s", keys[i][1], msg->val);
            }
            /* and the line says the same */
            const char *lv = ev_get(&l, keys[i][0]);
            cr_expect((v == NULL) == (lv == NULL) && (!v || !strcmp(v, lv)), "%s in [%s]",
                      keys[i][0], msg->val);
        }
        /* the fields, PRIORITY, SYSLOG_IDENTIFIER, MESSAGE and nothing else */
        cr_expect_eq(parsed.n, fields + 3, "%d fields for [%s]", parsed.n, msg->val);
        ev_line_free(&l);
    }
    cr_expect_eq(events, run.expect.n);
    cr_expect_eq(summaries, 1);
    ev_run_free(&run);
    close(rx);
    unlink(path);
    free(path);
    free(logenv);
}

/* A program named "ev\nprobe": the name would end its field and forge the
 * next one; it goes in the length form, byte for byte, and MESSAGE keeps
 * the escaped text line. */
Test(journal, a_program_name_with_a_newline_takes_the_length_form)
{
    const char *bash = ss_need_program("bash", "bash");
    char *path = strdup(ev_tmp_path("journal-nl-"));
    int rx = bound_unix(path);
    struct ss_env e;
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=journal:%s", path);
    char script[4096];
    snprintf(script, sizeof script, "exec -a \"$(printf 'ev\\nprobe')\" '%s' eagain",
             ss_helper("evprobe"));
    const char *argv[] = { bash, "-c", script, NULL };
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 30);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    ssize_t n = datagram(rx, buf, sizeof buf, 0);
    cr_assert_gt(n, 0, "no datagram");
    jparse(buf, (size_t)n, &parsed);
    jexpect(&parsed, "SOCKSHIELD_PROG", "ev\nprobe");
    cr_expect(jget(&parsed, "SOCKSHIELD_PROG")->binary);
    jexpect(&parsed, "SOCKSHIELD_EVENT", "eagain");
    const struct jfield *msg = jget(&parsed, "MESSAGE");
    cr_assert_not_null(msg);
    cr_expect(!msg->binary);
    cr_expect_not_null(strstr(msg->val, " prog=\"ev\\nprobe\" event=eagain "), "%s", msg->val);
    cr_expect_lt(datagram(rx, buf, sizeof buf, 0), 0, "one event, one datagram");
    ss_run_free(&r);
    ss_env_free(&e);
    close(rx);
    unlink(path);
    free(path);
}

/* A helper in the background, stdin and stdout through pipes. */
static pid_t spawn_piped(const char *const argv[], struct ss_env *e, int *to, int *from)
{
    int in[2], out[2];
    cr_assert(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawnattr_t at;
    ss_spawnattr_clean(&at, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, &at, (char *const *)argv, e->v);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    cr_assert_eq(rc, 0, "posix_spawn: %s", strerror(rc));
    close(in[0]);
    close(out[1]);
    *to = in[1];
    *from = out[0];
    return pid;
}

/* A journal that does not read: the queue fills, the program goes on (a
 * blocking send would hang it in the step), and what was dropped is
 * counted: the summary, sent once the queue is drained, says so. */
Test(journal, a_receiver_that_never_reads_never_blocks_and_the_loss_is_counted)
{
    enum { STEPS = 40 };
    char *path = strdup(ev_tmp_path("journal-full-"));
    int rx = bound_unix(path);
    struct ss_env e;
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=journal:%s", path);
    ss_env_set(&e, "SOCKSHIELD_LOG_RATE=0");
    ss_env_set(&e, "SOCKSHIELD_SUMMARY=on");
    int to, from;
    pid_t pid = spawn_piped((const char *const[]){ ss_helper("evprobe"), "steps", NULL }, &e,
                            &to, &from);
    ss_env_free(&e);
    for (int i = 0; i < STEPS; i++) {
        char ack[3];
        cr_assert_eq(write(to, "s", 1), 1);
        struct pollfd p = { from, POLLIN, 0 };
        cr_assert_eq(poll(&p, 1, 30000), 1, "step %d: the helper did not answer", i);
        cr_assert_eq(read(from, ack, 3), 3);
    }
    int got = 0;
    while (datagram(rx, buf, sizeof buf, 0) >= 0)
        got++;
    cr_expect_gt(got, 0);
    cr_expect_lt(got, STEPS, "the receiver took everything: nothing was tested");
    close(to);
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    ssize_t n = datagram(rx, buf, sizeof buf, 5000);
    cr_assert_gt(n, 0, "no summary");
    jparse(buf, (size_t)n, &parsed);
    jexpect(&parsed, "SOCKSHIELD_SUMMARY", "1");
    char want[32];
    snprintf(want, sizeof want, "%d", STEPS);
    jexpect(&parsed, "SOCKSHIELD_EVENTS", want);
    snprintf(want, sizeof want, "%d", STEPS - got);
    jexpect(&parsed, "SOCKSHIELD_UNLOGGED", want);
    close(from);
    close(rx);
    unlink(path);
    free(path);
}

/* An unreachable journal: one warning naming it, then stderr. */
Test(journal, an_unreachable_journal_warns_once_and_falls_back_to_stderr)
{
    char *path = strdup(ev_tmp_path("journal-none-"));
    struct ss_env e;
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=journal:%s", path);
    const char *argv[] = { ss_helper("evprobe"), "eagain", NULL };
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 30);
    cr_assert(ss_exited(&r, 0), "%s", ss_describe(&r));
    cr_expect_eq(ss_count(r.err, "sockshield: cannot reach journald at '"), 1, "%s", r.err);
    cr_expect_eq(ss_count(r.err, "': ENOENT; events go to stderr\n"), 1, "%s", r.err);
    cr_expect_eq(ss_count(r.err, " event=eagain "), 1, "%s", r.err);
    ss_run_free(&r);
    ss_env_free(&e);
    free(path);
}

/* ---- a real journald --------------------------------------------------------- */

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define JOURNALD "/lib/systemd/systemd-journald"

/* Whether something takes datagrams at path. */
static bool listening(const char *path)
{
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    strcpy(un.sun_path, path);
    bool ok = connect(s, (struct sockaddr *)&un, sizeof un) == 0;
    close(s);
    return ok;
}

/* Our own journald, killed with the test process if the test fails. */
static pid_t start_journald(void)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execl(JOURNALD, JOURNALD, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !listening(JOURNAL_SOCKET); i++)
        usleep(50000);
    cr_assert(listening(JOURNAL_SOCKET), "%s did not open %s", JOURNALD, JOURNAL_SOCKET);
    return pid;
}

static void stop_journald(pid_t pid)
{
    kill(pid, SIGTERM);
    int st;
    cr_expect_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "journald: status %#x", st);
}

/* rstserver in the background; its port. */
static pid_t start_rstserver(unsigned *port)
{
    struct ss_env e;
    ss_env_init(&e, false);
    int to, from;
    pid_t pid = spawn_piped((const char *const[]){ ss_helper("rstserver"), NULL }, &e, &to, &from);
    ss_env_free(&e);
    close(to);
    char line[64] = "";
    struct pollfd p = { from, POLLIN, 0 };
    cr_assert_eq(poll(&p, 1, 30000), 1, "rstserver said nothing");
    ssize_t n = read(from, line, sizeof line - 1);
    close(from);
    cr_assert(n > 0 && sscanf(line, "port=%u", port) == 1, "rstserver: %s", line);
    return pid;
}

/* The entries journalctl -o json gives for the match, one object a line,
 * waiting up to 10 s for journald to write them. */
static char *journal_entries(const char *journalctl, const char *match)
{
    struct ss_env e;
    ss_env_init(&e, false);
    const char *argv[] = { journalctl, "-D", "/run/log/journal", "--no-pager", "-o", "json",
                           match, NULL };
    char *out = NULL;
    for (int i = 0; i < 100; i++) {
        struct ss_run r;
        ss_run(&r, argv, &e, -1, 30);
        cr_assert(ss_exited(&r, 0) || ss_exited(&r, 1), "journalctl: %s", ss_describe(&r));
        if (r.out_len > 0) {
            out = strdup(r.out);
            ss_run_free(&r);
            break;
        }
        ss_run_free(&r);
        usleep(100000);
    }
    ss_env_free(&e);
    return out;
}

/* What journalctl says of one entry, checked by python3's json module:
 * argv: the entries, then KEY=VALUE pairs every entry must hold exactly. */
static const char check_entry[] =
    "import json, sys\n"
    "entries = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8') if l.strip()]\n"
    "assert len(entries) == 1, '%d entries' % len(entries)\n"
    "o = entries[0]\n"
    "for kv in sys.argv[2:]:\n"
    "    k, v = kv.split('=', 1)\n"
    "    got = o.get(k)\n"
    "    if isinstance(got, list):\n"
    "        got = bytes(got).decode('utf-8', 'replace')\n"
    "    assert got == v, '%s: %r, want %r' % (k, got, v)\n"
    "print(o['MESSAGE'] if isinstance(o['MESSAGE'], str) else bytes(o['MESSAGE']).decode())\n";

static void check_journal(const char *entries, const char *const kv[])
{
    char *path = strdup(ev_tmp_path("entries-"));
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(entries, f);
    fclose(f);
    const char *args[32] = { path };
    int n = 1;
    for (int i = 0; kv[i] && n < 31; i++)
        args[n++] = kv[i];
    args[n] = NULL;
    char *out;
    int rc = ev_python(check_entry, args, &out);
    cr_assert_eq(rc, 0, "%s\nentries:\n%s", out, entries);
    cr_log_info("journald: %s", out);
    free(out);
    unlink(path);
    free(path);
}

Test(journal, a_real_reset_from_curl_reaches_a_real_journald_with_its_fields, .timeout = 120)
{
    if (ss_sanitizers())
        cr_skip_test("curl hangs with the ASan runtime preloaded (libp11-kit, newlocale)");
    const char *curl = ss_need_program("curl", "curl");
    const char *journalctl = ss_need_program("journalctl", "systemd");
    /* curl runs under the launcher behind a shell, which hides it from
     * ss_run's check: a curl of another machine (a 32-bit build of the
     * tests) cannot load the library */
    struct ss_env plain;
    ss_env_init(&plain, false);
    const char *launched[] = { ss_launcher(), "--", curl, NULL };
    ss_skip_foreign(launched, &plain);
    ss_env_free(&plain);
    cr_assert(access(JOURNALD, X_OK) == 0,
              "%s not found: install the Debian package systemd (tools/install-deps does)",
              JOURNALD);
    if (listening(JOURNAL_SOCKET))
        cr_skip_test("a journald already owns " JOURNAL_SOCKET " (the system's): this test "
                     "starts its own only where none runs, and reads back with "
                     "journalctl -D /run/log/journal");
    if (geteuid() != 0)
        cr_skip_test("starting journald needs root (it writes /run/systemd/journal and "
                     "/run/log/journal); run make check as root, as CI does");
    bool made_run = mkdir("/run/systemd", 0755) == 0;
    bool made_dir = mkdir("/run/systemd/journal", 0755) == 0;
    cr_assert(made_dir || errno == EEXIST, "mkdir /run/systemd/journal: %s", strerror(errno));
    struct stat st;
    bool had_log = stat("/run/log", &st) == 0;
    pid_t journald = start_journald();

    unsigned port;
    pid_t server = start_rstserver(&port);
    char url[64], peer[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    snprintf(peer, sizeof peer, "127.0.0.1:%u", port);
    /* curl itself, unmodified, under the launcher; a shell tells its pid */
    struct ss_env e;
    ss_env_init(&e, false);
    ss_env_set(&e, "SOCKSHIELD_LOG=journal");
    char script[4096];
    snprintf(script, sizeof script, "echo pid=$$; exec '%s' -- '%s' -q -sS --max-time 20 '%s'",
             ss_launcher(), curl, url);
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct ss_run r;
    ss_run(&r, argv, &e, -1, 60);
    ss_env_free(&e);
    cr_expect(ss_exited(&r, 56), "curl: (56) Recv failure: %s", ss_describe(&r));
    cr_expect_null(strstr(r.err, "sockshield:"), "nothing of ours on stderr: %s", r.err);
    long pid = 0;
    cr_assert_eq(sscanf(r.out, "pid=%ld", &pid), 1, "%s", ss_describe(&r));
    ss_run_free(&r);
    cr_expect_eq(ss_peer_wait(server, 30), 0, "rstserver did not reset");

    char match[64], spid[32];
    snprintf(match, sizeof match, "SYSLOG_PID=%ld", pid);
    snprintf(spid, sizeof spid, "_PID=%ld", pid);
    char *entries = journal_entries(journalctl, match);
    cr_assert_not_null(entries, "journald has no entry with %s", match);
    char *peer_kv, *pid_kv, *tid_kv;
    cr_assert(asprintf(&peer_kv, "SOCKSHIELD_PEER=%s", peer) >= 0);
    cr_assert(asprintf(&pid_kv, "SYSLOG_PID=%ld", pid) >= 0);
    cr_assert(asprintf(&tid_kv, "SOCKSHIELD_TID=%ld", pid) >= 0);
    check_journal(entries, (const char *const[]){
        "SOCKSHIELD_EVENT=reset", "SOCKSHIELD_CALL=recv", "SOCKSHIELD_SOCK=tcp",
        "SOCKSHIELD_ERRNO=ECONNRESET", "SOCKSHIELD_PROG=curl", "SYSLOG_IDENTIFIER=sockshield",
        "PRIORITY=4", "_TRANSPORT=journal", peer_kv, pid_kv, tid_kv, spid, NULL });
    /* the same entry through journalctl's own field match */
    char *by_event = journal_entries(journalctl, "SOCKSHIELD_EVENT=reset");
    cr_assert_not_null(by_event);
    char pid_json[64];
    snprintf(pid_json, sizeof pid_json, "\"SYSLOG_PID\":\"%ld\"", pid);
    cr_expect_not_null(strstr(by_event, pid_json), "SOCKSHIELD_EVENT=reset misses %s", pid_json);
    free(by_event);
    free(entries);
    free(peer_kv);
    free(pid_kv);
    free(tid_kv);

    /* curl again, named "cu\nrl": journald takes the length form whole */
    const char *bash = ss_need_program("bash", "bash");
    server = start_rstserver(&port);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=journal");
    snprintf(script, sizeof script,
             "echo pid=$$; exec -a \"$(printf 'cu\\nrl')\" '%s' -q -sS --max-time 20 '%s'", curl,
             url);
    const char *named[] = { bash, "-c", script, NULL };
    ss_run(&r, named, &e, -1, 60);
    ss_env_free(&e);
    cr_expect(ss_exited(&r, 56), "%s", ss_describe(&r));
    cr_assert_eq(sscanf(r.out, "pid=%ld", &pid), 1, "%s", ss_describe(&r));
    ss_run_free(&r);
    cr_expect_eq(ss_peer_wait(server, 30), 0, "rstserver did not reset");
    snprintf(match, sizeof match, "SYSLOG_PID=%ld", pid);
    entries = journal_entries(journalctl, match);
    cr_assert_not_null(entries, "journald has no entry with %s", match);
    check_journal(entries, (const char *const[]){ "SOCKSHIELD_PROG=cu\nrl",
                                                  "SOCKSHIELD_EVENT=reset", NULL });
    free(entries);

    stop_journald(journald);
    /* leave /run as it was, apart from journald's own files */
    if (made_dir) {
        static const char *const left[] = { "socket", "stdout", "dev-log", "io.systemd.journal",
                                            "kernel-seqnum", "streams", "flushed" };
        for (size_t i = 0; i < sizeof left / sizeof left[0]; i++) {
            char p[128];
            snprintf(p, sizeof p, "/run/systemd/journal/%s", left[i]);
            unlink(p);
            rmdir(p);
        }
        rmdir("/run/systemd/journal");
        if (made_run)
            rmdir("/run/systemd");
    }
    if (!had_log) { /* and the journal files it wrote */
        struct ss_env ce;
        ss_env_init(&ce, false);
        const char *rm[] = { "/bin/rm", "-rf", "/run/log", NULL };
        struct ss_run rr;
        ss_run(&rr, rm, &ce, -1, 30);
        cr_expect(ss_exited(&rr, 0), "%s", ss_describe(&rr));
        ss_run_free(&rr);
        ss_env_free(&ce);
    }
}
