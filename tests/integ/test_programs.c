/* Unmodified programs from Debian packages, bare and shielded.
 *
 * coreutils' yes and cat die of SIGPIPE bare and shielded alike (pipelines
 * end as bare), and live under SOCKSHIELD_PIPELINE=shield.  socat,
 * curl and python3 ignore SIGPIPE themselves (socat and curl call
 * signal(SIGPIPE, SIG_IGN), python sets SIG_IGN at start-up), so bare and
 * shielded they behave alike, and what sockshield adds there is the event
 * line: which process, which call, which connection, which errno.  Each
 * test asserts the program's own behaviour both ways and the event lines
 * that only the shielded run prints.
 *
 * The peers (servers that reset, clients that vanish) are forked children
 * of the test, never preloaded; only the program under test is.  Ports are
 * chosen by the kernel, paths live in ss_tmpdir(), addresses are loopback. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "programs.h"

#define TIMEOUT 60.0

TestSuite(coreutils, .fini = ss_tmpdir_remove);
TestSuite(socat, .fini = ss_tmpdir_remove);
/* curl hangs before main with the ASan runtime preloaded, sockshield or
 * not (test_event_clients.c says why).  The normal build runs these;
 * skipped before any peer starts. */
static void curl_skip_under_sanitizers(void)
{
    if (ss_sanitizers())
        cr_skip_test("curl hangs with the ASan runtime preloaded (libp11-kit, newlocale)");
}

TestSuite(curl, .init = curl_skip_under_sanitizers, .fini = ss_tmpdir_remove);
TestSuite(python3, .fini = ss_tmpdir_remove);

/* Runs argv bare or with LD_PRELOAD, plus the extra NAME=VALUE settings. */
static void run(struct ss_run *r, bool preload, const char *const argv[], int stdin_fd,
                const char *const extra_env[])
{
    struct ss_env e;
    ss_env_init(&e, preload);
    for (int i = 0; extra_env && extra_env[i]; i++)
        ss_env_set(&e, "%s", extra_env[i]);
    ss_run(r, argv, &e, stdin_fd, TIMEOUT);
    ss_env_free(&e);
}

/* The bare run printed no line of ours: the library was not there. */
static void expect_bare_has_no_events(const struct ss_run *bare)
{
    cr_expect_eq(ss_shield_lines(bare->err), 0, "bare run printed sockshield lines: %s",
                 ss_describe(bare));
}

static void expect_event(const struct ss_run *r, const char *const want[])
{
    char *line = ss_event_find(r->err, want);
    char wanted[1024] = "";
    for (int i = 0; want[i]; i++)
        snprintf(wanted + strlen(wanted), sizeof wanted - strlen(wanted), " %s", want[i]);
    cr_expect(line, "no event line with%s: %s", wanted, ss_describe(r));
    free(line);
}

/* A sparse file of `size` zero bytes in the test's directory. */
static const char *big_file(const char *name, off_t size)
{
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", ss_tmpdir(), name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
    cr_assert(ftruncate(fd, size) == 0);
    close(fd);
    return path;
}

/* ---- coreutils: the classic 141 ------------------------------------------- */

/* yes | head -n1: bare, yes dies of SIGPIPE (status 141) and says nothing.
 * Shielded with the default SOCKSHIELD_PIPELINE=end the same, plus one
 * event line (action=ended); with PIPELINE=shield its write returns EPIPE,
 * yes reports it and exits 1. */
