/* The datagrams of SOCKSHIELD_LOG=journal (src/core/journal.c), parsed back the
 * way journald parses its native protocol (tests/common/journalparse.c).  tests/integ/test_journal.c sends them to a real
 * journald. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "journal.h"
#include "journalparse.h"

/* The datagram, the iovecs joined. */
static size_t join(const struct sockshield_journal *j, char *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        cr_assert_leq(n + j->iov[i].iov_len, cap);
        memcpy(out + n, j->iov[i].iov_base, j->iov[i].iov_len);
        n += j->iov[i].iov_len;
    }
    cr_assert_eq(n, j->len, "len %zu, iovecs %zu", j->len, n);
    return n;
}

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

Test(journal, strip_takes_each_prefix_and_the_last_newline)
{
    char t[] = "sockshield: 2026 summary pid=1\nsockshield:   event  call\nsockshield:   reset  recv\n";
    size_t n = sockshield_journal_strip(t, strlen(t));
    cr_assert_eq(n, strlen("2026 summary pid=1\n  event  call\n  reset  recv"));
    cr_assert_eq(memcmp(t, "2026 summary pid=1\n  event  call\n  reset  recv", n), 0, "%.*s",
                 (int)n, t);
    char js[] = "{\"a\":\"sockshield: x\"}\n";
    n = sockshield_journal_strip(js, strlen(js));
    cr_assert_eq(n, strlen(js) - 1);
    char none[] = "";
    cr_assert_eq(sockshield_journal_strip(none, 0), 0);
}

Test(journal, an_event_has_every_field_of_its_line)
{
    struct sockaddr_in local = loopback(40000), peer = loopback(8080);
    struct sockshield_record r = {
        .pid = 1234, .tid = 1235, .prog = "curl", .event = SOCKSHIELD_EV_RESET,
        .call = "recv", .fd = 5, .sock = "tcp",
        .local = (struct sockaddr *)&local, .local_len = sizeof local,
        .peer = (struct sockaddr *)&peer, .peer_len = sizeof peer,
        .err = "ECONNRESET", .repeat = 3, .suppressed = 7,
    };
    static const char msg[] = "2026-11-26T19:46:05.123456Z pid=1234 event=reset";
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_event(&j, &r, msg, strlen(msg)));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    jexpect(&p, "MESSAGE", msg);
    jexpect(&p, "PRIORITY", "4");
    jexpect(&p, "SYSLOG_IDENTIFIER", "sockshield");
    jexpect(&p, "SYSLOG_PID", "1234");
    jexpect(&p, "SOCKSHIELD_TID", "1235");
    jexpect(&p, "SOCKSHIELD_PROG", "curl");
    jexpect(&p, "SOCKSHIELD_EVENT", "reset");
    jexpect(&p, "SOCKSHIELD_CALL", "recv");
    jexpect(&p, "SOCKSHIELD_FD", "5");
    jexpect(&p, "SOCKSHIELD_SOCK", "tcp");
    jexpect(&p, "SOCKSHIELD_LOCAL", "127.0.0.1:40000");
    jexpect(&p, "SOCKSHIELD_PEER", "127.0.0.1:8080");
    jexpect(&p, "SOCKSHIELD_ERRNO", "ECONNRESET");
    jexpect(&p, "SOCKSHIELD_REPEAT", "3");
    jexpect(&p, "SOCKSHIELD_SUPPRESSED", "7");
    cr_assert_eq(p.n, 15, "no other field");
    for (int i = 0; i < p.n; i++)
        cr_expect(!p.f[i].binary, "%s needs no length form", p.f[i].key);
}

Test(journal, unknown_fields_and_zero_counts_are_left_out)
{
    struct sockshield_record r = {
        .pid = 1, .tid = 1, .prog = "p", .event = SOCKSHIELD_EV_EOF, .call = "read", .fd = 0,
    };
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_event(&j, &r, "m", 1));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    jexpect(&p, "SOCKSHIELD_EVENT", "eof");
    jexpect(&p, "SOCKSHIELD_FD", "0");
    const char *absent[] = { "SOCKSHIELD_SOCK", "SOCKSHIELD_LOCAL", "SOCKSHIELD_PEER",
                             "SOCKSHIELD_ERRNO", "SOCKSHIELD_REPEAT", "SOCKSHIELD_SUPPRESSED" };
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        cr_expect_null(jget(&p, absent[i]), "%s", absent[i]);
}

/* A newline in a value would end the field early and start a forged one:
 * such values take the length form, byte for byte. */
