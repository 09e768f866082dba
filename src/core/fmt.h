/* Async-signal-safe formatting: no malloc, no stdio, no locale, no time zone.
 * Pure code, unit tested (tests/unit/test_fmt.c). */
#ifndef SOCKSHIELD_FMT_H
#define SOCKSHIELD_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "event.h"

/* SOCKSHIELD_LOG_FORMAT. */
enum sockshield_log_format {
    SOCKSHIELD_FORMAT_TEXT = 0,
    SOCKSHIELD_FORMAT_JSON,
};

/* A bounded output buffer: appends never overflow; once full, `full` is set,
 * further appends are dropped, and the text ends cleanly (see _finish). */
struct sockshield_buf {
    char *p;
    size_t cap, len;
    bool full;
};

void sockshield_buf_init(struct sockshield_buf *b, char *mem, size_t cap);
void sockshield_buf_mem(struct sockshield_buf *b, const char *s, size_t n);
void sockshield_buf_str(struct sockshield_buf *b, const char *s);
void sockshield_buf_char(struct sockshield_buf *b, char c);
void sockshield_buf_u64(struct sockshield_buf *b, uint64_t v);
void sockshield_buf_i64(struct sockshield_buf *b, int64_t v);
/* Right-aligned in `width` columns (spaces), for the summary table. */
void sockshield_buf_u64_width(struct sockshield_buf *b, uint64_t v, unsigned width);
/* Left-aligned, padded with spaces to `width`. */
void sockshield_buf_str_width(struct sockshield_buf *b, const char *s, unsigned width);
/* UTC from epoch seconds, proleptic Gregorian, integer days-to-civil:
 * 2026-11-26T19:46:05.123456Z */
void sockshield_buf_utc(struct sockshield_buf *b, int64_t sec, long usec);
/* 127.0.0.1:8080, [::1]:8080, [::ffff:1.2.3.4]:80, /unix/path, @abstract
 * (NUL bytes of an abstract name shown as @), "unnamed" for an unbound unix
 * socket, "?" for other families or a short length. Raw bytes, not escaped:
 * callers escape with _text or _json. IPv6 in RFC 5952 form (lower case,
 * the longest run of two or more zero groups as ::). */
void sockshield_buf_addr(struct sockshield_buf *b, const struct sockaddr *sa, socklen_t len);
/* A logfmt value: written bare when it is non-empty and has only bytes
 * 0x21..0x7e other than '"', '=' and '\'; otherwise in double quotes with
 * \" \\ \n \t and \xHH for other bytes outside 0x20..0x7e. */
void sockshield_buf_text_value(struct sockshield_buf *b, const char *s, size_t n);
/* A JSON string with its quotes: \" \\ \n \r \t \uXXXX for control bytes;
 * valid UTF-8 passes through; every byte of an invalid sequence becomes
 * \u00XX, so the output is always valid JSON and valid UTF-8. */
void sockshield_buf_json_str(struct sockshield_buf *b, const char *s, size_t n);
/* Ends the text with '\n' (replacing the last byte when full) and returns
 * its length; the result is never longer than cap. */
size_t sockshield_buf_finish_line(struct sockshield_buf *b);

/* One event, everything the line says. */
struct sockshield_record {
    int64_t sec;               /* CLOCK_REALTIME */
    long usec;
    long pid, tid;
    const char *prog;          /* program name, any bytes */
    enum sockshield_event event;
    const char *call;          /* "recv" */
    int fd;
    const char *sock;          /* "tcp", "udp", "unix-stream", "pipe", ... or NULL */
    const struct sockaddr *local; /* NULL when unknown */
    socklen_t local_len;
    const struct sockaddr *peer;
    socklen_t peer_len;
    const char *err;           /* "ECONNRESET", NULL for eof */
    const char *action;        /* "ended": what sockshield did; NULL for nothing */
    uint64_t repeat, suppressed; /* shown only when non-zero */
};

/* The line for one event, newline-terminated, at most cap bytes (cap <= 4096
 * keeps a line atomic on pipes). Text (libsockshield(7), LOG FORMAT):
 *   sockshield: 2026-11-26T19:46:05.123456Z pid=1234 tid=1235 prog=curl event=reset call=recv fd=5 sock=tcp local=127.0.0.1:50312 peer=127.0.0.1:8080 errno=ECONNRESET
 * then " action=WORD" when set, " repeat=N" and " suppressed=N" when
 * non-zero; sock, local, peer and errno are left out when unknown.  JSON:
 * one object with the keys "time", "pid", "tid", "prog", "event", "call",
 * "fd", "sock", "local", "peer", "errno", "action", "repeat", "suppressed"
 * in that order (same omissions; numbers as JSON numbers). */
size_t sockshield_format_record(char *out, size_t cap, const struct sockshield_record *r,
                                enum sockshield_log_format format);

/* The exit summary: one row per event kind and call (public call names,
 * rows already merged by the caller), in the caller's order. */
struct sockshield_summary_row {
    enum sockshield_event event;
    const char *call;
    uint64_t count;
};
struct sockshield_summary {
    int64_t sec;
    long usec;
    long pid;
    const char *prog;
    uint64_t events;   /* every event counted */
    uint64_t unlogged; /* events in no line, repeat= or suppressed= */
    const struct sockshield_summary_row *rows;
    size_t nrows;
};

/* The summary as one record of at most cap bytes (one write; cap <= 4096
 * keeps it atomic).  Text: a header line and a table aligned on its widest
 * cell, every line starting with "sockshield: ":
 *   sockshield: 2026-11-26T19:46:05.123456Z summary pid=1234 prog=curl events=4 unlogged=0
 *   sockshield:   event    call      count
 *   sockshield:   reset    recv          3
 *   sockshield:   refused  connect       1
 * JSON: one line,
 *   {"time":"...","pid":1234,"prog":"curl","summary":{"events":4,"unlogged":0,
 *    "counts":{"reset":{"recv":3},"refused":{"connect":1}}}}
 * Rows that do not fit are left out and counted: a last text line
 * "sockshield:   (N more rows)", or "omitted":N after "counts". */
size_t sockshield_format_summary(char *out, size_t cap, const struct sockshield_summary *s,
                                 enum sockshield_log_format format);

#endif
