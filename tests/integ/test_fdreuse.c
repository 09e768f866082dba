/* Events of different connections are never collapsed into one line.
 *
 * A server reuses the same fd number for connection after connection.  The
 * collapse key once was (call, fd, errno), so the resets of distinct clients
 * within a second were collapsed as repeats of the first: only the first
 * client was named, and the peers of the others were lost.  The key now
 * includes the fd's connection generation (fdinfo), bumped by every accept
 * and connect.  Found with a real, unmodified server: python's own
 * single-threaded HTTP server, each client reading a little of a large
 * response and resetting. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "programs.h"

#define TIMEOUT 60.0
#define CLIENTS 6

TestSuite(fdreuse, .fini = ss_tmpdir_remove);

/* python's own HTTP server, single-threaded (http.server.HTTPServer, not the
 * threading one that `-m http.server` uses), so that each connection is
 * closed before the next is accepted and gets the same fd: as in any
 * server handling one connection at a time. */
static const char server[] =
    "import functools, http.server, sys\n"
    "handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])\n"
    "s = http.server.HTTPServer(('127.0.0.1', 0), handler)\n"
    "print('port', s.server_port, flush=True)\n"
    "s.serve_forever()\n";

Test(fdreuse, resets_of_distinct_clients_on_a_reused_fd_each_name_their_client, .timeout = 180)
{
    const char *py = ss_need_program("python3", "python3");
    char www[4200], path[4300], events[4300], err_path[4300];
    snprintf(www, sizeof www, "%s/www", ss_tmpdir());
    cr_assert(mkdir(www, 0755) == 0 || errno == EEXIST);
    snprintf(path, sizeof path, "%s/big.bin", www);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert(fd >= 0 && ftruncate(fd, 64 << 20) == 0);
    close(fd);
    snprintf(events, sizeof events, "%s/events.log", ss_tmpdir());
    snprintf(err_path, sizeof err_path, "%s/server.err", ss_tmpdir());

    /* Default settings but for the log file: the rate limit (20 lines a
     * second) is far above CLIENTS. */
    struct ss_env e;
    ss_env_init(&e, true);
    ss_env_set(&e, "SOCKSHIELD_LOG=%s", events);
    const char *argv[] = { py, "-u", "-c", server, www, NULL };
    struct ss_bg srv;
    ss_bg_start(&srv, argv, &e, err_path);
    ss_env_free(&e);
    char line[256];
    unsigned port = 0;
    if (!ss_bg_read_line(&srv, line, sizeof line, TIMEOUT) || sscanf(line, "port %u", &port) != 1) {
        ss_bg_stop(&srv, SIGKILL, 5);
        cr_assert_fail("the server did not start: [%s]", line);
    }
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%u", port);

    /* One client after the other, each reading 64 KiB of a 64 MiB response
     * and resetting. */
    unsigned clients[CLIENTS];
    int n = 0;
    for (int i = 0; i < CLIENTS; i++) {
        const char *load[] = { ss_helper("httpload"), "abort", port_s, "/big.bin", "1", "65536",
                               NULL };
        struct ss_run r;
        struct ss_env le;
        ss_env_init(&le, false);
        ss_run(&r, load, &le, -1, TIMEOUT);
        ss_env_free(&le);
        cr_expect(ss_exited(&r, 0), "client %d: %s", i, ss_describe(&r));
        if (sscanf(r.out, "client=%u", &clients[n]) == 1)
            n++;
        ss_run_free(&r);
    }
    ss_wait_for_count(err_path, "Exception occurred during processing of request", n, 30);
    ss_bg_stop(&srv, SIGINT, 20);
    char *log = ss_slurp(events, NULL);
    cr_assert(log, "no event log");

    /* Positive control: the library was there and logged the first. */
    const char *first[] = { "prog=python3", "event=reset|epipe", "call=send", NULL };
    cr_assert_geq(ss_event_count(log, first), 1, "no event at all: %s", log);
    for (int i = 0; i < n; i++) {
        char peer[64];
        snprintf(peer, sizeof peer, "peer=127.0.0.1:%u", clients[i]);
        const char *want[] = { "prog=python3", "event=reset|epipe", "call=send", peer, NULL };
        char *hit = ss_event_find(log, want);
        cr_expect(hit, "client %d (%s) has no event line of its own; the log:\n%s",
                  i + 1, peer, log);
        free(hit);
    }
    free(log);
}