Test(journal, values_with_a_newline_take_the_length_form)
{
    static const char prog[] = "my\nSOCKSHIELD_EVENT=forged";
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    static const char path[] = "/run/odd\nname";
    memcpy(un.sun_path, path, sizeof path);
    struct sockshield_record r = {
        .pid = 9, .tid = 9, .prog = prog, .event = SOCKSHIELD_EV_EPIPE, .call = "write",
        .fd = 4, .sock = "unix-stream",
        .peer = (struct sockaddr *)&un,
        .peer_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof path),
        .err = "EPIPE",
    };
    static const char msg[] = "line one\nline two";
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_event(&j, &r, msg, strlen(msg)));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    jexpect(&p, "SOCKSHIELD_PROG", prog);
    cr_expect(jget(&p, "SOCKSHIELD_PROG")->binary);
    jexpect(&p, "SOCKSHIELD_PEER", path);
    cr_expect(jget(&p, "SOCKSHIELD_PEER")->binary);
    jexpect(&p, "MESSAGE", msg);
    cr_expect(jget(&p, "MESSAGE")->binary);
    jexpect(&p, "SOCKSHIELD_EVENT", "epipe");
    cr_expect(!jget(&p, "SOCKSHIELD_EVENT")->binary);
}

Test(journal, a_long_program_name_is_cut_not_the_event)
{
    static char prog[5000];
    memset(prog, 'x', sizeof prog - 1);
    struct sockshield_record r = {
        .pid = 9, .tid = 9, .prog = prog, .event = SOCKSHIELD_EV_EPIPE, .call = "write", .fd = 4,
    };
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_event(&j, &r, "m", 1));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    cr_expect_eq(jget(&p, "SOCKSHIELD_PROG")->len, 512);
    jexpect(&p, "SOCKSHIELD_CALL", "write");
}

Test(journal, the_summary_has_its_counts_as_fields)
{
    struct sockshield_summary_row rows[] = {
        { SOCKSHIELD_EV_RESET, "recv", 3 },
        { SOCKSHIELD_EV_REFUSED, "getsockopt", 1234567 },
    };
    struct sockshield_summary s = {
        .pid = 77, .prog = "curl", .events = 1234570, .unlogged = 2, .rows = rows, .nrows = 2,
    };
    static const char msg[] = "2026 summary pid=77\n  event  call  count";
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_summary(&j, &s, msg, strlen(msg)));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    jexpect(&p, "MESSAGE", msg);
    jexpect(&p, "PRIORITY", "6");
    jexpect(&p, "SYSLOG_IDENTIFIER", "sockshield");
    jexpect(&p, "SYSLOG_PID", "77");
    jexpect(&p, "SOCKSHIELD_PROG", "curl");
    jexpect(&p, "SOCKSHIELD_SUMMARY", "1");
    jexpect(&p, "SOCKSHIELD_EVENTS", "1234570");
    jexpect(&p, "SOCKSHIELD_UNLOGGED", "2");
    jexpect(&p, "SOCKSHIELD_COUNT_RESET_RECV", "3");
    jexpect(&p, "SOCKSHIELD_COUNT_REFUSED_GETSOCKOPT", "1234567");
    cr_expect_null(jget(&p, "SOCKSHIELD_OMITTED"));
    cr_expect_null(jget(&p, "SOCKSHIELD_EVENT"));
}

Test(journal, summary_rows_beyond_the_room_are_counted)
{
    static struct sockshield_summary_row rows[300];
    for (int i = 0; i < 300; i++)
        rows[i] = (struct sockshield_summary_row){ SOCKSHIELD_EV_EAGAIN, "recvmmsg", 1 };
    struct sockshield_summary s = { .pid = 1, .prog = "p", .events = 300, .rows = rows, .nrows = 300 };
    static struct sockshield_journal j;
    cr_assert(sockshield_journal_summary(&j, &s, "m", 1));
    static char d[16384];
    static struct jparsed p;
    jparse(d, join(&j, d, sizeof d), &p);
    const struct jfield *o = jget(&p, "SOCKSHIELD_OMITTED");
    cr_assert_not_null(o);
    int shown = 0;
    for (int i = 0; i < p.n; i++)
        shown += !strcmp(p.f[i].key, "SOCKSHIELD_COUNT_EAGAIN_RECVMMSG");
    cr_expect_gt(shown, 10);
    cr_expect_eq(shown + atoi(o->val), 300, "%d shown, %s omitted", shown, o->val);
    jexpect(&p, "MESSAGE", "m");
}