Test(coreutils, yes_into_head_dies_silently_bare_and_shielded_and_reports_under_shield)
{
    const char *sh = ss_need_program("sh", "dash");
    ss_need_program("yes", "coreutils");
    ss_need_program("head", "coreutils");
    const char *argv[] = { sh, "-c", "{ yes; echo \"yes-status=$?\" >&2; } | head -n1", NULL };
    const char *shield[] = { "SOCKSHIELD_PIPELINE=shield", NULL };
    struct ss_run bare, ended, shielded;
    run(&bare, false, argv, -1, NULL);
    run(&ended, true, argv, -1, NULL);
    run(&shielded, true, argv, -1, shield);

    cr_expect(ss_exited(&bare, 0) && ss_exited(&shielded, 0) && ss_exited(&ended, 0), "bare: %s",
              ss_describe(&bare));
    cr_expect_str_eq(bare.out, "y\n");
    cr_expect_str_eq(ended.out, "y\n");
    cr_expect_str_eq(shielded.out, "y\n");
    /* Silent: the status is all there is on stderr. */
    cr_expect_str_eq(bare.err, "yes-status=141\n", "bare: %s", ss_describe(&bare));
    cr_expect(strstr(ended.err, "yes-status=141\n"), "ended: %s", ss_describe(&ended));
    cr_expect(!strstr(ended.err, "Broken pipe"), "ended: %s", ss_describe(&ended));
    const char *end[] = { "prog=yes", "event=epipe", "call=write", "fd=1", "sock=pipe",
                          "errno=EPIPE", "action=ended", NULL };
    expect_event(&ended, end);
    cr_expect(strstr(shielded.err, "yes-status=1\n"), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "yes: standard output: Broken pipe"), "shielded: %s",
              ss_describe(&shielded));
    const char *want[] = { "prog=yes", "event=epipe", "call=write", "fd=1", "sock=pipe",
                           "errno=EPIPE", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&ended);
    ss_run_free(&shielded);
}

/* cat of a file much larger than a pipe's buffer into `head -c 100`, which
 * reads 100 bytes and leaves: cat's next write meets a reader-less pipe.
 * Bare and by default shielded it dies (141); under PIPELINE=shield it
 * reports and exits 1. */
Test(coreutils, cat_of_a_big_file_into_a_closed_reader_dies_bare_and_reports_under_shield)
{
    const char *sh = ss_need_program("sh", "dash");
    ss_need_program("cat", "coreutils");
    ss_need_program("head", "coreutils");
    const char *file = big_file("big.bin", 8 << 20);
    const char *argv[] = { sh, "-c", "{ cat \"$1\"; echo \"cat-status=$?\" >&2; } | head -c 100",
                           "sh", file, NULL };
    const char *shield[] = { "SOCKSHIELD_PIPELINE=shield", NULL };
    struct ss_run bare, ended, shielded;
    run(&bare, false, argv, -1, NULL);
    run(&ended, true, argv, -1, NULL);
    run(&shielded, true, argv, -1, shield);

    cr_expect_eq(bare.out_len, 100, "bare: %s", ss_describe(&bare));
    cr_expect_eq(ended.out_len, 100, "ended: %s", ss_describe(&ended));
    cr_expect_eq(shielded.out_len, 100, "shielded: %s", ss_describe(&shielded));
    cr_expect_str_eq(bare.err, "cat-status=141\n", "bare: %s", ss_describe(&bare));
    cr_expect(strstr(ended.err, "cat-status=141\n"), "ended: %s", ss_describe(&ended));
    cr_expect(strstr(shielded.err, "cat-status=1\n"), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(shielded.err, "cat: write error: Broken pipe"), "shielded: %s",
              ss_describe(&shielded));
    const char *want[] = { "prog=cat", "event=epipe", "call=write", "fd=1", "sock=pipe",
                           "errno=EPIPE", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&ended);
    ss_run_free(&shielded);
}

/* ---- socat: a relay whose far end goes away -------------------------------- */

/* The two ends around `socat -u UNIX-LISTEN:path TCP:127.0.0.1:port`: a
 * local client on the unix socket and the server behind the TCP listener.
 * The client sends one line; the server reads exactly that line (so nothing
 * is left unread) and then resets the connection, or closes it normally;
 * the client goes on sending until socat is gone. */
struct relay {
    char path[4200];
    int listener;
    bool reset;
};

