/* Driving real programs from Criterion tests: the programs themselves
 * (found in PATH, named by their Debian package when missing), peers that
 * run next to them in forked children, servers kept in the background, and
 * sockshield's event lines picked out of what they printed.
 *
 * Everything started here is bounded: children die with the test process
 * (PR_SET_PDEATHSIG) and after a lifeline alarm, and every wait has a
 * timeout. */
#ifndef SOCKSHIELD_TEST_PROGRAMS_H
#define SOCKSHIELD_TEST_PROGRAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness.h"

/* The absolute path of NAME in PATH.  When it is missing the test fails,
 * naming the Debian package to install (tools/install-deps, the README's
 * first command, installs every one the tests name). */
const char *ss_need_program(const char *name, const char *package);

/* A forked child of the test process running fn(arg) and _exit'ing with its
 * result; killed after lifeline_seconds or when the test process dies. */
pid_t ss_peer_start(int (*fn)(void *arg), void *arg, unsigned lifeline_seconds);
/* Its exit status (waitpid's), or -1 after timeout_seconds (it is then
 * killed and reaped). */
int ss_peer_wait(pid_t pid, double timeout_seconds);

/* accept(2) on listener within ms milliseconds; -1 after. */
int ss_accept_within(int listener, int ms);
/* A peer (for ss_peer_start, arg an int * listener): accepts one
 * connection, reads a whole HTTP request and resets the connection; returns
 * 0, or 10-12 when no request came. */
int ss_reset_after_request(void *listener);

/* A program kept running in the background: stdin /dev/null, stdout a pipe
 * read by ss_bg_read_line, stderr into a file; its own process group;
 * signals at their defaults. */
struct ss_bg {
    pid_t pid;
    int out;
    char err_path[4200];
    int status;
    bool exited;
};
void ss_bg_start(struct ss_bg *b, const char *const argv[], struct ss_env *e,
                 const char *err_path);
/* The next line of its stdout, without the newline; false at EOF or after
 * timeout_seconds. */
bool ss_bg_read_line(struct ss_bg *b, char *line, size_t cap, double timeout_seconds);
/* True while it has not exited. */
bool ss_bg_running(struct ss_bg *b);
/* Sends sig, waits up to timeout_seconds, then SIGKILLs its group; returns
 * waitpid's status (also in b->status). */
int ss_bg_stop(struct ss_bg *b, int sig, double timeout_seconds);

/* Waits until the file at path holds at least n occurrences of needle, or
 * timeout_seconds pass; returns the number found.  For logs written by
 * threads that run on after the request that caused them returned. */
int ss_wait_for_count(const char *path, const char *needle, int n, double timeout_seconds);

/* sockshield's text event lines in TEXT (each from "sockshield: " to the end
 * of its line, wherever the program's own output left it).  WANT is a
 * NULL-terminated list of "key=value" tokens; a value ending in '*' matches
 * any value with that prefix, and "key=a|b" matches either.  Returns a
 * malloc'ed copy of the first line holding them all, or NULL. */
char *ss_event_find(const char *text, const char *const want[]);
/* How many event lines hold them all. */
int ss_event_count(const char *text, const char *const want[]);
/* How many lines of TEXT hold "sockshield:", events or not. */
int ss_shield_lines(const char *text);

/* A loopback TCP listener on a kernel-chosen port (backlog 64). */
int ss_listen_loopback(unsigned short *port);
/* A loopback TCP socket bound to a kernel-chosen port but not listening:
 * connections to the port are refused (RST), and while the socket is open
 * no other process can take the port. */
int ss_refusing_port(unsigned short *port);
/* Closes fd with an RST instead of a FIN (SO_LINGER {1, 0}). */
void ss_close_reset(int fd);

#endif
