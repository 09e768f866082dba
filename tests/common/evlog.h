/* Reading the event log back in tests: a strict parser for the text lines
 * (logfmt as documented in libsockshield(7), LOG FORMAT), expectations
 * stated by the helpers, and Python's json as the judge of JSON lines.
 *
 * A helper states what it provoked as lines on its stdout:
 *   expect event=reset call=recv fd=3 sock=tcp local=... peer=... errno=ECONNRESET pid=.. tid=.. prog=..
 * in the same logfmt; the test requires exactly one log line with exactly
 * these keys (plus the timestamp) and these values. */
#ifndef SOCKSHIELD_TEST_EVLOG_H
#define SOCKSHIELD_TEST_EVLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "harness.h"

#define EV_MAX_FIELDS 24

struct ev_field {
    char key[32];
    char *val; /* unescaped, NUL-terminated (malloc'ed) */
    size_t len;
};

struct ev_line {
    char stamp[40]; /* text lines: the timestamp; "" for expectations */
    int n;
    struct ev_field f[EV_MAX_FIELDS];
};

/* "sockshield: <UTC> key=value ..." (prefix "sockshield: " and the stamp
 * required) or, with stamp false, "key=value ..." alone.  Values bare or
 * double-quoted with \" \\ \n \t \xHH.  Returns false on any syntax error. */
bool ev_parse(const char *line, size_t len, bool stamp, struct ev_line *out);
void ev_line_free(struct ev_line *l);
const char *ev_get(const struct ev_line *l, const char *key);

/* All event lines of a log text (lines with "sockshield: " and " event=");
 * a line with the prefix that does not parse fails the test. */
struct ev_log {
    int n;
    struct ev_line *l;
};
void ev_log_parse(struct ev_log *log, const char *text);
void ev_log_free(struct ev_log *log);
/* The helper's "expect ..." lines from its stdout. */
void ev_expectations(struct ev_log *out, const char *helper_stdout);

/* The timestamp is a real UTC time with microseconds between lo and hi
 * (epoch seconds, inclusive). */
bool ev_stamp_ok(const char *stamp, double lo, double hi);

/* Asserts that exactly one line of log has exactly the keys and values of
 * want (and a valid stamp in [lo, hi]); returns its index. */
int ev_expect_one(const struct ev_log *log, const struct ev_line *want, double lo, double hi);

/* Python's json on a JSON log file: every line must parse (strict UTF-8,
 * one object a line), and exactly one event object must carry exactly
 * want's keys plus "time" with the same values (numbers as numbers).
 * Returns 0 when so, 1 when not (the reason in *why, malloc'ed); the test
 * fails, naming the package, when there is no python3. */
int ev_json_expect_one(const char *path, const struct ev_line *want, char **why);

/* Runs a python3 program (given as text) with arguments; stdout in *out.
 * Returns its exit status; the test fails, naming the package, when python3
 * is missing. */
int ev_python(const char *program, const char *const args[], char **out);

/* Wall clock, epoch seconds. */
double ev_now(void);

/* A helper run under the preload with its events in a fresh log file. */
struct ev_run {
    struct ss_run r;
    char logpath[4096];   /* "" when the log went to stderr */
    char *log;            /* the log's text (the file, or the helper's stderr) */
    size_t log_len;
    double t0, t1;        /* wall clock around the run */
    struct ev_log expect; /* the helper's expectations */
};

/* argv[0] a path; env: extra NAME=VALUE settings (SOCKSHIELD_LOG=... in
 * it replaces the log file).  format: "text" or "json". */
void ev_probe(struct ev_run *run, const char *format, const char *const env[],
              const char *const argv[]);
void ev_run_free(struct ev_run *run);
/* A fresh path in ss_tmpdir() (nothing created): prefix + unique suffix. */
const char *ev_tmp_path(const char *name);
/* Lines in a text. */
int ev_count_lines(const char *text);

/* Checks run: the helper exited 0 (77 skips), every log line parses (text)
 * or is one JSON object (json), the log holds exactly as many event lines
 * as the helper expected, and each expectation matches exactly one. */
void ev_check(struct ev_run *run, const char *format);

#endif