static int connect_unix_retrying(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    size_t n = strlen(path);
    if (n >= sizeof a.sun_path)
        return -1;
    memcpy(a.sun_path, path, n + 1);
    for (int i = 0; i < 2000; i++) { /* socat may not be listening yet: 20 s */
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            return s;
        close(s);
        usleep(10000);
    }
    return -1;
}

static int relay_ends(void *arg)
{
    struct relay *rl = arg;
    int c = connect_unix_retrying(rl->path);
    if (c < 0)
        return 10;
    if (send(c, "hello\n", 6, MSG_NOSIGNAL) != 6)
        return 11;
    int s = ss_accept_within(rl->listener, 20000);
    if (s < 0)
        return 12;
    char ch = 0;
    for (int i = 0; i < 6; i++)
        if (recv(s, &ch, 1, 0) != 1)
            return 13;
    if (ch != '\n')
        return 14;
    if (rl->reset)
        ss_close_reset(s);
    else
        close(s);
    static char chunk[4096];
    for (int i = 0; i < 16384; i++) /* 64 MiB at most */
        if (send(c, chunk, sizeof chunk, MSG_NOSIGNAL) < 0)
            return 0; /* socat has gone: expected */
    return 15;
}

static void socat_relay(struct ss_run *r, bool preload, bool reset, unsigned short *port)
{
    const char *socat = ss_need_program("socat", "socat");
    struct relay rl = { .reset = reset };
    rl.listener = ss_listen_loopback(port);
    snprintf(rl.path, sizeof rl.path, "%s/relay-%s-%s.sock", ss_tmpdir(),
             reset ? "reset" : "close", preload ? "shielded" : "bare");
    char listen_addr[4300], connect_addr[64];
    snprintf(listen_addr, sizeof listen_addr, "UNIX-LISTEN:%s", rl.path);
    snprintf(connect_addr, sizeof connect_addr, "TCP:127.0.0.1:%u", *port);
    pid_t peer = ss_peer_start(relay_ends, &rl, 60);
    const char *argv[] = { socat, "-u", listen_addr, connect_addr, NULL };
    run(r, preload, argv, -1, NULL);
    int st = ss_peer_wait(peer, 20);
    close(rl.listener);
    cr_expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
              "relay ends: status %#x (see relay_ends for the code); socat: %s", st,
              ss_describe(r));
}

/* The server resets: socat's next write fails with ECONNRESET and socat
 * exits 1 saying so, bare and shielded; shielded, the reset is also an
 * event naming socat, the call and the server's address. */
Test(socat, relay_whose_far_end_resets_exits_1_both_ways_and_logs_the_reset_shielded)
{
    struct ss_run bare, shielded;
    unsigned short bport, sport;
    socat_relay(&bare, false, true, &bport);
    socat_relay(&shielded, true, true, &sport);

    cr_expect(ss_exited(&bare, 1), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 1), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(bare.err, "E write(") && strstr(bare.err, "Connection reset by peer"),
              "bare: %s", ss_describe(&bare));
    cr_expect(strstr(shielded.err, "E write(") && strstr(shielded.err, "Connection reset by peer"),
              "shielded: %s", ss_describe(&shielded));
    expect_bare_has_no_events(&bare);
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", sport);
    const char *want[] = { "prog=socat", "event=reset", "call=write", "sock=tcp",
                           "local=127.0.0.1:*", peer, "errno=ECONNRESET", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* The server closes normally after the first line (FIN) while the client
 * is still sending: the first write after the FIN is answered by an RST, the
 * next one fails with EPIPE (and raises SIGPIPE, which socat ignores). */
Test(socat, relay_whose_far_end_closes_early_exits_1_both_ways_and_logs_epipe_shielded)
{
    struct ss_run bare, shielded;
    unsigned short bport, sport;
    socat_relay(&bare, false, false, &bport);
    socat_relay(&shielded, true, false, &sport);

    cr_expect(ss_exited(&bare, 1), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 1), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(bare.err, "E write(") && strstr(bare.err, "Broken pipe"), "bare: %s",
              ss_describe(&bare));
    cr_expect(strstr(shielded.err, "E write(") && strstr(shielded.err, "Broken pipe"),
              "shielded: %s", ss_describe(&shielded));
    expect_bare_has_no_events(&bare);
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", sport);
    const char *want[] = { "prog=socat", "event=epipe", "call=write", "sock=tcp", peer,
                           "errno=EPIPE", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* ---- curl: resets and refusals --------------------------------------------- */

static void curl_against_resetter(struct ss_run *r, bool preload, unsigned short *port)
{
    const char *curl = ss_need_program("curl", "curl");
    int l = ss_listen_loopback(port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/status", *port);
    pid_t peer = ss_peer_start(ss_reset_after_request, &l, 60);
    const char *argv[] = { curl, "-q", "-sS", "--max-time", "30", url, NULL };
    run(r, preload, argv, -1, NULL);
    int st = ss_peer_wait(peer, 20);
    close(l);
    cr_expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "resetting server: status %#x",
              st);
}

/* curl's receive fails with ECONNRESET: exit 56 both ways; shielded, an
 * event with the server as the peer. */
Test(curl, server_resetting_after_the_request_gives_56_both_ways_and_a_reset_event_shielded)
{
    struct ss_run bare, shielded;
    unsigned short bport, sport;
    curl_against_resetter(&bare, false, &bport);
    curl_against_resetter(&shielded, true, &sport);

    cr_expect(ss_exited(&bare, 56), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 56), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(bare.err, "Connection reset by peer"), "bare: %s", ss_describe(&bare));
    cr_expect(strstr(shielded.err, "Connection reset by peer"), "shielded: %s",
              ss_describe(&shielded));
    expect_bare_has_no_events(&bare);
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", sport);
    const char *want[] = { "prog=curl", "event=reset", "call=recv", "sock=tcp", peer,
                           "errno=ECONNRESET", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* A port that is bound but not listening refuses: curl exits 7 both ways;
 * shielded, an event=refused with that port as the peer (from connect, or
 * from the SO_ERROR read that finishes a non-blocking connect). */
Test(curl, closed_local_port_gives_7_both_ways_and_a_refused_event_shielded)
{
    const char *curl = ss_need_program("curl", "curl");
    unsigned short port;
    int hold = ss_refusing_port(&port);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", port);
    const char *argv[] = { curl, "-q", "-sS", "--max-time", "30", url, NULL };
    struct ss_run bare, shielded;
    run(&bare, false, argv, -1, NULL);
    run(&shielded, true, argv, -1, NULL);
    close(hold);

    cr_expect(ss_exited(&bare, 7), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 7), "shielded: %s", ss_describe(&shielded));
    expect_bare_has_no_events(&bare);
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", port);
    const char *want[] = { "prog=curl", "event=refused", "call=connect|getsockopt", "sock=tcp",
                           peer, "errno=ECONNREFUSED", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* ---- python3 --------------------------------------------------------------- */

/* A non-blocking client reads before anything was sent. */
static const char eagain_script[] =
    "import socket\n"
    "l = socket.socket()\n"
    "l.bind(('127.0.0.1', 0))\n"
    "l.listen()\n"
    "c = socket.create_connection(l.getsockname())\n"
    "s, _ = l.accept()\n"
    "c.setblocking(False)\n"
    "print('server-port', l.getsockname()[1], flush=True)\n"
    "try:\n"
    "    c.recv(100)\n"
    "    print('got data')\n"
    "except BlockingIOError as e:\n"
    "    print('BlockingIOError', e.errno)\n";

Test(python3, nonblocking_client_meeting_eagain_is_logged_shielded)
{
    const char *py = ss_need_program("python3", "python3");
    const char *argv[] = { py, "-c", eagain_script, NULL };
    struct ss_run bare, shielded;
    run(&bare, false, argv, -1, NULL);
    run(&shielded, true, argv, -1, NULL);

    cr_expect(ss_exited(&bare, 0), "bare: %s", ss_describe(&bare));
    cr_expect(ss_exited(&shielded, 0), "shielded: %s", ss_describe(&shielded));
    cr_expect(strstr(bare.out, "BlockingIOError 11\n"), "bare: %s", ss_describe(&bare));
    cr_expect(strstr(shielded.out, "BlockingIOError 11\n"), "shielded: %s",
              ss_describe(&shielded));
    expect_bare_has_no_events(&bare);
    unsigned port = 0;
    const char *p = strstr(shielded.out, "server-port ");
    cr_assert(p && sscanf(p, "server-port %u", &port) == 1, "%s", ss_describe(&shielded));
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", port);
    const char *want[] = { "prog=python3", "event=eagain", "call=recv", "sock=tcp", peer,
                           "errno=EAGAIN", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* A server that answers without looking at errors: it takes the listening
 * socket as its stdin, sends a header, then streams until the send fails.
 * Python ignores SIGPIPE itself, so bare it does not die of the signal: the
 * failed send raises ConnectionResetError (BrokenPipeError once the reset
 * has been reported), uncaught, and python exits 1.  Shielded the same, and
 * the event line says which call failed against which client. */
static const char vanishing_client_server[] =
    "import socket\n"
    "l = socket.socket(fileno=0)\n"
    "c, addr = l.accept()\n"
    "print('client-port', addr[1], flush=True)\n"
    "req = b''\n"
    "while b'\\r\\n\\r\\n' not in req:\n"
    "    d = c.recv(4096)\n"
    "    if not d:\n"
    "        raise SystemExit('client left before its request ended')\n"
    "    req += d\n"
    "c.sendall(b'HTTP/1.0 200 OK\\r\\n\\r\\n')\n"
    "for i in range(4096):\n"
    "    c.sendall(b'x' * 65536)\n"
    "print('sent everything')\n";

/* Sends a request, reads the header (so the server has read the request),
 * resets. */
static int vanishing_client(void *arg)
{
    unsigned short port = *(unsigned short *)arg;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0)
        return 10;
    static const char req[] = "GET /feed HTTP/1.0\r\n\r\n";
    if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)sizeof req - 1)
        return 11;
    char hdr[19]; /* "HTTP/1.0 200 OK\r\n\r\n" */
    size_t got = 0;
    while (got < sizeof hdr) {
        ssize_t k = recv(s, hdr + got, sizeof hdr - got, 0);
        if (k <= 0)
            return 12;
        got += (size_t)k;
    }
    if (memcmp(hdr, "HTTP/1.0 200 OK\r\n\r\n", sizeof hdr) != 0)
        return 13;
    ss_close_reset(s);
    return 0;
}

static void python_server_with_vanishing_client(struct ss_run *r, bool preload)
{
    const char *py = ss_need_program("python3", "python3");
    unsigned short port;
    int l = ss_listen_loopback(&port);
    pid_t peer = ss_peer_start(vanishing_client, &port, 60);
    const char *argv[] = { py, "-c", vanishing_client_server, NULL };
    run(r, preload, argv, l, NULL);
    close(l);
    int st = ss_peer_wait(peer, 20);
    cr_expect(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "client: status %#x; server: %s",
              st, ss_describe(r));
}

Test(python3, server_whose_client_vanishes_raises_both_ways_and_logs_the_client_shielded)
{
    struct ss_run bare, shielded;
    python_server_with_vanishing_client(&bare, false);
    python_server_with_vanishing_client(&shielded, true);

    for (int i = 0; i < 2; i++) {
        struct ss_run *r = i ? &shielded : &bare;
        cr_expect(ss_exited(r, 1), "%s: %s", i ? "shielded" : "bare", ss_describe(r));
        cr_expect(strstr(r->err, "ConnectionResetError") || strstr(r->err, "BrokenPipeError"),
                  "%s: %s", i ? "shielded" : "bare", ss_describe(r));
        cr_expect(!strstr(r->out, "sent everything"), "%s", ss_describe(r));
    }
    expect_bare_has_no_events(&bare);
    unsigned client = 0;
    const char *p = strstr(shielded.out, "client-port ");
    cr_assert(p && sscanf(p, "client-port %u", &client) == 1, "%s", ss_describe(&shielded));
    char peer[64];
    snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", client);
    const char *want[] = { "prog=python3", "event=reset|epipe", "call=send", "sock=tcp", peer,
                           "errno=ECONNRESET|EPIPE", NULL };
    expect_event(&shielded, want);
    ss_run_free(&bare);
    ss_run_free(&shielded);
}

/* ---- a real server under load: python3 -m http.server ------------------------ */

#define LOAD_ROUNDS 3
#define LOAD_CONNS  8
#define LOAD_BYTES  65536

struct load_result {
    unsigned clients[LOAD_ROUNDS * LOAD_CONNS];
    int nclients;
    bool alive_after_aborts;
    char final[4096];       /* what the final ordinary request printed */
    int final_status;
    int stop_status;
    char *server_err;       /* python's own stderr */
    char *events;           /* the event log file, NULL when none */
};

/* The docroot: a file far larger than the socket buffers (the server is
 * still sending it when each client resets) and a small one. */
static const char *docroot(void)
{
    static char dir[4200];
    snprintf(dir, sizeof dir, "%s/www", ss_tmpdir());
    if (mkdir(dir, 0755) < 0)
        cr_assert(errno == EEXIST, "%s: %s", dir, strerror(errno));
    char path[4300];
    snprintf(path, sizeof path, "%s/big.bin", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(fd >= 0 && ftruncate(fd, 64 << 20) == 0, "%s: %s", path, strerror(errno));
    close(fd);
    snprintf(path, sizeof path, "%s/small.txt", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("hello from the docroot\n", f);
    fclose(f);
    return dir;
}

static void load_server(struct load_result *res, bool shielded)
{
    const char *py = ss_need_program("python3", "python3");
    memset(res, 0, sizeof *res);
    const char *www = docroot();
    char err_path[4300], events[4300], log_opt[4400];
    snprintf(err_path, sizeof err_path, "%s/server-%s.err", ss_tmpdir(),
             shielded ? "shielded" : "bare");
    snprintf(events, sizeof events, "%s/events.log", ss_tmpdir());
    snprintf(log_opt, sizeof log_opt, "--log=%s", events);
    unlink(events);

    /* Shielded through the launcher, as a service would be started; every
     * event a line (--log-rate=0), to a file of its own, since python's
     * threads write their tracebacks to stderr in pieces. */
    const char *bare_argv[] = { py, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                "--directory", www, NULL };
    const char *shielded_argv[] = { ss_launcher(), log_opt, "--log-rate=0", "--",
                                    "python3", "-u", "-m", "http.server", "0", "--bind",
                                    "127.0.0.1", "--directory", www, NULL };
    struct ss_env e;
    ss_env_init(&e, false);
    struct ss_bg srv;
    ss_bg_start(&srv, shielded ? shielded_argv : bare_argv, &e, err_path);
    ss_env_free(&e);

    /* "Serving HTTP on 127.0.0.1 port N (http://127.0.0.1:N/) ..." */
    char line[512];
    unsigned port = 0;
    bool up = ss_bg_read_line(&srv, line, sizeof line, TIMEOUT);
    const char *p = up ? strstr(line, " port ") : NULL;
    if (!p || sscanf(p, " port %u", &port) != 1) {
        ss_bg_stop(&srv, SIGKILL, 5);
        char *err = ss_slurp(err_path, NULL);
        cr_assert_fail("http.server did not start: [%s] stderr: [%.2000s]", line,
                       err ? err : "");
    }
    char port_s[16], conns[16], bytes[16];
    snprintf(port_s, sizeof port_s, "%u", port);
    snprintf(conns, sizeof conns, "%d", LOAD_CONNS);
    snprintf(bytes, sizeof bytes, "%d", LOAD_BYTES);

    for (int round = 0; round < LOAD_ROUNDS; round++) {
        const char *argv[] = { ss_helper("httpload"), "abort", port_s, "/big.bin",
                               conns, bytes, NULL };
        struct ss_run r;
        run(&r, false, argv, -1, NULL);
        cr_expect(ss_exited(&r, 0), "round %d: %s", round, ss_describe(&r));
        for (const char *c = r.out; (c = strstr(c, "client=")); c++)
            if (res->nclients < LOAD_ROUNDS * LOAD_CONNS)
                sscanf(c, "client=%u", &res->clients[res->nclients++]);
        ss_run_free(&r);
    }
    /* Each aborted request ends in python's report of the exception (and,
     * shielded, in an event line) from the thread that served it; those
     * threads may still be running: wait for them, boundedly. */
    ss_wait_for_count(err_path, "Exception occurred during processing of request", res->nclients,
                      30);
    if (shielded)
        ss_wait_for_count(events, " prog=python3 event=", res->nclients, 30);
    res->alive_after_aborts = ss_bg_running(&srv);

    const char *get[] = { ss_helper("httpload"), "get", port_s, "/small.txt", NULL };
    struct ss_run r;
    run(&r, false, get, -1, NULL);
    res->final_status = r.status;
    snprintf(res->final, sizeof res->final, "%s%s", r.out, r.err);
    ss_run_free(&r);

    /* Ctrl-C still stops it, shielded too (INT is in the default
     * SOCKSHIELD_NORESTART). */
    res->stop_status = ss_bg_stop(&srv, SIGINT, 20);
    res->server_err = ss_slurp(err_path, NULL);
    res->events = ss_slurp(events, NULL);
    cr_assert(res->server_err);
}

Test(python3, http_server_under_load_survives_clients_that_abort_and_logs_each_shielded,
     .timeout = 300)
{
    struct load_result bare, shielded;
    load_server(&bare, false);
    load_server(&shielded, true);

    for (int i = 0; i < 2; i++) {
        struct load_result *r = i ? &shielded : &bare;
        const char *how = i ? "shielded" : "bare";
        cr_expect_eq(r->nclients, LOAD_ROUNDS * LOAD_CONNS, "%s: clients", how);
        cr_expect(r->alive_after_aborts, "%s: the server died: %.3000s", how, r->server_err);
        cr_expect(WIFEXITED(r->final_status) && WEXITSTATUS(r->final_status) == 0 &&
                      strstr(r->final, " 200 ") && strstr(r->final, "body=23\n") &&
                      strstr(r->final, "first=hello from the docroot\n"),
                  "%s: final request: %s", how, r->final);
        cr_expect(WIFEXITED(r->stop_status) && WEXITSTATUS(r->stop_status) == 0,
                  "%s: after SIGINT: status %#x", how, r->stop_status);
        /* Python's own account: one exception per aborted request. */
        cr_expect_eq(ss_count(r->server_err, "Exception occurred during processing of request"),
                     r->nclients, "%s: %.3000s", how, r->server_err);
        cr_expect_eq(ss_shield_lines(r->server_err), 0, "%s: sockshield wrote to stderr: %.3000s",
                     how, r->server_err);
    }
    cr_expect_null(bare.events, "bare run left an event log: %.2000s", bare.events);
    cr_assert(shielded.events, "no event log");
    for (int i = 0; i < shielded.nclients; i++) {
        char peer[64];
        snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", shielded.clients[i]);
        const char *want[] = { "prog=python3", "event=reset|epipe", "call=send", "sock=tcp",
                               peer, "errno=ECONNRESET|EPIPE", NULL };
        char *line = ss_event_find(shielded.events, want);
        cr_expect(line, "no reset/epipe event for client %s: %.4000s", peer, shielded.events);
        free(line);
    }
    free(bare.server_err);
    free(shielded.server_err);
    free(bare.events);
    free(shielded.events);
}
